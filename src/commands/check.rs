//! `scpsim check --org PATH --rules RULES.yaml`: org-wide compliance rules, exhaustively over
//! each rule's accounts x actions x regions. Exit 1 on any violation.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::analyze::check::{CheckRule, RuleResult, RuleType, load_rules, run_rules_with_progress};
use crate::catalog::Catalog;
use crate::error::ExitStatus;
use crate::eval::trace::DecidedBy;
use crate::org::OrgTree;
use crate::output::human::render_findings;
use crate::output::sarif;
use crate::output::{Format, OutputFormat};
use crate::source::SourceFile;
use serde_json::{Value, json};

use super::{load_org, stderr_style};

/// Violations kept (with their explanation) per rule; the count is always exact.
pub const MAX_VIOLATIONS_SHOWN: usize = 200;

#[derive(Serialize)]
struct CheckOut<'a> {
    version: u32,
    rules: &'a [RuleResult],
    violations: u64,
}

/// Runs `scpsim check`.
pub fn run(
    format: OutputFormat,
    org_path: &Path,
    rules_path: &Path,
    quiet: bool,
    options: crate::eval::EvalOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let plain = Format::from(format);
    let (org, _) = match load_org(org_path, plain, false, err) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let catalog = match Catalog::load() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
            return ExitStatus::Environment;
        }
    };
    let text = match std::fs::read_to_string(rules_path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot read `{}`: {}",
                rules_path.display(),
                crate::lint::io_message(&e)
            );
            return ExitStatus::Usage;
        }
    };
    let source = SourceFile::new(rules_path.display().to_string(), text);
    let rules = match load_rules(&source, &org, catalog) {
        Ok(r) => r,
        Err(diags) => {
            let _ = err.write_all(render_findings(&diags, stderr_style(plain)).as_bytes());
            return ExitStatus::Usage;
        }
    };
    let bar = super::progress::Bar::new("check", format, quiet);
    let results = run_rules_with_progress(&org, &rules, options, MAX_VIOLATIONS_SHOWN, &bar);
    bar.finish();
    let total: u64 = results.iter().map(|r| r.violation_count).sum();
    let text = match format {
        OutputFormat::Markdown => markdown(&results, total),
        OutputFormat::Sarif => sarif(&results, &rules, &source, &org),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&CheckOut {
                version: 1,
                rules: &results,
                violations: total,
            })
            .unwrap_or_default();
            s.push('\n');
            s
        }
        _ => human(&results, total),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    if total > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn human(results: &[RuleResult], total: u64) -> String {
    let mut o = String::new();
    for r in results {
        let status = if r.violation_count > 0 {
            "FAIL"
        } else if r.cells == 0 {
            "EMPTY"
        } else {
            "PASS"
        };
        let what = match r.kind {
            RuleType::Regions => "regional actions denied outside the allowed regions",
            RuleType::Deny => "denied",
            RuleType::Allow => "allowed",
        };
        let _ = writeln!(
            o,
            "{status} {}: {} accounts x {} actions x {} regions = {} cells must be {what} ({} decisions computed)",
            r.id, r.accounts, r.actions, r.regions, r.cells, r.evaluated
        );
        if let Some(d) = &r.description {
            let _ = writeln!(o, "     {d}");
        }
        if r.cells == 0 {
            let _ = writeln!(
                o,
                "     warning: {} so the rule checks nothing; check its scope and lists",
                if r.accounts == 0 {
                    "no account is in scope,"
                } else {
                    "no action or region is left,"
                }
            );
        }
        if r.exempt > 0 {
            let _ = writeln!(
                o,
                "     {} cells not counted: SCPs cannot restrict these tasks (R2.3, data/aws/scp-exemptions.json)",
                r.exempt
            );
        }
        if r.violation_count > 0 {
            let _ = writeln!(
                o,
                "     {} violations{}",
                r.violation_count,
                if (r.violations.len() as u64) < r.violation_count {
                    format!(", first {} shown", r.violations.len())
                } else {
                    String::new()
                }
            );
            for v in &r.violations {
                let on = if v.resource == "*" {
                    String::new()
                } else {
                    format!(" on {}", v.resource)
                };
                let _ = writeln!(
                    o,
                    "     - {} ({}) {}{on} in {}: {} — {}",
                    v.account_name, v.account, v.action, v.region, v.decision, v.reason
                );
            }
        }
    }
    let failed = results.iter().filter(|r| r.violation_count > 0).count();
    let _ = writeln!(
        o,
        "\n{} rules: {} passed, {failed} failed; {total} violations",
        results.len(),
        results.len() - failed
    );
    o
}

fn markdown(results: &[RuleResult], total: u64) -> String {
    let mut o = String::new();
    let failed = results.iter().filter(|r| r.violation_count > 0).count();
    let _ = writeln!(
        o,
        "### scpsim check\n\n{} rules: {} passed, {failed} failed; {total} violations\n",
        results.len(),
        results.len() - failed
    );
    o.push_str("| rule | result | cells | violations |\n|---|---|---|---|\n");
    for r in results {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} |",
            r.id,
            if r.violation_count > 0 {
                "**fail**"
            } else if r.cells == 0 {
                "empty: checks nothing"
            } else {
                "pass"
            },
            r.cells,
            r.violation_count
        );
    }
    for r in results.iter().filter(|r| r.violation_count > 0) {
        let _ = writeln!(
            o,
            "\n#### `{}`\n\n| account | action | region | decision |\n|---|---|---|---|",
            r.id
        );
        for v in r.violations.iter().take(50) {
            let _ = writeln!(
                o,
                "| {} ({}) | `{}` | {} | {} |",
                v.account_name, v.account, v.action, v.region, v.decision
            );
        }
    }
    o
}

/// The location of what decided a violation: the deciding statement in its policy file for an
/// explicit deny, the node in the org file for a chain without Allow; `None` for a grant.
fn deciding_location(org: &OrgTree, by: &DecidedBy) -> Option<Value> {
    match by {
        DecidedBy::ExplicitDeny {
            policy, statement, ..
        } => {
            let p = org.policies.iter().find(|p| &p.name == policy)?;
            let st = p.doc.statements.iter().find(|s| {
                s.sid_str() == Some(statement.as_str()) || format!("#{}", s.index) == *statement
            })?;
            Some(json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif::uri(p.source.name())},
                    "region": sarif::region_of(&p.source, st.span),
                },
                "message": {"text": format!("statement {statement} of {policy} decides")},
            }))
        }
        DecidedBy::ChainWithoutAllow { node, .. } => {
            let n = org
                .nodes
                .iter()
                .enumerate()
                .find(|(i, _)| crate::analyze::node_label(org, *i) == *node)?;
            Some(json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif::uri(org.source.name())},
                    "region": sarif::region_of(&org.source, n.1.span),
                },
                "message": {"text": format!("no SCP on {node} allows the action")},
            }))
        }
        DecidedBy::Grant { .. } => None,
    }
}

/// SARIF 2.1.0: one reporting descriptor per check rule; one result per violation shown, whose
/// `ruleId` is the check rule's id and whose locations are the rule in the rules file and (when
/// a statement or node decides) the deciding policy statement or org node.
fn sarif(
    results: &[RuleResult],
    rules: &[CheckRule],
    source: &SourceFile,
    org: &OrgTree,
) -> String {
    let descriptors: Vec<Value> = rules
        .iter()
        .zip(results)
        .map(|(rule, r)| {
            let what = match r.kind {
                RuleType::Regions => "regional actions are denied outside the allowed regions",
                RuleType::Deny => "the actions are denied",
                RuleType::Allow => "the actions are allowed",
            };
            let text = rule
                .description
                .clone()
                .unwrap_or_else(|| format!("in every account of the scope, {what}"));
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": {"text": text},
                "defaultConfiguration": {"level": "error"},
                "properties": {
                    "type": r.kind,
                    "cells": r.cells,
                    "violationCount": r.violation_count,
                },
            })
        })
        .collect();
    let mut out = Vec::new();
    for (i, (rule, r)) in rules.iter().zip(results).enumerate() {
        let rule_location = json!({
            "physicalLocation": {
                "artifactLocation": {"uri": sarif::uri(source.name())},
                "region": sarif::region_of(source, rule.span),
            },
            "message": {"text": format!("rule `{}`", rule.id)},
        });
        for v in &r.violations {
            let mut locations = vec![rule_location.clone()];
            locations.extend(deciding_location(org, &v.decided_by));
            out.push(json!({
                "ruleId": rule.id,
                "ruleIndex": i,
                "level": "error",
                "message": {"text": format!(
                    "{} ({}): {} in {} by {} is {}: {}",
                    v.account_name, v.account, v.action, v.region, v.principal, v.decision, v.reason
                )},
                "locations": locations,
                "properties": {
                    "account": v.account,
                    "action": v.action,
                    "region": v.region,
                    "decision": v.decision,
                },
            }));
        }
    }
    sarif::log(descriptors, out, Vec::new())
}
