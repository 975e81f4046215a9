//! Determinism of every command in every output format: the same invocation run twice, and
//! with RAYON_NUM_THREADS=1 and 2, gives byte-identical stdout, stderr and exit code.
//! (Older per-command checks live in check.rs, diff.rs, example_org.rs and cli.rs; this one
//! covers the whole command x format matrix.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::process::Command;

const FORMATS: [&str; 6] = ["human", "plain", "json", "sarif", "github", "markdown"];

fn run(args: &[String], format: &str, threads: &str) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .arg("--format")
        .arg(format)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .output()
        .unwrap();
    (o.status.code(), o.stdout, o.stderr)
}

/// A copy of the mini org with one SCP loosened, as `diff`'s head.
fn edited_mini(dir: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/mini");
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::copy(src.join("org.yaml"), dir.join("org.yaml")).unwrap();
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let text = text.replace("\"eu-west-1\"", "\"eu-west-1\", \"ap-south-1\"");
        std::fs::write(dir.join("policies").join(e.file_name()), text).unwrap();
    }
    dir.display().to_string()
}

#[test]
fn every_command_in_every_format_is_byte_identical_across_runs_and_threads() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let head = edited_mini(&tmp.path().join("head"));
    let fixable = tmp.path().join("fixable.json");
    std::fs::write(
        &fixable,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:PutObject","s3:GetObject","s3:GetObject"],"Resource":["*"]}]}"#,
    )
    .unwrap();
    let fixable = fixable.display().to_string();
    // Three deny rules of the example (its full rules file takes seconds per run in a debug
    // build; check.rs's own determinism test runs it).
    let example_rules = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/example/rules.yaml"),
    )
    .unwrap();
    let rules = tmp.path().join("rules.yaml");
    let start = example_rules
        .find("  - id: no-redshift-or-opensearch")
        .unwrap();
    let end = example_rules.find("  - id: security-admin").unwrap();
    std::fs::write(
        &rules,
        format!("version: 1\nrules:\n{}", &example_rules[start..end]),
    )
    .unwrap();
    let rules = rules.display().to_string();
    let org = "fixtures/orgs/example";
    let invocations: Vec<Vec<&str>> = vec![
        vec![
            "lint",
            "--policy-type",
            "scp",
            "policies/scp",
            "fixtures/broken",
        ],
        vec!["lint", "--org", org, "policies/rcp"],
        vec!["lint", "--diff", &fixable],
        vec![
            "simulate",
            "--org",
            org,
            "--account",
            "sandbox-bob",
            "--action",
            "ec2:RunInstances",
            "--region",
            "all",
        ],
        vec![
            "simulate",
            "--org",
            org,
            "--account",
            "prod-payments",
            "--action",
            "redshift:CreateCluster",
            "--region",
            "eu-west-1",
        ],
        vec!["check", "--org", org, "--rules", &rules],
        vec!["diff", "--base", "fixtures/orgs/mini", "--head", &head],
        vec!["test", "fixtures/cases/simulate"],
        vec!["org", "show", "--org", org],
        vec!["rules"],
        vec!["rules", "explain", "duplicate-key"],
        vec!["catalog", "info"],
        vec!["catalog", "actions", "s3:Get*"],
        vec!["catalog", "keys", "s3:GetObject"],
    ];
    // One thread per invocation (each runs its 18 processes in turn).
    let check = |args: &Vec<&str>| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        for format in FORMATS {
            let a = run(&args, format, "1");
            assert!(
                !a.1.is_empty() || !a.2.is_empty(),
                "{args:?} --format {format} printed nothing"
            );
            assert!(
                matches!(a.0, Some(0..=1)),
                "{args:?} --format {format} failed: {:?}\n{}",
                a.0,
                String::from_utf8_lossy(&a.2)
            );
            assert_eq!(
                a,
                run(&args, format, "1"),
                "{args:?} --format {format}: run twice"
            );
            assert_eq!(
                a,
                run(&args, format, "2"),
                "{args:?} --format {format}: 1 vs 2 threads"
            );
        }
    };
    std::thread::scope(|s| {
        for args in &invocations {
            s.spawn(move || check(args));
        }
    });
    let commands_seen: std::collections::BTreeSet<&str> =
        invocations.iter().map(|a| a[0]).collect();
    assert_eq!(
        commands_seen.into_iter().collect::<Vec<_>>(),
        [
            "catalog", "check", "diff", "lint", "org", "rules", "simulate", "test"
        ]
    );
}
