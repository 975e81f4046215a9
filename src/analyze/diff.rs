//! `diff`: what a change to the organization's guardrails newly allows or denies, for whom.
//!
//! Both versions are evaluated over one request space built from classes, so that a finite
//! number of requests stands for every request:
//!
//! - accounts present in both versions, grouped when their SCP and RCP chains hold the same
//!   policy texts in both versions (and no policy names an account id);
//! - actions, partitioned by the action patterns of every policy of both versions (an action's
//!   class is which patterns match it, plus its service's global home region, RCP support and
//!   whether it has resource types); one representative per class;
//! - regions, partitioned by the condition values of both versions (see
//!   [`super::check::region_classes`]);
//! - principals: a role with no special name, the account's root user, a service-linked role,
//!   a caller from outside the organization (evaluated without SCPs, with its identity policy
//!   and the resource policy assumed to allow, so only RCPs decide), every principal ARN named
//!   in an `aws:PrincipalArn` condition, and one ARN matching each pair of such patterns that
//!   can match together, instantiated in the account;
//! - resources: `*` and every ARN named in a `Resource`/`NotResource`, instantiated in the
//!   account.
//!
//! - other context keys named in conditions of either version: each key's values are split into
//!   the classes the conditions induce (absent, each literal, a value for each `*Like` pattern,
//!   integers next to each numeric literal, `true`/`false` for `Bool`, any other value, and for
//!   keys under `ForAnyValue:`/`ForAllValues:` the empty set and the set of all those values);
//!   an action class gets every combination of the keys its statements use (at most
//!   256; beyond, one key at a time). Keys with `${...}` variables, date, IP or binary
//!   operators, non-integer numbers, or too many combinations are reported as approximate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::eval::trace::DecidedBy;
use crate::eval::{Decision, EvalOptions, Evaluator, PolicySet};
use crate::org::{NodeId, OrgTree};
use crate::policy::pattern::{Case, glob_match};
use crate::policy::{BaseOperator, Operator, PolicyDocument};

use super::check::region_classes;

/// How a decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Denied before, allowed after.
    Loosened,
    /// Allowed before, denied after.
    Tightened,
    /// Denied both times, for a different kind of reason (implicit <-> explicit).
    Reason,
}

/// A group of request classes whose decision changed the same way for the same reasons, with
/// one concrete witness request (the first class of the group).
#[derive(Debug, Clone, Serialize)]
pub struct DiffRow {
    /// Position of the witness principal and resource in the request space (for ordering).
    #[serde(skip)]
    order: (usize, usize, usize),
    /// Number of request classes in the group.
    pub requests: usize,
    /// Distinct principals of the group (the witness first).
    pub principals: Vec<String>,
    /// Kind of change.
    pub change: ChangeKind,
    /// Accounts (ids) the row applies to.
    pub accounts: Vec<String>,
    /// Account names, same order.
    pub account_names: Vec<String>,
    /// Service prefix of the actions.
    pub service: String,
    /// Witness action.
    pub action: String,
    /// Number of distinct actions the group covers (all classes).
    pub similar_actions: usize,
    /// Witness region.
    pub region: String,
    /// Regions the group covers, sorted.
    pub regions: Vec<String>,
    /// Witness principal ARN (in the first account).
    pub principal: String,
    /// Witness resource.
    pub resource: String,
    /// Context keys of the witness request beyond those every request carries (keys named in
    /// conditions, set to a representative of their class); absent keys are omitted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, ContextValue>,
    /// Decision before.
    pub before: Decision,
    /// Decision after.
    pub after: Decision,
    /// What decided before.
    pub before_by: DecidedBy,
    /// What decided after.
    pub after_by: DecidedBy,
}

/// The whole diff.
#[derive(Debug, Clone, Serialize)]
pub struct DiffResult {
    /// Changed request classes, sorted.
    pub rows: Vec<DiffRow>,
    /// Accounts only in the base version.
    pub removed_accounts: Vec<String>,
    /// Accounts only in the head version.
    pub added_accounts: Vec<String>,
    /// Context keys in conditions that were evaluated absent (results for requests carrying
    /// them may differ): empty when the diff is exact.
    pub approximate_keys: Vec<String>,
    /// Requests evaluated per version.
    pub evaluated: u64,
}

/// The value of a context key in a witness request: one value, or a set (multivalued key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (possibly empty).
    Multi(Vec<String>),
}

/// What a statement names.
struct StatementNames {
    /// `NotAction`?
    negated: bool,
    /// Action patterns, lowercase.
    patterns: Vec<String>,
    /// Resources other than `*`.
    resources: Vec<String>,
    /// Principal ARNs of `aws:PrincipalArn` conditions.
    principals: Vec<String>,
    /// Other condition keys (lowercase) whose values the request space covers by classes.
    keys: Vec<String>,
}

/// The representatives of one condition key's value classes.
#[derive(Default)]
struct KeyClasses {
    /// The key as first written.
    name: String,
    /// Single values: every literal, one value per pattern, numeric neighbours.
    values: BTreeSet<String>,
    /// Used under `ForAnyValue:`/`ForAllValues:` (also try the empty set and a larger set).
    multi: bool,
}

/// A value no policy writes (the class of "any other value").
const OTHER_VALUE: &str = "scpsim-other-value";

/// Most context combinations evaluated per action class; beyond, keys vary one at a time
/// (the others absent) and are reported as approximate.
const MAX_CONTEXTS: usize = 256;

impl KeyClasses {
    /// Adds the representatives induced by one condition entry.
    fn add(&mut self, op: Operator, values: &[String], approximate: &mut bool) {
        use BaseOperator as B;
        self.multi |= op.qualifier.is_some();
        for v in values {
            if v.contains("${") {
                *approximate = true;
            }
            match op.base {
                B::StringLike | B::StringNotLike | B::ArnLike | B::ArnNotLike => {
                    self.values.insert(v.replace(['*', '?'], "x"));
                    if !v.contains(['*', '?']) {
                        self.values.insert(v.clone());
                    }
                }
                B::NumericEquals
                | B::NumericNotEquals
                | B::NumericLessThan
                | B::NumericLessThanEquals
                | B::NumericGreaterThan
                | B::NumericGreaterThanEquals => {
                    self.values.insert(v.clone());
                    if let Ok(n) = v.trim().parse::<i64>() {
                        self.values.insert(n.saturating_sub(1).to_string());
                        self.values.insert(n.saturating_add(1).to_string());
                    } else {
                        *approximate = true;
                    }
                }
                B::Bool => {
                    self.values.insert("true".into());
                    self.values.insert("false".into());
                }
                B::Null => {}
                B::DateEquals
                | B::DateNotEquals
                | B::DateLessThan
                | B::DateLessThanEquals
                | B::DateGreaterThan
                | B::DateGreaterThanEquals
                | B::IpAddress
                | B::NotIpAddress
                | B::BinaryEquals => {
                    // Intervals and networks have no finite class representatives here.
                    self.values.insert(v.clone());
                    *approximate = true;
                }
                _ => {
                    self.values.insert(v.clone());
                }
            }
        }
    }

    /// The candidate values: absent, each value, any other value, and for multivalued keys
    /// the empty set and the set of all values.
    fn candidates(&self) -> Vec<Option<ContextValue>> {
        let mut out = vec![None];
        let mut singles: Vec<String> = self.values.iter().cloned().collect();
        if !self.values.contains(OTHER_VALUE) {
            singles.push(OTHER_VALUE.to_string());
        }
        out.extend(singles.iter().cloned().map(ContextValue::Single).map(Some));
        if self.multi {
            out.push(Some(ContextValue::Multi(Vec::new())));
            out.push(Some(ContextValue::Multi(singles)));
        }
        out
    }
}

/// The account of the principal class that stands for every caller outside the organization
/// (a placeholder id, named as such in the output).
const OUTSIDE_ACCOUNT: &str = "000000000000";
/// Its index in each account group's principal list.
const OUTSIDE: usize = 3;

/// Keys whose values the request space covers (lowercase).
const COVERED_KEYS: &[&str] = &[
    "aws:requestedregion",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:securetransport",
    "aws:resourceaccount",
];

fn chain_texts(org: &OrgTree, node: NodeId) -> Vec<String> {
    org.chain(node)
        .into_iter()
        .map(|n| {
            let node = &org.nodes[n];
            let mut s = String::new();
            for &p in node.scps.iter().chain(&node.rcps) {
                s.push_str(org.policies[p].source.text());
                s.push('\u{1}');
            }
            s
        })
        .collect()
}

fn names_account(texts: &[String]) -> bool {
    texts.iter().any(|t| {
        t.contains("PrincipalAccount")
            || t.contains("ResourceAccount")
            || t.as_bytes()
                .windows(12)
                .any(|w| w.iter().all(u8::is_ascii_digit))
    })
}

/// Replaces the account segment's wildcard with `account` and other wildcards with `x`, so a
/// pattern becomes a concrete ARN that it matches.
fn instantiate(pattern: &str, account: &str) -> String {
    let mut parts: Vec<String> = pattern.splitn(6, ':').map(str::to_string).collect();
    if parts.len() == 6
        && (parts[4].contains(['*', '?']) || parts[4].is_empty() && parts[2] == "iam")
    {
        parts[4] = account.to_string();
    }
    parts.join(":").replace(['*', '?'], "x")
}

/// `pattern` (an ARN or ARN pattern of a condition) matches the principal ARN `arn`, as
/// `ArnLike` compares them.
fn principal_matches(pattern: &str, arn: &str) -> bool {
    crate::policy::condition::arn_match(pattern, &[], arn, true).unwrap_or(false)
}

/// A concrete principal ARN in `account` that both patterns match, if one of the simple
/// candidates does: each wildcard of one pattern filled with a literal piece of the other's
/// last segment (or all of them), tried both ways.
fn intersection(p: &str, q: &str, account: &str) -> Option<String> {
    for (a, b) in [(p, q), (q, p)] {
        let last = b.rsplit([':', '/']).next().unwrap_or("");
        let pieces: Vec<&str> = last.split(['*', '?']).filter(|c| !c.is_empty()).collect();
        let mut fills: Vec<String> = pieces.iter().map(|c| (*c).to_string()).collect();
        fills.push(pieces.concat());
        for fill in fills {
            let mut parts: Vec<String> = a.splitn(6, ':').map(str::to_string).collect();
            if parts.len() == 6
                && (parts[4].contains(['*', '?']) || parts[4].is_empty() && parts[2] == "iam")
            {
                parts[4] = account.to_string();
            }
            let cand = parts.join(":").replace(['*', '?'], &fill);
            if principal_matches(a, &cand) && principal_matches(b, &cand) {
                return Some(cand);
            }
        }
    }
    None
}

/// Computes the diff of two versions of an organization.
pub fn diff(base: &OrgTree, head: &OrgTree, catalog: &Catalog, options: EvalOptions) -> DiffResult {
    diff_with_progress(base, head, catalog, options, &super::NoProgress)
}

/// [`diff`], reporting progress (units: requests evaluated on both versions).
pub fn diff_with_progress(
    base: &OrgTree,
    head: &OrgTree,
    catalog: &Catalog,
    options: EvalOptions,
    progress: &dyn super::Progress,
) -> DiffResult {
    let identity = super::assumed_identity();
    let open_resource_policy = super::assumed_open_resource_policy();
    let base_ids: BTreeMap<&str, NodeId> = base
        .accounts()
        .into_iter()
        .map(|a| (base.nodes[a].id.as_str(), a))
        .collect();
    let head_ids: BTreeMap<&str, NodeId> = head
        .accounts()
        .into_iter()
        .map(|a| (head.nodes[a].id.as_str(), a))
        .collect();
    let removed_accounts: Vec<String> = base_ids
        .keys()
        .filter(|k| !head_ids.contains_key(*k))
        .map(|k| (*k).to_string())
        .collect();
    let added_accounts: Vec<String> = head_ids
        .keys()
        .filter(|k| !base_ids.contains_key(*k))
        .map(|k| (*k).to_string())
        .collect();

    // Group common accounts by the policy texts along both chains.
    let mut groups: Vec<(NodeId, NodeId, Vec<String>, Vec<String>)> = Vec::new();
    let mut by_key: HashMap<(Vec<String>, Vec<String>, bool, bool), usize> = HashMap::new();
    for (id, &b) in &base_ids {
        let Some(&h) = head_ids.get(id) else { continue };
        let (bt, ht) = (chain_texts(base, b), chain_texts(head, h));
        let name = head.nodes[h].name.clone();
        if names_account(&bt) || names_account(&ht) {
            groups.push((b, h, vec![(*id).to_string()], vec![name]));
            continue;
        }
        let key = (bt, ht, base.is_management(b), head.is_management(h));
        match by_key.get(&key) {
            Some(&g) => {
                groups[g].2.push((*id).to_string());
                groups[g].3.push(name);
            }
            None => {
                by_key.insert(key, groups.len());
                groups.push((b, h, vec![(*id).to_string()], vec![name]));
            }
        }
    }

    // Action classes over every policy of both versions.
    let all_docs: Vec<&PolicyDocument> = base
        .policies
        .iter()
        .chain(&head.policies)
        .map(|p| p.doc.as_ref())
        .collect();
    let mut patterns: BTreeSet<String> = BTreeSet::new();
    let mut resources: BTreeSet<String> = BTreeSet::new();
    let mut principal_arns: BTreeSet<String> = BTreeSet::new();
    let mut uncovered: BTreeSet<String> = BTreeSet::new();
    let mut key_classes: BTreeMap<String, KeyClasses> = BTreeMap::new();
    let mut statements: Vec<StatementNames> = Vec::new();
    for d in &all_docs {
        for s in &d.statements {
            let mut info = StatementNames {
                negated: s.action.negated,
                patterns: s
                    .action
                    .values
                    .iter()
                    .map(|v| v.value.to_ascii_lowercase())
                    .collect(),
                resources: s
                    .resource
                    .iter()
                    .flat_map(|r| r.values.iter())
                    .filter(|v| v.value != "*")
                    .map(|v| v.value.clone())
                    .collect(),
                principals: Vec::new(),
                keys: Vec::new(),
            };
            patterns.extend(s.action.values.iter().map(|v| v.value.to_ascii_lowercase()));
            if let Some(r) = &s.resource {
                resources.extend(
                    r.values
                        .iter()
                        .filter(|v| v.value != "*")
                        .map(|v| v.value.clone()),
                );
            }
            if let Some(c) = &s.condition {
                for b in &c.blocks {
                    for e in &b.entries {
                        let key = e.key.value.to_ascii_lowercase();
                        if key == "aws:principalarn" {
                            let arns = e
                                .values
                                .iter()
                                .filter(|v| v.value.text.starts_with("arn:"))
                                .map(|v| v.value.text.clone());
                            info.principals.extend(arns.clone());
                            principal_arns.extend(arns);
                        }
                        if COVERED_KEYS.contains(&key.as_str()) {
                            continue;
                        }
                        let kc = key_classes.entry(key.clone()).or_default();
                        if kc.name.is_empty() {
                            kc.name.clone_from(&e.key.value);
                        }
                        let values: Vec<String> =
                            e.values.iter().map(|v| v.value.text.clone()).collect();
                        let mut approximate = false;
                        kc.add(b.operator.value, &values, &mut approximate);
                        if approximate {
                            uncovered.insert(kc.name.clone());
                        }
                        if !info.keys.contains(&key) {
                            info.keys.push(key);
                        }
                    }
                }
            }
            statements.push(info);
        }
    }
    let patterns: Vec<String> = patterns.into_iter().collect();
    let mut action_classes: Vec<(String, String, usize)> = Vec::new(); // (rep, service, size)
    {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        for svc in catalog.services() {
            let global = catalog.global_service_region(svc.prefix).unwrap_or("");
            let rcp = catalog.is_rcp_supported(svc.prefix);
            for a in svc.actions() {
                let full = format!("{}:{}", svc.prefix, a.name);
                let lower = full.to_ascii_lowercase();
                let mut sig: Vec<u8> = Vec::with_capacity(patterns.len() + global.len() + 8);
                sig.extend_from_slice(svc.prefix.as_bytes());
                sig.push(0);
                sig.extend_from_slice(global.as_bytes());
                sig.push(u8::from(rcp));
                sig.push(u8::from(a.resource_types.is_empty()));
                sig.extend(
                    patterns
                        .iter()
                        .map(|p| u8::from(glob_match(p, &lower, Case::Sensitive))),
                );
                match index.get(&sig) {
                    Some(&i) => action_classes[i].2 += 1,
                    None => {
                        index.insert(sig, action_classes.len());
                        action_classes.push((full, svc.prefix.to_string(), 1));
                    }
                }
            }
        }
    }

    let all_regions: Vec<String> = catalog
        .regions("aws")
        .map(|r| r.iter().map(|x| (*x).to_string()).collect())
        .unwrap_or_default();

    let mut rows: Vec<DiffRow> = Vec::new();
    let mut evaluated = 0u64;
    let mut contexts = Contexts::default();
    for (b, h, ids, names) in &groups {
        let account = ids[0].as_str();
        let make = |org: &OrgTree, n: NodeId| PolicySet {
            scps: super::chain_nodes(org, n, false),
            rcps: if org.rcps_enabled {
                super::chain_nodes(org, n, true)
            } else {
                Vec::new()
            },
            identity: identity.iter().cloned().collect(),
            management_account: org.management_account_id.clone(),
            ..PolicySet::default()
        };
        let (bset, hset) = (make(base, *b), make(head, *h));
        let both = PolicySet {
            scps: bset.scps.iter().chain(&hset.scps).cloned().collect(),
            rcps: bset.rcps.iter().chain(&hset.rcps).cloned().collect(),
            ..PolicySet::default()
        };
        let regions = region_classes(&both, &all_regions);
        let (bev, hev) = (
            Evaluator::new(&bset, options),
            Evaluator::new(&hset, options),
        );
        // A caller from outside the organization reaches the account's resources only through
        // the RCPs (no SCP of this org governs it): its own identity policy and the resource's
        // policy are assumed to allow, so the answer shows what the RCPs permit (R1.11, R1.12).
        let outside = |set: &PolicySet| PolicySet {
            scps: Vec::new(),
            resource: open_resource_policy.clone(),
            ..set.clone()
        };
        let (bout, hout) = (
            Evaluator::new(&outside(&bset), options),
            Evaluator::new(&outside(&hset), options),
        );
        let mut principals: Vec<String> = vec![
            format!("arn:aws:iam::{account}:role/SimulatedRole"),
            format!("arn:aws:iam::{account}:root"),
            format!(
                "arn:aws:iam::{account}:role/aws-service-role/example.amazonaws.com/AWSServiceRoleForExample"
            ),
            format!("arn:aws:iam::{OUTSIDE_ACCOUNT}:role/OutsideTheOrganization"),
        ];
        for p in principal_arns.iter().map(|p| instantiate(p, account)) {
            if !principals.contains(&p) {
                principals.push(p);
            }
        }
        // A principal can match several patterns at once (`role/admin-*` and `role/*ops*`
        // both match `role/admin-ops`): one representative per pair of patterns that some
        // ARN matches together, so the classes cover the intersections too.
        for p in &principal_arns {
            for q in &principal_arns {
                if p < q
                    && let Some(both) = intersection(p, q, account)
                    && !principals.contains(&both)
                {
                    principals.push(both);
                }
            }
        }
        let mut res: Vec<String> = vec!["*".to_string()];
        for r in resources.iter().map(|r| instantiate(r, account)) {
            if !res.contains(&r) {
                res.push(r);
            }
        }
        // A named resource or principal can only change a decision through a statement whose
        // actions match the action: pair each action class with those alone (plus `*`, the
        // default role, the root user and a service-linked role, which every action gets).
        let mut cells: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
        for (ai, (action, _, _)) in action_classes.iter().enumerate() {
            let lower = action.to_ascii_lowercase();
            let mut pis: Vec<usize> = vec![0, 1, 2, OUTSIDE];
            let mut xis: Vec<usize> = vec![0];
            let mut keys: Vec<&str> = Vec::new();
            for st in &statements {
                let hit = st
                    .patterns
                    .iter()
                    .any(|p| glob_match(p, &lower, Case::Sensitive))
                    != st.negated;
                if !hit {
                    continue;
                }
                for r in &st.resources {
                    let inst = instantiate(r, account);
                    if let Some(i) = res.iter().position(|x| *x == inst)
                        && !xis.contains(&i)
                    {
                        xis.push(i);
                    }
                }
                for p in &st.principals {
                    let inst = instantiate(p, account);
                    for (i, x) in principals.iter().enumerate().skip(OUTSIDE + 1) {
                        if (*x == inst || principal_matches(p, x)) && !pis.contains(&i) {
                            pis.push(i);
                        }
                    }
                }
                for k in &st.keys {
                    if !keys.contains(&k.as_str()) {
                        keys.push(k);
                    }
                }
            }
            keys.sort_unstable();
            let cis = context_indices(&keys, &key_classes, &mut contexts, &mut uncovered);
            for ri in 0..regions.len() {
                for &pi in &pis {
                    for &xi in &xis {
                        for &ci in &cis {
                            cells.push((ai, ri, pi, xi, ci));
                        }
                    }
                }
            }
        }
        evaluated += cells.len() as u64;
        progress.add_total(cells.len() as u64);
        let found: Vec<DiffRow> = cells
            .par_iter()
            .filter_map(|&(ai, ri, pi, xi, ci)| {
                progress.advance(1);
                let (principal, resource) = (&principals[pi], &res[xi]);
                let context = &contexts.0[ci];
                let (action, service, size) = &action_classes[ai];
                let (region, members) = &regions[ri];
                let mut req = if pi == OUTSIDE {
                    let mut r = crate::eval::Request::new(principal, action, resource).ok()?;
                    r.region = Some(region.clone());
                    r.context.set("aws:SecureTransport", "true");
                    r.resource_account = Some(account.to_string());
                    r
                } else {
                    super::org_request(head, *h, principal, action, resource, region)?
                };
                for (k, v) in context {
                    match v {
                        ContextValue::Single(x) => req.context.set(k, x.clone()),
                        ContextValue::Multi(xs) => req.context.set_multi(k, xs.clone()),
                    }
                }
                let (bev, hev) = if pi == OUTSIDE {
                    (&bout, &hout)
                } else {
                    (&bev, &hev)
                };
                let (pb, ph) = (bev.prepare(&req), hev.prepare(&req));
                let (db, dh) = (bev.decide(&pb).decision, hev.decide(&ph).decision);
                if db == dh {
                    return None;
                }
                let change = match (db, dh) {
                    (Decision::Allowed, _) => ChangeKind::Tightened,
                    (_, Decision::Allowed) => ChangeKind::Loosened,
                    _ => ChangeKind::Reason,
                };
                Some(DiffRow {
                    order: (pi, xi, ci),
                    requests: 1,
                    principals: vec![principal.clone()],
                    change,
                    accounts: ids.clone(),
                    account_names: names.clone(),
                    service: service.clone(),
                    action: action.clone(),
                    similar_actions: *size,
                    region: region.clone(),
                    regions: members.clone(),
                    principal: principal.clone(),
                    resource: resource.clone(),
                    context: context.clone(),
                    before: db,
                    after: dh,
                    before_by: bev.explain(&pb).decided_by,
                    after_by: hev.explain(&ph).decided_by,
                })
            })
            .collect();
        rows.extend(found);
    }
    rows.sort_by(|a, b| {
        (&a.accounts, &a.service, &a.action, a.order, &a.region).cmp(&(
            &b.accounts,
            &b.service,
            &b.action,
            b.order,
            &b.region,
        ))
    });
    // Group by account group, service, kind of change and the deciding steps on each side.
    let mut grouped: Vec<DiffRow> = Vec::new();
    let mut index: HashMap<(Vec<String>, String, ChangeKind, String, String), usize> =
        HashMap::new();
    let mut seen_actions: Vec<BTreeSet<String>> = Vec::new();
    for row in rows {
        let key = (
            row.accounts.clone(),
            row.service.clone(),
            row.change,
            format!("{:?}{:?}", row.before, row.before_by),
            format!("{:?}{:?}", row.after, row.after_by),
        );
        match index.get(&key) {
            Some(&g) => {
                let group = &mut grouped[g];
                group.requests += 1;
                if seen_actions[g].insert(row.action.clone()) {
                    group.similar_actions += row.similar_actions;
                }
                for p in row.principals {
                    if !group.principals.contains(&p) {
                        group.principals.push(p);
                    }
                }
                for r in row.regions {
                    if !group.regions.contains(&r) {
                        group.regions.push(r);
                    }
                }
            }
            None => {
                index.insert(key, grouped.len());
                seen_actions.push(BTreeSet::from([row.action.clone()]));
                grouped.push(row);
            }
        }
    }
    for g in &mut grouped {
        g.regions.sort();
    }
    let rows = grouped;
    DiffResult {
        rows,
        removed_accounts,
        added_accounts,
        approximate_keys: uncovered.into_iter().collect(),
        evaluated,
    }
}

/// Context combinations, deduplicated (index 0: no key).
#[derive(Default)]
struct Contexts(
    Vec<BTreeMap<String, ContextValue>>,
    HashMap<Vec<(String, ContextValue)>, usize>,
);

impl Contexts {
    fn index(&mut self, ctx: BTreeMap<String, ContextValue>) -> usize {
        if self.0.is_empty() {
            self.0.push(BTreeMap::new());
            self.1.insert(Vec::new(), 0);
        }
        let key: Vec<(String, ContextValue)> =
            ctx.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        if let Some(&i) = self.1.get(&key) {
            return i;
        }
        self.0.push(ctx);
        self.1.insert(key, self.0.len() - 1);
        self.0.len() - 1
    }
}

/// The context combinations for an action class whose statements use `keys`: every
/// combination of the keys' candidate values, or (beyond [`MAX_CONTEXTS`]) one key at a time
/// with the others absent, in which case the keys are recorded as approximate.
fn context_indices(
    keys: &[&str],
    classes: &BTreeMap<String, KeyClasses>,
    contexts: &mut Contexts,
    approximate: &mut BTreeSet<String>,
) -> Vec<usize> {
    let per_key: Vec<(&str, Vec<Option<ContextValue>>)> = keys
        .iter()
        .filter_map(|k| classes.get(*k).map(|c| (c.name.as_str(), c.candidates())))
        .collect();
    let total = per_key
        .iter()
        .try_fold(1usize, |acc, (_, c)| acc.checked_mul(c.len()))
        .unwrap_or(usize::MAX);
    let mut out = Vec::new();
    if total <= MAX_CONTEXTS {
        let mut combos: Vec<BTreeMap<String, ContextValue>> = vec![BTreeMap::new()];
        for (name, cands) in &per_key {
            let mut next = Vec::with_capacity(combos.len() * cands.len());
            for c in &combos {
                for v in cands {
                    let mut m = c.clone();
                    if let Some(v) = v {
                        m.insert((*name).to_string(), v.clone());
                    }
                    next.push(m);
                }
            }
            combos = next;
        }
        for c in combos {
            out.push(contexts.index(c));
        }
    } else {
        out.push(contexts.index(BTreeMap::new()));
        for (name, cands) in &per_key {
            approximate.insert((*name).to_string());
            for v in cands.iter().flatten() {
                out.push(contexts.index(BTreeMap::from([((*name).to_string(), v.clone())])));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How one policy, or the attachments of one node, differ between the two versions.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyChange {
    /// Policy name (for attachment changes: the node, as in traces).
    pub name: String,
    /// The policy file in the head version (base when removed); empty for attachments.
    pub path: String,
    /// What changed, one phrase each (`removed eu-central-1 from the aws:RequestedRegion
    /// allow-list`).
    pub what: Vec<String>,
}

/// The statements of a policy by label (`Sid`, else `#index`).
fn statement_map(doc: &PolicyDocument) -> BTreeMap<String, &crate::policy::Statement> {
    doc.statements
        .iter()
        .map(|s| {
            (
                s.sid_str()
                    .map_or_else(|| format!("#{}", s.index), str::to_string),
                s,
            )
        })
        .collect()
}

/// (operator, key) -> values of a statement's conditions.
fn condition_values(s: &crate::policy::Statement) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    if let Some(c) = &s.condition {
        for b in &c.blocks {
            for e in &b.entries {
                out.entry((b.operator.value.to_string(), e.key.value.clone()))
                    .or_default()
                    .extend(e.values.iter().map(|v| v.value.text.clone()));
            }
        }
    }
    out
}

fn set_phrases(
    what: &mut Vec<String>,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
    of: &str,
) {
    let added: Vec<&str> = after.difference(before).map(String::as_str).collect();
    let removed: Vec<&str> = before.difference(after).map(String::as_str).collect();
    if !added.is_empty() {
        what.push(format!("added {} to {of}", added.join(", ")));
    }
    if !removed.is_empty() {
        what.push(format!("removed {} from {of}", removed.join(", ")));
    }
}

/// What changed in one policy's statements.
fn statement_changes(base: &PolicyDocument, head: &PolicyDocument) -> Vec<String> {
    let (b, h) = (statement_map(base), statement_map(head));
    let mut what = Vec::new();
    for (label, hs) in &h {
        let Some(bs) = b.get(label) else {
            what.push(format!("added statement {label}"));
            continue;
        };
        if bs.effect.value != hs.effect.value {
            what.push(format!("statement {label} changed its Effect"));
        }
        let element = |l: &crate::policy::ListElement| {
            l.values
                .iter()
                .map(|v| v.value.clone())
                .collect::<BTreeSet<_>>()
        };
        let name = if hs.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        set_phrases(&mut what, &element(&bs.action), &element(&hs.action), name);
        let res =
            |s: &crate::policy::Statement| s.resource.as_ref().map(element).unwrap_or_default();
        set_phrases(&mut what, &res(bs), &res(hs), "Resource");
        let (bc, hc) = (condition_values(bs), condition_values(hs));
        let empty = BTreeSet::new();
        for (op, key) in bc.keys().chain(hc.keys()).collect::<BTreeSet<_>>() {
            let k = (op.clone(), key.clone());
            let negated = Operator::parse(op).is_some_and(|o| o.base.is_negated());
            let of = if negated && hs.effect.value == crate::policy::Effect::Deny {
                format!("the {key} allow-list ({op})")
            } else {
                format!("{op} {key}")
            };
            set_phrases(
                &mut what,
                bc.get(&k).unwrap_or(&empty),
                hc.get(&k).unwrap_or(&empty),
                &of,
            );
        }
    }
    for label in b.keys().filter(|l| !h.contains_key(*l)) {
        what.push(format!("removed statement {label}"));
    }
    if what.is_empty() {
        what.push("rewritten".into());
    }
    what
}

/// Policies added, removed or changed, and nodes whose attachments changed, between the two
/// versions, sorted by name.
pub fn policy_changes(base: &OrgTree, head: &OrgTree) -> Vec<PolicyChange> {
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    // Policy paths relative to the org file's directory (a `git:` version lives in a
    // temporary directory).
    let relative = |org: &OrgTree, p: &crate::org::OrgPolicy| {
        let dir = std::path::Path::new(org.source.name())
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        p.path
            .strip_prefix(&dir)
            .unwrap_or(&p.path)
            .display()
            .to_string()
            .replace('\\', "/")
    };
    let mut out = Vec::new();
    let names: BTreeSet<&str> = base
        .policies
        .iter()
        .chain(&head.policies)
        .map(|p| p.name.as_str())
        .collect();
    for name in names {
        let b = base.policies.iter().find(|p| p.name == name);
        let h = head.policies.iter().find(|p| p.name == name);
        match (b, h) {
            (Some(b), Some(h)) if squash(b.source.text()) != squash(h.source.text()) => {
                out.push(PolicyChange {
                    name: name.to_string(),
                    path: relative(head, h),
                    what: statement_changes(&b.doc, &h.doc),
                });
            }
            (None, Some(h)) => out.push(PolicyChange {
                name: name.to_string(),
                path: relative(head, h),
                what: vec!["added".into()],
            }),
            (Some(b), None) => out.push(PolicyChange {
                name: name.to_string(),
                path: relative(base, b),
                what: vec!["removed".into()],
            }),
            _ => {}
        }
    }
    // Attachments, by node id.
    for (hi, hn) in head.nodes.iter().enumerate() {
        let Some(bi) = base.nodes.iter().position(|n| n.id == hn.id) else {
            continue;
        };
        let bn = &base.nodes[bi];
        let names = |org: &OrgTree, ids: &[usize]| -> BTreeSet<String> {
            ids.iter().map(|&p| org.policies[p].name.clone()).collect()
        };
        let mut what = Vec::new();
        for (kind, bids, hids) in [("SCP", &bn.scps, &hn.scps), ("RCP", &bn.rcps, &hn.rcps)] {
            let (bs, hs) = (names(base, bids), names(head, hids));
            for a in hs.difference(&bs) {
                what.push(format!("attached {kind} {a}"));
            }
            for d in bs.difference(&hs) {
                what.push(format!("detached {kind} {d}"));
            }
        }
        if !what.is_empty() {
            out.push(PolicyChange {
                name: super::node_label(head, hi),
                path: String::new(),
                what,
            });
        }
    }
    out
}

/// A one-line root-cause summary: what changed in the policies and attachments, and what it
/// does (accounts affected, the OU holding them, actions x regions newly allowed or denied).
pub fn summary_line(base: &OrgTree, head: &OrgTree, result: &DiffResult) -> String {
    let changes = policy_changes(base, head);
    let mut s = String::new();
    let policies = changes.iter().filter(|c| !c.path.is_empty()).count();
    let nodes = changes.len() - policies;
    let mut heads = Vec::new();
    if policies > 0 {
        heads.push(format!(
            "{policies} polic{} changed",
            if policies == 1 { "y" } else { "ies" }
        ));
    }
    if nodes > 0 {
        heads.push(format!(
            "{nodes} node{} with changed attachments",
            if nodes == 1 { "" } else { "s" }
        ));
    }
    if heads.is_empty() {
        s.push_str("no policy or attachment changed");
    } else {
        s.push_str(&heads.join(" and "));
        s.push_str(": ");
        let described: Vec<String> = changes
            .iter()
            .take(3)
            .map(|c| {
                let mut what: Vec<&str> = c.what.iter().map(String::as_str).take(2).collect();
                let more = c.what.len().saturating_sub(2);
                let extra = if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                };
                let first = what.remove(0);
                let rest = if what.is_empty() {
                    String::new()
                } else {
                    format!(", {}", what.join(", "))
                };
                if c.path.is_empty() {
                    format!("{} {first}{rest}{extra}", c.name)
                } else {
                    format!("{} ({}) {first}{rest}{extra}", c.name, c.path)
                }
            })
            .collect();
        s.push_str(&described.join("; "));
        if changes.len() > 3 {
            s.push_str(&format!("; and {} more", changes.len() - 3));
        }
    }
    if result.rows.is_empty() {
        s.push_str(": no decision changed");
        return s;
    }
    let accounts: BTreeSet<&str> = result
        .rows
        .iter()
        .flat_map(|r| r.accounts.iter().map(String::as_str))
        .collect();
    // The deepest OU (or the root) holding every affected account, in the head version.
    let chains: Vec<Vec<NodeId>> = accounts
        .iter()
        .filter_map(|a| head.account(a))
        .map(|n| head.chain(n))
        .collect();
    let mut common: Option<NodeId> = None;
    if let Some(first) = chains.first() {
        for (depth, &n) in first.iter().enumerate() {
            if head.nodes[n].kind != crate::org::NodeKind::Account
                && chains.iter().all(|c| c.get(depth) == Some(&n))
            {
                common = Some(n);
            }
        }
    }
    let place = match common {
        Some(n) if head.nodes[n].kind == crate::org::NodeKind::Ou => {
            format!(" in OU {}", head.nodes[n].name)
        }
        _ => String::new(),
    };
    let _ = write!(
        s,
        ", affecting {} account{}{place}",
        accounts.len(),
        if accounts.len() == 1 { "" } else { "s" }
    );
    let mut effects = Vec::new();
    for (kind, word) in [
        (ChangeKind::Loosened, "newly allowed"),
        (ChangeKind::Tightened, "newly denied"),
        (ChangeKind::Reason, "denied for another reason"),
    ] {
        let rows: Vec<&DiffRow> = result.rows.iter().filter(|r| r.change == kind).collect();
        if rows.is_empty() {
            continue;
        }
        // Per account group, each action class it gains or loses with the union of its
        // regions over every principal and context class (rows of one class are counted once);
        // report the group with the most action-region pairs.
        type Classes<'r> = BTreeMap<&'r str, (usize, BTreeSet<&'r str>)>;
        let mut per_group: BTreeMap<&[String], Classes<'_>> = BTreeMap::new();
        for r in &rows {
            let e = per_group
                .entry(r.accounts.as_slice())
                .or_default()
                .entry(r.action.as_str())
                .or_insert((r.similar_actions, BTreeSet::new()));
            e.1.extend(r.regions.iter().map(String::as_str));
        }
        let pairs = |c: &Classes<'_>| c.values().map(|(n, r)| n * r.len()).sum::<usize>();
        let Some(classes) = per_group.values().max_by_key(|c| pairs(c)) else {
            continue;
        };
        let actions: usize = classes.values().map(|(n, _)| n).sum();
        let counts = classes.values().map(|(_, r)| r.len());
        let (min, max) = (counts.clone().min().unwrap_or(0), counts.max().unwrap_or(0));
        let plural =
            |n: usize, w: &str| format!("{} {w}{}", thousands(n), if n == 1 { "" } else { "s" });
        effects.push(if min == max {
            format!(
                "{} x {} {word}",
                plural(actions, "action"),
                plural(max, "region")
            )
        } else {
            format!(
                "{} in {min} to {max} regions each ({} action-region pairs) {word}",
                plural(actions, "action"),
                thousands(pairs(classes))
            )
        });
    }
    let _ = write!(s, ": {}", effects.join(", "));
    s
}

/// `1234567` -> `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersections_of_principal_patterns() {
        let both = intersection(
            "arn:aws:iam::*:role/admin-*",
            "arn:aws:iam::*:role/*ops*",
            "111122223333",
        )
        .unwrap();
        assert!(principal_matches("arn:aws:iam::*:role/admin-*", &both));
        assert!(principal_matches("arn:aws:iam::*:role/*ops*", &both));
        assert!(both.starts_with("arn:aws:iam::111122223333:role/"));
        // Two literal names never meet.
        assert_eq!(
            intersection(
                "arn:aws:iam::*:role/admin",
                "arn:aws:iam::*:role/OrganizationAccountAccessRole",
                "111122223333"
            ),
            None
        );
    }
}
