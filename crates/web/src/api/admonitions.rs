//! Efficiency warnings (效能告诫) over the API, with the same checks as everywhere: supervisors
//! give them; supervisors, heads and the staff warned read them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::admonitions::IssuedAdmonition;
use tongban_domain::supervision::admonition::Evidence;
use tongban_store::admonitions::AdmonitionRow;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::session::ApiAuth;
use crate::AppState;

/// What a warning rests on.
#[derive(Serialize, ToSchema)]
pub struct EvidenceJson {
    /// Ids of supervision findings.
    pub findings: Vec<i64>,
    /// Case numbers.
    pub cases: Vec<String>,
    /// For a warning by the rule: the two staff warnings that gave it (the chain of evidence).
    pub admonitions: Vec<i64>,
}

/// An efficiency warning.
#[derive(Serialize, ToSchema)]
pub struct AdmonitionJson {
    pub id: i64,
    /// staff (counts toward the department's tally), head (to the head directly) or
    /// head_by_rule (every two staff warnings in a year give the head one)
    pub kind: String,
    /// None only for a warning by the rule while the head post is vacant.
    pub person_id: Option<i64>,
    pub person_name: String,
    pub department_id: i64,
    /// The Asia/Shanghai calendar year it counts in.
    pub year: i64,
    pub reason: String,
    pub evidence: EvidenceJson,
    /// None for a warning given by the rule.
    pub issued_by: Option<i64>,
    pub issued_at: i64,
}

impl From<AdmonitionRow> for AdmonitionJson {
    fn from(a: AdmonitionRow) -> Self {
        let e: Evidence = serde_json::from_str(&a.evidence).unwrap_or_default();
        AdmonitionJson {
            id: a.id,
            kind: a.kind,
            person_id: a.person_id,
            person_name: a.person_name,
            department_id: a.department_id,
            year: a.year,
            reason: a.reason,
            evidence: EvidenceJson {
                findings: e.findings,
                cases: e.cases,
                admonitions: e.admonitions,
            },
            issued_by: a.issued_by,
            issued_at: a.issued_at,
        }
    }
}

/// A warning given, and the head's warning the rule gave with it when it completed a pair.
#[derive(Serialize, ToSchema)]
pub struct IssuedJson {
    pub admonition: AdmonitionJson,
    pub by_rule: Option<AdmonitionJson>,
}

impl From<IssuedAdmonition> for IssuedJson {
    fn from(i: IssuedAdmonition) -> Self {
        IssuedJson {
            admonition: i.admonition.into(),
            by_rule: i.by_rule.map(AdmonitionJson::from),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// The Asia/Shanghai calendar year; this year when absent.
    pub year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/supervision/admonitions", tag = "supervision", params(YearQuery),
    responses((status = 200, body = [AdmonitionJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<AdmonitionJson>>> {
    let year = q.year.unwrap_or_else(|| s.app.admonition_year());
    let rows = s.app.admonitions(&who.actor, year).await?;
    Ok(Json(rows.into_iter().map(AdmonitionJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct AdmonitionBody {
    /// The member of a department's staff warned.
    pub person_id: i64,
    pub reason: String,
    /// Ids of supervision findings cited.
    #[serde(default)]
    pub findings: Vec<i64>,
    /// Case numbers cited.
    #[serde(default)]
    pub cases: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/supervision/admonitions", tag = "supervision", request_body = AdmonitionBody,
    responses((status = 201, body = IssuedJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<AdmonitionBody>,
) -> ApiResult<(StatusCode, Json<IssuedJson>)> {
    let issued = s
        .app
        .issue_admonition(
            &who.actor,
            b.person_id,
            &b.reason,
            Evidence {
                findings: b.findings,
                cases: b.cases,
                admonitions: vec![],
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}
