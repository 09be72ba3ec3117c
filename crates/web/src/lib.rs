//! Tongban's web layer: the Chinese HTML UI and the JSON API under `/api/v1`, both thin over the
//! application's use cases. Nothing here decides who may do what; it turns requests into calls
//! and results into pages, JSON and status codes.

use std::sync::Arc;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tongban_app::App;

mod api;
mod assets;
mod board_query;
mod case_input;
mod disclosure_input;
mod error;
mod headers;
mod item_form;
mod json;
mod pages;
mod session;
mod views;

pub use session::SESSION_COOKIE;

/// How the web layer behaves in this deployment.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Turns `true` when the server shuts down: long-lived responses (the supervision board's
    /// live stream) end so a graceful shutdown is not held open by them.
    pub closing: Option<tokio::sync::watch::Receiver<bool>>,
    /// This server's name in the heartbeat rows `/readyz` writes (host and address).
    pub node: String,
    /// A request body silent for longer than this fails (the client is answered, the
    /// connection closed) instead of holding its worker; `None` waits for ever.
    pub body_read_timeout: Option<std::time::Duration>,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub app: Arc<App>,
    pub cfg: Arc<WebConfig>,
    pub metrics: Option<PrometheusHandle>,
}

/// The whole application as one router: pages, API, OpenAPI document, assets, health, metrics.
pub fn router(app: Arc<App>, cfg: WebConfig, metrics: Option<PrometheusHandle>) -> Router {
    let state = AppState {
        app,
        cfg: Arc::new(cfg),
        metrics,
    };
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    // Pages and the API need to know who is asking; assets, health and metrics do not, so they
    // stay outside the session layer and cost no database read.
    let with_session = Router::new()
        .merge(pages::router())
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(pages::auth::remember_place))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ));
    let body_timeout = state.cfg.body_read_timeout;
    let router = Router::new()
        .route("/healthz", axum::routing::get(pages::healthz))
        .route("/readyz", axum::routing::get(pages::readyz))
        .route("/metrics", axum::routing::get(pages::metrics))
        .route("/static/{*path}", axum::routing::get(assets::serve))
        // Browsers ask for /favicon.ico on their own; the icon is an SVG.
        .route(
            "/favicon.ico",
            axum::routing::get(|| async {
                axum::response::Redirect::permanent("/static/favicon.svg")
            }),
        )
        .merge(with_session)
        .layer(axum::middleware::from_fn(pages::count_requests))
        .layer(tower_http::csrf::CsrfLayer::new())
        // The largest body anywhere is a catalog workbook; extractors keep axum's 2 MiB
        // default everywhere else.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            20 * 1024 * 1024,
        ))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|req: &axum::extract::Request| headers::request_span(req)),
        )
        .with_state(state);
    match body_timeout {
        Some(t) => router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(t)),
        None => router,
    }
}

/// The OpenAPI document, for tests and for `tongban` to print.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}
