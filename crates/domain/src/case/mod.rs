//! The case (办件): what a window accepts or a citizen files, carried through its item's process.
//!
//! This module holds the pure parts of the case engine: the case number, the run of an item
//! version's process (which steps are open, how a parallel group closes, what a timeout means),
//! the events of a case and the state they fold into, the documents the law requires, and the
//! one engine every change goes through.

pub mod document;
pub mod engine;
pub mod event;
pub mod intake;
pub mod model;
mod number;
pub mod offers;
mod process;
pub mod supplied;

pub use engine::{
    handle, next_timer, receive, CaseRules, Command, Ctx, Decided, Post, PostBook, Submission, Who,
};
pub use event::CaseEvent;
pub use model::*;
pub use number::CaseNumber;
pub use offers::{offers, permits, Offer};
pub use process::{ProcessRun, RunEnd, StepOutcome, StepState};
