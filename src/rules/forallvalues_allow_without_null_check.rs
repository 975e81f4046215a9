use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind, SetQualifier};

use super::{DocContext, Rule, RuleMeta, condition_entries, declare_rule, has_null_false};

declare_rule! {
    /// ## What it does
    /// Reports a `ForAllValues:` condition in an `Allow` statement when the same statement does
    /// not also require the key with `"Null": {key: "false"}`.
    ///
    /// ## Why is this bad?
    /// `ForAllValues` is true when every value in the request matches, which is also the case
    /// when the request has no value at all: a missing key or an empty list makes the condition
    /// true. An `Allow` meant as "only these tag keys" then also allows requests that send no
    /// tags, or actions that do not carry the key. AWS's documentation recommends pairing
    /// `ForAllValues` in an `Allow` with a `Null` check for this reason.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
    ///  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Team", "Env"]}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
    ///  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Team", "Env"]},
    ///                "Null": {"aws:TagKeys": "false"}}}
    /// ```
    ///
    /// ## How to fix
    /// Add `"Null": {key: "false"}` for the same key to the statement's `Condition`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html>
    ForAllValuesAllowWithoutNullCheck {
        id: "forallvalues-allow-without-null-check",
        summary: "ForAllValues in an Allow without a Null check (true when the key is missing)",
        severity: Warning,
        kinds: &[
            PolicyKind::Scp,
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for ForAllValuesAllowWithoutNullCheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Allow {
                continue;
            }
            for (b, e) in condition_entries(s) {
                if b.operator.value.qualifier != Some(SetQualifier::ForAllValues)
                    || has_null_false(s, &e.key.value)
                {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    e.key.span,
                    &e.key.pointer,
                    format!(
                        "`{}` is also true when the request has no `{}` or an empty list, so \
                         this Allow applies then too",
                        b.operator.value, e.key.value
                    ),
                    "true when missing",
                );
                f.help = Some(format!(
                    "add \"Null\": {{\"{}\": \"false\"}} to this Condition",
                    e.key.value
                ));
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    const ALLOW: &str = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":{\n\"aws:TagKeys\":[\"Team\"]}}}]}";

    #[test]
    fn for_all_values_needs_null_check() {
        let r = ForAllValuesAllowWithoutNullCheck;
        assert_eq!(
            run(&r, PolicyKind::Identity, ALLOW),
            [("forallvalues-allow-without-null-check", 2)]
        );
        let checked = ALLOW.replace("}}}]}", "},\"Null\":{\"aws:TagKeys\":\"false\"}}}]}");
        assert!(run(&r, PolicyKind::Identity, &checked).is_empty());
        let wrong = checked.replace("\"false\"", "\"true\"");
        assert_eq!(run(&r, PolicyKind::Identity, &wrong).len(), 1);
        let deny = ALLOW.replace("Allow", "Deny");
        assert!(run(&r, PolicyKind::Identity, &deny).is_empty());
        let any = ALLOW.replace("ForAllValues", "ForAnyValue");
        assert!(run(&r, PolicyKind::Identity, &any).is_empty());
    }
}
