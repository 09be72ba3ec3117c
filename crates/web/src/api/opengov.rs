//! Open government (政务公开) over JSON: consultations (publish, read, comment, moderate,
//! report) and proposals (register, read, 交办, reply, satisfaction, publish). The same use
//! cases as the pages, so the same checks hold: a comment after the period is 409
//! `opengov.comment_closed`, a report leaving a comment unanswered 422 `opengov.unanswered`,
//! a reply from a unit not given the proposal 403 `opengov.not_assigned`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::opengov::{ConsultationView, MatterLine, ProposalView};
use tongban_domain::opengov::{
    Adoption, AnswerInput, CommentInput, ConsultationStatus, DraftInput, Moderation, ProposalInput,
    ProposalKind, ProposalStatus, ReplyClass, Satisfaction, UnitRole,
};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath};
use crate::session::{ApiAuth, Viewer};
use crate::AppState;

/// A line of a list.
#[derive(Serialize, ToSchema)]
pub struct MatterLineJson {
    pub number: String,
    pub title: String,
    pub status_label: String,
    /// A consultation's last day of comments; a proposal's reply due date.
    pub ends_on: Option<String>,
    /// The deadline the unit answers for, while one runs.
    pub due_date: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: DateTime<Utc>,
}

impl From<MatterLine> for MatterLineJson {
    fn from(l: MatterLine) -> Self {
        MatterLineJson {
            number: l.number,
            title: l.title,
            status_label: l.status_label,
            ends_on: l.ends_on,
            due_date: l.due_date,
            opened_at: l.opened_at,
        }
    }
}

/// A comment as the caller may see it (names masked; the unit sees every comment).
#[derive(Serialize, ToSchema)]
pub struct CommentJson {
    pub no: u32,
    pub version: u32,
    pub paragraph: Option<u32>,
    pub author: String,
    pub text: String,
    pub moderation: Moderation,
    pub adoption: Option<Adoption>,
    pub answer: Option<String>,
}

/// An answer of the adoption report.
#[derive(Serialize, ToSchema)]
pub struct AnswerJson {
    pub no: u32,
    pub comments: Vec<u32>,
    pub adoption: Adoption,
    pub reason: String,
}

/// The figures of a consultation.
#[derive(Serialize, ToSchema)]
pub struct StatsJson {
    pub comments: u32,
    pub published: u32,
    pub adopted: u32,
    pub partly: u32,
    pub not_adopted: u32,
    /// (采纳 + 部分采纳) / answered, whole percent; none before the report.
    pub adoption_rate: Option<u32>,
}

/// A consultation.
#[derive(Serialize, ToSchema)]
pub struct ConsultationJson {
    pub number: String,
    pub version: i64,
    pub status: ConsultationStatus,
    pub status_label: String,
    pub unit: String,
    pub title: String,
    pub explanation: String,
    /// The current version's number and paragraphs.
    pub draft_version: u32,
    pub paragraphs: Vec<String>,
    pub period_days: u32,
    #[schema(value_type = String, format = Date)]
    pub closes_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub report_due: NaiveDate,
    pub comments: Vec<CommentJson>,
    pub report_summary: Option<String>,
    pub answers: Vec<AnswerJson>,
    pub stats: StatsJson,
    pub moderation_rule: String,
}

impl From<ConsultationView> for ConsultationJson {
    fn from(v: ConsultationView) -> Self {
        let cur = v.versions.last().cloned();
        ConsultationJson {
            number: v.number,
            version: v.version,
            status: v.status,
            status_label: v.status_label.into(),
            unit: v.unit,
            title: v.title,
            explanation: v.explanation,
            draft_version: cur.as_ref().map_or(1, |c| c.no),
            paragraphs: cur.map(|c| c.paragraphs).unwrap_or_default(),
            period_days: v.period_days,
            closes_on: v.closes_on,
            report_due: v.report_due,
            comments: v
                .comments
                .into_iter()
                .map(|c| CommentJson {
                    no: c.no,
                    version: c.version,
                    paragraph: c.paragraph,
                    author: c.author,
                    text: c.text,
                    moderation: c.moderation,
                    adoption: c.adoption,
                    answer: c.answer,
                })
                .collect(),
            report_summary: v.report.as_ref().map(|r| r.summary.clone()),
            answers: v
                .report
                .map(|r| {
                    r.answers
                        .into_iter()
                        .map(|a| AnswerJson {
                            no: a.no,
                            comments: a.comments,
                            adoption: a.adoption,
                            reason: a.reason,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            stats: StatsJson {
                comments: v.stats.comments,
                published: v.stats.published,
                adopted: v.stats.adopted,
                partly: v.stats.partly,
                not_adopted: v.stats.not_adopted,
                adoption_rate: v.stats.adoption_rate,
            },
            moderation_rule: v.moderation_rule.into(),
        }
    }
}

/// Consultations: every one for the public, the unit's own for its staff.
#[utoipa::path(get, path = "/api/v1/opengov/consultations", tag = "opengov",
    responses((status = 200, body = [MatterLineJson])))]
pub async fn consultations(
    State(s): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<MatterLineJson>>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let lines = s.app.consultations(actor).await?;
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}

/// A created matter.
#[derive(Serialize, ToSchema)]
pub struct CreatedJson {
    pub number: String,
}

/// The unit publishes a draft for comment (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/consultations", tag = "opengov", request_body = DraftInput,
    responses((status = 201, body = CreatedJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<DraftInput>,
) -> ApiResult<(StatusCode, Json<CreatedJson>)> {
    let number = s.app.publish_consultation(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedJson { number })))
}

/// A consultation: the published comments for the public, all of them for the unit.
#[utoipa::path(get, path = "/api/v1/opengov/consultations/{number}", tag = "opengov",
    params(("number" = String, Path)),
    responses((status = 200, body = ConsultationJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consultation(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<ConsultationJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(s.app.consultation_view(actor, &number).await?.into()))
}

/// A comment's number.
#[derive(Serialize, ToSchema)]
pub struct CommentedJson {
    pub no: u32,
}

/// Anyone comments while the period runs, signed in or not.
#[utoipa::path(post, path = "/api/v1/opengov/consultations/{number}/comments", tag = "opengov",
    params(("number" = String, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentedJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<CommentInput>,
) -> ApiResult<(StatusCode, Json<CommentedJson>)> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let no = s.app.comment_on_consultation(actor, &number, body).await?;
    Ok((StatusCode::CREATED, Json(CommentedJson { no })))
}

/// What the unit does on a consultation.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ConsultationActionBody {
    /// Change the draft: in place before any comment, else a new version with its note.
    Revise {
        draft: String,
        #[serde(default)]
        change_note: Option<String>,
        #[serde(default)]
        version: Option<i64>,
    },
    /// Publish a comment (withheld when its commenter asked) or reject it with a reason.
    Moderate {
        no: u32,
        publish: bool,
        #[serde(default)]
        reason: Option<String>,
    },
    /// The adoption report: every comment answered, all published at once.
    Report {
        summary: String,
        answers: Vec<AnswerInput>,
    },
}

/// The unit revises, moderates or reports (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/consultations/{number}/actions", tag = "opengov",
    params(("number" = String, Path)), request_body = ConsultationActionBody,
    responses((status = 200, body = ConsultationJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consultation_act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<ConsultationActionBody>,
) -> ApiResult<Json<ConsultationJson>> {
    let a = &who.actor;
    match body {
        ConsultationActionBody::Revise {
            draft,
            change_note,
            version,
        } => {
            s.app
                .revise_consultation(a, &number, version, &draft, change_note.as_deref())
                .await?;
        }
        ConsultationActionBody::Moderate {
            no,
            publish,
            reason,
        } => {
            s.app
                .moderate_comment(a, &number, no, publish, reason.as_deref())
                .await?;
        }
        ConsultationActionBody::Report { summary, answers } => {
            s.app
                .report_consultation(a, &number, &summary, &answers)
                .await?;
        }
    }
    Ok(Json(
        s.app.consultation_view(Some(a), &number).await?.into(),
    ))
}

/// A unit given a proposal.
#[derive(Serialize, ToSchema)]
pub struct UnitJson {
    pub department_id: i64,
    pub name: String,
    pub role: UnitRole,
    pub replied: bool,
}

/// A unit's reply letter.
#[derive(Serialize, ToSchema)]
pub struct ProposalReplyJson {
    pub unit: String,
    pub class: ReplyClass,
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// A proposal.
#[derive(Serialize, ToSchema)]
pub struct ProposalJson {
    pub number: String,
    pub version: i64,
    pub kind: ProposalKind,
    pub status: ProposalStatus,
    pub status_label: String,
    pub office: String,
    pub session: String,
    pub official_number: String,
    pub title: String,
    pub proposer: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<NaiveDate>,
    pub units: Vec<UnitJson>,
    pub replies: Vec<ProposalReplyJson>,
    pub satisfaction: Option<Satisfaction>,
    pub agree_publish: Option<bool>,
    pub published: bool,
}

impl From<ProposalView> for ProposalJson {
    fn from(v: ProposalView) -> Self {
        ProposalJson {
            number: v.number,
            version: v.version,
            kind: v.kind,
            status: v.status,
            status_label: v.status_label.into(),
            office: v.office,
            session: v.session,
            official_number: v.official_number,
            title: v.title,
            proposer: v.proposer,
            due: v.due,
            units: v
                .units
                .into_iter()
                .map(|u| UnitJson {
                    department_id: u.department_id,
                    name: u.name,
                    role: u.role,
                    replied: u.replied,
                })
                .collect(),
            replies: v
                .replies
                .into_iter()
                .map(|r| ProposalReplyJson {
                    unit: r.unit,
                    class: r.class,
                    text: r.text,
                    at: r.at,
                })
                .collect(),
            satisfaction: v.satisfaction,
            agree_publish: v.agree_publish,
            published: v.published,
        }
    }
}

/// Proposals: the published ones for the public; the office's and units' for their staff.
#[utoipa::path(get, path = "/api/v1/opengov/proposals", tag = "opengov",
    responses((status = 200, body = [MatterLineJson])))]
pub async fn proposals(
    State(s): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<MatterLineJson>>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let lines = s.app.proposals(actor).await?;
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}

/// The office registers a proposal (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/proposals", tag = "opengov", request_body = ProposalInput,
    responses((status = 201, body = CreatedJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<ProposalInput>,
) -> ApiResult<(StatusCode, Json<CreatedJson>)> {
    let number = s.app.register_proposal(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedJson { number })))
}

/// A proposal as the caller may see it.
#[utoipa::path(get, path = "/api/v1/opengov/proposals/{number}", tag = "opengov",
    params(("number" = String, Path)),
    responses((status = 200, body = ProposalJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn proposal(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<ProposalJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(s.app.proposal_view(actor, &number).await?.into()))
}

/// One unit of a 交办.
#[derive(Deserialize, ToSchema)]
pub struct AssignUnitBody {
    pub department_id: i64,
    pub role: UnitRole,
}

/// A step of proposal handling.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProposalActionBody {
    /// 交办 (the office): one 主办 and any 会办/分办 units.
    Assign {
        units: Vec<AssignUnitBody>,
        #[serde(default)]
        note: Option<String>,
    },
    /// A unit's reply letter (only a unit given the proposal).
    Reply { class: ReplyClass, text: String },
    /// The proposer's satisfaction (the proposer's account, or the office).
    Feedback {
        satisfaction: Satisfaction,
        #[serde(default)]
        remark: Option<String>,
        agree_publish: bool,
    },
    /// Publish the replies (the office; only where the proposer agreed).
    Publish,
}

/// 交办, reply, satisfaction, publication.
#[utoipa::path(post, path = "/api/v1/opengov/proposals/{number}/actions", tag = "opengov",
    params(("number" = String, Path)), request_body = ProposalActionBody,
    responses((status = 200, body = ProposalJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn proposal_act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<ProposalActionBody>,
) -> ApiResult<Json<ProposalJson>> {
    let a = &who.actor;
    match body {
        ProposalActionBody::Assign { units, note } => {
            let units: Vec<(i64, UnitRole)> =
                units.iter().map(|u| (u.department_id, u.role)).collect();
            s.app
                .assign_proposal(a, &number, &units, note.as_deref())
                .await?;
        }
        ProposalActionBody::Reply { class, text } => {
            s.app.reply_proposal(a, &number, class, &text).await?;
        }
        ProposalActionBody::Feedback {
            satisfaction,
            remark,
            agree_publish,
        } => {
            s.app
                .proposal_feedback(a, &number, satisfaction, remark.as_deref(), agree_publish)
                .await?;
        }
        ProposalActionBody::Publish => {
            s.app.publish_proposal(a, &number).await?;
        }
    }
    Ok(Json(s.app.proposal_view(Some(a), &number).await?.into()))
}
