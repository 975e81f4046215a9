//! Exit codes: one table for every subcommand (README "Exit codes").
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success: nothing at or above `--fail-on` |
//! | 1 | the tool worked and the answer is no (findings at or above `--fail-on`, ...) |
//! | 2 | usage error or unreadable own input (arguments, config, org file) |
//! | 3 | environment failure (I/O, AWS, internal error) |

use std::process::{ExitCode, Termination};

/// The process exit status of a scpsim command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: success.
    Success = 0,
    /// 1: the tool worked and the answer is no.
    Failure = 1,
    /// 2: usage error or unreadable own input.
    Usage = 2,
    /// 3: environment failure (I/O, AWS, internal).
    Environment = 3,
}

impl ExitStatus {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Combines two statuses: the more severe one wins (3 > 2 > 1 > 0).
    #[must_use]
    pub fn max(self, other: ExitStatus) -> ExitStatus {
        std::cmp::max(self, other)
    }
}

impl Termination for ExitStatus {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}
