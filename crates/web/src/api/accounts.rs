//! Accounts over JSON.

use crate::json::ApiJson;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_app::accounts::{ApplicantKind, Registration};
use tongban_domain::codes;
use tongban_domain::error::Code;
use tongban_domain::identity::IdNumber;
use tongban_domain::mask;
use tongban_domain::uscc::Uscc;
use tongban_store::users::User;
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::session::{clear_session_cookie, session_cookie, ApiAuth, ClientAddr, Viewer};
use crate::AppState;

/// An account as the API shows it: personal data masked.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub login: String,
    pub name: String,
    /// `applicant`, `agent`, `clerk`, `approver`, `dept_head`, `supervisor` or `admin`.
    pub role: String,
    pub role_label: String,
    pub department_id: Option<i64>,
    pub region_code: Option<String>,
    pub applicant_kind: Option<String>,
    /// Masked: `110105********002X`.
    pub id_number: Option<String>,
    pub uscc: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub away: bool,
}

impl UserView {
    pub fn of(u: &User) -> UserView {
        UserView {
            id: u.id,
            login: u.login.clone(),
            name: u.name.clone(),
            role: u.role.as_str().into(),
            role_label: u.role.label().into(),
            department_id: u.department_id,
            region_code: u.region_code.clone(),
            applicant_kind: u.applicant_kind.clone(),
            id_number: u.id_number.as_deref().map(|i| mask::keep_ends(i, 6, 4)),
            uscc: u.uscc.clone(),
            phone: u.phone.as_deref().map(mask::phone),
            email: u.email.as_deref().map(mask::email),
            away: u.away,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SignInBody {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInView {
    pub user: UserView,
    /// Send as `X-CSRF-Token` on every write made with this session.
    pub csrf: String,
}

/// Sign in; the session cookie is set on the response.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = SignInBody,
    responses((status = 200, body = SignedInView), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignInBody>,
) -> ApiResult<Response> {
    let session = state
        .app
        .sign_in(&body.login, &body.password, &client)
        .await?;
    let cookie = session_cookie(&session.token, state.cfg.secure_cookies);
    let view = SignedInView {
        user: UserView::of(&session.user),
        csrf: session.csrf,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(view)).into_response())
}

/// Sign out of this session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts", responses((status = 204)))]
pub async fn sign_out(State(state): State<AppState>, viewer: Viewer) -> ApiResult<Response> {
    if let Some((who, token)) = &viewer.0 {
        state.app.sign_out(token, who).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_session_cookie())],
    )
        .into_response())
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(ApiAuth(who): ApiAuth) -> Json<UserView> {
    Json(UserView::of(&who.user))
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterBody {
    /// `person` or `company`.
    pub kind: String,
    pub login: String,
    pub password: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub uscc: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A registration taken: the login name to sign in with. The same answer whether or not the
/// ID number or credit code already had an account (then nothing was created).
#[derive(Serialize, ToSchema)]
pub struct Registered {
    pub login: String,
}

/// Register an applicant (person or company). An ID number or credit code that already has
/// an account gets the same answer as a new one, and no account is made. Refused attempts
/// count against the address (`account.register_throttled`).
#[utoipa::path(post, path = "/api/v1/applicants", tag = "accounts", request_body = RegisterBody,
    responses((status = 201, body = Registered), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(b): ApiJson<RegisterBody>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let kind = match b.kind.as_str() {
        "person" => ApplicantKind::Person,
        "company" => ApplicantKind::Company,
        _ => return Err(tongban_app::AppError::of(codes::Account::Kind).into()),
    };
    let reg = Registration {
        kind,
        login: b.login,
        password: b.password,
        name: b.name,
        phone: b.phone,
        email: b.email,
        id_number: b.id_number,
        uscc: b.uscc,
    };
    let login = reg.login.trim().to_ascii_lowercase();
    state.app.register(&reg, &client).await?;
    Ok((StatusCode::CREATED, Json(Registered { login })))
}

#[derive(Deserialize, ToSchema)]
pub struct ValidateBody {
    /// `id` (居民身份证号码) or `uscc` (统一社会信用代码).
    pub kind: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct Validation {
    pub valid: bool,
    pub code: Option<String>,
    pub message: String,
    /// The value as it may be shown: ID numbers masked.
    pub display: Option<String>,
}

/// Check an ID number or credit code (a POST, so the value stays out of URLs and logs).
#[utoipa::path(post, path = "/api/v1/validate", tag = "accounts", request_body = ValidateBody, responses((status = 200, body = Validation), (status = 422, body = ErrorBody)))]
pub async fn validate(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ValidateBody>,
) -> ApiResult<Json<Validation>> {
    let today = tongban_domain::time::local_date(s.app.now());
    let result = match b.kind.as_str() {
        "id" => IdNumber::parse_on(&b.value, today)
            .map(|i| i.masked())
            .map_err(|e| (e.code(), e.to_string())),
        "uscc" => Uscc::parse(&b.value)
            .map(|u| u.to_string())
            .map_err(|e| (e.code(), e.to_string())),
        _ => return Err(tongban_app::AppError::of(codes::Validate::Kind).into()),
    };
    Ok(Json(match result {
        Ok(display) => Validation {
            valid: true,
            code: None,
            message: "有效".into(),
            display: Some(display),
        },
        Err((code, message)) => Validation {
            valid: false,
            code: Some(code.to_string()),
            message,
            display: None,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    pub old: String,
    pub new: String,
}

/// Change one's own password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordBody, responses((status = 204), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiAuth(who): ApiAuth,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult<Response> {
    state.app.change_password(&who, &b.old, &b.new).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_session_cookie())],
    )
        .into_response())
}
