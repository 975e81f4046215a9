use crate::diag::Finding;
use crate::policy::PolicyKind;

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement with neither `Resource` nor `NotResource` in a policy kind that
    /// requires one: identity policies, permissions boundaries, session policies, SCPs and RCPs.
    ///
    /// ## Why is this bad?
    /// IAM and AWS Organizations reject such a statement. Only some resource-based policies
    /// (for example role trust policies) may leave the resource implicit.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}
    /// ```
    /// Use instead: add `"Resource": "*"`.
    ///
    /// ## How to fix
    /// Add `"Resource": "*"` or the ARNs the statement is about.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>
    MissingResource {
        id: "missing-resource",
        summary: "statement without Resource or NotResource",
        severity: Error,
        kinds: &[
            PolicyKind::Scp,
            PolicyKind::Rcp,
            PolicyKind::Identity,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for MissingResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in cx.doc.statements.iter().filter(|s| s.resource.is_none()) {
            let mut f = cx.finding(
                &Self::META,
                s.effect.span,
                &s.pointer,
                format!(
                    "statement{} has neither Resource nor NotResource, which {} statements require",
                    s.sid_str().map(|x| format!(" `{x}`")).unwrap_or_default(),
                    kind_name(cx.kind)
                ),
                "statement without Resource",
            );
            f.help = Some("add \"Resource\": \"*\" or the ARNs the statement covers".into());
            out.push(f);
        }
    }
}

fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Scp => "SCP",
        PolicyKind::Rcp => "RCP",
        PolicyKind::Boundary => "permissions boundary",
        PolicyKind::Session => "session policy",
        _ => "identity policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn required_outside_resource_policies() {
        let text = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\"}]}";
        assert_eq!(run(&MissingResource, PolicyKind::Scp, text).len(), 1);
        let ok = text.replace(
            "\"Action\"",
            "\"NotResource\":\"arn:aws:s3:::b\",\"Action\"",
        );
        assert!(run(&MissingResource, PolicyKind::Scp, &ok).is_empty());
    }
}
