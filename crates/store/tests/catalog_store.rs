//! The catalog's storage story, on every backend.

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::catalog::{sample, ItemStatus};
use tongban_domain::region::RegionCode;
use tongban_store::catalog::{ItemEventNew, ItemFilter};
use tongban_store::org::Region;
use tongban_store::{Store, StoreError};

mod common;

async fn backends() -> Vec<Store> {
    common::backends()
        .await
        .into_iter()
        .map(|db| db.store)
        .collect()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "t".into(),
        role: "admin".into(),
        action: action.into(),
        target: String::new(),
        summary: action.into(),
        region: None,
    }
}

fn event(action: &str, role: &str) -> ItemEventNew {
    ItemEventNew {
        action: action.into(),
        actor_id: Some(1),
        actor: "测试员".into(),
        role: role.into(),
        comment: format!("{action} 意见"),
        effective_date: None,
    }
}

/// A city with one department whose id is 1, as the sample items expect.
async fn seed(s: &Store) {
    let city = RegionCode::parse("361200").unwrap();
    let r = Region {
        level: city.level(),
        parent_code: None,
        code: city.clone(),
        name: "清江市".into(),
    };
    s.create_region(&r, entry("r")).await.unwrap();
    assert_eq!(
        s.create_department("清江市市场监管局", &city, entry("d"))
            .await
            .unwrap(),
        1
    );
}

async fn publish(s: &Store, id: i64, version: i64) {
    let steps = [
        (
            ItemStatus::Draft,
            ItemStatus::FirstReview,
            "submit",
            "dept_head",
        ),
        (
            ItemStatus::FirstReview,
            ItemStatus::SecondReview,
            "approve",
            "supervisor",
        ),
        (
            ItemStatus::SecondReview,
            ItemStatus::FinalReview,
            "approve",
            "legal",
        ),
        (
            ItemStatus::FinalReview,
            ItemStatus::Published,
            "approve",
            "leader",
        ),
    ];
    for (from, to, action, role) in steps {
        s.transition_item(
            id,
            version,
            from,
            to,
            &event(action, role),
            t0(),
            entry("item.transition"),
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn an_item_is_drafted_reviewed_published_and_versioned() {
    for s in backends().await {
        seed(&s).await;
        let mut item = sample::food_licence();
        let id = s
            .create_item(
                &item,
                &event("create", "dept_head"),
                t0(),
                entry("item.create"),
            )
            .await
            .unwrap();
        let summary = s.item(id).await.unwrap().unwrap();
        assert_eq!(
            (
                summary.status,
                summary.latest_version,
                summary.published_version
            ),
            (ItemStatus::Draft, 1, None)
        );
        assert_eq!(summary.theme_list(), ["开办企业", "经营许可"]);
        let dup = s
            .create_item(
                &item,
                &event("create", "dept_head"),
                t0(),
                entry("item.create"),
            )
            .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "one item per implementation code"
        );

        item.committed_limit_days = 9;
        s.save_item_draft(id, 1, &item, t0(), entry("item.save"))
            .await
            .unwrap();
        publish(&s, id, 1).await;
        let v1 = s.item_version(id, 1).await.unwrap().unwrap();
        assert_eq!(
            (v1.status, v1.item.committed_limit_days),
            (ItemStatus::Published, 9)
        );
        assert_eq!(v1.published_at, Some(t0()));
        let err = s
            .save_item_draft(id, 1, &item, t0(), entry("item.save"))
            .await;
        assert!(
            matches!(err, Err(StoreError::Conflict(_))),
            "a published version is never edited"
        );

        let v2 = s
            .new_item_version(
                id,
                1,
                &event("new_version", "dept_head"),
                t0() + Duration::days(1),
                entry("item.version"),
            )
            .await
            .unwrap();
        assert_eq!(v2, 2);
        let again = s
            .new_item_version(
                id,
                1,
                &event("new_version", "dept_head"),
                t0(),
                entry("item.version"),
            )
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "one open version at a time"
        );
        item.name = "食品经营许可（含网络经营）".into();
        s.save_item_draft(id, 2, &item, t0(), entry("item.save"))
            .await
            .unwrap();
        assert_eq!(
            s.item(id).await.unwrap().unwrap().name,
            "食品经营许可",
            "the list shows the version in force"
        );
        publish(&s, id, 2).await;

        let summary = s.item(id).await.unwrap().unwrap();
        assert_eq!(
            (
                summary.status,
                summary.published_version,
                summary.name.as_str()
            ),
            (ItemStatus::Published, Some(2), "食品经营许可（含网络经营）")
        );
        assert_eq!(
            s.item_version(id, 1).await.unwrap().unwrap().status,
            ItemStatus::Superseded
        );
        assert_eq!(
            s.item_version(id, 1).await.unwrap().unwrap().item.name,
            "食品经营许可",
            "old versions keep their text"
        );
        let versions = s.item_versions(id).await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        // The publication dates alone agree with the full versions.
        let dates = s.publications(id).await.unwrap();
        assert_eq!(
            dates,
            versions
                .iter()
                .rev()
                .map(|v| (v.version, v.published_at))
                .collect::<Vec<_>>()
        );
        assert!(dates.iter().all(|d| d.1.is_some()));
        let events = s.item_events(id).await.unwrap();
        assert_eq!(events.len(), 1 + 4 + 1 + 4);
        assert_eq!(events[1].from_status.as_deref(), Some("draft"));
        let published = s.published_items().await.unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].1.version, 2);
    }
}

#[tokio::test]
async fn two_reviewers_at_once_cannot_both_win() {
    for s in backends().await {
        seed(&s).await;
        let id = s
            .create_item(
                &sample::food_licence(),
                &event("create", "dept_head"),
                t0(),
                entry("c"),
            )
            .await
            .unwrap();
        s.transition_item(
            id,
            1,
            ItemStatus::Draft,
            ItemStatus::FirstReview,
            &event("submit", "dept_head"),
            t0(),
            entry("t"),
        )
        .await
        .unwrap();
        s.transition_item(
            id,
            1,
            ItemStatus::FirstReview,
            ItemStatus::SecondReview,
            &event("approve", "supervisor"),
            t0(),
            entry("t"),
        )
        .await
        .unwrap();
        let late = s
            .transition_item(
                id,
                1,
                ItemStatus::FirstReview,
                ItemStatus::Draft,
                &event("return", "supervisor"),
                t0(),
                entry("t"),
            )
            .await;
        assert!(matches!(late, Err(StoreError::Conflict(_))));
        assert_eq!(
            s.item_events(id).await.unwrap().len(),
            3,
            "the refused action left no event"
        );
    }
}

#[tokio::test]
async fn items_are_filtered_for_browsing() {
    for s in backends().await {
        seed(&s).await;
        let food = s
            .create_item(
                &sample::food_licence(),
                &event("create", "admin"),
                t0(),
                entry("c"),
            )
            .await
            .unwrap();
        let mut birth = sample::birth_registration();
        birth.department_id = 1;
        let birth = s
            .create_item(&birth, &event("create", "admin"), t0(), entry("c"))
            .await
            .unwrap();
        publish(&s, food, 1).await;
        let ids = |v: Vec<tongban_store::catalog::ItemSummary>| {
            v.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        let published = ItemFilter {
            status: Some(ItemStatus::Published),
            ..ItemFilter::default()
        };
        assert_eq!(ids(s.items(&published).await.unwrap()), [food]);
        let theme = ItemFilter {
            theme: Some("生育".into()),
            ..ItemFilter::default()
        };
        assert_eq!(ids(s.items(&theme).await.unwrap()), [birth]);
        let companies = ItemFilter {
            serves: Some("company".into()),
            ..ItemFilter::default()
        };
        assert_eq!(
            ids(s.items(&companies).await.unwrap()),
            [food],
            "food licences serve both"
        );
        let depth = ItemFilter {
            online_depth: Some(2),
            ..ItemFilter::default()
        };
        assert_eq!(ids(s.items(&depth).await.unwrap()), [birth]);
        let code = ItemFilter {
            basic_code: Some("XK00601001".into()),
            ..ItemFilter::default()
        };
        assert_eq!(ids(s.items(&code).await.unwrap()), [food]);
        let elsewhere = ItemFilter {
            region: Some(RegionCode::parse("361202").unwrap()),
            ..ItemFilter::default()
        };
        assert!(s.items(&elsewhere).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn files_are_stored_once_by_content() {
    for s in backends().await {
        let a = s
            .put_file(
                "申请书.docx",
                "application/octet-stream",
                b"template bytes",
                t0(),
                entry("f"),
            )
            .await
            .unwrap();
        let b = s
            .put_file(
                "副本.docx",
                "application/octet-stream",
                b"template bytes",
                t0(),
                entry("f"),
            )
            .await
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        let f = s.file(&a).await.unwrap().unwrap();
        assert_eq!(
            (f.name.as_str(), f.content.as_slice(), f.size),
            ("申请书.docx", &b"template bytes"[..], 14)
        );
        assert!(s.file("0").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn versions_in_force_and_review_queues_come_in_one_query() {
    for s in backends().await {
        seed(&s).await;
        let food = s
            .create_item(
                &sample::food_licence(),
                &event("create", "admin"),
                t0(),
                entry("c"),
            )
            .await
            .unwrap();
        let mut birth = sample::birth_registration();
        birth.department_id = 1;
        let birth = s
            .create_item(&birth, &event("create", "admin"), t0(), entry("c"))
            .await
            .unwrap();
        publish(&s, food, 1).await;
        s.new_item_version(food, 1, &event("new_version", "admin"), t0(), entry("v"))
            .await
            .unwrap();
        s.transition_item(
            birth,
            1,
            ItemStatus::Draft,
            ItemStatus::FirstReview,
            &event("submit", "admin"),
            t0(),
            entry("t"),
        )
        .await
        .unwrap();

        let in_force = s.published_versions(&[food, birth, 999]).await.unwrap();
        assert_eq!(
            in_force
                .iter()
                .map(|v| (v.item_id, v.version))
                .collect::<Vec<_>>(),
            [(food, 1)],
            "the open draft v2 and the unpublished item are not in force"
        );
        assert!(s.published_versions(&[]).await.unwrap().is_empty());
        let queue = s
            .versions_in_status(
                ItemStatus::FirstReview,
                Some(&RegionCode::parse("361200").unwrap()),
            )
            .await
            .unwrap();
        assert_eq!(
            queue
                .iter()
                .map(|(sum, v)| (sum.id, v.version))
                .collect::<Vec<_>>(),
            [(birth, 1)]
        );
        assert!(s
            .versions_in_status(
                ItemStatus::FirstReview,
                Some(&RegionCode::parse("361202").unwrap())
            )
            .await
            .unwrap()
            .is_empty());
    }
}
