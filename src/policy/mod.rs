//! The typed policy AST, shared by every policy kind (SCP, RCP, identity, resource, permissions
//! boundary, session policy).
//!
//! Every node remembers its byte [`Span`] and its JSON Pointer (`/Statement/2/Action/0`), so any
//! later message can point at file:line:column. Shapes follow IAM's grammar
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>):
//! `Statement` may be one object or an array; `Action`, `Resource`, principal values and
//! condition values may be a string or an array of strings; `Principal` is `"*"` or a map.
//!
//! Build one with [`parse_policy`]; print one back with [`PolicyDocument::to_json_pretty`].

pub mod condition;
pub mod err;
mod lower;
pub mod pattern;
mod print;

use std::fmt;

use serde::Serialize;

pub use err::{PolicyError, PolicyErrorKind, PolicyErrors};
pub use lower::{LowerOptions, lower, lower_partial, lower_with, parse_policy, parse_policy_with};

use crate::source::Span;

/// A value with the span and JSON Pointer of the JSON text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Byte span of the JSON value (strings include their quotes).
    pub span: Span,
    /// JSON Pointer (RFC 6901) of the value.
    pub pointer: String,
}

impl<T> Spanned<T> {
    /// Wraps a value with its location.
    pub fn new(value: T, span: Span, pointer: impl Into<String>) -> Self {
        Spanned {
            value,
            span,
            pointer: pointer.into(),
        }
    }
}

/// What a policy document is for; decides which elements are allowed and required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Service control policy (AWS Organizations), principal side.
    Scp,
    /// Resource control policy (AWS Organizations), resource side.
    Rcp,
    /// Identity-based policy attached to a user, group or role.
    Identity,
    /// Resource-based policy (bucket policy, key policy, trust policy, VPC endpoint policy, ...).
    Resource,
    /// Permissions boundary (an identity-policy document used as a limit).
    Boundary,
    /// Session policy passed to AssumeRole / GetFederationToken.
    Session,
}

impl PolicyKind {
    /// The lowercase name used on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// True for the kinds written in IAM's identity-policy dialect (identity, boundary, session),
    /// where IAM enforces its own rules such as alphanumeric, unique `Sid`s.
    pub fn is_iam_identity_like(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
        )
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy language version. Only `2012-10-17` substitutes policy variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `"2012-10-17"`, the current version.
    V2012_10_17,
    /// `"2008-10-17"`, the old version (also what IAM assumes when `Version` is absent).
    V2008_10_17,
}

impl Version {
    /// The version string as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    /// `Version`, if present.
    pub version: Option<Spanned<Version>>,
    /// `Id`, if present.
    pub id: Option<Spanned<String>>,
    /// The statements, in source order (a single `Statement` object becomes one entry).
    pub statements: Vec<Statement>,
    /// True when `Statement` was written as an array (kept so printing round-trips).
    pub statement_is_array: bool,
    /// Span of the `Statement` value.
    pub statement_span: Span,
    /// Span of the whole document object.
    pub span: Span,
}

/// `Allow` or `Deny`. Case-sensitive in JSON
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    /// Grants (or, in SCPs/RCPs/boundaries, permits) what the statement matches.
    Allow,
    /// Explicitly denies what the statement matches; always wins.
    Deny,
}

impl Effect {
    /// `"Allow"` or `"Deny"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Position in the document's statement list (0-based).
    pub index: usize,
    /// JSON Pointer of the statement object (`/Statement/2`, or `/Statement` for a lone object).
    pub pointer: String,
    /// Span of the statement object.
    pub span: Span,
    /// `Sid`, if present.
    pub sid: Option<Spanned<String>>,
    /// `Effect`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`, if present.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction` (exactly one is required).
    pub action: ListElement,
    /// `Resource` or `NotResource`, if present.
    pub resource: Option<ListElement>,
    /// `Condition`, if present.
    pub condition: Option<ConditionElement>,
}

impl Statement {
    /// The `Sid` text, if any.
    pub fn sid_str(&self) -> Option<&str> {
        self.sid.as_ref().map(|s| s.value.as_str())
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    /// True for the `Not...` form.
    pub negated: bool,
    /// The values, each with its own location.
    pub values: Vec<Spanned<String>>,
    /// True when written as an array, false for a single string.
    pub is_array: bool,
    /// Span of the element name (the JSON key, with quotes).
    pub key_span: Span,
    /// Span of the element value.
    pub span: Span,
    /// JSON Pointer of the element value (`/Statement/0/Action`).
    pub pointer: String,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The principal value.
    pub value: Principal,
    /// Span of the element name.
    pub key_span: Span,
    /// Span of the element value.
    pub span: Span,
    /// JSON Pointer of the element value.
    pub pointer: String,
}

/// The value of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Wildcard,
    /// A map of principal types to one or more values, in source order.
    Map(Vec<PrincipalEntry>),
}

/// One `"AWS": [...]`-style entry of a `Principal` map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// The principal type.
    pub kind: Spanned<PrincipalKind>,
    /// The values (ARNs, account ids, service names, provider names, canonical ids, or `*`).
    pub values: Vec<Spanned<String>>,
    /// True when written as an array.
    pub is_array: bool,
}

/// The principal types of IAM's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// `"AWS"`: accounts, users, roles, sessions.
    Aws,
    /// `"Service"`: AWS service principals such as `cloudtrail.amazonaws.com`.
    Service,
    /// `"Federated"`: SAML and OIDC providers.
    Federated,
    /// `"CanonicalUser"`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalKind {
    /// The key as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
        }
    }

    /// Parses a key; exact, case-sensitive match.
    pub fn from_key(s: &str) -> Option<Self> {
        Some(match s {
            "AWS" => PrincipalKind::Aws,
            "Service" => PrincipalKind::Service,
            "Federated" => PrincipalKind::Federated,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            _ => return None,
        })
    }
}

/// The `Condition` element: operator -> context key -> values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionElement {
    /// One block per operator, in source order. All blocks must hold (AND).
    pub blocks: Vec<ConditionBlock>,
    /// Span of the element name.
    pub key_span: Span,
    /// Span of the element value.
    pub span: Span,
    /// JSON Pointer of the element value.
    pub pointer: String,
}

/// One operator with its context keys, e.g. `"StringEquals": {"aws:RequestedRegion": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionBlock {
    /// The operator; the span is that of the operator's JSON key.
    pub operator: Spanned<Operator>,
    /// Context keys and their values. All keys must hold (AND).
    pub entries: Vec<ConditionEntry>,
}

/// One context key with its policy values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionEntry {
    /// The context key as written (key names are case-insensitive; compare folded).
    pub key: Spanned<String>,
    /// The values: any one may match (OR) for positive operators.
    pub values: Vec<Spanned<ConditionValue>>,
    /// True when written as an array.
    pub is_array: bool,
}

/// A condition value. JSON numbers and booleans are accepted by IAM's grammar and are
/// compared through their JSON text (`false` -> `"false"`, `10` -> `"10"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionValue {
    /// The value as text (decoded string, or the number/boolean literal as written).
    pub text: String,
    /// The JSON type it was written as.
    pub json_type: ValueType,
}

/// The JSON type a condition value was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// A parsed condition operator: optional set qualifier, base operator, optional `IfExists`.
/// Source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// `ForAllValues:` or `ForAnyValue:`, if given.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// True when the name ends in `IfExists`.
    pub if_exists: bool,
}

/// The set-operator prefixes for multivalued context keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must match (true when the key is absent).
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must match (false when the key is absent).
    ForAnyValue,
}

impl SetQualifier {
    /// The prefix as written, without the colon.
    pub fn as_str(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

macro_rules! base_operators {
    ($($name:ident),* $(,)?) => {
        /// The base condition operators of IAM (without qualifier or `IfExists`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum BaseOperator {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl BaseOperator {
            /// Every base operator, in documentation order.
            pub const ALL: &'static [BaseOperator] = &[$(BaseOperator::$name),*];

            /// The operator name as written in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(BaseOperator::$name => stringify!($name),)*
                }
            }

            /// Exact, case-sensitive lookup of a base operator name.
            pub fn from_name(s: &str) -> Option<Self> {
                match s {
                    $(stringify!($name) => Some(BaseOperator::$name),)*
                    _ => None,
                }
            }
        }
    };
}

base_operators!(
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
);

impl BaseOperator {
    /// True for the negated operators, which hold when the key is absent
    /// (`StringNotEquals`, `StringNotLike`, `NumericNotEquals`, `DateNotEquals`, `ArnNotEquals`,
    /// `ArnNotLike`, `NotIpAddress`, `StringNotEqualsIgnoreCase`).
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
                | BaseOperator::NotIpAddress
        )
    }
}

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringLikeIfExists`. Case-sensitive, as
    /// IAM is (`stringEquals` is rejected). `Null` takes no `IfExists`.
    pub fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        if let Some(base) = BaseOperator::from_name(rest) {
            return Some(Operator {
                qualifier,
                base,
                if_exists: false,
            });
        }
        let base = BaseOperator::from_name(rest.strip_suffix("IfExists")?)?;
        if base == BaseOperator::Null {
            return None;
        }
        Some(Operator {
            qualifier,
            base,
            if_exists: true,
        })
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(q) = self.qualifier {
            write!(f, "{}:", q.as_str())?;
        }
        f.write_str(self.base.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(base: &str, token: &str) -> String {
    let mut s = String::with_capacity(base.len() + token.len() + 1);
    s.push_str(base);
    s.push('/');
    for c in token.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

/// Resets every span to empty and every pointer to `""`, so that two documents can be compared
/// by content alone (used by round-trip tests).
pub trait ClearLocations {
    /// Clears spans and pointers in place.
    fn clear_locations(&mut self);
}

impl<T> ClearLocations for Spanned<T> {
    fn clear_locations(&mut self) {
        self.span = Span::default();
        self.pointer.clear();
    }
}

impl ClearLocations for PolicyDocument {
    fn clear_locations(&mut self) {
        if let Some(v) = &mut self.version {
            v.clear_locations();
        }
        if let Some(v) = &mut self.id {
            v.clear_locations();
        }
        self.statement_span = Span::default();
        self.span = Span::default();
        for s in &mut self.statements {
            s.pointer.clear();
            s.span = Span::default();
            if let Some(v) = &mut s.sid {
                v.clear_locations();
            }
            s.effect.clear_locations();
            if let Some(p) = &mut s.principal {
                p.key_span = Span::default();
                p.span = Span::default();
                p.pointer.clear();
                if let Principal::Map(entries) = &mut p.value {
                    for e in entries {
                        e.kind.clear_locations();
                        e.values
                            .iter_mut()
                            .for_each(ClearLocations::clear_locations);
                    }
                }
            }
            s.action.clear_locations();
            if let Some(r) = &mut s.resource {
                r.clear_locations();
            }
            if let Some(c) = &mut s.condition {
                c.key_span = Span::default();
                c.span = Span::default();
                c.pointer.clear();
                for b in &mut c.blocks {
                    b.operator.clear_locations();
                    for e in &mut b.entries {
                        e.key.clear_locations();
                        e.values
                            .iter_mut()
                            .for_each(ClearLocations::clear_locations);
                    }
                }
            }
        }
    }
}

impl ClearLocations for ListElement {
    fn clear_locations(&mut self) {
        self.key_span = Span::default();
        self.span = Span::default();
        self.pointer.clear();
        self.values
            .iter_mut()
            .for_each(ClearLocations::clear_locations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_parsing_is_case_sensitive_and_complete() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
        assert!(Operator::parse("stringEquals").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("forallvalues:StringEquals").is_none());
        assert!(Operator::parse("StringEqualsIfexists").is_none());
        for b in BaseOperator::ALL {
            assert_eq!(Operator::parse(b.as_str()).unwrap().base, *b);
        }
        assert_eq!(BaseOperator::ALL.len(), 27);
    }

    #[test]
    fn pointer_escapes_slash_and_tilde() {
        assert_eq!(
            pointer_push(
                "/Statement/0/Condition/StringEquals",
                "aws:PrincipalTag/a~b"
            ),
            "/Statement/0/Condition/StringEquals/aws:PrincipalTag~1a~0b"
        );
    }
}
