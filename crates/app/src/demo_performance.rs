//! The demo's performance scores: the standard indicator scheme drafted by the centre
//! (`jiancha`), reviewed by legal affairs (`fazhi`) and published by leadership (`lingdao`),
//! and the two quarters before the day the demo is loaded published over the demo city.
//!
//! Those two quarters are not empty: before publishing, a short history is run through the
//! engine on a simulated clock set back into each quarter (a few cases decided on time, late
//! or as 即办件, some rated well and some badly), on the same store, so units do not all tie at
//! full marks and every score drills down to real cases. The current quarter is published once
//! it is over (the browser journey moves the simulated clock past it).
//!
//! A 社会评议 round of the year is run and published too (two posts, three representatives,
//! two answers), so the public page has results to show.

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
        self.load_demo_survey(&sup).await?;
        Ok(out)
    }

    /// A 社会评议 round of this year run and published: two key posts, three representatives,
    /// two of whom answered (the third link left unused).
    async fn load_demo_survey(&self, sup: &tongban_domain::org::Actor) -> Result<()> {
        use tongban_domain::performance::survey::{Answer, Choice, Post, RepKind, Topic};
        let departments = self.store.departments(sup.region.as_ref()).await?;
        let find = |name: &str| departments.iter().find(|d| d.name.contains(name));
        let (Some(zrzy), Some(scjg)) = (find("自然资源"), find("市场监")) else {
            return Ok(());
        };
        let year = i64::from(chrono::Datelike::year(&tongban_domain::time::local_date(
            self.now(),
        )));
        let opened = self
            .open_survey(
                sup,
                &crate::survey::NewSurvey {
                    name: format!("{year}年度重点岗位社会评议"),
                    year,
                    posts: vec![
                        Post {
                            department_id: zrzy.id,
                            name: "不动产登记科科长".into(),
                        },
                        Post {
                            department_id: scjg.id,
                            name: "登记注册科科长".into(),
                        },
                    ],
                    representatives: vec![
                        ("清江建材有限公司".into(), RepKind::Enterprise),
                        ("江北物流有限公司".into(), RepKind::Enterprise),
                        ("临江街道代表".into(), RepKind::Township),
                    ],
                },
            )
            .await?;
        for (i, (_, token)) in opened.links.iter().take(2).enumerate() {
            let answers: Vec<Answer> = (0..2)
                .flat_map(|post| Topic::ALL.iter().map(move |topic| (post, *topic)))
                .map(|(post, topic)| Answer {
                    post,
                    topic,
                    choice: match (i, post, topic) {
                        (1, 1, Topic::Efficiency) => Choice::Unsatisfied,
                        (1, _, _) => Choice::Basic,
                        _ => Choice::Satisfied,
                    },
                })
                .collect();
            self.answer_survey(token, &answers).await?;
        }
        self.publish_survey(sup, opened.id).await?;
        Ok(())
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
