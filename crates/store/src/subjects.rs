//! Supervised subjects: the one deadline index, warnings, findings and 督办 for every kind of
//! matter (a case, a 12345 ticket, a disclosure request, a rating rectification).
//!
//! A module registers each of its matters once in `subjects` (kind, its own row id, its public
//! number, and what the board's drill-down shows) and then, inside its own write transaction,
//! replaces the matter's deadlines in the crossing index with [`sync_watches!`]. The drill-down
//! reads the title, the masked party and the opened instant from `subjects` rather than joining
//! each module's table: one join serves every kind, a new kind needs no change to the board's
//! SQL, and the values it copies (a name, a subject line, when it came in) do not change while
//! the matter runs. Only the deadlines change, and those live in the index.
//!
//! # Lock order (PostgreSQL)
//!
//! Every writer that touches a subject's deadlines takes its locks in this order, and so does
//! the sweeper's [`Store::fire`](crate::Store::fire), so a firing and a module's action on the
//! same subject queue instead of deadlocking:
//!
//! 1. the module's own row (`cases`, the ticket, …), if it has one: an action locks it first
//!    (`FOR UPDATE`). The sweeper takes it `FOR KEY SHARE` for the kinds listed in
//!    `watch.rs::own_row_lock` (cases), so a firing queues behind a running action and then finds
//!    its claim taken over; for a kind not listed the sweeper never touches that row;
//! 2. the `subjects` row: the sweeper takes `FOR KEY SHARE` (the warning's foreign key needs it
//!    anyway); modules insert it, or update its non-key columns (what `register_subject!` does),
//!    which does not conflict with that. A module must never lock it `FOR UPDATE`, delete it or
//!    change its kind, id or number;
//! 3. the subject's deadline rows in `clock_watch` ([`sync_watches!`] reads them `FOR UPDATE`);
//! 4. the board counters, in key order, at the end (`Tally`, applied with `apply_tally!`);
//! 5. the audit head, last (`audit!`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::{Result, Store, Tally};

/// A subject to register: what the board's drill-down shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubject {
    pub subject: SubjectRef,
    /// What it is about: the item's name, the ticket's subject line.
    pub title: String,
    /// The applicant's or caller's name; stored masked (`mask::name`), whatever is given.
    pub party: String,
    /// The catalog item (cases), for the board's item filter.
    pub item_id: Option<i64>,
    /// The unit answering for it.
    pub department_id: i64,
    /// 0 when there is no hall.
    pub hall_id: i64,
    pub region: String,
    /// Received or filed.
    pub opened_at: DateTime<Utc>,
}

/// A registered subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SubjectRow {
    #[sqlx(try_from = "String")]
    pub kind: SubjectKind,
    pub id: i64,
    pub number: String,
    pub title: String,
    pub party: String,
    pub item_id: Option<i64>,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    pub opened_at: i64,
}

impl SubjectRow {
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(self.kind, self.id, self.number.clone())
    }
}

/// Registers a subject inside the transaction `$tx` (step 2 of the lock order). Registering it
/// again refreshes what the board shows (its number, kind and id never change).
macro_rules! register_subject {
    ($tx:ident, $new:expr) => {{
        let s: &$crate::subjects::NewSubject = $new;
        sqlx::query(
            "INSERT INTO subjects (kind, id, number, title, party, item_id, department_id,
                hall_id, region, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (kind, id) DO UPDATE SET title = excluded.title,
                party = excluded.party, item_id = excluded.item_id,
                department_id = excluded.department_id, hall_id = excluded.hall_id,
                region = excluded.region, opened_at = excluded.opened_at",
        )
        .bind(s.subject.kind.as_str())
        .bind(s.subject.id)
        .bind(&s.subject.number)
        .bind(&s.title)
        .bind(::tongban_domain::mask::name(&s.party))
        .bind(s.item_id)
        .bind(s.department_id)
        .bind(s.hall_id)
        .bind(&s.region)
        .bind($crate::millis(s.opened_at))
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Replaces one subject's deadlines in the crossing index inside the transaction `$tx`, and
/// records in `$tally` how the light gauges move (apply it with `apply_tally!` before the audit
/// record). A light already noticed stays noticed (the sweeper fires each crossing once); a
/// light the clock has moved back from (an extension, a suspension) is lowered at once. The
/// subject must be registered ([`register_subject!`]) first. Deadlines of 督办 (`order:{id}`)
/// are the orders' own and are left alone.
///
/// `sync_watches!(store, tx, tally, &subject_ref, region, hall_id, &watches)`
macro_rules! sync_watches {
    ($store:expr, $tx:ident, $tally:ident, $subject:expr, $region:expr, $hall:expr, $watches:expr) => {{
        let subject: &::tongban_domain::supervision::SubjectRef = $subject;
        let region: &str = $region;
        let hall: i64 = $hall;
        let watches: &[::tongban_domain::supervision::Watch] = $watches;
        let lock = $store.for_update();
        let old: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT clock, light, department_id FROM clock_watch
             WHERE subject_kind = $1 AND subject_id = $2 AND clock NOT LIKE 'order:%'
             ORDER BY clock{lock}"
        ))
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .fetch_all(&mut *$tx)
        .await?;
        for (_, light, dept) in old.iter().filter(|o| o.1 > 0) {
            $tally.add(region, *dept, hall, $crate::gauge(*light), "", -1);
        }
        sqlx::query(
            "DELETE FROM clock_watch
             WHERE subject_kind = $1 AND subject_id = $2 AND clock NOT LIKE 'order:%'",
        )
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .execute(&mut *$tx)
        .await?;
        if !watches.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO clock_watch (subject_kind, subject_id, subject_number, clock, label,
                    department_id, hall_id, region, assignee_id, yellow_at, red_at, light,
                    next_at) ",
            );
            q.push_values(watches, |mut row, wch| {
                let noticed = old.iter().find(|o| o.0 == wch.key).map_or(0, |o| o.1);
                let shown =
                    ::tongban_domain::supervision::Light::from_rank(noticed.min(wch.light.rank()));
                if shown != ::tongban_domain::supervision::Light::Green {
                    $tally.add(
                        region,
                        wch.department_id,
                        hall,
                        $crate::gauge(shown.rank()),
                        "",
                        1,
                    );
                }
                row.push_bind(subject.kind.as_str())
                    .push_bind(subject.id)
                    .push_bind(&subject.number)
                    .push_bind(&wch.key)
                    .push_bind(&wch.label)
                    .push_bind(wch.department_id)
                    .push_bind(hall)
                    .push_bind(region)
                    .push_bind(wch.assignee_id)
                    .push_bind(wch.yellow_at.map($crate::millis))
                    .push_bind($crate::millis(wch.red_at))
                    .push_bind(shown.rank())
                    .push_bind(wch.next_after(shown).map($crate::millis));
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

const SUBJECT: &str = "SELECT kind, id, number, title, party, item_id, department_id, hall_id,
    region, opened_at FROM subjects";

impl Store {
    /// Registers a subject and replaces its deadlines in one transaction, with an optional
    /// audit record: for a matter whose module keeps no row of its own to lock, and for tests.
    /// A module with its own table calls [`register_subject!`] and [`sync_watches!`] inside its
    /// own write instead.
    pub async fn watch_subject(
        &self,
        s: &NewSubject,
        watches: &[Watch],
        audit: Option<AuditEntry>,
    ) -> Result<()> {
        write!(self, |tx| {
            register_subject!(tx, s);
            let mut tally = Tally::default();
            sync_watches!(self, tx, tally, &s.subject, &s.region, s.hall_id, watches);
            apply_tally!(tx, tally);
            if let Some(entry) = audit {
                audit!(
                    self,
                    tx,
                    AuditEntry {
                        target: s.subject.audit_target(),
                        ..entry
                    }
                );
            }
        });
        Ok(())
    }

    /// A subject by kind and public number.
    pub async fn subject(&self, kind: SubjectKind, number: &str) -> Result<Option<SubjectRow>> {
        let sql = format!("{SUBJECT} WHERE kind = $1 AND number = $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    /// A subject by kind and its module's row id.
    pub async fn subject_by_id(&self, kind: SubjectKind, id: i64) -> Result<Option<SubjectRow>> {
        let sql = format!("{SUBJECT} WHERE kind = $1 AND id = $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Whether any deadline in the index, in a region subtree, falls due at or after `at` (the
    /// first instant of a year whose holidays are not announced yet).
    pub async fn any_deadline_from(&self, region_prefix: &str, at: DateTime<Utc>) -> Result<bool> {
        let n: Option<i64> = read!(self, |db| sqlx::query_scalar(
            "SELECT 1 FROM clock_watch WHERE region LIKE $1 AND red_at >= $2 LIMIT 1"
        )
        .bind(format!("{region_prefix}%"))
        .bind(crate::millis(at))
        .fetch_optional(db)
        .await?);
        Ok(n.is_some())
    }

    /// A subject's deadlines in the index: (clock, light, red_at in milliseconds), by clock.
    pub async fn subject_clocks(&self, s: &SubjectRef) -> Result<Vec<(String, i64, i64)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT clock, light, red_at FROM clock_watch
             WHERE subject_kind = $1 AND subject_id = $2 ORDER BY clock"
        )
        .bind(s.kind.as_str())
        .bind(s.id)
        .fetch_all(db)
        .await?))
    }
}
