//! JSON output, version 1: one document per run.
//!
//! Shape (every list sorted by file, then position):
//! `{"version": 1, "tool": {"name", "version"}, "summary": {"files", "errors", "warnings",
//! "info", "input_errors", "suppressed"}, "files": [{"file", "policy_type", "policy_type_source",
//! "findings"}], "findings": [{"file", "policy_type", "policy_type_source", "rule", "severity",
//! "message", "line", "column", "end_line", "end_column", "span": {"start", "end"}, "pointer",
//! "help"}], "input_errors": [{"path", "message"}]}`. Lines and columns are 1-based (columns
//! in characters); `span` is in bytes, end exclusive; `pointer` is an RFC 6901 JSON Pointer.

use serde::Serialize;

use crate::diag::{Finding, Severity};
use crate::lint::{KindSource, LintRun};
use crate::policy::PolicyKind;

/// The schema version of the JSON output.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    input_errors: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct FileOut<'a> {
    file: &'a str,
    policy_type: PolicyKind,
    policy_type_source: KindSource,
    findings: usize,
}

#[derive(Serialize)]
struct SpanOut {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    file: &'a str,
    policy_type: PolicyKind,
    policy_type_source: KindSource,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    span: SpanOut,
    pointer: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct InputErrorOut<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct LintOut<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    files: Vec<FileOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    input_errors: Vec<InputErrorOut<'a>>,
}

fn finding<'a>(f: &'a Finding, kind: PolicyKind, ks: KindSource) -> FindingOut<'a> {
    let start = f.location();
    let end = f.end_location();
    FindingOut {
        file: f.source.name(),
        policy_type: kind,
        policy_type_source: ks,
        rule: f.rule,
        severity: f.severity,
        message: &f.message,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        span: SpanOut {
            start: f.span.start,
            end: f.span.end,
        },
        pointer: &f.pointer,
        help: f.help.as_deref(),
    }
}

/// Renders a lint run as pretty-printed JSON (trailing newline).
pub fn render_lint(run: &LintRun) -> String {
    let doc = LintOut {
        version: JSON_VERSION,
        tool: Tool {
            name: "scpsim",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files: run.files.len(),
            errors: run.count(Severity::Error),
            warnings: run.count(Severity::Warning),
            info: run.count(Severity::Info),
            input_errors: run.input_errors.len(),
            suppressed: run.suppressed,
        },
        files: run
            .files
            .iter()
            .map(|f| FileOut {
                file: f.source.name(),
                policy_type: f.kind,
                policy_type_source: f.kind_source,
                findings: f.findings.len(),
            })
            .collect(),
        findings: run
            .files
            .iter()
            .flat_map(|r| r.findings.iter().map(|f| finding(f, r.kind, r.kind_source)))
            .collect(),
        input_errors: run
            .input_errors
            .iter()
            .map(|e| InputErrorOut {
                path: &e.path,
                message: &e.message,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        format!(
            "{{\"version\": {JSON_VERSION}, \"error\": {:?}}}",
            e.to_string()
        )
    });
    s.push('\n');
    s
}
