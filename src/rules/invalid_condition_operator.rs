//! The `invalid-condition-operator` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a condition operator that IAM does not know: a typo, a wrong case (`stringEquals`,
    /// `ForAnyValue:Stringlike`), or `NullIfExists`.
    ///
    /// ## Why is this bad?
    /// Operator names are case-sensitive; AWS rejects the policy, and a tool that ignored the block
    /// would evaluate a Deny as unconditional.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"stringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    /// ```
    ///
    /// ## How to fix
    /// Spell the operator as the condition operator reference does (the help names the closest
    /// one).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    InvalidConditionOperator {
        id: "invalid-condition-operator",
        summary: "unknown or mis-cased condition operator (`stringEquals`)",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for InvalidConditionOperator {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
