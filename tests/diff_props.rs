//! Property test of `diff`'s exactness (issue #8): for random small organizations (a root, 1-3
//! OUs, 1-4 accounts, SCPs drawn from region allow-lists, service denies, ArnLike/ArnNotLike
//! principal exceptions, StringEquals/StringLike on context keys, FullAWSAccess attached or not)
//! and random edits,
//!
//! (a) every change `diff` reports is confirmed on its witness request: the engine, set up as
//!     `simulate` sets it up, gives the reported decisions and deciding steps on both versions
//!     (and `simulate` itself, run in-process, agrees on the first rows);
//! (b) every random concrete request (account, action from a small catalog subset, region,
//!     principal, resource, context values) whose decision differs between the versions is
//!     covered by a reported row: same account, service, region, decisions and deciding steps.
//!
//! `PROPTEST_CASES` sets the number of cases (default 32).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use scpsim::analyze::diff::{ContextValue, DiffResult, diff};
use scpsim::analyze::{ASSUMED_IDENTITY, chain_nodes};
use scpsim::catalog::Catalog;
use scpsim::commands::catalog_eval_options;
use scpsim::commands::simulate::{SimulateParams, run as simulate};
use scpsim::eval::trace::DecidedBy;
use scpsim::eval::{Decision, Evaluator, NamedPolicy, PolicySet, Request};
use scpsim::org::OrgTree;
use scpsim::output::Format;
use scpsim::policy::parse_policy;
use serde_json::{Value, json};

const REGIONS: [&str; 4] = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"];
const REQUEST_REGIONS: [&str; 6] = [
    "eu-west-1",
    "eu-central-1",
    "us-east-1",
    "us-west-2",
    "ap-south-1",
    "sa-east-1",
];
const SERVICES: [&str; 10] = [
    "s3",
    "ec2",
    "redshift",
    "es",
    "sqs",
    "iam",
    "cloudtrail",
    "dynamodb",
    "sts",
    "organizations",
];
const ACTIONS: [&str; 15] = [
    "s3:GetObject",
    "s3:PutObject",
    "ec2:RunInstances",
    "ec2:DescribeInstances",
    "redshift:CreateCluster",
    "es:CreateDomain",
    "sqs:SendMessage",
    "iam:CreateUser",
    "iam:PassRole",
    "cloudtrail:StopLogging",
    "dynamodb:PutItem",
    "sts:AssumeRole",
    "organizations:LeaveOrganization",
    "kms:Decrypt",
    "lambda:InvokeFunction",
];
const PRINCIPAL_PATTERNS: [&str; 4] = [
    "arn:aws:iam::*:role/admin",
    "arn:aws:iam::*:role/admin-*",
    "arn:aws:iam::*:role/OrganizationAccountAccessRole",
    "arn:aws:iam::*:role/*ops*",
];
/// Principals of random requests (`{a}` = the account id).
const PRINCIPALS: [&str; 7] = [
    "arn:aws:iam::{a}:role/dev",
    "arn:aws:iam::{a}:role/admin",
    "arn:aws:iam::{a}:role/admin-ops",
    "arn:aws:iam::{a}:role/OrganizationAccountAccessRole",
    "arn:aws:iam::{a}:root",
    "arn:aws:iam::{a}:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps",
    "arn:aws:iam::{a}:user/alice",
];
const RESOURCES: [&str; 3] = [
    "*",
    "arn:aws:iam::{a}:role/OrganizationAccountAccessRole",
    "arn:aws:s3:::bucket/key",
];
/// Context keys of generated conditions, with the literals policies use and the values
/// requests draw from.
const KEYS: [(&str, &[&str], &[&str]); 3] = [
    (
        "aws:PrincipalTag/team",
        &["platform", "data", "plat*"],
        &["platform", "data", "platformers", "web"],
    ),
    (
        "ec2:MetadataHttpTokens",
        &["required", "optional"],
        &["required", "optional", "other"],
    ),
    (
        "aws:ResourceTag/env",
        &["prod", "prod-*", "dev"],
        &["prod", "prod-main", "dev", "staging"],
    ),
];
const OPERATORS: [&str; 7] = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
];

#[derive(Debug, Clone)]
enum Pol {
    /// Deny everything (or everything but some global services) outside `regions`.
    RegionAllow {
        regions: Vec<usize>,
        not_actions: bool,
        exception: Option<usize>,
    },
    /// Deny services, optionally only for (ArnLike) or except for (ArnNotLike) a principal
    /// pattern, optionally only on the OrganizationAccountAccessRole ARN.
    ServiceDeny {
        services: Vec<usize>,
        exception: Option<(bool, usize)>,
        role_resource: bool,
    },
    /// Deny services when a context key compares with literals.
    ContextDeny {
        services: Vec<usize>,
        key: usize,
        op: usize,
        values: Vec<usize>,
    },
    /// An SCP Allow of some services only.
    AllowList { services: Vec<usize> },
}

#[derive(Debug, Clone)]
struct Attach {
    full: bool,
    pols: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Spec {
    /// Parent of each OU: `None` = root, `Some(j)` = OU `j % i` (an earlier OU).
    ous: Vec<Option<usize>>,
    /// Parent of each account: `None` = root, `Some(j)` = OU `j % ous.len()`.
    accounts: Vec<Option<usize>>,
    policies: Vec<Pol>,
    /// Attachments of the root, then each OU, then each account (cycled).
    attach: Vec<Attach>,
}

#[derive(Debug, Clone)]
enum Edit {
    ToggleRegion(usize, usize),
    ToggleService(usize, usize),
    SetException(usize, Option<(bool, usize)>),
    ToggleNotActions(usize),
    ToggleFull(usize),
    ToggleAttach(usize, usize),
    ToggleContextValue(usize, usize),
    ChangeOperator(usize, usize),
}

fn subset(n: usize, max: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::btree_set(0..n, 1..=max).prop_map(|s| s.into_iter().collect())
}

fn pol() -> impl Strategy<Value = Pol> {
    prop_oneof![
        (
            subset(REGIONS.len(), 3),
            any::<bool>(),
            proptest::option::of(0..PRINCIPAL_PATTERNS.len())
        )
            .prop_map(|(regions, not_actions, exception)| Pol::RegionAllow {
                regions,
                not_actions,
                exception
            }),
        (
            subset(SERVICES.len(), 3),
            proptest::option::of((any::<bool>(), 0..PRINCIPAL_PATTERNS.len())),
            proptest::bool::weighted(0.2)
        )
            .prop_map(|(services, exception, role_resource)| Pol::ServiceDeny {
                services,
                exception,
                role_resource
            }),
        (
            subset(SERVICES.len(), 3),
            0..KEYS.len(),
            0..OPERATORS.len(),
            subset(3, 2)
        )
            .prop_map(|(services, key, op, values)| Pol::ContextDeny {
                services,
                key,
                op,
                values
            }),
        subset(SERVICES.len(), 4).prop_map(|services| Pol::AllowList { services }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec(proptest::option::of(0..3usize), 1..=3),
        proptest::collection::vec(proptest::option::of(0..3usize), 1..=4),
        proptest::collection::vec(pol(), 1..=4),
        proptest::collection::vec(
            (
                proptest::bool::weighted(0.8),
                proptest::collection::vec(0..4usize, 0..=2),
            )
                .prop_map(|(full, pols)| Attach { full, pols }),
            8,
        ),
    )
        .prop_map(|(ous, accounts, policies, attach)| Spec {
            ous,
            accounts,
            policies,
            attach,
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..4usize, 0..REGIONS.len()).prop_map(|(p, r)| Edit::ToggleRegion(p, r)),
        (0..4usize, 0..SERVICES.len()).prop_map(|(p, s)| Edit::ToggleService(p, s)),
        (
            0..4usize,
            proptest::option::of((any::<bool>(), 0..PRINCIPAL_PATTERNS.len()))
        )
            .prop_map(|(p, e)| Edit::SetException(p, e)),
        (0..4usize).prop_map(Edit::ToggleNotActions),
        (0..8usize).prop_map(Edit::ToggleFull),
        (0..8usize, 0..4usize).prop_map(|(n, p)| Edit::ToggleAttach(n, p)),
        (0..4usize, 0..3usize).prop_map(|(p, v)| Edit::ToggleContextValue(p, v)),
        (0..4usize, 0..OPERATORS.len()).prop_map(|(p, o)| Edit::ChangeOperator(p, o)),
    ]
}

fn toggle(v: &mut Vec<usize>, x: usize) {
    if let Some(i) = v.iter().position(|y| *y == x) {
        if v.len() > 1 {
            v.remove(i);
        }
    } else {
        v.push(x);
        v.sort_unstable();
    }
}

impl Spec {
    fn nodes(&self) -> usize {
        1 + self.ous.len() + self.accounts.len()
    }

    /// The `n`-th policy (cyclically) for which `f` applies the edit.
    fn edit_policy(&mut self, n: usize, f: impl Fn(&mut Pol) -> bool) {
        let len = self.policies.len();
        for k in 0..len {
            if f(&mut self.policies[(n + k) % len]) {
                return;
            }
        }
    }

    fn apply(&mut self, e: &Edit) {
        match *e {
            Edit::ToggleRegion(p, r) => self.edit_policy(p, |pol| match pol {
                Pol::RegionAllow { regions, .. } => {
                    toggle(regions, r);
                    true
                }
                _ => false,
            }),
            Edit::ToggleService(p, s) => self.edit_policy(p, |pol| match pol {
                Pol::ServiceDeny { services, .. }
                | Pol::ContextDeny { services, .. }
                | Pol::AllowList { services } => {
                    toggle(services, s);
                    true
                }
                Pol::RegionAllow { .. } => false,
            }),
            Edit::SetException(p, x) => self.edit_policy(p, |pol| match pol {
                Pol::ServiceDeny { exception, .. } => {
                    *exception = x;
                    true
                }
                Pol::RegionAllow { exception, .. } => {
                    *exception = x.map(|(_, i)| i);
                    true
                }
                _ => false,
            }),
            Edit::ToggleNotActions(p) => self.edit_policy(p, |pol| match pol {
                Pol::RegionAllow { not_actions, .. } => {
                    *not_actions = !*not_actions;
                    true
                }
                Pol::ServiceDeny { role_resource, .. } => {
                    *role_resource = !*role_resource;
                    true
                }
                _ => false,
            }),
            Edit::ToggleFull(n) => {
                let i = n % self.nodes() % self.attach.len();
                self.attach[i].full ^= true;
            }
            Edit::ToggleAttach(n, p) => {
                let i = n % self.nodes();
                let len = self.attach.len();
                let pols = &mut self.attach[i % len].pols;
                if let Some(k) = pols.iter().position(|x| *x == p) {
                    pols.remove(k);
                } else {
                    pols.push(p);
                }
            }
            Edit::ToggleContextValue(p, v) => self.edit_policy(p, |pol| match pol {
                Pol::ContextDeny { values, .. } => {
                    toggle(values, v);
                    true
                }
                _ => false,
            }),
            Edit::ChangeOperator(p, o) => self.edit_policy(p, |pol| match pol {
                Pol::ContextDeny { op, .. } => {
                    *op = o;
                    true
                }
                _ => false,
            }),
        }
    }

    fn account_id(i: usize) -> String {
        format!("{:012}", 222_222_222_200 + i)
    }

    /// Writes the org (org.json + policies/) into `dir`.
    fn write(&self, dir: &Path) {
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        let mut defs = vec![
            json!({"name": "FullAWSAccess", "type": "scp", "aws_managed": true, "file": "policies/full.json"}),
        ];
        std::fs::write(
            dir.join("policies/full.json"),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}).to_string(),
        )
        .unwrap();
        defs.push(json!({"name": "DenyLeave", "type": "scp", "file": "policies/leave.json"}));
        std::fs::write(
            dir.join("policies/leave.json"),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}).to_string(),
        )
        .unwrap();
        for (i, p) in self.policies.iter().enumerate() {
            let name = format!("P{i}");
            let file = format!("policies/p{i}.json");
            std::fs::write(dir.join(&file), render(p).to_string()).unwrap();
            defs.push(json!({"name": name, "type": "scp", "file": file}));
        }
        let scps = |node: usize| -> Vec<String> {
            let a = &self.attach[node % self.attach.len()];
            let mut v = Vec::new();
            if a.full {
                v.push("FullAWSAccess".to_string());
            }
            for &p in &a.pols {
                let name = format!("P{}", p % self.policies.len());
                if !v.contains(&name) {
                    v.push(name);
                }
            }
            if v.is_empty() {
                v.push("DenyLeave".to_string());
            }
            v
        };
        let account = |i: usize| json!({"id": Self::account_id(i), "name": format!("acct{i}"), "scps": scps(1 + self.ous.len() + i)});
        // OUs: parent of OU i is the root or an earlier OU.
        let parent_of = |i: usize| self.ous[i].filter(|_| i > 0).map(|j| j % i);
        fn build(
            spec: &Spec,
            ou: usize,
            parent_of: &dyn Fn(usize) -> Option<usize>,
            scps: &dyn Fn(usize) -> Vec<String>,
            account: &dyn Fn(usize) -> Value,
        ) -> Value {
            let children: Vec<Value> = (0..spec.ous.len())
                .filter(|&c| parent_of(c) == Some(ou))
                .map(|c| build(spec, c, parent_of, scps, account))
                .collect();
            let accounts: Vec<Value> = (0..spec.accounts.len())
                .filter(|&a| spec.accounts[a].map(|j| j % spec.ous.len()) == Some(ou))
                .map(account)
                .collect();
            json!({"id": format!("ou-prop-{ou:08}"), "name": format!("OU{ou}"), "scps": scps(1 + ou), "ous": children, "accounts": accounts})
        }
        let top: Vec<Value> = (0..self.ous.len())
            .filter(|&c| parent_of(c).is_none())
            .map(|c| build(self, c, &parent_of, &scps, &account))
            .collect();
        let mut root_accounts =
            vec![json!({"id": "111111111111", "name": "management", "scps": ["FullAWSAccess"]})];
        root_accounts.extend(
            (0..self.accounts.len())
                .filter(|&a| self.accounts[a].is_none())
                .map(account),
        );
        let org = json!({
            "version": 1,
            "organization_id": "o-prop000001",
            "management_account_id": "111111111111",
            "policies": defs,
            "root": {"id": "r-prop", "scps": scps(0), "ous": top, "accounts": root_accounts},
        });
        std::fs::write(
            dir.join("org.json"),
            serde_json::to_string_pretty(&org).unwrap(),
        )
        .unwrap();
    }
}

fn render(p: &Pol) -> Value {
    let services =
        |s: &[usize]| -> Vec<String> { s.iter().map(|&i| format!("{}:*", SERVICES[i])).collect() };
    let statement = match p {
        Pol::RegionAllow {
            regions,
            not_actions,
            exception,
        } => {
            let mut cond = json!({"StringNotEquals": {"aws:RequestedRegion": regions.iter().map(|&i| REGIONS[i]).collect::<Vec<_>>()}});
            if let Some(e) = exception {
                cond["ArnNotLike"] = json!({"aws:PrincipalArn": PRINCIPAL_PATTERNS[*e]});
            }
            let mut s = json!({"Effect": "Deny", "Resource": "*", "Condition": cond});
            if *not_actions {
                s["NotAction"] = json!(["iam:*", "organizations:*", "sts:*", "route53:*"]);
            } else {
                s["Action"] = json!("*");
            }
            s
        }
        Pol::ServiceDeny {
            services: svc,
            exception,
            role_resource,
        } => {
            let mut s = json!({"Effect": "Deny", "Action": services(svc), "Resource": "*"});
            if *role_resource {
                s["Resource"] = json!("arn:aws:iam::*:role/OrganizationAccountAccessRole");
            }
            if let Some((like, e)) = exception {
                let op = if *like { "ArnLike" } else { "ArnNotLike" };
                s["Condition"] = json!({op: {"aws:PrincipalArn": PRINCIPAL_PATTERNS[*e]}});
            }
            s
        }
        Pol::ContextDeny {
            services: svc,
            key,
            op,
            values,
        } => {
            let (k, lits, _) = KEYS[*key];
            let vals: Vec<&str> = values.iter().map(|&i| lits[i % lits.len()]).collect();
            json!({"Effect": "Deny", "Action": services(svc), "Resource": "*",
                   "Condition": {OPERATORS[*op]: {k: vals}}})
        }
        Pol::AllowList { services: svc } => {
            json!({"Effect": "Allow", "Action": services(svc), "Resource": "*"})
        }
    };
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

fn load(dir: &Path) -> OrgTree {
    let quotas = Catalog::load().unwrap().quotas();
    let loaded = scpsim::org::local::load(dir, &quotas);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == scpsim::diag::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    loaded.tree.unwrap()
}

/// One request, as the test describes it.
#[derive(Debug, Clone)]
struct Req {
    account: String,
    action: String,
    region: String,
    principal: String,
    resource: String,
    context: BTreeMap<String, ContextValue>,
}

/// Decides requests on one org version as `simulate` does: the account's SCP chain (RCP chain
/// of the resource's account), identity policies assumed to allow everything,
/// `aws:SecureTransport` true, `aws:PrincipalOrgPaths` and the org id.
struct Oracle<'a> {
    org: &'a OrgTree,
    evaluators: HashMap<String, Evaluator>,
}

impl<'a> Oracle<'a> {
    fn new(org: &'a OrgTree) -> Self {
        Oracle {
            org,
            evaluators: HashMap::new(),
        }
    }

    fn decide(&mut self, r: &Req) -> (Decision, DecidedBy) {
        let org = self.org;
        let node = org.account(&r.account).unwrap();
        let ev = self.evaluators.entry(r.account.clone()).or_insert_with(|| {
            let set = PolicySet {
                scps: chain_nodes(org, node, false),
                rcps: if org.rcps_enabled {
                    chain_nodes(org, node, true)
                } else {
                    Vec::new()
                },
                identity: vec![NamedPolicy {
                    name: "(assumed: identity policies allow everything)".into(),
                    document: parse_policy(ASSUMED_IDENTITY).unwrap(),
                    source: None,
                }],
                management_account: org.management_account_id.clone(),
                ..PolicySet::default()
            };
            Evaluator::new(&set, catalog_eval_options())
        });
        let mut req = Request::new(&r.principal, &r.action, &r.resource).unwrap();
        req.region = Some(r.region.clone());
        req.principal_org_id = org.organization_id.clone();
        req.resource_account = Some(r.account.clone());
        req.context.set("aws:SecureTransport", "true");
        if let Some(p) = org.org_path(node) {
            req.context.set_multi("aws:PrincipalOrgPaths", vec![p]);
        }
        for (k, v) in &r.context {
            match v {
                ContextValue::Single(x) => req.context.set(k, x.clone()),
                ContextValue::Multi(xs) => req.context.set_multi(k, xs.clone()),
            }
        }
        let t = ev.evaluate(&req);
        (t.decision, t.decided_by)
    }
}

/// `scpsim simulate --format json` run in-process on one request: (decision, decided_by).
fn simulate_json(dir: &Path, r: &Req) -> (Value, Value) {
    let mut context = Vec::new();
    for (k, v) in &r.context {
        match v {
            ContextValue::Single(x) => context.push(format!("{k}={x}")),
            ContextValue::Multi(xs) => context.extend(xs.iter().map(|x| format!("{k}={x}"))),
        }
    }
    let actions = vec![r.action.clone()];
    let regions = vec![r.region.clone()];
    let params = SimulateParams {
        org: dir,
        account: &r.account,
        actions: &actions,
        regions: &regions,
        resource: Some(&r.resource),
        principal: Some(&r.principal),
        context: &context,
        expect: None,
        options: scpsim::commands::catalog_eval_options(),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    simulate(Format::Json, &params, &mut out, &mut err);
    let v: Value = serde_json::from_slice(&out)
        .unwrap_or_else(|_| panic!("simulate: {}", String::from_utf8_lossy(&err)));
    let cell = &v["results"][0];
    (cell["decision"].clone(), cell["decided_by"].clone())
}

/// The deciding step without its node label: accounts grouped in one row share policy texts
/// along their chains, but the deciding node (an OU, the account itself) is named after the
/// row's first account.
fn unlabelled(d: &DecidedBy) -> DecidedBy {
    match d.clone() {
        DecidedBy::ExplicitDeny {
            policy_type,
            policy,
            statement,
            ..
        } => DecidedBy::ExplicitDeny {
            policy_type,
            node: None,
            policy,
            statement,
        },
        DecidedBy::ChainWithoutAllow { policy_type, .. } => DecidedBy::ChainWithoutAllow {
            policy_type,
            node: String::new(),
        },
        other => other,
    }
}

/// Checks (a) and (b) on one base/head pair; returns the number of changed random requests.
fn check_pair(base_dir: &Path, head_dir: &Path, requests: &[Req]) -> usize {
    let (base, head) = (load(base_dir), load(head_dir));
    let catalog = Catalog::load().unwrap();
    let result: DiffResult = diff(&base, &head, catalog, catalog_eval_options());
    assert!(
        result.approximate_keys.is_empty(),
        "{:?}",
        result.approximate_keys
    );
    let (mut bo, mut ho) = (Oracle::new(&base), Oracle::new(&head));
    // (a) every reported row is confirmed on its witness, for every account of the row.
    for (i, row) in result.rows.iter().enumerate() {
        for account in &row.accounts {
            let principal = row.principal.replace(&row.accounts[0], account);
            let resource = row.resource.replace(&row.accounts[0], account);
            let r = Req {
                account: account.clone(),
                action: row.action.clone(),
                region: row.region.clone(),
                principal,
                resource,
                context: row.context.clone(),
            };
            let (db, mut bb) = bo.decide(&r);
            let (dh, mut hb) = ho.decide(&r);
            let (mut rb, mut rh) = (row.before_by.clone(), row.after_by.clone());
            if account != &row.accounts[0] {
                (bb, hb, rb, rh) = (
                    unlabelled(&bb),
                    unlabelled(&hb),
                    unlabelled(&rb),
                    unlabelled(&rh),
                );
            }
            assert_eq!(
                (db, &bb, dh, &hb),
                (row.before, &rb, row.after, &rh),
                "witness of row {i} in account {account}: {row:?}"
            );
            if i < 2 && account == &row.accounts[0] {
                let (sb, sbb) = simulate_json(base_dir, &r);
                let (sh, shb) = simulate_json(head_dir, &r);
                assert_eq!(sb, json!(row.before), "simulate base, {row:?}");
                assert_eq!(sh, json!(row.after), "simulate head, {row:?}");
                assert_eq!(sbb, serde_json::to_value(&row.before_by).unwrap());
                assert_eq!(shb, serde_json::to_value(&row.after_by).unwrap());
            }
        }
    }
    // (b) every random request whose decision changed is covered by a row.
    let mut changed = 0;
    for r in requests {
        let (db, bb) = bo.decide(r);
        let (dh, hb) = ho.decide(r);
        if db == dh {
            continue;
        }
        changed += 1;
        let service = r.action.split(':').next().unwrap();
        let covered = result.rows.iter().any(|row| {
            row.accounts.contains(&r.account)
                && row.service == service
                && row.regions.contains(&r.region)
                && (row.before, row.after) == (db, dh)
                && unlabelled(&row.before_by) == unlabelled(&bb)
                && unlabelled(&row.after_by) == unlabelled(&hb)
        });
        assert!(
            covered,
            "changed request not covered by any row: {r:?}: {db:?} ({bb:?}) -> {dh:?} ({hb:?})"
        );
    }
    changed
}

#[derive(Debug, Clone)]
struct RawReq {
    account: usize,
    action: usize,
    region: usize,
    principal: usize,
    resource: usize,
    context: [Option<usize>; 3],
    /// Send the first key as a set of two values (the chosen one and `web`).
    multi: bool,
}

fn raw_req() -> impl Strategy<Value = RawReq> {
    (
        0..5usize,
        0..ACTIONS.len(),
        0..REQUEST_REGIONS.len(),
        0..PRINCIPALS.len(),
        prop_oneof![6 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)],
        [
            proptest::option::of(0..4usize),
            proptest::option::of(0..3usize),
            proptest::option::of(0..4usize),
        ],
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(account, action, region, principal, resource, context, multi)| RawReq {
                account,
                action,
                region,
                principal,
                resource,
                context,
                multi,
            },
        )
}

fn concrete(spec: &Spec, raw: &[RawReq]) -> Vec<Req> {
    raw.iter()
        .map(|r| {
            let account = Spec::account_id(r.account % spec.accounts.len());
            let mut context = BTreeMap::new();
            for (k, c) in r.context.iter().enumerate() {
                if let Some(c) = c {
                    let (key, _, values) = KEYS[k];
                    let v = values[c % values.len()].to_string();
                    let value = if k == 0 && r.multi {
                        ContextValue::Multi(vec![v, "web".to_string()])
                    } else {
                        ContextValue::Single(v)
                    };
                    context.insert(key.to_string(), value);
                }
            }
            Req {
                action: ACTIONS[r.action].to_string(),
                region: REQUEST_REGIONS[r.region].to_string(),
                principal: PRINCIPALS[r.principal].replace("{a}", &account),
                resource: RESOURCES[r.resource].replace("{a}", &account),
                context,
                account,
            }
        })
        .collect()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

fn dirs(base: &Spec, head: &Spec) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (b, h) = (tmp.path().join("base"), tmp.path().join("head"));
    base.write(&b);
    head.write(&h);
    (tmp, b, h)
}

#[test]
fn request_catalog_is_in_the_aws_catalog() {
    let catalog = Catalog::load().unwrap();
    for a in ACTIONS {
        assert!(catalog.action(a).is_some(), "{a}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn diff_is_confirmed_and_complete(
        base in spec(),
        edits in proptest::collection::vec(edit(), 1..=3),
        raw in proptest::collection::vec(raw_req(), 300),
    ) {
        let mut head = base.clone();
        for e in &edits {
            head.apply(e);
        }
        let (_tmp, b, h) = dirs(&base, &head);
        let requests = concrete(&base, &raw);
        check_pair(&b, &h, &requests);
    }
}

/// An unchanged org: nothing reported, no random request changes.
#[test]
fn identical_versions_report_nothing() {
    let spec = Spec {
        ous: vec![None, Some(0)],
        accounts: vec![Some(0), Some(1), None],
        policies: vec![
            Pol::RegionAllow {
                regions: vec![0, 1],
                not_actions: true,
                exception: Some(0),
            },
            Pol::ContextDeny {
                services: vec![0, 1],
                key: 0,
                op: 2,
                values: vec![2],
            },
        ],
        attach: vec![
            Attach {
                full: true,
                pols: vec![],
            },
            Attach {
                full: true,
                pols: vec![0],
            },
            Attach {
                full: true,
                pols: vec![1],
            },
        ],
    };
    let (_tmp, b, h) = dirs(&spec, &spec);
    let (base, head) = (load(&b), load(&h));
    let r = diff(
        &base,
        &head,
        Catalog::load().unwrap(),
        catalog_eval_options(),
    );
    assert!(r.rows.is_empty());
    assert!(r.evaluated > 0);
}
