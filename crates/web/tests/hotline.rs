//! The 12345 hotline over HTTP: the API and the pages drive the same use cases, refuse bad
//! input and wrong hands with stable codes, and never show a caller's full number.

use axum::http::StatusCode;
use serde_json::{json, Value};

mod common;
use common::*;

async fn hotline() -> TestApp {
    let t = TestApp::new().await;
    t.app.load_demo_hotline().await.unwrap();
    t
}

fn complaint() -> Value {
    json!({
        "category": "complaint",
        "subject": "urban.stall",
        "region": "361202001000",
        "caller_name": "王秀英",
        "caller_phone": "13800001234",
        "place": "临江街道滨江路",
        "text": "夜市占道经营，堵塞消防通道。"
    })
}

#[tokio::test]
async fn the_api_runs_the_loop_and_refuses_wrong_hands() {
    let t = hotline().await;
    let op = t.sign_in("huawu").await;
    let unit = t.sign_in("linjiang.clerk").await;
    let co = t.sign_in("scjg.clerk").await;

    let r = t
        .post_json("/api/v1/hotline/tickets", Some(&op), complaint())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(!r.body.contains("13800001234"), "{}", r.body);
    assert_eq!(r.json()["caller_phone"], "138****1234");
    let n = r.json()["number"].as_str().unwrap().to_string();
    let path = format!("/api/v1/hotline/tickets/{n}/actions");

    // A unit cannot file or dispatch.
    let r = t
        .post_json("/api/v1/hotline/tickets", Some(&unit), complaint())
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "hotline.not_centre")
    );

    let r = t
        .post_json(&path, Some(&op), json!({"action": "dispatch"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "dispatched");
    let r = t
        .post_json(&path, Some(&unit), json!({"action": "sign"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The co-unit reads it but cannot reply: it does not hold the ticket.
    let r = t
        .post_json(
            &path,
            Some(&co),
            json!({"action": "reply", "text": "已处理"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "hotline.not_holder")
    );
    let r = t
        .post_json(
            &path,
            Some(&unit),
            json!({"action": "reply", "text": "已清理占道摊位。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = t
        .post_json(
            &path,
            Some(&op),
            json!({"action": "call_back", "result": "satisfied"}),
        )
        .await;
    assert_eq!(r.json()["status"], "closed", "{}", r.body);
    let r = t
        .post_json(
            &path,
            Some(&op),
            json!({"action": "call_back", "result": "satisfied"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "hotline.callback_done")
    );

    // Bad input: unknown category and subject, an unknown action.
    let mut bad = complaint();
    bad["category"] = json!("praise");
    let r = t.post_json("/api/v1/hotline/tickets", Some(&op), bad).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "hotline.category")
    );
    let mut bad = complaint();
    bad["subject"] = json!("nope");
    let r = t.post_json("/api/v1/hotline/tickets", Some(&op), bad).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "hotline.subject")
    );
    let r = t
        .post_json(&path, Some(&op), json!({"action": "fly"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Lists and the incoming call.
    let r = t
        .get("/api/v1/hotline/tickets?status=closed", Some(&op))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["number"] == n.as_str()));
    let r = t
        .get("/api/v1/hotline/tickets?status=nope", Some(&op))
        .await;
    assert_eq!(r.code(), "hotline.status_filter");
    let r = t
        .post_json(
            "/api/v1/hotline/calls",
            Some(&op),
            json!({"phone": "13800001234"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["phone"], "138****1234");
    assert_eq!(r.json()["tickets"][0]["number"], n.as_str());
    assert!(!r.body.contains("13800001234"));
    let r = t
        .get("/api/v1/hotline/knowledge?q=营业执照", Some(&op))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1, "{}", r.body);
    let r = t
        .get(
            "/api/v1/hotline/route?subject=urban.stall&region=361202001000",
            Some(&op),
        )
        .await;
    assert_eq!(r.json()[0]["department_name"], "临江街道综合行政执法办公室");
    // No session, no staff API.
    let r = t.get("/api/v1/hotline/tickets", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reporter_is_hidden_from_the_unit() {
    let t = hotline().await;
    let op = t.sign_in("huawu").await;
    let unit = t.sign_in("linjiang.clerk").await;
    let mut report = complaint();
    report["category"] = json!("report");
    let r = t
        .post_json("/api/v1/hotline/tickets", Some(&op), report)
        .await;
    let n = r.json()["number"].as_str().unwrap().to_string();
    t.post_json(
        &format!("/api/v1/hotline/tickets/{n}/actions"),
        Some(&op),
        json!({"action": "dispatch"}),
    )
    .await;
    let r = t
        .get(&format!("/api/v1/hotline/tickets/{n}"), Some(&unit))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["caller_name"], "保密");
    assert!(r.json()["caller_phone"].is_null());
    let page = t.get(&format!("/hotline/tickets/{n}"), Some(&unit)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("保密") && !page.body.contains("王"),
        "{}",
        page.body
    );
    assert!(page.body.contains("签收"));
}

#[tokio::test]
async fn a_citizen_files_without_an_account_and_tracks_it() {
    let t = hotline().await;
    let body = json!({
        "category": "suggestion",
        "subject": "urban.road",
        "region": "361203001000",
        "caller_phone": "13900004321",
        "text": "建议在南湖路增设人行横道。"
    });
    let r = t
        .post_json("/api/v1/public/hotline/tickets", None, body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["number"].as_str().unwrap().to_string();
    let r = t
        .get(
            &format!("/api/v1/public/hotline/tickets/{n}?tail=4321"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "待派单");
    let r = t
        .get(
            &format!("/api/v1/public/hotline/tickets/{n}?tail=0000"),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "hotline.not_found")
    );

    // The same by the pages.
    let page = t.get("/12345", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("我要反映"));
    let r = t
        .post_form(
            "/12345",
            None,
            &[
                ("category", "help"),
                ("subject", "urban.road"),
                ("region", "361203001000"),
                ("caller_phone", "13900005555"),
                ("text", "路灯不亮。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    let filed = to.trim_start_matches("/12345?filed=").to_string();
    let page = t.get(&to, None).await;
    assert!(page.body.contains(&filed));
    let page = t
        .get(&format!("/12345?number={filed}&tail=5555"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("待派单"), "{}", page.body);
    let page = t
        .post_form(
            "/12345",
            None,
            &[
                ("category", "help"),
                ("subject", "nope"),
                ("region", "361203001000"),
                ("caller_phone", "13900005555"),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("hotline.subject"));
}

#[tokio::test]
async fn the_console_takes_a_call_and_files_a_ticket() {
    let t = hotline().await;
    let op = t.sign_in("huawu").await;
    let page = t.get("/hotline?phone=13912340006&q=社保", Some(&op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("139****0006"),
        "the demo caller's history"
    );
    assert!(page.body.contains("灵活就业"), "the knowledge base answers");
    let r = t
        .post_form(
            "/hotline/tickets",
            Some(&op),
            &[
                ("csrf", op.csrf.as_str()),
                ("category", "consult"),
                ("channel", "phone"),
                ("subject", "social.insurance"),
                ("region", "361202"),
                ("caller_phone", "13912340006"),
                ("text", "灵活就业怎么交社保？"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    let n = to.trim_start_matches("/hotline/tickets/").to_string();
    let r = t
        .post_form(
            &format!("/hotline/tickets/{n}/act"),
            Some(&op),
            &[
                ("csrf", op.csrf.as_str()),
                ("action", "answer_on_spot"),
                ("text", "可到社保窗口登记或网上办理。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&to, Some(&op)).await;
    assert!(page.body.contains("已办结"), "{}", page.body);
    // A unit's desk lists what it holds; an applicant has no desk.
    let unit = t.sign_in("linjiang.clerk").await;
    let page = t.get("/hotline", Some(&unit)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("望江社区旁工地"),
        "the demo's signed ticket"
    );
    let citizen = t.sign_in("user01").await;
    assert_eq!(
        t.get("/hotline", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_nav_links_the_desk_only_for_those_who_may_open_it() {
    let t = hotline().await;
    let link = "href=\"/hotline\"";
    // An agent (代办员) is staff but has no 12345 desk: no link, and the desk refuses.
    let agent = t.sign_in("daiban.binjiang").await;
    let bench = t.get("/workbench", Some(&agent)).await;
    assert_eq!(bench.status, StatusCode::OK);
    assert!(!bench.body.contains(link), "{}", bench.body);
    assert_eq!(
        t.get("/hotline", Some(&agent)).await.status,
        StatusCode::FORBIDDEN
    );
    // The centre, a unit and supervision see the link, and the desk opens for each.
    for login in ["huawu", "linjiang.clerk", "admin"] {
        let who = t.sign_in(login).await;
        let bench = t.get("/workbench", Some(&who)).await;
        assert!(bench.body.contains(link), "{login}");
        assert_eq!(
            t.get("/hotline", Some(&who)).await.status,
            StatusCode::OK,
            "{login}"
        );
    }
    // An action outside the closed set is a form error on the page, not a 500.
    let op = t.sign_in("huawu").await;
    let r = t
        .post_json("/api/v1/hotline/tickets", Some(&op), complaint())
        .await;
    let n = r.json()["number"].as_str().unwrap().to_string();
    let r = t
        .post_form(
            &format!("/hotline/tickets/{n}/act"),
            Some(&op),
            &[("csrf", op.csrf.as_str()), ("action", "fly")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .ends_with("error=request.form"));
}
