//! 好差评 over the API: the same use cases as the pages. The applicant rates a decided case;
//! the hall device rates a window visit; the centre and the rated department work a 差评's
//! rectification; anyone reads the month's published figures. The rater is never in any body
//! except the audited `rater` read for the centre's call-back.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::ratings::{DeviceView, RatingView, RectAction};
use tongban_domain::rating::{Channel, Level, RatingInput, RectStage, ServiceKind};
use tongban_store::ratings::{MonthFigures, RatingRow};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::session::{ApiAuth, Viewer};
use crate::AppState;

fn ms(t: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(t).map(|t| t.to_rfc3339())
}

/// A rating as the rater gives it.
#[derive(Deserialize, ToSchema)]
pub struct RatingBody {
    /// 整体满意度: very_satisfied, satisfied, basic, unsatisfied or very_unsatisfied.
    pub level: String,
    /// Other dimensions of the channel by wire name (online: efficiency, guide_accuracy,
    /// convenience, usability; hall: service_efficiency, service_level, service_attitude).
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// Tags by wire name (one_visit, fast, warm, clear_guide, long_wait, many_visits, …).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

impl From<RatingBody> for RatingInput {
    fn from(b: RatingBody) -> Self {
        RatingInput {
            level: b.level,
            dimensions: b.dimensions,
            tags: b.tags,
            comment: b.comment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DimensionJson {
    pub dimension: String,
    pub label: String,
    pub level: Level,
}

#[derive(Serialize, ToSchema)]
pub struct RectLineJson {
    pub at: String,
    pub summary: String,
}

/// A 差评's rectification.
#[derive(Serialize, ToSchema)]
pub struct RectJson {
    pub stage: RectStage,
    pub stage_label: String,
    pub callback_days: u32,
    pub rectify_days: u32,
    pub verdict: Option<String>,
    pub verification: Option<String>,
    pub measures: Option<String>,
    pub feedback: Option<String>,
    /// pending, upheld or rejected.
    pub appeal: Option<String>,
    pub rerated: Option<Level>,
    pub log: Vec<RectLineJson>,
}

/// A rating. Who gave it is never here.
#[derive(Serialize, ToSchema)]
pub struct RatingJson {
    pub number: String,
    pub service_kind: ServiceKind,
    pub service_number: String,
    pub channel: Channel,
    pub level: Level,
    pub level_label: String,
    pub bad: bool,
    pub dimensions: Vec<DimensionJson>,
    pub tags: Vec<String>,
    pub comment: Option<String>,
    /// Counted as 基本满意 because nobody rated in time.
    pub is_default: bool,
    pub department_id: i64,
    pub window_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub rated_at: Option<String>,
    /// Removed on appeal: kept, marked, left out of the figures.
    pub removed: bool,
    pub rect: Option<RectJson>,
}

impl From<RatingView> for RatingJson {
    fn from(v: RatingView) -> Self {
        let r = &v.row;
        RatingJson {
            number: v.number.clone(),
            service_kind: r.service_kind,
            service_number: r.service_number.clone(),
            channel: r.channel,
            level: r.level,
            level_label: r.level.label().into(),
            bad: r.bad == 1,
            dimensions: v
                .rating
                .by_dimension()
                .into_iter()
                .map(|(d, l)| DimensionJson {
                    dimension: d.as_str().into(),
                    label: d.label().into(),
                    level: l,
                })
                .collect(),
            tags: v
                .rating
                .tags
                .iter()
                .map(|t| t.label().to_string())
                .collect(),
            comment: v.rating.comment.as_ref().map(|c| c.as_str().to_string()),
            is_default: r.is_default == 1,
            department_id: r.department_id,
            window_id: r.window_id,
            staff_id: r.staff_id,
            rated_at: ms(r.rated_at),
            removed: r.removed == 1,
            rect: v.rect.map(|x| RectJson {
                stage: x.stage,
                stage_label: x.stage.label().into(),
                callback_days: x.callback_days,
                rectify_days: x.rectify_days,
                verdict: x.verdict.map(|v| v.label().to_string()),
                verification: x.verification.map(|n| n.as_str().to_string()),
                measures: x.measures.map(|n| n.as_str().to_string()),
                feedback: x.feedback.map(|n| n.as_str().to_string()),
                appeal: x.appeal.map(|a| {
                    match a.upheld {
                        None => "pending",
                        Some(true) => "upheld",
                        Some(false) => "rejected",
                    }
                    .to_string()
                }),
                rerated: x.rerated,
                log: v
                    .log
                    .iter()
                    .map(|l| RectLineJson {
                        at: l.at.to_rfc3339(),
                        summary: l.summary.clone(),
                    })
                    .collect(),
            }),
        }
    }
}

/// A line of the 差评 list.
#[derive(Serialize, ToSchema)]
pub struct BadRatingLine {
    pub number: String,
    pub service_kind: ServiceKind,
    pub service_number: String,
    pub level: Level,
    pub department_id: i64,
    pub stage: Option<RectStage>,
    pub removed: bool,
    pub rated_at: Option<String>,
}

impl From<RatingRow> for BadRatingLine {
    fn from(r: RatingRow) -> Self {
        BadRatingLine {
            number: r.number(),
            service_kind: r.service_kind,
            service_number: r.service_number.clone(),
            level: r.level,
            department_id: r.department_id,
            stage: r.stage(),
            removed: r.removed == 1,
            rated_at: ms(r.rated_at),
        }
    }
}

/// Rates a decided case (一事一评): the applicant's own account, once. A 差评 opens its
/// rectification. Refused `rating.not_rater`, `rating.own_work`, `rating.not_decided`,
/// `rating.once`.
#[utoipa::path(post, path = "/api/v1/cases/{number}/rating", tag = "ratings",
    params(("number" = String, Path, description = "办件编号")), request_body = RatingBody,
    responses((status = 201, body = RatingJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate_case(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<(StatusCode, Json<RatingJson>)> {
    let v = s.app.rate_case(&who.actor, &number, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// 差评 and their rectifications: the centre's region, or the actor's department.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings",
    responses((status = 200, body = [BadRatingLine]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<BadRatingLine>>> {
    let rows = s.app.bad_ratings(&who.actor).await?;
    Ok(Json(rows.into_iter().map(BadRatingLine::from).collect()))
}

/// One rating with its rectification.
#[utoipa::path(get, path = "/api/v1/ratings/{number}", tag = "ratings",
    params(("number" = String, Path, description = "评价编号（PJ…）")),
    responses((status = 200, body = RatingJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<RatingJson>> {
    Ok(Json(s.app.rating_view(&who.actor, &number).await?.into()))
}

/// One step of a rectification.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RectActionBody {
    /// 回访 (centre).
    CallBack { note: String },
    /// 核实 (rated department): founded, partly or unfounded.
    Verify { verdict: String, note: String },
    /// 整改 and feedback to the rater (rated department); feedback required.
    Close { measures: String, feedback: String },
    /// 申诉 (rated department).
    Appeal { reason: String },
    /// 复核 (a supervisor outside the appealing department).
    DecideAppeal { uphold: bool, reason: String },
    /// The rater's second rating after the feedback.
    Rerate { level: String },
}

impl From<RectActionBody> for RectAction {
    fn from(b: RectActionBody) -> Self {
        match b {
            RectActionBody::CallBack { note } => RectAction::CallBack { note },
            RectActionBody::Verify { verdict, note } => RectAction::Verify { verdict, note },
            RectActionBody::Close { measures, feedback } => {
                RectAction::Close { measures, feedback }
            }
            RectActionBody::Appeal { reason } => RectAction::Appeal { reason },
            RectActionBody::DecideAppeal { uphold, reason } => {
                RectAction::DecideAppeal { uphold, reason }
            }
            RectActionBody::Rerate { level } => RectAction::Rerate { level },
        }
    }
}

/// Acts on a 差评's rectification. Refused `rating.stage`, `rating.unit`, `rating.feedback`,
/// `rating.appeal_own`, `rating.rerated`, `rating.stale`.
#[utoipa::path(post, path = "/api/v1/ratings/{number}/actions", tag = "ratings",
    params(("number" = String, Path, description = "评价编号（PJ…）")), request_body = RectActionBody,
    responses((status = 200, body = RatingJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<RectActionBody>,
) -> ApiResult<Json<RatingJson>> {
    Ok(Json(
        s.app.rect_act(&who.actor, &number, b.into()).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RaterJson {
    pub name: String,
    pub phone: Option<String>,
}

/// The rater's name and phone for the call-back: the centre only; every read is audited
/// (`rating.rater_read`).
#[utoipa::path(get, path = "/api/v1/ratings/{number}/rater", tag = "ratings",
    params(("number" = String, Path, description = "评价编号（PJ…）")),
    responses((status = 200, body = RaterJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rater(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<RaterJson>> {
    let r = s.app.rater_identity(&who.actor, &number).await?;
    Ok(Json(RaterJson {
        name: r.name,
        phone: r.phone,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    pub month: String,
}

/// A department's figures for a month.
#[derive(Serialize, ToSchema)]
pub struct MonthJson {
    pub department_id: i64,
    pub department_name: String,
    pub ratings: i64,
    pub good: i64,
    pub bad: i64,
    pub rectified: i64,
    pub removed: i64,
    /// 好评率 in per mille.
    pub good_permille: i64,
    /// 整改率 in per mille.
    pub rectified_permille: i64,
}

impl From<MonthFigures> for MonthJson {
    fn from(m: MonthFigures) -> Self {
        MonthJson {
            good_permille: m.good_permille(),
            rectified_permille: m.rectified_permille(),
            department_id: m.department_id,
            department_name: m.department_name,
            ratings: m.ratings,
            good: m.good,
            bad: m.bad,
            rectified: m.rectified,
            removed: m.removed,
        }
    }
}

/// The month's published figures per department (public).
#[utoipa::path(get, path = "/api/v1/public/ratings", tag = "ratings", params(MonthQuery),
    responses((status = 200, body = [MonthJson]), (status = 422, body = ErrorBody)))]
pub async fn month(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Vec<MonthJson>>> {
    let rows = s.app.rating_month(&q.month).await?;
    Ok(Json(rows.into_iter().map(MonthJson::from).collect()))
}

/// What a window's device shows.
#[derive(Serialize, ToSchema)]
pub struct DeviceJson {
    pub window_id: i64,
    pub window_number: String,
    pub window_name: String,
    pub hall_name: String,
    pub department_name: String,
    /// The staff on duty (name shown on the device).
    pub on_duty: Option<String>,
    /// The visit waiting for a rating.
    pub visit_id: Option<i64>,
}

impl From<DeviceView> for DeviceJson {
    fn from(d: DeviceView) -> Self {
        DeviceJson {
            window_id: d.window_id,
            window_number: d.window_number,
            window_name: d.window_name,
            hall_name: d.hall_name,
            department_name: d.department_name,
            on_duty: d.duty.map(|x| x.name),
            visit_id: d.visit_id,
        }
    }
}

/// The hall device's view of a window (public: the device is not signed in).
#[utoipa::path(get, path = "/api/v1/public/windows/{id}/device", tag = "ratings",
    params(("id" = i64, Path, description = "窗口 id")),
    responses((status = 200, body = DeviceJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn device(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<DeviceJson>> {
    Ok(Json(s.app.window_device(id).await?.into()))
}

/// Rates the visit waiting at a window (现场服务, 一次一评). Refused `rating.no_visit` when no
/// visit waits, `rating.own_work` for the staff who served it.
#[utoipa::path(post, path = "/api/v1/public/windows/{id}/rating", tag = "ratings",
    params(("id" = i64, Path, description = "窗口 id")), request_body = RatingBody,
    responses((status = 201, body = RatingJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate_window(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<(StatusCode, Json<RatingJson>)> {
    let actor = viewer.signed_in().map(|w| w.actor.clone());
    let v = s.app.rate_window(actor.as_ref(), id, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// The clerk takes duty at a window (its device then shows them).
#[utoipa::path(post, path = "/api/v1/windows/{id}/duty", tag = "ratings",
    params(("id" = i64, Path, description = "窗口 id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn duty(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    s.app.take_window_duty(&who.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct VisitJson {
    pub visit_id: i64,
}

/// The clerk on duty ends a visit; the device offers it for rating.
#[utoipa::path(post, path = "/api/v1/windows/{id}/visits", tag = "ratings",
    params(("id" = i64, Path, description = "窗口 id")),
    responses((status = 201, body = VisitJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end_visit(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<VisitJson>)> {
    let visit_id = s.app.end_window_visit(&who.actor, id).await?;
    Ok((StatusCode::CREATED, Json(VisitJson { visit_id })))
}
