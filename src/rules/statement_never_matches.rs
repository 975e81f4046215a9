use crate::catalog::Catalog;
use crate::diag::Finding;
use crate::policy::condition::{CompiledCondition, CompiledEntry, PolicyValue};
use crate::policy::pattern::{Case, glob_match};
use crate::policy::{BaseOperator, Operator, SetQualifier, Statement, Version};
use crate::source::Span;

use super::catalog_support::{catalog, is_placeholder};
use super::unresolved_placeholder::has_placeholder;
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports a statement whose conditions on one context key contradict each other, so no
    /// request can ever satisfy them and the statement never applies:
    /// - `"Null": {key: "true"}` (the key must be absent) next to a positive operator on the
    ///   same key without `IfExists` (which is false when the key is absent);
    /// - `StringEquals` on a single-valued key next to another string operator on that key that
    ///   none of its values can pass (`StringEquals` `x` and `StringNotEquals` `x`,
    ///   `StringEquals` `a` and `StringLike` `b*`);
    /// - `Bool` `true` and `Bool` `false` (one with `IfExists`) on the same key;
    /// - numeric or date bounds that leave nothing (`NumericLessThan` `5` and
    ///   `NumericGreaterThan` `10`; `DateLessThan` a date earlier than a `DateGreaterThan`).
    ///
    /// Only keys the catalog knows as single-valued are compared (a multivalued key can carry
    /// both values), only operators without `ForAllValues:`/`ForAnyValue:`, and never values
    /// with policy variables or template placeholders.
    ///
    /// ## Why is this bad?
    /// All operators of a `Condition` must hold at once. When they cannot, the statement is
    /// dead: a `Deny` meant as a guardrail denies nothing, an `Allow` grants nothing. It is
    /// almost always a typo (a wrong operator, a swapped bound) or two edits that were meant
    /// to be alternatives.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    ///  "Condition": {"NumericLessThan": {"ec2:VolumeSize": "5"},
    ///                "NumericGreaterThan": {"ec2:VolumeSize": "10"}}}
    /// ```
    /// Use instead (two statements: any one may apply):
    /// ```json
    /// {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    ///  "Condition": {"NumericLessThan": {"ec2:VolumeSize": "5"}}},
    /// {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    ///  "Condition": {"NumericGreaterThan": {"ec2:VolumeSize": "10"}}}
    /// ```
    ///
    /// ## How to fix
    /// Fix the operator or the value that is wrong; to express "either one", write two
    /// statements, or several values under one operator (values of one key are ORed).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    StatementNeverMatches {
        id: "statement-never-matches",
        summary: "a statement whose conditions contradict each other, so it never applies",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// One condition entry with its operator.
#[derive(Clone, Copy)]
struct Cond<'a> {
    op: Operator,
    entry: &'a CompiledEntry,
}

impl Cond<'_> {
    /// Positive (not negated, not `Null`) and without `IfExists`: false when the key is absent.
    fn needs_key(&self) -> bool {
        !self.op.if_exists
            && !self.op.base.is_negated()
            && self.op.base != BaseOperator::Null
            && self.op.qualifier != Some(SetQualifier::ForAllValues)
    }

    /// The plain string values, or `None` when one holds a variable or a placeholder.
    fn strings(&self) -> Option<Vec<&str>> {
        self.entry
            .values
            .iter()
            .zip(&self.entry.raw)
            .map(|(v, raw)| match v {
                PolicyValue::Str(t)
                    if !raw.contains("${") && !is_placeholder(raw) && !has_placeholder(raw) =>
                {
                    t.as_plain()
                }
                _ => None,
            })
            .collect()
    }
}

/// True when the catalog knows `key` as a single-valued key (global or service key).
fn single_valued(cat: &Catalog, key: &str) -> bool {
    if let Some(g) = cat.global_key(key) {
        return !g.key_type.multivalued;
    }
    let Some((prefix, _)) = key.split_once(':') else {
        return false;
    };
    cat.service(prefix)
        .and_then(|s| s.condition_key(key))
        .is_some_and(|k| !k.key_type.multivalued)
}

/// Does one request value `v` pass the string condition `c`?
fn string_passes(c: &Cond<'_>, values: &[&str], v: &str) -> Option<bool> {
    use BaseOperator as B;
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|p| f(p));
    Some(match c.op.base {
        B::StringEquals => any(&|p| p == v),
        B::StringNotEquals => !any(&|p| p == v),
        B::StringEqualsIgnoreCase => any(&|p| p.eq_ignore_ascii_case(v)),
        B::StringNotEqualsIgnoreCase => !any(&|p| p.eq_ignore_ascii_case(v)),
        B::StringLike => any(&|p| glob_match(p, v, Case::Sensitive)),
        B::StringNotLike => !any(&|p| glob_match(p, v, Case::Sensitive)),
        _ => return None,
    })
}

/// A bound of an ordered interval: the value and whether it is included.
type Bound<T> = Option<(T, bool)>;

/// Intersects the numeric or date constraints of one request value; false when they leave
/// no value.
fn ordered_feasible<T: PartialOrd + Copy>(conds: &[(BaseOperator, Vec<T>)]) -> bool {
    use BaseOperator as B;
    let mut lo: Bound<T> = None;
    let mut hi: Bound<T> = None;
    // A bound replaces the current one when it is stricter (an excluded end beats an
    // included one at the same value).
    let tighten_lo = |lo: &mut Bound<T>, v: T, incl: bool| {
        if lo.is_none_or(|(cur, ci)| v > cur || (v == cur && ci && !incl)) {
            *lo = Some((v, incl));
        }
    };
    let tighten_hi = |hi: &mut Bound<T>, v: T, incl: bool| {
        if hi.is_none_or(|(cur, ci)| v < cur || (v == cur && ci && !incl)) {
            *hi = Some((v, incl));
        }
    };
    let mut equals: Option<Vec<T>> = None;
    let mut not_equals: Vec<T> = Vec::new();
    for (base, values) in conds {
        // Values of one key are ORed: the loosest bound of the list counts.
        let min = values
            .iter()
            .copied()
            .reduce(|a, b| if b < a { b } else { a });
        let max = values
            .iter()
            .copied()
            .reduce(|a, b| if b > a { b } else { a });
        let (Some(min), Some(max)) = (min, max) else {
            continue;
        };
        match base {
            B::NumericGreaterThan | B::DateGreaterThan => tighten_lo(&mut lo, min, false),
            B::NumericGreaterThanEquals | B::DateGreaterThanEquals => {
                tighten_lo(&mut lo, min, true);
            }
            B::NumericLessThan | B::DateLessThan => tighten_hi(&mut hi, max, false),
            B::NumericLessThanEquals | B::DateLessThanEquals => tighten_hi(&mut hi, max, true),
            B::NumericEquals | B::DateEquals => {
                equals = Some(match equals {
                    None => values.clone(),
                    Some(prev) => prev.into_iter().filter(|p| values.contains(p)).collect(),
                });
            }
            B::NumericNotEquals | B::DateNotEquals => not_equals.extend(values.iter().copied()),
            _ => {}
        }
    }
    let inside = |v: T| {
        lo.is_none_or(|(l, incl)| v > l || (incl && v == l))
            && hi.is_none_or(|(h, incl)| v < h || (incl && v == h))
    };
    match equals {
        Some(cands) => cands
            .into_iter()
            .any(|v| inside(v) && !not_equals.contains(&v)),
        None => match (lo, hi) {
            (Some((l, li)), Some((h, hi_incl))) => l < h || (l == h && li && hi_incl),
            _ => true,
        },
    }
}

/// Why the conditions on one key contradict: the two entries to point at and a message.
struct Contradiction {
    first: Span,
    second: Span,
    message: String,
}

/// Checks the entries on one key (all of one statement's entries on that key).
fn contradiction(cat: &Catalog, conds: &[Cond<'_>]) -> Option<Contradiction> {
    use BaseOperator as B;
    let key = &conds.first()?.entry.key;
    // Null true (key absent) next to an operator that needs the key.
    let null_true = conds.iter().find(|c| {
        c.op.base == B::Null
            && !c.entry.values.is_empty()
            && c.entry
                .values
                .iter()
                .all(|v| matches!(v, PolicyValue::Null(true)))
    });
    if let Some(n) = null_true
        && let Some(c) = conds
            .iter()
            .find(|c| c.needs_key() && c.op.qualifier != Some(SetQualifier::ForAllValues))
    {
        return Some(Contradiction {
            first: n.entry.span,
            second: c.entry.span,
            message: format!(
                "`Null` requires `{key}` to be absent, but `{}` is false when it is absent",
                c.op
            ),
        });
    }
    // The rest compares values of one request value: single-valued keys, bare operators.
    if !single_valued(cat, key) || !conds.iter().any(Cond::needs_key) {
        return None;
    }
    let bare: Vec<&Cond<'_>> = conds.iter().filter(|c| c.op.qualifier.is_none()).collect();
    // Strings: a StringEquals entry pins the value to its list.
    for pin in bare.iter().filter(|c| c.op.base == B::StringEquals) {
        let Some(cands) = pin.strings() else { continue };
        for other in bare.iter().filter(|c| !std::ptr::eq(**c, *pin)) {
            let Some(values) = other.strings() else {
                continue;
            };
            if string_passes(other, &values, "").is_none() {
                continue;
            }
            if !cands
                .iter()
                .any(|v| string_passes(other, &values, v) == Some(true))
            {
                return Some(Contradiction {
                    first: pin.entry.span,
                    second: other.entry.span,
                    message: format!(
                        "`StringEquals` allows `{key}` only {}, and no such value passes `{}` {}",
                        list(&cands),
                        other.op,
                        list(&values)
                    ),
                });
            }
        }
    }
    // Booleans: each `Bool` entry allows a set of values; together they must leave one.
    let bools: Vec<&Cond<'_>> = bare
        .iter()
        .copied()
        .filter(|c| c.op.base == B::Bool)
        .collect();
    if bools.len() >= 2 {
        let allowed = |c: &Cond<'_>, b: bool| {
            c.entry
                .values
                .iter()
                .any(|v| matches!(v, PolicyValue::Bool(x) if *x == b))
        };
        if ![true, false]
            .iter()
            .any(|&b| bools.iter().all(|c| allowed(c, b)))
        {
            let (a, b) = (bools.first()?, bools.last()?);
            return Some(Contradiction {
                first: a.entry.span,
                second: b.entry.span,
                message: format!(
                    "`{}` {} and `{}` {} leave no value of `{key}`",
                    a.op,
                    list(&raw(a)),
                    b.op,
                    list(&raw(b))
                ),
            });
        }
    }
    // Numbers and dates: bounds and equal values.
    for family in [Family::Numeric, Family::Date] {
        let members: Vec<&Cond<'_>> = bare
            .iter()
            .copied()
            .filter(|c| family.contains(c.op.base))
            .collect();
        if members.len() < 2 {
            continue;
        }
        let feasible = match family {
            Family::Numeric => ordered_feasible(&typed(&members, |v| match v {
                PolicyValue::Num(n) => Some(*n),
                _ => None,
            })?),
            Family::Date => ordered_feasible(&typed(&members, |v| match v {
                PolicyValue::Date(d) => Some(*d),
                _ => None,
            })?),
        };
        if !feasible {
            let (a, b) = (members.first()?, members.last()?);
            let ops: Vec<String> = members
                .iter()
                .map(|c| format!("`{}` {}", c.op, list(&raw(c))))
                .collect();
            return Some(Contradiction {
                first: a.entry.span,
                second: b.entry.span,
                message: format!("no value of `{key}` passes {}", ops.join(" and ")),
            });
        }
    }
    None
}

#[derive(Clone, Copy)]
enum Family {
    Numeric,
    Date,
}

impl Family {
    fn contains(self, b: BaseOperator) -> bool {
        use BaseOperator as B;
        match self {
            Family::Numeric => matches!(
                b,
                B::NumericEquals
                    | B::NumericNotEquals
                    | B::NumericLessThan
                    | B::NumericLessThanEquals
                    | B::NumericGreaterThan
                    | B::NumericGreaterThanEquals
            ),
            Family::Date => matches!(
                b,
                B::DateEquals
                    | B::DateNotEquals
                    | B::DateLessThan
                    | B::DateLessThanEquals
                    | B::DateGreaterThan
                    | B::DateGreaterThanEquals
            ),
        }
    }
}

/// The typed values of each member; `None` when a value does not parse (left to
/// `condition-never-true`).
fn typed<T>(
    members: &[&Cond<'_>],
    f: impl Fn(&PolicyValue) -> Option<T>,
) -> Option<Vec<(BaseOperator, Vec<T>)>> {
    members
        .iter()
        .map(|c| {
            let vals: Option<Vec<T>> = c.entry.values.iter().map(&f).collect();
            vals.map(|v| (c.op.base, v))
        })
        .collect()
}

fn raw<'a>(c: &'a Cond<'_>) -> Vec<&'a str> {
    c.entry.raw.iter().map(String::as_str).collect()
}

fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    if quoted.len() == 1 {
        quoted.join("")
    } else {
        format!("[{}]", quoted.join(", "))
    }
}

/// The contradiction in a statement's conditions, if any.
fn check_statement(cat: &Catalog, s: &Statement, substitute: bool) -> Option<Contradiction> {
    let element = s.condition.as_ref()?;
    let compiled = CompiledCondition::compile(element, substitute);
    let mut all: Vec<Cond<'_>> = compiled
        .blocks
        .iter()
        .flat_map(|b| {
            b.entries.iter().map(move |entry| Cond {
                op: b.operator,
                entry,
            })
        })
        .collect();
    all.sort_by(|a, b| a.entry.lower.cmp(&b.entry.lower));
    all.chunk_by(|a, b| a.entry.lower == b.entry.lower)
        .filter(|g| g.len() >= 2)
        .find_map(|g| contradiction(cat, g))
}

impl Rule for StatementNeverMatches {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        let substitute = cx
            .doc
            .version
            .as_ref()
            .is_some_and(|v| v.value == Version::V2012_10_17);
        for s in &cx.doc.statements {
            let Some(c) = check_statement(cat, s, substitute) else {
                continue;
            };
            let mut f = cx.finding(
                &Self::META,
                c.second,
                &s.condition
                    .as_ref()
                    .map_or(String::new(), |e| e.pointer.clone()),
                format!(
                    "this statement can never apply: {}; all operators of a Condition must hold",
                    c.message
                ),
                "contradicts another condition on this key",
            );
            f.related.push(label(c.first, "conflicting condition"));
            f.help = Some(
                "fix the wrong operator or value; to express \"either one\", write two \
                 statements"
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
    use crate::rules::test_support::{deny_all_if as cond, run};

    fn hits(c: &str) -> usize {
        run(&StatementNeverMatches, PolicyKind::Scp, &cond(c)).len()
    }

    #[test]
    fn contradictions() {
        for c in [
            r#""StringEquals":{"aws:RequestedRegion":"eu-west-1"},"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}"#,
            r#""StringEquals":{"aws:RequestedRegion":["eu-west-1"]},"StringLike":{"aws:RequestedRegion":"us-*"}"#,
            r#""StringEquals":{"aws:PrincipalAccount":"111122223333"},"StringEqualsIgnoreCase":{"aws:principalaccount":"444455556666"}"#,
            r#""Null":{"aws:ResourceTag/Team":"true"},"StringEquals":{"aws:ResourceTag/Team":"a"}"#,
            r#""StringEquals":{"aws:ResourceTag/Team":"a"},"StringNotEqualsIgnoreCase":{"aws:ResourceTag/Team":"A"}"#,
            r#""StringEquals":{"s3:x-amz-acl":"private"},"StringLike":{"s3:x-amz-acl":"public-*"}"#,
            r#""Bool":{"aws:SecureTransport":"true"},"BoolIfExists":{"aws:SecureTransport":"false"}"#,
            r#""Null":{"aws:TagKeys":"true"},"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}"#,
            r#""NumericLessThan":{"aws:MultiFactorAuthAge":"5"},"NumericGreaterThan":{"aws:MultiFactorAuthAge":"10"}"#,
            r#""NumericEquals":{"aws:MultiFactorAuthAge":"7"},"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"10"}"#,
            r#""DateLessThan":{"aws:CurrentTime":"2024-01-01"},"DateGreaterThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}"#,
        ] {
            assert_eq!(hits(c), 1, "{c}");
        }
    }

    #[test]
    fn satisfiable() {
        for c in [
            r#""StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]},"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}"#,
            r#""StringEquals":{"aws:RequestedRegion":"us-east-1"},"StringLike":{"aws:RequestedRegion":"us-*"}"#,
            // IfExists or negated only: true when the key is absent.
            r#""Null":{"aws:ResourceTag/Team":"true"},"StringNotEquals":{"aws:ResourceTag/Team":"a"}"#,
            r#""Null":{"aws:ResourceTag/Team":"true"},"StringEqualsIfExists":{"aws:ResourceTag/Team":"a"}"#,
            r#""Null":{"aws:ResourceTag/Team":"false"},"StringEquals":{"aws:ResourceTag/Team":"a"}"#,
            r#""Null":{"aws:TagKeys":"true"},"ForAllValues:StringEquals":{"aws:TagKeys":"a"}"#,
            // Multivalued key: a request may carry both.
            r#""ForAnyValue:StringEquals":{"aws:TagKeys":"a"},"ForAnyValue:StringLike":{"aws:TagKeys":"b*"}"#,
            r#""NumericLessThan":{"aws:MultiFactorAuthAge":"10"},"NumericGreaterThan":{"aws:MultiFactorAuthAge":"5"}"#,
            r#""NumericLessThanEquals":{"aws:MultiFactorAuthAge":"5"},"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"5"}"#,
            r#""NumericLessThan":{"aws:MultiFactorAuthAge":["3","20"]},"NumericGreaterThan":{"aws:MultiFactorAuthAge":"10"}"#,
            r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01"},"DateLessThan":{"aws:CurrentTime":"2025-01-01"}"#,
            r#""Bool":{"aws:SecureTransport":"true"},"BoolIfExists":{"aws:SecureTransport":["false","true"]}"#,
            // Variables and placeholders are not compared.
            r#""StringEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"},"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}"#,
            r#""StringEquals":{"aws:PrincipalAccount":"<ACCOUNT>"},"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}"#,
            // Different keys.
            r#""StringEquals":{"aws:RequestedRegion":"eu-west-1"},"StringNotEquals":{"aws:PrincipalAccount":"eu-west-1"}"#,
        ] {
            assert_eq!(hits(c), 0, "{c}");
        }
    }
}
