//! 一件事一次办: the rules of a bundle and of its one guide, each with a test that fails if the
//! rule breaks.

use std::collections::BTreeMap;

use tongban_domain::bundle::{self, Bundle, Progress};
use tongban_domain::case::{CaseStatus, FileRef};
use tongban_domain::catalog::{sample, Fee, Item, MaterialForm, ServiceObject};
use tongban_domain::codes;
use tongban_domain::region::RegionCode;

/// 开办餐饮店: the food licence and a second item that shares two of its materials.
fn members() -> Vec<Item> {
    let food = sample::food_licence();
    let mut setup = sample::food_licence();
    setup.name = "企业设立登记".into();
    // Another item: its own code (borrowed from another sample).
    setup.implementation_code = sample::birth_registration().implementation_code;
    setup.conditions = vec![
        "有符合规定的名称和住所".into(),
        // Word for word one of the food licence's conditions: listed once.
        "有食品安全管理人员和保证食品安全的规章制度".into(),
    ];
    setup.materials[0].name = "公司登记（备案）申请书".into();
    setup.materials[1].name = "公司章程".into();
    // m3 经营场所平面布局图 (原件) and m4 委托代理人身份证明 (复印件) stay the same: shared.
    setup.materials[2].deferrable = false;
    setup.materials[3].required = true;
    setup.materials[3].copies = 2;
    setup.committed_limit_days = 3;
    setup.fees = vec![Fee {
        name: "工本费".into(),
        basis: "某收费文件".into(),
        amount_fen: 1000,
    }];
    setup.online_depth = 4;
    vec![setup, food]
}

fn bundle(members: &[Item]) -> Bundle {
    Bundle {
        code: "YJS0001".into(),
        name: "开办餐饮店".into(),
        summary: String::new(),
        region: RegionCode::parse("361200").expect("valid"),
        service_object: ServiceObject::Both,
        themes: vec!["开办企业".into()],
        members: members
            .iter()
            .map(|m| m.implementation_code.to_string())
            .collect(),
    }
}

#[test]
fn a_material_several_members_ask_for_is_asked_once() {
    let items = members();
    let g = bundle::guide(&items);
    // 4 + 4 materials, two of them the same name and form: six on the one list.
    assert_eq!(g.materials.len(), 6, "{:?}", g.materials);
    let plan = g
        .materials
        .iter()
        .find(|m| m.name == "经营场所平面布局图")
        .expect("listed");
    assert!(plan.shared());
    assert_eq!(
        plan.covers,
        vec![(0, "m3".to_string()), (1, "m3".to_string())]
    );
    // 容缺 only where every member that requires it allows it: the first member does not.
    assert!(plan.required && !plan.deferrable);
    let proxy = g
        .materials
        .iter()
        .find(|m| m.name == "委托代理人身份证明")
        .expect("listed");
    // Required by one member, optional for the other: required; the most copies asked.
    assert!(proxy.required);
    assert_eq!(proxy.copies, 2);
    assert_eq!(
        g.materials.iter().filter(|m| m.shared()).count(),
        2,
        "only the same name and form are shared"
    );
    let keys: Vec<&str> = g.materials.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["b1", "b2", "b3", "b4", "b5", "b6"]);
}

#[test]
fn the_same_name_in_another_form_is_asked_for_separately() {
    let mut items = members();
    items[0].materials[2].form = MaterialForm::Copy;
    let g = bundle::guide(&items);
    assert_eq!(
        g.materials
            .iter()
            .filter(|m| m.name == "经营场所平面布局图")
            .count(),
        2
    );
}

#[test]
fn the_guide_merges_conditions_limits_and_fees() {
    let items = members();
    let g = bundle::guide(&items);
    assert_eq!(g.conditions.len(), 3, "the shared condition once");
    let shared = g
        .conditions
        .iter()
        .find(|(c, _)| c.starts_with("有食品安全管理人员"))
        .expect("listed");
    assert_eq!(shared.1, vec![0, 1]);
    assert_eq!(g.limits.len(), 2);
    // Each member runs on its own clock; the last result is due by the longest commitment.
    assert_eq!(g.longest_committed_days, 10);
    assert_eq!(g.total_fee_fen, 1000);
    assert_eq!(g.fees.len(), 1);
    assert_eq!(g.fees[0].0, 0);
    assert!(g.online, "both members at depth ≥ 3");
    let mut window_only = members();
    window_only.push(sample::birth_registration());
    assert!(!bundle::guide(&window_only).online);
}

#[test]
fn files_given_once_go_to_every_member_that_asks() {
    let items = members();
    let g = bundle::guide(&items);
    let plan_key = g
        .materials
        .iter()
        .find(|m| m.name == "经营场所平面布局图")
        .expect("listed")
        .key
        .clone();
    let file = FileRef {
        hash: "a".repeat(64),
        name: "平面图.pdf".into(),
        size: 10,
    };
    let mut given = BTreeMap::new();
    given.insert(plan_key, vec![file.clone()]);
    given.insert("b1".to_string(), vec![]);
    let split = bundle::split(&g, 2, &given).expect("known keys");
    assert_eq!(split[0].get("m3"), Some(&vec![file.clone()]));
    assert_eq!(split[1].get("m3"), Some(&vec![file]));
    assert!(!split[0].contains_key("m1"), "an empty field gives nothing");
    let mut unknown = BTreeMap::new();
    unknown.insert("b99".to_string(), vec![]);
    let err = bundle::split(&g, 2, &unknown).unwrap_err();
    assert_eq!(err.code, codes::Bundle::MaterialUnknown);
}

#[test]
fn a_bundle_needs_two_members_each_listed_once() {
    let items = members();
    let b = bundle(&items);
    assert!(b.check().is_empty(), "{:?}", b.check());
    let mut one = b.clone();
    one.members.truncate(1);
    assert!(one.check().iter().any(|i| i.code == codes::Bundle::Members));
    let mut twice = b.clone();
    twice.members[1] = twice.members[0].clone();
    assert!(twice
        .check()
        .iter()
        .any(|i| i.code == codes::Bundle::DuplicateMember && i.field == "members[1]"));
    let mut bad = b.clone();
    bad.code = "yjs1".into();
    bad.name = " ".into();
    let codes_found: Vec<_> = bad.check().into_iter().map(|i| i.code).collect();
    assert!(codes_found.contains(&codes::Bundle::Code));
    assert!(codes_found.contains(&codes::Bundle::Name));
}

#[test]
fn a_bundle_needs_at_least_two_published_members_in_its_region() {
    let items = members();
    let b = bundle(&items);
    assert!(b
        .check_members(&[Some(&items[0]), Some(&items[1])])
        .is_empty());
    let issues = b.check_members(&[Some(&items[0]), None]);
    assert!(issues
        .iter()
        .any(|i| i.code == codes::Bundle::MemberUnpublished && i.field == "members[1]"));
    assert!(issues.iter().any(|i| i.code == codes::Bundle::Members));
    let county = sample::food_licence_at_county();
    let mut narrow = b.clone();
    narrow.region = RegionCode::parse("361203").expect("valid");
    assert!(narrow
        .check_members(&[Some(&county), Some(&items[1])])
        .iter()
        .any(|i| i.code == codes::Bundle::Region));
}

#[test]
fn the_progress_bar_counts_members_with_their_outcome() {
    let p = Progress::of([CaseStatus::InProgress, CaseStatus::Closed]);
    assert_eq!(p.decided, 1);
    assert_eq!(p.percent(), 50);
    assert!(!bundle::has_outcome(CaseStatus::AwaitingSupplement));
    assert!(bundle::has_outcome(CaseStatus::Decided));
}
