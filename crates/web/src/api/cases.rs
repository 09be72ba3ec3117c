//! Cases over JSON: upload materials, file, list, read, act, and the two public lookups. Each
//! route calls the same use case as the pages, so the same checks hold; someone else's case is
//! a 404, a stale version a 409 (`case.stale`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::cases::{ApplicantInput, CaseView, ClockLine, NewCase};
use tongban_app::AppError;
use tongban_domain::case::{CaseEvent, FileRef, PartyKind};
use tongban_domain::codes;
use tongban_domain::mask;
use tongban_domain::org::Role;
use tongban_store::cases::{CaseLine, StepLine};
use utoipa::{IntoParams, ToSchema};

use crate::case_input::{parse_delivery, plain, ActionBody, FileRefBody};
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::session::{ApiAuth, ClientAddr};
use crate::AppState;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn from_millis(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(rfc3339)
}

/// Stores one material file. Send it as `multipart/form-data` (field `file`) or as the raw
/// body with its name in `X-File-Name` (percent-encoded UTF-8). Only PDF, JPEG, PNG and OFD
/// are taken, by their content; the size limit is the `case.max_upload_mb` setting.
#[utoipa::path(post, path = "/api/v1/cases/files", tag = "cases",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "文件内容（或 multipart 的 file 字段）"),
    params(("X-File-Name" = Option<String>, Header, description = "原文件名（UTF-8，百分号编码）")),
    responses((status = 201, body = FileRefBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    req: Request,
) -> ApiResult<(StatusCode, Json<FileRefBody>)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let broken = || AppError::of(codes::Case::Upload);
    let (name, bytes) = if multipart {
        let mut form = Multipart::from_request(req, &s)
            .await
            .map_err(|_| broken())?;
        let mut found = None;
        while let Some(field) = form.next_field().await.map_err(|_| broken())? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or_default().to_string();
                found = Some((name, field.bytes().await.map_err(|_| broken())?));
                break;
            }
        }
        found.ok_or_else(|| AppError::new(codes::Case::Upload, "请在 file 字段中上传文件"))?
    } else {
        let name = req
            .headers()
            .get("x-file-name")
            .and_then(|v| v.to_str().ok())
            .map(percent_decode)
            .unwrap_or_default();
        let bytes = Bytes::from_request(req, &s).await.map_err(|_| broken())?;
        (name, bytes)
    };
    let file = s.app.upload_case_file(&who.actor, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(file.into())))
}

/// Decodes `%XX` escapes; anything malformed is kept as it came.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(v as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicantBody {
    /// `person` or `company`.
    pub kind: String,
    pub name: String,
    /// ID number (person) or unified social credit code (company).
    pub id_code: String,
    pub phone: String,
    pub email: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCaseBody {
    /// Implementation or basic code of a published item.
    pub item_code: String,
    /// Required when staff or an agent files; an applicant files for themself.
    pub applicant: Option<ApplicantBody>,
    /// An agent filing at a village or community 代办点 (就地申报).
    #[serde(default)]
    pub village: bool,
    pub pickup_hall_id: Option<i64>,
    /// `window`, `post` or `online`; one the item offers.
    pub delivery: String,
    /// Uploaded files by material key (`m1`, …).
    #[serde(default)]
    pub materials: BTreeMap<String, Vec<FileRefBody>>,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Repeats with the same key return the first case; the `Idempotency-Key` header wins.
    pub idempotency_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicantView {
    pub kind: String,
    pub name: String,
    /// Masked.
    pub id_code: String,
    /// Masked.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepView {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub department_id: i64,
    pub post: String,
    pub assignee: Option<String>,
    pub assignee_id: Option<i64>,
    pub opened_at: Option<String>,
    /// `approve`, `disagree` or `deemed_approve` once decided.
    pub outcome: Option<String>,
    pub opinion: String,
    pub open: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClockView {
    pub label: String,
    /// Absent when the deadline cannot be computed; `problem` then says why.
    pub due_at: Option<String>,
    pub problem: Option<String>,
    /// green, yellow or red by the supervision settings; `unknown` when the deadline cannot be
    /// computed (then `remaining_days` and `overdue` are null and `problem` says why).
    pub light: String,
    pub remaining_days: Option<i64>,
    pub overdue: Option<bool>,
    pub suspended: bool,
    /// Each day counted or skipped, and why.
    pub explanation: Vec<String>,
    /// Present when the due date lies in a year whose State Council notice is not loaded yet:
    /// "按法定节假日推算，待国务院公布调休安排后更新".
    pub provisional: Option<String>,
}

impl From<ClockLine> for ClockView {
    fn from(k: ClockLine) -> Self {
        let known = k.problem.is_none();
        ClockView {
            label: k.label,
            due_at: k.due_at.map(rfc3339),
            light: if known {
                k.light.as_str().to_string()
            } else {
                "unknown".to_string()
            },
            problem: k.problem,
            remaining_days: known.then_some(k.remaining_days),
            overdue: known.then_some(k.overdue),
            suspended: k.suspended,
            explanation: k.explanation,
            provisional: k.provisional,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FeesView {
    pub total_fen: u64,
    pub paid: bool,
    pub waived: bool,
    pub waiver_requested: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    /// `approved` or `refused`.
    pub outcome: String,
    pub reason: String,
    pub at: String,
    /// The result document's number.
    pub document: String,
}

/// A case as its page shows it: state, steps, clocks and what comes next.
#[derive(Serialize, ToSchema)]
pub struct CaseJson {
    pub number: String,
    /// Send this back with an action; a newer one means someone acted meanwhile.
    pub version: i64,
    pub status: String,
    pub status_label: String,
    pub item_code: String,
    pub item_name: String,
    pub department_id: i64,
    pub channel: String,
    pub applicant: ApplicantView,
    pub agent: Option<String>,
    pub first_responder: Option<String>,
    pub received_at: String,
    pub accepted_at: Option<String>,
    pub delivery: String,
    pub materials: BTreeMap<String, Vec<FileRefBody>>,
    /// 容缺 materials still to come.
    pub deferred: Vec<String>,
    pub steps: Vec<StepView>,
    pub clocks: Vec<ClockView>,
    pub next_action: String,
    pub fees: FeesView,
    pub decision: Option<DecisionView>,
    pub documents: Vec<String>,
}

fn case_json(view: CaseView, clocks: Vec<ClockLine>, next_action: String) -> CaseJson {
    let c = view.case;
    let open: Vec<String> = c
        .open_steps()
        .iter()
        .filter(|s| s.opened_at.is_some() && s.outcome.is_none())
        .map(|s| s.key.clone())
        .collect();
    let steps = c
        .step_order
        .iter()
        .filter_map(|k| c.steps.get(k))
        .map(|s| StepView {
            key: s.key.clone(),
            name: s.name.clone(),
            kind: plain(&s.kind),
            department_id: s.department_id,
            post: s.post.clone(),
            assignee: s.assignee.as_ref().map(|a| a.name.clone()),
            assignee_id: s.assignee.as_ref().map(|a| a.user_id),
            opened_at: s.opened_at.map(rfc3339),
            outcome: s.outcome.as_ref().map(plain),
            opinion: s.opinion.clone(),
            open: open.contains(&s.key) && c.status.is_open(),
        })
        .collect();
    CaseJson {
        number: c.number.to_string(),
        version: view.version,
        status: c.status.as_str().into(),
        status_label: c.status.label().into(),
        item_code: c.item.code.clone(),
        item_name: c.item.name.clone(),
        department_id: c.item.department_id,
        channel: plain(&c.channel),
        applicant: ApplicantView {
            kind: plain(&c.applicant.kind),
            name: c.applicant.name.clone(),
            id_code: mask::keep_ends(&c.applicant.id_code, 6, 4),
            phone: mask::phone(&c.applicant.phone),
        },
        agent: c.agent.as_ref().map(|a| a.name.clone()),
        first_responder: c.first_responder.as_ref().map(|a| a.name.clone()),
        received_at: rfc3339(c.received_at),
        accepted_at: c.accepted.as_ref().map(|a| rfc3339(a.at)),
        delivery: plain(&c.delivery),
        materials: c
            .materials
            .iter()
            .map(|(k, files)| (k.clone(), files.iter().cloned().map(Into::into).collect()))
            .collect(),
        deferred: c.deferred.clone(),
        steps,
        clocks: clocks.into_iter().map(Into::into).collect(),
        next_action,
        fees: FeesView {
            total_fen: c.fees.total_fen(),
            paid: c.fees.paid.is_some(),
            waived: c.fees.waived.is_some(),
            waiver_requested: c.fees.waiver_requested.is_some(),
        },
        decision: c.decision.as_ref().map(|d| DecisionView {
            outcome: plain(&d.outcome),
            reason: d.reason.clone(),
            at: rfc3339(d.at),
            document: d.document.clone(),
        }),
        documents: c.documents.clone(),
    }
}

/// A case with its clocks and next action.
async fn case_answer(
    s: &AppState,
    who: &tongban_app::accounts::SignedIn,
    view: CaseView,
) -> ApiResult<CaseJson> {
    let (clocks, next_action) = s.app.case_clocks(&who.actor, &view).await?;
    Ok(case_json(view, clocks, next_action))
}

/// File a case. An applicant files online for themself; a window clerk or head files a walk-in
/// (window), an agent files for someone (agent, or village with `village`).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "同一键重复提交只建一件")),
    responses((status = 201, body = CaseJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    headers: HeaderMap,
    ApiJson(b): ApiJson<NewCaseBody>,
) -> ApiResult<(StatusCode, Json<CaseJson>)> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(b.idempotency_key);
    let applicant = match b.applicant {
        Some(a) => Some(ApplicantInput {
            kind: match a.kind.as_str() {
                "person" => PartyKind::Person,
                "company" => PartyKind::Company,
                _ => {
                    return Err(AppError::new(
                        codes::Case::ApplicantKind,
                        "申请人类型应为 person 或 company",
                    )
                    .into())
                }
            },
            name: a.name,
            id_code: a.id_code,
            phone: a.phone,
            email: a.email,
        }),
        None => None,
    };
    let new = NewCase {
        item_code: b.item_code,
        applicant,
        village: b.village,
        pickup_hall_id: b.pickup_hall_id,
        delivery: parse_delivery(&b.delivery)?,
        materials: b
            .materials
            .into_iter()
            .map(|(k, files)| (k, files.into_iter().map(FileRef::from).collect()))
            .collect(),
        form: b.form,
        idempotency_key: key,
    };
    let view = s.app.submit_case(&who.actor, new).await?;
    let json = case_answer(&s, &who, view).await?;
    Ok((StatusCode::CREATED, Json(json)))
}

/// One line of a work list.
#[derive(Serialize, ToSchema)]
pub struct CaseListing {
    /// Which list: `mine` (applicant, agent), `window` (窗口待办), `steps` (open steps),
    /// `head` (待审批) or `negative` (否定报备).
    pub list: String,
    pub number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub status: Option<String>,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    /// For `steps`: the step.
    pub step: Option<String>,
    pub step_name: Option<String>,
    /// For `negative`: what was refused and why.
    pub reason: Option<String>,
}

fn listing(list: &str, l: CaseLine) -> CaseListing {
    CaseListing {
        list: list.into(),
        number: l.number,
        item_name: l.item_name,
        applicant_name: l.applicant_name,
        status: Some(l.status),
        received_at: from_millis(l.received_at),
        due_at: l.due_at.and_then(from_millis),
        step: None,
        step_name: None,
        reason: None,
    }
}

fn step_listing(l: StepLine) -> CaseListing {
    CaseListing {
        list: "steps".into(),
        number: l.number,
        item_name: l.item_name,
        applicant_name: l.applicant_name,
        status: None,
        received_at: None,
        due_at: l.due_at.and_then(from_millis),
        step: Some(l.step),
        step_name: Some(l.name),
        reason: None,
    }
}

/// The caller's work lists by role: an applicant's or agent's own cases; a clerk's window
/// queue and steps; an approver's steps; a head's approvals, window queue and department
/// steps; supervision's negative filings.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    responses((status = 200, body = [CaseListing]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
) -> ApiResult<Json<Vec<CaseListing>>> {
    let app = &s.app;
    let actor = &who.actor;
    let mut out = Vec::new();
    match actor.role {
        Role::Applicant | Role::Agent => {
            out.extend(
                app.my_cases(actor)
                    .await?
                    .into_iter()
                    .map(|l| listing("mine", l)),
            );
        }
        Role::Clerk | Role::DeptHead | Role::Approver => {
            if actor.role == Role::DeptHead {
                out.extend(
                    app.head_queue(actor)
                        .await?
                        .into_iter()
                        .map(|l| listing("head", l)),
                );
            }
            if actor.role != Role::Approver {
                out.extend(
                    app.window_queue(actor)
                        .await?
                        .into_iter()
                        .map(|l| listing("window", l)),
                );
            }
            out.extend(app.my_steps(actor).await?.into_iter().map(step_listing));
        }
        Role::Supervisor | Role::Legal | Role::Leader | Role::Admin => {
            out.extend(
                app.negative_filings(actor)
                    .await?
                    .into_iter()
                    .map(|n| CaseListing {
                        list: "negative".into(),
                        number: n.case_number,
                        item_name: n.what,
                        applicant_name: String::new(),
                        status: None,
                        received_at: from_millis(n.at),
                        due_at: None,
                        step: None,
                        step_name: None,
                        reason: Some(n.reason),
                    }),
            );
        }
        // The hotline's staff have no case lists: their work is tickets.
        Role::Operator | Role::HotlineCentre => {}
    }
    Ok(Json(out))
}

/// One case the caller may see, with its clocks and next action.
#[utoipa::path(get, path = "/api/v1/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = CaseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<CaseJson>> {
    let view = s.app.case_view(&who.actor, &number).await?;
    Ok(Json(case_answer(&s, &who, view).await?))
}

/// Act on a case: `{"version": n, "action": "...", ...fields}`. Answers the new state.
#[utoipa::path(post, path = "/api/v1/cases/{number}/actions", tag = "cases", request_body = ActionBody,
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = CaseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "case.stale：办件已被他人更新"), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult<Json<CaseJson>> {
    let version = b
        .version
        .ok_or_else(|| AppError::of(codes::Case::VersionRequired))?;
    let occurred_at = b.occurred_at()?;
    let command = b.command()?;
    let view = s
        .app
        .act_on_case_at(&who.actor, &number, Some(version), command, occurred_at)
        .await?;
    Ok(Json(case_answer(&s, &who, view).await?))
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: Option<String>,
    /// Stable name, e.g. `accepted`, `step_decided`.
    pub kind: String,
    pub actor: String,
    pub role: String,
    pub summary: String,
    /// The event as stored, with personal data masked (ID number, phone, e-mail).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// The timeline of a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{number}/events", tag = "cases",
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = [EventView]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<EventView>>> {
    let d = s.app.case_detail(&who.actor, &number).await?;
    Ok(Json(
        d.events
            .into_iter()
            .map(|e| {
                let payload: serde_json::Value =
                    serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null);
                let summary = serde_json::from_value::<CaseEvent>(payload.clone())
                    .map(|ev| ev.summary())
                    .unwrap_or_else(|_| e.kind.clone());
                EventView {
                    seq: e.seq,
                    at: from_millis(e.at),
                    kind: e.kind,
                    actor: e.actor_name,
                    role: e.role,
                    summary,
                    payload,
                }
            })
            .collect(),
    ))
}

/// The applicant's identity in full: only for the staff of a department the case runs
/// through, and the applicant. Every read by staff is audited.
#[derive(Serialize, ToSchema)]
pub struct ApplicantFull {
    pub kind: String,
    pub name: String,
    pub id_code: String,
    pub phone: String,
    pub email: Option<String>,
}

/// The applicant's full ID number, phone and e-mail (audited). Everywhere else they are masked.
#[utoipa::path(get, path = "/api/v1/cases/{number}/applicant", tag = "cases",
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = ApplicantFull), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn applicant(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<ApplicantFull>> {
    let p = s.app.case_applicant(&who.actor, &number).await?;
    Ok(Json(ApplicantFull {
        kind: plain(&p.kind),
        name: p.name,
        id_code: p.id_code,
        phone: p.phone,
        email: p.email,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    pub number: String,
    /// `receipt`, `supplement`, `acceptance`, `non_acceptance`, `special`, `extension`,
    /// `approval` or `refusal`.
    pub kind: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub department_id: i64,
    pub issued_at: Option<String>,
    /// SHA-256 of the number, title and text.
    pub hash: String,
}

/// The documents a case has issued, in order.
#[utoipa::path(get, path = "/api/v1/cases/{number}/documents", tag = "cases",
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = [DocumentView]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn documents(
    State(s): State<AppState>,
    ApiAuth(who): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let d = s.app.case_detail(&who.actor, &number).await?;
    Ok(Json(
        d.documents
            .into_iter()
            .map(|r| DocumentView {
                paragraphs: serde_json::from_str(&r.body).unwrap_or_default(),
                number: r.number,
                kind: tongban_app::cases::case_kind(&r.kind).to_string(),
                title: r.title,
                department_id: r.department_id,
                issued_at: from_millis(r.issued_at),
                hash: r.hash,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct TailQuery {
    /// The last four digits of the applicant's phone or ID number.
    pub tail: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicStatusView {
    pub number: String,
    pub item_name: String,
    pub status: String,
    pub received_at: String,
    pub due_at: Option<String>,
    pub next_action: String,
    /// Oldest first; internal steps (transfers, opinions) are left out.
    pub timeline: Vec<TimelineLine>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineLine {
    pub at: String,
    pub what: String,
}

/// Public progress lookup; a wrong pair and an unknown number both answer 404.
#[utoipa::path(get, path = "/api/v1/public/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "办件编号"), TailQuery),
    responses((status = 200, body = PublicStatusView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public_status(
    State(s): State<AppState>,
    Path(number): Path<String>,
    ApiQuery(q): ApiQuery<TailQuery>,
    crate::session::ClientAddr(client): crate::session::ClientAddr,
) -> ApiResult<Json<PublicStatusView>> {
    let p = s.app.public_case_status(&number, &q.tail, &client).await?;
    Ok(Json(PublicStatusView {
        number: p.number,
        item_name: p.item_name,
        status: p.status,
        received_at: rfc3339(p.received_at),
        due_at: p.due_at.map(rfc3339),
        next_action: p.next_action,
        timeline: p
            .timeline
            .into_iter()
            .map(|(at, what)| TimelineLine {
                at: rfc3339(at),
                what,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VerifiedView {
    pub number: String,
    pub title: String,
    pub case_number: String,
    pub item_name: String,
    /// Masked.
    pub applicant: String,
    pub department_id: i64,
    pub department: String,
    pub issued_at: String,
    pub hash: String,
    /// The stored text still matches its hash.
    pub intact: bool,
    /// 准予 or 不予.
    pub outcome: String,
    /// 文书真实有效 or 文书内容与存证不一致.
    pub verdict: String,
}

#[derive(Deserialize, IntoParams)]
pub struct VerifyCode {
    /// The verification code printed beside the QR code.
    #[serde(default)]
    pub code: String,
}

/// Public check of a result document by its number and verification code. The number alone
/// answers 404: the code must match. Misses count against the address (`case.lookup_throttled`).
#[utoipa::path(get, path = "/api/v1/public/documents/{doc}", tag = "cases",
    params(("doc" = String, Path, description = "文书编号"), VerifyCode),
    responses((status = 200, body = VerifiedView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(doc): Path<String>,
    ApiQuery(q): ApiQuery<VerifyCode>,
) -> ApiResult<Json<VerifiedView>> {
    let d = s.app.verify_document(&doc, &q.code, &client).await?;
    Ok(Json(VerifiedView {
        department: s.app.department_name(d.department_id).await?,
        verdict: if d.intact {
            "文书真实有效"
        } else {
            "文书内容与存证不一致"
        }
        .into(),
        number: d.number,
        title: d.title,
        case_number: d.case_number,
        item_name: d.item_name,
        applicant: d.applicant,
        department_id: d.department_id,
        issued_at: rfc3339(d.issued_at),
        hash: d.hash,
        intact: d.intact,
        outcome: d.outcome,
    }))
}
