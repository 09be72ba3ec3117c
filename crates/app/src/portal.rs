//! The portal's home page: items grouped by life event, and the week's hot searches.

use chrono::Datelike;
use tongban_domain::catalog::life_events::{Audience, LIFE_EVENTS};
use tongban_store::catalog::ItemFilter;

use crate::error::Result;
use crate::App;

/// A life event with the published items it links to (implementation code, name).
#[derive(Debug, Clone)]
pub struct EventLinks {
    pub name: &'static str,
    pub company: bool,
    pub items: Vec<(String, String)>,
}

/// The longest query counted for the hot searches (longer ones are sentences, not searches).
const MAX_HOT_QUERY_CHARS: usize = 20;

/// The ISO week of a day, e.g. `2026-W49`.
fn week_of(day: chrono::NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// A query as it is counted: trimmed, inner spaces collapsed, ASCII lower-cased. A query that
/// may carry someone's details is never counted, since hot searches are shown to everyone: four
/// or more digits (a phone, an ID or a case number) or an `@` (an e-mail address).
pub fn normalize_query(q: &str) -> Option<String> {
    let q = q
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let n = q.chars().count();
    let digits = q.chars().filter(char::is_ascii_digit).count()
        + q.chars().filter(|c| ('０'..='９').contains(c)).count();
    (n > 0 && n <= MAX_HOT_QUERY_CHARS && digits < 4 && !q.contains(['@', '＠'])).then_some(q)
}

impl App {
    /// Every life event with its items that are published now; events with none are left out.
    pub async fn life_events(&self) -> Result<Vec<EventLinks>> {
        let published = self.public_items(ItemFilter::default()).await?;
        Ok(LIFE_EVENTS
            .iter()
            .map(|e| EventLinks {
                name: e.name,
                company: e.audience == Audience::Company,
                items: e
                    .basic_codes
                    .iter()
                    .filter_map(|code| {
                        published
                            .iter()
                            .find(|s| s.basic_code == *code)
                            .map(|s| (s.implementation_code.clone(), s.name.clone()))
                    })
                    .collect(),
            })
            .filter(|e| !e.items.is_empty())
            .collect())
    }

    /// Counts a search someone made on the public site that found something. A statistic, not
    /// a record: when it cannot be written the search still answers, and the miss is logged.
    pub async fn record_search(&self, q: &str) {
        if let Some(q) = normalize_query(q) {
            let week = week_of(tongban_domain::time::local_date(self.now()));
            if let Err(e) = self.store.count_search(&week, &q).await {
                tracing::warn!(error = %e, "a search was not counted");
            }
        }
    }

    /// This week's most searched queries; early in a week with none yet, last week's. A query
    /// shows only once enough people searched it (setting `portal.hot_min_searches`), so what
    /// one person typed is never put on the home page.
    pub async fn hot_searches(&self, limit: i64) -> Result<Vec<(String, i64)>> {
        let min = self.settings().hot_min_searches;
        let today = tongban_domain::time::local_date(self.now());
        let hot = self.store.top_searches(&week_of(today), min, limit).await?;
        if !hot.is_empty() {
            return Ok(hot);
        }
        let last_week = today - chrono::Duration::days(7);
        Ok(self
            .store
            .top_searches(&week_of(last_week), min, limit)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(week_of(d), "2026-W50");
        let d = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(week_of(d), "2026-W53");
    }

    #[test]
    fn queries_that_may_name_someone_are_not_counted() {
        assert_eq!(
            normalize_query("  营业执照   办理 "),
            Some("营业执照 办理".into())
        );
        assert_eq!(normalize_query("ABC"), Some("abc".into()));
        // A phone number, an ID number, a case number, an e-mail address: never shown.
        assert_eq!(normalize_query("营业执照13800138000"), None);
        assert_eq!(normalize_query("张三 1101"), None);
        assert_eq!(normalize_query("张三 １１０１"), None);
        assert_eq!(normalize_query("a@b.cn"), None);
        // A year or a count of three digits is fine.
        assert_eq!(normalize_query("2号线"), Some("2号线".into()));
        assert_eq!(normalize_query(""), None);
        assert_eq!(normalize_query(&"长".repeat(21)), None);
    }

    /// Every life event links to real items of the demo catalog, each of its audience.
    #[test]
    fn life_events_name_items_of_the_demo_catalog() {
        let items = crate::demo_catalog::demo_items(&|_| Some(1)).expect("demo catalog");
        for event in LIFE_EVENTS {
            for code in event.basic_codes {
                let item = items.iter().find(|i| i.basic_code.as_str() == *code);
                assert!(
                    item.is_some(),
                    "{}: {code} is not in the demo catalog",
                    event.name
                );
            }
        }
        for name in ["生育", "入学", "就业", "开办企业", "退休"] {
            assert!(LIFE_EVENTS.iter().any(|e| e.name == name), "{name}");
        }
    }

    #[test]
    fn queries_are_counted_in_one_form() {
        assert_eq!(normalize_query("  营业执照 ").as_deref(), Some("营业执照"));
        assert_eq!(normalize_query("ICP  备案").as_deref(), Some("icp 备案"));
        assert_eq!(normalize_query("   "), None);
        assert_eq!(normalize_query(&"长".repeat(21)), None);
    }
}
