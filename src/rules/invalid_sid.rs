use crate::diag::Finding;
use crate::policy::PolicyKind;

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Sid` with characters other than ASCII letters and digits in an identity
    /// policy, permissions boundary or session policy.
    ///
    /// ## Why is this bad?
    /// IAM accepts only `A-Z`, `a-z` and `0-9` in a `Sid` and rejects the policy otherwise.
    /// Some resource policies (SQS, SNS, S3) accept more, so the rule is limited to the kinds
    /// IAM itself stores.
    ///
    /// ## Example
    /// ```json
    /// {"Sid": "read-only access", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    /// ```
    /// Use instead: `"Sid": "ReadOnlyAccess"`.
    ///
    /// ## How to fix
    /// Remove spaces, hyphens, underscores and other punctuation from the `Sid`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html>
    InvalidSid {
        id: "invalid-sid",
        summary: "Sid has characters IAM does not accept",
        severity: Error,
        kinds: &[PolicyKind::Identity, PolicyKind::Boundary, PolicyKind::Session],
    }
}

impl Rule for InvalidSid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for sid in cx.doc.statements.iter().filter_map(|s| s.sid.as_ref()) {
            if sid.value.chars().all(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                sid.span,
                &sid.pointer,
                format!(
                    "Sid `{}` must be alphanumeric for IAM policies (A-Z, a-z, 0-9)",
                    sid.value
                ),
                "not alphanumeric",
            );
            let fixed: String = sid
                .value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            if !fixed.is_empty() {
                f.help = Some(format!("write `{fixed}`"));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn only_letters_and_digits() {
        let bad = "{\"Statement\":[{\"Sid\":\"a b-c\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&InvalidSid, PolicyKind::Identity, bad),
            [("invalid-sid", 1)]
        );
        let good = bad.replace("a b-c", "Abc123");
        assert!(run(&InvalidSid, PolicyKind::Identity, &good).is_empty());
    }
}
