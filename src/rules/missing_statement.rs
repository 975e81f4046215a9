//! The `missing-statement` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a policy document without a `Statement` element.
    ///
    /// ## Why is this bad?
    /// `Statement` is the one required top-level element; a document without it grants, denies and
    /// limits nothing, and AWS rejects it.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add a `Statement` element with at least one statement.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    MissingStatement {
        id: "missing-statement",
        summary: "no `Statement`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for MissingStatement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
