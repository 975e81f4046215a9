use crate::diag::Finding;

use super::context_keys::is_single_valued;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ForAllValues:` or `ForAnyValue:` on a global context key that is single-valued
    /// (`aws:SourceVpce`, `aws:RequestedRegion`, `aws:PrincipalTag/*`, ...). Service-specific keys
    /// are not checked until the rules read the catalog.
    ///
    /// ## Why is this bad?
    /// Set operators compare a set of request values with the policy's values; AWS's
    /// documentation says not to use them with single-valued keys, because the result can be
    /// overly permissive: `ForAllValues` is true when the key is missing, so an `Allow`
    /// guarded by `ForAllValues:StringEquals` on `aws:SourceVpce` also allows every request
    /// that comes from no VPC endpoint at all.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
    ///  "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
    ///  "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
    /// ```
    ///
    /// ## How to fix
    /// Drop the `ForAllValues:`/`ForAnyValue:` prefix; a list of policy values already means
    /// "any of these" for a single-valued key.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    SetOperatorOnSingleValuedKey {
        id: "set-operator-on-single-valued-key",
        summary: "ForAllValues/ForAnyValue on a single-valued key",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for SetOperatorOnSingleValuedKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            for (b, e) in condition_entries(s) {
                let Some(q) = b.operator.value.qualifier else {
                    continue;
                };
                if !is_single_valued(&e.key.value) {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    b.operator.span,
                    &b.operator.pointer,
                    format!(
                        "`{}:` used with the single-valued key `{}`",
                        q.as_str(),
                        e.key.value
                    ),
                    "set operator",
                );
                let mut bare = b.operator.value;
                bare.qualifier = None;
                f.help = Some(format!(
                    "write `{bare}` instead; set operators are for multivalued keys"
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

    fn doc(op: &str, key: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{{\n\"{op}\":{{\"{key}\":\"x\"}}}}}}]}}"
        )
    }

    #[test]
    fn set_operator_on_single_valued() {
        let r = SetOperatorOnSingleValuedKey;
        for (op, key) in [
            ("ForAllValues:StringEquals", "aws:SourceVpce"),
            ("ForAnyValue:StringLike", "aws:PrincipalTag/Team"),
        ] {
            assert_eq!(
                run(&r, PolicyKind::Identity, &doc(op, key)),
                [("set-operator-on-single-valued-key", 2)]
            );
        }
        assert!(
            run(
                &r,
                PolicyKind::Identity,
                &doc("ForAnyValue:StringEquals", "aws:TagKeys")
            )
            .is_empty()
        );
        assert!(
            run(
                &r,
                PolicyKind::Identity,
                &doc("StringEquals", "aws:SourceVpce")
            )
            .is_empty()
        );
        assert!(
            run(
                &r,
                PolicyKind::Identity,
                &doc("ForAnyValue:StringEquals", "s3:prefix")
            )
            .is_empty()
        );
    }
}
