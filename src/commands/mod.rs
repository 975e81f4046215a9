//! One file per subcommand: each turns parsed arguments into work on the library and output on
//! `out`, and returns an [`crate::error::ExitStatus`].

pub mod catalog;
pub mod check;
pub mod lint;
pub mod org;
pub mod rules;
pub mod simulate;
pub mod test;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::catalog::{Catalog, Quotas};
use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::org::OrgTree;
use crate::org::local::load;
use crate::output::Format;
use crate::output::human::{Style, render_findings};

/// The human style for stderr: colour only on a terminal without `NO_COLOR`.
pub(crate) fn stderr_style(format: Format) -> Style {
    if format == Format::Plain {
        Style::Plain
    } else if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Unicode
    }
}

/// Loads an org for a command: the catalog's current quotas, then the org file and its policies.
/// Errors are rendered to `err` and give `Err(ExitStatus::Usage)` (the org file is the
/// command's own input); warnings are rendered in full when `full_warnings`, else counted in
/// one line.
pub(crate) fn load_org(
    path: &Path,
    format: Format,
    full_warnings: bool,
    err: &mut dyn Write,
) -> Result<(OrgTree, Quotas), ExitStatus> {
    let quotas = match Catalog::load() {
        Ok(c) => c.quotas(),
        Err(e) => {
            let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
            return Err(ExitStatus::Environment);
        }
    };
    let loaded = load(path, &quotas);
    let shown: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| full_warnings || loaded.tree.is_none() || d.severity == Severity::Error)
        .collect();
    if !shown.is_empty() {
        let text = render_findings(shown.iter().copied(), stderr_style(format));
        let _ = err.write_all(text.as_bytes());
    }
    let hidden = loaded.diagnostics.len() - shown.len();
    if hidden > 0 {
        let _ = writeln!(
            err,
            "note: the org file has {hidden} warning{}; `scpsim org show --org {}` lists {}",
            if hidden == 1 { "" } else { "s" },
            path.display(),
            if hidden == 1 { "it" } else { "them" }
        );
    }
    match loaded.tree {
        Some(tree) => Ok((tree, quotas)),
        None => Err(ExitStatus::Usage),
    }
}
