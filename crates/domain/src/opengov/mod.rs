//! Open government (政务公开): drafts put to the public for comment (公开征求意见) with their
//! adoption report (采纳情况说明), and the handling of 人大代表建议 and 政协提案.
//!
//! Each matter is a state document changed by commands: a command is a function of the
//! matter, the input, the shared [`Calendar`](crate::calendar::Calendar) and `now` that returns
//! the event to log or a refusal with a stable code (`opengov.*`), and [`Consultation::apply`] /
//! [`Proposal::apply`] fold the event in. Every deadline is computed on the one calendar
//! ([`period`]) and handed to the one deadline index as [`Watch`](crate::supervision::Watch)es.

pub mod commitment;
pub mod consultation;
pub mod licensing;
pub mod meeting;
pub mod period;
pub mod proposal;
pub mod publicity;

use serde::{Deserialize, Serialize};

pub use commitment::*;
pub use consultation::*;
pub use licensing::*;
pub use meeting::*;
pub use proposal::*;
pub use publicity::*;

/// The unit (a department of the org model) that runs a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub department_id: i64,
    pub name: String,
    pub region: String,
}

/// Who did something: an account, or nobody signed in (an anonymous commenter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct By {
    pub user_id: Option<i64>,
    pub name: String,
}

/// A deadline of a matter that has passed unmet: the rule it breaks, the unit answerable, what
/// to say and the anchor that makes it one finding however often it is looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lateness {
    pub rule: crate::supervision::detect::Rule,
    pub department_id: i64,
    pub detail: String,
    pub anchor: String,
}

/// Trims `s` and checks it has between 1 and `max` characters.
pub(crate) fn text(s: &str, max: usize) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t.chars().count() <= max).then(|| t.to_string())
}

#[cfg(test)]
mod tests;
