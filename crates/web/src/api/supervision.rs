//! Supervision over the API: findings of the detectors and supervision orders (督办), with the
//! same checks as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_domain::supervision::SubjectKind;
use tongban_store::findings::FindingRow;
use tongban_store::orders::OrderRow;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiAuth;
use crate::AppState;

/// A detector's finding.
#[derive(Serialize, ToSchema)]
pub struct FindingJson {
    pub id: i64,
    /// improper_acceptance, process_error, overdue, multiple_places, outside_system,
    /// double_intake, second_notice, illegal_fee, negative_not_filed
    pub rule: String,
    /// What it was found on: a case, a 12345 ticket, a disclosure request, a rectification.
    pub subject_kind: SubjectKind,
    pub subject_number: String,
    /// The case's number; null for the other kinds.
    pub case_number: Option<String>,
    /// The subject's page.
    pub href: String,
    pub step: Option<String>,
    pub person_id: Option<i64>,
    pub department_id: i64,
    pub detail: String,
    /// Sequence numbers of the events that prove it (a case's log, for a case).
    pub evidence: Vec<i64>,
    /// open, confirmed (问责) or dismissed
    pub status: String,
    pub decision_note: Option<String>,
    pub created_at: i64,
}

impl From<FindingRow> for FindingJson {
    fn from(f: FindingRow) -> Self {
        let href = f.subject().path();
        let case_number = super::board::case_number(f.subject_kind, &f.subject_number);
        FindingJson {
            id: f.id,
            rule: f.rule,
            case_number,
            href,
            subject_kind: f.subject_kind,
            subject_number: f.subject_number,
            step: f.step,
            person_id: f.person_id,
            department_id: f.department_id,
            evidence: serde_json::from_str(&f.evidence).unwrap_or_default(),
            detail: f.detail,
            status: f.status,
            decision_note: f.decision_note,
            created_at: f.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct FindingQuery {
    /// open, confirmed or dismissed
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/supervision/findings", tag = "supervision", params(FindingQuery),
    responses((status = 200, body = [FindingJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn findings(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<FindingQuery>,
) -> ApiResult<Json<Vec<FindingJson>>> {
    let rows = s.app.findings(&who.actor, q.status.as_deref()).await?;
    Ok(Json(rows.into_iter().map(FindingJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// true: 认定问责; false: 排除
    pub confirm: bool,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/supervision/findings/{id}/decision", params(("id" = i64, Path, description = "编号")), tag = "supervision",
    request_body = DecisionBody,
    responses((status = 200, body = FindingJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Json<FindingJson>> {
    let f = s
        .app
        .decide_finding(&who.actor, id, b.confirm, &b.reason)
        .await?;
    Ok(Json(f.into()))
}

/// A supervision order (督办).
#[derive(Serialize, ToSchema)]
pub struct OrderJson {
    pub id: i64,
    /// What the order is about: a case, a 12345 ticket, a disclosure request, a rectification.
    pub subject_kind: SubjectKind,
    pub subject_number: String,
    /// The case's number; null for the other kinds.
    pub case_number: Option<String>,
    /// The subject's page.
    pub href: String,
    pub finding_id: Option<i64>,
    pub department_id: i64,
    pub instruction: String,
    pub reply_days: i64,
    pub due_at: i64,
    /// issued, replied or closed
    pub status: String,
    pub reply: Option<String>,
    pub close_note: Option<String>,
    pub escalated: bool,
}

impl From<OrderRow> for OrderJson {
    fn from(o: OrderRow) -> Self {
        let href = o.subject().path();
        let case_number = super::board::case_number(o.subject_kind, &o.subject_number);
        OrderJson {
            id: o.id,
            case_number,
            href,
            subject_kind: o.subject_kind,
            subject_number: o.subject_number,
            finding_id: o.finding_id,
            department_id: o.department_id,
            instruction: o.instruction,
            reply_days: o.reply_days,
            due_at: o.due_at,
            status: o.status,
            reply: o.reply,
            close_note: o.close_note,
            escalated: o.escalated_at.is_some(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/supervision/orders", tag = "supervision",
    responses((status = 200, body = [OrderJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn orders(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<OrderJson>>> {
    let (_, rows) = s.app.orders(&who.actor).await?;
    Ok(Json(rows.into_iter().map(OrderJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct IssueBody {
    /// What the order is about; `case` when absent.
    pub subject_kind: Option<SubjectKind>,
    /// The subject's number (a case number for a case; `case_number` is accepted too).
    #[serde(alias = "case_number")]
    pub subject_number: String,
    pub finding_id: Option<i64>,
    pub instruction: String,
    /// Working days to reply; the setting `supervision.order_reply_days` when absent.
    pub reply_days: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/supervision/orders", tag = "supervision", request_body = IssueBody,
    responses((status = 201, body = OrderJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<IssueBody>,
) -> ApiResult<(StatusCode, Json<OrderJson>)> {
    let o = s
        .app
        .issue_subject_order(
            &who.actor,
            b.subject_kind.unwrap_or(SubjectKind::Case),
            &b.subject_number,
            b.finding_id,
            &b.instruction,
            b.reply_days,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct TextBody {
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/supervision/orders/{id}/reply", params(("id" = i64, Path, description = "编号")), tag = "supervision", request_body = TextBody,
    responses((status = 200, body = OrderJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<Json<OrderJson>> {
    Ok(Json(
        s.app.reply_order(&who.actor, id, &b.text).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/supervision/orders/{id}/close", params(("id" = i64, Path, description = "编号")), tag = "supervision", request_body = TextBody,
    responses((status = 200, body = OrderJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<Json<OrderJson>> {
    Ok(Json(
        s.app.close_order(&who.actor, id, &b.text).await?.into(),
    ))
}
