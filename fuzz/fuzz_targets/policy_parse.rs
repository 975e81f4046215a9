//! Policy text -> strict JSON parser -> lowering -> every lint rule, plus two oracles: a policy
//! that parses prints (`to_json_pretty`) to text that parses back to the same document, and a
//! `--fix` rewrite parses back to a policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpsim::lint::{LintOptions, lint_bytes};
use scpsim::policy::{ClearLocations, PolicyKind, parse_policy};

const KINDS: [Option<PolicyKind>; 7] = [
    None,
    Some(PolicyKind::Scp),
    Some(PolicyKind::Rcp),
    Some(PolicyKind::Identity),
    Some(PolicyKind::Resource),
    Some(PolicyKind::Boundary),
    Some(PolicyKind::Session),
];

fuzz_target!(|data: &[u8]| {
    // The policy kind comes from the length, so seed files stay plain policy text.
    let kind = KINDS[data.len() % KINDS.len()];
    let _ = lint_bytes("fuzz.json", data.to_vec(), &LintOptions::with_kind(kind));

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(json) = scpsim::json::parse(text) {
        let _ = scpsim::policy::lower(&json);
    }
    if let Ok(mut doc) = parse_policy(text) {
        let printed = doc.to_json_pretty();
        let mut back = match parse_policy(&printed) {
            Ok(b) => b,
            Err(e) => panic!("printed policy does not parse: {e}\n{printed}"),
        };
        doc.clear_locations();
        back.clear_locations();
        assert_eq!(
            doc, back,
            "print/parse round trip changed the policy\n{printed}"
        );
    }
    if let Some(fixed) = scpsim::fix::fix_text(text) {
        assert!(
            parse_policy(&fixed).is_ok(),
            "--fix produced text that does not parse\n{fixed}"
        );
    }
});
