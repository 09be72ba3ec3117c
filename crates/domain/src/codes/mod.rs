//! The registry of error codes: every code a person, a client or an operator can see, each
//! defined once with its stable string, its [`Kind`](crate::error::Kind) (hence its HTTP status)
//! and its Chinese message.
//!
//! One enum per code prefix (`case.*` is [`Case`], `catalog.*` is [`Catalog`], …), written
//! with [`error_codes!`](crate::error_codes) in the file of its area. Code is raised as
//! `codes::Case::Stale.err()` (the registry's message) or `codes::Case::Stale.with(…)` (a
//! message that says more, e.g. which material). A new module adds its enum in a file here
//! and one line to [`all`]; the web crate's test then lists it in `docs/error-codes.md`.
//! Strings never change once published: clients and tests match on them.

mod access;
mod bundle;
mod calendar;
mod case;
mod catalog;
mod disclosure;
mod document;
mod general;
mod hotline;
mod opengov;
mod org;
mod performance;
mod rating;
mod supervision;

pub use access::{Account, Auth, Id, Staff, Uscc, Validate};
pub use bundle::Bundle;
pub use calendar::Calendar;
pub use case::Case;
pub use catalog::{Catalog, Exchange, Import};
pub use disclosure::Disclosure;
pub use document::{Document, Licence};
pub use general::{Audit, Form, General, Request, Store};
pub use hotline::Hotline;
pub use opengov::Opengov;
pub use org::{Clock, Demo, Hall, Notify, Post, Region, Setting};
pub use performance::Performance;
pub use rating::Rating;
pub use supervision::{Admonition, Board, Finding, Order};

use crate::error::ErrorCode;

/// Chains the codes of every module, in registry order.
macro_rules! registry {
    ($($module:ident),+ $(,)?) => {
        std::iter::empty()
            $(.chain($module::ALL.into_iter().map($module::code)))+
    };
}

/// Every code of the registry, module by module.
pub fn all() -> impl Iterator<Item = ErrorCode> {
    registry!(
        General,
        Store,
        Request,
        Form,
        Audit,
        Auth,
        Account,
        Id,
        Uscc,
        Validate,
        Staff,
        Region,
        Hall,
        Post,
        Setting,
        Clock,
        Demo,
        Notify,
        Calendar,
        Catalog,
        Import,
        Exchange,
        Bundle,
        Case,
        Board,
        Finding,
        Order,
        Admonition,
        Document,
        Licence,
        Hotline,
        Rating,
        Disclosure,
        Opengov,
        Performance,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_unique_and_named_after_its_module() {
        let mut seen = HashSet::new();
        for code in all() {
            assert!(seen.insert(code.as_str()), "{code} defined twice");
            let shaped = code
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
            assert!(
                shaped,
                "{code}: lower case, digits, dots and underscores only"
            );
            assert!(!code.message().trim().is_empty(), "{code} has no message");
        }
        assert!(seen.len() > 200, "{} codes", seen.len());
    }

    #[test]
    fn codes_parse_back_and_keep_their_kind() {
        use crate::error::Kind;
        assert_eq!(ErrorCode::parse("case.stale"), Some(Case::Stale.code()));
        assert_eq!(Case::Stale.code().kind(), Kind::Conflict);
        assert_eq!(Catalog::WrongReviewer.code().kind(), Kind::Forbidden);
        assert_eq!(ErrorCode::parse("case.stal"), None);
        let e = Case::NotYourStep.with("环节“审查”不在你的岗位上");
        assert_eq!(e.code, Case::NotYourStep);
        assert_eq!(e.kind(), Kind::Forbidden);
        assert_eq!(Case::Stale.err().message, Case::Stale.code().message());
    }
}
