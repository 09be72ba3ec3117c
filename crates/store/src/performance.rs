//! Performance scores (绩效考评) in storage: scheme versions, frozen period scores with their
//! versions, the consequence flags, and the facts a period is scored from.
//!
//! **Facts.** Each fact family is one grouped query over the period's time range, grouped by
//! department and by township (the township of the hall a case was filed at), never a scan per
//! unit: decided cases (按时, 提前, 超时, 即办), the board's maintained daily counters (现场办结),
//! findings, orders, ratings by month, received cases with their item's 网办深度. The drill-down
//! lists the rows behind a value with the same conditions (the `ON_TIME`… fragments are shared),
//! so a value can be recomputed by hand from its drill-down.
//!
//! **Frozen.** A published period's rows are never updated: a correction writes a new version
//! (with its reason) beside the old one, under a version check.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::performance::{
    Consequence, Fact, Indicator, Line, MemberKind, PeriodKind, SchemeStatus, UnitKind, UnitScore,
};
use tongban_domain::region::Level;

use crate::{millis, Result, Store, StoreError};

/// A scheme version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SchemeRow {
    pub id: i64,
    pub name: String,
    pub version: i64,
    #[sqlx(try_from = "String")]
    pub status: SchemeStatus,
    /// The indicators as JSON (`Vec<IndicatorSpec>`).
    pub body: String,
    pub region: String,
    pub drafted_by: i64,
    pub drafted_at: i64,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub published_by: Option<i64>,
    pub published_at: Option<i64>,
}

const SCHEME: &str = "SELECT id, name, version, status, body, region, drafted_by, drafted_at,
    reviewed_by, reviewed_at, published_by, published_at FROM perf_schemes";

/// A published period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PeriodRow {
    pub id: i64,
    pub period: String,
    #[sqlx(try_from = "String")]
    pub kind: PeriodKind,
    pub region: String,
    pub scheme_id: i64,
    /// The version in force (the latest).
    pub version: i64,
    pub published_by: i64,
    pub published_at: i64,
}

const PERIOD: &str = "SELECT id, period, kind, region, scheme_id, version, published_by,
    published_at FROM perf_periods";

/// One version of a period: the first publication or a correction, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub period_id: i64,
    pub version: i64,
    pub reason: String,
    pub actor_id: i64,
    pub actor: String,
    pub at: i64,
}

/// A consequence flag (seed 004): raised by the system, acted on by a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FlagRow {
    pub id: i64,
    pub period_id: i64,
    #[sqlx(try_from = "String")]
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub level: Level,
    #[sqlx(try_from = "String")]
    pub consequence: Consequence,
    pub raised_at: i64,
    pub acted_by: Option<i64>,
    pub actor: Option<String>,
    pub acted_at: Option<i64>,
    pub note: Option<String>,
}

/// A flag to raise with a publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlag {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub unit_name: String,
    pub level: Level,
    pub consequence: Consequence,
}

/// What the 三率's drill-down and the townships' fold read of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketHead {
    pub number: String,
    pub summary: String,
    /// The region the ticket's address falls in (a county's 6 digits or 12 digits below).
    pub region: String,
    pub received_at: i64,
    pub closed_at: Option<i64>,
}

impl TicketHead {
    /// The township (9-digit prefix) the ticket falls in; `None` above the township level.
    pub fn township(&self) -> Option<&str> {
        (self.region.len() == 12)
            .then(|| self.region.get(..9))
            .flatten()
    }
}

/// The facts of a period per unit: departments by id, townships by 9-digit region prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactTable {
    pub departments: HashMap<i64, HashMap<Indicator, Fact>>,
    pub townships: HashMap<String, HashMap<Indicator, Fact>>,
}

impl FactTable {
    pub fn get(&self, kind: UnitKind, unit_id: &str, indicator: Indicator) -> Fact {
        let row = match kind {
            UnitKind::Department => unit_id
                .parse::<i64>()
                .ok()
                .and_then(|id| self.departments.get(&id)),
            UnitKind::Township => unit_id.get(..9).and_then(|p| self.townships.get(p)),
        };
        row.and_then(|r| r.get(&indicator).copied())
            .unwrap_or_default()
    }

    /// Adds a department's fact counted outside the grouped queries (the hotline's 三率,
    /// folded from the tickets' logs).
    pub fn add_department(&mut self, dept: i64, indicator: Indicator, fact: Fact) {
        self.add(dept, "", indicator, fact);
    }

    /// Adds a township's fact counted outside the grouped queries (by its 9-digit prefix).
    pub fn add_township(&mut self, prefix: &str, indicator: Indicator, fact: Fact) {
        self.townships
            .entry(prefix.to_string())
            .or_default()
            .entry(indicator)
            .or_default()
            .add(fact);
    }

    fn add(&mut self, dept: i64, township: &str, indicator: Indicator, fact: Fact) {
        self.departments
            .entry(dept)
            .or_default()
            .entry(indicator)
            .or_default()
            .add(fact);
        if !township.is_empty() {
            self.townships
                .entry(township.to_string())
                .or_default()
                .entry(indicator)
                .or_default()
                .add(fact);
        }
    }
}

/// The time range a period's facts are read for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `YYYY-MM` first and last (ratings).
    pub months: (String, String),
    /// `YYYYMMDD` first and last (the board's daily tallies).
    pub days: (String, String),
    /// The year of a year's period (社会评议 counts only there).
    pub year: Option<i64>,
}

/// Which unit a drill-down is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitFilter {
    Department(i64),
    /// The 9-digit prefix of a township's code.
    Township(String),
}

/// One row behind a value: a case, a finding, an order or a rating, and whether it counts in
/// the numerator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DrillRow {
    /// `case`, `finding`, `order` or `rating`: where the number links to.
    pub kind: String,
    pub number: String,
    pub title: String,
    /// The instant that placed it in the period.
    pub at: i64,
    /// Its due time, where it has one.
    pub due_at: Option<i64>,
    /// The instant it was done (decided, replied), where it was.
    pub done_at: Option<i64>,
    pub note: String,
    /// 1 when it counts in the numerator.
    pub counted: i64,
}

/// The township of the hall a case or finding was filed at: its 9-digit prefix, or ''.
const TOWNSHIP: &str =
    "CASE WHEN length(h.region_code) = 12 THEN substr(h.region_code, 1, 9) ELSE '' END";
/// 按时办结: decided by the due time (a case without a clock is on time).
const ON_TIME: &str = "(c.due_at IS NULL OR c.decided_at <= c.due_at)";
/// 提前办结: decided at least 24 hours before the due time.
const EARLY: &str = "(c.due_at IS NOT NULL AND c.decided_at + 86400000 <= c.due_at)";
/// 超时办结: decided after the due time.
const LATE: &str = "(c.due_at IS NOT NULL AND c.decided_at > c.due_at)";
/// 受理当日办结: decided on the Shanghai day it was received.
const SAME_DAY: &str =
    "((c.decided_at + 28800000) / 86400000 = (c.received_at + 28800000) / 86400000)";
/// 即办件: the item version the case was filed under is a 即办件 by the catalog's handling kind.
const INSTANT_ITEM: &str = "(iv.handling = 'instant')";
/// The item version a case was filed under (`iv`), for its handling kind.
const ITEM_VERSION: &str =
    "LEFT JOIN item_versions iv ON iv.item_id = c.item_id AND iv.version = c.item_version";
/// Still open at the period's end (the parameter `end`) and past its due time by then:
/// received before the end, neither decided nor closed before it, due before it.
fn open_late(end: &str) -> String {
    format!(
        "(c.due_at IS NOT NULL AND c.due_at < {end} AND c.received_at < {end}
          AND (c.decided_at IS NULL OR c.decided_at >= {end})
          AND (c.closed_at IS NULL OR c.closed_at >= {end}))"
    )
}
/// A disclosure reply is late when a 办理超时 finding (逾期答复) stands against its request.
const DISCLOSURE_LATE: &str = "EXISTS (SELECT 1 FROM findings f WHERE f.subject_kind = 'disclosure'
    AND f.subject_id = d.id AND f.rule = 'overdue' AND f.status <> 'dismissed')";
/// The township of a disclosure request's region: its 9-digit prefix, or ''.
const DISCLOSURE_TOWNSHIP: &str =
    "CASE WHEN length(d.region) = 12 THEN substr(d.region, 1, 9) ELSE '' END";
/// 网办深度 三级 or 四级.
const DEEP_ONLINE: &str = "(i.online_depth >= 3)";
/// A supervision order replied by its deadline.
const ORDER_ON_TIME: &str = "(o.replied_at IS NOT NULL AND o.replied_at <= o.due_at)";

type FamilyRow = (i64, String, i64, i64, i64, i64, i64);

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Inserts a period version's note inside `$tx`.
macro_rules! insert_version {
    ($tx:ident, $period:expr, $version:expr, $reason:expr, $by:expr, $at:expr) => {{
        // Typed, so the first publication (version 1, a literal) and a correction bind the same
        // wire types: PostgreSQL connections cache the statement with the first call's types.
        let (period, version, reason): (i64, i64, &str) = ($period, $version, $reason);
        let by: (i64, &str) = $by;
        sqlx::query(
            "INSERT INTO perf_versions (period_id, version, reason, actor_id, actor, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(period)
        .bind(version)
        .bind(reason)
        .bind(by.0)
        .bind(by.1)
        .bind(millis($at))
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Inserts one frozen unit score inside `$tx`.
macro_rules! insert_score {
    ($tx:ident, $period:expr, $version:expr, $s:expr) => {{
        let s: &UnitScore = $s;
        let (period, version): (i64, i64) = ($period, $version);
        sqlx::query(
            "INSERT INTO perf_scores (period_id, version, unit_kind, unit_id, unit_name, level,
                total, rank, of_units, last, lines)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(period)
        .bind(version)
        .bind(s.unit_kind.as_str())
        .bind(&s.unit_id)
        .bind(&s.unit_name)
        .bind(s.level.as_str())
        .bind(s.total)
        .bind(s.rank)
        .bind(s.of)
        .bind(i64::from(s.last))
        .bind(json(&s.lines)?)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    /// Writes a new draft version of a region's scheme; its id. The version is the region's
    /// next.
    pub async fn insert_scheme(
        &self,
        region: &str,
        name: &str,
        body: &str,
        by: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let next: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM perf_schemes
                 WHERE region = $1",
            )
            .bind(region)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO perf_schemes (name, version, status, body, region, drafted_by,
                    drafted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(name)
            .bind(next)
            .bind(SchemeStatus::Draft.as_str())
            .bind(body)
            .bind(region)
            .bind(by)
            .bind(millis(at))
            .fetch_one(&mut *tx)
            .await?;
            let mut audit = audit;
            audit.target = format!("perf_scheme:{id}");
            audit!(self, tx, audit);
            id
        }))
    }

    /// Replaces a draft's name and indicators. `Conflict("performance.stage")` unless it is
    /// still a draft.
    pub async fn update_scheme_draft(
        &self,
        id: i64,
        name: &str,
        body: &str,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE perf_schemes SET name = $2, body = $3 WHERE id = $1 AND status = 'draft'",
            )
            .bind(id)
            .bind(name)
            .bind(body)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.stage".into()));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Moves a scheme version from `from` to `to` (review or publication). Publishing
    /// supersedes the region's version in force. `Conflict("performance.stage")` when it is
    /// no longer at `from`.
    pub async fn set_scheme_status(
        &self,
        id: i64,
        from: SchemeStatus,
        to: SchemeStatus,
        by: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            if to == SchemeStatus::Published {
                sqlx::query(
                    "UPDATE perf_schemes SET status = 'superseded'
                     WHERE status = 'published'
                       AND region = (SELECT region FROM perf_schemes WHERE id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let n = sqlx::query(
                "UPDATE perf_schemes SET status = $3,
                    reviewed_by = CASE WHEN $3 = 'reviewed' THEN $4 ELSE reviewed_by END,
                    reviewed_at = CASE WHEN $3 = 'reviewed' THEN $5 ELSE reviewed_at END,
                    published_by = CASE WHEN $3 = 'published' THEN $4 ELSE published_by END,
                    published_at = CASE WHEN $3 = 'published' THEN $5 ELSE published_at END
                 WHERE id = $1 AND status = $2",
            )
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(by)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.stage".into()));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn scheme(&self, id: i64) -> Result<Option<SchemeRow>> {
        let sql = format!("{SCHEME} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Every scheme version of the regions in a subtree, newest first.
    pub async fn schemes(&self, prefix: &str) -> Result<Vec<SchemeRow>> {
        let sql = format!("{SCHEME} WHERE region LIKE $1 ORDER BY region, version DESC");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{prefix}%"))
            .fetch_all(db)
            .await?))
    }

    /// The scheme version in force for a region.
    pub async fn published_scheme(&self, region: &str) -> Result<Option<SchemeRow>> {
        let sql = format!("{SCHEME} WHERE region = $1 AND status = 'published'");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(region)
            .fetch_optional(db)
            .await?))
    }

    /// The facts of `indicators` over a range: one grouped query per fact family the
    /// indicators need.
    pub async fn period_facts(&self, indicators: &[Indicator], r: &Range) -> Result<FactTable> {
        use Indicator as I;
        let wants = |set: &[Indicator]| indicators.iter().any(|i| set.contains(i));
        let mut t = FactTable::default();
        let (from, to) = (millis(r.from), millis(r.to));
        if wants(&[I::OnTime, I::Early, I::Overdue, I::Instant]) {
            let sql = format!(
                "SELECT c.department_id, {TOWNSHIP} AS township, COUNT(*) AS n,
                    CAST(SUM(CASE WHEN {ON_TIME} THEN 1 ELSE 0 END) AS BIGINT) AS on_time,
                    CAST(SUM(CASE WHEN {EARLY} THEN 1 ELSE 0 END) AS BIGINT) AS early,
                    CAST(SUM(CASE WHEN {LATE} THEN 1 ELSE 0 END) AS BIGINT) AS late,
                    CAST(SUM(CASE WHEN {INSTANT_ITEM} THEN 1 ELSE 0 END) AS BIGINT) AS instant
                 FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id {ITEM_VERSION}
                 WHERE c.decided_at >= $1 AND c.decided_at < $2
                 GROUP BY c.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, on_time, early, late, instant) in rows {
                t.add(
                    d,
                    &tw,
                    I::OnTime,
                    Fact {
                        num: on_time,
                        den: n,
                    },
                );
                t.add(d, &tw, I::Early, Fact { num: early, den: n });
                t.add(d, &tw, I::Overdue, Fact { num: late, den: 0 });
                t.add(
                    d,
                    &tw,
                    I::Instant,
                    Fact {
                        num: instant,
                        den: n,
                    },
                );
            }
        }
        if wants(&[I::Overdue]) {
            // 超时件数 also counts the cases still open past their due time at the period's end.
            let sql = format!(
                "SELECT c.department_id, {TOWNSHIP} AS township, COUNT(*),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id
                 WHERE {}
                 GROUP BY c.department_id, {TOWNSHIP}",
                open_late("$1")
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, ..) in rows {
                t.add(d, &tw, I::Overdue, Fact { num: n, den: 0 });
            }
        }
        if let (true, Some(year)) = (wants(&[I::Survey]), r.year) {
            // The answers about each department's posts in the year's published rounds.
            let rows: Vec<(i64, i64, i64)> = read!(self, |db| sqlx::query_as(
                "SELECT a.department_id, CAST(SUM(a.points) AS BIGINT), COUNT(*)
                 FROM survey_answers a JOIN survey_rounds s ON s.id = a.round_id
                 WHERE s.status = 'published' AND s.year = $1
                 GROUP BY a.department_id"
            )
            .bind(year)
            .fetch_all(db)
            .await?);
            for (d, points, n) in rows {
                t.add(
                    d,
                    "",
                    I::Survey,
                    Fact {
                        num: points,
                        den: n * 100,
                    },
                );
            }
        }
        if wants(&[I::DisclosureOnTime]) {
            let sql = format!(
                "SELECT d.department_id, {DISCLOSURE_TOWNSHIP} AS township, COUNT(*),
                    CAST(SUM(CASE WHEN {DISCLOSURE_LATE} THEN 0 ELSE 1 END) AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM disclosure_requests d
                 WHERE d.replied_at >= $1 AND d.replied_at < $2
                 GROUP BY d.department_id, {DISCLOSURE_TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, on_time, ..) in rows {
                t.add(
                    d,
                    &tw,
                    I::DisclosureOnTime,
                    Fact {
                        num: on_time,
                        den: n,
                    },
                );
            }
        }
        if wants(&[I::OnTheSpot]) {
            // The board's maintained daily counters, moved by the case writes themselves.
            let sql = format!(
                "SELECT b.department_id, {TOWNSHIP} AS township,
                    CAST(SUM(CASE WHEN b.metric = 'on_the_spot' THEN b.n ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN b.metric = 'decided_at_hall' THEN b.n ELSE 0 END) AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM board_counts b LEFT JOIN halls h ON h.id = b.hall_id
                 WHERE b.metric IN ('on_the_spot', 'decided_at_hall') AND b.day >= $1
                   AND b.day <= $2
                 GROUP BY b.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(&r.days.0)
                .bind(&r.days.1)
                .fetch_all(db)
                .await?);
            for (d, tw, spot, hall, ..) in rows {
                t.add(
                    d,
                    &tw,
                    I::OnTheSpot,
                    Fact {
                        num: spot,
                        den: hall,
                    },
                );
            }
        }
        if wants(&[I::Findings]) {
            let sql = format!(
                "SELECT f.department_id, {TOWNSHIP} AS township, COUNT(*),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM findings f LEFT JOIN halls h ON h.id = f.hall_id
                 WHERE f.status = 'confirmed' AND f.created_at >= $1 AND f.created_at < $2
                 GROUP BY f.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, ..) in rows {
                t.add(d, &tw, I::Findings, Fact { num: n, den: 0 });
            }
        }
        if wants(&[I::Orders, I::OrdersOnTime]) {
            let sql = format!(
                "SELECT o.department_id, {TOWNSHIP} AS township, COUNT(*),
                    CAST(SUM(CASE WHEN {ORDER_ON_TIME} THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM supervision_orders o
                 LEFT JOIN subjects s ON s.kind = o.subject_kind AND s.id = o.subject_id
                 LEFT JOIN halls h ON h.id = s.hall_id
                 WHERE o.issued_at >= $1 AND o.issued_at < $2
                 GROUP BY o.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, on_time, ..) in rows {
                t.add(d, &tw, I::Orders, Fact { num: n, den: 0 });
                t.add(
                    d,
                    &tw,
                    I::OrdersOnTime,
                    Fact {
                        num: on_time,
                        den: n,
                    },
                );
            }
        }
        if wants(&[I::GoodRate, I::Rectified]) {
            let sql = format!(
                "SELECT r.department_id, {TOWNSHIP} AS township, COUNT(*),
                    CAST(SUM(CASE WHEN r.bad = 0 THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN r.bad = 1 THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN r.bad = 1 AND r.rect_stage = 'closed' THEN 1 ELSE 0 END)
                        AS BIGINT),
                    CAST(0 AS BIGINT)
                 FROM ratings r LEFT JOIN halls h ON h.id = r.hall_id
                 WHERE r.removed = 0 AND r.month >= $1 AND r.month <= $2
                 GROUP BY r.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(&r.months.0)
                .bind(&r.months.1)
                .fetch_all(db)
                .await?);
            for (d, tw, n, good, bad, fixed, _) in rows {
                t.add(d, &tw, I::GoodRate, Fact { num: good, den: n });
                t.add(
                    d,
                    &tw,
                    I::Rectified,
                    Fact {
                        num: fixed,
                        den: bad,
                    },
                );
            }
        }
        if wants(&[I::OnlineDepth]) {
            let sql = format!(
                "SELECT c.department_id, {TOWNSHIP} AS township, COUNT(*),
                    CAST(SUM(CASE WHEN {DEEP_ONLINE} THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
                 FROM cases c JOIN items i ON i.id = c.item_id
                 LEFT JOIN halls h ON h.id = c.intake_hall_id
                 WHERE c.received_at >= $1 AND c.received_at < $2
                 GROUP BY c.department_id, {TOWNSHIP}"
            );
            let rows: Vec<FamilyRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (d, tw, n, deep, ..) in rows {
                t.add(d, &tw, I::OnlineDepth, Fact { num: deep, den: n });
            }
        }
        Ok(t)
    }

    /// The tickets open at some time in `[from, to)` (the ones whose logs the 三率 fold reads):
    /// id → the ticket's head (number, summary, region, received at, closed at).
    pub async fn ticket_heads_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<i64, TicketHead>> {
        let rows: Vec<(i64, String, String, String, i64, Option<i64>)> =
            read!(self, |db| sqlx::query_as(
                "SELECT id, number, summary, region, received_at, closed_at FROM tickets
                 WHERE received_at < $1 AND (closed_at IS NULL OR closed_at >= $2)"
            )
            .bind(millis(to))
            .bind(millis(from))
            .fetch_all(db)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(id, number, summary, region, received_at, closed_at)| {
                (
                    id,
                    TicketHead {
                        number,
                        summary,
                        region,
                        received_at,
                        closed_at,
                    },
                )
            })
            .collect())
    }

    /// The rows behind one indicator's value for one unit (at most `limit`), those counted in
    /// the numerator first. The conditions are the facts query's own.
    pub async fn drill(
        &self,
        indicator: Indicator,
        r: &Range,
        unit: &UnitFilter,
        limit: i64,
    ) -> Result<Vec<DrillRow>> {
        use Indicator as I;
        let (dept, township) = match unit {
            UnitFilter::Department(id) => (*id, String::new()),
            UnitFilter::Township(p) => (0, p.clone()),
        };
        let unit_sql = |dept_col: &str| {
            format!("($3 = 0 OR {dept_col} = $3) AND ($4 = '' OR {TOWNSHIP} = $4)")
        };
        let limit = limit.clamp(1, 2000);
        let (sql, text_range) = match indicator {
            I::Overdue => (
                // The late decisions of the period, then the cases still open past their due
                // time at its end.
                format!(
                    "SELECT * FROM (
                        SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, c.decided_at AS done_at,
                            '超时办结' AS note, CAST(1 AS BIGINT) AS counted
                        FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id
                        WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {LATE} AND {unit}
                        UNION ALL
                        SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, CAST(NULL AS BIGINT) AS done_at,
                            '期末超期未办结' AS note, CAST(1 AS BIGINT) AS counted
                        FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id
                        WHERE {open} AND {unit}
                     ) x ORDER BY x.due_at, x.number LIMIT $5",
                    unit = unit_sql("c.department_id"),
                    open = open_late("$2"),
                ),
                false,
            ),
            I::OnTime | I::Early | I::Instant => {
                let cond = match indicator {
                    I::OnTime => ON_TIME,
                    I::Early => EARLY,
                    _ => INSTANT_ITEM,
                };
                // 即办件占比 names each case's handling kind; the others its status.
                let note = if indicator == I::Instant {
                    format!("CASE WHEN {INSTANT_ITEM} THEN '即办件' ELSE '承诺件' END")
                } else {
                    "c.status".to_string()
                };
                (
                    format!(
                        "SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, c.decided_at AS done_at,
                            {note} AS note,
                            CAST(CASE WHEN {cond} THEN 1 ELSE 0 END AS BIGINT) AS counted
                         FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id {ITEM_VERSION}
                         WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {}
                         ORDER BY counted {}, c.decided_at, c.id LIMIT $5",
                        unit_sql("c.department_id"),
                        if indicator == I::OnTime {
                            "ASC"
                        } else {
                            "DESC"
                        }
                    ),
                    false,
                )
            }
            I::DisclosureOnTime => (
                format!(
                    "SELECT 'disclosure' AS kind, d.number, d.applicant_name AS title,
                        d.received_at AS at, CAST(NULL AS BIGINT) AS due_at,
                        d.replied_at AS done_at,
                        CASE WHEN {DISCLOSURE_LATE} THEN '逾期答复' ELSE '按时答复' END AS note,
                        CAST(CASE WHEN {DISCLOSURE_LATE} THEN 0 ELSE 1 END AS BIGINT) AS counted
                     FROM disclosure_requests d
                     WHERE d.replied_at >= $1 AND d.replied_at < $2
                       AND ($3 = 0 OR d.department_id = $3)
                       AND ($4 = '' OR {DISCLOSURE_TOWNSHIP} = $4)
                     ORDER BY counted, d.replied_at, d.id LIMIT $5"
                ),
                false,
            ),
            I::Survey => {
                let (Some(year), UnitFilter::Department(dept)) = (r.year, unit) else {
                    return Ok(Vec::new());
                };
                // One row per answer: the round, the post and topic, the points.
                let rows: Vec<DrillRow> = read!(self, |db| sqlx::query_as(
                    "SELECT 'survey' AS kind, CAST(s.id AS TEXT) AS number, s.name AS title,
                        COALESCE(s.published_at, s.created_at) AS at,
                        CAST(NULL AS BIGINT) AS due_at, i.used_at AS done_at,
                        CAST(a.post + 1 AS TEXT) || '号岗位 ' || a.topic || '：' || a.choice
                            || '（' || CAST(a.points AS TEXT) || '分）' AS note,
                        CAST(CASE WHEN a.points > 0 THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM survey_answers a JOIN survey_rounds s ON s.id = a.round_id
                     JOIN survey_invitations i ON i.id = a.invitation_id
                     WHERE s.status = 'published' AND s.year = $1 AND a.department_id = $2
                     ORDER BY s.id, a.post, a.topic, a.invitation_id LIMIT $3"
                )
                .bind(year)
                .bind(*dept)
                .bind(limit)
                .fetch_all(db)
                .await?);
                return Ok(rows);
            }
            I::HotlineResponse | I::HotlineSolution | I::HotlineSatisfaction => {
                // Folded from the tickets' logs by the application, not by one query.
                return Ok(Vec::new());
            }
            I::OnTheSpot => (
                format!(
                    "SELECT 'case' AS kind, c.number, c.item_name AS title, c.received_at AS at,
                        c.due_at, c.decided_at AS done_at, c.status AS note,
                        CAST(CASE WHEN {SAME_DAY} THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM cases c JOIN halls h ON h.id = c.intake_hall_id
                     WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {}
                     ORDER BY counted, c.decided_at, c.id LIMIT $5",
                    unit_sql("c.department_id")
                ),
                false,
            ),
            I::Findings => (
                format!(
                    "SELECT 'finding' AS kind, f.subject_number AS number, f.rule AS title,
                        f.created_at AS at, CAST(NULL AS BIGINT) AS due_at,
                        f.decided_at AS done_at, f.detail AS note, CAST(1 AS BIGINT) AS counted
                     FROM findings f LEFT JOIN halls h ON h.id = f.hall_id
                     WHERE f.status = 'confirmed' AND f.created_at >= $1 AND f.created_at < $2
                       AND {} ORDER BY f.created_at, f.id LIMIT $5",
                    unit_sql("f.department_id")
                ),
                false,
            ),
            I::Orders | I::OrdersOnTime => (
                format!(
                    "SELECT 'order' AS kind, o.subject_number AS number,
                        o.instruction AS title, o.issued_at AS at, o.due_at,
                        o.replied_at AS done_at, o.status AS note,
                        CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM supervision_orders o
                     LEFT JOIN subjects s ON s.kind = o.subject_kind AND s.id = o.subject_id
                     LEFT JOIN halls h ON h.id = s.hall_id
                     WHERE o.issued_at >= $1 AND o.issued_at < $2 AND {}
                     ORDER BY counted, o.issued_at, o.id LIMIT $5",
                    if indicator == I::Orders {
                        "1 = 1"
                    } else {
                        ORDER_ON_TIME
                    },
                    unit_sql("o.department_id")
                ),
                false,
            ),
            I::GoodRate | I::Rectified => (
                format!(
                    "SELECT 'rating' AS kind, CAST(r.id AS TEXT) AS number,
                        r.service_number AS title, r.rated_at AS at,
                        CAST(NULL AS BIGINT) AS due_at, r.rect_closed_at AS done_at,
                        r.level AS note,
                        CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM ratings r LEFT JOIN halls h ON h.id = r.hall_id
                     WHERE r.removed = 0 AND r.month >= $1 AND r.month <= $2 {} AND {}
                     ORDER BY counted, r.rated_at, r.id LIMIT $5",
                    if indicator == I::GoodRate {
                        "r.bad = 0"
                    } else {
                        "r.rect_stage = 'closed'"
                    },
                    if indicator == I::Rectified {
                        "AND r.bad = 1"
                    } else {
                        ""
                    },
                    unit_sql("r.department_id")
                ),
                true,
            ),
            I::OnlineDepth => (
                format!(
                    "SELECT 'case' AS kind, c.number, c.item_name AS title, c.received_at AS at,
                        c.due_at, c.decided_at AS done_at,
                        CAST(i.online_depth AS TEXT) AS note,
                        CAST(CASE WHEN {DEEP_ONLINE} THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM cases c JOIN items i ON i.id = c.item_id
                     LEFT JOIN halls h ON h.id = c.intake_hall_id
                     WHERE c.received_at >= $1 AND c.received_at < $2 AND {}
                     ORDER BY counted, c.received_at, c.id LIMIT $5",
                    unit_sql("c.department_id")
                ),
                false,
            ),
        };
        Ok(if text_range {
            read!(self, |db| sqlx::query_as(&sql)
                .bind(&r.months.0)
                .bind(&r.months.1)
                .bind(dept)
                .bind(&township)
                .bind(limit)
                .fetch_all(db)
                .await?)
        } else {
            read!(self, |db| sqlx::query_as(&sql)
                .bind(millis(r.from))
                .bind(millis(r.to))
                .bind(dept)
                .bind(&township)
                .bind(limit)
                .fetch_all(db)
                .await?)
        })
    }

    /// Publishes a period: its row, version 1 with its note, every unit's frozen score and
    /// the consequence flags, in one transaction. `Conflict("performance.published")` when the
    /// region's period was already published: nothing is written.
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_period(
        &self,
        period: &str,
        kind: PeriodKind,
        region: &str,
        scheme_id: i64,
        scores: &[UnitScore],
        flags: &[NewFlag],
        by: (i64, &str),
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO perf_periods (period, kind, region, scheme_id, version, published_by,
                    published_at) VALUES ($1, $2, $3, $4, 1, $5, $6)
                 ON CONFLICT (region, period) DO NOTHING RETURNING id",
            )
            .bind(period)
            .bind(kind.as_str())
            .bind(region)
            .bind(scheme_id)
            .bind(by.0)
            .bind(millis(at))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Err(StoreError::Conflict("performance.published".into()));
            };
            insert_version!(tx, id, 1, "首次发布", by, at);
            for s in scores {
                insert_score!(tx, id, 1, s);
            }
            for f in flags {
                sqlx::query(
                    "INSERT INTO perf_flags (period_id, unit_kind, unit_id, unit_name, level,
                        consequence, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(f.unit_kind.as_str())
                .bind(&f.unit_id)
                .bind(&f.unit_name)
                .bind(f.level.as_str())
                .bind(f.consequence.as_str())
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
            }
            let mut audit = audit;
            audit.target = format!("perf_period:{id}");
            audit!(self, tx, audit);
            id
        }))
    }

    /// Writes a correction of a published period as its next version, beside the earlier ones.
    /// `Conflict("performance.stale")` when the period is no longer at `expected`.
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_period(
        &self,
        period_id: i64,
        expected: i64,
        reason: &str,
        scores: &[UnitScore],
        by: (i64, &str),
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE perf_periods SET version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(period_id)
            .bind(expected)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.stale".into()));
            }
            let version = expected + 1;
            insert_version!(tx, period_id, version, reason, by, at);
            for s in scores {
                insert_score!(tx, period_id, version, s);
            }
            audit!(self, tx, audit);
            version
        }))
    }

    pub async fn period(&self, id: i64) -> Result<Option<PeriodRow>> {
        let sql = format!("{PERIOD} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// A region's published period, if it was published.
    pub async fn period_of(&self, region: &str, period: &str) -> Result<Option<PeriodRow>> {
        let sql = format!("{PERIOD} WHERE region = $1 AND period = $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(region)
            .bind(period)
            .fetch_optional(db)
            .await?))
    }

    /// Published periods of the regions in a subtree, latest publication first.
    pub async fn periods(&self, prefix: &str) -> Result<Vec<PeriodRow>> {
        let sql =
            format!("{PERIOD} WHERE region LIKE $1 ORDER BY published_at DESC, id DESC LIMIT 200");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{prefix}%"))
            .fetch_all(db)
            .await?))
    }

    /// A period's versions, first first.
    pub async fn period_versions(&self, period_id: i64) -> Result<Vec<VersionRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT period_id, version, reason, actor_id, actor, at FROM perf_versions
             WHERE period_id = $1 ORDER BY version"
        )
        .bind(period_id)
        .fetch_all(db)
        .await?))
    }

    /// A version's frozen scores, in ranking order.
    pub async fn period_scores(&self, period_id: i64, version: i64) -> Result<Vec<UnitScore>> {
        type ScoreRow = (String, String, String, String, i64, i64, i64, i64, String);
        let rows: Vec<ScoreRow> = read!(self, |db| sqlx::query_as(
            "SELECT unit_kind, unit_id, unit_name, level, total, rank, of_units, last, lines
                 FROM perf_scores WHERE period_id = $1 AND version = $2"
        )
        .bind(period_id)
        .bind(version)
        .fetch_all(db)
        .await?);
        let corrupt = |what: &str| StoreError::Corrupt(format!("perf_scores: {what}"));
        let mut out = rows
            .into_iter()
            .map(
                |(kind, unit_id, unit_name, level, total, rank, of, last, lines)| {
                    Ok(UnitScore {
                        unit_kind: UnitKind::parse(&kind).ok_or_else(|| corrupt(&kind))?,
                        unit_id,
                        unit_name,
                        level: Level::parse(&level).ok_or_else(|| corrupt(&level))?,
                        total,
                        rank,
                        of,
                        last: last == 1,
                        lines: serde_json::from_str::<Vec<Line>>(&lines)
                            .map_err(|e| corrupt(&e.to_string()))?,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| {
            (a.unit_kind.as_str(), a.level, a.rank, &a.unit_name).cmp(&(
                b.unit_kind.as_str(),
                b.level,
                b.rank,
                &b.unit_name,
            ))
        });
        Ok(out)
    }

    /// A period's consequence flags.
    pub async fn period_flags(&self, period_id: i64) -> Result<Vec<FlagRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, period_id, unit_kind, unit_id, unit_name, level, consequence, raised_at,
                acted_by, actor, acted_at, note FROM perf_flags WHERE period_id = $1 ORDER BY id"
        )
        .bind(period_id)
        .fetch_all(db)
        .await?))
    }

    pub async fn perf_flag(&self, id: i64) -> Result<Option<FlagRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, period_id, unit_kind, unit_id, unit_name, level, consequence, raised_at,
                acted_by, actor, acted_at, note FROM perf_flags WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await?))
    }

    /// Records who acted on a flag and what they did. `Conflict("performance.flag_acted")`
    /// when someone already did.
    pub async fn act_on_flag(
        &self,
        id: i64,
        by: (i64, &str),
        note: &str,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE perf_flags SET acted_by = $2, actor = $3, note = $4, acted_at = $5
                 WHERE id = $1 AND acted_by IS NULL",
            )
            .bind(id)
            .bind(by.0)
            .bind(by.1)
            .bind(note)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("performance.flag_acted".into()));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }
}

/// The columns that name a member in each fact family: a case's 首问责任人 or intake hall, a
/// finding's person or hall, a rating's staff member, hall or window (`None`: not counted).
fn member_columns(kind: MemberKind) -> (Option<&'static str>, Option<&'static str>, &'static str) {
    match kind {
        MemberKind::Staff => (
            Some("c.first_responder_id"),
            Some("f.person_id"),
            "r.staff_id",
        ),
        MemberKind::Hall => (Some("c.intake_hall_id"), Some("f.hall_id"), "r.hall_id"),
        MemberKind::Window => (None, None, "r.window_id"),
    }
}

type MemberRow = (i64, i64, i64, i64, i64, i64);

impl Store {
    /// The facts of halls, windows or staff over a range, by the units' own conditions: one
    /// grouped query per fact family that names the kind.
    pub async fn member_facts(
        &self,
        kind: MemberKind,
        r: &Range,
    ) -> Result<HashMap<i64, HashMap<Indicator, Fact>>> {
        use Indicator as I;
        let mut t: HashMap<i64, HashMap<Indicator, Fact>> = HashMap::new();
        let mut add = |m: i64, i: Indicator, f: Fact| {
            t.entry(m).or_default().entry(i).or_default().add(f);
        };
        let (from, to) = (millis(r.from), millis(r.to));
        let (case_col, finding_col, rating_col) = member_columns(kind);
        if let Some(col) = case_col {
            let sql = format!(
                "SELECT {col}, COUNT(*),
                    CAST(SUM(CASE WHEN {ON_TIME} THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN {EARLY} THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN {LATE} THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN {INSTANT_ITEM} THEN 1 ELSE 0 END) AS BIGINT)
                 FROM cases c {ITEM_VERSION}
                 WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {col} IS NOT NULL
                 GROUP BY {col}"
            );
            let rows: Vec<MemberRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (m, n, on_time, early, late, instant) in rows {
                add(
                    m,
                    I::OnTime,
                    Fact {
                        num: on_time,
                        den: n,
                    },
                );
                add(m, I::Early, Fact { num: early, den: n });
                add(m, I::Overdue, Fact { num: late, den: 0 });
                add(
                    m,
                    I::Instant,
                    Fact {
                        num: instant,
                        den: n,
                    },
                );
            }
            let sql = format!(
                "SELECT {col}, COUNT(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                    CAST(0 AS BIGINT)
                 FROM cases c WHERE {} AND {col} IS NOT NULL GROUP BY {col}",
                open_late("$1")
            );
            let rows: Vec<MemberRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (m, n, ..) in rows {
                add(m, I::Overdue, Fact { num: n, den: 0 });
            }
        }
        if let Some(col) = finding_col {
            let sql = format!(
                "SELECT {col}, COUNT(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                    CAST(0 AS BIGINT)
                 FROM findings f
                 WHERE f.status = 'confirmed' AND f.created_at >= $1 AND f.created_at < $2
                   AND {col} IS NOT NULL
                 GROUP BY {col}"
            );
            let rows: Vec<MemberRow> = read!(self, |db| sqlx::query_as(&sql)
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?);
            for (m, n, ..) in rows {
                add(m, I::Findings, Fact { num: n, den: 0 });
            }
        }
        let sql = format!(
            "SELECT {rating_col}, COUNT(*),
                CAST(SUM(CASE WHEN r.bad = 0 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN r.bad = 1 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN r.bad = 1 AND r.rect_stage = 'closed' THEN 1 ELSE 0 END)
                    AS BIGINT),
                CAST(0 AS BIGINT)
             FROM ratings r
             WHERE r.removed = 0 AND r.month >= $1 AND r.month <= $2 AND {rating_col} IS NOT NULL
             GROUP BY {rating_col}"
        );
        let rows: Vec<MemberRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(&r.months.0)
            .bind(&r.months.1)
            .fetch_all(db)
            .await?);
        for (m, n, good, bad, fixed, _) in rows {
            add(m, I::GoodRate, Fact { num: good, den: n });
            add(
                m,
                I::Rectified,
                Fact {
                    num: fixed,
                    den: bad,
                },
            );
        }
        Ok(t)
    }

    /// The rows behind one member's value (at most `limit`), by the member facts' conditions.
    pub async fn member_drill(
        &self,
        kind: MemberKind,
        member: i64,
        indicator: Indicator,
        r: &Range,
        limit: i64,
    ) -> Result<Vec<DrillRow>> {
        use Indicator as I;
        if !kind.counts(indicator) {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, 2000);
        let (case_col, finding_col, rating_col) = member_columns(kind);
        let (sql, text_range) = match indicator {
            I::Overdue => (
                format!(
                    "SELECT * FROM (
                        SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, c.decided_at AS done_at,
                            '超时办结' AS note, CAST(1 AS BIGINT) AS counted
                        FROM cases c
                        WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {LATE} AND {col} = $3
                        UNION ALL
                        SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, CAST(NULL AS BIGINT) AS done_at,
                            '期末超期未办结' AS note, CAST(1 AS BIGINT) AS counted
                        FROM cases c WHERE {open} AND {col} = $3
                     ) x ORDER BY x.due_at, x.number LIMIT $4",
                    col = case_col.unwrap_or("NULL"),
                    open = open_late("$2"),
                ),
                false,
            ),
            I::OnTime | I::Early | I::Instant => {
                let cond = match indicator {
                    I::OnTime => ON_TIME,
                    I::Early => EARLY,
                    _ => INSTANT_ITEM,
                };
                (
                    format!(
                        "SELECT 'case' AS kind, c.number, c.item_name AS title,
                            c.received_at AS at, c.due_at, c.decided_at AS done_at,
                            CASE WHEN {INSTANT_ITEM} THEN '即办件' ELSE '承诺件' END AS note,
                            CAST(CASE WHEN {cond} THEN 1 ELSE 0 END AS BIGINT) AS counted
                         FROM cases c {ITEM_VERSION}
                         WHERE c.decided_at >= $1 AND c.decided_at < $2 AND {} = $3
                         ORDER BY counted, c.decided_at, c.id LIMIT $4",
                        case_col.unwrap_or("NULL")
                    ),
                    false,
                )
            }
            I::Findings => (
                format!(
                    "SELECT 'finding' AS kind, f.subject_number AS number, f.rule AS title,
                        f.created_at AS at, CAST(NULL AS BIGINT) AS due_at,
                        f.decided_at AS done_at, f.detail AS note, CAST(1 AS BIGINT) AS counted
                     FROM findings f
                     WHERE f.status = 'confirmed' AND f.created_at >= $1 AND f.created_at < $2
                       AND {} = $3 ORDER BY f.created_at, f.id LIMIT $4",
                    finding_col.unwrap_or("NULL")
                ),
                false,
            ),
            _ => (
                format!(
                    "SELECT 'rating' AS kind, CAST(r.id AS TEXT) AS number,
                        r.service_number AS title, r.rated_at AS at,
                        CAST(NULL AS BIGINT) AS due_at, r.rect_closed_at AS done_at,
                        r.level AS note,
                        CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS counted
                     FROM ratings r
                     WHERE r.removed = 0 AND r.month >= $1 AND r.month <= $2 {} AND {rating_col} = $3
                     ORDER BY counted, r.rated_at, r.id LIMIT $4",
                    if indicator == I::GoodRate {
                        "r.bad = 0"
                    } else {
                        "r.rect_stage = 'closed'"
                    },
                    if indicator == I::Rectified {
                        "AND r.bad = 1"
                    } else {
                        ""
                    },
                ),
                true,
            ),
        };
        Ok(if text_range {
            read!(self, |db| sqlx::query_as(&sql)
                .bind(&r.months.0)
                .bind(&r.months.1)
                .bind(member)
                .bind(limit)
                .fetch_all(db)
                .await?)
        } else {
            read!(self, |db| sqlx::query_as(&sql)
                .bind(millis(r.from))
                .bind(millis(r.to))
                .bind(member)
                .bind(limit)
                .fetch_all(db)
                .await?)
        })
    }
}
