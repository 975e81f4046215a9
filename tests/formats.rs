//! The report formats and the config file end to end: `--format sarif` on the whole corpus
//! validates against the official SARIF 2.1.0 schema (fixtures/schemas, copied from
//! ../shared/schemas); `--format github` writes escaped workflow commands; both follow the exit
//! code table and are byte-identical across runs; `scpsim.toml` disables, re-grades, ignores
//! (counting what it suppressed) and maps kinds, and a bad config exits 2 with file:line:col;
//! `scpsim rules` lists and explains.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scpsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CI")
        .output()
        .expect("binary runs")
}

fn scpsim(args: &[&str]) -> Output {
    scpsim_in(root(), args)
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The corpus files of one kind (SOURCES.tsv), as paths relative to the crate root.
fn corpus_files(kinds: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("fixtures/corpus/SOURCES.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| kinds.contains(&c[1]))
        .map(|c| format!("fixtures/corpus/{}", c[0]))
        .collect()
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // The official schema's `language` patterns have a stray `]`
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which the validator's meta-schema check
    // rejects as a regex. We never write `language`; the copy on disk stays as published and the
    // patterns are repaired in memory.
    fn repair(v: &mut serde_json::Value, fixed: &mut usize) {
        match v {
            serde_json::Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
                *fixed += 1;
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| repair(x, fixed)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| repair(x, fixed)),
            _ => {}
        }
    }
    let mut schema = schema;
    let mut fixed = 0;
    repair(&mut schema, &mut fixed);
    assert!(fixed > 0);
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_on_the_corpus_validates_against_the_schema() {
    let validator = sarif_validator();
    let mut results = 0;
    for (kind, kinds) in [
        ("scp", &["scp", "scp-invalid-json"][..]),
        ("rcp", &["rcp"][..]),
        ("identity", &["identity"][..]),
        ("resource", &["vpce"][..]),
    ] {
        let files = corpus_files(kinds);
        assert!(!files.is_empty());
        let mut args = vec!["--format", "sarif", "lint", "--policy-type", kind];
        args.extend(files.iter().map(String::as_str));
        let o = scpsim(&args);
        let text = stdout(&o);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{kind}: {errors:#?}");
        let run = &log["runs"][0];
        let n = run["results"].as_array().unwrap().len();
        results += n;
        // SARIF follows the exit-code table: errors in the corpus (known defects) exit 1.
        let has_error = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["level"] == "error");
        assert_eq!(code(&o), i32::from(has_error), "{kind}");
        // Every rule is described, with help text and a default level.
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), scpsim::rules::all().len());
        assert!(rules.iter().all(|r| {
            r["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?")
        }));
        for r in run["results"].as_array().unwrap() {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            assert!(region["byteLength"].is_u64());
        }
    }
    assert!(results > 10, "the corpus has findings to report");
}

#[test]
fn sarif_region_and_logical_location() {
    let o = scpsim(&[
        "--format",
        "sarif",
        "lint",
        "--policy-type",
        "scp",
        "fixtures/rules/source-ip-deny-without-service-exemption/bad-scp.json",
    ]);
    assert_eq!(code(&o), 0, "a warning alone passes by default");
    let again = scpsim(&[
        "--format",
        "sarif",
        "lint",
        "--policy-type",
        "scp",
        "fixtures/rules/source-ip-deny-without-service-exemption/bad-scp.json",
    ]);
    assert_eq!(o.stdout, again.stdout, "byte-identical output");
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let validator = sarif_validator();
    assert!(validator.is_valid(&log));
    // The validator does reject what is not SARIF 2.1.0.
    let mut broken = log.clone();
    broken["version"] = serde_json::json!("2.0.0");
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "source-ip-deny-without-service-exemption");
    assert_eq!(r["level"], "warning");
    let loc = &r["locations"][0];
    let region = &loc["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 10);
    assert_eq!(region["startColumn"], 9);
    assert_eq!(region["endLine"], 10);
    assert_eq!(region["endColumn"], 23);
    assert_eq!(region["byteLength"], 14);
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "/Statement/0/Condition/NotIpAddress"
    );
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/rules/source-ip-deny-without-service-exemption/bad-scp.json"
    );
}

#[test]
fn github_annotations_are_escaped_and_deterministic() {
    let args = [
        "--format",
        "github",
        "lint",
        "--policy-type",
        "identity",
        "fixtures/rules/pass-role-star/bad-identity.json",
        "fixtures/rules/duplicate-key",
    ];
    let a = scpsim(&args);
    let b = scpsim(&args);
    assert_eq!(a.stdout, b.stdout, "byte-identical output");
    assert_eq!(code(&a), 1, "duplicate-key is an error");
    let text = stdout(&a);
    let line = text
        .lines()
        .find(|l| l.contains("title=pass-role-star"))
        .unwrap();
    assert!(
        line.starts_with(
            "::warning file=fixtures/rules/pass-role-star/bad-identity.json,line=9,col=9,endLine=9,endColumn=23,title=pass-role-star::"
        ),
        "{line}"
    );
    // The help follows on an escaped new line, never a raw one.
    assert!(line.contains("%0Ahelp: "), "{line}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=") && l.contains("title=duplicate-key"))
    );
    assert!(
        text.ends_with("checked 3 files: 1 error, 1 warning, 0 info\n"),
        "{text}"
    );
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

const NO_VERSION_SCP: &str =
    r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Principal":"*"}]}"#;

#[test]
fn config_disables_regrades_ignores_and_maps_kinds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "org/scp/a.json", NO_VERSION_SCP);
    write(
        dir,
        "legacy/b.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}]}"#,
    );
    // Without a config: guessed as a resource policy (Principal), missing-version warns.
    let o = scpsim_in(dir, &["--format", "json", "lint", "org", "legacy"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["files"][0]["policy_type_source"], "guessed");
    write(
        dir,
        "scpsim.toml",
        "[rules]\ndisable = [\"missing-version\"]\nseverity = { principal-not-allowed = \"warning\" }\n\n\
         [[ignore]]\npath = \"legacy/**\"\n\n[[kinds]]\npath = \"**/scp/*.json\"\nkind = \"scp\"\n",
    );
    // Run from a subdirectory: the config is found by walking up.
    let sub = dir.join("org");
    let o = scpsim_in(&sub, &["--format", "json", "lint", "scp", "../legacy"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(code(&o), 0, "{v:#}");
    assert_eq!(v["summary"]["suppressed"], 1, "{v:#}");
    let f = &v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["rule"], "principal-not-allowed");
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(f[0]["policy_type"], "scp");
    assert_eq!(f[0]["policy_type_source"], "config");
    let o = scpsim_in(&sub, &["--format", "plain", "lint", "scp", "../legacy"]);
    assert!(stdout(&o).contains("; 1 finding suppressed by the config"));
    // --policy-type still wins over [[kinds]].
    let o = scpsim_in(
        &sub,
        &[
            "--format",
            "json",
            "lint",
            "--policy-type",
            "resource",
            "scp",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["files"][0]["policy_type_source"], "flag");
}

#[test]
fn bad_config_exits_2_with_its_location() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "p.json", NO_VERSION_SCP);
    write(
        dir,
        "scpsim.toml",
        "[rules]\ndisable = [\"missing-versoin\"]\n",
    );
    let o = scpsim_in(dir, &["lint", "p.json"]);
    assert_eq!(code(&o), 2);
    let text = stdout(&o);
    assert!(
        text.contains(
            "scpsim.toml:2:12: unknown rule id `missing-versoin`; did you mean `missing-version`?"
        ),
        "{text}"
    );
    write(
        dir,
        "other.toml",
        "[[kinds]]\npath = \"*.json\"\nkind = \"spc\"\n",
    );
    let o = scpsim_in(dir, &["lint", "--config", "other.toml", "p.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("other.toml:3:8: invalid policy kind `spc`"),
        "{}",
        stdout(&o)
    );
    let o = scpsim_in(dir, &["lint", "--config", "missing.toml", "p.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn legacy_scp_grammar_is_opt_in() {
    let f = "fixtures/rules/legacy-scp-grammar/bad-scp.json";
    assert_eq!(code(&scpsim(&["lint", "--policy-type", "scp", f])), 0);
    let o = scpsim(&["lint", "--policy-type", "scp", "--scp-grammar", "legacy", f]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("legacy-scp-grammar"));
}

#[test]
fn rules_command_lists_and_explains() {
    let o = scpsim(&["rules"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    for r in scpsim::rules::all() {
        assert!(text.contains(r.meta().id));
    }
    let o = scpsim(&["--format", "json", "rules"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["rules"].as_array().unwrap().len(),
        scpsim::rules::all().len()
    );
    let o = scpsim(&["rules", "explain", "duplicate-key"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("## How to fix"));
    let o = scpsim(&["rules", "explain", "duplicate-kye"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("did you mean `duplicate-key`"));
}

#[test]
fn diff_shows_and_fix_applies_safe_fixes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let before = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Action\": [\"s3:PutObject\", \"ec2:RunInstances\", \"s3:putobject\"],\n    \"Resource\": [\"*\"]\n  }]\n}\n";
    let after = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Action\": [\"ec2:RunInstances\", \"s3:PutObject\"],\n    \"Resource\": \"*\"\n  }]\n}\n";
    let p = write(dir, "p.json", before);
    let o = scpsim_in(dir, &["lint", "--diff", "p.json"]);
    assert_eq!(code(&o), 1, "--diff exits 1 when a fix is pending");
    assert_eq!(
        stdout(&o),
        "--- a/p.json\n+++ b/p.json\n@@ -2,7 +2,7 @@\n   \"Version\": \"2012-10-17\",\n   \"Statement\": [{\n     \"Effect\": \"Deny\",\n-    \"Action\": [\"s3:PutObject\", \"ec2:RunInstances\", \"s3:putobject\"],\n-    \"Resource\": [\"*\"]\n+    \"Action\": [\"ec2:RunInstances\", \"s3:PutObject\"],\n+    \"Resource\": \"*\"\n   }]\n }\n"
    );
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        before,
        "--diff writes nothing"
    );
    let o = scpsim_in(dir, &["lint", "--fix", "--policy-type", "scp", "p.json"]);
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), after);
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    let o = scpsim_in(dir, &["lint", "--diff", "p.json"]);
    assert_eq!((code(&o), stdout(&o)), (0, String::new()));
}

#[test]
fn fix_minifies_a_policy_over_its_quota_and_config_quotas_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let padded = format!(
        "{{\n{}\"Version\": \"2012-10-17\",\n  \"Statement\": {{\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}\n}}\n",
        " ".repeat(300)
    );
    let small =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}"#;
    let p = write(dir, "scp/p.json", &padded);
    write(
        dir,
        "scpsim.toml",
        "[[kinds]]\npath = \"scp/*.json\"\nkind = \"scp\"\n\n[quotas]\nscp_max_chars = 200\n",
    );
    // An identity policy has no such quota: nothing to fix.
    let o = scpsim_in(dir, &["lint", "--diff", "--policy-type", "identity", "scp"]);
    assert_eq!((code(&o), stdout(&o)), (0, String::new()));
    let o = scpsim_in(dir, &["lint", "--fix", "scp"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), small);
    // Within the default quota (10,240 characters) the same file is left alone.
    write(dir, "scp/p.json", &padded);
    let o = scpsim_in(
        dir,
        &[
            "lint",
            "--diff",
            "--config",
            "/dev/null",
            "--policy-type",
            "scp",
            "scp",
        ],
    );
    assert_eq!((code(&o), stdout(&o)), (0, String::new()));
    // An unknown quota is a located config error.
    write(dir, "scpsim.toml", "[quotas]\nscp_max_char = 200\n");
    let o = scpsim_in(dir, &["lint", "scp"]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("scpsim.toml:1:1: invalid [quotas]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn rule_settings_come_from_the_config_and_are_checked_by_the_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalTag/Exempt":"true"}}}]}"#,
    );
    let args = ["--format", "json", "lint", "--policy-type", "scp", "p.json"];
    let rules_of = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(rules_of(&scpsim_in(dir, &args)).is_empty());
    write(
        dir,
        "scpsim.toml",
        "[settings.negated-operator-on-optional-key]\nextra_keys = [\"aws:PrincipalTag/*\"]\n",
    );
    assert_eq!(
        rules_of(&scpsim_in(dir, &args)),
        ["negated-operator-on-optional-key"]
    );
    write(
        dir,
        "scpsim.toml",
        "[settings.negated-operator-on-optional-key]\nextra_key = []\n",
    );
    let o = scpsim_in(dir, &args);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains(
            "invalid settings of `negated-operator-on-optional-key`: unknown field `extra_key`"
        ),
        "{}",
        stdout(&o)
    );
    write(dir, "scpsim.toml", "[settings.pass-role-star]\nlevel = 1\n");
    let o = scpsim_in(dir, &args);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("rule `pass-role-star` has no setting `level`"));
}

/// `check --format sarif`: valid SARIF 2.1.0; one result per violation with the check rule's
/// id, located at the rule in the rules file and at the policy statement that decides.
#[test]
fn check_sarif_validates_and_locates_rule_and_statement() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path();
    let src = root().join("fixtures/orgs/example");
    std::fs::create_dir(org.join("policies")).unwrap();
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), org.join("policies").join(e.file_name())).unwrap();
    }
    for f in ["org.yaml", "rules.yaml"] {
        std::fs::copy(src.join(f), org.join(f)).unwrap();
    }
    let run = |org: &Path| {
        scpsim(&[
            "--format",
            "sarif",
            "check",
            "--org",
            org.to_str().unwrap(),
            "--rules",
            org.join("rules.yaml").to_str().unwrap(),
        ])
    };
    let validator = sarif_validator();
    let ok = run(org);
    assert_eq!(code(&ok), 0);
    let log: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    // Break the security role's exception: the allow rule fails, denied by ProtectCloudTrail.
    let p = org.join("policies/protect-cloudtrail.json");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace("role/security-admin", "role/security-adm1n"),
    )
    .unwrap();
    let bad = run(org);
    assert_eq!(code(&bad), 1);
    let log: serde_json::Value = serde_json::from_str(&stdout(&bad)).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "security-admin-manages-trails")
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let rules_text = std::fs::read_to_string(org.join("rules.yaml")).unwrap();
    let rule_line = rules_text
        .lines()
        .position(|l| l.contains("id: security-admin-manages-trails"))
        .unwrap()
        + 1;
    for r in results {
        assert_eq!(r["ruleId"], "security-admin-manages-trails", "{r}");
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            r["ruleId"]
        );
        let locs = r["locations"].as_array().unwrap();
        assert!(
            locs[0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("rules.yaml")
        );
        assert_eq!(
            locs[0]["physicalLocation"]["region"]["startLine"],
            rule_line
        );
        assert!(
            locs[1]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("policies/protect-cloudtrail.json"),
            "{r}"
        );
        assert_eq!(locs[1]["physicalLocation"]["region"]["startLine"], 4, "{r}");
    }
    assert_eq!(bad.stdout, run(org).stdout, "byte-identical output");
}
