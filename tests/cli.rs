//! The `scpsim` binary end to end: exit codes (README's table), JSON output shape, every file
//! processed even when others fail, byte-identical output across runs and thread counts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

fn scpsim(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn clean_policies_exit_0() {
    for (kind, dir) in [("scp", "policies/scp"), ("rcp", "policies/rcp")] {
        let o = scpsim(&["lint", "--policy-type", kind, dir], "2");
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
        let out = String::from_utf8_lossy(&o.stdout);
        if kind == "scp" {
            // The library's deny-all SCP (for a Suspended OU) locks administrators out by
            // design: `locks-out-admin-role` says so at info, the only finding.
            assert!(out.contains("0 errors, 0 warnings, 1 info"), "{out}");
            assert!(out.contains("locks-out-admin-role") && out.contains("deny-all.json"));
        } else {
            assert!(out.contains("no findings"), "{out}");
        }
    }
}

#[test]
fn findings_exit_1_and_fail_on_moves_the_threshold() {
    let o = scpsim(&["lint", "fixtures/broken/effect-lowercase.json"], "2");
    assert_eq!(code(&o), 1);
    // A warning alone passes by default and fails with --fail-on warning.
    let warn = "fixtures/cases/lint/61-notaction-with-allow-warning.json";
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(warn).exists());
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    assert_eq!(code(&scpsim(&["lint", p], "2")), 0);
    assert_eq!(code(&scpsim(&["lint", "--fail-on", "warning", p], "2")), 1);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&scpsim(&["lint"], "2")), 2);
    assert_eq!(
        code(&scpsim(
            &["lint", "--policy-type", "bogus", "policies"],
            "2"
        )),
        2
    );
    let o = scpsim(&["lint", "does/not/exist.json"], "2");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stdout).contains("no such file or directory"));
}

#[test]
fn every_file_is_processed_even_when_others_fail() {
    let o = scpsim(
        &[
            "lint",
            "--format",
            "json",
            "fixtures/broken",
            "does/not/exist.json",
            "policies",
        ],
        "2",
    );
    assert_eq!(
        code(&o),
        2,
        "a missing path is a usage error, reported after all files"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let broken = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/broken"))
        .unwrap()
        .count();
    let files = v["files"].as_array().unwrap();
    assert!(
        files.len() > broken,
        "broken files and policies/ all linted"
    );
    assert_eq!(v["input_errors"].as_array().unwrap().len(), 1);
}

#[test]
fn json_output_carries_location_and_pointer() {
    let o = scpsim(
        &[
            "lint",
            "--format",
            "json",
            "--policy-type",
            "identity",
            "fixtures/broken",
        ],
        "2",
    );
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() >= 15);
    for f in findings {
        for key in [
            "file",
            "rule",
            "severity",
            "message",
            "pointer",
            "policy_type",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert!(f["line"].as_u64().unwrap() >= 1);
        assert!(f["column"].as_u64().unwrap() >= 1);
        assert!(f["span"]["end"].as_u64() >= f["span"]["start"].as_u64());
    }
    let effect = findings
        .iter()
        .find(|f| f["rule"] == "invalid-effect")
        .expect("the lowercase Effect is reported");
    assert_eq!(effect["pointer"], "/Statement/0/Effect");
    assert_eq!(
        (effect["line"].as_u64(), effect["column"].as_u64()),
        (Some(5), Some(17))
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    for format in ["human", "json", "plain"] {
        let args = [
            "lint",
            "--format",
            format,
            "fixtures/broken",
            "fixtures/corpus",
        ];
        let a = scpsim(&args, "1");
        let b = scpsim(&args, "2");
        let c = scpsim(&args, "2");
        assert_eq!(a.stdout, b.stdout, "{format}: 1 vs 2 threads");
        assert_eq!(b.stdout, c.stdout, "{format}: two runs");
        assert_eq!(code(&a), 1);
    }
}

#[test]
fn lint_org_adds_org_level_findings() {
    let o = scpsim(
        &["lint", "--org", "fixtures/orgs/example", "--format", "json"],
        "2",
    );
    // A warning (a node without Allow) and an info (an unattached policy): exit 0 by default.
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("\"rule\": \"org-node-without-allow\""),
        "{out}"
    );
    assert!(out.contains("\"rule\": \"unattached-policy\""), "{out}");
    // Quota errors of the org loader fail the run.
    let bad = scpsim(&["lint", "--org", "fixtures/orgs/invalid/quota.yaml"], "2");
    assert_eq!(code(&bad), 1);
    let warn = scpsim(
        &[
            "lint",
            "--fail-on",
            "warning",
            "--org",
            "fixtures/rules/child-allow-not-allowed-by-parent/bad-org",
        ],
        "2",
    );
    assert_eq!(code(&warn), 1);
}
