//! Efficiency warnings (效能告诫): a supervisor warns a named member of a department's staff,
//! with a reason and evidence; every two warnings to the staff of one department in one year
//! give its head a warning too, in the same transaction (the rule is in
//! `tongban_domain::supervision::admonition`). The person and the head are told by SMS and
//! e-mail through the outbox.

use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_domain::supervision::admonition::{tally_year, Evidence, Kind};
use tongban_store::admonitions::{AdmonitionRow, HeadRef, NewAdmonition};
use tongban_store::users::{User, UserFilter};

use crate::error::{AppError, Result};
use crate::supervision::in_region;
use crate::App;

/// Findings or cases a warning may cite, each.
const MAX_EVIDENCE: usize = 20;

/// What issuing a warning wrote: the warning, and the head's warning the rule gave with it when
/// this one completed a pair.
#[derive(Debug, Clone)]
pub struct IssuedAdmonition {
    pub admonition: AdmonitionRow,
    pub by_rule: Option<AdmonitionRow>,
}

impl App {
    /// A supervisor gives a member of a department's staff in their region an efficiency
    /// warning, with a reason and optional evidence (finding ids, case numbers they can see).
    pub async fn issue_admonition(
        &self,
        actor: &Actor,
        person_id: i64,
        reason: &str,
        evidence: Evidence,
    ) -> Result<IssuedAdmonition> {
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(AppError::of(codes::Admonition::Reason));
        }
        let person = self
            .store
            .user(person_id)
            .await?
            .filter(|u| {
                u.role.is_staff()
                    && u.region_code
                        .as_deref()
                        .is_some_and(|r| in_region(actor, r))
            })
            .ok_or_else(|| AppError::not_found("该人员"))?;
        let not_staff = || AppError::of(codes::Admonition::Person);
        let kind = Kind::for_role(person.role).ok_or_else(not_staff)?;
        let department_id = person.department_id.ok_or_else(not_staff)?;
        let department = self
            .store
            .department(department_id)
            .await?
            .filter(|d| actor.sees_region(&d.region_code))
            .ok_or_else(|| AppError::not_found("该人员"))?;
        let evidence = self.checked_evidence(actor, evidence).await?;
        let heads = self.heads_of(department_id).await?;
        let head = heads.first().map(|h| HeadRef {
            person_id: h.id,
            name: h.name.clone(),
        });
        let now = self.now();
        let entry = self
            .entry(
                actor,
                "admonition.issue",
                String::new(),
                format!(
                    "效能告诫 {}（{}，{}）：{reason}",
                    person.name,
                    department.name,
                    person.role.label()
                ),
            )
            .in_region(&department.region_code);
        let rule_entry = self
            .system_entry(
                "admonition.by_rule",
                String::new(),
                format!("依规则告诫{}负责人", department.name),
            )
            .in_region(&department.region_code);
        let issued = self
            .store
            .issue_admonition(
                &NewAdmonition {
                    kind,
                    person_id: person.id,
                    person_name: person.name.clone(),
                    department_id,
                    region: department.region_code.to_string(),
                    reason: reason.to_string(),
                    evidence,
                    issued_by: actor.user_id,
                },
                head.as_ref(),
                now,
                entry,
                rule_entry,
            )
            .await?;
        let admonition = self.admonition_row(issued.id).await?;
        let by_rule = match issued.by_rule {
            Some(id) => Some(self.admonition_row(id).await?),
            None => None,
        };

        let said = gist(reason);
        self.tell(
            &person,
            &format!("您受到效能告诫（第{}号）：{said}", admonition.id),
        )
        .await?;
        if kind == Kind::Staff {
            for h in &heads {
                self.tell(
                    h,
                    &format!(
                        "本单位{}受到效能告诫（第{}号）：{said}",
                        person.name, admonition.id
                    ),
                )
                .await?;
            }
        }
        // The rule warns the first head; only they are told they were warned.
        if let (Some(r), Some(h)) = (&by_rule, heads.first()) {
            self.tell(
                h,
                &format!("您受到效能告诫（第{}号）：{}", r.id, gist(&r.reason)),
            )
            .await?;
        }
        Ok(IssuedAdmonition {
            admonition,
            by_rule,
        })
    }

    /// Warnings of a Shanghai calendar year: a supervisor (or leader, administrator) sees their
    /// region's, a department head their department's, a clerk or approver their own.
    pub async fn admonitions(&self, actor: &Actor, year: i32) -> Result<Vec<AdmonitionRow>> {
        if !(2000..=2100).contains(&year) {
            return Err(AppError::of(codes::Admonition::Year));
        }
        let year = i64::from(year);
        match (actor.role, actor.department_id) {
            (Role::Supervisor | Role::Leader | Role::Admin, _) => {
                let prefix = actor
                    .region
                    .as_ref()
                    .map_or(String::new(), |r| r.prefix().to_string());
                Ok(self.store.admonitions_in_region(&prefix, year, 500).await?)
            }
            (Role::DeptHead, Some(d)) => {
                Ok(self.store.admonitions_of_department(d, year, 500).await?)
            }
            (Role::Clerk | Role::Approver, Some(_)) => Ok(self
                .store
                .admonitions_of_person(actor.user_id, year, 500)
                .await?),
            _ => Err(AppError::forbidden()),
        }
    }

    /// Whom a supervisor may warn, for the page's choice: the clerks, approvers and heads of
    /// the departments in his region, each with the department's name, by department.
    pub async fn admonition_candidates(&self, actor: &Actor) -> Result<Vec<(User, String)>> {
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let departments = self.store.departments(actor.region.as_ref()).await?;
        let mut out = Vec::new();
        for d in departments {
            let staff = self
                .store
                .users(&UserFilter {
                    department_id: Some(d.id),
                    staff_only: true,
                    ..Default::default()
                })
                .await?;
            for u in staff {
                let in_scope = u
                    .region_code
                    .as_deref()
                    .is_some_and(|r| in_region(actor, r));
                if in_scope && Kind::for_role(u.role).is_some() {
                    out.push((u, d.name.clone()));
                }
            }
        }
        Ok(out)
    }

    /// This year, as `admonitions` counts years.
    pub fn admonition_year(&self) -> i32 {
        tally_year(self.now())
    }

    /// Evidence as cited, each item once, every finding and case one the supervisor sees.
    async fn checked_evidence(&self, actor: &Actor, evidence: Evidence) -> Result<Evidence> {
        if !evidence.admonitions.is_empty() {
            return Err(AppError::new(
                codes::Admonition::Evidence,
                "告诫链只由系统依规则生成，不能手工引用",
            ));
        }
        let evidence = evidence.normalised();
        if evidence.findings.len() > MAX_EVIDENCE || evidence.cases.len() > MAX_EVIDENCE {
            return Err(AppError::new(
                codes::Admonition::Evidence,
                format!("引用的监察发现和办件各不能超过{MAX_EVIDENCE}项"),
            ));
        }
        for &id in &evidence.findings {
            let seen = self
                .store
                .finding(id)
                .await?
                .is_some_and(|f| in_region(actor, &f.region));
            if !seen {
                return Err(AppError::new(
                    codes::Admonition::Finding,
                    format!("监察发现第{id}号不存在或不在您的监察范围内"),
                ));
            }
        }
        for number in &evidence.cases {
            match self.case_view(actor, number).await {
                Ok(_) => {}
                Err(e) if matches!(e.kind, crate::Kind::NotFound | crate::Kind::Invalid) => {
                    return Err(AppError::new(
                        codes::Admonition::Case,
                        format!("办件{number}不存在或不在您的监察范围内"),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(evidence)
    }

    /// The heads of a department, first appointed first: the rule warns the first.
    pub(crate) async fn heads_of(&self, department_id: i64) -> Result<Vec<User>> {
        Ok(self
            .store
            .users(&UserFilter {
                department_id: Some(department_id),
                role: Some(Role::DeptHead),
                ..Default::default()
            })
            .await?)
    }

    /// Queues an SMS and an e-mail to a person, on the channels they have.
    async fn tell(&self, user: &User, text: &str) -> Result<()> {
        let channels = [
            (tongban_store::outbox::SMS, user.phone.as_deref()),
            (tongban_store::outbox::EMAIL, user.email.as_deref()),
        ];
        for (channel, to) in channels {
            if let Some(to) = to.filter(|t| !t.is_empty()) {
                self.store
                    .enqueue_notification(channel, to, "效能告诫", text, None, self.now())
                    .await?;
            }
        }
        Ok(())
    }

    async fn admonition_row(&self, id: i64) -> Result<AdmonitionRow> {
        self.store
            .admonition(id)
            .await?
            .ok_or_else(|| AppError::not_found("该效能告诫"))
    }
}

/// The reason cut short enough for a text message.
fn gist(reason: &str) -> String {
    const MAX: usize = 60;
    if reason.chars().count() <= MAX {
        reason.to_string()
    } else {
        let cut: String = reason.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
