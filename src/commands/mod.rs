//! One file per subcommand: each turns parsed arguments into work on the library and output on
//! `out`, and returns an [`crate::error::ExitStatus`].

pub mod lint;
