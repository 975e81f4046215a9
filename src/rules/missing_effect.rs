//! The `missing-effect` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement that has no `Effect` element.
    ///
    /// ## Why is this bad?
    /// `Effect` is required in every statement; without it IAM cannot tell a grant from a denial
    /// and rejects the policy.
    ///
    /// ## Example
    /// ```json
    /// {"Action": "s3:*", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Add `"Effect": "Allow"` or `"Effect": "Deny"`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html>
    MissingEffect {
        id: "missing-effect",
        summary: "a statement without `Effect`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for MissingEffect {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
