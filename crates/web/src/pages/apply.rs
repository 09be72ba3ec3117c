//! Filing a case: the online application an applicant fills in from an item's guide, and the
//! intake form a window clerk or an agent fills in for someone. Both are generated from the
//! item version in force, upload each file first, then file the case in one call.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::cases::{ApplicantInput, NewCase};
use tongban_app::{AppError, Kind};
use tongban_domain::case::{FileRef, PartyKind};
use tongban_domain::catalog::Item;
use tongban_domain::codes;
use tongban_domain::org::{HallKind, Role};

use crate::case_input::{parse_delivery, plain};
use crate::error::{status, PageError, PageResult};
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
    /// 免提交: the applicant's licences in force that this material accepts (number, label).
    pub licences: Vec<(String, String)>,
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
    /// Where the form posts; a file upload carries its token in the URL.
    pub action: String,
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
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Online,
    ForSomeone,
}

/// Everything a form post carried: its text fields and the files, already stored.
struct Posted {
    fields: HashMap<String, String>,
    materials: BTreeMap<String, Vec<FileRef>>,
}

impl Posted {
    fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    fn ticked(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_empty())
    }
}

/// A multipart form as read: its text fields, the files stored so far, and the first
/// refusal (a file of the wrong kind or size, or a broken upload).
pub(super) struct Upload {
    pub pairs: Vec<(String, String)>,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub error: Option<AppError>,
}

/// Reads a multipart form, storing each file of a `m_<key>` field as it arrives. Empty file
/// inputs (nothing chosen) are skipped. After a refused file the text fields are still read,
/// so the form can come back as it was typed; a refused file names itself in the message.
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
            (Some(key), Some(file_name)) => {
                if up.error.is_some() {
                    continue;
                }
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
                        up.error = Some(e);
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

async fn form_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    code: Option<&str>,
    mode: Mode,
    posted: Option<&Posted>,
    error: Option<AppError>,
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
    let action_path = match mode {
        Mode::Online => format!("/items/{}/apply", code.unwrap_or_default()),
        Mode::ForSomeone => "/cases/new".to_string(),
    };
    let mut page = ApplyPage {
        base: Base::new(&heading, Some(who), large),
        heading,
        action: format!("{action_path}?csrf={}", who.csrf),
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
        error: error.map(|e| (e.code.to_string(), e.message)),
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
        let licences = match &m.licence_type {
            Some(t) => app
                .usable_licences(&who.actor, t)
                .await?
                .into_iter()
                .map(|l| {
                    (
                        l.number.clone(),
                        format!("{}（{}，有效期至 {}）", l.type_name, l.number, l.valid_to),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
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
        });
    }
    page.materials = materials;
    page.department = app.department_name(item.department_id).await?;
    page.code = summary.implementation_code;
    page.item = Some(item);
    Ok(page)
}

fn render(page: &ApplyPage) -> Response {
    let code = page
        .error
        .as_ref()
        .map_or(StatusCode::OK, |_| StatusCode::UNPROCESSABLE_ENTITY);
    (code, views::render(page)).into_response()
}

/// `GET /items/{code}/apply`: the online form, for applicants. Staff and agents file for
/// someone at `/cases/new`.
pub async fn apply_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(code): Path<String>,
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
    let page = form_page(&state, &who, large, Some(&code), Mode::Online, None, None).await?;
    Ok(render(&page))
}

pub async fn apply(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(code): Path<String>,
    form: Multipart,
) -> PageResult<Response> {
    if who.actor.role != Role::Applicant {
        return Err(PageError(AppError::forbidden()));
    }
    file(&state, &who, large, Some(code), Mode::Online, form).await
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    item: String,
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
    let page = form_page(
        &state,
        &who,
        large,
        Some(&q.item),
        Mode::ForSomeone,
        None,
        None,
    )
    .await?;
    Ok(render(&page))
}

pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    form: Multipart,
) -> PageResult<Response> {
    files_for_someone(&who)?;
    file(&state, &who, large, None, Mode::ForSomeone, form).await
}

/// Uploads, checks the commitment, files the case; on a refusal, the form again with what
/// was typed and the reason.
async fn file(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    code: Option<String>,
    mode: Mode,
    form: Multipart,
) -> PageResult<Response> {
    let up = read_upload(state, who, form).await;
    let posted = Posted {
        fields: up.pairs.into_iter().collect(),
        materials: up.materials,
    };
    let code = code.unwrap_or_else(|| posted.get("item"));
    let result = match up.error {
        Some(e) => Err(e),
        None => submit(state, who, &code, mode, &posted).await,
    };
    match result {
        Ok(number) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/cases/{number}?ok=submitted"))],
        )
            .into_response()),
        Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page =
                form_page(state, who, large, Some(&code), mode, Some(&posted), Some(e)).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

async fn submit(
    state: &AppState,
    who: &SignedIn,
    code: &str,
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
        item_code: code.trim().to_string(),
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
