//! The command line (clap derive) and the dispatch to `commands/` (one file per subcommand).
//! `main.rs` only parses the arguments and calls [`run`].

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::output::Format;
use crate::policy::PolicyKind;

/// Lint, simulate, check and diff AWS Organizations SCPs and RCPs.
#[derive(Debug, Parser)]
#[command(name = "scpsim", version, about, long_about = None)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human, env = "SCPSIM_FORMAT")]
    pub format: Format,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// scpsim's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files for JSON syntax and IAM grammar errors.
    Lint(LintArgs),
}

/// Policy kinds accepted by `--policy-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyTypeArg {
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    /// Identity-based policy.
    Identity,
    /// Resource-based policy (bucket, key, trust, VPC endpoint policy, ...).
    Resource,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
}

impl From<PolicyTypeArg> for PolicyKind {
    fn from(a: PolicyTypeArg) -> Self {
        match a {
            PolicyTypeArg::Scp => PolicyKind::Scp,
            PolicyTypeArg::Rcp => PolicyKind::Rcp,
            PolicyTypeArg::Identity => PolicyKind::Identity,
            PolicyTypeArg::Resource => PolicyKind::Resource,
            PolicyTypeArg::Boundary => PolicyKind::Boundary,
            PolicyTypeArg::Session => PolicyKind::Session,
        }
    }
}

/// The lowest severity that makes `lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// Arguments of `scpsim lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, directories (walked for *.json) or quoted glob patterns.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Check every file as this policy type; without it the type is guessed per file
    /// (a Principal element means a resource policy, otherwise identity).
    #[arg(long, value_enum)]
    pub policy_type: Option<PolicyTypeArg>,

    /// Exit 1 when a finding of this severity or higher is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// Runs a parsed command line, writing results to `out`. Returns the exit status.
pub fn run(cli: &Cli, out: &mut dyn Write) -> ExitStatus {
    match &cli.command {
        Command::Lint(args) => commands::lint::run(
            cli.format,
            &args.paths,
            args.policy_type.map(PolicyKind::from),
            args.fail_on.into(),
            out,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
