//! `org pull` without a live organization: the read-only IAM policy it documents lints clean as
//! an identity policy, a build without the `aws` feature says how to get it, and a build with it
//! reports missing credentials with its own message (exit 3 in both cases).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::process::{Command, Output};

fn scpsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .output()
        .expect("binary runs")
}

#[test]
fn readonly_iam_policy_lints_clean_as_identity_policy() {
    let o = scpsim(&[
        "lint",
        "--policy-type",
        "identity",
        "--fail-on",
        "warning",
        "policies/iam/scpsim-org-pull-readonly.json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("no findings"), "{out}");
}

#[test]
fn readonly_iam_policy_lists_every_call_of_org_pull() {
    let policy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policies/iam/scpsim-org-pull-readonly.json"),
    )
    .unwrap();
    for op in [
        "DescribeOrganization",
        "ListRoots",
        "ListOrganizationalUnitsForParent",
        "ListAccountsForParent",
        "ListPoliciesForTarget",
        "DescribePolicy",
        "ListTagsForResource",
    ] {
        assert!(
            policy.contains(&format!("\"organizations:{op}\"")),
            "organizations:{op} missing"
        );
    }
}

#[cfg(not(feature = "aws"))]
#[test]
fn pull_without_the_feature_says_how_to_get_it() {
    let dir = std::env::temp_dir().join(format!("scpsim-no-aws-{}", std::process::id()));
    let o = scpsim(&["org", "pull", "--out", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("built without the aws feature"), "{err}");
    assert!(err.contains("--features aws"), "{err}");
    assert!(!dir.exists());
}

#[cfg(not(feature = "aws"))]
#[test]
fn org_aws_without_the_feature_says_how_to_get_it() {
    let o = scpsim(&[
        "simulate",
        "--org",
        "aws",
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("built without the aws feature"), "{err}");
}

#[cfg(feature = "aws")]
#[test]
fn pull_without_credentials_says_so() {
    let dir = std::env::temp_dir().join(format!("scpsim-no-creds-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["org", "pull", "--out", dir.to_str().unwrap()])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env("AWS_CONFIG_FILE", "/nonexistent/scpsim-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/scpsim-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert!(!dir.exists());
}

#[test]
fn readme_shows_the_readonly_iam_policy_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy =
        std::fs::read_to_string(root.join("policies/iam/scpsim-org-pull-readonly.json")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```json\n{policy}```")),
        "README's `org pull` section must show policies/iam/scpsim-org-pull-readonly.json verbatim"
    );
}
