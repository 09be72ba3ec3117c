//! The proactive-disclosure catalog (主动公开目录) in storage (migration 0042): the entries, the
//! 政府公报 issues listing them, each agency's 公开指南, and the counts of table 二 of the
//! annual report, one query for the whole table.
//!
//! Every write registers the entry as a `catalog_entry` subject, replaces its 第二十六条
//! deadline in the one deadline index ([`sync_watches!`]; none once published), records the
//! findings it brings (a late publication) and appends the audit record, in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::disclosure::catalog::{EntryStatus, Heading, ProactiveFigure};
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::disclosure::ReportScope;
use crate::findings::NewFinding;
use crate::subjects::NewSubject;
use crate::{millis, Result, Store, StoreError, Tally};

/// A catalog entry as stored, with its publisher's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CatalogEntryRow {
    pub id: i64,
    pub index_no: String,
    pub department_id: i64,
    pub publisher: String,
    pub region: String,
    pub heading: String,
    pub title: String,
    pub doc_number: Option<String>,
    pub body: String,
    pub amount_fen: Option<i64>,
    pub formed_on: String,
    pub due_on: String,
    pub published_on: Option<String>,
    pub abolished_on: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const ENTRY: &str = "SELECT c.id, c.index_no, c.department_id, d.name AS publisher, c.region,
    c.heading, c.title, c.doc_number, c.body, c.amount_fen, c.formed_on, c.due_on,
    c.published_on, c.abolished_on, c.status, c.created_at, c.updated_at
    FROM disclosure_catalog c JOIN departments d ON d.id = c.department_id";

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A new entry, checked by the domain, with its due day computed on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCatalogEntry {
    pub department_id: i64,
    pub region: String,
    pub heading: Heading,
    pub title: String,
    pub doc_number: Option<String>,
    pub body: String,
    pub amount_fen: Option<i64>,
    pub formed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub created_by: Option<i64>,
}

/// What a write does beside the row: the deadlines (none once published), the findings and
/// the audit record.
pub struct CatalogWrite {
    pub watches: Vec<Watch>,
    /// (rule, detail, anchor) of each finding.
    pub findings: Vec<(String, String, String)>,
    pub audit: AuditEntry,
}

/// A change of status: to `to` from `from`, on `on`.
pub struct CatalogChange {
    pub id: i64,
    pub from: EntryStatus,
    pub to: EntryStatus,
    pub on: NaiveDate,
}

/// What a catalog list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogFilter {
    pub department_id: Option<i64>,
    /// A region code's prefix: the region and every region under it.
    pub region_prefix: Option<String>,
    pub heading: Option<Heading>,
    /// Only the 重点领域 headings.
    pub key_areas: bool,
    /// Pending entries too (an office's own list); published and abolished ones always.
    pub pending_of: Option<i64>,
    /// Only these ids (search hits), in any order.
    pub ids: Option<Vec<i64>>,
    pub limit: i64,
    pub offset: i64,
}

/// A 政府公报 issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GazetteRow {
    pub id: i64,
    pub department_id: i64,
    pub publisher: String,
    pub region: String,
    pub year: i64,
    pub issue: i64,
    pub title: String,
    pub published_on: String,
    pub entries: i64,
}

const GAZETTE: &str = "SELECT g.id, g.department_id, d.name AS publisher, g.region, g.year,
    g.issue, g.title, g.published_on,
    (SELECT COUNT(*) FROM disclosure_gazette_entries e WHERE e.gazette_id = g.id) AS entries
    FROM disclosure_gazettes g JOIN departments d ON d.id = g.department_id";

/// One row of table 二's counts: a heading's figures over the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProactiveCounts {
    pub heading: String,
    pub made: i64,
    pub abolished: i64,
    pub in_force: i64,
    pub amount_fen: i64,
}

/// The condition of a figure of table 二 over `disclosure_catalog c`, with `$Y0`/`$Y1` the
/// year's first day and the next year's first day.
fn figure_sql(figure: ProactiveFigure) -> &'static str {
    match figure {
        ProactiveFigure::Made | ProactiveFigure::Decisions | ProactiveFigure::Amount => {
            "c.formed_on >= $2 AND c.formed_on < $3"
        }
        ProactiveFigure::Abolished => "c.abolished_on >= $2 AND c.abolished_on < $3",
        ProactiveFigure::InForce => {
            "c.formed_on < $3 AND (c.abolished_on IS NULL OR c.abolished_on >= $3)"
        }
    }
}

fn scope_sql(scope: &ReportScope) -> (&'static str, i64, String) {
    match scope {
        ReportScope::Department(id) => ("c.department_id = $1 AND $4 = $4", *id, String::new()),
        ReportScope::Region(code) => {
            let prefix = tongban_domain::region::RegionCode::parse(code)
                .map_or_else(|_| code.clone(), |r| r.prefix().to_string());
            ("c.region LIKE $4 AND $1 = $1", 0, format!("{prefix}%"))
        }
    }
}

macro_rules! catalog_side_effects {
    ($store:expr, $tx:ident, $id:expr, $e:expr, $w:expr, $now:expr) => {{
        let id: i64 = $id;
        let e: &CatalogEntryRow = $e;
        let w: &CatalogWrite = $w;
        let subject = SubjectRef::new(SubjectKind::CatalogEntry, id, e.index_no.clone());
        register_subject!(
            $tx,
            &NewSubject {
                subject: subject.clone(),
                title: e.title.clone(),
                party: String::new(),
                item_id: None,
                department_id: e.department_id,
                hall_id: 0,
                region: e.region.clone(),
                opened_at: DateTime::from_timestamp_millis(e.created_at).unwrap_or($now),
            }
        );
        let mut tally = Tally::default();
        sync_watches!($store, $tx, tally, &subject, &e.region, 0, &w.watches);
        let findings: Vec<NewFinding> = w
            .findings
            .iter()
            .map(|(rule, detail, anchor)| NewFinding {
                rule: rule.clone(),
                subject: subject.clone(),
                step: None,
                person_id: None,
                department_id: e.department_id,
                hall_id: None,
                region: e.region.clone(),
                detail: detail.clone(),
                evidence: "[]".into(),
                fingerprint: format!("{id}:{rule}:{anchor}"),
            })
            .collect();
        insert_findings!($tx, &findings, $now);
        apply_tally!($tx, tally);
        audit!(
            $store,
            $tx,
            AuditEntry {
                target: subject.audit_target(),
                ..w.audit.clone()
            }
        );
    }};
}

impl Store {
    /// Registers an entry (pending, or published at once on `published_on`); returns its id
    /// and 索引号 (`{department:06}-{year}-{seq:05}`, the year of its formation).
    pub async fn insert_catalog_entry<E>(
        &self,
        e: &NewCatalogEntry,
        published_on: Option<NaiveDate>,
        write: impl FnOnce(&CatalogEntryRow) -> std::result::Result<CatalogWrite, E>,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<CatalogEntryRow, E>> {
        let year = i64::from(chrono::Datelike::year(&e.formed_on));
        let status = if published_on.is_some() {
            EntryStatus::Published
        } else {
            EntryStatus::Pending
        };
        Ok(write!(self, |tx| {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure_catalog_numbers (department_id, year, last)
                 VALUES ($1, $2, 1)
                 ON CONFLICT (department_id, year)
                 DO UPDATE SET last = disclosure_catalog_numbers.last + 1
                 RETURNING last",
            )
            .bind(e.department_id)
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            let index_no = format!("{:06}-{year}-{seq:05}", e.department_id);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure_catalog (index_no, department_id, region, heading, title,
                    doc_number, body, amount_fen, formed_on, due_on, published_on, status,
                    created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
                 RETURNING id",
            )
            .bind(&index_no)
            .bind(e.department_id)
            .bind(&e.region)
            .bind(e.heading.as_str())
            .bind(&e.title)
            .bind(e.doc_number.as_deref())
            .bind(&e.body)
            .bind(e.amount_fen)
            .bind(day(e.formed_on))
            .bind(day(e.due_on))
            .bind(published_on.map(day))
            .bind(status.as_str())
            .bind(e.created_by)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            let sql = format!("{ENTRY} WHERE c.id = $1");
            let row: CatalogEntryRow = sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?;
            let w = match write(&row) {
                Ok(w) => w,
                // Nothing is written: the transaction rolls back.
                Err(e) => return Ok(Err(e)),
            };
            catalog_side_effects!(self, tx, id, &row, &w, now);
            Ok(row)
        }))
    }

    /// Publishes or abolishes an entry, if it is still in `from` (else `disclosure.catalog_state`).
    pub async fn change_catalog_entry<E>(
        &self,
        c: &CatalogChange,
        write: impl FnOnce(&CatalogEntryRow) -> std::result::Result<CatalogWrite, E>,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<CatalogEntryRow, E>> {
        let column = match c.to {
            EntryStatus::Published => "published_on",
            EntryStatus::Abolished => "abolished_on",
            EntryStatus::Pending => {
                return Err(StoreError::Conflict(
                    codes::Disclosure::CatalogState.as_str().into(),
                ))
            }
        };
        Ok(write!(self, |tx| {
            let n = sqlx::query(&format!(
                "UPDATE disclosure_catalog SET status = $1, {column} = $2, updated_at = $3
                 WHERE id = $4 AND status = $5"
            ))
            .bind(c.to.as_str())
            .bind(day(c.on))
            .bind(millis(now))
            .bind(c.id)
            .bind(c.from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    codes::Disclosure::CatalogState.as_str().into(),
                ));
            }
            let sql = format!("{ENTRY} WHERE c.id = $1");
            let row: CatalogEntryRow = sqlx::query_as(&sql).bind(c.id).fetch_one(&mut *tx).await?;
            let w = match write(&row) {
                Ok(w) => w,
                Err(e) => return Ok(Err(e)),
            };
            catalog_side_effects!(self, tx, c.id, &row, &w, now);
            Ok(row)
        }))
    }

    /// An entry by id.
    pub async fn catalog_entry(&self, id: i64) -> Result<Option<CatalogEntryRow>> {
        let sql = format!("{ENTRY} WHERE c.id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// An entry by its 索引号.
    pub async fn catalog_entry_by_index(&self, index_no: &str) -> Result<Option<CatalogEntryRow>> {
        let sql = format!("{ENTRY} WHERE c.index_no = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(index_no)
            .fetch_optional(db)
            .await?))
    }

    /// Entries by `f`, the newest formed first.
    pub async fn catalog_entries(&self, f: &CatalogFilter) -> Result<Vec<CatalogEntryRow>> {
        if f.ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        Ok(read!(self, |db| {
            let mut q = sqlx::QueryBuilder::new(ENTRY);
            q.push(" WHERE (c.status <> 'pending'");
            if let Some(d) = f.pending_of {
                q.push(" OR c.department_id = ").push_bind(d);
            }
            q.push(")");
            if let Some(d) = f.department_id {
                q.push(" AND c.department_id = ").push_bind(d);
            }
            if let Some(p) = &f.region_prefix {
                q.push(" AND c.region LIKE ").push_bind(format!("{p}%"));
            }
            if let Some(h) = f.heading {
                q.push(" AND c.heading = ").push_bind(h.as_str());
            }
            if f.key_areas {
                q.push(" AND c.heading IN (");
                let mut sep = q.separated(", ");
                for h in Heading::ALL.iter().filter(|h| h.key_area()) {
                    sep.push_bind(h.as_str());
                }
                q.push(")");
            }
            if let Some(ids) = &f.ids {
                q.push(" AND c.id IN (");
                let mut sep = q.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                q.push(")");
            }
            q.push(" ORDER BY c.formed_on DESC, c.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 500))
                .push(" OFFSET ")
                .push_bind(f.offset.max(0));
            q.build_query_as().fetch_all(db).await?
        }))
    }

    /// Every published or abolished entry's id, for the search index at start.
    pub async fn public_catalog_entries(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CatalogEntryRow>> {
        let sql =
            format!("{ENTRY} WHERE c.status <> 'pending' AND c.id > $1 ORDER BY c.id LIMIT $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Table 二's counts for `scope` and `year`: one query, one row per heading with entries.
    pub async fn proactive_counts(
        &self,
        scope: &ReportScope,
        year: i32,
    ) -> Result<Vec<ProactiveCounts>> {
        let (filter, dept, prefix) = scope_sql(scope);
        let y0 = format!("{year:04}-01-01");
        let y1 = format!("{:04}-01-01", year + 1);
        let made = figure_sql(ProactiveFigure::Made);
        let abolished = figure_sql(ProactiveFigure::Abolished);
        let in_force = figure_sql(ProactiveFigure::InForce);
        let sql = format!(
            "SELECT c.heading,
                CAST(SUM(CASE WHEN {made} THEN 1 ELSE 0 END) AS BIGINT) AS made,
                CAST(SUM(CASE WHEN {abolished} THEN 1 ELSE 0 END) AS BIGINT) AS abolished,
                CAST(SUM(CASE WHEN {in_force} THEN 1 ELSE 0 END) AS BIGINT) AS in_force,
                CAST(SUM(CASE WHEN {made} THEN COALESCE(c.amount_fen, 0) ELSE 0 END) AS BIGINT)
                    AS amount_fen
             FROM disclosure_catalog c
             WHERE {filter} AND c.status <> 'pending' AND c.formed_on < $3
             GROUP BY c.heading ORDER BY c.heading"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(dept)
            .bind(&y0)
            .bind(&y1)
            .bind(&prefix)
            .fetch_all(db)
            .await?))
    }

    /// The entries behind one figure of table 二 (at most `limit`).
    pub async fn proactive_entries(
        &self,
        scope: &ReportScope,
        year: i32,
        heading: Heading,
        figure: ProactiveFigure,
        limit: i64,
    ) -> Result<Vec<CatalogEntryRow>> {
        let (filter, dept, prefix) = scope_sql(scope);
        let cond = figure_sql(figure);
        let sql = format!(
            "{ENTRY} WHERE {filter} AND c.status <> 'pending' AND c.heading = $5 AND {cond}
             ORDER BY c.formed_on, c.id LIMIT $6"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(dept)
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{:04}-01-01", year + 1))
            .bind(&prefix)
            .bind(heading.as_str())
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Publishes a 政府公报 issue listing `entries` (published entries of its publisher), audited;
    /// `disclosure.gazette_second` for a number already used that year, `disclosure.gazette_entries`
    /// for an entry that is not the publisher's or not public.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_gazette(
        &self,
        department_id: i64,
        region: &str,
        year: i32,
        issue: i64,
        title: &str,
        published_on: NaiveDate,
        entries: &[i64],
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM disclosure_gazettes
                 WHERE department_id = $1 AND year = $2 AND issue = $3",
            )
            .bind(department_id)
            .bind(i64::from(year))
            .bind(issue)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(
                    codes::Disclosure::GazetteSecond.as_str().into(),
                ));
            }
            let mut q = sqlx::QueryBuilder::new(
                "SELECT COUNT(*) FROM disclosure_catalog WHERE status <> 'pending' AND department_id = ",
            );
            q.push_bind(department_id).push(" AND id IN (");
            let mut sep = q.separated(", ");
            for id in entries {
                sep.push_bind(*id);
            }
            q.push(")");
            let found: i64 = q.build_query_scalar().fetch_one(&mut *tx).await?;
            if entries.is_empty() || usize::try_from(found).ok() != Some(entries.len()) {
                return Err(StoreError::Conflict(
                    codes::Disclosure::GazetteEntries.as_str().into(),
                ));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure_gazettes (department_id, region, year, issue, title,
                    published_on, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(department_id)
            .bind(region)
            .bind(i64::from(year))
            .bind(issue)
            .bind(title)
            .bind(day(published_on))
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO disclosure_gazette_entries (gazette_id, entry_id, seq) ",
            );
            q.push_values(entries.iter().zip(1i64..), |mut row, (e, seq)| {
                row.push_bind(id).push_bind(*e).push_bind(seq);
            });
            q.build().execute(&mut *tx).await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("gazette:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    /// 政府公报 issues, the newest first, of a region subtree (all with `""`).
    pub async fn gazettes(&self, region_prefix: &str, limit: i64) -> Result<Vec<GazetteRow>> {
        let sql = format!(
            "{GAZETTE} WHERE g.region LIKE $1 ORDER BY g.published_on DESC, g.id DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// One issue.
    pub async fn gazette(&self, id: i64) -> Result<Option<GazetteRow>> {
        let sql = format!("{GAZETTE} WHERE g.id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// The documents an issue lists, in its order.
    pub async fn gazette_entries(&self, id: i64) -> Result<Vec<CatalogEntryRow>> {
        let sql = format!(
            "{ENTRY} JOIN disclosure_gazette_entries ge ON ge.entry_id = c.id
             WHERE ge.gazette_id = $1 ORDER BY ge.seq"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_all(db)
            .await?))
    }

    /// An agency's 政府信息公开指南 and when it was last written.
    pub async fn catalog_guide(&self, department_id: i64) -> Result<Option<(String, i64)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT text, updated_at FROM disclosure_guides WHERE department_id = $1"
        )
        .bind(department_id)
        .fetch_optional(db)
        .await?))
    }

    /// Writes an agency's 公开指南 (audited).
    pub async fn save_catalog_guide(
        &self,
        department_id: i64,
        text: &str,
        user_id: i64,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO disclosure_guides (department_id, text, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (department_id) DO UPDATE SET text = excluded.text,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(department_id)
            .bind(text)
            .bind(user_id)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }
}
