//! Ratings (好差评) in storage: one row per rated service, the window duty and visits the hall
//! device rates, and each 差评's rectification as an event log projected onto its rating's row.
//!
//! `UNIQUE (service_kind, service_id)` is the one-rating-per-service rule: a second rating is
//! not written ([`Store::insert_rating`] answers `None`), whoever races. A 差评 registers a
//! `rating` subject and puts its deadlines in the shared index with [`sync_watches!`] in the
//! same transaction; every rectification step re-syncs them, so the board, warnings and 督办
//! treat it like any other supervised matter. Lock order: the rating's row (`FOR UPDATE`), then
//! the subject's deadlines, counters and the audit head (see [`crate::subjects`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::rating::{Channel, Level, RectEvent, RectStage, ServiceKind};
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::subjects::NewSubject;
use crate::{instant, millis, Result, Store, StoreError, Tally};

/// A rating as stored. The rater's account is for the call-back only and never serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RatingRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub service_kind: ServiceKind,
    pub service_id: i64,
    pub service_number: String,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    #[sqlx(try_from = "String")]
    pub level: Level,
    pub bad: i64,
    /// The parsed rating as JSON (dimensions, tags, comment).
    pub body: String,
    pub is_default: i64,
    #[serde(skip)]
    pub rater_id: Option<i64>,
    pub department_id: i64,
    pub hall_id: Option<i64>,
    pub window_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub region: String,
    pub month: String,
    pub rated_at: i64,
    pub removed: i64,
    pub rerated_level: Option<String>,
    pub rect_stage: Option<String>,
    pub rect_version: i64,
    pub rect_closed_at: Option<i64>,
}

impl RatingRow {
    /// The public number of a rating: `PJ` and eight digits.
    pub fn number(&self) -> String {
        number_of(self.id)
    }

    /// The rectification's subject.
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(SubjectKind::Rating, self.id, self.number())
    }

    pub fn stage(&self) -> Option<RectStage> {
        self.rect_stage.as_deref().and_then(RectStage::parse)
    }
}

/// `PJ00000042` for rating 42.
pub fn number_of(id: i64) -> String {
    format!("PJ{id:08}")
}

/// The id of a rating number, if it is one.
pub fn id_of(number: &str) -> Option<i64> {
    let digits = number.strip_prefix("PJ")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

const RATING: &str = "SELECT id, service_kind, service_id, service_number, channel, level, bad,
    body, is_default, rater_id, department_id, hall_id, window_id, staff_id, region, month,
    rated_at, removed, rerated_level, rect_stage, rect_version, rect_closed_at FROM ratings";

/// A rating to write.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub service_kind: ServiceKind,
    pub service_id: i64,
    pub service_number: String,
    pub channel: Channel,
    pub level: Level,
    /// The parsed rating as JSON.
    pub body: String,
    pub is_default: bool,
    pub rater_id: Option<i64>,
    pub department_id: i64,
    pub hall_id: Option<i64>,
    pub window_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub region: String,
    pub rated_at: DateTime<Utc>,
}

/// The rectification a 差评 opens with its rating: its first event, the board's view of it
/// and its deadlines (computed by the caller on the shared calendar).
#[derive(Debug, Clone)]
pub struct NewRect {
    pub opened: RectEvent,
    pub title: String,
    pub party: String,
    pub watches: Vec<Watch>,
}

/// A message to queue with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// One step of a rectification to write.
#[derive(Debug, Clone)]
pub struct RectStep {
    pub rating_id: i64,
    /// The number of events the step was decided on.
    pub version: i64,
    pub event: RectEvent,
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub stage: RectStage,
    pub watches: Vec<Watch>,
}

/// One logged rectification event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRect {
    pub seq: i64,
    pub event: RectEvent,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
}

/// A month's figures of one department (the public page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonthFigures {
    pub department_id: i64,
    pub department_name: String,
    /// Ratings counted (removed ones left out).
    pub ratings: i64,
    pub good: i64,
    pub bad: i64,
    /// 差评 rectified and answered.
    pub rectified: i64,
    /// Removed on appeal (shown apart, never counted).
    pub removed: i64,
}

impl MonthFigures {
    /// 好评率 in per mille (0 when nothing was rated).
    pub fn good_permille(&self) -> i64 {
        if self.ratings == 0 {
            0
        } else {
            self.good * 1000 / self.ratings
        }
    }

    /// 整改率 in per mille (1000 when there was no 差评).
    pub fn rectified_permille(&self) -> i64 {
        if self.bad == 0 {
            1000
        } else {
            self.rectified * 1000 / self.bad
        }
    }
}

/// A window's duty: who serves there now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Duty {
    pub window_id: i64,
    pub user_id: i64,
    pub name: String,
    pub since: i64,
}

/// A visit ended at a window, waiting for the device's rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Visit {
    pub id: i64,
    pub window_id: i64,
    pub staff_id: i64,
    pub case_id: Option<i64>,
    pub ended_at: i64,
}

/// Shanghai month `YYYY-MM` of an instant.
pub fn month_of(at: DateTime<Utc>) -> String {
    tongban_domain::time::local_date(at)
        .format("%Y-%m")
        .to_string()
}

fn body_of(e: &RectEvent) -> Result<String> {
    serde_json::to_string(e).map_err(|err| StoreError::Corrupt(err.to_string()))
}

impl Store {
    /// Writes a rating, and with a 差评 its rectification (first event, subject, deadlines),
    /// its messages and its audit record, in one transaction. `None` when the service was
    /// already rated: nothing is written.
    pub async fn insert_rating(
        &self,
        r: &NewRating,
        rect: Option<&NewRect>,
        outbound: &[Outbound],
        audit: AuditEntry,
    ) -> Result<Option<RatingRow>> {
        let id = write!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO ratings (service_kind, service_id, service_number, channel, level,
                    bad, body, is_default, rater_id, department_id, hall_id, window_id,
                    staff_id, region, month, rated_at, rect_stage, rect_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18)
                 ON CONFLICT (service_kind, service_id) DO NOTHING RETURNING id",
            )
            .bind(r.service_kind.as_str())
            .bind(r.service_id)
            .bind(&r.service_number)
            .bind(r.channel.as_str())
            .bind(r.level.as_str())
            .bind(i64::from(r.level.is_bad()))
            .bind(&r.body)
            .bind(i64::from(r.is_default))
            .bind(r.rater_id)
            .bind(r.department_id)
            .bind(r.hall_id)
            .bind(r.window_id)
            .bind(r.staff_id)
            .bind(&r.region)
            .bind(month_of(r.rated_at))
            .bind(millis(r.rated_at))
            .bind(rect.map(|_| RectStage::Callback.as_str()))
            .bind(i64::from(rect.is_some()))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            let mut audit = audit;
            if let Some(rect) = rect {
                sqlx::query(
                    "INSERT INTO rating_events (rating_id, seq, kind, at, actor_id, body)
                     VALUES ($1, 1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(rect.opened.kind())
                .bind(millis(r.rated_at))
                .bind(r.rater_id)
                .bind(body_of(&rect.opened)?)
                .execute(&mut *tx)
                .await?;
                let subject = SubjectRef::new(SubjectKind::Rating, id, number_of(id));
                let s = NewSubject {
                    subject: subject.clone(),
                    title: rect.title.clone(),
                    party: rect.party.clone(),
                    item_id: None,
                    department_id: r.department_id,
                    hall_id: r.hall_id.unwrap_or(0),
                    region: r.region.clone(),
                    opened_at: r.rated_at,
                };
                register_subject!(tx, &s);
                let mut tally = Tally::default();
                sync_watches!(
                    self,
                    tx,
                    tally,
                    &subject,
                    &r.region,
                    s.hall_id,
                    &rect.watches
                );
                apply_tally!(tx, tally);
                audit.target = subject.audit_target();
            }
            for m in outbound {
                enqueue!(
                    tx,
                    m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    (r.service_kind == ServiceKind::Case).then_some(r.service_number.as_str()),
                    millis(r.rated_at),
                    millis(r.rated_at)
                );
            }
            audit!(self, tx, audit);
            Some(id)
        });
        match id {
            Some(id) => self.rating(id).await,
            None => Ok(None),
        }
    }

    /// Writes one rectification step decided on `step.version` events: the event, the
    /// projection, the deadlines, the messages and the audit record, in one transaction.
    /// `Conflict("rating.version")` when someone else acted first.
    pub async fn rect_step(
        &self,
        step: &RectStep,
        outbound: &[Outbound],
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let lock = self.for_update();
            let row: Option<(i64, String, Option<i64>, String, String)> = sqlx::query_as(&format!(
                "SELECT rect_version, region, hall_id, service_kind, service_number
                     FROM ratings WHERE id = $1{lock}"
            ))
            .bind(step.rating_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((version, region, hall, service_kind, service_number)) = row else {
                return Err(StoreError::NotFound("rating"));
            };
            if version != step.version {
                return Err(StoreError::Conflict("rating.version".into()));
            }
            let closed = !step.stage.is_open()
                && matches!(
                    step.event,
                    RectEvent::Closed { .. } | RectEvent::AppealDecided { upheld: true, .. }
                );
            let rerated = match &step.event {
                RectEvent::Rerated { level } => Some(level.as_str()),
                _ => None,
            };
            sqlx::query(
                "UPDATE ratings SET rect_stage = $2, rect_version = $3,
                    rect_closed_at = CASE WHEN $4 = 1 THEN $5 ELSE rect_closed_at END,
                    removed = CASE WHEN $6 = 1 THEN 1 ELSE removed END,
                    rerated_level = COALESCE($7, rerated_level)
                 WHERE id = $1",
            )
            .bind(step.rating_id)
            .bind(step.stage.as_str())
            .bind(version + 1)
            .bind(i64::from(closed))
            .bind(millis(step.at))
            .bind(i64::from(step.stage == RectStage::Removed))
            .bind(rerated)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rating_events (rating_id, seq, kind, at, actor_id, body)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(step.rating_id)
            .bind(version + 1)
            .bind(step.event.kind())
            .bind(millis(step.at))
            .bind(step.actor_id)
            .bind(body_of(&step.event)?)
            .execute(&mut *tx)
            .await?;
            let subject = SubjectRef::new(
                SubjectKind::Rating,
                step.rating_id,
                number_of(step.rating_id),
            );
            let mut tally = Tally::default();
            sync_watches!(
                self,
                tx,
                tally,
                &subject,
                &region,
                hall.unwrap_or(0),
                &step.watches
            );
            apply_tally!(tx, tally);
            for m in outbound {
                enqueue!(
                    tx,
                    m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    (service_kind == ServiceKind::Case.as_str()).then_some(service_number.as_str()),
                    millis(step.at),
                    millis(step.at)
                );
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn rating(&self, id: i64) -> Result<Option<RatingRow>> {
        let sql = format!("{RATING} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// The rating of one service, if it was rated.
    pub async fn rating_of_service(
        &self,
        kind: ServiceKind,
        service_id: i64,
    ) -> Result<Option<RatingRow>> {
        let sql = format!("{RATING} WHERE service_kind = $1 AND service_id = $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(service_id)
            .fetch_optional(db)
            .await?))
    }

    /// A rectification's log, oldest first.
    pub async fn rect_log(&self, rating_id: i64) -> Result<Vec<LoggedRect>> {
        let rows: Vec<(i64, i64, Option<i64>, String)> = read!(self, |db| {
            sqlx::query_as(
            "SELECT seq, at, actor_id, body FROM rating_events WHERE rating_id = $1 ORDER BY seq"
        )
        .bind(rating_id)
        .fetch_all(db)
        .await?
        });
        rows.into_iter()
            .map(|(seq, at, actor_id, body)| {
                Ok(LoggedRect {
                    seq,
                    event: serde_json::from_str(&body)
                        .map_err(|e| StoreError::Corrupt(format!("rating event: {e}")))?,
                    at: instant(at)?,
                    actor_id,
                })
            })
            .collect()
    }

    /// 差评 with a rectification, in a region subtree (`prefix`), open ones first, newest first.
    pub async fn bad_ratings(&self, prefix: &str, limit: i64) -> Result<Vec<RatingRow>> {
        let sql = format!(
            "{RATING} WHERE rect_stage IS NOT NULL AND region LIKE $1
             ORDER BY CASE WHEN rect_stage IN ('callback', 'verify', 'rectify') THEN 0 ELSE 1 END,
                rated_at DESC, id DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{prefix}%"))
            .bind(limit.clamp(1, 500))
            .fetch_all(db)
            .await?))
    }

    /// Each department's figures for a month (`YYYY-MM`), in a region subtree.
    pub async fn month_figures(&self, prefix: &str, month: &str) -> Result<Vec<MonthFigures>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT r.department_id, d.name AS department_name,
                SUM(CASE WHEN r.removed = 0 THEN 1 ELSE 0 END) AS ratings,
                SUM(CASE WHEN r.removed = 0 AND r.bad = 0 THEN 1 ELSE 0 END) AS good,
                SUM(CASE WHEN r.removed = 0 AND r.bad = 1 THEN 1 ELSE 0 END) AS bad,
                SUM(CASE WHEN r.removed = 0 AND r.rect_stage = 'closed' THEN 1 ELSE 0 END)
                    AS rectified,
                SUM(CASE WHEN r.removed = 1 THEN 1 ELSE 0 END) AS removed
             FROM ratings r JOIN departments d ON d.id = r.department_id
             WHERE r.month = $1 AND r.region LIKE $2
             GROUP BY r.department_id, d.name ORDER BY r.department_id"
        )
        .bind(month)
        .bind(format!("{prefix}%"))
        .fetch_all(db)
        .await?))
    }

    /// Decided cases still unrated whose decision is older than `before`: (id, number),
    /// oldest first.
    pub async fn cases_due_default_rating(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT c.id, c.number FROM cases c
             WHERE c.decided_at IS NOT NULL AND c.decided_at < $1
               AND NOT EXISTS (SELECT 1 FROM ratings r
                               WHERE r.service_kind = 'case' AND r.service_id = c.id)
             ORDER BY c.decided_at, c.id LIMIT $2"
        )
        .bind(millis(before))
        .bind(limit.clamp(1, 1000))
        .fetch_all(db)
        .await?))
    }

    /// Puts `user_id` on duty at a window (replacing whoever was), audited.
    pub async fn set_window_duty(
        &self,
        window_id: i64,
        user_id: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO window_duty (window_id, user_id, since) VALUES ($1, $2, $3)
                 ON CONFLICT (window_id) DO UPDATE SET user_id = excluded.user_id,
                    since = excluded.since",
            )
            .bind(window_id)
            .bind(user_id)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn window_duty(&self, window_id: i64) -> Result<Option<Duty>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT d.window_id, d.user_id, u.name, d.since FROM window_duty d
             JOIN users u ON u.id = d.user_id WHERE d.window_id = $1"
        )
        .bind(window_id)
        .fetch_optional(db)
        .await?))
    }

    /// Records a visit ended at a window by the staff on duty; its id.
    pub async fn end_visit(
        &self,
        window_id: i64,
        staff_id: i64,
        case_id: Option<i64>,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO window_visits (window_id, staff_id, case_id, ended_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(window_id)
            .bind(staff_id)
            .bind(case_id)
            .bind(millis(at))
            .fetch_one(&mut *tx)
            .await?;
            audit!(self, tx, audit);
            id
        }))
    }

    /// The latest visit at a window not yet rated, ended after `since`.
    pub async fn visit_to_rate(
        &self,
        window_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Option<Visit>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT v.id, v.window_id, v.staff_id, v.case_id, v.ended_at FROM window_visits v
             WHERE v.window_id = $1 AND v.ended_at >= $2
               AND NOT EXISTS (SELECT 1 FROM ratings r
                               WHERE r.service_kind = 'window' AND r.service_id = v.id)
             ORDER BY v.ended_at DESC, v.id DESC LIMIT 1"
        )
        .bind(window_id)
        .bind(millis(since))
        .fetch_optional(db)
        .await?))
    }

    pub async fn visit(&self, id: i64) -> Result<Option<Visit>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, window_id, staff_id, case_id, ended_at FROM window_visits WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await?))
    }
}
