//! The demo's ratings: the first decided case rated 非常满意, the second 不满意 with its
//! rectification called back and waiting for verification, a window visit rated on the hall
//! device. The third decided case is left for a visitor (and the browser journey) to rate.

use tongban_domain::rating::RatingInput;

use crate::error::Result;
use crate::ratings::RectAction;
use crate::App;

fn input(level: &str, comment: &str) -> RatingInput {
    RatingInput {
        level: level.into(),
        comment: comment.into(),
        ..Default::default()
    }
}

impl App {
    /// Rates the demo's decided cases (`decided`, as [`App::load_demo_documents`] answers them,
    /// with their applicants) and one window visit; answers how many ratings were written.
    pub async fn load_demo_ratings(&self, decided: &[(String, String)]) -> Result<usize> {
        let mut n = 0;
        if let Some((login, number)) = decided.first() {
            let who = self.demo_actor(login).await?;
            self.rate_case(
                &who,
                number,
                &input("very_satisfied", "一次办好，窗口服务热情"),
            )
            .await?;
            n += 1;
        }
        if let Some((login, number)) = decided.get(1) {
            let who = self.demo_actor(login).await?;
            let v = self
                .rate_case(
                    &who,
                    number,
                    &input("unsatisfied", "材料要求说明不清，多跑了一趟"),
                )
                .await?;
            n += 1;
            let sup = self.demo_actor("jiancha").await?;
            self.rect_act(
                &sup,
                &v.number,
                RectAction::CallBack {
                    note: "已电话回访，申请人反映补正材料未一次告知".into(),
                },
            )
            .await?;
        }
        let clerk = self.demo_actor("zrzy.clerk").await?;
        let windows = self.store.windows(None, clerk.department_id).await?;
        if let Some(w) = windows.first() {
            self.take_window_duty(&clerk, w.id).await?;
            self.end_window_visit(&clerk, w.id).await?;
            self.rate_window(None, w.id, &input("satisfied", ""))
                .await?;
            n += 1;
        }
        Ok(n)
    }
}
