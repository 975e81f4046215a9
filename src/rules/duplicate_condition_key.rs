//! The `duplicate-condition-key` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a context key written twice under one condition operator with different case
    /// (`aws:SourceVpc` and `aws:sourcevpc`).
    ///
    /// ## Why is this bad?
    /// Context key names are case-insensitive, so both entries name the same key; IAM Access
    /// Analyzer reports duplicate keys with different case as an error and the intended combination
    /// of values is unclear.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"aws:SourceVpc": "vpc-1", "aws:sourcevpc": "vpc-2"}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}
    /// ```
    ///
    /// ## How to fix
    /// Merge the two entries into one key with a list of values.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    DuplicateConditionKey {
        id: "duplicate-condition-key",
        summary: "one context key twice under one operator, in different case",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for DuplicateConditionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
