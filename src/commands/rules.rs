//! `scpsim rules` (the rule table) and `scpsim rules explain ID` (one rule's documentation).

use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

use crate::error::ExitStatus;
use crate::output::Format;
use crate::policy::PolicyKind;
use crate::rules::{self, RuleMeta};

/// The schema version of the JSON output of `rules`.
const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct RuleOut<'a> {
    id: &'a str,
    default_severity: &'a str,
    kinds: Vec<PolicyKind>,
    summary: &'a str,
    reported_by_parser: bool,
    reported_by_org_loader: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    docs: Option<String>,
}

fn rule_out(r: &dyn rules::Rule, with_docs: bool) -> RuleOut<'static> {
    let m = r.meta();
    RuleOut {
        id: m.id,
        default_severity: m.default_severity.as_str(),
        kinds: m.kinds.to_vec(),
        summary: m.summary,
        reported_by_parser: r.reported_by_parser(),
        reported_by_org_loader: r.reported_by_org_loader(),
        docs: with_docs.then(|| m.docs_text()),
    }
}

fn kinds_text(m: &RuleMeta) -> String {
    if m.applies_to_all_kinds() {
        "all".to_string()
    } else {
        m.kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn emit(out: &mut dyn Write, text: &str, status: ExitStatus) -> ExitStatus {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(_) => ExitStatus::Environment,
    }
}

fn json_text<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|e| {
        format!(
            "{{\"version\": {JSON_VERSION}, \"error\": {:?}}}",
            e.to_string()
        )
    });
    s.push('\n');
    s
}

/// Runs `scpsim rules`: one row per rule (id, default severity, policy kinds, summary).
pub fn list(format: Format, out: &mut dyn Write) -> ExitStatus {
    let all = rules::all();
    let text = if format == Format::Json {
        #[derive(Serialize)]
        struct ListOut {
            version: u32,
            rules: Vec<RuleOut<'static>>,
        }
        json_text(&ListOut {
            version: JSON_VERSION,
            rules: all.iter().map(|r| rule_out(*r, false)).collect(),
        })
    } else {
        let rows: Vec<[String; 4]> = all
            .iter()
            .map(|r| {
                let m = r.meta();
                [
                    m.id.to_string(),
                    m.default_severity.to_string(),
                    kinds_text(m),
                    m.summary.to_string(),
                ]
            })
            .collect();
        let header = ["RULE", "SEVERITY", "KINDS", "SUMMARY"].map(str::to_string);
        let mut widths = [0usize; 3];
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut s = String::new();
        for row in std::iter::once(&header).chain(&rows) {
            let _ = writeln!(
                s,
                "{:w0$}  {:w1$}  {:w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        }
        let _ = writeln!(
            s,
            "\n{} rules; `scpsim rules explain ID` prints a rule's documentation",
            rows.len()
        );
        s
    };
    emit(out, &text, ExitStatus::Success)
}

/// Runs `scpsim rules explain ID`: the rule's documentation; an unknown id is a usage error
/// (exit 2) with the closest ids as suggestions.
pub fn explain(format: Format, id: &str, out: &mut dyn Write) -> ExitStatus {
    let Some(rule) = rules::find(id) else {
        let suggestions = rules::suggest(id);
        let mut message = format!("unknown rule id `{id}`");
        if !suggestions.is_empty() {
            let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
            let _ = write!(message, "; did you mean {}?", list.join(" or "));
        }
        let text = if format == Format::Json {
            json_text(&serde_json::json!({
                "version": JSON_VERSION,
                "error": message,
                "suggestions": suggestions,
            }))
        } else {
            format!("error: {message}\nhelp: `scpsim rules` lists every rule\n")
        };
        return emit(out, &text, ExitStatus::Usage);
    };
    let text = if format == Format::Json {
        #[derive(Serialize)]
        struct ExplainOut {
            version: u32,
            rule: RuleOut<'static>,
        }
        json_text(&ExplainOut {
            version: JSON_VERSION,
            rule: rule_out(rule, true),
        })
    } else {
        let m = rule.meta();
        let mut s = format!(
            "# {}\n\nDefault severity: {}. Policy kinds: {}.{}\n\n{}\n\n",
            m.id,
            m.default_severity,
            kinds_text(m),
            if rule.reported_by_parser() {
                " Reported while parsing."
            } else if rule.reported_by_org_loader() {
                " Reported while reading the org file (`lint --org`, `org show`)."
            } else {
                ""
            },
            m.summary
        );
        s.push_str(&m.docs_text());
        s
    };
    emit(out, &text, ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&mut Vec<u8>) -> ExitStatus) -> (ExitStatus, String) {
        let mut buf = Vec::new();
        let st = f(&mut buf);
        (st, String::from_utf8(buf).unwrap_or_default())
    }

    #[test]
    fn list_has_every_rule() {
        let (st, text) = run(|o| list(Format::Plain, o));
        assert_eq!(st, ExitStatus::Success);
        for r in rules::all() {
            assert!(text.contains(r.meta().id), "{}", r.meta().id);
        }
        let (_, json) = run(|o| list(Format::Json, o));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(v["version"], 1);
        assert_eq!(
            v["rules"].as_array().map(Vec::len),
            Some(rules::all().len())
        );
    }

    #[test]
    fn explain_known_and_unknown() {
        let (st, text) = run(|o| explain(Format::Plain, "pass-role-star", o));
        assert_eq!(st, ExitStatus::Success);
        assert!(text.contains("## Why is this bad?"));
        assert!(text.starts_with("# pass-role-star"));
        let (st, text) = run(|o| explain(Format::Plain, "pass-role-stars", o));
        assert_eq!(st, ExitStatus::Usage);
        assert!(text.contains("did you mean `pass-role-star`"), "{text}");
    }
}
