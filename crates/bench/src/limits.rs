//! The physical limits of this machine, measured the way the store uses it: single-row INSERT
//! commits per second (each its own durable transaction) and indexed point reads per second, with
//! a given number of concurrent clients.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::Res;

pub enum Db {
    /// One writer connection, as the store has; `readers` for reads.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

impl Db {
    pub async fn sqlite(dir: &std::path::Path, full: bool, readers: u32) -> Res<Db> {
        std::fs::create_dir_all(dir)?;
        let opts = SqliteConnectOptions::new()
            .filename(dir.join("limit.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if full {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(Duration::from_secs(30));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .execute(&writer)
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Db::Sqlite { writer, reader })
    }

    pub async fn postgres(url: &str, schema: &str, clients: u32) -> Res<Db> {
        drop_schema(url, schema).await?;
        let admin = PgPoolOptions::new().max_connections(1).connect(url).await?;
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await?;
        admin.close().await;
        let schema = schema.to_string();
        let pool = PgPoolOptions::new()
            .max_connections(clients.max(1))
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    sqlx::query(&format!("SET search_path TO {schema}"))
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
            .execute(&pool)
            .await?;
        Ok(Db::Postgres(pool))
    }

    async fn insert(&self) -> Res<()> {
        match self {
            Db::Sqlite { writer, .. } => {
                sqlx::query("INSERT INTO t (v) VALUES ('limit')")
                    .execute(writer)
                    .await?;
            }
            Db::Postgres(pool) => {
                sqlx::query("INSERT INTO t (v) VALUES ('limit')")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn read(&self, id: i64) -> Res<()> {
        match self {
            Db::Sqlite { reader, .. } => {
                let _: Option<String> = sqlx::query_scalar("SELECT v FROM t WHERE id = $1")
                    .bind(id)
                    .fetch_optional(reader)
                    .await?;
            }
            Db::Postgres(pool) => {
                let _: Option<String> = sqlx::query_scalar("SELECT v FROM t WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn count(&self) -> Res<i64> {
        Ok(match self {
            Db::Sqlite { writer, .. } => {
                sqlx::query_scalar("SELECT COUNT(*) FROM t")
                    .fetch_one(writer)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM t")
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    pub async fn close(self) {
        match self {
            Db::Sqlite { writer, reader } => {
                writer.close().await;
                reader.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Runs `op` from `clients` tasks for `dur`; returns operations per second.
async fn drive<F, Fut>(clients: u32, dur: Duration, op: F) -> Res<f64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Res<()>> + Send,
{
    let op = Arc::new(op);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let op = op.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = u64::from(c);
            while started.elapsed() < dur {
                op(i).await?;
                done.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            Res::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// Single-row INSERT commits per second with `clients` concurrent clients.
pub async fn commits(db: Arc<Db>, clients: u32, dur: Duration) -> Res<f64> {
    drive(clients, dur, move |_| {
        let db = db.clone();
        async move { db.insert().await }
    })
    .await
}

/// Indexed point reads per second with `clients` concurrent clients, over the rows inserted.
pub async fn reads(db: Arc<Db>, clients: u32, dur: Duration) -> Res<f64> {
    let rows = db.count().await?.max(1);
    drive(clients, dur, move |i| {
        let db = db.clone();
        // A cheap spread over the table without a shared generator.
        let id = (i.wrapping_mul(2_654_435_761) % rows as u64) as i64 + 1;
        async move { db.read(id).await }
    })
    .await
}

/// Drops one of the suite's own PostgreSQL schemas (a 10-million-case schema is tens of GB).
pub async fn drop_schema(url: &str, schema: &str) -> Res<()> {
    let admin = PgPoolOptions::new().max_connections(1).connect(url).await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(())
}
