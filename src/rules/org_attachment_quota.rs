//! The `org-attachment-quota` organization rule: documentation and registry entry. The org loader
//! (`org::local`) reports it while it reads the org file, since `org show`, `simulate`, `check`
//! and `diff` need the same check, so the rule's own check is a no-op.

use crate::policy::PolicyKind;

use super::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a root, OU or account with more SCPs (or RCPs) attached directly to it than AWS Organizations allows: 10 SCPs and 5 RCPs per node since 2026-05-15 (5 SCPs before), from `data/aws/quotas.json`, overridable with `[quotas]` in `scpsim.toml`.
    ///
    /// ## Why is this bad?
    /// AWS Organizations refuses the attachment beyond the quota, so the org file describes an organization that cannot exist, and a deployment pipeline built from it fails half-way.
    ///
    /// ## Example
    /// ```yaml
    /// root:
    ///   scps: [FullAWSAccess, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10]   # 11 SCPs
    /// ```
    ///
    /// ## How to fix
    /// Merge policies (the size quota rose with the count quota), move some to a parent OU, or, if AWS raised the quota for your organization, set the override in `[quotas]`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    /// <https://aws.amazon.com/about-aws/whats-new/2026/05/aws-organizations-increased-scp-quotas/>
    OrgAttachmentQuota {
        id: "org-attachment-quota",
        summary: "more SCPs or RCPs attached to one root, OU or account than the Organizations quota allows",
        severity: Error,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

impl Rule for OrgAttachmentQuota {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_org_loader(&self) -> bool {
        true
    }
}
