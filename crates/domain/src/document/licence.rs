//! The e-licence register (电子证照库, GB/T 36901-2018): every permit decided becomes a licence
//! with its holder, fields and period of validity. Its status changes only by a recorded act
//! (注销, 吊销) or by the passing of its last valid day (过期), and a licence in force can be
//! offered in place of an upload (免提交).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    /// 有效
    Valid,
    /// 注销: the holder gave it up or the agency withdrew it lawfully.
    Cancelled,
    /// 吊销: taken away as a penalty.
    Revoked,
    /// 过期: past its last valid day.
    Expired,
}

impl LicenceStatus {
    pub const ALL: [LicenceStatus; 4] = [
        LicenceStatus::Valid,
        LicenceStatus::Cancelled,
        LicenceStatus::Revoked,
        LicenceStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "valid",
            LicenceStatus::Cancelled => "cancelled",
            LicenceStatus::Revoked => "revoked",
            LicenceStatus::Expired => "expired",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "有效",
            LicenceStatus::Cancelled => "注销",
            LicenceStatus::Revoked => "吊销",
            LicenceStatus::Expired => "过期",
        }
    }

    pub fn parse(s: &str) -> Option<LicenceStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A recorded act on a licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum LicenceAct {
    Cancel {
        reason: String,
    },
    Revoke {
        reason: String,
    },
    /// The sweep's act on the day after the last valid day.
    Expire,
}

impl LicenceAct {
    pub fn as_str(&self) -> &'static str {
        match self {
            LicenceAct::Cancel { .. } => "cancel",
            LicenceAct::Revoke { .. } => "revoke",
            LicenceAct::Expire => "expire",
        }
    }
}

/// The status a licence moves to by `act` on `today`, or why it cannot.
pub fn apply(
    status: LicenceStatus,
    valid_to: NaiveDate,
    act: &LicenceAct,
    today: NaiveDate,
) -> Result<LicenceStatus, DomainError> {
    if status != LicenceStatus::Valid {
        return Err(DomainError::new(
            crate::codes::Licence::NotValid,
            format!("证照已{}，不能再变更", status.label_zh()),
        ));
    }
    match act {
        LicenceAct::Cancel { reason } | LicenceAct::Revoke { reason }
            if reason.trim().is_empty() =>
        {
            Err(DomainError::new(
                crate::codes::Licence::ReasonRequired,
                "注销或吊销证照必须写明理由",
            ))
        }
        LicenceAct::Cancel { .. } => Ok(LicenceStatus::Cancelled),
        LicenceAct::Revoke { .. } => Ok(LicenceStatus::Revoked),
        LicenceAct::Expire if today <= valid_to => Err(DomainError::new(
            crate::codes::Licence::NotExpired,
            "证照尚在有效期内",
        )),
        LicenceAct::Expire => Ok(LicenceStatus::Expired),
    }
}

/// Whether a licence may be offered instead of an upload on `today`: in force and within its
/// period.
pub fn usable(
    status: LicenceStatus,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    today: NaiveDate,
) -> bool {
    status == LicenceStatus::Valid && valid_from <= today && today <= valid_to
}

/// The day a reminder of the coming expiry is due: `days_before` calendar days ahead.
pub fn reminder_day(valid_to: NaiveDate, days_before: u32) -> NaiveDate {
    valid_to - chrono::Days::new(u64::from(days_before))
}

/// A licence's type, named as the item's result names it (《食品经营许可证》 → 食品经营许可证).
pub fn type_name(result_name: &str) -> String {
    result_name
        .trim()
        .trim_start_matches('《')
        .trim_end_matches('》')
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn only_a_valid_licence_changes_and_only_with_a_reason() {
        let to = d("2031-11-20");
        let today = d("2026-11-21");
        let cancel = LicenceAct::Cancel {
            reason: "歇业".into(),
        };
        assert_eq!(
            apply(LicenceStatus::Valid, to, &cancel, today),
            Ok(LicenceStatus::Cancelled)
        );
        let no_reason = LicenceAct::Revoke { reason: " ".into() };
        assert_eq!(
            apply(LicenceStatus::Valid, to, &no_reason, today).map_err(|e| e.code),
            Err(crate::codes::Licence::ReasonRequired.code())
        );
        assert_eq!(
            apply(LicenceStatus::Revoked, to, &cancel, today).map_err(|e| e.code),
            Err(crate::codes::Licence::NotValid.code())
        );
    }

    #[test]
    fn a_licence_expires_only_after_its_last_day() {
        let to = d("2026-11-21");
        assert!(apply(
            LicenceStatus::Valid,
            to,
            &LicenceAct::Expire,
            d("2026-11-21")
        )
        .is_err());
        assert_eq!(
            apply(
                LicenceStatus::Valid,
                to,
                &LicenceAct::Expire,
                d("2026-11-22")
            ),
            Ok(LicenceStatus::Expired)
        );
        assert!(usable(
            LicenceStatus::Valid,
            d("2026-01-01"),
            to,
            d("2026-11-21")
        ));
        assert!(!usable(
            LicenceStatus::Valid,
            d("2026-01-01"),
            to,
            d("2026-11-22")
        ));
        assert!(!usable(
            LicenceStatus::Cancelled,
            d("2026-01-01"),
            to,
            d("2026-06-01")
        ));
        assert_eq!(reminder_day(to, 30), d("2026-10-22"));
    }

    #[test]
    fn type_names_lose_their_brackets() {
        assert_eq!(type_name("《食品经营许可证》"), "食品经营许可证");
        assert_eq!(type_name("营业执照"), "营业执照");
    }
}
