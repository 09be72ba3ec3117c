//! The demo's performance scores: the standard indicator scheme drafted by the centre
//! (`jiancha`), reviewed by legal affairs (`fazhi`) and published by leadership (`lingdao`),
//! and the two quarters before the day the demo is loaded published over the demo city.
//!
//! Those two quarters are not empty: before publishing, a short history is run through the
//! engine on a simulated clock set back into each quarter (a few cases decided on time, late
//! or as 即办件, some rated well and some badly), on the same store, so units do not all tie at
//! full marks and every score drills down to real cases. The current quarter is published once
//! it is over (the browser journey moves the simulated clock past it).

use chrono::Duration;
use tongban_domain::performance::{Period, PeriodKind, Scheme};
use tongban_domain::rating::RatingInput;

use crate::error::Result;
use crate::{App, Clock};

/// One case of the history: (applicant, item basic code, days between acceptance and
/// decision, the applicant's rating if any).
type HistoryCase = (&'static str, &'static str, i64, Option<&'static str>);

/// The quarter two before the current one: 教师资格认定 on time and late (15 working days),
/// a 即办件 (失业登记).
const EARLIER: &[HistoryCase] = &[
    ("user16", "QR00901001", 0, Some("very_satisfied")),
    ("user17", "QR00901001", 30, Some("unsatisfied")),
    ("user18", "GG00302001", 0, Some("satisfied")),
];

/// The last quarter: 高龄津贴申领 late (5 working days), 教师资格认定 on time, a 即办件.
const LATER: &[HistoryCase] = &[
    ("user16", "JF00402001", 15, Some("very_unsatisfied")),
    ("user17", "QR00901001", 1, Some("satisfied")),
    ("user18", "GG00302001", 0, None),
];

impl App {
    /// Publishes the demo's scheme and its two past quarters; answers the periods published.
    pub async fn load_demo_performance(&self) -> Result<Vec<String>> {
        let sup = self.demo_actor("jiancha").await?;
        let legal = self.demo_actor("fazhi").await?;
        let leader = self.demo_actor("lingdao").await?;
        let s = self.draft_scheme(&sup, &Scheme::standard()).await?;
        self.review_scheme(&legal, s.row.id).await?;
        self.publish_scheme(&leader, s.row.id).await?;
        let current = Period::containing(
            PeriodKind::Quarter,
            tongban_domain::time::local_date(self.now()),
        );
        let quarters = [current.previous().previous(), current.previous()];
        self.load_demo_history(&[(quarters[0], EARLIER), (quarters[1], LATER)])
            .await;
        let mut out = Vec::new();
        for p in quarters {
            self.publish_period(&sup, &p.to_string()).await?;
            out.push(p.label());
        }
        Ok(out)
    }

    /// Runs each quarter's history on an application over the same store whose simulated clock
    /// starts ten days into the quarter. A case that cannot run (an item changed) is told, not
    /// fatal to the demo.
    async fn load_demo_history(&self, quarters: &[(Period, &[HistoryCase])]) {
        for (period, cases) in quarters {
            let (from, _) = period.bounds();
            let start = from + Duration::days(10) + Duration::hours(10);
            let past = match App::new(self.store.clone(), Clock::simulated_at(start)).await {
                Ok(app) => app,
                Err(e) => {
                    tracing::warn!(error = %e, "demo history not loaded");
                    return;
                }
            };
            for (i, (login, code, days, rating)) in cases.iter().enumerate() {
                past.clock
                    .set(start + Duration::days(i64::try_from(i).unwrap_or(0)));
                let wait = (*days > 0).then(|| Duration::days(*days));
                let number = match past.demo_case_decided_after(login, code, wait).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(login, code, error = %e, "demo history case not decided");
                        continue;
                    }
                };
                if let Some(level) = rating {
                    let rated = async {
                        let who = past.demo_actor(login).await?;
                        let input = RatingInput {
                            level: (*level).into(),
                            comment: match *level {
                                "unsatisfied" | "very_unsatisfied" => "办理超过承诺时限".into(),
                                _ => String::new(),
                            },
                            ..Default::default()
                        };
                        past.rate_case(&who, &number, &input).await
                    };
                    if let Err(e) = rated.await {
                        tracing::warn!(number, error = %e, "demo history case not rated");
                    }
                }
            }
        }
        // The decisions' documents are sealed under this application's keys.
        if let Err(e) = self.seal_pending_documents(100).await {
            tracing::warn!(error = %e, "demo history documents not sealed");
        }
    }
}
