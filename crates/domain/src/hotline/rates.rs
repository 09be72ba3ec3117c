//! 三率: the hotline's published figures per handling unit, folded from the tickets' logs.
//!
//! Each rate counts acts that happened in the period (an instant in `[from, to)`), against the
//! unit that did them, by a formula published with the figures ([`FORMULAS`]):
//!
//! - 响应率 = 按时签收的派单 ÷ 派单. A dispatch (派单 or 转办) to a unit is on time when the
//!   unit signs for it within `sign_hours` hours; a dispatch still unsigned at the end of the
//!   period counts only once those hours have passed (it cannot yet be late otherwise).
//! - 解决率 = 问题解决后办结的工单 ÷ 办结的工单. A ticket closed after a call-back that was not
//!   不满意, or by the call-back window passing, is solved; one closed 不满意 with its 重办 used up
//!   is not. It counts for the unit whose reply closed it (the centre for a 咨询 answered on the
//!   line).
//! - 满意率 = (满意 + 基本满意) ÷ 回访. Every call-back counts, for the unit whose reply it judges.
//!
//! The centre is [`CENTRE`] (department 0).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::model::CallbackResult;
use super::ticket::{By, CloseReason, Ticket, TicketEvent};
use super::watch::CENTRE;

/// The published formulas, in the order the figures show them.
pub const FORMULAS: [(&str, &str); 3] = [
    ("响应率", "按时签收的派单数 ÷ 派单数（派单或转办后在规定小时数内签收为按时）"),
    (
        "解决率",
        "问题解决后办结的工单数 ÷ 办结的工单数（回访满意、基本满意或回访期满办结为解决；重办用尽仍不满意为未解决）",
    ),
    ("满意率", "（满意 + 基本满意）的回访数 ÷ 回访数"),
];

/// One unit's counts in a period. Rates are in per mille, `None` with nothing to count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UnitRates {
    pub dispatched: u32,
    pub signed_on_time: u32,
    pub closed: u32,
    pub solved: u32,
    pub called_back: u32,
    pub satisfied: u32,
}

fn per_mille(n: u32, of: u32) -> Option<u32> {
    (of > 0).then(|| ((u64::from(n) * 1000 + u64::from(of) / 2) / u64::from(of)) as u32)
}

impl UnitRates {
    pub fn response(&self) -> Option<u32> {
        per_mille(self.signed_on_time, self.dispatched)
    }
    pub fn solution(&self) -> Option<u32> {
        per_mille(self.solved, self.closed)
    }
    pub fn satisfaction(&self) -> Option<u32> {
        per_mille(self.satisfied, self.called_back)
    }

    pub fn add(&mut self, o: &UnitRates) {
        self.dispatched += o.dispatched;
        self.signed_on_time += o.signed_on_time;
        self.closed += o.closed;
        self.solved += o.solved;
        self.called_back += o.called_back;
        self.satisfied += o.satisfied;
    }
}

/// Folds tickets' logs (each in order: `(event, at, by)`) into each unit's counts for the period
/// `[from, to)`, a dispatch being on time when signed within `sign_within`.
pub fn fold<'a, L>(
    logs: impl IntoIterator<Item = L>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    sign_within: Duration,
) -> BTreeMap<i64, UnitRates>
where
    L: IntoIterator<Item = (&'a TicketEvent, DateTime<Utc>, Option<&'a By>)>,
{
    let mut out: BTreeMap<i64, UnitRates> = BTreeMap::new();
    for log in logs {
        fold_one(log, from, to, sign_within, &mut out);
    }
    out
}

/// Folds one ticket's log into each unit's counts for the period: what [`fold`] adds for this
/// ticket, so a figure's drill-down lists the tickets behind it by the same rules.
pub fn fold_one<'a, L>(
    log: L,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    sign_within: Duration,
    out: &mut BTreeMap<i64, UnitRates>,
) where
    L: IntoIterator<Item = (&'a TicketEvent, DateTime<Utc>, Option<&'a By>)>,
{
    let within = |at: DateTime<Utc>| from <= at && at < to;
    {
        let mut ticket: Option<Ticket> = None;
        // The dispatch waiting to be signed: (unit, when).
        let mut pending: Option<(i64, DateTime<Utc>)> = None;
        for (event, at, by) in log {
            let Some(t) = ticket.as_mut() else {
                ticket = Ticket::start(event, at, by);
                continue;
            };
            // The unit whose reply a call-back or a closing judges.
            let replier = t.replied_by.as_ref().map_or(CENTRE, |u| u.department_id);
            match event {
                TicketEvent::Dispatched { lead, .. } => {
                    pending = Some((lead.department_id, at));
                }
                TicketEvent::Transferred { to: unit, .. } => {
                    settle_unsigned(out, pending.take(), &within, at, sign_within);
                    pending = Some((unit.department_id, at));
                }
                TicketEvent::Signed => {
                    if let Some((unit, since)) = pending.take() {
                        if within(since) {
                            let r = out.entry(unit).or_default();
                            r.dispatched += 1;
                            r.signed_on_time += u32::from(at - since <= sign_within);
                        }
                    }
                }
                TicketEvent::Returned { .. } => {
                    settle_unsigned(out, pending.take(), &within, at, sign_within);
                }
                TicketEvent::CalledBack { result, .. } if within(at) => {
                    let r = out.entry(replier).or_default();
                    r.called_back += 1;
                    r.satisfied += u32::from(*result != CallbackResult::Unsatisfied);
                }
                // A merged ticket is carried on by the one it joined: that one is counted.
                TicketEvent::Closed {
                    reason: CloseReason::Merged,
                } => {}
                TicketEvent::Closed { reason } if within(at) => {
                    let unit = match reason {
                        CloseReason::AnsweredOnSpot => CENTRE,
                        _ => replier,
                    };
                    let r = out.entry(unit).or_default();
                    r.closed += 1;
                    r.solved += u32::from(*reason != CloseReason::ReworkExhausted);
                }
                _ => {}
            }
            t.apply(event, at, by);
        }
        // A dispatch never signed by the period's end is late once its hours have passed.
        if let Some((unit, since)) = pending {
            if within(since) && to - since > sign_within {
                out.entry(unit).or_default().dispatched += 1;
            }
        }
    }
}

/// A dispatch that ended unsigned (returned, or transferred on) counts as one not signed on
/// time, unless it ended before its hours were up.
fn settle_unsigned(
    out: &mut BTreeMap<i64, UnitRates>,
    pending: Option<(i64, DateTime<Utc>)>,
    within: &impl Fn(DateTime<Utc>) -> bool,
    at: DateTime<Utc>,
    sign_within: Duration,
) {
    if let Some((unit, since)) = pending {
        if within(since) && at - since > sign_within {
            out.entry(unit).or_default().dispatched += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hotline::{Caller, Category, Channel, SlaTable, TicketNumber, UnitRef};
    use chrono::{NaiveDate, TimeZone};

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        crate::time::shanghai()
            .with_ymd_and_hms(2026, 9, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn unit(id: i64) -> UnitRef {
        UnitRef {
            department_id: id,
            name: format!("单位{id}"),
        }
    }

    fn received(category: Category) -> TicketEvent {
        let sla = SlaTable::default();
        TicketEvent::Received {
            number: TicketNumber::new(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), 1),
            category,
            channel: Channel::Phone,
            subject: "env.noise".into(),
            subject_name: "噪声扰民".into(),
            region: "441900".into(),
            caller: Caller::parse(Some("张三"), Some("13812345678"), false, false).unwrap(),
            place: None,
            text: "夜间施工噪声".into(),
            urgent: false,
            efficiency: None,
            limit: sla.limit(category),
            urgent_hours: sla.urgent_hours,
        }
    }

    fn dispatched(id: i64) -> TicketEvent {
        TicketEvent::Dispatched {
            lead: unit(id),
            co: vec![],
            note: String::new(),
        }
    }

    fn called_back(result: CallbackResult) -> TicketEvent {
        TicketEvent::CalledBack {
            result,
            note: String::new(),
        }
    }

    fn closed(reason: CloseReason) -> TicketEvent {
        TicketEvent::Closed { reason }
    }

    fn replied() -> TicketEvent {
        TicketEvent::Replied {
            text: "已处理".into(),
        }
    }

    fn run(logs: &[Vec<(TicketEvent, DateTime<Utc>)>]) -> BTreeMap<i64, UnitRates> {
        fold(
            logs.iter()
                .map(|l| l.iter().map(|(e, at)| (e, *at, None::<&By>))),
            at(1, 0),
            at(30, 0),
            Duration::hours(24),
        )
    }

    #[test]
    fn each_rate_counts_its_own_acts_for_the_unit_that_did_them() {
        let logs = vec![
            // Unit 7 signs in 2 hours, replies; the caller is satisfied.
            vec![
                (received(Category::Complaint), at(2, 9)),
                (dispatched(7), at(2, 10)),
                (TicketEvent::Signed, at(2, 12)),
                (replied(), at(3, 10)),
                (called_back(CallbackResult::Satisfied), at(4, 10)),
                (closed(CloseReason::CalledBack), at(4, 10)),
            ],
            // Unit 7 signs two days late; 不满意 with its 重办 used up: closed unsolved.
            vec![
                (received(Category::Complaint), at(5, 9)),
                (dispatched(7), at(5, 10)),
                (TicketEvent::Signed, at(7, 11)),
                (replied(), at(8, 10)),
                (called_back(CallbackResult::Unsatisfied), at(9, 10)),
                (closed(CloseReason::ReworkExhausted), at(9, 10)),
            ],
            // Unit 8 returns it after two days unsigned; unit 9 signs at once, replies, and the
            // call-back window passes: solved, no call-back.
            vec![
                (received(Category::Help), at(10, 9)),
                (dispatched(8), at(10, 10)),
                (
                    TicketEvent::Returned {
                        reason: "非本单位职责".into(),
                    },
                    at(12, 10),
                ),
                (dispatched(9), at(12, 11)),
                (TicketEvent::Signed, at(12, 12)),
                (replied(), at(13, 10)),
                (closed(CloseReason::CallbackTimeout), at(17, 0)),
            ],
            // A 咨询 answered on the line: the centre's.
            vec![
                (received(Category::Consult), at(14, 9)),
                (
                    TicketEvent::AnsweredOnSpot {
                        answer: "请到街道办理".into(),
                        knowledge_id: None,
                    },
                    at(14, 9),
                ),
                (closed(CloseReason::AnsweredOnSpot), at(14, 9)),
            ],
            // Dispatched to unit 8 on the 29th, 23:00, unsigned at the period's end (within its
            // 24 hours): not counted yet.
            vec![
                (received(Category::Help), at(29, 22)),
                (dispatched(8), at(29, 23)),
            ],
        ];
        let r = run(&logs);
        let u7 = r[&7];
        assert_eq!((u7.dispatched, u7.signed_on_time), (2, 1));
        assert_eq!(u7.response(), Some(500));
        assert_eq!((u7.closed, u7.solved), (2, 1));
        assert_eq!((u7.called_back, u7.satisfied), (2, 1));
        assert_eq!(u7.satisfaction(), Some(500));
        let u8 = r[&8];
        assert_eq!(
            (u8.dispatched, u8.signed_on_time),
            (1, 0),
            "returned late, unsigned"
        );
        assert_eq!(u8.closed, 0);
        let u9 = r[&9];
        assert_eq!((u9.dispatched, u9.signed_on_time), (1, 1));
        assert_eq!((u9.closed, u9.solved, u9.called_back), (1, 1, 0));
        assert_eq!(u9.satisfaction(), None, "nothing to count");
        let centre = r[&CENTRE];
        assert_eq!((centre.closed, centre.solved), (1, 1));
    }

    #[test]
    fn acts_outside_the_period_do_not_count() {
        let logs = vec![vec![
            (received(Category::Complaint), at(29, 9)),
            (dispatched(7), at(29, 10)),
            (TicketEvent::Signed, at(29, 11)),
            (replied(), at(29, 20)),
            // 30 September is past the period's end.
            (called_back(CallbackResult::Satisfied), at(30, 10)),
            (closed(CloseReason::CalledBack), at(30, 10)),
        ]];
        let r = run(&logs);
        assert_eq!(r[&7].dispatched, 1);
        assert_eq!((r[&7].called_back, r[&7].closed), (0, 0));
    }
}
