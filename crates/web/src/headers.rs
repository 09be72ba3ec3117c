//! Response headers every answer carries, and how requests appear in the logs.
//!
//! The pages load only their own scripts and styles (no inline script, no inline handler, no
//! inline style), so the Content-Security-Policy can be `'self'` alone: an injected `<script>`
//! or `onerror=` does not run. Pages are never framed (clickjacking), types are never sniffed,
//! and no answer except a static asset may be kept by a browser or proxy cache, since pages and
//! API answers carry personal data.
//!
//! Logs see a request's path and the names of its query parameters, never their values: a public
//! lookup's `tail=` and a CSRF token in a form's action URL are secrets. A 社会评议 link's token
//! is in its path, and is shown as `…` too.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy for every answer: our own origin only, no plugins, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers; a handler that set one of them keeps its own.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let asset = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    if !asset {
        set(header::CACHE_CONTROL, "no-store");
    }
    res
}

/// The request target as logs may show it: the path, and each query parameter's name with its
/// value replaced by `…`.
pub fn redacted_target(uri: &axum::http::Uri) -> String {
    let path = redacted_path(uri.path());
    match uri.query() {
        None => path,
        Some(q) => {
            let names: Vec<String> = q
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((name, _)) => format!("{name}=…"),
                    None => p.to_string(),
                })
                .collect();
            format!("{path}?{}", names.join("&"))
        }
    }
}

/// Paths whose last segment is a secret: the one-time 社会评议 links.
const SECRET_PATHS: [&str; 2] = ["/survey/", "/api/v1/public/survey-links/"];

fn redacted_path(path: &str) -> String {
    for prefix in SECRET_PATHS {
        if path.starts_with(prefix) && path.len() > prefix.len() {
            return format!("{prefix}…");
        }
    }
    path.to_string()
}

/// The span each request is logged in: method and redacted target, never the query's values
/// nor any header.
pub fn request_span(req: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %req.method(),
        target = %redacted_target(req.uri()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_never_reach_the_log() {
        let uri: axum::http::Uri = "/track?number=361202-20260302-000001&tail=5678&csrf=abc"
            .parse()
            .unwrap();
        let shown = redacted_target(&uri);
        assert_eq!(shown, "/track?number=…&tail=…&csrf=…");
        assert!(!shown.contains("5678") && !shown.contains("abc"));
        let plain: axum::http::Uri = "/items".parse().unwrap();
        assert_eq!(redacted_target(&plain), "/items");
        let link: axum::http::Uri = "/survey/0a1b2c?x=1".parse().unwrap();
        assert_eq!(redacted_target(&link), "/survey/…?x=…");
        let api: axum::http::Uri = "/api/v1/public/survey-links/0a1b2c".parse().unwrap();
        assert_eq!(redacted_target(&api), "/api/v1/public/survey-links/…");
    }
}
