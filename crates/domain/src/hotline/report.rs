//! The public monthly report's counts: tickets received by subject and by township (乡镇/街道),
//! and the hot subjects (热点诉求) with their trend against the month before.
//!
//! Every ticket received in the month counts once, merged duplicates included: the report
//! counts what people asked, and a matter many called about is hotter for it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::region::{Level, RegionCode};

/// The township (乡镇/街道) a ticket's region counts under: a village's township, a township
/// itself; a ticket about a whole county or the city counts under that code.
pub fn township_of(region: &RegionCode) -> RegionCode {
    match region.level() {
        Level::Village => region.parent().unwrap_or_else(|| region.clone()),
        _ => region.clone(),
    }
}

/// A subject's count in a month and in the month before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectCount {
    pub subject: String,
    pub name: String,
    pub count: u32,
    pub previous: u32,
}

impl SubjectCount {
    /// The trend: ↑ more than the month before, ↓ fewer, = the same, 新 none before.
    pub fn trend(&self) -> &'static str {
        match (self.previous, self.count) {
            (0, n) if n > 0 => "新",
            (p, n) if n > p => "↑",
            (p, n) if n < p => "↓",
            _ => "=",
        }
    }
}

/// Counts by subject from `(subject, name, count)` lines of this month and of the month before
/// (a subject may appear on several lines: it is summed), most asked first, then by code.
pub fn by_subject(
    current: &[(String, String, u32)],
    previous: &[(String, String, u32)],
) -> Vec<SubjectCount> {
    let mut map: BTreeMap<&str, SubjectCount> = BTreeMap::new();
    for (code, name, n) in current {
        let e = map.entry(code).or_insert_with(|| SubjectCount {
            subject: code.clone(),
            name: name.clone(),
            count: 0,
            previous: 0,
        });
        e.count += n;
    }
    for (code, name, n) in previous {
        let e = map.entry(code).or_insert_with(|| SubjectCount {
            subject: code.clone(),
            name: name.clone(),
            count: 0,
            previous: 0,
        });
        e.previous += n;
    }
    let mut out: Vec<SubjectCount> = map.into_values().filter(|s| s.count > 0).collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

/// The hot subjects: the `top` most asked of the month.
pub fn hot(subjects: &[SubjectCount], top: usize) -> Vec<SubjectCount> {
    subjects.iter().take(top).cloned().collect()
}

/// Counts by township from `(region, count)` lines, most first, then by code. A region that is
/// not a valid code is left out.
pub fn by_township(lines: &[(String, u32)]) -> Vec<(RegionCode, u32)> {
    let mut map: BTreeMap<RegionCode, u32> = BTreeMap::new();
    for (region, n) in lines {
        if let Ok(r) = RegionCode::parse(region) {
            *map.entry(township_of(&r)).or_default() += n;
        }
    }
    let mut out: Vec<(RegionCode, u32)> = map.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: &str, n: u32) -> (String, String, u32) {
        (code.into(), format!("事项{code}"), n)
    }

    #[test]
    fn subjects_are_summed_ranked_and_trended() {
        let now = [line("a", 2), line("b", 5), line("a", 4), line("c", 1)];
        let before = [line("a", 6), line("b", 2), line("d", 9)];
        let s = by_subject(&now, &before);
        let got: Vec<(&str, u32, u32, &str)> = s
            .iter()
            .map(|x| (x.subject.as_str(), x.count, x.previous, x.trend()))
            .collect();
        assert_eq!(
            got,
            [("a", 6, 6, "="), ("b", 5, 2, "↑"), ("c", 1, 0, "新")],
            "d was asked only before: not in this month's list"
        );
        assert_eq!(hot(&s, 2).len(), 2);
        let fewer = SubjectCount {
            subject: "x".into(),
            name: "x".into(),
            count: 1,
            previous: 3,
        };
        assert_eq!(fewer.trend(), "↓");
    }

    #[test]
    fn villages_count_under_their_township() {
        let lines = [
            ("361202001001".to_string(), 2),
            ("361202001000".to_string(), 1),
            ("361203001000".to_string(), 4),
            ("361202".to_string(), 1),
            ("bad".to_string(), 9),
        ];
        let t: Vec<(String, u32)> = by_township(&lines)
            .into_iter()
            .map(|(r, n)| (r.as_str().to_string(), n))
            .collect();
        assert_eq!(
            t,
            [
                ("361203001000".to_string(), 4),
                ("361202001000".to_string(), 3),
                ("361202".to_string(), 1)
            ]
        );
    }
}
