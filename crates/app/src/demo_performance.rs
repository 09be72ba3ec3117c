//! The demo's performance scores: the standard indicator scheme drafted by the centre
//! (`jiancha`), reviewed by legal affairs (`fazhi`) and published by leadership (`lingdao`),
//! and the two quarters before the day the demo is loaded published over the demo city.
//!
//! The demo's cases, ratings and findings are all made on the day it is loaded, so those two
//! quarters count no case: every unit scores full marks and ties. The current quarter is
//! published once it is over (the browser journey moves the simulated clock past it).

use tongban_domain::performance::{Period, PeriodKind, Scheme};

use crate::error::Result;
use crate::App;

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
        let mut out = Vec::new();
        for p in [current.previous().previous(), current.previous()] {
            self.publish_period(&sup, &p.to_string()).await?;
            out.push(p.label());
        }
        Ok(out)
    }
}
