use std::cell::OnceCell;
use std::collections::HashSet;

use crate::catalog::Catalog;
use crate::diag::Finding;
use crate::policy::pattern::{Case, action_matches, glob_match, has_wildcard};
use crate::policy::{ListElement, Operator, Principal, Statement};

use super::catalog_support::catalog;
use super::duplicate_statement::{anchor, name, normalized};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports a statement that another statement of the same policy makes redundant: both
    /// have the same `Effect` and the same `Principal`, the other statement has no `Condition`
    /// (or only some of this statement's conditions, written identically), and it covers every
    /// action and every resource of this one. Actions are compared through the action catalog
    /// (`s3:GetObject*` is covered by a list naming every `s3:GetObject...` action, `ec2:*`
    /// covers `ec2:Describe*`); resources by wildcard cover (`*` covers everything,
    /// `arn:aws:s3:::b/*` covers `arn:aws:s3:::b/logs/*`). `NotAction`/`NotResource` are
    /// compared only where the answer is certain (a statement whose `NotAction` excludes less
    /// covers one that excludes more). Exact copies are left to `duplicate-statement`.
    ///
    /// ## Why is this bad?
    /// The shadowed statement changes nothing about what the policy allows or denies: whenever
    /// it would apply, the wider statement applies too, with the same effect. It costs
    /// characters of the policy's size quota (small for SCPs and RCPs), and it often shows an
    /// edit that went wrong: a condition or resource meant to narrow the wider statement was
    /// added to a copy instead.
    ///
    /// ## Example
    /// ```json
    /// {"Sid": "DenyS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
    /// {"Sid": "DenyDeleteOutsideEu", "Effect": "Deny", "Action": "s3:DeleteBucket",
    ///  "Resource": "arn:aws:s3:::logs",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    /// ```
    /// The second statement is shadowed by the first: `DenyS3` already denies every S3 action
    /// on every resource, in every region.
    ///
    /// ## How to fix
    /// Delete the shadowed statement, or narrow the wider one (add the condition or resource
    /// it was meant to have).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    ShadowedStatement {
        id: "shadowed-statement",
        summary: "a statement made redundant by a wider statement of the same policy with the same Effect",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// True when every string `narrow` matches is matched by `wide` (IAM wildcards). Sound for
/// patterns without `?`: each `*` of `narrow`, taken literally, must fall inside a `*` of
/// `wide`.
fn pattern_covers(wide: &str, narrow: &str, case: Case) -> bool {
    !wide.contains('?') && !narrow.contains('?') && glob_match(wide, narrow, case)
}

/// True when some entry of `list` covers `value`.
fn any_covers(list: &ListElement, value: &str, case: Case) -> bool {
    list.values
        .iter()
        .any(|w| pattern_covers(&w.value, value, case))
}

/// The actions a single action entry stands for: itself when it has no wildcard, else its
/// catalog expansion (`None` when the catalog knows no action it matches).
fn expansion(cat: Option<&Catalog>, value: &str) -> Option<Vec<String>> {
    if !has_wildcard(value) {
        return Some(vec![value.to_string()]);
    }
    let (prefix, _) = value.split_once(':')?;
    if has_wildcard(prefix) {
        return None;
    }
    let found: Vec<String> = cat?.expand(value).iter().map(ToString::to_string).collect();
    (!found.is_empty()).then_some(found)
}

/// The expansions of a statement's action entries, computed on first use.
type Expansions = Vec<OnceCell<Option<Vec<String>>>>;

/// True when `wide`'s action element applies to every action `narrow`'s applies to;
/// `narrow_exp` caches the expansions of `narrow`'s entries.
fn actions_covered(
    cat: Option<&Catalog>,
    wide: &ListElement,
    narrow: &ListElement,
    narrow_exp: &Expansions,
) -> bool {
    let expansion = |k: usize, value: &str| {
        narrow_exp
            .get(k)
            .and_then(|c| c.get_or_init(|| expansion(cat, value)).as_ref())
    };
    if wide.values.is_empty() || narrow.values.is_empty() {
        return false;
    }
    match (wide.negated, narrow.negated) {
        (false, false) => narrow.values.iter().enumerate().all(|(k, n)| {
            any_covers(wide, &n.value, Case::AsciiInsensitive)
                || expansion(k, &n.value).is_some_and(|acts| {
                    acts.iter()
                        .all(|a| wide.values.iter().any(|w| action_matches(&w.value, a)))
                })
        }),
        // Everything but X covers the actions A when none of A falls in X.
        (true, false) => narrow.values.iter().enumerate().all(|(k, n)| {
            expansion(k, &n.value).is_some_and(|acts| {
                acts.iter()
                    .all(|a| !wide.values.iter().any(|w| action_matches(&w.value, a)))
            })
        }),
        // Everything but Xw covers everything but Xn when Xw is inside Xn.
        (true, true) => wide
            .values
            .iter()
            .all(|w| any_covers(narrow, &w.value, Case::AsciiInsensitive)),
        (false, true) => wide.values.iter().any(|w| w.value == "*"),
    }
}

/// True when `wide`'s resource element applies to every resource `narrow`'s applies to.
fn resources_covered(wide: Option<&ListElement>, narrow: Option<&ListElement>) -> bool {
    let (Some(wide), Some(narrow)) = (wide, narrow) else {
        return false;
    };
    if wide.values.is_empty() || narrow.values.is_empty() {
        return false;
    }
    match (wide.negated, narrow.negated) {
        (false, false) => narrow
            .values
            .iter()
            .all(|n| any_covers(wide, &n.value, Case::Sensitive)),
        (true, true) => wide
            .values
            .iter()
            .all(|w| any_covers(narrow, &w.value, Case::Sensitive)),
        (false, true) => wide.values.iter().any(|w| w.value == "*"),
        // Whether a literal resource falls outside a NotResource list is not worth guessing.
        (true, false) => false,
    }
}

/// A comparable form of a `Principal`/`NotPrincipal`: negated, then sorted `(type, values)`.
type PrincipalKey = (bool, Vec<(String, Vec<String>)>);

/// The comparable form of a statement's `Principal`/`NotPrincipal`.
fn principal_key(s: &Statement) -> Option<PrincipalKey> {
    s.principal.as_ref().map(|p| {
        let entries = match &p.value {
            Principal::Wildcard => vec![("*".to_string(), Vec::new())],
            Principal::Map(entries) => {
                let mut out: Vec<(String, Vec<String>)> = entries
                    .iter()
                    .map(|e| {
                        let mut v: Vec<String> = e.values.iter().map(|v| v.value.clone()).collect();
                        v.sort();
                        v.dedup();
                        (e.kind.value.as_str().to_string(), v)
                    })
                    .collect();
                out.sort();
                out
            }
        };
        (p.negated, entries)
    })
}

/// One `(operator, lowercase key, sorted values)` condition of a statement.
type Cond = (Operator, String, Vec<String>);

fn conditions(s: &Statement) -> HashSet<Cond> {
    condition_entries(s)
        .map(|(b, e)| {
            let mut v: Vec<String> = e.values.iter().map(|v| v.value.text.clone()).collect();
            v.sort();
            v.dedup();
            (b.operator.value, e.key.value.to_ascii_lowercase(), v)
        })
        .collect()
}

/// The statement's name for messages; with its position when another statement shares its
/// `Sid`.
fn display_name(s: &Statement, all: &[Statement]) -> String {
    match s.sid_str() {
        Some(sid) if all.iter().filter(|o| o.sid_str() == Some(sid)).count() > 1 => {
            format!("statement {} (`{sid}`)", s.index + 1)
        }
        _ => name(s),
    }
}

/// True when `wide` applies whenever `narrow` does.
fn shadows(
    cat: Option<&Catalog>,
    wide: &Statement,
    narrow: &Statement,
    conds: &[HashSet<Cond>],
    exps: &[Expansions],
) -> bool {
    wide.effect.value == narrow.effect.value
        && conds[wide.index].is_subset(&conds[narrow.index])
        && principal_key(wide) == principal_key(narrow)
        && resources_covered(wide.resource.as_ref(), narrow.resource.as_ref())
        && actions_covered(cat, &wide.action, &narrow.action, &exps[narrow.index])
}

impl Rule for ShadowedStatement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let stmts = &cx.doc.statements;
        if stmts.len() < 2 || stmts.iter().enumerate().any(|(i, s)| s.index != i) {
            return;
        }
        let cat = catalog();
        let conds: Vec<HashSet<Cond>> = stmts.iter().map(conditions).collect();
        let exps: Vec<Expansions> = stmts
            .iter()
            .map(|s| s.action.values.iter().map(|_| OnceCell::new()).collect())
            .collect();
        let printed: Vec<String> = stmts
            .iter()
            .map(|s| normalized(s).to_json_pretty())
            .collect();
        for (i, narrow) in stmts.iter().enumerate() {
            let by = stmts.iter().enumerate().find(|&(j, wide)| {
                j != i
                    && printed[i] != printed[j]
                    && shadows(cat, wide, narrow, &conds, &exps)
                    // Two statements that cover each other: report only the later one.
                    && !(j > i && shadows(cat, narrow, wide, &conds, &exps))
            });
            let Some((_, wide)) = by else { continue };
            let how = if conds[wide.index].is_empty() {
                "has no condition"
            } else {
                "has only some of its conditions"
            };
            let mut f = cx.finding(
                &Self::META,
                anchor(narrow),
                &narrow.pointer,
                format!(
                    "{} is shadowed by {}, which has the same Effect and principals, {how}, and \
                     covers all of its actions and resources",
                    display_name(narrow, stmts),
                    display_name(wide, stmts)
                ),
                "shadowed: never changes the outcome",
            );
            f.related
                .push(label(anchor(wide), "shadowed by this statement"));
            f.help = Some(
                "delete the shadowed statement, or narrow the wider one if it was not meant to \
                 cover it"
                    .into(),
            );
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    fn doc(a: &str, b: &str) -> String {
        format!("{{\"Statement\":[{{\"Effect\":\"Deny\",{a}}},\n{{\"Effect\":\"Deny\",{b}}}]}}")
    }

    fn hits(a: &str, b: &str) -> Vec<(&'static str, usize)> {
        run(&ShadowedStatement, PolicyKind::Scp, &doc(a, b))
    }

    #[test]
    fn wider_statement_shadows() {
        let wide = "\"Action\":\"s3:*\",\"Resource\":\"*\"";
        for narrow in [
            "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"",
            "\"Action\":[\"s3:Get*\",\"s3:PutObject\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}",
        ] {
            assert_eq!(hits(wide, narrow), [("shadowed-statement", 2)], "{narrow}");
            // The earlier statement can be the shadowed one too.
            assert_eq!(hits(narrow, wide), [("shadowed-statement", 1)], "{narrow}");
        }
        // Catalog expansion: every s3:GetObjectTagging... action listed one by one is not
        // needed; a pattern fully inside a list of patterns is covered.
        assert_eq!(
            hits(
                "\"Action\":[\"s3:GetObject\",\"s3:GetObjectAcl\",\"s3:GetObjectA*\",\"s3:GetObjectLegalHold\",\"s3:GetObjectRetention\",\"s3:GetObjectTagging\",\"s3:GetObjectTorrent\",\"s3:GetObjectVersion*\"],\"Resource\":\"*\"",
                "\"Action\":\"s3:GetObject*\",\"Resource\":\"*\""
            ),
            [("shadowed-statement", 2)]
        );
        // NotAction that excludes less covers NotAction that excludes more, and the actions
        // outside it.
        assert_eq!(
            hits(
                "\"NotAction\":\"iam:*\",\"Resource\":\"*\"",
                "\"NotAction\":[\"iam:*\",\"sts:*\"],\"Resource\":\"*\""
            ),
            [("shadowed-statement", 2)]
        );
        assert_eq!(
            hits(
                "\"NotAction\":\"iam:*\",\"Resource\":\"*\"",
                "\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\""
            ),
            [("shadowed-statement", 2)]
        );
    }

    #[test]
    fn question_mark_patterns_compare_through_the_catalog() {
        // `s3:?etObject` matches only s3:GetObject, inside `s3:Get*`; not the other way round.
        assert_eq!(
            hits(
                "\"Action\":\"s3:?etObject\",\"Resource\":\"*\"",
                "\"Action\":\"s3:Get*\",\"Resource\":\"*\""
            ),
            [("shadowed-statement", 1)]
        );
    }

    #[test]
    fn not_shadowed() {
        for (a, b) in [
            // Different actions, resources, conditions.
            (
                "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"",
                "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"",
            ),
            (
                "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::a/*\"",
                "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"",
            ),
            (
                "\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}",
                "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"",
            ),
            (
                "\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}",
                "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}",
            ),
            // NotAction that names the action.
            (
                "\"NotAction\":\"iam:*\",\"Resource\":\"*\"",
                "\"Action\":\"iam:CreateUser\",\"Resource\":\"*\"",
            ),
            (
                "\"NotAction\":\"sts:*\",\"Resource\":\"*\"",
                "\"NotAction\":\"iam:*\",\"Resource\":\"*\"",
            ),
            // Exact copies belong to duplicate-statement.
            (
                "\"Action\":\"s3:*\",\"Resource\":\"*\"",
                "\"Action\":\"s3:*\",\"Resource\":\"*\"",
            ),
        ] {
            assert!(hits(a, b).is_empty(), "{a} / {b}");
        }
        let allow = doc(
            "\"Action\":\"s3:*\",\"Resource\":\"*\"",
            "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"",
        )
        .replacen("Deny", "Allow", 1);
        assert!(run(&ShadowedStatement, PolicyKind::Scp, &allow).is_empty());
        // Same content written in a different order: both cover each other, one finding.
        assert_eq!(
            hits(
                "\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"*\"",
                "\"Action\":[\"s3:PutObject\",\"s3:GetObject\"],\"Resource\":\"*\""
            ),
            [("shadowed-statement", 2)]
        );
    }
}
