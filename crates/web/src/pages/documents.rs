//! Sealed files, the public check of any file, the root certificate, and the e-licence pages.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::documents::Verification;
use tongban_app::licences::LicenceView;
use tongban_app::{AppError, Kind};
use tongban_domain::document::Format;
use tongban_domain::time::format_local;

use crate::error::{status, PageError, PageResult};
use crate::json::PageQuery;
use crate::session::{Auth, ClientAddr, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

/// `GET /documents/{doc}/file.pdf` or `file.ofd`: the sealed file, for those who may see the
/// document's subject.
pub async fn file(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((doc, file)): Path<(String, String)>,
) -> PageResult<Response> {
    let format = match file.as_str() {
        "file.pdf" => Format::Pdf,
        "file.ofd" => Format::Ofd,
        _ => return Err(PageError(AppError::not_found("该文件"))),
    };
    let (rec, f) = state.app.document_file(&who.actor, &doc, format).await?;
    Ok(sealed_response(&rec.number, &rec.title, format, f.content))
}

/// A sealed file as a download: never cached by a shared cache or a hall's browser.
pub(crate) fn sealed_response(
    number: &str,
    title: &str,
    format: Format,
    content: Vec<u8>,
) -> Response {
    let name = format!("{title}-{number}.{}", format.as_str());
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    super::items::percent(&name)
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        content,
    )
        .into_response()
}

/// `GET /documents/root.pem`: the deployment's root certificate, for anyone to check with.
pub async fn root(State(state): State<AppState>) -> PageResult<Response> {
    let pem = state.app.root_certificate_pem().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=tongban-root.pem",
            ),
        ],
        pem,
    )
        .into_response())
}

#[derive(askama::Template)]
#[template(path = "verify_file.html")]
pub struct VerifyFilePage {
    pub base: Base,
    pub result: Option<Shown>,
    /// (code, message)
    pub error: Option<(String, String)>,
}

pub struct Shown {
    pub verdict: String,
    pub label: String,
    pub good: bool,
    pub number: String,
    pub title: String,
    pub issuer: String,
    pub holder: String,
    pub signer: String,
    pub signed_at: String,
    pub revoked: String,
    pub signatures: usize,
}

pub(crate) fn shown(v: Verification) -> Shown {
    let or_dash = |s: Option<String>| s.unwrap_or_else(|| "—".into());
    Shown {
        verdict: v.verdict.as_str().into(),
        label: v.verdict_label,
        good: v.verdict == tongban_domain::document::Verdict::Valid,
        number: or_dash(v.number),
        title: or_dash(v.title),
        issuer: or_dash(v.issuer),
        holder: or_dash(v.holder),
        signer: or_dash(v.signer),
        signed_at: v.signed_at.map_or_else(|| "—".into(), format_local),
        revoked: match (v.revoked_at, v.revoked_reason) {
            (Some(at), r) => format!("{} {}", format_local(at), r.unwrap_or_default()),
            _ => String::new(),
        },
        signatures: v.signatures,
    }
}

/// `GET /verify/file`: the upload form.
pub async fn verify_file_form(viewer: Viewer, LargeText(large): LargeText) -> Response {
    let page = VerifyFilePage {
        base: Base::new("文件核验", viewer.signed_in(), large),
        result: None,
        error: None,
    };
    views::render(&page)
}

/// `POST /verify/file`: checks an uploaded PDF or OFD; answers valid, altered, revoked or
/// unknown, with only what the public may see. Every check is logged.
pub async fn verify_file(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    mut form: Multipart,
) -> PageResult<Response> {
    let mut page = VerifyFilePage {
        base: Base::new("文件核验", viewer.signed_in(), large),
        result: None,
        error: None,
    };
    let broken = || {
        AppError::new(
            tongban_domain::codes::Document::Upload,
            "文件上传不完整或超过大小上限，请重试",
        )
    };
    let mut bytes = None;
    while let Some(field) = form.next_field().await.map_err(|_| broken())? {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|_| broken())?);
        }
    }
    let bytes = bytes.ok_or_else(|| {
        AppError::new(
            tongban_domain::codes::Document::Upload,
            "请选择要核验的文件",
        )
    })?;
    match state.app.verify_file(&bytes, "page", &client).await {
        Ok(v) => {
            page.result = Some(shown(v));
            Ok(views::render(&page))
        }
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => Err(e.into()),
        Err(e) => {
            let code = status(e.kind);
            page.error = Some((e.code.to_string(), e.message));
            Ok((code, views::render(&page)).into_response())
        }
    }
}

#[derive(askama::Template)]
#[template(path = "licences.html")]
pub struct LicencesPage {
    pub base: Base,
    pub staff: bool,
    pub query: String,
    pub licences: Vec<LicenceView>,
}

#[derive(Deserialize, Default)]
pub struct LicenceQuery {
    #[serde(default)]
    q: String,
}

/// `GET /licences`: an applicant's own licences; staff look licences up within their region.
pub async fn licences(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<LicenceQuery>,
) -> PageResult<Response> {
    let staff = who.actor.role.is_staff();
    let licences = if staff {
        state.app.find_licences(&who.actor, &q.q).await?
    } else {
        state.app.my_licences(&who.actor).await?
    };
    let page = LicencesPage {
        base: Base::new("电子证照", Some(&who), large),
        staff,
        query: q.q,
        licences,
    };
    Ok(views::render(&page))
}

#[derive(askama::Template)]
#[template(path = "licence.html")]
pub struct LicencePage {
    pub base: Base,
    pub l: LicenceView,
    pub pdf: String,
    pub events: Vec<(String, String, String, String)>,
}

/// `GET /licences/{number}`: one licence, its status checked now, its acts, its sealed file.
pub async fn licence(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let l = state.app.licence(&who.actor, &number).await?;
    let pdf = l
        .document_number
        .as_deref()
        .map(|d| format!("/documents/{}/file.pdf", super::items::percent(d)))
        .unwrap_or_default();
    let events = l
        .events
        .iter()
        .map(|e| {
            (
                chrono::DateTime::from_timestamp_millis(e.at)
                    .map(format_local)
                    .unwrap_or_default(),
                e.act.clone(),
                e.reason.clone(),
                e.actor_name.clone(),
            )
        })
        .collect();
    let page = LicencePage {
        base: Base::new(&l.type_name, Some(&who), large),
        pdf,
        events,
        l,
    };
    Ok(views::render(&page))
}

#[allow(dead_code)]
fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "")
}
