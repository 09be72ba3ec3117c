//! Re-timing after a calendar change (issue 15).
//!
//! A case's due dates, timers and crossings are computed when the case is written. When the
//! calendar changes (a year loaded, a day edited, an ICS file imported) nothing happens to the
//! cases, yet their deadlines moved: without this module they would keep the old ones until
//! someone acted on them, and a case timed on a provisional year would stay provisional. So
//! every change queues a job in the store; the sweeper works it in batches of open cases,
//! recomputing each case's projection (due date, next timer), its open steps' due times and its
//! crossings on the new calendar — through the same functions a case write uses, without
//! writing the case (no event, no version). The job keeps its place, so a restart resumes it.
//! Where a due date moved, the assignees of the case's open steps are told. Open 12345 tickets
//! are re-timed after the cases, the same way (their due instant and deadlines in the index).

use chrono::{DateTime, Utc};
use tongban_domain::calendar::Calendar;
use tongban_domain::case::engine::step_due;
use tongban_domain::case::Case;
use tongban_store::cases::Retimed;
use tongban_store::retime::RetimeJob;
use tongban_store::StoreError;

use crate::error::{AppError, Result};
use crate::settings::Settings;
use crate::App;

/// Open cases re-timed per batch; the job's place is saved after each.
const BATCH: i64 = 500;

fn ms(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(|t| t.timestamp_millis())
}

impl App {
    /// Queues the re-timing of every open case after a calendar change (superseding a job still
    /// running, which would work on an older calendar).
    pub(crate) async fn queue_retime(&self, reason: String) -> Result<()> {
        self.store.queue_retime(&reason, self.now()).await?;
        Ok(())
    }

    /// The newest re-timing jobs, newest first, for the calendar page.
    pub async fn retime_jobs(&self) -> Result<Vec<RetimeJob>> {
        Ok(self.store.retime_jobs(5).await?)
    }

    /// Works the pending re-timing job to its end, or until a newer change supersedes it.
    /// Returns how many cases this call re-timed.
    pub async fn run_retime(&self) -> Result<usize> {
        let Some(job) = self.store.pending_retime().await? else {
            return Ok(0);
        };
        let cal = self.calendar().await?;
        let blocked = cal.without_provisional();
        let settings = self.settings();
        let mut after = job.after_id;
        let mut total = 0usize;
        loop {
            let ids = self.store.open_case_ids_after(after, BATCH).await?;
            let Some(&last) = ids.last() else {
                // The cases done, the open 12345 tickets follow on the same calendar. (A
                // restart before the job is marked done walks them again; that is harmless.)
                let tickets = self.retime_tickets().await?;
                self.store
                    .retime_progress(job.id, after, 0, 0, Some(self.now()))
                    .await?;
                let done = self
                    .store
                    .retime_jobs(20)
                    .await?
                    .into_iter()
                    .find(|j| j.id == job.id);
                if let Some(j) = done {
                    let entry = self.system_entry(
                        "calendar.retime",
                        format!("retime:{}", j.id),
                        format!(
                            "日历变更后重新计算在办件时限：{}（{} 件，其中 {} 件期限变动；12345工单 {tickets} 件）",
                            j.reason, j.done, j.moved
                        ),
                    );
                    self.store.record_event(entry).await?;
                }
                break;
            };
            let (mut done, mut moved) = (0i64, 0i64);
            for id in ids {
                match self.retime_one(id, &cal, &blocked, &settings).await {
                    Ok(m) => {
                        done += 1;
                        moved += i64::from(m);
                    }
                    // One case that cannot be re-timed never holds up the others; it is
                    // re-timed by its next write.
                    Err(e) => tracing::warn!(case = id, error = %e, "could not re-time a case"),
                }
            }
            after = last;
            total += usize::try_from(done).unwrap_or(0);
            self.store
                .retime_progress(job.id, after, done, moved, None)
                .await?;
            if self.store.pending_retime().await?.map(|j| j.id) != Some(job.id) {
                break;
            }
        }
        Ok(total)
    }

    /// Re-times one case; true when a due date moved.
    async fn retime_one(
        &self,
        id: i64,
        cal: &Calendar,
        blocked: &Calendar,
        settings: &Settings,
    ) -> Result<bool> {
        // A case written meanwhile is read again: its own write used the new calendar, but
        // reading again costs little and keeps one path.
        for _attempt in 0..3 {
            let Some(stored) = self.store.case_by_id(id).await? else {
                return Ok(false);
            };
            let case: Case = serde_json::from_str(&stored.state).map_err(AppError::internal)?;
            let region = case.item.region.as_str();
            let cal = if settings.provisional_for(region) {
                cal
            } else {
                blocked
            };
            let now = self.now();
            let (old_due, old_clocks) = self.store.case_dues(id).await?;
            let projection = crate::cases::project(&case, cal, now);
            let step_dues: Vec<(String, Option<DateTime<Utc>>)> = case
                .open_steps()
                .iter()
                .map(|s| (s.key.clone(), step_due(s, cal, now)))
                .collect();
            let watches = tongban_domain::supervision::watches(
                &case,
                cal,
                now,
                &settings.warnings_for(region),
            );
            // A deadline moved when its red instant changed or it is newly computable. A
            // suspended clock's crossings move out day by day anyway: not a move.
            let moved_watches: Vec<&tongban_domain::supervision::Watch> = watches
                .iter()
                .filter(|w| !w.suspended)
                .filter(|w| {
                    old_clocks
                        .iter()
                        .find(|(k, _)| *k == w.key)
                        .map(|(_, red)| *red)
                        != Some(w.red_at.timestamp_millis())
                })
                .collect();
            let moved = ms(projection.due_at) != old_due || !moved_watches.is_empty();
            let notifications = if moved {
                let assignees: Vec<i64> =
                    moved_watches.iter().filter_map(|w| w.assignee_id).collect();
                self.moved_messages(&case, &assignees, projection.due_at, now)
                    .await?
            } else {
                Vec::new()
            };
            let retimed = Retimed {
                due_at: projection.due_at,
                next_timer_at: projection.next_timer_at,
                step_dues,
                watches,
                notifications,
            };
            match self
                .store
                .retime_case(id, stored.version, &retimed, now)
                .await
            {
                Ok(()) => {
                    self.crossings_written(&retimed.watches);
                    return Ok(moved);
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(false)
    }

    /// The messages to the assignees of the deadlines that moved.
    async fn moved_messages(
        &self,
        case: &Case,
        assignees: &[i64],
        due_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<tongban_store::watch::Reminder>> {
        let mut people: Vec<tongban_store::users::User> = Vec::new();
        for &id in assignees {
            if people.iter().any(|u| u.id == id) {
                continue;
            }
            if let Some(u) = self.store.user(id).await? {
                people.push(u);
            }
        }
        let due = due_at.map_or_else(
            || "暂无法计算".to_string(),
            |d| {
                tongban_domain::time::local_date(d)
                    .format("%Y年%m月%d日")
                    .to_string()
            },
        );
        let body = format!(
            "【通办】节假日安排已调整，办件 {} 的办理期限重新计算为{due}，请按新的期限办理。",
            case.number
        );
        Ok(self.messages_to(people.iter(), "办理期限调整", &body, now))
    }
}
