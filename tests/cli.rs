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
fn the_policy_library_lints_clean_without_policy_type() {
    // policies/scp and policies/rcp say their kind by directory name, policies/iam by content.
    let o = scpsim(&["lint", "policies"], "2");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{out}");
    assert!(
        out.contains("checked 15 files: 0 errors, 0 warnings, 1 info"),
        "{out}"
    );
    assert!(
        out.contains("checked as an SCP, guessed because it sits in the directory `scp`"),
        "{out}"
    );
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

/// One error path of README's "Error paths" table: arguments (`{T}` is replaced by a scratch
/// directory holding the files below, `{F}` by the repository's fixtures), the exit code, and a
/// fragment of the message, which the README table quotes too.
struct ErrorPath {
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
}

const ERROR_PATHS: &[ErrorPath] = &[
    // Arguments (clap).
    ErrorPath {
        args: &["frobnicate"],
        code: 2,
        message: "unrecognized subcommand",
    },
    ErrorPath {
        args: &["--format", "yaml", "rules"],
        code: 2,
        message: "invalid value 'yaml'",
    },
    ErrorPath {
        args: &["simulate", "--org", "{F}/orgs/mini"],
        code: 2,
        message: "required arguments were not provided",
    },
    // lint
    ErrorPath {
        args: &["lint", "{T}/bad.json"],
        code: 1,
        message: "invalid-effect",
    },
    ErrorPath {
        args: &["lint", "{T}/missing.json"],
        code: 2,
        message: "no such file or directory",
    },
    ErrorPath {
        args: &["lint", "{T}/nothing/*.json"],
        code: 2,
        message: "no file matches this pattern",
    },
    ErrorPath {
        args: &["lint", "{T}/[.json"],
        code: 2,
        message: "invalid glob",
    },
    ErrorPath {
        args: &["lint", "--config", "{T}/bad.toml", "{T}/ok.json"],
        code: 2,
        message: "unknown field `bogus`",
    },
    ErrorPath {
        args: &["lint", "--config", "{T}/limits.toml", "{T}/ok.json"],
        code: 2,
        message: "raise `[limits] max_file_bytes` in scpsim.toml",
    },
    ErrorPath {
        args: &["lint", "--diff", "{T}/fixable.json"],
        code: 1,
        message: "+++ b/",
    },
    ErrorPath {
        args: &["lint", "{T}/loop"],
        code: 3,
        message: "symbolic link loop",
    },
    // rules, catalog
    ErrorPath {
        args: &["rules", "explain", "no-such-rule"],
        code: 2,
        message: "unknown rule",
    },
    ErrorPath {
        args: &["catalog", "actions", "s3"],
        code: 2,
        message: "is not an action: write `prefix:Name`",
    },
    ErrorPath {
        args: &["catalog", "actions", "s3:NoSuch*"],
        code: 1,
        message: "no action matches",
    },
    ErrorPath {
        args: &["catalog", "keys", "s3:NoSuchAction"],
        code: 1,
        message: "no action matches",
    },
    // org files (every command that takes --org)
    ErrorPath {
        args: &["org", "show", "--org", "{T}/missing-dir"],
        code: 2,
        message: "cannot read",
    },
    ErrorPath {
        args: &["org", "show", "--org", "{T}"],
        code: 2,
        message: "no org file in",
    },
    ErrorPath {
        args: &["org", "show", "--org", "{F}/orgs/invalid/syntax.yaml"],
        code: 2,
        message: "invalid org file",
    },
    ErrorPath {
        args: &["org", "show", "--org", "{F}/orgs/invalid/duplicates.yaml"],
        code: 2,
        message: "appears twice in the organization",
    },
    // simulate
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "nobody",
            "--action",
            "s3:GetObject",
        ],
        code: 2,
        message: "no account `nobody` in the organization",
    },
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "prod-app",
            "--action",
            "GetObject",
        ],
        code: 2,
        message: "is not an action: write `service:ActionName`",
    },
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "prod-app",
            "--action",
            "s3:Nope*",
        ],
        code: 2,
        message: "matches no action in the catalog",
    },
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "prod-app",
            "--action",
            "s3:GetObject",
            "--region",
            "eu-wets-1",
        ],
        code: 2,
        message: "unknown region `eu-wets-1`",
    },
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "prod-app",
            "--action",
            "s3:GetObject",
            "--context",
            "novalue",
        ],
        code: 2,
        message: "is not KEY=VALUE",
    },
    ErrorPath {
        args: &[
            "simulate",
            "--org",
            "{F}/orgs/mini",
            "--account",
            "prod-app",
            "--action",
            "s3:GetObject",
            "--region",
            "ap-south-1",
            "--expect",
            "allow",
        ],
        code: 1,
        message: "ExplicitlyDenied",
    },
    // check
    ErrorPath {
        args: &[
            "check",
            "--org",
            "{F}/orgs/mini",
            "--rules",
            "{T}/missing.yaml",
        ],
        code: 2,
        message: "cannot read",
    },
    ErrorPath {
        args: &[
            "check",
            "--org",
            "{F}/orgs/mini",
            "--rules",
            "{T}/bad-rules.yaml",
        ],
        code: 2,
        message: "invalid rules file",
    },
    ErrorPath {
        args: &[
            "check",
            "--org",
            "{F}/orgs/mini",
            "--rules",
            "{T}/violated-rules.yaml",
        ],
        code: 1,
        message: "0 passed, 1 failed; 2 violations",
    },
    // diff
    ErrorPath {
        args: &[
            "diff",
            "--base",
            "{T}/missing-dir",
            "--head",
            "{F}/orgs/mini",
        ],
        code: 2,
        message: "cannot read",
    },
    // test
    ErrorPath {
        args: &["test", "{T}/missing.json"],
        code: 2,
        message: "no such file or directory",
    },
    ErrorPath {
        args: &["test", "{T}/failing-case.json"],
        code: 1,
        message: "1 cases: 0 passed, 1 failed",
    },
    // live organization without the `aws` feature (the default build)
    ErrorPath {
        args: &["org", "pull", "--out", "{T}/snap"],
        code: 3,
        message: "built without the aws feature",
    },
];

#[test]
fn every_error_path_has_its_exit_code_and_message_and_a_readme_row() {
    // Inside the target directory, so that no stray scpsim.toml above /tmp is discovered.
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let t = tmp.path();
    let ok = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;
    std::fs::write(t.join("ok.json"), ok).unwrap();
    std::fs::write(
        t.join("bad.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"deny","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    std::fs::write(
        t.join("fixable.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:b","s3:a"],"Resource":"*"}]}"#,
    )
    .unwrap();
    std::fs::write(t.join("bad.toml"), "bogus = 1\n").unwrap();
    std::fs::write(t.join("limits.toml"), "[limits]\nmax_file_bytes = 10\n").unwrap();
    std::fs::write(
        t.join("bad-rules.yaml"),
        "version: 1\nrules: [{id: x, type: nope}]\n",
    )
    .unwrap();
    std::fs::write(
        t.join("violated-rules.yaml"),
        "version: 1\nrules:\n  - {id: no-s3, description: x, type: deny, scope: {all: true}, actions: [s3:GetObject], regions: [us-east-1]}\n",
    )
    .unwrap();
    let case =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases/simulate"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .min()
            .unwrap();
    let mut case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case).unwrap()).unwrap();
    case["expect"] = if case["expect"] == "Allowed" {
        "ExplicitlyDenied"
    } else {
        "Allowed"
    }
    .into();
    std::fs::write(t.join("failing-case.json"), case.to_string()).unwrap();
    #[cfg(unix)]
    {
        std::fs::create_dir(t.join("loop")).unwrap();
        std::os::unix::fs::symlink(t.join("loop"), t.join("loop/self")).unwrap();
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = &readme[readme
        .find("### Error paths")
        .expect("README has an error path table")..];
    for case in ERROR_PATHS {
        if cfg!(not(unix)) && case.args.contains(&"{T}/loop") {
            continue;
        }
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| {
                a.replace("{T}", t.to_str().unwrap())
                    .replace("{F}", fixtures.to_str().unwrap())
            })
            .collect();
        let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args(&args)
            .current_dir(t)
            .env_remove("SCPSIM_FORMAT")
            .output()
            .unwrap();
        let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(case.code), "{:?}\n{text}", case.args);
        assert!(
            text.contains(case.message),
            "{:?}: expected {:?} in\n{text}",
            case.args,
            case.message
        );
        assert!(
            table.contains(case.message),
            "README's error path table quotes `{}`",
            case.message
        );
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // `scpsim ... | head`: the reader goes away; scpsim stops quietly with exit 0.
    let mut child = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["catalog", "actions", "*"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn lint_org_with_a_missing_path_is_a_usage_error() {
    let o = scpsim(&["lint", "--org", "fixtures/orgs/no-such-org"], "1");
    assert_eq!(code(&o), 2);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(all.contains("no such file or directory"), "{all}");
    let o = scpsim(
        &[
            "lint",
            "--format",
            "json",
            "--org",
            "fixtures/orgs/no-such-org",
        ],
        "1",
    );
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["input_errors"], 1, "{v}");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn simulate_suggests_the_region_and_account_meant() {
    let o = scpsim(
        &[
            "simulate",
            "--org",
            "fixtures/orgs/example",
            "--account",
            "prod-payments",
            "--action",
            "s3:GetObject",
            "--region",
            "EU-WEST-1",
        ],
        "1",
    );
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown region `EU-WEST-1`; did you mean `eu-west-1`?"),
        "{err}"
    );
    let o = scpsim(
        &[
            "simulate",
            "--org",
            "fixtures/orgs/example",
            "--account",
            "prod-paymnets",
            "--action",
            "s3:GetObject",
        ],
        "1",
    );
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `prod-payments`?"), "{err}");
}
