//! 绩效考评 over the API: the same use cases as the pages. Staff of the centre draft, review and
//! publish the indicator scheme, publish and correct a period's scores, drill into a value and
//! record what was done about a consequence flag; anyone reads published scores and formulas.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::performance::{Adjustment, PeriodView, SchemeView};
use tongban_domain::performance::{
    Consequence, Indicator, IndicatorSpec, Scheme, SchemeStatus, UnitKind, UnitScore,
};
use tongban_domain::region::Level;
use tongban_store::performance::{DrillRow, FlagRow, PeriodRow};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::session::ApiAuth;
use crate::AppState;

fn ms(t: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(t).map(|t| t.to_rfc3339())
}

/// A scheme version and its indicators, each with its published definition.
#[derive(Serialize, ToSchema)]
pub struct SchemeJson {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub status: SchemeStatus,
    pub region: String,
    pub indicators: Vec<IndicatorJson>,
    pub published_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorJson {
    pub indicator: Indicator,
    pub label: String,
    /// The formula as published: `按时办结率 = 按时办结件数 ÷ 办结件数`.
    pub definition: String,
    /// Rates: per mille. Counts: the number tolerated.
    pub target: i64,
    pub weight: i64,
    /// Counts: hundredths of a point per case above the target.
    pub deduct: i64,
}

impl From<SchemeView> for SchemeJson {
    fn from(s: SchemeView) -> Self {
        SchemeJson {
            id: s.row.id,
            name: s.row.name,
            version: s.row.version,
            status: s.row.status,
            region: s.row.region,
            published_at: s.row.published_at.and_then(ms),
            indicators: s
                .indicators
                .into_iter()
                .map(|i| IndicatorJson {
                    indicator: i.indicator,
                    label: i.indicator.label().into(),
                    definition: i.indicator.definition(),
                    target: i.target,
                    weight: i.weight,
                    deduct: i.deduct,
                })
                .collect(),
        }
    }
}

/// A published period, in short.
#[derive(Serialize, ToSchema)]
pub struct PeriodSummaryJson {
    pub id: i64,
    /// `2026-07`, `2026-Q3`, `2026-H2` or `2026`.
    pub period: String,
    pub region: String,
    pub version: i64,
    pub published_at: Option<String>,
}

impl From<PeriodRow> for PeriodSummaryJson {
    fn from(p: PeriodRow) -> Self {
        PeriodSummaryJson {
            id: p.id,
            period: p.period,
            region: p.region,
            version: p.version,
            published_at: ms(p.published_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    pub version: i64,
    /// 首次发布, or the correction's reason.
    pub reason: String,
    pub actor: String,
    pub at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FlagJson {
    pub id: i64,
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub unit_name: String,
    pub level: Level,
    pub consequence: Consequence,
    pub raised_at: Option<String>,
    /// Who recorded the action, and what was done; empty until someone acts.
    pub actor: Option<String>,
    pub acted_at: Option<String>,
    pub note: Option<String>,
}

impl From<FlagRow> for FlagJson {
    fn from(f: FlagRow) -> Self {
        FlagJson {
            id: f.id,
            unit_kind: f.unit_kind,
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            level: f.level,
            consequence: f.consequence,
            raised_at: ms(f.raised_at),
            actor: f.actor,
            acted_at: f.acted_at.and_then(ms),
            note: f.note,
        }
    }
}

/// A period's scores at a version: every unit ranked within its level, each with its lines
/// (fact, value, formula with the numbers put in, points in hundredths).
#[derive(Serialize, ToSchema)]
pub struct PeriodJson {
    /// Absent for a preview not yet published.
    pub id: Option<i64>,
    pub period: String,
    pub label: String,
    pub region: String,
    pub version: i64,
    pub scheme: SchemeJson,
    pub versions: Vec<VersionJson>,
    pub scores: Vec<UnitScore>,
    pub flags: Vec<FlagJson>,
}

impl From<PeriodView> for PeriodJson {
    fn from(v: PeriodView) -> Self {
        PeriodJson {
            id: v.row.as_ref().map(|r| r.id),
            period: v.period.to_string(),
            label: v.period.label(),
            region: v.region,
            version: v.version,
            scheme: v.scheme.into(),
            versions: v
                .versions
                .into_iter()
                .map(|x| VersionJson {
                    version: x.version,
                    reason: x.reason,
                    actor: x.actor,
                    at: ms(x.at),
                })
                .collect(),
            scores: v.scores,
            flags: v.flags.into_iter().map(FlagJson::from).collect(),
        }
    }
}

/// Lists the scheme versions of the caller's region.
#[utoipa::path(get, path = "/api/v1/performance/schemes", tag = "performance",
    responses((status = 200, body = [SchemeJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn schemes(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<SchemeJson>>> {
    let rows = s.app.schemes(&who.actor).await?;
    Ok(Json(rows.into_iter().map(SchemeJson::from).collect()))
}

/// A scheme to draft: its name and indicators. The weights must sum to 100
/// (`performance.weights`).
#[derive(Deserialize, ToSchema)]
pub struct SchemeBody {
    pub name: String,
    pub indicators: Vec<IndicatorSpec>,
}

/// Drafts a new scheme version (监察人员, administrators). Nothing is written when a rule is
/// broken.
#[utoipa::path(post, path = "/api/v1/performance/schemes", tag = "performance",
    request_body = SchemeBody,
    responses((status = 201, body = SchemeJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft_scheme(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<SchemeBody>,
) -> ApiResult<(StatusCode, Json<SchemeJson>)> {
    let scheme = Scheme {
        name: b.name,
        indicators: b.indicators,
    };
    let v = s.app.draft_scheme(&who.actor, &scheme).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct SchemeActionBody {
    /// `review` (someone other than the drafter) or `publish` (中心领导, administrators).
    pub action: String,
}

/// Reviews or publishes a scheme version.
#[utoipa::path(post, path = "/api/v1/performance/schemes/{id}/actions", tag = "performance",
    params(("id" = i64, Path, description = "指标体系版本 id")), request_body = SchemeActionBody,
    responses((status = 200, body = SchemeJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn scheme_action(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SchemeActionBody>,
) -> ApiResult<Json<SchemeJson>> {
    let v = match b.action.as_str() {
        "review" => s.app.review_scheme(&who.actor, id).await?,
        "publish" => s.app.publish_scheme(&who.actor, id).await?,
        _ => {
            return Err(tongban_app::AppError::new(
                tongban_domain::codes::Request::JsonData,
                "action 应为 review 或 publish",
            )
            .into())
        }
    };
    Ok(Json(v.into()))
}

#[derive(Deserialize, IntoParams, ToSchema)]
pub struct PeriodQuery {
    /// `2026-07`, `2026-Q3`, `2026-H2` or `2026`.
    pub period: String,
}

/// A period's scores as they would be published now (not stored).
#[utoipa::path(get, path = "/api/v1/performance/preview", tag = "performance", params(PeriodQuery),
    responses((status = 200, body = PeriodJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<PeriodJson>> {
    Ok(Json(
        s.app.preview_period(&who.actor, &q.period).await?.into(),
    ))
}

/// Publishes a finished period of the caller's region: its scores are frozen as version 1.
/// A period already published answers 409 `performance.published`.
#[utoipa::path(post, path = "/api/v1/performance/periods", tag = "performance",
    request_body = PeriodQuery,
    responses((status = 201, body = PeriodJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<PeriodQuery>,
) -> ApiResult<(StatusCode, Json<PeriodJson>)> {
    let v = s.app.publish_period(&who.actor, &b.period).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentBody {
    pub unit_kind: UnitKind,
    /// A department's id, or a township's 12-digit code.
    pub unit_id: String,
    pub indicator: Indicator,
    pub num: i64,
    pub den: i64,
}

/// A correction: the version it corrects, the reason (required: `performance.reason`), and at
/// most one fact replaced.
#[derive(Deserialize, ToSchema)]
pub struct CorrectionBody {
    pub expected_version: i64,
    #[serde(default)]
    pub reason: String,
    pub adjustment: Option<AdjustmentBody>,
}

/// Corrects a published period as its next version; the earlier versions stay.
#[utoipa::path(post, path = "/api/v1/performance/periods/{id}/corrections", tag = "performance",
    params(("id" = i64, Path, description = "考评期 id")), request_body = CorrectionBody,
    responses((status = 201, body = PeriodJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CorrectionBody>,
) -> ApiResult<(StatusCode, Json<PeriodJson>)> {
    let adjust = b.adjustment.map(|a| Adjustment {
        unit_kind: a.unit_kind,
        unit_id: a.unit_id,
        indicator: a.indicator,
        num: a.num,
        den: a.den,
    });
    let v = s
        .app
        .correct_period(
            &who.actor,
            id,
            b.expected_version,
            &b.reason,
            adjust.as_ref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Published periods (public), latest first.
#[utoipa::path(get, path = "/api/v1/public/performance/periods", tag = "performance",
    responses((status = 200, body = [PeriodSummaryJson])))]
pub async fn periods(State(s): State<AppState>) -> ApiResult<Json<Vec<PeriodSummaryJson>>> {
    let rows = s.app.published_periods("").await?;
    Ok(Json(
        rows.into_iter().map(PeriodSummaryJson::from).collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct VersionQuery {
    /// The version to show; the latest when absent.
    pub version: Option<i64>,
}

/// A published period's scores at a version, with formulas (public).
#[utoipa::path(get, path = "/api/v1/public/performance/periods/{id}", tag = "performance",
    params(("id" = i64, Path, description = "考评期 id"), VersionQuery),
    responses((status = 200, body = PeriodJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn period(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<PeriodJson>> {
    Ok(Json(s.app.period_view(id, q.version).await?.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct DrillQuery {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub indicator: Indicator,
}

/// One row behind a value.
#[derive(Serialize, ToSchema)]
pub struct DrillJson {
    /// `case`, `finding`, `order` or `rating`.
    pub kind: String,
    pub number: String,
    pub title: String,
    pub at: Option<String>,
    pub due_at: Option<String>,
    pub done_at: Option<String>,
    pub note: String,
    /// Counted in the numerator.
    pub counted: bool,
}

impl From<DrillRow> for DrillJson {
    fn from(r: DrillRow) -> Self {
        DrillJson {
            kind: r.kind,
            number: r.number,
            title: r.title,
            at: ms(r.at),
            due_at: r.due_at.and_then(ms),
            done_at: r.done_at.and_then(ms),
            note: r.note,
            counted: r.counted == 1,
        }
    }
}

/// The cases, findings, orders or ratings behind one value (staff of the region; a
/// department's own staff for their own department).
#[utoipa::path(get, path = "/api/v1/performance/periods/{id}/drill", tag = "performance",
    params(("id" = i64, Path, description = "考评期 id"), DrillQuery),
    responses((status = 200, body = [DrillJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn drill(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DrillQuery>,
) -> ApiResult<Json<Vec<DrillJson>>> {
    let rows = s
        .app
        .drill(&who.actor, id, q.unit_kind, &q.unit_id, q.indicator)
        .await?;
    Ok(Json(rows.into_iter().map(DrillJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct FlagActionBody {
    /// What was done (诫勉谈话 held, 组织措施 taken).
    pub note: String,
}

/// Records who acted on a consequence flag and what was done.
#[utoipa::path(post, path = "/api/v1/performance/flags/{id}/actions", tag = "performance",
    params(("id" = i64, Path, description = "处理提示 id")), request_body = FlagActionBody,
    responses((status = 200, body = FlagJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act_on_flag(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FlagActionBody>,
) -> ApiResult<Json<FlagJson>> {
    Ok(Json(
        s.app.act_on_flag(&who.actor, id, &b.note).await?.into(),
    ))
}
