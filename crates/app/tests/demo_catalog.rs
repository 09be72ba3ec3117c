//! The demo catalog: every item keeps every catalog rule, and the catalog has the spread the demo
//! needs (departments, parallel stages, 即办件, fees, 容缺, 超时默认).

use std::collections::{HashMap, HashSet};

use tongban_app::demo::DEPARTMENTS;
use tongban_app::demo_catalog::demo_items;
use tongban_domain::catalog::{sample, GroupRule, HandlingKind, Item, ItemType, THEMES};
use tongban_domain::region::Level;

/// Department ids as the database would give them: 101, 102, … in list order.
fn id_of(short: &str) -> Option<i64> {
    DEPARTMENTS
        .iter()
        .position(|(s, _)| *s == short)
        .map(|i| 101 + i as i64)
}

fn items() -> Vec<Item> {
    demo_items(&id_of).expect("the demo catalog loads")
}

fn short_of(id: i64) -> &'static str {
    DEPARTMENTS[(id - 101) as usize].0
}

#[test]
fn every_item_keeps_every_catalog_rule() {
    let mut failures = Vec::new();
    for item in items() {
        let issues = item.check();
        if !issues.is_empty() {
            failures.push(format!("{} {}: {:#?}", item.basic_code, item.name, issues));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn about_forty_items_with_every_department_having_at_least_three() {
    let items = items();
    assert!((36..=45).contains(&items.len()), "{} items", items.len());
    let mut per_dept: HashMap<&str, usize> = HashMap::new();
    for item in &items {
        *per_dept.entry(short_of(item.department_id)).or_default() += 1;
    }
    for (short, name) in DEPARTMENTS {
        let n = per_dept.get(short).copied().unwrap_or(0);
        assert!(n >= 3, "{name} has {n} items");
    }
}

#[test]
fn city_level_with_the_department_window_and_agency() {
    for item in items() {
        let index = DEPARTMENTS
            .iter()
            .position(|(s, _)| *s == short_of(item.department_id))
            .unwrap();
        assert_eq!(item.level, Level::City);
        assert_eq!(item.region.as_str(), "361200");
        assert_eq!(
            item.place,
            format!("清江市政务服务中心 A{:02} 窗口", index + 1),
            "{}",
            item.name
        );
        assert_eq!(
            item.implementation_code.agency(),
            sample::agency(index as u32 + 1)
        );
        assert_eq!(item.implementation_code.handling(), 1);
        assert_eq!(item.complaint_phone, "12345");
        assert!(item.consult_phone.starts_with("0799-12345"));
    }
}

#[test]
fn codes_are_unique() {
    let items = items();
    let basic: HashSet<_> = items.iter().map(|i| i.basic_code.clone()).collect();
    let implementation: HashSet<_> = items
        .iter()
        .map(|i| i.implementation_code.clone())
        .collect();
    assert_eq!(basic.len(), items.len(), "basic codes repeat");
    assert_eq!(
        implementation.len(),
        items.len(),
        "implementation codes repeat"
    );
}

#[test]
fn the_features_the_demo_shows_are_all_there() {
    let items = items();
    let count = |f: &dyn Fn(&Item) -> bool| items.iter().filter(|i| f(i)).count();

    let parallel = count(&|i| !i.parallel_groups.is_empty());
    let instant = count(&|i| i.handling == HandlingKind::Instant);
    let fees = count(&|i| !i.is_free());
    let deferrable = count(&|i| i.materials.iter().any(|m| m.deferrable));
    let deemed = count(&|i| i.deemed_approval || i.steps.iter().any(|s| s.deemed_approval));
    let item_deemed = count(&|i| i.deemed_approval);
    let any_agrees = count(&|i| {
        i.parallel_groups
            .iter()
            .any(|g| g.rule == GroupRule::AnyAgrees)
    });
    let special = count(&|i| !i.special_procedures.is_empty());
    assert!(parallel >= 8, "{parallel} items with a parallel stage");
    assert!(instant >= 3, "{instant} instant items");
    assert!(fees >= 3, "{fees} items with fees");
    assert!(deferrable >= 3, "{deferrable} items with 容缺 materials");
    assert!(deemed >= 1 && item_deemed >= 1, "deemed approval");
    assert!(any_agrees >= 1, "one group decides by any agreeing");
    assert!(special >= 3, "{special} items with special procedures");

    let types: HashSet<ItemType> = items.iter().map(|i| i.item_type).collect();
    for t in [
        ItemType::Licensing,
        ItemType::Confirmation,
        ItemType::Benefit,
        ItemType::Levy,
        ItemType::OtherPower,
        ItemType::PublicService,
        ItemType::Filing,
    ] {
        assert!(types.contains(&t), "no {} item", t.label());
    }
    let depths: HashSet<u8> = items.iter().map(|i| i.online_depth).collect();
    assert_eq!(
        depths.len(),
        3.max(depths.len()).min(4),
        "online depths vary"
    );
    for theme in ["开办企业", "生育", "就业", "养老"] {
        assert!(
            items.iter().any(|i| i.themes.iter().any(|t| t == theme)),
            "no item under {theme}"
        );
    }
    for item in &items {
        for t in &item.themes {
            assert!(THEMES.contains(&t.as_str()), "{}: theme {t}", item.name);
        }
        if item.handling == HandlingKind::Committed {
            assert!(
                item.committed_limit_days < item.statutory_limit_days,
                "{}: committed limit should be shorter than the statutory",
                item.name
            );
        }
    }
}

#[test]
fn parallel_stages_span_departments_with_one_lead_in_the_item_department() {
    for item in items() {
        for group in &item.parallel_groups {
            let steps: Vec<_> = item
                .steps
                .iter()
                .filter(|s| s.parallel_group.as_deref() == Some(group.key.as_str()))
                .collect();
            assert!((2..=3).contains(&steps.len()), "{}", item.name);
            let depts: HashSet<i64> = steps
                .iter()
                .map(|s| s.department_id.unwrap_or(item.department_id))
                .collect();
            assert_eq!(
                depts.len(),
                steps.len(),
                "{}: one step per department",
                item.name
            );
            let leads: Vec<_> = steps.iter().filter(|s| s.lead).collect();
            assert_eq!(leads.len(), 1, "{}", item.name);
            assert_eq!(
                leads[0].department_id.unwrap_or(item.department_id),
                item.department_id,
                "{}: the lead is the item's own department",
                item.name
            );
            assert!(
                steps.iter().all(|s| !s.deemed_approval || !s.lead),
                "{}: only co-department steps are deemed approved",
                item.name
            );
        }
    }
}

#[test]
fn the_items_the_demo_relies_on() {
    let items = items();
    let setup = items
        .iter()
        .find(|i| i.name == "企业设立登记")
        .expect("企业设立登记");
    assert_eq!(short_of(setup.department_id), "scjg");
    assert!(setup.themes.iter().any(|t| t == "开办企业"));
    for m in ["公司章程", "名称自主申报告知书"] {
        assert!(setup.materials.iter().any(|x| x.name == m), "{m}");
    }
    assert!(!setup.parallel_groups.is_empty());

    let food = items
        .iter()
        .find(|i| i.name == "食品经营许可")
        .expect("食品经营许可");
    assert_eq!(food.basic_code.as_str(), "XK00601001");
    assert_eq!(short_of(food.department_id), "scjg");

    let marriage = items
        .iter()
        .find(|i| i.name.contains("结婚登记"))
        .expect("结婚登记");
    assert_eq!(short_of(marriage.department_id), "mzj");
    assert_eq!(marriage.handling, HandlingKind::Instant);
}

#[test]
fn an_unknown_department_is_named_in_the_error() {
    let without_transport = |short: &str| {
        if short == "jtys" {
            None
        } else {
            id_of(short)
        }
    };
    let err = demo_items(&without_transport).unwrap_err();
    assert!(err.contains("jtys"), "{err}");

    let err = demo_items(&|_: &str| None).unwrap_err();
    assert!(err.contains("scjg"), "{err}");
}

/// The search crate's relevance table runs over the demo catalog as the app indexes it, kept in
/// `crates/search/tests/data/demo_catalog.json` (the search crate depends on no workspace crate).
/// This keeps that copy equal to the catalog; `TONGBAN_UPDATE_FIXTURES=1` rewrites it.
#[test]
fn the_search_relevance_fixture_is_the_demo_catalog() {
    let docs: Vec<_> = items()
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let department = DEPARTMENTS[(item.department_id - 101) as usize].1;
            tongban_app::catalog::search_doc(i as i64 + 1, item, department.to_string())
        })
        .collect();
    let json = serde_json::to_string_pretty(&docs).expect("serialise") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../search/tests/data/demo_catalog.json");
    if std::env::var_os("TONGBAN_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &json).expect("write the fixture");
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == json,
        "{} is out of date: run TONGBAN_UPDATE_FIXTURES=1 cargo nextest run -p tongban-app -E 'test(search_relevance_fixture)'",
        path.display()
    );
}
