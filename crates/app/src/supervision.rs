//! Supervision over cases: the detectors run over a case's log after every change, each firing
//! is kept once as a finding, and supervisors confirm (问责) or dismiss it with a reason.

use chrono::{DateTime, Utc};
use tongban_domain::case::{Case, CaseEvent, StaffRef};
use tongban_domain::org::{Actor, Role};
use tongban_domain::supervision::detect::{scan, Finding, Logged, Scan};
use tongban_store::findings::{FindingRow, NewFinding};

use crate::error::{AppError, Result};
use crate::App;

impl App {
    /// Runs the detectors over a case's whole log and records what fired. Returns how many
    /// findings were new.
    pub async fn detect_on_case(&self, case_id: i64) -> Result<usize> {
        let Some(stored) = self.store.case_by_id(case_id).await? else {
            return Ok(0);
        };
        let case: Case = serde_json::from_str(&stored.state).map_err(AppError::internal)?;
        let records = self.store.case_events(case_id).await?;
        let mut log = Vec::with_capacity(records.len());
        for r in &records {
            let event: CaseEvent = serde_json::from_str(&r.payload).map_err(AppError::internal)?;
            let at =
                DateTime::from_timestamp_millis(r.at).ok_or_else(|| AppError::internal("at"))?;
            let recorded_at = DateTime::from_timestamp_millis(r.recorded_at)
                .ok_or_else(|| AppError::internal("recorded_at"))?;
            log.push(Logged {
                seq: r.seq,
                event,
                by: r.actor_id.map(|id| StaffRef {
                    user_id: id,
                    name: r.actor_name.clone(),
                }),
                at,
                recorded_at,
            });
        }
        let item = self.case_item(case.item.id, case.item.version).await?;
        let version_in_force = match &case.accepted {
            Some(a) => {
                self.version_in_force(case.item.id, case.item.version, a.at)
                    .await?
            }
            None => true,
        };
        let cal = self.calendar().await?;
        let settings = self.settings();
        let found = scan(
            &log,
            &Scan {
                item: &item,
                version_in_force,
                cal: &cal,
                now: self.now(),
                backdate_limit: settings.backdate_limit,
            },
        );
        let rows: Vec<NewFinding> = found
            .into_iter()
            .map(|f| new_finding(case_id, &stored.number, &case, f))
            .collect();
        Ok(self.store.record_findings(&rows, self.now()).await?)
    }

    /// Whether `version` of an item was the one in force at `at`: published by then and not yet
    /// superseded by a later publication.
    async fn version_in_force(
        &self,
        item_id: i64,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let versions = self.store.item_versions(item_id).await?;
        let published = |v: i64| {
            versions
                .iter()
                .find(|x| x.version == v)
                .and_then(|x| x.published_at)
        };
        let Some(from) = published(version).filter(|p| *p <= at) else {
            return Ok(false);
        };
        let superseded = versions
            .iter()
            .filter(|x| x.version != version)
            .filter_map(|x| x.published_at)
            .any(|p| p > from && p <= at);
        Ok(!superseded)
    }

    /// Findings in the supervisor's region, optionally in one status (`open`, `confirmed`,
    /// `dismissed`).
    pub async fn findings(&self, actor: &Actor, status: Option<&str>) -> Result<Vec<FindingRow>> {
        if !matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin) {
            return Err(AppError::forbidden());
        }
        if let Some(s) = status {
            if !matches!(s, "open" | "confirmed" | "dismissed") {
                return Err(AppError::invalid(
                    "finding.status",
                    "状态应为 open、confirmed 或 dismissed",
                ));
            }
        }
        let prefix = actor
            .region
            .as_ref()
            .map_or(String::new(), |r| r.prefix().to_string());
        Ok(self.store.findings(&prefix, status, 500).await?)
    }

    /// A supervisor confirms a finding (it becomes an accountability record on the person and
    /// department) or dismisses it; either way with a reason.
    pub async fn decide_finding(
        &self,
        actor: &Actor,
        id: i64,
        confirm: bool,
        reason: &str,
    ) -> Result<FindingRow> {
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let f = self
            .store
            .finding(id)
            .await?
            .ok_or_else(|| AppError::not_found("该监察发现"))?;
        let in_region = tongban_domain::region::RegionCode::parse(&f.region)
            .map(|r| actor.sees_region(&r))
            .unwrap_or(false);
        if !in_region {
            return Err(AppError::not_found("该监察发现"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(AppError::invalid(
                "finding.reason",
                "请填写认定或排除的理由（2000字以内）",
            ));
        }
        let status = if confirm { "confirmed" } else { "dismissed" };
        let entry = self.entry(
            actor,
            if confirm {
                "finding.confirm"
            } else {
                "finding.dismiss"
            },
            format!("finding:{id}"),
            format!("{} {}：{reason}", f.case_number, f.rule),
        );
        self.store
            .decide_finding(id, status, actor.user_id, reason, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => {
                    AppError::conflict("finding.decided", "该发现已被处理")
                }
                other => other.into(),
            })?;
        self.store
            .finding(id)
            .await?
            .ok_or_else(|| AppError::not_found("该监察发现"))
    }
}

fn new_finding(case_id: i64, number: &str, case: &Case, f: Finding) -> NewFinding {
    let department_id = f
        .step
        .as_ref()
        .and_then(|s| case.step(s))
        .map_or(case.item.department_id, |s| s.department_id);
    // The same firing is the same rule at the same step on the same evidence; an overdue case
    // stays one finding however the log grows.
    let anchor = match f.rule {
        tongban_domain::supervision::detect::Rule::Overdue if !f.detail.contains("超时默认") => {
            "time".to_string()
        }
        _ => f.evidence.first().map_or("-".into(), |s| s.to_string()),
    };
    NewFinding {
        rule: f.rule.as_str().to_string(),
        case_id,
        case_number: number.to_string(),
        step: f.step.clone(),
        person_id: f.person,
        department_id,
        hall_id: case.intake_hall_id,
        region: case.item.region.to_string(),
        detail: f.detail,
        evidence: serde_json::to_string(&f.evidence).unwrap_or_default(),
        fingerprint: format!(
            "{case_id}:{}:{}:{anchor}",
            f.rule.as_str(),
            f.step.as_deref().unwrap_or("case")
        ),
    }
}
