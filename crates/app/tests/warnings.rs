//! Warnings and the supervision board through the application layer, on SQLite and (when
//! `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL. Time moves on the simulated clock.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use tongban_app::board::BoardFilter;
use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::App;
use tongban_domain::case::{Case, Command, PartyKind};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_domain::supervision::Light;
use tongban_store::watch::LitFilter;

mod common;
use common::*;

/// 不动产登记资料查询: a 即办件 of the same bureau.
const RECORDS: &str = "GG00701001";

/// A case of `basic` filed by `by`: online for an applicant, at the window for a clerk.
async fn file(app: &App, by: &Actor, basic: &str, keys: &[&str]) -> Case {
    let (summary, _) = app.public_item(basic).await.unwrap();
    let applicant = by.role.is_departmental().then(|| ApplicantInput {
        kind: PartyKind::Person,
        name: "李四".into(),
        id_code: "11010519491231002X".into(),
        phone: "13912345678".into(),
        email: None,
    });
    let materials = upload(app, by, keys).await;
    app.submit_case(
        by,
        NewCase {
            item_code: summary.implementation_code,
            applicant,
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
    .case
}

/// A property case filed online and accepted: its committed clock runs 5 working days from
/// Monday 2 March (yellow from Friday 6th, due Monday 9th).
async fn accepted_case(app: &App, user: &str) -> (String, i64) {
    let user = who(app, user).await;
    let clerk = who(app, "zrzy.clerk").await;
    let all = ["m1", "m2", "m3", "m4"];
    let case = file(app, &user, PROPERTY, &all).await;
    let n = case.number.to_string();
    act(app, &clerk, &n, Command::Accept { check: check(&all) }).await;
    let id = app.store.case_by_number(&n).await.unwrap().unwrap().id;
    (n, id)
}

/// The board's gauges must equal what a scan of the lit deadlines finds.
async fn assert_counters_match_scan(app: &App, sup: &Actor) {
    let board = app.board(sup, &BoardFilter::default()).await.unwrap();
    let lit = app
        .board_cases(sup, None, LitFilter::default())
        .await
        .unwrap();
    let red = lit.iter().filter(|l| l.light == 2).count() as i64;
    let yellow = lit.iter().filter(|l| l.light == 1).count() as i64;
    assert_eq!(
        (board.totals.yellow, board.totals.red),
        (yellow, red),
        "counters agree with the index"
    );
}

/// The lights of one deadline of a case as the board's drill-down lists them.
async fn lit(app: &App, sup: &Actor, number: &str, clock: &str) -> Vec<i64> {
    app.board_cases(sup, None, LitFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.subject_number == number && l.clock == clock)
        .map(|l| l.light)
        .collect()
}

fn lights_of(warnings: &[tongban_store::watch::WarningRow], clock: &str) -> Vec<i64> {
    warnings
        .iter()
        .filter(|w| w.clock == clock)
        .map(|w| w.light)
        .collect()
}

#[tokio::test]
async fn a_deadline_warns_yellow_then_red_once_each_and_the_board_follows() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let (n, id) = accepted_case(&app, "user11").await;
        let before = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert!(before.totals.open >= 1);
        assert!(before.totals.received >= 1 && before.totals.accepted >= 1);
        assert!(lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed").is_empty());

        // Friday 6 March, 09:00: the 4th of 5 days is yellow.
        app.advance_clock(&admin, Duration::days(4)).await.unwrap();
        let w = app.store.warnings_of_case(id).await.unwrap();
        assert_eq!(lights_of(&w, "committed"), vec![1]);
        let yellow = w.iter().find(|x| x.clock == "committed").unwrap();
        assert_eq!(yellow.notified, 1, "the assignee's head is reminded");
        let outbox = app.store.count_outbox_for(&n).await.unwrap();
        // Sweeping again fires nothing and sends nothing.
        app.sweep_cases().await.unwrap();
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
            vec![1]
        );
        assert_eq!(app.store.count_outbox_for(&n).await.unwrap(), outbox);
        assert_counters_match_scan(&app, &sup).await;
        // Rebuilding the index (as after an upgrade) keeps what was noticed and fires nothing.
        assert!(app.rewatch("").await.unwrap() >= 1);
        assert_eq!(app.sweep_warnings().await.unwrap(), 0);
        assert_counters_match_scan(&app, &sup).await;

        // Tuesday 10 March: red, and 办理超时 becomes a finding without the case changing.
        app.advance_clock(&admin, Duration::days(4)).await.unwrap();
        let w = app.store.warnings_of_case(id).await.unwrap();
        assert_eq!(lights_of(&w, "committed"), vec![1, 2]);
        assert!(app
            .findings(&sup, Some("open"))
            .await
            .unwrap()
            .iter()
            .any(|f| f.subject_number == n && f.rule == "overdue"));
        let board = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert!(board.totals.red >= 1);
        assert!(board.warnings.iter().any(|w| w.subject_number == n));
        assert_counters_match_scan(&app, &sup).await;
        let red = app
            .board_cases(
                &sup,
                None,
                LitFilter {
                    light: Some(Light::Red),
                    ..LitFilter::default()
                },
            )
            .await
            .unwrap();
        assert!(red
            .iter()
            .any(|l| l.subject_number == n && l.clock == "committed"));
        // Those outside supervision see no board.
        let clerk = who(&app, "zrzy.clerk").await;
        assert_eq!(
            app.board(&clerk, &BoardFilter::default())
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
    }
}

#[tokio::test]
async fn an_extension_clears_a_yellow_light_and_a_suspension_holds_it() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let approver = who(&app, "zrzy.approver").await;
        let head = who(&app, "zrzy.head").await;
        let (n, id) = accepted_case(&app, "user12").await;
        app.advance_clock(&admin, Duration::days(4)).await.unwrap();
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
            vec![1]
        );
        assert_eq!(lit(&app, &sup, &n, "committed").await, vec![1]);
        act(
            &app,
            &approver,
            &n,
            Command::RequestExtension {
                reason: "需现场核实".into(),
            },
        )
        .await;
        act(
            &app,
            &head,
            &n,
            Command::DecideExtension {
                approve: true,
                reason: "同意延期".into(),
            },
        )
        .await;
        // Fifteen days now: no longer yellow, on the board at once.
        assert!(
            lit(&app, &sup, &n, "committed").await.is_empty(),
            "the extension cleared the light"
        );
        assert_counters_match_scan(&app, &sup).await;

        // A suspension holds the clock: a week later it is still not yellow.
        act(
            &app,
            &approver,
            &n,
            Command::StartSpecial {
                kind: tongban_domain::calendar::SuspensionKind::Inspection,
                reason: "现场检查".into(),
                days: 5,
            },
        )
        .await;
        app.advance_clock(&admin, Duration::days(21)).await.unwrap();
        assert!(
            lit(&app, &sup, &n, "committed").await.is_empty(),
            "suspended clocks do not warn"
        );
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
            vec![1]
        );
        // Resumed, it warns again at its moved crossing: a new warning, not the old one.
        act(
            &app,
            &approver,
            &n,
            Command::EndSpecial {
                note: "检查完毕".into(),
            },
        )
        .await;
        app.advance_clock(&admin, Duration::days(20)).await.unwrap();
        let w = app.store.warnings_of_case(id).await.unwrap();
        let committed: Vec<_> = w.iter().filter(|x| x.clock == "committed").collect();
        assert!(committed.len() >= 2, "{committed:?}");
        assert!(committed[1].crossing_at > committed[0].crossing_at);
        assert_counters_match_scan(&app, &sup).await;
    }
}

#[tokio::test]
async fn two_servers_sweeping_one_database_fire_each_warning_once() {
    for place in places() {
        let a = open(&place).await;
        a.load_demo().await.unwrap();
        a.load_demo_catalog().await.unwrap();
        let b = open(&place).await;
        let mut cases = Vec::new();
        for i in 0..6 {
            cases.push(accepted_case(&a, &format!("user{:02}", 13 + i)).await);
        }
        // Both servers' clocks reach Friday; neither has swept yet.
        a.clock.advance(Duration::days(4));
        b.clock.advance(Duration::days(4));
        let due = a.store.count_due_crossings(a.now()).await.unwrap();
        assert!(due >= 6, "{due}");
        let (x, y) = tokio::join!(a.sweep_warnings(), b.sweep_warnings());
        let fired = x.unwrap() + y.unwrap();
        let mut stored = 0;
        for (_, id) in &cases {
            let w = a.store.warnings_of_case(*id).await.unwrap();
            assert_eq!(lights_of(&w, "committed"), vec![1], "once per case");
            stored += w.len();
        }
        assert!(fired >= cases.len(), "{fired}");
        assert_eq!(a.store.count_due_crossings(a.now()).await.unwrap(), 0);
        let all = a.store.warnings("", None, 10_000).await.unwrap();
        assert_eq!(
            all.iter()
                .filter(|w| cases.iter().any(|(_, id)| *id == w.subject_id))
                .count(),
            stored
        );
        assert_eq!(
            fired,
            all.len(),
            "every warning stored was fired by exactly one server"
        );
    }
}

#[tokio::test]
async fn a_sweeper_that_dies_holding_crossings_loses_nothing() {
    for app in apps().await {
        let (_, id) = accepted_case(&app, "user19").await;
        app.clock.advance(Duration::days(4));
        // A server claims the due crossings and dies before firing them.
        let claimed = app
            .store
            .claim_crossings(app.now(), 100, Duration::seconds(30))
            .await
            .unwrap();
        assert!(claimed.iter().any(|c| c.subject_id == id));
        assert_eq!(app.sweep_warnings().await.unwrap(), 0, "held by the lease");
        // When the lease runs out, another sweep fires them, once.
        app.clock.advance(Duration::seconds(31));
        assert!(app.sweep_warnings().await.unwrap() >= 1);
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
            vec![1]
        );
        assert_eq!(app.sweep_warnings().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn reminders_wait_out_quiet_hours() {
    for app in apps().await {
        let (n, id) = accepted_case(&app, "user20").await;
        // Friday 6 March 00:00 (Shanghai): the yellow crossing, deep in quiet hours.
        let friday = Utc.with_ymd_and_hms(2026, 3, 5, 16, 0, 0).unwrap();
        app.clock.set(friday);
        assert!(app.sweep_warnings().await.unwrap() >= 1);
        let w = app.store.warnings_of_case(id).await.unwrap();
        assert_eq!(lights_of(&w, "committed"), vec![1]);
        let morning = Utc.with_ymd_and_hms(2026, 3, 6, 0, 0, 0).unwrap();
        let early = app
            .store
            .claim_outbox(friday, 100, Duration::seconds(30), &["sms", "email"])
            .await
            .unwrap();
        assert!(
            early.iter().all(
                |m| m.case_number.as_deref() != Some(n.as_str()) || !m.subject.contains("预警")
            ),
            "nothing about the warning goes out at midnight"
        );
        let later = app
            .store
            .claim_outbox(morning, 100, Duration::seconds(30), &["sms", "email"])
            .await
            .unwrap();
        assert!(later
            .iter()
            .any(|m| m.case_number.as_deref() == Some(n.as_str()) && m.subject == "黄灯预警"));
    }
}

#[tokio::test]
async fn an_unanswered_order_turns_the_case_red_until_the_reply() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let head = who(&app, "zrzy.head").await;
        let (n, id) = accepted_case(&app, "user05").await;
        let o = app
            .issue_order(&sup, &n, None, "请说明进展", Some(1))
            .await
            .unwrap();
        let clock = format!("order:{}", o.id);
        // Due end of Tuesday 3 March; on Wednesday it is red and escalated.
        app.advance_clock(&admin, Duration::days(2)).await.unwrap();
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), &clock),
            vec![2]
        );
        assert!(app
            .store
            .order(o.id)
            .await
            .unwrap()
            .unwrap()
            .escalated_at
            .is_some());
        assert_eq!(lit(&app, &sup, &n, &clock).await, vec![2]);
        assert_counters_match_scan(&app, &sup).await;
        app.reply_order(&head, o.id, "已整改").await.unwrap();
        assert!(
            lit(&app, &sup, &n, &clock).await.is_empty(),
            "the reply clears the order's red"
        );
        assert_counters_match_scan(&app, &sup).await;
    }
}

#[tokio::test]
async fn the_board_counts_on_the_spot_completions_against_hall_decisions() {
    for app in apps().await {
        let clerk = who(&app, "zrzy.clerk").await;
        let sup = who(&app, "jiancha").await;
        let keys = ["m1", "m2", "m3"];
        let case = file(&app, &clerk, RECORDS, &keys).await;
        assert!(
            case.intake_hall_id.is_some(),
            "filed at the centre's window"
        );
        act(
            &app,
            &clerk,
            &case.number.to_string(),
            Command::AcceptAndDecide {
                check: check(&keys),
            },
        )
        .await;
        let board = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert_eq!(board.totals.decided_at_hall, 1);
        assert_eq!(board.totals.on_the_spot, 1);
        assert_eq!(board.totals.on_the_spot_rate(), Some(100.0));
        let dept = board
            .departments
            .iter()
            .find(|d| d.figures.on_the_spot == 1)
            .expect("the bureau's line");
        assert_eq!(dept.id, case.item.department_id);
        // Another day's tallies are empty; the gauges stay.
        let other = app
            .board(
                &sup,
                &BoardFilter {
                    day: chrono::NaiveDate::from_ymd_opt(2026, 3, 3),
                    ..BoardFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(other.totals.decided, 0);
        assert_eq!(other.totals.open, board.totals.open);
        // The region tree colours each node from its subtree.
        assert!(board.regions.iter().any(|r| r.depth == 0));
    }
}

#[tokio::test]
async fn warning_rules_set_for_a_region_apply_to_its_cases() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let (_, id) = accepted_case(&app, "user04").await;
        let region = app
            .store
            .case_by_id(id)
            .await
            .unwrap()
            .map(|c| serde_json::from_str::<Case>(&c.state).unwrap().item.region)
            .unwrap();
        // Two days' notice for this region: yellow from Thursday, not Friday.
        app.set_setting(
            &admin,
            &format!("supervision.yellow_days_left@{region}"),
            "2",
        )
        .await
        .unwrap();
        let (_, id2) = accepted_case(&app, "user03").await;
        app.advance_clock(&admin, Duration::days(3)).await.unwrap();
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id2).await.unwrap(), "committed"),
            vec![1]
        );
        assert_eq!(
            lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
            vec![1],
            "cases already open follow the new rule too"
        );
        // A case of another region keeps the city-wide rule.
        let sup = who(&app, "jiancha").await;
        assert_counters_match_scan(&app, &sup).await;
    }
}

/// The bench's bulk loader copies a real case: the copies are open on the board and in the
/// index, nothing is due until their first crossing, and each crossing warns once.
#[tokio::test]
async fn bulk_loaded_cases_count_on_the_board_and_warn_at_their_crossings() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let (_, template) = accepted_case(&app, "user01").await;
        // Whatever the demo city has due is warned first, so what follows is the copies'.
        app.sweep_warnings().await.unwrap();
        let before = app.board(&sup, &BoardFilter::default()).await.unwrap();
        let now = app.now();
        let n = app
            .store
            .bulk_open_cases(&tongban_store::bulk::BulkCases {
                template_case: template,
                prefix: "BULK-".into(),
                count: 250,
                batch: 100,
                first_yellow: now + Duration::hours(1),
                step: Duration::seconds(10),
                red_after: Duration::days(2),
                analyze: false,
            })
            .await
            .unwrap();
        assert_eq!(n, 250);
        let board = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert_eq!(board.totals.open, before.totals.open + 250);
        assert_eq!(app.sweep_warnings().await.unwrap(), 0, "nothing due yet");
        // An hour and a minute on: the first seven copies have turned yellow (0 s … 60 s).
        app.clock.advance(Duration::minutes(61));
        app.sweep_warnings().await.unwrap();
        let fired = app.store.warnings("", None, 1000).await.unwrap();
        let bulk = fired
            .iter()
            .filter(|w| w.subject_number.starts_with("BULK-"))
            .count();
        assert_eq!(bulk, 7);
        assert_eq!(app.sweep_warnings().await.unwrap(), 0, "each crossing once");
        assert_counters_match_scan(&app, &sup).await;
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

/// A case action and the warning sweep firing a crossing of the same case, interleaved the way
/// that deadlocked PostgreSQL: the action holds the case row and then wants its deadlines, the
/// sweep holds a deadline and then (recording the warning) wants the case row. An outside
/// transaction holding the case row lines both up behind it, the action first; when it ends
/// both must finish, the sweep finding its claim taken over by the action's new deadlines.
#[tokio::test]
async fn a_case_action_and_the_warning_sweep_on_one_case_do_not_deadlock() {
    use sqlx::Connection;
    let Some(place) = places().into_iter().find(|p| p.1.pg_schema.is_some()) else {
        return; // SQLite has one writer: nothing to interleave.
    };
    let app = open(&place).await;
    app.load_demo().await.unwrap();
    app.load_demo_catalog().await.unwrap();
    let (n, id) = accepted_case(&app, "user12").await;
    // Friday: the committed clock's yellow crossing is due; the sweep claims it.
    app.clock.advance(Duration::days(4));
    let now = app.now();
    let claimed = app
        .store
        .claim_crossings(now, 100, Duration::seconds(30))
        .await
        .unwrap();
    let crossing = claimed
        .into_iter()
        .find(|c| c.subject_id == id && c.clock == "committed")
        .expect("the committed clock is due");
    let firing = tongban_store::watch::Firing {
        light: Light::Yellow,
        next_at: Some(tongban_store::cases::at(crossing.red_at).unwrap()),
        crossing_at: tongban_store::cases::at(crossing.yellow_at.unwrap()).unwrap(),
        day: "20260306".into(),
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
    sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(&mut *held)
        .await
        .unwrap();

    let approver = who(&app, "zrzy.approver").await;
    let action = app.act_on_case(
        &approver,
        &n,
        None,
        Command::Decide {
            step: "s2a".into(),
            approve: true,
            opinion: String::new(),
        },
    );
    let sweep = async {
        wait_blocked(&mut probe, gate_pid, 1).await;
        let fire = app.store.fire(&firing, now);
        let release = async {
            wait_blocked(&mut probe, gate_pid, 2).await;
            held.commit().await.unwrap();
        };
        tokio::join!(fire, release).0
    };
    let (acted, fired) = tokio::join!(action, sweep);
    if let Err(e) = &acted {
        panic!("the action failed: {} {}", e.code, e.message);
    }
    assert_eq!(
        fired.expect("the sweep's firing failed"),
        tongban_store::watch::Fired::Lost,
        "the action replaced the claimed deadline"
    );
    // The crossing is still due under the action's deadlines, and the next sweep fires it once.
    app.sweep_warnings().await.unwrap();
    assert_eq!(
        lights_of(&app.store.warnings_of_case(id).await.unwrap(), "committed"),
        vec![1]
    );
}

/// The soonest crossing among a case's deadlines as its last write computed them.
async fn soonest_crossing_of(app: &App, number: &str) -> chrono::DateTime<Utc> {
    let admin = who(app, "admin").await;
    let view = app.case_view(&admin, number).await.unwrap();
    let region = view.case.item.region.as_str();
    let cal = app.calendar_for(region).await.unwrap();
    tongban_domain::supervision::watches(
        &view.case,
        &cal,
        app.now(),
        &app.settings().warnings_for(region),
    )
    .iter()
    .filter_map(|w| w.next_after(w.light))
    .min()
    .unwrap()
}

#[tokio::test]
async fn the_sweeper_wakes_at_the_crossing_instead_of_waiting_for_its_poll() {
    for app in apps().await {
        let app = std::sync::Arc::new(app);
        let admin = who(&app, "admin").await;
        // An hour between reads of the index: only the wake can fire on time.
        app.set_setting(&admin, "supervision.sweep_poll_seconds", "3600")
            .await
            .unwrap();
        // A committed write tells the sweeper of its crossings.
        let wakes = app.sweeper_wakes();
        let (n, id) = accepted_case(&app, "user11").await;
        assert!(app.sweeper_wakes() > wakes, "the case's writes woke it");

        let mut plans = app.sweeper_plans();
        let sweeper = tokio::spawn(app.clone().run_warning_sweeper());
        let crossing = soonest_crossing_of(&app, &n).await;
        let crossing_ms = crossing.timestamp_millis();
        // The clock moves to just before the crossing (moving it wakes the sweeper, which plans
        // again); nothing is due yet.
        app.clock.set(crossing - Duration::milliseconds(300));
        app.clock_moved();
        let fired = tokio::time::timeout(std::time::Duration::from_secs(120), async {
            loop {
                let w = app.store.warnings_of_case(id).await.unwrap();
                if let Some(w) = w.iter().find(|w| w.crossing_at == crossing_ms) {
                    return w.clone();
                }
                plans.changed().await.unwrap();
            }
        })
        .await
        .expect("the sweeper fired the crossing without waiting for its hour-long poll");
        sweeper.abort();
        assert!(fired.fired_at >= crossing_ms, "never before the crossing");
        assert!(fired.light >= 1, "a light was lit");
    }
}

#[tokio::test]
async fn the_drill_down_names_who_answers_and_a_closed_case_leaves_the_latest_warnings() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let user = who(&app, "user12").await;
        let (n, id) = accepted_case(&app, "user12").await;
        // Thursday 12 March: the committed deadline (Monday 9th) is two working days past.
        app.advance_clock(&admin, Duration::days(10)).await.unwrap();
        let red: Vec<_> = app
            .board_cases(&sup, None, LitFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.subject_number == n && l.clock == "committed")
            .collect();
        assert_eq!(red.len(), 1);
        let marks = app.lit_marks(&red).await.unwrap();
        let left = marks[0].left.expect("time past the deadline");
        assert!(left.overdue);
        assert_eq!(left.working_days, 2, "{}", left.text());
        // Nobody is assigned the case's committed deadline: its department's heads answer.
        assert!(
            marks[0].responsible.ends_with("（部门负责人）"),
            "{}",
            marks[0].responsible
        );
        let board = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert!(board.warnings.iter().any(|w| w.subject_number == n));

        // Withdrawn, the case leaves 最新预警; its warnings stay on record.
        act(
            &app,
            &user,
            &n,
            Command::Withdraw {
                reason: "不再办理".into(),
            },
        )
        .await;
        let board = app.board(&sup, &BoardFilter::default()).await.unwrap();
        assert!(
            !board.warnings.iter().any(|w| w.subject_number == n),
            "a closed case is not among the latest warnings"
        );
        assert!(!app.store.warnings_of_case(id).await.unwrap().is_empty());
    }
}
