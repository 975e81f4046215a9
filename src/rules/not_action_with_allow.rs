use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `NotAction` in an `Allow` statement of a policy that grants (identity,
    /// resource-based, permissions boundary, session policy).
    ///
    /// ## Why is this bad?
    /// `"Effect": "Allow", "NotAction": "iam:*"` grants every action of every other service,
    /// including `organizations:*`, `sts:AssumeRole` and every action AWS adds in the future.
    /// It is almost always broader than its author meant. (In an SCP it only filters and is a
    /// recognised deny-list technique, so SCPs are not checked.)
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    /// ```
    /// Use instead: list the allowed actions in `Action`, or add a `Deny` for what must stay out.
    ///
    /// ## How to fix
    /// Replace `NotAction` with an explicit `Action` list.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
    NotActionWithAllow {
        id: "not-action-with-allow",
        summary: "Allow with NotAction grants all other actions, including future ones",
        severity: Warning,
        kinds: &[
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

impl Rule for NotActionWithAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Allow || !s.action.negated {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                s.action.key_span,
                &s.action.pointer,
                "NotAction with Allow grants every other action, including future ones".into(),
                "allows everything not listed",
            );
            f.help = Some("list the allowed actions in Action instead".into());
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn allow_with_not_action() {
        let text =
            "{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&NotActionWithAllow, PolicyKind::Identity, text),
            [("not-action-with-allow", 1)]
        );
        assert!(
            run(
                &NotActionWithAllow,
                PolicyKind::Identity,
                &text.replace("Allow", "Deny")
            )
            .is_empty()
        );
    }
}
