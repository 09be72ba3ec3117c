//! 好差评's pages, over the same use cases as the API:
//! - `/rate/window/{id}`: the hall device at a window — the staff on duty and five large faces,
//!   for a 10-inch tablet (and a phone); not signed in;
//! - `POST /cases/{number}/rating`: the applicant's rating form on the case page;
//! - `/ratings`: 差评 and their rectifications (the centre's region, a department's own), with
//!   each one's deadline light; `/ratings/{number}`: one rating with the steps the viewer may
//!   take;
//! - `/ratings/month`: the month's published figures per department (public).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::ratings::RectAction;
use tongban_app::AppError;
use tongban_domain::org::Role;
use tongban_domain::rating::{Channel, Level, RatingInput, RectStage, Verdict};
use tongban_domain::supervision::Light;
use tongban_domain::time::format_local;

use crate::error::PageResult;
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

fn see_other(to: String) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to)],
    )
        .into_response()
}

fn at(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(format_local)
        .unwrap_or_default()
}

fn coded(code: &str) -> Option<(String, String)> {
    tongban_domain::ErrorCode::parse(code).map(|c| (c.as_str().to_string(), c.message().into()))
}

/// The five faces, best first: (wire, label, face).
fn faces() -> Vec<(String, String, String)> {
    Level::ALL
        .iter()
        .map(|l| (l.as_str().into(), l.label().into(), l.face().into()))
        .collect()
}

#[derive(askama::Template)]
#[template(path = "rating_device.html")]
pub struct DevicePage {
    pub large: bool,
    /// A signed-in browser's anti-forgery token (a device is not signed in: empty).
    pub csrf: String,
    pub window_id: i64,
    pub title: String,
    pub department: String,
    pub on_duty: Option<String>,
    pub waiting: bool,
    pub faces: Vec<(String, String, String)>,
    /// (wire, label) of the hall's dimensions other than 整体满意度.
    pub dimensions: Vec<(String, String)>,
    pub thanks: Option<String>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DeviceQuery {
    #[serde(default)]
    thanks: String,
    #[serde(default)]
    error: String,
}

/// `GET /rate/window/{id}`: the device page. It reloads itself every 10 seconds while no
/// visit waits, so it shows the next one without anyone touching it.
pub async fn device(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageQuery(q): PageQuery<DeviceQuery>,
) -> PageResult<Response> {
    let d = state.app.window_device(id).await?;
    let page = DevicePage {
        large,
        csrf: viewer
            .signed_in()
            .map(|w| w.csrf.clone())
            .unwrap_or_default(),
        window_id: id,
        title: format!(
            "{} {}号窗口 {}",
            d.hall_name, d.window_number, d.window_name
        ),
        department: d.department_name,
        on_duty: d.duty.map(|x| x.name),
        waiting: d.visit_id.is_some(),
        faces: faces(),
        dimensions: Channel::Hall
            .dimensions()
            .iter()
            .skip(1)
            .map(|x| (x.as_str().into(), x.label().into()))
            .collect(),
        thanks: Level::parse(&q.thanks).map(|l| l.label().to_string()),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}

/// A rating from a form: the level and any dimension fields `dim.{wire}`, tags, comment.
#[derive(Deserialize, Default)]
pub struct RatingForm {
    #[serde(default)]
    level: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    efficiency: String,
    #[serde(default)]
    guide_accuracy: String,
    #[serde(default)]
    convenience: String,
    #[serde(default)]
    usability: String,
    #[serde(default)]
    service_efficiency: String,
    #[serde(default)]
    service_level: String,
    #[serde(default)]
    service_attitude: String,
}

impl RatingForm {
    fn input(self) -> RatingInput {
        let mut dimensions = std::collections::BTreeMap::new();
        for (k, v) in [
            ("efficiency", self.efficiency),
            ("guide_accuracy", self.guide_accuracy),
            ("convenience", self.convenience),
            ("usability", self.usability),
            ("service_efficiency", self.service_efficiency),
            ("service_level", self.service_level),
            ("service_attitude", self.service_attitude),
        ] {
            if !v.trim().is_empty() {
                dimensions.insert(k.to_string(), v);
            }
        }
        RatingInput {
            level: self.level,
            dimensions,
            tags: Vec::new(),
            comment: self.comment,
        }
    }
}

/// `POST /rate/window/{id}`: the device's rating; back to the device with thanks or the
/// refusal's code.
pub async fn device_rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RatingForm>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|w| w.actor.clone());
    let input = f.input();
    match state.app.rate_window(actor.as_ref(), id, &input).await {
        Ok(v) => Ok(see_other(format!(
            "/rate/window/{id}?thanks={}",
            v.row.level.as_str()
        ))),
        Err(e) => Ok(see_other(format!(
            "/rate/window/{id}?error={}",
            e.code.as_str()
        ))),
    }
}

/// `POST /cases/{number}/rating`: the applicant's rating on the case page.
pub async fn rate_case(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(number): Path<String>,
    PageForm(f): PageForm<RatingForm>,
) -> PageResult<Response> {
    let case = tongban_domain::case::CaseNumber::parse(&number)?;
    let back = format!("/cases/{}", case.as_str());
    match state
        .app
        .rate_case(&who.actor, case.as_str(), &f.input())
        .await
    {
        Ok(_) => Ok(see_other(format!("{back}?rated=1#rating"))),
        Err(e) => Ok(see_other(format!(
            "{back}?rating_error={}#rating",
            e.code.as_str()
        ))),
    }
}

/// A line of the 差评 list.
pub struct BadLine {
    pub number: String,
    pub service: String,
    pub level: String,
    pub department: String,
    pub stage: String,
    pub light: &'static str,
    pub rated: String,
    pub removed: bool,
}

#[derive(askama::Template)]
#[template(path = "ratings.html")]
pub struct ListPage {
    pub base: Base,
    pub lines: Vec<BadLine>,
}

fn light_of(lights: &[(String, i64, i64)]) -> &'static str {
    match lights.iter().map(|l| l.1).max().unwrap_or(0) {
        0 => "green",
        1 => "yellow",
        _ => "red",
    }
}

async fn departments(state: &AppState) -> PageResult<std::collections::HashMap<i64, String>> {
    Ok(state
        .app
        .store
        .departments(None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// `GET /ratings`: 差评 and their rectifications, open ones first, each with its light.
pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    let rows = state.app.bad_ratings(&who.actor).await?;
    let depts = departments(&state).await?;
    let mut lines = Vec::new();
    for r in rows {
        let lights = state.app.store.subject_clocks(&r.subject()).await?;
        lines.push(BadLine {
            number: r.number(),
            service: format!("{} {}", r.service_kind.label(), r.service_number),
            level: r.level.label().into(),
            department: depts.get(&r.department_id).cloned().unwrap_or_default(),
            stage: r.stage().map_or("", RectStage::label).into(),
            light: light_of(&lights),
            rated: at(r.rated_at),
            removed: r.removed == 1,
        });
    }
    let page = ListPage {
        base: Base::new("差评整改", Some(&who), large),
        lines,
    };
    Ok(views::render(&page))
}

#[derive(askama::Template)]
#[template(path = "rating.html")]
pub struct RatingPage {
    pub base: Base,
    pub number: String,
    pub service: String,
    pub level: String,
    pub bad: bool,
    pub is_default: bool,
    pub removed: bool,
    pub dimensions: Vec<(String, String)>,
    pub comment: String,
    pub department: String,
    pub rated: String,
    pub stage: String,
    pub stage_key: String,
    pub light: &'static str,
    /// (label, due instant)
    pub clocks: Vec<(String, String)>,
    pub log: Vec<(String, String)>,
    pub verdict: String,
    pub measures: String,
    pub feedback: String,
    pub appeal: String,
    pub rerated: String,
    pub can_call_back: bool,
    pub can_verify: bool,
    pub can_close: bool,
    pub can_appeal: bool,
    pub can_decide: bool,
    pub can_rerate: bool,
    pub can_identify: bool,
    pub verdicts: Vec<(String, String)>,
    pub faces: Vec<(String, String, String)>,
    pub identity: Option<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    ok: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    identify: String,
}

/// `GET /ratings/{number}`: one rating, its rectification and the steps the viewer may take.
pub async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(q): PageQuery<ShowQuery>,
) -> PageResult<Response> {
    let app = &state.app;
    let actor = &who.actor;
    let v = app.rating_view(actor, &number).await?;
    let depts = departments(&state).await?;
    let r = &v.row;
    let lights = app.store.subject_clocks(&r.subject()).await?;
    let rect = v.rect.as_ref();
    let stage = rect.map(|x| x.stage);
    let open = stage.is_some_and(RectStage::is_open);
    let centre = matches!(actor.role, Role::Supervisor | Role::Leader);
    let dept = matches!(actor.role, Role::Clerk | Role::Approver | Role::DeptHead)
        && actor.department_id == Some(r.department_id);
    let appeal_pending = rect
        .and_then(|x| x.appeal.as_ref())
        .is_some_and(|a| a.upheld.is_none());
    let identity = if q.identify == "1" && centre {
        let i = app.rater_identity(actor, &number).await?;
        Some((i.name, i.phone.unwrap_or_else(|| "—".into())))
    } else {
        None
    };
    let labels: std::collections::HashMap<&str, &str> =
        [("callback", "回访期限"), ("rectify", "整改期限")].into();
    let page = RatingPage {
        base: Base::new(&format!("评价 {}", v.number), Some(&who), large),
        number: v.number.clone(),
        service: format!("{} {}", r.service_kind.label(), r.service_number),
        level: r.level.label().into(),
        bad: r.bad == 1,
        is_default: r.is_default == 1,
        removed: r.removed == 1,
        dimensions: v
            .rating
            .by_dimension()
            .into_iter()
            .map(|(d, l)| (d.label().to_string(), l.label().to_string()))
            .collect(),
        comment: v
            .rating
            .comment
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        department: depts.get(&r.department_id).cloned().unwrap_or_default(),
        rated: at(r.rated_at),
        stage: stage.map_or("", RectStage::label).into(),
        stage_key: stage.map_or("", RectStage::as_str).into(),
        light: light_of(&lights),
        clocks: lights
            .iter()
            .map(|(k, light, red)| {
                let label = labels.get(k.as_str()).copied().unwrap_or("期限");
                let mark = match Light::from_rank(*light) {
                    Light::Green => "",
                    Light::Yellow => "（临近）",
                    Light::Red => "（已超期）",
                };
                (format!("{label}{mark}"), at(*red - 1))
            })
            .collect(),
        log: v
            .log
            .iter()
            .map(|l| (format_local(l.at), l.summary.clone()))
            .collect(),
        verdict: rect
            .and_then(|x| x.verdict)
            .map(|v| v.label().to_string())
            .unwrap_or_default(),
        measures: rect
            .and_then(|x| x.measures.as_ref())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        feedback: rect
            .and_then(|x| x.feedback.as_ref())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        appeal: rect
            .and_then(|x| x.appeal.as_ref())
            .map(|a| match a.upheld {
                None => format!("申诉待复核：{}", a.reason.as_str()),
                Some(true) => format!("申诉成立：{}", a.reason.as_str()),
                Some(false) => format!("申诉不成立：{}", a.reason.as_str()),
            })
            .unwrap_or_default(),
        rerated: rect
            .and_then(|x| x.rerated)
            .map(|l| l.label().to_string())
            .unwrap_or_default(),
        can_call_back: centre && stage == Some(RectStage::Callback),
        can_verify: dept && stage == Some(RectStage::Verify),
        can_close: dept && stage == Some(RectStage::Rectify),
        can_appeal: dept && open && rect.is_some_and(|x| x.appeal.is_none()),
        can_decide: centre && appeal_pending,
        can_rerate: r.rater_id == Some(actor.user_id)
            && stage == Some(RectStage::Closed)
            && rect.is_some_and(|x| x.rerated.is_none()),
        can_identify: centre && r.rater_id.is_some(),
        verdicts: Verdict::ALL
            .iter()
            .map(|v| (v.as_str().into(), v.label().into()))
            .collect(),
        faces: faces(),
        identity,
        notice: (!q.ok.is_empty()).then(|| "已办理".to_string()),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    uphold: String,
    #[serde(default)]
    level: String,
}

/// `POST /ratings/{number}/act`: one step; back to the rating with a notice or the code.
pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(number): Path<String>,
    PageForm(f): PageForm<ActForm>,
) -> PageResult<Response> {
    let number = match tongban_store::ratings::id_of(number.trim()) {
        Some(id) => tongban_store::ratings::number_of(id),
        None => return Err(AppError::of(tongban_domain::codes::Rating::NotFound).into()),
    };
    let action = match f.action.as_str() {
        "call_back" => RectAction::CallBack { note: f.note },
        "verify" => RectAction::Verify {
            verdict: f.verdict,
            note: f.note,
        },
        "close" => RectAction::Close {
            measures: f.measures,
            feedback: f.feedback,
        },
        "appeal" => RectAction::Appeal { reason: f.reason },
        "decide_appeal" => RectAction::DecideAppeal {
            uphold: f.uphold == "1",
            reason: f.reason,
        },
        "rerate" => RectAction::Rerate { level: f.level },
        _ => return Ok(see_other(format!("/ratings/{number}?error=request.form"))),
    };
    match state.app.rect_act(&who.actor, &number, action).await {
        Ok(_) => Ok(see_other(format!("/ratings/{number}?ok=1"))),
        Err(e) => Ok(see_other(format!(
            "/ratings/{number}?error={}",
            e.code.as_str()
        ))),
    }
}

#[derive(askama::Template)]
#[template(path = "ratings_month.html")]
pub struct MonthPage {
    pub base: Base,
    pub month: String,
    /// (department, ratings, 好评率, 差评, 整改率, removed)
    pub rows: Vec<(String, i64, String, i64, String, i64)>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
}

fn percent(permille: i64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// `GET /ratings/month?month=YYYY-MM`: the month's figures per department (public; this
/// month by default).
pub async fn month(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<MonthQuery>,
) -> PageResult<Response> {
    let month = if q.month.trim().is_empty() {
        tongban_store::ratings::month_of(state.app.now())
    } else {
        q.month.trim().to_string()
    };
    let mut page = MonthPage {
        base: Base::new("好差评月度公示", viewer.signed_in(), large),
        month: month.clone(),
        rows: Vec::new(),
        error: None,
    };
    match state.app.rating_month(&month).await {
        Ok(rows) => {
            page.rows = rows
                .into_iter()
                .map(|m| {
                    (
                        m.department_name.clone(),
                        m.ratings,
                        percent(m.good_permille()),
                        m.bad,
                        percent(m.rectified_permille()),
                        m.removed,
                    )
                })
                .collect();
        }
        Err(e) => page.error = Some((e.code.as_str().into(), e.message)),
    }
    Ok(views::render(&page))
}
