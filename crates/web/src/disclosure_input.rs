//! Disclosure commands as the API and the forms send them: one body with the command's name
//! and the fields it uses, read into the application's [`DisclosureAction`].

use chrono::NaiveDate;
use serde::Deserialize;
use tongban_app::disclosure::{DisclosureAction, FeeInput};
use tongban_app::AppError;
use tongban_domain::codes;
use tongban_domain::disclosure::{
    ConsultationKind, DisclosureCommand, NotProcessedReason, RemedyKind, RemedyOutcome, ReplyInput,
    ReplyKind, UnavailableReason, WithheldPart, WithholdGround,
};
use utoipa::ToSchema;

/// A command on a request: `action` and the fields that command uses.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DisclosureActionBody {
    pub action: DisclosureCommand,
    /// The version the caller saw; a newer one answers 409 `disclosure.stale`.
    #[serde(default)]
    pub version: Option<i64>,
    /// request_supplement: every unclear point, one per entry.
    #[serde(default)]
    pub items: Vec<String>,
    /// request_supplement: the applicant's working days (default: the local setting);
    /// extend: the extra working days (at most 20).
    #[serde(default)]
    pub days: Option<u32>,
    /// supplement: the supplemented description.
    #[serde(default)]
    pub text: Option<String>,
    /// extend: why, told to the applicant.
    #[serde(default)]
    pub reason: Option<String>,
    /// consult: a third party or another agency.
    #[serde(default)]
    pub kind: Option<ConsultationKind>,
    /// consult: whom.
    #[serde(default)]
    pub party: Option<String>,
    /// consult: about what.
    #[serde(default)]
    pub matter: Option<String>,
    /// close_consultation: the answer; none once the deadline passed unanswered.
    #[serde(default)]
    pub answer: Option<String>,
    /// notice_fee: per request (the applicant's requests of the month are counted).
    #[serde(default)]
    pub per_request: bool,
    /// notice_fee: per volume, the pages provided. Never with `per_request`.
    #[serde(default)]
    pub pages: Option<u32>,
    /// pay_fee: the receipt number of the collection.
    #[serde(default)]
    pub reference: Option<String>,
    /// reply: the typed decision with its grounds.
    #[serde(default)]
    pub reply: Option<ReplyInput>,
    /// set_later_date: the reasonable later date; record_remedy: the day it was filed;
    /// decide_remedy: the day it was decided.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// record_remedy, decide_remedy: 行政复议 or 行政诉讼.
    #[serde(default)]
    pub remedy: Option<RemedyKind>,
    /// decide_remedy: 维持, 纠正 or 其他.
    #[serde(default)]
    pub outcome: Option<RemedyOutcome>,
    /// record_remedy: the 复议机关 or the court.
    #[serde(default)]
    pub body: Option<String>,
}

impl DisclosureActionBody {
    /// The application's action.
    pub fn into_action(self) -> Result<DisclosureAction, AppError> {
        let s = |v: Option<String>| v.unwrap_or_default();
        Ok(match self.action {
            DisclosureCommand::Confirm => DisclosureAction::Confirm,
            DisclosureCommand::RequestSupplement => DisclosureAction::RequestSupplement {
                items: self.items,
                days: self.days,
            },
            DisclosureCommand::Supplement => DisclosureAction::Supplement { text: s(self.text) },
            DisclosureCommand::LapseSupplement => DisclosureAction::LapseSupplement,
            DisclosureCommand::Extend => DisclosureAction::Extend {
                days: self.days.unwrap_or(0),
                reason: s(self.reason),
            },
            DisclosureCommand::Consult => DisclosureAction::Consult {
                kind: self
                    .kind
                    .ok_or_else(|| AppError::of(codes::Disclosure::ConsultationParty))?,
                party: s(self.party),
                matter: s(self.matter),
            },
            DisclosureCommand::CloseConsultation => DisclosureAction::CloseConsultation {
                answer: self.answer.filter(|a| !a.trim().is_empty()),
            },
            DisclosureCommand::NoticeFee => DisclosureAction::NoticeFee(FeeInput {
                per_request: self.per_request,
                pages: self.pages,
            }),
            DisclosureCommand::PayFee => DisclosureAction::PayFee {
                reference: s(self.reference),
            },
            DisclosureCommand::LapseFee => DisclosureAction::LapseFee,
            DisclosureCommand::Reply => DisclosureAction::Reply(self.reply.unwrap_or_default()),
            DisclosureCommand::Withdraw => DisclosureAction::Withdraw,
            DisclosureCommand::RequestReasons => DisclosureAction::RequestReasons {
                matter: s(self.matter),
                days: self.days,
            },
            DisclosureCommand::GiveReasons => DisclosureAction::GiveReasons { text: s(self.text) },
            DisclosureCommand::SetLaterDate => DisclosureAction::SetLaterDate {
                date: self
                    .date
                    .ok_or_else(|| AppError::of(codes::Disclosure::LaterDateInvalid))?,
                reason: s(self.reason),
            },
            DisclosureCommand::RecordRemedy => DisclosureAction::RecordRemedy {
                kind: self
                    .remedy
                    .ok_or_else(|| AppError::of(codes::Disclosure::RemedyKind))?,
                filed_on: self
                    .date
                    .ok_or_else(|| AppError::of(codes::Disclosure::RemedyDate))?,
                body: s(self.body),
            },
            DisclosureCommand::DecideRemedy => DisclosureAction::DecideRemedy {
                kind: self
                    .remedy
                    .ok_or_else(|| AppError::of(codes::Disclosure::RemedyKind))?,
                outcome: self
                    .outcome
                    .ok_or_else(|| AppError::of(codes::Disclosure::RemedyKind))?,
                decided_on: self
                    .date
                    .ok_or_else(|| AppError::of(codes::Disclosure::RemedyDate))?,
            },
        })
    }

    /// Reads a page's form: `items` one per line, the reply's fields flat (`reply_kind`,
    /// `withheld_part`/`withheld_ground`/`withheld_reason` repeated per part, `unavailable`,
    /// `not_processed`, `pointer`, `reply_text`).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let all = |k: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_string())
                .collect()
        };
        let bad = || AppError::of(codes::Request::Form);
        let number = |k: &str| -> Result<Option<u32>, AppError> {
            get(k)
                .map(|v| v.parse::<u32>().map_err(|_| bad()))
                .transpose()
        };
        let action = get("action")
            .and_then(|a| DisclosureCommand::parse(&a))
            .ok_or_else(bad)?;
        let reply = if action == DisclosureCommand::Reply {
            let parts = all("withheld_part");
            let grounds = all("withheld_ground");
            let reasons = all("withheld_reason");
            let mut withheld = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let ground = grounds.get(i).map(String::as_str).unwrap_or_default();
                let reason = reasons.get(i).cloned().unwrap_or_default();
                if part.is_empty() && reason.is_empty() {
                    continue;
                }
                withheld.push(WithheldPart {
                    part: part.clone(),
                    ground: WithholdGround::parse(ground).ok_or_else(bad)?,
                    reason,
                });
            }
            Some(ReplyInput {
                kind: get("reply_kind").and_then(|k| ReplyKind::parse(&k)),
                withheld,
                unavailable: get("unavailable").and_then(|k| UnavailableReason::parse(&k)),
                not_processed: get("not_processed").and_then(|k| NotProcessedReason::parse(&k)),
                pointer: get("pointer"),
                text: get("reply_text").unwrap_or_default(),
            })
        } else {
            None
        };
        Ok(DisclosureActionBody {
            action,
            version: get("version").and_then(|v| v.parse().ok()),
            items: get("items")
                .map(|t| {
                    t.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            days: number("days")?,
            text: get("text"),
            reason: get("reason"),
            kind: get("kind").and_then(|k| ConsultationKind::parse(&k)),
            party: get("party"),
            matter: get("matter"),
            answer: get("answer"),
            per_request: get("fee_mode").as_deref() == Some("per_request")
                || get("per_request").is_some(),
            pages: number("pages")?,
            reference: get("reference"),
            reply,
            date: get("date")
                .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| bad()))
                .transpose()?,
            remedy: get("remedy").and_then(|k| RemedyKind::parse(&k)),
            outcome: get("outcome").and_then(|k| RemedyOutcome::parse(&k)),
            body: get("body"),
        })
    }
}
