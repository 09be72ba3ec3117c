//! 绩效考评's pages, over the same use cases as the API:
//! - `/performance`: the centre's desk — scheme versions (draft, review, publish), a new
//!   draft's form, publishing a finished period, the published periods;
//! - `/performance/periods/{id}`: a period's ranking per level at a version, its versions with
//!   their reasons, the consequence flags, the correction form (public reading; staff act);
//! - `/performance/periods/{id}/units/{kind}/{unit}`: one unit's explanation — each
//!   indicator's value, its formula with the numbers put in, and the points;
//! - `/performance/periods/{id}/units/{kind}/{unit}/{indicator}`: the drill-down — the cases,
//!   findings, orders or ratings behind a value (staff);
//! - `/performance/periods/{id}/export.xlsx`: the version as a workbook;
//! - `/performance/public`: published periods and the scheme's formulas (public).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::performance::{may_score, Adjustment};
use tongban_app::AppError;
use tongban_domain::codes;
use tongban_domain::org::Role;
use tongban_domain::performance::score::{permille_text, points_text};
use tongban_domain::performance::{
    Indicator, IndicatorSpec, MemberKind, Period, PeriodKind, Scheme, SchemeStatus, Shape, UnitKind,
};
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

fn target_text(indicator: Indicator, target: i64) -> String {
    match indicator.shape() {
        Shape::Rate => permille_text(target),
        Shape::Count => format!("{target}件"),
    }
}

fn value_text(indicator: Indicator, value: Option<i64>) -> String {
    match (indicator.shape(), value) {
        (_, None) => "—".into(),
        (Shape::Rate, Some(v)) => permille_text(v),
        (Shape::Count, Some(v)) => format!("{v}件"),
    }
}

/// An indicator as the scheme publishes it: (label, definition, target, weight, deduction).
pub type Formula = (String, String, String, i64, String);

fn formula_lines(specs: &[IndicatorSpec]) -> Vec<Formula> {
    specs
        .iter()
        .map(|s| {
            (
                s.indicator.label().to_string(),
                s.indicator.definition(),
                target_text(s.indicator, s.target),
                s.weight,
                if s.indicator.shape() == Shape::Count {
                    format!("每超1件扣{}分", points_text(s.deduct))
                } else {
                    "按 数值÷目标 比例得分，满分为权重".into()
                },
            )
        })
        .collect()
}

/// A fixed-point number typed in a form (`90`, `95.5`, `2.50`) in units of `1/scale`.
fn fixed(s: &str, scale: i64) -> Option<i64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = scale.to_string().len() - 1;
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > digits
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 9
    {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<digits$}").parse().ok()?
    };
    Some(int * scale + frac)
}

pub struct SchemeLine {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub status: String,
    pub status_key: String,
    pub formulas: Vec<Formula>,
    pub can_review: bool,
    pub can_publish: bool,
}

pub struct FieldLine {
    pub wire: String,
    pub label: String,
    pub definition: String,
    pub rate: bool,
    pub target: String,
    pub weight: i64,
    pub deduct: String,
}

#[derive(askama::Template)]
#[template(path = "performance.html")]
pub struct DeskPage {
    pub base: Base,
    pub schemes: Vec<SchemeLine>,
    pub fields: Vec<FieldLine>,
    pub can_draft: bool,
    pub can_score: bool,
    pub default_period: String,
    /// (id, label, period, version, published)
    pub periods: Vec<(i64, String, String, i64, String)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    ok: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    version: String,
}

/// `GET /performance`: the centre's desk.
pub async fn desk(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let app = &state.app;
    let actor = &who.actor;
    if !matches!(
        actor.role,
        Role::Supervisor | Role::Leader | Role::Legal | Role::Admin
    ) {
        return Err(AppError::forbidden().into());
    }
    let schemes = app
        .schemes(actor)
        .await?
        .into_iter()
        .map(|s| SchemeLine {
            id: s.row.id,
            name: s.row.name.clone(),
            version: s.row.version,
            status: s.row.status.label().into(),
            status_key: s.row.status.as_str().into(),
            formulas: formula_lines(&s.indicators),
            can_review: s.row.status == SchemeStatus::Draft
                && s.row.drafted_by != actor.user_id
                && matches!(actor.role, Role::Supervisor | Role::Legal | Role::Leader),
            can_publish: s.row.status == SchemeStatus::Reviewed
                && matches!(actor.role, Role::Leader | Role::Admin),
        })
        .collect();
    let standard = Scheme::standard();
    let fields = Indicator::ALL
        .iter()
        .map(|i| {
            let spec = standard.indicators.iter().find(|s| s.indicator == *i);
            FieldLine {
                wire: i.as_str().into(),
                label: i.label().into(),
                definition: i.definition(),
                rate: i.shape() == Shape::Rate,
                target: match i.shape() {
                    Shape::Rate => permille_text(i.default_target())
                        .trim_end_matches('%')
                        .into(),
                    Shape::Count => i.default_target().to_string(),
                },
                weight: spec.map_or(0, |s| s.weight),
                deduct: spec.map_or_else(|| "2".into(), |s| points_text(s.deduct)),
            }
        })
        .collect();
    let region = actor.region.as_ref().map_or("", |r| r.prefix()).to_string();
    let periods = app
        .published_periods(&region)
        .await?
        .into_iter()
        .map(|p| {
            let label = Period::parse(&p.period).map_or(p.period.clone(), |x| x.label());
            (p.id, label, p.period, p.version, at(p.published_at))
        })
        .collect();
    let last_quarter = Period::containing(
        PeriodKind::Quarter,
        tongban_domain::time::local_date(app.now()),
    )
    .previous();
    let page = DeskPage {
        base: Base::new("绩效考评", Some(&who), large),
        schemes,
        fields,
        can_draft: matches!(actor.role, Role::Supervisor | Role::Admin),
        can_score: may_score(actor.role),
        default_period: last_quarter.to_string(),
        periods,
        notice: (!q.ok.is_empty()).then(|| "已办理".to_string()),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}

/// `POST /performance/schemes`: a new draft from the form. Each indicator's row has a weight
/// (`w_{wire}`, empty or 0 to leave it out), a target (`t_{wire}`: percent for rates, a count
/// for counts) and, for counts, the points taken off per case above it (`d_{wire}`).
pub async fn draft(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let get = |k: String| {
        f.get(&k)
            .map(String::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let mut indicators = Vec::new();
    for i in Indicator::ALL {
        let w = get(format!("w_{}", i.as_str()));
        if w.is_empty() || w == "0" {
            continue;
        }
        let weight = match w.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                return Ok(see_other(format!(
                    "/performance?error={}",
                    codes::Performance::Weight.as_str()
                )))
            }
        };
        let t = get(format!("t_{}", i.as_str()));
        let target = match i.shape() {
            Shape::Rate => fixed(&t, 10),
            Shape::Count => t.parse::<i64>().ok(),
        };
        let deduct = match i.shape() {
            Shape::Count => fixed(&get(format!("d_{}", i.as_str())), 100),
            Shape::Rate => Some(0),
        };
        let (Some(target), Some(deduct)) = (target, deduct) else {
            return Ok(see_other(format!(
                "/performance?error={}",
                codes::Performance::Target.as_str()
            )));
        };
        indicators.push(IndicatorSpec {
            indicator: i,
            target,
            weight,
            deduct,
        });
    }
    let scheme = Scheme {
        name: get("name".into()),
        indicators,
    };
    match state.app.draft_scheme(&who.actor, &scheme).await {
        Ok(_) => Ok(see_other("/performance?ok=1".into())),
        Err(e) => Ok(see_other(format!("/performance?error={}", e.code.as_str()))),
    }
}

#[derive(Deserialize, Default)]
pub struct SchemeActForm {
    action: String,
}

/// `POST /performance/schemes/{id}/act`: review or publish.
pub async fn scheme_act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    PageForm(f): PageForm<SchemeActForm>,
) -> PageResult<Response> {
    let r = match f.action.as_str() {
        "review" => state.app.review_scheme(&who.actor, id).await,
        "publish" => state.app.publish_scheme(&who.actor, id).await,
        _ => return Ok(see_other("/performance?error=request.form".into())),
    };
    match r {
        Ok(_) => Ok(see_other("/performance?ok=1".into())),
        Err(e) => Ok(see_other(format!("/performance?error={}", e.code.as_str()))),
    }
}

#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    period: String,
}

/// `POST /performance/periods`: publishes a finished period; to its page.
pub async fn publish(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageForm(f): PageForm<PublishForm>,
) -> PageResult<Response> {
    match state.app.publish_period(&who.actor, &f.period).await {
        Ok(v) => Ok(see_other(format!(
            "/performance/periods/{}?ok=1",
            v.row.map_or(0, |r| r.id)
        ))),
        Err(e) => Ok(see_other(format!("/performance?error={}", e.code.as_str()))),
    }
}

pub struct RankRow {
    pub rank: i64,
    pub of: i64,
    pub name: String,
    pub total: String,
    pub href: String,
    pub last: bool,
    pub corrected: bool,
}

pub struct FlagLine {
    pub id: i64,
    pub unit: String,
    pub consequence: String,
    pub raised: String,
    pub acted: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "performance_period.html")]
pub struct PeriodPage {
    pub base: Base,
    pub id: i64,
    pub label: String,
    pub version: i64,
    pub latest: i64,
    /// (version, reason, actor, at, shown)
    pub versions: Vec<(i64, String, String, String, bool)>,
    pub scheme: String,
    pub formulas: Vec<Formula>,
    /// (level title, ranked rows)
    pub groups: Vec<(String, Vec<RankRow>)>,
    pub flags: Vec<FlagLine>,
    pub can_score: bool,
    /// (value `kind:id`, name) for the correction's unit.
    pub units: Vec<(String, String)>,
    pub indicators: Vec<(String, String)>,
    pub xlsx: String,
    /// Staff see the halls, windows and staff scored: (href, label).
    pub members: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
}

/// `GET /performance/periods/{id}?version=`: the ranking at a version (public).
pub async fn period(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let version = q.version.trim().parse::<i64>().ok();
    let v = state.app.period_view(id, version).await?;
    let latest = v.row.as_ref().map_or(v.version, |r| r.version);
    let who = viewer.signed_in();
    let can_score = who.is_some_and(|w| {
        may_score(w.actor.role)
            && w.actor.region.as_ref().map(|r| r.as_str()) == Some(v.region.as_str())
    });
    let mut groups: Vec<(String, Vec<RankRow>)> = Vec::new();
    for s in &v.scores {
        let title = format!("{}（{}）", s.unit_kind.label(), s.level.label());
        let row = RankRow {
            rank: s.rank,
            of: s.of,
            name: s.unit_name.clone(),
            total: s.total_text(),
            href: format!(
                "/performance/periods/{id}/units/{}/{}?version={}",
                s.unit_kind.as_str(),
                s.unit_id,
                v.version
            ),
            last: s.is_last(),
            corrected: s.lines.iter().any(|l| l.corrected.is_some()),
        };
        match groups.iter_mut().find(|(t, _)| *t == title) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((title, vec![row])),
        }
    }
    let page = PeriodPage {
        base: Base::new(&format!("{}绩效考评", v.period.label()), who, large),
        id,
        label: v.period.label(),
        version: v.version,
        latest,
        versions: v
            .versions
            .iter()
            .map(|x| {
                (
                    x.version,
                    x.reason.clone(),
                    x.actor.clone(),
                    at(x.at),
                    x.version == v.version,
                )
            })
            .collect(),
        scheme: format!("{}（第{}版）", v.scheme.row.name, v.scheme.row.version),
        formulas: formula_lines(&v.scheme.indicators),
        groups,
        flags: v
            .flags
            .iter()
            .map(|f| FlagLine {
                id: f.id,
                unit: f.unit_name.clone(),
                consequence: f.consequence.label().into(),
                raised: at(f.raised_at),
                acted: f.acted_at.map(|t| {
                    format!(
                        "{} 于 {} 登记：{}",
                        f.actor.clone().unwrap_or_default(),
                        at(t),
                        f.note.clone().unwrap_or_default()
                    )
                }),
            })
            .collect(),
        can_score,
        members: if who.is_some_and(|w| w.actor.role.is_staff()) {
            MemberKind::ALL
                .iter()
                .map(|k| {
                    (
                        format!("/performance/periods/{id}/members/{}", k.as_str()),
                        format!("{}得分", k.label()),
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        units: v
            .scores
            .iter()
            .map(|s| {
                (
                    format!("{}:{}", s.unit_kind.as_str(), s.unit_id),
                    s.unit_name.clone(),
                )
            })
            .collect(),
        indicators: v
            .scheme
            .indicators
            .iter()
            .map(|s| (s.indicator.as_str().into(), s.indicator.label().into()))
            .collect(),
        xlsx: format!(
            "/performance/periods/{id}/export.xlsx?version={}",
            v.version
        ),
        notice: (!q.ok.is_empty()).then(|| "已办理".to_string()),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}

#[derive(Deserialize, Default)]
pub struct CorrectForm {
    #[serde(default)]
    expected_version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    num: String,
    #[serde(default)]
    den: String,
}

/// `POST /performance/periods/{id}/correct`: a correction with its reason, and optionally one
/// fact replaced.
pub async fn correct(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CorrectForm>,
) -> PageResult<Response> {
    let back = |code: &str| see_other(format!("/performance/periods/{id}?error={code}"));
    let expected = f.expected_version.trim().parse::<i64>().unwrap_or(0);
    let adjust = if f.unit.trim().is_empty() || f.indicator.trim().is_empty() {
        None
    } else {
        let parsed = f.unit.split_once(':').and_then(|(k, u)| {
            Some((
                UnitKind::parse(k)?,
                u.to_string(),
                Indicator::parse(f.indicator.trim())?,
                f.num.trim().parse::<i64>().ok()?,
                f.den.trim().parse::<i64>().unwrap_or(0),
            ))
        });
        match parsed {
            Some((unit_kind, unit_id, indicator, num, den)) => Some(Adjustment {
                unit_kind,
                unit_id,
                indicator,
                num,
                den,
            }),
            None => return Ok(back(codes::Performance::Adjustment.as_str())),
        }
    };
    match state
        .app
        .correct_period(&who.actor, id, expected, &f.reason, adjust.as_ref())
        .await
    {
        Ok(_) => Ok(see_other(format!("/performance/periods/{id}?ok=1"))),
        Err(e) => Ok(back(e.code.as_str())),
    }
}

#[derive(Deserialize, Default)]
pub struct FlagForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    period: String,
}

/// `POST /performance/flags/{id}/act`: records what was done about a flag.
pub async fn flag_act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
    PageForm(f): PageForm<FlagForm>,
) -> PageResult<Response> {
    let period = f.period.trim().parse::<i64>().unwrap_or(0);
    match state.app.act_on_flag(&who.actor, id, &f.note).await {
        Ok(_) => Ok(see_other(format!("/performance/periods/{period}?ok=1"))),
        Err(e) => Ok(see_other(format!(
            "/performance/periods/{period}?error={}",
            e.code.as_str()
        ))),
    }
}

pub struct LineRow {
    pub label: String,
    pub value: String,
    pub target: String,
    pub weight: i64,
    pub points: String,
    pub formula: String,
    pub corrected: Option<String>,
    pub href: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "performance_unit.html")]
pub struct UnitPage {
    pub base: Base,
    pub id: i64,
    pub label: String,
    pub version: i64,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub rank: i64,
    pub of: i64,
    pub total: String,
    pub lines: Vec<LineRow>,
}

fn unit_kind(kind: &str) -> Result<UnitKind, AppError> {
    UnitKind::parse(kind).ok_or_else(|| AppError::of(codes::Performance::Unit))
}

/// `GET /performance/periods/{id}/units/{kind}/{unit}?version=`: one unit's explanation.
pub async fn unit(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path((id, kind, unit_id)): Path<(i64, String, String)>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let kind = unit_kind(&kind)?;
    let version = q.version.trim().parse::<i64>().ok();
    let (v, s) = state.app.unit_score(id, version, kind, &unit_id).await?;
    let who = viewer.signed_in();
    let may_drill = who.is_some_and(|w| {
        matches!(
            w.actor.role,
            Role::Supervisor | Role::Leader | Role::Legal | Role::Admin
        ) || (w.actor.role.is_departmental()
            && kind == UnitKind::Department
            && w.actor.department_id.map(|d| d.to_string()).as_deref() == Some(unit_id.as_str()))
    });
    let page = UnitPage {
        base: Base::new(&format!("{} {}", s.unit_name, v.period.label()), who, large),
        id,
        label: v.period.label(),
        version: v.version,
        name: s.unit_name.clone(),
        kind: s.unit_kind.label().into(),
        level: s.level.label().into(),
        rank: s.rank,
        of: s.of,
        total: s.total_text(),
        lines: s
            .lines
            .iter()
            .map(|l| LineRow {
                label: l.indicator.label().into(),
                value: value_text(l.indicator, l.value),
                target: target_text(l.indicator, l.target),
                weight: l.weight,
                points: points_text(l.points),
                formula: l.formula.clone(),
                corrected: l.corrected.clone(),
                href: may_drill.then(|| {
                    format!(
                        "/performance/periods/{id}/units/{}/{}/{}",
                        kind.as_str(),
                        unit_id,
                        l.indicator.as_str()
                    )
                }),
            })
            .collect(),
    };
    Ok(views::render(&page))
}

pub struct DrillLine {
    pub number: String,
    pub href: String,
    pub title: String,
    pub at: String,
    pub due: String,
    pub done: String,
    pub note: String,
    pub counted: bool,
}

#[derive(askama::Template)]
#[template(path = "performance_drill.html")]
pub struct DrillPage {
    pub base: Base,
    pub back: String,
    pub label: String,
    pub name: String,
    pub indicator: String,
    pub definition: String,
    pub counted: usize,
    pub total: usize,
    pub limit: i64,
    pub rows: Vec<DrillLine>,
}

fn drill_line(r: tongban_store::performance::DrillRow) -> DrillLine {
    DrillLine {
        href: match r.kind.as_str() {
            "case" => format!("/cases/{}", r.number),
            "rating" => format!("/ratings/{}", r.number),
            "ticket" => format!("/hotline/tickets/{}", r.number),
            "disclosure" => format!("/disclosure/requests/{}", r.number),
            _ => format!("/cases/{}", r.number),
        },
        number: r.number,
        title: r.title,
        at: at(r.at),
        due: r.due_at.map(at).unwrap_or_default(),
        done: r.done_at.map(at).unwrap_or_default(),
        note: r.note,
        counted: r.counted == 1,
    }
}

/// `GET /performance/periods/{id}/units/{kind}/{unit}/{indicator}`: what is behind a value.
pub async fn drill(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, kind, unit_id, indicator)): Path<(i64, String, String, String)>,
) -> PageResult<Response> {
    let kind = unit_kind(&kind)?;
    let indicator =
        Indicator::parse(&indicator).ok_or_else(|| AppError::of(codes::Performance::Indicator))?;
    let rows = state
        .app
        .drill(&who.actor, id, kind, &unit_id, indicator)
        .await?;
    let (v, s) = state.app.unit_score(id, None, kind, &unit_id).await?;
    let lines: Vec<DrillLine> = rows.into_iter().map(drill_line).collect();
    let page = DrillPage {
        base: Base::new(
            &format!("{} {}", s.unit_name, indicator.label()),
            Some(&who),
            large,
        ),
        back: format!(
            "/performance/periods/{id}/units/{}/{}",
            kind.as_str(),
            unit_id
        ),
        label: v.period.label(),
        name: s.unit_name,
        indicator: indicator.label().into(),
        definition: indicator.definition(),
        counted: lines.iter().filter(|l| l.counted).count(),
        total: lines.len(),
        limit: tongban_app::performance::DRILL_LIMIT,
        rows: lines,
    };
    Ok(views::render(&page))
}

pub struct MemberRow {
    pub name: String,
    pub total: String,
    pub formula: String,
    /// (indicator, value, points, formula, drill href)
    pub lines: Vec<(String, String, String, String, String)>,
}

#[derive(askama::Template)]
#[template(path = "performance_members.html")]
pub struct MembersPage {
    pub base: Base,
    pub id: i64,
    pub label: String,
    pub kind: String,
    /// (href, label, current) of the three kinds.
    pub kinds: Vec<(String, String, bool)>,
    pub rows: Vec<MemberRow>,
}

fn member_kind(kind: &str) -> Result<MemberKind, AppError> {
    MemberKind::parse(kind).ok_or_else(|| AppError::of(codes::Performance::Unit))
}

/// `GET /performance/periods/{id}/members/{group}`: halls, windows or staff scored from the facts
/// they did under the period's scheme (staff; a department's staff see their own).
pub async fn members(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, kind)): Path<(i64, String)>,
) -> PageResult<Response> {
    let kind = member_kind(&kind)?;
    let v = state.app.member_scores(&who.actor, id, kind).await?;
    let rows = v
        .scores
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            total: points_text(m.total),
            formula: m.formula.clone(),
            lines: m
                .lines
                .iter()
                .map(|l| {
                    (
                        l.indicator.label().to_string(),
                        value_text(l.indicator, l.value),
                        points_text(l.points),
                        l.formula.clone(),
                        format!(
                            "/performance/periods/{id}/members/{}/{}/{}",
                            kind.as_str(),
                            m.id,
                            l.indicator.as_str()
                        ),
                    )
                })
                .collect(),
        })
        .collect();
    let page = MembersPage {
        base: Base::new(
            &format!("{}{}得分", v.period.label(), kind.label()),
            Some(&who),
            large,
        ),
        id,
        label: v.period.label(),
        kind: kind.label().into(),
        kinds: MemberKind::ALL
            .iter()
            .map(|k| {
                (
                    format!("/performance/periods/{id}/members/{}", k.as_str()),
                    k.label().to_string(),
                    *k == kind,
                )
            })
            .collect(),
        rows,
    };
    Ok(views::render(&page))
}

/// `GET /performance/periods/{id}/members/{group}/{member}/{indicator}`: what is behind a
/// member's value.
pub async fn member_drill(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((id, kind, member, indicator)): Path<(i64, String, i64, String)>,
) -> PageResult<Response> {
    let kind = member_kind(&kind)?;
    let indicator =
        Indicator::parse(&indicator).ok_or_else(|| AppError::of(codes::Performance::Indicator))?;
    let rows = state
        .app
        .member_drill(&who.actor, id, kind, member, indicator)
        .await?;
    let v = state.app.member_scores(&who.actor, id, kind).await?;
    let name = v
        .scores
        .iter()
        .find(|m| m.id == member)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let lines: Vec<DrillLine> = rows.into_iter().map(drill_line).collect();
    let page = DrillPage {
        base: Base::new(&format!("{name} {}", indicator.label()), Some(&who), large),
        back: format!("/performance/periods/{id}/members/{}", kind.as_str()),
        label: v.period.label(),
        name,
        indicator: indicator.label().into(),
        definition: indicator.definition(),
        counted: lines.iter().filter(|l| l.counted).count(),
        total: lines.len(),
        limit: tongban_app::performance::DRILL_LIMIT,
        rows: lines,
    };
    Ok(views::render(&page))
}

/// `GET /performance/periods/{id}/export.xlsx?version=`: the version as a workbook (public,
/// like the scores themselves).
pub async fn export(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let version = q.version.trim().parse::<i64>().ok();
    let (name, bytes) = state.app.period_xlsx(id, version).await?;
    Ok(super::board::xlsx(bytes, &name))
}

#[derive(askama::Template)]
#[template(path = "performance_public.html")]
pub struct PublicPage {
    pub base: Base,
    /// (scheme title, formulas)
    pub schemes: Vec<(String, Vec<Formula>)>,
    /// (id, label, version)
    pub periods: Vec<(i64, String, i64)>,
    /// Published 社会评议 rounds: (id, name, year).
    pub surveys: Vec<(i64, String, i64)>,
}

/// `GET /performance/public`: published periods and the formulas in force (public).
pub async fn public(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    let schemes = state
        .app
        .published_schemes()
        .await?
        .into_iter()
        .map(|s| {
            (
                format!("{}（第{}版）", s.row.name, s.row.version),
                formula_lines(&s.indicators),
            )
        })
        .collect();
    let periods = state
        .app
        .published_periods("")
        .await?
        .into_iter()
        .map(|p| {
            let label = Period::parse(&p.period).map_or(p.period.clone(), |x| x.label());
            (p.id, label, p.version)
        })
        .collect();
    let surveys = state
        .app
        .published_surveys()
        .await?
        .into_iter()
        .map(|r| (r.id, r.name, r.year))
        .collect();
    let page = PublicPage {
        base: Base::new("绩效考评公示", viewer.signed_in(), large),
        schemes,
        periods,
        surveys,
    };
    Ok(views::render(&page))
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn fixed_point_fields() {
        assert_eq!(fixed("90", 10), Some(900));
        assert_eq!(fixed("95.5", 10), Some(955));
        assert_eq!(fixed("95.55", 10), None);
        assert_eq!(fixed("2.5", 100), Some(250));
        assert_eq!(fixed("2", 100), Some(200));
        assert_eq!(fixed("-1", 100), None);
        assert_eq!(fixed("", 100), None);
    }
}
