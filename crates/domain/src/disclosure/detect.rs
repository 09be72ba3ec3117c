//! Supervision's detectors over a disclosure request's log, feeding THE findings table with
//! the rules of [`crate::supervision::detect::Rule`]. Pure: the application runs them on the
//! log with the new event and the store writes what fired in the same transaction as the
//! event.
//!
//! - 办理超时 ([`Rule::Overdue`]): a reply made after the reply due date, counted on the
//!   shared statutory clock the request page shows (the extension, 第三十五条's later date,
//!   consultations and the fee notice included), against the office and the person who replied
//!   (`late_reply`).
//! - 答复缺少法律依据 ([`Rule::NoLegalBasis`]): a reply whose type lacks the grounds its legal
//!   basis rests on (a withheld part without ground or reason, 无法提供 or 不予处理 without
//!   its reason, a pointer missing), as a reply from an import, an older version of the rules or
//!   a crafted record would be (`no_legal_basis`).
//! - 违反一次性告知 ([`Rule::SecondNotice`]): a second 补正 notice in the log
//!   (`second_notice:{seq}`).
//!
//! Each firing carries an anchor unique within the request; the store's fingerprint is
//! `{request_id}:{rule}:{anchor}`, so a firing seen again is kept once.

use serde::{Deserialize, Serialize};

use super::reply::{Reply, ReplyInput};
use super::request::{DisclosureEvent, Recorded, Request};
use crate::calendar::Calendar;
use crate::supervision::detect::Rule;

/// A rule that fired on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureFinding {
    pub rule: Rule,
    /// Unique within the request.
    pub anchor: String,
    pub department_id: i64,
    pub person: Option<i64>,
    pub detail: String,
    /// Sequence numbers (1-based positions in the log) of the events that prove it.
    pub evidence: Vec<i64>,
}

/// Whether a stored reply carries every ground its type needs: it parses again as it is.
pub fn has_legal_basis(reply: &Reply) -> bool {
    let again = Reply::parse(ReplyInput {
        kind: Some(reply.kind),
        withheld: reply.withheld.clone(),
        unavailable: reply.unavailable,
        not_processed: reply.not_processed,
        pointer: reply.pointer.clone(),
        text: reply.text.clone(),
    });
    again.is_ok() && !reply.legal_basis().is_empty()
}

/// Runs the detectors over a request's whole log, in order.
pub fn detect(log: &[Recorded], cal: &Calendar) -> Vec<DisclosureFinding> {
    let mut out = Vec::new();
    let Some(mut req) = Request::replay(&log[..log.len().min(1)]) else {
        return out;
    };
    let mut notices: Vec<i64> = Vec::new();
    for (i, rec) in log.iter().enumerate().skip(1) {
        let seq = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
        let department_id = req.filing.office.department_id;
        let person = rec.by.user_id;
        match &rec.event {
            DisclosureEvent::SupplementRequested { .. } => {
                notices.push(seq);
                if notices.len() > 1 {
                    out.push(DisclosureFinding {
                        rule: Rule::SecondNotice,
                        anchor: format!("second_notice:{seq}"),
                        department_id,
                        person,
                        detail: format!(
                            "第{}次发出补正通知，违反一次性告知（第三十条）",
                            notices.len()
                        ),
                        evidence: notices.clone(),
                    });
                }
            }
            DisclosureEvent::Replied { reply } => {
                if let Some(clock) = req.reply_clock() {
                    if let Ok(st) = clock.status(cal, rec.at) {
                        if st.overdue {
                            out.push(DisclosureFinding {
                                rule: Rule::Overdue,
                                anchor: "late_reply".into(),
                                department_id,
                                person,
                                detail: format!(
                                    "逾期答复：答复期限 {}，{} 才作出答复（超期 {} 个工作日）",
                                    st.due_date,
                                    crate::time::local_date(rec.at),
                                    st.overdue_by
                                ),
                                evidence: vec![seq],
                            });
                        }
                    }
                }
                if !has_legal_basis(reply) {
                    out.push(DisclosureFinding {
                        rule: Rule::NoLegalBasis,
                        anchor: "no_legal_basis".into(),
                        department_id,
                        person,
                        detail: format!(
                            "「{}」答复未写明所依据的理由和法律条款",
                            reply.kind.label()
                        ),
                        evidence: vec![seq],
                    });
                }
            }
            _ => {}
        }
        req.apply(rec);
    }
    out
}
