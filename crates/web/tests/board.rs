//! The supervision centre (监察中心) through the web layer, on SQLite and (when
//! `TONGBAN_TEST_DATABASE_URL` is set) PostgreSQL: who may see it, its figures, the drill-down
//! to red deadlines, the exports, the live stream, and acceptance recorded after the fact
//! (补录) becoming a 体外循环 finding on the board.

mod common;

use std::io::Cursor;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use tongban_domain::codes;

/// 国有建设用地使用权及房屋所有权转移登记 (自然资源局): m1–m4 required, 5 committed working days.
const ITEM: &str = "QR00701002";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn case_json(t: &TestApp, s: &Session, number: &str) -> Value {
    let r = t.get(&format!("/api/v1/cases/{number}"), Some(s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// An action through the API with the version just read.
async fn api_act(t: &TestApp, s: &Session, number: &str, mut body: Value) -> Reply {
    body["version"] = case_json(t, s, number).await["version"].clone();
    t.post_json(&format!("/api/v1/cases/{number}/actions"), Some(s), body)
        .await
}

/// user01 files the item online with every material; answers the case number.
async fn file_online(t: &TestApp) -> String {
    let user = t.sign_in("user01").await;
    let mut materials = serde_json::Map::new();
    for key in ["m1", "m2", "m3", "m4"] {
        let name = format!("{key}.pdf");
        let r = t
            .send_bytes(
                Method::POST,
                "/api/v1/cases/files",
                Some(&user),
                &[
                    ("x-csrf-token", user.csrf.as_str()),
                    ("content-type", "application/pdf"),
                    ("x-file-name", name.as_str()),
                ],
                pdf(&name),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        materials.insert(key.into(), json!([r.json()]));
    }
    let r = t
        .post_json(
            "/api/v1/cases",
            Some(&user),
            json!({"item_code": ITEM, "delivery": "window", "materials": materials}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["number"].as_str().unwrap().to_string()
}

async fn accept(t: &TestApp, clerk: &Session, number: &str) {
    let r = api_act(
        t,
        clerk,
        number,
        json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn advance_days(t: &TestApp, days: u32) {
    let admin = t.sign_in("admin").await;
    let r = t
        .post_json(
            "/api/v1/admin/clock/advance",
            Some(&admin),
            json!({ "days": days }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn department_of(t: &TestApp, login: &str) -> i64 {
    t.app
        .store
        .user_by_login(login)
        .await
        .unwrap()
        .unwrap()
        .department_id
        .unwrap()
}

async fn board(t: &TestApp, s: &Session, query: &str) -> Value {
    let r = t
        .get(&format!("/api/v1/supervision/board{query}"), Some(s))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// A response's raw bytes (a workbook is not text).
async fn get_bytes(t: &TestApp, path: &str, s: &Session) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, &s.cookie)
        .body(Body::empty())
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), 10 * 1024 * 1024)
        .await
        .unwrap();
    (status, content_type, bytes.to_vec())
}

/// The first sheet of a workbook, as rows of text.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx workbook");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The value of `attr` on the first element carrying `marker`.
fn attr_after(html: &str, marker: &str, attr: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[at..];
    let key = format!("{attr}=\"");
    let start = rest.find(&key).unwrap() + key.len();
    rest[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn only_supervisors_leaders_and_administrators_see_the_board() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let anon = t.get("/supervision", None).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(location(&anon), "/login?next=%2Fsupervision", "{backend}");
        assert_eq!(
            t.get("/api/v1/supervision/board", None).await.status,
            StatusCode::UNAUTHORIZED,
            "{backend}"
        );
        for login in ["user01", "zrzy.clerk"] {
            let s = t.sign_in(login).await;
            for path in [
                "/supervision",
                "/supervision/cases?light=red",
                "/supervision/cases.xlsx",
                "/supervision/findings.xlsx",
                "/supervision/warnings.xlsx",
                "/supervision/stream",
                // A bad filter is still answered "forbidden" to someone without access.
                "/supervision?day=someday",
            ] {
                let r = t.get(path, Some(&s)).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} {login} {path}");
            }
            for path in [
                "/api/v1/supervision/board",
                "/api/v1/supervision/board/cases",
                "/api/v1/supervision/warnings",
                "/api/v1/supervision/board?department=x",
            ] {
                let r = t.get(path, Some(&s)).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} {login} {path}");
                assert_eq!(
                    r.code(),
                    codes::Auth::Forbidden,
                    "{backend} {path}: {}",
                    r.body
                );
            }
        }
        let clerk = t.sign_in("zrzy.clerk").await;
        let bench = t.get("/workbench", Some(&clerk)).await;
        assert!(!bench.body.contains("href=\"/supervision\""), "{backend}");

        for login in ["jiancha", "lingdao", "admin"] {
            let s = t.sign_in(login).await;
            let bench = t.get("/workbench", Some(&s)).await;
            assert!(
                bench.body.contains("href=\"/supervision\"") && bench.body.contains("监察中心"),
                "{backend} {login}: the workbench links the board"
            );
            let page = t.get("/supervision", Some(&s)).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{backend} {login}: {}",
                page.body
            );
            assert!(page.body.contains("/static/board.js"), "{backend}");
        }
        // A region outside one's own is refused, a bad value named.
        let jiangbei = t.sign_in("jiangbei.jiancha").await;
        let own = board(&t, &jiangbei, "").await["region"]
            .as_str()
            .unwrap()
            .to_string();
        let city = own[..4].to_string() + "00";
        let r = t
            .get(
                &format!("/api/v1/supervision/board?region={city}"),
                Some(&jiangbei),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.code(), codes::Board::Region, "{backend}");
        let jiancha = t.sign_in("jiancha").await;
        let r = t
            .get("/api/v1/supervision/board?day=2026-02-30", Some(&jiancha))
            .await;
        assert_eq!(r.code(), codes::Board::Day, "{backend}");
        let r = t
            .get(
                "/api/v1/supervision/board/cases?from=2026-03-03&to=2026-03-02",
                Some(&jiancha),
            )
            .await;
        assert_eq!(r.code(), codes::Board::Range, "{backend}");
        let r = t
            .get("/api/v1/supervision/warnings?limit=0", Some(&jiancha))
            .await;
        assert_eq!(r.code(), codes::Board::Limit, "{backend}");
        let page = t.get("/supervision?light=green", Some(&jiancha)).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{backend}: light is not a board filter"
        );
        let page = t
            .get("/supervision/cases?light=green", Some(&jiancha))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            page.body.contains(codes::Board::Light.as_str()),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn filing_and_accepting_a_case_move_the_figures() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let supervisor = t.sign_in("jiancha").await;
        let zrzy = department_of(&t, "zrzy.clerk").await;
        let before = board(&t, &supervisor, "").await;
        let dept_before = board(&t, &supervisor, &format!("?department={zrzy}")).await;

        let number = file_online(&t).await;
        let filed = board(&t, &supervisor, "").await;
        let n = |b: &Value, k: &str| b["totals"][k].as_i64().unwrap();
        assert_eq!(n(&filed, "open"), n(&before, "open") + 1, "{backend}");
        assert_eq!(
            n(&filed, "received"),
            n(&before, "received") + 1,
            "{backend}"
        );
        assert_eq!(n(&filed, "accepted"), n(&before, "accepted"), "{backend}");

        let clerk = t.sign_in("zrzy.clerk").await;
        accept(&t, &clerk, &number).await;
        let accepted = board(&t, &supervisor, "").await;
        assert_eq!(n(&accepted, "open"), n(&before, "open") + 1, "{backend}");
        assert_eq!(
            n(&accepted, "accepted"),
            n(&before, "accepted") + 1,
            "{backend}"
        );

        // The department's line and the department filter agree.
        let line = accepted["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == zrzy)
            .cloned()
            .expect("自然资源局 on the board");
        assert_eq!(
            line["figures"]["received"].as_i64().unwrap(),
            dept_before["totals"]["received"].as_i64().unwrap() + 1,
            "{backend}"
        );
        let only = board(&t, &supervisor, &format!("?department={zrzy}")).await;
        assert_eq!(only["totals"], line["figures"], "{backend}");
        let other = board(&t, &supervisor, &format!("?department={}", zrzy + 1)).await;
        assert_eq!(
            other["totals"]["received"].as_i64().unwrap(),
            other["departments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["figures"]["received"].as_i64().unwrap())
                .sum::<i64>(),
            "{backend}"
        );
        assert!(
            other["departments"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["id"] != zrzy),
            "{backend}: another department's filter leaves 自然资源局 out"
        );
        // Online filings are the hall 0 line, 网上申请.
        let online = accepted["halls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == 0)
            .cloned()
            .expect("online line");
        assert_eq!(online["name"], "网上申请", "{backend}");
        assert!(online["figures"]["received"].as_i64().unwrap() >= 1);
        // The region tree sums its subtree: the root holds the totals.
        let root = &accepted["regions"][0];
        assert_eq!(root["figures"], accepted["totals"], "{backend}");

        // The page shows the same numbers, each a link to the drill-down.
        let page = t.get("/supervision", Some(&supervisor)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        for text in [
            "监察中心",
            "黄灯预警",
            "红灯超期",
            "当日收件",
            "现场办结率（目标 ≥ 90%）",
            "自然资源局",
            "网上申请",
            "data-testid=\"regions\"",
        ] {
            assert!(
                page.body.contains(text),
                "{backend}: the board lacks {text}"
            );
        }
        let open = attr_after(&page.body, "<a class=\"tile\"", "href");
        assert!(open.starts_with("/supervision/cases?"), "{backend}: {open}");
        let received = format!(
            "data-figure=\"received\">{}<",
            accepted["totals"]["received"]
        );
        assert!(page.body.contains(&received), "{backend}: {received}");
        assert!(
            page.body.contains(&format!(
                "/supervision/cases?department={zrzy}&#38;light=red"
            )),
            "{backend}: a department's red number links its red deadlines"
        );
        // The filter form narrows the page too, and keeps its choice.
        let narrowed = t
            .get(
                &format!("/supervision?department={zrzy}"),
                Some(&supervisor),
            )
            .await;
        assert!(narrowed
            .body
            .contains(&format!("<option value=\"{zrzy}\" selected>")));
    }
}

#[tokio::test]
async fn the_drill_down_lists_a_red_deadline_and_exports_it() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let number = file_online(&t).await;
        let clerk = t.sign_in("zrzy.clerk").await;
        accept(&t, &clerk, &number).await;

        // Nothing is red yet.
        let supervisor = t.sign_in("jiancha").await;
        let page = t
            .get("/supervision/cases?light=red", Some(&supervisor))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(!page.body.contains(&number), "{backend}");

        // Two weeks later the 5-working-day promise is long overdue.
        advance_days(&t, 14).await;
        let supervisor = t.sign_in("jiancha").await;
        let b = board(&t, &supervisor, "").await;
        assert!(b["totals"]["red"].as_i64().unwrap() >= 1, "{backend}: {b}");
        let page = t
            .get("/supervision/cases?light=red", Some(&supervisor))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(
            page.body.contains(&format!("href=\"/cases/{number}\"")),
            "{backend}: the red deadline links its case"
        );
        let user_name = t
            .app
            .store
            .user_by_login("user01")
            .await
            .unwrap()
            .unwrap()
            .name;
        let masked = tongban_domain::mask::name(&user_name);
        assert!(
            page.body.contains("红灯超期") && page.body.contains(&masked),
            "{backend}"
        );
        assert!(
            !page.body.contains(&user_name),
            "{backend}: the applicant's name is masked"
        );
        // The case page it leads to explains the clock.
        let case = t.get(&format!("/cases/{number}"), Some(&supervisor)).await;
        assert!(case.body.contains("红灯超期"), "{backend}");

        // The same through the API, with every filter.
        let api = |q: &'static str| {
            let (t, s) = (&t, &supervisor);
            async move {
                let r = t
                    .get(&format!("/api/v1/supervision/board/cases{q}"), Some(s))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.json()
            }
        };
        let listed = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .any(|c| c["case_number"] == number.as_str())
        };
        let red = api("?light=red").await;
        let line = red
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case_number"] == number.as_str())
            .cloned()
            .expect("the case is red");
        assert_eq!(line["light"], "red", "{backend}");
        assert_eq!(line["hall_id"], 0, "{backend}");
        // The deadline's own department: the item's, or the department of a step.
        let dept = line["department_id"].as_i64().unwrap();
        let dept_name = t.app.store.department(dept).await.unwrap().unwrap().name;
        assert_eq!(line["applicant"], masked.as_str(), "{backend}");
        assert!(
            listed(&api("?from=2026-03-02&to=2026-03-02").await),
            "{backend}"
        );
        assert!(!listed(&api("?from=2026-03-03").await), "{backend}");
        assert!(!listed(&api("?to=2026-03-01").await), "{backend}");
        assert!(!listed(&api("?hall=1").await), "{backend}");
        assert!(listed(&api("?hall=0").await), "{backend}");
        assert!(
            !listed(&api("?light=yellow").await),
            "{backend}: yellow lists yellow deadlines only"
        );
        let item = line["item_id"].as_i64().unwrap();
        let by_item = t
            .get(
                &format!("/api/v1/supervision/board/cases?item={item}&department={dept}"),
                Some(&supervisor),
            )
            .await;
        assert!(listed(&by_item.json()), "{backend}");
        let by_other = t
            .get(
                &format!("/api/v1/supervision/board/cases?item={}", item + 1000),
                Some(&supervisor),
            )
            .await;
        assert!(!listed(&by_other.json()), "{backend}");

        // The workbook of the drill-down: its content type and the row read back.
        let (status, content_type, bytes) = get_bytes(
            &t,
            &format!("/supervision/cases.xlsx?light=red&department={dept}"),
            &supervisor,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert_eq!(content_type, XLSX, "{backend}");
        let rows = sheet(bytes);
        assert_eq!(rows[0][0], "办件编号", "{backend}");
        assert_eq!(rows[0][2], "申请人", "{backend}");
        let row = rows
            .iter()
            .find(|r| r[0] == number)
            .expect("the case's row in the workbook");
        assert_eq!(row[4], "红灯超期", "{backend}");
        assert_eq!(row[2], masked, "{backend}");
        assert_eq!(row[6], dept_name, "{backend}");
        let (_, _, bytes) = get_bytes(
            &t,
            &format!(
                "/supervision/cases.xlsx?light=red&department={}",
                dept + 1000
            ),
            &supervisor,
        )
        .await;
        assert_eq!(sheet(bytes).len(), 1, "{backend}: only the header row");

        // Warnings were fired on the way: they are listed, fed and exported.
        let warnings = t
            .get("/api/v1/supervision/warnings?limit=500", Some(&supervisor))
            .await
            .json();
        let ours: Vec<&Value> = warnings
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["case_number"] == number.as_str())
            .collect();
        assert!(
            ours.iter().any(|w| w["light"] == "red"),
            "{backend}: {warnings}"
        );
        let first = warnings.as_array().unwrap().last().unwrap()["id"]
            .as_i64()
            .unwrap();
        let after = t
            .get(
                &format!("/api/v1/supervision/warnings?after={first}"),
                Some(&supervisor),
            )
            .await
            .json();
        assert!(
            after
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["id"].as_i64().unwrap() > first),
            "{backend}"
        );
        let (status, content_type, bytes) =
            get_bytes(&t, "/supervision/warnings.xlsx", &supervisor).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, XLSX));
        let rows = sheet(bytes);
        assert!(
            rows.iter().any(|r| r[3] == number && r[2] == "红灯超期"),
            "{backend}"
        );
        // The board lists them too.
        let page = t.get("/supervision", Some(&supervisor)).await;
        assert!(
            page.body.contains("data-warning=") && page.body.contains(&number),
            "{backend}"
        );
    }
}

/// A clerk at the window accepts two days after filing and records the real acceptance time
/// as the filing time (补录): supervision flags it as 体外循环, on the board and its exports.
#[tokio::test]
async fn a_backdated_acceptance_is_flagged_as_outside_the_system_on_the_board() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let number = file_online(&t).await;
        let other = file_online(&t).await;
        advance_days(&t, 2).await;
        let clerk = t.sign_in("zrzy.clerk").await;
        let page = t.get(&format!("/cases/{number}"), Some(&clerk)).await;
        assert!(
            page.body.contains("实际受理时间（补录）"),
            "{backend}: the accept form offers 补录"
        );
        let earliest = attr_after(&page.body, "name=\"occurred_at\"", "min");
        let version = case_json(&t, &clerk, &number).await["version"].to_string();

        // Bad values are named, never a 500.
        for (value, code) in [
            ("明天上午", codes::Case::OccurredAtFormat),
            ("2026-03-02T25:00", codes::Case::OccurredAtFormat),
            ("2026-02-27T09:00", codes::Case::OccurredAt),
            ("2026-12-31T09:00", codes::Case::OccurredAt),
        ] {
            let r = post_with_token(
                &t,
                &format!("/cases/{number}/act"),
                &clerk,
                &[
                    ("action", "accept"),
                    ("version", &version),
                    ("present", "m1"),
                    ("present", "m2"),
                    ("present", "m3"),
                    ("present", "m4"),
                    ("occurred_at", value),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend} {value}");
            let to = r.headers[axum::http::header::LOCATION]
                .to_str()
                .unwrap()
                .to_string();
            let r = t.get(&to, Some(&clerk)).await;
            assert!(
                r.body.contains(&format!("data-code=\"{code}\"")),
                "{backend} {value}: {}",
                r.body
            );
        }
        let r = post_with_token(
            &t,
            &format!("/cases/{number}/act"),
            &clerk,
            &[
                ("action", "accept"),
                ("version", &version),
                ("present", "m1"),
                ("present", "m2"),
                ("present", "m3"),
                ("present", "m4"),
                ("occurred_at", &earliest),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let view = case_json(&t, &clerk, &number).await;
        assert_eq!(view["status"], "in_progress", "{backend}");
        let accepted_at =
            chrono::DateTime::parse_from_rfc3339(view["accepted_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&tongban_domain::time::shanghai())
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
        assert_eq!(
            accepted_at, earliest,
            "{backend}: accepted when it really happened"
        );

        // The API takes RFC 3339 and names a bad value the same way.
        let r = api_act(
            &t,
            &clerk,
            &other,
            json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"], "occurred_at": "yesterday"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.code(), codes::Case::OccurredAtFormat, "{backend}");
        let filed = case_json(&t, &clerk, &other).await["received_at"].clone();
        let r = api_act(
            &t,
            &clerk,
            &other,
            json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"], "occurred_at": filed}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);

        // Supervision sees both as 体外循环 on the board.
        let supervisor = t.sign_in("jiancha").await;
        let b = board(&t, &supervisor, "").await;
        for n in [&number, &other] {
            assert!(
                b["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["rule"] == "outside_system" && f["case_number"] == n.as_str()),
                "{backend}: {n} in {}",
                b["findings"]
            );
        }
        let page = t.get("/supervision", Some(&supervisor)).await;
        assert!(
            page.body.contains("体外循环") && page.body.contains(&number),
            "{backend}"
        );
        let (status, content_type, bytes) =
            get_bytes(&t, "/supervision/findings.xlsx?status=open", &supervisor).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, XLSX));
        let rows = sheet(bytes);
        assert_eq!(rows[0][2], "规则", "{backend}");
        assert!(
            rows.iter()
                .any(|r| r[2] == "体外循环" && r[3] == number && r[6] == "待认定"),
            "{backend}: {rows:?}"
        );
        // An applicant cannot backdate anything.
        let user = t.sign_in("user01").await;
        let third = file_online(&t).await;
        let r = api_act(
            &t,
            &user,
            &third,
            json!({"action": "withdraw", "reason": "不办了", "occurred_at": filed}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
    }
}

/// Reads a live stream until `want` shows up in what it sent and a `figures` event after it,
/// or fails after `within`.
async fn read_stream_until(body: Body, want: &str, within: Duration) -> String {
    let mut stream = body.into_data_stream();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + within;
    let done = |seen: &str| {
        seen.find(want)
            .is_some_and(|at| seen[at..].contains("event: figures"))
    };
    while !done(&seen) {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(_) => panic!("the stream ended before {want}: {seen}"),
            Err(_) => panic!("no {want} within {within:?}: {seen}"),
        }
    }
    seen
}

#[tokio::test]
async fn the_live_stream_sends_a_new_finding_to_an_open_board() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let number = file_online(&t).await;
        let supervisor = t.sign_in("jiancha").await;
        let req = Request::builder()
            .uri("/supervision/stream")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &supervisor.cookie)
            .body(Body::empty())
            .unwrap();
        let res = t.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        assert_eq!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream"),
            "{backend}"
        );
        let reading = tokio::spawn(read_stream_until(
            res.into_body(),
            "outside_system",
            Duration::from_secs(20),
        ));

        // Two days later the clerk records the acceptance at the filing time.
        advance_days(&t, 2).await;
        let clerk = t.sign_in("zrzy.clerk").await;
        let filed = case_json(&t, &clerk, &number).await["received_at"].clone();
        let r = api_act(
            &t,
            &clerk,
            &number,
            json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"], "occurred_at": filed}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);

        let seen = reading.await.unwrap();
        let event = seen
            .split("\n\n")
            .find(|e| e.contains("event: finding") && e.contains("outside_system"))
            .unwrap_or_else(|| panic!("{backend}: {seen}"));
        assert!(
            event.contains("体外循环") && event.contains(&number),
            "{backend}: {event}"
        );
        let after_finding = &seen[seen.find("outside_system").unwrap_or(0)..];
        let figures = after_finding
            .split("\n\n")
            .find(|e| e.contains("event: figures"))
            .unwrap_or_else(|| panic!("{backend}: figures follow the news: {seen}"));
        assert!(figures.contains("\"totals\"") && figures.contains("\"accepted\""));
        let id = event
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .expect("an event id to resume from");
        assert!(id.contains('.'), "{backend}: {id}");

        // Two days on, the session that opened the stream is past its limits: the browser's
        // reconnection is sent to sign in. Signed in again, it resumes from that id and gets
        // nothing already sent; signing out ends the stream at once.
        let req = Request::builder()
            .uri("/supervision/stream")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &supervisor.cookie)
            .header("last-event-id", id)
            .body(Body::empty())
            .unwrap();
        let res = t.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{backend}");
        let supervisor = t.sign_in("jiancha").await;
        let req = Request::builder()
            .uri("/supervision/stream")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &supervisor.cookie)
            .header("last-event-id", id)
            .body(Body::empty())
            .unwrap();
        let res = t.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        let signed_out = t
            .send(
                Method::DELETE,
                "/api/v1/session",
                Some(&supervisor),
                None,
                String::new(),
                &[("x-csrf-token", supervisor.csrf.as_str())],
            )
            .await;
        assert!(
            signed_out.status.is_success(),
            "{backend}: {}",
            signed_out.body
        );
        let mut rest = res.into_body().into_data_stream();
        let mut tail = String::new();
        let ended = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(chunk)) = rest.next().await {
                tail.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(ended.is_ok(), "{backend}: the stream outlived its session");
        assert!(!tail.contains("outside_system"), "{backend}: {tail}");
    }
}

#[test]
fn the_openapi_document_covers_the_board() {
    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/supervision/board",
        "/api/v1/supervision/board/cases",
        "/api/v1/supervision/warnings",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    let action = &doc["components"]["schemas"]["ActionBody"]["properties"];
    assert!(action.get("occurred_at").is_some(), "{action}");
}

/// A subject other than a case (a 12345 ticket, registered as the hotline module will) on the
/// board: its warning, its lit deadline in the drill-down and the API labelled with its kind and
/// linked to its own page, the kind filter, and 督办 on it through the API.
#[tokio::test]
async fn a_ticket_shows_on_the_board_with_its_kind_and_takes_an_order() {
    use tongban_domain::supervision::{Light, SubjectKind, SubjectRef, Watch};
    use tongban_store::subjects::NewSubject;
    for (backend, t) in TestApp::backends_with_catalog().await {
        let number = file_online(&t).await;
        let case_id = t
            .app
            .store
            .case_by_number(&number)
            .await
            .unwrap()
            .unwrap()
            .id;
        let dept = department_of(&t, "zrzy.head").await;
        let now = t.app.now();
        let ticket = NewSubject {
            subject: SubjectRef::new(SubjectKind::Ticket, case_id, "GD20260302001"),
            title: "路灯不亮".into(),
            party: "赵六".into(),
            item_id: None,
            department_id: dept,
            hall_id: 0,
            region: "361202".into(),
            opened_at: now,
        };
        // Two days to answer; yellow after one.
        let watch = Watch {
            key: "reply".into(),
            label: "工单答复期限".into(),
            department_id: dept,
            assignee_id: None,
            yellow_at: Some(now + chrono::Duration::days(1)),
            red_at: now + chrono::Duration::days(2),
            light: Light::Green,
            suspended: false,
        };
        t.app
            .store
            .watch_subject(&ticket, &[watch], None)
            .await
            .unwrap();
        advance_days(&t, 3).await;
        let supervisor = t.sign_in("jiancha").await;

        let r = t
            .get(
                "/api/v1/supervision/board/cases?kind=ticket",
                Some(&supervisor),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let lines = r.json();
        let lines = lines.as_array().unwrap();
        assert_eq!(lines.len(), 1, "{backend}: only the ticket: {lines:?}");
        let l = &lines[0];
        assert_eq!(l["subject_kind"], "ticket", "{backend}");
        assert_eq!(l["subject_number"], "GD20260302001", "{backend}");
        assert_eq!(l["case_number"], Value::Null, "{backend}");
        assert_eq!(l["href"], "/hotline/tickets/GD20260302001", "{backend}");
        assert_eq!(l["title"], "路灯不亮", "{backend}");
        assert_eq!(l["applicant"], "赵*", "{backend}");
        assert_eq!(l["light"], "red", "{backend}");
        let r = t
            .get(
                "/api/v1/supervision/board/cases?kind=order",
                Some(&supervisor),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.json()["code"], "board.kind", "{backend}");
        let r = t
            .get(
                "/api/v1/supervision/board/cases?kind=case",
                Some(&supervisor),
            )
            .await;
        assert!(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["subject_kind"] == "case" && c["case_number"] == c["subject_number"]),
            "{backend}"
        );

        let page = t
            .get("/supervision/cases?kind=ticket", Some(&supervisor))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(
            page.body
                .contains("<a href=\"/hotline/tickets/GD20260302001\">12345工单 GD20260302001</a>"),
            "{backend}: {}",
            page.body
        );
        assert!(
            !page.body.contains(&format!("href=\"/cases/{number}\"")),
            "{backend}"
        );
        let board_page = t.get("/supervision", Some(&supervisor)).await;
        assert!(
            board_page.body.contains("/hotline/tickets/GD20260302001"),
            "{backend}: the warning links the ticket"
        );
        let r = t
            .get("/api/v1/supervision/warnings?limit=500", Some(&supervisor))
            .await;
        assert!(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["subject_kind"] == "ticket"
                    && w["href"] == "/hotline/tickets/GD20260302001"
                    && w["case_number"] == Value::Null),
            "{backend}: {}",
            r.body
        );

        // 督办 on the ticket through the API; a case number still works as before.
        let r = t
            .post_json(
                "/api/v1/supervision/orders",
                Some(&supervisor),
                json!({"subject_kind": "ticket", "subject_number": "GD20260302001",
                       "instruction": "请尽快答复", "reply_days": 2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let o = r.json();
        assert_eq!(o["subject_kind"], "ticket", "{backend}");
        assert_eq!(o["department_id"], dept, "{backend}");
        let r = t
            .post_json(
                "/api/v1/supervision/orders",
                Some(&supervisor),
                json!({"case_number": number, "instruction": "请说明", "reply_days": 2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["case_number"], number.as_str(), "{backend}");
        let r = t
            .post_json(
                "/api/v1/supervision/orders",
                Some(&supervisor),
                json!({"subject_kind": "ticket", "subject_number": "GD-NONE",
                       "instruction": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let head = t.sign_in("zrzy.head").await;
        let work = t.get("/workbench", Some(&head)).await;
        assert!(
            work.body
                .contains("<a href=\"/hotline/tickets/GD20260302001\">12345工单 GD20260302001</a>"),
            "{backend}: the head's list names and links the ticket"
        );
    }
}
