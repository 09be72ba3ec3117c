//! Time left to a deadline, or time past it, in the deadline's own unit: working days, with the
//! hours of today. A working-day limit overrun over a holiday week is not "7 days late".
//!
//! * Before the due date: the working days after today up to and including the due date, plus
//!   the hours left today when today is a working day ("剩余 2 个工作日又 5 小时"); on the due date
//!   itself, the hours left ("今日到期，剩余 5 小时").
//! * After it: the working days that have fully passed since the due date, plus the hours of
//!   today when today is a working day ("已超时 1 个工作日又 7 小时"). Days off never count.

use chrono::{DateTime, Utc};

use super::{Calendar, CalendarError};
use crate::time::{end_of_day, local_date, start_of_day};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLeft {
    pub overdue: bool,
    /// Whole working days left (or past), not counting today.
    pub working_days: u32,
    /// Hours of today left before the deadline (or past it), 0 on a day off.
    pub hours: u32,
}

impl TimeLeft {
    /// The time between `now` and the deadline instant `due_at`, counted on `cal`.
    pub fn at(
        cal: &Calendar,
        now: DateTime<Utc>,
        due_at: DateTime<Utc>,
    ) -> Result<Self, CalendarError> {
        let (today, due_date) = (local_date(now), local_date(due_at));
        let working_today = cal.is_working_day(today)?;
        let whole_hours = |d: chrono::Duration| u32::try_from(d.num_hours()).unwrap_or(0);
        if now <= due_at {
            let working_days = cal.working_days_between(today, due_date)?;
            let until = if due_date == today {
                due_at
            } else {
                end_of_day(today)
            };
            let hours = if working_today || due_date == today {
                whole_hours(until - now)
            } else {
                0
            };
            Ok(Self {
                overdue: false,
                working_days,
                hours,
            })
        } else {
            let since = if due_date == today {
                due_at
            } else {
                start_of_day(today)
            };
            let passed = cal.working_days_between(due_date, today)?;
            let working_days = passed.saturating_sub(u32::from(working_today && due_date != today));
            let hours = if working_today || due_date == today {
                whole_hours(now - since)
            } else {
                0
            };
            Ok(Self {
                overdue: true,
                working_days,
                hours,
            })
        }
    }

    /// In words, as work lists show it.
    pub fn text(&self) -> String {
        let (d, h) = (self.working_days, self.hours);
        match (self.overdue, d, h) {
            (false, 0, h) => format!("今日到期，剩余 {h} 小时"),
            (false, d, 0) => format!("剩余 {d} 个工作日"),
            (false, d, h) => format!("剩余 {d} 个工作日又 {h} 小时"),
            // Past the due date, but no working time yet since (a weekend or holiday after it).
            (true, 0, 0) => "已超时".into(),
            (true, 0, h) => format!("已超时 {h} 小时"),
            (true, d, 0) => format!("已超时 {d} 个工作日"),
            (true, d, h) => format!("已超时 {d} 个工作日又 {h} 小时"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn shanghai(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        crate::time::shanghai()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn due(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        end_of_day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn left(now: DateTime<Utc>, due_at: DateTime<Utc>) -> String {
        TimeLeft::at(&Calendar::shipped(), now, due_at)
            .unwrap()
            .text()
    }

    #[test]
    fn overdue_across_the_national_day_holiday_counts_working_days_only() {
        // Due Wednesday 30 September 2026; 1–7 October is the holiday.
        let d = due(2026, 9, 30);
        assert_eq!(
            left(shanghai(2026, 10, 5, 10), d),
            "已超时",
            "holidays do not count"
        );
        assert_eq!(left(shanghai(2026, 10, 8, 7), d), "已超时 7 小时");
        assert_eq!(
            left(shanghai(2026, 10, 9, 7), d),
            "已超时 1 个工作日又 7 小时"
        );
    }

    #[test]
    fn time_left_counts_the_working_days_to_the_due_date_and_todays_hours() {
        // Due Monday 9 March 2026, asked on Friday 6 March at 14:00.
        let d = due(2026, 3, 9);
        assert_eq!(
            left(shanghai(2026, 3, 6, 14), d),
            "剩余 1 个工作日又 9 小时"
        );
        assert_eq!(
            left(shanghai(2026, 3, 7, 14), d),
            "剩余 1 个工作日",
            "Saturday"
        );
        assert_eq!(left(shanghai(2026, 3, 9, 14), d), "今日到期，剩余 9 小时");
        assert_eq!(left(shanghai(2026, 3, 10, 9), d), "已超时 9 小时");
    }

    #[test]
    fn a_deadline_in_hours_counts_from_its_instant_on_the_day() {
        let d = shanghai(2026, 3, 9, 15);
        assert_eq!(left(shanghai(2026, 3, 9, 11), d), "今日到期，剩余 4 小时");
        assert_eq!(left(shanghai(2026, 3, 9, 18), d), "已超时 3 小时");
    }

    #[test]
    fn a_year_without_a_calendar_is_an_error_not_a_guess() {
        let d = due(2099, 3, 9);
        assert!(TimeLeft::at(&Calendar::shipped(), shanghai(2099, 3, 2, 9), d).is_err());
    }
}
