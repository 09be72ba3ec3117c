//! 效能告诫 as a page: the year's warnings the reader may see, and for supervisors the form that
//! gives one (the same use cases as `/api/v1/supervision/admonitions`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tongban_app::AppError;
use tongban_domain::supervision::admonition::{Evidence, Kind};
use tongban_domain::time::format_local;

use crate::error::{PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

/// One warning as the list shows it.
pub struct AdmonitionLine {
    pub id: i64,
    pub kind: &'static str,
    pub person: String,
    pub department: String,
    pub reason: String,
    /// Case numbers cited, each a link.
    pub cases: Vec<(String, String)>,
    /// For a warning by the rule: the ids of the two warnings that gave it.
    pub chain: Vec<i64>,
    pub at: String,
}

#[derive(Template)]
#[template(path = "admonitions.html")]
pub struct AdmonitionsPage {
    pub base: Base,
    pub year: i32,
    pub years: Vec<i32>,
    pub lines: Vec<AdmonitionLine>,
    /// (user id, "name（department · role）") for the form; empty when the reader may not warn.
    pub people: Vec<(i64, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// `GET /supervision/admonitions?year=`.
pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    let this_year = state.app.admonition_year();
    let year = q
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(this_year);
    let rows = state.app.admonitions(&who.actor, year).await?;
    let departments: HashMap<i64, String> = state
        .app
        .store
        .departments(None)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let lines = rows
        .into_iter()
        .map(|a| {
            let e: Evidence = serde_json::from_str(&a.evidence).unwrap_or_default();
            AdmonitionLine {
                id: a.id,
                kind: Kind::parse(&a.kind).map_or("效能告诫", Kind::label),
                person: a.person_name,
                department: departments
                    .get(&a.department_id)
                    .cloned()
                    .unwrap_or_default(),
                reason: a.reason,
                cases: e
                    .cases
                    .into_iter()
                    .map(|n| (format!("/cases/{}", super::cases::segment(&n)), n))
                    .collect(),
                chain: e.admonitions,
                at: chrono::DateTime::from_timestamp_millis(a.issued_at)
                    .map(format_local)
                    .unwrap_or_default(),
            }
        })
        .collect();
    let people = if who.actor.role == tongban_domain::org::Role::Supervisor {
        state
            .app
            .admonition_candidates(&who.actor)
            .await?
            .into_iter()
            .map(|(u, dept)| (u.id, format!("{}（{dept} · {}）", u.name, u.role.label())))
            .collect()
    } else {
        Vec::new()
    };
    let error = q
        .get("error")
        .and_then(|c| tongban_domain::ErrorCode::parse(c))
        .map(|c| AppError::of(c).message);
    let page = AdmonitionsPage {
        base: Base::new("效能告诫", Some(&who), large),
        year,
        years: (this_year - 4..=this_year).rev().collect(),
        lines,
        people,
        notice: q
            .get("ok")
            .map(|_| "效能告诫已发出，已短信和邮件通知本人及部门负责人。".to_string()),
        error,
    };
    Ok(views::render(&page))
}

#[derive(Deserialize)]
pub struct AdmonitionForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub reason: String,
    /// Case numbers, separated by commas, spaces or new lines.
    #[serde(default)]
    pub cases: String,
}

/// `POST /supervision/admonitions`: a supervisor gives a warning; back to the list either way.
pub async fn issue(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageForm(f): PageForm<AdmonitionForm>,
) -> PageResult<Response> {
    if who.actor.role != tongban_domain::org::Role::Supervisor {
        return Err(PageError(AppError::forbidden()));
    }
    let Ok(person) = f.person_id.trim().parse::<i64>() else {
        return Ok(back(Some(
            tongban_domain::codes::Admonition::Person.code().as_str(),
        )));
    };
    let cases = f
        .cases
        .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let evidence = Evidence {
        findings: vec![],
        cases,
        admonitions: vec![],
    };
    match state
        .app
        .issue_admonition(&who.actor, person, &f.reason, evidence)
        .await
    {
        Ok(_) => Ok(back(None)),
        Err(e) if e.kind == tongban_app::Kind::Forbidden => Err(PageError(e)),
        Err(e) => Ok(back(Some(e.code.as_str()))),
    }
}

/// To the list (303, so a reload does not post again), with the outcome.
fn back(error: Option<&str>) -> Response {
    let to = match error {
        None => "/supervision/admonitions?ok=1".to_string(),
        Some(code) => format!("/supervision/admonitions?error={code}#issue"),
    };
    (
        axum::http::StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to)],
    )
        .into_response()
}
