//! 好差评's use cases: rating a decided case (the applicant, once), rating a window visit on the
//! hall's device, default ratings for services nobody rated in time, and each 差评's
//! rectification (回访, 核实, 整改 and feedback, 申诉复核, the rater's second rating).
//!
//! Who may do what, checked here on every request:
//! - a case is rated only by its applicant's own account, once, after the decision, and never
//!   by staff who handled it ([`tongban_domain::rating::may_rate`]);
//! - a window visit is rated at the window's device, once per visit the staff on duty ended;
//! - the centre (监察人员, 中心领导) calls back and decides appeals, within its region
//!   subtree; the rated department (its clerks, approvers and head) verifies, rectifies,
//!   answers the rater and appeals; a supervisor of the appealing department cannot decide it;
//! - anonymity: staff of the rated department never see who rated them; a supervisor sees the
//!   rater's name and phone only through [`App::rater_identity`], and every such view is
//!   audited (`rating.rater_read`).
//!
//! A 差评's rectification is a `rating` subject on the shared deadline index: its call-back and
//! rectification deadlines are re-synced with every step, so warnings and 督办 apply to it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_domain::rating::{
    self as rt, may_rate, Channel, Level, Note, Rater, Rating, RatingInput, RectStage,
    Rectification, Service, ServiceKind, Verdict,
};
use tongban_domain::region::RegionCode;
use tongban_store::ratings::{
    id_of, number_of, Duty, LoggedRect, MonthFigures, NewRating, NewRect, Outbound, RatingRow,
    RectStep,
};
use tongban_store::StoreError;

use crate::error::{AppError, Result};
use crate::App;

/// A step of a rectification, as the pages and the API send it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RectAction {
    /// 回访 (centre).
    CallBack { note: String },
    /// 核实 (the rated department): `founded`, `partly` or `unfounded`.
    Verify { verdict: String, note: String },
    /// 整改 and feedback to the rater (the rated department).
    Close { measures: String, feedback: String },
    /// 申诉 (the rated department).
    Appeal { reason: String },
    /// 复核 (a supervisor outside the appealing department).
    DecideAppeal { uphold: bool, reason: String },
    /// The rater's second rating, after the feedback.
    Rerate { level: String },
}

/// A rating as a page shows it: what was rated, the rating, its rectification and log. The
/// rater is never named here.
#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    pub number: String,
    pub row: RatingRow,
    pub rating: Rating,
    pub rect: Option<Rectification>,
    pub log: Vec<RectLine>,
}

/// One line of a rectification's log.
#[derive(Debug, Clone, Serialize)]
pub struct RectLine {
    pub at: DateTime<Utc>,
    pub summary: String,
}

/// What the hall device shows: the window, who is on duty, and the visit waiting for a rating.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceView {
    pub window_id: i64,
    pub window_number: String,
    pub window_name: String,
    pub hall_name: String,
    pub department_name: String,
    pub duty: Option<Duty>,
    pub visit_id: Option<i64>,
}

/// The rater, for the call-back: name and phone. Only supervisors get this, audited.
#[derive(Debug, Clone, Serialize)]
pub struct RaterIdentity {
    pub name: String,
    pub phone: Option<String>,
}

/// How long after a visit ends the device still offers it for rating.
const VISIT_MINUTES: i64 = 30;

fn is_centre(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Leader)
}

fn is_department(role: Role) -> bool {
    matches!(role, Role::Clerk | Role::Approver | Role::DeptHead)
}

fn region_of(code: &str) -> Result<RegionCode> {
    RegionCode::parse(code).map_err(|_| AppError::internal(format!("bad region {code}")))
}

impl App {
    /// Rates a decided case (一事一评): its applicant's own account only, once, never staff who
    /// handled it. A 差评 opens its rectification in the same write.
    pub async fn rate_case(
        &self,
        actor: &Actor,
        number: &str,
        input: &RatingInput,
    ) -> Result<RatingView> {
        let number = tongban_domain::case::CaseNumber::parse(number)?;
        let stored = self
            .store
            .case_by_number(number.as_str())
            .await?
            .ok_or_else(|| AppError::not_found("该办件"))?;
        let view = self.load(stored).await?;
        let case = &view.case;
        let handlers: Vec<i64> = self
            .store
            .case_events(view.id)
            .await?
            .into_iter()
            .filter(|e| e.role != Role::Applicant.as_str())
            .filter_map(|e| e.actor_id)
            .collect();
        let service = Service {
            kind: ServiceKind::Case,
            served: case.applicant.user_id,
            handlers,
            finished: case.decision.is_some(),
            rated: self
                .store
                .rating_of_service(ServiceKind::Case, view.id)
                .await?
                .is_some(),
        };
        let rater = Rater {
            account: Some(actor.user_id),
            staff: actor.role.is_staff(),
        };
        if actor.role == Role::Agent {
            return Err(AppError::of(codes::Rating::NotRater));
        }
        may_rate(&service, &rater)?;
        let rating = Rating::parse(Channel::Online, input)?;
        let new = NewRating {
            service_kind: ServiceKind::Case,
            service_id: view.id,
            service_number: case.number.to_string(),
            channel: Channel::Online,
            level: rating.level,
            body: serde_json::to_string(&rating).map_err(AppError::internal)?,
            is_default: false,
            rater_id: Some(actor.user_id),
            department_id: case.item.department_id,
            hall_id: case.intake_hall_id,
            window_id: None,
            staff_id: None,
            region: case.item.region.as_str().to_string(),
            rated_at: self.now(),
        };
        let title = format!("差评整改：{}", case.item.name);
        let rect = self.open_rect(&new, title).await?;
        let mut outbound = Vec::new();
        if rect.is_some() && !case.applicant.phone.is_empty() {
            let days = self.settings().ratings.callback_days;
            outbound.push(Outbound {
                channel: "sms",
                recipient: case.applicant.phone.clone(),
                subject: "差评受理".into(),
                body: format!(
                    "【通办】您对办件 {} 的评价已收到，政务服务中心将在{days}个工作日内回访。",
                    case.number
                ),
            });
        }
        let audit = self
            .entry(
                actor,
                "rating.create",
                format!("case:{}", case.number),
                format!("办件 {} 评价：{}", case.number, rating.level.label()),
            )
            .in_region(&case.item.region);
        let row = self
            .store
            .insert_rating(&new, rect.as_ref(), &outbound, audit)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Once))?;
        self.rating_view_of(row).await
    }

    /// The rectification a rating opens, when it is a 差评.
    /// The board names no rater: the subject's party is left empty (anonymity).
    async fn open_rect(&self, new: &NewRating, title: String) -> Result<Option<NewRect>> {
        if !new.level.is_bad() || new.is_default {
            return Ok(None);
        }
        let rules = self.settings().ratings;
        let opened = Rectification::open(
            new.department_id,
            new.level,
            rules.callback_days,
            rules.rectify_days,
        )?;
        let state = Rectification::replay([(&opened, new.rated_at)])
            .ok_or_else(|| AppError::internal("a rectification must open"))?;
        let watches = self.rect_watches(&state, &new.region).await?;
        Ok(Some(NewRect {
            opened,
            title,
            party: String::new(),
            watches,
        }))
    }

    async fn rect_watches(
        &self,
        r: &Rectification,
        region: &str,
    ) -> Result<Vec<tongban_domain::supervision::Watch>> {
        let cal = self.calendar_for(region).await?;
        let rules = self.settings().warnings_for(region);
        Ok(r.watches(&cal, self.now(), &rules))
    }

    /// What the device at window `window_id` shows.
    pub async fn window_device(&self, window_id: i64) -> Result<DeviceView> {
        let w = self
            .store
            .window(window_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Window))?;
        let duty = self.store.window_duty(window_id).await?;
        let since = self.now() - Duration::minutes(VISIT_MINUTES);
        let visit = self.store.visit_to_rate(window_id, since).await?;
        Ok(DeviceView {
            window_id,
            window_number: w.number,
            window_name: w.name,
            hall_name: w.hall_name,
            department_name: w.department_name,
            duty,
            visit_id: visit.map(|v| v.id),
        })
    }

    /// A clerk of the window's department takes duty at it (the device then shows them).
    pub async fn take_window_duty(&self, actor: &Actor, window_id: i64) -> Result<()> {
        let w = self
            .store
            .window(window_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Window))?;
        if !is_department(actor.role) || actor.department_id != Some(w.department_id) {
            return Err(AppError::forbidden());
        }
        let entry = self.entry(
            actor,
            "window.duty",
            format!("window:{window_id}"),
            format!("在 {} {}号窗口上岗", w.hall_name, w.number),
        );
        self.store
            .set_window_duty(window_id, actor.user_id, self.now(), entry)
            .await?;
        Ok(())
    }

    /// The staff on duty ends a visit; the device then offers it for rating (一次一评).
    pub async fn end_window_visit(&self, actor: &Actor, window_id: i64) -> Result<i64> {
        let duty = self
            .store
            .window_duty(window_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::NoDuty))?;
        if duty.user_id != actor.user_id {
            return Err(AppError::forbidden());
        }
        let entry = self.entry(
            actor,
            "window.visit",
            format!("window:{window_id}"),
            "窗口服务结束，待评价".into(),
        );
        Ok(self
            .store
            .end_visit(window_id, actor.user_id, None, self.now(), entry)
            .await?)
    }

    /// Rates the visit waiting at a window's device (现场服务, 一次一评). The device is not
    /// signed in; the rating binds to the visit and the staff who served it. A staff member
    /// signed in on this browser cannot rate their own visit.
    pub async fn rate_window(
        &self,
        actor: Option<&Actor>,
        window_id: i64,
        input: &RatingInput,
    ) -> Result<RatingView> {
        let w = self
            .store
            .window(window_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Window))?;
        let since = self.now() - Duration::minutes(VISIT_MINUTES);
        let visit = self
            .store
            .visit_to_rate(window_id, since)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::NoVisit))?;
        let service = Service {
            kind: ServiceKind::Window,
            served: None,
            handlers: vec![visit.staff_id],
            finished: true,
            rated: false,
        };
        let rater = Rater {
            account: actor.map(|a| a.user_id),
            staff: actor.is_some_and(|a| a.role.is_staff()),
        };
        may_rate(&service, &rater)?;
        let rating = Rating::parse(Channel::Hall, input)?;
        let hall_region: String = self
            .store
            .hall_region(w.hall_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Window))?;
        let new = NewRating {
            service_kind: ServiceKind::Window,
            service_id: visit.id,
            service_number: format!("{}-{}", w.number, visit.id),
            channel: Channel::Hall,
            level: rating.level,
            body: serde_json::to_string(&rating).map_err(AppError::internal)?,
            is_default: false,
            rater_id: None,
            department_id: w.department_id,
            hall_id: Some(w.hall_id),
            window_id: Some(window_id),
            staff_id: Some(visit.staff_id),
            region: hall_region,
            rated_at: self.now(),
        };
        let title = format!("差评整改：{} {}号窗口", w.hall_name, w.number);
        let rect = self.open_rect(&new, title).await?;
        let audit = AuditEntry {
            actor: actor.map_or_else(
                || format!("device:window#{window_id}"),
                |a| format!("{}#{}", a.name, a.user_id),
            ),
            role: actor.map_or_else(|| "device".into(), |a| a.role.as_str().to_string()),
            ..self
                .system_entry(
                    "rating.create",
                    format!("window:{window_id}"),
                    format!("{}号窗口现场评价：{}", w.number, rating.level.label()),
                )
                .in_region_str(Some(&new.region))
        };
        let row = self
            .store
            .insert_rating(&new, rect.as_ref(), &[], audit)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::Once))?;
        self.rating_view_of(row).await
    }

    /// Decided cases nobody rated within `rating.default_days` natural days count as 基本满意,
    /// marked as a default (part of the clock's sweep). Returns how many were written.
    pub async fn default_ratings(&self) -> Result<usize> {
        let rules = self.settings().ratings;
        let before = self.now() - Duration::days(i64::from(rules.default_after_days));
        let mut written = 0;
        loop {
            let due = self.store.cases_due_default_rating(before, 200).await?;
            let batch = due.len();
            for (id, number) in due {
                let Some(stored) = self.store.case_by_id(id).await? else {
                    continue;
                };
                let view = self.load(stored).await?;
                let case = &view.case;
                let rating = Rating::default_for(Channel::Online);
                let new = NewRating {
                    service_kind: ServiceKind::Case,
                    service_id: id,
                    service_number: number.clone(),
                    channel: Channel::Online,
                    level: rating.level,
                    body: serde_json::to_string(&rating).map_err(AppError::internal)?,
                    is_default: true,
                    rater_id: None,
                    department_id: case.item.department_id,
                    hall_id: case.intake_hall_id,
                    window_id: None,
                    staff_id: None,
                    region: case.item.region.as_str().to_string(),
                    rated_at: self.now(),
                };
                let audit = self
                    .system_entry(
                        "rating.default",
                        format!("case:{number}"),
                        format!(
                            "办件 {number} 办结后{}日内未评价，默认基本满意",
                            rules.default_after_days
                        ),
                    )
                    .in_region(&case.item.region);
                if self
                    .store
                    .insert_rating(&new, None, &[], audit)
                    .await?
                    .is_some()
                {
                    written += 1;
                }
            }
            if batch < 200 {
                break;
            }
        }
        Ok(written)
    }

    /// A rating by its number, for those who may see it: the rater, the rated department
    /// (without the rater), and the centre within its region.
    pub async fn rating_view(&self, actor: &Actor, number: &str) -> Result<RatingView> {
        let row = self.rating_row(number).await?;
        self.check_sees(actor, &row)?;
        self.rating_view_of(row).await
    }

    /// The rating of a case, for its page: `None` when it is not rated yet.
    pub async fn case_rating(&self, actor: &Actor, case_id: i64) -> Result<Option<RatingView>> {
        let Some(row) = self
            .store
            .rating_of_service(ServiceKind::Case, case_id)
            .await?
        else {
            return Ok(None);
        };
        if self.check_sees(actor, &row).is_err() {
            return Ok(None);
        }
        Ok(Some(self.rating_view_of(row).await?))
    }

    async fn rating_row(&self, number: &str) -> Result<RatingRow> {
        let id = id_of(number.trim()).ok_or_else(|| AppError::of(codes::Rating::NotFound))?;
        self.store
            .rating(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::NotFound))
    }

    fn check_sees(&self, actor: &Actor, row: &RatingRow) -> Result<()> {
        let region = region_of(&row.region)?;
        let ok = if row.rater_id == Some(actor.user_id) {
            true
        } else if is_department(actor.role) {
            actor.department_id == Some(row.department_id)
        } else if is_centre(actor.role) || actor.role == Role::Admin {
            actor.sees_region(&region)
        } else {
            false
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::of(codes::Rating::NotFound))
        }
    }

    async fn rating_view_of(&self, row: RatingRow) -> Result<RatingView> {
        let rating: Rating = serde_json::from_str(&row.body)
            .map_err(|e| AppError::internal(format!("rating {}: {e}", row.id)))?;
        let log = if row.rect_stage.is_some() {
            self.store.rect_log(row.id).await?
        } else {
            Vec::new()
        };
        let rect = Rectification::replay(log.iter().map(|l| (&l.event, l.at)));
        Ok(RatingView {
            number: number_of(row.id),
            log: log
                .iter()
                .map(|l: &LoggedRect| RectLine {
                    at: l.at,
                    summary: l.event.summary(),
                })
                .collect(),
            row,
            rating,
            rect,
        })
    }

    /// The rater's name and phone, for the call-back: the centre only, and every view is
    /// audited.
    pub async fn rater_identity(&self, actor: &Actor, number: &str) -> Result<RaterIdentity> {
        let row = self.rating_row(number).await?;
        if !is_centre(actor.role) || !actor.sees_region(&region_of(&row.region)?) {
            return Err(AppError::forbidden());
        }
        let Some(rater) = row.rater_id else {
            return Ok(RaterIdentity {
                name: "匿名（现场评价）".into(),
                phone: None,
            });
        };
        let user = self
            .store
            .user(rater)
            .await?
            .ok_or_else(|| AppError::internal(format!("rater {rater} is missing")))?;
        self.store
            .record_event(
                self.entry(
                    actor,
                    "rating.rater_read",
                    row.subject().audit_target(),
                    "为回访查看评价人身份".into(),
                )
                .in_region_str(Some(&row.region)),
            )
            .await?;
        Ok(RaterIdentity {
            name: user.name,
            phone: user.phone,
        })
    }

    /// One step of a 差评's rectification.
    pub async fn rect_act(
        &self,
        actor: &Actor,
        number: &str,
        action: RectAction,
    ) -> Result<RatingView> {
        let row = self.rating_row(number).await?;
        let region = region_of(&row.region)?;
        let log = self.store.rect_log(row.id).await?;
        let state = Rectification::replay(log.iter().map(|l| (&l.event, l.at)))
            .ok_or_else(|| AppError::of(codes::Rating::NotBad))?;
        let centre_here = is_centre(actor.role) && actor.sees_region(&region);
        let cmd = match action {
            RectAction::CallBack { note } => {
                if !centre_here {
                    return Err(AppError::forbidden());
                }
                rt::Command::CallBack {
                    note: Note::parse(&note)?,
                }
            }
            RectAction::Verify { verdict, note } => {
                if !is_department(actor.role) {
                    return Err(AppError::of(codes::Rating::Unit));
                }
                rt::Command::Verify {
                    verdict: Verdict::parse(verdict.trim())
                        .ok_or_else(|| AppError::of(codes::Rating::Text))?,
                    note: Note::parse(&note)?,
                }
            }
            RectAction::Close { measures, feedback } => {
                if !is_department(actor.role) {
                    return Err(AppError::of(codes::Rating::Unit));
                }
                rt::Command::Close {
                    measures: Note::parse(&measures)?,
                    feedback,
                }
            }
            RectAction::Appeal { reason } => {
                if !is_department(actor.role) {
                    return Err(AppError::of(codes::Rating::Unit));
                }
                rt::Command::Appeal {
                    reason: Note::parse(&reason)?,
                }
            }
            RectAction::DecideAppeal { uphold, reason } => {
                if is_department(actor.role)
                    && state
                        .appeal
                        .as_ref()
                        .is_some_and(|a| Some(a.department_id) == actor.department_id)
                {
                    return Err(AppError::of(codes::Rating::AppealOwn));
                }
                if !centre_here {
                    return Err(AppError::forbidden());
                }
                rt::Command::DecideAppeal {
                    uphold,
                    reason: Note::parse(&reason)?,
                }
            }
            RectAction::Rerate { level } => {
                if row.rater_id != Some(actor.user_id) {
                    return Err(AppError::of(codes::Rating::NotRater));
                }
                rt::Command::Rerate {
                    level: Level::parse(level.trim())
                        .ok_or_else(|| AppError::of(codes::Rating::Level))?,
                }
            }
        };
        let by = rt::By {
            user_id: actor.user_id,
            department_id: actor.department_id.unwrap_or(0),
        };
        let event = state.decide(cmd, by)?;
        let now = self.now();
        let mut after = state.clone();
        after.apply(&event, now);
        let watches = self.rect_watches(&after, &row.region).await?;
        let mut outbound = Vec::new();
        if let rt::RectEvent::Closed { feedback, .. } = &event {
            if let Some(phone) = self.rater_phone(&row).await? {
                outbound.push(Outbound {
                    channel: "sms",
                    recipient: phone,
                    subject: "差评整改反馈".into(),
                    body: format!(
                        "【通办】您对{}的评价已整改：{}。欢迎再次评价。",
                        row.service_number,
                        feedback.as_str()
                    ),
                });
            }
        }
        let subject = row.subject();
        let audit = self
            .entry(
                actor,
                &format!("rating.{}", event.kind()),
                subject.audit_target(),
                event.summary(),
            )
            .in_region_str(Some(&row.region));
        let step = RectStep {
            rating_id: row.id,
            version: row.rect_version,
            event,
            actor_id: Some(actor.user_id),
            at: now,
            stage: after.stage,
            watches,
        };
        match self.store.rect_step(&step, &outbound, audit).await {
            Ok(()) => self.crossings_written(&step.watches),
            Err(StoreError::Conflict(w)) if w == "rating.version" => {
                return Err(AppError::of(codes::Rating::Stale))
            }
            Err(e) => return Err(e.into()),
        }
        let row = self
            .store
            .rating(row.id)
            .await?
            .ok_or_else(|| AppError::of(codes::Rating::NotFound))?;
        self.rating_view_of(row).await
    }

    /// Where the feedback goes: the case's applicant phone, else the rater's account's.
    async fn rater_phone(&self, row: &RatingRow) -> Result<Option<String>> {
        let Some(id) = row.rater_id else {
            return Ok(None);
        };
        if row.service_kind == ServiceKind::Case {
            if let Some(stored) = self.store.case_by_id(row.service_id).await? {
                let phone = self.load(stored).await?.case.applicant.phone;
                if !phone.is_empty() {
                    return Ok(Some(phone));
                }
            }
        }
        Ok(self.store.user(id).await?.and_then(|u| u.phone))
    }

    /// 差评 and their rectifications in the actor's region (centre) or of their department,
    /// open first. Raters are never named.
    pub async fn bad_ratings(&self, actor: &Actor) -> Result<Vec<RatingRow>> {
        let prefix = actor
            .region
            .as_ref()
            .map(|r| r.prefix().to_string())
            .ok_or_else(AppError::forbidden)?;
        let rows = self.store.bad_ratings(&prefix, 200).await?;
        if is_centre(actor.role) || actor.role == Role::Admin {
            Ok(rows)
        } else if is_department(actor.role) {
            Ok(rows
                .into_iter()
                .filter(|r| Some(r.department_id) == actor.department_id)
                .collect())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// Each department's published figures for a month (`YYYY-MM`): public.
    pub async fn rating_month(&self, month: &str) -> Result<Vec<MonthFigures>> {
        let ok = month.len() == 7
            && chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
        if !ok {
            return Err(AppError::new(codes::Request::Query, "月份格式应为 YYYY-MM"));
        }
        Ok(self.store.month_figures("", month).await?)
    }

    /// Whether a rectification's stage is still open (for lists).
    pub fn rect_open(row: &RatingRow) -> bool {
        row.stage().is_some_and(RectStage::is_open)
    }
}

use tongban_domain::audit::AuditEntry;
