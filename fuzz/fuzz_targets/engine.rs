//! Arbitrary policies x arbitrary requests through the Evaluator.
//!
//! Input: three selector bytes, then fields separated by 0x1E (record separator):
//! policy A, policy B, principal, action, resource, region, then context entries
//! `key=value` (several values separated by 0x1F). Selector bytes 0 and 1 say where policies
//! A and B go (bit 0: SCP at the root, 1: SCP at the account, 2: RCP, 3: identity, 4: boundary,
//! 5: session, 6: resource policy); byte 2 picks the evaluation options.
//!
//! Oracle: the fast path (`decide`) and the explaining path (`explain`) agree, and the trace
//! serializes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpsim::eval::{
    BareMultivaluedOption, ChainNode, EvalOptions, Evaluator, NamedPolicy, PolicySet, Request,
    WildcardGrant,
};
use scpsim::policy::parse_policy;

fn place(set: &mut PolicySet, bits: u8, p: &NamedPolicy) {
    if bits & 1 != 0 {
        set.scps[0].policies.push(p.clone());
    }
    if bits & 2 != 0 {
        set.scps[1].policies.push(p.clone());
    }
    if bits & 4 != 0 {
        set.rcps[0].policies.push(p.clone());
    }
    if bits & 8 != 0 {
        set.identity.push(p.clone());
    }
    if bits & 16 != 0 {
        set.boundary.push(p.clone());
    }
    if bits & 32 != 0 {
        set.session = Some(p.clone());
    }
    if bits & 64 != 0 {
        set.resource = Some(p.clone());
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (sel, rest) = data.split_at(3);
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let fields: Vec<&str> = rest.split('\u{1e}').collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or("");

    let node = |name: &str| ChainNode {
        name: name.into(),
        policies: Vec::new(),
    };
    let mut set = PolicySet {
        scps: vec![node("root"), node("account")],
        rcps: vec![node("root")],
        ..PolicySet::default()
    };
    for (i, bits) in [(0, sel[0]), (1, sel[1])] {
        if let Ok(document) = parse_policy(field(i)) {
            let p = NamedPolicy {
                name: format!("p{i}"),
                document,
                source: None,
            };
            place(&mut set, bits, &p);
        }
    }
    if sel[2] & 1 != 0 {
        set.scps.clear();
    }
    if sel[2] & 2 != 0 {
        set.rcps.clear();
    }
    if sel[2] & 4 != 0 {
        set.management_account = Some("111122223333".into());
    }
    let mut options = if sel[2] & 8 != 0 {
        scpsim::commands::catalog_eval_options()
    } else {
        EvalOptions::default()
    };
    options.bare_multivalued = match (sel[2] >> 4) % 3 {
        0 => BareMultivaluedOption::Both,
        1 => BareMultivaluedOption::Any,
        _ => BareMultivaluedOption::All,
    };
    if sel[2] & 64 != 0 {
        options.wildcard_grant = WildcardGrant::Capped;
    }

    let Ok(mut request) = Request::new(field(2), field(3), field(4)) else {
        return;
    };
    if !field(5).is_empty() {
        request.region = Some(field(5).to_string());
    }
    for entry in fields.iter().skip(6) {
        let (key, values) = entry.split_once('=').unwrap_or((entry, ""));
        let values: Vec<String> = values.split('\u{1f}').map(str::to_string).collect();
        if values.len() == 1 {
            request.context.set(key, values[0].clone());
        } else {
            request.context.set_multi(key, values);
        }
    }

    let ev = Evaluator::new(&set, options);
    let prepared = ev.prepare(&request);
    let outcome = ev.decide(&prepared);
    let trace = ev.explain(&prepared);
    assert_eq!(
        (outcome.decision, outcome.other_reading),
        (trace.decision, trace.other_reading),
        "decide and explain disagree"
    );
    assert!(serde_json::to_string(&trace).is_ok());
});
