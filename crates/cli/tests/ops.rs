//! The binary as an operator runs it: configuration refused with a reason, an unreachable or
//! read-only database said plainly at start, `/readyz` telling whether writes are saved.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongban"));
    c.env_remove("TONGBAN_DATABASE_URL")
        .env_remove("TONGBAN_LOG_FORMAT")
        .env("TONGBAN_LOG_LEVEL", "warn");
    c
}

fn run(mut c: Command) -> Output {
    c.output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tongban_ops_{tag}_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_database_url_that_is_not_postgres_is_refused() {
    let dir = temp_dir("url");
    for url in [
        "postgress://u:secret@127.0.0.1/tb",
        "./tb.db",
        "sqlite:tb.db",
    ] {
        let mut c = bin();
        c.current_dir(&dir).args(["--database-url", url, "migrate"]);
        let o = run(c);
        assert_eq!(o.status.code(), Some(2), "{url}: {}", stderr(&o));
        assert!(stderr(&o).contains("postgres://"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("secret"), "{}", stderr(&o));
    }
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "no database was made: {left:?}");
}

#[test]
fn log_format_and_level_are_checked() {
    let dir = temp_dir("log");
    for (var, value) in [
        ("TONGBAN_LOG_FORMAT", "jsno"),
        ("TONGBAN_LOG_LEVEL", "verbose"),
        ("TONGBAN_LOG_LEVEL", "tongban=loud"),
    ] {
        let mut c = bin();
        c.args(["--data", dir.to_str().unwrap(), "migrate"])
            .env(var, value);
        let o = run(c);
        assert_eq!(o.status.code(), Some(2), "{var}={value}: {}", stderr(&o));
        assert!(stderr(&o).contains(value), "{}", stderr(&o));
    }
    let mut c = bin();
    c.args(["--data", dir.to_str().unwrap(), "migrate"])
        .env("TONGBAN_LOG_FORMAT", "json")
        .env("TONGBAN_LOG_LEVEL", "tongban=debug,warn");
    let o = run(c);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_unreachable_postgres_is_named_at_once() {
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = bin();
    c.args([
        "--database-url",
        &format!("postgres://postgres@127.0.0.1:{port}/tongban"),
        "migrate",
    ]);
    let o = run(c);
    assert_ne!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("connection refused 127.0.0.1:{port}")),
        "{err}"
    );
}

/// A server under test, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(mut c: Command) -> Server {
    c.args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = c.spawn().expect("the binary starts");
    let mut out = child.stdout.take().unwrap();
    // The first line names the address: "Tongban 已启动：http://127.0.0.1:PORT/".
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&line).into_owned();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Server { child, addr }
}

/// One HTTP/1.1 GET: the status and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// `/readyz` writes: a lock held past the busy timeout by another process answers 503
/// `store.busy` (while `/healthz`, which only reads, stays 200), and 200 once it is let go.
#[test]
fn readyz_answers_503_while_the_database_takes_no_writes() {
    let dir = temp_dir("ready");
    let mut c = bin();
    c.args(["--data", dir.to_str().unwrap()])
        .env("TONGBAN_SQLITE_BUSY_TIMEOUT_MS", "200");
    let server = serve(c);
    assert_eq!(get(&server.addr, "/readyz").0, 200);
    let db = dir.join("tongban.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut other = rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db);
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
            .await
            .unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE; DELETE FROM heartbeat WHERE node = 'nobody';")
            .execute(&mut c)
            .await
            .unwrap();
        c
    });
    let (status, body) = get(&server.addr, "/readyz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"store.busy\""), "{body}");
    assert_eq!(get(&server.addr, "/healthz").0, 200);
    rt.block_on(async {
        sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
    });
    assert_eq!(get(&server.addr, "/readyz").0, 200);
}

/// A tmpfs of our own, unmounted when dropped; `None` where this machine lets no test mount.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path) -> Option<Mount> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }

    fn read_only(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A database on a read-only mount is refused at start with a clear message, not served with
/// every write failing.
#[test]
fn a_read_only_database_is_refused_at_start() {
    let dir = temp_dir("ro");
    let Some(mount) = Mount::tmpfs(&dir) else {
        eprintln!("skipped: this machine lets the test mount no tmpfs");
        return;
    };
    let data = dir.join("data");
    let mut c = bin();
    c.args(["--data", data.to_str().unwrap(), "migrate"]);
    let o = run(c);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(mount.read_only(), "remounted read-only");
    let mut c = bin();
    c.args([
        "--data",
        data.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    let o = run(c);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("数据库只读"), "{}", stderr(&o));
}

/// Sends SIGTERM to the server and waits (bounded) for it to exit; its exit status, or `None`
/// if it is still running after a minute.
fn terminate(server: &mut Server) -> Option<std::process::ExitStatus> {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    for _ in 0..600 {
        if let Some(status) = server.child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    None
}

/// A connection that never finishes its request head, and one that never finishes its body,
/// do not keep a SIGTERM'd server alive: it exits after the grace period, cleanly.
#[test]
fn half_open_connections_do_not_hold_a_shutdown() {
    let dir = temp_dir("term");
    let mut c = bin();
    c.args(["--data", dir.to_str().unwrap()])
        .env("TONGBAN_HEADER_READ_TIMEOUT_SECS", "3600")
        .env("TONGBAN_BODY_READ_TIMEOUT_SECS", "3600")
        .env("TONGBAN_SHUTDOWN_GRACE_SECS", "1");
    let mut server = serve(c);
    let mut head = TcpStream::connect(&server.addr).unwrap();
    head.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut body = TcpStream::connect(&server.addr).unwrap();
    body.write_all(
        b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"kind\":",
    )
    .unwrap();
    // Both are in the server's hands before the signal.
    assert_eq!(get(&server.addr, "/healthz").0, 200);
    let status = terminate(&mut server).expect("the server exits after the grace period");
    assert!(status.success(), "{status:?}");
}

/// A client that stops sending its request head, or its body, is cut off by the server's
/// timeouts instead of holding a connection for ever.
#[test]
fn stalled_requests_are_cut_off() {
    let dir = temp_dir("stall");
    let mut c = bin();
    c.args(["--data", dir.to_str().unwrap()])
        .env("TONGBAN_HEADER_READ_TIMEOUT_SECS", "1")
        .env("TONGBAN_BODY_READ_TIMEOUT_SECS", "1");
    let server = serve(c);
    let wait = Some(std::time::Duration::from_secs(60));
    let mut head = TcpStream::connect(&server.addr).unwrap();
    head.set_read_timeout(wait).unwrap();
    head.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut rest = Vec::new();
    let closed = head.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "the server closed the connection: {closed:?}"
    );

    let mut body = TcpStream::connect(&server.addr).unwrap();
    body.set_read_timeout(wait).unwrap();
    body.write_all(
        b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"kind\":",
    )
    .unwrap();
    let mut answer = String::new();
    let read = body.read_to_string(&mut answer);
    assert!(read.is_ok(), "the server answered and closed: {read:?}");
    let status: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    assert!((400..500).contains(&status), "{answer}");
}

fn count_audit(db: &Path) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .read_only(true);
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
            .await
            .unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut c)
            .await
            .unwrap()
    })
}

/// Backups taken while another process writes (the demo city loading: thousands of audited
/// writes) are each one consistent snapshot whose chain verifies; a restore puts one back, the
/// replaced database is kept aside, and `audit verify` passes on the result. A restore under a
/// running server is refused.
#[test]
fn backups_under_load_verify_and_restore() {
    let dir = temp_dir("backup");
    let data = dir.join("data");
    let data_s = data.to_str().unwrap().to_string();
    let mut c = bin();
    c.args(["--data", &data_s, "migrate"]);
    assert_eq!(run(c).status.code(), Some(0));
    let mut c = bin();
    c.args(["--data", &data_s, "demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut load = c.spawn().unwrap();
    let mut taken = Vec::new();
    for n in 0.. {
        let to = dir.join(format!("copy-{n}.db"));
        let mut c = bin();
        c.args(["--data", &data_s, "backup", "--to", to.to_str().unwrap()]);
        let o = run(c);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("审计链完整"),
            "{o:?}"
        );
        taken.push(to);
        if load.try_wait().unwrap().is_some() || n >= 30 {
            break;
        }
    }
    assert!(load.wait().unwrap().success());
    // The last copy, taken after the load, holds all of it.
    let to = dir.join("final.db");
    let mut c = bin();
    c.args(["--data", &data_s, "backup", "--to", to.to_str().unwrap()]);
    assert_eq!(run(c).status.code(), Some(0));
    let mut c = bin();
    c.args(["--data", &data_s, "backup", "--to", to.to_str().unwrap()]);
    let o = run(c);
    assert_ne!(
        o.status.code(),
        Some(0),
        "an existing file is not overwritten"
    );
    let full = count_audit(&to);
    assert_eq!(full, count_audit(&data.join("tongban.db")));

    // Restore an early copy over the loaded database, with the server stopped.
    let early = &taken[0];
    let early_records = count_audit(early);
    let mut c = bin();
    c.args([
        "--data",
        &data_s,
        "restore",
        "--from",
        early.to_str().unwrap(),
    ]);
    let o = run(c);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        said.contains("before-restore") && said.contains("审计链完整"),
        "{said}"
    );
    assert_eq!(count_audit(&data.join("tongban.db")), early_records);
    let mut c = bin();
    c.args(["--data", &data_s, "audit", "verify"]);
    assert_eq!(run(c).status.code(), Some(0));

    // And back to the full copy; under a running server a restore is refused.
    let server = serve({
        let mut c = bin();
        c.args(["--data", &data_s]);
        c
    });
    let mut c = bin();
    c.args(["--data", &data_s, "restore", "--from", to.to_str().unwrap()]);
    let o = run(c);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("tongban serve"), "{}", stderr(&o));
    drop(server);
    let mut c = bin();
    c.args(["--data", &data_s, "restore", "--from", to.to_str().unwrap()]);
    assert_eq!(run(c).status.code(), Some(0));
    assert_eq!(count_audit(&data.join("tongban.db")), full);
}

/// Runs `sql` on the PostgreSQL database at `url` and answers the first column of its first
/// row as a number (0 when there is none).
fn pg(url: &str, sql: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
            .await
            .unwrap();
        let row: Option<(i64,)> = sqlx::query_as(sql).fetch_optional(&mut c).await.unwrap();
        row.map_or(0, |r| r.0)
    })
}

/// The same on PostgreSQL (`pg_dump`/`pg_restore`, run when `TONGBAN_TEST_DATABASE_URL` is
/// set): dumps taken while another process loads the demo city (thousands of audited writes)
/// each restore to a database whose chain verifies whole (head and records from one
/// snapshot), never holding more than the database did; the dump taken after the load
/// restores all of it.
#[test]
fn postgres_backups_under_load_restore_and_verify() {
    let Ok(base) = std::env::var("TONGBAN_TEST_DATABASE_URL") else {
        eprintln!("TONGBAN_TEST_DATABASE_URL unset: PostgreSQL backups not tested");
        return;
    };
    let name = format!("tb_backup_{}_{}", std::process::id(), rand::random::<u32>());
    pg(&base, &format!("CREATE DATABASE {name}"));
    let (server, _) = base.rsplit_once('/').unwrap();
    let url = format!("{server}/{name}");
    struct Drop_(String, String);
    impl Drop for Drop_ {
        fn drop(&mut self) {
            pg(
                &self.0,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.1),
            );
        }
    }
    let _drop = Drop_(base.clone(), name.clone());
    let dir = temp_dir("pgbackup");
    let data = dir.join("data");
    let cli = |args: &[&str]| {
        let mut c = bin();
        c.args(["--database-url", &url, "--data", data.to_str().unwrap()])
            .args(args);
        c
    };
    assert_eq!(run(cli(&["migrate"])).status.code(), Some(0));
    let mut load = cli(&["demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut taken = Vec::new();
    for n in 0..10 {
        let to = dir.join(format!("copy-{n}.dump"));
        let o = run(cli(&["backup", "--to", to.to_str().unwrap()]));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        taken.push(to);
        if load.try_wait().unwrap().is_some() {
            break;
        }
    }
    assert!(load.wait().unwrap().success());
    let full = pg(&url, "SELECT COUNT(*) FROM audit_log");
    let last = dir.join("final.dump");
    let o = run(cli(&["backup", "--to", last.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(cli(&["backup", "--to", last.to_str().unwrap()]));
    assert_ne!(
        o.status.code(),
        Some(0),
        "an existing file is not overwritten"
    );

    // Each copy taken under load, and then the final one, restored over the database.
    let mut picks = vec![taken[0].clone()];
    if taken.len() > 2 {
        picks.push(taken[taken.len() / 2].clone());
    }
    picks.push(last);
    for copy in &picks {
        let o = run(cli(&["restore", "--from", copy.to_str().unwrap()]));
        let said = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {said} {}",
            copy.display(),
            stderr(&o)
        );
        assert!(said.contains("恢复后的审计链完整"), "{said}");
        let records = pg(&url, "SELECT COUNT(*) FROM audit_log");
        let head = pg(&url, "SELECT seq FROM audit_head WHERE id = 1");
        assert_eq!(
            records,
            head,
            "{}: the head and the records agree",
            copy.display()
        );
        assert!(records <= full, "{}: {records} of {full}", copy.display());
        assert_eq!(run(cli(&["audit", "verify"])).status.code(), Some(0));
    }
    assert_eq!(
        pg(&url, "SELECT COUNT(*) FROM audit_log"),
        full,
        "the copy taken after the load holds all of it"
    );
}
