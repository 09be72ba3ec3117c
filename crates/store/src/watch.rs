//! The crossing index's sweeper side, warnings, and the supervision board's figures.
//!
//! Case writes keep `clock_watch` (see `cases.rs`). The sweeper claims the rows whose next
//! crossing has passed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several server
//! processes take disjoint rows), then fires each in one transaction that records the warning,
//! moves the counters and queues the reminders. A warning is unique by its crossing, so a
//! restart or an expired lease can repeat the work but never the warning. Firing takes its locks
//! in the order every subject's writers do (see [`crate::subjects`]: the subject row, its
//! deadlines, the counters in key order, the audit head), so a firing and an action on the same
//! subject queue instead of deadlocking. Every kind of subject (a case, a ticket, a disclosure
//! request, a rectification) is fired the same way.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::supervision::{Light, SubjectKind, SubjectRef};

use crate::{gauge, millis, Kind, Result, Store, Tally};

/// A claimed crossing: a deadline whose next crossing has passed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueCrossing {
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_number: String,
    pub clock: String,
    pub label: String,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    pub assignee_id: Option<i64>,
    pub yellow_at: Option<i64>,
    pub red_at: i64,
    /// The light already noticed.
    pub light: i64,
    /// The lease this claim holds; firing checks it is still ours.
    pub claimed_until: i64,
}

impl DueCrossing {
    /// The subject whose deadline this is.
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(
            self.subject_kind,
            self.subject_id,
            self.subject_number.clone(),
        )
    }
}

/// A message a warning sends, held until `send_at` (quiet hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub send_at: DateTime<Utc>,
}

/// What the sweeper writes for one claimed crossing.
#[derive(Debug, Clone)]
pub struct Firing {
    pub crossing: DueCrossing,
    /// The light now; the same as the noticed light when only the next crossing moves.
    pub light: Light,
    pub next_at: Option<DateTime<Utc>>,
    /// The instant of the crossing that lit `light`.
    pub crossing_at: DateTime<Utc>,
    /// The local day, for at most one reminder per deadline per day.
    pub day: String,
    pub reminders: Vec<Reminder>,
    pub audit: AuditEntry,
}

/// What firing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    /// A new warning, with whether it sent a reminder.
    Warned { id: i64, reminded: bool },
    /// Only the next crossing moved, or this crossing had been warned of already.
    Quiet,
    /// The claim was lost (the case changed or the lease ran out): nothing written.
    Lost,
}

/// A warning as the board and the API list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WarningRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_number: String,
    pub clock: String,
    pub label: String,
    pub light: i64,
    pub crossing_at: i64,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    pub assignee_id: Option<i64>,
    pub fired_at: i64,
    pub notified: i64,
}

impl WarningRow {
    /// The subject warned of.
    pub fn subject(&self) -> SubjectRef {
        SubjectRef::new(
            self.subject_kind,
            self.subject_id,
            self.subject_number.clone(),
        )
    }
}

const WARNING: &str =
    "SELECT id, subject_kind, subject_id, subject_number, clock, label, light, crossing_at,
    department_id, hall_id, region, assignee_id, fired_at, notified FROM warnings";

/// One board counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Count {
    pub region: String,
    pub department_id: i64,
    pub hall_id: i64,
    pub metric: String,
    pub day: String,
    pub n: i64,
}

/// A lit deadline with its subject, for the board's drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LitClock {
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_number: String,
    /// The catalog item (cases only).
    pub item_id: Option<i64>,
    /// The item's name, the ticket's subject line.
    pub title: String,
    /// The applicant or caller, masked.
    pub party: String,
    pub clock: String,
    pub label: String,
    pub department_id: i64,
    pub hall_id: i64,
    pub region: String,
    pub assignee_id: Option<i64>,
    pub light: i64,
    pub red_at: i64,
    /// When the subject was received or filed.
    pub opened_at: i64,
}

/// One deadline of a case in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseDeadline {
    pub case_id: i64,
    pub clock: String,
    pub label: String,
    /// 0 green, 1 yellow, 2 red: as the sweep last noticed it.
    pub light: i64,
    pub red_at: i64,
}

/// Which lit deadlines to list.
#[derive(Debug, Clone, Default)]
pub struct LitFilter {
    pub region_prefix: String,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub item_id: Option<i64>,
    /// One kind of subject only.
    pub kind: Option<SubjectKind>,
    /// `Some(Light::Red)`: red only; otherwise yellow and red.
    pub light: Option<Light>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
}

/// The share lock a firing takes on a subject's own row (step 1 of the lock order in
/// [`crate::subjects`]), for the kinds whose table the store knows. A case's actions hold its
/// row while they rewrite its deadlines, so a firing queues behind them. A kind without a line
/// here is still safe: its firing locks only the `subjects` row, which no action blocks.
fn own_row_lock(kind: SubjectKind) -> Option<&'static str> {
    match kind {
        SubjectKind::Case => Some("SELECT id FROM cases WHERE id = $1 FOR KEY SHARE"),
        SubjectKind::Ticket
        | SubjectKind::Disclosure
        | SubjectKind::Rating
        | SubjectKind::Consultation
        | SubjectKind::Proposal
        | SubjectKind::Publicity
        | SubjectKind::Meeting
        | SubjectKind::CatalogEntry => None,
    }
}

impl Store {
    /// Claims up to `limit` deadlines whose next crossing is due at `now`, soonest first, until
    /// `now + lease`.
    pub async fn claim_crossings(
        &self,
        now: DateTime<Utc>,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<DueCrossing>> {
        let lock = match self.kind() {
            Kind::Postgres => "FOR UPDATE SKIP LOCKED",
            Kind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE clock_watch SET claimed_until = $1
             WHERE (subject_kind, subject_id, clock) IN (
                SELECT subject_kind, subject_id, clock FROM clock_watch
                WHERE next_at IS NOT NULL AND next_at <= $2
                  AND (claimed_until IS NULL OR claimed_until < $2)
                ORDER BY next_at
                LIMIT $3
                {lock})
             RETURNING subject_kind, subject_id, subject_number, clock, label, department_id, hall_id, region,
                assignee_id, yellow_at, red_at, light, claimed_until"
        );
        // Most sweeps find nothing: the soonest crossing, read from the head of the partial
        // index, answers that without a write transaction. (Ordered, so PostgreSQL's generic
        // plan for a prepared statement still walks the index instead of scanning.)
        let soonest: Option<Option<i64>> = read!(self, |db| sqlx::query_scalar(
            "SELECT next_at FROM clock_watch WHERE next_at IS NOT NULL
             ORDER BY next_at LIMIT 1"
        )
        .fetch_optional(db)
        .await?);
        if !matches!(soonest, Some(Some(at)) if at <= millis(now)) {
            return Ok(Vec::new());
        }
        let mut rows: Vec<DueCrossing> = write!(self, |tx| sqlx::query_as(&sql)
            .bind(millis(now + lease))
            .bind(millis(now))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?);
        rows.sort_by(|a, b| {
            (a.subject_kind, a.subject_id, &a.clock).cmp(&(b.subject_kind, b.subject_id, &b.clock))
        });
        Ok(rows)
    }

    /// Writes one claimed crossing's outcome, if the claim still holds.
    pub async fn fire(&self, f: &Firing, now: DateTime<Utc>) -> Result<Fired> {
        let c = &f.crossing;
        let light = f.light.rank();
        Ok(write!(self, |tx| {
            if self.kind() == Kind::Postgres {
                // Locks in one order everywhere (see `crate::subjects`): the module's row, the
                // subject row, then its deadline, the counters and the audit head. The warning
                // below refers to the subject row (its foreign key takes this same share lock),
                // so it is taken here, before the deadline, rather than after it.
                if let Some(own) = own_row_lock(c.subject_kind) {
                    // A firing waits for a running action on the same matter instead of
                    // racing it for the deadline; it then finds its claim taken over.
                    sqlx::query(own)
                        .bind(c.subject_id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("SELECT id FROM subjects WHERE kind = $1 AND id = $2 FOR KEY SHARE")
                    .bind(c.subject_kind.as_str())
                    .bind(c.subject_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let held = sqlx::query(
                "UPDATE clock_watch SET light = $3, next_at = $4, claimed_until = NULL
                 WHERE subject_kind = $6 AND subject_id = $1 AND clock = $2
                   AND claimed_until = $5",
            )
            .bind(c.subject_id)
            .bind(&c.clock)
            .bind(light)
            .bind(f.next_at.map(millis))
            .bind(c.claimed_until)
            .bind(c.subject_kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if held == 0 {
                // Dropping the transaction writes nothing.
                return Ok(Fired::Lost);
            }
            if light == c.light {
                Fired::Quiet
            } else {
                // The counters move in key order, with the others, just before the audit head.
                let mut tally = Tally::default();
                if c.light > 0 {
                    tally.add(
                        &c.region,
                        c.department_id,
                        c.hall_id,
                        gauge(c.light),
                        "",
                        -1,
                    );
                }
                if light > 0 {
                    tally.add(&c.region, c.department_id, c.hall_id, gauge(light), "", 1);
                }
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO warnings (subject_kind, subject_id, subject_number, clock, label,
                        light, crossing_at, department_id, hall_id, region, assignee_id, fired_at)
                     VALUES ($12, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (subject_kind, subject_id, clock, light, crossing_at) DO NOTHING
                     RETURNING id",
                )
                .bind(c.subject_id)
                .bind(&c.subject_number)
                .bind(&c.clock)
                .bind(&c.label)
                .bind(light)
                .bind(millis(f.crossing_at))
                .bind(c.department_id)
                .bind(c.hall_id)
                .bind(&c.region)
                .bind(c.assignee_id)
                .bind(millis(now))
                .bind(c.subject_kind.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                apply_tally!(tx, tally);
                match id {
                    None => Fired::Quiet,
                    Some(id) => {
                        let first_today = !f.reminders.is_empty()
                            && sqlx::query(
                                "INSERT INTO warning_reminders (subject_kind, subject_id, clock, day)
                                 VALUES ($4, $1, $2, $3) ON CONFLICT DO NOTHING",
                            )
                            .bind(c.subject_id)
                            .bind(&c.clock)
                            .bind(&f.day)
                            .bind(c.subject_kind.as_str())
                            .execute(&mut *tx)
                            .await?
                            .rows_affected()
                                > 0;
                        if first_today {
                            for r in &f.reminders {
                                enqueue!(
                                    tx,
                                    &r.channel,
                                    &r.recipient,
                                    &r.subject,
                                    &r.body,
                                    &c.subject_number,
                                    millis(now),
                                    millis(r.send_at)
                                );
                            }
                            sqlx::query("UPDATE warnings SET notified = 1 WHERE id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        audit!(
                            self,
                            tx,
                            AuditEntry {
                                target: c.subject().audit_target(),
                                ..f.audit.clone()
                            }
                        );
                        Fired::Warned {
                            id,
                            reminded: first_today,
                        }
                    }
                }
            }
        }))
    }

    /// Whether cases open before the crossing index existed still wait to be indexed.
    pub async fn watch_rebuild_pending(&self) -> Result<bool> {
        let n: i64 = read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM watch_rebuild"
        )
        .fetch_one(db)
        .await?);
        Ok(n > 0)
    }

    pub async fn watch_rebuild_done(&self) -> Result<()> {
        write!(self, |tx| sqlx::query("DELETE FROM watch_rebuild")
            .execute(&mut *tx)
            .await
            .map(drop)?);
        Ok(())
    }

    /// How many deadlines have a crossing due at `now` (what the next sweep will claim).
    pub async fn count_due_crossings(&self, now: DateTime<Utc>) -> Result<i64> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM clock_watch WHERE next_at IS NOT NULL AND next_at <= $1"
        )
        .bind(millis(now))
        .fetch_one(db)
        .await?))
    }

    /// Warnings in a region subtree with ids after `after`, oldest first (the board's stream),
    /// or the newest `limit` when `after` is `None`.
    pub async fn warnings(
        &self,
        region_prefix: &str,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<WarningRow>> {
        let like = format!("{region_prefix}%");
        Ok(match after {
            Some(after) => {
                let sql =
                    format!("{WARNING} WHERE region LIKE $1 AND id > $2 ORDER BY id LIMIT $3");
                read!(self, |db| sqlx::query_as(&sql)
                    .bind(&like)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(db)
                    .await?)
            }
            None => {
                let sql = format!("{WARNING} WHERE region LIKE $1 ORDER BY id DESC LIMIT $2");
                read!(self, |db| sqlx::query_as(&sql)
                    .bind(&like)
                    .bind(limit)
                    .fetch_all(db)
                    .await?)
            }
        })
    }

    /// The newest `limit` warnings in a region subtree whose subject is still open, that is
    /// still has a deadline in the index: a case closed (decided, delivered, withdrawn) leaves
    /// the index and so leaves the board's 最新预警, while its warnings stay on record.
    pub async fn open_warnings(&self, region_prefix: &str, limit: i64) -> Result<Vec<WarningRow>> {
        let like = format!("{region_prefix}%");
        let sql = format!(
            "{WARNING} WHERE region LIKE $1 AND EXISTS (SELECT 1 FROM clock_watch c
                WHERE c.subject_kind = warnings.subject_kind AND c.subject_id = warnings.subject_id)
             ORDER BY id DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(&like)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    pub async fn warnings_of_case(&self, case_id: i64) -> Result<Vec<WarningRow>> {
        self.warnings_of_subject(SubjectKind::Case, case_id).await
    }

    /// A subject's warnings, oldest first.
    pub async fn warnings_of_subject(&self, kind: SubjectKind, id: i64) -> Result<Vec<WarningRow>> {
        let sql = format!("{WARNING} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .bind(id)
            .fetch_all(db)
            .await?))
    }

    /// The board's counters in a region subtree: the gauges and the tallies of `day`.
    pub async fn board_counts(&self, region_prefix: &str, day: &str) -> Result<Vec<Count>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT region, department_id, hall_id, metric, day, n FROM board_counts
             WHERE region LIKE $1 AND (day = '' OR day = $2) AND n <> 0"
        )
        .bind(format!("{region_prefix}%"))
        .bind(day)
        .fetch_all(db)
        .await?))
    }

    /// Yellow and red deadlines with their subjects, reddest and most overdue first.
    pub async fn lit_clocks(&self, f: &LitFilter, limit: i64) -> Result<Vec<LitClock>> {
        let min_light = match f.light {
            Some(Light::Red) => 2,
            _ => 1,
        };
        let sql = "SELECT w.subject_kind, w.subject_id, w.subject_number, s.item_id, s.title,
                s.party, w.clock, w.label, w.department_id, w.hall_id, w.region, w.assignee_id,
                w.light, w.red_at, s.opened_at
             FROM clock_watch w
             JOIN subjects s ON s.kind = w.subject_kind AND s.id = w.subject_id
             WHERE w.light >= $1 AND w.region LIKE $2
               AND ($3 IS NULL OR w.department_id = $3)
               AND ($4 IS NULL OR w.hall_id = $4)
               AND ($5 IS NULL OR s.item_id = $5)
               AND ($6 IS NULL OR s.opened_at >= $6)
               AND ($7 IS NULL OR s.opened_at < $7)
               AND ($9 IS NULL OR w.subject_kind = $9)
             ORDER BY w.light DESC, w.red_at LIMIT $8";
        Ok(read!(self, |db| sqlx::query_as(sql)
            .bind(min_light)
            .bind(format!("{}%", f.region_prefix))
            .bind(f.department_id)
            .bind(f.hall_id)
            .bind(f.item_id)
            .bind(f.received_from.map(millis))
            .bind(f.received_to.map(millis))
            .bind(limit)
            .bind(f.kind.map(SubjectKind::as_str))
            .fetch_all(db)
            .await?))
    }

    /// The deadlines the index holds for some cases (each case's next one first): what a work
    /// list shows as time left and light. A case whose clocks are suspended or finished has none.
    pub async fn case_deadlines(&self, case_ids: &[i64]) -> Result<Vec<CaseDeadline>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..case_ids.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT subject_id AS case_id, clock, label, light, red_at FROM clock_watch
             WHERE subject_kind = 'case' AND subject_id IN ({})
             ORDER BY subject_id, red_at",
            marks.join(", ")
        );
        Ok(read!(self, |db| {
            let mut q = sqlx::query_as(&sql);
            for id in case_ids {
                q = q.bind(*id);
            }
            q.fetch_all(db).await?
        }))
    }
}
