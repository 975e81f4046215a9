use crate::diag::Finding;
use crate::policy::pattern::{Case, glob_match};
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports an identity-based `Allow` statement whose `Action` covers `iam:PassRole`
    /// (`iam:PassRole`, `iam:Pass*`, `iam:*`, ...) on `Resource` `"*"`. A bare `*` action is left
    /// to `allow-star-action-star-resource`.
    ///
    /// ## Why is this bad?
    /// Passing a role to a service (EC2, Lambda, CloudFormation, ...) lets the service act with
    /// that role's permissions. AWS recommends limiting `iam:PassRole` to the specific roles a
    /// principal needs; on every role, anyone with this permission can launch a resource running
    /// as the most privileged role in the account, a well-known privilege escalation.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ec2:RunInstances", "iam:PassRole"], "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-instance-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
    /// ```
    ///
    /// ## How to fix
    /// Put `iam:PassRole` in its own statement whose `Resource` lists the role ARNs that may be
    /// passed, and narrow it further with `iam:PassedToService`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>
    PassRoleStar {
        id: "pass-role-star",
        summary: "iam:PassRole allowed on every role (Resource `*`)",
        severity: Warning,
        kinds: &[PolicyKind::Identity],
    }
}

impl Rule for PassRoleStar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Allow || s.action.negated {
                continue;
            }
            let Some(action) = s.action.values.iter().find(|a| {
                a.value != "*"
                    && a.value != "*:*"
                    && glob_match(&a.value, "iam:PassRole", Case::AsciiInsensitive)
            }) else {
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
            let what = if action.value.eq_ignore_ascii_case("iam:PassRole") {
                "iam:PassRole".to_string()
            } else {
                format!("`{}` (which includes iam:PassRole)", action.value)
            };
            let mut f = cx.finding(
                &Self::META,
                action.span,
                &action.pointer,
                format!("{what} is allowed on every role"),
                "can pass any role to a service",
            );
            f.related.push(label(resource.span, "every resource"));
            f.help = Some(
                "list the role ARNs that may be passed in Resource, and limit iam:PassedToService"
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

    fn doc(action: &str, resource: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Allow\",\n\"Action\":[\"ec2:RunInstances\",{action}],\"Resource\":{resource}}}]}}"
        )
    }

    #[test]
    fn pass_role_patterns_on_star() {
        for a in [
            "\"iam:PassRole\"",
            "\"IAM:passrole\"",
            "\"iam:Pass*\"",
            "\"iam:*\"",
        ] {
            assert_eq!(
                run(&PassRoleStar, PolicyKind::Identity, &doc(a, "\"*\"")),
                [("pass-role-star", 2)],
                "{a}"
            );
        }
        for a in ["\"iam:GetRole\"", "\"*\"", "\"iam:List*\""] {
            assert!(run(&PassRoleStar, PolicyKind::Identity, &doc(a, "\"*\"")).is_empty());
        }
        let scoped = doc("\"iam:PassRole\"", "\"arn:aws:iam::111122223333:role/app\"");
        assert!(run(&PassRoleStar, PolicyKind::Identity, &scoped).is_empty());
    }
}
