//! Sign-in, sign-out, registration and password change.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::accounts::{ApplicantKind, Registration};

use crate::error::{status, PageResult};
use crate::json::PageForm;
use crate::json::PageQuery;
use crate::session::{clear_session_cookie, session_cookie, Auth, ClientAddr, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

fn landing(staff: bool) -> &'static str {
    if staff {
        "/workbench"
    } else {
        "/me"
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    registered: Option<String>,
}

pub async fn login_page(
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Response {
    if let Some(who) = viewer.signed_in() {
        return Redirect::to(landing(who.user.role.is_staff())).into_response();
    }
    // Only a well-formed sign-in name is echoed back into the form.
    let login = q
        .registered
        .filter(|l| tongban_domain::account::LoginName::parse(l).is_ok());
    let notice = login.as_ref().map(|_| {
        "注册成功，请登录。如该证件此前已注册过账号，则不会新建账号，请用原账号登录。".to_string()
    });
    views::render(&views::Login {
        base: Base::new("登录", None, large),
        login: login.unwrap_or_default(),
        error: None,
        notice,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    match state
        .app
        .sign_in(&form.login, &form.password, &client)
        .await
    {
        Ok(session) => {
            let cookie = session_cookie(&session.token, state.cfg.secure_cookies);
            let to = landing(session.user.role.is_staff());
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (header::LOCATION, to.to_string()),
                ],
            )
                .into_response()
        }
        Err(e) => {
            let page = views::Login {
                base: Base::new("登录", None, large),
                login: form.login,
                error: Some(e.message.clone()),
                notice: None,
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    if let Some((who, token)) = &viewer.0 {
        state.app.sign_out(token, who).await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, clear_session_cookie()),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response())
}

pub async fn register_page(LargeText(large): LargeText) -> Response {
    views::render(&views::Register {
        base: Base::new("注册", None, large),
        kind: "person".into(),
        login: String::new(),
        name: String::new(),
        phone: String::new(),
        email: String::new(),
        id_number: String::new(),
        uscc: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    uscc: String,
}

pub async fn register(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    ClientAddr(client): ClientAddr,
    PageForm(form): PageForm<RegisterForm>,
) -> Response {
    let kind = if form.kind == "company" {
        ApplicantKind::Company
    } else {
        ApplicantKind::Person
    };
    let reg = Registration {
        kind,
        login: form.login.clone(),
        password: form.password.clone(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        id_number: form.id_number.clone(),
        uscc: form.uscc.clone(),
    };
    match state.app.register(&reg, &client).await {
        // Post/redirect/get: a reload of the next page must not register again.
        Ok(_) => Redirect::to(&format!(
            "/login?registered={}",
            form.login.trim().to_ascii_lowercase()
        ))
        .into_response(),
        Err(e) => {
            let page = views::Register {
                base: Base::new("注册", None, large),
                kind: form.kind,
                login: form.login,
                name: form.name,
                phone: form.phone,
                email: form.email,
                id_number: form.id_number,
                uscc: form.uscc,
                error: Some((e.code.to_string(), e.message.clone())),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}

pub async fn password_page(Auth(who): Auth, LargeText(large): LargeText) -> Response {
    views::render(&views::Password {
        base: Base::new("修改密码", Some(&who), large),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    old: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    match state.app.change_password(&who, &form.old, &form.new).await {
        Ok(()) => {
            let page = views::Login {
                base: Base::new("登录", None, large),
                login: who.user.login.clone(),
                error: None,
                notice: Some("密码已修改，请用新密码重新登录。".into()),
            };
            (
                [(header::SET_COOKIE, clear_session_cookie())],
                views::render(&page),
            )
                .into_response()
        }
        Err(e) => {
            let page = views::Password {
                base: Base::new("修改密码", Some(&who), large),
                error: Some(e.message.clone()),
            };
            (status(e.kind), views::render(&page)).into_response()
        }
    }
}
