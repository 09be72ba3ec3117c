//! The work order (工单): its events, its state and its state machine.
//!
//! ```text
//!  受理 Received ──派单──▶ Dispatched ──签收──▶ Handling ──答复──▶ Replied ──回访──▶ Closed
//!     │  (咨询: 即时办结 ─────────────────────────────────────────────────────────▶ Closed)
//!     │                    │  ▲  退单          │ 转办 / 延期 / 暂停       │ 不满意 (≤ 重办上限)
//!     │                    ▼  │ 派单           ▼                          ▼
//!     └──────────────▶ Returned ◀──────────── Handling ◀───────────────── 重办 Handling
//! ```
//!
//! The handling clock starts at receipt (the caller's view: 受理即计时) and runs on the shared
//! calendar; a 重办 starts a fresh clock of the same length. A ticket closes only after its
//! call-back, or when the call-back window passes unvisited.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::model::*;
use super::sla::HotlineRules;
use crate::calendar::{
    Calendar, Extension, LimitKind, StatutoryClock, Suspension, SuspensionKind, WorkingDays,
};
use crate::codes::Hotline as H;
use crate::error::DomainError;

/// Who did something: a member of staff (with their department when they act for one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct By {
    pub user_id: i64,
    pub name: String,
    pub department_id: Option<i64>,
}

crate::closed_set! {
    /// Why a ticket closed.
    pub enum CloseReason {
        /// 即时办结: a 咨询 answered by the operator on the line.
        AnsweredOnSpot = "answered_on_spot" => "即时办结",
        /// The caller was called back.
        CalledBack = "called_back" => "回访办结",
        /// 不满意 again after the last allowed 重办.
        ReworkExhausted = "rework_exhausted" => "重办次数用尽，按不满意办结",
        /// The call-back window passed without a call-back.
        CallbackTimeout = "callback_timeout" => "回访期满办结",
        /// 合并: the same matter as another open ticket, which carries it on.
        Merged = "merged" => "重复诉求，合并办理",
    }
}

crate::closed_set! {
    /// The kind of a [`TicketEvent`]: stored beside its body, shown in the audit chain. The wire
    /// names are the events' serde tags (a test keeps them equal).
    pub enum TicketEventKind {
        Received = "received" => "受理",
        AnsweredOnSpot = "answered_on_spot" => "即时办结",
        Dispatched = "dispatched" => "派单",
        Signed = "signed" => "签收",
        Returned = "returned" => "退单",
        Transferred = "transferred" => "转办",
        ExtensionAsked = "extension_asked" => "申请延期",
        ExtensionDecided = "extension_decided" => "延期审批",
        Paused = "paused" => "暂停计时",
        Resumed = "resumed" => "恢复计时",
        Replied = "replied" => "答复",
        CalledBack = "called_back" => "回访",
        Reopened = "reopened" => "重办",
        Merged = "merged" => "合并",
        Closed = "closed" => "办结",
    }
}

crate::closed_set! {
    /// What staff may ask of a ticket (the pages' and the API's `action`): the centre's five
    /// and the holding unit's six ([`TicketActionKind::by_centre`]).
    pub enum TicketActionKind {
        Dispatch = "dispatch" => "派单",
        AnswerOnSpot = "answer_on_spot" => "即时办结",
        Transfer = "transfer" => "转办",
        DecideExtension = "decide_extension" => "延期审批",
        CallBack = "call_back" => "回访",
        Merge = "merge" => "合并重复工单",
        Sign = "sign" => "签收",
        Return = "return" => "退单",
        AskExtension = "ask_extension" => "申请延期",
        Pause = "pause" => "暂停计时",
        Resume = "resume" => "恢复计时",
        Reply = "reply" => "答复",
    }
}

impl TicketActionKind {
    /// Whether the centre sends it (else the holding unit).
    pub fn by_centre(self) -> bool {
        use TicketActionKind as A;
        matches!(
            self,
            A::Dispatch
                | A::AnswerOnSpot
                | A::Transfer
                | A::DecideExtension
                | A::CallBack
                | A::Merge
        )
    }
}

/// Everything that can happen to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TicketEvent {
    /// 受理: the request as taken, with the limit in force at that moment.
    Received {
        number: TicketNumber,
        category: Category,
        channel: Channel,
        subject: String,
        subject_name: String,
        region: String,
        caller: Caller,
        place: Option<String>,
        text: String,
        urgent: bool,
        efficiency: Option<EfficiencyTarget>,
        limit: WorkingDays,
        urgent_hours: u32,
    },
    /// 即时办结 of a 咨询: the operator's answer.
    AnsweredOnSpot {
        answer: String,
        knowledge_id: Option<i64>,
    },
    /// 派单 to a 主办 unit with 协办 units.
    Dispatched {
        lead: UnitRef,
        co: Vec<UnitRef>,
        note: String,
    },
    /// 签收 by the holding unit.
    Signed,
    /// 退单 by the holding unit, with its reason.
    Returned {
        reason: String,
    },
    /// 转办: the centre moves the ticket to another unit.
    Transferred {
        to: UnitRef,
        reason: String,
    },
    /// The unit asks for more working days.
    ExtensionAsked {
        days: WorkingDays,
        reason: String,
    },
    /// The centre approves or refuses the pending extension.
    ExtensionDecided {
        approved: bool,
        note: String,
    },
    /// The clock stops (waiting for the caller, an on-site check the caller must attend…).
    Paused {
        reason: String,
    },
    Resumed,
    /// 答复: the unit's reply to the caller.
    Replied {
        text: String,
    },
    /// 回访 and its result.
    CalledBack {
        result: CallbackResult,
        note: String,
    },
    /// 重办 after a 不满意 call-back: back to the unit that replied, on a fresh clock.
    Reopened,
    /// 合并: the operator found it the same matter as the open ticket `into`, which carries
    /// it on (the caller follows that one and is told its reply).
    Merged {
        into: TicketNumber,
        reason: String,
    },
    Closed {
        reason: CloseReason,
    },
}

impl TicketEvent {
    /// The event's kind (stored beside its body, shown in the audit chain).
    pub fn kind(&self) -> TicketEventKind {
        use TicketEventKind as K;
        match self {
            TicketEvent::Received { .. } => K::Received,
            TicketEvent::AnsweredOnSpot { .. } => K::AnsweredOnSpot,
            TicketEvent::Dispatched { .. } => K::Dispatched,
            TicketEvent::Signed => K::Signed,
            TicketEvent::Returned { .. } => K::Returned,
            TicketEvent::Transferred { .. } => K::Transferred,
            TicketEvent::ExtensionAsked { .. } => K::ExtensionAsked,
            TicketEvent::ExtensionDecided { .. } => K::ExtensionDecided,
            TicketEvent::Paused { .. } => K::Paused,
            TicketEvent::Resumed => K::Resumed,
            TicketEvent::Replied { .. } => K::Replied,
            TicketEvent::CalledBack { .. } => K::CalledBack,
            TicketEvent::Reopened => K::Reopened,
            TicketEvent::Merged { .. } => K::Merged,
            TicketEvent::Closed { .. } => K::Closed,
        }
    }

    /// What happened, in Chinese, for the ticket's history and the audit summary.
    pub fn summary(&self) -> String {
        match self {
            TicketEvent::Received {
                category, channel, ..
            } => format!("受理（{}，{}）", category.label(), channel.label()),
            TicketEvent::AnsweredOnSpot { .. } => "话务员即时答复办结".into(),
            TicketEvent::Dispatched { lead, co, .. } if co.is_empty() => {
                format!("派单至{}", lead.name)
            }
            TicketEvent::Dispatched { lead, co, .. } => {
                let co: Vec<&str> = co.iter().map(|u| u.name.as_str()).collect();
                format!("派单至{}（协办：{}）", lead.name, co.join("、"))
            }
            TicketEvent::Signed => "签收".into(),
            TicketEvent::Returned { reason } => format!("退单：{reason}"),
            TicketEvent::Transferred { to, reason } => format!("转办至{}：{reason}", to.name),
            TicketEvent::ExtensionAsked { days, reason } => {
                format!("申请延期{}个工作日：{reason}", days.get())
            }
            TicketEvent::ExtensionDecided { approved: true, .. } => "同意延期".into(),
            TicketEvent::ExtensionDecided {
                approved: false, ..
            } => "不同意延期".into(),
            TicketEvent::Paused { reason } => format!("暂停计时：{reason}"),
            TicketEvent::Resumed => "恢复计时".into(),
            TicketEvent::Replied { .. } => "答复来电人".into(),
            TicketEvent::CalledBack { result, .. } => format!("回访：{}", result.label()),
            TicketEvent::Reopened => "重办".into(),
            TicketEvent::Merged { into, reason } => {
                format!("与工单{into}为同一诉求，合并办理：{reason}")
            }
            TicketEvent::Closed { reason } => format!("办结（{}）", reason.label()),
        }
    }
}

/// A request to change a ticket. Who may send which is checked by the use case (centre,
/// holding unit); whether the ticket's state allows it is checked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    AnswerOnSpot {
        answer: String,
        knowledge_id: Option<i64>,
    },
    Dispatch {
        lead: UnitRef,
        co: Vec<UnitRef>,
        note: String,
    },
    Sign,
    Return {
        reason: String,
    },
    Transfer {
        to: UnitRef,
        reason: String,
    },
    AskExtension {
        days: u32,
        reason: String,
    },
    DecideExtension {
        approve: bool,
        note: String,
    },
    Pause {
        reason: String,
    },
    Resume,
    Reply {
        text: String,
    },
    CallBack {
        result: CallbackResult,
        note: String,
    },
    /// The system closes a replied ticket whose call-back window has passed.
    CloseUnvisited,
    /// 合并 into `into`, an open ticket of the same matter (the use case checks it is one).
    Merge {
        into: TicketNumber,
        reason: String,
    },
}

/// A pending extension request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub days: WorkingDays,
    pub reason: String,
    pub asked_by: Option<By>,
    pub at: DateTime<Utc>,
}

/// Who is looking at a ticket, for what the caller's identity shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The 12345 centre (operators, centre staff) and supervision.
    Centre,
    /// A handling unit.
    Unit,
}

/// A ticket as its events leave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: TicketNumber,
    pub category: Category,
    pub channel: Channel,
    pub subject: String,
    pub subject_name: String,
    pub region: String,
    pub caller: Caller,
    pub place: Option<String>,
    pub text: String,
    pub urgent: bool,
    pub efficiency: Option<EfficiencyTarget>,
    pub status: TicketStatus,
    pub received_at: DateTime<Utc>,
    /// 首问: who took the request.
    pub first_responder: Option<By>,
    /// The 主办 unit holding the ticket now.
    pub holder: Option<UnitRef>,
    pub co_units: Vec<UnitRef>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub signed_at: Option<DateTime<Utc>>,
    /// The handling clock (working days); `None` for an urgent ticket, which counts hours.
    pub clock: Option<StatutoryClock>,
    pub limit: WorkingDays,
    pub urgent_hours: u32,
    /// When the current handling round started (receipt, or the last 重办).
    pub round_started_at: DateTime<Utc>,
    pub returns: u32,
    pub pending_extension: Option<PendingExtension>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    /// The unit that wrote the last reply.
    pub replied_by: Option<UnitRef>,
    pub answer_on_spot: Option<String>,
    pub callback: Option<CallbackResult>,
    pub callbacks: u32,
    pub reworks: u32,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<CloseReason>,
    /// The open ticket this one was merged into (it carries the matter on).
    #[serde(default)]
    pub merged_into: Option<TicketNumber>,
    /// The time the ticket entered each state, in order (an honest clock: nothing is edited).
    pub entered: Vec<(TicketStatus, DateTime<Utc>)>,
    /// Events applied so far.
    pub version: u32,
}

impl Ticket {
    /// A ticket from its first event; `None` unless that event is [`TicketEvent::Received`].
    pub fn start(event: &TicketEvent, at: DateTime<Utc>, by: Option<&By>) -> Option<Ticket> {
        let TicketEvent::Received {
            number,
            category,
            channel,
            subject,
            subject_name,
            region,
            caller,
            place,
            text,
            urgent,
            efficiency,
            limit,
            urgent_hours,
        } = event
        else {
            return None;
        };
        Some(Ticket {
            number: number.clone(),
            category: *category,
            channel: *channel,
            subject: subject.clone(),
            subject_name: subject_name.clone(),
            region: region.clone(),
            caller: caller.clone(),
            place: place.clone(),
            text: text.clone(),
            urgent: *urgent,
            efficiency: efficiency.clone(),
            status: TicketStatus::Received,
            received_at: at,
            first_responder: by.cloned(),
            holder: None,
            co_units: Vec::new(),
            dispatched_at: None,
            signed_at: None,
            clock: (!*urgent).then(|| StatutoryClock::new(at, *limit, LimitKind::Committed)),
            limit: *limit,
            urgent_hours: *urgent_hours,
            round_started_at: at,
            returns: 0,
            pending_extension: None,
            reply: None,
            replied_at: None,
            replied_by: None,
            answer_on_spot: None,
            callback: None,
            callbacks: 0,
            reworks: 0,
            closed_at: None,
            close_reason: None,
            merged_into: None,
            entered: vec![(TicketStatus::Received, at)],
            version: 1,
        })
    }

    /// Replays a log of `(event, at, by)`.
    pub fn replay<'a>(
        log: impl IntoIterator<Item = (&'a TicketEvent, DateTime<Utc>, Option<&'a By>)>,
    ) -> Option<Ticket> {
        let mut it = log.into_iter();
        let (first, at, by) = it.next()?;
        let mut t = Ticket::start(first, at, by)?;
        for (e, at, by) in it {
            t.apply(e, at, by);
        }
        Some(t)
    }

    fn enter(&mut self, status: TicketStatus, at: DateTime<Utc>) {
        if self.status != status {
            self.status = status;
            self.entered.push((status, at));
        }
    }

    fn end_pause(&mut self, at: DateTime<Utc>, by: Option<&By>) {
        if let Some(clock) = self.clock.as_mut() {
            for s in clock.suspensions.iter_mut().filter(|s| s.end.is_none()) {
                s.end = Some(at);
                s.ended_by = by.map(|b| b.name.clone());
            }
        }
    }

    /// Folds one event in. Deterministic: replaying a log rebuilds the ticket exactly.
    pub fn apply(&mut self, event: &TicketEvent, at: DateTime<Utc>, by: Option<&By>) {
        self.version += 1;
        match event {
            TicketEvent::Received { .. } => {}
            TicketEvent::AnsweredOnSpot { answer, .. } => {
                self.answer_on_spot = Some(answer.clone());
                self.reply = Some(answer.clone());
                self.replied_at = Some(at);
            }
            TicketEvent::Dispatched { lead, co, .. } => {
                self.holder = Some(lead.clone());
                self.co_units = co.clone();
                self.dispatched_at = Some(at);
                self.signed_at = None;
                self.enter(TicketStatus::Dispatched, at);
            }
            TicketEvent::Signed => {
                self.signed_at = Some(at);
                self.enter(TicketStatus::Handling, at);
            }
            TicketEvent::Returned { .. } => {
                self.returns += 1;
                self.holder = None;
                self.co_units.clear();
                self.signed_at = None;
                self.pending_extension = None;
                self.end_pause(at, by);
                self.enter(TicketStatus::Returned, at);
            }
            TicketEvent::Transferred { to, .. } => {
                self.holder = Some(to.clone());
                self.co_units.clear();
                self.dispatched_at = Some(at);
                self.signed_at = None;
                self.pending_extension = None;
                self.end_pause(at, by);
                self.enter(TicketStatus::Dispatched, at);
            }
            TicketEvent::ExtensionAsked { days, reason } => {
                self.pending_extension = Some(PendingExtension {
                    days: *days,
                    reason: reason.clone(),
                    asked_by: by.cloned(),
                    at,
                });
            }
            TicketEvent::ExtensionDecided { approved, .. } => {
                if let Some(p) = self.pending_extension.take() {
                    if let (true, Some(clock)) = (*approved, self.clock.as_mut()) {
                        clock.extensions.push(Extension {
                            days: p.days,
                            approver: by.map_or_else(String::new, |b| b.name.clone()),
                            reason: p.reason,
                            at,
                        });
                    }
                }
            }
            TicketEvent::Paused { reason } => {
                if let Some(clock) = self.clock.as_mut() {
                    clock.suspensions.push(Suspension {
                        counting: Default::default(),
                        kind: SuspensionKind::Other,
                        reason: reason.clone(),
                        started_by: by.map_or_else(String::new, |b| b.name.clone()),
                        start: at,
                        end: None,
                        ended_by: None,
                    });
                }
            }
            TicketEvent::Resumed => self.end_pause(at, by),
            TicketEvent::Replied { text } => {
                self.end_pause(at, by);
                self.reply = Some(text.clone());
                self.replied_at = Some(at);
                self.replied_by = self.holder.clone();
                self.pending_extension = None;
                self.enter(TicketStatus::Replied, at);
            }
            TicketEvent::CalledBack { result, .. } => {
                self.callback = Some(*result);
                self.callbacks += 1;
            }
            TicketEvent::Reopened => {
                self.reworks += 1;
                self.holder = self.replied_by.clone().or(self.holder.take());
                self.reply = None;
                self.replied_at = None;
                self.callback = None;
                self.round_started_at = at;
                if self.clock.is_some() {
                    self.clock = Some(StatutoryClock::new(at, self.limit, LimitKind::Committed));
                }
                self.signed_at = Some(at);
                self.enter(TicketStatus::Handling, at);
            }
            TicketEvent::Merged { into, .. } => {
                self.merged_into = Some(into.clone());
            }
            TicketEvent::Closed { reason } => {
                self.closed_at = Some(at);
                self.close_reason = Some(*reason);
                self.end_pause(at, by);
                self.enter(TicketStatus::Closed, at);
            }
        }
    }

    /// Whether the clock is stopped now.
    pub fn paused(&self) -> bool {
        self.clock
            .as_ref()
            .is_some_and(|c| c.suspensions.iter().any(|s| s.end.is_none()))
    }

    /// The handling deadline of the current round: the end of the due working day, or for an
    /// urgent ticket its hours after the round started. `None` once replied or closed.
    pub fn due_at(&self, cal: &Calendar, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if matches!(self.status, TicketStatus::Replied | TicketStatus::Closed) {
            return None;
        }
        match &self.clock {
            Some(clock) => clock.status(cal, now).ok().map(|s| s.due_at),
            None => Some(self.round_started_at + Duration::hours(i64::from(self.urgent_hours))),
        }
    }

    /// When the call-back window of a replied ticket ends (the end of the `callback_days`-th
    /// working day after the reply).
    pub fn callback_due(&self, cal: &Calendar, rules: &HotlineRules) -> Option<DateTime<Utc>> {
        if self.status != TicketStatus::Replied {
            return None;
        }
        let days = WorkingDays::new(rules.callback_days).ok()?;
        let replied = self.replied_at?;
        cal.add_working_days(replied, days, Default::default())
            .ok()
            .map(crate::time::end_of_day)
    }

    /// The caller's name as a viewer may see it: units never see a 保密 caller, an anonymous
    /// one, or the reporter of a 举报; everyone else sees it masked.
    pub fn caller_name(&self, viewer: Viewer) -> String {
        if self.caller.anonymous {
            return "匿名".into();
        }
        if viewer == Viewer::Unit && self.hides_caller_from_units() {
            return "保密".into();
        }
        self.caller
            .name
            .as_deref()
            .map_or_else(|| "未留姓名".into(), crate::mask::name)
    }

    /// The caller's telephone as a viewer may see it: masked, and never to a unit when hidden.
    pub fn caller_phone(&self, viewer: Viewer) -> Option<String> {
        if viewer == Viewer::Unit && self.hides_caller_from_units() {
            return None;
        }
        self.caller.phone.as_ref().map(CallerPhone::masked)
    }

    /// 保密, or a 举报 (whose reporter is never shown to the unit reported).
    pub fn hides_caller_from_units(&self) -> bool {
        self.caller.confidential || self.category == Category::Report
    }

    /// Decides a command at `now`: the events it causes, or a coded refusal.
    pub fn decide(
        &self,
        command: Command,
        cal: &Calendar,
        rules: &HotlineRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, DomainError> {
        use TicketStatus as S;
        let status = self.status;
        let refuse = || -> Result<Vec<TicketEvent>, DomainError> { Err(H::Status.err()) };
        match command {
            Command::AnswerOnSpot {
                answer,
                knowledge_id,
            } => {
                if self.category != Category::Consult {
                    return Err(H::AnswerCategory.err());
                }
                if status != S::Received {
                    return refuse();
                }
                let answer = text(&answer, 4000, H::Answer)?;
                Ok(vec![
                    TicketEvent::AnsweredOnSpot {
                        answer,
                        knowledge_id,
                    },
                    TicketEvent::Closed {
                        reason: CloseReason::AnsweredOnSpot,
                    },
                ])
            }
            Command::Dispatch { lead, co, note } => {
                if !matches!(status, S::Received | S::Returned) {
                    return refuse();
                }
                let co = co
                    .into_iter()
                    .filter(|u| u.department_id != lead.department_id)
                    .collect();
                Ok(vec![TicketEvent::Dispatched {
                    lead,
                    co,
                    note: note.trim().chars().take(500).collect(),
                }])
            }
            Command::Sign => {
                if status != S::Dispatched {
                    return refuse();
                }
                Ok(vec![TicketEvent::Signed])
            }
            Command::Return { reason } => {
                if !matches!(status, S::Dispatched | S::Handling) {
                    return refuse();
                }
                let reason = text(&reason, 500, H::Reason)?;
                if self.returns >= rules.max_returns {
                    return Err(H::ReturnLimit.err());
                }
                let since = self.dispatched_at.unwrap_or(self.received_at);
                let days = cal
                    .working_days_between(
                        crate::time::local_date(since),
                        crate::time::local_date(now),
                    )
                    .map_err(DomainError::from)?;
                if days > rules.return_days {
                    return Err(H::ReturnLate.err());
                }
                Ok(vec![TicketEvent::Returned { reason }])
            }
            Command::Transfer { to, reason } => {
                if !matches!(status, S::Dispatched | S::Handling | S::Returned) {
                    return refuse();
                }
                let reason = text(&reason, 500, H::Reason)?;
                Ok(vec![TicketEvent::Transferred { to, reason }])
            }
            Command::AskExtension { days, reason } => {
                if status != S::Handling {
                    return refuse();
                }
                if self.urgent {
                    return Err(H::ExtensionUrgent.err());
                }
                if self.pending_extension.is_some() {
                    return Err(H::ExtensionPending.err());
                }
                if days == 0 || days > rules.max_extension_days {
                    return Err(H::ExtensionDays.with(format!(
                        "延期天数应为1至{}个工作日",
                        rules.max_extension_days
                    )));
                }
                let days = WorkingDays::new(days).map_err(|_| H::ExtensionDays.err())?;
                let reason = text(&reason, 500, H::Reason)?;
                Ok(vec![TicketEvent::ExtensionAsked { days, reason }])
            }
            Command::DecideExtension { approve, note } => {
                if self.pending_extension.is_none() || status != S::Handling {
                    return Err(H::ExtensionNone.err());
                }
                Ok(vec![TicketEvent::ExtensionDecided {
                    approved: approve,
                    note: note.trim().chars().take(500).collect(),
                }])
            }
            Command::Pause { reason } => {
                if status != S::Handling || self.clock.is_none() {
                    return refuse();
                }
                if self.paused() {
                    return Err(H::Paused.err());
                }
                let reason = text(&reason, 500, H::Reason)?;
                Ok(vec![TicketEvent::Paused { reason }])
            }
            Command::Resume => {
                if !self.paused() {
                    return Err(H::NotPaused.err());
                }
                Ok(vec![TicketEvent::Resumed])
            }
            Command::Reply { text: reply } => {
                if status != S::Handling {
                    return refuse();
                }
                let reply = text(&reply, 4000, H::Answer)?;
                Ok(vec![TicketEvent::Replied { text: reply }])
            }
            Command::CallBack { result, note } => {
                if status == S::Closed && self.callbacks > 0 {
                    return Err(H::CallbackDone.err());
                }
                if status != S::Replied {
                    return refuse();
                }
                let note: String = note.trim().chars().take(1000).collect();
                let mut out = vec![TicketEvent::CalledBack { result, note }];
                match result {
                    CallbackResult::Unsatisfied if self.reworks < rules.max_reworks => {
                        out.push(TicketEvent::Reopened);
                    }
                    CallbackResult::Unsatisfied => out.push(TicketEvent::Closed {
                        reason: CloseReason::ReworkExhausted,
                    }),
                    _ => out.push(TicketEvent::Closed {
                        reason: CloseReason::CalledBack,
                    }),
                }
                Ok(out)
            }
            Command::Merge { into, reason } => {
                // Only while the centre holds it: a ticket a unit works on is handled there.
                if !matches!(status, S::Received | S::Returned) {
                    return refuse();
                }
                if into == self.number {
                    return Err(H::MergeTarget.err());
                }
                let reason = text(&reason, 500, H::Reason)?;
                Ok(vec![
                    TicketEvent::Merged { into, reason },
                    TicketEvent::Closed {
                        reason: CloseReason::Merged,
                    },
                ])
            }
            Command::CloseUnvisited => {
                let due = self
                    .callback_due(cal, rules)
                    .ok_or_else(|| H::Status.err())?;
                if now <= due {
                    return refuse();
                }
                Ok(vec![TicketEvent::Closed {
                    reason: CloseReason::CallbackTimeout,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use chrono::{NaiveDate, TimeZone};

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        crate::time::shanghai()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn operator() -> By {
        By {
            user_id: 1,
            name: "话务员甲".into(),
            department_id: None,
        }
    }

    fn unit(id: i64) -> UnitRef {
        UnitRef {
            department_id: id,
            name: format!("单位{id}"),
        }
    }

    fn received(category: Category, urgent: bool) -> TicketEvent {
        let sla = super::super::SlaTable::default();
        TicketEvent::Received {
            number: TicketNumber::new(NaiveDate::from_ymd_opt(2026, 9, 24).unwrap(), 1),
            category,
            channel: Channel::Phone,
            subject: "env.noise".into(),
            subject_name: "噪声扰民".into(),
            region: "441900".into(),
            caller: Caller::parse(Some("张三"), Some("13812345678"), false, false).unwrap(),
            place: Some("东城街道某小区".into()),
            text: "夜间施工噪声".into(),
            urgent,
            efficiency: None,
            limit: sla.limit(category),
            urgent_hours: sla.urgent_hours,
        }
    }

    /// Runs commands at instants, applying what each decides.
    struct Run {
        t: Ticket,
        cal: Calendar,
        rules: HotlineRules,
    }

    impl Run {
        fn new(category: Category, urgent: bool, at0: DateTime<Utc>) -> Run {
            let t = Ticket::start(&received(category, urgent), at0, Some(&operator())).unwrap();
            Run {
                t,
                cal: Calendar::shipped(),
                rules: HotlineRules::default(),
            }
        }

        fn go(&mut self, c: Command, now: DateTime<Utc>) -> Result<(), DomainError> {
            let events = self.t.decide(c, &self.cal, &self.rules, now)?;
            for e in &events {
                self.t.apply(e, now, Some(&operator()));
            }
            Ok(())
        }
    }

    fn dispatch(id: i64) -> Command {
        Command::Dispatch {
            lead: unit(id),
            co: vec![unit(id), unit(9)],
            note: String::new(),
        }
    }

    #[test]
    fn a_complaint_runs_the_whole_loop_with_a_return_and_a_rework() {
        let mut r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        assert_eq!(r.t.status, TicketStatus::Dispatched);
        assert_eq!(r.t.co_units, vec![unit(9)], "the lead is no co-unit");
        r.go(
            Command::Return {
                reason: "不属本镇管辖".into(),
            },
            at(2026, 3, 2, 11),
        )
        .unwrap();
        assert_eq!((r.t.status, r.t.returns), (TicketStatus::Returned, 1));
        assert_eq!(r.t.holder, None);
        r.go(dispatch(8), at(2026, 3, 2, 14)).unwrap();
        r.go(Command::Sign, at(2026, 3, 2, 15)).unwrap();
        assert_eq!(r.t.status, TicketStatus::Handling);
        r.go(
            Command::Reply {
                text: "已责令停工".into(),
            },
            at(2026, 3, 5, 9),
        )
        .unwrap();
        assert_eq!(r.t.status, TicketStatus::Replied);
        r.go(
            Command::CallBack {
                result: CallbackResult::Unsatisfied,
                note: "仍在施工".into(),
            },
            at(2026, 3, 6, 9),
        )
        .unwrap();
        assert_eq!((r.t.status, r.t.reworks), (TicketStatus::Handling, 1));
        assert_eq!(r.t.holder, Some(unit(8)), "back to the unit that replied");
        // The fresh round has its own 15 working days from the reopening.
        let due = r.t.due_at(&r.cal, at(2026, 3, 6, 9)).unwrap();
        assert_eq!(
            crate::time::local_date(due),
            NaiveDate::from_ymd_opt(2026, 3, 27).unwrap()
        );
        r.go(
            Command::Reply {
                text: "已查处".into(),
            },
            at(2026, 3, 9, 9),
        )
        .unwrap();
        r.go(
            Command::CallBack {
                result: CallbackResult::Satisfied,
                note: String::new(),
            },
            at(2026, 3, 9, 15),
        )
        .unwrap();
        assert_eq!(r.t.status, TicketStatus::Closed);
        assert_eq!(r.t.close_reason, Some(CloseReason::CalledBack));
        // A second call-back is refused with its own code.
        let err = r
            .go(
                Command::CallBack {
                    result: CallbackResult::Satisfied,
                    note: String::new(),
                },
                at(2026, 3, 10, 9),
            )
            .unwrap_err();
        assert_eq!(err.code, H::CallbackDone);
        let states: Vec<TicketStatus> = r.t.entered.iter().map(|(s, _)| *s).collect();
        use TicketStatus as S;
        assert_eq!(
            states,
            [
                S::Received,
                S::Dispatched,
                S::Returned,
                S::Dispatched,
                S::Handling,
                S::Replied,
                S::Handling,
                S::Replied,
                S::Closed
            ]
        );
    }

    #[test]
    fn replaying_the_log_rebuilds_the_ticket() {
        let mut r = Run::new(Category::Help, false, at(2026, 3, 2, 9));
        let mut log = vec![(received(Category::Help, false), at(2026, 3, 2, 9))];
        for (c, now) in [
            (dispatch(7), at(2026, 3, 2, 10)),
            (Command::Sign, at(2026, 3, 2, 11)),
            (
                Command::Pause {
                    reason: "等待来电人提供照片".into(),
                },
                at(2026, 3, 3, 9),
            ),
            (Command::Resume, at(2026, 3, 4, 9)),
        ] {
            let events = r.t.decide(c, &r.cal, &r.rules, now).unwrap();
            for e in events {
                r.t.apply(&e, now, Some(&operator()));
                log.push((e, now));
            }
        }
        let op = operator();
        let again = Ticket::replay(log.iter().map(|(e, at)| (e, *at, Some(&op)))).unwrap();
        assert_eq!(again, r.t);
        assert_eq!(again.version, 5);
    }

    #[test]
    fn the_deadline_runs_on_the_shared_calendar_across_a_holiday() {
        // A 咨询 received on Thursday 24 September 2026: Friday 25 is the first day of the
        // 中秋 holiday (25–27), so the two working days are Mon 28 and Tue 29 September.
        let mut r = Run::new(Category::Consult, false, at(2026, 9, 24, 10));
        r.go(dispatch(7), at(2026, 9, 24, 11)).unwrap();
        let due = r.t.due_at(&r.cal, at(2026, 9, 24, 11)).unwrap();
        assert_eq!(
            crate::time::local_date(due),
            NaiveDate::from_ymd_opt(2026, 9, 29).unwrap()
        );
        // A 投诉 received on 30 September: National Day (1–7 October) does not count, Saturday
        // 10 October (调休上班) does: 15 working days end on Wednesday 23 October? Count them:
        // 9/30 is the start day (not counted); 10/8, 10/9, 10/10(Sat, work), 10/12–16 (5),
        // 10/19–23 (5) = 13; 10/26, 10/27 = 15.
        let r = Run::new(Category::Complaint, false, at(2026, 9, 30, 10));
        let due = r.t.due_at(&r.cal, at(2026, 9, 30, 10)).unwrap();
        assert_eq!(
            crate::time::local_date(due),
            NaiveDate::from_ymd_opt(2026, 10, 27).unwrap()
        );
    }

    #[test]
    fn watches_follow_the_ticket_on_the_shared_calendar() {
        use crate::supervision::{Light, WarningRules};
        let warn = WarningRules::default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let ms = Duration::milliseconds(1);
        // A 咨询 received Thursday 24 September 2026: two working days across 中秋 (25–27), due
        // Tuesday 29. It is the centre's until dispatched, with the operator as its assignee.
        let mut r = Run::new(Category::Consult, false, at(2026, 9, 24, 10));
        let w = r.t.watches(&r.cal, at(2026, 9, 24, 10), &warn, &r.rules);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].key, "handling");
        assert_eq!(
            (w[0].department_id, w[0].assignee_id),
            (super::super::CENTRE, Some(1))
        );
        assert_eq!(crate::time::local_date(w[0].red_at - ms), day(2026, 9, 29));
        // Yellow from the start of the first counted day, Monday 28: the holiday is not counted.
        assert_eq!(
            w[0].yellow_at,
            Some(crate::time::start_of_day(day(2026, 9, 28)))
        );
        for (now, light) in [
            (at(2026, 9, 27, 12), Light::Green),
            (at(2026, 9, 28, 9), Light::Yellow),
            (at(2026, 9, 30, 9), Light::Red),
        ] {
            let w = r.t.watches(&r.cal, now, &warn, &r.rules);
            assert_eq!((w[0].light, w[0].light_at(now)), (light, light), "{now}");
        }
        // Dispatched: the unit's. Returned: the centre's again, on the same clock.
        r.go(dispatch(7), at(2026, 9, 24, 11)).unwrap();
        let w = r.t.watches(&r.cal, at(2026, 9, 24, 11), &warn, &r.rules);
        assert_eq!((w[0].department_id, w[0].assignee_id), (7, None));
        r.go(
            Command::Return {
                reason: "非本单位职责".into(),
            },
            at(2026, 9, 24, 12),
        )
        .unwrap();
        let back = r.t.watches(&r.cal, at(2026, 9, 24, 12), &warn, &r.rules);
        assert_eq!(back[0].department_id, super::super::CENTRE);
        assert_eq!(back[0].red_at, w[0].red_at);
        // Replied: the handling deadline is gone, the call-back window (3 working days) runs.
        r.go(dispatch(8), at(2026, 9, 24, 13)).unwrap();
        r.go(Command::Sign, at(2026, 9, 24, 14)).unwrap();
        r.go(
            Command::Reply {
                text: "已答复".into(),
            },
            at(2026, 9, 24, 15),
        )
        .unwrap();
        let w = r.t.watches(&r.cal, at(2026, 9, 24, 15), &warn, &r.rules);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].key.as_str(), w[0].department_id), ("callback", 0));
        assert_eq!(
            w[0].red_at - ms,
            r.t.callback_due(&r.cal, &r.rules).unwrap(),
            "the same instant the sweep closes it unvisited"
        );
        // Closed: nothing is watched.
        r.go(
            Command::CallBack {
                result: CallbackResult::Satisfied,
                note: String::new(),
            },
            at(2026, 9, 28, 9),
        )
        .unwrap();
        assert!(r
            .t
            .watches(&r.cal, at(2026, 9, 28, 9), &warn, &r.rules)
            .is_empty());

        // An urgent ticket counts its 24 hours round the clock, the holiday included; yellow at
        // 90 % of them.
        let r = Run::new(Category::Help, true, at(2026, 9, 24, 10));
        let w = r.t.watches(&r.cal, at(2026, 9, 25, 8), &warn, &r.rules);
        assert_eq!(w[0].red_at, at(2026, 9, 25, 10));
        assert_eq!(
            w[0].yellow_at,
            Some(at(2026, 9, 25, 7) + Duration::minutes(36))
        );
        assert_eq!(w[0].light, Light::Yellow);
    }

    #[test]
    fn detectors_find_overdue_repeated_returns_false_closure_and_efficiency_complaints() {
        use super::super::detect::detect;
        use crate::supervision::detect::Rule;
        // A 投诉 naming unit 5 and its clerk 55, received Wednesday 30 September 2026: 15
        // working days across 国庆 (with Saturday 10 October worked), due Tuesday 27 October.
        let mut ev = received(Category::Complaint, false);
        if let TicketEvent::Received { efficiency, .. } = &mut ev {
            *efficiency = Some(EfficiencyTarget {
                department_id: 5,
                staff_id: Some(55),
                case_number: None,
            });
        }
        let op = operator();
        let clerk = |d: i64| By {
            user_id: 100 + d,
            name: format!("经办{d}"),
            department_id: Some(d),
        };
        let t0 = at(2026, 9, 30, 10);
        let mut t = Ticket::start(&ev, t0, Some(&op)).unwrap();
        let mut log = vec![(1, ev, t0, Some(op.clone()))];
        let rules = HotlineRules::default();
        let cal = Calendar::shipped();
        type Log = Vec<(i64, TicketEvent, DateTime<Utc>, Option<By>)>;
        let go = |log: &mut Log, t: &mut Ticket, c: Command, now, by: &By| {
            for e in t.decide(c, &cal, &rules, now).unwrap() {
                t.apply(&e, now, Some(by));
                let seq = log.len() as i64 + 1;
                log.push((seq, e, now, Some(by.clone())));
            }
        };
        let ret = || Command::Return {
            reason: "非本单位职责".into(),
        };
        go(&mut log, &mut t, dispatch(7), at(2026, 9, 30, 11), &op); // 2
        go(&mut log, &mut t, ret(), at(2026, 9, 30, 12), &clerk(7)); // 3
        go(&mut log, &mut t, dispatch(8), at(2026, 9, 30, 14), &op); // 4
        go(&mut log, &mut t, ret(), at(2026, 9, 30, 15), &clerk(8)); // 5: the second return
        go(&mut log, &mut t, dispatch(9), at(2026, 10, 8, 9), &op); // 6
        go(
            &mut log,
            &mut t,
            Command::Sign,
            at(2026, 10, 8, 10),
            &clerk(9),
        ); // 7
        let found = |log: &[(i64, TicketEvent, DateTime<Utc>, Option<By>)], now| {
            detect(
                log.iter().map(|(s, e, a, b)| (*s, e, *a, b.as_ref())),
                &Calendar::shipped(),
                now,
            )
        };
        // Before the deadline: the complaint and the second return, nothing overdue — the
        // National Day holiday is not counted.
        let f = found(&log, at(2026, 10, 27, 17));
        let rules_of: Vec<Rule> = f.iter().map(|x| x.rule).collect();
        assert_eq!(rules_of, [Rule::EfficiencyComplaint, Rule::RepeatedReturns]);
        assert_eq!((f[0].department_id, f[0].person), (5, Some(55)));
        assert_eq!((f[1].department_id, f[1].person), (8, Some(108)));
        assert_eq!(f[1].evidence, [3, 5]);
        assert_eq!(f[1].anchor, "repeated_returns:5");
        // The morning after the due date, unreplied: 办理超时 against the holding unit.
        let f = found(&log, at(2026, 10, 28, 9));
        let late = f.iter().find(|x| x.rule == Rule::Overdue).unwrap();
        assert_eq!((late.department_id, late.anchor.as_str()), (9, "overdue:0"));
        // Replied late, then the caller says it is not solved: the same 超时 (one per round) and
        // 虚假办结 against the unit and the person who replied.
        go(
            &mut log,
            &mut t,
            Command::Reply {
                text: "已整改完毕".into(),
            },
            at(2026, 10, 28, 10),
            &clerk(9),
        ); // 8
        go(
            &mut log,
            &mut t,
            Command::CallBack {
                result: CallbackResult::Unsatisfied,
                note: "仍未整改".into(),
            },
            at(2026, 10, 29, 9),
            &op,
        ); // 9 called back, 10 reopened
        let f = found(&log, at(2026, 10, 29, 9));
        let rules_of: Vec<Rule> = f.iter().map(|x| x.rule).collect();
        assert_eq!(
            rules_of,
            [
                Rule::EfficiencyComplaint,
                Rule::RepeatedReturns,
                Rule::Overdue,
                Rule::FalseClosure
            ]
        );
        assert_eq!(f[2].anchor, "overdue:0");
        assert_eq!(f[2].evidence, [1, 8]);
        let fc = &f[3];
        assert_eq!((fc.department_id, fc.person), (9, Some(109)));
        assert_eq!(fc.evidence, [8, 9]);
        assert!(fc.detail.contains("仍未整改"), "{}", fc.detail);
        // The 重办 round has a fresh clock: nothing more is overdue the day after.
        assert_eq!(found(&log, at(2026, 10, 30, 9)).len(), 4);
    }

    #[test]
    fn a_pause_moves_the_deadline_and_an_approved_extension_adds_days() {
        let mut r = Run::new(Category::Consult, false, at(2026, 3, 2, 9));
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        r.go(Command::Sign, at(2026, 3, 2, 10)).unwrap();
        // Due Wednesday 4 March (Mon start not counted: Tue 3, Wed 4).
        let due = |r: &Run, now| crate::time::local_date(r.t.due_at(&r.cal, now).unwrap());
        assert_eq!(
            due(&r, at(2026, 3, 2, 10)),
            NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
        );
        r.go(
            Command::Pause {
                reason: "等待来电人补充".into(),
            },
            at(2026, 3, 3, 9),
        )
        .unwrap();
        assert_eq!(
            r.go(
                Command::Pause {
                    reason: "again".into()
                },
                at(2026, 3, 3, 10)
            )
            .unwrap_err()
            .code,
            H::Paused
        );
        r.go(Command::Resume, at(2026, 3, 3, 16)).unwrap();
        // Tuesday 3 was paused: it does not count.
        assert_eq!(
            due(&r, at(2026, 3, 3, 16)),
            NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
        );
        let err = r
            .go(
                Command::AskExtension {
                    days: 11,
                    reason: "需现场核查".into(),
                },
                at(2026, 3, 4, 9),
            )
            .unwrap_err();
        assert_eq!(err.code, H::ExtensionDays);
        r.go(
            Command::AskExtension {
                days: 3,
                reason: "需现场核查".into(),
            },
            at(2026, 3, 4, 9),
        )
        .unwrap();
        assert_eq!(
            r.go(
                Command::AskExtension {
                    days: 3,
                    reason: "再次".into()
                },
                at(2026, 3, 4, 9)
            )
            .unwrap_err()
            .code,
            H::ExtensionPending
        );
        r.go(
            Command::DecideExtension {
                approve: true,
                note: String::new(),
            },
            at(2026, 3, 4, 10),
        )
        .unwrap();
        assert_eq!(
            due(&r, at(2026, 3, 4, 10)),
            NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
        );
        assert_eq!(
            r.go(
                Command::DecideExtension {
                    approve: true,
                    note: String::new()
                },
                at(2026, 3, 4, 11)
            )
            .unwrap_err()
            .code,
            H::ExtensionNone
        );
    }

    #[test]
    fn returns_are_bounded_in_time_and_number() {
        let mut r = Run::new(Category::Help, false, at(2026, 3, 2, 9));
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        let ret = || Command::Return {
            reason: "非本单位职责".into(),
        };
        // Two working days after dispatch is past the one-day window.
        assert_eq!(
            r.go(ret(), at(2026, 3, 4, 10)).unwrap_err().code,
            H::ReturnLate
        );
        assert_eq!(
            r.go(
                Command::Return {
                    reason: "  ".into()
                },
                at(2026, 3, 2, 11)
            )
            .unwrap_err()
            .code,
            H::Reason
        );
        r.go(ret(), at(2026, 3, 3, 10)).unwrap();
        r.go(dispatch(8), at(2026, 3, 3, 11)).unwrap();
        r.go(ret(), at(2026, 3, 3, 12)).unwrap();
        r.go(dispatch(9), at(2026, 3, 3, 13)).unwrap();
        assert_eq!(
            r.go(ret(), at(2026, 3, 3, 14)).unwrap_err().code,
            H::ReturnLimit
        );
        // The centre may still move it on (转办).
        r.go(
            Command::Transfer {
                to: unit(10),
                reason: "中心协调".into(),
            },
            at(2026, 3, 3, 15),
        )
        .unwrap();
        assert_eq!(r.t.holder, Some(unit(10)));
    }

    #[test]
    fn a_duplicate_is_merged_only_while_at_the_centre_and_never_into_itself() {
        let other = TicketNumber::new(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 7);
        let merge = |into: &TicketNumber| Command::Merge {
            into: into.clone(),
            reason: "同一占道问题".into(),
        };
        let mut r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        let own = r.t.number.clone();
        assert_eq!(
            r.go(merge(&own), at(2026, 3, 2, 9)).unwrap_err().code,
            H::MergeTarget
        );
        assert_eq!(
            r.go(
                Command::Merge {
                    into: other.clone(),
                    reason: " ".into()
                },
                at(2026, 3, 2, 9)
            )
            .unwrap_err()
            .code,
            H::Reason
        );
        r.go(merge(&other), at(2026, 3, 2, 10)).unwrap();
        assert_eq!(r.t.status, TicketStatus::Closed);
        assert_eq!(r.t.close_reason, Some(CloseReason::Merged));
        assert_eq!(r.t.merged_into.as_ref(), Some(&other));
        // A ticket a unit holds is not merged away under it.
        let mut r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        assert_eq!(
            r.go(merge(&other), at(2026, 3, 2, 11)).unwrap_err().code,
            H::Status
        );
        // Nor does a merged ticket count as closed in the 三率: the one it joined does.
        let mut r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        let mut log = vec![(received(Category::Complaint, false), at(2026, 3, 2, 9))];
        for e in
            r.t.decide(merge(&other), &r.cal, &r.rules, at(2026, 3, 2, 10))
                .unwrap()
        {
            r.t.apply(&e, at(2026, 3, 2, 10), None);
            log.push((e, at(2026, 3, 2, 10)));
        }
        let folded = super::super::rates::fold(
            [log.iter().map(|(e, a)| (e, *a, None))],
            at(2026, 3, 1, 0),
            at(2026, 4, 1, 0),
            Duration::hours(24),
        );
        assert!(folded.values().all(|u| u.closed == 0), "{folded:?}");
    }

    #[test]
    fn only_a_consultation_is_answered_on_the_spot() {
        let mut r = Run::new(Category::Consult, false, at(2026, 3, 2, 9));
        r.go(
            Command::AnswerOnSpot {
                answer: "可在政务服务网办理".into(),
                knowledge_id: Some(3),
            },
            at(2026, 3, 2, 9),
        )
        .unwrap();
        assert_eq!(r.t.status, TicketStatus::Closed);
        assert_eq!(r.t.close_reason, Some(CloseReason::AnsweredOnSpot));
        assert_eq!(r.t.first_responder.as_ref().map(|b| b.user_id), Some(1));
        let mut r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        let err = r
            .go(
                Command::AnswerOnSpot {
                    answer: "x".into(),
                    knowledge_id: None,
                },
                at(2026, 3, 2, 9),
            )
            .unwrap_err();
        assert_eq!(err.code, H::AnswerCategory);
    }

    #[test]
    fn rework_is_bounded_and_an_unvisited_ticket_closes_by_timeout() {
        let mut r = Run::new(Category::Help, false, at(2026, 3, 2, 9));
        r.rules.max_reworks = 0;
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        r.go(Command::Sign, at(2026, 3, 2, 10)).unwrap();
        r.go(
            Command::Reply {
                text: "已处理".into(),
            },
            at(2026, 3, 3, 10),
        )
        .unwrap();
        r.go(
            Command::CallBack {
                result: CallbackResult::Unsatisfied,
                note: String::new(),
            },
            at(2026, 3, 3, 11),
        )
        .unwrap();
        assert_eq!(r.t.close_reason, Some(CloseReason::ReworkExhausted));

        let mut r = Run::new(Category::Help, false, at(2026, 3, 2, 9));
        r.go(dispatch(7), at(2026, 3, 2, 10)).unwrap();
        r.go(Command::Sign, at(2026, 3, 2, 10)).unwrap();
        r.go(
            Command::Reply {
                text: "已处理".into(),
            },
            at(2026, 3, 3, 10),
        )
        .unwrap();
        // Three working days after Tuesday 3 March: the window ends Friday 6 March.
        assert_eq!(
            r.go(Command::CloseUnvisited, at(2026, 3, 6, 20))
                .unwrap_err()
                .code,
            H::Status
        );
        r.go(Command::CloseUnvisited, at(2026, 3, 7, 1)).unwrap();
        assert_eq!(r.t.close_reason, Some(CloseReason::CallbackTimeout));
    }

    #[test]
    fn an_urgent_ticket_counts_hours_and_takes_no_extension() {
        let mut r = Run::new(Category::Help, true, at(2026, 10, 1, 9));
        assert_eq!(
            r.t.due_at(&r.cal, at(2026, 10, 1, 9)),
            Some(at(2026, 10, 2, 9))
        );
        r.go(dispatch(7), at(2026, 10, 1, 9)).unwrap();
        r.go(Command::Sign, at(2026, 10, 1, 9)).unwrap();
        assert_eq!(
            r.go(
                Command::AskExtension {
                    days: 1,
                    reason: "x".into()
                },
                at(2026, 10, 1, 10)
            )
            .unwrap_err()
            .code,
            H::ExtensionUrgent
        );
    }

    #[test]
    fn units_never_see_a_hidden_caller() {
        let r = Run::new(Category::Complaint, false, at(2026, 3, 2, 9));
        assert_eq!(r.t.caller_name(Viewer::Unit), "张*");
        assert_eq!(
            r.t.caller_phone(Viewer::Unit).as_deref(),
            Some("138****5678")
        );
        let mut report = received(Category::Report, false);
        if let TicketEvent::Received { caller, .. } = &mut report {
            caller.confidential = false;
        }
        let t = Ticket::start(&report, at(2026, 3, 2, 9), None).unwrap();
        assert_eq!(t.caller_name(Viewer::Unit), "保密");
        assert_eq!(t.caller_phone(Viewer::Unit), None);
        assert_eq!(t.caller_name(Viewer::Centre), "张*");
        let mut secret = received(Category::Help, false);
        if let TicketEvent::Received { caller, .. } = &mut secret {
            caller.confidential = true;
        }
        let t = Ticket::start(&secret, at(2026, 3, 2, 9), None).unwrap();
        assert_eq!(t.caller_name(Viewer::Unit), "保密");
    }

    #[test]
    fn events_serialize_with_their_kind() {
        let e = TicketEvent::Returned {
            reason: "非本单位职责".into(),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], e.kind().as_str());
        let back: TicketEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        // One event of every kind: its serde tag is its kind's wire name, and every kind is met.
        let one_of_each = [
            received(Category::Help, false),
            TicketEvent::AnsweredOnSpot {
                answer: "a".into(),
                knowledge_id: None,
            },
            TicketEvent::Dispatched {
                lead: unit(1),
                co: vec![],
                note: String::new(),
            },
            TicketEvent::Signed,
            e.clone(),
            TicketEvent::Transferred {
                to: unit(2),
                reason: "r".into(),
            },
            TicketEvent::ExtensionAsked {
                days: WorkingDays::new(3).unwrap(),
                reason: "r".into(),
            },
            TicketEvent::ExtensionDecided {
                approved: true,
                note: String::new(),
            },
            TicketEvent::Paused { reason: "r".into() },
            TicketEvent::Resumed,
            TicketEvent::Replied { text: "t".into() },
            TicketEvent::CalledBack {
                result: CallbackResult::Satisfied,
                note: String::new(),
            },
            TicketEvent::Reopened,
            TicketEvent::Merged {
                into: TicketNumber::new(NaiveDate::from_ymd_opt(2026, 9, 24).unwrap(), 2),
                reason: "同一事项".into(),
            },
            TicketEvent::Closed {
                reason: CloseReason::CalledBack,
            },
        ];
        let kinds: Vec<TicketEventKind> = one_of_each.iter().map(TicketEvent::kind).collect();
        assert_eq!(kinds, TicketEventKind::ALL);
        for ev in &one_of_each {
            let json = serde_json::to_value(ev).unwrap();
            assert_eq!(json["type"], ev.kind().as_str(), "{ev:?}");
        }
        assert_eq!(
            serde_json::to_value(CloseReason::CallbackTimeout).unwrap(),
            "callback_timeout"
        );
        let r = received(Category::Help, false);
        let back: TicketEvent = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
