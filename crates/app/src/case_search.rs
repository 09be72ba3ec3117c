//! Staff's view over many cases: the case search (by number, applicant's name or the last four
//! of their ID number or phone, item and date of receipt) within what each may see, and the time
//! left and light of each case in a work list, read from the one deadline index.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use tongban_domain::calendar::TimeLeft;
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_domain::supervision::Light;
use tongban_domain::time::start_of_day;
use tongban_store::cases::{CaseLine, CaseSearch};

use crate::{App, AppError, Result};

/// What a member of staff typed into the case search. Empty fields do not narrow it.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub number: String,
    pub name: String,
    /// The last four characters of the applicant's ID number or phone.
    pub tail: String,
    pub item: String,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
}

impl CaseQuery {
    pub fn is_empty(&self) -> bool {
        self.number.trim().is_empty()
            && self.name.trim().is_empty()
            && self.tail.trim().is_empty()
            && self.item.trim().is_empty()
            && self.from.is_none()
            && self.to.is_none()
    }
}

/// The most lines a search shows.
pub const SEARCH_LIMIT: i64 = 50;

/// The next deadline of a case in a work list: its name, the time left on the calendar and the
/// light the sweep has noticed (the worst of the case's deadlines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMark {
    pub label: String,
    pub due_at: DateTime<Utc>,
    pub left: Option<TimeLeft>,
    pub light: Light,
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl App {
    /// Cases matching the query that `actor` may see, newest first. Staff of a department
    /// search the cases their department takes in or works on; supervisors, leaders and
    /// administrators those of their region; every line is then checked by [`App::sees_case`],
    /// the same rule as opening the case.
    pub async fn search_cases(&self, actor: &Actor, q: &CaseQuery) -> Result<Vec<CaseLine>> {
        let mut search = CaseSearch {
            number: text(&q.number),
            applicant_name: text(&q.name),
            item: text(&q.item),
            from: q.from.map(start_of_day),
            to: q.to.and_then(|d| d.succ_opt()).map(start_of_day),
            ..CaseSearch::default()
        };
        if let Some(t) = text(&q.tail) {
            if t.chars().count() != 4 {
                return Err(AppError::of(codes::Case::LookupTail));
            }
            search.tail = Some(t.to_uppercase());
        }
        match (actor.role, actor.department_id) {
            (Role::Clerk | Role::Approver | Role::DeptHead, Some(d)) => {
                search.department_id = Some(d);
            }
            (Role::Supervisor | Role::Leader | Role::Admin | Role::Legal, _) => {
                search.region_prefix = actor.region.as_ref().map(|r| r.prefix().to_string());
            }
            _ => return Err(AppError::forbidden()),
        }
        let lines = self.store.search_cases(&search, SEARCH_LIMIT).await?;
        let mut seen = Vec::with_capacity(lines.len());
        for line in lines {
            let Some(stored) = self.store.case_by_id(line.id).await? else {
                continue;
            };
            let view = self.load(stored).await?;
            if self.sees_case(actor, &view.case) {
                seen.push(line);
            }
        }
        Ok(seen)
    }

    /// The next deadline, time left and light of each case in a work list, from the deadline
    /// index (`clock_watch`) and the working-day calendar: no clock of its own.
    pub async fn queue_marks(&self, lines: &[CaseLine]) -> Result<HashMap<i64, QueueMark>> {
        let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
        let deadlines = self.store.case_deadlines(&ids).await?;
        let cal = self.calendar().await?;
        let now = self.now();
        let mut marks: HashMap<i64, QueueMark> = HashMap::new();
        for d in deadlines {
            let light = Light::from_rank(d.light);
            match marks.get_mut(&d.case_id) {
                // Sorted by due instant: the first is the next; the light is the worst.
                Some(m) => m.light = m.light.max(light),
                None => {
                    let Some(due_at) = DateTime::from_timestamp_millis(d.red_at) else {
                        continue;
                    };
                    marks.insert(
                        d.case_id,
                        QueueMark {
                            label: d.label,
                            due_at,
                            left: TimeLeft::at(&cal, now, due_at).ok(),
                            light,
                        },
                    );
                }
            }
        }
        Ok(marks)
    }
}
