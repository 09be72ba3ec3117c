//! Settings: local rules kept as key/value text, each with a documented default in the app.

use tongban_domain::audit::AuditEntry;

use crate::{Result, Store};

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(read!(self, |db| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(db)
                .await?
        }))
    }

    pub async fn settings(&self) -> Result<Vec<(String, String)>> {
        Ok(read!(self, |db| {
            sqlx::query_as("SELECT key, value FROM settings ORDER BY key")
                .fetch_all(db)
                .await?
        }))
    }

    pub async fn set_setting(&self, key: &str, value: &str, audit: AuditEntry) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }
}
