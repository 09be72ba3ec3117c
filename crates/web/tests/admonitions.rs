//! Efficiency warnings (效能告诫) over the API: a supervisor gives them, the rule warns the head
//! with every second staff warning, and each person sees what their role allows.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

use tongban_domain::codes;

async fn user_id(t: &TestApp, login: &str) -> i64 {
    t.app.store.user_by_login(login).await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_supervisor_warns_two_of_a_departments_staff_and_its_head_is_warned_too() {
    let t = TestApp::new().await;
    let supervisor = t.sign_in("jiancha").await;
    let clerk_id = user_id(&t, "scjg.clerk").await;
    let approver_id = user_id(&t, "scjg.approver").await;
    let head_id = user_id(&t, "scjg.head").await;

    let first = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&supervisor),
            json!({"person_id": clerk_id, "reason": "窗口推诿，群众多次往返"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = first.json();
    assert_eq!(first["admonition"]["kind"], "staff");
    assert_eq!(first["admonition"]["year"], 2026);
    assert!(first["by_rule"].is_null());

    let second = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&supervisor),
            json!({"person_id": approver_id, "reason": "审查超时未报告", "findings": [], "cases": []}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second = second.json();
    let by_rule = &second["by_rule"];
    assert_eq!(by_rule["kind"], "head_by_rule");
    assert_eq!(by_rule["person_id"], head_id);
    assert!(by_rule["issued_by"].is_null());
    assert_eq!(
        by_rule["evidence"]["admonitions"],
        json!([first["admonition"]["id"], second["admonition"]["id"]])
    );

    // Supervisors see their region's, the head their department's, a clerk their own.
    let listed = |login: &'static str, query: &'static str| {
        let t = &t;
        async move {
            let s = t.sign_in(login).await;
            let r = t
                .get(&format!("/api/v1/supervision/admonitions{query}"), Some(&s))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{login}: {}", r.body);
            r.json().as_array().unwrap().len()
        }
    };
    assert_eq!(listed("jiancha", "").await, 3);
    assert_eq!(listed("jiancha", "?year=2026").await, 3);
    assert_eq!(listed("jiancha", "?year=2025").await, 0);
    assert_eq!(listed("scjg.head", "").await, 3);
    assert_eq!(listed("scjg.clerk", "").await, 1);
    assert_eq!(listed("zrzy.head", "").await, 0);
    assert_eq!(listed("jiangbei.jiancha", "").await, 0);
}

#[tokio::test]
async fn warnings_are_refused_with_their_codes() {
    let t = TestApp::new().await;
    let clerk_id = user_id(&t, "scjg.clerk").await;
    let head = t.sign_in("scjg.head").await;
    let r = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&head),
            json!({"person_id": clerk_id, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.code(), codes::Auth::Forbidden);

    let supervisor = t.sign_in("jiancha").await;
    let r = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&supervisor),
            json!({"person_id": clerk_id, "reason": "   "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), codes::Admonition::Reason);
    let r = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&supervisor),
            json!({"person_id": 999_999, "reason": "不存在的人"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = t
        .post_json(
            "/api/v1/supervision/admonitions",
            Some(&supervisor),
            json!({"person_id": clerk_id, "reason": "引用不存在的发现", "findings": [77]}),
        )
        .await;
    assert_eq!(r.code(), codes::Admonition::Finding, "{}", r.body);

    let user = t.sign_in("user01").await;
    let r = t.get("/api/v1/supervision/admonitions", Some(&user)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.get("/api/v1/supervision/admonitions", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn the_openapi_document_covers_the_admonition_routes() {
    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    let path = &doc["paths"]["/api/v1/supervision/admonitions"];
    assert!(
        path["get"].is_object() && path["post"].is_object(),
        "{path}"
    );
    for schema in ["AdmonitionJson", "AdmonitionBody", "IssuedJson"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}
