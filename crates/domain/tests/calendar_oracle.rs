//! The calendar against an independent oracle: the `chinese_holiday` crate (2004-01-01 to
//! 2026-12-25). The shipped 2024–2026 data must agree with it day by day, and the arithmetic,
//! run on a 2004–2026 calendar, must agree with a naive day-by-day loop driven by the oracle.

use chinese_holiday::{chinese_holiday, DayKind as Oracle};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use proptest::prelude::*;
use std::sync::LazyLock;
use tongban_domain::calendar::{
    Calendar, CalendarError, Counting, DayKind, DayRule, LimitKind, StatutoryClock, Suspension,
    SuspensionKind, Verdict, WorkingDays, YearCalendar,
};

const ORACLE_LAST: (i32, u32, u32) = (2026, 12, 25);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn oracle_last() -> NaiveDate {
    d(ORACLE_LAST.0, ORACLE_LAST.1, ORACLE_LAST.2)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Oracle answer for any date of 2004–2026. The crate stops at 12-25; the shipped 2026 notice
/// has nothing after October, so the rest of December is plain weekdays.
fn oracle_working(date: NaiveDate) -> bool {
    if date > oracle_last() {
        !is_weekend(date)
    } else {
        chinese_holiday(&date).is_workday()
    }
}

fn holiday_name(kind: Oracle) -> Option<&'static str> {
    Some(match kind {
        Oracle::NewYearsDayHoliday => "元旦",
        Oracle::SpringFestivalHoliday => "春节",
        Oracle::ChingMingFestivalHoliday => "清明节",
        Oracle::InternationalWorkersDayHoliday => "劳动节",
        Oracle::DragonBoatFestivalHoliday => "端午节",
        Oracle::MidAutumnFestivalHoliday => "中秋节",
        Oracle::NationalDayHoliday => "国庆节",
        Oracle::OtherHoliday => "其他假日",
        _ => return None,
    })
}

/// Years 2004–2023 built from the oracle itself, plus the shipped 2024–2026.
static FULL: LazyLock<Calendar> = LazyLock::new(|| {
    let mut years: Vec<YearCalendar> = (2004..=2023)
        .map(|year| {
            let rules = d(year, 1, 1)
                .iter_days()
                .take_while(|x| x.year() == year)
                .filter_map(|date| {
                    let kind = chinese_holiday(&date);
                    if let Some(name) = holiday_name(kind) {
                        Some(DayRule {
                            date,
                            kind: DayKind::Holiday,
                            name: name.into(),
                        })
                    } else if kind.is_workday() && is_weekend(date) {
                        Some(DayRule {
                            date,
                            kind: DayKind::MakeupWorkday,
                            name: "调休上班".into(),
                        })
                    } else {
                        None
                    }
                })
                .collect();
            YearCalendar::new(year, "chinese_holiday oracle", rules)
                .expect("oracle years are valid")
        })
        .collect();
    years.extend(Calendar::shipped().years().iter().cloned());
    Calendar::new(years).expect("2004–2026 is contiguous")
});

fn all_days() -> impl Iterator<Item = NaiveDate> {
    d(2004, 1, 1)
        .iter_days()
        .take_while(|x| *x <= d(2026, 12, 31))
}

#[test]
fn shipped_data_equals_the_oracle_2024_to_2026() {
    let cal = Calendar::shipped();
    for date in d(2024, 1, 1)
        .iter_days()
        .take_while(|x| *x <= oracle_last())
    {
        let kind = chinese_holiday(&date);
        let rule = cal.rule(date).expect("loaded");
        let special = !matches!(kind, Oracle::NormalWorkday | Oracle::NormalHoliday);
        assert_eq!(
            rule.is_some(),
            special,
            "{date}: rule {rule:?} vs oracle {kind:?}"
        );
        assert_eq!(cal.is_working_day(date), Ok(kind.is_workday()), "{date}");
        if let Some(rule) = rule {
            let expected = match holiday_name(kind) {
                Some(name) => (DayKind::Holiday, name),
                None => (DayKind::MakeupWorkday, "调休上班"),
            };
            assert_eq!(rule.kind, expected.0, "{date}");
            assert!(
                rule.name.contains(expected.1),
                "{date}: {} lacks {}",
                rule.name,
                expected.1
            );
        }
    }
    for date in oracle_last()
        .iter_days()
        .skip(1)
        .take_while(|x| x.year() == 2026)
    {
        assert_eq!(cal.rule(date), Ok(None), "{date}");
    }
}

#[test]
fn every_day_2004_to_2026_matches_the_oracle() {
    for date in all_days() {
        assert_eq!(
            FULL.is_working_day(date),
            Ok(oracle_working(date)),
            "{date}"
        );
    }
    assert_eq!(
        FULL.is_working_day(d(2003, 12, 31)),
        Err(CalendarError::YearMissing { year: 2003 })
    );
    assert_eq!(
        FULL.is_working_day(d(2027, 1, 1)),
        Err(CalendarError::YearMissing { year: 2027 })
    );
}

/// Day-by-day due date; `None` when it runs past 2026.
fn naive_due(
    start: NaiveDate,
    n: u32,
    counting: Counting,
    suspended: &[(NaiveDate, NaiveDate)],
) -> Option<NaiveDate> {
    let counts =
        |x: NaiveDate| oracle_working(x) && !suspended.iter().any(|(a, b)| *a <= x && x <= *b);
    let mut left = n;
    let mut day = start;
    if counting == Counting::IncludingStartDay && counts(day) {
        left -= 1;
        if left == 0 {
            return Some(day);
        }
    }
    loop {
        day = day.succ_opt()?;
        if day.year() > 2026 {
            return None;
        }
        if counts(day) {
            left -= 1;
            if left == 0 {
                return Some(day);
            }
        }
    }
}

fn naive_between(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|x| *x <= to)
        .filter(|x| oracle_working(*x))
        .count() as u32
}

fn date_in_range() -> impl Strategy<Value = NaiveDate> {
    let span = (d(2026, 12, 31) - d(2004, 1, 1)).num_days();
    (0..=span).prop_map(|k| d(2004, 1, 1) + chrono::Duration::days(k))
}

fn counting() -> impl Strategy<Value = Counting> {
    prop_oneof![
        Just(Counting::NextWorkingDay),
        Just(Counting::IncludingStartDay)
    ]
}

/// A Shanghai wall-clock instant on `date` at `hour`.
fn shanghai(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .from_local_datetime(&date.and_hms_opt(hour, 0, 0).expect("valid hour"))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn is_working_day_matches_oracle(date in date_in_range()) {
        prop_assert_eq!(FULL.is_working_day(date), Ok(oracle_working(date)));
    }

    #[test]
    fn add_working_days_matches_naive_loop(
        start in date_in_range(), n in 1u32..=400, hour in 0u32..24, counting in counting()
    ) {
        let got = FULL.add_working_days(shanghai(start, hour), WorkingDays::new(n).expect("1..=400"), counting);
        match naive_due(start, n, counting, &[]) {
            Some(due) => prop_assert_eq!(got, Ok(due)),
            None => prop_assert_eq!(got, Err(CalendarError::YearMissing { year: 2027 })),
        }
    }

    #[test]
    fn between_matches_naive_loop(from in date_in_range(), len in -30i64..=800) {
        let to = from + chrono::Duration::days(len);
        let got = FULL.working_days_between(from, to);
        if to.year() > 2026 && to > from {
            prop_assert_eq!(got, Err(CalendarError::YearMissing { year: to.year() }));
        } else {
            prop_assert_eq!(got, Ok(naive_between(from, to)));
        }
    }

    #[test]
    fn due_and_between_are_inverse(start in date_in_range(), n in 1u32..=3650) {
        let n_days = WorkingDays::new(n).expect("in range");
        if let Ok(due) = FULL.due(start, n_days, Counting::NextWorkingDay) {
            prop_assert_eq!(FULL.is_working_day(due), Ok(true));
            prop_assert_eq!(FULL.working_days_between(start, due), Ok(n));
        }
    }

    /// The clock with suspensions and extensions against the naive loop, and its explanation
    /// against its due date.
    #[test]
    fn clock_matches_naive_loop(
        start in date_in_range(),
        limit in 1u32..=60,
        extra in proptest::option::of(1u32..=15),
        counting in counting(),
        raw in proptest::collection::vec((-5i64..80, 0i64..25, 0u32..24, 0u32..24), 0..4),
    ) {
        let mut clock = StatutoryClock::new(shanghai(start, 9), WorkingDays::new(limit).expect("in range"), LimitKind::Statutory);
        clock.counting = counting;
        if let Some(e) = extra {
            clock.extensions.push(tongban_domain::calendar::Extension {
                days: WorkingDays::new(e).expect("in range"),
                approver: "负责人".into(),
                reason: "情况复杂".into(),
                at: shanghai(start, 10),
            });
        }
        let mut spans = Vec::new();
        for (offset, len, h1, h2) in raw {
            let a = start + chrono::Duration::days(offset);
            let b = a + chrono::Duration::days(len);
            let (s, e) = (shanghai(a, h1), shanghai(b, h2));
            if e < s { continue; }
            clock.suspensions.push(Suspension {
                counting: Default::default(),
                kind: SuspensionKind::ExpertReview,
                reason: String::new(),
                started_by: "审批科".into(),
                start: s,
                end: Some(e),
                ended_by: Some("审批科".into()),
            });
            // Clipped to after the start (before-start days never count anyway).
            spans.push((a, b));
        }
        let total = limit + extra.unwrap_or(0);
        let now = shanghai(start, 12);
        let got = clock.due_date(&FULL, now);
        match naive_due(start, total, counting, &spans) {
            Some(due) => {
                prop_assert_eq!(&got, &Ok(due));
                let ex = clock.explain(&FULL, now).expect("explains when due computes");
                prop_assert_eq!(ex.due_date, due);
                let last_counted = ex.lines().iter().rev().find_map(|l| match l.verdict {
                    Verdict::Counted { last, .. } => Some((l.to, last)),
                    _ => None,
                });
                prop_assert_eq!(last_counted, Some((due, total)));
                // Lines tile the span without gaps.
                for pair in ex.lines().windows(2) {
                    prop_assert_eq!(pair[0].to.succ_opt(), Some(pair[1].from));
                }
            }
            None => prop_assert_eq!(got, Err(CalendarError::YearMissing { year: 2027 })),
        }
    }
}
