//! Small reads for the hot paths that keep their answers in memory: a case's identity and
//! version by its number (the public lookup serves the rest from a cache keyed by the two), and
//! the soonest crossing in the deadline index (the warning sweeper sleeps until it).

use crate::{Result, Store};

impl Store {
    /// The id and version of the case with `number`, without its state document.
    pub async fn case_head(&self, number: &str) -> Result<Option<(i64, i64)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, version FROM cases WHERE number = $1"
        )
        .bind(number)
        .fetch_optional(db)
        .await?))
    }

    /// The soonest next crossing in the index (milliseconds), claimed or not: the head of the
    /// partial index on `next_at`. Ordered rather than `MIN`, so PostgreSQL's generic plan for a
    /// prepared statement still walks the index.
    pub async fn soonest_crossing(&self) -> Result<Option<i64>> {
        let soonest: Option<Option<i64>> = read!(self, |db| sqlx::query_scalar(
            "SELECT next_at FROM clock_watch WHERE next_at IS NOT NULL
             ORDER BY next_at LIMIT 1"
        )
        .fetch_optional(db)
        .await?);
        Ok(soonest.flatten())
    }
}
