//! Scenario tests for every guardrail of policies/: each one blocks what it claims and lets
//! through what it must. Policies are loaded from their files (no copies), attached next to
//! FullAWSAccess on a one-OU chain (SCPs) or next to RCPFullAWSAccess (RCPs), and evaluated
//! with the principal's identity policy allowing everything, so only the guardrail decides.
//! Expected decisions follow from the policy text and AWS's rules (../shared/docs/aws-semantics.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;

use scpsim::catalog::Catalog;
use scpsim::eval::{ChainNode, Decision, EvalOptions, Evaluator, NamedPolicy, PolicySet, Request};
use scpsim::policy::parse_policy;

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn policy(rel: &str) -> NamedPolicy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    NamedPolicy {
        name: rel.to_string(),
        document: parse_policy(&text).unwrap_or_else(|e| panic!("{rel}: {e}")),
        source: None,
    }
}

fn global_region(prefix: &str) -> Option<&'static str> {
    Catalog::load().ok()?.global_service_region(prefix)
}

/// An evaluator with `scp` on an OU between root and account (each with FullAWSAccess).
fn scp_chain(scp: &str) -> Evaluator {
    let full = || policy("scp/full-aws-access.json");
    let set = PolicySet {
        scps: vec![
            ChainNode {
                name: "root".into(),
                policies: vec![full()],
            },
            ChainNode {
                name: "ou".into(),
                policies: vec![full(), policy(scp)],
            },
            ChainNode {
                name: "account".into(),
                policies: vec![full()],
            },
        ],
        identity: vec![NamedPolicy {
            name: "admin".into(),
            document: parse_policy(ADMIN).unwrap(),
            source: None,
        }],
        ..PolicySet::default()
    };
    Evaluator::new(
        &set,
        EvalOptions {
            global_service_region: Some(global_region),
            ..EvalOptions::default()
        },
    )
}

/// An evaluator with `rcp` on the resource account's root next to RCPFullAWSAccess.
fn rcp_chain(rcp: &str) -> Evaluator {
    let full = || policy("rcp/rcp-full-aws-access.json");
    let set = PolicySet {
        rcps: vec![
            ChainNode {
                name: "root".into(),
                policies: vec![full(), policy(rcp)],
            },
            ChainNode {
                name: "account".into(),
                policies: vec![full()],
            },
        ],
        identity: vec![NamedPolicy {
            name: "admin".into(),
            document: parse_policy(ADMIN).unwrap(),
            source: None,
        }],
        ..PolicySet::default()
    };
    Evaluator::new(
        &set,
        EvalOptions {
            global_service_region: Some(global_region),
            ..EvalOptions::default()
        },
    )
}

struct S {
    principal: &'static str,
    action: &'static str,
    resource: &'static str,
    region: &'static str,
    context: &'static [(&'static str, &'static str)],
    expect: Decision,
}

const ROLE: &str = "arn:aws:iam::333333333301:role/app";

fn check(ev: &Evaluator, name: &str, cases: &[S]) {
    for c in cases {
        let mut req = Request::new(c.principal, c.action, c.resource).unwrap();
        req.region = Some(c.region.to_string());
        for (k, v) in c.context {
            req.context.set(k, *v);
        }
        let t = ev.evaluate(&req);
        assert_eq!(
            t.decision,
            c.expect,
            "{name}: {} {} on {} in {}:\n{}",
            c.principal,
            c.action,
            c.resource,
            c.region,
            t.render()
        );
    }
}

use Decision::{Allowed, ExplicitlyDenied, ImplicitlyDenied};

#[test]
fn full_aws_access_allows_everything() {
    check(
        &scp_chain("scp/full-aws-access.json"),
        "FullAWSAccess",
        &[
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "organizations:LeaveOrganization",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn deny_all_denies_everything() {
    check(
        &scp_chain("scp/deny-all.json"),
        "DenyAll",
        &[
            S {
                principal: ROLE,
                action: "s3:GetObject",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "iam:ListRoles",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
        ],
    );
}

#[test]
fn deny_leave_organization() {
    check(
        &scp_chain("scp/deny-leave-organization.json"),
        "DenyLeaveOrganization",
        &[
            S {
                principal: ROLE,
                action: "organizations:LeaveOrganization",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "organizations:DescribeOrganization",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn region_deny_keeps_global_services_working() {
    check(
        &scp_chain("scp/deny-outside-approved-regions.json"),
        "DenyOutsideApprovedRegions",
        &[
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: "*",
                region: "eu-central-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "iam:CreateRole",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "sts:AssumeRole",
                resource: "*",
                region: "us-west-2",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "organizations:ListAccounts",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "cloudfront:CreateDistribution",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "route53:ChangeResourceRecordSets",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "support:DescribeCases",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "ec2:DescribeRegions",
                resource: "*",
                region: "ap-south-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "s3:GetObject",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: "arn:aws:iam::333333333301:role/platform-admin",
                action: "ec2:RunInstances",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn protect_org_access_role() {
    let target = "arn:aws:iam::333333333301:role/OrganizationAccountAccessRole";
    check(
        &scp_chain("scp/protect-org-access-role.json"),
        "ProtectOrganizationAccessRole",
        &[
            S {
                principal: ROLE,
                action: "iam:DeleteRole",
                resource: target,
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "iam:AttachRolePolicy",
                resource: target,
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "iam:DeleteRole",
                resource: "arn:aws:iam::333333333301:role/other",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: target,
                action: "iam:UpdateAssumeRolePolicy",
                resource: target,
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "iam:GetRole",
                resource: target,
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn deny_member_root_user() {
    check(
        &scp_chain("scp/deny-member-root-user.json"),
        "DenyMemberRootUser",
        &[
            S {
                principal: "arn:aws:iam::333333333301:root",
                action: "s3:ListAllMyBuckets",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "s3:ListAllMyBuckets",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn deny_restricted_services() {
    check(
        &scp_chain("scp/deny-restricted-services.json"),
        "DenyRestrictedServices",
        &[
            S {
                principal: ROLE,
                action: "redshift:CreateCluster",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "es:CreateDomain",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "redshift-serverless:CreateWorkgroup",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "rds:CreateDBInstance",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn require_imdsv2() {
    let instance = "arn:aws:ec2:eu-west-1:333333333301:instance/*";
    check(
        &scp_chain("scp/require-imdsv2.json"),
        "RequireImdsV2",
        &[
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: instance,
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: instance,
                region: "eu-west-1",
                context: &[("ec2:MetadataHttpTokens", "optional")],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: instance,
                region: "eu-west-1",
                context: &[("ec2:MetadataHttpTokens", "required")],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "ec2:RunInstances",
                resource: "arn:aws:ec2:eu-west-1:333333333301:volume/*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "ec2:ModifyInstanceMetadataOptions",
                resource: "*",
                region: "eu-west-1",
                context: &[("ec2:MetadataHttpTokens", "optional")],
                expect: ExplicitlyDenied,
            },
        ],
    );
}

#[test]
fn protect_cloudtrail_and_guardduty() {
    check(
        &scp_chain("scp/protect-cloudtrail.json"),
        "ProtectCloudTrail",
        &[
            S {
                principal: ROLE,
                action: "cloudtrail:StopLogging",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "cloudtrail:DeleteTrail",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: "arn:aws:iam::333333333301:role/security-admin",
                action: "cloudtrail:StopLogging",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "cloudtrail:LookupEvents",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
    check(
        &scp_chain("scp/protect-guardduty.json"),
        "ProtectGuardDuty",
        &[
            S {
                principal: ROLE,
                action: "guardduty:DeleteDetector",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "guardduty:GetFindings",
                resource: "*",
                region: "eu-west-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn deny_root_unless_centralized_root_access() {
    // Denies the member root user unless the session comes from sts:AssumeRoot (centralized root
    // access sets aws:AssumedRoot, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html).
    let root = "arn:aws:iam::333333333301:root";
    check(
        &scp_chain("scp/deny-root-credential-management.json"),
        "DenyRootCredentialManagement",
        &[
            S {
                principal: root,
                action: "iam:CreateAccessKey",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: ExplicitlyDenied,
            },
            S {
                principal: root,
                action: "iam:DeleteLoginProfile",
                resource: "*",
                region: "us-east-1",
                context: &[("aws:AssumedRoot", "true")],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "iam:CreateAccessKey",
                resource: "*",
                region: "us-east-1",
                context: &[],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn rcp_enforce_tls() {
    let bucket = "arn:aws:s3:::payments-data/file.csv";
    check(
        &rcp_chain("rcp/enforce-https.json"),
        "EnforceTls",
        &[
            S {
                principal: ROLE,
                action: "s3:GetObject",
                resource: bucket,
                region: "eu-west-1",
                context: &[("aws:SecureTransport", "false")],
                expect: ExplicitlyDenied,
            },
            S {
                principal: ROLE,
                action: "s3:GetObject",
                resource: bucket,
                region: "eu-west-1",
                context: &[("aws:SecureTransport", "true")],
                expect: Allowed,
            },
            S {
                principal: ROLE,
                action: "ec2:DescribeInstances",
                resource: "*",
                region: "eu-west-1",
                context: &[("aws:SecureTransport", "false")],
                expect: Allowed,
            },
        ],
    );
}

#[test]
fn rcp_org_identity_perimeter() {
    let bucket = "arn:aws:s3:::payments-data/file.csv";
    let ev = rcp_chain("rcp/org-identity-perimeter.json");
    let mut inside = Request::new(ROLE, "s3:GetObject", bucket).unwrap();
    inside.region = Some("eu-west-1".into());
    inside.principal_org_id = Some("o-exampleorg1".into());
    assert_eq!(
        ev.evaluate(&inside).decision,
        Allowed,
        "{}",
        ev.evaluate(&inside).render()
    );
    let mut outside = Request::new(
        "arn:aws:iam::999999999999:role/partner",
        "s3:GetObject",
        bucket,
    )
    .unwrap();
    outside.region = Some("eu-west-1".into());
    outside.resource_account = Some("333333333301".into());
    outside.principal_org_id = Some("o-someoneelse".into());
    let t = ev.evaluate(&outside);
    assert_eq!(t.decision, ExplicitlyDenied, "{}", t.render());
    let mut service = Request::new("cloudtrail.amazonaws.com", "s3:PutObject", bucket).unwrap();
    service.region = Some("eu-west-1".into());
    service.resource_account = Some("333333333301".into());
    let t = ev.evaluate(&service);
    assert_ne!(
        t.decision,
        ExplicitlyDenied,
        "AWS service principals are exempt: {}",
        t.render()
    );
    let _ = ImplicitlyDenied;
}

#[test]
fn rcp_full_aws_access_alone_allows() {
    let full = || policy("rcp/rcp-full-aws-access.json");
    let set = PolicySet {
        rcps: vec![
            ChainNode {
                name: "root".into(),
                policies: vec![full()],
            },
            ChainNode {
                name: "account".into(),
                policies: vec![full()],
            },
        ],
        identity: vec![NamedPolicy {
            name: "admin".into(),
            document: parse_policy(ADMIN).unwrap(),
            source: None,
        }],
        ..PolicySet::default()
    };
    let ev = Evaluator::new(&set, EvalOptions::default());
    let mut req =
        Request::new(ROLE, "s3:GetObject", "arn:aws:s3:::payments-data/file.csv").unwrap();
    req.region = Some("eu-west-1".into());
    assert_eq!(ev.evaluate(&req).decision, Allowed);
    // With an RCP node that lost RCPFullAWSAccess (not possible in AWS, but the engine must
    // treat a node without Allow as closing the gate), the same request is implicitly denied.
    let set = PolicySet {
        rcps: vec![
            ChainNode {
                name: "root".into(),
                policies: vec![full()],
            },
            ChainNode {
                name: "account".into(),
                policies: vec![],
            },
        ],
        identity: vec![NamedPolicy {
            name: "admin".into(),
            document: parse_policy(ADMIN).unwrap(),
            source: None,
        }],
        ..PolicySet::default()
    };
    let ev = Evaluator::new(&set, EvalOptions::default());
    assert_eq!(ev.evaluate(&req).decision, ImplicitlyDenied);
}

#[test]
fn org_pull_readonly_identity_policy() {
    // The identity policy `org pull` needs: every read call it makes, nothing that writes.
    let set = PolicySet {
        identity: vec![policy("iam/scpsim-org-pull-readonly.json")],
        ..PolicySet::default()
    };
    let ev = Evaluator::new(&set, EvalOptions::default());
    let principal = "arn:aws:iam::111111111111:role/scpsim-reader";
    for (action, expect) in [
        ("organizations:DescribeOrganization", Allowed),
        ("organizations:ListRoots", Allowed),
        ("organizations:ListOrganizationalUnitsForParent", Allowed),
        ("organizations:ListAccountsForParent", Allowed),
        ("organizations:ListPoliciesForTarget", Allowed),
        ("organizations:DescribePolicy", Allowed),
        ("organizations:ListTagsForResource", Allowed),
        ("organizations:AttachPolicy", ImplicitlyDenied),
        ("organizations:LeaveOrganization", ImplicitlyDenied),
        ("s3:GetObject", ImplicitlyDenied),
    ] {
        let mut req = Request::new(principal, action, "*").unwrap();
        req.region = Some("us-east-1".into());
        let t = ev.evaluate(&req);
        assert_eq!(t.decision, expect, "{action}: {}", t.render());
    }
}
