//! Rendering results for people and machines. Only this module and `main.rs` decide what goes
//! to stdout; every format is deterministic (same input, byte-identical output).

pub mod human;
pub mod json;

use clap::ValueEnum;

/// The output format of every subcommand (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Labelled source snippets with colours when stdout is a terminal.
    #[default]
    Human,
    /// Like `human`, never coloured, ASCII art only (for logs and screen readers).
    Plain,
    /// One versioned JSON document (`"version": 1`).
    Json,
}
