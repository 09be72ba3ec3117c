//! The annual disclosure report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号) for an
//! agency or a region rolled up: computed from the requests each time it is read
//! ([`AnnualReport`]), with the narrative text people write, its publication, and a reminder
//! to the agencies' heads from 1 January until it is published (due 31 January).
//!
//! Who: an agency's report is read by its disclosure office (clerks, approvers, head) and by
//! supervisors, leaders and administrators over its region; its head writes and publishes it.
//! A region's roll-up is read, written and published by supervisors, leaders and
//! administrators over the region. Anyone else gets `disclosure.not_holder`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::codes;
use tongban_domain::disclosure::report::{
    publication_due, AnnualReport, Counted, NarrativeSection, RemedyColumn, RemedyGroup, ReportRow,
    MAX_SECTION_CHARS,
};
use tongban_domain::disclosure::{ReportColumn, Request};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::{Level, RegionCode};
use tongban_domain::time::{local_date, start_of_day};
use tongban_store::cases::NotificationRow;
use tongban_store::disclosure::ReportScope;
use tongban_store::outbox::{EMAIL, SMS};
use tongban_store::users::UserFilter;
use tongban_store::StoreError;

use crate::{App, AppError, Result};

/// One row of table 三: the counts per applicant column, then the 总计.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    pub row: ReportRow,
    pub label: &'static str,
    /// One per [`ReportColumn::ALL`], then the 总计 column.
    pub counts: Vec<usize>,
}

/// One group of table 四: the counts per [`RemedyColumn::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyLine {
    pub group: RemedyGroup,
    pub label: &'static str,
    pub counts: Vec<usize>,
}

/// A year's report as pages, the API and the workbook show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub year: i32,
    /// `dept:{id}` or `region:{code}`.
    pub scope: String,
    /// The agency's or the region's name.
    pub title: String,
    /// Table 二 (主动公开), counted from the catalog.
    pub proactive: Vec<crate::disclosure_catalog::ProactiveLine>,
    pub requests: Vec<ReportLine>,
    pub remedies: Vec<RemedyLine>,
    /// The narrative sections, in order, with their text ("" when not written yet).
    pub sections: Vec<(NarrativeSection, String)>,
    pub published_at: Option<DateTime<Utc>>,
    /// 新收 + 结转 = 总计 + 结转下年度 in every column.
    pub balanced: bool,
    /// Whether the reader may write and publish it (and it is not published yet).
    pub editable: bool,
    /// The publication deadline (31 January of the next year).
    pub due: Option<NaiveDate>,
    #[serde(skip)]
    report: std::sync::Arc<AnnualReport>,
}

/// A cell of the report, for its drill-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportCell {
    /// Table 三: a row and a column (`None`: 总计).
    Requests(ReportRow, Option<ReportColumn>),
    /// Table 四.
    Remedies(RemedyGroup, RemedyColumn),
}

impl ReportView {
    /// The request numbers behind a cell.
    pub fn drill(&self, cell: ReportCell) -> Vec<String> {
        match cell {
            ReportCell::Requests(row, col) => self.report.cell(row, col).to_vec(),
            ReportCell::Remedies(g, c) => self.report.remedy_cell(g, c).to_vec(),
        }
    }
}

fn parse_sections(json: &str) -> BTreeMap<String, String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl App {
    /// Checks who may read (and whether they may write) `scope`'s report; returns its title.
    pub(crate) async fn report_access(
        &self,
        actor: &Actor,
        scope: &ReportScope,
    ) -> Result<(String, bool)> {
        let denied = || AppError::of(codes::Disclosure::NotHolder);
        match scope {
            ReportScope::Department(id) => {
                let dept = self
                    .store
                    .department(*id)
                    .await?
                    .ok_or_else(|| AppError::of(codes::Disclosure::ReportScope))?;
                let office = matches!(actor.role, Role::Clerk | Role::Approver | Role::DeptHead)
                    && actor.acts_for_department(dept.id, &dept.region_code);
                let over = matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin)
                    && actor.sees_region(&dept.region_code);
                if !(office || over) {
                    return Err(denied());
                }
                Ok((dept.name, office && actor.role == Role::DeptHead))
            }
            ReportScope::Region(code) => {
                let rc = RegionCode::parse(code)
                    .map_err(|_| AppError::of(codes::Disclosure::ReportScope))?;
                let over = matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin)
                    && actor.sees_region(&rc);
                if !over {
                    return Err(denied());
                }
                let name = self
                    .store
                    .region(&rc)
                    .await?
                    .map_or_else(|| code.clone(), |r| r.name);
                Ok((format!("{name}（汇总）"), true))
            }
        }
    }

    fn report_year(&self, year: i32) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        let this = local_date(self.now()).year();
        let bad = || AppError::of(codes::Disclosure::ReportYear);
        if !(2019..=this).contains(&year) {
            return Err(bad());
        }
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(bad)?;
        Ok((start_of_day(first), start_of_day(next)))
    }

    /// The report of `year` for `scope`, computed from the requests now.
    pub async fn disclosure_report(
        &self,
        actor: &Actor,
        scope: &ReportScope,
        year: i32,
    ) -> Result<ReportView> {
        let (title, may_write) = self.report_access(actor, scope).await?;
        let (from, to) = self.report_year(year)?;
        let report = self.computed_report(scope, year, from, to).await?;
        let requests = ReportRow::ALL
            .iter()
            .map(|&row| ReportLine {
                row,
                label: row.label(),
                counts: ReportColumn::ALL
                    .iter()
                    .map(|&c| Some(c))
                    .chain(std::iter::once(None))
                    .map(|c| report.cell(row, c).len())
                    .collect(),
            })
            .collect();
        let remedies = RemedyGroup::ALL
            .iter()
            .map(|&group| RemedyLine {
                group,
                label: group.label(),
                counts: RemedyColumn::ALL
                    .iter()
                    .map(|&c| report.remedy_cell(group, c).len())
                    .collect(),
            })
            .collect();
        let proactive = self.proactive_table(scope, year).await?;
        let kept = self.store.disclosure_report(scope, year).await?;
        let texts = kept
            .as_ref()
            .map(|k| parse_sections(&k.sections))
            .unwrap_or_default();
        let published_at = kept
            .as_ref()
            .and_then(|k| k.published_at)
            .and_then(DateTime::from_timestamp_millis);
        Ok(ReportView {
            year,
            scope: scope.key(),
            title,
            proactive,
            requests,
            remedies,
            sections: NarrativeSection::ALL
                .iter()
                .map(|&s| (s, texts.get(s.as_str()).cloned().unwrap_or_default()))
                .collect(),
            published_at,
            balanced: report.balanced(),
            editable: may_write && published_at.is_none(),
            due: NaiveDate::from_ymd_opt(year + 1, 1, 31),
            report,
        })
    }

    /// Tables 三 and 四 of `year` for `scope`: computed from the requests' state documents, and
    /// kept in memory under the requests' fingerprint (how many, and the sum of their versions:
    /// every write to a request bumps its version), so a read after no write costs one
    /// aggregate query, and a read after any write recomputes.
    async fn computed_report(
        &self,
        scope: &ReportScope,
        year: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<std::sync::Arc<AnnualReport>> {
        let (count, versions) = self.store.disclosure_fingerprint(scope).await?;
        let key = (scope.key(), year, count, versions);
        if let Some(r) = self.disclosure_reports.get(&key) {
            return Ok(r);
        }
        // A 复议 or 诉讼 filed in the year may be against a reply of the year before.
        let rows = self
            .store
            .disclosure_report_requests(scope, to, from - Duration::days(400))
            .await?;
        let reqs = rows
            .into_iter()
            .map(|(n, state)| {
                serde_json::from_str::<Request>(&state)
                    .map(|r| (n, r))
                    .map_err(|e| AppError::internal(StoreError::Corrupt(e.to_string())))
            })
            .collect::<Result<Vec<_>>>()?;
        let counted: Vec<Counted<'_>> = reqs
            .iter()
            .map(|(n, r)| Counted { number: n, req: r })
            .collect();
        let report = std::sync::Arc::new(AnnualReport::compute(year, &counted));
        self.disclosure_reports.put(key, report.clone());
        Ok(report)
    }

    /// Saves the narrative sections of a report (its writers only; not once published).
    pub async fn save_disclosure_report(
        &self,
        actor: &Actor,
        scope: &ReportScope,
        year: i32,
        sections: &[(NarrativeSection, String)],
    ) -> Result<()> {
        let (title, may_write) = self.report_access(actor, scope).await?;
        self.report_year(year)?;
        if !may_write {
            return Err(AppError::of(codes::Disclosure::NotHolder));
        }
        let mut map = BTreeMap::new();
        for (s, text) in sections {
            let t = text.trim();
            if t.chars().count() > MAX_SECTION_CHARS {
                return Err(AppError::of(codes::Disclosure::ReportSection));
            }
            map.insert(s.as_str().to_string(), t.to_string());
        }
        let json = serde_json::to_string(&map).map_err(AppError::internal)?;
        let entry = self.entry(
            actor,
            "disclosure.report_save",
            format!("disclosure_report:{}:{year}", scope.key()),
            format!("{title} {year} 年度政府信息公开工作年度报告：保存正文"),
        );
        match self
            .store
            .save_disclosure_report(scope, year, &json, actor.user_id, self.now(), entry)
            .await
        {
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::ReportPublished.as_str() => {
                Err(AppError::of(codes::Disclosure::ReportPublished))
            }
            r => Ok(r?),
        }
    }

    /// Publishes a report, once (its writers only).
    pub async fn publish_disclosure_report(
        &self,
        actor: &Actor,
        scope: &ReportScope,
        year: i32,
    ) -> Result<()> {
        let (title, may_write) = self.report_access(actor, scope).await?;
        self.report_year(year)?;
        if !may_write {
            return Err(AppError::of(codes::Disclosure::NotHolder));
        }
        let entry = self.entry(
            actor,
            "disclosure.report_publish",
            format!("disclosure_report:{}:{year}", scope.key()),
            format!("{title} {year} 年度政府信息公开工作年度报告：公布"),
        );
        match self
            .store
            .publish_disclosure_report(scope, year, actor.user_id, self.now(), entry)
            .await
        {
            Err(StoreError::Conflict(c)) if c == codes::Disclosure::ReportPublished.as_str() => {
                Err(AppError::of(codes::Disclosure::ReportPublished))
            }
            r => Ok(r?),
        }
    }

    /// From 1 January to 31 January: the heads of every agency with requests whose last
    /// year's report is not published get one reminder (SMS and e-mail), recorded with the
    /// report and audited. Returns how many agencies were reminded.
    pub async fn remind_disclosure_reports(&self) -> Result<usize> {
        let now = self.now();
        let year = local_date(now).year() - 1;
        if !publication_due(year, now) {
            return Ok(0);
        }
        let mut reminded = 0;
        for dept in self.store.disclosure_departments().await? {
            let scope = ReportScope::Department(dept);
            if self
                .store
                .disclosure_report(&scope, year)
                .await?
                .is_some_and(|k| k.published_at.is_some() || k.reminded_at.is_some())
            {
                continue;
            }
            let name = self
                .store
                .department(dept)
                .await?
                .map_or_else(String::new, |d| d.name);
            let heads = self
                .store
                .users(&UserFilter {
                    department_id: Some(dept),
                    role: Some(Role::DeptHead),
                    ..Default::default()
                })
                .await?;
            let body = format!(
                "【通办】{name}{year}年度政府信息公开工作年度报告须于{}年1月31日前向社会公布（《中华人民共和国政府信息公开条例》第四十九条），请及时审定公布。",
                year + 1
            );
            let mut notes = Vec::new();
            for h in &heads {
                for (channel, to) in [(SMS, h.phone.as_deref()), (EMAIL, h.email.as_deref())] {
                    if let Some(to) = to {
                        notes.push(NotificationRow {
                            channel: channel.into(),
                            recipient: to.to_string(),
                            subject: "政府信息公开工作年度报告公布提醒".into(),
                            body: body.clone(),
                        });
                    }
                }
            }
            let entry = self.system_entry(
                "disclosure.report_remind",
                format!("disclosure_report:{}:{year}", scope.key()),
                format!("提醒公布 {name} {year} 年度政府信息公开工作年度报告"),
            );
            if self
                .store
                .remind_disclosure_report(&scope, year, &notes, now, entry)
                .await?
            {
                reminded += 1;
            }
        }
        Ok(reminded)
    }

    /// The region's own report (第四十九条: 县级以上地方人民政府的政府信息公开工作主管部门 publishes
    /// the roll-up by 31 March): from 1 January to 31 March, the supervisors and leaders of
    /// every city or county region over an agency with requests, whose roll-up of last year is
    /// not published, get one reminder (SMS and e-mail) through the outbox, recorded with the
    /// report and audited. Returns how many regions were reminded.
    pub async fn remind_region_disclosure_reports(&self) -> Result<usize> {
        let now = self.now();
        let today = local_date(now);
        let year = today.year() - 1;
        if today.month() > 3 {
            return Ok(0);
        }
        let mut regions = std::collections::BTreeSet::new();
        for dept in self.store.disclosure_departments().await? {
            let Some(d) = self.store.department(dept).await? else {
                continue;
            };
            let mut r = Some(d.region_code);
            while let Some(code) = r {
                if matches!(code.level(), Level::City | Level::County) {
                    regions.insert(code.clone());
                }
                r = code.parent();
            }
        }
        let mut staff = Vec::new();
        for role in [Role::Supervisor, Role::Leader] {
            staff.extend(
                self.store
                    .users(&UserFilter {
                        role: Some(role),
                        ..Default::default()
                    })
                    .await?,
            );
        }
        let mut reminded = 0;
        for region in regions {
            let scope = ReportScope::Region(region.as_str().to_string());
            if self
                .store
                .disclosure_report(&scope, year)
                .await?
                .is_some_and(|k| k.published_at.is_some() || k.reminded_at.is_some())
            {
                continue;
            }
            let name = self
                .store
                .region(&region)
                .await?
                .map_or_else(|| region.as_str().to_string(), |r| r.name);
            let body = format!(
                "【通办】{name}{year}年度政府信息公开工作年度报告（本级汇总）须于{}年3月31日前向社会公布（《中华人民共和国政府信息公开条例》第四十九条），请及时审定公布。",
                year + 1
            );
            let mut notes = Vec::new();
            for u in staff
                .iter()
                .filter(|u| u.region_code.as_deref() == Some(region.as_str()))
            {
                for (channel, to) in [(SMS, u.phone.as_deref()), (EMAIL, u.email.as_deref())] {
                    if let Some(to) = to {
                        notes.push(NotificationRow {
                            channel: channel.into(),
                            recipient: to.to_string(),
                            subject: "政府信息公开工作年度报告（本级汇总）公布提醒".into(),
                            body: body.clone(),
                        });
                    }
                }
            }
            let entry = self
                .system_entry(
                    "disclosure.report_remind",
                    format!("disclosure_report:{}:{year}", scope.key()),
                    format!("提醒公布 {name} {year} 年度政府信息公开工作年度报告（汇总）"),
                )
                .in_region_str(Some(region.as_str()));
            if self
                .store
                .remind_disclosure_report(&scope, year, &notes, now, entry)
                .await?
            {
                reminded += 1;
            }
        }
        Ok(reminded)
    }
}
