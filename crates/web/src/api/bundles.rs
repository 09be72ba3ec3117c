//! 一件事一次办 over JSON: the published bundles and their one guide for everyone, filing a
//! bundle (one case per member, at once) and following it, and the catalog side for staff
//! (drafting, the three reviews). Each route calls the same use case as the pages.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::bundles::{BundleCaseView, NewBundleCase, PublicBundle};
use tongban_app::cases::ApplicantInput;
use tongban_app::AppError;
use tongban_domain::bundle::Bundle;
use tongban_domain::case::{FileRef, PartyKind};
use tongban_domain::catalog::{self, ItemAction, ServiceObject};
use tongban_domain::codes;
use tongban_domain::region::RegionCode;
use tongban_store::bundles::BundleSummary;
use utoipa::ToSchema;

use super::cases::ApplicantBody;
use crate::case_input::{parse_delivery, FileRefBody};
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::session::ApiAuth;
use crate::AppState;

/// A bundle in a list.
#[derive(Serialize, ToSchema)]
pub struct BundleListing {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region_code: String,
    /// `draft`, `first_review`, …, `published`.
    pub status: String,
    pub status_label: String,
    pub published_version: Option<i64>,
    pub latest_version: i64,
}

impl From<BundleSummary> for BundleListing {
    fn from(s: BundleSummary) -> Self {
        BundleListing {
            id: s.id,
            code: s.code,
            name: s.name,
            region_code: s.region_code,
            status: s.status.as_str().into(),
            status_label: s.status.label().into(),
            published_version: s.published_version,
            latest_version: s.latest_version,
        }
    }
}

/// One member item of a bundle, in force.
#[derive(Serialize, ToSchema)]
pub struct BundleMemberJson {
    pub implementation_code: String,
    pub name: String,
    pub department: String,
    pub version: i64,
    pub statutory_limit_days: u32,
    pub committed_limit_days: u32,
    pub online_depth: u8,
}

/// A material of the bundle's one list: a shared one (`shared`) is asked once.
#[derive(Serialize, ToSchema)]
pub struct BundleMaterialJson {
    /// `b1`, `b2`, …: the key to give files under when filing.
    pub key: String,
    pub name: String,
    pub form: String,
    pub copies: u8,
    pub required: bool,
    pub deferrable: bool,
    pub shared: bool,
    /// The members (by implementation code) that ask for it.
    pub members: Vec<String>,
}

/// A condition of the guide, with the members that set it.
#[derive(Serialize, ToSchema)]
pub struct BundleConditionJson {
    pub text: String,
    pub members: Vec<String>,
}

/// A published bundle with its one guide.
#[derive(Serialize, ToSchema)]
pub struct BundleGuideJson {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub version: i64,
    pub members: Vec<BundleMemberJson>,
    pub conditions: Vec<BundleConditionJson>,
    pub materials: Vec<BundleMaterialJson>,
    /// Each member runs on its own clock; the last result is due within this many working days.
    pub longest_committed_days: u32,
    pub total_fee_fen: u64,
    /// Every member may be filed online (网办深度 ≥ 3).
    pub online: bool,
}

fn guide_json(pb: PublicBundle) -> BundleGuideJson {
    let code_of = |i: usize| {
        pb.members
            .get(i)
            .map(|m| m.summary.implementation_code.clone())
            .unwrap_or_default()
    };
    BundleGuideJson {
        code: pb.summary.code.clone(),
        name: pb.summary.name.clone(),
        summary: pb.version.bundle.summary.clone(),
        version: pb.version.version,
        conditions: pb
            .guide
            .conditions
            .iter()
            .map(|(t, who)| BundleConditionJson {
                text: t.clone(),
                members: who.iter().map(|i| code_of(*i)).collect(),
            })
            .collect(),
        materials: pb
            .guide
            .materials
            .iter()
            .map(|m| BundleMaterialJson {
                key: m.key.clone(),
                name: m.name.clone(),
                form: m.form.label().into(),
                copies: m.copies,
                required: m.required,
                deferrable: m.deferrable,
                shared: m.shared(),
                members: m.covers.iter().map(|(i, _)| code_of(*i)).collect(),
            })
            .collect(),
        longest_committed_days: pb.guide.longest_committed_days,
        total_fee_fen: pb.guide.total_fee_fen,
        online: pb.guide.online,
        members: pb
            .members
            .iter()
            .map(|m| BundleMemberJson {
                implementation_code: m.summary.implementation_code.clone(),
                name: m.item.name.clone(),
                department: m.department.clone(),
                version: m.version,
                statutory_limit_days: m.item.statutory_limit_days,
                committed_limit_days: m.item.committed_limit_days,
                online_depth: m.item.online_depth,
            })
            .collect(),
    }
}

/// The published 一件事 bundles.
#[utoipa::path(get, path = "/api/v1/bundles", tag = "catalog",
    responses((status = 200, body = [BundleListing])))]
pub async fn list(State(s): State<AppState>) -> ApiResult<Json<Vec<BundleListing>>> {
    Ok(Json(
        s.app
            .public_bundles()
            .await?
            .into_iter()
            .map(BundleListing::from)
            .collect(),
    ))
}

/// One published bundle with its one guide: members, merged conditions and materials.
#[utoipa::path(get, path = "/api/v1/bundles/{code}", tag = "catalog",
    params(("code" = String, Path, description = "一件事编码，如 YJS0001")),
    responses((status = 200, body = BundleGuideJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<BundleGuideJson>> {
    Ok(Json(guide_json(s.app.public_bundle(&code).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBundleCaseBody {
    /// A published bundle's code.
    pub bundle_code: String,
    /// Required when staff or an agent files; an applicant files for themself.
    pub applicant: Option<ApplicantBody>,
    #[serde(default)]
    pub village: bool,
    pub pickup_hall_id: Option<i64>,
    /// `window`, `post` or `online`; a member that does not offer it uses its first.
    pub delivery: String,
    /// Uploaded files by the bundle's material key (`b1`, …): a shared material once.
    #[serde(default)]
    pub materials: BTreeMap<String, Vec<FileRefBody>>,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Repeats with the same key return the first filing; the `Idempotency-Key` header wins.
    pub idempotency_key: Option<String>,
}

/// A member case of a filed bundle.
#[derive(Serialize, ToSchema)]
pub struct BundleMemberCaseJson {
    pub case_number: String,
    pub item_name: String,
    pub status: String,
    pub status_label: String,
    pub decided: bool,
    /// The reader may open the case (`/api/v1/cases/{number}`).
    pub visible: bool,
}

/// A filed bundle: its member cases and the one progress bar.
#[derive(Serialize, ToSchema)]
pub struct BundleCaseJson {
    pub number: String,
    pub bundle_name: String,
    pub received_at: Option<String>,
    pub decided: usize,
    pub total: usize,
    pub percent: usize,
    pub members: Vec<BundleMemberCaseJson>,
}

fn case_json(v: BundleCaseView) -> BundleCaseJson {
    BundleCaseJson {
        number: v.row.number,
        bundle_name: v.row.bundle_name,
        received_at: chrono::DateTime::from_timestamp_millis(v.row.received_at)
            .map(|t| t.to_rfc3339()),
        decided: v.progress.decided,
        total: v.progress.total,
        percent: v.progress.percent(),
        members: v
            .members
            .into_iter()
            .map(|m| BundleMemberCaseJson {
                case_number: m.case_number,
                item_name: m.item_name,
                status: m.status.as_str().into(),
                status_label: m.status_label,
                decided: m.decided,
                visible: m.visible,
            })
            .collect(),
    }
}

pub(crate) fn applicant_input(
    a: Option<ApplicantBody>,
) -> Result<Option<ApplicantInput>, AppError> {
    a.map(|a| {
        Ok(ApplicantInput {
            kind: match a.kind.as_str() {
                "person" => PartyKind::Person,
                "company" => PartyKind::Company,
                _ => {
                    return Err(AppError::new(
                        codes::Case::ApplicantKind,
                        "申请人类型应为 person 或 company",
                    ))
                }
            },
            name: a.name,
            id_code: a.id_code,
            phone: a.phone,
            email: a.email,
        })
    })
    .transpose()
}

/// File a bundle: one case per member at once, each under its own item, workflow and clock,
/// linked by the filing's number; all or nothing.
#[utoipa::path(post, path = "/api/v1/bundle-cases", tag = "cases", request_body = NewBundleCaseBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "同一键重复提交只建一次")),
    responses((status = 201, body = BundleCaseJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_case(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    headers: HeaderMap,
    ApiJson(b): ApiJson<NewBundleCaseBody>,
) -> ApiResult<(StatusCode, Json<BundleCaseJson>)> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(b.idempotency_key);
    let new = NewBundleCase {
        bundle_code: b.bundle_code,
        applicant: applicant_input(b.applicant)?,
        village: b.village,
        pickup_hall_id: b.pickup_hall_id,
        delivery: parse_delivery(&b.delivery)?,
        materials: b
            .materials
            .into_iter()
            .map(|(k, files)| (k, files.into_iter().map(FileRef::from).collect()))
            .collect(),
        form: b.form,
        idempotency_key: key,
    };
    let number = s.app.submit_bundle(&who.actor, new).await?;
    let view = s.app.bundle_case_view(&who.actor, &number).await?;
    Ok((StatusCode::CREATED, Json(case_json(view))))
}

/// A filed bundle, for its applicant, its agent and the staff who see one of its cases.
#[utoipa::path(get, path = "/api/v1/bundle-cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "一件事办件编号，如 YJ-361200-20260302-000001")),
    responses((status = 200, body = BundleCaseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<BundleCaseJson>> {
    Ok(Json(case_json(
        s.app.bundle_case_view(&who.actor, &number).await?,
    )))
}

/// A bundle as drafted: the members by implementation or basic code.
#[derive(Deserialize, ToSchema)]
pub struct BundleBody {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub summary: String,
    pub region: String,
    /// `person`, `company` or `both`.
    pub service_object: String,
    #[serde(default)]
    pub themes: Vec<String>,
    pub members: Vec<String>,
}

/// Resolves a posted bundle: the region parsed, members given by basic code turned into the
/// implementation code of the item in force.
pub(crate) async fn bundle_of(s: &AppState, b: BundleBody) -> Result<Bundle, AppError> {
    let region = RegionCode::parse(&b.region).map_err(tongban_app::error::invalid)?;
    let service_object = ServiceObject::parse(b.service_object.trim()).ok_or_else(|| {
        AppError::new(
            codes::Bundle::Invalid,
            "服务对象应为 person、company 或 both",
        )
    })?;
    let mut members = Vec::new();
    for code in b.members {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() {
            continue;
        }
        // A basic code names the item of that code in force; anything else is kept as typed
        // and checked when the bundle is submitted.
        let resolved = match s.app.public_item(&code).await {
            Ok((summary, _)) => summary.implementation_code,
            Err(_) => code,
        };
        members.push(resolved);
    }
    Ok(Bundle {
        code: b.code.trim().to_ascii_uppercase(),
        name: b.name.trim().into(),
        summary: b.summary.trim().into(),
        region,
        service_object,
        themes: b
            .themes
            .into_iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        members,
    })
}

/// The bundles a member of the catalog's staff may see, in every state.
#[utoipa::path(get, path = "/api/v1/catalog/bundles", tag = "catalog",
    responses((status = 200, body = [BundleListing]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn staff_list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<BundleListing>>> {
    Ok(Json(
        s.app
            .staff_bundles(&who.actor)
            .await?
            .into_iter()
            .map(BundleListing::from)
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedBundle {
    pub id: i64,
    pub version: i64,
}

/// Draft a new bundle (administrators: a bundle spans departments).
#[utoipa::path(post, path = "/api/v1/catalog/bundles", tag = "catalog", request_body = BundleBody,
    responses((status = 201, body = CreatedBundle), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<BundleBody>,
) -> ApiResult<(StatusCode, Json<CreatedBundle>)> {
    if !catalog::sees_drafts(who.actor.role) {
        return Err(AppError::forbidden().into());
    }
    let bundle = bundle_of(&s, b).await?;
    let id = s.app.create_bundle(&who.actor, &bundle).await?;
    Ok((StatusCode::CREATED, Json(CreatedBundle { id, version: 1 })))
}

#[derive(Deserialize, ToSchema)]
pub struct BundleActionBody {
    pub version: i64,
    /// `submit`, `approve`, `return` (with a reason), or `new_version`.
    pub action: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct BundleActionResult {
    pub version: i64,
    pub status: String,
}

/// Submit, review or return a version, or open a new version of a published bundle.
#[utoipa::path(post, path = "/api/v1/catalog/bundles/{id}/actions", tag = "catalog", request_body = BundleActionBody,
    params(("id" = i64, Path, description = "一件事的编号（数据库）")),
    responses((status = 200, body = BundleActionResult), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<BundleActionBody>,
) -> ApiResult<Json<BundleActionResult>> {
    if b.action == "new_version" {
        let version = s.app.new_bundle_version(&who.actor, id).await?;
        return Ok(Json(BundleActionResult {
            version,
            status: "draft".into(),
        }));
    }
    let action =
        ItemAction::parse(b.action.trim()).ok_or_else(|| AppError::of(codes::Catalog::Action))?;
    let to = s
        .app
        .bundle_action(&who.actor, id, b.version, action, &b.comment)
        .await?;
    Ok(Json(BundleActionResult {
        version: b.version,
        status: to.as_str().into(),
    }))
}

/// Save a draft version's content.
#[utoipa::path(put, path = "/api/v1/catalog/bundles/{id}/versions/{version}", tag = "catalog", request_body = BundleBody,
    params(("id" = i64, Path, description = "一件事的编号（数据库）"), ("version" = i64, Path, description = "草稿版本号")),
    responses((status = 204, description = "已保存"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path((id, version)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<BundleBody>,
) -> ApiResult<StatusCode> {
    if !catalog::sees_drafts(who.actor.role) {
        return Err(AppError::forbidden().into());
    }
    let bundle = bundle_of(&s, b).await?;
    s.app.save_bundle(&who.actor, id, version, &bundle).await?;
    Ok(StatusCode::NO_CONTENT)
}
