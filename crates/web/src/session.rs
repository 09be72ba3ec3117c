//! Sessions at the edge: the cookie, the signed-in person for each request, and the
//! session-bound anti-forgery token every state-changing request must carry.
//!
//! Two layers stop forged requests: tower-http's `CsrfLayer` refuses cross-site browser requests
//! by `Sec-Fetch-Site`/`Origin`, and this middleware requires the session's own token (form field
//! `csrf` or header `X-CSRF-Token`) on every POST/PUT/PATCH/DELETE made with a session.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tongban_app::accounts::SignedIn;
use tongban_app::AppError;
use tongban_domain::codes;

use crate::error::{ApiError, PageError};
use crate::AppState;

pub const SESSION_COOKIE: &str = "tb_session";
pub const LARGE_TEXT_COOKIE: &str = "tb_large";
const FORM_LIMIT: usize = 1024 * 1024;

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a session token.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The person behind the request, if signed in, with the raw token (for signing out).
#[derive(Clone)]
pub struct Viewer(pub Option<(SignedIn, String)>);

impl Viewer {
    pub fn signed_in(&self) -> Option<&SignedIn> {
        self.0.as_ref().map(|(s, _)| s)
    }
}

/// Whether the request prefers large text (an older person's setting, kept in a cookie).
#[derive(Clone, Copy)]
pub struct LargeText(pub bool);

fn csrf_failure(api: bool) -> Response {
    let err = AppError::of(codes::Auth::Csrf);
    if api {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

/// Resolves the session for every request and checks the anti-forgery token on writes.
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let large = cookie(&parts.headers, LARGE_TEXT_COOKIE) == Some("1");
    let token = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
    let signed_in = match token {
        Some(t) if !t.is_empty() => match state.app.authenticate(&t).await {
            Ok(found) => found.map(|s| (s, t)),
            Err(e) => return PageError(e).into_response(),
        },
        _ => None,
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let api = parts.uri.path().starts_with("/api/");
    let mut body = body;
    if let (true, Some((who, _))) = (unsafe_method, &signed_in) {
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        let ok = match header_token {
            Some(t) => t == who.csrf,
            // A file upload from a plain HTML form cannot set a header, so its token rides in
            // the form's action URL.
            None if is_multipart(&parts.headers) => parts
                .uri
                .query()
                .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
                .is_some_and(|pairs| pairs.iter().any(|(k, v)| k == "csrf" && *v == who.csrf)),
            None if is_form(&parts.headers) => {
                let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                    return csrf_failure(api);
                };
                let fields: Vec<(String, String)> =
                    serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
                let ok = fields.iter().any(|(k, v)| k == "csrf" && *v == who.csrf);
                body = Body::from(bytes);
                ok
            }
            None => false,
        };
        if !ok {
            return csrf_failure(api);
        }
    }
    parts.extensions.insert(Viewer(signed_in));
    parts.extensions.insert(LargeText(large));
    next.run(Request::from_parts(parts, body)).await
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or(Viewer(None)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LargeText {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<LargeText>()
            .copied()
            .unwrap_or(LargeText(false)))
    }
}

/// A signed-in person, for pages: without a session the page sends them to sign in.
pub struct Auth(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let Viewer(v) = Viewer::from_request_parts(parts, s)
            .await
            .unwrap_or(Viewer(None));
        v.map(|(who, _)| Auth(who))
            .ok_or_else(|| PageError(AppError::unauthenticated()))
    }
}

/// A signed-in person, for the API: without a session the answer is 401.
pub struct ApiAuth(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for ApiAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let Viewer(v) = Viewer::from_request_parts(parts, s)
            .await
            .unwrap_or(Viewer(None));
        v.map(|(who, _)| ApiAuth(who))
            .ok_or_else(|| ApiError(AppError::unauthenticated()))
    }
}

/// The client's address for throttling sign-in: the socket peer. Forwarded headers are not
/// trusted, since a client could rotate them to escape the limit.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "local".to_string(), |c| c.0.ip().to_string());
        Ok(ClientAddr(addr))
    }
}
