//! `scpsim catalog info|actions|keys`: what the embedded AWS authorization catalog knows.
//!
//! Exit codes: 0 with an answer; 1 when the answer is no (a pattern matches nothing, an
//! action is unknown; "did you mean" suggestions are printed); 2 for a malformed argument
//! (an action without `prefix:`); 3 when the embedded catalog cannot be read.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use crate::catalog::{Catalog, CatalogError};
use crate::error::ExitStatus;
use crate::output::Format;
use crate::output::json::JSON_VERSION;
use crate::policy::pattern::has_wildcard;

/// Writes `text` to `out`; a failed write is an environment failure.
fn emit(out: &mut dyn Write, text: &str, status: ExitStatus) -> ExitStatus {
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitStatus::Environment;
    }
    status
}

fn json_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn load(format: Format, out: &mut dyn Write) -> Result<&'static Catalog, ExitStatus> {
    Catalog::load().map_err(|e: CatalogError| {
        let text = match format {
            Format::Json => json_text(&json!({"version": JSON_VERSION, "error": e.to_string()})),
            Format::Human | Format::Plain => format!("error: {e}\n"),
        };
        emit(out, &text, ExitStatus::Environment)
    })
}

/// Checks the shape of an action or action pattern: `*`, or `prefix:name` with a non-empty
/// prefix and name. Returns the usage message otherwise.
fn check_shape(arg: &str) -> Result<(), String> {
    if arg == "*" {
        return Ok(());
    }
    match arg.split_once(':') {
        Some((p, n)) if !p.is_empty() && !n.is_empty() && !n.contains(':') => Ok(()),
        _ => Err(format!(
            "`{arg}` is not an action: write `prefix:Name`, for example `s3:GetObject`"
        )),
    }
}

fn usage(format: Format, message: &str, out: &mut dyn Write) -> ExitStatus {
    let text = match format {
        Format::Json => json_text(&json!({"version": JSON_VERSION, "error": message})),
        Format::Human | Format::Plain => format!("error: {message}\n"),
    };
    emit(out, &text, ExitStatus::Usage)
}

/// Runs `scpsim catalog info`: source packages and versions, generation date, counts.
pub fn info(format: Format, out: &mut dyn Write) -> ExitStatus {
    let cat = match load(format, out) {
        Ok(c) => c,
        Err(s) => return s,
    };
    let q = cat.quotas();
    let keys_src = cat.global_keys_source();
    let text = match format {
        Format::Json => {
            let partitions: Vec<Value> = cat
                .partitions()
                .iter()
                .map(|p| json!({"id": p.id, "dns_suffix": p.dns_suffix, "regions": p.regions}))
                .collect();
            json_text(&json!({
                "version": JSON_VERSION,
                "generated": cat.generated(),
                "sources": cat.sources(),
                "services": cat.services().len(),
                "actions": cat.action_count(),
                "partitions": partitions,
                "rcp_services": cat.rcp_services(),
                "global_condition_keys": {
                    "count": cat.global_keys().len(),
                    "source": keys_src,
                },
                "global_services": cat.global_services().iter()
                    .map(|g| json!({"prefix": g.prefix, "region": g.region}))
                    .collect::<Vec<_>>(),
                "quotas": q,
            }))
        }
        Format::Human | Format::Plain => {
            let mut s = String::new();
            let _ = writeln!(s, "catalog generated {}", cat.generated());
            let _ = writeln!(s, "sources:");
            for src in cat.sources() {
                let _ = writeln!(
                    s,
                    "  {:<9} {} {} ({}) {}",
                    src.id, src.package, src.version, src.license, src.url
                );
            }
            let _ = writeln!(s, "services: {}", cat.services().len());
            let _ = writeln!(s, "actions: {}", cat.action_count());
            let parts: Vec<String> = cat
                .partitions()
                .iter()
                .map(|p| format!("{} ({})", p.id, p.regions.len()))
                .collect();
            let _ = writeln!(s, "partitions (regions): {}", parts.join(", "));
            let _ = writeln!(s, "services under RCPs: {}", cat.rcp_services().len());
            let _ = writeln!(
                s,
                "global condition keys: {} (checked {}, {})",
                cat.global_keys().len(),
                keys_src.checked,
                keys_src.url.as_deref().unwrap_or("")
            );
            let globals: Vec<String> = cat
                .global_services()
                .iter()
                .map(|g| format!("{} ({})", g.prefix, g.region))
                .collect();
            let _ = writeln!(s, "global services: {}", globals.join(", "));
            let _ = writeln!(
                s,
                "quotas: SCP {} characters, {} per node; RCP {} characters, {} per node; \
                 OU depth {}",
                q.scp_max_chars,
                q.scp_max_per_node,
                q.rcp_max_chars,
                q.rcp_max_per_node,
                q.max_ou_depth
            );
            s
        }
    };
    emit(out, &text, ExitStatus::Success)
}

/// Runs `scpsim catalog actions PATTERN`: the actions an IAM action pattern matches, with
/// their access levels. Exit 1 (with suggestions) when it matches nothing.
pub fn actions(format: Format, pattern: &str, out: &mut dyn Write) -> ExitStatus {
    if let Err(m) = check_shape(pattern) {
        return usage(format, &m, out);
    }
    let cat = match load(format, out) {
        Ok(c) => c,
        Err(s) => return s,
    };
    let found = cat.expand(pattern);
    let suggestions = if found.is_empty() && !has_wildcard(pattern) {
        cat.suggest_action(pattern)
    } else if found.is_empty() {
        pattern
            .split_once(':')
            .filter(|(p, _)| !has_wildcard(p) && cat.service(p).is_none())
            .map(|(p, _)| {
                cat.suggest_service(p)
                    .into_iter()
                    .map(|s| format!("{s}:*"))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let status = if found.is_empty() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    let text = match format {
        Format::Json => {
            let list: Vec<Value> = found
                .iter()
                .map(|a| {
                    json!({
                        "action": a.to_string(),
                        "access": a.action.access.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json_text(&json!({
                "version": JSON_VERSION,
                "pattern": pattern,
                "count": found.len(),
                "actions": list,
                "suggestions": suggestions,
            }))
        }
        Format::Human | Format::Plain => {
            let names: Vec<String> = found.iter().map(ToString::to_string).collect();
            let width = names.iter().map(String::len).max().unwrap_or(0);
            let mut s = String::new();
            for (n, a) in names.iter().zip(&found) {
                let _ = writeln!(s, "{n:<width$}  {}", a.action.access);
            }
            if format == Format::Human || found.is_empty() {
                let what = if found.len() == 1 {
                    "action matches"
                } else {
                    "actions match"
                };
                no_or_count(&mut s, found.len(), what, pattern, &suggestions);
            }
            s
        }
    };
    emit(out, &text, status)
}

/// Appends "N actions match `p`" or "no ... ; did you mean ...".
fn no_or_count(s: &mut String, n: usize, what: &str, arg: &str, suggestions: &[String]) {
    if n > 0 {
        let _ = writeln!(s, "{n} {what} `{arg}`");
        return;
    }
    let _ = write!(s, "no action matches `{arg}`");
    if !suggestions.is_empty() {
        let quoted: Vec<String> = suggestions.iter().map(|x| format!("`{x}`")).collect();
        let _ = write!(s, "; did you mean {}?", quoted.join(" or "));
    }
    s.push('\n');
}

/// Runs `scpsim catalog keys ACTION`: the condition keys valid for one action (its own,
/// its resource types', and the global keys) with their types. Exit 1 (with suggestions)
/// for an unknown action, 2 for a pattern or malformed name.
pub fn keys(format: Format, action: &str, out: &mut dyn Write) -> ExitStatus {
    if let Err(m) = check_shape(action) {
        return usage(format, &m, out);
    }
    if has_wildcard(action) {
        return usage(
            format,
            &format!("`{action}` is a pattern: `catalog keys` takes one action"),
            out,
        );
    }
    let cat = match load(format, out) {
        Ok(c) => c,
        Err(s) => return s,
    };
    let Some(a) = cat.action(action) else {
        let suggestions = cat.suggest_action(action);
        let text = match format {
            Format::Json => json_text(&json!({
                "version": JSON_VERSION,
                "action": action,
                "found": false,
                "keys": [],
                "suggestions": suggestions,
            })),
            Format::Human | Format::Plain => {
                let mut s = String::new();
                no_or_count(&mut s, 0, "", action, &suggestions);
                s
            }
        };
        return emit(out, &text, ExitStatus::Failure);
    };
    let keys = cat.condition_keys_for(a);
    let type_name = |k: &crate::catalog::ValidKey| k.key_type.map_or("unknown", |t| t.aws_name());
    let text = match format {
        Format::Json => {
            let list: Vec<Value> = keys
                .iter()
                .map(|k| json!({"key": k.name, "type": type_name(k), "origin": k.origin.as_str()}))
                .collect();
            json_text(&json!({
                "version": JSON_VERSION,
                "action": a.to_string(),
                "found": true,
                "keys": list,
                "suggestions": [],
            }))
        }
        Format::Human | Format::Plain => {
            let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0);
            let tw = keys.iter().map(|k| type_name(k).len()).max().unwrap_or(0);
            let mut s = String::new();
            for k in &keys {
                let _ = writeln!(
                    s,
                    "{:<width$}  {:<tw$}  {}",
                    k.name,
                    type_name(k),
                    k.origin.as_str()
                );
            }
            if format == Format::Human {
                let _ = writeln!(s, "{} condition keys valid for `{a}`", keys.len());
            }
            s
        }
    };
    emit(out, &text, ExitStatus::Success)
}
