use crate::diag::Finding;
use crate::policy::PolicyKind;

use super::{OrgContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// With `scpsim lint --org`: reports a customer-managed SCP or RCP attached directly to the
    /// organization's management account. The AWS-managed `FullAWSAccess` and
    /// `RCPFullAWSAccess`, which AWS attaches everywhere, are not reported.
    ///
    /// ## Why is this bad?
    /// SCPs and RCPs do not affect users, roles or resources in the management account. A
    /// guardrail attached there looks like protection for the most powerful account of the
    /// organization but restricts nothing.
    ///
    /// ## Example
    /// ```yaml
    /// management_account_id: "111111111111"
    /// root:
    ///   accounts:
    ///     - {id: "111111111111", name: management, scps: [FullAWSAccess, DenyLeaveOrganization]}
    /// ```
    ///
    /// ## How to fix
    /// Detach the policy from the management account and protect it by other means (few
    /// principals, MFA, monitoring); keep workloads out of the management account.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html>
    ScpOnManagementAccount {
        id: "scp-on-management-account",
        summary: "an SCP or RCP attached to the management account, where it has no effect",
        severity: Warning,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

impl Rule for ScpOnManagementAccount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_org(&self, cx: &OrgContext<'_>, out: &mut Vec<Finding>) {
        let org = cx.org;
        for (i, node) in org.nodes.iter().enumerate() {
            if !org.is_management(i) {
                continue;
            }
            for (&p, what) in node
                .scps
                .iter()
                .map(|p| (p, "SCP"))
                .chain(node.rcps.iter().map(|p| (p, "RCP")))
            {
                let policy = &org.policies[p];
                if policy.aws_managed {
                    continue;
                }
                out.push(Finding {
                    rule: Self::META.id,
                    severity: Self::META.default_severity,
                    message: format!(
                        "{what} `{}` is attached to the management account `{}` ({}), where {what}s \
                         have no effect",
                        policy.name, node.name, node.id
                    ),
                    label: "management account".into(),
                    span: node.span,
                    pointer: String::new(),
                    help: Some(format!(
                        "detach `{}` from the management account; protect it by other means",
                        policy.name
                    )),
                    related: Vec::new(),
                    note: None,
                    source: std::sync::Arc::clone(&org.source),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run_org;

    #[test]
    fn customer_policies_on_the_management_account() {
        let got = run_org(&ScpOnManagementAccount, "scp-on-management-account/bad-org");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "org.yaml");
        assert!(
            run_org(
                &ScpOnManagementAccount,
                "scp-on-management-account/good-org"
            )
            .is_empty()
        );
    }
}
