//! Open government over JSON, second part: publicity notices (公示) and their objections,
//! open meetings with registration and minutes, public commitments, the visiting schedule and
//! following a matter. The same use cases as the pages: a period shorter than its area's
//! minimum is 422 `opengov.publicity_short`, an objection after the period 409
//! `opengov.objection_closed`, a registration past capacity 409 `opengov.meeting_full`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::opengov::{CommitmentView, MeetingView, PublicityView, VisitWeek};
use tongban_domain::opengov::{
    AttendInput, CommitmentInput, CommitmentScope, CommitmentStatus, MeetingInput, MeetingKind,
    MeetingStatus, ObjectionInput, PublicityArea, PublicityInput, PublicityStage, PublicityStatus,
    QuestionInput, VisitInput,
};
use tongban_domain::supervision::SubjectKind;
use utoipa::{IntoParams, ToSchema};

use super::opengov::{CreatedJson, MatterLineJson};
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiAuth, Viewer};
use crate::AppState;

/// An objection and its reply (names masked).
#[derive(Serialize, ToSchema)]
pub struct ObjectionJson {
    pub no: u32,
    pub author: String,
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    #[schema(value_type = String, format = Date)]
    pub reply_due: NaiveDate,
    pub reply: Option<String>,
}

/// A publicity notice.
#[derive(Serialize, ToSchema)]
pub struct NoticeJson {
    pub number: String,
    pub version: i64,
    pub area: PublicityArea,
    pub stage: PublicityStage,
    pub status: PublicityStatus,
    pub unit: String,
    pub title: String,
    pub body: String,
    /// The 预公开 this 结果公示 follows.
    pub linked: Option<String>,
    /// The 结果公示 that follow this 预公开.
    pub followed_by: Vec<String>,
    pub days: u32,
    pub counting: String,
    #[schema(value_type = String, format = DateTime)]
    pub published_at: DateTime<Utc>,
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub outcome_due: NaiveDate,
    pub objections: Vec<ObjectionJson>,
    pub outcome: Option<String>,
}

impl From<PublicityView> for NoticeJson {
    fn from(v: PublicityView) -> Self {
        NoticeJson {
            number: v.number,
            version: v.version,
            area: v.area,
            stage: v.stage,
            status: v.status,
            unit: v.unit,
            title: v.title,
            body: v.body,
            linked: v.linked,
            followed_by: v.followed_by,
            days: v.days,
            counting: v.counting_label.into(),
            published_at: v.published_at,
            ends_on: v.ends_on,
            outcome_due: v.outcome_due,
            objections: v
                .objections
                .into_iter()
                .map(|o| ObjectionJson {
                    no: o.no,
                    author: o.author,
                    text: o.text,
                    at: o.at,
                    reply_due: o.reply_due,
                    reply: o.reply,
                })
                .collect(),
            outcome: v.outcome,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct NoticeQuery {
    /// Only the notices of one key area.
    pub area: Option<PublicityArea>,
}

/// Notices of the eight key areas (the permanent archive); the unit's own for its staff.
#[utoipa::path(get, path = "/api/v1/opengov/notices", tag = "opengov", params(NoticeQuery),
    responses((status = 200, body = [MatterLineJson]), (status = 422, body = ErrorBody)))]
pub async fn notices(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> ApiResult<Json<Vec<MatterLineJson>>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let lines = s.app.publicities(actor, q.area).await?;
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}

/// The unit publishes a notice; its period is checked against its area's minimum.
#[utoipa::path(post, path = "/api/v1/opengov/notices", tag = "opengov", request_body = PublicityInput,
    responses((status = 201, body = CreatedJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_notice(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<PublicityInput>,
) -> ApiResult<(StatusCode, Json<CreatedJson>)> {
    let number = s.app.publish_publicity(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedJson { number })))
}

/// A notice with its objections and replies.
#[utoipa::path(get, path = "/api/v1/opengov/notices/{number}", tag = "opengov",
    params(("number" = String, Path)),
    responses((status = 200, body = NoticeJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn notice(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<NoticeJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(s.app.publicity_view(actor, &number).await?.into()))
}

/// A number given back.
#[derive(Serialize, ToSchema)]
pub struct NoJson {
    pub no: u32,
}

/// Anyone objects while the period runs.
#[utoipa::path(post, path = "/api/v1/opengov/notices/{number}/objections", tag = "opengov",
    params(("number" = String, Path)), request_body = ObjectionInput,
    responses((status = 201, body = NoJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn object(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<ObjectionInput>,
) -> ApiResult<(StatusCode, Json<NoJson>)> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let no = s.app.object_to_publicity(actor, &number, body).await?;
    Ok((StatusCode::CREATED, Json(NoJson { no })))
}

/// What the unit does on a notice.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NoticeActionBody {
    /// Answer objection `no`.
    Answer { no: u32, reply: String },
    /// Record the outcome once the period has ended and every objection is answered.
    Close { outcome: String },
}

/// The unit answers an objection or records the outcome (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/notices/{number}/actions", tag = "opengov",
    params(("number" = String, Path)), request_body = NoticeActionBody,
    responses((status = 200, body = NoticeJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn notice_act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<NoticeActionBody>,
) -> ApiResult<Json<NoticeJson>> {
    let a = &who.actor;
    match body {
        NoticeActionBody::Answer { no, reply } => {
            s.app.answer_objection(a, &number, no, &reply).await?
        }
        NoticeActionBody::Close { outcome } => s.app.close_publicity(a, &number, &outcome).await?,
    }
    Ok(Json(s.app.publicity_view(Some(a), &number).await?.into()))
}

// ---------------------------------------------------------------------------- meetings

/// An open meeting (who registered only for the unit).
#[derive(Serialize, ToSchema)]
pub struct MeetingJson {
    pub number: String,
    pub version: i64,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub unit: String,
    pub title: String,
    pub agenda: Vec<String>,
    pub place: String,
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: DateTime<Utc>,
    pub capacity: u32,
    pub registered: u32,
    pub seats_left: u32,
    #[schema(value_type = String, format = Date)]
    pub minutes_due: NaiveDate,
    pub minutes: Option<String>,
    pub attendance: Option<u32>,
    pub decisions: Vec<String>,
    /// Questions from the public (公开述职、公开问询), the askers' names masked.
    pub questions: Vec<QuestionJson>,
}

/// A question to a 公开述职 or 公开问询 and its answer.
#[derive(Serialize, ToSchema)]
pub struct QuestionJson {
    pub no: u32,
    pub author: String,
    pub text: String,
    pub answer: Option<String>,
}

impl From<MeetingView> for MeetingJson {
    fn from(v: MeetingView) -> Self {
        MeetingJson {
            number: v.number,
            version: v.version,
            kind: v.kind,
            status: v.status,
            unit: v.unit,
            title: v.title,
            agenda: v.agenda,
            place: v.place,
            starts_at: v.starts_at,
            capacity: v.capacity,
            registered: v.registered,
            seats_left: v.seats_left,
            minutes_due: v.minutes_due,
            minutes: v.minutes,
            attendance: v.attendance,
            decisions: v.decisions,
            questions: v
                .questions
                .into_iter()
                .map(|q| QuestionJson {
                    no: q.no,
                    author: q.author,
                    text: q.text,
                    answer: q.answer,
                })
                .collect(),
        }
    }
}

/// Open meetings; the unit's own for its staff.
#[utoipa::path(get, path = "/api/v1/opengov/meetings", tag = "opengov",
    responses((status = 200, body = [MatterLineJson])))]
pub async fn meetings(
    State(s): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<MatterLineJson>>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(
        s.app
            .meetings(actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// The unit announces a meeting with its agenda, the setting's days before.
#[utoipa::path(post, path = "/api/v1/opengov/meetings", tag = "opengov", request_body = MeetingInput,
    responses((status = 201, body = CreatedJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn announce(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<MeetingInput>,
) -> ApiResult<(StatusCode, Json<CreatedJson>)> {
    let number = s.app.announce_meeting(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedJson { number })))
}

/// A meeting: its agenda, seats, minutes.
#[utoipa::path(get, path = "/api/v1/opengov/meetings/{number}", tag = "opengov",
    params(("number" = String, Path)),
    responses((status = 200, body = MeetingJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn meeting(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<MeetingJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(s.app.meeting_view(actor, &number).await?.into()))
}

/// Anyone registers to attend, up to the capacity; confirmed by SMS.
#[utoipa::path(post, path = "/api/v1/opengov/meetings/{number}/registrations", tag = "opengov",
    params(("number" = String, Path)), request_body = AttendInput,
    responses((status = 201, body = NoJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attend(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<AttendInput>,
) -> ApiResult<(StatusCode, Json<NoJson>)> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let no = s.app.register_to_attend(actor, &number, body).await?;
    Ok((StatusCode::CREATED, Json(NoJson { no })))
}

/// Anyone asks a 公开述职 or 公开问询 a question before it begins.
#[utoipa::path(post, path = "/api/v1/opengov/meetings/{number}/questions", tag = "opengov",
    params(("number" = String, Path)), request_body = QuestionInput,
    responses((status = 201, body = NoJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ask(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<QuestionInput>,
) -> ApiResult<(StatusCode, Json<NoJson>)> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let no = s.app.ask_question(actor, &number, body).await?;
    Ok((StatusCode::CREATED, Json(NoJson { no })))
}

/// The unit's answer to a question.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    pub no: u32,
    pub reply: String,
}

/// The unit answers a question, once (its staff); the asker who left a contact is told.
#[utoipa::path(post, path = "/api/v1/opengov/meetings/{number}/answers", tag = "opengov",
    params(("number" = String, Path)), request_body = AnswerBody,
    responses((status = 200, body = MeetingJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<Json<MeetingJson>> {
    let a = &who.actor;
    s.app
        .answer_question(a, &number, body.no, &body.reply)
        .await?;
    Ok(Json(s.app.meeting_view(Some(a), &number).await?.into()))
}

/// The minutes, with attendance and decisions.
#[derive(Deserialize, ToSchema)]
pub struct MinutesBody {
    pub minutes: String,
    #[serde(default)]
    pub attendance: u32,
    /// One decision a line.
    #[serde(default)]
    pub decisions: String,
}

/// The unit publishes the minutes once the meeting has begun (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/meetings/{number}/minutes", tag = "opengov",
    params(("number" = String, Path)), request_body = MinutesBody,
    responses((status = 200, body = MeetingJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn minutes(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<MinutesBody>,
) -> ApiResult<Json<MeetingJson>> {
    let a = &who.actor;
    s.app
        .publish_minutes(a, &number, &body.minutes, body.attendance, &body.decisions)
        .await?;
    Ok(Json(s.app.meeting_view(Some(a), &number).await?.into()))
}

// ---------------------------------------------------------------------------- commitments

/// A change of a commitment's status.
#[derive(Serialize, ToSchema)]
pub struct CommitmentLogJson {
    pub status: String,
    pub note: String,
    pub by: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// A public commitment and how it is kept.
#[derive(Serialize, ToSchema)]
pub struct CommitmentJson {
    pub id: i64,
    pub department_id: i64,
    pub unit: String,
    pub title: String,
    pub time_limit: String,
    pub standard: String,
    pub status: CommitmentStatus,
    /// What it covers: `cases` and `tickets` are broken automatically by the unit's late ones.
    pub covers: CommitmentScope,
    pub note: String,
    pub log: Vec<CommitmentLogJson>,
}

impl From<CommitmentView> for CommitmentJson {
    fn from(c: CommitmentView) -> Self {
        CommitmentJson {
            id: c.id,
            department_id: c.department_id,
            unit: c.unit,
            title: c.title,
            time_limit: c.time_limit,
            standard: c.standard,
            status: c.status,
            covers: c.covers,
            note: c.note,
            log: c
                .log
                .into_iter()
                .map(|l| CommitmentLogJson {
                    status: l.status_label.into(),
                    note: l.note,
                    by: l.by,
                    at: l.at,
                })
                .collect(),
        }
    }
}

/// Every unit's commitments.
#[utoipa::path(get, path = "/api/v1/opengov/commitments", tag = "opengov",
    responses((status = 200, body = [CommitmentJson])))]
pub async fn commitments(State(s): State<AppState>) -> ApiResult<Json<Vec<CommitmentJson>>> {
    Ok(Json(
        s.app
            .commitments(None)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// An id given back.
#[derive(Serialize, ToSchema)]
pub struct IdJson {
    pub id: i64,
}

/// The unit publishes a commitment (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/commitments", tag = "opengov", request_body = CommitmentInput,
    responses((status = 201, body = IdJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_commitment(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<CommitmentInput>,
) -> ApiResult<(StatusCode, Json<IdJson>)> {
    let id = s.app.publish_commitment(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(IdJson { id })))
}

/// A status with its note.
#[derive(Deserialize, ToSchema)]
pub struct CommitmentStatusBody {
    pub status: CommitmentStatus,
    pub note: String,
}

/// The unit records how a commitment is kept (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/commitments/{id}/status", tag = "opengov",
    params(("id" = i64, Path)), request_body = CommitmentStatusBody,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn commitment_status(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CommitmentStatusBody>,
) -> ApiResult<StatusCode> {
    s.app
        .set_commitment_status(&who.actor, id, body.status, &body.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------- visits

/// One visiting session.
#[derive(Serialize, ToSchema)]
pub struct VisitJson {
    pub id: i64,
    pub unit: String,
    pub leader: String,
    pub post: String,
    pub day: String,
    pub hours: String,
    pub place: String,
    pub topics: String,
}

/// A week of the visiting schedule.
#[derive(Serialize, ToSchema)]
pub struct VisitWeekJson {
    #[schema(value_type = String, format = Date)]
    pub monday: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub sunday: NaiveDate,
    pub visits: Vec<VisitJson>,
}

impl From<VisitWeek> for VisitWeekJson {
    fn from(w: VisitWeek) -> Self {
        VisitWeekJson {
            monday: w.monday,
            sunday: w.sunday,
            visits: w
                .visits
                .into_iter()
                .map(|v| VisitJson {
                    id: v.id,
                    unit: v.unit,
                    leader: v.leader,
                    post: v.post,
                    day: v.day,
                    hours: v.hours,
                    place: v.place,
                    topics: v.topics,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct WeekQuery {
    /// Any day of the week wanted (YYYY-MM-DD); this week when absent.
    #[param(value_type = Option<String>, format = Date)]
    pub week: Option<NaiveDate>,
}

/// The leaders' visiting schedule of a week.
#[utoipa::path(get, path = "/api/v1/opengov/visits", tag = "opengov", params(WeekQuery),
    responses((status = 200, body = VisitWeekJson), (status = 422, body = ErrorBody)))]
pub async fn visits(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> ApiResult<Json<VisitWeekJson>> {
    Ok(Json(s.app.visit_week(q.week).await?.into()))
}

/// The unit publishes a visiting session (its staff).
#[utoipa::path(post, path = "/api/v1/opengov/visits", tag = "opengov", request_body = VisitInput,
    responses((status = 201, body = IdJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_visit(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<VisitInput>,
) -> ApiResult<(StatusCode, Json<IdJson>)> {
    let id = s.app.publish_visit(&who.actor, body).await?;
    Ok((StatusCode::CREATED, Json(IdJson { id })))
}

// ---------------------------------------------------------------------------- 双公示

/// One 行政许可 decision granted, read from its decided case (a natural person's name masked).
#[derive(Serialize, ToSchema)]
pub struct LicensingJson {
    /// The decision's document number (许可决定文书号).
    pub document: String,
    pub holder: String,
    /// 个人 or 法人.
    pub holder_kind: String,
    /// A legal person's unified social credit code; none for a natural person.
    pub holder_code: Option<String>,
    pub item: String,
    pub result_name: String,
    pub department_id: i64,
    pub unit: String,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: DateTime<Utc>,
}

/// 行政许可结果公示: the latest 行政许可 decisions granted, public from the moment each is made.
#[utoipa::path(get, path = "/api/v1/opengov/licensing", tag = "opengov",
    responses((status = 200, body = [LicensingJson])))]
pub async fn licensing(State(s): State<AppState>) -> ApiResult<Json<Vec<LicensingJson>>> {
    Ok(Json(
        s.app
            .licensing_results(None)
            .await?
            .into_iter()
            .map(|l| LicensingJson {
                document: l.document,
                holder: l.holder,
                holder_kind: l.holder_kind.into(),
                holder_code: l.holder_code,
                item: l.item,
                result_name: l.result_name,
                department_id: l.department_id,
                unit: l.unit,
                decided_at: l.decided_at,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------- follow

/// Follow or stop following a matter.
#[derive(Deserialize, ToSchema)]
pub struct FollowBody {
    pub kind: SubjectKind,
    pub number: String,
    pub follow: bool,
}

/// Whether the matter is followed afterwards.
#[derive(Serialize, ToSchema)]
pub struct FollowingJson {
    pub following: bool,
}

/// A citizen follows a consultation, proposal, notice or meeting, and is told through the
/// outbox when it moves.
#[utoipa::path(post, path = "/api/v1/opengov/follows", tag = "opengov", request_body = FollowBody,
    responses((status = 200, body = FollowingJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn follow(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<FollowBody>,
) -> ApiResult<Json<FollowingJson>> {
    let following = s
        .app
        .follow_matter(&who.actor, body.kind, &body.number, body.follow)
        .await?;
    Ok(Json(FollowingJson { following }))
}
