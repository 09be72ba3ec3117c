//! The application's error: a kind the web layer maps to an HTTP status, a stable code and a
//! Chinese message. Internal failures keep their detail for the log and show a plain message.

use tongban_domain::error::{Code, DomainError};
use tongban_store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request is malformed or breaks a rule (400/422).
    Invalid,
    /// Not signed in, or the session ended (401).
    Unauthenticated,
    /// Signed in but not allowed (403).
    Forbidden,
    NotFound,
    /// Clashes with what exists (409).
    Conflict,
    /// Too many attempts (429).
    Throttled,
    Internal,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    /// Every broken rule when there are several (an item, an import), each at its field.
    pub details: Vec<Detail>,
}

/// One broken rule at one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detail {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<Detail>) -> Self {
        self.details = details;
        self
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, code, message)
    }

    pub fn forbidden() -> Self {
        Self::new(
            Kind::Forbidden,
            "auth.forbidden",
            "您没有权限执行此操作或查看此内容",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(Kind::Unauthenticated, "auth.required", "请先登录")
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(Kind::NotFound, "not_found", format!("未找到{what}"))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, code, message)
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(Kind::Internal, "internal", "系统暂时无法处理，请稍后再试")
    }
}

impl Code for AppError {
    fn code(&self) -> &'static str {
        self.code
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        let kind = match e.code {
            "account.locked" => Kind::Throttled,
            // The case engine's refusals of who is acting, as opposed to what is asked.
            "case.not_your_step"
            | "case.not_your_window"
            | "case.head_only"
            | "case.not_applicant"
            | "case.not_first_responder"
            | "case.channel_not_allowed"
            | "case.system_only" => Kind::Forbidden,
            _ => Kind::Invalid,
        };
        Self::new(kind, e.code, e.message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(what) => {
                AppError::conflict("conflict", format!("记录已存在，不能重复创建（{what}）"))
            }
            other => AppError::internal(other),
        }
    }
}

/// Converts any coded domain error (ID numbers, credit codes, region codes…) into an invalid-input error.
pub fn invalid<E: Code + std::fmt::Display>(e: E) -> AppError {
    AppError::invalid(e.code(), e.to_string())
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
