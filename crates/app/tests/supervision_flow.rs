//! Supervision through the application layer over the demo city, on SQLite and (when
//! `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL: the 两头受理 detector.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use tongban_app::accounts::actor_of;
use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::{App, Clock};
use tongban_domain::case::{Case, CaseStatus, Command, PartyKind};
use tongban_domain::catalog::Delivery;
use tongban_domain::identity::IdNumber;
use tongban_domain::org::Actor;
use tongban_store::{Options, Store};

const PROPERTY: &str = "QR00701002";

/// Monday 2 March 2026, 09:00 Shanghai.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

async fn stores() -> Vec<Store> {
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(format!(
        "tongban_supervision_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let s = Store::open(dir.to_str().unwrap(), &Options::default())
        .await
        .unwrap();
    s.migrate().await.unwrap();
    out.push(s);
    if let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") {
        let opts = Options {
            pg_schema: Some(format!(
                "s_{}_{}",
                std::process::id(),
                rand::random::<u32>()
            )),
            ..Options::default()
        };
        let s = Store::open(&url, &opts).await.unwrap();
        s.migrate().await.unwrap();
        out.push(s);
    }
    out
}

async fn apps() -> Vec<App> {
    let mut out = Vec::new();
    for store in stores().await {
        let app = App::new(store, Clock::simulated_at(monday()))
            .await
            .unwrap();
        app.load_demo().await.unwrap();
        app.load_demo_catalog().await.unwrap();
        out.push(app);
    }
    out
}

async fn who(app: &App, login: &str) -> Actor {
    actor_of(&app.store.user_by_login(login).await.unwrap().unwrap())
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
        assert_eq!(f.case_number, at_desk.number.to_string());
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
                    items: vec![("m1".into(), "请提交申请书".into())],
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
