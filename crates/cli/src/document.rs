//! `tongban document …`: verifying a file from the command line, and the document service's
//! configuration (the master key) for every command that opens the app.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tongban_app::documents::DocumentConfig;
use tongban_app::App;
use tongban_documents::keys::MasterKey;

use crate::config::Config;

#[derive(Subcommand)]
pub enum DocumentCommand {
    /// Check a PDF or OFD: valid, altered, revoked or unknown, with signer and time. Exit 0
    /// when valid, 1 when not, 2 when the file cannot be checked at all.
    Verify { file: PathBuf },
    /// Print the deployment's root certificate (PEM).
    Root,
}

/// The master key: configured, or (outside production) kept in `<data>/master.key`.
fn master_key(cfg: &Config) -> Result<MasterKey, String> {
    if let Some(hex) = &cfg.documents.master_key {
        return MasterKey::parse(hex).map_err(|e| format!("[documents] master_key：{e}"));
    }
    if cfg.server.production {
        return Err("生产环境必须配置 [documents] master_key 或环境变量 TONGBAN_MASTER_KEY".into());
    }
    let path = Path::new(&cfg.storage.data).join("master.key");
    let hex = match std::fs::read_to_string(&path) {
        Ok(h) => h,
        Err(_) => {
            std::fs::create_dir_all(&cfg.storage.data).map_err(|e| e.to_string())?;
            let h = MasterKey::generate_hex().map_err(|e| e.to_string())?;
            write_private(&path, &h)?;
            tracing::warn!(path = %path.display(), "no master key configured: made one for this data directory");
            h
        }
    };
    MasterKey::parse(&hex).map_err(|e| format!("{}：{e}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}：{e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}：{e}", path.display()))
}

/// Puts the document configuration into the app.
pub fn configure(app: &App, cfg: &Config) -> Result<(), String> {
    app.set_document_config(DocumentConfig {
        master_key: master_key(cfg)?,
        public_url: cfg.documents.public_url.clone(),
        cross_page_seal: cfg.documents.cross_page_seal,
    });
    Ok(())
}

pub async fn run(app: &App, command: DocumentCommand) -> Result<ExitCode, String> {
    match command {
        DocumentCommand::Root => {
            print!(
                "{}",
                app.root_certificate_pem()
                    .await
                    .map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
        DocumentCommand::Verify { file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
            match app.verify_file(&bytes, "cli", "cli").await {
                Ok(v) => {
                    println!("{}", v.verdict_label);
                    let line = |k: &str, v: Option<String>| {
                        if let Some(v) = v {
                            println!("{k}：{v}");
                        }
                    };
                    line("文书", v.title.clone());
                    line("文书编号", v.number.clone());
                    line("出具机关", v.issuer.clone());
                    line("签章人", v.signer.clone());
                    line(
                        "签章时间",
                        v.signed_at.map(tongban_domain::time::format_local),
                    );
                    line("撤销", v.revoked_reason.clone());
                    println!("verdict={}", v.verdict.as_str());
                    Ok(if v.verdict == tongban_domain::document::Verdict::Valid {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    })
                }
                Err(e) if e.kind != tongban_app::Kind::Internal => {
                    eprintln!("无法核验：{}（{}）", e.message, e.code);
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.to_string()),
            }
        }
    }
}
