//! The `json-syntax` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a policy file that is not strict JSON: comments, trailing commas, single quotes,
    /// unquoted keys, raw control characters in strings, a byte order mark, invalid UTF-8 or more
    /// than one top-level value.
    ///
    /// ## Why is this bad?
    /// AWS parses policy documents as plain JSON and rejects the whole document when it is not
    /// valid JSON, so the deployment fails (and no other rule can check the file).
    ///
    /// ## Example
    /// ```json
    /// {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",}]}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax at the reported position; remove comments and trailing commas.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    JsonSyntax {
        id: "json-syntax",
        summary: "the text is not strict RFC 8259 JSON (or not UTF-8)",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for JsonSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
