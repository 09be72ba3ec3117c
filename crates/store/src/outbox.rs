//! The notification outbox: SMS and e-mail waiting to go out.
//!
//! The case engine inserts rows inside its own transactions, so a notice exists exactly when the
//! change it announces was committed. A dispatcher then claims due rows under a lease, sends
//! them, and marks each sent or failed. Delivery is at least once: a dispatcher that dies
//! mid-send leaves its rows claimed until the lease ends, and then they are claimed again.
//!
//! Outbox bookkeeping is not audited: it is delivery state, not a decision anyone made.
//!
//! A message is in one of four states:
//! - pending: `sent_at` NULL, `next_attempt_at` a real instant (due once it has passed);
//! - claimed: pending with `claimed_until` in the future;
//! - sent: `sent_at` set;
//! - given up: `sent_at` NULL and `next_attempt_at` = [`GAVE_UP`], which no clock reaches, so
//!   no claim ever matches it again; `last_error` says why.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::{instant, millis, Kind, Result, Store, StoreError};

/// The SMS channel; `recipient` is a mobile number.
pub const SMS: &str = "sms";
/// The e-mail channel; `recipient` is an address.
pub const EMAIL: &str = "email";

/// `next_attempt_at` of a message the dispatcher gave up on.
pub const GAVE_UP: i64 = i64::MAX;

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    /// [`SMS`] or [`EMAIL`].
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub case_number: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Delivery attempts made so far, successful or not.
    pub attempts: i64,
    /// When the message is next due; `None` once it was sent or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl OutboxMessage {
    /// Whether the dispatcher gave up on this message.
    pub fn gave_up(&self) -> bool {
        self.sent_at.is_none() && self.next_attempt_at.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    case_number: Option<String>,
    created_at: i64,
    attempts: i64,
    next_attempt_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
}

impl TryFrom<Row> for OutboxMessage {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self> {
        let next_attempt_at = if r.sent_at.is_some() || r.next_attempt_at == GAVE_UP {
            None
        } else {
            Some(instant(r.next_attempt_at)?)
        };
        Ok(OutboxMessage {
            id: r.id,
            channel: r.channel,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
            case_number: r.case_number,
            created_at: instant(r.created_at)?,
            attempts: r.attempts,
            next_attempt_at,
            sent_at: r.sent_at.map(instant).transpose()?,
            last_error: r.last_error,
        })
    }
}

const COLUMNS: &str = "id, channel, recipient, subject, body, case_number, created_at, attempts,
    next_attempt_at, sent_at, last_error";

fn messages(rows: Vec<Row>) -> Result<Vec<OutboxMessage>> {
    rows.into_iter().map(OutboxMessage::try_from).collect()
}

impl Store {
    /// Puts one message in the outbox, due at once. The case engine inserts its own rows in its
    /// transactions; this standalone insert is for tests and administrators.
    pub async fn enqueue_notification(
        &self,
        channel: &str,
        recipient: &str,
        subject: &str,
        body: &str,
        case_number: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.enqueue_notification_at(channel, recipient, subject, body, case_number, now, now)
            .await
    }

    /// Puts one message in the outbox, held until `send_at` (quiet hours).
    #[allow(clippy::too_many_arguments)]
    pub async fn enqueue_notification_at(
        &self,
        channel: &str,
        recipient: &str,
        subject: &str,
        body: &str,
        case_number: Option<&str>,
        now: DateTime<Utc>,
        send_at: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            sqlx::query_scalar(
                "INSERT INTO outbox (channel, recipient, subject, body, case_number, created_at,
                    next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(channel)
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(case_number)
            .bind(millis(now))
            .bind(millis(send_at))
            .fetch_one(&mut *tx)
            .await?
        }))
    }

    /// Claims up to `limit` due messages of the given channels (oldest due first) until
    /// `now + lease`, and returns them ordered by id. Channels a dispatcher cannot send are left
    /// alone, so they wait for a configured dispatcher instead of failing.
    ///
    /// On PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so concurrent
    /// claimers (other server processes) take disjoint rows without waiting on each other.
    /// SQLite has a single writer, which serialises claims by itself.
    pub async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: Duration,
        channels: &[&str],
    ) -> Result<Vec<OutboxMessage>> {
        if channels.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        // Only placeholders are formatted in; every value is bound.
        let channel_params = (0..channels.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let lock = match self.kind() {
            Kind::Postgres => "FOR UPDATE SKIP LOCKED",
            Kind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET claimed_until = $1
             WHERE id IN (
                SELECT id FROM outbox
                WHERE sent_at IS NULL AND next_attempt_at <= $2
                  AND (claimed_until IS NULL OR claimed_until < $2)
                  AND channel IN ({channel_params})
                ORDER BY next_attempt_at, id
                LIMIT $3
                {lock})
             RETURNING {COLUMNS}"
        );
        let until = millis(now + lease);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows: Vec<Row> = write!(self, |tx| {
            let mut q = sqlx::query_as(&sql)
                .bind(until)
                .bind(millis(now))
                .bind(limit);
            for c in channels {
                q = q.bind(*c);
            }
            q.fetch_all(&mut *tx).await?
        });
        rows.sort_by_key(|r| r.id);
        messages(rows)
    }

    /// Records a delivery and releases the claim. Errors with `NotFound` when no such message exists.
    pub async fn mark_outbox_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let done = write!(self, |tx| {
            sqlx::query(
                // A second delivery after an expired lease keeps the first time.
                "UPDATE outbox SET sent_at = COALESCE(sent_at, $2), attempts = attempts + 1,
                    claimed_until = NULL
                 WHERE id = $1",
            )
            .bind(id)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound("outbox message"));
        }
        Ok(())
    }

    /// Records a failed attempt and releases the claim. The message is due again at `retry_at`;
    /// `None` gives up on it (see [`GAVE_UP`]). Errors with `NotFound` when no such message
    /// exists.
    pub async fn mark_outbox_failed(
        &self,
        id: i64,
        now: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let next = retry_at.map_or(GAVE_UP, millis);
        let done = write!(self, |tx| {
            // A retry is never scheduled before `now`, so it cannot jump the queue.
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                    next_attempt_at = $3, claimed_until = NULL
                 WHERE id = $1 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(error)
            .bind(next.max(millis(now)))
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound("outbox message"));
        }
        Ok(())
    }

    /// Every message about one case, oldest first.
    pub async fn outbox_for_case(&self, case_number: &str) -> Result<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE case_number = $1 ORDER BY id");
        let rows: Vec<Row> = read!(self, |db| {
            sqlx::query_as(&sql).bind(case_number).fetch_all(db).await?
        });
        messages(rows)
    }

    /// The latest `limit` messages, newest first.
    pub async fn outbox_recent(&self, limit: usize) -> Result<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<Row> = read!(self, |db| {
            sqlx::query_as(&sql).bind(limit).fetch_all(db).await?
        });
        messages(rows)
    }

    /// Messages due by `now` and not yet sent, counted per channel (claimed ones included).
    pub async fn outbox_due_counts(&self, now: DateTime<Utc>) -> Result<Vec<(String, i64)>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT channel, COUNT(*) FROM outbox
                 WHERE sent_at IS NULL AND next_attempt_at <= $1
                 GROUP BY channel ORDER BY channel",
            )
            .bind(millis(now))
            .fetch_all(db)
            .await?
        }))
    }
}
