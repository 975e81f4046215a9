//! `scpsim check` on the example organization: the shipped rules pass; deliberate breaking
//! edits give exactly the violations they should; violations agree with `simulate`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scpsim(args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
    )
}

/// A copy of the example org in a temp dir, with `edit` applied to one file.
fn edited(file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/orgs/example");
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("policies").join(e.file_name())).unwrap();
    }
    for f in ["org.yaml", "rules.yaml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(from),
        "edit target `{from}` present in {file}"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let p = dir.path().to_path_buf();
    (dir, p)
}

fn rule<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

#[test]
fn shipped_rules_pass_on_the_example_org() {
    let (code, v) = scpsim(&[
        "check",
        "--format",
        "json",
        "--org",
        "fixtures/orgs/example",
        "--rules",
        "fixtures/orgs/example/rules.yaml",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["violations"], 0);
    let eu = rule(&v, "eu-only");
    assert_eq!(
        eu["accounts"], 11,
        "Workloads (6), Sandbox (2), Infrastructure (3)"
    );
    assert!(eu["actions"].as_u64().unwrap() > 15_000);
    assert!(eu["regions"].as_u64().unwrap() >= 30);
}

#[test]
fn detaching_the_service_deny_from_prod_breaks_exactly_prod() {
    let (_dir, org) = edited(
        "org.yaml",
        "scps: [FullAWSAccess, DenyRestrictedServices]\n          rcps: [RCPFullAWSAccess]\n          accounts:\n            - {id: \"333333333301\"",
        "scps: [FullAWSAccess]\n          rcps: [RCPFullAWSAccess]\n          accounts:\n            - {id: \"333333333301\"",
    );
    let o = org.to_str().unwrap();
    let rules = org.join("rules.yaml");
    let (code, v) = scpsim(&[
        "check",
        "--format",
        "json",
        "--org",
        o,
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let r = rule(&v, "no-redshift-or-opensearch");
    let actions = r["actions"].as_u64().unwrap();
    // 4 Prod accounts x every Redshift/OpenSearch action x 2 approved regions.
    assert_eq!(r["violation_count"].as_u64().unwrap(), 4 * actions * 2);
    for viol in r["violations"].as_array().unwrap() {
        assert!(
            viol["account"].as_str().unwrap().starts_with("3333333333"),
            "only Prod: {viol}"
        );
        assert_eq!(viol["decision"], "Allowed");
    }
    assert_eq!(
        v["violations"], r["violation_count"],
        "no other rule breaks"
    );
}

#[test]
fn widening_the_region_allow_list_breaks_eu_only_in_that_region_only() {
    let (_dir, org) = edited(
        "policies/deny-outside-approved-regions.json",
        "\"eu-central-1\",",
        "\"eu-central-1\",\n            \"us-east-1\",",
    );
    let rules = org.join("rules.yaml");
    let (code, v) = scpsim(&[
        "check",
        "--format",
        "json",
        "--org",
        org.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let r = rule(&v, "eu-only");
    let actions = r["actions"].as_u64().unwrap();
    for viol in r["violations"].as_array().unwrap() {
        assert_eq!(viol["region"], "us-east-1");
        assert_eq!(viol["decision"], "Allowed");
    }
    // us-east-1 now behaves like eu-west-1: the violations are exactly the cells that are
    // allowed in eu-west-1, i.e. all cells but those denied there for other reasons (service
    // deny, CloudTrail protection, ...), which an `allow` rule over eu-west-1 counts.
    let allow = org.join("allow-eu-west-1.yaml");
    std::fs::write(
        &allow,
        "version: 1\nrules:\n  - id: same-cells-in-ireland\n    type: allow\n    scope: {ous: [Workloads, Sandbox, Infrastructure]}\n    except_actions: [\"@organizations-example\"]\n    actions: [\"*\"]\n    regions: [eu-west-1]\n",
    )
    .unwrap();
    let (_, a) = scpsim(&[
        "check",
        "--format",
        "json",
        "--org",
        org.to_str().unwrap(),
        "--rules",
        allow.to_str().unwrap(),
    ]);
    let denied_in_ireland = a["violations"].as_u64().unwrap();
    assert!(
        denied_in_ireland > 0,
        "some cells are denied for other reasons"
    );
    // The `allow` rule also sees the global-service actions the exemption list misses (the
    // `regions` rule skips global services); those carry us-east-1 or us-west-2 whatever the
    // region, so the region deny blocks them everywhere and they all count as denied in
    // Ireland. The tasks no SCP can restrict (R2.3, Mechanical Turk) are allowed in both
    // rules but not counted as `regions` violations: the rule reports them as exempt, the same
    // number in each of its regions. Hence: violations + exempt in us-east-1 +
    // denied-in-Ireland = 11 accounts x all actions of the allow rule.
    let all_actions = a["rules"][0]["actions"].as_u64().unwrap();
    assert!(all_actions > actions);
    let exempt = r["exempt"].as_u64().unwrap();
    let regions = r["regions"].as_u64().unwrap();
    assert!(
        exempt > 0 && exempt.is_multiple_of(regions),
        "{exempt} / {regions}"
    );
    assert_eq!(
        r["violation_count"].as_u64().unwrap() + exempt / regions + denied_in_ireland,
        11 * all_actions
    );
}

#[test]
fn violations_agree_with_simulate() {
    let (_dir, org) = edited(
        "policies/deny-outside-approved-regions.json",
        "\"eu-central-1\",",
        "\"eu-central-1\",\n            \"us-west-2\",",
    );
    let o = org.to_str().unwrap();
    let rules = org.join("rules.yaml");
    let (_, v) = scpsim(&[
        "check",
        "--format",
        "json",
        "--org",
        o,
        "--rules",
        rules.to_str().unwrap(),
    ]);
    let viols = rule(&v, "eu-only")["violations"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!viols.is_empty());
    for viol in viols.iter().step_by(37).take(8) {
        let (_, s) = scpsim(&[
            "simulate",
            "--format",
            "json",
            "--org",
            o,
            "--account",
            viol["account"].as_str().unwrap(),
            "--action",
            viol["action"].as_str().unwrap(),
            "--region",
            viol["region"].as_str().unwrap(),
        ]);
        assert_eq!(s["results"][0]["decision"], viol["decision"], "{viol}");
    }
    // And a cell check says is fine (denied outside the list) is denied by simulate too.
    let (_, s) = scpsim(&[
        "simulate",
        "--format",
        "json",
        "--org",
        o,
        "--account",
        "prod-web",
        "--action",
        "ec2:RunInstances",
        "--region",
        "ap-south-1",
    ]);
    assert_eq!(s["results"][0]["decision"], "ExplicitlyDenied");
}

#[test]
fn rules_file_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("rules.yaml");
    std::fs::write(&bad, "version: 1\nrules:\n  - id: x\n    type: deny\n    scope: {ous: [Prodd]}\n    actions: [\"nosuch:*\"]\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args([
            "check",
            "--format",
            "plain",
            "--org",
            "fixtures/orgs/example",
            "--rules",
            bad.to_str().unwrap(),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no OU `Prodd`"), "{err}");
    assert!(err.contains("rules.yaml:5:"), "{err}");
    assert!(err.contains("`nosuch:*` matches no action"), "{err}");
}

#[test]
fn check_output_is_deterministic() {
    let run = |threads: &str, format: &str| {
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args([
                "check",
                "--format",
                format,
                "--org",
                "fixtures/orgs/example",
                "--rules",
                "fixtures/orgs/example/rules.yaml",
            ])
            .current_dir(root())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
            .stdout
    };
    for format in ["json", "plain"] {
        assert_eq!(run("1", format), run("2", format), "{format}");
    }
}

/// Check results match `simulate` on sampled cells, passing and violating alike: an `allow`
/// rule over sampled actions x regions for one account reports as violations exactly the cells
/// `simulate` does not allow, with the same decision.
#[test]
fn check_matches_simulate_on_sampled_cells() {
    let (_dir, org) = edited(
        "policies/deny-outside-approved-regions.json",
        "\"eu-central-1\",",
        "\"eu-central-1\",\n            \"us-west-2\",",
    );
    let o = org.to_str().unwrap();
    let actions = [
        "ec2:RunInstances",
        "s3:GetObject",
        "redshift:CreateCluster",
        "es:CreateDomain",
        "iam:CreateUser",
        "cloudtrail:StopLogging",
        "organizations:LeaveOrganization",
        "guardduty:DeleteDetector",
        "sts:AssumeRole",
        "dynamodb:PutItem",
        "kms:Decrypt",
        "lambda:InvokeFunction",
    ];
    let regions = ["eu-west-1", "us-west-2", "ap-south-1", "us-east-1"];
    let mut checked = (0, 0);
    for account in [
        "prod-web",
        "audit",
        "network",
        "sandbox-alice",
        "management",
    ] {
        let rules = org.join(format!("sample-{account}.yaml"));
        std::fs::write(
            &rules,
            format!(
                "version: 1\nrules:\n  - id: sample\n    type: allow\n    scope: {{accounts: [{account}]}}\n    actions: [{}]\n    regions: [{}]\n",
                actions.join(", "),
                regions.join(", ")
            ),
        )
        .unwrap();
        let (_, c) = scpsim(&[
            "check",
            "--format",
            "json",
            "--org",
            o,
            "--rules",
            rules.to_str().unwrap(),
        ]);
        let r = rule(&c, "sample");
        assert_eq!(
            r["cells"].as_u64().unwrap(),
            (actions.len() * regions.len()) as u64
        );
        let mut args = vec![
            "simulate",
            "--format",
            "json",
            "--org",
            o,
            "--account",
            account,
        ];
        for a in actions {
            args.extend(["--action", a]);
        }
        let joined = regions.join(",");
        args.extend(["--region", &joined]);
        let (_, s) = scpsim(&args);
        let cells = s["results"].as_array().unwrap();
        assert_eq!(cells.len(), actions.len() * regions.len(), "{s}");
        let violations = r["violations"].as_array().unwrap();
        for cell in cells {
            let v = violations
                .iter()
                .find(|v| v["action"] == cell["action"] && v["region"] == cell["region"]);
            if cell["decision"] == "Allowed" {
                assert!(v.is_none(), "check reports an allowed cell: {cell}");
                checked.0 += 1;
            } else {
                let v = v.unwrap_or_else(|| panic!("check misses a denied cell: {cell}"));
                assert_eq!(v["decision"], cell["decision"], "{cell}");
                assert_eq!(v["decided_by"], cell["decided_by"], "{cell}");
                checked.1 += 1;
            }
        }
        assert_eq!(
            violations.len(),
            cells.iter().filter(|c| c["decision"] != "Allowed").count()
        );
    }
    assert!(
        checked.0 > 10 && checked.1 > 10,
        "both allowed and denied cells sampled: {checked:?}"
    );
}

/// The progress bar is drawn only on a terminal: captured stderr never has it, and `--quiet`
/// is accepted; stdout is the same with and without it.
#[test]
fn no_progress_bar_when_stderr_is_captured() {
    let run = |quiet: bool| {
        let mut args = vec!["check"];
        if quiet {
            args.push("--quiet");
        }
        args.extend([
            "--format",
            "plain",
            "--org",
            "fixtures/orgs/example",
            "--rules",
            "fixtures/orgs/example/rules.yaml",
        ]);
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap()
    };
    let (a, b) = (run(false), run(true));
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    for o in [&a, &b] {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("decisions") && !err.contains('\r'), "{err}");
    }
}

/// `resource:` in a rule: a Deny scoped to the OrganizationAccountAccessRole ARN satisfies a
/// must-deny rule on that ARN, not the same rule on `*`; a bad value is a located error.
#[test]
fn rules_can_name_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let rules = |resource: Option<&str>| {
        let path = dir.path().join("rules.yaml");
        let line = resource.map_or(String::new(), |r| format!("    resource: \"{r}\"\n"));
        std::fs::write(
            &path,
            format!(
                "version: 1\nrules:\n  - id: org-access-role-protected\n    type: deny\n    scope: {{all: true}}\n    except_accounts: [management]\n    actions: [iam:DeleteRole, iam:AttachRolePolicy, iam:UpdateAssumeRolePolicy]\n{line}    regions: [us-east-1]\n"
            ),
        )
        .unwrap();
        let (code, v) = scpsim(&[
            "check",
            "--format",
            "json",
            "--org",
            "fixtures/orgs/example",
            "--rules",
            path.to_str().unwrap(),
        ]);
        (code, v)
    };
    let (code, v) = rules(Some(
        "arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
    ));
    assert_eq!(code, 0, "{v}");
    let r = rule(&v, "org-access-role-protected");
    assert_eq!(r["violation_count"], 0);
    assert!(r["accounts"].as_u64().unwrap() > 10);
    // Without the resource the request is on `*`, which the scoped Deny does not match.
    let (code, v) = rules(None);
    assert_eq!(code, 1);
    let r = rule(&v, "org-access-role-protected");
    let accounts = r["accounts"].as_u64().unwrap();
    // Every account but the Suspended ones (DenyAll) allows the three actions on `*`.
    assert!(r["violation_count"].as_u64().unwrap() >= 3 * (accounts - 2));
    for viol in r["violations"].as_array().unwrap() {
        assert_eq!(viol["resource"], "*");
        assert_eq!(viol["decision"], "Allowed");
    }
    // The resource is instantiated per account in violations (here: a different role).
    let (code, v) = rules(Some("arn:aws:iam::{account}:role/other"));
    assert_eq!(code, 1);
    let viol = &rule(&v, "org-access-role-protected")["violations"][0];
    assert_eq!(
        viol["resource"],
        format!(
            "arn:aws:iam::{}:role/other",
            viol["account"].as_str().unwrap()
        )
    );
    // Not an ARN: exit 2 with the location.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "version: 1\nrules:\n  - id: x\n    type: deny\n    actions: [iam:DeleteRole]\n    resource: role/x\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args([
            "check",
            "--format",
            "plain",
            "--org",
            "fixtures/orgs/example",
            "--rules",
            bad.to_str().unwrap(),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("neither `*` nor an ARN"), "{err}");
    assert!(err.contains("bad.yaml:6:"), "{err}");
}

/// The output of `scpsim check --org ORG --rules r.yaml ARGS...` (run from the crate root),
/// with `rules` written to `r.yaml` in a temporary directory.
fn check_with_rules(org: &Path, rules: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    std::fs::write(&file, rules).unwrap();
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .arg("check")
        .arg("--org")
        .arg(org)
        .arg("--rules")
        .arg(&file)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn example() -> PathBuf {
    root().join("fixtures/orgs/example")
}

/// The decision `simulate --format json` gives on the example org for one cell.
fn simulated(principal: Option<&str>, action: &str, region: &str) -> Value {
    let mut args = vec![
        "simulate",
        "--format",
        "json",
        "--org",
        "fixtures/orgs/example",
        "--account",
        "prod-payments",
        "--action",
        action,
        "--region",
        region,
    ];
    if let Some(p) = principal {
        args.extend(["--principal", p]);
    }
    let (_, v) = scpsim(&args);
    v["results"][0]["decision"].clone()
}

#[test]
fn an_unknown_exact_action_is_a_located_error_not_a_pass() {
    let o = check_with_rules(
        &example(),
        "version: 1\nrules:\n  - id: typo\n    type: allow\n    scope: {accounts: [prod-payments]}\n    actions: [\"dynamodb:PutItm\"]\n    regions: [eu-west-1]\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`dynamodb:PutItm` is not in the AWS catalog"),
        "{err}"
    );
    assert!(err.contains("dynamodb:PutItem"), "did you mean: {err}");
    assert!(err.contains("r.yaml:6:"), "located: {err}");
}

#[test]
fn misspelled_ou_account_and_region_get_a_located_did_you_mean() {
    let o = check_with_rules(
        &example(),
        "version: 1\nrules:\n  - id: typos\n    type: deny\n    scope: {ous: [Prodd], accounts: [prod-payment]}\n    actions: [organizations:LeaveOrganization]\n    regions: [eu-wst-1]\n",
        &["--format", "plain"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for (what, hint, at) in [
        ("no OU `Prodd`", "did you mean `Prod`?", "r.yaml:5:19"),
        (
            "no account `prod-payment`",
            "did you mean `prod-payments`?",
            "r.yaml:5:",
        ),
        (
            "unknown region `eu-wst-1`",
            "did you mean `eu-west-1`?",
            "r.yaml:7:15",
        ),
    ] {
        assert!(err.contains(what), "{what}: {err}");
        assert!(err.contains(hint), "{hint}: {err}");
        assert!(err.contains(at), "{at}: {err}");
    }
}

#[test]
fn a_regions_rule_checks_sts_as_regional_and_skips_iam() {
    // The example's region guardrail exempts sts:* (NotAction), so STS calls to a regional
    // endpoint outside the EU are allowed, as simulate says; IAM is global and skipped (R7.1).
    let o = check_with_rules(
        &example(),
        "version: 1\nrules:\n  - id: sts-regional\n    type: regions\n    scope: {accounts: [prod-payments]}\n    allowed_regions: [eu-west-1, eu-central-1]\n    actions: [\"sts:GetCallerIdentity\", \"iam:ListRoles\"]\n",
        &["--quiet", "--format", "json"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("sts:GetCallerIdentity"), "{text}");
    assert!(!text.contains("iam:ListRoles"), "IAM is skipped: {text}");
    assert_eq!(
        simulated(None, "sts:GetCallerIdentity", "ap-south-1"),
        "Allowed"
    );
}

#[test]
fn a_rule_whose_scope_matches_nothing_says_so() {
    let rules = "version: 1\nrules:\n  - id: prod-tagged\n    type: deny\n    scope: {tags: {env: prd}}\n    actions: [organizations:LeaveOrganization]\n    regions: [us-east-1]\n";
    for (format, says) in [
        ("plain", "EMPTY prod-tagged"),
        ("markdown", "empty: checks nothing"),
    ] {
        let o = check_with_rules(&example(), rules, &["--quiet", "--format", format]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert!(out.contains(says), "{out}");
        if format == "plain" {
            assert!(out.contains("no account is in scope"), "{out}");
        }
    }
}

/// `check` decides like `simulate`: a principal the org file lists brings its identity
/// policies, boundary and tags (README, "simulate"), not the assumed allow-everything policy.
#[test]
fn a_listed_principal_is_checked_with_its_own_policies() {
    let o = check_with_rules(
        &example(),
        "version: 1\nrules:\n  - id: dev-cannot-run-instances\n    type: deny\n    scope: {accounts: [prod-payments]}\n    principal: \"arn:aws:iam::{account}:role/PaymentsDeveloper\"\n    actions: [ec2:RunInstances, iam:CreateUser]\n    regions: [eu-west-1]\n  - id: anyone-else-can\n    type: allow\n    scope: {accounts: [prod-payments]}\n    actions: [ec2:RunInstances]\n    regions: [eu-west-1]\n",
        &["--quiet", "--format", "json"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    for action in ["ec2:RunInstances", "iam:CreateUser"] {
        let role = "arn:aws:iam::333333333301:role/PaymentsDeveloper";
        assert_eq!(
            simulated(Some(role), action, "eu-west-1"),
            "ImplicitlyDenied",
            "{action}"
        );
    }
}

/// A rule's `context` takes a list for a multivalued key.
#[test]
fn a_rule_context_takes_a_list_for_a_multivalued_key() {
    let (_d, org) = edited(
        "org.yaml",
        "scps: [FullAWSAccess, DenyLeaveOrganization, DenyMemberRootUser, ProtectOrganizationAccessRole]",
        "scps: [FullAWSAccess, DenyLeaveOrganization, DenyMemberRootUser, ProtectOrganizationAccessRole, DenyOwnerTagKey]",
    );
    let yaml = std::fs::read_to_string(org.join("org.yaml")).unwrap().replacen(
        "policies:\n",
        "policies:\n  - {name: DenyOwnerTagKey, type: scp, file: policies/deny-owner-tag-key.json}\n",
        1,
    );
    std::fs::write(org.join("org.yaml"), yaml).unwrap();
    std::fs::write(
        org.join("policies/deny-owner-tag-key.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoOwnerTag","Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["owner"]}}}]}"#,
    )
    .unwrap();
    // Read as one value "team,owner" or as a parse error, the deny rule would fail.
    let o = check_with_rules(
        &org,
        "version: 1\nrules:\n  - id: owner-among-keys\n    type: deny\n    scope: {accounts: [prod-web]}\n    actions: [ec2:CreateTags]\n    context: {\"aws:TagKeys\": [\"team\", \"owner\"]}\n    regions: [eu-west-1]\n  - id: other-keys\n    type: allow\n    scope: {accounts: [prod-web]}\n    actions: [ec2:CreateTags]\n    context: {\"aws:TagKeys\": [\"team\", \"env\"]}\n    regions: [eu-west-1]\n",
        &["--quiet", "--format", "json"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{} {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
