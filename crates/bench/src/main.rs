//! Tongban's benchmark suite. Every figure is printed beside the physical limit of this machine
//! measured in the same run, as a table and as JSON.
//!
//! ```sh
//! cargo run --release -p tongban-bench -- quick            # a minute or two
//! cargo run --release -p tongban-bench -- full             # the long runs
//! cargo run --release -p tongban-bench -- quick --only cases --pg postgres://postgres@127.0.0.1/test
//! ```
//!
//! PostgreSQL is measured when `--pg URL` or `TONGBAN_BENCH_DATABASE_URL` is given; the suite
//! works in its own schemas and drops nothing else. The JSON goes to `--json PATH`
//! (default `target/bench.json`); `--cases N` sets the scale and disclosure sections' size.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use tongban_app::{App, Clock};
use tongban_store::{Options, Store};

mod disclosure;
mod documents;
mod hotline;
mod http_cases;
mod lifecycle;
mod limits;
mod peers;
mod reads;
mod report;
mod scale;
mod scores;
mod startup;

use limits::Db;
use report::Report;

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Plan {
    full: bool,
    only: Option<String>,
    pg: Option<String>,
    json: String,
    /// `--cases N`: the scale section's size instead of its mode's.
    cases: Option<i64>,
    /// `--tickets N`: the hotline section's volume instead of its mode's.
    tickets: Option<i64>,
}

impl Plan {
    fn dur(&self) -> Duration {
        Duration::from_secs(if self.full { 10 } else { 3 })
    }

    fn wants(&self, section: &str) -> bool {
        self.only.as_deref().is_none_or(|o| o == section)
    }
}

fn plan() -> Res<Plan> {
    let mut plan = Plan {
        full: false,
        only: None,
        pg: std::env::var("TONGBAN_BENCH_DATABASE_URL").ok(),
        json: "target/bench.json".into(),
        cases: None,
        tickets: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "quick" | "all" => plan.full = false,
            "full" => plan.full = true,
            "--only" => plan.only = args.next(),
            "--pg" => plan.pg = args.next(),
            "--json" => plan.json = args.next().ok_or("--json needs a path")?,
            "--cases" => {
                let n = args.next().ok_or("--cases needs a number")?;
                plan.cases = Some(
                    n.parse()
                        .map_err(|_| format!("--cases {n}: not a number"))?,
                );
            }
            "--tickets" => {
                let n = args.next().ok_or("--tickets needs a number")?;
                plan.tickets = Some(
                    n.parse()
                        .map_err(|_| format!("--tickets {n}: not a number"))?,
                );
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(plan)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let plan = plan()?;
    let mut report = Report::default();
    let scratch = std::env::temp_dir().join(format!("tongban_bench_{}", std::process::id()));
    eprintln!(
        "tongban-bench ({} mode), scratch {}",
        if plan.full { "full" } else { "quick" },
        scratch.display()
    );
    if plan.wants("cases") {
        cases(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("reads") {
        reads::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("startup") {
        startup::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("peers") {
        peers::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("documents") {
        documents::section(&plan, &mut report).await?;
    }
    if plan.wants("scale") {
        scale::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("scores") {
        scores::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("disclosure") {
        disclosure::section(&plan, &scratch, &mut report).await?;
    }
    if plan.wants("hotline") {
        hotline::section(&plan, &scratch, &mut report).await?;
    }
    report.print();
    if let Some(dir) = std::path::Path::new(&plan.json).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        &plan.json,
        serde_json::to_string_pretty(&serde_json::json!({
            "date": chrono::Local::now().format("%Y-%m-%d").to_string(),
            "mode": if plan.full { "full" } else { "quick" },
            "rows": report.rows,
        }))?,
    )?;
    eprintln!("wrote {}", plan.json);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// Monday 2 March 2026, 09:00 Shanghai: a working morning.
fn monday() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

async fn demo_app(store: Store) -> Res<Arc<App>> {
    store.migrate().await?;
    let app = App::new(store, Clock::simulated_at(monday())).await?;
    app.load_demo().await?;
    app.load_demo_catalog().await?;
    Ok(Arc::new(app))
}

const CLIENTS: [u32; 3] = [1, 4, 16];

/// Durable case transitions beside single-row INSERT commits, per backend and client count.
async fn cases(plan: &Plan, scratch: &std::path::Path, report: &mut Report) -> Res<()> {
    let dur = plan.dur();
    // SQLite: the limit with both durability settings, the store at synchronous=FULL.
    for full in [true, false] {
        let db = Arc::new(Db::sqlite(&scratch.join(format!("limit_{full}")), full, 16).await?);
        let sync = if full { "FULL" } else { "NORMAL" };
        for c in CLIENTS {
            let r = limits::commits(db.clone(), c, dur).await?;
            report.add(
                format!("SQLite WAL {sync}: single-row INSERT commits, {c} clients"),
                r,
                "commits/s",
            );
        }
        if full {
            let r = limits::reads(db.clone(), 16, dur).await?;
            report.add("SQLite: indexed point reads, 16 clients", r, "reads/s");
        }
        if let Ok(db) = Arc::try_unwrap(db) {
            db.close().await;
        }
    }
    let limit_db = Arc::new(Db::sqlite(&scratch.join("limit_cases"), true, 1).await?);
    let dir = scratch.join("cases_sqlite");
    let store = Store::open(
        dir.to_str().ok_or("scratch path")?,
        &Options {
            max_connections: 16,
            ..Options::default()
        },
    )
    .await?;
    let app = demo_app(store).await?;
    let mut limits_seen = Vec::new();
    for c in CLIENTS {
        let limit = limits::commits(limit_db.clone(), c, dur).await?;
        limits_seen.push(limit);
        let before = app.store.writer_stats();
        let o = lifecycle::run(app.clone(), c as usize, dur).await?;
        transitions(report, "SQLite FULL", c, &o, limit);
        if let (Some(b), Some(a)) = (before, app.store.writer_stats()) {
            // Every write of the run (transitions, findings, licences), per commit: the group
            // commit's batch size.
            let commits = (a.commits - b.commits).max(1);
            report.add(
                format!("SQLite FULL: writes per commit, {c} clients"),
                (a.commands - b.commands) as f64 / commits as f64,
                &format!("writes per commit ({commits} commits)"),
            );
        }
    }
    http_transitions(report, "SQLite FULL", app, &limits_seen, dur).await?;
    if let Some(url) = &plan.pg {
        let schema = format!("bench_limit_{}", std::process::id());
        let db = Arc::new(Db::postgres(url, &schema, 16).await?);
        let cases_schema = format!("bench_cases_{}", std::process::id());
        let store = Store::open(
            url,
            &Options {
                pg_schema: Some(cases_schema.clone()),
                max_connections: 20,
                ..Options::default()
            },
        )
        .await?;
        let app = demo_app(store).await?;
        let mut limits_seen = Vec::new();
        for c in CLIENTS {
            let limit = limits::commits(db.clone(), c, dur).await?;
            limits_seen.push(limit);
            report.add(
                format!("PostgreSQL: single-row INSERT commits, {c} clients"),
                limit,
                "commits/s",
            );
            let o = lifecycle::run(app.clone(), c as usize, dur).await?;
            transitions(report, "PostgreSQL", c, &o, limit);
        }
        http_transitions(report, "PostgreSQL", app.clone(), &limits_seen, dur).await?;
        let r = limits::reads(db.clone(), 16, dur).await?;
        report.add("PostgreSQL: indexed point reads, 16 clients", r, "reads/s");
        app.store.close().await;
        limits::drop_schema(url, &cases_schema).await?;
        limits::drop_schema(url, &schema).await?;
    }
    Ok(())
}

/// One row for the throughput of `o` beside `limit`, one for its latency.
fn transitions(report: &mut Report, label: &str, c: u32, o: &lifecycle::Outcome, limit: f64) {
    report.against(
        format!("{label}: case transitions, {c} clients"),
        o.per_sec,
        "transitions/s",
        "INSERT commits/s",
        limit,
    );
    report.add(
        format!("{label}: one transition p50 / p99, {c} clients"),
        o.p50_ms,
        &format!(
            "ms p50 (p99 {:.1} ms, {} transitions)",
            o.p99_ms, o.transitions
        ),
    );
}

/// The same lifecycles through the JSON API, served in-process, beside the same limits.
async fn http_transitions(
    report: &mut Report,
    backend: &str,
    app: Arc<App>,
    limits_seen: &[f64],
    dur: Duration,
) -> Res<()> {
    // Dropped on an error, the server stops with it.
    let server = reads::Server::start(app).await?;
    for (c, limit) in CLIENTS.iter().zip(limits_seen) {
        let o = http_cases::run(server.addr, *c as usize, dur).await?;
        transitions(report, &format!("{backend} over HTTP"), *c, &o, *limit);
    }
    server.stop().await;
    Ok(())
}
