//! Ratings (好差评, 国办发〔2019〕51号; GB/T 39734-2020): every service is rated once by the
//! person served, on five levels and the standard's dimensions, and every 差评 is rectified.
//!
//! - [`model`]: what is rated ([`ServiceKind`]: a decided case 一事一评, a window visit
//!   一次一评, a hotline ticket at call-back, a disclosure reply), the levels, the dimensions of
//!   each channel, tags and the comment, parsed into a [`Rating`] that cannot hold a bad value;
//!   who may rate ([`may_rate`]) and when an unrated service counts as 基本满意 ([`RatingRules`]).
//! - [`rectification`]: a 差评 opens a rectification (整改), a supervised subject of its own on
//!   the shared clock: 回访 within 1 working day, 核实, 整改 within a setting's working days,
//!   feedback to the rater (who may rate again), and 申诉复核 decided by a supervisor.
//!
//! Nothing here reads a clock or a database.

mod model;
mod rectification;

pub use model::*;
pub use rectification::{Appeal, By, Command, RectEvent, RectStage, Rectification, Verdict};
