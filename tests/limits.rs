//! Input limits (`[limits]` in scpsim.toml, `scpsim::limits::Limits`): each lowered limit is
//! enforced with a clear error naming the limit and the key that raises it (exit 2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::process::Command;

/// Runs scpsim in `dir` (where its scpsim.toml is found); returns exit code and stdout+stderr.
fn scpsim_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCPSIM_FORMAT")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.code().unwrap(), text)
}

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::bucket-name",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b", "c"]}}},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
  ]
}
"#;

/// Lints POLICY under a config holding `limits`; returns exit code and output.
fn lint_with(limits: &str) -> (i32, String) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(
        dir.path().join("scpsim.toml"),
        format!("[limits]\n{limits}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("p.json"), POLICY).unwrap();
    scpsim_in(dir.path(), &["lint", "--policy-type", "scp", "p.json"])
}

#[test]
fn defaults_accept_an_ordinary_policy() {
    let (code, out) = lint_with("");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn each_lowered_limit_is_enforced_with_a_clear_error() {
    let cases = [
        ("max_file_bytes = 100", "over the limit of 100 bytes", None),
        (
            "max_json_depth = 2",
            "JSON nested deeper than 2 levels",
            Some("line 4, column 5"),
        ),
        (
            "max_statements = 1",
            "2 statements, over the limit of 1",
            Some("line 6, column 5"),
        ),
        (
            "max_condition_values = 2",
            "more than 2 condition values",
            Some("line 5, column 37"),
        ),
        (
            "max_pattern_len = 16",
            "a value of 24 bytes, over the limit of 16",
            Some("line 4, column 65"),
        ),
    ];
    for (setting, message, location) in cases {
        let (code, out) = lint_with(setting);
        assert_eq!(code, 2, "{setting}: {out}");
        let key = setting.split(' ').next().unwrap();
        assert!(out.contains("p.json"), "{setting}: names the file: {out}");
        assert!(out.contains(message), "{setting}: {out}");
        assert!(
            out.contains(&format!("raise `[limits] {key}` in scpsim.toml")),
            "{out}"
        );
        if let Some(at) = location {
            assert!(out.contains(at), "{setting}: expected {at}: {out}");
        }
    }
}

#[test]
fn one_file_over_a_limit_does_not_stop_the_others() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[limits]\nmax_statements = 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("big.json"), POLICY).unwrap();
    std::fs::write(
        dir.path().join("small.json"),
        r#"{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}"#,
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["lint", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (code, out) = (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
    );
    assert_eq!(code, 2, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["summary"]["files"], 1,
        "small.json is still linted: {out}"
    );
    assert!(out.contains("invalid-effect"), "{out}");
    assert!(
        v["input_errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("max_statements")
    );
}

#[test]
fn org_limits_apply_to_every_command_that_loads_an_org() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let org = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/mini");
    let org = org.to_str().unwrap();
    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[limits]\nmax_org_nodes = 3\n",
    )
    .unwrap();
    let (code, out) = scpsim_in(dir.path(), &["org", "show", "--org", org]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("nodes (root, OUs and accounts), over the limit of 3"),
        "{out}"
    );
    assert!(out.contains("max_org_nodes"), "{out}");
    let (code, out) = scpsim_in(dir.path(), &["lint", "--org", org]);
    assert_eq!(code, 1, "an org error is a finding of lint --org: {out}");
    assert!(out.contains("max_org_nodes"), "{out}");

    // The policy files an org lists are checked like linted files.
    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[limits]\nmax_pattern_len = 20\n",
    )
    .unwrap();
    let (code, out) = scpsim_in(dir.path(), &["org", "show", "--org", org]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("policy file `policies/deny-leave-organization.json`: a value of 31 bytes"),
        "{out}"
    );

    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[limits]\nmax_file_bytes = 10\n",
    )
    .unwrap();
    let (code, out) = scpsim_in(
        dir.path(),
        &[
            "simulate",
            "--org",
            org,
            "--account",
            "prod-app",
            "--action",
            "s3:GetObject",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("over the limit of 10"), "{out}");
}

#[test]
fn invalid_limits_are_config_errors() {
    for (limits, message) in [
        ("max_json_depth = 1000", "between 1 and 512"),
        ("max_json_depth = 0", "between 1 and 512"),
        ("max_depth = 3", "unknown field `max_depth`"),
        ("max_statements = -1", "invalid value"),
    ] {
        let (code, out) = lint_with(limits);
        assert_eq!(code, 2, "{limits}: {out}");
        assert!(out.contains("scpsim.toml:"), "{limits}: located: {out}");
        assert!(out.contains(message), "{limits}: {out}");
    }
}

#[test]
fn fix_leaves_a_file_over_a_limit_alone() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[limits]\nmax_file_bytes = 50\n",
    )
    .unwrap();
    let text = r#"{"Statement":[{"Effect":"Deny","Action":["s3:b","s3:a"],"Resource":"*"}]}"#;
    std::fs::write(dir.path().join("p.json"), text).unwrap();
    let (code, out) = scpsim_in(dir.path(), &["lint", "--fix", "p.json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("max_file_bytes"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.json")).unwrap(),
        text
    );
}
