//! `scpsim diff --base A --head B`: every request class whose decision changed between two
//! versions of an organization, with a witness request and the deciding statement on each side.
//! `A` and `B` are org directories (or org files) or `git:REV` (the head's directory at that
//! revision, read with `git archive`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::analyze::diff::{
    ChangeKind, ContextValue, DiffResult, DiffRow, diff_with_progress, policy_changes, summary_line,
};
use crate::catalog::Catalog;
use crate::error::ExitStatus;
use crate::output::{Format, OutputFormat};

use super::{decided_summary, load_org};

/// Which changes make `diff` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Something denied before is allowed after.
    Loosened,
    /// Something allowed before is denied after.
    Tightened,
    /// Any change of decision.
    Any,
    /// Never (report only).
    Never,
}

/// Materialises `git:REV` as a temporary directory holding the head directory's content at
/// that revision; plain paths are returned as they are.
fn resolve(
    spec: &str,
    head_dir: &Path,
    keep: &mut Vec<(tempfile::TempDir, String)>,
) -> Result<PathBuf, String> {
    let Some(rev) = spec.strip_prefix("git:") else {
        return Ok(PathBuf::from(spec));
    };
    let dir = if head_dir.is_dir() {
        head_dir.to_path_buf()
    } else {
        head_dir
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let prefix = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !prefix.status.success() {
        return Err(format!(
            "`{}` is not inside a git repository",
            dir.display()
        ));
    }
    let prefix = String::from_utf8_lossy(&prefix.stdout)
        .trim()
        .trim_end_matches('/')
        .to_string();
    // `git archive` run in a subdirectory archives only that subdirectory: run it at the top.
    let top = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let dir = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let tree = if prefix.is_empty() {
        rev.to_string()
    } else {
        format!("{rev}:{prefix}")
    };
    let tmp =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["archive", "--format=tar", &tree])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let Some(stdout) = archive.stdout.take() else {
        return Err("git archive gave no output".into());
    };
    // tar's own complaints about an empty stream are noise: git's message says what is wrong.
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(tmp.path())
        .stdin(stdout)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git = archive
        .wait_with_output()
        .map_err(|e| format!("git archive failed: {e}"))?;
    if !git.status.success() || !tar.success() {
        let why = String::from_utf8_lossy(&git.stderr);
        let why = why
            .lines()
            .map(|l| l.trim().trim_start_matches("fatal: "))
            .find(|l| !l.is_empty())
            .unwrap_or("unknown revision or path");
        return Err(format!("cannot read `{tree}` from git: {why}"));
    }
    let path = if head_dir.is_dir() {
        tmp.path().to_path_buf()
    } else {
        tmp.path().join(head_dir.file_name().unwrap_or_default())
    };
    keep.push((tmp, format!("git:{tree}")));
    Ok(path)
}

/// Loads an org as [`load_org`] does; its messages name files of a `git:REV` checkout as
/// `git:REV:path` instead of the temporary directory they were read from.
fn load_shown_as(
    path: &Path,
    format: Format,
    checkouts: &[(tempfile::TempDir, String)],
    err: &mut dyn Write,
) -> Result<(crate::org::OrgTree, crate::catalog::Quotas), ExitStatus> {
    let mut buf = Vec::new();
    let loaded = load_org(path, format, false, &mut buf);
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    for (dir, label) in checkouts {
        let tmp = dir.path().display().to_string();
        text = text.replace(&format!("{tmp}/"), &format!("{label}/"));
        text = text.replace(&tmp, label);
    }
    let _ = err.write_all(text.as_bytes());
    loaded
}

/// What `scpsim diff` compares and how.
#[derive(Debug, Clone, Copy)]
pub struct DiffParams<'a> {
    /// The version before: an org directory or file, or `git:REV`.
    pub base: &'a str,
    /// The version after.
    pub head: &'a str,
    /// No progress bar.
    pub quiet: bool,
    /// Which changes make the exit code 1.
    pub fail_on: FailOn,
    /// Evaluation options (see [`super::eval_options`]).
    pub options: crate::eval::EvalOptions,
}

/// Runs `scpsim diff`.
pub fn run(
    format: OutputFormat,
    p: &DiffParams<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let DiffParams {
        base,
        head,
        quiet,
        fail_on,
        options,
    } = *p;
    let mut keep = Vec::new();
    for (flag, spec) in [("--head", head), ("--base", base)] {
        if !spec.starts_with("git:") && !Path::new(spec).exists() {
            let _ = writeln!(
                err,
                "error: {flag}: cannot read `{spec}`: no such file or directory"
            );
            return ExitStatus::Usage;
        }
    }
    let head_path = match resolve(head, Path::new("."), &mut keep) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: --head: {e}");
            return ExitStatus::Usage;
        }
    };
    let anchor = if head.starts_with("git:") {
        PathBuf::from(".")
    } else {
        head_path.clone()
    };
    let base_path = match resolve(base, &anchor, &mut keep) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: --base: {e}");
            return ExitStatus::Usage;
        }
    };
    let plain = Format::from(format);
    let (base_org, _) = match load_shown_as(&base_path, plain, &keep, err) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let (head_org, _) = match load_shown_as(&head_path, plain, &keep, err) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let catalog = match Catalog::load() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
            return ExitStatus::Environment;
        }
    };
    let bar = super::progress::Bar::new("diff", format, quiet);
    let result = diff_with_progress(&base_org, &head_org, catalog, options, &bar);
    bar.finish();
    let summary = summary_line(&base_org, &head_org, &result);
    let text = match format {
        OutputFormat::Json | OutputFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({
                "version": 1,
                "base": base,
                "head": head,
                "summary": summary,
                "changes": policy_changes(&base_org, &head_org),
                "diff": result,
            }))
            .unwrap_or_default();
            s.push('\n');
            s
        }
        OutputFormat::Markdown => markdown(&result, base, head, &summary),
        _ => human(&result, base, head, &summary),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    let hit = result.rows.iter().any(|r| match fail_on {
        FailOn::Loosened => r.change == ChangeKind::Loosened,
        FailOn::Tightened => r.change == ChangeKind::Tightened,
        FailOn::Any => true,
        FailOn::Never => false,
    }) || (fail_on == FailOn::Any
        && !(result.added_accounts.is_empty() && result.removed_accounts.is_empty()));
    if hit {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn accounts(r: &DiffRow) -> String {
    let mut s = r
        .account_names
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if r.account_names.len() > 3 {
        let _ = write!(s, " (+{} more)", r.account_names.len() - 3);
    }
    s
}

fn regions(r: &DiffRow) -> String {
    if r.regions.len() > 3 {
        format!(
            "{} regions ({}, ...)",
            r.regions.len(),
            r.regions[..2].join(", ")
        )
    } else {
        r.regions.join(", ")
    }
}

/// For Markdown: the row's other principal kinds after the witness (at most 3 named), so a
/// reviewer does not read a change of one role as a change for every caller.
fn other_principals(row: &DiffRow) -> String {
    let others: Vec<&String> = row
        .principals
        .iter()
        .filter(|p| **p != row.principal)
        .collect();
    if others.is_empty() {
        return String::new();
    }
    let named: Vec<String> = others.iter().take(3).map(|p| format!("`{p}`")).collect();
    format!(
        "<br>and {} other principal kind{}: {}{}",
        others.len(),
        if others.len() == 1 { "" } else { "s" },
        named.join(", "),
        if others.len() > 3 { ", ..." } else { "" }
    )
}

/// ` with k=v, k2=[a, b]` for the witness's condition keys, or nothing.
fn witness_context(row: &DiffRow) -> String {
    if row.context.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = row
        .context
        .iter()
        .map(|(k, v)| match v {
            ContextValue::Single(x) => format!("{k}={x}"),
            ContextValue::Multi(xs) => format!("{k}=[{}]", xs.join(", ")),
        })
        .collect();
    format!(" with {}", parts.join(", "))
}

fn counts(result: &DiffResult) -> (usize, usize, usize) {
    let n = |k| result.rows.iter().filter(|r| r.change == k).count();
    (
        n(ChangeKind::Loosened),
        n(ChangeKind::Tightened),
        n(ChangeKind::Reason),
    )
}

fn human(result: &DiffResult, base: &str, head: &str, summary: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{summary}");
    let (l, t, r) = counts(result);
    let _ = writeln!(
        o,
        "diff {base} -> {head}: {} changed request classes ({l} loosened, {t} tightened, {r} with another reason); {} requests evaluated per version",
        result.rows.len(),
        result.evaluated
    );
    for a in &result.added_accounts {
        let _ = writeln!(o, "account added: {a}");
    }
    for a in &result.removed_accounts {
        let _ = writeln!(o, "account removed: {a}");
    }
    if !result.approximate_keys.is_empty() {
        let _ = writeln!(
            o,
            "approximate: conditions on {} were evaluated with the key absent",
            result.approximate_keys.join(", ")
        );
    }
    for row in result.rows.iter().take(HUMAN_ROWS) {
        let label = match row.change {
            ChangeKind::Loosened => "LOOSENED ",
            ChangeKind::Tightened => "TIGHTENED",
            ChangeKind::Reason => "REASON   ",
        };
        let similar = if row.similar_actions > 1 {
            format!(" (+{} similar actions)", row.similar_actions - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "\n{label} {}: {}{similar} in {}",
            accounts(row),
            row.action,
            regions(row)
        );
        if row.principals.len() > 1 {
            let _ = writeln!(
                o,
                "          principals: {} kinds, e.g. {}",
                row.principals.len(),
                row.principals.join(", ")
            );
        }
        let _ = writeln!(
            o,
            "          witness: {} calls {} on {} in {}{}",
            row.principal,
            row.action,
            row.resource,
            row.region,
            witness_context(row)
        );
        let _ = writeln!(
            o,
            "          before: {} ({})",
            row.before,
            decided_summary(&row.before_by)
        );
        let _ = writeln!(
            o,
            "          after:  {} ({})",
            row.after,
            decided_summary(&row.after_by)
        );
    }
    if result.rows.len() > HUMAN_ROWS {
        let rest = &result.rows[HUMAN_ROWS..];
        let mut services: Vec<&str> = rest.iter().map(|r| r.service.as_str()).collect();
        services.sort_unstable();
        services.dedup();
        let _ = writeln!(
            o,
            "\n... and {} more changed request classes over {} services, not shown; `--format json` lists every one (`--format markdown` groups them per account group)",
            rest.len(),
            services.len()
        );
    }
    if result.rows.is_empty() {
        o.push_str("no decision changed\n");
    }
    o
}

/// Changed request classes shown in full by the human output; the summary line and counts
/// above them cover the rest.
const HUMAN_ROWS: usize = 40;

/// Upper bound of the Markdown output in bytes (GitHub's comment limit is 65,536 characters;
/// a character is at least one byte).
pub const MARKDOWN_BUDGET: usize = 60_000;

/// Rows shown per account group in Markdown before a "... and N more" line.
const MARKDOWN_ROWS_PER_GROUP: usize = 15;

fn markdown(result: &DiffResult, base: &str, head: &str, summary: &str) -> String {
    let mut o = String::new();
    let (l, t, r) = counts(result);
    let _ = writeln!(o, "### scpsim diff `{base}` → `{head}`\n");
    let _ = writeln!(o, "**{}**\n", summary.replace('|', "\\|"));
    let _ = writeln!(
        o,
        "**{}** changed request classes: {l} loosened, {t} tightened, {r} with another reason.\n",
        result.rows.len()
    );
    if !result.approximate_keys.is_empty() {
        let _ = writeln!(
            o,
            "> Approximate: conditions on `{}` were evaluated with the key absent.\n",
            result.approximate_keys.join("`, `")
        );
    }
    if result.rows.is_empty() {
        o.push_str("No decision changed.\n");
        return o;
    }
    let full = "run `scpsim diff --format json` for the full list";
    let mut shown = 0usize;
    let mut truncated = false;
    let mut start = 0;
    'groups: while start < result.rows.len() {
        let accts = &result.rows[start].accounts;
        let end = result.rows[start..]
            .iter()
            .position(|r| &r.accounts != accts)
            .map_or(result.rows.len(), |n| start + n);
        let group = &result.rows[start..end];
        start = end;
        let mut lines = vec![format!(
            "\n#### {} ({} account{}): {} changed row{}\n\n| change | service | action | regions | principals (witness first) | before | after |\n|---|---|---|---|---|---|---|\n",
            accounts(&group[0]),
            accts.len(),
            if accts.len() == 1 { "" } else { "s" },
            group.len(),
            if group.len() == 1 { "" } else { "s" },
        )];
        for row in group.iter().take(MARKDOWN_ROWS_PER_GROUP) {
            let similar = if row.similar_actions > 1 {
                format!(" (+{})", row.similar_actions - 1)
            } else {
                String::new()
            };
            lines.push(format!(
                "| {:?} | {} | `{}`{similar} | {} | `{}`{}{} | {} ({}) | {} ({}) |\n",
                row.change,
                row.service,
                row.action,
                regions(row),
                row.principal,
                witness_context(row),
                other_principals(row),
                row.before,
                decided_summary(&row.before_by).replace('|', "\\|"),
                row.after,
                decided_summary(&row.after_by).replace('|', "\\|"),
            ));
        }
        if group.len() > MARKDOWN_ROWS_PER_GROUP {
            let rest = &group[MARKDOWN_ROWS_PER_GROUP..];
            let mut services: Vec<&str> = rest.iter().map(|r| r.service.as_str()).collect();
            services.dedup();
            let names = if services.len() > 8 {
                format!("{}, ...", services[..8].join(", "))
            } else {
                services.join(", ")
            };
            lines.push(format!(
                "\n... and {} more rows ({names}); {full}.\n",
                rest.len()
            ));
        }
        for (k, line) in lines.iter().enumerate() {
            // Keep room for the closing note.
            if o.len() + line.len() + 400 > MARKDOWN_BUDGET {
                truncated = true;
                // Rows of this group shown so far (the heading is line 0).
                shown += k
                    .saturating_sub(1)
                    .min(group.len().min(MARKDOWN_ROWS_PER_GROUP));
                break 'groups;
            }
            o.push_str(line);
        }
        shown += group.len().min(MARKDOWN_ROWS_PER_GROUP);
    }
    if truncated {
        let _ = writeln!(
            o,
            "\n_Output shortened to stay under GitHub's comment size limit: {shown} of {} rows shown; {full}._",
            result.rows.len()
        );
    } else if shown < result.rows.len() {
        let _ = writeln!(
            o,
            "\n_{shown} of {} rows shown; {full}._",
            result.rows.len()
        );
    }
    o
}
