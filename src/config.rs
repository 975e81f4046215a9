//! `scpsim.toml`: project configuration for `scpsim lint`.
//!
//! Found by walking up from the current directory (or given with `--config`). Every path glob
//! is relative to the directory of the config file and matched with globset against the file's
//! path relative to that directory (`*` stays within one directory, `**` crosses them).
//!
//! ```toml
//! [rules]
//! disable = ["missing-version"]           # never report these rules
//! severity = { duplicate-statement = "error", pass-role-star = "info" }
//!
//! [[ignore]]                              # drop findings of some rules in some files
//! path = "legacy/**"
//! rules = ["not-action-with-allow"]        # omit to ignore every rule there
//!
//! [[kinds]]                               # policy kind by path (when --policy-type is absent)
//! path = "org/scp/**"
//! kind = "scp"
//!
//! [quotas]                                # passed through untyped to the quota owner
//! scp_max_chars = 5120
//!
//! [settings.negated-operator-on-optional-key]   # a rule's own settings, read by the rule
//! extra_keys = ["aws:PrincipalTag/*"]
//! ```
//!
//! This module knows nothing about rules (it never imports `rules/`): rule ids are checked
//! against the registry by the caller, with [`Config::rule_ids`] giving each id's location.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Finding, Severity};
use crate::policy::PolicyKind;
use crate::source::{SourceFile, Span};

/// The file name looked up from the current directory upwards.
pub const CONFIG_FILE_NAME: &str = "scpsim.toml";

/// A configuration file that cannot be used, located at file:line:column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The config file.
    pub path: String,
    /// 1-based line (1 when the file could not be read).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Lowercase description, user input in backticks.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    #[serde(default)]
    kinds: Vec<RawKind>,
    #[serde(default)]
    quotas: Option<Spanned<toml::Table>>,
    #[serde(default)]
    settings: std::collections::BTreeMap<Spanned<String>, toml::Table>,
    #[serde(default)]
    limits: Option<Spanned<RawLimits>>,
}

/// `[limits]`: each key replaces the matching field of [`crate::limits::Limits`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_bytes: Option<u64>,
    max_json_depth: Option<usize>,
    max_statements: Option<usize>,
    max_condition_values: Option<usize>,
    max_pattern_len: Option<usize>,
    max_org_nodes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    path: Spanned<String>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    path: Spanned<String>,
    kind: Spanned<String>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// The glob as written.
    pub glob: String,
    matcher: GlobMatcher,
    /// Rule ids to drop; empty means every rule.
    pub rules: Vec<String>,
}

/// One `[[kinds]]` entry.
#[derive(Debug, Clone)]
pub struct KindMapping {
    /// The glob as written.
    pub glob: String,
    matcher: GlobMatcher,
    /// The policy kind of matching files.
    pub kind: PolicyKind,
}

/// A loaded, validated `scpsim.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory globs are relative to (absolute).
    pub root: PathBuf,
    source: std::sync::Arc<SourceFile>,
    /// Rule ids never reported.
    pub disabled: Vec<String>,
    /// Severity overrides by rule id.
    pub severity: Vec<(String, Severity)>,
    /// Path-based ignores.
    pub ignores: Vec<Ignore>,
    /// Path-based policy kinds; the first match wins.
    pub kinds: Vec<KindMapping>,
    /// The `[quotas]` table, untyped: whoever owns the quotas deserializes it (for example into
    /// the catalog's quota overrides). `None` when absent.
    pub quotas: Option<toml::Table>,
    quotas_span: Span,
    /// Each rule's own settings (`[settings.<rule-id>]`), untyped: the rule deserializes them.
    pub settings: Vec<(String, toml::Table)>,
    rule_refs: Vec<(String, Span)>,
    /// Input limits: the defaults with the `[limits]` section's values.
    pub limits: crate::limits::Limits,
}

fn kind_from_str(s: &str) -> Option<PolicyKind> {
    Some(match s {
        "scp" => PolicyKind::Scp,
        "rcp" => PolicyKind::Rcp,
        "identity" => PolicyKind::Identity,
        "resource" => PolicyKind::Resource,
        "boundary" => PolicyKind::Boundary,
        "session" => PolicyKind::Session,
        _ => return None,
    })
}

fn severity_from_str(s: &str) -> Option<Severity> {
    Some(match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => return None,
    })
}

/// A lowercase description of an I/O error, without Rust's `(os error N)` suffix.
fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// Makes a path absolute against the current directory and removes `.` and `..` components
/// lexically, without touching the file system.
fn absolute(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Config {
    /// Looks for `scpsim.toml` in `start` and its ancestors and loads the first one found.
    ///
    /// # Errors
    ///
    /// The file exists but cannot be read or is invalid.
    pub fn discover(start: &Path) -> Result<Option<Config>, ConfigError> {
        let start = absolute(start);
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads and validates a config file.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is not valid TOML, has an unknown key, a bad glob, kind or
    /// severity.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: shown.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the config file: {}", io_message(&e)),
        })?;
        let root = absolute(path)
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Config::parse(&shown, &text, root)
    }

    /// Parses config text; `name` is used in messages, `root` is the directory globs are
    /// relative to.
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    pub fn parse(name: &str, text: &str, root: PathBuf) -> Result<Config, ConfigError> {
        let source = SourceFile::new(name, text);
        let err = |span: Option<std::ops::Range<usize>>, message: String| {
            let at = source.line_col(span.map_or(0, |r| r.start));
            ConfigError {
                path: name.to_string(),
                line: at.line,
                column: at.column,
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let msg = e.message().trim().to_string();
            let mut c = msg.chars();
            let msg = match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => msg,
            };
            err(e.span(), msg)
        })?;
        let glob = |g: &Spanned<String>| -> Result<GlobMatcher, ConfigError> {
            GlobBuilder::new(g.get_ref())
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| {
                    err(
                        Some(g.span()),
                        format!("invalid glob `{}`: {}", g.get_ref(), e.kind()),
                    )
                })
        };
        let mut rule_refs = Vec::new();
        let mut track = |id: &Spanned<String>| {
            let r = id.span();
            rule_refs.push((id.get_ref().clone(), Span::new(r.start, r.end)));
            id.get_ref().clone()
        };
        let disabled = raw.rules.disable.iter().map(&mut track).collect();
        let mut severity = Vec::new();
        for (id, sev) in &raw.rules.severity {
            let s = severity_from_str(sev.get_ref()).ok_or_else(|| {
                err(
                    Some(sev.span()),
                    format!(
                        "invalid severity `{}`: expected `error`, `warning` or `info`",
                        sev.get_ref()
                    ),
                )
            })?;
            severity.push((track(id), s));
        }
        let mut ignores = Vec::new();
        for i in &raw.ignore {
            ignores.push(Ignore {
                glob: i.path.get_ref().clone(),
                matcher: glob(&i.path)?,
                rules: i.rules.iter().map(&mut track).collect(),
            });
        }
        let mut kinds = Vec::new();
        for k in &raw.kinds {
            let kind = kind_from_str(k.kind.get_ref()).ok_or_else(|| {
                err(
                    Some(k.kind.span()),
                    format!(
                        "invalid policy kind `{}`: expected scp, rcp, identity, resource, \
                         boundary or session",
                        k.kind.get_ref()
                    ),
                )
            })?;
            kinds.push(KindMapping {
                glob: k.path.get_ref().clone(),
                matcher: glob(&k.path)?,
                kind,
            });
        }
        let limits = match &raw.limits {
            None => crate::limits::Limits::default(),
            Some(l) => {
                let d = crate::limits::Limits::default();
                let r = l.get_ref();
                let limits = crate::limits::Limits {
                    max_file_bytes: r.max_file_bytes.unwrap_or(d.max_file_bytes),
                    max_json_depth: r.max_json_depth.unwrap_or(d.max_json_depth),
                    max_statements: r.max_statements.unwrap_or(d.max_statements),
                    max_condition_values: r.max_condition_values.unwrap_or(d.max_condition_values),
                    max_pattern_len: r.max_pattern_len.unwrap_or(d.max_pattern_len),
                    max_org_nodes: r.max_org_nodes.unwrap_or(d.max_org_nodes),
                };
                if limits.max_json_depth == 0 || limits.max_json_depth > d.max_json_depth {
                    return Err(err(
                        Some(l.span()),
                        format!(
                            "`max_json_depth` must be between 1 and {} (the JSON parser's own limit)",
                            d.max_json_depth
                        ),
                    ));
                }
                limits
            }
        };
        let settings = raw
            .settings
            .into_iter()
            .map(|(id, t)| (track(&id), t))
            .collect();
        Ok(Config {
            path: PathBuf::from(name),
            root,
            source,
            disabled,
            severity,
            ignores,
            kinds,
            quotas_span: raw
                .quotas
                .as_ref()
                .map_or(Span::default(), |q| Span::new(q.span().start, q.span().end)),
            quotas: raw.quotas.map(Spanned::into_inner),
            settings,
            rule_refs,
            limits,
        })
    }

    /// Every rule id the file names, with its location, for validation by the caller.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rule_refs.iter().map(|(id, _)| id.as_str())
    }

    /// A located error about the first mention of rule id `id` in the file.
    pub fn error_at_rule(&self, id: &str, message: String) -> ConfigError {
        let at = self
            .rule_refs
            .iter()
            .find(|(r, _)| r == id)
            .map_or(0, |(_, s)| s.start);
        let lc = self.source.line_col(at);
        ConfigError {
            path: self.source.name().to_string(),
            line: lc.line,
            column: lc.column,
            message,
        }
    }

    /// The settings table of rule `id`, if the file has one.
    pub fn settings_for(&self, id: &str) -> Option<&toml::Table> {
        self.settings.iter().find(|(r, _)| r == id).map(|(_, t)| t)
    }

    /// A located error about the `[quotas]` table (for its owner's validation).
    pub fn error_at_quotas(&self, message: String) -> ConfigError {
        let lc = self.source.line_col(self.quotas_span.start);
        ConfigError {
            path: self.source.name().to_string(),
            line: lc.line,
            column: lc.column,
            message,
        }
    }

    /// The path of `file` relative to the config's directory, with `/` separators; `None` for
    /// files outside it.
    fn relative(&self, file: &str) -> Option<PathBuf> {
        absolute(Path::new(file))
            .strip_prefix(&self.root)
            .ok()
            .map(Path::to_path_buf)
    }

    /// The policy kind `[[kinds]]` assigns to `file`, if any (first match).
    pub fn kind_for(&self, file: &str) -> Option<PolicyKind> {
        let rel = self.relative(file)?;
        self.kinds
            .iter()
            .find(|k| k.matcher.is_match(&rel))
            .map(|k| k.kind)
    }

    /// Applies `disable`, `severity` and `[[ignore]]` to the findings of `file`. Returns the
    /// number of findings dropped by `[[ignore]]` (disabled rules are not counted).
    pub fn apply(&self, file: &str, findings: &mut Vec<Finding>) -> usize {
        findings.retain(|f| !self.disabled.iter().any(|d| d == f.rule));
        for f in findings.iter_mut() {
            if let Some((_, s)) = self.severity.iter().find(|(id, _)| id == f.rule) {
                f.severity = *s;
            }
        }
        let Some(rel) = self.relative(file) else {
            return 0;
        };
        let applicable: Vec<&Ignore> = self
            .ignores
            .iter()
            .filter(|i| i.matcher.is_match(&rel))
            .collect();
        if applicable.is_empty() {
            return 0;
        }
        let before = findings.len();
        findings.retain(|f| {
            !applicable
                .iter()
                .any(|i| i.rules.is_empty() || i.rules.iter().any(|r| r == f.rule))
        });
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse("scpsim.toml", text, PathBuf::from("/proj"))
    }

    #[test]
    fn full_config() {
        let c = parse(
            "[rules]\ndisable = [\"missing-version\"]\nseverity = { pass-role-star = \"error\" }\n\
             [[ignore]]\npath = \"legacy/**\"\nrules = [\"not-action-with-allow\"]\n\
             [[kinds]]\npath = \"scp/*.json\"\nkind = \"scp\"\n[quotas]\nscp_max_chars = 5120\n\
             [settings.pass-role-star]\nx = 1\n",
        )
        .unwrap();
        assert_eq!(c.disabled, ["missing-version"]);
        assert_eq!(
            c.severity,
            [("pass-role-star".to_string(), Severity::Error)]
        );
        assert_eq!(
            c.rule_ids().collect::<Vec<_>>(),
            [
                "missing-version",
                "pass-role-star",
                "not-action-with-allow",
                "pass-role-star"
            ]
        );
        assert!(
            c.settings_for("pass-role-star")
                .is_some_and(|t| t.contains_key("x"))
        );
        assert!(c.settings_for("missing-version").is_none());
        assert_eq!(c.kind_for("/proj/scp/a.json"), Some(PolicyKind::Scp));
        assert_eq!(c.kind_for("/proj/scp/sub/a.json"), None);
        assert_eq!(c.kind_for("/other/scp/a.json"), None);
        assert!(c.quotas.is_some());
    }

    #[test]
    fn errors_are_located() {
        let e = parse("[rules]\ndisable = [\"a\"]\nbogus = 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        let e = parse("[[kinds]]\npath = \"x\"\nkind = \"spc\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 8));
        assert!(e.message.contains("`spc`"));
        let e = parse("[rules]\nseverity = { a = \"fatal\" }\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("[[ignore]]\npath = \"a[\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        let e = parse("[rules\n").unwrap_err();
        assert_eq!(e.line, 1);
        let c = parse("[rules]\ndisable = [\"x\", \"nope\"]\n").unwrap();
        let e = c.error_at_rule("nope", "unknown rule id `nope`".into());
        assert_eq!((e.line, e.column), (2, 17));
    }
}
