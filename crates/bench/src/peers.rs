//! Peers, side by side: the same six-transition process (accept, two parallel reviews, decide,
//! deliver, plus the start) in SpiffWorkflow and bpmn-engine, each committing its full state to
//! SQLite (WAL, synchronous=FULL) after every transition (`bench/peers/`), against Tongban's
//! case lifecycle on SQLite with one client measured in the same run.

use std::process::Command;
use std::sync::Arc;

use tongban_store::{Options, Store};

use crate::report::Report;
use crate::{demo_app, lifecycle, Plan, Res};

pub async fn section(plan: &Plan, scratch: &std::path::Path, report: &mut Report) -> Res<()> {
    let instances = if plan.full { 1000 } else { 200 };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peers/run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(instances.to_string())
        .output()?;
    if !out.status.success() {
        eprintln!(
            "peers: {} failed; the engines are installed from PyPI and npm by bench/peers/setup.sh\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = scratch.join("peers_tongban");
    let store = Store::open(dir.to_str().ok_or("scratch path")?, &Options::default()).await?;
    let app = demo_app(store).await?;
    let ours = lifecycle::run(Arc::clone(&app), 1, plan.dur()).await?;
    report.add(
        "Tongban: case transitions, SQLite FULL, 1 client (peer baseline)",
        ours.per_sec,
        "transitions/s",
    );
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let engine = v["engine"].as_str().unwrap_or("peer");
        let version = v["version"].as_str().unwrap_or("");
        let rate = v["transitions_per_sec"].as_f64().unwrap_or(0.0);
        report.add(
            format!("{engine} {version}: transitions, SQLite FULL, 1 client"),
            rate,
            &format!(
                "transitions/s (p50 {:.1} ms, p99 {:.1} ms)",
                v["p50_ms"].as_f64().unwrap_or(0.0),
                v["p99_ms"].as_f64().unwrap_or(0.0)
            ),
        );
        report.against(
            format!("Tongban as a multiple of {engine}"),
            ours.per_sec,
            "transitions/s",
            &format!("{engine} transitions/s"),
            rate,
        );
    }
    Ok(())
}
