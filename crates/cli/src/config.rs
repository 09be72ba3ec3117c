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
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            production: false,
            secure_cookies: false,
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
}

impl Default for Storage {
    fn default() -> Self {
        Self {
            data: "./data".into(),
            database_url: None,
            audit_hash: "sm3".into(),
            sqlite_synchronous: "full".into(),
            max_connections: 8,
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

impl Config {
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
        if let Some(v) = var("TONGBAN_LOG_FORMAT") {
            self.log.format = v;
        }
        if let Some(v) = var("TONGBAN_LOG_LEVEL") {
            self.log.level = v;
        }
        Ok(())
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
}
