//! What a case holds: the parties, where it stands, its clocks and its steps. The state is a
//! projection of the case's events ([`super::event::CaseEvent`]): [`Case::apply`] folds one
//! event in, and nothing else changes a case.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{StatutoryClock, SuspensionKind};
use crate::catalog::{Delivery, Fee, HandlingKind, StepKind};
use crate::region::RegionCode;

use super::{CaseNumber, ProcessRun, StepOutcome};

crate::closed_set! {
    /// How the application reached the system.
    pub enum Channel {
        /// Filed online by the applicant.
        Online = "online" => "网上申请",
        /// Taken at a hall window from a walk-in.
        Window = "window" => "窗口受理",
        /// Filed by an agent (代办员) on the applicant's behalf.
        Agent = "agent" => "代办员代办",
        /// Taken at a village or community 代办点 and forwarded to the competent hall (就地申报).
        Village = "village" => "村（社区）代办点申报",
    }
}

crate::closed_set! {
    /// Where a case stands.
    pub enum CaseStatus {
        /// Materials received, waiting for the check and the decision to accept.
        Received = "received" => "待受理",
        /// A supplement notice went out; waiting for the applicant.
        AwaitingSupplement = "awaiting_supplement" => "待补正",
        /// Accepted; steps are running.
        InProgress = "in_progress" => "办理中",
        /// Stopped by a special procedure or an unmet 容缺 deadline.
        Suspended = "suspended" => "已中止计时",
        /// Decided; the result waits to be handed over.
        Decided = "decided" => "已决定，待送达",
        /// Result delivered: the case is done.
        Closed = "closed" => "已办结",
        /// Refused at intake (不予受理).
        NotAccepted = "not_accepted" => "不予受理",
        /// Withdrawn by the applicant before a decision.
        Withdrawn = "withdrawn" => "已撤回",
    }
}

impl CaseStatus {
    /// Still open: neither closed, refused at intake nor withdrawn.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseStatus::Closed | CaseStatus::NotAccepted | CaseStatus::Withdrawn
        )
    }

    /// Before the decision: the applicant may still withdraw.
    pub fn before_decision(self) -> bool {
        matches!(
            self,
            CaseStatus::Received
                | CaseStatus::AwaitingSupplement
                | CaseStatus::InProgress
                | CaseStatus::Suspended
        )
    }
}

/// Who applies: a person (ID number) or an organisation (credit code), already parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub kind: PartyKind,
    pub name: String,
    /// The parsed ID number or credit code, in its canonical form.
    pub id_code: String,
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The applicant's own account, when they have one.
    #[serde(default)]
    pub user_id: Option<i64>,
}

crate::closed_set! {
    pub enum PartyKind {
        Person = "person" => "个人",
        Company = "company" => "法人",
    }
}

/// A member of staff as recorded on an event: their id and name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRef {
    pub user_id: i64,
    pub name: String,
}

/// An uploaded file: its content hash (the stored name), its original name and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub hash: String,
    pub name: String,
    pub size: u64,
}

/// What a case keeps of its item version; the version itself stays in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: i64,
    pub version: i64,
    pub code: String,
    pub basic_code: String,
    pub name: String,
    pub department_id: i64,
    pub region: RegionCode,
    pub handling: HandlingKind,
    pub committed_days: u32,
    pub statutory_days: u32,
    pub result_name: String,
}

/// One supplement notice (补正材料通知书): every missing or defective material with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementNotice {
    pub items: Vec<(String, String)>,
    pub at: DateTime<Utc>,
    pub by: StaffRef,
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub at: DateTime<Utc>,
    /// The instant the clock starts from: receipt of the complete materials, or receipt itself
    /// when accepted by operation of law.
    pub from: DateTime<Utc>,
    pub by: Option<StaffRef>,
    pub by_law: bool,
    pub document: String,
}

/// The track of one step of the process in this case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTrack {
    pub key: String,
    pub name: String,
    pub kind: StepKind,
    pub department_id: i64,
    pub post: String,
    pub lead: bool,
    pub limit_days: u32,
    pub assignee: Option<StaffRef>,
    pub opened_at: Option<DateTime<Utc>>,
    /// The step's own clock; `None` for an on-the-spot step (due the day it opens).
    pub clock: Option<StatutoryClock>,
    pub deemed_allowed: bool,
    pub outcome: Option<StepOutcome>,
    pub decided_by: Option<StaffRef>,
    pub decided_at: Option<DateTime<Utc>>,
    pub opinion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialRun {
    pub kind: SuspensionKind,
    pub reason: String,
    pub days: u32,
    pub expected_end: NaiveDate,
    pub at: DateTime<Utc>,
    pub by: StaffRef,
    /// How its days come off the clocks.
    #[serde(default)]
    pub counting: crate::calendar::SpanCounting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: String,
    pub by: StaffRef,
    pub at: DateTime<Utc>,
}

/// Fees: assessed from the item, paid at one window and recorded apart from the decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeState {
    pub assessed: Vec<Fee>,
    pub paid: Option<Payment>,
    pub waiver_requested: Option<String>,
    pub waived: Option<Waiver>,
}

impl FeeState {
    pub fn total_fen(&self) -> u64 {
        self.assessed.iter().map(|f| f.amount_fen).sum()
    }

    /// Nothing to pay, paid, or waived.
    pub fn settled(&self) -> bool {
        self.total_fen() == 0 || self.paid.is_some() || self.waived.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub reference: String,
    pub amount_fen: u64,
    pub at: DateTime<Utc>,
    pub by: StaffRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    pub approved_by: StaffRef,
    pub at: DateTime<Utc>,
}

crate::closed_set! {
    pub enum Outcome {
        /// 准予
        Approved = "approved" => "准予",
        /// 不予
        Refused = "refused" => "不予",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by: Option<StaffRef>,
    /// The result document's number.
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub method: Delivery,
    pub note: String,
    pub at: DateTime<Utc>,
    pub by: StaffRef,
}

/// A case, as its events leave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub number: CaseNumber,
    pub item: ItemRef,
    pub applicant: Party,
    pub channel: Channel,
    /// The agent (代办员) who filed, when one did.
    pub agent: Option<StaffRef>,
    /// The hall where it was received (None online).
    pub intake_hall_id: Option<i64>,
    /// The hall where the applicant collects the result (就近取件).
    pub pickup_hall_id: Option<i64>,
    pub delivery: Delivery,
    /// 首问责任人: the first member of staff who received it, until handed over.
    pub first_responder: Option<StaffRef>,
    pub status: CaseStatus,
    pub received_at: DateTime<Utc>,
    /// 5 working days from receipt to accept or send the supplement notice; a supplement
    /// suspends it.
    pub intake_clock: StatutoryClock,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub form: BTreeMap<String, String>,
    pub notices: Vec<SupplementNotice>,
    pub accepted: Option<Acceptance>,
    /// 容缺: materials accepted now to be supplied by `deferred_due`.
    pub deferred: Vec<String>,
    pub deferred_due: Option<NaiveDate>,
    pub deferred_overdue: bool,
    /// The committed limit (承诺时限) and the statutory one (法定时限), from acceptance.
    pub clock: Option<StatutoryClock>,
    pub statutory_clock: Option<StatutoryClock>,
    pub run: Option<ProcessRun>,
    pub steps: BTreeMap<String, StepTrack>,
    /// The order of the steps in the item's process.
    pub step_order: Vec<String>,
    pub special: Option<SpecialRun>,
    pub extension_request: Option<ExtensionRequest>,
    pub extensions_granted: u32,
    pub fees: FeeState,
    pub decision: Option<Decision>,
    pub delivered: Option<Delivered>,
    pub withdrawn_reason: Option<String>,
    pub refusal_reason: Option<String>,
    /// Numbers of the documents issued, in order.
    pub documents: Vec<String>,
}

impl Case {
    /// A negative answer was given: refused at intake (不予受理) or refused by decision (不予许可).
    /// These are the cases filed with supervision (否定报备) that the legal reviewer checks.
    pub fn is_negative(&self) -> bool {
        self.refusal_reason.is_some()
            || self
                .decision
                .as_ref()
                .is_some_and(|d| d.outcome == Outcome::Refused)
    }

    /// The steps open now, in process order.
    pub fn open_steps(&self) -> Vec<&StepTrack> {
        let Some(run) = &self.run else {
            return vec![];
        };
        run.open_steps()
            .into_iter()
            .filter_map(|k| self.steps.get(k))
            .collect()
    }

    pub fn step(&self, key: &str) -> Option<&StepTrack> {
        self.steps.get(key)
    }

    /// Everything the applicant has handed in, by material key.
    pub fn has_material(&self, key: &str) -> bool {
        self.materials.get(key).is_some_and(|f| !f.is_empty())
    }

    /// The lead department's head decides extensions, waivers and meetings.
    pub fn lead_department(&self) -> i64 {
        self.item.department_id
    }
}
