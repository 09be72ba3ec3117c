//! Open government (政务公开): consultations on drafts with their adoption report, and the
//! handling of 人大代表建议 and 政协提案.
//!
//! Who may do what, checked here on every call:
//! * staff of a department (窗口人员, 审批人员, 部门负责人) publish their unit's drafts, revise
//!   them, moderate the comments and publish the adoption report (`opengov.not_unit` for anyone
//!   else);
//! * anyone comments while the period runs, signed in or not, named or anonymous;
//! * staff of a department register proposals as its office (督查室) and 交办 them; only the
//!   units given a proposal reply (`opengov.not_assigned`); the proposer (by their account) or
//!   the office records the proposer's satisfaction; the office publishes the replies when the
//!   proposer agreed;
//! * the public reads every consultation (published comments only) and the published
//!   proposals; supervisors read everything in their region.
//!
//! Every change is one write: the event, the state, the projection, the subject and its
//! deadlines in the one index, the notices and the audit record together.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::Calendar;
use tongban_domain::codes;
use tongban_domain::mask;
use tongban_domain::opengov::{
    Adoption, AnswerInput, AssignedUnit, By, CommentInput, Consultation, ConsultationEvent,
    ConsultationStats, ConsultationStatus, DraftInput, DraftVersion, Moderation, Proposal,
    ProposalEvent, ProposalInput, ProposalKind, ProposalStatus, ReplyClass, Satisfaction, Unit,
    UnitRole, MODERATION_RULE,
};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};
use tongban_domain::time::local_date;
use tongban_store::cases::NotificationRow;
use tongban_store::findings::NewFinding;
use tongban_store::opengov::{
    NewOpengovEvent, OpengovLine, OpengovProjection, OpengovRow, OpengovWrite,
};
use tongban_store::outbox::{EMAIL, SMS};
use tongban_store::StoreError;

use crate::{App, AppError, Result};

mod hall;
mod notices;
mod public;

pub use hall::HallView;
pub use notices::{MeetingView, ObjectionView, PublicityView, QuestionView};
pub use public::{CommitmentLogLine, CommitmentView, LicensingLine, VisitView, VisitWeek};

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::internal(StoreError::Corrupt(e.to_string()))
}

fn not_found() -> AppError {
    AppError::of(codes::Opengov::NotFound)
}

/// A line of a list, with the status as of now.
#[derive(Debug, Clone, Serialize)]
pub struct MatterLine {
    pub number: String,
    pub title: String,
    pub status_label: String,
    pub ends_on: Option<String>,
    pub due_date: Option<String>,
    pub opened_at: DateTime<Utc>,
}

/// A comment as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub no: u32,
    pub version: u32,
    pub paragraph: Option<u32>,
    /// Masked name, or 匿名.
    pub author: String,
    pub text: String,
    pub moderation: Moderation,
    pub moderation_label: &'static str,
    pub moderation_reason: Option<String>,
    pub at: DateTime<Utc>,
    pub adoption: Option<Adoption>,
    pub answer: Option<String>,
}

/// An answer of the adoption report.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    pub no: u32,
    pub comments: Vec<u32>,
    pub adoption: Adoption,
    pub adoption_label: &'static str,
    pub reason: String,
}

/// The adoption report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub summary: String,
    pub at: DateTime<Utc>,
    pub answers: Vec<AnswerView>,
}

/// One line of a matter's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub what: String,
    pub by: String,
}

/// A consultation as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationView {
    pub number: String,
    pub version: i64,
    pub status: ConsultationStatus,
    pub status_label: &'static str,
    pub unit: String,
    pub department_id: i64,
    pub title: String,
    pub explanation: String,
    pub versions: Vec<DraftVersion>,
    pub published_at: DateTime<Utc>,
    pub period_days: u32,
    pub closes_on: NaiveDate,
    pub report_due: NaiveDate,
    /// What the reader may see: all for the unit, the published ones for others.
    pub comments: Vec<CommentView>,
    pub report: Option<ReportView>,
    pub stats: ConsultationStats,
    /// Whether the reader runs it (moderates, reports).
    pub staff: bool,
    pub moderation_rule: &'static str,
    pub history: Vec<HistoryLine>,
}

/// A unit's reply as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub unit: String,
    pub role_label: &'static str,
    pub class: ReplyClass,
    pub class_label: &'static str,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A unit given the proposal, with its reply state.
#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub department_id: i64,
    pub name: String,
    pub role: UnitRole,
    pub role_label: &'static str,
    pub replied: bool,
}

/// A proposal as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    pub number: String,
    pub version: i64,
    pub kind: ProposalKind,
    pub kind_label: &'static str,
    pub status: ProposalStatus,
    pub status_label: &'static str,
    pub office: String,
    pub session: String,
    pub official_number: String,
    pub title: String,
    pub proposer: String,
    pub body: String,
    pub registered_at: DateTime<Utc>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub due: Option<NaiveDate>,
    pub note: Option<String>,
    pub units: Vec<UnitView>,
    pub replies: Vec<ReplyView>,
    pub satisfaction: Option<Satisfaction>,
    pub satisfaction_label: Option<&'static str>,
    pub remark: Option<String>,
    pub agree_publish: Option<bool>,
    pub published: bool,
    /// The reader acts as the registering office.
    pub office_view: bool,
    /// The reader's unit, when it was given the proposal and has not replied.
    pub may_reply: bool,
    /// The reader may record the proposer's satisfaction.
    pub may_feedback: bool,
    pub history: Vec<HistoryLine>,
}

/// Where the answers to a comment go: an SMS to a phone number, an e-mail to an address.
fn contact_rows(contact: &str, subject: &str, body: &str) -> Option<NotificationRow> {
    let c = contact.trim();
    let channel = if c.contains('@') {
        EMAIL
    } else if c.len() >= 7 && c.chars().all(|ch| ch.is_ascii_digit() || ch == '-') {
        SMS
    } else {
        return None;
    };
    Some(NotificationRow {
        channel: channel.into(),
        recipient: c.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
    })
}

fn stored_status(c: &Consultation) -> &'static str {
    if c.report.is_some() {
        ConsultationStatus::Reported.as_str()
    } else {
        ConsultationStatus::Open.as_str()
    }
}

fn by_of(actor: &Actor) -> By {
    By {
        user_id: Some(actor.user_id),
        name: actor.name.clone(),
    }
}

fn history<E: for<'de> Deserialize<'de>>(
    rows: &[tongban_store::opengov::OpengovEventRow],
    label: impl Fn(&E) -> &'static str,
) -> Vec<HistoryLine> {
    rows.iter()
        .filter_map(|r| {
            let e: E = serde_json::from_str(&r.payload).ok()?;
            Some(HistoryLine {
                at: DateTime::from_timestamp_millis(r.at)?,
                what: label(&e).to_string(),
                by: if r.actor_id.is_some() {
                    r.actor_name.clone()
                } else {
                    "公众".to_string()
                },
            })
        })
        .collect()
}

impl App {
    /// Whether `actor` acts for `unit` (its staff).
    fn runs(actor: &Actor, unit: &Unit) -> bool {
        let Ok(region) = RegionCode::parse(&unit.region) else {
            return false;
        };
        matches!(actor.role, Role::Clerk | Role::Approver | Role::DeptHead)
            && actor.acts_for_department(unit.department_id, &region)
    }

    /// Whether `actor` supervises the region of `unit`.
    fn oversees(actor: &Actor, unit: &Unit) -> bool {
        let Ok(region) = RegionCode::parse(&unit.region) else {
            return false;
        };
        matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin)
            && actor.sees_region(&region)
    }

    /// The unit of a department's staff member.
    pub(crate) async fn unit_of(&self, actor: &Actor) -> Result<Unit> {
        let dept = match (actor.role, actor.department_id) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d)) => d,
            _ => return Err(AppError::of(codes::Opengov::NotUnit)),
        };
        let d = self
            .store
            .department(dept)
            .await?
            .ok_or_else(|| AppError::of(codes::Opengov::NotUnit))?;
        Ok(Unit {
            department_id: d.id,
            name: d.name,
            region: d.region_code.as_str().to_string(),
        })
    }

    async fn load_matter<T: for<'de> Deserialize<'de>>(
        &self,
        kind: SubjectKind,
        number: &str,
    ) -> Result<(OpengovRow, T)> {
        let row = self
            .store
            .opengov_by_number(kind, number.trim())
            .await?
            .ok_or_else(not_found)?;
        let state = serde_json::from_str(&row.state).map_err(corrupt)?;
        Ok((row, state))
    }

    async fn commit(
        &self,
        row: &OpengovRow,
        expected: Option<i64>,
        w: &OpengovWrite,
    ) -> Result<()> {
        if expected.is_some_and(|v| v != row.version) {
            return Err(AppError::of(codes::Opengov::Stale));
        }
        match self
            .store
            .update_opengov(row.id, &row.number, row.version, w, self.now())
            .await
        {
            Ok(()) => {
                self.crossings_written(&w.watches);
                Ok(())
            }
            Err(StoreError::Conflict(c)) if c == codes::Opengov::Stale.as_str() => {
                Err(AppError::of(codes::Opengov::Stale))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn event_row<E: Serialize>(
        kind: &str,
        e: &E,
        by: &By,
        at: DateTime<Utc>,
    ) -> Result<NewOpengovEvent> {
        Ok(NewOpengovEvent {
            kind: kind.to_string(),
            payload: serde_json::to_string(e).map_err(corrupt)?,
            actor_id: by.user_id,
            actor_name: by.name.clone(),
            at,
        })
    }

    /// Records a matter's passed deadlines as findings when its red light fires (the late
    /// adoption report, each unit's late reply, each late objection reply, late minutes); each
    /// once, by its fingerprint.
    pub(crate) async fn detect_on_opengov(&self, kind: SubjectKind, number: &str) -> Result<usize> {
        let now = self.now();
        let (row, late) = match kind {
            SubjectKind::Consultation => {
                let (row, c): (OpengovRow, Consultation) = self.load_matter(kind, number).await?;
                let region = c.unit.region.clone();
                (
                    row,
                    c.late(now)
                        .into_iter()
                        .map(|l| (l, region.clone()))
                        .collect::<Vec<_>>(),
                )
            }
            SubjectKind::Proposal => {
                let (row, p): (OpengovRow, Proposal) = self.load_matter(kind, number).await?;
                let region = p.office.region.clone();
                (
                    row,
                    p.late(now)
                        .into_iter()
                        .map(|l| (l, region.clone()))
                        .collect(),
                )
            }
            SubjectKind::Publicity => {
                let (row, n): (OpengovRow, tongban_domain::opengov::Publicity) =
                    self.load_matter(kind, number).await?;
                let region = n.unit.region.clone();
                (
                    row,
                    n.late(now)
                        .into_iter()
                        .map(|l| (l, region.clone()))
                        .collect(),
                )
            }
            SubjectKind::Meeting => {
                let (row, m): (OpengovRow, tongban_domain::opengov::Meeting) =
                    self.load_matter(kind, number).await?;
                let region = m.unit.region.clone();
                (
                    row,
                    m.late(now)
                        .into_iter()
                        .map(|l| (l, region.clone()))
                        .collect(),
                )
            }
            _ => return Ok(0),
        };
        let rows: Vec<NewFinding> = late
            .into_iter()
            .map(|(l, region)| NewFinding {
                rule: l.rule.as_str().to_string(),
                subject: SubjectRef::new(kind, row.id, row.number.clone()),
                step: None,
                person_id: None,
                department_id: l.department_id,
                hall_id: None,
                region,
                detail: l.detail,
                evidence: "[]".into(),
                fingerprint: format!("{}:{}:{}", row.id, l.rule.as_str(), l.anchor),
            })
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        Ok(self.store.record_findings(&rows, now).await?)
    }

    // ------------------------------------------------------------------ consultations

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn consultation_write(
        &self,
        c: &Consultation,
        events: Vec<NewOpengovEvent>,
        notifications: Vec<NotificationRow>,
        audit: AuditEntry,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<OpengovWrite> {
        let watches: Vec<Watch> =
            c.watches(cal, now, &self.settings().warnings_for(&c.unit.region))?;
        Ok(OpengovWrite {
            projection: OpengovProjection {
                kind: SubjectKind::Consultation,
                department_id: c.unit.department_id,
                region: c.unit.region.clone(),
                title: c.title.clone(),
                status: stored_status(c).to_string(),
                ends_on: Some(c.closes_on),
                due_date: c.report.is_none().then_some(c.report_due),
                public: true,
                opened_at: c.published_at,
                units: Vec::new(),
            },
            state: serde_json::to_string(c).map_err(corrupt)?,
            events,
            notifications,
            audit,
            party: String::new(),
            watches,
        })
    }

    /// Publishes a draft of the actor's unit for comment; returns its number.
    pub async fn publish_consultation(&self, actor: &Actor, input: DraftInput) -> Result<String> {
        let unit = self.unit_of(actor).await?;
        self.publish_consultation_at(actor, unit, input, self.now())
            .await
    }

    /// Publishes at `at` (the demo publishes drafts in the past).
    pub(crate) async fn publish_consultation_at(
        &self,
        actor: &Actor,
        unit: Unit,
        input: DraftInput,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let now = self.now();
        let cal = self.calendar_for(&unit.region).await?;
        let rules = self.settings().opengov.consultation;
        let c = Consultation::publish(unit, &input, &rules, &cal, at)?;
        let event = ConsultationEvent::Published {
            consultation: Box::new(c.clone()),
        };
        let by = by_of(actor);
        let number = self
            .store
            .create_opengov(SubjectKind::Consultation, at.year(), now, |number| {
                let entry = self.entry(
                    actor,
                    "opengov.consultation.publish",
                    format!("consultation:{number}"),
                    format!("公开征求意见 {number}：{}（{}日）", c.title, c.period_days),
                );
                let ev = Self::event_row(event.kind(), &event, &by, at)?;
                self.consultation_write(&c, vec![ev], Vec::new(), entry, &cal, now)
            })
            .await??;
        Ok(number)
    }

    /// Applies one command of the unit (`None` version: no check).
    async fn consultation_command(
        &self,
        actor: Option<&Actor>,
        number: &str,
        expected: Option<i64>,
        staff_only: bool,
        f: impl FnOnce(&Consultation, DateTime<Utc>) -> Result<ConsultationEvent>,
    ) -> Result<(Consultation, ConsultationEvent)> {
        let now = self.now();
        let (row, mut c): (OpengovRow, Consultation) =
            self.load_matter(SubjectKind::Consultation, number).await?;
        if staff_only && !actor.is_some_and(|a| Self::runs(a, &c.unit)) {
            return Err(AppError::of(codes::Opengov::NotUnit));
        }
        let event = f(&c, now)?;
        c.apply(&event);
        let cal = self.calendar_for(&c.unit.region).await?;
        let by = actor.map(by_of).unwrap_or(By {
            user_id: None,
            name: "公众".into(),
        });
        let summary = format!("公开征求意见 {}：{}", row.number, event.label());
        let entry = match actor {
            Some(a) => self.entry(
                a,
                &format!("opengov.consultation.{}", event.kind()),
                format!("consultation:{}", row.number),
                summary,
            ),
            None => AuditEntry {
                at: now,
                actor: "公众（未登录）".into(),
                role: "public".into(),
                action: format!("opengov.consultation.{}", event.kind()),
                target: format!("consultation:{}", row.number),
                summary,
                region: None,
            },
        };
        let mut notifications = match &event {
            ConsultationEvent::Reported { .. } => self.answer_notices(&row.number, &c),
            _ => Vec::new(),
        };
        let news = match &event {
            ConsultationEvent::Reported { .. } => {
                Some(format!("您关注的《{}》已公布意见采纳情况", c.title))
            }
            ConsultationEvent::Revised {
                new_version: true,
                version,
            } => Some(format!(
                "您关注的《{}》发布了第{}版：{}",
                c.title,
                version.no,
                version.change_note.clone().unwrap_or_default()
            )),
            _ => None,
        };
        notifications.extend(self.follower_notices(row.id, &row.number, &news).await?);
        let ev = Self::event_row(event.kind(), &event, &by, now)?;
        let w = self.consultation_write(&c, vec![ev], notifications, entry, &cal, now)?;
        self.commit(&row, expected, &w).await?;
        Ok((c, event))
    }

    /// Every commenter who left a contact is told the answers are out, at once.
    fn answer_notices(&self, number: &str, c: &Consultation) -> Vec<NotificationRow> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for cm in &c.comments {
            let Some(contact) = &cm.by.contact else {
                continue;
            };
            if !seen.insert(contact.clone()) {
                continue;
            }
            let what = c
                .answer_of(cm.no)
                .map(|a| a.adoption.label())
                .unwrap_or("不予公开，未作答复");
            let body = format!(
                "您对《{}》提出的意见（第{}条）已有答复：{what}。全部意见的采纳情况已于今日公布，详见 /opengov/consultations/{number}。",
                c.title, cm.no
            );
            out.extend(contact_rows(contact, "征求意见采纳情况已公布", &body));
        }
        out
    }

    /// Changes the draft: in place before any comment, else a new version with its note.
    pub async fn revise_consultation(
        &self,
        actor: &Actor,
        number: &str,
        expected: Option<i64>,
        draft: &str,
        change_note: Option<&str>,
    ) -> Result<u32> {
        let (c, _) = self
            .consultation_command(Some(actor), number, expected, true, |c, now| {
                Ok(c.revise(draft, change_note, now)?)
            })
            .await?;
        Ok(c.current().no)
    }

    /// A comment, by a signed-in person (`actor`) or by nobody signed in; returns its number.
    /// A signed-in commenter who leaves no contact is told through their account's phone.
    pub async fn comment_on_consultation(
        &self,
        actor: Option<&Actor>,
        number: &str,
        mut input: CommentInput,
    ) -> Result<u32> {
        if input.contact.as_deref().is_none_or(|c| c.trim().is_empty()) {
            if let Some(a) = actor {
                let user = self.store.user(a.user_id).await?;
                input.contact = user.and_then(|u| u.phone.or(u.email));
            }
        }
        let by = actor.map(by_of);
        let (c, _) = self
            .consultation_command(actor, number, None, false, |c, now| {
                Ok(c.comment(&input, by, now)?)
            })
            .await?;
        Ok(c.comments.len() as u32)
    }

    /// Moderates a comment: published (withheld when its commenter asked) or rejected with
    /// the rule it breaks.
    pub async fn moderate_comment(
        &self,
        actor: &Actor,
        number: &str,
        no: u32,
        publish: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        self.consultation_command(Some(actor), number, None, true, |c, _| {
            Ok(c.moderate(no, publish, reason)?)
        })
        .await?;
        Ok(())
    }

    /// Publishes the adoption report: every comment answered, all answers at once, every
    /// commenter who left a contact told.
    pub async fn report_consultation(
        &self,
        actor: &Actor,
        number: &str,
        summary: &str,
        answers: &[AnswerInput],
    ) -> Result<()> {
        let by = by_of(actor);
        self.consultation_command(Some(actor), number, None, true, |c, now| {
            Ok(c.report(summary, answers, by, now)?)
        })
        .await?;
        Ok(())
    }

    /// A consultation as `viewer` (anyone, signed in or not) may see it.
    pub async fn consultation_view(
        &self,
        viewer: Option<&Actor>,
        number: &str,
    ) -> Result<ConsultationView> {
        let now = self.now();
        let (row, c): (OpengovRow, Consultation) =
            self.load_matter(SubjectKind::Consultation, number).await?;
        let staff = viewer.is_some_and(|a| Self::runs(a, &c.unit) || Self::oversees(a, &c.unit));
        let comments = c
            .comments
            .iter()
            .filter(|cm| staff || Consultation::is_public(cm))
            .map(|cm| {
                let answer = c.answer_of(cm.no);
                CommentView {
                    no: cm.no,
                    version: cm.version,
                    paragraph: cm.paragraph,
                    author: cm
                        .by
                        .name
                        .as_deref()
                        .map(mask::name)
                        .unwrap_or_else(|| "匿名".into()),
                    text: cm.text.clone(),
                    moderation: cm.moderation,
                    moderation_label: cm.moderation.label(),
                    moderation_reason: cm.moderation_reason.clone(),
                    at: cm.at,
                    adoption: answer.map(|a| a.adoption),
                    answer: answer.map(|a| a.reason.clone()),
                }
            })
            .collect();
        let events = self.store.opengov_events(row.id).await?;
        let status = c.status(now);
        Ok(ConsultationView {
            number: row.number.clone(),
            version: row.version,
            status,
            status_label: status.label(),
            unit: c.unit.name.clone(),
            department_id: c.unit.department_id,
            title: c.title.clone(),
            explanation: c.explanation.clone(),
            versions: c.versions.clone(),
            published_at: c.published_at,
            period_days: c.period_days,
            closes_on: c.closes_on,
            report_due: c.report_due,
            comments,
            report: c.report.as_ref().map(|r| ReportView {
                summary: r.summary.clone(),
                at: r.at,
                answers: r
                    .answers
                    .iter()
                    .map(|a| AnswerView {
                        no: a.no,
                        comments: a.comments.clone(),
                        adoption: a.adoption,
                        adoption_label: a.adoption.label(),
                        reason: a.reason.clone(),
                    })
                    .collect(),
            }),
            stats: c.stats(),
            staff: viewer.is_some_and(|a| Self::runs(a, &c.unit)),
            moderation_rule: MODERATION_RULE,
            history: history::<ConsultationEvent>(&events, ConsultationEvent::label),
        })
    }

    /// The comments as CSV: all of them for the unit and supervisors, the published ones for
    /// everyone else.
    pub async fn consultation_comments_csv(
        &self,
        viewer: Option<&Actor>,
        number: &str,
    ) -> Result<(String, String)> {
        let (row, c): (OpengovRow, Consultation) =
            self.load_matter(SubjectKind::Consultation, number).await?;
        let staff = viewer.is_some_and(|a| Self::runs(a, &c.unit) || Self::oversees(a, &c.unit));
        Ok((row.number, c.comments_csv(!staff)))
    }

    fn line(l: OpengovLine, status_label: String) -> MatterLine {
        MatterLine {
            number: l.number,
            title: l.title,
            status_label,
            ends_on: l.ends_on,
            due_date: l.due_date,
            opened_at: DateTime::from_timestamp_millis(l.opened_at).unwrap_or_default(),
        }
    }

    /// Consultations: the unit's for its staff, every one for the public.
    pub async fn consultations(&self, viewer: Option<&Actor>) -> Result<Vec<MatterLine>> {
        let today = local_date(self.now());
        let lines = match viewer.and_then(|a| a.department_id.filter(|_| a.role.is_staff())) {
            Some(d)
                if viewer.is_some_and(|a| {
                    matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead)
                }) =>
            {
                self.store
                    .opengov_of_unit(SubjectKind::Consultation, d, 200)
                    .await?
            }
            _ => {
                self.store
                    .opengov_public(SubjectKind::Consultation, 200)
                    .await?
            }
        };
        Ok(lines
            .into_iter()
            .map(|l| {
                let ends = l
                    .ends_on
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                let status = if l.status == ConsultationStatus::Reported.as_str() {
                    ConsultationStatus::Reported
                } else if ends.is_some_and(|e| today > e) {
                    ConsultationStatus::AwaitingReport
                } else {
                    ConsultationStatus::Open
                };
                Self::line(l, status.label().to_string())
            })
            .collect())
    }

    // ------------------------------------------------------------------ proposals

    pub(crate) fn proposal_write(
        &self,
        p: &Proposal,
        events: Vec<NewOpengovEvent>,
        audit: AuditEntry,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<OpengovWrite> {
        let watches = p.watches(cal, now, &self.settings().warnings_for(&p.office.region))?;
        let open_reply = p.assignment.as_ref().filter(|_| !watches.is_empty());
        Ok(OpengovWrite {
            projection: OpengovProjection {
                kind: SubjectKind::Proposal,
                department_id: p.office.department_id,
                region: p.office.region.clone(),
                title: format!("{}：{}", p.kind.label(), p.title),
                status: p.status().as_str().to_string(),
                ends_on: p.assignment.as_ref().map(|a| a.due),
                due_date: open_reply.map(|a| a.due),
                public: p.published_at.is_some(),
                opened_at: p.registered_at,
                units: p
                    .assignment
                    .as_ref()
                    .map(|a| a.units.iter().map(|u| u.department_id).collect())
                    .unwrap_or_default(),
            },
            state: serde_json::to_string(p).map_err(corrupt)?,
            events,
            notifications: Vec::new(),
            audit,
            party: p.proposer.clone(),
            watches,
        })
    }

    /// Registers a proposal with the actor's department as its office; returns its number.
    pub async fn register_proposal(&self, actor: &Actor, input: ProposalInput) -> Result<String> {
        let office = self.unit_of(actor).await?;
        self.register_proposal_at(actor, office, input, self.now())
            .await
    }

    pub(crate) async fn register_proposal_at(
        &self,
        actor: &Actor,
        office: Unit,
        input: ProposalInput,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let now = self.now();
        let proposer_user_id = match input.proposer_login.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => Some(
                self.store
                    .user_by_login(l)
                    .await?
                    .filter(|u| u.role == Role::Applicant)
                    .ok_or_else(|| {
                        AppError::new(
                            codes::Opengov::ProposalField,
                            format!("没有登录名为“{l}”的公众账号"),
                        )
                    })?
                    .id,
            ),
            _ => None,
        };
        let p = Proposal::register(office, &input, proposer_user_id, at)?;
        let cal = self.calendar_for(&p.office.region).await?;
        let event = ProposalEvent::Registered {
            proposal: Box::new(p.clone()),
        };
        let by = by_of(actor);
        let number = self
            .store
            .create_opengov(SubjectKind::Proposal, at.year(), now, |number| {
                let entry = self.entry(
                    actor,
                    "opengov.proposal.register",
                    format!("proposal:{number}"),
                    format!(
                        "登记{} {number}（{}第{}号）",
                        p.kind.label(),
                        p.session,
                        p.number
                    ),
                );
                let ev = Self::event_row(event.kind(), &event, &by, at)?;
                self.proposal_write(&p, vec![ev], entry, &cal, now)
            })
            .await??;
        Ok(number)
    }

    async fn proposal_command(
        &self,
        actor: &Actor,
        number: &str,
        expected: Option<i64>,
        at: Option<DateTime<Utc>>,
        f: impl FnOnce(&Proposal, &Calendar, DateTime<Utc>) -> Result<ProposalEvent>,
    ) -> Result<Proposal> {
        let now = self.now();
        let at = at.unwrap_or(now);
        let (row, mut p): (OpengovRow, Proposal) =
            self.load_matter(SubjectKind::Proposal, number).await?;
        let cal = self.calendar_for(&p.office.region).await?;
        let event = f(&p, &cal, at)?;
        p.apply(&event);
        let entry = self.entry(
            actor,
            &format!("opengov.proposal.{}", event.kind()),
            format!("proposal:{}", row.number),
            format!("建议提案 {}：{}", row.number, event.label()),
        );
        let ev = Self::event_row(event.kind(), &event, &by_of(actor), at)?;
        let mut w = self.proposal_write(&p, vec![ev], entry, &cal, now)?;
        if let ProposalEvent::Published { .. } = &event {
            let news = Some(format!(
                "您关注的{}《{}》的办理答复已公开",
                p.kind.label(),
                p.title
            ));
            w.notifications = self.follower_notices(row.id, &row.number, &news).await?;
        }
        self.commit(&row, expected, &w).await?;
        Ok(p)
    }

    /// 交办: the office gives the proposal to one 主办 and any 会办/分办 units.
    pub async fn assign_proposal(
        &self,
        actor: &Actor,
        number: &str,
        units: &[(i64, UnitRole)],
        note: Option<&str>,
    ) -> Result<()> {
        self.assign_proposal_at(actor, number, units, note, None)
            .await
    }

    pub(crate) async fn assign_proposal_at(
        &self,
        actor: &Actor,
        number: &str,
        units: &[(i64, UnitRole)],
        note: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut assigned = Vec::new();
        for (id, role) in units {
            let d = self.store.department(*id).await?.ok_or_else(|| {
                AppError::new(codes::Opengov::NotUnit, format!("没有编号为{id}的单位"))
            })?;
            assigned.push(AssignedUnit {
                department_id: d.id,
                name: d.name,
                role: *role,
            });
        }
        let months = self.settings().opengov.proposal_reply_months;
        self.proposal_command(actor, number, None, at, |p, cal, at| {
            if !Self::runs(actor, &p.office) {
                return Err(AppError::of(codes::Opengov::NotUnit));
            }
            Ok(p.assign(assigned, note, months, cal, at)?)
        })
        .await?;
        Ok(())
    }

    /// A unit's reply letter: only from a unit the proposal was given to.
    pub async fn reply_proposal(
        &self,
        actor: &Actor,
        number: &str,
        class: ReplyClass,
        text: &str,
    ) -> Result<()> {
        self.reply_proposal_at(actor, number, class, text, None)
            .await
    }

    pub(crate) async fn reply_proposal_at(
        &self,
        actor: &Actor,
        number: &str,
        class: ReplyClass,
        text: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let dept = match (actor.role, actor.department_id) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d)) => d,
            _ => return Err(AppError::of(codes::Opengov::NotAssigned)),
        };
        self.proposal_command(actor, number, None, at, |p, _, at| {
            Ok(p.reply(dept, class, text, by_of(actor), at)?)
        })
        .await?;
        Ok(())
    }

    /// The proposer's satisfaction: by the proposer's own account, or entered by the office.
    pub async fn proposal_feedback(
        &self,
        actor: &Actor,
        number: &str,
        satisfaction: Satisfaction,
        remark: Option<&str>,
        agree_publish: bool,
    ) -> Result<()> {
        self.proposal_command(actor, number, None, None, |p, _, at| {
            let own = actor.role == Role::Applicant && p.proposer_user_id == Some(actor.user_id);
            if !own && !Self::runs(actor, &p.office) {
                return Err(AppError::of(codes::Opengov::NotUnit));
            }
            Ok(p.feedback(satisfaction, remark, agree_publish, by_of(actor), at)?)
        })
        .await?;
        Ok(())
    }

    /// Publishes the replies where the proposer agreed (the office).
    pub async fn publish_proposal(&self, actor: &Actor, number: &str) -> Result<()> {
        self.proposal_command(actor, number, None, None, |p, _, at| {
            if !Self::runs(actor, &p.office) {
                return Err(AppError::of(codes::Opengov::NotUnit));
            }
            Ok(p.publish(at)?)
        })
        .await?;
        Ok(())
    }

    fn sees_proposal(viewer: Option<&Actor>, p: &Proposal) -> bool {
        p.published_at.is_some()
            || viewer.is_some_and(|a| {
                Self::runs(a, &p.office)
                    || Self::oversees(a, &p.office)
                    || (matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead)
                        && a.department_id.is_some_and(|d| p.is_assigned_to(d)))
                    || (a.role == Role::Applicant && p.proposer_user_id == Some(a.user_id))
            })
    }

    /// A proposal as `viewer` may see it: published ones for everyone, the others for the
    /// office, its units, supervisors and the proposer.
    pub async fn proposal_view(
        &self,
        viewer: Option<&Actor>,
        number: &str,
    ) -> Result<ProposalView> {
        let (row, p): (OpengovRow, Proposal) =
            self.load_matter(SubjectKind::Proposal, number).await?;
        if !Self::sees_proposal(viewer, &p) {
            return Err(not_found());
        }
        let office_view = viewer.is_some_and(|a| Self::runs(a, &p.office));
        let own_unit = viewer.and_then(|a| {
            matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead)
                .then_some(a.department_id)
                .flatten()
        });
        let units: Vec<UnitView> = p
            .assignment
            .iter()
            .flat_map(|a| a.units.iter())
            .map(|u| UnitView {
                department_id: u.department_id,
                name: u.name.clone(),
                role: u.role,
                role_label: u.role.label(),
                replied: p.replies.iter().any(|r| r.department_id == u.department_id),
            })
            .collect();
        let may_reply = own_unit.is_some_and(|d| {
            p.feedback.is_none() && units.iter().any(|u| u.department_id == d && !u.replied)
        });
        let events = self.store.opengov_events(row.id).await?;
        let status = p.status();
        let proposer_view = viewer
            .is_some_and(|a| a.role == Role::Applicant && p.proposer_user_id == Some(a.user_id));
        Ok(ProposalView {
            number: row.number.clone(),
            version: row.version,
            kind: p.kind,
            kind_label: p.kind.label(),
            status,
            status_label: status.label(),
            office: p.office.name.clone(),
            session: p.session.clone(),
            official_number: p.number.clone(),
            title: p.title.clone(),
            proposer: p.proposer.clone(),
            body: p.body.clone(),
            registered_at: p.registered_at,
            assigned_at: p.assignment.as_ref().map(|a| a.at),
            due: p.assignment.as_ref().map(|a| a.due),
            note: p.assignment.as_ref().and_then(|a| a.note.clone()),
            units,
            replies: p
                .replies
                .iter()
                .map(|r| ReplyView {
                    unit: r.unit.clone(),
                    role_label: r.role.label(),
                    class: r.class,
                    class_label: r.class.label(),
                    text: r.text.clone(),
                    at: r.at,
                })
                .collect(),
            satisfaction: p.feedback.as_ref().map(|f| f.satisfaction),
            satisfaction_label: p.feedback.as_ref().map(|f| f.satisfaction.label()),
            remark: p.feedback.as_ref().and_then(|f| f.remark.clone()),
            agree_publish: p.feedback.as_ref().map(|f| f.agree_publish),
            published: p.published_at.is_some(),
            office_view,
            may_reply,
            may_feedback: status == ProposalStatus::Replied && (office_view || proposer_view),
            history: history::<ProposalEvent>(&events, ProposalEvent::label),
        })
    }

    /// Proposals: the office's and its units' for their staff, the published ones for others.
    pub async fn proposals(&self, viewer: Option<&Actor>) -> Result<Vec<MatterLine>> {
        let lines = match viewer {
            Some(a) if matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead) => {
                match a.department_id {
                    Some(d) => {
                        self.store
                            .opengov_of_unit(SubjectKind::Proposal, d, 200)
                            .await?
                    }
                    None => Vec::new(),
                }
            }
            Some(a) if matches!(a.role, Role::Supervisor | Role::Leader | Role::Admin) => {
                let prefix = a
                    .region
                    .as_ref()
                    .map(|r| r.prefix().to_string())
                    .unwrap_or_default();
                self.store
                    .opengov_of_region(SubjectKind::Proposal, &prefix, 200)
                    .await?
            }
            _ => {
                self.store
                    .opengov_public(SubjectKind::Proposal, 200)
                    .await?
            }
        };
        Ok(lines
            .into_iter()
            .map(|l| {
                let label = ProposalStatus::parse(&l.status)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default();
                Self::line(l, label)
            })
            .collect())
    }

    /// The departments a proposal may be given to, for the 交办 form.
    pub async fn opengov_units(&self) -> Result<Vec<(i64, String)>> {
        Ok(self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }
}
