//! Helpers the catalog rules share: the embedded catalog, splitting action names, and region
//! lookups.

use crate::catalog::{ActionRef, Catalog};
use crate::policy::Statement;
use crate::policy::pattern::{Case, glob_match, has_wildcard};

/// The embedded catalog; `None` only for a broken build (the catalog tests rule that out).
pub(crate) fn catalog() -> Option<&'static Catalog> {
    Catalog::load().ok()
}

/// Splits `prefix:Name`; `None` for `*` or a value without `:`.
pub(crate) fn split_action(value: &str) -> Option<(&str, &str)> {
    value.split_once(':')
}

/// True when the text contains a policy variable (`${...}`).
pub(crate) fn has_variable(s: &str) -> bool {
    s.contains("${")
}

/// True for a template placeholder of published samples (`<my-vpc-region>`,
/// `{example-region-1}`), which is not meant to be deployed as written.
pub(crate) fn is_placeholder(s: &str) -> bool {
    s.contains('<') || s.replace("${", "").contains('{')
}

/// The actions a non-negated `Action` list names, when every entry is a known action or a
/// pattern of a known service that matches something; `None` when the list is `NotAction`,
/// holds `*` or a wildcard service prefix, or names anything unknown (other rules report those).
pub(crate) fn resolved_actions<'c>(cat: &'c Catalog, s: &Statement) -> Option<Vec<ActionRef<'c>>> {
    if s.action.negated || s.action.values.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for v in &s.action.values {
        let (prefix, _) = split_action(&v.value)?;
        if has_wildcard(prefix) {
            return None;
        }
        let found = cat.expand(&v.value);
        if found.is_empty() {
            return None;
        }
        out.extend(found);
    }
    Some(out)
}

/// Every region of every partition.
pub(crate) fn all_regions(cat: &Catalog) -> impl Iterator<Item = &'static str> + '_ {
    cat.partitions()
        .iter()
        .flat_map(|p| p.regions.iter().copied())
}

/// True when the region text (a code or an IAM wildcard pattern) names at least one region of
/// the given regions; a policy variable is taken as valid.
pub(crate) fn region_ok<'a>(value: &str, mut regions: impl Iterator<Item = &'a str>) -> bool {
    if has_variable(value) {
        return true;
    }
    if has_wildcard(value) {
        regions.any(|r| glob_match(value, r, Case::AsciiInsensitive))
    } else {
        regions.any(|r| r.eq_ignore_ascii_case(value))
    }
}

/// Up to three known regions closest to `value` by edit distance.
pub(crate) fn suggest_region(cat: &Catalog, value: &str) -> Vec<&'static str> {
    let want = value.to_ascii_lowercase();
    let max = (value.len() / 4).clamp(1, 3);
    let mut scored: Vec<(usize, &'static str)> = all_regions(cat)
        .map(|r| (strsim::damerau_levenshtein(&want, r), r))
        .filter(|(d, _)| *d <= max)
        .collect();
    scored.sort_unstable();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, r)| r).collect()
}

/// ` (did you mean `a`, `b`?)` for a non-empty list, else nothing.
pub(crate) fn did_you_mean<S: AsRef<str>>(candidates: &[S]) -> String {
    if candidates.is_empty() {
        return String::new();
    }
    let names: Vec<String> = candidates
        .iter()
        .map(|c| format!("`{}`", c.as_ref()))
        .collect();
    format!(" (did you mean {}?)", names.join(", "))
}
