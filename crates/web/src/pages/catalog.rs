//! Staff pages of the catalog: the list, an item's versions, reviews and history, the editor.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tongban_app::accounts::SignedIn;
use tongban_app::error::Detail;
use tongban_app::{AppError, Kind};
use tongban_domain::catalog::{may_draft, Item, ItemAction, ItemStatus};
use tongban_domain::codes;
use tongban_domain::org::Role;
use tongban_domain::time::format_local;

use crate::error::{status, PageError, PageResult};
use crate::item_form;
use crate::json::PageForm;
use crate::json::PageQuery;
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

#[derive(askama::Template)]
#[template(path = "catalog_list.html")]
pub struct CatalogList {
    pub base: Base,
    pub notice: Option<String>,
    pub can_draft: bool,
    pub is_admin: bool,
    pub scoped: bool,
    pub stage: String,
    /// (item id, name, version, status)
    pub queue: Vec<(i64, String, i64, String)>,
    /// (id, name, basic code, department, status, published version, latest version)
    pub items: Vec<(i64, String, String, String, String, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    ok: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(n): PageQuery<Notice>,
) -> PageResult<Response> {
    super::staff_only(&who)?;
    let app = &state.app;
    let departments: HashMap<i64, String> = app
        .store
        .departments(None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let items = app
        .staff_items(&who.actor)
        .await?
        .into_iter()
        .map(|i| {
            let published = i
                .published_version
                .map_or_else(|| "—".into(), |v| format!("第{v}版"));
            (
                i.id,
                i.name,
                i.basic_code,
                departments
                    .get(&i.department_id)
                    .cloned()
                    .unwrap_or_default(),
                i.status.label().to_string(),
                published,
                format!("第{}版", i.latest_version),
            )
        })
        .collect();
    let queue = app
        .review_queue(&who.actor)
        .await?
        .into_iter()
        .map(|(s, v)| (s.id, v.item.name, v.version, v.status.label().to_string()))
        .collect();
    let stage = match who.actor.role {
        Role::Supervisor => "初审",
        Role::Legal => "复审",
        Role::Leader => "审定",
        _ => "",
    };
    let page = CatalogList {
        base: Base::new("事项管理", Some(&who), large),
        notice: n.ok.map(|_| "已保存。".into()),
        can_draft: may_draft(who.actor.role),
        is_admin: who.actor.is_admin(),
        scoped: who.actor.role.is_departmental(),
        stage: stage.into(),
        queue,
        items,
    };
    Ok(views::render(&page))
}

pub struct OpenVersion {
    pub version: i64,
    pub status: String,
    pub editable: bool,
    /// (action, label, needs reason, needs date)
    pub actions: Vec<(&'static str, &'static str, bool, bool)>,
}

#[derive(askama::Template)]
#[template(path = "catalog_item.html")]
pub struct CatalogItem {
    pub base: Base,
    pub id: i64,
    pub name: String,
    pub code: String,
    pub department: String,
    pub status: String,
    pub published: Option<i64>,
    pub notice: Option<String>,
    pub error: Option<(String, Vec<Detail>)>,
    pub open: Option<OpenVersion>,
    pub can_new_version: bool,
    pub end_actions: Vec<(&'static str, &'static str)>,
    pub versions: Vec<(i64, String, String, String)>,
    pub history: Vec<(String, String, String, String, String, String, String)>,
}

fn action_of(a: ItemAction) -> (&'static str, &'static str, bool, bool) {
    (a.as_str(), a.label(), a.needs_reason(), false)
}

async fn item_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    id: i64,
    notice: Option<String>,
    error: Option<AppError>,
) -> PageResult<Response> {
    let app = &state.app;
    let d = app.item_detail(&who.actor, id).await?;
    let role = who.actor.role;
    let drafter = may_draft(role)
        && (!role.is_departmental() || who.actor.department_id == Some(d.summary.department_id));
    let open = d.open().map(|v| {
        let mut actions = Vec::new();
        if v.status == ItemStatus::Draft && drafter {
            actions.push(action_of(ItemAction::Submit));
        }
        if v.status.stage().is_some_and(|s| s.reviewer() == role) {
            actions.push(action_of(ItemAction::Approve));
            actions.push(action_of(ItemAction::Return));
        }
        OpenVersion {
            version: v.version,
            status: v.status.label().into(),
            editable: v.status.editable() && drafter,
            actions,
        }
    });
    let published = d
        .summary
        .published_version
        .filter(|_| d.summary.status == ItemStatus::Published);
    let end_actions = if published.is_some() && who.actor.is_admin() {
        [
            ItemAction::Cancel,
            ItemAction::Transfer,
            ItemAction::Delegate,
        ]
        .into_iter()
        .map(|a| (a.as_str(), a.label()))
        .collect()
    } else {
        vec![]
    };
    let status_label =
        |s: Option<&str>| s.and_then(ItemStatus::parse).map_or("—", ItemStatus::label);
    let page = CatalogItem {
        base: Base::new(&d.summary.name, Some(who), large),
        id,
        name: d.summary.name.clone(),
        code: d.summary.implementation_code.clone(),
        department: d.department.clone(),
        status: d.summary.status.label().into(),
        published,
        notice,
        error: error.map(|e| (e.message, e.details)),
        can_new_version: drafter && published.is_some() && d.open().is_none(),
        end_actions,
        versions: d
            .versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    v.status.label().to_string(),
                    format_local(v.created_at),
                    v.published_at.map(format_local).unwrap_or_default(),
                )
            })
            .collect(),
        history: d
            .events
            .iter()
            .rev()
            .map(|e| {
                let at = chrono::DateTime::from_timestamp_millis(e.at)
                    .map(format_local)
                    .unwrap_or_default();
                let action = ItemAction::parse(&e.action).map_or_else(
                    || match e.action.as_str() {
                        "create" => "新建".to_string(),
                        "new_version" => "新建版本".to_string(),
                        other => other.to_string(),
                    },
                    |a| a.label().to_string(),
                );
                let role = Role::parse(&e.role).map_or(e.role.clone(), |r| r.label().to_string());
                (
                    at,
                    format!("第{}版", e.version),
                    action,
                    format!(
                        "{} → {}",
                        status_label(e.from_status.as_deref()),
                        status_label(Some(&e.to_status))
                    ),
                    format!("{}（{}）", e.actor, role),
                    e.comment.clone(),
                    e.effective_date.clone().unwrap_or_default(),
                )
            })
            .collect(),
        open,
    };
    let code = page
        .error
        .as_ref()
        .map_or(StatusCode::OK, |_| StatusCode::UNPROCESSABLE_ENTITY);
    Ok((code, views::render(&page)).into_response())
}

pub async fn item(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageQuery(n): PageQuery<Notice>,
) -> PageResult<Response> {
    super::staff_only(&who)?;
    item_page(
        &state,
        &who,
        large,
        id,
        n.ok.map(|_| "已办理。".into()),
        None,
    )
    .await
}

/// A staff preview of any version's guide (reviewers see what they approve).
pub async fn preview(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, version)): Path<(i64, i64)>,
) -> PageResult<Response> {
    super::staff_only(&who)?;
    let d = state.app.item_detail(&who.actor, id).await?;
    let v = d
        .versions
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| PageError(AppError::not_found("事项版本")))?;
    super::items::render_guide(
        &state,
        Some(&who),
        large,
        &d.summary.implementation_code,
        v,
        false,
    )
    .await
}

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    effective_date: String,
}

fn back(id: i64) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/catalog/{id}?ok=1"))],
    )
        .into_response()
}

pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, version)): Path<(i64, i64)>,
    PageForm(f): PageForm<ActionForm>,
) -> PageResult<Response> {
    let action = ItemAction::parse(&f.action)
        .ok_or_else(|| PageError(AppError::of(codes::Catalog::Action)))?;
    let date = (!f.effective_date.trim().is_empty()).then_some(f.effective_date.as_str());
    match state
        .app
        .item_action(&who.actor, id, version, action, &f.comment, date)
        .await
    {
        Ok(_) => Ok(back(id)),
        Err(e) if e.kind == Kind::Forbidden && e.code == codes::Auth::Forbidden => {
            Err(PageError(e))
        }
        Err(e) => item_page(&state, &who, large, id, None, Some(e)).await,
    }
}

pub async fn new_version(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    match state.app.new_item_version(&who.actor, id).await {
        Ok(_) => Ok(back(id)),
        Err(e) if e.kind == Kind::Forbidden => Err(PageError(e)),
        Err(e) => item_page(&state, &who, large, id, None, Some(e)).await,
    }
}

#[derive(askama::Template)]
#[template(path = "catalog_edit.html")]
pub struct CatalogEdit {
    pub base: Base,
    pub heading: String,
    pub title: String,
    pub item_id: Option<i64>,
    pub action: String,
    /// The form, element by element, each message beside its field.
    pub sections: Vec<item_form::SectionView>,
    /// Messages with no field on the form, and the one-line summary of a refusal.
    pub summary: Option<String>,
    pub unplaced: Vec<String>,
    /// The whole document as JSON, for bulk work (copy out, paste in).
    pub document: String,
    /// The JSON box's own refusal, when the JSON was what was posted.
    pub json_error: Option<(String, Vec<Detail>)>,
}

fn pretty(item: &Item) -> String {
    serde_json::to_string_pretty(item).unwrap_or_default()
}

/// Where an editor form posts, and what it is called.
struct Target {
    heading: String,
    title: String,
    item_id: Option<i64>,
    action: String,
}

async fn departments(state: &AppState) -> PageResult<Vec<(i64, String)>> {
    Ok(state
        .app
        .store
        .departments(None)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// The editor page: the form from `fields`, messages placed beside their fields.
#[allow(clippy::too_many_arguments)]
async fn editor(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    t: Target,
    fields: &item_form::Fields,
    issues: &[(String, String)],
    summary: Option<String>,
    document: String,
    json_error: Option<(String, Vec<Detail>)>,
) -> PageResult<CatalogEdit> {
    let depts = departments(state).await?;
    let sections = item_form::view(fields, &depts, issues);
    let unplaced = item_form::unplaced(&sections, issues)
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok(CatalogEdit {
        base: Base::new(&t.heading, Some(who), large),
        heading: t.heading,
        title: t.title,
        item_id: t.item_id,
        action: t.action,
        sections,
        summary,
        unplaced,
        document,
        json_error,
    })
}

fn edit_target(id: i64, version: i64, name: &str) -> Target {
    Target {
        heading: format!("编辑 {name} 第{version}版"),
        title: name.to_string(),
        item_id: Some(id),
        action: format!("/catalog/{id}/v/{version}/edit"),
    }
}

fn new_target() -> Target {
    Target {
        heading: "新建事项".into(),
        title: String::new(),
        item_id: None,
        action: "/catalog/new".into(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, version)): Path<(i64, i64)>,
) -> PageResult<Response> {
    let d = state.app.item_detail(&who.actor, id).await?;
    let v = d
        .versions
        .iter()
        .find(|v| v.version == version)
        .ok_or_else(|| PageError(AppError::not_found("事项版本")))?;
    if !v.status.editable() {
        return Err(PageError(AppError::of(codes::Catalog::NotDraft)));
    }
    let fields = item_form::Fields::of(&v.item);
    let page = editor(
        &state,
        &who,
        large,
        edit_target(id, version, &v.item.name),
        &fields,
        &[],
        None,
        pretty(&v.item),
        None,
    )
    .await?;
    Ok(views::render(&page))
}

fn parse_document(text: &str) -> Result<Item, AppError> {
    serde_json::from_str(text).map_err(|e| {
        AppError::new(
            codes::Catalog::Document,
            format!("事项文档第{}行第{}列有误：{e}", e.line(), e.column()),
        )
    })
}

/// What an editor post asks: save the form, add a row to a list, or save the JSON document.
enum Posted {
    Json(String),
    AddRow(item_form::Fields),
    Form(item_form::Fields),
}

fn posted(pairs: &[(String, String)]) -> Posted {
    if let Some((_, doc)) = pairs.iter().find(|(k, _)| k == "document") {
        return Posted::Json(doc.clone());
    }
    let op = pairs
        .iter()
        .find(|(k, _)| k == "op")
        .map_or("", |(_, v)| v.as_str());
    match op.strip_prefix("add:") {
        Some(list) => Posted::AddRow(item_form::Fields::posted(pairs, Some(list))),
        None => Posted::Form(item_form::Fields::posted(pairs, None)),
    }
}

/// Saves an editor post through `save` (the app's save or create), or shows the form again:
/// with a row more, or with each refusal beside its field.
async fn save_posted<F, Fut>(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    target: Target,
    pairs: Vec<(String, String)>,
    save: F,
) -> PageResult<Response>
where
    F: FnOnce(Item) -> Fut,
    Fut: std::future::Future<Output = Result<i64, AppError>>,
{
    if !may_draft(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let (fields, item, from_json) = match posted(&pairs) {
        Posted::AddRow(fields) => {
            let document = fields.item().map(|i| pretty(&i)).unwrap_or_default();
            let page = editor(
                state,
                who,
                large,
                target,
                &fields,
                &[],
                None,
                document,
                None,
            )
            .await?;
            return Ok(views::render(&page));
        }
        Posted::Json(doc) => match parse_document(&doc) {
            Ok(item) => (item_form::Fields::of(&item), Ok(item), Some(doc)),
            Err(e) => {
                let page = editor(
                    state,
                    who,
                    large,
                    target,
                    &item_form::Fields::default(),
                    &[],
                    None,
                    doc,
                    Some((e.message.clone(), e.details.clone())),
                )
                .await?;
                return Ok((status(e.kind), views::render(&page)).into_response());
            }
        },
        Posted::Form(fields) => {
            let item = fields.item();
            (fields, item, None)
        }
    };
    let (e, issues): (AppError, Vec<(String, String)>) = match item {
        Err(unread) => (
            AppError::new(codes::Catalog::Document, "有字段填写有误，请按提示修改"),
            unread,
        ),
        Ok(item) => match save(item).await {
            Ok(id) => return Ok(back(id)),
            Err(e) if e.kind == Kind::Forbidden => return Err(PageError(e)),
            Err(e) => {
                let placed = e
                    .details
                    .iter()
                    .map(|d| (d.field.clone(), d.message.clone()))
                    .collect();
                (e, placed)
            }
        },
    };
    let document =
        from_json.unwrap_or_else(|| fields.item().map(|i| pretty(&i)).unwrap_or_default());
    let summary = Some(if issues.is_empty() {
        e.message.clone()
    } else {
        format!(
            "未保存：有 {} 处需要修改，已在对应字段旁标出。",
            issues.len()
        )
    });
    let page = editor(
        state, who, large, target, &fields, &issues, summary, document, None,
    )
    .await?;
    Ok((status(e.kind), views::render(&page)).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, version)): Path<(i64, i64)>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let app = state.app.clone();
    let actor = who.actor.clone();
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map_or_else(String::new, |(_, v)| v.clone());
    save_posted(
        &state,
        &who,
        large,
        edit_target(id, version, &name),
        pairs,
        |item| async move { app.save_item(&actor, id, version, &item).await.map(|()| id) },
    )
    .await
}

pub async fn new_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    if !may_draft(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let mut skeleton = tongban_domain::catalog::sample::food_licence();
    if let Some(d) = who.actor.department_id {
        skeleton.department_id = d;
        for s in &mut skeleton.steps {
            s.department_id = None;
        }
    }
    skeleton.name = "（新事项名称）".into();
    let fields = item_form::Fields::of(&skeleton);
    let page = editor(
        &state,
        &who,
        large,
        new_target(),
        &fields,
        &[],
        None,
        pretty(&skeleton),
        None,
    )
    .await?;
    Ok(views::render(&page))
}

pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let app = state.app.clone();
    let actor = who.actor.clone();
    save_posted(
        &state,
        &who,
        large,
        new_target(),
        pairs,
        |item| async move { app.create_item(&actor, &item).await },
    )
    .await
}

/// `POST /catalog/preview`: the guide the editor's form would publish, rendered by the
/// server into the editor's preview frame, with the catalog's rules' findings above it.
pub async fn preview_form(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    if !may_draft(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let fields = item_form::Fields::posted(&pairs, None);
    let mut res = match fields.item() {
        // The guide as it stands; the rules' messages come beside the fields on saving.
        Ok(item) => {
            let code = item.implementation_code.to_string();
            let v = tongban_store::catalog::ItemVersion {
                item_id: 0,
                version: 0,
                status: ItemStatus::Draft,
                item,
                created_at: state.app.now(),
                created_by: who.user.name.clone(),
                published_at: None,
            };
            super::items::render_guide(&state, Some(&who), large, &code, v, false).await?
        }
        Err(unread) => views::render(&EditorPreviewIssues {
            base: Base::new("预览", Some(&who), large),
            issues: unread.into_iter().map(|(_, m)| m).collect(),
        }),
    };
    // Shown in the editor's own frame only.
    let h = res.headers_mut();
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_str(
            &crate::headers::CONTENT_SECURITY_POLICY
                .replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
        )
        .map_err(|_| PageError(AppError::internal("csp")))?,
    );
    Ok(res)
}

/// The preview while the form breaks a rule: what to fix before the guide can be shown.
#[derive(askama::Template)]
#[template(path = "catalog_preview_issues.html")]
pub struct EditorPreviewIssues {
    pub base: Base,
    pub issues: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "catalog_import.html")]
pub struct ImportPage {
    pub base: Base,
    pub error: Option<(String, Vec<Detail>)>,
    pub report: Option<tongban_app::catalog_io::ImportReport>,
}

pub async fn import_page(Auth(who): Auth, LargeText(large): LargeText) -> PageResult<Response> {
    if !who.actor.is_admin() {
        return Err(PageError(AppError::forbidden()));
    }
    Ok(views::render(&ImportPage {
        base: Base::new("Excel 导入", Some(&who), large),
        error: None,
        report: None,
    }))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub async fn import(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    mut form: axum::extract::Multipart,
) -> PageResult<Response> {
    let mut bytes = Vec::new();
    let mut dry_run = true;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("file") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| PageError(AppError::of(codes::Import::Upload)))?
                    .to_vec()
            }
            Some("mode") => dry_run = field.text().await.map_or(true, |m| m != "apply"),
            _ => {}
        }
    }
    if bytes.is_empty() || bytes.len() > MAX_UPLOAD {
        return Err(PageError(AppError::new(
            codes::Import::Upload,
            "请选择不超过20MB的 .xlsx 文件",
        )));
    }
    let (code, page) = match state.app.import_catalog(&who.actor, &bytes, dry_run).await {
        Ok(report) => (
            StatusCode::OK,
            ImportPage {
                base: Base::new("Excel 导入", Some(&who), large),
                error: None,
                report: Some(report),
            },
        ),
        Err(e) if e.kind == Kind::Forbidden => return Err(PageError(e)),
        Err(e) => (
            status(e.kind),
            ImportPage {
                base: Base::new("Excel 导入", Some(&who), large),
                error: Some((e.message.clone(), e.details.clone())),
                report: None,
            },
        ),
    };
    Ok((code, views::render(&page)).into_response())
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        super::items::percent(name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub async fn export(State(state): State<AppState>, Auth(who): Auth) -> PageResult<Response> {
    let bytes = state.app.export_catalog(&who.actor).await?;
    Ok(download(bytes, XLSX, "事项目录.xlsx"))
}

pub async fn power_list_table(State(state): State<AppState>) -> PageResult<Response> {
    Ok(download(
        state.app.power_list(false).await?,
        XLSX,
        "权力清单（一表）.xlsx",
    ))
}

pub async fn power_list_bundle(State(state): State<AppState>) -> PageResult<Response> {
    Ok(download(
        state.app.power_list(true).await?,
        "application/zip",
        "权力清单（一表一图一件一盘）.zip",
    ))
}
