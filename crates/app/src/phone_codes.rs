//! Signing in with a phone number and an SMS code, and setting a new password with one.
//!
//! A code is six random digits, sent through the outbox (and so through the configured SMS
//! gateway, like every other message), kept only as a hash, valid for `sms_code.valid_minutes`,
//! used once, and dead after `sms_code.max_tries` wrong tries. A phone gets at most one code
//! every `sms_code.resend_seconds` and `sms_code.per_hour` an hour, and every request counts
//! against the address like a failed sign-in. The answer to "send me a code" is the same
//! whether or not an account has the phone: it must not tell who is registered.

use chrono::Duration;
use rand::Rng;
use sha2::{Digest, Sha256};
use tongban_domain::account::Phone;
use tongban_domain::codes;
use tongban_store::sign_in_codes::NewCode;

use crate::accounts::{actor_of, NewSession};
use crate::error::{AppError, Result};
use crate::{password, App};

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    SignIn,
    Reset,
}

impl CodePurpose {
    fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignIn => "sign_in",
            CodePurpose::Reset => "reset",
        }
    }
}

/// A code that was asked for: the ticket the browser keeps, and the masked phone to show.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub ticket: String,
    pub phone_masked: String,
}

fn code_hash(ticket: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{ticket}:{code}").as_bytes()))
}

fn random_ticket() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill(&mut bytes);
    hex::encode(bytes)
}

impl App {
    /// Sends a code to `phone` for `purpose` (when exactly one account has the phone).
    pub async fn send_phone_code(
        &self,
        phone: &str,
        purpose: CodePurpose,
        client: &str,
    ) -> Result<CodeSent> {
        let key = format!("code:{client}");
        self.check_address_key(&key, codes::Auth::Throttled)?;
        let phone = Phone::parse(phone)?;
        let rules = self.settings().sms_code;
        let now = self.now();
        let (in_hour, last) = self
            .store
            .codes_since(phone.as_str(), now - Duration::hours(1))
            .await?;
        if last.is_some_and(|t| now - t < rules.resend) {
            return Err(AppError::of(codes::Auth::CodeTooSoon));
        }
        if in_hour >= rules.per_hour {
            return Err(AppError::of(codes::Auth::CodeThrottled));
        }
        self.count_failure(&key);
        let ids = self.store.user_ids_by_phone(phone.as_str()).await?;
        let user = match ids.as_slice() {
            [id] => self.store.user(*id).await?,
            _ => None,
        };
        let ticket = random_ticket();
        let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
        let minutes = rules.valid.num_minutes();
        let (what, action) = match purpose {
            CodePurpose::SignIn => ("登录", "登录验证码"),
            CodePurpose::Reset => ("重设密码", "重设密码验证码"),
        };
        let body = format!(
            "【清江市政务服务】您的{what}验证码为{code}，{minutes}分钟内有效，仅可使用一次。如非本人操作，请忽略本短信，切勿告诉他人。"
        );
        let audit = user.as_ref().map(|u| {
            self.system_entry(
                "account.code_sent",
                format!("user:{}", u.id),
                format!(
                    "发送{action}至{}",
                    tongban_domain::mask::phone(phone.as_str())
                ),
            )
            .in_region_str(u.region_code.as_deref())
        });
        self.store
            .create_code(
                &NewCode {
                    ticket: ticket.clone(),
                    user_id: user.as_ref().map(|u| u.id),
                    phone: phone.as_str().to_string(),
                    purpose: purpose.as_str().to_string(),
                    code_hash: code_hash(&ticket, &code),
                    created_at: now,
                    expires_at: now + rules.valid,
                },
                user.is_some().then_some(body.as_str()),
                now - Duration::days(1),
                audit,
            )
            .await?;
        Ok(CodeSent {
            ticket,
            phone_masked: tongban_domain::mask::phone(phone.as_str()),
        })
    }

    /// The masked phone a ticket's code went to, while the ticket can still be used.
    pub async fn code_phone(&self, ticket: &str, purpose: CodePurpose) -> Result<Option<String>> {
        Ok(self
            .store
            .code(ticket)
            .await?
            .filter(|c| c.purpose == purpose.as_str() && !c.used && c.expires_at > self.now())
            .map(|c| tongban_domain::mask::phone(&c.phone)))
    }

    /// Checks a typed code against its ticket; answers the account it signs in as.
    async fn check_code(&self, ticket: &str, code: &str, purpose: CodePurpose) -> Result<i64> {
        let rules = self.settings().sms_code;
        let now = self.now();
        let Some(row) = self.store.code(ticket).await? else {
            return Err(AppError::of(codes::Auth::CodeExpired));
        };
        if row.purpose != purpose.as_str()
            || row.used
            || row.expires_at <= now
            || row.attempts >= rules.max_tries
        {
            return Err(AppError::of(codes::Auth::CodeExpired));
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let right = code_hash(ticket, &code) == row.code_hash;
        match (right, row.user_id) {
            (true, Some(id)) => Ok(id),
            _ => {
                self.store.code_failed(ticket).await?;
                Err(AppError::of(codes::Auth::CodeWrong))
            }
        }
    }

    /// Signs in with a code sent by [`App::send_phone_code`] for signing in.
    pub async fn sign_in_with_code(
        &self,
        ticket: &str,
        code: &str,
        client: &str,
    ) -> Result<NewSession> {
        self.check_address_key(client, codes::Auth::Throttled)?;
        let user_id = match self.check_code(ticket, code, CodePurpose::SignIn).await {
            Ok(id) => id,
            Err(e) => {
                self.count_failure(client);
                return Err(e);
            }
        };
        if !self.store.use_code(ticket, self.now()).await? {
            return Err(AppError::of(codes::Auth::CodeExpired));
        }
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Auth::CodeExpired))?;
        self.open_session(user, "短信验证码登录").await
    }

    /// Sets a new password with a code sent for resetting; every session of the account ends.
    pub async fn reset_password_with_code(
        &self,
        ticket: &str,
        code: &str,
        new_password: &str,
        client: &str,
    ) -> Result<String> {
        self.check_address_key(client, codes::Auth::Throttled)?;
        let user_id = match self.check_code(ticket, code, CodePurpose::Reset).await {
            Ok(id) => id,
            Err(e) => {
                self.count_failure(client);
                return Err(e);
            }
        };
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Auth::CodeExpired))?;
        self.check_password(new_password, &user.login)?;
        let hash = password::hash(new_password).await?;
        let entry = self
            .entry(
                &actor_of(&user),
                "account.password_reset",
                format!("user:{}", user.id),
                "凭短信验证码重设密码".into(),
            )
            .in_region_str(user.region_code.as_deref());
        if !self
            .store
            .reset_password_with_code(ticket, user.id, &hash, self.now(), entry)
            .await?
        {
            return Err(AppError::of(codes::Auth::CodeExpired));
        }
        self.sessions.forget_user(user.id);
        Ok(user.login)
    }
}
