//! The `duplicate-key` grammar rule: documentation and registry entry. The parser
//! (`policy::lower`, [`crate::policy::PolicyErrorKind`]) reports it, so the check is a no-op.

use super::{ALL_KINDS, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a JSON object (document, statement, condition block, ...) that holds the same key
    /// twice.
    ///
    /// ## Why is this bad?
    /// Most JSON readers, including the one behind AWS's APIs, silently keep only one of the two
    /// values, so half of what the author wrote (often a whole `Condition` or `Action` list) never
    /// takes effect.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBucket", "Action": "s3:PutBucketPolicy", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Merge the two values into one key (an array for `Action`, one object for `Condition`).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    DuplicateKey {
        id: "duplicate-key",
        summary: "the same key twice in one object; one value would be lost",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reported_by_parser(&self) -> bool {
        true
    }
}
