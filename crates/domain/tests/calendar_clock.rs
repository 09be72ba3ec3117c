//! Hand-checked due dates across the long holidays, suspensions, extensions and missing years.
//! Each expected date was counted on a paper calendar; the comments show the count.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_domain::calendar::{
    Calendar, CalendarError, Counting, Extension, LimitKind, StatutoryClock, Suspension,
    SuspensionKind, Verdict, WorkingDays,
};
use tongban_domain::codes;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn n(k: u32) -> WorkingDays {
    WorkingDays::new(k).expect("valid count")
}

/// Shanghai wall-clock time.
fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(y, m, day, h, 0, 0)
        .single()
        .expect("valid test time")
        .with_timezone(&Utc)
}

fn due(start: NaiveDate, k: u32) -> Result<NaiveDate, CalendarError> {
    Calendar::shipped().due(start, n(k), Counting::NextWorkingDay)
}

#[test]
fn national_day_2025() {
    // Fri 09-26 start; 09-27 Sat off; 09-28 Sun 调休 1; 09-29 2; 09-30 3; 10-01…10-08 off;
    // 10-09 4; 10-10 5.
    assert_eq!(due(d(2025, 9, 26), 5), Ok(d(2025, 10, 10)));
    // …10-11 Sat 调休 6; 10-13…17 7–11; 10-20…24 12–16; 10-27…30 17–20.
    assert_eq!(due(d(2025, 9, 26), 20), Ok(d(2025, 10, 30)));
    // Counting the start day: 09-26 1; 09-28 2; 09-29 3; 09-30 4; 10-09 5.
    let cal = Calendar::shipped();
    assert_eq!(
        cal.due(d(2025, 9, 26), n(5), Counting::IncludingStartDay),
        Ok(d(2025, 10, 9))
    );
}

#[test]
fn spring_festival_2025() {
    // Fri 01-24 start; 01-25 Sat off; 01-26 Sun 调休 1; 01-27 2; 01-28…02-04 off; 02-05 3;
    // 02-06 4; 02-07 5; 02-08 Sat 调休 6.
    assert_eq!(due(d(2025, 1, 24), 5), Ok(d(2025, 2, 7)));
    assert_eq!(due(d(2025, 1, 24), 6), Ok(d(2025, 2, 8)));
}

#[test]
fn spring_festival_2026() {
    // Tue 02-10 start; 02-11…13 1–3; 02-14 Sat 调休 4; 02-15…23 off; 02-24 5.
    assert_eq!(due(d(2026, 2, 10), 5), Ok(d(2026, 2, 24)));
    // …02-25…27 6–8; 02-28 Sat 调休 9; 03-02…06 10–14; 03-09…13 15–19; 03-16 20.
    assert_eq!(due(d(2026, 2, 10), 20), Ok(d(2026, 3, 16)));
}

#[test]
fn national_day_2026() {
    // Fri 09-18 start; 09-20 Sun 调休 1; 09-21…24 2–5; 09-25…27 中秋 off; 09-28…30 6–8;
    // 10-01…07 off; 10-08 9; 10-09 10; 10-10 Sat 调休 11; 10-12…16 12–16; 10-19…22 17–20.
    assert_eq!(due(d(2026, 9, 18), 20), Ok(d(2026, 10, 22)));
}

#[test]
fn working_days_between_across_holidays() {
    let cal = Calendar::shipped();
    // After 02-10 up to 02-24: 02-11, 12, 13, 14 (调休), 24.
    assert_eq!(
        cal.working_days_between(d(2026, 2, 10), d(2026, 2, 24)),
        Ok(5)
    );
    // The whole 2025 National Day week: only the two make-up weekend days count.
    assert_eq!(
        cal.working_days_between(d(2025, 9, 27), d(2025, 10, 8)),
        Ok(3)
    ); // 09-28, 29, 30
    assert_eq!(
        cal.working_days_between(d(2025, 9, 30), d(2025, 10, 11)),
        Ok(3)
    ); // 10-09, 10, 11
}

fn review(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Suspension {
    Suspension {
        counting: Default::default(),
        kind: SuspensionKind::ExpertReview,
        reason: "组织专家评审".into(),
        started_by: "审批科 张三".into(),
        start,
        end,
        ended_by: end.map(|_| "审批科 张三".into()),
    }
}

fn clock_2026_02_10() -> StatutoryClock {
    StatutoryClock::new(at(2026, 2, 10, 9), n(20), LimitKind::Statutory)
}

#[test]
fn suspension_straddling_spring_festival() {
    let cal = Calendar::shipped();
    let mut clock = clock_2026_02_10();
    assert_eq!(clock.due_date(&cal, at(2026, 2, 10, 9)), Ok(d(2026, 3, 16)));
    // Suspended Fri 02-13 10:00 to Wed 02-25 17:00: the working days lost are 02-13, 02-14
    // (调休), 02-24, 02-25 — four — so 03-16 moves four working days to Fri 03-20.
    clock
        .suspensions
        .push(review(at(2026, 2, 13, 10), Some(at(2026, 2, 25, 17))));
    let now = at(2026, 3, 2, 9);
    assert_eq!(clock.due_date(&cal, now), Ok(d(2026, 3, 20)));
    let ex = clock.explain(&cal, now).expect("explains");
    let texts: Vec<&str> = ex.lines().iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "2026-02-10 周二 起算日（次日起算），不计入",
            "2026-02-11…02-12 工作日 计入第1–2日",
            "2026-02-13…02-14 中止计时（专家评审） 不计入",
            "2026-02-15…02-23 春节 不计入",
            "2026-02-24…02-25 中止计时（专家评审） 不计入",
            "2026-02-26…02-27 工作日 计入第3–4日",
            "2026-02-28 周六 春节调休上班 计入第5日",
            "2026-03-01 周日 周末 不计入",
            "2026-03-02…03-06 工作日 计入第6–10日",
            "2026-03-07…03-08 周末 不计入",
            "2026-03-09…03-13 工作日 计入第11–15日",
            "2026-03-14…03-15 周末 不计入",
            "2026-03-16…03-20 工作日 计入第16–20日",
        ]
    );
}

#[test]
fn open_suspension_over_the_holiday_pushes_day_by_day() {
    let cal = Calendar::shipped();
    let mut clock = clock_2026_02_10();
    clock.suspensions.push(review(at(2026, 2, 13, 10), None));
    // Still suspended on Mon 02-23 (春节): lost so far 02-13, 02-14 → due 03-16 + 2 = 03-18.
    let s = clock.status(&cal, at(2026, 2, 23, 10)).expect("status");
    assert!(s.suspended);
    assert_eq!(
        (s.due_date, s.elapsed_days, s.remaining_days),
        (d(2026, 3, 18), 2, 18)
    );
    // Still suspended on Wed 02-25: 02-24 and 02-25 lost too → 03-20.
    let s = clock.status(&cal, at(2026, 2, 25, 10)).expect("status");
    assert_eq!(s.due_date, d(2026, 3, 20));
    assert_eq!(s.elapsed_days, 2);
}

#[test]
fn extensions_add_working_days() {
    let cal = Calendar::shipped();
    let mut clock = clock_2026_02_10();
    clock.extensions.push(Extension {
        days: n(10),
        approver: "局长 李四".into(),
        reason: "需要现场核查，已告知申请人".into(),
        at: at(2026, 3, 10, 9),
    });
    // 03-16 + 10: 03-17…20 (4), 03-23…27 (9), 03-30 (10).
    assert_eq!(clock.total_days(), 30);
    assert_eq!(clock.due_date(&cal, at(2026, 3, 10, 9)), Ok(d(2026, 3, 30)));
    // With the Spring Festival suspension too: 03-20 + 10 → 03-23…27, 03-30…04-03.
    clock
        .suspensions
        .push(review(at(2026, 2, 13, 10), Some(at(2026, 2, 25, 17))));
    assert_eq!(clock.due_date(&cal, at(2026, 3, 10, 9)), Ok(d(2026, 4, 3)));
    // One more day jumps 清明 (04-04…06): Tue 04-07.
    clock.extensions[0].days = n(11);
    assert_eq!(clock.due_date(&cal, at(2026, 3, 10, 9)), Ok(d(2026, 4, 7)));
}

#[test]
fn status_through_the_life_of_a_clock() {
    let cal = Calendar::shipped();
    let clock = clock_2026_02_10();
    // During the holiday nothing elapses: 02-11…02-14 are days 1–4.
    let s = clock.status(&cal, at(2026, 2, 20, 10)).expect("status");
    assert_eq!(
        (s.elapsed_days, s.remaining_days, s.overdue),
        (4, 16, false)
    );
    assert!((s.fraction_elapsed - 0.2).abs() < 1e-9);
    // Due 03-16; on 03-18 two working days past.
    let s = clock.status(&cal, at(2026, 3, 18, 10)).expect("status");
    assert_eq!((s.overdue, s.overdue_by, s.remaining_days), (true, 2, -2));
    // Overdue explanations run to today.
    let ex = clock.explain(&cal, at(2026, 3, 18, 10)).expect("explains");
    let last = ex.lines().last().expect("has lines");
    assert_eq!(last.verdict, Verdict::Overdue { first: 1, last: 2 });
    assert_eq!(last.text, "2026-03-17…03-18 工作日 超期第1–2日");
}

#[test]
fn running_into_2027_names_2027() {
    let cal = Calendar::shipped();
    let err = cal
        .due(d(2026, 12, 20), n(20), Counting::NextWorkingDay)
        .unwrap_err();
    assert_eq!(err, CalendarError::YearMissing { year: 2027 });
    assert_eq!(
        err.to_string(),
        "2027 年的节假日安排尚未载入，无法计算工作日"
    );
    assert_eq!(err.code(), codes::Calendar::YearMissing);
    // The last working day of 2026 is still reachable.
    assert_eq!(
        cal.due(d(2026, 12, 20), n(9), Counting::NextWorkingDay),
        Ok(d(2026, 12, 31))
    );
    // A clock started in 2023 cannot be computed with 2024–2026 loaded.
    let clock = StatutoryClock::new(at(2023, 12, 28, 9), n(5), LimitKind::Committed);
    assert_eq!(
        clock.due_date(&cal, at(2024, 1, 2, 9)),
        Err(CalendarError::YearMissing { year: 2023 })
    );
    // A suspension lasting into 2027 cannot be resolved either.
    let mut clock = StatutoryClock::new(at(2026, 12, 1, 9), n(5), LimitKind::Statutory);
    clock
        .suspensions
        .push(review(at(2026, 12, 2, 9), Some(at(2027, 1, 6, 9))));
    assert_eq!(
        clock.due_date(&cal, at(2026, 12, 2, 9)),
        Err(CalendarError::YearMissing { year: 2027 })
    );
}

#[test]
fn explain_spring_festival_2026_has_makeup_and_holiday_lines() {
    let cal = Calendar::shipped();
    let ex = cal
        .explain_due(d(2026, 2, 10), n(5), Counting::NextWorkingDay)
        .expect("explains");
    let makeup = ex
        .lines()
        .iter()
        .find(|l| l.from == d(2026, 2, 14))
        .expect("02-14 line");
    assert_eq!(makeup.to, d(2026, 2, 14));
    assert!(matches!(makeup.verdict, Verdict::Counted { .. }));
    assert!(makeup.text.contains("调休上班"), "{}", makeup.text);
    let holiday = ex
        .lines()
        .iter()
        .find(|l| l.from == d(2026, 2, 15))
        .expect("02-15 line");
    assert_eq!(holiday.to, d(2026, 2, 23));
    assert_eq!(
        holiday.verdict,
        Verdict::Skipped {
            reason: "春节".into()
        }
    );
    assert!(
        holiday.text.starts_with("2026-02-15…02-23 春节"),
        "{}",
        holiday.text
    );
    assert!(ex
        .to_string()
        .contains("2026-02-14 周六 春节调休上班 计入第4日"));
}
