//! SARIF 2.1.0 output (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>): one
//! run whose `tool.driver.rules` describes every rule (summary, documentation as help, default
//! level) and whose `results` carry each finding with its rule, level, message, physical
//! location (file, line/column region with byte offset and length) and logical location (the
//! JSON Pointer of the element). Input errors become tool execution notifications.
//!
//! Columns count Unicode code points (`columnKind: unicodeCodePoints`); `endColumn` is the
//! column after the last character, as SARIF defines it. Output is deterministic.

use serde_json::{Value, json};

use crate::diag::{Finding, Severity};
use crate::lint::LintRun;
use crate::rules;
use crate::source::{SourceFile, Span};

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";

/// The schema URI written in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a SARIF URI reference: forward slashes, with the characters that are not
/// allowed in a URI percent-encoded; absolute paths become `file://` URIs.
pub fn uri(name: &str) -> String {
    let path = name.replace('\\', "/");
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => s.push(char::from(b)),
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{s}")
    } else {
        s
    }
}

fn rule_descriptor(r: &dyn rules::Rule) -> Value {
    let m = r.meta();
    let docs = m.docs_text();
    json!({
        "id": m.id,
        "name": m.id,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": m.summary},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": level(m.default_severity)},
        "properties": {
            "policyKinds": m.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "reportedByParser": r.reported_by_parser(),
        },
    })
}

/// A SARIF `region` for `span` of `source`: 1-based lines and columns (code points), byte
/// offset and length.
pub fn region_of(source: &SourceFile, span: Span) -> Value {
    let start = source.line_col(span.start);
    let end = source.line_col(span.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "byteOffset": span.start,
        "byteLength": span.len(),
    })
}

fn region(f: &Finding, span: Span) -> Value {
    region_of(&f.source, span)
}

fn result(f: &Finding, index: Option<usize>) -> Value {
    let artifact = json!({"uri": uri(f.source.name())});
    let mut location = json!({
        "physicalLocation": {"artifactLocation": artifact.clone(), "region": region(f, f.span)},
    });
    if !f.pointer.is_empty() {
        location["logicalLocations"] = json!([{
            "fullyQualifiedName": f.pointer,
            "kind": "element",
        }]);
    }
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    if let Some(n) = &f.note {
        text.push_str("\nnote: ");
        text.push_str(n);
    }
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location],
    });
    if let Some(i) = index {
        r["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i + 1,
                        "message": {"text": l.message},
                        "physicalLocation": {
                            "artifactLocation": artifact.clone(),
                            "region": region(f, l.span),
                        },
                    })
                })
                .collect(),
        );
    }
    r
}

/// Renders a lint run as a SARIF 2.1.0 log (pretty-printed, trailing newline).
pub fn render_lint(run: &LintRun) -> String {
    let all = rules::all();
    let results: Vec<Value> = run
        .findings()
        .map(|f| result(f, all.iter().position(|r| r.meta().id == f.rule)))
        .collect();
    let notifications: Vec<Value> = run
        .input_errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}}}],
            })
        })
        .collect();
    log(
        all.iter().map(|r| rule_descriptor(*r)).collect(),
        results,
        notifications,
    )
}

/// A SARIF 2.1.0 log of one scpsim run (pretty-printed, trailing newline): `rules` are the
/// `reportingDescriptor`s of `tool.driver.rules`, `results` the results, `notifications` the
/// tool execution notifications (the run is successful when there are none).
pub fn log(rules: Vec<Value>, results: Vec<Value>, notifications: Vec<Value>) -> String {
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "scpsim",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("policies/scp/a b.json"), "policies/scp/a%20b.json");
        assert_eq!(uri("/tmp/x%.json"), "file:///tmp/x%25.json");
        assert_eq!(uri("dir\\p.json"), "dir/p.json");
    }
}
