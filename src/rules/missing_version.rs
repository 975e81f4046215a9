use crate::diag::Finding;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, variable_without_version};

declare_rule! {
    /// ## What it does
    /// Reports a policy without a `Version` element.
    ///
    /// ## Why is this bad?
    /// Without `Version`, IAM reads the policy as version `2008-10-17`, under which policy
    /// variables such as `${aws:username}` are plain text and newer features are unavailable.
    /// SCPs and RCPs are documented with `"Version": "2012-10-17"` only. (When the policy also
    /// uses a variable, `variable-without-version` reports it at the variable instead.)
    ///
    /// ## Example
    /// ```json
    /// {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    /// ```
    /// Use instead: `{"Version": "2012-10-17", "Statement": [...]}`.
    ///
    /// ## How to fix
    /// Add `"Version": "2012-10-17"` as the first element.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
    MissingVersion {
        id: "missing-version",
        summary: "policy has no Version element",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for MissingVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        if cx.doc.version.is_some() || variable_without_version::has_variable(cx.doc) {
            return;
        }
        let start = cx.doc.span.start;
        let mut f = cx.finding(
            &Self::META,
            crate::source::Span::new(start, start + 1),
            "",
            "missing Version: IAM reads the policy as version 2008-10-17".into(),
            "this document has no Version",
        );
        f.help = Some("add \"Version\": \"2012-10-17\"".into());
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    #[test]
    fn reports_only_when_absent() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&MissingVersion, PolicyKind::Identity, text).len(), 1);
        let ok = text.replace(
            "{\"Statement\"",
            "{\"Version\":\"2012-10-17\",\"Statement\"",
        );
        assert!(run(&MissingVersion, PolicyKind::Identity, &ok).is_empty());
    }
}
