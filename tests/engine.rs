//! Runs every scenario in `fixtures/cases/simulate` (the reference cases copied from
//! `../shared/cases/simulate`, plus our `local-*` neighbours) and checks the expected decision,
//! which comes from AWS's documentation (each case's `source`), never from the engine.
//! Also checks the `scpsim test` command's exit codes and output formats.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers read fixed fixtures and may fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use scpsim::eval::case::{CaseEntry, load_cases};
use scpsim::eval::{EvalOptions, Evaluator};
use scpsim::source::SourceFile;

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases/simulate")
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(case_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The options `scpsim test` uses by default: catalog-backed, `current` SCP exemption set,
/// R1.6's resource-policy-required list on.
fn test_options() -> EvalOptions {
    scpsim::commands::eval_options(&scpsim::commands::EngineChoices {
        resource_policies_modeled: true,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn every_reference_and_local_case_passes() {
    let files = case_files();
    let reference = files
        .iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("local-")
        })
        .count();
    assert!(
        reference >= 43,
        "expected the 43 reference cases, found {reference}"
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let source = SourceFile::new(path.display().to_string(), text);
        let cases = load_cases(&source).unwrap_or_else(|e| panic!("{e}"));
        for c in cases {
            let CaseEntry::Simulate(case) = c else {
                continue;
            };
            ran += 1;
            let ev = Evaluator::new(&case.set, test_options());
            let prepared = ev.prepare(&case.request);
            let fast = ev.decide(&prepared);
            let trace = ev.explain(&prepared);
            assert_eq!(
                fast.decision,
                trace.decision,
                "{}: fast path and trace disagree",
                path.display()
            );
            if trace.decision != case.expect || trace.other_reading.is_some() {
                failures.push(format!(
                    "{} ({}): expected {}, got {}\n{}",
                    path.display(),
                    case.name,
                    case.expect,
                    trace.decision,
                    trace.render()
                ));
            }
        }
    }
    assert!(ran >= 43);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn local_cases_name_the_aws_page_that_decides_them() {
    for path in case_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("local-") {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let source = v["source"].as_str().unwrap_or("");
        assert!(
            source.contains("https://docs.aws.amazon.com/"),
            "{name}: source must name an AWS doc page"
        );
        assert!(v["why"].as_str().is_some_and(|w| !w.is_empty()), "{name}");
    }
}

fn scpsim(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .env_remove("SCPSIM_FORMAT")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn cli_passes_on_the_fixtures() {
    let dir = case_dir();
    let (code, out) = scpsim(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn cli_failing_case_exits_1_with_trace_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let src = case_dir().join("08-region-deny-without-exemption-blocks-iam.json");
    let text = std::fs::read_to_string(src).unwrap().replace(
        "\"expect\": \"ExplicitlyDenied\"",
        "\"expect\": \"Allowed\"",
    );
    let f = tmp.path().join("wrong.json");
    std::fs::write(&f, text).unwrap();
    let (code, out) = scpsim(&["test", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("DenyOtherRegions"), "{out}");
    let (code, out) = scpsim(&["--format", "json", "test", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["cases"][0]["decision"], "ExplicitlyDenied");
    assert_eq!(v["cases"][0]["expect"], "Allowed");
    assert_eq!(
        v["cases"][0]["trace"]["decided_by"]["statement"],
        "DenyOtherRegions"
    );
}

#[test]
fn cli_invalid_case_file_exits_2_with_location() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.json");
    std::fs::write(&f, "{\n  \"request\": {\"principal\": \"nobody\", \"action\": \"s3:GetObject\"},\n  \"expect\": \"Allowed\"\n}\n").unwrap();
    let (code, out) = scpsim(&["test", f.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("bad.json:2:28"), "{out}");
    let (code, _) = scpsim(&["test", tmp.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(code, 2);
}

fn case(name: &str) -> String {
    case_dir().join(name).to_str().unwrap().to_string()
}

#[test]
fn scp_exemption_sets_are_selectable_and_named_in_the_trace() {
    // Root access keys: restricted under the current page, exempt in the legacy set (R2.3).
    let root = case("local-root-user-credential-tasks-restricted-by-current-scps.json");
    let (code, out) = scpsim(&["test", &root]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = scpsim(&["test", &root, "--scp-exemptions", "legacy-pre-2017"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("got Allowed"), "{out}");
    assert!(out.contains("exemption set `legacy-pre-2017`"), "{out}");
    assert!(out.contains("Manage the root user's access keys"), "{out}");
    // Mechanical Turk: exempt under `current`, denied when no set is used.
    let mturk = case("local-mechanical-turk-not-restricted-by-scps.json");
    let (code, out) = scpsim(&["--format", "json", "test", &mturk]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("exemption set `current`"), "{out}");
    let (code, out) = scpsim(&["test", &mturk, "--scp-exemptions", "none"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("got ExplicitlyDenied"), "{out}");
    let (code, _) = scpsim(&["test", &mturk, "--scp-exemptions", "legacy"]);
    assert_eq!(code, 2, "an unknown set is a usage error");
}

#[test]
fn wildcard_grant_option_changes_the_decision_and_is_stated() {
    // A bucket policy granting `*` narrowed by aws:PrincipalArn to the role, and a session
    // policy without an Allow: uncapped by default (R1.6 (verify)), capped on request.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("w.json");
    let text =
        std::fs::read_to_string(case_dir().join("local-session-policy-caps-role-arn-grant.json"))
            .unwrap()
            .replace(
                "\"AWS\": \"arn:aws:iam::111122223333:role/Example\"",
                "\"AWS\": \"*\"",
            )
            .replace(
                "\"expect\": \"ImplicitlyDenied\"",
                "\"expect\": \"Allowed\"",
            );
    std::fs::write(&f, text).unwrap();
    let f = f.to_str().unwrap();
    let (code, out) = scpsim(&["--format", "json", "test", f]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("not capped"), "{out}");
    let (code, out) = scpsim(&["test", f, "--wildcard-principalarn-grant", "capped"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("got ImplicitlyDenied"), "{out}");
}

#[test]
fn bare_operator_option_picks_one_reading() {
    // `StringEquals` without a set qualifier on the multivalued aws:TagKeys: the readings
    // disagree for ["a", "b"] against ["a"], so the default reports both (R6.7 (verify)).
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("b.json");
    let case = serde_json::json!({
        "name": "bare StringEquals on aws:TagKeys", "kind": "simulate",
        "source": "R6.7", "why": "open in AWS's docs",
        "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "ec2:CreateTags", "Resource": "*",
            "Condition": {"StringEquals": {"aws:TagKeys": ["a"]}}}]}],
        "request": {"principal": "arn:aws:iam::111122223333:user/u",
            "action": "ec2:CreateTags", "resource": "*",
            "context": {"aws:TagKeys": ["a", "b"]}},
        "expect": "Allowed"
    });
    std::fs::write(&f, case.to_string()).unwrap();
    let f = f.to_str().unwrap();
    let (code, _) = scpsim(&["test", f, "--bare-op-multivalued", "any"]);
    assert_eq!(code, 0, "ForAnyValue reading: `a` is among the keys");
    let (code, _) = scpsim(&["test", f, "--bare-op-multivalued", "all"]);
    assert_eq!(code, 1, "ForAllValues reading: `b` is not listed");
    let (code, out) = scpsim(&["test", f]);
    assert_eq!(code, 1, "both readings disagree: indeterminate, {out}");
}

#[test]
fn lenient_element_case_is_opt_in_and_stated() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("l.json");
    let case = serde_json::json!({
        "name": "lower-case element names", "kind": "simulate",
        "source": "R4.9", "why": "open in AWS's docs",
        "identity": [{"version": "2012-10-17", "statement": [{"effect": "Allow",
            "action": "s3:GetObject", "resource": "*"}]}],
        "request": {"principal": "arn:aws:iam::111122223333:user/u",
            "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "expect": "Allowed"
    });
    std::fs::write(&f, case.to_string()).unwrap();
    let f = f.to_str().unwrap();
    let (code, _) = scpsim(&["test", f]);
    assert_eq!(
        code, 2,
        "strict by default: the case's policy does not load"
    );
    let (code, out) = scpsim(&["--format", "json", "test", f, "--lenient-element-case"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("--lenient-element-case"), "{out}");
}
