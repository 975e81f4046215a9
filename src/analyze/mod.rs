//! Org-wide analysis on the one engine: `check` (compliance rules over accounts x actions x
//! regions) and `diff` (what a change newly allows or denies, over a request space of classes).

pub mod check;
pub mod diff;
