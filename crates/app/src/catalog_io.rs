//! The catalog in and out of Excel, and the power list (权力清单) as 一表一图一件一盘.

use std::collections::HashMap;

use serde::Serialize;
use tongban_domain::catalog::ItemStatus;
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_exchange::CatalogRow;
use tongban_store::catalog::{ImportOp, ItemFilter};

use crate::error::{AppError, Detail, Result};
use crate::App;

/// A workbook carries no files: an item it updates keeps the templates and samples it had,
/// matched by material key.
fn keep_files(
    imported: &mut tongban_domain::catalog::Item,
    existing: &tongban_domain::catalog::Item,
) {
    for m in &mut imported.materials {
        if let Some(old) = existing.material(&m.key) {
            m.template_file = m.template_file.take().or_else(|| old.template_file.clone());
            m.sample_file = m.sample_file.take().or_else(|| old.sample_file.clone());
        }
    }
    imported.result_sample_file = imported
        .result_sample_file
        .take()
        .or_else(|| existing.result_sample_file.clone());
}

/// What an import did, or (in a dry run) would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub replaced_drafts: Vec<String>,
    pub new_versions: Vec<String>,
    /// Items left as they are, each at its cell with why: a version under review is not
    /// changed by an import (an export of the catalog re-imports as it comes, skipping them).
    pub skipped: Vec<Detail>,
    pub applied: bool,
}

impl App {
    async fn department_names(&self) -> Result<HashMap<i64, String>> {
        Ok(self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    /// Rows for an export: each item's version in force, or its latest version before it is published.
    async fn catalog_rows(
        &self,
        published_only: bool,
        actor: Option<&Actor>,
    ) -> Result<Vec<CatalogRow>> {
        let region = match actor {
            Some(a) => self.scope(a)?.region,
            None => None,
        };
        let status = published_only.then_some(ItemStatus::Published);
        let mut rows = Vec::new();
        for s in self
            .store
            .items(&ItemFilter {
                region,
                status,
                ..ItemFilter::default()
            })
            .await?
        {
            let version = s
                .published_version
                .filter(|_| s.status == ItemStatus::Published)
                .unwrap_or(s.latest_version);
            if let Some(v) = self.store.item_version(s.id, version).await? {
                rows.push(CatalogRow {
                    item: v.item,
                    status: v.status.label().into(),
                    version: i32::try_from(v.version).unwrap_or(i32::MAX),
                });
            }
        }
        Ok(rows)
    }

    /// The whole catalog in the administrator's region as a workbook.
    pub async fn export_catalog(&self, actor: &Actor) -> Result<Vec<u8>> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let names = self.department_names().await?;
        let rows = self.catalog_rows(false, Some(actor)).await?;
        tongban_exchange::export_catalog(&rows, &|id| names.get(&id).cloned())
            .map_err(AppError::internal)
    }

    /// The power list of published items: the table alone, or the bundle of table, charts and
    /// basis documents. Public information.
    pub async fn power_list(&self, bundle: bool) -> Result<Vec<u8>> {
        let names = self.department_names().await?;
        let rows = self.catalog_rows(true, None).await?;
        let name = |id| names.get(&id).cloned();
        if bundle {
            tongban_exchange::power_list_bundle(&rows, &name).map_err(AppError::internal)
        } else {
            tongban_exchange::power_list_table(&rows, &name).map_err(AppError::internal)
        }
    }

    /// Checks a workbook whole and, unless `dry_run`, writes it in one transaction: new items
    /// are drafted, an item with an open draft gets the imported text, a published item gets a
    /// new draft version. Every error is reported at its sheet, row and column, and nothing is
    /// written while there is any.
    pub async fn import_catalog(
        &self,
        actor: &Actor,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let departments = self.store.departments(actor.region.as_ref()).await?;
        let dept_id = |name: &str| {
            departments
                .iter()
                .find(|d| d.name == name.trim())
                .map(|d| d.id)
        };
        let items =
            tongban_exchange::import_catalog_located(bytes, &dept_id).map_err(|errors| {
                let details: Vec<Detail> = errors
                    .0
                    .iter()
                    .map(|e| Detail {
                        field: format!("{}!{}:{}", e.sheet, e.row, e.column),
                        code: e.code,
                        message: e.message.clone(),
                    })
                    .collect();
                AppError::new(
                    codes::Import::Invalid,
                    format!("导入文件有{}处错误，未写入任何内容", details.len()),
                )
                .with_details(details)
            })?;
        let mut ops = Vec::with_capacity(items.len());
        let mut report = ImportReport::default();
        let mut problems = Vec::new();
        for imported in items {
            // Every problem is reported at its cell, as the workbook's own errors are.
            let issues = self.item_issues(&imported.item).await?;
            if !issues.is_empty() {
                problems.extend(issues.iter().map(|i| Detail {
                    field: imported.cell(i),
                    code: i.code.code(),
                    message: i.message.clone(),
                }));
                continue;
            }
            let at_row = imported.row_cell();
            let mut item = imported.item;
            if !actor.sees_region(&item.region) {
                problems.push(Detail {
                    field: at_row,
                    code: codes::Import::Region.into(),
                    message: "实施区划不在您的管辖范围内".into(),
                });
                continue;
            }
            match self
                .store
                .item_by_code(item.implementation_code.as_str())
                .await?
            {
                None => {
                    report.created.push(item.name.clone());
                    ops.push(ImportOp::Create(item));
                }
                Some(existing) => {
                    let open = self
                        .store
                        .item_versions(existing.id)
                        .await?
                        .into_iter()
                        .find(|v| {
                            matches!(
                                v.status,
                                ItemStatus::Draft
                                    | ItemStatus::FirstReview
                                    | ItemStatus::SecondReview
                                    | ItemStatus::FinalReview
                            )
                        });
                    match open {
                        Some(v) if v.status == ItemStatus::Draft => {
                            keep_files(&mut item, &v.item);
                            report.replaced_drafts.push(item.name.clone());
                            ops.push(ImportOp::ReplaceDraft {
                                item_id: existing.id,
                                version: v.version,
                                item,
                            });
                        }
                        Some(v) => report.skipped.push(Detail {
                            field: at_row,
                            code: codes::Import::InReview.into(),
                            message: format!(
                                "“{}”第{}版正在{}，本次导入跳过该事项，审核结束后可再导入修改",
                                item.name,
                                v.version,
                                v.status.label()
                            ),
                        }),
                        None => {
                            if let Some(p) = existing.published_version {
                                if let Some(published) =
                                    self.store.item_version(existing.id, p).await?
                                {
                                    keep_files(&mut item, &published.item);
                                }
                            }
                            report.new_versions.push(item.name.clone());
                            ops.push(ImportOp::NewVersion {
                                item_id: existing.id,
                                item,
                            });
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::new(
                codes::Import::Invalid,
                format!("导入文件有{}处错误，未写入任何内容", problems.len()),
            )
            .with_details(problems));
        }
        if dry_run || ops.is_empty() {
            return Ok(report);
        }
        let event = crate::catalog::item_event_of(actor, "import", "Excel 导入");
        let summary = format!(
            "Excel 导入：新增{}项，更新草稿{}项，新建版本{}项",
            report.created.len(),
            report.replaced_drafts.len(),
            report.new_versions.len()
        );
        let entry = self.entry(actor, "catalog.import", "catalog".into(), summary);
        self.store
            .apply_import(&ops, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(c) => AppError::new(
                    codes::Import::Changed,
                    format!("导入期间目录被他人修改，未写入任何内容，请重试（{c}）"),
                ),
                other => other.into(),
            })?;
        report.applied = true;
        Ok(report)
    }
}
