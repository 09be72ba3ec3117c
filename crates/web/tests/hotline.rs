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

/// The monthly report over HTTP (public JSON and page, drill-down links for staff only), the
/// staff list and its workbook, and a merge through the API — on every backend.
#[tokio::test]
async fn the_report_the_list_its_workbook_and_a_merge() {
    use axum::body::Body;
    use axum::http::{header, Request};
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use tower::ServiceExt;
    for (backend, t) in TestApp::backends_with_catalog().await {
        t.app.load_demo_hotline().await.unwrap();
        let op = t.sign_in("huawu").await;
        let a = t
            .post_json("/api/v1/hotline/tickets", Some(&op), complaint())
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend} {}", a.body);
        let a = a.json()["number"].as_str().unwrap().to_string();
        let b = t
            .post_json("/api/v1/hotline/tickets", Some(&op), complaint())
            .await;
        let b = b.json();
        assert_eq!(b["duplicates"][0]["number"], a.as_str(), "{backend} {b}");
        assert_eq!(b["duplicates"][0]["reason"], "same_caller", "{backend}");
        let b = b["number"].as_str().unwrap().to_string();
        let r = t
            .post_json(
                &format!("/api/v1/hotline/tickets/{b}/actions"),
                Some(&op),
                json!({"action": "merge", "into": a, "reason": "同一事项"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        assert_eq!(r.json()["merged_into"], a.as_str(), "{backend}");
        let r = t
            .post_json(
                &format!("/api/v1/hotline/tickets/{a}/actions"),
                Some(&op),
                json!({"action": "merge", "into": a, "reason": "同一事项"}),
            )
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "hotline.merge_target"),
            "{backend}"
        );

        let month = tongban_domain::time::local_date(t.app.now())
            .format("%Y-%m")
            .to_string();
        let r = t
            .get(
                &format!("/api/v1/public/hotline/report?month={month}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        let j = r.json();
        assert_eq!(j["hot"][0]["subject"], "urban.stall", "{backend} {j}");
        assert!(j["total"].as_u64().unwrap() >= 8, "{backend} {j}");
        assert!(!r.body.contains("13800001234"), "{backend}");
        let r = t
            .get("/api/v1/public/hotline/report?month=2026-13", None)
            .await;
        assert_eq!(r.code(), "request.query", "{backend}");
        // The page: drill-down links for staff, plain numbers for the public.
        let public = t.get(&format!("/12345/report?month={month}"), None).await;
        assert_eq!(public.status, StatusCode::OK, "{backend}");
        assert!(public.body.contains("热点诉求"), "{backend}");
        assert!(!public.body.contains("/hotline/list?"), "{backend}");
        let staff = t
            .get(&format!("/12345/report?month={month}"), Some(&op))
            .await;
        assert!(
            staff.body.contains(&format!(
                "/hotline/list?month={month}&amp;subject=urban.stall"
            )),
            "{backend}"
        );
        let list = t
            .get(
                &format!("/hotline/list?month={month}&subject=urban.stall"),
                Some(&op),
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        assert!(
            list.body.contains(&a) && list.body.contains(&b),
            "{backend}"
        );

        // The workbook of the same list: every ticket listed, no caller data.
        let req = Request::builder()
            .uri(format!(
                "/hotline/list.xlsx?month={month}&subject=urban.stall"
            ))
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &op.cookie)
            .body(Body::empty())
            .unwrap();
        let res = t.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        let bytes = axum::body::to_bytes(res.into_body(), 10 * 1024 * 1024)
            .await
            .unwrap()
            .to_vec();
        let mut wb: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows[0][0], "工单号", "{backend}");
        assert!(rows.iter().any(|r| r[0] == a), "{backend}");
        assert!(
            rows.iter().any(|r| r[0] == b && r[4] == "已办结"),
            "{backend}"
        );
        assert!(
            rows.iter()
                .flatten()
                .all(|c| !c.contains("1234") || c.starts_with('H')),
            "{backend}: no caller number"
        );
        // Not for a unit, nor for the public; a bad region is refused with its code.
        let unit = t.sign_in("linjiang.clerk").await;
        let r = t.get("/hotline/list.xlsx", Some(&unit)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = t.get("/hotline/list?region=12", Some(&op)).await;
        assert!(r.body.contains("hotline.region"), "{backend}");
    }
}

/// Open311 GeoReport v2 with the specification's example requests: services, a request
/// posted with a key (form-encoded, as the specification sends it) becomes a ticket, read
/// back by id and in the list; without a valid key nothing is written — on every backend.
#[tokio::test]
async fn open311_georeport_v2_maps_onto_tickets() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        t.app.load_demo_hotline().await.unwrap();
        let r = t.get("/open311/v2/services.json", None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        let services = r.json();
        let stall = services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_code"] == "urban.stall")
            .unwrap_or_else(|| panic!("{backend} {services}"));
        assert_eq!(stall["type"], "realtime", "{backend}");
        assert_eq!(
            stall["metadata"], true,
            "{backend}: every service has a definition"
        );
        assert!(
            stall["group"].as_str().is_some_and(|g| !g.is_empty()),
            "{backend}"
        );

        // The specification's POST example, with a region for address_id: no key, then a bad
        // key, write nothing.
        let form = |key: &str| {
            format!(
                "api_key={key}&service_code=urban.stall&lat=37.76524078&long=-122.4212043\
                 &address_string=1234+5th+street&address_id=361202001000&email=smit222%40sfgov.edu\
                 &device_id=tt222111&account_id=123456&first_name=john&last_name=smith\
                 &phone=13811112222&description=A+large+sinkhole+is+destroying+the+street\
                 &media_url=http%3A%2F%2Fexample.com%2Fphoto.jpg"
            )
        };
        let post = |body: String| {
            t.send(
                axum::http::Method::POST,
                "/open311/v2/requests.json",
                None,
                Some("application/x-www-form-urlencoded"),
                body,
                &[],
            )
        };
        let all = tongban_store::hotline::TicketFilter {
            limit: 5000,
            ..Default::default()
        };
        let before = t.app.store.tickets(&all).await.unwrap().len();
        let r = post(form("")).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::UNAUTHORIZED, "hotline.open311_key"),
            "{backend}"
        );
        let r = post(form("0123456789abcdef0123456789abcdef")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        let admin = t.sign_in("admin").await;
        let r = t
            .post_json(
                "/api/v1/admin/open311/keys",
                Some(&admin),
                json!({"name": "城管通"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend} {}", r.body);
        let key = r.json()["api_key"].as_str().unwrap().to_string();
        let op = t.sign_in("huawu").await;
        let r = t
            .post_json(
                "/api/v1/admin/open311/keys",
                Some(&op),
                json!({"name": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(
            t.app.store.tickets(&all).await.unwrap().len(),
            before,
            "{backend}: nothing written"
        );

        let r = post(form(&key)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend} {}", r.body);
        let id = r.json()[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(id.starts_with('H'), "{backend}");
        // An unknown service is the hotline's own code.
        let r = post(form(&key).replace("urban.stall", "nope")).await;
        assert_eq!(r.code(), "hotline.subject", "{backend}");

        // GET requests/{id}.json: the specification's fields.
        let r = t
            .get(&format!("/open311/v2/requests/{id}.json"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        let one = &r.json()[0];
        assert_eq!(one["service_request_id"], id.as_str(), "{backend}");
        assert_eq!(one["status"], "open", "{backend}");
        assert_eq!(one["service_code"], "urban.stall", "{backend}");
        assert_eq!(one["address_id"], "361202001000", "{backend}");
        assert_eq!(
            one["description"], "A large sinkhole is destroying the street",
            "{backend}"
        );
        for field in [
            "requested_datetime",
            "updated_datetime",
            "agency_responsible",
        ] {
            assert!(one[field].is_string(), "{backend} {field}");
        }
        assert!(!r.body.contains("13811112222"), "{backend}: no caller data");
        // The ticket took the request: the web channel's sibling (移动端/API), the caller.
        let v = t
            .app
            .ticket(
                &tongban_app::accounts::actor_of(
                    &t.app.store.user_by_login("huawu").await.unwrap().unwrap(),
                ),
                &id,
            )
            .await
            .unwrap();
        assert_eq!(v.channel.as_str(), "app", "{backend}");
        assert_eq!(v.caller_phone.as_deref(), Some("138****2222"), "{backend}");
        assert_eq!(v.place.as_deref(), Some("1234 5th street"), "{backend}");

        // GET requests.json with the specification's filters.
        let r = t
            .get(
                "/open311/v2/requests.json?service_code=urban.stall&status=open",
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        assert!(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["service_request_id"] == id.as_str()),
            "{backend}"
        );
        let r = t
            .get(
                "/open311/v2/requests.json?status=closed&service_code=urban.stall",
                None,
            )
            .await;
        assert!(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["status"] == "closed"),
            "{backend}"
        );
        let r = t.get("/open311/v2/requests.json?status=maybe", None).await;
        assert_eq!(r.code(), "request.query", "{backend}");
        let r = t
            .get("/open311/v2/requests/H20000101000001.json", None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    }
}

/// An anonymous multipart post of the public form: text fields and `photos` files.
fn public_multipart(fields: &[(&str, &str)], photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "tongbanHotlineBoundary3";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{file}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_public(t: &TestApp, fields: &[(&str, &str)], photos: &[(&str, &[u8])]) -> Reply {
    let (ct, body) = public_multipart(fields, photos);
    t.send_bytes(
        axum::http::Method::POST,
        "/12345",
        None,
        &[("content-type", ct.as_str())],
        body,
    )
    .await
}

async fn delete_key(t: &TestApp, s: &Session, id: i64) -> Reply {
    t.send(
        axum::http::Method::DELETE,
        &format!("/api/v1/admin/open311/keys/{id}"),
        Some(s),
        None,
        String::new(),
        &[("x-csrf-token", s.csrf.as_str())],
    )
    .await
}

const PHOTO: &[u8] = include_bytes!("../../domain/tests/data/exif-flower.jpg");

/// The public form takes photos (multipart), strips them and keeps them with the ticket; the
/// caller sees them by number and tail, staff who may see the ticket on its page, nobody
/// else. A bad file is a 4xx with its stable code and nothing is filed.
#[tokio::test]
async fn the_public_form_takes_photos_and_shows_them_only_to_those_who_may_see_them() {
    let t = hotline().await;
    let fields = [
        ("category", "complaint"),
        ("subject", "urban.stall"),
        ("region", "361202001000"),
        ("caller_phone", "13900007777"),
        ("text", "滨江路夜市占道，附照片。"),
    ];
    let page = t.get("/12345", None).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("name=\"photos\""));
    let all = tongban_store::hotline::TicketFilter {
        limit: 5000,
        ..Default::default()
    };
    let before = t.app.store.tickets(&all).await.unwrap().len();
    for (photos, code) in [
        (
            vec![("a.gif", &b"GIF89a\x01\x00"[..])],
            "hotline.photo_type",
        ),
        (vec![("cut.jpg", &PHOTO[..300])], "hotline.photo"),
        (vec![("a.jpg", PHOTO); 5], "hotline.photo_count"),
    ] {
        let r = post_public(&t, &fields, &photos).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert!(r.body.contains(code), "{code}: {}", r.body);
    }
    assert_eq!(t.app.store.tickets(&all).await.unwrap().len(), before);

    let r = post_public(&t, &fields, &[("现场.jpg", PHOTO)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    let n = to.trim_start_matches("/12345?filed=").to_string();

    // The caller: listed on the tracking page, the bytes by number and tail, stripped.
    let page = t.get(&format!("/12345?number={n}&tail=7777"), None).await;
    let src = format!("/12345/tickets/{n}/photos/1?tail=7777");
    assert!(page.body.contains(&src), "{}", page.body);
    let r = t.get(&src, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "image/jpeg");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert!(r.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    assert!(!r.body.contains("Exif"), "metadata stripped");
    let r = t
        .get(&format!("/12345/tickets/{n}/photos/1?tail=0000"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .get(
            &format!("/api/v1/public/hotline/tickets/{n}/photos/1?tail=7777"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .get(
            &format!("/api/v1/public/hotline/tickets/{n}?tail=7777"),
            None,
        )
        .await;
    assert_eq!(r.json()["photos"][0]["name"], "现场.jpg");

    // Staff who may see the ticket; a unit it was not sent to, and anyone anonymous, not.
    let op = t.sign_in("huawu").await;
    let page = t.get(&format!("/hotline/tickets/{n}"), Some(&op)).await;
    assert!(page
        .body
        .contains(&format!("/hotline/tickets/{n}/photos/1")));
    let r = t
        .get(&format!("/hotline/tickets/{n}/photos/1"), Some(&op))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .get(&format!("/api/v1/hotline/tickets/{n}/photos/1"), Some(&op))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "image/jpeg");
    let r = t
        .get(&format!("/api/v1/hotline/tickets/{n}"), Some(&op))
        .await;
    assert_eq!(r.json()["photos"][0]["content_type"], "image/jpeg");
    let unit = t.sign_in("beishan.clerk").await;
    let r = t
        .get(
            &format!("/api/v1/hotline/tickets/{n}/photos/1"),
            Some(&unit),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "hotline.not_found")
    );
    let r = t
        .get(&format!("/api/v1/hotline/tickets/{n}/photos/1"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// The element texts of `tag` in an XML document, in order.
fn xml_texts(doc: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    doc.split(&open)
        .skip(1)
        .filter_map(|s| s.split(&close).next().map(str::to_string))
        .collect()
}

/// GeoReport v2 in XML, service definitions, tokens and key administration, with the
/// specification's example requests: the same fields as the JSON answers, under the
/// specification's element names.
#[tokio::test]
async fn open311_answers_in_xml_defines_services_and_keys_are_revoked() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        t.app.load_demo_hotline().await.unwrap();
        // GET services.xml: <services><service>… with the JSON's fields.
        let r = t.get("/open311/v2/services.xml", None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml"));
        assert!(r.body.starts_with("<?xml"), "{backend}");
        assert!(
            r.body.contains("<services><service>"),
            "{backend} {}",
            r.body
        );
        let json = t.get("/open311/v2/services.json", None).await.json();
        let codes: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["service_code"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(xml_texts(&r.body, "service_code"), codes, "{backend}");
        for field in [
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ] {
            assert_eq!(
                xml_texts(&r.body, field).len(),
                codes.len(),
                "{backend} {field}"
            );
        }

        // GET services/{code}.json and .xml: the definition (the spec's shape).
        let r = t.get("/open311/v2/services/urban.stall.json", None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        let d = r.json();
        assert_eq!(d["service_code"], "urban.stall");
        let a = &d["attributes"][0];
        assert_eq!(a["code"], "category");
        assert_eq!(a["datatype"], "singlevaluelist");
        assert_eq!(a["variable"], true);
        assert_eq!(a["required"], false);
        assert_eq!(a["order"], 1);
        assert_eq!(a["values"][2]["key"], "complaint");
        let r = t.get("/open311/v2/services/urban.stall.xml", None).await;
        assert!(
            r.body.contains("<service_definition><service_code>urban.stall</service_code><attributes><attribute><variable>true</variable><code>category</code>"),
            "{backend} {}",
            r.body
        );
        assert_eq!(xml_texts(&r.body, "key").len(), 5, "{backend}");
        let r = t.get("/open311/v2/services/nope.xml", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(
            r.body.contains("<errors><error><code>404</code>"),
            "{backend} {}",
            r.body
        );
        assert!(r.body.contains("hotline.open311_service"), "{backend}");
        let r = t.get("/open311/v2/services/nope.json", None).await;
        assert_eq!(r.code(), "hotline.open311_service", "{backend}");

        // Keys: issued, listed, used; the spec's POST example answered in XML.
        let admin = t.sign_in("admin").await;
        let r = t
            .post_json(
                "/api/v1/admin/open311/keys",
                Some(&admin),
                json!({"name": "城管通"}),
            )
            .await;
        let key = r.json()["api_key"].as_str().unwrap().to_string();
        let r = t.get("/api/v1/admin/open311/keys", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let listed = r.json();
        assert_eq!(listed[0]["name"], "城管通", "{backend}");
        assert!(listed[0]["revoked_at"].is_null());
        assert!(
            !r.body.contains(&key),
            "the key itself is never shown again"
        );
        let key_id = listed[0]["id"].as_i64().unwrap();
        let form = |key: &str| {
            format!(
                "api_key={key}&service_code=urban.stall&lat=37.76524078&long=-122.4212043\
                 &address_string=1234+5th+street&address_id=361202001000&email=smit222%40sfgov.edu\
                 &device_id=tt222111&account_id=123456&first_name=john&last_name=smith\
                 &phone=13811112222&description=A+large+sinkhole+is+destroying+the+street\
                 &media_url=http%3A%2F%2Fexample.com%2Fphoto.jpg&attribute%5Bcategory%5D=complaint"
            )
        };
        let post = |body: String| {
            t.send(
                axum::http::Method::POST,
                "/open311/v2/requests.xml",
                None,
                Some("application/x-www-form-urlencoded"),
                body,
                &[],
            )
        };
        let r = post(form("0123456789abcdef0123456789abcdef")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(
            r.body.contains("<errors><error><code>401</code>"),
            "{backend}"
        );
        let r = post(form(&key)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend} {}", r.body);
        assert!(
            r.body
                .contains("<service_requests><request><service_request_id>"),
            "{backend} {}",
            r.body
        );
        let id = xml_texts(&r.body, "service_request_id")[0].clone();
        assert_eq!(xml_texts(&r.body, "service_notice").len(), 1);
        assert!(r.body.contains("<account_id/>"), "{backend} {}", r.body);

        // GET requests/{id}.xml and requests.xml: the JSON's fields, by name.
        let json = t
            .get(&format!("/open311/v2/requests/{id}.json"), None)
            .await
            .json();
        let r = t.get(&format!("/open311/v2/requests/{id}.xml"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        for (field, v) in json[0].as_object().unwrap() {
            match v {
                Value::Null => assert!(r.body.contains(&format!("<{field}/>")), "{field}"),
                Value::String(s) => assert_eq!(
                    xml_texts(&r.body, field),
                    vec![s.clone()],
                    "{backend} {field}"
                ),
                other => assert_eq!(
                    xml_texts(&r.body, field),
                    vec![other.to_string()],
                    "{backend} {field}"
                ),
            }
        }
        let r = t
            .get(
                "/open311/v2/requests.xml?service_code=urban.stall&status=open",
                None,
            )
            .await;
        assert!(
            xml_texts(&r.body, "service_request_id").contains(&id),
            "{backend}"
        );
        let r = t
            .get("/open311/v2/requests/H20000101000001.xml", None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("<errors>"));

        // tokens/{token}: the request a token stands for (its own id: realtime).
        let r = t.get(&format!("/open311/v2/tokens/{id}.json"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {}", r.body);
        assert_eq!(r.json()[0]["service_request_id"], id.as_str());
        assert_eq!(r.json()[0]["token"], id.as_str());
        let r = t.get(&format!("/open311/v2/tokens/{id}.xml"), None).await;
        assert_eq!(xml_texts(&r.body, "token"), vec![id.clone()]);
        let r = t.get("/open311/v2/tokens/nope", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The complaint category came in as the definition's attribute.
        let op = tongban_app::accounts::actor_of(
            &t.app.store.user_by_login("huawu").await.unwrap().unwrap(),
        );
        let v = t.app.ticket(&op, &id).await.unwrap();
        assert_eq!(v.category.as_str(), "complaint", "{backend}");

        // Revoked by an administrator only; then the key posts nothing.
        let opsess = t.sign_in("huawu").await;
        let del = |s| delete_key(&t, s, key_id);
        assert_eq!(
            del(&opsess).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        assert_eq!(
            del(&admin).await.status,
            StatusCode::NO_CONTENT,
            "{backend}"
        );
        let r = del(&admin).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::NOT_FOUND, "hotline.open311_key_unknown")
        );
        let r = post(form(&key)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: revoked");
        let r = t.get("/api/v1/admin/open311/keys", Some(&admin)).await;
        assert!(r.json()[0]["revoked_at"].is_string());
    }
}
