//! Documents over JSON: the sealed files, verification of any file (public), the root
//! certificate, revocation, the agencies' seal keys, and the e-licence register.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::licences::LicenceView;
use tongban_domain::document::licence::LicenceAct;
use tongban_domain::document::Format;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiAuth, ClientAddr};
use crate::AppState;

/// The answer of a verification: only what the public may see.
#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    /// `valid`, `altered`, `revoked` or `unknown`.
    pub verdict: String,
    pub verdict_label: String,
    /// `pdf` or `ofd`.
    pub format: Option<String>,
    pub number: Option<String>,
    pub title: Option<String>,
    pub issuer: Option<String>,
    /// The addressee, masked.
    pub holder: Option<String>,
    pub signer: Option<String>,
    pub signed_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub signatures: usize,
}

impl From<tongban_app::documents::Verification> for VerificationView {
    fn from(v: tongban_app::documents::Verification) -> Self {
        VerificationView {
            verdict: v.verdict.as_str().into(),
            verdict_label: v.verdict_label,
            format: v.format.map(|f| f.as_str().into()),
            number: v.number,
            title: v.title,
            issuer: v.issuer,
            holder: v.holder,
            signer: v.signer,
            signed_at: v.signed_at.map(|t| t.to_rfc3339()),
            revoked_at: v.revoked_at.map(|t| t.to_rfc3339()),
            revoked_reason: v.revoked_reason,
            signatures: v.signatures,
        }
    }
}

/// Verifies a PDF or OFD sent as the request body. Anyone may ask; each check is logged.
/// Not a PDF or OFD: `document.not_a_document`; bytes after the last signature:
/// `document.partial_signature`; signed under another CA: `document.foreign_certificate`.
#[utoipa::path(post, path = "/api/v1/public/documents/verify", tag = "documents",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "PDF 或 OFD 文件内容"),
    responses((status = 200, body = VerificationView), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Bytes,
) -> ApiResult<Json<VerificationView>> {
    Ok(Json(s.app.verify_file(&body, "api", &client).await?.into()))
}

/// The deployment's root certificate (PEM): every agency's seal certificate chains to it.
#[utoipa::path(get, path = "/api/v1/public/documents/root.pem", tag = "documents",
    responses((status = 200, content_type = "application/x-pem-file", body = String)))]
pub async fn root(State(s): State<AppState>) -> ApiResult<String> {
    Ok(s.app.root_certificate_pem().await?)
}

#[derive(Deserialize, IntoParams)]
pub struct FileQuery {
    /// `pdf` (default) or `ofd`.
    #[serde(default)]
    format: Option<String>,
}

/// A document's sealed file, for those who may see what it belongs to (someone else's:
/// 404 `document.not_yours`).
#[utoipa::path(get, path = "/api/v1/documents/{doc}/file", tag = "documents",
    params(("doc" = String, Path, description = "文书编号"), FileQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn file(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(doc): Path<String>,
    ApiQuery(q): ApiQuery<FileQuery>,
) -> ApiResult<Response> {
    let format = match q.format.as_deref() {
        None | Some("pdf") => Format::Pdf,
        Some("ofd") => Format::Ofd,
        Some(_) => {
            return Err(tongban_app::AppError::new(
                tongban_domain::codes::Document::Format,
                "格式只能是 pdf 或 ofd",
            )
            .into())
        }
    };
    let (rec, f) = s.app.document_file(&who.actor, &doc, format).await?;
    Ok(crate::pages::sealed_response(
        &rec.number,
        &rec.title,
        format,
        f.content,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    pub reason: String,
}

/// Revokes a document (the issuing department's head, or an administrator); a signed note
/// is appended to its file and verification answers `revoked` from now on.
#[utoipa::path(post, path = "/api/v1/documents/{doc}/revoke", tag = "documents",
    params(("doc" = String, Path, description = "文书编号")),
    request_body = ReasonBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(doc): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<axum::http::StatusCode> {
    s.app
        .revoke_document(&who.actor, &doc, &body.reason)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SealKeyView {
    pub id: i64,
    pub department_id: i64,
    /// `active`, `retired` or `revoked`.
    pub status: String,
    pub public_key: String,
    pub serial: String,
    pub created_at: String,
    pub revoked_reason: Option<String>,
}

/// A department's seal keys, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/admin/departments/{id}/seal-keys", tag = "documents",
    params(("id" = i64, Path, description = "部门")),
    responses((status = 200, body = Vec<SealKeyView>), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn keys(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<SealKeyView>>> {
    let keys = s.app.seal_keys(&who.actor, id).await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| SealKeyView {
                id: k.id,
                department_id: k.department_id,
                status: k.status,
                public_key: k.public_key,
                serial: k.serial,
                created_at: chrono::DateTime::from_timestamp_millis(k.created_at)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
                revoked_reason: k.revoked_reason,
            })
            .collect(),
    ))
}

/// Rotates a department's seal key (administrators): a new key certified by the root; the
/// old one is retired and still verifies what it signed.
#[utoipa::path(post, path = "/api/v1/admin/departments/{id}/seal-keys", tag = "documents",
    params(("id" = i64, Path, description = "部门")),
    responses((status = 201, body = i64), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rotate(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(axum::http::StatusCode, Json<i64>)> {
    let key = s.app.rotate_seal_key(&who.actor, id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(key)))
}

/// Revokes a seal key (administrators): documents it signed verify as `revoked`.
#[utoipa::path(post, path = "/api/v1/admin/seal-keys/{id}/revoke", tag = "documents",
    params(("id" = i64, Path, description = "密钥")),
    request_body = ReasonBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_key(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<axum::http::StatusCode> {
    s.app.revoke_seal_key(&who.actor, id, &body.reason).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct LicenceBody {
    pub number: String,
    pub type_name: String,
    pub holder_name: String,
    /// The holder's ID number or credit code, masked.
    pub holder: String,
    /// The licence's fields, each `[label, value]`.
    #[schema(value_type = Vec<Vec<String>>)]
    pub fields: Vec<(String, String)>,
    pub valid_from: String,
    pub valid_to: String,
    pub agency: String,
    /// `valid`, `cancelled`, `revoked` or `expired`.
    pub status: String,
    /// In force today: may be used instead of an upload.
    pub usable: bool,
    pub document_number: Option<String>,
}

impl From<LicenceView> for LicenceBody {
    fn from(l: LicenceView) -> Self {
        LicenceBody {
            number: l.number,
            type_name: l.type_name,
            holder_name: l.holder_name,
            holder: l.holder,
            fields: l.fields.into_iter().map(|f| (f.label, f.value)).collect(),
            valid_from: l.valid_from,
            valid_to: l.valid_to,
            agency: l.agency,
            status: l.status.as_str().into(),
            usable: l.usable,
            document_number: l.document_number,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct LicenceQuery {
    /// Staff: a licence number or a holder's ID number / credit code.
    #[serde(default)]
    q: String,
}

/// An applicant's own licences; staff look licences up within their region.
#[utoipa::path(get, path = "/api/v1/licences", tag = "documents", params(LicenceQuery),
    responses((status = 200, body = Vec<LicenceBody>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn licences(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<LicenceQuery>,
) -> ApiResult<Json<Vec<LicenceBody>>> {
    let list = if who.actor.role.is_staff() {
        s.app.find_licences(&who.actor, &q.q).await?
    } else {
        s.app.my_licences(&who.actor).await?
    };
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// One licence, its status as of now.
#[utoipa::path(get, path = "/api/v1/licences/{number}", tag = "documents",
    params(("number" = String, Path, description = "证照编号")),
    responses((status = 200, body = LicenceBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn licence(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<LicenceBody>> {
    Ok(Json(s.app.licence(&who.actor, &number).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct LicenceActBody {
    /// `cancel` (注销) or `revoke` (吊销).
    pub act: String,
    pub reason: String,
}

/// Records an act on a licence: 注销 or 吊销, with its reason (the issuing department's
/// head, or an administrator).
#[utoipa::path(post, path = "/api/v1/licences/{number}/acts", tag = "documents",
    params(("number" = String, Path, description = "证照编号")),
    request_body = LicenceActBody,
    responses((status = 200, body = LicenceBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<LicenceActBody>,
) -> ApiResult<Json<LicenceBody>> {
    let act = match body.act.as_str() {
        "cancel" => LicenceAct::Cancel {
            reason: body.reason,
        },
        "revoke" => LicenceAct::Revoke {
            reason: body.reason,
        },
        _ => {
            return Err(tongban_app::AppError::new(
                tongban_domain::codes::Licence::Act,
                "操作只能是 cancel（注销）或 revoke（吊销）",
            )
            .into())
        }
    };
    Ok(Json(
        s.app.act_on_licence(&who.actor, &number, act).await?.into(),
    ))
}
