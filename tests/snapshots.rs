//! Snapshots of the rendered diagnostics (plain ASCII style) for the broken files of
//! fixtures/broken. A file named `KIND--name.json` is linted as that policy kind; others have
//! their kind guessed. Each snapshot is the exact text a user sees.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;

use scpsim::lint::{LintOptions, lint_paths};
use scpsim::output::human::{Style, render_lint};
use scpsim::policy::PolicyKind;

fn kind_of(stem: &str) -> Option<PolicyKind> {
    let (prefix, _) = stem.split_once("--")?;
    Some(match prefix {
        "scp" => PolicyKind::Scp,
        "rcp" => PolicyKind::Rcp,
        "identity" => PolicyKind::Identity,
        "resource" => PolicyKind::Resource,
        other => panic!("unknown kind prefix {other}"),
    })
}

#[test]
fn broken_files_render_located_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fixtures/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 15);
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        // Run from the crate root so the file name in the snapshot is a stable relative path.
        let run = lint_paths(&[root.join(&rel)], &LintOptions::with_kind(kind_of(&stem)));
        assert!(
            run.findings()
                .any(|f| f.severity == scpsim::diag::Severity::Error),
            "{stem} must have an error"
        );
        let out = render_lint(&run, Style::Plain).replace(&format!("{}/", root.display()), "");
        insta::assert_snapshot!(stem, out);
    }
}
