//! The 12345 hotline's use cases: taking a request (operator console, public web form),
//! dispatching it by the routing table, the unit's work on it (sign, return, pause, extension,
//! reply), the centre's call-back and the closing of unvisited tickets.
//!
//! Who may do what, checked here on every request:
//! - the 12345 centre (话务员 and 中心人员, [`Role::is_hotline`]) files, dispatches, transfers,
//!   answers a 咨询 on the spot and calls back, within its region subtree; only 中心人员
//!   approve extensions;
//! - a handling unit (a department's clerk, approver or head) acts only on tickets its
//!   department holds (`hotline.not_holder`), and never sees a hidden caller;
//! - a caller without an account files on the web and tracks a ticket by its number and the
//!   last four digits of the phone.
//!
//! The state machine is the domain's ([`tongban_domain::hotline::Ticket::decide`]); each
//! command's events, projection, outbox messages and audit record are written together, with
//! what supervision keeps of the ticket: its deadlines in the one crossing index and the
//! findings the detectors read in its log ([`hl::detect`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::calendar::Calendar;
use tongban_domain::codes;
use tongban_domain::hotline::{
    self as hl, By, CallbackResult, Caller, Category, Channel, Command, EfficiencyTarget, Ticket,
    TicketActionKind, TicketEvent, TicketNumber, TicketStatus, UnitRef, Viewer,
};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_store::hotline::{
    AnswerRow, Outbound, RouteRow, TicketFilter, TicketLog, TicketOversight, TicketPhoto, TicketRow,
};
use tongban_store::users::User;
use tongban_store::StoreError;

use crate::error::{AppError, Result};
use crate::App;

/// 三率 of one unit in a month: the counts and the rates in per mille (`None`: nothing to
/// count).
#[derive(Debug, Clone, Serialize)]
pub struct UnitRatesLine {
    pub department_id: i64,
    pub name: String,
    pub response: Option<u32>,
    pub solution: Option<u32>,
    pub satisfaction: Option<u32>,
    pub counts: hl::rates::UnitRates,
}

/// A month's 三率 for every unit, with the formulas they follow.
#[derive(Debug, Clone, Serialize)]
pub struct HotlineRates {
    pub month: String,
    /// The 签收 limit the 响应率 counts by (setting `hotline.sign_hours`).
    pub sign_hours: u32,
    pub formulas: Vec<(String, String)>,
    pub total: UnitRatesLine,
    pub units: Vec<UnitRatesLine>,
}

/// A new request as an operator types it, or as the web form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TicketInput {
    /// `consult`, `help`, `complaint`, `report` or `suggestion`.
    pub category: String,
    /// `phone`, `web`, `app`, `sms`, `wechat`, `weibo`, `email`, `letter` or `walk_in`.
    #[serde(default)]
    pub channel: Option<String>,
    /// A code of the subject tree.
    pub subject: String,
    /// The region (six or twelve digits) where the matter is.
    pub region: String,
    #[serde(default)]
    pub caller_name: Option<String>,
    #[serde(default)]
    pub caller_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub confidential: bool,
    #[serde(default)]
    pub place: Option<String>,
    pub text: String,
    #[serde(default)]
    pub urgent: bool,
    /// 效能投诉: the unit complained about (a 投诉 only).
    #[serde(default)]
    pub efficiency_department_id: Option<i64>,
    #[serde(default)]
    pub efficiency_staff_id: Option<i64>,
    #[serde(default)]
    pub efficiency_case_number: Option<String>,
    /// Photos as sent (file name, bytes): taken under `hotline.photo_*` with their metadata
    /// stripped, or the whole request refused. Multipart forms fill it; JSON never does.
    #[serde(skip)]
    pub photos: Vec<(String, Vec<u8>)>,
}

/// A change to a ticket, as the pages and the API send it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketAction {
    /// 派单 (centre): the lead unit, else the routing table's.
    Dispatch {
        #[serde(default)]
        lead: Option<i64>,
        #[serde(default)]
        co: Vec<i64>,
        #[serde(default)]
        note: String,
    },
    /// 即时办结 of a 咨询 (centre).
    AnswerOnSpot {
        answer: String,
        #[serde(default)]
        knowledge_id: Option<i64>,
    },
    /// 转办 (centre).
    Transfer { to: i64, reason: String },
    /// 延期审批 (中心人员).
    DecideExtension {
        approve: bool,
        #[serde(default)]
        note: String,
    },
    /// 回访 (centre): `satisfied`, `basic` or `unsatisfied`.
    CallBack {
        result: String,
        #[serde(default)]
        note: String,
    },
    /// 合并 (centre): the same matter as the open ticket `into`, which carries it on.
    Merge { into: String, reason: String },
    /// 签收 (holding unit).
    Sign,
    /// 退单 (holding unit).
    Return { reason: String },
    /// 申请延期 (holding unit).
    AskExtension { days: u32, reason: String },
    /// 暂停计时 (holding unit).
    Pause { reason: String },
    /// 恢复计时 (holding unit).
    Resume,
    /// 答复 (holding unit).
    Reply { text: String },
}

impl TicketAction {
    /// Which action it is (the closed set names it and says who sends it).
    pub fn kind(&self) -> TicketActionKind {
        use TicketActionKind as A;
        match self {
            TicketAction::Dispatch { .. } => A::Dispatch,
            TicketAction::AnswerOnSpot { .. } => A::AnswerOnSpot,
            TicketAction::Transfer { .. } => A::Transfer,
            TicketAction::DecideExtension { .. } => A::DecideExtension,
            TicketAction::CallBack { .. } => A::CallBack,
            TicketAction::Merge { .. } => A::Merge,
            TicketAction::Sign => A::Sign,
            TicketAction::Return { .. } => A::Return,
            TicketAction::AskExtension { .. } => A::AskExtension,
            TicketAction::Pause { .. } => A::Pause,
            TicketAction::Resume => A::Resume,
            TicketAction::Reply { .. } => A::Reply,
        }
    }
}

/// One line of a ticket's history as a viewer may read it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    pub seq: i64,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub by: Option<String>,
    pub summary: String,
}

/// An open ticket a new one is likely a duplicate of, as the operator is shown it.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateLine {
    pub number: String,
    pub reason: hl::duplicate::DuplicateReason,
    pub reason_label: String,
    pub subject_name: String,
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub summary: String,
}

/// A ticket as staff see it: the caller masked, and hidden from units where the rules say so.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    pub number: String,
    pub category: Category,
    pub category_label: String,
    pub channel: Channel,
    pub subject: String,
    pub subject_name: String,
    pub region: String,
    pub status: TicketStatus,
    pub status_label: String,
    pub caller_name: String,
    pub caller_phone: Option<String>,
    pub place: Option<String>,
    pub text: String,
    pub urgent: bool,
    pub efficiency_department_id: Option<i64>,
    pub holder: Option<UnitRef>,
    pub co_units: Vec<UnitRef>,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub paused: bool,
    pub pending_extension_days: Option<u32>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub callback: Option<String>,
    pub returns: u32,
    pub reworks: u32,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub first_responder: Option<String>,
    pub history: Vec<HistoryLine>,
    /// The open ticket this one was merged into.
    pub merged_into: Option<String>,
    /// Open tickets this one is likely a duplicate of (the centre's view of a ticket it still
    /// holds; `hotline.duplicate_days`).
    pub duplicates: Vec<DuplicateLine>,
    /// The photos taken with the request (metadata stripped), in order.
    pub photos: Vec<TicketPhoto>,
}

/// What a caller sees when tracking a ticket: no names of staff, the reply once given.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTicketView {
    pub number: String,
    pub category_label: String,
    pub subject_name: String,
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub text: String,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Each state and when it was entered.
    pub progress: Vec<(String, DateTime<Utc>)>,
    /// The ticket it was merged into, whose state and reply the caller follows.
    pub merged_into: Option<String>,
    /// The photos the caller sent with this request.
    pub photos: Vec<TicketPhoto>,
}

/// A ticket's stored log followed by the events a command is about to append, numbered on.
fn logged<'a>(
    log: &'a TicketLog,
    events: &'a [TicketEvent],
    at: DateTime<Utc>,
    by: Option<&'a By>,
) -> impl Iterator<Item = (i64, &'a TicketEvent, DateTime<Utc>, Option<&'a By>)> {
    let next = log.events.last().map_or(1, |e| e.seq + 1);
    log.events
        .iter()
        .map(|e| (e.seq, &e.event, e.at, e.by.as_ref()))
        .chain(
            events
                .iter()
                .zip(next..)
                .map(move |(e, seq)| (seq, e, at, by)),
        )
}

fn by(actor: &Actor) -> By {
    By {
        user_id: actor.user_id,
        name: actor.name.clone(),
        department_id: actor.department_id,
    }
}

fn region(actor: Option<&Actor>, input: &str) -> Result<RegionCode> {
    let r = RegionCode::parse(input).map_err(|_| AppError::of(codes::Hotline::Region))?;
    if let Some(a) = actor {
        if !a.sees_region(&r) {
            return Err(AppError::of(codes::Hotline::Region));
        }
    }
    Ok(r)
}

fn stale(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(c) if c == tongban_store::hotline::MERGE_TARGET => {
            AppError::of(codes::Hotline::MergeTarget)
        }
        StoreError::Conflict(_) => AppError::of(codes::Hotline::Stale),
        other => other.into(),
    }
}

fn is_centre(actor: &Actor, ticket: &Ticket) -> bool {
    actor.role.is_hotline() && crate::supervision::in_region(actor, &ticket.region)
}

fn holds(actor: &Actor, ticket: &Ticket) -> bool {
    actor.role.is_departmental()
        && actor.department_id.is_some()
        && ticket.holder.as_ref().map(|u| u.department_id) == actor.department_id
}

/// Whether a unit (by its region) may handle a ticket of `region`: it sits on the ticket's
/// line of regions (the township itself, or the county or city above it).
fn on_the_line(unit_region: &RegionCode, ticket_region: &RegionCode) -> bool {
    unit_region.contains(ticket_region)
}

impl App {
    /// The 12345 centre takes a request (话务台). The operator is recorded as first responder
    /// (首问); the caller gets an SMS with the ticket number.
    pub async fn file_ticket(&self, actor: &Actor, input: TicketInput) -> Result<TicketView> {
        if !actor.role.is_hotline() {
            return Err(AppError::of(codes::Hotline::NotCentre));
        }
        let channel = match input.channel.as_deref() {
            None | Some("") => Channel::Phone,
            Some(c) => Channel::parse(c).ok_or_else(|| AppError::of(codes::Hotline::Channel))?,
        };
        let (id, t) = self.take_ticket(Some(actor), channel, input).await?;
        let _ = id;
        self.ticket(actor, t.number.as_str()).await
    }

    /// Anyone files a request on the web without an account: a phone number is required (the
    /// caller tracks with its last four digits). Returns the ticket number.
    pub async fn file_public_ticket(&self, mut input: TicketInput) -> Result<TicketNumber> {
        input.anonymous = false;
        input.efficiency_staff_id = None;
        let (_, t) = self.take_ticket(None, Channel::Web, input).await?;
        Ok(t.number)
    }

    pub(crate) async fn take_ticket(
        &self,
        actor: Option<&Actor>,
        channel: Channel,
        input: TicketInput,
    ) -> Result<(i64, Ticket)> {
        let category = Category::parse(input.category.trim())
            .ok_or_else(|| AppError::of(codes::Hotline::Category))?;
        let region = region(actor, &input.region)?;
        let subject = self
            .store
            .hotline_subject(input.subject.trim())
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::Subject))?;
        let caller = Caller::parse(
            input.caller_name.as_deref(),
            input.caller_phone.as_deref(),
            input.anonymous,
            input.confidential,
        )?;
        let text = hl::text(&input.text, 4000, codes::Hotline::Text)?;
        let photos = hl::photo::take_photos(&input.photos, &self.settings().hotline)?;
        let place = match input
            .place
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) if p.chars().count() > 200 => return Err(AppError::of(codes::Hotline::Place)),
            Some(p) => Some(p.to_string()),
            None => None,
        };
        let efficiency = match input.efficiency_department_id {
            None => None,
            Some(_) if category != Category::Complaint => {
                return Err(AppError::of(codes::Hotline::Efficiency))
            }
            Some(d) => {
                self.store
                    .department(d)
                    .await?
                    .ok_or_else(|| AppError::of(codes::Hotline::Efficiency))?;
                Some(EfficiencyTarget {
                    department_id: d,
                    staff_id: input.efficiency_staff_id,
                    case_number: input
                        .efficiency_case_number
                        .as_deref()
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(|c| c.chars().take(64).collect()),
                })
            }
        };
        let sla = self.settings().sla_for(region.as_str());
        let now = self.now();
        let first = TicketEvent::Received {
            // The store gives the number of the day inside its transaction.
            number: TicketNumber::new(tongban_domain::time::local_date(now), 0),
            category,
            channel,
            subject: subject.code.clone(),
            subject_name: subject.name.clone(),
            region: region.as_str().to_string(),
            caller,
            place,
            text,
            urgent: input.urgent,
            efficiency,
            limit: sla.limit(category),
            urgent_hours: sla.urgent_hours,
        };
        let who = actor.map(by);
        let draft = Ticket::start(&first, now, who.as_ref())
            .ok_or_else(|| AppError::internal("a receipt did not start a ticket"))?;
        let cal = self.calendar_for(region.as_str()).await?;
        let due_at = draft.due_at(&cal, now);
        let phone = draft.caller.phone.clone();
        let send_at = self.settings().quiet_hours.release(now);
        let outbound = move |n: &TicketNumber| {
            phone
                .iter()
                .map(|p| Outbound {
                    channel: tongban_store::outbox::SMS,
                    recipient: p.as_str().to_string(),
                    subject: "12345受理".into(),
                    body: format!(
                        "您的诉求已受理，工单号 {n}。可凭工单号和来电号码后四位查询办理进度。"
                    ),
                    send_at,
                })
                .collect()
        };
        let (oversight, people) = self
            .oversight(&draft, [(1, &first, now, who.as_ref())], &cal, now)
            .await?;
        let found = oversight.findings.clone();
        let alerts = |n: &TicketNumber| self.finding_alerts(n, &found, &people, now);
        let entry = match actor {
            Some(a) => self.entry(a, "ticket.receive", String::new(), first.summary()),
            None => self.system_entry(
                "ticket.receive",
                String::new(),
                format!("{}（无账号网上提交）", first.summary()),
            ),
        }
        .in_region_str(Some(&draft.region));
        let created = self
            .store
            .create_ticket_with_photos(
                &first,
                now,
                who.as_ref(),
                due_at,
                outbound,
                &oversight,
                alerts,
                entry,
                &photos,
            )
            .await?;
        self.crossings_written(&oversight.watches);
        Ok(created)
    }

    async fn ticket_log(&self, number: &str) -> Result<(TicketLog, Ticket)> {
        let number = TicketNumber::parse(number)?;
        let log = self
            .store
            .ticket_log(number.as_str())
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))?;
        let t = log.ticket()?;
        Ok((log, t))
    }

    /// Whether `actor` may read a ticket, and as whom.
    fn viewer(&self, actor: &Actor, t: &Ticket) -> Option<Viewer> {
        if is_centre(actor, t)
            || (matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin)
                && crate::supervision::in_region(actor, &t.region))
        {
            return Some(Viewer::Centre);
        }
        let dept = actor.department_id?;
        let involved = t
            .holder
            .iter()
            .chain(&t.co_units)
            .any(|u| u.department_id == dept)
            || t.replied_by
                .as_ref()
                .is_some_and(|u| u.department_id == dept);
        (actor.role.is_departmental() && involved).then_some(Viewer::Unit)
    }

    /// A ticket with its history, as `actor` may see it.
    pub async fn ticket(&self, actor: &Actor, number: &str) -> Result<TicketView> {
        let (log, t) = self.ticket_log(number).await?;
        let viewer = self
            .viewer(actor, &t)
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))?;
        let cal = self.calendar_for(&t.region).await?;
        let duplicates = self.duplicates_of(actor, &t).await?;
        let mut v = view(&log, &t, viewer, t.due_at(&cal, self.now()), duplicates);
        v.photos = self.store.ticket_photos(log.id).await?;
        Ok(v)
    }

    /// One photo of a ticket for staff who may read the ticket: (content type, bytes). Anyone
    /// else, or a photo that is not there, is `hotline.not_found`.
    pub async fn ticket_photo(
        &self,
        actor: &Actor,
        number: &str,
        seq: i64,
    ) -> Result<(String, Vec<u8>)> {
        let (log, t) = self.ticket_log(number).await?;
        self.viewer(actor, &t)
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))?;
        self.store
            .ticket_photo(log.id, seq)
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))
    }

    /// One photo of a ticket for its caller, by the number and the phone's last four digits
    /// (throttled with tracking): (content type, bytes).
    pub async fn tracked_photo(
        &self,
        number: &str,
        tail: &str,
        seq: i64,
        client: &str,
    ) -> Result<(String, Vec<u8>)> {
        self.track_ticket(number, tail, client).await?;
        let (log, _) = self.ticket_log(number).await?;
        self.store
            .ticket_photo(log.id, seq)
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))
    }

    /// Open tickets `t` is likely a duplicate of, for the centre while it holds `t`: the same
    /// caller's phone, or the same subject at the same place, within `hotline.duplicate_days`
    /// ([`hl::duplicate`]), in the actor's region.
    pub async fn duplicates_of(&self, actor: &Actor, t: &Ticket) -> Result<Vec<DuplicateLine>> {
        let days = self.settings().hotline.duplicate_days;
        let at_centre = matches!(t.status, TicketStatus::Received | TicketStatus::Returned);
        if days == 0 || !at_centre || !is_centre(actor, t) {
            return Ok(Vec::new());
        }
        let window = chrono::Duration::days(i64::from(days));
        let key = t.place.as_deref().and_then(hl::duplicate::place_key);
        let phone = t.caller.phone.as_ref().map(|p| p.as_str());
        let rows = self
            .store
            .duplicate_candidates(
                t.number.as_str(),
                phone,
                &t.subject,
                key.as_deref(),
                t.received_at - window,
                t.received_at + window,
                20,
            )
            .await?;
        let me = hl::duplicate::Probe {
            number: t.number.as_str(),
            status: t.status,
            received_at: t.received_at,
            caller_phone: phone,
            subject: &t.subject,
            place_key: key.as_deref(),
        };
        let mut out = Vec::new();
        for r in rows {
            if !crate::supervision::in_region(actor, &r.region) {
                continue;
            }
            let Some(received_at) = DateTime::from_timestamp_millis(r.received_at) else {
                continue;
            };
            let other = hl::duplicate::Probe {
                number: &r.number,
                status: r.status,
                received_at,
                caller_phone: r.caller_phone.as_deref(),
                subject: &r.subject,
                place_key: r.place_key.as_deref(),
            };
            if let Some(reason) = hl::duplicate::likely_duplicate(&me, &other, days) {
                out.push(DuplicateLine {
                    number: r.number.clone(),
                    reason,
                    reason_label: reason.label().into(),
                    subject_name: r.subject_name.clone(),
                    status_label: r.status.label().into(),
                    received_at,
                    summary: r.summary.chars().take(60).collect(),
                });
            }
        }
        Ok(out)
    }

    /// Applies one action to a ticket, after checking the actor may send it.
    pub async fn ticket_act(
        &self,
        actor: &Actor,
        number: &str,
        action: TicketAction,
    ) -> Result<TicketView> {
        let (log, t) = self.ticket_log(number).await?;
        let viewer = self
            .viewer(actor, &t)
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))?;
        let kind = action.kind();
        if kind.by_centre() {
            if !is_centre(actor, &t) {
                return Err(AppError::of(codes::Hotline::NotCentre));
            }
            if matches!(action, TicketAction::DecideExtension { .. })
                && actor.role != Role::HotlineCentre
            {
                return Err(AppError::of(codes::Hotline::NotCentre));
            }
        } else if !holds(actor, &t) {
            return Err(AppError::of(codes::Hotline::NotHolder));
        }
        let name = kind.as_str();
        let command = self.command(actor, &t, action).await?;
        let settings = self.settings();
        let cal = self.calendar_for(&t.region).await?;
        let now = self.now();
        let events = t.decide(command, &cal, &settings.hotline, now)?;
        let who = by(actor);
        let mut after = t.clone();
        for e in &events {
            after.apply(e, now, Some(&who));
        }
        let outbound = self.outbound(&after, &events, now).await?;
        let (oversight, _) = self
            .oversight(&after, logged(&log, &events, now, Some(&who)), &cal, now)
            .await?;
        let summary: Vec<String> = events.iter().map(TicketEvent::summary).collect();
        let entry = self
            .entry(
                actor,
                &format!("ticket.{name}"),
                format!("ticket:{}", t.number),
                summary.join("；"),
            )
            .in_region_str(Some(&t.region));
        self.store
            .append_ticket(
                log.id,
                t.version,
                &events,
                now,
                Some(&who),
                &after,
                after.due_at(&cal, now),
                &outbound,
                &oversight,
                entry,
            )
            .await
            .map_err(stale)?;
        self.crossings_written(&oversight.watches);
        // Shown as the actor saw it before acting: a unit that returned the ticket no longer
        // holds it, but sees what it did.
        let (log, t) = self.ticket_log(number).await?;
        let duplicates = self.duplicates_of(actor, &t).await?;
        let mut v = view(&log, &t, viewer, t.due_at(&cal, now), duplicates);
        v.photos = self.store.ticket_photos(log.id).await?;
        Ok(v)
    }

    /// Turns an action into the domain's command, resolving units and parsing values.
    async fn command(&self, actor: &Actor, t: &Ticket, action: TicketAction) -> Result<Command> {
        Ok(match action {
            TicketAction::Merge { into, reason } => {
                let into = TicketNumber::parse(&into)
                    .map_err(|_| AppError::of(codes::Hotline::MergeTarget))?;
                let target = match self.store.ticket_log(into.as_str()).await? {
                    Some(log) => log.ticket()?,
                    None => return Err(AppError::of(codes::Hotline::MergeTarget)),
                };
                if !target.status.is_open() || !is_centre(actor, &target) {
                    return Err(AppError::of(codes::Hotline::MergeTarget));
                }
                Command::Merge { into, reason }
            }
            TicketAction::Dispatch { lead, co, note } => {
                let (lead, co) = match lead {
                    Some(l) => {
                        let lead = self.unit(l, &t.region).await?;
                        let mut units = Vec::new();
                        for c in co {
                            units.push(self.unit(c, &t.region).await?);
                        }
                        (lead, units)
                    }
                    None => self.routed(&t.subject, &t.region).await?,
                };
                Command::Dispatch { lead, co, note }
            }
            TicketAction::AnswerOnSpot {
                answer,
                knowledge_id,
            } => {
                if let Some(k) = knowledge_id {
                    self.store
                        .hotline_answer(k)
                        .await?
                        .ok_or_else(|| AppError::not_found("知识库答案"))?;
                }
                Command::AnswerOnSpot {
                    answer,
                    knowledge_id,
                }
            }
            TicketAction::Transfer { to, reason } => Command::Transfer {
                to: self.unit(to, &t.region).await?,
                reason,
            },
            TicketAction::DecideExtension { approve, note } => {
                Command::DecideExtension { approve, note }
            }
            TicketAction::CallBack { result, note } => Command::CallBack {
                result: CallbackResult::parse(result.trim())
                    .ok_or_else(|| AppError::of(codes::Hotline::CallbackResult))?,
                note,
            },
            TicketAction::Sign => Command::Sign,
            TicketAction::Return { reason } => Command::Return { reason },
            TicketAction::AskExtension { days, reason } => Command::AskExtension { days, reason },
            TicketAction::Pause { reason } => Command::Pause { reason },
            TicketAction::Resume => Command::Resume,
            TicketAction::Reply { text } => Command::Reply { text },
        })
    }

    /// A department that may handle a ticket of `region`.
    async fn unit(&self, department_id: i64, ticket_region: &str) -> Result<UnitRef> {
        let d = self
            .store
            .department(department_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::Unit))?;
        let tr =
            RegionCode::parse(ticket_region).map_err(|_| AppError::of(codes::Hotline::Unit))?;
        if !on_the_line(&d.region_code, &tr) {
            return Err(AppError::of(codes::Hotline::Unit));
        }
        Ok(UnitRef {
            department_id: d.id,
            name: d.name,
        })
    }

    /// The routing table's units for a subject at a region: 主办 and 协办.
    async fn routed(&self, subject: &str, region: &str) -> Result<(UnitRef, Vec<UnitRef>)> {
        let rows = self.store.hotline_route(subject, region).await?;
        let unit = |r: &RouteRow| UnitRef {
            department_id: r.department_id,
            name: r.department_name.clone(),
        };
        let lead = rows
            .iter()
            .find(|r| r.lead == 1)
            .map(unit)
            .ok_or_else(|| AppError::of(codes::Hotline::Route))?;
        let co = rows.iter().filter(|r| r.lead == 0).map(unit).collect();
        Ok((lead, co))
    }

    /// The routing table's suggestion for the console (centre only).
    pub async fn ticket_route(
        &self,
        actor: &Actor,
        subject: &str,
        region_code: &str,
    ) -> Result<Vec<RouteRow>> {
        if !actor.role.is_hotline() {
            return Err(AppError::of(codes::Hotline::NotCentre));
        }
        let r = region(Some(actor), region_code)?;
        Ok(self.store.hotline_route(subject, r.as_str()).await?)
    }

    /// Messages the events cause: the caller is told of a reply, and so is every caller of a
    /// ticket merged into this one (its subscribers); a merged ticket's caller is told where
    /// the matter went.
    async fn outbound(
        &self,
        t: &Ticket,
        events: &[TicketEvent],
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>> {
        let send_at = self.settings().quiet_hours.release(now);
        let sms = |recipient: &str, subject: &str, body: String| Outbound {
            channel: tongban_store::outbox::SMS,
            recipient: recipient.to_string(),
            subject: subject.into(),
            body,
            send_at,
        };
        let own = t.caller.phone.as_ref().map(|p| p.as_str().to_string());
        let mut out = Vec::new();
        for e in events {
            match e {
                TicketEvent::Replied { .. } | TicketEvent::AnsweredOnSpot { .. } => {
                    if let Some(phone) = &own {
                        out.push(sms(
                            phone,
                            "12345答复",
                            format!(
                                "您的诉求（工单号 {}）已有答复，可凭工单号和来电号码后四位查看。",
                                t.number
                            ),
                        ));
                    }
                    for phone in self.store.merged_callers(t.number.as_str()).await? {
                        if own.as_deref() != Some(phone.as_str()) {
                            out.push(sms(
                                &phone,
                                "12345答复",
                                format!(
                                    "您反映的诉求已并入工单 {}，该工单已有答复，可凭您的工单号和来电号码后四位查看。",
                                    t.number
                                ),
                            ));
                        }
                    }
                }
                TicketEvent::Merged { into, .. } => {
                    if let Some(phone) = &own {
                        out.push(sms(
                            phone,
                            "12345合并办理",
                            format!(
                                "您的诉求（工单号 {}）与工单 {into} 反映的是同一事项，已合并办理，答复将同时告知您。可凭您的工单号和来电号码后四位查询进度。",
                                t.number
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Tickets for the actor's desk: the centre's region (optionally by status), a unit's own.
    pub async fn tickets_for(&self, actor: &Actor, status: Option<&str>) -> Result<Vec<TicketRow>> {
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                TicketStatus::parse(s).ok_or_else(|| AppError::of(codes::Hotline::StatusFilter))?,
            ),
            None => None,
        };
        let mut f = TicketFilter {
            status,
            limit: 200,
            ..Default::default()
        };
        if actor.role.is_hotline()
            || matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin)
        {
            f.region = Some(
                actor
                    .region
                    .as_ref()
                    .ok_or_else(AppError::forbidden)?
                    .prefix()
                    .to_string(),
            );
        } else if actor.role.is_departmental() {
            f.holder = Some(actor.department_id.ok_or_else(AppError::forbidden)?);
        } else {
            return Err(AppError::forbidden());
        }
        let mut rows = self.store.tickets(&f).await?;
        if f.holder.is_some() {
            // A unit never learns even the number's existence of a hidden caller.
            for r in &mut rows {
                r.caller_phone = None;
                r.caller_tail = None;
            }
        }
        Ok(rows)
    }

    /// The incoming-call pop-up: the caller's earlier tickets (centre only, region-scoped).
    pub async fn caller_history(&self, actor: &Actor, phone: &str) -> Result<Vec<TicketRow>> {
        if !actor.role.is_hotline() {
            return Err(AppError::of(codes::Hotline::NotCentre));
        }
        let phone = hl::CallerPhone::parse(phone)?;
        let prefix = actor
            .region
            .as_ref()
            .ok_or_else(AppError::forbidden)?
            .prefix()
            .to_string();
        Ok(self
            .store
            .tickets_of_caller(phone.as_str(), &prefix, 20)
            .await?)
    }

    /// Searches the knowledge base (centre only).
    pub async fn knowledge_search(&self, actor: &Actor, q: &str) -> Result<Vec<AnswerRow>> {
        if !actor.role.is_hotline() {
            return Err(AppError::of(codes::Hotline::NotCentre));
        }
        let region = actor.region.as_ref().ok_or_else(AppError::forbidden)?;
        Ok(self
            .store
            .search_hotline_answers(q, region.as_str(), 10)
            .await?)
    }

    /// A caller tracks a ticket with its number and the last four digits of the phone it was
    /// filed with. A wrong tail answers exactly like an unknown number.
    /// Misses count against the client address with case lookups (`/track`): past
    /// `login.ip_attempts_per_15min` in 15 minutes it must wait.
    pub async fn track_ticket(
        &self,
        number: &str,
        tail: &str,
        client: &str,
    ) -> Result<PublicTicketView> {
        let key = format!("track:{client}");
        let limit = self.settings().ip_attempts_per_15min;
        let now = self.now();
        if let Ok(mut map) = self.attempts.lock() {
            map.retain(|_, (start, _)| now - *start < chrono::Duration::minutes(15));
            if map.get(&key).is_some_and(|(_, n)| *n >= limit) {
                return Err(AppError::of(codes::Case::LookupThrottled));
            }
        }
        let found = self.find_tracked(number, tail).await;
        if found
            .as_ref()
            .is_err_and(|e| e.code == codes::Hotline::NotFound)
        {
            if let Ok(mut map) = self.attempts.lock() {
                map.entry(key).or_insert((now, 0)).1 += 1;
            }
        }
        found
    }

    async fn find_tracked(&self, number: &str, tail: &str) -> Result<PublicTicketView> {
        let tail = tail.trim();
        if tail.len() != 4 || !tail.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::of(codes::Hotline::Tail));
        }
        let (log, t) = self.ticket_log(number).await?;
        if t.caller.phone.as_ref().map(|p| p.tail()) != Some(tail) {
            return Err(AppError::of(codes::Hotline::NotFound));
        }
        let photos = self.store.ticket_photos(log.id).await?;
        let cal = self.calendar_for(&t.region).await?;
        // A merged ticket is followed on the one it joined: its state and its reply.
        if let Some(into) = &t.merged_into {
            if let Some(log) = self.store.ticket_log(into.as_str()).await? {
                let o = log.ticket()?;
                let mut progress: Vec<(String, DateTime<Utc>)> = t
                    .entered
                    .iter()
                    .filter(|(s, _)| *s != TicketStatus::Closed)
                    .map(|(s, at)| (s.label().to_string(), *at))
                    .collect();
                if let Some(at) = t.closed_at {
                    progress.push((format!("并入工单 {into}"), at));
                }
                progress.extend(
                    o.entered
                        .iter()
                        .filter(|(_, at)| t.closed_at.is_none_or(|c| *at > c))
                        .map(|(s, at)| (s.label().to_string(), *at)),
                );
                return Ok(PublicTicketView {
                    number: t.number.to_string(),
                    category_label: t.category.label().into(),
                    subject_name: t.subject_name.clone(),
                    status_label: format!("已并入工单 {into}（{}）", o.status.label()),
                    received_at: t.received_at,
                    due_at: o.due_at(&cal, self.now()),
                    text: t.text.clone(),
                    reply: o.reply.clone(),
                    replied_at: o.replied_at,
                    closed_at: o.closed_at,
                    progress,
                    merged_into: Some(into.to_string()),
                    photos,
                });
            }
        }
        Ok(PublicTicketView {
            number: t.number.to_string(),
            category_label: t.category.label().into(),
            subject_name: t.subject_name.clone(),
            status_label: t.status.label().into(),
            received_at: t.received_at,
            due_at: t.due_at(&cal, self.now()),
            text: t.text.clone(),
            reply: t.reply.clone(),
            replied_at: t.replied_at,
            closed_at: t.closed_at,
            progress: t
                .entered
                .iter()
                .map(|(s, at)| (s.label().to_string(), *at))
                .collect(),
            merged_into: None,
            photos,
        })
    }

    /// Closes replied tickets whose call-back window has passed (the sweeper calls this).
    pub async fn close_unvisited_tickets(&self) -> Result<usize> {
        let rules = self.settings().hotline;
        let now = self.now();
        // Anything replied more than the window's calendar days ago is a candidate; the
        // domain decides on the working-day calendar.
        let before = now - chrono::Duration::days(i64::from(rules.callback_days));
        let mut closed = 0;
        for row in self.store.tickets_awaiting_callback(before, 200).await? {
            let (log, t) = self.ticket_log(&row.number).await?;
            let cal = self.calendar_for(&t.region).await?;
            let Ok(events) = t.decide(Command::CloseUnvisited, &cal, &rules, now) else {
                continue;
            };
            let mut after = t.clone();
            for e in &events {
                after.apply(e, now, None);
            }
            let entry = self
                .system_entry(
                    "ticket.close_unvisited",
                    format!("ticket:{}", t.number),
                    "回访期满未回访，自动办结".into(),
                )
                .in_region_str(Some(&t.region));
            let (oversight, _) = self
                .oversight(&after, logged(&log, &events, now, None), &cal, now)
                .await?;
            match self
                .store
                .append_ticket(
                    log.id,
                    t.version,
                    &events,
                    now,
                    None,
                    &after,
                    None,
                    &[],
                    &oversight,
                    entry,
                )
                .await
            {
                Ok(()) => closed += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(closed)
    }

    /// What supervision keeps of `after`, the ticket whose whole log is `log`: its deadlines
    /// on the region's warning rules and what the detectors find in the log at `now`.
    async fn oversight<'a>(
        &self,
        after: &Ticket,
        log: impl IntoIterator<Item = (i64, &'a TicketEvent, DateTime<Utc>, Option<&'a By>)>,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<(TicketOversight, Vec<User>)> {
        let settings = self.settings();
        let warn = settings.warnings_for(&after.region);
        let findings = hl::detect::detect(log, cal, now);
        let people = if findings.is_empty() {
            Vec::new()
        } else {
            self.finding_recipients(&after.region).await?
        };
        let alerts = self.finding_alerts(&after.number, &findings, &people, now);
        Ok((
            TicketOversight {
                watches: after.watches(cal, now, &warn, &settings.hotline),
                findings,
                alerts,
            },
            people,
        ))
    }

    /// Who is told when a ticket gets a new finding: the supervisors and the 12345 centre
    /// staff (中心人员) whose region holds the ticket's, found in one read of the accounts.
    async fn finding_recipients(&self, region: &str) -> Result<Vec<User>> {
        let Ok(region) = RegionCode::parse(region) else {
            return Ok(Vec::new());
        };
        let users = self
            .store
            .users_with_roles(&[Role::Supervisor, Role::HotlineCentre])
            .await?;
        Ok(users
            .into_iter()
            .filter(|u| {
                u.region_code
                    .as_deref()
                    .and_then(|r| RegionCode::parse(r).ok())
                    .is_some_and(|r| r.contains(&region))
            })
            .collect())
    }

    /// One message per finding and recipient, through the outbox (after quiet hours); the
    /// store queues those of the findings that are new.
    fn finding_alerts(
        &self,
        number: &TicketNumber,
        findings: &[hl::detect::TicketFinding],
        people: &[User],
        now: DateTime<Utc>,
    ) -> Vec<(usize, Outbound)> {
        let mut out = Vec::new();
        for (i, f) in findings.iter().enumerate() {
            let body = format!(
                "【通办】12345工单 {number} 发现监察问题：{}。{}。请在监察中心核查。",
                f.rule.label(),
                f.detail.chars().take(60).collect::<String>()
            );
            for m in self.messages_to(people, "12345工单监察发现", &body, now) {
                let channel = if m.channel == tongban_store::outbox::SMS {
                    tongban_store::outbox::SMS
                } else {
                    tongban_store::outbox::EMAIL
                };
                out.push((
                    i,
                    Outbound {
                        channel,
                        recipient: m.recipient,
                        subject: m.subject,
                        body: m.body,
                        send_at: m.send_at,
                    },
                ));
            }
        }
        out
    }

    /// Re-times every open ticket on the calendar in force (after a calendar change): its due
    /// instant and its deadlines in the index move with the calendar, as a case's do. Returns
    /// how many were re-timed.
    pub(crate) async fn retime_tickets(&self) -> Result<usize> {
        let now = self.now();
        let (mut after, mut done) = (0i64, 0usize);
        loop {
            let batch = self.store.open_tickets_after(after, 500).await?;
            let Some((last, _)) = batch.last() else {
                return Ok(done);
            };
            after = *last;
            for (id, number) in batch {
                let (_, t) = self.ticket_log(&number).await?;
                let cal = self.calendar_for(&t.region).await?;
                let settings = self.settings();
                let watches = t.watches(
                    &cal,
                    now,
                    &settings.warnings_for(&t.region),
                    &settings.hotline,
                );
                match self
                    .store
                    .retime_ticket(id, &t, t.due_at(&cal, now), &watches)
                    .await
                {
                    Ok(true) => {
                        self.crossings_written(&watches);
                        done += 1;
                    }
                    Ok(false) => {}
                    // One ticket that cannot be re-timed never holds up the others; its next
                    // write re-times it.
                    Err(e) => tracing::warn!(ticket = %number, error = %e, "could not re-time"),
                }
            }
        }
    }

    /// Runs the detectors over a ticket whose handling deadline has just turned red, so
    /// 办理超时 is a finding when the deadline passes rather than at the late reply.
    pub(crate) async fn detect_on_ticket(&self, number: &str) -> Result<usize> {
        let (log, t) = self.ticket_log(number).await?;
        let cal = self.calendar_for(&t.region).await?;
        let now = self.now();
        let (o, _) = self
            .oversight(&t, logged(&log, &[], now, None), &cal, now)
            .await?;
        let rows = tongban_store::hotline::ticket_findings(log.id, &t, &o.findings);
        Ok(self
            .store
            .record_ticket_findings(t.number.as_str(), &rows, &o.alerts, now)
            .await?)
    }

    /// 三率 of a month (`YYYY-MM`, Beijing time) for every unit of the city, with the
    /// published formulas: public figures, as the monthly report shows them.
    pub async fn hotline_rates(&self, month: &str) -> Result<HotlineRates> {
        let (from, to) = month_bounds(month)?;
        let logs = self.store.ticket_logs_open_between("", from, to).await?;
        let sign_within = chrono::Duration::hours(i64::from(self.settings().hotline.sign_hours));
        let by_unit = hl::rates::fold(
            logs.iter()
                .map(|l| l.events.iter().map(|e| (&e.event, e.at, e.by.as_ref()))),
            from,
            to,
            sign_within,
        );
        let names: std::collections::HashMap<i64, String> = self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let mut total = hl::rates::UnitRates::default();
        let mut units = Vec::with_capacity(by_unit.len());
        for (id, r) in by_unit {
            total.add(&r);
            units.push(UnitRatesLine {
                department_id: id,
                name: match id {
                    hl::CENTRE => "12345热线中心".to_string(),
                    _ => names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("单位 {id}")),
                },
                response: r.response(),
                solution: r.solution(),
                satisfaction: r.satisfaction(),
                counts: r,
            });
        }
        Ok(HotlineRates {
            month: month.to_string(),
            sign_hours: self.settings().hotline.sign_hours,
            formulas: hl::rates::FORMULAS
                .iter()
                .map(|(n, f)| ((*n).to_string(), (*f).to_string()))
                .collect(),
            total: UnitRatesLine {
                department_id: -1,
                name: "全市".into(),
                response: total.response(),
                solution: total.solution(),
                satisfaction: total.satisfaction(),
                counts: total,
            },
            units,
        })
    }

    // ---- the subject tree, routes and knowledge base (centre staff and administrators) ----

    fn hotline_admin(actor: &Actor) -> Result<()> {
        if matches!(actor.role, Role::HotlineCentre | Role::Admin) {
            Ok(())
        } else {
            Err(AppError::of(codes::Hotline::NotCentre))
        }
    }

    pub async fn add_hotline_subject(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        Self::hotline_admin(actor)?;
        let code = code.trim();
        let ok = !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
        if !ok {
            return Err(AppError::of(codes::Hotline::Subject));
        }
        let name = hl::text(name, 50, codes::Hotline::Subject)?;
        if let Some(p) = parent {
            self.store
                .hotline_subject(p)
                .await?
                .ok_or_else(|| AppError::of(codes::Hotline::Subject))?;
        }
        let entry = self.entry(
            actor,
            "hotline.subject.add",
            String::new(),
            format!("新增诉求分类 {code} {name}"),
        );
        Ok(self
            .store
            .create_hotline_subject(code, &name, parent, entry)
            .await?)
    }

    pub async fn set_hotline_route(
        &self,
        actor: &Actor,
        subject: &str,
        region_code: &str,
        department_id: i64,
        lead: bool,
    ) -> Result<()> {
        Self::hotline_admin(actor)?;
        self.store
            .hotline_subject(subject)
            .await?
            .ok_or_else(|| AppError::of(codes::Hotline::Subject))?;
        let r = region((actor.role != Role::Admin).then_some(actor), region_code)?;
        let unit = self.unit(department_id, r.as_str()).await?;
        let entry = self.entry(
            actor,
            "hotline.route.set",
            String::new(),
            format!(
                "{subject} 在 {} 由 {}{}",
                r.as_str(),
                unit.name,
                if lead { "主办" } else { "协办" }
            ),
        );
        Ok(self
            .store
            .set_hotline_route(subject, r.prefix(), department_id, lead, entry)
            .await?)
    }

    pub async fn add_hotline_answer(
        &self,
        actor: &Actor,
        subject: Option<&str>,
        region_code: &str,
        question: &str,
        answer: &str,
    ) -> Result<i64> {
        Self::hotline_admin(actor)?;
        let r = region((actor.role != Role::Admin).then_some(actor), region_code)?;
        if let Some(s) = subject {
            self.store
                .hotline_subject(s)
                .await?
                .ok_or_else(|| AppError::of(codes::Hotline::Subject))?;
        }
        let question = hl::text(question, 500, codes::Hotline::Text)?;
        let answer = hl::text(answer, 4000, codes::Hotline::Answer)?;
        let entry = self.entry(
            actor,
            "hotline.answer.add",
            String::new(),
            format!("知识库新增：{question}"),
        );
        Ok(self
            .store
            .add_hotline_answer(
                subject,
                r.prefix(),
                &question,
                &answer,
                actor.user_id,
                self.now(),
                entry,
            )
            .await?)
    }

    pub async fn hotline_subjects(&self) -> Result<Vec<tongban_store::hotline::SubjectRow>> {
        Ok(self.store.hotline_subjects().await?)
    }
}

/// The instants a month (`YYYY-MM`, Beijing time) runs between: `[first day, next month)`.
pub fn month_bounds(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| month.len() == 7)
        .ok_or_else(|| AppError::new(codes::Request::Query, "月份格式应为 YYYY-MM"))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| AppError::new(codes::Request::Query, "月份超出范围"))?;
    Ok((
        tongban_domain::time::start_of_day(first),
        tongban_domain::time::start_of_day(next),
    ))
}

fn view(
    log: &TicketLog,
    t: &Ticket,
    viewer: Viewer,
    due_at: Option<DateTime<Utc>>,
    duplicates: Vec<DuplicateLine>,
) -> TicketView {
    let history = log
        .events
        .iter()
        .map(|e| HistoryLine {
            seq: e.seq,
            kind: e.event.kind().as_str().to_string(),
            at: e.at,
            by: e.by.as_ref().map(|b| tongban_domain::mask::name(&b.name)),
            summary: e.event.summary(),
        })
        .collect();
    TicketView {
        number: t.number.to_string(),
        category: t.category,
        category_label: t.category.label().into(),
        channel: t.channel,
        subject: t.subject.clone(),
        subject_name: t.subject_name.clone(),
        region: t.region.clone(),
        status: t.status,
        status_label: t.status.label().into(),
        caller_name: t.caller_name(viewer),
        caller_phone: t.caller_phone(viewer),
        place: t.place.clone(),
        text: t.text.clone(),
        urgent: t.urgent,
        efficiency_department_id: t.efficiency.as_ref().map(|e| e.department_id),
        holder: t.holder.clone(),
        co_units: t.co_units.clone(),
        received_at: t.received_at,
        due_at,
        paused: t.paused(),
        pending_extension_days: t.pending_extension.as_ref().map(|p| p.days.get()),
        reply: t.reply.clone(),
        replied_at: t.replied_at,
        callback: t.callback.map(|c| c.label().to_string()),
        returns: t.returns,
        reworks: t.reworks,
        closed_at: t.closed_at,
        close_reason: t.close_reason.map(|c| c.label().to_string()),
        first_responder: t
            .first_responder
            .as_ref()
            .map(|b| tongban_domain::mask::name(&b.name)),
        history,
        merged_into: t.merged_into.as_ref().map(|n| n.to_string()),
        duplicates,
        photos: Vec::new(),
    }
}
