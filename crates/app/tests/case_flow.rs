//! Cases through the application layer over the demo city, on SQLite and (when
//! `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL: the same story on both backends, with the
//! simulated clock moved instead of sleeping.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::App;
use tongban_domain::case::{Case, CaseEvent, CaseStatus, Command, PartyKind, StepOutcome};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::org::Actor;

mod common;
use common::*;

async fn item_code(app: &App, basic: &str) -> String {
    let (summary, _) = app.public_item(basic).await.unwrap();
    summary.implementation_code
}

async fn apply(app: &App, applicant: &Actor, keys: &[&str], key: Option<&str>) -> Case {
    let materials = upload(app, applicant, keys).await;
    app.submit_case(
        applicant,
        NewCase {
            item_code: item_code(app, PROPERTY).await,
            applicant: None,
            village: false,
            pickup_hall_id: None,
            delivery: Delivery::Window,
            materials,
            form: BTreeMap::new(),
            idempotency_key: key.map(str::to_string),
        },
    )
    .await
    .unwrap()
    .case
}

fn approve(step: &str) -> Command {
    Command::Decide {
        step: step.into(),
        approve: true,
        opinion: "符合".into(),
    }
}

#[tokio::test]
async fn an_online_case_goes_from_missing_material_to_a_verified_result_on_every_backend() {
    for app in apps().await {
        let user = who(&app, "user01").await;
        let clerk = who(&app, "zrzy.clerk").await;
        // Online, a required material that is not 容缺 cannot be left out: the refusal names it.
        let materials = upload(&app, &user, &["m1", "m2", "m4"]).await;
        let err = app
            .submit_case(
                &user,
                NewCase {
                    item_code: item_code(&app, PROPERTY).await,
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
            .unwrap_err();
        assert_eq!(err.code, codes::Case::OnlineMaterialsMissing);
        assert!(err.message.contains("不动产权证书"), "{}", err.message);
        // Filed with all four, the clerk finds m3 unreadable and asks for it again.
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        assert_eq!(case.status, CaseStatus::Received);

        let err = app
            .act_on_case(
                &clerk,
                &n,
                None,
                Command::Accept {
                    check: check(&["m1", "m2", "m4"]),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Case::MaterialsIncomplete);
        act(
            &app,
            &clerk,
            &n,
            Command::NoticeSupplement {
                items: vec![("m3".into(), "请提交不动产权证书原件扫描件".into())],
            },
        )
        .await;
        let m3 = upload(&app, &user, &["m3"]).await;
        act(&app, &user, &n, Command::AddMaterials { materials: m3 }).await;
        let case = act(
            &app,
            &clerk,
            &n,
            Command::Accept {
                check: check(&["m1", "m2", "m3", "m4"]),
            },
        )
        .await;
        let open: Vec<&str> = case.open_steps().iter().map(|s| s.key.as_str()).collect();
        assert_eq!(open, vec!["s2a", "s2b", "s2c"]);

        // Each branch is in its department's queue, assigned to the post holder.
        let zrzy = who(&app, "zrzy.approver").await;
        let swj = who(&app, "swj.approver").await;
        let mine = app.my_steps(&zrzy).await.unwrap();
        assert!(mine.iter().any(|s| s.number == n && s.step == "s2a"));
        let theirs = app.my_steps(&swj).await.unwrap();
        assert!(theirs.iter().any(|s| s.number == n && s.step == "s2b"));

        act(&app, &zrzy, &n, approve("s2a")).await;
        act(&app, &swj, &n, approve("s2b")).await;
        // s2c (住建) has one working day and a deemed-approval rule: two days later it fires.
        let admin = who(&app, "admin").await;
        app.advance_clock(&admin, Duration::days(2)).await.unwrap();
        let case = app.case_view(&user, &n).await.unwrap().case;
        assert_eq!(
            case.step("s2c").unwrap().outcome,
            Some(StepOutcome::DeemedApprove)
        );
        let open: Vec<&str> = case.open_steps().iter().map(|s| s.key.as_str()).collect();
        assert_eq!(open, vec!["s3"]);

        let head = who(&app, "zrzy.head").await;
        let case = act(&app, &head, &n, approve("s3")).await;
        assert_eq!(case.status, CaseStatus::Decided);
        let err = app
            .act_on_case(
                &clerk,
                &n,
                None,
                Command::Deliver {
                    method: Delivery::Window,
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Case::FeeUnpaid);
        // No result before payment: the decision is served and says the fee is due, but the
        // licence is not in the register (nothing to download, verify or reuse) until paid.
        let decision = case.decision.as_ref().unwrap().document.clone();
        let notice = app.store.case_document(&decision).await.unwrap().unwrap();
        assert!(
            notice.body.contains("在缴清费用（或经批准减免）后发放"),
            "{}",
            notice.body
        );
        assert!(app.my_licences(&user).await.unwrap().is_empty());
        act(
            &app,
            &clerk,
            &n,
            Command::PayFee {
                reference: "FS2026030001".into(),
                amount_fen: 8000,
            },
        )
        .await;
        let held = app.my_licences(&user).await.unwrap();
        assert_eq!(held.len(), 1, "issued once the fee is paid");
        let case = act(
            &app,
            &clerk,
            &n,
            Command::Deliver {
                method: Delivery::Window,
                note: String::new(),
            },
        )
        .await;
        assert_eq!(case.status, CaseStatus::Closed);

        // The decision carries the 送达 stamp: a second signature appended after the first,
        // which stays valid; the stamp goes on once, whoever tries again.
        let decided = case.decision.as_ref().unwrap().document.clone();
        let rec = app.store.document(&decided).await.unwrap().unwrap();
        let file = app
            .store
            .document_file(rec.id, "pdf")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(file.revisions, 2, "sealed, then stamped");
        let checked = app
            .verify_file(&file.content, "test", "test")
            .await
            .unwrap();
        assert_eq!(checked.verdict, tongban_domain::document::Verdict::Valid);
        assert_eq!(checked.signatures, 2);
        assert_eq!(
            app.stamp_delivery(stored_id(&app, &n).await, &case)
                .await
                .unwrap(),
            0
        );
        assert_eq!(app.stamp_deliveries(10).await.unwrap(), 0);

        // The result verifies; the public lookup works with the phone's last four digits.
        let doc = case.decision.as_ref().unwrap().document.clone();
        let code = app
            .store
            .case_document(&doc)
            .await
            .unwrap()
            .unwrap()
            .verify_code;
        assert!(app.verify_document(&doc, "", "test").await.is_err());
        let v = app.verify_document(&doc, &code, "test").await.unwrap();
        assert!(v.intact);
        assert_eq!(v.outcome, "准予");
        let phone = app
            .store
            .user(user.user_id)
            .await
            .unwrap()
            .unwrap()
            .phone
            .unwrap();
        let status = app
            .public_case_status(&n, &phone[phone.len() - 4..], "test")
            .await
            .unwrap();
        assert_eq!(status.status, "已办结");
        assert!(app.public_case_status(&n, "0000", "test").await.is_err());

        // The log replays to the stored state, and every event is in the audit chain.
        let stored = app.store.case_by_number(&n).await.unwrap().unwrap();
        let events = app.store.case_events(stored.id).await.unwrap();
        let mut replay: Option<Case> = None;
        for e in &events {
            let ev: CaseEvent = serde_json::from_str(&e.payload).unwrap();
            let at = DateTime::from_timestamp_millis(e.at).unwrap();
            let by = e.actor_id.map(|id| tongban_domain::case::StaffRef {
                user_id: id,
                name: e.actor_name.clone(),
            });
            match &mut replay {
                None => replay = Case::from_received(&ev, at),
                Some(c) => c.apply(&ev, by.as_ref(), at),
            }
            assert!(e.audit_seq > 0);
        }
        let state: Case = serde_json::from_str(&stored.state).unwrap();
        assert_eq!(replay.unwrap(), state);
        assert!(matches!(
            app.audit_verify().await.unwrap(),
            tongban_store::audit::Verified::Intact { .. }
        ));
        // The records about the licence and its certificate belong to the case's region, so its
        // supervisors read them, whoever acted (the register and the issuing are the system's).
        let region = state.item.region.as_str().to_string();
        let about: Vec<_> = app
            .store
            .audit_page(None, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| {
                r.entry.action.starts_with("licence.")
                    || (r.entry.action.starts_with("document.") && r.entry.target.contains(&*n))
            })
            .collect();
        for action in ["licence.register", "document.issue"] {
            assert!(
                about.iter().any(|r| r.entry.action == action),
                "{action} recorded"
            );
        }
        for r in &about {
            assert_eq!(
                r.entry.region.as_ref().map(|x| x.as_str()),
                Some(region.as_str()),
                "{}",
                r.entry.action
            );
        }

        // Supervision saw one thing only: the deemed approval (办理超时); nothing else fired.
        let sup = who(&app, "jiancha").await;
        let rules: Vec<(String, Option<String>)> = app
            .findings(&sup, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.subject_number == n)
            .map(|f| (f.rule, f.step))
            .collect();
        assert_eq!(
            rules,
            vec![("overdue".to_string(), Some("s2c".to_string()))]
        );

        // Notifications to the applicant went to the outbox at each milestone.
        let outbox: i64 = app.store.count_outbox_for(&n).await.unwrap();
        assert!(outbox >= 5, "only {outbox} notifications");
    }
}

#[tokio::test]
async fn a_retried_submission_returns_the_first_case() {
    for app in apps().await {
        let user = who(&app, "user02").await;
        let a = apply(&app, &user, &["m1", "m2", "m3", "m4"], Some("retry-1")).await;
        let b = apply(&app, &user, &["m1", "m2", "m3", "m4"], Some("retry-1")).await;
        assert_eq!(a.number, b.number);
        let c = apply(&app, &user, &["m1", "m2", "m3", "m4"], Some("retry-2")).await;
        assert_ne!(a.number, c.number);
        assert_eq!(app.store.count_cases().await.unwrap(), 2);
    }
}

#[tokio::test]
async fn two_clerks_acting_on_the_same_version_cannot_both_win() {
    for app in apps().await {
        let user = who(&app, "user03").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        let v = app.case_view(&clerk, &n).await.unwrap().version;
        let accept = Command::Accept {
            check: check(&["m1", "m2", "m3", "m4"]),
        };
        let notice = Command::NotAccept {
            reason: "不属于本机关职权".into(),
        };
        let (a, b) = tokio::join!(
            app.act_on_case(&clerk, &n, Some(v), accept),
            app.act_on_case(&clerk, &n, Some(v), notice)
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} / {b:?}");
        let loser = a.err().or(b.err()).unwrap();
        assert!(
            loser.code == codes::Case::Stale || loser.code == codes::Case::WrongStatus,
            "{}",
            loser.code
        );
    }
}

#[tokio::test]
async fn an_application_left_without_answer_five_working_days_is_accepted_by_law() {
    for app in apps().await {
        let user = who(&app, "user04").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        let admin = who(&app, "admin").await;
        // Monday 2 March + 5 working days = Monday 9 March; Tuesday it counts as accepted.
        app.advance_clock(&admin, Duration::days(7)).await.unwrap();
        assert_eq!(
            app.case_view(&user, &n).await.unwrap().case.status,
            CaseStatus::Received
        );
        app.advance_clock(&admin, Duration::days(1)).await.unwrap();
        let case = app.case_view(&user, &n).await.unwrap().case;
        let acc = case.accepted.unwrap();
        assert!(acc.by_law);
        assert_eq!(acc.from, case.received_at);
    }
}

#[tokio::test]
async fn a_window_refusal_is_filed_with_supervision_and_nobody_else_sees_the_case() {
    for app in apps().await {
        let clerk = who(&app, "zrzy.clerk").await;
        let code = item_code(&app, PROPERTY).await;
        let case = app
            .submit_case(
                &clerk,
                NewCase {
                    item_code: code,
                    applicant: Some(ApplicantInput {
                        kind: PartyKind::Person,
                        name: "李四".into(),
                        id_code: "11010519491231002X".into(),
                        phone: "13912345678".into(),
                        email: None,
                    }),
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials: BTreeMap::new(),
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await
            .unwrap()
            .case;
        let n = case.number.to_string();
        assert_eq!(
            case.first_responder.as_ref().unwrap().user_id,
            clerk.user_id
        );
        // The record keeps the whole ID number (pages and logs mask it).
        assert_eq!(case.applicant.id_code, "11010519491231002X");
        act(
            &app,
            &clerk,
            &n,
            Command::NotAccept {
                reason: "该房屋已被司法查封".into(),
            },
        )
        .await;
        let sup = who(&app, "jiancha").await;
        let filings = app.negative_filings(&sup).await.unwrap();
        assert!(filings
            .iter()
            .any(|f| f.case_number == n && f.reason.contains("司法查封")));
        // Another applicant and another department's clerk get "not found".
        for login in ["user05", "rsj.clerk"] {
            let other = who(&app, login).await;
            let err = app.case_view(&other, &n).await.unwrap_err();
            assert_eq!(err.code, codes::General::NotFound, "{login}");
        }
    }
}

#[tokio::test]
async fn uploads_are_limited_in_size_and_kind() {
    for app in apps().await {
        let user = who(&app, "user06").await;
        let err = app
            .upload_case_file(&user, "a.exe", b"MZ\x90\x00")
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Case::FileType);
        let big = [PDF, &vec![b'x'; 11 * 1024 * 1024]].concat();
        let err = app
            .upload_case_file(&user, "big.pdf", &big)
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Case::FileTooLarge);
        let clerk = who(&app, "zrzy.approver").await;
        assert_eq!(
            app.upload_case_file(&clerk, "a.pdf", PDF)
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
    }
}

#[tokio::test]
async fn a_sweep_with_nothing_due_changes_nothing() {
    for app in apps().await {
        let user = who(&app, "user07").await;
        apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let head = app.store.audit_head().await.unwrap().0;
        assert_eq!(app.sweep_cases().await.unwrap(), 0);
        assert_eq!(app.store.audit_head().await.unwrap().0, head);
    }
}

#[tokio::test]
async fn the_case_clock_turns_yellow_then_red_as_time_passes() {
    use tongban_domain::supervision::Light;
    for app in apps().await {
        let user = who(&app, "user08").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let admin = who(&app, "admin").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        act(
            &app,
            &clerk,
            &n,
            Command::Accept {
                check: check(&["m1", "m2", "m3", "m4"]),
            },
        )
        .await;
        let committed = |d: &tongban_app::cases::CaseDetail| {
            d.clocks
                .iter()
                .find(|k| k.label.starts_with("承诺"))
                .map(|k| k.light)
                .unwrap()
        };
        let d = app.case_detail(&clerk, &n).await.unwrap();
        assert_eq!(committed(&d), Light::Green);
        // 5 working days from Monday 2 March: the 4th counted day (Friday 6th) is yellow.
        app.advance_clock(&admin, Duration::days(4)).await.unwrap();
        assert_eq!(
            committed(&app.case_detail(&clerk, &n).await.unwrap()),
            Light::Yellow
        );
        // Due Monday 9 March; on Tuesday it is red.
        app.advance_clock(&admin, Duration::days(4)).await.unwrap();
        assert_eq!(
            committed(&app.case_detail(&clerk, &n).await.unwrap()),
            Light::Red
        );
    }
}

#[tokio::test]
async fn a_deemed_approval_becomes_a_finding_the_supervisor_confirms_once() {
    for app in apps().await {
        let user = who(&app, "user09").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        act(
            &app,
            &clerk,
            &n,
            Command::Accept {
                check: check(&["m1", "m2", "m3", "m4"]),
            },
        )
        .await;
        assert!(
            app.findings(&sup, None).await.unwrap().is_empty(),
            "a lawful start raises nothing"
        );
        // s2c (住建, 1 day) is deemed approved two days later: 办理超时.
        app.advance_clock(&admin, Duration::days(2)).await.unwrap();
        let open = app.findings(&sup, Some("open")).await.unwrap();
        let f = open
            .iter()
            .find(|f| {
                f.subject_number == n && f.rule == "overdue" && f.step.as_deref() == Some("s2c")
            })
            .expect("the deemed approval is reported");
        // Sweeping again does not report it twice.
        app.sweep_cases().await.unwrap();
        assert_eq!(
            app.findings(&sup, Some("open"))
                .await
                .unwrap()
                .iter()
                .filter(|x| x.id == f.id)
                .count(),
            1
        );
        // Only supervisors decide, with a reason, and only once.
        assert_eq!(
            app.decide_finding(&clerk, f.id, true, "x")
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
        assert_eq!(
            app.decide_finding(&sup, f.id, true, " ")
                .await
                .unwrap_err()
                .code,
            codes::Finding::Reason
        );
        let done = app
            .decide_finding(&sup, f.id, true, "住建局未在时限内答复，予以问责")
            .await
            .unwrap();
        assert_eq!(done.status, "confirmed");
        assert_eq!(done.department_id, case.step("s2c").unwrap().department_id);
        assert_eq!(
            app.decide_finding(&sup, f.id, false, "再议")
                .await
                .unwrap_err()
                .code,
            codes::Finding::Decided
        );
        // A district supervisor does not see the city's findings.
        let district = who(&app, "jiangbei.jiancha").await;
        assert!(app
            .findings(&district, None)
            .await
            .unwrap()
            .iter()
            .all(|x| x.subject_number != n));
    }
}

#[tokio::test]
async fn a_supervision_order_is_answered_closed_or_escalated_when_left_unanswered() {
    for app in apps().await {
        let user = who(&app, "user10").await;
        let sup = who(&app, "jiancha").await;
        let head = who(&app, "zrzy.head").await;
        let admin = who(&app, "admin").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        assert_eq!(
            app.issue_order(&head, &n, None, "请说明", None)
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
        let o = app
            .issue_order(&sup, &n, None, "收件后未及时审查，请说明并整改", Some(2))
            .await
            .unwrap();
        assert_eq!(o.status, "issued");
        // Two working days from Monday 2 March: due at the end of Wednesday 4 March.
        assert_eq!(
            DateTime::from_timestamp_millis(o.due_at).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 4, 15, 59, 59).unwrap() + Duration::milliseconds(999)
        );
        assert_eq!(
            app.close_order(&sup, o.id, "").await.unwrap_err().code,
            codes::Order::Status,
            "nothing to close before the reply"
        );
        let other_head = who(&app, "swj.head").await;
        assert_eq!(
            app.reply_order(&other_head, o.id, "不归我管")
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
        let (_, mine) = app.orders(&head).await.unwrap();
        assert!(mine.iter().any(|x| x.id == o.id));
        let replied = app
            .reply_order(&head, o.id, "已于当日完成审查并受理，责任人已批评教育")
            .await
            .unwrap();
        assert_eq!(replied.status, "replied");
        let closed = app.close_order(&sup, o.id, "整改到位").await.unwrap();
        assert_eq!(closed.status, "closed");

        // A second order left unanswered past its deadline is escalated once.
        let late = app
            .issue_order(&sup, &n, None, "请报告进展", Some(1))
            .await
            .unwrap();
        app.advance_clock(&admin, Duration::days(1)).await.unwrap();
        assert!(app
            .store
            .order(late.id)
            .await
            .unwrap()
            .unwrap()
            .escalated_at
            .is_none());
        app.advance_clock(&admin, Duration::days(2)).await.unwrap();
        let esc = app.store.order(late.id).await.unwrap().unwrap();
        assert!(esc.escalated_at.is_some());
        assert_eq!(
            app.escalate_orders().await.unwrap(),
            0,
            "escalated once only"
        );
    }
}

#[tokio::test]
async fn the_same_matter_filed_online_and_at_a_window_is_multiple_approval() {
    for app in apps().await {
        let user = who(&app, "user11").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let sup = who(&app, "jiancha").await;
        let online = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        assert!(
            app.findings(&sup, None).await.unwrap().is_empty(),
            "one place is fine"
        );
        let account = app.store.user(user.user_id).await.unwrap().unwrap();
        let walk_in = app
            .submit_case(
                &clerk,
                NewCase {
                    item_code: item_code(&app, PROPERTY).await,
                    applicant: Some(ApplicantInput {
                        kind: PartyKind::Person,
                        name: account.name.clone(),
                        id_code: account.id_number.clone().unwrap(),
                        phone: account.phone.clone().unwrap(),
                        email: None,
                    }),
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials: BTreeMap::new(),
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await
            .unwrap()
            .case;
        let found = app.findings(&sup, Some("open")).await.unwrap();
        let f = found
            .iter()
            .find(|f| f.rule == "multiple_places")
            .expect("the second filing raises 多头审批");
        assert_eq!(f.subject_number, walk_in.number.to_string());
        assert!(f.detail.contains(&online.number.to_string()));
        // One matter, one finding: the detectors running again on the other case (its next
        // write) see the same matter, not a second one.
        let other = app
            .store
            .case_by_number(&online.number.to_string())
            .await
            .unwrap()
            .unwrap();
        app.detect_on_case(other.id).await.unwrap();
        let found = app.findings(&sup, None).await.unwrap();
        assert_eq!(
            found.iter().filter(|f| f.rule == "multiple_places").count(),
            1,
            "{found:?}"
        );
    }
}

#[tokio::test]
async fn guessing_the_public_lookup_is_throttled_per_address() {
    for app in apps().await {
        let user = who(&app, "user12").await;
        let case = apply(&app, &user, &["m1", "m2", "m3", "m4"], None).await;
        let n = case.number.to_string();
        let phone = app
            .store
            .user(user.user_id)
            .await
            .unwrap()
            .unwrap()
            .phone
            .unwrap();
        let tail = &phone[phone.len() - 4..];
        let limit = app.settings().ip_attempts_per_15min;
        let id_tail = &case.applicant.id_code[case.applicant.id_code.len() - 4..];
        let mut guesses = (5000..10_000)
            .map(|g: u32| format!("{g:04}"))
            .filter(|g| g != tail && g != id_tail);
        for _ in 0..limit {
            let wrong = guesses.next().unwrap();
            let err = app
                .public_case_status(&n, &wrong, "203.0.113.9")
                .await
                .unwrap_err();
            assert_eq!(err.code, codes::General::NotFound);
        }
        let err = app
            .public_case_status(&n, tail, "203.0.113.9")
            .await
            .unwrap_err();
        assert_eq!(
            err.code,
            codes::Case::LookupThrottled,
            "even the right digits wait now"
        );
        assert!(
            app.public_case_status(&n, tail, "198.51.100.7")
                .await
                .is_ok(),
            "other addresses are not affected"
        );
    }
}

#[tokio::test]
async fn the_public_lookup_follows_every_change_of_the_case() {
    for app in apps().await {
        let user = who(&app, "user13").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let all = ["m1", "m2", "m3", "m4"];
        let case = apply(&app, &user, &all, None).await;
        let n = case.number.to_string();
        let id_tail = case.applicant.id_code[case.applicant.id_code.len() - 4..].to_string();
        let before = app.public_case_status(&n, &id_tail, "test").await.unwrap();
        // Asked again with nothing changed: the same answer (from memory).
        let again = app.public_case_status(&n, &id_tail, "test").await.unwrap();
        assert_eq!(
            (&again.status, again.timeline.len()),
            (&before.status, before.timeline.len())
        );
        act(&app, &clerk, &n, Command::Accept { check: check(&all) }).await;
        let after = app.public_case_status(&n, &id_tail, "test").await.unwrap();
        assert_ne!(after.status, before.status, "the new status at once");
        assert!(after.timeline.len() > before.timeline.len());
        assert!(after.due_at.is_some(), "accepted: its clock runs");
        // The wrong digits still answer as an unknown case, from memory or not.
        let wrong = if id_tail == "0000" { "1111" } else { "0000" };
        assert_eq!(
            app.public_case_status(&n, wrong, "test")
                .await
                .unwrap_err()
                .code,
            codes::General::NotFound
        );
    }
}

async fn stored_id(app: &App, number: &str) -> i64 {
    app.store.case_by_number(number).await.unwrap().unwrap().id
}

/// A signer that is down: every signature fails.
struct Down;

impl tongban_documents::seal::SealService for Down {
    fn chain(&self) -> Vec<tongban_documents::ca::Cert> {
        Vec::new()
    }

    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, tongban_documents::Error> {
        Err(tongban_documents::Error::Signature(
            "签章服务器无响应".into(),
        ))
    }
}

/// The decision's PDF as kept: (revisions, signatures found by the public check).
async fn decision_file(app: &App, number: &str) -> (i64, usize) {
    let case = app.store.case_by_number(number).await.unwrap().unwrap();
    let rec = app
        .store
        .documents_of("case", case.id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.number.starts_with('准'))
        .expect("a decision");
    let file = app
        .store
        .document_file(rec.id, "pdf")
        .await
        .unwrap()
        .expect("sealed");
    let v = app
        .verify_file(&file.content, "test", "test")
        .await
        .unwrap();
    assert_eq!(v.verdict, tongban_domain::document::Verdict::Valid);
    (file.revisions, v.signatures)
}

#[tokio::test]
async fn a_delivered_decision_is_stamped_at_once_or_by_the_worker_when_signing_failed() {
    for app in apps().await {
        // At once: the delivery's own request puts the stamp on.
        let first = app.demo_decided_case("corp01", "XK00101001").await.unwrap();
        assert_eq!(decision_file(&app, &first).await, (2, 2));
        // The signer is down when the next result is delivered: the delivery stands, the stamp
        // waits, and the worker puts it on once the signer is back — once.
        let case = app.store.case_by_number(&first).await.unwrap().unwrap();
        let department = serde_json::from_str::<Case>(&case.state)
            .unwrap()
            .item
            .department_id;
        app.set_external_seal(department, std::sync::Arc::new(Down));
        let second = app.demo_decided_case("corp02", "XK00101001").await.unwrap();
        assert_eq!(app.stamp_deliveries(10).await.unwrap(), 0);
        app.clear_external_seal(department);
        assert_eq!(app.stamp_deliveries(10).await.unwrap(), 1);
        assert_eq!(decision_file(&app, &second).await, (2, 2));
        assert_eq!(app.stamp_deliveries(10).await.unwrap(), 0);
        assert_eq!(decision_file(&app, &first).await, (2, 2));
    }
}
