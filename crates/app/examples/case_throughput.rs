//! A first measure of the case write path, beside the physical limit measured in the same run.
//!
//! ```sh
//! cargo run --release -p tongban-app --example case_throughput -- [cases] [postgres-url]
//! ```
//!
//! It loads the demo city into a fresh store (SQLite in a temp dir, `synchronous=FULL`, or the
//! PostgreSQL database given), then drives `cases` full lifecycles of 不动产转移登记 through the
//! application layer, one client: online submission, acceptance, three parallel branches,
//! the decision, payment and delivery (7 transitions). It prints transitions per second and the
//! p50/p99 latency of one transition, and, for the limit, single-row INSERT commits per second on
//! the same database. The benchmark suite of issue 7 replaces this with concurrent clients.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use tongban_app::accounts::actor_of;
use tongban_app::cases::NewCase;
use tongban_app::{App, Clock};
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::Command;
use tongban_domain::catalog::Delivery;
use tongban_domain::org::Actor;
use tongban_store::{Options, Store};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let cases: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let url = args.next();
    let (store, label) = match &url {
        Some(url) => {
            let opts = Options {
                pg_schema: Some(format!("bench_{}", std::process::id())),
                ..Options::default()
            };
            (Store::open(url, &opts).await?, "PostgreSQL")
        }
        None => {
            let dir = std::env::temp_dir().join(format!("tongban_bench_{}", std::process::id()));
            (
                Store::open(dir.to_str().ok_or("temp dir")?, &Options::default()).await?,
                "SQLite (WAL, synchronous=FULL)",
            )
        }
    };
    store.migrate().await?;
    let limit = insert_limit(&store).await?;
    let app = App::new(
        store,
        Clock::simulated_at(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()),
    )
    .await?;
    app.load_demo().await?;
    app.load_demo_catalog().await?;
    let who = |login: &'static str| {
        let app = &app;
        async move {
            let user = app.store.user_by_login(login).await?.ok_or("demo user")?;
            Res::<Actor>::Ok(actor_of(&user))
        }
    };
    let user = who("user01").await?;
    let clerk = who("zrzy.clerk").await?;
    let zrzy = who("zrzy.approver").await?;
    let swj = who("swj.approver").await?;
    let zjj = who("zjj.approver").await?;
    let head = who("zrzy.head").await?;
    let code = app.public_item("QR00701002").await?.0.implementation_code;
    let mut materials = BTreeMap::new();
    for k in ["m1", "m2", "m3", "m4"] {
        let f = app
            .upload_case_file(
                &user,
                &format!("{k}.pdf"),
                format!("%PDF-1.4 {k}").as_bytes(),
            )
            .await?;
        materials.insert(k.to_string(), vec![f]);
    }
    let present: BTreeSet<String> = materials.keys().cloned().collect();
    let mut latencies = Vec::with_capacity(cases * 8);
    let started = Instant::now();
    for _ in 0..cases {
        let t = Instant::now();
        let case = app
            .submit_case(
                &user,
                NewCase {
                    item_code: code.clone(),
                    applicant: None,
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials: materials.clone(),
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await?;
        latencies.push(t.elapsed());
        let n = case.case.number.to_string();
        let decide = |step: &str| Command::Decide {
            step: step.into(),
            approve: true,
            opinion: String::new(),
        };
        let steps: Vec<(&Actor, Command)> = vec![
            (
                &clerk,
                Command::Accept {
                    check: MaterialCheck {
                        present: present.clone(),
                        defective: vec![],
                    },
                },
            ),
            (&zrzy, decide("s2a")),
            (&swj, decide("s2b")),
            (&zjj, decide("s2c")),
            (&head, decide("s3")),
            (
                &clerk,
                Command::PayFee {
                    reference: "B1".into(),
                    amount_fen: 8000,
                },
            ),
            (
                &clerk,
                Command::Deliver {
                    method: Delivery::Window,
                    note: String::new(),
                },
            ),
        ];
        for (actor, cmd) in steps {
            let t = Instant::now();
            app.act_on_case(actor, &n, None, cmd).await?;
            latencies.push(t.elapsed());
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    let rate = latencies.len() as f64 / elapsed;
    println!("backend: {label}");
    println!(
        "single-row INSERT commits/s (limit): {limit:.0}\n\
         case transitions/s, 1 client:        {rate:.0} ({} transitions, {cases} cases)\n\
         ratio to the limit:                  {:.2}\n\
         one transition p50 / p99:            {:.2} ms / {:.2} ms",
        latencies.len(),
        rate / limit,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    Ok(())
}

/// Single-row INSERT commits per second, one client, on the same database and settings.
async fn insert_limit(store: &Store) -> Res<f64> {
    let n = 500;
    let started = Instant::now();
    for i in 0..n {
        store
            .enqueue_notification("bench", "limit", "", "", Some(&format!("b{i}")), Utc::now())
            .await?;
    }
    Ok(f64::from(n) / started.elapsed().as_secs_f64())
}
