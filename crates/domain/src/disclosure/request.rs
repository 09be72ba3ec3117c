//! The request: who asks, what for, its events, the state they fold into, and the commands.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::account::{Email, Phone};
use crate::calendar::{
    Calendar, Counting, Explanation, Extension, LimitKind, StatutoryClock, Suspension,
    SuspensionKind, WorkingDays,
};
use crate::codes;
use crate::error::DomainError;
use crate::identity::IdNumber;
use crate::time::{end_of_day, local_date};
use crate::uscc::Uscc;

use super::fee::FeeBasis;
use super::reply::Reply;

/// 第三十三条: the reply period.
pub const REPLY_DAYS: u32 = 20;
/// 第三十三条: the longest extension.
pub const MAX_EXTENSION_DAYS: u32 = 20;
/// 第三十条: the 补正 notice goes out within this many working days of receipt.
pub const SUPPLEMENT_NOTICE_DAYS: u32 = 7;
/// 第三十二条: the third party's time to answer.
pub const THIRD_PARTY_DAYS: u32 = 15;

crate::closed_set! {
    /// Who asks (第二十七条): citizens, legal persons and other organisations.
    pub enum ApplicantKind {
        Citizen = "citizen" => "公民",
        LegalPerson = "legal_person" => "法人",
        OtherOrganisation = "other_organisation" => "非法人组织",
    }
}

crate::closed_set! {
    /// What kind of legal person or other organisation asks: the columns of the national
    /// annual-report format (国办公开办函〔2021〕30号) under 法人或其他组织.
    pub enum OrganisationKind {
        Business = "business" => "商业企业",
        Research = "research" => "科研机构",
        Charity = "charity" => "社会公益组织",
        LegalService = "legal_service" => "法律服务机构",
        Other = "other" => "其他",
    }
}

crate::closed_set! {
    /// The applicant columns of the annual report's request table.
    #[derive(PartialOrd, Ord)]
    pub enum ReportColumn {
        NaturalPerson = "natural_person" => "自然人",
        Business = "business" => "商业企业",
        Research = "research" => "科研机构",
        Charity = "charity" => "社会公益组织",
        LegalService = "legal_service" => "法律服务机构",
        Other = "other" => "其他",
    }
}

impl ReportColumn {
    /// The column an applicant is counted in: a citizen as 自然人, an organisation by its kind
    /// (其他 when none was given).
    pub fn of(kind: ApplicantKind, org: Option<OrganisationKind>) -> ReportColumn {
        match (kind, org) {
            (ApplicantKind::Citizen, _) => ReportColumn::NaturalPerson,
            (_, Some(OrganisationKind::Business)) => ReportColumn::Business,
            (_, Some(OrganisationKind::Research)) => ReportColumn::Research,
            (_, Some(OrganisationKind::Charity)) => ReportColumn::Charity,
            (_, Some(OrganisationKind::LegalService)) => ReportColumn::LegalService,
            (_, Some(OrganisationKind::Other) | None) => ReportColumn::Other,
        }
    }
}

crate::closed_set! {
    /// A remedy against a reply (第五十一条): 行政复议 or 行政诉讼.
    pub enum RemedyKind {
        Reconsideration = "reconsideration" => "行政复议",
        Litigation = "litigation" => "行政诉讼",
    }
}

crate::closed_set! {
    /// How a 复议 or 诉讼 ended: the columns of the national format (尚未审结 is one without
    /// an outcome yet).
    pub enum RemedyOutcome {
        Upheld = "upheld" => "结果维持",
        Corrected = "corrected" => "结果纠正",
        Other = "other" => "其他结果",
    }
}

crate::closed_set! {
    /// How the request reached the office (第二十九条、第三十一条).
    pub enum Channel {
        InPerson = "in_person" => "当面提交",
        RegisteredPost = "registered_post" => "邮寄（双挂号等需签收）",
        OrdinaryPost = "ordinary_post" => "邮寄（平常信函）",
        Online = "online" => "互联网",
        Fax = "fax" => "传真",
    }
}

impl Channel {
    /// 第三十一条: what makes the receipt date on this channel.
    pub fn receipt_rule(self) -> &'static str {
        match self {
            Channel::InPerson => "以申请人提交之日为收到申请之日",
            Channel::RegisteredPost => "以行政机关签收之日为收到申请之日",
            Channel::OrdinaryPost => "以与申请人确认之日为收到申请之日",
            Channel::Online | Channel::Fax => "以双方确认之日为收到申请之日",
        }
    }

    /// Whether the receipt is the office's confirmation, made after the request arrives.
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Channel::OrdinaryPost | Channel::Online | Channel::Fax)
    }
}

crate::closed_set! {
    /// The form the applicant wants the information in.
    pub enum FormWanted {
        Paper = "paper" => "纸质文本",
        Email = "email" => "电子邮件",
        Disc = "disc" => "光盘",
        Viewing = "viewing" => "当场查阅、抄录",
    }
}

crate::closed_set! {
    /// Where a request stands.
    pub enum Status {
        /// Arrived online, by fax or by ordinary letter; the office has not confirmed it yet.
        Submitted = "submitted" => "待确认收到",
        /// The reply period runs.
        Processing = "processing" => "办理中",
        /// A 补正 notice went out; the reply period waits for the supplement.
        AwaitingSupplement = "awaiting_supplement" => "待补正",
        /// A third party or another agency is consulted; the clock stands still.
        Consulting = "consulting" => "征求意见中",
        /// A fee notice went out; the clock stands still until payment.
        AwaitingFee = "awaiting_fee" => "待缴纳信息处理费",
        /// 第三十五条: the applicant is asked for the reasons of excessive or too frequent
        /// requests; the reply period keeps running.
        AwaitingReasons = "awaiting_reasons" => "待说明理由",
        Replied = "replied" => "已答复",
        Withdrawn = "withdrawn" => "申请人已撤回",
        /// No supplement or no payment in time: deemed withdrawn (视为放弃申请).
        DeemedWithdrawn = "deemed_withdrawn" => "视为放弃申请",
    }
}

impl Status {
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Replied | Status::Withdrawn | Status::DeemedWithdrawn
        )
    }
}

crate::closed_set! {
    /// The commands on a request, as forms and the API name them.
    pub enum DisclosureCommand {
        Confirm = "confirm" => "确认收到申请",
        RequestSupplement = "request_supplement" => "发出补正通知",
        Supplement = "supplement" => "提交补正",
        LapseSupplement = "lapse_supplement" => "逾期未补正，视为放弃申请",
        Extend = "extend" => "延长答复期限",
        Consult = "consult" => "征求意见",
        CloseConsultation = "close_consultation" => "结束征求意见",
        NoticeFee = "notice_fee" => "发出收费通知",
        PayFee = "pay_fee" => "登记缴费",
        LapseFee = "lapse_fee" => "逾期未缴费，视为放弃申请",
        Reply = "reply" => "作出答复",
        Withdraw = "withdraw" => "撤回申请",
        RequestReasons = "request_reasons" => "要求说明理由（第三十五条）",
        GiveReasons = "give_reasons" => "说明理由",
        SetLaterDate = "set_later_date" => "确定延迟答复的合理期限",
        RecordRemedy = "record_remedy" => "登记行政复议或者行政诉讼",
        DecideRemedy = "decide_remedy" => "登记复议或者诉讼结果",
    }
}

crate::closed_set! {
    /// Whom a consultation asks (第三十二条、第三十三条).
    pub enum ConsultationKind {
        ThirdParty = "third_party" => "征求第三方意见",
        Agency = "agency" => "征求其他机关意见",
    }
}

impl ConsultationKind {
    fn suspension(self) -> SuspensionKind {
        match self {
            ConsultationKind::ThirdParty => SuspensionKind::ThirdPartyConsultation,
            ConsultationKind::Agency => SuspensionKind::AgencyConsultation,
        }
    }
}

crate::closed_set! {
    /// The deadlines of a request, as the deadline index and reminders name them.
    pub enum DeadlineKind {
        /// 第三十条: the last day the office may send the 补正 notice.
        SupplementNotice = "supplement_notice" => "补正通知期限（收到申请后7个工作日）",
        /// The applicant's deadline for the supplement.
        Supplement = "supplement" => "申请人补正期限",
        /// 第三十三条: 20 working days.
        Reply = "reply" => "答复期限（20个工作日）",
        /// The reply period after the one extension.
        ExtendedReply = "extended_reply" => "延长后的答复期限",
        /// 第三十二条: the consulted party's 15 working days.
        Consultation = "consultation" => "被征求意见方答复期限（15个工作日）",
        /// The applicant's deadline for the fee.
        Fee = "fee" => "缴费期限",
        /// 第三十五条: the applicant's deadline to give reasons.
        Reasons = "reasons" => "申请人说明理由期限",
        /// 第三十五条: the reasonable later date the office set.
        LaterDate = "later_date" => "延迟答复的合理期限（第三十五条）",
    }
}

crate::closed_set! {
    /// Who must act by a deadline.
    pub enum Bearer {
        Office = "office" => "公开工作机构",
        Applicant = "applicant" => "申请人",
        Consulted = "consulted" => "被征求意见方",
    }
}

impl DeadlineKind {
    pub fn bearer(self) -> Bearer {
        match self {
            DeadlineKind::SupplementNotice
            | DeadlineKind::Reply
            | DeadlineKind::ExtendedReply
            | DeadlineKind::LaterDate => Bearer::Office,
            DeadlineKind::Supplement | DeadlineKind::Fee | DeadlineKind::Reasons => {
                Bearer::Applicant
            }
            DeadlineKind::Consultation => Bearer::Consulted,
        }
    }
}

/// The applicant's identity document, parsed: an ID number for a citizen, a credit code for an
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Identity {
    IdNumber(IdNumber),
    CreditCode(Uscc),
}

impl Identity {
    pub fn as_str(&self) -> &str {
        match self {
            Identity::IdNumber(n) => n.as_str(),
            Identity::CreditCode(c) => c.as_str(),
        }
    }

    /// ID numbers are masked; a credit code is public.
    pub fn masked(&self) -> String {
        match self {
            Identity::IdNumber(n) => n.masked(),
            Identity::CreditCode(c) => c.as_str().to_string(),
        }
    }
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub name: String,
    pub identity: Identity,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub address: Option<String>,
    /// The applicant's own account, when they filed online.
    pub user_id: Option<i64>,
    /// An organisation's kind (the report's columns); `None` for a citizen.
    #[serde(default)]
    pub org_kind: Option<OrganisationKind>,
}

impl Applicant {
    /// The column of the annual report's request table this applicant is counted in.
    pub fn report_column(&self) -> ReportColumn {
        ReportColumn::of(self.kind, self.org_kind)
    }
}

/// The applicant as a form or API body gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicantInput {
    pub kind: Option<ApplicantKind>,
    pub name: String,
    pub id_code: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// An organisation's kind: 商业企业, 科研机构, 社会公益组织, 法律服务机构 or 其他 (其他 when
    /// left out); ignored for a citizen.
    #[serde(default)]
    pub org_kind: Option<OrganisationKind>,
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Applicant {
    /// Parses the applicant: a citizen's ID number (GB 11643) or an organisation's credit code
    /// (GB 32100), a name, and at least one way to reach them.
    pub fn parse(input: &ApplicantInput, user_id: Option<i64>) -> Result<Applicant, DomainError> {
        let kind = input
            .kind
            .ok_or_else(|| codes::Disclosure::ApplicantKind.err())?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(codes::Disclosure::ApplicantName.err());
        }
        let identity = match kind {
            ApplicantKind::Citizen => {
                Identity::IdNumber(IdNumber::parse(&input.id_code).map_err(crate::error::coded)?)
            }
            ApplicantKind::LegalPerson | ApplicantKind::OtherOrganisation => {
                Identity::CreditCode(Uscc::parse(&input.id_code).map_err(crate::error::coded)?)
            }
        };
        let phone = nonblank(&input.phone).map(Phone::parse).transpose()?;
        let email = nonblank(&input.email).map(Email::parse).transpose()?;
        if phone.is_none() && email.is_none() {
            return Err(codes::Disclosure::Contact.err());
        }
        let address = nonblank(&input.address).map(|a| a.chars().take(200).collect());
        Ok(Applicant {
            kind,
            name: name.to_string(),
            identity,
            phone,
            email,
            address,
            user_id,
            org_kind: match kind {
                ApplicantKind::Citizen => None,
                _ => Some(input.org_kind.unwrap_or(OrganisationKind::Other)),
            },
        })
    }
}

/// The office holding a request: the department acting as the agency's disclosure office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub department_id: i64,
    pub name: String,
    pub region: crate::region::RegionCode,
}

/// What a new request says (第二十九条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub applicant: Applicant,
    pub office: Office,
    pub description: String,
    pub purpose: Option<String>,
    pub form: FormWanted,
    pub channel: Channel,
}

/// The description as a request must carry it: 1–2000 characters.
pub fn parse_description(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    if s.is_empty() || s.chars().count() > 2000 {
        return Err(codes::Disclosure::Description.err());
    }
    Ok(s.to_string())
}

/// Someone who acted, as recorded on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct By {
    pub user_id: Option<i64>,
    pub name: String,
}

/// What happened to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DisclosureEvent {
    /// The request arrived (not yet received in the sense of 第三十一条 when its channel
    /// needs a confirmation).
    Filed {
        filing: Filing,
    },
    /// 第三十一条: the receipt instant that starts the clock.
    Received {
        received_at: DateTime<Utc>,
    },
    SupplementRequested {
        items: Vec<String>,
        deadline: NaiveDate,
    },
    Supplemented {
        text: String,
    },
    SupplementLapsed,
    Extended {
        days: WorkingDays,
        reason: String,
    },
    ConsultationOpened {
        kind: super::request::ConsultationKind,
        party: String,
        matter: String,
        deadline: NaiveDate,
    },
    /// `answer` is `None` when the consulted party let its time run out.
    ConsultationClosed {
        answer: Option<String>,
    },
    FeeNoticed {
        basis: FeeBasis,
        amount_fen: i64,
        deadline: NaiveDate,
    },
    FeePaid {
        reference: String,
    },
    FeeLapsed,
    Replied {
        reply: Reply,
    },
    Withdrawn,
    /// 第三十五条: the applicant is asked why so many or so frequent requests.
    ReasonsRequested {
        matter: String,
        deadline: NaiveDate,
    },
    ReasonsGiven {
        text: String,
    },
    /// 第三十五条: reasons accepted, the reply can still not be made in time: a reasonable
    /// later date, `days` working days past the due date it replaces.
    LaterDateSet {
        date: NaiveDate,
        days: WorkingDays,
        reason: String,
    },
    /// A 行政复议 or 行政诉讼 against the reply.
    RemedyFiled {
        kind: RemedyKind,
        filed_on: NaiveDate,
        body: String,
    },
    RemedyDecided {
        kind: RemedyKind,
        outcome: RemedyOutcome,
        decided_on: NaiveDate,
    },
    /// The system reminded the office of a deadline of its own (the 补正 notice window).
    Reminded {
        deadline: DeadlineKind,
        due: NaiveDate,
    },
}

impl DisclosureEvent {
    /// The stable kind stored beside the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            DisclosureEvent::Filed { .. } => "filed",
            DisclosureEvent::Received { .. } => "received",
            DisclosureEvent::SupplementRequested { .. } => "supplement_requested",
            DisclosureEvent::Supplemented { .. } => "supplemented",
            DisclosureEvent::SupplementLapsed => "supplement_lapsed",
            DisclosureEvent::Extended { .. } => "extended",
            DisclosureEvent::ConsultationOpened { .. } => "consultation_opened",
            DisclosureEvent::ConsultationClosed { .. } => "consultation_closed",
            DisclosureEvent::FeeNoticed { .. } => "fee_noticed",
            DisclosureEvent::FeePaid { .. } => "fee_paid",
            DisclosureEvent::FeeLapsed => "fee_lapsed",
            DisclosureEvent::Replied { .. } => "replied",
            DisclosureEvent::Withdrawn => "withdrawn",
            DisclosureEvent::ReasonsRequested { .. } => "reasons_requested",
            DisclosureEvent::ReasonsGiven { .. } => "reasons_given",
            DisclosureEvent::LaterDateSet { .. } => "later_date_set",
            DisclosureEvent::RemedyFiled { .. } => "remedy_filed",
            DisclosureEvent::RemedyDecided { .. } => "remedy_decided",
            DisclosureEvent::Reminded { .. } => "reminded",
        }
    }

    /// What the event is called in the request's history.
    pub fn label(&self) -> &'static str {
        match self {
            DisclosureEvent::Filed { .. } => "提交申请",
            DisclosureEvent::Received { .. } => "收到申请",
            DisclosureEvent::SupplementRequested { .. } => "发出补正通知",
            DisclosureEvent::Supplemented { .. } => "申请人补正",
            DisclosureEvent::SupplementLapsed => "逾期未补正，视为放弃申请",
            DisclosureEvent::Extended { .. } => "延长答复期限",
            DisclosureEvent::ConsultationOpened { .. } => "征求意见",
            DisclosureEvent::ConsultationClosed { .. } => "结束征求意见",
            DisclosureEvent::FeeNoticed { .. } => "发出收费通知",
            DisclosureEvent::FeePaid { .. } => "缴纳信息处理费",
            DisclosureEvent::FeeLapsed => "逾期未缴费，视为放弃申请",
            DisclosureEvent::Replied { .. } => "作出答复",
            DisclosureEvent::Withdrawn => "申请人撤回申请",
            DisclosureEvent::ReasonsRequested { .. } => "要求说明理由（第三十五条）",
            DisclosureEvent::ReasonsGiven { .. } => "申请人说明理由",
            DisclosureEvent::LaterDateSet { .. } => "确定延迟答复的合理期限",
            DisclosureEvent::RemedyFiled { .. } => "登记行政复议或者行政诉讼",
            DisclosureEvent::RemedyDecided { .. } => "登记复议或者诉讼结果",
            DisclosureEvent::Reminded { .. } => "提醒公开工作机构",
        }
    }
}

/// An event as the log keeps it: when it was recorded and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub event: DisclosureEvent,
    pub at: DateTime<Utc>,
    pub by: By,
}

/// The 补正 of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementState {
    pub items: Vec<String>,
    pub deadline: NaiveDate,
    pub noticed_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub text: Option<String>,
}

/// One consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub kind: ConsultationKind,
    pub party: String,
    pub matter: String,
    pub deadline: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub opened_by: String,
}

impl Consultation {
    /// The end of the clock's stop: the close, but never past the end of the consulted party's
    /// deadline (only the time allowed for the answer is not counted).
    fn stop_end(&self) -> Option<DateTime<Utc>> {
        self.closed_at.map(|c| c.min(end_of_day(self.deadline)))
    }
}

/// 第三十五条's request for reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonsState {
    pub matter: String,
    pub deadline: NaiveDate,
    pub asked_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub text: Option<String>,
}

/// A 行政复议 or 行政诉讼 against the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedy {
    pub kind: RemedyKind,
    pub filed_on: NaiveDate,
    /// The 复议机关 or the court.
    pub body: String,
    /// `None` while 尚未审结.
    pub outcome: Option<RemedyOutcome>,
    pub decided_on: Option<NaiveDate>,
}

/// The fee of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeState {
    pub basis: FeeBasis,
    pub amount_fen: i64,
    pub deadline: NaiveDate,
    pub noticed_at: DateTime<Utc>,
    pub noticed_by: String,
    pub paid_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
}

/// A request as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub filing: Filing,
    pub filed_at: DateTime<Utc>,
    pub status: Status,
    pub received_at: Option<DateTime<Utc>>,
    pub supplement: Option<SupplementState>,
    pub consultations: Vec<Consultation>,
    pub fee: Option<FeeState>,
    pub extension: Option<Extension>,
    pub reply: Option<Reply>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// 第三十五条.
    #[serde(default)]
    pub reasons: Option<ReasonsState>,
    /// 第三十五条's reasonable later date, as a prolongation of the reply clock.
    #[serde(default)]
    pub later_date: Option<Extension>,
    #[serde(default)]
    pub remedies: Vec<Remedy>,
    /// The office's deadlines it was reminded of.
    #[serde(default)]
    pub reminded: Vec<Deadline>,
}

/// A deadline of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: NaiveDate,
}

fn wd(n: u32) -> WorkingDays {
    // Only ever called with this module's constants and checked counts, all in 1..=MAX.
    WorkingDays::new(n).expect("a working-day count in range")
}

fn state_err(s: Status) -> DomainError {
    codes::Disclosure::State.with(format!("申请当前为「{}」，不能办理此操作", s.label()))
}

fn text_line(s: &str, max: usize) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t.chars().count() <= max).then(|| t.to_string())
}

impl Request {
    /// Files a request. A request handed in or signed for carries its receipt instant
    /// (`received_at`, which may not be in the future); one that needs a confirmation has
    /// none yet. Returns the events to append.
    pub fn file(
        filing: Filing,
        received_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DisclosureEvent>, DomainError> {
        let mut events = vec![DisclosureEvent::Filed {
            filing: filing.clone(),
        }];
        if filing.channel.needs_confirmation() {
            // The confirmation comes later, as its own command.
            return Ok(events);
        }
        let at = received_at.ok_or_else(|| codes::Disclosure::ReceiptMissing.err())?;
        if at > now {
            return Err(codes::Disclosure::ReceiptFuture.err());
        }
        events.push(DisclosureEvent::Received { received_at: at });
        Ok(events)
    }

    /// Folds a log into a request; `None` for a log that does not start with its filing.
    pub fn replay(log: &[Recorded]) -> Option<Request> {
        let (first, rest) = log.split_first()?;
        let DisclosureEvent::Filed { filing } = &first.event else {
            return None;
        };
        let mut r = Request {
            filing: filing.clone(),
            filed_at: first.at,
            status: Status::Submitted,
            received_at: None,
            supplement: None,
            consultations: Vec::new(),
            fee: None,
            extension: None,
            reply: None,
            replied_at: None,
            closed_at: None,
            reasons: None,
            later_date: None,
            remedies: Vec::new(),
            reminded: Vec::new(),
        };
        for e in rest {
            r.apply(e);
        }
        Some(r)
    }

    /// Folds one event in.
    pub fn apply(&mut self, rec: &Recorded) {
        let at = rec.at;
        match &rec.event {
            DisclosureEvent::Filed { .. } => {}
            DisclosureEvent::Received { received_at } => {
                self.received_at = Some(*received_at);
                self.status = Status::Processing;
            }
            DisclosureEvent::SupplementRequested { items, deadline } => {
                self.supplement = Some(SupplementState {
                    items: items.clone(),
                    deadline: *deadline,
                    noticed_at: at,
                    answered_at: None,
                    text: None,
                });
                self.status = Status::AwaitingSupplement;
            }
            DisclosureEvent::Supplemented { text } => {
                if let Some(s) = &mut self.supplement {
                    s.answered_at = Some(at);
                    s.text = Some(text.clone());
                }
                self.status = Status::Processing;
            }
            DisclosureEvent::SupplementLapsed | DisclosureEvent::FeeLapsed => {
                self.status = Status::DeemedWithdrawn;
                self.closed_at = Some(at);
            }
            DisclosureEvent::Extended { days, reason } => {
                self.extension = Some(Extension {
                    days: *days,
                    approver: rec.by.name.clone(),
                    reason: reason.clone(),
                    at,
                });
            }
            DisclosureEvent::ConsultationOpened {
                kind,
                party,
                matter,
                deadline,
            } => {
                self.consultations.push(Consultation {
                    kind: *kind,
                    party: party.clone(),
                    matter: matter.clone(),
                    deadline: *deadline,
                    opened_at: at,
                    closed_at: None,
                    answer: None,
                    opened_by: rec.by.name.clone(),
                });
                self.status = Status::Consulting;
            }
            DisclosureEvent::ConsultationClosed { answer } => {
                if let Some(c) = self.consultations.last_mut() {
                    c.closed_at = Some(at);
                    c.answer = answer.clone();
                }
                self.status = Status::Processing;
            }
            DisclosureEvent::FeeNoticed {
                basis,
                amount_fen,
                deadline,
            } => {
                self.fee = Some(FeeState {
                    basis: *basis,
                    amount_fen: *amount_fen,
                    deadline: *deadline,
                    noticed_at: at,
                    noticed_by: rec.by.name.clone(),
                    paid_at: None,
                    reference: None,
                });
                self.status = Status::AwaitingFee;
            }
            DisclosureEvent::FeePaid { reference } => {
                if let Some(f) = &mut self.fee {
                    f.paid_at = Some(at);
                    f.reference = Some(reference.clone());
                }
                self.status = Status::Processing;
            }
            DisclosureEvent::Replied { reply } => {
                self.reply = Some(reply.clone());
                self.replied_at = Some(at);
                self.closed_at = Some(at);
                self.status = Status::Replied;
            }
            DisclosureEvent::Withdrawn => {
                self.status = Status::Withdrawn;
                self.closed_at = Some(at);
            }
            DisclosureEvent::ReasonsRequested { matter, deadline } => {
                self.reasons = Some(ReasonsState {
                    matter: matter.clone(),
                    deadline: *deadline,
                    asked_at: at,
                    answered_at: None,
                    text: None,
                });
                self.status = Status::AwaitingReasons;
            }
            DisclosureEvent::ReasonsGiven { text } => {
                if let Some(r) = &mut self.reasons {
                    r.answered_at = Some(at);
                    r.text = Some(text.clone());
                }
                self.status = Status::Processing;
            }
            DisclosureEvent::LaterDateSet { days, reason, .. } => {
                self.later_date = Some(Extension {
                    days: *days,
                    approver: rec.by.name.clone(),
                    reason: reason.clone(),
                    at,
                });
            }
            DisclosureEvent::RemedyFiled {
                kind,
                filed_on,
                body,
            } => self.remedies.push(Remedy {
                kind: *kind,
                filed_on: *filed_on,
                body: body.clone(),
                outcome: None,
                decided_on: None,
            }),
            DisclosureEvent::RemedyDecided {
                kind,
                outcome,
                decided_on,
            } => {
                if let Some(r) = self.remedies.iter_mut().find(|r| r.kind == *kind) {
                    r.outcome = Some(*outcome);
                    r.decided_on = Some(*decided_on);
                }
            }
            DisclosureEvent::Reminded { deadline, due } => self.reminded.push(Deadline {
                kind: *deadline,
                due: *due,
            }),
        }
    }

    // ---- the clock ----

    /// When the reply period starts: the receipt, or after a 补正 the supplement's arrival
    /// (第三十条). `None` before the receipt and while the supplement is awaited.
    pub fn clock_start(&self) -> Option<DateTime<Utc>> {
        match &self.supplement {
            Some(s) => s.answered_at,
            None => self.received_at,
        }
    }

    /// The reply period on the shared statutory clock: 20 working days from the start, the
    /// extension added, consultations and the fee notice as suspensions.
    pub fn reply_clock(&self) -> Option<StatutoryClock> {
        let start = self.clock_start()?;
        let mut clock = StatutoryClock::new(start, wd(REPLY_DAYS), LimitKind::Statutory);
        clock.counting = Counting::NextWorkingDay;
        for c in &self.consultations {
            clock.suspensions.push(Suspension {
                counting: Default::default(),
                kind: c.kind.suspension(),
                reason: format!("{}：{}", c.party, c.matter),
                started_by: c.opened_by.clone(),
                start: c.opened_at,
                end: c.stop_end(),
                ended_by: None,
            });
        }
        if let Some(f) = &self.fee {
            clock.suspensions.push(Suspension {
                counting: Default::default(),
                kind: SuspensionKind::FeePayment,
                reason: super::fee::yuan(f.amount_fen),
                started_by: f.noticed_by.clone(),
                start: f.noticed_at,
                end: f.paid_at,
                ended_by: None,
            });
        }
        clock.extensions.extend(self.extension.clone());
        clock.extensions.extend(self.later_date.clone());
        Some(clock)
    }

    /// The reply due date at `now` (`None` while there is no running reply period).
    pub fn reply_due(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Option<NaiveDate>, DomainError> {
        match self.reply_clock() {
            Some(c) if self.status.is_open() => Ok(Some(c.due_date(cal, now)?)),
            _ => Ok(None),
        }
    }

    /// The day-by-day account of the reply period at `now`.
    pub fn explain(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Option<Explanation>, DomainError> {
        let at = self.replied_at.unwrap_or(now);
        match self.reply_clock() {
            Some(c) => Ok(Some(c.explain(cal, at)?)),
            None => Ok(None),
        }
    }

    /// The last day the 补正 notice may go out (第三十条: within 7 working days of receipt).
    pub fn supplement_notice_due(&self, cal: &Calendar) -> Result<Option<NaiveDate>, DomainError> {
        match self.received_at {
            Some(r) => Ok(Some(cal.add_working_days(
                r,
                wd(SUPPLEMENT_NOTICE_DAYS),
                Counting::NextWorkingDay,
            )?)),
            None => Ok(None),
        }
    }

    /// The open deadlines at `now`, for the deadline index and reminders.
    pub fn deadlines(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Vec<Deadline>, DomainError> {
        let mut out = Vec::new();
        match self.status {
            Status::Submitted | Status::Replied | Status::Withdrawn | Status::DeemedWithdrawn => {
                return Ok(out)
            }
            Status::AwaitingSupplement => {
                if let Some(s) = &self.supplement {
                    out.push(Deadline {
                        kind: DeadlineKind::Supplement,
                        due: s.deadline,
                    });
                }
                return Ok(out);
            }
            Status::Processing
            | Status::Consulting
            | Status::AwaitingFee
            | Status::AwaitingReasons => {}
        }
        if self.supplement.is_none() {
            if let Some(due) = self.supplement_notice_due(cal)? {
                if now <= end_of_day(due) {
                    out.push(Deadline {
                        kind: DeadlineKind::SupplementNotice,
                        due,
                    });
                }
            }
        }
        if let Some(due) = self.reply_due(cal, now)? {
            out.push(Deadline {
                kind: if self.later_date.is_some() {
                    DeadlineKind::LaterDate
                } else if self.extension.is_some() {
                    DeadlineKind::ExtendedReply
                } else {
                    DeadlineKind::Reply
                },
                due,
            });
        }
        if self.status == Status::AwaitingReasons {
            if let Some(r) = &self.reasons {
                out.push(Deadline {
                    kind: DeadlineKind::Reasons,
                    due: r.deadline,
                });
            }
        }
        if self.status == Status::Consulting {
            if let Some(c) = self.consultations.last() {
                out.push(Deadline {
                    kind: DeadlineKind::Consultation,
                    due: c.deadline,
                });
            }
        }
        if self.status == Status::AwaitingFee {
            if let Some(f) = &self.fee {
                out.push(Deadline {
                    kind: DeadlineKind::Fee,
                    due: f.deadline,
                });
            }
        }
        Ok(out)
    }

    /// Whether the reply is late: replied after, or still open past, the reply due date.
    pub fn is_late(&self, cal: &Calendar, now: DateTime<Utc>) -> Result<bool, DomainError> {
        let Some(clock) = self.reply_clock() else {
            return Ok(false);
        };
        let at = self.replied_at.unwrap_or(now);
        let status = clock.status(cal, at)?;
        Ok(status.overdue
            && matches!(
                self.status,
                Status::Replied
                    | Status::Processing
                    | Status::Consulting
                    | Status::AwaitingFee
                    | Status::AwaitingReasons
            ))
    }

    // ---- commands: each returns the event to append, or a refusal ----

    fn require(&self, allowed: &[Status]) -> Result<(), DomainError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(state_err(self.status))
        }
    }

    /// 第三十一条: the office confirms a request that came online, by fax or ordinary letter;
    /// the confirmation instant is the receipt.
    pub fn confirm_receipt(&self, now: DateTime<Utc>) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::Submitted])?;
        Ok(DisclosureEvent::Received { received_at: now })
    }

    /// 第三十条: one 补正 notice within 7 working days of receipt, listing every unclear point,
    /// with the applicant's deadline `days` working days out.
    pub fn request_supplement(
        &self,
        items: &[String],
        days: WorkingDays,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.supplement.is_some() {
            return Err(codes::Disclosure::SupplementSecond.err());
        }
        self.require(&[Status::Processing])?;
        if !self.consultations.is_empty() || self.fee.is_some() {
            return Err(state_err(self.status));
        }
        let items: Vec<String> = items
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text_line(s, 500))
            .collect::<Option<_>>()
            .ok_or_else(|| codes::Disclosure::SupplementItems.err())?;
        if items.is_empty() || items.len() > 50 {
            return Err(codes::Disclosure::SupplementItems.err());
        }
        if let Some(last) = self.supplement_notice_due(cal)? {
            if now > end_of_day(last) {
                return Err(codes::Disclosure::SupplementLate.with(format!(
                    "补正通知须在收到申请之日起7个工作日内（{last} 前）一次性发出"
                )));
            }
        }
        let deadline = cal.add_working_days(now, days, Counting::NextWorkingDay)?;
        Ok(DisclosureEvent::SupplementRequested { items, deadline })
    }

    /// The supplement arrives; the reply period starts again from today.
    pub fn supplement(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::AwaitingSupplement])?;
        if let Some(s) = &self.supplement {
            if now > end_of_day(s.deadline) {
                return Err(codes::Disclosure::State
                    .with(format!("补正期限（{}）已过，申请视为放弃", s.deadline)));
            }
        }
        let text = text_line(text, 2000).ok_or_else(|| codes::Disclosure::Description.err())?;
        Ok(DisclosureEvent::Supplemented { text })
    }

    /// No supplement by the deadline: the request is deemed withdrawn.
    pub fn lapse_supplement(&self, now: DateTime<Utc>) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::AwaitingSupplement])?;
        match &self.supplement {
            Some(s) if now > end_of_day(s.deadline) => Ok(DisclosureEvent::SupplementLapsed),
            _ => Err(codes::Disclosure::SupplementNotDue.err()),
        }
    }

    /// 第三十三条: one extension of at most 20 working days, with a reason, approved by the
    /// office head (`by_head`), before the reply period ends.
    pub fn extend(
        &self,
        days: u32,
        reason: &str,
        by_head: bool,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.extension.is_some() {
            return Err(codes::Disclosure::ExtensionSecond.err());
        }
        self.require(&[Status::Processing, Status::Consulting, Status::AwaitingFee])?;
        if !by_head {
            return Err(codes::Disclosure::ExtensionApprover.err());
        }
        if days == 0 || days > MAX_EXTENSION_DAYS {
            return Err(codes::Disclosure::ExtensionTooLong.err());
        }
        let reason =
            text_line(reason, 500).ok_or_else(|| codes::Disclosure::ExtensionReason.err())?;
        if let Some(clock) = self.reply_clock() {
            if clock.status(cal, now)?.overdue {
                return Err(codes::Disclosure::ExtensionLate.err());
            }
        }
        Ok(DisclosureEvent::Extended {
            days: wd(days),
            reason,
        })
    }

    /// 第三十二条: a written consultation; the consulted party has `days` working days.
    pub fn open_consultation(
        &self,
        kind: ConsultationKind,
        party: &str,
        matter: &str,
        days: WorkingDays,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.status == Status::Consulting {
            return Err(codes::Disclosure::ConsultationOpen.err());
        }
        self.require(&[Status::Processing])?;
        let (Some(party), Some(matter)) = (text_line(party, 200), text_line(matter, 1000)) else {
            return Err(codes::Disclosure::ConsultationParty.err());
        };
        let deadline = cal.add_working_days(now, days, Counting::NextWorkingDay)?;
        Ok(DisclosureEvent::ConsultationOpened {
            kind,
            party,
            matter,
            deadline,
        })
    }

    /// Ends the consultation with the answer, or without one once the deadline has passed.
    pub fn close_consultation(
        &self,
        answer: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::Consulting])?;
        let answer = answer.and_then(|a| text_line(a, 2000));
        if answer.is_none() {
            let lapsed = self
                .consultations
                .last()
                .is_some_and(|c| now > end_of_day(c.deadline));
            if !lapsed {
                return Err(codes::Disclosure::ConsultationDeadline.err());
            }
        }
        Ok(DisclosureEvent::ConsultationClosed { answer })
    }

    /// 国办函〔2020〕109号: one fee notice in one mode; the applicant pays within `days`.
    pub fn notice_fee(
        &self,
        basis: FeeBasis,
        days: WorkingDays,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.fee.is_some() {
            return Err(codes::Disclosure::FeeSecond.err());
        }
        self.require(&[Status::Processing])?;
        let amount_fen = basis.amount_fen();
        if amount_fen <= 0 {
            return Err(
                codes::Disclosure::FeeFree.with(format!("{}，无须发出收费通知", basis.explain()))
            );
        }
        let deadline = cal.add_working_days(now, days, Counting::NextWorkingDay)?;
        Ok(DisclosureEvent::FeeNoticed {
            basis,
            amount_fen,
            deadline,
        })
    }

    /// The fee is paid (collected apart from the decision); the clock runs again.
    pub fn pay_fee(
        &self,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::AwaitingFee])?;
        if let Some(f) = &self.fee {
            if now > end_of_day(f.deadline) {
                return Err(codes::Disclosure::State
                    .with(format!("缴费期限（{}）已过，申请视为放弃", f.deadline)));
            }
        }
        let reference = text_line(reference, 64).ok_or_else(|| codes::Case::FeeReference.err())?;
        Ok(DisclosureEvent::FeePaid { reference })
    }

    /// Unpaid by the deadline: deemed withdrawn.
    pub fn lapse_fee(&self, now: DateTime<Utc>) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::AwaitingFee])?;
        match &self.fee {
            Some(f) if now > end_of_day(f.deadline) => Ok(DisclosureEvent::FeeLapsed),
            _ => Err(codes::Disclosure::FeeNotDue.err()),
        }
    }

    /// The reply: a checked [`Reply`], while the period runs (no consultation open, no fee
    /// unpaid).
    ///
    /// 第三十五条: 不予处理 for excessive or too frequent requests only after the applicant was
    /// asked for reasons (`disclosure.excessive_without_reasons`); while the reasons are
    /// awaited, the office may still reply (the reply period keeps running).
    pub fn answer(&self, reply: Reply) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::Processing, Status::AwaitingReasons])?;
        if reply.not_processed == Some(super::reply::NotProcessedReason::Excessive)
            && self.reasons.is_none()
        {
            return Err(codes::Disclosure::ExcessiveWithoutReasons.err());
        }
        Ok(DisclosureEvent::Replied { reply })
    }

    /// 第三十五条: asks the applicant of excessive or too frequent requests for their reasons,
    /// once, with a deadline `days` working days out.
    pub fn request_reasons(
        &self,
        matter: &str,
        days: WorkingDays,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.reasons.is_some() {
            return Err(codes::Disclosure::ReasonsSecond.err());
        }
        self.require(&[Status::Processing])?;
        let matter =
            text_line(matter, 1000).ok_or_else(|| codes::Disclosure::ReasonsMatter.err())?;
        let deadline = cal.add_working_days(now, days, Counting::NextWorkingDay)?;
        Ok(DisclosureEvent::ReasonsRequested { matter, deadline })
    }

    /// The applicant's reasons, by the deadline.
    pub fn give_reasons(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::AwaitingReasons])?;
        if let Some(r) = &self.reasons {
            if now > end_of_day(r.deadline) {
                return Err(
                    codes::Disclosure::State.with(format!("说明理由的期限（{}）已过", r.deadline))
                );
            }
        }
        let text = text_line(text, 2000).ok_or_else(|| codes::Disclosure::ReasonsText.err())?;
        Ok(DisclosureEvent::ReasonsGiven { text })
    }

    /// 第三十五条: the reasons are reasonable but the reply cannot be made in time: a
    /// reasonable later date, after the current due date, set once, with a reason. The reply
    /// clock is prolonged by the working days between the two dates, so the deadline index,
    /// the lights and the explanation follow it.
    pub fn set_later_date(
        &self,
        date: NaiveDate,
        reason: &str,
        cal: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        if self.later_date.is_some() {
            return Err(codes::Disclosure::LaterDateSecond.err());
        }
        self.require(&[Status::Processing])?;
        if self.reasons.as_ref().and_then(|r| r.answered_at).is_none() {
            return Err(codes::Disclosure::LaterDateWithoutReasons.err());
        }
        let reason =
            text_line(reason, 500).ok_or_else(|| codes::Disclosure::LaterDateReason.err())?;
        let due = self
            .reply_due(cal, now)?
            .ok_or_else(|| state_err(self.status))?;
        let days = cal.working_days_between(due, date)?;
        let days = WorkingDays::new(days).map_err(|_| {
            codes::Disclosure::LaterDateInvalid.with(format!(
                "延迟答复的期限须晚于现在的答复期限（{due}），且为工作日"
            ))
        })?;
        if !cal.is_working_day(date)? {
            return Err(codes::Disclosure::LaterDateInvalid.with(format!(
                "延迟答复的期限须晚于现在的答复期限（{due}），且为工作日"
            )));
        }
        Ok(DisclosureEvent::LaterDateSet { date, days, reason })
    }

    /// Records a 行政复议 or 行政诉讼 against the reply: one of each kind, filed on a day
    /// between the reply and today.
    pub fn record_remedy(
        &self,
        kind: RemedyKind,
        filed_on: NaiveDate,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        self.require(&[Status::Replied])?;
        if self.remedies.iter().any(|r| r.kind == kind) {
            return Err(codes::Disclosure::RemedySecond.err());
        }
        let replied = self.replied_at.map(local_date);
        if replied.is_some_and(|r| filed_on < r) || filed_on > local_date(now) {
            return Err(codes::Disclosure::RemedyDate.err());
        }
        let body = text_line(body, 200).ok_or_else(|| codes::Disclosure::RemedyBody.err())?;
        Ok(DisclosureEvent::RemedyFiled {
            kind,
            filed_on,
            body,
        })
    }

    /// The outcome of a recorded 复议 or 诉讼, once, on a day between its filing and today.
    pub fn decide_remedy(
        &self,
        kind: RemedyKind,
        outcome: RemedyOutcome,
        decided_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<DisclosureEvent, DomainError> {
        let Some(r) = self.remedies.iter().find(|r| r.kind == kind) else {
            return Err(codes::Disclosure::RemedyMissing.err());
        };
        if r.outcome.is_some() {
            return Err(codes::Disclosure::RemedyDecided.err());
        }
        if decided_on < r.filed_on || decided_on > local_date(now) {
            return Err(codes::Disclosure::RemedyDate.err());
        }
        Ok(DisclosureEvent::RemedyDecided {
            kind,
            outcome,
            decided_on,
        })
    }

    /// 第三十条's window for the one 补正 notice, as a reminder to the office: once the window's
    /// 7-working-day clock is yellow by the region's warning `rules` (and before it closes), a
    /// request that may still get a notice (running, no notice, no consultation or fee yet) and
    /// was not reminded of this window gets one reminder. Not in the deadline index: the window
    /// passing is no fault (most requests need no 补正), so it must never light red.
    pub fn supplement_notice_reminder(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &crate::supervision::WarningRules,
    ) -> Result<Option<DisclosureEvent>, DomainError> {
        if self.status != Status::Processing
            || self.supplement.is_some()
            || !self.consultations.is_empty()
            || self.fee.is_some()
        {
            return Ok(None);
        }
        let (Some(received), Some(due)) = (self.received_at, self.supplement_notice_due(cal)?)
        else {
            return Ok(None);
        };
        if now > end_of_day(due)
            || self
                .reminded
                .iter()
                .any(|d| d.kind == DeadlineKind::SupplementNotice && d.due == due)
        {
            return Ok(None);
        }
        let mut clock =
            StatutoryClock::new(received, wd(SUPPLEMENT_NOTICE_DAYS), LimitKind::Statutory);
        clock.counting = Counting::NextWorkingDay;
        let x = crate::supervision::crossings(&clock, cal, now, rules)?;
        if now < x.yellow_at {
            return Ok(None);
        }
        Ok(Some(DisclosureEvent::Reminded {
            deadline: DeadlineKind::SupplementNotice,
            due,
        }))
    }

    /// The applicant withdraws an open request.
    pub fn withdraw(&self) -> Result<DisclosureEvent, DomainError> {
        if !self.status.is_open() {
            return Err(state_err(self.status));
        }
        Ok(DisclosureEvent::Withdrawn)
    }

    /// The Shanghai date a request was received, if it was.
    pub fn received_on(&self) -> Option<NaiveDate> {
        self.received_at.map(local_date)
    }
}

impl Request {
    /// The office's deadlines at `now` as watches for the shared deadline index, yellow and red
    /// by the region's warning rules, so the one sweeper reminds the office's heads before each:
    ///
    /// * `reply`: the reply period (20 working days, after the extension or 第三十五条's later
    ///   date), on the same clock as the request page (a consultation or fee notice holds it
    ///   still);
    /// * `consultation`: the consulted party's time (第三十二条's 15 working days, or the
    ///   agency setting), while the consultation is open: red means the office should close it
    ///   without an answer and go on.
    ///
    /// The applicant's own deadlines (补正, fee, reasons) are not watched: the sweep deems the
    /// request withdrawn at the first two. Nor is the 补正 notice window: its passing is no
    /// fault, so it gets a reminder instead ([`Request::supplement_notice_reminder`]). `assignee_id` is whoever is reminded besides the
    /// department's heads.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &crate::supervision::WarningRules,
        assignee_id: Option<i64>,
    ) -> Result<Vec<crate::supervision::Watch>, DomainError> {
        use crate::supervision::{crossings, light, Watch};
        let mut out = Vec::new();
        let mut watch =
            |key: &str, label: &str, clock: &StatutoryClock| -> Result<(), DomainError> {
                let status = clock.status(cal, now)?;
                let x = crossings(clock, cal, now, rules)?;
                out.push(Watch {
                    key: key.to_string(),
                    label: label.to_string(),
                    department_id: self.filing.office.department_id,
                    assignee_id,
                    yellow_at: Some(x.yellow_at),
                    red_at: x.red_at,
                    light: light(&status, now, rules),
                    suspended: status.suspended,
                });
                Ok(())
            };
        for d in self.deadlines(cal, now)? {
            match d.kind {
                DeadlineKind::Reply | DeadlineKind::ExtendedReply | DeadlineKind::LaterDate => {
                    if let Some(clock) = self.reply_clock() {
                        watch("reply", d.kind.label(), &clock)?;
                    }
                }
                DeadlineKind::Consultation => {
                    if let Some(c) = self.consultations.last() {
                        let days = cal.working_days_between(local_date(c.opened_at), c.deadline)?;
                        if let Ok(days) = WorkingDays::new(days) {
                            let mut clock =
                                StatutoryClock::new(c.opened_at, days, LimitKind::Statutory);
                            clock.counting = Counting::NextWorkingDay;
                            let label = format!("{}答复期限（{}）", c.kind.label(), days);
                            watch("consultation", &label, &clock)?;
                        }
                    }
                }
                DeadlineKind::SupplementNotice
                | DeadlineKind::Supplement
                | DeadlineKind::Fee
                | DeadlineKind::Reasons => {}
            }
        }
        Ok(out)
    }
}
