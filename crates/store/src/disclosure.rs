//! Disclosure requests (依申请公开) in storage: the event log, the projection the workbench and
//! the applicant read, and the notices the outbox sends, all written in one transaction with
//! the audit record that covers them. A write applies only to the version it was computed
//! from; a concurrent change makes it [`StoreError::Conflict`] with `disclosure.stale`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::disclosure::detect::DisclosureFinding;
use tongban_domain::disclosure::{ApplicantKind, Channel, ReplyKind, Status};
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::cases::NotificationRow;
use crate::subjects::NewSubject;
use crate::{millis, Result, Store, StoreError, Tally};

/// The queryable columns of a request, as of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureProjection {
    pub number: String,
    pub department_id: i64,
    pub region: String,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: String,
    pub applicant_id_code: String,
    pub applicant_user_id: Option<i64>,
    pub channel: Channel,
    pub status: Status,
    pub filed_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// The reply due date while a reply period runs.
    pub due_date: Option<NaiveDate>,
    pub reply_kind: Option<ReplyKind>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One event to append: its kind, its payload (the domain's `Recorded` as JSON) and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDisclosureEvent {
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

/// Everything one command writes.
#[derive(Debug, Clone)]
pub struct DisclosureWrite {
    pub projection: DisclosureProjection,
    /// The request as JSON.
    pub state: String,
    pub events: Vec<NewDisclosureEvent>,
    pub notifications: Vec<NotificationRow>,
    pub audit: AuditEntry,
    /// What the board shows of the request (registered as a supervised subject).
    pub title: String,
    /// The office's deadlines, replacing the request's in the shared index.
    pub watches: Vec<Watch>,
    /// What supervision's detectors found on the log with the new events: written to THE
    /// findings table in the same transaction, each once (fingerprint
    /// `{request_id}:{rule}:{anchor}`).
    pub findings: Vec<DisclosureFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DisclosureRow {
    pub id: i64,
    pub number: String,
    pub department_id: i64,
    pub region: String,
    #[sqlx(try_from = "String")]
    pub applicant_kind: ApplicantKind,
    pub applicant_name: String,
    pub applicant_id_code: String,
    pub applicant_user_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub filed_at: i64,
    pub received_at: Option<i64>,
    pub due_date: Option<String>,
    pub reply_kind: Option<String>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub state: String,
    pub version: i64,
    pub updated_at: i64,
}

/// A line of a queue or list: no state document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DisclosureLine {
    pub number: String,
    pub department_id: i64,
    pub applicant_name: String,
    #[sqlx(try_from = "String")]
    pub applicant_kind: ApplicantKind,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub filed_at: i64,
    pub received_at: Option<i64>,
    pub due_date: Option<String>,
    pub reply_kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DisclosureEventRow {
    pub request_id: i64,
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: i64,
    pub audit_seq: i64,
}

const ROW: &str = "SELECT id, number, department_id, region, applicant_kind, applicant_name,
    applicant_id_code, applicant_user_id, channel, status, filed_at, received_at, due_date,
    reply_kind, replied_at, closed_at, state, version, updated_at FROM disclosure_requests";

const LINE: &str = "SELECT number, department_id, applicant_name, applicant_kind, status, filed_at,
    received_at, due_date, reply_kind FROM disclosure_requests";

fn opt_millis(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(millis)
}

fn iso_day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Appends a write's events (with the audit record covering them) and queues its notices.
macro_rules! append_disclosure {
    ($store:expr, $tx:ident, $id:expr, $w:expr, $now:expr) => {{
        let id: i64 = $id;
        let w: &DisclosureWrite = $w;
        let now_ms = millis($now);
        for n in &w.notifications {
            enqueue!(
                $tx,
                &n.channel,
                &n.recipient,
                &n.subject,
                &n.body,
                &w.projection.number,
                now_ms,
                now_ms
            );
        }
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM disclosure_events WHERE request_id = $1")
                .bind(id)
                .fetch_one(&mut *$tx)
                .await?;
        let p = &w.projection;
        let subject = SubjectRef::new(SubjectKind::Disclosure, id, p.number.clone());
        register_subject!(
            $tx,
            &NewSubject {
                subject: subject.clone(),
                title: w.title.clone(),
                party: p.applicant_name.clone(),
                item_id: None,
                department_id: p.department_id,
                hall_id: 0,
                region: p.region.clone(),
                opened_at: p.received_at.unwrap_or(p.filed_at),
            }
        );
        let mut tally = Tally::default();
        sync_watches!($store, $tx, tally, &subject, &p.region, 0, &w.watches);
        let findings: Vec<$crate::findings::NewFinding> = w
            .findings
            .iter()
            .map(|f| $crate::findings::NewFinding {
                rule: f.rule.as_str().to_string(),
                subject: subject.clone(),
                step: None,
                person_id: f.person,
                department_id: f.department_id,
                hall_id: None,
                region: p.region.clone(),
                detail: f.detail.clone(),
                evidence: serde_json::to_string(&f.evidence).unwrap_or_default(),
                fingerprint: format!("{id}:{}:{}", f.rule.as_str(), f.anchor),
            })
            .collect();
        insert_findings!($tx, &findings, $now);
        apply_tally!($tx, tally);
        let audit_seq = audit!($store, $tx, w.audit.clone());
        if !w.events.is_empty() {
            let first = last.unwrap_or(0) + 1;
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO disclosure_events (request_id, seq, kind, payload, actor_id,
                    actor_name, at, audit_seq) ",
            );
            q.push_values(w.events.iter().zip(first..), |mut row, (e, seq)| {
                row.push_bind(id)
                    .push_bind(seq)
                    .push_bind(&e.kind)
                    .push_bind(&e.payload)
                    .push_bind(e.actor_id)
                    .push_bind(&e.actor_name)
                    .push_bind(millis(e.at))
                    .push_bind(audit_seq);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

impl Store {
    /// Creates a request: takes the next sequence of `region` on `day`, lets `build` make the
    /// write for it, and stores it, in one transaction. A refusal from `build` writes nothing
    /// (the sequence rolls back with it).
    pub async fn create_disclosure<E>(
        &self,
        region: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
        build: impl FnOnce(u32) -> std::result::Result<DisclosureWrite, E>,
    ) -> Result<std::result::Result<(i64, String), E>> {
        let day_text = day.format("%Y%m%d").to_string();
        Ok(write!(self, |tx| {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure_numbers (region, day, last) VALUES ($1, $2, 1)
                 ON CONFLICT (region, day) DO UPDATE SET last = disclosure_numbers.last + 1
                 RETURNING last",
            )
            .bind(region)
            .bind(&day_text)
            .fetch_one(&mut *tx)
            .await?;
            let seq = u32::try_from(seq)
                .map_err(|_| StoreError::Corrupt(format!("disclosure sequence {seq}")))?;
            let w = match build(seq) {
                Err(e) => return Ok(Err(e)),
                Ok(w) => w,
            };
            let p = &w.projection;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure_requests (number, department_id, region, applicant_kind,
                    applicant_name, applicant_id_code, applicant_user_id, channel, status,
                    filed_at, received_at, due_date, reply_kind, replied_at, closed_at, state,
                    version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    1, $17)
                 RETURNING id",
            )
            .bind(&p.number)
            .bind(p.department_id)
            .bind(&p.region)
            .bind(p.applicant_kind.as_str())
            .bind(&p.applicant_name)
            .bind(&p.applicant_id_code)
            .bind(p.applicant_user_id)
            .bind(p.channel.as_str())
            .bind(p.status.as_str())
            .bind(millis(p.filed_at))
            .bind(opt_millis(p.received_at))
            .bind(iso_day(p.due_date))
            .bind(p.reply_kind.map(|k| k.as_str()))
            .bind(opt_millis(p.replied_at))
            .bind(opt_millis(p.closed_at))
            .bind(&w.state)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            append_disclosure!(self, tx, id, &w, now);
            Ok((id, p.number.clone()))
        }))
    }

    /// Writes a command's effect if the request is still at `version`; otherwise
    /// [`StoreError::Conflict`] with `disclosure.stale` and nothing is written.
    pub async fn update_disclosure(
        &self,
        id: i64,
        version: i64,
        w: &DisclosureWrite,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = &w.projection;
        write!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE disclosure_requests SET status = $3, received_at = $4, due_date = $5,
                    reply_kind = $6, replied_at = $7, closed_at = $8, state = $9,
                    version = version + 1, updated_at = $10
                 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .bind(p.status.as_str())
            .bind(opt_millis(p.received_at))
            .bind(iso_day(p.due_date))
            .bind(p.reply_kind.map(|k| k.as_str()))
            .bind(opt_millis(p.replied_at))
            .bind(opt_millis(p.closed_at))
            .bind(&w.state)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::Conflict(
                    codes::Disclosure::Stale.as_str().into(),
                ));
            }
            append_disclosure!(self, tx, id, w, now);
        });
        Ok(())
    }

    pub async fn disclosure_by_number(&self, number: &str) -> Result<Option<DisclosureRow>> {
        let sql = format!("{ROW} WHERE number = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    /// The log of a request, in order.
    pub async fn disclosure_events(&self, request_id: i64) -> Result<Vec<DisclosureEventRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT request_id, seq, kind, payload, actor_id, actor_name, at, audit_seq
             FROM disclosure_events WHERE request_id = $1 ORDER BY seq"
        )
        .bind(request_id)
        .fetch_all(db)
        .await?))
    }

    /// An office's queue: open requests, soonest reply due first (those without a running
    /// period, awaiting a confirmation or a supplement, after them by filing time).
    pub async fn disclosure_queue(
        &self,
        department_id: i64,
        limit: i64,
    ) -> Result<Vec<DisclosureLine>> {
        let sql = format!(
            "{LINE} WHERE department_id = $1 AND status NOT IN ('replied', 'withdrawn',
                'deemed_withdrawn')
             ORDER BY CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, filed_at, id
             LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// An office's closed requests, newest first.
    pub async fn disclosure_closed(
        &self,
        department_id: i64,
        limit: i64,
    ) -> Result<Vec<DisclosureLine>> {
        let sql = format!(
            "{LINE} WHERE department_id = $1 AND status IN ('replied', 'withdrawn',
                'deemed_withdrawn')
             ORDER BY closed_at DESC, id DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// The requests an applicant's account filed, newest first.
    pub async fn disclosures_of_user(
        &self,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<DisclosureLine>> {
        let sql =
            format!("{LINE} WHERE applicant_user_id = $1 ORDER BY filed_at DESC, id DESC LIMIT $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// How many requests one applicant (by ID number or credit code) had received in
    /// `[from, to)`: the per-request fee counts them per calendar month.
    pub async fn disclosures_received_between(
        &self,
        id_code: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM disclosure_requests
             WHERE applicant_id_code = $1 AND received_at >= $2 AND received_at < $3"
        )
        .bind(id_code)
        .bind(millis(from))
        .bind(millis(to))
        .fetch_one(db)
        .await?))
    }

    /// Requests in `status` received since `since`, oldest first: the reminder sweep's
    /// candidates.
    pub async fn disclosures_received_since(
        &self,
        status: Status,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<String>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT number FROM disclosure_requests
             WHERE status = $1 AND received_at >= $2 ORDER BY received_at, id LIMIT $3"
        )
        .bind(status.as_str())
        .bind(millis(since))
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// Open requests, for the sweep that lapses unanswered 补正 and unpaid fees.
    pub async fn open_disclosure_numbers(&self, status: Status, limit: i64) -> Result<Vec<String>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT number FROM disclosure_requests WHERE status = $1 ORDER BY id LIMIT $2"
        )
        .bind(status.as_str())
        .bind(limit)
        .fetch_all(db)
        .await?))
    }
}

/// Whose annual report: one agency, or a region rolled up (its code's prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    Department(i64),
    Region(String),
}

impl ReportScope {
    /// The key the report's text is kept under: `dept:{id}` or `region:{code}`.
    pub fn key(&self) -> String {
        match self {
            ReportScope::Department(id) => format!("dept:{id}"),
            ReportScope::Region(code) => format!("region:{code}"),
        }
    }
}

/// What is kept of a year's report: the narrative text and its publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportRecord {
    pub scope: String,
    pub year: i64,
    pub sections: String,
    pub published_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub updated_by: Option<i64>,
    pub updated_at: i64,
}

impl Store {
    /// The requests a year's report reads: `(number, state)` of those in `scope` received
    /// before `to` and not closed before `closed_since` (open ones included).
    pub async fn disclosure_report_requests(
        &self,
        scope: &ReportScope,
        to: DateTime<Utc>,
        closed_since: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>> {
        let (filter, dept, prefix) = match scope {
            ReportScope::Department(id) => ("department_id = $1", *id, String::new()),
            ReportScope::Region(code) => {
                // A region's requests are those of every region under it: its code's prefix.
                let prefix = tongban_domain::region::RegionCode::parse(code)
                    .map_or_else(|_| code.clone(), |r| r.prefix().to_string());
                ("region LIKE $4", 0, format!("{prefix}%"))
            }
        };
        let sql = format!(
            "SELECT number, state FROM disclosure_requests
             WHERE {filter} AND received_at < $2 AND (closed_at IS NULL OR closed_at >= $3)
               AND ($1 = $1) AND ($4 = $4)
             ORDER BY number"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(dept)
            .bind(millis(to))
            .bind(millis(closed_since))
            .bind(&prefix)
            .fetch_all(db)
            .await?))
    }

    /// The fingerprint of a scope's requests: how many there are and the sum of their
    /// versions. Any write to one of them changes it (a write bumps the version; a new request
    /// adds one), so a report computed under it is current while it is unchanged.
    pub async fn disclosure_fingerprint(&self, scope: &ReportScope) -> Result<(i64, i64)> {
        let (filter, dept, prefix) = match scope {
            ReportScope::Department(id) => ("department_id = $1 AND $2 = $2", *id, String::new()),
            ReportScope::Region(code) => {
                let prefix = tongban_domain::region::RegionCode::parse(code)
                    .map_or_else(|_| code.clone(), |r| r.prefix().to_string());
                ("region LIKE $2 AND $1 = $1", 0, format!("{prefix}%"))
            }
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(version), 0) AS BIGINT)
             FROM disclosure_requests WHERE {filter}"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(dept)
            .bind(&prefix)
            .fetch_one(db)
            .await?))
    }

    /// The kept part of a year's report, if anything was kept.
    pub async fn disclosure_report(
        &self,
        scope: &ReportScope,
        year: i32,
    ) -> Result<Option<ReportRecord>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT scope, year, sections, published_at, reminded_at, updated_by, updated_at
             FROM disclosure_reports WHERE scope = $1 AND year = $2"
        )
        .bind(scope.key())
        .bind(i64::from(year))
        .fetch_optional(db)
        .await?))
    }

    /// Saves the narrative text of a year's report (audited); refused once it is published
    /// (`disclosure.report_published`).
    pub async fn save_disclosure_report(
        &self,
        scope: &ReportScope,
        year: i32,
        sections: &str,
        by: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let published: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT published_at FROM disclosure_reports WHERE scope = $1 AND year = $2",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .fetch_optional(&mut *tx)
            .await?;
            if matches!(published, Some(Some(_))) {
                return Err(StoreError::Conflict(
                    codes::Disclosure::ReportPublished.as_str().into(),
                ));
            }
            sqlx::query(
                "INSERT INTO disclosure_reports (scope, year, sections, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (scope, year) DO UPDATE SET sections = excluded.sections,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .bind(sections)
            .bind(by)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Publishes a year's report, once (audited); a second time is
    /// `disclosure.report_published`.
    pub async fn publish_disclosure_report(
        &self,
        scope: &ReportScope,
        year: i32,
        by: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO disclosure_reports (scope, year, sections, updated_by, updated_at)
                 VALUES ($1, $2, '{}', $3, $4) ON CONFLICT (scope, year) DO NOTHING",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .bind(by)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(
                "UPDATE disclosure_reports SET published_at = $3, updated_by = $4, updated_at = $3
                 WHERE scope = $1 AND year = $2 AND published_at IS NULL",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .bind(millis(now))
            .bind(by)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    codes::Disclosure::ReportPublished.as_str().into(),
                ));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Marks a year's report of `scope` as reminded and queues the reminders, once: returns
    /// false (and writes nothing) when it was published or reminded already.
    pub async fn remind_disclosure_report(
        &self,
        scope: &ReportScope,
        year: i32,
        notifications: &[NotificationRow],
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        let now_ms = millis(now);
        let reference = format!("report:{}:{year}", scope.key());
        Ok(write!(self, |tx| {
            sqlx::query(
                "INSERT INTO disclosure_reports (scope, year, sections, updated_at)
                 VALUES ($1, $2, '{}', $3) ON CONFLICT (scope, year) DO NOTHING",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(
                "UPDATE disclosure_reports SET reminded_at = $3
                 WHERE scope = $1 AND year = $2 AND reminded_at IS NULL AND published_at IS NULL",
            )
            .bind(scope.key())
            .bind(i64::from(year))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                false
            } else {
                for m in notifications {
                    enqueue!(
                        tx,
                        &m.channel,
                        &m.recipient,
                        &m.subject,
                        &m.body,
                        &reference,
                        now_ms,
                        now_ms
                    );
                }
                audit!(self, tx, audit);
                true
            }
        }))
    }

    /// The agencies that have disclosure requests (the offices a report reminder goes to).
    pub async fn disclosure_departments(&self) -> Result<Vec<i64>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT DISTINCT department_id FROM disclosure_requests ORDER BY department_id"
        )
        .fetch_all(db)
        .await?))
    }
}
