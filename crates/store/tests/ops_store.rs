//! What an operator relies on, against every backend: `audit verify` under load, the heartbeat
//! behind `/readyz`, a lock held by another process waited for, not failed at once.

use chrono::{TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_store::audit::Verified;
use tongban_store::Kind;

mod common;
use common::backends;

fn entry(n: usize) -> AuditEntry {
    AuditEntry {
        at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        actor: "admin".into(),
        role: "admin".into(),
        action: "ops.test".into(),
        target: String::new(),
        summary: format!("测试 {n}"),
        region: None,
    }
}

/// Verifying while records are appended must never report a healthy chain as broken: the head
/// and the records are read in one snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_reads_one_snapshot_while_records_are_appended() {
    for db in backends().await {
        let store = db.store.clone();
        for n in 0..50 {
            store.record_event(entry(n)).await.unwrap();
        }
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let store = store.clone();
                let stop = stop.clone();
                tokio::spawn(async move {
                    let mut n = 0usize;
                    while !*stop.borrow() && n < 5000 {
                        store.record_event(entry(w * 10_000 + n)).await.unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        for round in 0..60 {
            match store.audit_verify().await.unwrap() {
                Verified::Intact { records } => assert!(records >= 50),
                Verified::Broken(brk) => {
                    panic!(
                        "{:?} round {round}: healthy chain reported {brk}",
                        db.store.kind()
                    )
                }
            }
        }
        stop_tx.send(true).unwrap();
        let mut appended = 0;
        for w in writers {
            appended += w.await.unwrap();
        }
        assert!(appended > 0, "records were appended while verifying");
        assert!(matches!(
            store.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn the_heartbeat_is_a_write_outside_the_chain() {
    for db in backends().await {
        let s = &db.store;
        let before = s.audit_head().await.unwrap();
        s.heartbeat("node-a", Utc::now()).await.unwrap();
        s.heartbeat("node-a", Utc::now()).await.unwrap();
        s.heartbeat("node-b", Utc::now()).await.unwrap();
        assert_eq!(s.audit_head().await.unwrap(), before, "{:?}", s.kind());
    }
}

/// Another process holding SQLite's write lock (a backup tool, an operator's shell) makes a
/// write wait for it within the busy timeout, whether the write reads first or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_by_another_connection_is_waited_for() {
    let Some(db) = backends()
        .await
        .into_iter()
        .find(|d| d.store.kind() == Kind::Sqlite)
    else {
        return;
    };
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db.target);
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
        .await
        .unwrap();
    // One write at a time behind the outsider's lock: one that reads before it writes (the
    // upgrade from a read that SQLite refuses at once unless the transaction began IMMEDIATE),
    // one that writes first.
    for round in 0..2 {
        sqlx::raw_sql(
            "BEGIN IMMEDIATE; INSERT OR REPLACE INTO heartbeat (node, at) VALUES ('outsider', 0);",
        )
        .execute(&mut other)
        .await
        .unwrap();
        let s = db.store.clone();
        let write = tokio::spawn(async move {
            if round == 0 {
                s.keep_seal_authority(b"cert", b"secret", Utc::now(), entry(3))
                    .await
                    .map(drop)
            } else {
                s.record_event(entry(1)).await.map(drop)
            }
        });
        // Released after the write has met the lock; it must then go through.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
        write.await.unwrap().unwrap();
    }
}
