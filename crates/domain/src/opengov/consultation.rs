//! Drafts put to the public for comment (公开征求意见) under 重大行政决策程序暂行条例
//! (国务院令第713号) 第十四条、第十五条: the draft and its explanation are published with a
//! period of at least the local minimum (30 days by default); comments are moderated by a
//! published rule; at the end the unit answers every comment, or every group of like comments,
//! and publishes the answers together as its adoption report (采纳情况说明).
//!
//! * A draft that has received comments is never edited in place: a change is a new version
//!   with its change note, and each comment stays on the version it was made on.
//! * A comment after the last day is refused (`opengov.comment_closed`).
//! * A report leaving a comment unanswered is refused (`opengov.unanswered`), as is one made
//!   while comments wait for moderation (`opengov.unmoderated`) or before the period ends.
//! * The report is due a setting's working days after the period ends; until it is published
//!   that deadline is on the deadline index.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period::{date_watch, natural_days_end, working_days_end};
use super::{text, By, Unit};
use crate::calendar::Calendar;
use crate::codes::Opengov as C;
use crate::supervision::{WarningRules, Watch};
use crate::time::{end_of_day, local_date};
use crate::DomainError;

/// The longest period a consultation may run.
pub const MAX_PERIOD_DAYS: u32 = 180;

/// The moderation rule (留言审核规则), published on every consultation's page.
pub const MODERATION_RULE: &str = "留言审核规则：意见提交后由起草单位审核，审核通过的意见向社会公开（提出人要求不公开的除外）。\
含有下列内容之一的留言不予公开，也不作为意见答复：（一）违反宪法、法律、法规的；（二）侮辱、诽谤他人或者泄露他人隐私的；\
（三）商业广告或者与征求意见稿无关的；（四）重复提交的相同内容。不予公开的，写明所依据的条目。";

crate::closed_set! {
    /// Where a consultation stands.
    pub enum ConsultationStatus {
        Open = "open" => "正在征求意见",
        AwaitingReport = "awaiting_report" => "征求意见结束，待公布采纳情况",
        Reported = "reported" => "已公布采纳情况",
    }
}

crate::closed_set! {
    /// The moderation of a comment.
    pub enum Moderation {
        Pending = "pending" => "待审核",
        Published = "published" => "已公开",
        Withheld = "withheld" => "应提出人要求不公开",
        Rejected = "rejected" => "不予公开",
    }
}

crate::closed_set! {
    /// How a comment was taken up.
    pub enum Adoption {
        Adopted = "adopted" => "采纳",
        Partly = "partly" => "部分采纳",
        NotAdopted = "not_adopted" => "未采纳",
    }
}

/// One version of the draft's text, paragraph by paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftVersion {
    pub no: u32,
    pub paragraphs: Vec<String>,
    /// What changed from the version before (none on the first).
    pub change_note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Who commented: an account, or anonymous (no name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commenter {
    pub user_id: Option<i64>,
    /// `None` when anonymous.
    pub name: Option<String>,
    /// A phone number or an e-mail address the answers are sent to.
    pub contact: Option<String>,
}

/// One comment, on the whole draft or on one paragraph of the version it was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub no: u32,
    pub version: u32,
    /// 1-based paragraph of that version; `None` on the whole draft.
    pub paragraph: Option<u32>,
    pub by: Commenter,
    pub text: String,
    /// The commenter asked that it not be published.
    pub keep_private: bool,
    pub moderation: Moderation,
    pub moderation_reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A comment as a form or API body gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    /// 1-based paragraph of the current version; absent for the whole draft.
    #[serde(default)]
    pub paragraph: Option<u32>,
    pub text: String,
    /// Ask that the comment not be published.
    #[serde(default)]
    pub keep_private: bool,
    /// Comment anonymously even when signed in.
    #[serde(default)]
    pub anonymous: bool,
    /// Where the answers are sent (a phone number or an e-mail address).
    #[serde(default)]
    pub contact: Option<String>,
}

/// One answer of the report: to one comment or a group of like comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// The numbers of the comments answered together.
    pub comments: Vec<u32>,
    pub adoption: Adoption,
    pub reason: String,
}

/// An answer as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub no: u32,
    pub comments: Vec<u32>,
    pub adoption: Adoption,
    pub reason: String,
}

/// The adoption report (采纳情况说明).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub summary: String,
    pub answers: Vec<Answer>,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// A draft under consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub unit: Unit,
    pub title: String,
    /// 起草说明: why, what it changes, the main questions.
    pub explanation: String,
    pub versions: Vec<DraftVersion>,
    pub published_at: DateTime<Utc>,
    pub period_days: u32,
    /// The last day comments are taken.
    pub closes_on: NaiveDate,
    /// The day the adoption report is due.
    pub report_due: NaiveDate,
    pub comments: Vec<Comment>,
    pub report: Option<Report>,
}

/// What a new consultation is published with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftInput {
    pub title: String,
    pub explanation: String,
    /// The draft's text: one paragraph a line (blank lines are dropped).
    pub draft: String,
    /// Natural days; the local default when absent.
    #[serde(default)]
    pub period_days: Option<u32>,
}

/// The local values a consultation runs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsultationRules {
    pub default_days: u32,
    pub min_days: u32,
    /// Working days after the last day of comments for the adoption report.
    pub report_days: u32,
}

/// What happened to a consultation, as its log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsultationEvent {
    Published {
        consultation: Box<Consultation>,
    },
    Revised {
        version: DraftVersion,
        new_version: bool,
    },
    Commented {
        comment: Comment,
    },
    Moderated {
        no: u32,
        moderation: Moderation,
        reason: Option<String>,
    },
    Reported {
        report: Report,
    },
}

impl ConsultationEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ConsultationEvent::Published { .. } => "published",
            ConsultationEvent::Revised { .. } => "revised",
            ConsultationEvent::Commented { .. } => "commented",
            ConsultationEvent::Moderated { .. } => "moderated",
            ConsultationEvent::Reported { .. } => "reported",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ConsultationEvent::Published { .. } => "发布征求意见稿",
            ConsultationEvent::Revised {
                new_version: true, ..
            } => "发布新版本",
            ConsultationEvent::Revised { .. } => "修改征求意见稿",
            ConsultationEvent::Commented { .. } => "收到意见",
            ConsultationEvent::Moderated { .. } => "审核意见",
            ConsultationEvent::Reported { .. } => "公布采纳情况",
        }
    }
}

/// The figures of a consultation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsultationStats {
    pub comments: u32,
    pub published: u32,
    pub withheld: u32,
    pub rejected: u32,
    pub pending: u32,
    pub commenters: u32,
    pub adopted: u32,
    pub partly: u32,
    pub not_adopted: u32,
    /// (采纳 + 部分采纳) / answered comments, in whole percent; none before the report.
    pub adoption_rate: Option<u32>,
}

fn paragraphs(draft: &str) -> Result<Vec<String>, DomainError> {
    let out: Vec<String> = draft
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if out.is_empty() || out.len() > 200 || out.iter().any(|p| p.chars().count() > 5000) {
        return Err(C::Draft.err());
    }
    Ok(out)
}

impl Consultation {
    /// Publishes a draft at `now`: the period is checked against the rules' minimum.
    pub fn publish(
        unit: Unit,
        input: &DraftInput,
        rules: &ConsultationRules,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Consultation, DomainError> {
        let title = text(&input.title, 200).ok_or_else(|| C::Title.err())?;
        let explanation = text(&input.explanation, 10_000).ok_or_else(|| C::Explanation.err())?;
        let paragraphs = paragraphs(&input.draft)?;
        let days = input.period_days.unwrap_or(rules.default_days);
        if days < rules.min_days {
            return Err(C::PeriodShort.with(format!(
                "征求意见期限不得少于{}日（本次为{days}日）",
                rules.min_days
            )));
        }
        if days > MAX_PERIOD_DAYS {
            return Err(C::PeriodLong.err());
        }
        let closes_on = natural_days_end(cal, local_date(now), days)?;
        let report_due = working_days_end(cal, closes_on, rules.report_days)?;
        Ok(Consultation {
            unit,
            title,
            explanation,
            versions: vec![DraftVersion {
                no: 1,
                paragraphs,
                change_note: None,
                at: now,
            }],
            published_at: now,
            period_days: days,
            closes_on,
            report_due,
            comments: Vec::new(),
            report: None,
        })
    }

    /// The version comments are taken on now.
    pub fn current(&self) -> &DraftVersion {
        self.versions
            .last()
            .expect("a consultation has its first version")
    }

    /// The version numbered `no`.
    pub fn version(&self, no: u32) -> Option<&DraftVersion> {
        self.versions.iter().find(|v| v.no == no)
    }

    /// Whether comments are taken at `now`: until the end of the last day.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        now <= end_of_day(self.closes_on)
    }

    pub fn status(&self, now: DateTime<Utc>) -> ConsultationStatus {
        if self.report.is_some() {
            ConsultationStatus::Reported
        } else if self.is_open(now) {
            ConsultationStatus::Open
        } else {
            ConsultationStatus::AwaitingReport
        }
    }

    /// Changes the draft while the period runs: in place while the current version has no
    /// comment, otherwise only as a new version with a change note.
    pub fn revise(
        &self,
        draft: &str,
        change_note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ConsultationEvent, DomainError> {
        if !self.is_open(now) {
            return Err(C::State.err());
        }
        let paragraphs = paragraphs(draft)?;
        let note = change_note.and_then(|n| text(n, 2000));
        let cur = self.current();
        let commented = self.comments.iter().any(|c| c.version == cur.no);
        if commented {
            let Some(note) = note else {
                return Err(C::ChangeNote.err());
            };
            Ok(ConsultationEvent::Revised {
                version: DraftVersion {
                    no: cur.no + 1,
                    paragraphs,
                    change_note: Some(note),
                    at: now,
                },
                new_version: true,
            })
        } else {
            Ok(ConsultationEvent::Revised {
                version: DraftVersion {
                    no: cur.no,
                    paragraphs,
                    change_note: note.or_else(|| cur.change_note.clone()),
                    at: now,
                },
                new_version: false,
            })
        }
    }

    /// A comment on the current version, by `by` (`None` anonymous).
    pub fn comment(
        &self,
        input: &CommentInput,
        by: Option<By>,
        now: DateTime<Utc>,
    ) -> Result<ConsultationEvent, DomainError> {
        if !self.is_open(now) {
            return Err(C::CommentClosed.with(format!(
                "征求意见已于{}截止，不再接收意见",
                self.closes_on.format("%Y年%m月%d日")
            )));
        }
        let body = text(&input.text, 2000).ok_or_else(|| C::CommentText.err())?;
        let cur = self.current();
        if let Some(p) = input.paragraph {
            if p == 0 || p as usize > cur.paragraphs.len() {
                return Err(C::Paragraph.err());
            }
        }
        let contact = input.contact.as_deref().and_then(|c| text(c, 100));
        let (user_id, name) = match by {
            Some(b) if !input.anonymous => (b.user_id, Some(b.name)),
            Some(b) => (b.user_id, None),
            None => (None, None),
        };
        Ok(ConsultationEvent::Commented {
            comment: Comment {
                no: self.comments.len() as u32 + 1,
                version: cur.no,
                paragraph: input.paragraph,
                by: Commenter {
                    user_id,
                    name,
                    contact,
                },
                text: body,
                keep_private: input.keep_private,
                moderation: Moderation::Pending,
                moderation_reason: None,
                at: now,
            },
        })
    }

    /// Moderates comment `no`: published (or withheld when its commenter asked), or rejected
    /// with the rule it breaks.
    pub fn moderate(
        &self,
        no: u32,
        publish: bool,
        reason: Option<&str>,
    ) -> Result<ConsultationEvent, DomainError> {
        let c = self
            .comments
            .iter()
            .find(|c| c.no == no)
            .ok_or_else(|| C::CommentNotFound.err())?;
        if c.moderation != Moderation::Pending {
            return Err(C::Moderated.err());
        }
        let reason = reason.and_then(|r| text(r, 500));
        let moderation = if !publish {
            if reason.is_none() {
                return Err(C::ModerationReason.err());
            }
            Moderation::Rejected
        } else if c.keep_private {
            Moderation::Withheld
        } else {
            Moderation::Published
        };
        Ok(ConsultationEvent::Moderated {
            no,
            moderation,
            reason: if publish { None } else { reason },
        })
    }

    /// The adoption report: every comment that passed moderation answered exactly once.
    pub fn report(
        &self,
        summary: &str,
        answers: &[AnswerInput],
        by: By,
        now: DateTime<Utc>,
    ) -> Result<ConsultationEvent, DomainError> {
        if self.report.is_some() {
            return Err(C::Reported.err());
        }
        if self.is_open(now) {
            return Err(C::StillOpen.err());
        }
        let pending: Vec<String> = self
            .comments
            .iter()
            .filter(|c| c.moderation == Moderation::Pending)
            .map(|c| c.no.to_string())
            .collect();
        if !pending.is_empty() {
            return Err(C::Unmoderated.with(format!(
                "第{}条意见尚未审核，请先审核全部意见",
                pending.join("、")
            )));
        }
        let summary = text(summary, 10_000).ok_or_else(|| C::Explanation.err())?;
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (i, a) in answers.iter().enumerate() {
            if a.comments.is_empty() {
                return Err(C::AnswerComments.err());
            }
            let reason = text(&a.reason, 2000).ok_or_else(|| C::AnswerReason.err())?;
            for no in &a.comments {
                let c = self
                    .comments
                    .iter()
                    .find(|c| c.no == *no)
                    .ok_or_else(|| C::CommentNotFound.with(format!("没有第{no}条意见")))?;
                if c.moderation == Moderation::Rejected {
                    return Err(C::AnswerComments.with(format!("第{no}条意见未通过审核，不作答复")));
                }
                if !seen.insert(*no) {
                    return Err(C::AnsweredTwice.with(format!("第{no}条意见答复了两次")));
                }
            }
            let mut comments = a.comments.clone();
            comments.sort_unstable();
            out.push(Answer {
                no: i as u32 + 1,
                comments,
                adoption: a.adoption,
                reason,
            });
        }
        let missing: Vec<String> = self
            .comments
            .iter()
            .filter(|c| c.moderation != Moderation::Rejected && !seen.contains(&c.no))
            .map(|c| c.no.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(C::Unanswered.with(format!(
                "采纳情况说明须答复每一条意见：第{}条意见尚未答复",
                missing.join("、")
            )));
        }
        Ok(ConsultationEvent::Reported {
            report: Report {
                summary,
                answers: out,
                at: now,
                by,
            },
        })
    }

    /// Folds an event in.
    pub fn apply(&mut self, e: &ConsultationEvent) {
        match e {
            ConsultationEvent::Published { consultation } => *self = (**consultation).clone(),
            ConsultationEvent::Revised {
                version,
                new_version,
            } => {
                if *new_version {
                    self.versions.push(version.clone());
                } else if let Some(v) = self.versions.last_mut() {
                    *v = version.clone();
                }
            }
            ConsultationEvent::Commented { comment } => self.comments.push(comment.clone()),
            ConsultationEvent::Moderated {
                no,
                moderation,
                reason,
            } => {
                if let Some(c) = self.comments.iter_mut().find(|c| c.no == *no) {
                    c.moderation = *moderation;
                    c.moderation_reason = reason.clone();
                }
            }
            ConsultationEvent::Reported { report } => self.report = Some(report.clone()),
        }
    }

    /// The answer to comment `no`, once reported.
    pub fn answer_of(&self, no: u32) -> Option<&Answer> {
        self.report
            .as_ref()
            .and_then(|r| r.answers.iter().find(|a| a.comments.contains(&no)))
    }

    /// Whether comment `c` is shown to the public.
    pub fn is_public(c: &Comment) -> bool {
        c.moderation == Moderation::Published
    }

    pub fn stats(&self) -> ConsultationStats {
        let mut s = ConsultationStats {
            comments: self.comments.len() as u32,
            ..ConsultationStats::default()
        };
        let mut who = std::collections::BTreeSet::new();
        for c in &self.comments {
            match c.moderation {
                Moderation::Pending => s.pending += 1,
                Moderation::Published => s.published += 1,
                Moderation::Withheld => s.withheld += 1,
                Moderation::Rejected => s.rejected += 1,
            }
            match c.by.user_id {
                Some(u) => who.insert(format!("u{u}")),
                None => who.insert(format!("c{}", c.no)),
            };
        }
        s.commenters = who.len() as u32;
        if let Some(r) = &self.report {
            for a in &r.answers {
                let n = a.comments.len() as u32;
                match a.adoption {
                    Adoption::Adopted => s.adopted += n,
                    Adoption::Partly => s.partly += n,
                    Adoption::NotAdopted => s.not_adopted += n,
                }
            }
            let answered = s.adopted + s.partly + s.not_adopted;
            s.adoption_rate = ((s.adopted + s.partly) * 100 + answered / 2).checked_div(answered);
        }
        s
    }

    /// The adoption report not published by the end of its due day, as of `now`.
    pub fn late(&self, now: DateTime<Utc>) -> Option<super::Lateness> {
        (self.report.is_none() && crate::time::local_date(now) > self.report_due).then(|| {
            super::Lateness {
                rule: crate::supervision::detect::Rule::ReportLate,
                department_id: self.unit.department_id,
                detail: format!(
                    "《{}》征求意见已于{}截止，采纳情况应于{}前公布，逾期未公布",
                    self.title, self.closes_on, self.report_due
                ),
                anchor: format!("report:{}", self.report_due),
            }
        })
    }

    /// The report deadline while the report is not out.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<Vec<Watch>, DomainError> {
        if self.report.is_some() {
            return Ok(Vec::new());
        }
        Ok(vec![date_watch(
            "report",
            "采纳情况公布期限",
            self.unit.department_id,
            self.report_due,
            cal,
            now,
            rules,
        )?])
    }

    /// The comments as CSV (UTF-8 with a byte-order mark, for spreadsheet programs): all of
    /// them for the unit, only the published ones for the public. Names are masked.
    pub fn comments_csv(&self, public: bool) -> String {
        let mut out = String::from("\u{feff}");
        out.push_str(&COMMENT_HEADERS.join(","));
        out.push_str("\r\n");
        for row in self.comment_rows(public) {
            let cells: Vec<String> = row.iter().map(|v| csv_cell(v)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The comments as rows under [`COMMENT_HEADERS`] (the CSV and the workbook): all of them
    /// for the unit, only the published ones for the public. Names are masked.
    pub fn comment_rows(&self, public: bool) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for c in &self.comments {
            if public && !Self::is_public(c) {
                continue;
            }
            let who =
                c.by.name
                    .as_deref()
                    .map(crate::mask::name)
                    .unwrap_or_else(|| "匿名".into());
            let answer = self.answer_of(c.no);
            out.push(vec![
                c.no.to_string(),
                c.version.to_string(),
                c.paragraph
                    .map(|p| format!("第{p}段"))
                    .unwrap_or_else(|| "全文".into()),
                who,
                crate::time::format_local(c.at),
                c.text.clone(),
                c.moderation.label().to_string(),
                answer
                    .map(|a| a.adoption.label().to_string())
                    .unwrap_or_default(),
                answer.map(|a| a.reason.clone()).unwrap_or_default(),
            ]);
        }
        out
    }
}

/// The columns of the comments' export.
pub const COMMENT_HEADERS: [&str; 9] = [
    "编号",
    "版本",
    "段落",
    "提出人",
    "提交时间",
    "意见内容",
    "审核",
    "采纳情况",
    "理由",
];

/// One CSV cell: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
pub fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}
