//! Filing a case: the online application an applicant fills in from an item's guide, and the
//! intake form a window clerk or an agent fills in for someone. Both are generated from the
//! item version in force and upload each file first.
//!
//! Every post ends in a redirect (post/redirect/get): the form's text and the files stored are
//! kept as a draft (`tongban_app::drafts`), and the page read after the redirect shows it. A
//! refused file keeps the others; a reload never posts again. Online, the form leads to a
//! "check your answers" page (`/items/{code}/apply/check`): every answer and material, the
//! required ones missing named, and the filing itself from there. Staff and agents file from
//! the form at once, since the window's one notice covers what is missing.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::drafts::ApplicationDraft;
use tongban_app::{AppError, Kind};
use tongban_domain::case::intake::ApplicationGaps;
use tongban_domain::case::{FileRef, PartyKind};
use tongban_domain::catalog::Item;
use tongban_domain::codes;
use tongban_domain::org::{HallKind, Role};
use tongban_store::catalog::ItemFilter;

use crate::case_input::{parse_delivery, plain};
use crate::error::{PageError, PageResult};
use crate::json::PageQuery;
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

/// One material's file input.
pub struct MaterialField {
    pub key: String,
    pub name: String,
    pub form: &'static str,
    pub copies: u8,
    pub required: bool,
    pub deferrable: bool,
    pub note: String,
    pub template_file: Option<String>,
    /// 免提交: the applicant's licences in force that this material accepts (number, label,
    /// chosen).
    pub licences: Vec<(String, String, bool)>,
    /// Files already uploaded for it and kept in the draft: (value of the `keep` box, name).
    pub kept: Vec<(String, String)>,
}

/// What the person typed, kept when the form comes back with an error.
#[derive(Default)]
pub struct ApplyValues {
    pub kind: String,
    pub name: String,
    pub id_code: String,
    pub phone: String,
    pub email: String,
    pub village: bool,
    pub committed: bool,
}

#[derive(askama::Template)]
#[template(path = "case_apply.html")]
pub struct ApplyPage {
    pub base: Base,
    pub heading: String,
    /// Where the form posts (the session's token is the form's first field, never in the URL).
    pub action: String,
    /// The draft the form was read from, carried so its kept files follow the next post.
    pub draft: String,
    /// Staff and agents type the applicant in; an applicant files for themself.
    pub for_someone: bool,
    pub agent: bool,
    pub code: String,
    pub item: Option<Item>,
    pub department: String,
    pub materials: Vec<MaterialField>,
    /// (id, name, selected)
    pub halls: Vec<(i64, String, bool)>,
    /// (value, label, selected)
    pub deliveries: Vec<(String, &'static str, bool)>,
    pub values: ApplyValues,
    pub idempotency_key: String,
    /// (code, message)
    pub error: Option<(String, String)>,
    /// Window intake before an item is chosen: what was searched for, and the items to pick
    /// from (the search's hits, or the desk's own department's items).
    pub q: String,
    pub choices: Vec<ItemChoice>,
}

/// An item a clerk may open the intake form of.
pub struct ItemChoice {
    pub code: String,
    pub name: String,
    pub department: String,
    pub snippet: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Online,
    ForSomeone,
}

type Posted = ApplicationDraft;

/// A multipart form as read: its text fields, the files stored so far, and the first
/// refusal (a file of the wrong kind or size, or a broken upload).
pub(super) struct Upload {
    pub pairs: Vec<(String, String)>,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub error: Option<AppError>,
    /// The draft the form was read from (field `draft`), and the files of it still ticked
    /// (fields `keep`, each `key:hash`).
    pub draft_id: Option<String>,
    pub keep: Vec<String>,
}

/// Reads a multipart form, storing each file of a `m_<key>` field as it arrives. Empty file
/// inputs (nothing chosen) are skipped. After a refused file the other files and the text
/// fields are still read, so the form can come back as it was typed with the good files kept;
/// the first refused file names itself in the message.
pub(super) async fn read_upload(state: &AppState, who: &SignedIn, mut form: Multipart) -> Upload {
    let broken = || {
        AppError::new(
            codes::Case::Upload,
            "文件上传不完整或超过总大小上限（20MB），请重试",
        )
    };
    let mut up = Upload {
        pairs: Vec::new(),
        materials: BTreeMap::new(),
        error: None,
        draft_id: None,
        keep: Vec::new(),
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                up.error.get_or_insert_with(broken);
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        match (
            name.strip_prefix("m_"),
            field.file_name().map(str::to_string),
        ) {
            // A refused file does not stop the others: each good one is stored, so the form
            // comes back with them kept and only the refused one to choose again.
            (Some(key), Some(file_name)) => {
                let key = key.to_string();
                let Ok(bytes) = field.bytes().await else {
                    up.error = Some(broken());
                    break;
                };
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                match state
                    .app
                    .upload_case_file(&who.actor, &file_name, &bytes)
                    .await
                {
                    Ok(stored) => up.materials.entry(key).or_default().push(stored),
                    Err(mut e) => {
                        e.message = format!("文件“{file_name}”：{}", e.message);
                        up.error.get_or_insert(e);
                    }
                }
            }
            _ => match field.text().await {
                // 免提交: a licence chosen instead of a file; the application checks it is the
                // applicant's own and in force.
                Ok(value) if name.starts_with("l_") && !value.trim().is_empty() => {
                    let key = name.trim_start_matches("l_").to_string();
                    up.materials.entry(key).or_default().push(FileRef {
                        hash: format!(
                            "{}{}",
                            tongban_app::licences::REFERENCE_PREFIX,
                            value.trim()
                        ),
                        name: "电子证照".into(),
                        size: 0,
                    });
                }
                Ok(value) if name == "keep" => up.keep.push(value),
                Ok(value) if name == "draft" => {
                    up.draft_id = Some(value.trim().to_string()).filter(|v| !v.is_empty())
                }
                Ok(value) => up.pairs.push((name, value)),
                Err(_) => {
                    up.error.get_or_insert_with(broken);
                    break;
                }
            },
        }
    }
    up
}

fn idempotency_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn is_reference(f: &FileRef) -> bool {
    f.hash.starts_with(tongban_app::licences::REFERENCE_PREFIX)
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    code: Option<&str>,
    mode: Mode,
    posted: Option<&Posted>,
    draft_id: Option<&str>,
) -> PageResult<ApplyPage> {
    let app = &state.app;
    let agent = who.actor.role == Role::Agent;
    let mut values = ApplyValues {
        kind: "person".into(),
        ..ApplyValues::default()
    };
    if let Some(p) = posted {
        values = ApplyValues {
            kind: match p.get("kind").as_str() {
                "company" => "company".into(),
                _ => "person".into(),
            },
            name: p.get("name"),
            id_code: p.get("id_code"),
            phone: p.get("phone"),
            email: p.get("email"),
            village: p.ticked("village"),
            committed: p.ticked("commit"),
        };
    }
    let heading = match mode {
        Mode::Online => "在线申请".to_string(),
        Mode::ForSomeone if agent => "代办申报".to_string(),
        Mode::ForSomeone => "窗口收件".to_string(),
    };
    let action = match mode {
        Mode::Online => format!("/items/{}/apply", code.unwrap_or_default()),
        Mode::ForSomeone => "/cases/new".to_string(),
    };
    let mut page = ApplyPage {
        base: Base::new(&heading, Some(who), large),
        heading,
        action,
        draft: draft_id.unwrap_or_default().to_string(),
        for_someone: mode == Mode::ForSomeone,
        agent,
        code: String::new(),
        item: None,
        department: String::new(),
        materials: vec![],
        halls: vec![],
        deliveries: vec![],
        values,
        idempotency_key: posted
            .map(|p| p.get("idempotency_key"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(idempotency_key),
        error: posted.and_then(|p| p.error.clone()),
        q: String::new(),
        choices: vec![],
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(page);
    };
    let (summary, version) = match app.public_item(code).await {
        Ok(found) => found,
        // At the window a mistyped code is an error to correct, not a dead end.
        Err(e) if mode == Mode::ForSomeone && e.kind == Kind::NotFound => {
            page.error = Some((e.code.to_string(), e.message));
            return Ok(page);
        }
        Err(e) => return Err(PageError(e)),
    };
    let item = version.item;
    let picked_hall: Option<i64> = posted.and_then(|p| p.get("pickup").parse().ok());
    let halls = app.store.halls(Some(&item.region)).await?;
    page.halls = halls
        .into_iter()
        // A village 代办点 takes applications but does not hand out certificates.
        .filter(|h| h.kind != HallKind::Village)
        .map(|h| (h.id, h.name, picked_hall == Some(h.id)))
        .collect();
    let picked_delivery = posted.map(|p| p.get("delivery")).unwrap_or_default();
    page.deliveries = item
        .delivery
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let value = plain(d);
            let selected = if picked_delivery.is_empty() {
                i == 0
            } else {
                value == picked_delivery
            };
            (value, d.label(), selected)
        })
        .collect();
    let mut materials = Vec::new();
    for m in &item.materials {
        let given = posted.and_then(|p| p.materials.get(&m.key));
        // The licence chosen last time; on a fresh form, the first one offered.
        let chosen: Option<String> = match (posted, given) {
            (None, _) => None,
            (Some(_), files) => files
                .into_iter()
                .flatten()
                .find(|f| is_reference(f))
                .map(|f| f.hash[tongban_app::licences::REFERENCE_PREFIX.len()..].to_string()),
        };
        let licences = match &m.licence_type {
            Some(t) => app
                .usable_licences(&who.actor, t)
                .await?
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let picked = match (posted, &chosen) {
                        (None, _) => i == 0,
                        (Some(_), Some(c)) => *c == l.number,
                        (Some(_), None) => false,
                    };
                    (
                        l.number.clone(),
                        format!("{}（{}，有效期至 {}）", l.type_name, l.number, l.valid_to),
                        picked,
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        let kept = given
            .into_iter()
            .flatten()
            .filter(|f| !is_reference(f))
            .map(|f| (format!("{}:{}", m.key, f.hash), f.name.clone()))
            .collect();
        materials.push(MaterialField {
            key: m.key.clone(),
            name: m.name.clone(),
            form: m.form.label(),
            copies: m.copies,
            required: m.required,
            deferrable: m.deferrable,
            note: m.note.clone(),
            template_file: m.template_file.clone(),
            licences,
            kept,
        });
    }
    page.materials = materials;
    page.department = app.department_name(item.department_id).await?;
    page.code = summary.implementation_code;
    page.item = Some(item);
    Ok(page)
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    #[serde(default)]
    draft: String,
}

/// The draft a page was sent to show, if any; one that is gone (filed, expired, someone
/// else's) gives the form afresh.
async fn load_draft(state: &AppState, who: &SignedIn, id: &str) -> Option<Posted> {
    if id.is_empty() {
        return None;
    }
    state.app.draft(&who.actor, id).await.ok()
}

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// A draft already filed leads to its case.
fn filed(draft: &Posted) -> Option<Response> {
    let number = draft.get("filed");
    (!number.is_empty()).then(|| see_other(format!("/cases/{number}?ok=submitted")))
}

/// `GET /items/{code}/apply`: the online form, for applicants. Staff and agents file for
/// someone at `/cases/new`.
pub async fn apply_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<DraftQuery>,
) -> PageResult<Response> {
    match who.actor.role {
        Role::Applicant => {}
        Role::Clerk | Role::DeptHead | Role::Agent => {
            return Ok(
                Redirect::to(&format!("/cases/new?item={}", super::items::percent(&code)))
                    .into_response(),
            )
        }
        _ => return Err(PageError(AppError::forbidden())),
    }
    let draft = load_draft(&state, &who, &q.draft).await;
    if let Some(done) = draft.as_ref().and_then(filed) {
        return Ok(done);
    }
    let id = draft.as_ref().map(|_| q.draft.as_str());
    let page = form_page(
        &state,
        &who,
        large,
        Some(&code),
        Mode::Online,
        draft.as_ref(),
        id,
    )
    .await?;
    Ok(views::render(&page))
}

/// `POST /items/{code}/apply`: stores the files and what was typed, then the check page (or the
/// form again with the refusal).
pub async fn apply(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(code): Path<String>,
    form: Multipart,
) -> PageResult<Response> {
    if who.actor.role != Role::Applicant {
        return Err(PageError(AppError::forbidden()));
    }
    let (id, draft) = take_post(&state, &who, Some(code), form).await?;
    let code = super::items::percent(&draft.item_code);
    if draft.error.is_some() {
        return Ok(see_other(format!("/items/{code}/apply?draft={id}")));
    }
    Ok(see_other(format!("/items/{code}/apply/check?draft={id}")))
}

#[derive(askama::Template)]
#[template(path = "case_check.html")]
pub struct CheckPage {
    pub base: Base,
    pub code: String,
    pub draft: String,
    pub item_name: String,
    pub department: String,
    pub applicant: String,
    /// (name, kind: 必要/可容缺/非必要, files given)
    pub materials: Vec<(String, &'static str, Vec<String>)>,
    /// Required materials missing that are not 容缺: the application cannot be filed online.
    pub blocking: Vec<String>,
    /// 容缺 materials missing: they may follow acceptance.
    pub later: Vec<String>,
    pub deferred_days: u32,
    pub delivery: String,
    pub pickup: String,
    /// (code, message)
    pub error: Option<(String, String)>,
}

/// `GET /items/{code}/apply/check?draft=…`: every answer and material before filing.
pub async fn check_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<DraftQuery>,
) -> PageResult<Response> {
    if who.actor.role != Role::Applicant {
        return Err(PageError(AppError::forbidden()));
    }
    let draft = match load_draft(&state, &who, &q.draft).await {
        Some(d) => d,
        None => {
            return Ok(see_other(format!(
                "/items/{}/apply",
                super::items::percent(&code)
            )))
        }
    };
    if let Some(done) = filed(&draft) {
        return Ok(done);
    }
    let app = &state.app;
    let (summary, version) = app.public_item(&draft.item_code).await?;
    let item = version.item;
    let given = |k: &str| draft.materials.get(k).is_some_and(|f| !f.is_empty());
    let gaps = ApplicationGaps::of(&item, given);
    let name_of = |k: &String| {
        item.material(k)
            .map_or_else(|| k.clone(), |m| m.name.clone())
    };
    let materials = item
        .materials
        .iter()
        .map(|m| {
            let kind = match (m.required, m.deferrable) {
                (true, false) => "必要",
                (true, true) => "必要（可容缺）",
                (false, _) => "非必要",
            };
            let files = draft
                .materials
                .get(&m.key)
                .into_iter()
                .flatten()
                .map(|f| {
                    if is_reference(f) {
                        format!(
                            "电子证照 {}（免提交）",
                            &f.hash[tongban_app::licences::REFERENCE_PREFIX.len()..]
                        )
                    } else {
                        f.name.clone()
                    }
                })
                .collect();
            (m.name.clone(), kind, files)
        })
        .collect();
    let delivery = parse_delivery(&draft.get("delivery"))
        .map(|d| d.label().to_string())
        .unwrap_or_else(|_| "未选择".into());
    let pickup = match draft.get("pickup").trim().parse::<i64>() {
        Ok(id) => app
            .store
            .hall(id)
            .await?
            .map_or_else(|| "由受理窗口安排".into(), |h| h.name),
        Err(_) => "由受理窗口安排".into(),
    };
    let page = CheckPage {
        base: Base::new("核对申请信息", Some(&who), large),
        code: summary.implementation_code,
        draft: q.draft.clone(),
        item_name: item.name.clone(),
        department: app.department_name(item.department_id).await?,
        applicant: who.user.name.clone(),
        materials,
        blocking: gaps.blocking.iter().map(name_of).collect(),
        later: gaps.later.iter().map(name_of).collect(),
        deferred_days: app.settings().case_rules.deferred_days,
        delivery,
        pickup,
        error: draft.error.clone(),
    };
    Ok(views::render(&page))
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    draft: String,
}

/// `POST /items/{code}/apply/check`: files the checked draft; the case, or the check page again
/// with the refusal.
pub async fn confirm(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(code): Path<String>,
    crate::json::PageForm(form): crate::json::PageForm<ConfirmForm>,
) -> PageResult<Response> {
    if who.actor.role != Role::Applicant {
        return Err(PageError(AppError::forbidden()));
    }
    let Some(draft) = load_draft(&state, &who, &form.draft).await else {
        return Ok(see_other(format!(
            "/items/{}/apply",
            super::items::percent(&code)
        )));
    };
    finish(&state, &who, Mode::Online, &form.draft, draft).await
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    item: String,
    /// A search by name (or a code) before an item is chosen.
    #[serde(default)]
    q: String,
    #[serde(default)]
    draft: String,
}

fn files_for_someone(who: &SignedIn) -> PageResult<()> {
    match who.actor.role {
        Role::Clerk | Role::DeptHead | Role::Agent => Ok(()),
        _ => Err(PageError(AppError::forbidden())),
    }
}

/// `GET /cases/new?item=CODE`: window intake (clerks, heads) and agent intake (代办员).
pub async fn new_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<NewQuery>,
) -> PageResult<Response> {
    if who.actor.role == Role::Applicant {
        let to = if q.item.trim().is_empty() {
            "/items".to_string()
        } else {
            format!("/items/{}/apply", super::items::percent(q.item.trim()))
        };
        return Ok(Redirect::to(&to).into_response());
    }
    files_for_someone(&who)?;
    let draft = load_draft(&state, &who, &q.draft).await;
    if let Some(done) = draft.as_ref().and_then(filed) {
        return Ok(done);
    }
    let code = draft
        .as_ref()
        .map_or_else(|| q.item.clone(), |d| d.item_code.clone());
    let id = draft.as_ref().map(|_| q.draft.as_str());
    let wanted = q.q.trim();
    // A code typed into the search box opens its form at once, as the old code box did.
    if code.trim().is_empty() && !wanted.is_empty() && state.app.public_item(wanted).await.is_ok() {
        return Ok(Redirect::to(&format!(
            "/cases/new?item={}",
            super::items::percent(wanted)
        ))
        .into_response());
    }
    let mut page = form_page(
        &state,
        &who,
        large,
        Some(&code),
        Mode::ForSomeone,
        draft.as_ref(),
        id,
    )
    .await?;
    if page.item.is_none() {
        page.q = wanted.to_string();
        page.choices = intake_choices(&state, &who, wanted).await?;
    }
    Ok(views::render(&page))
}

/// The items window intake offers before one is chosen: the search's hits for `q` (the same
/// search as the public catalog), or with no query the items of the desk's own department.
async fn intake_choices(state: &AppState, who: &SignedIn, q: &str) -> PageResult<Vec<ItemChoice>> {
    let filter = if q.is_empty() {
        match who.actor.department_id {
            Some(d) => ItemFilter {
                department_id: Some(d),
                ..ItemFilter::default()
            },
            None => return Ok(vec![]),
        }
    } else {
        ItemFilter::default()
    };
    let found = state.app.find_items(q, filter).await?;
    let departments: std::collections::HashMap<i64, String> = state
        .app
        .store
        .departments(None)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    Ok(found
        .into_iter()
        .take(30)
        .map(|f| ItemChoice {
            department: departments
                .get(&f.summary.department_id)
                .cloned()
                .unwrap_or_default(),
            code: f.summary.implementation_code,
            name: f.summary.name,
            snippet: f.snippet,
        })
        .collect())
}

/// `POST /cases/new`: stores the files and files the case at once; on a refusal, the form
/// again (after a redirect) with what was typed, the files kept and the reason.
pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    form: Multipart,
) -> PageResult<Response> {
    files_for_someone(&who)?;
    let (id, draft) = take_post(&state, &who, None, form).await?;
    if draft.error.is_some() {
        return Ok(see_other(back_to_form(Mode::ForSomeone, &draft, &id)));
    }
    finish(&state, &who, Mode::ForSomeone, &id, draft).await
}

fn back_to_form(mode: Mode, draft: &Posted, id: &str) -> String {
    let code = super::items::percent(&draft.item_code);
    match mode {
        Mode::Online => format!("/items/{code}/apply?draft={id}"),
        Mode::ForSomeone => format!("/cases/new?item={code}&draft={id}"),
    }
}

/// Reads a form post into a draft: the files it uploads, the files it keeps from the draft it
/// came from, what was typed, and the first refusal. Saves it and returns its id.
async fn take_post(
    state: &AppState,
    who: &SignedIn,
    code: Option<String>,
    form: Multipart,
) -> PageResult<(String, Posted)> {
    let up = read_upload(state, who, form).await;
    let fields: BTreeMap<String, String> = up
        .pairs
        .into_iter()
        // The session's token is checked at the edge and never stored.
        .filter(|(k, _)| k != "csrf")
        .collect();
    let mut draft = Posted {
        item_code: code.unwrap_or_default(),
        fields,
        materials: BTreeMap::new(),
        error: up.error.map(|e| (e.code.to_string(), e.message)),
    };
    if draft.item_code.is_empty() {
        draft.item_code = draft.get("item").trim().to_string();
    }
    // Files kept from the draft the form was read from: only the ones still ticked.
    let previous = match up.draft_id.as_deref() {
        Some(id) => state.app.draft(&who.actor, id).await.ok(),
        None => None,
    };
    if let Some(prev) = &previous {
        for (key, files) in &prev.materials {
            for f in files.iter().filter(|f| !is_reference(f)) {
                if up.keep.contains(&format!("{key}:{}", f.hash)) {
                    draft
                        .materials
                        .entry(key.clone())
                        .or_default()
                        .push(f.clone());
                }
            }
        }
    }
    for (key, files) in up.materials {
        draft.materials.entry(key).or_default().extend(files);
    }
    if draft.error.is_none() && !draft.ticked("commit") {
        let e = AppError::of(codes::Case::Commitment);
        draft.error = Some((e.code.to_string(), e.message));
    }
    let id = state
        .app
        .save_draft(&who.actor, up.draft_id.as_deref(), &draft)
        .await?;
    Ok((id, draft))
}

/// Files a draft: on success the draft remembers the case (a second post leads to it) and the
/// browser goes to the case; on a refusal the draft keeps the reason and the browser goes back
/// to the page it came from.
async fn finish(
    state: &AppState,
    who: &SignedIn,
    mode: Mode,
    id: &str,
    mut draft: Posted,
) -> PageResult<Response> {
    if let Some(done) = filed(&draft) {
        return Ok(done);
    }
    match submit(state, who, mode, &draft).await {
        Ok(number) => {
            draft.error = None;
            draft.fields.insert("filed".into(), number.clone());
            state.app.save_draft(&who.actor, Some(id), &draft).await?;
            Ok(see_other(format!("/cases/{number}?ok=submitted")))
        }
        Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            draft.error = Some((e.code.to_string(), e.message));
            state.app.save_draft(&who.actor, Some(id), &draft).await?;
            Ok(see_other(match mode {
                Mode::Online => format!(
                    "/items/{}/apply/check?draft={id}",
                    super::items::percent(&draft.item_code)
                ),
                Mode::ForSomeone => back_to_form(mode, &draft, id),
            }))
        }
    }
}

async fn submit(
    state: &AppState,
    who: &SignedIn,
    mode: Mode,
    posted: &Posted,
) -> Result<String, AppError> {
    if !posted.ticked("commit") {
        return Err(AppError::of(codes::Case::Commitment));
    }
    let applicant = (mode == Mode::ForSomeone).then(|| ApplicantInput {
        kind: if posted.get("kind") == "company" {
            PartyKind::Company
        } else {
            PartyKind::Person
        },
        name: posted.get("name"),
        id_code: posted.get("id_code").trim().to_string(),
        phone: posted.get("phone").trim().to_string(),
        email: Some(posted.get("email")).filter(|e| !e.trim().is_empty()),
    });
    let pickup = posted.get("pickup");
    let pickup_hall_id = match pickup.trim() {
        "" => None,
        v => Some(
            v.parse()
                .map_err(|_| AppError::of(codes::Case::PickupHall))?,
        ),
    };
    let mut form = BTreeMap::new();
    form.insert(
        "承诺".to_string(),
        "申请人承诺符合受理条件，所交材料真实有效".to_string(),
    );
    let new = NewCase {
        item_code: posted.item_code.trim().to_string(),
        applicant,
        village: who.actor.role == Role::Agent && posted.ticked("village"),
        pickup_hall_id,
        delivery: parse_delivery(&posted.get("delivery"))?,
        materials: posted.materials.clone(),
        form,
        idempotency_key: Some(posted.get("idempotency_key")).filter(|k| !k.trim().is_empty()),
    };
    let view = state.app.submit_case(&who.actor, new).await?;
    Ok(view.case.number.to_string())
}
