//! Configuration: a TOML file (unknown keys are an error, so a typo never silently falls back
//! to a default), then `TONGBAN_*` environment variables over it, then command-line flags.

use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Must be 1: the file's format version.
    pub version: Option<u32>,
    pub server: Server,
    pub storage: Storage,
    pub log: Log,
    /// Outgoing SMS and e-mail; without it notices wait in the outbox.
    pub notify: tongban_app::notify::NotifyConfig,
    /// The document service: the master key of the seal keys, the public address.
    pub documents: Documents,
    /// Scheduled backups taken by `serve`.
    pub backup: Backup,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Backup {
    /// Where `serve` writes its scheduled backups; none are taken while it is unset.
    pub dir: Option<String>,
    /// Minutes between two scheduled backups (the first is taken one interval after start).
    pub interval_minutes: u64,
    /// Scheduled backups kept in `dir`; older ones are removed after each new one.
    pub keep: usize,
}

impl Default for Backup {
    fn default() -> Self {
        Self {
            dir: None,
            interval_minutes: 1440,
            keep: 7,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Documents {
    /// 32 hex digits (an SM4 key) under which every seal key is kept. Without it a
    /// non-production server keeps one in `<data>/master.key`; production refuses to start.
    pub master_key: Option<String>,
    /// Where the public reaches this server: QR codes and message links lead here.
    pub public_url: String,
    /// Cut a multi-page document's seal across the page edges (骑缝章).
    pub cross_page_seal: bool,
}

impl Default for Documents {
    fn default() -> Self {
        Self {
            master_key: None,
            public_url: "http://127.0.0.1:8080".into(),
            cross_page_seal: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    pub listen: String,
    /// A production deployment refuses `--simulated-clock`.
    pub production: bool,
    pub secure_cookies: bool,
    /// Seconds a client has to send a whole request head; then the connection is closed.
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may stay silent between chunks before the request fails.
    pub body_read_timeout_secs: u64,
    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for requests in flight before it closes
    /// the connections still open and exits.
    pub shutdown_grace_secs: u64,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            production: false,
            secure_cookies: false,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            shutdown_grace_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    /// Data directory: the SQLite file, uploads and indexes.
    pub data: String,
    /// A `postgres://` URL selects PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// `sm3` (default) or `sha256`.
    pub audit_hash: String,
    /// SQLite `synchronous`: `full` (default, every commit on disk) or `normal`.
    pub sqlite_synchronous: String,
    pub max_connections: u32,
    /// PostgreSQL: seconds to wait for the first connection before saying why it failed.
    pub connect_timeout_secs: u64,
    /// SQLite: milliseconds a write waits for a lock held by another process (a backup tool,
    /// an operator's shell) before it is answered 503 `store.busy`.
    pub sqlite_busy_timeout_ms: u64,
}

impl Default for Storage {
    fn default() -> Self {
        Self {
            data: "./data".into(),
            database_url: None,
            audit_hash: "sm3".into(),
            sqlite_synchronous: "full".into(),
            max_connections: 8,
            connect_timeout_secs: 5,
            sqlite_busy_timeout_ms: 10_000,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `tongban=debug,info`.
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

/// The levels a `log.level` directive may name.
const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

impl Config {
    /// Refuses values that would otherwise be taken silently for something else: a database
    /// URL that is not PostgreSQL's (a typo once started an SQLite file named after it), a log
    /// format or level that is not one of the documented ones.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.storage.database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(format!(
                    "数据库地址（--database-url、TONGBAN_DATABASE_URL 或 storage.database_url）\
                     须以 postgres:// 或 postgresql:// 开头，收到“{}”。\
                     使用内置 SQLite 时不设数据库地址，以 --data 指定数据目录",
                    mask_url(url)
                ));
            }
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(format!(
                "log.format（TONGBAN_LOG_FORMAT）应为 text 或 json，收到“{}”",
                self.log.format
            ));
        }
        check_level(&self.log.level)?;
        for (name, v) in [
            (
                "server.header_read_timeout_secs",
                self.server.header_read_timeout_secs,
            ),
            (
                "server.body_read_timeout_secs",
                self.server.body_read_timeout_secs,
            ),
        ] {
            if v == 0 {
                return Err(format!("{name} 应为正整数（秒）"));
            }
        }
        if self.backup.interval_minutes == 0 || self.backup.keep == 0 {
            return Err("backup.interval_minutes 与 backup.keep 应为正整数".into());
        }
        if self.storage.connect_timeout_secs == 0 {
            return Err("storage.connect_timeout_secs 应为正整数（秒）".into());
        }
        Ok(())
    }

    /// Reads `path` if given (it must exist), else `./tongban.toml` if present, else defaults;
    /// then applies the environment.
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        let implicit = Path::new("tongban.toml");
        let file = match path {
            Some(p) => Some(p),
            None if implicit.exists() => Some(implicit),
            None => None,
        };
        let mut cfg = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("无法读取配置文件 {}：{e}", p.display()))?;
                toml::from_str::<Config>(&text)
                    .map_err(|e| format!("配置文件 {} 有误：{e}", p.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = cfg.version {
            if v != 1 {
                return Err(format!("不支持的配置文件版本 {v}（应为 1）"));
            }
        }
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let flag = |name: &str, v: String| match v.as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(format!("环境变量 {name} 应为 true 或 false，收到“{v}”")),
        };
        if let Some(v) = var("TONGBAN_LISTEN") {
            self.server.listen = v;
        }
        if let Some(v) = var("TONGBAN_PRODUCTION") {
            self.server.production = flag("TONGBAN_PRODUCTION", v)?;
        }
        if let Some(v) = var("TONGBAN_SECURE_COOKIES") {
            self.server.secure_cookies = flag("TONGBAN_SECURE_COOKIES", v)?;
        }
        let secs = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("环境变量 {name} 应为秒数，收到“{v}”"))
        };
        if let Some(v) = var("TONGBAN_HEADER_READ_TIMEOUT_SECS") {
            self.server.header_read_timeout_secs = secs("TONGBAN_HEADER_READ_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = var("TONGBAN_BODY_READ_TIMEOUT_SECS") {
            self.server.body_read_timeout_secs = secs("TONGBAN_BODY_READ_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = var("TONGBAN_SHUTDOWN_GRACE_SECS") {
            self.server.shutdown_grace_secs = secs("TONGBAN_SHUTDOWN_GRACE_SECS", v)?;
        }
        if let Some(v) = var("TONGBAN_MASTER_KEY").filter(|v| !v.is_empty()) {
            self.documents.master_key = Some(v);
        }
        if let Some(v) = var("TONGBAN_PUBLIC_URL").filter(|v| !v.is_empty()) {
            self.documents.public_url = v;
        }
        if let Some(v) = var("TONGBAN_DATA") {
            self.storage.data = v;
        }
        if let Some(v) = var("TONGBAN_DATABASE_URL").filter(|v| !v.is_empty()) {
            self.storage.database_url = Some(v);
        }
        if let Some(v) = var("TONGBAN_AUDIT_HASH") {
            self.storage.audit_hash = v;
        }
        if let Some(v) = var("TONGBAN_SQLITE_SYNCHRONOUS") {
            self.storage.sqlite_synchronous = v;
        }
        if let Some(v) = var("TONGBAN_SQLITE_BUSY_TIMEOUT_MS") {
            self.storage.sqlite_busy_timeout_ms = v.parse().map_err(|_| {
                format!("环境变量 TONGBAN_SQLITE_BUSY_TIMEOUT_MS 应为毫秒数，收到“{v}”")
            })?;
        }
        if let Some(v) = var("TONGBAN_BACKUP_DIR").filter(|v| !v.is_empty()) {
            self.backup.dir = Some(v);
        }
        if let Some(v) = var("TONGBAN_LOG_FORMAT") {
            self.log.format = v;
        }
        if let Some(v) = var("TONGBAN_LOG_LEVEL") {
            self.log.level = v;
        }
        Ok(())
    }
}

/// `log.level` is a tracing filter: comma-separated directives, each a level or
/// `target=level`. A bare word that is not a level would be read by tracing as a target shown
/// at every level, so it is refused here rather than taken for one.
fn check_level(level: &str) -> Result<(), String> {
    let refuse = |why: String| {
        Err(format!(
            "log.level（TONGBAN_LOG_LEVEL）有误：{why}。应为 {} 之一，或“目标=级别”，以逗号分隔，如 tongban=debug,info",
            LEVELS.join("、")
        ))
    };
    if level.trim().is_empty() {
        return refuse("为空".into());
    }
    for directive in level.split(',') {
        let directive = directive.trim();
        let lvl = match directive.rsplit_once('=') {
            Some((target, lvl)) if !target.trim().is_empty() => lvl,
            Some(_) => return refuse(format!("“{directive}”缺少目标")),
            None => directive,
        };
        if !LEVELS.contains(&lvl.trim().to_ascii_lowercase().as_str()) {
            return refuse(format!("“{directive}”不是已知级别"));
        }
    }
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(level) {
        return refuse(e.to_string());
    }
    Ok(())
}

/// The URL with its password, if any, replaced, for messages.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<Config>("[server]\nlisten = \"0.0.0.0:80\"\nlissten = 1\n")
            .unwrap_err();
        assert!(err.to_string().contains("lissten"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut cfg: Config =
            toml::from_str("version = 1\n[storage]\ndata = \"/srv/tongban\"\n").unwrap();
        cfg.apply_env(|k| match k {
            "TONGBAN_DATABASE_URL" => Some("postgres://db/tongban".into()),
            "TONGBAN_PRODUCTION" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(cfg.storage.data, "/srv/tongban");
        assert_eq!(
            cfg.storage.database_url.as_deref(),
            Some("postgres://db/tongban")
        );
        assert!(cfg.server.production);
        assert!(cfg
            .apply_env(|k| (k == "TONGBAN_PRODUCTION").then(|| "maybe".into()))
            .is_err());
    }

    #[test]
    fn the_notify_section_is_optional_and_strict() {
        let cfg: Config = toml::from_str("version = 1\n").unwrap();
        assert!(cfg.notify.smtp.is_none() && cfg.notify.sms.is_none());
        assert_eq!(cfg.notify.max_attempts, 5);
        let cfg: Config = toml::from_str(
            "[notify]\nmax_attempts = 8\n\
             [notify.smtp]\nhost = \"127.0.0.1\"\nport = 2525\nfrom = \"noreply@qingjiang.gov.cn\"\n\
             [notify.sms]\nurl = \"http://127.0.0.1:9000/send\"\ntoken = \"t\"\n",
        )
        .unwrap();
        let smtp = cfg.notify.smtp.unwrap();
        assert_eq!((smtp.port, smtp.hello_name.as_str()), (2525, "localhost"));
        assert_eq!(cfg.notify.sms.unwrap().token.as_deref(), Some("t"));
        assert_eq!((cfg.notify.max_attempts, cfg.notify.batch), (8, 20));
        let err = toml::from_str::<Config>(
            "[notify.smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\npasswd = \"x\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("passwd"), "{err}");
    }

    #[test]
    fn values_taken_for_something_else_are_refused() {
        let with = |f: &dyn Fn(&mut Config)| {
            let mut cfg = Config::default();
            f(&mut cfg);
            cfg.check()
        };
        assert!(with(&|_| {}).is_ok());
        let err = with(&|c| c.storage.database_url = Some("postgress://u:secret@db/tb".into()))
            .unwrap_err();
        assert!(err.contains("postgress://u:***@db/tb"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(with(&|c| c.storage.database_url = Some("./data/tb.db".into())).is_err());
        assert!(with(&|c| c.storage.database_url = Some("postgresql://db/tb".into())).is_ok());
        assert!(with(&|c| c.log.format = "jsno".into())
            .unwrap_err()
            .contains("jsno"));
        for bad in ["verbose", "inf", "", "tongban=loud", "=info", "info,,debug"] {
            assert!(with(&|c| c.log.level = bad.into()).is_err(), "{bad:?}");
        }
        for good in ["info", "WARN", "tongban=debug,info", "tower_http=off, warn"] {
            assert!(with(&|c| c.log.level = good.into()).is_ok(), "{good:?}");
        }
    }
}
