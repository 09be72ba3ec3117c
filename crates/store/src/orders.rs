//! Supervision orders (督办) in storage, on any supervised subject. Each change is conditional on the order's status, so
//! a reply and a close cannot cross, and each is audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::supervision::{SubjectKind, SubjectRef};

use crate::{millis, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// What the order is about; the subject must be registered.
    pub subject: SubjectRef,
    pub finding_id: Option<i64>,
    pub department_id: i64,
    pub region: String,
    pub instruction: String,
    pub reply_days: i64,
    pub due_at: DateTime<Utc>,
    pub issued_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_number: String,
    pub finding_id: Option<i64>,
    pub department_id: i64,
    pub region: String,
    pub instruction: String,
    pub reply_days: i64,
    pub due_at: i64,
    pub status: String,
    pub issued_by: i64,
    pub issued_at: i64,
    pub reply: Option<String>,
    pub replied_by: Option<i64>,
    pub replied_at: Option<i64>,
    pub close_note: Option<String>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<i64>,
    pub escalated_at: Option<i64>,
}

const ORDER: &str =
    "SELECT id, subject_kind, subject_id, subject_number, finding_id, department_id, region,
    instruction, reply_days, due_at, status, issued_by, issued_at, reply, replied_by, replied_at,
    close_note, closed_by, closed_at, escalated_at FROM supervision_orders";

impl Store {
    pub async fn issue_order(
        &self,
        o: &NewOrder,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO supervision_orders (subject_kind, subject_id, subject_number,
                    finding_id, department_id, region, instruction, reply_days, due_at, status,
                    issued_by, issued_at)
                 VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, 'issued', $9, $10) RETURNING id",
            )
            .bind(o.subject.id)
            .bind(&o.subject.number)
            .bind(o.finding_id)
            .bind(o.department_id)
            .bind(&o.region)
            .bind(&o.instruction)
            .bind(o.reply_days)
            .bind(millis(o.due_at))
            .bind(o.issued_by)
            .bind(millis(now))
            .bind(o.subject.kind.as_str())
            .fetch_one(&mut *tx)
            .await?;
            // The reply deadline is watched like any other: unanswered, the subject turns red.
            let red_at = millis(o.due_at) + 1;
            sqlx::query(
                "INSERT INTO clock_watch (subject_kind, subject_id, subject_number, clock, label,
                    department_id, hall_id, region, assignee_id, yellow_at, red_at, light,
                    next_at)
                 SELECT kind, id, number, $3, '督办回复期限', $4, hall_id, region, NULL, NULL, $5,
                    0, $5
                 FROM subjects WHERE kind = $1 AND id = $2",
            )
            .bind(o.subject.kind.as_str())
            .bind(o.subject.id)
            .bind(format!("order:{id}"))
            .bind(o.department_id)
            .bind(red_at)
            .execute(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("order:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn order(&self, id: i64) -> Result<Option<OrderRow>> {
        let sql = format!("{ORDER} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Orders in a region subtree, newest first.
    pub async fn orders_in_region(&self, region_prefix: &str, limit: i64) -> Result<Vec<OrderRow>> {
        let sql = format!("{ORDER} WHERE region LIKE $1 ORDER BY issued_at DESC, id DESC LIMIT $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Orders to a department still waiting for its reply, soonest due first.
    pub async fn orders_of_department(
        &self,
        department_id: i64,
        limit: i64,
    ) -> Result<Vec<OrderRow>> {
        let sql = format!(
            "{ORDER} WHERE department_id = $1 AND status = 'issued' ORDER BY due_at LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    pub async fn orders_of_case(&self, case_id: i64) -> Result<Vec<OrderRow>> {
        self.orders_of_subject(SubjectKind::Case, case_id).await
    }

    /// A subject's orders, oldest first.
    pub async fn orders_of_subject(&self, kind: SubjectKind, id: i64) -> Result<Vec<OrderRow>> {
        let sql = format!("{ORDER} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(id)
            .fetch_all(db)
            .await?))
    }

    /// Records the department's reply to an issued order.
    pub async fn reply_order(
        &self,
        id: i64,
        by: i64,
        reply: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        self.move_order(
            id,
            "UPDATE supervision_orders SET status = 'replied', reply = $2, replied_by = $3,
                replied_at = $4 WHERE id = $1 AND status = 'issued'",
            reply,
            by,
            now,
            audit,
        )
        .await
    }

    /// Closes a replied order.
    pub async fn close_order(
        &self,
        id: i64,
        by: i64,
        note: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        self.move_order(
            id,
            "UPDATE supervision_orders SET status = 'closed', close_note = $2, closed_by = $3,
                closed_at = $4 WHERE id = $1 AND status = 'replied'",
            note,
            by,
            now,
            audit,
        )
        .await
    }

    async fn move_order(
        &self,
        id: i64,
        sql: &str,
        text: &str,
        by: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(sql)
                .bind(id)
                .bind(text)
                .bind(by)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(codes::Order::Status.as_str().into()));
            }
            // Answered, the order's deadline is no longer watched, and its red clears.
            let gone: Option<(i64, i64, i64, String)> = sqlx::query_as(
                "DELETE FROM clock_watch
                 WHERE (subject_kind, subject_id) =
                    (SELECT subject_kind, subject_id FROM supervision_orders WHERE id = $1)
                   AND clock = $2
                 RETURNING light, department_id, hall_id, region",
            )
            .bind(id)
            .bind(format!("order:{id}"))
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((light, dept, hall, region)) = gone.filter(|g| g.0 > 0) {
                bump!(tx, &region, dept, hall, crate::gauge(light), "", -1);
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Marks unanswered orders past their deadline as escalated, each once; returns them.
    pub async fn escalate_orders(
        &self,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Vec<OrderRow>> {
        let due: Vec<(i64, String)> = read!(self, |db| sqlx::query_as(
            "SELECT id, region FROM supervision_orders
             WHERE status = 'issued' AND escalated_at IS NULL AND due_at < $1"
        )
        .bind(millis(now))
        .fetch_all(db)
        .await?);
        let mut out = Vec::new();
        for (id, region) in due {
            let moved = write!(self, |tx| {
                let n = sqlx::query(
                    "UPDATE supervision_orders SET escalated_at = $2
                     WHERE id = $1 AND status = 'issued' AND escalated_at IS NULL",
                )
                .bind(id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n > 0 {
                    audit!(
                        self,
                        tx,
                        AuditEntry {
                            target: format!("order:{id}"),
                            ..audit.clone().in_region_str(Some(&region))
                        }
                    );
                }
                n > 0
            });
            if moved {
                if let Some(o) = self.order(id).await? {
                    out.push(o);
                }
            }
        }
        Ok(out)
    }
}

impl OrderRow {
    /// The subject the order is about.
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(
            self.subject_kind,
            self.subject_id,
            self.subject_number.clone(),
        )
    }
}
