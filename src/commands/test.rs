//! `scpsim test PATH...`: runs scenario files (`simulate` cases, see [`crate::eval::case`]) and
//! reports pass or fail per case, with the trace of each failure.
//!
//! Exit status: 0 when every case passes; 1 when any case fails (or is indeterminate); 2 when
//! a case file is invalid (reported as `file:line:col: message`) or a path does not exist; 3
//! when a file cannot be read.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::error::ExitStatus;
use crate::eval::case::{CaseEntry, load_cases_with};
use crate::eval::{Decision, EvalOptions, Evaluator, Trace};
use crate::lint::{collect_files, io_message};
use crate::output::Format;
use crate::source::SourceFile;

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case file.
    pub file: String,
    /// Line of the case object.
    pub line: usize,
    /// Case name.
    pub name: String,
    /// Expected decision.
    pub expect: Decision,
    /// The engine's decision.
    pub decision: Decision,
    /// True when they agree and the decision is determinate.
    pub passed: bool,
    /// The explanation.
    pub trace: Trace,
}

/// A file that could not be used.
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    /// Path or `file:line:col`.
    pub location: String,
    /// Message.
    pub message: String,
    /// True for invalid input (exit 2), false for I/O failures (exit 3).
    #[serde(skip)]
    pub usage: bool,
}

/// Everything `scpsim test` found.
#[derive(Debug, Clone, Default)]
pub struct TestRun {
    /// Case results, in file order then case order.
    pub results: Vec<CaseResult>,
    /// Skipped cases of other kinds: (file, name, kind).
    pub skipped: Vec<(String, String, String)>,
    /// Unusable files.
    pub errors: Vec<FileError>,
}

/// Loads and runs every case under `paths` (files, or directories walked for `*.json`).
pub fn run_cases(paths: &[PathBuf], options: EvalOptions) -> TestRun {
    let (files, input_errors) = collect_files(paths);
    let mut run = TestRun::default();
    for e in input_errors {
        run.errors.push(FileError {
            location: e.path,
            message: e.message,
            usage: e.usage,
        });
    }
    for path in files {
        let name = path.display().to_string();
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    run.errors.push(FileError {
                        location: name,
                        message: "the file is not valid UTF-8".into(),
                        usage: true,
                    });
                    continue;
                }
            },
            Err(e) => {
                run.errors.push(FileError {
                    location: name,
                    message: io_message(&e),
                    usage: false,
                });
                continue;
            }
        };
        let source: Arc<SourceFile> = SourceFile::new(name.clone(), text);
        let lower = crate::policy::LowerOptions {
            lenient_element_case: options.lenient_element_case,
        };
        let cases = match load_cases_with(&source, lower) {
            Ok(c) => c,
            Err(e) => {
                run.errors.push(FileError {
                    location: format!("{}:{}:{}", e.file, e.line, e.column),
                    message: e.message,
                    usage: true,
                });
                continue;
            }
        };
        for c in cases {
            match c {
                CaseEntry::Skipped { name: n, kind } => {
                    run.skipped.push((name.clone(), n, kind));
                }
                CaseEntry::Simulate(case) => {
                    let ev = Evaluator::new(&case.set, options);
                    let trace = ev.evaluate(&case.request);
                    let passed = trace.decision == case.expect && trace.other_reading.is_none();
                    run.results.push(CaseResult {
                        file: name.clone(),
                        line: case.line,
                        name: case.name,
                        expect: case.expect,
                        decision: trace.decision,
                        passed,
                        trace,
                    });
                }
            }
        }
    }
    run
}

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    summary: Summary,
    cases: &'a [CaseResult],
    errors: &'a [FileError],
}

#[derive(Serialize)]
struct Summary {
    cases: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    errors: usize,
}

/// Runs `scpsim test` and returns its exit status.
pub fn run(
    format: Format,
    paths: &[PathBuf],
    options: EvalOptions,
    out: &mut dyn Write,
) -> ExitStatus {
    let run = run_cases(paths, options);
    let passed = run.results.iter().filter(|r| r.passed).count();
    let failed = run.results.len() - passed;
    let text = match format {
        Format::Json => {
            let doc = JsonOut {
                version: crate::output::json::JSON_VERSION,
                summary: Summary {
                    cases: run.results.len(),
                    passed,
                    failed,
                    skipped: run.skipped.len(),
                    errors: run.errors.len(),
                },
                cases: &run.results,
                errors: &run.errors,
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => s + "\n",
                Err(_) => return ExitStatus::Environment,
            }
        }
        Format::Human | Format::Plain => render_human(&run, passed, failed),
    };
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitStatus::Environment;
    }
    let mut status = if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    for e in &run.errors {
        status = status.max(if e.usage {
            ExitStatus::Usage
        } else {
            ExitStatus::Environment
        });
    }
    status
}

fn render_human(run: &TestRun, passed: usize, failed: usize) -> String {
    let mut o = String::new();
    for r in &run.results {
        if r.passed {
            o.push_str(&format!(
                "PASS {}:{} {} ({})\n",
                r.file, r.line, r.name, r.decision
            ));
        } else {
            let why = match r.trace.other_reading {
                Some(other) if r.decision == r.expect => {
                    format!("indeterminate: {} or {other}", r.decision)
                }
                _ => format!("got {}", r.decision),
            };
            o.push_str(&format!(
                "FAIL {}:{} {}: expected {}, {why}\n",
                r.file, r.line, r.name, r.expect
            ));
            for line in r.trace.render().lines() {
                o.push_str("     ");
                o.push_str(line);
                o.push('\n');
            }
        }
    }
    for (file, name, kind) in &run.skipped {
        o.push_str(&format!("SKIP {file} {name} (kind `{kind}`)\n"));
    }
    for e in &run.errors {
        o.push_str(&format!("error: {}: {}\n", e.location, e.message));
    }
    o.push_str(&format!(
        "{} cases: {passed} passed, {failed} failed{}\n",
        run.results.len(),
        if run.errors.is_empty() {
            String::new()
        } else {
            format!(", {} unusable files", run.errors.len())
        }
    ));
    o
}
