//! The 12345 hotline's use cases on the demo city, on every backend: the closed loop of a 投诉
//! with a return and a 重办, a citizen filing without an account, hidden callers, deadlines on
//! the shared calendar across a holiday, and bad input refused with stable codes and nothing
//! written.

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_app::hotline::{TicketAction, TicketInput};
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::hotline::TicketStatus;
use tongban_domain::org::Actor;
use tongban_store::audit::Verified;

mod common;
use common::*;

async fn hotline_apps() -> Vec<App> {
    let mut out = Vec::new();
    for app in apps().await {
        app.load_demo_hotline().await.unwrap();
        out.push(app);
    }
    out
}

fn complaint(text: &str) -> TicketInput {
    TicketInput {
        category: "complaint".into(),
        channel: Some("phone".into()),
        subject: "urban.stall".into(),
        region: "361202001000".into(),
        caller_name: Some("王秀英".into()),
        caller_phone: Some("13800001234".into()),
        text: text.into(),
        place: Some("临江街道滨江路".into()),
        ..TicketInput::default()
    }
}

async fn act(app: &App, actor: &Actor, number: &str, action: TicketAction) {
    if let Err(e) = app.ticket_act(actor, number, action.clone()).await {
        panic!("{action:?} by {}: {} {}", actor.name, e.code, e.message);
    }
}

async fn records(app: &App) -> u64 {
    match app.store.audit_verify().await.unwrap() {
        Verified::Intact { records } => records,
        Verified::Broken(b) => panic!("audit chain broken: {b:?}"),
    }
}

fn dispatch_by_route() -> TicketAction {
    TicketAction::Dispatch {
        lead: None,
        co: Vec::new(),
        note: String::new(),
    }
}

#[tokio::test]
async fn a_complaint_is_returned_redispatched_replied_reopened_and_resolved() {
    for app in hotline_apps().await {
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let beishan = who(&app, "beishan.clerk").await;
        let t = app
            .file_ticket(&op, complaint("滨江路夜市占道经营，堵塞消防通道。"))
            .await
            .unwrap();
        assert_eq!(t.status, TicketStatus::Received);
        assert_eq!(t.caller_name, "王**");
        assert_eq!(t.caller_phone.as_deref(), Some("138****1234"));
        assert!(t.first_responder.is_some(), "首问 recorded");
        let n = t.number.clone();

        // Dispatched by the routing table: the street's office leads, the city bureau assists.
        act(&app, &op, &n, dispatch_by_route()).await;
        let v = app.ticket(&op, &n).await.unwrap();
        assert_eq!(
            v.holder.as_ref().map(|u| u.name.as_str()),
            Some("临江街道综合行政执法办公室")
        );
        assert_eq!(v.co_units.len(), 1);
        // Another township cannot touch it.
        let err = app
            .ticket_act(&beishan, &n, TicketAction::Sign)
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotFound, "{}", err.message);

        // Returned once with a reason, then dispatched again to the same office by hand.
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Return {
                reason: "夜市由市场监管部门审批，请改派".into(),
            },
        )
        .await;
        assert_eq!(
            app.ticket(&op, &n).await.unwrap().status,
            TicketStatus::Returned
        );
        let office = v.holder.as_ref().unwrap().department_id;
        act(
            &app,
            &op,
            &n,
            TicketAction::Dispatch {
                lead: Some(office),
                co: Vec::new(),
                note: "占道属街道职责，请办理".into(),
            },
        )
        .await;
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        let v = app.ticket(&linjiang, &n).await.unwrap();
        assert_eq!(v.caller_name, "王**", "not hidden: masked");
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Reply {
                text: "已约谈夜市经营者，清理占道摊位。".into(),
            },
        )
        .await;
        // The caller is told by SMS through the outbox.
        let sms = app.store.outbox_for_case(&n).await.unwrap();
        assert_eq!(sms.len(), 2, "receipt and reply");
        assert!(sms.iter().all(|m| m.recipient == "13800001234"));
        assert!(sms[1].body.contains(&n));

        // 不满意: reopened to the office on a fresh clock; then resolved.
        act(
            &app,
            &op,
            &n,
            TicketAction::CallBack {
                result: "unsatisfied".into(),
                note: "摊位又回来了".into(),
            },
        )
        .await;
        let v = app.ticket(&op, &n).await.unwrap();
        assert_eq!((v.status, v.reworks), (TicketStatus::Handling, 1));
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Reply {
                text: "已设置隔离设施并每日巡查。".into(),
            },
        )
        .await;
        act(
            &app,
            &op,
            &n,
            TicketAction::CallBack {
                result: "satisfied".into(),
                note: String::new(),
            },
        )
        .await;
        let v = app.ticket(&op, &n).await.unwrap();
        assert_eq!(v.status, TicketStatus::Closed);
        assert_eq!(v.callback.as_deref(), Some("满意"));
        let kinds: Vec<&str> = v.history.iter().map(|h| h.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "received",
                "dispatched",
                "returned",
                "dispatched",
                "signed",
                "replied",
                "called_back",
                "reopened",
                "replied",
                "called_back",
                "closed"
            ]
        );

        // A second call-back is refused and writes nothing.
        let before = records(&app).await;
        let err = app
            .ticket_act(
                &op,
                &n,
                TicketAction::CallBack {
                    result: "satisfied".into(),
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::CallbackDone);
        assert_eq!(records(&app).await, before);

        // Every change is in the audit chain under the ticket.
        let page = app.store.audit_page(None, 200).await.unwrap();
        let on_ticket = page
            .iter()
            .filter(|r| r.entry.target == format!("ticket:{n}"))
            .count();
        assert_eq!(on_ticket, 9, "receipt + eight actions");
    }
}

#[tokio::test]
async fn bad_input_and_wrong_hands_are_refused_and_write_nothing() {
    for app in hotline_apps().await {
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let nanhu = who(&app, "nanhu.clerk").await;
        let before = records(&app).await;
        let bad = [
            (
                TicketInput {
                    category: "praise".into(),
                    ..complaint("x")
                },
                codes::Hotline::Category,
            ),
            (
                TicketInput {
                    subject: "nope".into(),
                    ..complaint("x")
                },
                codes::Hotline::Subject,
            ),
            (
                TicketInput {
                    region: "510100".into(),
                    ..complaint("x")
                },
                codes::Hotline::Region,
            ),
            (
                TicketInput {
                    caller_phone: None,
                    ..complaint("x")
                },
                codes::Hotline::Caller,
            ),
            (complaint("   "), codes::Hotline::Text),
            (
                TicketInput {
                    category: "help".into(),
                    efficiency_department_id: Some(1),
                    ..complaint("x")
                },
                codes::Hotline::Efficiency,
            ),
        ];
        for (input, code) in bad {
            let err = app.file_ticket(&op, input).await.unwrap_err();
            assert_eq!(err.code, code, "{}", err.message);
            assert!(err.kind.as_str() != "internal");
        }
        // A unit cannot file; an operator cannot act for a unit.
        let err = app
            .file_ticket(&linjiang, complaint("x"))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotCentre);
        assert_eq!(records(&app).await, before, "nothing written");

        let n = app
            .file_ticket(&op, complaint("占道"))
            .await
            .unwrap()
            .number;
        act(&app, &op, &n, dispatch_by_route()).await;
        let before = records(&app).await;
        // A reply from a unit that does not hold the ticket.
        let err = app
            .ticket_act(
                &nanhu,
                &n,
                TicketAction::Reply {
                    text: "已处理".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotFound);
        // The co-unit sees it but does not hold it.
        let scjg = who(&app, "scjg.clerk").await;
        app.ticket(&scjg, &n).await.unwrap();
        let err = app
            .ticket_act(
                &scjg,
                &n,
                TicketAction::Reply {
                    text: "已处理".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotHolder);
        assert_eq!(err.kind.as_str(), "forbidden");
        // The operator cannot reply for the unit, nor the unit call back.
        let err = app
            .ticket_act(&op, &n, TicketAction::Reply { text: "x".into() })
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotHolder);
        let err = app
            .ticket_act(
                &linjiang,
                &n,
                TicketAction::CallBack {
                    result: "satisfied".into(),
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotCentre);
        // Replying before signing is a state error; a bad call-back result is refused.
        let err = app
            .ticket_act(&linjiang, &n, TicketAction::Reply { text: "x".into() })
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::Status);
        let err = app
            .ticket_act(
                &op,
                &n,
                TicketAction::CallBack {
                    result: "meh".into(),
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::CallbackResult);
        // Only 中心人员 approve extensions.
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::AskExtension {
                days: 5,
                reason: "需联合执法".into(),
            },
        )
        .await;
        let err = app
            .ticket_act(
                &op,
                &n,
                TicketAction::DecideExtension {
                    approve: true,
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::NotCentre);
        let centre = who(&app, "rexian").await;
        let due_before = app.ticket(&op, &n).await.unwrap().due_at.unwrap();
        act(
            &app,
            &centre,
            &n,
            TicketAction::DecideExtension {
                approve: true,
                note: String::new(),
            },
        )
        .await;
        let due_after = app.ticket(&op, &n).await.unwrap().due_at.unwrap();
        assert!(due_after > due_before + Duration::days(6));
        assert_eq!(records(&app).await, before + 3, "sign, ask, approve");
        // Unknown numbers and malformed ones.
        assert_eq!(
            app.ticket(&op, "H20260302999999").await.unwrap_err().code,
            codes::Hotline::NotFound
        );
        assert_eq!(
            app.ticket(&op, "12345").await.unwrap_err().code,
            codes::Hotline::Number
        );
    }
}

#[tokio::test]
async fn a_citizen_files_without_an_account_and_tracks_it() {
    for app in hotline_apps().await {
        let n = app
            .file_public_ticket(TicketInput {
                category: "suggestion".into(),
                subject: "urban.road".into(),
                region: "361203001000".into(),
                caller_name: Some("刘敏".into()),
                caller_phone: Some("139-0000-4321".into()),
                text: "建议在南湖路增设人行横道。".into(),
                ..TicketInput::default()
            })
            .await
            .unwrap();
        let v = app.track_ticket(n.as_str(), "4321", "test").await.unwrap();
        assert_eq!(v.status_label, "待派单");
        assert_eq!(v.category_label, "建议");
        assert!(v.due_at.is_some());
        assert_eq!(
            app.track_ticket(n.as_str(), "1234", "test")
                .await
                .unwrap_err()
                .code,
            codes::Hotline::NotFound,
            "a wrong tail answers like an unknown number"
        );
        assert_eq!(
            app.track_ticket(n.as_str(), "12", "test")
                .await
                .unwrap_err()
                .code,
            codes::Hotline::Tail
        );
        // The operator sees it in the caller's history when the same number calls.
        let op = who(&app, "huawu").await;
        let history = app.caller_history(&op, "13900004321").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].number, n.as_str());
        assert_eq!(
            app.caller_history(&who(&app, "linjiang.clerk").await, "13900004321")
                .await
                .unwrap_err()
                .code,
            codes::Hotline::NotCentre
        );
        // Web filings need a number to track by.
        let err = app
            .file_public_ticket(TicketInput {
                category: "help".into(),
                subject: "urban.road".into(),
                region: "361203001000".into(),
                anonymous: true,
                text: "x".into(),
                ..TicketInput::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::Caller);
    }
}

#[tokio::test]
async fn units_never_see_a_reporter_or_a_confidential_caller() {
    for app in hotline_apps().await {
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        for input in [
            TicketInput {
                category: "report".into(),
                ..complaint("有人在滨江路无证经营烧烤。")
            },
            TicketInput {
                confidential: true,
                ..complaint("占道经营，请为我保密。")
            },
        ] {
            let n = app.file_ticket(&op, input).await.unwrap().number;
            act(&app, &op, &n, dispatch_by_route()).await;
            let unit = app.ticket(&linjiang, &n).await.unwrap();
            assert_eq!(unit.caller_name, "保密");
            assert_eq!(unit.caller_phone, None);
            let json = serde_json::to_string(&unit).unwrap();
            assert!(!json.contains("王") && !json.contains("1234"), "{json}");
            let centre = app.ticket(&op, &n).await.unwrap();
            assert_eq!(centre.caller_phone.as_deref(), Some("138****1234"));
        }
    }
}

/// Thursday 24 September 2026, 10:00 Shanghai: the 中秋 holiday runs 25–27 September.
fn before_mid_autumn() -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, 9, 24, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn deadlines_run_on_the_shared_calendar_and_unvisited_tickets_close() {
    for app in hotline_apps().await {
        app.clock.set(before_mid_autumn()).unwrap();
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let t = app
            .file_ticket(
                &op,
                TicketInput {
                    category: "consult".into(),
                    ..complaint("夜市摊位怎么申请？")
                },
            )
            .await
            .unwrap();
        // 2 working days: Friday 25 to Sunday 27 are the holiday; Monday 28 and Tuesday 29.
        let due = tongban_domain::time::local_date(t.due_at.unwrap());
        assert_eq!(due.to_string(), "2026-09-29");

        // A region's own limit is a setting.
        let admin = who(&app, "admin").await;
        app.set_setting(&admin, "hotline.sla.consult_days@361202001000", "1")
            .await
            .unwrap();
        let t2 = app
            .file_ticket(
                &op,
                TicketInput {
                    category: "consult".into(),
                    ..complaint("另一个问题")
                },
            )
            .await
            .unwrap();
        let due = tongban_domain::time::local_date(t2.due_at.unwrap());
        assert_eq!(due.to_string(), "2026-09-28");

        let n = t.number;
        act(&app, &op, &n, dispatch_by_route()).await;
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Reply {
                text: "向街道市场办申请。".into(),
            },
        )
        .await;
        // The call-back window (3 working days) ends Wednesday 30 September: 28, 29, 30.
        app.clock
            .set(before_mid_autumn() + Duration::days(6))
            .unwrap();
        // (The demo's replied ticket of March closes now; ours waits.)
        assert_eq!(app.close_unvisited_tickets().await.unwrap(), 1);
        assert_eq!(
            app.ticket(&op, &n).await.unwrap().status,
            TicketStatus::Replied
        );
        // On 1 October the window has passed: the ticket closes by timeout.
        app.clock
            .set(before_mid_autumn() + Duration::days(7))
            .unwrap();
        assert_eq!(app.close_unvisited_tickets().await.unwrap(), 1);
        let v = app.ticket(&op, &n).await.unwrap();
        assert_eq!(v.status, TicketStatus::Closed);
        assert_eq!(v.close_reason.as_deref(), Some("回访期满办结"));
    }
}

/// A ticket is supervised like a case, on the one index: registered at receipt, its handling
/// deadline lit red by the one sweeper, 办理超时 found when the deadline passes (once, however
/// late the reply), 虚假办结 found at a 不满意 call-back, a 效能投诉 found at receipt, and 督办
/// addressed to the unit that must answer.
#[tokio::test]
async fn tickets_light_raise_findings_and_take_orders_on_the_one_index() {
    use tongban_domain::supervision::SubjectKind;
    for app in hotline_apps().await {
        app.clock.set(before_mid_autumn()).unwrap();
        let op = who(&app, "huawu").await;
        let sup = who(&app, "jiancha").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let t = app
            .file_ticket(
                &op,
                TicketInput {
                    category: "consult".into(),
                    ..complaint("夜市摊位怎么申请？")
                },
            )
            .await
            .unwrap();
        let n = t.number.clone();
        let id = app.store.ticket_log(&n).await.unwrap().unwrap().id;
        let subject = app
            .store
            .subject(SubjectKind::Ticket, &n)
            .await
            .unwrap()
            .expect("registered at receipt");
        assert_eq!(subject.department_id, 0, "at the centre until dispatched");
        assert_eq!(subject.party, "王**");

        // Dispatched and signed: the deadline is the office's, due end of Tuesday 29 September
        // (中秋 25–27 does not count).
        act(&app, &op, &n, dispatch_by_route()).await;
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        let office = linjiang.department_id.unwrap();
        let subject = app
            .store
            .subject(SubjectKind::Ticket, &n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(subject.department_id, office);
        let clocks = app.store.subject_clocks(&subject.subject()).await.unwrap();
        let red_at = tongban_domain::time::shanghai()
            .with_ymd_and_hms(2026, 9, 30, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            clocks
                .iter()
                .map(|c| (c.0.as_str(), c.2))
                .collect::<Vec<_>>(),
            [("handling", red_at)]
        );
        assert!(app
            .store
            .findings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap()
            .is_empty());

        // Wednesday 30 September, 09:00: red, and 办理超时 is a finding at once.
        app.clock
            .set(before_mid_autumn() + Duration::days(6) - Duration::hours(1))
            .unwrap();
        app.sweep_warnings().await.unwrap();
        let warned = app
            .store
            .warnings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap();
        assert!(warned.iter().any(|w| w.light == 2), "{warned:?}");
        let overdue = |f: &[tongban_store::findings::FindingRow]| {
            f.iter().filter(|f| f.rule == "overdue").count()
        };
        let found = app
            .store
            .findings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap();
        assert_eq!(overdue(&found), 1, "{found:?}");
        assert_eq!(found[0].department_id, office);

        // The late reply is the same lateness: still one finding. The deadline leaves the
        // index; the call-back window takes its place.
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Reply {
                text: "向街道市场办申请。".into(),
            },
        )
        .await;
        let found = app
            .store
            .findings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap();
        assert_eq!(overdue(&found), 1, "{found:?}");
        let clocks = app.store.subject_clocks(&subject.subject()).await.unwrap();
        assert_eq!(
            clocks.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            ["callback"]
        );

        // 不满意 at the call-back: the reply said done and was not, 虚假办结 against the office.
        act(
            &app,
            &op,
            &n,
            TicketAction::CallBack {
                result: "unsatisfied".into(),
                note: "没人告诉我去哪里".into(),
            },
        )
        .await;
        let found = app
            .store
            .findings_of_subject(SubjectKind::Ticket, id)
            .await
            .unwrap();
        let false_closure: Vec<_> = found.iter().filter(|f| f.rule == "false_closure").collect();
        assert_eq!(false_closure.len(), 1, "{found:?}");
        assert_eq!(false_closure[0].person_id, Some(linjiang.user_id));

        // 督办 citing it.
        let order = app
            .issue_subject_order(
                &sup,
                SubjectKind::Ticket,
                &n,
                Some(false_closure[0].id),
                "请重新办理并当面答复来电人",
                Some(1),
            )
            .await
            .unwrap();
        assert_eq!(order.department_id, office);

        // A 效能投诉 is a finding from its receipt.
        let e = app
            .file_ticket(
                &op,
                TicketInput {
                    efficiency_department_id: Some(office),
                    ..complaint("窗口人员推诿，不予受理。")
                },
            )
            .await
            .unwrap();
        let eid = app.store.ticket_log(&e.number).await.unwrap().unwrap().id;
        let found = app
            .store
            .findings_of_subject(SubjectKind::Ticket, eid)
            .await
            .unwrap();
        assert_eq!(
            found
                .iter()
                .map(|f| (f.rule.as_str(), f.department_id))
                .collect::<Vec<_>>(),
            [("efficiency_complaint", office)]
        );
        // 督办 names the unit that must answer: a ticket still at the centre has none, which is
        // refused with its code (and nothing written), not a broken reference.
        let err = app
            .issue_subject_order(
                &sup,
                SubjectKind::Ticket,
                &e.number,
                None,
                "请核查",
                Some(1),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Order::NoUnit);
        // Citing its 效能投诉 finding names the unit complained of.
        app.issue_subject_order(
            &sup,
            SubjectKind::Ticket,
            &e.number,
            Some(found[0].id),
            "请核查并说明",
            Some(1),
        )
        .await
        .unwrap();
        assert!(matches!(
            app.store.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}

/// A calendar change re-times open tickets as it does cases: their due instant and their
/// deadline in the index move, without an event on the ticket.
#[tokio::test]
async fn a_calendar_change_re_times_open_tickets() {
    use tongban_domain::supervision::SubjectKind;
    for app in hotline_apps().await {
        app.clock.set(before_mid_autumn()).unwrap();
        let op = who(&app, "huawu").await;
        let admin = who(&app, "admin").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let t = app
            .file_ticket(
                &op,
                TicketInput {
                    category: "consult".into(),
                    ..complaint("夜市摊位怎么申请？")
                },
            )
            .await
            .unwrap();
        let n = t.number.clone();
        act(&app, &op, &n, dispatch_by_route()).await;
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        let version = app.ticket(&op, &n).await.unwrap().history.len();
        let subject = app
            .store
            .subject(SubjectKind::Ticket, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        let red_at = |d: u32| {
            tongban_domain::time::shanghai()
                .with_ymd_and_hms(2026, 9, d, 0, 0, 0)
                .unwrap()
                .timestamp_millis()
        };
        let handling = |clocks: Vec<(String, i64, i64)>| {
            clocks.into_iter().find(|c| c.0 == "handling").map(|c| c.2)
        };
        assert_eq!(
            handling(app.store.subject_clocks(&subject).await.unwrap()),
            Some(red_at(30)),
            "due end of Tuesday 29 September"
        );

        // A typhoon closes Monday 28 September: the ticket is due a day later.
        app.calendar_set_day(&admin, "2026-09-28", "local_closure", "台风停工")
            .await
            .unwrap();
        app.run_retime().await.unwrap();
        let v = app.ticket(&op, &n).await.unwrap();
        assert_eq!(
            tongban_domain::time::local_date(v.due_at.unwrap()).to_string(),
            "2026-09-30"
        );
        let row = app.store.ticket_row(&n).await.unwrap().unwrap();
        assert_eq!(
            row.due_at.map(|d| tongban_domain::time::local_date(
                DateTime::from_timestamp_millis(d).unwrap()
            )
            .to_string()),
            Some("2026-09-30".to_string()),
            "the list's projection moved too"
        );
        let oct_1 = tongban_domain::time::shanghai()
            .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            handling(app.store.subject_clocks(&subject).await.unwrap()),
            Some(oct_1)
        );
        assert_eq!(v.history.len(), version, "no event was written");
    }
}

/// 三率 of a month: the acts of the month, for the unit that did them, by the published
/// formulas; a bad month is refused with its code.
#[tokio::test]
async fn a_months_three_rates_count_each_units_acts() {
    for app in hotline_apps().await {
        app.clock.set(before_mid_autumn()).unwrap();
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let office = linjiang.department_id.unwrap();
        let n = app
            .file_ticket(&op, complaint("路灯不亮"))
            .await
            .unwrap()
            .number;
        act(&app, &op, &n, dispatch_by_route()).await;
        act(&app, &linjiang, &n, TicketAction::Sign).await;
        act(
            &app,
            &linjiang,
            &n,
            TicketAction::Reply {
                text: "已修复".into(),
            },
        )
        .await;
        act(
            &app,
            &op,
            &n,
            TicketAction::CallBack {
                result: "basic".into(),
                note: String::new(),
            },
        )
        .await;
        // A second one dispatched and left unsigned past the 24 hours.
        let late = app
            .file_ticket(&op, complaint("井盖缺失"))
            .await
            .unwrap()
            .number;
        act(&app, &op, &late, dispatch_by_route()).await;
        app.clock
            .set(before_mid_autumn() + Duration::days(2))
            .unwrap();

        let r = app.hotline_rates("2026-09").await.unwrap();
        let unit = r
            .units
            .iter()
            .find(|u| u.department_id == office)
            .expect("the office has figures");
        let c = unit.counts;
        assert_eq!(
            (
                c.dispatched,
                c.signed_on_time,
                c.closed,
                c.solved,
                c.called_back,
                c.satisfied
            ),
            (2, 1, 1, 1, 1, 1)
        );
        assert_eq!(
            (unit.response, unit.solution, unit.satisfaction),
            (Some(500), Some(1000), Some(1000))
        );
        assert_eq!(r.formulas.len(), 3);
        assert!(r.total.counts.dispatched >= 2);
        // Nothing in another month; a malformed month is refused.
        assert!(app
            .hotline_rates("2026-08")
            .await
            .unwrap()
            .units
            .iter()
            .all(|u| u.counts.dispatched == 0 || u.department_id != office));
        let err = app.hotline_rates("2026-9").await.unwrap_err();
        assert_eq!(err.code, codes::Request::Query);
    }
}

/// 重复诉求: a new ticket from the same phone, or of the same subject at the same address, as
/// an open one within `hotline.duplicate_days` is flagged to the operator, who merges it; the
/// merged ticket closes pointing to the other, its caller is told by SMS and later gets the
/// other's reply, and tracks it under the own number. Bad merges are refused and write nothing.
#[tokio::test]
async fn duplicates_are_flagged_merged_and_their_callers_follow_the_original() {
    for app in hotline_apps().await {
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let a = app
            .file_ticket(&op, complaint("滨江路夜市占道经营，堵塞消防通道。"))
            .await
            .unwrap();
        assert!(a.duplicates.is_empty(), "{:?}", a.duplicates);
        // The same caller two days later: flagged, by phone.
        app.clock.set(monday() + Duration::days(2)).unwrap();
        let b = app
            .file_ticket(&op, complaint("夜市还在占道。"))
            .await
            .unwrap();
        let flagged: Vec<(&str, &str)> = b
            .duplicates
            .iter()
            .map(|d| (d.number.as_str(), d.reason.as_str()))
            .collect();
        assert_eq!(flagged, [(a.number.as_str(), "same_caller")]);
        // Another caller, the same subject at the same address written differently: flagged by
        // place (against both open tickets).
        let c = app
            .file_ticket(
                &op,
                TicketInput {
                    caller_name: Some("李四".into()),
                    caller_phone: Some("13900005678".into()),
                    place: Some("临江街道 滨江路。".into()),
                    ..complaint("滨江路有人占道摆摊。")
                },
            )
            .await
            .unwrap();
        assert!(
            c.duplicates
                .iter()
                .any(|d| d.number == a.number && d.reason.as_str() == "same_place"),
            "{:?}",
            c.duplicates
        );
        // Another subject at another address from another phone is another matter.
        let other = app
            .file_ticket(
                &op,
                TicketInput {
                    subject: "urban.road".into(),
                    caller_phone: Some("13700000001".into()),
                    place: Some("北山镇".into()),
                    ..complaint("北山路面塌陷。")
                },
            )
            .await
            .unwrap();
        assert!(other.duplicates.is_empty());
        // Eight days after A: outside the seven-day window.
        app.clock.set(monday() + Duration::days(8)).unwrap();
        let late = app
            .file_ticket(&op, complaint("夜市又来了。"))
            .await
            .unwrap();
        assert!(
            late.duplicates.iter().all(|d| d.number != a.number),
            "{:?}",
            late.duplicates
        );

        // Bad merges write nothing: into itself, into a ticket that does not exist, by a unit,
        // without a reason.
        let before = records(&app).await;
        let merge = |into: &str| TicketAction::Merge {
            into: into.into(),
            reason: "与该工单反映同一事项".into(),
        };
        let err = app
            .ticket_act(&op, &c.number, merge(&c.number))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::MergeTarget);
        let err = app
            .ticket_act(&op, &c.number, merge("H20260101999999"))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::MergeTarget);
        let err = app
            .ticket_act(
                &op,
                &c.number,
                TicketAction::Merge {
                    into: a.number.clone(),
                    reason: " ".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::Reason);
        assert_eq!(records(&app).await, before);

        // C merged into A: closed with its reason, pointing to A; its caller told by SMS.
        let month = tongban_domain::time::local_date(app.now())
            .format("%Y-%m")
            .to_string();
        let closed_before = app.hotline_rates(&month).await.unwrap().total.counts.closed;
        act(&app, &op, &c.number, merge(&a.number)).await;
        let v = app.ticket(&op, &c.number).await.unwrap();
        assert_eq!(v.status, TicketStatus::Closed);
        assert_eq!(v.merged_into.as_deref(), Some(a.number.as_str()));
        assert_eq!(v.close_reason.as_deref(), Some("重复诉求，合并办理"));
        assert!(v.duplicates.is_empty(), "a closed ticket flags nothing");
        let sms = app.store.outbox_for_case(&c.number).await.unwrap();
        let told: Vec<_> = sms
            .iter()
            .filter(|m| m.recipient == "13900005678" && m.body.contains(&a.number))
            .collect();
        assert_eq!(told.len(), 1, "{sms:?}");
        // A closed ticket takes nothing in.
        let err = app
            .ticket_act(&op, &b.number, merge(&c.number))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::MergeTarget);

        // A runs its course; C's caller is told of its reply and reads it under C's number.
        act(&app, &op, &a.number, dispatch_by_route()).await;
        // A ticket a unit holds is not merged away under it.
        let err = app
            .ticket_act(&op, &a.number, merge(&b.number))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Hotline::Status);
        act(&app, &linjiang, &a.number, TicketAction::Sign).await;
        act(
            &app,
            &linjiang,
            &a.number,
            TicketAction::Reply {
                text: "已清理占道摊位。".into(),
            },
        )
        .await;
        let to_c: Vec<_> = app
            .store
            .outbox_for_case(&a.number)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.recipient == "13900005678")
            .collect();
        assert_eq!(to_c.len(), 1, "{to_c:?}");
        let tracked = app
            .track_ticket(&c.number, "5678", "198.51.100.7")
            .await
            .unwrap();
        assert_eq!(tracked.merged_into.as_deref(), Some(a.number.as_str()));
        assert_eq!(tracked.reply.as_deref(), Some("已清理占道摊位。"));
        // The merged ticket is not counted as closed in the 三率.
        let r = app.hotline_rates(&month).await.unwrap();
        assert_eq!(r.total.counts.closed, closed_before, "{:?}", r.total.counts);
        assert!(matches!(
            app.store.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}

/// A ticket's new finding is told to the supervisors and the 12345 centre over its region,
/// through the outbox, once: a firing seen again at a later write tells nobody twice.
#[tokio::test]
async fn supervisors_are_told_of_a_tickets_new_finding_once() {
    for app in hotline_apps().await {
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let office = linjiang.department_id.unwrap();
        let t = app
            .file_ticket(
                &op,
                TicketInput {
                    efficiency_department_id: Some(office),
                    ..complaint("窗口人员推诿，不予受理。")
                },
            )
            .await
            .unwrap();
        let alerts = |m: &[tongban_store::outbox::OutboxMessage]| {
            m.iter()
                .filter(|m| m.subject == "12345工单监察发现")
                .map(|m| m.recipient.clone())
                .collect::<Vec<_>>()
        };
        let sent = alerts(&app.store.outbox_for_case(&t.number).await.unwrap());
        assert!(!sent.is_empty(), "the supervisors are told");
        assert!(!sent.iter().any(|r| r == "13800001234"), "never the caller");
        // Every recipient is a supervisor or the centre's staff of the region.
        let staff = app
            .store
            .users(&tongban_store::users::UserFilter::default())
            .await
            .unwrap();
        for r in &sent {
            let u = staff
                .iter()
                .find(|u| u.phone.as_deref() == Some(r) || u.email.as_deref() == Some(r))
                .unwrap_or_else(|| panic!("{r} is nobody's"));
            assert!(
                matches!(
                    u.role,
                    tongban_domain::org::Role::Supervisor
                        | tongban_domain::org::Role::HotlineCentre
                ),
                "{}",
                u.login
            );
        }
        let body = app
            .store
            .outbox_for_case(&t.number)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.subject == "12345工单监察发现")
            .unwrap()
            .body;
        assert!(
            body.contains(&t.number) && body.contains("效能投诉"),
            "{body}"
        );
        // The next write re-detects the same finding: nobody is told again.
        act(&app, &op, &t.number, dispatch_by_route()).await;
        let again = alerts(&app.store.outbox_for_case(&t.number).await.unwrap());
        assert_eq!(again.len(), sent.len());
        // A new finding is told: the second return (反复退单) of this one.
        act(
            &app,
            &linjiang,
            &t.number,
            TicketAction::Return {
                reason: "非本单位职责".into(),
            },
        )
        .await;
        act(
            &app,
            &op,
            &t.number,
            TicketAction::Dispatch {
                lead: Some(office),
                co: Vec::new(),
                note: String::new(),
            },
        )
        .await;
        act(
            &app,
            &linjiang,
            &t.number,
            TicketAction::Return {
                reason: "仍非本单位职责".into(),
            },
        )
        .await;
        let after = alerts(&app.store.outbox_for_case(&t.number).await.unwrap());
        assert_eq!(after.len(), 2 * sent.len(), "{after:?}");
    }
}

/// The monthly report: tickets of the month by subject (with the month before and the trend)
/// and by township (a village's under its township); the staff list drills down by month,
/// subject and region within the viewer's scope; bad filters are refused with their codes.
#[tokio::test]
async fn the_monthly_report_counts_subjects_and_townships_and_staff_drill_down() {
    for app in hotline_apps().await {
        // The demo's six tickets are March's; April gets four.
        app.clock.set(monday() + Duration::days(35)).unwrap();
        let op = who(&app, "huawu").await;
        for (region, phone) in [
            ("361202001000", "13800000001"),
            ("361202001000", "13800000002"),
            ("361202001001", "13800000003"),
        ] {
            app.file_ticket(
                &op,
                TicketInput {
                    region: region.into(),
                    caller_phone: Some(phone.into()),
                    place: None,
                    ..complaint("占道经营")
                },
            )
            .await
            .unwrap();
        }
        app.file_ticket(
            &op,
            TicketInput {
                subject: "env.noise".into(),
                region: "361203001000".into(),
                caller_phone: Some("13800000004".into()),
                ..complaint("夜间施工噪声")
            },
        )
        .await
        .unwrap();
        let r = app.hotline_report("2026-04").await.unwrap();
        assert_eq!((r.total, r.previous_total), (4, 6));
        assert_eq!(r.previous_month, "2026-03");
        let s: Vec<(&str, u32, u32, &str)> = r
            .by_subject
            .iter()
            .map(|x| (x.subject.as_str(), x.count, x.previous, x.trend()))
            .collect();
        assert_eq!(s, [("urban.stall", 3, 2, "↑"), ("env.noise", 1, 2, "↓")]);
        assert_eq!(r.hot[0].subject, "urban.stall");
        let t: Vec<(&str, u32)> = r
            .by_township
            .iter()
            .map(|x| (x.region.as_str(), x.count))
            .collect();
        assert_eq!(t, [("361202001000", 3), ("361203001000", 1)]);
        assert!(
            r.by_township[0].name.contains("临江"),
            "{:?}",
            r.by_township
        );
        assert_eq!(r.rates.month, "2026-04");

        // Drill-down: by subject, by township, by both; March holds the demo's.
        use tongban_app::hotline_report::TicketQuery;
        let q = |month: &str, subject: Option<&str>, region: Option<&str>| TicketQuery {
            month: Some(month.into()),
            subject: subject.map(Into::into),
            region: region.map(Into::into),
            status: None,
        };
        let n = |rows: Vec<tongban_store::hotline::TicketRow>| rows.len();
        assert_eq!(
            n(app
                .hotline_ticket_list(&op, &q("2026-04", Some("urban.stall"), None))
                .await
                .unwrap()),
            3
        );
        assert_eq!(
            n(app
                .hotline_ticket_list(&op, &q("2026-04", None, Some("361202001000")))
                .await
                .unwrap()),
            3
        );
        assert_eq!(
            n(app
                .hotline_ticket_list(&op, &q("2026-03", None, None))
                .await
                .unwrap()),
            6
        );
        // Wrong hands and bad filters.
        let clerk = who(&app, "linjiang.clerk").await;
        assert_eq!(
            app.hotline_ticket_list(&clerk, &q("2026-04", None, None))
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
        for (bad, code) in [
            (q("2026-4", None, None), codes::Request::Query.code()),
            (
                q("2026-04", Some("nope"), None),
                codes::Hotline::Subject.code(),
            ),
            (
                q("2026-04", None, Some("12")),
                codes::Hotline::Region.code(),
            ),
        ] {
            assert_eq!(
                app.hotline_ticket_list(&op, &bad).await.unwrap_err().code,
                code
            );
        }
        // A county's supervisor sees only the county's.
        let jiangbei = who(&app, "jiangbei.jiancha").await;
        let outside = app
            .hotline_ticket_list(&jiangbei, &q("2026-04", None, Some("361203001000")))
            .await
            .unwrap_err();
        assert_eq!(outside.code, codes::Hotline::Region);
        let inside = app
            .hotline_ticket_list(&jiangbei, &q("2026-04", None, None))
            .await
            .unwrap();
        assert_eq!(inside.len(), 3, "the county's three, not 南湖's");
    }
}

/// Two operators merge two tickets into each other at the same moment: exactly one merge
/// wins, the other is refused with `hotline.merge_target`, and the two never end closed and
/// pointing at each other. (Both decisions are taken before either is written, since the two
/// calls run interleaved on one task; only the store's lock and re-check can tell them apart.)
#[tokio::test]
async fn two_crossed_merges_at_once_leave_exactly_one_winner() {
    for app in hotline_apps().await {
        let op1 = who(&app, "huawu").await;
        let op2 = who(&app, "huawu2").await;
        let merge = |into: &str| TicketAction::Merge {
            into: into.into(),
            reason: "与该工单反映同一事项".into(),
        };
        for round in 0..4 {
            let a = app
                .file_ticket(&op1, complaint("滨江路夜市占道经营。"))
                .await
                .unwrap();
            let b = app
                .file_ticket(
                    &op2,
                    TicketInput {
                        caller_phone: Some(format!("1390000{round:04}")),
                        ..complaint("滨江路夜市占道。")
                    },
                )
                .await
                .unwrap();
            let (ra, rb) = tokio::join!(
                app.ticket_act(&op1, &a.number, merge(&b.number)),
                app.ticket_act(&op2, &b.number, merge(&a.number)),
            );
            assert_eq!(
                u8::from(ra.is_ok()) + u8::from(rb.is_ok()),
                1,
                "round {round}: exactly one merge wins ({:?} / {:?})",
                ra.as_ref().map(|v| &v.status).map_err(|e| e.code),
                rb.as_ref().map(|v| &v.status).map_err(|e| e.code),
            );
            let (winner, loser, refused) = match (ra, rb) {
                (Ok(_), Err(e)) => (&a, &b, e),
                (Err(e), Ok(_)) => (&b, &a, e),
                _ => unreachable!(),
            };
            assert_eq!(refused.code, codes::Hotline::MergeTarget);
            let w = app.ticket(&op1, &winner.number).await.unwrap();
            let l = app.ticket(&op1, &loser.number).await.unwrap();
            assert_eq!(w.status, TicketStatus::Closed);
            assert_eq!(w.merged_into.as_deref(), Some(loser.number.as_str()));
            assert_eq!(l.status, TicketStatus::Received, "the other carries it on");
            assert_eq!(l.merged_into, None);
        }
    }
}

/// The photo the `requests` project ships (EXIF and IPTC inside).
const PHOTO: &[u8] = include_bytes!("../../domain/tests/data/exif-flower.jpg");

/// Photos come in with a web request, metadata stripped, kept with the ticket on both
/// backends, and are shown to staff who may read the ticket and to its caller (by number and
/// tail), never to anyone else. Bad photos refuse the whole request: nothing is written.
#[tokio::test]
async fn photos_are_stripped_kept_with_the_ticket_and_shown_only_to_those_who_may_see_it() {
    for app in hotline_apps().await {
        let input = |photos: Vec<(String, Vec<u8>)>| TicketInput {
            category: "complaint".into(),
            subject: "urban.stall".into(),
            region: "361202001000".into(),
            caller_phone: Some("13900002468".into()),
            text: "滨江路夜市占道，附现场照片。".into(),
            photos,
            ..TicketInput::default()
        };
        // Refused, nothing written: too many, a kind not taken, a broken file.
        let before = records(&app).await;
        let five = (0..5)
            .map(|i| (format!("{i}.jpg"), PHOTO.to_vec()))
            .collect();
        for (files, code) in [
            (five, codes::Hotline::PhotoCount),
            (
                vec![("x.gif".to_string(), b"GIF89a\x01\x00".to_vec())],
                codes::Hotline::PhotoType,
            ),
            (
                vec![("cut.jpg".to_string(), PHOTO[..300].to_vec())],
                codes::Hotline::Photo,
            ),
        ] {
            let err = app.file_public_ticket(input(files)).await.unwrap_err();
            assert_eq!(err.code, code);
        }
        assert_eq!(records(&app).await, before, "nothing written");
        let op = who(&app, "huawu").await;
        assert!(app
            .caller_history(&op, "13900002468")
            .await
            .unwrap()
            .is_empty());

        let n = app
            .file_public_ticket(input(vec![
                ("C:\\相册\\现场.jpg".into(), PHOTO.to_vec()),
                ("empty".into(), Vec::new()),
            ]))
            .await
            .unwrap();
        let v = app.ticket(&op, n.as_str()).await.unwrap();
        assert_eq!(v.photos.len(), 1);
        assert_eq!(v.photos[0].name, "现场.jpg");
        assert_eq!(v.photos[0].content_type, "image/jpeg");
        let (ct, bytes) = app.ticket_photo(&op, n.as_str(), 1).await.unwrap();
        assert_eq!(ct, "image/jpeg");
        assert_eq!(bytes.len() as i64, v.photos[0].size);
        assert!(bytes.len() < PHOTO.len());
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF stripped");
        assert!(
            !bytes.windows(9).any(|w| w == b"Photoshop"),
            "IPTC stripped"
        );
        assert_eq!(
            app.ticket_photo(&op, n.as_str(), 2).await.unwrap_err().code,
            codes::Hotline::NotFound
        );
        // A unit sees it once the ticket is dispatched to it; another unit never.
        let linjiang = who(&app, "linjiang.clerk").await;
        let beishan = who(&app, "beishan.clerk").await;
        assert_eq!(
            app.ticket_photo(&linjiang, n.as_str(), 1)
                .await
                .unwrap_err()
                .code,
            codes::Hotline::NotFound
        );
        act(&app, &op, n.as_str(), dispatch_by_route()).await;
        assert!(app.ticket_photo(&linjiang, n.as_str(), 1).await.is_ok());
        assert_eq!(
            app.ticket_photo(&beishan, n.as_str(), 1)
                .await
                .unwrap_err()
                .code,
            codes::Hotline::NotFound
        );
        // The caller, by number and tail; a wrong tail is not found.
        let tracked = app.track_ticket(n.as_str(), "2468", "t").await.unwrap();
        assert_eq!(tracked.photos.len(), 1);
        let (_, mine) = app.tracked_photo(n.as_str(), "2468", 1, "t").await.unwrap();
        assert_eq!(mine, bytes);
        assert_eq!(
            app.tracked_photo(n.as_str(), "0000", 1, "t")
                .await
                .unwrap_err()
                .code,
            codes::Hotline::NotFound
        );
    }
}

/// Open311 keys: an administrator lists and revokes them (audited); a revoked key posts
/// nothing. Every service has a definition (the `category` attribute), which a post may use;
/// a request's token is its id.
#[tokio::test]
async fn open311_keys_are_listed_and_revoked_and_services_are_defined() {
    for app in hotline_apps().await {
        let admin = who(&app, "admin").await;
        let op = who(&app, "huawu").await;
        let key = app.issue_open311_key(&admin, "市民通App").await.unwrap();
        let keys = app.open311_keys(&admin).await.unwrap();
        assert_eq!(keys[0].name, "市民通App");
        assert!(keys[0].revoked_at.is_none());
        assert!(app.open311_keys(&op).await.is_err());
        let post = |key: &str| tongban_app::open311::NewRequest {
            api_key: key.into(),
            service_code: "urban.stall".into(),
            address_id: Some("361202001000".into()),
            description: "占道经营".into(),
            phone: Some("13900001357".into()),
            attribute_category: Some("complaint".into()),
            ..Default::default()
        };
        let posted = app.open311_post(post(&key)).await.unwrap();
        let t = app.ticket(&op, &posted.service_request_id).await.unwrap();
        assert_eq!(
            t.category.as_str(),
            "complaint",
            "attribute[category] taken"
        );
        let token = app.open311_token(&posted.service_request_id).await.unwrap();
        assert_eq!(token.service_request_id, posted.service_request_id);
        assert!(app.open311_token("H20260101999999").await.is_err());

        let def = app.open311_service_definition("urban.stall").await.unwrap();
        assert_eq!(def.attributes[0].code, "category");
        assert_eq!(def.attributes[0].values.len(), 5);
        assert_eq!(
            app.open311_service_definition("nope")
                .await
                .unwrap_err()
                .code,
            codes::Hotline::Open311Service
        );
        assert!(app
            .open311_services()
            .await
            .unwrap()
            .iter()
            .all(|s| s.metadata));

        // Revoked: audited once, refused again, and the key posts nothing.
        assert!(app.revoke_open311_key(&op, keys[0].id).await.is_err());
        let before = records(&app).await;
        app.revoke_open311_key(&admin, keys[0].id).await.unwrap();
        assert_eq!(records(&app).await, before + 1);
        assert_eq!(
            app.revoke_open311_key(&admin, keys[0].id)
                .await
                .unwrap_err()
                .code,
            codes::Hotline::Open311KeyUnknown
        );
        assert!(app.open311_keys(&admin).await.unwrap()[0]
            .revoked_at
            .is_some());
        let before = records(&app).await;
        assert_eq!(
            app.open311_post(post(&key)).await.unwrap_err().code,
            codes::Hotline::Open311Key
        );
        assert_eq!(records(&app).await, before);
    }
}
