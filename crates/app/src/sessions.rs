//! The session check served from memory.
//!
//! Every page and API request with a cookie asks who is behind it. The answer (the session row
//! joined with its account) is kept here for `session.cache_seconds` of the app's clock, keyed by
//! the token's hash. What is kept is only what the database said: the idle and absolute limits
//! are judged again on every request against the clock as it is then, so moving the clock or
//! simply waiting never lets an expired session through.
//!
//! Everything this process does that ends a session or changes an account drops the entries at
//! once ([`SessionCache::forget`], [`SessionCache::forget_user`]): sign-out, a password change
//! (which ends every session of the account), a lock starting or lifted, a sign-in (it resets the
//! account's failure count), an away mark. Another server's changes reach this one when the
//! entry runs out, so `session.cache_seconds` bounds how stale a session may be across nodes.
//!
//! A read that started before an invalidation must not put its (older) answer back after it:
//! every invalidation moves a generation, and an answer read under an older generation is not
//! kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use tongban_store::users::SessionRow;

/// Entries kept at most; past it the stale ones go, and if none is stale, all of them.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
    generation: AtomicU64,
}

struct Entry {
    row: SessionRow,
    /// When the row was read from the database, on the app's clock.
    read_at: DateTime<Utc>,
}

impl SessionCache {
    /// The generation to pass to [`SessionCache::put`] for a read that starts now.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The row read at most `ttl` ago, if any.
    pub(crate) fn get(&self, hash: &str, now: DateTime<Utc>, ttl: Duration) -> Option<SessionRow> {
        let map = self.entries.lock().ok()?;
        let e = map.get(hash)?;
        // A clock set back (tests) makes an entry from the future: not served either.
        (now >= e.read_at && now - e.read_at < ttl).then(|| e.row.clone())
    }

    /// Keeps a row read from the database, unless something was invalidated since the read began.
    pub(crate) fn put(
        &self,
        hash: String,
        row: SessionRow,
        read_at: DateTime<Utc>,
        ttl: Duration,
        generation: u64,
    ) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| read_at >= e.read_at && read_at - e.read_at < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(hash, Entry { row, read_at });
    }

    /// The session's idle clock moved forward in the database.
    pub(crate) fn touched(&self, hash: &str, at: DateTime<Utc>) {
        if let Ok(mut map) = self.entries.lock() {
            if let Some(e) = map.get_mut(hash) {
                e.row.last_seen_at = at;
            }
        }
    }

    /// Drops one session (signed out, expired, renewed).
    pub(crate) fn forget(&self, hash: &str) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::SeqCst);
        map.remove(hash);
    }

    /// Drops every session of an account whose row changed or whose sessions ended.
    pub(crate) fn forget_user(&self, user_id: i64) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::SeqCst);
        map.retain(|_, e| e.row.user.id != user_id);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use tongban_domain::org::Role;
    use tongban_store::users::User;

    fn row(user_id: i64, at: DateTime<Utc>) -> SessionRow {
        SessionRow {
            user: User {
                id: user_id,
                login: format!("u{user_id}"),
                password_hash: String::new(),
                name: "张三".into(),
                role: Role::Applicant,
                department_id: None,
                region_code: None,
                hall_id: None,
                applicant_kind: None,
                id_number: None,
                uscc: None,
                phone: None,
                email: None,
                away: false,
                failed_logins: 0,
                locked_until: None,
                created_at: 0,
            },
            csrf: "c".into(),
            created_at: at,
            last_seen_at: at,
        }
    }

    #[test]
    fn an_entry_lives_for_its_time_and_no_longer() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let ttl = Duration::seconds(5);
        let c = SessionCache::default();
        c.put("a".into(), row(1, t), t, ttl, c.generation());
        assert!(c.get("a", t + Duration::seconds(4), ttl).is_some());
        assert!(c.get("a", t + Duration::seconds(5), ttl).is_none());
        assert!(c.get("a", t - Duration::seconds(1), ttl).is_none());
        assert!(c.get("a", t, Duration::zero()).is_none(), "0 keeps nothing");
    }

    #[test]
    fn a_read_that_began_before_an_invalidation_is_not_kept() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let ttl = Duration::seconds(5);
        let c = SessionCache::default();
        let before = c.generation();
        c.forget("a");
        c.put("a".into(), row(1, t), t, ttl, before);
        assert!(c.get("a", t, ttl).is_none());
        c.put("a".into(), row(1, t), t, ttl, c.generation());
        c.put("b".into(), row(2, t), t, ttl, c.generation());
        c.forget_user(1);
        assert!(c.get("a", t, ttl).is_none());
        assert!(c.get("b", t, ttl).is_some());
        assert_eq!(c.len(), 1);
    }
}
