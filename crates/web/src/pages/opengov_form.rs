//! What every open-government page handler shares: reading a form's fields, the closed sets as
//! options, and [`settle`], the one shape of a form's answer (go on to the page on success;
//! show a refusal on the page it came from, with its status).

use std::collections::HashMap;
use std::future::Future;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_domain::ClosedSet;

use crate::error::{status, PageError, PageResult};
use crate::session::Viewer;
use crate::views;

pub(super) type Pairs = Vec<(String, String)>;
pub(super) type Query = HashMap<String, String>;

pub(super) fn options<T: ClosedSet>() -> Vec<(&'static str, &'static str)> {
    T::all().iter().map(|v| (v.wire(), v.zh())).collect()
}

pub(super) fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

pub(super) fn field<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub(super) fn opt(pairs: &Pairs, key: &str) -> Option<String> {
    Some(field(pairs, key).trim().to_string()).filter(|v| !v.is_empty())
}

/// A number field: none when empty, a form error when it does not read.
pub(super) fn num<T: std::str::FromStr>(pairs: &Pairs, key: &str) -> Result<Option<T>, AppError> {
    match opt(pairs, key) {
        Some(v) => Ok(Some(v.parse().map_err(|_| form_error())?)),
        None => Ok(None),
    }
}

/// A closed-set field by its wire name.
pub(super) fn parse<T: ClosedSet + Copy>(pairs: &Pairs, key: &str) -> Result<T, AppError> {
    T::all()
        .iter()
        .copied()
        .find(|v| v.wire() == field(pairs, key))
        .ok_or_else(form_error)
}

pub(super) fn unit_staff(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead))
}

pub(super) fn form_error() -> AppError {
    AppError::of(codes::Request::Form)
}

pub(super) fn signed_in(viewer: &Viewer) -> Result<&Actor, PageError> {
    viewer
        .signed_in()
        .map(|s| &s.actor)
        .ok_or_else(|| PageError(AppError::of(codes::Auth::Required)))
}

pub(super) fn err_pair(e: Option<AppError>) -> Option<(String, String)> {
    e.map(|e| (e.code.to_string(), e.message))
}

/// A refusal that cannot be shown on the page itself (the page is missing, or worse).
fn fatal(e: &AppError) -> bool {
    matches!(
        e.kind,
        Kind::NotFound | Kind::Internal | Kind::Unavailable | Kind::Unauthenticated
    )
}

/// The answer to a form: on success, a redirect to `to(value)`; a refusal the page can show,
/// the page `page(refusal)` builds, with the refusal's status; anything else, an error page.
pub(super) async fn settle<T, P, F>(
    r: Result<T, AppError>,
    to: impl FnOnce(T) -> String,
    page: impl FnOnce(AppError) -> F,
) -> PageResult<Response>
where
    P: askama::Template,
    F: Future<Output = PageResult<P>>,
{
    match r {
        Ok(v) => Ok(see_other(to(v))),
        Err(e) if fatal(&e) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page = page(e).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}
