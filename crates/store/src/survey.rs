//! 社会评议 in storage: rounds, their one-time invitation links (by the hash of the token) and
//! the answers. A link is used once: the answers and the link's use are written together, and
//! a second use finds the link used and writes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;

use crate::{millis, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub region: String,
    /// `open` or `published`.
    pub status: String,
    /// The posts as JSON (`Vec<Post>`).
    pub posts: String,
    pub created_by: i64,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

const ROUND: &str = "SELECT id, name, year, region, status, posts, created_by, created_at,
    published_at FROM survey_rounds";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub round_id: i64,
    pub representative: String,
    pub rep_kind: String,
    pub used_at: Option<i64>,
}

/// A round in a list: its links used and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub region: String,
    /// `open` or `published`.
    pub status: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub used: i64,
    pub sent: i64,
}

/// One answer to write: (post index, department, topic, choice, points).
pub type AnswerRow = (i64, i64, String, String, i64);

/// Per post and topic of a round: (post, topic, answers, points).
pub type ResultRow = (i64, String, i64, i64);

impl Store {
    /// Writes a round and its invitations (token hashes); the round's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_survey(
        &self,
        name: &str,
        year: i64,
        region: &str,
        posts: &str,
        invitations: &[(String, String, String)],
        by: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO survey_rounds (name, year, region, status, posts, created_by,
                    created_at) VALUES ($1, $2, $3, 'open', $4, $5, $6) RETURNING id",
            )
            .bind(name)
            .bind(year)
            .bind(region)
            .bind(posts)
            .bind(by)
            .bind(millis(at))
            .fetch_one(&mut *tx)
            .await?;
            for (hash, rep, kind) in invitations {
                sqlx::query(
                    "INSERT INTO survey_invitations (round_id, token_hash, representative,
                        rep_kind) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(hash)
                .bind(rep)
                .bind(kind)
                .execute(&mut *tx)
                .await?;
            }
            let mut audit = audit;
            audit.target = format!("survey:{id}");
            audit!(self, tx, audit);
            id
        }))
    }

    pub async fn survey(&self, id: i64) -> Result<Option<RoundRow>> {
        let sql = format!("{ROUND} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Every round, newest first.
    pub async fn surveys(&self) -> Result<Vec<RoundRow>> {
        let sql = format!("{ROUND} ORDER BY id DESC LIMIT 200");
        Ok(read!(self, |db| sqlx::query_as(&sql).fetch_all(db).await?))
    }

    /// The rounds of a region subtree (`region_prefix`, empty for all), only the published ones
    /// when `published_only`, newest first, each with its links used and sent: one query.
    pub async fn survey_list(
        &self,
        region_prefix: &str,
        published_only: bool,
    ) -> Result<Vec<RoundSummary>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT r.id, r.name, r.year, r.region, r.status, r.created_at, r.published_at,
                CAST(COALESCE(SUM(CASE WHEN i.used_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT)
                    AS used,
                CAST(COUNT(i.id) AS BIGINT) AS sent
             FROM survey_rounds r LEFT JOIN survey_invitations i ON i.round_id = r.id
             WHERE r.region LIKE $1 AND (CAST($2 AS BIGINT) = 0 OR r.status = 'published')
             GROUP BY r.id, r.name, r.year, r.region, r.status, r.created_at, r.published_at
             ORDER BY r.id DESC LIMIT 200"
        )
        .bind(format!("{region_prefix}%"))
        .bind(i64::from(published_only))
        .fetch_all(db)
        .await?))
    }

    /// A round's invitations in the order they were sent: who, and when each link was used.
    pub async fn survey_invitations(&self, round: i64) -> Result<Vec<InvitationRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, round_id, representative, rep_kind, used_at FROM survey_invitations
             WHERE round_id = $1 ORDER BY id"
        )
        .bind(round)
        .fetch_all(db)
        .await?))
    }

    /// Adds invitations (token hashes) to an open round. `Conflict("performance.survey_closed")`
    /// unless it is open: nothing is written.
    pub async fn add_survey_invitations(
        &self,
        round: i64,
        invitations: &[(String, String, String)],
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let open: Option<String> =
                sqlx::query_scalar("SELECT status FROM survey_rounds WHERE id = $1")
                    .bind(round)
                    .fetch_optional(&mut *tx)
                    .await?;
            if open.as_deref() != Some("open") {
                return Err(StoreError::Conflict("performance.survey_closed".into()));
            }
            for (hash, rep, kind) in invitations {
                sqlx::query(
                    "INSERT INTO survey_invitations (round_id, token_hash, representative,
                        rep_kind) VALUES ($1, $2, $3, $4)",
                )
                .bind(round)
                .bind(hash)
                .bind(rep)
                .bind(kind)
                .execute(&mut *tx)
                .await?;
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// The invitation a token's hash opens.
    pub async fn survey_invitation(&self, token_hash: &str) -> Result<Option<InvitationRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, round_id, representative, rep_kind, used_at FROM survey_invitations
             WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(db)
        .await?))
    }

    /// Uses an invitation and writes its answers. `Conflict("performance.survey_used")` when it
    /// was used already, `Conflict("performance.survey_closed")` when its round is no longer
    /// open: nothing is written.
    pub async fn answer_survey(
        &self,
        invitation: i64,
        round: i64,
        answers: &[AnswerRow],
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let open: Option<String> =
                sqlx::query_scalar("SELECT status FROM survey_rounds WHERE id = $1")
                    .bind(round)
                    .fetch_optional(&mut *tx)
                    .await?;
            if open.as_deref() != Some("open") {
                return Err(StoreError::Conflict("performance.survey_closed".into()));
            }
            let n = sqlx::query(
                "UPDATE survey_invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
            )
            .bind(invitation)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.survey_used".into()));
            }
            for (post, dept, topic, choice, points) in answers {
                sqlx::query(
                    "INSERT INTO survey_answers (invitation_id, round_id, post, department_id,
                        topic, choice, points) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(invitation)
                .bind(round)
                .bind(*post)
                .bind(*dept)
                .bind(topic)
                .bind(choice)
                .bind(*points)
                .execute(&mut *tx)
                .await?;
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Publishes an open round. `Conflict("performance.survey_closed")` unless it is open.
    pub async fn publish_survey(
        &self,
        id: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE survey_rounds SET status = 'published', published_at = $2
                 WHERE id = $1 AND status = 'open'",
            )
            .bind(id)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.survey_closed".into()));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// A round's results per post and topic.
    pub async fn survey_results(&self, id: i64) -> Result<Vec<ResultRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT post, topic, COUNT(*), CAST(SUM(points) AS BIGINT) FROM survey_answers
             WHERE round_id = $1 GROUP BY post, topic ORDER BY post, topic"
        )
        .bind(id)
        .fetch_all(db)
        .await?))
    }

    /// How many of a round's links were used, of how many.
    pub async fn survey_turnout(&self, id: i64) -> Result<(i64, i64)> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT CAST(SUM(CASE WHEN used_at IS NULL THEN 0 ELSE 1 END) AS BIGINT), COUNT(*)
             FROM survey_invitations WHERE round_id = $1"
        )
        .bind(id)
        .fetch_one(db)
        .await
        .map(|(a, b): (Option<i64>, i64)| (a.unwrap_or(0), b))?))
    }
}
