//! Migrations, one ordered list per backend. Each runs once, in its own transaction, and is
//! recorded in `schema_migrations`.

use crate::{Kind, Result, Store};

/// (version, name, SQLite text, PostgreSQL text).
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "calendar",
        include_str!("../migrations/sqlite/0002_calendar.sql"),
        include_str!("../migrations/postgres/0002_calendar.sql"),
    ),
    (
        3,
        "catalog",
        include_str!("../migrations/sqlite/0003_catalog.sql"),
        include_str!("../migrations/postgres/0003_catalog.sql"),
    ),
    (
        4,
        "cases",
        include_str!("../migrations/sqlite/0004_cases.sql"),
        include_str!("../migrations/postgres/0004_cases.sql"),
    ),
    (
        5,
        "findings",
        include_str!("../migrations/sqlite/0005_findings.sql"),
        include_str!("../migrations/postgres/0005_findings.sql"),
    ),
    (
        6,
        "orders",
        include_str!("../migrations/sqlite/0006_orders.sql"),
        include_str!("../migrations/postgres/0006_orders.sql"),
    ),
    (
        7,
        "admonitions",
        include_str!("../migrations/sqlite/0007_admonitions.sql"),
        include_str!("../migrations/postgres/0007_admonitions.sql"),
    ),
    (
        8,
        "watch",
        include_str!("../migrations/sqlite/0008_watch.sql"),
        include_str!("../migrations/postgres/0008_watch.sql"),
    ),
    (
        11,
        "retime",
        include_str!("../migrations/sqlite/0011_retime.sql"),
        include_str!("../migrations/postgres/0011_retime.sql"),
    ),
    (
        13,
        "uploads",
        include_str!("../migrations/sqlite/0013_uploads.sql"),
        include_str!("../migrations/postgres/0013_uploads.sql"),
    ),
    (
        14,
        "heartbeat",
        include_str!("../migrations/sqlite/0014_heartbeat.sql"),
        include_str!("../migrations/postgres/0014_heartbeat.sql"),
    ),
    (
        20,
        "hotline",
        include_str!("../migrations/sqlite/0020_hotline.sql"),
        include_str!("../migrations/postgres/0020_hotline.sql"),
    ),
    (
        22,
        "disclosure",
        include_str!("../migrations/sqlite/0022_disclosure.sql"),
        include_str!("../migrations/postgres/0022_disclosure.sql"),
    ),
    (
        23,
        "disclosure_reports",
        include_str!("../migrations/sqlite/0023_disclosure_reports.sql"),
        include_str!("../migrations/postgres/0023_disclosure_reports.sql"),
    ),
    (
        24,
        "ratings",
        include_str!("../migrations/sqlite/0024_ratings.sql"),
        include_str!("../migrations/postgres/0024_ratings.sql"),
    ),
    (
        25,
        "performance",
        include_str!("../migrations/sqlite/0025_performance.sql"),
        include_str!("../migrations/postgres/0025_performance.sql"),
    ),
    (
        26,
        "documents",
        include_str!("../migrations/sqlite/0026_documents.sql"),
        include_str!("../migrations/postgres/0026_documents.sql"),
    ),
    (
        27,
        "licences",
        include_str!("../migrations/sqlite/0027_licences.sql"),
        include_str!("../migrations/postgres/0027_licences.sql"),
    ),
    (
        28,
        "opengov",
        include_str!("../migrations/sqlite/0028_opengov.sql"),
        include_str!("../migrations/postgres/0028_opengov.sql"),
    ),
    (
        30,
        "subjects",
        include_str!("../migrations/sqlite/0030_subjects.sql"),
        include_str!("../migrations/postgres/0030_subjects.sql"),
    ),
    (
        31,
        "performance_facts",
        include_str!("../migrations/sqlite/0031_performance_facts.sql"),
        include_str!("../migrations/postgres/0031_performance_facts.sql"),
    ),
    (
        32,
        "audit_region_uploads",
        include_str!("../migrations/sqlite/0032_audit_region_uploads.sql"),
        include_str!("../migrations/postgres/0032_audit_region_uploads.sql"),
    ),
    (
        33,
        "application_drafts",
        include_str!("../migrations/sqlite/0033_application_drafts.sql"),
        include_str!("../migrations/postgres/0033_application_drafts.sql"),
    ),
    (
        34,
        "bundles",
        include_str!("../migrations/sqlite/0034_bundles.sql"),
        include_str!("../migrations/postgres/0034_bundles.sql"),
    ),
    (
        35,
        "sign_in_codes",
        include_str!("../migrations/sqlite/0035_sign_in_codes.sql"),
        include_str!("../migrations/postgres/0035_sign_in_codes.sql"),
    ),
    (
        36,
        "performance_kinds",
        include_str!("../migrations/sqlite/0036_performance_kinds.sql"),
        include_str!("../migrations/postgres/0036_performance_kinds.sql"),
    ),
    (
        37,
        "opengov_followers_commitments",
        include_str!("../migrations/sqlite/0037_opengov_followers_commitments.sql"),
        include_str!("../migrations/postgres/0037_opengov_followers_commitments.sql"),
    ),
    (
        38,
        "hotline_duplicates",
        include_str!("../migrations/sqlite/0038_hotline_duplicates.sql"),
        include_str!("../migrations/postgres/0038_hotline_duplicates.sql"),
    ),
    (
        40,
        "opengov_commitment_breaches",
        include_str!("../migrations/sqlite/0040_opengov_commitment_breaches.sql"),
        include_str!("../migrations/postgres/0040_opengov_commitment_breaches.sql"),
    ),
    (
        42,
        "disclosure_catalog",
        include_str!("../migrations/sqlite/0042_disclosure_catalog.sql"),
        include_str!("../migrations/postgres/0042_disclosure_catalog.sql"),
    ),
];

const TRACK: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

impl Store {
    /// Applies the migrations not yet applied; returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let now = chrono::Utc::now().timestamp_millis();
        let mut ran = 0;
        write!(self, |tx| sqlx::raw_sql(TRACK)
            .execute(&mut *tx)
            .await
            .map(drop)?);
        for &(version, name, sqlite_sql, pg_sql) in MIGRATIONS {
            let sql = match self.kind() {
                Kind::Sqlite => sqlite_sql,
                Kind::Postgres => pg_sql,
            };
            ran += write!(self, |tx| {
                if self.kind() == Kind::Postgres {
                    // Two servers starting at once must not both migrate.
                    sqlx::query("SELECT pg_advisory_xact_lock(7242026)")
                        .execute(&mut *tx)
                        .await?;
                }
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                        .bind(version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    )
                    .bind(version)
                    .bind(name)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    1
                } else {
                    0
                }
            });
        }
        Ok(ran)
    }
}
