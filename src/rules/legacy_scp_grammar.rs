use crate::diag::Finding;
use crate::policy::{Effect, PolicyKind};

use super::{DocContext, Rule, RuleMeta, ScpGrammar, declare_rule};

declare_rule! {
    /// ## What it does
    /// With `--scp-grammar legacy` only: reports what SCPs could not say before AWS opened them
    /// to the full IAM policy language on 2025-09-19. In an `Allow` statement: `NotAction`, a
    /// `Resource` other than `"*"`, and `Condition`; in any statement: `NotResource`, and an action
    /// with a `*` anywhere but at its end (`s3:*Object`). The default (current) grammar accepts
    /// all of these, so the rule does nothing without the option.
    ///
    /// ## Why is this bad?
    /// Organizations, partitions or deployment tools that still enforce the older SCP grammar
    /// reject such a policy, so it fails to deploy there.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}
    /// ```
    /// Use instead (legacy grammar):
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    /// ```
    ///
    /// ## How to fix
    /// Express restrictions as `Deny` statements (which could always use conditions, resources
    /// and `NotAction`), and keep `Allow` statements to `Action` lists on `"*"`; or drop
    /// `--scp-grammar legacy` if every target accepts the current grammar.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>
    /// <https://aws.amazon.com/blogs/security/unlock-new-possibilities-aws-organizations-service-control-policy-now-supports-full-iam-language>
    LegacyScpGrammar {
        id: "legacy-scp-grammar",
        summary: "SCP construct rejected by the pre-2025-09-19 SCP grammar (--scp-grammar legacy)",
        severity: Error,
        kinds: &[PolicyKind::Scp],
    }
}

impl Rule for LegacyScpGrammar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        if cx.scp_grammar != ScpGrammar::Legacy {
            return;
        }
        let help = "the legacy SCP grammar allows this only in Deny statements; express it as a \
                    Deny, or drop --scp-grammar legacy";
        let mut push = |span, pointer: &str, message: String, label: &str, help: &str| {
            let mut f = cx.finding(&Self::META, span, pointer, message, label);
            f.help = Some(help.to_string());
            out.push(f);
        };
        for s in &cx.doc.statements {
            let allow = s.effect.value == Effect::Allow;
            if allow && s.action.negated {
                push(
                    s.action.key_span,
                    &s.action.pointer,
                    "NotAction in an Allow statement is not valid in the legacy SCP grammar".into(),
                    "legacy SCPs allow only Action here",
                    help,
                );
            }
            if let Some(r) = &s.resource {
                if r.negated {
                    push(
                        r.key_span,
                        &r.pointer,
                        "NotResource is not valid in the legacy SCP grammar".into(),
                        "not supported in legacy SCPs",
                        "list the resources in Resource (Deny) instead",
                    );
                } else if allow {
                    for v in r.values.iter().filter(|v| v.value != "*") {
                        push(
                            v.span,
                            &v.pointer,
                            format!(
                                "Resource `{}` in an Allow statement is not valid in the legacy \
                                 SCP grammar (only \"*\")",
                                v.value
                            ),
                            "legacy SCP Allow needs \"*\"",
                            help,
                        );
                    }
                }
            }
            if allow && let Some(c) = &s.condition {
                push(
                    c.key_span,
                    &c.pointer,
                    "Condition in an Allow statement is not valid in the legacy SCP grammar".into(),
                    "not supported in legacy SCP Allow",
                    help,
                );
            }
            for a in &s.action.values {
                let v = &a.value;
                if v.find('*').is_some_and(|i| i + 1 < v.len()) {
                    push(
                        a.span,
                        &a.pointer,
                        format!(
                            "action `{v}` has a `*` before its end, which the legacy SCP grammar \
                             does not accept"
                        ),
                        "wildcard only allowed at the end",
                        "use a `*` only alone or as the last character (`s3:Get*`), or list \
                         the actions",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run_with;

    const SCP: &str = "{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"},\n{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}},\n{\"Effect\":\"Deny\",\"Action\":\"s3:*Object\",\"NotResource\":\"arn:aws:s3:::b\"},\n{\"Effect\":\"Deny\",\"Action\":[\"*\",\"s3:Get*\"],\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";

    #[test]
    fn legacy_restrictions() {
        let got = run_with(&LegacyScpGrammar, PolicyKind::Scp, ScpGrammar::Legacy, SCP);
        let lines: Vec<usize> = got.iter().map(|(_, l)| *l).collect();
        assert_eq!(lines, [2, 3, 3, 4, 4]);
        assert!(run_with(&LegacyScpGrammar, PolicyKind::Scp, ScpGrammar::Current, SCP).is_empty());
    }
}
