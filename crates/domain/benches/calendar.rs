//! The calendar's arithmetic is prefix sums and a binary search, so its cost should not grow
//! with the span: compare 5 vs 200 working days, and 1 week vs 2 years.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use divan::{black_box, Bencher};
use tongban_domain::calendar::{
    Calendar, Counting, LimitKind, StatutoryClock, Suspension, SuspensionKind, WorkingDays,
};

fn main() {
    divan::main();
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 1).expect("valid date")
}

#[divan::bench(args = [5, 20, 200])]
fn due_date(bencher: Bencher, days: u32) {
    let cal = Calendar::shipped();
    let n = WorkingDays::new(days).expect("valid count");
    bencher.bench_local(|| cal.due(black_box(start()), black_box(n), Counting::NextWorkingDay));
}

/// Calendar days spanned: one week and two years.
#[divan::bench(args = [7, 730])]
fn working_days_between(bencher: Bencher, span: u64) {
    let cal = Calendar::shipped();
    let to = start().checked_add_days(Days::new(span)).expect("in range");
    bencher.bench_local(|| cal.working_days_between(black_box(start()), black_box(to)));
}

/// A 20-day clock with two suspensions: the supervision board computes this per case.
#[divan::bench]
fn clock_status(bencher: Bencher) {
    let cal = Calendar::shipped();
    let t = |d: u32, h: u32| {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0)
            .single()
            .expect("valid")
    };
    let suspension = |a, b| Suspension {
        counting: Default::default(),
        kind: SuspensionKind::Testing,
        reason: String::new(),
        started_by: "审批科".into(),
        start: a,
        end: Some(b),
        ended_by: Some("审批科".into()),
    };
    let mut clock = StatutoryClock::new(
        t(2, 1),
        WorkingDays::new(20).expect("valid"),
        LimitKind::Statutory,
    );
    clock.suspensions.push(suspension(t(4, 2), t(6, 8)));
    clock.suspensions.push(suspension(t(12, 2), t(17, 8)));
    let now = t(20, 3);
    bencher.bench_local(|| clock.status(black_box(&cal), black_box(now)));
}
