//! Supervision findings: each firing of a detector on a subject (a case, a ticket, …), kept once
//! (by its fingerprint within the subject's kind), and the supervisor's decision on it. Confirming or dismissing is a change of record, so it is audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::supervision::{SubjectKind, SubjectRef};

use crate::{millis, Result, Store, StoreError};

/// A finding to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding {
    pub rule: String,
    /// What it was found on; the subject must be registered.
    pub subject: SubjectRef,
    pub step: Option<String>,
    pub person_id: Option<i64>,
    pub department_id: i64,
    pub hall_id: Option<i64>,
    pub region: String,
    pub detail: String,
    /// Event sequence numbers, as JSON.
    pub evidence: String,
    /// What makes a firing the same firing, unique within the subject's kind. A case's is
    /// `{case_id}:{rule}:{step}:{anchor}`; other kinds choose their own.
    pub fingerprint: String,
}

/// A recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub rule: String,
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_number: String,
    pub step: Option<String>,
    pub person_id: Option<i64>,
    pub department_id: i64,
    pub hall_id: Option<i64>,
    pub region: String,
    pub detail: String,
    pub evidence: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const FINDING: &str =
    "SELECT id, rule, subject_kind, subject_id, subject_number, step, person_id, department_id,
    hall_id, region, detail, evidence, status, decided_by, decision_note, created_at, decided_at
    FROM findings";

/// Records findings inside the transaction `$tx`, each kept once (by its fingerprint within
/// its subject's kind); evaluates to how many were new. A module that detects from its own
/// events writes them with the events, so a change and what it broke land together.
macro_rules! insert_findings {
    ($tx:ident, $findings:expr, $now:expr) => {{
        let findings: &[$crate::findings::NewFinding] = $findings;
        let mut new = 0usize;
        for f in findings {
            new += sqlx::query(
                "INSERT INTO findings (rule, subject_kind, subject_id, subject_number, step,
                    person_id, department_id, hall_id, region, detail, evidence, fingerprint,
                    status, created_at)
                 VALUES ($1, $13, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)
                 ON CONFLICT (subject_kind, fingerprint) DO NOTHING",
            )
            .bind(&f.rule)
            .bind(f.subject.id)
            .bind(&f.subject.number)
            .bind(f.step.as_deref())
            .bind(f.person_id)
            .bind(f.department_id)
            .bind(f.hall_id)
            .bind(&f.region)
            .bind(&f.detail)
            .bind(&f.evidence)
            .bind(&f.fingerprint)
            .bind($crate::millis($now))
            .bind(f.subject.kind.as_str())
            .execute(&mut *$tx)
            .await?
            .rows_affected() as usize;
        }
        new
    }};
}

impl Store {
    /// Records the findings not recorded before; returns how many were new. A firing seen
    /// again (same fingerprint) is kept once.
    pub async fn record_findings(
        &self,
        findings: &[NewFinding],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        if findings.is_empty() {
            return Ok(0);
        }
        Ok(write!(self, |tx| insert_findings!(tx, findings, now)))
    }

    /// Findings in a region subtree, optionally in one status, newest first.
    pub async fn findings(
        &self,
        region_prefix: &str,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<FindingRow>> {
        let sql = format!(
            "{FINDING} WHERE region LIKE $1 AND ($2 IS NULL OR status = $2)
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(status)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Findings in a region subtree with ids after `after`, oldest first (the board's stream).
    pub async fn findings_after(
        &self,
        region_prefix: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<FindingRow>> {
        let sql = format!("{FINDING} WHERE region LIKE $1 AND id > $2 ORDER BY id LIMIT $3");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%"))
            .bind(after)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    pub async fn findings_of_case(&self, case_id: i64) -> Result<Vec<FindingRow>> {
        self.findings_of_subject(SubjectKind::Case, case_id).await
    }

    /// A subject's findings, oldest first.
    pub async fn findings_of_subject(&self, kind: SubjectKind, id: i64) -> Result<Vec<FindingRow>> {
        let sql = format!("{FINDING} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(id)
            .fetch_all(db)
            .await?))
    }

    pub async fn finding(&self, id: i64) -> Result<Option<FindingRow>> {
        let sql = format!("{FINDING} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Confirms (`confirmed`: an accountability record) or dismisses an open finding. Only an
    /// open finding can be decided, so two supervisors cannot both decide it.
    pub async fn decide_finding(
        &self,
        id: i64,
        status: &str,
        by: i64,
        note: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE findings SET status = $2, decided_by = $3, decision_note = $4,
                    decided_at = $5 WHERE id = $1 AND status = 'open'",
            )
            .bind(id)
            .bind(status)
            .bind(by)
            .bind(note)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    codes::Finding::Decided.as_str().into(),
                ));
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }
}

impl FindingRow {
    /// The subject it was found on.
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(
            self.subject_kind,
            self.subject_id,
            self.subject_number.clone(),
        )
    }
}
