//! The 12345 hotline over the API: the same use cases as the pages. The centre files,
//! dispatches and calls back; a unit signs, returns, asks for time and replies on the tickets
//! it holds; anyone files without an account and tracks by number and phone tail. Callers are
//! masked everywhere, and hidden from units where the rules say so.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::hotline::{PublicTicketView, TicketAction, TicketInput, TicketView};
use tongban_domain::hotline::{Category, Channel, TicketStatus};
use tongban_store::hotline::{AnswerRow, RouteRow, SubjectRow, TicketRow};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiAuth, ClientAddr};
use crate::AppState;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn ms(t: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(t).map(rfc3339)
}

/// A new request (诉求).
#[derive(Deserialize, ToSchema)]
pub struct TicketBody {
    /// consult 咨询, help 求助, complaint 投诉, report 举报, suggestion 建议.
    pub category: String,
    /// phone, web, app, sms, wechat, weibo, email, letter, walk_in (centre only; the public form is web).
    #[serde(default)]
    pub channel: Option<String>,
    /// A code of the subject tree (`GET /api/v1/hotline/subjects`).
    pub subject: String,
    /// Region code (6 or 12 digits) where the matter is.
    pub region: String,
    #[serde(default)]
    pub caller_name: Option<String>,
    /// Required unless anonymous (the public form always requires it).
    #[serde(default)]
    pub caller_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// 保密: the identity is never shown to a handling unit.
    #[serde(default)]
    pub confidential: bool,
    #[serde(default)]
    pub place: Option<String>,
    pub text: String,
    /// Urgent tickets count hours (`hotline.urgent_hours`), not working days.
    #[serde(default)]
    pub urgent: bool,
    /// 效能投诉 (a complaint): the unit complained about.
    #[serde(default)]
    pub efficiency_department_id: Option<i64>,
    #[serde(default)]
    pub efficiency_staff_id: Option<i64>,
    #[serde(default)]
    pub efficiency_case_number: Option<String>,
}

impl From<TicketBody> for TicketInput {
    fn from(b: TicketBody) -> Self {
        TicketInput {
            category: b.category,
            channel: b.channel,
            subject: b.subject,
            region: b.region,
            caller_name: b.caller_name,
            caller_phone: b.caller_phone,
            anonymous: b.anonymous,
            confidential: b.confidential,
            place: b.place,
            text: b.text,
            urgent: b.urgent,
            efficiency_department_id: b.efficiency_department_id,
            efficiency_staff_id: b.efficiency_staff_id,
            efficiency_case_number: b.efficiency_case_number,
            photos: Vec::new(),
        }
    }
}

/// A unit holding or assisting on a ticket.
#[derive(Serialize, ToSchema)]
pub struct TicketUnitJson {
    pub department_id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TicketHistoryJson {
    pub seq: i64,
    pub kind: String,
    pub at: String,
    /// Masked name of who acted; none for the system or a citizen.
    pub by: Option<String>,
    pub summary: String,
}

/// A ticket as staff see it.
#[derive(Serialize, ToSchema)]
pub struct TicketJson {
    pub number: String,
    pub category: Category,
    pub category_label: String,
    pub channel: Channel,
    pub subject: String,
    pub subject_name: String,
    pub region: String,
    pub status: TicketStatus,
    pub status_label: String,
    /// Masked; 保密 or 匿名 where hidden.
    pub caller_name: String,
    /// Masked; none where hidden from the viewer.
    pub caller_phone: Option<String>,
    pub place: Option<String>,
    pub text: String,
    pub urgent: bool,
    pub efficiency_department_id: Option<i64>,
    pub holder: Option<TicketUnitJson>,
    pub co_units: Vec<TicketUnitJson>,
    pub received_at: String,
    pub due_at: Option<String>,
    pub paused: bool,
    pub pending_extension_days: Option<u32>,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
    pub callback: Option<String>,
    pub returns: u32,
    pub reworks: u32,
    pub closed_at: Option<String>,
    pub close_reason: Option<String>,
    pub first_responder: Option<String>,
    pub history: Vec<TicketHistoryJson>,
    /// The open ticket this one was merged into.
    pub merged_into: Option<String>,
    /// Open tickets this one is likely a duplicate of (shown to the centre while it holds the
    /// ticket; `hotline.duplicate_days`).
    pub duplicates: Vec<DuplicateJson>,
    /// The photos taken with the request (metadata stripped):
    /// `GET /api/v1/hotline/tickets/{number}/photos/{seq}`.
    pub photos: Vec<PhotoJson>,
}

/// A photo of a ticket (its bytes at its own address).
#[derive(Serialize, ToSchema)]
pub struct PhotoJson {
    /// Its place among the ticket's photos, from 1.
    pub seq: i64,
    pub name: String,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Bytes, after the metadata was stripped.
    pub size: i64,
}

impl From<tongban_store::hotline::TicketPhoto> for PhotoJson {
    fn from(p: tongban_store::hotline::TicketPhoto) -> Self {
        PhotoJson {
            seq: p.seq,
            name: p.name,
            content_type: p.content_type,
            size: p.size,
        }
    }
}

/// A photo's bytes, never cached by a shared cache and never sniffed as another type.
pub(crate) fn photo_response(content_type: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// One photo of a ticket, for staff who may read the ticket (anyone else: 404).
#[utoipa::path(get, path = "/api/v1/hotline/tickets/{number}/photos/{seq}", tag = "hotline",
    params(("number" = String, Path, description = "工单号"), ("seq" = i64, Path, description = "照片序号，从1起")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn photo(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath((number, seq)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    let (ct, bytes) = s.app.ticket_photo(&who.actor, &number, seq).await?;
    Ok(photo_response(ct, bytes))
}

/// One photo of a ticket for its caller, by number and phone tail (throttled with tracking).
#[utoipa::path(get, path = "/api/v1/public/hotline/tickets/{number}/photos/{seq}", tag = "hotline",
    params(("number" = String, Path, description = "工单号"), ("seq" = i64, Path, description = "照片序号，从1起"), TailQuery),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_photo(
    State(s): State<AppState>,
    ApiPath((number, seq)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<TailQuery>,
    ClientAddr(client): ClientAddr,
) -> ApiResult<Response> {
    let (ct, bytes) = s.app.tracked_photo(&number, &q.tail, seq, &client).await?;
    Ok(photo_response(ct, bytes))
}

/// An open ticket a ticket is likely a duplicate of.
#[derive(Serialize, ToSchema)]
pub struct DuplicateJson {
    pub number: String,
    pub reason: tongban_domain::hotline::duplicate::DuplicateReason,
    pub reason_label: String,
    pub subject_name: String,
    pub status_label: String,
    pub received_at: String,
    pub summary: String,
}

impl From<TicketView> for TicketJson {
    fn from(v: TicketView) -> Self {
        let unit = |u: tongban_domain::hotline::UnitRef| TicketUnitJson {
            department_id: u.department_id,
            name: u.name,
        };
        TicketJson {
            number: v.number,
            category: v.category,
            category_label: v.category_label,
            channel: v.channel,
            subject: v.subject,
            subject_name: v.subject_name,
            region: v.region,
            status: v.status,
            status_label: v.status_label,
            caller_name: v.caller_name,
            caller_phone: v.caller_phone,
            place: v.place,
            text: v.text,
            urgent: v.urgent,
            efficiency_department_id: v.efficiency_department_id,
            holder: v.holder.map(unit),
            co_units: v.co_units.into_iter().map(unit).collect(),
            received_at: rfc3339(v.received_at),
            due_at: v.due_at.map(rfc3339),
            paused: v.paused,
            pending_extension_days: v.pending_extension_days,
            reply: v.reply,
            replied_at: v.replied_at.map(rfc3339),
            callback: v.callback,
            returns: v.returns,
            reworks: v.reworks,
            closed_at: v.closed_at.map(rfc3339),
            close_reason: v.close_reason,
            first_responder: v.first_responder,
            history: v
                .history
                .into_iter()
                .map(|h| TicketHistoryJson {
                    seq: h.seq,
                    kind: h.kind,
                    at: rfc3339(h.at),
                    by: h.by,
                    summary: h.summary,
                })
                .collect(),
            merged_into: v.merged_into,
            duplicates: v
                .duplicates
                .into_iter()
                .map(|d| DuplicateJson {
                    number: d.number,
                    reason: d.reason,
                    reason_label: d.reason_label,
                    subject_name: d.subject_name,
                    status_label: d.status_label,
                    received_at: rfc3339(d.received_at),
                    summary: d.summary,
                })
                .collect(),
            photos: v.photos.into_iter().map(PhotoJson::from).collect(),
        }
    }
}

/// A line of a ticket list. No caller data at all.
#[derive(Serialize, ToSchema)]
pub struct TicketListing {
    pub number: String,
    pub category: Category,
    pub subject_name: String,
    pub region: String,
    pub status: TicketStatus,
    pub status_label: String,
    pub holder_department_id: Option<i64>,
    pub urgent: bool,
    pub summary: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub returns: i64,
    pub reworks: i64,
    pub callback: Option<String>,
}

impl From<TicketRow> for TicketListing {
    fn from(r: TicketRow) -> Self {
        TicketListing {
            number: r.number,
            category: r.category,
            subject_name: r.subject_name,
            region: r.region,
            status: r.status,
            status_label: r.status.label().into(),
            holder_department_id: r.holder_department_id,
            urgent: r.urgent == 1,
            summary: r.summary,
            received_at: ms(r.received_at),
            due_at: r.due_at.and_then(ms),
            returns: r.returns,
            reworks: r.reworks,
            callback: r.callback,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct StatusQuery {
    /// received, dispatched, handling, returned, replied or closed; all when absent.
    pub status: Option<String>,
}

/// Files a request taken by the 12345 centre (operators and centre staff).
#[utoipa::path(post, path = "/api/v1/hotline/tickets", tag = "hotline", request_body = TicketBody,
    responses((status = 201, body = TicketJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<TicketBody>,
) -> ApiResult<(StatusCode, Json<TicketJson>)> {
    let v = s.app.file_ticket(&who.actor, b.into()).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// The actor's tickets: the centre's region, a unit's own.
#[utoipa::path(get, path = "/api/v1/hotline/tickets", tag = "hotline", params(StatusQuery),
    responses((status = 200, body = [TicketListing]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Vec<TicketListing>>> {
    let rows = s.app.tickets_for(&who.actor, q.status.as_deref()).await?;
    Ok(Json(rows.into_iter().map(TicketListing::from).collect()))
}

/// One ticket with its history.
#[utoipa::path(get, path = "/api/v1/hotline/tickets/{number}", tag = "hotline",
    params(("number" = String, Path, description = "工单号")),
    responses((status = 200, body = TicketJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<TicketJson>> {
    Ok(Json(s.app.ticket(&who.actor, &number).await?.into()))
}

/// One action on a ticket.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketActionBody {
    /// 派单 (centre): `lead` (a department id) or, when absent, the routing table's units.
    Dispatch {
        #[serde(default)]
        lead: Option<i64>,
        #[serde(default)]
        co: Vec<i64>,
        #[serde(default)]
        note: String,
    },
    /// 即时办结 of a 咨询 (centre).
    AnswerOnSpot {
        answer: String,
        #[serde(default)]
        knowledge_id: Option<i64>,
    },
    /// 转办 (centre).
    Transfer { to: i64, reason: String },
    /// 延期审批 (12345中心人员).
    DecideExtension {
        approve: bool,
        #[serde(default)]
        note: String,
    },
    /// 回访 (centre): satisfied, basic or unsatisfied.
    CallBack {
        result: String,
        #[serde(default)]
        note: String,
    },
    /// 合并 (centre): this ticket is the same matter as the open ticket `into`; it closes and
    /// its caller follows that one.
    Merge { into: String, reason: String },
    /// 签收 (holding unit).
    Sign,
    /// 退单 (holding unit).
    Return { reason: String },
    /// 申请延期 (holding unit), in working days.
    AskExtension { days: u32, reason: String },
    /// 暂停计时 (holding unit).
    Pause { reason: String },
    /// 恢复计时 (holding unit).
    Resume,
    /// 答复 (holding unit).
    Reply { text: String },
}

impl From<TicketActionBody> for TicketAction {
    fn from(b: TicketActionBody) -> Self {
        match b {
            TicketActionBody::Dispatch { lead, co, note } => {
                TicketAction::Dispatch { lead, co, note }
            }
            TicketActionBody::AnswerOnSpot {
                answer,
                knowledge_id,
            } => TicketAction::AnswerOnSpot {
                answer,
                knowledge_id,
            },
            TicketActionBody::Transfer { to, reason } => TicketAction::Transfer { to, reason },
            TicketActionBody::DecideExtension { approve, note } => {
                TicketAction::DecideExtension { approve, note }
            }
            TicketActionBody::CallBack { result, note } => TicketAction::CallBack { result, note },
            TicketActionBody::Merge { into, reason } => TicketAction::Merge { into, reason },
            TicketActionBody::Sign => TicketAction::Sign,
            TicketActionBody::Return { reason } => TicketAction::Return { reason },
            TicketActionBody::AskExtension { days, reason } => {
                TicketAction::AskExtension { days, reason }
            }
            TicketActionBody::Pause { reason } => TicketAction::Pause { reason },
            TicketActionBody::Resume => TicketAction::Resume,
            TicketActionBody::Reply { text } => TicketAction::Reply { text },
        }
    }
}

/// Acts on a ticket; refused with `hotline.not_holder` for a unit that does not hold it,
/// `hotline.not_centre` for centre actions by others, `hotline.callback_done` for a second
/// call-back, `hotline.stale` when someone acted meanwhile.
#[utoipa::path(post, path = "/api/v1/hotline/tickets/{number}/actions", tag = "hotline",
    params(("number" = String, Path, description = "工单号")), request_body = TicketActionBody,
    responses((status = 200, body = TicketJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<TicketActionBody>,
) -> ApiResult<Json<TicketJson>> {
    Ok(Json(
        s.app
            .ticket_act(&who.actor, &number, b.into())
            .await?
            .into(),
    ))
}

/// An incoming call: the caller's number.
#[derive(Deserialize, ToSchema)]
pub struct CallBody {
    pub phone: String,
}

/// What the console shows while the phone rings.
#[derive(Serialize, ToSchema)]
pub struct CallerJson {
    /// Masked.
    pub phone: String,
    /// Earlier tickets, newest first.
    pub tickets: Vec<TicketListing>,
}

/// The incoming-call webhook (the console's softphone posts it): the caller's earlier tickets.
#[utoipa::path(post, path = "/api/v1/hotline/calls", tag = "hotline", request_body = CallBody,
    responses((status = 200, body = CallerJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn call(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<CallBody>,
) -> ApiResult<Json<CallerJson>> {
    let rows = s.app.caller_history(&who.actor, &b.phone).await?;
    let phone = tongban_domain::hotline::CallerPhone::parse(&b.phone)
        .map(|p| p.masked())
        .unwrap_or_default();
    Ok(Json(CallerJson {
        phone,
        tickets: rows.into_iter().map(TicketListing::from).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct KnowledgeQuery {
    /// Words, separated by spaces; every one must appear.
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct KnowledgeAnswerJson {
    pub id: i64,
    pub subject: Option<String>,
    pub question: String,
    pub answer: String,
}

impl From<AnswerRow> for KnowledgeAnswerJson {
    fn from(a: AnswerRow) -> Self {
        KnowledgeAnswerJson {
            id: a.id,
            subject: a.subject,
            question: a.question,
            answer: a.answer,
        }
    }
}

/// Searches the knowledge base of approved answers (centre).
#[utoipa::path(get, path = "/api/v1/hotline/knowledge", tag = "hotline", params(KnowledgeQuery),
    responses((status = 200, body = [KnowledgeAnswerJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn knowledge(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<KnowledgeQuery>,
) -> ApiResult<Json<Vec<KnowledgeAnswerJson>>> {
    let rows = s.app.knowledge_search(&who.actor, &q.q).await?;
    Ok(Json(
        rows.into_iter().map(KnowledgeAnswerJson::from).collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SubjectJson {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

impl From<SubjectRow> for SubjectJson {
    fn from(r: SubjectRow) -> Self {
        SubjectJson {
            code: r.code,
            name: r.name,
            parent: r.parent,
        }
    }
}

/// The subject classification tree (public: the web form offers it).
#[utoipa::path(get, path = "/api/v1/hotline/subjects", tag = "hotline",
    responses((status = 200, body = [SubjectJson])))]
pub async fn subjects(State(s): State<AppState>) -> ApiResult<Json<Vec<SubjectJson>>> {
    let rows = s.app.hotline_subjects().await?;
    Ok(Json(rows.into_iter().map(SubjectJson::from).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct RouteQuery {
    pub subject: String,
    pub region: String,
}

#[derive(Serialize, ToSchema)]
pub struct RouteJson {
    /// The region prefix the route was set for.
    pub region: String,
    pub department_id: i64,
    pub department_name: String,
    /// 主办 (true) or 协办.
    pub lead: bool,
}

impl From<RouteRow> for RouteJson {
    fn from(r: RouteRow) -> Self {
        RouteJson {
            region: r.region,
            department_id: r.department_id,
            department_name: r.department_name,
            lead: r.lead == 1,
        }
    }
}

/// The routing table's units for a subject at a region (centre).
#[utoipa::path(get, path = "/api/v1/hotline/route", tag = "hotline", params(RouteQuery),
    responses((status = 200, body = [RouteJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn route(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<RouteQuery>,
) -> ApiResult<Json<Vec<RouteJson>>> {
    let rows = s
        .app
        .ticket_route(&who.actor, &q.subject, &q.region)
        .await?;
    Ok(Json(rows.into_iter().map(RouteJson::from).collect()))
}

/// A request filed without an account.
#[derive(Serialize, ToSchema)]
pub struct FiledJson {
    pub number: String,
}

/// Anyone files a 诉求 without an account; the phone number is required and its last four
/// digits track the ticket.
#[utoipa::path(post, path = "/api/v1/public/hotline/tickets", tag = "hotline", request_body = TicketBody,
    responses((status = 201, body = FiledJson), (status = 422, body = ErrorBody)))]
pub async fn public_create(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<TicketBody>,
) -> ApiResult<(StatusCode, Json<FiledJson>)> {
    let n = s.app.file_public_ticket(b.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(FiledJson {
            number: n.to_string(),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct TailQuery {
    /// The last four digits of the phone the request was filed with.
    pub tail: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressJson {
    pub status: String,
    pub at: String,
}

/// What a caller sees of their ticket.
#[derive(Serialize, ToSchema)]
pub struct PublicTicketJson {
    pub number: String,
    pub category: String,
    pub subject: String,
    pub status: String,
    pub received_at: String,
    pub due_at: Option<String>,
    pub text: String,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
    pub closed_at: Option<String>,
    pub progress: Vec<ProgressJson>,
    /// The ticket it was merged into: status, due date and reply are that one's.
    pub merged_into: Option<String>,
    /// The photos sent with this request:
    /// `GET /api/v1/public/hotline/tickets/{number}/photos/{seq}?tail=`.
    pub photos: Vec<PhotoJson>,
}

impl From<PublicTicketView> for PublicTicketJson {
    fn from(v: PublicTicketView) -> Self {
        PublicTicketJson {
            number: v.number,
            category: v.category_label,
            subject: v.subject_name,
            status: v.status_label,
            received_at: rfc3339(v.received_at),
            due_at: v.due_at.map(rfc3339),
            text: v.text,
            reply: v.reply,
            replied_at: v.replied_at.map(rfc3339),
            closed_at: v.closed_at.map(rfc3339),
            progress: v
                .progress
                .into_iter()
                .map(|(status, at)| ProgressJson {
                    status,
                    at: rfc3339(at),
                })
                .collect(),
            merged_into: v.merged_into,
            photos: v.photos.into_iter().map(PhotoJson::from).collect(),
        }
    }
}

/// Tracks a ticket by its number and phone tail; a wrong pair and an unknown number both
/// answer 404, and misses are throttled per address with case lookups.
#[utoipa::path(get, path = "/api/v1/public/hotline/tickets/{number}", tag = "hotline",
    params(("number" = String, Path, description = "工单号"), TailQuery),
    responses((status = 200, body = PublicTicketJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn track(
    State(s): State<AppState>,
    Path(number): Path<String>,
    ApiQuery(q): ApiQuery<TailQuery>,
    ClientAddr(client): ClientAddr,
) -> ApiResult<Json<PublicTicketJson>> {
    Ok(Json(
        s.app.track_ticket(&number, &q.tail, &client).await?.into(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `YYYY-MM` (Beijing time).
    pub month: String,
}

/// One unit's 三率 in a month: the counts and the rates in per mille (absent with nothing to
/// count).
#[derive(Serialize, ToSchema)]
pub struct UnitRatesJson {
    /// The unit (department 0: the 12345 centre; −1: the whole city).
    pub department_id: i64,
    pub name: String,
    pub dispatched: u32,
    pub signed_on_time: u32,
    pub closed: u32,
    pub solved: u32,
    pub called_back: u32,
    pub satisfied: u32,
    /// 响应率, per mille.
    pub response_permille: Option<u32>,
    /// 解决率, per mille.
    pub solution_permille: Option<u32>,
    /// 满意率, per mille.
    pub satisfaction_permille: Option<u32>,
}

impl From<tongban_app::hotline::UnitRatesLine> for UnitRatesJson {
    fn from(l: tongban_app::hotline::UnitRatesLine) -> Self {
        Self {
            department_id: l.department_id,
            name: l.name,
            dispatched: l.counts.dispatched,
            signed_on_time: l.counts.signed_on_time,
            closed: l.counts.closed,
            solved: l.counts.solved,
            called_back: l.counts.called_back,
            satisfied: l.counts.satisfied,
            response_permille: l.response,
            solution_permille: l.solution,
            satisfaction_permille: l.satisfaction,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FormulaJson {
    pub name: String,
    pub formula: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatesJson {
    pub month: String,
    /// The 签收 limit in hours the 响应率 counts by.
    pub sign_hours: u32,
    pub formulas: Vec<FormulaJson>,
    pub total: UnitRatesJson,
    pub units: Vec<UnitRatesJson>,
}

/// 三率 (响应率, 解决率, 满意率) of a month for every unit, with their published formulas.
#[utoipa::path(get, path = "/api/v1/public/hotline/rates", tag = "hotline",
    params(MonthQuery),
    responses((status = 200, body = RatesJson), (status = 422, body = ErrorBody)))]
pub async fn rates(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<RatesJson>> {
    let r = s.app.hotline_rates(q.month.trim()).await?;
    Ok(Json(RatesJson {
        month: r.month,
        sign_hours: r.sign_hours,
        formulas: r
            .formulas
            .into_iter()
            .map(|(name, formula)| FormulaJson { name, formula })
            .collect(),
        total: r.total.into(),
        units: r.units.into_iter().map(Into::into).collect(),
    }))
}

/// A subject's count in the month and the month before.
#[derive(Serialize, ToSchema)]
pub struct SubjectCountJson {
    pub subject: String,
    pub name: String,
    pub count: u32,
    pub previous: u32,
    /// ↑, ↓, = or 新 (none the month before).
    pub trend: String,
}

impl From<&tongban_domain::hotline::report::SubjectCount> for SubjectCountJson {
    fn from(s: &tongban_domain::hotline::report::SubjectCount) -> Self {
        Self {
            subject: s.subject.clone(),
            name: s.name.clone(),
            count: s.count,
            previous: s.previous,
            trend: s.trend().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TownshipCountJson {
    pub region: String,
    pub name: String,
    pub count: u32,
}

/// A month's public report: counts by subject and township, hot subjects, 三率.
#[derive(Serialize, ToSchema)]
pub struct ReportJson {
    pub month: String,
    pub previous_month: String,
    pub total: u32,
    pub previous_total: u32,
    pub hot: Vec<SubjectCountJson>,
    pub by_subject: Vec<SubjectCountJson>,
    pub by_township: Vec<TownshipCountJson>,
    pub rates: RatesJson,
}

/// The public monthly report of a month: tickets received by subject and township (merged
/// duplicates included), the hot subjects with their trend, and the month's 三率.
#[utoipa::path(get, path = "/api/v1/public/hotline/report", tag = "hotline",
    params(MonthQuery),
    responses((status = 200, body = ReportJson), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<ReportJson>> {
    let r = s.app.hotline_report(q.month.trim()).await?;
    Ok(Json(ReportJson {
        month: r.month,
        previous_month: r.previous_month,
        total: r.total,
        previous_total: r.previous_total,
        hot: r.hot.iter().map(Into::into).collect(),
        by_subject: r.by_subject.iter().map(Into::into).collect(),
        by_township: r
            .by_township
            .into_iter()
            .map(|t| TownshipCountJson {
                region: t.region,
                name: t.name,
                count: t.count,
            })
            .collect(),
        rates: RatesJson {
            month: r.rates.month,
            sign_hours: r.rates.sign_hours,
            formulas: r
                .rates
                .formulas
                .into_iter()
                .map(|(name, formula)| FormulaJson { name, formula })
                .collect(),
            total: r.rates.total.into(),
            units: r.rates.units.into_iter().map(Into::into).collect(),
        },
    }))
}
