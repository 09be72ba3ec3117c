//! Errors that reach people: each has a stable, greppable code from the registry
//! ([`crate::codes`]) and a Chinese message.
//!
//! A code carries its [`Kind`], so the layers above never decide a status from a list of
//! strings: the web layer maps the kind to an HTTP status and returns the code verbatim.

use std::fmt;

crate::closed_set! {
    /// What kind of refusal or failure a code is; the web layer maps each to one HTTP status.
    pub enum Kind {
        /// The request is malformed or breaks a rule (422).
        Invalid = "invalid" => "请求有误",
        /// Not signed in, or the session ended (401).
        Unauthenticated = "unauthenticated" => "未登录",
        /// Signed in but not allowed: who is acting, not what is asked (403).
        Forbidden = "forbidden" => "无权限",
        /// Nothing there, or nothing this person may see (404).
        NotFound = "not_found" => "未找到",
        /// Clashes with what exists or with someone acting at the same time (409).
        Conflict = "conflict" => "冲突",
        /// Too many attempts (429).
        Throttled = "throttled" => "过于频繁",
        /// The system failed; the detail is in the log (500).
        Internal = "internal" => "系统错误",
        /// A resource the request needs is down for now (the database cannot write): nothing
        /// was saved, and the same request can be sent again later (503).
        Unavailable = "unavailable" => "暂不可用",
    }
}

/// One code of the registry: its stable string, its kind and its Chinese message. Made only
/// by the registry's enums ([`error_codes!`](crate::error_codes)), so a typo cannot compile.
#[derive(Clone, Copy)]
pub struct ErrorCode {
    id: &'static str,
    kind: Kind,
    message: &'static str,
}

impl ErrorCode {
    #[doc(hidden)]
    pub const fn new(id: &'static str, kind: Kind, message: &'static str) -> Self {
        Self { id, kind, message }
    }

    /// The stable string, e.g. `case.stale`. Never changes once published.
    pub const fn as_str(self) -> &'static str {
        self.id
    }

    pub const fn kind(self) -> Kind {
        self.kind
    }

    /// What the code means, in Chinese: the message when the place that refuses has nothing
    /// more particular to say.
    pub const fn message(self) -> &'static str {
        self.message
    }

    /// The registry's code with this string.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        crate::codes::all().find(|c| c.id == s)
    }
}

impl PartialEq for ErrorCode {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for ErrorCode {}

impl std::hash::Hash for ErrorCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ErrorCode::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code {s:?}")))
    }
}

/// Anything that carries a code of the registry.
pub trait Code {
    fn code(&self) -> ErrorCode;
}

/// A rule broken by a request: a code of the registry and a message for the person who made it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
}

impl DomainError {
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn kind(&self) -> Kind {
        self.code.kind()
    }
}

impl Code for DomainError {
    fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<ErrorCode> for DomainError {
    fn from(code: ErrorCode) -> Self {
        DomainError::new(code, code.message())
    }
}

/// Turns any coded error into a [`DomainError`], keeping its code and its Chinese message.
pub fn coded<E: Code + fmt::Display>(err: E) -> DomainError {
    DomainError::new(err.code(), err.to_string())
}

/// A stored or submitted name of an enum variant that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的取值“{0}”")]
pub struct UnknownVariant(pub String);

/// Defines the codes of one module of the registry ([`crate::codes`]). Each code gives its
/// stable string, its [`Kind`] and its Chinese message:
///
/// ```
/// tongban_domain::error_codes! {
///     /// Lamps.
///     pub enum Lamp {
///         /// The lamp does not light.
///         Broken = "lamp.broken", Invalid => "灯坏了",
///     }
/// }
/// let e = Lamp::Broken.with("门厅的灯坏了");
/// assert_eq!(e.code, Lamp::Broken);
/// assert_eq!(Lamp::Broken.err().message, "灯坏了");
/// ```
///
/// A code is raised with `codes::Case::Stale.err()` (the registry's message) or
/// `codes::Case::Stale.with(format!(…))` (a message that says more). Define codes only inside
/// the registry.
#[macro_export]
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $id:literal, $kind:ident => $message:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every code of this module, in declaration order.
            pub const ALL: [$name; [$($id),+].len()] = [$($name::$variant),+];

            pub const fn code(self) -> $crate::error::ErrorCode {
                match self {
                    $($name::$variant => $crate::error::ErrorCode::new(
                        $id,
                        $crate::error::Kind::$kind,
                        $message,
                    ),)+
                }
            }

            /// The stable string, e.g. `case.stale`.
            pub const fn as_str(self) -> &'static str {
                self.code().as_str()
            }

            /// The refusal with the registry's message.
            pub fn err(self) -> $crate::error::DomainError {
                $crate::error::DomainError::from(self.code())
            }

            /// The refusal with a message that says more than the registry's.
            pub fn with(self, message: impl Into<String>) -> $crate::error::DomainError {
                $crate::error::DomainError::new(self.code(), message)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for $crate::error::ErrorCode {
            fn from(c: $name) -> Self {
                c.code()
            }
        }

        impl From<$name> for $crate::error::DomainError {
            fn from(c: $name) -> Self {
                c.err()
            }
        }

        impl $crate::vocab::__serde::Serialize for $name {
            fn serialize<S: $crate::vocab::__serde::Serializer>(
                &self,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::vocab::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::vocab::__serde::Deserializer<'de>>(
                d: D,
            ) -> Result<Self, D::Error> {
                let code = <$crate::error::ErrorCode as $crate::vocab::__serde::Deserialize>::deserialize(d)?;
                $name::ALL
                    .into_iter()
                    .find(|c| code == *c)
                    .ok_or_else(|| <D::Error as $crate::vocab::__serde::de::Error>::custom(
                        format!("{code} is not a {} code", stringify!($name)),
                    ))
            }
        }

        impl PartialEq<$name> for $crate::error::ErrorCode {
            fn eq(&self, other: &$name) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}
