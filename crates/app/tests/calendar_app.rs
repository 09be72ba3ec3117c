//! The working-day calendar as administrators keep it, over a SQLite store.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_app::accounts::actor_of;
use tongban_app::{App, Clock, Kind};
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::{Calendar, DayKind};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_store::users::NewUser;
use tongban_store::{Options, Store};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An instant given as Shanghai wall-clock time.
fn shanghai(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(y, m, day, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

struct Fixture {
    app: App,
    admin: Actor,
    clerk: Actor,
}

async fn fixture_at(at: DateTime<Utc>) -> Fixture {
    let dir = std::env::temp_dir().join(format!(
        "tongban_calendar_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let store = Store::open(dir.to_str().unwrap(), &Options::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let mut actors = Vec::new();
    for (login, role) in [("admin", Role::Admin), ("clerk", Role::Clerk)] {
        let new = NewUser {
            login: login.into(),
            password_hash: "x".into(),
            name: format!("测试{login}"),
            role: Some(role),
            ..NewUser::default()
        };
        let audit = AuditEntry {
            at,
            actor: "system".into(),
            role: "system".into(),
            action: "user.create".into(),
            target: String::new(),
            summary: String::new(),
            region: None,
        };
        let id = store.create_user(&new, at, audit).await.unwrap();
        actors.push(actor_of(&store.user(id).await.unwrap().unwrap()));
    }
    let app = App::new(store, Clock::simulated_at(at)).await.unwrap();
    let clerk = actors.pop().unwrap();
    let admin = actors.pop().unwrap();
    Fixture { app, admin, clerk }
}

async fn fixture() -> Fixture {
    fixture_at(shanghai(2026, 3, 2, 9, 0)).await
}

async fn audit_seq(app: &App) -> i64 {
    app.store.audit_head().await.unwrap().0
}

/// 春节 2027-02-06..13 off and a 补班 on Sunday 2027-02-14, whose summary is folded (the
/// continuation line starts with a space, written `\x20` so the string escape keeps it).
const ICS_2027: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20270101\r\n\
SUMMARY:元旦\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20270206\r\n\
DTEND;VALUE=DATE:20270214\r\n\
SUMMARY:春节放假\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20270214\r\n\
DTEND;VALUE=DATE:20270215\r\n\
SUMMARY:春节调休\r\n\
\x20补班\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn the_shipped_calendar_is_in_force_until_stored_and_loads_once() {
    let f = fixture().await;
    let before = f.app.official_calendar().await.unwrap();
    assert_eq!(before.years(), Calendar::shipped().years());
    let seq = audit_seq(&f.app).await;
    assert_eq!(f.app.load_shipped_calendar().await.unwrap(), 3);
    assert_eq!(
        audit_seq(&f.app).await,
        seq + 3,
        "each stored year is audited"
    );
    assert_eq!(f.app.load_shipped_calendar().await.unwrap(), 0);
    assert_eq!(audit_seq(&f.app).await, seq + 3);
    let after = f.app.official_calendar().await.unwrap();
    assert_eq!(after.years(), Calendar::shipped().years());
    assert!(
        after.version().is_some_and(|v| v.starts_with("db-")),
        "{:?}",
        after.version()
    );
}

#[tokio::test]
async fn a_typhoon_closure_stops_the_working_day() {
    let f = fixture().await;
    // 2026-09-15 is a Tuesday.
    let date = d(2026, 9, 15);
    assert!(f
        .app
        .calendar()
        .await
        .unwrap()
        .is_working_day(date)
        .unwrap());
    let version = f.app.calendar().await.unwrap().version().map(String::from);
    f.app
        .calendar_set_day(&f.admin, "2026-09-15", "local_closure", " 台风停工 ")
        .await
        .unwrap();
    let cal = f.app.calendar().await.unwrap();
    assert!(!cal.is_working_day(date).unwrap());
    let rule = cal.rule(date).unwrap().unwrap();
    assert_eq!(
        (rule.kind, rule.name.as_str()),
        (DayKind::LocalClosure, "台风停工")
    );
    assert_ne!(
        cal.version().map(String::from),
        version,
        "a change gives a new version"
    );
    // The first change stored the shipped years too, so nothing else moved.
    let official = f.app.official_calendar().await.unwrap();
    assert_eq!(official.years().len(), 3);
    assert_eq!(cal.provisional_years(), [2027, 2028, 2029]);
    assert_eq!(cal.year(2024), Calendar::shipped().year(2024));
    let trail = f
        .app
        .store
        .audit_for_target("calendar:2026-09-15")
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert!(
        trail[0].entry.summary.contains("台风停工"),
        "{}",
        trail[0].entry.summary
    );

    // Removing it restores the working day.
    f.app
        .calendar_remove_day(&f.admin, "2026-09-15")
        .await
        .unwrap();
    assert!(f
        .app
        .calendar()
        .await
        .unwrap()
        .is_working_day(date)
        .unwrap());
    let err = f
        .app
        .calendar_remove_day(&f.admin, "2026-09-15")
        .await
        .unwrap_err();
    assert_eq!(err.kind, Kind::NotFound);
    // A correction of a shipped holiday: 2026-10-08 (Thursday) made a working day.
    f.app
        .calendar_set_day(&f.admin, "2026-10-08", "extra", "本地补充工作日")
        .await
        .unwrap();
    assert!(f
        .app
        .calendar()
        .await
        .unwrap()
        .is_working_day(d(2026, 10, 8))
        .unwrap());
}

#[tokio::test]
async fn only_administrators_change_the_calendar() {
    let f = fixture().await;
    let seq = audit_seq(&f.app).await;
    let a = &f.app;
    let c = &f.clerk;
    let errors = [
        a.calendar_set_day(c, "2026-09-15", "local_closure", "台风停工")
            .await
            .unwrap_err(),
        a.calendar_remove_day(c, "2026-10-01").await.unwrap_err(),
        a.calendar_put_year(c, 2027, "通知", "2027-01-01 off 元旦")
            .await
            .unwrap_err(),
        a.calendar_import_ics(c, 2027, "通知", ICS_2027)
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.kind, Kind::Forbidden, "{err:?}");
    }
    assert_eq!(audit_seq(a).await, seq, "nothing was written");
    assert!(a.store.calendar_years().await.unwrap().is_empty());
}

#[tokio::test]
async fn invalid_changes_are_refused_with_the_domain_code() {
    let f = fixture().await;
    let (a, admin) = (&f.app, &f.admin);
    // 2026-09-14 is a Monday: not a make-up day.
    let err = a
        .calendar_set_day(admin, "2026-09-14", "makeup_workday", "调休")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind, err.code),
        (Kind::Invalid, codes::Calendar::MakeupNotWeekend.code())
    );
    assert!(
        err.message.contains("2026-09-14") && err.message.contains("周六或周日"),
        "{}",
        err.message
    );
    let err = a
        .calendar_set_day(admin, "2026-09-14", "local_closure", "  ")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::EmptyName);
    let err = a
        .calendar_set_day(admin, "2026-9-14", "local_closure", "台风")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::Date);
    let err = a
        .calendar_set_day(admin, "2026-09-14", "typhoon", "台风")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::Kind);
    // A year not loaded.
    let err = a
        .calendar_set_day(admin, "2028-07-03", "local_closure", "台风")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::YearMissing);
    assert!(err.message.contains("2028 年"), "{}", err.message);
    let err = a
        .calendar_remove_day(admin, "2028-07-03")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::YearMissing);
    // The loaded years must stay contiguous.
    let err = a
        .calendar_put_year(admin, 2028, "通知", "2028-01-01 off 元旦")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::YearGap);
    // A year without a day off, a rule in the wrong year, a bad line (numbered in the text).
    let err = a
        .calendar_put_year(admin, 2027, "通知", "# 空\n")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::NoHolidays);
    let err = a
        .calendar_put_year(admin, 2027, "通知", "2026-12-31 off 元旦")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::DateOutsideYear);
    let err = a
        .calendar_put_year(
            admin,
            2027,
            "通知",
            "2027-01-01 off 元旦\n2027-01-02 rest 元旦",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::Parse);
    assert!(err.message.contains("第 2 行"), "{}", err.message);
    let err = a
        .calendar_put_year(admin, 2027, " ", "2027-01-01 off 元旦")
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::EmptyNotice);
    // Nothing of the refused changes was stored (the shipped years were, by the first change).
    let cal = a.official_calendar().await.unwrap();
    assert_eq!(cal.years(), Calendar::shipped().years());
}

#[tokio::test]
async fn a_year_is_put_from_rules_text() {
    let f = fixture().await;
    let rules = "# 2027 年（测试）\n2027-01-01 off 元旦\n2027-02-06..2027-02-13 off 春节\n2027-02-14 work 春节调休上班\n";
    let year = f
        .app
        .calendar_put_year(&f.admin, 2027, "国办发明电〔2026〕1号", rules)
        .await
        .unwrap();
    assert_eq!(year.days.len(), 10);
    let cal = f.app.calendar().await.unwrap();
    assert_eq!(f.app.official_calendar().await.unwrap().last_year(), 2027);
    assert_eq!(cal.provisional_years(), [2028, 2029, 2030]);
    assert_eq!(cal.year(2027), Some(&year));
    assert!(!cal.is_working_day(d(2027, 2, 8)).unwrap());
    assert!(cal.is_working_day(d(2027, 2, 14)).unwrap());
    assert_eq!(
        tongban_app::calendar::rules_text(&year),
        rules
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    // Putting it again replaces it whole.
    let year = f
        .app
        .calendar_put_year(
            &f.admin,
            2027,
            "国办发明电〔2026〕2号",
            "2027-01-01 off 元旦",
        )
        .await
        .unwrap();
    let cal = f.app.calendar().await.unwrap();
    assert_eq!(cal.year(2027), Some(&year));
    assert!(cal.is_working_day(d(2027, 2, 8)).unwrap());
}

#[tokio::test]
async fn an_ics_file_is_imported() {
    let f = fixture().await;
    let seq = audit_seq(&f.app).await;
    let year = f
        .app
        .calendar_import_ics(&f.admin, 2027, "国办发明电〔2026〕1号", ICS_2027)
        .await
        .unwrap();
    // 3 shipped years loaded first, then the import.
    assert_eq!(audit_seq(&f.app).await, seq + 4);
    let cal = f.app.calendar().await.unwrap();
    assert_eq!(cal.year(2027), Some(&year));
    assert_eq!(year.notice, "国办发明电〔2026〕1号");
    for day in 6..=13 {
        let rule = cal.rule(d(2027, 2, day)).unwrap().unwrap();
        assert_eq!(
            (rule.kind, rule.name.as_str()),
            (DayKind::Holiday, "春节"),
            "02-{day}"
        );
        assert!(!cal.is_working_day(d(2027, 2, day)).unwrap());
    }
    // 2027-02-14 is a Sunday, worked.
    let rule = cal.rule(d(2027, 2, 14)).unwrap().unwrap();
    assert_eq!(
        (rule.kind, rule.name.as_str()),
        (DayKind::MakeupWorkday, "春节调休补班")
    );
    assert!(cal.is_working_day(d(2027, 2, 14)).unwrap());
    assert!(!cal.is_working_day(d(2027, 1, 1)).unwrap());
    assert_eq!(year.days.len(), 10);
    let trail = f.app.store.audit_for_target("calendar:2027").await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].entry.action, "calendar.import_ics");

    // Bad input names its line.
    let bad = ICS_2027.replace(
        "DTSTART;VALUE=DATE:20270206",
        "DTSTART;VALUE=DATE:2027-02-06",
    );
    let err = f
        .app
        .calendar_import_ics(&f.admin, 2027, "通知", &bad)
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind, err.code),
        (Kind::Invalid, codes::Calendar::Ics.code())
    );
    assert!(err.message.contains("第 8 行"), "{}", err.message);
    // A make-up day on a weekday is refused by the domain.
    let bad = ICS_2027.replace(
        "20270214\r\nDTEND;VALUE=DATE:20270215",
        "20270215\r\nDTEND;VALUE=DATE:20270216",
    );
    let err = f
        .app
        .calendar_import_ics(&f.admin, 2027, "通知", &bad)
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::MakeupNotWeekend);
    // A file for another year gives no day off for this one.
    let err = f
        .app
        .calendar_import_ics(&f.admin, 2026, "通知", ICS_2027)
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::Calendar::NoHolidays);
    assert_eq!(f.app.calendar().await.unwrap().year(2027), Some(&year));
}

#[tokio::test]
async fn next_year_is_asked_for_from_the_first_of_november() {
    // 23:30 on 31 October in Shanghai is 15:30 UTC; 00:30 on 1 November is still 31 October
    // (16:30) in UTC: the check must use the Shanghai date.
    let f = fixture_at(shanghai(2026, 10, 31, 23, 30)).await;
    assert_eq!(f.app.calendar_next_year_warning().await.unwrap(), None);

    let f = fixture_at(shanghai(2026, 11, 1, 0, 30)).await;
    let warning = f
        .app
        .calendar_next_year_warning()
        .await
        .unwrap()
        .expect("a warning on 1 November");
    assert_eq!(
        warning,
        "2027 年的节假日安排尚未载入：跨入该年的办理时限暂按法定节假日推算，待国务院公布调休安排后更新。请在国务院办公厅通知发布后录入或导入，在办件的时限将自动重新计算。"
    );

    f.app
        .calendar_put_year(
            &f.admin,
            2027,
            "国办发明电〔2026〕1号",
            "2027-01-01 off 元旦",
        )
        .await
        .unwrap();
    assert_eq!(f.app.calendar_next_year_warning().await.unwrap(), None);

    // A year whose own arrangement is missing is warned about all year.
    let f = fixture_at(shanghai(2027, 6, 1, 9, 0)).await;
    let warning = f
        .app
        .calendar_next_year_warning()
        .await
        .unwrap()
        .expect("2027 missing");
    assert!(
        warning.starts_with("2027 年的国务院节假日安排尚未载入：办理时限暂按法定节假日推算"),
        "{warning}"
    );
}
