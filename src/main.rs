//! The `scpsim` binary: parse arguments, run, exit with the shared exit-code table.

use clap::Parser;

use scpsim::cli::{Cli, run};
use scpsim::error::ExitStatus;

fn main() -> ExitStatus {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run(&cli, &mut out)
}
