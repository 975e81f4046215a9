//! Properties of the evaluation engine (issue 4, point 7), over random policy sets and
//! requests drawn from a vocabulary small enough that statements often match:
//!
//! - adding a `Deny` statement anywhere never turns a denial into `Allowed`, and never turns an
//!   explicit deny into anything else (R1.2);
//! - adding an `Allow` to an SCP never turns `Allowed` into a denial (R1.5: Allows on a node
//!   are ORed);
//! - the order of statements and of policies never changes a decision;
//! - attaching a node holding only FullAWSAccess anywhere in the SCP chain changes nothing
//!   (R3.6);
//! - the fast path and the trace always agree;
//! - nothing panics on arbitrary policies and requests.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers build fixed, known-good inputs and may fail loudly"
)]

use proptest::prelude::*;
use serde_json::{Value, json};

use scpsim::eval::{ChainNode, EvalOptions, Evaluator, NamedPolicy, PolicySet, Request};
use scpsim::policy::parse_policy;

const ACTION_PATTERNS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "S3:getobject",
    "iam:*",
    "ec2:Run*",
    "*:*Object",
    "sts:AssumeRole",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
];
const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "iam:CreateRole",
    "ec2:RunInstances",
    "sts:AssumeRole",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/blue/x",
    "arn:aws:s3:::b",
    "arn:aws:iam::111122223333:role/r",
    "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:role/Example",
    "arn:aws:sts::111122223333:assumed-role/Example/s",
    "arn:aws:iam::111122223333:user/u",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:role/Other",
    "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
    "cloudtrail.amazonaws.com",
];

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
        1 => Just(Some(json!({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}))),
        1 => Just(Some(json!({"Bool": {"aws:SecureTransport": "false"}}))),
        1 => Just(Some(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}))),
        1 => Just(Some(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}))),
        1 => Just(Some(json!({"StringEquals": {"aws:TagKeys": "a"}}))),
        1 => Just(Some(json!({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))),
        1 => Just(Some(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))),
        1 => Just(Some(json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Example"}}))),
        1 => Just(Some(json!({"StringNotLike": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))),
    ]
}

/// A statement; `principal` is added for resource policies and RCPs.
fn statement(effect: Option<&'static str>, principal: bool) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => prop_oneof![4 => Just("Allow"), 1 => Just("Deny")].boxed(),
    };
    let principal_value = prop::sample::select(vec![
        json!("*"),
        json!({"AWS": "arn:aws:iam::111122223333:role/Example"}),
        json!({"AWS": "111122223333"}),
        json!({"AWS": "arn:aws:iam::111122223333:user/u"}),
        json!({"Service": "cloudtrail.amazonaws.com"}),
    ]);
    (
        effect,
        any::<bool>(),
        prop::collection::vec(prop::sample::select(ACTION_PATTERNS), 1..3),
        any::<bool>(),
        prop::collection::vec(prop::sample::select(RESOURCE_PATTERNS), 1..3),
        condition(),
        principal_value,
        any::<u8>(),
    )
        .prop_map(
            move |(effect, not_action, actions, not_resource, resources, cond, p, sid)| {
                let mut s = serde_json::Map::new();
                s.insert("Sid".into(), json!(format!("S{sid}")));
                s.insert("Effect".into(), json!(effect));
                s.insert(
                    if not_action && actions.len() == 1 {
                        "NotAction"
                    } else {
                        "Action"
                    }
                    .into(),
                    json!(actions),
                );
                s.insert(
                    if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    }
                    .into(),
                    json!(resources),
                );
                if let Some(c) = cond {
                    s.insert("Condition".into(), c);
                }
                if principal {
                    s.insert("Principal".into(), p);
                }
                Value::Object(s)
            },
        )
}

fn policy(principal: bool) -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(None, principal), 1..4)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

fn full_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

#[derive(Debug, Clone)]
struct Model {
    scps: Vec<Vec<Value>>,
    rcps: Vec<Vec<Value>>,
    identity: Vec<Value>,
    boundary: Vec<Value>,
    session: Option<Value>,
    resource: Option<Value>,
    management: bool,
}

fn model() -> impl Strategy<Value = Model> {
    let scp_node = prop_oneof![
        2 => Just(vec![full_access()]),
        3 => prop::collection::vec(policy(false), 0..3),
        2 => policy(false).prop_map(|p| vec![full_access(), p]),
    ];
    (
        prop::collection::vec(scp_node, 0..4),
        prop::collection::vec(prop::collection::vec(policy(true), 1..3), 0..3),
        prop::collection::vec(policy(false), 0..3),
        prop::collection::vec(policy(false), 0..2),
        prop::option::of(policy(false)),
        prop::option::of(policy(true)),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(scps, rcps, identity, boundary, session, resource, management)| Model {
                scps,
                rcps,
                identity,
                boundary,
                session,
                resource,
                management,
            },
        )
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(PRINCIPALS),
        prop::sample::select(ACTIONS),
        prop::sample::select(RESOURCES),
        prop::option::of(prop::sample::select(vec!["eu-west-1", "us-east-1"])),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["a", "b", "c"]),
            0..3,
        )),
        prop::option::of(prop::sample::select(vec!["true", "false"])),
        prop::option::of(prop::sample::select(vec!["blue", "red"])),
    )
        .prop_map(|(p, a, r, region, tags, tls, team)| {
            let mut req = Request::new(p, a, r).unwrap();
            if let Some(region) = region {
                req.context.set("aws:RequestedRegion", region);
            }
            if let Some(tags) = tags {
                req.context
                    .set_multi("aws:TagKeys", tags.into_iter().map(String::from).collect());
            }
            if let Some(tls) = tls {
                req.context.set("aws:SecureTransport", tls);
            }
            if let Some(team) = team {
                req.context.set("aws:PrincipalTag/team", team);
                req.context.set("aws:ResourceTag/team", "blue");
            }
            req
        })
}

fn named(v: &Value, name: String) -> NamedPolicy {
    let text = serde_json::to_string_pretty(v).unwrap();
    NamedPolicy {
        name,
        document: parse_policy(&text).unwrap(),
        source: None,
    }
}

fn build(m: &Model) -> PolicySet {
    let chain = |nodes: &[Vec<Value>], what: &str| -> Vec<ChainNode> {
        nodes
            .iter()
            .enumerate()
            .map(|(i, n)| ChainNode {
                name: format!("n{i}"),
                policies: n
                    .iter()
                    .enumerate()
                    .map(|(k, p)| named(p, format!("{what}[{i}][{k}]")))
                    .collect(),
            })
            .collect()
    };
    PolicySet {
        scps: chain(&m.scps, "scps"),
        rcps: chain(&m.rcps, "rcps"),
        identity: m
            .identity
            .iter()
            .enumerate()
            .map(|(i, p)| named(p, format!("identity[{i}]")))
            .collect(),
        boundary: m
            .boundary
            .iter()
            .map(|p| named(p, "boundary".into()))
            .collect(),
        session: m.session.as_ref().map(|p| named(p, "session".into())),
        resource: m.resource.as_ref().map(|p| named(p, "resource".into())),
        management_account: m.management.then(|| "111122223333".to_string()),
    }
}

fn decide(m: &Model, r: &Request) -> scpsim::eval::Decision {
    let ev = Evaluator::new(&build(m), EvalOptions::default());
    let p = ev.prepare(r);
    let fast = ev.decide(&p).decision;
    assert_eq!(
        fast,
        ev.explain(&p).decision,
        "fast path and trace disagree"
    );
    fast
}

/// Every policy slot of a model, as mutable references (for inserting statements).
fn slots(m: &mut Model) -> Vec<(&mut Value, bool)> {
    let mut v: Vec<(&mut Value, bool)> = Vec::new();
    for n in &mut m.scps {
        v.extend(n.iter_mut().map(|p| (p, false)));
    }
    for n in &mut m.rcps {
        v.extend(n.iter_mut().map(|p| (p, true)));
    }
    v.extend(m.identity.iter_mut().map(|p| (p, false)));
    v.extend(m.boundary.iter_mut().map(|p| (p, false)));
    v.extend(m.session.iter_mut().map(|p| (p, false)));
    v.extend(m.resource.iter_mut().map(|p| (p, true)));
    v
}

fn push_statement(policy: &mut Value, s: Value) {
    if let Some(list) = policy["Statement"].as_array_mut() {
        list.push(s);
    }
}

fn shuffle<T>(v: &mut [T], seed: u64) {
    // Deterministic Fisher-Yates driven by the seed.
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_a_deny_never_allows(
        m in model(), r in request(), deny in statement(Some("Deny"), false),
        deny_p in statement(Some("Deny"), true), at in any::<prop::sample::Index>(),
    ) {
        let before = decide(&m, &r);
        let mut m2 = m.clone();
        let mut slots = slots(&mut m2);
        if !slots.is_empty() {
            let i = at.index(slots.len());
            let (p, needs_principal) = &mut slots[i];
            push_statement(p, if *needs_principal { deny_p } else { deny });
        }
        let after = decide(&m2, &r);
        if before.is_denied() {
            prop_assert!(after.is_denied(), "{before} became {after}");
        }
        if before == scpsim::eval::Decision::ExplicitlyDenied {
            prop_assert_eq!(after, scpsim::eval::Decision::ExplicitlyDenied);
        }
    }

    #[test]
    fn adding_an_allow_to_an_scp_never_denies(
        m in model(), r in request(), allow in statement(Some("Allow"), false),
        at in any::<prop::sample::Index>(), new_policy in any::<bool>(),
    ) {
        prop_assume!(!m.scps.is_empty());
        let before = decide(&m, &r);
        let mut m2 = m.clone();
        let node = at.index(m2.scps.len());
        if new_policy || m2.scps[node].is_empty() {
            m2.scps[node].push(json!({"Version": "2012-10-17", "Statement": [allow]}));
        } else {
            let k = at.index(m2.scps[node].len());
            push_statement(&mut m2.scps[node][k], allow);
        }
        let after = decide(&m2, &r);
        if before == scpsim::eval::Decision::Allowed {
            prop_assert_eq!(after, scpsim::eval::Decision::Allowed);
        }
    }

    #[test]
    fn order_of_statements_and_policies_does_not_matter(
        m in model(), r in request(), seed in any::<u64>(),
    ) {
        let before = decide(&m, &r);
        let mut m2 = m.clone();
        for (k, (p, _)) in slots(&mut m2).into_iter().enumerate() {
            if let Some(list) = p["Statement"].as_array_mut() {
                shuffle(list, seed.wrapping_add(k as u64));
            }
        }
        for n in &mut m2.scps {
            shuffle(n, seed);
        }
        for n in &mut m2.rcps {
            shuffle(n, seed ^ 0x55);
        }
        shuffle(&mut m2.identity, seed ^ 0xaa);
        shuffle(&mut m2.boundary, seed ^ 0x33);
        prop_assert_eq!(before, decide(&m2, &r));
    }

    #[test]
    fn a_full_access_node_changes_nothing(
        m in model(), r in request(), at in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!m.scps.is_empty());
        let before = decide(&m, &r);
        let mut m2 = m.clone();
        let i = at.index(m2.scps.len() + 1);
        m2.scps.insert(i, vec![full_access()]);
        prop_assert_eq!(before, decide(&m2, &r));
    }
}

/// Arbitrary text in every string slot of a policy and a request.
fn wild_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:/*?$.{}',_ -]{0,24}",
        Just("${aws:username, 'x''y'}".to_string()),
        Just("${".to_string()),
        Just("${*}${?}${$}".to_string()),
        Just("arn:aws:s3:::*".to_string()),
        Just("2001:db8::/200".to_string()),
        Just("9999-99-99T99:99:99+99:99".to_string()),
        Just("-".to_string()),
        Just("1e400".to_string()),
    ]
}

fn wild_operator() -> impl Strategy<Value = String> {
    let bases: Vec<String> = scpsim::policy::BaseOperator::ALL
        .iter()
        .map(|b| b.as_str().to_string())
        .collect();
    (
        prop::sample::select(bases),
        prop::sample::select(vec!["", "ForAllValues:", "ForAnyValue:"]),
        any::<bool>(),
    )
        .prop_map(|(b, q, ie)| format!("{q}{b}{}", if ie && b != "Null" { "IfExists" } else { "" }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_arbitrary_policies_and_requests(
        action in wild_string(), resource in wild_string(), op in wild_operator(),
        key in wild_string(), values in prop::collection::vec(wild_string(), 0..3),
        principal in wild_string(), req_action in wild_string(), req_resource in wild_string(),
        ctx_values in prop::collection::vec(wild_string(), 0..3), version in any::<bool>(),
        not_action in any::<bool>(),
    ) {
        let doc = json!({
            "Version": if version { "2012-10-17" } else { "2008-10-17" },
            "Statement": [{
                "Effect": "Allow",
                (if not_action { "NotAction" } else { "Action" }): [action],
                "Resource": [resource.clone()],
                "Principal": {"AWS": principal.clone()},
                "Condition": {op: {key.clone(): values}},
            }]
        });
        let text = doc.to_string();
        let Ok(parsed) = parse_policy(&text) else { return Ok(()); };
        let p = NamedPolicy { name: "p".into(), document: parsed, source: None };
        let set = PolicySet {
            scps: vec![ChainNode { name: "root".into(), policies: vec![p.clone()] }],
            rcps: vec![ChainNode { name: "root".into(), policies: vec![p.clone()] }],
            identity: vec![p.clone()],
            boundary: vec![p.clone()],
            session: Some(p.clone()),
            resource: Some(p),
            management_account: None,
        };
        let ev = Evaluator::new(&set, EvalOptions::default());
        for principal in [principal.as_str(), "arn:aws:iam::111122223333:user/u"] {
            let Ok(mut r) = Request::new(principal, &req_action, &req_resource) else { continue; };
            r.context.set_multi(&key, ctx_values.clone());
            r.context.set("aws:username", ctx_values.first().cloned().unwrap_or_default());
            let prepared = ev.prepare(&r);
            let fast = ev.decide(&prepared);
            let trace = ev.explain(&prepared);
            prop_assert_eq!(fast.decision, trace.decision);
            let _ = trace.render();
            let _ = serde_json::to_string(&trace).unwrap();
        }
    }
}
