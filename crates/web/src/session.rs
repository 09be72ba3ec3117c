//! Sessions at the edge: the cookie, the signed-in person for each request, and the
//! session-bound anti-forgery token every state-changing request must carry.
//!
//! Two layers stop forged requests: tower-http's `CsrfLayer` refuses cross-site browser requests
//! by `Sec-Fetch-Site`/`Origin`, and this middleware requires the session's own token (form field
//! `csrf` or header `X-CSRF-Token`) on every POST/PUT/PATCH/DELETE made with a session. A
//! multipart form carries it as its first field; never in a URL.

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
            // A file upload from a plain HTML form cannot set a header, and a token in a URL
            // leaks (history, logs, the Referer): its form carries the token as its first
            // field, read here without reading the files behind it.
            None if is_multipart(&parts.headers) => {
                let (token, rebuilt) = multipart_token(&parts.headers, body).await;
                body = rebuilt;
                token.is_some_and(|t| t == who.csrf)
            }
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

/// How much of a multipart body is read to find its first field.
const MULTIPART_HEAD_LIMIT: usize = 8 * 1024;

fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// The value of a multipart body's first part when it is the field `csrf`: `Some(None)` when
/// the body shows it is not, `None` while more bytes are needed to tell.
fn first_part_token(buf: &[u8], boundary: &str) -> Option<Option<String>> {
    let open = format!("--{boundary}\r\n");
    let open = open.as_bytes();
    if buf.len() < open.len() {
        return (!open.starts_with(buf)).then_some(None);
    }
    if !buf.starts_with(open) {
        return Some(None);
    }
    let rest = &buf[open.len()..];
    let head_end = find(rest, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
    let named_csrf = head.lines().any(|l| {
        l.starts_with("content-disposition:")
            && l.contains("name=\"csrf\"")
            && !l.contains("filename")
    });
    if !named_csrf {
        return Some(None);
    }
    let value = &rest[head_end + 4..];
    let close = format!("\r\n--{boundary}");
    let end = find(value, close.as_bytes())?;
    Some(String::from_utf8(value[..end].to_vec()).ok())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads a multipart body up to the end of its first part and returns the token it carries
/// (the form's first field, `csrf`), with a body that still holds every byte.
async fn multipart_token(headers: &HeaderMap, body: Body) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let Some(boundary) = boundary(headers) else {
        return (None, body);
    };
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut token = None;
    loop {
        if let Some(found) = first_part_token(&buf, &boundary) {
            token = found;
            break;
        }
        if buf.len() > MULTIPART_HEAD_LIMIT {
            break;
        }
        match stream.next().await {
            Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let head = axum::body::Bytes::from(buf);
    let rebuilt =
        futures_util::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(stream);
    (token, Body::from_stream(rebuilt))
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
