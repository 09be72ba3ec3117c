//! Government-information disclosure requests (依申请公开) under 中华人民共和国政府信息公开条例
//! (国务院令第711号, 2019).
//!
//! A request is a log of [`DisclosureEvent`]s folded into a [`Request`]; every command is a
//! function of the request, the input, the shared [`Calendar`](crate::calendar::Calendar) and
//! `now` that returns the event to append or a refusal with a stable code. The reply period is
//! the shared [`StatutoryClock`](crate::calendar::StatutoryClock): consultations and the fee
//! notice are its suspensions, the one extension its extension, and the 补正 restart moves its
//! start. There is no second clock.
//!
//! The rules, article by article:
//! * 第三十一条: the receipt date per channel starts the clock (in person: the day handed in;
//!   registered post: the day signed for; online, fax, ordinary post: the day confirmed).
//! * 第三十条: one 补正 notice, within 7 working days of receipt, listing everything unclear
//!   with a deadline; the reply period runs from the day the supplement arrives; none in time
//!   means the request is deemed withdrawn.
//! * 第三十三条: reply within 20 working days; one extension of at most 20, approved by the
//!   office head, with a reason told to the applicant.
//! * 第三十二条: a third party has 15 working days to answer; the time is not counted, nor is
//!   a consultation of other agencies.
//! * 第三十六条、第三十七条: typed replies ([`reply`]).
//! * 国办函〔2020〕109号: fees in one mode ([`fee`]); the notice stops the clock until payment,
//!   unpaid by its deadline the request is deemed withdrawn.
//! * 第三十五条: excessive or too frequent requests: the applicant is asked for reasons, then
//!   不予处理 or a reasonable later date that prolongs the reply clock.
//! * Findings for supervision ([`detect`]): a late reply, a reply without legal basis, a second
//!   补正 notice.

pub mod catalog;
pub mod detect;
pub mod fee;
mod letter;
mod number;
pub mod reply;
pub mod report;
mod request;

pub use fee::{FeeBasis, FeeMode};
pub use letter::reply_letter;
pub use number::RequestNumber;
pub use reply::{
    NotProcessedReason, Reply, ReplyInput, ReplyKind, UnavailableReason, WithheldPart,
    WithholdGround,
};
pub use request::*;

#[cfg(test)]
mod tests;
