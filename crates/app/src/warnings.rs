//! Warnings (预警纠错): the sweeper over the crossing index, and who hears of each warning.
//!
//! Every open deadline sits in the store's crossing index with the instants it turns yellow and
//! red. The sweeper claims only the crossings that are due, fires each once, and reminds the
//! assignee and the department head (at most once per deadline per day, held over quiet hours).
//! A red deadline of a case also runs the detectors, so 办理超时 becomes a finding without
//! waiting for the case to change. Every kind of subject (a case, a 12345 ticket, a disclosure
//! request, a rectification) is swept, fired and reminded of the same way.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use tongban_domain::org::Role;
use tongban_domain::supervision::{Light, SubjectKind};
use tongban_store::cases::at;
use tongban_store::users::{User, UserFilter};
use tongban_store::watch::{DueCrossing, Fired, Firing, Reminder};

use crate::error::{AppError, Result};
use crate::App;

/// How long a claim on a crossing lasts before another process may take it over.
const LEASE_SECONDS: i64 = 30;
/// Crossings claimed per round trip.
const BATCH: i64 = 200;

/// The light a claimed deadline shows at `now`, never below the light already noticed.
fn light_now(c: &DueCrossing, now: DateTime<Utc>) -> Light {
    let ms = now.timestamp_millis();
    let by_time = if ms >= c.red_at {
        Light::Red
    } else if c.yellow_at.is_some_and(|y| ms >= y) {
        Light::Yellow
    } else {
        Light::Green
    };
    by_time.max(Light::from_rank(c.light))
}

impl App {
    /// Notices every deadline crossing due now. Returns how many warnings were new.
    pub async fn sweep_warnings(&self) -> Result<usize> {
        let mut fired = 0;
        let mut heads: HashMap<i64, Vec<User>> = HashMap::new();
        loop {
            let now = self.now();
            let batch = self
                .store
                .claim_crossings(now, BATCH, Duration::seconds(LEASE_SECONDS))
                .await?;
            let claimed = batch.len();
            for c in batch {
                let subject = c.subject();
                match self.fire_crossing(c, now, &mut heads).await {
                    Ok(Fired::Warned { .. }) => fired += 1,
                    Ok(Fired::Quiet | Fired::Lost) => {}
                    // One deadline that cannot be fired keeps its lease and is tried again
                    // when it runs out; it never holds up the others.
                    Err(e) => {
                        tracing::warn!(
                            subject = %subject.audit_target(),
                            error = %e,
                            "could not fire a warning"
                        )
                    }
                }
            }
            if claimed < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(fired)
    }

    /// Recomputes the deadlines of every open case in a region subtree (after the warning
    /// rules changed there). Returns how many cases were re-indexed. A case written meanwhile
    /// was indexed by its own write under the new rules, so it is skipped.
    pub async fn rewatch(&self, region_prefix: &str) -> Result<usize> {
        let cal = self.calendar().await?;
        let blocked = cal.without_provisional();
        let settings = self.settings();
        let mut after = 0;
        let mut done = 0;
        loop {
            let ids = self.store.open_case_ids(region_prefix, after, 500).await?;
            let Some(last) = ids.last() else {
                break;
            };
            after = *last;
            for id in ids {
                let Some(stored) = self.store.case_by_id(id).await? else {
                    continue;
                };
                let case: tongban_domain::case::Case =
                    serde_json::from_str(&stored.state).map_err(AppError::internal)?;
                let region = case.item.region.as_str();
                let cal = if settings.provisional_for(region) {
                    &cal
                } else {
                    &blocked
                };
                let watches = tongban_domain::supervision::watches(
                    &case,
                    cal,
                    self.now(),
                    &settings.warnings_for(case.item.region.as_str()),
                );
                match self.store.rewatch_case(id, stored.version, &watches).await {
                    Ok(()) => {
                        self.crossings_written(&watches);
                        done += 1;
                    }
                    Err(tongban_store::StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(done)
    }

    async fn fire_crossing(
        &self,
        c: DueCrossing,
        now: DateTime<Utc>,
        heads: &mut HashMap<i64, Vec<User>>,
    ) -> Result<Fired> {
        let noticed = Light::from_rank(c.light);
        let light = light_now(&c, now);
        let next_at = match light {
            Light::Green => Some(c.yellow_at.unwrap_or(c.red_at)),
            Light::Yellow => Some(c.red_at),
            Light::Red => None,
        }
        .map(at)
        .transpose()?;
        let crossing_at = match light {
            Light::Red => at(c.red_at)?,
            _ => at(c.yellow_at.unwrap_or(c.red_at))?,
        };
        let reminders = if light > noticed {
            self.reminders(&c, light, now, heads).await?
        } else {
            Vec::new()
        };
        let audit = self
            .system_entry(
                &format!("warning.{}", light.as_str()),
                String::new(),
                format!("{}：{}", c.label, light.label()),
            )
            .in_region_str(Some(&c.region));
        let subject = c.subject();
        let (clock, department_id, region) = (c.clock.clone(), c.department_id, c.region.clone());
        let firing = Firing {
            crossing: c,
            light,
            next_at,
            crossing_at,
            day: tongban_store::cases::tally_day(now),
            reminders,
            audit,
        };
        let fired = self.store.fire(&firing, now).await?;
        if matches!(fired, Fired::Warned { .. }) && light == Light::Red {
            // 办理超时 is a finding as soon as the deadline passes.
            let detected = match subject.kind {
                SubjectKind::Case => self.detect_on_case(subject.id).await,
                SubjectKind::Ticket => self.detect_on_ticket(&subject.number).await,
                // A late adoption report, a unit's late reply to a proposal, a late reply to an
                // objection to a notice, a meeting's late minutes.
                SubjectKind::Consultation
                | SubjectKind::Proposal
                | SubjectKind::Publicity
                | SubjectKind::Meeting => {
                    self.detect_on_opengov(subject.kind, &subject.number).await
                }
                // A disclosure request's and a rectification's lateness is judged when it
                // is answered (their modules record it then).
                SubjectKind::Disclosure | SubjectKind::Rating => Ok(0),
                // 第二十六条: information still unpublished 20 working days after it was
                // formed or changed.
                SubjectKind::CatalogEntry => self.detect_on_catalog_entry(subject.id).await,
            };
            if let Err(e) = detected {
                tracing::warn!(subject = %subject.number, error = %e, "supervision detectors failed");
            }
            // A late case or ticket breaks its unit's commitments that cover it (公开承诺).
            if let Err(e) = self
                .breach_commitments(
                    subject.kind,
                    &clock,
                    department_id,
                    &region,
                    &subject.number,
                )
                .await
            {
                tracing::warn!(subject = %subject.number, error = %e, "commitment breach failed");
            }
        }
        Ok(fired)
    }

    /// The messages a warning sends: to the deadline's assignee and the department's heads.
    async fn reminders(
        &self,
        c: &DueCrossing,
        light: Light,
        now: DateTime<Utc>,
        heads: &mut HashMap<i64, Vec<User>>,
    ) -> Result<Vec<Reminder>> {
        let mut to: BTreeMap<i64, User> = BTreeMap::new();
        if let Some(id) = c.assignee_id {
            if let Some(u) = self.store.user(id).await? {
                to.insert(u.id, u);
            }
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = heads.entry(c.department_id) {
            slot.insert(
                self.store
                    .users(&UserFilter {
                        department_id: Some(c.department_id),
                        role: Some(Role::DeptHead),
                        ..Default::default()
                    })
                    .await?,
            );
        }
        for h in heads.get(&c.department_id).into_iter().flatten() {
            to.insert(h.id, h.clone());
        }
        let due = at(c.red_at - 1)?
            .with_timezone(&tongban_domain::time::shanghai())
            .format("%Y年%m月%d日");
        let (subject, body) = match light {
            Light::Red => (
                "红灯超期",
                format!(
                    "【通办】{} {} 的{}已于{due}到期，现已超期，请立即处理并说明原因。",
                    c.subject_kind.label(),
                    c.subject_number,
                    c.label
                ),
            ),
            _ => (
                "黄灯预警",
                format!(
                    "【通办】{} {} 的{}将于{due}到期，请抓紧办理。",
                    c.subject_kind.label(),
                    c.subject_number,
                    c.label
                ),
            ),
        };
        Ok(self.messages_to(to.values(), subject, &body, now))
    }

    /// One SMS and one e-mail per person who has them, held over quiet hours.
    pub(crate) fn messages_to<'a>(
        &self,
        people: impl IntoIterator<Item = &'a User>,
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Vec<Reminder> {
        let send_at = self.settings().quiet_hours.release(now);
        let mut out = Vec::new();
        for u in people {
            let channels = [
                (tongban_store::outbox::SMS, u.phone.as_deref()),
                (tongban_store::outbox::EMAIL, u.email.as_deref()),
            ];
            for (channel, address) in channels {
                if let Some(address) = address.filter(|a| !a.is_empty()) {
                    out.push(Reminder {
                        channel: channel.to_string(),
                        recipient: address.to_string(),
                        subject: subject.to_string(),
                        body: body.to_string(),
                        send_at,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crossing(light: i64, yellow_at: Option<i64>, red_at: i64) -> DueCrossing {
        DueCrossing {
            subject_kind: SubjectKind::Case,
            subject_id: 1,
            subject_number: "x".into(),
            clock: "committed".into(),
            label: "承诺办结期限".into(),
            department_id: 1,
            hall_id: 0,
            region: "511302".into(),
            assignee_id: None,
            yellow_at,
            red_at,
            light,
            claimed_until: 0,
        }
    }

    #[test]
    fn the_light_follows_the_stored_crossings_and_never_falls_below_what_was_noticed() {
        let at = |ms| DateTime::from_timestamp_millis(ms).unwrap();
        let c = crossing(0, Some(100), 200);
        assert_eq!(light_now(&c, at(99)), Light::Green);
        assert_eq!(light_now(&c, at(100)), Light::Yellow);
        assert_eq!(light_now(&c, at(200)), Light::Red);
        assert_eq!(
            light_now(&crossing(0, None, 200), at(150)),
            Light::Green,
            "a deadline with no yellow goes straight to red"
        );
        assert_eq!(
            light_now(&crossing(1, Some(100), 200), at(50)),
            Light::Yellow
        );
    }
}
