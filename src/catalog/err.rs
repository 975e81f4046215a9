//! Errors of the catalog: the embedded data did not parse.
//!
//! The data is compiled into the binary and checked by the unit tests, so these errors mean a
//! corrupt build (environment failure, exit 3), never bad user input.

use thiserror::Error;

/// The embedded catalog data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum CatalogError {
    /// A line of the generated catalog (`data/catalog/catalog.tsv`) is malformed.
    #[error("catalog data line {line}: {message}")]
    #[diagnostic(
        code(scpsim::catalog::data),
        help("the embedded catalog is corrupt; regenerate it with tools/catalog/generate.py")
    )]
    Malformed {
        /// 1-based line number in the catalog file (0 when unknown).
        line: usize,
        /// What is wrong, lowercase.
        message: String,
    },
    /// A hand-written data file under `data/aws/` is malformed.
    #[error("data file `{file}`: {message}")]
    #[diagnostic(code(scpsim::catalog::aws_data))]
    AwsData {
        /// The file name, for example `quotas.json`.
        file: &'static str,
        /// The parser's message.
        message: String,
    },
}
