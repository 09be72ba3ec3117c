//! The 12345 hotline (诉求工单): a citizen's request taken by phone, web, app, SMS or in
//! person, dispatched to the unit that must handle it, replied to, called back and closed.
//!
//! A ticket is an event log ([`TicketEvent`]); [`Ticket::apply`] folds each event into the
//! state the store projects for queries, and [`Ticket::decide`] is the state machine: it turns
//! a [`Command`] into the one event it causes, or refuses it with a stable code. Deadlines run
//! on THE shared calendar ([`crate::calendar::StatutoryClock`]): pauses are its suspensions, an
//! approved extension is its extension. Nothing here reads a clock or a database.

pub mod detect;
pub mod duplicate;
mod model;
pub mod photo;
pub mod rates;
pub mod report;
mod sla;
mod ticket;
mod watch;

pub use model::*;
pub use sla::{HotlineRules, SlaTable};
pub use ticket::{
    By, CloseReason, Command, Ticket, TicketActionKind, TicketEvent, TicketEventKind, Viewer,
};
pub use watch::CENTRE;
