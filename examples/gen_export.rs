//! Writes a generated billing export for the example org (`fixtures/orgs/example`) with
//! [`scpsim::billing::generate`], and prints its exact totals per currency.
//!
//! ```text
//! cargo run --release --example gen_export -- focus 5000000 /tmp/focus-5m.csv
//! cargo run --release --example gen_export -- cur 100000 /tmp/cur.csv.gz       # .gz: gzip
//! cargo run --release --features parquet --example gen_export -- focus 100000 /tmp/f.parquet
//! ```
//!
//! Arguments: `focus|cur ROWS PATH [SEED]`.

#![expect(clippy::print_stdout, reason = "the totals are the output")]
#![expect(clippy::print_stderr, reason = "usage message")]

use std::fs::File;
use std::path::Path;
use std::process::ExitCode;

use scpsim::billing::exact_money;
use scpsim::billing::generate::{GenSpec, GenTotals, write_csv};
use scpsim::billing::read::ExportFormat;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [f, rows, path, rest @ ..] if rest.len() <= 1 => {
            let format = match f.as_str() {
                "focus" => Some(ExportFormat::Focus),
                "cur" => Some(ExportFormat::Cur),
                _ => None,
            };
            let seed = rest.first().map_or(Some(1), |s| s.parse().ok());
            format
                .zip(rows.parse::<u64>().ok())
                .zip(seed)
                .map(|((f, r), s)| (f, r, path, s))
        }
        _ => None,
    };
    let Some((format, rows, path, seed)) = parsed else {
        eprintln!(
            "usage: gen_export focus|cur ROWS PATH [SEED]  (PATH ending .gz: gzip; .parquet: Parquet, feature parquet)"
        );
        return ExitCode::from(2);
    };
    let spec = GenSpec::example_org(format, rows, seed);
    match write(&spec, Path::new(path)) {
        Ok(t) => {
            for (cur, m) in &t.by_currency {
                println!(
                    "{cur} billed {} effective {} ({} rows)",
                    exact_money(m.billed),
                    exact_money(m.effective),
                    t.rows
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::from(3)
        }
    }
}

fn write(spec: &GenSpec, path: &Path) -> Result<GenTotals, String> {
    let name = path.to_string_lossy();
    if name.ends_with(".parquet") {
        #[cfg(feature = "parquet")]
        return scpsim::billing::generate::write_parquet(spec, path);
        #[cfg(not(feature = "parquet"))]
        return Err("Parquet needs `--features parquet`".to_string());
    }
    let file = File::create(path).map_err(|e| e.to_string())?;
    if name.ends_with(".gz") {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let t = write_csv(spec, &mut gz).map_err(|e| e.to_string())?;
        gz.finish().map_err(|e| e.to_string())?;
        Ok(t)
    } else {
        write_csv(spec, file).map_err(|e| e.to_string())
    }
}
