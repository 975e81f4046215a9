//! Every policy of the real-world corpus (fixtures/corpus, copied from ../shared/corpus with its
//! SOURCES.tsv and licenses) parses into the AST, and the errors `lint` reports are exactly the
//! known defects of the published files, each listed here with the AWS rule it breaks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::{Path, PathBuf};

use scpsim::diag::Severity;
use scpsim::lint::{LintOptions, lint_paths};
use scpsim::policy::{PolicyKind, parse_policy};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus")
}

/// (file, kind) rows of SOURCES.tsv; `vpce` is a resource policy.
fn sources() -> Vec<(String, PolicyKind, String)> {
    let text = std::fs::read_to_string(corpus().join("SOURCES.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let kind = match cols[1] {
                "scp" | "scp-invalid-json" => PolicyKind::Scp,
                "rcp" => PolicyKind::Rcp,
                "identity" => PolicyKind::Identity,
                "vpce" => PolicyKind::Resource,
                other => panic!("unknown kind {other}"),
            };
            (cols[0].to_string(), kind, cols[1].to_string())
        })
        .collect()
}

/// The defects of the published corpus: (file, rule, line, why it is a real defect).
const KNOWN_DEFECTS: &[(&str, &str, usize, &str)] = &[
    (
        "aws-samples__service-control-policy-examples/_invalid/Service-specific-controls__AWS-IAM__deny-service-specific-credential-by-type.json",
        "json-syntax",
        15,
        "a `//` comment inside the JSON; policies must be RFC 8259 JSON \
         (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)",
    ),
    (
        "aws-samples__resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers__Shared-Issuers.json",
        "missing-resource",
        291,
        "RCP statement without Resource/NotResource \
         (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html)",
    ),
    (
        "aws-samples__resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers__Shared-Issuers.json",
        "rcp-allow",
        291,
        "Allow is only supported in RCPFullAWSAccess \
         (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html)",
    ),
    (
        "aws-samples__resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers__Shared-Issuers.json",
        "policy-size-limit",
        1,
        "8,628 characters as written (6,083 minified) against the 5,120-character RCP quota: \
         Organizations rejects it even minified \
         (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)",
    ),
    (
        "aws-samples__resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers__Shared-Issuers.json",
        "unknown-condition-key",
        299,
        "`Null` on `accounts.google.com`, which is no condition key (provider keys are \
         `accounts.google.com:aud`, ...), so the statement's Null test never holds \
         (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html)",
    ),
    (
        "aws-samples__resource-control-policy-examples/Service-specific-controls__STS-protect-IAMRA-session-tags.json",
        "invalid-condition-operator",
        13,
        "`ForAnyValue:Stringlike`: operator names are case-sensitive (StringLike) \
         (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)",
    ),
    (
        "cloudposse__terraform-aws-service-control-policies/s3-policies.json",
        "operator-key-type-mismatch",
        53,
        "`Bool` on `s3:x-amz-server-side-encryption`, a String key (`AES256`, `aws:kms`): the \
         condition never holds, so the Deny never applies \
         (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)",
    ),
];

#[test]
fn every_valid_corpus_file_parses() {
    let rows = sources();
    assert_eq!(rows.len(), 199, "SOURCES.tsv lists 199 policies");
    let mut parsed = 0;
    for (file, _, raw_kind) in &rows {
        let text = std::fs::read_to_string(corpus().join(file)).unwrap();
        let result = parse_policy(&text);
        if raw_kind == "scp-invalid-json" {
            let errs = result.expect_err("the _invalid file must not parse");
            let e = errs.iter().next().unwrap();
            assert_eq!(e.kind.code(), "json-syntax");
        } else {
            scpsim::json::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            match result {
                Ok(doc) => {
                    assert!(!doc.statements.is_empty(), "{file} has statements");
                    parsed += 1;
                }
                Err(errs) => {
                    // Only a known grammar defect may stop lowering.
                    for e in errs.iter() {
                        assert!(
                            KNOWN_DEFECTS
                                .iter()
                                .any(|(f, rule, _, _)| f == file && *rule == e.kind.code()),
                            "{file}: unexpected {e}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(
        parsed, 197,
        "all valid-JSON files but the one with a bad operator lower"
    );
}

#[test]
fn lint_errors_are_exactly_the_known_defects() {
    let mut found = Vec::new();
    for (file, kind, _) in sources() {
        let run = lint_paths(&[corpus().join(&file)], &LintOptions::with_kind(Some(kind)));
        assert!(run.input_errors.is_empty());
        for f in run.findings().filter(|f| f.severity == Severity::Error) {
            found.push((file.clone(), f.rule.to_string(), f.location().line));
        }
    }
    found.sort();
    let mut expected: Vec<_> = KNOWN_DEFECTS
        .iter()
        .map(|(f, r, l, _)| (f.to_string(), r.to_string(), *l))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn syntax_error_in_invalid_file_is_located() {
    let file = corpus().join(KNOWN_DEFECTS[0].0);
    let run = lint_paths(&[file], &LintOptions::with_kind(Some(PolicyKind::Scp)));
    let f = run.findings().next().unwrap();
    let loc = f.location();
    assert_eq!((loc.line, loc.column), (15, 13));
    assert!(f.message.contains("comments are not allowed"));
}
