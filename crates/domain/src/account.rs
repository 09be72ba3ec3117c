//! Accounts: sign-in names, contact details, the password strength rule and lockout.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

/// A sign-in name: 3–32 characters of ASCII letters, digits, `_`, `-`, `.` and `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_lowercase();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c));
        if !(3..=32).contains(&s.len()) || !ok_chars {
            return Err(codes::Account::LoginName.err());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as written on their documents: 1–30 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let len = s.chars().count();
        if len == 0 || len > 30 || s.chars().any(char::is_control) {
            return Err(codes::Account::Name.err());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland mobile number: 11 digits beginning 13–19.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let b = s.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !ok {
            return Err(codes::Account::Phone.err());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address in the plain `local@domain.tld` form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_lowercase();
        let ok = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.contains(char::is_whitespace)
                    && s.len() <= 254
            }
            None => false,
        };
        if !ok {
            return Err(codes::Account::Email.err());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The password strength rule: at least `min_len` characters, at least three of the four
/// classes (lower case, upper case, digits, symbols), and not containing the sign-in name.
pub fn check_password_strength(
    password: &str,
    login: &str,
    min_len: usize,
) -> Result<(), DomainError> {
    let len = password.chars().count();
    if len < min_len || len > 128 {
        return Err(codes::Account::PasswordLength.with(format!("密码长度应为{min_len}至128位")));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&c| c).count() < 3 {
        return Err(codes::Account::PasswordWeak.err());
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return Err(codes::Account::PasswordLogin.err());
    }
    if is_common_password(password) {
        return Err(codes::Account::PasswordCommon.err());
    }
    Ok(())
}

/// The 10,000 most common passwords, most common first, lowercased: the first 10,000 lines of
/// the list Django ships as `django/contrib/auth/common-passwords.txt.gz` (Django 5.2.8, BSD
/// licence), which is Royce Williams' list of the 20,000 most common passwords in breach corpora.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Whether a password is on the common list, compared without case.
pub fn is_common_password(password: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let set = SET.get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).collect());
    set.contains(password.trim().to_lowercase().as_str())
}

#[cfg(test)]
mod common_password_tests {
    use super::*;

    #[test]
    fn the_shipped_list_has_ten_thousand_and_refuses_them_beside_the_classes_rule() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        assert!(is_common_password("password") && is_common_password("PassWord1"));
        assert!(!is_common_password("Qingjiang#88"));
        // "Password1!" has three classes and the length: only the list refuses it.
        assert!(is_common_password("password1!") || is_common_password("p@ssw0rd"));
        let refused = check_password_strength("P@ssw0rd", "zhangsan", 8).unwrap_err();
        assert_eq!(refused.code, codes::Account::PasswordCommon);
        assert!(check_password_strength("Qingjiang#88", "zhangsan", 8).is_ok());
    }
}

/// Throttling of sign-in: after `max_failures` consecutive failures the account is locked for
/// `lock_for`; an administrator may unlock it earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

/// The sign-in state of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginState {
    pub failed: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginState {
    /// Refuses a sign-in attempt while the account is locked.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.locked_until {
            Some(until) if until > now => Err(codes::Account::Locked.with(format!(
                "连续登录失败次数过多，账号已锁定至{}，可稍后再试或联系管理员解锁",
                crate::time::format_local(until)
            ))),
            _ => Ok(()),
        }
    }

    /// The state after a failed attempt: the count rises and, at the limit, the lock begins.
    pub fn after_failure(self, policy: LockoutPolicy, now: DateTime<Utc>) -> LoginState {
        // A lock that has run out starts a fresh count.
        let failed = if self.locked_until.is_some_and(|u| u <= now) {
            1
        } else {
            self.failed + 1
        };
        if failed >= policy.max_failures {
            LoginState {
                failed,
                locked_until: Some(now + policy.lock_for),
            }
        } else {
            LoginState {
                failed,
                locked_until: None,
            }
        }
    }

    pub fn after_success() -> LoginState {
        LoginState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn contact_details_are_parsed() {
        assert!(Phone::parse("138 1234 5678").is_ok());
        assert_eq!(
            Phone::parse("12812345678").unwrap_err().code,
            codes::Account::Phone
        );
        assert!(Email::parse("Li.Si@example.cn").is_ok());
        assert!(Email::parse("li.si@example").is_err());
        assert!(PersonName::parse("  ").is_err());
        assert!(LoginName::parse("ab").is_err());
        assert_eq!(LoginName::parse("ZhangSan").unwrap().as_str(), "zhangsan");
    }

    #[test]
    fn password_strength_rule() {
        assert!(check_password_strength("Tongban#2026", "zhangsan", 8).is_ok());
        assert_eq!(
            check_password_strength("Ab1!", "x", 8).unwrap_err().code,
            codes::Account::PasswordLength
        );
        assert_eq!(
            check_password_strength("abcdefgh12", "x", 8)
                .unwrap_err()
                .code,
            codes::Account::PasswordWeak
        );
        assert_eq!(
            check_password_strength("Zhangsan#2026", "zhangsan", 8)
                .unwrap_err()
                .code,
            codes::Account::PasswordLogin
        );
    }

    #[test]
    fn lockout_after_repeated_failures_and_release_by_time() {
        let policy = LockoutPolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let mut state = LoginState::default();
        for _ in 0..4 {
            state = state.after_failure(policy, t0);
            assert!(state.check(t0).is_ok());
        }
        state = state.after_failure(policy, t0);
        assert_eq!(state.check(t0).unwrap_err().code, codes::Account::Locked);
        assert_eq!(
            state.check(t0 + Duration::minutes(14)).unwrap_err().code,
            codes::Account::Locked
        );
        let later = t0 + Duration::minutes(15);
        assert!(state.check(later).is_ok());
        // After the lock runs out one more failure does not lock again at once.
        let state = state.after_failure(policy, later);
        assert_eq!(state.failed, 1);
        assert!(state.check(later).is_ok());
    }
}
