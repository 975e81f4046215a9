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
