//! A JSON body extractor whose rejections are API errors with stable codes and Chinese
//! messages, rather than axum's plain-text ones.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use tongban_app::AppError;
use tongban_domain::codes;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    AppError::of(codes::Request::ContentType)
                }
                JsonRejection::JsonSyntaxError(_) => AppError::of(codes::Request::JsonSyntax),
                JsonRejection::JsonDataError(e) => AppError::new(
                    codes::Request::JsonData,
                    format!("请求字段缺失或类型不对：{}", e.body_text()),
                ),
                other => AppError::new(
                    codes::Request::Body,
                    format!("无法读取请求内容：{}", other.body_text()),
                ),
            })),
        }
    }
}

/// A form body extractor for pages: a malformed post gets the Chinese error page, not a
/// plain-text rejection.
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(_) => Err(crate::error::PageError(AppError::of(codes::Request::Form))),
        }
    }
}

/// A query-string extractor for the API: a query that cannot be read answers `request.query`
/// as `{code, message}` JSON, never axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|_| ApiError(AppError::of(codes::Request::Query)))
    }
}

/// The same for pages: the Chinese error page.
pub struct PageQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for PageQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| PageQuery(v))
            .map_err(|_| crate::error::PageError(AppError::of(codes::Request::Query)))
    }
}

/// A path extractor for the API: a path segment of the wrong type (`/orders/abc/close`)
/// answers `request.path` as `{code, message}` JSON.
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_| ApiError(AppError::of(codes::Request::Path)))
    }
}
