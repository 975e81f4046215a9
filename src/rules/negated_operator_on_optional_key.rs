use serde::Deserialize;

use crate::diag::Finding;
use crate::policy::{Effect, SetQualifier};

use super::context_keys::is_often_absent;
use super::{
    ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule, has_null_false,
    parse_settings,
};

/// `[settings.negated-operator-on-optional-key]` in `scpsim.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// More keys to check, case-insensitive; a trailing `*` makes a prefix
    /// (`"aws:PrincipalTag/*"`).
    #[serde(default)]
    extra_keys: Vec<String>,
}

impl Settings {
    fn covers(&self, key: &str) -> bool {
        self.extra_keys.iter().any(|k| match k.strip_suffix('*') {
            Some(prefix) => key
                .get(..prefix.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(prefix)),
            None => k.eq_ignore_ascii_case(key),
        })
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `Deny` statement that uses a negated condition operator (`StringNotEquals`,
    /// `StringNotLike`, `ArnNotEquals`, ...) without `IfExists` on a context key that many
    /// requests do not carry: `aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp` (present only
    /// for requests through a VPC endpoint) and the tag families `aws:ResourceTag/*` and
    /// `aws:RequestTag/*` (present only when that tag exists). A statement that also requires the
    /// key with `"Null": {key: "false"}` is not reported. `aws:SourceIp` has its own rule,
    /// `source-ip-deny-without-service-exemption`. `aws:CalledVia` and `aws:PrincipalTag/*` are
    /// not checked: "deny unless called via service X" and "deny unless the principal has the
    /// exception tag" (both in AWS's examples) are meant to deny requests without the key.
    ///
    /// ## Why is this bad?
    /// A negated operator is true when the key is missing from the request, so the `Deny`
    /// applies to every request without the key: calls that do not go through a VPC endpoint,
    /// resources or principals without the tag, calls no service forwarded. That is often more
    /// than the author meant, and AWS's documentation warns about negated conditions in `Deny`
    /// statements for this reason.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:ResourceTag/Team": "analytics"}}}
    /// ```
    /// Use instead (untagged resources are not denied):
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
    ///  "Condition": {"StringNotEqualsIfExists": {"aws:ResourceTag/Team": "analytics"}}}
    /// ```
    ///
    /// ## Settings
    /// ```toml
    /// [settings.negated-operator-on-optional-key]
    /// extra_keys = ["aws:PrincipalTag/*", "s3:x-amz-server-side-encryption"]
    /// ```
    /// `extra_keys` adds keys to check (a trailing `*` matches a prefix).
    ///
    /// ## How to fix
    /// Decide what a request without the key should get: use the `...IfExists` form of the
    /// operator if it should pass, or add `"Null": {key: "false"}` next to it; if denying it is
    /// intended, say so with a separate `"Null": {key: "true"}` statement and disable the rule
    /// for the file.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    NegatedOperatorOnOptionalKey {
        id: "negated-operator-on-optional-key",
        summary: "Deny with a negated operator on a key that is often absent (also denies requests without it)",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for NegatedOperatorOnOptionalKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_settings(&self, settings: &toml::Table) -> Result<(), String> {
        parse_settings::<Settings>(Some(settings)).map(|_| ())
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let settings: Settings = parse_settings(cx.settings).unwrap_or_default();
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Deny {
                continue;
            }
            for (b, e) in condition_entries(s) {
                let op = b.operator.value;
                // `ForAnyValue:` is false for a missing key, so it cannot over-deny.
                if !op.base.is_negated()
                    || op.if_exists
                    || op.qualifier == Some(SetQualifier::ForAnyValue)
                    || !(is_often_absent(&e.key.value) || settings.covers(&e.key.value))
                    || has_null_false(s, &e.key.value)
                {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    e.key.span,
                    &e.key.pointer,
                    format!(
                        "`{op}` on `{}` is true when the request has no `{}`, so this Deny \
                         also applies to such requests",
                        e.key.value, e.key.value
                    ),
                    "often absent from the request",
                );
                f.help = Some(format!(
                    "use `{op}IfExists`, or add \"Null\": {{\"{}\": \"false\"}}, if requests \
                     without the key should not be denied",
                    e.key.value
                ));
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    fn deny(op: &str, key: &str, extra: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\n\"{op}\":{{\"{key}\":\"x\"}}{extra}}}}}]}}"
        )
    }

    #[test]
    fn negated_on_optional_keys() {
        let r = NegatedOperatorOnOptionalKey;
        for key in ["aws:SourceVpce", "aws:ResourceTag/Team", "aws:vpcsourceip"] {
            assert_eq!(
                run(&r, PolicyKind::Scp, &deny("StringNotEquals", key, "")),
                [("negated-operator-on-optional-key", 2)],
                "{key}"
            );
        }
        assert!(
            run(
                &r,
                PolicyKind::Scp,
                &deny("StringNotEqualsIfExists", "aws:SourceVpce", "")
            )
            .is_empty()
        );
        assert!(
            run(
                &r,
                PolicyKind::Scp,
                &deny("StringEquals", "aws:SourceVpce", "")
            )
            .is_empty()
        );
        assert!(
            run(
                &r,
                PolicyKind::Scp,
                &deny("StringNotEquals", "aws:PrincipalArn", "")
            )
            .is_empty()
        );
        assert!(
            run(
                &r,
                PolicyKind::Scp,
                &deny("ForAnyValue:StringNotEquals", "aws:SourceVpc", "")
            )
            .is_empty()
        );
        let guarded = deny(
            "StringNotEquals",
            "aws:SourceVpce",
            ",\"Null\":{\"aws:sourcevpce\":\"false\"}",
        );
        assert!(run(&r, PolicyKind::Scp, &guarded).is_empty());
        let tag = deny("StringNotLike", "aws:PrincipalTag/Exempt", "");
        let settings: toml::Table =
            toml::from_str("extra_keys = [\"aws:principaltag/*\"]").unwrap();
        assert!(r.check_settings(&settings).is_ok());
        let bad: toml::Table = toml::from_str("extra_key = []").unwrap();
        assert!(r.check_settings(&bad).unwrap_err().contains("extra_key"));
        let source = crate::source::SourceFile::new("t.json", tag.as_str());
        let doc = crate::policy::parse_policy(&tag).unwrap();
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind: PolicyKind::Scp,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: Some(&settings),
            config: None,
        };
        let mut out = Vec::new();
        r.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1, "extra_keys adds principal tags");
        let allow = deny("StringNotEquals", "aws:SourceVpce", "").replace("Deny", "Allow");
        assert!(run(&r, PolicyKind::Identity, &allow).is_empty());
    }
}
