//! `scpsim lint`: finding policy files, reading them, and running the grammar checks and the lint
//! rules over each one. Files are processed in parallel (rayon) and reported in a stable order;
//! one unreadable or broken file never stops the others.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSetBuilder};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diag::{Finding, Severity, sort_findings};
use crate::limits::{LimitError, Limits};
use crate::policy::{
    LowerOptions, PolicyDocument, PolicyError, PolicyKind, lower_partial, parse_policy,
};
use crate::rules::{self, ScpGrammar};
use crate::source::{SourceFile, Span};

/// How the policy kind of a file was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KindSource {
    /// Given with `--policy-type`.
    Flag,
    /// Mapped from the file's path by a `[[kinds]]` entry of `scpsim.toml`.
    Config,
    /// Guessed from the content: a `Principal`/`NotPrincipal` element means a resource policy,
    /// otherwise an identity policy.
    Guessed,
}

/// Options of one lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The policy kind of every file; `None` to guess per file.
    pub kind: Option<PolicyKind>,
    /// The SCP grammar profile (`--scp-grammar`).
    pub scp_grammar: ScpGrammar,
    /// The project configuration (`scpsim.toml`), if any.
    pub config: Option<Arc<Config>>,
}

impl LintOptions {
    /// Options that check every file as `kind` (or guess it, for `None`), with defaults
    /// otherwise.
    pub fn with_kind(kind: Option<PolicyKind>) -> Self {
        LintOptions {
            kind,
            ..LintOptions::default()
        }
    }
}

/// The result of linting one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file as read.
    pub source: Arc<SourceFile>,
    /// The kind it was checked as.
    pub kind: PolicyKind,
    /// How that kind was chosen.
    pub kind_source: KindSource,
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
    /// Findings dropped by an `[[ignore]]` entry of the config.
    pub suppressed: usize,
}

/// A path that could not be read as a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The path as given or found.
    pub path: String,
    /// Lowercase description.
    pub message: String,
    /// True when the path was named on the command line and does not exist (a usage error);
    /// false for I/O failures (an environment error).
    pub usage: bool,
}

/// Everything one lint run produced, in deterministic order.
#[derive(Debug, Default)]
pub struct LintRun {
    /// One report per file read, sorted by file name.
    pub files: Vec<FileReport>,
    /// Paths that could not be read, sorted by path.
    pub input_errors: Vec<InputError>,
    /// Findings dropped by `[[ignore]]` entries of the config, over every file.
    pub suppressed: usize,
}

impl LintRun {
    /// Every finding of every file, in output order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|f| f.findings.iter())
    }

    /// Number of findings with the given severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings().filter(|f| f.severity == severity).count()
    }
}

/// Guesses the kind of a document: a statement with `Principal`/`NotPrincipal` means a
/// resource-based policy, anything else an identity-based policy.
pub fn guess_kind(doc: &PolicyDocument) -> PolicyKind {
    if doc.statements.iter().any(|s| s.principal.is_some()) {
        PolicyKind::Resource
    } else {
        PolicyKind::Identity
    }
}

fn guess_kind_from_text(text: &str) -> PolicyKind {
    if text.contains("\"Principal\"") || text.contains("\"NotPrincipal\"") {
        PolicyKind::Resource
    } else {
        PolicyKind::Identity
    }
}

/// Directory names that say every policy below them is an SCP or an RCP, compared without
/// case: the names Landing Zone Accelerator, Control Tower customizations and org-formation
/// repositories use (`service-control-policies/`, `scps/`, ...).
const SCP_DIRS: &[&str] = &[
    "scp",
    "scps",
    "service-control-policies",
    "service_control_policies",
    "servicecontrolpolicies",
];
const RCP_DIRS: &[&str] = &[
    "rcp",
    "rcps",
    "resource-control-policies",
    "resource_control_policies",
    "resourcecontrolpolicies",
];

/// Guesses SCP or RCP from a file's path: a directory named as in [`SCP_DIRS`]/[`RCP_DIRS`]
/// (the nearest one wins), else a file name with a `scp` or `rcp` word (`scp-deny-regions.json`,
/// `deny_regions.rcp.json`). Returns the kind and the reason, for the note on each finding.
pub fn guess_kind_from_path(name: &str) -> Option<(PolicyKind, String)> {
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (file, dirs) = parts.split_last()?;
    for dir in dirs.iter().rev() {
        let lower = dir.to_ascii_lowercase();
        if SCP_DIRS.contains(&lower.as_str()) {
            return Some((PolicyKind::Scp, format!("it sits in the directory `{dir}`")));
        }
        if RCP_DIRS.contains(&lower.as_str()) {
            return Some((PolicyKind::Rcp, format!("it sits in the directory `{dir}`")));
        }
    }
    let lower = file.to_ascii_lowercase();
    let stem = lower.strip_suffix(".json").unwrap_or(&lower);
    let words: Vec<&str> = stem.split(['-', '_', '.', ' ']).collect();
    let kind = match (words.contains(&"scp"), words.contains(&"rcp")) {
        (true, false) => PolicyKind::Scp,
        (false, true) => PolicyKind::Rcp,
        _ => return None,
    };
    Some((kind, format!("its file name `{file}` says so")))
}

fn finding_from_error(source: &Arc<SourceFile>, e: PolicyError) -> Finding {
    Finding {
        rule: e.kind.code(),
        severity: Severity::Error,
        message: e.message,
        label: e.label,
        span: e.span,
        pointer: e.pointer,
        help: e.help,
        related: e.related,
        note: None,
        source: Arc::clone(source),
    }
}

/// The kind to check a file as: `--policy-type`, else the config's `[[kinds]]`, else `guess`.
/// With a guess, the reason for the note on each finding.
fn choose_kind(
    opts: &LintOptions,
    name: &str,
    guess: impl FnOnce() -> PolicyKind,
) -> (PolicyKind, KindSource, Option<String>) {
    if let Some(k) = opts.kind {
        return (k, KindSource::Flag, None);
    }
    if let Some(k) = opts.config.as_ref().and_then(|c| c.kind_for(name)) {
        return (k, KindSource::Config, None);
    }
    if let Some((k, why)) = guess_kind_from_path(name) {
        return (k, KindSource::Guessed, Some(why));
    }
    let k = guess();
    let why = match k {
        PolicyKind::Resource => "a statement has a Principal element",
        _ => "no statement has a Principal element",
    };
    (k, KindSource::Guessed, Some(why.to_string()))
}

/// The statement part of a JSON Pointer: `/Statement/3` of `/Statement/3/Action/0`,
/// `/Statement` for a lone statement object, or the whole pointer outside `Statement`.
fn statement_prefix(pointer: &str) -> &str {
    let Some(rest) = pointer.strip_prefix("/Statement") else {
        return pointer;
    };
    let index_len = rest
        .strip_prefix('/')
        .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
    if index_len == 0 {
        "/Statement"
    } else {
        &pointer[.."/Statement/".len() + index_len]
    }
}

/// Lints one file's text. Never fails: syntax and grammar errors become findings.
pub fn lint_source(source: &Arc<SourceFile>, opts: &LintOptions) -> FileReport {
    lint_parsed(source, parse_policy(source.text()), opts)
}

/// Lints one file's text that has already been parsed.
fn lint_parsed(
    source: &Arc<SourceFile>,
    parsed: Result<PolicyDocument, crate::policy::PolicyErrors>,
    opts: &LintOptions,
) -> FileReport {
    let (kind, kind_source, why, mut findings) = match parsed {
        Ok(doc) => {
            let (kind, ks, why) = choose_kind(opts, source.name(), || guess_kind(&doc));
            (
                kind,
                ks,
                why,
                rules::check_document(source, &doc, kind, opts.scp_grammar, opts.config.as_deref()),
            )
        }
        Err(errors) => {
            let (kind, ks, why) =
                choose_kind(opts, source.name(), || guess_kind_from_text(source.text()));
            let mut findings: Vec<Finding> = errors
                .into_iter()
                .map(|e| finding_from_error(source, e))
                .collect();
            // Valid JSON with grammar errors: the other rules still check every statement that
            // lowered, so one broken statement does not hide the rest of the file's findings.
            // Only statement-level findings of statements without a grammar error are kept:
            // document-level rules would misread a document whose Version or shape is broken.
            if let Ok(json) = crate::json::parse(source.text())
                && let (Some(doc), _) = lower_partial(&json, LowerOptions::default())
                && !doc.statements.is_empty()
            {
                let broken: Vec<String> = findings
                    .iter()
                    .map(|f| statement_prefix(&f.pointer).to_string())
                    .collect();
                findings.extend(
                    rules::check_document(
                        source,
                        &doc,
                        kind,
                        opts.scp_grammar,
                        opts.config.as_deref(),
                    )
                    .into_iter()
                    .filter(|f| {
                        let p = statement_prefix(&f.pointer);
                        p.starts_with("/Statement") && !broken.iter().any(|b| b == p)
                    }),
                );
            }
            (kind, ks, why, findings)
        }
    };
    if let Some(why) = why {
        let what = match kind {
            PolicyKind::Scp => "an SCP",
            PolicyKind::Rcp => "an RCP",
            PolicyKind::Identity => "an identity policy",
            PolicyKind::Resource => "a resource policy",
            PolicyKind::Boundary => "a permissions boundary",
            PolicyKind::Session => "a session policy",
        };
        let note = format!("checked as {what}, guessed because {why}; set --policy-type to choose");
        for f in &mut findings {
            f.note = Some(note.clone());
        }
    }
    let suppressed = opts
        .config
        .as_ref()
        .map_or(0, |c| c.apply(source.name(), &mut findings));
    sort_findings(&mut findings);
    FileReport {
        source: Arc::clone(source),
        kind,
        kind_source,
        findings,
        suppressed,
    }
}

/// Lints raw bytes read from a file named `name`. Invalid UTF-8 is a `json-syntax` finding
/// located at the first bad byte.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, opts: &LintOptions) -> FileReport {
    match String::from_utf8(bytes) {
        Ok(text) => lint_source(&SourceFile::new(name, text), opts),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = SourceFile::new(name, text);
            let (kind, kind_source, _) =
                choose_kind(opts, name, || guess_kind_from_text(source.text()));
            let end = source.text()[at..]
                .chars()
                .next()
                .map_or(at, |c| at + c.len_utf8());
            let finding = Finding {
                rule: crate::policy::PolicyErrorKind::JsonSyntax.code(),
                severity: Severity::Error,
                message: format!("invalid JSON: the file is not valid UTF-8 (byte {at})"),
                label: "invalid UTF-8 here".into(),
                span: Span::new(at, end),
                pointer: String::new(),
                help: Some("AWS policies are UTF-8 text; re-save the file as UTF-8".into()),
                related: Vec::new(),
                note: None,
                source: Arc::clone(&source),
            };
            let mut findings = vec![finding];
            let suppressed = opts
                .config
                .as_ref()
                .map_or(0, |c| c.apply(name, &mut findings));
            FileReport {
                source,
                kind,
                kind_source,
                findings,
                suppressed,
            }
        }
    }
}

/// The limits in force: the config's `[limits]`, else the defaults.
fn limits(opts: &LintOptions) -> Limits {
    opts.config
        .as_ref()
        .map_or_else(Limits::default, |c| c.limits)
}

/// An input error for a file over one of the [`Limits`], with its line and column when known.
fn limit_error(name: &str, text: Option<&str>, e: &LimitError) -> InputError {
    let at = match (text, e.span) {
        (Some(t), Some(span)) => {
            let loc = SourceFile::new(name, t).line_col(span.start);
            format!("line {}, column {}: ", loc.line, loc.column)
        }
        _ => String::new(),
    };
    InputError {
        path: name.to_string(),
        message: format!("{at}{e}"),
        usage: true,
    }
}

/// Lints the bytes of a file after checking them against the [`Limits`] of `opts` (nesting
/// depth before parsing, statement and value counts and string lengths after): a file over a
/// limit is an input error, not linted.
///
/// # Errors
///
/// The file breaks a limit.
pub fn lint_file_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &LintOptions,
) -> Result<FileReport, InputError> {
    let limits = limits(opts);
    let to_err = |text: Option<&str>, e: &LimitError| limit_error(name, text, e);
    limits
        .check_file_size(bytes.len() as u64)
        .map_err(|e| to_err(None, &e))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Ok(lint_bytes(name, e.into_bytes(), opts)),
    };
    limits
        .check_json_depth(&text)
        .map_err(|e| to_err(Some(&text), &e))?;
    let parsed = parse_policy(&text);
    if let Ok(doc) = &parsed {
        limits
            .check_document(doc)
            .map_err(|e| to_err(Some(&text), &e))?;
    }
    Ok(lint_parsed(&SourceFile::new(name, text), parsed, opts))
}

/// Reads a file of at most `max` bytes (one more is read to tell that it is over).
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn has_glob_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Expands the command-line paths into policy files: a file is taken as is; a directory is
/// walked (following symlinks, sorted) for `*.json`; an argument with glob characters that is
/// not an existing path is matched with globset under its literal leading directory.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        if p.is_dir() {
            walk(p, &mut files, &mut errors, |f| {
                f.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            });
        } else if !p.exists() && has_glob_meta(&shown) {
            let glob = match Glob::new(&shown) {
                Ok(g) => g,
                Err(e) => {
                    errors.push(InputError {
                        path: shown,
                        message: format!("invalid glob: {e}"),
                        usage: true,
                    });
                    continue;
                }
            };
            let mut b = GlobSetBuilder::new();
            b.add(glob);
            let Ok(set) = b.build() else {
                continue;
            };
            let base: PathBuf = p
                .components()
                .take_while(|c| !has_glob_meta(&c.as_os_str().to_string_lossy()))
                .collect();
            let base = if base.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                base
            };
            let before = files.len();
            if base.is_dir() {
                walk(&base, &mut files, &mut errors, |f| {
                    set.is_match(f) || f.strip_prefix("./").is_ok_and(|s| set.is_match(s))
                });
            }
            if files.len() == before {
                errors.push(InputError {
                    path: shown,
                    message: "no file matches this pattern".into(),
                    usage: true,
                });
            }
        } else if p.exists() {
            // A regular file, or a pipe or device named explicitly (e.g. `<(...)`).
            files.push(p.clone());
        } else {
            errors.push(InputError {
                path: shown,
                message: "no such file or directory".into(),
                usage: true,
            });
        }
    }
    files.sort();
    files.dedup();
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<InputError>,
    keep: impl Fn(&Path) -> bool,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && keep(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| dir.display().to_string(), |p| p.display().to_string());
                let message = if e.loop_ancestor().is_some() {
                    "symbolic link loop; skipped".to_string()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), io_message)
                };
                errors.push(InputError {
                    path,
                    message,
                    usage: false,
                });
            }
        }
    }
}

/// A lowercase description of an I/O error, without Rust's `(os error N)` suffix.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// Lints every file under `paths` (see [`collect_files`]), in parallel, and returns the results
/// in a deterministic order.
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> LintRun {
    let (files, mut input_errors) = collect_files(paths);
    let results: Vec<Result<FileReport, InputError>> = files
        .par_iter()
        .map(|p| {
            let name = p.display().to_string();
            let max = limits(opts).max_file_bytes;
            match read_bounded(p, max) {
                Ok(bytes) => lint_file_bytes(&name, bytes, opts),
                Err(e) => Err(InputError {
                    path: name,
                    message: io_message(&e),
                    usage: false,
                }),
            }
        })
        .collect();
    let mut run = LintRun::default();
    for r in results {
        match r {
            Ok(f) => run.files.push(f),
            Err(e) => input_errors.push(e),
        }
    }
    run.files
        .sort_by(|a, b| a.source.name().cmp(b.source.name()));
    run.suppressed = run.files.iter().map(|f| f.suppressed).sum();
    input_errors.sort_by(|a, b| a.path.cmp(&b.path));
    run.input_errors = input_errors;
    run
}

/// The Organizations quotas in force: the catalog's latest, with the config's `[quotas]`
/// overrides (an invalid table is reported when the config is loaded, and ignored here).
pub fn quotas(config: Option<&Config>) -> Option<crate::catalog::Quotas> {
    let base = crate::catalog::Catalog::load().ok()?.quotas();
    let overrides: crate::catalog::QuotaOverrides = config
        .and_then(|c| c.quotas.clone())
        .and_then(|t| toml::Value::Table(t).try_into().ok())
        .unwrap_or_default();
    Some(base.with_overrides(&overrides))
}

impl LintRun {
    /// Adds another run's files and errors; a file linted in both keeps `other`'s report.
    pub fn merge(&mut self, other: LintRun) {
        for f in other.files {
            self.files.retain(|g| g.source.name() != f.source.name());
            self.files.push(f);
        }
        self.files
            .sort_by(|a, b| a.source.name().cmp(b.source.name()));
        self.input_errors.extend(other.input_errors);
        self.input_errors.sort_by(|a, b| a.path.cmp(&b.path));
        self.suppressed = self.files.iter().map(|f| f.suppressed).sum();
    }
}

/// `scpsim lint --org PATH`: loads the organization (an org file, or a directory holding
/// one) and reports the loader's diagnostics (syntax, unknown policies, quotas per node, OU
/// depth, nodes without an Allow), the organization-level rules, and the findings of every
/// policy file the org lists, each checked as the policy type the org file gives it.
pub fn lint_org(path: &Path, opts: &LintOptions) -> LintRun {
    let Some(q) = quotas(opts.config.as_deref()) else {
        return LintRun {
            input_errors: vec![InputError {
                path: path.display().to_string(),
                message: "the embedded catalog could not be loaded".into(),
                usage: false,
            }],
            ..LintRun::default()
        };
    };
    // A path that does not exist is the user's mistake (exit 2), as for policy paths, not a
    // finding of an org file that was never there.
    if !path.exists() {
        return LintRun {
            input_errors: vec![InputError {
                path: path.display().to_string(),
                message: "no such file or directory (--org takes an org file or the directory holding org.yaml)".into(),
                usage: true,
            }],
            ..LintRun::default()
        };
    }
    let loaded = crate::org::local::load_limited(path, &q, &limits(opts));
    let mut run = LintRun::default();
    let mut org_findings = loaded.diagnostics;
    if let Some(tree) = &loaded.tree {
        org_findings.extend(rules::check_org(tree, opts.config.as_deref()));
        for p in &tree.policies {
            if run.files.iter().any(|f| f.source.name() == p.source.name()) {
                continue;
            }
            let popts = LintOptions {
                kind: Some(p.kind),
                ..opts.clone()
            };
            run.files.push(lint_source(&p.source, &popts));
        }
    }
    let mut by_file: Vec<(Arc<SourceFile>, Vec<Finding>)> = Vec::new();
    for f in org_findings {
        match by_file
            .iter_mut()
            .find(|(s, _)| s.name() == f.source.name())
        {
            Some((_, list)) => list.push(f),
            None => by_file.push((Arc::clone(&f.source), vec![f])),
        }
    }
    for (source, mut findings) in by_file {
        let suppressed = opts
            .config
            .as_ref()
            .map_or(0, |c| c.apply(source.name(), &mut findings));
        match run
            .files
            .iter_mut()
            .find(|r| r.source.name() == source.name())
        {
            Some(r) => {
                r.findings.extend(findings);
                r.suppressed += suppressed;
                sort_findings(&mut r.findings);
            }
            None => {
                sort_findings(&mut findings);
                run.files.push(FileReport {
                    source,
                    kind: PolicyKind::Scp,
                    kind_source: KindSource::Flag,
                    findings,
                    suppressed,
                });
            }
        }
    }
    run.files
        .sort_by(|a, b| a.source.name().cmp(b.source.name()));
    run.suppressed = run.files.iter().map(|f| f.suppressed).sum();
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grammar_error_does_not_hide_the_other_statements_findings() {
        let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "allow", "Action": "s3:GetObjekt", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}
  ]
}"#;
        let opts = LintOptions {
            kind: Some(PolicyKind::Identity),
            ..LintOptions::default()
        };
        let r = lint_bytes("p.json", text.as_bytes().to_vec(), &opts);
        let got: Vec<(&str, &str)> = r
            .findings
            .iter()
            .map(|f| (f.rule, f.pointer.as_str()))
            .collect();
        // The broken statement 0 gets only its grammar error; statement 1 is still checked.
        assert_eq!(
            got,
            vec![
                ("invalid-effect", "/Statement/0/Effect"),
                ("unknown-action", "/Statement/1/Action")
            ],
            "{got:?}"
        );
        assert_eq!(statement_prefix("/Statement/12/Action/0"), "/Statement/12");
        assert_eq!(statement_prefix("/Statement/Action"), "/Statement");
        assert_eq!(statement_prefix("/Version"), "/Version");
    }

    #[test]
    fn invalid_utf8_is_a_located_finding() {
        let r = lint_bytes(
            "x.json",
            b"{\"Statement\": \"\xff\"}".to_vec(),
            &LintOptions::default(),
        );
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].rule, "json-syntax");
        assert_eq!(r.findings[0].location().column, 16);
    }

    #[test]
    fn org_lint_surfaces_loader_diagnostics_and_org_rules() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/example");
        let run = lint_org(&dir, &LintOptions::default());
        assert!(run.input_errors.is_empty());
        let rules: Vec<&str> = run.findings().map(|f| f.rule).collect();
        assert!(rules.contains(&"org-node-without-allow"), "{rules:?}");
        assert!(rules.contains(&"unattached-policy"), "{rules:?}");
        // Every listed policy file is linted with the type the org gives it.
        assert!(
            run.files
                .iter()
                .any(|f| f.kind == PolicyKind::Rcp
                    && f.source.name().ends_with("enforce-https.json"))
        );
        let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/invalid/quota.yaml");
        let run = lint_org(&broken, &LintOptions::default());
        assert!(run.count(Severity::Error) > 0);
    }

    #[test]
    fn the_path_names_scp_and_rcp_directories_and_files() {
        let g = |n: &str| guess_kind_from_path(n).map(|(k, _)| k);
        assert_eq!(g("policies/scp/deny-regions.json"), Some(PolicyKind::Scp));
        assert_eq!(
            g("org/Service-Control-Policies/x.json"),
            Some(PolicyKind::Scp)
        );
        assert_eq!(g("org/rcps/x.json"), Some(PolicyKind::Rcp));
        // The nearest directory wins.
        assert_eq!(g("scp/rcp/x.json"), Some(PolicyKind::Rcp));
        assert_eq!(g("policies/scp-deny-regions.json"), Some(PolicyKind::Scp));
        assert_eq!(g("policies/deny_regions.rcp.json"), Some(PolicyKind::Rcp));
        // A word, not a substring; both words or none: no guess from the path.
        assert_eq!(g("policies/scpx/description.json"), None);
        assert_eq!(g("policies/scp-and-rcp.json"), None);
        assert_eq!(g("scp.json/x.json"), None);
        assert_eq!(g("x.json"), None);
    }

    #[test]
    fn a_guess_from_the_path_beats_the_principal_guess() {
        let full = br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let r = lint_bytes(
            "policies/scp/full.json",
            full.to_vec(),
            &LintOptions::default(),
        );
        assert_eq!(r.kind, PolicyKind::Scp);
        assert_eq!(r.kind_source, KindSource::Guessed);
        assert!(
            r.findings
                .iter()
                .all(|f| f.rule != "allow-star-action-star-resource"),
            "FullAWSAccess is fine as an SCP: {:?}",
            r.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
        let r = lint_bytes(
            "policies/iam/full.json",
            full.to_vec(),
            &LintOptions::default(),
        );
        assert_eq!(r.kind, PolicyKind::Identity);
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == "allow-star-action-star-resource")
            .expect("flagged as an identity policy");
        assert!(
            f.note
                .as_deref()
                .unwrap()
                .contains("checked as an identity policy"),
            "{:?}",
            f.note
        );
    }

    #[test]
    fn guessed_kind_is_noted_on_each_finding() {
        let r = lint_bytes(
            "x.json",
            br#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#.to_vec(),
            &LintOptions::default(),
        );
        assert_eq!(r.kind, PolicyKind::Resource);
        assert_eq!(r.kind_source, KindSource::Guessed);
        assert!(
            r.findings
                .iter()
                .all(|f| f.note.as_deref().is_some_and(|n| n.contains("guessed")))
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule == "not-principal-with-allow")
        );
    }
}
