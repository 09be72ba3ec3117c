//! Errors at the edge: the API answers JSON `{code, message}`, pages answer a Chinese error page
//! (or send the person to sign in). Both keep the application's stable code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use tongban_app::{AppError, Kind};

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
                code: d.code,
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
        if self.0.kind == Kind::Unauthenticated && self.0.code == "auth.required" {
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
