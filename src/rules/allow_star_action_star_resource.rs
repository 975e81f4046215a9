use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement whose `Action` includes `*` (or `*:*`) and whose `Resource`
    /// includes `*`, in the policy kinds that grant or bound permissions: identity-based,
    /// resource-based, permissions boundaries and session policies.
    ///
    /// ## Why is this bad?
    /// Allowing every action on every resource is full administrator access (the AWS managed
    /// `AdministratorAccess` policy is exactly this statement). AWS's IAM best practices ask for
    /// least privilege: grant only the actions and resources a task needs. In a resource-based
    /// policy it hands the listed principals every action the service has; in a boundary or a
    /// session policy it sets no limit at all. SCPs and RCPs are not checked: their `Allow` grants
    /// nothing, and `FullAWSAccess` is this statement on purpose. Nor are resource-based
    /// statements with a `Condition`: VPC endpoint and data perimeter policies allow `*` on `*` to
    /// the principals their condition selects (`aws:PrincipalOrgID`), as AWS's examples do.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "*", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}
    /// ```
    ///
    /// ## How to fix
    /// List the actions and resources the principal needs; IAM Access Analyzer can generate a
    /// policy from CloudTrail activity.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html>
    AllowStarActionStarResource {
        id: "allow-star-action-star-resource",
        summary: "Allow of every action on every resource (`*` on `*`)",
        severity: Warning,
        kinds: &[
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for AllowStarActionStarResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Allow
                || s.action.negated
                || (cx.kind == PolicyKind::Resource && s.condition.is_some())
            {
                continue;
            }
            let Some(action) = s
                .action
                .values
                .iter()
                .find(|a| a.value == "*" || a.value == "*:*")
            else {
                continue;
            };
            let Some(resource) = s
                .resource
                .as_ref()
                .filter(|r| !r.negated)
                .and_then(|r| r.values.iter().find(|v| v.value == "*"))
            else {
                continue;
            };
            let mut f = cx.finding(
                &Self::META,
                action.span,
                &action.pointer,
                "statement allows every action on every resource".into(),
                "every action",
            );
            f.related.push(label(resource.span, "on every resource"));
            f.help = Some(
                "grant only the actions and resources that are needed (least privilege)".into(),
            );
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    const STAR: &str = "{\"Statement\":[{\"Effect\":\"Allow\",\n\"Action\":\"*\",\"Resource\":[\"arn:aws:s3:::b\",\"*\"]}]}";

    #[test]
    fn allow_star_on_star() {
        assert_eq!(
            run(&AllowStarActionStarResource, PolicyKind::Identity, STAR),
            [("allow-star-action-star-resource", 2)]
        );
        let deny = STAR.replace("Allow", "Deny");
        assert!(run(&AllowStarActionStarResource, PolicyKind::Identity, &deny).is_empty());
        let narrow = STAR.replace(",\"*\"]", "]");
        assert!(run(&AllowStarActionStarResource, PolicyKind::Identity, &narrow).is_empty());
        let scoped = STAR.replace("\"Action\":\"*\"", "\"Action\":\"s3:*\"");
        assert!(run(&AllowStarActionStarResource, PolicyKind::Identity, &scoped).is_empty());
        let cond = STAR.replace(
            "]}]}",
            "],\"Principal\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}",
        );
        assert!(run(&AllowStarActionStarResource, PolicyKind::Resource, &cond).is_empty());
        assert_eq!(
            run(&AllowStarActionStarResource, PolicyKind::Identity, &cond).len(),
            1
        );
    }
}
