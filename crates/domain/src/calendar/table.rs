//! The calendar as a flat day table with a prefix count of working days.
//!
//! Loaded years must be contiguous, so the table is one array from January 1 of the first year
//! to December 31 of the last. `prefix[i]` is the number of working days before day `i`; every
//! question is then an array lookup or a binary search over `prefix`, whatever the span.
//!
//! Internally a *position* `p` in `0..=len` is a boundary between days: "day `p` is the next one
//! to look at". Counting the start day or not is just starting at its index or the one after.

use super::data::{parse_holidays, DayRule, HolidayData, YearCalendar, SHIPPED_DATA};
use super::explain::Explanation;
use super::provisional::{is_provisional, provisional_year, FIRST_PROVISIONAL_YEAR};
use super::{is_weekend, shanghai_date, CalendarError, Counting, WorkingDays};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use std::sync::OnceLock;

/// Working days of a run of loaded years. Cheap to clone (a few kilobytes per year).
#[derive(Debug, Clone)]
pub struct Calendar {
    version: Option<String>,
    years: Vec<YearCalendar>,
    first_day: NaiveDate,
    last_year: i32,
    days: Vec<Day>,
    prefix: Vec<u32>,
    /// The years computed by [`super::provisional`] rather than announced.
    provisional: Vec<i32>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Day {
    pub(crate) working: bool,
    /// (index into `years`, index into that year's `days`).
    rule: Option<(usize, usize)>,
}

impl Calendar {
    /// Builds a calendar from validated, contiguous years (any order).
    pub fn new(mut years: Vec<YearCalendar>) -> Result<Self, CalendarError> {
        years.sort_by_key(|y| y.year);
        for y in &mut years {
            y.days.sort_by_key(|r| r.date);
            y.validate()?;
        }
        for pair in years.windows(2) {
            let (a, b) = (pair[0].year, pair[1].year);
            if a == b {
                return Err(CalendarError::DuplicateYear { year: a });
            }
            if b != a + 1 {
                return Err(CalendarError::YearGap { year: a + 1 });
            }
        }
        let (Some(first), Some(last)) = (years.first(), years.last()) else {
            return Err(CalendarError::Empty);
        };
        let (first_year, last_year) = (first.year, last.year);
        // validate() bounded the years, so January 1 exists.
        let first_day = NaiveDate::from_ymd_opt(first_year, 1, 1)
            .ok_or(CalendarError::YearOutOfRange { year: first_year })?;
        let mut days = Vec::with_capacity(years.len() * 366);
        let mut prefix = Vec::with_capacity(years.len() * 366 + 1);
        prefix.push(0u32);
        let mut count = 0u32;
        for (yi, year) in years.iter().enumerate() {
            let mut rules = year.days.iter().enumerate().peekable();
            let Some(jan1) = NaiveDate::from_ymd_opt(year.year, 1, 1) else {
                return Err(CalendarError::YearOutOfRange { year: year.year });
            };
            for date in jan1.iter_days().take_while(|d| d.year() == year.year) {
                let rule = rules.next_if(|(_, r)| r.date == date);
                let working = match rule {
                    Some((_, r)) => r.kind.is_working(),
                    None => !is_weekend(date),
                };
                count += u32::from(working);
                days.push(Day {
                    working,
                    rule: rule.map(|(ri, _)| (yi, ri)),
                });
                prefix.push(count);
            }
        }
        let provisional = years
            .iter()
            .filter(|y| is_provisional(y))
            .map(|y| y.year)
            .collect();
        Ok(Self {
            version: None,
            years,
            first_day,
            last_year,
            days,
            prefix,
            provisional,
        })
    }

    /// This calendar with every year after the last loaded one up to `through` computed
    /// provisionally ([`super::provisional`]), so deadlines that cross into a year not yet
    /// announced still have a due date. Years before the 2024 revision are never computed: the
    /// calendar then stays as it is.
    pub fn with_provisional_through(&self, through: i32) -> Calendar {
        let through = through.min(super::MAX_YEAR);
        if through <= self.last_year || self.last_year + 1 < FIRST_PROVISIONAL_YEAR {
            return self.clone();
        }
        let mut years = self.years.clone();
        for year in self.last_year + 1..=through {
            match provisional_year(year) {
                Ok(y) => years.push(y),
                Err(_) => break,
            }
        }
        match Calendar::new(years) {
            Ok(mut cal) => {
                cal.version.clone_from(&self.version);
                cal
            }
            Err(_) => self.clone(),
        }
    }

    /// This calendar without its provisional years (a region that blocks provisional counting).
    pub fn without_provisional(&self) -> Calendar {
        if self.provisional.is_empty() {
            return self.clone();
        }
        let years: Vec<YearCalendar> = self
            .years
            .iter()
            .filter(|y| !is_provisional(y))
            .cloned()
            .collect();
        match Calendar::new(years) {
            Ok(mut cal) => {
                cal.version.clone_from(&self.version);
                cal
            }
            Err(_) => self.clone(),
        }
    }

    /// Whether a date lies in a provisional year: a due date there carries
    /// [`super::provisional::PROVISIONAL_NOTE`].
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        self.provisional.contains(&date.year())
    }

    /// The provisional years, in order.
    pub fn provisional_years(&self) -> &[i32] {
        &self.provisional
    }

    /// Builds a calendar from a parsed data file, keeping its version.
    pub fn from_data(data: HolidayData) -> Result<Self, CalendarError> {
        let mut cal = Self::new(data.years)?;
        cal.version = Some(data.version);
        Ok(cal)
    }

    /// The State Council notices shipped with this build (`data/holidays.txt`).
    pub fn shipped() -> Self {
        static SHIPPED: OnceLock<Calendar> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                let data = parse_holidays(SHIPPED_DATA)
                    .expect("the shipped holiday file parses (unit-tested)");
                Calendar::from_data(data)
                    .expect("the shipped holiday years are contiguous (unit-tested)")
            })
            .clone()
    }

    /// The data version, if built from a data file.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The loaded years, in order.
    pub fn years(&self) -> &[YearCalendar] {
        &self.years
    }

    /// One loaded year.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.iter().find(|y| y.year == year)
    }

    /// The first loaded year.
    pub fn first_year(&self) -> i32 {
        self.first_day.year()
    }

    /// The last loaded year.
    pub fn last_year(&self) -> i32 {
        self.last_year
    }

    /// The rule for a date (holiday, make-up day, closure…), or `None` for an ordinary day.
    pub fn rule(&self, date: NaiveDate) -> Result<Option<&DayRule>, CalendarError> {
        let i = self.pos(date)?;
        Ok(self.rule_at(i))
    }

    /// Whether a date is a working day. A date in a year not loaded is an error, never a guess.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.pos(date)?;
        Ok(self.days.get(i).is_some_and(|d| d.working))
    }

    /// The due date of `n` working days from an instant (its Shanghai date); the deadline is the
    /// end of that date.
    pub fn add_working_days(
        &self,
        start: DateTime<Utc>,
        n: WorkingDays,
        counting: Counting,
    ) -> Result<NaiveDate, CalendarError> {
        self.due(shanghai_date(start)?, n, counting)
    }

    /// The due date of `n` working days from a Shanghai date.
    pub fn due(
        &self,
        start_date: NaiveDate,
        n: WorkingDays,
        counting: Counting,
    ) -> Result<NaiveDate, CalendarError> {
        let p0 = self.start_pos(start_date, counting)?;
        let i = self.due_from(p0, n.get(), &[])?;
        Ok(self.date_at(i))
    }

    /// The day-by-day account of [`Calendar::due`], for the CLI and the public calculator.
    pub fn explain_due(
        &self,
        start_date: NaiveDate,
        n: WorkingDays,
        counting: Counting,
    ) -> Result<Explanation, CalendarError> {
        super::explain::build(self, start_date, n.get(), counting, &[], start_date)
    }

    /// Working days after `from` up to and including `to`; 0 when `to <= from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let (a, b) = (self.pos(from)?, self.pos(to)?);
        Ok(self.working(a + 1, b + 1))
    }

    // ---- internals shared with the clock and the explanation ----

    /// The index of a date, or the year it needs.
    pub(crate) fn pos(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let offset = date.signed_duration_since(self.first_day).num_days();
        match usize::try_from(offset) {
            Ok(i) if i < self.days.len() => Ok(i),
            _ => Err(CalendarError::YearMissing { year: date.year() }),
        }
    }

    /// The position a date falls at, clamped to the table (for interval ends).
    pub(crate) fn clamp_pos(&self, date: NaiveDate) -> usize {
        let offset = date.signed_duration_since(self.first_day).num_days();
        usize::try_from(offset).map_or(0, |i| i.min(self.days.len()))
    }

    /// The first position counted for a start date.
    pub(crate) fn start_pos(
        &self,
        start: NaiveDate,
        counting: Counting,
    ) -> Result<usize, CalendarError> {
        let i = self.pos(start)?;
        Ok(match counting {
            Counting::NextWorkingDay => i + 1,
            Counting::IncludingStartDay => i,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.days.len()
    }

    /// The date at an index below `len()`.
    pub(crate) fn date_at(&self, i: usize) -> NaiveDate {
        self.first_day
            .checked_add_days(Days::new(i as u64))
            .expect("indices below len() are dates of loaded years")
    }

    pub(crate) fn day_at(&self, i: usize) -> Option<Day> {
        self.days.get(i).copied()
    }

    pub(crate) fn rule_at(&self, i: usize) -> Option<&DayRule> {
        let (yi, ri) = self.days.get(i)?.rule?;
        self.years.get(yi)?.days.get(ri)
    }

    /// Working days in positions `[a, b)`.
    pub(crate) fn working(&self, a: usize, b: usize) -> u32 {
        let at = |p: usize| {
            self.prefix
                .get(p.min(self.days.len()))
                .copied()
                .unwrap_or(0)
        };
        at(b).saturating_sub(at(a))
    }

    /// The index of the `need`-th working day at or after position `p` (`need >= 1`).
    fn advance(&self, p: usize, need: u32) -> Result<usize, CalendarError> {
        let base = self.prefix.get(p).copied().unwrap_or(u32::MAX);
        let target = u64::from(base) + u64::from(need.max(1));
        // The first boundary whose count reaches the target sits right after the due day.
        let after = self.prefix.partition_point(|&c| u64::from(c) < target);
        if after == 0 || after > self.days.len() {
            return Err(CalendarError::YearMissing {
                year: self.last_year + 1,
            });
        }
        Ok(after - 1)
    }

    /// The due day of `need` working days counted from position `p0`, skipping the working
    /// days inside `skip` (sorted, disjoint position ranges `[a, b)` with `a >= p0`).
    /// O(k log n) for k ranges.
    pub(crate) fn due_from(
        &self,
        p0: usize,
        need: u32,
        skip: &[(usize, usize)],
    ) -> Result<usize, CalendarError> {
        let (mut p, mut need) = (p0, need.max(1));
        for &(a, b) in skip {
            let candidate = self.advance(p, need)?;
            if candidate < a {
                return Ok(candidate);
            }
            // Fewer than `need` working days lie in [p, a), so `need` stays >= 1.
            need -= self.working(p, a);
            p = b.max(p);
        }
        self.advance(p, need)
    }

    /// Working days in `[p0, t)` outside the `skip` ranges.
    pub(crate) fn counted(&self, p0: usize, t: usize, skip: &[(usize, usize)]) -> u32 {
        if t <= p0 {
            return 0;
        }
        let skipped: u32 = skip
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (a.max(p0), b.min(t));
                if a < b {
                    self.working(a, b)
                } else {
                    0
                }
            })
            .sum();
        self.working(p0, t).saturating_sub(skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::DayKind;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn n(k: u32) -> WorkingDays {
        WorkingDays::new(k).expect("valid count")
    }

    #[test]
    fn shipped_calendar_covers_2024_to_2026() {
        let cal = Calendar::shipped();
        assert_eq!((cal.first_year(), cal.last_year()), (2024, 2026));
        assert_eq!(cal.version(), Some("2026.1"));
        assert_eq!(
            cal.year(2025).map(|y| y.notice.as_str()),
            Some("国办发明电〔2024〕12号")
        );
        assert!(cal.year(2027).is_none());
    }

    #[test]
    fn working_day_lookups() {
        let cal = Calendar::shipped();
        assert_eq!(cal.is_working_day(d(2026, 2, 14)), Ok(true)); // Saturday, 调休上班
        assert_eq!(cal.is_working_day(d(2026, 2, 16)), Ok(false)); // Monday, 春节
        assert_eq!(cal.is_working_day(d(2026, 3, 7)), Ok(false)); // ordinary Saturday
        assert_eq!(cal.is_working_day(d(2026, 3, 9)), Ok(true)); // ordinary Monday
        assert_eq!(
            cal.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearMissing { year: 2027 })
        );
        assert_eq!(
            cal.is_working_day(d(2023, 12, 29)),
            Err(CalendarError::YearMissing { year: 2023 })
        );
    }

    #[test]
    fn yearly_working_day_totals() {
        // Counted by hand: weekdays − holidays on weekdays + make-up days.
        // 2024: 262 − 19 + 8; 2025: 261 − 18 + 5; 2026: 261 − 19 + 6.
        let cal = Calendar::shipped();
        let total = |y| cal.working_days_between(d(y - 1, 12, 31), d(y, 12, 31));
        assert_eq!(total(2025), Ok(248));
        assert_eq!(total(2026), Ok(248));
        // 2024-01-01 itself is a holiday, so counting from 01-01 loses nothing.
        assert_eq!(
            cal.working_days_between(d(2024, 1, 1), d(2024, 12, 31)),
            Ok(251)
        );
    }

    #[test]
    fn counting_conventions() {
        let cal = Calendar::shipped();
        // Monday 2026-03-02: the next working day is Tuesday.
        assert_eq!(
            cal.due(d(2026, 3, 2), n(1), Counting::NextWorkingDay),
            Ok(d(2026, 3, 3))
        );
        assert_eq!(
            cal.due(d(2026, 3, 2), n(1), Counting::IncludingStartDay),
            Ok(d(2026, 3, 2))
        );
        // A Saturday start counts from Monday either way.
        assert_eq!(
            cal.due(d(2026, 3, 7), n(1), Counting::NextWorkingDay),
            Ok(d(2026, 3, 9))
        );
        assert_eq!(
            cal.due(d(2026, 3, 7), n(1), Counting::IncludingStartDay),
            Ok(d(2026, 3, 9))
        );
    }

    #[test]
    fn between_is_zero_backwards() {
        let cal = Calendar::shipped();
        assert_eq!(
            cal.working_days_between(d(2026, 3, 9), d(2026, 3, 9)),
            Ok(0)
        );
        assert_eq!(
            cal.working_days_between(d(2026, 3, 9), d(2026, 3, 2)),
            Ok(0)
        );
        assert_eq!(
            cal.working_days_between(d(2026, 3, 6), d(2026, 3, 9)),
            Ok(1)
        );
    }

    #[test]
    fn running_off_the_end_names_the_next_year() {
        let cal = Calendar::shipped();
        assert_eq!(
            cal.due(d(2026, 12, 31), n(1), Counting::NextWorkingDay),
            Err(CalendarError::YearMissing { year: 2027 })
        );
        assert_eq!(
            cal.working_days_between(d(2026, 12, 1), d(2027, 1, 5)),
            Err(CalendarError::YearMissing { year: 2027 })
        );
    }

    #[test]
    fn building_checks_years() {
        let y = |year| YearCalendar::new(year, "n", vec![]).expect("valid year");
        assert_eq!(Calendar::new(vec![]).unwrap_err(), CalendarError::Empty);
        assert_eq!(
            Calendar::new(vec![y(2024), y(2026)]).unwrap_err(),
            CalendarError::YearGap { year: 2025 }
        );
        assert_eq!(
            Calendar::new(vec![y(2024), y(2024)]).unwrap_err(),
            CalendarError::DuplicateYear { year: 2024 }
        );
        // Order does not matter.
        let cal = Calendar::new(vec![y(2025), y(2024)]).expect("contiguous");
        assert_eq!((cal.first_year(), cal.last_year()), (2024, 2025));
        assert_eq!(cal.version(), None);
        // Calendar::new re-validates years that bypassed YearCalendar::new (serde, struct literal).
        let bad = YearCalendar {
            year: 2024,
            notice: "n".into(),
            days: vec![DayRule {
                date: d(2024, 3, 4),
                kind: DayKind::MakeupWorkday,
                name: "x".into(),
            }],
        };
        assert_eq!(
            Calendar::new(vec![bad]).unwrap_err(),
            CalendarError::MakeupNotWeekend {
                date: d(2024, 3, 4)
            }
        );
    }

    #[test]
    fn local_rules_change_working_days() {
        let closure = DayRule {
            date: d(2024, 3, 4),
            kind: DayKind::LocalClosure,
            name: "台风停止办公".into(),
        };
        let extra = DayRule {
            date: d(2024, 3, 9),
            kind: DayKind::ExtraWorkday,
            name: "集中办理".into(),
        };
        let cal = Calendar::new(vec![
            YearCalendar::new(2024, "n", vec![closure, extra]).expect("valid")
        ])
        .expect("builds");
        assert_eq!(cal.is_working_day(d(2024, 3, 4)), Ok(false));
        assert_eq!(cal.is_working_day(d(2024, 3, 9)), Ok(true));
        assert_eq!(
            cal.rule(d(2024, 3, 4))
                .ok()
                .flatten()
                .map(|r| r.name.as_str()),
            Some("台风停止办公")
        );
        // Friday 03-01 + 1: Monday 03-04 is closed, so Tuesday.
        assert_eq!(
            cal.due(d(2024, 3, 1), n(1), Counting::NextWorkingDay),
            Ok(d(2024, 3, 5))
        );
    }
}
