//! One reading of the supervision board's filters for the pages, the exports and the API:
//! `region`, `department`, `hall`, `item`, `kind`, `light`, `from`, `to`, `day`. A bad value is an
//! error with a stable code and a Chinese message, never a rejection in axum's plain text.

use chrono::{Days, NaiveDate};
use tongban_app::board::BoardFilter;
use tongban_app::AppError;
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::{Light, SubjectKind};
use tongban_domain::time::start_of_day;
use tongban_domain::{codes, ErrorCode};
use tongban_store::watch::LitFilter;

/// Which lit deadlines a drill-down shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LightChoice {
    /// Yellow and red.
    #[default]
    Lit,
    Yellow,
    Red,
}

impl LightChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            LightChoice::Lit => "",
            LightChoice::Yellow => "yellow",
            LightChoice::Red => "red",
        }
    }

    /// Whether a deadline of this light belongs in the list.
    pub fn keeps(self, light: Light) -> bool {
        match self {
            LightChoice::Lit => light >= Light::Yellow,
            LightChoice::Yellow => light == Light::Yellow,
            LightChoice::Red => light == Light::Red,
        }
    }
}

/// The raw query, as pairs; the last value of a repeated key wins, blanks count as absent.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    pairs: Vec<(String, String)>,
}

fn invalid(code: impl Into<ErrorCode>, message: &str) -> AppError {
    AppError::new(code, message.to_string())
}

impl BoardQuery {
    pub fn parse(raw: Option<&str>) -> Result<BoardQuery, AppError> {
        let pairs = match raw {
            Some(q) if !q.is_empty() => serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .map_err(|_| invalid(codes::Request::Query, "查询参数格式不对"))?,
            _ => Vec::new(),
        };
        Ok(BoardQuery { pairs })
    }

    /// The value of `key`, trimmed, when not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn id(&self, key: &str, code: codes::Board, what: &str) -> Result<Option<i64>, AppError> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| AppError::new(code, format!("{what}应为编号（整数）")))
            })
            .transpose()
    }

    fn date(
        &self,
        key: &str,
        code: codes::Board,
        what: &str,
    ) -> Result<Option<NaiveDate>, AppError> {
        self.get(key)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    AppError::new(
                        code,
                        format!("{what}格式不对，应为 年-月-日，如 2026-03-02"),
                    )
                })
            })
            .transpose()
    }

    pub fn region(&self) -> Result<Option<RegionCode>, AppError> {
        self.get("region")
            .map(|v| {
                RegionCode::parse(v).map_err(|_| invalid(codes::Board::Region, "地区代码不正确"))
            })
            .transpose()
    }

    pub fn department(&self) -> Result<Option<i64>, AppError> {
        self.id("department", codes::Board::Department, "部门")
    }

    pub fn hall(&self) -> Result<Option<i64>, AppError> {
        self.id("hall", codes::Board::Hall, "大厅")
    }

    pub fn item(&self) -> Result<Option<i64>, AppError> {
        self.id("item", codes::Board::Item, "事项")
    }

    /// One kind of supervised subject (`case`, `ticket`, `disclosure`, `rating`); all when absent.
    pub fn kind(&self) -> Result<Option<SubjectKind>, AppError> {
        self.get("kind")
            .map(|v| SubjectKind::parse(v).ok_or_else(|| AppError::of(codes::Board::Kind)))
            .transpose()
    }

    pub fn light(&self) -> Result<LightChoice, AppError> {
        match self.get("light") {
            None | Some("lit" | "all") => Ok(LightChoice::Lit),
            Some("yellow") => Ok(LightChoice::Yellow),
            Some("red") => Ok(LightChoice::Red),
            Some(_) => Err(invalid(
                codes::Board::Light,
                "灯色应为 yellow（黄灯）或 red（红灯），不填为全部预警",
            )),
        }
    }

    pub fn day(&self) -> Result<Option<NaiveDate>, AppError> {
        self.date("day", codes::Board::Day, "统计日期")
    }

    pub fn from(&self) -> Result<Option<NaiveDate>, AppError> {
        self.date("from", codes::Board::From, "收件起始日期")
    }

    pub fn to(&self) -> Result<Option<NaiveDate>, AppError> {
        self.date("to", codes::Board::To, "收件截止日期")
    }

    /// The board's filter.
    pub fn board_filter(&self) -> Result<BoardFilter, AppError> {
        Ok(BoardFilter {
            region: self.region()?,
            department_id: self.department()?,
            hall_id: self.hall()?,
            day: self.day()?,
        })
    }

    /// The drill-down's filter: the region apart (the use case checks it against the
    /// supervisor's own), received dates as Shanghai days, both ends included.
    pub fn lit_filter(&self) -> Result<(Option<RegionCode>, LitFilter, LightChoice), AppError> {
        let (from, to) = (self.from()?, self.to()?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(invalid(codes::Board::Range, "收件起始日期不能晚于截止日期"));
            }
        }
        let light = self.light()?;
        let after_to = to
            .map(|t| {
                t.checked_add_days(Days::new(1))
                    .ok_or_else(|| invalid(codes::Board::To, "收件截止日期超出范围"))
            })
            .transpose()?;
        let filter = LitFilter {
            department_id: self.department()?,
            hall_id: self.hall()?,
            item_id: self.item()?,
            kind: self.kind()?,
            light: (light == LightChoice::Red).then_some(Light::Red),
            received_from: from.map(start_of_day),
            received_to: after_to.map(start_of_day),
            ..LitFilter::default()
        };
        Ok((self.region()?, filter, light))
    }

    /// These filters as a query string, with `set` replacing (or, when blank, removing) keys.
    /// Only the board's own keys are kept, in a fixed order.
    pub fn with(&self, set: &[(&str, String)]) -> String {
        const KEYS: [&str; 9] = [
            "region",
            "department",
            "hall",
            "item",
            "kind",
            "light",
            "from",
            "to",
            "day",
        ];
        let pairs: Vec<(&str, String)> = KEYS
            .iter()
            .filter_map(|k| {
                let v = match set.iter().find(|(s, _)| s == k) {
                    Some((_, v)) => Some(v.trim().to_string()),
                    None => self.get(k).map(str::to_string),
                };
                v.filter(|v| !v.is_empty()).map(|v| (*k, v))
            })
            .collect();
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> BoardQuery {
        BoardQuery::parse(Some(s)).unwrap_or_default()
    }

    #[test]
    fn filters_read_with_blanks_as_absent_and_bad_values_named() {
        let f = q("region=&department=3&hall=0&day=2026-03-02").board_filter();
        let f = f.ok().unwrap_or_default();
        assert_eq!(f.region, None);
        assert_eq!(f.department_id, Some(3));
        assert_eq!(f.hall_id, Some(0));
        assert_eq!(f.day, NaiveDate::from_ymd_opt(2026, 3, 2));
        let code = |s: &str| q(s).lit_filter().err().map(|e| e.code.to_string());
        assert_eq!(
            code("department=x").as_deref(),
            Some(codes::Board::Department.as_str())
        );
        assert_eq!(
            code("department=-1").as_deref(),
            Some(codes::Board::Department.as_str())
        );
        assert_eq!(
            code("light=green").as_deref(),
            Some(codes::Board::Light.as_str())
        );
        assert_eq!(
            code("from=2026-3-40").as_deref(),
            Some(codes::Board::From.as_str())
        );
        assert_eq!(
            code("from=2026-03-03&to=2026-03-02").as_deref(),
            Some(codes::Board::Range.as_str())
        );
        assert_eq!(
            code("region=12").as_deref(),
            Some(codes::Board::Region.as_str())
        );
        assert_eq!(code("light=red&from=2026-03-02&to=2026-03-02"), None);
        assert_eq!(
            code("kind=order").as_deref(),
            Some(codes::Board::Kind.as_str())
        );
        let (_, f, _) = q("kind=ticket").lit_filter().ok().unwrap_or_default();
        assert_eq!(f.kind, Some(SubjectKind::Ticket));
        assert_eq!(q("kind=ticket&x=1").with(&[]), "kind=ticket");
    }

    #[test]
    fn the_received_range_covers_whole_shanghai_days() {
        let (_, f, light) = q("from=2026-03-02&to=2026-03-02&light=red")
            .lit_filter()
            .ok()
            .unwrap_or_default();
        assert_eq!(light, LightChoice::Red);
        assert_eq!(f.light, Some(Light::Red));
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        assert_eq!(f.received_from, Some(start_of_day(day)));
        assert_eq!(
            f.received_to.zip(f.received_from).map(|(t, f)| t - f),
            Some(chrono::Duration::days(1))
        );
    }

    #[test]
    fn links_keep_the_filters_and_replace_what_they_set() {
        let b = q("region=361202&department=3&light=red&junk=1");
        assert_eq!(
            b.with(&[("light", "yellow".into()), ("department", String::new())]),
            "region=361202&light=yellow"
        );
    }
}
