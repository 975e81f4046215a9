//! Hostile input: scpsim answers with a clear, located error (or a correct result) in bounded
//! time and memory, and never panics or overflows its stack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::process::{Command, Output};

use scpsim::lint::{LintOptions, lint_bytes};
use scpsim::policy::parse_policy;

fn scpsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .output()
        .unwrap()
}

fn rules(bytes: Vec<u8>) -> Vec<&'static str> {
    lint_bytes("x.json", bytes, &LintOptions::default())
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn nesting_100k_deep_is_a_syntax_error() {
    let text = format!(
        "{{\"Statement\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(rules(text.into_bytes()), ["json-syntax"]);
    let text = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert_eq!(rules(text.into_bytes()), ["json-syntax"]);
}

#[test]
fn statement_array_of_100k_entries() {
    let one = r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}"#;
    let text = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
        vec![one; 100_000].join(",")
    );
    let doc = parse_policy(&text).unwrap();
    assert_eq!(doc.statements.len(), 100_000);
}

#[test]
fn ten_thousand_condition_values() {
    let values: Vec<String> = (0..10_000)
        .map(|i| format!("\"10.0.{}.{}/32\"", i / 256, i % 256))
        .collect();
    let text = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\"NotIpAddress\":{{\"aws:SourceIp\":[{}]}}}}}}]}}",
        values.join(",")
    );
    let doc = parse_policy(&text).unwrap();
    let c = doc.statements[0].condition.as_ref().unwrap();
    assert_eq!(c.blocks[0].entries[0].values.len(), 10_000);
}

#[test]
fn nul_byte_and_control_characters() {
    assert_eq!(
        rules(b"{\"Statement\": \"a\0b\"}".to_vec()),
        ["json-syntax"]
    );
    assert_eq!(rules(b"\0".to_vec()), ["json-syntax"]);
    assert_eq!(rules(b"{} \0".to_vec()), ["json-syntax"]);
}

#[test]
fn bom_and_invalid_utf8() {
    let r = lint_bytes(
        "x.json",
        b"\xef\xbb\xbf{}".to_vec(),
        &LintOptions::default(),
    );
    assert_eq!(r.findings[0].rule, "json-syntax");
    assert!(r.findings[0].message.contains("byte order mark"));
    let r = lint_bytes(
        "x.json",
        b"{\"a\":\"\xc3\x28\"}".to_vec(),
        &LintOptions::default(),
    );
    assert!(r.findings[0].message.contains("not valid UTF-8"));
}

#[test]
fn fifty_megabyte_policy_is_handled() {
    // A valid document of 50 MB: one statement with a huge NotResource list.
    let item = "\"arn:aws:s3:::bucket-with-a-rather-long-name/and/a/long/key/prefix/*\"";
    let n = 50 * 1024 * 1024 / (item.len() + 1);
    let text = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":[{}]}}]}}",
        vec![item; n].join(",")
    );
    assert!(text.len() > 50_000_000);
    let doc = parse_policy(&text).unwrap();
    assert_eq!(doc.statements[0].resource.as_ref().unwrap().values.len(), n);
}

#[cfg(unix)]
#[test]
fn symlink_loop_directory_and_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
    std::fs::write(
        d.join("ok.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    // A directory named like a policy file is walked, not read as a file.
    std::fs::create_dir(d.join("looks-like.json")).unwrap();
    let o = scpsim(&["lint", "--format", "json", d.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"]["files"], 1,
        "ok.json is linted once, the loop is not followed forever"
    );
    let errors = v["input_errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("loop")),
        "{errors:?}"
    );
    assert_eq!(
        o.status.code(),
        Some(3),
        "a symlink loop is an environment problem"
    );

    // An unreadable file (skipped when running as root, who can read anything).
    use std::os::unix::fs::PermissionsExt;
    let locked = d.join("locked.json");
    std::fs::write(&locked, "{}").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_err() {
        let o = scpsim(&["lint", "--format", "json", locked.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            v["input_errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("permission")
        );
    }
}

#[test]
fn wildcard_heavy_pattern_against_long_arn_is_fast_enough_to_finish() {
    let pattern = "*?".repeat(5_000);
    let text = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{pattern}\"}}]}}"
    );
    assert!(parse_policy(&text).is_ok());
    let arn = format!("arn:aws:s3:::{}", "a".repeat(20_000));
    assert!(scpsim::policy::pattern::glob_match(
        &format!("arn:aws:s3:::{pattern}"),
        &arn,
        scpsim::policy::pattern::Case::Sensitive
    ));
}

#[test]
fn deep_nesting_through_the_cli_is_stopped_before_the_parser() {
    // The depth scan ([limits] max_json_depth, default 512) runs before the recursive parser:
    // a 100,000-deep file is an input error naming the limit; the other file is still linted.
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "{{\"Statement\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep.json"), deep).unwrap();
    std::fs::write(
        dir.path().join("ok.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let o = scpsim(&["lint", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 1);
    let message = v["input_errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("line 1, column 525: JSON nested deeper than 512 levels"),
        "{message}"
    );
    assert!(message.contains("[limits] max_json_depth"), "{message}");
}
