//! What supervision watches on a case: each open deadline (受理, 承诺, 法定 and each open step's),
//! with the instants its light turns yellow and red. The store keeps these as the crossing
//! index, so the sweeper reads only crossings that are due, never every open case.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::warning::{crossings, light, Light, WarningRules};
use crate::calendar::{Calendar, StatutoryClock};
use crate::case::Case;
use crate::time::{end_of_day, local_date};

/// One open deadline of a case, as the case page and the sweeper both see it.
#[derive(Debug, Clone, Copy)]
pub struct Deadline<'a> {
    /// Stable within a case: `intake`, `committed`, `statutory` or `step:{key}`.
    pub key: DeadlineKey<'a>,
    pub department_id: i64,
    pub assignee_id: Option<i64>,
    /// `None` for an on-the-spot step, which is due the day it opens.
    pub clock: Option<&'a StatutoryClock>,
    pub opened_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKey<'a> {
    Intake,
    Committed,
    Statutory,
    Step { key: &'a str, name: &'a str },
}

impl DeadlineKey<'_> {
    pub fn id(&self) -> String {
        match self {
            DeadlineKey::Intake => "intake".into(),
            DeadlineKey::Committed => "committed".into(),
            DeadlineKey::Statutory => "statutory".into(),
            DeadlineKey::Step { key, .. } => format!("step:{key}"),
        }
    }
}

impl Deadline<'_> {
    /// The deadline in words, with its length.
    pub fn label(&self) -> String {
        let days = self.clock.map_or(0, StatutoryClock::total_days);
        match self.key {
            DeadlineKey::Intake => "受理决定期限（收件后5个工作日）".into(),
            DeadlineKey::Committed => format!("承诺办结期限（{days} 个工作日）"),
            DeadlineKey::Statutory => format!("法定办结期限（{days} 个工作日）"),
            DeadlineKey::Step { name, .. } if self.clock.is_none() => {
                format!("环节“{name}”时限（当日办结）")
            }
            DeadlineKey::Step { name, .. } => format!("环节“{name}”时限（{days} 个工作日）"),
        }
    }
}

/// The deadlines running on a case now: the intake clock until acceptance, then the case's
/// committed and statutory clocks and each open step's, until the decision.
pub fn deadlines(c: &Case) -> Vec<Deadline<'_>> {
    let mut out = Vec::new();
    let dept = c.item.department_id;
    if !c.status.is_open() {
        return out;
    }
    if c.accepted.is_none() {
        out.push(Deadline {
            key: DeadlineKey::Intake,
            department_id: dept,
            assignee_id: c.first_responder.as_ref().map(|s| s.user_id),
            clock: Some(&c.intake_clock),
            opened_at: c.received_at,
        });
    }
    if c.decision.is_some() {
        return out;
    }
    for (key, clock) in [
        (DeadlineKey::Committed, &c.clock),
        (DeadlineKey::Statutory, &c.statutory_clock),
    ] {
        if let Some(k) = clock {
            out.push(Deadline {
                key,
                department_id: dept,
                assignee_id: None,
                clock: Some(k),
                opened_at: k.start,
            });
        }
    }
    for s in c.open_steps() {
        let Some(opened_at) = s.opened_at else {
            continue;
        };
        out.push(Deadline {
            key: DeadlineKey::Step {
                key: &s.key,
                name: &s.name,
            },
            department_id: s.department_id,
            assignee_id: s.assignee.as_ref().map(|a| a.user_id),
            clock: s.clock.as_ref(),
            opened_at,
        });
    }
    out
}

/// A deadline as the crossing index keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    pub key: String,
    pub label: String,
    pub department_id: i64,
    pub assignee_id: Option<i64>,
    /// When it turns yellow; `None` when it never does (an on-the-spot step).
    pub yellow_at: Option<DateTime<Utc>>,
    pub red_at: DateTime<Utc>,
    /// The light at the instant it was computed.
    pub light: Light,
    /// A suspended clock stands still: its crossings move out day by day, so none is due.
    pub suspended: bool,
}

impl Watch {
    /// The light at `now` by the stored crossings (valid while the clock is not suspended).
    pub fn light_at(&self, now: DateTime<Utc>) -> Light {
        if now >= self.red_at {
            Light::Red
        } else if self.yellow_at.is_some_and(|y| now >= y) {
            Light::Yellow
        } else {
            Light::Green
        }
    }

    /// The next crossing after `shown`, the light already noticed; `None` when red or
    /// suspended.
    pub fn next_after(&self, shown: Light) -> Option<DateTime<Utc>> {
        if self.suspended {
            return None;
        }
        match shown {
            Light::Green => Some(self.yellow_at.unwrap_or(self.red_at)),
            Light::Yellow => Some(self.red_at),
            Light::Red => None,
        }
    }
}

/// The watched deadlines of a case at `now`. A deadline that cannot be computed (its year's
/// calendar is not loaded) is left out: the case page shows it as 无法计算 instead.
pub fn watches(c: &Case, cal: &Calendar, now: DateTime<Utc>, rules: &WarningRules) -> Vec<Watch> {
    deadlines(c)
        .into_iter()
        .filter_map(|d| {
            let (yellow_at, red_at, shown, suspended) = match d.clock {
                Some(clock) => {
                    let status = clock.status(cal, now).ok()?;
                    let x = crossings(clock, cal, now, rules).ok()?;
                    (
                        Some(x.yellow_at),
                        x.red_at,
                        light(&status, now, rules),
                        status.suspended,
                    )
                }
                None => {
                    let red_at = end_of_day(local_date(d.opened_at)) + Duration::milliseconds(1);
                    let shown = if now >= red_at {
                        Light::Red
                    } else {
                        Light::Green
                    };
                    (None, red_at, shown, false)
                }
            };
            Some(Watch {
                key: d.key.id(),
                label: d.label(),
                department_id: d.department_id,
                assignee_id: d.assignee_id,
                yellow_at,
                red_at,
                light: shown,
                suspended,
            })
        })
        .collect()
}
