//! Working-day arithmetic over JSON: the same clock every deadline uses.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
pub struct DueQuery {
    /// Start date, `YYYY-MM-DD` (e.g. the day of acceptance).
    pub start: String,
    /// Working days, 1–3650.
    pub days: String,
    /// Count the start day when it is a working day (default: counting begins the next working day).
    #[serde(default)]
    pub include_start: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DueView {
    pub start: String,
    pub days: u32,
    /// The last day of the time limit, `YYYY-MM-DD`.
    pub due: String,
    /// Every day counted or skipped and why, one line each.
    pub explanation: Vec<String>,
    pub calendar_version: String,
    /// Present when the due date lies in a year whose State Council notice is not loaded yet:
    /// "按法定节假日推算，待国务院公布调休安排后更新".
    pub provisional: Option<String>,
}

/// The due date N working days after a start date, with its explanation.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery), responses((status = 200, body = DueView), (status = 422, body = ErrorBody)))]
pub async fn due(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<DueView>> {
    let a = s.app.deadline(&q.start, &q.days, q.include_start).await?;
    Ok(Json(DueView {
        start: a.start.to_string(),
        days: a.days,
        due: a.due.to_string(),
        explanation: a.explanation.lines.iter().map(|l| l.text.clone()).collect(),
        calendar_version: a.calendar_version,
        provisional: a.provisional,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct WorkdaysQuery {
    pub from: String,
    pub to: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkdaysView {
    /// Working days after `from` up to and including `to`.
    pub workdays: u32,
}

/// The number of working days after one date up to and including another.
#[utoipa::path(get, path = "/api/v1/calendar/workdays", tag = "calendar", params(WorkdaysQuery), responses((status = 200, body = WorkdaysView), (status = 422, body = ErrorBody)))]
pub async fn workdays(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<WorkdaysQuery>,
) -> ApiResult<Json<WorkdaysView>> {
    Ok(Json(WorkdaysView {
        workdays: s.app.workdays_between(&q.from, &q.to).await?,
    }))
}
