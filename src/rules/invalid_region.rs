use crate::diag::Finding;
use crate::policy::BaseOperator;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{
    all_regions, catalog, did_you_mean, has_variable, is_placeholder, region_ok, suggest_region,
};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a region that does not exist: in the region part of a `Resource` or
    /// `NotResource` ARN (checked against the regions of the ARN's partition), or in a value
    /// of a Region-valued condition key under a string operator: `aws:RequestedRegion`,
    /// `ec2:Region`, `s3:LocationConstraint` and the others of `data/aws/region-keys.json`. Wildcards are allowed, but the pattern
    /// must match at least one region (`eu-*` is fine, `us-eats-*` is not). Template
    /// placeholders such as `<region>` are skipped. Suggests the closest region codes.
    ///
    /// ## Why is this bad?
    /// A misspelled region (`us-eats-1`) never equals the region of a request. In a region
    /// allow-list SCP (`StringNotEquals` on `aws:RequestedRegion` in a `Deny`) the intended
    /// region is denied; in an ARN the statement silently matches no resource. AWS accepts
    /// the policy either way.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-eats-1"]}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}}
    /// ```
    ///
    /// ## How to fix
    /// Use the region code exactly as AWS lists it (`scpsim catalog info` shows the catalog's
    /// regions per partition).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>
    /// <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>
    InvalidRegion {
        id: "invalid-region",
        summary: "a region code that names no AWS region",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

/// True for the operators that compare `aws:RequestedRegion` as text.
fn is_string_operator(op: BaseOperator) -> bool {
    matches!(
        op,
        BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
            | BaseOperator::StringLike
            | BaseOperator::StringNotLike
    )
}

impl Rule for InvalidRegion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        let mut report = |span, pointer: &str, region: &str, label: &str| {
            let suggestions = suggest_region(cat, region);
            let mut f = cx.finding(
                &Self::META,
                span,
                pointer,
                format!("unknown region `{region}`{}", did_you_mean(&suggestions)),
                label,
            );
            f.help = Some("use a region code such as `us-east-1` or `eu-west-1`".into());
            out.push(f);
        };
        for s in &cx.doc.statements {
            if let Some(res) = &s.resource {
                for v in &res.values {
                    let parts: Vec<&str> = v.value.splitn(6, ':').collect();
                    if parts.len() < 6 || parts[0] != "arn" {
                        continue;
                    }
                    let (partition, region) = (parts[1], parts[3]);
                    if region.is_empty() || has_variable(region) || is_placeholder(region) {
                        continue;
                    }
                    let ok = match cat.regions(partition) {
                        Some(regions) if !has_wildcard(partition) => {
                            region_ok(region, regions.iter().copied())
                        }
                        _ => region_ok(region, all_regions(cat)),
                    };
                    if !ok {
                        report(v.span, &v.pointer, region, "no such region in this ARN");
                    }
                }
            }
            for (block, entry) in condition_entries(s) {
                if !is_string_operator(block.operator.value.base)
                    || !cat.is_region_key(&entry.key.value)
                {
                    continue;
                }
                for v in &entry.values {
                    if !is_placeholder(&v.value.text) && !region_ok(&v.value.text, all_regions(cat))
                    {
                        report(v.span, &v.pointer, &v.value.text, "no such region");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    const DOC: &str = "{\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\",\n\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\",\n\"us-eats-1\"]}}}]}";

    #[test]
    fn misspelled_regions_are_reported() {
        assert_eq!(
            run(&InvalidRegion, PolicyKind::Scp, DOC),
            [("invalid-region", 3)]
        );
        for ok in [
            "us-east-1",
            "US-EAST-1",
            "us-*",
            "eu-west-?",
            "${aws:PrincipalTag/region}",
        ] {
            let good = DOC.replace("us-eats-1", ok);
            assert!(
                run(&InvalidRegion, PolicyKind::Scp, &good).is_empty(),
                "{ok}"
            );
        }
        assert_eq!(
            run(
                &InvalidRegion,
                PolicyKind::Scp,
                &DOC.replace("us-eats-1", "us-eats-*")
            )
            .len(),
            1
        );
        // Not a string operator: not checked.
        let null = DOC.replace("StringNotEquals", "Null");
        assert!(run(&InvalidRegion, PolicyKind::Scp, &null).is_empty());
        // Service keys whose values are regions are checked too; other keys are not.
        for key in ["ec2:Region", "s3:LocationConstraint", "kms:ReplicaRegion"] {
            let doc = DOC.replace("aws:RequestedRegion", key);
            assert_eq!(
                run(&InvalidRegion, PolicyKind::Scp, &doc),
                [("invalid-region", 3)],
                "{key}"
            );
        }
        let other = DOC.replace("aws:RequestedRegion", "aws:PrincipalTag/region");
        assert!(run(&InvalidRegion, PolicyKind::Scp, &other).is_empty());
    }

    #[test]
    fn arn_regions_are_checked_per_partition() {
        let doc = |arn: &str| {
            format!(
                "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"{arn}\"}}]}}"
            )
        };
        for bad in [
            "arn:aws:ec2:us-eats-1:111122223333:instance/*",
            "arn:aws-cn:ec2:us-east-1:111122223333:instance/*",
        ] {
            assert_eq!(
                run(&InvalidRegion, PolicyKind::Scp, &doc(bad)).len(),
                1,
                "{bad}"
            );
        }
        for good in [
            "arn:aws:s3:::bucket",
            "arn:aws:ec2:*:*:instance/*",
            "arn:aws-cn:ec2:cn-north-1:111122223333:instance/*",
            "arn:*:ec2:cn-north-1:111122223333:instance/*",
        ] {
            assert!(
                run(&InvalidRegion, PolicyKind::Scp, &doc(good)).is_empty(),
                "{good}"
            );
        }
    }
}
