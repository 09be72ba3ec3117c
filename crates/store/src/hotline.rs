//! The 12345 hotline in storage: tickets as event logs with a query projection, the subject
//! tree, the routing table and the knowledge base of approved answers.
//!
//! Every change appends the ticket's events, rewrites its projection row, queues its outbox
//! messages and appends its audit record in one transaction. The projection's `version` (the
//! number of events) is the optimistic lock: a command decided on version `n` is written only
//! if the row is still at `n`, so two people acting on one state cannot both succeed.
//!
//! Every ticket is a supervised subject (`ticket`): the same write registers it, replaces its
//! deadlines in the one crossing index and records what the detectors found in its log, so a
//! ticket lights yellow and red on the board, takes 督办 and raises findings like a case.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_domain::audit::AuditEntry;
use tongban_domain::hotline::detect::TicketFinding;
use tongban_domain::hotline::duplicate::place_key;
use tongban_domain::hotline::photo::TakenPhoto;
use tongban_domain::hotline::{
    By, Category, Channel, Ticket, TicketEvent, TicketNumber, TicketStatus, CENTRE,
};
use tongban_domain::supervision::{SubjectKind, SubjectRef, Watch};

use crate::findings::NewFinding;
use crate::subjects::NewSubject;
use crate::{instant, millis, Result, Store, StoreError, Tally};

/// A ticket as lists show it (the projection). The caller's number is kept for the incoming-call
/// history and never serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    pub subject: String,
    pub subject_name: String,
    pub region: String,
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    pub holder_department_id: Option<i64>,
    #[serde(skip)]
    pub caller_phone: Option<String>,
    #[serde(skip)]
    pub caller_tail: Option<String>,
    pub confidential: i64,
    pub urgent: i64,
    pub efficiency_department_id: Option<i64>,
    pub summary: String,
    pub received_at: i64,
    pub due_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub returns: i64,
    pub reworks: i64,
    pub callback: Option<String>,
    pub version: i64,
    /// The address reduced by `hotline::duplicate::place_key`.
    #[serde(skip)]
    pub place_key: Option<String>,
    /// The open ticket this one was merged into.
    pub merged_into: Option<String>,
}

const TICKET: &str = "SELECT id, number, category, channel, subject, subject_name, region, status,
    holder_department_id, caller_phone, caller_tail, confidential, urgent,
    efficiency_department_id, summary, received_at, due_at, replied_at, closed_at, returns,
    reworks, callback, version, place_key, merged_into FROM tickets";

/// One stored event with when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub seq: i64,
    pub event: TicketEvent,
    pub at: DateTime<Utc>,
    pub by: Option<By>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: Option<String>,
    department_id: Option<i64>,
    body: String,
}

fn logged_event(r: EventRow) -> Result<LoggedEvent> {
    let event: TicketEvent = serde_json::from_str(&r.body)
        .map_err(|e| StoreError::Corrupt(format!("ticket event: {e}")))?;
    Ok(LoggedEvent {
        seq: r.seq,
        event,
        at: instant(r.at)?,
        by: r.actor_id.map(|user_id| By {
            user_id,
            name: r.actor.unwrap_or_default(),
            department_id: r.department_id,
        }),
    })
}

/// A ticket's log with its row id.
#[derive(Debug, Clone)]
pub struct TicketLog {
    pub id: i64,
    pub events: Vec<LoggedEvent>,
}

impl TicketLog {
    /// The ticket the log folds into.
    pub fn ticket(&self) -> Result<Ticket> {
        Ticket::replay(self.events.iter().map(|e| (&e.event, e.at, e.by.as_ref())))
            .ok_or_else(|| StoreError::Corrupt(format!("ticket {} has no receipt event", self.id)))
    }
}

/// A message to queue with a change (SMS or e-mail to the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub send_at: DateTime<Utc>,
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Region prefix (a subtree).
    pub region: Option<String>,
    pub holder: Option<i64>,
    pub status: Option<TicketStatus>,
    pub caller_phone: Option<String>,
    /// A subject code (exactly).
    pub subject: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SubjectRow {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

/// A unit the routing table names for a subject in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RouteRow {
    pub region: String,
    pub department_id: i64,
    pub department_name: String,
    pub lead: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub subject: Option<String>,
    pub region: String,
    pub question: String,
    pub answer: String,
    pub approved_by: i64,
    pub approved_at: i64,
}

fn body_of(e: &TicketEvent) -> Result<String> {
    serde_json::to_string(e).map_err(|err| StoreError::Corrupt(err.to_string()))
}

/// The first 120 characters of the request, for lists.
fn summary(t: &Ticket) -> String {
    t.text.chars().take(120).collect()
}

/// What supervision keeps of a ticket, written with each of its changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketOversight {
    /// Its open deadlines now (`Ticket::watches`); none once it is closed.
    pub watches: Vec<Watch>,
    /// What the detectors found over its whole log (`hotline::detect`). A firing already
    /// recorded is kept once, by its fingerprint `{ticket_id}:{rule}:{anchor}`.
    pub findings: Vec<TicketFinding>,
    /// Messages to supervisors, each queued only when the finding it names (by its index in
    /// `findings`) is new: a firing seen again tells nobody twice. (A new ticket's are built
    /// from its number inside the write instead.)
    pub alerts: Vec<(usize, Outbound)>,
}

/// What the board's drill-down shows of a ticket. A 保密 caller and a 举报's reporter are never
/// named, not even masked; the unit answering is the holder, or the centre while it has none.
fn ticket_subject(id: i64, t: &Ticket) -> NewSubject {
    let party = if t.caller.confidential || t.category == Category::Report {
        "保密".to_string()
    } else if t.caller.anonymous {
        "匿名".to_string()
    } else {
        t.caller.name.clone().unwrap_or_default()
    };
    NewSubject {
        subject: SubjectRef::new(SubjectKind::Ticket, id, t.number.as_str()),
        title: format!(
            "{}：{}",
            t.subject_name,
            t.text.chars().take(40).collect::<String>()
        ),
        party,
        item_id: None,
        department_id: t.holder.as_ref().map_or(CENTRE, |u| u.department_id),
        hall_id: 0,
        region: t.region.clone(),
        opened_at: t.received_at,
    }
}

/// The findings table's rows for a ticket's detector firings.
pub fn ticket_findings(id: i64, t: &Ticket, found: &[TicketFinding]) -> Vec<NewFinding> {
    found
        .iter()
        .map(|f| NewFinding {
            rule: f.rule.as_str().to_string(),
            subject: SubjectRef::new(SubjectKind::Ticket, id, t.number.as_str()),
            step: None,
            person_id: f.person,
            department_id: f.department_id,
            hall_id: None,
            region: t.region.clone(),
            detail: f.detail.clone(),
            evidence: serde_json::to_string(&f.evidence).unwrap_or_else(|_| "[]".into()),
            fingerprint: format!("{id}:{}:{}", f.rule.as_str(), f.anchor),
        })
        .collect()
}

/// A photo of a ticket, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TicketPhoto {
    /// Its place in the ticket's photos, from 1.
    pub seq: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// Registers the ticket `$id` (now `$t`) as a subject inside `$tx`, replaces its deadlines and
/// records its findings, in the lock order of [`crate::subjects`] (the ticket's row is already
/// locked by the caller's insert or update; the audit head comes after).
macro_rules! oversee_ticket {
    ($store:expr, $tx:ident, $id:expr, $t:expr, $oversight:expr, $alerts:expr, $now:expr) => {{
        let id: i64 = $id;
        let t: &Ticket = $t;
        let o: &TicketOversight = $oversight;
        let subject = ticket_subject(id, t);
        register_subject!($tx, &subject);
        let mut tally = Tally::default();
        sync_watches!(
            $store,
            $tx,
            tally,
            &subject.subject,
            &t.region,
            0,
            &o.watches
        );
        apply_tally!($tx, tally);
        let alerts: &[(usize, Outbound)] = $alerts;
        insert_ticket_findings!(
            $tx,
            &ticket_findings(id, t, &o.findings),
            alerts,
            t.number.as_str(),
            $now
        );
    }};
}

/// Records a ticket's findings inside `$tx`, each kept once, and queues the alerts of those
/// that were new (`(index into the findings, message)`); evaluates to how many were new.
macro_rules! insert_ticket_findings {
    ($tx:ident, $rows:expr, $alerts:expr, $number:expr, $now:expr) => {{
        let rows: &[NewFinding] = $rows;
        let alerts: &[(usize, Outbound)] = $alerts;
        let number: &str = $number;
        let now: DateTime<Utc> = $now;
        let mut new = 0usize;
        for (i, row) in rows.iter().enumerate() {
            let added = insert_findings!($tx, std::slice::from_ref(row), now);
            if added > 0 {
                new += added;
                for (_, m) in alerts.iter().filter(|(k, _)| *k == i) {
                    enqueue!(
                        $tx,
                        m.channel,
                        &m.recipient,
                        &m.subject,
                        &m.body,
                        Some(number),
                        millis(now),
                        millis(m.send_at)
                    );
                }
            }
        }
        new
    }};
}

/// Before a merge of the ticket `$id` into the ticket numbered `$into` is written: locks both
/// rows in id order (PostgreSQL; SQLite's one writer serialises the writes already) and refuses
/// the merge (`hotline.merge_target`) unless the target is still open and merged into nothing.
/// Two operators merging two tickets into each other at once thus queue on the lower id, and
/// the second finds its target closed: exactly one of them wins.
macro_rules! merge_guard {
    ($store:expr, $tx:ident, $id:expr, $into:expr) => {{
        let (id, into): (i64, &str) = ($id, $into);
        let sql = format!(
            "SELECT id, number, status, merged_into FROM tickets
             WHERE id = $1 OR number = $2 ORDER BY id{}",
            $store.for_update()
        );
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(&sql)
            .bind(id)
            .bind(into)
            .fetch_all(&mut *$tx)
            .await?;
        let open = rows.iter().any(|(rid, number, status, merged)| {
            *rid != id
                && number == into
                && merged.is_none()
                && TicketStatus::parse(status).is_some_and(TicketStatus::is_open)
        });
        if !open {
            return Err(StoreError::Conflict(MERGE_TARGET.into()));
        }
    }};
}

/// The conflict a refused merge reports (its target closed or merged meanwhile).
pub const MERGE_TARGET: &str = "hotline.merge_target";

macro_rules! insert_events {
    ($tx:ident, $id:expr, $from_seq:expr, $events:expr, $at:expr, $by:expr) => {{
        let by: Option<&By> = $by;
        let (id, from_seq): (i64, i64) = ($id, $from_seq);
        for (i, e) in $events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, seq, kind, at, actor_id, actor,
                    department_id, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(from_seq + i as i64)
            .bind(e.kind().as_str())
            .bind(millis($at))
            .bind(by.map(|b| b.user_id))
            .bind(by.map(|b| b.name.as_str()))
            .bind(by.and_then(|b| b.department_id))
            .bind(body_of(e)?)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

impl Store {
    /// Takes a new ticket: gives it the next number of its day, writes its receipt event and
    /// projection, queues `outbound` (built from the number) and audits, in one transaction.
    /// Returns the row id and the ticket.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_ticket(
        &self,
        first: &TicketEvent,
        at: DateTime<Utc>,
        by: Option<&By>,
        due_at: Option<DateTime<Utc>>,
        outbound: impl Fn(&TicketNumber) -> Vec<Outbound> + Send,
        oversight: &TicketOversight,
        alerts: impl Fn(&TicketNumber) -> Vec<(usize, Outbound)> + Send,
        audit: AuditEntry,
    ) -> Result<(i64, Ticket)> {
        self.create_ticket_with_photos(
            first,
            at,
            by,
            due_at,
            outbound,
            oversight,
            alerts,
            audit,
            &[],
        )
        .await
    }

    /// [`Store::create_ticket`] with the request's photos (their metadata already stripped):
    /// their bytes go once into the upload store (`case_files`, by SHA-256) and the ticket's
    /// `ticket_photos` rows say which it shows, in order, all in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_ticket_with_photos(
        &self,
        first: &TicketEvent,
        at: DateTime<Utc>,
        by: Option<&By>,
        due_at: Option<DateTime<Utc>>,
        outbound: impl Fn(&TicketNumber) -> Vec<Outbound> + Send,
        oversight: &TicketOversight,
        alerts: impl Fn(&TicketNumber) -> Vec<(usize, Outbound)> + Send,
        audit: AuditEntry,
        photos: &[TakenPhoto],
    ) -> Result<(i64, Ticket)> {
        let hashes: Vec<String> = photos
            .iter()
            .map(|p| hex::encode(Sha256::digest(&p.bytes)))
            .collect();
        let day = tongban_domain::time::local_date(at);
        Ok(write!(self, |tx| {
            let n: i64 = sqlx::query_scalar(
                "INSERT INTO ticket_day_seq (day, n) VALUES ($1, 1)
                 ON CONFLICT (day) DO UPDATE SET n = ticket_day_seq.n + 1 RETURNING n",
            )
            .bind(day.to_string())
            .fetch_one(&mut *tx)
            .await?;
            let number = TicketNumber::new(day, u32::try_from(n).unwrap_or(u32::MAX));
            let mut event = first.clone();
            if let TicketEvent::Received { number: no, .. } = &mut event {
                *no = number.clone();
            }
            let t = Ticket::start(&event, at, by).ok_or_else(|| {
                StoreError::Corrupt("a ticket must start with its receipt".into())
            })?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (number, category, channel, subject, subject_name, region,
                    status, holder_department_id, caller_phone, caller_tail, confidential, urgent,
                    efficiency_department_id, summary, received_at, due_at, replied_at, closed_at,
                    returns, reworks, callback, version, place_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $13, $14, $15,
                    NULL, NULL, 0, 0, NULL, $16, $17)
                 RETURNING id",
            )
            .bind(number.as_str())
            .bind(t.category.as_str())
            .bind(t.channel.as_str())
            .bind(&t.subject)
            .bind(&t.subject_name)
            .bind(&t.region)
            .bind(t.status.as_str())
            .bind(t.caller.phone.as_ref().map(|p| p.as_str().to_string()))
            .bind(t.caller.phone.as_ref().map(|p| p.tail().to_string()))
            .bind(i64::from(t.caller.confidential))
            .bind(i64::from(t.urgent))
            .bind(t.efficiency.as_ref().map(|e| e.department_id))
            .bind(summary(&t))
            .bind(millis(at))
            .bind(due_at.map(millis))
            .bind(i64::from(t.version))
            .bind(t.place.as_deref().and_then(place_key))
            .fetch_one(&mut *tx)
            .await?;
            insert_events!(tx, id, 1i64, [&event], at, by);
            for (seq, (p, hash)) in photos.iter().zip(&hashes).enumerate() {
                let size = p.bytes.len() as i64;
                sqlx::query(
                    "INSERT INTO case_files (hash, content_type, size, content, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
                )
                .bind(hash)
                .bind(p.kind.content_type())
                .bind(size)
                .bind(&p.bytes)
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO ticket_photos (ticket_id, seq, hash, name, content_type, size)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(seq as i64 + 1)
                .bind(hash)
                .bind(&p.name)
                .bind(p.kind.content_type())
                .bind(size)
                .execute(&mut *tx)
                .await?;
            }
            oversee_ticket!(self, tx, id, &t, oversight, &alerts(&number), at);
            for m in outbound(&number) {
                enqueue!(
                    tx,
                    m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    Some(number.as_str()),
                    millis(at),
                    millis(m.send_at)
                );
            }
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("ticket:{number}"),
                    ..audit
                }
            );
            (id, t)
        }))
    }

    /// Appends the events one command caused to a ticket last read at `before` events, with
    /// the projection of `after` (the ticket with them applied). Refused as a conflict when the
    /// ticket moved meanwhile; nothing is then written.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_ticket(
        &self,
        id: i64,
        before: u32,
        events: &[TicketEvent],
        at: DateTime<Utc>,
        by: Option<&By>,
        after: &Ticket,
        due_at: Option<DateTime<Utc>>,
        outbound: &[Outbound],
        oversight: &TicketOversight,
        audit: AuditEntry,
    ) -> Result<()> {
        let merge_into = events.iter().find_map(|e| match e {
            TicketEvent::Merged { into, .. } => Some(into.as_str().to_string()),
            _ => None,
        });
        write!(self, |tx| {
            if let Some(into) = &merge_into {
                merge_guard!(self, tx, id, into);
            }
            let n = sqlx::query(
                "UPDATE tickets SET status = $3, holder_department_id = $4, due_at = $5,
                    replied_at = $6, closed_at = $7, returns = $8, reworks = $9, callback = $10,
                    version = $11, merged_into = $12
                 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(i64::from(before))
            .bind(after.status.as_str())
            .bind(after.holder.as_ref().map(|u| u.department_id))
            .bind(due_at.map(millis))
            .bind(after.replied_at.map(millis))
            .bind(after.closed_at.map(millis))
            .bind(i64::from(after.returns))
            .bind(i64::from(after.reworks))
            .bind(after.callback.map(|c| c.as_str()))
            .bind(i64::from(after.version))
            .bind(after.merged_into.as_ref().map(|n| n.as_str().to_string()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict("ticket.version".into()));
            }
            insert_events!(tx, id, i64::from(before) + 1, events, at, by);
            oversee_ticket!(self, tx, id, after, oversight, &oversight.alerts, at);
            for m in outbound {
                enqueue!(
                    tx,
                    m.channel,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    Some(after.number.as_str()),
                    millis(at),
                    millis(m.send_at)
                );
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// The photos of a ticket by its row id, in order (without their bytes).
    pub async fn ticket_photos(&self, ticket_id: i64) -> Result<Vec<TicketPhoto>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT seq, name, content_type, size FROM ticket_photos WHERE ticket_id = $1
             ORDER BY seq"
        )
        .bind(ticket_id)
        .fetch_all(db)
        .await?))
    }

    /// One photo of a ticket with its bytes: (content type, bytes).
    pub async fn ticket_photo(
        &self,
        ticket_id: i64,
        seq: i64,
    ) -> Result<Option<(String, Vec<u8>)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT p.content_type, f.content FROM ticket_photos p
             JOIN case_files f ON f.hash = p.hash
             WHERE p.ticket_id = $1 AND p.seq = $2"
        )
        .bind(ticket_id)
        .bind(seq)
        .fetch_optional(db)
        .await?))
    }

    /// A ticket's whole log by its number.
    pub async fn ticket_log(&self, number: &str) -> Result<Option<TicketLog>> {
        let id: Option<i64> = read!(self, |db| sqlx::query_scalar(
            "SELECT id FROM tickets WHERE number = $1"
        )
        .bind(number)
        .fetch_optional(db)
        .await?);
        let Some(id) = id else { return Ok(None) };
        let rows: Vec<EventRow> = read!(self, |db| sqlx::query_as(
            "SELECT seq, at, actor_id, actor, department_id, body FROM ticket_events
             WHERE ticket_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(db)
        .await?);
        let events = rows
            .into_iter()
            .map(logged_event)
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(TicketLog { id, events }))
    }

    /// The logs of every ticket in a region subtree that was open at some time in
    /// `[from, to)` (received before `to`, not closed before `from`), for the 三率: one query.
    pub async fn ticket_logs_open_between(
        &self,
        region_prefix: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TicketLog>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            ticket_id: i64,
            #[sqlx(flatten)]
            event: EventRow,
        }
        let rows: Vec<Row> = read!(self, |db| sqlx::query_as(
            "SELECT e.ticket_id, e.seq, e.at, e.actor_id, e.actor, e.department_id, e.body
             FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE t.region LIKE $1 AND t.received_at < $2
                AND (t.closed_at IS NULL OR t.closed_at >= $3)
             ORDER BY e.ticket_id, e.seq"
        )
        .bind(format!("{region_prefix}%"))
        .bind(millis(to))
        .bind(millis(from))
        .fetch_all(db)
        .await?);
        let mut out: Vec<TicketLog> = Vec::new();
        for r in rows {
            let logged = logged_event(r.event)?;
            match out.last_mut() {
                Some(log) if log.id == r.ticket_id => log.events.push(logged),
                _ => out.push(TicketLog {
                    id: r.ticket_id,
                    events: vec![logged],
                }),
            }
        }
        Ok(out)
    }

    pub async fn ticket_row(&self, number: &str) -> Result<Option<TicketRow>> {
        let sql = format!("{TICKET} WHERE number = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    /// Open tickets received in `[from, to]` from the same caller's phone, or of `subject` at
    /// the same place (`place_key`), other than `number`: the candidates the duplicate rule
    /// (`hotline::duplicate`) judges. Oldest first.
    #[allow(clippy::too_many_arguments)]
    pub async fn duplicate_candidates(
        &self,
        number: &str,
        caller_phone: Option<&str>,
        subject: &str,
        place_key: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "{TICKET} WHERE number <> $1 AND status <> $2 AND received_at >= $3
               AND received_at <= $4
               AND ((caller_phone IS NOT NULL AND caller_phone = $5)
                 OR (subject = $6 AND place_key IS NOT NULL AND place_key = $7))
             ORDER BY received_at, id LIMIT $8"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(number)
            .bind(TicketStatus::Closed.as_str())
            .bind(millis(from))
            .bind(millis(to))
            .bind(caller_phone)
            .bind(subject)
            .bind(place_key)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// The phones of the callers of tickets merged into `number` (its subscribers).
    pub async fn merged_callers(&self, number: &str) -> Result<Vec<String>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT DISTINCT caller_phone FROM tickets
             WHERE merged_into = $1 AND caller_phone IS NOT NULL ORDER BY caller_phone"
        )
        .bind(number)
        .fetch_all(db)
        .await?))
    }

    /// Records findings the sweeper found on a ticket, queueing the alerts of the new ones
    /// (as a ticket's own write does); returns how many were new.
    pub async fn record_ticket_findings(
        &self,
        number: &str,
        rows: &[NewFinding],
        alerts: &[(usize, Outbound)],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        Ok(write!(self, |tx| insert_ticket_findings!(
            tx, rows, alerts, number, now
        )))
    }

    /// Tickets matching a filter, newest first.
    /// The incoming-call pop-up: a caller's newest tickets within a region prefix, by the
    /// `tickets_caller` index (phone, received) rather than the general filter, whose
    /// `$n IS NULL OR …` terms keep the planner from using it.
    pub async fn tickets_of_caller(
        &self,
        phone: &str,
        region_prefix: &str,
        limit: i64,
    ) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "{TICKET} WHERE caller_phone = $1 AND region LIKE $2
             ORDER BY received_at DESC, id DESC LIMIT $3"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(phone)
            .bind(format!("{region_prefix}%"))
            .bind(limit.clamp(1, 5000))
            .fetch_all(db)
            .await?))
    }

    pub async fn tickets(&self, f: &TicketFilter) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "{TICKET} WHERE ($1 IS NULL OR region LIKE $1)
               AND ($2 IS NULL OR holder_department_id = $2)
               AND ($3 IS NULL OR status = $3)
               AND ($4 IS NULL OR caller_phone = $4)
               AND ($6 IS NULL OR subject = $6)
               AND ($7 IS NULL OR received_at >= $7)
               AND ($8 IS NULL OR received_at < $8)
             ORDER BY received_at DESC, id DESC LIMIT $5"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(f.region.as_ref().map(|r| format!("{r}%")))
            .bind(f.holder)
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.caller_phone.as_deref())
            .bind(f.limit.clamp(1, 5000))
            .bind(f.subject.as_deref())
            .bind(f.from.map(millis))
            .bind(f.to.map(millis))
            .fetch_all(db)
            .await?))
    }

    /// Tickets received in `[from, to)` in a region subtree, counted by subject and region:
    /// `(subject, subject name, region, count)`, for the monthly report.
    pub async fn ticket_counts(
        &self,
        region_prefix: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, String, String, i64)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT subject, subject_name, region, CAST(COUNT(*) AS BIGINT) FROM tickets
             WHERE region LIKE $1 AND received_at >= $2 AND received_at < $3
             GROUP BY subject, subject_name, region ORDER BY subject, region"
        )
        .bind(format!("{region_prefix}%"))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(db)
        .await?))
    }

    /// Replied tickets whose call-back may be overdue (replied before `before`), oldest first.
    pub async fn tickets_awaiting_callback(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "{TICKET} WHERE status = 'replied' AND replied_at < $1 ORDER BY replied_at LIMIT $2"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(millis(before))
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Open tickets (not yet closed) with row ids after `after`, by id: the calendar re-timing
    /// job's walk.
    pub async fn open_tickets_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, number FROM tickets WHERE id > $1 AND status <> $2 ORDER BY id LIMIT $3"
        )
        .bind(after)
        .bind(TicketStatus::Closed.as_str())
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    /// Re-times a ticket on a changed calendar without writing it (no event, no version): its
    /// due instant and its deadlines in the index, computed from `t` at `version`. A ticket that
    /// moved meanwhile is left alone (its own write re-timed it); returns whether it was
    /// re-timed.
    pub async fn retime_ticket(
        &self,
        id: i64,
        t: &Ticket,
        due_at: Option<DateTime<Utc>>,
        watches: &[Watch],
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query("UPDATE tickets SET due_at = $3 WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(i64::from(t.version))
                .bind(due_at.map(millis))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                let subject = ticket_subject(id, t);
                register_subject!(tx, &subject);
                let mut tally = Tally::default();
                sync_watches!(self, tx, tally, &subject.subject, &t.region, 0, watches);
                apply_tally!(tx, tally);
            }
            n == 1
        }))
    }

    // ---- the subject tree, routes and answers ----

    pub async fn create_hotline_subject(
        &self,
        code: &str,
        name: &str,
        parent: Option<&str>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("INSERT INTO hotline_subjects (code, name, parent) VALUES ($1, $2, $3)")
                .bind(code)
                .bind(name)
                .bind(parent)
                .execute(&mut *tx)
                .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("hotline_subject:{code}"),
                    ..audit
                }
            );
        });
        Ok(())
    }

    pub async fn hotline_subject(&self, code: &str) -> Result<Option<SubjectRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT code, name, parent FROM hotline_subjects WHERE code = $1"
        )
        .bind(code)
        .fetch_optional(db)
        .await?))
    }

    pub async fn hotline_subjects(&self) -> Result<Vec<SubjectRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT code, name, parent FROM hotline_subjects ORDER BY code"
        )
        .fetch_all(db)
        .await?))
    }

    /// Adds a unit to the routing table for a subject in a region subtree (`region` is a
    /// prefix), as 主办 (`lead`) or 协办.
    pub async fn set_hotline_route(
        &self,
        subject: &str,
        region: &str,
        department_id: i64,
        lead: bool,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO hotline_routes (subject, region, department_id, lead)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (subject, region, department_id) DO UPDATE SET lead = excluded.lead",
            )
            .bind(subject)
            .bind(region)
            .bind(department_id)
            .bind(i64::from(lead))
            .execute(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("hotline_route:{subject}@{region}"),
                    ..audit
                }
            );
        });
        Ok(())
    }

    /// The units routed for a subject at a region: the rows of the longest region prefix that
    /// has any, 主办 first.
    pub async fn hotline_route(&self, subject: &str, region: &str) -> Result<Vec<RouteRow>> {
        let rows: Vec<RouteRow> = read!(self, |db| sqlx::query_as(
            "SELECT r.region, r.department_id, d.name AS department_name, r.lead
             FROM hotline_routes r JOIN departments d ON d.id = r.department_id
             WHERE r.subject = $1 AND $2 LIKE r.region || '%'
             ORDER BY length(r.region) DESC, r.lead DESC, r.department_id"
        )
        .bind(subject)
        .bind(region)
        .fetch_all(db)
        .await?);
        let best = rows.first().map(|r| r.region.len()).unwrap_or(0);
        Ok(rows
            .into_iter()
            .filter(|r| r.region.len() == best)
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn add_hotline_answer(
        &self,
        subject: Option<&str>,
        region: &str,
        question: &str,
        answer: &str,
        approved_by: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO hotline_answers (subject, region, question, answer, approved_by,
                    approved_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(subject)
            .bind(region)
            .bind(question)
            .bind(answer)
            .bind(approved_by)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("hotline_answer:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn hotline_answer(&self, id: i64) -> Result<Option<AnswerRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT id, subject, region, question, answer, approved_by, approved_at
             FROM hotline_answers WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await?))
    }

    /// Approved answers whose question or answer contains every word of `q` (space-separated),
    /// for regions on the line of `region` (its own and its ancestors' answers).
    pub async fn search_hotline_answers(
        &self,
        q: &str,
        region: &str,
        limit: i64,
    ) -> Result<Vec<AnswerRow>> {
        let words: Vec<String> = q
            .split_whitespace()
            .take(5)
            .map(|w| {
                let esc = w
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{esc}%")
            })
            .collect();
        let mut sql = String::from(
            "SELECT id, subject, region, question, answer, approved_by, approved_at
             FROM hotline_answers WHERE $1 LIKE region || '%'",
        );
        for i in 0..words.len() {
            let p = i + 3;
            sql.push_str(&format!(
                " AND (question LIKE ${p} ESCAPE '\\' OR answer LIKE ${p} ESCAPE '\\')"
            ));
        }
        sql.push_str(" ORDER BY id LIMIT $2");
        Ok(read!(self, |db| {
            let mut query = sqlx::query_as(&sql).bind(region).bind(limit.clamp(1, 100));
            for w in &words {
                query = query.bind(w);
            }
            query.fetch_all(db).await?
        }))
    }
}

// ---- Open311 GeoReport v2 keys ----

impl Store {
    /// Keeps a new Open311 key (its SHA-256 only) issued by `by`; returns its id.
    pub async fn add_open311_key(
        &self,
        key_hash: &str,
        name: &str,
        by: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO open311_keys (key_hash, name, created_by, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(key_hash)
            .bind(name)
            .bind(by)
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("open311_key:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    /// The name of the unrevoked key with this SHA-256, if any.
    pub async fn open311_key(&self, key_hash: &str) -> Result<Option<String>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT name FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        )
        .bind(key_hash)
        .fetch_optional(db)
        .await?))
    }

    /// Every Open311 key issued, newest first: what an administrator reviews (never the key,
    /// which is not kept).
    pub async fn open311_keys(&self) -> Result<Vec<Open311KeyRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT k.id, k.name, k.created_by, u.name AS created_by_name, k.created_at,
                    k.revoked_at
             FROM open311_keys k LEFT JOIN users u ON u.id = k.created_by
             ORDER BY k.id DESC"
        )
        .fetch_all(db)
        .await?))
    }

    /// Revokes a key with its audit record; a key not found or already revoked is
    /// `NotFound("open311_key")` and nothing is written.
    pub async fn revoke_open311_key(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE open311_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::NotFound("open311_key"));
            }
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("open311_key:{id}"),
                    ..audit
                }
            );
        });
        Ok(())
    }
}

/// An Open311 key as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Open311KeyRow {
    pub id: i64,
    pub name: String,
    pub created_by: i64,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}
