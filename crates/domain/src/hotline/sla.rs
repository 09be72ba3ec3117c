//! Time limits and the other local rules of the hotline. All are settings; these are the
//! documented defaults (Guangdong's 2022 rules: 咨询 2, 求助 and 建议 10, 投诉 and 举报 15
//! working days).

use serde::{Deserialize, Serialize};

use super::Category;
use crate::calendar::WorkingDays;

/// The handling time limit of each category, in working days on the shared calendar; an urgent
/// ticket counts in hours instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTable {
    pub consult: WorkingDays,
    pub help: WorkingDays,
    pub complaint: WorkingDays,
    pub report: WorkingDays,
    pub suggestion: WorkingDays,
    /// 紧急工单: hours from receipt to reply, counted round the clock (an urgent matter — a
    /// burst main, a lift with people inside — does not wait for a working day).
    pub urgent_hours: u32,
}

impl SlaTable {
    /// The limit of a category.
    pub fn limit(&self, category: Category) -> WorkingDays {
        match category {
            Category::Consult => self.consult,
            Category::Help => self.help,
            Category::Complaint => self.complaint,
            Category::Report => self.report,
            Category::Suggestion => self.suggestion,
        }
    }
}

fn days(n: u32) -> WorkingDays {
    WorkingDays::new(n).unwrap_or(WorkingDays::new(1).expect("1 is a valid limit"))
}

impl Default for SlaTable {
    fn default() -> Self {
        Self {
            consult: days(2),
            help: days(10),
            complaint: days(15),
            report: days(15),
            suggestion: days(10),
            urgent_hours: 24,
        }
    }
}

/// The other local rules: how returns, extensions, call-backs and rework are bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotlineRules {
    /// A unit may return (退单) a ticket only within this many working days of its dispatch.
    pub return_days: u32,
    /// Returns a ticket may take in all; past this the centre must arbitrate, not re-dispatch
    /// blindly (反复退单).
    pub max_returns: u32,
    /// The most working days one extension may ask for.
    pub max_extension_days: u32,
    /// The centre calls back within this many working days of the reply; after that the ticket
    /// closes by timeout.
    pub callback_days: u32,
    /// Times a ticket may be reopened (重办) after a 不满意 call-back.
    pub max_reworks: u32,
    /// A unit signs for a dispatched ticket within this many hours; the 响应率 counts those
    /// that do ([`super::rates`]).
    pub sign_hours: u32,
    /// A new ticket is flagged as a likely duplicate of an open one received within this many
    /// days ([`super::duplicate`]); 0 flags none.
    pub duplicate_days: u32,
    /// Photos one request may carry (0 takes none); `hotline.photo_max_count`.
    #[serde(default = "default_photo_max_count")]
    pub photo_max_count: u32,
    /// The largest photo taken, in KiB, before its metadata is stripped;
    /// `hotline.photo_max_kb`.
    #[serde(default = "default_photo_max_kb")]
    pub photo_max_kb: u32,
    /// Whether JPEG photos are taken (`hotline.photo_jpeg`).
    #[serde(default = "yes")]
    pub photo_jpeg: bool,
    /// Whether PNG photos are taken (`hotline.photo_png`).
    #[serde(default = "yes")]
    pub photo_png: bool,
}

fn default_photo_max_count() -> u32 {
    4
}

fn default_photo_max_kb() -> u32 {
    5120
}

fn yes() -> bool {
    true
}

impl Default for HotlineRules {
    fn default() -> Self {
        Self {
            return_days: 1,
            max_returns: 2,
            max_extension_days: 10,
            callback_days: 3,
            max_reworks: 1,
            sign_hours: 24,
            duplicate_days: 7,
            photo_max_count: default_photo_max_count(),
            photo_max_kb: default_photo_max_kb(),
            photo_jpeg: true,
            photo_png: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_defaults() {
        let t = SlaTable::default();
        let got: Vec<u32> = Category::ALL.iter().map(|c| t.limit(*c).get()).collect();
        // 咨询, 求助, 投诉, 举报, 建议
        assert_eq!(got, [2, 10, 15, 15, 10]);
        assert_eq!(t.urgent_hours, 24);
    }
}
