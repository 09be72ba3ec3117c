//! Item codes. The basic code (基本编码) is shared by every level that implements an item; the
//! implementation code (实施编码) names one implementation: basic code, region, the
//! implementing agency's credit code and a handling number.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ItemType;
use crate::codes;
use crate::error::{Code, DomainError};
use crate::region::RegionCode;
use crate::uscc::Uscc;

/// `XK` + 5-digit main item + 3-digit sub-item, e.g. `XK00123001`. The letters name the type.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BasicCode(String);

impl BasicCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        let bad = || {
            codes::Catalog::BasicCode.with(format!(
                "基本编码“{}”应为类型字母2位（如 XK）加主项5位、子项3位数字，共10位",
                input.trim()
            ))
        };
        if s.len() != 10 || !s[2..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if ItemType::from_prefix(&s[..2]).is_none() {
            return Err(codes::Catalog::BasicCodeType.with(format!(
                "基本编码“{s}”的类型字母“{}”不是已知的事项类型代码",
                &s[..2]
            )));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The item type the code's letters declare.
    pub fn item_type(&self) -> ItemType {
        ItemType::from_prefix(&self.0[..2]).expect("checked at parse")
    }

    /// The main item's code (`XK00123`), shared by its sub-items.
    pub fn main_item(&self) -> &str {
        &self.0[..7]
    }
}

impl TryFrom<String> for BasicCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BasicCode> for String {
    fn from(c: BasicCode) -> String {
        c.0
    }
}

impl fmt::Debug for BasicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BasicCode({})", self.0)
    }
}

impl fmt::Display for BasicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 实施编码: basic code (10) + region code (12, a 6-digit code padded with zeros) + the
/// implementing agency's credit code (18) + handling number (2 digits) = 42 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImplementationCode {
    text: String,
}

impl ImplementationCode {
    pub fn new(
        basic: &BasicCode,
        region: &RegionCode,
        agency: &Uscc,
        handling: u8,
    ) -> Result<Self, DomainError> {
        if !(1..=99).contains(&handling) {
            return Err(codes::Catalog::HandlingNumber.err());
        }
        let region12 = format!("{:0<12}", region.as_str());
        Ok(Self {
            text: format!("{basic}{region12}{agency}{handling:02}"),
        })
    }

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        if s.len() != 42 || !s.is_ascii() {
            return Err(codes::Catalog::ImplementationCode.with(format!("实施编码应为42位（基本编码10位、区划12位、实施主体信用代码18位、办理项2位），实际为{}位", input.trim().chars().count())));
        }
        let basic = BasicCode::parse(&s[..10])?;
        let region = RegionCode::parse(&s[10..22]).map_err(|e| {
            codes::Catalog::ImplementationRegion.with(format!("实施编码中的区划部分有误：{e}"))
        })?;
        let agency = Uscc::parse(&s[22..40]).map_err(|e| {
            DomainError::new(e.code(), format!("实施编码中的实施主体代码有误：{e}"))
        })?;
        let handling: u8 = s[40..]
            .parse()
            .map_err(|_| codes::Catalog::HandlingNumber.with("实施编码末2位办理项编号应为数字"))?;
        Self::new(&basic, &region, &agency, handling)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn basic(&self) -> BasicCode {
        BasicCode(self.text[..10].to_string())
    }

    pub fn region(&self) -> RegionCode {
        RegionCode::parse(&self.text[10..22]).expect("checked at construction")
    }

    pub fn agency(&self) -> Uscc {
        Uscc::parse(&self.text[22..40]).expect("checked at construction")
    }

    pub fn handling(&self) -> u8 {
        self.text[40..].parse().expect("checked at construction")
    }
}

impl TryFrom<String> for ImplementationCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ImplementationCode> for String {
    fn from(c: ImplementationCode) -> String {
        c.text
    }
}

impl fmt::Debug for ImplementationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImplementationCode({})", self.text)
    }
}

impl fmt::Display for ImplementationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_codes() {
        let c = BasicCode::parse("xk00123001").unwrap();
        assert_eq!(c.as_str(), "XK00123001");
        assert_eq!(c.item_type(), ItemType::Licensing);
        assert_eq!(c.main_item(), "XK00123");
        assert_eq!(
            BasicCode::parse("XK0012300").unwrap_err().code,
            codes::Catalog::BasicCode
        );
        assert_eq!(
            BasicCode::parse("ZZ00123001").unwrap_err().code,
            codes::Catalog::BasicCodeType
        );
    }

    #[test]
    fn implementation_codes_round_trip_and_pad_the_region() {
        let basic = BasicCode::parse("XK00123001").unwrap();
        let region = RegionCode::parse("361200").unwrap();
        let agency = Uscc::parse("91350100M000100Y43").unwrap();
        let code = ImplementationCode::new(&basic, &region, &agency, 1).unwrap();
        assert_eq!(code.as_str(), "XK0012300136120000000091350100M000100Y4301");
        let parsed = ImplementationCode::parse(code.as_str()).unwrap();
        assert_eq!(parsed, code);
        assert_eq!(
            (parsed.basic(), parsed.region(), parsed.handling()),
            (basic, region, 1)
        );
        let mut bad = code.as_str().to_string();
        bad.replace_range(39..40, "4");
        assert_eq!(
            ImplementationCode::parse(&bad).unwrap_err().code,
            codes::Uscc::CheckDigit
        );
    }
}
