use crate::catalog::Catalog;
use crate::diag::Finding;
use crate::policy::pattern::{Case, glob_match};
use crate::policy::{BaseOperator, ConditionBlock, ConditionEntry, Effect, PolicyKind, Statement};

use super::catalog_support::{catalog, has_variable, is_placeholder, split_action};
use super::{DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a region restriction on `aws:RequestedRegion` that also blocks the global
    /// services AWS exempts in its own region-deny example: IAM, AWS Organizations, Amazon
    /// CloudFront, Amazon Route 53, AWS Support, AWS Budgets and AWS STS (global endpoint),
    /// whose requests carry the region of their single endpoint (`us-east-1`). Two shapes are
    /// checked: a `Deny` whose region condition holds for that region and whose `Action` covers
    /// (or `NotAction` does not exempt) the service, and an `Allow` limited to regions that
    /// exclude it, when no other `Allow` of the policy allows the service there.
    ///
    /// ## Why is this bad?
    /// Calls to a global service are authorized with `aws:RequestedRegion` set to the region
    /// of its endpoint, whatever region the caller works in. A region allow-list without the
    /// exemptions denies IAM, Organizations, STS's global endpoint, Support and the others in
    /// every account it applies to, which breaks consoles, deployments and incident response.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "*", "Resource": "*",
    ///  "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}
    /// ```
    /// Use instead (next to FullAWSAccess, the AWS example's shape):
    /// ```json
    /// {"Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*",
    ///  "cloudfront:*", "route53:*", "budgets:*"], "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}
    /// ```
    ///
    /// ## How to fix
    /// Write the restriction as a `Deny` with `NotAction` listing the global services (AWS's
    /// example list is in `scpsim catalog info`), or add their home region to the allowed
    /// regions for those services.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion>
    RegionAllowListWithoutGlobalExemption {
        id: "region-allow-list-without-global-exemption",
        summary: "a region restriction that also blocks the global services AWS exempts",
        severity: Warning,
        kinds: &[
            PolicyKind::Scp,
            PolicyKind::Identity,
            PolicyKind::Boundary,
            PolicyKind::Session,
        ],
    }
}

/// The global services to check, with their region: those of the catalog's global services
/// that the Organizations guide's example exempts with `prefix:*`.
fn checked_services(cat: &Catalog) -> Vec<(&str, &str)> {
    let Some(list) = cat
        .region_deny_exemptions()
        .iter()
        .find(|l| l.name == "organizations-example")
    else {
        return Vec::new();
    };
    cat.global_services()
        .iter()
        .filter(|g| {
            list.not_actions
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&format!("{}:*", g.prefix)))
        })
        .map(|g| (g.prefix.as_str(), g.region.as_str()))
        .collect()
}

/// True when the statement's `Action`/`NotAction` makes it apply to some action of `prefix`.
/// A `NotAction` entry naming the service at all counts as an exemption (conservative).
fn covers(s: &Statement, prefix: &str) -> bool {
    let names = |v: &str| {
        v == "*"
            || split_action(v).is_some_and(|(p, _)| glob_match(p, prefix, Case::AsciiInsensitive))
    };
    let any = s.action.values.iter().any(|v| names(&v.value));
    if s.action.negated { !any } else { any }
}

/// The region entries of a statement (`aws:RequestedRegion` under a string operator), or
/// `None` when one of them uses a variable or a template placeholder (not evaluated).
fn region_entries(s: &Statement) -> Option<Vec<(&ConditionBlock, &ConditionEntry)>> {
    let mut out = Vec::new();
    for (b, e) in condition_entries(s) {
        if !e.key.value.eq_ignore_ascii_case("aws:RequestedRegion") {
            continue;
        }
        if !matches!(
            b.operator.value.base,
            BaseOperator::StringEquals
                | BaseOperator::StringNotEquals
                | BaseOperator::StringEqualsIgnoreCase
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringLike
                | BaseOperator::StringNotLike
        ) || e
            .values
            .iter()
            .any(|v| has_variable(&v.value.text) || is_placeholder(&v.value.text))
        {
            return None;
        }
        out.push((b, e));
    }
    Some(out)
}

/// True when every region entry holds for a request to `region`.
fn holds(entries: &[(&ConditionBlock, &ConditionEntry)], region: &str) -> bool {
    entries.iter().all(|(b, e)| {
        let base = b.operator.value.base;
        let matches = e.values.iter().any(|v| {
            let p = v.value.text.as_str();
            match base {
                BaseOperator::StringEquals | BaseOperator::StringNotEquals => p == region,
                BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
                    p.eq_ignore_ascii_case(region)
                }
                _ => glob_match(p, region, Case::Sensitive),
            }
        });
        if base.is_negated() { !matches } else { matches }
    })
}

impl Rule for RegionAllowListWithoutGlobalExemption {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        let services = checked_services(cat);
        // For each statement with a region condition: the services it blocks.
        let mut blocked: Vec<(usize, Vec<(&str, &str)>)> = Vec::new();
        for (i, s) in cx.doc.statements.iter().enumerate() {
            let Some(entries) = region_entries(s) else {
                continue;
            };
            if entries.is_empty() {
                continue;
            }
            let mut hit = Vec::new();
            for &(prefix, region) in &services {
                if !covers(s, prefix) {
                    continue;
                }
                let blocks = match s.effect.value {
                    Effect::Deny => holds(&entries, region),
                    Effect::Allow => {
                        !holds(&entries, region)
                            && !cx.doc.statements.iter().any(|o| {
                                o.effect.value == Effect::Allow
                                    && covers(o, prefix)
                                    && region_entries(o).is_some_and(|e| holds(&e, region))
                            })
                    }
                };
                if blocks {
                    hit.push((prefix, region));
                }
            }
            if !hit.is_empty() {
                blocked.push((i, hit));
            }
        }
        for (i, hit) in blocked {
            let s = &cx.doc.statements[i];
            let Some((block, _)) = region_entries(s).and_then(|e| e.first().copied()) else {
                continue;
            };
            let names: Vec<String> = hit.iter().map(|(p, r)| format!("`{p}` ({r})")).collect();
            let what = match s.effect.value {
                Effect::Allow => "region allow-list",
                Effect::Deny => "region deny",
            };
            let mut f = cx.finding(
                &Self::META,
                block.operator.span,
                &block.operator.pointer,
                format!(
                    "{what} without the global-service exemptions: requests to {} carry the \
                     region of their global endpoint and would be denied",
                    names.join(", ")
                ),
                "blocks global services",
            );
            f.help = Some(match s.effect.value {
                Effect::Deny => {
                    "exempt the global services in NotAction, as AWS's region-deny example does"
                        .into()
                }
                Effect::Allow => "write the restriction as a Deny with NotAction listing the \
                                  global services (AWS's region-deny example), next to FullAWSAccess"
                    .into(),
            });
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    const ALLOW: &str = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\n\"StringEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\"]}}}]}";
    const DENY: &str = "{\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"sts:*\",\"support:*\",\"cloudfront:*\",\"route53:*\",\"budgets:*\"],\"Resource\":\"*\",\"Condition\":{\n\"StringNotEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\"]}}}]}";

    fn rule_hits(text: &str) -> Vec<(&'static str, usize)> {
        run(
            &RegionAllowListWithoutGlobalExemption,
            PolicyKind::Scp,
            text,
        )
    }

    #[test]
    fn allow_list_without_exemptions_is_reported() {
        assert_eq!(
            rule_hits(ALLOW),
            [("region-allow-list-without-global-exemption", 2)]
        );
        // us-east-1 allowed: every checked service is reachable.
        assert!(
            rule_hits(&ALLOW.replace("\"eu-west-1\"", "\"eu-west-1\",\"us-east-1\"")).is_empty()
        );
        // Only regional actions: nothing global is blocked.
        assert!(rule_hits(&ALLOW.replace("\"Action\":\"*\"", "\"Action\":\"ec2:*\"")).is_empty());
        // A second Allow for IAM and friends everywhere.
        let with_global = format!(
            "{},{{\"Effect\":\"Allow\",\"Action\":[\"iam:*\",\"organizations:*\",\"sts:*\",\"support:*\",\"cloudfront:*\",\"route53:*\",\"budgets:*\"],\"Resource\":\"*\"}}]}}",
            ALLOW.strip_suffix("]}").unwrap()
        );
        assert!(rule_hits(&with_global).is_empty(), "{with_global}");
    }

    #[test]
    fn deny_outside_regions_needs_exemptions() {
        assert!(rule_hits(DENY).is_empty());
        let missing_iam = DENY.replace("\"iam:*\",", "");
        assert_eq!(rule_hits(&missing_iam).len(), 1);
        let all = DENY.replace("\"NotAction\":[", "\"Action\":[\"*\",").replace(
            "\"iam:*\",\"organizations:*\",\"sts:*\",\"support:*\",\"cloudfront:*\",\"route53:*\",\"budgets:*\"",
            "\"ec2:*\"",
        );
        assert_eq!(rule_hits(&all).len(), 1, "{all}");
        // Denying one region (positive operator) leaves us-east-1 alone.
        let deny_one = missing_iam.replace("StringNotEquals", "StringEquals");
        assert!(rule_hits(&deny_one).is_empty());
    }
}
