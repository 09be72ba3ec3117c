//! Application drafts: a form's text and uploaded files between its post and the filing. Not
//! audited: a draft changes no business state (the uploads it names are audited as they
//! arrive, and the filing is audited as the case).

use chrono::{DateTime, Utc};

use crate::{millis, Result, Store};

impl Store {
    /// Saves (or replaces) a person's draft, and deletes every draft older than `expire_before`.
    pub async fn save_draft(
        &self,
        id: &str,
        user_id: i64,
        payload: &str,
        now: DateTime<Utc>,
        expire_before: DateTime<Utc>,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("DELETE FROM application_drafts WHERE created_at < $1")
                .bind(millis(expire_before))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO application_drafts (id, user_id, payload, created_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET payload = excluded.payload,
                     created_at = excluded.created_at
                 WHERE application_drafts.user_id = excluded.user_id",
            )
            .bind(id)
            .bind(user_id)
            .bind(payload)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// A person's draft; another person's id answers as an unknown one.
    pub async fn draft(&self, id: &str, user_id: i64) -> Result<Option<String>> {
        Ok(read!(self, |db| {
            sqlx::query_scalar(
                "SELECT payload FROM application_drafts WHERE id = $1 AND user_id = $2",
            )
            .bind(id)
            .bind(user_id)
            .fetch_optional(db)
            .await?
        }))
    }

    pub async fn delete_draft(&self, id: &str, user_id: i64) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("DELETE FROM application_drafts WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}
