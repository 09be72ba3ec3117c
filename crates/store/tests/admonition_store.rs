//! Efficiency warnings in storage, on every backend: the department's tally per year, the
//! head's warning written with the staff warning that completes a pair, once per pair even
//! when warnings are issued at once, and every warning audited.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::org::Role;
use tongban_domain::region::{Level, RegionCode};
use tongban_domain::supervision::admonition::{Evidence, Kind, Tally};
use tongban_store::admonitions::{HeadRef, NewAdmonition};
use tongban_store::audit::Verified;
use tongban_store::org::Region;
use tongban_store::users::NewUser;
use tongban_store::Store;

mod common;
use common::backends;

/// Monday 2 March 2026, 09:00 Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "监察#9".into(),
        role: "supervisor".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

/// A department in 清江市 with three clerks, a head and a supervisor; their ids.
struct Unit {
    dept: i64,
    staff: Vec<i64>,
    head: i64,
    supervisor: i64,
}

async fn unit(s: &Store) -> Unit {
    let city = RegionCode::parse("361200").unwrap();
    s.create_region(
        &Region {
            level: Level::City,
            parent_code: None,
            code: city.clone(),
            name: "清江市".into(),
        },
        entry("region.create"),
    )
    .await
    .unwrap();
    let dept = s
        .create_department("清江市市场监督管理局", &city, entry("department.create"))
        .await
        .unwrap();
    let add = |login: &str, role: Role| {
        let user = NewUser {
            login: login.into(),
            password_hash: "$argon2id$stub".into(),
            name: format!("员工{login}"),
            role: Some(role),
            department_id: (role != Role::Supervisor).then_some(dept),
            region_code: Some(city.clone()),
            ..NewUser::default()
        };
        async move {
            s.create_user(&user, t0(), entry("staff.create"))
                .await
                .unwrap()
        }
    };
    let mut staff = Vec::new();
    for login in ["a", "b", "c", "d"] {
        staff.push(add(login, Role::Clerk).await);
    }
    let head = add("head", Role::DeptHead).await;
    let supervisor = add("sup", Role::Supervisor).await;
    Unit {
        dept,
        staff,
        head,
        supervisor,
    }
}

fn warning(u: &Unit, person: i64, kind: Kind) -> NewAdmonition {
    NewAdmonition {
        kind,
        person_id: person,
        person_name: format!("员工{person}"),
        department_id: u.dept,
        region: "361200".into(),
        reason: "推诿扯皮，拖延办理".into(),
        evidence: Evidence {
            findings: vec![],
            cases: vec!["361200-20260302-0001".into()],
            admonitions: vec![],
        },
        issued_by: u.supervisor,
    }
}

fn head_ref(u: &Unit) -> HeadRef {
    HeadRef {
        person_id: u.head,
        name: "员工head".into(),
    }
}

#[tokio::test]
async fn every_second_staff_warning_of_a_year_writes_the_heads_warning_with_it() {
    for db in backends().await {
        let s = &db.store;
        let u = unit(s).await;
        let head = head_ref(&u);
        let give = |person: i64, kind: Kind, at: DateTime<Utc>| {
            let w = warning(&u, person, kind);
            let head = head.clone();
            async move {
                s.issue_admonition(
                    &w,
                    Some(&head),
                    at,
                    entry("admonition.issue"),
                    entry("admonition.by_rule"),
                )
                .await
                .unwrap()
            }
        };
        let first = give(u.staff[0], Kind::Staff, t0()).await;
        assert_eq!(first.by_rule, None, "one staff warning gives nothing");
        // A warning to the head themself does not count toward the staff tally.
        let direct = give(u.head, Kind::Head, t0()).await;
        assert_eq!(direct.by_rule, None);
        let second = give(u.staff[1], Kind::Staff, t0()).await;
        let rule_id = second
            .by_rule
            .expect("the second staff warning gives the head one");
        let by_rule = s.admonition(rule_id).await.unwrap().unwrap();
        assert_eq!(by_rule.kind, "head_by_rule");
        assert_eq!(by_rule.person_id, Some(u.head));
        assert_eq!(by_rule.completes, Some(second.id));
        assert_eq!(by_rule.issued_by, None);
        assert_eq!(by_rule.year, 2026);
        let chain: Evidence = serde_json::from_str(&by_rule.evidence).unwrap();
        assert_eq!(chain.admonitions, vec![first.id, second.id]);
        assert!(by_rule.reason.contains(&format!("第{}号", first.id)));

        let third = give(u.staff[2], Kind::Staff, t0()).await;
        assert_eq!(third.by_rule, None, "three still give one");
        let fourth = give(u.staff[0], Kind::Staff, t0()).await;
        let second_rule = s
            .admonition(fourth.by_rule.expect("four give two"))
            .await
            .unwrap()
            .unwrap();
        let chain: Evidence = serde_json::from_str(&second_rule.evidence).unwrap();
        assert_eq!(chain.admonitions, vec![third.id, fourth.id]);
        assert_eq!(
            s.admonition_tally(u.dept, 2026).await.unwrap(),
            Some(Tally {
                staff_warnings: 4,
                unpaired: None
            })
        );

        let all = s
            .admonitions_of_department(u.dept, 2026, 100)
            .await
            .unwrap();
        let kinds: Vec<&str> = all.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "head_by_rule").count(),
            2,
            "{kinds:?}"
        );
        assert_eq!(all.len(), 7);
        let heads = s.admonitions_of_person(u.head, 2026, 100).await.unwrap();
        assert_eq!(heads.len(), 3, "one direct, two by the rule");
        assert_eq!(
            s.admonitions_in_region("3612", 2026, 100)
                .await
                .unwrap()
                .len(),
            7
        );
        assert!(s
            .admonitions_in_region("3612", 2025, 100)
            .await
            .unwrap()
            .is_empty());
        let evidence: Evidence =
            serde_json::from_str(&s.admonition(first.id).await.unwrap().unwrap().evidence).unwrap();
        assert_eq!(evidence.cases, vec!["361200-20260302-0001".to_string()]);

        // Every warning is in the audit chain: the region, department and six accounts, then
        // five warnings given and two by the rule.
        match s.audit_verify().await.unwrap() {
            Verified::Intact { records } => assert_eq!(records, 8 + 7),
            other => panic!("{other:?}"),
        }
        let page = s.audit_page(None, 10).await.unwrap();
        assert!(page.iter().any(|r| r.entry.action == "admonition.by_rule"
            && r.entry.target == format!("admonition:{rule_id}")));
    }
}

#[tokio::test]
async fn the_tally_starts_again_in_each_shanghai_calendar_year() {
    for db in backends().await {
        let s = &db.store;
        let u = unit(s).await;
        let head = head_ref(&u);
        // 23:30 on 31 December 2025 in Shanghai, and an hour later (already 2026 there).
        let eve = Utc.with_ymd_and_hms(2025, 12, 31, 15, 30, 0).unwrap();
        let new_year = eve + Duration::hours(1);
        for (person, at) in [(u.staff[0], eve), (u.staff[1], new_year)] {
            let issued = s
                .issue_admonition(
                    &warning(&u, person, Kind::Staff),
                    Some(&head),
                    at,
                    entry("admonition.issue"),
                    entry("admonition.by_rule"),
                )
                .await
                .unwrap();
            assert_eq!(issued.by_rule, None, "two years, one warning each");
        }
        for year in [2025, 2026] {
            assert_eq!(
                s.admonition_tally(u.dept, year).await.unwrap(),
                Some(Tally {
                    staff_warnings: 1,
                    unpaired: s
                        .admonitions_of_department(u.dept, year, 10)
                        .await
                        .unwrap()
                        .first()
                        .map(|a| a.id)
                }),
                "{year}"
            );
        }
        // With the head post vacant the rule still warns the post.
        let vacant = s
            .issue_admonition(
                &warning(&u, u.staff[2], Kind::Staff),
                None,
                new_year,
                entry("admonition.issue"),
                entry("admonition.by_rule"),
            )
            .await
            .unwrap();
        let by_rule = s
            .admonition(vacant.by_rule.expect("the pair completes"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_rule.person_id, None);
        assert!(by_rule.person_name.contains("空缺"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn warnings_issued_at_once_give_one_head_warning_per_pair() {
    for db in backends().await {
        let u = unit(&db.store).await;
        let head = head_ref(&u);
        let mut tasks = Vec::new();
        for i in 0..10 {
            let s = db.store.clone();
            let w = warning(&u, u.staff[i % u.staff.len()], Kind::Staff);
            let head = head.clone();
            tasks.push(tokio::spawn(async move {
                s.issue_admonition(
                    &w,
                    Some(&head),
                    t0(),
                    entry("admonition.issue"),
                    entry("admonition.by_rule"),
                )
                .await
                .unwrap()
            }));
        }
        let mut staff_ids = BTreeSet::new();
        let mut rule_ids = Vec::new();
        for t in tasks {
            let issued = t.await.unwrap();
            staff_ids.insert(issued.id);
            rule_ids.extend(issued.by_rule);
        }
        assert_eq!(rule_ids.len(), 5, "{:?}", db.store.kind());
        // Each staff warning is in exactly one pair.
        let mut cited = BTreeSet::new();
        for id in &rule_ids {
            let r = db.store.admonition(*id).await.unwrap().unwrap();
            let chain: Evidence = serde_json::from_str(&r.evidence).unwrap();
            assert_eq!(chain.admonitions.len(), 2);
            for a in chain.admonitions {
                assert!(staff_ids.contains(&a));
                assert!(cited.insert(a), "{a} cited twice");
            }
        }
        assert_eq!(cited, staff_ids);
        assert_eq!(
            db.store.admonition_tally(u.dept, 2026).await.unwrap(),
            Some(Tally {
                staff_warnings: 10,
                unpaired: None
            })
        );
        assert!(matches!(
            db.store.audit_verify().await.unwrap(),
            Verified::Intact { records: 23 }
        ));
    }
}
