//! Open government for the public, beyond the matters: followers told through the one
//! outbox, the comments as a workbook, each unit's public commitments (公开承诺) with how they
//! are kept, and the leaders' visiting schedule (领导接访) per week.
//!
//! * Only a citizen's account follows (`opengov.follow`); a follower hears of a consultation's
//!   new version and its adoption report, a proposal's published replies, a notice's outcome
//!   and a meeting's minutes.
//! * A unit's staff publish its commitments, change their status with a note, and publish
//!   visiting sessions; everyone reads them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::case::Case;
use tongban_domain::codes;
use tongban_domain::opengov::{
    breach_of, licensing_result, status_note, week_of, CommitmentInput, CommitmentScope,
    CommitmentStatus, Consultation, VisitInput, COMMENT_HEADERS, LICENSING_PREFIX,
};
use tongban_domain::org::{Actor, Role};
use tongban_domain::supervision::SubjectKind;
use tongban_domain::time::local_date;
use tongban_store::cases::NotificationRow;
use tongban_store::opengov::{Breach, NewCommitment, NewVisit, OpengovRow};
use tongban_store::outbox::{EMAIL, SMS};

use crate::{App, AppError, Result};

/// A commitment as everyone sees it, with how it has been kept.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    pub id: i64,
    pub department_id: i64,
    pub unit: String,
    pub title: String,
    pub time_limit: String,
    pub standard: String,
    pub status: CommitmentStatus,
    pub status_label: &'static str,
    /// What it covers, and so what breaks it automatically.
    pub covers: CommitmentScope,
    pub covers_label: &'static str,
    pub note: String,
    pub updated_at: DateTime<Utc>,
    pub log: Vec<CommitmentLogLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentLogLine {
    pub status_label: &'static str,
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One 行政许可 decision on the public list (双公示), read from its decided case.
#[derive(Debug, Clone, Serialize)]
pub struct LicensingLine {
    pub document: String,
    /// Masked when a natural person.
    pub holder: String,
    pub holder_kind: &'static str,
    pub holder_code: Option<String>,
    pub item: String,
    pub result_name: String,
    pub department_id: i64,
    pub unit: String,
    pub decided_at: DateTime<Utc>,
    /// The decision's day, Beijing time.
    pub decided_on: NaiveDate,
}

/// How many decisions the public list shows.
const LICENSING_LINES: i64 = 200;

/// One visiting session.
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: i64,
    pub unit: String,
    pub leader: String,
    pub post: String,
    pub day: String,
    pub weekday: &'static str,
    pub hours: String,
    pub place: String,
    pub topics: String,
}

/// A week of the visiting schedule.
#[derive(Debug, Clone, Serialize)]
pub struct VisitWeek {
    pub monday: NaiveDate,
    pub sunday: NaiveDate,
    pub previous: NaiveDate,
    pub next: NaiveDate,
    pub visits: Vec<VisitView>,
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

impl App {
    // ------------------------------------------------------------------ followers

    /// A citizen follows (or stops following) a consultation, a proposal they may see, a
    /// notice or a meeting. Returns whether it is followed afterwards.
    pub async fn follow_matter(
        &self,
        actor: &Actor,
        kind: SubjectKind,
        number: &str,
        follow: bool,
    ) -> Result<bool> {
        if actor.role != Role::Applicant {
            return Err(AppError::of(codes::Opengov::Follow));
        }
        let row = self.visible_matter(Some(actor), kind, number).await?;
        let entry = self.entry(
            actor,
            "opengov.follow",
            format!("{}:{}", kind.as_str(), row.number),
            format!(
                "{}{} {}",
                if follow { "关注" } else { "取消关注" },
                kind.label(),
                row.number
            ),
        );
        Ok(self
            .store
            .set_following(row.id, actor.user_id, follow, entry, self.now())
            .await?)
    }

    /// Whether `viewer` follows the matter.
    pub async fn follows(
        &self,
        viewer: Option<&Actor>,
        kind: SubjectKind,
        number: &str,
    ) -> Result<bool> {
        let Some(a) = viewer.filter(|a| a.role == Role::Applicant) else {
            return Ok(false);
        };
        let Some(row) = self.store.opengov_by_number(kind, number.trim()).await? else {
            return Ok(false);
        };
        Ok(self.store.is_following(row.id, a.user_id).await?)
    }

    /// The matter's row when `viewer` may see it.
    async fn visible_matter(
        &self,
        viewer: Option<&Actor>,
        kind: SubjectKind,
        number: &str,
    ) -> Result<OpengovRow> {
        match kind {
            SubjectKind::Proposal => {
                self.proposal_view(viewer, number).await?;
            }
            SubjectKind::Consultation | SubjectKind::Publicity | SubjectKind::Meeting => {}
            _ => return Err(AppError::of(codes::Opengov::NotFound)),
        }
        self.store
            .opengov_by_number(kind, number.trim())
            .await?
            .ok_or_else(|| AppError::of(codes::Opengov::NotFound))
    }

    /// The messages that tell a matter's followers `news` (none without news).
    pub(crate) async fn follower_notices(
        &self,
        matter_id: i64,
        number: &str,
        news: &Option<String>,
    ) -> Result<Vec<NotificationRow>> {
        let Some(news) = news else {
            return Ok(Vec::new());
        };
        let body = format!("【通办】{news}（{number}）");
        let mut out = Vec::new();
        for f in self.store.opengov_followers(matter_id).await? {
            for (channel, address) in [(SMS, f.phone), (EMAIL, f.email)] {
                if let Some(address) = address.filter(|a| !a.is_empty()) {
                    out.push(NotificationRow {
                        channel: channel.into(),
                        recipient: address,
                        subject: "您关注的政务公开事项有新进展".into(),
                        body: body.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    // ------------------------------------------------------------------ xlsx

    /// The comments as a workbook: all of them for the unit and supervisors, the published
    /// ones for everyone else. Returns the file name and the bytes.
    pub async fn consultation_comments_xlsx(
        &self,
        viewer: Option<&Actor>,
        number: &str,
    ) -> Result<(String, Vec<u8>)> {
        use tongban_exchange::table::{workbook, Value};
        let (row, c): (OpengovRow, Consultation) =
            self.load_matter(SubjectKind::Consultation, number).await?;
        let staff = viewer.is_some_and(|a| Self::runs(a, &c.unit) || Self::oversees(a, &c.unit));
        let rows: Vec<Vec<Value>> = c
            .comment_rows(!staff)
            .into_iter()
            .map(|r| r.into_iter().map(Value::from).collect())
            .collect();
        let bytes = workbook(&format!("{}意见", row.number), &COMMENT_HEADERS, &rows)
            .map_err(AppError::internal)?;
        Ok((format!("comments-{}.xlsx", row.number), bytes))
    }

    // ------------------------------------------------------------------ commitments

    /// The unit's staff publish a commitment; returns its id.
    pub async fn publish_commitment(&self, actor: &Actor, input: CommitmentInput) -> Result<i64> {
        let unit = self.unit_of(actor).await?;
        let t = input.check()?;
        let entry = self.entry(
            actor,
            "opengov.commitment.publish",
            format!("department:{}", unit.department_id),
            format!("{}公开承诺：{}（{}）", unit.name, t.title, t.time_limit),
        );
        Ok(self
            .store
            .insert_commitment(
                &NewCommitment {
                    department_id: unit.department_id,
                    region: unit.region,
                    title: t.title,
                    time_limit: t.time_limit,
                    standard: t.standard,
                    status: CommitmentStatus::Keeping.as_str().into(),
                    note: "公开承诺".into(),
                    actor_name: actor.name.clone(),
                    covers: t.covers.as_str().into(),
                },
                entry,
                self.now(),
            )
            .await?)
    }

    /// The unit's staff record how a commitment is kept, with a note.
    pub async fn set_commitment_status(
        &self,
        actor: &Actor,
        id: i64,
        status: CommitmentStatus,
        note: &str,
    ) -> Result<()> {
        let row = self
            .store
            .commitment(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Opengov::NotFound))?;
        let unit = self.unit_of(actor).await?;
        if unit.department_id != row.department_id {
            return Err(AppError::of(codes::Opengov::NotUnit));
        }
        let note = status_note(note)?;
        let entry = self.entry(
            actor,
            "opengov.commitment.status",
            format!("department:{}", row.department_id),
            format!("公开承诺“{}”：{}", row.title, status.label()),
        );
        self.store
            .set_commitment_status(id, status.as_str(), &note, &actor.name, entry, self.now())
            .await?;
        Ok(())
    }

    /// The red light of a deadline has fired: when it is a case's 承诺办结期限 or the 办理时限 of
    /// a ticket a unit holds, every commitment of that unit covering it is broken, its public
    /// log naming the case or ticket, once each ([`breach_of`]). Returns how many it broke.
    pub(crate) async fn breach_commitments(
        &self,
        kind: SubjectKind,
        clock: &str,
        department_id: i64,
        region: &str,
        number: &str,
    ) -> Result<usize> {
        let Some((scope, note)) = breach_of(kind, clock, department_id, number) else {
            return Ok(0);
        };
        let audit = self
            .system_entry(
                "opengov.commitment.breach",
                format!("department:{department_id}"),
                format!("公开承诺（{}）未兑现：{note}", scope.label()),
            )
            .in_region_str(Some(region));
        Ok(self
            .store
            .breach_commitments(
                &Breach {
                    department_id,
                    covers: scope.as_str(),
                    subject_kind: kind.as_str(),
                    subject_number: number,
                    status: CommitmentStatus::Broken.as_str(),
                    note: &note,
                    actor_name: "系统",
                },
                audit,
                self.now(),
            )
            .await?)
    }

    /// Commitments with their logs: one unit's, or every unit's.
    pub async fn commitments(&self, department_id: Option<i64>) -> Result<Vec<CommitmentView>> {
        let names: std::collections::HashMap<i64, String> = self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let mut out = Vec::new();
        for r in self.store.commitments(department_id).await? {
            let status = CommitmentStatus::parse(&r.status).unwrap_or(CommitmentStatus::Keeping);
            let covers = CommitmentScope::parse(&r.covers).unwrap_or(CommitmentScope::Manual);
            let log = self
                .store
                .commitment_log(r.id)
                .await?
                .into_iter()
                .map(|l| CommitmentLogLine {
                    status_label: CommitmentStatus::parse(&l.status)
                        .unwrap_or(CommitmentStatus::Keeping)
                        .label(),
                    note: l.note,
                    by: l.actor_name,
                    at: at_ms(l.at),
                })
                .collect();
            out.push(CommitmentView {
                id: r.id,
                department_id: r.department_id,
                unit: names.get(&r.department_id).cloned().unwrap_or_default(),
                title: r.title,
                time_limit: r.time_limit,
                standard: r.standard,
                status,
                status_label: status.label(),
                covers,
                covers_label: covers.label(),
                note: r.note,
                updated_at: at_ms(r.updated_at),
                log,
            });
        }
        Ok(out)
    }

    // ------------------------------------------------------------------ 双公示

    /// 行政许可结果公示: the latest 行政许可 decisions granted, of one unit or all, read from
    /// the decided cases themselves (never a copy), each public from the moment it is
    /// decided, a natural person's name masked ([`licensing_result`]).
    pub async fn licensing_results(
        &self,
        department_id: Option<i64>,
    ) -> Result<Vec<LicensingLine>> {
        let names: std::collections::HashMap<i64, String> = self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let mut out = Vec::new();
        for row in self
            .store
            .decided_cases(LICENSING_PREFIX, department_id, LICENSING_LINES)
            .await?
        {
            let case: Case = serde_json::from_str(&row.state).map_err(AppError::internal)?;
            let Some(r) = licensing_result(&case) else {
                continue;
            };
            out.push(LicensingLine {
                holder_kind: r.holder_kind.label(),
                unit: names.get(&r.department_id).cloned().unwrap_or_default(),
                decided_on: local_date(r.decided_at),
                document: r.document,
                holder: r.holder,
                holder_code: r.holder_code,
                item: r.item,
                result_name: r.result_name,
                department_id: r.department_id,
                decided_at: r.decided_at,
            });
        }
        Ok(out)
    }

    // ------------------------------------------------------------------ visits

    /// The unit's staff publish a visiting session; returns its id.
    pub async fn publish_visit(&self, actor: &Actor, input: VisitInput) -> Result<i64> {
        let unit = self.unit_of(actor).await?;
        let v = input.check()?;
        let entry = self.entry(
            actor,
            "opengov.visit.publish",
            format!("department:{}", unit.department_id),
            format!("领导接访：{}{} {} {}", v.post, v.leader, v.day, v.hours),
        );
        Ok(self
            .store
            .insert_visit(
                &NewVisit {
                    department_id: unit.department_id,
                    region: unit.region,
                    leader: v.leader,
                    post: v.post,
                    day: v.day,
                    hours: v.hours,
                    place: v.place,
                    topics: v.topics,
                },
                entry,
                self.now(),
            )
            .await?)
    }

    /// The visiting schedule of the week holding `day` (this week when none).
    pub async fn visit_week(&self, day: Option<NaiveDate>) -> Result<VisitWeek> {
        let monday = week_of(day.unwrap_or_else(|| local_date(self.now())));
        let sunday = monday + chrono::Duration::days(6);
        let names: std::collections::HashMap<i64, String> = self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let visits = self
            .store
            .visits_between(monday, sunday)
            .await?
            .into_iter()
            .map(|v| {
                let weekday = NaiveDate::parse_from_str(&v.day, "%Y-%m-%d")
                    .map(|d| {
                        WEEKDAYS[chrono::Datelike::weekday(&d).num_days_from_monday() as usize]
                    })
                    .unwrap_or("");
                VisitView {
                    id: v.id,
                    unit: names.get(&v.department_id).cloned().unwrap_or_default(),
                    leader: v.leader,
                    post: v.post,
                    day: v.day,
                    weekday,
                    hours: v.hours,
                    place: v.place,
                    topics: v.topics,
                }
            })
            .collect();
        Ok(VisitWeek {
            monday,
            sunday,
            previous: monday - chrono::Duration::days(7),
            next: monday + chrono::Duration::days(7),
            visits,
        })
    }
}
