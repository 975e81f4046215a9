//! Parsing throughput: the whole real-world corpus (fixtures/corpus, 199 files) through strict
//! JSON + lowering, and through the full per-file lint (parse + rules). Figures in BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scpsim::lint::{LintOptions, lint_source};
use scpsim::policy::parse_policy;
use scpsim::source::SourceFile;

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                out.push((p.display().to_string(), t));
            }
        }
    }
    out.sort();
    out
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("parse_{}_files", files.len()), |b| {
        b.iter(|| {
            for (_, t) in &files {
                let _ = black_box(parse_policy(black_box(t)));
            }
        })
    });
    let sources: Vec<Arc<SourceFile>> = files
        .iter()
        .map(|(n, t)| SourceFile::new(n.clone(), t.clone()))
        .collect();
    g.bench_function(format!("lint_{}_files", files.len()), |b| {
        b.iter(|| {
            for s in &sources {
                black_box(lint_source(s, &LintOptions::default()));
            }
        })
    });
    g.finish();

    // One SCP of about 5 KB (the AWS region-deny example).
    let scp = files
        .iter()
        .find(|(n, _)| {
            n.ends_with(
                "Region-controls__Deny-access-to-AWS-based-on-the-requested-AWS-region.json",
            )
        })
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let mut g = c.benchmark_group("single");
    g.throughput(Throughput::Bytes(scp.len() as u64));
    g.bench_function("parse_region_deny_scp", |b| {
        b.iter(|| black_box(parse_policy(black_box(&scp))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
