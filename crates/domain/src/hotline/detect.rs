//! Supervision's detectors over a ticket's log, feeding THE findings table with the rules of
//! [`crate::supervision::detect::Rule`]:
//!
//! - 办理超时 ([`Rule::Overdue`]): a handling round replied to after its deadline, or still
//!   unreplied past it. Against the unit holding the ticket then (the centre, department
//!   [`CENTRE`], while it sat there). One per round (`overdue:{round}`).
//! - 反复退单 ([`Rule::RepeatedReturns`]): every return after the first, against the unit that
//!   returned it (`repeated_returns:{seq}`).
//! - 虚假办结 ([`Rule::FalseClosure`]): a call-back in which the caller says 不满意 to a reply
//!   (the matter was reported done and is not), against the unit and the person who replied
//!   (`false_closure:{seq}`).
//! - 效能投诉 ([`Rule::EfficiencyComplaint`]): a complaint naming a unit (and perhaps a member of
//!   its staff), against them (`efficiency`). Once a supervisor confirms it, it is evidence for
//!   a 效能告诫 like any other finding, and the 2→1 rule of
//!   [`crate::supervision::admonition`] applies unchanged.
//!
//! Each firing carries an anchor unique within the ticket; the store's fingerprint is
//! `{ticket_id}:{rule}:{anchor}`, so a firing seen again is kept once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{CallbackResult, Category, TicketStatus};
use super::ticket::{By, Ticket, TicketEvent};
use super::watch::CENTRE;
use crate::calendar::Calendar;
use crate::supervision::detect::Rule;

/// A rule that fired on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFinding {
    pub rule: Rule,
    /// Unique within the ticket.
    pub anchor: String,
    pub department_id: i64,
    pub person: Option<i64>,
    pub detail: String,
    /// Sequence numbers of the events that prove it.
    pub evidence: Vec<i64>,
}

/// Runs the detectors over a ticket's log, in order: `(seq, event, at, by)`.
pub fn detect<'a>(
    log: impl IntoIterator<Item = (i64, &'a TicketEvent, DateTime<Utc>, Option<&'a By>)>,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Vec<TicketFinding> {
    let mut out = Vec::new();
    let mut ticket: Option<Ticket> = None;
    let mut returns: Vec<i64> = Vec::new();
    let mut round_start_seq = 0;
    let mut last_reply: Option<(i64, Option<i64>)> = None;
    for (seq, event, at, by) in log {
        let Some(t) = ticket.as_mut() else {
            ticket = Ticket::start(event, at, by);
            round_start_seq = seq;
            if let (Some(t), TicketEvent::Received { efficiency, .. }) = (&ticket, event) {
                if let Some(target) = efficiency
                    .as_ref()
                    .filter(|_| t.category == Category::Complaint)
                {
                    out.push(TicketFinding {
                        rule: Rule::EfficiencyComplaint,
                        anchor: "efficiency".into(),
                        department_id: target.department_id,
                        person: target.staff_id,
                        detail: format!("12345效能投诉：{}", t.text),
                        evidence: vec![seq],
                    });
                }
            }
            continue;
        };
        match event {
            TicketEvent::Returned { .. } => {
                returns.push(seq);
                if returns.len() > 1 {
                    if let Some(unit) = &t.holder {
                        out.push(TicketFinding {
                            rule: Rule::RepeatedReturns,
                            anchor: format!("repeated_returns:{seq}"),
                            department_id: unit.department_id,
                            person: by.map(|b| b.user_id),
                            detail: format!("{}第{}次退单", unit.name, returns.len()),
                            evidence: returns.clone(),
                        });
                    }
                }
            }
            TicketEvent::Replied { .. } => {
                if let Some(f) = overdue(t, cal, at, seq, round_start_seq) {
                    out.push(f);
                }
                last_reply = Some((seq, by.map(|b| b.user_id)));
            }
            TicketEvent::CalledBack {
                result: CallbackResult::Unsatisfied,
                note,
            } => {
                if let (Some((reply_seq, person)), Some(unit)) = (last_reply, &t.replied_by) {
                    out.push(TicketFinding {
                        rule: Rule::FalseClosure,
                        anchor: format!("false_closure:{seq}"),
                        department_id: unit.department_id,
                        person,
                        detail: if note.trim().is_empty() {
                            format!("{}答复已办理，来电人回访不满意、称问题未解决", unit.name)
                        } else {
                            format!("{}答复已办理，来电人回访不满意：{}", unit.name, note.trim())
                        },
                        evidence: vec![reply_seq, seq],
                    });
                }
            }
            TicketEvent::Reopened => round_start_seq = seq,
            _ => {}
        }
        t.apply(event, at, by);
    }
    // A round still running past its deadline.
    if let Some(t) = &ticket {
        if t.status != TicketStatus::Replied && t.status.is_open() {
            out.extend(overdue(t, cal, now, round_start_seq, round_start_seq));
        }
    }
    out
}

/// 办理超时 of the running round when `at` (a reply, or now) is past its deadline.
fn overdue(
    t: &Ticket,
    cal: &Calendar,
    at: DateTime<Utc>,
    seq: i64,
    start: i64,
) -> Option<TicketFinding> {
    let due = t.due_at(cal, at)?;
    if at <= due {
        return None;
    }
    let (department_id, unit) = match &t.holder {
        Some(u) if !matches!(t.status, TicketStatus::Received | TicketStatus::Returned) => {
            (u.department_id, u.name.as_str())
        }
        _ => (CENTRE, "12345热线中心"),
    };
    let due = crate::time::format_local(due);
    Some(TicketFinding {
        rule: Rule::Overdue,
        anchor: format!("overdue:{}", t.reworks),
        department_id,
        person: None,
        detail: format!("12345工单办理时限{due}已过，{unit}未按时答复"),
        evidence: if seq == start {
            vec![start]
        } else {
            vec![start, seq]
        },
    })
}
