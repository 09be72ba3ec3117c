//! The proactive-disclosure catalog (主动公开目录, 条例 第十九条至第二十六条) and the 政府公报.
//!
//! An agency registers each piece of government information it must publish on its own
//! initiative under a catalog heading ([`Heading`]): 第二十条's contents, and the 重点领域 of
//! seed 002 (行政许可, 政府采购, 建设工程招投标, 土地出让, 专项资金, 产权交易, 人员录用,
//! 城市规划和建设). Each entry carries its 索引号, 文号, the day the information was formed or
//! changed (形成或者变更之日), the day it was published, the day it was abolished, and the
//! document itself.
//!
//! 第二十六条: information to be disclosed proactively is published within 20 working days of
//! being formed or changed ([`publication_due`], on the shared calendar). A registered entry not
//! yet published is a deadline in the one deadline index ([`CatalogEntry::watches`]); published
//! after its due day, or still unpublished when the red light fires, it is a finding
//! ([`CatalogEntry::late`], rule `publish_late`). A change is registered as an entry of its own,
//! formed on the day of the change, so the same 20 days apply to it.
//!
//! Table 二 of the annual report ([`ProactiveFigure`], [`PROACTIVE_TABLE`]) is counted from the
//! published entries; see [`ProactiveFigure`] for how.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, Counting, WorkingDays};
use crate::codes::Disclosure as Code;
use crate::supervision::detect::Rule;
use crate::supervision::{WarningRules, Watch};
use crate::time::local_date;

/// 第二十六条: 自该政府信息形成或者变更之日起20个工作日内予以公开.
pub const PUBLISH_WORKING_DAYS: u32 = 20;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest document text, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;

crate::closed_set! {
    /// The catalog's headings (栏目): 第二十条's contents, then the 重点领域 of seed 002.
    #[derive(PartialOrd, Ord)]
    pub enum Heading {
        Functions = "functions" => "机构职能",
        Rules = "rules" => "规章",
        Normative = "normative" => "行政规范性文件",
        Plans = "plans" => "规划计划",
        Statistics = "statistics" => "统计信息",
        Licensing = "licensing" => "行政许可",
        Penalty = "penalty" => "行政处罚",
        Coercion = "coercion" => "行政强制",
        Fees = "fees" => "行政事业性收费",
        Budget = "budget" => "财政预算决算",
        Procurement = "procurement" => "政府采购",
        Tendering = "tendering" => "建设工程招投标",
        Land = "land" => "土地出让",
        Funds = "funds" => "专项资金",
        Property = "property" => "产权交易",
        Recruitment = "recruitment" => "人员录用",
        Planning = "planning" => "城市规划和建设",
        Emergency = "emergency" => "突发公共事件应对",
        Other = "other" => "其他",
    }
}

impl Heading {
    /// Whether the heading is one of the 重点领域 of seed 002.
    pub fn key_area(self) -> bool {
        matches!(
            self,
            Heading::Licensing
                | Heading::Procurement
                | Heading::Tendering
                | Heading::Land
                | Heading::Funds
                | Heading::Property
                | Heading::Recruitment
                | Heading::Planning
        )
    }
}

crate::closed_set! {
    /// Where an entry stands.
    pub enum EntryStatus {
        /// Registered (formed or changed), not public yet: its 20 working days run.
        Pending = "pending" => "待公开",
        Published = "published" => "已公开",
        /// Published, then abolished (规章 and 规范性文件 废止); still listed, marked.
        Abolished = "abolished" => "已废止",
    }
}

/// An entry as an agency registers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryInput {
    pub heading: Heading,
    pub title: String,
    /// 文号, when the document has one.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// 形成或者变更之日 (Shanghai date).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub formed_on: NaiveDate,
    /// The document's text.
    #[serde(default)]
    pub body: String,
    /// 行政事业性收费 only: the amount collected that the entry publishes, in fen.
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

impl EntryInput {
    /// Checks an entry against `today` (its formation may not lie ahead, nor before the
    /// regulation's first version of 2008) and trims its text.
    pub fn check(mut self, today: NaiveDate) -> Result<EntryInput, Code> {
        self.title = self.title.trim().to_string();
        let n = self.title.chars().count();
        if n == 0 || n > MAX_TITLE_CHARS {
            return Err(Code::CatalogTitle);
        }
        self.doc_number = self
            .doc_number
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        if self
            .doc_number
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            return Err(Code::CatalogTitle);
        }
        self.body = self.body.trim().to_string();
        if self.body.chars().count() > MAX_BODY_CHARS {
            return Err(Code::CatalogBody);
        }
        let earliest = NaiveDate::from_ymd_opt(2008, 5, 1).ok_or(Code::CatalogFormed)?;
        if self.formed_on > today || self.formed_on < earliest {
            return Err(Code::CatalogFormed);
        }
        match (self.heading, self.amount_fen) {
            (Heading::Fees, Some(a)) if a >= 0 => {}
            (Heading::Fees, None) => {}
            (_, None) => {}
            _ => return Err(Code::CatalogAmount),
        }
        Ok(self)
    }
}

/// 第二十六条's due day: 20 working days from the day after the information was formed or
/// changed, on the shared calendar.
pub fn publication_due(formed_on: NaiveDate, cal: &Calendar) -> Result<NaiveDate, CalendarError> {
    cal.due(
        formed_on,
        WorkingDays::new(PUBLISH_WORKING_DAYS)?,
        Counting::NextWorkingDay,
    )
}

/// An entry as supervision reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub id: i64,
    pub index_no: String,
    pub title: String,
    pub department_id: i64,
    pub formed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub status: EntryStatus,
}

/// A late publication, for the findings table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishLate {
    pub rule: Rule,
    pub detail: String,
    /// Keeps it once: `publish:{due}`.
    pub anchor: String,
}

impl CatalogEntry {
    /// The entry's deadline while it waits for publication: none once published.
    pub fn watches(
        &self,
        cal: &Calendar,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<Vec<Watch>, CalendarError> {
        if self.status != EntryStatus::Pending {
            return Ok(Vec::new());
        }
        Ok(vec![crate::opengov::period::date_watch(
            "publish",
            "主动公开期限（条例第二十六条）",
            self.department_id,
            self.due_on,
            cal,
            now,
            rules,
        )?])
    }

    /// Published after its due day, or still unpublished after it, as of `now`.
    pub fn late(&self, now: DateTime<Utc>) -> Option<PublishLate> {
        let day = match (self.status, self.published_on) {
            (EntryStatus::Pending, _) => local_date(now),
            (_, Some(p)) => p,
            (_, None) => return None,
        };
        (day > self.due_on).then(|| PublishLate {
            rule: Rule::PublishLate,
            detail: match self.published_on {
                Some(p) => format!(
                    "《{}》（索引号{}）于{}形成或者变更，应于{}前主动公开，{}才公开",
                    self.title, self.index_no, self.formed_on, self.due_on, p
                ),
                None => format!(
                    "《{}》（索引号{}）于{}形成或者变更，应于{}前主动公开，逾期未公开",
                    self.title, self.index_no, self.formed_on, self.due_on
                ),
            },
            anchor: format!("publish:{}", self.due_on),
        })
    }
}

/// Checks a publication day: not before the information was formed, not after today.
pub fn check_published_on(
    formed_on: NaiveDate,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), Code> {
    if on < formed_on || on > today {
        return Err(Code::CatalogDate);
    }
    Ok(())
}

crate::closed_set! {
    /// The figures of table 二 (主动公开政府信息情况), as counted from the catalog's published
    /// entries of the scope for year `Y`:
    /// * 本年制发件数: formed in `Y`;
    /// * 本年废止件数: abolished in `Y`;
    /// * 现行有效件数: formed by the end of `Y` and not abolished by then;
    /// * 本年处理决定数量: formed in `Y` (each entry is one decision made public);
    /// * 本年收费金额: the amounts of the entries formed in `Y`, in 万元.
    #[derive(PartialOrd, Ord)]
    pub enum ProactiveFigure {
        Made = "made" => "本年制发件数",
        Abolished = "abolished" => "本年废止件数",
        InForce = "in_force" => "现行有效件数",
        Decisions = "decisions" => "本年处理决定数量",
        Amount = "amount" => "本年收费金额（单位：万元）",
    }
}

/// The rows of table 二 of the national format: (article, heading, the figures asked for).
pub const PROACTIVE_TABLE: &[(&str, Heading, &[ProactiveFigure])] = &[
    (
        "第二十条第（一）项",
        Heading::Rules,
        &[
            ProactiveFigure::Made,
            ProactiveFigure::Abolished,
            ProactiveFigure::InForce,
        ],
    ),
    (
        "第二十条第（一）项",
        Heading::Normative,
        &[
            ProactiveFigure::Made,
            ProactiveFigure::Abolished,
            ProactiveFigure::InForce,
        ],
    ),
    (
        "第二十条第（五）项",
        Heading::Licensing,
        &[ProactiveFigure::Decisions],
    ),
    (
        "第二十条第（六）项",
        Heading::Penalty,
        &[ProactiveFigure::Decisions],
    ),
    (
        "第二十条第（六）项",
        Heading::Coercion,
        &[ProactiveFigure::Decisions],
    ),
    (
        "第二十条第（八）项",
        Heading::Fees,
        &[ProactiveFigure::Amount],
    ),
];

/// Whether table 二 asks for `figure` under `heading`.
pub fn proactive_cell(heading: Heading, figure: ProactiveFigure) -> bool {
    PROACTIVE_TABLE
        .iter()
        .any(|(_, h, fs)| *h == heading && fs.contains(&figure))
}

/// An amount in fen as 万元 with two decimals (1 万元 = 1,000,000 fen), rounded half up.
pub fn wan_yuan(fen: i64) -> String {
    let hundredths = (fen.max(0) + 5_000) / 10_000;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Checks a 政府公报 issue: its number in the year (1–366) and its title.
pub fn check_gazette(issue: i64, title: &str) -> Result<(), Code> {
    let n = title.trim().chars().count();
    if !(1..=366).contains(&issue) || n == 0 || n > MAX_TITLE_CHARS {
        return Err(Code::GazetteIssue);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_yuan_rounds_to_hundredths() {
        assert_eq!(wan_yuan(0), "0.00");
        assert_eq!(wan_yuan(1_000_000), "1.00");
        assert_eq!(wan_yuan(1_234_567), "1.23");
        assert_eq!(wan_yuan(1_235_000), "1.24");
    }

    #[test]
    fn an_amount_belongs_to_fees_only() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let e = |heading, amount_fen| EntryInput {
            heading,
            title: "标题".into(),
            doc_number: None,
            formed_on: today,
            body: String::new(),
            amount_fen,
        };
        assert!(e(Heading::Fees, Some(100)).check(today).is_ok());
        assert_eq!(
            e(Heading::Rules, Some(100)).check(today),
            Err(Code::CatalogAmount)
        );
        assert_eq!(
            e(Heading::Fees, Some(-1)).check(today),
            Err(Code::CatalogAmount)
        );
        let mut ahead = e(Heading::Rules, None);
        ahead.formed_on = today.succ_opt().unwrap();
        assert_eq!(ahead.check(today), Err(Code::CatalogFormed));
    }

    #[test]
    fn table_two_has_the_national_cells() {
        assert!(proactive_cell(Heading::Rules, ProactiveFigure::InForce));
        assert!(proactive_cell(Heading::Fees, ProactiveFigure::Amount));
        assert!(!proactive_cell(Heading::Fees, ProactiveFigure::Made));
        assert_eq!(Heading::ALL.iter().filter(|h| h.key_area()).count(), 8);
    }
}
