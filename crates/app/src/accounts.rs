//! Signing in and out, sessions, registration, passwords and lockout.

use chrono::Duration;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_domain::account::{
    check_password_strength, Email, LoginName, LoginState, PersonName, Phone,
};
use tongban_domain::codes;
use tongban_domain::identity::IdNumber;
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_domain::time::local_date;
use tongban_domain::uscc::Uscc;
use tongban_store::users::{NewUser, User};

use crate::error::{invalid, AppError, Result};
use crate::{password, App};

/// A signed-in person, as every request after sign-in sees them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub user: User,
    /// The session's anti-forgery token; every state-changing request must carry it.
    pub csrf: String,
}

/// A fresh session: the cookie value (shown once, stored only as a hash) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Person,
    Company,
}

/// What a person types to register.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Registration {
    pub kind: ApplicantKind,
    pub login: String,
    pub password: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Person: optional 居民身份证号码.
    #[serde(default)]
    pub id_number: String,
    /// Company: required 统一社会信用代码.
    #[serde(default)]
    pub uscc: String,
}

/// A staff account an administrator creates.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewStaff {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub region_code: String,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub password: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Sessions are stored by the hash of their token, so a copy of the database signs no one in.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn bad_credentials() -> AppError {
    AppError::of(codes::Auth::BadCredentials)
}

/// The actor a stored account acts as.
pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        name: user.name.clone(),
        role: user.role,
        department_id: user.department_id,
        region: user
            .region_code
            .as_deref()
            .and_then(|c| RegionCode::parse(c).ok()),
    }
}

fn optional(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

impl App {
    /// The password rule: length, three classes, not the login, not one of the 10,000 most
    /// common, and not the demo password unless this server runs the demo.
    pub(crate) fn check_password(&self, password: &str, login: &str) -> Result<()> {
        check_password_strength(password, login, self.settings().password_min_length)?;
        if !self.demo_mode() && password.trim() == crate::demo::DEMO_PASSWORD {
            return Err(AppError::of(codes::Account::PasswordCommon));
        }
        Ok(())
    }

    /// Refuses sign-in from an address that failed too often in the last 15 minutes. Only
    /// failures count: a hall's clerks share one address and all sign in at nine.
    fn check_address(&self, client: &str) -> Result<()> {
        self.check_address_key(client, codes::Auth::Throttled)
    }

    /// Refuses with `code` when the failures counted under `key` reached the limit.
    pub(crate) fn check_address_key(
        &self,
        key: &str,
        code: impl Into<tongban_domain::error::ErrorCode>,
    ) -> Result<()> {
        let now = self.now();
        let limit = self.settings().ip_attempts_per_15min;
        let mut map = self.attempts.lock().map_err(AppError::internal)?;
        map.retain(|_, (start, _)| now - *start < Duration::minutes(15));
        if map.get(key).is_some_and(|(_, n)| *n >= limit) {
            return Err(AppError::of(code));
        }
        Ok(())
    }

    pub(crate) fn count_failure(&self, client: &str) {
        let now = self.now();
        if let Ok(mut map) = self.attempts.lock() {
            map.entry(client.to_string()).or_insert((now, 0)).1 += 1;
        }
    }

    /// Signs a person in. Repeated failures lock the account for a while.
    pub async fn sign_in(&self, login: &str, pass: &str, client: &str) -> Result<NewSession> {
        self.check_address(client)?;
        let now = self.now();
        let login = login.trim().to_ascii_lowercase();
        let Some(user) = self.store.user_by_login(&login).await? else {
            password::verify(pass, password::DECOY).await;
            self.count_failure(client);
            return Err(bad_credentials());
        };
        let state = LoginState {
            failed: u32::try_from(user.failed_logins).unwrap_or(u32::MAX),
            locked_until: user.locked_until(),
        };
        // A locked account answers as an unknown one or a wrong password would, after the same
        // work: the answer must not tell whether an account exists.
        if state.check(now).is_err() {
            password::verify(pass, password::DECOY).await;
            self.count_failure(client);
            return Err(bad_credentials());
        }
        if !password::verify(pass, &user.password_hash).await {
            self.count_failure(client);
            let policy = self.settings().lockout;
            let next = state.after_failure(policy, now);
            let audit = next
                .locked_until
                .filter(|_| next.check(now).is_err())
                .map(|until| {
                    self.system_entry(
                        "account.lock",
                        format!("user:{}", user.id),
                        format!(
                            "连续{}次登录失败，锁定至{}",
                            next.failed,
                            tongban_domain::time::format_local(until)
                        ),
                    )
                    .in_region_str(user.region_code.as_deref())
                });
            self.store
                .set_login_state(user.id, next.failed, next.locked_until, audit)
                .await?;
            self.sessions.forget_user(user.id);
            return Err(bad_credentials());
        }
        self.open_session(user, "登录").await
    }

    /// Opens a session for an account whose sign-in was checked (password or SMS code).
    pub(crate) async fn open_session(&self, user: User, summary: &str) -> Result<NewSession> {
        let now = self.now();
        let token = random_hex();
        let csrf = random_hex();
        let entry = self.entry(
            &actor_of(&user),
            "session.sign_in",
            format!("user:{}", user.id),
            summary.into(),
        );
        self.store
            .create_session(&token_hash(&token), user.id, &csrf, now, entry)
            .await?;
        // The account's failure count was reset: its other sessions' rows are stale.
        self.sessions.forget_user(user.id);
        Ok(NewSession { token, csrf, user })
    }

    /// The person behind a session cookie, if the session is still alive. Idle and absolute
    /// timeouts end it.
    pub async fn authenticate(&self, token: &str) -> Result<Option<SignedIn>> {
        let hash = token_hash(token);
        let now = self.now();
        let s = self.settings();
        // Served from memory for `session.cache_seconds` (see `crate::sessions`); the limits
        // below are judged on every request either way.
        let cached = self.sessions.get(&hash, now, s.session_cache);
        let session = match cached {
            Some(row) => row,
            None => {
                let generation = self.sessions.generation();
                let Some(row) = self.store.session(&hash).await? else {
                    return Ok(None);
                };
                if s.session_cache > Duration::zero() {
                    self.sessions
                        .put(hash.clone(), row.clone(), now, s.session_cache, generation);
                }
                row
            }
        };
        if now - session.created_at > s.session_absolute
            || now - session.last_seen_at > s.session_idle
        {
            self.sessions.forget(&hash);
            self.store.delete_session(&hash, None).await?;
            return Ok(None);
        }
        // Refresh the idle clock at most once a minute to spare the writer.
        if now - session.last_seen_at > Duration::minutes(1) {
            self.store.touch_session(&hash, now).await?;
            self.sessions.touched(&hash, now);
        }
        Ok(Some(SignedIn {
            actor: actor_of(&session.user),
            user: session.user,
            csrf: session.csrf,
        }))
    }

    /// The person behind a live stream (the supervision board's), read again on every poll
    /// with the account as it is now: `None` once the session is signed out or removed (a
    /// password change). The session's idle and absolute limits are judged by
    /// [`App::authenticate`] when the stream connects and each time the browser reconnects,
    /// which a stream makes it do at least every few minutes.
    pub async fn streaming_session(&self, token: &str) -> Result<Option<SignedIn>> {
        let Some(session) = self.store.session(&token_hash(token)).await? else {
            return Ok(None);
        };
        Ok(Some(SignedIn {
            actor: actor_of(&session.user),
            user: session.user,
            csrf: session.csrf,
        }))
    }

    pub async fn sign_out(&self, token: &str, who: &SignedIn) -> Result<()> {
        let entry = self.entry(
            &who.actor,
            "session.sign_out",
            format!("user:{}", who.user.id),
            "退出登录".into(),
        );
        let hash = token_hash(token);
        self.store.delete_session(&hash, Some(entry)).await?;
        self.sessions.forget(&hash);
        Ok(())
    }

    /// Changes one's own password. Every session of the account ends, this one included.
    pub async fn change_password(&self, who: &SignedIn, old: &str, new: &str) -> Result<()> {
        if !password::verify(old, &who.user.password_hash).await {
            return Err(AppError::of(codes::Account::OldPassword));
        }
        if old == new {
            return Err(AppError::of(codes::Account::PasswordSame));
        }
        self.check_password(new, &who.user.login)?;
        let hash = password::hash(new).await?;
        let entry = self.entry(
            &who.actor,
            "account.password",
            format!("user:{}", who.user.id),
            "修改密码".into(),
        );
        self.store.set_password(who.user.id, &hash, entry).await?;
        self.sessions.forget_user(who.user.id);
        Ok(())
    }

    /// Registers an applicant: a person (name, phone or email, optional ID number) or a
    /// company (name, unified social credit code, a contact).
    ///
    /// An ID number or credit code that already has an account answers exactly as a new
    /// registration does (`Ok(None)`, nothing created, the attempt audited), so registration
    /// does not tell whether a person has an account. Every refused attempt counts against the
    /// address; past `login.ip_attempts_per_15min` in 15 minutes it must wait.
    pub async fn register(&self, reg: &Registration, client: &str) -> Result<Option<i64>> {
        let key = format!("register:{client}");
        self.check_address_key(&key, codes::Account::RegisterThrottled)?;
        let out = self.register_inner(reg).await;
        if !matches!(out, Ok(Some(_))) {
            self.count_failure(&key);
        }
        out
    }

    async fn register_inner(&self, reg: &Registration) -> Result<Option<i64>> {
        let login = LoginName::parse(&reg.login)?;
        let name = PersonName::parse(&reg.name)?;
        let phone = optional(&reg.phone).map(Phone::parse).transpose()?;
        let email = optional(&reg.email).map(Email::parse).transpose()?;
        if phone.is_none() && email.is_none() {
            return Err(AppError::of(codes::Account::Contact));
        }
        let (id_number, uscc) = match reg.kind {
            ApplicantKind::Person => {
                let today = local_date(self.now());
                let id = optional(&reg.id_number)
                    .map(|n| IdNumber::parse_on(n, today))
                    .transpose()
                    .map_err(invalid)?;
                (id, None)
            }
            ApplicantKind::Company => {
                let code =
                    optional(&reg.uscc).ok_or_else(|| AppError::of(codes::Uscc::Required))?;
                (None, Some(Uscc::parse(code).map_err(invalid)?))
            }
        };
        self.check_password(&reg.password, login.as_str())?;
        if self.store.user_by_login(login.as_str()).await?.is_some() {
            return Err(AppError::of(codes::Account::LoginTaken));
        }
        let new = NewUser {
            login: login.as_str().to_string(),
            password_hash: password::hash(&reg.password).await?,
            name: name.as_str().to_string(),
            role: Some(Role::Applicant),
            applicant_kind: Some(match reg.kind {
                ApplicantKind::Person => "person".into(),
                ApplicantKind::Company => "company".into(),
            }),
            id_number: id_number.as_ref().map(|i| i.as_str().to_string()),
            uscc: uscc.as_ref().map(|u| u.as_str().to_string()),
            phone: phone.map(|p| p.as_str().to_string()),
            email: email.map(|e| e.as_str().to_string()),
            ..NewUser::default()
        };
        let summary = match (&id_number, &uscc) {
            (Some(id), _) => format!(
                "个人注册 {}（{}）",
                tongban_domain::mask::name(name.as_str()),
                id.masked()
            ),
            (_, Some(code)) => format!("法人注册 {}（{}）", name.as_str(), code),
            _ => format!("个人注册 {}", tongban_domain::mask::name(name.as_str())),
        };
        let entry = self.system_entry("account.register", String::new(), summary.clone());
        match self.store.create_user(&new, self.now(), entry).await {
            Ok(id) => Ok(Some(id)),
            Err(tongban_store::StoreError::Conflict(c))
                if c.contains("id_number") || c.contains("uscc") =>
            {
                self.store
                    .record_event(self.system_entry(
                        "account.register_duplicate",
                        String::new(),
                        format!("{summary}：证件已有账号，未创建"),
                    ))
                    .await?;
                Ok(None)
            }
            Err(tongban_store::StoreError::Conflict(_)) => {
                Err(AppError::of(codes::Account::LoginTaken))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Creates a staff account inside the administrator's region and, for departmental roles,
    /// in a department of that region.
    pub async fn create_staff(&self, actor: &Actor, new: &NewStaff) -> Result<i64> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let login = LoginName::parse(&new.login)?;
        let name = PersonName::parse(&new.name)?;
        let region = RegionCode::parse(&new.region_code).map_err(invalid)?;
        if !new.role.is_staff() {
            return Err(AppError::new(
                codes::Staff::Role,
                "工作人员的角色不能是申请人",
            ));
        }
        if !actor.sees_region(&region) || self.store.region(&region).await?.is_none() {
            return Err(AppError::of(codes::Staff::Region));
        }
        if let Some(dept_id) = new.department_id {
            let dept = self
                .store
                .department(dept_id)
                .await?
                .ok_or_else(|| AppError::not_found("部门"))?;
            if !actor.sees_region(&dept.region_code) {
                return Err(AppError::forbidden());
            }
        } else if new.role.is_departmental() {
            return Err(AppError::of(codes::Staff::Department));
        }
        self.check_password(&new.password, login.as_str())?;
        let user = NewUser {
            login: login.as_str().into(),
            password_hash: password::hash(&new.password).await?,
            name: name.as_str().into(),
            role: Some(new.role),
            department_id: new.department_id,
            region_code: Some(region.clone()),
            hall_id: new.hall_id,
            ..NewUser::default()
        };
        let entry = self
            .entry(
                actor,
                "staff.create",
                String::new(),
                format!("新建{}账号 {}", new.role.label(), name.as_str()),
            )
            .in_region(&region);
        Ok(self.store.create_user(&user, self.now(), entry).await?)
    }

    /// A staff account the actor may administer (in the actor's region), or an applicant.
    async fn administered(&self, actor: &Actor, user_id: i64) -> Result<User> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("账号"))?;
        let in_scope = match user.region_code.as_deref().map(RegionCode::parse) {
            Some(Ok(r)) => actor.sees_region(&r),
            _ => user.role == Role::Applicant,
        };
        if !in_scope {
            return Err(AppError::forbidden());
        }
        Ok(user)
    }

    /// Lifts a sign-in lock before its time.
    pub async fn unlock(&self, actor: &Actor, user_id: i64) -> Result<()> {
        let user = self.administered(actor, user_id).await?;
        let entry = self
            .entry(
                actor,
                "account.unlock",
                format!("user:{user_id}"),
                format!("解除 {} 的登录锁定", user.login),
            )
            .in_region_str(user.region_code.as_deref());
        self.store
            .set_login_state(user_id, 0, None, Some(entry))
            .await?;
        self.sessions.forget_user(user_id);
        Ok(())
    }

    /// Marks a staff member away (their posts pass to the substitutes) or back. Administrators
    /// and the head of the member's department may do it.
    pub async fn set_away(&self, actor: &Actor, user_id: i64, away: bool) -> Result<()> {
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("账号"))?;
        let region = user
            .region_code
            .as_deref()
            .and_then(|c| RegionCode::parse(c).ok());
        let allowed = match (actor.role, region) {
            (Role::Admin, Some(r)) => actor.sees_region(&r),
            (Role::DeptHead, Some(r)) => user
                .department_id
                .is_some_and(|d| actor.acts_for_department(d, &r)),
            _ => false,
        };
        if !allowed || !user.role.is_staff() {
            return Err(AppError::forbidden());
        }
        let what = if away {
            "标记为不在岗，由替岗人员代为办理"
        } else {
            "恢复在岗"
        };
        let entry = self
            .entry(
                actor,
                "staff.away",
                format!("user:{user_id}"),
                format!("{} {what}", user.name),
            )
            .in_region_str(user.region_code.as_deref());
        self.store.set_away(user_id, away, entry).await?;
        self.sessions.forget_user(user_id);
        Ok(())
    }
}

/// Whether a user's sign-in is locked at `now`.
pub fn locked(user: &User, now: chrono::DateTime<chrono::Utc>) -> bool {
    user.locked_until().is_some_and(|u| u > now)
}
