//! The page models: one askama template each, all extending `base.html`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tongban_app::accounts::SignedIn;
use tongban_domain::org::Role;

/// What every page's frame needs: the title, who is signed in, the anti-forgery token for its
/// forms, and the text size.
pub struct Base {
    pub title: String,
    pub who: Option<(String, String)>,
    pub staff: bool,
    /// May open the catalog's working side (`/catalog`): not agents.
    pub catalog: bool,
    /// May open the 12345 desk (`/hotline`): the centre, units' staff and supervision.
    pub hotline: bool,
    pub admin: bool,
    /// May open the supervision centre (`/supervision`): supervisors, leaders, administrators.
    pub supervision: bool,
    pub csrf: String,
    pub large: bool,
}

impl Base {
    pub fn anonymous(title: &str) -> Base {
        Base {
            title: title.into(),
            who: None,
            staff: false,
            catalog: false,
            hotline: false,
            admin: false,
            supervision: false,
            csrf: String::new(),
            large: false,
        }
    }

    pub fn new(title: &str, who: Option<&SignedIn>, large: bool) -> Base {
        Base {
            title: title.into(),
            who: who.map(|s| (s.user.name.clone(), s.user.role.label().to_string())),
            staff: who.is_some_and(|s| s.user.role.is_staff()),
            catalog: who.is_some_and(|s| tongban_domain::catalog::sees_drafts(s.user.role)),
            hotline: who.is_some_and(|s| s.user.role.uses_hotline()),
            admin: who.is_some_and(|s| matches!(s.user.role, Role::Admin | Role::Supervisor)),
            supervision: who.is_some_and(|s| s.user.role.watches_board()),
            csrf: who.map(|s| s.csrf.clone()).unwrap_or_default(),
            large,
        }
    }
}

pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub base: Base,
    pub code: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub base: Base,
    /// 一件事一次办: the published bundles.
    pub bundles: Vec<crate::pages::bundles::BundleLink>,
    /// 人生事件 of 个人办事 and of 法人办事, each with its published items.
    pub person_events: Vec<tongban_app::portal::EventLinks>,
    pub company_events: Vec<tongban_app::portal::EventLinks>,
    pub themes: &'static [&'static str],
    /// The week's hot searches (query, count).
    pub hot: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login {
    pub base: Base,
    pub login: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The page to return to after signing in; empty for the home page.
    pub next: String,
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct Register {
    pub base: Base,
    pub kind: String,
    pub login: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub id_number: String,
    pub uscc: String,
    pub error: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "me.html")]
pub struct Me {
    pub base: Base,
    pub name: String,
    pub login: String,
    pub kind: String,
    pub id_masked: Option<String>,
    pub uscc: Option<String>,
    pub phone_masked: Option<String>,
    pub email_masked: Option<String>,
    pub cases: Vec<CaseRow>,
}

#[derive(Template)]
#[template(path = "workbench.html")]
pub struct Workbench {
    pub base: Base,
    pub name: String,
    pub role: String,
    pub department: Option<String>,
    pub region: String,
    pub hall: Option<String>,
    pub posts: Vec<PostLine>,
    pub windows: Vec<String>,
    pub colleagues: Vec<String>,
    pub links: Vec<(String, String)>,
    pub away: bool,
    pub lists: CaseLists,
}

/// The case lists of a workbench, each shown only when the role has it.
/// A catalog reviewer's stage and the versions waiting for it: (item id, name, version).
pub type ReviewQueue = (&'static str, Vec<(i64, String, i64)>);

#[derive(Default)]
pub struct CaseLists {
    /// 窗口收件 / 代办申报 link.
    pub can_file: bool,
    /// The case search (staff and supervision).
    pub can_search: bool,
    /// A catalog reviewer's queue: the stage (初审/复审/审定) and the versions waiting for it
    /// (item id, name, version).
    pub reviews: Option<ReviewQueue>,
    /// An agent's filings (我的办件).
    pub mine: Option<Vec<CaseRow>>,
    /// 窗口待办: to check, awaiting supplement, results to hand out.
    pub window: Option<Vec<CaseRow>>,
    pub steps_title: &'static str,
    pub steps: Option<Vec<StepDue>>,
    /// 待审批: extensions and waivers for a head.
    pub head: Option<Vec<CaseRow>>,
    /// 否定报备 for supervision.
    pub negative: Option<Vec<NegativeLine>>,
    /// Open findings of the detectors for a supervisor to confirm or dismiss.
    pub findings: Option<Vec<FindingLine>>,
    /// Supervision orders: a supervisor's (to close) or a head's (to answer).
    pub orders: Option<Vec<OrderItem>>,
    pub orders_to_answer: bool,
}

pub struct OrderItem {
    pub id: i64,
    /// The subject as the list names it (a case by its number, others with their kind).
    pub shown: String,
    /// The subject's page.
    pub href: String,
    pub instruction: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
    pub reply: String,
    /// Replied and waiting for the supervisor to close it.
    pub closable: bool,
}

pub struct FindingLine {
    pub id: i64,
    pub at: String,
    pub rule: &'static str,
    /// The subject as the list names it (a case by its number, others with their kind).
    pub shown: String,
    /// The subject's page.
    pub href: String,
    pub department: String,
    pub detail: String,
}

pub struct CaseRow {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub status: String,
    pub received: String,
    pub due: String,
    /// The case's next deadline in the index (its name), the time left to it and its light
    /// (CSS class and label); empty in lists that do not show them, or when no clock runs.
    pub deadline: String,
    pub left: String,
    pub light: &'static str,
    pub light_label: &'static str,
}

pub struct StepDue {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub step: String,
    pub due: String,
    pub left: String,
    /// `overdue`, `soon` (a day or less) or empty.
    pub level: &'static str,
}

pub struct NegativeLine {
    pub at: String,
    pub number: String,
    pub department: String,
    pub what: String,
    pub reason: String,
    pub actor: String,
}

pub struct PostLine {
    pub name: String,
    pub holder: String,
    pub substitute: String,
    pub acting_now: bool,
    pub mine_as: &'static str,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct Password {
    pub base: Base,
    pub error: Option<String>,
}

/// A generic administration page: a table, row actions and a creation form.
#[derive(Template)]
#[template(path = "admin_table.html")]
pub struct AdminTable {
    pub base: Base,
    pub heading: String,
    pub intro: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub has_actions: bool,
    pub form: Option<FormSpec>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub nav: Vec<(String, String)>,
}

pub struct Row {
    pub cells: Vec<String>,
    pub actions: Vec<Action>,
}

/// A one-button form posting to `url`.
pub struct Action {
    pub url: String,
    pub label: String,
}

pub struct FormSpec {
    pub action: String,
    pub submit: String,
    pub fields: Vec<Field>,
}

pub struct Field {
    pub name: String,
    pub label: String,
    /// `text`, `password`, `number`, `date` or `select`.
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub hint: String,
}

impl Field {
    pub fn text(name: &str, label: &str, required: bool, hint: &str) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind: "text",
            options: vec![],
            required,
            hint: hint.into(),
        }
    }

    pub fn with_kind(mut self, kind: &'static str) -> Field {
        self.kind = kind;
        self
    }

    pub fn select(
        name: &str,
        label: &str,
        options: Vec<(String, String)>,
        required: bool,
    ) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind: "select",
            options,
            required,
            hint: String::new(),
        }
    }
}

/// The audit log in words: each action's label, each object named and linked.
#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct AdminAudit {
    pub base: Base,
    pub nav: Vec<(String, String)>,
    pub lines: Vec<AuditRow>,
    /// The `before=` of the next (older) page, when there is one.
    pub older: Option<i64>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object: Option<(String, Option<String>)>,
    pub region: String,
    pub summary: String,
    pub hash: String,
}
