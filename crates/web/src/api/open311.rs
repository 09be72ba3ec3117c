//! Open311 GeoReport v2 (JSON) over the 12345 hotline: `services.json`, `requests.json`
//! (GET and POST) and `requests/{service_request_id}` (with or without `.json`). See
//! [`tongban_app::open311`] for the mapping onto tickets. `POST requests.json` takes the
//! specification's form fields (or the same as JSON) with an `api_key` an administrator
//! issued (`POST /api/v1/admin/open311/keys`).

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::open311::{NewRequest, RequestQuery};
use tongban_app::AppError;
use tongban_domain::codes;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::session::ApiAuth;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct ServiceJson {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// The services: the leaves of the 12345 subject tree.
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311",
    responses((status = 200, body = [ServiceJson])))]
pub async fn services(State(s): State<AppState>) -> ApiResult<Json<Vec<ServiceJson>>> {
    Ok(Json(
        s.app
            .open311_services()
            .await?
            .into_iter()
            .map(|v| ServiceJson {
                service_code: v.service_code,
                service_name: v.service_name,
                description: v.description,
                metadata: v.metadata,
                kind: v.kind,
                keywords: v.keywords,
                group: v.group,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RequestJson {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    /// The region code (GB/T 2260) of the matter.
    pub address_id: String,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

impl From<tongban_app::open311::Request> for RequestJson {
    fn from(r: tongban_app::open311::Request) -> Self {
        RequestJson {
            service_request_id: r.service_request_id,
            status: r.status,
            status_notes: r.status_notes,
            service_name: r.service_name,
            service_code: r.service_code,
            description: r.description,
            agency_responsible: r.agency_responsible,
            service_notice: r.service_notice,
            requested_datetime: r.requested_datetime,
            updated_datetime: r.updated_datetime,
            expected_datetime: r.expected_datetime,
            address: r.address,
            address_id: r.address_id,
            zipcode: r.zipcode,
            lat: r.lat,
            long: r.long,
            media_url: r.media_url,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct RequestsQuery {
    /// Comma-separated ids; the other filters are then ignored.
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
    /// W3C date-time; 90 days before `end_date` when absent.
    pub start_date: Option<String>,
    /// W3C date-time; now when absent.
    pub end_date: Option<String>,
}

/// Requests, newest first (at most 1000). A 保密 caller's requests and every 举报 are never
/// listed.
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(RequestsQuery),
    responses((status = 200, body = [RequestJson]), (status = 422, body = ErrorBody)))]
pub async fn requests(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<RequestsQuery>,
) -> ApiResult<Json<Vec<RequestJson>>> {
    let q = RequestQuery {
        service_request_id: q.service_request_id,
        service_code: q.service_code,
        status: q.status,
        start_date: q.start_date,
        end_date: q.end_date,
    };
    Ok(Json(
        s.app
            .open311_requests(&q)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One request, as a list of one (the specification's shape).
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}", tag = "open311",
    params(("service_request_id" = String, Path, description = "工单号，可带 .json 后缀")),
    responses((status = 200, body = [RequestJson]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RequestJson>>> {
    Ok(Json(vec![s.app.open311_request(&id).await?.into()]))
}

/// `POST requests` fields (the specification's; `category` is an extension).
#[derive(Deserialize, ToSchema)]
pub struct NewRequestBody {
    /// Required: the key is checked before anything else.
    #[serde(default)]
    pub api_key: String,
    /// Required: a service code (`services.json`).
    #[serde(default)]
    pub service_code: String,
    #[serde(default)]
    pub lat: Option<String>,
    #[serde(default)]
    pub long: Option<String>,
    #[serde(default)]
    pub address_string: Option<String>,
    /// The region code (GB/T 2260, 6 or 12 digits) the matter is in: required here.
    #[serde(default)]
    pub address_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// Without one the request is anonymous.
    #[serde(default)]
    pub phone: Option<String>,
    /// Required.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub media_url: Option<String>,
    /// Extension: consult, help (default), complaint, report or suggestion.
    #[serde(default)]
    pub category: Option<String>,
}

impl From<NewRequestBody> for NewRequest {
    fn from(b: NewRequestBody) -> Self {
        NewRequest {
            api_key: b.api_key,
            service_code: b.service_code,
            lat: b.lat,
            long: b.long,
            address_string: b.address_string,
            address_id: b.address_id,
            email: b.email,
            device_id: b.device_id,
            account_id: b.account_id,
            first_name: b.first_name,
            last_name: b.last_name,
            phone: b.phone,
            description: b.description,
            media_url: b.media_url,
            category: b.category,
        }
    }
}

/// The body as a form (the specification's) or as JSON.
pub struct FormOrJson<T>(pub T);

impl<S, T> FromRequest<S> for FormOrJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError(AppError::of(codes::Request::Body)))?;
        // Anything that is not JSON is read as a form (the specification's encoding), and an
        // empty body as an empty form, so every request reaches the key check.
        if json && !bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_slice(&bytes).map(FormOrJson).map_err(|e| {
                ApiError(AppError::new(
                    codes::Request::JsonData,
                    format!("请求字段缺失或类型不对：{e}"),
                ))
            })
        } else {
            serde_urlencoded::from_bytes(&bytes)
                .map(FormOrJson)
                .map_err(|_| ApiError(AppError::of(codes::Request::Form)))
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PostedJson {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// Files a request as a 12345 ticket (channel 移动端/API); refused with
/// `hotline.open311_key` without a valid key.
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311",
    request_body(content = NewRequestBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, body = [PostedJson]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_request(
    State(s): State<AppState>,
    FormOrJson(b): FormOrJson<NewRequestBody>,
) -> ApiResult<(StatusCode, Json<Vec<PostedJson>>)> {
    let p = s.app.open311_post(b.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(vec![PostedJson {
            service_request_id: p.service_request_id,
            service_notice: p.service_notice,
            account_id: p.account_id,
        }]),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct KeyBody {
    /// Who the key is for (an outside system).
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct KeyJson {
    /// Shown once; only its SHA-256 is kept.
    pub api_key: String,
}

/// An administrator issues an Open311 key.
#[utoipa::path(post, path = "/api/v1/admin/open311/keys", tag = "open311", request_body = KeyBody,
    responses((status = 201, body = KeyJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_key(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<KeyBody>,
) -> ApiResult<(StatusCode, Json<KeyJson>)> {
    let api_key = s.app.issue_open311_key(&who.actor, &b.name).await?;
    Ok((StatusCode::CREATED, Json(KeyJson { api_key })))
}
