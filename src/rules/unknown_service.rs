use crate::diag::Finding;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, did_you_mean, split_action};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Action` or `NotAction` entry whose service prefix (the part before `:`) is
    /// not the prefix of any AWS service in the embedded Service Authorization Reference, and
    /// suggests the closest known prefixes.
    ///
    /// ## Why is this bad?
    /// Every action is named `service-prefix:ActionName`. A misspelled prefix such as
    /// `dyanmodb` names no action at all, so the entry never matches a request: an `Allow`
    /// grants nothing and a `Deny` (or the exception of a `NotAction`) protects nothing, and
    /// nothing tells you so when the policy is saved.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["dyanmodb:PutItem"], "Resource": "*"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": "*"}
    /// ```
    ///
    /// Prefixes of services AWS has retired that published policies (including AWS managed
    /// ones) still list, such as `iot1click`, `macie` (Macie Classic) or `awsbillingconsole`,
    /// are reported as warnings: the entries are dead but harmless. The list is dated data in
    /// `data/aws/retired-services.json`.
    ///
    /// ## How to fix
    /// Write the prefix exactly as the service's page of the Service Authorization Reference
    /// spells it (`scpsim catalog actions PREFIX` lists them).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    UnknownService {
        id: "unknown-service",
        summary: "an action whose service prefix is not an AWS service",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for UnknownService {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            for v in &s.action.values {
                let Some((prefix, _)) = split_action(&v.value) else {
                    continue;
                };
                if prefix.is_empty() || has_wildcard(prefix) || cat.service(prefix).is_some() {
                    continue;
                }
                if let Some(retired) = cat.retired_service(prefix) {
                    let mut f = cx.finding(
                        &Self::META,
                        v.span,
                        &v.pointer,
                        format!(
                            "service prefix `{prefix}` belongs to a retired AWS service ({}): \
                             this entry matches nothing",
                            retired.name
                        ),
                        "retired service",
                    );
                    f.severity = crate::diag::Severity::Warning;
                    f.help = Some("remove the entry".into());
                    out.push(f);
                    continue;
                }
                let suggestions = cat.suggest_service(prefix);
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!(
                        "unknown service prefix `{prefix}`{}",
                        did_you_mean(&suggestions)
                    ),
                    "no AWS service has this prefix",
                );
                f.help = Some(match suggestions.first() {
                    Some(best) => format!("write `{best}:` if that service is meant"),
                    None => "check the prefix against the Service Authorization Reference".into(),
                });
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
    fn misspelled_prefix_is_reported_known_ones_are_not() {
        let bad = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\n\"dyanmodb:PutItem\"],\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&UnknownService, PolicyKind::Identity, bad),
            [("unknown-service", 2)]
        );
        let good = bad.replace("dyanmodb", "DynamoDB");
        assert!(run(&UnknownService, PolicyKind::Identity, &good).is_empty());
        let wild = bad.replace("dyanmodb", "dyna*");
        assert!(run(&UnknownService, PolicyKind::Identity, &wild).is_empty());
        let retired = bad.replace("dyanmodb:PutItem", "iot1click:ListDevices");
        assert_eq!(
            run(&UnknownService, PolicyKind::Identity, &retired).len(),
            1
        );
        let star = bad.replace("dyanmodb:PutItem", "*");
        assert!(run(&UnknownService, PolicyKind::Identity, &star).is_empty());
    }

    #[test]
    fn retired_prefixes_are_warnings_and_typos_errors() {
        let opts = crate::lint::LintOptions {
            kind: Some(PolicyKind::Scp),
            ..crate::lint::LintOptions::default()
        };
        let doc = |action: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#
            )
        };
        let severity = |action: &str| {
            let r = crate::lint::lint_bytes("x.json", doc(action).into_bytes(), &opts);
            let f: Vec<_> = r
                .findings
                .iter()
                .filter(|f| f.rule == "unknown-service")
                .collect();
            assert_eq!(f.len(), 1, "{action}: {:?}", r.findings);
            (f[0].severity, f[0].message.clone())
        };
        let (sev, msg) = severity("macie:ListS3Resources");
        assert_eq!(sev, crate::diag::Severity::Warning);
        assert!(msg.contains("Macie Classic"), "{msg}");
        assert_eq!(
            severity("maciee2:ListFindings").0,
            crate::diag::Severity::Error
        );
    }
}
