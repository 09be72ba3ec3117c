//! The real server when its disk refuses writes: it must answer 503 `store.unavailable`, never
//! acknowledge a write it did not commit, and recover by itself when the fault clears.
//!
//! The fault is a file-size limit of zero set on the running server with `prlimit` (every write
//! to the database or its WAL then fails, as on a full disk, with SQLite's `disk I/O error`), and
//! lifted the same way. The server runs with SIGXFSZ ignored, so the limit fails the writes
//! instead of killing the process.

mod harness;

use std::process::Command;

use harness::{Server, Session, Target};

fn prlimit(pid: u32, fsize: &str) {
    let ok = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--fsize={fsize}")])
        .status()
        .expect("prlimit runs (util-linux)")
        .success();
    assert!(ok, "prlimit --fsize={fsize}");
}

#[test]
fn a_full_disk_answers_503_acknowledges_nothing_and_recovers() {
    let dir = harness::temp_dir("diskfull");
    let target = Target::sqlite(dir.clone());
    let server = Server::start(&target, true);
    let applicant = Session::open(server.addr, "user01");
    let clerk = Session::open(server.addr, "zrzy.clerk");
    let filing = applicant.filing();
    // Every write acknowledged, as (idempotency key, case number).
    let mut acknowledged: Vec<(String, String)> = Vec::new();

    let (status, first) = applicant.file(&filing, "before").expect("answer");
    assert_eq!(status, 201, "{first}");
    let number = first["number"].as_str().expect("number").to_string();
    let version = first["version"].as_i64().expect("version");
    acknowledged.push(("before".into(), number.clone()));

    // The disk fills: nothing is acknowledged, every write says so with the stable code.
    prlimit(server.pid(), "0:");
    for i in 0..5 {
        let key = format!("during-{i}");
        let (status, answer) = applicant.file(&filing, &key).expect("answer");
        assert_eq!(status, 503, "filing {i} while the disk is full: {answer}");
        assert_eq!(answer["code"], "store.unavailable", "{answer}");
        let (status, answer) = clerk.accept(&number, version).expect("answer");
        assert_eq!(status, 503, "action {i} while the disk is full: {answer}");
        assert_eq!(answer["code"], "store.unavailable", "{answer}");
    }

    // Space returns: the same requests now succeed, with no restart.
    prlimit(server.pid(), "unlimited:");
    for i in 0..5 {
        let key = format!("during-{i}");
        let (status, answer) = applicant.file(&filing, &key).expect("answer");
        assert_eq!(status, 201, "filing {i} after the disk has room: {answer}");
        let n = answer["number"].as_str().expect("number").to_string();
        acknowledged.push((key, n));
    }
    let (status, accepted) = clerk.accept(&number, version).expect("answer");
    assert_eq!(
        status, 200,
        "the action after the disk has room: {accepted}"
    );
    let accepted_version = accepted["version"].as_i64().expect("version");

    // What was acknowledged is there at once…
    for (key, n) in &acknowledged {
        let (status, case) = applicant.get(&format!("/api/v1/cases/{n}")).expect("read");
        assert_eq!(status, 200, "{key}: {n} readable right after: {case}");
    }
    // …no write transaction is left open (an outside writer gets the lock)…
    let db = dir.join("tongban.db");
    let outside = Command::new("sqlite3")
        .arg(&db)
        .arg(".timeout 5000")
        .arg("BEGIN IMMEDIATE; ROLLBACK;")
        .output()
        .expect("sqlite3 runs");
    assert!(
        outside.status.success(),
        "an outside writer gets the lock: {}",
        String::from_utf8_lossy(&outside.stderr)
    );
    // …and after a clean stop and a restart, all of it is still there, once.
    server.stop();
    let server = Server::start(&target, false);
    let applicant = applicant.at(server.addr);
    for (key, n) in &acknowledged {
        let (status, case) = applicant.get(&format!("/api/v1/cases/{n}")).expect("read");
        assert_eq!(status, 200, "{key}: {n} after the restart: {case}");
        let (status, again) = applicant.file(&filing, key).expect("answer");
        assert!(status == 200 || status == 201, "{again}");
        assert_eq!(again["number"].as_str(), Some(n.as_str()), "{key} retried");
    }
    let (status, case) = applicant
        .get(&format!("/api/v1/cases/{number}"))
        .expect("read");
    assert_eq!(status, 200);
    assert_eq!(case["version"].as_i64(), Some(accepted_version), "{case}");
    drop(server);
    let verify = harness::tongban(&target, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
