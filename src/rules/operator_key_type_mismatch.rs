use crate::catalog::{KeyType, ValueType};
use crate::diag::Finding;
use crate::policy::BaseOperator;

use super::catalog_support::catalog;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a condition operator that cannot compare values of its key's type, using the
    /// key types of the catalog (the global key list and the services' condition key tables):
    /// `Bool` on a key that is not Boolean, `Numeric...` on a key that is not numeric,
    /// `Date...` on a key that is not a date, `IpAddress`/`NotIpAddress` on a key that is not
    /// an IP address. String and ARN operators are not checked (AWS lets several key types be
    /// compared as text), nor `Null` and `BinaryEquals`. `aws:EpochTime` takes both date and
    /// numeric operators, as its documentation says.
    ///
    /// ## Why is this bad?
    /// IAM cannot convert the key's value to the operator's type, so the condition never
    /// matches (a negated operator always does): the statement does something else than it
    /// says. IAM Access Analyzer reports such conditions as a data type mismatch.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"Bool": {"aws:SourceIp": "true"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}
    /// ```
    ///
    /// ## How to fix
    /// Use the operator family of the key's type (the type column of the key's table).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    OperatorKeyTypeMismatch {
        id: "operator-key-type-mismatch",
        summary: "a condition operator that cannot compare values of its key's type",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

/// The value types an operator accepts, or `None` when it is not checked.
fn accepted(op: BaseOperator, key: &str) -> Option<&'static [ValueType]> {
    use BaseOperator as B;
    let epoch = key.eq_ignore_ascii_case("aws:EpochTime");
    Some(match op {
        B::Bool => &[ValueType::Bool],
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => {
            if epoch {
                &[ValueType::Numeric, ValueType::Date]
            } else {
                &[ValueType::Numeric]
            }
        }
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => {
            if epoch {
                &[ValueType::Numeric, ValueType::Date]
            } else {
                &[ValueType::Date]
            }
        }
        B::IpAddress | B::NotIpAddress => &[ValueType::IpAddress],
        _ => return None,
    })
}

impl Rule for OperatorKeyTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            for (block, entry) in condition_entries(s) {
                let key = entry.key.value.as_str();
                let Some(ok) = accepted(block.operator.value.base, key) else {
                    continue;
                };
                let ty: Option<KeyType> = cat.global_key(key).map(|g| g.key_type).or_else(|| {
                    let (prefix, _) = key.split_once(':')?;
                    cat.service(prefix)?.condition_key(key).map(|k| k.key_type)
                });
                let Some(ty) = ty else { continue };
                if ok.contains(&ty.value) {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    entry.key.span,
                    &entry.key.pointer,
                    format!(
                        "operator `{}` cannot compare `{key}`, a key of type {}",
                        block.operator.value,
                        ty.aws_name()
                    ),
                    "type does not fit the operator",
                );
                f.related
                    .push(super::label(block.operator.span, "operator"));
                f.help = Some(format!(
                    "use an operator for {} values",
                    ty.aws_name().trim_start_matches("ArrayOf")
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

    fn doc(op: &str, key: &str, value: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\n\"{op}\":{{\"{key}\":{value}}}}}}}]}}"
        )
    }

    #[test]
    fn mismatches_are_reported() {
        let r = &OperatorKeyTypeMismatch;
        for (op, key, value) in [
            ("Bool", "aws:SourceIp", "\"true\""),
            (
                "DateGreaterThan",
                "aws:MultiFactorAuthAge",
                "\"2020-01-01T00:00:00Z\"",
            ),
            ("NumericLessThan", "aws:CurrentTime", "\"5\""),
            ("IpAddress", "aws:username", "\"192.0.2.1\""),
            ("Bool", "s3:x-amz-server-side-encryption", "\"true\""),
        ] {
            assert_eq!(
                run(r, PolicyKind::Scp, &doc(op, key, value)),
                [("operator-key-type-mismatch", 2)],
                "{op} {key}"
            );
        }
        for (op, key, value) in [
            ("Bool", "aws:SecureTransport", "false"),
            ("BoolIfExists", "aws:MultiFactorAuthPresent", "\"true\""),
            ("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
            ("NumericLessThan", "aws:EpochTime", "1700000000"),
            (
                "DateLessThan",
                "aws:CurrentTime",
                "\"2030-01-01T00:00:00Z\"",
            ),
            ("NotIpAddress", "aws:SourceIp", "\"192.0.2.0/24\""),
            ("StringEquals", "aws:SecureTransport", "\"true\""),
            ("Null", "aws:SourceIp", "\"true\""),
            ("Bool", "nosuch:Key", "\"true\""),
        ] {
            assert!(
                run(r, PolicyKind::Scp, &doc(op, key, value)).is_empty(),
                "{op} {key}"
            );
        }
    }
}
