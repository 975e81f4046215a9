//! Org-wide analysis on the one engine: `check` (compliance rules over accounts x actions x
//! regions). `diff` follows.

pub mod check;
