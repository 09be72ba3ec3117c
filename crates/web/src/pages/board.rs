//! The supervision centre (监察中心): the board of a supervisor's region, its live stream of
//! warnings and findings, the drill-down from any number to the deadlines behind it, and every
//! list of the board as a workbook. The use cases decide who may see what; every request asks
//! them again.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use tongban_app::accounts::SignedIn;
use tongban_app::board::{Board, BoardFilter, Figures, LitMark};
use tongban_app::{AppError, Kind};
use tongban_domain::supervision::{Light, SubjectKind};
use tongban_domain::time::format_local;
use tongban_exchange::table::{workbook, Value};
use tongban_store::findings::FindingRow;
use tongban_store::watch::{LitClock, WarningRow};

use crate::board_query::BoardQuery;
use crate::error::{PageError, PageResult};
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

/// How often the live stream looks for news.
const POLL: Duration = Duration::from_secs(1);
/// A stream ends after this long (real time) and the browser reconnects, when the session's
/// time limits are judged again (and the stream resumes from the last event it got).
const STREAM_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Rows at most in a drill-down or an export.
const LIST_LIMIT: usize = 1000;

fn at(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(format_local)
        .unwrap_or_default()
}

fn case_href(number: &str) -> String {
    format!("/cases/{}", super::cases::segment(number))
}

/// A subject's page: a case's as always, the others' by their kind.
pub(crate) fn subject_href(kind: SubjectKind, number: &str) -> String {
    match kind {
        SubjectKind::Case => case_href(number),
        other => other.path(number),
    }
}

/// How a list names a subject: a case by its number, as always; the others with their kind
/// (`12345工单 GD…`), since the lists mix them.
pub(crate) fn subject_shown(kind: SubjectKind, number: &str) -> String {
    match kind {
        SubjectKind::Case => number.to_string(),
        other => format!("{} {number}", other.label()),
    }
}

/// Department and hall names for the board's lines and lists.
pub(crate) struct Names {
    departments: HashMap<i64, String>,
    halls: HashMap<i64, String>,
}

impl Names {
    pub(crate) async fn load(state: &AppState) -> Result<Names, AppError> {
        let store = &state.app.store;
        Ok(Names {
            departments: store
                .departments(None)
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            halls: store
                .halls(None)
                .await?
                .into_iter()
                .map(|h| (h.id, h.name))
                .collect(),
        })
    }

    pub(crate) fn department(&self, id: i64) -> String {
        self.departments
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("部门 {id}"))
    }

    pub(crate) fn hall(&self, id: i64) -> String {
        match id {
            0 => "网上申请".into(),
            _ => self
                .halls
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("大厅 {id}")),
        }
    }
}

/// A finding as the board lists it and the stream sends it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingItem {
    pub id: i64,
    pub at: String,
    pub rule: String,
    pub rule_label: &'static str,
    /// `case`, `ticket`, `disclosure`, `rating`.
    pub kind: &'static str,
    pub number: String,
    /// The number as the list shows it (with the kind, unless a case).
    pub shown: String,
    pub href: String,
    pub department: String,
    pub detail: String,
}

impl FindingItem {
    pub(crate) fn new(f: &FindingRow, names: &Names) -> FindingItem {
        FindingItem {
            id: f.id,
            at: at(f.created_at),
            rule_label: super::home::rule_label(&f.rule),
            rule: f.rule.clone(),
            href: subject_href(f.subject_kind, &f.subject_number),
            kind: f.subject_kind.as_str(),
            number: f.subject_number.clone(),
            shown: subject_shown(f.subject_kind, &f.subject_number),
            department: names.department(f.department_id),
            detail: f.detail.clone(),
        }
    }
}

/// A warning as the board lists it and the stream sends it.
#[derive(Debug, Clone, Serialize)]
pub struct WarningItem {
    pub id: i64,
    pub at: String,
    /// `yellow` or `red`.
    pub light: &'static str,
    pub light_label: &'static str,
    /// `case`, `ticket`, `disclosure`, `rating`.
    pub kind: &'static str,
    pub number: String,
    /// The number as the list shows it (with the kind, unless a case).
    pub shown: String,
    pub href: String,
    /// The deadline, e.g. 承诺办结期限.
    pub label: String,
    pub department: String,
    pub hall: String,
    /// When the deadline turned this colour.
    pub crossed: String,
}

impl WarningItem {
    pub(crate) fn new(w: &WarningRow, names: &Names) -> WarningItem {
        let light = Light::from_rank(w.light);
        WarningItem {
            id: w.id,
            at: at(w.fired_at),
            light: light.as_str(),
            light_label: light.label(),
            href: subject_href(w.subject_kind, &w.subject_number),
            kind: w.subject_kind.as_str(),
            number: w.subject_number.clone(),
            shown: subject_shown(w.subject_kind, &w.subject_number),
            label: w.label.clone(),
            department: names.department(w.department_id),
            hall: names.hall(w.hall_id),
            crossed: at(w.crossing_at),
        }
    }
}

/// A number on the board and the drill-down behind it.
pub struct Fig {
    pub n: i64,
    pub href: String,
}

/// One line of figures: the totals, a department or a hall.
pub struct FigureRow {
    /// `department-3`, `hall-0` or `totals`: how the page's script finds it again.
    pub key: String,
    pub name: String,
    pub open: Fig,
    pub yellow: Fig,
    pub red: Fig,
    pub received: Fig,
    pub accepted: Fig,
    pub decided: Fig,
    /// 现场办结率, e.g. `87.5%`, or `—` when nothing filed at a hall was decided.
    pub rate: String,
    /// Below the target.
    pub below: bool,
    pub light: &'static str,
}

pub struct RegionLine {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub light: &'static str,
    pub light_label: &'static str,
    pub board_href: String,
    pub open: Fig,
    pub yellow: Fig,
    pub red: Fig,
}

/// A choice in a filter's select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn rate_text(f: &Figures) -> (String, bool) {
    match f.on_the_spot_rate() {
        Some(r) => (
            format!("{r:.1}%"),
            r < f64::from(tongban_app::board::ON_THE_SPOT_TARGET),
        ),
        None => ("—".into(), false),
    }
}

/// Links from a line's numbers to the drill-down, within the board's filters and the line's
/// own scope (`department=3`, `hall=0`, `region=…`).
fn figure_row(
    key: String,
    name: String,
    f: &Figures,
    q: &BoardQuery,
    scope: &[(&str, String)],
    day: NaiveDate,
) -> FigureRow {
    let day = day.format("%Y-%m-%d").to_string();
    let link = |light: &str, dated: bool| {
        let mut set: Vec<(&str, String)> = scope.to_vec();
        set.push(("light", light.to_string()));
        set.push(("day", String::new()));
        set.push(("item", String::new()));
        let (from, to) = if dated {
            (day.clone(), day.clone())
        } else {
            (String::new(), String::new())
        };
        set.push(("from", from));
        set.push(("to", to));
        format!("/supervision/cases?{}", q.with(&set))
    };
    let (rate, below) = rate_text(f);
    FigureRow {
        key,
        name,
        open: Fig {
            n: f.open,
            href: link("", false),
        },
        yellow: Fig {
            n: f.yellow,
            href: link("yellow", false),
        },
        red: Fig {
            n: f.red,
            href: link("red", false),
        },
        received: Fig {
            n: f.received,
            href: link("", true),
        },
        accepted: Fig {
            n: f.accepted,
            href: link("", true),
        },
        decided: Fig {
            n: f.decided,
            href: link("", true),
        },
        rate,
        below,
        light: f.light().as_str(),
    }
}

#[derive(Template)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub base: Base,
    pub region_name: String,
    pub day: String,
    pub at: String,
    pub target: u32,
    /// The provisional-calendar banner.
    pub provisional: Option<String>,
    pub totals: FigureRow,
    pub departments: Vec<FigureRow>,
    pub halls: Vec<FigureRow>,
    pub regions: Vec<RegionLine>,
    pub findings: Vec<FindingItem>,
    pub warnings: Vec<WarningItem>,
    pub region_choices: Vec<Choice>,
    pub department_choices: Vec<Choice>,
    pub hall_choices: Vec<Choice>,
    /// The filters as a query string, for the script's refresh and the exports.
    pub query: String,
    pub cases_href: String,
    pub cases_xlsx: String,
    /// The current period's ranking: (period label and version, its page, rows of
    /// (level, rank/of, unit, total)).
    pub ranking: Option<Ranking>,
}

/// The current period's ranking on the board: (period label and version, its page, rows of
/// (level, rank/of, unit, total)).
pub type Ranking = (String, String, Vec<(String, String, String, String)>);

/// A filter's choices from the supervisor's own region: regions indented as a tree, then its
/// departments and halls.
async fn choices(
    state: &AppState,
    who: &SignedIn,
    q: &BoardQuery,
) -> Result<(Vec<Choice>, Vec<Choice>, Vec<Choice>), AppError> {
    let store = &state.app.store;
    let own = who.actor.region.as_ref();
    let root_level = own.map_or(0, |r| r.level() as usize);
    let chosen = |key: &str, v: &str| q.get(key) == Some(v);
    let regions = store
        .regions(own)
        .await?
        .into_iter()
        .map(|r| {
            let depth = (r.level as usize).saturating_sub(root_level);
            let code = r.code.to_string();
            Choice {
                selected: chosen("region", &code),
                label: format!("{}{}", "　".repeat(depth), r.name),
                value: code,
            }
        })
        .collect();
    let departments = store
        .departments(own)
        .await?
        .into_iter()
        .map(|d| Choice {
            selected: chosen("department", &d.id.to_string()),
            value: d.id.to_string(),
            label: d.name,
        })
        .collect();
    let mut halls: Vec<Choice> = vec![Choice {
        selected: chosen("hall", "0"),
        value: "0".into(),
        label: "网上申请".into(),
    }];
    halls.extend(store.halls(own).await?.into_iter().map(|h| Choice {
        selected: chosen("hall", &h.id.to_string()),
        value: h.id.to_string(),
        label: h.name,
    }));
    Ok((regions, departments, halls))
}

/// A filter that cannot be read is the person's mistake, but only once they may see the board
/// at all: someone without access hears "forbidden" whatever they typed.
async fn bad_filter(state: &AppState, who: &SignedIn, e: AppError) -> PageError {
    match state.app.board_cursor(&who.actor).await {
        Ok(_) => PageError(e),
        Err(denied) => PageError(denied),
    }
}

/// `GET /supervision`: the board.
pub async fn board(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let parsed = BoardQuery::parse(raw.as_deref()).and_then(|q| q.board_filter().map(|f| (q, f)));
    let (q, filter) = match parsed {
        Ok(v) => v,
        Err(e) => return Err(bad_filter(&state, &who, e).await),
    };
    let board: Board = state.app.board(&who.actor, &filter).await?;
    let names = Names::load(&state).await?;
    let day = board.day;
    let totals = figure_row("totals".into(), "合计".into(), &board.totals, &q, &[], day);
    let departments = board
        .departments
        .iter()
        .map(|l| {
            figure_row(
                format!("department-{}", l.id),
                l.name.clone(),
                &l.figures,
                &q,
                &[("department", l.id.to_string())],
                day,
            )
        })
        .collect();
    let halls = board
        .halls
        .iter()
        .map(|l| {
            figure_row(
                format!("hall-{}", l.id),
                l.name.clone(),
                &l.figures,
                &q,
                &[("hall", l.id.to_string())],
                day,
            )
        })
        .collect();
    let regions: Vec<RegionLine> = board
        .regions
        .iter()
        .map(|r| {
            let scope = [("region", r.code.clone())];
            let row = figure_row(String::new(), String::new(), &r.figures, &q, &scope, day);
            RegionLine {
                board_href: format!("/supervision?{}", q.with(&scope)),
                code: r.code.clone(),
                name: r.name.clone(),
                depth: r.depth,
                light: r.light.as_str(),
                light_label: r.light.label(),
                open: row.open,
                yellow: row.yellow,
                red: row.red,
            }
        })
        .collect();
    let region_name = regions
        .iter()
        .find(|r| r.code == board.region)
        .map_or_else(|| board.region.clone(), |r| r.name.clone());
    let (region_choices, department_choices, hall_choices) = choices(&state, &who, &q).await?;
    let drill = q.with(&[("day", String::new())]);
    let page = BoardPage {
        base: Base::new("监察中心", Some(&who), large),
        region_name,
        day: day.format("%Y-%m-%d").to_string(),
        at: format_local(board.at),
        provisional: board.provisional.clone(),
        target: board.on_the_spot_target,
        totals,
        departments,
        halls,
        regions,
        findings: board
            .findings
            .iter()
            .map(|f| FindingItem::new(f, &names))
            .collect(),
        warnings: board
            .warnings
            .iter()
            .map(|w| WarningItem::new(w, &names))
            .collect(),
        region_choices,
        department_choices,
        hall_choices,
        query: q.with(&[]),
        cases_href: format!("/supervision/cases?{drill}"),
        cases_xlsx: format!("/supervision/cases.xlsx?{drill}"),
        ranking: state.app.current_ranking(&who.actor).await?.map(|v| {
            (
                format!("{}（第{}版）", v.period.label(), v.version),
                format!(
                    "/performance/periods/{}",
                    v.row.as_ref().map_or(0, |r| r.id)
                ),
                v.scores
                    .iter()
                    .map(|u| {
                        (
                            format!("{}（{}）", u.unit_kind.label(), u.level.label()),
                            format!("{}/{}", u.rank, u.of),
                            u.unit_name.clone(),
                            u.total_text(),
                        )
                    })
                    .collect(),
            )
        }),
    };
    Ok(views::render(&page))
}

/// A lit deadline as the drill-down and its export show it, of any kind of subject. The
/// applicant's or caller's name is masked, as on every list a shared screen may show.
pub struct LitLine {
    /// The number as the list shows it (with the kind, unless a case).
    pub shown: String,
    pub href: String,
    /// The catalog item (cases only).
    pub item_id: Option<i64>,
    /// The item's name, the ticket's subject line.
    pub title: String,
    pub applicant: String,
    pub label: String,
    pub light: &'static str,
    pub light_label: &'static str,
    pub due: String,
    pub department: String,
    pub hall: String,
    pub received: String,
    /// Who answers for the deadline.
    pub responsible: String,
    /// Time left or past in working days: 已超时 3 个工作日.
    pub left: String,
}

impl LitLine {
    fn new(c: &LitClock, mark: &LitMark, names: &Names) -> LitLine {
        let light = Light::from_rank(c.light);
        LitLine {
            href: subject_href(c.subject_kind, &c.subject_number),
            shown: subject_shown(c.subject_kind, &c.subject_number),
            item_id: c.item_id,
            title: c.title.clone(),
            applicant: tongban_domain::mask::name(&c.party),
            label: c.label.clone(),
            light: light.as_str(),
            light_label: light.label(),
            // The deadline is the last instant before the clock turns red.
            due: at(c.red_at - 1),
            department: names.department(c.department_id),
            hall: names.hall(c.hall_id),
            received: at(c.opened_at),
            responsible: mark.responsible.clone(),
            left: mark.left.map(|l| l.text()).unwrap_or_default(),
        }
    }
}

/// The drill-down's lines for a query, checked by the use case.
async fn lit_lines(
    state: &AppState,
    who: &SignedIn,
    q: &BoardQuery,
) -> Result<Vec<LitLine>, PageError> {
    let (region, filter, light) = match q.lit_filter() {
        Ok(v) => v,
        Err(e) => return Err(bad_filter(state, who, e).await),
    };
    let rows = state
        .app
        .board_cases(&who.actor, region.as_ref(), filter)
        .await?;
    let names = Names::load(state).await?;
    let rows: Vec<LitClock> = rows
        .into_iter()
        .filter(|c| light.keeps(Light::from_rank(c.light)))
        .take(LIST_LIMIT)
        .collect();
    let marks = state.app.lit_marks(&rows).await?;
    Ok(rows
        .iter()
        .zip(&marks)
        .map(|(c, m)| LitLine::new(c, m, &names))
        .collect())
}

#[derive(Template)]
#[template(path = "board_cases.html")]
pub struct CasesPage {
    pub base: Base,
    pub lines: Vec<LitLine>,
    pub light: &'static str,
    pub region_choices: Vec<Choice>,
    pub department_choices: Vec<Choice>,
    pub hall_choices: Vec<Choice>,
    /// Items of the lines listed, and the chosen one.
    pub item_choices: Vec<Choice>,
    /// The kinds of subject, and the chosen one.
    pub kind_choices: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub board_href: String,
    pub xlsx_href: String,
    pub limited: bool,
}

/// `GET /supervision/cases`: the lit deadlines behind a number on the board.
pub async fn cases(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let q = match BoardQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return Err(bad_filter(&state, &who, e).await),
    };
    let lines = lit_lines(&state, &who, &q).await?;
    let (region_choices, department_choices, hall_choices) = choices(&state, &who, &q).await?;
    let mut items: BTreeMap<i64, String> = lines
        .iter()
        .filter_map(|l| l.item_id.map(|id| (id, l.title.clone())))
        .collect();
    if let Some(id) = q.get("item").and_then(|v| v.parse::<i64>().ok()) {
        items.entry(id).or_insert_with(|| format!("事项 {id}"));
    }
    let item_choices = items
        .into_iter()
        .map(|(id, name)| Choice {
            selected: q.get("item") == Some(id.to_string().as_str()),
            value: id.to_string(),
            label: name,
        })
        .collect();
    let light = q.light().unwrap_or_default().as_str();
    let page = CasesPage {
        base: Base::new("预警办件", Some(&who), large),
        limited: lines.len() >= LIST_LIMIT,
        lines,
        light,
        region_choices,
        department_choices,
        hall_choices,
        item_choices,
        kind_choices: SubjectKind::ALL
            .iter()
            .map(|k| Choice {
                selected: q.get("kind") == Some(k.as_str()),
                value: k.as_str().to_string(),
                label: k.label().to_string(),
            })
            .collect(),
        from: q.get("from").unwrap_or_default().to_string(),
        to: q.get("to").unwrap_or_default().to_string(),
        board_href: format!(
            "/supervision?{}",
            q.with(&[
                ("light", String::new()),
                ("item", String::new()),
                ("from", String::new()),
                ("to", String::new()),
            ])
        ),
        xlsx_href: format!("/supervision/cases.xlsx?{}", q.with(&[])),
    };
    Ok(views::render(&page))
}

/// The content type of an xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        super::items::percent(name)
    );
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            // Supervision data: never kept by a shared cache.
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

fn table(sheet: &str, headers: &[&str], rows: &[Vec<Value>]) -> Result<Vec<u8>, AppError> {
    workbook(sheet, headers, rows).map_err(AppError::internal)
}

/// `GET /supervision/cases.xlsx`: the drill-down as a workbook, with the same filters.
pub async fn cases_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let q = match BoardQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return Err(bad_filter(&state, &who, e).await),
    };
    let rows: Vec<Vec<Value>> = lit_lines(&state, &who, &q)
        .await?
        .into_iter()
        .map(|l| {
            vec![
                l.shown.into(),
                l.title.into(),
                l.applicant.into(),
                l.label.into(),
                l.light_label.into(),
                l.due.into(),
                l.department.into(),
                l.hall.into(),
                l.received.into(),
                l.responsible.into(),
                l.left.into(),
            ]
        })
        .collect();
    let bytes = table(
        "预警办件",
        &[
            "办件编号",
            "事项",
            "申请人",
            "期限",
            "灯色",
            "到期时间",
            "部门",
            "大厅",
            "收件时间",
            "责任人",
            "剩余或超时",
        ],
        &rows,
    )?;
    Ok(xlsx(bytes, "预警办件.xlsx"))
}

/// `GET /supervision/findings.xlsx?status=`: the findings of the supervisor's region.
pub async fn findings_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let q = match BoardQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return Err(bad_filter(&state, &who, e).await),
    };
    let found = state.app.findings(&who.actor, q.get("status")).await?;
    let names = Names::load(&state).await?;
    let rows: Vec<Vec<Value>> = found
        .iter()
        .map(|f| {
            let item = FindingItem::new(f, &names);
            let status = match f.status.as_str() {
                "open" => "待认定",
                "confirmed" => "已认定问责",
                "dismissed" => "已排除",
                other => other,
            };
            vec![
                f.id.into(),
                item.at.into(),
                item.rule_label.into(),
                item.shown.into(),
                item.department.into(),
                item.detail.into(),
                status.into(),
                f.decision_note.clone().unwrap_or_default().into(),
            ]
        })
        .collect();
    let bytes = table(
        "监察发现",
        &[
            "编号",
            "发现时间",
            "规则",
            "办件编号",
            "部门",
            "情况",
            "状态",
            "认定意见",
        ],
        &rows,
    )?;
    Ok(xlsx(bytes, "监察发现.xlsx"))
}

/// `GET /supervision/warnings.xlsx`: the newest warnings of the supervisor's region.
pub async fn warnings_xlsx(State(state): State<AppState>, Auth(who): Auth) -> PageResult<Response> {
    let warned = state.app.warnings_feed(&who.actor, None, 500).await?;
    let names = Names::load(&state).await?;
    let rows: Vec<Vec<Value>> = warned
        .iter()
        .map(|w| {
            let item = WarningItem::new(w, &names);
            vec![
                w.id.into(),
                item.at.into(),
                item.light_label.into(),
                item.shown.into(),
                item.label.into(),
                item.department.into(),
                item.hall.into(),
                item.crossed.into(),
            ]
        })
        .collect();
    let bytes = table(
        "预警",
        &[
            "编号",
            "预警时间",
            "灯色",
            "办件编号",
            "期限",
            "部门",
            "大厅",
            "变色时间",
        ],
        &rows,
    )?;
    Ok(xlsx(bytes, "预警.xlsx"))
}

/// Where a stream resumes: `Last-Event-ID` as `{warning}.{finding}`.
fn resume_from(headers: &HeaderMap) -> Option<(i64, i64)> {
    let id = headers.get("last-event-id")?.to_str().ok()?;
    let (w, f) = id.split_once('.')?;
    Some((w.parse().ok()?, f.parse().ok()?))
}

/// One open live stream: who, what board, where it stands, and when it must end.
struct Feed {
    state: AppState,
    token: String,
    filter: BoardFilter,
    warning: i64,
    finding: i64,
    started: Instant,
    names: Names,
    closing: Option<tokio::sync::watch::Receiver<bool>>,
}

/// Resolves when the server is shutting down (never, when nobody can tell it so).
async fn closing(rx: &mut Option<tokio::sync::watch::Receiver<bool>>) {
    match rx {
        Some(rx) => loop {
            if *rx.borrow_and_update() {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        },
        None => std::future::pending().await,
    }
}

impl Feed {
    /// The next events, polling once a second; `None` ends the stream.
    async fn next(&mut self) -> Option<Vec<Event>> {
        loop {
            if self.started.elapsed() >= STREAM_LIFETIME {
                return None;
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = closing(&mut self.closing) => return None,
            }
            // The session and the account as they are now, on every poll.
            let who = match self.state.app.streaming_session(&self.token).await {
                Ok(Some(who)) => who,
                Ok(None) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "board stream: session check failed");
                    continue;
                }
            };
            let (warnings, findings) = match self
                .state
                .app
                .board_news(&who.actor, self.warning, self.finding)
                .await
            {
                Ok(news) => news,
                Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Invalid) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "board stream: reading news failed");
                    continue;
                }
            };
            if warnings.is_empty() && findings.is_empty() {
                continue;
            }
            let mut events = Vec::new();
            for w in &warnings {
                self.warning = self.warning.max(w.id);
                events.push(self.event("warning", &WarningItem::new(w, &self.names)));
            }
            for f in &findings {
                self.finding = self.finding.max(f.id);
                events.push(self.event("finding", &FindingItem::new(f, &self.names)));
            }
            // Then the figures the news changed, so the page needs no request of its own.
            match self.state.app.board(&who.actor, &self.filter).await {
                Ok(board) => events
                    .push(self.event("figures", &crate::api::board::BoardFigures::from(&board))),
                Err(e) => tracing::warn!(error = %e, "board stream: reading figures failed"),
            }
            return Some(events.into_iter().flatten().collect());
        }
    }

    fn event<T: Serialize>(&self, name: &str, data: &T) -> Option<Event> {
        Event::default()
            .event(name)
            .id(format!("{}.{}", self.warning, self.finding))
            .json_data(data)
            .map_err(|e| tracing::warn!(error = %e, "board stream: event not encoded"))
            .ok()
    }
}

/// `GET /supervision/stream?region=&department=&hall=&day=`: new warnings and findings of the
/// supervisor's region as server-sent events (`warning`, `finding`), each burst followed by the
/// board's figures under the query's filters (`figures`); JSON data; id `{warning}.{finding}`
/// to resume from.
pub async fn stream(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let Viewer(Some((who, token))) = viewer else {
        return Err(PageError(AppError::unauthenticated()));
    };
    let filter = match BoardQuery::parse(raw.as_deref()).and_then(|q| q.board_filter()) {
        Ok(f) => f,
        Err(e) => return Err(bad_filter(&state, &who, e).await),
    };
    // Asked of the use case even when resuming: it decides who may watch.
    let newest = state.app.board_cursor(&who.actor).await?;
    let (warning, finding) = resume_from(&headers).unwrap_or(newest);
    let feed = Feed {
        names: Names::load(&state).await?,
        closing: state.cfg.closing.clone(),
        state,
        token,
        filter,
        warning,
        finding,
        started: Instant::now(),
    };
    let events = stream::unfold(feed, |mut feed| async move {
        feed.next().await.map(|events| (events, feed))
    })
    .flat_map(stream::iter)
    .map(Ok::<Event, Infallible>);
    let mut res = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    // Tell a buffering proxy to pass each event on at once.
    res.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
