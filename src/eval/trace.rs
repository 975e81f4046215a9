//! The explanation of one decision: per policy kind and per SCP/RCP node, which statements
//! matched (policy name, `Sid` or index, line and column), which node lacked an Allow, which
//! condition failed and with which values, which context keys were derived and which were
//! assumed absent. Serialises to JSON (serde) and renders as a small tree for people
//! ([`Trace::render`]).
//!
//! [`explain`] evaluates every statement (no short-circuit) and then applies the same decision
//! steps as [`Evaluator::decide`]; a property test checks that both always agree.

use std::fmt::Write as _;

use serde::Serialize;

use crate::policy::condition::{BareMultivalued, CondFlags};
use crate::policy::{Effect, PolicyKind};

use super::identity::{GrantInput, GrantStep, grant_decision};
use super::statement::{CompiledPolicy, GrantSet, Mismatch};
use super::{
    BareMultivaluedOption, Decision, Evaluator, KeyOrigin, PreparedRequest, PrincipalType,
    WildcardGrant,
};

/// The full explanation of one decision.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The decision.
    pub decision: Decision,
    /// When a bare operator met a multivalued key and the two readings disagree, the decision
    /// under the `ForAllValues` reading (the case is indeterminate, R6.7).
    pub other_reading: Option<Decision>,
    /// The step that decided.
    pub decided_by: DecidedBy,
    /// One sentence for people.
    pub reason: String,
    /// The request.
    pub request: RequestTrace,
    /// Every context key used, given or derived, sorted by name.
    pub context: Vec<KeyTrace>,
    /// Keys read by some policy that the request neither gave nor could derive: evaluated as
    /// absent.
    pub assumed_absent: Vec<String>,
    /// Choices the engine made (exemptions, (verify) options, derived regions).
    pub notes: Vec<String>,
    /// The SCP chain of the principal's account.
    pub scps: ChainTrace,
    /// The RCP chain of the resource's account.
    pub rcps: ChainTrace,
    /// Identity-based policies.
    pub identity: GroupTrace,
    /// Permissions boundary.
    pub boundary: GroupTrace,
    /// Session policy.
    pub session: GroupTrace,
    /// Resource-based policy.
    pub resource: GroupTrace,
}

/// The request as the engine saw it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestTrace {
    /// Principal as given.
    pub principal: String,
    /// Principal kind.
    pub principal_type: PrincipalType,
    /// The principal's account, if any.
    pub principal_account: Option<String>,
    /// Action.
    pub action: String,
    /// Resource ARN or `*`.
    pub resource: String,
    /// The account owning the resource, if known.
    pub resource_account: Option<String>,
}

/// One context key and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct KeyTrace {
    /// Key name.
    pub key: String,
    /// Values.
    pub values: Vec<String>,
    /// Given or derived.
    pub origin: KeyOrigin,
}

/// The step that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum DecidedBy {
    /// A `Deny` statement matched (R1.2).
    ExplicitDeny {
        /// Which kind of policy.
        policy_type: PolicyKind,
        /// Chain node, for SCPs and RCPs.
        node: Option<String>,
        /// Policy name.
        policy: String,
        /// `Sid` or `#index`.
        statement: String,
    },
    /// A chain node has no matching Allow (R1.3–R1.5).
    ChainWithoutAllow {
        /// SCP or RCP.
        policy_type: PolicyKind,
        /// The node.
        node: String,
    },
    /// The grant step (R1.6–R1.11).
    Grant {
        /// What decided it.
        grant: GrantStep,
    },
}

/// A chain (SCPs or RCPs).
#[derive(Debug, Clone, Serialize)]
pub struct ChainTrace {
    /// True when the chain was evaluated.
    pub applies: bool,
    /// Why it was not, if it was not.
    pub skipped_because: Option<String>,
    /// The nodes, root first.
    pub nodes: Vec<NodeTrace>,
}

/// One chain node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeTrace {
    /// Node name.
    pub name: String,
    /// The node's verdict.
    pub verdict: Verdict,
    /// Its policies.
    pub policies: Vec<PolicyTrace>,
}

/// What a node, a group of policies or a policy says about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A `Deny` matched.
    Denies,
    /// An `Allow` matched and no `Deny`.
    Allows,
    /// Nothing matched.
    NoAllow,
    /// Not evaluated.
    NotApplicable,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Denies => "denies",
            Verdict::Allows => "allows",
            Verdict::NoAllow => "no matching Allow",
            Verdict::NotApplicable => "not applicable",
        }
    }
}

/// Identity, boundary, session or resource policies.
#[derive(Debug, Clone, Serialize)]
pub struct GroupTrace {
    /// True when these policies were evaluated (and some exist).
    pub applies: bool,
    /// Why not, if not.
    pub skipped_because: Option<String>,
    /// Overall verdict.
    pub verdict: Verdict,
    /// The policies.
    pub policies: Vec<PolicyTrace>,
}

/// One policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyTrace {
    /// Policy name.
    pub name: String,
    /// The file its spans point into.
    pub file: Option<String>,
    /// Every statement.
    pub statements: Vec<StatementTrace>,
}

/// One statement's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    /// `Sid`, or `#index`.
    pub statement: String,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// True when the statement applies to the request.
    pub matched: bool,
    /// 1-based line of the statement, when the source is known.
    pub line: Option<usize>,
    /// 1-based column of the statement, when the source is known.
    pub column: Option<usize>,
    /// JSON Pointer of the statement.
    pub pointer: String,
    /// Why it did not apply.
    pub mismatch: Option<Mismatch>,
    /// For a failed condition: line of the condition key.
    pub condition_line: Option<usize>,
}

struct Walk<'a> {
    req: &'a PreparedRequest,
    /// Name of the SCP exemption set in force (for the trace).
    ev_exemption_set: &'a str,
    mode: BareMultivalued,
    flags: CondFlags,
}

impl Walk<'_> {
    /// Explains a policy; returns (trace, any deny matched (first label), any allow matched,
    /// grant forms of matching allows).
    fn policy(&mut self, p: &CompiledPolicy) -> (PolicyTrace, Option<String>, bool, GrantSet) {
        let mut first_deny = None;
        let mut allow = false;
        let mut forms = GrantSet::EMPTY;
        let mut statements = Vec::new();
        for s in &p.statements {
            let r = s.explain(self.req, self.mode, &mut self.flags);
            let (line, column) = p.source.as_ref().map_or((None, None), |src| {
                let lc = src.line_col(s.span.start);
                (Some(lc.line), Some(lc.column))
            });
            let matched = r.is_ok();
            if let Ok(g) = &r {
                match s.effect {
                    Effect::Deny => {
                        if first_deny.is_none() {
                            first_deny = Some(s.label());
                        }
                    }
                    Effect::Allow => {
                        allow = true;
                        for f in g.forms() {
                            forms.insert(f);
                        }
                    }
                }
            }
            let mismatch = r.err();
            let condition_line = match (&mismatch, &p.source) {
                (Some(Mismatch::Condition(c)), Some(src)) => Some(src.line_col(c.span.start).line),
                _ => None,
            };
            statements.push(StatementTrace {
                statement: s.label(),
                effect: s.effect,
                matched,
                line,
                column,
                pointer: s.pointer.clone(),
                mismatch,
                condition_line,
            });
        }
        (
            PolicyTrace {
                name: p.name.clone(),
                file: p.source.as_ref().map(|s| s.name().to_string()),
                statements,
            },
            first_deny,
            allow,
            forms,
        )
    }

    fn group<'p>(
        &mut self,
        policies: impl Iterator<Item = &'p CompiledPolicy>,
        applies: bool,
        skipped: Option<String>,
        all_must_allow: bool,
        deny: &mut Option<DecidedBy>,
        kind: PolicyKind,
    ) -> (GroupTrace, Option<bool>, GrantSet) {
        let mut traces = Vec::new();
        let mut any_allow = false;
        let mut all_allow = true;
        let mut denied = false;
        let mut forms = GrantSet::EMPTY;
        for p in policies {
            let (t, d, a, f) = self.policy(p);
            if applies {
                if let Some(label) = d {
                    denied = true;
                    if deny.is_none() {
                        *deny = Some(DecidedBy::ExplicitDeny {
                            policy_type: kind,
                            node: None,
                            policy: p.name.clone(),
                            statement: label,
                        });
                    }
                }
                any_allow |= a;
                all_allow &= a;
                for g in f.forms() {
                    forms.insert(g);
                }
            }
            traces.push(t);
        }
        let present = !traces.is_empty();
        let allows = if all_must_allow { all_allow } else { any_allow };
        let verdict = if !applies || !present {
            Verdict::NotApplicable
        } else if denied {
            Verdict::Denies
        } else if allows {
            Verdict::Allows
        } else {
            Verdict::NoAllow
        };
        let skipped_because = if !present {
            Some("none given".to_string())
        } else {
            skipped
        };
        (
            GroupTrace {
                applies: applies && present,
                skipped_because,
                verdict,
                policies: traces,
            },
            (applies && present).then_some(allows),
            forms,
        )
    }

    fn chain(
        &mut self,
        chain: &super::scp::CompiledChain,
        applies: Result<(), super::Skip>,
        kind: PolicyKind,
        deny: &mut Option<DecidedBy>,
        missing: &mut Option<String>,
    ) -> ChainTrace {
        let what = if kind == PolicyKind::Scp {
            "SCP"
        } else {
            "RCP"
        };
        let mut nodes = Vec::new();
        for n in &chain.nodes {
            let mut denied = false;
            let mut allow = false;
            let mut policies = Vec::new();
            for p in &n.policies {
                let (t, d, a, _) = self.policy(p);
                if let Some(label) = d {
                    denied = true;
                    if applies.is_ok() && deny.is_none() {
                        *deny = Some(DecidedBy::ExplicitDeny {
                            policy_type: kind,
                            node: Some(n.name.clone()),
                            policy: p.name.clone(),
                            statement: label,
                        });
                    }
                }
                allow |= a;
                policies.push(t);
            }
            if applies.is_ok() && !allow && missing.is_none() {
                *missing = Some(n.name.clone());
            }
            nodes.push(NodeTrace {
                name: n.name.clone(),
                verdict: if applies.is_err() {
                    Verdict::NotApplicable
                } else if denied {
                    Verdict::Denies
                } else if allow {
                    Verdict::Allows
                } else {
                    Verdict::NoAllow
                },
                policies,
            });
        }
        ChainTrace {
            applies: applies.is_ok(),
            skipped_because: applies.err().map(|s| match (s, &self.req.scp_exempt_task) {
                (super::Skip::ExemptTask, Some(task)) => format!(
                    "{}: {task} (exemption set `{}`, data/aws/scp-exemptions.json)",
                    s.describe(what),
                    self.ev_exemption_set
                ),
                _ => s.describe(what),
            }),
            nodes,
        }
    }
}

/// Evaluates every statement of `ev` for `req` and explains the decision.
pub fn explain(ev: &Evaluator, req: &PreparedRequest) -> Trace {
    let outcome = ev.decide(req);
    let mode = match ev.options.bare_multivalued {
        BareMultivaluedOption::All => BareMultivalued::All,
        _ => BareMultivalued::Any,
    };
    let app = ev.applicability(req);
    let mut w = Walk {
        req,
        ev_exemption_set: ev
            .options
            .scp_exemptions
            .map_or("none", |s| s.name.as_str()),
        mode,
        flags: CondFlags::default(),
    };
    let mut deny = None;
    let mut scp_missing = None;
    let mut rcp_missing = None;
    // Same order as `decide`: SCP, RCP, resource, identity, boundary, session.
    let scps = w.chain(
        &ev.scps,
        app.scp,
        PolicyKind::Scp,
        &mut deny,
        &mut scp_missing,
    );
    let rcps = w.chain(
        &ev.rcps,
        app.rcp,
        PolicyKind::Rcp,
        &mut deny,
        &mut rcp_missing,
    );
    let (resource, _, resource_grant) = w.group(
        ev.resource.iter(),
        true,
        None,
        false,
        &mut deny,
        PolicyKind::Resource,
    );
    let not_identity = (!app.identity_side).then(|| {
        "the caller is not an IAM principal: identity, boundary and session policies do not apply"
            .to_string()
    });
    let (identity, identity_allow, _) = w.group(
        ev.identity.iter(),
        app.identity_side,
        not_identity.clone(),
        false,
        &mut deny,
        PolicyKind::Identity,
    );
    let (boundary, boundary_allow, _) = w.group(
        ev.boundary.iter(),
        app.identity_side,
        not_identity.clone(),
        true,
        &mut deny,
        PolicyKind::Boundary,
    );
    let (session, session_allow, _) = w.group(
        ev.session.iter(),
        app.identity_side,
        not_identity,
        false,
        &mut deny,
        PolicyKind::Session,
    );
    let (decision, decided_by) = if let Some(d) = deny {
        (Decision::ExplicitlyDenied, d)
    } else if let Some(node) = rcp_missing {
        (
            Decision::ImplicitlyDenied,
            DecidedBy::ChainWithoutAllow {
                policy_type: PolicyKind::Rcp,
                node,
            },
        )
    } else if let Some(node) = scp_missing {
        (
            Decision::ImplicitlyDenied,
            DecidedBy::ChainWithoutAllow {
                policy_type: PolicyKind::Scp,
                node,
            },
        )
    } else {
        let (d, step) = grant_decision(GrantInput {
            principal: &req.request.principal,
            identity_side: app.identity_side,
            same_account: app.same_account,
            identity_allow: identity_allow.unwrap_or(false),
            boundary_allow,
            session_allow,
            resource_grant,
            wildcard: ev.options.wildcard_grant,
            resource_policy_required: req.resource_policy_required.is_some(),
        });
        (d, DecidedBy::Grant { grant: step })
    };
    let reason = match &decided_by {
        DecidedBy::ExplicitDeny {
            policy_type,
            node,
            policy,
            statement,
        } => {
            let at = node
                .as_ref()
                .map(|n| format!(" attached to `{n}`"))
                .unwrap_or_default();
            format!(
                "explicit Deny: statement `{statement}` of {} `{policy}`{at} matches",
                kind_name(*policy_type)
            )
        }
        DecidedBy::ChainWithoutAllow { policy_type, node } => format!(
            "no {} attached to `{node}` allows the request; every node from the root down must allow (R1.5)",
            kind_name(*policy_type)
        ),
        DecidedBy::Grant { grant } => grant.describe(),
    };
    let mut notes = req.notes.clone();
    if let Some(f) = ev.resource.as_ref().map(|_| resource_grant)
        && f.contains(super::statement::GrantForm::Account)
    {
        notes.push(
            "a resource policy naming the account is read as delegation: the identity policy must also allow (R1.6, verify)"
                .into(),
        );
    }
    if resource_grant.contains(super::statement::GrantForm::Wildcard)
        && app.identity_side
        && app.same_account
    {
        notes.push(format!(
            "a resource-policy grant to `*` is {} by the boundary and session policy (option wildcard_grant, R1.6, verify)",
            match ev.options.wildcard_grant {
                WildcardGrant::Uncapped => "not capped",
                WildcardGrant::Capped => "capped",
            }
        ));
    }
    if ev
        .all_policies()
        .any(|p| p.uses_null_variable_extension(req))
    {
        notes.push(
            "a variable with no value under ArnNotEquals/ArnNotLike/StringNotEqualsIgnoreCase is treated as matching nothing, so the operator holds (extension of R6.9, which names only StringNotEquals/StringNotLike)"
                .into(),
        );
    }
    if ev.options.lenient_element_case {
        notes.push(
            "element names were read without regard to case (--lenient-element-case; AWS spells each as one literal, R4.9, verify)"
                .into(),
        );
    }
    if w.flags.bare_multivalued {
        notes.push(format!(
            "a condition without ForAllValues/ForAnyValue met a multivalued key; read as {} (R6.7, verify)",
            match ev.options.bare_multivalued {
                BareMultivaluedOption::Any => "ForAnyValue",
                BareMultivaluedOption::All => "ForAllValues",
                BareMultivaluedOption::Both => "both ForAnyValue and ForAllValues",
            }
        ));
    }
    if decision != outcome.decision {
        // INVARIANT: never happens (property-tested); say so rather than hide it.
        notes.push(format!(
            "internal inconsistency: the fast path decided {}",
            outcome.decision
        ));
    }
    let context = req
        .context
        .entries()
        .iter()
        .map(|e| KeyTrace {
            key: e.name.clone(),
            values: e.values.clone(),
            origin: if req.derived.binary_search(&e.lower).is_ok() {
                KeyOrigin::Derived
            } else {
                KeyOrigin::Given
            },
        })
        .collect();
    let assumed_absent = ev
        .keys_read
        .iter()
        .filter(|(lower, _)| req.context.get(lower).is_none())
        .map(|(_, written)| written.clone())
        .collect();
    let p = &req.request.principal;
    Trace {
        decision,
        other_reading: outcome.other_reading,
        decided_by,
        reason,
        request: RequestTrace {
            principal: p.raw.clone(),
            principal_type: p.kind,
            principal_account: p.account.clone(),
            action: req.request.action.clone(),
            resource: req.request.resource.clone(),
            resource_account: req.resource_account.clone(),
        },
        context,
        assumed_absent,
        notes,
        scps,
        rcps,
        identity,
        boundary,
        session,
        resource,
    }
}

fn kind_name(k: PolicyKind) -> &'static str {
    match k {
        PolicyKind::Scp => "SCP",
        PolicyKind::Rcp => "RCP",
        PolicyKind::Identity => "identity policy",
        PolicyKind::Resource => "resource policy",
        PolicyKind::Boundary => "permissions boundary",
        PolicyKind::Session => "session policy",
    }
}

impl Trace {
    /// Renders the trace as a small tree for people (ASCII, deterministic). Shows matched
    /// statements and statements that failed only on their condition.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}: {}", self.decision, self.reason);
        if let Some(other) = self.other_reading {
            let _ = writeln!(
                o,
                "  indeterminate: {other} when the multivalued key is read as ForAllValues"
            );
        }
        let r = &self.request;
        let _ = writeln!(
            o,
            "  request: {} ({}) calls {} on {}",
            r.principal,
            serde_json::to_value(r.principal_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            r.action,
            r.resource
        );
        if !self.context.is_empty() {
            let keys: Vec<String> = self
                .context
                .iter()
                .map(|k| {
                    let v = if k.values.len() == 1 {
                        k.values[0].clone()
                    } else {
                        format!("[{}]", k.values.join(", "))
                    };
                    let o = match k.origin {
                        KeyOrigin::Given => "",
                        KeyOrigin::Derived => " (derived)",
                    };
                    format!("{}={v}{o}", k.key)
                })
                .collect();
            let _ = writeln!(o, "  context: {}", keys.join(", "));
        }
        if !self.assumed_absent.is_empty() {
            let _ = writeln!(o, "  assumed absent: {}", self.assumed_absent.join(", "));
        }
        for n in &self.notes {
            let _ = writeln!(o, "  note: {n}");
        }
        chain(&mut o, "SCPs (principal's account)", &self.scps);
        chain(&mut o, "RCPs (resource's account)", &self.rcps);
        group(&mut o, "identity policies", &self.identity);
        group(&mut o, "permissions boundary", &self.boundary);
        group(&mut o, "session policy", &self.session);
        group(&mut o, "resource policy", &self.resource);
        o
    }
}

fn chain(o: &mut String, title: &str, c: &ChainTrace) {
    if c.nodes.is_empty() {
        return;
    }
    match &c.skipped_because {
        Some(why) => {
            let _ = writeln!(o, "  {title}: skipped: {why}");
        }
        None => {
            let _ = writeln!(o, "  {title}");
            let n = c.nodes.len();
            for (i, node) in c.nodes.iter().enumerate() {
                let last = i + 1 == n;
                let _ = writeln!(
                    o,
                    "  {} {}: {}",
                    if last { "`-" } else { "|-" },
                    node.name,
                    node.verdict.as_str()
                );
                let pad = if last { "     " } else { "  |  " };
                statements(o, pad, &node.policies);
            }
        }
    }
}

fn group(o: &mut String, title: &str, g: &GroupTrace) {
    if g.policies.is_empty() {
        return;
    }
    match (&g.skipped_because, g.applies) {
        (Some(why), false) => {
            let _ = writeln!(o, "  {title}: skipped: {why}");
        }
        _ => {
            let _ = writeln!(o, "  {title}: {}", g.verdict.as_str());
            statements(o, "     ", &g.policies);
        }
    }
}

fn statements(o: &mut String, pad: &str, policies: &[PolicyTrace]) {
    for p in policies {
        for s in &p.statements {
            let at = match (&p.file, s.line, s.column) {
                (Some(f), Some(l), Some(c)) => format!(" ({f}:{l}:{c})"),
                _ => String::new(),
            };
            let effect = s.effect.as_str();
            match (&s.mismatch, s.matched) {
                (_, true) => {
                    let _ = writeln!(o, "{pad}{} {effect} `{}` matches{at}", p.name, s.statement);
                }
                (Some(Mismatch::Condition(c)), _) => {
                    let req = match &c.request_values {
                        None => "absent".to_string(),
                        Some(v) => format!("[{}]", v.join(", ")),
                    };
                    let _ = writeln!(
                        o,
                        "{pad}{} {effect} `{}` not applied: {} {} [{}] vs request {req}{at}",
                        p.name,
                        s.statement,
                        c.operator,
                        c.key,
                        c.policy_values.join(", ")
                    );
                }
                _ => {}
            }
        }
    }
}
