//! `scpsim diff`: an unchanged org gives an empty diff; known edits give known diffs (a region
//! added to an allow-list, an admin exception, FullAWSAccess detached from an OU); every
//! reported change is confirmed by `simulate` on its witness; `git:REV` works in a repository.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
    )
}

/// A copy of `fixtures/orgs/<org>` with one text replacement in one file.
fn edited_in(org: &str, file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/orgs").join(org);
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("policies").join(e.file_name())).unwrap();
    }
    std::fs::copy(src.join("org.yaml"), dir.path().join("org.yaml")).unwrap();
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{from}` in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let p = dir.path().to_path_buf();
    (dir, p)
}

/// A copy of fixtures/orgs/mini with one text replacement in one file.
fn edited(file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    edited_in("mini", file, from, to)
}

fn diff(head: &Path, extra: &[&str]) -> (i32, Value) {
    let base = root().join("fixtures/orgs/mini");
    let mut args = vec![
        "diff",
        "--format",
        "json",
        "--base",
        base.to_str().unwrap(),
        "--head",
        head.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(root(), &args)
}

fn rows(v: &Value) -> &Vec<Value> {
    v["diff"]["rows"].as_array().unwrap()
}

/// Every witness is confirmed by `simulate` on both versions.
fn confirm(head: &Path, v: &Value) {
    for r in rows(v).iter().take(25) {
        for (org, key) in [
            (root().join("fixtures/orgs/mini"), "before"),
            (head.to_path_buf(), "after"),
        ] {
            let (_, s) = run(
                root(),
                &[
                    "simulate",
                    "--format",
                    "json",
                    "--org",
                    org.to_str().unwrap(),
                    "--account",
                    r["accounts"][0].as_str().unwrap(),
                    "--action",
                    r["action"].as_str().unwrap(),
                    "--region",
                    r["region"].as_str().unwrap(),
                    "--principal",
                    r["principal"].as_str().unwrap(),
                    "--resource",
                    r["resource"].as_str().unwrap(),
                ],
            );
            assert_eq!(s["results"][0]["decision"], r[key], "{key} of {r}");
        }
    }
}

#[test]
fn unchanged_org_has_an_empty_diff() {
    let (code, v) = diff(&root().join("fixtures/orgs/mini"), &[]);
    assert_eq!(code, 0);
    assert!(rows(&v).is_empty());
    assert!(v["diff"]["evaluated"].as_u64().unwrap() > 1000);
}

#[test]
fn adding_a_region_loosens_exactly_that_region_for_prod() {
    let (_d, head) = edited(
        "policies/deny-outside-eu.json",
        "\"eu-west-1\"",
        "\"eu-west-1\",\n            \"us-east-1\"",
    );
    let (code, v) = diff(&head, &["--fail-on", "loosened"]);
    assert_eq!(code, 1);
    assert!(!rows(&v).is_empty());
    for r in rows(&v) {
        assert_eq!(r["change"], "loosened");
        assert_eq!(
            r["accounts"],
            serde_json::json!(["222222222222"]),
            "only the Prod account"
        );
        // Regional services change in us-east-1 only; global services whose requests carry
        // us-east-1 whatever region they are sent to (CloudFront, Route 53, Budgets) now work
        // from every region.
        if r["regions"] != serde_json::json!(["us-east-1"]) {
            assert!(
                ["cloudfront", "route53", "budgets"].contains(&r["service"].as_str().unwrap()),
                "{r}"
            );
            assert!(r["regions"].as_array().unwrap().len() > 30);
        }
        assert!(r["before_by"]["policy"] == "DenyOutsideEu", "{r}");
        // DenyRestrictedServices still denies these services (redshift-data is not in it).
        assert!(
            !["redshift", "redshift-serverless", "es", "aoss"]
                .contains(&r["service"].as_str().unwrap()),
            "{r}"
        );
    }
    let (code, _) = diff(&head, &["--fail-on", "tightened"]);
    assert_eq!(code, 0, "nothing tightened");
    confirm(&head, &v);
}

#[test]
fn admin_exception_names_the_admin_role_as_witness() {
    let (_d, head) = edited(
        "policies/deny-restricted-services.json",
        "\"Resource\": \"*\"",
        "\"Resource\": \"*\",\n      \"Condition\": {\"ArnNotLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::*:role/data-admin\"}}",
    );
    let (code, v) = diff(&head, &[]);
    assert_eq!(code, 1);
    assert!(!rows(&v).is_empty());
    for r in rows(&v) {
        assert_eq!(r["change"], "loosened");
        assert_eq!(
            r["principal"], "arn:aws:iam::222222222222:role/data-admin",
            "{r}"
        );
        assert_eq!(
            r["regions"],
            serde_json::json!(["eu-west-1"]),
            "the region deny still applies elsewhere"
        );
    }
    let services: std::collections::BTreeSet<_> = rows(&v)
        .iter()
        .map(|r| r["service"].as_str().unwrap())
        .collect();
    assert!(
        services.contains("redshift") && services.contains("es"),
        "{services:?}"
    );
    confirm(&head, &v);
}

#[test]
fn detaching_full_aws_access_from_an_ou_tightens_everything_below() {
    let (_d, head) = edited(
        "org.yaml",
        "name: Dev\n      scps: [FullAWSAccess]",
        "name: Dev\n      scps: [DenyLeaveOrganization]",
    );
    let (code, v) = diff(&head, &["--fail-on", "tightened"]);
    assert_eq!(code, 1);
    for r in rows(&v) {
        assert_eq!(r["accounts"], serde_json::json!(["333333333333"]));
        assert_eq!(r["after"], "ImplicitlyDenied");
        assert_eq!(r["after_by"]["step"], "chain-without-allow", "{r}");
    }
    let services = rows(&v)
        .iter()
        .filter(|r| r["change"] == "tightened")
        .count();
    assert!(
        services > 300,
        "every service of the catalog is tightened: {services}"
    );
    confirm(&head, &v);
}

#[test]
fn git_revisions() {
    let repo = tempfile::tempdir().unwrap();
    let org = repo.path().join("org");
    std::fs::create_dir_all(org.join("policies")).unwrap();
    let src = root().join("fixtures/orgs/mini");
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), org.join("policies").join(e.file_name())).unwrap();
    }
    std::fs::copy(src.join("org.yaml"), org.join("org.yaml")).unwrap();
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(repo.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    let p = org.join("policies/deny-outside-eu.json");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"eu-west-1\"", "\"eu-west-1\", \"eu-north-1\"");
    std::fs::write(&p, t).unwrap();
    git(&["commit", "-qam", "allow Stockholm"]);
    let (code, v) = run(
        &org,
        &[
            "diff",
            "--format",
            "json",
            "--base",
            "git:HEAD~1",
            "--head",
            ".",
        ],
    );
    assert_eq!(code, 1, "{v}");
    assert!(
        rows(&v)
            .iter()
            .all(|r| r["regions"] == serde_json::json!(["eu-north-1"]))
    );
    let (code, v) = run(
        &org,
        &[
            "diff", "--format", "json", "--base", "git:HEAD", "--head", ".",
        ],
    );
    assert_eq!(code, 0);
    assert!(rows(&v).is_empty());
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["diff", "--base", "git:no-such-rev", "--head", "."])
        .current_dir(&org)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--base: cannot read `no-such-rev:org` from git: "),
        "{err}"
    );
    assert!(
        !err.contains("tar:"),
        "git's reason, not tar's noise: {err}"
    );
    // A broken org file at the base revision is reported under its git name, not the
    // temporary directory it was read from.
    std::fs::write(org.join("org.yaml"), "organization: [").unwrap();
    git(&["commit", "-qam", "break the org file"]);
    std::fs::copy(
        root().join("fixtures/orgs/mini/org.yaml"),
        org.join("org.yaml"),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args([
            "diff", "--format", "plain", "--base", "git:HEAD", "--head", ".",
        ])
        .current_dir(&org)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("git:HEAD:org/org.yaml"), "{err}");
    assert!(!err.contains(".tmp"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["diff", "--base", "git:HEAD", "--head", "no-such-dir"])
        .current_dir(&org)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--head: cannot read `no-such-dir`: no such file or directory")
    );
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let (_d, head) = edited(
        "policies/deny-outside-eu.json",
        "\"eu-west-1\"",
        "\"eu-west-1\",\n            \"ap-south-1\"",
    );
    let base = root().join("fixtures/orgs/mini");
    let go = |threads: &str, format: &str| {
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args([
                "diff",
                "--format",
                format,
                "--base",
                base.to_str().unwrap(),
                "--head",
                head.to_str().unwrap(),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
            .stdout
    };
    for format in ["json", "plain", "markdown"] {
        let a = go("1", format);
        assert!(!a.is_empty());
        assert_eq!(a, go("2", format), "{format}");
    }
    let md = String::from_utf8(go("2", "markdown")).unwrap();
    assert!(md.starts_with("### scpsim diff"));
    assert!(md.contains("| Loosened |"));
}

/// A copy of the example org with one text replacement in one file.
fn edited_example(file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    edited_in("example", file, from, to)
}

/// The Markdown of a region edit on the example org fits a GitHub comment (65,536
/// characters), starts with a one-line root cause, and points to JSON for the full list;
/// JSON carries the same summary and every row.
#[test]
fn markdown_fits_a_pull_request_comment_and_summarises_the_cause() {
    let base = root().join("fixtures/orgs/example");
    let cases = [
        // A region removed from the allow-list: every regional action tightens in that region.
        (
            "policies/deny-outside-approved-regions.json",
            "\"eu-central-1\",",
            "",
            "removed eu-central-1 from the aws:RequestedRegion allow-list",
            // Exact: every regional action loses that one region, nothing else changes.
            "actions x 1 region newly denied",
        ),
        // FullAWSAccess detached from the root: everything tightens everywhere.
        (
            "org.yaml",
            "scps: [FullAWSAccess, DenyLeaveOrganization",
            "scps: [DenyLeaveOrganization",
            "detached SCP FullAWSAccess",
            "newly denied",
        ),
    ];
    for (file, from, to, cause, effect) in cases {
        let (_d, head) = edited_example(file, from, to);
        let go = |format: &str| {
            Command::new(env!("CARGO_BIN_EXE_scpsim"))
                .args([
                    "diff",
                    "--format",
                    format,
                    "--base",
                    base.to_str().unwrap(),
                    "--head",
                    head.to_str().unwrap(),
                ])
                .current_dir(root())
                .output()
                .unwrap()
        };
        let md = String::from_utf8(go("markdown").stdout).unwrap();
        assert!(
            md.chars().count() < 65_536,
            "{file}: {} characters",
            md.chars().count()
        );
        let summary = md.lines().nth(2).unwrap();
        assert!(summary.contains(cause), "{summary}");
        assert!(summary.contains(effect), "{summary}");
        assert!(summary.contains("affecting"), "{summary}");
        assert!(md.contains("--format json"), "points to the full list");
        let json: Value = serde_json::from_slice(&go("json").stdout).unwrap();
        assert_eq!(json["summary"].as_str().unwrap(), summary.trim_matches('*'));
        let rows = json["diff"]["rows"].as_array().unwrap().len();
        assert!(
            rows > 300,
            "{file}: {rows} rows, more than the Markdown shows"
        );
        let plain = String::from_utf8(go("plain").stdout).unwrap();
        assert_eq!(plain.lines().next().unwrap(), json["summary"]);
    }
}

#[test]
fn human_output_shows_forty_classes_and_counts_the_rest() {
    let (_dir, head) = edited_example(
        "policies/deny-outside-approved-regions.json",
        "\"eu-west-1\"",
        "\"eu-west-1\", \"us-east-1\"",
    );
    let base = root().join("fixtures/orgs/example");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["diff", "--quiet", "--base"])
        .arg(&base)
        .arg("--head")
        .arg(&head)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    let shown = out.lines().filter(|l| l.starts_with("LOOSENED")).count();
    assert_eq!(shown, 40, "{out}");
    assert!(out.contains("more changed request classes"), "{out}");
    assert!(
        out.lines().count() < 400,
        "bounded: {} lines",
        out.lines().count()
    );
}

/// `fixtures/orgs/mini` with RCPs: RCPFullAWSAccess on every node plus `root_rcps` at the root
/// and `app_rcps` on account prod-app, the extra RCP files taken from policies/rcp/ or given.
fn mini_with_rcps(root_rcps: &[&str], app_rcps: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/orgs/mini");
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for e in std::fs::read_dir(src.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("policies").join(e.file_name())).unwrap();
    }
    for f in ["rcp-full-aws-access.json", "org-identity-perimeter.json"] {
        // The library's perimeter names the example org; this one is o-mini000001.
        let text = std::fs::read_to_string(root().join("policies/rcp").join(f))
            .unwrap()
            .replace("o-exampleorg1", "o-mini000001");
        std::fs::write(dir.path().join("policies").join(f), text).unwrap();
    }
    std::fs::write(
        dir.path().join("policies/deny-s3-writes.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoS3Writes","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}"#,
    )
    .unwrap();
    let list = |extra: &[&str]| {
        let mut l = vec!["RCPFullAWSAccess"];
        l.extend_from_slice(extra);
        l.join(", ")
    };
    let org = std::fs::read_to_string(src.join("org.yaml"))
        .unwrap()
        .replace(
            "policies:\n",
            "policies:\n  - {name: RCPFullAWSAccess, type: rcp, aws_managed: true, file: policies/rcp-full-aws-access.json}\n  - {name: OrgIdentityPerimeter, type: rcp, file: policies/org-identity-perimeter.json}\n  - {name: DenyS3Writes, type: rcp, file: policies/deny-s3-writes.json}\n",
        )
        .replace(
            "scps: [FullAWSAccess, DenyLeaveOrganization]",
            &format!("scps: [FullAWSAccess, DenyLeaveOrganization]\n  rcps: [{}]", list(root_rcps)),
        )
        .replace(
            "scps: [FullAWSAccess]}",
            "scps: [FullAWSAccess], rcps: [RCPFullAWSAccess]}",
        )
        .replace(
            "name: prod-app, scps: [FullAWSAccess], rcps: [RCPFullAWSAccess]}",
            &format!("name: prod-app, scps: [FullAWSAccess], rcps: [{}]}}", list(app_rcps)),
        )
        .replace(
            "scps: [FullAWSAccess, DenyOutsideEu, DenyRestrictedServices]\n",
            "scps: [FullAWSAccess, DenyOutsideEu, DenyRestrictedServices]\n      rcps: [RCPFullAWSAccess]\n",
        )
        .replace(
            "      scps: [FullAWSAccess]\n      accounts:",
            "      scps: [FullAWSAccess]\n      rcps: [RCPFullAWSAccess]\n      accounts:",
        );
    std::fs::write(dir.path().join("org.yaml"), org).unwrap();
    dir
}

#[test]
fn rcp_changes_are_diffed_on_the_resource_side() {
    let base = mini_with_rcps(&["OrgIdentityPerimeter"], &[]);
    let diff = |head: &Path| {
        run(
            root(),
            &[
                "diff",
                "--format",
                "json",
                "--quiet",
                "--base",
                base.path().to_str().unwrap(),
                "--head",
                head.to_str().unwrap(),
            ],
        )
    };
    // An RCP denying s3:PutObject on prod-app's resources: every caller loses it there, also
    // without a named resource (an unnamed object of the account, R2.5).
    let added = mini_with_rcps(&["OrgIdentityPerimeter"], &["DenyS3Writes"]);
    let (code, v) = diff(added.path());
    assert_eq!(code, 1, "{v}");
    assert!(!rows(&v).is_empty(), "{v}");
    for r in rows(&v) {
        assert_eq!(r["change"], "tightened", "{r}");
        assert_eq!(r["accounts"], serde_json::json!(["222222222222"]), "{r}");
        assert_eq!(r["action"], "s3:PutObject", "{r}");
        assert!(r["after_by"].to_string().contains("DenyS3Writes"), "{r}");
    }
    assert!(rows(&v).iter().any(|r| r["resource"] == "*"), "{v}");
    // Removing the identity perimeter opens every account's resources to callers outside the
    // organization: loosened, shown with the outside principal class.
    let removed = mini_with_rcps(&[], &[]);
    let (code, v) = diff(removed.path());
    assert_eq!(code, 1, "{v}");
    assert!(!rows(&v).is_empty(), "{v}");
    for r in rows(&v) {
        assert_eq!(r["change"], "loosened", "{r}");
        assert!(
            r["principal"]
                .as_str()
                .unwrap()
                .contains(":role/OutsideTheOrganization"),
            "{r}"
        );
        assert!(
            r["before_by"].to_string().contains("OrgIdentityPerimeter"),
            "{r}"
        );
    }
    // Members' own callers are untouched by the perimeter.
    let accounts: std::collections::BTreeSet<String> = rows(&v)
        .iter()
        .flat_map(|r| r["accounts"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(accounts.contains("222222222222") && accounts.contains("333333333333"));
}

/// The one-line summary counts each action class once per account group, with the union of
/// its regions: adding us-east-1 opens regional actions there only, and the global services
/// homed in us-east-1 (CloudFront, Route 53, ...) from every region.
#[test]
fn the_summary_counts_action_region_pairs_exactly() {
    let (_d, head) = edited_in(
        "mini",
        "policies/deny-outside-eu.json",
        "\"eu-west-1\"",
        "\"eu-west-1\", \"us-east-1\"",
    );
    let (code, v) = run(
        root(),
        &[
            "diff",
            "--format",
            "json",
            "--quiet",
            "--base",
            root().join("fixtures/orgs/mini").to_str().unwrap(),
            "--head",
            head.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let summary = v["summary"].as_str().unwrap();
    assert!(summary.contains("regions each ("), "{summary}");
    // Recount from the rows: distinct action classes of the (single) account group, each
    // with the union of its regions.
    let mut classes: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for r in rows(&v) {
        let e = classes
            .entry(r["action"].as_str().unwrap().to_string())
            .or_insert((r["similar_actions"].as_u64().unwrap(), BTreeSet::new()));
        for reg in r["regions"].as_array().unwrap() {
            e.1.insert(reg.as_str().unwrap().to_string());
        }
    }
    let actions: u64 = classes.values().map(|(n, _)| n).sum();
    let pairs: u64 = classes.values().map(|(n, r)| n * r.len() as u64).sum();
    let fmt = |n: u64| {
        let d = n.to_string();
        let mut o = String::new();
        for (i, c) in d.chars().enumerate() {
            if i > 0 && (d.len() - i).is_multiple_of(3) {
                o.push(',');
            }
            o.push(c);
        }
        o
    };
    assert!(
        summary.contains(&format!("{} actions in 1 to 36 regions each", fmt(actions))),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("({} action-region pairs)", fmt(pairs))),
        "{summary}"
    );
}

/// The Markdown names every principal kind of a row, not only the witness: detaching
/// FullAWSAccess from OU Dev tightens most regions only for `platform-admin` (the region
/// guardrail already denied them to everyone else), and the comment must say so.
#[test]
fn markdown_rows_name_the_other_principal_kinds() {
    let (_d, head) = edited_example(
        "org.yaml",
        "          name: Dev\n          scps: [FullAWSAccess]",
        "          name: Dev\n          scps: [DenyLeaveOrganization]",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["diff", "--quiet", "--format", "markdown", "--base"])
        .arg(root().join("fixtures/orgs/example"))
        .arg("--head")
        .arg(&head)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("| principals (witness first) |"), "{md}");
    assert!(md.contains("other principal kind"), "{md}");
    assert!(md.contains("role/platform-admin"), "{md}");
}
