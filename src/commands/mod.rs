//! One file per subcommand: each turns parsed arguments into work on the library and output on
//! `out`, and returns an [`crate::error::ExitStatus`].

pub mod catalog;
pub mod check;
pub mod costs;
pub mod diff;
pub mod lint;
pub mod org;
pub mod progress;
pub mod rules;
pub mod simulate;
pub mod test;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::catalog::{Catalog, Quotas};
use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::org::OrgTree;
use crate::output::Format;
use crate::output::human::{Style, render_findings};

/// The human style for stderr: colour only on a terminal without `NO_COLOR`.
pub(crate) fn stderr_style(format: Format) -> Style {
    if format == Format::Plain {
        Style::Plain
    } else if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Unicode
    }
}

/// Loads an org for a command: the catalog's current quotas, then the org file and its policies.
/// Errors are rendered to `err` and give `Err(ExitStatus::Usage)` (the org file is the
/// command's own input); warnings are rendered in full when `full_warnings`, else counted in
/// one line.
pub(crate) fn load_org(
    path: &Path,
    format: Format,
    full_warnings: bool,
    err: &mut dyn Write,
) -> Result<(OrgTree, Quotas), ExitStatus> {
    // `--org aws`: the live organization, pulled into a temporary snapshot (feature `aws`;
    // a directory named `aws` is `./aws`).
    let live = if path == Path::new("aws") && (cfg!(feature = "aws") || !path.exists()) {
        Some(org::pull_live(err)?)
    } else {
        None
    };
    let path = live.as_ref().map_or(path, |l| l.path());
    let quotas = match Catalog::load() {
        Ok(c) => c.quotas(),
        Err(e) => {
            let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
            return Err(ExitStatus::Environment);
        }
    };
    // Quota overrides from `scpsim.toml` (`[quotas]`), found as `lint` finds it.
    let quotas = match lint::load_config(None) {
        Ok(Some(config)) => match config.quotas.clone() {
            Some(t) => match toml::Value::Table(t).try_into::<crate::catalog::QuotaOverrides>() {
                Ok(o) => quotas.with_overrides(&o),
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "error: invalid [quotas] in the config: {}",
                        e.message().trim()
                    );
                    return Err(ExitStatus::Usage);
                }
            },
            None => quotas,
        },
        Ok(None) => quotas,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {}:{}:{}: {}",
                e.path, e.line, e.column, e.message
            );
            return Err(ExitStatus::Usage);
        }
    };
    // `[limits]` of the same config (already validated above).
    let limits = lint::load_config(None)
        .ok()
        .flatten()
        .map_or_else(crate::limits::Limits::default, |c| c.limits);
    let loaded = crate::org::local::load_limited(path, &quotas, &limits);
    let shown: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| full_warnings || loaded.tree.is_none() || d.severity == Severity::Error)
        .collect();
    if !shown.is_empty() {
        let text = render_findings(shown.iter().copied(), stderr_style(format));
        let _ = err.write_all(text.as_bytes());
    }
    let hidden = loaded.diagnostics.len() - shown.len();
    if hidden > 0 {
        let _ = writeln!(
            err,
            "note: the org file has {hidden} warning{}; `scpsim org show --org {}` lists {}",
            if hidden == 1 { "" } else { "s" },
            path.display(),
            if hidden == 1 { "it" } else { "them" }
        );
    }
    match loaded.tree {
        Some(tree) => Ok((tree, quotas)),
        None => Err(ExitStatus::Usage),
    }
}

fn global_region(prefix: &str) -> Option<&'static str> {
    Catalog::load().ok()?.global_service_region(prefix)
}

fn rcp_supported(prefix: &str) -> bool {
    Catalog::load().is_ok_and(|c| c.is_rcp_supported(prefix))
}

fn has_resource(action: &str) -> bool {
    Catalog::load().is_ok_and(|c| {
        c.action(action)
            .is_some_and(|a| !a.action.resource_types.is_empty())
    })
}

fn rcp_excepted(action: &str) -> bool {
    Catalog::load().is_ok_and(|c| c.is_rcp_exception(action))
}

/// Evaluation options backed by the catalog: the home region of global services
/// (`aws:RequestedRegion`, R7.1), the services RCPs apply to (R2.5) and the data file's default
/// SCP exemption set (R2.3); every (verify) choice at its default.
pub fn catalog_eval_options() -> crate::eval::EvalOptions {
    let catalog = Catalog::load().ok();
    crate::eval::EvalOptions {
        global_service_region: Some(global_region),
        rcp_service_supported: Some(rcp_supported),
        rcp_action_excepted: Some(rcp_excepted),
        action_has_resource: Some(has_resource),
        scp_exemptions: catalog.and_then(|c| {
            let (_, default, _) = c.scp_exemption_sets();
            c.scp_exemption_set(default)
        }),
        ..crate::eval::EvalOptions::default()
    }
}

/// The engine choices a command line gives: the (verify) items of aws-semantics.md and the
/// data sets the engine reads.
#[derive(Debug, Clone, Default)]
pub struct EngineChoices {
    /// `--wildcard-principalarn-grant` (R1.6).
    pub wildcard_grant: crate::eval::WildcardGrant,
    /// `--bare-op-multivalued` (R6.7).
    pub bare_multivalued: crate::eval::BareMultivaluedOption,
    /// `--scp-exemptions`: a set of `data/aws/scp-exemptions.json`, or `none`; `None` for
    /// the file's default set.
    pub scp_exemptions: Option<String>,
    /// Apply R1.6's "resource policy required" list (role trust policies, KMS key policies):
    /// only where the policy set models resource policies (`scpsim test`).
    pub resource_policies_modeled: bool,
}

/// [`catalog_eval_options`] with `choices` applied.
///
/// # Errors
///
/// An unknown exemption set name: a message listing the sets (a usage error).
pub fn eval_options(choices: &EngineChoices) -> Result<crate::eval::EvalOptions, String> {
    let mut o = catalog_eval_options();
    o.wildcard_grant = choices.wildcard_grant;
    o.bare_multivalued = choices.bare_multivalued;
    let catalog = Catalog::load().map_err(|e| e.to_string())?;
    if let Some(name) = &choices.scp_exemptions {
        o.scp_exemptions = if name == "none" {
            None
        } else {
            Some(catalog.scp_exemption_set(name).ok_or_else(|| {
                let (sets, _, _) = catalog.scp_exemption_sets();
                let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "unknown SCP exemption set `{name}`: the sets are {}, none",
                    names.join(", ")
                )
            })?)
        };
    }
    if choices.resource_policies_modeled {
        o.resource_policy_required = Some(catalog.resource_policy_required().0);
    }
    Ok(o)
}

/// One line saying what decided a request (for tables and summaries).
pub(crate) fn decided_summary(d: &crate::eval::trace::DecidedBy) -> String {
    match d {
        crate::eval::trace::DecidedBy::ExplicitDeny {
            policy_type,
            node,
            policy,
            statement,
        } => {
            let kind = policy_type.as_str().to_ascii_uppercase();
            match node {
                Some(n) => format!("{kind} {policy} statement {statement} on {n}"),
                None => format!("{policy_type} policy {policy} statement {statement}"),
            }
        }
        crate::eval::trace::DecidedBy::ChainWithoutAllow { policy_type, node } => {
            format!(
                "no {} Allow on {node}",
                policy_type.as_str().to_ascii_uppercase()
            )
        }
        crate::eval::trace::DecidedBy::Grant { grant } => grant.describe(),
    }
}
