//! The `conflicting-elements` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement that holds both forms of one element: `Action` and `NotAction`,
    /// `Resource` and `NotResource`, or `Principal` and `NotPrincipal`.
    ///
    /// ## Why is this bad?
    /// The grammar allows exactly one of each pair per statement; AWS rejects a statement with
    /// both, and no reading of it is the obvious one.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "NotAction": "s3:GetObject", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:PutObject"], "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the two elements; split the statement if both meanings are needed.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
    ConflictingElements {
        id: "conflicting-elements",
        summary: "`Action` with `NotAction`, `Resource` with `NotResource`, `Principal` with `NotPrincipal`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for ConflictingElements {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
