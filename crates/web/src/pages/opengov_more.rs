//! Open government pages, second part: publicity notices (公示) with objections, open
//! meetings with registration and minutes, public commitments (公开承诺), the leaders'
//! visiting schedule (领导接访), following a matter, and the comments as xlsx. Each page calls
//! the same use cases as the API; a refusal shows its code and message on the page.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use tongban_app::opengov::{CommitmentView, MatterLine, MeetingView, PublicityView, VisitWeek};
use tongban_app::AppError;
use tongban_domain::opengov::{
    AttendInput, CommitmentInput, CommitmentScope, CommitmentStatus, MeetingInput, MeetingKind,
    ObjectionInput, PublicityArea, PublicityInput, PublicityStage, QuestionInput, VisitInput,
};
use tongban_domain::org::Role;
use tongban_domain::supervision::SubjectKind;
use tongban_domain::time::format_local;

use crate::error::PageResult;
use crate::json::{PageForm, PageQuery};
use crate::session::{LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

use super::opengov_form::{
    err_pair, field, form_error, num, opt, options, parse, settle, signed_in, unit_staff, Pairs,
    Query,
};

// ---------------------------------------------------------------------------- notices

#[derive(askama::Template)]
#[template(path = "opengov_notices.html")]
pub struct NoticesPage {
    pub base: Base,
    pub staff: bool,
    pub area: String,
    pub areas: Vec<(&'static str, &'static str)>,
    pub stages: Vec<(&'static str, &'static str)>,
    /// Each area's shortest period and how it is counted.
    pub minimums: Vec<(&'static str, u32, &'static str)>,
    pub lines: Vec<MatterLine>,
    pub error: Option<(String, String)>,
}

async fn notices_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    area: Option<PublicityArea>,
    error: Option<AppError>,
) -> PageResult<NoticesPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let staff = unit_staff(actor);
    let rules = state.app.settings().opengov.publicity.clone();
    Ok(NoticesPage {
        base: Base::new(
            if staff {
                "公示管理"
            } else {
                "公示公告"
            },
            viewer.signed_in(),
            large,
        ),
        staff,
        area: area.map(|a| a.as_str().to_string()).unwrap_or_default(),
        areas: options::<PublicityArea>(),
        stages: options::<PublicityStage>(),
        minimums: PublicityArea::ALL
            .iter()
            .map(|a| (a.label(), rules.min_of(*a), a.counting().label()))
            .collect(),
        lines: state.app.publicities(actor, area).await?,
        error: err_pair(error),
    })
}

/// `GET /opengov/notices`: the notices of the eight key areas (the permanent archive), one
/// area with `?area=`; the unit's with its publish form.
pub async fn notices(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    let area = q.get("area").and_then(|a| PublicityArea::parse(a));
    Ok(views::render(
        &notices_page(&state, &viewer, large, area, None).await?,
    ))
}

/// `POST /opengov/notices`: the unit publishes a notice.
pub async fn publish_notice(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let input = PublicityInput {
        area: parse(&pairs, "area")?,
        stage: parse(&pairs, "stage")?,
        title: field(&pairs, "title").into(),
        body: field(&pairs, "body").into(),
        days: num(&pairs, "days")?,
        linked: opt(&pairs, "linked"),
    };
    settle(
        state.app.publish_publicity(actor, input).await,
        |n| format!("/opengov/notices/{n}?ok=1"),
        |e| notices_page(&state, &viewer, large, None, Some(e)),
    )
    .await
}

#[derive(askama::Template)]
#[template(path = "opengov_notice.html")]
pub struct NoticePage {
    pub base: Base,
    pub v: PublicityView,
    pub running: bool,
    pub following: bool,
    pub citizen: bool,
    pub ok: bool,
    pub error: Option<(String, String)>,
}

impl NoticePage {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        format_local(*at)
    }
}

async fn notice_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    number: &str,
    ok: bool,
    error: Option<AppError>,
) -> PageResult<NoticePage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let v = state.app.publicity_view(actor, number).await?;
    Ok(NoticePage {
        base: Base::new(&v.title, viewer.signed_in(), large),
        running: v.status == tongban_domain::opengov::PublicityStatus::Running,
        following: state
            .app
            .follows(actor, SubjectKind::Publicity, &v.number)
            .await?,
        citizen: actor.is_some_and(|a| a.role == Role::Applicant),
        v,
        ok,
        error: err_pair(error),
    })
}

/// `GET /opengov/notices/{number}`: a notice, its objections and replies, its outcome.
pub async fn notice(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    Ok(views::render(
        &notice_page(&state, &viewer, large, &number, q.contains_key("ok"), None).await?,
    ))
}

/// `POST /opengov/notices/{number}/object`: an objection while the period runs.
pub async fn object(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let input = ObjectionInput {
        text: field(&pairs, "text").into(),
        name: opt(&pairs, "name"),
        contact: opt(&pairs, "contact"),
    };
    settle(
        state.app.object_to_publicity(actor, &number, input).await,
        |_| format!("/opengov/notices/{number}?ok=1"),
        |e| notice_page(&state, &viewer, large, &number, false, Some(e)),
    )
    .await
}

/// `POST /opengov/notices/{number}/act`: the unit answers an objection (`action=answer`) or
/// records the outcome (`action=close`).
pub async fn notice_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let r = match field(&pairs, "action") {
        "answer" => {
            let no = num::<u32>(&pairs, "no")?.ok_or_else(form_error)?;
            state
                .app
                .answer_objection(actor, &number, no, field(&pairs, "reply"))
                .await
        }
        "close" => {
            state
                .app
                .close_publicity(actor, &number, field(&pairs, "outcome"))
                .await
        }
        _ => return Err(form_error().into()),
    };
    settle(
        r,
        |()| format!("/opengov/notices/{number}?ok=1"),
        |e| notice_page(&state, &viewer, large, &number, false, Some(e)),
    )
    .await
}

// ---------------------------------------------------------------------------- meetings

#[derive(askama::Template)]
#[template(path = "opengov_meetings.html")]
pub struct MeetingsPage {
    pub base: Base,
    pub staff: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub agenda_days: u32,
    pub lines: Vec<MatterLine>,
    pub error: Option<(String, String)>,
}

async fn meetings_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    error: Option<AppError>,
) -> PageResult<MeetingsPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let staff = unit_staff(actor);
    Ok(MeetingsPage {
        base: Base::new("公开会议", viewer.signed_in(), large),
        staff,
        kinds: options::<MeetingKind>(),
        agenda_days: state.app.settings().opengov.meeting.agenda_days,
        lines: state.app.meetings(actor).await?,
        error: err_pair(error),
    })
}

/// `GET /opengov/meetings`: open meetings, 公开述职 and 公开问询; the unit's announce form.
pub async fn meetings(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(
        &meetings_page(&state, &viewer, large, None).await?,
    ))
}

/// `POST /opengov/meetings`: the unit announces a meeting with its agenda.
pub async fn announce(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    // The form gives the start in Beijing time, `YYYY-MM-DDTHH:MM`.
    let starts_at =
        chrono::NaiveDateTime::parse_from_str(field(&pairs, "starts_at"), "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|t| {
                t.and_local_timezone(tongban_domain::time::shanghai())
                    .single()
            })
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(form_error)?;
    let input = MeetingInput {
        kind: parse(&pairs, "kind")?,
        title: field(&pairs, "title").into(),
        agenda: field(&pairs, "agenda").into(),
        place: field(&pairs, "place").into(),
        starts_at,
        capacity: num(&pairs, "capacity")?.unwrap_or(0),
    };
    settle(
        state.app.announce_meeting(actor, input).await,
        |n| format!("/opengov/meetings/{n}?ok=1"),
        |e| meetings_page(&state, &viewer, large, Some(e)),
    )
    .await
}

#[derive(askama::Template)]
#[template(path = "opengov_meeting.html")]
pub struct MeetingPage {
    pub base: Base,
    pub v: MeetingView,
    pub starts: String,
    pub open: bool,
    pub following: bool,
    pub citizen: bool,
    pub ok: bool,
    pub error: Option<(String, String)>,
}

async fn meeting_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    number: &str,
    ok: bool,
    error: Option<AppError>,
) -> PageResult<MeetingPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let v = state.app.meeting_view(actor, number).await?;
    Ok(MeetingPage {
        base: Base::new(&v.title, viewer.signed_in(), large),
        starts: format_local(v.starts_at),
        open: v.status == tongban_domain::opengov::MeetingStatus::Announced,
        following: state
            .app
            .follows(actor, SubjectKind::Meeting, &v.number)
            .await?,
        citizen: actor.is_some_and(|a| a.role == Role::Applicant),
        v,
        ok,
        error: err_pair(error),
    })
}

/// `GET /opengov/meetings/{number}`: the agenda, the seats left, the minutes once published.
pub async fn meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    Ok(views::render(
        &meeting_page(&state, &viewer, large, &number, q.contains_key("ok"), None).await?,
    ))
}

/// `POST /opengov/meetings/{number}/register`: a citizen registers to attend.
pub async fn attend(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let input = AttendInput {
        name: field(&pairs, "name").into(),
        phone: field(&pairs, "phone").into(),
    };
    settle(
        state.app.register_to_attend(actor, &number, input).await,
        |_| format!("/opengov/meetings/{number}?ok=1"),
        |e| meeting_page(&state, &viewer, large, &number, false, Some(e)),
    )
    .await
}

/// `POST /opengov/meetings/{number}/ask`: anyone asks a 公开述职 or 公开问询 a question.
pub async fn ask(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let input = QuestionInput {
        text: field(&pairs, "text").into(),
        name: opt(&pairs, "name"),
        contact: opt(&pairs, "contact"),
    };
    settle(
        state.app.ask_question(actor, &number, input).await,
        |_| format!("/opengov/meetings/{number}?ok=1"),
        |e| meeting_page(&state, &viewer, large, &number, false, Some(e)),
    )
    .await
}

/// `POST /opengov/meetings/{number}/act`: the unit publishes the minutes (`action=minutes`,
/// the default) or answers a question (`action=answer`).
pub async fn meeting_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let r = match field(&pairs, "action") {
        "answer" => {
            let no = num::<u32>(&pairs, "no")?.ok_or_else(form_error)?;
            state
                .app
                .answer_question(actor, &number, no, field(&pairs, "reply"))
                .await
        }
        "" | "minutes" => {
            state
                .app
                .publish_minutes(
                    actor,
                    &number,
                    field(&pairs, "minutes"),
                    num(&pairs, "attendance")?.unwrap_or(0),
                    field(&pairs, "decisions"),
                )
                .await
        }
        _ => return Err(form_error().into()),
    };
    settle(
        r,
        |()| format!("/opengov/meetings/{number}?ok=1"),
        |e| meeting_page(&state, &viewer, large, &number, false, Some(e)),
    )
    .await
}

// ---------------------------------------------------------------------------- commitments

#[derive(askama::Template)]
#[template(path = "opengov_commitments.html")]
pub struct CommitmentsPage {
    pub base: Base,
    pub staff: bool,
    pub own: Option<i64>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub scopes: Vec<(&'static str, &'static str)>,
    pub commitments: Vec<CommitmentView>,
    pub error: Option<(String, String)>,
}

impl CommitmentsPage {
    fn mine(&self, department_id: &i64) -> bool {
        self.own == Some(*department_id)
    }

    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        format_local(*at)
    }
}

async fn commitments_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    error: Option<AppError>,
) -> PageResult<CommitmentsPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let staff = unit_staff(actor);
    Ok(CommitmentsPage {
        base: Base::new("公开承诺", viewer.signed_in(), large),
        staff,
        own: actor.filter(|_| staff).and_then(|a| a.department_id),
        statuses: options::<CommitmentStatus>(),
        scopes: options::<CommitmentScope>(),
        commitments: state.app.commitments(None).await?,
        error: err_pair(error),
    })
}

/// `GET /opengov/commitments`: every unit's commitments and how they are kept.
pub async fn commitments(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(
        &commitments_page(&state, &viewer, large, None).await?,
    ))
}

/// `POST /opengov/commitments`: the unit publishes a commitment (`action=publish`) or
/// records how one is kept (`action=status`).
pub async fn commitment_act(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let r = match field(&pairs, "action") {
        "publish" => state
            .app
            .publish_commitment(
                actor,
                CommitmentInput {
                    title: field(&pairs, "title").into(),
                    time_limit: field(&pairs, "time_limit").into(),
                    standard: field(&pairs, "standard").into(),
                    covers: match opt(&pairs, "covers") {
                        Some(_) => Some(parse(&pairs, "covers")?),
                        None => None,
                    },
                },
            )
            .await
            .map(|_| ()),
        "status" => {
            let id = num::<i64>(&pairs, "id")?.ok_or_else(form_error)?;
            state
                .app
                .set_commitment_status(actor, id, parse(&pairs, "status")?, field(&pairs, "note"))
                .await
        }
        _ => return Err(form_error().into()),
    };
    settle(
        r,
        |()| "/opengov/commitments?ok=1".into(),
        |e| commitments_page(&state, &viewer, large, Some(e)),
    )
    .await
}

// ---------------------------------------------------------------------------- visits

#[derive(askama::Template)]
#[template(path = "opengov_visits.html")]
pub struct VisitsPage {
    pub base: Base,
    pub staff: bool,
    pub week: VisitWeek,
    pub error: Option<(String, String)>,
}

async fn visits_page(
    state: &AppState,
    viewer: &Viewer,
    large: bool,
    day: Option<NaiveDate>,
    error: Option<AppError>,
) -> PageResult<VisitsPage> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    Ok(VisitsPage {
        base: Base::new("领导接访", viewer.signed_in(), large),
        staff: unit_staff(actor),
        week: state.app.visit_week(day).await?,
        error: err_pair(error),
    })
}

/// `GET /opengov/visits`: the leaders' visiting schedule of a week (`?week=YYYY-MM-DD`).
pub async fn visits(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    let day = q
        .get("week")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    Ok(views::render(
        &visits_page(&state, &viewer, large, day, None).await?,
    ))
}

/// `POST /opengov/visits`: the unit publishes a visiting session.
pub async fn publish_visit(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let input = VisitInput {
        leader: field(&pairs, "leader").into(),
        post: field(&pairs, "post").into(),
        day: field(&pairs, "day").into(),
        hours: field(&pairs, "hours").into(),
        place: field(&pairs, "place").into(),
        topics: field(&pairs, "topics").into(),
    };
    let day = NaiveDate::parse_from_str(&input.day, "%Y-%m-%d").ok();
    settle(
        state.app.publish_visit(actor, input).await,
        |_| {
            format!(
                "/opengov/visits?week={}",
                day.map(|d| d.to_string()).unwrap_or_default()
            )
        },
        |e| visits_page(&state, &viewer, large, day, Some(e)),
    )
    .await
}

// ---------------------------------------------------------------------------- follow, xlsx

/// `POST /opengov/follow`: a citizen follows (`follow=1`) or stops following a matter
/// (`kind`, `number`), then returns to its page.
pub async fn follow(
    State(state): State<AppState>,
    viewer: Viewer,
    PageForm(pairs): PageForm<Pairs>,
) -> PageResult<Response> {
    let actor = signed_in(&viewer)?;
    let kind = SubjectKind::parse(field(&pairs, "kind")).ok_or_else(form_error)?;
    let number = field(&pairs, "number");
    state
        .app
        .follow_matter(actor, kind, number, field(&pairs, "follow") == "1")
        .await?;
    Ok(super::opengov_form::see_other(kind.path(number)))
}

/// `GET /opengov/consultations/{number}/comments.xlsx`: the comments as a workbook.
pub async fn comments_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let actor = viewer.signed_in().map(|s| &s.actor);
    let (name, bytes) = state.app.consultation_comments_xlsx(actor, &number).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
