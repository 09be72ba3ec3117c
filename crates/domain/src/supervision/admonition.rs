//! 效能告诫 (efficiency warnings): a supervisor's formal warning to a named member of staff,
//! with its reason and evidence, and the rule that carries warnings up to the unit's head.
//!
//! The rule (seed 003, 榕民〔2014〕605号 八之2): "同一年度内，机关处室、局属单位工作人员受效能
//! 告诫每2人（次）的，给予该处室、单位负责人效能告诫一次". Here a unit is a department, the year
//! is the Asia/Shanghai calendar year in which the warning was given, and every completed pair of
//! staff warnings gives the head exactly one warning whose evidence is the two that made the pair:
//! two staff warnings give one, three still one, four give two. Warnings to the head themself
//! (given directly, or by this rule) do not count toward the staff tally.
//!
//! [`Tally`] is the running count of one unit in one year. The store keeps it as one row per
//! (department, year) and changes it under that row's lock, in the same transaction as the
//! staff warning, so two warnings issued at once cannot both complete the same pair.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::org::Role;

/// Staff warnings in one unit and one year that give its head one warning.
pub const STAFF_WARNINGS_PER_HEAD_WARNING: u32 = 2;

crate::closed_set! {
    /// Who a warning is given to, which decides whether it counts toward the unit's tally.
    pub enum Kind {
        /// To a member of a department's staff who is not its head: counts toward the tally.
        Staff = "staff" => "工作人员效能告诫",
        /// To a department's head, given directly by a supervisor: does not count.
        Head = "head" => "负责人效能告诫",
        /// To a department's head by the rule, for a completed pair of staff warnings.
        HeadByRule = "head_by_rule" => "负责人效能告诫（工作人员受告诫每2人次）",
    }
}

impl Kind {
    /// The kind of a warning a supervisor gives to someone of `role`: only a department's own
    /// staff (window clerks, approvers, its head) receive one.
    pub fn for_role(role: Role) -> Option<Kind> {
        match role {
            Role::Clerk | Role::Approver => Some(Kind::Staff),
            Role::DeptHead => Some(Kind::Head),
            _ => None,
        }
    }

    /// Whether a warning of this kind counts toward the unit's staff tally.
    pub fn counts(self) -> bool {
        self == Kind::Staff
    }
}

/// The year a warning given at `at` counts in: the Asia/Shanghai calendar year.
pub fn tally_year(at: DateTime<Utc>) -> i32 {
    crate::time::local_date(at).year()
}

/// What a warning rests on. A supervisor cites findings and cases; a warning given by the rule
/// cites the staff warnings that made its pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Ids of supervision findings.
    #[serde(default)]
    pub findings: Vec<i64>,
    /// Case numbers.
    #[serde(default)]
    pub cases: Vec<String>,
    /// Ids of the staff warnings that gave the head this one (the chain of evidence).
    #[serde(default)]
    pub admonitions: Vec<i64>,
}

impl Evidence {
    /// Each finding and case once, in the order first cited, case numbers trimmed and blanks
    /// dropped.
    pub fn normalised(self) -> Evidence {
        let mut findings = Vec::new();
        for f in self.findings {
            if !findings.contains(&f) {
                findings.push(f);
            }
        }
        let mut cases: Vec<String> = Vec::new();
        for c in self.cases {
            let c = c.trim();
            if !c.is_empty() && !cases.iter().any(|x| x == c) {
                cases.push(c.to_string());
            }
        }
        let mut admonitions = Vec::new();
        for a in self.admonitions {
            if !admonitions.contains(&a) {
                admonitions.push(a);
            }
        }
        Evidence {
            findings,
            cases,
            admonitions,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.cases.is_empty() && self.admonitions.is_empty()
    }
}

/// One unit's staff warnings in one year: how many, and the one still waiting for its pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub staff_warnings: u32,
    /// The staff warning given since the last completed pair, if any.
    pub unpaired: Option<i64>,
}

/// The head's warning a completed pair gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadWarning {
    /// The two staff warnings, in the order given: the chain of evidence.
    pub pair: [i64; 2],
    /// Which completed pair of the year this is (1 for the first).
    pub ordinal: u32,
    pub reason: String,
}

impl Tally {
    /// Counts the staff warning `id` (the next given in this unit and year). Returns the tally
    /// after it and, when it completes a pair, the head's warning that pair gives.
    pub fn count(self, id: i64) -> (Tally, Option<HeadWarning>) {
        let staff_warnings = self.staff_warnings + 1;
        match self.unpaired {
            Some(first) if staff_warnings.is_multiple_of(STAFF_WARNINGS_PER_HEAD_WARNING) => {
                let ordinal = staff_warnings / STAFF_WARNINGS_PER_HEAD_WARNING;
                let head = HeadWarning {
                    pair: [first, id],
                    ordinal,
                    reason: format!(
                        "本单位工作人员本年度受效能告诫满{staff_warnings}人次（告诫第{first}号、第{id}号），\
                         依“同一年度内工作人员受效能告诫每2人次给予负责人效能告诫一次”，\
                         给予单位负责人效能告诫（本年度第{ordinal}次）"
                    ),
                };
                (
                    Tally {
                        staff_warnings,
                        unpaired: None,
                    },
                    Some(head),
                )
            }
            _ => (
                Tally {
                    staff_warnings,
                    unpaired: Some(id),
                },
                None,
            ),
        }
    }

    /// Head warnings the rule has given for this tally.
    pub fn head_warnings(self) -> u32 {
        self.staff_warnings / STAFF_WARNINGS_PER_HEAD_WARNING
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// Gives `n` staff warnings (ids 1..=n) in one unit and year; returns the head warnings.
    fn give(n: i64) -> (Tally, Vec<HeadWarning>) {
        let mut tally = Tally::default();
        let mut heads = Vec::new();
        for id in 1..=n {
            let (next, head) = tally.count(id);
            tally = next;
            heads.extend(head);
        }
        (tally, heads)
    }

    #[test]
    fn one_staff_warning_gives_the_head_nothing() {
        let (tally, heads) = give(1);
        assert!(heads.is_empty());
        assert_eq!(
            tally,
            Tally {
                staff_warnings: 1,
                unpaired: Some(1)
            }
        );
    }

    #[test]
    fn every_completed_pair_gives_exactly_one_head_warning() {
        for (n, expected) in [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (7, 3)] {
            let (tally, heads) = give(n);
            assert_eq!(heads.len(), expected, "{n} staff warnings");
            assert_eq!(tally.head_warnings() as usize, expected, "{n}");
        }
    }

    #[test]
    fn the_head_warning_cites_the_pair_that_made_it() {
        let (tally, heads) = give(4);
        assert_eq!(heads[0].pair, [1, 2]);
        assert_eq!(heads[1].pair, [3, 4]);
        assert_eq!((heads[0].ordinal, heads[1].ordinal), (1, 2));
        assert!(heads[1].reason.contains("第3号") && heads[1].reason.contains("第4号"));
        assert_eq!(tally.unpaired, None, "nothing waits after a pair");
        // The third waits for the fourth, then the fourth completes the second pair.
        let (three, _) = give(3);
        assert_eq!(three.unpaired, Some(3));
    }

    #[test]
    fn only_warnings_to_staff_count() {
        assert_eq!(Kind::for_role(Role::Clerk), Some(Kind::Staff));
        assert_eq!(Kind::for_role(Role::Approver), Some(Kind::Staff));
        assert_eq!(Kind::for_role(Role::DeptHead), Some(Kind::Head));
        for role in [
            Role::Applicant,
            Role::Agent,
            Role::Supervisor,
            Role::Legal,
            Role::Leader,
            Role::Admin,
        ] {
            assert_eq!(Kind::for_role(role), None, "{role:?}");
        }
        assert!(Kind::Staff.counts());
        assert!(!Kind::Head.counts());
        assert!(!Kind::HeadByRule.counts());
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn the_year_is_the_shanghai_calendar_year() {
        // 31 December 2025 16:00 UTC is already 1 January 2026 in Shanghai.
        let new_year = Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap();
        assert_eq!(tally_year(new_year), 2026);
        let eve = Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap();
        assert_eq!(tally_year(eve), 2025);
    }

    #[test]
    fn evidence_is_cited_once_each() {
        let e = Evidence {
            findings: vec![3, 1, 3],
            cases: vec![" A1 ".into(), "A1".into(), "".into(), "B2".into()],
            admonitions: vec![],
        }
        .normalised();
        assert_eq!(e.findings, vec![3, 1]);
        assert_eq!(e.cases, vec!["A1".to_string(), "B2".to_string()]);
        assert!(!e.is_empty());
        assert!(Evidence::default().is_empty());
    }
}
