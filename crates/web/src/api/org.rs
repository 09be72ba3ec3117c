//! The organisation, the audit log and the simulated clock over JSON.

use crate::json::{ApiJson, ApiPath, ApiQuery};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::accounts::NewStaff;
use tongban_app::org::{NewHallForm, NewRegionForm};
use tongban_app::AppError;
use tongban_domain::codes;
use tongban_domain::org::{HallKind, Role};
use utoipa::{IntoParams, ToSchema};

use super::accounts::{Created, UserView};
use crate::error::{ApiResult, ErrorBody};
use crate::session::{ApiAuth, Viewer};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    /// `city`, `county`, `township` or `village`.
    pub level: String,
    pub parent_code: Option<String>,
}

/// Regions in the caller's subtree.
#[utoipa::path(get, path = "/api/v1/regions", tag = "organisation", responses((status = 200, body = [RegionView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn regions(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<RegionView>>> {
    let list = s.app.regions(&who.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RegionView {
                code: r.code.to_string(),
                name: r.name,
                level: r.level.as_str().into(),
                parent_code: r.parent_code,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RegionBody {
    pub code: String,
    pub name: String,
}

/// Add a region below an existing one (administrators).
#[utoipa::path(post, path = "/api/v1/regions", tag = "organisation", request_body = RegionBody, responses((status = 201), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_region(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<RegionBody>,
) -> ApiResult<StatusCode> {
    s.app
        .create_region(
            &who.actor,
            &NewRegionForm {
                code: b.code,
                name: b.name,
            },
        )
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub region_code: String,
}

/// Departments the caller may see (departmental staff: their own).
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", responses((status = 200, body = [DepartmentView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn departments(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<DepartmentView>>> {
    let list = s.app.departments(&who.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DepartmentView {
                id: d.id,
                name: d.name,
                region_code: d.region_code.to_string(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DepartmentBody {
    pub name: String,
    pub region_code: String,
}

/// Create a department (administrators).
#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_department(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<DepartmentBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_department(&who.actor, &b.name, &b.region_code)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct HallView {
    pub id: i64,
    pub name: String,
    /// `centre`, `sub_hall`, `township` or `village`.
    pub kind: String,
    pub region_code: String,
    pub parent_hall_id: Option<i64>,
    pub address: String,
    pub hours: String,
}

/// Halls in the caller's subtree.
#[utoipa::path(get, path = "/api/v1/halls", tag = "organisation", responses((status = 200, body = [HallView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn halls(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<HallView>>> {
    let list = s.app.halls(&who.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|h| HallView {
                id: h.id,
                name: h.name,
                kind: h.kind.as_str().into(),
                region_code: h.region_code.to_string(),
                parent_hall_id: h.parent_hall_id,
                address: h.address,
                hours: h.hours,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct HallBody {
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub parent_hall_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hours: String,
}

/// Create a hall whose kind fits its region's level (administrators).
#[utoipa::path(post, path = "/api/v1/halls", tag = "organisation", request_body = HallBody, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_hall(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<HallBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let kind = HallKind::parse(&b.kind).ok_or_else(|| {
        AppError::new(
            codes::Hall::Kind,
            "大厅类型应为 centre、sub_hall、township 或 village",
        )
    })?;
    let form = NewHallForm {
        name: b.name,
        kind,
        region_code: b.region_code,
        parent_hall_id: b.parent_hall_id,
        address: b.address,
        hours: b.hours,
    };
    let id = s.app.create_hall(&who.actor, &form).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct WindowView {
    pub id: i64,
    pub hall_id: i64,
    pub hall_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub number: String,
    pub name: String,
}

/// Windows the caller may see (departmental staff: their department's).
#[utoipa::path(get, path = "/api/v1/windows", tag = "organisation", responses((status = 200, body = [WindowView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn windows(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<WindowView>>> {
    let list = s.app.windows(&who.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|w| WindowView {
                id: w.id,
                hall_id: w.hall_id,
                hall_name: w.hall_name,
                department_id: w.department_id,
                department_name: w.department_name,
                number: w.number,
                name: w.name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct WindowBody {
    pub hall_id: i64,
    pub department_id: i64,
    pub number: String,
    pub name: String,
}

/// Station a department's window in a hall (administrators).
#[utoipa::path(post, path = "/api/v1/windows", tag = "organisation", request_body = WindowBody, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_window(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<WindowBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_window(&who.actor, b.hall_id, b.department_id, &b.number, &b.name)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct PostView {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_away: bool,
    pub substitute_id: Option<i64>,
    pub substitute_name: Option<String>,
    /// Who may act on the post now (同岗替代).
    pub acting_id: Option<i64>,
}

/// Posts the caller may see, with who acts on each now.
#[utoipa::path(get, path = "/api/v1/posts", tag = "organisation", responses((status = 200, body = [PostView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn posts(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<PostView>>> {
    let list = s.app.posts(&who.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|p| {
                let holders = tongban_domain::org::PostHolders {
                    holder_id: p.holder_id,
                    substitute_id: p.substitute_id,
                    holder_away: p.holder_away,
                };
                PostView {
                    acting_id: holders.acting(),
                    id: p.id,
                    department_id: p.department_id,
                    name: p.name,
                    holder_id: p.holder_id,
                    holder_name: p.holder_name,
                    holder_away: p.holder_away,
                    substitute_id: p.substitute_id,
                    substitute_name: p.substitute_name,
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PostBody {
    pub department_id: i64,
    pub name: String,
    pub holder_id: i64,
    pub substitute_id: Option<i64>,
}

/// Create a post with its holder and substitute (administrators).
#[utoipa::path(post, path = "/api/v1/posts", tag = "organisation", request_body = PostBody, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_post(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<PostBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_post(
            &who.actor,
            b.department_id,
            &b.name,
            b.holder_id,
            b.substitute_id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Staff the caller may see.
#[utoipa::path(get, path = "/api/v1/staff", tag = "organisation", responses((status = 200, body = [UserView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn staff(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(
        s.app
            .staff(&who.actor)
            .await?
            .iter()
            .map(UserView::of)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StaffBody {
    pub login: String,
    pub name: String,
    /// One of `agent`, `clerk`, `approver`, `dept_head`, `supervisor`, `admin`.
    pub role: String,
    pub region_code: String,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub password: String,
}

/// Create a staff account (administrators).
#[utoipa::path(post, path = "/api/v1/staff", tag = "organisation", request_body = StaffBody, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_staff(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<StaffBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let role = Role::parse(&b.role).ok_or_else(|| AppError::of(codes::Staff::Role))?;
    let new = NewStaff {
        login: b.login,
        name: b.name,
        role,
        region_code: b.region_code,
        department_id: b.department_id,
        hall_id: b.hall_id,
        password: b.password,
    };
    let id = s.app.create_staff(&who.actor, &new).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Lift a sign-in lock (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "organisation", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlock(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    s.app.unlock(&who.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AwayBody {
    pub away: bool,
}

/// Mark a staff member away (their posts pass to substitutes) or back.
#[utoipa::path(put, path = "/api/v1/users/{id}/away", tag = "organisation", params(("id" = i64, Path)), request_body = AwayBody, responses((status = 204), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_away(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AwayBody>,
) -> ApiResult<StatusCode> {
    s.app.set_away(&who.actor, id, b.away).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    /// The action's key, as the chain holds it.
    pub action: String,
    /// The action in words (其他操作 for a key older than the list of actions).
    pub action_label: String,
    /// The object's key, as the chain holds it (`case:…`, `user:42`).
    pub target: String,
    /// The object named, with the page that shows it; absent when the record is about none.
    pub object: Option<AuditObjectView>,
    /// Who acted, by name, and the role in words.
    pub actor_name: String,
    pub role_label: String,
    pub summary: String,
    /// The region of the object acted on; absent for a deployment-level record.
    pub region: Option<String>,
    /// The region's name (全市 for a deployment-level record).
    pub region_name: String,
    pub algo: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditObjectView {
    pub kind: tongban_domain::audit::AuditObjectKind,
    /// The object in words: 办件 2026… · 个体工商户设立登记, 账号 张三（窗口人员）.
    pub name: String,
    /// The page that shows it, when there is one.
    pub href: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only records with a smaller sequence number (paging backwards).
    pub before: Option<i64>,
}

/// The audit chain, newest first, 50 at a time: the whole deployment for administrators; for a
/// supervisor, the records of his region's subtree (and the deployment-level ones when his
/// region is the whole city).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = [AuditView]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn audit(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditView>>> {
    let page = s.app.audit_lines(&who.actor, q.before).await?;
    Ok(Json(
        page.into_iter()
            .map(|l| {
                let r = l.record;
                AuditView {
                    seq: r.seq,
                    at: r.entry.at.to_rfc3339(),
                    actor: r.entry.actor,
                    role: r.entry.role,
                    action: r.entry.action,
                    action_label: l.action_label.to_string(),
                    target: r.entry.target,
                    object: l.object.map(|o| AuditObjectView {
                        kind: o.kind,
                        name: o.name,
                        href: o.href,
                    }),
                    actor_name: l.actor_name,
                    role_label: l.role_label,
                    summary: r.entry.summary,
                    region: r.entry.region.map(String::from),
                    region_name: l.region_name,
                    algo: r.algo.as_str().into(),
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AdvanceBody {
    #[serde(default)]
    pub days: i64,
    #[serde(default)]
    pub hours: i64,
    #[serde(default)]
    pub minutes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SimulatedClockView {
    /// The simulated now, RFC 3339.
    pub now: String,
}

/// Move the simulated clock forward (administrators; only under `serve --simulated-clock`).
#[utoipa::path(post, path = "/api/v1/admin/clock/advance", tag = "audit", request_body = AdvanceBody, responses((status = 200, body = SimulatedClockView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn advance_clock(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    viewer: Viewer,
    ApiJson(b): ApiJson<AdvanceBody>,
) -> ApiResult<Json<SimulatedClockView>> {
    if !(0..=3650).contains(&b.days)
        || !(0..=100_000).contains(&b.hours)
        || !(0..=1_000_000).contains(&b.minutes)
    {
        return Err(AppError::of(codes::Clock::Amount).into());
    }
    let by = chrono::Duration::days(b.days)
        + chrono::Duration::hours(b.hours)
        + chrono::Duration::minutes(b.minutes);
    let token = viewer.0.as_ref().map(|(_, t)| t.as_str());
    let now = s.app.advance_clock_keeping(&who.actor, by, token).await?;
    Ok(Json(SimulatedClockView {
        now: now.to_rfc3339(),
    }))
}
