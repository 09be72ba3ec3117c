//! The in-process harness every web suite shares: a fresh demo city on a simulated clock at
//! 2026-03-02 09:00 Shanghai, requests without a socket, sign-in with the demo password.
// Each suite uses its own part of the harness.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use tongban_app::{App, Clock};
use tongban_store::{Options, Store};
use tower::ServiceExt;

pub const PASSWORD: &str = tongban_app::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub router: Router,
    pub app: Arc<App>,
}

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

impl TestApp {
    /// A fresh SQLite store with the demo city, on a simulated clock at 2026-03-02 09:00 Shanghai.
    pub async fn new() -> TestApp {
        let dir = std::env::temp_dir().join(format!(
            "tongban_web_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let store = Store::open(dir.to_str().unwrap(), &Options::default())
            .await
            .unwrap();
        TestApp::on(store).await
    }

    /// The demo city on a migrated store, on a simulated clock at 2026-03-02 09:00 Shanghai.
    pub async fn on(store: Store) -> TestApp {
        store.migrate().await.unwrap();
        let clock = Clock::simulated_at(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
        let app = Arc::new(App::new(store, clock).await.unwrap());
        app.load_demo().await.unwrap();
        let router = tongban_web::router(app.clone(), tongban_web::WebConfig::default(), None);
        TestApp { router, app }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        content_type: Option<&str>,
        body: String,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(s) = session {
            req = req.header(header::COOKIE, &s.cookie);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 10 * 1024 * 1024).await.unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        self.send(Method::GET, path, session, None, String::new(), &[])
            .await
    }

    /// A JSON write carrying the session's anti-forgery token.
    pub async fn post_json(&self, path: &str, session: Option<&Session>, body: Value) -> Reply {
        let csrf = session.map(|s| s.csrf.clone()).unwrap_or_default();
        let extra: Vec<(&str, &str)> = if session.is_some() {
            vec![("x-csrf-token", csrf.as_str())]
        } else {
            vec![]
        };
        self.send(
            Method::POST,
            path,
            session,
            Some("application/json"),
            body.to_string(),
            &extra,
        )
        .await
    }

    pub async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Method::POST,
            path,
            session,
            Some("application/x-www-form-urlencoded"),
            body,
            &[],
        )
        .await
    }

    pub async fn try_sign_in(&self, login: &str, password: &str) -> Reply {
        self.post_json(
            "/api/v1/session",
            None,
            json!({"login": login, "password": password}),
        )
        .await
    }

    pub async fn sign_in(&self, login: &str) -> Session {
        let r = self.try_sign_in(login, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{login}: {}", r.body);
        let set = r
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        Session {
            cookie,
            csrf: r.json()["csrf"].as_str().unwrap().to_string(),
        }
    }
}

pub fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

/// A form post carrying the session's token.
pub async fn post_with_token(
    t: &TestApp,
    path: &str,
    s: &Session,
    fields: &[(&str, &str)],
) -> Reply {
    let mut all = fields.to_vec();
    all.push(("csrf", s.csrf.as_str()));
    t.post_form(path, Some(s), &all).await
}

/// One part of a multipart form: a text field, or a file field with its file name.
#[derive(Clone)]
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A small PDF-looking file: the content sniffing only reads the first bytes.
pub fn pdf(label: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {label}\n%%EOF\n").into_bytes()
}

impl TestApp {
    /// The demo city with its published catalog and the shipped working-day calendar: cases
    /// need both.
    pub async fn with_catalog() -> TestApp {
        let t = TestApp::new().await;
        t.app.load_shipped_calendar().await.unwrap();
        t.app.load_demo_catalog().await.unwrap();
        t
    }

    /// [`TestApp::with_catalog`] on SQLite and, when `TONGBAN_TEST_DATABASE_URL` is set, on
    /// PostgreSQL too (in a fresh schema).
    pub async fn backends_with_catalog() -> Vec<(&'static str, TestApp)> {
        let mut out = vec![("sqlite", TestApp::with_catalog().await)];
        if let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") {
            let opts = Options {
                pg_schema: Some(format!(
                    "w_{}_{}",
                    std::process::id(),
                    rand::random::<u32>()
                )),
                ..Options::default()
            };
            let t = TestApp::on(Store::open(&url, &opts).await.unwrap()).await;
            t.app.load_shipped_calendar().await.unwrap();
            t.app.load_demo_catalog().await.unwrap();
            out.push(("postgres", t));
        }
        out
    }

    /// A request with a byte body.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(s) = session {
            req = req.header(header::COOKIE, &s.cookie);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 10 * 1024 * 1024).await.unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A multipart form post as a page sends it: the session's token is the first field.
    pub async fn post_multipart(&self, path: &str, s: &Session, parts: &[Part<'_>]) -> Reply {
        let mut all = vec![Part::Text("csrf", s.csrf.as_str())];
        all.extend(parts.iter().map(Part::clone));
        self.post_multipart_raw(path, s, &all).await
    }

    /// A multipart form post with exactly the given parts (no token added).
    pub async fn post_multipart_raw(&self, path: &str, s: &Session, parts: &[Part<'_>]) -> Reply {
        let boundary = "tongbanCaseBoundary7";
        let mut body = Vec::new();
        for p in parts {
            match p {
                Part::Text(name, value) => body.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    )
                    .as_bytes(),
                ),
                Part::File(name, file, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                    body.extend_from_slice(b"\r\n");
                }
            }
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send_bytes(
            Method::POST,
            path,
            Some(s),
            &[("content-type", content_type.as_str())],
            body,
        )
        .await
    }
}
