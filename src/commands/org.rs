//! `scpsim org show --org PATH`: the organization tree with the SCPs and RCPs attached to each
//! node, every policy's size as written and minified against its quota, and attachment counts
//! against the per-node quotas. `scpsim org pull --out DIR` (feature `aws`): the live
//! organization written as such files ([`crate::org::snapshot`]).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::catalog::Quotas;
use crate::error::ExitStatus;
use crate::org::{NodeId, NodeKind, OrgTree};
use crate::output::Format;
use crate::policy::PolicyKind;

use super::load_org;

#[derive(Serialize)]
struct PolicyOut<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: PolicyKind,
    id: Option<&'a str>,
    file: String,
    aws_managed: bool,
    /// Characters as written (what the API and CLI store).
    size: usize,
    /// Characters with whitespace outside strings removed (what the console stores).
    minified_size: usize,
    /// Size quota for the policy's type, if it has one.
    quota: Option<u32>,
    attachments: usize,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    kind: NodeKind,
    id: &'a str,
    name: &'a str,
    management_account: bool,
    scps: Vec<&'a str>,
    rcps: Vec<&'a str>,
    scp_quota: u32,
    rcp_quota: u32,
    children: Vec<NodeOut<'a>>,
}

#[derive(Serialize)]
struct ShowOut<'a> {
    version: u32,
    organization_id: Option<&'a str>,
    management_account_id: Option<&'a str>,
    rcps_enabled: bool,
    quotas: Quotas,
    accounts: usize,
    ous: usize,
    policies: Vec<PolicyOut<'a>>,
    root: NodeOut<'a>,
}

fn size_quota(kind: PolicyKind, q: &Quotas) -> Option<u32> {
    match kind {
        PolicyKind::Scp => Some(q.scp_max_chars),
        PolicyKind::Rcp => Some(q.rcp_max_chars),
        _ => None,
    }
}

fn node_out<'a>(org: &'a OrgTree, id: NodeId, q: &Quotas) -> NodeOut<'a> {
    let n = &org.nodes[id];
    NodeOut {
        kind: n.kind,
        id: &n.id,
        name: &n.name,
        management_account: org.is_management(id),
        scps: n
            .scps
            .iter()
            .map(|&p| org.policies[p].name.as_str())
            .collect(),
        rcps: n
            .rcps
            .iter()
            .map(|&p| org.policies[p].name.as_str())
            .collect(),
        scp_quota: q.scp_max_per_node,
        rcp_quota: q.rcp_max_per_node,
        children: n.children.iter().map(|&c| node_out(org, c, q)).collect(),
    }
}

fn build<'a>(org: &'a OrgTree, q: &Quotas) -> ShowOut<'a> {
    let policies = org
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| PolicyOut {
            name: &p.name,
            kind: p.kind,
            id: p.aws_id.as_deref(),
            file: p.path.display().to_string(),
            aws_managed: p.aws_managed,
            size: p.source.text().chars().count(),
            minified_size: crate::json::minified_len(p.source.text()),
            quota: size_quota(p.kind, q),
            attachments: org
                .nodes
                .iter()
                .filter(|n| n.scps.contains(&i) || n.rcps.contains(&i))
                .count()
                + org
                    .principals
                    .iter()
                    .filter(|pr| pr.identity_policies.contains(&i) || pr.boundary == Some(i))
                    .count(),
        })
        .collect();
    ShowOut {
        version: 1,
        organization_id: org.organization_id.as_deref(),
        management_account_id: org.management_account_id.as_deref(),
        rcps_enabled: org.rcps_enabled,
        quotas: *q,
        accounts: org
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Account)
            .count(),
        ous: org.nodes.iter().filter(|n| n.kind == NodeKind::Ou).count(),
        policies,
        root: node_out(org, 0, q),
    }
}

fn human_node(
    out: &mut String,
    org: &OrgTree,
    id: NodeId,
    prefix: &str,
    last: bool,
    top: bool,
    q: &Quotas,
) {
    let n = &org.nodes[id];
    let (branch, cont) = if top {
        ("", "")
    } else if last {
        ("└── ", "    ")
    } else {
        ("├── ", "│   ")
    };
    let title = match n.kind {
        NodeKind::Root => format!("Root {}", n.id),
        NodeKind::Ou => format!("OU {} ({})", n.name, n.id),
        NodeKind::Account => format!("account {} ({})", n.name, n.id),
    };
    let mgmt = if org.is_management(id) {
        "  [management account: SCPs and RCPs do not apply]"
    } else {
        ""
    };
    let _ = writeln!(out, "{prefix}{branch}{title}{mgmt}");
    let inner = format!("{prefix}{cont}");
    let bar = if n.children.is_empty() {
        "    "
    } else {
        "│   "
    };
    let names = |ids: &[usize]| {
        ids.iter()
            .map(|&p| org.policies[p].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let over = |count: usize, max: u32| {
        if count > max as usize {
            "  OVER QUOTA"
        } else {
            ""
        }
    };
    let _ = writeln!(
        out,
        "{inner}{bar}SCPs {}/{}: {}{}",
        n.scps.len(),
        q.scp_max_per_node,
        if n.scps.is_empty() {
            "(none)".to_string()
        } else {
            names(&n.scps)
        },
        over(n.scps.len(), q.scp_max_per_node)
    );
    if org.rcps_enabled {
        let _ = writeln!(
            out,
            "{inner}{bar}RCPs {}/{}: {}{}",
            n.rcps.len(),
            q.rcp_max_per_node,
            if n.rcps.is_empty() {
                "(none)".to_string()
            } else {
                names(&n.rcps)
            },
            over(n.rcps.len(), q.rcp_max_per_node)
        );
    }
    for (i, &c) in n.children.iter().enumerate() {
        human_node(out, org, c, &inner, i + 1 == n.children.len(), false, q);
    }
}

fn human(org: &OrgTree, q: &Quotas) -> String {
    let s = build(org, q);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Organization {} (management account {}): {} OUs, {} accounts",
        s.organization_id.unwrap_or("(id unknown)"),
        s.management_account_id.unwrap_or("unknown"),
        s.ous,
        s.accounts
    );
    out.push('\n');
    human_node(&mut out, org, 0, "", true, true, q);
    out.push('\n');
    let _ = writeln!(
        out,
        "Policies (size in characters as written / minified, against the quota):"
    );
    let width = s.policies.iter().map(|p| p.name.len()).max().unwrap_or(4);
    for p in &s.policies {
        let quota = match p.quota {
            Some(max) => {
                let status = if p.size <= max as usize {
                    "ok".to_string()
                } else if p.minified_size <= max as usize {
                    "over as written; fits minified".to_string()
                } else {
                    "OVER QUOTA".to_string()
                };
                format!(
                    "{:>6} / {:>6} of {:>6}  {status}",
                    p.size, p.minified_size, max
                )
            }
            None => format!("{:>6} / {:>6}", p.size, p.minified_size),
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {:<8}  {quota}  attached {}x  {}",
            p.name,
            p.kind.as_str(),
            p.attachments,
            p.file
        );
    }
    out
}

/// Runs `scpsim org show`.
pub fn show(
    format: Format,
    org_path: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let (org, quotas) = match load_org(org_path, format, true, err) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&build(&org, &quotas)).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => human(&org, &quotas),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    ExitStatus::Success
}

/// A snapshot of the live organization in a temporary directory, removed when dropped
/// (`--org aws`).
pub(crate) struct LiveSnapshot {
    root: std::path::PathBuf,
    dir: std::path::PathBuf,
}

impl LiveSnapshot {
    /// The snapshot directory (holding `org.yaml`).
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for LiveSnapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Pulls the live organization into a temporary snapshot for `--org aws`, with the default
/// credential chain (AWS_PROFILE, AWS_REGION, ...). Errors are written to `err` (exit 3).
#[cfg(feature = "aws")]
pub(crate) fn pull_live(err: &mut dyn Write) -> Result<LiveSnapshot, ExitStatus> {
    use crate::org::aws::{PullOptions, pull};
    use crate::org::snapshot::{render, write_atomic};

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let root = std::env::temp_dir().join(format!("scpsim-live-org-{}-{nanos}", std::process::id()));
    let live = LiveSnapshot {
        dir: root.join("org"),
        root,
    };
    let result =
        pull(&PullOptions::default()).and_then(|snap| write_atomic(&render(&snap), &live.dir));
    match result {
        Ok(()) => Ok(live),
        Err(e) => {
            report_org_error(err, &e);
            Err(ExitStatus::Environment)
        }
    }
}

/// `--org aws` in a build without the `aws` feature: explains how to get it.
#[cfg(not(feature = "aws"))]
pub(crate) fn pull_live(err: &mut dyn Write) -> Result<LiveSnapshot, ExitStatus> {
    let _ = writeln!(
        err,
        "error: `--org aws` reads the live organization, but scpsim was built without the aws feature\n  help: rebuild with `cargo install scpsim --features aws` (or `cargo build --features aws`), or pass a snapshot directory written by `org pull`"
    );
    Err(ExitStatus::Environment)
}

/// Writes an [`crate::org::err::OrgError`] with its hint to `err`.
#[cfg(feature = "aws")]
pub(crate) fn report_org_error(err: &mut dyn Write, e: &crate::org::err::OrgError) {
    let _ = writeln!(err, "error: {e}");
    if let Some(help) = miette::Diagnostic::help(e) {
        let _ = writeln!(err, "  help: {help}");
    }
}

#[cfg(feature = "aws")]
#[derive(Serialize)]
struct PullOut<'a> {
    version: u32,
    out: String,
    organization_id: Option<&'a str>,
    management_account_id: Option<&'a str>,
    rcps_enabled: bool,
    ous: usize,
    accounts: usize,
    policies: usize,
    files: usize,
}

/// Counts (OUs, accounts) below `n`.
#[cfg(feature = "aws")]
fn count(n: &crate::org::snapshot::SnapshotNode) -> (usize, usize) {
    let mut ous = n.ous.len();
    let mut accounts = n.accounts.len();
    for o in &n.ous {
        let (a, b) = count(o);
        ous += a;
        accounts += b;
    }
    (ous, accounts)
}

/// Runs `scpsim org pull`: reads the live organization and writes its snapshot to `dir`.
#[cfg(feature = "aws")]
pub fn pull(
    format: Format,
    dir: &Path,
    profile: Option<&str>,
    region: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    use crate::org::aws::{PullOptions, pull};
    use crate::org::snapshot::{render, write_atomic};

    let opts = PullOptions {
        profile: profile.map(str::to_string),
        region: region.map(str::to_string),
    };
    let snap = match pull(&opts) {
        Ok(s) => s,
        Err(e) => {
            report_org_error(err, &e);
            return ExitStatus::Environment;
        }
    };
    let files = render(&snap);
    if let Err(e) = write_atomic(&files, dir) {
        report_org_error(err, &e);
        return ExitStatus::Environment;
    }
    let (ous, accounts) = count(&snap.root);
    let summary = PullOut {
        version: 1,
        out: dir.display().to_string(),
        organization_id: snap.organization_id.as_deref(),
        management_account_id: snap.management_account_id.as_deref(),
        rcps_enabled: snap.rcps_enabled,
        ous,
        accounts,
        policies: files.len().saturating_sub(1),
        files: files.len(),
    };
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&summary).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => format!(
            "wrote {}: organization {}, {} OUs, {} accounts, {} policies{}\n",
            summary.out,
            summary.organization_id.unwrap_or("?"),
            ous,
            accounts,
            summary.policies,
            if snap.rcps_enabled {
                ""
            } else {
                " (RCPs not enabled)"
            }
        ),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    ExitStatus::Success
}

/// Runs `scpsim org pull` in a build without the `aws` feature: explains how to get it.
#[cfg(not(feature = "aws"))]
pub fn pull(
    _format: Format,
    _dir: &Path,
    _profile: Option<&str>,
    _region: Option<&str>,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let _ = writeln!(
        err,
        "error: scpsim was built without the aws feature, so `org pull` cannot read a live organization\n  help: rebuild with `cargo install scpsim --features aws` (or `cargo build --features aws`)"
    );
    ExitStatus::Environment
}
