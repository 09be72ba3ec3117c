//! Disclosure requests (依申请公开): filing, the office's commands, the applicant's tracking.
//!
//! Who may do what, checked here on every call:
//! * an applicant files online for themself, supplies a 补正 and withdraws their own requests,
//!   and reads only their own;
//! * staff of the department acting as the disclosure office (窗口人员, 审批人员, 部门负责人)
//!   enter requests handed in, posted or faxed to it and carry every step of the ones it holds;
//!   only its head (部门负责人) approves an extension;
//! * supervisors, leaders and administrators read the requests of their region.
//!
//! Anyone else acting on a request gets `disclosure.not_holder`. Every change is one write:
//! the event, the projection, the audit record and the notices to the applicant together.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::calendar::{Calendar, WorkingDays};
use tongban_domain::codes;
use tongban_domain::disclosure::{
    self as dd, parse_description, reply_letter, Applicant, ApplicantInput, By, Channel,
    ConsultationKind, DisclosureCommand, DisclosureEvent, FeeBasis, Filing, FormWanted, Office,
    Recorded, RemedyKind, RemedyOutcome, Reply, ReplyInput, Request, RequestNumber, Status,
};
use tongban_domain::mask;
use tongban_domain::org::{Actor, Role};
use tongban_store::cases::NotificationRow;
use tongban_store::disclosure::{
    DisclosureLine, DisclosureProjection, DisclosureRow, DisclosureWrite, NewDisclosureEvent,
};
use tongban_store::outbox::{EMAIL, SMS};
use tongban_store::StoreError;

use crate::{App, AppError, Result};

/// A new request as a form or API body gives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewDisclosure {
    /// The department acting as the disclosure office the request is addressed to.
    pub department_id: i64,
    pub applicant: ApplicantInput,
    pub description: String,
    #[serde(default)]
    pub purpose: Option<String>,
    pub form: FormWanted,
    pub channel: Channel,
    /// In person: when it was handed in; registered post: when it was signed for. Ignored on
    /// the channels whose receipt is the office's confirmation.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

/// The fee as a form gives it: per request (the app counts the applicant's requests of the
/// month) or per volume (pages), never both.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FeeInput {
    #[serde(default)]
    pub per_request: bool,
    #[serde(default)]
    pub pages: Option<u32>,
}

/// A command on a request.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DisclosureAction {
    /// 第三十一条: the office confirms a request that came online, by fax or by letter.
    Confirm,
    /// 第三十条: the one 补正 notice; `days` defaults to the local setting.
    RequestSupplement {
        items: Vec<String>,
        #[serde(default)]
        days: Option<u32>,
    },
    /// The supplement arrives (from the applicant online, or entered by the office).
    Supplement { text: String },
    /// No supplement by the deadline.
    LapseSupplement,
    /// 第三十三条: one extension, by the office head.
    Extend { days: u32, reason: String },
    /// 第三十二条/第三十三条: consult a third party or another agency.
    Consult {
        kind: ConsultationKind,
        party: String,
        matter: String,
    },
    /// End the consultation with the answer, or without one after the deadline.
    CloseConsultation {
        #[serde(default)]
        answer: Option<String>,
    },
    /// The fee notice.
    NoticeFee(FeeInput),
    /// The fee is paid; `reference` is the receipt number of the collection.
    PayFee { reference: String },
    /// Unpaid by the deadline.
    LapseFee,
    /// The reply.
    Reply(ReplyInput),
    /// The applicant withdraws.
    Withdraw,
    /// 第三十五条: ask the applicant for reasons; `days` defaults to the local setting.
    RequestReasons {
        matter: String,
        #[serde(default)]
        days: Option<u32>,
    },
    /// The applicant's reasons (from the applicant online, or entered by the office).
    GiveReasons { text: String },
    /// 第三十五条: a reasonable later date for the reply.
    SetLaterDate { date: NaiveDate, reason: String },
    /// A 行政复议 or 行政诉讼 against the reply.
    RecordRemedy {
        kind: RemedyKind,
        filed_on: NaiveDate,
        body: String,
    },
    /// Its outcome.
    DecideRemedy {
        kind: RemedyKind,
        outcome: RemedyOutcome,
        decided_on: NaiveDate,
    },
}

impl DisclosureAction {
    /// The command's name in the closed set forms and the API use.
    pub fn command(&self) -> DisclosureCommand {
        match self {
            DisclosureAction::Confirm => DisclosureCommand::Confirm,
            DisclosureAction::RequestSupplement { .. } => DisclosureCommand::RequestSupplement,
            DisclosureAction::Supplement { .. } => DisclosureCommand::Supplement,
            DisclosureAction::LapseSupplement => DisclosureCommand::LapseSupplement,
            DisclosureAction::Extend { .. } => DisclosureCommand::Extend,
            DisclosureAction::Consult { .. } => DisclosureCommand::Consult,
            DisclosureAction::CloseConsultation { .. } => DisclosureCommand::CloseConsultation,
            DisclosureAction::NoticeFee(_) => DisclosureCommand::NoticeFee,
            DisclosureAction::PayFee { .. } => DisclosureCommand::PayFee,
            DisclosureAction::LapseFee => DisclosureCommand::LapseFee,
            DisclosureAction::Reply(_) => DisclosureCommand::Reply,
            DisclosureAction::Withdraw => DisclosureCommand::Withdraw,
            DisclosureAction::RequestReasons { .. } => DisclosureCommand::RequestReasons,
            DisclosureAction::GiveReasons { .. } => DisclosureCommand::GiveReasons,
            DisclosureAction::SetLaterDate { .. } => DisclosureCommand::SetLaterDate,
            DisclosureAction::RecordRemedy { .. } => DisclosureCommand::RecordRemedy,
            DisclosureAction::DecideRemedy { .. } => DisclosureCommand::DecideRemedy,
        }
    }
}

/// A deadline as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineView {
    pub kind: dd::DeadlineKind,
    pub label: &'static str,
    pub bearer: &'static str,
    pub due: NaiveDate,
}

/// The reply period as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockView {
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total_days: u32,
    pub elapsed_days: u32,
    pub remaining_days: i64,
    pub suspended: bool,
    pub overdue: bool,
    /// The day-by-day account (次日起算, each holiday, each stop).
    pub explanation: Vec<String>,
}

/// One line of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub what: &'static str,
    pub by: String,
    pub detail: String,
}

/// A request as the person asking may see it: personal data masked.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureView {
    pub number: String,
    pub version: i64,
    pub status: Status,
    pub status_label: &'static str,
    pub office: String,
    pub department_id: i64,
    pub applicant_kind: dd::ApplicantKind,
    pub applicant_name: String,
    pub applicant_id: String,
    pub channel: Channel,
    pub receipt_rule: &'static str,
    pub form: FormWanted,
    pub description: String,
    pub purpose: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub clock: Option<ClockView>,
    pub deadlines: Vec<DeadlineView>,
    pub supplement_items: Vec<String>,
    pub fee: Option<String>,
    pub reply: Option<ReplyView>,
    pub history: Vec<HistoryLine>,
    /// Whether the reader may act as the office on this request.
    pub office_view: bool,
    /// The one extension was granted.
    pub extended: bool,
    /// 第三十五条: reasons were asked / given; a later date was set.
    pub reasons_asked: bool,
    pub reasons_given: bool,
    pub later_date_set: bool,
    /// 行政复议 and 行政诉讼 against the reply.
    pub remedies: Vec<RemedyView>,
}

/// A 复议 or 诉讼 as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyView {
    pub kind: RemedyKind,
    pub label: &'static str,
    pub filed_on: NaiveDate,
    pub body: String,
    pub outcome: Option<RemedyOutcome>,
    /// The outcome's label, or 尚未审结.
    pub outcome_label: &'static str,
    pub decided_on: Option<NaiveDate>,
}

/// A reply with its grounds, basis and letter.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub kind: dd::ReplyKind,
    pub label: &'static str,
    pub grounds: Vec<String>,
    pub legal_basis: Vec<String>,
    pub letter: String,
}

/// A request loaded with its log.
struct Loaded {
    row: DisclosureRow,
    log: Vec<Recorded>,
    req: Request,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::internal(StoreError::Corrupt(e.to_string()))
}

/// The first `n` characters of `s`, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

fn not_found() -> AppError {
    AppError::of(codes::Disclosure::NotFound)
}

fn days(n: u32) -> Result<WorkingDays> {
    WorkingDays::new(n).map_err(|e| AppError::new(e.code(), e.to_string()))
}

impl App {
    /// Whether `actor` acts as the office holding the request.
    fn holds(actor: &Actor, office: &Office) -> bool {
        matches!(actor.role, Role::Clerk | Role::Approver | Role::DeptHead)
            && actor.acts_for_department(office.department_id, &office.region)
    }

    /// Whether `actor` may read the request.
    fn sees_disclosure(actor: &Actor, req: &Request) -> bool {
        match actor.role {
            Role::Applicant => req.filing.applicant.user_id == Some(actor.user_id),
            Role::Clerk | Role::Approver | Role::DeptHead => Self::holds(actor, &req.filing.office),
            Role::Supervisor | Role::Leader | Role::Admin => {
                actor.sees_region(&req.filing.office.region)
            }
            Role::Agent | Role::Legal | Role::Operator | Role::HotlineCentre => false,
        }
    }

    async fn load_disclosure(&self, number: &str) -> Result<Loaded> {
        let number = RequestNumber::parse(number).map_err(|_| not_found())?;
        let row = self
            .store
            .disclosure_by_number(number.as_str())
            .await?
            .ok_or_else(not_found)?;
        let log = self
            .store
            .disclosure_events(row.id)
            .await?
            .into_iter()
            .map(|e| serde_json::from_str::<Recorded>(&e.payload).map_err(corrupt))
            .collect::<Result<Vec<_>>>()?;
        let req = Request::replay(&log).ok_or_else(|| corrupt("a request without its filing"))?;
        Ok(Loaded { row, log, req })
    }

    /// Files a request. Applicants file online for themselves; office staff enter requests
    /// handed in, posted or faxed to their own office.
    pub async fn file_disclosure(
        &self,
        actor: &Actor,
        new: NewDisclosure,
    ) -> Result<DisclosureView> {
        let now = self.now();
        let dept = self
            .store
            .department(new.department_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::NotHolder))?;
        let office = Office {
            department_id: dept.id,
            name: dept.name.clone(),
            region: dept.region_code.clone(),
        };
        let user_id = match actor.role {
            Role::Applicant => {
                if new.channel != Channel::Online {
                    return Err(AppError::new(
                        codes::Disclosure::State,
                        "网上申请请选择「互联网」渠道",
                    ));
                }
                Some(actor.user_id)
            }
            _ if Self::holds(actor, &office) => {
                if new.channel == Channel::Online {
                    return Err(AppError::new(
                        codes::Disclosure::State,
                        "工作人员代为录入的申请不能选择「互联网」渠道",
                    ));
                }
                None
            }
            _ => return Err(AppError::of(codes::Disclosure::NotHolder)),
        };
        let applicant = Applicant::parse(&new.applicant, user_id)?;
        let description = parse_description(&new.description)?;
        let purpose = new
            .purpose
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.chars().take(500).collect());
        let filing = Filing {
            applicant,
            office,
            description,
            purpose,
            form: new.form,
            channel: new.channel,
        };
        let received = if filing.channel.needs_confirmation() {
            None
        } else {
            new.received_at
        };
        let events = Request::file(filing.clone(), received, now)?;
        let by = By {
            user_id: Some(actor.user_id),
            name: actor.name.clone(),
        };
        let log: Vec<Recorded> = events
            .into_iter()
            .map(|event| Recorded {
                event,
                at: now,
                by: by.clone(),
            })
            .collect();
        let req = Request::replay(&log).ok_or_else(|| corrupt("filing"))?;
        let cal = self.calendar_for(filing.office.region.as_str()).await?;
        let day = tongban_domain::time::local_date(now);
        let region6: String = filing.office.region.as_str().chars().take(6).collect();
        let soonest = std::sync::Mutex::new(None);
        let built = self
            .store
            .create_disclosure(&region6, day, now, |seq| -> Result<DisclosureWrite> {
                let number = RequestNumber::new(&region6, day, seq)?;
                let entry = self
                    .entry(
                        actor,
                        "disclosure.file",
                        format!("disclosure:{number}"),
                        format!(
                            "政府信息公开申请 {number}（{}，{}）",
                            filing.channel.label(),
                            mask::name(&filing.applicant.name)
                        ),
                    )
                    .in_region(&filing.office.region);
                let w =
                    self.disclosure_write(number.as_str(), &req, &log, &log, &cal, now, entry)?;
                if let Ok(mut s) = soonest.lock() {
                    *s = crate::wake::soonest(&w.watches);
                }
                Ok(w)
            })
            .await??;
        if let Some(at) = soonest.into_inner().ok().flatten() {
            self.crossing_written_at(at);
        }
        self.disclosure_view(actor, &built.1).await
    }

    /// Builds the write for `req` after its new events `fresh`, the last of its whole `log`.
    /// A new reply or 补正 notice runs supervision's detectors over the log, and what they
    /// find is written with the event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn disclosure_write(
        &self,
        number: &str,
        req: &Request,
        fresh: &[Recorded],
        log: &[Recorded],
        cal: &Calendar,
        now: DateTime<Utc>,
        audit: tongban_domain::audit::AuditEntry,
    ) -> Result<DisclosureWrite> {
        let f = &req.filing;
        let projection = DisclosureProjection {
            number: number.to_string(),
            department_id: f.office.department_id,
            region: f.office.region.as_str().to_string(),
            applicant_kind: f.applicant.kind,
            applicant_name: f.applicant.name.clone(),
            applicant_id_code: f.applicant.identity.as_str().to_string(),
            applicant_user_id: f.applicant.user_id,
            channel: f.channel,
            status: req.status,
            filed_at: req.filed_at,
            received_at: req.received_at,
            due_date: req.reply_due(cal, now)?,
            reply_kind: req.reply.as_ref().map(|r| r.kind),
            replied_at: req.replied_at,
            closed_at: req.closed_at,
        };
        let events = fresh
            .iter()
            .map(|r| {
                Ok(NewDisclosureEvent {
                    kind: r.event.kind().to_string(),
                    payload: serde_json::to_string(r).map_err(corrupt)?,
                    actor_id: r.by.user_id,
                    actor_name: r.by.name.clone(),
                    at: r.at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut notifications = Vec::new();
        for r in fresh {
            if let Some((subject, body)) = notice(number, req, &r.event, cal, now)? {
                notifications.extend(to_applicant(&f.applicant, subject, body));
            }
        }
        let findings = if fresh.iter().any(|r| {
            matches!(
                r.event,
                DisclosureEvent::Replied { .. } | DisclosureEvent::SupplementRequested { .. }
            )
        }) {
            dd::detect::detect(log, cal)
        } else {
            Vec::new()
        };
        Ok(DisclosureWrite {
            findings,
            projection,
            state: serde_json::to_string(req).map_err(corrupt)?,
            events,
            notifications,
            audit,
            title: format!("政府信息公开申请：{}", clip(&f.description, 40)),
            watches: req.watches(
                cal,
                now,
                &self.settings().warnings_for(f.office.region.as_str()),
                None,
            )?,
        })
    }

    /// Carries out a command on a request, as the office or as its applicant. With
    /// `expected_version`, a request changed since is refused (`disclosure.stale`).
    pub async fn act_on_disclosure(
        &self,
        actor: &Actor,
        number: &str,
        expected_version: Option<i64>,
        action: DisclosureAction,
    ) -> Result<DisclosureView> {
        let now = self.now();
        let Loaded { row, mut log, req } = self.load_disclosure(number).await?;
        let office = &req.filing.office;
        let own =
            actor.role == Role::Applicant && req.filing.applicant.user_id == Some(actor.user_id);
        let holder = Self::holds(actor, office);
        let allowed = match action {
            DisclosureAction::Supplement { .. }
            | DisclosureAction::Withdraw
            | DisclosureAction::GiveReasons { .. } => own || holder,
            _ => holder,
        };
        if !allowed {
            return Err(if actor.role == Role::Applicant {
                if Self::sees_disclosure(actor, &req) {
                    AppError::of(codes::Disclosure::NotHolder)
                } else {
                    not_found()
                }
            } else {
                AppError::of(codes::Disclosure::NotHolder)
            });
        }
        if expected_version.is_some_and(|v| v != row.version) {
            return Err(AppError::of(codes::Disclosure::Stale));
        }
        let cal = self.calendar_for(office.region.as_str()).await?;
        let rules = self.settings().disclosure;
        let event = match &action {
            DisclosureAction::Confirm => req.confirm_receipt(now)?,
            DisclosureAction::RequestSupplement { items, days: d } => {
                req.request_supplement(items, days(d.unwrap_or(rules.supplement_days))?, &cal, now)?
            }
            DisclosureAction::Supplement { text } => req.supplement(text, now)?,
            DisclosureAction::LapseSupplement => req.lapse_supplement(now)?,
            DisclosureAction::Extend { days: d, reason } => {
                req.extend(*d, reason, actor.role == Role::DeptHead, &cal, now)?
            }
            DisclosureAction::Consult {
                kind,
                party,
                matter,
            } => {
                let d = match kind {
                    ConsultationKind::ThirdParty => dd::THIRD_PARTY_DAYS,
                    ConsultationKind::Agency => rules.agency_days,
                };
                req.open_consultation(*kind, party, matter, days(d)?, &cal, now)?
            }
            DisclosureAction::CloseConsultation { answer } => {
                req.close_consultation(answer.as_deref(), now)?
            }
            DisclosureAction::NoticeFee(fee) => {
                if fee.per_request && fee.pages.is_some() {
                    return Err(AppError::of(codes::Disclosure::FeeBothModes));
                }
                let ordinal = if fee.per_request {
                    Some(self.monthly_ordinal(&req).await?)
                } else {
                    None
                };
                let basis = FeeBasis::parse(ordinal, fee.pages)?;
                req.notice_fee(basis, days(rules.fee_days)?, &cal, now)?
            }
            DisclosureAction::PayFee { reference } => req.pay_fee(reference, now)?,
            DisclosureAction::LapseFee => req.lapse_fee(now)?,
            DisclosureAction::Reply(input) => req.answer(Reply::parse(input.clone())?)?,
            DisclosureAction::Withdraw => req.withdraw()?,
            DisclosureAction::RequestReasons { matter, days: d } => {
                req.request_reasons(matter, days(d.unwrap_or(rules.reasons_days))?, &cal, now)?
            }
            DisclosureAction::GiveReasons { text } => req.give_reasons(text, now)?,
            DisclosureAction::SetLaterDate { date, reason } => {
                req.set_later_date(*date, reason, &cal, now)?
            }
            DisclosureAction::RecordRemedy {
                kind,
                filed_on,
                body,
            } => req.record_remedy(*kind, *filed_on, body, now)?,
            DisclosureAction::DecideRemedy {
                kind,
                outcome,
                decided_on,
            } => req.decide_remedy(*kind, *outcome, *decided_on, now)?,
        };
        let summary = format!("{}：{}", row.number, event.label());
        let action_name = action.command().as_str();
        let rec = Recorded {
            event,
            at: now,
            by: By {
                user_id: Some(actor.user_id),
                name: actor.name.clone(),
            },
        };
        let mut next = req.clone();
        next.apply(&rec);
        log.push(rec.clone());
        let entry = self
            .entry(
                actor,
                &format!("disclosure.{action_name}"),
                format!("disclosure:{}", row.number),
                summary,
            )
            .in_region(&req.filing.office.region);
        let w = self.disclosure_write(
            &row.number,
            &next,
            std::slice::from_ref(&rec),
            &log,
            &cal,
            now,
            entry,
        )?;
        match self
            .store
            .update_disclosure(row.id, row.version, &w, now)
            .await
        {
            Ok(()) => self.crossings_written(&w.watches),
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::Stale.as_str() => {
                return Err(AppError::of(codes::Disclosure::Stale))
            }
            Err(e) => return Err(e.into()),
        }
        self.disclosure_view(actor, &row.number).await
    }

    /// The applicant's ordinal among the requests they had received in the calendar month of
    /// this one's receipt (Shanghai), this one included.
    async fn monthly_ordinal(&self, req: &Request) -> Result<u32> {
        let (Some(received), Some(on)) = (req.received_at, req.received_on()) else {
            return Err(AppError::of(codes::Disclosure::State));
        };
        let first =
            NaiveDate::from_ymd_opt(on.year(), on.month(), 1).ok_or_else(|| corrupt("month"))?;
        let from = tongban_domain::time::start_of_day(first);
        let n = self
            .store
            .disclosures_received_between(
                req.filing.applicant.identity.as_str(),
                from,
                received + chrono::Duration::milliseconds(1),
            )
            .await?;
        u32::try_from(n.max(1)).map_err(corrupt)
    }

    /// A request as `actor` may see it.
    pub async fn disclosure_view(&self, actor: &Actor, number: &str) -> Result<DisclosureView> {
        let Loaded { row, log, req } = self.load_disclosure(number).await?;
        if !Self::sees_disclosure(actor, &req) {
            return Err(not_found());
        }
        let now = self.now();
        let cal = self.calendar_for(req.filing.office.region.as_str()).await?;
        let clock = match req.reply_clock() {
            Some(c) => {
                let at = req.replied_at.or(req.closed_at).unwrap_or(now);
                let st = c.status(&cal, at).map_err(crate::error::invalid)?;
                let ex = c.explain(&cal, at).map_err(crate::error::invalid)?;
                Some(ClockView {
                    start_date: tongban_domain::time::local_date(c.start),
                    due_date: st.due_date,
                    total_days: st.total_days,
                    elapsed_days: st.elapsed_days,
                    remaining_days: st.remaining_days,
                    suspended: st.suspended,
                    overdue: st.overdue,
                    explanation: ex.lines().iter().map(|l| l.text.clone()).collect(),
                })
            }
            None => None,
        };
        let deadlines = req
            .deadlines(&cal, now)?
            .into_iter()
            .map(|d| DeadlineView {
                kind: d.kind,
                label: d.kind.label(),
                bearer: d.kind.bearer().label(),
                due: d.due,
            })
            .collect();
        let reply = match (&req.reply, req.replied_at) {
            (Some(r), Some(at)) => Some(ReplyView {
                kind: r.kind,
                label: r.kind.label(),
                grounds: r.grounds(),
                legal_basis: r.legal_basis(),
                letter: reply_letter(&row.number, &req, r, tongban_domain::time::local_date(at)),
            }),
            _ => None,
        };
        let staff_view = actor.role.is_staff();
        let history = log
            .iter()
            .map(|r| HistoryLine {
                at: r.at,
                what: r.event.label(),
                by: if staff_view || r.by.user_id == Some(actor.user_id) {
                    r.by.name.clone()
                } else {
                    "工作人员".into()
                },
                detail: detail(&r.event),
            })
            .collect();
        let f = &req.filing;
        Ok(DisclosureView {
            number: row.number.clone(),
            version: row.version,
            status: req.status,
            status_label: req.status.label(),
            office: f.office.name.clone(),
            department_id: f.office.department_id,
            applicant_kind: f.applicant.kind,
            applicant_name: mask::name(&f.applicant.name),
            applicant_id: f.applicant.identity.masked(),
            channel: f.channel,
            receipt_rule: f.channel.receipt_rule(),
            form: f.form,
            description: f.description.clone(),
            purpose: f.purpose.clone(),
            filed_at: req.filed_at,
            received_at: req.received_at,
            clock,
            deadlines,
            supplement_items: req
                .supplement
                .as_ref()
                .map(|s| s.items.clone())
                .unwrap_or_default(),
            fee: req.fee.as_ref().map(|f| {
                format!(
                    "{}；缴费期限 {}{}",
                    f.basis.explain(),
                    f.deadline,
                    if f.paid_at.is_some() {
                        "（已缴纳）"
                    } else {
                        ""
                    }
                )
            }),
            reply,
            history,
            office_view: Self::holds(actor, &f.office),
            extended: req.extension.is_some(),
            reasons_asked: req.reasons.is_some(),
            reasons_given: req
                .reasons
                .as_ref()
                .is_some_and(|r| r.answered_at.is_some()),
            later_date_set: req.later_date.is_some(),
            remedies: req
                .remedies
                .iter()
                .map(|r| RemedyView {
                    kind: r.kind,
                    label: r.kind.label(),
                    filed_on: r.filed_on,
                    body: r.body.clone(),
                    outcome: r.outcome,
                    outcome_label: r.outcome.map_or("尚未审结", |o| o.label()),
                    decided_on: r.decided_on,
                })
                .collect(),
        })
    }

    /// The agencies a request may be addressed to: every department, each acting through its
    /// disclosure office. Public, like the catalog.
    pub async fn disclosure_agencies(&self) -> Result<Vec<(i64, String)>> {
        Ok(self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    /// The office's queue, soonest reply due first (staff of a department only).
    pub async fn disclosure_queue(&self, actor: &Actor) -> Result<Vec<DisclosureLine>> {
        let dept = match (actor.role, actor.department_id) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d)) => d,
            _ => return Err(AppError::of(codes::Disclosure::NotHolder)),
        };
        let mut lines = self.store.disclosure_queue(dept, 200).await?;
        for l in &mut lines {
            l.applicant_name = mask::name(&l.applicant_name);
        }
        Ok(lines)
    }

    /// The requests the signed-in applicant filed.
    pub async fn my_disclosures(&self, actor: &Actor) -> Result<Vec<DisclosureLine>> {
        if actor.role != Role::Applicant {
            return Ok(Vec::new());
        }
        self.store
            .disclosures_of_user(actor.user_id, 100)
            .await
            .map_err(Into::into)
    }

    /// The system's sweep: requests whose 补正 or fee deadline has passed are deemed
    /// withdrawn, and the applicant is told; offices are reminded of 补正 notice windows about
    /// to close ([`App::remind_disclosures`]). Returns how many it closed.
    pub async fn sweep_disclosures(&self) -> Result<usize> {
        self.remind_disclosures().await?;
        self.remind_disclosure_reports().await?;
        self.remind_region_disclosure_reports().await?;
        let mut closed = 0;
        for status in [Status::AwaitingSupplement, Status::AwaitingFee] {
            for number in self.store.open_disclosure_numbers(status, 500).await? {
                let Loaded { row, mut log, req } = self.load_disclosure(&number).await?;
                let now = self.now();
                let event = match status {
                    Status::AwaitingSupplement => req.lapse_supplement(now),
                    _ => req.lapse_fee(now),
                };
                let Ok(event) = event else { continue };
                let cal = self.calendar_for(req.filing.office.region.as_str()).await?;
                let rec = Recorded {
                    event,
                    at: now,
                    by: By {
                        user_id: None,
                        name: "系统".into(),
                    },
                };
                let mut next = req.clone();
                next.apply(&rec);
                log.push(rec.clone());
                let entry = self
                    .system_entry(
                        "disclosure.lapse",
                        format!("disclosure:{number}"),
                        format!("{number}：{}", rec.event.label()),
                    )
                    .in_region(&req.filing.office.region);
                let w = self.disclosure_write(
                    &number,
                    &next,
                    std::slice::from_ref(&rec),
                    &log,
                    &cal,
                    now,
                    entry,
                )?;
                match self
                    .store
                    .update_disclosure(row.id, row.version, &w, now)
                    .await
                {
                    Ok(()) => closed += 1,
                    Err(StoreError::Conflict(c)) if c == codes::Disclosure::Stale.as_str() => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(closed)
    }
}

impl App {
    /// 第三十条's 补正 notice window: a running request received in the last 30 days whose
    /// window is yellow by its region's warning rules gets one reminder, written in its log
    /// (audited) with an SMS and an e-mail to the office's staff in the same transaction.
    /// Returns how many were reminded.
    pub async fn remind_disclosures(&self) -> Result<usize> {
        let now = self.now();
        let since = now - chrono::Duration::days(30);
        let mut reminded = 0;
        let mut staff: std::collections::HashMap<i64, Vec<tongban_store::users::User>> =
            std::collections::HashMap::new();
        for number in self
            .store
            .disclosures_received_since(Status::Processing, since, 2000)
            .await?
        {
            let Loaded { row, mut log, req } = self.load_disclosure(&number).await?;
            let region = req.filing.office.region.as_str().to_string();
            let cal = self.calendar_for(&region).await?;
            let rules = self.settings().warnings_for(&region);
            let Ok(Some(event)) = req.supplement_notice_reminder(&cal, now, &rules) else {
                continue;
            };
            let DisclosureEvent::Reminded { deadline, due } = &event else {
                continue;
            };
            let text = format!(
                "【通办】政府信息公开申请 {number} 的{}将于 {due} 届满：申请内容不明确的，请在此前一次性发出补正通知。",
                deadline.label()
            );
            let dept = req.filing.office.department_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = staff.entry(dept) {
                slot.insert(
                    self.store
                        .users(&tongban_store::users::UserFilter {
                            department_id: Some(dept),
                            ..Default::default()
                        })
                        .await?,
                );
            }
            let rec = Recorded {
                event,
                at: now,
                by: By {
                    user_id: None,
                    name: "系统".into(),
                },
            };
            let mut next = req.clone();
            next.apply(&rec);
            log.push(rec.clone());
            let entry = self
                .system_entry(
                    "disclosure.remind",
                    format!("disclosure:{number}"),
                    format!("{number}：{}", rec.event.label()),
                )
                .in_region(&req.filing.office.region);
            let mut w = self.disclosure_write(
                &number,
                &next,
                std::slice::from_ref(&rec),
                &log,
                &cal,
                now,
                entry,
            )?;
            for u in staff.get(&dept).into_iter().flatten() {
                if !matches!(u.role, Role::Clerk | Role::Approver | Role::DeptHead) {
                    continue;
                }
                for (channel, to) in [(SMS, u.phone.as_deref()), (EMAIL, u.email.as_deref())] {
                    if let Some(to) = to {
                        w.notifications.push(NotificationRow {
                            channel: channel.into(),
                            recipient: to.to_string(),
                            subject: "补正通知期限提醒".into(),
                            body: text.clone(),
                        });
                    }
                }
            }
            match self
                .store
                .update_disclosure(row.id, row.version, &w, now)
                .await
            {
                Ok(()) => reminded += 1,
                Err(StoreError::Conflict(c)) if c == codes::Disclosure::Stale.as_str() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(reminded)
    }
}

/// What an event adds to its history line.
fn detail(e: &DisclosureEvent) -> String {
    match e {
        DisclosureEvent::Filed { filing } => filing.channel.label().to_string(),
        DisclosureEvent::Received { received_at } => format!(
            "收到申请之日：{}",
            tongban_domain::time::local_date(*received_at)
        ),
        DisclosureEvent::SupplementRequested { items, deadline } => {
            format!("{}；补正期限 {deadline}", items.join("；"))
        }
        DisclosureEvent::Supplemented { .. } => "答复期限自收到补正之日起重新计算".into(),
        DisclosureEvent::Extended { days, reason } => format!("延长 {days}：{reason}"),
        DisclosureEvent::ConsultationOpened { kind, deadline, .. } => {
            format!("{}，答复期限 {deadline}，期间不计入答复期限", kind.label())
        }
        DisclosureEvent::ConsultationClosed { answer } => {
            answer.clone().unwrap_or_else(|| "逾期未提出意见".into())
        }
        DisclosureEvent::FeeNoticed {
            basis, deadline, ..
        } => format!("{}；缴费期限 {deadline}", basis.explain()),
        DisclosureEvent::FeePaid { .. } => "答复期限继续计算".into(),
        DisclosureEvent::Replied { reply } => reply.kind.label().to_string(),
        DisclosureEvent::ReasonsRequested { matter, deadline } => {
            format!("{matter}；说明理由期限 {deadline}")
        }
        DisclosureEvent::ReasonsGiven { text } => text.clone(),
        DisclosureEvent::LaterDateSet { date, reason, .. } => {
            format!("答复期限延至 {date}：{reason}")
        }
        DisclosureEvent::RemedyFiled {
            kind,
            filed_on,
            body,
        } => format!("{}（{body}），{filed_on} 提起", kind.label()),
        DisclosureEvent::RemedyDecided {
            kind,
            outcome,
            decided_on,
        } => format!("{}：{}（{decided_on}）", kind.label(), outcome.label()),
        DisclosureEvent::Reminded { deadline, due } => {
            format!("{}将于 {due} 届满", deadline.label())
        }
        DisclosureEvent::SupplementLapsed
        | DisclosureEvent::FeeLapsed
        | DisclosureEvent::Withdrawn => String::new(),
    }
}

/// The notice an event sends the applicant, if any.
fn notice(
    number: &str,
    req: &Request,
    e: &DisclosureEvent,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>> {
    let due = || -> Result<String> {
        Ok(req
            .reply_due(cal, now)?
            .map_or_else(String::new, |d| format!("，答复期限至 {d}")))
    };
    let office = &req.filing.office.name;
    Ok(Some(match e {
        DisclosureEvent::Received { received_at } => (
            "已收到您的政府信息公开申请".into(),
            format!(
                "{office}已于 {} 收到您的政府信息公开申请（编号 {number}）{}。",
                tongban_domain::time::local_date(*received_at),
                due()?
            ),
        ),
        DisclosureEvent::SupplementRequested { items, deadline } => (
            "政府信息公开申请补正通知".into(),
            format!(
                "您的申请（编号 {number}）内容不明确，请于 {deadline} 前补正：{}。逾期未补正的，视为放弃申请。",
                items.join("；")
            ),
        ),
        DisclosureEvent::Extended { days, reason } => (
            "政府信息公开申请延期答复告知".into(),
            format!("您的申请（编号 {number}）答复期限延长 {days}，理由：{reason}{}。", due()?),
        ),
        DisclosureEvent::FeeNoticed {
            basis,
            amount_fen,
            deadline,
        } => (
            "政府信息公开信息处理费缴费通知".into(),
            format!(
                "您的申请（编号 {number}）需缴纳信息处理费 {} 元（{}），请于 {deadline} 前缴纳；缴费期间不计入答复期限，逾期未缴纳的视为放弃申请。",
                dd::fee::yuan(*amount_fen),
                basis.explain()
            ),
        ),
        DisclosureEvent::Replied { reply } => (
            "政府信息公开申请答复".into(),
            format!(
                "{office}已对您的申请（编号 {number}）作出答复：{}。请登录查看答复书。",
                reply.kind.label()
            ),
        ),
        DisclosureEvent::ReasonsRequested { matter, deadline } => (
            "政府信息公开申请说明理由通知".into(),
            format!(
                "您的申请（编号 {number}）：{matter}。依照《中华人民共和国政府信息公开条例》第三十五条，请于 {deadline} 前说明理由。"
            ),
        ),
        DisclosureEvent::LaterDateSet { date, reason, .. } => (
            "政府信息公开申请延迟答复告知".into(),
            format!("您的申请（编号 {number}）将于 {date} 前答复，理由：{reason}。"),
        ),
        DisclosureEvent::SupplementLapsed => (
            "政府信息公开申请视为放弃".into(),
            format!("您的申请（编号 {number}）逾期未补正，视为放弃申请。"),
        ),
        DisclosureEvent::FeeLapsed => (
            "政府信息公开申请视为放弃".into(),
            format!("您的申请（编号 {number}）逾期未缴纳信息处理费，视为放弃申请。"),
        ),
        _ => return Ok(None),
    }))
}

/// One notice to the applicant by every contact they gave.
fn to_applicant(a: &Applicant, subject: String, body: String) -> Vec<NotificationRow> {
    let mut out = Vec::new();
    if let Some(p) = &a.phone {
        out.push(NotificationRow {
            channel: SMS.into(),
            recipient: p.as_str().to_string(),
            subject: subject.clone(),
            body: body.clone(),
        });
    }
    if let Some(e) = &a.email {
        out.push(NotificationRow {
            channel: EMAIL.into(),
            recipient: e.as_str().to_string(),
            subject,
            body,
        });
    }
    out
}

/// The start of a Shanghai date as an instant (for callers building `received_at`).
pub fn shanghai_instant(date: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(date.year(), date.month(), date.day(), hour, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
}
