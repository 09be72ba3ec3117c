//! Pages anyone may open without signing in: progress by case number and the last four digits
//! of the phone or ID number, and the check of a result document against its record.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::Kind;
use tongban_domain::time::format_local;

use crate::error::{status, PageResult};
use crate::json::PageQuery;
use crate::session::{ClientAddr, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

/// A QR code of `text` as inline SVG (no XML prologue), or nothing if it cannot be drawn.
pub(crate) fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(150, 150)
                .quiet_zone(true)
                .build();
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "QR code not drawn");
            String::new()
        }
    }
}

pub struct Tracked {
    pub number: String,
    pub item_name: String,
    pub status: String,
    pub received: String,
    pub due: String,
    pub next_action: String,
    pub timeline: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "track.html")]
pub struct TrackPage {
    pub base: Base,
    pub number: String,
    pub tail: String,
    pub found: Option<Tracked>,
    /// (code, message)
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct TrackQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    tail: String,
}

/// `GET /track`: the lookup form, and its answer when both fields are given.
pub async fn track(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<TrackQuery>,
    crate::session::ClientAddr(client): crate::session::ClientAddr,
) -> PageResult<Response> {
    let mut page = TrackPage {
        base: Base::new("办件进度查询", viewer.signed_in(), large),
        number: q.number.trim().to_string(),
        tail: q.tail.trim().to_string(),
        found: None,
        error: None,
    };
    if page.number.is_empty() && page.tail.is_empty() {
        return Ok(views::render(&page));
    }
    match state
        .app
        .public_case_status(&page.number, &page.tail, &client)
        .await
    {
        Ok(s) => {
            page.found = Some(Tracked {
                number: s.number,
                item_name: s.item_name,
                status: s.status,
                received: format_local(s.received_at),
                due: s.due_at.map(format_local).unwrap_or_else(|| "—".into()),
                next_action: s.next_action,
                timeline: s
                    .timeline
                    .into_iter()
                    .rev()
                    .map(|(at, line)| (format_local(at), line))
                    .collect(),
            });
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

pub struct Verified {
    pub number: String,
    pub title: String,
    pub case_number: String,
    pub item_name: String,
    pub applicant: String,
    pub department: String,
    pub issued: String,
    pub hash: String,
    pub intact: bool,
    pub outcome: String,
}

#[derive(askama::Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub base: Base,
    pub number: String,
    pub code: String,
    pub found: Option<Verified>,
    /// (code, message)
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    number: String,
    /// The verification code printed beside the QR code (the QR code carries it).
    #[serde(default)]
    code: String,
}

async fn verify_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    number: String,
    code: String,
    client: &str,
) -> PageResult<Response> {
    let mut page = VerifyPage {
        base: Base::new("文书核验", viewer.signed_in(), large),
        number: number.trim().to_string(),
        code: code.trim().to_string(),
        found: None,
        error: None,
    };
    if page.number.is_empty() {
        return Ok(views::render(&page));
    }
    let app = &state.app;
    match app.verify_document(&page.number, &page.code, client).await {
        Ok(d) => {
            page.found = Some(Verified {
                department: app.department_name(d.department_id).await?,
                number: d.number,
                title: d.title,
                case_number: d.case_number,
                item_name: d.item_name,
                applicant: d.applicant,
                issued: format_local(d.issued_at),
                hash: d.hash,
                intact: d.intact,
                outcome: d.outcome,
            });
            Ok(views::render(&page))
        }
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => Err(e.into()),
        Err(e) => {
            let status = status(e.kind);
            page.error = Some((e.code.to_string(), e.message));
            Ok((status, views::render(&page)).into_response())
        }
    }
}

/// `GET /verify?number=`: the form, and the verdict when a number is given.
pub async fn verify_form(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageQuery(q): PageQuery<VerifyQuery>,
) -> PageResult<Response> {
    verify_page(&state, &viewer, large, q.number, q.code, &client).await
}

/// `GET /verify/{doc}`: where a document's QR code leads.
pub async fn verify(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    Path(doc): Path<String>,
    PageQuery(q): PageQuery<VerifyQuery>,
) -> PageResult<Response> {
    verify_page(&state, &viewer, large, doc, q.code, &client).await
}
