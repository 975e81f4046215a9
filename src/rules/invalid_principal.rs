//! The `invalid-principal` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Principal`/`NotPrincipal` value that is neither `"*"` nor an object whose keys
    /// are `AWS`, `Service`, `Federated` or `CanonicalUser` (case-sensitive), each holding a string
    /// or an array of strings.
    ///
    /// ## Why is this bad?
    /// AWS rejects the policy; a principal type it does not know cannot name anyone.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Account": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Use `"*"` or one of the four principal types.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
    InvalidPrincipal {
        id: "invalid-principal",
        summary: "`Principal` neither `\"*\"` nor a map of `AWS`/`Service`/`Federated`/`CanonicalUser`",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for InvalidPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
