//! The `invalid-effect` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Effect` value other than exactly `Allow` or `Deny` (the value is case-sensitive,
    /// so `allow` and `DENY` are reported).
    ///
    /// ## Why is this bad?
    /// AWS accepts only the two literal values; IAM Access Analyzer reports any other as an invalid
    /// effect and the policy is rejected.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "deny", "Action": "*", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Write `Allow` or `Deny` with that exact case.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    InvalidEffect {
        id: "invalid-effect",
        summary: "`Effect` not exactly `Allow` or `Deny`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for InvalidEffect {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
