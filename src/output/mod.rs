//! Rendering results for people and machines. Only this module and `main.rs` decide what goes
//! to stdout; every format is deterministic (same input, byte-identical output).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

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

/// The value of the global `--format` flag: every [`Format`] plus the report formats of
/// `lint`. Commands that have no SARIF or GitHub form get [`Format::Json`] or
/// [`Format::Plain`] instead (see the `From` impl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Labelled source snippets with colours when stdout is a terminal.
    #[default]
    Human,
    /// Like `human`, never coloured, ASCII art only (for logs and screen readers).
    Plain,
    /// One versioned JSON document (`"version": 1`).
    Json,
    /// A SARIF 2.1.0 log (`lint`; for code scanning uploads). Other commands print JSON.
    Sarif,
    /// GitHub Actions workflow commands, one annotation per finding (`lint`). Other commands
    /// print plain text.
    Github,
    /// Markdown for pull-request comments (`diff`). Other commands print plain text.
    Markdown,
    /// CSV rows (`costs`). Other commands print plain text.
    Csv,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Plain
            | OutputFormat::Github
            | OutputFormat::Markdown
            | OutputFormat::Csv => Format::Plain,
            OutputFormat::Json | OutputFormat::Sarif => Format::Json,
        }
    }
}

/// A writer for stdout that treats a closed pipe (`scpsim ... | head -1`) as success: the
/// reader has what it wanted, so the command keeps the exit status of its answer instead of
/// reporting an I/O failure.
pub struct PipeSafe<W>(pub W);

impl<W: std::io::Write> std::io::Write for PipeSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(buf.len()),
            r => r,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }
}
