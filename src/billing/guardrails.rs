//! Spend that the guardrails now deny: for each (account, service, region) with usage spend,
//! ask the engine whether the org's current SCPs allow that service there.
//!
//! SCPs do not stop what already runs: a region or service that an SCP now denies can still
//! cost money (instances started before the SCP was attached keep running,
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>).
//!
//! **Which actions stand for a service.** Spend comes from resources that someone created or
//! changed, which takes the service's *Write* actions (Service Authorization Reference access
//! level) on its resource types. For a service prefix (from `data/aws/billing-services.json`)
//! [`representative_actions`] are evaluated: the catalog's Write actions that name a resource
//! type (else all Write actions, else all actions). The cell is **denied** when all of them
//! are denied, **partly denied** when some are (the count is reported), allowed otherwise.
//! Read and List actions and account-wide settings are left out on purpose: region guardrails
//! exempt a few of them (`ec2:DescribeRegions`, `s3:PutAccountPublicAccessBlock`), which says
//! nothing about whether the service's resources can still be used there.
//!
//! **The request.** The principal is a role in the account whose identity policies allow
//! everything (as `check` and `simulate` assume), the resource `*`, the region the charge's
//! region (a global service's requests carry its home region, R7.1), `aws:SecureTransport`
//! true and `aws:PrincipalOrgPaths` the account's path. Only SCPs are evaluated (RCPs guard
//! resources against principals; billing rows name no principal). The management account is
//! exempt from SCPs, so its spend is never denied.
//!
//! **Not evaluated** (reported with their spend, never dropped): accounts not in the org,
//! services missing from the mapping table or without a service API (data transfer, support),
//! regional services' charges without a region, and regions the catalog does not know.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::{Aggregate, BillingServices, Money};
use crate::analyze::chain_nodes;
use crate::analyze::check::group_key;
use crate::catalog::{AccessLevel, Catalog};
use crate::eval::trace::DecidedBy;
use crate::eval::{Decision, EvalOptions, Evaluator, PolicySet};
use crate::org::{NodeId, NodeKind, OrgTree};

/// The principal evaluated in each account (`{account}` is replaced by its id).
pub const PRINCIPAL: &str = "arn:aws:iam::{account}:role/SimulatedRole";

/// How much of a service the SCPs deny in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every representative action is denied.
    Denied,
    /// Some are denied.
    PartlyDenied,
}

/// One policy that denies some of a cell's actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenyReason {
    /// What decided (the SCP, its statement and node, or the node without an Allow).
    pub decided_by: DecidedBy,
    /// How many of the cell's actions it decided.
    pub actions: usize,
    /// One of those actions (the first by name).
    pub example: String,
}

/// Usage spend in an (account, service, region) that the SCPs deny, wholly or partly.
#[derive(Debug, Clone, Serialize)]
pub struct GuardCell {
    /// Account id.
    pub account: String,
    /// Account name in the org file.
    pub account_name: String,
    /// The service as the export writes it.
    pub service: String,
    /// The IAM service prefix evaluated.
    pub prefix: String,
    /// The region evaluated.
    pub region: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// The usage spend.
    pub money: Money,
    /// Usage rows summed.
    pub rows: u64,
    /// Denied or partly denied.
    pub status: Status,
    /// Representative actions denied.
    pub actions_denied: usize,
    /// Representative actions evaluated.
    pub actions_total: usize,
    /// The deciding policies, most actions first.
    pub reasons: Vec<DenyReason>,
}

/// Why spend was not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The account is not in the org file (or the charge has no account).
    AccountNotInOrg,
    /// The service is not in `data/aws/billing-services.json`.
    UnmappedService,
    /// The service has no API of its own (data transfer, support).
    NoServiceApi,
    /// A regional service's charge without a region.
    NoRegion,
    /// A region the catalog does not know.
    UnknownRegion,
}

impl SkipReason {
    /// A short phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::AccountNotInOrg => "account not in the organization",
            SkipReason::UnmappedService => "service not in the billing service table",
            SkipReason::NoServiceApi => "charge without a service API",
            SkipReason::NoRegion => "regional service charged without a region",
            SkipReason::UnknownRegion => "region unknown to the catalog",
        }
    }
}

/// Usage spend that was not evaluated, per reason, subject and currency.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Why.
    pub reason: SkipReason,
    /// The account, service or region concerned.
    pub subject: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// The usage spend.
    pub money: Money,
}

/// The outcome of the guardrail check.
#[derive(Debug, Clone, Serialize)]
pub struct GuardReport {
    /// Denied cells first, then partly denied; each sorted by account, service, region,
    /// currency.
    pub cells: Vec<GuardCell>,
    /// (account, service, region) cells with usage spend that were evaluated.
    pub evaluated_cells: usize,
    /// Decisions the engine computed (after grouping accounts with identical chains).
    pub decisions: u64,
    /// Spend not evaluated, sorted.
    pub skipped: Vec<Skipped>,
}

impl GuardReport {
    /// Usage spend in wholly denied cells, per currency.
    pub fn denied_totals(&self) -> Vec<(String, Money)> {
        let mut m: BTreeMap<String, Money> = BTreeMap::new();
        for c in self.cells.iter().filter(|c| c.status == Status::Denied) {
            m.entry(c.currency.clone()).or_default().add(&c.money);
        }
        m.into_iter().collect()
    }
}

/// The representative actions of a service prefix: its Write actions that act on a resource
/// type of the service (they create and change what is billed; account-wide settings such as
/// `s3:PutAccountPublicAccessBlock` take no resource and are left out); failing those, all its
/// Write actions; failing those, all its actions. Sorted by name.
pub fn representative_actions(catalog: &Catalog, prefix: &str) -> Vec<String> {
    let Some(svc) = catalog.service(prefix) else {
        return Vec::new();
    };
    let pick = |f: &dyn Fn(&crate::catalog::Action) -> bool| -> Vec<String> {
        svc.actions()
            .iter()
            .filter(|a| f(a))
            .map(|a| format!("{}:{}", svc.prefix, a.name))
            .collect()
    };
    let write = |a: &crate::catalog::Action| a.access.contains(AccessLevel::Write);
    let with_resource = pick(&|a| write(a) && a.resource_types.iter().any(|r| !r.name.is_empty()));
    if !with_resource.is_empty() {
        return with_resource;
    }
    let all_write = pick(&write);
    if !all_write.is_empty() {
        return all_write;
    }
    pick(&|_| true)
}

/// One evaluated (account group, prefix, region).
#[derive(Debug, Clone)]
struct Verdict {
    total: usize,
    denied: usize,
    reasons: Vec<DenyReason>,
}

/// Checks every (account, service, region) with usage spend against the org's SCPs.
///
/// # Errors
///
/// A message when the embedded billing service table is corrupt.
pub fn check(
    org: &OrgTree,
    catalog: &Catalog,
    agg: &Aggregate,
    options: EvalOptions,
) -> Result<GuardReport, String> {
    let table = BillingServices::load()?;
    let identity = crate::analyze::assumed_identity()
        .ok_or_else(|| "the assumed identity policy does not parse".to_string())?;
    let accounts: HashMap<&str, NodeId> = org
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Account)
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let known_region = |r: &str| catalog.partitions().iter().any(|p| p.regions.contains(&r));

    // Usage spend per (account, service, code, region, currency); then the cells to evaluate.
    let mut skipped: BTreeMap<(SkipReason, String, String), Money> = BTreeMap::new();
    // (account node, prefix, region) -> [(service, currency, money, rows)]
    type CellKey = (NodeId, String, String);
    let mut cells: BTreeMap<CellKey, Vec<(String, String, Money, u64)>> = BTreeMap::new();
    for (k, s) in &agg.entries {
        if s.usage == Money::default() {
            continue;
        }
        let mut skip = |reason: SkipReason, subject: &str| {
            skipped
                .entry((reason, subject.to_string(), k.currency.clone()))
                .or_default()
                .add(&s.usage);
        };
        let Some(&node) = accounts.get(k.account.as_str()) else {
            skip(SkipReason::AccountNotInOrg, &k.account);
            continue;
        };
        let Some(svc) = table.lookup(&k.service_code, &k.service) else {
            skip(SkipReason::UnmappedService, &k.service);
            continue;
        };
        let Some(prefix) = &svc.prefix else {
            skip(SkipReason::NoServiceApi, &k.service);
            continue;
        };
        let region = match catalog.global_service_region(prefix) {
            Some(home) if k.region.is_empty() || k.region.eq_ignore_ascii_case("global") => {
                home.to_string()
            }
            _ if k.region.is_empty() => {
                skip(SkipReason::NoRegion, &k.service);
                continue;
            }
            _ if !known_region(&k.region) => {
                skip(SkipReason::UnknownRegion, &k.region);
                continue;
            }
            _ => k.region.clone(),
        };
        cells
            .entry((node, prefix.clone(), region))
            .or_default()
            .push((k.service.clone(), k.currency.clone(), s.usage, s.usage_rows));
    }
    // Group accounts whose chains decide alike; evaluate each (group, prefix, region) once.
    let mut group_of: HashMap<NodeId, NodeId> = HashMap::new();
    let mut rep_of_key: HashMap<String, NodeId> = HashMap::new();
    for &(node, _, _) in cells.keys() {
        let rep = match group_key(org, node) {
            Some(k) => *rep_of_key.entry(k).or_insert(node),
            None => node,
        };
        group_of.insert(node, rep);
    }
    let mut tasks: Vec<(NodeId, String, String)> = cells
        .keys()
        .map(|(n, p, r)| (group_of[n], p.clone(), r.clone()))
        .collect();
    tasks.sort();
    tasks.dedup();

    let mut evaluators: HashMap<NodeId, Evaluator> = HashMap::new();
    for (rep, _, _) in &tasks {
        evaluators.entry(*rep).or_insert_with(|| {
            let set = PolicySet {
                scps: chain_nodes(org, *rep, false),
                identity: vec![identity.clone()],
                management_account: org.management_account_id.clone(),
                ..PolicySet::default()
            };
            Evaluator::new(&set, options)
        });
    }
    let mut actions_of: HashMap<String, Vec<String>> = HashMap::new();
    for (_, p, _) in &tasks {
        actions_of
            .entry(p.clone())
            .or_insert_with(|| representative_actions(catalog, p));
    }

    let verdicts: Vec<((NodeId, String, String), Verdict)> = tasks
        .par_iter()
        .map(|(rep, prefix, region)| {
            let ev = &evaluators[rep];
            let acct = &org.nodes[*rep];
            let principal = PRINCIPAL.replace("{account}", &acct.id);
            let actions = &actions_of[prefix];
            let mut reasons: Vec<DenyReason> = Vec::new();
            let mut denied = 0;
            for action in actions {
                let Some(req) =
                    crate::analyze::org_request(org, *rep, &principal, action, "*", region)
                else {
                    continue;
                };
                let prepared = ev.prepare(&req);
                if ev.decide(&prepared).decision == Decision::Allowed {
                    continue;
                }
                denied += 1;
                let t = ev.explain(&prepared);
                match reasons.iter_mut().find(|r| r.decided_by == t.decided_by) {
                    Some(r) => r.actions += 1,
                    None => reasons.push(DenyReason {
                        decided_by: t.decided_by,
                        actions: 1,
                        example: action.clone(),
                    }),
                }
            }
            reasons.sort_by(|a, b| b.actions.cmp(&a.actions).then(a.example.cmp(&b.example)));
            (
                (*rep, prefix.clone(), region.clone()),
                Verdict {
                    total: actions.len(),
                    denied,
                    reasons,
                },
            )
        })
        .collect();
    let decisions: u64 = verdicts.iter().map(|(_, v)| v.total as u64).sum();
    let verdicts: HashMap<(NodeId, String, String), Verdict> = verdicts.into_iter().collect();

    let mut out = Vec::new();
    for ((node, prefix, region), list) in &cells {
        let Some(v) = verdicts.get(&(group_of[node], prefix.clone(), region.clone())) else {
            continue;
        };
        if v.denied == 0 {
            continue;
        }
        let status = if v.denied == v.total {
            Status::Denied
        } else {
            Status::PartlyDenied
        };
        // Reasons name the representative account's node; rename it for this account.
        let rep = group_of[node];
        let rename = |d: &DecidedBy| -> DecidedBy {
            if rep == *node {
                return d.clone();
            }
            let from = crate::analyze::node_label(org, rep);
            let to = crate::analyze::node_label(org, *node);
            let fix = |n: &String| if *n == from { to.clone() } else { n.clone() };
            match d {
                DecidedBy::ExplicitDeny {
                    policy_type,
                    node,
                    policy,
                    statement,
                } => DecidedBy::ExplicitDeny {
                    policy_type: *policy_type,
                    node: node.as_ref().map(fix),
                    policy: policy.clone(),
                    statement: statement.clone(),
                },
                DecidedBy::ChainWithoutAllow { policy_type, node } => {
                    DecidedBy::ChainWithoutAllow {
                        policy_type: *policy_type,
                        node: fix(node),
                    }
                }
                other => other.clone(),
            }
        };
        let acct = &org.nodes[*node];
        for (service, currency, money, rows) in list {
            out.push(GuardCell {
                account: acct.id.clone(),
                account_name: acct.name.clone(),
                service: service.clone(),
                prefix: prefix.clone(),
                region: region.clone(),
                currency: currency.clone(),
                money: *money,
                rows: *rows,
                status,
                actions_denied: v.denied,
                actions_total: v.total,
                reasons: v
                    .reasons
                    .iter()
                    .map(|r| DenyReason {
                        decided_by: rename(&r.decided_by),
                        actions: r.actions,
                        example: r.example.clone(),
                    })
                    .collect(),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.status, &a.account, &a.service, &a.region, &a.currency).cmp(&(
            b.status,
            &b.account,
            &b.service,
            &b.region,
            &b.currency,
        ))
    });
    Ok(GuardReport {
        cells: out,
        evaluated_cells: cells.len(),
        decisions,
        skipped: skipped
            .into_iter()
            .map(|((reason, subject, currency), money)| Skipped {
                reason,
                subject,
                currency,
                money,
            })
            .collect(),
    })
}
