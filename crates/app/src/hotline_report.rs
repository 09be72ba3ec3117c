//! The 12345 hotline's public monthly report (月度报告): tickets received by subject and by
//! township, the hot subjects with their trend against the month before, and the month's 三率
//! with their formulas. Staff drill down from any count to the tickets behind it (the same
//! filter as the list they export to a workbook).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::codes;
use tongban_domain::hotline::report::{self, SubjectCount};
use tongban_domain::hotline::TicketStatus;
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;
use tongban_store::hotline::{TicketFilter, TicketRow};

use crate::error::{AppError, Result};
use crate::hotline::{month_bounds, HotlineRates};
use crate::App;

/// How many subjects the report names as hot.
pub const HOT_SUBJECTS: usize = 5;

/// A township's count in the month.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipCount {
    pub region: String,
    pub name: String,
    pub count: u32,
}

/// A month's public report.
#[derive(Debug, Clone, Serialize)]
pub struct HotlineReport {
    pub month: String,
    /// The month before, which the trend compares with.
    pub previous_month: String,
    pub total: u32,
    pub previous_total: u32,
    pub hot: Vec<SubjectCount>,
    pub by_subject: Vec<SubjectCount>,
    pub by_township: Vec<TownshipCount>,
    pub rates: HotlineRates,
}

/// Which tickets a member of staff lists (and exports): all optional, within their region.
#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    /// `YYYY-MM`: received in that month.
    pub month: Option<String>,
    pub subject: Option<String>,
    /// A region code: tickets of its subtree (a township's, a county's).
    pub region: Option<String>,
    pub status: Option<String>,
}

fn previous_month(month: &str) -> Result<String> {
    let (from, _) = month_bounds(month)?;
    let day = tongban_domain::time::local_date(from - chrono::Duration::days(1));
    Ok(day.format("%Y-%m").to_string())
}

impl App {
    /// The public report of a month (`YYYY-MM`).
    pub async fn hotline_report(&self, month: &str) -> Result<HotlineReport> {
        let (from, to) = month_bounds(month)?;
        let previous_month = previous_month(month)?;
        let (pfrom, pto) = month_bounds(&previous_month)?;
        let lines =
            |rows: Vec<(String, String, String, i64)>| -> Vec<(String, String, String, u32)> {
                rows.into_iter()
                    .map(|(s, n, r, c)| (s, n, r, u32::try_from(c).unwrap_or(u32::MAX)))
                    .collect()
            };
        let now = lines(self.store.ticket_counts("", from, to).await?);
        let before = lines(self.store.ticket_counts("", pfrom, pto).await?);
        let subject_lines = |l: &[(String, String, String, u32)]| -> Vec<(String, String, u32)> {
            l.iter()
                .map(|(s, n, _, c)| (s.clone(), n.clone(), *c))
                .collect()
        };
        let by_subject = report::by_subject(&subject_lines(&now), &subject_lines(&before));
        let names: std::collections::HashMap<String, String> = self
            .store
            .regions(None)
            .await?
            .into_iter()
            .map(|r| (r.code.as_str().to_string(), r.name))
            .collect();
        let by_township = report::by_township(
            &now.iter()
                .map(|(_, _, r, c)| (r.clone(), *c))
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .map(|(r, count)| TownshipCount {
            name: names
                .get(r.as_str())
                .cloned()
                .unwrap_or_else(|| r.as_str().to_string()),
            region: r.as_str().to_string(),
            count,
        })
        .collect();
        Ok(HotlineReport {
            month: month.to_string(),
            previous_month,
            total: now.iter().map(|l| l.3).sum(),
            previous_total: before.iter().map(|l| l.3).sum(),
            hot: report::hot(&by_subject, HOT_SUBJECTS),
            by_subject,
            by_township,
            rates: self.hotline_rates(month).await?,
        })
    }

    /// Tickets matching a query, for the centre, supervision and leadership within their
    /// region: the report's drill-down and the workbook export. At most 5000, newest first.
    pub async fn hotline_ticket_list(
        &self,
        actor: &Actor,
        q: &TicketQuery,
    ) -> Result<Vec<TicketRow>> {
        let staff = actor.role.is_hotline()
            || matches!(actor.role, Role::Supervisor | Role::Leader | Role::Admin);
        if !staff {
            return Err(AppError::forbidden());
        }
        let own = actor.region.as_ref().ok_or_else(AppError::forbidden)?;
        let region = match q.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => {
                let r = RegionCode::parse(r).map_err(|_| AppError::of(codes::Hotline::Region))?;
                if !own.contains(&r) {
                    return Err(AppError::of(codes::Hotline::Region));
                }
                r
            }
            None => own.clone(),
        };
        let (from, to): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
            match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                Some(m) => {
                    let (f, t) = month_bounds(m)?;
                    (Some(f), Some(t))
                }
                None => (None, None),
            };
        let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                TicketStatus::parse(s).ok_or_else(|| AppError::of(codes::Hotline::StatusFilter))?,
            ),
            None => None,
        };
        let subject = match q
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(
                self.store
                    .hotline_subject(s)
                    .await?
                    .ok_or_else(|| AppError::of(codes::Hotline::Subject))?
                    .code,
            ),
            None => None,
        };
        Ok(self
            .store
            .tickets(&TicketFilter {
                region: Some(region.prefix().to_string()),
                status,
                subject,
                from,
                to,
                limit: 5000,
                ..Default::default()
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_month_before() {
        assert_eq!(super::previous_month("2026-03").unwrap(), "2026-02");
        assert_eq!(super::previous_month("2026-01").unwrap(), "2025-12");
    }
}
