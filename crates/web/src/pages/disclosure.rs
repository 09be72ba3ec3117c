//! Disclosure pages: the applicant's form and tracking, the office's workbench. Each page
//! calls the same use cases as the API, so the same checks hold.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::disclosure::{DisclosureView, NewDisclosure};
use tongban_app::{AppError, Kind};
use tongban_domain::codes;
use tongban_domain::disclosure::{
    ApplicantInput, ApplicantKind, Channel, ConsultationKind, DisclosureCommand, FormWanted,
    NotProcessedReason, OrganisationKind, RemedyKind, RemedyOutcome, ReplyKind, Status,
    UnavailableReason, WithholdGround,
};
use tongban_domain::org::Role;
use tongban_domain::time::format_local;
use tongban_domain::ClosedSet;
use tongban_store::disclosure::DisclosureLine;

use crate::disclosure_input::DisclosureActionBody;
use crate::error::{status, PageError, PageResult};
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

/// (wire name, label) of every value of a closed set, for a `<select>`.
fn options<T: ClosedSet>() -> Vec<(&'static str, &'static str)> {
    T::all().iter().map(|v| (v.wire(), v.zh())).collect()
}

fn ms(at: Option<i64>) -> String {
    at.and_then(chrono::DateTime::from_timestamp_millis)
        .map(format_local)
        .unwrap_or_else(|| "—".into())
}

/// A line of a list, ready to show.
pub struct Line {
    pub number: String,
    pub applicant: String,
    pub status: &'static str,
    pub received: String,
    pub due: String,
}

impl From<DisclosureLine> for Line {
    fn from(l: DisclosureLine) -> Self {
        Line {
            number: l.number,
            applicant: l.applicant_name,
            status: l.status.label(),
            received: ms(l.received_at),
            due: l.due_date.unwrap_or_else(|| "—".into()),
        }
    }
}

fn office_staff(who: &SignedIn) -> bool {
    matches!(
        who.actor.role,
        Role::Clerk | Role::Approver | Role::DeptHead
    )
}

#[derive(askama::Template)]
#[template(path = "disclosure.html")]
pub struct HomePage {
    pub base: Base,
    pub office: bool,
    pub lines: Vec<Line>,
    pub agencies: Vec<(i64, String)>,
    pub applicant_kinds: Vec<(&'static str, &'static str)>,
    pub org_kinds: Vec<(&'static str, &'static str)>,
    pub forms: Vec<(&'static str, &'static str)>,
    pub channels: Vec<(&'static str, &'static str)>,
    /// (code, message)
    pub error: Option<(String, String)>,
}

async fn home_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    error: Option<AppError>,
) -> PageResult<HomePage> {
    let app = &state.app;
    let office = office_staff(who);
    let lines = if office {
        app.disclosure_queue(&who.actor).await?
    } else {
        app.my_disclosures(&who.actor).await?
    };
    let channels = Channel::ALL
        .iter()
        .filter(|c| (**c == Channel::Online) != office)
        .map(|c| (c.as_str(), c.label()))
        .collect();
    Ok(HomePage {
        base: Base::new(
            if office {
                "政府信息公开工作台"
            } else {
                "政府信息公开申请"
            },
            Some(who),
            large,
        ),
        office,
        lines: lines.into_iter().map(Line::from).collect(),
        agencies: app.disclosure_agencies().await?,
        applicant_kinds: options::<ApplicantKind>(),
        org_kinds: options::<OrganisationKind>(),
        forms: options::<FormWanted>(),
        channels,
        error: error.map(|e| (e.code.to_string(), e.message)),
    })
}

/// `GET /disclosure`: the applicant's form and requests, or the office's queue by due date.
pub async fn home(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(&home_page(&state, &who, large, None).await?))
}

#[derive(Deserialize)]
pub struct FileForm {
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    applicant_kind: String,
    #[serde(default)]
    org_kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_code: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    channel: String,
    /// `datetime-local`, Shanghai wall time.
    #[serde(default)]
    received_at: String,
}

fn read_filing(f: FileForm) -> Result<NewDisclosure, AppError> {
    let bad = || AppError::of(codes::Request::Form);
    let opt = |s: String| Some(s).filter(|v| !v.trim().is_empty());
    let received_at = match opt(f.received_at) {
        Some(v) => {
            let naive = NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%dT%H:%M")
                .map_err(|_| AppError::of(codes::Disclosure::ReceiptMissing))?;
            let at = tongban_domain::time::shanghai()
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(bad)?;
            Some(at.with_timezone(&Utc))
        }
        None => None,
    };
    Ok(NewDisclosure {
        department_id: f
            .department_id
            .trim()
            .parse()
            .map_err(|_| AppError::of(codes::Disclosure::NotHolder))?,
        applicant: ApplicantInput {
            kind: ApplicantKind::parse(&f.applicant_kind),
            name: f.name,
            id_code: f.id_code,
            phone: opt(f.phone),
            email: opt(f.email),
            address: opt(f.address),
            org_kind: OrganisationKind::parse(&f.org_kind),
        },
        description: f.description,
        purpose: opt(f.purpose),
        form: FormWanted::parse(&f.form).ok_or_else(bad)?,
        channel: Channel::parse(&f.channel).ok_or_else(bad)?,
        received_at,
    })
}

/// `POST /disclosure`: files a request and shows it.
pub async fn file(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(form): PageForm<FileForm>,
) -> PageResult<Response> {
    let result = match read_filing(form) {
        Ok(new) => state.app.file_disclosure(&who.actor, new).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/disclosure/requests/{}?ok=filed", v.number),
            )],
        )
            .into_response()),
        Err(e) if matches!(e.kind, Kind::Forbidden | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page = home_page(&state, &who, large, Some(e)).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}

/// Which forms the page offers.
#[derive(Default)]
pub struct Offers {
    pub confirm: bool,
    pub supplement_notice: bool,
    pub supplement: bool,
    pub lapse_supplement: bool,
    pub extend: bool,
    pub consult: bool,
    pub close_consultation: bool,
    pub fee: bool,
    pub pay: bool,
    pub lapse_fee: bool,
    pub reply: bool,
    pub withdraw: bool,
    pub request_reasons: bool,
    pub give_reasons: bool,
    pub later_date: bool,
    pub record_remedy: bool,
    pub decide_remedy: bool,
}

fn offers(v: &DisclosureView, who: &SignedIn) -> Offers {
    let office = v.office_view;
    let applicant = who.actor.role == Role::Applicant;
    let s = v.status;
    Offers {
        confirm: office && s == Status::Submitted,
        supplement_notice: office && s == Status::Processing && v.supplement_items.is_empty(),
        supplement: (office || applicant) && s == Status::AwaitingSupplement,
        lapse_supplement: office && s == Status::AwaitingSupplement,
        extend: office
            && !v.extended
            && who.actor.role == Role::DeptHead
            && matches!(
                s,
                Status::Processing | Status::Consulting | Status::AwaitingFee
            ),
        consult: office && s == Status::Processing,
        close_consultation: office && s == Status::Consulting,
        fee: office && s == Status::Processing && v.fee.is_none(),
        pay: office && s == Status::AwaitingFee,
        lapse_fee: office && s == Status::AwaitingFee,
        reply: office && matches!(s, Status::Processing | Status::AwaitingReasons),
        withdraw: (office || applicant) && s.is_open(),
        request_reasons: office && s == Status::Processing && !v.reasons_asked,
        give_reasons: (office || applicant) && s == Status::AwaitingReasons,
        later_date: office && s == Status::Processing && v.reasons_given && !v.later_date_set,
        record_remedy: office && s == Status::Replied && v.remedies.len() < RemedyKind::ALL.len(),
        decide_remedy: office && v.remedies.iter().any(|r| r.outcome.is_none()),
    }
}

#[derive(askama::Template)]
#[template(path = "disclosure_request.html")]
pub struct RequestPage {
    pub base: Base,
    pub v: DisclosureView,
    pub offers: Offers,
    pub filed: String,
    pub received: String,
    pub history: Vec<(String, String, String, String)>,
    pub notice: Option<String>,
    /// (code, message)
    pub error: Option<(String, String)>,
    pub reply_kinds: Vec<(&'static str, &'static str)>,
    pub grounds: Vec<(&'static str, &'static str)>,
    pub unavailable: Vec<(&'static str, &'static str)>,
    pub not_processed: Vec<(&'static str, &'static str)>,
    pub consult_kinds: Vec<(&'static str, &'static str)>,
    pub remedy_kinds: Vec<(&'static str, &'static str)>,
    pub remedy_outcomes: Vec<(&'static str, &'static str)>,
}

async fn request_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    number: &str,
    notice: Option<String>,
    error: Option<AppError>,
) -> PageResult<RequestPage> {
    let v = state.app.disclosure_view(&who.actor, number).await?;
    let history = v
        .history
        .iter()
        .map(|h| {
            (
                format_local(h.at),
                h.what.to_string(),
                h.by.clone(),
                h.detail.clone(),
            )
        })
        .collect();
    Ok(RequestPage {
        base: Base::new(&format!("政府信息公开申请 {}", v.number), Some(who), large),
        offers: offers(&v, who),
        filed: format_local(v.filed_at),
        received: v
            .received_at
            .map(format_local)
            .unwrap_or_else(|| "待确认".into()),
        history,
        notice,
        error: error.map(|e| (e.code.to_string(), e.message)),
        reply_kinds: options::<ReplyKind>(),
        grounds: options::<WithholdGround>(),
        unavailable: options::<UnavailableReason>(),
        not_processed: options::<NotProcessedReason>(),
        consult_kinds: options::<ConsultationKind>(),
        remedy_kinds: options::<RemedyKind>(),
        remedy_outcomes: options::<RemedyOutcome>(),
        v,
    })
}

#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

fn done_text(ok: &str) -> Option<String> {
    if ok == "filed" {
        return Some("申请已提交。".into());
    }
    DisclosureCommand::parse(ok).map(|c| format!("已办理：{}。", c.label()))
}

/// `GET /disclosure/requests/{number}`: the request, its clock day by day, and the forms of
/// the steps the reader may take.
pub async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(f): PageQuery<Flash>,
) -> PageResult<Response> {
    let notice = f.ok.as_deref().and_then(done_text);
    let page = request_page(&state, &who, large, &number, notice, None).await?;
    Ok(views::render(&page))
}

/// `POST /disclosure/requests/{number}/act`: one step, then back to the request.
pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let result = match DisclosureActionBody::from_pairs(&pairs) {
        Ok(body) => {
            let name = body.action;
            let version = body.version;
            match body.into_action() {
                Ok(action) => state
                    .app
                    .act_on_disclosure(&who.actor, &number, version, action)
                    .await
                    .map(|v| (name, v.number)),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((name, number)) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/disclosure/requests/{number}?ok={}", name.as_str()),
            )],
        )
            .into_response()),
        Err(e) if matches!(e.kind, Kind::NotFound | Kind::Unauthenticated) => Err(PageError(e)),
        Err(e) => {
            let kind = e.kind;
            let page = request_page(&state, &who, large, &number, None, Some(e)).await?;
            Ok((status(kind), views::render(&page)).into_response())
        }
    }
}
