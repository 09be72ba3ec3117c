//! Supervision of subjects other than cases (a 12345 ticket here, registered the way the
//! hotline module will) through the one deadline index, warnings, findings and 督办, on SQLite
//! and (when `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL. Time moves on the simulated clock,
//! across 清明 2026 (4–6 April off).

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use tongban_app::App;
use tongban_domain::calendar::{LimitKind, StatutoryClock, WorkingDays};
use tongban_domain::case::{Case, Command};
use tongban_domain::catalog::Delivery;
use tongban_domain::supervision::{crossings, Light, SubjectKind, SubjectRef, WarningRules, Watch};
use tongban_store::findings::NewFinding;
use tongban_store::subjects::NewSubject;
use tongban_store::watch::LitFilter;

mod common;
use common::*;

fn shanghai(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A property case filed online and accepted; its number and id.
async fn accepted_case(app: &App, user: &str) -> (String, i64) {
    let user = who(app, user).await;
    let clerk = who(app, "zrzy.clerk").await;
    let all = ["m1", "m2", "m3", "m4"];
    let (summary, _) = app.public_item(PROPERTY).await.unwrap();
    let materials = upload(app, &user, &all).await;
    let case: Case = app
        .submit_case(
            &user,
            tongban_app::cases::NewCase {
                item_code: summary.implementation_code,
                applicant: None,
                village: false,
                pickup_hall_id: None,
                delivery: Delivery::Window,
                materials,
                form: BTreeMap::new(),
                idempotency_key: None,
            },
        )
        .await
        .unwrap()
        .case;
    let n = case.number.to_string();
    act(app, &clerk, &n, Command::Accept { check: check(&all) }).await;
    let id = app.store.case_by_number(&n).await.unwrap().unwrap().id;
    (n, id)
}

/// A ticket registered beside the case `case_id`, under the SAME numeric id, answered by the
/// case's department in its region, with a reply deadline of `days` working days from `start`
/// computed on the shared calendar.
async fn ticket(
    app: &App,
    case_id: i64,
    number: &str,
    start: DateTime<Utc>,
    days: u32,
) -> NewSubject {
    let case = app
        .store
        .subject_by_id(SubjectKind::Case, case_id)
        .await
        .unwrap()
        .expect("every case is a subject");
    let s = NewSubject {
        subject: SubjectRef::new(SubjectKind::Ticket, case_id, number),
        title: "小区噪音扰民投诉".into(),
        party: "王小明".into(),
        item_id: None,
        department_id: case.department_id,
        hall_id: 0,
        region: case.region.clone(),
        opened_at: start,
    };
    app.store
        .watch_subject(&s, &[reply_watch(app, &s, start, days).await], None)
        .await
        .unwrap();
    s
}

async fn reply_watch(app: &App, s: &NewSubject, start: DateTime<Utc>, days: u32) -> Watch {
    let cal = app.calendar_for(&s.region).await.unwrap();
    let clock = StatutoryClock::new(start, WorkingDays::new(days).unwrap(), LimitKind::Committed);
    let c = crossings(&clock, &cal, app.now(), &WarningRules::default()).unwrap();
    let mut w = Watch {
        key: "reply".into(),
        label: "工单答复期限".into(),
        department_id: s.department_id,
        assignee_id: None,
        yellow_at: Some(c.yellow_at),
        red_at: c.red_at,
        light: Light::Green,
        suspended: false,
    };
    w.light = w.light_at(app.now());
    w
}

fn lights(w: &[tongban_store::watch::WarningRow], clock: &str) -> Vec<i64> {
    w.iter()
        .filter(|x| x.clock == clock)
        .map(|x| x.light)
        .collect()
}

#[tokio::test]
async fn a_ticket_is_watched_warned_found_and_ordered_beside_a_case_with_the_same_id() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let head = who(&app, "zrzy.head").await;
        let (case_number, id) = accepted_case(&app, "user11").await;

        // Thursday 2 April, 10:00: a ticket with three working days to answer. 清明 (Saturday 4
        // to Monday 6) does not count: due end of Wednesday 8, yellow from Tuesday 7.
        app.clock.set(shanghai(4, 2, 10));
        app.sweep_warnings().await.unwrap();
        let case_warnings = app.store.warnings_of_case(id).await.unwrap();
        let number = format!("GD{id:08}");
        let t = ticket(&app, id, &number, app.now(), 3).await;
        let tref = t.subject.clone();
        let clocks = app.store.subject_clocks(&tref).await.unwrap();
        assert_eq!(clocks.len(), 1);
        assert_eq!(
            (clocks[0].0.as_str(), clocks[0].1, clocks[0].2),
            ("reply", 0, shanghai(4, 9, 0).timestamp_millis()),
            "due at the end of Wednesday 8 April"
        );
        let yellow_at = shanghai(4, 7, 0);

        // Monday 6 April, noon (a holiday): still green, nothing fires.
        app.clock.set(shanghai(4, 6, 12));
        app.sweep_warnings().await.unwrap();
        let of_ticket = || app.store.warnings_of_subject(SubjectKind::Ticket, id);
        assert!(of_ticket().await.unwrap().is_empty());

        // Tuesday 7 April, 09:00: yellow, once, however often the sweeper runs.
        app.clock.set(shanghai(4, 7, 9));
        assert!(app.sweep_warnings().await.unwrap() >= 1);
        app.sweep_warnings().await.unwrap();
        let w = of_ticket().await.unwrap();
        assert_eq!(lights(&w, "reply"), vec![1]);
        assert_eq!(w[0].subject_kind, SubjectKind::Ticket);
        assert_eq!(w[0].subject_number, number);
        assert_eq!(w[0].crossing_at, yellow_at.timestamp_millis());
        assert_eq!(w[0].notified, 1, "the department's head is reminded");
        let sent = app.store.outbox_for_case(&number).await.unwrap();
        assert!(
            sent.iter()
                .any(|m| m.subject == "黄灯预警" && m.body.contains(&format!("12345工单 {number}"))),
            "{sent:?}"
        );
        let audit = app
            .store
            .audit_for_target(&format!("ticket:{number}"))
            .await
            .unwrap();
        assert!(audit.iter().any(|r| r.entry.action == "warning.yellow"));
        let lit = |light| {
            app.board_cases(
                &sup,
                None,
                LitFilter {
                    kind: Some(SubjectKind::Ticket),
                    light,
                    ..LitFilter::default()
                },
            )
        };
        let yellow = lit(None).await.unwrap();
        let line = yellow
            .iter()
            .find(|l| l.subject_number == number)
            .expect("the board's drill-down lists the ticket");
        assert_eq!(
            (line.subject_kind, line.subject_id, line.light),
            (SubjectKind::Ticket, id, 1)
        );
        assert_eq!(line.title, "小区噪音扰民投诉");
        assert_eq!(line.party, "王**", "stored masked");
        assert_eq!(line.item_id, None);
        assert_eq!(line.opened_at, t.opened_at.timestamp_millis());
        assert!(yellow.iter().all(|l| l.subject_kind == SubjectKind::Ticket));

        // Thursday 9 April: red, once.
        app.clock.set(shanghai(4, 9, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        assert_eq!(lights(&of_ticket().await.unwrap(), "reply"), vec![1, 2]);
        assert!(lit(Some(Light::Red))
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == number));
        let feed = app.warnings_feed(&sup, None, 500).await.unwrap();
        assert!(feed
            .iter()
            .any(|w| w.subject_kind == SubjectKind::Ticket && w.subject_number == number));
        // The board's gauges count the ticket's light with the cases'.
        let board = app
            .board(&sup, &tongban_app::board::BoardFilter::default())
            .await
            .unwrap();
        let all = app
            .board_cases(&sup, None, LitFilter::default())
            .await
            .unwrap();
        assert_eq!(
            (board.totals.yellow, board.totals.red),
            (
                all.iter().filter(|l| l.light == 1).count() as i64,
                all.iter().filter(|l| l.light == 2).count() as i64
            )
        );

        // The case with the same id kept its own warnings: none of the ticket's.
        let case_now = app.store.warnings_of_case(id).await.unwrap();
        assert!(case_now.iter().all(|w| w.subject_kind == SubjectKind::Case
            && w.subject_number == case_number
            && w.clock != "reply"));
        assert!(case_now.len() >= case_warnings.len());

        // A finding on the ticket, kept once; the same fingerprint on the case is another one.
        let finding = |subject: SubjectRef| NewFinding {
            rule: "overdue".into(),
            subject,
            step: None,
            person_id: None,
            department_id: t.department_id,
            hall_id: None,
            region: t.region.clone(),
            detail: "工单超期未答复".into(),
            evidence: "[]".into(),
            fingerprint: format!("{id}:overdue:reply"),
        };
        let now = app.now();
        assert_eq!(
            app.store
                .record_findings(&[finding(tref.clone())], now)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            app.store
                .record_findings(&[finding(tref.clone())], now)
                .await
                .unwrap(),
            0,
            "the same firing is kept once"
        );
        assert_eq!(
            app.store
                .record_findings(&[finding(SubjectRef::case(id, case_number.clone()))], now)
                .await
                .unwrap(),
            1,
            "a case and a ticket with the same id never collide"
        );
        let found = app
            .store
            .findings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject(), tref);
        assert!(app
            .store
            .findings_of_case(id)
            .await
            .unwrap()
            .iter()
            .all(|f| f.subject_kind == SubjectKind::Case));
        assert!(app
            .findings(&sup, Some("open"))
            .await
            .unwrap()
            .iter()
            .any(|f| f.id == found[0].id));

        // 督办 on the ticket: its reply deadline joins the ticket's in the index.
        let order = app
            .issue_subject_order(
                &sup,
                SubjectKind::Ticket,
                &number,
                Some(found[0].id),
                "请说明超期原因并答复来电人",
                Some(1),
            )
            .await
            .unwrap();
        assert_eq!(order.subject(), tref);
        assert_eq!(order.department_id, t.department_id);
        let clock = format!("order:{}", order.id);
        assert!(app
            .store
            .subject_clocks(&tref)
            .await
            .unwrap()
            .iter()
            .any(|c| c.0 == clock));
        assert_eq!(
            app.store
                .orders_of_subject(SubjectKind::Ticket, id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(app.store.orders_of_case(id).await.unwrap().is_empty());
        // A case's finding cannot be cited on the ticket.
        let case_finding = app.store.findings_of_case(id).await.unwrap();
        let wrong = case_finding
            .iter()
            .find(|f| f.rule == "overdue" && f.detail == "工单超期未答复")
            .unwrap();
        assert!(app
            .issue_subject_order(
                &sup,
                SubjectKind::Ticket,
                &number,
                Some(wrong.id),
                "x",
                Some(1)
            )
            .await
            .is_err());
        // An unknown ticket is not found.
        assert!(app
            .issue_subject_order(&sup, SubjectKind::Ticket, "GD-NONE", None, "x", Some(1))
            .await
            .is_err());

        // Unanswered past its day (Friday 10 April ends it), the order's clock turns the ticket
        // red on that clock too; the head's reply clears it.
        app.clock.set(shanghai(4, 13, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(lights(&of_ticket().await.unwrap(), &clock), vec![2]);
        app.reply_order(&head, order.id, "已答复来电人")
            .await
            .unwrap();
        assert!(app
            .store
            .subject_clocks(&tref)
            .await
            .unwrap()
            .iter()
            .all(|c| c.0 != clock));

        // Re-registering refreshes what the board shows and keeps what was noticed.
        let again = NewSubject {
            title: "小区夜间施工噪音".into(),
            ..t.clone()
        };
        let w = reply_watch(&app, &again, shanghai(4, 2, 10), 3).await;
        app.store.watch_subject(&again, &[w], None).await.unwrap();
        assert_eq!(
            app.sweep_warnings().await.unwrap(),
            0,
            "nothing fires twice"
        );
        let row = app
            .store
            .subject(SubjectKind::Ticket, &number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.title, "小区夜间施工噪音");
        assert_eq!(row.subject(), tref);
    }
}

/// How many PostgreSQL sessions wait, directly or behind another waiter, on the session `gate`.
async fn blocked_behind(probe: &mut sqlx::PgConnection, gate: i32) -> i64 {
    sqlx::query_scalar(
        "WITH RECURSIVE blocked(pid) AS (
            SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
            UNION
            SELECT a.pid FROM pg_stat_activity a, blocked b WHERE b.pid = ANY(pg_blocking_pids(a.pid))
         ) SELECT COUNT(*) FROM blocked",
    )
    .bind(gate)
    .fetch_one(probe)
    .await
    .unwrap()
}

/// Waits until `n` sessions queue behind `gate` (each poll is a query; no timing assumed).
async fn wait_blocked(probe: &mut sqlx::PgConnection, gate: i32, n: i64) {
    for _ in 0..100_000 {
        if blocked_behind(probe, gate).await >= n {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("{n} sessions never queued behind the gate");
}

/// A module's write on a ticket (re-registering it and replacing its deadlines, as the hotline's
/// actions will) and the sweep firing the same ticket's crossing, lined up behind an outside
/// transaction holding the ticket's deadline: the write first (holding the subject row), then
/// the firing (taking its share lock on the subject row, then wanting the deadline). When the
/// gate ends both finish, the firing finding its claim taken over, and the next sweep fires the
/// crossing once.
#[tokio::test]
async fn a_ticket_write_and_the_warning_sweep_on_one_ticket_do_not_deadlock() {
    use sqlx::Connection;
    let Some(place) = places().into_iter().find(|p| p.1.pg_schema.is_some()) else {
        return; // SQLite has one writer: nothing to interleave.
    };
    let app = open(&place).await;
    app.load_demo().await.unwrap();
    app.load_demo_catalog().await.unwrap();
    let (_, id) = accepted_case(&app, "user12").await;
    // Monday 2 March: three working days, yellow from Wednesday 4.
    let t = ticket(&app, id, "GD-LOCK-1", app.now(), 3).await;
    app.clock.set(shanghai(3, 4, 9));
    let now = app.now();
    let crossing = app
        .store
        .claim_crossings(now, 100, chrono::Duration::seconds(30))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.subject_kind == SubjectKind::Ticket && c.subject_id == id)
        .expect("the ticket's yellow crossing is due");
    let firing = tongban_store::watch::Firing {
        light: Light::Yellow,
        next_at: Some(tongban_store::cases::at(crossing.red_at).unwrap()),
        crossing_at: tongban_store::cases::at(crossing.yellow_at.unwrap()).unwrap(),
        day: "20260304".into(),
        reminders: vec![],
        audit: tongban_domain::audit::AuditEntry {
            at: now,
            actor: "system".into(),
            role: "system".into(),
            action: "warning.yellow".into(),
            target: String::new(),
            summary: "test".into(),
            region: None,
        },
        crossing,
    };
    let watch = reply_watch(&app, &t, t.opened_at, 3).await;

    let schema = place.1.pg_schema.clone().unwrap();
    let connect = |url: String, schema: String| async move {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("SET search_path TO \"{schema}\""))
            .execute(&mut c)
            .await
            .unwrap();
        c
    };
    let mut gate = connect(place.0.clone(), schema.clone()).await;
    let mut probe = connect(place.0.clone(), schema).await;
    let gate_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut gate)
        .await
        .unwrap();
    let mut held = gate.begin().await.unwrap();
    sqlx::query(
        "SELECT clock FROM clock_watch
         WHERE subject_kind = 'ticket' AND subject_id = $1 AND clock = 'reply' FOR UPDATE",
    )
    .bind(id)
    .execute(&mut *held)
    .await
    .unwrap();

    let write = app
        .store
        .watch_subject(&t, std::slice::from_ref(&watch), None);
    let sweep = async {
        wait_blocked(&mut probe, gate_pid, 1).await;
        let fire = app.store.fire(&firing, now);
        let release = async {
            wait_blocked(&mut probe, gate_pid, 2).await;
            held.commit().await.unwrap();
        };
        tokio::join!(fire, release).0
    };
    let (written, fired) = tokio::join!(write, sweep);
    written.expect("the ticket's write failed");
    assert_eq!(
        fired.expect("the sweep's firing failed"),
        tongban_store::watch::Fired::Lost,
        "the write replaced the claimed deadline"
    );
    app.sweep_warnings().await.unwrap();
    app.sweep_warnings().await.unwrap();
    assert_eq!(
        lights(
            &app.store
                .warnings_of_subject(SubjectKind::Ticket, id)
                .await
                .unwrap(),
            "reply"
        ),
        vec![1]
    );
}
