//! 居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence, check digit.

use crate::error::ErrorCode;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::Code;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A citizen ID number whose length, characters, birth date and check digit are all valid.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号码应为18位，实际为{0}位")]
    Length(usize),
    #[error("身份证号码第{position}位“{ch}”无效：前17位须为数字，末位为数字或X")]
    Character { position: usize, ch: char },
    #[error("身份证号码中的出生日期{0}不是真实的日期")]
    BirthDate(String),
    #[error("身份证号码中的出生日期{0}晚于今天")]
    BirthFuture(String),
    #[error("身份证号码校验码错误：末位应为{expected}，实际为{actual}")]
    CheckDigit { expected: char, actual: char },
}

impl Code for IdNumberError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Length(_) => codes::Id::Length.code(),
            Self::Character { .. } => codes::Id::Character.code(),
            Self::BirthDate(_) => codes::Id::BirthDate.code(),
            Self::BirthFuture(_) => codes::Id::BirthFuture.code(),
            Self::CheckDigit { .. } => codes::Id::CheckDigit.code(),
        }
    }
}

/// The GB 11643 check character for the first 17 digits.
fn check_char(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let value = input.trim().to_ascii_uppercase();
        let chars = value.chars().count();
        if chars != 18 {
            return Err(IdNumberError::Length(chars));
        }
        let bytes = value.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let ok = b.is_ascii_digit() || (i == 17 && b == b'X');
            if !ok {
                return Err(IdNumberError::Character {
                    position: i + 1,
                    ch: char::from(b),
                });
            }
        }
        let birth = &value[6..14];
        // No one alive was born before 1900 (and GB 11643 numbers began in 1999).
        if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || &birth[..2] < "19" {
            return Err(IdNumberError::BirthDate(birth.to_string()));
        }
        let expected = check_char(&bytes[..17]);
        let actual = char::from(bytes[17]);
        if expected != actual {
            return Err(IdNumberError::CheckDigit { expected, actual });
        }
        Ok(Self(value))
    }

    /// [`IdNumber::parse`] for a number typed in on `today` (Shanghai): a real birth date is
    /// not after today. Every input path uses this; `parse` alone reads stored numbers.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let id = Self::parse(input)?;
        if id.birth_date() > today {
            return Err(IdNumberError::BirthFuture(id.0[6..14].to_string()));
        }
        Ok(id)
    }

    /// Completes 17 digits with their check digit (for generating test and demo data).
    pub fn complete(first17: &str) -> Result<Self, IdNumberError> {
        if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::Length(first17.chars().count() + 1));
        }
        Self::parse(&format!("{first17}{}", check_char(first17.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked at parse")
    }

    /// The masked form for pages and logs: `110105********002X`.
    pub fn masked(&self) -> String {
        crate::mask::keep_ends(&self.0, 6, 4)
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

/// Debug masks too, so an ID number never reaches a log line in full by accident.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "11010519491231002X";

    #[test]
    fn published_vector_is_valid() {
        let id = IdNumber::parse(VALID).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    #[test]
    fn completion_adds_the_check_digit() {
        assert_eq!(
            IdNumber::complete("11010519491231002").unwrap().as_str(),
            VALID
        );
        assert!(IdNumber::complete("1101051949123100").is_err());
    }

    #[test]
    fn lowercase_x_is_normalised() {
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_str(),
            VALID
        );
    }

    #[test]
    fn every_one_character_change_is_rejected() {
        let original: Vec<char> = VALID.chars().collect();
        for i in 0..original.len() {
            for c in "0123456789X".chars().filter(|&c| c != original[i]) {
                let mut changed = original.clone();
                changed[i] = c;
                let s: String = changed.into_iter().collect();
                assert!(IdNumber::parse(&s).is_err(), "{s} must be invalid");
            }
        }
    }

    #[test]
    fn a_birth_date_is_not_after_today_nor_before_1900() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        // The number from the report: a valid check digit, born 2099-12-31.
        let future = "110105209912311232";
        assert!(
            IdNumber::parse(future).is_ok(),
            "well-formed as stored data"
        );
        let err = IdNumber::parse_on(future, today).unwrap_err();
        assert_eq!(err, IdNumberError::BirthFuture("20991231".into()));
        assert_eq!(err.code(), codes::Id::BirthFuture);
        let tomorrow = IdNumber::complete("11010520261208002").unwrap();
        assert!(IdNumber::parse_on(tomorrow.as_str(), today).is_err());
        let today_born = IdNumber::complete("11010520261207002").unwrap();
        assert!(IdNumber::parse_on(today_born.as_str(), today).is_ok());
        let old = format!("11010518991231002{}", check_char(b"11010518991231002"));
        assert_eq!(
            IdNumber::parse(&old).unwrap_err(),
            IdNumberError::BirthDate("18991231".into())
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            IdNumber::parse("1101051949").unwrap_err(),
            IdNumberError::Length(10)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100AX").unwrap_err(),
            IdNumberError::Character {
                position: 17,
                ch: 'A'
            }
        );
        assert_eq!(
            IdNumber::parse("110105194902300021").unwrap_err(),
            IdNumberError::BirthDate("19490230".into())
        );
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::CheckDigit {
                expected: 'X',
                actual: '1'
            }
        );
        assert_eq!(err.code(), codes::Id::CheckDigit);
        assert!(err.to_string().contains("末位应为X"));
    }
}
