use crate::diag::Finding;
use crate::org::{NodeKind, OrgTree};
use crate::policy::pattern::{Case, glob_match, has_wildcard};
use crate::policy::{Effect, PolicyKind};

use super::{OrgContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// With `scpsim lint --org`: reports an SCP `Allow` on an OU or account for an action
    /// pattern that no `Allow` of some node above it (its parent OU, a higher OU or the root)
    /// can match. Conservative: an ancestor `Allow` counts when its actions overlap the pattern
    /// at all, whatever its resources and conditions; `NotAction` allows count unless they
    /// exclude the pattern; levels without any `Allow` are left to the org loader's
    /// `org-node-without-allow` warning.
    ///
    /// ## Why is this bad?
    /// SCPs only filter permissions: an action is available in an account only if an SCP at
    /// every level from the root down to the account allows it. An `Allow` lower in the tree
    /// cannot grant what a level above does not allow, so the child's statement has no effect
    /// and its author probably expects access that the organization never gives.
    ///
    /// ## Example
    /// The root's only SCP allows `s3:*` and `ec2:*`; an OU below attaches an SCP allowing
    /// `dynamodb:*`. DynamoDB stays denied in every account of the OU.
    ///
    /// ## How to fix
    /// Allow the actions at every level above too (for example keep `FullAWSAccess` on the
    /// root and the OUs), or remove the ineffective `Allow`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
    ChildAllowNotAllowedByParent {
        id: "child-allow-not-allowed-by-parent",
        summary: "an SCP Allow on a child node that a node above it never allows",
        severity: Warning,
        kinds: &[PolicyKind::Scp],
    }
}

/// True when some action may match both patterns. Conservative: only patterns of two
/// different literal services, or a literal name outside the other pattern, are disjoint.
fn overlap(a: &str, b: &str) -> bool {
    let prefix = |s: &str| s.split_once(':').map(|(p, _)| p.to_string());
    if let (Some(pa), Some(pb)) = (prefix(a), prefix(b))
        && !has_wildcard(&pa)
        && !has_wildcard(&pb)
        && !pa.eq_ignore_ascii_case(&pb)
    {
        return false;
    }
    if glob_match(a, b, Case::AsciiInsensitive) || glob_match(b, a, Case::AsciiInsensitive) {
        return true;
    }
    has_wildcard(a) && has_wildcard(b)
}

/// `Some(true)` when an Allow at `node` may match `pattern`, `Some(false)` when none can, and
/// `None` when the node holds no Allow at all (reported by the loader).
fn level_allows(org: &OrgTree, node: usize, pattern: &str) -> Option<bool> {
    let mut any_allow = false;
    for &p in &org.nodes[node].scps {
        for s in &org.policies[p].doc.statements {
            if s.effect.value != Effect::Allow {
                continue;
            }
            any_allow = true;
            let hits = if s.action.negated {
                !s.action
                    .values
                    .iter()
                    .any(|v| glob_match(&v.value, pattern, Case::AsciiInsensitive))
            } else {
                s.action.values.iter().any(|v| overlap(&v.value, pattern))
            };
            if hits {
                return Some(true);
            }
        }
    }
    any_allow.then_some(false)
}

fn describe(org: &OrgTree, node: usize) -> String {
    let n = &org.nodes[node];
    match n.kind {
        NodeKind::Root => "the root".into(),
        NodeKind::Ou => format!("OU `{}` ({})", n.name, n.id),
        NodeKind::Account => format!("account `{}` ({})", n.name, n.id),
    }
}

impl Rule for ChildAllowNotAllowedByParent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_org(&self, cx: &OrgContext<'_>, out: &mut Vec<Finding>) {
        let org = cx.org;
        for (i, node) in org.nodes.iter().enumerate() {
            if node.parent.is_none() || org.is_management(i) {
                continue;
            }
            let chain = org.chain(i);
            let ancestors = &chain[..chain.len() - 1];
            for &p in &node.scps {
                let policy = &org.policies[p];
                for s in &policy.doc.statements {
                    if s.effect.value != Effect::Allow || s.action.negated {
                        continue;
                    }
                    for v in &s.action.values {
                        let Some(&blocking) = ancestors
                            .iter()
                            .find(|&&a| level_allows(org, a, &v.value) == Some(false))
                        else {
                            continue;
                        };
                        out.push(Finding {
                            rule: Self::META.id,
                            severity: Self::META.default_severity,
                            message: format!(
                                "SCP `{}` on {} allows `{}`, but no SCP on {} allows it: the \
                                 Allow has no effect",
                                policy.name,
                                describe(org, i),
                                v.value,
                                describe(org, blocking)
                            ),
                            label: "Allow blocked above".into(),
                            span: node.span,
                            pointer: String::new(),
                            help: Some(
                                "allow the actions at every level above (e.g. keep FullAWSAccess \
                                 there), or remove this Allow"
                                    .into(),
                            ),
                            related: vec![super::label(org.nodes[blocking].span, "no Allow here")],
                            note: None,
                            source: std::sync::Arc::clone(&org.source),
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run_org;

    #[test]
    fn allow_below_a_narrower_parent() {
        assert!(overlap("s3:*", "s3:GetObject"));
        assert!(overlap("s3:Get*", "s3:*Object"));
        assert!(!overlap("s3:*", "dynamodb:*"));
        assert!(!overlap("s3:GetObject", "s3:Put*"));
        let got = run_org(
            &ChildAllowNotAllowedByParent,
            "child-allow-not-allowed-by-parent/bad-org",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            run_org(
                &ChildAllowNotAllowedByParent,
                "child-allow-not-allowed-by-parent/good-org"
            )
            .is_empty()
        );
    }
}
