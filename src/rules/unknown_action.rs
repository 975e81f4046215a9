use crate::diag::Finding;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, did_you_mean, split_action};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Action` or `NotAction` entry without wildcards whose service is known but
    /// whose action name is not one of that service's actions, and suggests the closest
    /// action names. Names compare without case, as IAM does.
    ///
    /// ## Why is this bad?
    /// An action that does not exist never matches a request. A typo such as `s3:GetObjekt`
    /// in an `Allow` grants nothing, and in a `Deny` it leaves the real action unprotected,
    /// while the policy still saves without complaint. The rule is a warning rather than an
    /// error because published policies also keep actions AWS has since retired (for example
    /// the old AWS Marketplace private marketplace actions), which are dead entries but
    /// harmless.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBuckett", "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Use the action name as the service's Actions table spells it. If AWS added the action
    /// after scpsim's catalog was generated, update scpsim (`scpsim catalog info` shows the
    /// catalog's date) or disable the rule for that file.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    UnknownAction {
        id: "unknown-action",
        summary: "an action the service does not have",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            for v in &s.action.values {
                let Some((prefix, name)) = split_action(&v.value) else {
                    continue;
                };
                if has_wildcard(&v.value) || name.is_empty() {
                    continue;
                }
                let Some(service) = cat.service(prefix) else {
                    continue; // unknown-service
                };
                if service.action(name).is_some() {
                    continue;
                }
                let suggestions = cat.suggest_action(&v.value);
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!("unknown action `{}`{}", v.value, did_you_mean(&suggestions)),
                    "no such action in this service",
                );
                f.help = Some(format!(
                    "`scpsim catalog actions {}` lists the service's actions",
                    service.prefix
                ));
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

    #[test]
    fn typo_is_reported() {
        let bad = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"s3:GetObject\",\n\"s3:DeleteBuckett\"],\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&UnknownAction, PolicyKind::Scp, bad),
            [("unknown-action", 2)]
        );
        for ok in ["S3:deletebucket", "s3:Delete*", "nosuch:DeleteBucket"] {
            let good = bad.replace("s3:DeleteBuckett", ok);
            assert!(
                run(&UnknownAction, PolicyKind::Scp, &good).is_empty(),
                "{ok}"
            );
        }
    }
}
