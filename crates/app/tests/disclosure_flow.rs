//! Disclosure requests through the application, on every backend: who may act, every clock
//! rule on the shared calendar across 劳动节 (5/1–5/5 off, Saturday 5/9 worked) and 端午
//! (6/19–6/21), the notices to the applicant, the audit chain, and bad input that writes
//! nothing. Dates were counted by hand from the State Council's 2026 notice.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_app::disclosure::{DisclosureAction, FeeInput, NewDisclosure};
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::disclosure::{
    ApplicantInput, ApplicantKind, Channel, ConsultationKind, DeadlineKind, FormWanted, ReplyInput,
    ReplyKind, Status, WithheldPart, WithholdGround,
};
use tongban_domain::org::Actor;
use tongban_store::audit::Verified;

mod common;
use common::{open, places, who};

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The demo city with its disclosure offices, once per backend.
async fn apps() -> Vec<App> {
    let mut out = Vec::new();
    for place in places() {
        let app = open(&place).await;
        app.load_demo().await.unwrap();
        app.load_demo_disclosure().await.unwrap();
        out.push(app);
    }
    out
}

async fn city_office(app: &App) -> i64 {
    who(app, "gkb.clerk").await.department_id.unwrap()
}

fn applicant() -> ApplicantInput {
    ApplicantInput {
        kind: Some(ApplicantKind::Citizen),
        name: "张三".into(),
        id_code: "11010519491231002X".into(),
        phone: Some("13800138000".into()),
        email: Some("zhangsan@example.com".into()),
        address: None,
        org_kind: None,
    }
}

async fn act(app: &App, actor: &Actor, number: &str, a: DisclosureAction) -> Status {
    match app.act_on_disclosure(actor, number, None, a.clone()).await {
        Ok(v) => v.status,
        Err(e) => panic!("{a:?} by {}: {} {}", actor.name, e.code, e.message),
    }
}

/// The request's events and the audit chain's length: what a refusal must leave unchanged.
async fn footprint(app: &App, number: &str) -> (i64, usize, i64) {
    let row = app
        .store
        .disclosure_by_number(number)
        .await
        .unwrap()
        .unwrap();
    let events = app.store.disclosure_events(row.id).await.unwrap().len();
    let head = app.store.audit_page(None, 1).await.unwrap()[0].seq;
    (row.version, events, head)
}

async fn refused(
    app: &App,
    actor: &Actor,
    number: &str,
    a: DisclosureAction,
    code: codes::Disclosure,
) {
    let before = footprint(app, number).await;
    let err = app
        .act_on_disclosure(actor, number, None, a.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code, code, "{a:?}: {}", err.message);
    assert!(!err.message.is_empty());
    assert_eq!(
        footprint(app, number).await,
        before,
        "{a:?} wrote something"
    );
}

fn partial() -> ReplyInput {
    ReplyInput {
        kind: Some(ReplyKind::PartlyDisclosed),
        withheld: vec![WithheldPart {
            part: "合同单价".into(),
            ground: WithholdGround::ThirdParty,
            reason: "第三方认为属于商业秘密且不同意公开".into(),
        }],
        text: "其余内容以电子邮件提供。".into(),
        ..ReplyInput::default()
    }
}

#[tokio::test]
async fn supplement_restart_consultation_fee_and_partial_reply() {
    for app in apps().await {
        let resident = who(&app, "user01").await;
        let clerk = who(&app, "gkb.clerk").await;
        let head = who(&app, "gkb.head").await;
        let other_office = who(&app, "jbgkb.clerk").await;
        let other_dept = who(&app, "scjg.clerk").await;
        let office = city_office(&app).await;

        // Thursday 4/30, the eve of 劳动节: filed online, nothing runs until confirmed.
        app.clock.set(at(4, 30, 9));
        let v = app
            .file_disclosure(
                &resident,
                NewDisclosure {
                    department_id: office,
                    applicant: applicant(),
                    description: "2025年老旧小区改造项目的资金安排文件".into(),
                    purpose: None,
                    form: FormWanted::Email,
                    channel: Channel::Online,
                    received_at: None,
                },
            )
            .await
            .unwrap();
        let n = v.number.clone();
        assert_eq!(v.status, Status::Submitted);
        assert!(v.clock.is_none());
        assert_eq!(v.applicant_id, "110105********002X");
        assert_eq!(v.applicant_name, "张*");
        // Another office cannot confirm it; another applicant cannot see it.
        refused(
            &app,
            &other_office,
            &n,
            DisclosureAction::Confirm,
            codes::Disclosure::NotHolder,
        )
        .await;
        refused(
            &app,
            &other_dept,
            &n,
            DisclosureAction::Confirm,
            codes::Disclosure::NotHolder,
        )
        .await;
        let stranger = who(&app, "user02").await;
        assert_eq!(
            app.disclosure_view(&stranger, &n).await.unwrap_err().code,
            codes::Disclosure::NotFound
        );

        app.clock.set(at(4, 30, 10));
        assert_eq!(
            act(&app, &clerk, &n, DisclosureAction::Confirm).await,
            Status::Processing
        );
        let v = app.disclosure_view(&resident, &n).await.unwrap();
        // 20 working days over 劳动节, Saturday 5/9 counted: 6/1.
        assert_eq!(v.clock.as_ref().unwrap().due_date, day(6, 1));
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::SupplementNotice && d.due == day(5, 13)));

        // 补正 on 5/6, the applicant has the local 15 working days: 5/26.
        app.clock.set(at(5, 6, 9));
        let items = vec!["请写明项目所在街道".to_string()];
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::RequestSupplement {
                items: items.clone(),
                days: None,
            },
        )
        .await;
        let v = app.disclosure_view(&resident, &n).await.unwrap();
        assert_eq!(v.status, Status::AwaitingSupplement);
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::Supplement && d.due == day(5, 26)));
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::RequestSupplement {
                items: items.clone(),
                days: None,
            },
            codes::Disclosure::SupplementSecond,
        )
        .await;

        // The applicant supplies it on 5/8: the 20 days start again, to 6/4.
        app.clock.set(at(5, 8, 10));
        act(
            &app,
            &resident,
            &n,
            DisclosureAction::Supplement {
                text: "白鹭街道".into(),
            },
        )
        .await;
        assert_eq!(
            app.disclosure_view(&clerk, &n)
                .await
                .unwrap()
                .clock
                .unwrap()
                .due_date,
            day(6, 4)
        );
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::RequestSupplement { items, days: None },
            codes::Disclosure::SupplementSecond,
        )
        .await;

        // Third-party consultation 5/11–5/13: three working days not counted, due 6/9.
        app.clock.set(at(5, 11, 9));
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::Consult {
                kind: ConsultationKind::ThirdParty,
                party: "清江建设工程有限公司".into(),
                matter: "合同单价是否属于商业秘密".into(),
            },
        )
        .await;
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::Consultation && d.due == day(6, 1)));
        assert!(v.clock.as_ref().unwrap().suspended);
        app.clock.set(at(5, 13, 15));
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::CloseConsultation {
                answer: Some("不同意公开合同单价".into()),
            },
        )
        .await;
        assert_eq!(
            app.disclosure_view(&clerk, &n)
                .await
                .unwrap()
                .clock
                .unwrap()
                .due_date,
            day(6, 9)
        );

        // A fee in both modes is refused; per volume, 120 pages: 1100 yuan, paid the next day.
        app.clock.set(at(5, 14, 9));
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::NoticeFee(FeeInput {
                per_request: true,
                pages: Some(120),
            }),
            codes::Disclosure::FeeBothModes,
        )
        .await;
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::NoticeFee(FeeInput {
                per_request: true,
                pages: None,
            }),
            codes::Disclosure::FeeFree,
        )
        .await;
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::NoticeFee(FeeInput {
                per_request: false,
                pages: Some(120),
            }),
        )
        .await;
        let v = app.disclosure_view(&resident, &n).await.unwrap();
        assert_eq!(v.status, Status::AwaitingFee);
        assert!(
            v.fee.as_deref().unwrap().contains("合计 1100 元"),
            "{:?}",
            v.fee
        );
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::Fee && d.due == day(6, 11)));
        app.clock.set(at(5, 15, 10));
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::PayFee {
                reference: "JK20260515001".into(),
            },
        )
        .await;
        assert_eq!(
            app.disclosure_view(&clerk, &n)
                .await
                .unwrap()
                .clock
                .unwrap()
                .due_date,
            day(6, 11)
        );

        // Replies: without grounds, or from an office not holding it, are refused.
        app.clock.set(at(5, 20, 10));
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::Reply(ReplyInput {
                kind: Some(ReplyKind::PartlyDisclosed),
                ..ReplyInput::default()
            }),
            codes::Disclosure::GroundsMissing,
        )
        .await;
        refused(
            &app,
            &other_office,
            &n,
            DisclosureAction::Reply(partial()),
            codes::Disclosure::NotHolder,
        )
        .await;
        refused(
            &app,
            &resident,
            &n,
            DisclosureAction::Reply(partial()),
            codes::Disclosure::NotHolder,
        )
        .await;
        act(&app, &head, &n, DisclosureAction::Reply(partial())).await;
        let v = app.disclosure_view(&resident, &n).await.unwrap();
        assert_eq!(v.status, Status::Replied);
        let reply = v.reply.unwrap();
        assert_eq!(reply.kind, ReplyKind::PartlyDisclosed);
        assert!(reply.letter.contains("第三十七条"), "{}", reply.letter);
        assert!(reply.letter.contains("合同单价"));
        assert!(reply.letter.contains("1100.00 元"));
        assert!(reply.letter.contains("行政复议"));
        let ex = v.clock.unwrap().explanation.join("\n");
        assert!(ex.contains("劳动节") || ex.contains("调休"), "{ex}");
        assert!(ex.contains("征求第三方意见"), "{ex}");

        // The applicant was told at receipt, 补正, fee and reply, by SMS and e-mail each.
        let outbox = app.store.outbox_for_case(&n).await.unwrap();
        assert_eq!(outbox.len(), 8, "{outbox:?}");
        assert!(outbox
            .iter()
            .all(|m| !m.body.contains("11010519491231002X")));
        // Every change is in the audit chain.
        let actions: Vec<String> = app
            .store
            .audit_page(None, 40)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.entry.target == format!("disclosure:{n}"))
            .map(|r| r.entry.action)
            .collect();
        assert_eq!(actions.len(), 9, "{actions:?}");
        assert!(matches!(
            app.store.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
        // The queue no longer holds it.
        let queue = app.disclosure_queue(&clerk).await.unwrap();
        assert!(queue.iter().all(|l| l.number != n));
    }
}

async fn in_person(app: &App, clerk: &Actor, received: DateTime<Utc>) -> String {
    app.file_disclosure(
        clerk,
        NewDisclosure {
            department_id: clerk.department_id.unwrap(),
            applicant: applicant(),
            description: "本市2025年政府采购中标公告".into(),
            purpose: Some("研究".into()),
            form: FormWanted::Paper,
            channel: Channel::InPerson,
            received_at: Some(received),
        },
    )
    .await
    .unwrap()
    .number
}

#[tokio::test]
async fn unanswered_supplement_is_deemed_withdrawn_by_the_sweep() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(4, 29, 11));
        // The demo's own lapsed requests go first, so the counts below are this request's.
        app.sweep_disclosures().await.unwrap();
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        app.clock.set(at(4, 30, 9));
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::RequestSupplement {
                items: vec!["请写明文件名称".into()],
                days: Some(5),
            },
        )
        .await;
        // Five working days over 劳动节: 5/6, 5/7, 5/8, 5/9 (Saturday worked), 5/11.
        app.clock.set(at(5, 11, 23));
        assert_eq!(app.sweep_disclosures().await.unwrap(), 0);
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::LapseSupplement,
            codes::Disclosure::SupplementNotDue,
        )
        .await;
        app.clock.set(at(5, 12, 0));
        assert_eq!(app.sweep_disclosures().await.unwrap(), 1);
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert_eq!(v.status, Status::DeemedWithdrawn);
        assert!(v.deadlines.is_empty());
        let outbox = app.store.outbox_for_case(&n).await.unwrap();
        assert!(outbox
            .iter()
            .any(|m| m.body.contains("逾期未补正，视为放弃申请")));
        // A late supplement is refused.
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::Supplement {
                text: "迟到".into(),
            },
            codes::Disclosure::State,
        )
        .await;
    }
}

#[tokio::test]
async fn one_extension_by_the_head_across_dragon_boat() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        let head = who(&app, "gkb.head").await;
        app.clock.set(at(4, 29, 11));
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        assert_eq!(
            app.disclosure_view(&clerk, &n)
                .await
                .unwrap()
                .clock
                .unwrap()
                .due_date,
            day(5, 29)
        );
        app.clock.set(at(5, 27, 9));
        let ext = |days: u32| DisclosureAction::Extend {
            days,
            reason: "需调取历年档案".into(),
        };
        refused(
            &app,
            &clerk,
            &n,
            ext(20),
            codes::Disclosure::ExtensionApprover,
        )
        .await;
        refused(
            &app,
            &head,
            &n,
            ext(21),
            codes::Disclosure::ExtensionTooLong,
        )
        .await;
        refused(
            &app,
            &head,
            &n,
            DisclosureAction::Extend {
                days: 10,
                reason: " ".into(),
            },
            codes::Disclosure::ExtensionReason,
        )
        .await;
        act(&app, &head, &n, ext(20)).await;
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        // 20 more working days, 端午 6/19 skipped: 6/29.
        assert_eq!(v.clock.unwrap().due_date, day(6, 29));
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::ExtendedReply && d.due == day(6, 29)));
        refused(&app, &head, &n, ext(5), codes::Disclosure::ExtensionSecond).await;
        let outbox = app.store.outbox_for_case(&n).await.unwrap();
        assert!(outbox
            .iter()
            .any(|m| m.subject.contains("延期答复") && m.body.contains("需调取历年档案")));
        // The queue puts the soonest due first.
        let queue = app.disclosure_queue(&clerk).await.unwrap();
        let dues: Vec<_> = queue.iter().filter_map(|l| l.due_date.clone()).collect();
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted);
    }
}

#[tokio::test]
async fn the_demo_offices_hold_requests_in_every_state() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        let queue = app.disclosure_queue(&clerk).await.unwrap();
        assert!(!queue.is_empty());
        let supervisor = who(&app, "jiancha").await;
        // Supervisors read, but cannot act.
        let n = queue[0].number.clone();
        assert!(app.disclosure_view(&supervisor, &n).await.is_ok());
        refused(
            &app,
            &supervisor,
            &n,
            DisclosureAction::Confirm,
            codes::Disclosure::NotHolder,
        )
        .await;
    }
}

#[tokio::test]
async fn per_request_fees_count_the_applicants_requests_of_the_month() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(5, 29, 12));
        let mut numbers = Vec::new();
        // Eleven requests received in May by one applicant (one of them on 劳动节's eve).
        for d in [6, 7, 8, 11, 12, 13, 14, 15, 18, 19, 20] {
            numbers.push(in_person(&app, &clerk, at(5, d, 10)).await);
        }
        // A twelfth in June does not count toward May.
        app.clock.set(at(6, 1, 12));
        let june = in_person(&app, &clerk, at(6, 1, 10)).await;
        let per_request = || {
            DisclosureAction::NoticeFee(FeeInput {
                per_request: true,
                pages: None,
            })
        };
        // The first of the month is free; the eleventh costs 100 yuan.
        refused(
            &app,
            &clerk,
            &numbers[0],
            per_request(),
            codes::Disclosure::FeeFree,
        )
        .await;
        refused(
            &app,
            &clerk,
            &june,
            per_request(),
            codes::Disclosure::FeeFree,
        )
        .await;
        act(&app, &clerk, &numbers[10], per_request()).await;
        let v = app.disclosure_view(&clerk, &numbers[10]).await.unwrap();
        assert_eq!(v.status, Status::AwaitingFee);
        assert!(
            v.fee
                .as_deref()
                .unwrap()
                .contains("本月第 11 件申请，收费 100 元"),
            "{:?}",
            v.fee
        );
    }
}

/// The reply deadline of a request is in the one deadline index: it goes yellow and red on
/// the board as the simulated clock crosses 劳动节, the sweeper warns once per crossing, and a
/// reply takes it off the board.
#[tokio::test]
async fn the_reply_deadline_goes_yellow_and_red_on_the_board_across_labour_day() {
    use tongban_domain::supervision::{Light, SubjectKind};
    use tongban_store::watch::LitFilter;
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        let sup = who(&app, "jiancha").await;
        app.clock.set(at(4, 29, 11));
        app.sweep_warnings().await.unwrap();
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        let subject = app
            .store
            .subject(SubjectKind::Disclosure, &n)
            .await
            .unwrap()
            .expect("registered as a supervised subject");
        assert_eq!(subject.party, "张*", "stored masked");
        assert!(subject.title.contains("政府采购中标公告"));
        let sref = subject.subject();
        // Due end of Friday 29 May (20 working days, 5/1–5/5 off, Saturday 5/9 worked).
        let clocks = app.store.subject_clocks(&sref).await.unwrap();
        assert_eq!(clocks.len(), 1);
        assert_eq!(
            (clocks[0].0.as_str(), clocks[0].1, clocks[0].2),
            ("reply", 0, at(5, 30, 0).timestamp_millis())
        );
        let of_request = || {
            app.store
                .warnings_of_subject(SubjectKind::Disclosure, sref.id)
        };
        // Across the holiday: still green, nothing fires.
        app.clock.set(at(5, 5, 12));
        app.sweep_warnings().await.unwrap();
        assert!(of_request().await.unwrap().is_empty());
        // The last day: yellow, once however often the sweeper runs.
        app.clock.set(at(5, 29, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        let w = of_request().await.unwrap();
        assert_eq!(w.iter().map(|x| x.light).collect::<Vec<_>>(), vec![1]);
        assert_eq!(w[0].subject_number, n);
        let lit = |light| {
            app.board_cases(
                &sup,
                None,
                LitFilter {
                    kind: Some(SubjectKind::Disclosure),
                    light,
                    ..LitFilter::default()
                },
            )
        };
        assert!(lit(Some(Light::Yellow))
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n));
        // Saturday 30 May: red, once.
        app.clock.set(at(5, 30, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        let w = of_request().await.unwrap();
        assert_eq!(w.iter().map(|x| x.light).collect::<Vec<_>>(), vec![1, 2]);
        assert!(lit(Some(Light::Red))
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n && l.light == 2));
        // The (late) reply takes it off the index.
        act(&app, &clerk, &n, DisclosureAction::Reply(partial())).await;
        assert!(app.store.subject_clocks(&sref).await.unwrap().is_empty());
        assert!(!lit(None)
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n));
    }
}
