//! Properties of the parser: printing an AST and parsing it back gives the same AST (spans
//! aside), and no input, however broken, makes the parser or `lint` panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use proptest::collection::vec;
use proptest::prelude::*;
use scpsim::lint::{LintOptions, lint_bytes};
use scpsim::policy::{
    BaseOperator, ClearLocations, ConditionBlock, ConditionElement, ConditionEntry, ConditionValue,
    Effect, ListElement, Operator, PolicyDocument, Principal, PrincipalElement, PrincipalEntry,
    PrincipalKind, SetQualifier, Spanned, Statement, ValueType, Version, parse_policy,
};
use scpsim::source::Span;

fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Span::default(), "")
}

/// Any text, including quotes, backslashes, control characters and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "(\\PC|[\"\\\\\n\t\u{0}\u{1f}/~*?$]){0,12}"
}

fn list(negated: bool) -> impl Strategy<Value = ListElement> {
    (vec(text(), 1..4), any::<bool>()).prop_map(move |(values, arr)| ListElement {
        negated,
        is_array: arr || values.len() > 1,
        values: values.into_iter().map(sp).collect(),
        key_span: Span::default(),
        span: Span::default(),
        pointer: String::new(),
    })
}

fn principal() -> impl Strategy<Value = PrincipalElement> {
    let kinds = [
        PrincipalKind::Aws,
        PrincipalKind::Service,
        PrincipalKind::Federated,
        PrincipalKind::CanonicalUser,
    ];
    let map = proptest::sample::subsequence(kinds.to_vec(), 1..=4)
        .prop_flat_map(|ks| {
            let n = ks.len();
            (Just(ks), vec((vec(text(), 1..3), any::<bool>()), n))
        })
        .prop_map(|(ks, vals)| {
            Principal::Map(
                ks.into_iter()
                    .zip(vals)
                    .map(|(k, (values, arr))| PrincipalEntry {
                        kind: sp(k),
                        is_array: arr || values.len() > 1,
                        values: values.into_iter().map(sp).collect(),
                    })
                    .collect(),
            )
        });
    (prop_oneof![Just(Principal::Wildcard), map], any::<bool>()).prop_map(|(value, negated)| {
        PrincipalElement {
            negated,
            value,
            key_span: Span::default(),
            span: Span::default(),
            pointer: String::new(),
        }
    })
}

fn operator() -> impl Strategy<Value = Operator> {
    (
        proptest::sample::select(BaseOperator::ALL.to_vec()),
        prop_oneof![
            Just(None),
            Just(Some(SetQualifier::ForAllValues)),
            Just(Some(SetQualifier::ForAnyValue))
        ],
        any::<bool>(),
    )
        .prop_map(|(base, qualifier, ie)| Operator {
            qualifier,
            base,
            if_exists: ie && base != BaseOperator::Null,
        })
}

fn cond_value() -> impl Strategy<Value = ConditionValue> {
    prop_oneof![
        text().prop_map(|t| ConditionValue {
            text: t,
            json_type: ValueType::String
        }),
        any::<i64>().prop_map(|n| ConditionValue {
            text: n.to_string(),
            json_type: ValueType::Number
        }),
        "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,3})?(e-?[0-9]{1,2})?".prop_map(|t| ConditionValue {
            text: t,
            json_type: ValueType::Number
        }),
        any::<bool>().prop_map(|b| ConditionValue {
            text: b.to_string(),
            json_type: ValueType::Bool
        }),
    ]
}

fn condition() -> impl Strategy<Value = ConditionElement> {
    vec(
        (
            operator(),
            vec(
                (
                    "[a-z]{1,4}(:[A-Za-z/]{1,6})?",
                    vec(cond_value(), 1..3),
                    any::<bool>(),
                ),
                1..3,
            ),
        ),
        1..3,
    )
    .prop_map(|blocks| {
        let mut seen_ops = Vec::new();
        let blocks = blocks
            .into_iter()
            .filter(|(op, _)| {
                let s = op.to_string();
                let fresh = !seen_ops.contains(&s);
                seen_ops.push(s);
                fresh
            })
            .map(|(op, entries)| {
                let mut seen = Vec::new();
                ConditionBlock {
                    operator: sp(op),
                    entries: entries
                        .into_iter()
                        .filter(|(k, _, _)| {
                            let l = k.to_ascii_lowercase();
                            let fresh = !seen.contains(&l);
                            seen.push(l);
                            fresh
                        })
                        .map(|(k, values, arr)| ConditionEntry {
                            key: sp(k),
                            is_array: arr || values.len() > 1,
                            values: values.into_iter().map(sp).collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        ConditionElement {
            blocks,
            key_span: Span::default(),
            span: Span::default(),
            pointer: String::new(),
        }
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        proptest::option::of(text()),
        any::<bool>(),
        proptest::option::of(principal()),
        any::<bool>().prop_flat_map(list),
        proptest::option::of(any::<bool>().prop_flat_map(list)),
        proptest::option::of(condition()),
    )
        .prop_map(
            |(sid, allow, principal, action, resource, condition)| Statement {
                index: 0,
                pointer: String::new(),
                span: Span::default(),
                sid: sid.map(sp),
                effect: sp(if allow { Effect::Allow } else { Effect::Deny }),
                principal,
                action,
                resource,
                condition,
            },
        )
}

fn document() -> impl Strategy<Value = PolicyDocument> {
    (
        prop_oneof![
            Just(None),
            Just(Some(Version::V2012_10_17)),
            Just(Some(Version::V2008_10_17))
        ],
        proptest::option::of(text()),
        vec(statement(), 1..4),
        any::<bool>(),
    )
        .prop_map(|(version, id, mut statements, arr)| {
            let is_array = arr || statements.len() > 1;
            for (i, s) in statements.iter_mut().enumerate() {
                s.index = i;
            }
            PolicyDocument {
                version: version.map(sp),
                id: id.map(sp),
                statements,
                statement_is_array: is_array,
                statement_span: Span::default(),
                span: Span::default(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn print_then_parse_round_trips(doc in document()) {
        let text = doc.to_json_pretty();
        let mut back = parse_policy(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        back.clear_locations();
        prop_assert_eq!(back, doc);
    }

    #[test]
    fn spans_point_at_their_text(doc in document()) {
        let text = doc.to_json_pretty();
        let back = parse_policy(&text).unwrap();
        for s in &back.statements {
            let effect = &text[s.effect.span.start..s.effect.span.end];
            prop_assert_eq!(effect, format!("\"{}\"", s.effect.value.as_str()));
            for v in &s.action.values {
                let raw = &text[v.span.start..v.span.end];
                prop_assert_eq!(serde_json::from_str::<String>(raw).unwrap(), v.value.clone());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..400)) {
        let r = lint_bytes("x.json", bytes, &LintOptions::default());
        for f in &r.findings {
            prop_assert!(f.span.end <= f.source.text().len());
        }
    }

    #[test]
    fn json_shaped_garbage_never_panics(tokens in vec(prop_oneof![
        Just("{".to_string()), Just("}".to_string()), Just("[".to_string()), Just("]".to_string()),
        Just(",".to_string()), Just(":".to_string()), Just("\"Statement\"".to_string()),
        Just("\"Effect\"".to_string()), Just("\"Allow\"".to_string()), Just("\"Action\"".to_string()),
        Just("\"Condition\"".to_string()), Just("\"StringEquals\"".to_string()),
        Just("\"Principal\"".to_string()), Just("\"*\"".to_string()), Just("1".to_string()),
        Just("true".to_string()), Just("null".to_string()), Just("//".to_string()),
        text().prop_map(|t| serde_json::to_string(&t).unwrap()),
    ], 0..60)) {
        let text = tokens.concat();
        let _ = parse_policy(&text);
        let _ = lint_bytes("x.json", text.into_bytes(), &LintOptions::default());
    }

    #[test]
    fn arbitrary_json_values_never_panic(v in arb_json()) {
        let text = serde_json::to_string(&v).unwrap();
        let _ = parse_policy(&text);
        let wrapped = format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":{text},\"Resource\":{text},\"Condition\":{{\"StringEquals\":{{\"k\":{text}}}}}}}]}}");
        let _ = lint_bytes("x.json", wrapped.into_bytes(), &LintOptions::default());
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i32>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            vec(("[A-Za-z]{0,8}", inner), 0..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}
