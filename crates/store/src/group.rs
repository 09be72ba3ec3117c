//! Group commit for the SQLite writer.
//!
//! SQLite has one writer, and a commit with `synchronous=FULL` costs an fsync. Commands that
//! arrive while another is being written join one open transaction instead of queueing for
//! their own: the first opens it (`BEGIN IMMEDIATE`), each later one runs inside a savepoint, so
//! a command that fails or is refused rolls back only its own writes, and the last one in line
//! commits the lot. Every member is answered only after that commit has returned: nothing is
//! acknowledged before it is durable, and a failed commit is an error for every member.
//!
//! The command's SQL runs on the caller's task, as before (the `write!` body borrows the
//! caller's stack), one command at a time under the batch lock. The commit itself runs in a task
//! of its own, so a caller that goes away cannot strand the others mid-commit.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{watch, Mutex, OwnedMutexGuard};
use tongban_domain::audit::{link, AuditEntry, AuditRecord, HashAlgo};

use crate::{Result, StoreError};

/// The most commands one commit holds; a longer queue commits in several.
const MAX_BATCH: usize = 64;

/// How a batch ended: `None` while it is open, then the commit's result for every member.
type Outcome = Option<std::result::Result<(), String>>;

/// An audit head: the last record's sequence number and hash.
type Head = Option<(i64, String)>;

/// The SQLite writer: its one connection and the batch being filled.
#[derive(Debug)]
pub(crate) struct GroupCommit {
    pool: SqlitePool,
    batch: Arc<Mutex<Option<Batch>>>,
    /// Commands waiting for the batch lock. The one that finds nobody behind it commits.
    queued: AtomicUsize,
    /// Commands kept and commits made, for the benchmark and the tests.
    kept: AtomicU64,
    commits: Arc<AtomicU64>,
}

/// What the SQLite writer has done since the store was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Commands whose writes were kept.
    pub commands: u64,
    /// Transactions committed (each one fsync with `synchronous=FULL`).
    pub commits: u64,
    /// Commands waiting for the writer now.
    pub queued: usize,
}

#[derive(Debug)]
struct Batch {
    tx: Transaction<'static, Sqlite>,
    members: usize,
    done: watch::Sender<Outcome>,
    /// The audit chain's head as the batch has moved it, read from `audit_head` by the batch's
    /// first record (inside the transaction, so another process's appends are seen), and
    /// written back once, just before the commit.
    head: Head,
    /// The head's sequence number as stored.
    stored: Option<i64>,
    /// A command left mid-write (an error, an early return, its caller gone): its savepoint is
    /// still open, to be rolled back, and the head put back to this, before anything else.
    pending: Option<Head>,
}

/// One command inside the batch, holding the batch lock until [`Member::leave`]. Dropped
/// without leaving, its writes are rolled back.
pub(crate) struct Member {
    group: Arc<GroupCommit>,
    guard: Option<OwnedMutexGuard<Option<Batch>>>,
    /// The command that opened the transaction runs without a savepoint: if it fails, the
    /// transaction holds nothing else and is rolled back whole.
    first: bool,
    /// The audit head before this command, restored if its savepoint is rolled back.
    head_before: Head,
}

/// Counts a command in the queue while it waits for the lock and settles what the command
/// before it left. Dropped on the way (its caller gone), it leaves the queue and sends a
/// [`Rescue`]: a batch may have been left open for it to commit, and nobody else will.
struct Waiting(Option<Arc<GroupCommit>>);

impl Waiting {
    fn new(group: &Arc<GroupCommit>) -> Self {
        group.queued.fetch_add(1, Ordering::SeqCst);
        Self(Some(group.clone()))
    }

    /// Leaves the queue holding the lock: the command goes on and answers for the batch.
    fn arrived(mut self) {
        if let Some(group) = self.0.take() {
            group.queued.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(group) = self.0.take() {
            group.queued.fetch_sub(1, Ordering::SeqCst);
            drop(Rescue(Some(group)));
        }
    }
}

fn abandoned() -> StoreError {
    StoreError::Unavailable("the write batch was abandoned".into())
}

impl GroupCommit {
    pub(crate) fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            batch: Arc::new(Mutex::new(None)),
            queued: AtomicUsize::new(0),
            kept: AtomicU64::new(0),
            commits: Arc::new(AtomicU64::new(0)),
        }
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            commands: self.kept.load(Ordering::SeqCst),
            commits: self.commits.load(Ordering::SeqCst),
            queued: self.queued.load(Ordering::SeqCst),
        }
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Takes the batch lock, counted in the queue while waiting, and settles what a command
    /// before left behind.
    async fn lock(self: &Arc<Self>) -> OwnedMutexGuard<Option<Batch>> {
        let waiting = Waiting::new(self);
        let mut guard = self.batch.clone().lock_owned().await;
        settle(&mut guard).await;
        waiting.arrived();
        guard
    }

    /// Joins the open batch, or opens one.
    pub(crate) async fn enter(group: &Arc<Self>) -> Result<Member> {
        let mut guard = group.lock().await;
        // Cancelled while opening the batch or its savepoint, the command leaves a batch that
        // others may be waiting on, with no member to commit it.
        let mut rescue = Rescue(Some(group.clone()));
        let first = guard.is_none();
        match guard.as_mut() {
            None => {
                // IMMEDIATE takes the write lock at BEGIN, under the busy timeout: a deferred
                // transaction that reads first is refused at once (SQLITE_BUSY, no wait) when
                // it upgrades while another process holds the lock.
                let tx = group.pool.begin_with("BEGIN IMMEDIATE").await?;
                *guard = Some(Batch {
                    tx,
                    members: 1,
                    done: watch::channel(None).0,
                    head: None,
                    stored: None,
                    pending: None,
                });
            }
            Some(batch) => {
                if let Err(e) = sqlx::query("SAVEPOINT member")
                    .execute(&mut *batch.tx)
                    .await
                {
                    let err = StoreError::from(e);
                    abort(&mut guard, &err);
                    return Err(err);
                }
                batch.members += 1;
            }
        }
        let head_before = guard.as_ref().and_then(|b| b.head.clone());
        rescue.0 = None;
        Ok(Member {
            group: group.clone(),
            guard: Some(guard),
            first,
            head_before,
        })
    }

    /// What a command that left mid-write asks for (see [`Rescue`]): its savepoint rolled back
    /// and, if nobody else is coming, the others committed.
    async fn tidy(self: Arc<Self>) {
        let mut guard = self.lock().await;
        if guard.is_some() && self.queued.load(Ordering::SeqCst) == 0 {
            let _ = close(&mut guard, &self.commits).await;
        }
    }
}

impl Member {
    /// What the command writes through: the batch's transaction and its audit head.
    pub(crate) fn writer(&mut self) -> Result<Writer<'_>> {
        self.guard
            .as_mut()
            .and_then(|g| g.as_mut())
            .map(|batch| Writer { batch })
            .ok_or_else(abandoned)
    }

    /// Keeps the command's writes, commits the batch if nobody is waiting behind, and waits
    /// for the commit that makes them durable.
    pub(crate) async fn leave(mut self) -> Result<()> {
        let Some(mut guard) = self.guard.take() else {
            return Err(abandoned());
        };
        // Cancelled from here until the batch is handed on (its caller gone mid-statement),
        // the commit might be left to nobody while others wait for it.
        let mut rescue = Rescue(Some(self.group.clone()));
        let Some(batch) = guard.as_mut() else {
            return Err(abandoned());
        };
        if !self.first {
            if let Err(e) = sqlx::query("RELEASE SAVEPOINT member")
                .execute(&mut *batch.tx)
                .await
            {
                let err = StoreError::from(e);
                abort(&mut guard, &err);
                return Err(err);
            }
        }
        let mut done = batch.done.subscribe();
        self.group.kept.fetch_add(1, Ordering::SeqCst);
        if self.group.queued.load(Ordering::SeqCst) == 0 || batch.members >= MAX_BATCH {
            close(&mut guard, &self.group.commits).await?;
        }
        rescue.0 = None;
        drop(guard);
        let outcome = match done.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(message)) => Err(StoreError::Unavailable(message)),
            None => Err(abandoned()),
        }
    }
}

/// Spawns [`GroupCommit::tidy`] when dropped armed: whoever holds the lock next rolls back or
/// keeps what was left, and commits the batch if nobody else is coming.
struct Rescue(Option<Arc<GroupCommit>>);

impl Drop for Rescue {
    fn drop(&mut self) {
        if let (Some(group), Ok(rt)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(group.tidy());
        }
    }
}

impl Drop for Member {
    /// A command that did not leave (an error or early return in its body, its caller gone,
    /// a panic) is rolled back: whole, if it opened the transaction; otherwise its savepoint,
    /// by the next holder of the lock, and a task makes sure someone does.
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        if self.first {
            // Dropping the transaction rolls it back.
            guard.take();
            return;
        }
        if let Some(batch) = guard.as_mut() {
            batch.pending = Some(self.head_before.take());
            drop(guard);
            drop(Rescue(Some(self.group.clone())));
        }
    }
}

/// Rolls back the savepoint of a command that left mid-write, if there is one. If that fails,
/// the whole batch is rolled back and its members told.
///
/// Boxed as `Send` here, where its lifetimes are concrete: the futures that await it are
/// spawned, and rustc cannot prove an unboxed one `Send` for every lifetime of the executor.
fn settle(slot: &mut Option<Batch>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
    Box::pin(async move {
        let Some(batch) = slot.as_mut() else {
            return;
        };
        // Kept pending until undone: cancelled half way, the next holder does it again (and a
        // savepoint already released makes that fail, which rolls the whole batch back rather
        // than committing what was meant to be undone).
        let Some(head) = batch.pending.clone() else {
            return;
        };
        let mut undone = sqlx::query("ROLLBACK TO SAVEPOINT member")
            .execute(&mut *batch.tx)
            .await;
        if undone.is_ok() {
            undone = sqlx::query("RELEASE SAVEPOINT member")
                .execute(&mut *batch.tx)
                .await;
        }
        match undone {
            Ok(_) => {
                batch.pending = None;
                batch.head = head;
            }
            Err(e) => abort(slot, &StoreError::from(e)),
        }
    })
}

/// Writes the batch's audit head and hands the batch to a task that commits it and answers its
/// members; the lock is free for the next batch at once.
/// Boxed as `Send` for the reason [`settle`] is.
fn close<'a>(
    slot: &'a mut Option<Batch>,
    commits: &Arc<AtomicU64>,
) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(close_now(slot, commits.clone()))
}

async fn close_now(slot: &mut Option<Batch>, commits: Arc<AtomicU64>) -> Result<()> {
    let Some(batch) = slot.as_mut() else {
        return Ok(());
    };
    if let (Some((seq, hash)), true) = (&batch.head, batch.head_moved()) {
        let moved = sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(*seq)
            .bind(hash)
            .execute(&mut *batch.tx)
            .await;
        if let Err(e) = moved {
            let err = StoreError::from(e);
            abort(slot, &err);
            return Err(err);
        }
    }
    if let Some(batch) = slot.take() {
        tokio::spawn(commit(batch, commits));
    }
    Ok(())
}

/// Rolls the batch back (by dropping its transaction) and answers its members with `err`.
fn abort(slot: &mut Option<Batch>, err: &StoreError) {
    if let Some(batch) = slot.take() {
        tracing::warn!(
            members = batch.members,
            "a write batch is rolled back: {err}"
        );
        let _ = batch.done.send(Some(Err(err.to_string())));
    }
}

async fn commit(batch: Batch, commits: Arc<AtomicU64>) {
    let outcome = match batch.tx.commit().await {
        Ok(()) => {
            commits.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        Err(e) => {
            let err = StoreError::from(e);
            tracing::warn!(
                members = batch.members,
                "a write batch failed to commit: {err}"
            );
            Err(err.to_string())
        }
    };
    let _ = batch.done.send(Some(outcome));
}

impl Batch {
    fn head_moved(&self) -> bool {
        self.head.as_ref().map(|(seq, _)| *seq) != self.stored
    }
}

/// Inserts one chained record; the same statement on both backends.
macro_rules! insert_record {
    ($conn:expr, $record:expr) => {{
        let record: &AuditRecord = $record;
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, summary, algo, prev_hash, hash,
                region)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(record.seq)
        .bind(record.entry.at.timestamp_millis())
        .bind(&record.entry.actor)
        .bind(&record.entry.role)
        .bind(&record.entry.action)
        .bind(&record.entry.target)
        .bind(&record.entry.summary)
        .bind(record.algo.as_str())
        .bind(&record.prev_hash)
        .bind(&record.hash)
        .bind(record.entry.region.as_ref().map(|r| r.as_str()))
        .execute($conn)
        .await?;
    }};
}

/// A SQLite command's handle on the batch: the connection (through `Deref`, so `&mut *tx`
/// reaches it as a transaction would) and the audit head.
pub(crate) struct Writer<'m> {
    batch: &'m mut Batch,
}

impl Deref for Writer<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.batch.tx
    }
}

impl DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.batch.tx
    }
}

impl Writer<'_> {
    /// Appends an audit record, chained to the batch's head in memory: one statement per record,
    /// and the head row written once per batch.
    pub(crate) async fn append_audit(&mut self, algo: HashAlgo, entry: AuditEntry) -> Result<i64> {
        let batch = &mut *self.batch;
        let (seq, hash) = match batch.head.take() {
            Some(head) => head,
            None => {
                let head: (i64, String) =
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_one(&mut *batch.tx)
                        .await?;
                batch.stored = Some(head.0);
                head
            }
        };
        let record = link(algo, Some((seq, &hash)), entry);
        let inserted: Result<()> = async {
            insert_record!(&mut *batch.tx, &record);
            Ok(())
        }
        .await;
        match inserted {
            Ok(()) => {
                batch.head = Some((record.seq, record.hash));
                Ok(record.seq)
            }
            Err(e) => {
                batch.head = Some((seq, hash));
                Err(e)
            }
        }
    }
}

/// A PostgreSQL command's transaction. Several nodes may write to one database, so the head
/// stays a row: bumping it locks it, and concurrent appends serialise on that lock.
pub(crate) struct PgWriter(pub(crate) Transaction<'static, Postgres>);

impl Deref for PgWriter {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.0
    }
}

impl DerefMut for PgWriter {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.0
    }
}

impl PgWriter {
    pub(crate) async fn append_audit(&mut self, algo: HashAlgo, entry: AuditEntry) -> Result<i64> {
        let (seq, prev): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *self.0)
                .await?;
        let record = link(algo, Some((seq - 1, &prev)), entry);
        insert_record!(&mut *self.0, &record);
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&record.hash)
            .execute(&mut *self.0)
            .await?;
        Ok(record.seq)
    }
}
