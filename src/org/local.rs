//! Reading an organization from local files: one org file (YAML or JSON, the same schema) and
//! the policy files it references, with paths relative to the org file.
//!
//! ```yaml
//! version: 1
//! organization_id: o-a1b2c3d4e5
//! management_account_id: "111111111111"
//! policies:                       # every policy the org uses, by AWS policy name
//!   - name: FullAWSAccess
//!     type: scp                   # scp | rcp | identity | boundary | session | resource
//!     id: p-FullAWSAccess         # optional AWS policy id
//!     file: policies/scp/FullAWSAccess.json
//!     aws_managed: true           # optional
//! root:
//!   id: r-a1b2
//!   scps: [FullAWSAccess]         # attached directly to the root, by policy name
//!   rcps: []
//!   accounts:
//!     - {id: "111111111111", name: management}
//!   ous:
//!     - id: ou-a1b2-11111111
//!       name: Workloads
//!       scps: [FullAWSAccess]
//!       ous: [...]                # nested OUs, up to the OU depth quota
//!       accounts:
//!         - id: "222222222222"
//!           name: prod-payments
//!           email: aws+prod-payments@example.com   # optional
//!           tags: {env: prod}                      # optional
//!           scps: [FullAWSAccess]
//! principals:                     # optional: principals whose identity policies are known
//!   - arn: arn:aws:iam::222222222222:role/Developer
//!     identity_policies: [DeveloperAccess]
//!     boundary: DeveloperBoundary
//!     tags: {team: payments}
//! ```
//!
//! Validation reports every problem with its location: YAML/JSON syntax, unknown fields, an
//! unknown or unreadable policy file, a policy file that does not parse, a policy of the wrong
//! type attached as SCP or RCP, duplicate ids, duplicate OU names under one parent, OU nesting
//! deeper than the quota, a node without an SCP, more SCPs or RCPs on a node than the quota
//! (quotas from [`crate::catalog::Quotas`], overridable), and (as a warning) a node whose SCPs
//! hold no Allow statement at all, which denies everything below it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::catalog::Quotas;
use crate::diag::{Finding, Label, Severity};
use crate::limits::{LimitError, Limits};
use crate::policy::{Effect, PolicyKind, parse_policy};
use crate::source::{SourceFile, Span};

use super::{Node, NodeId, NodeKind, OrgPolicy, OrgPrincipal, OrgTree, PolicyId};

/// File names looked for when `--org` names a directory, in this order.
pub const ORG_FILE_NAMES: [&str; 3] = ["org.yaml", "org.yml", "org.json"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgFile {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    management_account_id: Option<Spanned<String>>,
    #[serde(default)]
    rcps_enabled: bool,
    #[serde(default)]
    policies: Vec<PolicyDef>,
    root: RootDef,
    #[serde(default)]
    principals: Vec<PrincipalDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDef {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    #[serde(default)]
    id: Option<String>,
    file: Spanned<String>,
    #[serde(default)]
    aws_managed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RootDef {
    id: Spanned<String>,
    #[serde(default)]
    scps: Vec<Spanned<String>>,
    #[serde(default)]
    rcps: Vec<Spanned<String>>,
    #[serde(default)]
    ous: Vec<OuDef>,
    #[serde(default)]
    accounts: Vec<AccountDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OuDef {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    scps: Vec<Spanned<String>>,
    #[serde(default)]
    rcps: Vec<Spanned<String>>,
    #[serde(default)]
    ous: Vec<OuDef>,
    #[serde(default)]
    accounts: Vec<AccountDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountDef {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    scps: Vec<Spanned<String>>,
    #[serde(default)]
    rcps: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalDef {
    arn: Spanned<String>,
    #[serde(default)]
    identity_policies: Vec<Spanned<String>>,
    #[serde(default)]
    boundary: Option<Spanned<String>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

/// The result of loading an org: the tree (when it could be built) and every diagnostic.
#[derive(Debug)]
pub struct LoadedOrg {
    /// The organization, `None` when an error prevented building it.
    pub tree: Option<OrgTree>,
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Finding>,
}

impl LoadedOrg {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

fn span_of(loc: &serde_saphyr::Location, source: &SourceFile) -> Span {
    let s = loc.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(o), Some(l)) => {
            let start = usize::try_from(o).unwrap_or(0);
            Span::new(start, start + usize::try_from(l).unwrap_or(0))
        }
        _ => {
            let start = source.offset_of(
                usize::try_from(loc.line()).unwrap_or(1),
                usize::try_from(loc.column()).unwrap_or(1),
            );
            Span::new(start, start)
        }
    }
}

struct Builder<'a> {
    source: Arc<SourceFile>,
    dir: PathBuf,
    quotas: &'a Quotas,
    limits: Limits,
    diags: Vec<Finding>,
    nodes: Vec<Node>,
    policies: Vec<OrgPolicy>,
    by_name: HashMap<String, PolicyId>,
    /// Policies listed but unusable (unreadable or invalid), already reported.
    broken: Vec<String>,
    /// Nodes (by span) whose SCP list named only policies already reported as unusable.
    unresolved_scps: Vec<Span>,
    ids: HashMap<String, Span>,
}

impl Builder<'_> {
    fn diag(
        &mut self,
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> &mut Finding {
        self.diags.push(Finding {
            rule,
            severity,
            message,
            label: label.to_string(),
            span,
            pointer: String::new(),
            help,
            related: Vec::new(),
            note: None,
            source: Arc::clone(&self.source),
        });
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    fn span(&self, s: &Spanned<String>) -> Span {
        span_of(&s.referenced, &self.source)
    }

    fn load_policies(&mut self, defs: &[PolicyDef]) {
        for d in defs {
            let name_span = self.span(&d.name);
            if let Some(&first) = self.by_name.get(&d.name.value) {
                let first_file = self.policies[first].path.display().to_string();
                self.diag(
                    "org-duplicate-policy",
                    Severity::Error,
                    name_span,
                    format!("policy name `{}` is listed twice", d.name.value),
                    "listed again here",
                    Some(format!("the first entry points at `{first_file}`")),
                );
                continue;
            }
            let kind = match d.kind.value.as_str() {
                "scp" => PolicyKind::Scp,
                "rcp" => PolicyKind::Rcp,
                "identity" => PolicyKind::Identity,
                "boundary" => PolicyKind::Boundary,
                "session" => PolicyKind::Session,
                "resource" => PolicyKind::Resource,
                other => {
                    let span = self.span(&d.kind);
                    self.diag(
                        "org-invalid-field",
                        Severity::Error,
                        span,
                        format!("unknown policy type `{other}`"),
                        "not a policy type",
                        Some("use scp, rcp, identity, boundary, session or resource".into()),
                    );
                    continue;
                }
            };
            let path = self.dir.join(&d.file.value);
            let file_span = self.span(&d.file);
            let over_limit = std::fs::metadata(&path)
                .ok()
                .and_then(|m| self.limits.check_file_size(m.len()).err());
            if let Some(e) = over_limit {
                self.policy_over_limit(&d.name.value, &d.file.value, file_span, &e);
                continue;
            }
            let text = match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        self.diag(
                            "org-policy-file",
                            Severity::Error,
                            file_span,
                            format!("policy file `{}` is not valid UTF-8", d.file.value),
                            "this file",
                            None,
                        );
                        self.broken.push(d.name.value.clone());
                        continue;
                    }
                },
                Err(e) => {
                    self.diag(
                        "org-policy-file",
                        Severity::Error,
                        file_span,
                        format!(
                            "cannot read policy file `{}`: {}",
                            d.file.value,
                            crate::lint::io_message(&e)
                        ),
                        "referenced here",
                        Some("paths are relative to the org file".into()),
                    );
                    self.broken.push(d.name.value.clone());
                    continue;
                }
            };
            if let Err(e) = self.limits.check_json_depth(&text) {
                self.policy_over_limit(&d.name.value, &d.file.value, file_span, &e);
                continue;
            }
            let psource = SourceFile::new(path.display().to_string(), text);
            match parse_policy(psource.text()) {
                Ok(doc) => {
                    if let Err(e) = self.limits.check_document(&doc) {
                        self.policy_over_limit(&d.name.value, &d.file.value, file_span, &e);
                        continue;
                    }
                    let id = self.policies.len();
                    self.by_name.insert(d.name.value.clone(), id);
                    self.policies.push(OrgPolicy {
                        name: d.name.value.clone(),
                        aws_id: d.id.clone(),
                        kind,
                        path,
                        source: psource,
                        doc: Arc::new(doc),
                        aws_managed: d.aws_managed,
                    });
                }
                Err(errors) => {
                    self.broken.push(d.name.value.clone());
                    for e in errors {
                        self.diags.push(Finding {
                            rule: e.kind.code(),
                            severity: Severity::Error,
                            message: format!("in policy `{}`: {}", d.name.value, e.message),
                            label: e.label,
                            span: e.span,
                            pointer: e.pointer,
                            help: e.help,
                            related: e.related,
                            note: None,
                            source: Arc::clone(&psource),
                        });
                    }
                }
            }
        }
    }

    /// Reports a policy file over one of the input limits (it is not used).
    fn policy_over_limit(&mut self, name: &str, file: &str, span: Span, e: &LimitError) {
        self.diag(
            "org-policy-file",
            Severity::Error,
            span,
            format!("policy file `{file}`: {e}"),
            "this file",
            None,
        );
        self.broken.push(name.to_string());
    }

    /// Resolves attachment names to policy ids, checking type and quota.
    fn attach(
        &mut self,
        names: &[Spanned<String>],
        want: PolicyKind,
        node_label: &str,
        node_span: Span,
    ) -> Vec<PolicyId> {
        let mut out: Vec<PolicyId> = Vec::new();
        for n in names {
            let span = self.span(n);
            match self.by_name.get(&n.value).copied() {
                Some(id) if self.policies[id].kind == want => {
                    if out.contains(&id) {
                        self.diag(
                            "org-duplicate-attachment",
                            Severity::Error,
                            span,
                            format!("policy `{}` is attached twice to {node_label}", n.value),
                            "attached again",
                            None,
                        );
                    } else {
                        out.push(id);
                    }
                }
                Some(id) => {
                    let got = self.policies[id].kind;
                    self.diag(
                        "org-wrong-policy-type",
                        Severity::Error,
                        span,
                        format!(
                            "policy `{}` is {} but is attached as {}",
                            n.value,
                            kind_phrase(got),
                            kind_phrase(want)
                        ),
                        "wrong policy type",
                        None,
                    );
                }
                None if self.broken.contains(&n.value) => {}
                None => {
                    let known: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
                    let help = crate::diag::closest(&n.value, known)
                        .map(|k| format!("did you mean `{k}`?"))
                        .or(Some(
                            "list the policy under `policies:` with its file".into(),
                        ));
                    self.diag(
                        "org-unknown-policy",
                        Severity::Error,
                        span,
                        format!("unknown policy `{}`", n.value),
                        "not listed under `policies:`",
                        help,
                    );
                }
            }
        }
        if want == PolicyKind::Scp && out.is_empty() && !names.is_empty() {
            self.unresolved_scps.push(node_span);
        }
        let (max, what) = match want {
            PolicyKind::Scp => (self.quotas.scp_max_per_node, "SCPs"),
            _ => (self.quotas.rcp_max_per_node, "RCPs"),
        };
        if out.len() > max as usize {
            self.diag(
                "org-attachment-quota",
                Severity::Error,
                node_span,
                format!("{node_label} has {} {what} attached; the quota is {max} per node", out.len()),
                "too many policies",
                Some("AWS Organizations refuses further attachments; merge policies or raise the quota override if AWS raised it".into()),
            );
        }
        out
    }

    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        let span = self.span(id);
        if let Some(first) = self.ids.get(&id.value).copied() {
            let f = self.diag(
                "org-duplicate-id",
                Severity::Error,
                span,
                format!("{what} id `{}` appears twice in the organization", id.value),
                "defined again here",
                Some("an account or OU belongs to exactly one parent".into()),
            );
            f.related.push(Label {
                span: first,
                message: "first defined here".into(),
            });
        } else {
            self.ids.insert(id.value.clone(), span);
        }
        let valid = match what {
            "account" => id.value.len() == 12 && id.value.bytes().all(|b| b.is_ascii_digit()),
            "OU" => id.value.starts_with("ou-"),
            _ => id.value.starts_with("r-"),
        };
        if !valid {
            let expected = match what {
                "account" => "a 12-digit account id (quote it in YAML: \"111122223333\")",
                "OU" => "an OU id such as `ou-a1b2-c3d4e5f6`",
                _ => "a root id such as `r-a1b2`",
            };
            self.diag(
                "org-invalid-field",
                Severity::Error,
                span,
                format!("`{}` is not a valid {what} id", id.value),
                "invalid id",
                Some(format!("expected {expected}")),
            );
        }
    }

    fn add_node(&mut self, node: Node) -> NodeId {
        let id = self.nodes.len();
        if let Some(p) = node.parent {
            self.nodes[p].children.push(id);
        }
        self.nodes.push(node);
        id
    }

    fn account(&mut self, a: &AccountDef, parent: NodeId) {
        self.check_id(&a.id, "account");
        let span = self.span(&a.id);
        let label = format!("account `{}` ({})", a.name.value, a.id.value);
        let scps = self.attach(&a.scps, PolicyKind::Scp, &label, span);
        let rcps = self.attach(&a.rcps, PolicyKind::Rcp, &label, span);
        self.add_node(Node {
            kind: NodeKind::Account,
            id: a.id.value.clone(),
            name: a.name.value.clone(),
            email: a.email.clone(),
            tags: a.tags.clone(),
            parent: Some(parent),
            children: Vec::new(),
            scps,
            rcps,
            span,
        });
    }

    fn ou(&mut self, o: &OuDef, parent: NodeId, depth: usize) {
        self.check_id(&o.id, "OU");
        let span = self.span(&o.id);
        if depth > self.quotas.max_ou_depth as usize {
            let max = self.quotas.max_ou_depth;
            self.diag(
                "org-ou-depth",
                Severity::Error,
                span,
                format!(
                    "OU `{}` is nested {depth} levels below the root; the quota is {max}",
                    o.name.value
                ),
                "too deep",
                None,
            );
        }
        let label = format!("OU `{}` ({})", o.name.value, o.id.value);
        let scps = self.attach(&o.scps, PolicyKind::Scp, &label, span);
        let rcps = self.attach(&o.rcps, PolicyKind::Rcp, &label, span);
        let me = self.add_node(Node {
            kind: NodeKind::Ou,
            id: o.id.value.clone(),
            name: o.name.value.clone(),
            email: None,
            tags: o.tags.clone(),
            parent: Some(parent),
            children: Vec::new(),
            scps,
            rcps,
            span,
        });
        self.children(&o.ous, &o.accounts, me, depth);
    }

    fn children(&mut self, ous: &[OuDef], accounts: &[AccountDef], me: NodeId, depth: usize) {
        let mut names: HashMap<String, Span> = HashMap::new();
        for o in ous {
            let span = self.span(&o.name);
            if let Some(first) = names.get(&o.name.value).copied() {
                let f = self.diag(
                    "org-duplicate-ou-name",
                    Severity::Error,
                    span,
                    format!("two OUs named `{}` under the same parent", o.name.value),
                    "same name again",
                    Some("AWS requires OU names to be unique under one parent".into()),
                );
                f.related.push(Label {
                    span: first,
                    message: "first OU with this name".into(),
                });
            } else {
                names.insert(o.name.value.clone(), span);
            }
            self.ou(o, me, depth + 1);
        }
        for a in accounts {
            self.account(a, me);
        }
    }
}

/// Loads an organization. `path` is the org file or a directory holding one of
/// [`ORG_FILE_NAMES`]. `quotas` are the quotas to validate against.
///
/// Never panics and never stops at the first problem: every diagnostic of the org file and of
/// the policy files is returned. `tree` is `None` when the file could not be read or parsed.
pub fn load(path: &Path, quotas: &Quotas) -> LoadedOrg {
    load_limited(path, quotas, &Limits::default())
}

/// [`load`] under input limits: an org file over [`Limits::max_file_bytes`] is not read, and
/// an organization with more than [`Limits::max_org_nodes`] nodes is an error (no tree).
pub fn load_limited(path: &Path, quotas: &Quotas, limits: &Limits) -> LoadedOrg {
    let file = if path.is_dir() {
        match ORG_FILE_NAMES
            .iter()
            .map(|n| path.join(n))
            .find(|p| p.is_file())
        {
            Some(f) => f,
            None => {
                return fail(
                    path,
                    format!(
                        "no org file in `{}` (looked for {})",
                        path.display(),
                        ORG_FILE_NAMES.join(", ")
                    ),
                );
            }
        }
    } else {
        path.to_path_buf()
    };
    if let Ok(meta) = std::fs::metadata(&file)
        && let Err(e) = limits.check_file_size(meta.len())
    {
        return fail(&file, format!("`{}`: {e}", file.display()));
    }
    let text = match std::fs::read(&file) {
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => t,
            Err(_) => return fail(&file, format!("`{}` is not valid UTF-8", file.display())),
        },
        Err(e) => {
            return fail(
                &file,
                format!(
                    "cannot read `{}`: {}",
                    file.display(),
                    crate::lint::io_message(&e)
                ),
            );
        }
    };
    let source = SourceFile::new(file.display().to_string(), text);
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut loaded = load_source_limited(&source, dir, quotas, limits);
    if let Some(tree) = &loaded.tree
        && let Err(e) = limits.check_org_nodes(tree.nodes.len())
    {
        let mut failed = fail(&file, e.to_string());
        failed.diagnostics[0].source = source;
        loaded = failed;
    }
    loaded
}

/// "an SCP", "an identity policy", ... for messages.
fn kind_phrase(k: PolicyKind) -> &'static str {
    match k {
        PolicyKind::Scp => "an SCP",
        PolicyKind::Rcp => "an RCP",
        PolicyKind::Identity => "an identity policy",
        PolicyKind::Resource => "a resource-based policy",
        PolicyKind::Boundary => "a permissions boundary",
        PolicyKind::Session => "a session policy",
    }
}

fn fail(path: &Path, message: String) -> LoadedOrg {
    let source = SourceFile::new(path.display().to_string(), "");
    LoadedOrg {
        tree: None,
        diagnostics: vec![Finding {
            rule: "org-file",
            severity: Severity::Error,
            message,
            label: String::new(),
            span: Span::default(),
            pointer: String::new(),
            help: Some("pass the org file or its directory with --org".into()),
            related: Vec::new(),
            note: None,
            source,
        }],
    }
}

/// Loads an organization from the text of an org file; policy paths resolve against `dir`.
pub fn load_source(source: &Arc<SourceFile>, dir: &Path, quotas: &Quotas) -> LoadedOrg {
    load_source_limited(source, dir, quotas, &Limits::default())
}

/// [`load_source`] under input limits: each policy file the org lists is checked like a linted
/// file ([`Limits::max_file_bytes`], depth, statements, values, lengths); one over a limit is
/// an `org-policy-file` error and is not used.
pub fn load_source_limited(
    source: &Arc<SourceFile>,
    dir: &Path,
    quotas: &Quotas,
    limits: &Limits,
) -> LoadedOrg {
    let parsed: OrgFile = match serde_saphyr::from_str(source.text()) {
        Ok(f) => f,
        Err(e) => {
            let span = e
                .location()
                .map_or(Span::default(), |l| span_of(&l, source));
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("invalid org file");
            // The location is in the snippet; drop serde-saphyr's "error: line N column M: ".
            let message = first
                .strip_prefix("error: ")
                .unwrap_or(first)
                .split_once(": ")
                .filter(|(head, _)| head.starts_with("line "))
                .map_or(first, |(_, rest)| rest)
                .to_string();
            return LoadedOrg {
                tree: None,
                diagnostics: vec![Finding {
                    rule: "org-syntax",
                    severity: Severity::Error,
                    message: format!("invalid org file: {message}"),
                    label: "here".into(),
                    span,
                    pointer: String::new(),
                    help: Some("see the org file schema in README.md".into()),
                    related: Vec::new(),
                    note: None,
                    source: Arc::clone(source),
                }],
            };
        }
    };
    let mut b = Builder {
        source: Arc::clone(source),
        dir: dir.to_path_buf(),
        quotas,
        limits: *limits,
        diags: Vec::new(),
        nodes: Vec::new(),
        policies: Vec::new(),
        by_name: HashMap::new(),
        broken: Vec::new(),
        unresolved_scps: Vec::new(),
        ids: HashMap::new(),
    };
    if let Some(v) = parsed.version
        && v != 1
    {
        b.diag(
            "org-invalid-field",
            Severity::Error,
            Span::default(),
            format!("unsupported org file version `{v}`"),
            "",
            Some("this scpsim reads version 1".into()),
        );
    }
    b.load_policies(&parsed.policies);
    b.check_id(&parsed.root.id, "root");
    let root_span = b.span(&parsed.root.id);
    let scps = b.attach(&parsed.root.scps, PolicyKind::Scp, "the root", root_span);
    let rcps = b.attach(&parsed.root.rcps, PolicyKind::Rcp, "the root", root_span);
    let root = b.add_node(Node {
        kind: NodeKind::Root,
        id: parsed.root.id.value.clone(),
        name: "Root".into(),
        email: None,
        tags: BTreeMap::new(),
        parent: None,
        children: Vec::new(),
        scps,
        rcps,
        span: root_span,
    });
    b.children(&parsed.root.ous, &parsed.root.accounts, root, 0);

    let management = parsed
        .management_account_id
        .as_ref()
        .map(|m| m.value.clone());
    if let Some(m) = &parsed.management_account_id
        && !b
            .nodes
            .iter()
            .any(|n| n.kind == NodeKind::Account && n.id == m.value)
    {
        let span = b.span(m);
        b.diag(
            "org-unknown-account",
            Severity::Error,
            span,
            format!(
                "management account `{}` is not an account of the tree",
                m.value
            ),
            "not found under root",
            None,
        );
    }

    let mut principals = Vec::new();
    for p in &parsed.principals {
        let span = b.span(&p.arn);
        let ids = b.attach_identity(&p.identity_policies, &[PolicyKind::Identity]);
        let boundary = p.boundary.as_ref().and_then(|x| {
            b.attach_identity(
                std::slice::from_ref(x),
                &[PolicyKind::Boundary, PolicyKind::Identity],
            )
            .into_iter()
            .next()
        });
        if !p.arn.value.starts_with("arn:") {
            b.diag(
                "org-invalid-field",
                Severity::Error,
                span,
                format!("principal `{}` is not an ARN", p.arn.value),
                "not an ARN",
                Some("write the role or user ARN: arn:aws:iam::111122223333:role/Name".into()),
            );
            continue;
        }
        principals.push(OrgPrincipal {
            arn: p.arn.value.clone(),
            identity_policies: ids,
            boundary,
            tags: p.tags.clone(),
        });
    }

    let rcps_enabled = parsed.rcps_enabled || b.nodes.iter().any(|n| !n.rcps.is_empty());
    b.check_nodes(management.as_deref(), rcps_enabled);

    let Builder {
        diags,
        nodes,
        policies,
        ..
    } = b;
    let mut diagnostics = diags;
    crate::diag::sort_findings(&mut diagnostics);
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    LoadedOrg {
        tree: (!has_errors).then(|| OrgTree {
            source: Arc::clone(source),
            organization_id: parsed.organization_id.clone(),
            management_account_id: management,
            nodes,
            policies,
            principals,
            rcps_enabled,
        }),
        diagnostics,
    }
}

impl Builder<'_> {
    fn attach_identity(
        &mut self,
        names: &[Spanned<String>],
        kinds: &[PolicyKind],
    ) -> Vec<PolicyId> {
        let mut out = Vec::new();
        for n in names {
            let span = self.span(n);
            match self.by_name.get(&n.value).copied() {
                Some(id) if kinds.contains(&self.policies[id].kind) => out.push(id),
                Some(id) => {
                    let got = self.policies[id].kind;
                    self.diag(
                        "org-wrong-policy-type",
                        Severity::Error,
                        span,
                        format!(
                            "policy `{}` is {}, not {}",
                            n.value,
                            kind_phrase(got),
                            kind_phrase(kinds[0])
                        ),
                        "wrong policy type",
                        None,
                    );
                }
                None if self.broken.contains(&n.value) => {}
                None => {
                    self.diag(
                        "org-unknown-policy",
                        Severity::Error,
                        span,
                        format!("unknown policy `{}`", n.value),
                        "not listed under `policies:`",
                        Some("list the policy under `policies:` with its file".into()),
                    );
                }
            }
        }
        out
    }

    /// Node-level checks: every node needs an SCP (when SCPs are in use), and a node whose SCPs
    /// hold no Allow at all denies everything below it.
    fn check_nodes(&mut self, management: Option<&str>, _rcps_enabled: bool) {
        let scps_in_use = self.nodes.iter().any(|n| !n.scps.is_empty());
        if !scps_in_use {
            return;
        }
        for i in 0..self.nodes.len() {
            let (kind, id, name, span, scps) = {
                let n = &self.nodes[i];
                (n.kind, n.id.clone(), n.name.clone(), n.span, n.scps.clone())
            };
            let label = match kind {
                NodeKind::Root => "the root".to_string(),
                NodeKind::Ou => format!("OU `{name}` ({id})"),
                NodeKind::Account => format!("account `{name}` ({id})"),
            };
            if scps.is_empty() && !self.unresolved_scps.contains(&span) {
                let min = self.quotas.min_per_node;
                self.diag(
                    "org-no-scp",
                    Severity::Error,
                    span,
                    format!("{label} has no SCP attached; AWS keeps at least {min} on every node"),
                    "no SCP",
                    Some("attach FullAWSAccess (or the policies the node really has)".into()),
                );
                continue;
            }
            if scps.is_empty() {
                continue;
            }
            let any_allow = scps.iter().any(|&p| {
                self.policies[p]
                    .doc
                    .statements
                    .iter()
                    .any(|s| s.effect.value == Effect::Allow)
            });
            if !any_allow && management != Some(id.as_str()) {
                self.diag(
                    "org-node-without-allow",
                    Severity::Warning,
                    span,
                    format!("the SCPs on {label} contain no Allow statement: every action is implicitly denied for all accounts below it"),
                    "no Allow on this node",
                    Some("attach FullAWSAccess next to the deny-list SCPs, or an allow-list SCP".into()),
                );
            }
        }
    }
}
