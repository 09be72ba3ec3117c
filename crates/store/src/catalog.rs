//! The catalog in storage: items, their versions (each the whole `Item` as a JSON document, so
//! a case can always read the exact version it was accepted under), the history of actions on
//! them, and content-addressed files for templates and samples.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_domain::audit::AuditEntry;
use tongban_domain::catalog::{Item, ItemStatus};
use tongban_domain::region::RegionCode;

use crate::{instant, millis, Result, Store, StoreError};

/// The summary row of an item: what lists and filters need without reading documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemSummary {
    pub id: i64,
    pub implementation_code: String,
    pub basic_code: String,
    pub name: String,
    pub item_type: String,
    pub department_id: i64,
    pub region_code: String,
    pub level: String,
    pub service_object: String,
    pub online_depth: i64,
    pub themes: String,
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    pub published_version: Option<i64>,
    pub latest_version: i64,
    pub updated_at: i64,
}

impl ItemSummary {
    pub fn theme_list(&self) -> Vec<&str> {
        self.themes.split('|').filter(|t| !t.is_empty()).collect()
    }
}

/// One version of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemVersion {
    pub item_id: i64,
    pub version: i64,
    pub status: ItemStatus,
    pub item: Item,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    item_id: i64,
    version: i64,
    #[sqlx(try_from = "String")]
    status: ItemStatus,
    document: String,
    created_at: i64,
    created_by: String,
    published_at: Option<i64>,
}

impl TryFrom<VersionRow> for ItemVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<Self> {
        let item = serde_json::from_str(&r.document)
            .map_err(|e| StoreError::Corrupt(format!("item {} v{}: {e}", r.item_id, r.version)))?;
        Ok(ItemVersion {
            item_id: r.item_id,
            version: r.version,
            status: r.status,
            item,
            created_at: instant(r.created_at)?,
            created_by: r.created_by,
            published_at: r.published_at.map(instant).transpose()?,
        })
    }
}

/// One entry of an item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemEvent {
    pub id: i64,
    pub item_id: i64,
    pub version: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub role: String,
    pub comment: String,
    pub effective_date: Option<String>,
    pub at: i64,
}

/// Who did something to an item, and why.
#[derive(Debug, Clone)]
pub struct ItemEventNew {
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub role: String,
    pub comment: String,
    pub effective_date: Option<String>,
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub region: Option<RegionCode>,
    pub department_id: Option<i64>,
    pub status: Option<ItemStatus>,
    pub level: Option<String>,
    pub theme: Option<String>,
    /// `person` or `company`: items serving them (including `both`).
    pub serves: Option<String>,
    pub online_depth: Option<i64>,
    pub item_type: Option<String>,
    pub basic_code: Option<String>,
}

const SUMMARY: &str = "SELECT id, implementation_code, basic_code, name, item_type, department_id,
        region_code, level, service_object, online_depth, themes, status, published_version,
        latest_version, updated_at
    FROM items";

const VERSION: &str =
    "SELECT item_id, version, status, document, created_at, created_by, published_at FROM item_versions";

fn json(item: &Item) -> Result<String> {
    serde_json::to_string(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Inserts a new item and its first version as a draft inside `$tx`; evaluates to its id.
macro_rules! insert_item {
    ($tx:ident, $item:expr, $event:expr, $now:expr) => {{
        let item: &Item = $item;
        let id: i64 = sqlx::query_scalar(INSERT_ITEM)
            .bind(item.implementation_code.as_str())
            .bind(item.basic_code.as_str())
            .bind(&item.name)
            .bind(item.item_type.prefix())
            .bind(item.department_id)
            .bind(item.region.as_str())
            .bind(item.level.as_str())
            .bind(service_object(item))
            .bind(i64::from(item.online_depth))
            .bind(themes(item))
            .bind(millis($now))
            .fetch_one(&mut *$tx)
            .await?;
        sqlx::query(INSERT_VERSION)
            .bind(id)
            .bind(1i64)
            .bind(json(item)?)
            .bind(millis($now))
            .bind(&$event.actor)
            .bind(item.handling.as_str())
            .execute(&mut *$tx)
            .await?;
        insert_event!($tx, id, 1i64, None::<&str>, "draft", $event, $now);
        id
    }};
}

const INSERT_ITEM: &str = "INSERT INTO items (implementation_code, basic_code, name, item_type,
        department_id, region_code, level, service_object, online_depth, themes, status,
        published_version, latest_version, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', NULL, 1, $11) RETURNING id";

const INSERT_VERSION: &str = "INSERT INTO item_versions (item_id, version, status, document,
        created_at, created_by, handling)
    VALUES ($1, $2, 'draft', $3, $4, $5, $6)";

const OPEN_VERSIONS: &str = "SELECT COUNT(*) FROM item_versions WHERE item_id = $1
    AND status IN ('draft', 'first_review', 'second_review', 'final_review')";

fn service_object(item: &Item) -> String {
    serde_json::to_value(item.service_object)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn themes(item: &Item) -> String {
    format!("|{}|", item.themes.join("|"))
}

/// What an import does to one item.
#[derive(Debug, Clone)]
pub enum ImportOp {
    /// A new item, drafted as version 1.
    Create(Item),
    /// The item's open draft takes the imported content.
    ReplaceDraft {
        item_id: i64,
        version: i64,
        item: Item,
    },
    /// A published item gets a new draft version with the imported content.
    NewVersion { item_id: i64, item: Item },
}

/// A stored file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredFile {
    pub hash: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub content: Vec<u8>,
}

impl Store {
    /// Creates an item with its first version as a draft.
    pub async fn create_item(
        &self,
        item: &Item,
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id = insert_item!(tx, item, event, now);
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("item:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    /// Replaces the document of a draft version. Refused (as a conflict) if the version is no
    /// longer a draft: a submitted version is fixed evidence.
    pub async fn save_item_draft(
        &self,
        item_id: i64,
        version: i64,
        item: &Item,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let doc = json(item)?;
        write!(self, |tx| {
            let done = sqlx::query(
                "UPDATE item_versions SET document = $1, handling = $4
                 WHERE item_id = $2 AND version = $3 AND status = 'draft'",
            )
            .bind(&doc)
            .bind(item_id)
            .bind(version)
            .bind(item.handling.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict("item version is not a draft".into()));
            }
            sqlx::query(
                "UPDATE items SET name = $1, item_type = $2, online_depth = $3, themes = $4,
                    service_object = $5, updated_at = $6
                 WHERE id = $7 AND published_version IS NULL",
            )
            .bind(&item.name)
            .bind(item.item_type.prefix())
            .bind(i64::from(item.online_depth))
            .bind(themes(item))
            .bind(
                serde_json::to_value(item.service_object)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            )
            .bind(millis(now))
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    /// Moves a version from `from` to `to` and records why. The update is conditional on the
    /// version still being in `from`, so two reviewers acting at once cannot both win.
    /// Publishing supersedes the version in force and puts this one in its place.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_item(
        &self,
        item_id: i64,
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
                "UPDATE item_versions SET status = $1, published_at = COALESCE($2, published_at)
                 WHERE item_id = $3 AND version = $4 AND status = $5",
            )
            .bind(to.as_str())
            .bind(published_at)
            .bind(item_id)
            .bind(version)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(
                    "item version changed meanwhile".into(),
                ));
            }
            if to == ItemStatus::Published {
                sqlx::query(
                    "UPDATE item_versions SET status = 'superseded'
                     WHERE item_id = $1 AND version <> $2 AND status = 'published'",
                )
                .bind(item_id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
                let doc: String = sqlx::query_scalar(
                    "SELECT document FROM item_versions WHERE item_id = $1 AND version = $2",
                )
                .bind(item_id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?;
                let item: Item =
                    serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "UPDATE items SET status = 'published', published_version = $1, name = $2,
                        item_type = $3, online_depth = $4, themes = $5, service_object = $6,
                        department_id = $7, updated_at = $8
                     WHERE id = $9",
                )
                .bind(version)
                .bind(&item.name)
                .bind(item.item_type.prefix())
                .bind(i64::from(item.online_depth))
                .bind(themes(&item))
                .bind(
                    serde_json::to_value(item.service_object)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                )
                .bind(item.department_id)
                .bind(millis(now))
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
            } else {
                // The item's status follows the version in force; before any is published, the
                // latest version's.
                sqlx::query(
                    "UPDATE items SET status = CASE
                            WHEN published_version IS NULL OR published_version = $1 THEN $2
                            ELSE status END,
                        updated_at = $3
                     WHERE id = $4",
                )
                .bind(version)
                .bind(to.as_str())
                .bind(millis(now))
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
            }
            insert_event!(
                tx,
                item_id,
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

    /// Opens a new draft version copied from `from_version`. Refused while another version is
    /// being drafted or reviewed: one change at a time.
    pub async fn new_item_version(
        &self,
        item_id: i64,
        from_version: i64,
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let open: i64 = sqlx::query_scalar(OPEN_VERSIONS)
                .bind(item_id)
                .fetch_one(&mut *tx)
                .await?;
            if open > 0 {
                return Err(StoreError::Conflict("an open version exists".into()));
            }
            let latest: i64 = sqlx::query_scalar("SELECT latest_version FROM items WHERE id = $1")
                .bind(item_id)
                .fetch_one(&mut *tx)
                .await?;
            let version = latest + 1;
            let done = sqlx::query(
                "INSERT INTO item_versions (item_id, version, status, document, created_at, created_by,
                    handling)
                 SELECT item_id, $1, 'draft', document, $2, $3, handling FROM item_versions
                 WHERE item_id = $4 AND version = $5",
            )
            .bind(version)
            .bind(millis(now))
            .bind(&event.actor)
            .bind(item_id)
            .bind(from_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::NotFound("item version"));
            }
            sqlx::query("UPDATE items SET latest_version = $1, updated_at = $2 WHERE id = $3")
                .bind(version)
                .bind(millis(now))
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
            insert_event!(tx, item_id, version, None::<&str>, "draft", event, now);
            audit!(self, tx, audit);
            version
        }))
    }

    /// Applies a whole import in one transaction: every item is created, replaces its draft or
    /// opens a new version, or nothing is written at all.
    pub async fn apply_import(
        &self,
        ops: &[ImportOp],
        event: &ItemEventNew,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<usize> {
        write!(self, |tx| {
            for op in ops {
                match op {
                    ImportOp::Create(item) => {
                        insert_item!(tx, item, event, now);
                    }
                    ImportOp::ReplaceDraft {
                        item_id,
                        version,
                        item,
                    } => {
                        let done = sqlx::query("UPDATE item_versions SET document = $1 WHERE item_id = $2 AND version = $3 AND status = 'draft'")
                            .bind(json(item)?)
                            .bind(item_id)
                            .bind(version)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if done != 1 {
                            return Err(StoreError::Conflict(format!(
                                "item {item_id} v{version} is not a draft"
                            )));
                        }
                        insert_event!(tx, *item_id, *version, Some("draft"), "draft", event, now);
                    }
                    ImportOp::NewVersion { item_id, item } => {
                        let open: i64 = sqlx::query_scalar(OPEN_VERSIONS)
                            .bind(item_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        if open > 0 {
                            return Err(StoreError::Conflict(format!(
                                "item {item_id} has an open version"
                            )));
                        }
                        let version: i64 = sqlx::query_scalar("UPDATE items SET latest_version = latest_version + 1, updated_at = $1 WHERE id = $2 RETURNING latest_version")
                            .bind(millis(now))
                            .bind(item_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        sqlx::query(INSERT_VERSION)
                            .bind(item_id)
                            .bind(version)
                            .bind(json(item)?)
                            .bind(millis(now))
                            .bind(&event.actor)
                            .bind(item.handling.as_str())
                            .execute(&mut *tx)
                            .await?;
                        insert_event!(tx, *item_id, version, None::<&str>, "draft", event, now);
                    }
                }
            }
            audit!(self, tx, audit);
        });
        Ok(ops.len())
    }

    pub async fn item(&self, id: i64) -> Result<Option<ItemSummary>> {
        let sql = format!("{SUMMARY} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    pub async fn item_by_code(&self, implementation_code: &str) -> Result<Option<ItemSummary>> {
        let sql = format!("{SUMMARY} WHERE implementation_code = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(implementation_code)
            .fetch_optional(db)
            .await?))
    }

    pub async fn items(&self, f: &ItemFilter) -> Result<Vec<ItemSummary>> {
        let sql = format!(
            "{SUMMARY} WHERE region_code LIKE $1
                AND ($2 IS NULL OR department_id = $2)
                AND ($3 IS NULL OR status = $3)
                AND ($4 IS NULL OR level = $4)
                AND ($5 IS NULL OR themes LIKE $5)
                AND ($6 IS NULL OR service_object = $6 OR service_object = 'both')
                AND ($7 IS NULL OR online_depth = $7)
                AND ($8 IS NULL OR item_type = $8)
                AND ($9 IS NULL OR basic_code = $9)
             ORDER BY department_id, basic_code, id"
        );
        let region = format!("{}%", f.region.as_ref().map_or("", RegionCode::prefix));
        Ok(read!(self, |db| {
            sqlx::query_as(&sql)
                .bind(region)
                .bind(f.department_id)
                .bind(f.status.map(ItemStatus::as_str))
                .bind(f.level.as_deref())
                .bind(f.theme.as_ref().map(|t| format!("%|{t}|%")))
                .bind(f.serves.as_deref())
                .bind(f.online_depth)
                .bind(f.item_type.as_deref())
                .bind(f.basic_code.as_deref())
                .fetch_all(db)
                .await?
        }))
    }

    pub async fn item_version(&self, item_id: i64, version: i64) -> Result<Option<ItemVersion>> {
        let sql = format!("{VERSION} WHERE item_id = $1 AND version = $2");
        let row: Option<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(item_id)
            .bind(version)
            .fetch_optional(db)
            .await?);
        row.map(ItemVersion::try_from).transpose()
    }

    pub async fn item_versions(&self, item_id: i64) -> Result<Vec<ItemVersion>> {
        let sql = format!("{VERSION} WHERE item_id = $1 ORDER BY version DESC");
        let rows: Vec<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(item_id)
            .fetch_all(db)
            .await?);
        rows.into_iter().map(ItemVersion::try_from).collect()
    }

    /// When each version of an item was published (`None`: never), without their documents.
    pub async fn publications(&self, item_id: i64) -> Result<Vec<(i64, Option<DateTime<Utc>>)>> {
        let rows: Vec<(i64, Option<i64>)> = read!(self, |db| {
            sqlx::query_as(
            "SELECT version, published_at FROM item_versions WHERE item_id = $1 ORDER BY version"
        )
        .bind(item_id)
        .fetch_all(db)
        .await?
        });
        rows.into_iter()
            .map(|(v, at)| Ok((v, at.map(instant).transpose()?)))
            .collect()
    }

    /// Every version in force, with its summary (for the search index and exports).
    pub async fn published_items(&self) -> Result<Vec<(ItemSummary, ItemVersion)>> {
        let sql = format!(
            "{VERSION} v WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = v.item_id
                AND i.published_version = v.version AND i.status = 'published')
             ORDER BY item_id"
        );
        let rows: Vec<VersionRow> = read!(self, |db| sqlx::query_as(&sql).fetch_all(db).await?);
        let summaries = self
            .items(&ItemFilter {
                status: Some(ItemStatus::Published),
                ..ItemFilter::default()
            })
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let v = ItemVersion::try_from(row)?;
            if let Some(s) = summaries.iter().find(|s| s.id == v.item_id) {
                out.push((s.clone(), v));
            }
        }
        Ok(out)
    }

    /// The versions in force of the given items, in one query (browse and search results).
    pub async fn published_versions(&self, item_ids: &[i64]) -> Result<Vec<ItemVersion>> {
        if item_ids.is_empty() {
            return Ok(vec![]);
        }
        let placeholders: Vec<String> = (1..=item_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT v.item_id, v.version, v.status, v.document, v.created_at, v.created_by, v.published_at
             FROM item_versions v JOIN items i ON i.id = v.item_id AND i.published_version = v.version
             WHERE v.item_id IN ({})",
            placeholders.join(", ")
        );
        let rows: Vec<VersionRow> = read!(self, |db| {
            let mut q = sqlx::query_as(&sql);
            for id in item_ids {
                q = q.bind(id);
            }
            q.fetch_all(db).await?
        });
        rows.into_iter().map(ItemVersion::try_from).collect()
    }

    /// Versions in one status across a region, in one query (a reviewer's queue).
    pub async fn versions_in_status(
        &self,
        status: ItemStatus,
        region: Option<&RegionCode>,
    ) -> Result<Vec<(ItemSummary, ItemVersion)>> {
        let sql = format!("{VERSION} v WHERE v.status = $1 AND v.item_id IN (SELECT id FROM items WHERE region_code LIKE $2) ORDER BY v.item_id");
        let prefix = format!("{}%", region.map_or("", RegionCode::prefix));
        let rows: Vec<VersionRow> = read!(self, |db| sqlx::query_as(&sql)
            .bind(status.as_str())
            .bind(&prefix)
            .fetch_all(db)
            .await?);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let v = ItemVersion::try_from(row)?;
            if let Some(s) = self.item(v.item_id).await? {
                out.push((s, v));
            }
        }
        Ok(out)
    }

    pub async fn item_events(&self, item_id: i64) -> Result<Vec<ItemEvent>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, item_id, version, action, from_status, to_status, actor_id, actor, role,
                    comment, effective_date, at
                 FROM item_events WHERE item_id = $1 ORDER BY id",
            )
            .bind(item_id)
            .fetch_all(db)
            .await?
        }))
    }

    /// Stores a file by the hash of its content and returns the hash. Storing the same content
    /// twice keeps one copy.
    pub async fn put_file(
        &self,
        name: &str,
        content_type: &str,
        content: &[u8],
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<String> {
        let hash = hex_sha256(content);
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO files (hash, name, content_type, size, content, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
            )
            .bind(&hash)
            .bind(name)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(content)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("file:{hash}"),
                    ..audit
                }
            );
        });
        Ok(hash)
    }

    pub async fn file(&self, hash: &str) -> Result<Option<StoredFile>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT hash, name, content_type, size, content FROM files WHERE hash = $1",
            )
            .bind(hash)
            .fetch_optional(db)
            .await?
        }))
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
