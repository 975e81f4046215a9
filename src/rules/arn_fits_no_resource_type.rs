use crate::diag::Finding;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, has_variable, resolved_actions};
use super::malformed_arn::problem;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Resource` ARN that fits none of the resource types of the statement's
    /// actions (the ARN formats of the Service Authorization Reference). Checked only when the
    /// `Action` list names actions without wildcards that all exist; an ARN with wildcards or
    /// policy variables is only compared by its service part, and an action that lists no
    /// resource type is taken to fit anything.
    ///
    /// ## Why is this bad?
    /// IAM matches `Resource` against the ARN of the resource each action works on. An ARN of
    /// another service or another resource type (a bucket ARN for `s3:GetObject`, which works
    /// on objects) never matches, so the statement does nothing for those actions.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}
    /// ```
    ///
    /// ## How to fix
    /// Write the ARN of the resource type the action works on, or add the action that works on
    /// the resource you named.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    ArnFitsNoResourceType {
        id: "arn-fits-no-resource-type",
        summary: "a Resource ARN that fits no resource type of the statement's actions",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// The service part of an ARN or ARN template.
fn service_part(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}

impl Rule for ArnFitsNoResourceType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        let known = |p: &str| cat.partitions().iter().any(|x| x.id == p);
        for s in &cx.doc.statements {
            let Some(res) = &s.resource else { continue };
            if res.negated || s.action.values.iter().any(|v| has_wildcard(&v.value)) {
                continue;
            }
            let Some(actions) = resolved_actions(cat, s) else {
                continue;
            };
            for v in &res.values {
                let arn = v.value.as_str();
                if arn == "*" || problem(arn, known).is_some() {
                    continue;
                }
                let pattern = has_wildcard(arn) || has_variable(arn);
                let fits = actions.iter().any(|a| {
                    let types: Vec<_> = a
                        .action
                        .resource_types
                        .iter()
                        .filter(|r| !r.name.is_empty())
                        .map(|r| a.service.resource_type(r.name))
                        .collect();
                    if types.is_empty() || types.iter().any(Option::is_none) {
                        return true; // `*` only, or a type the catalog does not describe
                    }
                    types.iter().flatten().any(|rt| {
                        if pattern {
                            rt.arns.iter().any(|t| service_part(t) == service_part(arn))
                        } else {
                            rt.fits(arn)
                        }
                    })
                });
                if fits {
                    continue;
                }
                let names: Vec<String> = s
                    .action
                    .values
                    .iter()
                    .map(|a| format!("`{}`", a.value))
                    .collect();
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!("`{arn}` fits no resource type of {}", names.join(", ")),
                    "no action of the statement works on this resource",
                );
                f.help = Some(
                    "`scpsim catalog actions ACTION` shows the resource types and ARN formats"
                        .into(),
                );
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

    fn doc(action: &str, arn: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":{action},\n\"Resource\":\"{arn}\"}}]}}"
        )
    }

    #[test]
    fn wrong_resource_types_are_reported() {
        let r = &ArnFitsNoResourceType;
        for (action, arn) in [
            ("\"s3:GetObject\"", "arn:aws:s3:::bucket"),
            ("\"s3:GetObject\"", "arn:aws:ec2:*:*:instance/*"),
            ("\"iam:CreateRole\"", "arn:aws:iam::111122223333:user/bob"),
        ] {
            assert_eq!(
                run(r, PolicyKind::Identity, &doc(action, arn)),
                [("arn-fits-no-resource-type", 2)],
                "{action} {arn}"
            );
        }
        for (action, arn) in [
            ("\"s3:GetObject\"", "arn:aws:s3:::bucket/key"),
            ("\"s3:GetObject\"", "arn:aws:s3:::*"),
            (
                "[\"s3:GetObject\",\"s3:ListBucket\"]",
                "arn:aws:s3:::bucket",
            ),
            ("\"s3:Get*\"", "arn:aws:s3:::bucket"),
            (
                "\"iam:CreateRole\"",
                "arn:aws:iam::111122223333:role/path/x",
            ),
            ("\"s3:GetObject\"", "*"),
            ("\"s3:GetObjekt\"", "arn:aws:s3:::bucket"),
        ] {
            assert!(
                run(r, PolicyKind::Identity, &doc(action, arn)).is_empty(),
                "{action} {arn}"
            );
        }
    }
}
