//! 绩效考评's pages for staff on the demo city (both backends): the period page links to the
//! halls', windows' and staff scores; a list shows each member's lines with their formulas and
//! drills to the cases behind a value; a department's clerk sees their own department's staff
//! only.

mod common;

use common::*;

#[tokio::test]
async fn staff_scores_are_listed_beside_a_period_and_drill_to_their_cases() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        t.app.load_demo_performance().await.unwrap();
        let periods = t.app.published_periods("").await.unwrap();
        let id = periods.iter().min_by_key(|p| p.period.clone()).unwrap().id;
        let sup = t.sign_in("jiancha").await;

        let page = t
            .get(&format!("/performance/periods/{id}"), Some(&sup))
            .await;
        assert!(page.status.is_success(), "{backend}: {}", page.body);
        assert!(page.body.contains("data-testid=\"members\""), "{backend}");
        assert!(page
            .body
            .contains(&format!("/performance/periods/{id}/members/staff")));
        // Anonymous readers of the published scores get no staff links.
        let public = t.get(&format!("/performance/periods/{id}"), None).await;
        assert!(
            !public.body.contains("data-testid=\"members\""),
            "{backend}"
        );

        // 教育局's clerk accepted the demo history's cases: scored, one late.
        let staff = t
            .get(
                &format!("/performance/periods/{id}/members/staff"),
                Some(&sup),
            )
            .await;
        assert!(staff.status.is_success(), "{backend}: {}", staff.body);
        let clerk = t
            .app
            .store
            .user_by_login("jyj.clerk")
            .await
            .unwrap()
            .unwrap();
        assert!(staff.body.contains(&clerk.name), "{backend}");
        assert!(staff.body.contains("适用指标权重之和"), "{backend}");
        let drill = t
            .get(
                &format!(
                    "/performance/periods/{id}/members/staff/{}/overdue",
                    clerk.id
                ),
                Some(&sup),
            )
            .await;
        assert!(drill.status.is_success(), "{backend}: {}", drill.body);
        assert!(drill.body.contains("data-counted=\"1\""), "{backend}");
        assert!(drill.body.contains("超时办结"), "{backend}");

        // Another department's clerk does not see 教育局's staff.
        let other = t.sign_in("scjg.clerk").await;
        let theirs = t
            .get(
                &format!("/performance/periods/{id}/members/staff"),
                Some(&other),
            )
            .await;
        assert!(theirs.status.is_success(), "{backend}");
        assert!(!theirs.body.contains(&clerk.name), "{backend}");
        let refused = t
            .get(
                &format!(
                    "/performance/periods/{id}/members/staff/{}/overdue",
                    clerk.id
                ),
                Some(&other),
            )
            .await;
        assert!(refused.status.is_client_error(), "{backend}");
        // Windows and halls render too.
        for group in ["window", "hall"] {
            let r = t
                .get(
                    &format!("/performance/periods/{id}/members/{group}"),
                    Some(&sup),
                )
                .await;
            assert!(r.status.is_success(), "{backend} {group}: {}", r.body);
        }
    }
}
