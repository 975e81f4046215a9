use crate::diag::Finding;
use crate::policy::{Effect, ListElement, PolicyDocument, PolicyKind, Principal};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement in a resource control policy.
    ///
    /// ## Why is this bad?
    /// In RCPs the `Allow` effect is supported only in the AWS managed `RCPFullAWSAccess`
    /// policy; AWS Organizations rejects a customer RCP with an `Allow` statement. RCPs can
    /// only restrict, never grant.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    /// ```
    /// Use instead: a `Deny` with the opposite condition.
    ///
    /// A document that is exactly `RCPFullAWSAccess` (one statement: Allow, `Principal` `"*"`,
    /// `Action` `"*"`, `Resource` `"*"`, no condition) is AWS's own policy and is not reported.
    ///
    /// ## How to fix
    /// Rewrite the statement as a `Deny` of what must not happen.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>
    RcpAllow {
        id: "rcp-allow",
        summary: "Allow statement in a custom RCP",
        severity: Error,
        kinds: &[PolicyKind::Rcp],
    }
}

impl Rule for RcpAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        if is_rcp_full_aws_access(cx.doc) {
            return;
        }
        for s in cx
            .doc
            .statements
            .iter()
            .filter(|s| s.effect.value == Effect::Allow)
        {
            let mut f = cx.finding(
                &Self::META,
                s.effect.span,
                &s.effect.pointer,
                "Effect Allow is not supported in a custom RCP (only in RCPFullAWSAccess)".into(),
                "Allow in an RCP",
            );
            f.help = Some("RCPs can only restrict: write a Deny statement".into());
            out.push(f);
        }
    }
}

/// True for the AWS managed `RCPFullAWSAccess` document.
fn is_rcp_full_aws_access(doc: &PolicyDocument) -> bool {
    let [s] = doc.statements.as_slice() else {
        return false;
    };
    let star = |l: &ListElement| !l.negated && l.values.len() == 1 && l.values[0].value == "*";
    s.effect.value == Effect::Allow
        && s.condition.is_none()
        && star(&s.action)
        && s.resource.as_ref().is_some_and(star)
        && s.principal
            .as_ref()
            .is_some_and(|p| !p.negated && p.value == Principal::Wildcard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn deny_only() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&RcpAllow, PolicyKind::Rcp, text).len(), 1);
        assert!(run(&RcpAllow, PolicyKind::Rcp, &text.replace("Allow", "Deny")).is_empty());
        let managed = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert!(run(&RcpAllow, PolicyKind::Rcp, managed).is_empty());
        let narrowed = managed.replace("\"Action\":\"*\"", "\"Action\":\"s3:*\"");
        assert_eq!(run(&RcpAllow, PolicyKind::Rcp, &narrowed).len(), 1);
    }
}
