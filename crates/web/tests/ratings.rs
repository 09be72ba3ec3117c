//! 好差评 over HTTP: the hall device page and its rating, the 差评's rectification through the
//! API with wrong hands refused, the staff list and the rating page, anonymity in every body,
//! and the public month's figures (API and page).

use axum::http::StatusCode;
use serde_json::json;

mod common;
use common::*;

#[tokio::test]
async fn a_window_is_rated_on_its_device_and_the_bad_rating_is_rectified_over_the_api() {
    let t = TestApp::with_catalog().await;
    let clerk_user = t
        .app
        .store
        .user_by_login("zrzy.clerk")
        .await
        .unwrap()
        .unwrap();
    let w = t
        .app
        .store
        .windows(None, clerk_user.department_id)
        .await
        .unwrap()
        .first()
        .expect("a window of the clerk's department")
        .id;
    let clerk = t.sign_in("zrzy.clerk").await;
    let head = t.sign_in("zrzy.head").await;
    let sup = t.sign_in("jiancha").await;

    // The device before anyone is on duty, then with the clerk and a visit waiting.
    let r = t.get(&format!("/rate/window/{w}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("本窗口暂停服务"), "{}", r.body);
    let r = t
        .post_json(&format!("/api/v1/windows/{w}/duty"), Some(&head), json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "a head is department staff: {}",
        r.body
    );
    let r = t
        .post_json(
            &format!("/api/v1/windows/{w}/duty"),
            Some(&clerk),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = t
        .post_json(
            &format!("/api/v1/windows/{w}/visits"),
            Some(&clerk),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = t.get(&format!("/rate/window/{w}"), None).await;
    assert!(r.body.contains(&clerk_user.name), "{}", r.body);
    assert_eq!(
        r.body.matches("class=\"face face-").count(),
        5,
        "five faces"
    );
    assert!(!r.body.contains("http://") && !r.body.contains("https://"));
    let api = t
        .get(&format!("/api/v1/public/windows/{w}/device"), None)
        .await;
    assert_eq!(api.json()["on_duty"], clerk_user.name.as_str());
    assert!(api.json()["visit_id"].is_i64());

    // Rated 非常不满意 at the device, once.
    let r = t
        .post_form(
            &format!("/rate/window/{w}"),
            None,
            &[
                ("level", "very_unsatisfied"),
                ("service_attitude", "very_unsatisfied"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers["location"],
        format!("/rate/window/{w}?thanks=very_unsatisfied").as_str()
    );
    let r = t
        .post_form(
            &format!("/rate/window/{w}"),
            None,
            &[("level", "satisfied")],
        )
        .await;
    assert_eq!(
        r.headers["location"],
        format!("/rate/window/{w}?error=rating.no_visit").as_str()
    );
    let r = t
        .get(&format!("/rate/window/{w}?error=rating.no_visit"), None)
        .await;
    assert!(r.body.contains("data-code=\"rating.no_visit\""));

    // The centre's list has it, with its light; the department sees it without the rater.
    let list = t.get("/api/v1/ratings", Some(&sup)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let n = list.json()[0]["number"].as_str().unwrap().to_string();
    assert_eq!(list.json()[0]["stage"], "callback");
    let page = t.get("/ratings", Some(&sup)).await;
    assert!(
        page.body.contains(&n) && page.body.contains("data-light=\"green\""),
        "{}",
        page.body
    );
    let mine = t.get(&format!("/api/v1/ratings/{n}"), Some(&head)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(!mine.body.contains("rater"), "{}", mine.body);
    assert_eq!(mine.json()["staff_id"], clerk_user.id);
    let r = t
        .get(&format!("/api/v1/ratings/{n}/rater"), Some(&head))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The steps, each by its own hands.
    let path = format!("/api/v1/ratings/{n}/actions");
    let r = t
        .post_json(
            &path,
            Some(&head),
            json!({"action": "call_back", "note": "回访"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_json(
            &path,
            Some(&sup),
            json!({"action": "call_back", "note": "现场评价无联系方式，已调取录像"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["rect"]["stage"].as_str()),
        (StatusCode::OK, Some("verify")),
        "{}",
        r.body
    );
    let r = t
        .post_json(
            &path,
            Some(&sup),
            json!({"action": "verify", "verdict": "founded", "note": "x"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "rating.unit")
    );
    let r = t
        .post_json(
            &path,
            Some(&head),
            json!({"action": "verify", "verdict": "partly", "note": "窗口人员解释不耐心"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = t
        .post_json(
            &path,
            Some(&head),
            json!({"action": "close", "measures": "开展服务礼仪培训", "feedback": ""}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "rating.feedback")
    );
    // The page form does the same step.
    let r = t
        .post_form(
            &format!("/ratings/{n}/act"),
            Some(&head),
            &[
                ("csrf", head.csrf.as_str()),
                ("action", "close"),
                ("measures", "开展服务礼仪培训"),
                ("feedback", "已整改，欢迎监督"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], format!("/ratings/{n}?ok=1").as_str());
    let page = t.get(&format!("/ratings/{n}"), Some(&head)).await;
    assert!(page.body.contains("data-stage=\"closed\""), "{}", page.body);
    assert!(page.body.contains("已整改，欢迎监督"));

    // The month's figures, public.
    let m = t.get("/api/v1/public/ratings?month=2026-03", None).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let row = &m.json()[0];
    assert_eq!(
        (
            row["ratings"].as_i64(),
            row["bad"].as_i64(),
            row["rectified_permille"].as_i64()
        ),
        (Some(1), Some(1), Some(1000))
    );
    let bad = t.get("/api/v1/public/ratings?month=March", None).await;
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "request.query")
    );
    let page = t.get("/ratings/month?month=2026-03", None).await;
    assert!(page.body.contains("100.0%"), "{}", page.body);

    // The API is in the OpenAPI document.
    let doc = t.get("/api/v1/openapi.json", None).await;
    for p in [
        "/api/v1/cases/{number}/rating",
        "/api/v1/ratings/{number}/actions",
        "/api/v1/public/windows/{id}/rating",
    ] {
        assert!(
            doc.body.contains(p),
            "{p} missing from the OpenAPI document"
        );
    }
}
