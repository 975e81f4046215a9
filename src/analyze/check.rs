//! `check`: org-wide compliance rules evaluated exhaustively over the scope's accounts x the
//! rule's actions (expanded with the catalog) x regions, on the one engine.
//!
//! Rules file (YAML or JSON, one schema):
//!
//! ```yaml
//! version: 1
//! rules:
//!   - id: eu-only                        # unique, shown in output
//!     description: workloads stay in the EU
//!     type: regions                      # regions | deny | allow
//!     scope: {ous: [Workloads]}          # ous (with descendants), accounts (id or name), tags
//!     except_accounts: []                # accounts taken out of the scope
//!     allowed_regions: [eu-west-1, eu-central-1]
//!     actions: ["*"]                     # default "*"; patterns expanded with the catalog
//!     except_actions: ["@organizations-example"]   # patterns, or @NAME of a region-deny exemption list
//!   - id: no-redshift
//!     type: deny                         # every cell must be denied
//!     scope: {all: true}
//!     actions: ["redshift:*", "es:*"]
//!     regions: [eu-west-1]               # default: every region of the partition
//!   - id: security-role-can-stop-trails
//!     type: allow                        # every cell must be allowed
//!     scope: {ous: [Security]}
//!     principal: "arn:aws:iam::{account}:role/security-admin"   # {account} = the account id
//!     actions: ["cloudtrail:StopLogging"]
//!     regions: [eu-west-1]
//!   - id: org-access-role-protected
//!     type: deny
//!     actions: ["iam:DeleteRole", "iam:AttachRolePolicy"]
//!     resource: "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"  # default "*"
//!     regions: [us-east-1]
//! ```
//!
//! `regions` rules skip global services (IAM, Organizations, ...: their requests carry the
//! service's home region in `aws:RequestedRegion`, so an allow-list of regions cannot apply to
//! them as it does to regional services; R7.1) and check that every other action is denied in
//! every region outside `allowed_regions`. STS is checked like a regional service: the SDKs call
//! the regional endpoint of the caller's region, whose requests carry that region, as the
//! engine decides them.
//!
//! Accounts whose SCP and RCP chains are attached the same way are evaluated once, unless a
//! policy on the chain names an account (`aws:PrincipalAccount`, `aws:ResourceAccount` or a
//! 12-digit account id), in which case every account is evaluated.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::catalog::Catalog;
use crate::diag::{Finding, Severity, closest};
use crate::eval::trace::DecidedBy;
use crate::eval::{Decision, EvalOptions, Evaluator, PolicySet};
use crate::org::{NodeId, NodeKind, OrgTree};
use crate::policy::pattern::{Case, action_matches, glob_match, has_wildcard};
use crate::source::{SourceFile, Span};

/// What a rule requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleType {
    /// Every regional action must be denied outside `allowed_regions`.
    Regions,
    /// Every cell must be denied (implicitly or explicitly).
    Deny,
    /// Every cell must be allowed.
    Allow,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScopeDef {
    #[serde(default)]
    all: bool,
    #[serde(default)]
    ous: Vec<Spanned<String>>,
    #[serde(default)]
    accounts: Vec<Spanned<String>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "type")]
    kind: RuleType,
    #[serde(default)]
    scope: ScopeDef,
    #[serde(default)]
    except_accounts: Vec<Spanned<String>>,
    #[serde(default)]
    actions: Vec<Spanned<String>>,
    #[serde(default)]
    except_actions: Vec<Spanned<String>>,
    #[serde(default)]
    regions: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_regions: Vec<Spanned<String>>,
    #[serde(default)]
    principal: Option<Spanned<String>>,
    #[serde(default)]
    resource: Option<Spanned<String>>,
    #[serde(default)]
    context: BTreeMap<String, ContextSpec>,
}

/// A context key's value in a rules file: one string, or a list for a multivalued key.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ContextSpec {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    version: Option<u32>,
    rules: Vec<RuleDef>,
}

/// The values a rule gives one context key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValues {
    /// `key: value`.
    Single(String),
    /// `key: [a, b]`: a multivalued key's set (possibly empty).
    Multi(Vec<String>),
}

impl ContextValues {
    /// Sets the key in a request's context.
    fn apply(&self, key: &str, ctx: &mut crate::policy::condition::Context) {
        match self {
            ContextValues::Single(v) => ctx.set(key, v.clone()),
            ContextValues::Multi(vs) => ctx.set_multi(key, vs.clone()),
        }
    }
}

/// One resolved rule.
#[derive(Debug, Clone)]
pub struct CheckRule {
    /// Rule id.
    pub id: String,
    /// What the rule is for.
    pub description: Option<String>,
    /// What it requires.
    pub kind: RuleType,
    /// Accounts in scope, in tree order.
    pub accounts: Vec<NodeId>,
    /// Concrete actions, sorted.
    pub actions: Vec<String>,
    /// Regions evaluated.
    pub regions: Vec<String>,
    /// Principal ARN template (`{account}` replaced per account).
    pub principal: String,
    /// Resource ARN template (`{account}` replaced per account); `*` by default.
    pub resource: String,
    /// Extra context keys: one value, or (written as a list) the values of a multivalued key.
    pub context: BTreeMap<String, ContextValues>,
    /// Where the rule's `id` value is in the rules file (for locations in reports).
    pub span: Span,
}

/// A violated cell.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// Account id.
    pub account: String,
    /// Account name.
    pub account_name: String,
    /// Principal evaluated.
    pub principal: String,
    /// Resource evaluated (`*` unless the rule names one).
    pub resource: String,
    /// Action.
    pub action: String,
    /// Region.
    pub region: String,
    /// The decision found.
    pub decision: Decision,
    /// The step that decided.
    pub decided_by: DecidedBy,
    /// One-line reason.
    pub reason: String,
}

/// The outcome of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    /// Rule id.
    pub id: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Rule type.
    #[serde(rename = "type")]
    pub kind: RuleType,
    /// Accounts in scope.
    pub accounts: usize,
    /// Actions evaluated.
    pub actions: usize,
    /// Regions evaluated.
    pub regions: usize,
    /// Cells (account x action x region) the rule covers.
    pub cells: u64,
    /// Decisions actually computed (after grouping accounts with identical chains).
    pub evaluated: u64,
    /// Number of violated cells.
    pub violation_count: u64,
    /// Cells of `deny` and `regions` rules that no SCP can restrict (the tasks of
    /// `data/aws/scp-exemptions.json`, aws-semantics.md R2.3): not violations, since no
    /// guardrail can fix them, but counted so the summary can say so.
    pub exempt: u64,
    /// Violated cells, sorted (account, action, region); at most `max_violations` kept.
    pub violations: Vec<Violation>,
}

/// Parses and resolves a rules file against an org and the catalog.
///
/// # Errors
///
/// Every problem of the file, located: syntax, unknown fields, unknown OU/account names,
/// action patterns that match nothing, unknown regions, duplicate rule ids.
pub fn load_rules(
    source: &Arc<SourceFile>,
    org: &OrgTree,
    catalog: &Catalog,
) -> Result<Vec<CheckRule>, Vec<Finding>> {
    let diag = |rule: &'static str, span: Span, message: String, help: Option<String>| Finding {
        rule,
        severity: Severity::Error,
        message,
        label: "here".into(),
        span,
        pointer: String::new(),
        help,
        related: Vec::new(),
        note: None,
        source: Arc::clone(source),
    };
    let span_of = |s: &Spanned<String>| {
        let sp = s.referenced.span();
        match (sp.byte_offset(), sp.byte_len()) {
            (Some(o), Some(l)) => {
                let o = usize::try_from(o).unwrap_or(0);
                Span::new(o, o + usize::try_from(l).unwrap_or(0))
            }
            _ => Span::default(),
        }
    };
    let file: RulesFile = match serde_saphyr::from_str(source.text()) {
        Ok(f) => f,
        Err(e) => {
            let span = e.location().map_or(Span::default(), |l| {
                let s = source.offset_of(
                    usize::try_from(l.line()).unwrap_or(1),
                    usize::try_from(l.column()).unwrap_or(1),
                );
                Span::new(s, s)
            });
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("invalid rules file");
            let first = first
                .strip_prefix("error: ")
                .unwrap_or(first)
                .split_once(": ")
                .filter(|(h, _)| h.starts_with("line "))
                .map_or(first, |(_, r)| r);
            return Err(vec![diag(
                "check-rules-syntax",
                span,
                format!("invalid rules file: {first}"),
                Some("see the rules file schema in README.md".into()),
            )]);
        }
    };
    let mut errors = Vec::new();
    if let Some(v) = file.version
        && v != 1
    {
        errors.push(diag(
            "check-rules-invalid",
            Span::default(),
            format!("unsupported rules file version `{v}`"),
            None,
        ));
    }
    let all_regions: Vec<String> = catalog
        .regions("aws")
        .map(|r| r.iter().map(|x| (*x).to_string()).collect())
        .unwrap_or_default();
    let mut ids: HashMap<String, Span> = HashMap::new();
    let mut out = Vec::new();
    for r in &file.rules {
        let id_span = span_of(&r.id);
        if ids.insert(r.id.value.clone(), id_span).is_some() {
            errors.push(diag(
                "check-rules-invalid",
                id_span,
                format!("duplicate rule id `{}`", r.id.value),
                None,
            ));
        }
        // Scope.
        let mut accounts: Vec<NodeId> = Vec::new();
        let every = org.accounts();
        if r.scope.all
            || (r.scope.ous.is_empty() && r.scope.accounts.is_empty() && r.scope.tags.is_empty())
        {
            accounts.extend(every.iter().copied());
        }
        for ou in &r.scope.ous {
            let found: Vec<NodeId> = (0..org.nodes.len())
                .filter(|&n| {
                    let node = &org.nodes[n];
                    matches!(node.kind, NodeKind::Ou | NodeKind::Root)
                        && (node.name == ou.value || node.id == ou.value)
                })
                .collect();
            if found.is_empty() {
                let ous = org
                    .nodes
                    .iter()
                    .filter(|n| n.kind == NodeKind::Ou)
                    .map(|n| n.name.as_str());
                errors.push(diag(
                    "check-rules-unknown-ou",
                    span_of(ou),
                    format!("no OU `{}` in the organization", ou.value),
                    closest(&ou.value, ous).map(|s| format!("did you mean `{s}`?")),
                ));
            }
            for f in found {
                accounts.extend(every.iter().copied().filter(|&a| org.chain(a).contains(&f)));
            }
        }
        for a in &r.scope.accounts {
            match org.account(&a.value) {
                Some(n) => accounts.push(n),
                None => errors.push(diag(
                    "check-rules-unknown-account",
                    span_of(a),
                    format!("no account `{}` in the organization", a.value),
                    closest(&a.value, every.iter().map(|&n| org.nodes[n].name.as_str()))
                        .map(|s| format!("did you mean `{s}`?")),
                )),
            }
        }
        if !r.scope.tags.is_empty() {
            accounts.extend(every.iter().copied().filter(|&a| {
                r.scope
                    .tags
                    .iter()
                    .all(|(k, v)| org.nodes[a].tags.get(k) == Some(v))
            }));
        }
        let mut except = Vec::new();
        for a in &r.except_accounts {
            match org.account(&a.value) {
                Some(n) => except.push(n),
                None => errors.push(diag(
                    "check-rules-unknown-account",
                    span_of(a),
                    format!("no account `{}` in the organization", a.value),
                    closest(&a.value, every.iter().map(|&n| org.nodes[n].name.as_str()))
                        .map(|s| format!("did you mean `{s}`?")),
                )),
            }
        }
        accounts.retain(|a| !except.contains(a));
        accounts.sort_unstable();
        accounts.dedup();
        // Actions.
        let patterns: Vec<String> = if r.actions.is_empty() {
            vec!["*".to_string()]
        } else {
            r.actions.iter().map(|a| a.value.clone()).collect()
        };
        let mut actions: Vec<String> = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            if has_wildcard(p) {
                let e = catalog.expand(p);
                if e.is_empty() {
                    let span = r.actions.get(i).map_or(id_span, span_of);
                    errors.push(diag(
                        "check-rules-invalid",
                        span,
                        format!("action pattern `{p}` matches no action in the catalog"),
                        None,
                    ));
                }
                actions.extend(e.iter().map(ToString::to_string));
            } else {
                // An exact action the catalog does not know is almost always a typo; checking
                // it would pass or fail for the wrong reason (no statement names it).
                if catalog.action(p).is_none() {
                    let span = r.actions.get(i).map_or(id_span, span_of);
                    let help = catalog
                        .suggest_action(p)
                        .first()
                        .map(|s| format!("did you mean `{s}`?"));
                    errors.push(diag(
                        "check-rules-invalid",
                        span,
                        format!("action `{p}` is not in the AWS catalog"),
                        help,
                    ));
                }
                actions.push(p.clone());
            }
        }
        let mut except_patterns: Vec<String> = Vec::new();
        for e in &r.except_actions {
            if let Some(name) = e.value.strip_prefix('@') {
                match catalog
                    .region_deny_exemptions()
                    .iter()
                    .find(|l| l.name == name)
                {
                    Some(l) => except_patterns.extend(l.not_actions.iter().cloned()),
                    None => {
                        let names: Vec<&str> = catalog
                            .region_deny_exemptions()
                            .iter()
                            .map(|l| l.name.as_str())
                            .collect();
                        errors.push(diag(
                            "check-rules-invalid",
                            span_of(e),
                            format!("unknown exemption list `{name}`"),
                            Some(format!("known lists: {}", names.join(", "))),
                        ));
                    }
                }
            } else {
                except_patterns.push(e.value.clone());
            }
        }
        actions.retain(|a| !except_patterns.iter().any(|p| action_matches(p, a)));
        if r.kind == RuleType::Regions {
            actions.retain(|a| {
                let prefix = a.split(':').next().unwrap_or("");
                !catalog.is_always_global_service(prefix)
            });
        }
        actions.sort_by_key(|a| a.to_ascii_lowercase());
        actions.dedup_by_key(|a| a.to_ascii_lowercase());
        // Regions.
        let check_region = |s: &Spanned<String>, errors: &mut Vec<Finding>| {
            if !all_regions.contains(&s.value)
                && !catalog
                    .partitions()
                    .iter()
                    .any(|p| p.regions.contains(&s.value.as_str()))
            {
                let known = catalog
                    .partitions()
                    .iter()
                    .flat_map(|p| p.regions.iter().copied());
                errors.push(diag(
                    "check-rules-invalid",
                    span_of(s),
                    format!("unknown region `{}`", s.value),
                    closest(&s.value, known).map(|r| format!("did you mean `{r}`?")),
                ));
            }
        };
        let regions: Vec<String> = match r.kind {
            RuleType::Regions => {
                if r.allowed_regions.is_empty() {
                    errors.push(diag(
                        "check-rules-invalid",
                        id_span,
                        format!(
                            "rule `{}` of type regions needs allowed_regions",
                            r.id.value
                        ),
                        None,
                    ));
                }
                for a in &r.allowed_regions {
                    check_region(a, &mut errors);
                }
                all_regions
                    .iter()
                    .filter(|x| !r.allowed_regions.iter().any(|a| &a.value == *x))
                    .cloned()
                    .collect()
            }
            _ => {
                if r.regions.is_empty() || r.regions.iter().any(|x| x.value == "all") {
                    all_regions.clone()
                } else {
                    for x in &r.regions {
                        check_region(x, &mut errors);
                    }
                    r.regions.iter().map(|x| x.value.clone()).collect()
                }
            }
        };
        let principal = r.principal.as_ref().map_or_else(
            || "arn:aws:iam::{account}:role/SimulatedRole".to_string(),
            |p| p.value.clone(),
        );
        let resource = match &r.resource {
            None => "*".to_string(),
            Some(x) if x.value == "*" || x.value.starts_with("arn:") => x.value.clone(),
            Some(x) => {
                errors.push(diag(
                    "check-rules-invalid",
                    span_of(x),
                    format!("resource `{}` is neither `*` nor an ARN", x.value),
                    Some("write a resource ARN such as `arn:aws:iam::{account}:role/OrganizationAccountAccessRole` ({account} is each account's id)".into()),
                ));
                "*".to_string()
            }
        };
        out.push(CheckRule {
            id: r.id.value.clone(),
            description: r.description.clone(),
            kind: r.kind,
            accounts,
            actions,
            regions,
            principal,
            resource,
            context: r
                .context
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        ContextSpec::One(x) => ContextValues::Single(x.clone()),
                        ContextSpec::Many(xs) => ContextValues::Multi(xs.clone()),
                    };
                    (k.clone(), v)
                })
                .collect(),
            span: id_span,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Partitions `regions` into classes that every policy of `set` treats alike, and returns one
/// representative per class with the members it stands for.
///
/// The region of a request reaches the decision only through `aws:RequestedRegion` compared
/// with the strings written in conditions (resources here are `*`; global services carry
/// their home region whatever the request's region). Two regions that compare the same way
/// (equal, equal ignoring case, like as a pattern, like ignoring case) with every condition
/// value of every policy get the same decision. When a policy uses a variable that could
/// carry the region (`${...}`), every region is its own class.
pub fn region_classes(set: &PolicySet, regions: &[String]) -> Vec<(String, Vec<String>)> {
    let docs = set
        .scps
        .iter()
        .chain(&set.rcps)
        .flat_map(|n| n.policies.iter())
        .chain(&set.identity)
        .chain(&set.boundary)
        .chain(set.session.iter())
        .chain(set.resource.iter())
        .map(|p| &p.document);
    let mut values: Vec<String> = Vec::new();
    let mut variables = false;
    for d in docs {
        for st in &d.statements {
            let Some(c) = &st.condition else { continue };
            for b in &c.blocks {
                for e in &b.entries {
                    for v in &e.values {
                        variables |= v.value.text.contains("${");
                        values.push(v.value.text.clone());
                    }
                }
            }
        }
    }
    values.sort();
    values.dedup();
    let mut classes: Vec<(Vec<bool>, String, Vec<String>)> = Vec::new();
    for r in regions {
        let sig: Vec<bool> = if variables {
            vec![]
        } else {
            values
                .iter()
                .flat_map(|v| {
                    [
                        v == r,
                        v.eq_ignore_ascii_case(r),
                        glob_match(v, r, Case::Sensitive),
                        glob_match(v, r, Case::AsciiInsensitive),
                    ]
                })
                .collect()
        };
        match classes.iter_mut().find(|c| !variables && c.0 == sig) {
            Some(c) => c.2.push(r.clone()),
            None => classes.push((sig, r.clone(), vec![r.clone()])),
        }
    }
    classes
        .into_iter()
        .map(|(_, rep, members)| (rep, members))
        .collect()
}

/// A grouping key: accounts with equal keys get equal decisions (their SCP and RCP chains
/// are attached alike and no policy on them names an account); `None` for an account that
/// must be evaluated on its own (the management account, or a chain naming accounts).
pub fn group_key(org: &OrgTree, account: NodeId) -> Option<String> {
    let chain = org.chain(account);
    let mentions_account = chain.iter().any(|&n| {
        org.nodes[n]
            .scps
            .iter()
            .chain(&org.nodes[n].rcps)
            .any(|&p| {
                let t = org.policies[p].source.text();
                t.contains("PrincipalAccount")
                    || t.contains("ResourceAccount")
                    || t.as_bytes()
                        .windows(12)
                        .any(|w| w.iter().all(u8::is_ascii_digit))
            })
    });
    if mentions_account || org.is_management(account) {
        return None;
    }
    let sig: Vec<String> = chain
        .iter()
        .map(|&n| format!("{:?}|{:?}", org.nodes[n].scps, org.nodes[n].rcps))
        .collect();
    Some(sig.join("/"))
}

/// Evaluates every rule; violations are sorted; at most `max_violations` are kept per rule
/// (the count is exact).
pub fn run_rules(
    org: &OrgTree,
    rules: &[CheckRule],
    options: EvalOptions,
    max_violations: usize,
) -> Vec<RuleResult> {
    run_rules_with_progress(org, rules, options, max_violations, &super::NoProgress)
}

/// [`run_rules`], reporting progress (units: decisions computed).
pub fn run_rules_with_progress(
    org: &OrgTree,
    rules: &[CheckRule],
    options: EvalOptions,
    max_violations: usize,
    progress: &dyn super::Progress,
) -> Vec<RuleResult> {
    let Some(identity) = super::assumed_identity() else {
        return Vec::new();
    };
    rules
        .iter()
        .map(|rule| {
            // The principal's own policies when the org file lists it (per account: its ARN
            // names the account); accounts are then evaluated one by one.
            let known = |a: NodeId| {
                org.principal_for(&rule.principal.replace("{account}", &org.nodes[a].id))
            };
            let any_known = rule.accounts.iter().any(|&a| known(a).is_some());
            // Group accounts.
            let mut groups: Vec<(NodeId, Vec<NodeId>)> = Vec::new();
            let mut by_key: HashMap<String, usize> = HashMap::new();
            for &a in &rule.accounts {
                match group_key(org, a).filter(|_| !any_known) {
                    Some(k) => match by_key.get(&k) {
                        Some(&g) => groups[g].1.push(a),
                        None => {
                            by_key.insert(k, groups.len());
                            groups.push((a, vec![a]));
                        }
                    },
                    None => groups.push((a, vec![a])),
                }
            }
            let cells = (rule.accounts.len() * rule.actions.len() * rule.regions.len()) as u64;
            let mut evaluated = 0u64;
            let mut violations: Vec<Violation> = Vec::new();
            let mut count = 0u64;
            let exempt = std::sync::atomic::AtomicU64::new(0);
            for (rep, members) in &groups {
                let acct = &org.nodes[*rep];
                let set = PolicySet {
                    scps: super::chain_nodes(org, *rep, false),
                    rcps: if org.rcps_enabled {
                        // The resource's account's chain (R1.12): the rule's resource may name
                        // another account of the org.
                        let resource = rule.resource.replace("{account}", &acct.id);
                        super::chain_nodes(org, super::resource_node(org, *rep, &resource), true)
                    } else {
                        Vec::new()
                    },
                    identity: match known(*rep) {
                        Some(kp) => kp
                            .identity_policies
                            .iter()
                            .map(|&i| super::named_policy(org, i))
                            .collect(),
                        None => vec![identity.clone()],
                    },
                    boundary: known(*rep)
                        .and_then(|kp| kp.boundary)
                        .map(|i| super::named_policy(org, i))
                        .into_iter()
                        .collect(),
                    management_account: org.management_account_id.clone(),
                    ..PolicySet::default()
                };
                let tags: BTreeMap<String, ContextValues> = known(*rep)
                    .map(|kp| {
                        kp.tags
                            .iter()
                            .map(|(k, v)| {
                                (
                                    format!("aws:PrincipalTag/{k}"),
                                    ContextValues::Single(v.clone()),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let tags = &tags;
                let ev = Evaluator::new(&set, options);
                let classes = region_classes(&set, &rule.regions);
                let classes = &classes;
                evaluated += (rule.actions.len() * classes.len()) as u64;
                progress.add_total((rule.actions.len() * classes.len()) as u64);
                let principal = rule.principal.replace("{account}", &acct.id);
                let resource = rule.resource.replace("{account}", &acct.id);
                let bad: Vec<(String, String)> = rule
                    .actions
                    .par_iter()
                    .flat_map_iter(|action| {
                        progress.advance(classes.len() as u64);
                        let ev = &ev;
                        let principal = &principal;
                        let resource = &resource;
                        let exempt = &exempt;
                        let group_size = members.len() as u64;
                        classes.iter().filter_map(move |(region, members)| {
                            let mut req =
                                super::org_request(org, *rep, principal, action, resource, region)?;
                            for (k, v) in tags.iter().chain(rule.context.iter()) {
                                v.apply(k, &mut req.context);
                            }
                            let prepared = ev.prepare(&req);
                            if prepared.scp_exempt_task.is_some() && rule.kind != RuleType::Allow {
                                exempt.fetch_add(
                                    group_size * members.len() as u64,
                                    std::sync::atomic::Ordering::Relaxed,
                                );
                                return None;
                            }
                            let d = ev.decide(&prepared).decision;
                            let ok = match rule.kind {
                                RuleType::Allow => d == Decision::Allowed,
                                RuleType::Deny | RuleType::Regions => d != Decision::Allowed,
                            };
                            (!ok).then(|| {
                                members
                                    .iter()
                                    .map(|m| (action.clone(), m.clone()))
                                    .collect::<Vec<_>>()
                            })
                        })
                    })
                    .flatten()
                    .collect();
                count += (bad.len() * members.len()) as u64;
                for &m in members {
                    for (action, region) in &bad {
                        if violations.len() >= max_violations {
                            break;
                        }
                        let macct = &org.nodes[m];
                        let principal = rule.principal.replace("{account}", &macct.id);
                        let resource = rule.resource.replace("{account}", &macct.id);
                        let Some(mut req) =
                            super::org_request(org, m, &principal, action, &resource, region)
                        else {
                            continue;
                        };
                        for (k, v) in tags.iter().chain(rule.context.iter()) {
                            v.apply(k, &mut req.context);
                        }
                        let t = ev.evaluate(&req);
                        violations.push(Violation {
                            account: macct.id.clone(),
                            account_name: macct.name.clone(),
                            principal,
                            resource,
                            action: action.clone(),
                            region: region.clone(),
                            decision: t.decision,
                            decided_by: t.decided_by,
                            reason: t.reason,
                        });
                    }
                }
            }
            violations.sort_by(|a, b| {
                (&a.account, &a.action, &a.region).cmp(&(&b.account, &b.action, &b.region))
            });
            RuleResult {
                id: rule.id.clone(),
                description: rule.description.clone(),
                kind: rule.kind,
                accounts: rule.accounts.len(),
                actions: rule.actions.len(),
                regions: rule.regions.len(),
                cells,
                evaluated,
                violation_count: count,
                exempt: exempt.into_inner(),
                violations,
            }
        })
        .collect()
}
