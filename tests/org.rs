//! The org loader: the example organization loads cleanly (one intended warning), and every
//! broken org file of fixtures/orgs/invalid gives the located errors it should, snapshot-tested
//! as rendered for people; `org show` output in both formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::process::Command;

use scpsim::catalog::Catalog;
use scpsim::diag::Severity;
use scpsim::org::NodeKind;
use scpsim::org::local::load;
use scpsim::output::human::{Style, render_findings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn example_org_loads() {
    let quotas = Catalog::load().unwrap().quotas();
    let loaded = load(&root().join("fixtures/orgs/example"), &quotas);
    let rules: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.rule, d.severity))
        .collect();
    assert_eq!(
        rules,
        [("org-node-without-allow", Severity::Warning)],
        "only the Suspended OU"
    );
    let org = loaded.tree.expect("loads");
    let accounts = org
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Account)
        .count();
    assert_eq!(accounts, 15);
    let prod = org.account("prod-payments").unwrap();
    let chain: Vec<_> = org
        .chain(prod)
        .iter()
        .map(|&n| org.nodes[n].name.clone())
        .collect();
    assert_eq!(chain, ["Root", "Workloads", "Prod", "prod-payments"]);
    assert_eq!(org.account("333333333301"), Some(prod));
    assert_eq!(
        org.org_path(prod).as_deref(),
        Some("o-exampleorg1/r-ex01/ou-ex01-workload/ou-ex01-prod0001/")
    );
    assert!(org.is_management(org.account("management").unwrap()));
    assert!(org.rcps_enabled);
}

/// (file, expected rule ids in output order)
const INVALID: &[(&str, &[&str])] = &[
    ("bad-policy.yaml", &["invalid-effect"]),
    (
        "duplicates.yaml",
        &["org-duplicate-ou-name", "org-duplicate-id"],
    ),
    ("quota.yaml", &["org-attachment-quota", "org-no-scp"]),
    ("syntax.yaml", &["org-syntax"]),
    ("too-deep.yaml", &["org-ou-depth"]),
    (
        "unknown-policy.yaml",
        &[
            "org-policy-file",
            "org-unknown-policy",
            "org-wrong-policy-type",
        ],
    ),
];

#[test]
fn invalid_orgs_give_located_errors() {
    let quotas = Catalog::load().unwrap().quotas();
    let dir = root().join("fixtures/orgs/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        INVALID.len(),
        "every invalid fixture is listed"
    );
    for (file, expected) in INVALID {
        // Load through a relative path so snapshots hold stable file names.
        let rel = Path::new("fixtures/orgs/invalid").join(file);
        let cwd_rel = root().join(&rel);
        let loaded = load(&cwd_rel, &quotas);
        assert!(loaded.tree.is_none(), "{file} must not load");
        let rules: Vec<_> = loaded.diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(&rules, expected, "{file}");
        for d in &loaded.diagnostics {
            assert!(d.location().line >= 1);
        }
        let text = render_findings(&loaded.diagnostics, Style::Plain)
            .replace(&format!("{}/", root().display()), "");
        insta::assert_snapshot!(file.trim_end_matches(".yaml"), text);
    }
}

#[test]
fn org_show_both_formats() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args(args)
            .current_dir(root())
            .output()
            .unwrap()
    };
    let o = run(&["org", "show", "--org", "fixtures/orgs/example"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("OU Prod (ou-ex01-prod0001)"));
    assert!(text.contains("SCPs 2/10: FullAWSAccess, DenyRestrictedServices"));
    assert!(text.contains("RCPs 3/5"));
    let o = run(&[
        "org",
        "show",
        "--org",
        "fixtures/orgs/example",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["accounts"], 15);
    assert_eq!(v["quotas"]["scp_max_per_node"], 10);
    assert_eq!(v["quotas"]["rcp_max_per_node"], 5);
    let region = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "DenyOutsideApprovedRegions")
        .unwrap();
    let size = std::fs::read_to_string(
        root().join("fixtures/orgs/example/policies/deny-outside-approved-regions.json"),
    )
    .unwrap()
    .chars()
    .count();
    assert_eq!(region["size"], size);
    assert!(region["minified_size"].as_u64().unwrap() < size as u64);
    let o = run(&[
        "org",
        "show",
        "--org",
        "fixtures/orgs/invalid/duplicates.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("duplicates.yaml:20:16"));
}

#[test]
fn quotas_are_overridable_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("scpsim.toml"),
        "[quotas]\nscp_max_per_node = 3\n",
    )
    .unwrap();
    let example = root().join("fixtures/orgs/example");
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args([
            "org",
            "show",
            "--format",
            "plain",
            "--org",
            example.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the root has 4 SCPs attached; the quota is 3 per node"),
        "{err}"
    );
    // Without the override the same org loads (the 2026-05-15 quota is 10).
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["org", "show", "--org", example.to_str().unwrap()])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}
