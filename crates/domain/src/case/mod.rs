//! The case (办件): what a window accepts or a citizen files, carried through its item's process.
//!
//! This module holds the pure parts of the case engine: the case number and the run of an item
//! version's process (which steps are open, how a parallel group closes, what a timeout means).

pub mod intake;
mod number;
mod process;

pub use number::CaseNumber;
pub use process::{ProcessRun, RunEnd, StepOutcome, StepState};
