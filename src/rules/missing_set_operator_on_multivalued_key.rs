use crate::diag::Finding;
use crate::policy::BaseOperator;

use super::context_keys::is_multivalued;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a condition on a multivalued global key (`aws:TagKeys`, `aws:CalledVia`,
    /// `aws:PrincipalOrgPaths`, `aws:PrincipalServiceNamesList`, `aws:ResourceOrgPaths`,
    /// `aws:SourceOrgPaths`, `aws:VpceOrgPaths`) whose operator has no `ForAllValues:` or
    /// `ForAnyValue:` prefix. `Null` is not reported: it tests presence, not values.
    ///
    /// ## Why is this bad?
    /// A request can carry several values for these keys, and AWS's documentation says
    /// multivalued keys require a set operator; it does not define what a bare operator does
    /// with several request values. The statement may match when one value matches, only when
    /// all do, or never: nobody reading the policy can tell.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"StringNotLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}
    /// ```
    ///
    /// ## How to fix
    /// Prefix the operator with `ForAnyValue:` (at least one request value must match) or
    /// `ForAllValues:` (every request value must match; pair it with a `Null` check in an
    /// `Allow`).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    MissingSetOperatorOnMultivaluedKey {
        id: "missing-set-operator-on-multivalued-key",
        summary: "multivalued key without ForAllValues/ForAnyValue (meaning undefined)",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for MissingSetOperatorOnMultivaluedKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            for (b, e) in condition_entries(s) {
                let op = b.operator.value;
                if op.qualifier.is_some()
                    || op.base == BaseOperator::Null
                    || !is_multivalued(&e.key.value)
                {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    b.operator.span,
                    &b.operator.pointer,
                    format!(
                        "`{op}` on the multivalued key `{}` needs ForAnyValue: or ForAllValues:",
                        e.key.value
                    ),
                    "no set operator",
                );
                f.help = Some(format!(
                    "write `ForAnyValue:{op}` (any request value) or `ForAllValues:{op}` \
                     (every request value)"
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
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\n\"{op}\":{{\"{key}\":\"x\"}}}}}}]}}"
        )
    }

    #[test]
    fn bare_operator_on_multivalued() {
        let r = MissingSetOperatorOnMultivaluedKey;
        assert_eq!(
            run(
                &r,
                PolicyKind::Scp,
                &doc("StringNotLike", "aws:PrincipalOrgPaths")
            ),
            [("missing-set-operator-on-multivalued-key", 2)]
        );
        assert_eq!(
            run(&r, PolicyKind::Scp, &doc("StringEquals", "aws:tagkeys")).len(),
            1
        );
        assert!(
            run(
                &r,
                PolicyKind::Scp,
                &doc("ForAnyValue:StringEquals", "aws:TagKeys")
            )
            .is_empty()
        );
        assert!(run(&r, PolicyKind::Scp, &doc("Null", "aws:TagKeys")).is_empty());
        assert!(run(&r, PolicyKind::Scp, &doc("StringEquals", "aws:SourceVpce")).is_empty());
    }
}
