//! The closed sets and the parsed values of a ticket.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// 诉求类别: what the caller wants. Each has its own time limit ([`super::SlaTable`]).
    #[derive(PartialOrd, Ord)]
    pub enum Category {
        Consult = "consult" => "咨询",
        Help = "help" => "求助",
        Complaint = "complaint" => "投诉",
        Report = "report" => "举报",
        Suggestion = "suggestion" => "建议",
    }
}

crate::closed_set! {
    /// 受理渠道: every way a request comes in ("六位一体" plus letters and visits).
    pub enum Channel {
        Phone = "phone" => "电话",
        Web = "web" => "网站",
        App = "app" => "移动端",
        Sms = "sms" => "短信",
        Wechat = "wechat" => "微信",
        Weibo = "weibo" => "微博",
        Email = "email" => "电子邮件",
        Letter = "letter" => "信件",
        WalkIn = "walk_in" => "来访",
    }
}

crate::closed_set! {
    /// 回访结果: what the caller says when the centre calls back.
    pub enum CallbackResult {
        Satisfied = "satisfied" => "满意",
        Basic = "basic" => "基本满意",
        Unsatisfied = "unsatisfied" => "不满意",
    }
}

crate::closed_set! {
    /// Where a ticket stands. The time it entered each is kept ([`super::Ticket::entered`]).
    pub enum TicketStatus {
        /// 已受理, at the centre, not yet dispatched.
        Received = "received" => "待派单",
        /// 已派单, waiting for the unit to sign for it.
        Dispatched = "dispatched" => "待签收",
        /// 办理中, signed for by the unit.
        Handling = "handling" => "办理中",
        /// 已退单, back at the centre for arbitration or another unit.
        Returned = "returned" => "退单待处理",
        /// 已答复, waiting for the call-back.
        Replied = "replied" => "待回访",
        /// 已办结.
        Closed = "closed" => "已办结",
    }
}

impl TicketStatus {
    pub fn is_open(self) -> bool {
        self != TicketStatus::Closed
    }
}

/// A caller's telephone: a mobile or a landline with its area code, digits only (7 to 12),
/// a leading `+86` or `86` dropped. Hyphens and spaces are allowed on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallerPhone(String);

impl CallerPhone {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let s = s.strip_prefix("+86").unwrap_or(&s);
        let s = if s.len() == 13 {
            s.strip_prefix("86").unwrap_or(s)
        } else {
            s
        };
        if (7..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_string()))
        } else {
            Err(codes::Hotline::Phone.err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, which a caller gives to track a ticket.
    pub fn tail(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// `138****5678`, for pages and logs.
    pub fn masked(&self) -> String {
        crate::mask::phone(&self.0)
    }
}

impl TryFrom<String> for CallerPhone {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CallerPhone> for String {
    fn from(p: CallerPhone) -> String {
        p.0
    }
}

/// The person who asks. Anonymous callers give no name and may give no number; a 保密 caller's
/// identity is never shown to a handling unit; a 举报's reporter never is either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub name: Option<String>,
    pub phone: Option<CallerPhone>,
    pub anonymous: bool,
    /// 保密: hide the identity from every handling unit.
    pub confidential: bool,
}

impl Caller {
    /// Parses the caller's fields: an anonymous caller keeps no name; anyone else must leave
    /// a number to be told the reply and called back.
    pub fn parse(
        name: Option<&str>,
        phone: Option<&str>,
        anonymous: bool,
        confidential: bool,
    ) -> Result<Self, DomainError> {
        let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(CallerPhone::parse(p)?),
            None => None,
        };
        if !anonymous && phone.is_none() {
            return Err(codes::Hotline::Caller.err());
        }
        let name = if anonymous {
            None
        } else {
            name.map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| n.chars().take(50).collect())
        };
        Ok(Self {
            name,
            phone,
            anonymous,
            confidential,
        })
    }
}

/// A unit (a department) a ticket is dispatched to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub department_id: i64,
    pub name: String,
}

/// 效能投诉: a 投诉 aimed at a unit, optionally at a named member of its staff and a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EfficiencyTarget {
    pub department_id: i64,
    pub staff_id: Option<i64>,
    pub case_number: Option<String>,
}

/// A ticket's public number: `H` + the Shanghai date it was received + a six-digit sequence
/// of that day, e.g. `H20260317000042`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNumber(String);

impl TicketNumber {
    /// The `seq`-th ticket of `date` (1-based, at most 999 999 a day).
    pub fn new(date: NaiveDate, seq: u32) -> Self {
        Self(format!("H{}{:06}", date.format("%Y%m%d"), seq % 1_000_000))
    }

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        let digits = s.strip_prefix('H').unwrap_or("");
        let ok = digits.len() == 14
            && digits.bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(&digits[..8], "%Y%m%d").is_ok();
        if ok {
            Ok(Self(s))
        } else {
            Err(codes::Hotline::Number.err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TicketNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TicketNumber> for String {
    fn from(n: TicketNumber) -> String {
        n.0
    }
}

/// Free text of a ticket (the request, a reply, an answer): trimmed, 1 to `max` characters.
pub fn text(input: &str, max: usize, code: crate::codes::Hotline) -> Result<String, DomainError> {
    let t = input.trim();
    if t.is_empty() || t.chars().count() > max {
        Err(code.err())
    } else {
        Ok(t.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_of_callers() {
        assert_eq!(
            CallerPhone::parse("138-1234-5678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            CallerPhone::parse("+86 13812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            CallerPhone::parse("0769-22001234").unwrap().as_str(),
            "076922001234"
        );
        assert_eq!(CallerPhone::parse("13812345678").unwrap().tail(), "5678");
        assert_eq!(
            CallerPhone::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
        for bad in ["", "123", "1381234567x", "1234567890123456"] {
            assert_eq!(
                CallerPhone::parse(bad).unwrap_err().code,
                codes::Hotline::Phone,
                "{bad}"
            );
        }
    }

    #[test]
    fn anonymous_callers_keep_no_name_and_others_leave_a_number() {
        let c = Caller::parse(Some("张三"), None, true, false).unwrap();
        assert_eq!(c.name, None);
        assert_eq!(
            Caller::parse(Some("张三"), None, false, false)
                .unwrap_err()
                .code,
            codes::Hotline::Caller
        );
        let c = Caller::parse(Some(" 张三 "), Some("13812345678"), false, true).unwrap();
        assert_eq!(c.name.as_deref(), Some("张三"));
        assert!(c.confidential);
    }

    #[test]
    fn ticket_numbers() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
        let n = TicketNumber::new(d, 42);
        assert_eq!(n.as_str(), "H20260317000042");
        assert_eq!(TicketNumber::parse("h20260317000042").unwrap(), n);
        for bad in [
            "",
            "H2026",
            "X20260317000042",
            "H20261317000042",
            "H2026031700004a",
        ] {
            assert_eq!(
                TicketNumber::parse(bad).unwrap_err().code,
                codes::Hotline::Number
            );
        }
    }

    #[test]
    fn categories_and_channels_are_closed() {
        assert_eq!(Category::parse("complaint"), Some(Category::Complaint));
        assert_eq!(Category::from_label("举报"), Some(Category::Report));
        assert_eq!(Category::parse("praise"), None);
        assert_eq!(Channel::parse("wechat").map(Channel::label), Some("微信"));
        assert_eq!(CallbackResult::Unsatisfied.label(), "不满意");
    }
}
