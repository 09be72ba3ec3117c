//! Request numbers: `GK` + the office's 6-digit region + the receipt day + a 4-digit sequence,
//! e.g. `GK361200202610090001`.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestNumber(String);

impl RequestNumber {
    pub fn new(region6: &str, day: NaiveDate, seq: u32) -> Result<Self, DomainError> {
        Self::parse(&format!("GK{region6}{}{seq:04}", day.format("%Y%m%d")))
    }

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let ok = s.len() == 20
            && s.starts_with("GK")
            && s.as_bytes()[2..].iter().all(u8::is_ascii_digit)
            && NaiveDate::parse_from_str(&s[8..16], "%Y%m%d").is_ok();
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(codes::Disclosure::NotFound.err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RequestNumber> for String {
    fn from(n: RequestNumber) -> String {
        n.0
    }
}

impl fmt::Display for RequestNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_refuse_junk() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        let n = RequestNumber::new("361200", d, 1).unwrap();
        assert_eq!(n.as_str(), "GK361200202610090001");
        assert_eq!(RequestNumber::parse(n.as_str()), Ok(n));
        for bad in [
            "",
            "GK3612002026100900011",
            "XX361200202610090001",
            "GK361200202613090001",
        ] {
            assert!(RequestNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
