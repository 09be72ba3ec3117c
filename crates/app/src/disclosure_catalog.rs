//! The proactive-disclosure catalog (主动公开目录, 条例 第十九条至第二十六条), the 政府公报 and
//! each agency's 公开指南: use cases over `tongban_store::disclosure_catalog`.
//!
//! Who: an agency's disclosure office (its clerks, approvers and head) registers, publishes and
//! abolishes its entries, publishes its 公报 issues and writes its guide; supervisors, leaders and
//! administrators over its region read its pending entries; everyone reads what is published.
//!
//! 第二十六条's 20 working days are a deadline in the one index from registration to
//! publication; a late publication, or a red light on an unpublished entry, is a finding
//! (`publish_late`) on the one findings table. Published entries are searchable through the
//! search crate, in an index of their own that follows every write and is rebuilt at start.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::codes;
use tongban_domain::disclosure::catalog::{
    check_gazette, check_published_on, proactive_cell, publication_due, wan_yuan, CatalogEntry,
    EntryInput, EntryStatus, Heading, ProactiveFigure, MAX_BODY_CHARS, PROACTIVE_TABLE,
};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::{SubjectKind, SubjectRef};
use tongban_domain::time::local_date;
use tongban_store::disclosure::ReportScope;
use tongban_store::disclosure_catalog::{
    CatalogChange, CatalogEntryRow, CatalogFilter, CatalogWrite, GazetteRow, NewCatalogEntry,
};
use tongban_store::findings::NewFinding;
use tongban_store::StoreError;

use crate::error::invalid;
use crate::{App, AppError, Result};

/// An entry as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogEntryView {
    pub index_no: String,
    pub heading: Heading,
    pub heading_label: &'static str,
    /// One of the 重点领域.
    pub key_area: bool,
    pub title: String,
    pub doc_number: Option<String>,
    pub department_id: i64,
    pub publisher: String,
    pub formed_on: NaiveDate,
    /// 第二十六条's last day for publication.
    pub due_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub abolished_on: Option<NaiveDate>,
    pub status: EntryStatus,
    pub status_label: &'static str,
    /// Published after its due day, or still pending after it.
    pub late: bool,
    pub body: String,
    /// 行政事业性收费: the amount in 万元.
    pub amount_wan: Option<String>,
    /// Whether the reader may publish or abolish it.
    pub may_act: bool,
}

/// A 政府公报 issue with its documents.
#[derive(Debug, Clone, Serialize)]
pub struct GazetteView {
    pub id: i64,
    pub publisher: String,
    pub department_id: i64,
    pub year: i64,
    pub issue: i64,
    pub title: String,
    pub published_on: String,
    pub entries: Vec<CatalogEntryView>,
}

/// What a catalog list asks for.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    /// Free text: searched through the search crate.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub heading: Option<Heading>,
    pub key_areas: bool,
    pub page: i64,
}

/// One figure of table 二, with the query that drills down to its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProactiveValue {
    pub figure: ProactiveFigure,
    pub label: &'static str,
    /// A count, or an amount in 万元.
    pub value: String,
    /// How many entries it counts.
    pub entries: i64,
}

/// One row of table 二.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProactiveLine {
    pub article: &'static str,
    pub heading: Heading,
    pub label: &'static str,
    pub figures: Vec<ProactiveValue>,
}

/// A catalog page's size.
pub const CATALOG_PAGE: i64 = 50;

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| AppError::internal(StoreError::Corrupt(format!("catalog date {s}: {e}"))))
}

fn opt_date(s: Option<&str>) -> Result<Option<NaiveDate>> {
    s.map(date).transpose()
}

fn domain_entry(r: &CatalogEntryRow) -> Result<CatalogEntry> {
    Ok(CatalogEntry {
        id: r.id,
        index_no: r.index_no.clone(),
        title: r.title.clone(),
        department_id: r.department_id,
        formed_on: date(&r.formed_on)?,
        due_on: date(&r.due_on)?,
        published_on: opt_date(r.published_on.as_deref())?,
        status: EntryStatus::parse(&r.status).unwrap_or(EntryStatus::Pending),
    })
}

fn search_doc(r: &CatalogEntryRow) -> tongban_search::SearchDoc {
    let heading = Heading::parse(&r.heading).map_or("", Heading::label);
    let mut materials: Vec<String> = r.doc_number.iter().cloned().collect();
    materials.push(r.body.chars().take(4_000).collect());
    tongban_search::SearchDoc {
        item_id: r.id,
        code: r.index_no.clone(),
        name: r.title.clone(),
        department: r.publisher.clone(),
        item_type: heading.to_string(),
        themes: vec![heading.to_string()],
        materials,
        ..tongban_search::SearchDoc::default()
    }
}

impl App {
    fn catalog_office(actor: &Actor) -> Result<i64> {
        match (actor.role, actor.department_id) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d)) => Ok(d),
            _ => Err(AppError::of(codes::Disclosure::NotHolder)),
        }
    }

    fn entry_view(&self, viewer: Option<&Actor>, r: CatalogEntryRow) -> Result<CatalogEntryView> {
        let e = domain_entry(&r)?;
        let heading = Heading::parse(&r.heading).unwrap_or(Heading::Other);
        let may_act = viewer.is_some_and(|a| {
            Self::catalog_office(a).is_ok_and(|d| d == r.department_id)
                && e.status != EntryStatus::Abolished
        });
        Ok(CatalogEntryView {
            late: e.late(self.now()).is_some(),
            index_no: r.index_no,
            heading,
            heading_label: heading.label(),
            key_area: heading.key_area(),
            title: r.title,
            doc_number: r.doc_number,
            department_id: r.department_id,
            publisher: r.publisher,
            formed_on: e.formed_on,
            due_on: e.due_on,
            published_on: e.published_on,
            abolished_on: opt_date(r.abolished_on.as_deref())?,
            status: e.status,
            status_label: e.status.label(),
            body: r.body,
            amount_wan: r.amount_fen.map(wan_yuan),
            may_act,
        })
    }

    /// What a write of `row` does beside the row: its deadline while pending, a late
    /// publication's finding, the audit record.
    pub(crate) fn catalog_write(
        &self,
        row: &CatalogEntryRow,
        cal: &tongban_domain::calendar::Calendar,
        audit: tongban_domain::audit::AuditEntry,
        now: DateTime<Utc>,
    ) -> std::result::Result<CatalogWrite, AppError> {
        let e = domain_entry(row)?;
        let watches = e
            .watches(cal, now, &self.settings().warnings_for(&row.region))
            .map_err(invalid)?;
        let findings = e
            .late(now)
            .filter(|_| e.status != EntryStatus::Pending)
            .map(|l| (l.rule.as_str().to_string(), l.detail, l.anchor))
            .into_iter()
            .collect();
        Ok(CatalogWrite {
            watches,
            findings,
            audit,
        })
    }

    pub(crate) fn index_entry(&self, r: &CatalogEntryRow) {
        let res = if r.status == EntryStatus::Pending.as_str() {
            self.catalog_search.remove(r.id)
        } else {
            self.catalog_search.upsert(&search_doc(r))
        };
        if let Err(e) = res {
            tracing::warn!(entry = %r.index_no, error = %e, "catalog search index not updated");
        }
    }

    /// Indexes every published entry for search (at start).
    pub(crate) async fn rebuild_catalog_search(&self) -> Result<usize> {
        let mut after = 0;
        let mut n = 0;
        loop {
            let rows = self.store.public_catalog_entries(after, 1_000).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for r in &rows {
                self.catalog_search
                    .upsert(&search_doc(r))
                    .map_err(AppError::internal)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The office registers information formed or changed (pending: its 20 working days run),
    /// or, with `publish`, publishes it at once.
    pub async fn register_catalog_entry(
        &self,
        actor: &Actor,
        input: EntryInput,
        publish: bool,
    ) -> Result<CatalogEntryView> {
        let dept_id = Self::catalog_office(actor)?;
        let now = self.now();
        let today = local_date(now);
        let input = input.check(today).map_err(AppError::of)?;
        let dept = self
            .store
            .department(dept_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::NotHolder))?;
        let region = dept.region_code.as_str().to_string();
        let cal = self.calendar_for(&region).await?;
        let due_on = publication_due(input.formed_on, &cal).map_err(invalid)?;
        let audit = self.entry(
            actor,
            if publish {
                "disclosure.catalog_publish"
            } else {
                "disclosure.catalog_register"
            },
            String::new(),
            format!(
                "{}主动公开目录：{}《{}》（形成于{}，应于{}前公开）",
                dept.name,
                input.heading.label(),
                input.title,
                input.formed_on,
                due_on
            ),
        );
        let new = NewCatalogEntry {
            department_id: dept_id,
            region,
            heading: input.heading,
            title: input.title,
            doc_number: input.doc_number,
            body: input.body,
            amount_fen: input.amount_fen,
            formed_on: input.formed_on,
            due_on,
            created_by: Some(actor.user_id),
        };
        let row = self
            .store
            .insert_catalog_entry(
                &new,
                publish.then_some(today),
                |row| self.catalog_write(row, &cal, audit, now),
                now,
            )
            .await??;
        self.index_entry(&row);
        self.entry_view(Some(actor), row)
    }

    async fn office_entry(&self, actor: &Actor, index_no: &str) -> Result<CatalogEntryRow> {
        let dept = Self::catalog_office(actor)?;
        let row = self
            .store
            .catalog_entry_by_index(index_no.trim())
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::CatalogNotFound))?;
        if row.department_id != dept {
            return Err(AppError::of(codes::Disclosure::NotHolder));
        }
        Ok(row)
    }

    /// Publishes a pending entry on `on` (today when `None`); late after its due day, which is
    /// recorded as a finding with the publication.
    pub async fn publish_catalog_entry(
        &self,
        actor: &Actor,
        index_no: &str,
        on: Option<NaiveDate>,
    ) -> Result<CatalogEntryView> {
        self.change_entry(
            actor,
            index_no,
            EntryStatus::Pending,
            EntryStatus::Published,
            on,
        )
        .await
    }

    /// Abolishes a published entry (规章、规范性文件 废止) on `on`; it stays listed, marked.
    pub async fn abolish_catalog_entry(
        &self,
        actor: &Actor,
        index_no: &str,
        on: Option<NaiveDate>,
    ) -> Result<CatalogEntryView> {
        self.change_entry(
            actor,
            index_no,
            EntryStatus::Published,
            EntryStatus::Abolished,
            on,
        )
        .await
    }

    async fn change_entry(
        &self,
        actor: &Actor,
        index_no: &str,
        from: EntryStatus,
        to: EntryStatus,
        on: Option<NaiveDate>,
    ) -> Result<CatalogEntryView> {
        let row = self.office_entry(actor, index_no).await?;
        if row.status != from.as_str() {
            return Err(AppError::of(codes::Disclosure::CatalogState));
        }
        let now = self.now();
        let today = local_date(now);
        let on = on.unwrap_or(today);
        let since = match to {
            EntryStatus::Abolished => opt_date(row.published_on.as_deref())?,
            _ => None,
        }
        .unwrap_or(date(&row.formed_on)?);
        check_published_on(since, on, today).map_err(AppError::of)?;
        let cal = self.calendar_for(&row.region).await?;
        let audit = self.entry(
            actor,
            match to {
                EntryStatus::Abolished => "disclosure.catalog_abolish",
                _ => "disclosure.catalog_publish",
            },
            String::new(),
            format!(
                "{}《{}》（{}）：{}于{on}",
                row.publisher,
                row.title,
                row.index_no,
                to.label()
            ),
        );
        let res = self
            .store
            .change_catalog_entry(
                &CatalogChange {
                    id: row.id,
                    from,
                    to,
                    on,
                },
                |r| self.catalog_write(r, &cal, audit, now),
                now,
            )
            .await;
        let row = match res {
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::CatalogState.as_str() => {
                return Err(AppError::of(codes::Disclosure::CatalogState))
            }
            r => r??,
        };
        self.index_entry(&row);
        self.entry_view(Some(actor), row)
    }

    /// Whether `viewer` may see `row` while it is pending: its office, and supervisors,
    /// leaders and administrators over its region.
    fn sees_pending(viewer: Option<&Actor>, row: &CatalogEntryRow) -> bool {
        let Some(a) = viewer else { return false };
        if Self::catalog_office(a).is_ok_and(|d| d == row.department_id) {
            return true;
        }
        matches!(a.role, Role::Supervisor | Role::Leader | Role::Admin)
            && RegionCode::parse(&row.region).is_ok_and(|r| a.sees_region(&r))
    }

    /// One entry: published ones for everyone, pending ones for those who may see them
    /// (`disclosure.catalog_not_found` otherwise).
    pub async fn catalog_entry(
        &self,
        viewer: Option<&Actor>,
        index_no: &str,
    ) -> Result<CatalogEntryView> {
        let row = self
            .store
            .catalog_entry_by_index(index_no.trim())
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::CatalogNotFound))?;
        if row.status == EntryStatus::Pending.as_str() && !Self::sees_pending(viewer, &row) {
            return Err(AppError::of(codes::Disclosure::CatalogNotFound));
        }
        self.entry_view(viewer, row)
    }

    /// The catalog: published entries (and the reader's office's pending ones), filtered,
    /// searched through the search crate when `q` is given, the newest formed first.
    pub async fn catalog_entries(
        &self,
        viewer: Option<&Actor>,
        q: &CatalogQuery,
    ) -> Result<Vec<CatalogEntryView>> {
        let ids = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => Some(
                self.catalog_search
                    .search(text, 200)
                    .map_err(AppError::internal)?
                    .into_iter()
                    .map(|h| h.item_id)
                    .collect(),
            ),
            None => None,
        };
        let rows = self
            .store
            .catalog_entries(&CatalogFilter {
                department_id: q.department_id,
                region_prefix: None,
                heading: q.heading,
                key_areas: q.key_areas,
                pending_of: viewer.and_then(|a| Self::catalog_office(a).ok()),
                ids,
                limit: CATALOG_PAGE,
                offset: q.page.max(0) * CATALOG_PAGE,
            })
            .await?;
        rows.into_iter()
            .map(|r| self.entry_view(viewer, r))
            .collect()
    }

    /// A late-publication finding for an entry still pending after its due day (the red
    /// light's detector); kept once.
    pub(crate) async fn detect_on_catalog_entry(&self, id: i64) -> Result<usize> {
        let Some(row) = self.store.catalog_entry(id).await? else {
            return Ok(0);
        };
        let Some(late) = domain_entry(&row)?.late(self.now()) else {
            return Ok(0);
        };
        let f = NewFinding {
            rule: late.rule.as_str().to_string(),
            subject: SubjectRef::new(SubjectKind::CatalogEntry, row.id, row.index_no.clone()),
            step: None,
            person_id: None,
            department_id: row.department_id,
            hall_id: None,
            region: row.region.clone(),
            detail: late.detail,
            evidence: "[]".into(),
            fingerprint: format!("{}:{}:{}", row.id, late.rule.as_str(), late.anchor),
        };
        Ok(self.store.record_findings(&[f], self.now()).await?)
    }

    /// Table 二 of the annual report for `scope` and `year`, counted from the catalog in one
    /// query.
    pub(crate) async fn proactive_table(
        &self,
        scope: &ReportScope,
        year: i32,
    ) -> Result<Vec<ProactiveLine>> {
        let counts = self.store.proactive_counts(scope, year).await?;
        Ok(PROACTIVE_TABLE
            .iter()
            .map(|&(article, heading, figures)| {
                let c = counts.iter().find(|c| c.heading == heading.as_str());
                ProactiveLine {
                    article,
                    heading,
                    label: heading.label(),
                    figures: figures
                        .iter()
                        .map(|&figure| {
                            let n = c.map_or(0, |c| match figure {
                                ProactiveFigure::Made
                                | ProactiveFigure::Decisions
                                | ProactiveFigure::Amount => c.made,
                                ProactiveFigure::Abolished => c.abolished,
                                ProactiveFigure::InForce => c.in_force,
                            });
                            ProactiveValue {
                                figure,
                                label: figure.label(),
                                value: match figure {
                                    ProactiveFigure::Amount => {
                                        wan_yuan(c.map_or(0, |c| c.amount_fen))
                                    }
                                    _ => n.to_string(),
                                },
                                entries: n,
                            }
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// The entries behind a figure of table 二 (readers of the report only).
    pub async fn proactive_entries(
        &self,
        actor: &Actor,
        scope: &ReportScope,
        year: i32,
        heading: Heading,
        figure: ProactiveFigure,
    ) -> Result<Vec<CatalogEntryView>> {
        self.report_access(actor, scope).await?;
        if !proactive_cell(heading, figure) {
            return Err(AppError::of(codes::Disclosure::ReportScope));
        }
        let rows = self
            .store
            .proactive_entries(scope, year, heading, figure, 5_000)
            .await?;
        rows.into_iter()
            .map(|r| self.entry_view(Some(actor), r))
            .collect()
    }

    /// The office publishes a 政府公报 issue listing published entries of its agency by their
    /// 索引号.
    pub async fn publish_gazette(
        &self,
        actor: &Actor,
        issue: i64,
        title: &str,
        entries: &[String],
    ) -> Result<i64> {
        let dept_id = Self::catalog_office(actor)?;
        check_gazette(issue, title).map_err(AppError::of)?;
        let mut ids = Vec::new();
        for n in entries.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let row = self
                .store
                .catalog_entry_by_index(n)
                .await?
                .ok_or_else(|| AppError::of(codes::Disclosure::GazetteEntries))?;
            if !ids.contains(&row.id) {
                ids.push(row.id);
            }
        }
        if ids.is_empty() {
            return Err(AppError::of(codes::Disclosure::GazetteEntries));
        }
        let dept = self
            .store
            .department(dept_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::NotHolder))?;
        let now = self.now();
        let today = local_date(now);
        let audit = self.entry(
            actor,
            "disclosure.gazette_publish",
            String::new(),
            format!(
                "{}政府公报{}年第{issue}期：{}（{}件）",
                dept.name,
                chrono::Datelike::year(&today),
                title.trim(),
                ids.len()
            ),
        );
        match self
            .store
            .insert_gazette(
                dept_id,
                dept.region_code.as_str(),
                chrono::Datelike::year(&today),
                issue,
                title.trim(),
                today,
                &ids,
                audit,
                now,
            )
            .await
        {
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::GazetteSecond.as_str() => {
                Err(AppError::of(codes::Disclosure::GazetteSecond))
            }
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::GazetteEntries.as_str() => {
                Err(AppError::of(codes::Disclosure::GazetteEntries))
            }
            r => Ok(r?),
        }
    }

    /// The 政府公报 issues, the newest first.
    pub async fn gazettes(&self) -> Result<Vec<GazetteRow>> {
        Ok(self.store.gazettes("", 200).await?)
    }

    /// One issue with its documents (`disclosure.catalog_not_found` for none).
    pub async fn gazette(&self, viewer: Option<&Actor>, id: i64) -> Result<GazetteView> {
        let g = self
            .store
            .gazette(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Disclosure::CatalogNotFound))?;
        let entries = self
            .store
            .gazette_entries(id)
            .await?
            .into_iter()
            .map(|r| self.entry_view(viewer, r))
            .collect::<Result<Vec<_>>>()?;
        Ok(GazetteView {
            id: g.id,
            publisher: g.publisher,
            department_id: g.department_id,
            year: g.year,
            issue: g.issue,
            title: g.title,
            published_on: g.published_on,
            entries,
        })
    }

    /// An agency's 政府信息公开指南 ("" when none is written).
    pub async fn catalog_guide(&self, department_id: i64) -> Result<String> {
        Ok(self
            .store
            .catalog_guide(department_id)
            .await?
            .map(|g| g.0)
            .unwrap_or_default())
    }

    /// The office writes its agency's 公开指南.
    pub async fn save_catalog_guide(&self, actor: &Actor, text: &str) -> Result<()> {
        let dept = Self::catalog_office(actor)?;
        let text = text.trim();
        if text.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::of(codes::Disclosure::CatalogBody));
        }
        let audit = self.entry(
            actor,
            "disclosure.guide_save",
            format!("department:{dept}"),
            "政府信息公开指南：保存".into(),
        );
        Ok(self
            .store
            .save_catalog_guide(dept, text, actor.user_id, audit, self.now())
            .await?)
    }
}
