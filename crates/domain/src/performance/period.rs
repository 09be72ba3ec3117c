//! Scoring periods: a month, a quarter, a half-year or a year, in Shanghai dates.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// 考评周期.
    #[derive(PartialOrd, Ord)]
    pub enum PeriodKind {
        Month = "month" => "月度",
        Quarter = "quarter" => "季度",
        Half = "half" => "半年",
        Year = "year" => "年度",
    }
}

/// A period: its kind, its year and its number within the year (month 1–12, quarter 1–4,
/// half 1–2; 1 for a year). Written `2026-07`, `2026-Q3`, `2026-H2`, `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    pub year: i32,
    pub kind: PeriodKind,
    pub n: u32,
}

impl Period {
    pub fn parse(input: &str) -> Result<Period, DomainError> {
        let s = input.trim();
        let bad = || codes::Performance::Period.err();
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let num = |t: &str, max: u32| -> Result<u32, DomainError> {
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let n: u32 = t.parse().map_err(|_| bad())?;
            if (1..=max).contains(&n) {
                Ok(n)
            } else {
                Err(bad())
            }
        };
        let (kind, n) = match rest {
            None => (PeriodKind::Year, 1),
            Some(r) => {
                if let Some(q) = r.strip_prefix('Q') {
                    (PeriodKind::Quarter, num(q, 4)?)
                } else if let Some(h) = r.strip_prefix('H') {
                    (PeriodKind::Half, num(h, 2)?)
                } else if r.len() == 2 {
                    (PeriodKind::Month, num(r, 12)?)
                } else {
                    return Err(bad());
                }
            }
        };
        Ok(Period { year, kind, n })
    }

    /// The first and last month (1–12) of the period.
    fn months(self) -> (u32, u32) {
        match self.kind {
            PeriodKind::Month => (self.n, self.n),
            PeriodKind::Quarter => (self.n * 3 - 2, self.n * 3),
            PeriodKind::Half => (self.n * 6 - 5, self.n * 6),
            PeriodKind::Year => (1, 12),
        }
    }

    /// The first Shanghai date of the period.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.months().0, 1).unwrap_or_default()
    }

    /// The first Shanghai date after the period.
    pub fn end_day(self) -> NaiveDate {
        let last = self.months().1;
        let (y, m) = if last == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, last + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    /// The period as instants: `[from, to)`.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            crate::time::start_of_day(self.first_day()),
            crate::time::start_of_day(self.end_day()),
        )
    }

    /// The first and last month as `YYYY-MM` (ratings are kept by month).
    pub fn month_range(self) -> (String, String) {
        let (a, b) = self.months();
        (
            format!("{:04}-{a:02}", self.year),
            format!("{:04}-{b:02}", self.year),
        )
    }

    /// The first and last day as `YYYYMMDD` (the board's daily tallies).
    pub fn day_range(self) -> (String, String) {
        let last = self.end_day().pred_opt().unwrap_or_default();
        (
            self.first_day().format("%Y%m%d").to_string(),
            last.format("%Y%m%d").to_string(),
        )
    }

    /// Whether the period is over at `now` (only a past period is published).
    pub fn is_over(self, now: DateTime<Utc>) -> bool {
        crate::time::local_date(now) >= self.end_day()
    }

    /// The period before this one, of the same kind.
    pub fn previous(self) -> Period {
        let per_year = match self.kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::Half => 2,
            PeriodKind::Year => 1,
        };
        if self.n > 1 {
            Period {
                n: self.n - 1,
                ..self
            }
        } else {
            Period {
                year: self.year - 1,
                n: per_year,
                ..self
            }
        }
    }

    /// The period a date falls in, of a kind.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let m = date.month();
        let n = match kind {
            PeriodKind::Month => m,
            PeriodKind::Quarter => m.div_ceil(3),
            PeriodKind::Half => m.div_ceil(6),
            PeriodKind::Year => 1,
        };
        Period {
            year: date.year(),
            kind,
            n,
        }
    }

    /// `2026年第三季度` and the like.
    pub fn label(self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.year, self.n),
            PeriodKind::Quarter => {
                let q = ["一", "二", "三", "四"][(self.n as usize).clamp(1, 4) - 1];
                format!("{}年第{q}季度", self.year)
            }
            PeriodKind::Half => {
                let h = if self.n == 1 {
                    "上半年"
                } else {
                    "下半年"
                };
                format!("{}年{h}", self.year)
            }
            PeriodKind::Year => format!("{}年度", self.year),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.year, self.n),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.year, self.n),
            PeriodKind::Half => write!(f, "{:04}-H{}", self.year, self.n),
            PeriodKind::Year => write!(f, "{:04}", self.year),
        }
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print_back() {
        for s in [
            "2026-07", "2026-Q3", "2026-H2", "2026", "2026-12", "2026-Q1",
        ] {
            assert_eq!(Period::parse(s).expect(s).to_string(), s);
        }
        for bad in [
            "2026-13", "2026-Q5", "2026-H3", "26", "2026-7", "2026-Q", "x", "2026-00",
        ] {
            assert_eq!(
                Period::parse(bad).expect_err(bad).code,
                codes::Performance::Period
            );
        }
    }

    #[test]
    fn bounds_months_days_and_the_previous_period() {
        let q = Period::parse("2026-Q3").expect("q");
        assert_eq!(q.first_day().to_string(), "2026-07-01");
        assert_eq!(q.end_day().to_string(), "2026-10-01");
        assert_eq!(q.month_range(), ("2026-07".into(), "2026-09".into()));
        assert_eq!(q.day_range(), ("20260701".into(), "20260930".into()));
        assert_eq!(q.previous().to_string(), "2026-Q2");
        assert_eq!(
            Period::parse("2026-Q1").expect("q").previous().to_string(),
            "2025-Q4"
        );
        assert_eq!(
            Period::parse("2026").expect("y").previous().to_string(),
            "2025"
        );
        let y = Period::parse("2026-12").expect("m");
        assert_eq!(y.end_day().to_string(), "2027-01-01");
        assert_eq!(q.label(), "2026年第三季度");
        let d = NaiveDate::from_ymd_opt(2026, 8, 9).expect("d");
        assert_eq!(
            Period::containing(PeriodKind::Half, d).to_string(),
            "2026-H2"
        );
        let (from, _) = q.bounds();
        assert_eq!(from.to_rfc3339(), "2026-06-30T16:00:00+00:00");
        assert!(!q.is_over(from));
        assert!(q.is_over(q.bounds().1));
    }
}
