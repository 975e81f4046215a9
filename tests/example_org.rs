//! `scpsim simulate` on the example organization (fixtures/orgs/example) against decisions
//! derived by hand from its policies and AWS's evaluation rules (../shared/docs/aws-semantics.md):
//! region deny with the global-service exemptions, service deny, an OU without an Allow, the
//! management account, a service-linked role, the member root user, the organization access
//! role, IMDSv2, TLS through an RCP, and a principal with identity policies and a boundary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::process::Command;

use serde_json::Value;

struct Case {
    account: &'static str,
    action: &'static str,
    region: &'static str,
    extra: &'static [&'static str],
    expect: &'static str,
    /// A fragment of the deciding step (policy name or node), when the decision is a denial.
    by: &'static str,
    why: &'static str,
}

const ORG: &str = "fixtures/orgs/example";

const CASES: &[Case] = &[
    Case {
        account: "prod-payments",
        action: "redshift:CreateCluster",
        region: "eu-west-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyRestrictedServices",
        why: "Prod denies Redshift; eu-west-1 is an approved region",
    },
    Case {
        account: "prod-payments",
        action: "redshift:CreateCluster",
        region: "us-east-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "Deny",
        why: "us-east-1 is outside the approved regions and Redshift is denied",
    },
    Case {
        account: "prod-payments",
        action: "s3:GetObject",
        region: "eu-west-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "approved region, no service deny",
    },
    Case {
        account: "prod-payments",
        action: "s3:GetObject",
        region: "us-east-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyOutsideApprovedRegions",
        why: "S3 object reads are not in the region-deny exemption list",
    },
    Case {
        account: "prod-payments",
        action: "iam:CreateRole",
        region: "eu-west-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "iam:* is exempt from the region deny (IAM is global, us-east-1)",
    },
    Case {
        account: "prod-payments",
        action: "sts:AssumeRole",
        region: "ap-southeast-2",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "sts:* is exempt from the region deny",
    },
    Case {
        account: "prod-payments",
        action: "organizations:LeaveOrganization",
        region: "us-east-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyLeaveOrganization",
        why: "the root denies leaving the organization",
    },
    Case {
        account: "prod-payments",
        action: "support:DescribeCases",
        region: "us-east-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "support:* is exempt from the region deny",
    },
    Case {
        account: "dev-payments",
        action: "redshift:CreateCluster",
        region: "eu-west-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "Dev has no service deny",
    },
    Case {
        account: "dev-payments",
        action: "redshift:CreateCluster",
        region: "us-west-2",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyOutsideApprovedRegions",
        why: "Workloads denies regions outside the EU pair",
    },
    Case {
        account: "sandbox-alice",
        action: "es:CreateDomain",
        region: "eu-central-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyRestrictedServices",
        why: "Sandbox denies OpenSearch",
    },
    Case {
        account: "sandbox-alice",
        action: "ec2:RunInstances",
        region: "ap-southeast-2",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyOutsideApprovedRegions",
        why: "Sandbox denies regions outside the EU pair",
    },
    Case {
        account: "network",
        action: "ec2:CreateVpc",
        region: "eu-west-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "Infrastructure allows approved regions",
    },
    Case {
        account: "network",
        action: "ec2:CreateVpc",
        region: "us-east-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyOutsideApprovedRegions",
        why: "Infrastructure denies us-east-1 for EC2",
    },
    Case {
        account: "log-archive",
        action: "ec2:RunInstances",
        region: "us-east-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "Security has no region deny",
    },
    Case {
        account: "log-archive",
        action: "cloudtrail:StopLogging",
        region: "eu-west-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "ProtectCloudTrail",
        why: "Security protects CloudTrail",
    },
    Case {
        account: "log-archive",
        action: "cloudtrail:StopLogging",
        region: "eu-west-1",
        extra: &[
            "--principal",
            "arn:aws:iam::222222222201:role/security-admin",
        ],
        expect: "Allowed",
        by: "",
        why: "security-admin is the ArnNotLike exception",
    },
    Case {
        account: "log-archive",
        action: "guardduty:DeleteDetector",
        region: "eu-west-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "ProtectGuardDuty",
        why: "Security protects GuardDuty",
    },
    Case {
        account: "closed-project",
        action: "s3:GetObject",
        region: "eu-west-1",
        extra: &[],
        expect: "ImplicitlyDenied",
        by: "Suspended",
        why: "the Suspended OU has no Allow (FullAWSAccess detached)",
    },
    Case {
        account: "closed-project",
        action: "organizations:LeaveOrganization",
        region: "us-east-1",
        extra: &[],
        expect: "ExplicitlyDenied",
        by: "DenyLeaveOrganization",
        why: "explicit deny wins over the missing Allow",
    },
    Case {
        account: "management",
        action: "redshift:CreateCluster",
        region: "us-east-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "SCPs do not affect the management account",
    },
    Case {
        account: "111111111111",
        action: "ec2:RunInstances",
        region: "sa-east-1",
        extra: &[],
        expect: "Allowed",
        by: "",
        why: "management account by id",
    },
    Case {
        account: "prod-web",
        action: "iam:DeleteRole",
        region: "us-east-1",
        extra: &[
            "--resource",
            "arn:aws:iam::333333333302:role/OrganizationAccountAccessRole",
        ],
        expect: "ExplicitlyDenied",
        by: "ProtectOrganizationAccessRole",
        why: "the organization access role is protected",
    },
    Case {
        account: "prod-web",
        action: "iam:DeleteRole",
        region: "us-east-1",
        extra: &[
            "--resource",
            "arn:aws:iam::333333333302:role/OrganizationAccountAccessRole",
            "--principal",
            "arn:aws:iam::333333333302:role/OrganizationAccountAccessRole",
        ],
        expect: "Allowed",
        by: "",
        why: "the role itself is the exception",
    },
    Case {
        account: "prod-web",
        action: "iam:DeleteRole",
        region: "us-east-1",
        extra: &["--resource", "arn:aws:iam::333333333302:role/app-role"],
        expect: "Allowed",
        by: "",
        why: "other roles are not protected",
    },
    Case {
        account: "prod-web",
        action: "s3:ListAllMyBuckets",
        region: "us-east-1",
        extra: &["--principal", "arn:aws:iam::333333333302:root"],
        expect: "ExplicitlyDenied",
        by: "DenyMemberRootUser",
        why: "the member root user is subject to SCPs and denied",
    },
    Case {
        account: "prod-web",
        action: "ec2:DescribeInstances",
        region: "us-east-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333302:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
        ],
        expect: "Allowed",
        by: "",
        why: "service-linked roles are not affected by SCPs",
    },
    Case {
        account: "prod-web",
        action: "ec2:RunInstances",
        region: "eu-west-1",
        extra: &[
            "--resource",
            "arn:aws:ec2:eu-west-1:333333333302:instance/*",
        ],
        expect: "ExplicitlyDenied",
        by: "RequireImdsV2",
        why: "no ec2:MetadataHttpTokens: the negated operator is true when the key is absent",
    },
    Case {
        account: "prod-web",
        action: "ec2:RunInstances",
        region: "eu-west-1",
        extra: &[
            "--resource",
            "arn:aws:ec2:eu-west-1:333333333302:instance/*",
            "--context",
            "ec2:MetadataHttpTokens=required",
        ],
        expect: "Allowed",
        by: "",
        why: "IMDSv2 required",
    },
    Case {
        account: "prod-web",
        action: "ec2:DescribeInstances",
        region: "us-east-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333302:role/platform-admin",
        ],
        expect: "Allowed",
        by: "",
        why: "platform-admin is the region-deny exception",
    },
    Case {
        account: "dev-web",
        action: "s3:GetObject",
        region: "eu-west-1",
        extra: &[
            "--resource",
            "arn:aws:s3:::dev-web-bucket/report.csv",
            "--context",
            "aws:SecureTransport=false",
        ],
        expect: "ExplicitlyDenied",
        by: "EnforceTls",
        why: "the root RCP denies S3 over plain HTTP",
    },
    Case {
        account: "dev-web",
        action: "s3:GetObject",
        region: "eu-west-1",
        extra: &["--resource", "arn:aws:s3:::dev-web-bucket/report.csv"],
        expect: "Allowed",
        by: "",
        why: "TLS by default",
    },
    Case {
        account: "prod-payments",
        action: "redshift:CreateCluster",
        region: "eu-west-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333301:role/PaymentsDeveloper",
        ],
        expect: "ExplicitlyDenied",
        by: "DenyRestrictedServices",
        why: "the identity policy allows Redshift, the SCP denies it",
    },
    Case {
        account: "prod-payments",
        action: "dynamodb:PutItem",
        region: "eu-west-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333301:role/PaymentsDeveloper",
        ],
        expect: "Allowed",
        by: "",
        why: "identity policy and boundary both allow DynamoDB",
    },
    Case {
        account: "prod-payments",
        action: "ec2:RunInstances",
        region: "eu-west-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333301:role/PaymentsDeveloper",
        ],
        expect: "ImplicitlyDenied",
        by: "",
        why: "the identity policy does not allow EC2",
    },
    Case {
        account: "prod-payments",
        action: "iam:GetRole",
        region: "eu-west-1",
        extra: &[
            "--principal",
            "arn:aws:iam::333333333301:role/PaymentsDeveloper",
        ],
        expect: "Allowed",
        by: "",
        why: "iam:Get* in identity policy and boundary; IAM exempt from the region deny",
    },
];

fn simulate(args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["simulate", "--format", "json", "--org", ORG])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (o.status.code().unwrap(), v)
}

#[test]
fn hand_derived_decisions() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for c in CASES {
        let mut args = vec![
            "--account",
            c.account,
            "--action",
            c.action,
            "--region",
            c.region,
        ];
        args.extend_from_slice(c.extra);
        let (code, v) = simulate(&args);
        let got = v["results"][0]["decision"]
            .as_str()
            .unwrap_or("<none>")
            .to_string();
        let by = v["results"][0]["decided_by"].to_string();
        if code != 0 || got != c.expect || !by.contains(c.by) {
            failures.push(format!(
                "{} {} {} {:?}: expected {} by {:?} ({}), got {got} by {by} (exit {code})",
                c.account, c.action, c.region, c.extra, c.expect, c.by, c.why
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn expect_flag_sets_the_exit_code() {
    let base = [
        "--account",
        "prod-payments",
        "--action",
        "redshift:CreateCluster",
        "--region",
        "eu-west-1",
    ];
    let (ok, _) = simulate(&[&base[..], &["--expect", "deny"]].concat());
    assert_eq!(ok, 0);
    let (bad, v) = simulate(&[&base[..], &["--expect", "allow"]].concat());
    assert_eq!(bad, 1);
    assert_eq!(v["expectation_met"], false);
}

#[test]
fn pattern_by_all_regions_gives_a_full_table() {
    let (code, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "redshift:*",
        "--region",
        "all",
    ]);
    assert_eq!(code, 0);
    let results = v["results"].as_array().unwrap();
    let regions: std::collections::BTreeSet<_> = results
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    let actions: std::collections::BTreeSet<_> = results
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(regions.len() >= 30, "every region of the aws partition");
    assert!(actions.len() >= 50, "every Redshift action of the catalog");
    assert_eq!(results.len(), regions.len() * actions.len());
    assert!(results.iter().all(|r| r["decision"] == "ExplicitlyDenied"));
}

#[test]
fn usage_errors() {
    let (code, _) = simulate(&["--account", "prod-paymnets", "--action", "s3:GetObject"]);
    assert_eq!(code, 2);
    let (code, _) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
        "--region",
        "us-eats-1",
    ]);
    assert_eq!(code, 2);
    let (code, _) = simulate(&["--account", "prod-payments", "--action", "nosuchservice:*"]);
    assert_eq!(code, 2);
}

#[test]
fn human_output_snapshot_and_determinism() {
    let run = |threads: &str, format: &str| {
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args([
                "simulate",
                "--format",
                format,
                "--org",
                ORG,
                "--account",
                "prod-payments",
            ])
            .args([
                "--action",
                "redshift:CreateCluster",
                "--region",
                "eu-west-1",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("RAYON_NUM_THREADS", threads)
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    };
    let a = run("1", "plain");
    let b = run("2", "plain");
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    assert!(text.contains("redshift:CreateCluster in eu-west-1: ExplicitlyDenied"));
    insta::assert_snapshot!("simulate_prod_payments_redshift", text);

    let table = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args([
                "simulate",
                "--org",
                ORG,
                "--account",
                "sandbox-bob",
                "--action",
                "ec2:*Instances",
                "--region",
                "all",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
            .stdout
    };
    let t1 = table("1");
    assert_eq!(t1, table("2"));
    insta::assert_snapshot!(
        "simulate_sandbox_ec2_instances_table",
        String::from_utf8(t1).unwrap()
    );
}

#[test]
fn resource_scoped_denies_are_listed_when_the_resource_is_star() {
    // RequireImdsV2 denies ec2:RunInstances on `instance/*` only: on `*` it cannot apply, so
    // the answer says so and names it; with an instance ARN (and no IMDSv2 context) it decides.
    let base = [
        "--account",
        "prod-payments",
        "--action",
        "ec2:RunInstances",
        "--region",
        "eu-west-1",
    ];
    let (code, v) = simulate(&base);
    assert_eq!(code, 0);
    assert_eq!(v["results"][0]["decision"], "Allowed");
    let scoped = v["resource_scoped_denies"].as_array().unwrap();
    assert_eq!(scoped.len(), 1, "{scoped:?}");
    assert_eq!(scoped[0]["policy"], "RequireImdsV2");
    assert_eq!(scoped[0]["resources"][0], "arn:aws:ec2:*:*:instance/*");
    assert!(
        scoped[0]["location"]
            .as_str()
            .unwrap()
            .contains("require-imdsv2.json:")
    );
    let mut with_arn = base.to_vec();
    with_arn.extend([
        "--resource",
        "arn:aws:ec2:eu-west-1:333333333301:instance/i-0123456789abcdef0",
    ]);
    let (_, v) = simulate(&with_arn);
    assert_eq!(v["results"][0]["decision"], "ExplicitlyDenied", "{v}");
    assert!(v.get("resource_scoped_denies").is_none());
    // An action no resource-scoped Deny covers gets no list.
    let (_, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
        "--region",
        "eu-west-1",
    ]);
    assert!(v.get("resource_scoped_denies").is_none(), "{v}");
}

#[test]
fn expect_with_an_unknown_action_is_a_usage_error() {
    let (code, _) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObjet",
        "--region",
        "eu-west-1",
        "--expect",
        "allow",
    ]);
    assert_eq!(code, 2, "a typo must not pass as Allowed");
    // Without --expect it is simulated as given (with a warning on stderr).
    let (code, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObjet",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["results"][0]["action"], "s3:GetObjet");
}

#[test]
fn the_resource_account_decides_the_rcp_chain_and_sessions_use_their_role() {
    // `--context aws:ResourceAccount` names the owner of an S3 object (S3 ARNs carry no
    // account): here the management account, whose resources RCPs never affect (R2.1).
    let (code, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
        "--region",
        "eu-west-1",
        "--resource",
        "arn:aws:s3:::b/k",
        "--context",
        "aws:ResourceAccount=111111111111",
    ]);
    assert_eq!(code, 0, "{v}");
    let rcps = &v["trace"]["rcps"];
    assert_eq!(rcps["applies"], false, "{rcps}");
    assert!(
        rcps["skipped_because"]
            .as_str()
            .unwrap()
            .contains("management account"),
        "{rcps}"
    );
    // Without it, the caller's own account owns the object and the RCPs apply.
    let (_, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
        "--region",
        "eu-west-1",
        "--resource",
        "arn:aws:s3:::b/k",
    ]);
    assert_eq!(v["trace"]["rcps"]["applies"], true, "{v}");
    // An ARN in an account outside the organization: that account owns it (cross-account,
    // R1.11), not the caller's.
    let (_, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "sqs:SendMessage",
        "--region",
        "eu-west-1",
        "--resource",
        "arn:aws:sqs:eu-west-1:999999999999:q",
    ]);
    assert_eq!(v["results"][0]["decision"], "ImplicitlyDenied", "{v}");
    assert_eq!(
        v["results"][0]["decided_by"]["grant"]["by"],
        "cross-account-without-resource-grant"
    );
    let ctx = v["trace"]["context"].to_string();
    assert!(ctx.contains("999999999999"), "{ctx}");
    // A role session is decided with its role's policies from the org file (R7.2).
    let session = "arn:aws:sts::333333333301:assumed-role/PaymentsDeveloper/alice";
    let role = "arn:aws:iam::333333333301:role/PaymentsDeveloper";
    let ask = |p: &str| {
        simulate(&[
            "--account",
            "prod-payments",
            "--principal",
            p,
            "--action",
            "iam:CreateUser",
        ])
        .1
    };
    let (s, r) = (ask(session), ask(role));
    assert_eq!(r["results"][0]["decision"], "ImplicitlyDenied", "{r}");
    assert_eq!(
        s["results"][0]["decision"], r["results"][0]["decision"],
        "{s}"
    );
    assert_eq!(s["identity"], r["identity"], "{s}");
}

#[test]
fn context_and_resource_values_are_checked_before_deciding() {
    let base = ["--account", "prod-payments", "--action", "s3:GetObject"];
    let stderr = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args(["simulate", "--org", ORG])
            .args(base)
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    for (extra, says) in [
        (&["--context", "=x"][..], "has no key name"),
        (
            &["--context", "aws:SecureTransport=maybe"][..],
            "aws:SecureTransport=maybe",
        ),
        (&["--resource", "not-an-arn"][..], "neither `*` nor an ARN"),
        (
            &[
                "--region",
                "eu-west-1",
                "--context",
                "aws:RequestedRegion=us-west-2",
            ][..],
            "disagree",
        ),
        (
            &[
                "--context",
                "aws:SourceVpce=vpce-1",
                "--context",
                "aws:SourceVpce=vpce-2",
            ][..],
            "single-valued",
        ),
    ] {
        let (code, err) = stderr(extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
    }
    // A multivalued key takes one --context per value; a region given only as context names
    // the region of the answer.
    let (code, _) = stderr(&["--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b"]);
    assert_eq!(code, 0);
    let (code, v) = simulate(&[
        "--account",
        "prod-payments",
        "--action",
        "s3:GetObject",
        "--context",
        "aws:RequestedRegion=us-west-2",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["results"][0]["region"], "us-west-2", "{v}");
    assert_eq!(v["results"][0]["decision"], "ExplicitlyDenied", "{v}");
}

#[test]
fn a_caller_outside_the_organization_meets_only_the_rcps() {
    // The example's identity perimeter RCP denies S3 to principals of other organizations.
    let ask = |principal: &str, action: &str| {
        simulate(&[
            "--account",
            "prod-payments",
            "--principal",
            principal,
            "--action",
            action,
            "--region",
            "eu-west-1",
            "--resource",
            "arn:aws:s3:::payments-data/x",
        ])
    };
    let (code, v) = ask("arn:aws:iam::999999999999:role/Partner", "s3:GetObject");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["results"][0]["decision"], "ExplicitlyDenied", "{v}");
    assert!(
        v["results"][0]["decided_by"]
            .to_string()
            .contains("OrgIdentityPerimeter"),
        "{v}"
    );
    assert_eq!(v["trace"]["scps"]["applies"], false, "{v}");
    assert!(
        v["identity"]
            .as_str()
            .unwrap()
            .contains("outside the organization"),
        "{v}"
    );
    // Redshift is no RCP service and the org's SCPs do not govern the caller: allowed.
    let (_, v) = ask(
        "arn:aws:iam::999999999999:role/Partner",
        "redshift:DescribeClusters",
    );
    assert_eq!(v["results"][0]["decision"], "Allowed", "{v}");
    // A principal of another account of the organization is still a usage error.
    let (code, _) = ask("arn:aws:iam::333333333302:role/X", "s3:GetObject");
    assert_eq!(code, 2);
}
