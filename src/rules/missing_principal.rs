use crate::diag::Finding;
use crate::policy::PolicyKind;

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement without `Principal` or `NotPrincipal` in a resource-based policy or
    /// an RCP.
    ///
    /// ## Why is this bad?
    /// A resource-based policy (bucket policy, key policy, trust policy, VPC endpoint policy)
    /// must say whom it applies to; the service rejects a statement without a principal. In an
    /// RCP, `Principal` is required and must be `"*"`.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    /// ```
    /// Use instead: `{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}`.
    ///
    /// ## How to fix
    /// Add `"Principal": "*"` (narrowed with conditions) or a principal map.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>
    MissingPrincipal {
        id: "missing-principal",
        summary: "resource policy or RCP statement without Principal",
        severity: Error,
        kinds: &[PolicyKind::Resource, PolicyKind::Rcp],
    }
}

impl Rule for MissingPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in cx.doc.statements.iter().filter(|s| s.principal.is_none()) {
            let mut f = cx.finding(
                &Self::META,
                s.effect.span,
                &s.pointer,
                format!(
                    "statement has no Principal, which {} statements require",
                    article_kind(cx.kind)
                ),
                "statement without Principal",
            );
            f.help = Some("add \"Principal\": \"*\" and narrow it with conditions".into());
            out.push(f);
        }
    }
}

fn article_kind(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Rcp => "RCP",
        _ => "resource-based policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn resource_policies_need_a_principal() {
        let text = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&MissingPrincipal, PolicyKind::Rcp, text).len(), 1);
        let ok = text.replace("\"Action\"", "\"Principal\":\"*\",\"Action\"");
        assert!(run(&MissingPrincipal, PolicyKind::Rcp, &ok).is_empty());
    }
}
