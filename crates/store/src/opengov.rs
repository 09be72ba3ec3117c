//! Open government (政务公开) in storage: consultations and proposals as matters, each a state
//! document with the columns lists read, its event log, the notices the outbox sends, its
//! subject in the supervision registry and its deadlines in the one index, all written in one
//! transaction with the audit record that covers them. A write applies only to the version it
//! was computed from; a concurrent change makes it [`StoreError::Conflict`] with
//! `opengov.stale`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::cases::NotificationRow;
use crate::subjects::NewSubject;
use crate::{millis, Result, Store, StoreError, Tally};

/// The queryable columns of a matter, as of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpengovProjection {
    pub kind: SubjectKind,
    pub department_id: i64,
    pub region: String,
    pub title: String,
    pub status: String,
    pub ends_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Shown on the public site.
    pub public: bool,
    pub opened_at: DateTime<Utc>,
    /// The units a proposal was given to (empty for a consultation).
    pub units: Vec<i64>,
}

/// One event to append: its kind, its payload (the domain's event as JSON) and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpengovEvent {
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

/// Everything one command writes.
#[derive(Debug, Clone)]
pub struct OpengovWrite {
    pub projection: OpengovProjection,
    /// The matter as JSON.
    pub state: String,
    pub events: Vec<NewOpengovEvent>,
    pub notifications: Vec<NotificationRow>,
    pub audit: AuditEntry,
    /// Who the board names for it (a proposer; "" for a consultation).
    pub party: String,
    /// The unit's deadlines, replacing the matter's in the shared index.
    pub watches: Vec<Watch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpengovRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: SubjectKind,
    pub number: String,
    pub department_id: i64,
    pub region: String,
    pub title: String,
    pub status: String,
    pub ends_on: Option<String>,
    pub due_date: Option<String>,
    pub public: i64,
    pub opened_at: i64,
    pub state: String,
    pub version: i64,
    pub updated_at: i64,
}

/// A line of a list: no state document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpengovLine {
    pub number: String,
    pub department_id: i64,
    pub title: String,
    pub status: String,
    pub ends_on: Option<String>,
    pub due_date: Option<String>,
    pub opened_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpengovEventRow {
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: i64,
    pub audit_seq: i64,
}

const ROW: &str = "SELECT id, kind, number, department_id, region, title, status, ends_on,
    due_date, public, opened_at, state, version, updated_at FROM opengov_matters";

const LINE: &str = "SELECT number, department_id, title, status, ends_on, due_date, opened_at
    FROM opengov_matters";

fn iso_day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The public number of a matter: `ZQ` (征求意见), `TA` (建议提案), `GS` (公示) or `HY` (公开会议),
/// the year, a sequence.
pub fn matter_number(kind: SubjectKind, year: i32, seq: i64) -> String {
    let prefix = match kind {
        SubjectKind::Proposal => "TA",
        SubjectKind::Publicity => "GS",
        SubjectKind::Meeting => "HY",
        _ => "ZQ",
    };
    format!("{prefix}{year}{seq:04}")
}

/// Appends a write's events (with the audit record covering them), queues its notices,
/// registers its subject and replaces its deadlines.
macro_rules! append_opengov {
    ($store:expr, $tx:ident, $id:expr, $number:expr, $w:expr, $now:expr) => {{
        let id: i64 = $id;
        let number: &str = $number;
        let w: &OpengovWrite = $w;
        let now_ms = millis($now);
        for n in &w.notifications {
            enqueue!(
                $tx,
                &n.channel,
                &n.recipient,
                &n.subject,
                &n.body,
                number,
                now_ms,
                now_ms
            );
        }
        let p = &w.projection;
        sqlx::query("DELETE FROM opengov_units WHERE matter_id = $1")
            .bind(id)
            .execute(&mut *$tx)
            .await?;
        for dept in &p.units {
            sqlx::query("INSERT INTO opengov_units (matter_id, department_id) VALUES ($1, $2)")
                .bind(id)
                .bind(dept)
                .execute(&mut *$tx)
                .await?;
        }
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM opengov_events WHERE matter_id = $1")
                .bind(id)
                .fetch_one(&mut *$tx)
                .await?;
        let subject = SubjectRef::new(p.kind, id, number.to_string());
        register_subject!(
            $tx,
            &NewSubject {
                subject: subject.clone(),
                title: p.title.clone(),
                party: w.party.clone(),
                item_id: None,
                department_id: p.department_id,
                hall_id: 0,
                region: p.region.clone(),
                opened_at: p.opened_at,
            }
        );
        let mut tally = Tally::default();
        sync_watches!($store, $tx, tally, &subject, &p.region, 0, &w.watches);
        apply_tally!($tx, tally);
        let audit_seq = audit!($store, $tx, w.audit.clone());
        if !w.events.is_empty() {
            let first = last.unwrap_or(0) + 1;
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO opengov_events (matter_id, seq, kind, payload, actor_id,
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
    /// Creates a matter: takes the next number of its kind in `year`, lets `build` make the
    /// write for it, and stores it, in one transaction. A refusal from `build` writes nothing
    /// (the number rolls back with it).
    pub async fn create_opengov<E>(
        &self,
        kind: SubjectKind,
        year: i32,
        now: DateTime<Utc>,
        build: impl FnOnce(&str) -> std::result::Result<OpengovWrite, E>,
    ) -> Result<std::result::Result<String, E>> {
        Ok(write!(self, |tx| {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO opengov_numbers (kind, year, last) VALUES ($1, $2, 1)
                 ON CONFLICT (kind, year) DO UPDATE SET last = opengov_numbers.last + 1
                 RETURNING last",
            )
            .bind(kind.as_str())
            .bind(i64::from(year))
            .fetch_one(&mut *tx)
            .await?;
            let number = matter_number(kind, year, seq);
            let w = match build(&number) {
                Err(e) => return Ok(Err(e)),
                Ok(w) => w,
            };
            let p = &w.projection;
            if p.kind != kind {
                return Err(StoreError::Corrupt(format!(
                    "{} for {}",
                    p.kind.as_str(),
                    kind.as_str()
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO opengov_matters (kind, number, department_id, region, title, status,
                    ends_on, due_date, public, opened_at, state, version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12)
                 RETURNING id",
            )
            .bind(kind.as_str())
            .bind(&number)
            .bind(p.department_id)
            .bind(&p.region)
            .bind(&p.title)
            .bind(&p.status)
            .bind(iso_day(p.ends_on))
            .bind(iso_day(p.due_date))
            .bind(i64::from(p.public))
            .bind(millis(p.opened_at))
            .bind(&w.state)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            append_opengov!(self, tx, id, &number, &w, now);
            Ok(number)
        }))
    }

    /// Writes a command's effect if the matter is still at `version`; otherwise
    /// [`StoreError::Conflict`] with `opengov.stale` and nothing is written.
    pub async fn update_opengov(
        &self,
        id: i64,
        number: &str,
        version: i64,
        w: &OpengovWrite,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = &w.projection;
        write!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE opengov_matters SET title = $3, status = $4, ends_on = $5, due_date = $6,
                    public = $7, state = $8, version = version + 1, updated_at = $9
                 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .bind(&p.title)
            .bind(&p.status)
            .bind(iso_day(p.ends_on))
            .bind(iso_day(p.due_date))
            .bind(i64::from(p.public))
            .bind(&w.state)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::Conflict(codes::Opengov::Stale.as_str().into()));
            }
            append_opengov!(self, tx, id, number, w, now);
        });
        Ok(())
    }

    pub async fn opengov_by_number(
        &self,
        kind: SubjectKind,
        number: &str,
    ) -> Result<Option<OpengovRow>> {
        let sql = format!("{ROW} WHERE kind = $1 AND number = $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    /// The log of a matter, in order.
    pub async fn opengov_events(&self, matter_id: i64) -> Result<Vec<OpengovEventRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT seq, kind, payload, actor_id, actor_name, at, audit_seq
             FROM opengov_events WHERE matter_id = $1 ORDER BY seq"
        )
        .bind(matter_id)
        .fetch_all(db)
        .await?))
    }

    /// Matters of a kind shown on the public site, newest first.
    pub async fn opengov_public(&self, kind: SubjectKind, limit: i64) -> Result<Vec<OpengovLine>> {
        let sql = format!(
            "{LINE} WHERE kind = $1 AND public = 1 ORDER BY opened_at DESC, id DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Matters of a kind a unit runs or was given, newest first.
    pub async fn opengov_of_unit(
        &self,
        kind: SubjectKind,
        department_id: i64,
        limit: i64,
    ) -> Result<Vec<OpengovLine>> {
        let sql = format!(
            "{LINE} WHERE kind = $1 AND (department_id = $2 OR id IN
                (SELECT matter_id FROM opengov_units WHERE department_id = $2))
             ORDER BY opened_at DESC, id DESC LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Matters of a kind in a region subtree, newest first (supervisors).
    pub async fn opengov_of_region(
        &self,
        kind: SubjectKind,
        region_prefix: &str,
        limit: i64,
    ) -> Result<Vec<OpengovLine>> {
        let sql = format!(
            "{LINE} WHERE kind = $1 AND region LIKE $2 ORDER BY opened_at DESC, id DESC LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(format!("{region_prefix}%"))
            .bind(limit)
            .fetch_all(db)
            .await?))
    }
}

/// A follower of a matter, with where they are told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowerRow {
    pub user_id: i64,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A public commitment (公开承诺).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub department_id: i64,
    pub region: String,
    pub title: String,
    pub time_limit: String,
    pub standard: String,
    pub status: String,
    pub note: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// What it covers: `manual`, `cases` or `tickets`.
    pub covers: String,
}

/// One change of a commitment's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CommitmentLogRow {
    pub commitment_id: i64,
    pub seq: i64,
    pub status: String,
    pub note: String,
    pub actor_name: String,
    pub at: i64,
}

/// A commitment to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommitment {
    pub department_id: i64,
    pub region: String,
    pub title: String,
    pub time_limit: String,
    pub standard: String,
    pub status: String,
    pub note: String,
    pub actor_name: String,
    pub covers: String,
}

/// A case or ticket breaking the covering commitments of its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach<'a> {
    pub department_id: i64,
    /// The scope of the commitments it breaks (`cases`, `tickets`).
    pub covers: &'a str,
    pub subject_kind: &'a str,
    pub subject_number: &'a str,
    /// The status the commitments take and the note their logs get.
    pub status: &'a str,
    pub note: &'a str,
    pub actor_name: &'a str,
}

/// A decided case as the 行政许可结果公示 reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DecidedCaseRow {
    pub id: i64,
    pub number: String,
    pub department_id: i64,
    pub decided_at: i64,
    pub state: String,
}

/// A visiting session (领导接访).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub department_id: i64,
    pub region: String,
    pub leader: String,
    pub post: String,
    pub day: String,
    pub hours: String,
    pub place: String,
    pub topics: String,
    pub created_at: i64,
}

/// A visiting session to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub department_id: i64,
    pub region: String,
    pub leader: String,
    pub post: String,
    pub day: NaiveDate,
    pub hours: String,
    pub place: String,
    pub topics: String,
}

/// Appends a line to a commitment's log inside the write `$tx`, numbered after the last (a
/// macro, as the two backends' writers are different types).
macro_rules! log_commitment {
    ($tx:ident, $id:expr, $status:expr, $note:expr, $actor:expr, $now:expr) => {{
        let (id, status, note, actor): (i64, &str, &str, &str) = ($id, $status, $note, $actor);
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(seq) FROM opengov_commitment_log WHERE commitment_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *$tx)
        .await?;
        let seq: i64 = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO opengov_commitment_log (commitment_id, seq, status, note, actor_name, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(seq)
        .bind(status)
        .bind(note)
        .bind(actor)
        .bind(millis($now))
        .execute(&mut *$tx)
        .await?;
    }};
}

const COMMITMENT: &str = "SELECT id, department_id, region, title, time_limit, standard, status,
    note, created_at, updated_at, covers FROM opengov_commitments";

impl Store {
    /// Starts or stops following a matter, with the audit record. Following twice is one
    /// follow. Returns whether the matter is followed afterwards.
    pub async fn set_following(
        &self,
        matter_id: i64,
        user_id: i64,
        follow: bool,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        write!(self, |tx| {
            if follow {
                sqlx::query(
                    "INSERT INTO opengov_followers (matter_id, user_id, created_at)
                     VALUES ($1, $2, $3) ON CONFLICT (matter_id, user_id) DO NOTHING",
                )
                .bind(matter_id)
                .bind(user_id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query("DELETE FROM opengov_followers WHERE matter_id = $1 AND user_id = $2")
                    .bind(matter_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            audit!(self, tx, audit);
        });
        Ok(follow)
    }

    /// The followers of a matter with their contacts.
    pub async fn opengov_followers(&self, matter_id: i64) -> Result<Vec<FollowerRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT u.id AS user_id, u.phone, u.email FROM opengov_followers f
             JOIN users u ON u.id = f.user_id WHERE f.matter_id = $1 ORDER BY u.id"
        )
        .bind(matter_id)
        .fetch_all(db)
        .await?))
    }

    /// Whether a person follows a matter.
    pub async fn is_following(&self, matter_id: i64, user_id: i64) -> Result<bool> {
        let n: i64 = read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM opengov_followers WHERE matter_id = $1 AND user_id = $2"
        )
        .bind(matter_id)
        .bind(user_id)
        .fetch_one(db)
        .await?);
        Ok(n > 0)
    }

    /// Publishes a commitment with the first line of its log; returns its id.
    pub async fn insert_commitment(
        &self,
        c: &NewCommitment,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO opengov_commitments (department_id, region, title, time_limit,
                    standard, status, note, created_at, updated_at, covers)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            )
            .bind(c.department_id)
            .bind(&c.region)
            .bind(&c.title)
            .bind(&c.time_limit)
            .bind(&c.standard)
            .bind(&c.status)
            .bind(&c.note)
            .bind(millis(now))
            .bind(&c.covers)
            .fetch_one(&mut *tx)
            .await?;
            let seq: i64 = 1;
            sqlx::query(
                "INSERT INTO opengov_commitment_log (commitment_id, seq, status, note, actor_name, at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(seq)
            .bind(&c.status)
            .bind(&c.note)
            .bind(&c.actor_name)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
            id
        }))
    }

    /// Changes a commitment's status with its note, logged.
    pub async fn set_commitment_status(
        &self,
        id: i64,
        status: &str,
        note: &str,
        actor_name: &str,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<()> {
        write!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE opengov_commitments SET status = $2, note = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(status)
            .bind(note)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::NotFound("commitment"));
            }
            log_commitment!(tx, id, status, note, actor_name, now);
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// A case or ticket breaks every commitment of its unit that covers it: each not yet
    /// broken by this subject takes `status` and gets a log line, once (the breach is kept by
    /// commitment and subject). Returns how many commitments it broke now; the audit entry is
    /// written only when it broke one.
    pub async fn breach_commitments(
        &self,
        b: &Breach<'_>,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        Ok(write!(self, |tx| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM opengov_commitments WHERE department_id = $1 AND covers = $2
                 ORDER BY id",
            )
            .bind(b.department_id)
            .bind(b.covers)
            .fetch_all(&mut *tx)
            .await?;
            let mut broke = 0usize;
            for id in ids {
                let fresh = sqlx::query(
                    "INSERT INTO opengov_commitment_breaches (commitment_id, subject_kind,
                        subject_number, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (commitment_id, subject_kind, subject_number) DO NOTHING",
                )
                .bind(id)
                .bind(b.subject_kind)
                .bind(b.subject_number)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if fresh == 0 {
                    continue;
                }
                sqlx::query(
                    "UPDATE opengov_commitments SET status = $2, note = $3, updated_at = $4
                     WHERE id = $1",
                )
                .bind(id)
                .bind(b.status)
                .bind(b.note)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
                log_commitment!(tx, id, b.status, b.note, b.actor_name, now);
                broke += 1;
            }
            if broke > 0 {
                audit!(self, tx, audit);
            }
            broke
        }))
    }

    pub async fn commitment(&self, id: i64) -> Result<Option<CommitmentRow>> {
        let sql = format!("{COMMITMENT} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Commitments, of one unit or all, by unit then age.
    pub async fn commitments(&self, department_id: Option<i64>) -> Result<Vec<CommitmentRow>> {
        let sql = format!(
            "{COMMITMENT} WHERE ($1 IS NULL OR department_id = $1) ORDER BY department_id, id"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .fetch_all(db)
            .await?))
    }

    /// The log of a commitment, in order.
    pub async fn commitment_log(&self, id: i64) -> Result<Vec<CommitmentLogRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT commitment_id, seq, status, note, actor_name, at FROM opengov_commitment_log
             WHERE commitment_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(db)
        .await?))
    }

    /// Publishes a visiting session; returns its id.
    pub async fn insert_visit(
        &self,
        v: &NewVisit,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO opengov_visits (department_id, region, leader, post, day, hours,
                    place, topics, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(v.department_id)
            .bind(&v.region)
            .bind(&v.leader)
            .bind(&v.post)
            .bind(v.day.format("%Y-%m-%d").to_string())
            .bind(&v.hours)
            .bind(&v.place)
            .bind(&v.topics)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            audit!(self, tx, audit);
            id
        }))
    }

    /// The visiting sessions from `from` to `to` (inclusive), by day and hours.
    pub async fn visits_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<VisitRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, department_id, region, leader, post, day, hours, place, topics, created_at
             FROM opengov_visits WHERE day >= $1 AND day <= $2 ORDER BY day, hours, id"
        )
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(to.format("%Y-%m-%d").to_string())
        .fetch_all(db)
        .await?))
    }

    /// The decided cases of items whose basic code starts with `prefix` (`XK` for 行政许可),
    /// of one unit or all, newest first.
    pub async fn decided_cases(
        &self,
        prefix: &str,
        department_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DecidedCaseRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, number, department_id, decided_at, state FROM cases
             WHERE decided_at IS NOT NULL AND basic_code LIKE $1
               AND ($2 IS NULL OR department_id = $2)
             ORDER BY decided_at DESC, id DESC LIMIT $3"
        )
        .bind(format!("{prefix}%"))
        .bind(department_id)
        .bind(limit)
        .fetch_all(db)
        .await?))
    }
}
