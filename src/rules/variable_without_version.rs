use crate::diag::Finding;
use crate::policy::{PolicyDocument, Spanned, Version};
use crate::source::Span;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a policy variable (`${...}`) in a policy whose `Version` is missing or
    /// `2008-10-17`.
    ///
    /// ## Why is this bad?
    /// Policy variables are substituted only under version `2012-10-17`. Otherwise
    /// `${aws:username}` is literal text: a home-folder grant matches nothing, and a condition
    /// compares against the literal string.
    ///
    /// ## Example
    /// ```json
    /// {"Statement": [{"Effect": "Allow", "Action": "s3:*",
    ///   "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}]}
    /// ```
    /// Use instead: add `"Version": "2012-10-17"`.
    ///
    /// ## How to fix
    /// Add (or change to) `"Version": "2012-10-17"`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
    VariableWithoutVersion {
        id: "variable-without-version",
        summary: "policy variable in a policy without Version 2012-10-17",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// Every place a `${` appears where IAM would substitute variables (Resource, NotResource and
/// condition values).
fn variable_places(doc: &PolicyDocument) -> Vec<(Span, &str)> {
    let mut out = Vec::new();
    for st in &doc.statements {
        if let Some(r) = &st.resource {
            out.extend(
                r.values
                    .iter()
                    .filter(|s: &&Spanned<String>| s.value.contains("${"))
                    .map(|s| (s.span, s.pointer.as_str())),
            );
        }
        if let Some(c) = &st.condition {
            for b in &c.blocks {
                for e in &b.entries {
                    for v in &e.values {
                        if v.value.text.contains("${") {
                            out.push((v.span, v.pointer.as_str()));
                        }
                    }
                }
            }
        }
    }
    out
}

/// True when the document uses a policy variable anywhere it could be substituted.
pub(crate) fn has_variable(doc: &PolicyDocument) -> bool {
    !variable_places(doc).is_empty()
}

impl Rule for VariableWithoutVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let why = match cx.doc.version.as_ref().map(|v| v.value) {
            Some(Version::V2012_10_17) => return,
            Some(Version::V2008_10_17) => "Version 2008-10-17",
            None => "missing Version",
        };
        for (span, pointer) in variable_places(cx.doc) {
            let mut f = cx.finding(
                &Self::META,
                span,
                pointer,
                format!("{why}: policy variables are treated literally"),
                "this variable is not substituted",
            );
            f.help = Some("add \"Version\": \"2012-10-17\"".into());
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    #[test]
    fn flags_each_variable_unless_2012() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\n\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\",\n\"Condition\":{\"StringEquals\":{\"k\":\"${aws:userid}\"}}}]}";
        assert_eq!(
            run(&VariableWithoutVersion, PolicyKind::Identity, text),
            [
                ("variable-without-version", 2),
                ("variable-without-version", 3)
            ]
        );
        let ok = text.replace(
            "{\"Statement\"",
            "{\"Version\":\"2012-10-17\",\"Statement\"",
        );
        assert!(run(&VariableWithoutVersion, PolicyKind::Identity, &ok).is_empty());
    }
}
