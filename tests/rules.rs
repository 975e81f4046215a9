//! One good and one bad fixture per rule: `fixtures/rules/<rule-id>/{bad,good}-<kind>[-name].json`.
//! Each file is linted as `<kind>` (`legacy-scp-grammar` with `--scp-grammar legacy`), and a
//! `{bad,good}-org/` directory (an org file and its policies) with `--org`, for the
//! organization-level rules; a
//! `good-*` file must give no finding of its rule, a `bad-*` file at least one, and the plain
//! output of every bad file is an insta snapshot. Every rule must have a fixture directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;

use scpsim::lint::{LintOptions, lint_org, lint_paths};
use scpsim::output::human::{Style, render_lint};
use scpsim::policy::PolicyKind;
use scpsim::rules::{self, ScpGrammar};

fn kind(s: &str) -> PolicyKind {
    match s {
        "scp" => PolicyKind::Scp,
        "rcp" => PolicyKind::Rcp,
        "identity" => PolicyKind::Identity,
        "resource" => PolicyKind::Resource,
        "boundary" => PolicyKind::Boundary,
        "session" => PolicyKind::Session,
        other => panic!("unknown kind `{other}` in a fixture name"),
    }
}

#[test]
fn every_rule_has_good_and_bad_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fixtures/rules");
    let mut dirs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let names: Vec<String> = dirs
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for r in rules::all() {
        assert!(
            names.iter().any(|n| n == r.meta().id),
            "{} has no fixtures/rules directory",
            r.meta().id
        );
    }
    for d in &dirs {
        let rule = d.file_name().unwrap().to_string_lossy().to_string();
        assert!(rules::find(&rule).is_some(), "{rule} is not a rule id");
        let mut files: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut good, mut bad) = (0, 0);
        for path in files {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut parts = stem.splitn(3, '-');
            let verdict = parts.next().unwrap();
            let kind_name = parts.next().expect("kind after good-/bad-");
            let rel = path.strip_prefix(root).unwrap();
            if kind_name == "org" {
                // An organization-level rule: `{good,bad}-org/` holds an org file and its
                // policies, linted with `--org`.
                let run = lint_org(&root.join(rel), &LintOptions::default());
                assert!(run.input_errors.is_empty());
                let hits = run.findings().filter(|f| f.rule == rule).count();
                match verdict {
                    "good" => {
                        good += 1;
                        assert_eq!(hits, 0, "{rule}/{stem} must not trigger {rule}");
                    }
                    _ => {
                        bad += 1;
                        assert!(hits > 0, "{rule}/{stem} must trigger {rule}");
                        let out = render_lint(&run, Style::Plain)
                            .replace(&format!("{}/", root.display()), "");
                        insta::assert_snapshot!(format!("{rule}__{stem}"), out);
                    }
                }
                continue;
            }
            let opts = LintOptions {
                kind: Some(kind(kind_name)),
                scp_grammar: if rule == "legacy-scp-grammar" {
                    ScpGrammar::Legacy
                } else {
                    ScpGrammar::Current
                },
                config: None,
            };
            let run = lint_paths(&[root.join(rel)], &opts);
            assert!(run.input_errors.is_empty());
            let hits = run.findings().filter(|f| f.rule == rule).count();
            match verdict {
                "good" => {
                    good += 1;
                    assert_eq!(hits, 0, "{rule}/{stem} must not trigger {rule}");
                }
                "bad" => {
                    bad += 1;
                    assert!(hits > 0, "{rule}/{stem} must trigger {rule}");
                    let out = render_lint(&run, Style::Plain)
                        .replace(&format!("{}/", root.display()), "");
                    insta::assert_snapshot!(format!("{rule}__{stem}"), out);
                }
                other => panic!("{rule}/{stem}: name must start with good- or bad-, not {other}"),
            }
        }
        assert!(good > 0 && bad > 0, "{rule} needs a good and a bad fixture");
    }
}
