//! The events of a case. Each is appended to the case's log; [`Case::apply`] folds it into the
//! state that the query tables project. Applying is deterministic and needs nothing but the
//! event, so replaying a log rebuilds the case exactly.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingDays;
use crate::calendar::{
    Extension, LimitKind, SpanCounting, StatutoryClock, Suspension, SuspensionKind,
};
use crate::catalog::{Delivery, Fee, StepKind};

use super::model::*;
use super::{CaseNumber, ProcessRun, StepOutcome};

/// A step as it opens: who has it and when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedStep {
    pub key: String,
    pub assignee: Option<StaffRef>,
}

/// Everything that can happen to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// The receipt carries the whole application; it is written once per case, so its size is fine.
#[allow(clippy::large_enum_variant)]
pub enum CaseEvent {
    /// 收件: the application with its materials.
    Received {
        number: CaseNumber,
        item: ItemRef,
        applicant: Party,
        channel: Channel,
        agent: Option<StaffRef>,
        intake_hall_id: Option<i64>,
        pickup_hall_id: Option<i64>,
        delivery: Delivery,
        materials: BTreeMap<String, Vec<FileRef>>,
        form: BTreeMap<String, String>,
        /// The item's steps in order with the department and post each runs in, and the
        /// process as it will run.
        steps: Vec<StepTrack>,
        run: ProcessRun,
    },
    /// 首问责任人 recorded or handed over.
    FirstResponder {
        to: StaffRef,
    },
    /// 一次性告知: one notice listing everything missing or defective.
    SupplementNoticed {
        items: Vec<(String, String)>,
        document: String,
    },
    /// The applicant handed in materials (supplement, or 容缺 materials later).
    MaterialsAdded {
        materials: BTreeMap<String, Vec<FileRef>>,
    },
    /// 受理, by a clerk or by operation of law (行政许可法 第三十二条).
    Accepted {
        by_law: bool,
        from: DateTime<Utc>,
        deferred: Vec<String>,
        deferred_due: Option<NaiveDate>,
        fees: Vec<Fee>,
        document: String,
    },
    /// 不予受理, with its reason and decision document.
    NotAccepted {
        reason: String,
        document: String,
    },
    /// 否定报备: a refusal or negative decision filed with supervision with its reason.
    NegativeFiled {
        what: String,
        reason: String,
    },
    /// Steps opened, each with its assignee.
    StepsOpened {
        steps: Vec<OpenedStep>,
    },
    /// A step decided by its post, by a joint meeting, or by its timeout (超时默认).
    StepDecided {
        step: String,
        outcome: StepOutcome,
        opinion: String,
        /// For a deemed approval: the rule that applied.
        #[serde(default)]
        rule: Option<String>,
        #[serde(default)]
        meeting: bool,
    },
    /// Sent back to an earlier step (退回).
    StepReturned {
        from: String,
        to: String,
        reason: String,
    },
    /// Handed to another member of staff (转办, or 同岗替代 to the substitute).
    StepReassigned {
        step: String,
        to: StaffRef,
        reason: String,
    },
    /// A special procedure: the clocks stop, and the applicant is told how long.
    SpecialStarted {
        kind: SuspensionKind,
        reason: String,
        days: u32,
        expected_end: NaiveDate,
        document: String,
        /// How its days come off the clocks (setting `case.special_counting` when it started;
        /// records from before the setting counted both ends).
        #[serde(default)]
        counting: SpanCounting,
    },
    SpecialEnded {
        note: String,
    },
    ExtensionRequested {
        days: u32,
        reason: String,
    },
    ExtensionDecided {
        approved: bool,
        days: u32,
        reason: String,
        #[serde(default)]
        document: Option<String>,
    },
    /// A 容缺 deadline passed with materials still missing: the case is suspended and flagged.
    DeferredOverdue {
        missing: Vec<String>,
    },
    FeesAssessed {
        fees: Vec<Fee>,
    },
    FeePaid {
        reference: String,
        amount_fen: u64,
    },
    WaiverRequested {
        reason: String,
    },
    WaiverDecided {
        approved: bool,
        reason: String,
    },
    /// 准予 or 不予, with the result document.
    Decided {
        outcome: Outcome,
        reason: String,
        document: String,
    },
    Delivered {
        method: Delivery,
        note: String,
    },
    Withdrawn {
        reason: String,
    },
}

impl CaseEvent {
    /// The stable name stored beside the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEvent::Received { .. } => "received",
            CaseEvent::FirstResponder { .. } => "first_responder",
            CaseEvent::SupplementNoticed { .. } => "supplement_noticed",
            CaseEvent::MaterialsAdded { .. } => "materials_added",
            CaseEvent::Accepted { .. } => "accepted",
            CaseEvent::NotAccepted { .. } => "not_accepted",
            CaseEvent::NegativeFiled { .. } => "negative_filed",
            CaseEvent::StepsOpened { .. } => "steps_opened",
            CaseEvent::StepDecided { .. } => "step_decided",
            CaseEvent::StepReturned { .. } => "step_returned",
            CaseEvent::StepReassigned { .. } => "step_reassigned",
            CaseEvent::SpecialStarted { .. } => "special_started",
            CaseEvent::SpecialEnded { .. } => "special_ended",
            CaseEvent::ExtensionRequested { .. } => "extension_requested",
            CaseEvent::ExtensionDecided { .. } => "extension_decided",
            CaseEvent::DeferredOverdue { .. } => "deferred_overdue",
            CaseEvent::FeesAssessed { .. } => "fees_assessed",
            CaseEvent::FeePaid { .. } => "fee_paid",
            CaseEvent::WaiverRequested { .. } => "waiver_requested",
            CaseEvent::WaiverDecided { .. } => "waiver_decided",
            CaseEvent::Decided { .. } => "decided",
            CaseEvent::Delivered { .. } => "delivered",
            CaseEvent::Withdrawn { .. } => "withdrawn",
        }
    }

    /// What the timeline says, in plain Chinese.
    pub fn summary(&self) -> String {
        match self {
            CaseEvent::Received { channel, .. } => format!("收件（{}）", channel.label()),
            CaseEvent::FirstResponder { to } => format!("首问责任人：{}", to.name),
            CaseEvent::SupplementNoticed { items, .. } => {
                format!("一次性告知需补正材料 {} 项", items.len())
            }
            CaseEvent::MaterialsAdded { materials } => {
                format!("补交材料 {} 项", materials.len())
            }
            CaseEvent::Accepted { by_law: true, .. } => {
                "逾期未告知，依法自收到材料之日起视为受理".into()
            }
            CaseEvent::Accepted { deferred, .. } if !deferred.is_empty() => {
                format!("容缺受理，{} 项材料限期补交", deferred.len())
            }
            CaseEvent::Accepted { .. } => "受理".into(),
            CaseEvent::NotAccepted { reason, .. } => format!("不予受理：{reason}"),
            CaseEvent::NegativeFiled { what, .. } => format!("{what}已向电子监察报备"),
            CaseEvent::StepsOpened { steps } => format!(
                "进入环节：{}",
                steps
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            CaseEvent::StepDecided {
                step,
                outcome,
                meeting,
                ..
            } => match (outcome, meeting) {
                (StepOutcome::DeemedApprove, _) => format!("环节 {step} 超时默认通过"),
                (StepOutcome::Approve, true) => format!("环节 {step} 经会审通过"),
                (StepOutcome::Disagree, true) => format!("环节 {step} 经会审不同意"),
                (StepOutcome::Approve, false) => format!("环节 {step} 通过"),
                (StepOutcome::Disagree, false) => format!("环节 {step} 不同意"),
            },
            CaseEvent::StepReturned { from, to, reason } => {
                format!("环节 {from} 退回至 {to}：{reason}")
            }
            CaseEvent::StepReassigned { step, to, .. } => {
                format!("环节 {step} 转交 {}", to.name)
            }
            CaseEvent::SpecialStarted { kind, days, .. } => {
                format!(
                    "进入特殊程序（{}），预计 {days} 个工作日，期间不计时",
                    kind.label()
                )
            }
            CaseEvent::SpecialEnded { .. } => "特殊程序结束，恢复计时".into(),
            CaseEvent::ExtensionRequested { days, .. } => format!("申请延长 {days} 个工作日"),
            CaseEvent::ExtensionDecided {
                approved: true,
                days,
                ..
            } => format!("批准延长 {days} 个工作日"),
            CaseEvent::ExtensionDecided { .. } => "延期申请未获批准".into(),
            CaseEvent::DeferredOverdue { .. } => "容缺材料逾期未补交，中止办理".into(),
            CaseEvent::FeesAssessed { fees } => format!(
                "核定收费 {}",
                crate::catalog::yuan(fees.iter().map(|f| f.amount_fen).sum())
            ),
            CaseEvent::FeePaid { amount_fen, .. } => {
                format!("已缴费 {}", crate::catalog::yuan(*amount_fen))
            }
            CaseEvent::WaiverRequested { .. } => "申请减免收费".into(),
            CaseEvent::WaiverDecided { approved: true, .. } => "批准减免收费".into(),
            CaseEvent::WaiverDecided { .. } => "减免收费未获批准".into(),
            CaseEvent::Decided { outcome, .. } => format!("作出{}决定", outcome.label()),
            CaseEvent::Delivered { method, .. } => format!("办结，{}", method.label()),
            CaseEvent::Withdrawn { .. } => "申请人撤回申请".into(),
        }
    }
}

impl Case {
    /// Builds a case from its first event; `None` if the event is not a receipt.
    pub fn from_received(event: &CaseEvent, at: DateTime<Utc>) -> Option<Case> {
        let CaseEvent::Received {
            number,
            item,
            applicant,
            channel,
            agent,
            intake_hall_id,
            pickup_hall_id,
            delivery,
            materials,
            form,
            steps,
            run,
        } = event
        else {
            return None;
        };
        let notice_days = WorkingDays::new(super::intake::NOTICE_DAYS).ok()?;
        Some(Case {
            number: number.clone(),
            item: item.clone(),
            applicant: applicant.clone(),
            channel: *channel,
            agent: agent.clone(),
            intake_hall_id: *intake_hall_id,
            pickup_hall_id: *pickup_hall_id,
            delivery: *delivery,
            first_responder: None,
            status: CaseStatus::Received,
            received_at: at,
            intake_clock: StatutoryClock::new(at, notice_days, LimitKind::Statutory),
            materials: materials.clone(),
            form: form.clone(),
            notices: vec![],
            accepted: None,
            deferred: vec![],
            deferred_due: None,
            deferred_overdue: false,
            clock: None,
            statutory_clock: None,
            run: Some(run.clone()),
            step_order: steps.iter().map(|s| s.key.clone()).collect(),
            steps: steps.iter().map(|s| (s.key.clone(), s.clone())).collect(),
            special: None,
            extension_request: None,
            extensions_granted: 0,
            fees: FeeState::default(),
            decision: None,
            delivered: None,
            withdrawn_reason: None,
            refusal_reason: None,
            documents: vec![],
        })
    }

    /// Folds one event into the case. `by` is who caused it (None for the system), `at` when.
    pub fn apply(&mut self, event: &CaseEvent, by: Option<&StaffRef>, at: DateTime<Utc>) {
        match event {
            CaseEvent::Received { .. } => {}
            CaseEvent::FirstResponder { to } => self.first_responder = Some(to.clone()),
            CaseEvent::SupplementNoticed { items, document } => {
                self.notices.push(SupplementNotice {
                    items: items.clone(),
                    at,
                    by: by.cloned().unwrap_or_else(system),
                    document: document.clone(),
                });
                self.documents.push(document.clone());
                self.status = CaseStatus::AwaitingSupplement;
                self.intake_clock.suspensions.push(Suspension {
                    kind: SuspensionKind::Supplement,
                    counting: SpanCounting::BothEnds,
                    reason: "等待申请人补正材料".into(),
                    started_by: by.map(|b| b.name.clone()).unwrap_or_default(),
                    start: at,
                    end: None,
                    ended_by: None,
                });
            }
            CaseEvent::MaterialsAdded { materials } => {
                for (key, files) in materials {
                    self.materials
                        .entry(key.clone())
                        .or_default()
                        .extend(files.iter().cloned());
                }
                self.deferred.retain(|k| !self.materials.contains_key(k));
                if self.status == CaseStatus::AwaitingSupplement {
                    self.status = CaseStatus::Received;
                    end_suspensions(&mut self.intake_clock, by, at);
                }
                if self.deferred.is_empty() && self.deferred_overdue {
                    self.deferred_overdue = false;
                    self.resume(by, at);
                }
            }
            CaseEvent::Accepted {
                by_law,
                from,
                deferred,
                deferred_due,
                fees,
                document,
            } => {
                self.accepted = Some(Acceptance {
                    at,
                    from: *from,
                    by: by.cloned(),
                    by_law: *by_law,
                    document: document.clone(),
                });
                self.documents.push(document.clone());
                self.deferred = deferred.clone();
                self.deferred_due = *deferred_due;
                self.fees.assessed = fees.clone();
                self.status = CaseStatus::InProgress;
                end_suspensions(&mut self.intake_clock, by, at);
                let clock = |days: u32, kind| {
                    WorkingDays::new(days)
                        .ok()
                        .map(|d| StatutoryClock::new(*from, d, kind))
                };
                self.clock = clock(self.item.committed_days, LimitKind::Committed);
                self.statutory_clock = clock(self.item.statutory_days, LimitKind::Statutory);
                // The intake step is done by acceptance itself.
                if let Some(run) = &mut self.run {
                    for key in run
                        .open_steps()
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                    {
                        if self
                            .steps
                            .get(&key)
                            .is_some_and(|s| s.kind == StepKind::Intake)
                        {
                            let _ = run.record(&key, StepOutcome::Approve);
                            if let Some(step) = self.steps.get_mut(&key) {
                                step.opened_at = Some(self.received_at);
                                step.outcome = Some(StepOutcome::Approve);
                                step.decided_by = by.cloned();
                                step.decided_at = Some(at);
                                step.opinion = "受理".into();
                            }
                        }
                    }
                }
            }
            CaseEvent::NotAccepted { reason, document } => {
                self.status = CaseStatus::NotAccepted;
                self.refusal_reason = Some(reason.clone());
                self.documents.push(document.clone());
                end_suspensions(&mut self.intake_clock, by, at);
            }
            CaseEvent::NegativeFiled { .. } => {}
            CaseEvent::StepsOpened { steps } => {
                for opened in steps {
                    let suspended = self.special.is_some() || self.deferred_overdue;
                    let counting = self
                        .special
                        .as_ref()
                        .map_or(SpanCounting::BothEnds, |s| s.counting);
                    if let Some(step) = self.steps.get_mut(&opened.key) {
                        step.assignee = opened.assignee.clone();
                        step.opened_at = Some(at);
                        step.outcome = None;
                        step.decided_by = None;
                        step.decided_at = None;
                        step.opinion.clear();
                        step.clock = WorkingDays::new(step.limit_days)
                            .ok()
                            .map(|d| StatutoryClock::new(at, d, LimitKind::Committed));
                        if suspended {
                            if let Some(clock) = &mut step.clock {
                                clock.suspensions.push(open_suspension(
                                    SuspensionKind::Other,
                                    counting,
                                    "案件中止计时",
                                    by,
                                    at,
                                ));
                            }
                        }
                    }
                }
            }
            CaseEvent::StepDecided {
                step,
                outcome,
                opinion,
                ..
            } => {
                if let Some(run) = &mut self.run {
                    let _ = run.record(step, *outcome);
                }
                if let Some(track) = self.steps.get_mut(step) {
                    track.outcome = Some(*outcome);
                    track.decided_by = by.cloned();
                    track.decided_at = Some(at);
                    track.opinion = opinion.clone();
                }
            }
            CaseEvent::StepReturned { from, to, .. } => {
                if let Some(run) = &mut self.run {
                    let _ = run.return_to(from, to);
                }
            }
            CaseEvent::StepReassigned { step, to, .. } => {
                if let Some(track) = self.steps.get_mut(step) {
                    track.assignee = Some(to.clone());
                }
            }
            CaseEvent::SpecialStarted {
                kind,
                reason,
                days,
                expected_end,
                document,
                counting,
            } => {
                self.special = Some(SpecialRun {
                    kind: *kind,
                    reason: reason.clone(),
                    days: *days,
                    expected_end: *expected_end,
                    at,
                    by: by.cloned().unwrap_or_else(system),
                    counting: *counting,
                });
                self.documents.push(document.clone());
                self.suspend(*kind, *counting, reason, by, at);
            }
            CaseEvent::SpecialEnded { .. } => {
                self.special = None;
                self.resume(by, at);
            }
            CaseEvent::ExtensionRequested { days, reason } => {
                self.extension_request = Some(ExtensionRequest {
                    days: *days,
                    reason: reason.clone(),
                    by: by.cloned().unwrap_or_else(system),
                    at,
                });
            }
            CaseEvent::ExtensionDecided {
                approved,
                days,
                reason,
                document,
            } => {
                self.extension_request = None;
                if *approved {
                    self.extensions_granted += *days;
                    if let Ok(d) = WorkingDays::new(*days) {
                        let ext = Extension {
                            days: d,
                            approver: by.map(|b| b.name.clone()).unwrap_or_default(),
                            reason: reason.clone(),
                            at,
                        };
                        for clock in [&mut self.clock, &mut self.statutory_clock]
                            .into_iter()
                            .flatten()
                        {
                            clock.extensions.push(ext.clone());
                        }
                    }
                }
                if let Some(doc) = document {
                    self.documents.push(doc.clone());
                }
            }
            CaseEvent::DeferredOverdue { .. } => {
                self.deferred_overdue = true;
                self.suspend(
                    SuspensionKind::Supplement,
                    SpanCounting::BothEnds,
                    "容缺材料逾期未补交",
                    by,
                    at,
                );
            }
            CaseEvent::FeesAssessed { fees } => self.fees.assessed = fees.clone(),
            CaseEvent::FeePaid {
                reference,
                amount_fen,
            } => {
                self.fees.paid = Some(Payment {
                    reference: reference.clone(),
                    amount_fen: *amount_fen,
                    at,
                    by: by.cloned().unwrap_or_else(system),
                })
            }
            CaseEvent::WaiverRequested { reason } => {
                self.fees.waiver_requested = Some(reason.clone())
            }
            CaseEvent::WaiverDecided { approved, reason } => {
                let requested = self.fees.waiver_requested.take().unwrap_or_default();
                if *approved {
                    self.fees.waived = Some(Waiver {
                        reason: format!("{requested}；{reason}"),
                        approved_by: by.cloned().unwrap_or_else(system),
                        at,
                    });
                }
            }
            CaseEvent::Decided {
                outcome,
                reason,
                document,
            } => {
                self.decision = Some(Decision {
                    outcome: *outcome,
                    reason: reason.clone(),
                    at,
                    by: by.cloned(),
                    document: document.clone(),
                });
                self.documents.push(document.clone());
                self.status = CaseStatus::Decided;
            }
            CaseEvent::Delivered { method, note } => {
                self.delivered = Some(Delivered {
                    method: *method,
                    note: note.clone(),
                    at,
                    by: by.cloned().unwrap_or_else(system),
                });
                self.status = CaseStatus::Closed;
                if let Some(run) = &mut self.run {
                    for key in run
                        .open_steps()
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                    {
                        let _ = run.record(&key, StepOutcome::Approve);
                        if let Some(step) = self.steps.get_mut(&key) {
                            step.outcome = Some(StepOutcome::Approve);
                            step.decided_by = by.cloned();
                            step.decided_at = Some(at);
                            step.opinion = method.label().into();
                        }
                    }
                }
            }
            CaseEvent::Withdrawn { reason } => {
                self.status = CaseStatus::Withdrawn;
                self.withdrawn_reason = Some(reason.clone());
            }
        }
    }

    /// Stops the case clocks and every open step's clock.
    fn suspend(
        &mut self,
        kind: SuspensionKind,
        counting: SpanCounting,
        reason: &str,
        by: Option<&StaffRef>,
        at: DateTime<Utc>,
    ) {
        if self.status == CaseStatus::InProgress {
            self.status = CaseStatus::Suspended;
        }
        let open: Vec<String> = self.open_steps().iter().map(|s| s.key.clone()).collect();
        let mut clocks: Vec<&mut StatutoryClock> = [&mut self.clock, &mut self.statutory_clock]
            .into_iter()
            .flatten()
            .collect();
        for (key, step) in self.steps.iter_mut() {
            if open.contains(key) {
                if let Some(c) = &mut step.clock {
                    clocks.push(c);
                }
            }
        }
        for clock in clocks {
            if !clock.is_suspended(at) {
                clock
                    .suspensions
                    .push(open_suspension(kind, counting, reason, by, at));
            }
        }
    }

    /// Restarts the clocks unless something else still holds the case.
    fn resume(&mut self, by: Option<&StaffRef>, at: DateTime<Utc>) {
        if self.special.is_some() || self.deferred_overdue {
            return;
        }
        if self.status == CaseStatus::Suspended {
            self.status = CaseStatus::InProgress;
        }
        for clock in [&mut self.clock, &mut self.statutory_clock]
            .into_iter()
            .flatten()
        {
            end_suspensions(clock, by, at);
        }
        for step in self.steps.values_mut() {
            if let Some(clock) = &mut step.clock {
                end_suspensions(clock, by, at);
            }
        }
    }
}

fn system() -> StaffRef {
    StaffRef {
        user_id: 0,
        name: "系统".into(),
    }
}

fn open_suspension(
    kind: SuspensionKind,
    counting: SpanCounting,
    reason: &str,
    by: Option<&StaffRef>,
    at: DateTime<Utc>,
) -> Suspension {
    Suspension {
        kind,
        counting,
        reason: reason.into(),
        started_by: by.map(|b| b.name.clone()).unwrap_or_else(|| "系统".into()),
        start: at,
        end: None,
        ended_by: None,
    }
}

fn end_suspensions(clock: &mut StatutoryClock, by: Option<&StaffRef>, at: DateTime<Utc>) {
    for s in clock.suspensions.iter_mut().filter(|s| s.end.is_none()) {
        s.end = Some(at);
        s.ended_by = Some(by.map(|b| b.name.clone()).unwrap_or_else(|| "系统".into()));
    }
}
