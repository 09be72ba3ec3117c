//! Tongban's domain: the types, rules and state machines of government service.
//!
//! Nothing here does IO, spawns tasks or speaks SQL. Every value that crosses the edge of the
//! system is parsed into a type that cannot hold a bad value ("parse, don't validate"); every
//! rejection carries a stable error code and a Chinese message.

pub mod account;
pub mod audit;
pub mod bundle;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod codes;
pub mod disclosure;
pub mod document;
pub mod error;
pub mod hotline;
pub mod identity;
pub mod mask;
pub mod opengov;
pub mod org;
pub mod performance;
pub mod rating;
pub mod region;
pub mod supervision;
pub mod time;
pub mod uscc;
pub mod vocab;

pub use error::{Code, DomainError, ErrorCode, Kind};
pub use vocab::ClosedSet;
