use crate::diag::Finding;
use crate::org::NodeKind;
use crate::policy::PolicyKind;
use crate::source::Span;

use super::{OrgContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// With `scpsim lint --org`: reports a policy the org file lists that nothing uses: an SCP
    /// or RCP attached to no root, OU or account, or an identity policy or permissions
    /// boundary that no principal references. AWS-managed policies are not reported.
    ///
    /// ## Why is this bad?
    /// A policy that is attached nowhere has no effect. Usually it is a guardrail someone meant
    /// to attach (the control is missing) or a leftover that reviewers keep reading as if it
    /// applied.
    ///
    /// ## Example
    /// ```yaml
    /// policies:
    ///   - {name: DenyLeaveOrganization, type: scp, file: policies/deny-leave.json}
    /// root:
    ///   scps: [FullAWSAccess]     # DenyLeaveOrganization attached nowhere
    /// ```
    ///
    /// ## How to fix
    /// Attach the policy where it was meant to apply, or remove it from the org file.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_attach.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
    UnattachedPolicy {
        id: "unattached-policy",
        summary: "a policy the org lists but attaches nowhere",
        severity: Info,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

impl Rule for UnattachedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_org(&self, cx: &OrgContext<'_>, out: &mut Vec<Finding>) {
        let org = cx.org;
        for (id, policy) in org.policies.iter().enumerate() {
            if policy.aws_managed {
                continue;
            }
            let used = org
                .nodes
                .iter()
                .any(|n| n.scps.contains(&id) || n.rcps.contains(&id))
                || org
                    .principals
                    .iter()
                    .any(|p| p.identity_policies.contains(&id) || p.boundary == Some(id));
            if used {
                continue;
            }
            let targets = match policy.kind {
                PolicyKind::Scp | PolicyKind::Rcp => {
                    format!("attached to no {}, OU or account", NodeKind::Root.label())
                }
                _ => "used by no principal".into(),
            };
            let first = policy
                .source
                .text()
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            out.push(Finding {
                rule: Self::META.id,
                severity: Self::META.default_severity,
                message: format!("policy `{}` is {targets}: it has no effect", policy.name),
                label: "unused policy".into(),
                span: Span::new(0, first),
                pointer: String::new(),
                help: Some(format!(
                    "attach `{}` where it should apply, or remove it from the org file",
                    policy.name
                )),
                related: Vec::new(),
                note: None,
                source: std::sync::Arc::clone(&policy.source),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run_org;

    #[test]
    fn unused_policies_are_reported() {
        let got = run_org(&UnattachedPolicy, "unattached-policy/bad-org");
        assert_eq!(
            got,
            [("unattached-policy", "deny-leave.json".to_string(), 1)]
        );
        assert!(run_org(&UnattachedPolicy, "unattached-policy/good-org").is_empty());
    }
}
