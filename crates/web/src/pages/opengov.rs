//! Open government pages (政务公开): consultations on drafts, for the public and for the unit
//! running them, and proposal handling (建议提案办理). Each page calls the same use cases as
//! the API, so the same checks hold; a refusal shows its code and message on the page.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tongban_app::opengov::{ConsultationView, MatterLine, ProposalView};
use tongban_app::AppError;
use tongban_domain::codes;
use tongban_domain::opengov::{
    Adoption, AnswerInput, CommentInput, DraftInput, ProposalInput, ProposalKind, ReplyClass,
    Satisfaction, UnitRole,
};
use tongban_domain::org::Role;
use tongban_domain::time::format_local;

use crate::error::{PageError, PageResult};
use crate::json::PageForm;
use crate::session::{LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

use super::opengov_form::{field, form_error, opt, options, settle, unit_staff, Pairs};

// ---------------------------------------------------------------------------- index

#[derive(askama::Template)]
#[template(path = "opengov.html")]
pub struct IndexPage {
    pub base: Base,
    pub consultations: Vec<MatterLine>,
    pub proposals: Vec<MatterLine>,
}

/// `GET /opengov`: what is open for comment, and the published proposal replies.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    let app = &state.app;
    Ok(views::render(&IndexPage {
        base: Base::new("政务公开", viewer.signed_in(), large),
        consultations: app.consultations(None).await?,
        proposals: app.proposals(None).await?,
    }))
}

// ---------------------------------------------------------------------------- consultations

#[derive(askama::Template)]
#[template(path = "opengov_consultations.html")]
pub struct ConsultationsPage {
    pub base: Base,
    pub staff: bool,
    pub lines: Vec<MatterLine>,
    pub default_days: u32,
    pub min_days: u32,
    pub error: Option<(String, String)>,
}

async fn consultations_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    error: Option<AppError>,
) -> PageResult<ConsultationsPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let staff = unit_staff(actor);
    let rules = state.app.settings().opengov.consultation;
    Ok(ConsultationsPage {
        base: Base::new(
            if staff {
                "征求意见管理"
            } else {
                "公开征求意见"
            },
            viewer.signed_in(),
            large,
        ),
        staff,
        lines: state.app.consultations(actor).await?,
        default_days: rules.default_days,
        min_days: rules.min_days,
        error: error.map(|e| (e.code.to_string(), e.message)),
    })
}

/// `GET /opengov/consultations`: every consultation; the unit's with its publish form.
pub async fn consultations(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(
        &consultations_page(&state, &viewer, large, None).await?,
    ))
}

/// `POST /opengov/consultations`: the unit publishes a draft.
pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let Some(who) = viewer.signed_in() else {
        return Err(PageError(AppError::of(codes::Auth::Required)));
    };
    let period_days = match opt(&pairs, "period_days") {
        Some(v) => Some(v.parse().map_err(|_| PageError(form_error()))?),
        None => None,
    };
    let input = DraftInput {
        title: field(&pairs, "title").into(),
        explanation: field(&pairs, "explanation").into(),
        draft: field(&pairs, "draft").into(),
        period_days,
    };
    settle(
        state.app.publish_consultation(&who.actor, input).await,
        |n| format!("/opengov/consultations/{n}?ok=1"),
        |e| consultations_page(&state, &viewer, large, Some(e)),
    )
    .await
}

/// One paragraph of the current version, with its published comments.
pub struct ParagraphLine {
    pub no: u32,
    pub text: String,
}

#[derive(askama::Template)]
#[template(path = "opengov_consultation.html")]
pub struct ConsultationPage {
    pub base: Base,
    pub v: ConsultationView,
    pub current: Vec<ParagraphLine>,
    pub current_no: u32,
    pub earlier: Vec<(u32, String, String)>,
    pub published: String,
    pub open: bool,
    pub awaiting_report: bool,
    pub signed_in: bool,
    pub adoptions: Vec<(&'static str, &'static str)>,
    pub comments: Vec<CommentLine>,
    pub history: Vec<(String, String, String)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
    /// Whether the citizen reading follows it (none for others).
    pub following: Option<bool>,
}

pub struct CommentLine {
    pub no: u32,
    pub author: String,
    pub text: String,
    pub at: String,
    pub version: u32,
    pub on: String,
    pub moderation: String,
    pub pending: bool,
    pub answerable: bool,
    pub adoption: String,
    pub answer: String,
}

async fn consultation_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    number: &str,
    notice: Option<String>,
    error: Option<AppError>,
) -> PageResult<ConsultationPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let v = state.app.consultation_view(actor, number).await?;
    let cur = v.versions.last().cloned();
    let current_no = cur.as_ref().map_or(1, |c| c.no);
    let current = cur
        .map(|c| {
            c.paragraphs
                .into_iter()
                .enumerate()
                .map(|(i, text)| ParagraphLine {
                    no: i as u32 + 1,
                    text,
                })
                .collect()
        })
        .unwrap_or_default();
    let earlier = v
        .versions
        .iter()
        .map(|d| {
            (
                d.no,
                format_local(d.at),
                d.change_note.clone().unwrap_or_else(|| "首次发布".into()),
            )
        })
        .collect();
    let comments = v
        .comments
        .iter()
        .map(|c| CommentLine {
            no: c.no,
            author: c.author.clone(),
            text: c.text.clone(),
            at: format_local(c.at),
            version: c.version,
            on: c
                .paragraph
                .map(|p| format!("第{p}段"))
                .unwrap_or_else(|| "全文".into()),
            moderation: match &c.moderation_reason {
                Some(r) => format!("{}（{r}）", c.moderation_label),
                None => c.moderation_label.to_string(),
            },
            pending: c.moderation == tongban_domain::opengov::Moderation::Pending,
            answerable: c.moderation != tongban_domain::opengov::Moderation::Rejected,
            adoption: c
                .adoption
                .map(|a| a.label().to_string())
                .unwrap_or_default(),
            answer: c.answer.clone().unwrap_or_default(),
        })
        .collect();
    use tongban_domain::opengov::ConsultationStatus as S;
    let following = match viewer.signed_in().map(|s| &s.actor) {
        Some(a) if a.role == Role::Applicant => Some(
            state
                .app
                .follows(
                    Some(a),
                    tongban_domain::supervision::SubjectKind::Consultation,
                    &v.number,
                )
                .await?,
        ),
        _ => None,
    };
    Ok(ConsultationPage {
        following,
        base: Base::new(&v.title, viewer.signed_in(), large),
        current,
        current_no,
        earlier,
        published: format_local(v.published_at),
        open: v.status == S::Open,
        awaiting_report: v.status == S::AwaitingReport,
        signed_in: actor.is_some(),
        adoptions: options::<Adoption>(),
        comments,
        history: v
            .history
            .iter()
            .map(|h| (format_local(h.at), h.what.clone(), h.by.clone()))
            .collect(),
        notice,
        error: error.map(|e| (e.code.to_string(), e.message)),
        v,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

fn done_text(ok: &str) -> Option<String> {
    Some(
        match ok {
            "1" => "已发布。",
            "comment" => "意见已提交，审核后公开。感谢参与！",
            "revise" => "征求意见稿已更新。",
            "moderate" => "已审核。",
            "report" => "采纳情况已公布，已通知留有联系方式的意见提出人。",
            "assign" => "已交办。",
            "reply" => "答复已提交。",
            "feedback" => "满意度已记录。",
            "publish" => "答复已公开。",
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET /opengov/consultations/{number}`: the draft, its versions, the comments the reader
/// may see, the report, and the forms the reader may use.
pub async fn consultation(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    crate::json::PageQuery(f): crate::json::PageQuery<Flash>,
) -> PageResult<Response> {
    let notice = f.ok.as_deref().and_then(done_text);
    Ok(views::render(
        &consultation_page(&state, &viewer, large, &number, notice, None).await?,
    ))
}

/// `POST /opengov/consultations/{number}/comment`: anyone comments while the period runs.
pub async fn comment(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let paragraph = match opt(&pairs, "paragraph") {
        Some(p) => Some(p.parse::<u32>().map_err(|_| PageError(form_error()))?),
        None => None,
    };
    let input = CommentInput {
        paragraph,
        text: field(&pairs, "text").into(),
        keep_private: !field(&pairs, "keep_private").is_empty(),
        anonymous: !field(&pairs, "anonymous").is_empty(),
        contact: opt(&pairs, "contact"),
    };
    settle(
        state
            .app
            .comment_on_consultation(actor, &number, input)
            .await,
        |_| format!("/opengov/consultations/{number}?ok=comment"),
        |e| consultation_page(&state, &viewer, large, &number, None, Some(e)),
    )
    .await
}

/// The report form: per comment `a_{no}` (adoption), `r_{no}` (reason) and `g_{no}` (the
/// comment it is answered together with). A comment answered with another takes that one's
/// answer.
fn read_answers(pairs: &Pairs) -> Result<Vec<AnswerInput>, AppError> {
    let mut own: BTreeMap<u32, (Adoption, String)> = BTreeMap::new();
    let mut with: BTreeMap<u32, u32> = BTreeMap::new();
    for (k, v) in pairs {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        if let Some(no) = k.strip_prefix("a_").and_then(|n| n.parse::<u32>().ok()) {
            let a = Adoption::parse(v).ok_or_else(form_error)?;
            let reason = field(pairs, &format!("r_{no}")).to_string();
            own.insert(no, (a, reason));
        } else if let Some(no) = k.strip_prefix("g_").and_then(|n| n.parse::<u32>().ok()) {
            let to: u32 = v.parse().map_err(|_| form_error())?;
            if to != no {
                with.insert(no, to);
            }
        }
    }
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for no in own.keys() {
        if !with.contains_key(no) {
            groups.entry(*no).or_default().push(*no);
        }
    }
    for (no, to) in &with {
        if own.contains_key(to) && !with.contains_key(to) {
            groups.entry(*to).or_default().push(*no);
        }
        // A comment grouped with one that has no answer of its own stays unanswered, and
        // the report is refused naming it.
    }
    Ok(groups
        .into_iter()
        .filter_map(|(root, comments)| {
            own.get(&root).map(|(a, r)| AnswerInput {
                comments,
                adoption: *a,
                reason: r.clone(),
            })
        })
        .collect())
}

/// `POST /opengov/consultations/{number}/act`: the unit revises, moderates or reports.
pub async fn consultation_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let Some(who) = viewer.signed_in() else {
        return Err(PageError(AppError::of(codes::Auth::Required)));
    };
    let app = &state.app;
    let action = field(&pairs, "action").to_string();
    let version = opt(&pairs, "version").and_then(|v| v.parse::<i64>().ok());
    let result = match action.as_str() {
        "revise" => app
            .revise_consultation(
                &who.actor,
                &number,
                version,
                field(&pairs, "draft"),
                opt(&pairs, "change_note").as_deref(),
            )
            .await
            .map(drop),
        "moderate" => match field(&pairs, "no").parse::<u32>() {
            Ok(no) => {
                app.moderate_comment(
                    &who.actor,
                    &number,
                    no,
                    field(&pairs, "decision") == "publish",
                    opt(&pairs, "reason").as_deref(),
                )
                .await
            }
            Err(_) => Err(form_error()),
        },
        "report" => match read_answers(&pairs) {
            Ok(answers) => {
                app.report_consultation(&who.actor, &number, field(&pairs, "summary"), &answers)
                    .await
            }
            Err(e) => Err(e),
        },
        _ => Err(form_error()),
    };
    settle(
        result,
        |()| format!("/opengov/consultations/{number}?ok={action}"),
        |e| consultation_page(&state, &viewer, large, &number, None, Some(e)),
    )
    .await
}

/// `GET /opengov/consultations/{number}/comments.csv`: the comments the reader may see.
pub async fn comments_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let (n, csv) = state.app.consultation_comments_csv(actor, &number).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"comments-{n}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

// ---------------------------------------------------------------------------- proposals

#[derive(askama::Template)]
#[template(path = "opengov_proposals.html")]
pub struct ProposalsPage {
    pub base: Base,
    pub staff: bool,
    pub lines: Vec<MatterLine>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub error: Option<(String, String)>,
}

async fn proposals_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    error: Option<AppError>,
) -> PageResult<ProposalsPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    Ok(ProposalsPage {
        base: Base::new("建议提案办理", viewer.signed_in(), large),
        staff: unit_staff(actor),
        lines: state.app.proposals(actor).await?,
        kinds: options::<ProposalKind>(),
        error: error.map(|e| (e.code.to_string(), e.message)),
    })
}

/// `GET /opengov/proposals`: published replies; the office's and units' proposals for staff.
pub async fn proposals(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(
        &proposals_page(&state, &viewer, large, None).await?,
    ))
}

/// `POST /opengov/proposals`: the office registers a proposal.
pub async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let Some(who) = viewer.signed_in() else {
        return Err(PageError(AppError::of(codes::Auth::Required)));
    };
    let result = match ProposalKind::parse(field(&pairs, "kind")) {
        Some(kind) => {
            let input = ProposalInput {
                kind,
                session: field(&pairs, "session").into(),
                number: field(&pairs, "number").into(),
                title: field(&pairs, "title").into(),
                proposer: field(&pairs, "proposer").into(),
                proposer_login: opt(&pairs, "proposer_login"),
                body: field(&pairs, "body").into(),
            };
            state.app.register_proposal(&who.actor, input).await
        }
        None => Err(form_error()),
    };
    settle(
        result,
        |n| format!("/opengov/proposals/{n}?ok=1"),
        |e| proposals_page(&state, &viewer, large, Some(e)),
    )
    .await
}

#[derive(askama::Template)]
#[template(path = "opengov_proposal.html")]
pub struct ProposalPage {
    pub base: Base,
    pub v: ProposalView,
    pub registered: String,
    pub assigned: String,
    pub replies: Vec<(String, String, String, String, String)>,
    pub history: Vec<(String, String, String)>,
    pub units: Vec<(i64, String)>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub classes: Vec<(&'static str, &'static str)>,
    pub satisfactions: Vec<(&'static str, &'static str)>,
    pub notice: Option<String>,
    pub error: Option<(String, String)>,
    /// Whether the citizen reading follows it (none for others).
    pub following: Option<bool>,
}

async fn proposal_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    number: &str,
    notice: Option<String>,
    error: Option<AppError>,
) -> PageResult<ProposalPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let v = state.app.proposal_view(actor, number).await?;
    let following = match viewer.signed_in().map(|s| &s.actor) {
        Some(a) if a.role == Role::Applicant => Some(
            state
                .app
                .follows(
                    Some(a),
                    tongban_domain::supervision::SubjectKind::Proposal,
                    &v.number,
                )
                .await?,
        ),
        _ => None,
    };
    Ok(ProposalPage {
        following,
        base: Base::new(&v.title, viewer.signed_in(), large),
        registered: format_local(v.registered_at),
        assigned: v.assigned_at.map(format_local).unwrap_or_default(),
        replies: v
            .replies
            .iter()
            .map(|r| {
                (
                    r.unit.clone(),
                    r.role_label.to_string(),
                    r.class_label.to_string(),
                    format_local(r.at),
                    r.text.clone(),
                )
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|h| (format_local(h.at), h.what.clone(), h.by.clone()))
            .collect(),
        units: if v.office_view {
            state.app.opengov_units().await?
        } else {
            Vec::new()
        },
        roles: options::<UnitRole>(),
        classes: options::<ReplyClass>(),
        satisfactions: options::<Satisfaction>(),
        notice,
        error: error.map(|e| (e.code.to_string(), e.message)),
        v,
    })
}

/// `GET /opengov/proposals/{number}`.
pub async fn proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    crate::json::PageQuery(f): crate::json::PageQuery<Flash>,
) -> PageResult<Response> {
    let notice = f.ok.as_deref().and_then(done_text);
    Ok(views::render(
        &proposal_page(&state, &viewer, large, &number, notice, None).await?,
    ))
}

/// The 交办 form: `unit_{i}` (a department) with `role_{i}` (主办, 会办, 分办).
fn read_units(pairs: &Pairs) -> Result<Vec<(i64, UnitRole)>, AppError> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        let Some(i) = k.strip_prefix("unit_") else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let id: i64 = v.trim().parse().map_err(|_| form_error())?;
        let role = UnitRole::parse(field(pairs, &format!("role_{i}"))).ok_or_else(form_error)?;
        out.push((id, role));
    }
    Ok(out)
}

/// `POST /opengov/proposals/{number}/act`: 交办, a unit's reply, the proposer's
/// satisfaction, publication.
pub async fn proposal_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let Some(who) = viewer.signed_in() else {
        return Err(PageError(AppError::of(codes::Auth::Required)));
    };
    let app = &state.app;
    let a = &who.actor;
    let action = field(&pairs, "action").to_string();
    let result = match action.as_str() {
        "assign" => match read_units(&pairs) {
            Ok(units) => {
                app.assign_proposal(a, &number, &units, opt(&pairs, "note").as_deref())
                    .await
            }
            Err(e) => Err(e),
        },
        "reply" => match ReplyClass::parse(field(&pairs, "class")) {
            Some(class) => {
                app.reply_proposal(a, &number, class, field(&pairs, "text"))
                    .await
            }
            None => Err(form_error()),
        },
        "feedback" => match Satisfaction::parse(field(&pairs, "satisfaction")) {
            Some(s) => {
                app.proposal_feedback(
                    a,
                    &number,
                    s,
                    opt(&pairs, "remark").as_deref(),
                    field(&pairs, "agree_publish") == "yes",
                )
                .await
            }
            None => Err(form_error()),
        },
        "publish" => app.publish_proposal(a, &number).await,
        _ => Err(form_error()),
    };
    settle(
        result,
        |()| format!("/opengov/proposals/{number}?ok={action}"),
        |e| proposal_page(&state, &viewer, large, &number, None, Some(e)),
    )
    .await
}
