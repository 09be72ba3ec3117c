//! Online copies of an SQLite store. A plain file copy of a live WAL database can miss commits
//! still in the WAL (the outside test lost an acknowledged write that way), so every copy here
//! goes through SQLite: `VACUUM INTO` reads one snapshot on a reader connection, while the
//! writer goes on, and writes a compact file that holds every commit of that snapshot. PostgreSQL
//! copies are `pg_dump`'s (the binary wraps it), which reads one snapshot too.

use std::path::Path;

use sqlx::Connection;

use crate::{Backend, Result, Store, StoreError};

fn path_text(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| StoreError::Open(format!("{}: not UTF-8", p.display())))
}

impl Store {
    /// SQLite: writes a consistent copy of the whole database to `to`, which must not exist.
    pub async fn backup_sqlite(&self, to: &Path) -> Result<()> {
        match &self.backend {
            Backend::Sqlite { reader, .. } => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path_text(to)?)
                    .execute(reader)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(StoreError::Open(
                "PostgreSQL is backed up with pg_dump, not through the store".into(),
            )),
        }
    }
}

/// Copies the SQLite database at `from` (a backup, opened read-only) into the new file `to`.
pub async fn copy_sqlite_file(from: &Path, to: &Path) -> Result<()> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(from)
        .read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(path_text(to)?)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// Moves every commit of the SQLite database at `path` from its WAL into the file itself and
/// empties the WAL, so the file alone is the whole database (before it is set aside).
pub async fn checkpoint_sqlite_file(path: &Path) -> Result<()> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    if busy != 0 {
        return Err(StoreError::Open(format!(
            "{}: another process is using the database",
            path.display()
        )));
    }
    Ok(())
}
