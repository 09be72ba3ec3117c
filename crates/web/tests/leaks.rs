//! The leaks an outside test found (issue 16, "Leaks and access"): each test here failed
//! before its fix.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

/// 国有建设用地使用权及房屋所有权转移登记 (自然资源局).
const ITEM: &str = "QR00701002";

fn person_id() -> String {
    tongban_domain::identity::IdNumber::complete("36120219800101123")
        .unwrap()
        .as_str()
        .to_string()
}

/// A window filing through the API with a full identity, phone and e-mail, and a form field
/// with a phone number typed into it.
async fn window_filing(t: &TestApp, clerk: &Session, key: &str) -> String {
    let r = t
        .send_bytes(
            Method::POST,
            "/api/v1/cases/files",
            Some(clerk),
            &[
                ("x-csrf-token", clerk.csrf.as_str()),
                ("content-type", "application/pdf"),
                ("x-file-name", "m1.pdf"),
            ],
            pdf(key),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = r.json();
    let body = json!({
        "item_code": ITEM,
        "delivery": "window",
        "applicant": {"kind": "person", "name": "钱多多", "id_code": person_id(),
                      "phone": "13912345678", "email": "qian.duoduo@example.cn"},
        "materials": {"m1": [file]},
        "form": {"note": "联系人 13887654321"},
        "idempotency_key": key,
    });
    let r = t.post_json("/api/v1/cases", Some(clerk), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["number"].as_str().unwrap().to_string()
}

fn leaks(text: &str) -> Vec<&'static str> {
    let id = Box::leak(person_id().into_boxed_str());
    [&*id, "13912345678", "13887654321", "qian.duoduo@example.cn"]
        .into_iter()
        .filter(|s| text.contains(s))
        .collect()
}

#[tokio::test]
async fn event_payloads_are_masked_and_the_full_identity_is_an_audited_read() {
    let t = TestApp::with_catalog().await;
    let clerk = t.sign_in("zrzy.clerk").await;
    let number = window_filing(&t, &clerk, "leak-1").await;

    for login in ["zrzy.clerk", "zrzy.head", "jiancha", "lingdao", "admin"] {
        let s = t.sign_in(login).await;
        let r = t
            .get(&format!("/api/v1/cases/{number}/events"), Some(&s))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{login}: {}", r.body);
        assert_eq!(leaks(&r.body), Vec::<&str>::new(), "{login}: {}", r.body);
        let events: Value = r.json();
        let received = &events[0]["payload"];
        assert!(
            received.to_string().contains("139****5678"),
            "{login}: the masked phone stays readable: {received}"
        );
        let page = t.get(&format!("/cases/{number}"), Some(&s)).await;
        assert_eq!(leaks(&page.body), Vec::<&str>::new(), "{login}: the page");
    }

    // The full identity: for the department's staff, each read audited.
    let r = t
        .get(&format!("/api/v1/cases/{number}/applicant"), Some(&clerk))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["id_code"], person_id());
    assert_eq!(r.json()["email"], "qian.duoduo@example.cn");
    let audit = t
        .app
        .store
        .audit_for_target(&format!("case:{number}"))
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "case.applicant_read"),
        "the read is audited"
    );
    for login in ["jiancha", "lingdao", "fazhi", "daiban.binjiang", "user01"] {
        let s = t.sign_in(login).await;
        let r = t
            .get(&format!("/api/v1/cases/{number}/applicant"), Some(&s))
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{login}: {} {}",
            r.status,
            r.body
        );
    }
}

#[tokio::test]
async fn the_legal_reviewer_sees_only_refused_cases() {
    let t = TestApp::with_catalog().await;
    let clerk = t.sign_in("zrzy.clerk").await;
    let open = window_filing(&t, &clerk, "legal-open").await;
    let refused = window_filing(&t, &clerk, "legal-refused").await;
    let v = t
        .get(&format!("/api/v1/cases/{refused}"), Some(&clerk))
        .await;
    let version = v.json()["version"].as_i64().unwrap();
    let r = t
        .post_json(
            &format!("/api/v1/cases/{refused}/actions"),
            Some(&clerk),
            json!({"version": version, "action": "not_accept", "reason": "不属于本机关职权范围"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let fazhi = t.sign_in("fazhi").await;
    let r = t.get(&format!("/api/v1/cases/{open}"), Some(&fazhi)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = t.get(&format!("/cases/{open}"), Some(&fazhi)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .get(&format!("/api/v1/cases/{refused}"), Some(&fazhi))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed = t.get("/api/v1/cases", Some(&fazhi)).await.json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["list"] == "negative" && l["number"] == refused.as_str()));
    let bench = t.get("/workbench", Some(&fazhi)).await;
    assert!(bench.body.contains(&refused), "the 否定报备 list");
}

#[tokio::test]
async fn agents_do_not_see_the_catalogs_working_side() {
    let t = TestApp::with_catalog().await;
    let item = t
        .app
        .store
        .items(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let agent = t.sign_in("daiban.binjiang").await;
    for path in ["/catalog".to_string(), format!("/catalog/{}", item.id)] {
        let r = t.get(&path, Some(&agent)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.status);
    }
    let home = t.get("/workbench", Some(&agent)).await;
    assert!(!home.body.contains("href=\"/catalog\""));
    for login in ["jiancha", "fazhi", "lingdao", "admin"] {
        let s = t.sign_in(login).await;
        let r = t.get(&format!("/catalog/{}", item.id), Some(&s)).await;
        assert_eq!(r.status, StatusCode::OK, "{login}");
    }
}

async fn upload(t: &TestApp, s: &Session, label: &str) -> Value {
    let r = t
        .send_bytes(
            Method::POST,
            "/api/v1/cases/files",
            Some(s),
            &[
                ("x-csrf-token", s.csrf.as_str()),
                ("content-type", "application/pdf"),
                ("x-file-name", "m1.pdf"),
            ],
            pdf(label),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

fn online(materials: Value, key: &str) -> Value {
    json!({"item_code": ITEM, "delivery": "window", "materials": materials, "idempotency_key": key})
}

#[tokio::test]
async fn a_file_hash_is_usable_only_by_its_uploader() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let user01 = t.sign_in("user01").await;
        let user02 = t.sign_in("user02").await;
        let theirs = upload(&t, &user01, "user01 的身份证明").await;
        let mut unknown = theirs.clone();
        unknown["hash"] = json!("0".repeat(64));

        let foreign = t
            .post_json(
                "/api/v1/cases",
                Some(&user02),
                online(json!({"m1": [theirs]}), "a"),
            )
            .await;
        let absent = t
            .post_json(
                "/api/v1/cases",
                Some(&user02),
                online(json!({"m1": [unknown]}), "b"),
            )
            .await;
        assert_eq!(
            foreign.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            foreign.body
        );
        assert_eq!(foreign.code(), "case.file_missing", "{backend}");
        assert_eq!(
            (foreign.status, &foreign.body),
            (absent.status, &absent.body),
            "{backend}: someone else's file answers as an unknown one"
        );

        // The same bytes uploaded by user02 are theirs to file.
        let own = upload(&t, &user02, "user01 的身份证明").await;
        assert_eq!(own["hash"], theirs["hash"]);
        let mut materials = serde_json::Map::new();
        for key in ["m1", "m2", "m3", "m4"] {
            materials.insert(key.into(), json!([upload(&t, &user02, key).await]));
        }
        materials.insert("m1".into(), json!([own]));
        let r = t
            .post_json(
                "/api/v1/cases",
                Some(&user02),
                online(Value::Object(materials), "c"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let number = r.json()["number"].as_str().unwrap().to_string();

        // A supplement may not slip in someone else's file either.
        let other = upload(&t, &user01, "user01 的另一份材料").await;
        let v = t
            .get(&format!("/api/v1/cases/{number}"), Some(&user02))
            .await;
        let r = t
            .post_json(
                &format!("/api/v1/cases/{number}/actions"),
                Some(&user02),
                json!({"version": v.json()["version"], "action": "add_materials",
                       "materials": {"m2": [other]}}),
            )
            .await;
        assert_eq!(r.code(), "case.file_missing", "{backend}: {}", r.body);

        // Every upload is in the audit chain.
        let trail = t
            .app
            .store
            .audit_for_target(&format!("file:{}", theirs["hash"].as_str().unwrap()))
            .await
            .unwrap();
        assert_eq!(trail.len(), 2, "{backend}: one record per upload");
        assert!(trail.iter().all(|r| r.entry.action == "case.file_uploaded"));
    }
}

#[tokio::test]
async fn an_idempotency_key_reused_with_another_request_is_refused() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let user = t.sign_in("user03").await;
        let mut materials = serde_json::Map::new();
        for key in ["m1", "m2", "m3", "m4"] {
            materials.insert(key.into(), json!([upload(&t, &user, key).await]));
        }
        let body = online(Value::Object(materials.clone()), "same-key");
        let first = t
            .post_json("/api/v1/cases", Some(&user), body.clone())
            .await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{backend}: {}",
            first.body
        );
        let again = t
            .post_json("/api/v1/cases", Some(&user), body.clone())
            .await;
        assert_eq!(again.status, StatusCode::CREATED, "{backend}");
        assert_eq!(again.json()["number"], first.json()["number"]);

        let mut other = body.clone();
        other["delivery"] = json!("post");
        let r = t.post_json("/api/v1/cases", Some(&user), other).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.idempotency_mismatch"
            ),
            "{backend}: {}",
            r.body
        );
        let mut fewer = body;
        fewer["materials"]["m4"] = json!([]);
        let r = t.post_json("/api/v1/cases", Some(&user), fewer).await;
        assert_eq!(r.code(), "request.idempotency_mismatch", "{backend}");
    }
}

#[tokio::test]
async fn registration_is_throttled_per_address() {
    let t = TestApp::new().await;
    let limit = t.app.settings().ip_attempts_per_15min;
    let bad = json!({"kind": "person", "login": "probe", "password": "Qingjiang#88", "name": "王五",
                     "phone": "13912345678", "id_number": "361202199001019993"});
    for _ in 0..limit {
        let r = t.post_json("/api/v1/applicants", None, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = t.post_json("/api/v1/applicants", None, bad).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "account.register_throttled")
    );
    let page = t
        .post_form(
            "/register",
            None,
            &[("kind", "person"), ("login", "probe2"), ("password", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let t = TestApp::with_catalog().await;
    let user = t.sign_in("user01").await;
    for (path, session) in [
        ("/", None),
        ("/login", None),
        ("/me", Some(&user)),
        ("/api/v1/me", Some(&user)),
        ("/no/such/page", None),
    ] {
        let r = t.get(path, session).await;
        let h = |name: &str| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "same-origin", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
    }
    let css = t.get("/static/app.css", None).await;
    assert_eq!(css.headers["x-content-type-options"], "nosniff");
    assert_ne!(
        css.headers["cache-control"], "no-store",
        "assets may be cached"
    );
}

/// The policy runs no inline script, handler or style: no template may have one.
#[test]
fn no_template_has_inline_script_handlers_or_styles() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let handler = |s: &str| {
        let lower = s.to_ascii_lowercase();
        [
            "onclick=",
            "onload=",
            "onerror=",
            "onchange=",
            "onsubmit=",
            "oninput=",
            "javascript:",
        ]
        .iter()
        .any(|h| lower.contains(h))
    };
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display();
        for (i, line) in text.lines().enumerate() {
            assert!(!handler(line), "{name}:{}: inline handler", i + 1);
            assert!(!line.contains("style=\""), "{name}:{}: inline style", i + 1);
            assert!(!line.contains("<style"), "{name}:{}: inline style", i + 1);
            if line.contains("<script") {
                assert!(line.contains(" src=\""), "{name}:{}: inline script", i + 1);
            }
        }
    }
}

#[tokio::test]
async fn errors_are_coded_json_in_chinese_without_database_words() {
    let t = TestApp::with_catalog().await;
    let r = t.get("/api/v1/items?online_depth=deep", None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "request.query"),
        "{}",
        r.body
    );
    let admin = t.sign_in("admin").await;
    let page = t.get("/admin/calendar?year=next", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("查询参数格式不对") && !page.body.contains("Failed to deserialize"));

    let jiancha = t.sign_in("jiancha").await;
    let r = t
        .post_json(
            "/api/v1/supervision/orders/abc/close",
            Some(&jiancha),
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "request.path"),
        "{}",
        r.body
    );

    // A unique clash says so in Chinese, and nothing of the schema.
    let region = t
        .app
        .store
        .regions(None)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.parent_code.is_some())
        .unwrap();
    let r = t
        .post_json(
            "/api/v1/regions",
            Some(&admin),
            json!({"code": region.code, "name": "重复"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let message = r.json()["message"].as_str().unwrap().to_string();
    for word in ["UNIQUE", "constraint", "regions", "duplicate", "key"] {
        assert!(!message.contains(word), "{message}");
    }
}

#[test]
fn the_openapi_document_declares_every_path_parameter_and_422() {
    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let names: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        for (method, op) in ops.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for name in &names {
                assert!(
                    params
                        .iter()
                        .any(|p| p["in"] == "path" && p["name"] == *name),
                    "{method} {path}: {{{name}}} is not declared"
                );
            }
            if !params.is_empty() || op.get("requestBody").is_some() {
                assert!(
                    op["responses"].get("422").is_some(),
                    "{method} {path}: a request that cannot be read answers 422"
                );
            }
        }
    }
}

#[tokio::test]
async fn common_passwords_and_the_demo_password_are_refused() {
    let t = TestApp::new().await;
    let with = |login: &str, password: &str| {
        json!({"kind": "person", "login": login, "password": password, "name": "王五",
               "phone": "13912345678"})
    };
    // Three classes and eight characters: today's rule alone would take it.
    let r = t
        .post_json("/api/v1/applicants", None, with("wangwu", "P@ssw0rd"))
        .await;
    assert_eq!(r.code(), "account.password_common", "{}", r.body);
    let r = t
        .post_json("/api/v1/applicants", None, with("wangwu", PASSWORD))
        .await;
    assert_eq!(r.code(), "account.password_common", "{}", r.body);
    t.app.set_demo_mode(true);
    let r = t
        .post_json("/api/v1/applicants", None, with("wangwu", PASSWORD))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the demo keeps its password: {}",
        r.body
    );
}

/// Result documents cannot be enumerated: the guessable number needs its random code, and an
/// address that keeps missing waits.
#[tokio::test]
async fn document_verification_needs_the_code_and_is_throttled() {
    let t = TestApp::with_catalog().await;
    t.app.load_demo_documents().await.unwrap();
    let mut rows = vec![];
    for id in 1..20 {
        rows.extend(t.app.store.case_documents(id).await.unwrap());
    }
    let row = rows
        .into_iter()
        .find(|r| r.number.starts_with('准'))
        .expect("the demo decided a case");
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let doc = enc(&row.number);
    let ok = t
        .get(
            &format!("/api/v1/public/documents/{doc}?code={}", row.verify_code),
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let limit = t.app.settings().ip_attempts_per_15min;
    for _ in 0..limit {
        let r = t
            .get(&format!("/api/v1/public/documents/{doc}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = t
        .get(
            &format!("/api/v1/public/documents/{doc}?code={}", row.verify_code),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "case.lookup_throttled")
    );
}

/// Every record the audit API gives `s`, newest first, page by page.
async fn audit_all(t: &TestApp, s: &Session) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut path = "/api/v1/audit".to_string();
    loop {
        let r = t.get(&path, Some(s)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = r.json().as_array().unwrap().clone();
        let Some(last) = page.last().map(|v| v["seq"].as_i64().unwrap()) else {
            return out;
        };
        out.extend(page);
        path = format!("/api/v1/audit?before={last}");
    }
}

fn targets(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|v| v["target"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 16 item 2: the 江北区-scoped supervisor read the whole city's audit log. Records now
/// carry the region of what they are about; he reads his subtree's only, the city's supervisor
/// and the administrator read everything, and the chain still verifies whole.
#[tokio::test]
async fn a_district_supervisor_reads_only_his_districts_audit_records() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let admin = t.sign_in("admin").await;
        let mut made = Vec::new();
        for (name, region) in [
            ("江北区市场监管局", "361202"),
            ("江南区市场监管局", "361203"),
        ] {
            let r = t
                .post_json(
                    "/api/v1/departments",
                    Some(&admin),
                    json!({"name": name, "region_code": region}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            made.push(format!("department:{}", r.json()["id"]));
        }
        // A case of a city department, a staff sign-in and an applicant's.
        let clerk = t.sign_in("zrzy.clerk").await;
        let number = window_filing(&t, &clerk, "audit-scope-1").await;
        t.sign_in("user01").await;

        let district = t.sign_in("jiangbei.jiancha").await;
        let his = audit_all(&t, &district).await;
        assert!(
            targets(&his).contains(&made[0]),
            "{backend}: 江北 sees its own department's record"
        );
        for v in &his {
            assert!(
                v["region"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("361202")),
                "{backend}: outside 江北区: {v}"
            );
        }
        let text = serde_json::to_string(&his).unwrap();
        assert!(!text.contains(&number), "{backend}: a city case leaked");
        assert!(!targets(&his).contains(&made[1]), "{backend}: 江南 leaked");
        // The page shows the same scope.
        let page = t.get("/admin/audit", Some(&district)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("江北区市场监管局"), "{backend}");
        assert!(!page.body.contains("江南区市场监管局"), "{backend}");
        assert!(!page.body.contains(&number), "{backend}");

        // The city's supervisor and the administrator read the whole deployment: the case,
        // both districts, and the deployment-level records (an applicant's sign-in).
        for login in ["jiancha", "admin"] {
            let s = t.sign_in(login).await;
            let all = audit_all(&t, &s).await;
            let ts = targets(&all);
            assert!(
                ts.contains(&made[0]) && ts.contains(&made[1]),
                "{backend} {login}"
            );
            assert!(ts.contains(&format!("case:{number}")), "{backend} {login}");
            assert!(
                all.iter()
                    .any(|v| v["action"] == "session.sign_in" && v["region"].is_null()),
                "{backend} {login}: applicants' sign-ins are deployment-level"
            );
            let head = all[0]["seq"].as_i64().unwrap();
            assert_eq!(all.len() as i64, head, "{backend} {login}: every record");
        }
        // Others read none.
        let r = t.get("/api/v1/audit", Some(&clerk)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // The chain, with records of both kinds, verifies whole.
        match t.app.audit_verify().await.unwrap() {
            tongban_store::audit::Verified::Intact { records } => assert!(records > 0),
            other => panic!("{backend}: {other:?}"),
        }
    }
}

/// Issue 16 item 8: an upload no case takes up is removed after `upload.orphan_days` (30) of
/// its last upload, with an audit record, freeing its uploader's quota; files on cases stay.
#[tokio::test]
async fn uploads_no_case_took_up_are_removed_after_the_settings_days() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let user02 = t.sign_in("user02").await;
        let mut materials = serde_json::Map::new();
        let mut filed = Vec::new();
        for key in ["m1", "m2", "m3", "m4"] {
            let f = upload(&t, &user02, &format!("{backend} 办件材料 {key}")).await;
            filed.push(f["hash"].as_str().unwrap().to_string());
            materials.insert(key.into(), json!([f]));
        }
        let r = t
            .post_json(
                "/api/v1/cases",
                Some(&user02),
                online(Value::Object(materials), "orphans-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let orphan = upload(&t, &user02, &format!("{backend} 上传后未使用")).await;
        let orphan_hash = orphan["hash"].as_str().unwrap().to_string();
        let again = upload(
            &t,
            &t.sign_in("user01").await,
            &format!("{backend} 重新上传"),
        )
        .await;
        let user02_id = t
            .app
            .store
            .user_by_login("user02")
            .await
            .unwrap()
            .unwrap()
            .id;
        let before = t.app.store.uploaded_bytes(user02_id).await.unwrap();

        // Day 29: nothing is old enough.
        t.app.clock.advance(chrono::Duration::days(29)).unwrap();
        assert_eq!(t.app.remove_orphan_uploads().await.unwrap(), 0, "{backend}");
        // user01 uploads the same bytes again: their clock starts afresh.
        upload(
            &t,
            &t.sign_in("user01").await,
            &format!("{backend} 重新上传"),
        )
        .await;

        // Day 31: the unused upload goes; the filed ones and the fresh one stay.
        t.app.clock.advance(chrono::Duration::days(2)).unwrap();
        assert_eq!(t.app.remove_orphan_uploads().await.unwrap(), 1, "{backend}");
        assert!(
            t.app.store.case_file(&orphan_hash).await.unwrap().is_none(),
            "{backend}"
        );
        for h in &filed {
            assert!(
                t.app.store.case_file(h).await.unwrap().is_some(),
                "{backend}: {h}"
            );
        }
        let again_hash = again["hash"].as_str().unwrap();
        assert!(
            t.app.store.case_file(again_hash).await.unwrap().is_some(),
            "{backend}"
        );
        let after = t.app.store.uploaded_bytes(user02_id).await.unwrap();
        assert_eq!(
            before - after,
            orphan["size"].as_i64().unwrap(),
            "{backend}: the quota is freed"
        );
        let trail = t
            .app
            .store
            .audit_for_target(&format!("file:{orphan_hash}"))
            .await
            .unwrap();
        assert_eq!(
            trail.last().unwrap().entry.action,
            "upload.orphan_removed",
            "{backend}"
        );
        // It is gone for filing too, answered like any unknown file.
        let user02 = t.sign_in("user02").await;
        let r = t
            .post_json(
                "/api/v1/cases",
                Some(&user02),
                online(json!({"m1": [orphan]}), "orphans-2"),
            )
            .await;
        assert_eq!(r.code(), "case.file_missing", "{backend}: {}", r.body);
        // Nothing more goes on the next round, and the chain is whole.
        assert_eq!(t.app.remove_orphan_uploads().await.unwrap(), 0, "{backend}");
        assert!(matches!(
            t.app.audit_verify().await.unwrap(),
            tongban_store::audit::Verified::Intact { .. }
        ));
    }
}
