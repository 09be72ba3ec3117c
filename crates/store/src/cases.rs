//! Cases in storage. A command's whole effect — the events appended to the case's log, the
//! projections people query (the case row with its state document, its open steps, documents,
//! negative filings) and the notifications to send — is written in one short transaction,
//! with its audit record, and only if the case is still at the version the command read
//! (optimistic concurrency: two clerks acting at once cannot both win).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::supervision::{SubjectRef, Watch};

use crate::subjects::NewSubject;
use crate::{instant, millis, Result, Store, StoreError, Tally};

/// The columns of the case row that lists, queues and the sweeper read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseProjection {
    pub number: String,
    pub item_id: i64,
    pub item_version: i64,
    pub basic_code: String,
    pub item_name: String,
    pub department_id: i64,
    pub region: String,
    pub applicant_user_id: Option<i64>,
    pub applicant_name: String,
    pub applicant_id_code: String,
    pub phone_tail: String,
    pub id_tail: String,
    pub agent_id: Option<i64>,
    pub intake_hall_id: Option<i64>,
    pub pickup_hall_id: Option<i64>,
    pub channel: String,
    pub status: String,
    pub first_responder_id: Option<i64>,
    pub awaiting_head: bool,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub next_timer_at: Option<DateTime<Utc>>,
}

/// One event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: String,
    pub post: Option<String>,
    pub hall_id: Option<i64>,
    /// Business time: when it happened.
    pub at: DateTime<Utc>,
    /// Entry time: when it was written.
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub number: String,
    #[sqlx(default)]
    pub case_id: i64,
    pub kind: String,
    pub title: String,
    /// The paragraphs as a JSON array.
    pub body: String,
    pub department_id: i64,
    pub hash: String,
    pub issued_at: i64,
    /// The random code printed beside the QR code.
    #[sqlx(default)]
    pub verify_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub step: String,
    pub name: String,
    pub department_id: i64,
    pub post: String,
    pub assignee_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegativeRow {
    pub what: String,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Everything one command writes.
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub projection: CaseProjection,
    pub state: String,
    pub events: Vec<EventRow>,
    pub documents: Vec<DocumentRow>,
    /// The open steps after the command (replacing those before).
    pub open_steps: Vec<StepRow>,
    pub negative: Vec<NegativeRow>,
    pub notifications: Vec<NotificationRow>,
    /// The open deadlines after the command, for the crossing index.
    pub watches: Vec<Watch>,
    pub audit: AuditEntry,
}

/// The deadlines of an unchanged case recomputed on a new calendar ([`Store::retime_case`]).
#[derive(Debug, Clone, Default)]
pub struct Retimed {
    pub due_at: Option<DateTime<Utc>>,
    pub next_timer_at: Option<DateTime<Utc>>,
    /// (step key, its due time) for each open step.
    pub step_dues: Vec<(String, Option<DateTime<Utc>>)>,
    pub watches: Vec<Watch>,
    /// Messages to the people whose due dates moved.
    pub notifications: Vec<crate::watch::Reminder>,
}

/// A case as read back: its row, version and state document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredCase {
    pub id: i64,
    pub number: String,
    pub version: i64,
    pub state: String,
}

/// What a member of staff searches cases by; every field given narrows the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSearch {
    /// Cases this department takes in or has a step of.
    pub department_id: Option<i64>,
    /// Cases of this region subtree.
    pub region_prefix: Option<String>,
    /// Part of the case number.
    pub number: Option<String>,
    /// Part of the applicant's name.
    pub applicant_name: Option<String>,
    /// The last four characters of the applicant's ID number or phone.
    pub tail: Option<String>,
    /// Part of the item's name, or of its basic code.
    pub item: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
}

/// A line in a list of cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseLine {
    pub id: i64,
    pub number: String,
    pub item_name: String,
    pub department_id: i64,
    pub applicant_name: String,
    pub channel: String,
    pub status: String,
    pub received_at: i64,
    pub due_at: Option<i64>,
    pub intake_hall_id: Option<i64>,
}

/// A case of an applicant's matter with where it was taken in, for the 两头受理 detector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IntakeLine {
    pub id: i64,
    pub number: String,
    pub channel: String,
    pub status: String,
    pub received_at: i64,
    pub first_responder_id: Option<i64>,
    /// The kind of its intake hall (`centre`, `sub_hall`, …); none when it has no hall.
    pub hall_kind: Option<String>,
}

/// An open step with its case, for "my steps".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StepLine {
    pub case_id: i64,
    pub number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub step: String,
    pub name: String,
    pub department_id: i64,
    pub post: String,
    pub assignee_id: Option<i64>,
    pub opened_at: i64,
    pub due_at: Option<i64>,
}

/// One logged event as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EventRecord {
    pub case_id: i64,
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: String,
    pub post: Option<String>,
    pub hall_id: Option<i64>,
    pub at: i64,
    pub recorded_at: i64,
    pub audit_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NegativeFiling {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub department_id: i64,
    pub region: String,
    pub what: String,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseFile {
    pub hash: String,
    pub content_type: String,
    pub size: i64,
    pub content: Vec<u8>,
}

/// What [`Store::create_case`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New {
        id: i64,
        number: String,
    },
    /// The idempotency key was used before: this is the first case it made.
    Repeat {
        number: String,
    },
    /// The idempotency key was used before with a different request.
    Mismatch {
        number: String,
    },
}

/// An idempotency key: who used it, the key, and the SHA-256 of the request it came with.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub actor_id: i64,
    pub key: &'a str,
    pub request_hash: &'a str,
}

const CASE_LINE: &str =
    "SELECT id, number, item_name, department_id, applicant_name, channel, status,
    received_at, due_at, intake_hall_id FROM cases";

const STEP_LINE: &str = "SELECT s.case_id, c.number, c.item_name, c.applicant_name, s.step, s.name,
    s.department_id, s.post, s.assignee_id, s.opened_at, s.due_at
    FROM case_steps s JOIN cases c ON c.id = s.case_id";

fn opt_millis(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(millis)
}

/// Appends a write's rows (events, steps, documents, filings, notifications, audit).
macro_rules! write_rows {
    ($store:expr, $tx:ident, $case_id:expr, $w:expr) => {{
        let case_id: i64 = $case_id;
        let w: &CaseWrite = $w;
        sqlx::query("DELETE FROM case_steps WHERE case_id = $1")
            .bind(case_id)
            .execute(&mut *$tx)
            .await?;
        if !w.open_steps.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO case_steps (case_id, step, name, department_id, post, assignee_id,
                    opened_at, due_at) ",
            );
            q.push_values(&w.open_steps, |mut row, s| {
                row.push_bind(case_id)
                    .push_bind(&s.step)
                    .push_bind(&s.name)
                    .push_bind(s.department_id)
                    .push_bind(&s.post)
                    .push_bind(s.assignee_id)
                    .push_bind(millis(s.opened_at))
                    .push_bind(opt_millis(s.due_at));
            });
            q.build().execute(&mut *$tx).await?;
        }
        // A case's documents go into the one register of documents (see `documents`).
        let docs: Vec<crate::documents::NewDocument> = w
            .documents
            .iter()
            .map(|d| crate::documents::NewDocument {
                number: d.number.clone(),
                kind: d.kind.clone(),
                subject_kind: "case".into(),
                subject_id: case_id,
                subject_ref: w.projection.number.clone(),
                title: d.title.clone(),
                body: d.body.clone(),
                fields: "[]".into(),
                department_id: d.department_id,
                agency: None,
                hash: d.hash.clone(),
                issued_at: d.issued_at,
                verify_code: d.verify_code.clone(),
            })
            .collect();
        crate::documents::insert_documents!($tx, &docs);
        let p = &w.projection;
        for n in &w.negative {
            sqlx::query(
                "INSERT INTO negative_filings (case_id, case_number, department_id, region, what,
                    reason, actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(case_id)
            .bind(&p.number)
            .bind(p.department_id)
            .bind(&p.region)
            .bind(&n.what)
            .bind(&n.reason)
            .bind(n.actor_id)
            .bind(&n.actor_name)
            .bind(millis(n.at))
            .execute(&mut *$tx)
            .await?;
        }
        let now = w.events.last().map_or(0, |e| millis(e.recorded_at));
        if !w.notifications.is_empty() {
            // The outbox rows in one statement, sent only if the write commits.
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO outbox (channel, recipient, subject, body, case_number, created_at,
                    next_attempt_at) ",
            );
            q.push_values(&w.notifications, |mut row, n| {
                row.push_bind(&n.channel)
                    .push_bind(&n.recipient)
                    .push_bind(&n.subject)
                    .push_bind(&n.body)
                    .push_bind(&p.number)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

/// Appends a write's events with the audit record that covers them, last in the transaction:
/// the audit chain's head is the one row every writer takes, so it is held only from here to
/// the commit.
macro_rules! append_events {
    ($store:expr, $tx:ident, $case_id:expr, $w:expr) => {{
        let case_id: i64 = $case_id;
        let w: &CaseWrite = $w;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM case_events WHERE case_id = $1")
                .bind(case_id)
                .fetch_one(&mut *$tx)
                .await?;
        let audit_seq = audit!($store, $tx, w.audit.clone());
        if !w.events.is_empty() {
            let first = last.unwrap_or(0) + 1;
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO case_events (case_id, seq, kind, payload, actor_id, actor_name, role,
                    post, hall_id, at, recorded_at, audit_seq) ",
            );
            q.push_values(w.events.iter().zip(first..), |mut row, (e, seq)| {
                row.push_bind(case_id)
                    .push_bind(seq)
                    .push_bind(&e.kind)
                    .push_bind(&e.payload)
                    .push_bind(e.actor_id)
                    .push_bind(&e.actor_name)
                    .push_bind(&e.role)
                    .push_bind(e.post.as_deref())
                    .push_bind(e.hall_id)
                    .push_bind(millis(e.at))
                    .push_bind(millis(e.recorded_at))
                    .push_bind(audit_seq);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

/// The case row as it stood before a command, for the board's counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Before {
    pub(crate) open: bool,
    pub(crate) accepted: bool,
    pub(crate) decided: bool,
}

/// Whether a stored status is one of an open case.
pub(crate) fn open_status(status: &str) -> bool {
    !matches!(status, "closed" | "not_accepted" | "withdrawn")
}

/// A local day as the daily tallies key it.
pub fn tally_day(at: DateTime<Utc>) -> String {
    tongban_domain::time::local_date(at)
        .format("%Y%m%d")
        .to_string()
}

/// Replaces a case's deadlines in the crossing index and moves the board's counters from the
/// case as it was (`$before`; `None` for a new case) to the write's projection. A light already
/// noticed stays noticed (the sweeper fires each crossing once); a light the clock has moved back
/// from (an extension, a suspension) is lowered at once.
macro_rules! sync_board {
    ($store:expr, $tx:ident, $tally:ident, $case_id:expr, $before:expr, $w:expr) => {{
        let before: Option<Before> = $before;
        let w: &CaseWrite = $w;
        let p = &w.projection;
        let hall = p.intake_hall_id.unwrap_or(0);
        let subject = SubjectRef::case($case_id, p.number.clone());
        sync_watches!($store, $tx, $tally, &subject, &p.region, hall, &w.watches);
        let b = before.unwrap_or_default();
        let dept = p.department_id;
        let open = open_status(&p.status);
        $tally.add(
            &p.region,
            dept,
            hall,
            "open",
            "",
            i64::from(open) - i64::from(b.open),
        );
        if before.is_none() {
            $tally.add(
                &p.region,
                dept,
                hall,
                "received",
                tally_day(p.received_at),
                1,
            );
        }
        if let (false, Some(at)) = (b.accepted, p.accepted_at) {
            $tally.add(&p.region, dept, hall, "accepted", tally_day(at), 1);
        }
        if let (false, Some(at)) = (b.decided, p.decided_at) {
            let day = tally_day(at);
            $tally.add(&p.region, dept, hall, "decided", day.clone(), 1);
            if hall != 0 {
                // 现场办结: a case filed at a hall and decided the same day.
                $tally.add(&p.region, dept, hall, "decided_at_hall", day.clone(), 1);
                if tally_day(p.received_at) == day {
                    $tally.add(&p.region, dept, hall, "on_the_spot", day, 1);
                }
            }
        }
    }};
}

/// A case as a supervised subject: the board shows its item and its applicant.
pub(crate) fn case_subject(id: i64, p: &CaseProjection) -> NewSubject {
    NewSubject {
        subject: SubjectRef::case(id, p.number.clone()),
        title: p.item_name.clone(),
        party: p.applicant_name.clone(),
        item_id: Some(p.item_id),
        department_id: p.department_id,
        hall_id: p.intake_hall_id.unwrap_or(0),
        region: p.region.clone(),
        opened_at: p.received_at,
    }
}

/// Inserts the case row inside `$tx`; evaluates to its id.
macro_rules! insert_case {
    ($tx:ident, $w:expr, $now:expr) => {{
        let w: &CaseWrite = $w;
        let p = &w.projection;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (number, item_id, item_version, basic_code, item_name, department_id,
                region, applicant_user_id, applicant_name, applicant_id_code, phone_tail, id_tail,
                agent_id, intake_hall_id, pickup_hall_id, channel, status, first_responder_id,
                awaiting_head, received_at, accepted_at, decided_at, closed_at, due_at, next_timer_at,
                state, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $21, $22, $23, $24, $25, $26, 1, $27)
             RETURNING id",
        )
        .bind(&p.number)
        .bind(p.item_id)
        .bind(p.item_version)
        .bind(&p.basic_code)
        .bind(&p.item_name)
        .bind(p.department_id)
        .bind(&p.region)
        .bind(p.applicant_user_id)
        .bind(&p.applicant_name)
        .bind(&p.applicant_id_code)
        .bind(&p.phone_tail)
        .bind(&p.id_tail)
        .bind(p.agent_id)
        .bind(p.intake_hall_id)
        .bind(p.pickup_hall_id)
        .bind(&p.channel)
        .bind(&p.status)
        .bind(p.first_responder_id)
        .bind(i64::from(p.awaiting_head))
        .bind(millis(p.received_at))
        .bind(opt_millis(p.accepted_at))
        .bind(opt_millis(p.decided_at))
        .bind(opt_millis(p.closed_at))
        .bind(opt_millis(p.due_at))
        .bind(opt_millis(p.next_timer_at))
        .bind(&w.state)
        .bind(millis($now))
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}

// A bundle's filing (`crate::bundles`) writes its member cases exactly as a single filing does.
pub(crate) use {append_events, insert_case, sync_board, write_rows};

impl Store {
    /// The case an idempotency key made, if it made one, with the hash of its first request.
    pub async fn idempotent_case(
        &self,
        actor_id: i64,
        key: &str,
    ) -> Result<Option<(String, Option<String>)>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
            "SELECT case_number, request_hash FROM idempotency_keys WHERE actor_id = $1 AND key = $2"
        )
        .bind(actor_id)
        .bind(key)
        .fetch_optional(db)
        .await?
        }))
    }

    /// What a key used before answers: the first case for the same request, a mismatch for
    /// another (keys stored before request hashes were kept match any request).
    async fn repeated(&self, idem: Idempotency<'_>) -> Result<Option<Created>> {
        Ok(self
            .idempotent_case(idem.actor_id, idem.key)
            .await?
            .map(|(number, hash)| match hash {
                Some(h) if h != idem.request_hash => Created::Mismatch { number },
                _ => Created::Repeat { number },
            }))
    }

    /// Creates a case: takes the next number of `region` on `day`, lets `build` make the write
    /// for it, and stores it with its idempotency key, all in one transaction. A key used
    /// before returns the first case instead.
    pub async fn create_case<E>(
        &self,
        region: &str,
        day: NaiveDate,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        build: impl FnOnce(u32) -> std::result::Result<CaseWrite, E>,
    ) -> Result<std::result::Result<Created, E>> {
        if let Some(idem) = idempotency {
            if let Some(created) = self.repeated(idem).await? {
                return Ok(Ok(created));
            }
        }
        match self
            .insert_new_case(region, day, idempotency, now, build)
            .await
        {
            // A concurrent retry with the same key won the race: answer with its case.
            Err(StoreError::Conflict(c)) if c.contains("idempotency") => {
                let Some(idem) = idempotency else {
                    return Err(StoreError::Conflict(c));
                };
                match self.repeated(idem).await? {
                    Some(created) => Ok(Ok(created)),
                    None => Err(StoreError::Conflict(c)),
                }
            }
            other => other,
        }
    }

    async fn insert_new_case<E>(
        &self,
        region: &str,
        day: NaiveDate,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        build: impl FnOnce(u32) -> std::result::Result<CaseWrite, E>,
    ) -> Result<std::result::Result<Created, E>> {
        let day_text = day.format("%Y%m%d").to_string();
        Ok(write!(self, |tx| {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO case_numbers (region, day, last) VALUES ($1, $2, 1)
                 ON CONFLICT (region, day) DO UPDATE SET last = case_numbers.last + 1
                 RETURNING last",
            )
            .bind(region)
            .bind(&day_text)
            .fetch_one(&mut *tx)
            .await?;
            let seq = u32::try_from(seq)
                .map_err(|_| StoreError::Corrupt(format!("case sequence {seq}")))?;
            match build(seq) {
                // Dropping the transaction rolls the number back: refused filings leave no gaps.
                Err(e) => return Ok(Err(e)),
                Ok(w) => {
                    if let Some(idem) = idempotency {
                        sqlx::query(
                            "INSERT INTO idempotency_keys
                                (actor_id, key, case_number, created_at, request_hash)
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(idem.actor_id)
                        .bind(idem.key)
                        .bind(&w.projection.number)
                        .bind(millis(now))
                        .bind(idem.request_hash)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let id: i64 = insert_case!(tx, &w, now);
                    register_subject!(tx, &case_subject(id, &w.projection));
                    write_rows!(self, tx, id, &w);
                    let mut tally = Tally::default();
                    sync_board!(self, tx, tally, id, None, &w);
                    apply_tally!(tx, tally);
                    append_events!(self, tx, id, &w);
                    Ok(Created::New {
                        id,
                        number: w.projection.number.clone(),
                    })
                }
            }
        }))
    }

    /// Writes a command's effect if the case is still at `version`; otherwise
    /// [`StoreError::Conflict`] with `case.stale` and nothing is written.
    pub async fn update_case(
        &self,
        id: i64,
        version: i64,
        w: &CaseWrite,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = &w.projection;
        let lock = self.for_update();
        let read_before = format!(
            "SELECT status, accepted_at, decided_at FROM cases WHERE id = $1 AND version = $2{lock}"
        );
        write!(self, |tx| {
            let before: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(&read_before)
                .bind(id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((status, accepted, decided)) = before else {
                return Err(StoreError::Conflict(codes::Case::Stale.as_str().into()));
            };
            let before = Before {
                open: open_status(&status),
                accepted: accepted.is_some(),
                decided: decided.is_some(),
            };
            let updated = sqlx::query(
                "UPDATE cases SET status = $3, first_responder_id = $4, awaiting_head = $5,
                    accepted_at = $6, decided_at = $7, closed_at = $8, due_at = $9,
                    next_timer_at = $10, state = $11, version = version + 1, updated_at = $12,
                    pickup_hall_id = $13
                 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .bind(&p.status)
            .bind(p.first_responder_id)
            .bind(i64::from(p.awaiting_head))
            .bind(opt_millis(p.accepted_at))
            .bind(opt_millis(p.decided_at))
            .bind(opt_millis(p.closed_at))
            .bind(opt_millis(p.due_at))
            .bind(opt_millis(p.next_timer_at))
            .bind(&w.state)
            .bind(millis(now))
            .bind(p.pickup_hall_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::Conflict(codes::Case::Stale.as_str().into()));
            }
            write_rows!(self, tx, id, w);
            let mut tally = Tally::default();
            sync_board!(self, tx, tally, id, Some(before), w);
            apply_tally!(tx, tally);
            append_events!(self, tx, id, w);
        });
        Ok(())
    }

    /// Recomputed deadlines of an unchanged case (the warning rules changed, or the index is
    /// rebuilt), written if the case is still at `version`.
    pub async fn rewatch_case(&self, id: i64, version: i64, watches: &[Watch]) -> Result<()> {
        let lock = self.for_update();
        let read = format!(
            "SELECT region, number, intake_hall_id FROM cases WHERE id = $1 AND version = $2{lock}"
        );
        write!(self, |tx| {
            let row: Option<(String, String, Option<i64>)> = sqlx::query_as(&read)
                .bind(id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((region, number, hall)) = row else {
                return Err(StoreError::Conflict(codes::Case::Stale.as_str().into()));
            };
            let mut tally = Tally::default();
            sync_watches!(
                self,
                tx,
                tally,
                &SubjectRef::case(id, number.clone()),
                &region,
                hall.unwrap_or(0),
                watches
            );
            apply_tally!(tx, tally);
        });
        Ok(())
    }

    /// A case's deadlines recomputed after the calendar changed: its due date, next timer,
    /// open steps' due times and crossings, written if the case is still at `version`. The
    /// case itself (its state, events and version) is untouched: nothing happened to it.
    pub async fn retime_case(
        &self,
        id: i64,
        version: i64,
        r: &Retimed,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let lock = self.for_update();
        let read = format!(
            "SELECT region, number, intake_hall_id FROM cases WHERE id = $1 AND version = $2{lock}"
        );
        write!(self, |tx| {
            let row: Option<(String, String, Option<i64>)> = sqlx::query_as(&read)
                .bind(id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((region, number, hall)) = row else {
                return Err(StoreError::Conflict(codes::Case::Stale.as_str().into()));
            };
            sqlx::query("UPDATE cases SET due_at = $2, next_timer_at = $3 WHERE id = $1")
                .bind(id)
                .bind(opt_millis(r.due_at))
                .bind(opt_millis(r.next_timer_at))
                .execute(&mut *tx)
                .await?;
            for (step, due) in &r.step_dues {
                sqlx::query("UPDATE case_steps SET due_at = $3 WHERE case_id = $1 AND step = $2")
                    .bind(id)
                    .bind(step)
                    .bind(opt_millis(*due))
                    .execute(&mut *tx)
                    .await?;
            }
            let mut tally = Tally::default();
            sync_watches!(
                self,
                tx,
                tally,
                &SubjectRef::case(id, number.clone()),
                &region,
                hall.unwrap_or(0),
                &r.watches
            );
            apply_tally!(tx, tally);
            for m in &r.notifications {
                enqueue!(
                    tx,
                    &m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    &number,
                    millis(now),
                    millis(m.send_at)
                );
            }
        });
        Ok(())
    }

    /// Ids of open cases in a region subtree after `after`, in id order (for batch work).
    pub async fn open_case_ids(
        &self,
        region_prefix: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT id FROM cases WHERE region LIKE $1 AND id > $2
               AND status NOT IN ('closed', 'not_accepted', 'withdrawn')
             ORDER BY id LIMIT $3"
        )
        .bind(format!("{region_prefix}%"))
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// Moves a case's timer without changing it (a sweep that found nothing due).
    pub async fn set_case_timer(
        &self,
        id: i64,
        version: i64,
        next: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let updated = write!(self, |tx| sqlx::query(
            "UPDATE cases SET next_timer_at = $3 WHERE id = $1 AND version = $2"
        )
        .bind(id)
        .bind(version)
        .bind(opt_millis(next))
        .execute(&mut *tx)
        .await?
        .rows_affected());
        if updated == 0 {
            return Err(StoreError::Conflict(codes::Case::Stale.as_str().into()));
        }
        Ok(())
    }

    pub async fn case_by_number(&self, number: &str) -> Result<Option<StoredCase>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, number, version, state FROM cases WHERE number = $1"
        )
        .bind(number)
        .fetch_optional(db)
        .await?))
    }

    pub async fn case_by_id(&self, id: i64) -> Result<Option<StoredCase>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, number, version, state FROM cases WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await?))
    }

    pub async fn case_events(&self, case_id: i64) -> Result<Vec<EventRecord>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT case_id, seq, kind, payload, actor_id, actor_name, role, post, hall_id, at,
                recorded_at, audit_seq FROM case_events WHERE case_id = $1 ORDER BY seq"
        )
        .bind(case_id)
        .fetch_all(db)
        .await?))
    }

    pub async fn case_documents(&self, case_id: i64) -> Result<Vec<DocumentRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT number, subject_id AS case_id, kind, title, body, department_id, hash,
                issued_at, verify_code
             FROM documents WHERE subject_kind = 'case' AND subject_id = $1
             ORDER BY issued_at, number"
        )
        .bind(case_id)
        .fetch_all(db)
        .await?))
    }

    pub async fn case_document(&self, number: &str) -> Result<Option<DocumentRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT number, subject_id AS case_id, kind, title, body, department_id, hash,
                issued_at, verify_code
             FROM documents WHERE subject_kind = 'case' AND number = $1"
        )
        .bind(number)
        .fetch_optional(db)
        .await?))
    }

    /// An applicant's own cases (or an agent's filings), newest first.
    pub async fn cases_of_applicant(&self, user_id: i64, limit: i64) -> Result<Vec<CaseLine>> {
        let sql = format!(
            "{CASE_LINE} WHERE applicant_user_id = $1 OR agent_id = $1 ORDER BY received_at DESC LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// A department's cases in some statuses, oldest first (a window's queue).
    pub async fn department_cases(
        &self,
        department_id: i64,
        statuses: &[&str],
        limit: i64,
    ) -> Result<Vec<CaseLine>> {
        let marks: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 3)).collect();
        let sql =
            format!(
            "{CASE_LINE} WHERE department_id = $1 AND status IN ({}) ORDER BY received_at LIMIT $2",
            if marks.is_empty() { "NULL".to_string() } else { marks.join(", ") }
        );
        Ok(read!(self, |db| {
            let mut q = sqlx::query_as(&sql).bind(department_id).bind(limit);
            for s in statuses {
                q = q.bind(*s);
            }
            q.fetch_all(db).await?
        }))
    }

    /// Case search for staff: every filter given narrows it, newest first. The scope (a
    /// department, or a region subtree) narrows the candidates; the application checks each
    /// line against who may see the case before showing it.
    pub async fn search_cases(&self, q: &CaseSearch, limit: i64) -> Result<Vec<CaseLine>> {
        enum Bind {
            Text(String),
            Int(i64),
        }
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let next = |binds: &mut Vec<Bind>, b: Bind| {
            binds.push(b);
            format!("${}", binds.len())
        };
        if let Some(d) = q.department_id {
            let a = next(&mut binds, Bind::Int(d));
            conds.push(format!(
                "(department_id = {a} OR id IN (SELECT case_id FROM case_steps WHERE department_id = {a}))"
            ));
        }
        if let Some(r) = &q.region_prefix {
            let a = next(&mut binds, Bind::Text(format!("{r}%")));
            conds.push(format!("region LIKE {a}"));
        }
        if let Some(n) = &q.number {
            let a = next(&mut binds, Bind::Text(format!("%{n}%")));
            conds.push(format!("number LIKE {a}"));
        }
        if let Some(n) = &q.applicant_name {
            let a = next(&mut binds, Bind::Text(format!("%{n}%")));
            conds.push(format!("applicant_name LIKE {a}"));
        }
        if let Some(t) = &q.tail {
            let a = next(&mut binds, Bind::Text(t.clone()));
            conds.push(format!("(id_tail = {a} OR phone_tail = {a})"));
        }
        if let Some(i) = &q.item {
            let a = next(&mut binds, Bind::Text(format!("%{i}%")));
            conds.push(format!("(item_name LIKE {a} OR basic_code LIKE {a})"));
        }
        if let Some(f) = q.from {
            let a = next(&mut binds, Bind::Int(millis(f)));
            conds.push(format!("received_at >= {a}"));
        }
        if let Some(t) = q.to {
            let a = next(&mut binds, Bind::Int(millis(t)));
            conds.push(format!("received_at < {a}"));
        }
        let lim = next(&mut binds, Bind::Int(limit));
        let sql = format!(
            "{CASE_LINE} WHERE {} ORDER BY received_at DESC, id DESC LIMIT {lim}",
            if conds.is_empty() {
                "1 = 1".to_string()
            } else {
                conds.join(" AND ")
            }
        );
        Ok(read!(self, |db| {
            let mut query = sqlx::query_as(&sql);
            for b in &binds {
                query = match b {
                    Bind::Text(t) => query.bind(t.clone()),
                    Bind::Int(i) => query.bind(*i),
                };
            }
            query.fetch_all(db).await?
        }))
    }

    /// Cases waiting for a department head (an extension or a fee waiver to approve).
    pub async fn head_queue(&self, department_id: i64, limit: i64) -> Result<Vec<CaseLine>> {
        let sql = format!(
            "{CASE_LINE} WHERE department_id = $1 AND awaiting_head = 1 ORDER BY received_at LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Open steps assigned to a person, soonest due first.
    pub async fn steps_of_assignee(&self, user_id: i64, limit: i64) -> Result<Vec<StepLine>> {
        let sql = format!("{STEP_LINE} WHERE s.assignee_id = $1 ORDER BY s.due_at LIMIT $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Open steps of a department, soonest due first (the head's view).
    pub async fn steps_of_department(
        &self,
        department_id: i64,
        limit: i64,
    ) -> Result<Vec<StepLine>> {
        let sql = format!("{STEP_LINE} WHERE s.department_id = $1 ORDER BY s.due_at LIMIT $2");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Ids of cases whose next timer has passed, soonest first: the sweep reads only these.
    pub async fn due_case_timers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT id FROM cases WHERE next_timer_at IS NOT NULL AND next_timer_at <= $1
             ORDER BY next_timer_at LIMIT $2"
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// Negative filings (否定报备) in a region subtree, newest first.
    pub async fn negative_filings(
        &self,
        region_prefix: &str,
        limit: i64,
    ) -> Result<Vec<NegativeFiling>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, case_id, case_number, department_id, region, what, reason, actor_id,
                actor_name, at FROM negative_filings WHERE region LIKE $1 ORDER BY at DESC, id DESC
             LIMIT $2"
        )
        .bind(format!("{region_prefix}%"))
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// Other open cases of the same applicant for the same matter (basic code).
    pub async fn open_cases_for_matter(
        &self,
        id_code: &str,
        basic_code: &str,
    ) -> Result<Vec<CaseLine>> {
        let sql = format!(
            "{CASE_LINE} WHERE applicant_id_code = $1 AND basic_code = $2
             AND status NOT IN ('closed', 'not_accepted', 'withdrawn') ORDER BY received_at"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id_code)
            .bind(basic_code)
            .fetch_all(db)
            .await?))
    }

    /// The applicant's cases of one matter (basic code) received between `from` and `to`, or
    /// still open whenever received, each with the kind of its intake hall (for 两头受理).
    pub async fn intakes_of_matter(
        &self,
        id_code: &str,
        basic_code: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<IntakeLine>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT c.id, c.number, c.channel, c.status, c.received_at, c.first_responder_id,
                h.kind AS hall_kind
             FROM cases c LEFT JOIN halls h ON h.id = c.intake_hall_id
             WHERE c.applicant_id_code = $1 AND c.basic_code = $2
               AND ((c.received_at >= $3 AND c.received_at <= $4)
                    OR c.status NOT IN ('closed', 'not_accepted', 'withdrawn'))
             ORDER BY c.received_at, c.id"
        )
        .bind(id_code)
        .bind(basic_code)
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(db)
        .await?))
    }

    /// Stores an uploaded material by its content hash and returns the hash.
    /// Stores a material file once by its content hash and records `uploader` as one who
    /// uploaded it, with the audit record, in one transaction.
    pub async fn put_case_file(
        &self,
        content_type: &str,
        content: &[u8],
        uploader: i64,
        audit: impl FnOnce(&str) -> tongban_domain::audit::AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let hash = hex::encode(Sha256::digest(content));
        let entry = audit(&hash);
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO case_files (hash, content_type, size, content, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
            )
            .bind(&hash)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(content)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO case_file_uploads (hash, user_id, size, uploaded_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (hash, user_id) DO UPDATE SET uploaded_at = excluded.uploaded_at",
            )
            .bind(&hash)
            .bind(uploader)
            .bind(content.len() as i64)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, entry);
        });
        Ok(hash)
    }

    /// Whether `user_id` uploaded the file with this hash (and it is still stored).
    pub async fn uploaded_by(&self, hash: &str, user_id: i64) -> Result<bool> {
        let n: i64 = read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_file_uploads u JOIN case_files f ON f.hash = u.hash
             WHERE u.hash = $1 AND u.user_id = $2"
        )
        .bind(hash)
        .bind(user_id)
        .fetch_one(db)
        .await?);
        Ok(n > 0)
    }

    /// The bytes `user_id` has uploaded, counting each of their files once.
    pub async fn uploaded_bytes(&self, user_id: i64) -> Result<i64> {
        let n: Option<i64> = read!(self, |db| sqlx::query_scalar(
            "SELECT CAST(SUM(size) AS BIGINT) FROM case_file_uploads WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_one(db)
        .await?);
        Ok(n.unwrap_or(0))
    }

    /// Marks an upload as taken up by a case (a filing or a supplement names it), so it is
    /// never removed as an orphan. Every uploader's row of the file is marked. `false` when the
    /// file is no longer stored (removed as an orphan meanwhile).
    pub async fn keep_upload(&self, hash: &str) -> Result<bool> {
        let n = write!(self, |tx| sqlx::query(
            "UPDATE case_file_uploads SET kept = 1 WHERE hash = $1"
        )
        .bind(hash)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Removes uploads no case took up whose last upload is before `cutoff`, up to `limit`
    /// files, each in its own transaction with its audit record; returns how many went. A file
    /// a filing marks kept meanwhile, or uploaded again since the cutoff, stays: only rows
    /// still unkept and old are deleted, and the file itself only when no row is left.
    pub async fn remove_orphan_uploads(
        &self,
        cutoff: DateTime<Utc>,
        limit: i64,
        audit: impl Fn(&str, i64) -> tongban_domain::audit::AuditEntry,
    ) -> Result<usize> {
        let due: Vec<(String, i64)> = read!(self, |db| sqlx::query_as(
            "SELECT hash, MAX(size) FROM case_file_uploads WHERE kept = 0 AND uploaded_at < $1
             GROUP BY hash ORDER BY MIN(uploaded_at), hash LIMIT $2"
        )
        .bind(millis(cutoff))
        .bind(limit)
        .fetch_all(db)
        .await?);
        let mut removed = 0;
        for (hash, size) in due {
            let entry = audit(&hash, size);
            let gone = write!(self, |tx| {
                sqlx::query(
                    "DELETE FROM case_file_uploads WHERE hash = $1 AND kept = 0 AND uploaded_at < $2",
                )
                .bind(&hash)
                .bind(millis(cutoff))
                .execute(&mut *tx)
                .await?;
                let left: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM case_file_uploads WHERE hash = $1")
                        .bind(&hash)
                        .fetch_one(&mut *tx)
                        .await?;
                if left == 0 {
                    // A ticket's photo of the same bytes keeps the file.
                    sqlx::query(
                        "DELETE FROM case_files WHERE hash = $1
                         AND NOT EXISTS (SELECT 1 FROM ticket_photos WHERE hash = $1)",
                    )
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await?;
                    audit!(self, tx, entry);
                }
                left == 0
            });
            removed += usize::from(gone);
        }
        Ok(removed)
    }

    pub async fn case_file(&self, hash: &str) -> Result<Option<CaseFile>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT hash, content_type, size, content FROM case_files WHERE hash = $1"
        )
        .bind(hash)
        .fetch_optional(db)
        .await?))
    }

    /// How many notifications a case has queued or sent.
    pub async fn count_outbox_for(&self, number: &str) -> Result<i64> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE case_number = $1"
        )
        .bind(number)
        .fetch_one(db)
        .await?))
    }

    /// How many cases are stored (for metrics and tests).
    pub async fn count_cases(&self) -> Result<i64> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases"
        )
        .fetch_one(db)
        .await?))
    }
}

/// Instants read back from millis.
pub fn at(ms: i64) -> Result<DateTime<Utc>> {
    instant(ms)
}
