//! Efficiency warnings (效能告诫) in storage. A warning to a member of staff is counted in its
//! department's tally for the year in the same transaction that records it; when it completes
//! a pair, the head's warning is written in that transaction too. The tally row is locked first
//! (an upsert: a row lock on PostgreSQL, the single writer on SQLite), so warnings issued at once
//! to one department are counted one after the other and each pair gives one head warning.
//! Every warning written is audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::supervision::admonition::{tally_year, Evidence, Kind, Tally};

use crate::{millis, Result, Store, StoreError};

/// A warning a supervisor gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAdmonition {
    /// [`Kind::Staff`] or [`Kind::Head`]; the rule gives [`Kind::HeadByRule`] itself.
    pub kind: Kind,
    pub person_id: i64,
    pub person_name: String,
    pub department_id: i64,
    /// The department's region.
    pub region: String,
    pub reason: String,
    pub evidence: Evidence,
    pub issued_by: i64,
}

/// The department's head as the rule addresses them; `None` when the post is vacant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRef {
    pub person_id: i64,
    pub name: String,
}

/// What [`Store::issue_admonition`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issued {
    pub id: i64,
    /// The head's warning the rule gave with it, when it completed a pair.
    pub by_rule: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AdmonitionRow {
    pub id: i64,
    /// `staff`, `head` or `head_by_rule`
    pub kind: String,
    pub person_id: Option<i64>,
    pub person_name: String,
    pub department_id: i64,
    pub region: String,
    pub year: i64,
    pub reason: String,
    /// [`Evidence`] as JSON.
    pub evidence: String,
    /// For a warning by the rule: the staff warning that completed its pair.
    pub completes: Option<i64>,
    pub issued_by: Option<i64>,
    pub issued_at: i64,
}

const ADMONITION: &str = "SELECT id, kind, person_id, person_name, department_id, region, year,
    reason, evidence, completes, issued_by, issued_at FROM admonitions";

const VACANT: &str = "（负责人空缺）";

fn json(e: &Evidence) -> Result<String> {
    serde_json::to_string(e).map_err(|err| StoreError::Corrupt(err.to_string()))
}

impl Store {
    /// Records a warning. A warning to staff is counted in its department's tally for the
    /// Shanghai calendar year of `now`; when it completes a pair, the head's warning (to `head`,
    /// citing the pair) is written in the same transaction, audited with `rule_audit` (whose
    /// summary is followed by the rule's reason).
    pub async fn issue_admonition(
        &self,
        a: &NewAdmonition,
        head: Option<&HeadRef>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        rule_audit: AuditEntry,
    ) -> Result<Issued> {
        if a.kind == Kind::HeadByRule {
            return Err(StoreError::Corrupt(
                "a warning by the rule is given by the store only".into(),
            ));
        }
        let year = i64::from(tally_year(now));
        let evidence = json(&a.evidence)?;
        Ok(write!(self, |tx| {
            // Lock the department's tally for the year before anything is counted.
            let tally = if a.kind.counts() {
                let (n, unpaired): (i64, Option<i64>) = sqlx::query_as(
                    "INSERT INTO admonition_tallies (department_id, year, staff_warnings, unpaired_id)
                     VALUES ($1, $2, 0, NULL)
                     ON CONFLICT (department_id, year)
                     DO UPDATE SET staff_warnings = admonition_tallies.staff_warnings
                     RETURNING staff_warnings, unpaired_id",
                )
                .bind(a.department_id)
                .bind(year)
                .fetch_one(&mut *tx)
                .await?;
                Some(Tally {
                    staff_warnings: u32::try_from(n)
                        .map_err(|_| StoreError::Corrupt(format!("tally out of range: {n}")))?,
                    unpaired,
                })
            } else {
                None
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO admonitions (kind, person_id, person_name, department_id, region,
                    year, reason, evidence, completes, issued_by, issued_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10) RETURNING id",
            )
            .bind(a.kind.as_str())
            .bind(a.person_id)
            .bind(&a.person_name)
            .bind(a.department_id)
            .bind(&a.region)
            .bind(year)
            .bind(&a.reason)
            .bind(&evidence)
            .bind(a.issued_by)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("admonition:{id}"),
                    ..audit
                }
            );
            let mut by_rule = None;
            if let Some(tally) = tally {
                let (next, due) = tally.count(id);
                sqlx::query(
                    "UPDATE admonition_tallies SET staff_warnings = $3, unpaired_id = $4
                     WHERE department_id = $1 AND year = $2",
                )
                .bind(a.department_id)
                .bind(year)
                .bind(i64::from(next.staff_warnings))
                .bind(next.unpaired)
                .execute(&mut *tx)
                .await?;
                if let Some(h) = due {
                    let chain = json(&Evidence {
                        admonitions: h.pair.to_vec(),
                        ..Evidence::default()
                    })?;
                    let name = head.map_or(VACANT, |p| p.name.as_str());
                    let hid: i64 = sqlx::query_scalar(
                        "INSERT INTO admonitions (kind, person_id, person_name, department_id,
                            region, year, reason, evidence, completes, issued_by, issued_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10) RETURNING id",
                    )
                    .bind(Kind::HeadByRule.as_str())
                    .bind(head.map(|p| p.person_id))
                    .bind(name)
                    .bind(a.department_id)
                    .bind(&a.region)
                    .bind(year)
                    .bind(&h.reason)
                    .bind(&chain)
                    .bind(id)
                    .bind(millis(now))
                    .fetch_one(&mut *tx)
                    .await?;
                    audit!(
                        self,
                        tx,
                        AuditEntry {
                            target: format!("admonition:{hid}"),
                            summary: format!("{}（{name}）：{}", rule_audit.summary, h.reason),
                            ..rule_audit
                        }
                    );
                    by_rule = Some(hid);
                }
            }
            Issued { id, by_rule }
        }))
    }

    pub async fn admonition(&self, id: i64) -> Result<Option<AdmonitionRow>> {
        let sql = format!("{ADMONITION} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Warnings of one year in a region subtree, newest first.
    pub async fn admonitions_in_region(
        &self,
        region_prefix: &str,
        year: i64,
        limit: i64,
    ) -> Result<Vec<AdmonitionRow>> {
        let sql = format!(
            "{ADMONITION} WHERE region LIKE $1 AND year = $2 ORDER BY issued_at DESC, id DESC
             LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(year)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Warnings of one year to a department's staff and head, newest first.
    pub async fn admonitions_of_department(
        &self,
        department_id: i64,
        year: i64,
        limit: i64,
    ) -> Result<Vec<AdmonitionRow>> {
        let sql = format!(
            "{ADMONITION} WHERE department_id = $1 AND year = $2 ORDER BY issued_at DESC, id DESC
             LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(year)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Warnings of one year to one person, newest first.
    pub async fn admonitions_of_person(
        &self,
        person_id: i64,
        year: i64,
        limit: i64,
    ) -> Result<Vec<AdmonitionRow>> {
        let sql = format!(
            "{ADMONITION} WHERE person_id = $1 AND year = $2 ORDER BY issued_at DESC, id DESC
             LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(person_id)
            .bind(year)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// A department's tally for a year (none before its first staff warning).
    pub async fn admonition_tally(&self, department_id: i64, year: i64) -> Result<Option<Tally>> {
        let row: Option<(i64, Option<i64>)> = read!(self, |db| sqlx::query_as(
            "SELECT staff_warnings, unpaired_id FROM admonition_tallies
             WHERE department_id = $1 AND year = $2"
        )
        .bind(department_id)
        .bind(year)
        .fetch_optional(db)
        .await?);
        row.map(|(n, unpaired)| {
            Ok(Tally {
                staff_warnings: u32::try_from(n)
                    .map_err(|_| StoreError::Corrupt(format!("tally out of range: {n}")))?,
                unpaired,
            })
        })
        .transpose()
    }
}
