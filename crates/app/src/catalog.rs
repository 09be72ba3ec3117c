//! The catalog's use cases: drafting items, the three reviews, versions, cancelling,
//! transferring and delegating, and what the public may read (published versions only:
//! "没有纳入目录的一律不得实施").

use chrono::NaiveDate;
use tongban_domain::catalog::{self, check_correspondence, Issue, Item, ItemAction, ItemStatus};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_store::catalog::{ItemEvent, ItemEventNew, ItemFilter, ItemSummary, ItemVersion};

use crate::error::{AppError, Detail, Result};
use crate::App;

fn details(issues: Vec<Issue>) -> Vec<Detail> {
    issues
        .into_iter()
        .map(|i| Detail {
            field: i.field,
            code: i.code.code(),
            message: i.message,
        })
        .collect()
}

fn broken(issues: Vec<Issue>) -> AppError {
    let first = issues
        .first()
        .map(|i| i.message.clone())
        .unwrap_or_default();
    AppError::new(
        codes::Catalog::Invalid,
        format!("事项有{}处不符合要求，首先：{first}", issues.len()),
    )
    .with_details(details(issues))
}

/// An item with everything a page needs about it.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub summary: ItemSummary,
    pub versions: Vec<ItemVersion>,
    pub events: Vec<ItemEvent>,
    pub department: String,
}

impl ItemDetail {
    /// The version in force, if any.
    pub fn published(&self) -> Option<&ItemVersion> {
        self.versions
            .iter()
            .find(|v| Some(v.version) == self.summary.published_version)
    }

    /// The version being drafted or reviewed, if any.
    pub fn open(&self) -> Option<&ItemVersion> {
        self.versions.iter().find(|v| {
            matches!(
                v.status,
                ItemStatus::Draft
                    | ItemStatus::FirstReview
                    | ItemStatus::SecondReview
                    | ItemStatus::FinalReview
            )
        })
    }
}

/// The history entry for something `actor` did to an item.
pub(crate) fn item_event_of(actor: &Actor, action: &str, comment: &str) -> ItemEventNew {
    ItemEventNew {
        action: action.into(),
        actor_id: Some(actor.user_id),
        actor: actor.name.clone(),
        role: actor.role.as_str().into(),
        comment: comment.trim().into(),
        effective_date: None,
    }
}

impl App {
    fn item_event(
        &self,
        actor: &Actor,
        action: &str,
        comment: &str,
        effective_date: Option<String>,
    ) -> ItemEventNew {
        ItemEventNew {
            effective_date,
            ..item_event_of(actor, action, comment)
        }
    }

    /// Whether `actor` may draft items of a department: its approvers and head, or an
    /// administrator whose region holds the department.
    async fn may_draft_for(&self, actor: &Actor, department_id: i64) -> Result<()> {
        let dept = self
            .store
            .department(department_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Catalog::Department))?;
        if catalog::may_draft(actor.role)
            && actor.acts_for_department(department_id, &dept.region_code)
        {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The rules an item must keep, plus 上下对应 with the published items of higher levels
    /// that share its basic code.
    pub(crate) async fn check_item(&self, item: &Item) -> Result<()> {
        let issues = self.item_issues(item).await?;
        if issues.is_empty() {
            Ok(())
        } else {
            Err(broken(issues))
        }
    }

    /// Every rule an item breaks: its own, and those that need the catalog around it.
    pub(crate) async fn item_issues(&self, item: &Item) -> Result<Vec<Issue>> {
        let mut issues = item.check();
        if self.store.region(&item.region).await?.is_none() {
            issues.push(Issue {
                field: "region".into(),
                code: codes::Catalog::Region,
                message: format!("区划 {} 不存在", item.region),
            });
        }
        let same_code = ItemFilter {
            basic_code: Some(item.basic_code.to_string()),
            status: Some(ItemStatus::Published),
            ..ItemFilter::default()
        };
        for other in self.store.items(&same_code).await? {
            if other.implementation_code == item.implementation_code.as_str() {
                continue;
            }
            if let Some(version) = other.published_version {
                if let Some(higher) = self.store.item_version(other.id, version).await? {
                    if higher.item.level < item.level && higher.item.region.contains(&item.region) {
                        issues.extend(check_correspondence(&higher.item, item));
                    }
                }
            }
        }
        Ok(issues)
    }

    /// Drafts a new item (version 1). It must already keep every rule.
    pub async fn create_item(&self, actor: &Actor, item: &Item) -> Result<i64> {
        self.may_draft_for(actor, item.department_id).await?;
        self.check_item(item).await?;
        let event = self.item_event(actor, "create", "新建事项", None);
        let entry = self.entry(
            actor,
            "item.create",
            String::new(),
            format!("新建事项 {}（{}）", item.name, item.implementation_code),
        );
        self.store
            .create_item(item, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::new(
                    codes::Catalog::DuplicateCode,
                    format!("实施编码 {} 已存在", item.implementation_code),
                ),
                other => other.into(),
            })
    }

    /// Saves a draft version. Codes identify the item and cannot change in a new version.
    pub async fn save_item(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        item: &Item,
    ) -> Result<()> {
        let current = self
            .store
            .item_version(item_id, version)
            .await?
            .ok_or_else(|| AppError::not_found("事项版本"))?;
        self.may_draft_for(actor, current.item.department_id)
            .await?;
        if !current.status.editable() {
            return Err(AppError::new(
                codes::Catalog::NotDraft,
                format!(
                    "该版本处于“{}”状态，不能修改；请新建版本",
                    current.status.label()
                ),
            ));
        }
        if item.implementation_code != current.item.implementation_code {
            return Err(AppError::of(codes::Catalog::CodeChanged));
        }
        self.may_draft_for(actor, item.department_id).await?;
        self.check_item(item).await?;
        let entry = self.entry(
            actor,
            "item.save",
            format!("item:{item_id}"),
            format!("修改 {} 第{version}版草稿", item.name),
        );
        Ok(self
            .store
            .save_item_draft(item_id, version, item, self.now(), entry)
            .await?)
    }

    /// Submits, reviews, returns, cancels, transfers or delegates a version.
    pub async fn item_action(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        action: ItemAction,
        comment: &str,
        effective_date: Option<&str>,
    ) -> Result<ItemStatus> {
        let v = self
            .store
            .item_version(item_id, version)
            .await?
            .ok_or_else(|| AppError::not_found("事项版本"))?;
        match action {
            ItemAction::Submit => self.may_draft_for(actor, v.item.department_id).await?,
            _ if !actor.sees_region(&v.item.region) => return Err(AppError::forbidden()),
            _ => {}
        }
        let to = catalog::transition(v.status, action, actor.role).map_err(AppError::from)?;
        if action.needs_reason() && comment.trim().is_empty() {
            return Err(AppError::new(
                codes::Catalog::ReasonRequired,
                format!("{}须写明理由", action.label()),
            ));
        }
        let effective = match action {
            ItemAction::Cancel | ItemAction::Transfer | ItemAction::Delegate => {
                let raw = effective_date.unwrap_or_default().trim();
                let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| AppError::of(codes::Catalog::EffectiveDate))?;
                Some(date.to_string())
            }
            _ => None,
        };
        if matches!(action, ItemAction::Submit) || to == ItemStatus::Published {
            self.check_item(&v.item).await?;
        }
        if action == ItemAction::Approve {
            let events = self.store.item_events(item_id).await?;
            let reviewed_before = events.iter().any(|e| {
                e.version == version && e.action == "approve" && e.actor_id == Some(actor.user_id)
            });
            if reviewed_before {
                return Err(AppError::of(codes::Catalog::SameReviewer));
            }
        }
        let event = self.item_event(actor, action.as_str(), comment, effective);
        let summary = format!(
            "{} 第{version}版：{} → {}{}",
            v.item.name,
            v.status.label(),
            to.label(),
            if comment.trim().is_empty() {
                String::new()
            } else {
                format!("（{}）", comment.trim())
            }
        );
        let entry = self.entry(
            actor,
            &format!("item.{}", action.as_str()),
            format!("item:{item_id}"),
            summary,
        );
        self.store
            .transition_item(item_id, version, v.status, to, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::of(codes::Catalog::Changed),
                other => other.into(),
            })?;
        if to == ItemStatus::Published || v.status == ItemStatus::Published {
            self.reindex_item(item_id).await;
        }
        Ok(to)
    }

    /// Opens a new version of a published item for changes; the published one stays in force
    /// until the new one passes the three reviews.
    pub async fn new_item_version(&self, actor: &Actor, item_id: i64) -> Result<i64> {
        let summary = self
            .store
            .item(item_id)
            .await?
            .ok_or_else(|| AppError::not_found("事项"))?;
        self.may_draft_for(actor, summary.department_id).await?;
        let from = summary
            .published_version
            .ok_or_else(|| AppError::of(codes::Catalog::NotPublished))?;
        let event = self.item_event(actor, "new_version", "新建修订版本", None);
        let entry = self.entry(
            actor,
            "item.new_version",
            format!("item:{item_id}"),
            format!("{} 新建修订版本", summary.name),
        );
        self.store
            .new_item_version(item_id, from, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::of(codes::Catalog::OpenVersion),
                other => other.into(),
            })
    }

    /// Published items for the public, filtered.
    pub async fn public_items(&self, mut filter: ItemFilter) -> Result<Vec<ItemSummary>> {
        filter.status = Some(ItemStatus::Published);
        Ok(self.store.items(&filter).await?)
    }

    /// The version in force of a published item, by implementation code or basic code.
    pub async fn public_item(&self, code: &str) -> Result<(ItemSummary, ItemVersion)> {
        let code = code.trim().to_ascii_uppercase();
        let summary = match self.store.item_by_code(&code).await? {
            Some(s) => Some(s),
            None => self
                .public_items(ItemFilter {
                    basic_code: Some(code.clone()),
                    ..ItemFilter::default()
                })
                .await?
                .into_iter()
                .next(),
        };
        let not_published = || AppError::not_found("该事项（未发布或已取消的事项不予公开）");
        let summary = summary
            .filter(|s| s.status == ItemStatus::Published)
            .ok_or_else(not_published)?;
        let version = summary.published_version.ok_or_else(not_published)?;
        let v = self
            .store
            .item_version(summary.id, version)
            .await?
            .ok_or_else(not_published)?;
        Ok((summary, v))
    }

    /// Items a staff member works on: a department's own, or every item in the region for
    /// reviewers, supervisors and administrators.
    pub async fn staff_items(&self, actor: &Actor) -> Result<Vec<ItemSummary>> {
        if !catalog::sees_drafts(actor.role) {
            return Err(AppError::forbidden());
        }
        let scope = self.scope(actor)?;
        let filter = ItemFilter {
            region: scope.region,
            department_id: scope.department_id,
            ..ItemFilter::default()
        };
        Ok(self.store.items(&filter).await?)
    }

    /// Versions waiting for the actor's review stage.
    pub async fn review_queue(&self, actor: &Actor) -> Result<Vec<(ItemSummary, ItemVersion)>> {
        let status = match actor.role {
            Role::Supervisor => ItemStatus::FirstReview,
            Role::Legal => ItemStatus::SecondReview,
            Role::Leader => ItemStatus::FinalReview,
            _ => return Ok(vec![]),
        };
        Ok(self
            .store
            .versions_in_status(status, actor.region.as_ref())
            .await?)
    }

    /// An item with its versions and history, for staff who may see it.
    pub async fn item_detail(&self, actor: &Actor, item_id: i64) -> Result<ItemDetail> {
        if !catalog::sees_drafts(actor.role) {
            return Err(AppError::forbidden());
        }
        let scope = self.scope(actor)?;
        let summary = self
            .store
            .item(item_id)
            .await?
            .ok_or_else(|| AppError::not_found("事项"))?;
        let region = tongban_domain::region::RegionCode::parse(&summary.region_code)
            .map_err(AppError::internal)?;
        let visible = scope.region.as_ref().is_some_and(|r| r.contains(&region))
            && scope
                .department_id
                .is_none_or(|d| d == summary.department_id);
        if !visible {
            return Err(AppError::forbidden());
        }
        let department = self.department_name(summary.department_id).await?;
        Ok(ItemDetail {
            versions: self.store.item_versions(item_id).await?,
            events: self.store.item_events(item_id).await?,
            department,
            summary,
        })
    }

    pub async fn department_name(&self, id: i64) -> Result<String> {
        Ok(self
            .store
            .department(id)
            .await?
            .map_or_else(|| format!("部门{id}"), |d| d.name))
    }

    /// Keeps the search index in step with an item's version in force. A failure to index is
    /// logged, never fatal: the catalog in the database is the truth and a rebuild restores it.
    pub async fn reindex_item(&self, item_id: i64) {
        if let Err(e) = self.try_reindex_item(item_id).await {
            tracing::warn!(item_id, error = %e.message, "search index not updated");
        }
    }

    async fn try_reindex_item(&self, item_id: i64) -> Result<()> {
        let summary = self
            .store
            .item(item_id)
            .await?
            .ok_or_else(|| AppError::not_found("事项"))?;
        let version = summary
            .published_version
            .filter(|_| summary.status == ItemStatus::Published);
        match version {
            Some(v) => {
                let item = self
                    .store
                    .item_version(item_id, v)
                    .await?
                    .ok_or_else(|| AppError::not_found("事项版本"))?
                    .item;
                let doc = self.search_doc(item_id, &item).await?;
                self.search.upsert(&doc).map_err(AppError::internal)
            }
            // Cancelled, transferred or delegated items leave the public search.
            None => self.search.remove(item_id).map_err(AppError::internal),
        }
    }

    async fn search_doc(&self, item_id: i64, item: &Item) -> Result<tongban_search::SearchDoc> {
        let department = self.department_name(item.department_id).await?;
        Ok(search_doc(item_id, item, department))
    }

    /// Rebuilds the search index from the published catalog.
    pub async fn rebuild_search_index(&self) -> Result<usize> {
        let mut docs = Vec::new();
        for (summary, version) in self.store.published_items().await? {
            docs.push(self.search_doc(summary.id, &version.item).await?);
        }
        self.search.replace_all(&docs).map_err(AppError::internal)?;
        Ok(docs.len())
    }
}

/// What the search index holds of an item version: its plain texts, flattened. Public so that the
/// search crate's relevance table can be built from the demo catalog exactly as the app indexes it.
pub fn search_doc(item_id: i64, item: &Item, department: String) -> tongban_search::SearchDoc {
    tongban_search::SearchDoc {
        item_id,
        code: item.basic_code.to_string(),
        name: item.name.clone(),
        department,
        item_type: item.item_type.label().into(),
        service_object: item.service_object.label().into(),
        themes: item.themes.clone(),
        online_depth: item.online_depth,
        materials: item.materials.iter().map(|m| m.name.clone()).collect(),
        conditions: item.conditions.clone(),
        faq: item
            .faq
            .iter()
            .map(|f| format!("{} {}", f.question, f.answer))
            .collect(),
        basis: item
            .legal_basis
            .iter()
            .map(|b| format!("{}{}", b.title, b.article))
            .collect(),
    }
}

/// The most results one browse or search returns.
pub const MAX_RESULTS: usize = 200;

/// One search or browse result: the item in force and, for a search, why it matched.
#[derive(Debug, Clone)]
pub struct Found {
    pub summary: ItemSummary,
    pub item: Item,
    pub snippet: String,
}

impl App {
    /// Published items matching a filter and, when `q` is not blank, a search, best first. At
    /// most [`MAX_RESULTS`]; their documents are read in one query.
    pub async fn find_items(&self, q: &str, filter: ItemFilter) -> Result<Vec<Found>> {
        let listed = self.public_items(filter).await?;
        let q = q.trim();
        // (summary, snippet) in the order they will be shown.
        let chosen: Vec<(ItemSummary, String)> = if q.is_empty() {
            listed
                .into_iter()
                .take(MAX_RESULTS)
                .map(|s| (s, String::new()))
                .collect()
        } else {
            let hits = self
                .search
                .search(q, MAX_RESULTS)
                .map_err(AppError::internal)?;
            let mut by_id: std::collections::HashMap<i64, ItemSummary> =
                listed.into_iter().map(|s| (s.id, s)).collect();
            hits.into_iter()
                .filter_map(|h| by_id.remove(&h.item_id).map(|s| (s, h.snippet)))
                .collect()
        };
        let ids: Vec<i64> = chosen.iter().map(|(s, _)| s.id).collect();
        let mut docs: std::collections::HashMap<i64, Item> = self
            .store
            .published_versions(&ids)
            .await?
            .into_iter()
            .map(|v| (v.item_id, v.item))
            .collect();
        Ok(chosen
            .into_iter()
            .filter_map(|(summary, snippet)| {
                docs.remove(&summary.id).map(|item| Found {
                    summary,
                    item,
                    snippet,
                })
            })
            .collect())
    }
}
