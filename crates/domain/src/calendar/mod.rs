//! The working-day calendar and the statutory clock.
//!
//! Time limits in government service are counted in working days (行政许可法 第八十二条):
//! weekends and public holidays do not count, the State Council's make-up working days (调休上班)
//! do. Which days those are is not computable: the State Council announces them every year, so
//! the calendar is data ([`HolidayData`], shipped in `data/holidays.txt`) and a date in a year
//! whose notice is not loaded is an error ([`CalendarError::YearMissing`]), never a guess from
//! weekdays alone.
//!
//! * [`Calendar`] answers "is this a working day", "the n-th working day after", "how many working
//!   days between" in constant time from a per-day prefix count.
//! * [`StatutoryClock`] is the clock of one running matter: a start, a limit, suspensions for
//!   special procedures (听证, 专家评审, 检验检测…) and approved extensions; it yields the due date,
//!   a [`ClockStatus`] for supervision and an [`Explanation`] a person can check by hand.
//!
//! Everything here is pure: no IO, no clock reads (`now` is always a parameter).

mod clock;
mod data;
mod explain;
mod left;
pub mod provisional;
mod table;

pub use clock::{
    ClockStatus, Extension, LimitKind, SpanCounting, StatutoryClock, Suspension, SuspensionKind,
};
pub use data::{parse_holidays, DayKind, DayRule, HolidayData, YearCalendar, SHIPPED_DATA};
pub use explain::{ExplainLine, Explanation, Verdict};
pub use left::TimeLeft;
pub use provisional::{provisional_year, PROVISIONAL_NOTE};
pub use table::Calendar;

use crate::codes;
use crate::error::ErrorCode;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The first year a [`YearCalendar`] may describe. Bounds keep every date and instant the module
/// builds far from chrono's limits, so date arithmetic cannot overflow.
pub const MIN_YEAR: i32 = 1949;
/// The last year a [`YearCalendar`] may describe.
pub const MAX_YEAR: i32 = 2199;

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The question needs a year whose holiday notice is not loaded.
    #[error("{year} 年的节假日安排尚未载入，无法计算工作日")]
    YearMissing { year: i32 },
    /// A line of the holiday data file is malformed.
    #[error("节假日数据第 {line} 行有误：{message}")]
    Parse { line: usize, message: String },
    /// The holiday data file has no `version` line.
    #[error("节假日数据缺少 version 行")]
    MissingVersion,
    /// A year outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("{year} 年超出支持的范围（{min}–{max} 年）", min = MIN_YEAR, max = MAX_YEAR)]
    YearOutOfRange { year: i32 },
    /// A rule dated outside the year it is filed under.
    #[error("{date} 不属于 {year} 年的节假日安排")]
    DateOutsideYear { year: i32, date: NaiveDate },
    /// Two rules for the same date.
    #[error("{date} 在节假日安排中出现了两次")]
    DuplicateDate { date: NaiveDate },
    /// A 调休上班 day on a weekday: the notice only ever moves weekend days.
    #[error("{date} 不是周六或周日，不能作为调休上班日")]
    MakeupNotWeekend { date: NaiveDate },
    /// A rule without a name (holiday name or reason): explanations would be blank.
    #[error("{date} 的安排缺少名称或原因")]
    EmptyName { date: NaiveDate },
    /// A year without its notice number (文号).
    #[error("{year} 年的节假日安排缺少通知文号")]
    EmptyNotice { year: i32 },
    /// The same year loaded twice.
    #[error("{year} 年的节假日安排重复载入")]
    DuplicateYear { year: i32 },
    /// Loaded years with a hole: spans across the hole could not be counted.
    #[error("已载入的年份不连续：缺少 {year} 年的节假日安排")]
    YearGap { year: i32 },
    /// No year loaded at all.
    #[error("没有载入任何年份的节假日安排")]
    Empty,
    /// A working-day count outside 1..=[`WorkingDays::MAX`].
    #[error("工作日天数须为 1 至 {max} 之间的整数，收到「{input}」", max = WorkingDays::MAX)]
    InvalidWorkingDays { input: String },
    /// A suspension that ends before it starts, or an "other" suspension without a reason.
    #[error("中止计时记录有误：{message}")]
    InvalidSuspension { message: String },
}

impl CalendarError {
    /// A stable code for the API and logs; never changes once published.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::YearMissing { .. } => codes::Calendar::YearMissing.code(),
            Self::Parse { .. } => codes::Calendar::Parse.code(),
            Self::MissingVersion => codes::Calendar::MissingVersion.code(),
            Self::YearOutOfRange { .. } => codes::Calendar::YearOutOfRange.code(),
            Self::DateOutsideYear { .. } => codes::Calendar::DateOutsideYear.code(),
            Self::DuplicateDate { .. } => codes::Calendar::DuplicateDate.code(),
            Self::MakeupNotWeekend { .. } => codes::Calendar::MakeupNotWeekend.code(),
            Self::EmptyName { .. } => codes::Calendar::EmptyName.code(),
            Self::EmptyNotice { .. } => codes::Calendar::EmptyNotice.code(),
            Self::DuplicateYear { .. } => codes::Calendar::DuplicateYear.code(),
            Self::YearGap { .. } => codes::Calendar::YearGap.code(),
            Self::Empty => codes::Calendar::Empty.code(),
            Self::InvalidWorkingDays { .. } => codes::Calendar::InvalidWorkingDays.code(),
            Self::InvalidSuspension { .. } => codes::Calendar::InvalidSuspension.code(),
        }
    }
}

impl crate::error::Code for CalendarError {
    fn code(&self) -> crate::error::ErrorCode {
        CalendarError::code(self)
    }
}

impl From<CalendarError> for crate::error::DomainError {
    fn from(err: CalendarError) -> Self {
        crate::error::coded(err)
    }
}

/// A count of working days: a time limit, an extension. Never zero (a zero limit is 即办件, which
/// has no clock) and at most [`WorkingDays::MAX`], so sums of limits cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct WorkingDays(u32);

impl WorkingDays {
    /// Ten years of working days: longer than any statutory limit, small enough to sum safely.
    pub const MAX: u32 = 3650;

    /// Rejects 0 and anything above [`WorkingDays::MAX`].
    pub fn new(n: u32) -> Result<Self, CalendarError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(CalendarError::InvalidWorkingDays {
                input: n.to_string(),
            })
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for WorkingDays {
    type Error = CalendarError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<WorkingDays> for u32 {
    fn from(n: WorkingDays) -> u32 {
        n.0
    }
}

impl FromStr for WorkingDays {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CalendarError::InvalidWorkingDays {
            input: s.chars().take(32).collect(),
        };
        let n: u32 = s.trim().parse().map_err(|_| bad())?;
        Self::new(n).map_err(|_| bad())
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 个工作日", self.0)
    }
}

crate::closed_set! {
    /// Which day is the first one counted.
    #[derive(Default)]
    pub enum Counting {
        /// The start day is not counted; counting begins with the next working day. This is the
        /// general rule for periods (期间开始之日不计算在内) and the default for 行政许可法 limits.
        #[default]
        NextWorkingDay = "next_working_day" => "次日起算",
        /// The start day counts as day 1 if it is a working day (some local committed limits).
        IncludingStartDay = "including_start_day" => "当日起算",
    }
}

/// 周一 … 周日.
pub(crate) fn weekday_zh(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The Shanghai date of an instant, refusing instants so far out that converting them could
/// overflow chrono (no such year can be loaded anyway).
pub(crate) fn shanghai_date(at: chrono::DateTime<chrono::Utc>) -> Result<NaiveDate, CalendarError> {
    let year = at.year();
    if (MIN_YEAR - 1..=MAX_YEAR + 1).contains(&year) {
        Ok(crate::time::local_date(at))
    } else {
        Err(CalendarError::YearMissing { year })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_bounds() {
        assert!(WorkingDays::new(0).is_err());
        assert_eq!(WorkingDays::new(1).map(WorkingDays::get), Ok(1));
        assert_eq!(WorkingDays::new(3650).map(WorkingDays::get), Ok(3650));
        let err = WorkingDays::new(3651).unwrap_err();
        assert_eq!(err.code(), codes::Calendar::InvalidWorkingDays);
    }

    #[test]
    fn working_days_from_str() {
        assert_eq!(" 20 ".parse::<WorkingDays>().map(WorkingDays::get), Ok(20));
        for bad in ["", "0", "-1", "二十", "3651", "1.5", "99999999999"] {
            let err = bad.parse::<WorkingDays>().unwrap_err();
            assert!(err.to_string().contains("1 至 3650"), "{bad}: {err}");
        }
    }

    #[test]
    fn working_days_serde_validates() {
        // serde goes through `new`, so a stored 0 cannot sneak in.
        let ok: Result<WorkingDays, _> = WorkingDays::try_from(5);
        assert!(ok.is_ok());
        assert!(WorkingDays::try_from(0).is_err());
    }

    #[test]
    fn year_missing_names_the_year() {
        let err = CalendarError::YearMissing { year: 2027 };
        assert_eq!(
            err.to_string(),
            "2027 年的节假日安排尚未载入，无法计算工作日"
        );
        assert_eq!(err.code(), codes::Calendar::YearMissing);
        let dom: crate::error::DomainError = err.into();
        assert_eq!(dom.code, codes::Calendar::YearMissing);
    }

    #[test]
    fn far_instants_do_not_panic() {
        let max = chrono::DateTime::<chrono::Utc>::MAX_UTC;
        let min = chrono::DateTime::<chrono::Utc>::MIN_UTC;
        assert!(matches!(
            shanghai_date(max),
            Err(CalendarError::YearMissing { .. })
        ));
        assert!(matches!(
            shanghai_date(min),
            Err(CalendarError::YearMissing { .. })
        ));
    }
}
