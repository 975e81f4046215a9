//! README.md stays true: its test command is what `.ci/run` runs, its rule table lists
//! exactly the rules scpsim has, with their default severities, and every decision-rule tag
//! the code cites (`R1.6`) has a row naming its AWS page.

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

/// The `R<section>.<n>` tags of one text, in order of appearance (with repeats).
fn rule_tags(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut tags = Vec::new();
    for i in 0..b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if b[i] != b'R' || !boundary {
            continue;
        }
        let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let major = digits(i + 1);
        if major == 0 || b.get(i + 1 + major) != Some(&b'.') {
            continue;
        }
        let minor = digits(i + 2 + major);
        if minor == 0 {
            continue;
        }
        tags.push(text[i..i + 2 + major + minor].to_string());
    }
    tags
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_rule_tag_in_the_code_is_explained_in_the_readme() {
    let readme = read("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Decision rules cited in output"))
        .expect("README has a \"Decision rules cited in output\" section");
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| R") && !l.starts_with("| Rule "))
        .collect();
    let listed: Vec<String> = rows
        .iter()
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect();
    for row in &rows {
        assert!(
            row.contains("](https://docs.aws.amazon.com/"),
            "each rule names its AWS page: {row}"
        );
    }
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files.sort();
    let mut missing = Vec::new();
    for f in &files {
        for tag in rule_tags(&std::fs::read_to_string(f).unwrap()) {
            if !listed.contains(&tag) && !missing.contains(&tag) {
                missing.push(tag);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rule tags cited in src/ but not in README's table: {missing:?}"
    );
    assert!(listed.len() >= 10, "the table lists the rules: {listed:?}");
}

#[test]
fn rule_tags_are_found_as_words() {
    assert_eq!(
        rule_tags("see R1.6, verify (R6.10) and XR2.1"),
        ["R1.6", "R6.10"]
    );
    assert!(rule_tags("R1. and R.5").is_empty());
}
