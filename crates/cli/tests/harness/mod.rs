//! The real binary under test: started on a fresh data directory (or PostgreSQL database) with
//! the demo city, driven over HTTP by small blocking clients, stopped gently or killed.
//!
//! The HTTP client is deliberately minimal (one request per connection, `Connection: close`)
//! so that a kill in the middle of an exchange shows as an error on that request only.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub const PASSWORD: &str = "Tongban@2026";
/// 不动产转移登记: filed online, then accepted and decided by three departments.
pub const ITEM: &str = "QR00701002";
pub const MATERIALS: [&str; 4] = ["m1", "m2", "m3", "m4"];

pub fn temp_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tongban_cli_{tag}_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ))
}

/// Where the server keeps its data: a data directory (uploads, indexes, and the SQLite database
/// unless a PostgreSQL URL is given).
#[derive(Debug, Clone)]
pub struct Target {
    pub data: PathBuf,
    pub database_url: Option<String>,
}

impl Target {
    pub fn sqlite(data: PathBuf) -> Target {
        Target {
            data,
            database_url: None,
        }
    }

    pub fn postgres(data: PathBuf, url: String) -> Target {
        Target {
            data,
            database_url: Some(url),
        }
    }

    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--data".into(), self.data.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".into(), url.clone()]);
        }
        args
    }
}

/// Runs a one-shot subcommand (`audit verify`, …) against `target`.
pub fn tongban(target: &Target, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tongban"));
    cmd.args(target.args())
        .args(args)
        .env_remove("TONGBAN_DATABASE_URL")
        .env("TONGBAN_LOG_LEVEL", "warn");
    std::fs::create_dir_all(&target.data).expect("data directory");
    cmd.current_dir(&target.data);
    cmd.output().expect("the binary runs")
}

/// A running `tongban serve --demo`.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts the server and waits for its "listening" line. With `ignore_xfsz`, the server is
    /// started through `sh` with SIGXFSZ ignored (ignored signals survive `exec`), so that a
    /// file-size limit set on it later makes writes fail with an error instead of killing it.
    pub fn start(target: &Target, ignore_xfsz: bool) -> Server {
        let bin = env!("CARGO_BIN_EXE_tongban");
        let mut args = target.args();
        args.extend(["serve", "--demo", "--listen", "127.0.0.1:0"].map(String::from));
        let mut cmd = if ignore_xfsz {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg("trap '' XFSZ; exec \"$0\" \"$@\"")
                .arg(bin)
                .args(&args);
            c
        } else {
            let mut c = Command::new(bin);
            c.args(&args);
            c
        };
        std::fs::create_dir_all(&target.data).expect("data directory");
        cmd.current_dir(&target.data);
        let mut child = cmd
            .env_remove("TONGBAN_DATABASE_URL")
            .env("TONGBAN_LOG_LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    if let Some(rest) = line.split("http://").nth(1) {
                        let addr = rest.trim_end_matches('/').to_string();
                        let _ = tx.send(addr);
                        sent = true;
                    }
                }
            }
        });
        let addr = rx
            .recv()
            .expect("the server prints its address")
            .parse()
            .expect("an address");
        Server { child, addr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush, nothing.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, then waits for a graceful exit.
    pub fn stop(mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs")
            .success();
        assert!(ok, "SIGTERM sent");
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "the server stopped cleanly: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange on a fresh connection: the status and the body.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    exchange(addr, method, path, headers, body).map(|(status, _, body)| (status, body))
}

/// One HTTP/1.1 exchange on a fresh connection: the status, the head and the body.
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let broken = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(broken)?;
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(broken)?;
    let mut body = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).ok_or_else(broken)?;
    }
    Ok((status, head, body))
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = body.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..eol]).ok()?.trim(), 16).ok()?;
        body = &body[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// A signed-in person: the session cookie and the CSRF token its writes carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub addr: SocketAddr,
    cookie: String,
    csrf: String,
}

impl Session {
    pub fn open(addr: SocketAddr, login: &str) -> Session {
        let body = serde_json::json!({"login": login, "password": PASSWORD}).to_string();
        let (status, head, answer) = exchange(
            addr,
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .expect("sign-in");
        assert_eq!(status, 200, "{login} signs in");
        let v: Value = serde_json::from_slice(&answer).expect("json");
        let cookie = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie").then_some(value)
            })
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .trim()
            .to_string();
        Session {
            addr,
            cookie,
            csrf: v["csrf"].as_str().expect("csrf").to_string(),
        }
    }

    /// The same session against a restarted server.
    pub fn at(&self, addr: SocketAddr) -> Session {
        Session {
            addr,
            ..self.clone()
        }
    }

    /// A write: the status and the JSON answer (`Null` when the body is not JSON).
    pub fn post(
        &self,
        path: &str,
        extra: &[(&str, &str)],
        content_type: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Value)> {
        let mut headers = vec![
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
            ("Content-Type", content_type),
        ];
        headers.extend_from_slice(extra);
        let (status, body) = request(self.addr, "POST", path, &headers, body)?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    pub fn get(&self, path: &str) -> std::io::Result<(u16, Value)> {
        let (status, body) = request(
            self.addr,
            "GET",
            path,
            &[("Cookie", self.cookie.as_str())],
            b"",
        )?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    /// Uploads the item's four materials; the filing body that hands them in.
    pub fn filing(&self) -> Value {
        let mut materials = BTreeMap::new();
        for k in MATERIALS {
            let (status, file) = self
                .post(
                    "/api/v1/cases/files",
                    &[("X-File-Name", &format!("{k}.pdf"))],
                    "application/octet-stream",
                    format!("%PDF-1.4 {k}").as_bytes(),
                )
                .expect("upload");
            assert_eq!(status, 201, "upload {k}: {file}");
            materials.insert(k, vec![file]);
        }
        serde_json::json!({"item_code": ITEM, "delivery": "window", "materials": materials})
    }

    /// Files a case with `key` as its Idempotency-Key.
    pub fn file(&self, filing: &Value, key: &str) -> std::io::Result<(u16, Value)> {
        self.post(
            "/api/v1/cases",
            &[("Idempotency-Key", key)],
            "application/json",
            filing.to_string().as_bytes(),
        )
    }

    /// Accepts the case at `version` (the window clerk's first step).
    pub fn accept(&self, number: &str, version: i64) -> std::io::Result<(u16, Value)> {
        let body =
            serde_json::json!({"action": "accept", "version": version, "present": MATERIALS});
        self.post(
            &format!("/api/v1/cases/{number}/actions"),
            &[],
            "application/json",
            body.to_string().as_bytes(),
        )
    }
}
