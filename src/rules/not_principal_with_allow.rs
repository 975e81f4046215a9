use crate::diag::Finding;
use crate::policy::Effect;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `NotPrincipal` in a statement whose `Effect` is `Allow`.
    ///
    /// ## Why is this bad?
    /// AWS does not support `NotPrincipal` with `Allow`: it would grant access to every
    /// principal in the world except the ones listed.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/Auditor"},
    ///  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}
    /// ```
    /// Use instead: `"Principal"` naming who may read.
    ///
    /// ## How to fix
    /// Name the allowed principals in `Principal`, or turn the statement into a `Deny`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
    NotPrincipalWithAllow {
        id: "not-principal-with-allow",
        summary: "NotPrincipal used with Effect Allow",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for NotPrincipalWithAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            let Some(p) = &s.principal else { continue };
            if !p.negated || s.effect.value != Effect::Allow {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                p.key_span,
                &p.pointer,
                "NotPrincipal is only supported with Effect Deny".into(),
                "NotPrincipal in an Allow statement",
            );
            f.related
                .push(super::label(s.effect.span, "Effect is Allow"));
            f.help = Some("name the allowed principals in Principal instead".into());
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
    fn allow_only() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"*\"},\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&NotPrincipalWithAllow, PolicyKind::Resource, text).len(),
            1
        );
        let ok = text.replace("Allow", "Deny");
        assert!(run(&NotPrincipalWithAllow, PolicyKind::Resource, &ok).is_empty());
    }
}
