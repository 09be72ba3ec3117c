//! The portal home, the applicant's own page and the staff workbench.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use tongban_app::accounts::SignedIn;
use tongban_domain::calendar::{Calendar, TimeLeft};
use tongban_domain::case::CaseStatus;
use tongban_domain::identity::IdNumber;
use tongban_domain::mask;
use tongban_domain::org::{PostHolders, Role};
use tongban_domain::time::format_local;
use tongban_store::cases::{CaseLine, StepLine};

use crate::error::{PageError, PageResult};
use crate::json::PageForm;
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base, CaseLists, CaseRow, NegativeLine, PostLine, StepDue};
use crate::AppState;

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    let (company_events, person_events) = state
        .app
        .life_events()
        .await?
        .into_iter()
        .partition(|e| e.company);
    Ok(views::render(&views::Home {
        base: Base::new("首页", viewer.signed_in(), large),
        bundles: super::bundles::links(&state).await,
        person_events,
        company_events,
        themes: tongban_domain::catalog::THEMES,
        hot: state.app.hot_searches(8).await?,
    }))
}

/// The applicant's own page. Personal data is masked even here: a shared screen at a hall
/// must not show a full ID number.
pub async fn me(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    if who.user.role.is_staff() {
        return Ok(Redirect::to("/workbench").into_response());
    }
    let cases = state
        .app
        .my_cases(&who.actor)
        .await?
        .into_iter()
        .map(case_row)
        .collect();
    let u = &who.user;
    let kind = match u.applicant_kind.as_deref() {
        Some("company") => "法人",
        _ => "个人",
    };
    Ok(views::render(&views::Me {
        base: Base::new("我的办事", Some(&who), large),
        name: u.name.clone(),
        login: u.login.clone(),
        kind: kind.into(),
        id_masked: u.id_number.as_deref().map(|id| {
            IdNumber::parse(id).map_or_else(|_| mask::keep_ends(id, 6, 4), |i| i.masked())
        }),
        uscc: u.uscc.clone(),
        phone_masked: u.phone.as_deref().map(mask::phone),
        email_masked: u.email.as_deref().map(mask::email),
        cases,
    }))
}

/// The staff workbench: who I am, my scope, my posts and my department's windows.
pub async fn workbench(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    if !who.user.role.is_staff() {
        return Ok(Redirect::to("/me").into_response());
    }
    let app = &state.app;
    let actor = &who.actor;
    let department = match who.user.department_id {
        Some(id) => app.store.department(id).await?.map(|d| d.name),
        None => None,
    };
    let region = match &actor.region {
        Some(code) => app.store.region(code).await?.map_or_else(
            || code.to_string(),
            |r| format!("{}（{}）", r.name, r.level.label()),
        ),
        None => "—".into(),
    };
    let hall = match who.user.hall_id {
        Some(id) => app.store.hall(id).await?.map(|h| h.name),
        None => None,
    };
    let posts = app
        .posts(actor)
        .await?
        .into_iter()
        .filter(|p| p.holder_id == actor.user_id || p.substitute_id == Some(actor.user_id))
        .map(|p| {
            let holders = PostHolders {
                holder_id: p.holder_id,
                substitute_id: p.substitute_id,
                holder_away: p.holder_away,
            };
            PostLine {
                acting_now: holders.may_act(actor.user_id),
                mine_as: if p.holder_id == actor.user_id {
                    "在岗"
                } else {
                    "替岗"
                },
                holder: p.holder_name,
                substitute: p.substitute_name.unwrap_or_else(|| "—".into()),
                name: p.name,
            }
        })
        .collect();
    let (windows, colleagues) = if actor.role.is_departmental() {
        let windows = app
            .windows(actor)
            .await?
            .into_iter()
            .map(|w| format!("{} {} · {}", w.number, w.name, w.hall_name))
            .collect();
        let colleagues = app
            .staff(actor)
            .await?
            .into_iter()
            .map(|u| format!("{}（{}）", u.name, u.role.label()))
            .collect();
        (windows, colleagues)
    } else {
        (vec![], vec![])
    };
    let mut links = vec![("/account/password".to_string(), "修改密码".to_string())];
    if matches!(actor.role, Role::Admin | Role::Supervisor) {
        links.insert(0, ("/admin".into(), "组织与人员管理".into()));
        links.insert(1, ("/admin/audit".into(), "审计日志".into()));
    }
    if actor.role.watches_board() {
        links.insert(0, ("/supervision".into(), "监察中心".into()));
    }
    if matches!(
        actor.role,
        Role::Supervisor
            | Role::Leader
            | Role::Admin
            | Role::DeptHead
            | Role::Clerk
            | Role::Approver
    ) {
        links.push(("/supervision/admonitions".into(), "效能告诫".into()));
    }
    if actor.role == Role::DeptHead {
        links.insert(0, ("/admin/staff".into(), "本部门人员与在岗状态".into()));
    }
    let lists = case_lists(&state, &who).await?;
    Ok(views::render(&views::Workbench {
        base: Base::new("工作台", Some(&who), large),
        name: who.user.name.clone(),
        role: who.user.role.label().into(),
        department,
        region,
        hall,
        posts,
        windows,
        colleagues,
        links,
        away: who.user.away,
        lists,
    }))
}

fn at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

fn case_row(l: CaseLine) -> CaseRow {
    CaseRow {
        status: CaseStatus::parse(&l.status).map_or(l.status.clone(), |s| s.label().to_string()),
        received: at(l.received_at).map(format_local).unwrap_or_default(),
        due: l
            .due_at
            .and_then(at)
            .map(format_local)
            .unwrap_or_else(|| "—".into()),
        number: l.number,
        item: l.item_name,
        applicant: l.applicant_name,
        deadline: String::new(),
        left: String::new(),
        light: "",
        light_label: "",
    }
}

/// A case line with its next deadline, time left and light from the deadline index.
pub(super) fn marked_row(
    l: CaseLine,
    marks: &std::collections::HashMap<i64, tongban_app::case_search::QueueMark>,
) -> CaseRow {
    let mark = marks.get(&l.id).cloned();
    let mut row = case_row(l);
    match mark {
        Some(m) => {
            row.deadline = m.label;
            // A deadline ends at midnight: shown as the day it falls on.
            let last = m.due_at - chrono::Duration::milliseconds(1);
            row.due = format!(
                "{} 截止",
                tongban_domain::time::local_date(last).format("%Y-%m-%d")
            );
            row.left = m.left.map_or_else(|| "无法计算".to_string(), |t| t.text());
            row.light = m.light.as_str();
            row.light_label = m.light.label();
        }
        None => {
            row.deadline = "—".into();
            row.left = "不计时".into();
        }
    }
    row
}

/// Time left on a step by its due instant, in working days and today's hours on the calendar
/// the limit is counted on: red once past, amber when due within a working day.
fn step_due(l: StepLine, cal: &Calendar, now: DateTime<Utc>) -> StepDue {
    let due = l.due_at.and_then(at);
    let (left, level) = match due.map(|d| TimeLeft::at(cal, now, d)) {
        Some(Ok(t)) if t.overdue => (t.text(), "overdue"),
        Some(Ok(t)) => (t.text(), if t.working_days <= 1 { "soon" } else { "" }),
        Some(Err(e)) => (format!("无法计算（{e}）"), ""),
        None => ("—".into(), ""),
    };
    StepDue {
        number: l.number,
        item: l.item_name,
        applicant: l.applicant_name,
        step: l.name,
        due: due.map(format_local).unwrap_or_else(|| "—".into()),
        left,
        level,
    }
}

/// The case lists a role works from.
async fn case_lists(state: &AppState, who: &SignedIn) -> PageResult<CaseLists> {
    let app = &state.app;
    let actor = &who.actor;
    let now = app.now();
    let mut lists = CaseLists {
        can_search: matches!(
            actor.role,
            Role::Clerk
                | Role::DeptHead
                | Role::Approver
                | Role::Supervisor
                | Role::Legal
                | Role::Leader
                | Role::Admin
        ),
        ..CaseLists::default()
    };
    match actor.role {
        Role::Agent => {
            lists.can_file = true;
            lists.mine = Some(
                app.my_cases(actor)
                    .await?
                    .into_iter()
                    .map(case_row)
                    .collect(),
            );
        }
        Role::Clerk | Role::DeptHead | Role::Approver => {
            if matches!(actor.role, Role::Clerk | Role::DeptHead) {
                lists.can_file = true;
                let lines = app.window_queue(actor).await?;
                let marks = app.queue_marks(&lines).await?;
                let mut rows: Vec<(Option<chrono::DateTime<chrono::Utc>>, CaseRow)> = lines
                    .into_iter()
                    .map(|l| (marks.get(&l.id).map(|m| m.due_at), marked_row(l, &marks)))
                    .collect();
                // Soonest deadline first; cases whose clock does not run last.
                rows.sort_by_key(|(due, _)| (due.is_none(), *due));
                lists.window = Some(rows.into_iter().map(|(_, r)| r).collect());
            }
            let cal = app.calendar().await?;
            let mut steps: Vec<StepDue> = app
                .my_steps(actor)
                .await?
                .into_iter()
                .map(|l| step_due(l, &cal, now))
                .collect();
            // Soonest first; steps without a deadline last.
            steps.sort_by_key(|s| (s.due == "—", s.due.clone()));
            lists.steps_title = if actor.role == Role::DeptHead {
                "本部门在办环节"
            } else {
                "我的环节"
            };
            lists.steps = Some(steps);
            if actor.role == Role::DeptHead {
                lists.head = Some(
                    app.head_queue(actor)
                        .await?
                        .into_iter()
                        .map(case_row)
                        .collect(),
                );
            }
        }
        Role::Supervisor | Role::Legal | Role::Leader | Role::Admin => {
            let stage = match actor.role {
                Role::Supervisor => Some("初审"),
                Role::Legal => Some("复审"),
                Role::Leader => Some("审定"),
                _ => None,
            };
            if let Some(stage) = stage {
                let queue = app
                    .review_queue(actor)
                    .await?
                    .into_iter()
                    .map(|(s, v)| (s.id, v.item.name, v.version))
                    .collect();
                lists.reviews = Some((stage, queue));
            }
            let departments: HashMap<i64, String> = app
                .store
                .departments(None)
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            if actor.role == Role::Supervisor {
                lists.findings = Some(
                    app.findings(actor, Some("open"))
                        .await?
                        .into_iter()
                        .map(|f| crate::views::FindingLine {
                            id: f.id,
                            at: at(f.created_at).map(format_local).unwrap_or_default(),
                            rule: rule_label(&f.rule),
                            shown: super::board::subject_shown(f.subject_kind, &f.subject_number),
                            href: super::board::subject_href(f.subject_kind, &f.subject_number),
                            department: departments
                                .get(&f.department_id)
                                .cloned()
                                .unwrap_or_default(),
                            detail: f.detail,
                        })
                        .collect(),
                );
            }
            lists.negative = Some(
                app.negative_filings(actor)
                    .await?
                    .into_iter()
                    .map(|n| NegativeLine {
                        at: at(n.at).map(format_local).unwrap_or_default(),
                        department: departments
                            .get(&n.department_id)
                            .cloned()
                            .unwrap_or_default(),
                        number: n.case_number,
                        what: n.what,
                        reason: n.reason,
                        actor: n.actor_name,
                    })
                    .collect(),
            );
        }
        Role::Applicant | Role::Operator | Role::HotlineCentre => {}
    }
    // Supervision orders: supervisors close what was answered; heads answer what was issued.
    if matches!(actor.role, Role::Supervisor | Role::DeptHead) {
        let (_, orders) = app.orders(actor).await?;
        lists.orders_to_answer = actor.role == Role::DeptHead;
        lists.orders = Some(
            orders
                .into_iter()
                .map(|o| {
                    let (status, overdue) = super::cases::order_status(&o, now);
                    views::OrderItem {
                        id: o.id,
                        closable: o.status == "replied",
                        shown: super::board::subject_shown(o.subject_kind, &o.subject_number),
                        href: super::board::subject_href(o.subject_kind, &o.subject_number),
                        instruction: o.instruction.clone(),
                        due: at(o.due_at).map(format_local).unwrap_or_default(),
                        status,
                        overdue,
                        reply: o.reply.clone().unwrap_or_default(),
                    }
                })
                .collect(),
        );
    }
    Ok(lists)
}

/// The Chinese name of a detector's rule.
pub(crate) fn rule_label(rule: &str) -> &'static str {
    use tongban_domain::supervision::detect::Rule;
    Rule::parse(rule).map_or("其他", Rule::label)
}

#[derive(serde::Deserialize)]
pub struct FindingForm {
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

/// A supervisor confirms (问责) or dismisses a finding from the workbench.
pub async fn decide_finding(
    State(state): State<AppState>,
    Auth(who): Auth,
    axum::extract::Path(id): axum::extract::Path<i64>,
    PageForm(f): PageForm<FindingForm>,
) -> PageResult<Response> {
    let confirm = f.decision == "confirm";
    let to = match state
        .app
        .decide_finding(&who.actor, id, confirm, &f.reason)
        .await
    {
        Ok(_) => "/workbench?ok=finding#findings".to_string(),
        Err(e) if e.kind == tongban_app::Kind::Forbidden => return Err(PageError(e)),
        Err(e) => format!("/workbench?error={}#findings", e.code),
    };
    Ok(see_other(to))
}

#[derive(serde::Deserialize)]
pub struct OrderForm {
    pub case_number: String,
    pub instruction: String,
    #[serde(default)]
    pub days: String,
    /// `1` once the supervisor has read the confirmation; anything else shows it first.
    #[serde(default)]
    pub confirmed: String,
}

/// The confirmation a supervisor reads before a 督办 goes out.
#[derive(askama::Template)]
#[template(path = "order_confirm.html")]
pub struct OrderConfirm {
    pub base: Base,
    pub p: tongban_app::supervision::OrderPreview,
    pub due: String,
    pub case_href: String,
}

#[derive(serde::Deserialize)]
pub struct OrderTextForm {
    #[serde(default)]
    pub text: String,
}

fn see_other(to: String) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to)],
    )
        .into_response()
}

/// A supervisor issues a supervision order (督办) from the case page.
pub async fn issue_order(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<OrderForm>,
) -> PageResult<Response> {
    let days = f.days.trim().parse::<u32>().ok();
    let number = crate::pages::cases::segment(f.case_number.trim());
    let done = if f.confirmed == "1" {
        state
            .app
            .issue_order(&who.actor, &f.case_number, None, &f.instruction, days)
            .await
            .map(|_| None)
    } else {
        // Nothing is written before the supervisor confirms what will go out, to whom.
        state
            .app
            .preview_order(&who.actor, &f.case_number, &f.instruction, days)
            .await
            .map(Some)
    };
    match done {
        Ok(Some(p)) => {
            let page = OrderConfirm {
                base: Base::new("确认督办", Some(&who), large),
                due: p.due.format("%Y年%-m月%-d日").to_string(),
                case_href: format!("/cases/{number}"),
                p,
            };
            Ok(views::render(&page))
        }
        Ok(None) => Ok(see_other(format!("/cases/{number}?ok=order#orders"))),
        Err(e)
            if matches!(
                e.kind,
                tongban_app::Kind::Forbidden | tongban_app::Kind::NotFound
            ) =>
        {
            Err(PageError(e))
        }
        Err(e) => Ok(see_other(format!(
            "/cases/{number}?error={}#orders",
            e.code
        ))),
    }
}

/// The department head answers an order with its rectification.
pub async fn reply_order(
    State(state): State<AppState>,
    Auth(who): Auth,
    axum::extract::Path(id): axum::extract::Path<i64>,
    PageForm(f): PageForm<OrderTextForm>,
) -> PageResult<Response> {
    match state.app.reply_order(&who.actor, id, &f.text).await {
        Ok(_) => Ok(see_other("/workbench?ok=order#orders".into())),
        Err(e) if e.kind == tongban_app::Kind::Forbidden => Err(PageError(e)),
        Err(e) => Ok(see_other(format!("/workbench?error={}#orders", e.code))),
    }
}

/// The supervisor closes an answered order.
pub async fn close_order(
    State(state): State<AppState>,
    Auth(who): Auth,
    axum::extract::Path(id): axum::extract::Path<i64>,
    PageForm(f): PageForm<OrderTextForm>,
) -> PageResult<Response> {
    match state.app.close_order(&who.actor, id, &f.text).await {
        Ok(_) => Ok(see_other("/workbench?ok=order#orders".into())),
        Err(e) if e.kind == tongban_app::Kind::Forbidden => Err(PageError(e)),
        Err(e) => Ok(see_other(format!("/workbench?error={}#orders", e.code))),
    }
}

/// What the case search form holds, as typed (dates as `YYYY-MM-DD`). `q` is the workbench's
/// one box: a case number, a four-character tail or a name, told apart by their shape.
#[derive(serde::Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tail: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(askama::Template)]
#[template(path = "case_search.html")]
pub struct SearchPage {
    pub base: Base,
    pub scope: String,
    pub q: SearchForm,
    pub searched: bool,
    pub rows: Vec<CaseRow>,
    pub limit: i64,
    /// (code, message)
    pub error: Option<(String, String)>,
}

/// Splits the workbench's one box into the field it fills.
fn one_box(form: &mut SearchForm) {
    let q = form.q.trim().to_string();
    if q.is_empty() {
        return;
    }
    let tail_like = q.chars().count() == 4
        && q.chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
    if tail_like {
        form.tail = q;
    } else if q.chars().all(|c| c.is_ascii_digit() || c == '-') {
        form.number = q;
    } else {
        form.name = q;
    }
    form.q.clear();
}

fn search_date(s: &str) -> Result<Option<chrono::NaiveDate>, tongban_app::AppError> {
    match s.trim() {
        "" => Ok(None),
        v => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                tongban_app::AppError::new(
                    tongban_domain::codes::Request::Query,
                    format!("日期“{v}”格式不对，应如 2026-03-02"),
                )
            }),
    }
}

/// `GET /cases/search`: staff search the cases they may see.
pub async fn search(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    crate::json::PageQuery(mut form): crate::json::PageQuery<SearchForm>,
) -> PageResult<Response> {
    let app = &state.app;
    let actor = &who.actor;
    one_box(&mut form);
    let scope = match (actor.role, who.user.department_id) {
        (Role::Clerk | Role::Approver | Role::DeptHead, Some(id)) => {
            let name = app
                .store
                .department(id)
                .await?
                .map_or_else(String::new, |d| d.name);
            format!("{name}受理或参与办理的办件")
        }
        (Role::Supervisor | Role::Leader | Role::Admin, _) => "辖区内的办件".into(),
        (Role::Legal, _) => "辖区内不予受理、不予许可的办件".into(),
        _ => return Err(PageError(tongban_app::AppError::forbidden())),
    };
    let mut page = SearchPage {
        base: Base::new("办件查询", Some(&who), large),
        scope,
        q: SearchForm::default(),
        searched: false,
        rows: Vec::new(),
        limit: tongban_app::case_search::SEARCH_LIMIT,
        error: None,
    };
    let query = match (search_date(&form.from), search_date(&form.to)) {
        (Ok(from), Ok(to)) => Some(tongban_app::case_search::CaseQuery {
            number: form.number.clone(),
            name: form.name.clone(),
            tail: form.tail.clone(),
            item: form.item.clone(),
            from,
            to,
        }),
        (Err(e), _) | (_, Err(e)) => {
            page.error = Some((e.code.to_string(), e.message));
            None
        }
    };
    page.q = form;
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        page.searched = true;
        match app.search_cases(actor, &query).await {
            Ok(lines) => {
                let marks = app.queue_marks(&lines).await?;
                page.rows = lines.into_iter().map(|l| marked_row(l, &marks)).collect();
            }
            Err(e) if e.kind == tongban_app::Kind::Invalid => {
                page.error = Some((e.code.to_string(), e.message));
            }
            Err(e) => return Err(PageError(e)),
        }
    }
    Ok(views::render(&page))
}
