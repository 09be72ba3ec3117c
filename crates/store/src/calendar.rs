//! The working-day calendar in force: the loaded years (one State Council notice each) and their
//! day rules. The store keeps only valid years: every write checks the year with the domain's
//! validation, and every read parses the rows back into [`YearCalendar`]s, so a bad row is
//! reported as [`StoreError::Corrupt`] instead of silently moving a due date.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::{DayKind, DayRule, YearCalendar};

use crate::{millis, Result, Store, StoreError};

/// The stored name of a rule's kind.
pub fn kind_str(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "holiday",
        DayKind::MakeupWorkday => "makeup_workday",
        DayKind::LocalClosure => "local_closure",
        DayKind::ExtraWorkday => "extra_workday",
    }
}

/// The kind a stored name stands for.
pub fn parse_kind(s: &str) -> Option<DayKind> {
    [
        DayKind::Holiday,
        DayKind::MakeupWorkday,
        DayKind::LocalClosure,
        DayKind::ExtraWorkday,
    ]
    .into_iter()
    .find(|k| kind_str(*k) == s)
}

fn date_str(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// One row of the years-joined-with-days read.
type Row = (i64, String, Option<String>, Option<String>, Option<String>);

/// Folds the joined rows (ordered by year, then date) into validated years.
fn years_of(rows: Vec<Row>) -> Result<Vec<YearCalendar>> {
    let corrupt = |what: String| StoreError::Corrupt(format!("calendar: {what}"));
    let mut out: Vec<YearCalendar> = Vec::new();
    for (year, notice, date, kind, name) in rows {
        let year = i32::try_from(year).map_err(|_| corrupt(format!("year {year}")))?;
        if out.last().is_none_or(|y| y.year != year) {
            out.push(YearCalendar {
                year,
                notice,
                days: Vec::new(),
            });
        }
        let (Some(date), Some(kind), Some(name)) = (date, kind, name) else {
            continue; // a year without rules (LEFT JOIN): nothing to add
        };
        let parsed = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| corrupt(format!("date {date:?}")))?;
        let kind = parse_kind(&kind).ok_or_else(|| corrupt(format!("{date}: kind {kind:?}")))?;
        if let Some(y) = out.last_mut() {
            y.days.push(DayRule {
                date: parsed,
                kind,
                name,
            });
        }
    }
    out.into_iter()
        .map(|y| {
            YearCalendar::new(y.year, y.notice, y.days)
                .map_err(|e| corrupt(format!("{} ({})", e, e.code())))
        })
        .collect()
}

/// Refuses to store what could not be read back.
fn check(year: &YearCalendar) -> Result<()> {
    year.validate()
        .map_err(|e| StoreError::Corrupt(format!("refusing an invalid calendar year: {e}")))
}

impl Store {
    /// Every loaded year with its rules, in year order (rules in date order). One statement, so
    /// both backends read one consistent snapshot.
    pub async fn calendar_years(&self) -> Result<Vec<YearCalendar>> {
        let rows: Vec<Row> = read!(self, |db| {
            sqlx::query_as(
                "SELECT y.year, y.notice, d.date, d.kind, d.name
                 FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year
                 ORDER BY y.year, d.date",
            )
            .fetch_all(db)
            .await?
        });
        years_of(rows)
    }

    /// Stores a year, replacing every rule it had, in one transaction with its audit record.
    /// `source` is `shipped:<version>`, `admin` or `ics`.
    pub async fn put_calendar_year(
        &self,
        year: &YearCalendar,
        source: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        check(year)?;
        let y = i64::from(year.year);
        write!(self, |tx| {
            sqlx::query("DELETE FROM calendar_days WHERE year = $1")
                .bind(y)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO calendar_years (year, notice, source, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (year) DO UPDATE SET notice = excluded.notice,
                    source = excluded.source, updated_at = excluded.updated_at",
            )
            .bind(y)
            .bind(&year.notice)
            .bind(source)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            for rule in &year.days {
                sqlx::query(
                    "INSERT INTO calendar_days (date, year, kind, name) VALUES ($1, $2, $3, $4)",
                )
                .bind(date_str(rule.date))
                .bind(y)
                .bind(kind_str(rule.kind))
                .bind(&rule.name)
                .execute(&mut *tx)
                .await?;
            }
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Adds or replaces the rule of one date in a loaded year. The year's `updated_at` becomes
    /// the audit entry's time. [`StoreError::NotFound`] when the year is not loaded.
    pub async fn upsert_calendar_day(
        &self,
        year: i32,
        rule: &DayRule,
        audit: AuditEntry,
    ) -> Result<()> {
        if rule.date.year() != year {
            return Err(StoreError::Corrupt(format!(
                "refusing a calendar rule for {} under year {year}",
                rule.date
            )));
        }
        let y = i64::from(year);
        let at = millis(audit.at);
        write!(self, |tx| {
            let found: Option<i64> = sqlx::query_scalar(
                "UPDATE calendar_years SET updated_at = $1 WHERE year = $2 RETURNING year",
            )
            .bind(at)
            .bind(y)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_none() {
                return Err(StoreError::NotFound("calendar year"));
            }
            sqlx::query(
                "INSERT INTO calendar_days (date, year, kind, name) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (date) DO UPDATE SET year = excluded.year, kind = excluded.kind,
                    name = excluded.name",
            )
            .bind(date_str(rule.date))
            .bind(y)
            .bind(kind_str(rule.kind))
            .bind(&rule.name)
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Removes the rule of one date (the date becomes an ordinary weekday or weekend day).
    /// [`StoreError::NotFound`] when the date has no rule.
    pub async fn delete_calendar_day(&self, date: NaiveDate, audit: AuditEntry) -> Result<()> {
        let at = millis(audit.at);
        write!(self, |tx| {
            let year: Option<i64> =
                sqlx::query_scalar("DELETE FROM calendar_days WHERE date = $1 RETURNING year")
                    .bind(date_str(date))
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(year) = year else {
                return Err(StoreError::NotFound("calendar day"));
            };
            sqlx::query("UPDATE calendar_years SET updated_at = $1 WHERE year = $2")
                .bind(at)
                .bind(year)
                .execute(&mut *tx)
                .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }
}
