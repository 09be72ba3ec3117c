//! The HTML pages.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::error::PageError;
use crate::json::PageQuery;
use crate::session::{LargeText, Viewer, LARGE_TEXT_COOKIE};
use crate::views::{self, Base};
use crate::AppState;
use tongban_app::AppError;
use tongban_domain::codes;

mod admin;
mod admonitions;
mod apply;
pub(crate) mod auth;
mod board;
pub(crate) mod bundles;
mod calendar;
mod cases;
mod catalog;
mod disclosure;
mod disclosure_catalog;
mod disclosure_report;
mod documents;
pub(crate) use documents::sealed_response;
mod home;
mod hotline;
mod items;
mod opengov;
mod opengov_form;
mod opengov_hall;
mod opengov_more;
mod performance;
mod phone_sign_in;
mod public;
mod ratings;
mod survey;

/// The largest form with files (an application with all its materials); the outer layer
/// caps every request at the same size.
pub(crate) const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route(
            "/login/sms",
            get(phone_sign_in::sms_page).post(phone_sign_in::sms_sign_in),
        )
        .route("/login/sms/send", post(phone_sign_in::sms_send))
        .route(
            "/password/forgot",
            get(phone_sign_in::forgot_page).post(phone_sign_in::forgot_reset),
        )
        .route("/password/forgot/send", post(phone_sign_in::forgot_send))
        .route("/logout", post(auth::logout))
        .route("/register", get(auth::register_page).post(auth::register))
        .route(
            "/account/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route("/me", get(home::me))
        .route("/workbench", get(home::workbench))
        .route("/prefs/text", get(text_size))
        .route("/calendar", get(calendar::calculator))
        .route("/items", get(items::browse))
        .route("/items/{code}", get(items::guide))
        .route("/items/{code}/blank/{key}", get(items::blank_form_xlsx))
        .route("/files/{hash}", get(items::file))
        .route(
            "/items/{code}/apply",
            get(apply::apply_page)
                .post(apply::apply)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/items/{code}/apply/check",
            get(apply::check_page).post(apply::confirm),
        )
        .route(
            "/cases/new",
            get(apply::new_page)
                .post(apply::create)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        // 一件事一次办.
        .route("/bundles", get(bundles::list))
        .route("/bundles/{code}", get(bundles::guide))
        .route(
            "/bundles/{code}/apply",
            get(bundles::apply_page)
                .post(bundles::apply)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/bundle-cases/{number}", get(bundles::case))
        .route(
            "/catalog/bundles",
            get(bundles::staff_list).post(bundles::create),
        )
        .route("/catalog/bundles/{id}", get(bundles::staff_bundle))
        .route("/catalog/bundles/{id}/save", post(bundles::save))
        .route("/catalog/bundles/{id}/act", post(bundles::act))
        .route("/cases/search", get(home::search))
        .route("/cases/{number}", get(cases::show))
        .route(
            "/cases/{number}/act",
            post(cases::act).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases/{number}/files/{hash}", get(cases::file))
        .route("/cases/{number}/documents/{doc}", get(cases::document))
        .route("/hotline", get(hotline::desk))
        .route("/hotline/tickets", post(hotline::create))
        .route("/hotline/tickets/{number}", get(hotline::show))
        .route("/hotline/tickets/{number}/act", post(hotline::act))
        .route(
            "/hotline/tickets/{number}/photos/{seq}",
            get(hotline::photo),
        )
        .route(
            "/12345",
            get(hotline::public)
                .post(hotline::public_file)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/12345/tickets/{number}/photos/{seq}",
            get(hotline::public_photo),
        )
        .route("/12345/rates", get(hotline::rates))
        .route("/12345/report", get(hotline::report))
        .route("/hotline/list", get(hotline::list))
        .route("/hotline/list.xlsx", get(hotline::list_xlsx))
        .route("/cases/{number}/rating", post(ratings::rate_case))
        .route(
            "/rate/window/{id}",
            get(ratings::device).post(ratings::device_rate),
        )
        .route("/ratings", get(ratings::list))
        .route("/ratings/month", get(ratings::month))
        .route("/ratings/{number}", get(ratings::show))
        .route("/ratings/{number}/act", post(ratings::act))
        .route("/performance", get(performance::desk))
        .route("/performance/public", get(performance::public))
        .route(
            "/performance/surveys",
            get(survey::rounds).post(survey::open),
        )
        .route("/performance/surveys/{id}", get(survey::round))
        .route("/performance/surveys/{id}/links", post(survey::invite))
        .route("/performance/surveys/{id}/publish", post(survey::publish))
        .route("/survey/{token}", get(survey::form).post(survey::answer))
        .route("/performance/schemes", post(performance::draft))
        .route(
            "/performance/schemes/{id}/act",
            post(performance::scheme_act),
        )
        .route("/performance/periods", post(performance::publish))
        .route("/performance/periods/{id}", get(performance::period))
        .route(
            "/performance/periods/{id}/export.xlsx",
            get(performance::export),
        )
        .route(
            "/performance/periods/{id}/correct",
            post(performance::correct),
        )
        .route("/performance/flags/{id}/act", post(performance::flag_act))
        .route(
            "/performance/periods/{id}/members/{group}",
            get(performance::members),
        )
        .route(
            "/performance/periods/{id}/members/{group}/{member}/{indicator}",
            get(performance::member_drill),
        )
        .route(
            "/performance/periods/{id}/units/{kind}/{unit}",
            get(performance::unit),
        )
        .route(
            "/performance/periods/{id}/units/{kind}/{unit}/{indicator}",
            get(performance::drill),
        )
        .route("/supervision", get(board::board))
        .route("/supervision/stream", get(board::stream))
        .route("/supervision/cases", get(board::cases))
        .route("/supervision/cases.xlsx", get(board::cases_xlsx))
        .route("/supervision/findings.xlsx", get(board::findings_xlsx))
        .route("/supervision/warnings.xlsx", get(board::warnings_xlsx))
        .route("/supervision/findings/{id}", post(home::decide_finding))
        .route("/supervision/orders", post(home::issue_order))
        .route(
            "/supervision/admonitions",
            get(admonitions::list).post(admonitions::issue),
        )
        .route("/supervision/orders/{id}/reply", post(home::reply_order))
        .route("/supervision/orders/{id}/close", post(home::close_order))
        .route("/disclosure", get(disclosure::home).post(disclosure::file))
        .route("/disclosure/requests/{number}", get(disclosure::show))
        .route("/disclosure/requests/{number}/act", post(disclosure::act))
        .route(
            "/disclosure/catalog",
            get(disclosure_catalog::catalog).post(disclosure_catalog::catalog_act),
        )
        .route(
            "/disclosure/catalog/{entry}",
            get(disclosure_catalog::entry),
        )
        .route(
            "/disclosure/catalog/{entry}/act",
            post(disclosure_catalog::entry_act),
        )
        .route(
            "/disclosure/gazettes",
            get(disclosure_catalog::gazettes).post(disclosure_catalog::gazette_publish),
        )
        .route(
            "/disclosure/gazettes/{issue}",
            get(disclosure_catalog::gazette),
        )
        .route("/opengov", get(opengov::index))
        .route(
            "/opengov/consultations",
            get(opengov::consultations).post(opengov::publish),
        )
        .route(
            "/opengov/consultations/{number}",
            get(opengov::consultation),
        )
        .route(
            "/opengov/consultations/{number}/comment",
            post(opengov::comment),
        )
        .route(
            "/opengov/consultations/{number}/act",
            post(opengov::consultation_act),
        )
        .route(
            "/opengov/consultations/{number}/comments.csv",
            get(opengov::comments_csv),
        )
        .route(
            "/opengov/proposals",
            get(opengov::proposals).post(opengov::register),
        )
        .route("/opengov/proposals/{number}", get(opengov::proposal))
        .route(
            "/opengov/proposals/{number}/act",
            post(opengov::proposal_act),
        )
        .route(
            "/opengov/consultations/{number}/comments.xlsx",
            get(opengov_more::comments_xlsx),
        )
        .route(
            "/opengov/notices",
            get(opengov_more::notices).post(opengov_more::publish_notice),
        )
        .route("/opengov/notices/{number}", get(opengov_more::notice))
        .route(
            "/opengov/notices/{number}/object",
            post(opengov_more::object),
        )
        .route(
            "/opengov/notices/{number}/act",
            post(opengov_more::notice_act),
        )
        .route(
            "/opengov/meetings",
            get(opengov_more::meetings).post(opengov_more::announce),
        )
        .route("/opengov/meetings/{number}", get(opengov_more::meeting))
        .route(
            "/opengov/meetings/{number}/register",
            post(opengov_more::attend),
        )
        .route(
            "/opengov/meetings/{number}/act",
            post(opengov_more::meeting_act),
        )
        .route(
            "/opengov/commitments",
            get(opengov_more::commitments).post(opengov_more::commitment_act),
        )
        .route(
            "/opengov/visits",
            get(opengov_more::visits).post(opengov_more::publish_visit),
        )
        .route("/opengov/follow", post(opengov_more::follow))
        .route("/opengov/hall", get(opengov_hall::hall))
        .route("/opengov/kiosk", get(opengov_hall::kiosk))
        .route("/opengov/licensing", get(opengov_hall::licensing))
        .route("/opengov/meetings/{number}/ask", post(opengov_more::ask))
        .route(
            "/disclosure/report",
            get(disclosure_report::show).post(disclosure_report::save),
        )
        .route("/disclosure/report.xlsx", get(disclosure_report::xlsx))
        .route(
            "/disclosure/report/requests",
            get(disclosure_report::requests),
        )
        .route(
            "/disclosure/report/entries",
            get(disclosure_report::entries),
        )
        .route("/track", get(public::track))
        .route("/verify", get(public::verify_form))
        .route(
            "/verify/file",
            get(documents::verify_file_form)
                .post(documents::verify_file)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/verify/{doc}", get(public::verify))
        .route("/documents/root.pem", get(documents::root))
        .route("/documents/{doc}/{file}", get(documents::file))
        .route("/licences", get(documents::licences))
        .route("/licences/{number}", get(documents::licence))
        .route("/catalog", get(catalog::list))
        .route("/catalog/new", get(catalog::new_page).post(catalog::create))
        .route("/catalog/preview", post(catalog::preview_form))
        .route(
            "/catalog/import",
            get(catalog::import_page)
                .post(catalog::import)
                .layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route("/catalog/export.xlsx", get(catalog::export))
        .route("/items/power-list.xlsx", get(catalog::power_list_table))
        .route("/items/power-list.zip", get(catalog::power_list_bundle))
        .route("/catalog/{id}", get(catalog::item))
        .route("/catalog/{id}/new-version", post(catalog::new_version))
        .route("/catalog/{id}/v/{version}", get(catalog::preview))
        .route(
            "/catalog/{id}/v/{version}/edit",
            get(catalog::edit).post(catalog::save),
        )
        .route("/catalog/{id}/v/{version}/action", post(catalog::act))
        .route("/admin/calendar", get(calendar::admin))
        .route("/admin/calendar/day", post(calendar::set_day))
        .route("/admin/calendar/remove", post(calendar::remove_day))
        .route("/admin/calendar/ics", post(calendar::import_ics))
        .route("/admin/calendar/year", post(calendar::put_year))
        .merge(admin::router())
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Readiness: 200 only when the store takes a write now (a heartbeat row, through the same
/// write path as every change). A full disk, a read-only database, a lock held elsewhere or an
/// unreachable server answer 503 with the fault's stable code, so a balancer stops sending
/// work that would not be saved. `/healthz` stays the cheap liveness check.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let node = if state.cfg.node.is_empty() {
        "web"
    } else {
        state.cfg.node.as_str()
    };
    match state.app.store.heartbeat(node, state.app.clock.now()).await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            let err = if err.kind == tongban_app::Kind::Unavailable {
                err
            } else {
                // Whatever else failed the write, the answer is still "not ready".
                AppError::of(codes::Store::Unavailable)
            };
            crate::error::ApiError(err).into_response()
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}

/// Counts requests by route and status for `/metrics`.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("tongban_http_requests_total", &labels).increment(1);
    metrics::histogram!("tongban_http_request_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    res
}

pub async fn not_found(viewer: Viewer, LargeText(large): LargeText) -> Response {
    let page = views::ErrorPage {
        base: Base::new("未找到", viewer.signed_in(), large),
        code: codes::General::NotFound.as_str().into(),
        message: "您要找的页面不存在".into(),
    };
    (StatusCode::NOT_FOUND, views::render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct TextSize {
    size: String,
}

/// Switches large text on or off: a preference cookie, valid a year.
async fn text_size(PageQuery(q): PageQuery<TextSize>, headers: axum::http::HeaderMap) -> Response {
    let on = q.size == "large";
    let cookie = format!(
        "{LARGE_TEXT_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={}",
        if on { "1" } else { "0" },
        if on { 31_536_000 } else { 0 }
    );
    // Go back where the person was, but only within this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// Requires a staff member (pages).
pub(crate) fn staff_only(who: &tongban_app::accounts::SignedIn) -> Result<(), PageError> {
    if who.user.role.is_staff() {
        Ok(())
    } else {
        Err(PageError(AppError::forbidden()))
    }
}

/// The annual disclosure report's address, for the API (the page's rules).
pub(crate) fn disclosure_report_query(
    year: Option<String>,
    department: Option<String>,
    region: Option<String>,
) -> disclosure_report::ReportQuery {
    disclosure_report::ReportQuery {
        year,
        department,
        region,
        ..Default::default()
    }
}

/// The annual disclosure report's scope and year as the page reads them.
pub(crate) fn disclosure_report_scope(
    who: &tongban_app::accounts::SignedIn,
    q: &disclosure_report::ReportQuery,
    this_year: i32,
) -> Result<(tongban_store::disclosure::ReportScope, i32), tongban_app::AppError> {
    disclosure_report::scope_of(who, q, this_year)
}
