//! Bulk loading for benchmarks at scale: millions of open cases copied from one real case,
//! generated inside the database (`generate_series` on PostgreSQL, a recursive CTE on SQLite),
//! with their committed deadline in the crossing index and the board's counters moved to match.
//! Nothing here runs in the product; it is the store's fastest path, measured by the bench.

use chrono::{DateTime, Duration, Utc};

use crate::{millis, Kind, Result, Store, StoreError};

/// What to generate.
#[derive(Debug, Clone)]
pub struct BulkCases {
    /// The case every generated one copies (its row and state document).
    pub template_case: i64,
    /// Numbers are `{prefix}{i}` for i in 1..=count.
    pub prefix: String,
    pub count: i64,
    /// Rows per transaction.
    pub batch: i64,
    /// The first case's yellow crossing; the n-th comes `(n - 1) * step` later.
    pub first_yellow: DateTime<Utc>,
    pub step: Duration,
    /// Red comes this long after yellow.
    pub red_after: Duration,
    /// Gather fresh statistics afterwards. A large load needs them; a small one added to a
    /// large table does not, and ANALYZE of ten million SQLite rows takes half a minute.
    pub analyze: bool,
}

const CASE_COLUMNS: &str = "number, item_id, item_version, basic_code, item_name, department_id,
    region, applicant_user_id, applicant_name, applicant_id_code, phone_tail, id_tail, agent_id,
    intake_hall_id, pickup_hall_id, channel, status, first_responder_id, awaiting_head,
    received_at, accepted_at, decided_at, closed_at, due_at, next_timer_at, state, version,
    updated_at";

const COPIED: &str = "$3 || g.i, t.item_id, t.item_version, t.basic_code, t.item_name,
    t.department_id, t.region, t.applicant_user_id, t.applicant_name, t.applicant_id_code,
    t.phone_tail, t.id_tail, t.agent_id, t.intake_hall_id, t.pickup_hall_id, t.channel, t.status,
    t.first_responder_id, t.awaiting_head, t.received_at, t.accepted_at, t.decided_at,
    t.closed_at, t.due_at, NULL, t.state, 1, t.updated_at";

impl Store {
    /// Generates `spec.count` open cases; returns how many were written.
    pub async fn bulk_open_cases(&self, spec: &BulkCases) -> Result<i64> {
        let insert_cases = match self.kind() {
            Kind::Postgres => format!(
                "INSERT INTO cases ({CASE_COLUMNS})
                 SELECT {COPIED} FROM cases t, generate_series($1::BIGINT, $2::BIGINT) AS g(i)
                 WHERE t.id = $4"
            ),
            Kind::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM g WHERE i < $2)
                 INSERT INTO cases ({CASE_COLUMNS})
                 SELECT {COPIED} FROM cases t, g WHERE t.id = $4"
            ),
        };
        // Crossings follow the generated order: the n-th case (id = base + n) is yellow at
        // first_yellow + (n - 1) * step.
        // Each case is a supervised subject (masked party, as `register_subject!` stores it).
        let insert_subjects = match self.kind() {
            Kind::Postgres => {
                "INSERT INTO subjects (kind, id, number, title, party, item_id, department_id,
                    hall_id, region, opened_at)
                 SELECT 'case', c.id, c.number, c.item_name,
                    left(c.applicant_name, 1) || repeat('*', char_length(c.applicant_name) - 1),
                    c.item_id, c.department_id, COALESCE(c.intake_hall_id, 0), c.region,
                    c.received_at
                 FROM cases c WHERE c.id > $1 AND c.id <= $2"
            }
            Kind::Sqlite => {
                "INSERT INTO subjects (kind, id, number, title, party, item_id, department_id,
                    hall_id, region, opened_at)
                 SELECT 'case', c.id, c.number, c.item_name,
                    substr(c.applicant_name, 1, 1)
                        || replace(hex(zeroblob(length(c.applicant_name) - 1)), '00', '*'),
                    c.item_id, c.department_id, COALESCE(c.intake_hall_id, 0), c.region,
                    c.received_at
                 FROM cases c WHERE c.id > $1 AND c.id <= $2"
            }
        };
        let insert_watches = "INSERT INTO clock_watch (subject_kind, subject_id, subject_number,
                clock, label, department_id, hall_id, region, assignee_id, yellow_at, red_at,
                light, next_at)
             SELECT 'case', c.id, c.number, 'committed', '承诺办结期限', c.department_id,
                COALESCE(c.intake_hall_id, 0), c.region, NULL,
                $1 + (c.id - $2 - 1) * $3, $1 + (c.id - $2 - 1) * $3 + $4, 0,
                $1 + (c.id - $2 - 1) * $3
             FROM cases c WHERE c.id > $5 AND c.id <= $6";
        let first_base: i64 = read!(self, |db| sqlx::query_scalar(
            "SELECT COALESCE(MAX(id), 0) FROM cases"
        )
        .fetch_one(db)
        .await?);
        let template: Option<(String, i64, Option<i64>)> = read!(self, |db| sqlx::query_as(
            "SELECT region, department_id, intake_hall_id FROM cases WHERE id = $1"
        )
        .bind(spec.template_case)
        .fetch_optional(db)
        .await?);
        let (region, dept, hall) = template.ok_or(StoreError::NotFound("template case"))?;
        let mut done = 0;
        while done < spec.count {
            let n = spec.batch.min(spec.count - done);
            write!(self, |tx| {
                let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(&insert_cases)
                    .bind(done + 1)
                    .bind(done + n)
                    .bind(&spec.prefix)
                    .bind(spec.template_case)
                    .execute(&mut *tx)
                    .await?;
                let after: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(insert_subjects)
                    .bind(before)
                    .bind(after)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(insert_watches)
                    .bind(millis(spec.first_yellow))
                    .bind(first_base)
                    .bind(spec.step.num_milliseconds())
                    .bind(spec.red_after.num_milliseconds())
                    .bind(before)
                    .bind(after)
                    .execute(&mut *tx)
                    .await?;
                bump!(tx, &region, dept, hall.unwrap_or(0), "open", "", n);
            });
            done += n;
        }
        // Fresh statistics, as autovacuum would gather after such a load, so the planner
        // reads the partial indexes instead of scanning.
        let analyze = match self.kind() {
            Kind::Postgres => "ANALYZE cases, subjects, clock_watch, board_counts",
            Kind::Sqlite => "ANALYZE",
        };
        if spec.analyze {
            write!(self, |tx| sqlx::query(analyze)
                .execute(&mut *tx)
                .await
                .map(drop)?);
        }
        Ok(done)
    }

    /// Generates `count` decided cases copied from a template, for the scores' benchmark: the
    /// i-th of department `departments[i % len]`, decided at an even spread over `[from, to)`,
    /// due two days after its decision except every tenth (due a day before: late), received
    /// three days before it. No subjects or watches (nothing of theirs is open). Returns how
    /// many were written.
    pub async fn bulk_decided_cases(
        &self,
        template_case: i64,
        prefix: &str,
        count: i64,
        departments: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64> {
        if departments.is_empty() || count <= 0 {
            return Ok(0);
        }
        let n = i64::try_from(departments.len()).unwrap_or(1);
        let dept_case = format!(
            "CASE (g.i % {n}) {} END",
            departments
                .iter()
                .enumerate()
                .map(|(k, d)| format!("WHEN {k} THEN {d}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let day = 86_400_000_i64;
        let span = (millis(to) - millis(from)).max(1);
        let decided = format!("({} + (g.i * {}) / {count})", millis(from), span - 1);
        let copied = format!(
            "$3 || g.i, t.item_id, t.item_version, t.basic_code, t.item_name, {dept_case},
             t.region, t.applicant_user_id, t.applicant_name, t.applicant_id_code, t.phone_tail,
             t.id_tail, t.agent_id, t.intake_hall_id, t.pickup_hall_id, t.channel, t.status,
             t.first_responder_id, t.awaiting_head, {decided} - {received}, {decided} - {received},
             {decided}, {decided},
             CASE WHEN g.i % 10 = 0 THEN {decided} - {day} ELSE {decided} + 2 * {day} END,
             NULL, t.state, 1, t.updated_at",
            received = 3 * day,
        );
        let sql = match self.kind() {
            Kind::Postgres => format!(
                "INSERT INTO cases ({CASE_COLUMNS})
                 SELECT {copied} FROM cases t, generate_series($1::BIGINT, $2::BIGINT) AS g(i)
                 WHERE t.id = $4"
            ),
            Kind::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM g WHERE i < $2)
                 INSERT INTO cases ({CASE_COLUMNS})
                 SELECT {copied} FROM cases t, g WHERE t.id = $4"
            ),
        };
        let batch = 50_000;
        let mut done = 0;
        while done < count {
            let k = batch.min(count - done);
            write!(self, |tx| sqlx::query(&sql)
                .bind(done + 1)
                .bind(done + k)
                .bind(prefix)
                .bind(template_case)
                .execute(&mut *tx)
                .await
                .map(drop)?);
            done += k;
        }
        let analyze = match self.kind() {
            Kind::Postgres => "ANALYZE cases",
            Kind::Sqlite => "ANALYZE",
        };
        write!(self, |tx| sqlx::query(analyze)
            .execute(&mut *tx)
            .await
            .map(drop)?);
        Ok(done)
    }

    /// Copies each of the disclosure requests numbered `templates` `count / templates.len()`
    /// times (numbers `{prefix}{i}`), row and state document, in batches of `batch`: the
    /// annual report's load at scale. The copies have no event log (the report reads the
    /// state documents only).
    pub async fn bulk_disclosure_copies(
        &self,
        templates: &[String],
        prefix: &str,
        count: i64,
        batch: i64,
    ) -> Result<i64> {
        const COLUMNS: &str = "number, department_id, region, applicant_kind, applicant_name,
            applicant_id_code, applicant_user_id, channel, status, filed_at, received_at,
            due_date, reply_kind, replied_at, closed_at, state, version, updated_at";
        const FROM: &str = "t.department_id, t.region, t.applicant_kind, t.applicant_name,
            t.applicant_id_code, NULL, t.channel, t.status, t.filed_at, t.received_at,
            t.due_date, t.reply_kind, t.replied_at, t.closed_at, t.state, 1, t.updated_at";
        let sql = match self.kind() {
            Kind::Postgres => format!(
                "INSERT INTO disclosure_requests ({COLUMNS})
                 SELECT $3 || g.i, {FROM}
                 FROM disclosure_requests t, generate_series($1::BIGINT, $2::BIGINT) AS g(i)
                 WHERE t.number = $4"
            ),
            Kind::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM g WHERE i < $2)
                 INSERT INTO disclosure_requests ({COLUMNS})
                 SELECT $3 || g.i, {FROM} FROM disclosure_requests t, g WHERE t.number = $4"
            ),
        };
        if templates.is_empty() {
            return Ok(0);
        }
        let per = count / templates.len() as i64;
        let mut done = 0;
        for (k, t) in templates.iter().enumerate() {
            let mut made = 0;
            while made < per {
                let n = batch.min(per - made);
                let first = (k as i64) * per + made + 1;
                write!(self, |tx| sqlx::query(&sql)
                    .bind(first)
                    .bind(first + n - 1)
                    .bind(prefix)
                    .bind(t)
                    .execute(&mut *tx)
                    .await
                    .map(drop)?);
                made += n;
            }
            done += made;
        }
        Ok(done)
    }

    /// Copies the catalog entry `template` `count` times (索引号 `{prefix}{i}`), in batches:
    /// table 二's load at scale.
    pub async fn bulk_catalog_copies(
        &self,
        template: i64,
        prefix: &str,
        count: i64,
        batch: i64,
    ) -> Result<i64> {
        const COLUMNS: &str = "index_no, department_id, region, heading, title, doc_number, body,
            amount_fen, formed_on, due_on, published_on, abolished_on, status, created_by,
            created_at, updated_at";
        const FROM: &str = "t.department_id, t.region, t.heading, t.title, t.doc_number, t.body,
            t.amount_fen, t.formed_on, t.due_on, t.published_on, t.abolished_on, t.status,
            t.created_by, t.created_at, t.updated_at";
        let sql = match self.kind() {
            Kind::Postgres => format!(
                "INSERT INTO disclosure_catalog ({COLUMNS})
                 SELECT $3 || g.i, {FROM}
                 FROM disclosure_catalog t, generate_series($1::BIGINT, $2::BIGINT) AS g(i)
                 WHERE t.id = $4"
            ),
            Kind::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM g WHERE i < $2)
                 INSERT INTO disclosure_catalog ({COLUMNS})
                 SELECT $3 || g.i, {FROM} FROM disclosure_catalog t, g WHERE t.id = $4"
            ),
        };
        let mut done = 0;
        while done < count {
            let n = batch.min(count - done);
            write!(self, |tx| sqlx::query(&sql)
                .bind(done + 1)
                .bind(done + n)
                .bind(prefix)
                .bind(template)
                .execute(&mut *tx)
                .await
                .map(drop)?);
            done += n;
        }
        Ok(done)
    }

    /// Copies the tickets `templates` (rows and whole event logs) until `count` more exist, for
    /// the hotline's benchmarks: the copies cycle through the templates, numbered
    /// `{day_prefix}{i:06}` (`day_prefix` is `H` and a date no real ticket of the run has), with
    /// a caller phone of their own (`139` and eight digits) so the incoming-call pop-up finds a
    /// few each. Not registered as supervised subjects: the benchmarks read tickets, not the
    /// board. At most 999 999 per prefix. Returns how many were written.
    pub async fn bulk_tickets(
        &self,
        templates: &[i64],
        day_prefix: &str,
        count: i64,
        batch: i64,
    ) -> Result<i64> {
        if templates.is_empty() || count <= 0 {
            return Ok(0);
        }
        let count = count.min(999_999);
        let (series, pad, phone) = match self.kind() {
            Kind::Postgres => (
                "generate_series($1::BIGINT, $2::BIGINT) AS g(i)",
                "lpad(g.i::TEXT, 6, '0')",
                "'139' || lpad((g.i % 50000000)::TEXT, 8, '0')",
            ),
            Kind::Sqlite => (
                "(WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i < $2)
                  SELECT i FROM s) AS g",
                "printf('%06d', g.i)",
                "'139' || printf('%08d', g.i % 50000000)",
            ),
        };
        let insert = format!(
            "INSERT INTO tickets (number, category, channel, subject, subject_name, region, status,
                holder_department_id, caller_phone, caller_tail, confidential, urgent,
                efficiency_department_id, summary, received_at, due_at, replied_at, closed_at,
                returns, reworks, callback, version, place_key, merged_into)
             SELECT $3 || {pad}, t.category, t.channel, t.subject, t.subject_name, t.region,
                t.status, t.holder_department_id, {phone}, substr({phone}, 8, 4),
                t.confidential, t.urgent, t.efficiency_department_id, t.summary, t.received_at,
                t.due_at, t.replied_at, t.closed_at, t.returns, t.reworks, t.callback, t.version,
                t.place_key, NULL
             FROM tickets t, {series} WHERE t.id = $4"
        );
        let events = "INSERT INTO ticket_events (ticket_id, seq, kind, at, actor_id, actor,
                department_id, body)
             SELECT n.id, e.seq, e.kind, e.at, e.actor_id, e.actor, e.department_id, e.body
             FROM tickets n, ticket_events e WHERE n.id > $1 AND n.id <= $2 AND e.ticket_id = $3";
        let per = batch.max(1);
        let mut done = 0;
        let mut k = 0usize;
        while done < count {
            let n = per.min(count - done);
            let template = templates[k % templates.len()];
            k += 1;
            write!(self, |tx| {
                let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(&insert)
                    .bind(done + 1)
                    .bind(done + n)
                    .bind(day_prefix)
                    .bind(template)
                    .execute(&mut *tx)
                    .await?;
                let after: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(events)
                    .bind(before)
                    .bind(after)
                    .bind(template)
                    .execute(&mut *tx)
                    .await?;
            });
            done += n;
        }
        let analyze = match self.kind() {
            Kind::Postgres => "ANALYZE tickets, ticket_events",
            Kind::Sqlite => "ANALYZE",
        };
        write!(self, |tx| sqlx::query(analyze)
            .execute(&mut *tx)
            .await
            .map(drop)?);
        Ok(done)
    }

    /// The bytes the database's tables and indexes take (this schema on PostgreSQL).
    pub async fn size_bytes(&self) -> Result<i64> {
        Ok(match self.kind() {
            Kind::Postgres => read!(self, |db| sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
            .fetch_one(db)
            .await?),
            Kind::Sqlite => read!(self, |db| sqlx::query_scalar(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
            .fetch_one(db)
            .await?),
        })
    }
}
