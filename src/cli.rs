//! The command line (clap derive) and the dispatch to `commands/` (one file per subcommand).
//! `main.rs` only parses the arguments and calls [`run`].

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::diag::Severity;
use crate::error::ExitStatus;
use crate::output::{Format, OutputFormat};
use crate::policy::PolicyKind;
use crate::rules::ScpGrammar;

/// Lint, simulate, check and diff AWS Organizations SCPs and RCPs.
#[derive(Debug, Parser)]
#[command(name = "scpsim", version, about, long_about = None)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human, env = "SCPSIM_FORMAT")]
    pub format: OutputFormat,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// scpsim's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files for JSON syntax and IAM grammar errors.
    Lint(LintArgs),
    /// List the lint rules (`rules`), or print one rule's documentation (`rules explain ID`).
    Rules(RulesArgs),
    /// Run scenario files (kind `simulate`) and compare each decision with the expected one.
    Test(TestArgs),
    /// Query the embedded AWS authorization catalog (services, actions, condition keys).
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Inspect an organization described by local files (an org file plus policy files), or
    /// snapshot the live organization to such files (`org pull`).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Can an account (or a principal in it) call an action in a region, and which policy on
    /// which node decides?
    Simulate(SimulateArgs),
    /// What a change to the guardrails newly allows or denies, for whom (for pull requests).
    Diff {
        /// The version before: an org directory or file, or `git:REV` (the head's directory at
        /// that revision).
        #[arg(long, value_name = "PATH|git:REV")]
        base: String,
        /// The version after (default: the current directory).
        #[arg(long, value_name = "PATH|git:REV", default_value = ".")]
        head: String,
        /// Which changes make the exit code 1.
        #[arg(long, value_enum, default_value_t = DiffFailOn::Any)]
        fail_on: DiffFailOn,
        /// Engine choices.
        #[command(flatten)]
        engine: EngineArgs,
        /// No progress bar on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check org-wide compliance rules over every account x action x region in their scope.
    Check {
        /// The org file (YAML or JSON) or the directory holding `org.yaml`.
        #[arg(long, value_name = "PATH")]
        org: PathBuf,
        /// The rules file (YAML or JSON).
        #[arg(long, value_name = "RULES")]
        rules: PathBuf,
        /// Engine choices.
        #[command(flatten)]
        engine: EngineArgs,
        /// No progress bar on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Roll billing exports (FOCUS or CUR; CSV, gzip CSV, Parquet) up the org tree, and
    /// with --guardrails report usage spend that the SCPs now deny.
    Costs(CostsArgs),
}

/// A view of `costs` (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Root and OUs, with subtotals of nested OUs.
    Ou,
    /// Accounts.
    Account,
    /// Services.
    Service,
    /// Regions.
    Region,
}

/// Arguments of `scpsim costs`.
#[derive(Debug, Args)]
pub struct CostsArgs {
    /// The org file (YAML or JSON) or the directory holding `org.yaml`.
    #[arg(long, value_name = "PATH")]
    pub org: PathBuf,
    /// Billing export files (FOCUS 1.x or legacy CUR; CSV, gzip CSV or Parquet, detected
    /// from the content); repeat or list several after one flag.
    #[arg(long = "export", value_name = "FILE", required = true, num_args = 1..)]
    pub exports: Vec<PathBuf>,
    /// Views to print, in order (default `ou`); repeat or separate with commas.
    #[arg(long, value_enum, value_delimiter = ',', num_args = 1..)]
    pub by: Vec<ByArg>,
    /// Only charges whose period starts in this month.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Check every (account, service, region) with usage spend against the SCPs; exit 1
    /// when some spend is in a cell whose SCPs deny the whole service.
    #[arg(long)]
    pub guardrails: bool,
}

/// The engine's choices where AWS's documentation leaves a rule open (the (verify) items of
/// aws-semantics.md) and the data sets it reads. Shared by `test`, `simulate`, `check` and
/// `diff`; traces state the choice in force.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Whether the permissions boundary and session policy cap a resource-policy grant made
    /// to `Principal: "*"` narrowed by `aws:PrincipalArn` (R1.6; AWS's page says both).
    #[arg(long, value_enum, default_value_t = WildcardGrantArg::Uncapped)]
    pub wildcard_principalarn_grant: WildcardGrantArg,
    /// How a bare operator (no `ForAllValues:`/`ForAnyValue:`) reads a multivalued key (R6.7,
    /// undefined by AWS): as `any`, as `all`, or `both` (a disagreement is reported as
    /// indeterminate with both decisions).
    #[arg(long, value_enum, default_value_t = BareOpArg::Both)]
    pub bare_op_multivalued: BareOpArg,
    /// The tasks SCPs cannot restrict (R2.3, data/aws/scp-exemptions.json): `current` (AWS's
    /// page today), `legacy-pre-2017` (adds the root-user credential tasks older pages
    /// exempted), or `none`.
    #[arg(long, value_name = "SET", default_value = "current")]
    pub scp_exemptions: String,
}

/// `--wildcard-principalarn-grant` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WildcardGrantArg {
    /// Not capped (the more specific sentence of AWS's page; default).
    Uncapped,
    /// Capped like a grant to the role's ARN.
    Capped,
}

/// `--bare-op-multivalued` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BareOpArg {
    /// As `ForAnyValue:`.
    Any,
    /// As `ForAllValues:`.
    All,
    /// Evaluate both readings.
    Both,
}

impl EngineArgs {
    /// The evaluation options; `resource_policies_modeled` for `scpsim test` (R1.6's list).
    fn options(
        &self,
        resource_policies_modeled: bool,
    ) -> Result<crate::eval::EvalOptions, ExitStatus> {
        let choices = commands::EngineChoices {
            wildcard_grant: match self.wildcard_principalarn_grant {
                WildcardGrantArg::Uncapped => crate::eval::WildcardGrant::Uncapped,
                WildcardGrantArg::Capped => crate::eval::WildcardGrant::Capped,
            },
            bare_multivalued: match self.bare_op_multivalued {
                BareOpArg::Any => crate::eval::BareMultivaluedOption::Any,
                BareOpArg::All => crate::eval::BareMultivaluedOption::All,
                BareOpArg::Both => crate::eval::BareMultivaluedOption::Both,
            },
            scp_exemptions: Some(self.scp_exemptions.clone()),
            resource_policies_modeled,
        };
        commands::eval_options(&choices).map_err(|e| {
            #[allow(clippy::print_stderr, reason = "usage errors go to stderr")]
            {
                eprintln!("error: --scp-exemptions: {e}");
            }
            ExitStatus::Usage
        })
    }
}

/// Which `diff` changes make the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    /// Something denied before is allowed after.
    Loosened,
    /// Something allowed before is denied after.
    Tightened,
    /// Any change.
    Any,
    /// Never: report only.
    Never,
}

/// What `simulate --expect` asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExpectArg {
    /// Every decision must be Allowed.
    Allow,
    /// Every decision must be a denial (implicit or explicit).
    Deny,
}

/// Arguments of `scpsim simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The org file (YAML or JSON) or the directory holding `org.yaml`; `aws` reads the live
    /// organization (feature `aws`, credentials as for `org pull`).
    #[arg(long, value_name = "PATH")]
    pub org: PathBuf,
    /// The account, by 12-digit id or by name.
    #[arg(long, value_name = "ID|NAME")]
    pub account: String,
    /// Action or action pattern (`s3:GetObject`, `'redshift:*'`); may be repeated.
    #[arg(long = "action", value_name = "ACTION", required = true)]
    pub actions: Vec<String>,
    /// Region(s) the call is sent to: one, a comma-separated list, or `all`; may be repeated.
    /// Default: `us-east-1`, stated in the output.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Resource ARN (default `*`).
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// Principal ARN (default: a role in the account whose identity policies allow everything).
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// Context key, `KEY=VALUE`; repeat a key for a multivalued key.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Exit 1 unless every decision is the expected one.
    #[arg(long, value_enum)]
    pub expect: Option<ExpectArg>,
    /// Engine choices.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Subcommands of `scpsim org`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the tree with attached SCPs and RCPs, policy sizes and counts against quotas.
    Show {
        /// The org file (YAML or JSON) or the directory holding `org.yaml`.
        #[arg(long, value_name = "PATH")]
        org: PathBuf,
    },
    /// Read the live organization from AWS Organizations and write it as an org file plus one
    /// file per policy (needs a build with `--features aws`).
    Pull {
        /// The snapshot directory to write (replaced atomically when it holds a snapshot).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// A named profile of the AWS config files (default: AWS_PROFILE, then `default`).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// The region to call (default: the profile's or AWS_REGION, then `us-east-1`).
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
    },
}

/// Subcommands of `scpsim catalog`.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Sources, pinned versions, generation date and counts of the catalog.
    Info,
    /// List the actions an action pattern matches (`s3:Get*`, `*:Describe*`, `*`), with
    /// access levels; exits 1 when it matches nothing.
    Actions {
        /// An action or IAM action pattern (`*` and `?` wildcards).
        #[arg(value_name = "PATTERN")]
        pattern: String,
    },
    /// List the condition keys valid for an action, with their types; exits 1 for an
    /// unknown action.
    Keys {
        /// One action, `prefix:Name` (case does not matter).
        #[arg(value_name = "ACTION")]
        action: String,
    },
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
    #[arg(required_unless_present = "org", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Also lint an organization: the org file (YAML or JSON) or the directory holding
    /// `org.yaml`; adds its quota and structure checks, the org-level rules, and the findings
    /// of every policy file it lists, checked as the type the org file gives it.
    #[arg(long, value_name = "PATH")]
    pub org: Option<PathBuf>,

    /// Check every file as this policy type; without it the type is guessed per file
    /// (a Principal element means a resource policy, otherwise identity).
    #[arg(long, value_enum)]
    pub policy_type: Option<PolicyTypeArg>,

    /// Exit 1 when a finding of this severity or higher is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// SCP grammar to check against: `legacy` adds the restrictions in force before
    /// 2025-09-19 as errors.
    #[arg(long, value_enum, default_value_t = ScpGrammar::Current)]
    pub scp_grammar: ScpGrammar,

    /// Configuration file; without it, `scpsim.toml` is looked up from the current directory
    /// upwards.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Apply safe fixes in place before linting (sort and dedupe Action lists, write
    /// one-element lists as a string); files are replaced atomically.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// Print what --fix would change, as a unified diff, without linting or writing; exits 1
    /// when something would change.
    #[arg(long)]
    pub diff: bool,
}

/// Arguments of `scpsim rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `explain ID`; without it, every rule is listed.
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
}

/// Subcommands of `scpsim rules`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print a rule's documentation (what, why, example, fix, AWS source).
    Explain {
        /// The rule id (`pass-role-star`).
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// Arguments of `scpsim test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Case files or directories (walked for *.json).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read the cases' policy element names without regard to case (`effect` as `Effect`).
    /// AWS spells each name as one literal and no AWS page says whether IAM accepts another
    /// case (aws-semantics.md R4.9, open), so by default such a name is an unknown element.
    #[arg(long)]
    pub lenient_element_case: bool,
    /// Engine choices.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Runs a parsed command line, writing results to `out`. Returns the exit status.
pub fn run(cli: &Cli, out: &mut dyn Write) -> ExitStatus {
    match &cli.command {
        Command::Lint(args) => commands::lint::run(
            cli.format,
            &commands::lint::LintRequest {
                paths: args.paths.clone(),
                org: args.org.clone(),
                kind: args.policy_type.map(PolicyKind::from),
                fail_on: args.fail_on.into(),
                scp_grammar: args.scp_grammar,
                config: args.config.clone(),
                fix: args.fix,
                diff: args.diff,
            },
            out,
        ),
        Command::Rules(RulesArgs { command: None }) => {
            commands::rules::list(Format::from(cli.format), out)
        }
        Command::Rules(RulesArgs {
            command: Some(RulesCommand::Explain { id }),
        }) => commands::rules::explain(Format::from(cli.format), id, out),
        Command::Test(args) => match args.engine.options(true) {
            Ok(mut options) => {
                options.lenient_element_case = args.lenient_element_case;
                commands::test::run(Format::from(cli.format), &args.paths, options, out)
            }
            Err(s) => s,
        },
        Command::Catalog(CatalogCommand::Info) => {
            commands::catalog::info(Format::from(cli.format), out)
        }
        Command::Catalog(CatalogCommand::Actions { pattern }) => {
            commands::catalog::actions(Format::from(cli.format), pattern, out)
        }
        Command::Catalog(CatalogCommand::Keys { action }) => {
            commands::catalog::keys(Format::from(cli.format), action, out)
        }
        Command::Simulate(a) => match a.engine.options(false) {
            Err(s) => s,
            Ok(options) => commands::simulate::run(
                Format::from(cli.format),
                &commands::simulate::SimulateParams {
                    org: &a.org,
                    account: &a.account,
                    actions: &a.actions,
                    regions: &a.regions,
                    resource: a.resource.as_deref(),
                    principal: a.principal.as_deref(),
                    context: &a.context,
                    expect: a.expect.map(|e| match e {
                        ExpectArg::Allow => commands::simulate::Expect::Allow,
                        ExpectArg::Deny => commands::simulate::Expect::Deny,
                    }),
                    options,
                },
                out,
                &mut std::io::stderr().lock(),
            ),
        },
        Command::Diff {
            base,
            head,
            fail_on,
            engine,
            quiet,
        } => match engine.options(false) {
            Err(s) => s,
            Ok(options) => commands::diff::run(
                cli.format,
                &commands::diff::DiffParams {
                    base,
                    head,
                    quiet: *quiet,
                    fail_on: match fail_on {
                        DiffFailOn::Loosened => commands::diff::FailOn::Loosened,
                        DiffFailOn::Tightened => commands::diff::FailOn::Tightened,
                        DiffFailOn::Any => commands::diff::FailOn::Any,
                        DiffFailOn::Never => commands::diff::FailOn::Never,
                    },
                    options,
                },
                out,
                // Not locked: the progress bar writes to stderr from other threads.
                &mut std::io::stderr(),
            ),
        },
        Command::Check {
            org,
            rules,
            engine,
            quiet,
        } => match engine.options(false) {
            Err(s) => s,
            Ok(options) => commands::check::run(
                cli.format,
                org,
                rules,
                *quiet,
                options,
                out,
                // Not locked: the progress bar writes to stderr from other threads.
                &mut std::io::stderr(),
            ),
        },
        Command::Costs(a) => {
            let by: Vec<commands::costs::By> =
                a.by.iter()
                    .map(|b| match b {
                        ByArg::Ou => commands::costs::By::Ou,
                        ByArg::Account => commands::costs::By::Account,
                        ByArg::Service => commands::costs::By::Service,
                        ByArg::Region => commands::costs::By::Region,
                    })
                    .collect();
            commands::costs::run(
                cli.format,
                &commands::costs::CostsParams {
                    org: &a.org,
                    exports: &a.exports,
                    by: &by,
                    period: a.period.as_deref(),
                    guardrails: a.guardrails,
                },
                out,
                &mut std::io::stderr().lock(),
            )
        }
        Command::Org(OrgCommand::Show { org }) => commands::org::show(
            Format::from(cli.format),
            org,
            out,
            &mut std::io::stderr().lock(),
        ),
        Command::Org(OrgCommand::Pull {
            out: dir,
            profile,
            region,
        }) => commands::org::pull(
            Format::from(cli.format),
            dir,
            profile.as_deref(),
            region.as_deref(),
            out,
            &mut std::io::stderr().lock(),
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
