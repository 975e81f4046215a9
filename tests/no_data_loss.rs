//! No data loss: `lint --fix` replaces files atomically. A failure (injected through the
//! debug-build-only `SCPSIM_FAULT` hook, see `scpsim::fix::write_atomically`) or a crash
//! (`:abort`, as if killed) at any step of the write leaves the original byte for byte, and no
//! temporary file is left behind (a crashed run's leftover is hidden, never linted, and removed
//! by the next run).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

const ORIGINAL: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": [\"s3:PutObject\", \"s3:GetObject\", \"s3:GetObject\"],\n      \"Resource\": [\"*\"]\n    }\n  ]\n}\n";

fn fix(dir: &Path, fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scpsim"));
    c.args(["lint", "--fix", "--policy-type", "scp", "p.json"])
        .current_dir(dir)
        .env_remove("SCPSIM_FAULT");
    if let Some(f) = fault {
        c.env("SCPSIM_FAULT", f);
    }
    c.output().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn injected_write_failures_keep_the_original_and_leave_no_temporary_file() {
    if !cfg!(debug_assertions) {
        return; // the SCPSIM_FAULT hook exists in debug builds only
    }
    for point in ["fix-before-write", "fix-mid-write", "fix-before-rename"] {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        std::fs::write(dir.path().join("p.json"), ORIGINAL).unwrap();
        let o = fix(dir.path(), Some(point));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(3),
            "{point}: an I/O failure is exit 3: {stderr}"
        );
        assert!(
            stderr.contains("p.json: cannot write the fix: injected fault"),
            "{point}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("p.json")).unwrap(),
            ORIGINAL
        );
        assert_eq!(names(dir.path()), ["p.json"], "{point}: no temporary file");
    }
}

#[cfg(unix)]
#[test]
fn a_crash_mid_write_keeps_the_original_and_the_next_run_cleans_up() {
    if !cfg!(debug_assertions) {
        return; // the SCPSIM_FAULT hook exists in debug builds only
    }
    for point in ["fix-mid-write", "fix-before-rename"] {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        std::fs::write(dir.path().join("p.json"), ORIGINAL).unwrap();
        let o = fix(dir.path(), Some(&format!("{point}:abort")));
        assert_eq!(o.status.code(), None, "{point}: killed by a signal");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("p.json")).unwrap(),
            ORIGINAL,
            "{point}: original intact"
        );
        let left = names(dir.path());
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(
            left[0].starts_with(".p.json.scpsim-fix-"),
            "hidden, not *.json: {left:?}"
        );
        // A lint of the directory does not pick the leftover up.
        let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
            .args(["lint", "--format", "json", "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["summary"]["files"], 1);
        // The next run fixes the file and removes the dead run's temporary file.
        let o = fix(dir.path(), None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let fixed = std::fs::read_to_string(dir.path().join("p.json")).unwrap();
        assert!(
            fixed.contains("[\"s3:GetObject\", \"s3:PutObject\"]"),
            "{fixed}"
        );
        assert!(fixed.contains("\"Resource\": \"*\""), "{fixed}");
        assert_eq!(names(dir.path()), ["p.json"]);
    }
}

#[cfg(unix)]
#[test]
fn read_only_directory_keeps_the_original() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(dir.path().join("p.json"), ORIGINAL).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = dir.path().join("probe");
    let writable = std::fs::write(&probe, "").is_ok();
    if !writable {
        // (Skipped as root, who can write anywhere; the injected faults cover that case.)
        let o = fix(dir.path(), None);
        assert_eq!(o.status.code(), Some(3));
        assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the fix"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("p.json")).unwrap(),
            ORIGINAL
        );
        assert_eq!(names(dir.path()), ["p.json"]);
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}
