//! The e-licence register in storage: licences, their acts, and the expiry sweep's reads.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;

use crate::{millis, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LicenceRow {
    pub id: i64,
    pub number: String,
    pub type_name: String,
    pub holder_kind: String,
    #[serde(skip)]
    pub holder_code: String,
    pub holder_name: String,
    #[serde(skip)]
    pub holder_user_id: Option<i64>,
    #[serde(skip)]
    pub holder_phone: String,
    #[serde(skip)]
    pub holder_email: Option<String>,
    /// JSON array of {label, value}.
    pub fields: String,
    /// `YYYY-MM-DD`
    pub valid_from: String,
    pub valid_to: String,
    pub department_id: i64,
    pub region: String,
    pub status: String,
    pub case_id: Option<i64>,
    pub document_number: Option<String>,
    pub issued_at: i64,
    pub reminded_at: Option<i64>,
}

const ROW: &str = "SELECT id, number, type_name, holder_kind, holder_code, holder_name,
    holder_user_id, holder_phone, holder_email, fields, valid_from, valid_to, department_id,
    region, status, case_id, document_number, issued_at, reminded_at FROM licences";

/// A recorded act on a licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LicenceEventRow {
    pub act: String,
    pub reason: String,
    pub actor_name: String,
    pub at: i64,
}

impl Store {
    /// Registers a licence (once per case). Answers its id, or `None` when the case has one.
    pub async fn register_licence(&self, l: &LicenceRow, audit: AuditEntry) -> Result<Option<i64>> {
        Ok(write!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO licences (number, type_name, holder_kind, holder_code, holder_name,
                    holder_user_id, holder_phone, holder_email, fields, valid_from, valid_to,
                    department_id, region, status, case_id, document_number, issued_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'valid', $14, $15, $16)
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&l.number)
            .bind(&l.type_name)
            .bind(&l.holder_kind)
            .bind(&l.holder_code)
            .bind(&l.holder_name)
            .bind(l.holder_user_id)
            .bind(&l.holder_phone)
            .bind(l.holder_email.as_deref())
            .bind(&l.fields)
            .bind(&l.valid_from)
            .bind(&l.valid_to)
            .bind(l.department_id)
            .bind(&l.region)
            .bind(l.case_id)
            .bind(l.document_number.as_deref())
            .bind(l.issued_at)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                audit!(
                    self,
                    tx,
                    AuditEntry {
                        target: format!("licence:{id}"),
                        ..audit
                    }
                );
            }
            id
        }))
    }

    pub async fn licence_by_id(&self, id: i64) -> Result<Option<LicenceRow>> {
        let sql = format!("{ROW} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    pub async fn licence(&self, number: &str) -> Result<Option<LicenceRow>> {
        let sql = format!("{ROW} WHERE number = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    /// A holder's licences (by user or by ID number / credit code), newest first.
    pub async fn licences_of_holder(
        &self,
        user_id: Option<i64>,
        code: Option<&str>,
    ) -> Result<Vec<LicenceRow>> {
        let sql = format!(
            "{ROW} WHERE holder_user_id = $1 OR holder_code = $2 ORDER BY issued_at DESC LIMIT 200"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(code)
            .fetch_all(db)
            .await?))
    }

    /// Licences for staff: by number or holder code, within a region prefix.
    pub async fn find_licences(
        &self,
        region_prefix: &str,
        query: &str,
        department_id: Option<i64>,
    ) -> Result<Vec<LicenceRow>> {
        let sql = format!(
            "{ROW} WHERE region LIKE $1 AND ($2 = '' OR number = $2 OR holder_code = $2)
               AND ($3 = 0 OR department_id = $3)
             ORDER BY issued_at DESC LIMIT 200"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(query)
            .bind(department_id.unwrap_or(0))
            .fetch_all(db)
            .await?))
    }

    pub async fn licence_events(&self, id: i64) -> Result<Vec<LicenceEventRow>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
            "SELECT act, reason, actor_name, at FROM licence_events WHERE licence_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(db)
        .await?
        }))
    }

    /// Records an act and the status it leads to, if the licence is still in `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn licence_act(
        &self,
        id: i64,
        from: &str,
        to: &str,
        act: &str,
        reason: &str,
        actor: (Option<i64>, &str),
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query("UPDATE licences SET status = $1 WHERE id = $2 AND status = $3")
                .bind(to)
                .bind(id)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                sqlx::query(
                    "INSERT INTO licence_events (licence_id, act, reason, actor_id, actor_name, at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(act)
                .bind(reason)
                .bind(actor.0)
                .bind(actor.1)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
                audit!(self, tx, audit);
            }
            n > 0
        }))
    }

    /// Valid licences whose last day is on or before `day` (`YYYY-MM-DD`): to expire or remind.
    pub async fn licences_due(
        &self,
        day: &str,
        unreminded_only: bool,
        limit: i64,
    ) -> Result<Vec<LicenceRow>> {
        let sql = format!(
            "{ROW} WHERE status = 'valid' AND valid_to <= $1 AND ($2 = 0 OR reminded_at IS NULL)
             ORDER BY valid_to LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(day)
            .bind(i64::from(unreminded_only))
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Marks a licence reminded and queues the reminder messages with it.
    pub async fn remind_licence(
        &self,
        id: i64,
        messages: &[crate::cases::NotificationRow],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE licences SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
            )
            .bind(millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                for m in messages {
                    let at = millis(now);
                    enqueue!(
                        tx,
                        &m.channel,
                        &m.recipient,
                        &m.subject,
                        &m.body,
                        None::<&str>,
                        at,
                        at
                    );
                }
            }
            n > 0
        }))
    }
}
