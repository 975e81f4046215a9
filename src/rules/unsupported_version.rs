use crate::diag::Finding;
use crate::policy::{PolicyKind, Version};

use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an SCP or RCP whose `Version` is `2008-10-17`.
    ///
    /// ## Why is this bad?
    /// AWS Organizations documents `"Version": "2012-10-17"` as the version of SCPs and RCPs;
    /// the old version also disables policy variables.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2008-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}
    /// ```
    /// Use instead: `"Version": "2012-10-17"`.
    ///
    /// ## How to fix
    /// Change the version to `2012-10-17`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>
    UnsupportedVersion {
        id: "unsupported-version",
        summary: "SCP or RCP with Version 2008-10-17",
        severity: Error,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

impl Rule for UnsupportedVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(v) = &cx.doc.version else { return };
        if v.value != Version::V2008_10_17 {
            return;
        }
        let kind = if cx.kind == PolicyKind::Scp {
            "an SCP"
        } else {
            "an RCP"
        };
        let mut f = cx.finding(
            &Self::META,
            v.span,
            &v.pointer,
            format!("Version `2008-10-17` is not supported in {kind}"),
            "old policy language version",
        );
        f.help = Some("write \"Version\": \"2012-10-17\"".into());
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn only_2012_in_organizations_policies() {
        let text = "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        assert_eq!(run(&UnsupportedVersion, PolicyKind::Scp, text).len(), 1);
        let ok = text.replace("2008", "2012");
        assert!(run(&UnsupportedVersion, PolicyKind::Scp, &ok).is_empty());
    }
}
