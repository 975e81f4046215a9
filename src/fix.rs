//! `scpsim lint --fix` and `--diff`: safe, formatting-preserving rewrites of policy text.
//!
//! Only rewrites that cannot change what a policy means are made:
//! - `Action`/`NotAction` arrays are sorted (case-insensitively, as IAM compares action names)
//!   and exact duplicates (ignoring case) are removed;
//! - an `Action`, `NotAction`, `Resource` or `NotResource` array with one element becomes that
//!   string (IAM's grammar accepts either form);
//! - a policy over its size quota (characters, whitespace included, as AWS counts documents
//!   stored through the API) that fits once whitespace outside strings is removed is minified.
//!
//! Edits are made on the text, keeping the file's own indentation and escapes; the result must
//! parse again and hold the same elements, or the file is left alone. Files are written
//! atomically: a temporary file in the same directory, then a rename.

use std::fmt::Write as _;
use std::path::Path;

use crate::policy::{ListElement, PolicyDocument, parse_policy};
use crate::source::Span;

/// One text replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    span: Span,
    text: String,
}

fn fix_list(text: &str, list: &ListElement, sort: bool, edits: &mut Vec<Edit>) {
    if !list.is_array {
        return;
    }
    let raw = |s: Span| text.get(s.start..s.end).unwrap_or("");
    let mut values: Vec<&crate::policy::Spanned<String>> = list.values.iter().collect();
    if sort {
        values.sort_by_key(|v| v.value.to_ascii_lowercase());
        values.dedup_by_key(|v| v.value.to_ascii_lowercase());
    }
    let new_text = if values.len() == 1 {
        raw(values[0].span).to_string()
    } else {
        let (Some(first), Some(last)) = (list.values.first(), list.values.last()) else {
            return;
        };
        // Keep the array's own layout: what separates `[` from the first value, and the last
        // value from `]`.
        let lead = text
            .get(list.span.start + 1..first.span.start)
            .unwrap_or("");
        let tail = text.get(last.span.end..list.span.end - 1).unwrap_or("");
        let between = if list.values.len() > 1 {
            text.get(list.values[0].span.end..list.values[1].span.start)
                .unwrap_or(", ")
        } else {
            ", "
        };
        let mut s = String::from("[");
        s.push_str(lead);
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                s.push_str(between);
            }
            s.push_str(raw(v.span));
        }
        s.push_str(tail);
        s.push(']');
        s
    };
    if new_text != raw(list.span) {
        edits.push(Edit {
            span: list.span,
            text: new_text,
        });
    }
}

fn edits_for(text: &str, doc: &PolicyDocument) -> Vec<Edit> {
    let mut edits = Vec::new();
    for s in &doc.statements {
        fix_list(text, &s.action, true, &mut edits);
        if let Some(r) = &s.resource {
            fix_list(text, r, false, &mut edits);
        }
    }
    edits
}

/// What a fix must keep of one statement: `NotAction`?, its actions (lowercased, as a set), and
/// `NotResource`? with its resources.
type StatementMeaning = (bool, Vec<String>, Option<(bool, Vec<String>)>);

/// The elements a fix must keep, statement by statement.
fn meaning(doc: &PolicyDocument) -> Vec<StatementMeaning> {
    doc.statements
        .iter()
        .map(|s| {
            let mut actions: Vec<String> = s
                .action
                .values
                .iter()
                .map(|v| v.value.to_ascii_lowercase())
                .collect();
            actions.sort();
            actions.dedup();
            let resources = s.resource.as_ref().map(|r| {
                (
                    r.negated,
                    r.values.iter().map(|v| v.value.clone()).collect(),
                )
            });
            (s.action.negated, actions, resources)
        })
        .collect()
}

/// The text without whitespace outside JSON strings.
pub fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// The fixed text of a policy, or `None` when there is nothing to fix (or the text does not
/// parse, or a fix would not round-trip).
pub fn fix_text(text: &str) -> Option<String> {
    fix_text_within(text, None)
}

/// Like [`fix_text`]; with `max_chars`, a result longer than that is also minified when the
/// minified text fits.
pub fn fix_text_within(text: &str, max_chars: Option<usize>) -> Option<String> {
    let doc = parse_policy(text).ok()?;
    let fixed = apply_edits(text, &doc).unwrap_or_else(|| text.to_string());
    let fixed = match max_chars {
        Some(max) if fixed.chars().count() > max => {
            let small = minify(&fixed);
            let same = parse_policy(&small)
                .ok()
                .is_some_and(|d| meaning(&d) == meaning(&doc));
            if small.chars().count() <= max && same {
                small
            } else {
                fixed
            }
        }
        _ => fixed,
    };
    (fixed != text).then_some(fixed)
}

/// The list fixes applied to `text`, or `None` when there are none or they do not round-trip.
fn apply_edits(text: &str, doc: &PolicyDocument) -> Option<String> {
    let mut edits = edits_for(text, doc);
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for e in &edits {
        out.replace_range(e.span.start..e.span.end, &e.text);
    }
    let fixed = parse_policy(&out).ok()?;
    (meaning(&fixed) == meaning(doc)).then_some(out)
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, with the
/// original's permissions, renamed over it.
///
/// # Errors
///
/// Any I/O error; the original is then unchanged.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "policy".into(), |n| n.to_string_lossy());
    let prefix = format!(".{name}.scpsim-fix-");
    remove_stale_temporaries(dir, &prefix);
    let tmp = dir.join(format!("{prefix}{}", std::process::id()));
    let result = (|| {
        fault_point("fix-before-write", || Ok(()))?;
        // Half the text reaches the temporary file, then the write fails (or the process dies).
        fault_point("fix-mid-write", || {
            std::fs::write(&tmp, &text.as_bytes()[..text.len() / 2])
        })?;
        std::fs::write(&tmp, text)?;
        fault_point("fix-before-rename", || Ok(()))?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes the temporary files (`.NAME.scpsim-fix-PID`) that a run killed between writing and
/// renaming left behind, when process PID no longer exists (checked through `/proc`, so only
/// on Linux; elsewhere they stay, hidden and never linted as they do not end in `.json`).
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Fault injection for the no-data-loss tests, in debug builds only: when the environment
/// variable `SCPSIM_FAULT` names this point (`fix-before-write`, `fix-mid-write`,
/// `fix-before-rename`), `partial` runs (the part of the work done before the failure) and the
/// write fails there with an I/O error; with the suffix `:abort` (`fix-mid-write:abort`) the
/// process aborts there instead, as if killed. Release builds never read the variable.
fn fault_point(point: &str, partial: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    let Some(v) = std::env::var_os("SCPSIM_FAULT") else {
        return Ok(());
    };
    let v = v.to_string_lossy();
    if v == point {
        partial()?;
        return Err(std::io::Error::other(format!("injected fault: {point}")));
    }
    if v.strip_suffix(":abort") == Some(point) {
        partial()?;
        std::process::abort();
    }
    Ok(())
}

/// A unified diff (3 lines of context) from `old` to `new`, labelled `a/NAME` and `b/NAME`;
/// empty when they are equal.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // Longest common subsequence table (policies are small).
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // Edit script: (' ', '-', '+', old line no, new line no, text).
    let mut ops: Vec<(char, usize, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, j, a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(('+', i, j, b[j]));
            j += 1;
        } else {
            ops.push(('-', i, j, a[i]));
            i += 1;
        }
    }
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 6 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 3).min(ops.len() - 1);
        let hunk = &ops[start..=end];
        let old_count = hunk.iter().filter(|o| o.0 != '+').count();
        let new_count = hunk.iter().filter(|o| o.0 != '-').count();
        let (o0, n0) = (hunk[0].1, hunk[0].2);
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            if old_count == 0 { o0 } else { o0 + 1 },
            old_count,
            if new_count == 0 { n0 } else { n0 + 1 },
            new_count
        );
        for (op, _, _, line) in hunk {
            out.push(*op);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_dedupes_and_unwraps() {
        let text = "{\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Action\": [\n      \"s3:PutObject\",\n      \"ec2:RunInstances\",\n      \"S3:putobject\"\n    ],\n    \"Resource\": [\"arn:aws:s3:::b/*\"]\n  }]\n}\n";
        let fixed = fix_text(text).unwrap();
        assert_eq!(
            fixed,
            "{\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Action\": [\n      \"ec2:RunInstances\",\n      \"s3:PutObject\"\n    ],\n    \"Resource\": \"arn:aws:s3:::b/*\"\n  }]\n}\n"
        );
        assert_eq!(fix_text(&fixed), None, "a fixed file is stable");
        let one_line = "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":[\"b:B\", \"a:A\"],\"Resource\":\"*\"}}";
        assert_eq!(
            fix_text(one_line).unwrap(),
            "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":[\"a:A\", \"b:B\"],\"Resource\":\"*\"}}"
        );
        assert_eq!(
            fix_text("{\"Statement\": ["),
            None,
            "broken files are left alone"
        );
    }

    #[test]
    fn minifies_only_when_that_makes_it_fit() {
        let text = "{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"Action\": \"s3:*\",\n    \"Resource\": \"arn:aws:s3:::a b/*\"\n  }\n}\n";
        let small = "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::a b/*\"}}";
        assert_eq!(minify(text), small);
        assert_eq!(minify("{\"a\": \"x \\\" y\"}"), "{\"a\":\"x \\\" y\"}");
        let n = small.chars().count();
        assert_eq!(fix_text_within(text, Some(n)).as_deref(), Some(small));
        assert_eq!(
            fix_text_within(text, Some(n - 1)),
            None,
            "still too big: left alone"
        );
        assert_eq!(
            fix_text_within(text, Some(text.len())),
            None,
            "fits already"
        );
    }

    #[test]
    fn diff_shows_changed_lines() {
        let d = unified_diff("p.json", "a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            d,
            "--- a/p.json\n+++ b/p.json\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert!(unified_diff("p.json", "x\n", "x\n").is_empty());
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = std::env::temp_dir().join(format!("scpsim-fix-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("p.json");
        std::fs::write(&p, "old").unwrap();
        write_atomically(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
