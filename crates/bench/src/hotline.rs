//! The 12345 hotline (issue 18's figures): creating and dispatching a ticket as operators do
//! (by 1, 4 and 20 operators at once, checking afterwards that none was lost or dispatched
//! twice), then, over a month's volume of tickets copied from real ones with whole event logs
//! (`Store::bulk_tickets`), the incoming-call pop-up, a month's 三率 for every unit and the
//! monthly report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use tongban_app::hotline::{TicketAction, TicketInput};
use tongban_app::App;
use tongban_store::{Options, Store};

use crate::report::{quantile, Report};
use crate::{demo_app, Plan, Res};

pub async fn section(plan: &Plan, scratch: &std::path::Path, report: &mut Report) -> Res<()> {
    let size = plan
        .tickets
        .unwrap_or(if plan.full { 999_999 } else { 100_000 });
    let dir = scratch.join("hotline_sqlite");
    let store = Store::open(dir.to_str().ok_or("scratch path")?, &Options::default()).await?;
    let outcome = run(store, "SQLite", size, plan.dur(), report).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    if let Some(url) = &plan.pg {
        let schema = format!("bench_hotline_{}", std::process::id());
        let store = Store::open(
            url,
            &Options {
                pg_schema: Some(schema.clone()),
                max_connections: 24,
                ..Options::default()
            },
        )
        .await?;
        let outcome = run(store, "PostgreSQL", size, plan.dur(), report).await;
        crate::limits::drop_schema(url, &schema).await?;
        outcome?;
    }
    Ok(())
}

fn complaint(i: usize) -> TicketInput {
    let (subject, region) = [
        ("urban.stall", "361202001000"),
        ("urban.road", "361203001000"),
        ("urban.stall", "361203001000"),
    ][i % 3];
    TicketInput {
        category: ["complaint", "help", "suggestion"][i % 3].into(),
        channel: Some("phone".into()),
        subject: subject.into(),
        region: region.into(),
        caller_name: Some("王秀英".into()),
        caller_phone: Some(format!("137{:08}", i % 100_000_000)),
        text: "滨江路夜市占道经营，堵塞消防通道。".into(),
        place: Some(format!("临江街道滨江路{}号", i % 500)),
        ..TicketInput::default()
    }
}

fn dispatch() -> TicketAction {
    TicketAction::Dispatch {
        lead: None,
        co: Vec::new(),
        note: String::new(),
    }
}

/// `clients` operators each filing and dispatching tickets for `dur`: the latency of the pair
/// in ms, and the numbers filed.
async fn intake(
    app: &Arc<App>,
    clients: usize,
    dur: Duration,
    offset: usize,
) -> Res<(Vec<f64>, Vec<String>)> {
    let ops = ["huawu", "huawu2"];
    let mut tasks = Vec::new();
    for c in 0..clients {
        let app = app.clone();
        let op = crate::lifecycle::actor(&app, ops[c % ops.len()]).await?;
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut filed = Vec::new();
            let start = Instant::now();
            let mut i = offset + c * 1_000_000;
            while start.elapsed() < dur {
                let t = Instant::now();
                let v = app.file_ticket(&op, complaint(i)).await?;
                app.ticket_act(&op, &v.number, dispatch()).await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                filed.push(v.number);
                i += 1;
            }
            Ok::<_, tongban_app::AppError>((lat, filed))
        }));
    }
    let mut lat = Vec::new();
    let mut filed = Vec::new();
    for t in tasks {
        let (l, f) = t.await??;
        lat.extend(l);
        filed.extend(f);
    }
    lat.sort_by(f64::total_cmp);
    Ok((lat, filed))
}

async fn run(
    store: Store,
    backend: &str,
    size: i64,
    dur: Duration,
    report: &mut Report,
) -> Res<()> {
    let app = demo_app(store).await?;
    app.load_demo_hotline().await?;
    let mut offset = 0;
    for clients in [1usize, 4] {
        let (lat, filed) = intake(&app, clients, dur, offset).await?;
        offset += 10_000_000;
        report.add(
            format!("{backend}: 12345 create and dispatch a ticket, {clients} operators, p50"),
            quantile(&lat, 0.5),
            &format!(
                "ms (p99 {:.1} ms, {} tickets, {:.0} /s; goal p99 ≤ 20 ms)",
                quantile(&lat, 0.99),
                filed.len(),
                filed.len() as f64 / dur.as_secs_f64()
            ),
        );
    }
    // 20 operators at once: every ticket answered is stored once and dispatched once.
    let (lat, filed) = intake(&app, 20, dur, offset).await?;
    let op = crate::lifecycle::actor(&app, "huawu").await?;
    let mut lost = 0;
    let mut twice = 0;
    for n in &filed {
        match app.ticket(&op, n).await {
            Ok(v) => {
                let d = v.history.iter().filter(|h| h.kind == "dispatched").count();
                twice += usize::from(d != 1);
            }
            Err(_) => lost += 1,
        }
    }
    report.add(
        format!("{backend}: 12345 20 operators at once, p50"),
        quantile(&lat, 0.5),
        &format!(
            "ms (p99 {:.1} ms, {} tickets: {lost} lost, {twice} not dispatched exactly once)",
            quantile(&lat, 0.99),
            filed.len()
        ),
    );
    if lost + twice > 0 {
        return Err(format!("{lost} tickets lost, {twice} dispatched other than once").into());
    }

    // Templates in every state: some signed and replied, some called back.
    let clerk = |region: &str| {
        if region.starts_with("361203") {
            "nanhu.clerk"
        } else {
            "linjiang.clerk"
        }
    };
    let mut templates = Vec::new();
    for (k, n) in filed.iter().take(300).enumerate() {
        let v = app.ticket(&op, n).await?;
        if k % 3 != 0 {
            if let Some(unit) = v.holder.as_ref() {
                let who = crate::lifecycle::actor(&app, clerk(&v.region)).await?;
                if who.department_id == Some(unit.department_id) {
                    app.ticket_act(&who, n, TicketAction::Sign).await?;
                    app.ticket_act(
                        &who,
                        n,
                        TicketAction::Reply {
                            text: "已责令整改，现场已恢复通行。".into(),
                        },
                    )
                    .await?;
                    if k % 3 == 1 {
                        let result = if k % 2 == 0 { "satisfied" } else { "basic" };
                        app.ticket_act(
                            &op,
                            n,
                            TicketAction::CallBack {
                                result: result.into(),
                                note: String::new(),
                            },
                        )
                        .await?;
                    }
                }
            }
        }
        if let Some(row) = app.store.ticket_row(n).await? {
            templates.push(row.id);
        }
    }

    // The month's volume, copied with whole logs.
    let t = Instant::now();
    let n = app
        .store
        .bulk_tickets(&templates, "H20250101", size, 2_000)
        .await?;
    let secs = t.elapsed().as_secs_f64();
    let at = if n >= 1_000_000 - 1 {
        "1M".to_string()
    } else {
        format!("{}k", n / 1000)
    };
    report.add(
        format!("{backend} {at}: 12345 bulk load of tickets with their logs"),
        secs,
        &format!("s ({:.0} tickets/s)", n as f64 / secs),
    );

    // The incoming-call pop-up: a caller's history by phone.
    let mut rng = rand::thread_rng();
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let i: i64 = rng.gen_range(1..=n.max(1));
        let phone = format!("139{:08}", i % 50_000_000);
        let t = Instant::now();
        let h = app.caller_history(&op, &phone).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        if h.is_empty() {
            return Err(format!("no history for {phone}").into());
        }
    }
    samples.sort_by(f64::total_cmp);
    report.add(
        format!("{backend} {at}: 12345 caller-history pop-up, p50"),
        quantile(&samples, 0.5),
        &format!(
            "ms (p99 {:.2} ms; goal p99 ≤ 5 ms)",
            quantile(&samples, 0.99)
        ),
    );

    // A month's 三率 for every unit, and the monthly report, over the month's tickets.
    let month = tongban_domain::time::local_date(app.now())
        .format("%Y-%m")
        .to_string();
    let mut samples = Vec::new();
    let mut counted = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = app.hotline_rates(&month).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        counted = r.total.counts.dispatched;
    }
    samples.sort_by(f64::total_cmp);
    report.add(
        format!("{backend} {at}: 12345 a month's 三率 for every unit, p50"),
        quantile(&samples, 0.5),
        &format!(
            "ms (max {:.0} ms, {counted} dispatches counted; goal ≤ 200 ms)",
            samples.last().copied().unwrap_or(0.0)
        ),
    );
    let mut samples = Vec::new();
    let mut total = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = app.hotline_report(&month).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        total = r.total;
    }
    samples.sort_by(f64::total_cmp);
    report.add(
        format!("{backend} {at}: 12345 monthly report, p50"),
        quantile(&samples, 0.5),
        &format!(
            "ms (max {:.0} ms, {total} tickets received in the month)",
            samples.last().copied().unwrap_or(0.0)
        ),
    );
    app.store.close().await;
    Ok(())
}
