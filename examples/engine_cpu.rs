//! Decisions per second of on-CPU time (from `/proc/thread-self/schedstat`, Linux), for scpsim
//! and iam-rs on the set of `benches/engine.rs`. Unlike criterion's wall-clock figures, this
//! does not count time the thread spent waiting for a core, so it stays meaningful on a busy
//! machine. Run: `cargo run --release --example engine_cpu`.

#![expect(clippy::unwrap_used, reason = "example code may fail loudly")]
#![expect(clippy::print_stdout, reason = "the figures are the output")]

use scpsim::eval::{ChainNode, EvalOptions, Evaluator, NamedPolicy, PolicySet, Request};
use scpsim::policy::parse_policy;
use std::hint::black_box;

const FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// AWS's "Deny access to AWS based on the requested AWS Region" example (aws-semantics.md
/// R7.10, S20): 42 NotAction entries and an ArnNotLike carve-out for admin roles.
const REGION_DENY: &str = r#"{
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

const SERVICE_DENY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyUnapprovedServices",
    "Effect": "Deny",
    "Action": ["redshift:*", "sagemaker:*", "gamelift:*", "lightsail:*", "workspaces:*",
               "appstream:*", "mediaconvert:*", "robomaker:*", "braket:*", "groundstation:*"],
    "Resource": "*"
  }]
}"#;

const IDENTITY_1: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Compute", "Effect": "Allow", "Action": ["ec2:*", "lambda:*", "ecs:*"], "Resource": "*"},
    {"Sid": "Data", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:PutObject", "dynamodb:*"],
     "Resource": ["arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*", "arn:aws:dynamodb:*:111122223333:table/*"]}
  ]
}"#;

const IDENTITY_2: &str = r#"{
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

fn policy_set() -> PolicySet {
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

fn oncpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn main() {
    let ev = Evaluator::new(&policy_set(), EvalOptions::default());
    let reqs = requests();
    let prepared: Vec<_> = reqs.iter().map(|r| ev.prepare(r)).collect();
    let flat: Vec<iam_rs::IAMPolicy> = [REGION_DENY, SERVICE_DENY, IDENTITY_1, IDENTITY_2]
        .iter()
        .map(|t| iam_rs::IAMPolicy::from_json(t).unwrap())
        .collect();
    let iam = iam_rs::PolicyEvaluator::with_policies(flat);
    let iam_reqs: Vec<iam_rs::IAMRequest> = reqs
        .iter()
        .map(|r| {
            let arn = if r.resource == "*" {
                format!(
                    "arn:aws:{}:::placeholder",
                    r.action.split(':').next().unwrap()
                )
            } else {
                r.resource.clone()
            };
            let ctx = iam_rs::Context::new()
                .with_string("aws:RequestedRegion", r.region.clone().unwrap())
                .with_string("aws:PrincipalArn", r.principal.principal_arn().unwrap());
            iam_rs::IAMRequest::new_with_context(
                iam_rs::Principal::Aws(iam_rs::PrincipalId::String(r.principal.raw.clone())),
                r.action.clone(),
                iam_rs::Arn::parse(&arn).unwrap(),
                ctx,
            )
        })
        .collect();
    for round in 0..3 {
        let n = 20_000;
        let t0 = oncpu_ns();
        let w0 = std::time::Instant::now();
        for _ in 0..n {
            for p in &prepared {
                black_box(ev.decide(black_box(p)));
            }
        }
        let cpu = oncpu_ns() - t0;
        let wall = w0.elapsed().as_nanos() as u64;
        let d = (n * prepared.len()) as f64;
        println!(
            "round {round} scpsim decide: {:.0} decisions per on-CPU second ({:.1} ns each), wall {:.0}/s",
            d / (cpu as f64 / 1e9),
            cpu as f64 / d,
            d / (wall as f64 / 1e9)
        );
        let n2 = 500;
        let t0 = oncpu_ns();
        let w0 = std::time::Instant::now();
        for _ in 0..n2 {
            for q in &iam_reqs {
                let _ = black_box(iam.evaluate(black_box(q)));
            }
        }
        let cpu = oncpu_ns() - t0;
        let wall = w0.elapsed().as_nanos() as u64;
        let d = (n2 * iam_reqs.len()) as f64;
        println!(
            "round {round} iam-rs evaluate: {:.0} decisions per on-CPU second ({:.1} ns each), wall {:.0}/s",
            d / (cpu as f64 / 1e9),
            cpu as f64 / d,
            d / (wall as f64 / 1e9)
        );
    }
}
