//! The application's error: a code of the registry (`tongban_domain::codes`), whose kind the
//! web layer maps to an HTTP status, and a Chinese message. Internal failures keep their detail
//! for the log and show a plain message.

use tongban_domain::codes;
pub use tongban_domain::error::Kind;
use tongban_domain::error::{Code, DomainError, ErrorCode};
use tongban_store::fault::Fault;
use tongban_store::StoreError;

/// What went wrong: a code of the registry (whose kind the web layer maps to an HTTP status)
/// and a Chinese message. `kind` is always the code's own.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: Kind,
    pub code: ErrorCode,
    pub message: String,
    /// Every broken rule when there are several (an item, an import), each at its field.
    pub details: Vec<Detail>,
}

/// One broken rule at one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detail {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            kind: code.kind(),
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// The code with the registry's own message.
    pub fn of(code: impl Into<ErrorCode>) -> Self {
        let code = code.into();
        Self::new(code, code.message())
    }

    pub fn with_details(mut self, details: Vec<Detail>) -> Self {
        self.details = details;
        self
    }

    pub fn forbidden() -> Self {
        Self::of(codes::Auth::Forbidden)
    }

    pub fn unauthenticated() -> Self {
        Self::of(codes::Auth::Required)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(codes::General::NotFound, format!("未找到{what}"))
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::of(codes::General::Internal)
    }
}

impl Code for AppError {
    fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // A fault of the database (disk full, read-only, locked, unreachable) is no bug: it is
        // answered 503 with its own code, and logged for the operator with its detail.
        if let Some(fault) = e.fault() {
            tracing::error!(error = %e, ?fault, "database fault");
            return AppError::of(fault_code(fault));
        }
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            // The database's own words (a constraint, its table and columns) are for the log,
            // never for the person: they name the schema.
            StoreError::Conflict(what) => {
                tracing::info!(constraint = %what, "unique key clash");
                AppError::of(codes::General::Conflict)
            }
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                AppError::of(codes::Store::Unavailable)
            }
            other => AppError::internal(other),
        }
    }
}

/// The stable code a database fault is answered with.
pub fn fault_code(fault: Fault) -> codes::Store {
    match fault {
        Fault::DiskFull => codes::Store::DiskFull,
        Fault::ReadOnly => codes::Store::ReadOnly,
        Fault::Busy => codes::Store::Busy,
        Fault::Unavailable => codes::Store::Unavailable,
    }
}

/// Converts any coded domain error (ID numbers, credit codes, region codes…) into an
/// application error with its code and message.
pub fn invalid<E: Code + std::fmt::Display>(e: E) -> AppError {
    AppError::new(e.code(), e.to_string())
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
