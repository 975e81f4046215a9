//! The policy set and requests of the engine bench (`benches/engine.rs`), shared with
//! `examples/engine_cpu.rs` so both time exactly the same work (issue 4, point 8).

#![expect(clippy::unwrap_used, reason = "bench code may fail loudly")]

use scpsim::eval::{ChainNode, NamedPolicy, PolicySet, Request};
use scpsim::policy::parse_policy;

const FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// AWS's "Deny access to AWS based on the requested AWS Region" example (aws-semantics.md
/// R7.10, S20): 42 NotAction entries and an ArnNotLike carve-out for admin roles.
pub const REGION_DENY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyAllOutsideRequestedRegions",
    "Effect": "Deny",
    "NotAction": [
      "a4b:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*",
      "budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*",
      "ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*",
      "globalaccelerator:*", "health:*", "iam:*", "importexport:*", "kms:*", "mobileanalytics:*",
      "networkmanager:*", "organizations:*", "pricing:*", "route53:*", "route53domains:*",
      "route53-recovery-cluster:*", "route53-recovery-control-config:*",
      "route53-recovery-readiness:*", "s3:GetAccountPublic*", "s3:ListAllMyBuckets",
      "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*", "shield:*", "sts:*",
      "support:*", "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*", "wellarchitected:*"
    ],
    "Resource": "*",
    "Condition": {
      "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
      "ArnNotLike": {"aws:PrincipalARN": [
        "arn:aws:iam::*:role/Role1AllowedToBypassThisSCP",
        "arn:aws:iam::*:role/Role2AllowedToBypassThisSCP"
      ]}
    }
  }]
}"#;

pub const SERVICE_DENY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyUnapprovedServices",
    "Effect": "Deny",
    "Action": ["redshift:*", "sagemaker:*", "gamelift:*", "lightsail:*", "workspaces:*",
               "appstream:*", "mediaconvert:*", "robomaker:*", "braket:*", "groundstation:*"],
    "Resource": "*"
  }]
}"#;

pub const IDENTITY_1: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Compute", "Effect": "Allow", "Action": ["ec2:*", "lambda:*", "ecs:*"], "Resource": "*"},
    {"Sid": "Data", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:PutObject", "dynamodb:*"],
     "Resource": ["arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*", "arn:aws:dynamodb:*:111122223333:table/*"]}
  ]
}"#;

pub const IDENTITY_2: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:AssumeRole"], "Resource": "*"},
    {"Sid": "NoProdDelete", "Effect": "Deny", "Action": ["s3:DeleteBucket", "dynamodb:DeleteTable"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}
  ]
}"#;

fn named(text: &str, name: &str) -> NamedPolicy {
    NamedPolicy {
        name: name.to_string(),
        document: parse_policy(text).unwrap(),
        source: None,
    }
}

pub fn policy_set() -> PolicySet {
    PolicySet {
        scps: vec![
            ChainNode {
                name: "root".into(),
                policies: vec![named(FULL_AWS_ACCESS, "FullAWSAccess")],
            },
            ChainNode {
                name: "ou".into(),
                policies: vec![
                    named(FULL_AWS_ACCESS, "FullAWSAccess"),
                    named(REGION_DENY, "RegionDeny"),
                    named(SERVICE_DENY, "ServiceDeny"),
                ],
            },
            ChainNode {
                name: "account".into(),
                policies: vec![named(FULL_AWS_ACCESS, "FullAWSAccess")],
            },
        ],
        identity: vec![named(IDENTITY_1, "app"), named(IDENTITY_2, "read-iam")],
        ..PolicySet::default()
    }
}

/// 8 actions x 4 regions x 2 principals = 64 requests, a mix of Allowed, ImplicitlyDenied and
/// ExplicitlyDenied.
pub fn requests() -> Vec<Request> {
    let actions = [
        (
            "ec2:RunInstances",
            "arn:aws:ec2:{r}:111122223333:instance/*",
        ),
        ("s3:GetObject", "arn:aws:s3:::app-data/reports/q1.csv"),
        ("s3:PutObject", "arn:aws:s3:::logs-bucket/x"),
        (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:{r}:111122223333:table/orders",
        ),
        ("iam:ListRoles", "*"),
        ("sts:AssumeRole", "arn:aws:iam::111122223333:role/deploy"),
        ("sagemaker:CreateNotebookInstance", "*"),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:{r}:111122223333:function:f",
        ),
    ];
    let regions = ["eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"];
    let principals = [
        "arn:aws:sts::111122223333:assumed-role/Developer/alice",
        "arn:aws:iam::111122223333:role/Role1AllowedToBypassThisSCP",
    ];
    let mut out = Vec::new();
    for p in principals {
        for (a, r) in actions {
            for region in regions {
                let mut req = Request::new(p, a, &r.replace("{r}", region)).unwrap();
                req.region = Some(region.to_string());
                out.push(req);
            }
        }
    }
    out
}
