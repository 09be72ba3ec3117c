//! A provisional year: the public holidays a year must have by law, computed, for the months
//! between the end of the loaded notices and the State Council's next one.
//!
//! Without it every deadline that crosses into a year not yet announced has no due date, so
//! nothing turns yellow or red each December (and whenever the notice is late). What the law
//! fixes is computable; only the 调休 swaps are not:
//!
//! * 全国年节及纪念日放假办法 (2024 revision) 第二条: 元旦 1 day (1 January); 春节 4 days (除夕
//!   to 正月初三); 清明节 1 day (the 清明 solar term); 劳动节 2 days (1–2 May); 端午节 1 day
//!   (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1–3 October).
//! * 第六条: a holiday that falls on a Saturday or Sunday is made up (补假) on a working day; as
//!   every notice does, the next working day after it that is not itself a holiday.
//!
//! The lunar dates and the solar term come from `tyme4rs` (the 寿星天文历 algorithms). Every rule
//! is named with a `（推算）` suffix, so any explanation that counts a provisional day says so, and
//! the year's notice is [`PROVISIONAL_NOTICE`]. A date in a provisional year carries
//! [`PROVISIONAL_NOTE`] wherever it is shown. `scripts/check-provisional.sh` checks 2027–2030
//! against the independent `holidays` package.

use super::data::{DayKind, DayRule, YearCalendar};
use super::{is_weekend, CalendarError, MAX_YEAR};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeSet;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::SolarTerm;
use tyme4rs::tyme::Culture;

/// The notice a provisional year is filed under (it has no 文号 of its own).
pub const PROVISIONAL_NOTICE: &str = "按法定节假日推算（全国年节及纪念日放假办法第二条、第六条）";

/// Shown beside every deadline computed on a provisional year (pages, API, notices).
pub const PROVISIONAL_NOTE: &str = "按法定节假日推算，待国务院公布调休安排后更新";

/// The suffix of every provisional rule's name.
pub const PROVISIONAL_SUFFIX: &str = "（推算）";

/// The first year the 2024 revision (four days of 春节, two of 劳动节) governs. Earlier years
/// were all announced and are never computed.
pub const FIRST_PROVISIONAL_YEAR: i32 = 2025;

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(CalendarError::YearOutOfRange { year: y })
}

/// A lunar date of lunar year `year` as a Gregorian date.
fn lunar(year: i32, month: isize, day: usize) -> Result<NaiveDate, CalendarError> {
    let out = CalendarError::YearOutOfRange { year };
    let solar = LunarDay::new(year as isize, month, day)
        .map_err(|_| out.clone())?
        .get_solar_day();
    let (y, m, d) = (solar.get_year(), solar.get_month(), solar.get_day());
    NaiveDate::from_ymd_opt(
        i32::try_from(y).map_err(|_| out.clone())?,
        m as u32,
        d as u32,
    )
    .ok_or(out)
}

/// The day of the 清明 solar term in `year`.
fn qingming(year: i32) -> Result<NaiveDate, CalendarError> {
    let out = CalendarError::YearOutOfRange { year };
    let term = SolarTerm::new(year as isize, "清明").map_err(|_| out.clone())?;
    if term.get_name() != "清明" {
        return Err(out);
    }
    let solar = term.get_solar_day();
    NaiveDate::from_ymd_opt(
        solar.get_year() as i32,
        solar.get_month() as u32,
        solar.get_day() as u32,
    )
    .filter(|d| d.year() == year)
    .ok_or(out)
}

/// The statutory holidays of a year (第二条), each date with its name, in date order.
pub fn statutory_holidays(year: i32) -> Result<Vec<(NaiveDate, &'static str)>, CalendarError> {
    if !(FIRST_PROVISIONAL_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange { year });
    }
    let mut days = vec![(date(year, 1, 1)?, "元旦")];
    // 除夕 is the day before 正月初一, whatever the length of the twelfth month.
    let new_year = lunar(year, 1, 1)?;
    let eve = new_year
        .pred_opt()
        .ok_or(CalendarError::YearOutOfRange { year })?;
    for d in eve.iter_days().take(4) {
        days.push((d, "春节"));
    }
    days.push((qingming(year)?, "清明节"));
    days.push((date(year, 5, 1)?, "劳动节"));
    days.push((date(year, 5, 2)?, "劳动节"));
    days.push((lunar(year, 5, 5)?, "端午节"));
    days.push((lunar(year, 8, 15)?, "中秋节"));
    for d in 1..=3 {
        days.push((date(year, 10, d)?, "国庆节"));
    }
    days.sort_by_key(|(d, _)| *d);
    // Two festivals on one date (中秋 on 1–3 October) give one day off, named by the first.
    days.dedup_by_key(|(d, _)| *d);
    Ok(days)
}

/// The provisional arrangement of a year: the statutory holidays and their 补假 days, no 调休.
pub fn provisional_year(year: i32) -> Result<YearCalendar, CalendarError> {
    let holidays = statutory_holidays(year)?;
    let off: BTreeSet<NaiveDate> = holidays.iter().map(|(d, _)| *d).collect();
    let mut made_up: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut rules = Vec::with_capacity(holidays.len() + 4);
    for (d, name) in &holidays {
        rules.push(DayRule {
            date: *d,
            kind: DayKind::Holiday,
            name: format!("{name}{PROVISIONAL_SUFFIX}"),
        });
        if !is_weekend(*d) {
            continue;
        }
        let mut next = *d;
        loop {
            next = next
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::YearOutOfRange { year })?;
            if !is_weekend(next) && !off.contains(&next) && !made_up.contains(&next) {
                break;
            }
        }
        if next.year() != year {
            // No statutory holiday is late enough in December for this; refuse rather than
            // file a rule under the wrong year.
            return Err(CalendarError::DateOutsideYear { year, date: next });
        }
        made_up.insert(next);
        rules.push(DayRule {
            date: next,
            kind: DayKind::Holiday,
            name: format!("{name}补假{PROVISIONAL_SUFFIX}"),
        });
    }
    YearCalendar::new(year, PROVISIONAL_NOTICE, rules)
}

/// Whether a loaded year is a provisional one (filed under [`PROVISIONAL_NOTICE`]).
pub fn is_provisional(year: &YearCalendar) -> bool {
    year.notice == PROVISIONAL_NOTICE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::data::{parse_holidays, SHIPPED_DATA};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn off(year: &YearCalendar) -> BTreeSet<NaiveDate> {
        year.days
            .iter()
            .filter(|r| r.kind == DayKind::Holiday)
            .map(|r| r.date)
            .collect()
    }

    #[test]
    fn lunar_dates_and_qingming_of_the_announced_years() {
        // From the notices shipped in data/holidays.txt.
        let h = |y| statutory_holidays(y).unwrap();
        let find = |y, name: &str| -> Vec<NaiveDate> {
            h(y).into_iter()
                .filter(|(_, n)| *n == name)
                .map(|(d, _)| d)
                .collect()
        };
        assert_eq!(find(2025, "春节").first(), Some(&d(2025, 1, 28)));
        assert_eq!(find(2026, "春节").first(), Some(&d(2026, 2, 16)));
        assert_eq!(find(2025, "清明节"), [d(2025, 4, 4)]);
        assert_eq!(find(2026, "清明节"), [d(2026, 4, 5)]);
        assert_eq!(find(2025, "端午节"), [d(2025, 5, 31)]);
        assert_eq!(find(2026, "端午节"), [d(2026, 6, 19)]);
        assert_eq!(find(2025, "中秋节"), [d(2025, 10, 6)]);
        assert_eq!(find(2026, "中秋节"), [d(2026, 9, 25)]);
    }

    #[test]
    fn every_computed_day_off_is_off_in_the_official_notices() {
        // The notices add 调休 days, never remove a statutory day or its 补假.
        let data = parse_holidays(SHIPPED_DATA).unwrap();
        for official in data
            .years
            .iter()
            .filter(|y| y.year >= FIRST_PROVISIONAL_YEAR)
        {
            let computed = provisional_year(official.year).unwrap();
            let missing: Vec<_> = off(&computed).difference(&off(official)).copied().collect();
            assert!(missing.is_empty(), "{}: {missing:?}", official.year);
        }
    }

    #[test]
    fn weekend_holidays_are_made_up_on_the_next_working_day() {
        // 2027: 元旦 is a Friday; 国庆 1–3 October is Friday to Sunday, so 2 and 3 October are
        // made up on Monday 4 and Tuesday 5 October.
        let y = provisional_year(2027).unwrap();
        let rule = |m, day| y.rule(d(2027, m, day)).map(|r| r.name.as_str());
        assert_eq!(rule(10, 4), Some("国庆节补假（推算）"));
        assert_eq!(rule(10, 5), Some("国庆节补假（推算）"));
        assert_eq!(rule(10, 6), None);
        assert_eq!(y.notice, PROVISIONAL_NOTICE);
        assert!(is_provisional(&y));
        assert!(y.days.iter().all(|r| r.name.ends_with(PROVISIONAL_SUFFIX)));
        assert!(y.days.iter().all(|r| r.kind == DayKind::Holiday));
    }

    #[test]
    fn years_before_the_revision_are_not_computed() {
        assert_eq!(
            provisional_year(2024),
            Err(CalendarError::YearOutOfRange { year: 2024 })
        );
    }
}
