//! What the application tests share: the demo city on each backend (SQLite, and PostgreSQL when
//! `TONGBAN_TEST_DATABASE_URL` is set), a simulated Monday morning, and helpers that file and act.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use tongban_app::accounts::actor_of;
use tongban_app::{App, Clock};
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::{Case, Command, FileRef};
use tongban_domain::org::Actor;
use tongban_store::{Options, Store};

/// 国有建设用地使用权及房屋所有权转移登记: three departments in parallel, a fee.
pub const PROPERTY: &str = "QR00701002";
pub const PDF: &[u8] = b"%PDF-1.4\n% test material\n";

/// Monday 2 March 2026, 09:00 Shanghai.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

/// Each backend as a (location, options) pair, so a test can open it twice like two servers.
pub fn places() -> Vec<(String, Options)> {
    let dir = std::env::temp_dir().join(format!(
        "tongban_app_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let mut out = vec![(dir.to_str().unwrap().to_string(), Options::default())];
    if let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") {
        let mut opts = Options {
            pg_schema: Some(format!(
                "a_{}_{}",
                std::process::id(),
                rand::random::<u32>()
            )),
            ..Options::default()
        };
        // `TONGBAN_TEST_PG_POOL=1` runs every test on one connection: a statement bound with
        // two sets of wire types then fails every time (the tests that race two writers fail
        // too, by design).
        if let Some(n) = std::env::var("TONGBAN_TEST_PG_POOL")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            opts.max_connections = n;
        }
        out.push((url, opts));
    }
    out
}

/// An application over a migrated store at `place`, without data.
pub async fn open(place: &(String, Options)) -> App {
    // What the application logs as a warning (an error it carries on past, like a deadline
    // that could not be fired) is printed with a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_max_level(tracing::Level::WARN)
        .try_init();
    let store = Store::open(&place.0, &place.1).await.unwrap();
    store.migrate().await.unwrap();
    App::new(store, Clock::simulated_at(monday()))
        .await
        .unwrap()
}

/// The demo city with its catalog, once per backend.
pub async fn apps() -> Vec<App> {
    demo_apps(places()).await
}

/// The demo city with PostgreSQL on one pooled connection: every statement shares one statement
/// cache, so two calls binding different wire types to the same SQL fail every run, not only when
/// the pool happens to hand both the same connection. (Not for tests that race two writers.)
pub async fn apps_on_one_connection() -> Vec<App> {
    let mut places = places();
    for place in places.iter_mut().skip(1) {
        place.1.max_connections = 1;
    }
    demo_apps(places).await
}

async fn demo_apps(places: Vec<(String, Options)>) -> Vec<App> {
    let mut out = Vec::new();
    for place in places {
        let app = open(&place).await;
        app.load_demo().await.unwrap();
        app.load_demo_catalog().await.unwrap();
        out.push(app);
    }
    out
}

pub async fn who(app: &App, login: &str) -> Actor {
    actor_of(&app.store.user_by_login(login).await.unwrap().unwrap())
}

/// One small PDF per material key, uploaded by `actor`.
pub async fn upload(app: &App, actor: &Actor, keys: &[&str]) -> BTreeMap<String, Vec<FileRef>> {
    let mut out = BTreeMap::new();
    for k in keys {
        let content = [PDF, k.as_bytes()].concat();
        let f = app
            .upload_case_file(actor, &format!("{k}.pdf"), &content)
            .await
            .unwrap();
        out.insert(k.to_string(), vec![f]);
    }
    out
}

pub fn check(keys: &[&str]) -> MaterialCheck {
    MaterialCheck {
        present: keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>(),
        defective: vec![],
    }
}

/// Runs a command that must succeed, naming it and the actor when it does not.
pub async fn act(app: &App, actor: &Actor, number: &str, cmd: Command) -> Case {
    match app.act_on_case(actor, number, None, cmd.clone()).await {
        Ok(v) => v.case,
        Err(e) => panic!("{cmd:?} by {}: {} {}", actor.name, e.code, e.message),
    }
}
