//! Errors found while reading a policy document: JSON syntax and the IAM policy grammar.
//!
//! Every error has a stable rule id (the `code`), a lowercase message, the span and JSON Pointer
//! of the offending element, and optional help. [`PolicyErrors`] is never empty.

use std::fmt;

use crate::diag::Label;
use crate::source::Span;

/// What kind of grammar error this is; each kind is one rule id of `scpsim lint`.
///
/// Sources: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html> and
/// IAM Access Analyzer's policy checks
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not strict RFC 8259 JSON.
    JsonSyntax,
    /// The same key appears twice in one JSON object; one value would be silently lost.
    DuplicateKey,
    /// An element name IAM does not know (names are case-sensitive).
    UnknownElement,
    /// An element holds the wrong JSON type (e.g. `Statement` as a string).
    WrongType,
    /// `Version` is not `2012-10-17` or `2008-10-17`.
    InvalidVersion,
    /// The document has no `Statement`.
    MissingStatement,
    /// A statement has no `Effect`.
    MissingEffect,
    /// `Effect` is not exactly `Allow` or `Deny`.
    InvalidEffect,
    /// A statement has neither `Action` nor `NotAction`.
    MissingAction,
    /// Both forms of one element in one statement (`Action` with `NotAction`, ...).
    ConflictingElements,
    /// An empty `Statement`, `Action`, `Resource` or `Principal` list.
    EmptyElement,
    /// `Principal` is neither `"*"` nor a map of `AWS`/`Service`/`Federated`/`CanonicalUser`.
    InvalidPrincipal,
    /// A condition operator IAM does not know (operators are case-sensitive).
    InvalidConditionOperator,
    /// One condition key written twice under one operator with different case.
    DuplicateConditionKey,
}

impl PolicyErrorKind {
    /// The rule id used in every output.
    pub fn code(self) -> &'static str {
        match self {
            PolicyErrorKind::JsonSyntax => "json-syntax",
            PolicyErrorKind::DuplicateKey => "duplicate-key",
            PolicyErrorKind::UnknownElement => "unknown-element",
            PolicyErrorKind::WrongType => "wrong-type",
            PolicyErrorKind::InvalidVersion => "invalid-version",
            PolicyErrorKind::MissingStatement => "missing-statement",
            PolicyErrorKind::MissingEffect => "missing-effect",
            PolicyErrorKind::InvalidEffect => "invalid-effect",
            PolicyErrorKind::MissingAction => "missing-action",
            PolicyErrorKind::ConflictingElements => "conflicting-elements",
            PolicyErrorKind::EmptyElement => "empty-element",
            PolicyErrorKind::InvalidPrincipal => "invalid-principal",
            PolicyErrorKind::InvalidConditionOperator => "invalid-condition-operator",
            PolicyErrorKind::DuplicateConditionKey => "duplicate-condition-key",
        }
    }

    /// Every kind, in a stable order (for rule listings and tests).
    pub const ALL: [PolicyErrorKind; 14] = [
        PolicyErrorKind::JsonSyntax,
        PolicyErrorKind::DuplicateKey,
        PolicyErrorKind::UnknownElement,
        PolicyErrorKind::WrongType,
        PolicyErrorKind::InvalidVersion,
        PolicyErrorKind::MissingStatement,
        PolicyErrorKind::MissingEffect,
        PolicyErrorKind::InvalidEffect,
        PolicyErrorKind::MissingAction,
        PolicyErrorKind::ConflictingElements,
        PolicyErrorKind::EmptyElement,
        PolicyErrorKind::InvalidPrincipal,
        PolicyErrorKind::InvalidConditionOperator,
        PolicyErrorKind::DuplicateConditionKey,
    ];
}

/// One grammar or syntax error in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// Which rule it breaks.
    pub kind: PolicyErrorKind,
    /// Lowercase message, user input in backticks, no final period.
    pub message: String,
    /// Text shown under the span.
    pub label: String,
    /// The offending element.
    pub span: Span,
    /// JSON Pointer of the offending element (`/Statement/2/Effect`).
    pub pointer: String,
    /// Advice.
    pub help: Option<String>,
    /// Other places that explain the error (e.g. the first of two duplicate keys).
    pub related: Vec<Label>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Every error of one document, in source order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors {
    // INVARIANT: never empty.
    errors: Vec<PolicyError>,
}

impl PolicyErrors {
    /// Builds the list from a vector, sorted by position; `None` when it is empty.
    pub fn from_vec(mut errors: Vec<PolicyError>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        errors.sort_by_key(|e| (e.span.start, e.span.end, e.kind));
        Some(PolicyErrors { errors })
    }

    /// A list of exactly one error.
    pub fn one(error: PolicyError) -> Self {
        PolicyErrors {
            errors: vec![error],
        }
    }

    /// Iterates over every error.
    pub fn iter(&self) -> impl Iterator<Item = &PolicyError> {
        self.errors.iter()
    }

    /// Number of errors (at least 1).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always false; present for API symmetry with collections.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut it = self.errors.iter();
        if let Some(first) = it.next() {
            write!(f, "{first}")?;
        }
        match self.errors.len() {
            0 | 1 => Ok(()),
            n => write!(f, " (and {} more errors)", n - 1),
        }
    }
}

impl std::error::Error for PolicyErrors {}

impl IntoIterator for PolicyErrors {
    type Item = PolicyError;
    type IntoIter = std::vec::IntoIter<PolicyError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}
