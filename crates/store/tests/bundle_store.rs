//! 一件事一次办 in storage, on every backend: a bundle goes through its versions like an item,
//! and a filing writes its member cases and their link in one transaction, all or nothing,
//! once per idempotency key.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::bundle::Bundle;
use tongban_domain::catalog::{sample, ItemStatus, ServiceObject};
use tongban_domain::region::RegionCode;
use tongban_store::bundles::{BundleCaseNew, BundleCreated, BundleWrite};
use tongban_store::cases::{CaseProjection, CaseWrite, Idempotency};
use tongban_store::catalog::ItemEventNew;
use tongban_store::org::Region;
use tongban_store::{Store, StoreError};

mod common;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
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

fn event(action: &str) -> ItemEventNew {
    ItemEventNew {
        action: action.into(),
        actor_id: Some(1),
        actor: "测试员".into(),
        role: "admin".into(),
        comment: String::new(),
        effective_date: None,
    }
}

/// A city, a department (id 1), the food licence as item 1 and a bundle of it twice over
/// (the store does not judge members; the domain does).
async fn seed(s: &Store) -> (i64, i64) {
    let city = RegionCode::parse("361200").unwrap();
    let r = Region {
        level: city.level(),
        parent_code: None,
        code: city.clone(),
        name: "清江市".into(),
    };
    s.create_region(&r, entry("r")).await.unwrap();
    s.create_department("清江市市场监管局", &city, entry("d"))
        .await
        .unwrap();
    let item = sample::food_licence();
    let item_id = s
        .create_item(&item, &event("create"), t0(), entry("item"))
        .await
        .unwrap();
    let b = Bundle {
        code: "YJS0001".into(),
        name: "开办餐饮店".into(),
        summary: String::new(),
        region: city,
        service_object: ServiceObject::Both,
        themes: vec!["开办企业".into()],
        members: vec![item.implementation_code.to_string(); 2],
    };
    let bundle_id = s
        .create_bundle(&b, &event("create"), t0(), entry("bundle.create"))
        .await
        .unwrap();
    (item_id, bundle_id)
}

/// The least write of a new case: its row, no events.
fn case_write(item_id: i64, number: &str) -> CaseWrite {
    CaseWrite {
        projection: CaseProjection {
            number: number.into(),
            item_id,
            item_version: 1,
            basic_code: "XK00601001".into(),
            item_name: "食品经营许可".into(),
            department_id: 1,
            region: "361200".into(),
            applicant_user_id: None,
            applicant_name: "张三".into(),
            applicant_id_code: "11010519491231002X".into(),
            phone_tail: "0000".into(),
            id_tail: "002X".into(),
            agent_id: None,
            intake_hall_id: None,
            pickup_hall_id: None,
            channel: "online".into(),
            status: "received".into(),
            first_responder_id: None,
            awaiting_head: false,
            received_at: t0(),
            accepted_at: None,
            decided_at: None,
            closed_at: None,
            due_at: None,
            next_timer_at: None,
        },
        state: "{}".into(),
        events: vec![],
        documents: vec![],
        open_steps: vec![],
        negative: vec![],
        notifications: vec![],
        watches: vec![],
        audit: entry("case.received"),
    }
}

fn filing(bundle_id: i64) -> BundleCaseNew {
    BundleCaseNew {
        bundle_id,
        bundle_version: 1,
        bundle_name: "开办餐饮店".into(),
        region: "361200".into(),
        applicant_user_id: None,
        agent_id: None,
        filed_by: 7,
    }
}

fn numbers(own: u32, seqs: &[u32]) -> (String, Vec<String>) {
    (
        format!("YJ-361200-20260302-{own:06}"),
        seqs.iter()
            .map(|s| format!("361200-20260302-{s:06}"))
            .collect(),
    )
}

async fn count(s: &Store, number_prefix: &str) -> usize {
    s.bundle_case(number_prefix).await.unwrap().map_or(0, |_| 1)
}

#[tokio::test]
async fn a_filing_writes_every_member_case_and_links_them() {
    for db in common::backends().await {
        let s = &db.store;
        let (item_id, bundle_id) = seed(s).await;
        let regions = vec!["361200".to_string(); 2];
        let made = s
            .create_bundle_case(
                &filing(bundle_id),
                day(),
                &regions,
                None,
                t0(),
                |own, seqs| {
                    let (number, cases) = numbers(own, seqs);
                    Ok::<_, String>(BundleWrite {
                        number,
                        cases: cases.iter().map(|n| case_write(item_id, n)).collect(),
                        audit: entry("bundle.filed"),
                    })
                },
            )
            .await
            .unwrap()
            .unwrap();
        let BundleCreated::New { number, .. } = made else {
            panic!("{made:?}")
        };
        assert_eq!(number, "YJ-361200-20260302-000001");
        let (row, members) = s.bundle_case(&number).await.unwrap().unwrap();
        assert_eq!(row.bundle_id, bundle_id);
        assert_eq!(members.len(), 2);
        // The members took the region's case numbers in order; the filing its own sequence.
        assert_eq!(members[0].case_number, "361200-20260302-000001");
        assert_eq!(members[1].case_number, "361200-20260302-000002");
        for m in &members {
            assert!(s.case_by_number(&m.case_number).await.unwrap().is_some());
            assert_eq!(
                s.bundle_of_case(m.case_id).await.unwrap(),
                Some((number.clone(), "开办餐饮店".to_string()))
            );
        }
        // The filing is in the audit chain, which stays intact.
        assert_eq!(
            s.audit_for_target(&format!("bundle_case:{number}"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            tongban_store::audit::Verified::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn a_member_that_cannot_be_written_leaves_nothing_behind() {
    for db in common::backends().await {
        let s = &db.store;
        let (item_id, bundle_id) = seed(s).await;
        let regions = vec!["361200".to_string(); 2];
        // The second member's row clashes with the first (the same number): the database
        // refuses it after the first was written, and the whole filing rolls back.
        let failed = s
            .create_bundle_case(
                &filing(bundle_id),
                day(),
                &regions,
                None,
                t0(),
                |own, seqs| {
                    let (number, cases) = numbers(own, seqs);
                    Ok::<_, String>(BundleWrite {
                        number,
                        cases: vec![
                            case_write(item_id, &cases[0]),
                            case_write(item_id, &cases[0]),
                        ],
                        audit: entry("bundle.filed"),
                    })
                },
            )
            .await;
        assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
        assert_eq!(count(s, "YJ-361200-20260302-000001").await, 0);
        assert!(s
            .case_by_number("361200-20260302-000001")
            .await
            .unwrap()
            .is_none());
        // A refusal while building writes nothing either, and leaves no gap in the numbers.
        let refused = s
            .create_bundle_case(&filing(bundle_id), day(), &regions, None, t0(), |_, _| {
                Err::<BundleWrite, _>("refused".to_string())
            })
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), "refused");
        let made = s
            .create_bundle_case(
                &filing(bundle_id),
                day(),
                &regions,
                None,
                t0(),
                |own, seqs| {
                    let (number, cases) = numbers(own, seqs);
                    Ok::<_, String>(BundleWrite {
                        number,
                        cases: cases.iter().map(|n| case_write(item_id, n)).collect(),
                        audit: entry("bundle.filed"),
                    })
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            made,
            BundleCreated::New {
                id: match &made {
                    BundleCreated::New { id, .. } => *id,
                    _ => 0,
                },
                number: "YJ-361200-20260302-000001".into()
            }
        );
    }
}

#[tokio::test]
async fn a_key_used_again_answers_with_its_filing() {
    for db in common::backends().await {
        let s = &db.store;
        let (item_id, bundle_id) = seed(s).await;
        let regions = vec!["361200".to_string(); 2];
        let file = |hash: &'static str| {
            let f = filing(bundle_id);
            let regions = regions.clone();
            async move {
                s.create_bundle_case(
                    &f,
                    day(),
                    &regions,
                    Some(Idempotency {
                        actor_id: 7,
                        key: "k1",
                        request_hash: hash,
                    }),
                    t0(),
                    |own, seqs| {
                        let (number, cases) = numbers(own, seqs);
                        Ok::<_, String>(BundleWrite {
                            number,
                            cases: cases.iter().map(|n| case_write(item_id, n)).collect(),
                            audit: entry("bundle.filed"),
                        })
                    },
                )
                .await
                .unwrap()
                .unwrap()
            }
        };
        let first = file("h1").await;
        assert!(matches!(first, BundleCreated::New { .. }));
        assert_eq!(
            file("h1").await,
            BundleCreated::Repeat {
                number: "YJ-361200-20260302-000001".into()
            }
        );
        assert_eq!(
            file("h2").await,
            BundleCreated::Mismatch {
                number: "YJ-361200-20260302-000001".into()
            }
        );
        // Only the first made cases.
        assert!(s
            .case_by_number("361200-20260302-000003")
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn a_bundle_is_reviewed_and_published_like_an_item() {
    for db in common::backends().await {
        let s = &db.store;
        let (_, id) = seed(s).await;
        let steps = [
            (ItemStatus::Draft, ItemStatus::FirstReview),
            (ItemStatus::FirstReview, ItemStatus::SecondReview),
            (ItemStatus::SecondReview, ItemStatus::FinalReview),
            (ItemStatus::FinalReview, ItemStatus::Published),
        ];
        for (from, to) in steps {
            s.transition_bundle(id, 1, from, to, &event("approve"), t0(), entry("bundle"))
                .await
                .unwrap();
        }
        // A stale reviewer loses.
        let stale = s
            .transition_bundle(
                id,
                1,
                ItemStatus::FinalReview,
                ItemStatus::Published,
                &event("approve"),
                t0(),
                entry("bundle"),
            )
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))));
        let b = s.bundle(id).await.unwrap().unwrap();
        assert_eq!(b.status, ItemStatus::Published);
        assert_eq!(b.published_version, Some(1));
        assert_eq!(
            s.bundles(None, Some(ItemStatus::Published))
                .await
                .unwrap()
                .len(),
            1
        );
        // A new version is a draft beside the one in force, which stays published.
        let v2 = s
            .new_bundle_version(id, 1, &event("new_version"), t0(), entry("bundle"))
            .await
            .unwrap();
        assert_eq!(v2, 2);
        assert_eq!(
            s.bundle(id).await.unwrap().unwrap().status,
            ItemStatus::Published
        );
        assert!(s
            .new_bundle_version(id, 1, &event("new_version"), t0(), entry("bundle"))
            .await
            .is_err());
        assert_eq!(s.bundle_events(id).await.unwrap().len(), 6);
    }
}
