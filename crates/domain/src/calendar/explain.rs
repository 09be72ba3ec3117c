//! A day-by-day account of a due date that a person can check against a paper calendar.
//!
//! Each day gets one verdict; a non-working day shows its own reason (周末, 春节…) even inside a
//! suspension, so the `Suspended` lines are exactly the working days a suspension cost. Runs of
//! the same verdict collapse into one line; make-up and local working days stay on lines of
//! their own because they are the days people doubt.

use super::table::Calendar;
use super::{weekday_zh, CalendarError, Counting};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A suspension as an inclusive span of Shanghai dates.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub(crate) from: NaiveDate,
    pub(crate) to: NaiveDate,
    pub(crate) label: Cow<'static, str>,
}

/// Why a day (or run of days) counted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    /// The start day, not counted (the convention, or it is not a working day).
    StartDay,
    /// Working days counted, as ordinals `first..=last` of the limit.
    Counted { first: u32, last: u32 },
    /// Non-working days: `reason` is 周末 or the holiday or closure name.
    Skipped { reason: String },
    /// Working days lost to a suspension; `kind` is its label (专家评审…).
    Suspended { kind: String },
    /// Working days counted after the due date: the `first..=last` overdue days.
    Overdue { first: u32, last: u32 },
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainLine {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub verdict: Verdict,
    /// E.g. `2026-02-14 周六 春节调休上班 计入第4日`, `2026-02-15…02-23 春节 不计入`.
    pub text: String,
}

/// The whole account; `Display` prints a header and one line per [`ExplainLine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub start_date: NaiveDate,
    pub counting: Counting,
    pub total_days: u32,
    pub due_date: NaiveDate,
    pub lines: Vec<ExplainLine>,
}

impl Explanation {
    pub fn lines(&self) -> &[ExplainLine] {
        &self.lines
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "起算日 {}（{}），期限 {} 个工作日，届满日 {} {}",
            self.start_date,
            self.counting.label(),
            self.total_days,
            self.due_date,
            weekday_zh(self.due_date)
        )?;
        for line in &self.lines {
            writeln!(f, "{}", line.text)?;
        }
        Ok(())
    }
}

/// A line under construction: `plain` runs (ordinary weekdays) may grow; the rest stand alone
/// unless their verdict and reason repeat.
struct Draft {
    from: NaiveDate,
    to: NaiveDate,
    verdict: Verdict,
    plain: bool,
    /// Weekday-level label for single-day lines (rule name, 工作日, 起算日…).
    label: String,
}

/// Builds the explanation with the same arithmetic as the due date, then checks they agree.
pub(crate) fn build(
    cal: &Calendar,
    start_date: NaiveDate,
    total: u32,
    counting: Counting,
    spans: &[Span],
    today: NaiveDate,
) -> Result<Explanation, CalendarError> {
    let start_i = cal.pos(start_date)?;
    let p0 = cal.start_pos(start_date, counting)?;
    let skip = super::clock::skip_ranges(cal, p0, spans);
    let due_i = cal.due_from(p0, total, &skip)?;
    let due_date = cal.date_at(due_i);
    let end_i = if today > due_date {
        cal.pos(today)?
    } else {
        due_i
    };

    let mut drafts: Vec<Draft> = Vec::new();
    let mut ordinal = 0u32;
    for i in start_i..=end_i {
        let date = cal.date_at(i);
        let working = cal.day_at(i).is_some_and(|d| d.working);
        let rule_name = cal.rule_at(i).map(|r| r.name.clone());
        let suspended = if i >= p0 && working {
            spans
                .iter()
                .find(|s| s.from <= date && date <= s.to)
                .map(|s| s.label.to_string())
        } else {
            None
        };
        let counted = i >= p0 && working && suspended.is_none();
        if counted {
            ordinal += 1;
        }
        let is_start = i == start_i;
        let (verdict, label, plain) = if is_start && !counted {
            let why = match (&suspended, working, &rule_name) {
                (Some(l), _, _) => format!("中止计时（{l}）"),
                (None, false, Some(name)) => name.clone(),
                (None, false, None) => "周末".to_string(),
                (None, true, _) => counting.label().to_string(),
            };
            (Verdict::StartDay, format!("起算日（{why}）"), false)
        } else if !working {
            let reason = rule_name.unwrap_or_else(|| "周末".to_string());
            (
                Verdict::Skipped {
                    reason: reason.clone(),
                },
                reason,
                true,
            )
        } else if let Some(kind) = suspended {
            (
                Verdict::Suspended { kind: kind.clone() },
                format!("中止计时（{kind}）"),
                true,
            )
        } else {
            let plain = rule_name.is_none() && !is_start;
            let label = match (is_start, rule_name) {
                (true, _) => "起算日".to_string(),
                (false, Some(name)) => name,
                (false, None) => "工作日".to_string(),
            };
            let verdict = if ordinal <= total {
                Verdict::Counted {
                    first: ordinal,
                    last: ordinal,
                }
            } else {
                let k = ordinal - total;
                Verdict::Overdue { first: k, last: k }
            };
            (verdict, label, plain)
        };
        if let Some(last) = drafts.last_mut() {
            if last.plain && plain && last.to.succ_opt() == Some(date) {
                if let Some(merged) = merge(&last.verdict, &verdict) {
                    last.verdict = merged;
                    last.to = date;
                    continue;
                }
            }
        }
        drafts.push(Draft {
            from: date,
            to: date,
            verdict,
            plain,
            label,
        });
    }
    let lines = drafts.into_iter().map(render).collect();
    Ok(Explanation {
        start_date,
        counting,
        total_days: total,
        due_date,
        lines,
    })
}

/// The verdict of a run extended by one more day, if the day belongs to the run.
fn merge(run: &Verdict, next: &Verdict) -> Option<Verdict> {
    match (run, next) {
        (Verdict::Counted { first, last }, Verdict::Counted { last: n, .. }) if *n == last + 1 => {
            Some(Verdict::Counted {
                first: *first,
                last: *n,
            })
        }
        (Verdict::Overdue { first, last }, Verdict::Overdue { last: n, .. }) if *n == last + 1 => {
            Some(Verdict::Overdue {
                first: *first,
                last: *n,
            })
        }
        (Verdict::Skipped { reason: a }, Verdict::Skipped { reason: b }) if a == b => {
            Some(run.clone())
        }
        (Verdict::Suspended { kind: a }, Verdict::Suspended { kind: b }) if a == b => {
            Some(run.clone())
        }
        _ => None,
    }
}

fn render(d: Draft) -> ExplainLine {
    let when = if d.from == d.to {
        format!("{} {}", d.from, weekday_zh(d.from))
    } else if d.from.year() == d.to.year() {
        format!("{}…{}", d.from, d.to.format("%m-%d"))
    } else {
        format!("{}…{}", d.from, d.to)
    };
    let text = match &d.verdict {
        Verdict::StartDay => format!("{when} {}，不计入", d.label),
        Verdict::Counted { first, last } if first == last => {
            format!("{when} {} 计入第{first}日", d.label)
        }
        Verdict::Counted { first, last } => format!("{when} 工作日 计入第{first}–{last}日"),
        Verdict::Overdue { first, last } if first == last => {
            format!("{when} {} 超期第{first}日", d.label)
        }
        Verdict::Overdue { first, last } => format!("{when} 工作日 超期第{first}–{last}日"),
        Verdict::Skipped { reason } => format!("{when} {reason} 不计入"),
        Verdict::Suspended { kind } => format!("{when} 中止计时（{kind}） 不计入"),
    };
    ExplainLine {
        from: d.from,
        to: d.to,
        verdict: d.verdict,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingDays;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn spring_festival_2026() {
        let cal = Calendar::shipped();
        let five = WorkingDays::new(5).expect("valid");
        let ex = cal
            .explain_due(date(2026, 2, 10), five, Counting::NextWorkingDay)
            .expect("explains");
        let texts: Vec<&str> = ex.lines().iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "2026-02-10 周二 起算日（次日起算），不计入",
                "2026-02-11…02-13 工作日 计入第1–3日",
                "2026-02-14 周六 春节调休上班 计入第4日",
                "2026-02-15…02-23 春节 不计入",
                "2026-02-24 周二 工作日 计入第5日",
            ]
        );
        assert_eq!(ex.due_date, date(2026, 2, 24));
        assert_eq!(
            ex.due_date,
            cal.due(date(2026, 2, 10), five, Counting::NextWorkingDay)
                .expect("due")
        );
        let shown = ex.to_string();
        assert!(shown.starts_with(
            "起算日 2026-02-10（次日起算），期限 5 个工作日，届满日 2026-02-24 周二\n"
        ));
        assert_eq!(shown.lines().count(), 6);
    }

    #[test]
    fn including_start_day() {
        let cal = Calendar::shipped();
        let two = WorkingDays::new(2).expect("valid");
        let ex = cal
            .explain_due(date(2026, 3, 2), two, Counting::IncludingStartDay)
            .expect("explains");
        let texts: Vec<&str> = ex.lines().iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "2026-03-02 周一 起算日 计入第1日",
                "2026-03-03 周二 工作日 计入第2日"
            ]
        );
        // A Saturday start under the same convention is not counted and says why.
        let ex = cal
            .explain_due(date(2026, 3, 7), two, Counting::IncludingStartDay)
            .expect("explains");
        assert_eq!(ex.lines()[0].text, "2026-03-07 周六 起算日（周末），不计入");
        assert_eq!(ex.lines()[0].verdict, Verdict::StartDay);
        assert_eq!(ex.lines()[1].text, "2026-03-08 周日 周末 不计入");
    }

    #[test]
    fn year_boundary_runs_print_both_years() {
        let cal = Calendar::shipped();
        let one = WorkingDays::new(1).expect("valid");
        // Friday 2025-12-26: 12-29 is the first working day. 2025-12-31 → 2026-01-03 元旦.
        let ex = cal
            .explain_due(date(2025, 12, 30), one, Counting::NextWorkingDay)
            .expect("explains");
        let texts: Vec<&str> = ex.lines().iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "2025-12-30 周二 起算日（次日起算），不计入",
                "2025-12-31 周三 工作日 计入第1日"
            ]
        );
        let three = WorkingDays::new(3).expect("valid");
        let ex = cal
            .explain_due(date(2025, 12, 30), three, Counting::NextWorkingDay)
            .expect("explains");
        let texts: Vec<&str> = ex.lines().iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "2025-12-30 周二 起算日（次日起算），不计入",
                "2025-12-31 周三 工作日 计入第1日",
                "2026-01-01…01-03 元旦 不计入",
                "2026-01-04 周日 元旦调休上班 计入第2日",
                "2026-01-05 周一 工作日 计入第3日",
            ]
        );
    }
}
