use crate::diag::Finding;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a condition operator with no context keys (`"StringEquals": {}`) and a context key
    /// whose value list is empty (`"aws:SourceVpce": []`).
    ///
    /// ## Why is this bad?
    /// The grammar gives every context key at least one value to compare with. An empty list
    /// compares the request with nothing: a positive operator can then never match, so the
    /// statement never applies, while a negated one matches every request. Neither is likely what
    /// was meant; usually values were lost while editing. AWS does not document whether it
    /// accepts empty lists, so this is a warning.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:SourceVpce": []}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}}}
    /// ```
    ///
    /// ## How to fix
    /// Fill in the values, or remove the key (and the operator if nothing is left under it).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
    EmptyConditionValues {
        id: "empty-condition-values",
        summary: "a condition operator without keys, or a context key without values",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for EmptyConditionValues {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            for b in s.condition.iter().flat_map(|c| c.blocks.iter()) {
                if b.entries.is_empty() {
                    let mut f = cx.finding(
                        &Self::META,
                        b.operator.span,
                        &b.operator.pointer,
                        format!(
                            "condition operator `{}` has no context keys",
                            b.operator.value
                        ),
                        "nothing to compare",
                    );
                    f.help = Some("add the context keys to test, or remove the operator".into());
                    out.push(f);
                }
                for e in &b.entries {
                    if !e.values.is_empty() {
                        continue;
                    }
                    let effect = if b.operator.value.base.is_negated() {
                        "matches every request"
                    } else {
                        "can never match"
                    };
                    let mut f = cx.finding(
                        &Self::META,
                        e.key.span,
                        &e.key.pointer,
                        format!(
                            "context key `{}` under `{}` has an empty value list, so the \
                             condition {effect}",
                            e.key.value, b.operator.value
                        ),
                        "no values",
                    );
                    f.help = Some("fill in the values, or remove the key".into());
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    #[test]
    fn empty_lists_and_blocks() {
        let empty = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\n\"StringNotEquals\":{\"aws:SourceVpce\":[]},\n\"Bool\":{}}}]}";
        assert_eq!(
            run(&EmptyConditionValues, PolicyKind::Scp, empty),
            [("empty-condition-values", 2), ("empty-condition-values", 3)]
        );
        let full = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:SourceVpce\":[\"v\"]}}}]}";
        assert!(run(&EmptyConditionValues, PolicyKind::Scp, full).is_empty());
    }
}
