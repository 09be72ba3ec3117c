//! Holiday rules as data, and the line format they ship in.
//!
//! The domain crate has no TOML or JSON parser, and the data is simple, so the shipped file is a
//! small line format parsed here (see the header of `data/holidays.txt`). Parse errors name the
//! line; rule errors name the date.

use super::{is_weekend, CalendarError, MAX_YEAR, MIN_YEAR};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The shipped State Council holiday data (2024–2026).
pub const SHIPPED_DATA: &str = include_str!("../../data/holidays.txt");

crate::closed_set! {
    /// What a rule makes of its date.
    pub enum DayKind {
        /// An official day off (the name is the holiday: 春节, 国庆节…).
        Holiday = "holiday" => "法定节假日放假",
        /// A weekend day worked instead (调休上班); must be a Saturday or Sunday.
        MakeupWorkday = "makeup_workday" => "调休上班",
        /// A local closure (typhoon, emergency); the name carries the reason.
        LocalClosure = "local_closure" => "本地停止办公",
        /// A local extra working day; the name carries the reason.
        ExtraWorkday = "extra_workday" => "本地额外工作日",
    }
}

impl DayKind {
    /// Whether a day with this rule is a working day.
    pub fn is_working(self) -> bool {
        matches!(self, Self::MakeupWorkday | Self::ExtraWorkday)
    }

    /// The keyword of the line format.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Holiday => "off",
            Self::MakeupWorkday => "work",
            Self::LocalClosure => "closure",
            Self::ExtraWorkday => "extra",
        }
    }

    /// The Chinese word for the same, accepted wherever the keyword is: what people type and
    /// what the administrator's page writes.
    pub fn word(self) -> &'static str {
        match self {
            Self::Holiday => "放假",
            Self::MakeupWorkday => "上班",
            Self::LocalClosure => "停办",
            Self::ExtraWorkday => "加班",
        }
    }

    /// A kind by its keyword or its Chinese word.
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.keyword() == word || k.word() == word)
    }
}

/// One date that differs from the plain rule "Monday to Friday work, weekends off".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRule {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Holiday name (春节), make-up label (春节调休上班) or closure reason.
    pub name: String,
}

/// One year's arrangement, as announced by one notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    pub year: i32,
    /// The notice's 文号, e.g. 国办发明电〔2025〕7号, so every due date can cite its source.
    pub notice: String,
    pub days: Vec<DayRule>,
}

impl YearCalendar {
    /// A validated year; the rules are sorted by date.
    pub fn new(
        year: i32,
        notice: impl Into<String>,
        days: Vec<DayRule>,
    ) -> Result<Self, CalendarError> {
        let mut cal = Self {
            year,
            notice: notice.into(),
            days,
        };
        cal.days.sort_by_key(|r| r.date);
        cal.validate()?;
        Ok(cal)
    }

    /// Every date in the year, no date twice, names present, 调休上班 only on weekends. A holiday
    /// or closure on a weekend is allowed: notices list whole runs (春节 2/15–2/23 includes a
    /// Sunday), and the day is off either way.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) {
            return Err(CalendarError::YearOutOfRange { year: self.year });
        }
        if self.notice.trim().is_empty() {
            return Err(CalendarError::EmptyNotice { year: self.year });
        }
        let mut seen = BTreeSet::new();
        for rule in &self.days {
            if rule.date.year() != self.year {
                return Err(CalendarError::DateOutsideYear {
                    year: self.year,
                    date: rule.date,
                });
            }
            if !seen.insert(rule.date) {
                return Err(CalendarError::DuplicateDate { date: rule.date });
            }
            if rule.name.trim().is_empty() {
                return Err(CalendarError::EmptyName { date: rule.date });
            }
            if rule.kind == DayKind::MakeupWorkday && !is_weekend(rule.date) {
                return Err(CalendarError::MakeupNotWeekend { date: rule.date });
            }
        }
        Ok(())
    }

    /// The rule for a date, if any.
    pub fn rule(&self, date: NaiveDate) -> Option<&DayRule> {
        self.days
            .binary_search_by_key(&date, |r| r.date)
            .ok()
            .and_then(|i| self.days.get(i))
    }
}

/// A parsed holiday data file: its version and its years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayData {
    /// Recorded with computed due dates, so a later correction of the data is traceable.
    pub version: String,
    pub years: Vec<YearCalendar>,
}

/// Parses the line format of `data/holidays.txt` and validates every year.
pub fn parse_holidays(text: &str) -> Result<HolidayData, CalendarError> {
    let mut version: Option<String> = None;
    let mut years: Vec<(i32, String, Vec<DayRule>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let err = |message: &str| CalendarError::Parse {
            line: line_no,
            message: message.into(),
        };
        let line = raw.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        let Some(head) = words.next() else { continue };
        let rest: Vec<&str> = words.collect();
        match head {
            "version" => {
                if version.is_some() {
                    return Err(err("version 行只能有一行"));
                }
                match rest.as_slice() {
                    [v] => version = Some((*v).to_string()),
                    _ => return Err(err("version 行应为「version <版本>」")),
                }
            }
            "year" => {
                let [y, notice @ ..] = rest.as_slice() else {
                    return Err(err("year 行应为「year <年份> <通知文号>」"));
                };
                let year: i32 = y.parse().map_err(|_| err("年份不是整数"))?;
                if notice.is_empty() {
                    return Err(err("year 行缺少通知文号"));
                }
                if years.iter().any(|(y, ..)| *y == year) {
                    return Err(err("该年份已经出现过"));
                }
                years.push((year, notice.join(" "), Vec::new()));
            }
            dates => {
                let Some((_, _, rules)) = years.last_mut() else {
                    return Err(err("日期行之前缺少 year 行"));
                };
                let (from, to) = parse_range(dates).ok_or_else(|| {
                    err("日期应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD（起止均含）")
                })?;
                if to < from || to.year() != from.year() {
                    return Err(err("日期区间须在同一年内且止日不早于起日"));
                }
                let [kw, name @ ..] = rest.as_slice() else {
                    return Err(err("缺少类别（off/work/closure/extra）"));
                };
                let kind = DayKind::from_keyword(kw)
                    .ok_or_else(|| err("类别应为 off、work、closure 或 extra"))?;
                if name.is_empty() {
                    return Err(err("缺少名称或原因"));
                }
                let name = name.join(" ");
                for date in from.iter_days().take_while(|d| *d <= to) {
                    rules.push(DayRule {
                        date,
                        kind,
                        name: name.clone(),
                    });
                }
            }
        }
    }
    let version = version.ok_or(CalendarError::MissingVersion)?;
    let years = years
        .into_iter()
        .map(|(year, notice, days)| YearCalendar::new(year, notice, days))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HolidayData { version, years })
}

fn parse_range(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    match s.split_once("..") {
        Some((a, b)) => Some((date(a)?, date(b)?)),
        None => date(s).map(|d| (d, d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn shipped_file_parses_with_notices() {
        let data = parse_holidays(SHIPPED_DATA).expect("the shipped file parses");
        assert_eq!(data.version, "2026.1");
        let notices: Vec<(i32, &str)> = data
            .years
            .iter()
            .map(|y| (y.year, y.notice.as_str()))
            .collect();
        assert_eq!(
            notices,
            [
                (2024, "国办发明电〔2023〕7号"),
                (2025, "国办发明电〔2024〕12号"),
                (2026, "国办发明电〔2025〕7号")
            ]
        );
    }

    #[test]
    fn shipped_2026_matches_the_notice() {
        let data = parse_holidays(SHIPPED_DATA).expect("parses");
        let y2026 = data
            .years
            .iter()
            .find(|y| y.year == 2026)
            .expect("2026 loaded");
        let off: Vec<NaiveDate> = y2026
            .days
            .iter()
            .filter(|r| r.kind == DayKind::Holiday)
            .map(|r| r.date)
            .collect();
        let work: Vec<NaiveDate> = y2026
            .days
            .iter()
            .filter(|r| r.kind == DayKind::MakeupWorkday)
            .map(|r| r.date)
            .collect();
        assert_eq!(
            work,
            [
                d(2026, 1, 4),
                d(2026, 2, 14),
                d(2026, 2, 28),
                d(2026, 5, 9),
                d(2026, 9, 20),
                d(2026, 10, 10)
            ]
        );
        // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off.
        assert_eq!(off.len(), 33);
        assert_eq!(
            y2026.rule(d(2026, 2, 19)).map(|r| r.name.as_str()),
            Some("春节")
        );
        assert_eq!(y2026.rule(d(2026, 10, 8)), None);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases = [
            ("version 1\nyear 2026 文号\n2026-13-01 off 元旦\n", 3),
            ("version 1\n2026-01-01 off 元旦\n", 2),
            ("version 1\nyear 2026 文号\n2026-01-01 holiday 元旦\n", 3),
            ("version 1\nyear 2026 文号\n2026-01-01 off\n", 3),
            (
                "version 1\nyear 2026 文号\n2026-01-03..2026-01-01 off 元旦\n",
                3,
            ),
            (
                "version 1\nyear 2026 文号\n2026-12-31..2027-01-01 off 元旦\n",
                3,
            ),
            ("version 1\nyear 2026\n", 2),
            ("version 1\nyear 二〇二六 文号\n", 2),
            ("version 1\nyear 2026 文号\nyear 2026 文号\n", 3),
            ("version 1\nversion 2\n", 2),
        ];
        for (text, line) in cases {
            match parse_holidays(text) {
                Err(CalendarError::Parse { line: l, .. }) => assert_eq!(l, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(
            parse_holidays("year 2026 文号\n"),
            Err(CalendarError::MissingVersion)
        );
    }

    #[test]
    fn comments_and_blank_lines_are_ignored() {
        let data =
            parse_holidays("# x\n\nversion v1 # note\nyear 2026 文 号\n2026-01-01 off 元旦 # c\n")
                .expect("parses");
        assert_eq!(data.years[0].notice, "文 号");
        assert_eq!(data.years[0].days[0].name, "元旦");
    }

    #[test]
    fn rule_validation() {
        let rule = |date, kind| DayRule {
            date,
            kind,
            name: "x".into(),
        };
        // 2026-02-16 is a Monday: not a make-up day.
        assert_eq!(
            YearCalendar::new(
                2026,
                "n",
                vec![rule(d(2026, 2, 16), DayKind::MakeupWorkday)]
            ),
            Err(CalendarError::MakeupNotWeekend {
                date: d(2026, 2, 16)
            })
        );
        // A Saturday make-up day is fine; a holiday on a Sunday too.
        assert!(YearCalendar::new(
            2026,
            "n",
            vec![
                rule(d(2026, 2, 14), DayKind::MakeupWorkday),
                rule(d(2026, 2, 15), DayKind::Holiday)
            ]
        )
        .is_ok());
        assert_eq!(
            YearCalendar::new(2026, "n", vec![rule(d(2025, 12, 31), DayKind::Holiday)]),
            Err(CalendarError::DateOutsideYear {
                year: 2026,
                date: d(2025, 12, 31)
            })
        );
        assert_eq!(
            YearCalendar::new(
                2026,
                "n",
                vec![
                    rule(d(2026, 3, 2), DayKind::Holiday),
                    rule(d(2026, 3, 2), DayKind::LocalClosure)
                ]
            ),
            Err(CalendarError::DuplicateDate {
                date: d(2026, 3, 2)
            })
        );
        let blank = DayRule {
            date: d(2026, 3, 2),
            kind: DayKind::LocalClosure,
            name: " ".into(),
        };
        assert_eq!(
            YearCalendar::new(2026, "n", vec![blank]),
            Err(CalendarError::EmptyName {
                date: d(2026, 3, 2)
            })
        );
        assert_eq!(
            YearCalendar::new(2026, " ", vec![]),
            Err(CalendarError::EmptyNotice { year: 2026 })
        );
        assert_eq!(
            YearCalendar::new(1000, "n", vec![]),
            Err(CalendarError::YearOutOfRange { year: 1000 })
        );
    }

    #[test]
    fn parse_reports_rule_errors() {
        let text = "version 1\nyear 2026 文号\n2026-02-16 work 假调休\n";
        assert_eq!(
            parse_holidays(text),
            Err(CalendarError::MakeupNotWeekend {
                date: d(2026, 2, 16)
            })
        );
    }
}
