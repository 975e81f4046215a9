use crate::diag::Finding;
use crate::policy::{PolicyKind, Principal};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports the RCP elements AWS Organizations does not support: `NotPrincipal`,
    /// `NotAction`, and a `Principal` other than `"*"`.
    ///
    /// ## Why is this bad?
    /// RCPs accept Version, Statement, Sid, Effect, Principal (only `"*"`), Action, Resource,
    /// NotResource and Condition. Anything else is rejected when the policy is created.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    ///  "NotAction": "s3:GetObject", "Resource": "*"}
    /// ```
    /// Use instead: `"Principal": "*"` with a condition on `aws:PrincipalAccount`, and `Action`.
    ///
    /// ## How to fix
    /// Use `"Principal": "*"` narrowed with conditions, and `Action` instead of `NotAction`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>
    RcpUnsupportedElement {
        id: "rcp-unsupported-element",
        summary: "element or principal form RCPs do not support",
        severity: Error,
        kinds: &[PolicyKind::Rcp],
    }
}

impl Rule for RcpUnsupportedElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if let Some(p) = &s.principal {
                if p.negated {
                    let mut f = cx.finding(
                        &Self::META,
                        p.key_span,
                        &p.pointer,
                        "NotPrincipal is not supported in an RCP".into(),
                        "not supported in RCPs",
                    );
                    f.help = Some("use \"Principal\": \"*\" with a condition".into());
                    out.push(f);
                } else if let Principal::Map(_) = p.value {
                    let mut f = cx.finding(
                        &Self::META,
                        p.span,
                        &p.pointer,
                        "an RCP's Principal must be \"*\"".into(),
                        "not \"*\"",
                    );
                    f.help = Some(
                        "write \"Principal\": \"*\" and narrow with aws:PrincipalArn, aws:PrincipalAccount or aws:PrincipalOrgID conditions".into(),
                    );
                    out.push(f);
                }
            }
            if s.action.negated {
                let mut f = cx.finding(
                    &Self::META,
                    s.action.key_span,
                    &s.action.pointer,
                    "NotAction is not supported in an RCP".into(),
                    "not supported in RCPs",
                );
                f.help = Some("list the denied actions in Action".into());
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn each_unsupported_form() {
        let t = "{\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"*\"},\"NotAction\":\"s3:*\",\"Resource\":\"*\"},\n{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&RcpUnsupportedElement, PolicyKind::Rcp, t),
            [
                ("rcp-unsupported-element", 1),
                ("rcp-unsupported-element", 1),
                ("rcp-unsupported-element", 2)
            ]
        );
        let ok = "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
        assert!(run(&RcpUnsupportedElement, PolicyKind::Rcp, ok).is_empty());
    }
}
