//! Supervision through the application layer over the demo city, on SQLite and (when
//! `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL: efficiency warnings (效能告诫) and the rule
//! that carries them to a department's head, and the 两头受理 detector.

use std::collections::BTreeMap;

use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::App;
use tongban_domain::case::{Case, CaseStatus, Command, PartyKind};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::identity::IdNumber;
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::admonition::Evidence;
use tongban_store::users::NewUser;

mod common;
use common::*;

/// A department of the city with its head and three clerks, each with a phone and an e-mail
/// address so the outbox shows who was told.
struct Unit {
    department_id: i64,
    head: Actor,
    clerks: Vec<Actor>,
}

async fn unit(app: &App) -> Unit {
    let city = RegionCode::parse("361200").unwrap();
    let department_id = app
        .store
        .create_department(
            "清江市效能测试局",
            &city,
            app.system_entry("department.create", String::new(), "测试".into()),
        )
        .await
        .unwrap();
    let mut people = Vec::new();
    for (i, (login, role)) in [
        ("xn.head", Role::DeptHead),
        ("xn.a", Role::Clerk),
        ("xn.b", Role::Approver),
        ("xn.c", Role::Clerk),
    ]
    .into_iter()
    .enumerate()
    {
        let user = NewUser {
            login: login.into(),
            password_hash: "$argon2id$stub".into(),
            name: format!("效能{login}"),
            role: Some(role),
            department_id: Some(department_id),
            region_code: Some(city.clone()),
            phone: Some(format!("1390000000{i}")),
            email: Some(format!("{login}@example.gov.cn")),
            ..NewUser::default()
        };
        app.store
            .create_user(
                &user,
                app.now(),
                app.system_entry("staff.create", String::new(), "测试".into()),
            )
            .await
            .unwrap();
        people.push(who(app, login).await);
    }
    let head = people.remove(0);
    Unit {
        department_id,
        head,
        clerks: people,
    }
}

/// The messages queued to a phone number.
async fn texts_to(app: &App, phone: &str) -> Vec<String> {
    app.store
        .outbox_recent(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == phone)
        .map(|m| m.body)
        .collect()
}

#[tokio::test]
async fn every_second_staff_warning_of_a_department_warns_its_head_once() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let u = unit(&app).await;
        let year = app.admonition_year();
        assert_eq!(year, 2026);
        let give = |person: i64, evidence: Evidence| {
            let (app, sup) = (&app, &sup);
            async move {
                app.issue_admonition(sup, person, "群众反映窗口推诿，经查属实", evidence)
                    .await
                    .unwrap()
            }
        };

        let first = give(u.clerks[0].user_id, Evidence::default()).await;
        assert_eq!(first.admonition.kind, "staff");
        assert_eq!(first.admonition.department_id, u.department_id);
        assert!(
            first.by_rule.is_none(),
            "one warning gives the head nothing"
        );
        // A warning to the head themself does not count toward the staff tally.
        let direct = give(u.head.user_id, Evidence::default()).await;
        assert_eq!(direct.admonition.kind, "head");
        assert!(direct.by_rule.is_none());

        let second = give(u.clerks[1].user_id, Evidence::default()).await;
        let by_rule = second
            .by_rule
            .expect("the second staff warning warns the head");
        assert_eq!(by_rule.kind, "head_by_rule");
        assert_eq!(by_rule.person_id, Some(u.head.user_id));
        assert_eq!(by_rule.completes, Some(second.admonition.id));
        let chain: Evidence = serde_json::from_str(&by_rule.evidence).unwrap();
        assert_eq!(
            chain.admonitions,
            vec![first.admonition.id, second.admonition.id]
        );

        let third = give(u.clerks[2].user_id, Evidence::default()).await;
        assert!(third.by_rule.is_none(), "three still give one");
        let fourth = give(u.clerks[0].user_id, Evidence::default()).await;
        let again = fourth.by_rule.expect("four give two");
        let chain: Evidence = serde_json::from_str(&again.evidence).unwrap();
        assert_eq!(
            chain.admonitions,
            vec![third.admonition.id, fourth.admonition.id]
        );

        // The person warned and the head are told.
        let to_clerk = texts_to(&app, "13900000001").await;
        assert_eq!(to_clerk.len(), 2, "{to_clerk:?}");
        assert!(to_clerk[0].contains("您受到效能告诫") && to_clerk[0].contains("推诿"));
        let to_head = texts_to(&app, "13900000000").await;
        assert_eq!(
            to_head
                .iter()
                .filter(|t| t.starts_with("您受到效能告诫"))
                .count(),
            3,
            "one direct, two by the rule: {to_head:?}"
        );
        assert_eq!(
            to_head.iter().filter(|t| t.starts_with("本单位")).count(),
            4,
            "told of each staff warning: {to_head:?}"
        );

        // Who sees which.
        let all = app.admonitions(&sup, year).await.unwrap();
        assert_eq!(
            all.iter()
                .filter(|a| a.department_id == u.department_id)
                .count(),
            7
        );
        let head_sees = app.admonitions(&u.head, year).await.unwrap();
        assert_eq!(head_sees.len(), 7);
        let own = app.admonitions(&u.clerks[0], year).await.unwrap();
        assert_eq!(own.len(), 2);
        assert!(own.iter().all(|a| a.person_id == Some(u.clerks[0].user_id)));
        let other_head = who(&app, "zrzy.head").await;
        assert!(app.admonitions(&other_head, year).await.unwrap().is_empty());
        assert!(app.admonitions(&sup, 2025).await.unwrap().is_empty());
        assert_eq!(
            app.admonitions(&sup, 1900).await.unwrap_err().code,
            codes::Admonition::Year
        );
        let applicant = who(&app, "user01").await;
        assert_eq!(
            app.admonitions(&applicant, year).await.unwrap_err().code,
            codes::Auth::Forbidden
        );
        assert!(matches!(
            app.audit_verify().await.unwrap(),
            tongban_store::audit::Verified::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn only_a_supervisor_warns_and_only_departmental_staff_of_their_region_with_evidence_they_see(
) {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let clerk = who(&app, "scjg.clerk").await;
        let reason = "受理环节拖延，造成群众多次往返";
        let code = |r: tongban_app::Result<tongban_app::admonitions::IssuedAdmonition>| {
            r.map(|_| ()).unwrap_err().code
        };
        let head = who(&app, "scjg.head").await;
        assert_eq!(
            code(
                app.issue_admonition(&head, clerk.user_id, reason, Evidence::default())
                    .await
            ),
            codes::Auth::Forbidden
        );
        assert_eq!(
            code(
                app.issue_admonition(&sup, clerk.user_id, "  ", Evidence::default())
                    .await
            ),
            codes::Admonition::Reason
        );
        // A district supervisor does not reach the city's staff.
        let district = who(&app, "jiangbei.jiancha").await;
        assert_eq!(
            code(
                app.issue_admonition(&district, clerk.user_id, reason, Evidence::default())
                    .await
            ),
            codes::General::NotFound
        );
        // Applicants are not staff; legal affairs staff belong to no department.
        let applicant = who(&app, "user01").await;
        assert_eq!(
            code(
                app.issue_admonition(&sup, applicant.user_id, reason, Evidence::default())
                    .await
            ),
            codes::General::NotFound
        );
        let legal = who(&app, "fazhi").await;
        assert_eq!(
            code(
                app.issue_admonition(&sup, legal.user_id, reason, Evidence::default())
                    .await
            ),
            codes::Admonition::Person
        );
        for number in ["361200-20260302-999999", "不是办件编号"] {
            let bad_case = Evidence {
                cases: vec![number.into()],
                ..Evidence::default()
            };
            assert_eq!(
                code(
                    app.issue_admonition(&sup, clerk.user_id, reason, bad_case)
                        .await
                ),
                codes::Admonition::Case,
                "{number}"
            );
        }
        let bad_finding = Evidence {
            findings: vec![424242],
            ..Evidence::default()
        };
        assert_eq!(
            code(
                app.issue_admonition(&sup, clerk.user_id, reason, bad_finding)
                    .await
            ),
            codes::Admonition::Finding
        );
        let forged_chain = Evidence {
            admonitions: vec![1],
            ..Evidence::default()
        };
        assert_eq!(
            code(
                app.issue_admonition(&sup, clerk.user_id, reason, forged_chain)
                    .await
            ),
            codes::Admonition::Evidence
        );
        assert!(app.admonitions(&sup, 2026).await.unwrap().is_empty());

        // A case the supervisor sees is evidence; cited twice it is kept once.
        let case = file(
            &app,
            "zrzy.clerk",
            "13912345678",
            &id_code("36120219800101123"),
        )
        .await;
        let issued = app
            .issue_admonition(
                &sup,
                clerk.user_id,
                reason,
                Evidence {
                    cases: vec![case.number.to_string(), format!(" {} ", case.number)],
                    ..Evidence::default()
                },
            )
            .await
            .unwrap();
        let e: Evidence = serde_json::from_str(&issued.admonition.evidence).unwrap();
        assert_eq!(e.cases, vec![case.number.to_string()]);
        assert_eq!(issued.admonition.person_id, Some(clerk.user_id));
        assert_eq!(issued.admonition.issued_by, Some(sup.user_id));
    }
}

fn id_code(first17: &str) -> String {
    IdNumber::complete(first17).unwrap().as_str().to_string()
}

/// Files 不动产转移登记 at a window for a walk-in, as `login` (a clerk or a head of 自然资源局).
async fn file(app: &App, login: &str, phone: &str, id: &str) -> Case {
    let staff = who(app, login).await;
    let (summary, _) = app.public_item(PROPERTY).await.unwrap();
    app.submit_case(
        &staff,
        NewCase {
            item_code: summary.implementation_code,
            applicant: Some(ApplicantInput {
                kind: PartyKind::Person,
                name: "赵两头".into(),
                id_code: id.into(),
                phone: phone.into(),
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
    .unwrap_or_else(|e| panic!("{login}: {} {}", e.code, e.message))
    .case
}

#[tokio::test]
async fn the_same_matter_at_a_centre_window_and_at_the_departments_desk_is_double_intake() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let id = id_code("36120219850505123");
        // 自然资源局's clerk sits at the city centre; its head has no hall: the desk.
        let at_centre = file(&app, "zrzy.clerk", "13912340001", &id).await;
        assert!(app
            .findings(&sup, None)
            .await
            .unwrap()
            .iter()
            .all(|f| f.rule != "double_intake"));
        let at_desk = file(&app, "zrzy.head", "13912340001", &id).await;
        assert_eq!(at_desk.intake_hall_id, None);
        let head = who(&app, "zrzy.head").await;
        let found = app.findings(&sup, Some("open")).await.unwrap();
        let double: Vec<_> = found.iter().filter(|f| f.rule == "double_intake").collect();
        assert_eq!(double.len(), 1, "{found:?}");
        let f = double[0];
        assert_eq!(f.subject_number, at_desk.number.to_string());
        assert!(f.detail.contains(&at_centre.number.to_string()));
        assert_eq!(f.person_id, Some(head.user_id), "the desk's receiver");
        // The centre's case moving on sees the same pair: still one finding.
        let clerk = who(&app, "zrzy.clerk").await;
        let moved = app
            .act_on_case(
                &clerk,
                &at_centre.number.to_string(),
                None,
                Command::NoticeSupplement {
                    // One notice lists every required material not handed in.
                    items: ["m1", "m2", "m3", "m4"]
                        .iter()
                        .map(|k| ((*k).to_string(), "请提交".to_string()))
                        .collect(),
                },
            )
            .await
            .unwrap()
            .case;
        assert_eq!(moved.status, CaseStatus::AwaitingSupplement);
        let found = app.findings(&sup, None).await.unwrap();
        assert_eq!(
            found.iter().filter(|f| f.rule == "double_intake").count(),
            1
        );
    }
}

#[tokio::test]
async fn the_same_matter_twice_at_the_centre_is_not_double_intake() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let id = id_code("36120219900909123");
        file(&app, "zrzy.clerk", "13912340002", &id).await;
        file(&app, "zrzy.clerk", "13912340002", &id).await;
        let found = app.findings(&sup, None).await.unwrap();
        assert!(found.iter().all(|f| f.rule != "double_intake"), "{found:?}");
    }
}
