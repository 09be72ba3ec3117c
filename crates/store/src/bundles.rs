//! 一件事一次办 bundles in storage: the bundle entries of the catalog (each version the whole
//! `Bundle` as a JSON document, with its history, reviewed like items), and the filing of a
//! bundle: one row for the filing and one case per member, all written in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::bundle::Bundle;
use tongban_domain::catalog::ItemStatus;
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::SubjectRef;

use crate::cases::{
    append_events, case_subject, insert_case, open_status, sync_board, tally_day, write_rows,
    Before, CaseWrite, Idempotency,
};
use crate::catalog::ItemEventNew;
use crate::{instant, millis, Result, Store, StoreError, Tally};

fn opt_millis(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(millis)
}

/// The summary row of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BundleSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region_code: String,
    pub themes: String,
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    pub published_version: Option<i64>,
    pub latest_version: i64,
    pub updated_at: i64,
}

/// One version of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleVersion {
    pub bundle_id: i64,
    pub version: i64,
    pub status: ItemStatus,
    pub bundle: Bundle,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    bundle_id: i64,
    version: i64,
    #[sqlx(try_from = "String")]
    status: ItemStatus,
    document: String,
    created_at: i64,
    created_by: String,
    published_at: Option<i64>,
}

impl TryFrom<VersionRow> for BundleVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<Self> {
        let bundle = serde_json::from_str(&r.document).map_err(|e| {
            StoreError::Corrupt(format!("bundle {} v{}: {e}", r.bundle_id, r.version))
        })?;
        Ok(BundleVersion {
            bundle_id: r.bundle_id,
            version: r.version,
            status: r.status,
            bundle,
            created_at: instant(r.created_at)?,
            created_by: r.created_by,
            published_at: r.published_at.map(instant).transpose()?,
        })
    }
}

/// One entry of a bundle's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BundleEvent {
    pub id: i64,
    pub bundle_id: i64,
    pub version: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub role: String,
    pub comment: String,
    pub at: i64,
}

const SUMMARY: &str = "SELECT id, code, name, region_code, themes, status, published_version,
        latest_version, updated_at FROM bundles";

const VERSION: &str = "SELECT bundle_id, version, status, document, created_at, created_by,
        published_at FROM bundle_versions";

fn json(bundle: &Bundle) -> Result<String> {
    serde_json::to_string(bundle).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn themes(bundle: &Bundle) -> String {
    format!("|{}|", bundle.themes.join("|"))
}

/// Appends a bundle event inside `$tx`.
macro_rules! bundle_event {
    ($tx:ident, $id:expr, $version:expr, $from:expr, $to:expr, $event:expr, $now:expr) => {{
        let e: &ItemEventNew = $event;
        sqlx::query(
            "INSERT INTO bundle_events (bundle_id, version, action, from_status, to_status,
                actor_id, actor, role, comment, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($id)
        .bind($version)
        .bind(&e.action)
        .bind($from)
        .bind($to)
        .bind(e.actor_id)
        .bind(&e.actor)
        .bind(&e.role)
        .bind(&e.comment)
        .bind(millis($now))
        .execute(&mut *$tx)
        .await?;
    }};
}

/// A filed bundle as read back, with its member cases in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BundleCaseRow {
    pub id: i64,
    pub number: String,
    pub bundle_id: i64,
    pub bundle_version: i64,
    pub bundle_name: String,
    pub region: String,
    pub applicant_user_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub filed_by: i64,
    pub received_at: i64,
}

/// A member case of a filed bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BundleMember {
    pub position: i64,
    pub case_id: i64,
    pub case_number: String,
}

/// What a bundle filing records beside its member cases.
#[derive(Debug, Clone)]
pub struct BundleCaseNew {
    pub bundle_id: i64,
    pub bundle_version: i64,
    pub bundle_name: String,
    pub region: String,
    pub applicant_user_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub filed_by: i64,
}

/// What [`Store::create_bundle_case`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleCreated {
    New {
        id: i64,
        number: String,
    },
    /// The idempotency key was used before for the same request: its filing.
    Repeat {
        number: String,
    },
    /// The idempotency key was used before for another request.
    Mismatch {
        number: String,
    },
}

/// The member cases a bundle filing writes, and the audit record of the filing itself.
pub struct BundleWrite {
    pub number: String,
    pub cases: Vec<CaseWrite>,
    pub audit: AuditEntry,
}

impl Store {
    /// Creates a bundle with its first version as a draft.
    pub async fn create_bundle(
        &self,
        bundle: &Bundle,
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let doc = json(bundle)?;
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO bundles (code, name, region_code, themes, status, published_version,
                    latest_version, updated_at)
                 VALUES ($1, $2, $3, $4, 'draft', NULL, 1, $5) RETURNING id",
            )
            .bind(&bundle.code)
            .bind(&bundle.name)
            .bind(bundle.region.as_str())
            .bind(themes(bundle))
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO bundle_versions (bundle_id, version, status, document, created_at,
                    created_by) VALUES ($1, 1, 'draft', $2, $3, $4)",
            )
            .bind(id)
            .bind(&doc)
            .bind(millis(now))
            .bind(&event.actor)
            .execute(&mut *tx)
            .await?;
            bundle_event!(tx, id, 1i64, None::<&str>, "draft", event, now);
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("bundle:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    /// Replaces the document of a draft version; refused (a conflict) once it is submitted.
    pub async fn save_bundle_draft(
        &self,
        id: i64,
        version: i64,
        bundle: &Bundle,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let doc = json(bundle)?;
        write!(self, |tx| {
            let done = sqlx::query(
                "UPDATE bundle_versions SET document = $1
                 WHERE bundle_id = $2 AND version = $3 AND status = 'draft'",
            )
            .bind(&doc)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict("bundle version is not a draft".into()));
            }
            sqlx::query(
                "UPDATE bundles SET name = $1, themes = $2, updated_at = $3
                 WHERE id = $4 AND published_version IS NULL",
            )
            .bind(&bundle.name)
            .bind(themes(bundle))
            .bind(millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Moves a version from `from` to `to` if it is still in `from` (two reviewers at once
    /// cannot both win). Publishing supersedes the version in force.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_bundle(
        &self,
        id: i64,
        version: i64,
        from: ItemStatus,
        to: ItemStatus,
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            let published_at = (to == ItemStatus::Published).then_some(millis(now));
            let done = sqlx::query(
                "UPDATE bundle_versions SET status = $1, published_at = COALESCE($2, published_at)
                 WHERE bundle_id = $3 AND version = $4 AND status = $5",
            )
            .bind(to.as_str())
            .bind(published_at)
            .bind(id)
            .bind(version)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(
                    "bundle version changed meanwhile".into(),
                ));
            }
            if to == ItemStatus::Published {
                sqlx::query(
                    "UPDATE bundle_versions SET status = 'superseded'
                     WHERE bundle_id = $1 AND version <> $2 AND status = 'published'",
                )
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
                let doc: String = sqlx::query_scalar(
                    "SELECT document FROM bundle_versions WHERE bundle_id = $1 AND version = $2",
                )
                .bind(id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?;
                let bundle: Bundle =
                    serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "UPDATE bundles SET status = 'published', published_version = $1, name = $2,
                        themes = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(version)
                .bind(&bundle.name)
                .bind(themes(&bundle))
                .bind(millis(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE bundles SET status = CASE
                            WHEN published_version IS NULL OR published_version = $1 THEN $2
                            ELSE status END,
                        updated_at = $3
                     WHERE id = $4",
                )
                .bind(version)
                .bind(to.as_str())
                .bind(millis(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            bundle_event!(
                tx,
                id,
                version,
                Some(from.as_str()),
                to.as_str(),
                event,
                now
            );
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Opens a new draft version copied from the version in force; refused while another
    /// version is open.
    pub async fn new_bundle_version(
        &self,
        id: i64,
        from_version: i64,
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bundle_versions WHERE bundle_id = $1
                    AND status IN ('draft', 'first_review', 'second_review', 'final_review')",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if open > 0 {
                return Err(StoreError::Conflict("an open version exists".into()));
            }
            let version: i64 = sqlx::query_scalar(
                "UPDATE bundles SET latest_version = latest_version + 1, updated_at = $1
                 WHERE id = $2 RETURNING latest_version",
            )
            .bind(millis(now))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let done = sqlx::query(
                "INSERT INTO bundle_versions (bundle_id, version, status, document, created_at,
                    created_by)
                 SELECT bundle_id, $1, 'draft', document, $2, $3 FROM bundle_versions
                 WHERE bundle_id = $4 AND version = $5",
            )
            .bind(version)
            .bind(millis(now))
            .bind(&event.actor)
            .bind(id)
            .bind(from_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::NotFound("bundle version"));
            }
            bundle_event!(tx, id, version, None::<&str>, "draft", event, now);
            audit!(self, tx, audit);
            version
        }))
    }

    pub async fn bundle(&self, id: i64) -> Result<Option<BundleSummary>> {
        let sql = format!("{SUMMARY} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    pub async fn bundle_by_code(&self, code: &str) -> Result<Option<BundleSummary>> {
        let sql = format!("{SUMMARY} WHERE code = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(code)
            .fetch_optional(db)
            .await?))
    }

    /// Bundles of a region subtree, in one status when given, by code.
    pub async fn bundles(
        &self,
        region: Option<&RegionCode>,
        status: Option<ItemStatus>,
    ) -> Result<Vec<BundleSummary>> {
        let sql = format!(
            "{SUMMARY} WHERE region_code LIKE $1 AND ($2 IS NULL OR status = $2) ORDER BY code"
        );
        let prefix = format!("{}%", region.map_or("", RegionCode::prefix));
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(&prefix)
            .bind(status.map(ItemStatus::as_str))
            .fetch_all(db)
            .await?))
    }

    pub async fn bundle_version(&self, id: i64, version: i64) -> Result<Option<BundleVersion>> {
        let sql = format!("{VERSION} WHERE bundle_id = $1 AND version = $2");
        let row: Option<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .bind(version)
            .fetch_optional(db)
            .await?);
        row.map(BundleVersion::try_from).transpose()
    }

    pub async fn bundle_versions(&self, id: i64) -> Result<Vec<BundleVersion>> {
        let sql = format!("{VERSION} WHERE bundle_id = $1 ORDER BY version DESC");
        let rows: Vec<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_all(db)
            .await?);
        rows.into_iter().map(BundleVersion::try_from).collect()
    }

    /// Versions in one status across a region (a reviewer's queue).
    pub async fn bundle_versions_in_status(
        &self,
        status: ItemStatus,
        region: Option<&RegionCode>,
    ) -> Result<Vec<BundleVersion>> {
        let sql = format!(
            "{VERSION} WHERE status = $1 AND bundle_id IN
                (SELECT id FROM bundles WHERE region_code LIKE $2) ORDER BY bundle_id"
        );
        let prefix = format!("{}%", region.map_or("", RegionCode::prefix));
        let rows: Vec<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(status.as_str())
            .bind(&prefix)
            .fetch_all(db)
            .await?);
        rows.into_iter().map(BundleVersion::try_from).collect()
    }

    pub async fn bundle_events(&self, id: i64) -> Result<Vec<BundleEvent>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, bundle_id, version, action, from_status, to_status, actor_id, actor,
                    role, comment, at
                 FROM bundle_events WHERE bundle_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(db)
            .await?
        }))
    }

    /// The filing a key made before, if any: the same request gets it back, another one a
    /// mismatch.
    async fn bundle_repeated(&self, idem: Idempotency<'_>) -> Result<Option<BundleCreated>> {
        let row: Option<(String, Option<String>)> = read!(self, |db| {
            sqlx::query_as(
                "SELECT number, request_hash FROM bundle_cases WHERE filed_by = $1 AND idem_key = $2",
            )
            .bind(idem.actor_id)
            .bind(idem.key)
            .fetch_optional(db)
            .await?
        });
        Ok(row.map(|(number, hash)| match hash {
            Some(h) if h != idem.request_hash => BundleCreated::Mismatch { number },
            _ => BundleCreated::Repeat { number },
        }))
    }

    /// Files a bundle: takes the filing's number (`YJ` and its region, day) and one case number
    /// for each member's region, lets `build` make the member cases' writes for them, and
    /// writes the filing, every member case (with its steps, deadlines, board counters, events
    /// and audit records) and the links between them in one transaction: all or nothing. A key
    /// used before answers with its first filing.
    pub async fn create_bundle_case<E>(
        &self,
        new: &BundleCaseNew,
        day: NaiveDate,
        member_regions: &[String],
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        build: impl FnOnce(u32, &[u32]) -> std::result::Result<BundleWrite, E>,
    ) -> Result<std::result::Result<BundleCreated, E>> {
        if let Some(idem) = idempotency {
            if let Some(found) = self.bundle_repeated(idem).await? {
                return Ok(Ok(found));
            }
        }
        match self
            .insert_bundle_case(new, day, member_regions, idempotency, now, build)
            .await
        {
            // A concurrent retry with the same key won the race: answer with its filing.
            Err(StoreError::Conflict(c)) => {
                let Some(idem) = idempotency else {
                    return Err(StoreError::Conflict(c));
                };
                match self.bundle_repeated(idem).await? {
                    Some(found) => Ok(Ok(found)),
                    None => Err(StoreError::Conflict(c)),
                }
            }
            other => other,
        }
    }

    async fn insert_bundle_case<E>(
        &self,
        new: &BundleCaseNew,
        day: NaiveDate,
        member_regions: &[String],
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        build: impl FnOnce(u32, &[u32]) -> std::result::Result<BundleWrite, E>,
    ) -> Result<std::result::Result<BundleCreated, E>> {
        let day_text = day.format("%Y%m%d").to_string();
        let next = "INSERT INTO case_numbers (region, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (region, day) DO UPDATE SET last = case_numbers.last + 1
             RETURNING last";
        let to_seq = |n: i64| {
            u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("case sequence {n}")))
        };
        Ok(write!(self, |tx| {
            // The filings' own sequence lives beside the cases' under a prefixed region.
            let own: i64 = sqlx::query_scalar(next)
                .bind(format!("YJ-{}", new.region))
                .bind(&day_text)
                .fetch_one(&mut *tx)
                .await?;
            let mut seqs = Vec::with_capacity(member_regions.len());
            for region in member_regions {
                let seq: i64 = sqlx::query_scalar(next)
                    .bind(region)
                    .bind(&day_text)
                    .fetch_one(&mut *tx)
                    .await?;
                seqs.push(to_seq(seq)?);
            }
            match build(to_seq(own)?, &seqs) {
                // Dropping the transaction rolls the numbers back: a refusal leaves no gaps.
                Err(e) => return Ok(Err(e)),
                Ok(bw) => {
                    let bundle_case_id: i64 = sqlx::query_scalar(
                        "INSERT INTO bundle_cases (number, bundle_id, bundle_version, bundle_name,
                            region, applicant_user_id, agent_id, filed_by, received_at, idem_key,
                            request_hash)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    )
                    .bind(&bw.number)
                    .bind(new.bundle_id)
                    .bind(new.bundle_version)
                    .bind(&new.bundle_name)
                    .bind(&new.region)
                    .bind(new.applicant_user_id)
                    .bind(new.agent_id)
                    .bind(new.filed_by)
                    .bind(millis(now))
                    .bind(idempotency.map(|i| i.key))
                    .bind(idempotency.map(|i| i.request_hash))
                    .fetch_one(&mut *tx)
                    .await?;
                    for (position, w) in bw.cases.iter().enumerate() {
                        let id: i64 = insert_case!(tx, w, now);
                        register_subject!(tx, &case_subject(id, &w.projection));
                        write_rows!(self, tx, id, w);
                        let mut tally = Tally::default();
                        sync_board!(self, tx, tally, id, None, w);
                        apply_tally!(tx, tally);
                        append_events!(self, tx, id, w);
                        sqlx::query(
                            "INSERT INTO bundle_case_members (bundle_case_id, position, case_id,
                                case_number) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(bundle_case_id)
                        .bind(position as i64)
                        .bind(id)
                        .bind(&w.projection.number)
                        .execute(&mut *tx)
                        .await?;
                    }
                    audit!(
                        self,
                        tx,
                        AuditEntry {
                            target: format!("bundle_case:{}", bw.number),
                            ..bw.audit
                        }
                    );
                    Ok(BundleCreated::New {
                        id: bundle_case_id,
                        number: bw.number,
                    })
                }
            }
        }))
    }

    /// A filed bundle by its number, with its members in order.
    pub async fn bundle_case(
        &self,
        number: &str,
    ) -> Result<Option<(BundleCaseRow, Vec<BundleMember>)>> {
        let row: Option<BundleCaseRow> = read!(self, |db| {
            sqlx::query_as(
                "SELECT id, number, bundle_id, bundle_version, bundle_name, region,
                    applicant_user_id, agent_id, filed_by, received_at
                 FROM bundle_cases WHERE number = $1",
            )
            .bind(number)
            .fetch_optional(db)
            .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let members: Vec<BundleMember> = read!(self, |db| {
            sqlx::query_as(
                "SELECT position, case_id, case_number FROM bundle_case_members
                 WHERE bundle_case_id = $1 ORDER BY position",
            )
            .bind(row.id)
            .fetch_all(db)
            .await?
        });
        Ok(Some((row, members)))
    }

    /// The filed bundle a case belongs to, if any: (its number, the bundle's name).
    pub async fn bundle_of_case(&self, case_id: i64) -> Result<Option<(String, String)>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT b.number, b.bundle_name FROM bundle_case_members m
                 JOIN bundle_cases b ON b.id = m.bundle_case_id WHERE m.case_id = $1",
            )
            .bind(case_id)
            .fetch_optional(db)
            .await?
        }))
    }

    /// The bundles an applicant filed or had filed for them, newest first.
    pub async fn bundle_cases_of(&self, user_id: i64) -> Result<Vec<BundleCaseRow>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, number, bundle_id, bundle_version, bundle_name, region,
                    applicant_user_id, agent_id, filed_by, received_at
                 FROM bundle_cases WHERE applicant_user_id = $1 OR filed_by = $1
                 ORDER BY id DESC LIMIT 50",
            )
            .bind(user_id)
            .fetch_all(db)
            .await?
        }))
    }
}
