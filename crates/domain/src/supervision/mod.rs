//! Electronic supervision (电子监察): the rules that watch running matters. Pure: the sweeper and
//! the board in the layers above apply them.

pub mod admonition;
pub mod detect;
pub mod subject;
pub mod warning;
pub mod watch;

pub use subject::{SubjectKind, SubjectRef};
pub use warning::{crossings, light, Crossings, Light, WarningRules};
pub use watch::{deadlines, watches, Deadline, Watch};
