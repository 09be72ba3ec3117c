//! The proactive-disclosure catalog (主动公开目录) and the 政府公报 over JSON: anyone reads and
//! searches what is published; an agency's disclosure office registers, publishes and abolishes
//! entries and publishes 公报 issues. The same use cases as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tongban_app::disclosure_catalog::{CatalogEntryView, CatalogQuery, GazetteView};
use tongban_domain::disclosure::catalog::{EntryInput, EntryStatus, Heading};
use tongban_store::disclosure_catalog::GazetteRow;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiAuth, Viewer};
use crate::AppState;

/// A catalog entry.
#[derive(Serialize, ToSchema)]
pub struct CatalogEntryJson {
    /// 索引号.
    pub index_no: String,
    pub heading: Heading,
    pub heading_label: String,
    /// One of the 重点领域.
    pub key_area: bool,
    pub title: String,
    /// 文号.
    pub doc_number: Option<String>,
    pub department_id: i64,
    pub publisher: String,
    #[schema(value_type = String, format = Date)]
    pub formed_on: NaiveDate,
    /// 第二十六条's last day for publication.
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub published_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub abolished_on: Option<NaiveDate>,
    pub status: EntryStatus,
    /// Published after its due day, or still pending after it.
    pub late: bool,
    pub body: String,
    /// 行政事业性收费: the amount in 万元.
    pub amount_wan: Option<String>,
}

impl From<CatalogEntryView> for CatalogEntryJson {
    fn from(v: CatalogEntryView) -> Self {
        CatalogEntryJson {
            index_no: v.index_no,
            heading: v.heading,
            heading_label: v.heading_label.to_string(),
            key_area: v.key_area,
            title: v.title,
            doc_number: v.doc_number,
            department_id: v.department_id,
            publisher: v.publisher,
            formed_on: v.formed_on,
            due_on: v.due_on,
            published_on: v.published_on,
            abolished_on: v.abolished_on,
            status: v.status,
            late: v.late,
            body: v.body,
            amount_wan: v.amount_wan,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CatalogParams {
    /// Free text, searched (名称、文号、索引号、正文).
    pub q: Option<String>,
    /// Only one agency's entries.
    pub department: Option<i64>,
    pub heading: Option<Heading>,
    /// Only the 重点领域 headings.
    pub key_areas: Option<bool>,
    /// From 0.
    pub page: Option<i64>,
}

/// The catalog, 50 a page, the newest formed first (the office's own pending entries too).
#[utoipa::path(get, path = "/api/v1/disclosure/catalog", tag = "disclosure", params(CatalogParams),
    responses((status = 200, body = [CatalogEntryJson]), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<CatalogParams>,
) -> ApiResult<Json<Vec<CatalogEntryJson>>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let q = CatalogQuery {
        q: p.q,
        department_id: p.department,
        heading: p.heading,
        key_areas: p.key_areas.unwrap_or(false),
        page: p.page.unwrap_or(0).clamp(0, 10_000),
    };
    let rows = s.app.catalog_entries(actor, &q).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// A new entry.
#[derive(Deserialize, ToSchema)]
pub struct CatalogEntryBody {
    #[serde(flatten)]
    pub entry: EntryInput,
    /// Publish it at once (today) instead of registering it pending.
    #[serde(default)]
    pub publish: bool,
}

/// The office registers information formed or changed; its 20 working days run until it is
/// published.
#[utoipa::path(post, path = "/api/v1/disclosure/catalog", tag = "disclosure", request_body = CatalogEntryBody,
    responses((status = 201, body = CatalogEntryJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<CatalogEntryBody>,
) -> ApiResult<(StatusCode, Json<CatalogEntryJson>)> {
    let v = s
        .app
        .register_catalog_entry(&who.actor, body.entry, body.publish)
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// One entry (a pending one only for its office and supervisors).
#[utoipa::path(get, path = "/api/v1/disclosure/catalog/{entry}", tag = "disclosure",
    params(("entry" = String, Path, description = "索引号")),
    responses((status = 200, body = CatalogEntryJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(entry): ApiPath<String>,
) -> ApiResult<Json<CatalogEntryJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    Ok(Json(s.app.catalog_entry(actor, &entry).await?.into()))
}

/// What the office does to an entry.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CatalogActionBody {
    /// Publish a pending entry on `on` (today when left out).
    Publish {
        #[serde(default)]
        #[schema(value_type = Option<String>, format = Date)]
        on: Option<NaiveDate>,
    },
    /// Abolish a published entry on `on` (today when left out).
    Abolish {
        #[serde(default)]
        #[schema(value_type = Option<String>, format = Date)]
        on: Option<NaiveDate>,
    },
}

/// The office publishes or abolishes an entry.
#[utoipa::path(post, path = "/api/v1/disclosure/catalog/{entry}/actions", tag = "disclosure",
    params(("entry" = String, Path, description = "索引号")), request_body = CatalogActionBody,
    responses((status = 200, body = CatalogEntryJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(entry): ApiPath<String>,
    ApiJson(body): ApiJson<CatalogActionBody>,
) -> ApiResult<Json<CatalogEntryJson>> {
    let v = match body {
        CatalogActionBody::Publish { on } => {
            s.app.publish_catalog_entry(&who.actor, &entry, on).await?
        }
        CatalogActionBody::Abolish { on } => {
            s.app.abolish_catalog_entry(&who.actor, &entry, on).await?
        }
    };
    Ok(Json(v.into()))
}

/// A 政府公报 issue.
#[derive(Serialize, ToSchema)]
pub struct GazetteJson {
    pub id: i64,
    pub publisher: String,
    pub department_id: i64,
    pub year: i64,
    pub issue: i64,
    pub title: String,
    pub published_on: String,
    /// How many documents it lists.
    pub entries: i64,
}

impl From<GazetteRow> for GazetteJson {
    fn from(g: GazetteRow) -> Self {
        GazetteJson {
            id: g.id,
            publisher: g.publisher,
            department_id: g.department_id,
            year: g.year,
            issue: g.issue,
            title: g.title,
            published_on: g.published_on,
            entries: g.entries,
        }
    }
}

/// The 政府公报 issues, the newest first.
#[utoipa::path(get, path = "/api/v1/disclosure/gazettes", tag = "disclosure",
    responses((status = 200, body = [GazetteJson])))]
pub async fn gazettes(State(s): State<AppState>) -> ApiResult<Json<Vec<GazetteJson>>> {
    Ok(Json(
        s.app
            .gazettes()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A new issue.
#[derive(Deserialize, ToSchema)]
pub struct GazetteBody {
    /// The issue's number in the year (1–366).
    pub issue: i64,
    pub title: String,
    /// The 索引号 of published entries of the office's agency, in order.
    pub entries: Vec<String>,
}

/// The issue's id.
#[derive(Serialize, ToSchema)]
pub struct GazetteCreated {
    pub id: i64,
}

/// The office publishes a 政府公报 issue listing its published entries.
#[utoipa::path(post, path = "/api/v1/disclosure/gazettes", tag = "disclosure", request_body = GazetteBody,
    responses((status = 201, body = GazetteCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_gazette(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(body): ApiJson<GazetteBody>,
) -> ApiResult<(StatusCode, Json<GazetteCreated>)> {
    let id = s
        .app
        .publish_gazette(&who.actor, body.issue, &body.title, &body.entries)
        .await?;
    Ok((StatusCode::CREATED, Json(GazetteCreated { id })))
}

/// An issue with its documents.
#[derive(Serialize, ToSchema)]
pub struct GazetteIssueJson {
    #[serde(flatten)]
    pub issue: GazetteJson,
    pub documents: Vec<CatalogEntryJson>,
}

/// One issue with its documents.
#[utoipa::path(get, path = "/api/v1/disclosure/gazettes/{issue}", tag = "disclosure",
    params(("issue" = i64, Path)),
    responses((status = 200, body = GazetteIssueJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn gazette(
    State(s): State<AppState>,
    viewer: Viewer,
    ApiPath(issue): ApiPath<i64>,
) -> ApiResult<Json<GazetteIssueJson>> {
    let actor = viewer.signed_in().map(|w| &w.actor);
    let g: GazetteView = s.app.gazette(actor, issue).await?;
    Ok(Json(GazetteIssueJson {
        issue: GazetteJson {
            id: g.id,
            publisher: g.publisher,
            department_id: g.department_id,
            year: g.year,
            issue: g.issue,
            title: g.title,
            published_on: g.published_on,
            entries: g.entries.len() as i64,
        },
        documents: g.entries.into_iter().map(Into::into).collect(),
    }))
}
