//! Periods of open government on the one calendar, and the watches they give the deadline
//! index.
//!
//! * A period of natural days (a consultation's 30 days) is counted from the day after its
//!   start (民法典 第二百零一条); when its last day is a rest day, the period ends on the next
//!   working day (第二百零三条).
//! * A period of months (a proposal's 3 months from 交办) ends on the same day of the last
//!   month (the month's last day when it has none), moved the same way.
//! * A period of working days is the calendar's own [`Calendar::due`].

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

use crate::calendar::{Calendar, CalendarError, Counting, WorkingDays};
use crate::supervision::{WarningRules, Watch};
use crate::time::{end_of_day, start_of_day};

/// The first working day on or after `d`.
pub fn roll_to_working_day(cal: &Calendar, mut d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    while !cal.is_working_day(d)? {
        d = d.succ_opt().ok_or(CalendarError::YearOutOfRange {
            year: chrono::Datelike::year(&d),
        })?;
    }
    Ok(d)
}

/// The last day of `days` natural days counted from the day after `start`.
pub fn natural_days_end(
    cal: &Calendar,
    start: NaiveDate,
    days: u32,
) -> Result<NaiveDate, CalendarError> {
    roll_to_working_day(cal, start + Duration::days(i64::from(days)))
}

/// The last day of `months` months from `start`.
pub fn months_end(
    cal: &Calendar,
    start: NaiveDate,
    months: u32,
) -> Result<NaiveDate, CalendarError> {
    let end =
        start
            .checked_add_months(Months::new(months))
            .ok_or(CalendarError::YearOutOfRange {
                year: chrono::Datelike::year(&start),
            })?;
    roll_to_working_day(cal, end)
}

/// The last day of `days` working days from the day after `start`.
pub fn working_days_end(
    cal: &Calendar,
    start: NaiveDate,
    days: u32,
) -> Result<NaiveDate, CalendarError> {
    cal.due(start, WorkingDays::new(days)?, Counting::NextWorkingDay)
}

/// A deadline that falls due at the end of `due` as a watch: red just after the due date's last
/// instant; yellow from the start of the working day on which `yellow_days_left` working days
/// remain (the due date itself counting as one), or at the rules' hour of the due date when
/// that is 0.
#[allow(clippy::too_many_arguments)]
pub fn date_watch(
    key: impl Into<String>,
    label: impl Into<String>,
    department_id: i64,
    due: NaiveDate,
    cal: &Calendar,
    now: DateTime<Utc>,
    rules: &WarningRules,
) -> Result<Watch, CalendarError> {
    let red_at = end_of_day(due) + Duration::milliseconds(1);
    let yellow_at = if rules.yellow_days_left == 0 {
        rules.short_yellow_at(due)
    } else {
        let mut d = due;
        let mut left = rules.yellow_days_left;
        while left > 1 {
            d = d.pred_opt().ok_or(CalendarError::YearOutOfRange {
                year: chrono::Datelike::year(&d),
            })?;
            if cal.is_working_day(d)? {
                left -= 1;
            }
        }
        start_of_day(d)
    };
    let mut w = Watch {
        key: key.into(),
        label: label.into(),
        department_id,
        assignee_id: None,
        yellow_at: Some(yellow_at),
        red_at,
        light: crate::supervision::Light::Green,
        suspended: false,
    };
    w.light = w.light_at(now);
    Ok(w)
}
