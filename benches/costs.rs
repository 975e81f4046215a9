//! Billing export benches: streaming a generated 200,000-row FOCUS CSV export (plain and gzip)
//! and a CUR one into per-key sums, in rows per second (criterion's throughput); and the OU
//! rollup of the sums. The whole-process figure on 5 million rows is in BENCHMARKS.md
//! ("Costs").

#![expect(clippy::unwrap_used, reason = "bench code may fail loudly")]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use scpsim::billing::generate::{GenSpec, write_csv};
use scpsim::billing::read::{ExportFormat, read_export};
use scpsim::billing::rollup::rollup;

const ROWS: u64 = 200_000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let focus = dir.path().join("focus.csv");
    write_csv(
        &GenSpec::example_org(ExportFormat::Focus, ROWS, 1),
        std::fs::File::create(&focus).unwrap(),
    )
    .unwrap();
    let gz = dir.path().join("focus.csv.gz");
    {
        let mut e = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        write_csv(&GenSpec::example_org(ExportFormat::Focus, ROWS, 1), &mut e).unwrap();
        e.finish().unwrap();
    }
    let cur = dir.path().join("cur.csv");
    write_csv(
        &GenSpec::example_org(ExportFormat::Cur, ROWS, 1),
        std::fs::File::create(&cur).unwrap(),
    )
    .unwrap();

    let mut g = c.benchmark_group("costs/read");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    for (name, path) in [
        ("focus csv", &focus),
        ("focus csv.gz", &gz),
        ("cur csv", &cur),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(read_export(black_box(path), None).unwrap().used))
        });
    }
    g.finish();

    let c2 = scpsim::catalog::Catalog::load().unwrap();
    let org = scpsim::org::local::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orgs/example"),
        &c2.quotas(),
    )
    .tree
    .unwrap();
    let agg = read_export(&focus, None).unwrap().aggregate;
    c.bench_function("costs/rollup example org", |b| {
        b.iter(|| black_box(rollup(&org, black_box(&agg)).by_ou.len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
