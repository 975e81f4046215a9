//! The `org-ou-depth` organization rule: documentation and registry entry. The org loader
//! (`org::local`) reports it while it reads the org file, since `org show`, `simulate`, `check`
//! and `diff` need the same check, so the rule's own check is a no-op.

use crate::policy::PolicyKind;

use super::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an OU nested more levels below the root than AWS Organizations allows (5, from `data/aws/quotas.json`, overridable with `[quotas] max_ou_depth`).
    ///
    /// ## Why is this bad?
    /// AWS Organizations refuses to create the OU, so the org file describes an organization that cannot exist.
    ///
    /// ## Example
    /// ```yaml
    /// root:
    ///   ous:
    ///     - name: L1
    ///       ous: [{name: L2, ous: [{name: L3, ous: [{name: L4, ous: [{name: L5, ous: [{name: L6}]}]}]}]}]
    /// ```
    ///
    /// ## How to fix
    /// Flatten the tree: OUs are for policy attachment, and the same grouping can often be had with fewer levels (or with tags).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    OrgOuDepth {
        id: "org-ou-depth",
        summary: "an OU nested deeper below the root than the Organizations quota allows",
        severity: Error,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

impl Rule for OrgOuDepth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_org_loader(&self) -> bool {
        true
    }
}
