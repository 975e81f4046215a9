//! README.md stays true: its test command is what `.ci/run` runs, and its rule table lists
//! exactly the rules scpsim has, with their default severities.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = read("README.md");
    let start = readme.find("## Two commands on a fresh machine").unwrap();
    let blocks: Vec<&str> = readme[start..]
        .split("```sh\n")
        .skip(1)
        .take(2)
        .map(|b| b.split("```").next().unwrap().trim())
        .collect();
    assert_eq!(blocks.len(), 2, "README starts with two commands");
    let test_cmd = blocks[1];
    assert!(test_cmd.starts_with("cargo test"));
    let ci = read(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == test_cmd),
        ".ci/run must run `{test_cmd}`"
    );
}

#[test]
fn rule_table_matches_the_registry() {
    let readme = read("README.md");
    // The rule table is the one under "## What `lint` checks" (other tables start with "| `" too).
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("What `lint` checks"))
        .expect("README has a \"What `lint` checks\" section");
    let mut table: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            (cols[1].trim_matches('`').to_string(), cols[2].to_string())
        })
        .collect();
    table.sort();
    let mut ids: Vec<(String, String)> = scpsim::rules::all()
        .iter()
        .map(|r| r.meta())
        .map(|m| (m.id.to_string(), m.default_severity.to_string()))
        .collect();
    // Every grammar error id has its own rule file, so the registry alone is complete.
    for k in scpsim::policy::PolicyErrorKind::ALL {
        assert!(
            ids.iter().any(|(id, _)| id == k.code()),
            "{} is not in rules::all()",
            k.code()
        );
    }
    ids.sort();
    assert_eq!(table.len(), ids.len(), "README table rows vs rules");
    for ((tid, tsev), (id, sev)) in table.iter().zip(&ids) {
        assert_eq!(tid, id);
        assert!(
            tsev.starts_with(sev.as_str()),
            "{id}: README says `{tsev}`, rule says {sev}"
        );
    }
}
