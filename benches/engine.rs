//! Decisions per second of the evaluation engine on a realistic policy set (issue 4, point 8):
//! a 3-node SCP chain (FullAWSAccess at every node; at the OU, AWS's region-deny example with
//! its 42-entry NotAction exemption list and an ArnNotLike admin exception, plus a service
//! deny list) and two identity policies, over requests with varying actions and regions.
//!
//! The same policies and requests also go through the `iam-rs` crate (MIT, a bench-only
//! dev-dependency). It has no SCP chains, so it gets one flat set: the two SCP denies and the two
//! identity policies (FullAWSAccess at every node allows everything, so the chain reduces to its
//! denies, which is equivalent for this set). It has no `*` resource, so resource-less actions
//! get a placeholder ARN that every `Resource: "*"` statement matches.
//!
//! Run: `cargo bench --bench engine`. Throughput is reported per decision (criterion
//! "elements"), single-threaded.

#![expect(clippy::unwrap_used, reason = "bench code may fail loudly")]
#![expect(
    clippy::print_stderr,
    reason = "the agreement count is part of the bench report"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use scpsim::eval::{EvalOptions, Evaluator};

#[path = "common/engine_set.rs"]
mod engine_set;
use engine_set::{IDENTITY_1, IDENTITY_2, REGION_DENY, SERVICE_DENY, policy_set, requests};

fn bench(c: &mut Criterion) {
    let ev = Evaluator::new(&policy_set(), EvalOptions::default());
    let reqs = requests();
    let prepared: Vec<_> = reqs.iter().map(|r| ev.prepare(r)).collect();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(prepared.len() as u64));
    g.bench_function("decide_64_prepared_requests", |b| {
        b.iter(|| {
            for p in &prepared {
                black_box(ev.decide(black_box(p)));
            }
        });
    });
    g.throughput(Throughput::Elements(reqs.len() as u64));
    g.bench_function("prepare_and_decide_64_requests", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(ev.decide(&ev.prepare(black_box(r))));
            }
        });
    });
    g.bench_function("explain_64_prepared_requests", |b| {
        b.iter(|| {
            for p in &prepared {
                black_box(ev.explain(black_box(p)));
            }
        });
    });

    // iam-rs, same requests, flat policy set.
    let flat: Vec<iam_rs::IAMPolicy> = [REGION_DENY, SERVICE_DENY, IDENTITY_1, IDENTITY_2]
        .iter()
        .map(|t| iam_rs::IAMPolicy::from_json(t).unwrap())
        .collect();
    let iam = iam_rs::PolicyEvaluator::with_policies(flat);
    let iam_reqs: Vec<iam_rs::IAMRequest> = reqs
        .iter()
        .map(|r| {
            let arn = if r.resource == "*" {
                format!(
                    "arn:aws:{}:::placeholder",
                    r.action.split(':').next().unwrap()
                )
            } else {
                r.resource.clone()
            };
            let ctx = iam_rs::Context::new()
                .with_string("aws:RequestedRegion", r.region.clone().unwrap())
                .with_string("aws:PrincipalArn", r.principal.principal_arn().unwrap());
            iam_rs::IAMRequest::new_with_context(
                iam_rs::Principal::Aws(iam_rs::PrincipalId::String(r.principal.raw.clone())),
                r.action.clone(),
                iam_rs::Arn::parse(&arn).unwrap(),
                ctx,
            )
        })
        .collect();
    // Report how often the two engines agree (Allow vs anything else) on this set.
    let agree = prepared
        .iter()
        .zip(&iam_reqs)
        .filter(|(p, q)| {
            let ours = ev.decide(p).decision == scpsim::eval::Decision::Allowed;
            let theirs = matches!(
                iam.evaluate(q).map(|r| r.decision),
                Ok(iam_rs::Decision::Allow)
            );
            ours == theirs
        })
        .count();
    eprintln!(
        "iam-rs agrees with scpsim on {agree}/{} requests",
        iam_reqs.len()
    );
    g.throughput(Throughput::Elements(iam_reqs.len() as u64));
    g.bench_function("iam_rs_evaluate_64_requests", |b| {
        b.iter(|| {
            for q in &iam_reqs {
                let _ = black_box(iam.evaluate(black_box(q)));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
