//! The progress bar of long `check` and `diff` runs: on stderr, only when stderr is a terminal,
//! `--quiet` is not given, and the output is not machine-readable JSON/SARIF piped elsewhere.
//! Never drawn in tests (their stderr is captured, not a terminal); stdout is unaffected.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analyze::Progress;
use crate::output::OutputFormat;

/// An indicatif bar counting decisions; `None` when it should not be drawn. Counts are kept in
/// atomics and the bar is updated every [`STEP`] decisions, so that worker threads do not
/// contend for the bar's lock.
pub struct Bar(Option<ProgressBar>, AtomicU64, AtomicU64);

/// Decisions between two updates of the bar.
const STEP: u64 = 4096;

impl Bar {
    /// A bar labelled `what` (`check`, `diff`), or a hidden one (see the module doc).
    pub fn new(what: &str, format: OutputFormat, quiet: bool) -> Bar {
        let machine = matches!(format, OutputFormat::Json | OutputFormat::Sarif);
        let show = !quiet
            && std::io::stderr().is_terminal()
            && (!machine || std::io::stdout().is_terminal());
        if !show {
            return Bar(None, AtomicU64::new(0), AtomicU64::new(0));
        }
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} decisions, eta {eta}",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what.to_string());
        Bar(Some(pb), AtomicU64::new(0), AtomicU64::new(0))
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn add_total(&self, n: u64) {
        if let Some(pb) = &self.0 {
            let total = self.1.fetch_add(n, Ordering::Relaxed) + n;
            pb.set_length(total);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(pb) = &self.0 {
            let done = self.2.fetch_add(n, Ordering::Relaxed) + n;
            if done / STEP != (done - n) / STEP {
                pb.set_position(done);
            }
        }
    }
}
