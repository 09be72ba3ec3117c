//! Disclosure requests under supervision and 第三十五条, through the application on every
//! backend, the simulated clock crossing 劳动节 (5/1–5/5 off, Saturday 5/9 worked) and 端午
//! (6/19–6/21): a late reply and a reply without grounds are findings written with the event,
//! the office is reminded before its 补正 notice window closes, 第三十五条's reasons and later
//! date, and 复议/诉讼 records. Dates were counted by hand from the State Council's 2026 notice.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_app::disclosure::{DisclosureAction, NewDisclosure};
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::disclosure::{
    ApplicantInput, ApplicantKind, Channel, DeadlineKind, FormWanted, NotProcessedReason,
    RemedyKind, RemedyOutcome, ReplyInput, ReplyKind, Status,
};
use tongban_domain::org::Actor;
use tongban_domain::supervision::detect::Rule;
use tongban_domain::supervision::SubjectKind;

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

async fn in_person(app: &App, clerk: &Actor, received: DateTime<Utc>) -> String {
    app.file_disclosure(
        clerk,
        NewDisclosure {
            department_id: clerk.department_id.unwrap(),
            applicant: ApplicantInput {
                kind: Some(ApplicantKind::Citizen),
                name: "张三".into(),
                id_code: "11010519491231002X".into(),
                phone: Some("13800138000".into()),
                ..ApplicantInput::default()
            },
            description: "本市2025年政府采购中标公告".into(),
            purpose: None,
            form: FormWanted::Paper,
            channel: Channel::InPerson,
            received_at: Some(received),
        },
    )
    .await
    .unwrap()
    .number
}

async fn act(app: &App, actor: &Actor, number: &str, a: DisclosureAction) -> Status {
    match app.act_on_disclosure(actor, number, None, a.clone()).await {
        Ok(v) => v.status,
        Err(e) => panic!("{a:?} by {}: {} {}", actor.name, e.code, e.message),
    }
}

async fn footprint(app: &App, number: &str) -> (i64, usize, i64, usize) {
    let row = app
        .store
        .disclosure_by_number(number)
        .await
        .unwrap()
        .unwrap();
    let events = app.store.disclosure_events(row.id).await.unwrap().len();
    let head = app.store.audit_page(None, 1).await.unwrap()[0].seq;
    let findings = app
        .store
        .findings_of_subject(SubjectKind::Disclosure, row.id)
        .await
        .unwrap()
        .len();
    (row.version, events, head, findings)
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
    assert_eq!(
        footprint(app, number).await,
        before,
        "{a:?} wrote something"
    );
}

async fn findings(app: &App, number: &str) -> Vec<(String, String)> {
    let row = app
        .store
        .disclosure_by_number(number)
        .await
        .unwrap()
        .unwrap();
    app.store
        .findings_of_subject(SubjectKind::Disclosure, row.id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.rule, f.detail))
        .collect()
}

fn disclosed() -> DisclosureAction {
    DisclosureAction::Reply(ReplyInput {
        kind: Some(ReplyKind::Disclosed),
        text: "以纸质文本提供。".into(),
        ..ReplyInput::default()
    })
}

fn excessive() -> DisclosureAction {
    DisclosureAction::Reply(ReplyInput {
        kind: Some(ReplyKind::NotProcessed),
        not_processed: Some(NotProcessedReason::Excessive),
        ..ReplyInput::default()
    })
}

#[tokio::test]
async fn a_late_reply_is_a_finding_written_with_the_reply_across_labour_day() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(4, 29, 11));
        // Received Wednesday 4/29: 20 working days over 劳动节, 5/9 counted: due Friday 5/29.
        let on_time = in_person(&app, &clerk, at(4, 29, 10)).await;
        let late = in_person(&app, &clerk, at(4, 29, 10)).await;
        app.clock.set(at(5, 29, 17));
        act(&app, &clerk, &on_time, disclosed()).await;
        assert!(findings(&app, &on_time).await.is_empty());
        // Monday 6/1: one working day late.
        app.clock.set(at(6, 1, 9));
        let before = footprint(&app, &late).await;
        act(&app, &clerk, &late, disclosed()).await;
        let found = findings(&app, &late).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Rule::Overdue.as_str());
        assert!(found[0].1.contains("2026-05-29"), "{}", found[0].1);
        // Written with the reply: one new event, one new audit record.
        let after = footprint(&app, &late).await;
        assert_eq!(after.1, before.1 + 1);
        assert_eq!(after.2, before.2 + 1);
        // The finding is on the shared board's list, in the request's region.
        let all = app.store.findings("", None, 100).await.unwrap();
        assert!(all
            .iter()
            .any(|f| f.subject_kind == SubjectKind::Disclosure && f.subject_number == late));
        // Recording a 复议 later does not find it again.
        app.clock.set(at(6, 10, 9));
        act(
            &app,
            &clerk,
            &late,
            DisclosureAction::RecordRemedy {
                kind: RemedyKind::Reconsideration,
                filed_on: day(6, 8),
                body: "清江市人民政府".into(),
            },
        )
        .await;
        assert_eq!(findings(&app, &late).await.len(), 1);
    }
}

#[tokio::test]
async fn excessive_requests_reasons_then_a_later_date_across_dragon_boat() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(4, 29, 11));
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        app.clock.set(at(5, 6, 9));
        refused(
            &app,
            &clerk,
            &n,
            excessive(),
            codes::Disclosure::ExcessiveWithoutReasons,
        )
        .await;
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::SetLaterDate {
                date: day(6, 23),
                reason: "数量较大".into(),
            },
            codes::Disclosure::LaterDateWithoutReasons,
        )
        .await;
        // Asked on 5/6 with 5 working days: 5/7, 5/8, 5/9 (Saturday, worked), 5/11, 5/12.
        assert_eq!(
            act(
                &app,
                &clerk,
                &n,
                DisclosureAction::RequestReasons {
                    matter: "一个月内提出同类申请42件".into(),
                    days: Some(5),
                },
            )
            .await,
            Status::AwaitingReasons
        );
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::Reasons && d.due == day(5, 12)));
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::Reply && d.due == day(5, 29)));
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::RequestReasons {
                matter: "再次".into(),
                days: None,
            },
            codes::Disclosure::ReasonsSecond,
        )
        .await;
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::GiveReasons {
                text: "用于课题研究，需逐年比对".into(),
            },
        )
        .await;
        // 6/20 is inside 端午 (6/19–6/21): not a working day.
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::SetLaterDate {
                date: day(6, 20),
                reason: "数量较大".into(),
            },
            codes::Disclosure::LaterDateInvalid,
        )
        .await;
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::SetLaterDate {
                date: day(6, 23),
                reason: "涉及42件申请，需逐件检索".into(),
            },
        )
        .await;
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert_eq!(v.clock.as_ref().unwrap().due_date, day(6, 23));
        assert!(v
            .deadlines
            .iter()
            .any(|d| d.kind == DeadlineKind::LaterDate && d.due == day(6, 23)));
        // The deadline index follows: red after Tuesday 6/23.
        let sref = app
            .store
            .subject(SubjectKind::Disclosure, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        let clocks = app.store.subject_clocks(&sref).await.unwrap();
        assert_eq!(clocks[0].0, "reply");
        assert_eq!(clocks[0].2, at(6, 24, 0).timestamp_millis());
        // The applicant was told of the reasons asked and the later date.
        let outbox = app.store.outbox_for_case(&n).await.unwrap();
        assert!(outbox.iter().any(|m| m.body.contains("第三十五条")));
        assert!(outbox.iter().any(|m| m.body.contains("2026-06-23")));
        // 不予处理 on the later date is on time: no finding.
        app.clock.set(at(6, 23, 16));
        act(&app, &clerk, &n, excessive()).await;
        assert!(findings(&app, &n).await.is_empty());
    }
}

#[tokio::test]
async fn reconsideration_and_litigation_are_recorded_with_their_outcome() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        let other = who(&app, "jbgkb.clerk").await;
        app.clock.set(at(4, 29, 11));
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        let record = |kind, d| DisclosureAction::RecordRemedy {
            kind,
            filed_on: d,
            body: "清江市人民政府".into(),
        };
        refused(
            &app,
            &clerk,
            &n,
            record(RemedyKind::Reconsideration, day(4, 29)),
            codes::Disclosure::State,
        )
        .await;
        app.clock.set(at(5, 6, 9));
        act(&app, &clerk, &n, disclosed()).await;
        app.clock.set(at(6, 1, 9));
        refused(
            &app,
            &clerk,
            &n,
            record(RemedyKind::Reconsideration, day(5, 5)),
            codes::Disclosure::RemedyDate,
        )
        .await;
        refused(
            &app,
            &other,
            &n,
            record(RemedyKind::Reconsideration, day(5, 20)),
            codes::Disclosure::NotHolder,
        )
        .await;
        act(
            &app,
            &clerk,
            &n,
            record(RemedyKind::Reconsideration, day(5, 20)),
        )
        .await;
        refused(
            &app,
            &clerk,
            &n,
            record(RemedyKind::Reconsideration, day(5, 21)),
            codes::Disclosure::RemedySecond,
        )
        .await;
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert_eq!(v.remedies.len(), 1);
        assert_eq!(v.remedies[0].outcome_label, "尚未审结");
        act(
            &app,
            &clerk,
            &n,
            DisclosureAction::DecideRemedy {
                kind: RemedyKind::Reconsideration,
                outcome: RemedyOutcome::Corrected,
                decided_on: day(5, 29),
            },
        )
        .await;
        refused(
            &app,
            &clerk,
            &n,
            DisclosureAction::DecideRemedy {
                kind: RemedyKind::Litigation,
                outcome: RemedyOutcome::Upheld,
                decided_on: day(5, 29),
            },
            codes::Disclosure::RemedyMissing,
        )
        .await;
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert_eq!(v.remedies[0].outcome, Some(RemedyOutcome::Corrected));
        assert_eq!(v.status, Status::Replied);
    }
}

#[tokio::test]
async fn the_office_is_reminded_once_before_its_supplement_window_closes() {
    for app in apps().await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(4, 29, 11));
        let n = in_person(&app, &clerk, at(4, 29, 10)).await;
        let reminded = || async {
            app.store
                .outbox_for_case(&n)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject == "补正通知期限提醒")
                .collect::<Vec<_>>()
        };
        // The window: 4/30, then 5/6–5/9 (Saturday worked), 5/11, 5/12; yellow from its
        // sixth day, Monday 5/11.
        app.clock.set(at(5, 8, 17));
        app.sweep_disclosures().await.unwrap();
        assert!(reminded().await.is_empty());
        app.clock.set(at(5, 11, 9));
        app.sweep_disclosures().await.unwrap();
        app.sweep_disclosures().await.unwrap();
        let sent = reminded().await;
        let once = sent.len();
        assert!(once > 0);
        assert!(sent.iter().all(|m| m.body.contains("2026-05-12")));
        let v = app.disclosure_view(&clerk, &n).await.unwrap();
        assert!(v.history.iter().any(|h| h.what == "提醒公开工作机构"));
        // Not again, and not after the window.
        app.clock.set(at(5, 13, 9));
        app.sweep_disclosures().await.unwrap();
        assert_eq!(reminded().await.len(), once);
    }
}
