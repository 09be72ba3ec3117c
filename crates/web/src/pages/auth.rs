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

pub(super) fn landing(staff: bool) -> &'static str {
    if staff {
        "/workbench"
    } else {
        "/me"
    }
}

/// Where to go after signing in: a page of this site only (a path, never `//host` or a scheme),
/// and never the sign-in page itself.
fn return_to(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    let pointless = ["/login", "/logout", "/register"]
        .iter()
        .any(|p| next == *p || next.starts_with(&format!("{p}?")));
    (local && !pointless && next.len() <= 2000).then(|| next.to_string())
}

/// [`return_to`] for a form field that may be empty.
pub(super) fn local_next(next: &str) -> Option<String> {
    return_to(Some(next).filter(|n| !n.is_empty()))
}

/// The sign-in page's address for someone who asked for `path_and_query` without a session.
pub fn login_for(path_and_query: &str) -> String {
    match return_to(Some(path_and_query)) {
        Some(next) => format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => "/login".into(),
    }
}

/// Pages answer a visitor without a session with a redirect to `/login`; this remembers the
/// page they asked for, so signing in returns them there instead of to their home page.
pub async fn remember_place(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asked = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let mut res = next.run(req).await;
    let to_login = res.status() == StatusCode::SEE_OTHER
        && res
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/login");
    if let (true, Some(asked)) = (to_login, asked) {
        if let Ok(v) = header::HeaderValue::from_str(&login_for(&asked)) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    registered: Option<String>,
    /// Set after a new password was set with an SMS code: the login to sign in with.
    reset: Option<String>,
    next: Option<String>,
}

pub async fn login_page(
    viewer: Viewer,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Response {
    let next = return_to(q.next.as_deref());
    if let Some(who) = viewer.signed_in() {
        let to = next.unwrap_or_else(|| landing(who.user.role.is_staff()).into());
        return Redirect::to(&to).into_response();
    }
    // Only a well-formed sign-in name is echoed back into the form.
    let reset = q
        .reset
        .filter(|l| tongban_domain::account::LoginName::parse(l).is_ok());
    let login = q
        .registered
        .filter(|l| tongban_domain::account::LoginName::parse(l).is_ok());
    let notice = match (&login, &next) {
        _ if reset.is_some() => Some("新密码已设置，请用新密码登录。".to_string()),
        (Some(_), _) => Some(
            "注册成功，请登录。如该证件此前已注册过账号，则不会新建账号，请用原账号登录。"
                .to_string(),
        ),
        (None, Some(_)) => Some(
            "您要访问的页面需要登录。登录后将自动回到该页面，已填写的内容不会丢失。".to_string(),
        ),
        (None, None) => None,
    };
    views::render(&views::Login {
        base: Base::new("登录", None, large),
        login: login.or(reset).unwrap_or_default(),
        error: None,
        notice,
        next: next.unwrap_or_default(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
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
            let to = return_to(form.next.as_deref())
                .unwrap_or_else(|| landing(session.user.role.is_staff()).into());
            (
                StatusCode::SEE_OTHER,
                [(header::SET_COOKIE, cookie), (header::LOCATION, to)],
            )
                .into_response()
        }
        Err(e) => {
            let page = views::Login {
                base: Base::new("登录", None, large),
                login: form.login,
                error: Some(e.message.clone()),
                notice: None,
                next: return_to(form.next.as_deref()).unwrap_or_default(),
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
                next: String::new(),
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
