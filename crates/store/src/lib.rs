//! Tongban's storage: one [`Store`], two backends.
//!
//! SQLite (bundled, WAL) is the embedded default; PostgreSQL is for scale. The SQL is written
//! once: the [`read!`] and [`write!`] macros expand the same body against whichever pool the
//! store was opened with, so each statement is compiled for both backends and typed for each
//! (no `Any` driver). Where the dialects differ, each backend has its own migration file.
//!
//! Every write runs in one transaction that also appends its audit record to the hash chain, so
//! a change and the evidence of it land together or not at all. On SQLite, writes that arrive
//! together share that transaction and its fsync (see [`group`]).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tongban_domain::audit::HashAlgo;

/// Runs `$body` with `$db` bound to a pool for reading.
macro_rules! read {
    ($store:expr, |$db:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { reader, .. } => {
                let $db = reader;
                $body
            }
            $crate::Backend::Postgres(pool) => {
                let $db = pool;
                $body
            }
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx` and commits it, answering only once
/// the commit has returned. An early return through `?` leaves the transaction unkept, which
/// rolls back what the body wrote. On SQLite the command joins the writer's group commit
/// (see [`group`]); on PostgreSQL each command has its own transaction, so connections write in
/// parallel. Either way `&mut *$tx` is the connection to run statements on.
macro_rules! write {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { group, .. } => {
                let mut member = $crate::group::GroupCommit::enter(group).await?;
                let out = {
                    #[allow(unused_mut)]
                    let mut $tx = member.writer()?;
                    $body
                };
                member.leave().await?;
                out
            }
            $crate::Backend::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = $crate::group::PgWriter(pool.begin().await?);
                let out = $body;
                $tx.0.commit().await?;
                out
            }
        }
    };
}

/// Appends an audit record inside the write `$tx`, chained to the head, and evaluates to its
/// sequence number. SQLite chains a batch's records in memory; PostgreSQL locks the head row.
macro_rules! audit {
    ($store:expr, $tx:ident, $entry:expr) => {{
        let entry: ::tongban_domain::audit::AuditEntry = $entry;
        $tx.append_audit($store.algo, entry).await?
    }};
}

/// Appends an item event inside the transaction `$tx`.
macro_rules! insert_event {
    ($tx:ident, $item:expr, $version:expr, $from:expr, $to:expr, $event:expr, $now:expr) => {{
        let e: &$crate::catalog::ItemEventNew = $event;
        // Typed, so every call binds the same wire types: PostgreSQL connections cache the
        // statement with the first call's parameter types (an `i32` literal here once made a
        // later `i64` call's binary data unreadable).
        let (item, version): (i64, i64) = ($item, $version);
        let (from, to): (Option<&str>, &str) = ($from, $to);
        sqlx::query(
            "INSERT INTO item_events (item_id, version, action, from_status, to_status, actor_id,
                actor, role, comment, effective_date, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(item)
        .bind(version)
        .bind(&e.action)
        .bind(from)
        .bind(to)
        .bind(e.actor_id)
        .bind(&e.actor)
        .bind(&e.role)
        .bind(&e.comment)
        .bind(e.effective_date.as_deref())
        .bind($crate::millis($now))
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Queues one outbox message inside the transaction `$tx`, so it is sent only if the change
/// that caused it commits. Times are epoch milliseconds.
macro_rules! enqueue {
    ($tx:ident, $channel:expr, $recipient:expr, $subject:expr, $body:expr, $case_number:expr,
     $created_at:expr, $send_at:expr) => {{
        // Typed for the reason `insert_event!` is.
        let (created_at, send_at): (i64, i64) = ($created_at, $send_at);
        sqlx::query(
            "INSERT INTO outbox (channel, recipient, subject, body, case_number, created_at,
                next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($channel)
        .bind($recipient)
        .bind($subject)
        .bind($body)
        .bind($case_number)
        .bind(created_at)
        .bind(send_at)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Moves a board counter by `$n` inside the transaction `$tx` (creating it at `$n`).
macro_rules! bump {
    ($tx:ident, $region:expr, $dept:expr, $hall:expr, $metric:expr, $day:expr, $n:expr) => {{
        let n: i64 = $n;
        // Typed for the reason `insert_event!` is.
        let (region, dept, hall, metric, day): (&str, i64, i64, &str, &str) =
            ($region, $dept, $hall, $metric, $day);
        if n != 0 {
            sqlx::query(
                "INSERT INTO board_counts (region, department_id, hall_id, metric, day, n)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (region, department_id, hall_id, metric, day)
                 DO UPDATE SET n = board_counts.n + excluded.n",
            )
            .bind(region)
            .bind(dept)
            .bind(hall)
            .bind(metric)
            .bind(day)
            .bind(n)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

/// Board counter changes gathered through a case write and applied at its end, netted (a light
/// lowered and lit again is no write at all) and in key order. Every writer in a department
/// touches the same counter rows, so they are locked last, briefly, and always in the same
/// order, which keeps concurrent writers from deadlocking on them.
#[derive(Debug, Default)]
pub(crate) struct Tally(std::collections::BTreeMap<(String, i64, i64, &'static str, String), i64>);

impl Tally {
    pub(crate) fn add(
        &mut self,
        region: &str,
        dept: i64,
        hall: i64,
        metric: &'static str,
        day: impl Into<String>,
        n: i64,
    ) {
        *self
            .0
            .entry((region.to_string(), dept, hall, metric, day.into()))
            .or_default() += n;
    }
}

/// Applies a [`Tally`] inside the transaction `$tx`: one multi-row upsert, its rows in key order
/// (each key once, so PostgreSQL's `ON CONFLICT` never meets a row twice), counters that net to
/// nothing left out.
macro_rules! apply_tally {
    ($tx:ident, $tally:expr) => {{
        let moved: Vec<_> = $tally.0.iter().filter(|(_, n)| **n != 0).collect();
        if !moved.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO board_counts (region, department_id, hall_id, metric, day, n) ",
            );
            q.push_values(moved, |mut row, ((region, dept, hall, metric, day), n)| {
                row.push_bind(region.as_str())
                    .push_bind(*dept)
                    .push_bind(*hall)
                    .push_bind(*metric)
                    .push_bind(day.as_str())
                    .push_bind(*n);
            });
            q.push(
                " ON CONFLICT (region, department_id, hall_id, metric, day)
                 DO UPDATE SET n = board_counts.n + excluded.n",
            );
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

// The subject registry's macros (`register_subject!`, `sync_watches!`) and the findings'
// (`insert_findings!`) serve every module below.
#[macro_use]
pub mod subjects;
#[macro_use]
pub mod findings;

pub mod admonitions;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod disclosure;
pub mod disclosure_catalog;
pub mod documents;
pub mod drafts;
pub mod fault;
mod group;
pub mod health;
pub mod hotline;
pub mod licences;
mod migrate;
pub mod opengov;
pub mod orders;
pub mod org;
pub mod outbox;
pub mod performance;
pub mod ratings;
pub mod reads;
pub mod retime;
pub mod search_counts;
pub mod settings;
pub mod sign_in_codes;
pub mod survey;
pub mod users;
pub mod watch;

pub use group::WriterStats;
pub use migrate::MIGRATIONS;

/// Failures of the store. Unique-key clashes become [`StoreError::Conflict`] so the layers
/// above can tell a person "that already exists" instead of failing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("cannot open the store: {0}")]
    Open(String),
    /// The database cannot take the write for now: disk full, an I/O error, a read-only
    /// file, the server gone. Nothing of it was committed; a later write can succeed.
    #[error("the store cannot write now: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

/// Whether `err` means the database cannot write for now rather than that the write was wrong:
/// SQLite's full, I/O, read-only, can't-open and locked results (by primary result code, the low
/// byte of the extended code), PostgreSQL's insufficient resources (class 53), connection
/// failures (08), shutdowns (57P) and read-only transactions (25006), and a lost connection.
fn unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else { return false };
            if let Ok(n) = code.parse::<i32>() {
                // SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_NOMEM 7, SQLITE_READONLY 8,
                // SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14.
                matches!(n & 0xff, 5..=8 | 10 | 13 | 14)
            } else {
                code.starts_with("53")
                    || code.starts_with("08")
                    || code.starts_with("57P")
                    || code == "25006"
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite names the columns in its message.
                StoreError::Conflict(
                    db.constraint()
                        .map_or_else(|| db.message().to_string(), str::to_string),
                )
            }
            sqlx::Error::RowNotFound => StoreError::NotFound("row"),
            sqlx::Error::ColumnDecode { source, .. } => StoreError::Corrupt(source.to_string()),
            _ if unavailable(&err) => StoreError::Unavailable(err.to_string()),
            _ => StoreError::Db(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
enum Backend {
    /// One writer connection (SQLite allows one writer; sharing it avoids busy retries), whose
    /// commands commit in groups, and a pool of read-only connections that WAL lets run beside it.
    Sqlite {
        group: std::sync::Arc<group::GroupCommit>,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct Options {
    /// The audit chain's hash for new records.
    pub algo: HashAlgo,
    /// SQLite: `synchronous=FULL` (every commit reaches the disk) unless turned off.
    pub sqlite_full_sync: bool,
    /// PostgreSQL connections in the pool; SQLite readers.
    pub max_connections: u32,
    /// PostgreSQL: a schema to create and use (tests get a fresh one each).
    pub pg_schema: Option<String>,
    /// SQLite: how long a write waits for a lock another process holds before it is refused
    /// as busy.
    pub sqlite_busy_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            algo: HashAlgo::Sm3,
            sqlite_full_sync: true,
            max_connections: 8,
            pg_schema: None,
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// The store. Cheap to clone: it holds pools.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    algo: HashAlgo,
}

impl Store {
    /// Opens `target`: a `postgres://` URL, a `sqlite:` path, or a data directory that will
    /// hold `tongban.db`. Does not migrate.
    pub async fn open(target: &str, opts: &Options) -> Result<Store> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            Self::open_postgres(target, opts).await
        } else {
            let path = match target.strip_prefix("sqlite:") {
                Some(p) => p.trim_start_matches("//").into(),
                None => {
                    std::fs::create_dir_all(target)
                        .map_err(|e| StoreError::Open(format!("{target}: {e}")))?;
                    Path::new(target).join("tongban.db")
                }
            };
            Self::open_sqlite(&path, opts).await
        }
    }

    async fn open_sqlite(path: &Path, opts: &Options) -> Result<Store> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if opts.sqlite_full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .foreign_keys(true)
            .busy_timeout(opts.sqlite_busy_timeout);
        // A connection to a local file cannot go stale, so acquiring one skips the ping, a
        // round trip to the connection's thread that would double the cost of a short read.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_release(|conn, _| Box::pin(async move { still_sound(conn).await }))
            .before_acquire(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            })
            .connect_with(base.clone().create_if_missing(true))
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .test_before_acquire(false)
            .connect_with(base.read_only(true))
            .await?;
        Ok(Store {
            backend: Backend::Sqlite {
                group: std::sync::Arc::new(group::GroupCommit::new(writer)),
                reader,
            },
            algo: opts.algo,
        })
    }

    async fn open_postgres(url: &str, opts: &Options) -> Result<Store> {
        let mut connect =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Open(e.to_string()))?;
        if let Some(schema) = &opts.pg_schema {
            // Create the schema over a plain connection first, then point every pooled
            // connection at it.
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(connect.clone())
                .await?;
            let create = format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            );
            sqlx::raw_sql(&create).execute(&admin).await?;
            admin.close().await;
            connect = connect.options([("search_path", schema.as_str())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect)
            .await?;
        Ok(Store {
            backend: Backend::Postgres(pool),
            algo: opts.algo,
        })
    }

    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Sqlite { .. } => Kind::Sqlite,
            Backend::Postgres(_) => Kind::Postgres,
        }
    }

    /// ` FOR UPDATE` on PostgreSQL, to lock rows read before a write in the same transaction;
    /// nothing on SQLite, whose single writer serialises such transactions already.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.kind() {
            Kind::Postgres => " FOR UPDATE",
            Kind::Sqlite => "",
        }
    }

    pub fn algo(&self) -> HashAlgo {
        self.algo
    }

    /// What the SQLite writer has done (commands kept, commits made); `None` on PostgreSQL,
    /// where each command commits on its own.
    pub fn writer_stats(&self) -> Option<WriterStats> {
        match &self.backend {
            Backend::Sqlite { group, .. } => Some(group.stats()),
            Backend::Postgres(_) => None,
        }
    }

    /// Holds the SQLite writer as an empty command until [`WriteHold::release`]: writes that
    /// arrive meanwhile queue, then run and commit together. For maintenance and for tests
    /// that need a batch of known members; `None` on PostgreSQL. Dropping the hold without
    /// releasing it is a command that left mid-write.
    pub async fn hold_writes(&self) -> Result<Option<WriteHold>> {
        match &self.backend {
            Backend::Sqlite { group, .. } => {
                Ok(Some(WriteHold(group::GroupCommit::enter(group).await?)))
            }
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        read!(self, |db| sqlx::query("SELECT 1")
            .execute(db)
            .await
            .map(drop)?);
        Ok(())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { group, reader } => {
                reader.close().await;
                group.pool().close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// The SQLite writer held by [`Store::hold_writes`].
pub struct WriteHold(group::Member);

impl WriteHold {
    /// Ends the hold as a command with nothing written, and waits for its batch's commit.
    pub async fn release(self) -> Result<()> {
        self.0.leave().await
    }
}

/// Whether the SQLite writer connection may go back to the pool. A write that failed leaves its
/// transaction to be rolled back by the drop; when that ROLLBACK fails too (after `database or
/// disk is full` or `disk I/O error`, which may have ended the transaction already or may hold
/// statements open), sqlx keeps its count of open transactions, so every later `begin` would
/// become a SAVEPOINT inside a transaction that never commits: writes acknowledged and lost.
/// Such a connection is closed instead (closing rolls back whatever it held) and the pool opens
/// a fresh one for the next write, which is how the store recovers once the fault clears.
async fn still_sound(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<bool> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // The drop's ROLLBACK is queued on the connection's thread; a round trip lets it finish.
    conn.ping().await?;
    let sound = !conn.is_in_transaction();
    if !sound {
        tracing::warn!(
            "the SQLite writer was left inside a transaction; it is closed and reopened"
        );
    }
    Ok(sound)
}

/// Milliseconds since the epoch, the stored form of an instant.
/// The board counter a lit light counts in (1 yellow, 2 red).
pub(crate) fn gauge(light: i64) -> &'static str {
    if light >= 2 {
        "red"
    } else {
        "yellow"
    }
}

pub(crate) fn millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn instant(ms: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("instant out of range: {ms}")))
}
