//! The portal home, the applicant's own page and the staff workbench.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tongban_domain::identity::IdNumber;
use tongban_domain::mask;
use tongban_domain::org::{PostHolders, Role};

use crate::error::PageResult;
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base, PostLine};
use crate::AppState;

pub async fn home(viewer: Viewer, LargeText(large): LargeText) -> Response {
    views::render(&views::Home {
        base: Base::new("首页", viewer.signed_in(), large),
    })
}

/// The applicant's own page. Personal data is masked even here: a shared screen at a hall
/// must not show a full ID number.
pub async fn me(Auth(who): Auth, LargeText(large): LargeText) -> Response {
    if who.user.role.is_staff() {
        return Redirect::to("/workbench").into_response();
    }
    let u = &who.user;
    let kind = match u.applicant_kind.as_deref() {
        Some("company") => "法人",
        _ => "个人",
    };
    views::render(&views::Me {
        base: Base::new("我的办事", Some(&who), large),
        name: u.name.clone(),
        login: u.login.clone(),
        kind: kind.into(),
        id_masked: u.id_number.as_deref().map(|id| {
            IdNumber::parse(id).map_or_else(|_| mask::keep_ends(id, 6, 4), |i| i.masked())
        }),
        uscc: u.uscc.clone(),
        phone_masked: u.phone.as_deref().map(mask::phone),
        email_masked: u.email.as_deref().map(mask::email),
    })
}

/// The staff workbench: who I am, my scope, my posts and my department's windows.
pub async fn workbench(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    if !who.user.role.is_staff() {
        return Ok(Redirect::to("/me").into_response());
    }
    let app = &state.app;
    let actor = &who.actor;
    let department = match who.user.department_id {
        Some(id) => app.store.department(id).await?.map(|d| d.name),
        None => None,
    };
    let region = match &actor.region {
        Some(code) => app.store.region(code).await?.map_or_else(
            || code.to_string(),
            |r| format!("{}（{}）", r.name, r.level.label()),
        ),
        None => "—".into(),
    };
    let hall = match who.user.hall_id {
        Some(id) => app.store.hall(id).await?.map(|h| h.name),
        None => None,
    };
    let posts = app
        .posts(actor)
        .await?
        .into_iter()
        .filter(|p| p.holder_id == actor.user_id || p.substitute_id == Some(actor.user_id))
        .map(|p| {
            let holders = PostHolders {
                holder_id: p.holder_id,
                substitute_id: p.substitute_id,
                holder_away: p.holder_away,
            };
            PostLine {
                acting_now: holders.may_act(actor.user_id),
                mine_as: if p.holder_id == actor.user_id {
                    "在岗"
                } else {
                    "替岗"
                },
                holder: p.holder_name,
                substitute: p.substitute_name.unwrap_or_else(|| "—".into()),
                name: p.name,
            }
        })
        .collect();
    let (windows, colleagues) = if actor.role.is_departmental() {
        let windows = app
            .windows(actor)
            .await?
            .into_iter()
            .map(|w| format!("{} {} · {}", w.number, w.name, w.hall_name))
            .collect();
        let colleagues = app
            .staff(actor)
            .await?
            .into_iter()
            .map(|u| format!("{}（{}）", u.name, u.role.label()))
            .collect();
        (windows, colleagues)
    } else {
        (vec![], vec![])
    };
    let mut links = vec![("/account/password".to_string(), "修改密码".to_string())];
    if matches!(actor.role, Role::Admin | Role::Supervisor) {
        links.insert(0, ("/admin".into(), "组织与人员管理".into()));
        links.insert(1, ("/admin/audit".into(), "审计日志".into()));
    }
    if actor.role == Role::DeptHead {
        links.insert(0, ("/admin/staff".into(), "本部门人员与在岗状态".into()));
    }
    Ok(views::render(&views::Workbench {
        base: Base::new("工作台", Some(&who), large),
        name: who.user.name.clone(),
        role: who.user.role.label().into(),
        department,
        region,
        hall,
        posts,
        windows,
        colleagues,
        links,
        away: who.user.away,
    }))
}
