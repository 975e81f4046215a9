//! The `empty-element` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an empty `Statement` array, an empty `Action`/`NotAction`/`Resource`/`NotResource`
    /// array, and an empty `Principal` object.
    ///
    /// ## Why is this bad?
    /// An empty list matches nothing, so the statement can never apply (and an empty `Statement`
    /// says nothing at all); the author almost certainly lost the content while editing.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": [], "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": ["s3:DeleteBucket"], "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Fill in the list or remove the statement.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    EmptyElement {
        id: "empty-element",
        summary: "an empty `Statement`, `Action`, `Resource` or `Principal`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for EmptyElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
