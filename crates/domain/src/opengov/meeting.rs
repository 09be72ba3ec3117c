//! Open meetings (开门办会): a meeting's agenda is published a setting's days before it (会前公示
//! 会议议题); citizens register to attend (公民旁听) up to its capacity, each told through the
//! outbox; after it the minutes (会议纪要) with the attendance and the decisions taken are
//! published within a setting's working days (会后公示), a deadline the index watches. 公开述职
//! and 公开问询 sessions are meetings of their own kinds.
//!
//! * An agenda published later than the setting's days before is refused (`opengov.agenda_late`).
//! * A registration past capacity is refused (`opengov.meeting_full`), as is one once the
//!   meeting has begun (`opengov.registration_closed`) or a second one by the same phone.
//! * Minutes before the meeting are refused (`opengov.meeting_not_held`).
//! * Anyone submits questions (群众提问) to a 公开述职 or 公开问询 session until it begins
//!   (`opengov.questions_kind` for a plain meeting, `opengov.questions_closed` after the start);
//!   the unit answers each once (`opengov.question_answered`), in public, the asker's name
//!   masked, and the asker who left a contact is told.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period::{date_watch, working_days_end};
use super::{text, By, Unit};
use crate::calendar::Calendar;
use crate::codes::Opengov as C;
use crate::supervision::{WarningRules, Watch};
use crate::time::local_date;
use crate::DomainError;

crate::closed_set! {
    /// What kind of open meeting.
    pub enum MeetingKind {
        Meeting = "meeting" => "政府会议",
        Report = "report" => "公开述职",
        Inquiry = "inquiry" => "公开问询",
    }
}

crate::closed_set! {
    /// Where a meeting stands.
    pub enum MeetingStatus {
        Announced = "announced" => "接受旁听报名",
        Held = "held" => "已召开，待公布纪要",
        Minuted = "minuted" => "纪要已公布",
    }
}

/// The local values meetings run by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingRules {
    /// Natural days the agenda is published before the meeting's day, at least.
    pub agenda_days: u32,
    /// Working days after the meeting's day for the minutes.
    pub minutes_days: u32,
}

/// What a meeting is announced with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingInput {
    pub kind: MeetingKind,
    pub title: String,
    /// One agenda item (议题) a line.
    pub agenda: String,
    pub place: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: DateTime<Utc>,
    /// Seats for citizens attending.
    pub capacity: u32,
}

/// A citizen registered to attend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub no: u32,
    pub name: String,
    pub phone: String,
    pub user_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A registration as a form or API body gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendInput {
    pub name: String,
    pub phone: String,
}

/// The minutes, with the attendance and the decisions taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    pub text: String,
    /// Citizens who attended.
    pub attendance: u32,
    /// The decisions taken, one a line (with links where they are published).
    pub decisions: Vec<String>,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// A question from the public for a 公开述职 or 公开问询 session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub no: u32,
    pub name: Option<String>,
    pub user_id: Option<i64>,
    /// A phone or e-mail to tell of the answer; never public.
    pub contact: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
    pub answer: Option<QuestionAnswer>,
}

/// The unit's answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionAnswer {
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// A question as a form or API body gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionInput {
    pub text: String,
    /// The asker's name; anonymous when none.
    #[serde(default)]
    pub name: Option<String>,
    /// A phone or e-mail to tell of the answer; never public.
    #[serde(default)]
    pub contact: Option<String>,
}

/// An open meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub unit: Unit,
    pub kind: MeetingKind,
    pub title: String,
    pub agenda: Vec<String>,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: u32,
    pub announced_at: DateTime<Utc>,
    pub minutes_due: NaiveDate,
    pub attendees: Vec<Attendee>,
    pub minutes: Option<Minutes>,
    /// Questions from the public (公开述职、公开问询 only).
    #[serde(default)]
    pub questions: Vec<Question>,
}

/// What happened to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MeetingEvent {
    Announced { meeting: Box<Meeting> },
    Registered { attendee: Attendee },
    Minuted { minutes: Minutes },
    Asked { question: Question },
    Answered { no: u32, answer: QuestionAnswer },
}

impl MeetingEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            MeetingEvent::Announced { .. } => "announced",
            MeetingEvent::Registered { .. } => "registered",
            MeetingEvent::Minuted { .. } => "minuted",
            MeetingEvent::Asked { .. } => "asked",
            MeetingEvent::Answered { .. } => "answered",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            MeetingEvent::Announced { .. } => "会前公示会议议题",
            MeetingEvent::Registered { .. } => "旁听报名",
            MeetingEvent::Minuted { .. } => "会后公布会议纪要",
            MeetingEvent::Asked { .. } => "群众提问",
            MeetingEvent::Answered { .. } => "答复群众提问",
        }
    }
}

fn lines(s: &str, max: usize) -> Vec<String> {
    s.lines()
        .filter_map(|l| text(l, 500))
        .take(max + 1)
        .collect()
}

impl Meeting {
    /// Announces a meeting at `now` with its agenda, at least the rules' days before its day.
    pub fn announce(
        unit: Unit,
        input: &MeetingInput,
        rules: &MeetingRules,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Meeting, DomainError> {
        let title = text(&input.title, 200).ok_or_else(|| C::Title.err())?;
        let agenda = lines(&input.agenda, 50);
        let place = text(&input.place, 200);
        let (Some(place), false, false) = (place, agenda.is_empty(), agenda.len() > 50) else {
            return Err(C::MeetingField.err());
        };
        if input.capacity > 10_000 {
            return Err(C::MeetingField.err());
        }
        let day = local_date(input.starts_at);
        let earliest = local_date(now) + chrono::Duration::days(i64::from(rules.agenda_days));
        if input.starts_at <= now || day < earliest {
            return Err(C::AgendaLate.with(format!(
                "会议议题须于会前{}日公示：本次会议最早可安排在{}",
                rules.agenda_days,
                earliest.format("%Y年%m月%d日")
            )));
        }
        let minutes_due = working_days_end(cal, day, rules.minutes_days)?;
        Ok(Meeting {
            unit,
            kind: input.kind,
            title,
            agenda,
            place,
            starts_at: input.starts_at,
            capacity: input.capacity,
            announced_at: now,
            minutes_due,
            attendees: Vec::new(),
            minutes: None,
            questions: Vec::new(),
        })
    }

    pub fn status(&self, now: DateTime<Utc>) -> MeetingStatus {
        if self.minutes.is_some() {
            MeetingStatus::Minuted
        } else if now < self.starts_at {
            MeetingStatus::Announced
        } else {
            MeetingStatus::Held
        }
    }

    /// Seats still free.
    pub fn seats_left(&self) -> u32 {
        self.capacity.saturating_sub(self.attendees.len() as u32)
    }

    /// A citizen registers to attend, before the meeting begins and while seats are left.
    pub fn register(
        &self,
        input: &AttendInput,
        user_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<MeetingEvent, DomainError> {
        if now >= self.starts_at {
            return Err(C::RegistrationClosed.err());
        }
        let name = text(&input.name, 50).ok_or_else(|| C::Attendee.err())?;
        let phone = input.phone.trim().to_string();
        if phone.len() != 11
            || !phone.starts_with('1')
            || !phone.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(C::Attendee.err());
        }
        if self.attendees.iter().any(|a| a.phone == phone) {
            return Err(C::RegisteredTwice.err());
        }
        if self.seats_left() == 0 {
            return Err(C::MeetingFull.with(format!("本次会议旁听席位（{}个）已满", self.capacity)));
        }
        Ok(MeetingEvent::Registered {
            attendee: Attendee {
                no: self.attendees.len() as u32 + 1,
                name,
                phone,
                user_id,
                at: now,
            },
        })
    }

    /// The minutes, once the meeting has begun.
    pub fn minute(
        &self,
        text_: &str,
        attendance: u32,
        decisions: &str,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<MeetingEvent, DomainError> {
        if self.minutes.is_some() {
            return Err(C::State.err());
        }
        if now < self.starts_at {
            return Err(C::MeetingNotHeld.err());
        }
        let body = text(text_, 20_000).ok_or_else(|| C::MinutesText.err())?;
        Ok(MeetingEvent::Minuted {
            minutes: Minutes {
                text: body,
                attendance,
                decisions: lines(decisions, 50),
                at: now,
                by,
            },
        })
    }

    /// Someone asks the session a question, before it begins; only 公开述职 and 公开问询 take
    /// questions.
    pub fn ask(
        &self,
        input: &QuestionInput,
        user_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<MeetingEvent, DomainError> {
        if self.kind == MeetingKind::Meeting {
            return Err(C::QuestionsKind.err());
        }
        if now >= self.starts_at {
            return Err(C::QuestionsClosed.err());
        }
        let body = text(&input.text, 2000).ok_or_else(|| C::QuestionText.err())?;
        let name = input.name.as_deref().and_then(|n| text(n, 50));
        let contact = input.contact.as_deref().and_then(|c| text(c, 100));
        Ok(MeetingEvent::Asked {
            question: Question {
                no: self.questions.len() as u32 + 1,
                name,
                user_id,
                contact,
                text: body,
                at: now,
                answer: None,
            },
        })
    }

    /// The unit answers question `no`, once.
    pub fn answer(
        &self,
        no: u32,
        reply: &str,
        by: By,
        now: DateTime<Utc>,
    ) -> Result<MeetingEvent, DomainError> {
        let q = self
            .questions
            .iter()
            .find(|q| q.no == no)
            .ok_or_else(|| C::QuestionNotFound.err())?;
        if q.answer.is_some() {
            return Err(C::QuestionAnswered.err());
        }
        let text_ = text(reply, 20_000).ok_or_else(|| C::ReplyText.err())?;
        Ok(MeetingEvent::Answered {
            no,
            answer: QuestionAnswer {
                text: text_,
                at: now,
                by,
            },
        })
    }

    pub fn apply(&mut self, e: &MeetingEvent) {
        match e {
            MeetingEvent::Announced { meeting } => *self = (**meeting).clone(),
            MeetingEvent::Registered { attendee } => self.attendees.push(attendee.clone()),
            MeetingEvent::Minuted { minutes } => self.minutes = Some(minutes.clone()),
            MeetingEvent::Asked { question } => self.questions.push(question.clone()),
            MeetingEvent::Answered { no, answer } => {
                if let Some(q) = self.questions.iter_mut().find(|q| q.no == *no) {
                    q.answer = Some(answer.clone());
                }
            }
        }
    }

    /// The minutes not published by the end of their due day, as of `now` (会议纪要逾期未公布).
    pub fn late(&self, now: DateTime<Utc>) -> Option<super::Lateness> {
        (self.minutes.is_none() && local_date(now) > self.minutes_due).then(|| super::Lateness {
            rule: crate::supervision::detect::Rule::MinutesLate,
            department_id: self.unit.department_id,
            detail: format!(
                "{}（{}）纪要应于{}前公布，逾期未公布",
                self.title,
                self.kind.label(),
                self.minutes_due
            ),
            anchor: format!("minutes:{}", self.minutes_due),
        })
    }

    /// The minutes' deadline until they are published.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<Vec<Watch>, DomainError> {
        if self.minutes.is_some() {
            return Ok(Vec::new());
        }
        Ok(vec![date_watch(
            "minutes",
            "会议纪要公布期限",
            self.unit.department_id,
            self.minutes_due,
            cal,
            now,
            rules,
        )?])
    }
}
