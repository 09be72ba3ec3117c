//! Errors at the edge: the API answers JSON `{code, message}`, pages answer a Chinese error page
//! (or send the person to sign in). Both keep the application's stable code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use tongban_app::{AppError, Kind};
use tongban_domain::codes;

use crate::views;

pub fn status(kind: Kind) -> StatusCode {
    match kind {
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, greppable code, e.g. `id.check_digit`.
    pub code: String,
    /// What went wrong, in Chinese, for the person.
    pub message: String,
    /// Each broken rule at its field, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let details = self
            .0
            .details
            .into_iter()
            .map(|d| ErrorDetail {
                field: d.field,
                code: d.code.to_string(),
                message: d.message,
            })
            .collect();
        let body = ErrorBody {
            code: self.0.code.to_string(),
            message: self.0.message,
            details,
        };
        (status(self.0.kind), Json(body)).into_response()
    }
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.0.kind == Kind::Unauthenticated && self.0.code == codes::Auth::Required {
            return Redirect::to("/login").into_response();
        }
        let page = views::ErrorPage {
            base: views::Base::anonymous("出错了"),
            code: self.0.code.to_string(),
            message: self.0.message,
        };
        (status(self.0.kind), views::render(&page)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The list of every public code with its HTTP status, in `docs/error-codes.md`.
    fn code_list() -> String {
        use std::fmt::Write;
        let mut out = String::from(
            "# Error codes\n\n\
             Every code Tongban answers with, its HTTP status and its Chinese message. The codes are \
             defined once, in `crates/domain/src/codes/`; this list is written from there by \
             `cargo test -p tongban-web code_list` (set `UPDATE_CODES=1` to rewrite it). A code never \
             changes once published. Where a refusal has more to say (which material, which step), \
             the message names it; the list shows the general one.\n",
        );
        let mut module = None;
        for code in tongban_domain::codes::all() {
            let prefix = code.as_str().split_once('.').map_or("", |(p, _)| p);
            if module != Some(prefix) {
                module = Some(prefix);
                let title = if prefix.is_empty() { "general" } else { prefix };
                let _ = write!(
                    out,
                    "\n## {title}\n\n| code | HTTP | kind | message |\n|---|---|---|---|\n"
                );
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                code.as_str(),
                status(code.kind()).as_u16(),
                code.kind().label(),
                code.message()
            );
        }
        out
    }

    /// The published list matches the registry; run with `UPDATE_CODES=1` to rewrite it.
    #[test]
    fn code_list_matches_docs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/error-codes.md");
        let list = code_list();
        if std::env::var_os("UPDATE_CODES").is_some() {
            std::fs::write(path, &list).expect("write docs/error-codes.md");
        }
        let published = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            published == list,
            "docs/error-codes.md is out of date: run UPDATE_CODES=1 cargo test -p tongban-web code_list"
        );
    }

    #[test]
    fn each_kind_has_its_status() {
        use tongban_domain::codes;
        let of = |c: tongban_domain::ErrorCode| status(c.kind()).as_u16();
        assert_eq!(of(codes::Case::Stale.code()), 409);
        assert_eq!(of(codes::Case::NotYourStep.code()), 403);
        assert_eq!(of(codes::Catalog::WrongReviewer.code()), 403);
        assert_eq!(of(codes::Account::Locked.code()), 429);
        assert_eq!(of(codes::Auth::Required.code()), 401);
        assert_eq!(of(codes::General::NotFound.code()), 404);
        assert_eq!(of(codes::General::Internal.code()), 500);
        assert_eq!(of(codes::Case::WrongStatus.code()), 422);
        assert_eq!(of(codes::Store::DiskFull.code()), 503);
        assert_eq!(of(codes::Store::ReadOnly.code()), 503);
    }
}
