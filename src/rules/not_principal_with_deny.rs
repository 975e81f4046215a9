use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `NotPrincipal` in a `Deny` statement of a resource-based policy. (`NotPrincipal`
    /// with `Allow` is `not-principal-with-allow`; SCPs and RCPs reject `NotPrincipal` through
    /// other rules.)
    ///
    /// ## Why is this bad?
    /// AWS no longer recommends `NotPrincipal` for new resource-based policies: its effect is
    /// hard to troubleshoot across policy types, the exempted principal's account (and for a
    /// role session, the role) must be listed too or the whole account is denied, and a Deny
    /// with `NotPrincipal` always denies principals that have a permissions boundary, whatever
    /// the element lists. AWS recommends a `Condition` on `aws:PrincipalArn` with an ARN
    /// operator instead.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin"},
    ///  "Action": "s3:*", "Resource": "arn:aws:s3:::vault/*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::vault/*",
    ///  "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
    /// ```
    ///
    /// ## How to fix
    /// Write `"Principal": "*"` and move the exceptions to
    /// `"Condition": {"ArnNotEquals": {"aws:PrincipalArn": [...]}}`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
    NotPrincipalWithDeny {
        id: "not-principal-with-deny",
        summary: "NotPrincipal in a Deny (AWS recommends a Condition on aws:PrincipalArn)",
        severity: Warning,
        kinds: &[PolicyKind::Resource],
    }
}

impl Rule for NotPrincipalWithDeny {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            let Some(p) = s.principal.as_ref().filter(|p| p.negated) else {
                continue;
            };
            if s.effect.value != Effect::Deny {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                p.key_span,
                &p.pointer,
                "NotPrincipal with Deny is hard to get right; AWS recommends a Condition on \
                 aws:PrincipalArn instead"
                    .into(),
                "denies everyone not listed",
            );
            f.help = Some(
                "write \"Principal\": \"*\" and exempt principals with \"Condition\": \
                 {\"ArnNotEquals\": {\"aws:PrincipalArn\": [...]}}"
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
    fn deny_with_not_principal() {
        let text = "{\"Statement\":[{\"Effect\":\"Deny\",\n\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&NotPrincipalWithDeny, PolicyKind::Resource, text),
            [("not-principal-with-deny", 2)]
        );
        let allow = text.replace("Deny", "Allow");
        assert!(run(&NotPrincipalWithDeny, PolicyKind::Resource, &allow).is_empty());
        let principal = text.replace("NotPrincipal", "Principal");
        assert!(run(&NotPrincipalWithDeny, PolicyKind::Resource, &principal).is_empty());
    }
}
