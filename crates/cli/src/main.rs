//! `tongban`: the one binary. Serves the web UI and API, migrates, loads the demo city, verifies
//! the audit chain, validates ID numbers and credit codes, and counts working days.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tongban_app::{App, Clock};
use tongban_domain::audit::HashAlgo;
use tongban_domain::error::Code;
use tongban_store::audit::Verified;
use tongban_store::{Options, Store};

mod backup;
mod calendar;
mod config;
mod document;
mod serve;

use config::Config;

#[derive(Parser)]
#[command(name = "tongban", version, about = "通办：政务服务平台")]
struct Cli {
    /// Configuration file (TOML). Default: ./tongban.toml when present.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory holding the SQLite database, uploads and indexes [default: ./data].
    #[arg(long, global = true)]
    data: Option<String>,
    /// A postgres:// URL: use PostgreSQL instead of the embedded SQLite.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates first).
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<String>,
        /// Let an administrator move time forward (tests and demos; refused in production).
        #[arg(long)]
        simulated_clock: bool,
        /// Load the demo city first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Load the demo city into an empty database and print its sign-ins.
    Demo,
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check an ID number or a unified social credit code: exit 0 when valid, 1 when not.
    Validate {
        #[command(subcommand)]
        what: ValidateCommand,
    },
    /// Working-day arithmetic on the official calendar.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Write a consistent online copy of the database to FILE and verify its audit chain
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump's custom format).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the database with a backup (the server must be stopped), then verify the chain.
    Restore {
        /// A file written by `tongban backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Sealed documents: verify a file, print the root certificate.
    Document {
        #[command(subcommand)]
        command: document::DocumentCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the chain; exit non-zero naming the first record altered, removed or reordered.
    Verify,
}

#[derive(Subcommand)]
enum ValidateCommand {
    /// 居民身份证号码 (GB 11643).
    Id { value: String },
    /// 统一社会信用代码 (GB 32100).
    Uscc { value: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { what } => return validate(what),
        Command::Openapi => {
            let doc = tongban_web::openapi();
            match serde_json::to_string_pretty(&doc) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("{e}"),
            }
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let mut cfg = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(d) = cli.data {
        cfg.storage.data = d;
    }
    if let Some(u) = cli.database_url {
        cfg.storage.database_url = Some(u);
    }
    if let Err(e) = cfg.check() {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    init_logging(&cfg);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(cfg: &Config) {
    // Checked by `Config::check` before this.
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn validate(what: ValidateCommand) -> ExitCode {
    use tongban_domain::identity::IdNumber;
    use tongban_domain::uscc::Uscc;
    let (value, result) = match &what {
        ValidateCommand::Id { value } => (
            value,
            IdNumber::parse_on(value, tongban_domain::time::local_date(chrono::Utc::now()))
                .map(|i| i.masked())
                .map_err(|e| (e.code(), e.to_string())),
        ),
        ValidateCommand::Uscc { value } => (
            value,
            Uscc::parse(value)
                .map(|u| u.to_string())
                .map_err(|e| (e.code(), e.to_string())),
        ),
    };
    match result {
        Ok(shown) => {
            println!("有效：{shown}");
            ExitCode::SUCCESS
        }
        Err((code, reason)) => {
            eprintln!("无效：“{value}” {reason}（{code}）");
            ExitCode::from(1)
        }
    }
}

async fn open_store(cfg: &Config) -> Result<Store, String> {
    let algo = HashAlgo::parse(&cfg.storage.audit_hash).ok_or_else(|| {
        format!(
            "audit_hash 应为 sm3 或 sha256，收到“{}”",
            cfg.storage.audit_hash
        )
    })?;
    let full_sync = match cfg.storage.sqlite_synchronous.as_str() {
        "full" => true,
        "normal" => false,
        other => {
            return Err(format!(
                "sqlite_synchronous 应为 full 或 normal，收到“{other}”"
            ))
        }
    };
    let opts = Options {
        algo,
        sqlite_full_sync: full_sync,
        max_connections: cfg.storage.max_connections,
        pg_schema: None,
        sqlite_busy_timeout: std::time::Duration::from_millis(cfg.storage.sqlite_busy_timeout_ms),
    };
    let target = cfg
        .storage
        .database_url
        .clone()
        .unwrap_or_else(|| cfg.storage.data.clone());
    if cfg.storage.database_url.is_some() {
        let wait = std::time::Duration::from_secs(cfg.storage.connect_timeout_secs);
        tongban_store::health::probe_postgres(&target, wait)
            .await
            .map_err(|e| e.to_string())?;
    }
    let shown = config::mask_url(&target);
    let store = Store::open(&target, &opts).await.map_err(|e| {
        // SQLite cannot open a WAL database on a read-only mount at all (its -shm cannot be
        // made): say so rather than "unable to open database file".
        let data = std::path::Path::new(&cfg.storage.data);
        if cfg.storage.database_url.is_none() && !writable(data) {
            format!(
                "数据库只读，拒绝启动：数据目录 {} 不能写入（{e}）。请检查目录的写权限、文件系统是否以只读挂载",
                data.display()
            )
        } else {
            refused(&shown, &e)
        }
    })?;
    let ran = store.migrate().await.map_err(|e| refused(&shown, &e))?;
    if ran > 0 {
        tracing::info!(migrations = ran, "migrated");
    }
    // A database that takes no writes is refused here, not found out by the first person
    // whose work is not saved.
    store
        .heartbeat("startup", chrono::Utc::now())
        .await
        .map_err(|e| refused(&shown, &e))?;
    Ok(store)
}

/// Whether a file can be made in `dir` (a read-only mount or a directory without the write
/// permission cannot).
fn writable(dir: &std::path::Path) -> bool {
    let probe = dir.join(".tongban-write-probe");
    let ok = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&probe)
        .is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

/// Why the store at `target` cannot be used, said plainly for the faults an operator fixes.
fn refused(target: &str, e: &tongban_store::StoreError) -> String {
    use tongban_store::fault::Fault;
    match e.fault() {
        Some(Fault::ReadOnly) => format!(
            "数据库只读，拒绝启动：{target} 不能写入（{e}）。\
             请检查数据库文件及其目录的写权限、文件系统是否以只读挂载，或 PostgreSQL 是否为只读备库"
        ),
        Some(Fault::DiskFull) => {
            format!("数据库所在磁盘已满，拒绝启动：{target}（{e}）。请先腾出空间")
        }
        Some(Fault::Busy) => {
            format!("数据库被其他进程锁定，等待超时：{target}（{e}）。请确认没有其他进程正在使用它")
        }
        _ => format!("{target}：{e}"),
    }
}

async fn run(command: Command, cfg: Config) -> Result<ExitCode, String> {
    match command {
        Command::Serve {
            listen,
            simulated_clock,
            demo,
        } => {
            if simulated_clock && cfg.server.production {
                return Err(
                    "配置为生产环境（production = true），不允许使用 --simulated-clock".into(),
                );
            }
            let store = open_store(&cfg).await?;
            // A restore never replaces the database under a running server: it needs this lock.
            let _data_lock = match backup::Target::of(&cfg) {
                backup::Target::Sqlite { data } => Some(backup::lock_data(&data)?),
                backup::Target::Postgres { .. } => None,
            };
            let clock = if simulated_clock {
                Clock::simulated()
            } else {
                Clock::System
            };
            let app = Arc::new(App::new(store, clock).await.map_err(|e| e.to_string())?);
            document::configure(&app, &cfg)?;
            app.load_shipped_calendar()
                .await
                .map_err(|e| e.to_string())?;
            let empty = app
                .store
                .regions(None)
                .await
                .map_err(|e| e.to_string())?
                .is_empty();
            if demo && empty {
                load_demo_city(&app).await?;
            }
            app.set_demo_mode(demo);
            let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .ok();
            // Told when shutdown starts, so the board's live streams end instead of holding the
            // graceful shutdown open.
            let (closing_tx, closing) = tokio::sync::watch::channel(false);
            let listen = listen.unwrap_or(cfg.server.listen.clone());
            let web = tongban_web::WebConfig {
                secure_cookies: cfg.server.secure_cookies,
                closing: Some(closing),
                node: format!("{}@{listen}", hostname()),
                body_read_timeout: Some(Duration::from_secs(cfg.server.body_read_timeout_secs)),
            };
            // Notices go out in the background, on the app's clock so a simulated clock moves
            // retries too. A channel left unconfigured keeps its messages waiting in the outbox.
            let dispatcher =
                tongban_app::notify::Dispatcher::new(app.store.clone(), cfg.notify.clone())
                    .map_err(|e| format!("[notify] 配置有误：{e}"))?;
            let router = tongban_web::router(app.clone(), web, metrics);
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| format!("无法监听 {listen}：{e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(%addr, simulated_clock, "tongban listening");
            println!("Tongban 已启动：http://{addr}/");
            tracing::info!(
                smtp = cfg.notify.smtp.is_some(),
                sms = cfg.notify.sms.is_some(),
                "notification dispatcher started"
            );
            let clock = app.clock.clone();
            let notifier = dispatcher.spawn(move || clock.now());
            // The clock's work on cases (acceptance by law, deemed approvals, 容缺 deadlines):
            // each round reads only the cases whose next timer has passed.
            let sweeper = {
                let app = app.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    let mut rounds: u64 = 0;
                    loop {
                        tick.tick().await;
                        if let Err(e) = app.sweep_cases().await {
                            tracing::warn!(error = %e, "case sweep failed");
                        }
                        // Disclosure requests whose 补正 or fee deadline passed: once a minute.
                        if rounds.is_multiple_of(60) {
                            if let Err(e) = app.sweep_disclosures().await {
                                tracing::warn!(error = %e, "disclosure sweep failed");
                            }
                        }
                        rounds = rounds.wrapping_add(1);
                    }
                })
            };
            // Warnings: the sweeper sleeps until the next crossing in the index (or until a
            // write here puts an earlier one there), with `supervision.sweep_poll_seconds` as
            // the bound that catches another server's writes.
            let warner = tokio::spawn(app.clone().run_warning_sweeper());
            // Documents issued are sealed in the background (a download seals at once if the
            // worker has not got to it); licences are reminded and expired once a minute.
            let sealer = {
                let app = app.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    let mut rounds: u64 = 0;
                    loop {
                        tick.tick().await;
                        if let Err(e) = app.seal_pending_documents(20).await {
                            tracing::warn!(error = %e, "document sealing failed");
                        }
                        if rounds.is_multiple_of(30) {
                            if let Err(e) = app.sweep_licences().await {
                                tracing::warn!(error = %e, "licence sweep failed");
                            }
                        }
                        // Uploads no case took up within `upload.orphan_days`, and delivery
                        // stamps a stop or a failure left out: at start, then once an hour.
                        if rounds.is_multiple_of(1800) {
                            match app.stamp_deliveries(200).await {
                                Ok(0) => {}
                                Ok(n) => tracing::info!(documents = n, "delivery stamps added"),
                                Err(e) => tracing::warn!(error = %e, "delivery stamp sweep failed"),
                            }
                            match app.remove_orphan_uploads().await {
                                Ok(0) => {}
                                Ok(n) => tracing::info!(files = n, "orphan uploads removed"),
                                Err(e) => tracing::warn!(error = %e, "orphan upload sweep failed"),
                            }
                        }
                        rounds += 1;
                    }
                })
            };
            let backups = cfg.backup.dir.clone().map(|dir| {
                let store = app.store.clone();
                let target = backup::Target::of(&cfg);
                let every = Duration::from_secs(cfg.backup.interval_minutes * 60);
                let keep = cfg.backup.keep;
                tracing::info!(%dir, minutes = cfg.backup.interval_minutes, keep, "scheduled backups");
                tokio::spawn(async move {
                    let dir = PathBuf::from(dir);
                    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        match backup::scheduled(&store, &target, &dir, keep).await {
                            Ok(said) => tracing::info!("{said}"),
                            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
                        }
                    }
                })
            });
            let limits = serve::Limits {
                header_read_timeout: Duration::from_secs(cfg.server.header_read_timeout_secs),
                grace: Duration::from_secs(cfg.server.shutdown_grace_secs),
            };
            serve::run(listener, router, limits, async move {
                shutdown().await;
                let _ = closing_tx.send(true);
            })
            .await;
            // A message cut off mid-send goes again after its lease: at least once, never lost.
            notifier.abort();
            if let Some(b) = backups {
                b.abort();
            }
            sweeper.abort();
            warner.abort();
            sealer.abort();
            if tokio::time::timeout(limits.grace, app.store.close())
                .await
                .is_err()
            {
                tracing::warn!("database connections still in use at exit");
            }
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { to } => {
            let store = open_store(&cfg).await?;
            let said = backup::backup(&store, &backup::Target::of(&cfg), &to).await;
            store.close().await;
            println!("{}", said?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => {
            println!(
                "{}",
                backup::restore(&backup::Target::of(&cfg), &from).await?
            );
            let store = open_store(&cfg).await?;
            let checked = store.audit_verify().await.map_err(|e| e.to_string())?;
            store.close().await;
            match checked {
                Verified::Intact { records } => {
                    println!("恢复后的审计链完整：共 {records} 条记录");
                    Ok(ExitCode::SUCCESS)
                }
                Verified::Broken(brk) => {
                    eprintln!("恢复后的审计链被破坏：{brk}（{}）", brk.code());
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Migrate => {
            open_store(&cfg).await?;
            println!("数据库已是最新结构");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let store = open_store(&cfg).await?;
            let app = App::new(store, Clock::System)
                .await
                .map_err(|e| e.to_string())?;
            document::configure(&app, &cfg)?;
            app.load_shipped_calendar()
                .await
                .map_err(|e| e.to_string())?;
            load_demo_city(&app).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open_store(&cfg).await?;
            match store.audit_verify().await.map_err(|e| e.to_string())? {
                Verified::Intact { records } => {
                    println!("审计链完整：共 {records} 条记录");
                    Ok(ExitCode::SUCCESS)
                }
                Verified::Broken(brk) => {
                    eprintln!("审计链被破坏：{brk}（{}）", brk.code());
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Calendar { command } => {
            // Without a database yet, answer from the shipped file rather than create one.
            let embedded_missing = cfg.storage.database_url.is_none()
                && !std::path::Path::new(&cfg.storage.data)
                    .join("tongban.db")
                    .exists();
            let cal = if embedded_missing {
                tongban_domain::calendar::Calendar::shipped()
            } else {
                let store = open_store(&cfg).await?;
                let app = App::new(store, Clock::System)
                    .await
                    .map_err(|e| e.to_string())?;
                let cal = app.calendar().await.map_err(|e| e.to_string())?;
                (*cal).clone()
            };
            calendar::run(&cal, command)
        }
        Command::Document { command } => {
            let store = open_store(&cfg).await?;
            let app = App::new(store, Clock::System)
                .await
                .map_err(|e| e.to_string())?;
            document::configure(&app, &cfg)?;
            document::run(&app, command).await
        }
        Command::Validate { .. } | Command::Openapi => Ok(ExitCode::SUCCESS),
    }
}

/// The applicants of the demo's decided cases, in order (see `demo_documents.rs`).
const DEMO_RATERS: &[&str] = &["corp01", "corp02"];

/// The demo city, its catalog, and the sign-ins printed for whoever is trying it.
async fn load_demo_city(app: &App) -> Result<(), String> {
    let mut accounts = app.load_demo().await.map_err(|e| e.to_string())?;
    let items = app.load_demo_catalog().await.map_err(|e| e.to_string())?;
    let (offices, requests) = app
        .load_demo_disclosure()
        .await
        .map_err(|e| e.to_string())?;
    accounts.extend(offices);
    app.load_demo_disclosure_catalog()
        .await
        .map_err(|e| e.to_string())?;
    let (units, matters) = app.load_demo_opengov().await.map_err(|e| e.to_string())?;
    let (notices, meetings) = app
        .load_demo_opengov_public()
        .await
        .map_err(|e| e.to_string())?;
    accounts.extend(units);
    let decided = app.load_demo_documents().await.map_err(|e| e.to_string())?;
    let hotline = app.load_demo_hotline().await.map_err(|e| e.to_string())?;
    let rated: Vec<(String, String)> = DEMO_RATERS
        .iter()
        .map(|l| l.to_string())
        .zip(decided.iter().cloned())
        .collect();
    if let Err(e) = app.load_demo_ratings(&rated).await {
        eprintln!("演示评价未载入：{}", e.message);
    }
    match app.load_demo_performance().await {
        Ok(periods) => println!("演示绩效考评已发布：{}", periods.join("、")),
        Err(e) => eprintln!("演示绩效考评未载入：{}", e.message),
    }
    println!(
        "演示办结件（含电子印章文书与电子证照）：{}",
        decided.join("、")
    );
    print_demo(&[accounts, hotline].concat());
    println!("演示事项目录已载入：{items} 个事项（其中 2 个待审核）");
    println!(
        "演示政府信息公开申请：{} 件（{}）",
        requests.len(),
        requests.join("、")
    );
    println!("演示政务公开（征求意见、建议提案）：{}", matters.join("、"));
    println!(
        "演示公示 {} 件、公开会议：{}",
        notices.len(),
        meetings.join("、")
    );
    Ok(())
}

fn print_demo(accounts: &[tongban_app::demo::DemoAccount]) {
    println!(
        "演示城市“清江市”已载入。所有演示账号的密码：{}",
        tongban_app::demo::DEMO_PASSWORD
    );
    println!("{:<20} {:<10} {:<8} 单位", "登录名", "角色", "姓名");
    for a in accounts {
        println!(
            "{:<20} {:<10} {:<8} {}",
            a.login,
            a.role.label(),
            a.name,
            a.unit
        );
    }
}

/// This machine's name, for the heartbeat row; `localhost` where it cannot be read.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
