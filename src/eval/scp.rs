//! SCP and RCP chains: the intersection along root -> OU -> ... -> account.
//!
//! Every node on the path must have at least one matching `Allow` among the policies attached
//! directly to it (policies on one node combine with OR, nodes with AND); an `Allow` at the
//! root does not carry down by itself; a matching `Deny` at any node is an explicit deny
//! (R1.2, R1.5, R3.6) [S6][S9].
//!
//! S6 <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>,
//! S9 <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>.

use crate::policy::PolicyKind;
use crate::policy::condition::{BareMultivalued, CondFlags};

use super::statement::CompiledPolicy;
use super::{ChainNode, PreparedRequest};

/// One compiled node.
#[derive(Debug, Clone)]
pub struct CompiledNode {
    /// Name for traces.
    pub name: String,
    /// The policies attached directly to the node.
    pub policies: Vec<CompiledPolicy>,
}

/// A compiled chain, root first.
#[derive(Debug, Clone, Default)]
pub struct CompiledChain {
    /// The nodes, root first, the account last.
    pub nodes: Vec<CompiledNode>,
}

impl CompiledChain {
    /// Compiles a chain of SCPs or RCPs.
    pub fn compile(nodes: &[ChainNode], kind: PolicyKind) -> CompiledChain {
        CompiledChain {
            nodes: nodes
                .iter()
                .map(|n| CompiledNode {
                    name: n.name.clone(),
                    policies: n
                        .policies
                        .iter()
                        .map(|p| CompiledPolicy::compile(p, kind))
                        .collect(),
                })
                .collect(),
        }
    }

    /// True when there is no node (the account is not governed by this policy type).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every policy of every node.
    pub fn policies(&self) -> impl Iterator<Item = &CompiledPolicy> {
        self.nodes.iter().flat_map(|n| n.policies.iter())
    }

    /// True when a `Deny` matches at any node.
    pub fn any_deny(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        f: &mut CondFlags,
    ) -> bool {
        self.policies().any(|p| p.any_deny(req, mode, f))
    }

    /// The first node (from the root) where no `Allow` matches.
    pub fn first_node_without_allow(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        f: &mut CondFlags,
    ) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| !n.policies.iter().any(|p| p.any_allow(req, mode, f)))
    }
}
