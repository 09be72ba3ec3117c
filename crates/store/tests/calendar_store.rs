//! The stored working-day calendar, against every backend: SQLite always, PostgreSQL when
//! `TONGBAN_TEST_DATABASE_URL` is set (each test in a fresh schema).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::{parse_holidays, DayKind, DayRule, YearCalendar, SHIPPED_DATA};
use tongban_store::{Store, StoreError};

mod common;
use common::backends;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "admin".into(),
        role: "admin".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn shipped() -> Vec<YearCalendar> {
    parse_holidays(SHIPPED_DATA).unwrap().years
}

/// Runs a write and checks it advanced the audit head by exactly one record.
async fn audited<F: std::future::Future<Output = Result<(), StoreError>>>(store: &Store, write: F) {
    let (before, _) = store.audit_head().await.unwrap();
    write.await.unwrap();
    let (after, _) = store.audit_head().await.unwrap();
    assert_eq!(after, before + 1, "one audit record per calendar write");
}

#[tokio::test]
async fn years_round_trip_and_are_replaced_whole() {
    for db in backends().await {
        let s = &db.store;
        assert!(s.calendar_years().await.unwrap().is_empty());
        let years = shipped();
        for y in &years {
            audited(
                s,
                s.put_calendar_year(y, "shipped:2026.1", t0(), entry("calendar.put_year")),
            )
            .await;
        }
        assert_eq!(s.calendar_years().await.unwrap(), years, "{:?}", s.kind());

        // Replacing 2026 drops every old rule of 2026 and leaves the other years alone.
        let new_2026 = YearCalendar::new(
            2026,
            "测试通知〔2026〕1号",
            vec![
                DayRule {
                    date: d(2026, 1, 1),
                    kind: DayKind::Holiday,
                    name: "元旦".into(),
                },
                DayRule {
                    date: d(2026, 1, 4),
                    kind: DayKind::MakeupWorkday,
                    name: "元旦调休上班".into(),
                },
            ],
        )
        .unwrap();
        audited(
            s,
            s.put_calendar_year(&new_2026, "admin", t0(), entry("calendar.put_year")),
        )
        .await;
        let stored = s.calendar_years().await.unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(stored[0], years[0]);
        assert_eq!(stored[1], years[1]);
        assert_eq!(stored[2], new_2026);

        // A year without rules reads back as such (the LEFT JOIN keeps it).
        let empty = YearCalendar::new(2027, "空", vec![]).unwrap();
        audited(
            s,
            s.put_calendar_year(&empty, "admin", t0(), entry("calendar.put_year")),
        )
        .await;
        assert_eq!(s.calendar_years().await.unwrap()[3], empty);
    }
}

#[tokio::test]
async fn a_failed_replacement_changes_nothing() {
    for db in backends().await {
        let s = &db.store;
        let years = shipped();
        s.put_calendar_year(
            &years[2],
            "shipped:2026.1",
            t0(),
            entry("calendar.put_year"),
        )
        .await
        .unwrap();
        let (head, _) = s.audit_head().await.unwrap();
        // Invalid years are refused before any row is touched.
        let bad = YearCalendar {
            year: 2026,
            notice: "n".into(),
            days: vec![DayRule {
                date: d(2026, 2, 16),
                kind: DayKind::MakeupWorkday,
                name: "x".into(),
            }],
        };
        let err = s
            .put_calendar_year(&bad, "admin", t0(), entry("calendar.put_year"))
            .await;
        assert!(matches!(err, Err(StoreError::Corrupt(_))), "{err:?}");
        // A replacement that fails after deleting the old rules (here: its audit record cannot
        // be written) must roll the deletion back.
        db.exec_raw("DROP TABLE audit_log").await;
        let new_2026 = YearCalendar::new(2026, "n", vec![]).unwrap();
        let err = s
            .put_calendar_year(&new_2026, "admin", t0(), entry("calendar.put_year"))
            .await;
        assert!(err.is_err());
        assert_eq!(
            s.calendar_years().await.unwrap(),
            vec![years[2].clone()],
            "{:?}",
            s.kind()
        );
        assert_eq!(s.audit_head().await.unwrap().0, head);
    }
}

#[tokio::test]
async fn days_are_upserted_and_deleted() {
    for db in backends().await {
        let s = &db.store;
        let years = shipped();
        let y2026 = years[2].clone();
        s.put_calendar_year(&y2026, "shipped:2026.1", t0(), entry("calendar.put_year"))
            .await
            .unwrap();

        // A typhoon closure on a Tuesday: a new rule.
        let typhoon = DayRule {
            date: d(2026, 9, 15),
            kind: DayKind::LocalClosure,
            name: "台风停工".into(),
        };
        assert!(y2026.rule(typhoon.date).is_none());
        audited(
            s,
            s.upsert_calendar_day(2026, &typhoon, entry("calendar.set_day")),
        )
        .await;
        let stored = s.calendar_years().await.unwrap();
        assert_eq!(stored[0].rule(typhoon.date), Some(&typhoon));
        assert_eq!(stored[0].days.len(), y2026.days.len() + 1);

        // Replacing an existing rule keeps one row for the date.
        let fixed = DayRule {
            date: d(2026, 9, 15),
            kind: DayKind::ExtraWorkday,
            name: "补办".into(),
        };
        audited(
            s,
            s.upsert_calendar_day(2026, &fixed, entry("calendar.set_day")),
        )
        .await;
        let stored = s.calendar_years().await.unwrap();
        assert_eq!(stored[0].rule(fixed.date), Some(&fixed));
        assert_eq!(stored[0].days.len(), y2026.days.len() + 1);

        // Deleting it restores the year as shipped.
        audited(
            s,
            s.delete_calendar_day(fixed.date, entry("calendar.remove_day")),
        )
        .await;
        assert_eq!(s.calendar_years().await.unwrap(), vec![y2026.clone()]);

        // Nothing to delete, or a year not loaded: not found, and no audit record.
        let (head, _) = s.audit_head().await.unwrap();
        let err = s
            .delete_calendar_day(fixed.date, entry("calendar.remove_day"))
            .await;
        assert!(matches!(err, Err(StoreError::NotFound(_))), "{err:?}");
        let y2030 = DayRule {
            date: d(2030, 3, 5),
            kind: DayKind::LocalClosure,
            name: "台风".into(),
        };
        let err = s
            .upsert_calendar_day(2030, &y2030, entry("calendar.set_day"))
            .await;
        assert!(matches!(err, Err(StoreError::NotFound(_))), "{err:?}");
        // A rule filed under the wrong year is refused.
        let err = s
            .upsert_calendar_day(2026, &y2030, entry("calendar.set_day"))
            .await;
        assert!(matches!(err, Err(StoreError::Corrupt(_))), "{err:?}");
        assert_eq!(s.audit_head().await.unwrap().0, head);
        assert_eq!(s.calendar_years().await.unwrap(), vec![y2026]);
    }
}

#[tokio::test]
async fn bad_stored_rows_are_corrupt() {
    for db in backends().await {
        let s = &db.store;
        let years = shipped();
        s.put_calendar_year(
            &years[2],
            "shipped:2026.1",
            t0(),
            entry("calendar.put_year"),
        )
        .await
        .unwrap();
        for (tamper, undo) in [
            (
                "UPDATE calendar_days SET kind = 'weekend' WHERE date = '2026-01-01'",
                "UPDATE calendar_days SET kind = 'holiday' WHERE date = '2026-01-01'",
            ),
            (
                "UPDATE calendar_days SET date = '2026-13-01' WHERE date = '2026-01-01'",
                "UPDATE calendar_days SET date = '2026-01-01' WHERE date = '2026-13-01'",
            ),
            // A make-up day moved to a Monday breaks the domain's rule.
            (
                "UPDATE calendar_days SET date = '2026-01-05' WHERE date = '2026-01-04'",
                "UPDATE calendar_days SET date = '2026-01-04' WHERE date = '2026-01-05'",
            ),
            // A rule filed under the wrong year.
            (
                "UPDATE calendar_days SET date = '2025-12-31' WHERE date = '2026-01-01'",
                "UPDATE calendar_days SET date = '2026-01-01' WHERE date = '2025-12-31'",
            ),
            (
                "UPDATE calendar_years SET notice = '' WHERE year = 2026",
                "UPDATE calendar_years SET notice = 'n' WHERE year = 2026",
            ),
        ] {
            db.exec_raw(tamper).await;
            let err = s.calendar_years().await;
            assert!(
                matches!(err, Err(StoreError::Corrupt(_))),
                "{tamper}: {err:?}"
            );
            db.exec_raw(undo).await;
            assert!(s.calendar_years().await.is_ok(), "{undo}");
        }
    }
}
