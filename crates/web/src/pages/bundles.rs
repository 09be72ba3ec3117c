//! 一件事一次办 pages: the published bundles and their one guide, the one application form
//! (one set of materials, shared ones asked once), the applicant's progress page with one
//! progress bar, and the catalog side where the centre drafts bundles and the three reviewers
//! review them.
//!
//! Every post ends in a redirect (post/redirect/get). The application form keeps its files in
//! an application draft (`tongban_app::drafts`, item code `bundle:{code}`), as the item form
//! does, so a refused file or filing never makes the person choose the others again.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::bundles::{NewBundleCase, PublicBundle};
use tongban_app::drafts::ApplicationDraft;
use tongban_app::{AppError, Kind};
use tongban_domain::catalog::{self, yuan, ItemAction, ItemStatus};
use tongban_domain::codes;
use tongban_domain::org::Role;
use tongban_domain::time::format_local;

use crate::case_input::{parse_delivery, plain};
use crate::error::{PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// A published bundle as a line of a list (home page, guides, the bundles page).
pub struct BundleLink {
    pub code: String,
    pub name: String,
}

/// The published bundles as links; a failure to read them leaves the list empty rather than
/// failing the page around it.
pub(crate) async fn links(state: &AppState) -> Vec<BundleLink> {
    match state.app.public_bundles().await {
        Ok(list) => list
            .into_iter()
            .map(|b| BundleLink {
                code: b.code,
                name: b.name,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e.message, "bundles not listed");
            Vec::new()
        }
    }
}

#[derive(askama::Template)]
#[template(path = "bundles.html")]
pub struct BundlesPage {
    pub base: Base,
    /// (code, name, summary, members' names)
    pub bundles: Vec<(String, String, String, Vec<String>)>,
}

/// `GET /bundles`: every published bundle with its members.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    let mut bundles = Vec::new();
    for b in state.app.public_bundles().await? {
        // A bundle whose member left the catalog is not offered.
        if let Ok(pb) = state.app.public_bundle(&b.code).await {
            bundles.push((
                pb.summary.code.clone(),
                pb.summary.name.clone(),
                pb.version.bundle.summary.clone(),
                pb.members.iter().map(|m| m.item.name.clone()).collect(),
            ));
        }
    }
    Ok(views::render(&BundlesPage {
        base: Base::new("一件事一次办", viewer.signed_in(), large),
        bundles,
    }))
}

/// One material of the guide and the form.
pub struct MaterialRow {
    pub key: String,
    pub name: String,
    pub form: &'static str,
    pub copies: u8,
    pub required: bool,
    pub deferrable: bool,
    /// The members that ask for it, by name, when more than one (asked once here).
    pub shared_by: Vec<String>,
    /// The one member that asks for it, when only one.
    pub member: String,
    pub template_file: Option<String>,
    /// Files already uploaded and kept in the draft: (value of the `keep` box, name).
    pub kept: Vec<(String, String)>,
}

fn material_rows(pb: &PublicBundle, draft: Option<&ApplicationDraft>) -> Vec<MaterialRow> {
    let name_of = |i: usize| {
        pb.members
            .get(i)
            .map(|m| m.item.name.clone())
            .unwrap_or_default()
    };
    pb.guide
        .materials
        .iter()
        .map(|m| MaterialRow {
            key: m.key.clone(),
            name: m.name.clone(),
            form: m.form.label(),
            copies: m.copies,
            required: m.required,
            deferrable: m.deferrable,
            shared_by: if m.shared() {
                m.covers.iter().map(|(i, _)| name_of(*i)).collect()
            } else {
                Vec::new()
            },
            member: m
                .covers
                .first()
                .map(|(i, _)| name_of(*i))
                .unwrap_or_default(),
            template_file: m.template_file.clone(),
            kept: draft
                .and_then(|d| d.materials.get(&m.key))
                .into_iter()
                .flatten()
                .map(|f| (format!("{}:{}", m.key, f.hash), f.name.clone()))
                .collect(),
        })
        .collect()
}

/// One member as the guide lists it.
pub struct MemberRow {
    pub code: String,
    pub name: String,
    pub department: String,
    pub limit: String,
    pub statutory: String,
    pub depth: u8,
}

fn member_rows(pb: &PublicBundle) -> Vec<MemberRow> {
    pb.members
        .iter()
        .map(|m| MemberRow {
            code: m.summary.implementation_code.clone(),
            name: m.item.name.clone(),
            department: m.department.clone(),
            limit: if m.item.committed_limit_days == 0 {
                "当场办结".into()
            } else {
                format!("承诺{}个工作日", m.item.committed_limit_days)
            },
            statutory: if m.item.statutory_limit_days == 0 {
                "—".into()
            } else {
                format!("{}个工作日", m.item.statutory_limit_days)
            },
            depth: m.item.online_depth,
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "bundle_guide.html")]
pub struct GuidePage {
    pub base: Base,
    pub code: String,
    pub name: String,
    pub summary: String,
    pub members: Vec<MemberRow>,
    /// (condition, the members that set it, by name)
    pub conditions: Vec<(String, Vec<String>)>,
    pub materials: Vec<MaterialRow>,
    pub shared_count: usize,
    pub asked_without_bundle: usize,
    pub longest: u32,
    /// (member, fee, basis, yuan)
    pub fees: Vec<(String, String, String, String)>,
    pub total_fee: String,
    pub online: bool,
    pub max_visits: u8,
    /// May apply online now: a signed-in applicant.
    pub can_apply: bool,
    pub signed_in: bool,
}

/// `GET /bundles/{code}`: the one guide.
pub async fn guide(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let pb = state.app.public_bundle(&code).await?;
    let who = viewer.signed_in();
    let name_of = |i: &usize| {
        pb.members
            .get(*i)
            .map(|m| m.item.name.clone())
            .unwrap_or_default()
    };
    let page = GuidePage {
        base: Base::new(&pb.summary.name, who, large),
        code: pb.summary.code.clone(),
        name: pb.summary.name.clone(),
        summary: pb.version.bundle.summary.clone(),
        members: member_rows(&pb),
        conditions: pb
            .guide
            .conditions
            .iter()
            .map(|(c, who)| (c.clone(), who.iter().map(name_of).collect()))
            .collect(),
        materials: material_rows(&pb, None),
        shared_count: pb.guide.materials.iter().filter(|m| m.shared()).count(),
        asked_without_bundle: pb.members.iter().map(|m| m.item.materials.len()).sum(),
        longest: pb.guide.longest_committed_days,
        fees: pb
            .guide
            .fees
            .iter()
            .map(|(i, f)| {
                (
                    name_of(i),
                    f.name.clone(),
                    f.basis.clone(),
                    yuan(f.amount_fen),
                )
            })
            .collect(),
        total_fee: yuan(pb.guide.total_fee_fen),
        online: pb.guide.online,
        max_visits: pb.guide.max_visits,
        can_apply: who.is_some_and(|w| w.actor.role == Role::Applicant),
        signed_in: who.is_some(),
    };
    Ok(views::render(&page))
}

#[derive(askama::Template)]
#[template(path = "bundle_apply.html")]
pub struct ApplyPage {
    pub base: Base,
    pub code: String,
    pub name: String,
    pub draft: String,
    pub members: Vec<MemberRow>,
    pub materials: Vec<MaterialRow>,
    /// (value, label, selected)
    pub deliveries: Vec<(String, &'static str, bool)>,
    pub committed: bool,
    pub idempotency_key: String,
    /// (code, message)
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    #[serde(default)]
    draft: String,
}

fn applicant_only(who: &SignedIn) -> PageResult<()> {
    if who.actor.role == Role::Applicant {
        Ok(())
    } else {
        Err(PageError(AppError::forbidden()))
    }
}

fn draft_code(code: &str) -> String {
    format!("bundle:{code}")
}

async fn load_draft(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    code: &str,
) -> Option<ApplicationDraft> {
    if id.is_empty() {
        return None;
    }
    state
        .app
        .draft(&who.actor, id)
        .await
        .ok()
        .filter(|d| d.item_code == draft_code(code))
}

/// `GET /bundles/{code}/apply`: the one form, for applicants.
pub async fn apply_page(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<DraftQuery>,
) -> PageResult<Response> {
    applicant_only(&who)?;
    let pb = state.app.public_bundle(&code).await?;
    if !pb.guide.online {
        return Err(PageError(AppError::of(codes::Bundle::NotOnline)));
    }
    let draft = load_draft(&state, &who, &q.draft, &pb.summary.code).await;
    if let Some(d) = &draft {
        let filed = d.get("filed");
        if !filed.is_empty() {
            return Ok(see_other(format!("/bundle-cases/{filed}")));
        }
    }
    // The deliveries every member offers; a member offering fewer uses its own first.
    let picked = draft
        .as_ref()
        .map(|d| d.get("delivery"))
        .unwrap_or_default();
    let offered: Vec<_> = pb
        .members
        .first()
        .map(|m| m.item.delivery.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|d| pb.members.iter().all(|m| m.item.delivery.contains(d)))
        .collect();
    let offered = if offered.is_empty() {
        vec![tongban_domain::catalog::Delivery::Window]
    } else {
        offered
    };
    let deliveries = offered
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let value = plain(d);
            let selected = if picked.is_empty() {
                i == 0
            } else {
                value == picked
            };
            (value, d.label(), selected)
        })
        .collect();
    let page = ApplyPage {
        base: Base::new(&format!("申请：{}", pb.summary.name), Some(&who), large),
        code: pb.summary.code.clone(),
        name: pb.summary.name.clone(),
        draft: if draft.is_some() {
            q.draft.clone()
        } else {
            String::new()
        },
        members: member_rows(&pb),
        materials: material_rows(&pb, draft.as_ref()),
        deliveries,
        committed: draft.as_ref().is_some_and(|d| d.ticked("commit")),
        idempotency_key: draft
            .as_ref()
            .map(|d| d.get("idempotency_key"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>())),
        error: draft.and_then(|d| d.error),
    };
    Ok(views::render(&page))
}

/// `POST /bundles/{code}/apply`: stores the files and what was typed as a draft, files the
/// bundle, and goes to its progress page; on a refusal, back to the form with the files kept.
pub async fn apply(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(code): Path<String>,
    form: Multipart,
) -> PageResult<Response> {
    applicant_only(&who)?;
    let code = code.trim().to_ascii_uppercase();
    let up = super::apply::read_upload(&state, &who, form).await;
    let fields: BTreeMap<String, String> =
        up.pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
    let mut draft = ApplicationDraft {
        item_code: draft_code(&code),
        fields,
        materials: BTreeMap::new(),
        error: up.error.map(|e| (e.code.to_string(), e.message)),
    };
    if let Some(prev) = match up.draft_id.as_deref() {
        Some(id) => load_draft(&state, &who, id, &code).await,
        None => None,
    } {
        let filed = prev.get("filed");
        if !filed.is_empty() {
            return Ok(see_other(format!("/bundle-cases/{filed}")));
        }
        for (key, files) in &prev.materials {
            for f in files {
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
    let back = format!("/bundles/{}/apply?draft={id}", super::items::percent(&code));
    if draft.error.is_some() {
        return Ok(see_other(back));
    }
    let mut form = BTreeMap::new();
    form.insert(
        "承诺".to_string(),
        "申请人承诺符合受理条件，所交材料真实有效".to_string(),
    );
    let filed = match parse_delivery(&draft.get("delivery")) {
        Ok(delivery) => {
            state
                .app
                .submit_bundle(
                    &who.actor,
                    NewBundleCase {
                        bundle_code: code.clone(),
                        applicant: None,
                        village: false,
                        pickup_hall_id: None,
                        delivery,
                        materials: draft.materials.clone(),
                        form,
                        idempotency_key: Some(draft.get("idempotency_key"))
                            .filter(|k| !k.trim().is_empty()),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match filed {
        Ok(number) => {
            draft.error = None;
            draft.fields.insert("filed".into(), number.clone());
            state.app.save_draft(&who.actor, Some(&id), &draft).await?;
            Ok(see_other(format!("/bundle-cases/{number}?ok=submitted")))
        }
        Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            draft.error = Some((e.code.to_string(), e.message));
            state.app.save_draft(&who.actor, Some(&id), &draft).await?;
            Ok(see_other(back))
        }
    }
}

/// One member case on the progress page.
pub struct MemberCase {
    pub number: String,
    pub item_name: String,
    pub status: String,
    pub status_key: &'static str,
    pub decided: bool,
    pub visible: bool,
}

#[derive(askama::Template)]
#[template(path = "bundle_case.html")]
pub struct CasePage {
    pub base: Base,
    pub number: String,
    pub name: String,
    pub received: String,
    pub members: Vec<MemberCase>,
    pub decided: usize,
    pub total: usize,
    pub percent: usize,
    pub label: String,
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    ok: Option<String>,
}

/// `GET /bundle-cases/{number}`: one progress bar and a link to each member case.
pub async fn case(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(f): PageQuery<Flash>,
) -> PageResult<Response> {
    let v = state.app.bundle_case_view(&who.actor, &number).await?;
    let page = CasePage {
        base: Base::new(&v.row.bundle_name, Some(&who), large),
        number: v.row.number.clone(),
        name: v.row.bundle_name.clone(),
        received: chrono::DateTime::from_timestamp_millis(v.row.received_at)
            .map(format_local)
            .unwrap_or_default(),
        decided: v.progress.decided,
        total: v.progress.total,
        percent: v.progress.percent(),
        label: v.progress.label(),
        members: v
            .members
            .into_iter()
            .map(|m| MemberCase {
                number: m.case_number,
                item_name: m.item_name,
                status: m.status_label,
                status_key: m.status.as_str(),
                decided: m.decided,
                visible: m.visible,
            })
            .collect(),
        notice: f
            .ok
            .filter(|o| o == "submitted")
            .map(|_| "申请已提交：各事项已同时生成办件，分别由各部门办理、分别计时。".into()),
    };
    Ok(views::render(&page))
}

// ---- The catalog side: drafting and the three reviews. ----

#[derive(askama::Template)]
#[template(path = "catalog_bundles.html")]
pub struct StaffList {
    pub base: Base,
    /// (id, code, name, status)
    pub bundles: Vec<(i64, String, String, &'static str)>,
    /// (id, version, code, name, status): versions waiting for the reader's review.
    pub queue: Vec<(i64, i64, String, String, &'static str)>,
    pub can_draft: bool,
    pub region: String,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ErrorQuery {
    #[serde(default)]
    error: String,
    #[serde(default)]
    ok: String,
}

fn error_of(q: &ErrorQuery) -> Option<(String, String)> {
    tongban_domain::ErrorCode::parse(&q.error).map(|c| (c.as_str().into(), c.message().into()))
}

/// `GET /catalog/bundles`: the bundles of the reader's region, the review queue, and (for an
/// administrator) the form for a new one.
pub async fn staff_list(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<ErrorQuery>,
) -> PageResult<Response> {
    let bundles = state
        .app
        .staff_bundles(&who.actor)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code, b.name, b.status.label()))
        .collect();
    let queue = state
        .app
        .bundle_review_queue(&who.actor)
        .await?
        .into_iter()
        .map(|v| {
            (
                v.bundle_id,
                v.version,
                v.bundle.code,
                v.bundle.name,
                v.status.label(),
            )
        })
        .collect();
    Ok(views::render(&StaffList {
        base: Base::new("一件事管理", Some(&who), large),
        bundles,
        queue,
        can_draft: who.actor.role == Role::Admin,
        region: who
            .actor
            .region
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default(),
        error: error_of(&q),
    }))
}

/// The form of a bundle draft.
#[derive(Deserialize, Default)]
pub struct BundleForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    service_object: String,
    #[serde(default)]
    themes: String,
    /// One implementation or basic code a line.
    #[serde(default)]
    members: String,
    /// The draft version saved (the save form only).
    #[serde(default)]
    version: String,
}

impl From<BundleForm> for crate::api::BundleBody {
    fn from(f: BundleForm) -> Self {
        crate::api::BundleBody {
            code: f.code,
            name: f.name,
            summary: f.summary,
            region: f.region,
            service_object: if f.service_object.is_empty() {
                "both".into()
            } else {
                f.service_object
            },
            themes: f
                .themes
                .split(['、', ',', '，', ' '])
                .map(str::to_string)
                .collect(),
            members: f.members.lines().map(str::to_string).collect(),
        }
    }
}

/// `POST /catalog/bundles`: drafts a new bundle.
pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageForm(f): PageForm<BundleForm>,
) -> PageResult<Response> {
    if !catalog::sees_drafts(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let made = match crate::api::bundle_of(&state, f.into()).await {
        Ok(b) => state.app.create_bundle(&who.actor, &b).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(id) => Ok(see_other(format!("/catalog/bundles/{id}"))),
        Err(e) if e.kind == Kind::Forbidden => Err(PageError(e)),
        Err(e) => Ok(see_other(format!("/catalog/bundles?error={}", e.code))),
    }
}

#[derive(askama::Template)]
#[template(path = "catalog_bundle.html")]
pub struct StaffBundle {
    pub base: Base,
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub published: Option<i64>,
    /// The open version: (version, status label, editable by the reader).
    pub open: Option<(i64, &'static str, bool)>,
    /// The open version's content as the edit form shows it.
    pub form_name: String,
    pub form_summary: String,
    pub form_region: String,
    pub form_service: String,
    pub form_themes: String,
    pub form_members: String,
    /// The members of the version shown: (code, name in force or why not).
    pub members: Vec<(String, String)>,
    /// (action, label, needs a reason)
    pub actions: Vec<(&'static str, &'static str, bool)>,
    pub can_new_version: bool,
    /// (time, version, action, change, who, comment)
    pub history: Vec<(String, i64, String, String, String, String)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
}

/// `GET /catalog/bundles/{id}`: a bundle's open version, the actions the reader may take,
/// its members and its history.
pub async fn staff_bundle(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageQuery(q): PageQuery<ErrorQuery>,
) -> PageResult<Response> {
    let d = state.app.bundle_detail(&who.actor, id).await?;
    let shown = d
        .open()
        .or_else(|| d.versions.first())
        .cloned()
        .ok_or_else(|| PageError(AppError::not_found("一件事版本")))?;
    let role = who.actor.role;
    let admin = role == Role::Admin;
    let open = d
        .open()
        .map(|v| (v.version, v.status.label(), admin && v.status.editable()));
    let mut actions = Vec::new();
    if let Some(v) = d.open() {
        match v.status {
            ItemStatus::Draft if admin => actions.push(("submit", "提交审核", false)),
            s if s.stage().is_some_and(|st| st.reviewer() == role) => {
                actions.push(("approve", "审核通过", false));
                actions.push(("return", "退回修改", true));
            }
            _ => {}
        }
    }
    let mut members = Vec::new();
    for code in &shown.bundle.members {
        let name = match state.app.public_item(code).await {
            Ok((_, v)) => v.item.name,
            Err(_) => "（未发布或已取消）".into(),
        };
        members.push((code.clone(), name));
    }
    let b = &shown.bundle;
    let page = StaffBundle {
        base: Base::new(&d.summary.name, Some(&who), large),
        id,
        code: d.summary.code.clone(),
        name: d.summary.name.clone(),
        status: d.summary.status.label(),
        published: d.summary.published_version,
        open,
        form_name: b.name.clone(),
        form_summary: b.summary.clone(),
        form_region: b.region.to_string(),
        form_service: b.service_object.as_str().into(),
        form_themes: b.themes.join("、"),
        form_members: b.members.join("\n"),
        members,
        actions,
        can_new_version: admin && d.open().is_none() && d.summary.published_version.is_some(),
        history: d
            .events
            .iter()
            .rev()
            .map(|e| {
                (
                    chrono::DateTime::from_timestamp_millis(e.at)
                        .map(format_local)
                        .unwrap_or_default(),
                    e.version,
                    ItemAction::parse(&e.action)
                        .map(|a| a.label().to_string())
                        .unwrap_or_else(|| match e.action.as_str() {
                            "create" => "新建".into(),
                            "new_version" => "新建修订版本".into(),
                            other => other.into(),
                        }),
                    format!(
                        "{}{}",
                        e.from_status
                            .as_deref()
                            .and_then(ItemStatus::parse)
                            .map(|s| format!("{} → ", s.label()))
                            .unwrap_or_default(),
                        ItemStatus::parse(&e.to_status).map_or("", |s| s.label())
                    ),
                    e.actor.clone(),
                    e.comment.clone(),
                )
            })
            .collect(),
        notice: (!q.ok.is_empty()).then(|| "已办理".to_string()),
        error: error_of(&q),
    };
    Ok(views::render(&page))
}

/// `POST /catalog/bundles/{id}/save`: saves the open draft.
pub async fn save(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    PageForm(mut form): PageForm<BundleForm>,
) -> PageResult<Response> {
    let current = state.app.bundle_detail(&who.actor, id).await?;
    form.code = current.summary.code.clone();
    let version: i64 = form.version.trim().parse().unwrap_or_default();
    let saved = match crate::api::bundle_of(&state, form.into()).await {
        Ok(b) => state.app.save_bundle(&who.actor, id, version, &b).await,
        Err(e) => Err(e),
    };
    Ok(match saved {
        Ok(()) => see_other(format!("/catalog/bundles/{id}?ok=saved")),
        Err(e) if e.kind == Kind::Forbidden => return Err(PageError(e)),
        Err(e) => see_other(format!("/catalog/bundles/{id}?error={}", e.code)),
    })
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /catalog/bundles/{id}/act`: submit, approve, return, or open a new version.
pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ActForm>,
) -> PageResult<Response> {
    let done = if f.action == "new_version" {
        state
            .app
            .new_bundle_version(&who.actor, id)
            .await
            .map(|_| ())
    } else {
        match ItemAction::parse(&f.action) {
            Some(a) => state
                .app
                .bundle_action(&who.actor, id, f.version, a, &f.comment)
                .await
                .map(|_| ()),
            None => Err(AppError::of(codes::Catalog::Action)),
        }
    };
    Ok(match done {
        Ok(()) => see_other(format!("/catalog/bundles/{id}?ok=done")),
        Err(e) if e.kind == Kind::Forbidden && e.code == codes::Auth::Forbidden => {
            return Err(PageError(e))
        }
        Err(e) => see_other(format!("/catalog/bundles/{id}?error={}", e.code)),
    })
}
