use crate::diag::Finding;
use crate::policy::pattern::{Case, glob_match};

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports an entry of an `Action` or `NotAction` list that another entry of the same list
    /// already covers: a repeat (action names are case-insensitive, so `s3:GetObject` and
    /// `S3:getobject` are the same action) or an action or pattern inside a wider pattern
    /// (`s3:GetObject` next to `s3:*`, `s3:Get*` next to `s3:*`). Patterns with `?` are not
    /// compared.
    ///
    /// ## Why is this bad?
    /// The entry changes nothing, but it costs characters of the policy's size quota (small for
    /// SCPs and RCPs) and hides what the statement really covers: a reader who sees
    /// `s3:GetObject` may not notice the `s3:*` that makes it (and everything else in S3) match.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": ["s3:*", "s3:DeleteBucket"], "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Remove the covered entry, or narrow the wide pattern if it was not meant to cover it.
    /// `scpsim lint --fix` removes exact repeats.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    RedundantAction {
        id: "redundant-action",
        summary: "an Action entry already covered by another entry of the same list",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// True when every action `narrow` matches is matched by `wide`. Sound for patterns without
/// `?`: each `*` of `narrow`, taken literally, must fall inside a `*` of `wide`, which then also
/// absorbs whatever that `*` expands to.
fn covers(wide: &str, narrow: &str) -> bool {
    !wide.contains('?') && !narrow.contains('?') && glob_match(wide, narrow, Case::AsciiInsensitive)
}

impl Rule for RedundantAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            let values = &s.action.values;
            // Only entries with a `*` can cover another one; exact duplicates are found by
            // lookup. Linear in the list for the usual lists with few wildcards.
            let wild: Vec<usize> = (0..values.len())
                .filter(|&j| values[j].value.contains('*'))
                .collect();
            let mut first_of: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for (i, v) in values.iter().enumerate() {
                let j0 = *first_of.entry(v.value.to_ascii_lowercase()).or_insert(i);
                let by = if j0 < i {
                    Some((j0, &values[j0]))
                } else {
                    wild.iter()
                        .copied()
                        .filter(|&j| j != i && !values[j].value.eq_ignore_ascii_case(&v.value))
                        .find(|&j| covers(&values[j].value, &v.value))
                        .map(|j| (j, &values[j]))
                };
                let Some((_, w)) = by else { continue };
                let message = if w.value.eq_ignore_ascii_case(&v.value) {
                    format!("`{}` is listed twice", v.value)
                } else {
                    format!("`{}` is already covered by `{}`", v.value, w.value)
                };
                let mut f = cx.finding(&Self::META, v.span, &v.pointer, message, "redundant");
                f.related.push(label(w.span, "covered here"));
                f.help = Some("remove the redundant entry".into());
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    fn doc(actions: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Resource\":\"*\",\n\"Action\":[{actions}]}}]}}"
        )
    }

    #[test]
    fn covered_entries() {
        let r = RedundantAction;
        for a in [
            "\"s3:*\",\"s3:GetObject\"",
            "\"s3:GetObject\",\"S3:getobject\"",
            "\"s3:Get*\",\"s3:*\"",
            "\"*\",\"iam:PassRole\"",
            "\"s3:*Object\",\"s3:Get*Object\"",
        ] {
            assert_eq!(
                run(&r, PolicyKind::Scp, &doc(a)),
                [("redundant-action", 2)],
                "{a}"
            );
        }
        for a in [
            "\"s3:GetObject\",\"s3:PutObject\"",
            "\"s3:Get*\",\"s3:*Object\"",
            "\"s3:Get?bject\",\"s3:GetObject\"",
        ] {
            assert!(run(&r, PolicyKind::Scp, &doc(a)).is_empty(), "{a}");
        }
    }
}
