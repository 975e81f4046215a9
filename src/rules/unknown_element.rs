//! The `unknown-element` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a key at the document or statement level that is not one of IAM's elements
    /// (`Version`, `Id`, `Statement`; `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`,
    /// `NotAction`, `Resource`, `NotResource`, `Condition`), including differently cased names such
    /// as `effect`.
    ///
    /// ## Why is this bad?
    /// The grammar spells every element as a fixed literal, and IAM Access Analyzer reports an
    /// unknown element as an error; a misspelled `Condition` that were ignored would widen a Deny
    /// to every request.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*", "Conditions": {"Bool": {"aws:SecureTransport": "false"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    /// ```
    ///
    /// ## How to fix
    /// Use the element name exactly as the grammar writes it (the help names the closest one).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    UnknownElement {
        id: "unknown-element",
        summary: "an element IAM does not know; names are case-sensitive (`effect`)",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for UnknownElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
