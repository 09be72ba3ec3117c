//! 社会评议's pages, over the same use cases as the API:
//! - `/survey/{token}`: a representative's one-time answer page (no account; phone first,
//!   长辈版 large text): every post on 依法办事/服务效能/工作作风/服务建设项目, answered once. An
//!   unknown link is 404, a used one or a published round's 409, each with a plain Chinese
//!   message and nothing written;
//! - `/performance/surveys`: the rounds of the staff's region with their progress, and the form
//!   to open one (posts, representatives); opening shows each representative's link once;
//! - `/performance/surveys/{id}`: for its staff the progress (who has answered), the results
//!   so far, more links and publishing; for everyone else the published results (404 before).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::performance::may_score;
use tongban_app::survey::{NewSurvey, OpenedSurvey, SurveyResults};
use tongban_app::AppError;
use tongban_domain::performance::survey::{Answer, Choice, Post, RepKind, Topic};
use tongban_domain::time::format_local;

use crate::error::PageResult;
use crate::json::{PageForm, PageQuery};
use crate::session::{Auth, LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response()
}

fn at(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(format_local)
        .unwrap_or_default()
}

fn coded(code: &str) -> Option<(String, String)> {
    tongban_domain::ErrorCode::parse(code).map(|c| (c.as_str().to_string(), c.message().into()))
}

fn status_of(e: &AppError) -> StatusCode {
    crate::error::status(e.kind)
}

/// One post on the answer page: (index, post name, department, [(topic wire, topic label,
/// chosen wire)]).
pub type FormPost = (usize, String, String, Vec<(String, String, String)>);

#[derive(askama::Template)]
#[template(path = "survey_form.html")]
pub struct FormPage {
    pub base: Base,
    pub token: String,
    pub round: String,
    pub representative: String,
    pub posts: Vec<FormPost>,
    /// (wire, label) of the three choices.
    pub choices: Vec<(String, String)>,
    pub error: Option<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "survey_message.html")]
pub struct MessagePage {
    pub base: Base,
    pub heading: String,
    pub code: String,
    pub message: String,
}

fn message(status: StatusCode, large: bool, heading: &str, code: &str, text: &str) -> Response {
    let page = MessagePage {
        base: Base {
            large,
            ..Base::anonymous("社会评议")
        },
        heading: heading.into(),
        code: code.into(),
        message: text.into(),
    };
    (status, views::render(&page)).into_response()
}

fn refused(e: &AppError, large: bool) -> Response {
    message(
        status_of(e),
        large,
        "无法打开评议",
        e.code.as_str(),
        &e.message,
    )
}

fn form_posts(
    posts: &[Post],
    departments: &[String],
    chosen: &dyn Fn(usize, Topic) -> String,
) -> Vec<FormPost> {
    posts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i,
                p.name.clone(),
                departments.get(i).cloned().unwrap_or_default(),
                Topic::ALL
                    .iter()
                    .map(|t| (t.as_str().into(), t.label().into(), chosen(i, *t)))
                    .collect(),
            )
        })
        .collect()
}

fn choices() -> Vec<(String, String)> {
    Choice::ALL
        .iter()
        .map(|c| (c.as_str().into(), c.label().into()))
        .collect()
}

/// `GET /survey/{token}`: the answer page a representative's link opens.
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let f = match state.app.survey_form(&token).await {
        Ok(f) => f,
        Err(e) => return Ok(refused(&e, large)),
    };
    let page = FormPage {
        base: Base::new("社会评议", viewer.signed_in(), large),
        token,
        round: f.round,
        representative: f.representative,
        posts: form_posts(&f.posts, &f.departments, &|_, _| String::new()),
        choices: choices(),
        error: None,
    };
    Ok(views::render(&page))
}

/// `POST /survey/{token}`: the answers, one field `a_{post}_{topic}` per question. Incomplete
/// answers show the form again (422) with what was chosen; a used or unknown link is refused.
pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(token): Path<String>,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let mut answers = Vec::new();
    for (k, v) in &f {
        let Some(rest) = k.strip_prefix("a_") else {
            continue;
        };
        let parsed = rest.split_once('_').and_then(|(p, t)| {
            Some(Answer {
                post: p.parse().ok()?,
                topic: Topic::parse(t)?,
                choice: Choice::parse(v.trim())?,
            })
        });
        if let Some(a) = parsed {
            answers.push(a);
        }
    }
    answers.sort_by_key(|a| (a.post, a.topic.as_str()));
    match state.app.answer_survey(&token, &answers).await {
        Ok(()) => Ok(message(
            StatusCode::OK,
            large,
            "提交成功",
            "",
            "感谢您参加社会评议！您的评议已记录，本链接不能再次使用。结果将在评议结束后公布。",
        )),
        Err(e) if e.code == tongban_domain::codes::Performance::SurveyAnswers => {
            let form = match state.app.survey_form(&token).await {
                Ok(form) => form,
                Err(e) => return Ok(refused(&e, large)),
            };
            let chosen = |post: usize, topic: Topic| {
                answers
                    .iter()
                    .find(|a| a.post == post && a.topic == topic)
                    .map(|a| a.choice.as_str().to_string())
                    .unwrap_or_default()
            };
            let page = FormPage {
                base: Base::new("社会评议", viewer.signed_in(), large),
                token,
                round: form.round,
                representative: form.representative,
                posts: form_posts(&form.posts, &form.departments, &chosen),
                choices: choices(),
                error: Some((e.code.as_str().into(), e.message.clone())),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, views::render(&page)).into_response())
        }
        Err(e) => Ok(refused(&e, large)),
    }
}

/// A round in the staff's list: (id, name, year, status label, used, sent, created).
pub type RoundLine = (i64, String, i64, String, i64, i64, String);

#[derive(askama::Template)]
#[template(path = "surveys.html")]
pub struct RoundsPage {
    pub base: Base,
    pub rounds: Vec<RoundLine>,
    /// (id, name) of the region's departments, for the posts.
    pub departments: Vec<(i64, String)>,
    /// How many post rows the form offers.
    pub post_rows: Vec<usize>,
    pub year: i32,
    pub error: Option<(String, String)>,
}

fn status_label(status: &str) -> String {
    if status == "published" {
        "已公布".into()
    } else {
        "评议中".into()
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    ok: String,
    #[serde(default)]
    error: String,
}

/// `GET /performance/surveys`: the rounds of the staff's region and the form to open one.
pub async fn rounds(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let actor = &who.actor;
    let rounds = state
        .app
        .surveys(actor)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.name,
                r.year,
                status_label(&r.status),
                r.used,
                r.sent,
                at(r.created_at),
            )
        })
        .collect();
    let departments = state
        .app
        .store
        .departments(actor.region.as_ref())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let page = RoundsPage {
        base: Base::new("社会评议", Some(&who), large),
        rounds,
        departments,
        post_rows: (0..6).collect(),
        year: chrono::Datelike::year(&tongban_domain::time::local_date(state.app.now())),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}

/// The representatives typed one a line in a textarea, of one kind.
fn lines_of(text: &str, kind: RepKind) -> Vec<(String, RepKind)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| (l.to_string(), kind))
        .collect()
}

fn reps_of(f: &std::collections::HashMap<String, String>) -> Vec<(String, RepKind)> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let mut reps = lines_of(get("enterprises"), RepKind::Enterprise);
    reps.extend(lines_of(get("townships"), RepKind::Township));
    reps
}

#[derive(askama::Template)]
#[template(path = "survey_links.html")]
pub struct LinksPage {
    pub base: Base,
    pub id: i64,
    /// (representative, link path)
    pub links: Vec<(String, String)>,
}

fn links_page(who: &tongban_app::accounts::SignedIn, large: bool, o: OpenedSurvey) -> Response {
    let page = LinksPage {
        base: Base::new("评议链接", Some(who), large),
        id: o.id,
        links: o
            .links
            .into_iter()
            .map(|(rep, token)| (rep, format!("/survey/{token}")))
            .collect(),
    };
    (StatusCode::CREATED, views::render(&page)).into_response()
}

/// `POST /performance/surveys`: opens a round from the form (`name`, `year`, rows
/// `dept_{n}`/`post_{n}`, representatives one a line in `enterprises` and `townships`); shows
/// the links once.
pub async fn open(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut posts = Vec::new();
    for n in 0..100 {
        let name = get(&format!("post_{n}"));
        let dept = get(&format!("dept_{n}"));
        if name.is_empty() && dept.is_empty() {
            continue;
        }
        match dept.parse::<i64>() {
            Ok(department_id) => posts.push(Post {
                department_id,
                name,
            }),
            Err(_) => {
                return Ok(see_other(format!(
                    "/performance/surveys?error={}",
                    tongban_domain::codes::Performance::Survey.as_str()
                )))
            }
        }
    }
    let round = NewSurvey {
        name: get("name"),
        year: get("year").parse().unwrap_or(0),
        posts,
        representatives: reps_of(&f),
    };
    match state.app.open_survey(&who.actor, &round).await {
        Ok(o) => Ok(links_page(&who, large, o)),
        Err(e) => Ok(see_other(format!(
            "/performance/surveys?error={}",
            e.code.as_str()
        ))),
    }
}

/// `POST /performance/surveys/{id}/links`: more links for an open round; shows them once.
pub async fn invite(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    match state
        .app
        .invite_to_survey(&who.actor, id, &reps_of(&f))
        .await
    {
        Ok(o) => Ok(links_page(&who, large, o)),
        Err(e) => Ok(see_other(format!(
            "/performance/surveys/{id}?error={}",
            e.code.as_str()
        ))),
    }
}

/// `POST /performance/surveys/{id}/publish`: publishes the round.
pub async fn publish(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    match state.app.publish_survey(&who.actor, id).await {
        Ok(_) => Ok(see_other(format!("/performance/surveys/{id}?ok=1"))),
        Err(e) => Ok(see_other(format!(
            "/performance/surveys/{id}?error={}",
            e.code.as_str()
        ))),
    }
}

/// A post's results: (post, department, [(topic, answers, average text)]).
pub type PostLine = (String, String, Vec<(String, i64, String)>);

#[derive(askama::Template)]
#[template(path = "survey_round.html")]
pub struct RoundPage {
    pub base: Base,
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub published: bool,
    pub used: i64,
    pub sent: i64,
    pub posts: Vec<PostLine>,
    /// Staff running the round: (representative, kind, answered at or empty).
    pub invitations: Option<Vec<(String, String, String)>>,
    pub notice: bool,
    pub error: Option<(String, String)>,
}

fn post_lines(r: &SurveyResults) -> Vec<PostLine> {
    r.posts
        .iter()
        .enumerate()
        .map(|(i, (p, topics))| {
            (
                p.name.clone(),
                r.departments.get(i).cloned().unwrap_or_default(),
                topics
                    .iter()
                    .map(|(t, n, avg)| {
                        (
                            t.clone(),
                            *n,
                            if *n > 0 {
                                format!("{}.{:02}", avg / 100, avg % 100)
                            } else {
                                "—".into()
                            },
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

/// `GET /performance/surveys/{id}`: its staff's desk, or the published results for anyone.
pub async fn round(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
    Path(id): Path<i64>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let who = viewer.signed_in();
    let desk = match who.filter(|w| may_score(w.actor.role)) {
        Some(w) => match state.app.survey_desk(&w.actor, id).await {
            Ok(d) => Some(d),
            Err(e) if e.code == tongban_domain::codes::Performance::NotFound => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let (results, invitations) = match desk {
        Some(d) => (
            d.results,
            Some(
                d.invitations
                    .into_iter()
                    .map(|i| {
                        (
                            i.representative,
                            i.kind.label().to_string(),
                            i.used_at.map(at).unwrap_or_default(),
                        )
                    })
                    .collect(),
            ),
        ),
        None => (state.app.survey_results(None, id).await?, None),
    };
    let page = RoundPage {
        base: Base::new(&results.name, who, large),
        id,
        posts: post_lines(&results),
        name: results.name,
        year: results.year,
        published: results.published,
        used: results.turnout.0,
        sent: results.turnout.1,
        invitations,
        notice: !q.ok.is_empty(),
        error: coded(&q.error),
    };
    Ok(views::render(&page))
}
