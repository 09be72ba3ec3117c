//! The warning sweeper sleeps until the next crossing instead of polling.
//!
//! [`App::run_warning_sweeper`] fires what is due, reads the soonest crossing in the index (one
//! indexed read), and sleeps until then, or until `supervision.sweep_poll_seconds` have passed,
//! whichever is sooner. A write in this process that puts a crossing before the instant it sleeps
//! towards wakes it at once ([`App::crossings_written`], called after the write has committed),
//! and so does moving a simulated clock. The bounded poll is what catches crossings written by
//! another server on the same database (and a crossing already due when it was written, which
//! only a backdated write can make).
//!
//! The plan (the instant it sleeps towards) is published, so tests and the metrics can see it.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{watch, Notify};
use tongban_domain::supervision::Watch;

use crate::App;

/// `planned` while the sweeper is awake (firing, reading the index): every write notifies, and
/// the permit the notification leaves makes its next sleep return at once.
const AWAKE: i64 = i64::MIN;

pub(crate) struct SweepWake {
    notify: Notify,
    /// The app-clock instant (ms) the sweeper sleeps towards, or [`AWAKE`].
    planned: AtomicI64,
    /// How many writes woke it (or would have, with no sweeper running).
    notified: AtomicU64,
    plans: watch::Sender<Option<DateTime<Utc>>>,
}

impl Default for SweepWake {
    fn default() -> Self {
        SweepWake {
            notify: Notify::new(),
            planned: AtomicI64::new(AWAKE),
            notified: AtomicU64::new(0),
            plans: watch::channel(None).0,
        }
    }
}

impl SweepWake {
    /// Wakes the sweeper if `at` (ms) comes before the instant it sleeps towards.
    fn crossing_at(&self, at: i64) -> bool {
        let planned = self.planned.load(Ordering::SeqCst);
        let wake = planned == AWAKE || at < planned;
        if wake {
            self.notified.fetch_add(1, Ordering::Relaxed);
            self.notify.notify_one();
        }
        wake
    }

    fn always(&self) {
        self.notified.fetch_add(1, Ordering::Relaxed);
        self.notify.notify_one();
    }
}

/// The soonest future crossing a write put in the index: per deadline, the next crossing after
/// the light it shows at the write. (A crossing the write finds already passed and not yet
/// noticed is left to the bounded poll.)
pub(crate) fn soonest(watches: &[Watch]) -> Option<DateTime<Utc>> {
    watches.iter().filter_map(|w| w.next_after(w.light)).min()
}

impl App {
    /// Tells the warning sweeper about deadlines a committed write put in the index.
    pub fn crossings_written(&self, watches: &[Watch]) {
        if let Some(at) = soonest(watches) {
            self.crossing_written_at(at);
        }
    }

    /// Tells the warning sweeper about one crossing a committed write put in the index.
    pub fn crossing_written_at(&self, at: DateTime<Utc>) {
        self.wake.crossing_at(at.timestamp_millis());
    }

    /// Tells the warning sweeper that the (simulated) clock moved: it plans again.
    pub fn clock_moved(&self) {
        self.wake.always();
    }

    /// The instants the sweeper sleeps towards, each time it plans (`None` before it first has).
    pub fn sweeper_plans(&self) -> watch::Receiver<Option<DateTime<Utc>>> {
        self.wake.plans.subscribe()
    }

    /// How many times writes (or clock moves) have woken the sweeper.
    pub fn sweeper_wakes(&self) -> u64 {
        self.wake.notified.load(Ordering::Relaxed)
    }

    /// The warning sweeper: runs until the task is dropped.
    pub async fn run_warning_sweeper(self: Arc<Self>) {
        loop {
            let poll = self.settings().sweep_poll;
            let until = match self.sweep_once().await {
                Ok(until) => until,
                Err(e) => {
                    tracing::warn!(error = %e, "warning sweep failed");
                    self.now() + poll
                }
            };
            let now = self.now();
            self.wake
                .planned
                .store(until.timestamp_millis(), Ordering::SeqCst);
            self.wake.plans.send_replace(Some(until));
            let wait = (until - now).to_std().unwrap_or_default();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notify.notified() => {}
            }
            self.wake.planned.store(AWAKE, Ordering::SeqCst);
        }
    }

    /// One round: fires what is due, then answers when to look again.
    async fn sweep_once(&self) -> crate::Result<DateTime<Utc>> {
        self.wake.planned.store(AWAKE, Ordering::SeqCst);
        self.sweep_warnings().await?;
        let now = self.now();
        let fallback = now + self.settings().sweep_poll;
        let soonest = self
            .store
            .soonest_crossing()
            .await?
            .and_then(DateTime::from_timestamp_millis);
        Ok(match soonest {
            // Due and still there: claimed by another server, or failing; its lease or the
            // poll brings it back.
            Some(at) if at <= now => fallback,
            Some(at) => at.min(fallback),
            None => fallback,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_wakes_the_sweeper_only_for_a_crossing_before_its_plan() {
        let w = SweepWake::default();
        assert!(w.crossing_at(5_000), "awake: every write notifies");
        w.planned.store(1_000, Ordering::SeqCst);
        assert!(w.crossing_at(999), "an earlier crossing wakes it");
        assert!(!w.crossing_at(1_000), "the planned instant itself does not");
        assert!(!w.crossing_at(7_000), "nor a later one");
        assert_eq!(w.notified.load(Ordering::Relaxed), 2);
    }
}
