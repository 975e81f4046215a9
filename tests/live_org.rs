//! `scpsim org pull` against a real AWS Organizations API: a moto server started by
//! `.ci/moto.sh` (its URL in `target/moto/endpoint`, or SCPSIM_MOTO_ENDPOINT), plus fault tests
//! against a small local stub server (throttling then success, repeated 500s, AccessDenied).
//!
//! The moto test seeds an organization through the SDK (OUs 3 levels deep, 45 accounts with 25
//! under one OU so that ListAccountsForParent really pages, SCPs and RCPs attached at root, OU
//! and account level, tags), pulls it with a page size of 3, checks the files against what was
//! seeded, runs `org show` and `simulate` on the snapshot, pulls again (byte-identical), and
//! checks that a failing pull leaves the snapshot untouched. Known moto deviations: it attaches
//! FullAWSAccess only at root and account level (we attach it to OUs as AWS does), and it
//! accepts policies AWS would reject.

#![cfg(feature = "aws")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_organizations::Client;
use aws_sdk_organizations::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_organizations::types::{PolicyType, Tag};

fn moto_endpoint() -> String {
    if let Ok(e) = std::env::var("SCPSIM_MOTO_ENDPOINT") {
        return e;
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/moto/endpoint");
    let endpoint = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        panic!(
            "no moto server: {} is missing; start one with `bash .ci/moto.sh` \
             (or set SCPSIM_MOTO_ENDPOINT)",
            file.display()
        )
    });
    endpoint.trim().to_string()
}

/// A raw HTTP POST with an empty body; returns the status line.
fn http_post(endpoint: &str, path: &str) -> String {
    let addr = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| {
        panic!("moto at {endpoint} is not reachable ({e}); run `bash .ci/moto.sh`")
    });
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line
}

fn scpsim(args: &[&str], endpoint: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("SCPSIM_FORMAT")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL_ORGANIZATIONS")
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/scpsim-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/scpsim-test-credentials",
        )
        .env("SCPSIM_ORG_PAGE_SIZE", "3")
        .output()
        .expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sdk_client(endpoint: &str) -> Client {
    let conf = aws_sdk_organizations::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    Client::from_conf(conf)
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

const DENY_LEAVE: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"DenyLeave\",\n      \"Effect\": \"Deny\",\n      \"Action\": \"organizations:LeaveOrganization\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
const DENY_REDSHIFT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyRedshift","Effect":"Deny","Action":"redshift:*","Resource":"*"}]}"#;
const DENY_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;
const DENY_EC2_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyEc2","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}"#;
const RCP_TLS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EnforceTls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#;
const RCP_SQS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenySqsOutside","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-exampleorg1"}}}]}"#;

/// What was seeded: account name -> (id, OU path), policy names -> content.
struct Seeded {
    accounts: BTreeMap<String, (String, String)>,
    policies: BTreeMap<String, &'static str>,
}

async fn seed(c: &Client) -> Seeded {
    c.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let root = c.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    for t in [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ] {
        c.enable_policy_type()
            .root_id(&root)
            .policy_type(t)
            .send()
            .await
            .unwrap();
    }
    let mut ous: BTreeMap<&str, String> = BTreeMap::new();
    // (path, parent path, tags)
    for (path, parent) in [
        ("Security", ""),
        ("Workloads", ""),
        ("Workloads/Prod", "Workloads"),
        ("Workloads/Prod/Payments", "Workloads/Prod"),
        ("Workloads/Dev", "Workloads"),
        ("Sandbox", ""),
    ] {
        let parent_id = if parent.is_empty() {
            root.clone()
        } else {
            ous[parent].clone()
        };
        let name = path.rsplit('/').next().unwrap();
        let ou = c
            .create_organizational_unit()
            .parent_id(parent_id)
            .name(name)
            .send()
            .await
            .unwrap();
        let id = ou.organizational_unit().unwrap().id().unwrap().to_string();
        c.tag_resource()
            .resource_id(&id)
            .tags(tag("path", path))
            .send()
            .await
            .unwrap();
        // AWS attaches FullAWSAccess to every new OU; moto does not.
        c.attach_policy()
            .policy_id("p-FullAWSAccess")
            .target_id(&id)
            .send()
            .await
            .unwrap();
        ous.insert(path, id);
    }
    let mut accounts = BTreeMap::new();
    let plan = [
        ("Workloads/Prod/Payments", 25, "pay"),
        ("Workloads/Dev", 10, "dev"),
        ("Security", 5, "sec"),
        ("Sandbox", 5, "sbx"),
    ];
    for (ou, n, prefix) in plan {
        for i in 0..n {
            let name = format!("{prefix}-{i:02}");
            let created = c
                .create_account()
                .account_name(&name)
                .email(format!("aws+{name}@example.com"))
                .tags(tag("env", prefix))
                .tags(tag("index", &i.to_string()))
                .send()
                .await
                .unwrap();
            let id = created
                .create_account_status()
                .unwrap()
                .account_id()
                .unwrap()
                .to_string();
            c.move_account()
                .account_id(&id)
                .source_parent_id(&root)
                .destination_parent_id(&ous[ou])
                .send()
                .await
                .unwrap();
            accounts.insert(name, (id, ou.to_string()));
        }
    }
    let mut policies = BTreeMap::new();
    let mut create = async |name: &str, content: &'static str, t: PolicyType| -> String {
        let p = c
            .create_policy()
            .name(name)
            .description("seeded by tests/live_org.rs")
            .content(content)
            .r#type(t)
            .send()
            .await
            .unwrap();
        policies.insert(name.to_string(), content);
        p.policy()
            .unwrap()
            .policy_summary()
            .unwrap()
            .id()
            .unwrap()
            .to_string()
    };
    let deny_leave = create(
        "DenyLeaveOrganization",
        DENY_LEAVE,
        PolicyType::ServiceControlPolicy,
    )
    .await;
    let deny_redshift = create(
        "Deny Redshift (prod)",
        DENY_REDSHIFT,
        PolicyType::ServiceControlPolicy,
    )
    .await;
    let deny_all = create("DenyAll", DENY_ALL, PolicyType::ServiceControlPolicy).await;
    let deny_ec2 = create(
        "DenyEc2ForPay00",
        DENY_EC2_ACCOUNT,
        PolicyType::ServiceControlPolicy,
    )
    .await;
    let rcp_tls = create("EnforceTls", RCP_TLS, PolicyType::ResourceControlPolicy).await;
    let rcp_sqs = create(
        "DenySqsOutsideOrg",
        RCP_SQS,
        PolicyType::ResourceControlPolicy,
    )
    .await;
    let attach = [
        (&deny_leave, root.clone()),
        (&deny_redshift, ous["Workloads/Prod"].clone()),
        (&deny_all, ous["Sandbox"].clone()),
        (&deny_ec2, accounts["pay-00"].0.clone()),
        (&rcp_tls, root.clone()),
        (&rcp_sqs, ous["Workloads/Prod/Payments"].clone()),
        (&rcp_sqs, accounts["dev-03"].0.clone()),
    ];
    for (policy, target) in attach {
        c.attach_policy()
            .policy_id(policy)
            .target_id(target)
            .send()
            .await
            .unwrap();
    }
    Seeded { accounts, policies }
}

/// Every file under `dir`, relative path -> bytes.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn find<'a>(node: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    if node["name"] == name {
        return Some(node);
    }
    node["children"]
        .as_array()?
        .iter()
        .find_map(|c| find(c, name))
}

fn names(v: &serde_json::Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn pull_snapshots_the_seeded_org() {
    let endpoint = moto_endpoint();
    let reset = http_post(&endpoint, "/moto-api/reset");
    assert!(reset.contains("200"), "moto reset: {reset}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = rt.block_on(seed(&sdk_client(&endpoint)));

    let work = tempfile::tempdir().unwrap();
    let snap = work.path().join("snapshot");
    let snap_s = snap.to_str().unwrap();
    let o = scpsim(&["org", "pull", "--out", snap_s], &endpoint);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("46 accounts"),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stdout).contains("6 OUs"), "{}", text(&o.stdout));

    // The org file against what was seeded.
    let org = std::fs::read_to_string(snap.join("org.yaml")).unwrap();
    assert!(org.starts_with("# scpsim org snapshot"), "{org}");
    assert!(org.contains("rcps_enabled: true"), "{org}");
    for (name, (id, _)) in &seeded.accounts {
        assert!(
            org.contains(&format!("id: \"{id}\"")),
            "{id} missing\n{org}"
        );
        assert!(
            org.contains(&format!("email: \"aws+{name}@example.com\"")),
            "{org}"
        );
    }
    assert!(
        org.contains(r#"tags: {"env": "pay", "index": "7"}"#),
        "{org}"
    );
    assert!(
        org.contains(r#"tags: {"path": "Workloads/Prod/Payments"}"#),
        "{org}"
    );
    // Policies: content exactly as AWS returned it, one file each.
    let files = read_tree(&snap);
    for (name, content) in &seeded.policies {
        assert!(org.contains(&format!("name: \"{name}\"")), "{name}\n{org}");
        let file = files
            .iter()
            .find(|(_, bytes)| bytes.as_slice() == content.as_bytes())
            .unwrap_or_else(|| panic!("no policy file holds `{name}` exactly"));
        assert!(file.0.starts_with("policies"), "{}", file.0.display());
    }
    assert!(files.contains_key(Path::new("policies/Deny_Redshift__prod_.json")));
    assert!(files.contains_key(Path::new("policies/FullAWSAccess.json")));

    // org show reads it back, with every account where it was seeded.
    let o = scpsim(
        &["org", "show", "--format", "json", "--org", snap_s],
        &endpoint,
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    let show: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(show["accounts"], 46);
    assert_eq!(show["ous"], 6);
    assert_eq!(show["rcps_enabled"], true);
    let root = &show["root"];
    assert_eq!(
        names(&root["scps"]),
        ["DenyLeaveOrganization", "FullAWSAccess"]
    );
    assert!(names(&root["rcps"]).contains(&"EnforceTls".to_string()));
    let payments = find(root, "Payments").unwrap();
    assert_eq!(payments["children"].as_array().unwrap().len(), 25);
    assert!(names(&payments["rcps"]).contains(&"DenySqsOutsideOrg".to_string()));
    let prod = find(root, "Prod").unwrap();
    assert_eq!(
        names(&prod["scps"]),
        ["Deny Redshift (prod)", "FullAWSAccess"]
    );
    let pay00 = find(root, "pay-00").unwrap();
    assert_eq!(names(&pay00["scps"]), ["DenyEc2ForPay00", "FullAWSAccess"]);
    for (name, (_, ou)) in &seeded.accounts {
        let leaf = ou.rsplit('/').next().unwrap();
        let parent = find(root, leaf).unwrap();
        assert!(find(parent, name).is_some(), "{name} not under {ou}");
    }

    // simulate on the snapshot: the OU SCP denies, the account SCP denies, others allow.
    let sim = |account: &str, action: &str, expect: &str| {
        let o = scpsim(
            &[
                "simulate",
                "--org",
                snap_s,
                "--account",
                account,
                "--action",
                action,
                "--region",
                "us-east-1",
                "--expect",
                expect,
            ],
            &endpoint,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{account} {action} {expect}\nstdout: {}\nstderr: {}",
            text(&o.stdout),
            text(&o.stderr)
        );
    };
    sim("pay-03", "redshift:CreateCluster", "deny");
    sim("dev-01", "redshift:CreateCluster", "allow");
    sim("pay-00", "ec2:RunInstances", "deny");
    sim("pay-01", "ec2:RunInstances", "allow");
    sim("sbx-02", "s3:ListAllMyBuckets", "deny");
    sim("sec-04", "organizations:LeaveOrganization", "deny");
    // `--org aws` reads the live organization directly.
    let o = scpsim(
        &[
            "simulate",
            "--org",
            "aws",
            "--account",
            "pay-03",
            "--action",
            "redshift:CreateCluster",
            "--region",
            "us-east-1",
            "--expect",
            "deny",
        ],
        &endpoint,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("Deny Redshift (prod)"),
        "{}",
        text(&o.stdout)
    );

    // A second pull of the unchanged org is byte-identical.
    let o = scpsim(&["org", "pull", "--out", snap_s], &endpoint);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(read_tree(&snap), files, "second pull differs");

    // A pull that fails (endpoint down) leaves the snapshot untouched and nothing beside it.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scpsim"));
    let o = cmd
        .args(["org", "pull", "--out", snap_s])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "stderr: {}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("cannot reach AWS Organizations"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(read_tree(&snap), files, "failed pull changed the snapshot");
    let beside: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["snapshot"]);
}

/// A stub Organizations endpoint: answers each request with `respond(n, target)` where `n`
/// counts requests from 0 and `target` is the X-Amz-Target operation. Returns its URL.
fn stub<F>(respond: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize, &str) -> (u16, String) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let respond = Arc::new(respond);
    std::thread::spawn(move || {
        // One thread per connection: the SDK fetches attachments concurrently over several
        // connections, and a kept-alive idle one must not block the next.
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = Arc::clone(&seen);
            let respond = Arc::clone(&respond);
            std::thread::spawn(move || serve(stream, &seen, &*respond));
        }
    });
    (url, count)
}

/// Serves the requests of one connection until the client closes it.
fn serve(
    stream: std::net::TcpStream,
    seen: &AtomicUsize,
    respond: &dyn Fn(usize, &str) -> (u16, String),
) {
    let mut reader = BufReader::new(stream);
    loop {
        // One request: headers, then Content-Length bytes.
        let mut target = String::new();
        let mut len = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            first = false;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("x-amz-target:") {
                target = l.rsplit('.').next().unwrap_or_default().trim().to_string();
            }
        }
        if first {
            return;
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let (status, body) = respond(n, &target);
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: stub-{n}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if reader.get_mut().write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A one-account organization, as the JSON bodies of each operation.
fn tiny_org(target: &str) -> String {
    let full =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let summary = r#"{"Id":"p-FullAWSAccess","Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY","AwsManaged":true}"#;
    match target {
        "DescribeOrganization" => r#"{"Organization":{"Id":"o-stub000001","MasterAccountId":"111111111111","FeatureSet":"ALL"}}"#.into(),
        "ListRoots" => r#"{"Roots":[{"Id":"r-stub","Name":"Root","PolicyTypes":[{"Type":"SERVICE_CONTROL_POLICY","Status":"ENABLED"}]}]}"#.into(),
        "ListOrganizationalUnitsForParent" => r#"{"OrganizationalUnits":[]}"#.into(),
        "ListAccountsForParent" => r#"{"Accounts":[{"Id":"111111111111","Name":"management","Email":"m@example.com"}]}"#.into(),
        "ListPoliciesForTarget" => format!(r#"{{"Policies":[{summary}]}}"#),
        "ListTagsForResource" => r#"{"Tags":[]}"#.into(),
        "DescribePolicy" => format!(
            r#"{{"Policy":{{"PolicySummary":{summary},"Content":{}}}}}"#,
            serde_json::to_string(full).unwrap()
        ),
        other => panic!("unexpected operation {other}"),
    }
}

fn stub_pull(url: &str, out: &Path, attempts: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["org", "pull", "--out", out.to_str().unwrap()])
        .env("AWS_ENDPOINT_URL", url)
        .env_remove("AWS_ENDPOINT_URL_ORGANIZATIONS")
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", attempts)
        .output()
        .unwrap()
}

#[test]
fn throttling_is_retried_and_the_pull_completes() {
    let (url, count) = stub(|n, target| {
        if n < 2 {
            (
                400,
                r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#.into(),
            )
        } else {
            (200, tiny_org(target))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let o = stub_pull(&url, &out, "4");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert!(count.load(Ordering::SeqCst) > 2);
    let org = std::fs::read_to_string(out.join("org.yaml")).unwrap();
    assert!(org.contains("\"o-stub000001\""), "{org}");
    assert!(out.join("policies/FullAWSAccess.json").exists());
}

#[test]
fn repeated_server_errors_fail_cleanly() {
    let (url, count) = stub(|_, _| {
        (
            500,
            r#"{"__type":"ServiceException","message":"internal failure"}"#.into(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let o = stub_pull(&url, &out, "3");
    assert_eq!(o.status.code(), Some(3), "stderr: {}", text(&o.stderr));
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "retried up to AWS_MAX_ATTEMPTS"
    );
    assert!(
        text(&o.stderr).contains("ServiceException"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn access_denied_names_the_permission() {
    let (url, _) = stub(|_, target| {
        if target == "DescribeOrganization" {
            (200, tiny_org(target))
        } else {
            (
                400,
                r#"{"__type":"AccessDeniedException","message":"You don't have permissions to access this resource."}"#.into(),
            )
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let o = stub_pull(&url, &out, "2");
    assert_eq!(o.status.code(), Some(3), "stderr: {}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("missing permission `organizations:ListRoots`"),
        "{err}"
    );
    assert!(err.contains("scpsim-org-pull-readonly.json"), "{err}");
    assert!(
        !err.contains("testing"),
        "credentials must never be printed: {err}"
    );
    assert!(!out.exists());
}

#[test]
fn not_in_an_organization_has_its_own_error() {
    let (url, _) = stub(|_, _| {
        (
            400,
            r#"{"__type":"AWSOrganizationsNotInUseException","message":"Your account is not a member of an organization."}"#.into(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let o = stub_pull(&url, &dir.path().join("snap"), "2");
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("not a member of an organization"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_pull_killed_half_way_leaves_the_previous_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let (url, _) = stub(|_, target| (200, tiny_org(target)));
    let o = stub_pull(&url, &out, "2");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    let before = read_tree(&out);

    // A server that stalls on the attachment calls: the pull is killed while waiting.
    let stalled = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&stalled);
    let (url, _) = stub(move |_, target| {
        if target == "ListPoliciesForTarget" {
            seen.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
        (200, tiny_org(target))
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(["org", "pull", "--out", out.to_str().unwrap()])
        .env("AWS_ENDPOINT_URL", &url)
        .env_remove("AWS_ENDPOINT_URL_ORGANIZATIONS")
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while stalled.load(Ordering::SeqCst) == 0 {
        assert!(
            start.elapsed().as_secs() < 30,
            "the pull never reached the attachments"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(read_tree(&out), before, "killed pull changed the snapshot");
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["snap"]);
}
