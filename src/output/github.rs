//! GitHub Actions output: one workflow command per finding
//! (`::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=RULE::message`), which GitHub
//! shows as an annotation on the pull request, then the plain one-line summary.
//!
//! Escaping follows the runner's rules: in the message `%`, CR and LF are percent-encoded; in
//! property values `:` and `,` are too
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>).

use std::fmt::Write;

use crate::diag::Severity;
use crate::lint::LintRun;

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Renders a lint run as GitHub workflow commands.
pub fn render_lint(run: &LintRun) -> String {
    let mut out = String::new();
    for f in run.findings() {
        let start = f.location();
        let end = f.end_location();
        let mut message = f.message.clone();
        if let Some(h) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(f.severity),
            escape_property(f.source.name()),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(f.rule),
            escape_data(&message)
        );
    }
    for e in &run.input_errors {
        let _ = writeln!(
            out,
            "::error file={},title=input::{}",
            escape_property(&e.path),
            escape_data(&e.message)
        );
    }
    out.push_str(&super::human::summary_line(run));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
