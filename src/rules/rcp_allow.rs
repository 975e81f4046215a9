use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn deny_only() {
        let text = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&RcpAllow, PolicyKind::Rcp, text).len(), 1);
        assert!(run(&RcpAllow, PolicyKind::Rcp, &text.replace("Allow", "Deny")).is_empty());
    }
}
