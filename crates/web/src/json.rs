//! A JSON body extractor whose rejections are API errors with stable codes and Chinese
//! messages, rather than axum's plain-text ones.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use tongban_app::AppError;

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
                JsonRejection::MissingJsonContentType(_) => AppError::invalid(
                    "request.content_type",
                    "请求须为 JSON（Content-Type: application/json）",
                ),
                JsonRejection::JsonSyntaxError(_) => {
                    AppError::invalid("request.json_syntax", "请求内容不是有效的 JSON")
                }
                JsonRejection::JsonDataError(e) => AppError::invalid(
                    "request.json_data",
                    format!("请求字段缺失或类型不对：{}", e.body_text()),
                ),
                other => AppError::invalid(
                    "request.body",
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
            Err(_) => Err(crate::error::PageError(AppError::invalid(
                "request.form",
                "表单内容不完整或格式不对，请返回检查后重新提交",
            ))),
        }
    }
}
