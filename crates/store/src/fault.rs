//! Faults of the database itself, told apart from faults of the request.
//!
//! A full disk, a read-only file or mount, a lock held by another process or an unreachable
//! server are not bugs and not the caller's mistake: nothing was saved, and the same request
//! may succeed once the operator clears the fault. The layers above answer them as 503 with a
//! stable code (and `/readyz` reports them) instead of a 500 or a 404. The classification reads
//! the driver's codes: SQLite's primary result codes, PostgreSQL's SQLSTATE classes.

use crate::StoreError;

/// Why the database cannot serve for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No room left for the database (SQLite `SQLITE_FULL`, PostgreSQL `53100`).
    DiskFull,
    /// The file, its directory or the server takes no writes (SQLite `SQLITE_READONLY`,
    /// PostgreSQL `25006` on a standby or a read-only transaction default).
    ReadOnly,
    /// Another connection or process holds the lock past the busy timeout (SQLite
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`), or no pooled connection came free in time.
    Busy,
    /// The database cannot be reached or opened: connection refused or lost, the server
    /// shutting down, an I/O error under the file.
    Unavailable,
}

impl StoreError {
    /// The database fault behind this error, if it is one.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            StoreError::Db(e) => fault_of(e),
            StoreError::Open(_) => Some(Fault::Unavailable),
            // The writer keeps only the driver's text of the fault it met.
            StoreError::Unavailable(text) => Some(if text.contains("(code: 13)") {
                Fault::DiskFull
            } else if text.contains("(code: 8)") {
                Fault::ReadOnly
            } else if text.contains("(code: 5)") || text.contains("(code: 6)") {
                Fault::Busy
            } else {
                Fault::Unavailable
            }),
            _ => None,
        }
    }
}

/// The fault behind a driver error, if it is one.
pub fn fault_of(err: &sqlx::Error) -> Option<Fault> {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code()?;
            if let Ok(n) = code.parse::<i64>() {
                // SQLite: an extended result code; its low byte is the primary code.
                return match n & 0xff {
                    13 => Some(Fault::DiskFull),
                    8 => Some(Fault::ReadOnly),
                    5 | 6 => Some(Fault::Busy),
                    10 | 14 => Some(Fault::Unavailable),
                    _ => None,
                };
            }
            match code.as_ref() {
                "53100" => Some(Fault::DiskFull),
                "25006" => Some(Fault::ReadOnly),
                "55P03" => Some(Fault::Busy),
                c if c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") => {
                    Some(Fault::Unavailable)
                }
                _ => None,
            }
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
            Some(Fault::Unavailable)
        }
        sqlx::Error::PoolTimedOut => Some(Fault::Busy),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_sqlite_file_is_told_apart() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 3;")
            .execute(&pool)
            .await
            .unwrap();
        let mut full = None;
        for _ in 0..20 {
            if let Err(e) = sqlx::query("INSERT INTO t VALUES (zeroblob(4000))")
                .execute(&pool)
                .await
            {
                full = Some(e);
                break;
            }
        }
        let err = StoreError::from(full.expect("the page limit is reached"));
        assert_eq!(err.fault(), Some(Fault::DiskFull), "{err}");
        let refused = sqlx::query("SELECT * FROM missing")
            .execute(&pool)
            .await
            .unwrap_err();
        assert_eq!(StoreError::from(refused).fault(), None);
    }
}
