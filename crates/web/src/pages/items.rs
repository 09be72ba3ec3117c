//! The public catalog: browse and search published items, read an item's guide, download its
//! templates.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tongban_domain::calendar::{Counting, WorkingDays};
use tongban_domain::catalog::{self, flowchart::flowchart_svg, Item, StepKind};
use tongban_store::catalog::ItemFilter;

use crate::error::PageResult;
use crate::json::PageQuery;
use crate::session::{LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

pub struct ResultLine {
    pub code: String,
    pub name: String,
    pub item_type: String,
    pub department: String,
    pub limit: String,
    pub depth: i64,
    pub visits: u8,
    pub snippet: String,
}

#[derive(askama::Template)]
#[template(path = "items.html")]
pub struct ItemsPage {
    pub base: Base,
    pub q: String,
    pub department: String,
    pub theme: String,
    pub serves: String,
    pub depth: String,
    pub level: String,
    pub levels: Vec<(&'static str, &'static str)>,
    pub departments: Vec<(i64, String)>,
    pub themes: &'static [&'static str],
    pub results: Vec<ResultLine>,
    /// 一件事一次办: the published bundles, listed above the items when browsing.
    pub bundles: Vec<super::bundles::BundleLink>,
}

#[derive(Deserialize, Default)]
pub struct Browse {
    #[serde(default)]
    q: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    serves: String,
    #[serde(default)]
    depth: String,
    #[serde(default)]
    level: String,
}

fn limit_text(item: &Item) -> String {
    if item.committed_limit_days == 0 {
        "当场办结".into()
    } else {
        format!("承诺{}个工作日", item.committed_limit_days)
    }
}

pub async fn browse(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(b): PageQuery<Browse>,
) -> PageResult<Response> {
    let app = &state.app;
    let filter = ItemFilter {
        department_id: b.department.parse().ok(),
        theme: (!b.theme.is_empty()).then(|| b.theme.clone()),
        serves: matches!(b.serves.as_str(), "person" | "company").then(|| b.serves.clone()),
        online_depth: b.depth.parse().ok(),
        level: tongban_domain::region::Level::parse(&b.level).map(|l| l.as_str().to_string()),
        ..ItemFilter::default()
    };
    let found = app.find_items(&b.q, filter).await?;
    // A search that found something counts towards the home page's hot searches.
    if !found.is_empty() && !b.q.trim().is_empty() {
        app.record_search(&b.q).await;
    }
    let departments: HashMap<i64, String> = app
        .store
        .departments(None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let results = found
        .into_iter()
        .map(|f| ResultLine {
            code: f.summary.implementation_code.clone(),
            name: f.item.name.clone(),
            item_type: f.item.item_type.label().into(),
            department: departments
                .get(&f.item.department_id)
                .cloned()
                .unwrap_or_default(),
            limit: limit_text(&f.item),
            depth: i64::from(f.item.online_depth),
            visits: f.item.max_visits,
            snippet: f.snippet,
        })
        .collect();
    let mut department_list: Vec<(i64, String)> = departments.into_iter().collect();
    department_list.sort();
    let bundles = if b.q.trim().is_empty() {
        super::bundles::links(&state).await
    } else {
        Vec::new()
    };
    let page = ItemsPage {
        base: Base::new("办事指南", viewer.signed_in(), large),
        q: b.q,
        department: b.department,
        theme: b.theme,
        serves: b.serves,
        depth: b.depth,
        level: b.level,
        levels: tongban_domain::region::Level::ALL
            .iter()
            .map(|l| (l.as_str(), l.label()))
            .collect(),
        departments: department_list,
        themes: catalog::THEMES,
        results,
        bundles,
    };
    Ok(views::render(&page))
}

#[derive(askama::Template)]
#[template(path = "guide.html")]
pub struct GuidePage {
    pub base: Base,
    pub code: String,
    pub item: Item,
    pub department: String,
    pub version: i64,
    pub published_at: String,
    pub flowchart: String,
    /// (step, post, department, limit, note, in a parallel group, in the same group as the
    /// step before it)
    pub steps: Vec<(String, String, String, String, String, bool, bool)>,
    /// (name, basis, yuan)
    pub fees: Vec<(String, String, String)>,
    pub due: Option<(String, Vec<String>)>,
    pub print: bool,
    /// The viewer takes applications at a window or an agency point: 窗口受理 instead of 在线申请.
    pub intake: bool,
}

impl GuidePage {
    /// Whether a material is a form to fill in (it gets an xlsx blank form).
    pub fn is_form(&self, name: &str) -> bool {
        catalog::blank_form::is_form(name)
    }
}

#[derive(Deserialize, Default)]
pub struct GuideQuery {
    print: Option<String>,
}

pub async fn guide(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<GuideQuery>,
) -> PageResult<Response> {
    let (summary, version) = state.app.public_item(&code).await?;
    render_guide(
        &state,
        viewer.signed_in(),
        large,
        &summary.implementation_code,
        version,
        q.print.is_some(),
    )
    .await
}

/// Renders the guide of one version: the public one, or a draft previewed by its reviewers.
pub(super) async fn render_guide(
    state: &AppState,
    who: Option<&tongban_app::accounts::SignedIn>,
    large: bool,
    code: &str,
    version: tongban_store::catalog::ItemVersion,
    print: bool,
) -> PageResult<Response> {
    let app = &state.app;
    let item = version.item;
    let mut names: HashMap<i64, String> = HashMap::new();
    for id in
        std::iter::once(item.department_id).chain(item.steps.iter().filter_map(|s| s.department_id))
    {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
            e.insert(app.department_name(id).await?);
        }
    }
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let flowchart = flowchart_svg(&item, &name_of);
    let steps = item
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let together = s.parallel_group.is_some()
                && i > 0
                && item.steps[i - 1].parallel_group == s.parallel_group;
            let mut note = Vec::new();
            if s.parallel_group.is_some() {
                note.push(if s.lead {
                    "并联·主办"
                } else {
                    "并联·协办"
                });
            }
            if s.deemed_approval {
                note.push("超时默认");
            }
            if s.kind == StepKind::Intake {
                note.push("一次性告知所缺材料");
            }
            let limit = if s.limit_days == 0 {
                "当场".to_string()
            } else {
                format!("{}个工作日", s.limit_days)
            };
            (
                s.name.clone(),
                s.post.clone(),
                name_of(s.department_id.unwrap_or(item.department_id)),
                limit,
                note.join("，"),
                s.parallel_group.is_some(),
                together,
            )
        })
        .collect();
    let fees = item
        .fees
        .iter()
        .map(|f| (f.name.clone(), f.basis.clone(), catalog::yuan(f.amount_fen)))
        .collect();
    // "If accepted today": the same clock and explanation every deadline uses.
    let due = match WorkingDays::new(item.committed_limit_days) {
        Ok(days) => {
            let today = tongban_domain::time::local_date(app.now());
            match app.calendar().await {
                Ok(cal) => cal
                    .explain_due(today, days, Counting::NextWorkingDay)
                    .ok()
                    .map(|e| {
                        (
                            e.due_date.to_string(),
                            e.lines.into_iter().map(|l| l.text).collect(),
                        )
                    }),
                Err(_) => None,
            }
        }
        Err(_) => None,
    };
    let page = GuidePage {
        base: Base::new(&item.name, who, large),
        code: code.to_string(),
        department: name_of(item.department_id),
        version: version.version,
        published_at: version
            .published_at
            .map(|t| tongban_domain::time::local_date(t).to_string())
            .unwrap_or_default(),
        flowchart,
        steps,
        fees,
        due,
        print,
        intake: who.is_some_and(|w| {
            matches!(
                w.user.role,
                tongban_domain::org::Role::Clerk
                    | tongban_domain::org::Role::DeptHead
                    | tongban_domain::org::Role::Agent
            )
        }),
        item,
    };
    Ok(views::render(&page))
}

/// A stored template or sample, by content hash.
pub async fn file(State(state): State<AppState>, Path(hash): Path<String>) -> Response {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return (StatusCode::NOT_FOUND, "未找到该文件").into_response();
    }
    match state.app.store.file(&hash).await {
        Ok(Some(f)) => {
            let disposition = format!("attachment; filename*=UTF-8''{}", percent(&f.name));
            (
                [
                    (header::CONTENT_TYPE, f.content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (
                        header::CACHE_CONTROL,
                        "public, max-age=31536000, immutable".into(),
                    ),
                ],
                f.content,
            )
                .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "未找到该文件").into_response(),
        Err(e) => crate::error::PageError(e.into()).into_response(),
    }
}

/// A material's blank form as an xlsx workbook, to fill in on a computer (the printable PDF is
/// the material's stored template).
pub async fn blank_form_xlsx(
    State(state): State<AppState>,
    Path((code, key)): Path<(String, String)>,
) -> PageResult<Response> {
    let (_, version) = state.app.public_item(&code).await?;
    let item = version.item;
    let Some(m) = item.materials.iter().find(|m| m.key == key) else {
        return Ok((StatusCode::NOT_FOUND, "该事项没有这项材料").into_response());
    };
    let rows: Vec<(String, u8)> = catalog::blank_form::ROWS
        .iter()
        .map(|(l, n)| ((*l).to_string(), *n))
        .collect();
    let bytes = tongban_exchange::blank_form_xlsx(
        &m.name,
        &catalog::blank_form::subtitle(&item.name),
        &rows,
        catalog::blank_form::NOTE,
    )
    .map_err(|e| crate::error::PageError(tongban_app::error::AppError::internal(e.to_string())))?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        percent(&format!("{}（空表）.xlsx", m.name))
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 encoding of a file name.
pub(super) fn percent(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
