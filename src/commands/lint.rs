//! `scpsim lint FILE|DIR...`: syntax, grammar and rule findings for policy files.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::catalog::{Catalog, QuotaOverrides};
use crate::config::{Config, ConfigError};
use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::fix::{fix_text_within, unified_diff, write_atomically};
use crate::lint::{LintOptions, collect_files, lint_org, lint_paths};
use crate::output::{OutputFormat, github, human, json, sarif};
use crate::policy::PolicyKind;
use crate::rules::{self, ScpGrammar};

/// What `scpsim lint` was asked to do.
#[derive(Debug, Clone)]
pub struct LintRequest {
    /// Files, directories or glob patterns.
    pub paths: Vec<PathBuf>,
    /// `--org`: an org file or its directory, linted too.
    pub org: Option<PathBuf>,
    /// `--policy-type`.
    pub kind: Option<PolicyKind>,
    /// The lowest severity that makes the run exit 1 (`--fail-on`).
    pub fail_on: Severity,
    /// `--scp-grammar`.
    pub scp_grammar: ScpGrammar,
    /// `--config`; `None` to look for `scpsim.toml` from the current directory upwards.
    pub config: Option<PathBuf>,
    /// `--fix`: apply safe fixes in place, then lint.
    pub fix: bool,
    /// `--diff`: print what `--fix` would change, and nothing else.
    pub diff: bool,
}

/// The size quota (characters) of a file checked as an SCP or RCP, from the catalog's current
/// quotas and the config's `[quotas]` overrides; `None` for other kinds or without a catalog.
fn size_quota(req: &LintRequest, config: Option<&Config>, name: &str) -> Option<usize> {
    let kind = req.kind.or_else(|| config.and_then(|c| c.kind_for(name)))?;
    let quotas = Catalog::load().ok()?.quotas();
    let quotas = match config.and_then(|c| c.quotas.clone()) {
        Some(t) => quotas.with_overrides(&toml::Value::Table(t).try_into().unwrap_or_default()),
        None => quotas,
    };
    let max = match kind {
        PolicyKind::Scp => quotas.scp_max_chars,
        PolicyKind::Rcp => quotas.rcp_max_chars,
        _ => return None,
    };
    usize::try_from(max).ok()
}

/// `--fix` and `--diff`: returns the exit status when the run stops here (`--diff`).
fn fix_or_diff(
    req: &LintRequest,
    config: Option<&Config>,
    out: &mut dyn Write,
) -> Option<ExitStatus> {
    let (files, errors) = collect_files(&req.paths);
    let mut diff = String::new();
    let mut status = ExitStatus::Success;
    let mut fixed = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // reported by the lint run
        };
        // A file over an input limit is left alone (the lint run reports it).
        let limits = config.map_or_else(crate::limits::Limits::default, |c| c.limits);
        if limits.check_file_size(text.len() as u64).is_err()
            || limits.check_json_depth(&text).is_err()
        {
            continue;
        }
        let name = path.display().to_string();
        let Some(new) = fix_text_within(&text, size_quota(req, config, &name)) else {
            continue;
        };
        if req.diff {
            diff.push_str(&unified_diff(&name, &text, &new));
            status = ExitStatus::Failure;
        } else {
            match write_atomically(path, &new) {
                Ok(()) => fixed += 1,
                Err(e) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "error: {name}: cannot write the fix: {e}"
                    );
                    status = ExitStatus::Environment;
                }
            }
        }
    }
    if !req.diff {
        if fixed > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "fixed {fixed} file{}",
                if fixed == 1 { "" } else { "s" }
            );
        }
        return (status != ExitStatus::Success).then_some(status);
    }
    for e in &errors {
        let _ = writeln!(diff, "error: {}: {}", e.path, e.message);
        status = status.max(if e.usage {
            ExitStatus::Usage
        } else {
            ExitStatus::Environment
        });
    }
    if out
        .write_all(diff.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return Some(ExitStatus::Environment);
    }
    Some(status)
}

/// Loads the config named by `--config`, or the one found from the current directory upwards,
/// and checks that every rule id it names exists.
///
/// # Errors
///
/// The file cannot be read, is invalid, or names an unknown rule.
pub fn load_config(explicit: Option<&PathBuf>) -> Result<Option<Config>, ConfigError> {
    let config = match explicit {
        Some(p) => Some(Config::load(p)?),
        None => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            Config::discover(&cwd)?
        }
    };
    if let Some(c) = &config {
        if let Some(t) = &c.quotas {
            toml::Value::Table(t.clone())
                .try_into::<QuotaOverrides>()
                .map_err(|e| {
                    c.error_at_quotas(format!("invalid [quotas]: {}", e.message().trim()))
                })?;
        }
        for (id, table) in &c.settings {
            if let Some(rule) = rules::find(id) {
                rule.check_settings(table)
                    .map_err(|m| c.error_at_rule(id, format!("invalid settings of `{id}`: {m}")))?;
            }
        }
        for id in c.rule_ids() {
            if rules::find(id).is_none() {
                let mut message = format!("unknown rule id `{id}`");
                if let Some(best) = rules::suggest(id).first() {
                    message.push_str(&format!("; did you mean `{best}`?"));
                }
                return Err(c.error_at_rule(id, message));
            }
        }
    }
    Ok(config)
}

/// Runs `scpsim lint` and returns its exit status.
pub fn run(format: OutputFormat, req: &LintRequest, out: &mut dyn Write) -> ExitStatus {
    let config = match load_config(req.config.as_ref()) {
        Ok(c) => c.map(Arc::new),
        Err(e) => {
            let text = if format == OutputFormat::Json || format == OutputFormat::Sarif {
                let v = serde_json::json!({
                    "version": json::JSON_VERSION,
                    "error": format!("invalid config: {}", e.message),
                    "config": {"file": e.path, "line": e.line, "column": e.column},
                });
                format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
            } else {
                format!("error: invalid config: {e}\n")
            };
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            return ExitStatus::Usage;
        }
    };
    if (req.fix || req.diff)
        && let Some(status) = fix_or_diff(req, config.as_deref(), out)
    {
        return status;
    }
    let opts = LintOptions {
        kind: req.kind,
        scp_grammar: req.scp_grammar,
        config,
    };
    let mut run = lint_paths(&req.paths, &opts);
    if let Some(org) = &req.org {
        run.merge(lint_org(org, &opts));
    }
    let text = match format {
        OutputFormat::Json => json::render_lint(&run),
        OutputFormat::Sarif => sarif::render_lint(&run),
        OutputFormat::Github => github::render_lint(&run),
        OutputFormat::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            human::render_lint(
                &run,
                if color {
                    human::Style::Color
                } else {
                    human::Style::Unicode
                },
            )
        }
        OutputFormat::Plain | OutputFormat::Markdown | OutputFormat::Csv => {
            human::render_lint(&run, human::Style::Plain)
        }
    };
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitStatus::Environment;
    }
    let mut status = if run.findings().any(|f| f.severity >= req.fail_on) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    for e in &run.input_errors {
        status = status.max(if e.usage {
            ExitStatus::Usage
        } else {
            ExitStatus::Environment
        });
    }
    status
}
