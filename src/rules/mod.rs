//! Lint rules: one file per rule, each a unit struct declared with [`declare_rule!`], whose doc
//! comment (What it does / Why is this bad? / Example / How to fix / AWS source) is kept as the
//! rule's documentation.
//!
//! Rules here see a successfully lowered [`PolicyDocument`] and the policy kind; the grammar
//! errors that stop lowering (JSON syntax, unknown elements, wrong types, ...) come from
//! [`crate::policy::err::PolicyErrorKind`] and share the same id space.

use std::sync::Arc;

use crate::config::Config;
use crate::diag::{Finding, Label, Severity};
use crate::org::OrgTree;
use crate::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyDocument, PolicyKind, Statement,
};
use crate::source::{SourceFile, Span};

mod catalog_support;
pub mod context_keys;

mod action_pattern_matches_nothing;
mod allow_star_action_star_resource;
mod arn_fits_no_resource_type;
mod child_allow_not_allowed_by_parent;
mod condition_never_true;
mod conflicting_elements;
mod duplicate_condition_key;
mod duplicate_key;
mod duplicate_sid;
mod duplicate_statement;
mod empty_condition_values;
mod empty_element;
mod forallvalues_allow_without_null_check;
mod invalid_condition_operator;
mod invalid_effect;
mod invalid_principal;
mod invalid_region;
mod invalid_sid;
mod invalid_version;
mod json_syntax;
mod legacy_scp_grammar;
mod locks_out_admin_role;
mod malformed_arn;
mod missing_action;
mod missing_effect;
mod missing_principal;
mod missing_resource;
mod missing_set_operator_on_multivalued_key;
mod missing_statement;
mod missing_version;
mod negated_operator_on_optional_key;
mod not_action_with_allow;
mod not_principal_with_allow;
mod not_principal_with_deny;
mod not_resource_with_allow;
mod operator_key_type_mismatch;
mod org_attachment_quota;
mod org_no_scp;
mod org_node_without_allow;
mod org_ou_depth;
mod pass_role_star;
mod policy_size_limit;
mod principal_not_allowed;
mod rcp_allow;
mod rcp_unsupported_element;
mod rcp_unsupported_service;
mod redundant_action;
mod region_allow_list_without_global_exemption;
mod scp_on_management_account;
mod set_operator_on_single_valued_key;
mod shadowed_statement;
mod source_ip_deny_without_service_exemption;
mod statement_never_matches;
mod unattached_policy;
mod unknown_action;
mod unknown_condition_key;
mod unknown_element;
mod unknown_service;
mod unresolved_placeholder;
mod unsupported_version;
mod variable_without_version;
mod wrong_type;

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

impl RuleMeta {
    /// The documentation as Markdown, without the one-space indent doc comments carry.
    pub fn docs_text(&self) -> String {
        let mut s = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            s.push_str(line.strip_prefix(' ').unwrap_or(line));
            s.push('\n');
        }
        s
    }

    /// True when the rule applies to every policy kind.
    pub fn applies_to_all_kinds(&self) -> bool {
        ALL_KINDS.iter().all(|k| self.kinds.contains(k))
    }
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

/// Which SCP grammar to check against (`--scp-grammar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, clap::ValueEnum)]
pub enum ScpGrammar {
    /// The full IAM grammar SCPs accept since 2025-09-19 (default).
    #[default]
    Current,
    /// Add the restrictions in force before 2025-09-19 (rule `legacy-scp-grammar`).
    Legacy,
}

/// What a document-level rule sees.
pub struct DocContext<'a> {
    /// The file.
    pub source: &'a Arc<SourceFile>,
    /// The lowered document.
    pub doc: &'a PolicyDocument,
    /// The policy kind it is checked as.
    pub kind: PolicyKind,
    /// The SCP grammar profile.
    pub scp_grammar: ScpGrammar,
    /// The settings the config gives the rule being run (`[settings.<rule-id>]`), if any.
    pub settings: Option<&'a toml::Table>,
    /// The whole configuration, if any (for project-wide tables such as `[quotas]`).
    pub config: Option<&'a Config>,
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

/// What an organization-level rule sees (`scpsim lint --org`).
pub struct OrgContext<'a> {
    /// The organization, loaded without errors.
    pub org: &'a OrgTree,
    /// The settings the config gives the rule being run (`[settings.<rule-id>]`), if any.
    pub settings: Option<&'a toml::Table>,
}

/// A lint rule. Override the visitor the rule needs; the default does nothing.
pub trait Rule: Sync {
    /// The rule's description.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one whole document, appending findings to `out`.
    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let _ = (cx, out);
    }

    /// Checks a whole organization (`scpsim lint --org`), appending findings to `out`.
    fn check_org(&self, cx: &OrgContext<'_>, out: &mut Vec<Finding>) {
        let _ = (cx, out);
    }

    /// Checks the rule's `[settings.<rule-id>]` table from `scpsim.toml`; `Err` has a lowercase
    /// message. By default a rule has no settings and accepts only an empty table.
    ///
    /// # Errors
    ///
    /// The table does not fit the rule's settings.
    fn check_settings(&self, settings: &toml::Table) -> Result<(), String> {
        match settings.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!("rule `{}` has no setting `{k}`", self.meta().id)),
        }
    }

    /// True for the grammar rules the parser reports (one per
    /// [`crate::policy::PolicyErrorKind`]); their `check_document` does nothing.
    fn reported_by_parser(&self) -> bool {
        false
    }

    /// True for the organization rules the org loader reports while reading the org file
    /// (quotas, OU depth, nodes without SCPs or without an Allow), because every command that
    /// reads an org needs them; their `check_org` does nothing.
    fn reported_by_org_loader(&self) -> bool {
        false
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

/// Every rule, grammar rules included, in stable (alphabetical) order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &action_pattern_matches_nothing::ActionPatternMatchesNothing,
        &allow_star_action_star_resource::AllowStarActionStarResource,
        &arn_fits_no_resource_type::ArnFitsNoResourceType,
        &child_allow_not_allowed_by_parent::ChildAllowNotAllowedByParent,
        &condition_never_true::ConditionNeverTrue,
        &conflicting_elements::ConflictingElements,
        &duplicate_condition_key::DuplicateConditionKey,
        &duplicate_key::DuplicateKey,
        &duplicate_sid::DuplicateSid,
        &duplicate_statement::DuplicateStatement,
        &empty_condition_values::EmptyConditionValues,
        &empty_element::EmptyElement,
        &forallvalues_allow_without_null_check::ForAllValuesAllowWithoutNullCheck,
        &invalid_condition_operator::InvalidConditionOperator,
        &invalid_effect::InvalidEffect,
        &invalid_principal::InvalidPrincipal,
        &invalid_region::InvalidRegion,
        &invalid_sid::InvalidSid,
        &invalid_version::InvalidVersion,
        &json_syntax::JsonSyntax,
        &legacy_scp_grammar::LegacyScpGrammar,
        &locks_out_admin_role::LocksOutAdminRole,
        &malformed_arn::MalformedArn,
        &missing_action::MissingAction,
        &missing_effect::MissingEffect,
        &missing_principal::MissingPrincipal,
        &missing_resource::MissingResource,
        &missing_set_operator_on_multivalued_key::MissingSetOperatorOnMultivaluedKey,
        &missing_statement::MissingStatement,
        &missing_version::MissingVersion,
        &negated_operator_on_optional_key::NegatedOperatorOnOptionalKey,
        &not_action_with_allow::NotActionWithAllow,
        &not_principal_with_allow::NotPrincipalWithAllow,
        &not_principal_with_deny::NotPrincipalWithDeny,
        &not_resource_with_allow::NotResourceWithAllow,
        &operator_key_type_mismatch::OperatorKeyTypeMismatch,
        &org_attachment_quota::OrgAttachmentQuota,
        &org_no_scp::OrgNoScp,
        &org_node_without_allow::OrgNodeWithoutAllow,
        &org_ou_depth::OrgOuDepth,
        &pass_role_star::PassRoleStar,
        &policy_size_limit::PolicySizeLimit,
        &principal_not_allowed::PrincipalNotAllowed,
        &rcp_allow::RcpAllow,
        &rcp_unsupported_element::RcpUnsupportedElement,
        &rcp_unsupported_service::RcpUnsupportedService,
        &redundant_action::RedundantAction,
        &region_allow_list_without_global_exemption::RegionAllowListWithoutGlobalExemption,
        &scp_on_management_account::ScpOnManagementAccount,
        &set_operator_on_single_valued_key::SetOperatorOnSingleValuedKey,
        &shadowed_statement::ShadowedStatement,
        &source_ip_deny_without_service_exemption::SourceIpDenyWithoutServiceExemption,
        &statement_never_matches::StatementNeverMatches,
        &unattached_policy::UnattachedPolicy,
        &unknown_action::UnknownAction,
        &unknown_condition_key::UnknownConditionKey,
        &unknown_element::UnknownElement,
        &unknown_service::UnknownService,
        &unresolved_placeholder::UnresolvedPlaceholder,
        &unsupported_version::UnsupportedVersion,
        &variable_without_version::VariableWithoutVersion,
        &wrong_type::WrongType,
    ]
}

/// The rule with this id, if any.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}

/// The known rule ids closest to `id` (Jaro-Winkler similarity of at least 0.8), best first;
/// for "did you mean" hints.
pub fn suggest(id: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = all()
        .iter()
        .map(|r| (strsim::jaro_winkler(id, r.meta().id), r.meta().id))
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

/// Runs every rule that applies to `kind` over a lowered document.
pub fn check_document(
    source: &Arc<SourceFile>,
    doc: &PolicyDocument,
    kind: PolicyKind,
    scp_grammar: ScpGrammar,
    config: Option<&Config>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in all() {
        if rule.meta().kinds.contains(&kind) {
            let cx = DocContext {
                source,
                doc,
                kind,
                scp_grammar,
                settings: config.and_then(|c| c.settings_for(rule.meta().id)),
                config,
            };
            rule.check_document(&cx, &mut out);
        }
    }
    out
}

/// Runs every rule's organization-level check (`scpsim lint --org`).
pub fn check_org(org: &OrgTree, config: Option<&Config>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in all() {
        let cx = OrgContext {
            org,
            settings: config.and_then(|c| c.settings_for(rule.meta().id)),
        };
        rule.check_org(&cx, &mut out);
    }
    out
}

/// Deserializes a rule's settings table; `None` settings give the default.
///
/// # Errors
///
/// The table does not fit `T` (unknown key, wrong type), as a lowercase message.
pub(crate) fn parse_settings<T: serde::de::DeserializeOwned + Default>(
    settings: Option<&toml::Table>,
) -> Result<T, String> {
    match settings {
        None => Ok(T::default()),
        Some(t) => toml::Value::Table(t.clone())
            .try_into()
            .map_err(|e: toml::de::Error| e.message().trim().to_string()),
    }
}

/// Every `(operator block, context key entry)` pair of a statement's `Condition`.
pub(crate) fn condition_entries(
    s: &Statement,
) -> impl Iterator<Item = (&ConditionBlock, &ConditionEntry)> {
    s.condition
        .iter()
        .flat_map(|c| c.blocks.iter())
        .flat_map(|b| b.entries.iter().map(move |e| (b, e)))
}

/// True when the statement's `Condition` holds `"Null": {key: "false"}` (the key must be
/// present), comparing key names case-insensitively.
pub(crate) fn has_null_false(s: &Statement, key: &str) -> bool {
    condition_entries(s).any(|(b, e)| {
        b.operator.value.base == BaseOperator::Null
            && e.key.value.eq_ignore_ascii_case(key)
            && e.values
                .iter()
                .all(|v| v.value.text.eq_ignore_ascii_case("false"))
    })
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

    /// A one-statement SCP denying everything under the condition block `c` (the text inside
    /// `"Condition": {...}`), the condition on line 2.
    pub(crate) fn deny_all_if(c: &str) -> String {
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\n\"Condition\":{{{c}}}}}]}}"
        )
    }

    /// Lints `text` as `kind` with one rule and returns `(rule id, 1-based line)` pairs.
    pub(crate) fn run(rule: &dyn Rule, kind: PolicyKind, text: &str) -> Vec<(&'static str, usize)> {
        run_with(rule, kind, ScpGrammar::Current, text)
    }

    /// Like [`run`], with an SCP grammar profile.
    pub(crate) fn run_with(
        rule: &dyn Rule,
        kind: PolicyKind,
        scp_grammar: ScpGrammar,
        text: &str,
    ) -> Vec<(&'static str, usize)> {
        let source = SourceFile::new("t.json", text);
        let doc = parse_policy(text).expect("test policy must parse");
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind,
            scp_grammar,
            settings: None,
            config: None,
        };
        let mut out = Vec::new();
        rule.check_document(&cx, &mut out);
        out.iter().map(|f| (f.rule, f.location().line)).collect()
    }

    /// Loads the org of `fixtures/rules/<dir>` and runs one rule's org check; returns
    /// `(rule id, file name, 1-based line)` triples.
    pub(crate) fn run_org(rule: &dyn Rule, dir: &str) -> Vec<(&'static str, String, usize)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/rules")
            .join(dir);
        let quotas = crate::catalog::Catalog::load().unwrap().quotas();
        let loaded = crate::org::local::load(&path, &quotas);
        let org = loaded.tree.expect("fixture org loads");
        let cx = OrgContext {
            org: &org,
            settings: None,
        };
        let mut out = Vec::new();
        rule.check_org(&cx, &mut out);
        out.iter()
            .map(|f| {
                let name = std::path::Path::new(f.source.name())
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                (f.rule, name, f.location().line)
            })
            .collect()
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
            assert!(!m.summary.is_empty());
            let from_parser = crate::policy::PolicyErrorKind::ALL
                .iter()
                .any(|k| k.code() == m.id);
            assert_eq!(
                from_parser,
                r.reported_by_parser(),
                "{}: reported_by_parser must be true exactly for the grammar error ids",
                m.id
            );
        }
        for k in crate::policy::PolicyErrorKind::ALL {
            assert!(
                find(k.code()).is_some_and(|r| r.reported_by_parser()),
                "grammar error id {} has no rule file",
                k.code()
            );
        }
    }

    #[test]
    fn find_and_suggest() {
        assert_eq!(
            find("duplicate-sid").map(|r| r.meta().id),
            Some("duplicate-sid")
        );
        assert!(find("duplicate-sids").is_none());
        assert_eq!(suggest("duplicate-sids").first(), Some(&"duplicate-sid"));
        assert!(suggest("zzzz").is_empty());
    }
}
