//! The service hall's screens of open government, without sign-in: the display (电子显示屏),
//! one screen at a time, each turning to the next after `opengov.hall_seconds` by a refresh
//! the browser does itself (no script); the touch-screen kiosk (触摸屏), big targets, going
//! back to its home after `opengov.kiosk_idle_seconds` without a touch; and the public list
//! of 行政许可 decisions (双公示) read from the decided cases.

use axum::extract::State;
use axum::response::Response;
use tongban_app::opengov::{HallView, LicensingLine};

use super::opengov_form::Query;
use crate::error::PageResult;
use crate::json::PageQuery;
use crate::session::{LargeText, Viewer};
use crate::views::{self, Base};
use crate::AppState;

/// The display's screens, in turn.
const SCREENS: [(&str, &str); 5] = [
    ("notices", "公示公告"),
    ("meetings", "公开会议"),
    ("commitments", "公开承诺"),
    ("visits", "本周领导接访"),
    ("licensing", "行政许可结果公示"),
];

#[derive(askama::Template)]
#[template(path = "opengov_hall.html")]
pub struct HallPage {
    pub large: bool,
    /// `true` for the touch-screen kiosk, `false` for the display.
    pub kiosk: bool,
    /// The screen shown (`home` on the kiosk's home).
    pub screen: &'static str,
    pub heading: &'static str,
    /// Where the refresh goes, and after how many seconds.
    pub next: String,
    pub after: u32,
    pub screens: Vec<(&'static str, &'static str)>,
    pub v: HallView,
}

/// `GET /opengov/hall?screen=`: the display; each screen refreshes into the next.
pub async fn hall(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    let at = q
        .get("screen")
        .and_then(|s| SCREENS.iter().position(|(k, _)| k == s))
        .unwrap_or(0);
    let v = state.app.hall_view().await?;
    let (screen, heading) = SCREENS[at];
    Ok(views::render(&HallPage {
        large,
        kiosk: false,
        screen,
        heading,
        next: format!(
            "/opengov/hall?screen={}",
            SCREENS[(at + 1) % SCREENS.len()].0
        ),
        after: v.seconds,
        screens: SCREENS.to_vec(),
        v,
    }))
}

/// `GET /opengov/kiosk?screen=`: the touch-screen kiosk; its home, or one list, which goes
/// back home when nobody touches it.
pub async fn kiosk(
    State(state): State<AppState>,
    LargeText(large): LargeText,
    PageQuery(q): PageQuery<Query>,
) -> PageResult<Response> {
    let found = q
        .get("screen")
        .and_then(|s| SCREENS.iter().find(|(k, _)| k == s))
        .copied();
    let v = state.app.hall_view().await?;
    let (screen, heading) = found.unwrap_or(("home", "政务公开"));
    Ok(views::render(&HallPage {
        large,
        kiosk: true,
        screen,
        heading,
        next: "/opengov/kiosk".into(),
        after: v.idle_seconds,
        screens: SCREENS.to_vec(),
        v,
    }))
}

#[derive(askama::Template)]
#[template(path = "opengov_licensing.html")]
pub struct LicensingPage {
    pub base: Base,
    pub lines: Vec<LicensingLine>,
}

/// `GET /opengov/licensing`: 行政许可结果公示, the latest decisions granted.
pub async fn licensing(
    State(state): State<AppState>,
    viewer: Viewer,
    LargeText(large): LargeText,
) -> PageResult<Response> {
    Ok(views::render(&LicensingPage {
        base: Base::new("行政许可结果公示", viewer.signed_in(), large),
        lines: state.app.licensing_results(None).await?,
    }))
}
