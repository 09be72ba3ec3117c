//! What supervision watches on a ticket: its open deadlines as the shared crossing index keeps
//! them ([`Watch`]), computed on THE shared calendar with the same warning rules as a case's.
//!
//! - `handling` (办理时限): from receipt (or the last 重办) until the reply. While the ticket is
//!   at a unit it is that unit's; while it sits at the centre (待派单, 退单待处理) it is the
//!   centre's, department 0, with the operator who took the call as its assignee. An urgent
//!   ticket counts its hours round the clock and turns yellow at the rules' share of them.
//! - `callback` (回访时限): from the reply until the call-back window ends, the centre's.

use chrono::{DateTime, Duration, Utc};

use super::model::TicketStatus;
use super::sla::HotlineRules;
use super::ticket::Ticket;
use crate::calendar::Calendar;
use crate::supervision::{crossings, light, Light, WarningRules, Watch};
use crate::time::local_date;

/// The department a deadline answers to while the ticket is at the 12345 centre, which is no
/// department of the org model (hall 0 is "no hall" the same way).
pub const CENTRE: i64 = 0;

impl Ticket {
    /// The ticket's open deadlines at `now`. A deadline that cannot be computed (its year's
    /// calendar is not loaded) is left out, as a case's is.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        warn: &WarningRules,
        rules: &HotlineRules,
    ) -> Vec<Watch> {
        let mut out = Vec::new();
        let at_centre = matches!(self.status, TicketStatus::Received | TicketStatus::Returned);
        let (department_id, assignee_id) = match (&self.holder, at_centre) {
            (Some(unit), false) => (unit.department_id, None),
            _ => (CENTRE, self.first_responder.as_ref().map(|b| b.user_id)),
        };
        let open = matches!(
            self.status,
            TicketStatus::Received
                | TicketStatus::Dispatched
                | TicketStatus::Handling
                | TicketStatus::Returned
        );
        if open {
            let handling = match &self.clock {
                Some(clock) => (|| {
                    let status = clock.status(cal, now).ok()?;
                    let x = crossings(clock, cal, now, warn).ok()?;
                    Some(Watch {
                        key: "handling".into(),
                        label: format!("诉求办理时限（{} 个工作日）", status.total_days),
                        department_id,
                        assignee_id,
                        yellow_at: Some(x.yellow_at),
                        red_at: x.red_at,
                        light: light(&status, now, warn),
                        suspended: status.suspended,
                    })
                })(),
                None => {
                    let hours = i64::from(self.urgent_hours);
                    let red_at = self.round_started_at + Duration::hours(hours);
                    let share = hours * 60 * i64::from(warn.yellow_percent.min(100)) / 100;
                    let w = Watch {
                        key: "handling".into(),
                        label: format!("紧急诉求办理时限（{hours} 小时）"),
                        department_id,
                        assignee_id,
                        yellow_at: Some(self.round_started_at + Duration::minutes(share)),
                        red_at,
                        light: Light::Green,
                        suspended: false,
                    };
                    Some(Watch {
                        light: w.light_at(now),
                        ..w
                    })
                }
            };
            out.extend(handling);
        }
        if let Some(due) = self.callback_due(cal, rules) {
            let red_at = due + Duration::milliseconds(1);
            let w = Watch {
                key: "callback".into(),
                label: format!("回访时限（答复后 {} 个工作日）", rules.callback_days),
                department_id: CENTRE,
                assignee_id: None,
                yellow_at: Some(warn.short_yellow_at(local_date(due))),
                red_at,
                light: Light::Green,
                suspended: false,
            };
            out.push(Watch {
                light: w.light_at(now),
                ..w
            });
        }
        out
    }
}
