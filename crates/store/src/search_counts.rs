//! What people search for, counted per query per week, for the home page's hot searches.
//! Not audited: a count is a statistic, not a decision anyone made.

use crate::{Result, Store};

impl Store {
    /// Counts one search for `query` in `week` (e.g. `2026-W49`).
    pub async fn count_search(&self, week: &str, query: &str) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO search_counts (week, query, n) VALUES ($1, $2, 1)
                 ON CONFLICT (week, query) DO UPDATE SET n = search_counts.n + 1",
            )
            .bind(week)
            .bind(query)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The most searched queries of `week` searched at least `min` times, most first (ties by
    /// query), with their counts.
    pub async fn top_searches(
        &self,
        week: &str,
        min: i64,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT query, n FROM search_counts WHERE week = $1 AND n >= $2
                 ORDER BY n DESC, query LIMIT $3",
            )
            .bind(week)
            .bind(min)
            .bind(limit)
            .fetch_all(db)
            .await?
        }))
    }
}
