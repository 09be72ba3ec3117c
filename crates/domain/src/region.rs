//! Region codes (GB/T 2260 six digits; twelve-digit statistical codes below the county) and the
//! four levels of the service network: city → district/county → township/street → village/community.

use crate::error::ErrorCode;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::Code;

crate::closed_set! {
    /// The four levels of the network. Provinces are above the platform and are not modelled.
    #[derive(PartialOrd, Ord)]
    pub enum Level {
        City = "city" => "市",
        County = "county" => "县（市、区）",
        Township = "township" => "乡镇（街道）",
        Village = "village" => "村（社区）",
    }
}

impl Level {
    /// How many leading digits of a code identify a region of this level.
    fn significant(self) -> usize {
        match self {
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }
}

/// A region code whose level is known from its digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("区划代码“{0}”应为6位（市、县）或12位（乡镇、村）数字")]
    Format(String),
    #[error("区划代码“{0}”是省级代码，本系统从市级开始")]
    Province(String),
    #[error("区划代码“{0}”的县级部分无效：12位代码的前6位须是县级代码")]
    County(String),
}

impl Code for RegionCodeError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Format(_) => codes::Region::Format.code(),
            Self::Province(_) => codes::Region::Province.code(),
            Self::County(_) => codes::Region::County.code(),
        }
    }
}

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let s = input.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) || !(s.len() == 6 || s.len() == 12) {
            return Err(RegionCodeError::Format(s.to_string()));
        }
        // A twelve-digit code whose last six digits are zero is its county written long.
        let s = if s.len() == 12 && &s[6..] == "000000" {
            &s[..6]
        } else {
            s
        };
        if &s[2..6] == "0000" {
            return Err(RegionCodeError::Province(s.to_string()));
        }
        if s.len() == 12 && &s[4..6] == "00" {
            return Err(RegionCodeError::County(s.to_string()));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        match (self.0.len(), &self.0[4..6], &self.0.get(9..12)) {
            (6, "00", _) => Level::City,
            (6, _, _) => Level::County,
            (_, _, Some("000")) => Level::Township,
            _ => Level::Village,
        }
    }

    /// The region one level up; `None` for a city.
    pub fn parent(&self) -> Option<RegionCode> {
        let parent = match self.level() {
            Level::City => return None,
            Level::County => format!("{}00", &self.0[..4]),
            Level::Township => self.0[..6].to_string(),
            Level::Village => format!("{}000", &self.0[..9]),
        };
        Some(RegionCode(parent))
    }

    /// Whether `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.level() >= self.level() && other.0.starts_with(self.prefix())
    }

    /// The leading digits every region in this subtree shares (for `LIKE 'prefix%'` queries).
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().significant()]
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents_follow_the_digits() {
        let village = code("361202001003");
        assert_eq!(village.level(), Level::Village);
        let township = village.parent().unwrap();
        assert_eq!(township, code("361202001000"));
        assert_eq!(township.level(), Level::Township);
        let county = township.parent().unwrap();
        assert_eq!(county, code("361202"));
        let city = county.parent().unwrap();
        assert_eq!(city, code("361200"));
        assert_eq!(city.level(), Level::City);
        assert_eq!(city.parent(), None);
        assert_eq!(code("361202000000"), county);
    }

    #[test]
    fn subtree_containment() {
        let city = code("361200");
        assert!(city.contains(&code("361202001003")));
        assert!(city.contains(&city));
        assert!(!city.contains(&code("361300")));
        assert!(!code("361202").contains(&code("361203001000")));
        assert!(!code("361202001003").contains(&code("361202001000")));
        assert_eq!(code("361202001000").prefix(), "361202001");
    }

    #[test]
    fn bad_codes_are_refused() {
        assert_eq!(
            RegionCode::parse("3612").unwrap_err().code(),
            codes::Region::Format
        );
        assert_eq!(
            RegionCode::parse("36120A").unwrap_err().code(),
            codes::Region::Format
        );
        assert_eq!(
            RegionCode::parse("360000").unwrap_err().code(),
            codes::Region::Province
        );
        assert_eq!(
            RegionCode::parse("361200001000").unwrap_err().code(),
            codes::Region::County
        );
    }
}
