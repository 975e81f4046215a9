use crate::diag::Finding;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, split_action};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Action` or `NotAction` entry with a wildcard (`*` or `?`) in the action
    /// name, of a known service, that matches none of the service's actions
    /// (`s3:Git*`, `ec2:*Instancse`).
    ///
    /// ## Why is this bad?
    /// IAM matches the pattern against action names only; a pattern that matches none of them
    /// is dead weight at best and, in a `Deny`, a guardrail that silently protects nothing.
    /// It is almost always a typo.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:Delet*", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Correct the pattern; `scpsim catalog actions 's3:Delete*'` shows what a pattern matches.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    ActionPatternMatchesNothing {
        id: "action-pattern-matches-nothing",
        summary: "an action pattern that matches no action of its service",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for ActionPatternMatchesNothing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            for v in &s.action.values {
                let Some((prefix, name)) = split_action(&v.value) else {
                    continue;
                };
                if has_wildcard(prefix) || !has_wildcard(name) || cat.service(prefix).is_none() {
                    continue;
                }
                if !cat.expand(&v.value).is_empty() {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!("action pattern `{}` matches no action", v.value),
                    "matches nothing",
                );
                f.help = Some(format!(
                    "`scpsim catalog actions {}` lists the service's actions",
                    prefix.to_ascii_lowercase()
                ));
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    #[test]
    fn empty_patterns_are_reported() {
        let bad = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"s3:Get*\",\n\"s3:Delet?Zzz*\"],\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&ActionPatternMatchesNothing, PolicyKind::Scp, bad),
            [("action-pattern-matches-nothing", 2)]
        );
        for ok in [
            "s3:Delete*",
            "ec2:*Instances",
            "s3:DeleteBuckett",
            "nosuch:Zz*",
        ] {
            let good = bad.replace("s3:Delet?Zzz*", ok);
            assert!(
                run(&ActionPatternMatchesNothing, PolicyKind::Scp, &good).is_empty(),
                "{ok}"
            );
        }
    }
}
