//! The annual disclosure report at scale (issue 19: a city's report over a million requests and
//! a million catalog entries in ≤ 1 s). The demo's 60 requests (every outcome row, 2025 and
//! 2026) are copied by the store until the city holds `--cases N` requests (100,000 in quick
//! mode, 1,000,000 in full mode), and one published 规章 entry as many times; then the city's
//! roll-up of 2025 is read by its supervisor: the first read (tables 三 and 四 computed from the
//! state documents, table 二 in one query), a read again with no write in between (the
//! requests' fingerprint and table 二's query, the tables kept in memory), and table 二's query
//! alone.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use tongban_app::accounts::actor_of;
use tongban_app::disclosure_catalog::CatalogQuery;
use tongban_app::{App, Clock};
use tongban_domain::disclosure::catalog::Heading;
use tongban_store::disclosure::ReportScope;
use tongban_store::{Options, Store};

use crate::report::{quantile, Report};
use crate::{Plan, Res};

pub async fn section(plan: &Plan, scratch: &std::path::Path, report: &mut Report) -> Res<()> {
    let size = match (plan.cases, plan.full) {
        (Some(n), _) => n.max(60),
        (None, true) => 1_000_000,
        (None, false) => 100_000,
    };
    let dir = scratch.join("disclosure_sqlite");
    let store = Store::open(dir.to_str().ok_or("scratch path")?, &Options::default()).await?;
    let outcome = run(store, "SQLite", size, report).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    if let Some(url) = &plan.pg {
        let schema = format!("bench_disclosure_{}", std::process::id());
        let store = Store::open(
            url,
            &Options {
                pg_schema: Some(schema.clone()),
                ..Options::default()
            },
        )
        .await?;
        let outcome = run(store, "PostgreSQL", size, report).await;
        crate::limits::drop_schema(url, &schema).await?;
        outcome?;
    }
    Ok(())
}

async fn run(store: Store, backend: &str, size: i64, report: &mut Report) -> Res<()> {
    store.migrate().await?;
    // 2 March 2026: the 2025 report is the one being written.
    let now = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .ok_or("date")?;
    let app = App::new(store, Clock::simulated_at(now)).await?;
    app.load_demo().await?;
    let (_, numbers) = app.load_demo_disclosure().await?;
    app.load_demo_disclosure_catalog().await?;
    let t = Instant::now();
    let copies = app
        .store
        .bulk_disclosure_copies(&numbers, "BENCH", size - numbers.len() as i64, 50_000)
        .await?;
    let rule = app
        .catalog_entries(
            None,
            &CatalogQuery {
                heading: Some(Heading::Rules),
                ..CatalogQuery::default()
            },
        )
        .await?
        .into_iter()
        .next()
        .ok_or("no demo 规章")?;
    let template = app
        .store
        .catalog_entry_by_index(&rule.index_no)
        .await?
        .ok_or("no template entry")?
        .id;
    let entries = app
        .store
        .bulk_catalog_copies(template, "BENCH-", size, 50_000)
        .await?;
    eprintln!(
        "  {backend}: {copies} request copies and {entries} catalog copies in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let sup = actor_of(
        &app.store
            .user_by_login("jiancha")
            .await?
            .ok_or("no demo supervisor")?,
    );
    let city = ReportScope::Region("361200".into());
    let t = Instant::now();
    let v = app.disclosure_report(&sup, &city, 2025).await?;
    let first = t.elapsed().as_secs_f64() * 1e3;
    if !v.balanced {
        return Err("the report does not balance".into());
    }
    let mut again = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        app.disclosure_report(&sup, &city, 2025).await?;
        again.push(t.elapsed().as_secs_f64() * 1e3);
    }
    again.sort_by(f64::total_cmp);
    let mut table2 = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        app.store.proactive_counts(&city, 2025).await?;
        table2.push(t.elapsed().as_secs_f64() * 1e3);
    }
    table2.sort_by(f64::total_cmp);
    let n = format!("{size} requests + {size} catalog entries");
    report.add(
        format!("{backend}: disclosure annual report, city 2025, {n}: first read"),
        first,
        "ms",
    );
    report.add(
        format!("{backend}: … read again with no write since, p50"),
        quantile(&again, 0.5),
        "ms",
    );
    report.add(
        format!("{backend}: … table 二 from the catalog (one query), p50"),
        quantile(&table2, 0.5),
        "ms",
    );
    Ok(())
}
