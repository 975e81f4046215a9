use crate::diag::Finding;
use crate::policy::PolicyKind;

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `Principal` or `NotPrincipal` in an SCP, identity policy, permissions boundary or
    /// session policy.
    ///
    /// ## Why is this bad?
    /// These policies apply to the principal they are attached to (for an SCP, every principal
    /// of the accounts below the node), so they have no principal element, and AWS rejects the
    /// policy. It usually means a resource-policy statement was pasted into the wrong place.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Principal": "*", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    /// ```
    /// Use instead: the same statement without `Principal`; to exempt principals, use a
    /// condition on `aws:PrincipalArn`.
    ///
    /// ## How to fix
    /// Delete the element; narrow with `Condition` on `aws:PrincipalArn` if needed.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
    PrincipalNotAllowed {
        id: "principal-not-allowed",
        summary: "Principal in a policy kind that has none",
        severity: Error,
        kinds: &[
            PolicyKind::Scp,
            PolicyKind::Identity,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for PrincipalNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            let Some(p) = &s.principal else { continue };
            let name = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let kind = match cx.kind {
                PolicyKind::Scp => "an SCP",
                PolicyKind::Boundary => "a permissions boundary",
                PolicyKind::Session => "a session policy",
                _ => "an identity-based policy",
            };
            let mut f = cx.finding(
                &Self::META,
                p.key_span,
                &p.pointer,
                format!("{name} is not allowed in {kind}"),
                "not allowed here",
            );
            f.help = Some(
                "remove it; to exempt or target principals use a Condition on aws:PrincipalArn"
                    .into(),
            );
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn reported_in_scp_not_in_resource_policy() {
        let text = "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&PrincipalNotAllowed, PolicyKind::Scp, text).len(), 1);
        let ok = text.replace("\"Principal\":\"*\",", "");
        assert!(run(&PrincipalNotAllowed, PolicyKind::Scp, &ok).is_empty());
    }
}
