//! The organization model: root -> OUs -> accounts, the SCPs and RCPs attached to each node,
//! and optionally known principals with their identity policies and permissions boundary.
//!
//! An [`OrgTree`] is an arena of [`Node`]s (index 0 is the root) plus the loaded policies. It is
//! read from local files by [`local::load`] (the layout `org pull` writes) and answers the
//! questions the engine needs: the chain root -> ... -> account of an account, and the SCPs and
//! RCPs attached along it (AWS: every node on the path must allow; policies on one node OR,
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>).

#[cfg(feature = "aws")]
pub mod aws;
pub mod err;
pub mod local;
pub mod snapshot;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::{SourceFile, Span};

/// Index of a node in [`OrgTree::nodes`]; the root is 0.
pub type NodeId = usize;

/// Index of a policy in [`OrgTree::policies`].
pub type PolicyId = usize;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// The organization root (`r-...`).
    Root,
    /// An organizational unit (`ou-...`).
    Ou,
    /// A member or management account (12 digits).
    Account,
}

impl NodeKind {
    /// `root`, `OU` or `account`, as AWS writes them.
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Root => "root",
            NodeKind::Ou => "OU",
            NodeKind::Account => "account",
        }
    }
}

/// One root, OU or account.
#[derive(Debug, Clone)]
pub struct Node {
    /// Root, OU or account.
    pub kind: NodeKind,
    /// AWS id: `r-...`, `ou-...`, or the 12-digit account id.
    pub id: String,
    /// Display name (`Root` for the root).
    pub name: String,
    /// Account email, when known.
    pub email: Option<String>,
    /// Account or OU tags.
    pub tags: BTreeMap<String, String>,
    /// Parent node; `None` for the root.
    pub parent: Option<NodeId>,
    /// Child OUs and accounts, in file order.
    pub children: Vec<NodeId>,
    /// SCPs attached directly to this node, in file order.
    pub scps: Vec<PolicyId>,
    /// RCPs attached directly to this node, in file order.
    pub rcps: Vec<PolicyId>,
    /// Where the node is defined in the org file.
    pub span: Span,
}

/// A policy document referenced by the org file.
#[derive(Debug, Clone)]
pub struct OrgPolicy {
    /// The policy's name in AWS (`FullAWSAccess`).
    pub name: String,
    /// AWS policy id (`p-FullAWSAccess`), when known.
    pub aws_id: Option<String>,
    /// SCP, RCP, identity, boundary, session or resource.
    pub kind: PolicyKind,
    /// The file, as resolved (relative to the current directory).
    pub path: PathBuf,
    /// The file's text.
    pub source: Arc<SourceFile>,
    /// The parsed document.
    pub doc: Arc<PolicyDocument>,
    /// True for AWS managed policies (`FullAWSAccess`, `RCPFullAWSAccess`).
    pub aws_managed: bool,
}

/// A principal whose identity policies are known.
#[derive(Debug, Clone)]
pub struct OrgPrincipal {
    /// IAM user or role ARN.
    pub arn: String,
    /// Identity policies (inline, managed and group policies together).
    pub identity_policies: Vec<PolicyId>,
    /// Permissions boundary, if any.
    pub boundary: Option<PolicyId>,
    /// Principal tags (`aws:PrincipalTag/...`).
    pub tags: BTreeMap<String, String>,
}

/// A whole organization, loaded and validated.
#[derive(Debug, Clone)]
pub struct OrgTree {
    /// The org file.
    pub source: Arc<SourceFile>,
    /// Organization id (`o-...`), when known.
    pub organization_id: Option<String>,
    /// The management account id.
    pub management_account_id: Option<String>,
    /// Nodes; index 0 is the root.
    pub nodes: Vec<Node>,
    /// Every policy the org file lists.
    pub policies: Vec<OrgPolicy>,
    /// Known principals.
    pub principals: Vec<OrgPrincipal>,
    /// True when RCPs are enabled (some node lists an RCP, or `rcps_enabled: true`).
    pub rcps_enabled: bool,
}

impl OrgTree {
    /// The root node.
    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// Finds an account by 12-digit id or by name (names compare case-insensitively).
    pub fn account(&self, id_or_name: &str) -> Option<NodeId> {
        let accounts = || {
            self.nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.kind == NodeKind::Account)
        };
        accounts()
            .find(|(_, n)| n.id == id_or_name)
            .or_else(|| accounts().find(|(_, n)| n.name.eq_ignore_ascii_case(id_or_name)))
            .map(|(i, _)| i)
    }

    /// Every account, in tree order (depth first, file order).
    pub fn accounts(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![0];
        while let Some(n) = stack.pop() {
            if self.nodes[n].kind == NodeKind::Account {
                out.push(n);
            }
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }

    /// The path root -> ... -> `node`, root first.
    pub fn chain(&self, node: NodeId) -> Vec<NodeId> {
        let mut out = vec![node];
        let mut cur = node;
        while let Some(p) = self.nodes[cur].parent {
            out.push(p);
            cur = p;
        }
        out.reverse();
        out
    }

    /// Depth of a node below the root (root 0, a top-level OU 1).
    pub fn depth(&self, node: NodeId) -> usize {
        self.chain(node).len() - 1
    }

    /// True when the account is the management account (SCPs and RCPs do not apply to it,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>).
    pub fn is_management(&self, node: NodeId) -> bool {
        self.management_account_id
            .as_deref()
            .is_some_and(|m| m == self.nodes[node].id)
    }

    /// The org path `o-.../r-.../ou-.../` of a node, as `aws:PrincipalOrgPaths` carries it
    /// (the account itself is not part of the path).
    pub fn org_path(&self, node: NodeId) -> Option<String> {
        let org = self.organization_id.as_deref()?;
        let mut s = format!("{org}/");
        for n in self.chain(node) {
            if self.nodes[n].kind != NodeKind::Account {
                s.push_str(&self.nodes[n].id);
                s.push('/');
            }
        }
        Some(s)
    }

    /// A principal known to the org file, by ARN.
    pub fn principal(&self, arn: &str) -> Option<&OrgPrincipal> {
        self.principals.iter().find(|p| p.arn == arn)
    }

    /// The listed principal whose policies decide for `arn`: the principal itself, or for an
    /// assumed-role session (`arn:aws:sts::ID:assumed-role/NAME/SESSION`) the role `NAME` of
    /// account `ID`, whatever its path (a session acts with its role's policies, R7.2).
    pub fn principal_for(&self, arn: &str) -> Option<&OrgPrincipal> {
        self.principal(arn).or_else(|| {
            let mut parts = arn.splitn(6, ':');
            let (acct, rest) = (parts.nth(4)?, parts.next()?);
            let role = rest.strip_prefix("assumed-role/")?.split('/').next()?;
            self.principals.iter().find(|kp| {
                kp.arn.split(':').nth(4) == Some(acct)
                    && kp.arn.contains(":role/")
                    && kp.arn.rsplit('/').next() == Some(role)
            })
        })
    }
}
