//! Reading the audit chain. Appending happens only through the `audit!` macro inside a write.

use tongban_domain::audit::{AuditEntry, AuditRecord, ChainBreak, ChainVerifier, HashAlgo};
use tongban_domain::region::RegionCode;

use crate::{instant, Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    at: i64,
    actor: String,
    role: String,
    action: String,
    target: String,
    summary: String,
    algo: String,
    prev_hash: String,
    hash: String,
    region: Option<String>,
}

impl TryFrom<Row> for AuditRecord {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(AuditRecord {
            seq: r.seq,
            entry: AuditEntry {
                at: instant(r.at)?,
                actor: r.actor,
                role: r.role,
                action: r.action,
                target: r.target,
                summary: r.summary,
                region: r
                    .region
                    .map(|code| {
                        RegionCode::parse(&code).map_err(|_| {
                            StoreError::Corrupt(format!("audit #{}: region {code}", r.seq))
                        })
                    })
                    .transpose()?,
            },
            algo: HashAlgo::parse(&r.algo)
                .ok_or_else(|| StoreError::Corrupt(format!("audit #{}: hash {}", r.seq, r.algo)))?,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

/// Walks the chain over the connection `$conn` (one snapshot): the head first, then every
/// record in `seq` order in batches, each link checked; evaluates to a [`Verified`].
macro_rules! walk {
    ($conn:expr) => {{
        const BATCH: i64 = 5000;
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one($conn)
                .await?;
        let sql = format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2");
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        let mut broken = None;
        'walk: loop {
            let rows: Vec<Row> = sqlx::query_as(&sql)
                .bind(after)
                .bind(BATCH)
                .fetch_all($conn)
                .await?;
            let n = rows.len();
            for row in rows {
                let record = AuditRecord::try_from(row)?;
                after = record.seq;
                if let Err(brk) = verifier.push(&record) {
                    broken = Some(brk);
                    break 'walk;
                }
            }
            if (n as i64) < BATCH {
                break;
            }
        }
        match broken {
            Some(brk) => Verified::Broken(brk),
            None => {
                let head = (head_seq > 0).then_some((head_seq, head_hash.as_str()));
                match verifier.finish(head) {
                    Ok(records) => Verified::Intact { records },
                    Err(brk) => Verified::Broken(brk),
                }
            }
        }
    }};
}

const SELECT: &str = "SELECT seq, at, actor, role, action, target, summary, algo, prev_hash, hash,
    region FROM audit_log";

/// Which audit records a reader may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope<'a> {
    /// The whole deployment.
    All,
    /// The records of a region's subtree; with the deployment-level ones (no region) too when
    /// `deployment` is set (a reader of the whole city).
    Region {
        region: &'a RegionCode,
        deployment: bool,
    },
}

/// The outcome of walking the whole chain.
#[derive(Debug)]
pub enum Verified {
    Intact { records: u64 },
    Broken(ChainBreak),
}

impl Store {
    /// The newest records first, `limit` at a time, before `before_seq` when given.
    pub async fn audit_page(
        &self,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>> {
        self.audit_page_in(AuditScope::All, before_seq, limit).await
    }

    /// [`Store::audit_page`] limited to the records `scope` may read.
    pub async fn audit_page_in(
        &self,
        scope: AuditScope<'_>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>> {
        let before = before_seq.unwrap_or(i64::MAX);
        let rows: Vec<Row> = match scope {
            AuditScope::All => {
                let sql = format!("{SELECT} WHERE seq < $1 ORDER BY seq DESC LIMIT $2");
                read!(self, |db| {
                    sqlx::query_as(&sql)
                        .bind(before)
                        .bind(limit)
                        .fetch_all(db)
                        .await?
                })
            }
            AuditScope::Region { region, deployment } => {
                let sql = format!(
                    "{SELECT} WHERE seq < $1 AND (region LIKE $3 OR ($4 = 1 AND region IS NULL))
                     ORDER BY seq DESC LIMIT $2"
                );
                let prefix = format!("{}%", region.prefix());
                read!(self, |db| {
                    sqlx::query_as(&sql)
                        .bind(before)
                        .bind(limit)
                        .bind(&prefix)
                        .bind(i64::from(deployment))
                        .fetch_all(db)
                        .await?
                })
            }
        };
        rows.into_iter().map(AuditRecord::try_from).collect()
    }

    /// The records about one target (e.g. `user:12`), oldest first.
    pub async fn audit_for_target(&self, target: &str) -> Result<Vec<AuditRecord>> {
        let sql = format!("{SELECT} WHERE target = $1 ORDER BY seq");
        let rows: Vec<Row> = read!(self, |db| {
            sqlx::query_as(&sql).bind(target).fetch_all(db).await?
        });
        rows.into_iter().map(AuditRecord::try_from).collect()
    }

    /// The head of the chain: the last sequence number and hash.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        Ok(read!(self, |db| {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(db)
                .await?
        }))
    }

    /// Walks the whole chain in batches, in `seq` order, and checks every link against the
    /// head. The head and every batch are read in one snapshot (one read transaction; REPEATABLE
    /// READ on PostgreSQL), so records appended while the walk runs are neither half-seen nor
    /// taken for a truncated chain.
    pub async fn audit_verify(&self) -> Result<Verified> {
        match &self.backend {
            crate::Backend::Sqlite { reader, .. } => {
                let mut tx = reader.begin().await?;
                let out = walk!(&mut *tx);
                tx.rollback().await?;
                Ok(out)
            }
            crate::Backend::Postgres(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?;
                let out = walk!(&mut *tx);
                tx.rollback().await?;
                Ok(out)
            }
        }
    }
}

/// Verifies the chain of the SQLite database file at `path` (a backup), opened read-only: the
/// copy is not changed by checking it.
pub async fn verify_sqlite_file(path: &std::path::Path) -> Result<Verified> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts).await?;
    let mut tx = sqlx::Connection::begin(&mut conn).await?;
    let out = walk!(&mut *tx);
    tx.rollback().await?;
    Ok(out)
}

impl Store {
    /// Records an action that changes no table of its own (a simulated clock moved, an export
    /// taken), so that it too is in the chain.
    pub async fn record_event(&self, entry: AuditEntry) -> Result<i64> {
        Ok(write!(self, |tx| audit!(self, tx, entry)))
    }
}
