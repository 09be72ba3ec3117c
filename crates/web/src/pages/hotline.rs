//! The 12345 hotline's pages, over the same use cases as the API:
//! - `/hotline`: the desk — for the centre the operator console (incoming-call lookup, the
//!   knowledge base, a keyboard-first new-ticket form) and its queues; for a unit its
//!   workbench of held tickets;
//! - `/hotline/tickets/{number}`: one ticket with the actions the viewer may take;
//! - `/12345`: the public side — file a 诉求 without an account, track it by number and
//!   phone tail.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::hotline::{TicketAction, TicketInput, TicketView};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::hotline::{Category, Channel, TicketActionKind, TicketStatus};
use tongban_domain::org::Role;
use tongban_domain::time::format_local;

use crate::error::{status, PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, ClientAddr, LargeText, Viewer};
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

/// A line of a ticket list.
pub struct Line {
    pub number: String,
    pub category: String,
    pub subject: String,
    pub status: String,
    pub summary: String,
    pub received: String,
    pub due: String,
    pub urgent: bool,
}

impl From<tongban_store::hotline::TicketRow> for Line {
    fn from(r: tongban_store::hotline::TicketRow) -> Self {
        Line {
            number: r.number,
            category: r.category.label().into(),
            subject: r.subject_name,
            status: r.status.label().into(),
            summary: r.summary.chars().take(40).collect(),
            received: at(r.received_at),
            due: r.due_at.map(at).unwrap_or_else(|| "—".into()),
            urgent: r.urgent == 1,
        }
    }
}

/// (code, name) options.
pub type Options = Vec<(String, String)>;

#[derive(askama::Template)]
#[template(path = "hotline.html")]
pub struct DeskPage {
    pub base: Base,
    pub centre: bool,
    pub phone: String,
    /// The incoming caller's earlier tickets (masked number, lines) when a number was given.
    pub caller: Option<(String, Vec<Line>)>,
    pub q: String,
    pub answers: Vec<(i64, String, String)>,
    pub categories: Options,
    pub channels: Options,
    pub subjects: Options,
    pub regions: Options,
    pub queues: Vec<(String, Vec<Line>)>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    error: String,
}

fn closed_options<T: tongban_domain::ClosedSet>() -> Options {
    T::all()
        .iter()
        .map(|v| (v.wire().to_string(), v.zh().to_string()))
        .collect()
}

fn coded(code: &str) -> Option<(String, String)> {
    tongban_domain::ErrorCode::parse(code).map(|c| (c.as_str().to_string(), c.message().into()))
}

/// The regions a request may be about (below the city), by code.
async fn regions(state: &AppState) -> PageResult<Options> {
    Ok(state
        .app
        .store
        .regions(None)
        .await?
        .into_iter()
        .filter(|r| r.parent_code.is_some())
        .map(|r| (r.code.as_str().to_string(), r.name))
        .collect())
}

/// `GET /hotline`: the console for the centre, the workbench for a unit.
pub async fn desk(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<DeskQuery>,
) -> PageResult<Response> {
    let app = &state.app;
    let actor = &who.actor;
    let centre = actor.role.is_hotline();
    if !actor.role.uses_hotline() {
        return Err(PageError(AppError::forbidden()));
    }
    let mut page = DeskPage {
        base: Base::new(
            if centre {
                "12345话务台"
            } else {
                "12345工单"
            },
            Some(&who),
            large,
        ),
        centre,
        phone: q.phone.trim().to_string(),
        caller: None,
        q: q.q.trim().to_string(),
        answers: Vec::new(),
        categories: closed_options::<Category>(),
        channels: closed_options::<Channel>(),
        subjects: app
            .hotline_subjects()
            .await?
            .into_iter()
            .filter(|s| s.parent.is_some())
            .map(|s| (s.code, s.name))
            .collect(),
        regions: regions(&state).await?,
        queues: Vec::new(),
        error: coded(&q.error),
    };
    if centre && !page.phone.is_empty() {
        match app.caller_history(actor, &page.phone).await {
            Ok(rows) => {
                let masked = tongban_domain::hotline::CallerPhone::parse(&page.phone)
                    .map(|p| p.masked())
                    .unwrap_or_default();
                page.caller = Some((masked, rows.into_iter().map(Line::from).collect()));
            }
            Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => {
                return Err(PageError(e))
            }
            Err(e) => page.error = Some((e.code.to_string(), e.message)),
        }
    }
    if centre && !page.q.is_empty() {
        page.answers = app
            .knowledge_search(actor, &page.q)
            .await?
            .into_iter()
            .map(|a| (a.id, a.question, a.answer))
            .collect();
    }
    let statuses: &[TicketStatus] = if centre {
        &[
            TicketStatus::Received,
            TicketStatus::Returned,
            TicketStatus::Replied,
            TicketStatus::Dispatched,
            TicketStatus::Handling,
        ]
    } else {
        &[TicketStatus::Dispatched, TicketStatus::Handling]
    };
    for s in statuses {
        let rows = app.tickets_for(actor, Some(s.as_str())).await?;
        page.queues.push((
            s.label().to_string(),
            rows.into_iter().map(Line::from).collect(),
        ));
    }
    Ok(views::render(&page))
}

/// The console's new-ticket form (checkboxes arrive only when ticked).
#[derive(Deserialize)]
pub struct TicketForm {
    category: String,
    #[serde(default)]
    channel: String,
    subject: String,
    region: String,
    #[serde(default)]
    caller_name: String,
    #[serde(default)]
    caller_phone: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    confidential: Option<String>,
    #[serde(default)]
    place: String,
    text: String,
    #[serde(default)]
    urgent: Option<String>,
}

impl From<TicketForm> for TicketInput {
    fn from(f: TicketForm) -> Self {
        let some = |s: String| (!s.trim().is_empty()).then_some(s);
        TicketInput {
            category: f.category,
            channel: some(f.channel),
            subject: f.subject,
            region: f.region,
            caller_name: some(f.caller_name),
            caller_phone: some(f.caller_phone),
            anonymous: f.anonymous.is_some(),
            confidential: f.confidential.is_some(),
            place: some(f.place),
            text: f.text,
            urgent: f.urgent.is_some(),
            ..TicketInput::default()
        }
    }
}

/// `POST /hotline/tickets`: the centre files a ticket.
pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageForm(f): PageForm<TicketForm>,
) -> PageResult<Response> {
    match state.app.file_ticket(&who.actor, f.into()).await {
        Ok(v) => Ok(see_other(format!("/hotline/tickets/{}", v.number))),
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable | Kind::Forbidden) => {
            Err(PageError(e))
        }
        Err(e) => Ok(see_other(format!("/hotline?error={}#new", e.code))),
    }
}

#[derive(askama::Template)]
#[template(path = "hotline_ticket.html")]
pub struct TicketPage {
    pub base: Base,
    pub t: TicketView,
    pub received: String,
    pub due: String,
    pub history: Vec<(String, String, String)>,
    pub centre: bool,
    pub head_of_centre: bool,
    pub holder: bool,
    /// (department id, name) of the units a dispatch or transfer may name.
    pub units: Options,
    /// Likely duplicates: (number, why, subject, status, received, summary).
    pub dups: Vec<(String, String, String, String, String, String)>,
    pub error: Option<(String, String)>,
    pub ok: bool,
}

#[derive(Deserialize, Default)]
pub struct TicketQuery {
    #[serde(default)]
    error: String,
    #[serde(default)]
    ok: String,
}

/// `GET /hotline/tickets/{number}`.
pub async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(q): PageQuery<TicketQuery>,
) -> PageResult<Response> {
    let app = &state.app;
    let actor = &who.actor;
    let t = app.ticket(actor, &number).await?;
    let centre = actor.role.is_hotline();
    let holder = actor.role.is_departmental()
        && t.holder.as_ref().map(|u| u.department_id) == actor.department_id;
    let units = if centre {
        let region = tongban_domain::region::RegionCode::parse(&t.region).ok();
        app.store
            .departments(None)
            .await?
            .into_iter()
            .filter(|d| region.as_ref().is_some_and(|r| d.region_code.contains(r)))
            .map(|d| (d.id.to_string(), d.name))
            .collect()
    } else {
        Vec::new()
    };
    let page = TicketPage {
        base: Base::new(&format!("工单 {}", t.number), Some(&who), large),
        received: format_local(t.received_at),
        due: t.due_at.map(format_local).unwrap_or_else(|| "—".into()),
        history: t
            .history
            .iter()
            .rev()
            .map(|h| {
                (
                    format_local(h.at),
                    h.by.clone().unwrap_or_else(|| "系统".into()),
                    h.summary.clone(),
                )
            })
            .collect(),
        centre,
        head_of_centre: actor.role == Role::HotlineCentre,
        holder,
        units,
        dups: t
            .duplicates
            .iter()
            .map(|d| {
                (
                    d.number.clone(),
                    d.reason_label.clone(),
                    d.subject_name.clone(),
                    d.status_label.clone(),
                    format_local(d.received_at),
                    d.summary.clone(),
                )
            })
            .collect(),
        error: coded(&q.error),
        ok: !q.ok.is_empty(),
        t,
    };
    Ok(views::render(&page))
}

/// `GET /hotline/tickets/{number}/photos/{seq}`: a photo of a ticket, for staff who may read
/// the ticket.
pub async fn photo(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((number, seq)): Path<(String, String)>,
) -> PageResult<Response> {
    let seq: i64 = seq
        .parse()
        .map_err(|_| PageError(AppError::of(codes::Hotline::NotFound)))?;
    let (ct, bytes) = state.app.ticket_photo(&who.actor, &number, seq).await?;
    Ok(crate::api::hotline_photo_response(ct, bytes))
}

#[derive(Deserialize, Default)]
pub struct PhotoQuery {
    #[serde(default)]
    tail: String,
}

/// `GET /12345/tickets/{number}/photos/{seq}?tail=`: a photo of a ticket for its caller (by
/// number and phone tail, throttled with tracking).
pub async fn public_photo(
    State(state): State<AppState>,
    Path((number, seq)): Path<(String, String)>,
    PageQuery(q): PageQuery<PhotoQuery>,
    ClientAddr(client): ClientAddr,
) -> PageResult<Response> {
    let seq: i64 = seq
        .parse()
        .map_err(|_| PageError(AppError::of(codes::Hotline::NotFound)))?;
    let (ct, bytes) = state
        .app
        .tracked_photo(&number, &q.tail, seq, &client)
        .await?;
    Ok(crate::api::hotline_photo_response(ct, bytes))
}

/// Every action's fields in one flat form; `action` says which.
#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    approve: String,
    #[serde(default)]
    knowledge_id: String,
}

fn action(f: ActForm) -> Result<TicketAction, AppError> {
    let id = |s: &str| -> Result<Option<i64>, AppError> {
        match s.trim() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::of(codes::Hotline::Unit)),
        }
    };
    use TicketActionKind as A;
    let kind =
        TicketActionKind::parse(&f.action).ok_or_else(|| AppError::of(codes::Request::Form))?;
    Ok(match kind {
        A::Dispatch => TicketAction::Dispatch {
            lead: id(&f.lead)?,
            co: Vec::new(),
            note: f.note,
        },
        A::AnswerOnSpot => TicketAction::AnswerOnSpot {
            answer: f.text,
            knowledge_id: f.knowledge_id.trim().parse().ok(),
        },
        A::Transfer => TicketAction::Transfer {
            to: id(&f.to)?.ok_or_else(|| AppError::of(codes::Hotline::Unit))?,
            reason: f.reason,
        },
        A::DecideExtension => TicketAction::DecideExtension {
            approve: f.approve == "1",
            note: f.note,
        },
        A::CallBack => TicketAction::CallBack {
            result: f.result,
            note: f.note,
        },
        A::Merge => TicketAction::Merge {
            into: f.to,
            reason: f.reason,
        },
        A::Sign => TicketAction::Sign,
        A::Return => TicketAction::Return { reason: f.reason },
        A::AskExtension => TicketAction::AskExtension {
            days: f
                .days
                .trim()
                .parse()
                .map_err(|_| AppError::of(codes::Hotline::ExtensionDays))?,
            reason: f.reason,
        },
        A::Pause => TicketAction::Pause { reason: f.reason },
        A::Resume => TicketAction::Resume,
        A::Reply => TicketAction::Reply { text: f.text },
    })
}

/// `POST /hotline/tickets/{number}/act`.
pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(number): Path<String>,
    PageForm(f): PageForm<ActForm>,
) -> PageResult<Response> {
    let returned = f.action == TicketActionKind::Return.as_str();
    let done = match action(f) {
        Ok(a) => state.app.ticket_act(&who.actor, &number, a).await.map(drop),
        Err(e) => Err(e),
    };
    match done {
        // A unit that returned the ticket no longer holds it: back to its desk.
        Ok(()) if returned => Ok(see_other("/hotline".into())),
        Ok(()) => Ok(see_other(format!("/hotline/tickets/{number}?ok=1"))),
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable | Kind::NotFound) => {
            Err(PageError(e))
        }
        Err(e) => Ok(see_other(format!(
            "/hotline/tickets/{number}?error={}",
            e.code
        ))),
    }
}

#[derive(askama::Template)]
#[template(path = "hotline_public.html")]
pub struct PublicPage {
    pub base: Base,
    pub categories: Options,
    pub subjects: Options,
    pub regions: Options,
    pub filed: Option<String>,
    pub number: String,
    pub tail: String,
    pub found: Option<tongban_app::hotline::PublicTicketView>,
    pub found_due: String,
    pub progress: Vec<(String, String)>,
    pub error: Option<(String, String)>,
    /// `hotline.photo_max_count` (0: the form has no photo input).
    pub photo_max_count: u32,
    pub photo_max_kb: u32,
    /// The `accept` of the photo input: the kinds the settings take.
    pub photo_accept: String,
}

#[derive(Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    tail: String,
    #[serde(default)]
    filed: String,
}

async fn public_page(state: &AppState, viewer: &Viewer, large: bool) -> PageResult<PublicPage> {
    let rules = state.app.settings().hotline;
    Ok(PublicPage {
        base: Base::new("12345 网上诉求", viewer.signed_in(), large),
        categories: closed_options::<Category>(),
        subjects: state
            .app
            .hotline_subjects()
            .await?
            .into_iter()
            .filter(|s| s.parent.is_some())
            .map(|s| (s.code, s.name))
            .collect(),
        regions: regions(state).await?,
        filed: None,
        number: String::new(),
        tail: String::new(),
        found: None,
        found_due: String::new(),
        progress: Vec::new(),
        error: None,
        photo_max_count: rules.photo_max_count,
        photo_max_kb: rules.photo_max_kb,
        photo_accept: [
            (rules.photo_jpeg, "image/jpeg"),
            (rules.photo_png, "image/png"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, t)| *t)
        .collect::<Vec<_>>()
        .join(","),
    })
}

/// `GET /12345`: the public form, and tracking when a number and tail are given.
pub async fn public(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<PublicQuery>,
    ClientAddr(client): ClientAddr,
) -> PageResult<Response> {
    let mut page = public_page(&state, &viewer, large).await?;
    page.filed = (!q.filed.trim().is_empty()).then(|| q.filed.trim().to_string());
    page.number = q.number.trim().to_string();
    page.tail = q.tail.trim().to_string();
    if page.number.is_empty() && page.tail.is_empty() {
        return Ok(views::render(&page));
    }
    match state
        .app
        .track_ticket(&page.number, &page.tail, &client)
        .await
    {
        Ok(v) => {
            page.found_due = v.due_at.map(format_local).unwrap_or_else(|| "—".into());
            page.progress = v
                .progress
                .iter()
                .rev()
                .map(|(s, at)| (format_local(*at), s.clone()))
                .collect();
            page.found = Some(v);
            Ok(views::render(&page))
        }
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => Err(PageError(e)),
        Err(e) => {
            let code = status(e.kind);
            page.error = Some((e.code.to_string(), e.message));
            Ok((code, views::render(&page)).into_response())
        }
    }
}

/// The public form.
#[derive(Deserialize)]
pub struct PublicForm {
    category: String,
    subject: String,
    region: String,
    #[serde(default)]
    caller_name: String,
    caller_phone: String,
    #[serde(default)]
    confidential: Option<String>,
    #[serde(default)]
    place: String,
    text: String,
}

/// Reads the public form: multipart with its `photos` files (what the page sends), or plain
/// URL-encoded fields. A multipart body cut short or over the upload limit is
/// `hotline.photo_size`; fields that cannot be read are `request.form`.
async fn read_public_form(
    state: &AppState,
    req: Request,
) -> Result<(PublicForm, Vec<(String, Vec<u8>)>), AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut photos = Vec::new();
    if multipart {
        let too_big = || {
            AppError::new(
                codes::Hotline::PhotoSize,
                format!(
                    "照片上传不完整或总大小超过{}MB，请减少照片后重试",
                    super::UPLOAD_LIMIT / 1024 / 1024
                ),
            )
        };
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::of(codes::Request::Form))?;
        while let Some(field) = form.next_field().await.map_err(|_| too_big())? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "photos" {
                let file = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| too_big())?;
                photos.push((file, bytes.to_vec()));
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::of(codes::Request::Form))?;
                pairs.push((name, text));
            }
        }
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 1024 * 1024)
            .await
            .map_err(|_| AppError::of(codes::Request::Form))?;
        pairs =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::of(codes::Request::Form))?;
    }
    let encoded =
        serde_urlencoded::to_string(&pairs).map_err(|_| AppError::of(codes::Request::Form))?;
    let form: PublicForm =
        serde_urlencoded::from_str(&encoded).map_err(|_| AppError::of(codes::Request::Form))?;
    Ok((form, photos))
}

/// `POST /12345`: files without an account (with photos, metadata stripped), then shows the
/// number. A refused photo refuses the request: nothing is written.
pub async fn public_file(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    req: Request,
) -> PageResult<Response> {
    let (f, photos) = match read_public_form(&state, req).await {
        Ok(read) => read,
        Err(e) => {
            let mut page = public_page(&state, &viewer, large).await?;
            let code = status(e.kind);
            page.error = Some((e.code.to_string(), e.message));
            return Ok((code, views::render(&page)).into_response());
        }
    };
    let some = |s: String| (!s.trim().is_empty()).then_some(s);
    let input = TicketInput {
        photos,
        category: f.category,
        subject: f.subject,
        region: f.region,
        caller_name: some(f.caller_name),
        caller_phone: Some(f.caller_phone),
        confidential: f.confidential.is_some(),
        place: some(f.place),
        text: f.text,
        ..TicketInput::default()
    };
    match state.app.file_public_ticket(input).await {
        Ok(n) => Ok(see_other(format!("/12345?filed={n}"))),
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => Err(PageError(e)),
        Err(e) => {
            let mut page = public_page(&state, &viewer, large).await?;
            let code = status(e.kind);
            page.error = Some((e.code.to_string(), e.message));
            Ok((code, views::render(&page)).into_response())
        }
    }
}

/// `/12345/rates`: a month's 三率 per unit, public, with the formulas beside the figures.
#[derive(askama::Template)]
#[template(path = "hotline_rates.html")]
pub struct RatesPage {
    pub base: Base,
    pub month: String,
    pub sign_hours: u32,
    pub formulas: Vec<(String, String)>,
    /// (unit, 派单, 按时签收, 响应率, 办结, 解决, 解决率, 回访, 满意, 满意率); the city first.
    pub rows: Vec<[String; 10]>,
    pub error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct RatesQuery {
    #[serde(default)]
    month: String,
}

fn rate(permille: Option<u32>) -> String {
    permille.map_or_else(|| "—".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

fn rates_row(l: &tongban_app::hotline::UnitRatesLine) -> [String; 10] {
    let c = &l.counts;
    [
        l.name.clone(),
        c.dispatched.to_string(),
        c.signed_on_time.to_string(),
        rate(l.response),
        c.closed.to_string(),
        c.solved.to_string(),
        rate(l.solution),
        c.called_back.to_string(),
        c.satisfied.to_string(),
        rate(l.satisfaction),
    ]
}

/// `GET /12345/rates?month=YYYY-MM` (this month by default).
pub async fn rates(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<RatesQuery>,
) -> PageResult<Response> {
    let month = match q.month.trim() {
        "" => tongban_domain::time::local_date(state.app.now())
            .format("%Y-%m")
            .to_string(),
        m => m.to_string(),
    };
    let mut page = RatesPage {
        base: Base::new("12345热线三率公示", viewer.signed_in(), large),
        month: month.clone(),
        sign_hours: state.app.settings().hotline.sign_hours,
        formulas: tongban_domain::hotline::rates::FORMULAS
            .iter()
            .map(|(n, f)| ((*n).to_string(), (*f).to_string()))
            .collect(),
        rows: Vec::new(),
        error: None,
    };
    let code = match state.app.hotline_rates(&month).await {
        Ok(r) => {
            page.rows = std::iter::once(&r.total)
                .chain(&r.units)
                .map(rates_row)
                .collect();
            axum::http::StatusCode::OK
        }
        Err(e) => {
            let code = status(e.kind);
            page.error = Some((e.code.as_str().into(), e.message));
            code
        }
    };
    Ok((code, views::render(&page)).into_response())
}

/// `/12345/report`: a month's public report — counts by subject and township, hot subjects
/// with their trend, 三率 — with drill-down links for staff.
#[derive(askama::Template)]
#[template(path = "hotline_report.html")]
pub struct ReportPage {
    pub base: Base,
    pub month: String,
    pub staff: bool,
    pub total: u32,
    pub previous_total: u32,
    /// (code, name, count, previous, trend).
    pub hot: Vec<(String, String, u32, u32, String)>,
    pub subjects: Vec<(String, String, u32, u32, String)>,
    /// (code, name, count).
    pub townships: Vec<(String, String, u32)>,
    pub formulas: Vec<(String, String)>,
    pub sign_hours: u32,
    pub rates: Vec<[String; 10]>,
    pub error: Option<(String, String)>,
}

fn is_report_staff(role: Role) -> bool {
    role.is_hotline() || matches!(role, Role::Supervisor | Role::Leader | Role::Admin)
}

/// `GET /12345/report?month=YYYY-MM` (this month by default).
pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<RatesQuery>,
) -> PageResult<Response> {
    let month = match q.month.trim() {
        "" => tongban_domain::time::local_date(state.app.now())
            .format("%Y-%m")
            .to_string(),
        m => m.to_string(),
    };
    let staff = viewer
        .signed_in()
        .is_some_and(|w| is_report_staff(w.actor.role));
    let mut page = ReportPage {
        base: Base::new("12345热线月度报告", viewer.signed_in(), large),
        month: month.clone(),
        staff,
        total: 0,
        previous_total: 0,
        hot: Vec::new(),
        subjects: Vec::new(),
        townships: Vec::new(),
        formulas: Vec::new(),
        sign_hours: state.app.settings().hotline.sign_hours,
        rates: Vec::new(),
        error: None,
    };
    let line = |s: &tongban_domain::hotline::report::SubjectCount| {
        (
            s.subject.clone(),
            s.name.clone(),
            s.count,
            s.previous,
            s.trend().to_string(),
        )
    };
    let code = match state.app.hotline_report(&month).await {
        Ok(r) => {
            page.total = r.total;
            page.previous_total = r.previous_total;
            page.hot = r.hot.iter().map(line).collect();
            page.subjects = r.by_subject.iter().map(line).collect();
            page.townships = r
                .by_township
                .iter()
                .map(|t| (t.region.clone(), t.name.clone(), t.count))
                .collect();
            page.formulas = r.rates.formulas.clone();
            page.rates = std::iter::once(&r.rates.total)
                .chain(&r.rates.units)
                .map(rates_row)
                .collect();
            axum::http::StatusCode::OK
        }
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable) => return Err(PageError(e)),
        Err(e) => {
            let code = status(e.kind);
            page.error = Some((e.code.as_str().into(), e.message));
            code
        }
    };
    Ok((code, views::render(&page)).into_response())
}

/// The staff list's filters, as the page and the workbook read them.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    status: String,
}

impl ListQuery {
    fn query(&self) -> tongban_app::hotline_report::TicketQuery {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        tongban_app::hotline_report::TicketQuery {
            month: some(&self.month),
            subject: some(&self.subject),
            region: some(&self.region),
            status: some(&self.status),
        }
    }

    fn href(&self, path: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("month", self.month.trim()),
            ("subject", self.subject.trim()),
            ("region", self.region.trim()),
            ("status", self.status.trim()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        match serde_urlencoded::to_string(&pairs) {
            Ok(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_string(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "hotline_list.html")]
pub struct ListPage {
    pub base: Base,
    pub month: String,
    pub subject: String,
    pub region: String,
    pub status: String,
    pub subjects: Options,
    pub statuses: Options,
    /// (number, category, subject, region, status, received, summary).
    pub lines: Vec<(String, String, String, String, String, String, String)>,
    pub xlsx_href: String,
    pub error: Option<(String, String)>,
}

fn list_line(
    r: tongban_store::hotline::TicketRow,
) -> (String, String, String, String, String, String, String) {
    (
        r.number,
        r.category.label().into(),
        r.subject_name,
        r.region,
        r.status.label().into(),
        at(r.received_at),
        r.summary.chars().take(60).collect(),
    )
}

/// `GET /hotline/list`: tickets by month, subject, region and status (the report's
/// drill-down), for the centre, supervision and leadership within their region.
pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult<Response> {
    if !is_report_staff(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let mut page = ListPage {
        base: Base::new("12345工单查询", Some(&who), large),
        month: q.month.trim().to_string(),
        subject: q.subject.trim().to_string(),
        region: q.region.trim().to_string(),
        status: q.status.trim().to_string(),
        subjects: state
            .app
            .hotline_subjects()
            .await?
            .into_iter()
            .filter(|s| s.parent.is_some())
            .map(|s| (s.code, s.name))
            .collect(),
        statuses: closed_options::<TicketStatus>(),
        lines: Vec::new(),
        xlsx_href: q.href("/hotline/list.xlsx"),
        error: None,
    };
    let code = match state.app.hotline_ticket_list(&who.actor, &q.query()).await {
        Ok(rows) => {
            page.lines = rows.into_iter().map(list_line).collect();
            axum::http::StatusCode::OK
        }
        Err(e) if matches!(e.kind, Kind::Internal | Kind::Unavailable | Kind::Forbidden) => {
            return Err(PageError(e))
        }
        Err(e) => {
            let code = status(e.kind);
            page.error = Some((e.code.as_str().into(), e.message));
            code
        }
    };
    Ok((code, views::render(&page)).into_response())
}

/// `GET /hotline/list.xlsx`: the same list as a workbook (no caller data).
pub async fn list_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult<Response> {
    if !is_report_staff(who.actor.role) {
        return Err(PageError(AppError::forbidden()));
    }
    let rows = state
        .app
        .hotline_ticket_list(&who.actor, &q.query())
        .await?;
    let lines: Vec<Vec<tongban_exchange::table::Value>> = rows
        .into_iter()
        .map(|r| {
            let due = r.due_at.map(at).unwrap_or_default();
            let (n, cat, subj, region, st, received, summary) = list_line(r);
            vec![
                n.into(),
                cat.into(),
                subj.into(),
                region.into(),
                st.into(),
                received.into(),
                due.into(),
                summary.into(),
            ]
        })
        .collect();
    let bytes = tongban_exchange::table::workbook(
        "12345工单",
        &[
            "工单号",
            "类别",
            "诉求事项",
            "地区",
            "状态",
            "受理时间",
            "办理期限",
            "摘要",
        ],
        &lines,
    )
    .map_err(|e| PageError(AppError::internal(e)))?;
    Ok(super::board::xlsx(bytes, "12345工单.xlsx"))
}
