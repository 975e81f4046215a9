//! One compiled policy and its statements: matching `Action`/`NotAction`,
//! `Resource`/`NotResource`, `Principal`/`NotPrincipal` and `Condition` against a request.
//!
//! - Actions: IAM wildcards, case-insensitive (R5.1) [S14]; patterns are classified at compile
//!   time (`*`, exact, prefix, general glob).
//! - Resources: component by component (R5.2, [`crate::policy::condition::arn_match`]); the
//!   service component takes no wildcard; a bare `*` matches everything; a pattern whose
//!   variable has no value matches nothing (R6.9) [S14][S18].
//! - Principals (resource policies and RCPs only): `*`, account ids and `:root` ARNs (the whole
//!   account), user, role (any session of it), session, federated-user ARNs, service names
//!   (R1.6) [S1][S14].
//!
//! S14 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html>.

use std::sync::Arc;

use serde::Serialize;

use crate::policy::condition::{
    BareMultivalued, CompiledCondition, CondFlags, ConditionFailure, Resolved, Template, arn_match,
};
use crate::policy::pattern::{Case, glob_match};
use crate::policy::{Effect, PolicyKind, Principal, PrincipalKind, Version};
use crate::source::{SourceFile, Span};

use super::{NamedPolicy, PreparedRequest, PrincipalId, PrincipalType};

/// An action pattern classified for speed (all lowercase).
#[derive(Debug, Clone, PartialEq)]
enum ActionPattern {
    Any,
    Exact(String),
    Prefix(String),
    Glob(String),
}

impl ActionPattern {
    fn new(p: &str) -> ActionPattern {
        let l = p.to_ascii_lowercase();
        if l.bytes().all(|b| b == b'*') && !l.is_empty() {
            return ActionPattern::Any;
        }
        let wild = |s: &str| s.bytes().any(|b| b == b'*' || b == b'?');
        if !wild(&l) {
            return ActionPattern::Exact(l);
        }
        if let Some(prefix) = l.strip_suffix('*')
            && !wild(prefix)
        {
            return ActionPattern::Prefix(prefix.to_string());
        }
        ActionPattern::Glob(l)
    }

    fn matches(&self, action_lower: &str) -> bool {
        match self {
            ActionPattern::Any => true,
            ActionPattern::Exact(s) => s == action_lower,
            ActionPattern::Prefix(p) => action_lower.starts_with(p.as_str()),
            ActionPattern::Glob(g) => glob_match(g, action_lower, Case::Sensitive),
        }
    }
}

/// An `Action`/`NotAction` list, bucketed by service prefix: patterns whose service part is
/// literal are found by binary search on the request's service, so a 42-entry exemption list
/// costs a handful of comparisons.
#[derive(Debug, Clone, PartialEq)]
struct ActionSet {
    /// (service prefix with the colon, patterns on the whole action), sorted by prefix.
    by_service: Vec<(String, Vec<ActionPattern>)>,
    /// Patterns with a wildcard in the service part (`*`, `*:Get*`).
    other: Vec<ActionPattern>,
}

impl ActionSet {
    fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> ActionSet {
        let mut by_service: Vec<(String, Vec<ActionPattern>)> = Vec::new();
        let mut other = Vec::new();
        for p in patterns {
            let pat = ActionPattern::new(p);
            let lower = p.to_ascii_lowercase();
            match lower.split_once(':') {
                Some((svc, _)) if !svc.contains(['*', '?']) => {
                    let key = format!("{svc}:");
                    match by_service
                        .binary_search_by(|(k, _)| (k.len(), k.as_str()).cmp(&(key.len(), &key)))
                    {
                        Ok(i) => by_service[i].1.push(pat),
                        Err(i) => by_service.insert(i, (key, vec![pat])),
                    }
                }
                _ => other.push(pat),
            }
        }
        ActionSet { by_service, other }
    }

    fn matches(&self, action_lower: &str, service_len: usize) -> bool {
        if self.other.iter().any(|a| a.matches(action_lower)) {
            return true;
        }
        let service = &action_lower[..service_len];
        // Ordered by (length, bytes): most probes are settled by the length alone.
        match self
            .by_service
            .binary_search_by(|(k, _)| (k.len(), k.as_str()).cmp(&(service.len(), service)))
        {
            Ok(i) => self.by_service[i].1.iter().any(|a| a.matches(action_lower)),
            Err(_) => false,
        }
    }
}

/// A resource pattern.
#[derive(Debug, Clone, PartialEq)]
enum ResourcePattern {
    Any,
    Exact(String),
    Wild(String),
    Variable(Template),
}

impl ResourcePattern {
    fn new(p: &str, substitute: bool) -> ResourcePattern {
        let t = Template::parse(p, substitute);
        match t.as_plain() {
            Some(s) if !s.is_empty() && s.bytes().all(|b| b == b'*') => ResourcePattern::Any,
            Some(s) if s.bytes().any(|b| b == b'*' || b == b'?') => {
                ResourcePattern::Wild(s.to_string())
            }
            Some(s) => ResourcePattern::Exact(s.to_string()),
            None => ResourcePattern::Variable(t),
        }
    }

    fn matches(&self, req: &PreparedRequest) -> bool {
        let resource = req.request.resource.as_str();
        match self {
            ResourcePattern::Any => true,
            ResourcePattern::Exact(s) => s == resource,
            ResourcePattern::Wild(p) => resource_glob(p, &[], resource),
            ResourcePattern::Variable(t) => match t.resolve(&req.context) {
                Resolved::Null => false,
                Resolved::Text(p, lit) => resource_glob(&p, &lit, resource),
            },
        }
    }
}

/// R5.2: component-wise for ARNs; a request resource that is not an ARN (`*`) is compared as
/// a whole string.
fn resource_glob(pattern: &str, literal: &[usize], resource: &str) -> bool {
    match arn_match(pattern, literal, resource, false) {
        Some(m) => m,
        None if literal.is_empty() => glob_match(pattern, resource, Case::Sensitive),
        None => crate::policy::pattern::glob_match_with_literals(
            pattern,
            literal,
            resource,
            Case::Sensitive,
        ),
    }
}

/// How a resource policy named the caller (the rows of the table in R1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantForm {
    /// `*` (or `{"AWS": "*"}`).
    Wildcard,
    /// The account (`ACCT` or `arn:aws:iam::ACCT:root`).
    Account,
    /// The IAM user's ARN.
    User,
    /// The IAM role's ARN.
    Role,
    /// The role session's ARN.
    Session,
    /// The federated user's ARN.
    FederatedUser,
    /// The service principal's name.
    Service,
}

impl GrantForm {
    const ALL: [GrantForm; 7] = [
        GrantForm::Wildcard,
        GrantForm::Account,
        GrantForm::User,
        GrantForm::Role,
        GrantForm::Session,
        GrantForm::FederatedUser,
        GrantForm::Service,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`GrantForm`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrantSet(u8);

impl GrantSet {
    /// No grant.
    pub const EMPTY: GrantSet = GrantSet(0);

    /// Adds a form.
    pub fn insert(&mut self, f: GrantForm) {
        self.0 |= f.bit();
    }

    /// True when the form is in the set.
    pub fn contains(self, f: GrantForm) -> bool {
        self.0 & f.bit() != 0
    }

    /// True when empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The forms, in a fixed order.
    pub fn forms(self) -> impl Iterator<Item = GrantForm> {
        GrantForm::ALL
            .into_iter()
            .filter(move |f| self.contains(*f))
    }
}

/// One value of a `Principal` element, classified.
#[derive(Debug, Clone, PartialEq)]
enum PrincipalValue {
    Any,
    Account(String),
    User(String),
    Role { account: String, name: String },
    Session(String),
    Federated(String),
    Service(String),
    Other(String),
}

impl PrincipalValue {
    fn aws(v: &str) -> PrincipalValue {
        if v == "*" {
            return PrincipalValue::Any;
        }
        if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            return PrincipalValue::Account(v.to_string());
        }
        match PrincipalId::parse(v) {
            Ok(p) => match (p.kind, p.account) {
                (PrincipalType::Root, Some(a)) => PrincipalValue::Account(a),
                (PrincipalType::User, _) => PrincipalValue::User(v.to_string()),
                (PrincipalType::Role, Some(a)) => PrincipalValue::Role {
                    account: a,
                    name: p.name.unwrap_or_default(),
                },
                (PrincipalType::AssumedRole, _) => PrincipalValue::Session(v.to_string()),
                (PrincipalType::FederatedUser, _) => PrincipalValue::Federated(v.to_string()),
                _ => PrincipalValue::Other(v.to_string()),
            },
            Err(_) => PrincipalValue::Other(v.to_string()),
        }
    }

    /// The form under which this value names `p`, if it does.
    fn names(&self, p: &PrincipalId) -> Option<GrantForm> {
        use PrincipalType as T;
        match self {
            PrincipalValue::Any => Some(GrantForm::Wildcard),
            PrincipalValue::Account(a) => (p.is_aws_account_principal()
                && p.account.as_deref() == Some(a.as_str()))
            .then_some(GrantForm::Account),
            PrincipalValue::User(arn) => {
                (p.kind == T::User && p.raw == *arn).then_some(GrantForm::User)
            }
            PrincipalValue::Role { account, name } => (matches!(p.kind, T::Role | T::AssumedRole)
                && p.account.as_deref() == Some(account.as_str())
                && p.name.as_deref() == Some(name.as_str()))
            .then_some(GrantForm::Role),
            PrincipalValue::Session(arn) => {
                (p.kind == T::AssumedRole && p.raw == *arn).then_some(GrantForm::Session)
            }
            PrincipalValue::Federated(arn) => {
                (p.kind == T::FederatedUser && p.raw == *arn).then_some(GrantForm::FederatedUser)
            }
            PrincipalValue::Service(s) => (p.kind == T::Service
                && p.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(s)))
            .then_some(GrantForm::Service),
            PrincipalValue::Other(s) => (p.raw == *s).then_some(GrantForm::User),
        }
    }
}

/// A compiled `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
struct PrincipalMatcher {
    negated: bool,
    values: Vec<PrincipalValue>,
}

impl PrincipalMatcher {
    /// The forms under which the element covers `p`. For `NotPrincipal`: wildcard unless `p`
    /// is exempt, following AWS's NotPrincipal page (S14, "Key points"): AWS checks the
    /// caller's account, then its user or role (then the session), so an IAM user, role or
    /// session is exempt only when its account ARN and its own ARN (for a session: its role's
    /// or its session's) are both listed; and an IAM user or role with a permissions boundary
    /// (`has_boundary`) is never exempt. Other callers (root, services) are exempt when named.
    fn forms(&self, p: &PrincipalId, has_boundary: bool) -> GrantSet {
        use PrincipalType as T;
        let mut set = GrantSet::EMPTY;
        for v in &self.values {
            if let Some(f) = v.names(p) {
                set.insert(f);
            }
        }
        if self.negated {
            let iam = matches!(
                p.kind,
                T::User | T::Role | T::AssumedRole | T::FederatedUser
            );
            let any = self.values.contains(&PrincipalValue::Any);
            let exempt = if any {
                true
            } else if iam {
                let account = self
                    .values
                    .iter()
                    .any(|v| matches!(v, PrincipalValue::Account(_)) && v.names(p).is_some());
                let own = self
                    .values
                    .iter()
                    .any(|v| !matches!(v, PrincipalValue::Account(_)) && v.names(p).is_some());
                account && own && !(has_boundary && p.kind != T::FederatedUser)
            } else {
                !set.is_empty()
            };
            let mut s = GrantSet::EMPTY;
            if !exempt {
                s.insert(GrantForm::Wildcard);
            }
            return s;
        }
        set
    }
}

/// Why a statement did not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "element", rename_all = "lowercase")]
pub enum Mismatch {
    /// `Action`/`NotAction` does not cover the action.
    Action,
    /// `Resource`/`NotResource` does not cover the resource.
    Resource,
    /// `Principal`/`NotPrincipal` does not cover the caller.
    Principal,
    /// A condition failed.
    Condition(ConditionFailure),
}

/// A compiled statement.
#[derive(Debug, Clone)]
pub struct CompiledStatement {
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// 0-based position in the policy.
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// Span of the statement object.
    pub span: Span,
    /// JSON Pointer of the statement.
    pub pointer: String,
    action_negated: bool,
    actions: ActionSet,
    /// `None`: no `Resource` element (trust policies): every resource.
    resources: Option<(bool, Vec<ResourcePattern>)>,
    /// `None`: no principal test (identity-side policies and SCPs).
    principal: Option<PrincipalMatcher>,
    condition: Option<CompiledCondition>,
}

impl CompiledStatement {
    fn action_matches(&self, req: &PreparedRequest) -> bool {
        let any = self.actions.matches(&req.action_lower, req.service_len);
        any != self.action_negated
    }

    fn resource_matches(&self, req: &PreparedRequest) -> bool {
        match &self.resources {
            None => true,
            Some((negated, pats)) => pats.iter().any(|p| p.matches(req)) != *negated,
        }
    }

    fn principal_forms(&self, req: &PreparedRequest) -> GrantSet {
        match &self.principal {
            None => {
                let mut s = GrantSet::EMPTY;
                s.insert(GrantForm::Wildcard);
                s
            }
            Some(m) => m.forms(&req.request.principal, req.has_boundary),
        }
    }

    /// The forms under which the statement applies to the request (empty: it does not).
    pub fn applies(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        flags: &mut CondFlags,
    ) -> GrantSet {
        if !self.action_matches(req) || !self.resource_matches(req) {
            return GrantSet::EMPTY;
        }
        let forms = self.principal_forms(req);
        if forms.is_empty() {
            return forms;
        }
        match &self.condition {
            Some(c) if !c.matches(&req.context, mode, flags) => GrantSet::EMPTY,
            _ => forms,
        }
    }

    /// Like [`CompiledStatement::applies`], saying which element failed first.
    pub fn explain(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        flags: &mut CondFlags,
    ) -> Result<GrantSet, Mismatch> {
        if !self.action_matches(req) {
            return Err(Mismatch::Action);
        }
        if !self.resource_matches(req) {
            return Err(Mismatch::Resource);
        }
        let forms = self.principal_forms(req);
        if forms.is_empty() {
            return Err(Mismatch::Principal);
        }
        if let Some(c) = &self.condition {
            c.explain(&req.context, mode, flags)
                .map_err(Mismatch::Condition)?;
        }
        Ok(forms)
    }

    /// The statement's label for traces: its `Sid`, or `#index`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => s.clone(),
            None => format!("#{}", self.index),
        }
    }
}

/// A compiled policy document.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    /// Name for traces.
    pub name: String,
    /// What the policy is.
    pub kind: PolicyKind,
    /// Source text (for line and column in traces).
    pub source: Option<Arc<SourceFile>>,
    /// Every statement, in document order.
    pub statements: Vec<CompiledStatement>,
    // Indices into `statements`, split by effect for the fast path.
    denies: Vec<usize>,
    allows: Vec<usize>,
}

impl CompiledPolicy {
    /// Compiles a document as a policy of `kind`. Variables are substituted only when the
    /// document's `Version` is `2012-10-17` (R4.2) [S18]. `Principal` is honoured only for
    /// resource policies and RCPs; in a resource policy a statement without one names nobody,
    /// in an RCP it names everybody.
    pub fn compile(p: &NamedPolicy, kind: PolicyKind) -> CompiledPolicy {
        let doc = &p.document;
        let substitute = doc
            .version
            .as_ref()
            .is_some_and(|v| v.value == Version::V2012_10_17);
        let statements: Vec<CompiledStatement> = doc
            .statements
            .iter()
            .map(|s| {
                let principal = match kind {
                    PolicyKind::Resource | PolicyKind::Rcp => Some(match &s.principal {
                        Some(pe) => PrincipalMatcher {
                            negated: pe.negated,
                            values: match &pe.value {
                                Principal::Wildcard => vec![PrincipalValue::Any],
                                Principal::Map(entries) => entries
                                    .iter()
                                    .flat_map(|e| {
                                        e.values.iter().map(move |v| match e.kind.value {
                                            PrincipalKind::Aws => PrincipalValue::aws(&v.value),
                                            PrincipalKind::Service => {
                                                PrincipalValue::Service(v.value.clone())
                                            }
                                            _ if v.value == "*" => PrincipalValue::Any,
                                            _ => PrincipalValue::Other(v.value.clone()),
                                        })
                                    })
                                    .collect(),
                            },
                        },
                        None if kind == PolicyKind::Rcp => PrincipalMatcher {
                            negated: false,
                            values: vec![PrincipalValue::Any],
                        },
                        None => PrincipalMatcher {
                            negated: false,
                            values: Vec::new(),
                        },
                    }),
                    _ => None,
                };
                CompiledStatement {
                    effect: s.effect.value,
                    index: s.index,
                    sid: s.sid_str().map(str::to_string),
                    span: s.span,
                    pointer: s.pointer.clone(),
                    action_negated: s.action.negated,
                    actions: ActionSet::new(s.action.values.iter().map(|a| a.value.as_str())),
                    resources: s.resource.as_ref().map(|r| {
                        (
                            r.negated,
                            r.values
                                .iter()
                                .map(|v| ResourcePattern::new(&v.value, substitute))
                                .collect(),
                        )
                    }),
                    principal,
                    condition: s
                        .condition
                        .as_ref()
                        .map(|c| CompiledCondition::compile(c, substitute)),
                }
            })
            .collect();
        let by = |e: Effect| {
            statements
                .iter()
                .enumerate()
                .filter(|(_, s)| s.effect == e)
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        CompiledPolicy {
            name: p.name.clone(),
            kind,
            source: p.source.clone(),
            denies: by(Effect::Deny),
            allows: by(Effect::Allow),
            statements,
        }
    }

    /// Every context key read by the policy's conditions and variables, as (lowercase name,
    /// name as written).
    pub fn keys_read(&self) -> impl Iterator<Item = (&str, &str)> {
        self.statements.iter().flat_map(|s| {
            let cond = s.condition.iter().flat_map(|c| c.keys());
            let res = s.resources.iter().flat_map(|(_, pats)| {
                pats.iter().flat_map(|p| match p {
                    ResourcePattern::Variable(t) => {
                        t.variables().map(|k| (k, k)).collect::<Vec<_>>()
                    }
                    _ => Vec::new(),
                })
            });
            cond.chain(res)
        })
    }

    /// True when some statement's condition relies on the R6.9 extension to `ArnNot*` /
    /// `StringNotEqualsIgnoreCase` for a variable with no value (see
    /// [`CompiledCondition::uses_null_variable_extension`]).
    pub fn uses_null_variable_extension(&self, req: &PreparedRequest) -> bool {
        self.statements.iter().any(|s| {
            s.condition
                .as_ref()
                .is_some_and(|c| c.uses_null_variable_extension(&req.context))
        })
    }

    /// True when some `Deny` statement applies.
    pub fn any_deny(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        f: &mut CondFlags,
    ) -> bool {
        self.denies
            .iter()
            .any(|&i| !self.statements[i].applies(req, mode, f).is_empty())
    }

    /// True when some `Allow` statement applies.
    pub fn any_allow(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        f: &mut CondFlags,
    ) -> bool {
        self.allows
            .iter()
            .any(|&i| !self.statements[i].applies(req, mode, f).is_empty())
    }

    /// The union of the forms under which `Allow` statements apply (resource policies).
    pub fn grant_forms(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        f: &mut CondFlags,
    ) -> GrantSet {
        let mut set = GrantSet::EMPTY;
        for &i in &self.allows {
            let g = self.statements[i].applies(req, mode, f);
            for form in g.forms() {
                set.insert(form);
            }
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns_classify_and_match() {
        assert_eq!(ActionPattern::new("*"), ActionPattern::Any);
        assert_eq!(
            ActionPattern::new("S3:Get*"),
            ActionPattern::Prefix("s3:get".into())
        );
        assert!(ActionPattern::new("S3:getobject").matches("s3:getobject"));
        assert!(ActionPattern::new("ec2:*Instances").matches("ec2:runinstances"));
        assert!(!ActionPattern::new("s3:Get*").matches("s3:putobject"));
        assert!(ActionPattern::new("s3:?etObject").matches("s3:getobject"));
    }

    #[test]
    fn action_set_buckets_by_service() {
        let set = ActionSet::new(
            [
                "iam:*",
                "s3:GetAccountPublic*",
                "S3:ListAllMyBuckets",
                "*:Describe*",
            ]
            .into_iter(),
        );
        let m = |a: &str| set.matches(a, a.find(':').map_or(0, |i| i + 1));
        assert!(m("iam:createrole"));
        assert!(m("s3:listallmybuckets"));
        assert!(m("s3:getaccountpublicaccessblock"));
        assert!(!m("s3:getobject"));
        assert!(m("ec2:describeregions"));
        assert!(!m("ec2:runinstances"));
        assert!(!m("iam2:createrole"));
    }

    #[test]
    fn resource_star_and_arns() {
        // R5.2 (S14): `*` inside a segment crosses `/`; the bucket ARN is not covered by
        // `bucket/*`; a non-ARN request resource is compared whole.
        assert!(resource_glob(
            "arn:aws:s3:::b/foo/*/bar",
            &[],
            "arn:aws:s3:::b/foo/1/2/bar"
        ));
        assert!(!resource_glob("arn:aws:s3:::b/*", &[], "arn:aws:s3:::b"));
        assert!(!resource_glob("arn:aws:s3:::b/*", &[], "*"));
        assert!(resource_glob(
            "arn:aws:ec2:*:*:instance/*",
            &[],
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"
        ));
        assert!(!resource_glob(
            "arn:aws:ec2:*:*:instance/*",
            &[],
            "arn:aws:ec2:eu-west-1:111122223333:volume/v-1"
        ));
    }
}
