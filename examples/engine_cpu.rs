//! Decisions per second of on-CPU time (from `/proc/thread-self/schedstat`, Linux), for scpsim
//! and iam-rs on the set of `benches/engine.rs`. Unlike criterion's wall-clock figures, this
//! does not count time the thread spent waiting for a core, so it stays meaningful on a busy
//! machine. Run: `cargo run --release --example engine_cpu`.

#![expect(clippy::unwrap_used, reason = "example code may fail loudly")]
#![expect(clippy::print_stdout, reason = "the figures are the output")]

use scpsim::eval::{EvalOptions, Evaluator};
use std::hint::black_box;

#[path = "../benches/common/engine_set.rs"]
mod engine_set;
use engine_set::{IDENTITY_1, IDENTITY_2, REGION_DENY, SERVICE_DENY, policy_set, requests};

fn oncpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn main() {
    let ev = Evaluator::new(&policy_set(), EvalOptions::default());
    let reqs = requests();
    let prepared: Vec<_> = reqs.iter().map(|r| ev.prepare(r)).collect();
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
    for round in 0..3 {
        let n = 20_000;
        let t0 = oncpu_ns();
        let w0 = std::time::Instant::now();
        for _ in 0..n {
            for p in &prepared {
                black_box(ev.decide(black_box(p)));
            }
        }
        let cpu = oncpu_ns() - t0;
        let wall = w0.elapsed().as_nanos() as u64;
        let d = (n * prepared.len()) as f64;
        println!(
            "round {round} scpsim decide: {:.0} decisions per on-CPU second ({:.1} ns each), wall {:.0}/s",
            d / (cpu as f64 / 1e9),
            cpu as f64 / d,
            d / (wall as f64 / 1e9)
        );
        let n2 = 500;
        let t0 = oncpu_ns();
        let w0 = std::time::Instant::now();
        for _ in 0..n2 {
            for q in &iam_reqs {
                let _ = black_box(iam.evaluate(black_box(q)));
            }
        }
        let cpu = oncpu_ns() - t0;
        let wall = w0.elapsed().as_nanos() as u64;
        let d = (n2 * iam_reqs.len()) as f64;
        println!(
            "round {round} iam-rs evaluate: {:.0} decisions per on-CPU second ({:.1} ns each), wall {:.0}/s",
            d / (cpu as f64 / 1e9),
            cpu as f64 / d,
            d / (wall as f64 / 1e9)
        );
    }
}
