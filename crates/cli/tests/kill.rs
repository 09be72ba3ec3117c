//! Nothing acknowledged is lost: the real server, killed with SIGKILL in the middle of load from
//! concurrent clients, three times, on SQLite and (when `TONGBAN_TEST_DATABASE_URL` is set)
//! PostgreSQL.
//!
//! Every client files cases with an Idempotency-Key and accepts each one, and records every
//! write the server acknowledged, and every write it sent without an answer (in doubt). A kill
//! comes once the clients have made progress since the last start (counted in acknowledged
//! writes, not time). After the last restart every acknowledged write must be there, no command
//! half-applied (a case's version, status and event log agree), the audit chain must verify, and
//! a retry with the same key must give back the first case, never a second one.

mod harness;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use harness::{Server, Session, Target};
use serde_json::Value;

/// Concurrent clients, each a different applicant.
const CLIENTS: usize = 4;
/// Kills per backend.
const KILLS: usize = 3;
/// Acknowledged writes to wait for after each start before the kill.
const PROGRESS: usize = 12;

/// What the clients saw.
#[derive(Debug, Default)]
struct Ledger {
    /// Filings answered 201: key → (client, case number).
    filed: BTreeMap<String, (usize, String)>,
    /// Filings sent and never answered: (client, key).
    filing_in_doubt: Vec<(usize, String)>,
    /// Acceptances answered 200: case number → version answered.
    accepted: BTreeMap<String, i64>,
    /// Writes acknowledged since the last start.
    since_start: usize,
}

/// The ledger, and a signal on every acknowledged write.
type Shared = Arc<(Mutex<Ledger>, Condvar)>;

/// Records an acknowledged write.
fn acknowledged(shared: &Shared, record: impl FnOnce(&mut Ledger)) {
    let mut l = shared.0.lock().unwrap();
    record(&mut l);
    l.since_start += 1;
    shared.1.notify_all();
}

/// One client's loop until the server goes away: file, then accept what was filed.
fn client(
    n: usize,
    round: usize,
    applicant: Session,
    clerk: Session,
    filing: Value,
    shared: Shared,
    stop: Arc<AtomicBool>,
) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let key = format!("c{n}-r{round}-{i}");
        i += 1;
        let answer = applicant.file(&filing, &key);
        let Ok((status, case)) = answer else {
            shared.0.lock().unwrap().filing_in_doubt.push((n, key));
            return;
        };
        assert_eq!(status, 201, "filing {key}: {case}");
        let number = case["number"].as_str().expect("number").to_string();
        let version = case["version"].as_i64().expect("version");
        acknowledged(&shared, |l| {
            l.filed.insert(key.clone(), (n, number.clone()));
        });
        let Ok((status, after)) = clerk.accept(&number, version) else {
            return;
        };
        assert_eq!(status, 200, "accepting {number}: {after}");
        let version = after["version"].as_i64().expect("version");
        acknowledged(&shared, |l| {
            l.accepted.insert(number, version);
        });
    }
}

/// Starts, loads, kills `KILLS` times, restarts and checks everything acknowledged.
fn survive_kills(target: &Target) {
    let mut server = Server::start(target, false);
    let applicants: Vec<Session> = (0..CLIENTS)
        .map(|c| Session::open(server.addr, &format!("user{:02}", c + 1)))
        .collect();
    let clerk = Session::open(server.addr, "zrzy.clerk");
    let filings: Vec<Value> = applicants.iter().map(Session::filing).collect();
    let shared: Shared = Arc::new((Mutex::new(Ledger::default()), Condvar::new()));

    for round in 0..KILLS {
        shared.0.lock().unwrap().since_start = 0;
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..CLIENTS)
            .map(|n| {
                let (a, c, f) = (
                    applicants[n].at(server.addr),
                    clerk.at(server.addr),
                    filings[n].clone(),
                );
                let (l, s) = (shared.clone(), stop.clone());
                std::thread::spawn(move || client(n, round, a, c, f, l, s))
            })
            .collect();
        // Mid-load: once the clients have had writes acknowledged since this start.
        // (The wait wakes on every acknowledgement; its timeout only lets it notice clients
        // that stopped early, whose panic the join below reports.)
        let mut l = shared.0.lock().unwrap();
        while l.since_start < PROGRESS && !threads.iter().all(|t| t.is_finished()) {
            l = shared
                .1
                .wait_timeout(l, Duration::from_millis(200))
                .unwrap()
                .0;
        }
        drop(l);
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().expect("a client thread");
        }
        server = Server::start(target, false);
    }

    let l = shared.0.lock().unwrap();
    assert!(
        l.filed.len() >= KILLS * PROGRESS / 2,
        "{} filed",
        l.filed.len()
    );
    let applicants: Vec<Session> = applicants.iter().map(|a| a.at(server.addr)).collect();
    // Every acknowledged filing is there, and whole: an accepted case shows its acceptance in
    // its version, its status and its log; one not accepted shows none of it.
    for (key, (n, number)) in &l.filed {
        let (status, case) = applicants[*n]
            .get(&format!("/api/v1/cases/{number}"))
            .expect("read");
        assert_eq!(status, 200, "{key}: {number} is there: {case}");
        let version = case["version"].as_i64().expect("version");
        if let Some(acked) = l.accepted.get(number) {
            assert_eq!(version, *acked, "{number}: the acceptance acknowledged");
        }
        let (status, events) = applicants[*n]
            .get(&format!("/api/v1/cases/{number}/events"))
            .expect("read");
        assert_eq!(status, 200, "{events}");
        let kinds: Vec<&str> = events
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        let accepted = kinds.contains(&"accepted");
        assert_eq!(
            accepted,
            version > 1,
            "{number}: version {version} and its log {kinds:?} agree"
        );
        assert_eq!(
            accepted,
            case["status"] != "received",
            "{number}: status {} and its log {kinds:?} agree",
            case["status"]
        );
        // The same key again gives back the same case.
        let (status, again) = applicants[*n].file(&filings[*n], key).expect("retry");
        assert!(status == 200 || status == 201, "{key} retried: {again}");
        assert_eq!(
            again["number"].as_str(),
            Some(number.as_str()),
            "{key} retried"
        );
    }
    // A filing left in doubt by a kill was either committed whole or not at all: its retry
    // files it (or finds it) once.
    for (n, key) in &l.filing_in_doubt {
        let (status, first) = applicants[*n].file(&filings[*n], key).expect("retry");
        assert!(status == 200 || status == 201, "{key} retried: {first}");
        let (_, second) = applicants[*n].file(&filings[*n], key).expect("retry");
        assert_eq!(first["number"], second["number"], "{key}: one case");
    }
    server.stop();
    let verify = harness::tongban(target, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn sigkill_mid_load_loses_nothing_acknowledged_on_sqlite() {
    let dir = harness::temp_dir("kill");
    survive_kills(&Target::sqlite(dir.clone()));
    let _ = std::fs::remove_dir_all(&dir);
}

fn psql(url: &str, sql: &str) {
    let ok = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .status()
        .expect("psql runs")
        .success();
    assert!(ok, "psql: {sql}");
}

#[test]
fn sigkill_mid_load_loses_nothing_acknowledged_on_postgres() {
    let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") else {
        return;
    };
    // A database of its own: the server migrates and loads the demo city into it.
    let name = format!(
        "tongban_kill_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    let (base, _) = url.rsplit_once('/').expect("a database in the URL");
    psql(&url, &format!("CREATE DATABASE {name}"));
    let dir = harness::temp_dir("kill_pg");
    survive_kills(&Target::postgres(dir.clone(), format!("{base}/{name}")));
    psql(&url, &format!("DROP DATABASE {name} WITH (FORCE)"));
    let _ = std::fs::remove_dir_all(&dir);
}
