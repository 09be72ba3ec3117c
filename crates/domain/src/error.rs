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
        Self {
            code,
            message: message.into(),
        }
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

/// A stored or submitted name of an enum variant that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的取值“{0}”")]
pub struct UnknownVariant(pub String);

/// `TryFrom<String>` for enums that already have `parse(&str) -> Option<Self>`.
#[macro_export]
macro_rules! parse_from_string {
    ($($ty:ty),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = $crate::error::UnknownVariant;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&s).ok_or($crate::error::UnknownVariant(s))
            }
        }
    )*};
}
