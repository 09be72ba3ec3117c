//! Re-timing jobs: after a calendar change every open case's deadlines are recomputed on the
//! new calendar ([`Store::retime_case`](crate::Store::retime_case)) by the sweeper, in batches.
//! The job row keeps its place and its counts, so a restart resumes it and the calendar page
//! shows its progress. A newer change supersedes a job still running: the new one starts over
//! on the newest calendar.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{millis, Result, Store};

/// One re-timing job and its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RetimeJob {
    pub id: i64,
    pub reason: String,
    pub created_at: i64,
    pub after_id: i64,
    pub total: i64,
    pub done: i64,
    pub moved: i64,
    pub finished_at: Option<i64>,
}

const OPEN: &str = "status NOT IN ('closed', 'not_accepted', 'withdrawn')";

impl Store {
    /// Queues a job over every open case, superseding any job still running; returns its id.
    pub async fn queue_retime(&self, reason: &str, now: DateTime<Utc>) -> Result<i64> {
        let count = format!("SELECT COUNT(*) FROM cases WHERE {OPEN}");
        Ok(write!(self, |tx| {
            sqlx::query("UPDATE retime_jobs SET finished_at = $1 WHERE finished_at IS NULL")
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
            let total: i64 = sqlx::query_scalar(&count).fetch_one(&mut *tx).await?;
            sqlx::query_scalar(
                "INSERT INTO retime_jobs (reason, created_at, total) VALUES ($1, $2, $3)
                 RETURNING id",
            )
            .bind(reason)
            .bind(millis(now))
            .bind(total)
            .fetch_one(&mut *tx)
            .await?
        }))
    }

    /// The job still running, if any.
    pub async fn pending_retime(&self) -> Result<Option<RetimeJob>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, reason, created_at, after_id, total, done, moved, finished_at
             FROM retime_jobs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        )
        .fetch_optional(db)
        .await?))
    }

    /// Records a batch: the job's place moves to `after_id`; `done` and `moved` grow.
    /// `finished` closes the job. A superseded job is left as it is.
    pub async fn retime_progress(
        &self,
        id: i64,
        after_id: i64,
        done: i64,
        moved: i64,
        finished: Option<DateTime<Utc>>,
    ) -> Result<()> {
        write!(self, |tx| sqlx::query(
            "UPDATE retime_jobs SET after_id = $2, done = done + $3, moved = moved + $4,
                finished_at = $5
             WHERE id = $1 AND finished_at IS NULL"
        )
        .bind(id)
        .bind(after_id)
        .bind(done)
        .bind(moved)
        .bind(finished.map(millis))
        .execute(&mut *tx)
        .await
        .map(drop)?);
        Ok(())
    }

    /// The newest jobs, newest first (the calendar page).
    pub async fn retime_jobs(&self, limit: i64) -> Result<Vec<RetimeJob>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, reason, created_at, after_id, total, done, moved, finished_at
             FROM retime_jobs ORDER BY id DESC LIMIT $1"
        )
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// A case's stored due date and the red instant of each deadline in the crossing index, in
    /// milliseconds (what a re-timing compares the new ones with).
    pub async fn case_dues(&self, id: i64) -> Result<(Option<i64>, Vec<(String, i64)>)> {
        let due: Option<Option<i64>> = read!(self, |db| sqlx::query_scalar(
            "SELECT due_at FROM cases WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await?);
        let clocks: Vec<(String, i64)> = read!(self, |db| {
            sqlx::query_as(
                "SELECT clock, red_at FROM clock_watch
                 WHERE subject_kind = 'case' AND subject_id = $1",
            )
            .bind(id)
            .fetch_all(db)
            .await?
        });
        Ok((due.flatten(), clocks))
    }

    /// Ids of open cases after `after`, in id order (a re-timing batch).
    pub async fn open_case_ids_after(&self, after: i64, limit: i64) -> Result<Vec<i64>> {
        let sql = format!("SELECT id FROM cases WHERE id > $1 AND {OPEN} ORDER BY id LIMIT $2");
        Ok(read!(self, |db| sqlx::query_scalar(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }
}
