//! The `org-no-scp` organization rule: documentation and registry entry. The org loader
//! (`org::local`) reports it while it reads the org file, since `org show`, `simulate`, `check`
//! and `diff` need the same check, so the rule's own check is a no-op.

use crate::policy::PolicyKind;

use super::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a node with no SCP attached in an organization that has SCPs enabled (some node has one). AWS keeps at least one SCP attached to every root, OU and account (`min_per_node` in `data/aws/quotas.json`).
    ///
    /// ## Why is this bad?
    /// AWS does not allow detaching the last SCP, so the org file does not describe the real organization: usually FullAWSAccess was left out. scpsim would evaluate the node as one without any Allow and deny everything below it.
    ///
    /// ## Example
    /// ```yaml
    /// accounts:
    ///   - {id: "222222222222", name: workload}   # no scps:
    /// ```
    ///
    /// ## How to fix
    /// List the node's SCPs, usually `scps: [FullAWSAccess]` plus the guardrails attached there.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_attach.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    OrgNoScp {
        id: "org-no-scp",
        summary: "a root, OU or account with no SCP attached while the organization uses SCPs",
        severity: Error,
        kinds: &[PolicyKind::Scp],
    }
}

impl Rule for OrgNoScp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_org_loader(&self) -> bool {
        true
    }
}
