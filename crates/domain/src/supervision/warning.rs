//! Warning lights on a clock: yellow (预警) before the deadline, red (纠错) once it has passed.
//!
//! Yellow comes when a share of the committed working time has elapsed or when only a few
//! working days remain, whichever is first (defaults: 90 %, 1 day; local settings). Both are
//! counted in working days on the clock itself, so a suspension pauses them and an approved
//! extension moves them, exactly as it moves the deadline.
//!
//! A clock so short that those rules would light it yellow from its first instant (a 1-day
//! step with "1 day left") would warn of nothing. It turns yellow instead at a set hour of its
//! due date (default 12:00: the last half working day), so yellow always means real warning
//! time.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, ClockStatus, StatutoryClock, WorkingDays};
use crate::time::start_of_day;

/// Local rules for the lights; settings with these defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRules {
    /// Yellow once this percentage of the working time has elapsed.
    pub yellow_percent: u32,
    /// Yellow once this many working days (or fewer) remain.
    pub yellow_days_left: u32,
    /// For a clock the day rules would light from its start: the hour (Shanghai, 0–23) of its
    /// due date from which it is yellow.
    pub short_yellow_hour: u32,
}

impl Default for WarningRules {
    fn default() -> Self {
        Self {
            yellow_percent: 90,
            yellow_days_left: 1,
            short_yellow_hour: 12,
        }
    }
}

crate::closed_set! {
    #[derive(PartialOrd, Ord)]
    pub enum Light {
        Green = "green" => "正常",
        Yellow = "yellow" => "黄灯预警",
        Red = "red" => "红灯超期",
    }
}

impl Light {
    /// 0, 1, 2: as stored and compared.
    pub fn rank(self) -> i64 {
        match self {
            Light::Green => 0,
            Light::Yellow => 1,
            Light::Red => 2,
        }
    }

    pub fn from_rank(rank: i64) -> Light {
        match rank {
            i64::MIN..=0 => Light::Green,
            1 => Light::Yellow,
            _ => Light::Red,
        }
    }
}

impl WarningRules {
    /// The counted day from which a clock of `total` days is yellow (0: from the start).
    pub fn yellow_day(&self, total: u32) -> u32 {
        let by_share = (u64::from(total) * u64::from(self.yellow_percent)).div_ceil(100);
        let by_share = u32::try_from(by_share).unwrap_or(u32::MAX);
        by_share.min(total.saturating_sub(self.yellow_days_left))
    }

    /// When a short clock (one whose `yellow_day` is 0) due on `due_date` turns yellow.
    pub fn short_yellow_at(&self, due_date: NaiveDate) -> DateTime<Utc> {
        start_of_day(due_date) + Duration::hours(i64::from(self.short_yellow_hour.min(23)))
    }
}

/// The light at `now` of a clock whose status at `now` is `status`.
pub fn light(status: &ClockStatus, now: DateTime<Utc>, rules: &WarningRules) -> Light {
    let yellow_day = rules.yellow_day(status.total_days);
    if status.overdue {
        Light::Red
    } else if yellow_day == 0 {
        if now >= rules.short_yellow_at(status.due_date) {
            Light::Yellow
        } else {
            Light::Green
        }
    } else if status.elapsed_days >= yellow_day {
        Light::Yellow
    } else {
        Light::Green
    }
}

/// When a clock turns yellow and red, as things stand at `now` (an open suspension is taken to
/// last until `now`, so while suspended both move out day by day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossings {
    pub yellow_at: DateTime<Utc>,
    /// Just after the last instant of the due date.
    pub red_at: DateTime<Utc>,
}

pub fn crossings(
    clock: &StatutoryClock,
    cal: &Calendar,
    now: DateTime<Utc>,
    rules: &WarningRules,
) -> Result<Crossings, CalendarError> {
    let status = clock.status(cal, now)?;
    let red_at = status.due_at + Duration::milliseconds(1);
    let k = rules.yellow_day(status.total_days);
    if k == 0 {
        let yellow_at = rules.short_yellow_at(status.due_date);
        return Ok(Crossings { yellow_at, red_at });
    }
    let yellow_at = match WorkingDays::new(k) {
        // Yellow from the start of the k-th counted day: the due date of the same clock cut to
        // k days, suspensions and all.
        Ok(days) => {
            let mut cut = clock.clone();
            cut.limit = days;
            cut.extensions.clear();
            start_of_day(cut.due_date(cal, now)?)
        }
        Err(_) => clock.start,
    };
    Ok(Crossings { yellow_at, red_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Extension, LimitKind, Suspension, SuspensionKind};
    use chrono::{NaiveDate, TimeZone};

    fn shanghai(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        crate::time::shanghai()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn clock(days: u32) -> StatutoryClock {
        // Monday 2 March 2026, 10:00.
        StatutoryClock::new(
            shanghai(2026, 3, 2, 10),
            WorkingDays::new(days).unwrap(),
            LimitKind::Committed,
        )
    }

    fn at(c: &StatutoryClock, now: DateTime<Utc>) -> Light {
        light(
            &c.status(&Calendar::shipped(), now).unwrap(),
            now,
            &WarningRules::default(),
        )
    }

    #[test]
    fn yellow_comes_at_ninety_percent_or_one_day_left_whichever_first() {
        let r = WarningRules::default();
        assert_eq!(r.yellow_day(20), 18, "90% of 20");
        assert_eq!(r.yellow_day(10), 9);
        assert_eq!(r.yellow_day(5), 4, "one day left comes before 90%");
        assert_eq!(
            r.yellow_day(1),
            0,
            "a one-day limit is yellow from the start"
        );
    }

    #[test]
    fn a_one_day_step_is_green_when_it_opens_and_yellow_for_its_last_half_day() {
        // Opened Monday 2 March 10:00; the start day does not count, so it is due Tuesday 3rd.
        let c = clock(1);
        assert_eq!(
            at(&c, c.start),
            Light::Green,
            "not yellow the moment it opens"
        );
        assert_eq!(at(&c, shanghai(2026, 3, 3, 11)), Light::Green);
        assert_eq!(at(&c, shanghai(2026, 3, 3, 12)), Light::Yellow);
        assert_eq!(at(&c, shanghai(2026, 3, 4, 0)), Light::Red);
        let x = crossings(&c, &Calendar::shipped(), c.start, &WarningRules::default()).unwrap();
        assert_eq!(x.yellow_at, shanghai(2026, 3, 3, 12));
        assert!(x.yellow_at < x.red_at);
        // The hour is a setting.
        let early = WarningRules {
            short_yellow_hour: 9,
            ..WarningRules::default()
        };
        let x = crossings(&c, &Calendar::shipped(), c.start, &early).unwrap();
        assert_eq!(x.yellow_at, shanghai(2026, 3, 3, 9));
    }

    #[test]
    fn a_short_step_before_a_holiday_turns_yellow_on_its_due_date_after_it() {
        // Opened Wednesday 30 September 2026; 1–7 October is the National Day holiday, and the
        // first working day after it is Thursday 8 October (per the shipped 2026 notice).
        let c = StatutoryClock::new(
            shanghai(2026, 9, 30, 16),
            WorkingDays::new(1).unwrap(),
            LimitKind::Committed,
        );
        let cal = Calendar::shipped();
        let due = c.status(&cal, c.start).unwrap().due_date;
        let x = crossings(&c, &cal, c.start, &WarningRules::default()).unwrap();
        assert_eq!(x.yellow_at, WarningRules::default().short_yellow_at(due));
        assert_eq!(at(&c, shanghai(2026, 10, 5, 12)), Light::Green, "a holiday");
        assert!(due > NaiveDate::from_ymd_opt(2026, 10, 7).unwrap());
    }

    #[test]
    fn a_ten_day_clock_goes_green_yellow_red() {
        let c = clock(10);
        // Counted days: 3,4,5,6,9,10,11,12,13 (day 9) and 16 March (day 10).
        assert_eq!(at(&c, shanghai(2026, 3, 12, 17)), Light::Green);
        assert_eq!(at(&c, shanghai(2026, 3, 13, 9)), Light::Yellow);
        assert_eq!(at(&c, shanghai(2026, 3, 16, 23)), Light::Yellow);
        assert_eq!(at(&c, shanghai(2026, 3, 17, 0)), Light::Red);
        let x = crossings(&c, &Calendar::shipped(), c.start, &WarningRules::default()).unwrap();
        assert_eq!(x.yellow_at, shanghai(2026, 3, 13, 0));
        let due = crate::time::end_of_day(NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        assert_eq!(x.red_at, due + Duration::milliseconds(1));
    }

    #[test]
    fn a_suspension_pauses_the_lights_and_an_extension_moves_them() {
        let cal = Calendar::shipped();
        let r = WarningRules::default();
        let mut c = clock(10);
        let before = crossings(&c, &cal, c.start, &r).unwrap();
        c.suspensions.push(Suspension {
            counting: Default::default(),
            kind: SuspensionKind::Inspection,
            reason: "现场检查".into(),
            started_by: "审批人".into(),
            start: shanghai(2026, 3, 4, 9),
            end: Some(shanghai(2026, 3, 6, 17)),
            ended_by: Some("审批人".into()),
        });
        let paused = crossings(&c, &cal, shanghai(2026, 3, 9, 9), &r).unwrap();
        assert_eq!(
            paused.yellow_at,
            shanghai(2026, 3, 18, 0),
            "three days later"
        );
        assert!(paused.red_at > before.red_at);
        assert_eq!(
            at(&c, shanghai(2026, 3, 13, 9)),
            Light::Green,
            "not yet yellow"
        );
        c.extensions.push(Extension {
            days: WorkingDays::new(10).unwrap(),
            approver: "负责人".into(),
            reason: "复杂".into(),
            at: shanghai(2026, 3, 9, 10),
        });
        let extended = crossings(&c, &cal, shanghai(2026, 3, 9, 11), &r).unwrap();
        // 20 days: yellow on the 18th counted day.
        assert!(extended.yellow_at > paused.red_at);
    }
}
