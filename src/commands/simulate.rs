//! `scpsim simulate`: can an account (or a principal in it) call an action in a region, and
//! which policy on which node decides?
//!
//! The organization comes from local files (`--org`). The SCP chain is the account's path
//! root -> OUs -> account; the RCP chain is the resource account's path (the principal's own
//! account when the resource is `*` or not in the organization). Principals listed in the org
//! file bring their identity policies and permissions boundary; for any other principal the
//! identity side is assumed to allow everything, so the answer shows what the guardrails
//! permit (this is said in the output). The management account and service-linked roles are
//! exempt from SCPs as AWS documents
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{Catalog, ValueType};
use crate::error::ExitStatus;
use crate::eval::trace::{DecidedBy, Trace};
use crate::eval::{Decision, Evaluator, PolicySet, Request};
use crate::org::{NodeId, NodeKind, OrgTree};
use crate::output::Format;
use crate::policy::pattern::has_wildcard;

use super::load_org;
use crate::analyze::{chain_nodes, named_policy as named, node_label};

/// What `--expect` asserts about every decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Every decision must be `Allowed`.
    Allow,
    /// Every decision must be a denial (implicit or explicit).
    Deny,
}

/// The parameters of one `simulate` run.
#[derive(Debug, Clone)]
pub struct SimulateParams<'a> {
    /// Org file or directory.
    pub org: &'a Path,
    /// Account id or name.
    pub account: &'a str,
    /// Actions or action patterns (`redshift:*`).
    pub actions: &'a [String],
    /// Regions; `all` for every region of the partition; empty for none given.
    pub regions: &'a [String],
    /// Resource ARN; `*` when absent.
    pub resource: Option<&'a str>,
    /// Principal ARN; a role in the account when absent.
    pub principal: Option<&'a str>,
    /// `KEY=VALUE` context entries; a key given several times becomes multivalued.
    pub context: &'a [String],
    /// Expected decision, for scripts.
    pub expect: Option<Expect>,
    /// Evaluation options (see [`super::eval_options`]).
    pub options: crate::eval::EvalOptions,
}

/// Name of the default principal when `--principal` is absent.
const DEFAULT_ROLE: &str = "SimulatedRole";

fn account_of_arn(arn: &str) -> Option<&str> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// One cell of the answer.
#[derive(Debug, Clone, Serialize)]
struct Cell {
    action: String,
    region: Option<String>,
    decision: Decision,
    decided_by: DecidedBy,
    reason: String,
}

#[derive(Serialize)]
struct AccountOut<'a> {
    id: &'a str,
    name: &'a str,
    path: Vec<String>,
    management_account: bool,
}

#[derive(Serialize)]
struct SimulateOut<'a> {
    version: u32,
    account: AccountOut<'a>,
    principal: &'a str,
    identity: &'a str,
    resource: &'a str,
    expect: Option<&'a str>,
    expectation_met: Option<bool>,
    results: &'a [Cell],
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a Trace>,
    /// With the resource `*`: the Deny statements scoped to specific resources, which the
    /// answer did not test (see [`crate::analyze::ResourceScopedDeny`]).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    resource_scoped_denies: &'a [crate::analyze::ResourceScopedDeny],
}

fn usage(err: &mut dyn Write, msg: &str) -> ExitStatus {
    let _ = writeln!(err, "error: {msg}");
    ExitStatus::Usage
}

/// Runs `scpsim simulate`.
pub fn run(
    format: Format,
    p: &SimulateParams<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let (org, _quotas) = match load_org(p.org, format, false, err) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let catalog = match Catalog::load() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
            return ExitStatus::Environment;
        }
    };
    let Some(account) = org.account(p.account) else {
        let names: Vec<&str> = org
            .accounts()
            .into_iter()
            .map(|a| org.nodes[a].name.as_str())
            .collect();
        let hint = crate::diag::closest(p.account, names)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return usage(
            err,
            &format!("no account `{}` in the organization{hint}", p.account),
        );
    };
    let acct = &org.nodes[account];

    // Actions: expand patterns with the catalog; a plain action is taken as given.
    let mut actions: Vec<String> = Vec::new();
    for a in p.actions {
        if has_wildcard(a) {
            let expanded = catalog.expand(a);
            if expanded.is_empty() {
                return usage(
                    err,
                    &format!("action pattern `{a}` matches no action in the catalog"),
                );
            }
            actions.extend(expanded.iter().map(|x| x.to_string()));
        } else {
            if !a.contains(':') {
                return usage(
                    err,
                    &format!("`{a}` is not an action: write `service:ActionName`"),
                );
            }
            if catalog.action(a).is_none() {
                let sugg = catalog.suggest_action(a);
                let hint = sugg
                    .first()
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                // With --expect the answer gates a script: an action no policy can name
                // (usually a typo) must not pass as "Allowed".
                if p.expect.is_some() {
                    return usage(
                        err,
                        &format!(
                            "`{a}` is not in the AWS catalog{hint}; --expect needs a known action"
                        ),
                    );
                }
                let _ = writeln!(
                    err,
                    "warning: `{a}` is not in the AWS catalog{hint}; simulating it as given"
                );
            }
            actions.push(a.clone());
        }
    }
    actions.sort_by_key(|a| a.to_ascii_lowercase());
    actions.dedup_by_key(|a| a.to_ascii_lowercase());

    // Regions.
    let mut regions: Vec<Option<String>> = Vec::new();
    for r in p
        .regions
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        if r == "all" {
            match catalog.regions("aws") {
                Some(all) => regions.extend(all.iter().map(|x| Some((*x).to_string()))),
                None => return usage(err, "the catalog has no region list for partition `aws`"),
            }
        } else {
            let known = catalog
                .partitions()
                .iter()
                .any(|part| part.regions.contains(&r));
            if !known {
                let all: Vec<&str> = catalog
                    .partitions()
                    .iter()
                    .flat_map(|x| x.regions.iter().copied())
                    .collect();
                let hint = crate::diag::closest(r, all)
                    .map(|x| format!("; did you mean `{x}`?"))
                    .unwrap_or_default();
                return usage(err, &format!("unknown region `{r}`{hint}"));
            }
            regions.push(Some(r.to_string()));
        }
    }
    regions.sort();
    regions.dedup();
    // Every real request is sent to some region; like the AWS CLI without a configured
    // region, default to us-east-1 and say so.
    let mut default_region = regions.is_empty();
    if default_region {
        regions.push(Some("us-east-1".to_string()));
    }

    let principal = p
        .principal
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:iam::{}:role/{DEFAULT_ROLE}", acct.id));
    // A principal of an account outside the organization calls into `--account`: no SCP of
    // this org governs it, the account's RCPs do (R1.12).
    let outside = account_of_arn(&principal).is_some_and(|pa| {
        pa != acct.id
            && org
                .account(pa)
                .is_none_or(|n| org.nodes[n].kind != NodeKind::Account)
    });
    if let Some(pa) = account_of_arn(&principal)
        && pa != acct.id
        && !outside
    {
        return usage(
            err,
            &format!(
                "principal `{principal}` is in account {pa}, not in `{}` ({})",
                acct.name, acct.id
            ),
        );
    }
    let resource = p.resource.unwrap_or("*");
    if resource != "*" && !(resource.starts_with("arn:") && resource.split(':').count() >= 6) {
        return usage(
            err,
            &format!(
                "--resource `{resource}` is neither `*` nor an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"
            ),
        );
    }

    // Context.
    let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for kv in p.context {
        let Some((k, v)) = kv.split_once('=') else {
            return usage(err, &format!("--context `{kv}` is not KEY=VALUE"));
        };
        if k.trim().is_empty() {
            return usage(err, &format!("--context `{kv}` has no key name"));
        }
        given
            .entry(k.trim().to_string())
            .or_default()
            .push(v.to_string());
    }
    // Values a global key's type cannot hold, and several values for a single-valued key, are
    // typos: AWS would never send them (the key types of the IAM User Guide's global key list).
    for (k, vs) in &given {
        let Some(g) = catalog.global_key(k) else {
            continue;
        };
        if vs.len() > 1 && !g.key_type.multivalued {
            return usage(
                err,
                &format!(
                    "--context {k} is single-valued: give it once (multivalued keys such as aws:TagKeys take one --context per value)"
                ),
            );
        }
        for v in vs {
            let ok = match g.key_type.value {
                ValueType::Bool => v == "true" || v == "false",
                ValueType::Numeric => v.parse::<f64>().is_ok(),
                ValueType::Arn => v.starts_with("arn:") || v == "*",
                _ => true,
            };
            if !ok {
                return usage(
                    err,
                    &format!(
                        "--context {k}={v}: the key holds a {:?} value",
                        g.key_type.value
                    ),
                );
            }
        }
    }
    // `--context aws:RequestedRegion=R` alone names the region of the answer.
    if default_region && let Some(r) = given.get("aws:RequestedRegion").and_then(|v| v.first()) {
        regions = vec![Some(r.clone())];
        default_region = false;
    }
    if let Some(given_region) = given.get("aws:RequestedRegion").and_then(|v| v.first())
        && !default_region
        && let Some(Some(asked)) = regions
            .iter()
            .find(|r| r.as_deref() != Some(given_region.as_str()))
    {
        return usage(
            err,
            &format!(
                "--region {asked} and --context aws:RequestedRegion={given_region} disagree: give the region once"
            ),
        );
    }
    // The policy set. A role session uses its role's policies (aws:PrincipalArn is the role's
    // ARN for a session, R7.2).
    let known = org.principal_for(&principal);
    let mut set = PolicySet {
        scps: if outside {
            Vec::new()
        } else {
            chain_nodes(&org, account, false)
        },
        management_account: org.management_account_id.clone(),
        ..PolicySet::default()
    };
    if outside {
        // Cross-account calls need the resource's own policy (R1.11): assumed to allow any
        // principal, so the answer shows what the RCPs permit.
        let Some(open) = crate::analyze::assumed_open_resource_policy() else {
            return ExitStatus::Environment;
        };
        set.resource = Some(open);
    }
    // The resource's account: `--context aws:ResourceAccount=...` as given, else the ARN's
    // account, else (`*`, or an ARN without an account such as S3's) the caller's. Its RCP
    // chain applies (R1.3); an account outside the organization has none of this org's RCPs.
    let resource_account: String = match given.get("aws:ResourceAccount").map(Vec::as_slice) {
        Some([one]) => one.clone(),
        Some(_) => {
            return usage(err, "--context aws:ResourceAccount takes one account id");
        }
        None => account_of_arn(resource).unwrap_or(&acct.id).to_string(),
    };
    let resource_node = org
        .account(&resource_account)
        .filter(|n| org.nodes[*n].kind == NodeKind::Account);
    if org.rcps_enabled
        && let Some(n) = resource_node
    {
        set.rcps = chain_nodes(&org, n, true);
    }
    let identity_note = match known {
        Some(kp) => {
            set.identity = kp
                .identity_policies
                .iter()
                .map(|&i| named(&org, i))
                .collect();
            set.boundary = kp.boundary.iter().map(|&i| named(&org, i)).collect();
            "the principal's identity policies and permissions boundary from the org file"
        }
        None => {
            let Some(identity) = crate::analyze::assumed_identity() else {
                return ExitStatus::Environment;
            };
            set.identity = vec![identity];
            if outside {
                "outside the organization (no SCP of this org applies): identity policies and the resource policy assumed to allow everything, so the answer shows what the RCPs permit"
            } else {
                "not in the org file: assumed to allow everything, so the answer shows what the guardrails permit"
            }
        }
    };
    let ev = Evaluator::new(&set, p.options);

    if let Some(kp) = known {
        for (k, v) in &kp.tags {
            given
                .entry(format!("aws:PrincipalTag/{k}"))
                .or_insert_with(|| vec![v.clone()]);
        }
    }
    // Every SDK and CLI call uses TLS; a caller who wants to test plain HTTP says so.
    given
        .entry("aws:SecureTransport".to_string())
        .or_insert_with(|| vec!["true".to_string()]);
    let org_path = org.org_path(account);

    // Regions that every policy treats alike give the same decision and the same deciding
    // statement: evaluate one representative per class (see analyze::check::region_classes).
    let region_names: Vec<String> = regions.iter().flatten().cloned().collect();
    let classes: Vec<(Option<String>, Vec<Option<String>>)> = if region_names.is_empty() {
        vec![(None, vec![None])]
    } else {
        crate::analyze::check::region_classes(&set, &region_names)
            .into_iter()
            .map(|(rep, members)| (Some(rep), members.into_iter().map(Some).collect()))
            .collect()
    };

    let mut requests = Vec::new();
    for a in &actions {
        for (rep, members) in &classes {
            let mut req = match Request::new(&principal, a, resource) {
                Ok(x) => x,
                Err(e) => return usage(err, &e.to_string()),
            };
            req.region = rep.clone();
            if !outside {
                req.principal_org_id = org.organization_id.clone();
            }
            req.resource_account = Some(resource_account.clone());
            for (k, vs) in &given {
                if vs.len() == 1 {
                    req.context.set(k, vs[0].clone());
                } else {
                    req.context.set_multi(k, vs.clone());
                }
            }
            if let Some(path) = &org_path
                && !outside
            {
                req.principal_org_paths = vec![path.clone()];
            }
            requests.push((a.clone(), members, req));
        }
    }

    let single = actions.len() == 1 && regions.len() == 1;
    let traces: Vec<Trace> = requests
        .par_iter()
        .map(|(_, _, req)| ev.evaluate(req))
        .collect();
    let mut cells: Vec<Cell> = requests
        .iter()
        .zip(&traces)
        .flat_map(|((a, members, _), t)| {
            members.iter().map(move |r| Cell {
                action: a.clone(),
                region: r.clone(),
                decision: t.decision,
                decided_by: t.decided_by.clone(),
                reason: t.reason.clone(),
            })
        })
        .collect();
    cells.sort_by(|x, y| {
        (x.action.to_ascii_lowercase(), &x.region).cmp(&(y.action.to_ascii_lowercase(), &y.region))
    });

    let met = p.expect.map(|e| {
        cells.iter().all(|c| match e {
            Expect::Allow => c.decision == Decision::Allowed,
            Expect::Deny => c.decision != Decision::Allowed,
        })
    });

    let path: Vec<String> = org
        .chain(account)
        .into_iter()
        .map(|n| node_label(&org, n))
        .collect();
    let scoped = if resource == "*" {
        crate::analyze::resource_scoped_denies(&set.scps, &set.rcps, &actions)
    } else {
        Vec::new()
    };
    let text = match format {
        Format::Json => {
            let doc = SimulateOut {
                version: 1,
                account: AccountOut {
                    id: &acct.id,
                    name: &acct.name,
                    path,
                    management_account: org.is_management(account),
                },
                principal: &principal,
                identity: identity_note,
                resource,
                expect: p.expect.map(|e| match e {
                    Expect::Allow => "allow",
                    Expect::Deny => "deny",
                }),
                expectation_met: met,
                results: &cells,
                trace: if single { traces.first() } else { None },
                resource_scoped_denies: &scoped,
            };
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => {
            human(
                &org,
                account,
                &principal,
                identity_note,
                resource,
                &cells,
                &traces,
                single,
                met,
                default_region,
            ) + &scoped_note(&scoped)
        }
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    match met {
        Some(false) => ExitStatus::Failure,
        _ => ExitStatus::Success,
    }
}

/// The note listing resource-scoped Deny statements not tested on `*` (empty when none).
fn scoped_note(scoped: &[crate::analyze::ResourceScopedDeny]) -> String {
    if scoped.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "\nnote: the resource is `*`, so {} Deny statement{} scoped to specific resources did not apply; pass --resource ARN to test {}:\n",
        scoped.len(),
        if scoped.len() == 1 { "" } else { "s" },
        if scoped.len() == 1 { "it" } else { "them" }
    );
    for d in scoped {
        let shown: Vec<&str> = d.actions.iter().take(3).map(String::as_str).collect();
        let more = d.actions.len().saturating_sub(shown.len());
        let _ = writeln!(
            o,
            "  - {} {} statement {} on {}{}: {} on {}{}",
            d.policy_type,
            d.policy,
            d.statement,
            d.node,
            d.location
                .as_ref()
                .map_or_else(String::new, |l| format!(" ({l})")),
            d.resources.join(", "),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    o
}

#[expect(
    clippy::too_many_arguments,
    reason = "one rendering function with its whole input"
)]
fn human(
    org: &OrgTree,
    account: NodeId,
    principal: &str,
    identity_note: &str,
    resource: &str,
    cells: &[Cell],
    traces: &[Trace],
    single: bool,
    met: Option<bool>,
    default_region: bool,
) -> String {
    let mut o = String::new();
    let path: Vec<String> = org
        .chain(account)
        .into_iter()
        .map(|n| node_label(org, n))
        .collect();
    let _ = writeln!(o, "account:   {}", path.join(" > "));
    if org.is_management(account) {
        let _ = writeln!(
            o,
            "           (the management account: SCPs and RCPs do not apply to it)"
        );
    }
    let _ = writeln!(o, "principal: {principal}");
    let _ = writeln!(o, "identity:  {identity_note}");
    let _ = writeln!(o, "resource:  {resource}");
    let _ = writeln!(
        o,
        "defaults:  aws:SecureTransport=true (SDKs and the CLI call over TLS; override with --context){}",
        if default_region {
            "; region us-east-1 (no --region given)"
        } else {
            ""
        }
    );
    o.push('\n');
    if single {
        if let (Some(c), Some(t)) = (cells.first(), traces.first()) {
            let region = c
                .region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default();
            let _ = writeln!(o, "{}{region}: {}", c.action, c.decision);
            let _ = writeln!(o, "decided by: {}", super::decided_summary(&c.decided_by));
            o.push('\n');
            o.push_str(&t.render());
        }
    } else {
        // One line per action and group of regions with the same decision and reason.
        let width = cells
            .iter()
            .map(|c| c.action.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let total_regions = {
            let mut r: Vec<&Option<String>> = cells.iter().map(|c| &c.region).collect();
            r.sort();
            r.dedup();
            r.len()
        };
        let mut rows: Vec<(String, &'static str, String, String)> = Vec::new();
        let mut i = 0;
        while i < cells.len() {
            let action = &cells[i].action;
            let mut groups: Vec<(Decision, String, Vec<String>)> = Vec::new();
            while i < cells.len() && &cells[i].action == action {
                let c = &cells[i];
                let why = super::decided_summary(&c.decided_by);
                let region = c.region.clone().unwrap_or_else(|| "-".into());
                match groups.iter_mut().find(|g| g.0 == c.decision && g.1 == why) {
                    Some(g) => g.2.push(region),
                    None => groups.push((c.decision, why, vec![region])),
                }
                i += 1;
            }
            for (d, why, regs) in groups {
                let regs = if regs.len() == total_regions && total_regions > 3 {
                    format!("all {total_regions} regions")
                } else if regs.len() > 3 {
                    format!("{} regions ({}, ...)", regs.len(), regs[..2].join(", "))
                } else {
                    regs.join(", ")
                };
                rows.push((action.clone(), d.as_str(), regs, why));
            }
        }
        let rw = rows.iter().map(|r| r.2.len()).max().unwrap_or(7).max(7);
        let _ = writeln!(
            o,
            "{:<width$}  {:<17}  {:<rw$}  DECIDED BY",
            "ACTION", "DECISION", "REGIONS"
        );
        for (action, d, regs, why) in &rows {
            let _ = writeln!(o, "{action:<width$}  {d:<17}  {regs:<rw$}  {why}");
        }
        let allowed = cells
            .iter()
            .filter(|c| c.decision == Decision::Allowed)
            .count();
        let _ = writeln!(
            o,
            "\n{} requests: {allowed} allowed, {} denied",
            cells.len(),
            cells.len() - allowed
        );
    }
    if let Some(m) = met {
        let _ = writeln!(o, "\nexpectation {}", if m { "met" } else { "NOT met" });
    }
    o
}
