//! Supervision over cases: the detectors run over a case's log after every change, each firing
//! is kept once as a finding, and supervisors confirm (问责) or dismiss it with a reason.

use chrono::{DateTime, Utc};
use tongban_domain::case::{Case, CaseEvent, CaseStatus, Channel, StaffRef};
use tongban_domain::codes;
use tongban_domain::org::{Actor, HallKind, Role};
use tongban_domain::supervision::detect::{
    double_intake, multiple_places, scan, Finding, Intake, IntakePlace, Logged, OpenMatter, Scan,
};
use tongban_domain::supervision::{SubjectKind, SubjectRef};
use tongban_store::cases::IntakeLine;
use tongban_store::findings::{FindingRow, NewFinding};
use tongban_store::orders::{NewOrder, OrderRow};

use crate::error::{AppError, Result};
use crate::App;

/// A 督办 as the supervisor confirms it before it is issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPreview {
    pub case_number: String,
    pub item_name: String,
    /// The department that must answer: the case's lead department.
    pub department: String,
    pub instruction: String,
    pub days: u32,
    /// The last day to reply.
    pub due: chrono::NaiveDate,
}

impl App {
    /// Runs the detectors over a case's whole log and records what fired. Returns how many
    /// findings were new.
    pub async fn detect_on_case(&self, case_id: i64) -> Result<usize> {
        let Some(stored) = self.store.case_by_id(case_id).await? else {
            return Ok(0);
        };
        let case: Case = serde_json::from_str(&stored.state).map_err(AppError::internal)?;
        self.detect(case_id, &case).await
    }

    /// The detectors over a case whose current state the caller already holds (it just wrote
    /// it), so only the log is read back.
    pub(crate) async fn detect(&self, case_id: i64, case: &Case) -> Result<usize> {
        let number = case.number.to_string();
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
        let cal = self.calendar_for(case.item.region.as_str()).await?;
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
        let mut rows: Vec<NewFinding> = found
            .into_iter()
            .map(|f| new_finding(case_id, &number, case, f))
            .collect();
        // 多头审批: the same applicant's same matter open elsewhere at the same time.
        if case.status.is_open() {
            let open: Vec<OpenMatter> = self
                .store
                .open_cases_for_matter(&case.applicant.id_code, &case.item.basic_code)
                .await?
                .into_iter()
                .map(|l| OpenMatter {
                    number: l.number,
                    applicant_id_code: case.applicant.id_code.clone(),
                    basic_code: case.item.basic_code.clone(),
                    department_id: l.department_id,
                    hall_id: l.intake_hall_id,
                })
                .collect();
            for f in multiple_places(&open) {
                let mut numbers: Vec<&str> = open.iter().map(|m| m.number.as_str()).collect();
                numbers.sort_unstable();
                let mut row = new_finding(case_id, &number, case, f);
                // One finding per matter, on whichever of its cases saw it first.
                row.fingerprint = format!("multiple_places:{}", numbers.join(","));
                rows.push(row);
            }
        }
        // 两头受理: the same matter taken in at a centre window and at a department's desk.
        // Only a case taken in at a hall or at a window can be either end.
        if case.intake_hall_id.is_some() || case.channel == Channel::Window {
            let days = settings.double_intake_days;
            // A day more each side than the rule allows: the rule itself counts calendar days.
            let span = chrono::Duration::days(i64::from(days) + 1);
            let lines = self
                .store
                .intakes_of_matter(
                    &case.applicant.id_code,
                    &case.item.basic_code,
                    case.received_at - span,
                    case.received_at + span,
                )
                .await?;
            let intakes = lines
                .iter()
                .map(|l| intake_of(l, case))
                .collect::<Result<Vec<Intake>>>()?;
            if let Some(this) = intakes.iter().find(|i| i.number == number) {
                for hit in double_intake(this, &intakes, days) {
                    let mut pair = [number.as_str(), hit.other.as_str()];
                    pair.sort_unstable();
                    let mut row = new_finding(case_id, &number, case, hit.finding);
                    // One finding per pair, on whichever of the two cases saw it first.
                    row.fingerprint = format!("double_intake:{}", pair.join(","));
                    rows.push(row);
                }
            }
        }
        let new = self.store.record_findings(&rows, self.now()).await?;
        if new > 0 {
            self.notify_supervisors(case, &rows).await?;
        }
        Ok(new)
    }

    /// Tells the supervisors over a case's region that it has new findings.
    async fn notify_supervisors(&self, case: &Case, rows: &[NewFinding]) -> Result<()> {
        let region = &case.item.region;
        let supervisors: Vec<_> = self
            .store
            .users(&tongban_store::users::UserFilter {
                role: Some(Role::Supervisor),
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|u| {
                u.region_code
                    .as_deref()
                    .and_then(|r| tongban_domain::region::RegionCode::parse(r).ok())
                    .is_some_and(|r| r.contains(region))
            })
            .collect();
        let mut rules: Vec<&str> = rows
            .iter()
            .filter_map(|r| {
                tongban_domain::supervision::detect::Rule::parse(&r.rule).map(|x| x.label())
            })
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let body = format!(
            "【通办】办件 {} 发现监察问题：{}，请在监察中心核查。",
            case.number,
            rules.join("、")
        );
        let now = self.now();
        for m in self.messages_to(&supervisors, "监察发现", &body, now) {
            self.store
                .enqueue_notification_at(
                    &m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    Some(case.number.as_str()),
                    now,
                    m.send_at,
                )
                .await?;
        }
        Ok(())
    }

    /// Whether `version` of an item was the one in force at `at`: published by then and not yet
    /// superseded by a later publication.
    async fn version_in_force(
        &self,
        item_id: i64,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let versions = self.store.publications(item_id).await?;
        let published = |v: i64| versions.iter().find(|x| x.0 == v).and_then(|x| x.1);
        let Some(from) = published(version).filter(|p| *p <= at) else {
            return Ok(false);
        };
        let superseded = versions
            .iter()
            .filter(|x| x.0 != version)
            .filter_map(|x| x.1)
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
                return Err(AppError::of(codes::Finding::Status));
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
        if !in_region(actor, &f.region) {
            return Err(AppError::not_found("该监察发现"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(AppError::of(codes::Finding::Reason));
        }
        let status = if confirm { "confirmed" } else { "dismissed" };
        let entry = self
            .entry(
                actor,
                if confirm {
                    "finding.confirm"
                } else {
                    "finding.dismiss"
                },
                format!("finding:{id}"),
                format!("{} {}：{reason}", f.subject_number, f.rule),
            )
            .in_region_str(Some(&f.region));
        self.store
            .decide_finding(id, status, actor.user_id, reason, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::of(codes::Finding::Decided),
                other => other.into(),
            })?;
        self.store
            .finding(id)
            .await?
            .ok_or_else(|| AppError::not_found("该监察发现"))
    }
}

/// Orders visible to an actor: a supervisor's region, or a department head's department.
pub enum OrderScope {
    Region,
    Department,
}

impl App {
    /// A supervisor issues a supervision order (督办) on a case to the department concerned
    /// (the finding's, or the case's lead department), with a reply deadline in working days.
    pub async fn issue_order(
        &self,
        actor: &Actor,
        case_number: &str,
        finding_id: Option<i64>,
        instruction: &str,
        reply_days: Option<u32>,
    ) -> Result<OrderRow> {
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let view = self.case_view(actor, case_number).await?;
        let subject = SubjectRef::case(view.id, view.case.number.to_string());
        self.issue_on(
            actor,
            subject,
            view.case.item.region.as_str(),
            view.case.item.department_id,
            finding_id,
            instruction,
            reply_days,
        )
        .await
    }

    /// A supervisor issues 督办 on any supervised subject, named by its kind and number, to the
    /// department concerned (the finding's, or the unit answering for the subject). A case goes
    /// through [`App::issue_order`] (the case's own visibility rules); other kinds are found in
    /// the subject registry and must lie in the supervisor's region.
    pub async fn issue_subject_order(
        &self,
        actor: &Actor,
        kind: SubjectKind,
        number: &str,
        finding_id: Option<i64>,
        instruction: &str,
        reply_days: Option<u32>,
    ) -> Result<OrderRow> {
        if kind == SubjectKind::Case {
            return self
                .issue_order(actor, number, finding_id, instruction, reply_days)
                .await;
        }
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let row = self
            .store
            .subject(kind, number)
            .await?
            .filter(|s| in_region(actor, &s.region))
            .ok_or_else(|| AppError::not_found(kind.label()))?;
        self.issue_on(
            actor,
            row.subject(),
            &row.region,
            row.department_id,
            finding_id,
            instruction,
            reply_days,
        )
        .await
    }

    /// The reply days and the reply deadline's day of an order about to be issued in `region`,
    /// after checking its instruction and days: what [`App::issue_order`] writes and what the
    /// confirmation before it shows.
    async fn order_terms(
        &self,
        region: &str,
        instruction: &str,
        reply_days: Option<u32>,
    ) -> Result<(u32, chrono::NaiveDate)> {
        if instruction.trim().is_empty() || instruction.trim().chars().count() > 2000 {
            return Err(AppError::of(codes::Order::Instruction));
        }
        let days = reply_days.unwrap_or(self.settings().order_reply_days);
        if !(1..=30).contains(&days) {
            return Err(AppError::of(codes::Order::Days));
        }
        let cal = self.calendar_for(region).await?;
        let due = cal
            .add_working_days(
                self.now(),
                tongban_domain::calendar::WorkingDays::new(days).map_err(crate::error::invalid)?,
                tongban_domain::calendar::Counting::NextWorkingDay,
            )
            .map_err(crate::error::invalid)?;
        Ok((days, due))
    }

    /// What a 督办 on a case would be, checked as issuing it is but written nowhere: the
    /// confirmation a supervisor reads before the order goes out.
    pub async fn preview_order(
        &self,
        actor: &Actor,
        case_number: &str,
        instruction: &str,
        reply_days: Option<u32>,
    ) -> Result<OrderPreview> {
        if actor.role != Role::Supervisor {
            return Err(AppError::forbidden());
        }
        let view = self.case_view(actor, case_number).await?;
        let item = &view.case.item;
        let (days, due) = self
            .order_terms(item.region.as_str(), instruction, reply_days)
            .await?;
        let department = self
            .store
            .department(item.department_id)
            .await?
            .map_or_else(|| "主办部门".to_string(), |d| d.name);
        Ok(OrderPreview {
            case_number: view.case.number.to_string(),
            item_name: item.name.clone(),
            department,
            instruction: instruction.trim().to_string(),
            days,
            due,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn issue_on(
        &self,
        actor: &Actor,
        subject: SubjectRef,
        region: &str,
        lead_department: i64,
        finding_id: Option<i64>,
        instruction: &str,
        reply_days: Option<u32>,
    ) -> Result<OrderRow> {
        let instruction = instruction.trim();
        let (days, due) = self.order_terms(region, instruction, reply_days).await?;
        let department_id = match finding_id {
            Some(fid) => {
                let f = self
                    .store
                    .finding(fid)
                    .await?
                    .filter(|f| f.subject_kind == subject.kind && f.subject_id == subject.id)
                    .ok_or_else(|| AppError::not_found("该监察发现"))?;
                f.department_id
            }
            None => lead_department,
        };
        // 督办 is answered by a unit: a ticket still at the 12345 centre (no department) has
        // none yet.
        if department_id == tongban_domain::hotline::CENTRE {
            return Err(AppError::of(codes::Order::NoUnit));
        }
        // A case is named by its number alone in the audit record, as it always was.
        let shown = subject.display();
        let named = match subject.kind {
            SubjectKind::Case => subject.number.clone(),
            _ => shown.clone(),
        };
        let order = NewOrder {
            subject,
            finding_id,
            department_id,
            region: region.to_string(),
            instruction: instruction.to_string(),
            reply_days: i64::from(days),
            due_at: tongban_domain::time::end_of_day(due),
            issued_by: actor.user_id,
        };
        let entry = self
            .entry(
                actor,
                "order.issue",
                String::new(),
                format!("督办 {named}：{instruction}（{days} 个工作日内回复）"),
            )
            .in_region_str(Some(region));
        let id = self.store.issue_order(&order, self.now(), entry).await?;
        self.crossing_written_at(order.due_at);
        self.notify_department_head(
            department_id,
            &format!("督办：{shown} 需在 {days} 个工作日内回复整改情况"),
        )
        .await?;
        self.order_row(id).await
    }

    /// The head of the department concerned replies with its rectification.
    pub async fn reply_order(&self, actor: &Actor, id: i64, reply: &str) -> Result<OrderRow> {
        let o = self.order_row(id).await?;
        if actor.role != Role::DeptHead || actor.department_id != Some(o.department_id) {
            return Err(AppError::forbidden());
        }
        let reply = reply.trim();
        if reply.is_empty() || reply.chars().count() > 4000 {
            return Err(AppError::of(codes::Order::Reply));
        }
        let entry = self
            .entry(
                actor,
                "order.reply",
                format!("order:{id}"),
                format!("回复督办：{reply}"),
            )
            .in_region_str(Some(&o.region));
        self.store
            .reply_order(id, actor.user_id, reply, self.now(), entry)
            .await
            .map_err(order_conflict)?;
        self.order_row(id).await
    }

    /// The supervisor closes a replied order.
    pub async fn close_order(&self, actor: &Actor, id: i64, note: &str) -> Result<OrderRow> {
        let o = self.order_row(id).await?;
        if actor.role != Role::Supervisor || !in_region(actor, &o.region) {
            return Err(AppError::forbidden());
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(AppError::of(codes::Order::Note));
        }
        let entry = self
            .entry(
                actor,
                "order.close",
                format!("order:{id}"),
                format!("督办办结：{note}"),
            )
            .in_region_str(Some(&o.region));
        self.store
            .close_order(id, actor.user_id, note, self.now(), entry)
            .await
            .map_err(order_conflict)?;
        self.order_row(id).await
    }

    /// Orders a supervisor watches (their region) or a head must answer (their department).
    pub async fn orders(&self, actor: &Actor) -> Result<(OrderScope, Vec<OrderRow>)> {
        match (actor.role, actor.department_id) {
            (Role::Supervisor | Role::Leader | Role::Admin, _) => {
                let prefix = actor
                    .region
                    .as_ref()
                    .map_or(String::new(), |r| r.prefix().to_string());
                Ok((
                    OrderScope::Region,
                    self.store.orders_in_region(&prefix, 200).await?,
                ))
            }
            (Role::DeptHead, Some(d)) => Ok((
                OrderScope::Department,
                self.store.orders_of_department(d, 200).await?,
            )),
            _ => Err(AppError::forbidden()),
        }
    }

    /// Escalates unanswered orders past their deadline, each once, and tells the head again.
    pub async fn escalate_orders(&self) -> Result<usize> {
        let entry = self.system_entry(
            "order.escalate",
            String::new(),
            "督办逾期未回复，升级催办".into(),
        );
        let escalated = self.store.escalate_orders(self.now(), entry).await?;
        for o in &escalated {
            self.notify_department_head(
                o.department_id,
                &format!(
                    "督办逾期：{} 的督办已超过回复期限，已升级",
                    o.subject().display()
                ),
            )
            .await?;
        }
        Ok(escalated.len())
    }

    /// Queues an SMS (and e-mail) to the heads of a department.
    async fn notify_department_head(&self, department_id: i64, text: &str) -> Result<()> {
        let heads = self
            .store
            .users(&tongban_store::users::UserFilter {
                department_id: Some(department_id),
                role: Some(Role::DeptHead),
                ..Default::default()
            })
            .await?;
        for h in heads {
            if let Some(phone) = h.phone.as_deref().filter(|p| !p.is_empty()) {
                self.store
                    .enqueue_notification(
                        tongban_store::outbox::SMS,
                        phone,
                        "督办",
                        text,
                        None,
                        self.now(),
                    )
                    .await?;
            }
            if let Some(email) = h.email.as_deref().filter(|e| !e.is_empty()) {
                self.store
                    .enqueue_notification(
                        tongban_store::outbox::EMAIL,
                        email,
                        "督办",
                        text,
                        None,
                        self.now(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

impl App {
    async fn order_row(&self, id: i64) -> Result<OrderRow> {
        self.store
            .order(id)
            .await?
            .ok_or_else(|| AppError::not_found("该督办"))
    }
}

/// Whether a record of `region` (stored as text) lies in the actor's subtree.
pub(crate) fn in_region(actor: &Actor, region: &str) -> bool {
    tongban_domain::region::RegionCode::parse(region).is_ok_and(|r| actor.sees_region(&r))
}

fn order_conflict(e: tongban_store::StoreError) -> AppError {
    match e {
        tongban_store::StoreError::Conflict(_) => AppError::of(codes::Order::Status),
        other => other.into(),
    }
}

/// A stored case of the applicant's matter as the 两头受理 detector reads it.
fn intake_of(l: &IntakeLine, case: &Case) -> Result<Intake> {
    let channel: Option<Channel> =
        serde_json::from_value(serde_json::Value::String(l.channel.clone())).ok();
    let hall = l.hall_kind.as_deref().and_then(HallKind::parse);
    let place = channel.map_or(IntakePlace::Other, |c| IntakePlace::of(c, hall));
    Ok(Intake {
        number: l.number.clone(),
        applicant_id_code: case.applicant.id_code.clone(),
        basic_code: case.item.basic_code.clone(),
        place,
        received_at: DateTime::from_timestamp_millis(l.received_at)
            .ok_or_else(|| AppError::internal("received_at"))?,
        open: CaseStatus::parse(&l.status).is_some_and(CaseStatus::is_open),
        received_by: l.first_responder_id,
    })
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
        subject: SubjectRef::case(case_id, number),
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
