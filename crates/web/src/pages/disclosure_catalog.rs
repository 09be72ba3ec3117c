//! The proactive-disclosure catalog's pages (主动公开目录, 政府公报, 公开指南): public, in Chinese,
//! for a phone and large text; an office's staff find their forms on the same pages. The same
//! use cases as the API; a refusal shows its code and message on the page.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use tongban_app::disclosure_catalog::{CatalogEntryView, CatalogQuery, GazetteView};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::disclosure::catalog::{EntryInput, Heading};
use tongban_domain::org::{Actor, Role};
use tongban_store::disclosure_catalog::GazetteRow;

use crate::error::{status, PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

type Pairs = Vec<(String, String)>;
type Query = HashMap<String, String>;

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn field<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.trim())
}

fn query_error() -> PageError {
    PageError(AppError::of(codes::Request::Query))
}

fn form_error() -> AppError {
    AppError::of(codes::Request::Form)
}

fn fatal(e: &AppError) -> bool {
    matches!(
        e.kind,
        Kind::NotFound | Kind::Internal | Kind::Unavailable | Kind::Unauthenticated
    )
}

fn office(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| {
        matches!(a.role, Role::Clerk | Role::Approver | Role::DeptHead) && a.department_id.is_some()
    })
}

fn signed_in(viewer: &Viewer) -> Result<&Actor, PageError> {
    viewer
        .signed_in()
        .map(|s| &s.actor)
        .ok_or_else(|| PageError(AppError::of(codes::Auth::Required)))
}

fn date_field(pairs: &Pairs, key: &str) -> Result<Option<NaiveDate>, AppError> {
    match field(pairs, key) {
        "" => Ok(None),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| form_error()),
    }
}

/// Reads the catalog's query: `q`, `department`, `heading`, `key` (重点领域), `page`.
fn catalog_query(q: &Query) -> Result<CatalogQuery, PageError> {
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    Ok(CatalogQuery {
        q: get("q").map(str::to_string),
        department_id: get("department")
            .map(|d| d.parse().map_err(|_| query_error()))
            .transpose()?,
        heading: get("heading")
            .map(|h| Heading::parse(h).ok_or_else(query_error))
            .transpose()?,
        key_areas: get("key").is_some(),
        page: get("page")
            .map(|p| p.parse::<i64>().map_err(|_| query_error()))
            .transpose()?
            .unwrap_or(0)
            .clamp(0, 10_000),
    })
}

#[derive(askama::Template)]
#[template(path = "disclosure_catalog.html")]
pub struct CatalogPage {
    pub base: Base,
    pub office: bool,
    pub headings: Vec<(&'static str, &'static str, bool)>,
    pub q: String,
    pub heading: String,
    pub key: bool,
    pub department: String,
    pub guide: Option<String>,
    pub entries: Vec<CatalogEntryView>,
    pub page: i64,
    pub more: bool,
    pub today: String,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
}

impl CatalogPage {
    fn next_page(&self) -> String {
        let mut s = format!("/disclosure/catalog?page={}", self.page + 1);
        for (k, v) in [
            ("q", &self.q),
            ("heading", &self.heading),
            ("department", &self.department),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("&{k}={}", super::items::percent(v)));
            }
        }
        if self.key {
            s.push_str("&key=1");
        }
        s
    }
}

async fn catalog_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    q: &Query,
    error: Option<AppError>,
) -> PageResult<CatalogPage> {
    let cq = catalog_query(q)?;
    let actor = viewer.signed_in().map(|s| &s.actor);
    let entries = state.app.catalog_entries(actor, &cq).await?;
    let guide = match cq.department_id {
        Some(d) => Some(state.app.catalog_guide(d).await?),
        None => None,
    };
    Ok(CatalogPage {
        base: Base::new("主动公开目录", viewer.signed_in(), large),
        office: office(actor),
        headings: Heading::ALL
            .iter()
            .map(|h| (h.as_str(), h.label(), h.key_area()))
            .collect(),
        q: cq.q.clone().unwrap_or_default(),
        heading: cq
            .heading
            .map(|h| h.as_str().to_string())
            .unwrap_or_default(),
        key: cq.key_areas,
        department: cq.department_id.map(|d| d.to_string()).unwrap_or_default(),
        guide,
        more: entries.len() as i64 >= tongban_app::disclosure_catalog::CATALOG_PAGE,
        entries,
        page: cq.page,
        today: tongban_domain::time::local_date(state.app.now()).to_string(),
        notice: q.get("ok").map(|_| "已保存。".to_string()),
        error: error.map(|e| (e.code.to_string(), e.message)),
    })
}

/// `GET /disclosure/catalog`: the catalog by heading (重点领域 marked), searchable; the
/// office's own pending entries with their 第二十六条 due day; its forms.
pub async fn catalog(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    Ok(views::render(
        &catalog_page(&state, &viewer, large, &q, None).await?,
    ))
}

/// `POST /disclosure/catalog`: the office registers an entry (`action=register`, with
/// `publish` to publish it at once) or saves its 公开指南 (`action=guide`).
pub async fn catalog_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let r: Result<String, AppError> = match field(&pairs, "action") {
        "register" => match entry_input(&pairs) {
            Ok(input) => state
                .app
                .register_catalog_entry(actor, input, !field(&pairs, "publish").is_empty())
                .await
                .map(|v| format!("/disclosure/catalog/{}", v.index_no)),
            Err(e) => Err(e),
        },
        "guide" => state
            .app
            .save_catalog_guide(actor, field(&pairs, "guide"))
            .await
            .map(|()| {
                format!(
                    "/disclosure/catalog?department={}&ok=1",
                    actor.department_id.unwrap_or_default()
                )
            }),
        _ => Err(form_error()),
    };
    match r {
        Ok(to) => Ok(see_other(to)),
        Err(e) if fatal(&e) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page = catalog_page(&state, &viewer, large, &Query::new(), Some(e)).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

fn entry_input(pairs: &Pairs) -> Result<EntryInput, AppError> {
    let heading = Heading::parse(field(pairs, "heading")).ok_or_else(form_error)?;
    let formed_on = date_field(pairs, "formed_on")?.ok_or_else(form_error)?;
    let amount_fen = match field(pairs, "amount_yuan") {
        "" => None,
        s => {
            let yuan: f64 = s.parse().map_err(|_| form_error())?;
            if !yuan.is_finite() || yuan.abs() > 1e13 {
                return Err(form_error());
            }
            Some((yuan * 100.0).round() as i64)
        }
    };
    Ok(EntryInput {
        heading,
        title: field(pairs, "title").to_string(),
        doc_number: Some(field(pairs, "doc_number").to_string()),
        formed_on,
        body: field(pairs, "body").to_string(),
        amount_fen,
    })
}

#[derive(askama::Template)]
#[template(path = "disclosure_catalog_entry.html")]
pub struct EntryPage {
    pub base: Base,
    pub e: CatalogEntryView,
    pub today: String,
    pub error: Option<(String, String)>,
}

/// `GET /disclosure/catalog/{entry}`: one entry with its document; its office's forms.
pub async fn entry(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(index_no): Path<String>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let e = state.app.catalog_entry(actor, &index_no).await?;
    Ok(views::render(&EntryPage {
        base: Base::new(&e.title, viewer.signed_in(), large),
        today: tongban_domain::time::local_date(state.app.now()).to_string(),
        e,
        error: None,
    }))
}

/// `POST /disclosure/catalog/{entry}/act`: the office publishes (`action=publish`) or
/// abolishes (`action=abolish`) the entry on `on` (today when empty).
pub async fn entry_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(index_no): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let r = match (field(&pairs, "action"), date_field(&pairs, "on")) {
        (_, Err(e)) => Err(e),
        ("publish", Ok(on)) => state.app.publish_catalog_entry(actor, &index_no, on).await,
        ("abolish", Ok(on)) => state.app.abolish_catalog_entry(actor, &index_no, on).await,
        _ => Err(form_error()),
    };
    match r {
        Ok(v) => Ok(see_other(format!("/disclosure/catalog/{}", v.index_no))),
        Err(e) if fatal(&e) || e.kind == Kind::Forbidden => Err(PageError(e)),
        Err(err) => {
            let kind = err.kind;
            let e = state.app.catalog_entry(Some(actor), &index_no).await?;
            let page = EntryPage {
                base: Base::new(&e.title, viewer.signed_in(), large),
                today: tongban_domain::time::local_date(state.app.now()).to_string(),
                e,
                error: Some((err.code.to_string(), err.message)),
            };
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

#[derive(askama::Template)]
#[template(path = "disclosure_gazettes.html")]
pub struct GazettesPage {
    pub base: Base,
    pub office: bool,
    pub gazettes: Vec<GazetteRow>,
    pub error: Option<(String, String)>,
}

async fn gazettes_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    error: Option<AppError>,
) -> PageResult<GazettesPage> {
    Ok(GazettesPage {
        base: Base::new("政府公报", viewer.signed_in(), large),
        office: office(viewer.signed_in().map(|s| &s.actor)),
        gazettes: state.app.gazettes().await?,
        error: error.map(|e| (e.code.to_string(), e.message)),
    })
}

/// `GET /disclosure/gazettes`: the 政府公报 issues, the newest first.
pub async fn gazettes(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(
        &gazettes_page(&state, &viewer, large, None).await?,
    ))
}

/// `POST /disclosure/gazettes`: the office publishes an issue listing entries by 索引号, one a
/// line.
pub async fn gazette_publish(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let issue = field(&pairs, "issue").parse::<i64>().unwrap_or(0);
    let entries: Vec<String> = field(&pairs, "entries")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    match state
        .app
        .publish_gazette(actor, issue, field(&pairs, "title"), &entries)
        .await
    {
        Ok(id) => Ok(see_other(format!("/disclosure/gazettes/{id}"))),
        Err(e) if fatal(&e) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page = gazettes_page(&state, &viewer, large, Some(e)).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

#[derive(askama::Template)]
#[template(path = "disclosure_gazette.html")]
pub struct GazettePage {
    pub base: Base,
    pub g: GazetteView,
}

/// `GET /disclosure/gazettes/{issue}`: one issue with its documents.
pub async fn gazette(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(issue): Path<String>,
) -> PageResult<Response> {
    let id: i64 = issue
        .parse()
        .map_err(|_| PageError(AppError::of(codes::Disclosure::CatalogNotFound)))?;
    let actor = viewer.signed_in().map(|s| &s.actor);
    let g = state.app.gazette(actor, id).await?;
    Ok(views::render(&GazettePage {
        base: Base::new(&g.title, viewer.signed_in(), large),
        g,
    }))
}
