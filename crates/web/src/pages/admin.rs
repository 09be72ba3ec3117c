//! Administration pages: regions, departments, halls, windows, posts, staff, applicants, the
//! audit log, settings and the simulated clock. Lists are scoped by the application layer;
//! creation forms are shown to administrators, and the server refuses everyone else anyway.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use tongban_app::accounts::{locked, NewStaff, SignedIn};
use tongban_app::org::{NewHallForm, NewRegionForm};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::mask;
use tongban_domain::org::{HallKind, Role};
use tongban_domain::region::Level;
use tongban_domain::time::format_local;

use super::staff_only;
use crate::error::{status, PageError, PageResult};
use crate::json::PageForm;
use crate::json::PageQuery;
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Action, AdminTable, Base, Field, FormSpec, Row};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/regions", get(regions).post(create_region))
        .route(
            "/admin/departments",
            get(departments).post(create_department),
        )
        .route("/admin/halls", get(halls).post(create_hall))
        .route("/admin/windows", get(windows).post(create_window))
        .route("/admin/posts", get(posts).post(create_post))
        .route("/admin/staff", get(staff).post(create_staff))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/away", post(mark_away))
        .route("/admin/users/{id}/back", post(mark_back))
        .route("/admin/applicants", get(applicants))
        .route("/admin/audit", get(audit))
        .route("/admin/settings", get(settings).post(save_setting))
        .route("/admin/clock", get(clock).post(advance_clock))
}

pub(super) fn nav(who: &SignedIn, simulated: bool) -> Vec<(String, String)> {
    let mut items = vec![
        ("/admin/regions", "区划"),
        ("/admin/departments", "部门"),
        ("/admin/halls", "大厅"),
        ("/admin/windows", "窗口"),
        ("/admin/posts", "岗位"),
        ("/admin/staff", "工作人员"),
        ("/admin/calendar", "工作日历"),
    ];
    if who.actor.is_admin() {
        items.push(("/admin/applicants", "申请人账号"));
        items.push(("/admin/settings", "设置"));
    }
    if matches!(who.actor.role, Role::Admin | Role::Supervisor) {
        items.push(("/admin/audit", "审计日志"));
    }
    if simulated && who.actor.is_admin() {
        items.push(("/admin/clock", "模拟时钟"));
    }
    items
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Outcome shown at the top of a page after a form was posted.
#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    error: Option<AppError>,
}

impl Outcome {
    fn from_query(q: &HashMap<String, String>) -> Outcome {
        Outcome {
            notice: q.get("ok").map(|_| "已保存。".to_string()),
            error: None,
        }
    }
}

struct Page {
    heading: &'static str,
    intro: String,
    headers: &'static [&'static str],
    rows: Vec<Row>,
    form: Option<FormSpec>,
}

fn respond(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    page: Page,
    outcome: Outcome,
) -> Response {
    let code = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, |e| status(e.kind));
    let table = AdminTable {
        base: Base::new(page.heading, Some(who), large),
        heading: page.heading.into(),
        intro: page.intro,
        headers: page.headers.iter().map(|s| s.to_string()).collect(),
        has_actions: page.rows.iter().any(|r| !r.actions.is_empty()),
        rows: page.rows,
        form: if who.actor.is_admin() {
            page.form
        } else {
            None
        },
        notice: outcome.notice,
        error: outcome.error.map(|e| e.message),
        nav: nav(who, state.app.clock.is_simulated()),
    };
    (code, views::render(&table)).into_response()
}

/// After a successful post, go back to the list (303 so a reload does not post again).
fn saved(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{to}?ok=1"))],
    )
        .into_response()
}

fn row(cells: Vec<String>) -> Row {
    Row {
        cells,
        actions: vec![],
    }
}

async fn index(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    staff_only(&who)?;
    let app = &state.app;
    let actor = &who.actor;
    let rows = vec![
        row(vec![
            "区划".into(),
            app.regions(actor).await?.len().to_string(),
        ]),
        row(vec![
            "部门".into(),
            app.departments(actor).await?.len().to_string(),
        ]),
        row(vec![
            "大厅".into(),
            app.halls(actor).await?.len().to_string(),
        ]),
        row(vec![
            "窗口".into(),
            app.windows(actor).await?.len().to_string(),
        ]),
        row(vec![
            "岗位".into(),
            app.posts(actor).await?.len().to_string(),
        ]),
        row(vec![
            "工作人员".into(),
            app.staff(actor).await?.len().to_string(),
        ]),
    ];
    let page = Page {
        heading: "组织与人员管理",
        intro: "您管辖范围内的组织概况。".into(),
        headers: &["类别", "数量"],
        rows,
        form: None,
    };
    Ok(respond(&state, &who, large, page, Outcome::default()))
}

// ---- regions

async fn regions_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let rows = state
        .app
        .regions(&who.actor)
        .await?
        .into_iter()
        .map(|r| {
            row(vec![
                r.code.to_string(),
                r.name,
                r.level.label().into(),
                r.parent_code.unwrap_or_default(),
            ])
        })
        .collect();
    Ok(Page {
        heading: "区划",
        intro: "市、县（区）、乡镇（街道）、村（社区）四级。代码：市县6位，乡镇村12位；上级由代码确定。".into(),
        headers: &["代码", "名称", "层级", "上级"],
        rows,
        form: Some(FormSpec {
            action: "/admin/regions".into(),
            submit: "新增区划".into(),
            fields: vec![Field::text("code", "区划代码", true, "如 361202 或 361202001003"), Field::text("name", "名称", true, "")],
        }),
    })
}

async fn regions(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = regions_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

async fn create_region(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(form): PageForm<NewRegionForm>,
) -> PageResult<Response> {
    match state.app.create_region(&who.actor, &form).await {
        Ok(()) => Ok(saved("/admin/regions")),
        Err(e) => failed(&state, &who, large, regions_page(&state, &who).await, e),
    }
}

/// Re-renders a page with the error that a post met. A refusal of the page itself wins.
fn failed(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    page: PageResult<Page>,
    err: AppError,
) -> PageResult<Response> {
    if err.kind == Kind::Forbidden {
        return Err(PageError(err));
    }
    Ok(respond(
        state,
        who,
        large,
        page?,
        Outcome {
            notice: None,
            error: Some(err),
        },
    ))
}

// ---- departments

async fn region_options(
    state: &AppState,
    who: &SignedIn,
    levels: &[Level],
) -> PageResult<Vec<(String, String)>> {
    Ok(state
        .app
        .regions(&who.actor)
        .await?
        .into_iter()
        .filter(|r| levels.contains(&r.level))
        .map(|r| (r.code.to_string(), format!("{} {}", r.code, r.name)))
        .collect())
}

async fn departments_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let rows = state
        .app
        .departments(&who.actor)
        .await?
        .into_iter()
        .map(|d| row(vec![d.id.to_string(), d.name, d.region_code.to_string()]))
        .collect();
    Ok(Page {
        heading: "部门",
        intro: String::new(),
        headers: &["编号", "名称", "所属区划"],
        rows,
        form: Some(FormSpec {
            action: "/admin/departments".into(),
            submit: "新增部门".into(),
            fields: vec![
                Field::text("name", "部门名称", true, ""),
                Field::select(
                    "region",
                    "所属区划",
                    region_options(state, who, &Level::ALL).await?,
                    true,
                ),
            ],
        }),
    })
}

async fn departments(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = departments_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct DepartmentForm {
    name: String,
    region: String,
}

async fn create_department(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(form): PageForm<DepartmentForm>,
) -> PageResult<Response> {
    match state
        .app
        .create_department(&who.actor, &form.name, &form.region)
        .await
    {
        Ok(_) => Ok(saved("/admin/departments")),
        Err(e) => failed(&state, &who, large, departments_page(&state, &who).await, e),
    }
}

// ---- halls

async fn halls_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let halls = state.app.halls(&who.actor).await?;
    let centres: Vec<(String, String)> = halls
        .iter()
        .filter(|h| h.kind == HallKind::Centre)
        .map(|h| (h.id.to_string(), h.name.clone()))
        .collect();
    let rows = halls
        .into_iter()
        .map(|h| {
            row(vec![
                h.id.to_string(),
                h.name,
                h.kind.label().into(),
                h.region_code.to_string(),
                h.hours,
            ])
        })
        .collect();
    Ok(Page {
        heading: "大厅",
        intro: "政务服务中心与分厅设在市、县；便民服务中心设在乡镇（街道）；代办点设在村（社区）。"
            .into(),
        headers: &["编号", "名称", "类型", "区划", "办公时间"],
        rows,
        form: Some(FormSpec {
            action: "/admin/halls".into(),
            submit: "新增大厅".into(),
            fields: vec![
                Field::text("name", "名称", true, ""),
                Field::select(
                    "kind",
                    "类型",
                    HallKind::ALL
                        .iter()
                        .map(|k| (k.as_str().into(), k.label().into()))
                        .collect(),
                    true,
                ),
                Field::select(
                    "region_code",
                    "区划",
                    region_options(state, who, &Level::ALL).await?,
                    true,
                ),
                Field::select("parent_hall_id", "所属中心（分厅必填）", centres, false),
                Field::text("address", "地址", false, ""),
                Field::text("hours", "办公时间", false, ""),
            ],
        }),
    })
}

async fn halls(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = halls_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct HallFormRaw {
    name: String,
    kind: String,
    region_code: String,
    #[serde(default)]
    parent_hall_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    hours: String,
}

fn optional_id(s: &str, what: &str) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| AppError::new(codes::Form::Id, format!("{what}编号无效")))
}

async fn create_hall(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(raw): PageForm<HallFormRaw>,
) -> PageResult<Response> {
    let result = async {
        let kind = HallKind::parse(&raw.kind).ok_or_else(|| AppError::of(codes::Hall::Kind))?;
        let form = NewHallForm {
            name: raw.name,
            kind,
            region_code: raw.region_code,
            parent_hall_id: optional_id(&raw.parent_hall_id, "上级大厅")?,
            address: raw.address,
            hours: raw.hours,
        };
        state.app.create_hall(&who.actor, &form).await
    }
    .await;
    match result {
        Ok(_) => Ok(saved("/admin/halls")),
        Err(e) => failed(&state, &who, large, halls_page(&state, &who).await, e),
    }
}

// ---- windows

async fn windows_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let app = &state.app;
    let rows = app
        .windows(&who.actor)
        .await?
        .into_iter()
        .map(|w| row(vec![w.number, w.name, w.hall_name, w.department_name]))
        .collect();
    let halls = app
        .halls(&who.actor)
        .await?
        .into_iter()
        .map(|h| (h.id.to_string(), h.name))
        .collect();
    let depts = app
        .departments(&who.actor)
        .await?
        .into_iter()
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    Ok(Page {
        heading: "窗口",
        intro: "部门派驻大厅的窗口。".into(),
        headers: &["编号", "名称", "大厅", "部门"],
        rows,
        form: Some(FormSpec {
            action: "/admin/windows".into(),
            submit: "新增窗口".into(),
            fields: vec![
                Field::select("hall_id", "大厅", halls, true),
                Field::select("department_id", "部门", depts, true),
                Field::text("number", "窗口编号", true, "如 A11"),
                Field::text("name", "窗口名称", true, ""),
            ],
        }),
    })
}

async fn windows(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = windows_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct WindowForm {
    hall_id: i64,
    department_id: i64,
    number: String,
    name: String,
}

async fn create_window(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<WindowForm>,
) -> PageResult<Response> {
    match state
        .app
        .create_window(&who.actor, f.hall_id, f.department_id, &f.number, &f.name)
        .await
    {
        Ok(_) => Ok(saved("/admin/windows")),
        Err(e) => failed(&state, &who, large, windows_page(&state, &who).await, e),
    }
}

// ---- posts

async fn posts_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let app = &state.app;
    let depts = app.departments(&who.actor).await?;
    let dept_name = |id: i64| {
        depts
            .iter()
            .find(|d| d.id == id)
            .map_or_else(String::new, |d| d.name.clone())
    };
    let rows = app
        .posts(&who.actor)
        .await?
        .into_iter()
        .map(|p| {
            let acting = if p.holder_away {
                p.substitute_name
                    .clone()
                    .unwrap_or_else(|| "（无人）".into())
            } else {
                p.holder_name.clone()
            };
            row(vec![
                dept_name(p.department_id),
                p.name,
                p.holder_name,
                p.substitute_name.unwrap_or_else(|| "—".into()),
                acting,
            ])
        })
        .collect();
    let people = app
        .staff(&who.actor)
        .await?
        .into_iter()
        .filter(|u| u.department_id.is_some())
        .map(|u| {
            (
                u.id.to_string(),
                format!(
                    "{}（{}）",
                    u.name,
                    dept_name(u.department_id.unwrap_or_default())
                ),
            )
        })
        .collect::<Vec<_>>();
    Ok(Page {
        heading: "岗位",
        intro: "同岗替代：在岗人员不在岗时，由替岗人员代为办理。".into(),
        headers: &["部门", "岗位", "在岗人员", "替岗人员", "当前办理人"],
        rows,
        form: Some(FormSpec {
            action: "/admin/posts".into(),
            submit: "新增岗位".into(),
            fields: vec![
                Field::select(
                    "department_id",
                    "部门",
                    depts
                        .iter()
                        .map(|d| (d.id.to_string(), d.name.clone()))
                        .collect(),
                    true,
                ),
                Field::text("name", "岗位名称", true, "如 受理岗"),
                Field::select("holder_id", "在岗人员", people.clone(), true),
                Field::select("substitute_id", "替岗人员", people, false),
            ],
        }),
    })
}

async fn posts(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = posts_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct PostForm {
    department_id: i64,
    name: String,
    holder_id: i64,
    #[serde(default)]
    substitute_id: String,
}

async fn create_post(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<PostForm>,
) -> PageResult<Response> {
    let result = match optional_id(&f.substitute_id, "替岗人员") {
        Ok(sub) => {
            state
                .app
                .create_post(&who.actor, f.department_id, &f.name, f.holder_id, sub)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(saved("/admin/posts")),
        Err(e) => failed(&state, &who, large, posts_page(&state, &who).await, e),
    }
}

// ---- staff

async fn staff_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    let app = &state.app;
    let now = app.now();
    let depts = app.departments(&who.actor).await?;
    let dept_name = |id: Option<i64>| {
        id.and_then(|id| depts.iter().find(|d| d.id == id))
            .map_or_else(|| "—".to_string(), |d| d.name.clone())
    };
    let can_mark = matches!(who.actor.role, Role::Admin | Role::DeptHead);
    let rows = app
        .staff(&who.actor)
        .await?
        .into_iter()
        .map(|u| {
            let mut actions = Vec::new();
            if who.actor.is_admin() && locked(&u, now) {
                actions.push(Action {
                    url: format!("/admin/users/{}/unlock", u.id),
                    label: "解锁".into(),
                });
            }
            if can_mark && u.id != who.actor.user_id {
                let (url, label) = if u.away {
                    ("back", "恢复在岗")
                } else {
                    ("away", "标记不在岗")
                };
                actions.push(Action {
                    url: format!("/admin/users/{}/{url}", u.id),
                    label: label.into(),
                });
            }
            let state_text = match (locked(&u, now), u.away) {
                (true, _) => format!(
                    "已锁定至{}",
                    u.locked_until().map(format_local).unwrap_or_default()
                ),
                (false, true) => "不在岗".into(),
                (false, false) => "在岗".into(),
            };
            Row {
                cells: vec![
                    u.login,
                    u.name,
                    u.role.label().into(),
                    dept_name(u.department_id),
                    u.region_code.unwrap_or_default(),
                    state_text,
                ],
                actions,
            }
        })
        .collect();
    let roles = Role::STAFF
        .iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect();
    Ok(Page {
        heading: "工作人员",
        intro: String::new(),
        headers: &["登录名", "姓名", "角色", "部门", "区划", "状态"],
        rows,
        form: Some(FormSpec {
            action: "/admin/staff".into(),
            submit: "新增工作人员".into(),
            fields: vec![
                Field::text("login", "登录名", true, ""),
                Field::text("name", "姓名", true, ""),
                Field::select("role", "角色", roles, true),
                Field::select(
                    "region_code",
                    "管辖区划",
                    region_options(state, who, &Level::ALL).await?,
                    true,
                ),
                Field::select(
                    "department_id",
                    "部门（窗口、审批、部门负责人必填）",
                    depts
                        .iter()
                        .map(|d| (d.id.to_string(), d.name.clone()))
                        .collect(),
                    false,
                ),
                Field::text("password", "初始密码", true, "至少8位，含三类字符")
                    .with_kind("password"),
            ],
        }),
    })
}

async fn staff(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    staff_only(&who)?;
    let page = staff_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct StaffForm {
    login: String,
    name: String,
    role: String,
    region_code: String,
    #[serde(default)]
    department_id: String,
    password: String,
}

async fn create_staff(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<StaffForm>,
) -> PageResult<Response> {
    let result = async {
        let role = Role::parse(&f.role).ok_or_else(|| AppError::of(codes::Staff::Role))?;
        let new = NewStaff {
            login: f.login,
            name: f.name,
            role,
            region_code: f.region_code,
            department_id: optional_id(&f.department_id, "部门")?,
            hall_id: None,
            password: f.password,
        };
        state.app.create_staff(&who.actor, &new).await
    }
    .await;
    match result {
        Ok(_) => Ok(saved("/admin/staff")),
        Err(e) => failed(&state, &who, large, staff_page(&state, &who).await, e),
    }
}

async fn unlock(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> PageResult<Response> {
    state.app.unlock(&who.actor, id).await?;
    Ok(back_to(&headers, "/admin/staff"))
}

async fn mark_away(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    state.app.set_away(&who.actor, id, true).await?;
    Ok(saved("/admin/staff"))
}

async fn mark_back(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    state.app.set_away(&who.actor, id, false).await?;
    Ok(saved("/admin/staff"))
}

/// Back to the page the form was on, if it is one of ours.
fn back_to(headers: &axum::http::HeaderMap, default: &str) -> Response {
    let to = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.split_once("/admin/")
                .map(|(_, rest)| format!("/admin/{}", rest.split('?').next().unwrap_or("")))
        })
        .unwrap_or_else(|| default.to_string());
    saved(&to)
}

// ---- applicants

async fn applicants(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    let now = state.app.now();
    let rows = state
        .app
        .applicants(&who.actor)
        .await?
        .into_iter()
        .map(|u| {
            let is_locked = locked(&u, now);
            let actions = if is_locked {
                vec![Action {
                    url: format!("/admin/users/{}/unlock", u.id),
                    label: "解锁".into(),
                }]
            } else {
                vec![]
            };
            let id = u
                .id_number
                .as_deref()
                .map(|i| mask::keep_ends(i, 6, 4))
                .or(u.uscc.clone())
                .unwrap_or_default();
            Row {
                cells: vec![
                    u.login,
                    mask::name(&u.name),
                    if u.uscc.is_some() {
                        "法人".into()
                    } else {
                        "个人".into()
                    },
                    id,
                    u.phone.as_deref().map(mask::phone).unwrap_or_default(),
                    if is_locked {
                        "已锁定".into()
                    } else {
                        "正常".into()
                    },
                ],
                actions,
            }
        })
        .collect();
    let page = Page {
        heading: "申请人账号",
        intro: "仅显示脱敏信息；可为被锁定的账号解锁。".into(),
        headers: &["登录名", "姓名", "类型", "证件号码", "手机", "状态"],
        rows,
        form: None,
    };
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

// ---- audit

async fn audit(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    let before = q.get("before").and_then(|s| s.parse().ok());
    let lines = state.app.audit_lines(&who.actor, before).await?;
    let older = if lines.len() == 50 {
        lines.last().map(|l| l.record.seq)
    } else {
        None
    };
    let lines = lines
        .into_iter()
        .map(|l| views::AuditRow {
            seq: l.record.seq,
            at: format_local(l.record.entry.at),
            actor: l.actor_name,
            role: l.role_label,
            action: l.action_label.to_string(),
            object: l.object.map(|o| (o.name, o.href)),
            region: l.region_name,
            summary: l.record.entry.summary,
            hash: l.record.hash[..16].to_string(),
        })
        .collect();
    let page = views::AdminAudit {
        base: Base::new("审计日志", Some(&who), large),
        nav: nav(&who, state.app.clock.is_simulated()),
        lines,
        older,
    };
    Ok(views::render(&page))
}

// ---- settings

async fn settings_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    if !who.actor.is_admin() {
        return Err(PageError(AppError::forbidden()));
    }
    let stored = state.app.store.settings().await?;
    let mut rows: Vec<_> = tongban_app::settings::DEFS
        .iter()
        .map(|d| {
            let current = stored
                .iter()
                .find(|(k, _)| k == d.key)
                .map_or(d.default, |(_, v)| v.as_str());
            let regional = if tongban_app::settings::REGIONAL.contains(&d.key) {
                "（可按地区设置）"
            } else {
                ""
            };
            row(vec![
                format!("{}{regional}", d.label),
                d.key.into(),
                current.into(),
                d.default.into(),
                format!("{}–{}", d.min, d.max),
            ])
        })
        .collect();
    // Values a region set for itself (`key@region`), each under the setting it narrows.
    for (k, v) in stored.iter().filter(|(k, _)| k.contains('@')) {
        let (base, region) = k.split_once('@').unwrap_or((k.as_str(), ""));
        let Some(d) = tongban_app::settings::DEFS.iter().find(|d| d.key == base) else {
            continue;
        };
        let place = match tongban_domain::region::RegionCode::parse(region) {
            Ok(code) => state
                .app
                .store
                .region(&code)
                .await?
                .map_or_else(|| region.to_string(), |r| r.name),
            Err(_) => region.to_string(),
        };
        rows.push(row(vec![
            format!("{}（{place}）", d.label),
            k.clone(),
            v.clone(),
            "同全市".into(),
            format!("{}–{}", d.min, d.max),
        ]));
    }
    let keys = tongban_app::settings::DEFS
        .iter()
        .map(|d| (d.key.to_string(), d.label.to_string()))
        .collect();
    Ok(Page {
        heading: "设置",
        intro: "本地规则以设置项保存，均有默认值；修改即时生效并记入审计日志。标有“可按地区设置”的项（预警阈值、12345时限、推算年份）可以只对某个区县或乡镇设置：填写地区代码即可，下级地区按最长匹配的地区代码取值，未设置的沿用全市的值。".into(),
        headers: &["设置项", "键", "当前值", "默认值", "范围"],
        rows,
        form: Some(FormSpec {
            action: "/admin/settings".into(),
            submit: "修改设置".into(),
            fields: vec![
                Field::select("key", "设置项", keys, true),
                Field::text("value", "新值", true, "").with_kind("number"),
                Field::text(
                    "region",
                    "地区代码（选填，只对该地区及其下级生效）",
                    false,
                    "如 361202",
                ),
            ],
        }),
    })
}

async fn settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    let page = settings_page(&state, &who).await?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct SettingForm {
    key: String,
    value: String,
    #[serde(default)]
    region: String,
}

async fn save_setting(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<SettingForm>,
) -> PageResult<Response> {
    // A region's own value is the key narrowed by its code; the application checks the setting
    // may be set by region and the code is a region's.
    let key = match f.region.trim() {
        "" => f.key.clone(),
        region => format!("{}@{region}", f.key),
    };
    match state.app.set_setting(&who.actor, &key, &f.value).await {
        Ok(()) => Ok(saved("/admin/settings")),
        Err(e) => failed(&state, &who, large, settings_page(&state, &who).await, e),
    }
}

// ---- simulated clock

fn clock_page(state: &AppState, who: &SignedIn) -> PageResult<Page> {
    if !who.actor.is_admin() || !state.app.clock.is_simulated() {
        return Err(PageError(AppError::not_found(
            "模拟时钟（仅在以 --simulated-clock 启动时可用）",
        )));
    }
    Ok(Page {
        heading: "模拟时钟",
        intro: format!(
            "仅用于测试与演示：拨快时钟后，所有期限、会话和锁定都按新时间计算。\
             其他已登录的人若因此空闲超过{}分钟，需要重新登录；您自己的会话从新时间起重新计时，不会退出。",
            state.app.settings().session_idle.num_minutes()
        ),
        headers: &["当前时间"],
        rows: vec![row(vec![format_local(state.app.now())])],
        form: Some(FormSpec {
            action: "/admin/clock".into(),
            submit: "拨快时钟".into(),
            fields: vec![
                Field::text("days", "天数", false, "").with_kind("number"),
                Field::text("hours", "小时数", false, "").with_kind("number"),
            ],
        }),
    })
}

async fn clock(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> PageResult<Response> {
    let page = clock_page(&state, &who)?;
    Ok(respond(&state, &who, large, page, Outcome::from_query(&q)))
}

#[derive(Deserialize)]
struct AdvanceForm {
    #[serde(default)]
    days: String,
    #[serde(default)]
    hours: String,
}

async fn advance_clock(
    State(state): State<AppState>,
    Auth(who): Auth,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(f): PageForm<AdvanceForm>,
) -> PageResult<Response> {
    let page = clock_page(&state, &who)?;
    let parse = |s: &str| {
        if s.trim().is_empty() {
            Ok(0)
        } else {
            s.trim().parse::<i64>()
        }
    };
    match (parse(&f.days), parse(&f.hours)) {
        (Ok(d), Ok(h)) if (0..=3650).contains(&d) && (0..=1000).contains(&h) => {
            state
                .app
                .advance_clock_keeping(
                    &who.actor,
                    chrono::Duration::days(d) + chrono::Duration::hours(h),
                    viewer.0.as_ref().map(|(_, t)| t.as_str()),
                )
                .await?;
            Ok(saved("/admin/clock"))
        }
        _ => Ok(respond(
            &state,
            &who,
            large,
            page,
            Outcome {
                notice: None,
                error: Some(AppError::new(
                    codes::Clock::Amount,
                    "天数应为0至3650、小时数应为0至1000的整数",
                )),
            },
        )),
    }
}
