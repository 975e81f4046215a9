use crate::diag::Finding;
use crate::policy::condition::{CompiledCondition, PolicyValue};
use crate::policy::{BaseOperator, SetQualifier, Version};

use super::unresolved_placeholder::has_placeholder;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a single condition that no request can satisfy because none of its values can
    /// be read by its operator: `Bool` or `Null` with values other than `true`/`false`,
    /// `Numeric...` with values that are not numbers, `Date...` with values that are neither
    /// ISO 8601 dates nor epoch seconds, `IpAddress` with values that are not IP addresses or
    /// CIDR blocks, `BinaryEquals` with values that are not base64. Only positive operators
    /// without `IfExists` and without `ForAllValues:` are reported: those are false whenever no
    /// value matches, while a negated operator, `...IfExists` or `ForAllValues:` can still be
    /// true. An unknown region in `aws:RequestedRegion` is `invalid-region`'s.
    ///
    /// ## Why is this bad?
    /// IAM does not reject such a value: it compares nothing equal to it, so the condition is
    /// always false and the statement never applies. A `Deny` guardrail written that way denies
    /// nothing; an `Allow` grants nothing. The usual cause is a quoting slip (`"Bool":
    /// {"aws:SecureTransport": "flase"}`) or a unit (`"3600s"`).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
    ///  "Condition": {"Bool": {"aws:SecureTransport": "no"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
    ///  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    /// ```
    ///
    /// ## How to fix
    /// Write the value in the operator's format: `true`/`false`, a plain number, an ISO 8601
    /// date or epoch seconds, an IP address or CIDR block, base64.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    ConditionNeverTrue {
        id: "condition-never-true",
        summary: "a condition none of whose values its operator can read (Bool `yes`, Numeric `10s`), so it is always false",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// The operators whose values are parsed (strings and ARNs take any text).
fn typed_operator(b: BaseOperator) -> bool {
    !matches!(
        b,
        BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
            | BaseOperator::StringLike
            | BaseOperator::StringNotLike
            | BaseOperator::ArnEquals
            | BaseOperator::ArnLike
            | BaseOperator::ArnNotEquals
            | BaseOperator::ArnNotLike
    )
}

impl Rule for ConditionNeverTrue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let substitute = cx
            .doc
            .version
            .as_ref()
            .is_some_and(|v| v.value == Version::V2012_10_17);
        for s in &cx.doc.statements {
            let Some(element) = &s.condition else {
                continue;
            };
            let compiled = CompiledCondition::compile(element, substitute);
            for (block, written) in compiled.blocks.iter().zip(&element.blocks) {
                let op = block.operator;
                if !typed_operator(op.base)
                    || op.base.is_negated()
                    || op.if_exists
                    || op.qualifier == Some(SetQualifier::ForAllValues)
                {
                    continue;
                }
                for (entry, w) in block.entries.iter().zip(&written.entries) {
                    if entry.values.is_empty()
                        || !entry
                            .values
                            .iter()
                            .all(|v| matches!(v, PolicyValue::Invalid))
                        || entry
                            .raw
                            .iter()
                            .any(|r| r.contains("${") || has_placeholder(r))
                    {
                        continue;
                    }
                    let shown: Vec<String> = entry.raw.iter().map(|r| format!("`{r}`")).collect();
                    let mut f = cx.finding(
                        &Self::META,
                        w.key.span,
                        &w.key.pointer,
                        format!(
                            "`{op}` cannot read {} for `{}`, so this condition is always false \
                             and the statement never applies",
                            shown.join(", "),
                            entry.key
                        ),
                        "never true",
                    );
                    f.help = Some(format!(
                        "write the value in `{}`'s format",
                        op.base.as_str()
                    ));
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::{deny_all_if as cond, run};

    fn hits(c: &str) -> usize {
        run(&ConditionNeverTrue, PolicyKind::Scp, &cond(c)).len()
    }

    #[test]
    fn unreadable_values() {
        for c in [
            r#""Bool":{"aws:SecureTransport":"no"}"#,
            r#""Null":{"aws:ResourceTag/x":"yes"}"#,
            r#""NumericLessThan":{"aws:MultiFactorAuthAge":"3600s"}"#,
            r#""DateGreaterThan":{"aws:CurrentTime":"next year"}"#,
            r#""IpAddress":{"aws:SourceIp":["10.0.0.0/33","not-an-ip"]}"#,
            r#""ForAnyValue:NumericEquals":{"aws:MultiFactorAuthAge":"x"}"#,
        ] {
            assert_eq!(hits(c), 1, "{c}");
        }
    }

    #[test]
    fn readable_or_still_possibly_true() {
        for c in [
            r#""Bool":{"aws:SecureTransport":"false"}"#,
            r#""Bool":{"aws:SecureTransport":false}"#,
            r#""Bool":{"aws:SecureTransport":["no","true"]}"#,
            r#""BoolIfExists":{"aws:SecureTransport":"no"}"#,
            r#""NumericNotEquals":{"aws:MultiFactorAuthAge":"x"}"#,
            r#""NotIpAddress":{"aws:SourceIp":"nope"}"#,
            r#""ForAllValues:NumericEquals":{"aws:MultiFactorAuthAge":"x"}"#,
            r#""StringEquals":{"aws:RequestedRegion":"anything"}"#,
            r#""NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}"#,
            // A template placeholder is unresolved-placeholder's.
            r#""NumericGreaterThan":{"s3:signatureAge":"[MAX_AGE_MS]"}"#,
            r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
        ] {
            assert_eq!(hits(c), 0, "{c}");
        }
    }
}
