//! The supervision board over JSON: the figures, the drill-down and the warnings feed, with
//! the same filters and checks as the 监察中心 page.

use axum::extract::{RawQuery, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::board::{Board, Figures, Line, RegionNode};
use tongban_app::AppError;
use tongban_domain::codes;
use tongban_domain::supervision::{Light, SubjectKind};
use tongban_store::watch::{LitClock, WarningRow};
use utoipa::{IntoParams, ToSchema};

use super::supervision::FindingJson;
use crate::board_query::BoardQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::session::ApiAuth;
use crate::AppState;

/// A case's number, where the subject is a case.
pub(crate) fn case_number(kind: SubjectKind, number: &str) -> Option<String> {
    (kind == SubjectKind::Case).then(|| number.to_string())
}

fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

/// A set of figures: gauges now (open, yellow, red) and tallies of the day.
#[derive(Serialize, ToSchema)]
pub struct FiguresJson {
    /// 在办
    pub open: i64,
    /// Deadlines yellow now (黄灯预警).
    pub yellow: i64,
    /// Deadlines red now (红灯超期).
    pub red: i64,
    /// 收件 that day.
    pub received: i64,
    /// 受理 that day.
    pub accepted: i64,
    /// 办结 that day.
    pub decided: i64,
    /// Decided that day, of cases filed at a hall.
    pub decided_at_hall: i64,
    /// Of those, decided the day they were filed (现场办结).
    pub on_the_spot: i64,
    /// 现场办结率 in percent; absent when nothing filed at a hall was decided that day.
    pub on_the_spot_rate: Option<f64>,
    /// green, yellow or red: red when any deadline is red, yellow when any is yellow.
    pub light: String,
}

impl From<&Figures> for FiguresJson {
    fn from(f: &Figures) -> Self {
        FiguresJson {
            open: f.open,
            yellow: f.yellow,
            red: f.red,
            received: f.received,
            accepted: f.accepted,
            decided: f.decided,
            decided_at_hall: f.decided_at_hall,
            on_the_spot: f.on_the_spot,
            on_the_spot_rate: f.on_the_spot_rate().map(|r| (r * 10.0).round() / 10.0),
            light: f.light().as_str().into(),
        }
    }
}

/// A department or hall line (hall 0 is 网上申请).
#[derive(Serialize, ToSchema)]
pub struct LineJson {
    pub id: i64,
    pub name: String,
    pub figures: FiguresJson,
}

impl From<&Line> for LineJson {
    fn from(l: &Line) -> Self {
        LineJson {
            id: l.id,
            name: l.name.clone(),
            figures: (&l.figures).into(),
        }
    }
}

/// A region of the tree, summing its subtree.
#[derive(Serialize, ToSchema)]
pub struct RegionJson {
    pub code: String,
    pub name: String,
    /// Levels below the board's region.
    pub depth: usize,
    pub light: String,
    pub figures: FiguresJson,
}

impl From<&RegionNode> for RegionJson {
    fn from(r: &RegionNode) -> Self {
        RegionJson {
            code: r.code.clone(),
            name: r.name.clone(),
            depth: r.depth,
            light: r.light.as_str().into(),
            figures: (&r.figures).into(),
        }
    }
}

/// A warning fired when a deadline turned yellow or red.
#[derive(Serialize, ToSchema)]
pub struct WarningJson {
    pub id: i64,
    /// What is warned of: a case, a 12345 ticket, a disclosure request, a rectification.
    pub subject_kind: SubjectKind,
    /// Its public number.
    pub subject_number: String,
    /// The case's number; null for the other kinds.
    pub case_number: Option<String>,
    /// The subject's page.
    pub href: String,
    /// The clock's stable name, e.g. `committed`.
    pub clock: String,
    /// The deadline, e.g. 承诺办结期限.
    pub label: String,
    /// yellow or red
    pub light: String,
    /// When the deadline turned this colour.
    pub crossing_at: Option<String>,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    pub fired_at: Option<String>,
}

impl From<&WarningRow> for WarningJson {
    fn from(w: &WarningRow) -> Self {
        WarningJson {
            id: w.id,
            subject_kind: w.subject_kind,
            subject_number: w.subject_number.clone(),
            case_number: case_number(w.subject_kind, &w.subject_number),
            href: w.subject().path(),
            clock: w.clock.clone(),
            label: w.label.clone(),
            light: Light::from_rank(w.light).as_str().into(),
            crossing_at: rfc3339(w.crossing_at),
            department_id: w.department_id,
            hall_id: w.hall_id,
            region: w.region.clone(),
            fired_at: rfc3339(w.fired_at),
        }
    }
}

/// The board of the caller's region.
#[derive(Serialize, ToSchema)]
pub struct BoardJson {
    /// The region shown (the caller's, or the one filtered to inside it).
    pub region: String,
    /// The day of the tallies.
    pub day: String,
    pub at: String,
    /// 现场办结率 target in percent.
    pub on_the_spot_target: u32,
    pub totals: FiguresJson,
    pub departments: Vec<LineJson>,
    pub halls: Vec<LineJson>,
    pub regions: Vec<RegionJson>,
    /// The newest open findings.
    pub findings: Vec<FindingJson>,
    /// The newest warnings.
    pub warnings: Vec<WarningJson>,
}

/// A board's figures without its lists: what the live stream sends after news, so an open
/// board is brought up to date without a request of its own.
#[derive(Serialize)]
pub(crate) struct BoardFigures {
    pub day: String,
    pub at: String,
    pub on_the_spot_target: u32,
    pub totals: FiguresJson,
    pub departments: Vec<LineJson>,
    pub halls: Vec<LineJson>,
    pub regions: Vec<RegionJson>,
}

impl From<&Board> for BoardFigures {
    fn from(b: &Board) -> Self {
        BoardFigures {
            day: b.day.format("%Y-%m-%d").to_string(),
            at: b.at.to_rfc3339(),
            on_the_spot_target: b.on_the_spot_target,
            totals: (&b.totals).into(),
            departments: b.departments.iter().map(LineJson::from).collect(),
            halls: b.halls.iter().map(LineJson::from).collect(),
            regions: b.regions.iter().map(RegionJson::from).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query; it is read by `BoardQuery`.
pub struct BoardParams {
    /// A region code inside the caller's own, e.g. `361202`.
    region: Option<String>,
    /// A department id.
    department: Option<i64>,
    /// A hall id (0: online applications).
    hall: Option<i64>,
    /// The day of the tallies, `YYYY-MM-DD` (Asia/Shanghai); today when absent.
    day: Option<String>,
}

fn query(raw: Option<String>) -> Result<BoardQuery, ApiError> {
    Ok(BoardQuery::parse(raw.as_deref())?)
}

/// A filter that cannot be read, or the caller's lack of access when there is one: access is
/// answered first.
async fn bad_filter(s: &AppState, who: &tongban_app::accounts::SignedIn, e: AppError) -> ApiError {
    match s.app.board_cursor(&who.actor).await {
        Ok(_) => ApiError(e),
        Err(denied) => ApiError(denied),
    }
}

/// The supervision board (监察中心): figures in total, per department, per hall and per region,
/// with the newest findings and warnings. Supervisors, leaders and administrators only.
#[utoipa::path(get, path = "/api/v1/supervision/board", tag = "supervision", params(BoardParams),
    responses((status = 200, body = BoardJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn board(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<BoardJson>> {
    let filter = match query(raw).and_then(|q| Ok(q.board_filter()?)) {
        Ok(f) => f,
        Err(ApiError(e)) => return Err(bad_filter(&s, &who, e).await),
    };
    let b = s.app.board(&who.actor, &filter).await?;
    Ok(Json(BoardJson {
        region: b.region.clone(),
        day: b.day.format("%Y-%m-%d").to_string(),
        at: b.at.to_rfc3339(),
        on_the_spot_target: b.on_the_spot_target,
        totals: (&b.totals).into(),
        departments: b.departments.iter().map(LineJson::from).collect(),
        halls: b.halls.iter().map(LineJson::from).collect(),
        regions: b.regions.iter().map(RegionJson::from).collect(),
        findings: b.findings.into_iter().map(FindingJson::from).collect(),
        warnings: b.warnings.iter().map(WarningJson::from).collect(),
    }))
}

/// A yellow or red deadline with its subject (a case, a 12345 ticket, …): the drill-down behind
/// a number on the board.
#[derive(Serialize, ToSchema)]
pub struct LitCaseJson {
    pub subject_kind: SubjectKind,
    pub subject_number: String,
    /// The case's number; null for the other kinds.
    pub case_number: Option<String>,
    /// The subject's page.
    pub href: String,
    /// The catalog item (cases only).
    pub item_id: Option<i64>,
    /// The item's name (cases only).
    pub item_name: Option<String>,
    /// What it is about: the item's name, the ticket's subject line.
    pub title: String,
    /// The applicant or caller, masked: the family name only.
    pub applicant: String,
    pub clock: String,
    pub label: String,
    /// yellow or red
    pub light: String,
    /// The deadline (the last instant before it is red).
    pub due_at: Option<String>,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    /// When the subject was received or filed.
    pub received_at: Option<String>,
    /// Who answers for the deadline: its assignee, or the department's heads.
    pub responsible: String,
    /// Working days fully past the deadline on the calendar of the subject's region (0 when
    /// not yet due or due today).
    pub overdue_working_days: u32,
    /// Time left or past in words: 剩余 2 个工作日, 已超时 3 个工作日又 2 小时.
    pub time_left: String,
}

impl LitCaseJson {
    fn new(c: &LitClock, mark: &tongban_app::board::LitMark) -> Self {
        let is_case = c.subject_kind == SubjectKind::Case;
        LitCaseJson {
            subject_kind: c.subject_kind,
            subject_number: c.subject_number.clone(),
            case_number: case_number(c.subject_kind, &c.subject_number),
            href: c.subject_kind.path(&c.subject_number),
            item_id: c.item_id,
            item_name: is_case.then(|| c.title.clone()),
            title: c.title.clone(),
            applicant: tongban_domain::mask::name(&c.party),
            clock: c.clock.clone(),
            label: c.label.clone(),
            light: Light::from_rank(c.light).as_str().into(),
            due_at: rfc3339(c.red_at - 1),
            department_id: c.department_id,
            hall_id: c.hall_id,
            region: c.region.clone(),
            received_at: rfc3339(c.opened_at),
            responsible: mark.responsible.clone(),
            overdue_working_days: mark
                .left
                .filter(|l| l.overdue)
                .map_or(0, |l| l.working_days),
            time_left: mark.left.map(|l| l.text()).unwrap_or_default(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query; it is read by `BoardQuery`.
pub struct CasesParams {
    /// A region code inside the caller's own.
    region: Option<String>,
    department: Option<i64>,
    /// A hall id (0: online applications).
    hall: Option<i64>,
    item: Option<i64>,
    /// One kind of subject: `case`, `ticket`, `disclosure` or `rating`; all when absent.
    kind: Option<String>,
    /// `yellow` or `red`; both when absent.
    light: Option<String>,
    /// Received on or after this day, `YYYY-MM-DD` (Asia/Shanghai).
    from: Option<String>,
    /// Received on or before this day, `YYYY-MM-DD` (Asia/Shanghai).
    to: Option<String>,
}

/// The yellow and red deadlines behind the board's numbers, reddest and most overdue first
/// (at most 1000).
#[utoipa::path(get, path = "/api/v1/supervision/board/cases", tag = "supervision", params(CasesParams),
    responses((status = 200, body = [LitCaseJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cases(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<LitCaseJson>>> {
    let (region, filter, light) = match query(raw).and_then(|q| Ok(q.lit_filter()?)) {
        Ok(v) => v,
        Err(ApiError(e)) => return Err(bad_filter(&s, &who, e).await),
    };
    let rows: Vec<LitClock> = s
        .app
        .board_cases(&who.actor, region.as_ref(), filter)
        .await?
        .into_iter()
        .filter(|c| light.keeps(Light::from_rank(c.light)))
        .collect();
    let marks = s.app.lit_marks(&rows).await?;
    Ok(Json(
        rows.iter()
            .zip(&marks)
            .map(|(c, m)| LitCaseJson::new(c, m))
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query; it is read by `BoardQuery`.
pub struct WarningParams {
    /// Only warnings with a larger id, oldest first; the newest first when absent.
    after: Option<i64>,
    /// 1–500, default 50.
    limit: Option<i64>,
}

/// Warnings in the caller's region: after an id (a feed to follow), or the newest.
#[utoipa::path(get, path = "/api/v1/supervision/warnings", tag = "supervision", params(WarningParams),
    responses((status = 200, body = [WarningJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn warnings(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<WarningJson>>> {
    let read = |q: &BoardQuery| -> Result<(Option<i64>, i64), AppError> {
        let after = q
            .get("after")
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| AppError::of(codes::Board::After))
            })
            .transpose()?;
        let limit = match q.get("limit") {
            None => 50,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| AppError::of(codes::Board::Limit))?,
        };
        Ok((after, limit))
    };
    let (after, limit) = match query(raw).and_then(|q| Ok(read(&q)?)) {
        Ok(v) => v,
        Err(ApiError(e)) => return Err(bad_filter(&s, &who, e).await),
    };
    let rows = s.app.warnings_feed(&who.actor, after, limit).await?;
    Ok(Json(rows.iter().map(WarningJson::from).collect()))
}
