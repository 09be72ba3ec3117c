//! Accounts (staff and applicants) and their sessions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::org::Role;
use tongban_domain::region::RegionCode;

use crate::{instant, millis, Result, Store};

/// A stored account. Personal fields are kept whole here; every page and log masks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub login: String,
    #[serde(skip)]
    pub password_hash: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub department_id: Option<i64>,
    pub region_code: Option<String>,
    pub hall_id: Option<i64>,
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub uscc: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub away: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

impl User {
    pub fn locked_until(&self) -> Option<DateTime<Utc>> {
        self.locked_until.and_then(DateTime::from_timestamp_millis)
    }
}

/// What it takes to create an account; the application layer has parsed every field.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub login: String,
    pub password_hash: String,
    pub name: String,
    pub role: Option<Role>,
    pub department_id: Option<i64>,
    pub region_code: Option<RegionCode>,
    pub hall_id: Option<i64>,
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub uscc: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub region: Option<RegionCode>,
    pub department_id: Option<i64>,
    pub role: Option<Role>,
    pub staff_only: bool,
}

const USERS: &str = "SELECT id, login, password_hash, name, role, department_id, region_code,
        hall_id, applicant_kind, id_number, uscc, phone, email, away, failed_logins,
        locked_until, created_at
    FROM users";

/// A signed-in session joined with its account.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionFields {
    csrf: String,
    s_created_at: i64,
    s_last_seen_at: i64,
}

impl Store {
    pub async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let role = user.role.unwrap_or(Role::Applicant);
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (login, password_hash, name, role, department_id, region_code,
                    hall_id, applicant_kind, id_number, uscc, phone, email, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&user.login)
            .bind(&user.password_hash)
            .bind(&user.name)
            .bind(role.as_str())
            .bind(user.department_id)
            .bind(user.region_code.as_ref().map(RegionCode::as_str))
            .bind(user.hall_id)
            .bind(&user.applicant_kind)
            .bind(&user.id_number)
            .bind(&user.uscc)
            .bind(&user.phone)
            .bind(&user.email)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("user:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("{USERS} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let sql = format!("{USERS} WHERE login = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(login)
            .fetch_optional(db)
            .await?))
    }

    pub async fn users(&self, filter: &UserFilter) -> Result<Vec<User>> {
        let sql = format!(
            "{USERS} WHERE ($1 IS NULL OR region_code LIKE $1)
                AND ($2 IS NULL OR department_id = $2)
                AND ($3 IS NULL OR role = $3)
                AND ($4 = FALSE OR role <> 'applicant')
             ORDER BY id"
        );
        let region = filter.region.as_ref().map(|r| format!("{}%", r.prefix()));
        Ok(read!(self, |db| {
            sqlx::query_as(&sql)
                .bind(region)
                .bind(filter.department_id)
                .bind(filter.role.map(Role::as_str))
                .bind(filter.staff_only)
                .fetch_all(db)
                .await?
        }))
    }

    /// The accounts holding any of `roles`, in one read (ordered by id).
    pub async fn users_with_roles(&self, roles: &[Role]) -> Result<Vec<User>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=roles.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{USERS} WHERE role IN ({}) ORDER BY id", marks.join(", "));
        Ok(read!(self, |db| {
            let mut q = sqlx::query_as(&sql);
            for r in roles {
                q = q.bind(r.as_str());
            }
            q.fetch_all(db).await?
        }))
    }

    /// Records the outcome of a sign-in attempt. A lock starting or ending is audited.
    pub async fn set_login_state(
        &self,
        user_id: i64,
        failed: u32,
        locked_until: Option<DateTime<Utc>>,
        audit: Option<AuditEntry>,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
                .bind(i64::from(failed))
                .bind(locked_until.map(millis))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if let Some(entry) = audit {
                audit!(self, tx, entry);
            }
        });
        Ok(())
    }

    /// Replaces the password hash and ends every session of the account.
    pub async fn set_password(&self, user_id: i64, hash: &str, audit: AuditEntry) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Marks a staff member away (their posts pass to the substitutes) or back.
    pub async fn set_away(&self, user_id: i64, away: bool, audit: AuditEntry) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE users SET away = $1 WHERE id = $2")
                .bind(away)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let sql = format!(
            "SELECT u.*, s.csrf, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at
             FROM sessions s JOIN ({USERS}) u ON u.id = s.user_id WHERE s.token_hash = $1"
        );
        let found: Option<(User, SessionFields)> = read!(self, |db| {
            use sqlx::FromRow;
            match sqlx::query(&sql)
                .bind(token_hash)
                .fetch_optional(db)
                .await?
            {
                Some(row) => Some((User::from_row(&row)?, SessionFields::from_row(&row)?)),
                None => None,
            }
        });
        let Some((user, fields)) = found else {
            return Ok(None);
        };
        Ok(Some(SessionRow {
            user,
            csrf: fields.csrf,
            created_at: instant(fields.s_created_at)?,
            last_seen_at: instant(fields.s_last_seen_at)?,
        }))
    }

    /// Moves a session's idle clock forward. Not audited: it changes no business state.
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Starts a session afresh at `now`: both its idle and its absolute limit count from there.
    pub async fn renew_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "UPDATE sessions SET created_at = $1, last_seen_at = $1 WHERE token_hash = $2",
            )
            .bind(millis(now))
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str, audit: Option<AuditEntry>) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            if let Some(entry) = audit {
                audit!(self, tx, entry);
            }
        });
        Ok(())
    }
}
