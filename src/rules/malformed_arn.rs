use crate::diag::Finding;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, has_variable, is_placeholder};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Resource` or `NotResource` value that is neither `*` nor a well-formed ARN
    /// `arn:partition:service:region:account-id:resource`: a value that does not start with
    /// `arn:`, has fewer than six colon-separated parts (without a `*` that could span them),
    /// names an unknown partition, or leaves the service or resource part empty. Template
    /// placeholders of published samples (`<resource-arn>`) are skipped.
    ///
    /// ## Why is this bad?
    /// IAM compares `Resource` values with the ARN of the resource a request is about. A value
    /// that is not an ARN (a bucket name, an ARN missing a colon) matches no resource, so an
    /// `Allow` grants nothing and a `Deny` protects nothing.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3::my-bucket"}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::my-bucket"}
    /// ```
    ///
    /// ## How to fix
    /// Write the full ARN; the resource type tables of the Service Authorization Reference give
    /// each service's ARN format. Leave region or account empty where the format does.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    MalformedArn {
        id: "malformed-arn",
        summary: "a Resource value that is not `*` and not a well-formed ARN",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

/// What is wrong with `value`, or `None` when it is `*` or a plausible ARN.
pub(crate) fn problem(value: &str, known_partition: impl Fn(&str) -> bool) -> Option<String> {
    if value == "*" || value.starts_with("${") || is_placeholder(value) {
        return None;
    }
    if !value.starts_with("arn:") {
        return Some("does not start with `arn:`".into());
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() < 6 {
        if value.contains('*') {
            return None; // a trailing `*` may span the remaining parts
        }
        return Some(format!(
            "has {} of the 6 colon-separated parts of an ARN",
            parts.len()
        ));
    }
    let partition = parts[1];
    if !has_wildcard(partition) && !has_variable(partition) && !known_partition(partition) {
        return Some(format!("names the unknown partition `{partition}`"));
    }
    if parts[2].is_empty() {
        return Some("has an empty service part".into());
    }
    if parts[5].is_empty() {
        return Some("has an empty resource part".into());
    }
    None
}

impl Rule for MalformedArn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        let known = |p: &str| cat.partitions().iter().any(|x| x.id == p);
        for s in &cx.doc.statements {
            let Some(res) = &s.resource else { continue };
            for v in &res.values {
                let Some(why) = problem(&v.value, known) else {
                    continue;
                };
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!("`{}` is not a valid ARN: it {why}", v.value),
                    "malformed ARN",
                );
                f.help = Some(
                    "write `*` or a full ARN, arn:partition:service:region:account-id:resource"
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

    #[test]
    fn malformed_values_are_reported() {
        let known = |p: &str| ["aws", "aws-cn", "aws-us-gov"].contains(&p);
        for bad in [
            "my-bucket",
            "arn:aws:s3::my-bucket",
            "arn:amazon:s3:::b",
            "arn:aws::us-east-1:1:x",
            "arn:aws:s3:::",
        ] {
            assert!(problem(bad, known).is_some(), "{bad}");
        }
        for good in [
            "*",
            "arn:aws:s3:::b/*",
            "arn:*:iam::*:role/x",
            "arn:aws:s3:*",
            "arn:${aws:partition}:s3:::b",
            "arn:aws:iam::111122223333:role/a:b",
            "<third-party-resource-arn>",
        ] {
            assert_eq!(problem(good, known), None, "{good}");
        }
        let doc = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":[\"*\",\n\"arn:aws:s3::b\"]}]}";
        assert_eq!(
            run(&MalformedArn, PolicyKind::Scp, doc),
            [("malformed-arn", 2)]
        );
    }
}
