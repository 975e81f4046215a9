//! `scpsim lint FILE|DIR...`: syntax, grammar and rule findings for policy files.

use std::io::{IsTerminal, Write};

use std::path::PathBuf;

use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::lint::{LintOptions, lint_paths};
use crate::output::{Format, human, json};
use crate::policy::PolicyKind;

/// Runs `scpsim lint` and returns its exit status.
///
/// `fail_on` is the lowest severity that makes the run exit 1.
pub fn run(
    format: Format,
    paths: &[PathBuf],
    kind: Option<PolicyKind>,
    fail_on: Severity,
    out: &mut dyn Write,
) -> ExitStatus {
    let opts = LintOptions { kind };
    let run = lint_paths(paths, &opts);
    let text = match format {
        Format::Json => json::render_lint(&run),
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            human::render_lint(
                &run,
                if color {
                    human::Style::Color
                } else {
                    human::Style::Unicode
                },
            )
        }
        Format::Plain => human::render_lint(&run, human::Style::Plain),
    };
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitStatus::Environment;
    }
    let mut status = if run.findings().any(|f| f.severity >= fail_on) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    for e in &run.input_errors {
        status = status.max(if e.usage {
            ExitStatus::Usage
        } else {
            ExitStatus::Environment
        });
    }
    status
}
