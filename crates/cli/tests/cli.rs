//! The `tongban` binary as a person runs it: exit codes and what it prints.

use std::path::PathBuf;
use std::process::{Command, Output};

use tongban_domain::codes;

fn tongban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .env_remove("TONGBAN_DATABASE_URL")
        .env("TONGBAN_LOG_LEVEL", "warn")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tongban_cli_{tag}_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ))
}

#[test]
fn validators_pass_the_published_vectors_and_name_the_fault() {
    let ok = tongban(&["validate", "id", "11010519491231002X"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("110105********002X"));
    let bad = tongban(&["validate", "id", "110105194912310021"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("末位应为X") && stderr(&bad).contains("110105194912310021"),
        "{}",
        stderr(&bad)
    );
    let date = tongban(&["validate", "id", "110105194902300021"]);
    assert!(stderr(&date).contains("出生日期"));
    let short = tongban(&["validate", "id", "1101"]);
    assert!(stderr(&short).contains("18位"));

    assert_eq!(
        tongban(&["validate", "uscc", "91350100M000100Y43"])
            .status
            .code(),
        Some(0)
    );
    let bad = tongban(&["validate", "uscc", "91350100M000100Y44"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("末位应为3"));
    let letter = tongban(&["validate", "uscc", "91350100M000100I43"]);
    assert!(stderr(&letter).contains("第16位"));
}

#[test]
fn calendar_answers_match_the_official_notices() {
    let dir = temp_dir("cal");
    let data = dir.to_str().unwrap();
    let cases = [
        ("2025-01-24", "5", "2025-02-07"),
        ("2025-09-26", "5", "2025-10-10"),
        ("2026-02-10", "5", "2026-02-24"),
        ("2026-09-18", "20", "2026-10-22"),
    ];
    for (start, days, due) in cases {
        let o = tongban(&[
            "--data", data, "calendar", "due", "--start", start, "--days", days,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().last(), Some(due), "{start} + {days}");
    }
    assert!(
        !dir.join("tongban.db").exists(),
        "asking the calendar creates no database"
    );
    let explained = tongban(&[
        "--data",
        data,
        "calendar",
        "due",
        "--start",
        "2026-02-10",
        "--days",
        "5",
        "--explain",
    ]);
    let text = stdout(&explained);
    assert!(
        text.contains("2026-02-14 周六 春节调休上班 计入第4日") && text.ends_with("2026-02-24\n"),
        "{text}"
    );
    let n = tongban(&[
        "--data",
        data,
        "calendar",
        "workdays",
        "--from",
        "2026-09-30",
        "--to",
        "2026-10-12",
    ]);
    assert_eq!(stdout(&n).trim(), "4");
    let missing = tongban(&[
        "--data",
        data,
        "calendar",
        "due",
        "--start",
        "2026-12-20",
        "--days",
        "20",
    ]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(stderr(&missing).contains("2027"), "{}", stderr(&missing));
    let bad = tongban(&[
        "--data",
        data,
        "calendar",
        "due",
        "--start",
        "2026-02-30",
        "--days",
        "5",
    ]);
    assert!(stderr(&bad).contains("2026-02-30"));
}

#[test]
fn audit_verify_catches_a_record_edited_in_the_database() {
    let dir = temp_dir("audit");
    let data = dir.to_str().unwrap();
    let demo = tongban(&["--data", data, "demo"]);
    assert_eq!(demo.status.code(), Some(0), "{}", stderr(&demo));
    assert!(stdout(&demo).contains("scjg.clerk") && stdout(&demo).contains("Tongban@2026"));
    let again = tongban(&["--data", data, "demo"]);
    assert_ne!(
        again.status.code(),
        Some(0),
        "the demo loads only into an empty database"
    );
    let ok = tongban(&["--data", data, "audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    let db = dir.join("tongban.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 42")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let broken = tongban(&["--data", data, "audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("#42") && stderr(&broken).contains(codes::Audit::Altered.as_str()),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn a_production_configuration_refuses_the_simulated_clock() {
    let dir = temp_dir("prod");
    let o = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args([
            "--data",
            dir.to_str().unwrap(),
            "serve",
            "--simulated-clock",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("TONGBAN_PRODUCTION", "true")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("simulated-clock"), "{}", stderr(&o));

    let cfg = dir.with_extension("toml");
    std::fs::write(&cfg, "[server]\nlissen = \"x\"\n").unwrap();
    let o = tongban(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("lissen"));
}
