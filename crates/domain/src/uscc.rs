//! 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet, MOD 31 check.

use crate::error::ErrorCode;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::Code;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unified social credit code whose characters, region digits and check character are valid.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error(
        "统一社会信用代码第{position}位“{ch}”无效：只能使用数字和除I、O、Z、S、V以外的大写字母"
    )]
    Character { position: usize, ch: char },
    #[error("统一社会信用代码第3至8位应为行政区划码（数字），实际为“{0}”")]
    Region(String),
    #[error("统一社会信用代码校验码错误：末位应为{expected}，实际为{actual}")]
    CheckDigit { expected: char, actual: char },
}

impl Code for UsccError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Length(_) => codes::Uscc::Length.code(),
            Self::Character { .. } => codes::Uscc::Character.code(),
            Self::Region(_) => codes::Uscc::Region.code(),
            Self::CheckDigit { .. } => codes::Uscc::CheckDigit.code(),
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the values of the first 17 characters: weights are 3^(i-1) mod 31.
fn check_char(values: &[u32]) -> char {
    let mut weight = 1;
    let mut sum = 0;
    for v in values {
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize).expect("check < 31")
}

impl Uscc {
    /// Completes 17 characters with their check character (for generating test and demo data).
    pub fn complete(first17: &str) -> Result<Self, UsccError> {
        let values: Vec<u32> = first17.chars().filter_map(value_of).collect();
        if values.len() != 17 || first17.chars().count() != 17 {
            return Err(UsccError::Length(first17.chars().count() + 1));
        }
        Self::parse(&format!("{first17}{}", check_char(&values)))
    }

    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let value = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 {
            return Err(UsccError::Length(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, &c) in chars.iter().enumerate() {
            values[i] = value_of(c).ok_or(UsccError::Character {
                position: i + 1,
                ch: c,
            })?;
        }
        let region = &value[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsccError::Region(region.to_string()));
        }
        let expected = check_char(&values[..17]);
        if expected != chars[17] {
            return Err(UsccError::CheckDigit {
                expected,
                actual: chars[17],
            });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region code embedded in positions 3–8.
    pub fn region_digits(&self) -> &str {
        &self.0[2..8]
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(c: Uscc) -> String {
        c.0
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.0)
    }
}

/// A credit code identifies a company, not a person: it is public and shown in full.
impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "91350100M000100Y43";

    #[test]
    fn published_vector_is_valid() {
        let code = Uscc::parse(VALID).unwrap();
        assert_eq!(code.region_digits(), "350100");
        assert_eq!(Uscc::parse("91350100m000100y43").unwrap(), code);
    }

    #[test]
    fn every_one_character_change_is_rejected() {
        let original: Vec<char> = VALID.chars().collect();
        for i in 0..original.len() {
            for c in ALPHABET.chars().filter(|&c| c != original[i]) {
                let mut changed = original.clone();
                changed[i] = c;
                let s: String = changed.into_iter().collect();
                assert!(Uscc::parse(&s).is_err(), "{s} must be invalid");
            }
        }
    }

    #[test]
    fn completion_adds_the_check_character() {
        assert_eq!(Uscc::complete("91350100M000100Y4").unwrap().as_str(), VALID);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(Uscc::parse("9135").unwrap_err(), UsccError::Length(4));
        assert_eq!(
            Uscc::parse("91350100M000100I43").unwrap_err(),
            UsccError::Character {
                position: 16,
                ch: 'I'
            }
        );
        let err = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            UsccError::CheckDigit {
                expected: '3',
                actual: '4'
            }
        );
        assert_eq!(err.code(), codes::Uscc::CheckDigit);
    }
}
