use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `NotResource` in an `Allow` statement of a policy that grants (identity-based,
    /// resource-based, permissions boundary, session policy).
    ///
    /// ## Why is this bad?
    /// `NotResource` matches every resource except the listed ones, so with `Allow` it grants the
    /// actions on every other resource of every service the actions cover, including resources
    /// created later. AWS's documentation warns that this combination can grant more than
    /// intended and recommends listing resources instead. (SCPs only filter, so they are not
    /// checked.)
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::payroll/*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}
    /// ```
    ///
    /// ## How to fix
    /// List the allowed resources in `Resource`, or keep the broad `Allow` on a `Resource` list
    /// and add a `Deny` for the resources that must stay out.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html>
    NotResourceWithAllow {
        id: "not-resource-with-allow",
        summary: "Allow with NotResource grants every other resource, including future ones",
        severity: Warning,
        kinds: &[
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for NotResourceWithAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            let Some(r) = s.resource.as_ref().filter(|r| r.negated) else {
                continue;
            };
            if s.effect.value != Effect::Allow {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                r.key_span,
                &r.pointer,
                "NotResource with Allow grants every other resource, including future ones".into(),
                "allows every resource not listed",
            );
            f.help = Some("list the allowed resources in Resource instead".into());
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn allow_with_not_resource() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\n\"NotResource\":\"arn:aws:s3:::x/*\"}]}";
        assert_eq!(
            run(&NotResourceWithAllow, PolicyKind::Identity, text),
            [("not-resource-with-allow", 2)]
        );
        let deny = text.replace("Allow", "Deny");
        assert!(run(&NotResourceWithAllow, PolicyKind::Identity, &deny).is_empty());
        let plain = text.replace("NotResource", "Resource");
        assert!(run(&NotResourceWithAllow, PolicyKind::Identity, &plain).is_empty());
    }
}
