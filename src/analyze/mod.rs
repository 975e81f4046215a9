//! Org-wide analysis on the one engine: `check` (compliance rules over accounts x actions x
//! regions) and `diff` (what a change newly allows or denies, over a request space of classes).

pub mod check;
pub mod diff;

use std::sync::Arc;

use crate::eval::{ChainNode, NamedPolicy};
use crate::org::{NodeId, NodeKind, OrgTree};

/// The identity policy assumed for principals whose identity policies are unknown: allow
/// everything, so that an answer shows what the guardrails (SCPs, RCPs) permit.
pub const ASSUMED_IDENTITY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The resource-based policy assumed for callers from outside the organization when only the
/// guardrails are asked about (`simulate`, `diff`): it allows every principal every action.
pub const ASSUMED_OPEN_RESOURCE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// [`ASSUMED_IDENTITY`] as a named policy, so traces say it was assumed. `None` only if the
/// constant failed to parse (a bug).
pub fn assumed_identity() -> Option<NamedPolicy> {
    assumed(
        "(assumed: identity policies allow everything)",
        ASSUMED_IDENTITY,
    )
}

/// [`ASSUMED_OPEN_RESOURCE_POLICY`] as a named policy.
pub fn assumed_open_resource_policy() -> Option<NamedPolicy> {
    assumed(
        "(assumed: the resource policy allows any principal)",
        ASSUMED_OPEN_RESOURCE_POLICY,
    )
}

fn assumed(name: &str, text: &str) -> Option<NamedPolicy> {
    Some(NamedPolicy {
        name: name.into(),
        document: crate::policy::parse_policy(text).ok()?,
        source: None,
    })
}

/// Progress of a long analysis, reported from any thread: the work grows with
/// [`Progress::add_total`] (units: decisions to compute) and is done with
/// [`Progress::advance`]. Reporting never changes results.
pub trait Progress: Sync {
    /// More work is known: `n` more decisions.
    fn add_total(&self, n: u64) {
        let _ = n;
    }
    /// `n` decisions were computed.
    fn advance(&self, n: u64) {
        let _ = n;
    }
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// How a node is named in traces: `root r-...`, `OU Name (ou-...)`, `account name (id)`.
pub fn node_label(org: &OrgTree, id: NodeId) -> String {
    let n = &org.nodes[id];
    match n.kind {
        NodeKind::Root => format!("root {}", n.id),
        NodeKind::Ou => format!("OU {} ({})", n.name, n.id),
        NodeKind::Account => format!("account {} ({})", n.name, n.id),
    }
}

/// A policy of the org as the engine takes it (name, document, source for line numbers).
pub fn named_policy(org: &OrgTree, p: usize) -> NamedPolicy {
    let pol = &org.policies[p];
    NamedPolicy {
        name: pol.name.clone(),
        document: (*pol.doc).clone(),
        source: Some(Arc::clone(&pol.source)),
    }
}

/// The SCP chain (`rcp` false) or RCP chain (`rcp` true) of `node`: root first, each node with
/// the policies attached directly to it.
pub fn chain_nodes(org: &OrgTree, node: NodeId, rcp: bool) -> Vec<ChainNode> {
    org.chain(node)
        .into_iter()
        .map(|id| {
            let n = &org.nodes[id];
            let ids = if rcp { &n.rcps } else { &n.scps };
            ChainNode {
                name: node_label(org, id),
                policies: ids.iter().map(|&p| named_policy(org, p)).collect(),
            }
        })
        .collect()
}

/// A `Deny` statement of an SCP or RCP chain that names specific resources (or uses
/// `NotResource`), so a request on the resource `*` never meets it: `simulate` and `check`
/// ask about `*` unless told otherwise, and list these so a reader knows what was not tested.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResourceScopedDeny {
    /// `SCP` or `RCP`.
    pub policy_type: &'static str,
    /// The node the policy is attached to (as in traces).
    pub node: String,
    /// The policy name.
    pub policy: String,
    /// The statement's `Sid`, or `#N` (0-based, as traces name it) without one.
    pub statement: String,
    /// `file:line` of the statement, when the policy came from a file.
    pub location: Option<String>,
    /// The `Resource` (or `NotResource`, prefixed with `not `) values.
    pub resources: Vec<String>,
    /// Which of the asked actions the statement's `Action`/`NotAction` covers.
    pub actions: Vec<String>,
}

/// The [`ResourceScopedDeny`] statements of `scps` and `rcps` that cover any of `actions`
/// (case-insensitive patterns as IAM matches them), in chain order.
pub fn resource_scoped_denies(
    scps: &[ChainNode],
    rcps: &[ChainNode],
    actions: &[String],
) -> Vec<ResourceScopedDeny> {
    use crate::policy::Effect;
    use crate::policy::pattern::action_matches;
    let mut out = Vec::new();
    for (policy_type, chain) in [("SCP", scps), ("RCP", rcps)] {
        for node in chain {
            for p in &node.policies {
                for s in &p.document.statements {
                    if s.effect.value != Effect::Deny {
                        continue;
                    }
                    let Some(res) = &s.resource else { continue };
                    if !res.negated && res.values.iter().any(|v| v.value == "*") {
                        continue;
                    }
                    let covered: Vec<String> = actions
                        .iter()
                        .filter(|a| {
                            let any = s.action.values.iter().any(|v| action_matches(&v.value, a));
                            any != s.action.negated
                        })
                        .cloned()
                        .collect();
                    if covered.is_empty() {
                        continue;
                    }
                    out.push(ResourceScopedDeny {
                        policy_type,
                        node: node.name.clone(),
                        policy: p.name.clone(),
                        statement: s
                            .sid_str()
                            .map_or_else(|| format!("#{}", s.index), str::to_string),
                        location: p.source.as_ref().map(|src| {
                            format!("{}:{}", src.name(), src.line_col(s.span.start).line)
                        }),
                        resources: res
                            .values
                            .iter()
                            .map(|v| {
                                if res.negated {
                                    format!("not {}", v.value)
                                } else {
                                    v.value.clone()
                                }
                            })
                            .collect(),
                        actions: covered,
                    });
                }
            }
        }
    }
    out
}

/// A request as every org-wide command asks it of `account` (a node of `org`): `principal`
/// calls `action` on `resource` in `region`, with what `simulate` also sets by default —
/// `aws:PrincipalOrgID` (the org's id), `aws:PrincipalOrgPaths` (the account's path),
/// `aws:SecureTransport` = `true` (SDKs and the CLI call over TLS) and the resource's account
/// (the ARN's account when the org has it, else the principal's own account, as for `*`).
/// `None` when `principal` is not a principal `Request::new` accepts.
pub fn org_request(
    org: &OrgTree,
    account: NodeId,
    principal: &str,
    action: &str,
    resource: &str,
    region: &str,
) -> Option<crate::eval::Request> {
    let mut req = crate::eval::Request::new(principal, action, resource).ok()?;
    req.region = Some(region.to_string());
    req.principal_org_id = org.organization_id.clone();
    req.context.set("aws:SecureTransport", "true");
    if let Some(p) = org.org_path(account) {
        req.principal_org_paths = vec![p];
    }
    req.resource_account = Some(org.nodes[resource_node(org, account, resource)].id.clone());
    Some(req)
}

/// The account owning `resource` for a principal of `account`, as `simulate` decides it: the
/// ARN's account when it is an account of `org`, else `account` itself (for `*`, an ARN
/// without an account such as S3's, or an account outside the org). Its RCP chain is the one
/// that applies.
pub fn resource_node(org: &OrgTree, account: NodeId, resource: &str) -> NodeId {
    resource
        .split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|a| org.account(a))
        .filter(|&n| org.nodes[n].kind == NodeKind::Account)
        .unwrap_or(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_request_sets_what_simulate_sets() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/example");
        let quotas = crate::catalog::Catalog::load().unwrap().quotas();
        let org = crate::org::local::load(&dir, &quotas).tree.unwrap();
        let acct = org.account("prod-payments").unwrap();
        let role = "arn:aws:iam::333333333301:role/R";
        let ask = |resource: &str| {
            org_request(&org, acct, role, "s3:GetObject", resource, "eu-west-1").unwrap()
        };
        let star = ask("*");
        assert_eq!(star.resource_account.as_deref(), Some("333333333301"));
        assert_eq!(star.region.as_deref(), Some("eu-west-1"));
        assert!(star.context.contains("aws:SecureTransport"));
        assert_eq!(star.principal_org_paths.len(), 1);
        assert_eq!(star.principal_org_id, org.organization_id);
        // An ARN of another account of the org names that account; an unknown account or an
        // ARN without one (S3) leaves the principal's own.
        let other = ask("arn:aws:sqs:eu-west-1:222222222211:q");
        assert_eq!(other.resource_account.as_deref(), Some("222222222211"));
        let foreign = ask("arn:aws:sqs:eu-west-1:999999999999:q");
        assert_eq!(foreign.resource_account.as_deref(), Some("333333333301"));
        let s3 = ask("arn:aws:s3:::bucket/key");
        assert_eq!(s3.resource_account.as_deref(), Some("333333333301"));
    }
}
