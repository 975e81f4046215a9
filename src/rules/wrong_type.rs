//! The `wrong-type` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an element whose JSON type the grammar does not allow: `Statement` that is neither
    /// an object nor an array of objects, `Action` that is a number, a condition value that is an
    /// object, and so on.
    ///
    /// ## Why is this bad?
    /// AWS rejects the document; nothing in it can be evaluated.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": "Deny everything"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    /// ```
    ///
    /// ## How to fix
    /// Give the element the shape the grammar asks for (the message says which).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    WrongType {
        id: "wrong-type",
        summary: "an element holds the wrong JSON type (`Statement` as a string)",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for WrongType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
