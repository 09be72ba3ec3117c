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

        // The same over the API: the staff's scores with their lines, and the drill-down.
        let api = t
            .get(
                &format!("/api/v1/performance/periods/{id}/members/staff"),
                Some(&sup),
            )
            .await;
        assert!(api.status.is_success(), "{backend}: {}", api.body);
        let me = api
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == clerk.id)
            .cloned()
            .unwrap_or_else(|| panic!("{backend}: {}", api.body));
        assert!(
            me["lines"].as_array().is_some_and(|l| !l.is_empty()),
            "{backend}"
        );
        let rows = t
            .get(
                &format!(
                    "/api/v1/performance/periods/{id}/members/staff/{}/drill?indicator=overdue",
                    clerk.id
                ),
                Some(&sup),
            )
            .await;
        assert!(rows.status.is_success(), "{backend}: {}", rows.body);
        assert!(
            rows.json()
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["counted"] == true && r["kind"] == "case"),
            "{backend}: {}",
            rows.body
        );
        let refused = t
            .get(
                &format!(
                    "/api/v1/performance/periods/{id}/members/staff/{}/drill?indicator=overdue",
                    clerk.id
                ),
                Some(&other),
            )
            .await;
        assert!(refused.status.is_client_error(), "{backend}");
        let bad = t
            .get(
                &format!("/api/v1/performance/periods/{id}/members/nobody"),
                Some(&sup),
            )
            .await;
        assert_eq!(bad.status.as_u16(), 422, "{backend}: {}", bad.body);
    }
}

/// 社会评议 through the JSON API and the pages (both backends): a round opened over the API with
/// its links; the answer page for a link, incomplete answers shown again (422) and nothing
/// written, complete answers taken once; the same link refused afterwards with a Chinese message
/// and 409, an unknown one with 404; the staff see the progress; publishing makes the results
/// public on the page and in the API, and the public list names the round.
#[tokio::test]
async fn a_survey_round_runs_through_the_api_and_the_one_time_answer_page() {
    use serde_json::json;
    for (backend, t) in TestApp::backends_with_catalog().await {
        let sup = t.sign_in("jiancha").await;
        let depts = t.get("/api/v1/departments", Some(&sup)).await.json();
        let dept = depts[0]["id"].as_i64().unwrap();
        // Only those who score open a round.
        let clerk = t.sign_in("scjg.clerk").await;
        let body = json!({
            "name": "重点岗位社会评议",
            "year": 2026,
            "posts": [{"department_id": dept, "name": "审批科科长"}],
            "representatives": [
                {"name": "清江建材有限公司", "kind": "enterprise"},
                {"name": "临江街道代表", "kind": "township"}
            ]
        });
        let r = t
            .post_json("/api/v1/performance/surveys", Some(&clerk), body.clone())
            .await;
        assert_eq!(r.status.as_u16(), 403, "{backend}: {}", r.body);
        let r = t
            .post_json("/api/v1/performance/surveys", Some(&sup), body)
            .await;
        assert_eq!(r.status.as_u16(), 201, "{backend}: {}", r.body);
        let opened = r.json();
        let id = opened["id"].as_i64().unwrap();
        let link = opened["links"][0]["path"].as_str().unwrap().to_string();
        let token = opened["links"][1]["token"].as_str().unwrap().to_string();

        // The answer page, without an account: four topics, three choices each.
        let page = t.get(&link, None).await;
        assert!(page.status.is_success(), "{backend}: {}", page.body);
        assert!(page.body.contains("清江建材有限公司"), "{backend}");
        for topic in ["依法办事", "服务效能", "工作作风", "服务建设项目"] {
            assert!(page.body.contains(topic), "{backend}: {topic}");
        }
        assert_eq!(page.body.matches("type=\"radio\"").count(), 12, "{backend}");
        let before = t.app.store.audit_head().await.unwrap();
        let half = t
            .post_form(
                &link,
                None,
                &[("a_0_law", "satisfied"), ("a_0_efficiency", "basic")],
            )
            .await;
        assert_eq!(half.status.as_u16(), 422, "{backend}: {}", half.body);
        assert!(
            half.body.contains("performance.survey_answers"),
            "{backend}"
        );
        assert!(half.body.contains("value=\"basic\" checked"), "{backend}");
        assert_eq!(t.app.store.audit_head().await.unwrap(), before);
        let all = [
            ("a_0_law", "satisfied"),
            ("a_0_efficiency", "basic"),
            ("a_0_conduct", "satisfied"),
            ("a_0_projects", "unsatisfied"),
        ];
        let done = t.post_form(&link, None, &all).await;
        assert_eq!(done.status.as_u16(), 200, "{backend}: {}", done.body);
        assert!(done.body.contains("survey-done"), "{backend}");
        // Used once: the page and a second answer are refused in plain Chinese.
        let again = t.get(&link, None).await;
        assert_eq!(again.status.as_u16(), 409, "{backend}");
        assert!(again.body.contains("该评议链接已使用"), "{backend}");
        let twice = t.post_form(&link, None, &all).await;
        assert_eq!(twice.status.as_u16(), 409, "{backend}");
        let unknown = t.get("/survey/nothing-here", None).await;
        assert_eq!(unknown.status.as_u16(), 404, "{backend}");
        assert!(unknown.body.contains("评议链接无效"), "{backend}");

        // The second representative answers over the API.
        let answers: Vec<_> = ["law", "efficiency", "conduct", "projects"]
            .iter()
            .map(|topic| json!({"post": 0, "topic": topic, "choice": "satisfied"}))
            .collect();
        let form = t
            .get(&format!("/api/v1/public/survey-links/{token}"), None)
            .await;
        assert_eq!(form.json()["representative"], "临江街道代表", "{backend}");
        let r = t
            .post_json(
                &format!("/api/v1/public/survey-links/{token}"),
                None,
                json!({ "answers": answers }),
            )
            .await;
        assert_eq!(r.status.as_u16(), 204, "{backend}: {}", r.body);
        let r = t
            .post_json(
                &format!("/api/v1/public/survey-links/{token}"),
                None,
                json!({ "answers": answers }),
            )
            .await;
        assert_eq!(r.code(), "performance.survey_used", "{backend}");

        // The staff see the progress; nobody else sees the results before publication.
        let desk = t
            .get(&format!("/api/v1/performance/surveys/{id}"), Some(&sup))
            .await
            .json();
        assert_eq!(desk["results"]["used"], 2, "{backend}: {desk}");
        assert!(desk["invitations"][0]["used_at"].is_string(), "{backend}");
        let hidden = t.get(&format!("/performance/surveys/{id}"), None).await;
        assert_eq!(hidden.status.as_u16(), 404, "{backend}");
        let r = t.get(&format!("/api/v1/public/surveys/{id}"), None).await;
        assert_eq!(r.status.as_u16(), 404, "{backend}");
        let progress = t
            .get(&format!("/performance/surveys/{id}"), Some(&sup))
            .await;
        assert!(progress.body.contains("survey-progress"), "{backend}");

        // Published: public on the page and in the API, listed on the public page.
        let r = post_with_token(&t, &format!("/performance/surveys/{id}/publish"), &sup, &[]).await;
        assert!(r.status.is_redirection(), "{backend}: {}", r.body);
        let public = t.get(&format!("/performance/surveys/{id}"), None).await;
        assert!(public.status.is_success(), "{backend}: {}", public.body);
        assert!(public.body.contains("已公布"), "{backend}");
        // 服务建设项目: one 不满意 (0) and one 满意 (100): 50.00.
        assert!(public.body.contains("50.00"), "{backend}");
        let results = t
            .get(&format!("/api/v1/public/surveys/{id}"), None)
            .await
            .json();
        assert_eq!(
            results["posts"][0]["topics"][3]["average"], 5000,
            "{backend}"
        );
        let list = t.get("/performance/public", None).await;
        assert!(
            list.body.contains(&format!("/performance/surveys/{id}")),
            "{backend}"
        );
    }
}
