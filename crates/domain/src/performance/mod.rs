//! Performance scores (绩效考评): a published, versioned scheme of indicators (指标体系) scored
//! over the facts Tongban records, per department and per township or street, for a month, a
//! quarter, a half-year or a year, ranked within each level and explained line by line.
//!
//! - [`scheme`]: the closed set of indicator formulas ([`Indicator`]), a scheme's indicators with
//!   their targets and weights (the weights sum to 100: `performance.weights`), and its life
//!   draft → reviewed → published, like a catalog item.
//! - [`period`]: the periods ([`Period`]: `2026-07`, `2026-Q3`, `2026-H2`, `2026`) and their
//!   bounds in Shanghai time.
//! - [`score`]: a unit's facts ([`Fact`]) turned into points, with the formula written out with
//!   its numbers; the ranking within each level; the consequences of ranking last (seed 004).
//!
//! Nothing here reads a clock or a database.

pub mod period;
pub mod scheme;
pub mod score;
pub mod survey;

pub use period::{Period, PeriodKind};
pub use scheme::{Indicator, IndicatorSpec, Scheme, SchemeStatus, Shape};
pub use score::{
    consequence, rank, score_member, score_unit, Consequence, Fact, Line, MemberKind, MemberScore,
    UnitKind, UnitScore,
};
