//! Case numbers: unique, readable, and carrying the region and the date of receipt:
//! `361202-20260302-000123` (region, Shanghai date, sequence of that region and day).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;
use crate::region::RegionCode;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

impl CaseNumber {
    /// The number of the `seq`-th case received in `region` on `date` (1-based).
    pub fn new(region: &RegionCode, date: NaiveDate, seq: u32) -> Result<Self, DomainError> {
        if seq == 0 || seq > 999_999 {
            return Err(codes::Case::NumberSequence.err());
        }
        Ok(Self(format!(
            "{}-{}-{seq:06}",
            region,
            date.format("%Y%m%d")
        )))
    }

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let bad = || {
            codes::Case::Number.with(format!(
                "办件编号“{s}”格式不对，应如 361202-20260302-000123"
            ))
        };
        let mut parts = s.split('-');
        let (Some(region), Some(date), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let region = RegionCode::parse(region).map_err(|_| bad())?;
        let date = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())?;
        if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let seq: u32 = seq.parse().map_err(|_| bad())?;
        Self::new(&region, date, seq).map_err(|_| bad())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region(&self) -> RegionCode {
        RegionCode::parse(self.0.split('-').next().unwrap_or_default())
            .expect("checked at construction")
    }

    pub fn date(&self) -> NaiveDate {
        let date = self.0.split('-').nth(1).unwrap_or_default();
        NaiveDate::parse_from_str(date, "%Y%m%d").expect("checked at construction")
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> String {
        n.0
    }
}

impl fmt::Debug for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseNumber({})", self.0)
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_region_and_date_and_round_trip() {
        let region = RegionCode::parse("361202001000").unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let n = CaseNumber::new(&region, date, 123).unwrap();
        assert_eq!(n.as_str(), "361202001000-20260302-000123");
        assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n);
        assert_eq!((n.region(), n.date()), (region, date));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "361202-20260302",
            "361202-20260230-000001",
            "361202-20260302-12",
            "36120X-20260302-000001",
            "361202-20260302-000000",
            "361202-20260302-000001-1",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            CaseNumber::parse("x").unwrap_err().code,
            codes::Case::Number
        );
    }
}
