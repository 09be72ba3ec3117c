//! 一件事一次办 use cases on the demo city, on every backend: the demo's bundles are published,
//! a bundle is reviewed like an item, and filing one files every member case at once, each
//! under its own item and clock, idempotently, followed by one progress bar.

use std::collections::BTreeMap;

use tongban_app::bundles::NewBundleCase;
use tongban_domain::bundle::Bundle;
use tongban_domain::case::{Command, FileRef};
use tongban_domain::catalog::{Delivery, ItemAction, ItemStatus, ServiceObject};
use tongban_domain::codes;
use tongban_domain::region::RegionCode;

mod common;
use common::*;

/// 失业一件事: 失业登记 + 失业保险金申领, both of 人社局, sharing 居民身份证或者社会保障卡.
const UNEMPLOYMENT: &str = "YJS0002";

/// Every required material of the bundle's one list, one PDF each, uploaded by `actor`.
async fn materials(
    app: &tongban_app::App,
    actor: &tongban_domain::org::Actor,
    code: &str,
) -> BTreeMap<String, Vec<FileRef>> {
    let pb = app.public_bundle(code).await.unwrap();
    let keys: Vec<String> = pb
        .guide
        .materials
        .iter()
        .filter(|m| m.required)
        .map(|m| m.key.clone())
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    upload(app, actor, &keys).await
}

fn filing(code: &str, materials: BTreeMap<String, Vec<FileRef>>, key: &str) -> NewBundleCase {
    NewBundleCase {
        bundle_code: code.into(),
        applicant: None,
        village: false,
        pickup_hall_id: None,
        delivery: Delivery::Online,
        materials,
        form: BTreeMap::new(),
        idempotency_key: Some(key.into()),
    }
}

#[tokio::test]
async fn the_demo_has_three_published_bundles_with_shared_materials_asked_once() {
    for app in apps().await {
        let list = app.public_bundles().await.unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|b| b.status == ItemStatus::Published));
        let pb = app.public_bundle(UNEMPLOYMENT).await.unwrap();
        assert_eq!(pb.members.len(), 2);
        let id = pb
            .guide
            .materials
            .iter()
            .filter(|m| m.name == "居民身份证或者社会保障卡")
            .collect::<Vec<_>>();
        assert_eq!(id.len(), 1, "asked once");
        assert!(id[0].shared());
        let separate: usize = pb.members.iter().map(|m| m.item.materials.len()).sum();
        assert_eq!(pb.guide.materials.len(), separate - 1);
        // 开办餐饮店 shares the agent's authorisation between its two members.
        let food = app.public_bundle("YJS0001").await.unwrap();
        assert!(food.guide.materials.iter().any(|m| m.shared()));
        // 新生儿出生 has a member not offered online: its guide says to come to a window.
        assert!(!app.public_bundle("YJS0003").await.unwrap().guide.online);
    }
}

#[tokio::test]
async fn filing_a_bundle_files_every_member_case_at_once_under_its_own_clock() {
    for app in apps().await {
        let user = who(&app, "user01").await;
        let given = materials(&app, &user, UNEMPLOYMENT).await;
        let number = app
            .submit_bundle(&user, filing(UNEMPLOYMENT, given.clone(), "bundle-1"))
            .await
            .unwrap();
        assert!(number.starts_with("YJ-361200-"), "{number}");
        let view = app.bundle_case_view(&user, &number).await.unwrap();
        assert_eq!(view.members.len(), 2);
        assert_eq!((view.progress.decided, view.progress.total), (0, 2));
        let pb = app.public_bundle(UNEMPLOYMENT).await.unwrap();
        for (line, member) in view.members.iter().zip(&pb.members) {
            assert!(line.visible);
            let case = app.case_view(&user, &line.case_number).await.unwrap();
            // Its own item, version and clock.
            assert_eq!(case.case.item.id, member.summary.id);
            assert_eq!(case.item.name, member.item.name);
            // The shared file went to both members under their own material keys.
            let shared = pb.guide.materials.iter().find(|m| m.shared()).unwrap();
            let own_key = &shared
                .covers
                .iter()
                .find(|(i, _)| pb.members[*i].summary.id == member.summary.id)
                .unwrap()
                .1;
            assert_eq!(case.case.materials.get(own_key), given.get(&shared.key));
            assert_eq!(
                app.bundle_of_case(case.id).await.unwrap(),
                Some((number.clone(), pb.summary.name.clone()))
            );
        }
        // The staff of the members' department see each case and the bundle it belongs to.
        let clerk = who(&app, "rsj.clerk").await;
        let seen = app.bundle_case_view(&clerk, &number).await.unwrap();
        assert!(seen.members.iter().all(|m| m.visible));
        // Someone unrelated is told it does not exist.
        let other = who(&app, "user02").await;
        let err = app.bundle_case_view(&other, &number).await.unwrap_err();
        assert_eq!(err.kind, tongban_app::Kind::NotFound);
        // The filing is audited.
        let audit = app
            .store
            .audit_for_target(&format!("bundle_case:{number}"))
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].entry.action, "bundle.filed");

        // The same key and request answer with the same filing; nothing new is made.
        let again = app
            .submit_bundle(&user, filing(UNEMPLOYMENT, given.clone(), "bundle-1"))
            .await
            .unwrap();
        assert_eq!(again, number);
        assert_eq!(app.my_bundle_cases(&user).await.unwrap().len(), 1);
        // The same key with another request is refused.
        let mut other_request = filing(UNEMPLOYMENT, given, "bundle-1");
        other_request.delivery = Delivery::Window;
        let err = app.submit_bundle(&user, other_request).await.unwrap_err();
        assert_eq!(err.code, codes::Request::IdempotencyMismatch);

        // One member withdrawn has its outcome: the bar moves by one.
        let first = &view.members[0].case_number;
        app.act_on_case(
            &user,
            first,
            None,
            Command::Withdraw {
                reason: "不再需要".into(),
            },
        )
        .await
        .unwrap();
        let moved = app.bundle_case_view(&user, &number).await.unwrap();
        assert_eq!((moved.progress.decided, moved.progress.total), (1, 2));
    }
}

#[tokio::test]
async fn a_filing_missing_a_required_material_writes_no_case() {
    for app in apps().await {
        let user = who(&app, "user01").await;
        let mut given = materials(&app, &user, UNEMPLOYMENT).await;
        let first = given.keys().next().unwrap().clone();
        given.remove(&first);
        let err = app
            .submit_bundle(&user, filing(UNEMPLOYMENT, given, "bundle-2"))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Case::OnlineMaterialsMissing);
        assert!(app.my_bundle_cases(&user).await.unwrap().is_empty());
        assert!(app.my_cases(&user).await.unwrap().is_empty());
        // A window-only bundle is not filed online at all.
        let err = app
            .submit_bundle(&user, filing("YJS0003", BTreeMap::new(), "bundle-3"))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Bundle::NotOnline);
    }
}

#[tokio::test]
async fn a_bundle_is_drafted_by_the_centre_and_reviewed_three_times() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let (food, _) = app.public_item("XK00601001").await.unwrap();
        let (setup, _) = app.public_item("XK00101001").await.unwrap();
        let mut b = Bundle {
            code: "YJS0099".into(),
            name: "开办超市".into(),
            summary: String::new(),
            region: RegionCode::parse("361200").unwrap(),
            service_object: ServiceObject::Company,
            themes: vec!["开办企业".into()],
            members: vec![food.implementation_code.clone()],
        };
        // One member is not a bundle.
        let err = app.create_bundle(&admin, &b).await.unwrap_err();
        assert_eq!(err.code, codes::Bundle::Invalid);
        assert!(err
            .details
            .iter()
            .any(|d| d.code == codes::Bundle::Members.code()));
        // A department head may not draft one: it spans departments.
        b.members.push(setup.implementation_code.clone());
        let head = who(&app, "scjg.head").await;
        assert_eq!(
            app.create_bundle(&head, &b).await.unwrap_err().kind,
            tongban_app::Kind::Forbidden
        );
        let id = app.create_bundle(&admin, &b).await.unwrap();
        // A member that is not in force is caught on submission.
        let mut broken = b.clone();
        broken.members[1] = "XK99999001".into();
        app.save_bundle(&admin, id, 1, &broken).await.unwrap();
        let err = app
            .bundle_action(&admin, id, 1, ItemAction::Submit, "")
            .await
            .unwrap_err();
        assert!(err
            .details
            .iter()
            .any(|d| d.code == codes::Bundle::MemberUnpublished.code()));
        app.save_bundle(&admin, id, 1, &b).await.unwrap();
        app.bundle_action(&admin, id, 1, ItemAction::Submit, "请审核")
            .await
            .unwrap();
        // Each review belongs to its role, in order.
        let leader = who(&app, "lingdao").await;
        let err = app
            .bundle_action(&leader, id, 1, ItemAction::Approve, "")
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Catalog::WrongReviewer);
        let legal = who(&app, "fazhi").await;
        let supervisor = who(&app, "jiancha").await;
        // A return needs a reason, and sends the version back to its draft.
        let err = app
            .bundle_action(&supervisor, id, 1, ItemAction::Return, " ")
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::Catalog::ReasonRequired);
        for r in [&supervisor, &legal] {
            app.bundle_action(r, id, 1, ItemAction::Approve, "同意")
                .await
                .unwrap();
        }
        let to = app
            .bundle_action(&leader, id, 1, ItemAction::Approve, "同意发布")
            .await
            .unwrap();
        assert_eq!(to, ItemStatus::Published);
        assert!(app.public_bundle("YJS0099").await.is_ok());
        let detail = app.bundle_detail(&supervisor, id).await.unwrap();
        assert_eq!(detail.events.len(), 5, "{:?}", detail.events);
        assert_eq!(
            app.store
                .audit_for_target(&format!("bundle:{id}"))
                .await
                .unwrap()
                .len(),
            7,
            "create (filed under its id), two saves, submit and three reviews"
        );
    }
}
