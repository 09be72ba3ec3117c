//! Publicity notices (公示) in the eight key areas of seed 002: a notice is published with a
//! period on the one calendar (working or natural days, as its area counts them) of at least
//! the area's local minimum; anyone may object (异议) while it runs, and each objection has a
//! reply deadline; when the period has ended and every objection is answered, the unit records
//! the outcome, and the notice stays in the permanent archive. A 结果公示 may name the 预公开
//! of the same matter it follows.
//!
//! * A period shorter than its area's minimum is refused (`opengov.publicity_short`).
//! * An objection after the last day is refused (`opengov.objection_closed`).
//! * The outcome before the period ends, or while an objection is unanswered, is refused
//!   (`opengov.publicity_running`, `opengov.objection_open`).
//! * Each unanswered objection's reply deadline, and the recording of the outcome, are
//!   watches on the deadline index.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period::{date_watch, natural_days_end, working_days_end};
use super::{text, By, Unit};
use crate::calendar::Calendar;
use crate::codes::Opengov as C;
use crate::supervision::{WarningRules, Watch};
use crate::time::{end_of_day, local_date};
use crate::DomainError;

crate::closed_set! {
    /// The eight key areas of seed 002 (重点领域).
    pub enum PublicityArea {
        Licensing = "licensing" => "行政许可事项",
        Procurement = "procurement" => "政府采购",
        Tendering = "tendering" => "建设工程招投标",
        Land = "land" => "经营性土地使用权出让",
        Funds = "funds" => "专项资金管理",
        Property = "property" => "产权交易",
        Hiring = "hiring" => "人员录用",
        Planning = "planning" => "城市规划和建设",
    }
}

crate::closed_set! {
    /// Before the transaction (预公开) or after it (结果公示).
    pub enum PublicityStage {
        Pre = "pre" => "预公开",
        Result = "result" => "结果公示",
    }
}

crate::closed_set! {
    /// How an area's period is counted.
    pub enum DayCount {
        Working = "working" => "工作日",
        Natural = "natural" => "自然日",
    }
}

impl PublicityArea {
    /// How the area's publicity period is counted: natural days where the law speaks of days
    /// (招标投标法实施条例 第五十四条 不得少于3日; 城乡规划法 第二十六条 不得少于三十日; land
    /// transfer notices), working days elsewhere.
    pub fn counting(self) -> DayCount {
        match self {
            PublicityArea::Tendering | PublicityArea::Land | PublicityArea::Planning => {
                DayCount::Natural
            }
            _ => DayCount::Working,
        }
    }
}

crate::closed_set! {
    /// Where a notice stands.
    pub enum PublicityStatus {
        Running = "running" => "公示中",
        Ended = "ended" => "公示期满，待公布结果",
        Closed = "closed" => "已办结归档",
    }
}

/// The local values a notice runs by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicityRules {
    /// The shortest period of each area, in its [`PublicityArea::counting`] days.
    pub min_days: Vec<(PublicityArea, u32)>,
    /// Working days to reply to an objection.
    pub objection_days: u32,
    /// Working days after the period to record the outcome.
    pub outcome_days: u32,
}

impl PublicityRules {
    pub fn min_of(&self, area: PublicityArea) -> u32 {
        self.min_days
            .iter()
            .find(|(a, _)| *a == area)
            .map(|(_, d)| *d)
            .unwrap_or(1)
    }
}

/// What a notice is published with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicityInput {
    pub area: PublicityArea,
    pub stage: PublicityStage,
    pub title: String,
    pub body: String,
    /// Days of the period, counted as the area counts them; the area's minimum when absent.
    #[serde(default)]
    pub days: Option<u32>,
    /// The 预公开 notice (its number) a 结果公示 follows.
    #[serde(default)]
    pub linked: Option<String>,
}

/// An objection (异议) and its reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub no: u32,
    /// `None` when the objector gave no name.
    pub name: Option<String>,
    pub user_id: Option<i64>,
    pub contact: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
    pub reply_due: NaiveDate,
    pub reply: Option<ObjectionReply>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionReply {
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// An objection as a form or API body gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionInput {
    pub text: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A phone number or an e-mail address the reply is sent to.
    #[serde(default)]
    pub contact: Option<String>,
}

/// The outcome recorded when the period has ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// A publicity notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publicity {
    pub unit: Unit,
    pub area: PublicityArea,
    pub stage: PublicityStage,
    pub title: String,
    pub body: String,
    pub linked: Option<String>,
    pub counting: DayCount,
    pub days: u32,
    pub published_at: DateTime<Utc>,
    /// The last day of the period.
    pub ends_on: NaiveDate,
    /// The day the outcome is due.
    pub outcome_due: NaiveDate,
    pub objections: Vec<Objection>,
    pub outcome: Option<Outcome>,
}

/// What happened to a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PublicityEvent {
    Published { publicity: Box<Publicity> },
    Objected { objection: Objection },
    Answered { no: u32, reply: ObjectionReply },
    Closed { outcome: Outcome },
}

impl PublicityEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            PublicityEvent::Published { .. } => "published",
            PublicityEvent::Objected { .. } => "objected",
            PublicityEvent::Answered { .. } => "answered",
            PublicityEvent::Closed { .. } => "closed",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PublicityEvent::Published { .. } => "发布公示",
            PublicityEvent::Objected { .. } => "收到异议",
            PublicityEvent::Answered { .. } => "答复异议",
            PublicityEvent::Closed { .. } => "公示期满，公布结果",
        }
    }
}

/// The longest period a notice may run, in days.
const MAX_DAYS: u32 = 90;

impl Publicity {
    /// Publishes a notice at `now`, its period checked against the area's minimum.
    pub fn publish(
        unit: Unit,
        input: &PublicityInput,
        rules: &PublicityRules,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Publicity, DomainError> {
        let title = text(&input.title, 200).ok_or_else(|| C::Title.err())?;
        let body = text(&input.body, 20_000).ok_or_else(|| C::PublicityBody.err())?;
        let min = rules.min_of(input.area);
        let counting = input.area.counting();
        let days = input.days.unwrap_or(min);
        if days < min {
            return Err(C::PublicityShort.with(format!(
                "{}的公示期不得少于{min}个{}（本次为{days}个）",
                input.area.label(),
                counting.label()
            )));
        }
        if days > MAX_DAYS {
            return Err(C::PublicityLong.err());
        }
        let start = local_date(now);
        let ends_on = match counting {
            DayCount::Natural => natural_days_end(cal, start, days)?,
            DayCount::Working => working_days_end(cal, start, days)?,
        };
        let outcome_due = working_days_end(cal, ends_on, rules.outcome_days)?;
        let linked = input
            .linked
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string);
        if linked.is_some() && input.stage != PublicityStage::Result {
            return Err(C::PublicityLink.err());
        }
        Ok(Publicity {
            unit,
            area: input.area,
            stage: input.stage,
            title,
            body,
            linked,
            counting,
            days,
            published_at: now,
            ends_on,
            outcome_due,
            objections: Vec::new(),
            outcome: None,
        })
    }

    /// Whether objections are taken at `now`: until the end of the last day.
    pub fn is_running(&self, now: DateTime<Utc>) -> bool {
        now <= end_of_day(self.ends_on)
    }

    pub fn status(&self, now: DateTime<Utc>) -> PublicityStatus {
        if self.outcome.is_some() {
            PublicityStatus::Closed
        } else if self.is_running(now) {
            PublicityStatus::Running
        } else {
            PublicityStatus::Ended
        }
    }

    /// An objection while the period runs; its reply is due a setting's working days later.
    pub fn object(
        &self,
        input: &ObjectionInput,
        user_id: Option<i64>,
        rules: &PublicityRules,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<PublicityEvent, DomainError> {
        if !self.is_running(now) {
            return Err(C::ObjectionClosed.with(format!(
                "公示期已于{}届满，不再接收异议",
                self.ends_on.format("%Y年%m月%d日")
            )));
        }
        let body = text(&input.text, 2000).ok_or_else(|| C::ObjectionText.err())?;
        Ok(PublicityEvent::Objected {
            objection: Objection {
                no: self.objections.len() as u32 + 1,
                name: input.name.as_deref().and_then(|n| text(n, 50)),
                user_id,
                contact: input.contact.as_deref().and_then(|c| text(c, 100)),
                text: body,
                at: now,
                reply_due: working_days_end(cal, local_date(now), rules.objection_days)?,
                reply: None,
            },
        })
    }

    /// The unit's reply to objection `no`.
    pub fn answer(
        &self,
        no: u32,
        reply: &str,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<PublicityEvent, DomainError> {
        let o = self
            .objections
            .iter()
            .find(|o| o.no == no)
            .ok_or_else(|| C::ObjectionNotFound.err())?;
        if o.reply.is_some() {
            return Err(C::ObjectionAnswered.err());
        }
        let text = text(reply, 5000).ok_or_else(|| C::ReplyText.err())?;
        Ok(PublicityEvent::Answered {
            no,
            reply: ObjectionReply { text, at: now, by },
        })
    }

    /// The outcome, once the period has ended and every objection is answered.
    pub fn close(
        &self,
        outcome: &str,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<PublicityEvent, DomainError> {
        if self.outcome.is_some() {
            return Err(C::State.err());
        }
        if self.is_running(now) {
            return Err(C::PublicityRunning.err());
        }
        if let Some(o) = self.objections.iter().find(|o| o.reply.is_none()) {
            return Err(C::ObjectionOpen.with(format!("第{}条异议尚未答复", o.no)));
        }
        let text = text(outcome, 5000).ok_or_else(|| C::PublicityBody.err())?;
        Ok(PublicityEvent::Closed {
            outcome: Outcome { text, at: now, by },
        })
    }

    pub fn apply(&mut self, e: &PublicityEvent) {
        match e {
            PublicityEvent::Published { publicity } => *self = (**publicity).clone(),
            PublicityEvent::Objected { objection } => self.objections.push(objection.clone()),
            PublicityEvent::Answered { no, reply } => {
                if let Some(o) = self.objections.iter_mut().find(|o| o.no == *no) {
                    o.reply = Some(reply.clone());
                }
            }
            PublicityEvent::Closed { outcome } => self.outcome = Some(outcome.clone()),
        }
    }

    /// Each objection not answered by the end of its reply day, as of `now`: one lateness
    /// per objection (公示异议逾期未答复), on the unit that published the notice.
    pub fn late(&self, now: DateTime<Utc>) -> Vec<super::Lateness> {
        let today = local_date(now);
        self.objections
            .iter()
            .filter(|o| o.reply.is_none() && today > o.reply_due)
            .map(|o| super::Lateness {
                rule: crate::supervision::detect::Rule::ObjectionLate,
                department_id: self.unit.department_id,
                detail: format!(
                    "公示《{}》第{}条异议应于{}前答复，逾期未答复",
                    self.title, o.no, o.reply_due
                ),
                anchor: format!("objection:{}:{}", o.no, o.reply_due),
            })
            .collect()
    }

    /// The unit's deadlines: each unanswered objection's reply, and the outcome.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<Vec<Watch>, DomainError> {
        if self.outcome.is_some() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for o in self.objections.iter().filter(|o| o.reply.is_none()) {
            out.push(date_watch(
                format!("objection:{}", o.no),
                format!("异议答复期限（第{}条）", o.no),
                self.unit.department_id,
                o.reply_due,
                cal,
                now,
                rules,
            )?);
        }
        out.push(date_watch(
            "outcome",
            "公示结果公布期限",
            self.unit.department_id,
            self.outcome_due,
            cal,
            now,
            rules,
        )?);
        Ok(out)
    }
}
