//! `tongban backup` and `tongban restore`, and the scheduled backups of `serve`.
//!
//! SQLite: the store writes the copy itself (`VACUUM INTO`, one snapshot, never a file copy),
//! and every copy's audit chain is verified before the copy is kept. PostgreSQL: `pg_dump
//! --format=custom` and `pg_restore`, which must be on the PATH (the PostgreSQL client
//! package); the restored database's chain is verified after the restore.

use std::path::{Path, PathBuf};
use std::process::Command;

use tongban_store::audit::Verified;
use tongban_store::Store;

use crate::config::{mask_url, Config};

/// Where the data is: the SQLite file under the data directory, or a PostgreSQL URL.
pub enum Target {
    Sqlite { data: PathBuf },
    Postgres { url: String },
}

impl Target {
    pub fn of(cfg: &Config) -> Target {
        match &cfg.storage.database_url {
            Some(url) => Target::Postgres { url: url.clone() },
            None => Target::Sqlite {
                data: PathBuf::from(&cfg.storage.data),
            },
        }
    }
}

/// The file a server on the data directory holds locked while it runs, so that a restore
/// never replaces a database under a running server.
pub fn lock_path(data: &Path) -> PathBuf {
    data.join("serve.lock")
}

/// Takes the data directory's lock, or says who holds it.
pub fn lock_data(data: &Path) -> Result<std::fs::File, String> {
    std::fs::create_dir_all(data).map_err(|e| format!("{}：{e}", data.display()))?;
    let path = lock_path(data);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}：{e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "数据目录 {} 正由运行中的 tongban serve 使用（{} 已锁定）。请先停止它",
            data.display(),
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}：{e}", path.display())),
    }
}

fn verified(v: Verified, what: &Path) -> Result<u64, String> {
    match v {
        Verified::Intact { records } => Ok(records),
        Verified::Broken(brk) => Err(format!(
            "{} 的审计链被破坏：{brk}（{}）",
            what.display(),
            tongban_domain::error::Code::code(&brk)
        )),
    }
}

/// Writes a consistent copy to `to` (which must not exist) and verifies its audit chain; on
/// any failure nothing is left at `to`. Answers what to tell the operator.
pub async fn backup(store: &Store, target: &Target, to: &Path) -> Result<String, String> {
    if to.exists() {
        return Err(format!("{} 已存在，备份不覆盖已有文件", to.display()));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}：{e}", dir.display()))?;
    }
    let partial = partial_of(to);
    let _ = std::fs::remove_file(&partial);
    let done = match target {
        Target::Sqlite { .. } => backup_sqlite(store, &partial).await,
        Target::Postgres { url } => pg_dump(url, &partial).map(|()| {
            "PostgreSQL 自定义格式（pg_dump -Fc）；恢复后审计链由 tongban restore 核验".to_string()
        }),
    };
    match done {
        Ok(what) => {
            std::fs::rename(&partial, to).map_err(|e| format!("{}：{e}", to.display()))?;
            Ok(format!("备份完成：{}（{what}）", to.display()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_of(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    to.with_file_name(name)
}

async fn backup_sqlite(store: &Store, to: &Path) -> Result<String, String> {
    store
        .backup_sqlite(to)
        .await
        .map_err(|e| format!("备份失败：{e}"))?;
    let v = tongban_store::audit::verify_sqlite_file(to)
        .await
        .map_err(|e| format!("无法核验备份：{e}"))?;
    let records = verified(v, to)?;
    Ok(format!("审计链完整，共 {records} 条记录"))
}

fn pg_dump(url: &str, to: &Path) -> Result<(), String> {
    let out = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(to)
        .arg("--dbname")
        .arg(url)
        .output()
        .map_err(|e| {
            format!(
                "无法运行 pg_dump（{e}）：请安装 PostgreSQL 客户端，或自行执行 \
                 pg_dump --format=custom --file 备份文件 --dbname {}",
                mask_url(url)
            )
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pg_dump 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Replaces the database with the copy at `from`. SQLite: the copy's chain is verified
/// first, the running server's lock must be free, and the database replaced is kept beside
/// it as `tongban.db.before-restore-<time>`. PostgreSQL: `pg_restore --clean` into the
/// configured database in one transaction. Answers what to tell the operator; the caller then
/// opens the store (migrating an older copy) and verifies the chain.
pub async fn restore(target: &Target, from: &Path) -> Result<String, String> {
    if !from.is_file() {
        return Err(format!("{} 不存在或不是文件", from.display()));
    }
    match target {
        Target::Sqlite { data } => {
            let v = tongban_store::audit::verify_sqlite_file(from)
                .await
                .map_err(|e| format!("{} 不是可用的备份：{e}", from.display()))?;
            let records = verified(v, from)?;
            let _lock = lock_data(data)?;
            let db = data.join("tongban.db");
            let fresh = data.join("tongban.db.restoring");
            let _ = std::fs::remove_file(&fresh);
            tongban_store::backup::copy_sqlite_file(from, &fresh)
                .await
                .map_err(|e| format!("无法复制备份：{e}"))?;
            let mut kept = String::new();
            if db.exists() {
                tongban_store::backup::checkpoint_sqlite_file(&db)
                    .await
                    .map_err(|e| format!("无法整理现有数据库：{e}"))?;
                let aside = data.join(format!(
                    "tongban.db.before-restore-{}",
                    chrono::Utc::now().format("%Y%m%d%H%M%S")
                ));
                std::fs::rename(&db, &aside).map_err(|e| format!("{}：{e}", db.display()))?;
                kept = format!("；原数据库保留为 {}", aside.display());
            }
            for side in ["tongban.db-wal", "tongban.db-shm"] {
                let _ = std::fs::remove_file(data.join(side));
            }
            std::fs::rename(&fresh, &db).map_err(|e| format!("{}：{e}", db.display()))?;
            Ok(format!(
                "已从 {} 恢复（备份中 {records} 条审计记录）{kept}",
                from.display()
            ))
        }
        Target::Postgres { url } => {
            let out = Command::new("pg_restore")
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(url)
                .arg(from)
                .output()
                .map_err(|e| {
                    format!(
                        "无法运行 pg_restore（{e}）：请安装 PostgreSQL 客户端，或自行执行 \
                         pg_restore --clean --if-exists --single-transaction --dbname {} 备份文件",
                        mask_url(url)
                    )
                })?;
            if !out.status.success() {
                return Err(format!(
                    "pg_restore 失败：{}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(format!("已从 {} 恢复到 {}", from.display(), mask_url(url)))
        }
    }
}

/// The backups in `dir` this schedule made (`tongban-<time>.db` or `.dump`), oldest first.
fn scheduled_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name.starts_with("tongban-")
                        && (name.ends_with(".db") || name.ends_with(".dump"))
                })
                .collect()
        })
        .unwrap_or_default();
    // The time in the name sorts as text.
    found.sort();
    found
}

/// Removes all but the newest `keep` scheduled backups in `dir`; answers those removed.
pub fn prune(dir: &Path, keep: usize) -> Vec<PathBuf> {
    let found = scheduled_in(dir);
    let excess = found.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for p in found.into_iter().take(excess) {
        if std::fs::remove_file(&p).is_ok() {
            removed.push(p);
        }
    }
    removed
}

/// One scheduled backup into `dir`, then the oldest beyond `keep` removed.
pub async fn scheduled(
    store: &Store,
    target: &Target,
    dir: &Path,
    keep: usize,
) -> Result<String, String> {
    let ext = match target {
        Target::Sqlite { .. } => "db",
        Target::Postgres { .. } => "dump",
    };
    let to = dir.join(format!(
        "tongban-{}.{ext}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ")
    ));
    let said = backup(store, target, &to).await?;
    let removed = prune(dir, keep);
    Ok(if removed.is_empty() {
        said
    } else {
        format!("{said}；按保留份数删除 {} 份旧备份", removed.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_of_this_schedule_only() {
        let dir = std::env::temp_dir().join(format!(
            "tongban_prune_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "tongban-20261201T010000000Z.db",
            "tongban-20261203T010000000Z.db",
            "tongban-20261202T010000000Z.db",
            "tongban-20261204T010000000Z.db",
            "manual.db",
            "tongban-20261130T010000000Z.db.partial",
        ];
        for n in names {
            std::fs::write(dir.join(n), b"x").unwrap();
        }
        let removed = prune(&dir, 2);
        let removed: Vec<_> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
            .collect();
        assert_eq!(
            removed,
            [
                "tongban-20261201T010000000Z.db",
                "tongban-20261202T010000000Z.db"
            ]
        );
        let mut left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "manual.db",
                "tongban-20261130T010000000Z.db.partial",
                "tongban-20261203T010000000Z.db",
                "tongban-20261204T010000000Z.db"
            ]
        );
        assert!(prune(&dir, 0).len() == 2 && prune(&dir, 5).is_empty());
    }
}
