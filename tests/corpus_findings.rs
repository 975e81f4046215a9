//! Every finding `lint` reports on the real-world corpus (fixtures/corpus, 199 published
//! policies), as one insta snapshot: `rule severity file:line`. Errors are the known defects of
//! tests/corpus.rs; every warning below was reviewed, and a change to the list must be reviewed
//! again (a false positive is a bug in the rule, not in the corpus).
//!
//! Review of the warnings (rule: verdict, with the AWS guidance the file departs from):
//! - `allow-star-action-star-resource` (AdministratorAccess): true positive; the managed
//!   policy is full access by design (IAM best practice "grant least privilege").
//! - `forallvalues-allow-without-null-check` (AmazonBedrockFullAccess, 2): true positive;
//!   `ForAllValues:StringEquals` on `aws:TagKeys` in an Allow without `Null` also allows requests
//!   without tags (IAM guide, multivalued context keys).
//! - `negated-operator-on-optional-key`: none left after excluding principal tags and
//!   `aws:CalledVia`, whose "deny unless" use in AWS's examples is intended.
//! - `not-action-with-allow` (PowerUserAccess), `not-resource-with-allow`
//!   (AmazonSageMakerFullAccess): true positives; AWS documents both combinations as granting
//!   everything not listed.
//! - `pass-role-star` (6 AWS managed "FullAccess" policies): true positives; `iam:PassRole` on
//!   `*` (some narrowed by `iam:PassedToService`, which the rule does not credit) is what AWS's
//!   PassRole guide tells customers to avoid.
//! - `redundant-action` (ReadOnlyAccess and others): true positives; entries such as
//!   `ec2:DescribeInstanceImageMetadata` next to `ec2:Describe*` are covered twice.
//! - `shadowed-statement` (2): true positives. aws-samples IAM
//!   deny-creating-any-service-specific-credentials: the unconditional
//!   `DenyCreatingAnyServiceSpecificCredential` makes the tag-exception statement below it
//!   dead (the sample shows two alternatives in one file; deployed as written, the exception
//!   never applies). cloudposse guardduty-policies: `DenyGuardDutyDisassociation` repeats an
//!   action the second statement already denies on `*`. (Policy evaluation logic: any
//!   matching Deny decides.)
//! - `locks-out-admin-role`: cloudposse iam-policies `DenyIAMRolesChanges` (warning): true
//!   positive; it denies `iam:AttachRolePolicy`/`iam:PutRolePolicy`/`iam:UpdateAssumeRolePolicy`
//!   on every role to everyone, `OrganizationAccountAccessRole` and `AWSControlTowerExecution`
//!   included (SCPs apply to every principal of a member account, Organizations guide "Service
//!   control policies"). cloudposse deny-all-policies (info): the deny-all SCP of a Suspended
//!   OU, which locks administrators out by design; reported at info for that reason.
//!   primeharbor Gov-PreSuspendedAccounts exempts `OrganizationAccountAccessRole` and is
//!   rightly not reported.
//! - `unresolved-placeholder` (198, in the aws-samples SCP, RCP and data-perimeter
//!   examples only): true positives; every one is a documentation placeholder the reader is
//!   told to fill in (`<my-org-id>`, `[PRIVILEGED_ROLE]`, `${Account}`, `{example-region-1}`,
//!   `[MAX_SIGNATURE_AGE_IN_MILLISECONDS]`...). Deployed as written, IAM compares them
//!   literally (policy variables are only `${service:key}` and `${*}`/`${?}`/`${$}`, IAM
//!   guide "Policy variables"). The policy variables of the corpus (`${aws:PrincipalAccount}`,
//!   `${sagemaker:DomainId}`...) are not reported. One finding per placeholder per file.
//! - `statement-never-matches`, `condition-never-true`: none (the one unreadable number, the
//!   `[MAX_SIGNATURE_AGE_IN_MILLISECONDS]` placeholder, is left to `unresolved-placeholder`).
//! - `source-ip-deny-without-service-exemption` (primeharbor Sec-RootUsage): true positive; the
//!   AWS source-IP example pairs `NotIpAddress` with `aws:ViaAWSService`.
//! - `action-pattern-matches-nothing` (cloudposse s3-policies, `s3:Delete*PublicAccessBlock`):
//!   true positive; S3 has no such action (deleting a public access block is authorized by
//!   `s3:PutBucketPublicAccessBlock`/`s3:PutAccountPublicAccessBlock`, Service Authorization
//!   Reference for Amazon S3).
//! - `rcp-unsupported-service` (data-perimeter `sns_topic_policy`, 16): true positive for the
//!   kind it is linted as; the file is an SNS topic policy kept next to the RCPs because RCPs do
//!   not apply to SNS (Organizations guide, "Resource control policies", supported services).
//! - `unknown-action` (14): true positives; the AWS Marketplace private marketplace actions and
//!   `account:PutChallengeQuestions` are not in the current Service Authorization Reference, so
//!   these Deny entries match nothing (retired actions; hence a warning).
//! - `unknown-service` (20, all warnings): true positives; `iot1click`, `deepcomposer`,
//!   `deepracer`, `elastic-inference` and `awsbillingconsole` are retired prefixes that AWS
//!   managed policies and one sample still list; the entries match nothing.
//! - `policy-size-limit`, `operator-key-type-mismatch` and the `unknown-condition-key` error:
//!   real defects, listed with their AWS rule in tests/corpus.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::fmt::Write;
use std::path::Path;

use scpsim::lint::{LintOptions, lint_paths};
use scpsim::policy::PolicyKind;

#[test]
fn corpus_findings_are_reviewed() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
    let text = std::fs::read_to_string(corpus.join("SOURCES.tsv")).unwrap();
    let mut lines = Vec::new();
    let mut counts = std::collections::BTreeMap::<(String, String), usize>::new();
    for row in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        let kind = match cols[1] {
            "scp" | "scp-invalid-json" => PolicyKind::Scp,
            "rcp" => PolicyKind::Rcp,
            "identity" => PolicyKind::Identity,
            "vpce" => PolicyKind::Resource,
            other => panic!("unknown kind {other}"),
        };
        let run = lint_paths(&[corpus.join(cols[0])], &LintOptions::with_kind(Some(kind)));
        for f in run.findings() {
            lines.push(format!(
                "{} {} {}:{}",
                f.rule,
                f.severity,
                cols[0],
                f.location().line
            ));
            *counts
                .entry((f.rule.to_string(), f.severity.to_string()))
                .or_default() += 1;
        }
    }
    lines.sort();
    let mut out = String::from("# per rule\n");
    for ((rule, sev), n) in &counts {
        let _ = writeln!(out, "{n:>4} {rule} ({sev})");
    }
    out.push_str("\n# findings\n");
    for l in &lines {
        out.push_str(l);
        out.push('\n');
    }
    assert!(!lines.is_empty());
    insta::assert_snapshot!("corpus_findings", out);
}
