//! The rules of intake: what must be present to accept, the one supplement notice
//! (一次性告知), 容缺 acceptance, and acceptance by operation of law (行政许可法 第三十二条).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, Counting, WorkingDays};
use crate::catalog::Item;
use crate::codes;
use crate::error::DomainError;

/// Working days after receipt within which a decision to accept or a supplement notice is due;
/// past it the application counts as accepted from the day the materials arrived.
pub const NOTICE_DAYS: u32 = 5;

/// What the clerk found when checking the materials against the item's list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialCheck {
    /// Material keys handed in and in order.
    pub present: BTreeSet<String>,
    /// Material keys handed in but defective, each with what is wrong.
    pub defective: Vec<(String, String)>,
}

/// The outcome of checking an application against its item version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntakeVerdict {
    /// Everything required is present and in order.
    Complete,
    /// Required materials are missing or defective, but all of them may come later (容缺):
    /// acceptance is possible with a supplement deadline.
    Deferrable { later: Vec<String> },
    /// Something required cannot be deferred: one notice must list everything missing.
    Incomplete { missing: Vec<String> },
}

impl MaterialCheck {
    /// Checks the materials against the item version. Unknown keys are refused: a clerk can only
    /// tick what the item lists.
    pub fn verdict(&self, item: &Item) -> Result<IntakeVerdict, DomainError> {
        for key in self
            .present
            .iter()
            .chain(self.defective.iter().map(|(k, _)| k))
        {
            if item.material(key).is_none() {
                return Err(
                    codes::Case::MaterialUnknown.with(format!("该事项没有编号为“{key}”的材料"))
                );
            }
        }
        let defective: BTreeSet<&str> = self.defective.iter().map(|(k, _)| k.as_str()).collect();
        let lacking: Vec<&crate::catalog::Material> = item
            .materials
            .iter()
            .filter(|m| {
                m.required && (!self.present.contains(&m.key) || defective.contains(m.key.as_str()))
            })
            .collect();
        if lacking.is_empty() {
            Ok(IntakeVerdict::Complete)
        } else if lacking.iter().all(|m| m.deferrable) {
            Ok(IntakeVerdict::Deferrable {
                later: lacking.iter().map(|m| m.key.clone()).collect(),
            })
        } else {
            Ok(IntakeVerdict::Incomplete {
                missing: lacking.iter().map(|m| m.key.clone()).collect(),
            })
        }
    }
}

/// 一次性告知, the first notice: it lists every required material not handed in, because a
/// later notice may not ask for anything new and acceptance needs them all. A material that may
/// come later (容缺) is no trap and may be left to the acceptance's own list. Returns the keys
/// it leaves out.
pub fn left_out_of_notice(
    item: &Item,
    handed_in: impl Fn(&str) -> bool,
    listed: &[String],
) -> Vec<String> {
    item.materials
        .iter()
        .filter(|m| m.required && !m.deferrable && !handed_in(&m.key) && !listed.contains(&m.key))
        .map(|m| m.key.clone())
        .collect()
}

/// What an application lacks before it is filed (the "check your answers" step): the required
/// materials not handed in, split into those that are not 容缺 (`blocking`) and those that may
/// follow acceptance (`later`). Keys, in the item's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationGaps {
    pub blocking: Vec<String>,
    pub later: Vec<String>,
}

impl ApplicationGaps {
    pub fn of(item: &Item, handed_in: impl Fn(&str) -> bool) -> ApplicationGaps {
        ApplicationGaps {
            // The same list a first notice would have to name.
            blocking: left_out_of_notice(item, &handed_in, &[]),
            later: item
                .materials
                .iter()
                .filter(|m| m.required && m.deferrable && !handed_in(&m.key))
                .map(|m| m.key.clone())
                .collect(),
        }
    }

    /// An application filed online must carry every required material that is not 容缺: nobody
    /// stands at a window to tell the applicant what is missing before it is filed. The refusal
    /// names the materials.
    pub fn check_online(&self, name: impl Fn(&str) -> String) -> Result<(), DomainError> {
        if self.blocking.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = self.blocking.iter().map(|k| name(k)).collect();
        Err(codes::Case::OnlineMaterialsMissing.with(format!(
            "缺少必要材料（{}），不能在网上提交；请补齐后再提交，或到窗口办理",
            names.join("、")
        )))
    }
}

/// 一次性告知: a case gets one supplement notice, and it must list everything. A later notice
/// may only repeat what the first asked for (e.g. a reminder), never ask for something new.
/// `name` gives a material's name for the message: people read names, never keys.
pub fn check_second_notice(
    first: &[String],
    second: &[String],
    name: impl Fn(&str) -> String,
) -> Result<(), DomainError> {
    let new: Vec<String> = second
        .iter()
        .filter(|k| !first.contains(k))
        .map(|k| name(k))
        .collect();
    if new.is_empty() {
        Ok(())
    } else {
        Err(codes::Case::SecondNotice.with(format!(
            "一次性告知：第一次补正通知未列出的材料（{}）不能再次要求补正",
            new.join("、")
        )))
    }
}

/// The last day for accepting or noticing an application received at `received`.
pub fn notice_due(cal: &Calendar, received: DateTime<Utc>) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(
        received,
        WorkingDays::new(NOTICE_DAYS)?,
        Counting::NextWorkingDay,
    )
}

/// Whether, at `now`, the application counts as accepted by operation of law: no decision and
/// no notice by the end of the notice period. It then counts from the day of receipt.
pub fn accepted_by_law(
    cal: &Calendar,
    received: DateTime<Utc>,
    now: DateTime<Utc>,
    decided_or_noticed: bool,
) -> Result<bool, CalendarError> {
    if decided_or_noticed {
        return Ok(false);
    }
    let due = notice_due(cal, received)?;
    Ok(now > crate::time::end_of_day(due))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::sample;
    use chrono::TimeZone;

    fn present(keys: &[&str]) -> MaterialCheck {
        MaterialCheck {
            present: keys.iter().map(|k| k.to_string()).collect(),
            defective: vec![],
        }
    }

    #[test]
    fn complete_deferrable_and_incomplete() {
        let item = sample::food_licence();
        assert_eq!(
            present(&["m1", "m2", "m3"]).verdict(&item).unwrap(),
            IntakeVerdict::Complete
        );
        assert_eq!(
            present(&["m1", "m2"]).verdict(&item).unwrap(),
            IntakeVerdict::Deferrable {
                later: vec!["m3".into()]
            },
            "m3 (平面布局图) may come later"
        );
        assert_eq!(
            present(&["m2", "m3"]).verdict(&item).unwrap(),
            IntakeVerdict::Incomplete {
                missing: vec!["m1".into()]
            }
        );
        let mut defective = present(&["m1", "m2", "m3"]);
        defective
            .defective
            .push(("m2".into(), "复印件不清晰".into()));
        assert_eq!(
            defective.verdict(&item).unwrap(),
            IntakeVerdict::Incomplete {
                missing: vec!["m2".into()]
            }
        );
        assert_eq!(
            present(&["m1", "m9"]).verdict(&item).unwrap_err().code,
            codes::Case::MaterialUnknown
        );
    }

    #[test]
    fn a_second_notice_may_not_ask_for_anything_new() {
        let first = vec!["m1".to_string(), "m2".to_string()];
        let name = |k: &str| format!("材料{}", k.trim_start_matches('m'));
        assert!(check_second_notice(&first, &["m2".to_string()], name).is_ok());
        let err =
            check_second_notice(&first, &["m2".to_string(), "m3".to_string()], name).unwrap_err();
        assert_eq!(err.code, codes::Case::SecondNotice);
        assert!(err.message.contains("（材料3）"), "{}", err.message);
        assert!(!err.message.contains("m3"), "no raw key: {}", err.message);
    }

    #[test]
    fn silence_past_five_working_days_accepts_by_law() {
        let cal = Calendar::shipped();
        // Received Friday 2026-02-13 10:00 Shanghai; 2/14 is a make-up working day, then Spring Festival.
        let received = Utc.with_ymd_and_hms(2026, 2, 13, 2, 0, 0).unwrap();
        assert_eq!(
            notice_due(&cal, received).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 27).unwrap()
        );
        let last_minute = crate::time::end_of_day(NaiveDate::from_ymd_opt(2026, 2, 27).unwrap());
        assert!(!accepted_by_law(&cal, received, last_minute, false).unwrap());
        let next_morning = last_minute + chrono::Duration::hours(9);
        assert!(accepted_by_law(&cal, received, next_morning, false).unwrap());
        assert!(
            !accepted_by_law(&cal, received, next_morning, true).unwrap(),
            "a notice in time prevents it"
        );
    }
}
