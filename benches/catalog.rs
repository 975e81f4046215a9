//! Catalog benches: load plus first lookup (what a one-file lint pays) and expanding `*`.
//!
//! `Catalog::load` caches the catalog for the process, so the cold cases use
//! `Catalog::load_uncached`, which parses afresh on every iteration.

#![expect(clippy::unwrap_used, reason = "bench code may fail loudly")]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use scpsim::catalog::Catalog;

fn bench(c: &mut Criterion) {
    c.bench_function("catalog/load+first lookup (cold)", |b| {
        b.iter(|| {
            let cat = Catalog::load_uncached().unwrap();
            black_box(cat.action(black_box("s3:GetObject")).is_some())
        })
    });
    let cat = Catalog::load().unwrap();
    c.bench_function("catalog/lookup s3:GetObject (warm)", |b| {
        b.iter(|| black_box(cat.action(black_box("s3:GetObject")).is_some()))
    });
    c.bench_function("catalog/expand * (warm)", |b| {
        b.iter(|| black_box(cat.expand(black_box("*")).len()))
    });
    c.bench_function("catalog/expand * (cold)", |b| {
        b.iter(|| {
            let cat = Catalog::load_uncached().unwrap();
            black_box(cat.expand(black_box("*")).len())
        })
    });
    c.bench_function("catalog/expand s3:Get* (warm)", |b| {
        b.iter(|| black_box(cat.expand(black_box("s3:Get*")).len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
