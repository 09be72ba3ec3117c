//! Cases through the web layer: the online form, the window, the case page's actions, the API,
//! the public lookups, and who may see what.

mod common;

use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::{json, Value};

use tongban_domain::codes;

/// 国有建设用地使用权及房屋所有权转移登记 (自然资源局): m1–m4 required, a parallel group of
/// three departments (s2c with deemed approval), a fee of 80 元.
const ITEM: &str = "QR00701002";

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The case number a filing redirected to.
fn filed_number(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = location(r);
    to.trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The page a form post redirected to (post/redirect/get).
async fn follow(t: &TestApp, s: &Session, r: &Reply) -> Reply {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    t.get(&location(r), Some(s)).await
}

/// The draft id in a redirect.
fn draft_of(r: &Reply) -> String {
    let to = location(r);
    to.split("draft=")
        .nth(1)
        .unwrap_or_default()
        .split('&')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The values of the form's `keep` boxes: the files already uploaded and kept.
fn kept(body: &str) -> Vec<String> {
    body.split("name=\"keep\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

async fn case_json(t: &TestApp, s: &Session, number: &str) -> Value {
    let r = t.get(&format!("/api/v1/cases/{number}"), Some(s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn version(t: &TestApp, s: &Session, number: &str) -> String {
    case_json(t, s, number).await["version"].to_string()
}

async fn user_name(t: &TestApp, login: &str) -> String {
    t.app
        .store
        .user_by_login(login)
        .await
        .unwrap()
        .unwrap()
        .name
}

/// An action through the API with the version just read.
async fn api_act(t: &TestApp, s: &Session, number: &str, mut body: Value) -> Reply {
    let v: i64 = version(t, s, number).await.parse().unwrap();
    body["version"] = json!(v);
    t.post_json(&format!("/api/v1/cases/{number}/actions"), Some(s), body)
        .await
}

/// A page action posted as its form does.
async fn page_act(t: &TestApp, s: &Session, number: &str, fields: &[(&str, &str)]) -> Reply {
    let v = version(t, s, number).await;
    let mut all = fields.to_vec();
    all.push(("version", v.as_str()));
    let r = post_with_token(t, &format!("/cases/{number}/act"), s, &all).await;
    // A refused action redirects to the case page, which shows the refusal (post/redirect/get);
    // the page a person then sees is what is returned.
    if location(&r).starts_with(&format!("/cases/{number}?draft=")) {
        let page = t.get(&location(&r), Some(s)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-code="), "the refusal is shown");
        return page;
    }
    r
}

#[tokio::test]
async fn an_online_application_goes_through_one_notice_to_three_parallel_steps() {
    let t = TestApp::with_catalog().await;
    let guide = t.get(&format!("/items/{ITEM}"), None).await;
    assert!(
        guide.body.contains("/apply\""),
        "the guide links to the form"
    );
    let anon = t.get(&format!("/items/{ITEM}/apply"), None).await;
    assert!(
        location(&anon).starts_with("/login?next=%2Fitems%2F"),
        "sign in, then back to the form: {}",
        location(&anon)
    );

    let user = t.sign_in("user01").await;
    let form = t.get(&format!("/items/{ITEM}/apply"), Some(&user)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        !form.body.contains("csrf="),
        "the session's token is never in a URL"
    );
    let action = form
        .body
        .split("data-testid=\"apply-form\"")
        .nth(1)
        .unwrap();
    assert!(
        action
            .trim_start()
            .starts_with(">\n  <input type=\"hidden\" name=\"csrf\""),
        "the token is the upload form's first field: {}",
        &action[..120.min(action.len())]
    );
    for text in [
        "name=\"m_m1\"",
        "name=\"commit\"",
        "name=\"idempotency_key\"",
        "不动产权证书",
        "权属清晰",
        "value=\"window\"",
        "清江市政务服务中心",
    ] {
        assert!(form.body.contains(text), "the form lacks {text}");
    }
    let (m1, m2, m4) = (pdf("申请书"), pdf("身份证明"), pdf("买卖合同"));
    let parts = [
        Part::Text("idempotency_key", "online-1"),
        Part::Text("commit", "1"),
        Part::Text("delivery", "window"),
        Part::Text("pickup", ""),
        Part::File("m_m1", "申请书.pdf", &m1),
        Part::File("m_m2", "身份证明.pdf", &m2),
        Part::File("m_m3", "", b""),
        Part::File("m_m4", "合同.pdf", &m4),
    ];
    // The form leads to the check page, which names the missing material and offers no way
    // to file: m3 is required and not 容缺.
    let posted = t
        .post_multipart(&format!("/items/{ITEM}/apply"), &user, &parts)
        .await;
    assert!(
        location(&posted).starts_with(&format!("/items/{ITEM}/apply/check?draft=")),
        "{}",
        location(&posted)
    );
    let draft = draft_of(&posted);
    let check = follow(&t, &user, &posted).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let blocking = check.body.split("data-testid=\"blocking\"").nth(1).unwrap();
    assert!(blocking.contains("不动产权证书"), "{}", check.body);
    for text in [
        "申请书.pdf",
        "身份证明.pdf",
        "合同.pdf",
        "窗口领取",
        "未提交",
    ] {
        assert!(check.body.contains(text), "the summary lacks {text}");
    }
    assert!(!check.body.contains("data-testid=\"confirm-form\""));
    // Posting the filing anyway is refused by the use case, and the page says why.
    let forced = post_with_token(
        &t,
        &format!("/items/{ITEM}/apply/check"),
        &user,
        &[("draft", draft.as_str())],
    )
    .await;
    let again = follow(&t, &user, &forced).await;
    assert!(
        again
            .body
            .contains("data-code=\"case.online_materials_missing\""),
        "{}",
        again.body
    );
    // Back to the form: the three files are kept, ticked; m3 is added.
    let back = t
        .get(&format!("/items/{ITEM}/apply?draft={draft}"), Some(&user))
        .await;
    let keep = kept(&back.body);
    assert_eq!(keep.len(), 3, "{}", back.body);
    let m3 = pdf("权证");
    let mut parts2: Vec<Part> = vec![
        Part::Text("draft", draft.as_str()),
        Part::Text("idempotency_key", "online-1"),
        Part::Text("commit", "1"),
        Part::Text("delivery", "window"),
        Part::Text("pickup", ""),
    ];
    for k in &keep {
        parts2.push(Part::Text("keep", k.as_str()));
    }
    parts2.push(Part::File("m_m3", "权证.pdf", &m3));
    let posted = t
        .post_multipart(&format!("/items/{ITEM}/apply"), &user, &parts2)
        .await;
    assert_eq!(draft_of(&posted), draft, "the same draft");
    let check = follow(&t, &user, &posted).await;
    assert!(!check.body.contains("data-testid=\"blocking\""));
    assert!(check.body.contains("权证.pdf") && check.body.contains("申请书.pdf"));
    let check_path = format!("/items/{ITEM}/apply/check");
    let confirm = [("draft", draft.as_str())];
    let filed = post_with_token(&t, &check_path, &user, &confirm).await;
    let number = filed_number(&filed);
    let again = post_with_token(&t, &check_path, &user, &confirm).await;
    assert_eq!(
        filed_number(&again),
        number,
        "a repeated post files nothing new"
    );
    let reload = t
        .get(
            &format!("/items/{ITEM}/apply/check?draft={draft}"),
            Some(&user),
        )
        .await;
    assert_eq!(location(&reload), format!("/cases/{number}?ok=submitted"));

    let page = t
        .get(&format!("/cases/{number}?ok=submitted"), Some(&user))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("待受理") && page.body.contains("申请已提交"));
    assert!(page.body.contains("申请材料收件凭证"));
    assert!(
        !page.body.contains("13936120001"),
        "the phone is masked even for its owner"
    );
    let mine = t.get("/me", Some(&user)).await;
    assert!(mine.body.contains(&number), "listed under 我的办件");

    // The clerk finds m3 unreadable: not ticked, it cannot be accepted; one notice asks for it.
    let clerk = t.sign_in("zrzy.clerk").await;
    let queue = t.get("/workbench", Some(&clerk)).await;
    assert!(queue.body.contains("窗口待办") && queue.body.contains(&number));
    let page = t.get(&format!("/cases/{number}"), Some(&clerk)).await;
    assert!(
        page.body.contains("data-action=\"accept\"")
            && page.body.contains("data-action=\"notice\"")
    );
    let early = page_act(
        &t,
        &clerk,
        &number,
        &[
            ("action", "accept"),
            ("present", "m1"),
            ("present", "m2"),
            ("present", "m4"),
        ],
    )
    .await;
    assert!(
        early
            .body
            .contains("data-code=\"case.materials_incomplete\""),
        "{}",
        early.body
    );
    let noticed = page_act(
        &t,
        &clerk,
        &number,
        &[
            ("action", "notice"),
            ("notice", "m3"),
            ("why_m3", "未提交不动产权证书原件扫描件"),
        ],
    )
    .await;
    assert_eq!(noticed.status, StatusCode::SEE_OTHER, "{}", noticed.body);
    let view = case_json(&t, &user, &number).await;
    assert_eq!(view["status"], "awaiting_supplement");

    // The applicant supplements m3 through the page's upload form.
    let page = t.get(&format!("/cases/{number}"), Some(&user)).await;
    assert!(page.body.contains("data-action=\"add_materials\""));
    let m3 = pdf("权证");
    let v = version(&t, &user, &number).await;
    let added = t
        .post_multipart(
            &format!("/cases/{number}/act"),
            &user,
            &[
                Part::Text("action", "add_materials"),
                Part::Text("version", &v),
                Part::File("m_m3", "权证.pdf", &m3),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(case_json(&t, &user, &number).await["status"], "received");

    // A page that showed an older state cannot act on the newer one.
    let stale = post_with_token(
        &t,
        &format!("/cases/{number}/act"),
        &clerk,
        &[("action", "accept"), ("version", "1"), ("present", "m1")],
    )
    .await;
    let stale = follow(&t, &clerk, &stale).await;
    assert!(stale.body.contains("data-code=\"case.stale\""));

    let accepted = page_act(
        &t,
        &clerk,
        &number,
        &[
            ("action", "accept"),
            ("present", "m1"),
            ("present", "m2"),
            ("present", "m3"),
            ("present", "m4"),
        ],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let view = case_json(&t, &clerk, &number).await;
    assert_eq!(view["status"], "in_progress");
    let open: Vec<(String, String)> = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["open"] == true)
        .map(|s| {
            (
                s["key"].as_str().unwrap().to_string(),
                s["assignee"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        open,
        vec![
            ("s2a".to_string(), user_name(&t, "zrzy.approver").await),
            ("s2b".to_string(), user_name(&t, "swj.approver").await),
            ("s2c".to_string(), user_name(&t, "zjj.approver").await),
        ]
    );
    let clocks = view["clocks"].as_array().unwrap();
    assert!(clocks
        .iter()
        .any(|c| c["label"].as_str().unwrap().contains("承诺办结期限")));

    // Each branch's holder sees it in their steps and on the case page.
    let swj = t.sign_in("swj.approver").await;
    let bench = t.get("/workbench", Some(&swj)).await;
    assert!(
        bench.body.contains("我的环节") && bench.body.contains(&number),
        "{}",
        bench.body
    );
    let page = t.get(&format!("/cases/{number}"), Some(&swj)).await;
    assert!(page
        .body
        .contains("data-action=\"decide\" data-step=\"s2b\""));
    assert!(
        !page
            .body
            .contains("data-action=\"decide\" data-step=\"s2a\""),
        "not someone else's branch"
    );

    // Someone else's case does not exist for another applicant, page or API.
    let other = t.sign_in("user02").await;
    let hidden = t.get(&format!("/cases/{number}"), Some(&other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get(&format!("/api/v1/cases/{number}"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let act = t
        .post_json(
            &format!("/api/v1/cases/{number}/actions"),
            Some(&other),
            json!({"version": 1, "action": "withdraw"}),
        )
        .await;
    assert_eq!(act.status, StatusCode::NOT_FOUND);

    // Materials download for those who see the case, and only them.
    let hash = view["materials"]["m3"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let file = t
        .get(&format!("/cases/{number}/files/{hash}"), Some(&user))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    assert!(file
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(
        t.get(&format!("/cases/{number}/files/{hash}"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A stale API action is a 409 with its code.
    let stale = t
        .post_json(
            &format!("/api/v1/cases/{number}/actions"),
            Some(&swj),
            json!({"version": 1, "action": "decide", "step": "s2b", "approve": true}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.code(), codes::Case::Stale);

    // The public lookup by the phone's last four digits; a wrong tail finds nothing.
    let tracked = t
        .get(&format!("/track?number={number}&tail=0001"), None)
        .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert!(tracked.body.contains("办理中") && tracked.body.contains("受理"));
    let wrong = t
        .get(&format!("/track?number={number}&tail=9999"), None)
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(!wrong.body.contains("办理中"));
    let api = t
        .get(&format!("/api/v1/public/cases/{number}?tail=0001"), None)
        .await;
    assert_eq!(api.json()["status"], "办理中");
    assert_eq!(
        t.get(&format!("/api/v1/public/cases/{number}?tail=1234"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Uploads a PDF through the API as a raw body.
async fn api_upload(t: &TestApp, s: &Session, name: &str) -> Value {
    let r = t
        .send_bytes(
            Method::POST,
            "/api/v1/cases/files",
            Some(s),
            &[
                ("x-csrf-token", s.csrf.as_str()),
                ("content-type", "application/pdf"),
                ("x-file-name", name),
            ],
            pdf(name),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

/// Files the item online through the API with every required material.
async fn api_file(t: &TestApp, user: &Session, headers: &[(&str, &str)]) -> Reply {
    let mut materials = serde_json::Map::new();
    for key in ["m1", "m2", "m3", "m4"] {
        materials.insert(
            key.into(),
            json!([api_upload(t, user, &format!("{key}.pdf")).await]),
        );
    }
    let body = json!({"item_code": ITEM, "delivery": "window", "materials": materials});
    let mut headers = headers.to_vec();
    headers.push(("x-csrf-token", user.csrf.as_str()));
    t.send(
        Method::POST,
        "/api/v1/cases",
        Some(user),
        Some("application/json"),
        body.to_string(),
        &headers,
    )
    .await
}

#[tokio::test]
async fn the_api_drives_a_case_to_a_result_that_verifies() {
    let t = TestApp::with_catalog().await;
    let user = t.sign_in("user01").await;
    let created = api_file(&t, &user, &[("idempotency-key", "api-1")]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let number = created.json()["number"].as_str().unwrap().to_string();
    assert_eq!(created.json()["channel"], "online");

    let clerk = t.sign_in("zrzy.clerk").await;
    let r = api_act(
        &t,
        &clerk,
        &number,
        json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "in_progress");
    let listed = t.get("/api/v1/cases", Some(&user)).await.json();
    assert_eq!(listed[0]["number"], number.as_str());

    let zrzy = t.sign_in("zrzy.approver").await;
    let not_mine = api_act(
        &t,
        &zrzy,
        &number,
        json!({"action": "decide", "step": "s2b", "approve": true}),
    )
    .await;
    assert_eq!(
        not_mine.code(),
        codes::Case::NotYourStep,
        "{}",
        not_mine.body
    );
    let r = api_act(
        &t,
        &zrzy,
        &number,
        json!({"action": "decide", "step": "s2a", "approve": true, "opinion": "权属清晰"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let swj = t.sign_in("swj.approver").await;
    let r = api_act(
        &t,
        &swj,
        &number,
        json!({"action": "decide", "step": "s2b", "approve": true, "opinion": "契税已缴"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // 住建局 never answers: its branch is deemed approved once its working day has passed.
    let admin = t.sign_in("admin").await;
    let r = t
        .post_json(
            "/api/v1/admin/clock/advance",
            Some(&admin),
            json!({"days": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Days passed: every session ended on its idle timeout.
    let (user, clerk) = (t.sign_in("user01").await, t.sign_in("zrzy.clerk").await);
    let head = t.sign_in("zrzy.head").await;
    let view = case_json(&t, &head, &number).await;
    let step = |key: &str| {
        view["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(step("s2c")["outcome"], "deemed_approve");
    assert_eq!(step("s3")["open"], true);
    assert_eq!(
        step("s3")["assignee"],
        user_name(&t, "zrzy.head").await.as_str()
    );
    let page = t.get(&format!("/cases/{number}"), Some(&user)).await;
    assert!(page.body.contains("超时默认通过"));

    let r = api_act(
        &t,
        &head,
        &number,
        json!({"action": "decide", "step": "s3", "approve": true, "opinion": "准予登簿"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let decided = r.json();
    assert_eq!(decided["status"], "decided");
    let doc = decided["decision"]["document"]
        .as_str()
        .unwrap()
        .to_string();

    // The result verifies in public, by API and page, with its verification code (the number
    // alone is guessable), and its page carries a QR code.
    let code = t
        .app
        .store
        .case_document(&doc)
        .await
        .unwrap()
        .unwrap()
        .verify_code;
    let bare = t
        .get(&format!("/api/v1/public/documents/{doc}"), None)
        .await;
    assert_eq!(bare.status, StatusCode::NOT_FOUND, "{}", bare.body);
    let verified = t
        .get(&format!("/api/v1/public/documents/{doc}?code={code}"), None)
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let v = verified.json();
    assert_eq!(v["intact"], true);
    assert_eq!(v["verdict"], "文书真实有效");
    assert_eq!(v["case_number"], number.as_str());
    assert!(!v["applicant"].as_str().unwrap().is_empty());
    assert_eq!(v["department"], "清江市自然资源局");
    let encoded: String = doc
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    // The printed result carries the full address (QR and text) and the code on its own.
    let owner = t.sign_in("user01").await;
    let printed = t
        .get(
            &format!("/cases/{number}/documents/{encoded}"),
            Some(&owner),
        )
        .await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.body);
    let full = format!("{}/verify/{encoded}?code={code}", t.app.public_url());
    assert!(full.starts_with("http"), "{full}");
    assert!(
        printed.body.contains(&format!("href=\"{full}\"")),
        "{}",
        printed.body
    );
    assert!(printed
        .body
        .contains(&format!("data-testid=\"verify-code\">{code}<")));
    let page = t.get(&format!("/verify/{encoded}?code={code}"), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("文书真实有效"));
    let by_form = t
        .get(&format!("/verify?number={encoded}&code={code}"), None)
        .await;
    assert!(by_form.body.contains("文书真实有效"));
    assert_eq!(
        t.get(&format!("/verify/{encoded}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/verify/%E5%87%86000000", None).await.status,
        StatusCode::NOT_FOUND
    );
    let printed = t
        .get(&format!("/cases/{number}/documents/{encoded}"), Some(&user))
        .await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.body);
    assert!(printed.body.contains("准予行政许可决定书") && printed.body.contains("<svg"));
    let other = t.sign_in("user02").await;
    assert_eq!(
        t.get(
            &format!("/cases/{number}/documents/{encoded}"),
            Some(&other)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The window takes the fee and hands the result over.
    let wrong_fee = api_act(
        &t,
        &clerk,
        &number,
        json!({"action": "pay", "reference": "PJ-001", "amount_fen": 100}),
    )
    .await;
    assert_eq!(wrong_fee.code(), codes::Case::FeeAmount);
    let early = api_act(
        &t,
        &clerk,
        &number,
        json!({"action": "deliver", "method": "window"}),
    )
    .await;
    assert_eq!(early.code(), codes::Case::FeeUnpaid);
    let paid = page_act(
        &t,
        &clerk,
        &number,
        &[
            ("action", "pay"),
            ("reference", "PJ-001"),
            ("amount_yuan", "80.00"),
        ],
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let r = api_act(
        &t,
        &clerk,
        &number,
        json!({"action": "deliver", "method": "window", "note": "本人领取"}),
    )
    .await;
    assert_eq!(r.json()["status"], "closed", "{}", r.body);

    let events = t
        .get(&format!("/api/v1/cases/{number}/events"), Some(&user))
        .await
        .json();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "received",
        "accepted",
        "steps_opened",
        "step_decided",
        "decided",
        "fee_paid",
        "delivered",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let docs = t
        .get(&format!("/api/v1/cases/{number}/documents"), Some(&user))
        .await
        .json();
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["receipt", "acceptance", "approval"]);
}

#[tokio::test]
async fn uploads_are_refused_by_kind_and_size_with_their_codes() {
    let t = TestApp::with_catalog().await;
    let user = t.sign_in("user01").await;
    let csrf = user.csrf.clone();
    let headers = [("x-csrf-token", csrf.as_str()), ("x-file-name", "a.txt")];
    let text = t
        .send_bytes(
            Method::POST,
            "/api/v1/cases/files",
            Some(&user),
            &headers,
            b"just text".to_vec(),
        )
        .await;
    assert_eq!(text.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(text.code(), codes::Case::FileType);
    let mut big = pdf("big");
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let large = t
        .send_bytes(
            Method::POST,
            "/api/v1/cases/files",
            Some(&user),
            &headers,
            big,
        )
        .await;
    assert_eq!(large.code(), codes::Case::FileTooLarge, "{}", large.body);

    // The form says which file was refused, keeps the rest of the form and the file uploaded
    // before it, after a redirect: a reload shows the same page and posts nothing.
    let gif = b"GIF89a not allowed".to_vec();
    let good = pdf("身份证明");
    let posted = t
        .post_multipart(
            &format!("/items/{ITEM}/apply"),
            &user,
            &[
                Part::Text("commit", "1"),
                Part::Text("delivery", "post"),
                Part::File("m_m2", "身份证明.pdf", &good),
                Part::File("m_m1", "photo.gif", &gif),
            ],
        )
        .await;
    assert!(location(&posted).starts_with(&format!("/items/{ITEM}/apply?draft=")));
    let r = follow(&t, &user, &posted).await;
    assert!(r.body.contains("data-code=\"case.file_type\"") && r.body.contains("photo.gif"));
    assert!(
        r.body.contains("value=\"post\" checked"),
        "the choice is kept"
    );
    assert!(
        r.body.contains("data-testid=\"kept-m2\"") && r.body.contains("身份证明.pdf"),
        "the file uploaded before the refused one is kept"
    );
    assert_eq!(kept(&r.body).len(), 1);
    let uncommitted = t
        .post_multipart(
            &format!("/items/{ITEM}/apply"),
            &user,
            &[Part::Text("delivery", "window")],
        )
        .await;
    let uncommitted = follow(&t, &user, &uncommitted).await;
    assert!(uncommitted.body.contains("data-code=\"case.commitment\""));
    assert!(t
        .get("/api/v1/cases", Some(&user))
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_window_refusal_is_filed_with_supervision() {
    let t = TestApp::with_catalog().await;
    let clerk = t.sign_in("zrzy.clerk").await;
    let blank = t.get("/cases/new", Some(&clerk)).await;
    assert!(
        blank.body.contains("name=\"q\"") && !blank.body.contains("name=\"item\""),
        "asks what the matter is, by name, not for a code"
    );
    assert!(
        blank.body.contains(&format!("/cases/new?item={ITEM}")),
        "the desk's own department's items are offered before any search"
    );
    // Issue 17 item 13: intake starts from a search by name, the public site's search.
    let found = t
        .get(
            "/cases/new?q=%E6%88%BF%E5%B1%8B%E8%BD%AC%E7%A7%BB%E7%99%BB%E8%AE%B0",
            Some(&clerk),
        )
        .await;
    assert!(
        found
            .body
            .contains(&format!("href=\"/cases/new?item={ITEM}")),
        "房屋转移登记 finds the item"
    );
    let by_code = t.get(&format!("/cases/new?q={ITEM}"), Some(&clerk)).await;
    assert!(
        by_code.status.is_redirection(),
        "a code still opens its form at once"
    );
    let form = t
        .get(&format!("/cases/new?item={ITEM}"), Some(&clerk))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"id_code\"") && !form.body.contains("name=\"village\""));

    let id = tongban_domain::identity::IdNumber::complete("36120219800101123")
        .unwrap()
        .as_str()
        .to_string();
    let wrong_check = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    let m1 = pdf("申请书");
    let bad = t
        .post_multipart(
            "/cases/new",
            &clerk,
            &[
                Part::Text("item", ITEM),
                Part::Text("kind", "person"),
                Part::Text("name", "钱多多"),
                Part::Text("id_code", &wrong_check),
                Part::Text("phone", "13912345678"),
                Part::Text("commit", "1"),
                Part::Text("delivery", "window"),
            ],
        )
        .await;
    assert!(
        location(&bad).starts_with("/cases/new?item="),
        "back to the form after a redirect: {}",
        location(&bad)
    );
    let bad = follow(&t, &clerk, &bad).await;
    assert!(
        bad.body.contains("data-code=\"id.check_digit\""),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"钱多多\""),
        "typed values come back"
    );
    let filed = t
        .post_multipart(
            "/cases/new",
            &clerk,
            &[
                Part::Text("item", ITEM),
                Part::Text("idempotency_key", "window-1"),
                Part::Text("kind", "person"),
                Part::Text("name", "钱多多"),
                Part::Text("id_code", &id),
                Part::Text("phone", "13912345678"),
                Part::Text("commit", "1"),
                Part::Text("delivery", "window"),
                Part::File("m_m1", "申请书.pdf", &m1),
            ],
        )
        .await;
    let number = filed_number(&filed);
    let view = case_json(&t, &clerk, &number).await;
    assert_eq!(view["channel"], "window");
    assert_eq!(
        view["first_responder"],
        user_name(&t, "zrzy.clerk").await.as_str()
    );
    assert!(!view["applicant"]["id_code"]
        .as_str()
        .unwrap()
        .contains(&id[6..14]));

    let no_reason = page_act(
        &t,
        &clerk,
        &number,
        &[("action", "not_accept"), ("reason", " ")],
    )
    .await;
    assert!(no_reason
        .body
        .contains("data-code=\"case.reason_required\""));
    let refused = page_act(
        &t,
        &clerk,
        &number,
        &[
            ("action", "not_accept"),
            ("reason", "申请事项依法不属于本机关职权范围"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let page = t.get(&location(&refused), Some(&clerk)).await;
    assert!(page.body.contains("不予受理决定书") && page.body.contains("已向电子监察报备"));

    let supervisor = t.sign_in("jiancha").await;
    let bench = t.get("/workbench", Some(&supervisor)).await;
    assert!(bench.body.contains("否定报备"));
    assert!(bench.body.contains(&number) && bench.body.contains("不属于本机关职权范围"));
    let listed = t.get("/api/v1/cases", Some(&supervisor)).await.json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["list"] == "negative" && l["number"] == number.as_str()));
    // The public lookup also takes the last four of the ID number.
    let tracked = t
        .get(&format!("/track?number={number}&tail={}", &id[14..]), None)
        .await;
    assert!(tracked.body.contains("不予受理"), "{}", tracked.body);
}

#[tokio::test]
async fn an_agent_files_at_a_village_point_and_follows_the_case() {
    let t = TestApp::with_catalog().await;
    let agent = t.sign_in("daiban.binjiang").await;
    let form = t.get(&format!("/items/{ITEM}/apply"), Some(&agent)).await;
    assert_eq!(location(&form), format!("/cases/new?item={ITEM}"));
    let form = t
        .get(&format!("/cases/new?item={ITEM}"), Some(&agent))
        .await;
    assert!(form.body.contains("name=\"village\""));
    let id = tongban_domain::identity::IdNumber::complete("36120219700505123")
        .unwrap()
        .as_str()
        .to_string();
    let m1 = pdf("申请书");
    let filed = t
        .post_multipart(
            "/cases/new",
            &agent,
            &[
                Part::Text("item", ITEM),
                Part::Text("kind", "person"),
                Part::Text("name", "孙二娘"),
                Part::Text("id_code", &id),
                Part::Text("phone", "13800001111"),
                Part::Text("village", "1"),
                Part::Text("commit", "1"),
                Part::Text("delivery", "post"),
                Part::File("m_m1", "申请书.pdf", &m1),
            ],
        )
        .await;
    let number = filed_number(&filed);
    assert_eq!(case_json(&t, &agent, &number).await["channel"], "village");
    let bench = t.get("/workbench", Some(&agent)).await;
    assert!(bench.body.contains("我的办件") && bench.body.contains(&number));
    let withdrawn = page_act(&t, &agent, &number, &[("action", "withdraw")]).await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    assert_eq!(case_json(&t, &agent, &number).await["status"], "withdrawn");
}

#[test]
fn the_openapi_document_covers_the_case_routes() {
    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/cases/files",
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/actions",
        "/api/v1/cases/{number}/events",
        "/api/v1/cases/{number}/documents",
        "/api/v1/public/cases/{number}",
        "/api/v1/public/documents/{doc}",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn a_supervisor_confirms_a_finding_from_the_workbench() {
    let t = TestApp::with_catalog().await;
    let user = t.sign_in("user01").await;
    let created = api_file(&t, &user, &[]).await;
    let number = created.json()["number"].as_str().unwrap().to_string();
    let clerk = t.sign_in("zrzy.clerk").await;
    let r = api_act(
        &t,
        &clerk,
        &number,
        json!({"action": "accept", "present": ["m1", "m2", "m3", "m4"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The 住建 branch runs out and is deemed approved: supervision sees 办理超时.
    let admin = t.sign_in("admin").await;
    let r = t
        .post_json(
            "/api/v1/admin/clock/advance",
            Some(&admin),
            json!({"days": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let supervisor = t.sign_in("jiancha").await;
    let bench = t.get("/workbench", Some(&supervisor)).await;
    assert!(
        bench.body.contains("监察发现") && bench.body.contains("办理超时"),
        "{}",
        bench.body
    );
    let marker = "data-finding=\"";
    let start = bench.body.find(marker).expect("a finding row") + marker.len();
    let id: String = bench.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // A clerk may not decide it.
    let clerk = t.sign_in("zrzy.clerk").await;
    let r = t
        .post_form(
            &format!("/supervision/findings/{id}"),
            Some(&clerk),
            &[
                ("csrf", &clerk.csrf),
                ("decision", "confirm"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_form(
            &format!("/supervision/findings/{id}"),
            Some(&supervisor),
            &[
                ("csrf", &supervisor.csrf),
                ("decision", "confirm"),
                ("reason", "住建局未在时限内答复"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The API shows the same, to supervisors only.
    let listed = t
        .get(
            "/api/v1/supervision/findings?status=confirmed",
            Some(&supervisor),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"].as_i64() == id.parse::<i64>().ok()
            && f["rule"] == "overdue"
            && f["decision_note"] == "住建局未在时限内答复"));
    let clerk = t.sign_in("zrzy.clerk").await;
    assert_eq!(
        t.get("/api/v1/supervision/findings", Some(&clerk))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bench = t.get("/workbench", Some(&supervisor)).await;
    assert!(
        !bench.body.contains(&format!("data-finding=\"{id}\"")),
        "decided findings leave the list"
    );
}

#[tokio::test]
async fn a_supervision_order_goes_from_the_case_page_to_the_heads_reply_and_is_closed() {
    let t = TestApp::with_catalog().await;
    let clerk = t.sign_in("zrzy.clerk").await;
    let id = tongban_domain::identity::IdNumber::complete("36120219800101123")
        .unwrap()
        .as_str()
        .to_string();
    let filed = t
        .post_multipart(
            "/cases/new",
            &clerk,
            &[
                Part::Text("item", ITEM),
                Part::Text("kind", "person"),
                Part::Text("name", "钱多多"),
                Part::Text("id_code", &id),
                Part::Text("phone", "13912345678"),
                Part::Text("commit", "1"),
                Part::Text("delivery", "window"),
            ],
        )
        .await;
    let number = filed_number(&filed);
    let supervisor = t.sign_in("jiancha").await;
    let page = t.get(&format!("/cases/{number}"), Some(&supervisor)).await;
    assert!(
        page.body.contains("data-action=\"order\""),
        "supervisors may issue an order"
    );
    let page = t.get(&format!("/cases/{number}"), Some(&clerk)).await;
    assert!(
        !page.body.contains("data-action=\"order\""),
        "clerks may not"
    );
    let order_form = [
        ("csrf", supervisor.csrf.as_str()),
        ("case_number", number.as_str()),
        ("instruction", "收件后未及时审查，请说明原因并整改"),
        ("days", "3"),
    ];
    // The first post only asks for confirmation: to whom, and the day to reply by.
    let r = t
        .post_form("/supervision/orders", Some(&supervisor), &order_form)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("确认发出督办") && r.body.contains("3 个工作日"));
    let head = t.sign_in("zrzy.head").await;
    let bench = t.get("/workbench", Some(&head)).await;
    assert!(
        !bench.body.contains("请说明原因并整改"),
        "nothing is issued before the supervisor confirms"
    );
    let confirmed: Vec<(&str, &str)> = order_form
        .iter()
        .copied()
        .chain([("confirmed", "1")])
        .collect();
    let r = t
        .post_form("/supervision/orders", Some(&supervisor), &confirmed)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let bench = t.get("/workbench", Some(&head)).await;
    assert!(bench.body.contains("督办待回复") && bench.body.contains("请说明原因并整改"));
    let marker = "data-order=\"";
    let start = bench.body.find(marker).expect("an order row") + marker.len();
    let order: String = bench.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let r = t
        .post_form(
            &format!("/supervision/orders/{order}/reply"),
            Some(&head),
            &[
                ("csrf", &head.csrf),
                ("text", "已当日审查受理，窗口人员已整改"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let bench = t.get("/workbench", Some(&supervisor)).await;
    assert!(bench.body.contains("已回复，待办结") && bench.body.contains("data-action=\"close\""));
    let r = t
        .post_form(
            &format!("/supervision/orders/{order}/close"),
            Some(&supervisor),
            &[("csrf", &supervisor.csrf), ("text", "整改到位")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&format!("/cases/{number}"), Some(&supervisor)).await;
    assert!(page.body.contains("已办结") && page.body.contains("已当日审查受理"));
}

/// Issue 15: a deadline the API cannot compute says `unknown` with its reason (never a green
/// light that is not overdue); one on a provisional year carries the provisional note.
#[tokio::test]
async fn the_api_says_unknown_or_provisional_for_deadlines_in_a_year_not_announced() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        t.app
            .clock
            .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 28, 1, 0, 0).unwrap());
        let user = t.sign_in("user01").await;
        let created = api_file(&t, &user, &[]).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{backend}: {}",
            created.body
        );
        let number = created.json()["number"].as_str().unwrap().to_string();
        let admin = t.sign_in("admin").await;
        let view = case_json(&t, &admin, &number).await;
        let intake = &view["clocks"][0];
        assert_eq!(
            intake["provisional"],
            tongban_domain::calendar::PROVISIONAL_NOTE,
            "{backend}: {intake}"
        );
        assert_eq!(intake["light"], "green");
        assert!(intake["due_at"].as_str().unwrap().starts_with("2027-01-05"));
        let page = t.get(&format!("/cases/{number}"), Some(&admin)).await;
        assert!(
            page.body
                .contains(tongban_domain::calendar::PROVISIONAL_NOTE),
            "{backend}"
        );

        // The region refuses provisional counting: the deadline is unknown, and says why.
        let region = &number[..6];
        let admin_actor = tongban_app::accounts::actor_of(
            &t.app.store.user_by_login("admin").await.unwrap().unwrap(),
        );
        t.app
            .set_setting(&admin_actor, &format!("calendar.provisional@{region}"), "0")
            .await
            .unwrap();
        let view = case_json(&t, &admin, &number).await;
        let intake = &view["clocks"][0];
        assert_eq!(intake["light"], "unknown", "{backend}: {intake}");
        assert!(intake["remaining_days"].is_null());
        assert!(intake["overdue"].is_null());
        assert!(intake["due_at"].is_null());
        assert!(intake["problem"].as_str().unwrap().contains("2027"));
        assert!(intake["provisional"].is_null());
    }
}

/// Issue 15: an ID number whose birth date is after today is refused where it is typed in.
#[tokio::test]
async fn an_id_number_born_in_the_future_does_not_validate() {
    let t = TestApp::new().await;
    let admin = t.sign_in("admin").await;
    let r = t
        .send(
            Method::POST,
            "/api/v1/validate",
            Some(&admin),
            Some("application/json"),
            json!({"kind": "id", "value": "110105209912311232"}).to_string(),
            &[("x-csrf-token", &admin.csrf)],
        )
        .await;
    let v = r.json();
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], codes::Id::BirthFuture.as_str(), "{v}");
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn staff_find_cases_in_their_scope_and_the_window_queue_shows_time_left_and_light() {
    for (backend, t) in TestApp::backends_with_catalog().await {
        let clerk = t.sign_in("zrzy.clerk").await;
        let id = tongban_domain::identity::IdNumber::complete("36120219850505123")
            .unwrap()
            .as_str()
            .to_string();
        let m1 = pdf("申请书");
        let filed = t
            .post_multipart(
                "/cases/new",
                &clerk,
                &[
                    Part::Text("item", ITEM),
                    Part::Text("kind", "person"),
                    Part::Text("name", "欧阳查询"),
                    Part::Text("id_code", &id),
                    Part::Text("phone", "13912340987"),
                    Part::Text("commit", "1"),
                    Part::Text("delivery", "window"),
                    Part::File("m_m1", "申请书.pdf", &m1),
                ],
            )
            .await;
        let number = filed_number(&filed);
        let today = tongban_domain::time::local_date(t.app.now());
        let tomorrow = today.succ_opt().unwrap();
        let found = |r: &Reply| r.body.contains(&format!("data-number=\"{number}\""));

        // By name, ID tail, phone tail, part of the number, item and date range; the one box too.
        for query in [
            format!("name={}", enc("欧阳")),
            format!("tail={}", &id[14..]),
            "tail=0987".to_string(),
            format!("number={}", &number[7..]),
            format!("item={}&from={today}&to={today}", enc("转移登记")),
            format!("q={}", enc("欧阳查询")),
            format!("q={}", &id[14..]),
            format!("q={number}"),
        ] {
            let r = t.get(&format!("/cases/search?{query}"), Some(&clerk)).await;
            assert_eq!(r.status, StatusCode::OK, "{backend} {query}: {}", r.body);
            assert!(found(&r), "{backend} {query}: {}", r.body);
            assert!(
                !r.body.contains(&id),
                "{backend}: the ID number is never shown"
            );
            assert!(!r.body.contains("13912340987"), "{backend}: nor the phone");
        }
        let later = t
            .get(
                &format!("/cases/search?name={}&from={tomorrow}", enc("欧阳")),
                Some(&clerk),
            )
            .await;
        assert!(!found(&later) && later.body.contains("data-testid=\"no-results\""));
        let short = t.get("/cases/search?tail=98", Some(&clerk)).await;
        assert!(
            short.body.contains("data-code=\"case.lookup_tail\""),
            "{backend}"
        );

        // Out of scope: another department's clerk finds nothing; supervision finds it; an
        // applicant may not search.
        let other = t.sign_in("scjg.clerk").await;
        let r = t
            .get(&format!("/cases/search?name={}", enc("欧阳")), Some(&other))
            .await;
        assert!(!found(&r), "{backend}: not in 市场监管局's scope");
        let sup = t.sign_in("jiancha").await;
        let r = t
            .get(&format!("/cases/search?name={}", enc("欧阳")), Some(&sup))
            .await;
        assert!(found(&r), "{backend}: the city's supervisor sees it");
        let user = t.sign_in("user01").await;
        let r = t.get("/cases/search?name=x", Some(&user)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // The window queue: the case's next deadline, time left on the working-day calendar
        // and its light, from the deadline index.
        let bench = t.get("/workbench", Some(&clerk)).await;
        let row = bench
            .body
            .split(&format!("<tr data-number=\"{number}\">"))
            .nth(1)
            .expect("the case is in the window queue")
            .split("</tr>")
            .next()
            .unwrap()
            .to_string();
        assert!(
            row.contains("剩余") && row.contains("个工作日"),
            "{backend}: {row}"
        );
        assert!(row.contains("class=\"light green\""), "{backend}: {row}");
        assert!(bench.body.contains("data-testid=\"case-search-box\""));
    }
}
