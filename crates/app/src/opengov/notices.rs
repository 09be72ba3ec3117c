//! Publicity notices (公示) and open meetings (公开会议), matters of open government stored and
//! watched like consultations: one write holds the event, the state, the projection, the
//! subject and its deadlines, the notices and the audit record.
//!
//! * A unit's staff publish its notices, answer objections and record the outcome; anyone
//!   objects while the period runs, signed in or not; everyone reads every notice.
//! * A unit's staff announce its meetings and publish the minutes; anyone registers to attend
//!   and is told by SMS; the public sees how many registered, the unit sees who.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::Calendar;
use tongban_domain::codes;
use tongban_domain::mask;
use tongban_domain::opengov::{
    AttendInput, By, Meeting, MeetingEvent, MeetingInput, MeetingKind, MeetingStatus,
    ObjectionInput, Publicity, PublicityArea, PublicityEvent, PublicityInput, PublicityStage,
    PublicityStatus, QuestionInput,
};
use tongban_domain::org::Actor;
use tongban_domain::supervision::SubjectKind;
use tongban_domain::time::local_date;
use tongban_store::cases::NotificationRow;
use tongban_store::opengov::{OpengovLine, OpengovProjection, OpengovRow, OpengovWrite};
use tongban_store::outbox::SMS;

use super::{by_of, contact_rows, corrupt, history, HistoryLine, MatterLine};
use crate::{App, AppError, Result};

/// An objection as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub no: u32,
    /// Masked name, or 匿名.
    pub author: String,
    pub text: String,
    pub at: DateTime<Utc>,
    pub reply_due: NaiveDate,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// A publicity notice as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityView {
    pub number: String,
    pub version: i64,
    pub area: PublicityArea,
    pub area_label: &'static str,
    pub stage: PublicityStage,
    pub stage_label: &'static str,
    pub status: PublicityStatus,
    pub status_label: &'static str,
    pub unit: String,
    pub title: String,
    pub body: String,
    pub linked: Option<String>,
    /// The 结果公示 notices that follow this 预公开.
    pub followed_by: Vec<String>,
    pub days: u32,
    pub counting_label: &'static str,
    pub published_at: DateTime<Utc>,
    pub ends_on: NaiveDate,
    pub outcome_due: NaiveDate,
    pub objections: Vec<ObjectionView>,
    pub outcome: Option<String>,
    pub outcome_at: Option<DateTime<Utc>>,
    /// The reader runs it (answers, records the outcome).
    pub staff: bool,
    pub history: Vec<HistoryLine>,
}

/// A question to a 公开述职 or 公开问询 session as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub no: u32,
    /// Masked name, or 匿名.
    pub author: String,
    pub text: String,
    pub at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A meeting as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub number: String,
    pub version: i64,
    pub kind: MeetingKind,
    pub kind_label: &'static str,
    pub status: MeetingStatus,
    pub status_label: &'static str,
    pub unit: String,
    pub title: String,
    pub agenda: Vec<String>,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: u32,
    pub registered: u32,
    pub seats_left: u32,
    /// Masked names and phones, for the unit only.
    pub attendees: Vec<(String, String)>,
    pub minutes_due: NaiveDate,
    pub minutes: Option<String>,
    pub attendance: Option<u32>,
    pub decisions: Vec<String>,
    /// Whether it takes questions from the public (公开述职、公开问询), and those asked.
    pub takes_questions: bool,
    pub questions: Vec<QuestionView>,
    pub staff: bool,
    pub history: Vec<HistoryLine>,
}

fn public_entry(now: DateTime<Utc>, action: String, target: String, summary: String) -> AuditEntry {
    AuditEntry {
        at: now,
        actor: "公众（未登录）".into(),
        role: "public".into(),
        action,
        target,
        summary,
        region: None,
    }
}

fn line_day(l: &OpengovLine) -> Option<NaiveDate> {
    l.ends_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

impl App {
    // ------------------------------------------------------------------ publicity

    fn publicity_write(
        &self,
        p: &Publicity,
        events: Vec<tongban_store::opengov::NewOpengovEvent>,
        notifications: Vec<NotificationRow>,
        audit: AuditEntry,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<OpengovWrite> {
        let watches = p.watches(cal, now, &self.settings().warnings_for(&p.unit.region))?;
        Ok(OpengovWrite {
            projection: OpengovProjection {
                kind: SubjectKind::Publicity,
                department_id: p.unit.department_id,
                region: p.unit.region.clone(),
                title: format!("{}{}：{}", p.area.label(), p.stage.label(), p.title),
                status: if p.outcome.is_some() {
                    PublicityStatus::Closed.as_str()
                } else {
                    PublicityStatus::Running.as_str()
                }
                .to_string(),
                ends_on: Some(p.ends_on),
                due_date: watches
                    .iter()
                    .map(|w| local_date(w.red_at - chrono::Duration::milliseconds(1)))
                    .min(),
                public: true,
                opened_at: p.published_at,
                units: Vec::new(),
            },
            state: serde_json::to_string(p).map_err(corrupt)?,
            events,
            notifications,
            audit,
            party: String::new(),
            watches,
        })
    }

    /// Publishes a notice of the actor's unit; returns its number. A 结果公示 may name the
    /// 预公开 of the same unit it follows.
    pub async fn publish_publicity(&self, actor: &Actor, input: PublicityInput) -> Result<String> {
        let unit = self.unit_of(actor).await?;
        self.publish_publicity_at(actor, unit, input, self.now())
            .await
    }

    pub(crate) async fn publish_publicity_at(
        &self,
        actor: &Actor,
        unit: tongban_domain::opengov::Unit,
        input: PublicityInput,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let now = self.now();
        let cal = self.calendar_for(&unit.region).await?;
        let rules = self.settings().opengov.publicity.clone();
        let p = Publicity::publish(unit, &input, &rules, &cal, at)?;
        if let Some(l) = &p.linked {
            let pre = self
                .store
                .opengov_by_number(SubjectKind::Publicity, l)
                .await?
                .and_then(|r| serde_json::from_str::<Publicity>(&r.state).ok())
                .filter(|pre| {
                    pre.stage == PublicityStage::Pre
                        && pre.unit.department_id == p.unit.department_id
                });
            if pre.is_none() {
                return Err(AppError::new(
                    codes::Opengov::PublicityLink,
                    format!("本单位没有编号为“{l}”的预公开公示"),
                ));
            }
        }
        let event = PublicityEvent::Published {
            publicity: Box::new(p.clone()),
        };
        let by = by_of(actor);
        let number = self
            .store
            .create_opengov(
                SubjectKind::Publicity,
                chrono::Datelike::year(&at),
                now,
                |number| {
                    let entry = self.entry(
                        actor,
                        "opengov.publicity.publish",
                        format!("publicity:{number}"),
                        format!(
                            "发布{}{} {number}：{}（{}个{}）",
                            p.area.label(),
                            p.stage.label(),
                            p.title,
                            p.days,
                            p.counting.label()
                        ),
                    );
                    let ev = Self::event_row(event.kind(), &event, &by, at)?;
                    self.publicity_write(&p, vec![ev], Vec::new(), entry, &cal, now)
                },
            )
            .await??;
        Ok(number)
    }

    async fn publicity_command(
        &self,
        actor: Option<&Actor>,
        number: &str,
        staff_only: bool,
        f: impl FnOnce(&Publicity, &Calendar, DateTime<Utc>) -> Result<PublicityEvent>,
    ) -> Result<Publicity> {
        let now = self.now();
        let (row, mut p): (OpengovRow, Publicity) =
            self.load_matter(SubjectKind::Publicity, number).await?;
        if staff_only && !actor.is_some_and(|a| Self::runs(a, &p.unit)) {
            return Err(AppError::of(codes::Opengov::NotUnit));
        }
        let cal = self.calendar_for(&p.unit.region).await?;
        let event = f(&p, &cal, now)?;
        p.apply(&event);
        let action = format!("opengov.publicity.{}", event.kind());
        let target = format!("publicity:{}", row.number);
        let summary = format!("公示 {}：{}", row.number, event.label());
        let entry = match actor {
            Some(a) => self.entry(a, &action, target, summary),
            None => public_entry(now, action, target, summary),
        };
        let notifications = match &event {
            PublicityEvent::Answered { no, reply } => p
                .objections
                .iter()
                .find(|o| o.no == *no)
                .and_then(|o| o.contact.as_deref())
                .and_then(|c| {
                    contact_rows(
                        c,
                        "公示异议已答复",
                        &format!(
                            "您对公示《{}》提出的异议（第{no}条）已有答复：{}。详见 /opengov/notices/{}。",
                            p.title, reply.text, row.number
                        ),
                    )
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let by = actor.map(by_of).unwrap_or(By {
            user_id: None,
            name: "公众".into(),
        });
        let ev = Self::event_row(event.kind(), &event, &by, now)?;
        let mut notifications = notifications;
        notifications.extend(
            self.follower_notices(row.id, &row.number, &event_news_publicity(&event, &p))
                .await?,
        );
        let w = self.publicity_write(&p, vec![ev], notifications, entry, &cal, now)?;
        self.commit(&row, None, &w).await?;
        Ok(p)
    }

    /// An objection while the period runs, by anyone; returns its number.
    pub async fn object_to_publicity(
        &self,
        actor: Option<&Actor>,
        number: &str,
        input: ObjectionInput,
    ) -> Result<u32> {
        let rules = self.settings().opengov.publicity.clone();
        let user_id = actor.map(|a| a.user_id);
        let p = self
            .publicity_command(actor, number, false, |p, cal, now| {
                Ok(p.object(&input, user_id, &rules, cal, now)?)
            })
            .await?;
        Ok(p.objections.len() as u32)
    }

    /// The unit's reply to an objection; the objector is told where they left a contact.
    pub async fn answer_objection(
        &self,
        actor: &Actor,
        number: &str,
        no: u32,
        reply: &str,
    ) -> Result<()> {
        self.publicity_command(Some(actor), number, true, |p, _, now| {
            Ok(p.answer(no, reply, by_of(actor), now)?)
        })
        .await?;
        Ok(())
    }

    /// Records the outcome once the period has ended and every objection is answered.
    pub async fn close_publicity(&self, actor: &Actor, number: &str, outcome: &str) -> Result<()> {
        self.publicity_command(Some(actor), number, true, |p, _, now| {
            Ok(p.close(outcome, by_of(actor), now)?)
        })
        .await?;
        Ok(())
    }

    /// A notice as anyone may see it (objectors' names masked).
    pub async fn publicity_view(
        &self,
        viewer: Option<&Actor>,
        number: &str,
    ) -> Result<PublicityView> {
        let now = self.now();
        let (row, p): (OpengovRow, Publicity) =
            self.load_matter(SubjectKind::Publicity, number).await?;
        let events = self.store.opengov_events(row.id).await?;
        let followed_by = if p.stage == PublicityStage::Pre {
            self.store
                .opengov_of_unit(SubjectKind::Publicity, p.unit.department_id, 500)
                .await?
                .into_iter()
                .map(|l| l.number)
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let mut linked_from = Vec::new();
        for n in followed_by {
            if n == row.number {
                continue;
            }
            if let Some(r) = self
                .store
                .opengov_by_number(SubjectKind::Publicity, &n)
                .await?
            {
                if serde_json::from_str::<Publicity>(&r.state)
                    .ok()
                    .and_then(|q| q.linked)
                    .as_deref()
                    == Some(row.number.as_str())
                {
                    linked_from.push(n);
                }
            }
        }
        let status = p.status(now);
        Ok(PublicityView {
            number: row.number.clone(),
            version: row.version,
            area: p.area,
            area_label: p.area.label(),
            stage: p.stage,
            stage_label: p.stage.label(),
            status,
            status_label: status.label(),
            unit: p.unit.name.clone(),
            title: p.title.clone(),
            body: p.body.clone(),
            linked: p.linked.clone(),
            followed_by: linked_from,
            days: p.days,
            counting_label: p.counting.label(),
            published_at: p.published_at,
            ends_on: p.ends_on,
            outcome_due: p.outcome_due,
            objections: p
                .objections
                .iter()
                .map(|o| ObjectionView {
                    no: o.no,
                    author: o
                        .name
                        .as_deref()
                        .map(mask::name)
                        .unwrap_or_else(|| "匿名".into()),
                    text: o.text.clone(),
                    at: o.at,
                    reply_due: o.reply_due,
                    reply: o.reply.as_ref().map(|r| r.text.clone()),
                    replied_at: o.reply.as_ref().map(|r| r.at),
                })
                .collect(),
            outcome: p.outcome.as_ref().map(|o| o.text.clone()),
            outcome_at: p.outcome.as_ref().map(|o| o.at),
            staff: viewer.is_some_and(|a| Self::runs(a, &p.unit)),
            history: history::<PublicityEvent>(&events, PublicityEvent::label),
        })
    }

    /// Notices, newest first: every one for the public (the archive), the unit's own for its
    /// staff; optionally of one area.
    pub async fn publicities(
        &self,
        viewer: Option<&Actor>,
        area: Option<PublicityArea>,
    ) -> Result<Vec<MatterLine>> {
        let today = local_date(self.now());
        let lines = self.matter_lines(viewer, SubjectKind::Publicity).await?;
        Ok(lines
            .into_iter()
            .filter(|l| area.is_none_or(|a| l.title.starts_with(a.label())))
            .map(|l| {
                let status = if l.status == PublicityStatus::Closed.as_str() {
                    PublicityStatus::Closed
                } else if line_day(&l).is_some_and(|e| today > e) {
                    PublicityStatus::Ended
                } else {
                    PublicityStatus::Running
                };
                Self::line(l, status.label().to_string())
            })
            .collect())
    }

    /// The lines of a kind a viewer's list shows: the unit's own for its staff, every public
    /// one for others.
    pub(crate) async fn matter_lines(
        &self,
        viewer: Option<&Actor>,
        kind: SubjectKind,
    ) -> Result<Vec<OpengovLine>> {
        use tongban_domain::org::Role;
        Ok(
            match viewer.and_then(|a| {
                matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead)
                    .then_some(a.department_id)
                    .flatten()
            }) {
                Some(d) => self.store.opengov_of_unit(kind, d, 500).await?,
                None => self.store.opengov_public(kind, 500).await?,
            },
        )
    }

    // ------------------------------------------------------------------ meetings

    fn meeting_write(
        &self,
        m: &Meeting,
        events: Vec<tongban_store::opengov::NewOpengovEvent>,
        notifications: Vec<NotificationRow>,
        audit: AuditEntry,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<OpengovWrite> {
        let watches = m.watches(cal, now, &self.settings().warnings_for(&m.unit.region))?;
        Ok(OpengovWrite {
            projection: OpengovProjection {
                kind: SubjectKind::Meeting,
                department_id: m.unit.department_id,
                region: m.unit.region.clone(),
                title: format!("{}：{}", m.kind.label(), m.title),
                status: if m.minutes.is_some() {
                    MeetingStatus::Minuted.as_str()
                } else {
                    MeetingStatus::Announced.as_str()
                }
                .to_string(),
                ends_on: Some(local_date(m.starts_at)),
                due_date: m.minutes.is_none().then_some(m.minutes_due),
                public: true,
                opened_at: m.announced_at,
                units: Vec::new(),
            },
            state: serde_json::to_string(m).map_err(corrupt)?,
            events,
            notifications,
            audit,
            party: String::new(),
            watches,
        })
    }

    /// Announces a meeting of the actor's unit with its agenda; returns its number.
    pub async fn announce_meeting(&self, actor: &Actor, input: MeetingInput) -> Result<String> {
        let unit = self.unit_of(actor).await?;
        self.announce_meeting_at(actor, unit, input, self.now())
            .await
    }

    pub(crate) async fn announce_meeting_at(
        &self,
        actor: &Actor,
        unit: tongban_domain::opengov::Unit,
        input: MeetingInput,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let now = self.now();
        let cal = self.calendar_for(&unit.region).await?;
        let rules = self.settings().opengov.meeting;
        let m = Meeting::announce(unit, &input, &rules, &cal, at)?;
        let event = MeetingEvent::Announced {
            meeting: Box::new(m.clone()),
        };
        let by = by_of(actor);
        let number = self
            .store
            .create_opengov(
                SubjectKind::Meeting,
                chrono::Datelike::year(&at),
                now,
                |number| {
                    let entry = self.entry(
                        actor,
                        "opengov.meeting.announce",
                        format!("meeting:{number}"),
                        format!(
                            "会前公示 {number}：{}（{}，旁听席位{}个）",
                            m.title,
                            tongban_domain::time::format_local(m.starts_at),
                            m.capacity
                        ),
                    );
                    let ev = Self::event_row(event.kind(), &event, &by, at)?;
                    self.meeting_write(&m, vec![ev], Vec::new(), entry, &cal, now)
                },
            )
            .await??;
        Ok(number)
    }

    async fn meeting_command(
        &self,
        actor: Option<&Actor>,
        number: &str,
        staff_only: bool,
        f: impl FnOnce(&Meeting, DateTime<Utc>) -> Result<MeetingEvent>,
    ) -> Result<Meeting> {
        let now = self.now();
        let (row, mut m): (OpengovRow, Meeting) =
            self.load_matter(SubjectKind::Meeting, number).await?;
        if staff_only && !actor.is_some_and(|a| Self::runs(a, &m.unit)) {
            return Err(AppError::of(codes::Opengov::NotUnit));
        }
        let cal = self.calendar_for(&m.unit.region).await?;
        let event = f(&m, now)?;
        m.apply(&event);
        let action = format!("opengov.meeting.{}", event.kind());
        let target = format!("meeting:{}", row.number);
        let summary = format!("公开会议 {}：{}", row.number, event.label());
        let entry = match actor {
            Some(a) => self.entry(a, &action, target, summary),
            None => public_entry(now, action, target, summary),
        };
        let mut notifications = Vec::new();
        if let MeetingEvent::Registered { attendee } = &event {
            notifications.push(NotificationRow {
                channel: SMS.into(),
                recipient: attendee.phone.clone(),
                subject: "旁听报名确认".into(),
                body: format!(
                    "【通办】{}您好，您已报名旁听“{}”，时间{}，地点{}，旁听证号{}-{}。请携带身份证件提前15分钟入场。",
                    attendee.name,
                    m.title,
                    tongban_domain::time::format_local(m.starts_at),
                    m.place,
                    row.number,
                    attendee.no
                ),
            });
        }
        if let MeetingEvent::Minuted { .. } = &event {
            for a in &m.attendees {
                notifications.push(NotificationRow {
                    channel: SMS.into(),
                    recipient: a.phone.clone(),
                    subject: "会议纪要已公布".into(),
                    body: format!(
                        "【通办】您旁听的“{}”会议纪要已公布，详见 /opengov/meetings/{}。",
                        m.title, row.number
                    ),
                });
            }
        }
        if let MeetingEvent::Answered { no, answer } = &event {
            let asked = m.questions.iter().find(|q| q.no == *no);
            notifications.extend(asked.and_then(|q| q.contact.as_deref()).and_then(|c| {
                contact_rows(
                    c,
                    "您的提问已答复",
                    &format!(
                        "您就“{}”提出的问题（第{no}条）已有答复：{}。详见 /opengov/meetings/{}。",
                        m.title, answer.text, row.number
                    ),
                )
            }));
        }
        if let MeetingEvent::Minuted { .. } = &event {
            let news = Some(format!("您关注的“{}”会议纪要已公布", m.title));
            notifications.extend(self.follower_notices(row.id, &row.number, &news).await?);
        }
        let by = actor.map(by_of).unwrap_or(By {
            user_id: None,
            name: "公众".into(),
        });
        let ev = Self::event_row(event.kind(), &event, &by, now)?;
        let w = self.meeting_write(&m, vec![ev], notifications, entry, &cal, now)?;
        self.commit(&row, None, &w).await?;
        Ok(m)
    }

    /// A citizen registers to attend, up to the capacity, and is told by SMS; returns the
    /// registration's number.
    pub async fn register_to_attend(
        &self,
        actor: Option<&Actor>,
        number: &str,
        input: AttendInput,
    ) -> Result<u32> {
        let user_id = actor.map(|a| a.user_id);
        let m = self
            .meeting_command(actor, number, false, |m, now| {
                Ok(m.register(&input, user_id, now)?)
            })
            .await?;
        Ok(m.attendees.len() as u32)
    }

    /// The minutes, with the attendance and the decisions taken; attendees are told.
    pub async fn publish_minutes(
        &self,
        actor: &Actor,
        number: &str,
        minutes: &str,
        attendance: u32,
        decisions: &str,
    ) -> Result<()> {
        self.meeting_command(Some(actor), number, true, |m, now| {
            Ok(m.minute(minutes, attendance, decisions, by_of(actor), now)?)
        })
        .await?;
        Ok(())
    }

    /// Anyone asks a 公开述职 or 公开问询 session a question before it begins; returns its
    /// number.
    pub async fn ask_question(
        &self,
        actor: Option<&Actor>,
        number: &str,
        input: QuestionInput,
    ) -> Result<u32> {
        let user_id = actor.map(|a| a.user_id);
        let m = self
            .meeting_command(actor, number, false, |m, now| {
                Ok(m.ask(&input, user_id, now)?)
            })
            .await?;
        Ok(m.questions.len() as u32)
    }

    /// The unit answers a question, once; the asker who left a contact is told.
    pub async fn answer_question(
        &self,
        actor: &Actor,
        number: &str,
        no: u32,
        reply: &str,
    ) -> Result<()> {
        self.meeting_command(Some(actor), number, true, |m, now| {
            Ok(m.answer(no, reply, by_of(actor), now)?)
        })
        .await?;
        Ok(())
    }

    /// A meeting as anyone may see it: who registered only for the unit.
    pub async fn meeting_view(&self, viewer: Option<&Actor>, number: &str) -> Result<MeetingView> {
        let now = self.now();
        let (row, m): (OpengovRow, Meeting) =
            self.load_matter(SubjectKind::Meeting, number).await?;
        let staff = viewer.is_some_and(|a| Self::runs(a, &m.unit));
        let events = self.store.opengov_events(row.id).await?;
        let status = m.status(now);
        Ok(MeetingView {
            number: row.number.clone(),
            version: row.version,
            kind: m.kind,
            kind_label: m.kind.label(),
            status,
            status_label: status.label(),
            unit: m.unit.name.clone(),
            title: m.title.clone(),
            agenda: m.agenda.clone(),
            place: m.place.clone(),
            starts_at: m.starts_at,
            capacity: m.capacity,
            registered: m.attendees.len() as u32,
            seats_left: m.seats_left(),
            attendees: if staff {
                m.attendees
                    .iter()
                    .map(|a| (mask::name(&a.name), mask::phone(&a.phone)))
                    .collect()
            } else {
                Vec::new()
            },
            minutes_due: m.minutes_due,
            minutes: m.minutes.as_ref().map(|x| x.text.clone()),
            attendance: m.minutes.as_ref().map(|x| x.attendance),
            decisions: m
                .minutes
                .as_ref()
                .map(|x| x.decisions.clone())
                .unwrap_or_default(),
            takes_questions: m.kind != MeetingKind::Meeting,
            questions: m
                .questions
                .iter()
                .map(|q| QuestionView {
                    no: q.no,
                    author: q
                        .name
                        .as_deref()
                        .map(mask::name)
                        .unwrap_or_else(|| "匿名".into()),
                    text: q.text.clone(),
                    at: q.at,
                    answer: q.answer.as_ref().map(|a| a.text.clone()),
                    answered_at: q.answer.as_ref().map(|a| a.at),
                })
                .collect(),
            staff,
            history: history::<MeetingEvent>(&events, MeetingEvent::label),
        })
    }

    /// Meetings, newest first: every one for the public, the unit's own for its staff.
    pub async fn meetings(&self, viewer: Option<&Actor>) -> Result<Vec<MatterLine>> {
        let today = local_date(self.now());
        let lines = self.matter_lines(viewer, SubjectKind::Meeting).await?;
        Ok(lines
            .into_iter()
            .map(|l| {
                let status = if l.status == MeetingStatus::Minuted.as_str() {
                    MeetingStatus::Minuted
                } else if line_day(&l).is_some_and(|d| today > d) {
                    MeetingStatus::Held
                } else {
                    MeetingStatus::Announced
                };
                Self::line(l, status.label().to_string())
            })
            .collect())
    }
}

/// What followers of a notice hear of: its outcome.
fn event_news_publicity(e: &PublicityEvent, p: &Publicity) -> Option<String> {
    match e {
        PublicityEvent::Closed { outcome } => Some(format!(
            "您关注的公示《{}》已期满并公布结果：{}",
            p.title, outcome.text
        )),
        _ => None,
    }
}
