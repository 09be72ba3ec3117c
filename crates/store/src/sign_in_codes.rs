//! Codes sent by SMS to sign in or to set a new password. The code itself is never stored,
//! only its hash; the browser holds a ticket (a random id), never the phone number.

use chrono::{DateTime, Utc};
use tongban_domain::audit::AuditEntry;

use crate::{instant, millis, Result, Store};

/// A code about to be sent.
#[derive(Debug, Clone)]
pub struct NewCode {
    pub ticket: String,
    /// `None` when no single account has the phone: the code is recorded (so the answer and the
    /// rate limit are the same) but nothing is sent.
    pub user_id: Option<i64>,
    pub phone: String,
    /// `sign_in` or `reset`.
    pub purpose: String,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    pub ticket: String,
    pub user_id: Option<i64>,
    pub phone: String,
    pub purpose: String,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub attempts: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    ticket: String,
    user_id: Option<i64>,
    phone: String,
    purpose: String,
    code_hash: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    attempts: i64,
}

impl Store {
    /// How many codes went to `phone` since `since`, and when the latest was made.
    pub async fn codes_since(
        &self,
        phone: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>)> {
        let (n, last): (i64, Option<i64>) = read!(self, |db| {
            sqlx::query_as(
                "SELECT COUNT(*), MAX(created_at) FROM sign_in_codes
                 WHERE phone = $1 AND created_at >= $2",
            )
            .bind(phone)
            .bind(millis(since))
            .fetch_one(db)
            .await?
        });
        Ok((n, last.map(instant).transpose()?))
    }

    /// Records a code and, for an account, queues its SMS in the outbox, in one transaction, so
    /// a code exists exactly when its message will go out. Codes expired before `sweep_before`
    /// are deleted on the way.
    pub async fn create_code(
        &self,
        code: &NewCode,
        sms_body: Option<&str>,
        sweep_before: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("DELETE FROM sign_in_codes WHERE expires_at < $1")
                .bind(millis(sweep_before))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_codes (ticket, user_id, phone, purpose, code_hash,
                    created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&code.ticket)
            .bind(code.user_id)
            .bind(&code.phone)
            .bind(&code.purpose)
            .bind(&code.code_hash)
            .bind(millis(code.created_at))
            .bind(millis(code.expires_at))
            .execute(&mut *tx)
            .await?;
            if let Some(body) = sms_body {
                let at = millis(code.created_at);
                enqueue!(
                    tx,
                    crate::outbox::SMS,
                    &code.phone,
                    "验证码",
                    body,
                    None::<&str>,
                    at,
                    at
                );
            }
            if let Some(entry) = audit {
                audit!(self, tx, entry);
            }
        });
        Ok(())
    }

    pub async fn code(&self, ticket: &str) -> Result<Option<CodeRow>> {
        let row: Option<Row> = read!(self, |db| {
            sqlx::query_as(
                "SELECT ticket, user_id, phone, purpose, code_hash, created_at, expires_at,
                    used_at, attempts
                 FROM sign_in_codes WHERE ticket = $1",
            )
            .bind(ticket)
            .fetch_optional(db)
            .await?
        });
        row.map(|r| {
            Ok(CodeRow {
                ticket: r.ticket,
                user_id: r.user_id,
                phone: r.phone,
                purpose: r.purpose,
                code_hash: r.code_hash,
                created_at: instant(r.created_at)?,
                expires_at: instant(r.expires_at)?,
                used: r.used_at.is_some(),
                attempts: r.attempts,
            })
        })
        .transpose()
    }

    /// Counts a wrong code typed against a ticket.
    pub async fn code_failed(&self, ticket: &str) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE sign_in_codes SET attempts = attempts + 1 WHERE ticket = $1")
                .bind(ticket)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Uses a code: true when this call used it, false when it had been used already (two
    /// browsers racing with the same code: one wins).
    pub async fn use_code(&self, ticket: &str, now: DateTime<Utc>) -> Result<bool> {
        Ok(write!(self, |tx| {
            sqlx::query(
                "UPDATE sign_in_codes SET used_at = $1 WHERE ticket = $2 AND used_at IS NULL",
            )
            .bind(millis(now))
            .bind(ticket)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1
        }))
    }

    /// Uses a reset code and sets the account's new password in one transaction, ending every
    /// session of the account. False (and nothing changed) when the code was used already.
    pub async fn reset_password_with_code(
        &self,
        ticket: &str,
        user_id: i64,
        hash: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let used = sqlx::query(
                "UPDATE sign_in_codes SET used_at = $1 WHERE ticket = $2 AND used_at IS NULL",
            )
            .bind(millis(now))
            .bind(ticket)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if used {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL
                     WHERE id = $2",
                )
                .bind(hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                audit!(self, tx, audit);
            }
            used
        }))
    }

    /// The accounts whose phone is `phone` (a sign-in code goes only where there is one).
    pub async fn user_ids_by_phone(&self, phone: &str) -> Result<Vec<i64>> {
        Ok(read!(self, |db| {
            sqlx::query_scalar("SELECT id FROM users WHERE phone = $1 LIMIT 2")
                .bind(phone)
                .fetch_all(db)
                .await?
        }))
    }
}
