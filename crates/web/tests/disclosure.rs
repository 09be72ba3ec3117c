//! Disclosure requests over the API and the pages: filing, a stale version, the stable codes of
//! bad input (a second 补正, both fee modes, a reply without grounds, an office not holding the
//! request), and the pages' forms.

use axum::http::StatusCode;
use serde_json::json;

mod common;
use common::TestApp;

async fn with_offices() -> TestApp {
    let t = TestApp::new().await;
    t.app.load_demo_disclosure().await.unwrap();
    t
}

async fn office_id(t: &TestApp) -> i64 {
    let who = t
        .app
        .store
        .user_by_login("gkb.clerk")
        .await
        .unwrap()
        .unwrap();
    who.department_id.unwrap()
}

#[tokio::test]
async fn a_request_over_the_api_with_every_refusal_coded() {
    let t = with_offices().await;
    let office = office_id(&t).await;
    let resident = t.sign_in("user01").await;
    let clerk = t.sign_in("gkb.clerk").await;
    let other = t.sign_in("jbgkb.clerk").await;

    let body = json!({
        "department_id": office,
        "applicant": {"kind": "citizen", "name": "张三", "id_code": "11010519491231002X",
                      "phone": "13800138000"},
        "description": "2025年老旧小区改造项目的资金安排文件",
        "form": "email",
        "channel": "online"
    });
    let r = t
        .post_json("/api/v1/disclosure/requests", Some(&resident), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    let number = v["number"].as_str().unwrap().to_string();
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["applicant_id"], "110105********002X");
    assert!(!r.body.contains("11010519491231002X"));
    // A bad ID number is the ID parser's code.
    let mut bad = body.clone();
    bad["applicant"]["id_code"] = json!("110105194912310021");
    let r = t
        .post_json("/api/v1/disclosure/requests", Some(&resident), bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "id.check_digit");

    let path = format!("/api/v1/disclosure/requests/{number}/actions");
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "confirm", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "processing");
    // A stale version, and an office that does not hold the request.
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "consult", "version": 1,
        "kind": "third_party", "party": "某公司", "matter": "是否同意公开"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "disclosure.stale");
    let r = t
        .post_json(
            &path,
            Some(&other),
            json!({"action": "reply",
        "reply": {"kind": "disclosed"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "disclosure.not_holder");

    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "request_supplement",
        "items": ["请写明年份"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "request_supplement",
        "items": ["请写明街道"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "disclosure.supplement_second");
    let r = t
        .post_json(
            &path,
            Some(&resident),
            json!({"action": "supplement", "text": "2025年"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "notice_fee",
        "per_request": true, "pages": 120}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "disclosure.fee_both_modes");
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "extend", "days": 21,
        "reason": "档案多"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a clerk is not the head");
    assert_eq!(r.code(), "disclosure.extension_approver");
    let head = t.sign_in("gkb.head").await;
    let r = t
        .post_json(
            &path,
            Some(&head),
            json!({"action": "extend", "days": 21,
        "reason": "档案多"}),
        )
        .await;
    assert_eq!(r.code(), "disclosure.extension_too_long");
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "reply",
        "reply": {"kind": "withheld"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "disclosure.grounds_missing");
    let r = t
        .post_json(
            &path,
            Some(&clerk),
            json!({"action": "reply", "reply": {
        "kind": "withheld",
        "withheld": [{"part": "全部", "ground": "process", "reason": "属于讨论记录"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "replied");
    assert!(v["reply"]["letter"].as_str().unwrap().contains("第十六条"));

    // The applicant reads it; a stranger does not.
    let r = t
        .get(
            &format!("/api/v1/disclosure/requests/{number}"),
            Some(&resident),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let stranger = t.sign_in("user02").await;
    let r = t
        .get(
            &format!("/api/v1/disclosure/requests/{number}"),
            Some(&stranger),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "disclosure.not_found");
    let r = t.get("/api/v1/disclosure/requests", Some(&resident)).await;
    assert!(r.body.contains(&number));
    let r = t.get("/api/v1/disclosure/requests", Some(&clerk)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains(&number),
        "a replied request leaves the queue"
    );
}

#[tokio::test]
async fn the_pages_file_show_and_act() {
    let t = with_offices().await;
    let office = office_id(&t).await.to_string();
    let clerk = t.sign_in("gkb.clerk").await;
    let page = t.get("/disclosure", Some(&clerk)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("政府信息公开工作台"));
    assert!(page.body.contains("data-testid=\"disclosure-list\""));
    let r = t
        .post_form(
            "/disclosure",
            Some(&clerk),
            &[
                ("csrf", &clerk.csrf),
                ("department_id", &office),
                ("applicant_kind", "legal_person"),
                ("name", "清江建设工程有限公司"),
                ("id_code", "91350100M000100Y43"),
                ("email", "office@example.com"),
                ("description", "本市2025年政府采购中标公告"),
                ("form", "paper"),
                ("channel", "in_person"),
                ("received_at", "2026-03-02T08:30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/disclosure/requests/GK361200"), "{to}");
    let path = to.split('?').next().unwrap().to_string();
    let page = t.get(&to, Some(&clerk)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("办理中"));
    assert!(page.body.contains("data-testid=\"explain\""));
    assert!(page.body.contains("data-testid=\"request-supplement\""));
    // Both fee modes through the form: the page says why, with the code.
    let r = t
        .post_form(
            &format!("{path}/act"),
            Some(&clerk),
            &[
                ("csrf", &clerk.csrf),
                ("action", "notice_fee"),
                ("fee_mode", "per_request"),
                ("pages", "120"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("disclosure.fee_both_modes"), "{}", r.body);
    let r = t
        .post_form(
            &format!("{path}/act"),
            Some(&clerk),
            &[
                ("csrf", &clerk.csrf),
                ("action", "request_supplement"),
                ("items", "请写明年份\n请写明文号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&path, Some(&clerk)).await;
    assert!(page.body.contains("待补正"));
    assert!(page.body.contains("请写明文号"));
    // An office that does not hold it sees the request as not theirs.
    let other = t.sign_in("jbgkb.clerk").await;
    assert_eq!(
        t.get(&path, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn the_openapi_document_covers_the_disclosure_routes() {
    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    let list = &doc["paths"]["/api/v1/disclosure/requests"];
    assert!(
        list["get"].is_object() && list["post"].is_object(),
        "{list}"
    );
    assert!(doc["paths"]["/api/v1/disclosure/requests/{number}/actions"]["post"].is_object());
    for schema in [
        "DisclosureJson",
        "DisclosureBody",
        "DisclosureActionBody",
        "ReplyInput",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

#[tokio::test]
async fn the_annual_report_as_a_page_a_workbook_and_json_with_drill_downs() {
    let t = with_offices().await;
    let office = office_id(&t).await.to_string();
    let head = t.sign_in("gkb.head").await;
    let other = t.sign_in("jbgkb.clerk").await;
    // The office's own report by default, last year (2025).
    let page = t.get("/disclosure/report", Some(&head)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2025 年度政府信息公开工作年度报告"));
    assert!(page.body.contains("三、收到和处理政府信息公开申请情况"));
    assert!(page.body.contains("四、政府信息公开行政复议、行政诉讼情况"));
    assert!(page.body.contains("data-testid=\"report-text\""));
    // The API's figures equal the requests behind them; the page links each to its list.
    let r = t
        .get(
            &format!("/api/v1/disclosure/report?year=2025&department={office}"),
            Some(&head),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["balanced"], true);
    let new_row = &j["requests"][0];
    assert_eq!(new_row["row"], "new_received");
    let total = new_row["counts"][6].as_u64().unwrap() as usize;
    assert!(total > 0);
    assert_eq!(new_row["requests"][6].as_array().unwrap().len(), total);
    let drill = format!(
        "/disclosure/report/requests?year=2025&department={office}&row=new_received&col=total"
    );
    let i = page.body.find("row=new_received").unwrap_or(0);
    assert!(
        page.body.contains(&drill.replace('&', "&#38;")),
        "{}",
        &page.body[i.saturating_sub(120)..(i + 60).min(page.body.len())]
    );
    let d = t.get(&drill, Some(&head)).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.body.contains(&format!(
        "<strong data-testid=\"drill-count\">{total}</strong>"
    )));
    let bad = t
        .get(
            &format!(
                "/disclosure/report/requests?year=2025&department={office}&row=nope&col=total"
            ),
            Some(&head),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The workbook.
    let x = t
        .get(
            &format!("/disclosure/report.xlsx?year=2025&department={office}"),
            Some(&head),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    // Bad input: a year before the regulation, another office's report.
    let r = t
        .get("/api/v1/disclosure/report?year=2018", Some(&head))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "disclosure.report_year");
    let r = t
        .get(
            &format!("/api/v1/disclosure/report?year=2025&department={office}"),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "disclosure.not_holder");
    // The head writes the text and publishes; a second publication is refused.
    let year = "2025".to_string();
    let r = t
        .post_form(
            "/disclosure/report",
            Some(&head),
            &[
                ("csrf", &head.csrf),
                ("year", &year),
                ("department", &office),
                ("section_overview", "2025年，本机关认真贯彻落实条例。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let publish = [
        ("csrf", head.csrf.as_str()),
        ("year", year.as_str()),
        ("department", office.as_str()),
        ("publish", "1"),
    ];
    let r = t
        .post_form("/disclosure/report", Some(&head), &publish)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t
        .post_form("/disclosure/report", Some(&head), &publish)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("disclosure.report_published"));
    let page = t
        .get(
            &format!("/disclosure/report?year=2025&department={office}"),
            Some(&head),
        )
        .await;
    assert!(page.body.contains("2025年，本机关认真贯彻落实条例。"));
    assert!(!page.body.contains("data-testid=\"report-text\""));
}

#[tokio::test]
async fn the_catalog_pages_and_api_publish_search_and_fill_table_two() {
    let t = with_offices().await;
    let entries = t.app.load_demo_disclosure_catalog().await.unwrap();
    let office = office_id(&t).await.to_string();
    // Public: the catalog, an entry, the 公报, each in Chinese, without signing in.
    let page = t.get("/disclosure/catalog", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("主动公开目录") && page.body.contains("★ 重点领域"));
    let first = &entries[0];
    let e = t.get(&format!("/disclosure/catalog/{first}"), None).await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    assert!(e.body.contains("data-testid=\"entry-index\""));
    let g = t.get("/disclosure/gazettes", None).await;
    assert!(g.body.contains("清江市人民政府公报"), "{}", g.body);
    // The API searches and reads; a pending entry is not public.
    let r = t
        .get(
            "/api/v1/disclosure/catalog?q=%E7%AE%A1%E7%90%86%E5%8A%9E%E6%B3%95",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.json().as_array().unwrap().is_empty());
    let pending = entries.last().unwrap();
    let r = t
        .get(&format!("/api/v1/disclosure/catalog/{pending}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(r.json()["code"], "disclosure.catalog_not_found");
    // Its office publishes it; a second time is refused with the stable code.
    let clerk = t.sign_in("gkb.clerk").await;
    let other = t.sign_in("jbgkb.clerk").await;
    let mine = t
        .app
        .store
        .catalog_entry_by_index(pending)
        .await
        .unwrap()
        .unwrap();
    let who = if mine.department_id.to_string() == office {
        &clerk
    } else {
        &other
    };
    let body = json!({"action": "publish"});
    let r = t
        .post_json(
            &format!("/api/v1/disclosure/catalog/{pending}/actions"),
            Some(who),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = t
        .post_json(
            &format!("/api/v1/disclosure/catalog/{pending}/actions"),
            Some(who),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["code"], "disclosure.catalog_state");
    // Table 二 on the report page has figures linked to their entries.
    let head = t.sign_in("gkb.head").await;
    let report = t.get("/disclosure/report", Some(&head)).await;
    assert!(
        report.body.contains("/disclosure/report/entries?"),
        "{}",
        report.body
    );
    let j = t
        .get(
            &format!("/api/v1/disclosure/report?year=2025&department={office}"),
            Some(&head),
        )
        .await
        .json();
    let made = j["proactive"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["heading"] == "normative" && f["figure"] == "made")
        .unwrap()["entries"]
        .as_i64()
        .unwrap();
    let d = t
        .get(
            &format!(
                "/disclosure/report/entries?year=2025&department={office}&heading=normative&figure=made"
            ),
            Some(&head),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert!(d.body.contains(&format!(
        "<strong data-testid=\"drill-count\">{made}</strong>"
    )));
}
