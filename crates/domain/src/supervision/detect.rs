//! Violation detectors (电子监察): named rules read over a case's event log. The engine refuses
//! most violations up front; the detectors watch the log itself, because records can also come
//! from elsewhere (an import, a crafted or back-dated entry, an older version of the rules), and
//! what supervision must prove is what the log says happened.
//!
//! Each detector replays the log, folding the events into the case state as it goes, so it
//! judges every event against the state the case was in when it was written.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, CaseEvent, CaseStatus, Channel, Outcome, StaffRef, StepOutcome};
use crate::catalog::Item;
use crate::org::HallKind;

crate::closed_set! {
    /// The rules, by their names in the seeds.
    #[derive(PartialOrd, Ord)]
    pub enum Rule {
        /// 违规受理
        ImproperAcceptance = "improper_acceptance" => "违规受理",
        /// 流程错误
        ProcessError = "process_error" => "流程错误",
        /// 办理超时
        Overdue = "overdue" => "办理超时",
        /// 多头审批
        MultiplePlaces = "multiple_places" => "多头审批",
        /// 体外循环
        OutsideSystem = "outside_system" => "体外循环",
        /// 两头受理: one matter taken in at a centre window and at a department's own desk (see
        /// [`double_intake`] and [`IntakePlace`] for what counts as which).
        DoubleIntake = "double_intake" => "两头受理",
        /// 一次性告知 broken
        SecondNotice = "second_notice" => "违反一次性告知",
        /// 乱收费
        IllegalFee = "illegal_fee" => "乱收费",
        /// 否定报备 missing
        NegativeNotFiled = "negative_not_filed" => "否定报备缺失",
        /// 反复退单: a 12345 ticket returned to the centre again ([`crate::hotline::detect`]).
        RepeatedReturns = "repeated_returns" => "反复退单",
        /// 虚假办结: a 12345 ticket replied to as done while the caller says it is not.
        FalseClosure = "false_closure" => "虚假办结",
        /// 效能投诉: a 12345 complaint about a unit's or a person's conduct.
        EfficiencyComplaint = "efficiency_complaint" => "效能投诉",
        /// 答复缺少法律依据: a disclosure reply whose type lacks the grounds its legal basis
        /// rests on ([`crate::disclosure::detect`]).
        NoLegalBasis = "no_legal_basis" => "答复缺少法律依据",
        /// A consultation's adoption report not published by its due day
        /// ([`crate::opengov::Consultation::late`]).
        ReportLate = "report_late" => "采纳情况逾期未公布",
        /// A unit given a proposal that has not replied by the reply deadline
        /// ([`crate::opengov::Proposal::late`]).
        ReplyLate = "reply_late" => "建议提案逾期未答复",
        /// Proactively disclosed information not published within 20 working days of being
        /// formed or changed (条例第二十六条, [`crate::disclosure::catalog`]).
        PublishLate = "publish_late" => "主动公开逾期",
        /// An objection to a publicity notice not answered by its reply day
        /// ([`crate::opengov::Publicity::late`]).
        ObjectionLate = "objection_late" => "公示异议逾期未答复",
        /// A meeting's minutes not published by their due day
        /// ([`crate::opengov::Meeting::late`]).
        MinutesLate = "minutes_late" => "会议纪要逾期未公布",
    }
}

/// One event of the log as stored: who wrote it, its business time and its entry time.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub seq: i64,
    pub event: CaseEvent,
    pub by: Option<StaffRef>,
    /// When it happened, as recorded.
    pub at: DateTime<Utc>,
    /// When it was written.
    pub recorded_at: DateTime<Utc>,
}

/// A rule that fired, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub detail: String,
    pub step: Option<String>,
    /// The member of staff the finding is about, when one is.
    pub person: Option<i64>,
    /// Sequence numbers of the events that prove it.
    pub evidence: Vec<i64>,
}

/// What the detectors read besides the log.
pub struct Scan<'a> {
    /// The case's item version.
    pub item: &'a Item,
    /// Whether that version was the one in force (published, not cancelled or superseded)
    /// when the case was accepted.
    pub version_in_force: bool,
    pub cal: &'a Calendar,
    pub now: DateTime<Utc>,
    /// An event recorded later than its business time by more than this is after the fact.
    pub backdate_limit: Duration,
}

/// Runs every per-case detector over a log. The log must start with the receipt.
pub fn scan(log: &[Logged], ctx: &Scan<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(first) = log.first() else {
        return out;
    };
    let Some(mut case) = Case::from_received(&first.event, first.at) else {
        return out;
    };
    let mut first_notice: Option<Vec<String>> = None;
    // The recording instant of the last 体外循环 finding, and where it is in `out`.
    let mut backdated: Option<(DateTime<Utc>, usize)> = None;
    let mut refusals: Vec<(i64, &'static str)> = Vec::new();
    for (i, l) in log.iter().enumerate() {
        let before = case.clone();
        if i > 0 {
            case.apply(&l.event, l.by.as_ref(), l.at);
        }
        let fire = |rule, detail: String, step: Option<String>| Finding {
            rule,
            detail,
            step,
            person: l.by.as_ref().map(|b| b.user_id),
            evidence: vec![l.seq],
        };
        // 体外循环: written long after it supposedly happened. One act is one finding: the
        // events one command wrote share their recording instant, so a later one joins the
        // first one's finding as evidence.
        if l.recorded_at - l.at > ctx.backdate_limit {
            match backdated {
                Some((at, i)) if at == l.recorded_at => out[i].evidence.push(l.seq),
                _ => {
                    backdated = Some((l.recorded_at, out.len()));
                    out.push(fire(
                        Rule::OutsideSystem,
                        format!(
                            "事后补录：业务时间 {}，录入时间 {}",
                            crate::time::format_local(l.at),
                            crate::time::format_local(l.recorded_at)
                        ),
                        None,
                    ));
                }
            }
        }
        match &l.event {
            CaseEvent::Accepted { deferred, .. } => {
                if !ctx.version_in_force {
                    out.push(fire(
                        Rule::ImproperAcceptance,
                        "按未发布、已取消或已被替代的事项版本受理".into(),
                        None,
                    ));
                }
                let missing: Vec<&str> = ctx
                    .item
                    .materials
                    .iter()
                    .filter(|m| m.required && !before.has_material(&m.key))
                    .filter(|m| !(m.deferrable && deferred.contains(&m.key)))
                    .map(|m| m.name.as_str())
                    .collect();
                if !missing.is_empty() {
                    out.push(fire(
                        Rule::ImproperAcceptance,
                        format!("必要材料缺失且不可容缺即予受理：{}", missing.join("、")),
                        None,
                    ));
                }
            }
            CaseEvent::NotAccepted { reason, .. } => {
                if reason.trim().is_empty() {
                    out.push(fire(
                        Rule::ImproperAcceptance,
                        "不予受理未说明理由".into(),
                        None,
                    ));
                }
                // The window trapped itself: its one notice left out a material the case
                // still lacks, which it may no longer ask for, so only refusal was left.
                if let Some(first) = &first_notice {
                    let left_out = crate::case::intake::left_out_of_notice(
                        ctx.item,
                        |k| before.has_material(k),
                        first,
                    );
                    if !left_out.is_empty() {
                        let names: Vec<&str> = left_out
                            .iter()
                            .map(|k| ctx.item.material(k).map_or(k.as_str(), |m| m.name.as_str()))
                            .collect();
                        out.push(fire(
                            Rule::SecondNotice,
                            format!(
                                "补正通知未一次告知全部缺少的材料（{}），申请被不予受理",
                                names.join("、")
                            ),
                            None,
                        ));
                    }
                }
                refusals.push((l.seq, "不予受理"));
            }
            CaseEvent::SupplementNoticed { items, .. } => {
                let keys: Vec<String> = items.iter().map(|(k, _)| k.clone()).collect();
                match &first_notice {
                    None => first_notice = Some(keys),
                    Some(first) => {
                        let new: Vec<&String> =
                            keys.iter().filter(|k| !first.contains(k)).collect();
                        if !new.is_empty() {
                            out.push(fire(
                                Rule::SecondNotice,
                                format!(
                                    "第二次补正通知要求了第一次未告知的材料：{}",
                                    new.iter()
                                        .map(|s| s.as_str())
                                        .collect::<Vec<_>>()
                                        .join("、")
                                ),
                                None,
                            ));
                        }
                    }
                }
            }
            CaseEvent::StepDecided { step, outcome, .. } => {
                let open = before
                    .run
                    .as_ref()
                    .and_then(|r| r.state(step))
                    .is_some_and(|s| s == crate::case::StepState::Open);
                let accepted = before.accepted.is_some();
                if !accepted || !open {
                    out.push(fire(
                        Rule::ProcessError,
                        format!("环节“{step}”未到办理顺序即被办理（越序或跳过环节）"),
                        Some(step.clone()),
                    ));
                } else if *outcome != StepOutcome::DeemedApprove {
                    let assignee = before.step(step).and_then(|s| s.assignee.clone());
                    let by = l.by.as_ref().map(|b| b.user_id);
                    if by.is_none() || assignee.as_ref().map(|a| a.user_id) != by {
                        out.push(fire(
                            Rule::ProcessError,
                            format!(
                                "环节“{step}”由非本岗位人员办理（应为{}）",
                                assignee.map_or("岗位人员".into(), |a| a.name)
                            ),
                            Some(step.clone()),
                        ));
                    }
                }
                if *outcome == StepOutcome::DeemedApprove {
                    out.push(fire(
                        Rule::Overdue,
                        format!("环节“{step}”超时未办，已按超时默认处理"),
                        Some(step.clone()),
                    ));
                }
            }
            CaseEvent::Decided { outcome, .. } => {
                let steps_done = before
                    .steps
                    .values()
                    .filter(|s| s.kind != crate::catalog::StepKind::Intake)
                    .any(|s| s.outcome.is_some());
                if before.accepted.is_none() {
                    out.push(fire(
                        Rule::OutsideSystem,
                        "未受理即作出决定（办件建立时已决定）".into(),
                        None,
                    ));
                } else if !steps_done && ctx.item.handling != crate::catalog::HandlingKind::Instant
                {
                    out.push(fire(
                        Rule::OutsideSystem,
                        "未经审查环节即出具结果".into(),
                        None,
                    ));
                }
                if *outcome == Outcome::Refused {
                    refusals.push((l.seq, "不予许可决定"));
                }
            }
            CaseEvent::FeesAssessed { fees } => {
                for f in fees {
                    let listed = ctx.item.fees.iter().find(|x| x.name == f.name);
                    match listed {
                        None => out.push(fire(
                            Rule::IllegalFee,
                            format!("收取事项未公布的费用：{}", f.name),
                            None,
                        )),
                        Some(x) if f.amount_fen > x.amount_fen => out.push(fire(
                            Rule::IllegalFee,
                            format!(
                                "“{}”收费{}高于标准{}",
                                f.name,
                                crate::catalog::yuan(f.amount_fen),
                                crate::catalog::yuan(x.amount_fen)
                            ),
                            None,
                        )),
                        Some(_) => {}
                    }
                }
            }
            CaseEvent::FeePaid { amount_fen, .. } => {
                let due = before.fees.total_fen();
                let listed = ctx.item.total_fee_fen();
                if *amount_fen > due.max(listed) || listed == 0 {
                    out.push(fire(
                        Rule::IllegalFee,
                        format!(
                            "实收{}，应收{}",
                            crate::catalog::yuan(*amount_fen),
                            crate::catalog::yuan(due)
                        ),
                        None,
                    ));
                }
            }
            CaseEvent::Delivered { .. } => {
                let approved = before
                    .decision
                    .as_ref()
                    .is_some_and(|d| d.outcome == Outcome::Approved);
                if approved && !before.fees.settled() {
                    out.push(fire(Rule::IllegalFee, "未缴费即发放结果".into(), None));
                }
            }
            _ => {}
        }
    }
    // 否定报备: every refusal must be filed with supervision after it.
    for (seq, what) in refusals {
        let filed = log
            .iter()
            .any(|l| l.seq > seq && matches!(l.event, CaseEvent::NegativeFiled { .. }));
        if !filed {
            out.push(Finding {
                rule: Rule::NegativeNotFiled,
                detail: format!("{what}未向电子监察报备"),
                step: None,
                person: log
                    .iter()
                    .find(|l| l.seq == seq)
                    .and_then(|l| l.by.as_ref().map(|b| b.user_id)),
                evidence: vec![seq],
            });
        }
    }
    // 办理超时: the case or an open step past its time now.
    if case.status.is_open() && case.decision.is_none() {
        if let Some(status) = case
            .clock
            .as_ref()
            .and_then(|c| c.status(ctx.cal, ctx.now).ok())
        {
            if status.overdue {
                out.push(Finding {
                    rule: Rule::Overdue,
                    detail: format!("办件超过承诺时限 {} 个工作日", status.overdue_by.max(1)),
                    step: None,
                    person: None,
                    evidence: log.last().map(|l| vec![l.seq]).unwrap_or_default(),
                });
            }
        }
        for s in case.open_steps() {
            let overdue = s
                .clock
                .as_ref()
                .and_then(|c| c.status(ctx.cal, ctx.now).ok())
                .is_some_and(|st| st.overdue);
            if overdue && case.status == CaseStatus::InProgress {
                out.push(Finding {
                    rule: Rule::Overdue,
                    detail: format!("环节“{}”超过环节时限", s.name),
                    step: Some(s.key.clone()),
                    person: s.assignee.as_ref().map(|a| a.user_id),
                    evidence: log.last().map(|l| vec![l.seq]).unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// An open case as the 多头审批 detector sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMatter {
    pub number: String,
    pub applicant_id_code: String,
    pub basic_code: String,
    pub department_id: i64,
    pub hall_id: Option<i64>,
}

/// 多头审批: the same applicant and the same matter (basic code) open in more than one
/// department or hall at once. Returns the groups that fire, each with its case numbers.
pub fn multiple_places(open: &[OpenMatter]) -> Vec<Finding> {
    let mut keys: BTreeSet<(&str, &str)> = BTreeSet::new();
    for m in open {
        keys.insert((m.applicant_id_code.as_str(), m.basic_code.as_str()));
    }
    let mut out = Vec::new();
    for (who, code) in keys {
        let same: Vec<&OpenMatter> = open
            .iter()
            .filter(|m| m.applicant_id_code == who && m.basic_code == code)
            .collect();
        let places: BTreeSet<(i64, Option<i64>)> =
            same.iter().map(|m| (m.department_id, m.hall_id)).collect();
        if places.len() > 1 {
            out.push(Finding {
                rule: Rule::MultiplePlaces,
                detail: format!(
                    "同一申请人同一事项（{code}）在多处同时办理：{}",
                    same.iter()
                        .map(|m| m.number.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                step: None,
                person: None,
                evidence: vec![],
            });
        }
    }
    out
}

/// Where a case was taken in, as the 两头受理 detector sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntakePlace {
    /// At a window of the service centre network: a hall of kind centre or sub-hall, whoever
    /// filed there (a window clerk, or the centre's agent).
    Centre,
    /// At a department's own desk: a window intake (a department's clerk or head filing a
    /// walk-in) by someone stationed at no hall, i.e. in the department's own office.
    Desk,
    /// Anywhere else: online, a village 代办点 or agent filing, a township 便民服务中心. These
    /// are the network's own channels, not a department receiving outside the centre.
    Other,
}

impl IntakePlace {
    /// The place of a case from its channel and the kind of its intake hall (`None` when it
    /// has no intake hall).
    pub fn of(channel: Channel, hall: Option<HallKind>) -> IntakePlace {
        match (channel, hall) {
            (_, Some(HallKind::Centre | HallKind::SubHall)) => IntakePlace::Centre,
            (Channel::Window, None) => IntakePlace::Desk,
            _ => IntakePlace::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IntakePlace::Centre => "政务服务中心窗口",
            IntakePlace::Desk => "部门自设受理点",
            IntakePlace::Other => "其他渠道",
        }
    }
}

/// A case as the 两头受理 detector sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub number: String,
    pub applicant_id_code: String,
    pub basic_code: String,
    pub place: IntakePlace,
    pub received_at: DateTime<Utc>,
    /// Neither closed, refused at intake nor withdrawn.
    pub open: bool,
    /// The member of staff who took it in (首问责任人), when known.
    pub received_by: Option<i64>,
}

/// A 两头受理 firing on one case: the finding, and the number of the case at the other end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleIntakeHit {
    pub other: String,
    pub finding: Finding,
}

/// 两头受理: the same matter (same applicant, same basic code) taken in both at a centre window
/// and at a department's own desk (see [`IntakePlace`]), where the two receipts are at most
/// `within_days` Shanghai calendar days apart or both cases are still open. Returns one hit
/// for each of `others` that makes such a pair with `this`. The finding names the member of
/// staff who took the matter in at the desk, since the desk intake is the irregular one.
pub fn double_intake(this: &Intake, others: &[Intake], within_days: u32) -> Vec<DoubleIntakeHit> {
    let day = |i: &Intake| crate::time::local_date(i.received_at);
    let mut out = Vec::new();
    for other in others {
        if other.number == this.number
            || other.applicant_id_code != this.applicant_id_code
            || other.basic_code != this.basic_code
        {
            continue;
        }
        let (centre, desk) = match (this.place, other.place) {
            (IntakePlace::Centre, IntakePlace::Desk) => (this, other),
            (IntakePlace::Desk, IntakePlace::Centre) => (other, this),
            _ => continue,
        };
        let apart = (day(this) - day(other)).num_days().abs();
        let close = apart <= i64::from(within_days);
        if !(close || (this.open && other.open)) {
            continue;
        }
        out.push(DoubleIntakeHit {
            other: other.number.clone(),
            finding: Finding {
                rule: Rule::DoubleIntake,
                detail: format!(
                    "同一申请人同一事项（{}）既在政务服务中心窗口受理（{}），又在部门自设受理点受理（{}），{}",
                    this.basic_code,
                    centre.number,
                    desk.number,
                    if close {
                        format!("收件相隔{apart}日")
                    } else {
                        "两件均在办理中".to_string()
                    }
                ),
                step: None,
                person: desk.received_by,
                evidence: vec![],
            },
        });
    }
    out
}
