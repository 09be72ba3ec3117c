//! The clock of one running matter: start, limit, suspensions, extensions.
//!
//! Rules (the ones supervision and the applicant both see):
//! * The start is an instant; its Shanghai date is the start day. With
//!   [`Counting::NextWorkingDay`] the start day never counts.
//! * The limit is `limit + Σ extensions` working days. An extension counts from the moment it is
//!   recorded, whatever its `at`: it exists only once approved.
//! * A suspension makes every Shanghai date it touches, from the date it starts to the date it
//!   ends, both inclusive, uncounted: a working day on which the matter was suspended for any
//!   part is not a working day of the clock. Non-working days are unaffected (they never count).
//! * An open suspension (`end: None`) lasts until `now`, so while a matter is suspended its due
//!   date moves out by one working day each working day.
//! * Overlapping suspensions count once.

use super::explain::{self, Explanation, Span};
use super::table::Calendar;
use super::{shanghai_date, CalendarError, Counting, WorkingDays};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

crate::closed_set! {
    /// Which limit a clock runs against.
    pub enum LimitKind {
        /// 法定时限: the law's limit; overrunning it is unlawful.
        Statutory = "statutory" => "法定时限",
        /// 承诺时限: the shorter limit the centre commits to; overrunning it is a service failure.
        Committed = "committed" => "承诺时限",
    }
}

crate::closed_set! {
    /// Why the clock is stopped (行政许可法 第四十五条's special procedures, 补正, and others).
    pub enum SuspensionKind {
        Supplement = "supplement" => "补正",
        Hearing = "hearing" => "听证",
        ExpertReview = "expert_review" => "专家评审",
        Testing = "testing" => "检验检测",
        Inspection = "inspection" => "检查",
        Quarantine = "quarantine" => "检疫",
        Appraisal = "appraisal" => "鉴定",
        ThirdPartyConsultation = "third_party_consultation" => "征求第三方意见",
        /// 政府信息公开条例 第三十三条: consulting another agency is not counted either.
        AgencyConsultation = "agency_consultation" => "征求其他机关意见",
        /// 国办函〔2020〕109号: from the fee notice until payment, the reply period stands still.
        FeePayment = "fee_payment" => "待缴纳信息处理费",
        /// Anything else; the suspension's `reason` must say what.
        Other = "other" => "其他",
    }
}

crate::closed_set! {
    /// How the days of a stop are taken out of a clock. 行政许可法 第四十五条 says the time a
    /// special procedure needs is not counted; it does not say how its part days count.
    pub enum SpanCounting {
        /// 起止日均不计入: the day it starts and the day it ends are both out. A procedure from
        /// Tuesday 10:00 to Thursday 10:00 takes three days off the clock for two days' work,
        /// one in the authority's favour.
        BothEnds = "both_ends" => "起止日均不计入",
        /// 起日不计入、恢复日计入: the clock stops for the day it starts and runs again on the
        /// day it ends, so a stop of N calendar days takes N days off, and one that starts and
        /// ends on the same day takes none.
        StartDay = "start_day" => "起日不计入、恢复日计入",
    }
}

impl Default for SpanCounting {
    /// Stops recorded before the rule was a setting were counted with both ends out.
    fn default() -> Self {
        SpanCounting::BothEnds
    }
}

/// A stop of the clock, with who started and who ended it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub kind: SuspensionKind,
    /// How its days come off the clock.
    #[serde(default)]
    pub counting: SpanCounting,
    pub reason: String,
    pub started_by: String,
    pub start: DateTime<Utc>,
    /// `None` while still suspended.
    pub end: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
}

impl Suspension {
    /// What explanations show: the kind, or for [`SuspensionKind::Other`] its reason, and how
    /// its days are counted when that is not the old both-ends rule.
    pub fn label(&self) -> Cow<'static, str> {
        let what: Cow<'static, str> = match self.kind {
            SuspensionKind::Other => Cow::Owned(format!("其他：{}", self.reason.trim())),
            k => Cow::Borrowed(k.label()),
        };
        match self.counting {
            SpanCounting::BothEnds => what,
            c => Cow::Owned(format!("{what}（{}）", c.label())),
        }
    }

    /// Whether the suspension is in force at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.start <= now && self.end.is_none_or(|end| now < end)
    }
}

/// Additional working days approved by a department head (行政许可法 第四十二条: +10 with reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub days: WorkingDays,
    pub approver: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The clock of a running matter. See the module docs for the counting rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatutoryClock {
    pub start: DateTime<Utc>,
    pub limit: WorkingDays,
    pub kind: LimitKind,
    pub counting: Counting,
    pub suspensions: Vec<Suspension>,
    pub extensions: Vec<Extension>,
}

/// Where a clock stands at an instant, for the supervision board and warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockStatus {
    pub due_date: NaiveDate,
    /// The last instant of the due date (Shanghai).
    pub due_at: DateTime<Utc>,
    /// `limit + Σ extensions`.
    pub total_days: u32,
    /// Counted days up to and including today: on the due date it equals `total_days`.
    pub elapsed_days: u32,
    /// `total_days − elapsed_days`; negative when overdue.
    pub remaining_days: i64,
    /// `elapsed_days / total_days`; above 1 when overdue.
    pub fraction_elapsed: f64,
    /// `now` is past `due_at`. True on a weekend right after the due date, when `overdue_by`
    /// is still 0.
    pub overdue: bool,
    /// Counted working days past the due date, 0 if none.
    pub overdue_by: u32,
    /// A suspension is in force at `now`.
    pub suspended: bool,
}

impl StatutoryClock {
    /// A clock with the default counting and no suspensions or extensions.
    pub fn new(start: DateTime<Utc>, limit: WorkingDays, kind: LimitKind) -> Self {
        Self {
            start,
            limit,
            kind,
            counting: Counting::default(),
            suspensions: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// `limit + Σ extensions` working days (saturating; the calendar runs out long before).
    pub fn total_days(&self) -> u32 {
        self.extensions
            .iter()
            .fold(self.limit.get(), |t, e| t.saturating_add(e.days.get()))
    }

    /// Whether any suspension is in force at `now`.
    pub fn is_suspended(&self, now: DateTime<Utc>) -> bool {
        self.suspensions.iter().any(|s| s.is_active(now))
    }

    /// The due date; an open suspension is taken to last until `now`.
    pub fn due_date(&self, cal: &Calendar, now: DateTime<Utc>) -> Result<NaiveDate, CalendarError> {
        let Layout { p0, skip, .. } = self.layout(cal, now)?;
        Ok(cal.date_at(cal.due_from(p0, self.total_days(), &skip)?))
    }

    /// Due date, elapsed and remaining days at `now`.
    pub fn status(&self, cal: &Calendar, now: DateTime<Utc>) -> Result<ClockStatus, CalendarError> {
        let Layout {
            start_date,
            p0,
            skip,
        } = self.layout(cal, now)?;
        let total = self.total_days();
        let due_date = cal.date_at(cal.due_from(p0, total, &skip)?);
        let due_at = crate::time::end_of_day(due_date);
        let today = shanghai_date(now)?;
        let elapsed = if today < start_date {
            0
        } else {
            cal.counted(p0, cal.pos(today)? + 1, &skip)
        };
        Ok(ClockStatus {
            due_date,
            due_at,
            total_days: total,
            elapsed_days: elapsed,
            remaining_days: i64::from(total) - i64::from(elapsed),
            fraction_elapsed: f64::from(elapsed) / f64::from(total.max(1)),
            overdue: now > due_at,
            overdue_by: elapsed.saturating_sub(total),
            suspended: self.is_suspended(now),
        })
    }

    /// Every day from the start to the due date (or to today if overdue), counted or skipped
    /// and why.
    pub fn explain(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Explanation, CalendarError> {
        let start_date = shanghai_date(self.start)?;
        let spans = self.spans(now)?;
        explain::build(
            cal,
            start_date,
            self.total_days(),
            self.counting,
            &spans,
            shanghai_date(now)?,
        )
    }

    /// Start date, first counted position and the suspended position ranges.
    fn layout(&self, cal: &Calendar, now: DateTime<Utc>) -> Result<Layout, CalendarError> {
        let start_date = shanghai_date(self.start)?;
        let p0 = cal.start_pos(start_date, self.counting)?;
        let spans = self.spans(now)?;
        Ok(Layout {
            start_date,
            p0,
            skip: skip_ranges(cal, p0, &spans),
        })
    }

    /// The suspensions as inclusive Shanghai date spans, open ones closed at `now`.
    fn spans(&self, now: DateTime<Utc>) -> Result<Vec<Span>, CalendarError> {
        self.suspensions
            .iter()
            .map(|s| {
                if s.kind == SuspensionKind::Other && s.reason.trim().is_empty() {
                    return Err(CalendarError::InvalidSuspension {
                        message: "「其他」类中止计时须写明原因".into(),
                    });
                }
                let end = match s.end {
                    Some(end) if end < s.start => {
                        return Err(CalendarError::InvalidSuspension {
                            message: format!("{}的结束时间早于开始时间", s.label()),
                        })
                    }
                    Some(end) => end,
                    None => now.max(s.start),
                };
                let (from, to) = (shanghai_date(s.start)?, shanghai_date(end)?);
                let to = match s.counting {
                    SpanCounting::BothEnds => Some(to),
                    // The day it ends counts again; a stop within one day takes none off.
                    SpanCounting::StartDay => to.pred_opt().filter(|t| *t >= from),
                };
                Ok(to.map(|to| Span {
                    from,
                    to,
                    label: s.label(),
                }))
            })
            .filter_map(Result::transpose)
            .collect()
    }
}

/// A clock mapped onto a calendar's positions.
struct Layout {
    start_date: NaiveDate,
    /// The first position counted.
    p0: usize,
    /// Suspended position ranges, see [`skip_ranges`].
    skip: Vec<(usize, usize)>,
}

/// Suspended spans as sorted, merged position ranges `[a, b)` clipped to start at `p0`.
pub(crate) fn skip_ranges(cal: &Calendar, p0: usize, spans: &[Span]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| {
            let a = cal.clamp_pos(s.from).max(p0);
            let b = s.to.succ_opt().map_or(cal.len(), |d| cal.clamp_pos(d));
            (a, b)
        })
        .filter(|(a, b)| a < b)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        // Shanghai wall-clock time.
        crate::time::shanghai()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .expect("valid test time")
            .with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn wd(n: u32) -> WorkingDays {
        WorkingDays::new(n).expect("valid count")
    }

    fn suspension(
        kind: SuspensionKind,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Suspension {
        Suspension {
            counting: Default::default(),
            kind,
            reason: "依申请".into(),
            started_by: "审批科".into(),
            start,
            end,
            ended_by: end.map(|_| "审批科".into()),
        }
    }

    #[test]
    fn start_instant_is_read_in_shanghai() {
        let cal = Calendar::shipped();
        // 2026-03-02 17:00 UTC is Tuesday 03-03 01:00 in Shanghai: counting starts Wednesday.
        let start = Utc
            .with_ymd_and_hms(2026, 3, 2, 17, 0, 0)
            .single()
            .expect("valid");
        let clock = StatutoryClock::new(start, wd(1), LimitKind::Statutory);
        assert_eq!(clock.due_date(&cal, start), Ok(date(2026, 3, 4)));
    }

    #[test]
    fn suspension_days_are_inclusive_at_both_ends() {
        let cal = Calendar::shipped();
        // Start Monday 03-02, 3 days: 03-03, 03-04, 03-05.
        let mut clock = StatutoryClock::new(at(2026, 3, 2, 9), wd(3), LimitKind::Committed);
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 2, 9)),
            Ok(date(2026, 3, 5))
        );
        // Suspended from Wednesday 16:00 to Thursday 09:00: both days lost, due Monday 03-09.
        clock.suspensions.push(suspension(
            SuspensionKind::Testing,
            at(2026, 3, 4, 16),
            Some(at(2026, 3, 5, 9)),
        ));
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 20, 9)),
            Ok(date(2026, 3, 9))
        );
        // A suspension within one day loses that day only.
        clock.suspensions[0].end = Some(at(2026, 3, 4, 17));
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 20, 9)),
            Ok(date(2026, 3, 6))
        );
    }

    #[test]
    fn open_suspension_runs_until_now() {
        let cal = Calendar::shipped();
        let mut clock = StatutoryClock::new(at(2026, 3, 2, 9), wd(3), LimitKind::Statutory);
        clock.suspensions.push(suspension(
            SuspensionKind::Hearing,
            at(2026, 3, 4, 10),
            None,
        ));
        // Now Wednesday: 03-04 lost → due Friday 03-06.
        let s = clock.status(&cal, at(2026, 3, 4, 12)).expect("status");
        assert_eq!(s.due_date, date(2026, 3, 6));
        assert!(s.suspended);
        assert_eq!(s.elapsed_days, 1);
        // Now the next Monday: 03-04…03-09 lost (4 working days) → 03-03 + 2 more after 03-09.
        let s = clock.status(&cal, at(2026, 3, 9, 12)).expect("status");
        assert_eq!(s.due_date, date(2026, 3, 11));
        assert_eq!(s.elapsed_days, 1);
        assert_eq!(s.remaining_days, 2);
    }

    #[test]
    fn overlapping_suspensions_count_once() {
        let cal = Calendar::shipped();
        let mut clock = StatutoryClock::new(at(2026, 3, 2, 9), wd(3), LimitKind::Statutory);
        clock.suspensions.push(suspension(
            SuspensionKind::Testing,
            at(2026, 3, 3, 9),
            Some(at(2026, 3, 4, 9)),
        ));
        clock.suspensions.push(suspension(
            SuspensionKind::Inspection,
            at(2026, 3, 4, 9),
            Some(at(2026, 3, 5, 9)),
        ));
        // 03-03…03-05 lost (3 days): 03-06, 03-09, 03-10.
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 20, 9)),
            Ok(date(2026, 3, 10))
        );
    }

    #[test]
    fn suspension_before_the_start_is_ignored() {
        let cal = Calendar::shipped();
        let mut clock = StatutoryClock::new(at(2026, 3, 4, 9), wd(1), LimitKind::Statutory);
        clock.suspensions.push(suspension(
            SuspensionKind::Supplement,
            at(2026, 3, 2, 9),
            Some(at(2026, 3, 3, 9)),
        ));
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 4, 9)),
            Ok(date(2026, 3, 5))
        );
    }

    #[test]
    fn invalid_suspensions_are_errors() {
        let cal = Calendar::shipped();
        let mut clock = StatutoryClock::new(at(2026, 3, 2, 9), wd(3), LimitKind::Statutory);
        clock.suspensions.push(suspension(
            SuspensionKind::Testing,
            at(2026, 3, 5, 9),
            Some(at(2026, 3, 4, 9)),
        ));
        let err = clock.due_date(&cal, at(2026, 3, 5, 9)).unwrap_err();
        assert_eq!(err.code(), codes::Calendar::InvalidSuspension);
        clock.suspensions[0] = suspension(SuspensionKind::Other, at(2026, 3, 4, 9), None);
        clock.suspensions[0].reason = "  ".into();
        assert_eq!(
            clock.status(&cal, at(2026, 3, 5, 9)).unwrap_err().code(),
            codes::Calendar::InvalidSuspension
        );
        clock.suspensions[0].reason = "等待法院裁定".into();
        assert_eq!(clock.suspensions[0].label(), "其他：等待法院裁定");
        assert!(clock.status(&cal, at(2026, 3, 5, 9)).is_ok());
    }

    #[test]
    fn extensions_add_days() {
        let cal = Calendar::shipped();
        let mut clock = StatutoryClock::new(at(2026, 3, 2, 9), wd(3), LimitKind::Statutory);
        clock.extensions.push(Extension {
            days: wd(2),
            approver: "局长".into(),
            reason: "复杂".into(),
            at: at(2026, 3, 4, 9),
        });
        assert_eq!(clock.total_days(), 5);
        assert_eq!(
            clock.due_date(&cal, at(2026, 3, 4, 9)),
            Ok(date(2026, 3, 9))
        );
    }

    #[test]
    fn status_on_due_date_and_after() {
        let cal = Calendar::shipped();
        // Tuesday 03-03 + 3: 03-04, 03-05, Friday 03-06.
        let clock = StatutoryClock::new(at(2026, 3, 3, 9), wd(3), LimitKind::Statutory);
        let s = clock.status(&cal, at(2026, 3, 3, 10)).expect("status");
        assert_eq!((s.elapsed_days, s.remaining_days, s.overdue), (0, 3, false));
        let s = clock.status(&cal, at(2026, 3, 4, 10)).expect("status");
        assert_eq!((s.elapsed_days, s.remaining_days), (1, 2));
        let s = clock.status(&cal, at(2026, 3, 6, 23)).expect("status");
        assert_eq!(
            (s.elapsed_days, s.remaining_days, s.overdue, s.overdue_by),
            (3, 0, false, 0)
        );
        assert!((s.fraction_elapsed - 1.0).abs() < 1e-9);
        assert_eq!(s.due_at, crate::time::end_of_day(date(2026, 3, 6)));
        // Saturday after: overdue, but no working day past due yet.
        let s = clock.status(&cal, at(2026, 3, 7, 9)).expect("status");
        assert_eq!((s.overdue, s.overdue_by, s.remaining_days), (true, 0, 0));
        // Wednesday 03-11: 03-09, 03-10, 03-11 past due.
        let s = clock.status(&cal, at(2026, 3, 11, 9)).expect("status");
        assert_eq!((s.overdue, s.overdue_by, s.remaining_days), (true, 3, -3));
        assert!(!s.suspended);
        let ex = clock.explain(&cal, at(2026, 3, 11, 9)).expect("explains");
        let last = ex.lines().last().expect("lines");
        assert_eq!(last.text, "2026-03-09…03-11 工作日 超期第1–3日");
    }

    #[test]
    fn status_needs_today_loaded() {
        let cal = Calendar::shipped();
        let clock = StatutoryClock::new(at(2026, 12, 1, 9), wd(5), LimitKind::Statutory);
        assert_eq!(
            clock.status(&cal, at(2027, 1, 4, 9)).unwrap_err(),
            CalendarError::YearMissing { year: 2027 }
        );
    }

    #[test]
    fn labels() {
        assert_eq!(
            SuspensionKind::ThirdPartyConsultation.label(),
            "征求第三方意见"
        );
        assert_eq!(SuspensionKind::ExpertReview.label(), "专家评审");
        assert_eq!(LimitKind::Committed.label(), "承诺时限");
    }
}
