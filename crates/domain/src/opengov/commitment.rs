//! Public commitments (公开承诺) and the leaders' visiting schedule (领导接访).
//!
//! * A unit publishes its commitments: what it promises, the time limit (承诺时限) and the
//!   standard of service (服务标准); each has a status kept in public, every change with a
//!   note (`opengov.commitment_note` without one).
//! * A commitment may cover the unit's cases (办件按承诺时限办结) or its 12345 tickets (工单按时
//!   办结). Then it is broken automatically: when a case of the unit passes its 承诺办结期限
//!   undecided, or a ticket held by the unit passes its 办理时限 unanswered (the red light of that
//!   deadline in the one deadline index), the commitment becomes 未兑现 and its public log names
//!   the case or ticket, once each ([`breach_of`]).
//! * The visiting schedule is published per week: a leader, the day, the hours, the place and
//!   the topics; the hours must read `HH:MM-HH:MM` with the start before the end.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::text;
use crate::codes::Opengov as C;
use crate::DomainError;

crate::closed_set! {
    /// How a commitment is kept.
    pub enum CommitmentStatus {
        Keeping = "keeping" => "履行中",
        Kept = "kept" => "已兑现",
        Broken = "broken" => "未兑现",
    }
}

crate::closed_set! {
    /// What a commitment covers, and so what breaks it automatically.
    pub enum CommitmentScope {
        /// Kept by hand: only the unit's notes change its status.
        Manual = "manual" => "人工记录",
        /// Every case of the unit decided within its 承诺时限.
        Cases = "cases" => "办件按承诺时限办结",
        /// Every 12345 ticket held by the unit answered within its 办理时限.
        Tickets = "tickets" => "12345工单按时办结",
    }
}

/// A deadline of the one deadline index whose red light breaks the commitments of a scope: a
/// case's 承诺办结期限 (`committed`) and a ticket's 办理时限 (`handling`) while a unit holds it
/// (not the 12345 centre, department 0). Returns the scope and the public note naming it.
pub fn breach_of(
    kind: crate::supervision::SubjectKind,
    clock: &str,
    department_id: i64,
    number: &str,
) -> Option<(CommitmentScope, String)> {
    use crate::supervision::SubjectKind as K;
    match (kind, clock) {
        (K::Case, "committed") => Some((
            CommitmentScope::Cases,
            format!("办件 {number} 超过承诺办结期限未办结（系统自动记录）"),
        )),
        (K::Ticket, "handling") if department_id != crate::hotline::CENTRE => Some((
            CommitmentScope::Tickets,
            format!("12345工单 {number} 超过办理时限未答复（系统自动记录）"),
        )),
        _ => None,
    }
}

/// A commitment as a form or API body gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentInput {
    pub title: String,
    /// 承诺时限, e.g. 3个工作日内办结.
    pub time_limit: String,
    /// 服务标准.
    pub standard: String,
    /// What it covers; `manual` when not given.
    #[serde(default)]
    pub covers: Option<CommitmentScope>,
}

/// A checked commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentText {
    pub title: String,
    pub time_limit: String,
    pub standard: String,
    pub covers: CommitmentScope,
}

impl CommitmentInput {
    pub fn check(&self) -> Result<CommitmentText, DomainError> {
        match (
            text(&self.title, 200),
            text(&self.time_limit, 100),
            text(&self.standard, 2000),
        ) {
            (Some(title), Some(time_limit), Some(standard)) => Ok(CommitmentText {
                title,
                time_limit,
                standard,
                covers: self.covers.unwrap_or(CommitmentScope::Manual),
            }),
            _ => Err(C::CommitmentField.err()),
        }
    }
}

/// The note a status change is published with.
pub fn status_note(note: &str) -> Result<String, DomainError> {
    text(note, 2000).ok_or_else(|| C::CommitmentNote.err())
}

/// One visiting session as a form or API body gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitInput {
    pub leader: String,
    /// The leader's post (职务).
    pub post: String,
    /// YYYY-MM-DD.
    pub day: String,
    /// HH:MM-HH:MM.
    pub hours: String,
    pub place: String,
    /// The topics the session takes (接访内容).
    pub topics: String,
}

/// A checked visiting session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub leader: String,
    pub post: String,
    pub day: NaiveDate,
    pub hours: String,
    pub place: String,
    pub topics: String,
}

impl VisitInput {
    pub fn check(&self) -> Result<Visit, DomainError> {
        let day = NaiveDate::parse_from_str(self.day.trim(), "%Y-%m-%d")
            .map_err(|_| C::VisitField.with("接访日期应为 YYYY-MM-DD"))?;
        let hours = self.hours.trim();
        let (from, to) = hours
            .split_once('-')
            .and_then(|(a, b)| {
                Some((
                    NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?,
                    NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?,
                ))
            })
            .filter(|(a, b)| a < b)
            .ok_or_else(|| C::VisitField.with("接访时间应为 HH:MM-HH:MM，且开始早于结束"))?;
        match (
            text(&self.leader, 50),
            text(&self.post, 100),
            text(&self.place, 200),
            text(&self.topics, 1000),
        ) {
            (Some(leader), Some(post), Some(place), Some(topics)) => Ok(Visit {
                leader,
                post,
                day,
                hours: format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")),
                place,
                topics,
            }),
            _ => Err(C::VisitField.err()),
        }
    }
}

/// The Monday of the week `d` falls in.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}
