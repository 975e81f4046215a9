//! Lint rules: one file per rule, each a unit struct declared with [`declare_rule!`], whose doc
//! comment (What it does / Why is this bad? / Example / How to fix / AWS source) is kept as the
//! rule's documentation.
//!
//! Rules here see a successfully lowered [`PolicyDocument`] and the policy kind; the grammar
//! errors that stop lowering (JSON syntax, unknown elements, wrong types, ...) come from
//! [`crate::policy::err::PolicyErrorKind`] and share the same id space.

use std::sync::Arc;

use crate::diag::{Finding, Label, Severity};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::{SourceFile, Span};

mod duplicate_sid;
mod invalid_sid;
mod missing_principal;
mod missing_resource;
mod missing_version;
mod not_action_with_allow;
mod not_principal_with_allow;
mod principal_not_allowed;
mod rcp_allow;
mod rcp_unsupported_element;
mod unsupported_version;
mod variable_without_version;

/// Static description of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case id, never renamed once released.
    pub id: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// The policy kinds the rule applies to.
    pub kinds: &'static [PolicyKind],
    /// Markdown documentation (the rule struct's doc comment).
    pub docs: &'static str,
}

/// Every policy kind, for rules that apply to all of them.
pub const ALL_KINDS: &[PolicyKind] = &[
    PolicyKind::Scp,
    PolicyKind::Rcp,
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Boundary,
    PolicyKind::Session,
];

/// What a document-level rule sees.
pub struct DocContext<'a> {
    /// The file.
    pub source: &'a Arc<SourceFile>,
    /// The lowered document.
    pub doc: &'a PolicyDocument,
    /// The policy kind it is checked as.
    pub kind: PolicyKind,
}

impl DocContext<'_> {
    /// Builds a finding of `meta`'s rule at `span`, with its default severity.
    pub fn finding(
        &self,
        meta: &RuleMeta,
        span: Span,
        pointer: &str,
        message: String,
        label: &str,
    ) -> Finding {
        Finding {
            rule: meta.id,
            severity: meta.default_severity,
            message,
            label: label.to_string(),
            span,
            pointer: pointer.to_string(),
            help: None,
            related: Vec::new(),
            note: None,
            source: Arc::clone(self.source),
        }
    }
}

/// A lint rule. Override the visitor the rule needs; the default does nothing.
pub trait Rule: Sync {
    /// The rule's description.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one whole document, appending findings to `out`.
    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let _ = (cx, out);
    }
}

/// Declares a rule struct and its [`RuleMeta`], keeping the doc comment as the rule's docs.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            summary: $summary:literal,
            severity: $sev:ident,
            kinds: $kinds:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl $name {
            pub(crate) const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                summary: $summary,
                default_severity: $crate::diag::Severity::$sev,
                kinds: $kinds,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// Every document rule, in stable (alphabetical) order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &duplicate_sid::DuplicateSid,
        &invalid_sid::InvalidSid,
        &missing_principal::MissingPrincipal,
        &missing_resource::MissingResource,
        &missing_version::MissingVersion,
        &not_action_with_allow::NotActionWithAllow,
        &not_principal_with_allow::NotPrincipalWithAllow,
        &principal_not_allowed::PrincipalNotAllowed,
        &rcp_allow::RcpAllow,
        &rcp_unsupported_element::RcpUnsupportedElement,
        &unsupported_version::UnsupportedVersion,
        &variable_without_version::VariableWithoutVersion,
    ]
}

/// Runs every rule that applies to `kind` over a lowered document.
pub fn check_document(
    source: &Arc<SourceFile>,
    doc: &PolicyDocument,
    kind: PolicyKind,
) -> Vec<Finding> {
    let cx = DocContext { source, doc, kind };
    let mut out = Vec::new();
    for rule in all() {
        if rule.meta().kinds.contains(&kind) {
            rule.check_document(&cx, &mut out);
        }
    }
    out
}

/// A secondary label helper for rules.
pub(crate) fn label(span: Span, message: &str) -> Label {
    Label {
        span,
        message: message.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::policy::parse_policy;

    /// Lints `text` as `kind` with one rule and returns `(rule id, 1-based line)` pairs.
    pub(crate) fn run(rule: &dyn Rule, kind: PolicyKind, text: &str) -> Vec<(&'static str, usize)> {
        let source = SourceFile::new("t.json", text);
        let doc = parse_policy(text).expect("test policy must parse");
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind,
        };
        let mut out = Vec::new();
        rule.check_document(&cx, &mut out);
        out.iter().map(|f| (f.rule, f.location().line)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_sorted_and_documented() {
        let ids: Vec<_> = all().iter().map(|r| r.meta().id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            ids, sorted,
            "rules must be unique and listed alphabetically"
        );
        for r in all() {
            let m = r.meta();
            assert!(
                m.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                m.id
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## How to fix",
                "## AWS source",
            ] {
                assert!(m.docs.contains(heading), "{} lacks `{heading}`", m.id);
            }
            assert!(!m.kinds.is_empty());
            assert!(
                !crate::policy::PolicyErrorKind::ALL
                    .iter()
                    .any(|k| k.code() == m.id),
                "{} clashes with a grammar error id",
                m.id
            );
        }
    }
}
