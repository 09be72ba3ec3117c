//! Open311 GeoReport v2 over the 12345 hotline, in JSON and XML: `services.{json,xml}`,
//! `services/{service_code}.{json,xml}` (the service definition), `requests.{json,xml}` (GET
//! and POST), `requests/{service_request_id}.{json,xml}` and `tokens/{token}.{json,xml}` (a
//! path parameter without a suffix is JSON). See [`tongban_app::open311`] for the mapping onto
//! tickets. `POST requests` takes the specification's form fields (or the same as JSON) with an
//! `api_key` an administrator issued (`POST /api/v1/admin/open311/keys`; listed and revoked
//! there too). XML answers use the specification's element names (`services`/`service`,
//! `service_definition`, `service_requests`/`request`, `errors`/`error`) and an XML error
//! document on refusal.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quick_xml::events::BytesText;
use quick_xml::Writer;
use serde::{Deserialize, Serialize};
use tongban_app::open311::{NewRequest, RequestQuery};
use tongban_app::AppError;
use tongban_domain::codes;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
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

/// The element an array's items take in XML, by the array's own element (the
/// specification's names).
fn xml_item(parent: &str) -> &'static str {
    match parent {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "errors" => "error",
        _ => "item",
    }
}

/// A JSON value with its object members in the order they were written (a struct's field
/// order), which `serde_json::Value` does not keep: XML elements follow the specification's
/// order.
enum Node {
    Null,
    Text(String),
    List(Vec<Node>),
    Members(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Text(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some(n) = a.next_element()? {
                    out.push(n);
                }
                Ok(Node::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Node>()? {
                    out.push((k, v));
                }
                Ok(Node::Members(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn write_xml(w: &mut Writer<Vec<u8>>, name: &str, v: &Node) -> std::io::Result<()> {
    match v {
        Node::Null => {
            w.create_element(name).write_empty()?;
        }
        Node::Members(o) => {
            w.create_element(name).write_inner_content(|w| {
                for (k, v) in o {
                    write_xml(w, k, v)?;
                }
                Ok(())
            })?;
        }
        Node::List(a) => {
            let item = xml_item(name);
            w.create_element(name).write_inner_content(|w| {
                for v in a {
                    write_xml(w, item, v)?;
                }
                Ok(())
            })?;
        }
        Node::Text(t) => {
            w.create_element(name)
                .write_text_content(BytesText::new(t))?;
        }
    }
    Ok(())
}

/// `v` (as its JSON would be, members in order) as the specification's XML document under
/// `root`.
fn xml(status: StatusCode, root: &str, v: &impl Serialize) -> Response {
    let node = serde_json::to_string(v).and_then(|j| serde_json::from_str::<Node>(&j));
    let mut w = Writer::new(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_vec());
    match node {
        Ok(node) if write_xml(&mut w, root, &node).is_ok() => (
            status,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            w.into_inner(),
        )
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A refusal as the specification's XML error document: the HTTP status as `code`, the
/// Chinese message as `description`, and Tongban's stable code as `error_code`.
fn xml_error(e: AppError) -> Response {
    let status = crate::error::status(e.kind);
    if matches!(
        e.kind,
        tongban_app::Kind::Internal | tongban_app::Kind::Unavailable
    ) {
        return ApiError(e).into_response();
    }
    xml(
        status,
        "errors",
        &serde_json::json!([{
            "code": status.as_u16(),
            "description": e.message,
            "error_code": e.code.to_string(),
        }]),
    )
}

/// Whether a path parameter asks for XML (`….xml`), and the parameter without its suffix.
fn format_of(param: &str) -> (bool, &str) {
    if let Some(p) = param.strip_suffix(".xml") {
        (true, p)
    } else {
        (false, param.strip_suffix(".json").unwrap_or(param))
    }
}

async fn service_list(s: &AppState) -> Result<Vec<ServiceJson>, AppError> {
    Ok(s.app
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
        .collect())
}

/// The services: the leaves of the 12345 subject tree.
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311",
    responses((status = 200, body = [ServiceJson])))]
pub async fn services(State(s): State<AppState>) -> ApiResult<Json<Vec<ServiceJson>>> {
    Ok(Json(service_list(&s).await?))
}

/// The services in XML (`<services><service>…`).
#[utoipa::path(get, path = "/open311/v2/services.xml", tag = "open311",
    responses((status = 200, content_type = "application/xml", body = String)))]
pub async fn services_xml(State(s): State<AppState>) -> Response {
    match service_list(&s).await {
        Ok(v) => xml(StatusCode::OK, "services", &v),
        Err(e) => xml_error(e),
    }
}

/// One value of a list attribute.
#[derive(Serialize, ToSchema)]
pub struct AttributeValueJson {
    pub key: String,
    pub name: String,
}

/// An attribute of a service definition.
#[derive(Serialize, ToSchema)]
pub struct AttributeJson {
    pub variable: bool,
    pub code: String,
    /// string, number, datetime, text, singlevaluelist or multivaluelist.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValueJson>,
}

/// A service definition: the attributes a request of the service may carry (sent as
/// `attribute[code]=value`).
#[derive(Serialize, ToSchema)]
pub struct ServiceDefinitionJson {
    pub service_code: String,
    pub attributes: Vec<AttributeJson>,
}

/// A service's definition (`services/{service_code}.json` or `.xml`): every service takes
/// the attribute `category` (诉求类别). An unknown code is 404 `hotline.open311_service`.
#[utoipa::path(get, path = "/open311/v2/services/{service_code}", tag = "open311",
    params(("service_code" = String, Path, description = "服务代码，带 .json 或 .xml 后缀（不带为 JSON）")),
    responses((status = 200, content(
        (ServiceDefinitionJson = "application/json"),
        (String = "application/xml"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn service_definition(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Response {
    let (as_xml, code) = format_of(&code);
    let found = s
        .app
        .open311_service_definition(code)
        .await
        .map(|d| ServiceDefinitionJson {
            service_code: d.service_code,
            attributes: d
                .attributes
                .into_iter()
                .map(|a| AttributeJson {
                    variable: a.variable,
                    code: a.code,
                    datatype: a.datatype,
                    required: a.required,
                    datatype_description: a.datatype_description,
                    order: a.order,
                    description: a.description,
                    values: a
                        .values
                        .into_iter()
                        .map(|(key, name)| AttributeValueJson { key, name })
                        .collect(),
                })
                .collect(),
        });
    match (found, as_xml) {
        (Ok(d), true) => xml(StatusCode::OK, "service_definition", &d),
        (Ok(d), false) => Json(d).into_response(),
        (Err(e), true) => xml_error(e),
        (Err(e), false) => ApiError(e).into_response(),
    }
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

async fn request_list(s: &AppState, q: RequestsQuery) -> Result<Vec<RequestJson>, AppError> {
    let q = RequestQuery {
        service_request_id: q.service_request_id,
        service_code: q.service_code,
        status: q.status,
        start_date: q.start_date,
        end_date: q.end_date,
    };
    Ok(s.app
        .open311_requests(&q)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Requests, newest first (at most 1000). A 保密 caller's requests and every 举报 are never
/// listed.
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(RequestsQuery),
    responses((status = 200, body = [RequestJson]), (status = 422, body = ErrorBody)))]
pub async fn requests(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<RequestsQuery>,
) -> ApiResult<Json<Vec<RequestJson>>> {
    Ok(Json(request_list(&s, q).await?))
}

/// Requests in XML (`<service_requests><request>…`).
#[utoipa::path(get, path = "/open311/v2/requests.xml", tag = "open311", params(RequestsQuery),
    responses((status = 200, content_type = "application/xml", body = String), (status = 422, body = ErrorBody)))]
pub async fn requests_xml(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<RequestsQuery>,
) -> Response {
    match request_list(&s, q).await {
        Ok(v) => xml(StatusCode::OK, "service_requests", &v),
        Err(e) => xml_error(e),
    }
}

/// One request, as a list of one (the specification's shape); `….xml` answers XML.
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}", tag = "open311",
    params(("service_request_id" = String, Path, description = "工单号，可带 .json 或 .xml 后缀")),
    responses((status = 200, content(
        (Vec<RequestJson> = "application/json"),
        (String = "application/xml"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let (as_xml, _) = format_of(&id);
    match (s.app.open311_request(&id).await, as_xml) {
        (Ok(r), true) => xml(StatusCode::OK, "service_requests", &[RequestJson::from(r)]),
        (Ok(r), false) => Json(vec![RequestJson::from(r)]).into_response(),
        (Err(e), true) => xml_error(e),
        (Err(e), false) => ApiError(e).into_response(),
    }
}

/// What `tokens/{token}` answers.
#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    pub service_request_id: String,
    pub token: String,
}

/// The request a token stands for. Every request here is taken at once (`type` realtime), so
/// a request's token is its `service_request_id`; `….xml` answers XML.
#[utoipa::path(get, path = "/open311/v2/tokens/{token}", tag = "open311",
    params(("token" = String, Path, description = "令牌（即工单号），可带 .json 或 .xml 后缀")),
    responses((status = 200, content(
        (Vec<TokenJson> = "application/json"),
        (String = "application/xml"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn token(State(s): State<AppState>, ApiPath(token): ApiPath<String>) -> Response {
    let (as_xml, _) = format_of(&token);
    let found = s.app.open311_token(&token).await.map(|t| {
        vec![TokenJson {
            service_request_id: t.service_request_id,
            token: t.token,
        }]
    });
    match (found, as_xml) {
        (Ok(v), true) => xml(StatusCode::OK, "service_requests", &v),
        (Ok(v), false) => Json(v).into_response(),
        (Err(e), true) => xml_error(e),
        (Err(e), false) => ApiError(e).into_response(),
    }
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
    /// The service definition's attribute `category` (the same values; wins over `category`).
    #[serde(default, rename = "attribute[category]")]
    pub attribute_category: Option<String>,
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
            attribute_category: b.attribute_category,
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

/// Files a request and answers in XML (`<service_requests><request>…`), errors too.
#[utoipa::path(post, path = "/open311/v2/requests.xml", tag = "open311",
    request_body(content = NewRequestBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, content_type = "application/xml", body = String), (status = 401, content_type = "application/xml", body = String), (status = 422, content_type = "application/xml", body = String)))]
pub async fn post_request_xml(State(s): State<AppState>, req: Request) -> Response {
    let b = match FormOrJson::<NewRequestBody>::from_request(req, &s).await {
        Ok(FormOrJson(b)) => b,
        Err(ApiError(e)) => return xml_error(e),
    };
    match s.app.open311_post(b.into()).await {
        Ok(p) => xml(
            StatusCode::CREATED,
            "service_requests",
            &[PostedJson {
                service_request_id: p.service_request_id,
                service_notice: p.service_notice,
                account_id: p.account_id,
            }],
        ),
        Err(e) => xml_error(e),
    }
}

/// A key as administrators see it (the key itself is never kept).
#[derive(Serialize, ToSchema)]
pub struct KeyListing {
    pub id: i64,
    pub name: String,
    /// Who issued it.
    pub created_by: Option<String>,
    pub created_at: Option<String>,
    /// Set once revoked: posts with it are refused from then on.
    pub revoked_at: Option<String>,
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

/// The Open311 keys issued, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/admin/open311/keys", tag = "open311",
    responses((status = 200, body = [KeyListing]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_keys(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<KeyListing>>> {
    Ok(Json(
        s.app
            .open311_keys(&who.actor)
            .await?
            .into_iter()
            .map(|k| KeyListing {
                id: k.id,
                name: k.name,
                created_by: k.created_by_name,
                created_at: rfc3339(k.created_at),
                revoked_at: k.revoked_at.and_then(rfc3339),
            })
            .collect(),
    ))
}

/// An administrator revokes a key (audited); an unknown or revoked one is 404
/// `hotline.open311_key_unknown`.
#[utoipa::path(delete, path = "/api/v1/admin/open311/keys/{id}", tag = "open311",
    params(("id" = i64, Path, description = "密钥编号")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_key(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    s.app.revoke_open311_key(&who.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
