//! The `invalid-version` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Version` value other than `2012-10-17` or `2008-10-17`, including a date that is
    /// not a policy language version and a non-string value.
    ///
    /// ## Why is this bad?
    /// `Version` names the policy language, not the date the policy was written; AWS rejects any
    /// other value.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2024-01-01", "Statement": []}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Version": "2012-10-17", "Statement": []}
    /// ```
    ///
    /// ## How to fix
    /// Write `"Version": "2012-10-17"`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
    InvalidVersion {
        id: "invalid-version",
        summary: "`Version` other than `2012-10-17` / `2008-10-17`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for InvalidVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
