//! 人大代表建议 and 政协提案 handling (建议提案办理): a proposal is registered with its session
//! and number, 交办-ed to one 主办 unit with 会办 or 分办 units, and each unit given it replies
//! by the deadline (3 months from 交办 by default, on the calendar) with a letter classed A, B
//! or C. The proposer says whether they are satisfied and whether the replies may be published.
//!
//! * A reply from a unit the proposal was not given to is refused (`opengov.not_assigned`).
//! * Each unit's reply deadline is its own watch on the deadline index until it replies.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period::{date_watch, months_end};
use super::{text, By, Unit};
use crate::calendar::Calendar;
use crate::codes::Opengov as C;
use crate::supervision::{WarningRules, Watch};
use crate::time::local_date;
use crate::DomainError;

crate::closed_set! {
    /// 人大代表建议 or 政协提案.
    pub enum ProposalKind {
        Suggestion = "suggestion" => "人大代表建议",
        Proposal = "proposal" => "政协提案",
    }
}

crate::closed_set! {
    /// A unit's part in handling a proposal.
    pub enum UnitRole {
        Lead = "lead" => "主办",
        Joint = "joint" => "会办",
        Split = "split" => "分办",
    }
}

crate::closed_set! {
    /// The class of a reply letter.
    pub enum ReplyClass {
        A = "a" => "A类（已解决或基本解决）",
        B = "b" => "B类（正在解决或列入计划）",
        C = "c" => "C类（留作参考）",
    }
}

crate::closed_set! {
    /// The proposer's view of the handling.
    pub enum Satisfaction {
        Satisfied = "satisfied" => "满意",
        Basic = "basic" => "基本满意",
        Dissatisfied = "dissatisfied" => "不满意",
    }
}

crate::closed_set! {
    /// Where a proposal stands.
    pub enum ProposalStatus {
        Registered = "registered" => "已登记，待交办",
        Handling = "handling" => "办理中",
        Replied = "replied" => "已答复，待征询意见",
        Closed = "closed" => "已办结",
    }
}

/// A unit given the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedUnit {
    pub department_id: i64,
    pub name: String,
    pub role: UnitRole,
}

/// The 交办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub at: DateTime<Utc>,
    pub units: Vec<AssignedUnit>,
    pub due: NaiveDate,
    pub note: Option<String>,
}

/// A unit's reply letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalReply {
    pub department_id: i64,
    pub unit: String,
    pub role: UnitRole,
    pub class: ReplyClass,
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// The proposer's feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub satisfaction: Satisfaction,
    pub remark: Option<String>,
    /// The proposer agrees that the replies be published.
    pub agree_publish: bool,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// What registration takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalInput {
    pub kind: ProposalKind,
    /// e.g. 清江市政协十二届三次会议.
    pub session: String,
    /// The number the session gave it, e.g. 20140036.
    pub number: String,
    pub title: String,
    pub proposer: String,
    /// The proposer's sign-in, when they have one: they then record their own satisfaction.
    #[serde(default)]
    pub proposer_login: Option<String>,
    pub body: String,
}

/// A registered proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub kind: ProposalKind,
    /// The office that registers, 交办-s and follows up (督查室).
    pub office: Unit,
    pub session: String,
    pub number: String,
    pub title: String,
    pub proposer: String,
    pub proposer_user_id: Option<i64>,
    pub body: String,
    pub registered_at: DateTime<Utc>,
    pub assignment: Option<Assignment>,
    pub replies: Vec<ProposalReply>,
    pub feedback: Option<Feedback>,
    pub published_at: Option<DateTime<Utc>>,
}

/// What happened to a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposalEvent {
    Registered { proposal: Box<Proposal> },
    Assigned { assignment: Assignment },
    Replied { reply: ProposalReply },
    Feedback { feedback: Feedback },
    Published { at: DateTime<Utc> },
}

impl ProposalEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ProposalEvent::Registered { .. } => "registered",
            ProposalEvent::Assigned { .. } => "assigned",
            ProposalEvent::Replied { .. } => "replied",
            ProposalEvent::Feedback { .. } => "feedback",
            ProposalEvent::Published { .. } => "published",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ProposalEvent::Registered { .. } => "登记",
            ProposalEvent::Assigned { .. } => "交办",
            ProposalEvent::Replied { .. } => "答复",
            ProposalEvent::Feedback { .. } => "征询意见",
            ProposalEvent::Published { .. } => "公开答复",
        }
    }
}

impl Proposal {
    pub fn register(
        office: Unit,
        input: &ProposalInput,
        proposer_user_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Proposal, DomainError> {
        let f = |s: &str, n| text(s, n).ok_or_else(|| C::ProposalField.err());
        Ok(Proposal {
            kind: input.kind,
            office,
            session: f(&input.session, 100)?,
            number: f(&input.number, 40)?,
            title: f(&input.title, 200)?,
            proposer: f(&input.proposer, 100)?,
            proposer_user_id,
            body: f(&input.body, 50_000)?,
            registered_at: now,
            assignment: None,
            replies: Vec::new(),
            feedback: None,
            published_at: None,
        })
    }

    pub fn status(&self) -> ProposalStatus {
        match (&self.assignment, &self.feedback) {
            (None, _) => ProposalStatus::Registered,
            (Some(_), Some(_)) => ProposalStatus::Closed,
            (Some(a), None) if self.all_replied(a) => ProposalStatus::Replied,
            (Some(_), None) => ProposalStatus::Handling,
        }
    }

    fn all_replied(&self, a: &Assignment) -> bool {
        a.units.iter().all(|u| {
            self.replies
                .iter()
                .any(|r| r.department_id == u.department_id)
        })
    }

    /// 交办 to `units` (one 主办, any 会办/分办), due `months` months later on the calendar.
    pub fn assign(
        &self,
        units: Vec<AssignedUnit>,
        note: Option<&str>,
        months: u32,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<ProposalEvent, DomainError> {
        if self.assignment.is_some() {
            return Err(C::Assigned.err());
        }
        if units.iter().filter(|u| u.role == UnitRole::Lead).count() != 1 {
            return Err(C::Lead.err());
        }
        let mut ids: Vec<i64> = units.iter().map(|u| u.department_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != units.len() {
            return Err(C::UnitTwice.err());
        }
        let mut units = units;
        units.sort_by_key(|u| (u.role != UnitRole::Lead, u.role != UnitRole::Joint));
        Ok(ProposalEvent::Assigned {
            assignment: Assignment {
                at: now,
                units,
                due: months_end(cal, local_date(now), months)?,
                note: note.and_then(|n| text(n, 2000)),
            },
        })
    }

    /// A unit's reply letter.
    pub fn reply(
        &self,
        department_id: i64,
        class: ReplyClass,
        body: &str,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<ProposalEvent, DomainError> {
        let Some(a) = &self.assignment else {
            return Err(C::NotAssigned.err());
        };
        let unit = a
            .units
            .iter()
            .find(|u| u.department_id == department_id)
            .ok_or_else(|| C::NotAssigned.err())?;
        if self
            .replies
            .iter()
            .any(|r| r.department_id == department_id)
        {
            return Err(C::Replied.err());
        }
        if self.feedback.is_some() {
            return Err(C::State.err());
        }
        let body = text(body, 20_000).ok_or_else(|| C::ReplyText.err())?;
        Ok(ProposalEvent::Replied {
            reply: ProposalReply {
                department_id,
                unit: unit.name.clone(),
                role: unit.role,
                class,
                text: body,
                at: now,
                by,
            },
        })
    }

    /// The proposer's satisfaction, once every unit has replied.
    pub fn feedback(
        &self,
        satisfaction: Satisfaction,
        remark: Option<&str>,
        agree_publish: bool,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<ProposalEvent, DomainError> {
        let Some(a) = &self.assignment else {
            return Err(C::State.err());
        };
        if self.feedback.is_some() {
            return Err(C::State.err());
        }
        if !self.all_replied(a) {
            return Err(C::RepliesMissing.err());
        }
        Ok(ProposalEvent::Feedback {
            feedback: Feedback {
                satisfaction,
                remark: remark.and_then(|r| text(r, 2000)),
                agree_publish,
                at: now,
                by,
            },
        })
    }

    /// Publishes the replies, where the proposer agreed.
    pub fn publish(&self, now: DateTime<Utc>) -> Result<ProposalEvent, DomainError> {
        if self.published_at.is_some() {
            return Err(C::State.err());
        }
        match &self.feedback {
            Some(f) if f.agree_publish => Ok(ProposalEvent::Published { at: now }),
            Some(_) => Err(C::PublishConsent.err()),
            None => Err(C::State.err()),
        }
    }

    pub fn apply(&mut self, e: &ProposalEvent) {
        match e {
            ProposalEvent::Registered { proposal } => *self = (**proposal).clone(),
            ProposalEvent::Assigned { assignment } => self.assignment = Some(assignment.clone()),
            ProposalEvent::Replied { reply } => self.replies.push(reply.clone()),
            ProposalEvent::Feedback { feedback } => self.feedback = Some(feedback.clone()),
            ProposalEvent::Published { at } => self.published_at = Some(*at),
        }
    }

    /// Whether the unit `department_id` was given the proposal.
    pub fn is_assigned_to(&self, department_id: i64) -> bool {
        self.assignment
            .as_ref()
            .is_some_and(|a| a.units.iter().any(|u| u.department_id == department_id))
    }

    /// Each unit given the proposal that has not replied by the end of the reply deadline, as
    /// of `now`: one lateness per unit.
    pub fn late(&self, now: DateTime<Utc>) -> Vec<super::Lateness> {
        let Some(a) = &self.assignment else {
            return Vec::new();
        };
        if local_date(now) <= a.due {
            return Vec::new();
        }
        a.units
            .iter()
            .filter(|u| {
                !self
                    .replies
                    .iter()
                    .any(|r| r.department_id == u.department_id)
            })
            .map(|u| super::Lateness {
                rule: crate::supervision::detect::Rule::ReplyLate,
                department_id: u.department_id,
                detail: format!(
                    "{}（{}第{}号）交由{}（{}）办理，应于{}前答复，逾期未答复",
                    self.title,
                    self.session,
                    self.number,
                    u.name,
                    u.role.label(),
                    a.due
                ),
                anchor: format!("reply:{}:{}", u.department_id, a.due),
            })
            .collect()
    }

    /// One reply deadline per unit that has not replied.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<Vec<Watch>, DomainError> {
        let Some(a) = &self.assignment else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for u in &a.units {
            if self
                .replies
                .iter()
                .any(|r| r.department_id == u.department_id)
            {
                continue;
            }
            out.push(date_watch(
                format!("reply:{}", u.department_id),
                format!("答复期限（{}，{}）", u.role.label(), u.name),
                u.department_id,
                a.due,
                cal,
                now,
                rules,
            )?);
        }
        Ok(out)
    }
}
