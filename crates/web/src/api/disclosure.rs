//! Disclosure requests (依申请公开) over JSON: file, list, read, act. The same use cases as the
//! pages, so the same checks hold: an office not holding a request gets 403
//! `disclosure.not_holder`, someone else's request is a 404, a stale version a 409.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::disclosure::{DisclosureView, NewDisclosure};
use tongban_domain::disclosure::{
    ApplicantInput, ApplicantKind, Channel, DeadlineKind, FormWanted, RemedyKind, RemedyOutcome,
    ReplyKind, Status,
};
use tongban_domain::org::Role;
use tongban_store::disclosure::DisclosureLine;
use utoipa::ToSchema;

use crate::disclosure_input::DisclosureActionBody;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath};
use crate::session::ApiAuth;
use crate::AppState;

/// A new request.
#[derive(Deserialize, ToSchema)]
pub struct DisclosureBody {
    /// The agency (department) asked; its disclosure office handles the request.
    pub department_id: i64,
    pub applicant: ApplicantInput,
    /// 第二十九条: the name, number or other description of the information wanted.
    pub description: String,
    #[serde(default)]
    pub purpose: Option<String>,
    pub form: FormWanted,
    /// Applicants file `online`; offices enter the others.
    pub channel: Channel,
    /// in_person: when handed in; registered_post: when signed for (RFC 3339).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub received_at: Option<DateTime<Utc>>,
}

/// A deadline of a request.
#[derive(Serialize, ToSchema)]
pub struct DeadlineJson {
    pub kind: DeadlineKind,
    pub label: String,
    /// Who must act: 公开工作机构, 申请人 or 被征求意见方.
    pub bearer: String,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
}

/// The reply period on the statutory clock.
#[derive(Serialize, ToSchema)]
pub struct ClockJson {
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    pub total_days: u32,
    pub elapsed_days: u32,
    pub remaining_days: i64,
    pub suspended: bool,
    pub overdue: bool,
    /// The day-by-day account: the start, each holiday, each stop.
    pub explanation: Vec<String>,
}

/// A line of the history.
#[derive(Serialize, ToSchema)]
pub struct HistoryJson {
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    pub what: String,
    pub by: String,
    pub detail: String,
}

/// A reply with its grounds, legal basis and letter (答复书).
#[derive(Serialize, ToSchema)]
pub struct ReplyJson {
    pub kind: ReplyKind,
    pub label: String,
    pub grounds: Vec<String>,
    pub legal_basis: Vec<String>,
    pub letter: String,
}

/// A request as the caller may see it (personal data masked).
#[derive(Serialize, ToSchema)]
pub struct DisclosureJson {
    pub number: String,
    pub version: i64,
    pub status: Status,
    pub status_label: String,
    pub office: String,
    pub department_id: i64,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: String,
    pub applicant_id: String,
    pub channel: Channel,
    /// 第三十一条's rule for the channel.
    pub receipt_rule: String,
    pub form: FormWanted,
    pub description: String,
    pub purpose: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub filed_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub received_at: Option<DateTime<Utc>>,
    pub clock: Option<ClockJson>,
    pub deadlines: Vec<DeadlineJson>,
    pub supplement_items: Vec<String>,
    pub fee: Option<String>,
    pub reply: Option<ReplyJson>,
    pub history: Vec<HistoryJson>,
    /// 行政复议 and 行政诉讼 recorded against the reply.
    pub remedies: Vec<RemedyJson>,
}

/// A 行政复议 or 行政诉讼 against the reply.
#[derive(Serialize, ToSchema)]
pub struct RemedyJson {
    pub kind: RemedyKind,
    #[schema(value_type = String, format = Date)]
    pub filed_on: NaiveDate,
    /// The 复议机关 or the court.
    pub body: String,
    /// None while 尚未审结.
    pub outcome: Option<RemedyOutcome>,
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<NaiveDate>,
}

impl From<DisclosureView> for DisclosureJson {
    fn from(v: DisclosureView) -> Self {
        DisclosureJson {
            number: v.number,
            version: v.version,
            status: v.status,
            status_label: v.status_label.into(),
            office: v.office,
            department_id: v.department_id,
            applicant_kind: v.applicant_kind,
            applicant_name: v.applicant_name,
            applicant_id: v.applicant_id,
            channel: v.channel,
            receipt_rule: v.receipt_rule.into(),
            form: v.form,
            description: v.description,
            purpose: v.purpose,
            filed_at: v.filed_at,
            received_at: v.received_at,
            clock: v.clock.map(|c| ClockJson {
                start_date: c.start_date,
                due_date: c.due_date,
                total_days: c.total_days,
                elapsed_days: c.elapsed_days,
                remaining_days: c.remaining_days,
                suspended: c.suspended,
                overdue: c.overdue,
                explanation: c.explanation,
            }),
            deadlines: v
                .deadlines
                .into_iter()
                .map(|d| DeadlineJson {
                    kind: d.kind,
                    label: d.label.into(),
                    bearer: d.bearer.into(),
                    due: d.due,
                })
                .collect(),
            supplement_items: v.supplement_items,
            fee: v.fee,
            reply: v.reply.map(|r| ReplyJson {
                kind: r.kind,
                label: r.label.into(),
                grounds: r.grounds,
                legal_basis: r.legal_basis,
                letter: r.letter,
            }),
            history: v
                .history
                .into_iter()
                .map(|h| HistoryJson {
                    at: h.at,
                    what: h.what.into(),
                    by: h.by,
                    detail: h.detail,
                })
                .collect(),
            remedies: v
                .remedies
                .into_iter()
                .map(|r| RemedyJson {
                    kind: r.kind,
                    filed_on: r.filed_on,
                    body: r.body,
                    outcome: r.outcome,
                    decided_on: r.decided_on,
                })
                .collect(),
        }
    }
}

/// A line of a queue or list.
#[derive(Serialize, ToSchema)]
pub struct DisclosureLineJson {
    pub number: String,
    pub applicant_name: String,
    pub applicant_kind: ApplicantKind,
    pub status: Status,
    pub filed_at: i64,
    pub received_at: Option<i64>,
    /// The reply due date while the period runs.
    pub due_date: Option<String>,
    pub reply_kind: Option<String>,
}

impl From<DisclosureLine> for DisclosureLineJson {
    fn from(l: DisclosureLine) -> Self {
        DisclosureLineJson {
            number: l.number,
            applicant_name: l.applicant_name,
            applicant_kind: l.applicant_kind,
            status: l.status,
            filed_at: l.filed_at,
            received_at: l.received_at,
            due_date: l.due_date,
            reply_kind: l.reply_kind,
        }
    }
}

/// File a request: applicants online for themselves, office staff for requests handed in,
/// posted or faxed to their office.
#[utoipa::path(post, path = "/api/v1/disclosure/requests", tag = "disclosure", request_body = DisclosureBody,
    responses((status = 201, body = DisclosureJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<DisclosureBody>,
) -> ApiResult<(StatusCode, Json<DisclosureJson>)> {
    let view = s
        .app
        .file_disclosure(
            &who.actor,
            NewDisclosure {
                department_id: b.department_id,
                applicant: b.applicant,
                description: b.description,
                purpose: b.purpose,
                form: b.form,
                channel: b.channel,
                received_at: b.received_at,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// The caller's requests: an applicant's own, or their office's open queue, soonest due first.
#[utoipa::path(get, path = "/api/v1/disclosure/requests", tag = "disclosure",
    responses((status = 200, body = [DisclosureLineJson]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<DisclosureLineJson>>> {
    let lines = if who.actor.role == Role::Applicant {
        s.app.my_disclosures(&who.actor).await?
    } else {
        s.app.disclosure_queue(&who.actor).await?
    };
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}

/// One request, with its clock explained day by day, its deadlines, history and reply.
#[utoipa::path(get, path = "/api/v1/disclosure/requests/{number}", tag = "disclosure",
    params(("number" = String, Path, description = "申请编号")),
    responses((status = 200, body = DisclosureJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<DisclosureJson>> {
    Ok(Json(
        s.app.disclosure_view(&who.actor, &number).await?.into(),
    ))
}

/// Act on a request: `{"action": "...", "version": n, ...fields}`. Answers the new state.
#[utoipa::path(post, path = "/api/v1/disclosure/requests/{number}/actions", tag = "disclosure", request_body = DisclosureActionBody,
    params(("number" = String, Path, description = "申请编号")),
    responses((status = 200, body = DisclosureJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "disclosure.not_holder：不由本机构办理"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "disclosure.stale 等：状态冲突"), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiPath(number): ApiPath<String>,
    ApiJson(b): ApiJson<DisclosureActionBody>,
) -> ApiResult<Json<DisclosureJson>> {
    let version = b.version;
    let action = b.into_action()?;
    let view = s
        .app
        .act_on_disclosure(&who.actor, &number, version, action)
        .await?;
    Ok(Json(view.into()))
}

/// Which report: a year (last year when absent) and an agency or a region.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    /// The calendar year reported on; last year when absent.
    pub year: Option<String>,
    /// An agency (department id); the caller's own office when neither is given.
    pub department: Option<String>,
    /// A region code: the roll-up of its agencies.
    pub region: Option<String>,
}

/// One row of the report's table: its counts per column, with the requests behind each.
#[derive(Serialize, ToSchema)]
pub struct ReportRowJson {
    /// The row's or group's wire name.
    pub row: String,
    pub label: String,
    /// Per column, in the order of `columns`.
    pub counts: Vec<usize>,
    /// Per column, the request numbers counted.
    pub requests: Vec<Vec<String>>,
}

/// One figure of table 二 (主动公开), counted from the catalog's published entries.
#[derive(Serialize, ToSchema)]
pub struct ProactiveJson {
    /// The article of 条例 第二十条.
    pub article: String,
    /// The catalog heading's wire name and label.
    pub heading: String,
    pub label: String,
    /// The figure's wire name and label.
    pub figure: String,
    pub figure_label: String,
    /// A count, or an amount in 万元.
    pub value: String,
    /// How many entries it counts (the page `/disclosure/report/entries` lists them).
    pub entries: i64,
}

/// The annual report (国办公开办函〔2021〕30号): tables 二, 三 and 四.
#[derive(Serialize, ToSchema)]
pub struct ReportJson {
    pub year: i32,
    pub scope: String,
    pub title: String,
    /// Table 二, a figure a line.
    pub proactive: Vec<ProactiveJson>,
    /// Table 三's columns: the applicant columns, then `total`.
    pub columns: Vec<String>,
    pub requests: Vec<ReportRowJson>,
    /// Table 四's columns.
    pub remedy_columns: Vec<String>,
    pub remedies: Vec<ReportRowJson>,
    /// The narrative sections (wire name, text).
    pub sections: Vec<(String, String)>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<DateTime<Utc>>,
    pub balanced: bool,
}

/// A year's annual disclosure report for an agency or a region, computed from the requests;
/// every count comes with the numbers of the requests behind it.
#[utoipa::path(get, path = "/api/v1/disclosure/report", tag = "disclosure", params(ReportParams),
    responses((status = 200, body = ReportJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    crate::json::ApiQuery(p): crate::json::ApiQuery<ReportParams>,
) -> ApiResult<Json<ReportJson>> {
    use tongban_app::disclosure_report::ReportCell;
    use tongban_domain::disclosure::report::RemedyColumn;
    use tongban_domain::disclosure::ReportColumn;
    let q = crate::pages::disclosure_report_query(p.year, p.department, p.region);
    let this_year = chrono::Datelike::year(&tongban_domain::time::local_date(s.app.now()));
    let (scope, year) = crate::pages::disclosure_report_scope(&who, &q, this_year)?;
    let v = s.app.disclosure_report(&who.actor, &scope, year).await?;
    let cols: Vec<Option<ReportColumn>> = ReportColumn::ALL
        .iter()
        .map(|c| Some(*c))
        .chain(std::iter::once(None))
        .collect();
    let requests = v
        .requests
        .iter()
        .map(|l| ReportRowJson {
            row: l.row.as_str().into(),
            label: l.label.into(),
            counts: l.counts.clone(),
            requests: cols
                .iter()
                .map(|c| v.drill(ReportCell::Requests(l.row, *c)))
                .collect(),
        })
        .collect();
    let remedies = v
        .remedies
        .iter()
        .map(|l| ReportRowJson {
            row: l.group.as_str().into(),
            label: l.label.into(),
            counts: l.counts.clone(),
            requests: RemedyColumn::ALL
                .iter()
                .map(|c| v.drill(ReportCell::Remedies(l.group, *c)))
                .collect(),
        })
        .collect();
    Ok(Json(ReportJson {
        year: v.year,
        scope: v.scope.clone(),
        title: v.title.clone(),
        columns: cols
            .iter()
            .map(|c| c.map_or("total", |c| c.as_str()).to_string())
            .collect(),
        requests,
        remedy_columns: RemedyColumn::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        remedies,
        sections: v
            .sections
            .iter()
            .map(|(k, t)| (k.as_str().to_string(), t.clone()))
            .collect(),
        published_at: v.published_at,
        balanced: v.balanced,
        proactive: v
            .proactive
            .iter()
            .flat_map(|l| {
                l.figures.iter().map(|f| ProactiveJson {
                    article: l.article.into(),
                    heading: l.heading.as_str().into(),
                    label: l.label.into(),
                    figure: f.figure.as_str().into(),
                    figure_label: f.label.into(),
                    value: f.value.clone(),
                    entries: f.entries,
                })
            })
            .collect(),
    }))
}
