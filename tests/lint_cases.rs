//! The lint reference cases (fixtures/cases/lint, copied from ../shared/cases/lint): each case's
//! policy text is linted as its `policy_type` and the findings must be exactly the expected ones
//! (rule, severity, line). `code_hint` is prose, so this file maps each case to scpsim's rule ids.
//!
//! Cases whose rule belongs to an issue that has not landed yet are listed in `PENDING` with that
//! issue's tag; the test checks they still fail, so the list cannot silently go stale.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::sync::Arc;

use scpsim::diag::Severity;
use scpsim::lint::{LintOptions, lint_source};
use scpsim::policy::PolicyKind;
use scpsim::source::SourceFile;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    policy_type: String,
    policy_text: String,
    expect_findings: Vec<Expected>,
    #[serde(default)]
    expect_no_errors: bool,
}

#[derive(Deserialize)]
struct Expected {
    code_hint: String,
    severity: Severity,
    line: Option<usize>,
}

/// Case file stem -> the rule id each expected finding maps to (in order).
const RULES: &[(&str, &[&str])] = &[
    (
        "101-notipaddress-deny-without-viaawsservice",
        &["source-ip-deny-without-service-exemption"],
    ),
    (
        "103-condition-operator-wrong-case",
        &["invalid-condition-operator"],
    ),
    ("40-unknown-service-prefix-typo", &["unknown-service"]),
    ("42-recent-valid-actions-not-flagged", &[]),
    ("44-effect-wrong-case", &["invalid-effect"]),
    ("45-duplicate-sid-identity-policy", &["duplicate-sid"]),
    ("48-trailing-comma-invalid-json", &["json-syntax"]),
    ("50-scp-with-principal-element", &["principal-not-allowed"]),
    (
        "51-scp-condition-in-allow-now-valid",
        &["region-allow-list-without-global-exemption"],
    ),
    ("52-scp-leading-or-middle-action-wildcard-now-valid", &[]),
    ("53-scp-size-counts-whitespace", &["policy-size-limit"]),
    ("55-condition-key-different-case-ok", &[]),
    ("56-resource-level-condition-key-ok", &[]),
    ("58-rcp-custom-allow-not-supported", &["rcp-allow"]),
    ("59-notprincipal-with-allow", &["not-principal-with-allow"]),
    (
        "60-policy-variable-without-version",
        &["variable-without-version"],
    ),
    (
        "61-notaction-with-allow-warning",
        &["not-action-with-allow"],
    ),
    ("63-sid-with-space-and-hyphen", &["invalid-sid"]),
];

/// Cases that need a rule from an issue that has not landed: (case, issue tag).
const PENDING: &[(&str, &str)] = &[];

fn kind(s: &str) -> PolicyKind {
    match s {
        "scp" => PolicyKind::Scp,
        "rcp" => PolicyKind::Rcp,
        "identity" => PolicyKind::Identity,
        "resource" => PolicyKind::Resource,
        other => panic!("unknown policy_type {other}"),
    }
}

/// Checks one case; `Err` says what differs.
fn check(stem: &str, case: &Case) -> Result<(), String> {
    let rules = RULES
        .iter()
        .find(|(s, _)| *s == stem)
        .map(|(_, r)| *r)
        .ok_or_else(|| format!("{stem}: no rule mapping; add it to RULES"))?;
    assert_eq!(
        rules.len(),
        case.expect_findings.len(),
        "{stem}: RULES must map every finding"
    );
    let source = SourceFile::new(format!("{stem}.json"), case.policy_text.clone());
    let report = lint_source(
        &Arc::clone(&source),
        &LintOptions::with_kind(Some(kind(&case.policy_type))),
    );
    let got: Vec<(String, Severity, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.severity, f.location().line))
        .collect();
    let mut unmatched = got.clone();
    for (exp, rule) in case.expect_findings.iter().zip(rules) {
        let pos = unmatched.iter().position(|(r, sev, line)| {
            r == rule && *sev == exp.severity && exp.line.is_none_or(|l| l == *line)
        });
        match pos {
            Some(i) => {
                unmatched.remove(i);
            }
            None => {
                return Err(format!(
                    "{stem} ({}): expected {rule} {:?} at line {:?} (\"{}\"), got {got:?}",
                    case.name, exp.severity, exp.line, exp.code_hint
                ));
            }
        }
    }
    if case.expect_no_errors && got.iter().any(|(_, s, _)| *s == Severity::Error) {
        return Err(format!("{stem}: expected no errors, got {got:?}"));
    }
    if !unmatched.is_empty() {
        return Err(format!("{stem}: unexpected findings {unmatched:?}"));
    }
    Ok(())
}

#[test]
fn lint_reference_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases/lint");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 18, "all reference cases are present");
    let mut failures = Vec::new();
    let mut passed = 0;
    for path in &entries {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let result = check(&stem, &case);
        match PENDING.iter().find(|(s, _)| *s == stem) {
            Some((_, tag)) => assert!(
                result.is_err(),
                "{stem} passes now: remove it from PENDING (it waited for {tag})"
            ),
            None => match result {
                Ok(()) => passed += 1,
                Err(e) => failures.push(e),
            },
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(passed + PENDING.len(), entries.len());
}
