//! Errors that reach people: each has a stable, greppable code and a Chinese message.

/// A stable machine-readable code, e.g. `id.check_digit`. Codes never change once published;
/// the web layer maps them to HTTP statuses and the API returns them verbatim.
pub trait Code {
    fn code(&self) -> &'static str;
}

/// A rule broken by a request: a stable code and a message for the person who made it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl Code for DomainError {
    fn code(&self) -> &'static str {
        self.code
    }
}

/// Turns any coded error into a [`DomainError`], keeping its code and its Chinese message.
pub fn coded<E: Code + std::fmt::Display>(err: E) -> DomainError {
    DomainError::new(err.code(), err.to_string())
}
