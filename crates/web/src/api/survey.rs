//! 社会评议 and the members' scores over the API: the same use cases as the pages. Those who
//! score open a round of key posts with one-time links for the invited representatives, follow
//! its progress, add links and publish it; a representative answers through their link without
//! an account, once; anyone reads a published round's results. The halls, windows and staff of
//! a published period are read with their formulas and drill-downs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::survey::{NewSurvey, OpenedSurvey, SurveyDesk, SurveyResults, SurveySummary};
use tongban_domain::performance::survey::{Answer, Post, RepKind};
use tongban_domain::performance::{Indicator, MemberKind, MemberScore};
use utoipa::{IntoParams, ToSchema};

use super::performance::DrillJson;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiAuth;
use crate::AppState;

fn ms(t: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(t).map(|t| t.to_rfc3339())
}

/// A round in a list.
#[derive(Serialize, ToSchema)]
pub struct SurveySummaryJson {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub region: String,
    /// `open` (taking answers) or `published`.
    pub status: String,
    pub created_at: Option<String>,
    pub published_at: Option<String>,
    /// Links used.
    pub used: i64,
    /// Links sent.
    pub sent: i64,
}

impl From<SurveySummary> for SurveySummaryJson {
    fn from(r: SurveySummary) -> Self {
        SurveySummaryJson {
            id: r.id,
            name: r.name,
            year: r.year,
            region: r.region,
            status: r.status,
            created_at: ms(r.created_at),
            published_at: r.published_at.and_then(ms),
            used: r.used,
            sent: r.sent,
        }
    }
}

/// One topic's result for a post.
#[derive(Serialize, ToSchema)]
pub struct TopicResultJson {
    /// 依法办事, 服务效能, 工作作风 or 服务建设项目.
    pub topic: String,
    pub answers: i64,
    /// The average points (满意 100, 基本满意 60, 不满意 0) in hundredths.
    pub average: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PostResultJson {
    pub post: Post,
    pub topics: Vec<TopicResultJson>,
}

/// A round's results.
#[derive(Serialize, ToSchema)]
pub struct SurveyResultsJson {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub published: bool,
    pub used: i64,
    pub sent: i64,
    pub posts: Vec<PostResultJson>,
}

impl From<SurveyResults> for SurveyResultsJson {
    fn from(r: SurveyResults) -> Self {
        SurveyResultsJson {
            id: r.id,
            name: r.name,
            year: r.year,
            published: r.published,
            used: r.turnout.0,
            sent: r.turnout.1,
            posts: r
                .posts
                .into_iter()
                .map(|(post, topics)| PostResultJson {
                    post,
                    topics: topics
                        .into_iter()
                        .map(|(topic, answers, average)| TopicResultJson {
                            topic,
                            answers,
                            average,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A representative invited, and when their link was used.
#[derive(Serialize, ToSchema)]
pub struct InvitationJson {
    pub representative: String,
    pub kind: RepKind,
    /// Absent until the link is used.
    pub used_at: Option<String>,
}

/// A round as its staff see it: the results so far and who has answered.
#[derive(Serialize, ToSchema)]
pub struct SurveyDeskJson {
    pub status: String,
    pub results: SurveyResultsJson,
    pub invitations: Vec<InvitationJson>,
}

impl From<SurveyDesk> for SurveyDeskJson {
    fn from(d: SurveyDesk) -> Self {
        SurveyDeskJson {
            status: d.status,
            results: d.results.into(),
            invitations: d
                .invitations
                .into_iter()
                .map(|i| InvitationJson {
                    representative: i.representative,
                    kind: i.kind,
                    used_at: i.used_at.and_then(ms),
                })
                .collect(),
        }
    }
}

/// A representative to invite.
#[derive(Deserialize, ToSchema)]
pub struct RepresentativeBody {
    /// The representative's name or company.
    pub name: String,
    pub kind: RepKind,
}

/// A round to open.
#[derive(Deserialize, ToSchema)]
pub struct SurveyBody {
    pub name: String,
    pub year: i64,
    /// The key posts, each of a department of the caller's region.
    pub posts: Vec<Post>,
    pub representatives: Vec<RepresentativeBody>,
}

/// A link issued: give `/survey/{token}` to the representative. Shown this once; only its hash
/// is kept.
#[derive(Serialize, ToSchema)]
pub struct LinkJson {
    pub representative: String,
    pub token: String,
    pub path: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpenedJson {
    pub id: i64,
    pub links: Vec<LinkJson>,
}

impl From<OpenedSurvey> for OpenedJson {
    fn from(o: OpenedSurvey) -> Self {
        OpenedJson {
            id: o.id,
            links: o
                .links
                .into_iter()
                .map(|(representative, token)| LinkJson {
                    representative,
                    path: format!("/survey/{token}"),
                    token,
                })
                .collect(),
        }
    }
}

fn reps(b: Vec<RepresentativeBody>) -> Vec<(String, RepKind)> {
    b.into_iter().map(|r| (r.name, r.kind)).collect()
}

/// The rounds of the caller's region, newest first (监察人员, 中心领导, administrators).
#[utoipa::path(get, path = "/api/v1/performance/surveys", tag = "performance",
    responses((status = 200, body = [SurveySummaryJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn surveys(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<SurveySummaryJson>>> {
    let rows = s.app.surveys(&who.actor).await?;
    Ok(Json(
        rows.into_iter().map(SurveySummaryJson::from).collect(),
    ))
}

/// Opens a round of the caller's region and issues each representative a one-time link
/// (`performance.survey` when a name, a post or the representatives are missing; nothing is
/// written).
#[utoipa::path(post, path = "/api/v1/performance/surveys", tag = "performance",
    request_body = SurveyBody,
    responses((status = 201, body = OpenedJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<SurveyBody>,
) -> ApiResult<(StatusCode, Json<OpenedJson>)> {
    let round = NewSurvey {
        name: b.name,
        year: b.year,
        posts: b.posts,
        representatives: reps(b.representatives),
    };
    let opened = s.app.open_survey(&who.actor, &round).await?;
    Ok((StatusCode::CREATED, Json(opened.into())))
}

/// A round of the caller's region: its results so far and each invitation's progress.
#[utoipa::path(get, path = "/api/v1/performance/surveys/{id}", tag = "performance",
    params(("id" = i64, Path, description = "社会评议 id")),
    responses((status = 200, body = SurveyDeskJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn desk(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SurveyDeskJson>> {
    Ok(Json(s.app.survey_desk(&who.actor, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct InviteBody {
    pub representatives: Vec<RepresentativeBody>,
}

/// Issues more one-time links for an open round (409 `performance.survey_closed` once it is
/// published).
#[utoipa::path(post, path = "/api/v1/performance/surveys/{id}/invitations", tag = "performance",
    params(("id" = i64, Path, description = "社会评议 id")), request_body = InviteBody,
    responses((status = 201, body = OpenedJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<InviteBody>,
) -> ApiResult<(StatusCode, Json<OpenedJson>)> {
    let opened = s
        .app
        .invite_to_survey(&who.actor, id, &reps(b.representatives))
        .await?;
    Ok((StatusCode::CREATED, Json(opened.into())))
}

/// Publishes a round: its results become public and count in the year's score; its unused
/// links stop working (409 `performance.survey_closed` when already published).
#[utoipa::path(post, path = "/api/v1/performance/surveys/{id}/publish", tag = "performance",
    params(("id" = i64, Path, description = "社会评议 id")),
    responses((status = 200, body = SurveyResultsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SurveyResultsJson>> {
    Ok(Json(s.app.publish_survey(&who.actor, id).await?.into()))
}

/// The published rounds (public), newest first.
#[utoipa::path(get, path = "/api/v1/public/surveys", tag = "performance",
    responses((status = 200, body = [SurveySummaryJson])))]
pub async fn published(State(s): State<AppState>) -> ApiResult<Json<Vec<SurveySummaryJson>>> {
    let rows = s.app.published_surveys().await?;
    Ok(Json(
        rows.into_iter().map(SurveySummaryJson::from).collect(),
    ))
}

/// A published round's results (public; 404 before it is published).
#[utoipa::path(get, path = "/api/v1/public/surveys/{id}", tag = "performance",
    params(("id" = i64, Path, description = "社会评议 id")),
    responses((status = 200, body = SurveyResultsJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn results(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SurveyResultsJson>> {
    Ok(Json(s.app.survey_results(None, id).await?.into()))
}

/// What a link asks: the round, who it was issued to, the posts; the topics and choices are
/// the closed sets `Topic` and `Choice`.
#[derive(Serialize, ToSchema)]
pub struct SurveyFormJson {
    pub round: String,
    pub representative: String,
    pub posts: Vec<Post>,
}

/// The form a one-time link opens (no account). 404 `performance.survey_link` for an unknown
/// link, 409 `performance.survey_used` once used, 409 `performance.survey_closed` once the
/// round is published.
#[utoipa::path(get, path = "/api/v1/public/survey-links/{token}", tag = "performance",
    params(("token" = String, Path, description = "评议链接中的令牌")),
    responses((status = 200, body = SurveyFormJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn form(
    State(s): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<SurveyFormJson>> {
    let f = s.app.survey_form(&token).await?;
    Ok(Json(SurveyFormJson {
        round: f.round,
        representative: f.representative,
        posts: f.posts,
    }))
}

/// A representative's answers: every post (by its place in `posts`, from 0) on every topic,
/// once (`performance.survey_answers`, 422).
#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    pub answers: Vec<Answer>,
}

/// Answers through a one-time link (no account): written once, with the link's use; a second
/// use is 409 `performance.survey_used` and writes nothing.
#[utoipa::path(post, path = "/api/v1/public/survey-links/{token}", tag = "performance",
    params(("token" = String, Path, description = "评议链接中的令牌")), request_body = AnswersBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(s): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<AnswersBody>,
) -> ApiResult<StatusCode> {
    s.app.answer_survey(&token, &b.answers).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The halls, windows or staff of a published period scored (staff of its region; a
/// department's staff see their own windows and staff), best first, each line with its
/// formula.
#[utoipa::path(get, path = "/api/v1/performance/periods/{id}/members/{group}", tag = "performance",
    params(("id" = i64, Path, description = "考评期 id"), ("group" = MemberKind, Path, description = "hall、window 或 staff")),
    responses((status = 200, body = [MemberScore]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn members(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath((id, group)): ApiPath<(i64, MemberKind)>,
) -> ApiResult<Json<Vec<MemberScore>>> {
    Ok(Json(
        s.app.member_scores(&who.actor, id, group).await?.scores,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct MemberDrillQuery {
    pub indicator: Indicator,
}

/// The cases, findings or ratings behind one member's value.
#[utoipa::path(get, path = "/api/v1/performance/periods/{id}/members/{group}/{member}/drill", tag = "performance",
    params(("id" = i64, Path, description = "考评期 id"), ("group" = MemberKind, Path, description = "hall、window 或 staff"), ("member" = i64, Path, description = "大厅、窗口或人员 id"), MemberDrillQuery),
    responses((status = 200, body = [DrillJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn member_drill(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath((id, group, member)): ApiPath<(i64, MemberKind, i64)>,
    ApiQuery(q): ApiQuery<MemberDrillQuery>,
) -> ApiResult<Json<Vec<DrillJson>>> {
    let rows = s
        .app
        .member_drill(&who.actor, id, group, member, q.indicator)
        .await?;
    Ok(Json(rows.into_iter().map(DrillJson::from).collect()))
}
