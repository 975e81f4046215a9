//! The `org-node-without-allow` organization rule: documentation and registry entry. The org loader
//! (`org::local`) reports it while it reads the org file, since `org show`, `simulate`, `check`
//! and `diff` need the same check, so the rule's own check is a no-op.

use crate::policy::PolicyKind;

use super::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a root, OU or member account whose attached SCPs contain only Deny statements (for example FullAWSAccess detached and only deny-list SCPs left).
    ///
    /// ## Why is this bad?
    /// Every node from the root down must allow an action (SCPs on one node OR, nodes AND); a node without any Allow implicitly denies every action for every account below it, including the organization access role. This is intended only for a locked OU such as Suspended.
    ///
    /// ## Example
    /// ```yaml
    /// ous:
    ///   - name: Prod
    ///     scps: [DenyLeaveOrganization]   # FullAWSAccess missing
    /// ```
    ///
    /// ## How to fix
    /// Attach FullAWSAccess next to the deny-list SCPs, or an allow-list SCP; if the lock-out is intended (a Suspended OU), disable the rule for that org file with `[[ignore]]`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
    OrgNodeWithoutAllow {
        id: "org-node-without-allow",
        summary: "a node whose SCPs hold no Allow statement, so everything below it is denied",
        severity: Warning,
        kinds: &[PolicyKind::Scp],
    }
}

impl Rule for OrgNodeWithoutAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_org_loader(&self) -> bool {
        true
    }
}
