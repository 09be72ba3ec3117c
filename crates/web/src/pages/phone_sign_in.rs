//! Signing in with a phone number and an SMS code, and the forgotten-password path (a code to
//! the registered phone, then a new password). Both ask for the code first (post, then
//! redirect to the page that takes the code, identified by an opaque ticket, never the phone
//! number), so a reload never sends another message.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::phone_codes::CodePurpose;

use crate::error::status;
use crate::json::{PageForm, PageQuery};
use crate::session::{session_cookie, ClientAddr, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

#[derive(askama::Template)]
#[template(path = "login_sms.html")]
pub struct SmsLoginPage {
    pub base: Base,
    /// Empty: ask for the phone; else the ticket whose code is typed.
    pub ticket: String,
    pub phone_masked: String,
    pub phone: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    pub base: Base,
    pub ticket: String,
    pub phone_masked: String,
    pub phone: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    next: String,
}

fn with_next(path: &str, ticket: &str, next: &str) -> String {
    let mut pairs = vec![("ticket", ticket.to_string())];
    if let Some(n) = super::auth::local_next(next) {
        pairs.push(("next", n));
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

pub async fn sms_page(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<TicketQuery>,
) -> Response {
    if viewer.signed_in().is_some() {
        return Redirect::to("/").into_response();
    }
    let masked = if q.ticket.is_empty() {
        None
    } else {
        state
            .app
            .code_phone(&q.ticket, CodePurpose::SignIn)
            .await
            .ok()
            .flatten()
    };
    let (ticket, phone_masked, error) = match masked {
        Some(m) => (q.ticket, m, None),
        None if !q.ticket.is_empty() => (
            String::new(),
            String::new(),
            Some("验证码已失效，请重新获取。".to_string()),
        ),
        None => (String::new(), String::new(), None),
    };
    views::render(&SmsLoginPage {
        base: Base::new("短信验证码登录", None, large),
        ticket,
        phone_masked,
        phone: String::new(),
        next: super::auth::local_next(&q.next).unwrap_or_default(),
        error,
    })
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    next: String,
}

pub async fn sms_send(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<SendForm>,
) -> Response {
    match state
        .app
        .send_phone_code(&form.phone, CodePurpose::SignIn, &client)
        .await
    {
        Ok(sent) => {
            Redirect::to(&with_next("/login/sms", &sent.ticket, &form.next)).into_response()
        }
        Err(e) => {
            let page = SmsLoginPage {
                base: Base::new("短信验证码登录", None, large),
                ticket: String::new(),
                phone_masked: String::new(),
                phone: form.phone,
                next: super::auth::local_next(&form.next).unwrap_or_default(),
                error: Some(e.message.clone()),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn sms_sign_in(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<CodeForm>,
) -> Response {
    match state
        .app
        .sign_in_with_code(&form.ticket, &form.code, &client)
        .await
    {
        Ok(session) => {
            let cookie = session_cookie(&session.token, state.cfg.secure_cookies);
            let to = super::auth::local_next(&form.next)
                .unwrap_or_else(|| super::auth::landing(session.user.role.is_staff()).to_string());
            (
                StatusCode::SEE_OTHER,
                [(header::SET_COOKIE, cookie), (header::LOCATION, to)],
            )
                .into_response()
        }
        Err(e) => {
            let masked = state
                .app
                .code_phone(&form.ticket, CodePurpose::SignIn)
                .await
                .ok()
                .flatten();
            let page = SmsLoginPage {
                base: Base::new("短信验证码登录", None, large),
                ticket: if masked.is_some() {
                    form.ticket
                } else {
                    String::new()
                },
                phone_masked: masked.unwrap_or_default(),
                phone: String::new(),
                next: super::auth::local_next(&form.next).unwrap_or_default(),
                error: Some(e.message.clone()),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}

pub async fn forgot_page(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<TicketQuery>,
) -> Response {
    let masked = if q.ticket.is_empty() {
        None
    } else {
        state
            .app
            .code_phone(&q.ticket, CodePurpose::Reset)
            .await
            .ok()
            .flatten()
    };
    let error = (masked.is_none() && !q.ticket.is_empty())
        .then(|| "验证码已失效，请重新获取。".to_string());
    views::render(&ForgotPage {
        base: Base::new("忘记密码", None, large),
        ticket: if masked.is_some() {
            q.ticket
        } else {
            String::new()
        },
        phone_masked: masked.unwrap_or_default(),
        phone: String::new(),
        error,
    })
}

pub async fn forgot_send(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<SendForm>,
) -> Response {
    match state
        .app
        .send_phone_code(&form.phone, CodePurpose::Reset, &client)
        .await
    {
        Ok(sent) => Redirect::to(&with_next("/password/forgot", &sent.ticket, "")).into_response(),
        Err(e) => {
            let page = ForgotPage {
                base: Base::new("忘记密码", None, large),
                ticket: String::new(),
                phone_masked: String::new(),
                phone: form.phone,
                error: Some(e.message.clone()),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new: String,
}

pub async fn forgot_reset(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<ResetForm>,
) -> Response {
    match state
        .app
        .reset_password_with_code(&form.ticket, &form.code, &form.new, &client)
        .await
    {
        Ok(login) => Redirect::to(&format!(
            "/login?{}",
            serde_urlencoded::to_string([("reset", login)]).unwrap_or_default()
        ))
        .into_response(),
        Err(e) => {
            let masked = state
                .app
                .code_phone(&form.ticket, CodePurpose::Reset)
                .await
                .ok()
                .flatten();
            let page = ForgotPage {
                base: Base::new("忘记密码", None, large),
                ticket: if masked.is_some() {
                    form.ticket
                } else {
                    String::new()
                },
                phone_masked: masked.unwrap_or_default(),
                phone: String::new(),
                error: Some(e.message.clone()),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}
