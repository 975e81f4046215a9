use crate::catalog::{Catalog, Service, key_matches};
use crate::diag::{Finding, Severity};

use super::catalog_support::{catalog, did_you_mean, is_placeholder, resolved_actions};
use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every condition key against the catalog, without case as IAM compares key
    /// names:
    /// - an error for an `aws:` key that is not an AWS global key (tag templates such as
    ///   `aws:ResourceTag/Owner` are known) and for a key without a `service:` prefix;
    /// - a warning for a key of a known service that the service does not define, or whose
    ///   prefix is one edit away from a service's (`s4:prefix`);
    /// - a warning for a key of another service than every action of the statement (checked
    ///   only when the `Action` list names actions, without `*`, that all resolve).
    ///
    /// Keys of OIDC identity providers (`token.actions.githubusercontent.com:sub`), SAML keys
    /// and template placeholders (`<provider>:sub`) are not checked.
    ///
    /// ## Why is this bad?
    /// A condition on a key the request never carries compares against a missing value: a
    /// positive operator is then false (the statement never applies) and a negated operator
    /// true (a `Deny` applies to every request). A misspelled key such as
    /// `aws:RequestedRegoin` is accepted by AWS and silently changes what the policy does.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegoin": "eu-west-1"}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    ///  "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    /// ```
    ///
    /// ## How to fix
    /// Spell the key as the Service Authorization Reference or the global condition key list
    /// does; `scpsim catalog keys ACTION` lists the keys an action supports.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html>
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    UnknownConditionKey {
        id: "unknown-condition-key",
        summary: "a condition key that does not exist or belongs to another service than the actions",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

/// True when the catalog key name `template` names `key`: [`key_matches`], plus the
/// Service Authorization Reference's `/tag-key` spelling of tag templates
/// (`secretsmanager:ResourceTag/tag-key`).
fn names(template: &str, key: &str) -> bool {
    if key_matches(template, key) {
        return true;
    }
    let lower = template.to_ascii_lowercase();
    lower.strip_suffix("tag-key").is_some_and(|head| {
        key.len() > head.len()
            && key
                .get(..head.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(head))
    })
}

/// True when the service with this prefix defines the key.
fn service_defines(service: &Service, key: &str) -> bool {
    service.condition_key(key).is_some()
        || service.condition_keys().iter().any(|k| names(k.name, key))
}

/// Keys of identity providers: `accounts.google.com:aud`, `token.actions.githubusercontent.com:sub`,
/// `saml:aud`, `cognito-identity.amazonaws.com:amr`.
fn is_provider_key(prefix: &str) -> bool {
    prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml")
}

fn suggest_global(cat: &Catalog, key: &str) -> Vec<String> {
    let want = key.to_ascii_lowercase();
    let mut scored: Vec<(usize, String)> = cat
        .global_keys()
        .iter()
        .map(|g| {
            (
                strsim::damerau_levenshtein(&want, &g.name.to_ascii_lowercase()),
                g.name.clone(),
            )
        })
        .filter(|(d, _)| *d <= 3)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

impl Rule for UnknownConditionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            let mut actions = None;
            for (_, entry) in condition_entries(s) {
                let key = entry.key.value.as_str();
                if cat.global_key(key).is_some() || is_placeholder(key) {
                    continue;
                }
                let mut report = |message: String, label: &str, severity: Severity| {
                    let mut f = cx.finding(
                        &Self::META,
                        entry.key.span,
                        &entry.key.pointer,
                        message,
                        label,
                    );
                    f.severity = severity;
                    f.help = Some(
                        "`scpsim catalog keys ACTION` lists the keys each action supports".into(),
                    );
                    out.push(f);
                };
                let Some((prefix, _)) = key.split_once(':') else {
                    report(
                        format!("unknown condition key `{key}`: a key is `service:name`"),
                        "not a condition key",
                        Severity::Error,
                    );
                    continue;
                };
                if prefix.eq_ignore_ascii_case("aws") {
                    report(
                        format!(
                            "unknown global condition key `{key}`{}",
                            did_you_mean(&suggest_global(cat, key))
                        ),
                        "no such AWS global key",
                        Severity::Error,
                    );
                    continue;
                }
                if is_provider_key(prefix) {
                    continue;
                }
                let Some(service) = cat.service(prefix) else {
                    // Only a prefix close to a service's is reported: other prefixes may be
                    // keys the catalog does not describe.
                    let near = cat.suggest_service(prefix);
                    if !near.is_empty() {
                        report(
                            format!(
                                "condition key `{key}` has the prefix of no AWS service{}",
                                did_you_mean(&near)
                            ),
                            "unknown key prefix",
                            Severity::Warning,
                        );
                    }
                    continue;
                };
                if !service_defines(service, key) {
                    report(
                        format!(
                            "unknown condition key `{key}`: {} defines no such key",
                            service.prefix
                        ),
                        "not a key of this service",
                        Severity::Warning,
                    );
                    continue;
                }
                let resolved = actions.get_or_insert_with(|| resolved_actions(cat, s));
                let Some(list) = resolved.as_ref() else {
                    continue;
                };
                if list.iter().any(|a| a.service.prefix == service.prefix) {
                    continue;
                }
                report(
                    format!(
                        "condition key `{key}` belongs to {}, but no action of this statement does",
                        service.prefix
                    ),
                    "requests for these actions do not carry this key",
                    Severity::Warning,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    fn doc(action: &str, key: &str) -> String {
        format!(
            "{{\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":{action},\"Resource\":\"*\",\"Condition\":{{\n\"StringEquals\":{{\"{key}\":\"x\"}}}}}}]}}"
        )
    }

    #[test]
    fn unknown_and_unsupported_keys() {
        let r = &UnknownConditionKey;
        let k = PolicyKind::Scp;
        assert_eq!(
            run(r, k, &doc("\"*\"", "aws:RequestedRegoin")),
            [("unknown-condition-key", 2)]
        );
        assert_eq!(
            run(
                r,
                k,
                &doc("\"s3:PutObject\"", "s3:x-amz-server-side-encyption")
            )
            .len(),
            1
        );
        // Supported: case-insensitive, resource-type keys, tag templates, global keys.
        for (action, key) in [
            ("\"s3:PutObject\"", "S3:X-Amz-Server-Side-Encryption"),
            (
                "[\"iam:TagRole\",\"iam:UntagRole\"]",
                "iam:ResourceTag/project",
            ),
            ("\"ec2:RunInstances\"", "aws:ResourceTag/Owner"),
            ("\"s3:GetObject\"", "aws:sourceip"),
            ("\"*\"", "ec2:InstanceType"),
            ("\"s3:*\"", "s3:prefix"),
            ("\"*\"", "secretsmanager:ResourceTag/Team"),
            (
                "\"sts:AssumeRoleWithWebIdentity\"",
                "token.actions.githubusercontent.com:sub",
            ),
            ("\"sts:AssumeRoleWithWebIdentity\"", "<provider>:sub"),
            ("\"states:InvokeHTTPEndpoint\"", "states:HTTPEndpoint"),
            (
                "\"cognito-identity:*\"",
                "cognito-identity-unauth:IdentityPoolArn",
            ),
        ] {
            assert!(run(r, k, &doc(action, key)).is_empty(), "{action} {key}");
        }
        // Exists, but not for this action: a warning.
        for key in ["s3:x-amz-server-side-encyption", "s4:prefix"] {
            let got = run(r, k, &doc("\"s3:PutObject\"", key));
            assert_eq!(got.len(), 1, "{key}");
        }
        let text = doc("\"s3:GetObject\"", "ec2:InstanceType");
        let source = crate::source::SourceFile::new("t.json", text.as_str());
        let d = crate::policy::parse_policy(&text).unwrap();
        let cx = DocContext {
            source: &source,
            doc: &d,
            kind: k,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: None,
            config: None,
        };
        let mut out = Vec::new();
        r.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Warning);
        // With NotAction, only existence is checked.
        let not = text.replace("\"Action\"", "\"NotAction\"");
        assert!(run(r, k, &not).is_empty());
    }
}
