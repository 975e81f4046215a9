use crate::catalog::{QuotaOverrides, Quotas};
use crate::diag::Finding;
use crate::json::minified_len;
use crate::policy::PolicyKind;
use crate::source::Span;

use super::catalog_support::catalog;
use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Measures an SCP or RCP against the Organizations size quota (from the catalog's dated
    /// quota table, or `[quotas]` in `scpsim.toml`): the size as written, which is what the
    /// API and CLI store, and the size with whitespace outside strings removed, which is what
    /// the console stores. Both are reported.
    ///
    /// ## Why is this bad?
    /// AWS Organizations counts every character of the document, whitespace included, when a
    /// policy is created or updated through the API, the CLI or infrastructure-as-code tools,
    /// and rejects a document over the quota (10,240 characters for SCPs since 2026-05-15,
    /// 5,120 before; 5,120 for RCPs). A policy indented for readability can fail to deploy
    /// although its minified form is far below the quota.
    ///
    /// ## Example
    /// An SCP file of 10,820 characters, 1,454 when minified: rejected by `aws organizations
    /// update-policy`, accepted once minified.
    ///
    /// ## How to fix
    /// Minify the document before uploading it (`scpsim lint --fix` does so when the minified
    /// text fits), or split the statements over several policies (each node takes up to the
    /// per-node quota of policies).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>
    PolicySizeLimit {
        id: "policy-size-limit",
        summary: "an SCP or RCP larger than the Organizations size quota",
        severity: Error,
        kinds: &[PolicyKind::Scp, PolicyKind::Rcp],
    }
}

/// The quotas in force: the catalog's latest, with the config's `[quotas]` overrides.
fn quotas(cx: &DocContext<'_>) -> Option<Quotas> {
    let base = catalog()?.quotas();
    let overrides: QuotaOverrides = cx
        .config
        .and_then(|c| c.quotas.clone())
        .and_then(|t| toml::Value::Table(t).try_into().ok())
        .unwrap_or_default();
    Some(base.with_overrides(&overrides))
}

/// `10240` as `10,240`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Rule for PolicySizeLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(q) = quotas(cx) else { return };
        let (max, name) = match cx.kind {
            PolicyKind::Scp => (q.scp_max_chars, "SCP"),
            PolicyKind::Rcp => (q.rcp_max_chars, "RCP"),
            _ => return,
        };
        let Ok(max) = usize::try_from(max) else {
            return;
        };
        let text = cx.source.text();
        let written = text.chars().count();
        if written <= max {
            return;
        }
        let minified = minified_len(text);
        let first = text.chars().next().map_or(0, char::len_utf8);
        let mut f = cx.finding(
            &Self::META,
            Span::new(0, first),
            "",
            format!(
                "{name} is {written} characters as written, over the {}-character quota \
                 (minified: {minified})",
                thousands(max)
            ),
            "document starts here",
        );
        f.help = Some(if minified <= max {
            "the API and CLI count whitespace: upload the minified text \
             (`scpsim lint --fix` minifies it)"
                .into()
        } else {
            format!("even minified it is over the quota: split the statements over several {name}s")
        });
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    fn padded(pad: usize) -> String {
        format!(
            "{{\"Version\":\"2012-10-17\",{}\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}]}}",
            " ".repeat(pad)
        )
    }

    #[test]
    fn counts_whitespace_as_written() {
        assert!(run(&PolicySizeLimit, PolicyKind::Scp, &padded(10)).is_empty());
        assert_eq!(
            run(&PolicySizeLimit, PolicyKind::Scp, &padded(10_300)),
            [("policy-size-limit", 1)]
        );
        // RCPs have the smaller quota.
        assert_eq!(
            run(&PolicySizeLimit, PolicyKind::Rcp, &padded(6_000)).len(),
            1
        );
        assert!(run(&PolicySizeLimit, PolicyKind::Scp, &padded(6_000)).is_empty());
        assert!(run(&PolicySizeLimit, PolicyKind::Identity, &padded(10_300)).is_empty());
        assert_eq!(thousands(10_240), "10,240");
        assert_eq!(thousands(512), "512");
    }

    #[test]
    fn config_quota_overrides_apply() {
        let text = padded(6_000);
        let source = crate::source::SourceFile::new("t.json", text.as_str());
        let doc = crate::policy::parse_policy(&text).unwrap();
        let config = crate::config::Config::parse(
            "scpsim.toml",
            "[quotas]\nscp_max_chars = 5120\n",
            std::path::PathBuf::from("."),
        )
        .unwrap();
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind: PolicyKind::Scp,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: None,
            config: Some(&config),
        };
        let mut out = Vec::new();
        PolicySizeLimit.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1);
        assert!(
            out[0].message.contains("5,120-character quota"),
            "{}",
            out[0].message
        );
    }
}
