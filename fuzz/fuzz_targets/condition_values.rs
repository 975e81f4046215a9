//! Condition value parsers: dates, numbers, booleans, base64, CIDRs and IP addresses, ARN
//! patterns, principals, policy variables, and the ARN-template matcher, through the public
//! parsers and through a compiled `Condition` evaluated against a request context.
//!
//! Input: one selector byte (operator, qualifier, `IfExists`), then lines: the context key,
//! policy values up to a line `--`, request values after it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpsim::policy::condition::{
    BareMultivalued, Cidr, CompiledCondition, CondFlags, Context, Template, arn_match,
    decode_base64, parse_date,
};
use scpsim::policy::parse_policy;

const OPERATORS: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };

    // The parsers on their own, on every line.
    for s in text.lines().chain(std::iter::once(text)) {
        if let Some(i) = parse_date(s) {
            assert!(i.nanos < 1_000_000_000, "nanos out of range for {s:?}");
        }
        if let Some(c) = Cidr::parse(s) {
            let _ = c.contains(std::net::IpAddr::from([10, 0, 0, 1]));
            let _ = c.contains(std::net::IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]));
        }
        let _ = decode_base64(s);
        let _ = Template::parse(s, true).variables().count();
        let _ = scpsim::eval::PrincipalId::parse(s);
        let _ = scpsim::catalog::arn_fits("arn:${Partition}:s3:::${BucketName}/${ObjectName}", s);
        let _ = scpsim::catalog::arn_fits(s, "arn:aws:s3:::bucket/key/part");
        let _ = scpsim::policy::pattern::action_matches(s, "s3:GetObject");
    }
    let mut lines = text.lines();
    let key = lines.next().unwrap_or("");
    let mut policy_values = Vec::new();
    let mut request_values = Vec::new();
    let mut after = false;
    for l in lines {
        if l == "--" {
            after = true;
        } else if after {
            request_values.push(l.to_string());
        } else {
            policy_values.push(l.to_string());
        }
    }
    for p in &policy_values {
        for r in &request_values {
            let _ = arn_match(p, &[], r, sel & 1 != 0);
        }
    }

    // The same values as a compiled condition.
    let base = OPERATORS[usize::from(sel) % OPERATORS.len()];
    let qualifier = match (sel >> 5) % 3 {
        0 => "",
        1 => "ForAnyValue:",
        _ => "ForAllValues:",
    };
    let if_exists = if sel & 0x80 != 0 && base != "Null" {
        "IfExists"
    } else {
        ""
    };
    let operator = format!("{qualifier}{base}{if_exists}");
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": { operator: { key: policy_values } }
        }]
    });
    let Ok(doc) = parse_policy(&policy.to_string()) else {
        return;
    };
    let Some(element) = doc.statements.first().and_then(|s| s.condition.as_ref()) else {
        return;
    };
    let compiled = CompiledCondition::compile(element, true);
    let mut ctx = Context::new();
    match request_values.len() {
        0 => {}
        1 => ctx.set(key, request_values[0].clone()),
        _ => ctx.set_multi(key, request_values),
    }
    for mode in [BareMultivalued::Any, BareMultivalued::All] {
        let held = compiled.matches(&ctx, mode, &mut CondFlags::default());
        let explained = compiled.explain(&ctx, mode, &mut CondFlags::default());
        assert_eq!(held, explained.is_ok(), "matches and explain disagree");
    }
});
