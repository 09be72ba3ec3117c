//! The case page: where a case stands, what happens next, its materials, steps, clocks,
//! timeline and documents, and the action forms the viewer may use now. Every action posts to
//! one address and goes through the same use case as the API; the page only decides which
//! forms to offer, the engine decides what is allowed.

use std::collections::HashMap;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tongban_app::accounts::SignedIn;
use tongban_app::cases::CaseDetail;
use tongban_app::{AppError, Kind};
use tongban_domain::case::document::DocKind;
use tongban_domain::case::offers::Action;
use tongban_domain::case::{CaseEvent, CaseStatus, StepTrack};
use tongban_domain::catalog::{yuan, StepKind};
use tongban_domain::codes;
use tongban_domain::org::Role;
use tongban_domain::time::format_local;

use crate::case_input::{plain, ActionBody, FileRefBody};
use crate::error::{PageError, PageResult};
use crate::json::PageQuery;
use crate::session::{Auth, LargeText};
use crate::views::{self, Base};
use crate::AppState;

pub struct MaterialLine {
    pub key: String,
    pub name: String,
    pub mark: &'static str,
    pub files: Vec<FileLine>,
    pub present: bool,
    pub deferred: bool,
    /// Pre-ticked in the supplement notice: required and missing.
    pub lacking: bool,
}

/// One file of a material on the case page.
pub struct FileLine {
    pub href: String,
    pub name: String,
    /// Its size, or what it is (an e-licence used instead of a copy).
    pub note: String,
    /// 新补交 with its day, for a file handed in after the filing; empty for the filing's own.
    pub new_mark: String,
    /// 原提交 beside newer files of the same material.
    pub old_mark: bool,
    /// How the page previews it in place: `pdf`, `image`, or empty (none).
    pub preview: &'static str,
    /// The same file served for viewing in the page (same checks as the download).
    pub inline_href: String,
}

pub struct StepLine {
    pub key: String,
    pub name: String,
    pub department: String,
    pub post: String,
    pub assignee: String,
    pub opened: String,
    pub due: String,
    pub outcome: String,
    pub opinion: String,
    pub open: bool,
    pub overdue: bool,
}

pub struct ClockView {
    pub label: String,
    /// `green`, `yellow` or `red`, and its Chinese label.
    pub light: &'static str,
    pub light_label: &'static str,
    pub due: String,
    pub remaining: String,
    pub overdue: bool,
    pub suspended: bool,
    pub explanation: String,
    /// The provisional-calendar note when the due date lies in a year not yet announced.
    pub provisional: Option<String>,
}

/// The forms of one open step the viewer holds.
pub struct StepForms {
    pub key: String,
    pub name: String,
    pub decide: bool,
    /// Earlier steps it may go back to: (key, name).
    pub returns: Vec<(String, String)>,
    /// Staff of the step's department it may go to: (id, name).
    pub staff: Vec<(i64, String)>,
}

/// Which action forms the page offers; the engine checks again on every post.
#[derive(Default)]
pub struct Forms {
    pub intake: bool,
    pub instant: bool,
    pub not_accept: bool,
    pub noticed_before: bool,
    /// Materials that may be handed in now: (key, name).
    pub supplement: Vec<(String, String)>,
    pub withdraw: bool,
    pub steps: Vec<StepForms>,
    /// (kind, label, max days)
    pub specials: Vec<(String, &'static str, u32)>,
    pub special_end: bool,
    pub extension_request: bool,
    /// (days, reason) of a pending request, for the head.
    pub extension_decide: Option<(u32, String)>,
    pub waiver_decide: Option<String>,
    pub meeting: bool,
    /// The amount due in yuan, prefilled.
    pub pay: Option<String>,
    pub waiver_request: bool,
    /// (value, label, selected)
    pub deliver: Vec<(String, &'static str, bool)>,
    pub handover: Vec<(i64, String)>,
}

impl Forms {
    pub fn any(&self) -> bool {
        self.intake
            || self.not_accept
            || !self.supplement.is_empty()
            || self.withdraw
            || !self.steps.is_empty()
            || !self.specials.is_empty()
            || self.special_end
            || self.extension_request
            || self.extension_decide.is_some()
            || self.waiver_decide.is_some()
            || self.meeting
            || self.pay.is_some()
            || self.waiver_request
            || !self.deliver.is_empty()
            || !self.handover.is_empty()
    }
}

#[derive(askama::Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub base: Base,
    pub number: String,
    pub version: i64,
    pub item_name: String,
    pub item_code: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub next_action: String,
    pub notice: Option<String>,
    /// (code, message)
    pub error: Option<(String, String)>,
    pub facts: Vec<(&'static str, String)>,
    /// 一件事: the filed bundle this case belongs to (number, bundle name).
    pub bundle: Option<(String, String)>,
    pub materials: Vec<MaterialLine>,
    pub steps: Vec<StepLine>,
    pub clocks: Vec<ClockView>,
    /// (time, who, summary)
    pub events: Vec<(String, String, String)>,
    /// (href, number, title, issued)
    /// (page, number, title, issued, sealed file without its extension)
    pub documents: Vec<(String, String, String, String, String)>,
    pub forms: Forms,
    /// Supervision orders on the case: (number, department, instruction, due, status, reply).
    pub orders: Vec<OrderLine>,
    /// A supervisor may issue a supervision order (督办) here.
    pub can_order: bool,
    /// The bounds of 实际受理时间（补录）, Beijing time for a `datetime-local` field: the last
    /// record on the case (to the next whole second) and now.
    pub backdate_min: String,
    pub backdate_max: String,
    /// `backdate_min` as people read it.
    pub backdate_from: String,
    /// `supervision.backdate_hours`: a later entry is flagged as 体外循环.
    pub backdate_hours: i64,
    /// The case's rating, when the viewer may see it: (number, level, default, 整改 stage).
    pub rating: Option<(String, String, bool, String)>,
    /// The applicant may rate the decided case now (一事一评).
    pub can_rate: bool,
    /// (wire, label, face) of the five levels.
    pub rate_levels: Vec<(String, String, String)>,
    /// (wire, label) of the online dimensions other than 整体满意度.
    pub rate_dims: Vec<(String, String)>,
}

/// An instant as a `datetime-local` value with seconds, Beijing time.
fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&tongban_domain::time::shanghai())
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

pub struct OrderLine {
    pub instruction: String,
    pub due: String,
    pub status: &'static str,
    pub reply: String,
    pub overdue: bool,
}

/// The Chinese word for an order's state.
pub(crate) fn order_status(
    o: &tongban_store::orders::OrderRow,
    now: DateTime<Utc>,
) -> (&'static str, bool) {
    let overdue = o.status == "issued" && o.due_at < now.timestamp_millis();
    let label = match (o.status.as_str(), o.escalated_at.is_some()) {
        ("issued", true) => "逾期未回复，已升级",
        ("issued", false) if overdue => "逾期未回复",
        ("issued", false) => "待回复",
        ("replied", _) => "已回复，待办结",
        _ => "已办结",
    };
    (label, overdue)
}

fn at_millis(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(format_local)
        .unwrap_or_default()
}

/// How a file can be previewed in the page, by its name: the browser's own PDF viewer in a
/// frame, or an image. The server decides again by what the file really is when serving it.
fn preview_kind(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".pdf") {
        "pdf"
    } else if [".jpg", ".jpeg", ".png"].iter().any(|e| lower.ends_with(e)) {
        "image"
    } else {
        ""
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A path segment with everything but ASCII letters, digits and `-._` percent-encoded
/// (document numbers start with a Chinese character).
pub(crate) fn segment(s: &str) -> String {
    super::items::percent(s)
}

fn role_label(role: &str) -> String {
    match role {
        "system" => "系统".into(),
        r => Role::parse(r).map_or_else(|| r.to_string(), |r| r.label().to_string()),
    }
}

/// The label of a step's state on the page.
fn outcome_label(s: &StepTrack, open: bool) -> String {
    use tongban_domain::case::StepOutcome;
    match (s.outcome, open) {
        (Some(StepOutcome::Approve), _) => "通过".into(),
        (Some(StepOutcome::Disagree), _) => "不同意".into(),
        (Some(StepOutcome::DeemedApprove), _) => "超时默认通过".into(),
        (None, true) => "办理中".into(),
        (None, false) if s.opened_at.is_some() => "未完成".into(),
        (None, false) => "未开始".into(),
    }
}

/// The page of a case the viewer may see, with an optional notice or error.
pub(super) async fn case_page(
    state: &AppState,
    who: &SignedIn,
    large: bool,
    number: &str,
    notice: Option<String>,
    error: Option<AppError>,
) -> PageResult<CasePage> {
    let app = &state.app;
    let actor = &who.actor;
    let CaseDetail {
        view,
        events,
        documents,
        clocks,
        next_action,
    } = app.case_detail(actor, number).await?;
    let c = &view.case;
    let item = &view.item;
    let now = app.now();
    let me = actor.user_id;
    let departments: HashMap<i64, String> = app
        .store
        .departments(None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let dept_name = |id: i64| {
        departments
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("部门{id}"))
    };
    let number = c.number.to_string();

    // Who the viewer is to this case.
    let own = c.applicant.user_id == Some(me) || c.agent.as_ref().is_some_and(|a| a.user_id == me);
    let staff_view = actor.role.is_staff() && !own;

    // Facts, with personal data masked for everyone: a hall screen is shared.
    let a = &c.applicant;
    let id_masked = tongban_domain::mask::keep_ends(&a.id_code, 6, 4);
    let mut facts: Vec<(&'static str, String)> = vec![
        ("事项", c.item.name.clone()),
        ("实施主体", dept_name(c.item.department_id)),
        (
            "申请人",
            format!(
                "{}（{}）",
                a.name,
                match a.kind {
                    tongban_domain::case::PartyKind::Person => "个人",
                    tongban_domain::case::PartyKind::Company => "法人",
                }
            ),
        ),
        ("证件号码", id_masked),
        ("手机号码", tongban_domain::mask::phone(&a.phone)),
    ];
    if let Some(e) = &a.email {
        facts.push(("电子邮箱", tongban_domain::mask::email(e)));
    }
    facts.push(("申请方式", c.channel.label().to_string()));
    if let Some(ag) = &c.agent {
        facts.push(("代办员", ag.name.clone()));
    }
    if staff_view {
        facts.push((
            "首问责任人",
            c.first_responder
                .as_ref()
                .map_or_else(|| "—".to_string(), |s| s.name.clone()),
        ));
    }
    facts.push(("收件时间", format_local(c.received_at)));
    if let Some(acc) = &c.accepted {
        facts.push((
            "受理时间",
            format!(
                "{}{}",
                format_local(acc.at),
                if acc.by_law {
                    "（逾期未告知，依法视为受理）"
                } else {
                    ""
                }
            ),
        ));
    }
    facts.push(("送达方式", c.delivery.label().to_string()));
    if let Some(h) = c.pickup_hall_id {
        if let Some(hall) = app.store.hall(h).await? {
            facts.push(("取件大厅", hall.name));
        }
    }
    if c.fees.total_fen() > 0 {
        let state_text = if c.fees.paid.is_some() {
            "已缴"
        } else if c.fees.waived.is_some() {
            "已减免"
        } else if c.fees.waiver_requested.is_some() {
            "减免待审批"
        } else {
            "未缴"
        };
        facts.push((
            "收费",
            format!("{} 元（{state_text}）", yuan(c.fees.total_fen())),
        ));
    }
    if let Some(d) = &c.decision {
        facts.push((
            "决定",
            format!(
                "{}（{}）{}",
                d.outcome.label(),
                format_local(d.at),
                if d.reason.is_empty() {
                    String::new()
                } else {
                    format!("：{}", d.reason)
                }
            ),
        ));
    }
    if let Some(r) = &c.refusal_reason {
        facts.push(("不予受理理由", r.clone()));
    }
    if let Some(r) = &c.withdrawn_reason {
        facts.push(("撤回原因", r.clone()));
    }
    if let Some(s) = &c.special {
        facts.push((
            "特殊程序",
            format!(
                "{}：{}（预计 {} 结束）",
                s.kind.label(),
                s.reason,
                s.expected_end.format("%Y-%m-%d")
            ),
        ));
    }

    let lacking: Vec<String> = tongban_domain::case::engine::missing_materials(c, item);
    // Files handed in after the filing, marked new beside those they answer.
    let parsed: Vec<(CaseEvent, DateTime<Utc>)> = events
        .iter()
        .filter(|e| e.kind == "materials_added")
        .filter_map(|e| {
            let ev = serde_json::from_str::<CaseEvent>(&e.payload).ok()?;
            Some((ev, DateTime::<Utc>::from_timestamp_millis(e.at)?))
        })
        .collect();
    let later = tongban_domain::case::supplied::later_files(parsed.iter().map(|(e, at)| (e, *at)));
    let materials = item
        .materials
        .iter()
        .map(|m| MaterialLine {
            key: m.key.clone(),
            name: m.name.clone(),
            mark: match (m.required, m.deferrable) {
                (true, true) => "必要·可容缺",
                (true, false) => "必要",
                _ => "非必要",
            },
            files: c
                .materials
                .get(&m.key)
                .map(|files| {
                    let renewed = files.iter().any(|f| later.contains_key(&f.hash));
                    files
                        .iter()
                        .map(|f| {
                            let new_mark =
                                later.get(&f.hash).map_or_else(String::new, |(at, _)| {
                                    format!("新补交 · {}", at_millis(at.timestamp_millis()))
                                });
                            let old_mark = renewed && new_mark.is_empty();
                            match f.hash.strip_prefix(tongban_app::licences::REFERENCE_PREFIX) {
                                // 免提交: the licence itself, checked live on its page.
                                Some(licence) => FileLine {
                                    href: format!("/licences/{}", segment(licence)),
                                    name: f.name.clone(),
                                    note: "电子证照·免提交".to_string(),
                                    new_mark,
                                    old_mark,
                                    preview: "",
                                    inline_href: String::new(),
                                },
                                None => {
                                    let href = format!("/cases/{number}/files/{}", f.hash);
                                    FileLine {
                                        inline_href: format!("{href}?view=inline"),
                                        href,
                                        name: f.name.clone(),
                                        note: size_text(f.size),
                                        new_mark,
                                        old_mark,
                                        preview: preview_kind(&f.name),
                                    }
                                }
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
            present: c.has_material(&m.key),
            deferred: c.deferred.contains(&m.key),
            lacking: lacking.contains(&m.key),
        })
        .collect();

    let open_keys: Vec<String> = c
        .open_steps()
        .iter()
        .filter(|s| s.opened_at.is_some() && s.outcome.is_none())
        .map(|s| s.key.clone())
        .collect();
    let cal = app.calendar_for(c.item.region.as_str()).await?;
    let steps = c
        .step_order
        .iter()
        .filter_map(|k| c.step(k))
        .map(|s| {
            let open = open_keys.contains(&s.key) && c.status.is_open();
            let due_at = if open {
                tongban_domain::case::engine::step_due(s, &cal, now)
            } else {
                None
            };
            StepLine {
                key: s.key.clone(),
                name: s.name.clone(),
                department: dept_name(s.department_id),
                post: s.post.clone(),
                assignee: s
                    .decided_by
                    .as_ref()
                    .or(s.assignee.as_ref())
                    .map_or_else(|| "—".to_string(), |a| a.name.clone()),
                opened: s.opened_at.map(format_local).unwrap_or_default(),
                due: due_at.map(format_local).unwrap_or_default(),
                outcome: outcome_label(s, open),
                opinion: s.opinion.clone(),
                open,
                overdue: due_at.is_some_and(|d| d < now),
            }
        })
        .collect();

    let clocks = clocks
        .into_iter()
        .map(|k| ClockView {
            remaining: if let Some(problem) = &k.problem {
                problem.clone()
            } else if k.suspended {
                "已中止计时".into()
            } else if k.overdue {
                "已超期".into()
            } else {
                format!("剩余 {} 个工作日", k.remaining_days)
            },
            // A deadline that cannot be computed has no light, only its reason.
            light: if k.problem.is_some() {
                "unknown"
            } else {
                k.light.as_str()
            },
            light_label: if k.problem.is_some() {
                "无法计算"
            } else {
                k.light.label()
            },
            label: k.label,
            due: k
                .due_at
                .map_or_else(|| "无法计算".to_string(), format_local),
            overdue: k.overdue,
            suspended: k.suspended,
            explanation: k.explanation.join("\n"),
            provisional: k.provisional,
        })
        .collect();

    // A time recorded after the fact may not precede anything already on the case; a
    // `datetime-local` field has whole seconds, so the earliest it can offer is rounded up.
    let last_ms = events.iter().map(|e| e.at).max().unwrap_or(0);
    let backdate_min =
        DateTime::<Utc>::from_timestamp_millis((last_ms + 999).div_euclid(1000) * 1000)
            .map(local_input)
            .unwrap_or_default();
    let backdate_max = local_input(now);
    let events = events
        .iter()
        .rev()
        .map(|e| {
            let summary = serde_json::from_str::<CaseEvent>(&e.payload)
                .map(|ev| event_line(&ev, c, item))
                .unwrap_or_else(|_| e.kind.clone());
            let who = if e.role == "system" {
                "系统".to_string()
            } else {
                format!("{}（{}）", e.actor_name, role_label(&e.role))
            };
            (at_millis(e.at), who, summary)
        })
        .collect();

    let documents = documents
        .iter()
        .map(|d| {
            (
                format!("/cases/{number}/documents/{}", segment(&d.number)),
                d.number.clone(),
                d.title.clone(),
                at_millis(d.issued_at),
                format!("/documents/{}/file", segment(&d.number)),
            )
        })
        .collect();

    // The forms on offer: exactly the actions the engine would take from this viewer now
    // (`offers`, the engine's own guards), filled with what each form needs.
    let offered = app.case_offers(actor, &view).await?;
    let may = |action: Action| offered.iter().any(|o| o.action == action);
    let may_on = |action: Action, key: &str| {
        offered
            .iter()
            .any(|o| o.action == action && o.step.as_deref() == Some(key))
    };
    let mut forms = Forms::default();
    let status_now = c.status;
    if may(Action::Accept) {
        forms.intake = true;
        forms.instant = may(Action::AcceptAndDecide);
        forms.noticed_before = !c.notices.is_empty();
    }
    forms.not_accept = may(Action::NotAccept);
    // 补交: what the supplement notice asked for, or the 容缺 materials still to come.
    if may(Action::AddMaterials) {
        forms.supplement = if status_now == CaseStatus::AwaitingSupplement {
            let asked: Vec<&String> = c
                .notices
                .last()
                .map(|n| n.items.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            item.materials
                .iter()
                .filter(|m| asked.contains(&&m.key))
                .map(|m| (m.key.clone(), m.name.clone()))
                .collect()
        } else if c.accepted.is_some() && !c.deferred.is_empty() {
            item.materials
                .iter()
                .filter(|m| c.deferred.contains(&m.key))
                .map(|m| (m.key.clone(), m.name.clone()))
                .collect()
        } else {
            vec![]
        };
    }
    // A clerk may withdraw for the applicant too; the form is on the applicant's own page.
    forms.withdraw = own && may(Action::Withdraw);

    for key in &open_keys {
        let Some(s) = c.step(key) else { continue };
        if s.kind == StepKind::Delivery {
            continue;
        }
        let (decide, returns, reassign) = (
            may_on(Action::Decide, key),
            may_on(Action::ReturnTo, key),
            may_on(Action::Reassign, key),
        );
        if !(decide || returns || reassign) {
            continue;
        }
        let staff = if reassign {
            app.department_staff(actor, s.department_id)
                .await?
                .into_iter()
                .filter(|p| Some(p.user_id) != s.assignee.as_ref().map(|a| a.user_id))
                .map(|p| (p.user_id, p.name))
                .collect()
        } else {
            vec![]
        };
        forms.steps.push(StepForms {
            key: s.key.clone(),
            name: s.name.clone(),
            decide,
            returns: if returns {
                earlier_steps(item, key)
            } else {
                vec![]
            },
            staff,
        });
    }
    if may(Action::StartSpecial) {
        forms.specials = item
            .special_procedures
            .iter()
            .map(|p| (plain(&p.kind), p.kind.label(), p.max_days))
            .collect();
    }
    forms.special_end = may(Action::EndSpecial);
    forms.extension_request = may(Action::RequestExtension);
    if may(Action::DecideExtension) {
        forms.extension_decide = c
            .extension_request
            .as_ref()
            .map(|r| (r.days, r.reason.clone()));
    }
    if may(Action::DecideWaiver) {
        forms.waiver_decide = c.fees.waiver_requested.clone();
    }
    // 会审 closes a parallel group: offered while one is open.
    let group_open = open_keys
        .first()
        .and_then(|k| item.steps.iter().find(|s| &s.key == k))
        .is_some_and(|s| s.parallel_group.is_some());
    forms.meeting = may(Action::Meeting) && group_open;
    // The window takes the fee when it hands over the result.
    if status_now == CaseStatus::Decided {
        if may(Action::PayFee) {
            forms.pay = Some(yuan(c.fees.total_fen()));
        }
        forms.waiver_request = may(Action::RequestWaiver);
    }
    if may(Action::Deliver) {
        forms.deliver = item
            .delivery
            .iter()
            .map(|d| (plain(d), d.label(), *d == c.delivery))
            .collect();
    }
    if may(Action::HandOver) {
        // Handed over within one's own department.
        forms.handover = app
            .department_staff(actor, actor.department_id.unwrap_or_default())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.user_id != me)
            .map(|p| (p.user_id, p.name))
            .collect();
    }

    let now = app.now();
    let orders = app
        .store
        .orders_of_case(view.id)
        .await?
        .into_iter()
        .map(|o| {
            let (status, overdue) = order_status(&o, now);
            OrderLine {
                instruction: o.instruction.clone(),
                due: at_millis(o.due_at),
                status,
                reply: o.reply.clone().unwrap_or_default(),
                overdue,
            }
        })
        .collect();
    let can_order = actor.role == Role::Supervisor;
    let rating = app.case_rating(actor, view.id).await?.map(|r| {
        (
            r.number.clone(),
            r.row.level.label().to_string(),
            r.row.is_default == 1,
            r.rect
                .map_or(String::new(), |x| x.stage.label().to_string()),
        )
    });
    let can_rate = rating.is_none()
        && c.decision.is_some()
        && c.applicant.user_id == Some(actor.user_id)
        && app
            .store
            .rating_of_service(tongban_domain::rating::ServiceKind::Case, view.id)
            .await?
            .is_none();
    Ok(CasePage {
        bundle: app.bundle_of_case(view.id).await?,
        rating,
        can_rate,
        rate_levels: tongban_domain::rating::Level::ALL
            .iter()
            .map(|l| (l.as_str().into(), l.label().into(), l.face().into()))
            .collect(),
        rate_dims: tongban_domain::rating::Channel::Online
            .dimensions()
            .iter()
            .skip(1)
            .map(|d| (d.as_str().into(), d.label().into()))
            .collect(),
        backdate_from: backdate_min.replace('T', " "),
        backdate_min,
        backdate_max,
        backdate_hours: app.settings().backdate_limit.num_hours(),
        orders,
        can_order,
        base: Base::new(&format!("办件 {number}"), Some(who), large),
        number,
        version: view.version,
        item_name: c.item.name.clone(),
        item_code: c.item.code.clone(),
        status: c.status.label(),
        status_key: c.status.as_str(),
        next_action,
        notice,
        error: error.map(|e| (e.code.to_string(), e.message)),
        facts,
        materials,
        steps,
        clocks,
        events,
        documents,
        forms,
    })
}

/// A timeline line: the event's summary with step names instead of keys.
fn event_line(
    ev: &CaseEvent,
    c: &tongban_domain::case::Case,
    item: &tongban_domain::catalog::Item,
) -> String {
    let name = |k: &str| {
        c.step(k)
            .map_or_else(|| k.to_string(), |s| format!("“{}”", s.name))
    };
    match ev {
        CaseEvent::StepsOpened { steps } => format!(
            "进入环节：{}",
            steps
                .iter()
                .map(|s| match &s.assignee {
                    Some(a) => format!("{}（{}）", name(&s.key), a.name),
                    None => name(&s.key),
                })
                .collect::<Vec<_>>()
                .join("、")
        ),
        CaseEvent::StepDecided {
            step,
            opinion,
            rule,
            ..
        } => {
            let mut line =
                ev.summary()
                    .replacen(&format!("环节 {step} "), &format!("环节{} ", name(step)), 1);
            match rule {
                Some(r) => line.push_str(&format!("（{r}）")),
                None if !opinion.is_empty() => line.push_str(&format!("：{opinion}")),
                None => {}
            }
            line
        }
        CaseEvent::StepReturned { from, to, reason } => {
            format!("环节{} 退回至{}：{reason}", name(from), name(to))
        }
        CaseEvent::StepReassigned { step, to, reason } => {
            format!("环节{} 转交 {}：{reason}", name(step), to.name)
        }
        CaseEvent::SupplementNoticed { items, .. } => format!(
            "一次性告知需补正材料：{}",
            items
                .iter()
                .map(|(k, why)| {
                    let m = item.material(k).map_or(k.as_str(), |m| m.name.as_str());
                    format!("{m}：{why}")
                })
                .collect::<Vec<_>>()
                .join("；")
        ),
        _ => ev.summary(),
    }
}

/// Earlier steps a step may send the case back to: not intake (acceptance did it), not a
/// branch of its own parallel group.
fn earlier_steps(item: &tongban_domain::catalog::Item, key: &str) -> Vec<(String, String)> {
    let Some(pos) = item.steps.iter().position(|s| s.key == key) else {
        return vec![];
    };
    let group = item.steps[pos].parallel_group.clone();
    item.steps[..pos]
        .iter()
        .filter(|s| s.kind != StepKind::Intake)
        .filter(|s| group.is_none() || s.parallel_group != group)
        .map(|s| (s.key.clone(), s.name.clone()))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct Flash {
    ok: Option<String>,
    /// Back from the rating form: `1` when rated, else the refusal's code.
    rated: Option<String>,
    rating_error: Option<String>,
    /// Back from a refused action: the draft that keeps its refusal.
    draft: Option<String>,
}

/// The stable name of an action, or `None` for one the page does not know (it never reaches
/// a redirect address unchecked).
fn known_action(action: &str) -> Option<&'static str> {
    const ALL: [&str; 20] = [
        "submitted",
        "accept",
        "accept_instant",
        "notice",
        "not_accept",
        "add_materials",
        "decide",
        "return",
        "reassign",
        "meeting",
        "special_start",
        "special_end",
        "extension_request",
        "extension_decide",
        "pay",
        "waiver_request",
        "waiver_decide",
        "deliver",
        "withdraw",
        "handover",
    ];
    ALL.into_iter().find(|a| *a == action.trim())
}

fn done_text(action: &str) -> &'static str {
    match action {
        "submitted" => "申请已提交，收件凭证见下方“文书”。",
        "accept" => "已受理，受理通知书已生成。",
        "accept_instant" => "已受理并当场办结。",
        "notice" => "补正材料通知书已发出（一次性告知）。",
        "not_accept" => "已作出不予受理决定，并已向电子监察报备。",
        "add_materials" => "材料已补交。",
        "decide" => "环节意见已提交。",
        "return" => "已退回。",
        "reassign" => "已转办。",
        "meeting" => "会审结论已记录。",
        "special_start" => "特殊程序已启动，期间不计入办理时限。",
        "special_end" => "特殊程序已结束，恢复计时。",
        "extension_request" => "延期申请已提交主办部门负责人。",
        "extension_decide" => "延期申请已审批。",
        "pay" => "缴费已登记。",
        "waiver_request" => "减免申请已提交部门负责人。",
        "waiver_decide" => "减免申请已审批。",
        "deliver" => "结果已送达，办件办结。",
        "withdraw" => "申请已撤回。",
        "handover" => "首问责任已移交。",
        _ => "已办理。",
    }
}

/// `GET /cases/{number}`.
pub async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path(number): Path<String>,
    PageQuery(f): PageQuery<Flash>,
) -> PageResult<Response> {
    let notice =
        f.ok.as_deref()
            .and_then(known_action)
            .map(|a| done_text(a).to_string())
            .or_else(|| {
                f.rated
                    .as_ref()
                    .map(|_| "评价已提交，感谢您的评价".to_string())
            });
    let mut error = f
        .rating_error
        .as_deref()
        .and_then(tongban_domain::ErrorCode::parse)
        .map(AppError::of);
    if let Some(id) = f.draft.as_deref() {
        if let Ok(d) = state.app.draft(&who.actor, id).await {
            if d.item_code == format!("case:{number}") {
                error = d.error.and_then(|(code, message)| {
                    tongban_domain::ErrorCode::parse(&code).map(|c| AppError::new(c, message))
                });
            }
        }
    }
    let page = case_page(&state, &who, large, &number, notice, error).await?;
    Ok(views::render(&page))
}

const FORM_LIMIT: usize = 1024 * 1024;

/// Reads an action from a plain form or, for an upload of materials, a multipart one.
async fn read_action(
    state: &AppState,
    who: &SignedIn,
    req: Request,
) -> Result<ActionBody, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let form = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::new(codes::Case::Upload, "文件上传不完整，请重试"))?;
        let up = super::apply::read_upload(state, who, form).await;
        if let Some(e) = up.error {
            return Err(e);
        }
        let mut body = ActionBody::from_pairs(&up.pairs)?;
        body.materials = up
            .materials
            .into_iter()
            .map(|(k, files)| (k, files.into_iter().map(FileRefBody::from).collect()))
            .collect();
        Ok(body)
    } else {
        let bytes = to_bytes(req.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| AppError::new(codes::Request::Form, "表单内容过大"))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::of(codes::Request::Form))?;
        ActionBody::from_pairs(&pairs)
    }
}

/// `POST /cases/{number}/act`: one action; back to the case with a notice, or with the refusal
/// and its code.
pub async fn act(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(number): Path<String>,
    req: Request,
) -> PageResult<Response> {
    let result = match read_action(&state, &who, req).await {
        Ok(body) => {
            let action = known_action(&body.action).unwrap_or("done");
            let version = body.version;
            match body
                .occurred_at()
                .and_then(|at| body.command().map(|c| (c, at)))
            {
                Ok((command, occurred_at)) => state
                    .app
                    .act_on_case_at(&who.actor, &number, version, command, occurred_at)
                    .await
                    .map(|v| (action, v.case.number.to_string())),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((action, number)) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/cases/{number}?ok={action}"))],
        )
            .into_response()),
        Err(e)
            if matches!(
                e.kind,
                Kind::NotFound | Kind::Forbidden | Kind::Unauthenticated
            ) =>
        {
            Err(PageError(e))
        }
        // Post/redirect/get: the refusal is kept as a draft of this case's form and shown by
        // the page the browser is sent to, so a reload never posts the action again.
        Err(e) => {
            let draft = tongban_app::drafts::ApplicationDraft {
                item_code: format!("case:{number}"),
                error: Some((e.code.to_string(), e.message)),
                ..Default::default()
            };
            let id = state.app.save_draft(&who.actor, None, &draft).await?;
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/cases/{}?draft={id}", super::items::percent(&number)),
                )],
            )
                .into_response())
        }
    }
}

/// `GET /cases/{number}/files/{hash}`: a material, only to those who see the case.
#[derive(Deserialize, Default)]
pub struct FileQuery {
    /// `inline` to view the file in the page (PDF and images only); a download otherwise.
    #[serde(default)]
    view: String,
}

pub async fn file(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((number, hash)): Path<(String, String)>,
    PageQuery(q): PageQuery<FileQuery>,
) -> PageResult<Response> {
    let app = &state.app;
    let view = app.case_view(&who.actor, &number).await?;
    let name = view
        .case
        .materials
        .values()
        .flatten()
        .find(|f| f.hash == hash)
        .map(|f| f.name.clone())
        .ok_or_else(|| PageError(AppError::not_found("该材料")))?;
    let f = app.case_file(&who.actor, &number, &hash).await?;
    // Only what the browser shows by itself is served for viewing: a PDF (its own viewer) or
    // a JPEG or PNG. An OFD, or anything else, is always a download.
    let viewable = matches!(
        f.content_type.as_str(),
        "application/pdf" | "image/jpeg" | "image/png"
    );
    let inline = q.view == "inline" && viewable;
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        super::items::percent(&name)
    );
    let mut res = (
        [
            (header::CONTENT_TYPE, f.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            // Personal documents: never kept by a shared cache or a hall's browser.
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        f.content,
    )
        .into_response();
    if inline {
        // Framed by the case page of this site only; nothing in the file may load or run.
        let h = res.headers_mut();
        h.insert(
            header::X_FRAME_OPTIONS,
            header::HeaderValue::from_static("SAMEORIGIN"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("frame-ancestors 'self'"),
        );
    }
    Ok(res)
}

#[derive(askama::Template)]
#[template(path = "case_document.html")]
pub struct DocumentPage {
    pub base: Base,
    pub case_number: String,
    pub number: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub department: String,
    pub issued: String,
    pub hash: String,
    pub result: bool,
    /// The verify page's full address (the deployment's public URL, `documents.public_url`):
    /// a phone scanning the paper opens it.
    pub verify_href: String,
    /// Where a person types the number and the code by hand.
    pub verify_page: String,
    pub verify_code: String,
    pub qr: String,
}

/// `GET /cases/{number}/documents/{doc}`: the printable document; a result carries a QR code
/// to its public verify page.
pub async fn document(
    State(state): State<AppState>,
    Auth(who): Auth,
    LargeText(large): LargeText,
    Path((number, doc)): Path<(String, String)>,
) -> PageResult<Response> {
    let app = &state.app;
    let (row, paragraphs, view) = app.case_document(&who.actor, &doc).await?;
    if view.case.number.as_str() != number.trim() {
        return Err(PageError(AppError::not_found("该文书")));
    }
    let result =
        DocKind::parse(tongban_app::cases::case_kind(&row.kind)).is_some_and(DocKind::is_result);
    let public = app.public_url();
    let verify_href = format!(
        "{public}/verify/{}?code={}",
        segment(&row.number),
        segment(&row.verify_code)
    );
    let qr = if result {
        super::public::qr_svg(&verify_href)
    } else {
        String::new()
    };
    let issued = DateTime::<Utc>::from_timestamp_millis(row.issued_at)
        .map(|t| {
            tongban_domain::time::local_date(t)
                .format("%Y年%m月%d日")
                .to_string()
        })
        .unwrap_or_default();
    let page = DocumentPage {
        base: Base::new(&row.title, Some(&who), large),
        case_number: view.case.number.to_string(),
        department: app.department_name(row.department_id).await?,
        number: row.number,
        title: row.title,
        paragraphs,
        issued,
        hash: row.hash,
        result,
        verify_href,
        verify_page: format!("{public}/verify"),
        verify_code: row.verify_code,
        qr,
    };
    Ok(views::render(&page))
}
