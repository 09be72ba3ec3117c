//! Start-up time and resident memory of the release binary, run the way the README runs it:
//! `tongban serve --demo` on a fresh data directory (migrations, the demo city and its catalog
//! loaded, then the listener), and again on the same directory (a plain restart). Start-up is
//! the time from spawn to the first 200 on `/healthz`, beside the spawn-to-exit time of
//! `tongban --version` measured in the same run (the floor: exec, dynamic loading, argument
//! parsing). Memory is VmRSS from `/proc/<pid>/status`, idle after start and sampled while 64
//! keep-alive connections drive `/healthz` and then the catalog search API.
//!
//! The binary is `$TONGBAN_BIN`, else `tongban` beside this benchmark's executable, else under
//! `$CARGO_TARGET_DIR/release` or `target/release`; the section is skipped when there is none.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::reads::{hammer, Client, CONNECTIONS};
use crate::report::{quantile, Report};
use crate::{Plan, Res};

/// Longest wait for a start (the demo city hashes its passwords on first start).
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub async fn section(plan: &Plan, scratch: &Path, report: &mut Report) -> Res<()> {
    let Some(bin) = binary() else {
        eprintln!(
            "startup: skipped, no tongban binary found (set TONGBAN_BIN, or build it first: \
             cargo build --release -p tongban)"
        );
        return Ok(());
    };
    eprintln!("  (binary {})", bin.display());
    let root = scratch.join("startup");
    let cwd = root.join("cwd");
    let data = root.join("data");
    // An empty working directory, so no ./tongban.toml of the caller's is read.
    std::fs::create_dir_all(&cwd)?;

    let floor = version_floor(&bin).await?;

    let first = Running::start(&bin, &data, &cwd).await?;
    let idle = first.settled_rss().await?;
    let first_ms = first.ready_ms;
    first.stop().await;
    report.against(
        "Startup: spawn to first /healthz 200, fresh data dir (migrate + demo city)",
        first_ms,
        "ms",
        "ms spawn-to-exit of `tongban --version`",
        floor,
    );
    report.add(
        "Startup: resident memory idle, after the first start",
        idle,
        "MB VmRSS",
    );

    let again = Running::start(&bin, &data, &cwd).await?;
    let idle = again.settled_rss().await?;
    report.against(
        "Startup: spawn to first /healthz 200, restart on the same data",
        again.ready_ms,
        "ms",
        "ms spawn-to-exit of `tongban --version`",
        floor,
    );
    report.add(
        "Startup: resident memory idle, demo city, after restart",
        idle,
        "MB VmRSS",
    );

    let dur = plan.dur();
    let queries: Vec<String> = [
        "营业执照",
        "不动产",
        "社保卡",
        "结婚",
        "我想开饭店",
        "公积金",
    ]
    .iter()
    .map(|q| format!("/api/v1/items?q={}", percent_encode(q)))
    .collect();
    for (what, paths) in [
        ("GET /healthz", vec!["/healthz".to_string()]),
        ("catalog search API", queries),
    ] {
        let (run, peak) = again
            .under_load(dur, move |i| paths[i as usize % paths.len()].clone())
            .await?;
        report.add(
            format!("Startup: resident memory under {CONNECTIONS} connections of {what}"),
            peak,
            &format!(
                "MB peak VmRSS sampled ({:.0} requests/s, {})",
                run.per_sec,
                run.tally()
            ),
        );
        if run.failed() > 0 {
            eprintln!(
                "  WARNING: {} of the {what} requests did not answer 200",
                run.failed()
            );
        }
    }
    // The throughput load: case lifecycles through the API from 16 clients.
    let clients = 16;
    let (o, peak) = again
        .sampled(crate::http_cases::run(again.addr, clients, dur))
        .await?;
    report.add(
        format!("Startup: resident memory under case lifecycles from {clients} API clients"),
        peak,
        &format!(
            "MB peak VmRSS sampled ({:.0} transitions/s, {} transitions)",
            o.per_sec, o.transitions
        ),
    );
    let hwm = status_mb(again.pid(), "VmHWM:")?;
    report.add("Startup: resident memory high-water mark", hwm, "MB VmHWM");
    again.stop().await;
    Ok(())
}

/// The binary to run, if there is one.
fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TONGBAN_BIN") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            eprintln!("startup: TONGBAN_BIN={} is not a file", p.display());
        }
        return p.is_file().then_some(p);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("tongban")));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| PathBuf::from(d).join("release").join("tongban"));
    [
        beside,
        target,
        Some(PathBuf::from("target/release/tongban")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

/// Median milliseconds from spawn to exit of `tongban --version`, over 5 runs.
async fn version_floor(bin: &Path) -> Res<f64> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let out = tokio::task::spawn_blocking({
            let bin = bin.to_path_buf();
            move || Command::new(bin).arg("--version").output()
        })
        .await??;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if !out.status.success() {
            return Err(format!("tongban --version exited with {}", out.status).into());
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(quantile(&times, 0.5))
}

/// A running `tongban serve`: killed when dropped, whatever happened.
struct Running {
    child: Child,
    addr: SocketAddr,
    ready_ms: f64,
    log: PathBuf,
}

impl Running {
    async fn start(bin: &Path, data: &Path, cwd: &Path) -> Res<Running> {
        let log = cwd.join(format!("serve-{}.log", rand::random::<u32>()));
        let mut cmd = Command::new(bin);
        cmd.arg("--data")
            .arg(data)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?);
        // Nothing of the caller's configuration: no database URL, no production flag.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("TONGBAN_") {
                cmd.env_remove(k);
            }
        }
        let started = Instant::now();
        let mut child = cmd.spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        // The guard first, so that every early return below kills the child.
        let mut running = Running {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ready_ms: 0.0,
            log,
        };
        // The port chosen is printed once listening; keep draining stdout after that.
        let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("http://").nth(1) {
                    if let Ok(addr) = rest.trim_end_matches('/').trim().parse() {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(addr);
                        }
                    }
                }
            }
        });
        running.addr = match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(addr)) => addr,
            Ok(Err(_)) => return Err(running.failure("exited before listening")),
            Err(_) => return Err(running.failure("did not listen in time")),
        };
        let mut client = Client::new(running.addr);
        loop {
            if let Ok((200, _)) = client.get("/healthz").await {
                break;
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(running.failure("never answered /healthz with 200"));
            }
            if let Some(status) = running.child.try_wait()? {
                return Err(running.failure(&format!("exited with {status}")));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        running.ready_ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(running)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error naming what went wrong, with the end of the server's log.
    fn failure(&self, what: &str) -> Box<dyn std::error::Error + Send + Sync> {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("tongban serve {what}; its log ends:\n{}", tail.join("\n")).into()
    }

    /// VmRSS after a second's rest.
    async fn settled_rss(&self) -> Res<f64> {
        tokio::time::sleep(Duration::from_secs(1)).await;
        status_mb(self.pid(), "VmRSS:")
    }

    /// Drives `path(i)` from 64 connections for `dur` while sampling VmRSS: the run and the
    /// highest sample in MB.
    async fn under_load<F>(&self, dur: Duration, path: F) -> Res<(crate::reads::HttpRun, f64)>
    where
        F: Fn(u64) -> String + Send + Sync + 'static,
    {
        self.sampled(hammer(self.addr, CONNECTIONS, dur, path))
            .await
    }

    /// Runs `load` while sampling VmRSS every 50 ms until it ends: its outcome and the
    /// highest sample in MB.
    async fn sampled<T>(&self, load: impl std::future::Future<Output = Res<T>>) -> Res<(T, f64)> {
        let pid = self.pid();
        let (done, mut ended) = tokio::sync::oneshot::channel::<()>();
        let sampler = tokio::spawn(async move {
            let mut peak: f64 = 0.0;
            while ended.try_recv().is_err() {
                peak = peak.max(status_mb(pid, "VmRSS:")?);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Res::Ok(peak)
        });
        let outcome = load.await;
        let _ = done.send(());
        let peak = sampler.await??.max(status_mb(pid, "VmRSS:")?);
        Ok((outcome?, peak))
    }

    /// SIGTERM, as a service manager stops it; killed if it has not exited within 10 s.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!("  tongban serve ignored SIGTERM for 10 s: killed");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A `kB` line of `/proc/<pid>/status`, in MB.
fn status_mb(pid: u32, key: &str) -> Res<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {key} in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
