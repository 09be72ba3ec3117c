//! The public deadline calculator and the administrators' calendar page.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use tongban_app::calendar::{kind_label, DeadlineAnswer};
use tongban_app::AppError;
use tongban_domain::calendar::DayKind;

use crate::error::{status, PageError, PageResult};
use crate::json::PageForm;
use crate::json::PageQuery;
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

#[derive(askama::Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub base: Base,
    pub start: String,
    pub days: String,
    pub include_start: bool,
    pub answer: Option<DeadlineAnswer>,
    pub due_weekday: &'static str,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct CalcQuery {
    #[serde(default)]
    start: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    include_start: Option<String>,
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

pub async fn calculator(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<CalcQuery>,
) -> Response {
    let include_start = q.include_start.is_some();
    let mut page = CalendarPage {
        base: Base::new("办理期限计算", viewer.signed_in(), large),
        start: q.start.clone(),
        days: q.days.clone(),
        include_start,
        answer: None,
        due_weekday: "",
        error: None,
    };
    let mut code = StatusCode::OK;
    if !q.start.is_empty() || !q.days.is_empty() {
        match state.app.deadline(&q.start, &q.days, include_start).await {
            Ok(a) => {
                page.due_weekday = WEEKDAYS[a.due.weekday().num_days_from_monday() as usize];
                page.answer = Some(a);
            }
            Err(e) => {
                code = status(e.kind);
                page.error = Some((e.code.to_string(), e.message));
            }
        }
    } else {
        page.start = tongban_domain::time::local_date(state.app.now())
            .format("%Y-%m-%d")
            .to_string();
        page.days = "20".into();
    }
    (code, views::render(&page)).into_response()
}

#[derive(askama::Template)]
#[template(path = "admin_calendar.html")]
pub struct AdminCalendar {
    pub base: Base,
    pub nav: Vec<(String, String)>,
    pub warning: Option<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// (year, notice, days off, make-up days, local closures, extra working days)
    pub years: Vec<(i32, String, usize, usize, usize, usize)>,
    pub selected: i32,
    pub rules: Vec<(String, &'static str, String)>,
    /// The selected year in the editable line format, to correct and save whole.
    pub selected_notice: String,
    pub selected_rules: String,
    pub can_edit: bool,
    /// Re-timing after calendar changes: (reason, progress, state), newest first.
    pub retime: Vec<(String, String, &'static str)>,
}

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    year: Option<i32>,
    ok: Option<String>,
}

async fn admin_page(
    state: &AppState,
    who: &tongban_app::accounts::SignedIn,
    large: bool,
    q: AdminQuery,
    error: Option<AppError>,
) -> PageResult<Response> {
    super::staff_only(who)?;
    let app = &state.app;
    let cal = app.calendar().await?;
    let count = |y: &tongban_domain::calendar::YearCalendar, k: DayKind| {
        y.days.iter().filter(|d| d.kind == k).count()
    };
    let years = cal
        .years()
        .iter()
        .map(|y| {
            (
                y.year,
                y.notice.clone(),
                count(y, DayKind::Holiday),
                count(y, DayKind::MakeupWorkday),
                count(y, DayKind::LocalClosure),
                count(y, DayKind::ExtraWorkday),
            )
        })
        .collect();
    let this_year = tongban_domain::time::local_date(app.now()).year();
    let selected = q.year.unwrap_or(this_year);
    let rules = cal
        .year(selected)
        .map(|y| {
            y.days
                .iter()
                .map(|d| {
                    (
                        d.date.format("%Y-%m-%d").to_string(),
                        kind_label(d.kind),
                        d.name.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // The editor starts from the announced year only: a provisional year is not data to save.
    let official = app.official_calendar().await?;
    let (selected_notice, selected_rules) = official
        .year(selected)
        .map(|y| {
            (
                y.notice.clone(),
                tongban_app::calendar::rules_text_with(y, DayKind::word),
            )
        })
        .unwrap_or_default();
    let code = error.as_ref().map_or(StatusCode::OK, |e| status(e.kind));
    let page = AdminCalendar {
        base: Base::new("工作日历", Some(who), large),
        nav: super::admin::nav(who, app.clock.is_simulated()),
        warning: app.calendar_next_year_warning().await?,
        notice: q.ok.map(|_| "已保存。".into()),
        error: error.map(|e| e.message),
        years,
        selected,
        rules,
        selected_notice,
        selected_rules,
        can_edit: who.actor.is_admin(),
        retime: app
            .retime_jobs()
            .await?
            .into_iter()
            .map(|j| {
                let progress = format!(
                    "已重新计算 {} / {} 件在办件，其中 {} 件期限变动",
                    j.done, j.total, j.moved
                );
                let state = if j.finished_at.is_some() {
                    "已完成"
                } else {
                    "进行中"
                };
                (j.reason, progress, state)
            })
            .collect(),
    };
    Ok((code, views::render(&page)).into_response())
}

pub async fn admin(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<AdminQuery>,
) -> PageResult<Response> {
    admin_page(&state, &who, large, q, None).await
}

fn saved(year: Option<i32>) -> Response {
    let to = match year {
        Some(y) => format!("/admin/calendar?year={y}&ok=1"),
        None => "/admin/calendar?ok=1".into(),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

async fn outcome(
    state: &AppState,
    who: &tongban_app::accounts::SignedIn,
    large: bool,
    year: Option<i32>,
    result: Result<(), AppError>,
) -> PageResult<Response> {
    match result {
        Ok(()) => Ok(saved(year)),
        Err(e) if e.kind == tongban_app::Kind::Forbidden => Err(PageError(e)),
        Err(e) => admin_page(state, who, large, AdminQuery { year, ok: None }, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct DayForm {
    date: String,
    kind: String,
    name: String,
}

fn year_of(date: &str) -> Option<i32> {
    date.get(..4).and_then(|y| y.parse().ok())
}

pub async fn set_day(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<DayForm>,
) -> PageResult<Response> {
    let result = state
        .app
        .calendar_set_day(&who.actor, &f.date, &f.kind, &f.name)
        .await;
    outcome(&state, &who, large, year_of(&f.date), result).await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    date: String,
}

pub async fn remove_day(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<RemoveForm>,
) -> PageResult<Response> {
    let result = state.app.calendar_remove_day(&who.actor, &f.date).await;
    outcome(&state, &who, large, year_of(&f.date), result).await
}

#[derive(Deserialize)]
pub struct IcsForm {
    year: i32,
    notice: String,
    ics: String,
}

pub async fn import_ics(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<IcsForm>,
) -> PageResult<Response> {
    let result = state
        .app
        .calendar_import_ics(&who.actor, f.year, &f.notice, &f.ics)
        .await
        .map(drop);
    outcome(&state, &who, large, Some(f.year), result).await
}

#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
    notice: String,
    rules: String,
}

pub async fn put_year(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<YearForm>,
) -> PageResult<Response> {
    let result = state
        .app
        .calendar_put_year(&who.actor, f.year, &f.notice, &f.rules)
        .await
        .map(drop);
    outcome(&state, &who, large, Some(f.year), result).await
}
