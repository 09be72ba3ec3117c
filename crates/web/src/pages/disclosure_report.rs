//! The annual disclosure report (政府信息公开工作年度报告) as a page, a workbook and a
//! drill-down from every figure to the requests behind it. The same use cases as the API.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::disclosure_report::{ReportCell, ReportView};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::disclosure::catalog::{Heading, ProactiveFigure};
use tongban_domain::disclosure::report::{NarrativeSection, RemedyColumn, RemedyGroup, ReportRow};
use tongban_domain::disclosure::ReportColumn;
use tongban_domain::org::Role;
use tongban_domain::time::{format_local, local_date};
use tongban_exchange::table::{workbook_of, Sheet, Value};
use tongban_store::disclosure::ReportScope;

use crate::error::{status, PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

/// The report's address: `year`, and `department` (an agency) or `region` (a roll-up).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// Drill-down: a row of table 三 and a column (`total` for 总计) …
    #[serde(default)]
    pub row: Option<String>,
    #[serde(default)]
    pub col: Option<String>,
    /// … or a group of table 四 and its column.
    #[serde(default)]
    pub group: Option<String>,
    /// Table 二's drill-down: a catalog heading and a figure.
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub figure: Option<String>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Reads the year (default: last year) and the scope (default: the reader's own office, or
/// their region for supervisors, leaders and administrators).
pub fn scope_of(
    who: &SignedIn,
    q: &ReportQuery,
    this_year: i32,
) -> Result<(ReportScope, i32), AppError> {
    let year = match blank(&q.year) {
        Some(y) => y
            .parse::<i32>()
            .map_err(|_| AppError::of(codes::Disclosure::ReportYear))?,
        None => this_year - 1,
    };
    let scope = match (blank(&q.department), blank(&q.region)) {
        (Some(d), _) => ReportScope::Department(
            d.parse()
                .map_err(|_| AppError::of(codes::Disclosure::ReportScope))?,
        ),
        (None, Some(r)) => ReportScope::Region(r.to_string()),
        (None, None) => match (who.actor.role, who.actor.department_id, &who.actor.region) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d), _) => {
                ReportScope::Department(d)
            }
            (_, _, Some(r)) => ReportScope::Region(r.as_str().to_string()),
            _ => return Err(AppError::of(codes::Disclosure::ReportScope)),
        },
    };
    Ok((scope, year))
}

/// The query string naming the report.
fn address(scope: &ReportScope, year: i32) -> String {
    match scope {
        ReportScope::Department(d) => format!("year={year}&department={d}"),
        ReportScope::Region(r) => format!("year={year}&region={r}"),
    }
}

/// One figure of a table, with the link to the requests behind it (none for a zero).
pub struct Figure {
    pub n: usize,
    pub href: Option<String>,
}

pub struct Row {
    pub wire: &'static str,
    pub label: &'static str,
    pub figures: Vec<Figure>,
}

#[derive(askama::Template)]
#[template(path = "disclosure_report.html")]
pub struct ReportPage {
    pub base: Base,
    pub v: ReportView,
    pub address: String,
    pub columns: Vec<&'static str>,
    pub requests: Vec<Row>,
    pub remedy_columns: Vec<&'static str>,
    pub remedies: Vec<Row>,
    /// (article, content, figure, value, link to the entries behind it).
    pub proactive: Vec<(
        &'static str,
        &'static str,
        &'static str,
        String,
        Option<String>,
    )>,
    pub sections: Vec<(&'static str, &'static str, String)>,
    pub published: Option<String>,
    pub scope_field: (&'static str, String),
    pub notice: Option<String>,
    /// (code, message)
    pub error: Option<(String, String)>,
}

fn page_of(
    who: &SignedIn,
    large: bool,
    scope: &ReportScope,
    v: ReportView,
    notice: Option<String>,
    error: Option<AppError>,
) -> ReportPage {
    let addr = address(scope, v.year);
    let cols: Vec<&'static str> = ReportColumn::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(std::iter::once("total"))
        .collect();
    let requests = v
        .requests
        .iter()
        .map(|l| Row {
            wire: l.row.as_str(),
            label: l.label,
            figures: l
                .counts
                .iter()
                .zip(&cols)
                .map(|(&n, c)| Figure {
                    n,
                    href: (n > 0).then(|| {
                        format!(
                            "/disclosure/report/requests?{addr}&row={}&col={c}",
                            l.row.as_str()
                        )
                    }),
                })
                .collect(),
        })
        .collect();
    let remedies = v
        .remedies
        .iter()
        .map(|l| Row {
            wire: l.group.as_str(),
            label: l.label,
            figures: l
                .counts
                .iter()
                .zip(RemedyColumn::ALL)
                .map(|(&n, c)| Figure {
                    n,
                    href: (n > 0).then(|| {
                        format!(
                            "/disclosure/report/requests?{addr}&group={}&col={}",
                            l.group.as_str(),
                            c.as_str()
                        )
                    }),
                })
                .collect(),
        })
        .collect();
    let proactive = v
        .proactive
        .iter()
        .flat_map(|l| {
            l.figures.iter().map(|f| {
                (
                    l.article,
                    l.label,
                    f.label,
                    f.value.clone(),
                    (f.entries > 0).then(|| {
                        format!(
                            "/disclosure/report/entries?{addr}&heading={}&figure={}",
                            l.heading.as_str(),
                            f.figure.as_str()
                        )
                    }),
                )
            })
        })
        .collect();
    let sections = v
        .sections
        .iter()
        .map(|(s, t)| (s.as_str(), s.label(), t.clone()))
        .collect();
    let scope_field = match scope {
        ReportScope::Department(d) => ("department", d.to_string()),
        ReportScope::Region(r) => ("region", r.clone()),
    };
    ReportPage {
        base: Base::new(
            &format!("{} {} 年度政府信息公开工作年度报告", v.title, v.year),
            Some(who),
            large,
        ),
        address: addr,
        columns: ReportColumn::ALL.iter().map(|c| c.label()).collect(),
        requests,
        remedy_columns: RemedyColumn::ALL.iter().map(|c| c.label()).collect(),
        remedies,
        proactive,
        sections,
        published: v.published_at.map(format_local),
        scope_field,
        notice,
        error: error.map(|e| (e.code.to_string(), e.message)),
        v,
    }
}

fn this_year(state: &AppState) -> i32 {
    local_date(state.app.now()).year()
}

#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

/// `GET /disclosure/report`: the report with its tables, each figure a link to its requests.
pub async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<ReportQuery>,
    PageQuery(f): PageQuery<Flash>,
) -> PageResult<Response> {
    let (scope, year) = scope_of(&who, &q, this_year(&state))?;
    let v = state
        .app
        .disclosure_report(&who.actor, &scope, year)
        .await?;
    let notice = match f.ok.as_deref() {
        Some("saved") => Some("报告正文已保存。".to_string()),
        Some("published") => Some("年度报告已公布。".to_string()),
        _ => None,
    };
    Ok(views::render(&page_of(
        &who, large, &scope, v, notice, None,
    )))
}

/// `POST /disclosure/report`: saves the narrative sections, or publishes (`publish`).
pub async fn save(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let q = ReportQuery {
        year: get("year"),
        department: get("department"),
        region: get("region"),
        ..ReportQuery::default()
    };
    let (scope, year) = scope_of(&who, &q, this_year(&state))?;
    let publish = get("publish").is_some();
    let result = if publish {
        state
            .app
            .publish_disclosure_report(&who.actor, &scope, year)
            .await
    } else {
        let sections: Vec<(NarrativeSection, String)> = NarrativeSection::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    get(&format!("section_{}", s.as_str())).unwrap_or_default(),
                )
            })
            .collect();
        state
            .app
            .save_disclosure_report(&who.actor, &scope, year, &sections)
            .await
    };
    match result {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!(
                    "/disclosure/report?{}&ok={}",
                    address(&scope, year),
                    if publish { "published" } else { "saved" }
                ),
            )],
        )
            .into_response()),
        Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let v = state
                .app
                .disclosure_report(&who.actor, &scope, year)
                .await?;
            let page = page_of(&who, large, &scope, v, None, Some(e));
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

#[derive(askama::Template)]
#[template(path = "disclosure_report_requests.html")]
pub struct DrillPage {
    pub base: Base,
    pub title: String,
    pub what: String,
    pub back: String,
    pub numbers: Vec<String>,
}

/// The cell a drill-down names.
pub fn cell_of(q: &ReportQuery) -> Result<(ReportCell, String), AppError> {
    let bad = || AppError::of(codes::Request::Query);
    let col = blank(&q.col).ok_or_else(bad)?;
    if let Some(g) = blank(&q.group) {
        let group = RemedyGroup::parse(g).ok_or_else(bad)?;
        let c = RemedyColumn::parse(col).ok_or_else(bad)?;
        return Ok((
            ReportCell::Remedies(group, c),
            format!("{} · {}", group.label(), c.label()),
        ));
    }
    let row = blank(&q.row).and_then(ReportRow::parse).ok_or_else(bad)?;
    let c = if col == "total" {
        None
    } else {
        Some(ReportColumn::parse(col).ok_or_else(bad)?)
    };
    Ok((
        ReportCell::Requests(row, c),
        format!("{} · {}", row.label(), c.map_or("总计", |c| c.label())),
    ))
}

/// `GET /disclosure/report/requests`: the requests behind one figure.
pub async fn requests(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<ReportQuery>,
) -> PageResult<Response> {
    let (scope, year) = scope_of(&who, &q, this_year(&state))?;
    let (cell, what) = cell_of(&q)?;
    let v = state
        .app
        .disclosure_report(&who.actor, &scope, year)
        .await?;
    let page = DrillPage {
        base: Base::new(
            &format!("{} {} 年度报告 · 明细", v.title, year),
            Some(&who),
            large,
        ),
        title: format!("{} {} 年度", v.title, year),
        what,
        back: format!("/disclosure/report?{}", address(&scope, year)),
        numbers: v.drill(cell),
    };
    Ok(views::render(&page))
}

#[derive(askama::Template)]
#[template(path = "disclosure_report_entries.html")]
pub struct EntriesPage {
    pub base: Base,
    pub title: String,
    pub what: String,
    pub back: String,
    pub entries: Vec<tongban_app::disclosure_catalog::CatalogEntryView>,
}

/// `GET /disclosure/report/entries`: the catalog entries behind one figure of table 二.
pub async fn entries(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<ReportQuery>,
) -> PageResult<Response> {
    let (scope, year) = scope_of(&who, &q, this_year(&state))?;
    let bad = || AppError::of(codes::Request::Query);
    let heading = blank(&q.heading).and_then(Heading::parse).ok_or_else(bad)?;
    let figure = blank(&q.figure)
        .and_then(ProactiveFigure::parse)
        .ok_or_else(bad)?;
    let v = state
        .app
        .disclosure_report(&who.actor, &scope, year)
        .await?;
    let entries = state
        .app
        .proactive_entries(&who.actor, &scope, year, heading, figure)
        .await?;
    let page = EntriesPage {
        base: Base::new(
            &format!("{} {} 年度报告 · 主动公开明细", v.title, year),
            Some(&who),
            large,
        ),
        title: format!("{} {} 年度", v.title, year),
        what: format!("{} · {}", heading.label(), figure.label()),
        back: format!("/disclosure/report?{}", address(&scope, year)),
        entries,
    };
    Ok(views::render(&page))
}

/// `GET /disclosure/report.xlsx`: the report as a workbook, one sheet per table and one for
/// the text.
pub async fn xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageQuery(q): PageQuery<ReportQuery>,
) -> PageResult<Response> {
    let (scope, year) = scope_of(&who, &q, this_year(&state))?;
    let v = state
        .app
        .disclosure_report(&who.actor, &scope, year)
        .await?;
    let bytes = report_workbook(&v).map_err(PageError)?;
    let name = format!("{}{}年度政府信息公开工作年度报告.xlsx", v.title, year);
    Ok((
        [
            (header::CONTENT_TYPE, super::board::XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    super::items::percent(&name)
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The workbook of a report: 二、主动公开, 三、依申请公开, 四、复议诉讼, and the text.
pub fn report_workbook(v: &ReportView) -> Result<Vec<u8>, AppError> {
    let proactive: Vec<Vec<Value>> = v
        .proactive
        .iter()
        .flat_map(|l| {
            l.figures
                .iter()
                .map(|f| {
                    vec![
                        Value::from(l.article),
                        Value::from(l.label),
                        Value::from(f.label),
                        match f.figure {
                            ProactiveFigure::Amount => Value::from(f.value.as_str()),
                            _ => Value::Int(f.entries),
                        },
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut req_headers: Vec<&str> = vec!["项目"];
    req_headers.extend(ReportColumn::ALL.iter().map(|c| c.label()));
    req_headers.push("总计");
    let requests: Vec<Vec<Value>> = v
        .requests
        .iter()
        .map(|l| {
            std::iter::once(Value::from(l.label))
                .chain(l.counts.iter().map(|&n| Value::Int(n as i64)))
                .collect()
        })
        .collect();
    let mut rem_headers: Vec<&str> = vec!["类别"];
    rem_headers.extend(RemedyColumn::ALL.iter().map(|c| c.label()));
    let remedies: Vec<Vec<Value>> = v
        .remedies
        .iter()
        .map(|l| {
            std::iter::once(Value::from(l.label))
                .chain(l.counts.iter().map(|&n| Value::Int(n as i64)))
                .collect()
        })
        .collect();
    let text: Vec<Vec<Value>> = v
        .sections
        .iter()
        .map(|(s, t)| vec![Value::from(s.label()), Value::from(t.clone())])
        .collect();
    workbook_of(&[
        Sheet {
            name: "二、主动公开",
            headers: &["条款", "信息内容", "项目", "数量"],
            rows: &proactive,
        },
        Sheet {
            name: "三、依申请公开",
            headers: &req_headers,
            rows: &requests,
        },
        Sheet {
            name: "四、复议诉讼",
            headers: &rem_headers,
            rows: &remedies,
        },
        Sheet {
            name: "正文",
            headers: &["部分", "内容"],
            rows: &text,
        },
    ])
    .map_err(AppError::internal)
}
