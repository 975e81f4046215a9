use crate::diag::Finding;
use crate::policy::{Principal, Spanned};
use crate::source::Span;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports template placeholders that a deployment tool was meant to replace before the
    /// policy reached AWS, in actions, resources, principals, condition keys and condition
    /// values: `${Account}`, `${AWS::AccountId}` (CloudFormation `!Sub`), `${var.name}` and
    /// `${local.x}` (Terraform), `${ACCEL_LOOKUP::...}` (Landing Zone Accelerator),
    /// `{{ var }}` (Jinja, Handlebars), `<ACCOUNT_ID>` and `<my-vpc>` (documentation samples),
    /// `$ACCOUNT_ID` (shell; Lambda's `$LATEST` qualifier is not one), `%%VAR%%`, `[PRIVILEGED_ROLE]` and `{example-region-1}`. IAM's own
    /// policy variables are not placeholders and are never reported: `${aws:username}`,
    /// `${aws:PrincipalTag/team}`, `${s3:prefix}` (any `${service:key}`, with or without a
    /// default), and the escapes `${*}`, `${?}`, `${$}`. Each placeholder is reported once per
    /// file, at its first use.
    ///
    /// ## Why is this bad?
    /// AWS takes the placeholder literally: an ARN with `${Account}` or `<my-org-id>` matches
    /// no real resource or principal, a condition value with `{{ HomeRegion }}` matches no
    /// request. A `Deny` written that way silently denies nothing (or, with a negated
    /// operator, everything), and an exemption for `arn:aws:iam::${Account}:role/Admin`
    /// exempts nobody. Linting the template instead of the rendered policy hides the rest of
    /// its meaning too.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
    ///  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::${Account}:role/Admin"}}}
    /// ```
    /// Use instead: render the template first, or use an IAM policy variable where one exists
    /// (`arn:aws:iam::*:role/Admin`, `${aws:PrincipalAccount}`).
    ///
    /// ## How to fix
    /// Lint the policy the tool renders (for example the output of `terraform show`, `cdk
    /// synth` or the accelerator's replacement step), or replace the placeholder with its
    /// value. If the file is a template on purpose, ignore the rule for its path in
    /// `scpsim.toml` (`[[ignore]] path = "templates/**"`).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
    UnresolvedPlaceholder {
        id: "unresolved-placeholder",
        summary: "a template placeholder (`${Account}`, `{{ var }}`, `<ACCOUNT_ID>`, `${var.x}`) that is not an IAM policy variable",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// True for the inside of `${...}` when it is an IAM policy variable: `*`, `?`, `$`, or
/// `service:key` (service prefix of letters, digits and `-`; key not starting with `:`),
/// optionally followed by `, 'default'`.
fn is_policy_variable(inner: &str) -> bool {
    if matches!(inner, "*" | "?" | "$") {
        return true;
    }
    let name = inner.split(',').next().unwrap_or(inner).trim();
    let Some((prefix, key)) = name.split_once(':') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && key
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !key.contains(char::is_whitespace)
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte ranges of the placeholders in `s`, in order.
pub(super) fn placeholders(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let find = |from: usize, pat: &str| s.get(from..).and_then(|t| t.find(pat)).map(|k| from + k);
    while i < b.len() {
        let rest = &b[i..];
        let hit: Option<usize> = if rest.starts_with(b"${") {
            match find(i + 2, "}") {
                Some(j) if !is_policy_variable(&s[i + 2..j]) => Some(j + 1),
                Some(j) => {
                    i = j + 1;
                    continue;
                }
                None => None,
            }
        } else if rest.starts_with(b"{{") {
            find(i + 2, "}}").map(|j| j + 2)
        } else if rest.starts_with(b"%%") {
            let n = rest[2..].iter().take_while(|&&c| ident_byte(c)).count();
            (n > 0 && rest[2 + n..].starts_with(b"%%")).then_some(i + 2 + n + 2)
        } else {
            match rest[0] {
                b'<' => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|&&c| ident_byte(c) || matches!(c, b'-' | b' ' | b'.'))
                        .count();
                    (n > 0 && n <= 64 && ident_byte(rest[1]) && rest.get(1 + n) == Some(&b'>'))
                        .then_some(i + n + 2)
                }
                b'$' => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|&&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
                        .count();
                    // `$LATEST` is Lambda's own version qualifier in function ARNs.
                    (n >= 2 && rest[1].is_ascii_uppercase() && &rest[1..=n] != b"LATEST")
                        .then_some(i + 1 + n)
                }
                b'[' => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|&&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
                        .count();
                    (n >= 2 && rest[1].is_ascii_uppercase() && rest.get(1 + n) == Some(&b']'))
                        .then_some(i + n + 2)
                }
                b'{' => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|&&c| ident_byte(c) || c == b'-')
                        .count();
                    (n > 0 && rest.get(1 + n) == Some(&b'}')).then_some(i + n + 2)
                }
                _ => None,
            }
        };
        match hit {
            Some(end) => {
                out.push((i, end));
                i = end;
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

/// True when `s` holds a placeholder.
pub(super) fn has_placeholder(s: &str) -> bool {
    !placeholders(s).is_empty()
}

impl Rule for UnresolvedPlaceholder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        // Every string the rule reads, in document order.
        let mut strings: Vec<(&str, Span, &str)> = Vec::new();
        fn push<'a>(out: &mut Vec<(&'a str, Span, &'a str)>, v: &'a Spanned<String>) {
            out.push((&v.value, v.span, &v.pointer));
        }
        for s in &cx.doc.statements {
            if let Some(p) = &s.principal
                && let Principal::Map(entries) = &p.value
            {
                for v in entries.iter().flat_map(|e| e.values.iter()) {
                    push(&mut strings, v);
                }
            }
            for v in &s.action.values {
                push(&mut strings, v);
            }
            if let Some(r) = &s.resource {
                for v in &r.values {
                    push(&mut strings, v);
                }
            }
            for (_, e) in super::condition_entries(s) {
                push(&mut strings, &e.key);
                for v in &e.values {
                    strings.push((&v.value.text, v.span, &v.pointer));
                }
            }
        }
        // First use of each placeholder text, with the other uses.
        let mut seen: Vec<(String, Span, String, Vec<Span>)> = Vec::new();
        for (text, span, pointer) in strings {
            // Point inside the string when the JSON text is the plain quoted value.
            let exact = cx.source.slice(span).get(1..span.len().saturating_sub(1)) == Some(text);
            for (a, b) in placeholders(text) {
                let at = if exact {
                    Span::new(span.start + 1 + a, span.start + 1 + b)
                } else {
                    span
                };
                let name = &text[a..b];
                match seen.iter_mut().find(|(n, ..)| n == name) {
                    Some((_, _, _, more)) => more.push(at),
                    None => seen.push((name.to_string(), at, pointer.to_string(), Vec::new())),
                }
            }
        }
        for (name, at, pointer, more) in seen {
            let uses = if more.is_empty() {
                String::new()
            } else {
                format!(" ({} uses)", more.len() + 1)
            };
            let mut f = cx.finding(
                &Self::META,
                at,
                &pointer,
                format!(
                    "`{name}` looks like a template placeholder, not an IAM policy variable{uses}: \
                     AWS would take it literally"
                ),
                "unresolved placeholder",
            );
            for m in more.iter().take(3) {
                f.related.push(label(*m, "used again here"));
            }
            f.help =
                Some("lint the rendered policy, or replace the placeholder with its value".into());
            out.push(f);
        }
    }
}

// Fixtures: fixtures/rules/unresolved-placeholder/bad-scp-lza-suspended.json is
// aws/lza-universal-configuration modules/base/default/service-control-policies/
// lza-suspended-guardrails.json (598dc816, Apache-2.0); bad-rcp-lza-confused-deputy.json is
// awslabs/landing-zone-accelerator-on-aws source/packages/@aws-accelerator/accelerator/test/
// configs/all-enabled/resource-control-policies/confused-deputy-attack.json (Apache-2.0), both
// copied unchanged from ../shared/orgs.
#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<&str> {
        placeholders(s).into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn template_forms_are_found() {
        for (text, want) in [
            ("arn:aws:iam::${Account}:role/x", "${Account}"),
            ("arn:aws:iam::${AWS::AccountId}:root", "${AWS::AccountId}"),
            ("arn:aws:s3:::${var.bucket}/*", "${var.bucket}"),
            (
                "${ACCEL_LOOKUP::CUSTOM:SandboxAllowedRegions}",
                "${ACCEL_LOOKUP::CUSTOM:SandboxAllowedRegions}",
            ),
            ("{{ HomeRegion }}", "{{ HomeRegion }}"),
            ("arn:aws:iam::<ACCOUNT_ID>:root", "<ACCOUNT_ID>"),
            ("<my-org-id>", "<my-org-id>"),
            ("arn:aws:iam::$ACCOUNT_ID:root", "$ACCOUNT_ID"),
            ("%%ORG_ID%%", "%%ORG_ID%%"),
            ("arn:aws:iam::*:role/[PRIVILEGED_ROLE]", "[PRIVILEGED_ROLE]"),
            ("{example-region-1}", "{example-region-1}"),
        ] {
            assert_eq!(found(text), [want], "{text}");
        }
        assert_eq!(found("${A}/${aws:username}/<b>"), ["${A}", "<b>"]);
    }

    #[test]
    fn policy_variables_are_not_placeholders() {
        for text in [
            "arn:aws:s3:::b/${aws:username}/*",
            "${aws:PrincipalTag/team}",
            "${s3:prefix}",
            "${aws:username, 'nobody'}",
            "a${*}b${?}c${$}",
            "${sagemaker:DomainId}",
            "arn:aws:s3:::bucket/*",
            "arn:aws:iam::111122223333:role/a-b_c",
            "$",
            "[a]",
            "x < y > z",
            "arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/$connect",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
