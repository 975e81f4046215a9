//! Human output: each finding rendered by miette with its labelled snippet (file:line:col),
//! then a one-line summary.

use std::fmt::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, ThemeCharacters, ThemeStyles};

use crate::diag::{Finding, Severity};
use crate::lint::LintRun;

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unicode box drawing and ANSI colours.
    Color,
    /// Unicode box drawing, no colours.
    Unicode,
    /// ASCII only, no colours.
    Plain,
}

fn handler(style: Style) -> GraphicalReportHandler {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Unicode => GraphicalTheme::unicode_nocolor(),
        Style::Plain => GraphicalTheme {
            characters: ThemeCharacters::ascii(),
            styles: ThemeStyles::none(),
        },
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1)
}

/// Renders findings (of any command) for people, each with its labelled snippet.
pub fn render_findings<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    style: Style,
) -> String {
    let handler = handler(style);
    let mut out = String::new();
    for f in findings {
        let mut s = String::new();
        if handler.render_report(&mut s, f).is_err() {
            let loc = f.location();
            s = format!(
                "{}:{}:{}: {} [{}] {}\n",
                f.source.name(),
                loc.line,
                loc.column,
                f.severity,
                f.rule,
                f.message
            );
        }
        out.push_str(&s);
        if !s.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Renders a lint run for people.
pub fn render_lint(run: &LintRun, style: Style) -> String {
    let mut out = render_findings(run.findings(), style);
    for e in &run.input_errors {
        let _ = writeln!(out, "error: {}: {}", e.path, e.message);
    }
    out.push_str(&summary_line(run));
    out
}

/// The one-line summary of a lint run (`checked 3 files: 1 error, 0 warnings, 0 info`), with a
/// newline.
pub fn summary_line(run: &LintRun) -> String {
    let mut out = String::new();
    let files = run.files.len();
    let (e, w, i) = (
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info),
    );
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = write!(out, "checked {}: ", plural(files, "file", "files"));
    if e + w + i == 0 {
        out.push_str("no findings");
    } else {
        let _ = write!(
            out,
            "{}, {}, {}",
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings"),
            plural(i, "info", "info")
        );
    }
    if !run.input_errors.is_empty() {
        let _ = write!(
            out,
            "; {} could not be read",
            plural(run.input_errors.len(), "path", "paths")
        );
    }
    if run.suppressed > 0 {
        let _ = write!(
            out,
            "; {} suppressed by the config",
            plural(run.suppressed, "finding", "findings")
        );
    }
    out.push('\n');
    out
}
