//! The `missing-action` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement that has neither `Action` nor `NotAction`.
    ///
    /// ## Why is this bad?
    /// Every statement must say which actions it covers; AWS rejects a statement without either
    /// element.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Add an `Action` list (or `NotAction` for a deny-all-except statement).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
    MissingAction {
        id: "missing-action",
        summary: "neither `Action` nor `NotAction`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for MissingAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
