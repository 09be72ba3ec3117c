//! Whether the database can serve: reachable at start (a PostgreSQL server that is down is said
//! to be down at once, with its address, instead of after the pool's timeout) and writable while
//! running (`/readyz` writes a heartbeat row; `/healthz` only reads).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

use crate::{millis, Result, Store, StoreError};

/// Connects once to the PostgreSQL server at `url` within `timeout`, so that an unreachable
/// server is reported at once, naming its address: "connection refused 127.0.0.1:5432".
pub async fn probe_postgres(url: &str, timeout: Duration) -> Result<()> {
    let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open(e.to_string()))?;
    let host = opts.get_host();
    let addr = if host.starts_with('/') {
        format!("{host}/.s.PGSQL.{}", opts.get_port())
    } else {
        format!("{host}:{}", opts.get_port())
    };
    match tokio::time::timeout(timeout, sqlx::PgConnection::connect_with(&opts)).await {
        Err(_) => Err(StoreError::Open(format!(
            "PostgreSQL {addr} 在 {} 秒内未应答（storage.connect_timeout_secs）",
            timeout.as_secs()
        ))),
        Ok(Err(sqlx::Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(StoreError::Open(format!(
                "connection refused {addr}：PostgreSQL 未在此地址监听"
            )))
        }
        Ok(Err(e)) => Err(StoreError::Open(format!("PostgreSQL {addr}：{e}"))),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
    }
}

impl Store {
    /// Proves the store takes writes: upserts this node's heartbeat row in a write
    /// transaction, the same path every change takes. Not audited: it changes no record of
    /// the service, and a probe every few seconds would drown the chain.
    pub async fn heartbeat(&self, node: &str, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO heartbeat (node, at) VALUES ($1, $2)
                 ON CONFLICT (node) DO UPDATE SET at = excluded.at",
            )
            .bind(node)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
