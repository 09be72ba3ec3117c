//! The hall display (电子显示屏) and the touch-screen kiosk (触摸屏) of open government: what
//! the service hall shows without anyone signed in, read through the same use cases as the
//! public pages: the notices running now, the meetings ahead, the units' commitments, this
//! week's visiting schedule and the latest 行政许可 decisions (双公示), with the day's figures.

use chrono::NaiveDate;
use serde::Serialize;
use tongban_domain::opengov::{MeetingStatus, PublicityStatus};
use tongban_domain::time::local_date;

use super::MatterLine;
use crate::opengov::{CommitmentView, LicensingLine, VisitWeek};
use crate::{App, Result};

/// What the hall shows.
#[derive(Debug, Clone, Serialize)]
pub struct HallView {
    pub today: NaiveDate,
    /// Notices whose period runs now.
    pub notices: Vec<MatterLine>,
    /// Meetings still taking registrations.
    pub meetings: Vec<MatterLine>,
    pub commitments: Vec<CommitmentView>,
    pub visits: VisitWeek,
    /// The latest 行政许可 decisions.
    pub licences: Vec<LicensingLine>,
    /// 行政许可 decisions granted today.
    pub licences_today: usize,
    /// Commitments 未兑现.
    pub broken: usize,
    /// Seconds each screen of the display stays (`opengov.hall_seconds`).
    pub seconds: u32,
    /// Seconds without a touch before the kiosk goes home (`opengov.kiosk_idle_seconds`).
    pub idle_seconds: u32,
}

/// How many lines of each list a screen holds.
const SCREEN_LINES: usize = 10;

impl App {
    /// Everything the hall's screen and kiosk show, as the public sees it.
    pub async fn hall_view(&self) -> Result<HallView> {
        let today = local_date(self.now());
        let rules = self.settings().opengov.clone();
        let notices: Vec<MatterLine> = self
            .publicities(None, None)
            .await?
            .into_iter()
            .filter(|l| l.status_label == PublicityStatus::Running.label())
            .take(SCREEN_LINES)
            .collect();
        let mut meetings: Vec<MatterLine> = self
            .meetings(None)
            .await?
            .into_iter()
            .filter(|l| l.status_label == MeetingStatus::Announced.label())
            .collect();
        // The soonest first (a meeting's line ends on its day).
        meetings.sort_by(|a, b| a.ends_on.cmp(&b.ends_on));
        meetings.truncate(SCREEN_LINES);
        let commitments = self.commitments(None).await?;
        let broken = commitments
            .iter()
            .filter(|c| c.status == tongban_domain::opengov::CommitmentStatus::Broken)
            .count();
        let licences = self.licensing_results(None).await?;
        let licences_today = licences.iter().filter(|l| l.decided_on == today).count();
        Ok(HallView {
            today,
            notices,
            meetings,
            commitments,
            visits: self.visit_week(Some(today)).await?,
            licences: licences.into_iter().take(SCREEN_LINES).collect(),
            licences_today,
            broken,
            seconds: rules.hall_seconds,
            idle_seconds: rules.kiosk_idle_seconds,
        })
    }
}
