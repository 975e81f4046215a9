//! The `scpsim` binary: parse arguments, run, exit with the shared exit-code table.

use clap::Parser;

use scpsim::cli::{Cli, run};
use scpsim::error::ExitStatus;
use scpsim::output::PipeSafe;

fn main() -> ExitStatus {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = PipeSafe(stdout.lock());
    run(&cli, &mut out)
}
