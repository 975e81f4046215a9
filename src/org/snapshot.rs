//! Writing an organization snapshot: the org file (`org.yaml`, the schema of [`super::local`])
//! plus one JSON file per policy under `policies/`, as `org pull` produces it.
//!
//! The output is deterministic: OUs and accounts are sorted by name then id, policies by type,
//! name and id, attachments by policy name, tags by key; the files carry no timestamp, and each
//! policy file holds the policy content exactly as AWS returned it. Re-pulling an unchanged
//! organization therefore gives byte-identical files.
//!
//! [`write_atomic`] writes into a temporary directory next to the target and renames it into
//! place only once every file is written, so a failure (or a kill) never leaves a half-written
//! snapshot and never touches the previous one; the next pull removes what a killed one left.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::policy::PolicyKind;

use super::err::OrgError;

/// First line of every `org.yaml` that `org pull` writes; marks a directory it may replace.
pub const SNAPSHOT_MARKER: &str = "# scpsim org snapshot";

/// An organization as read from AWS, before it is written to files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// `o-...`.
    pub organization_id: Option<String>,
    /// The management account's id.
    pub management_account_id: Option<String>,
    /// Whether the RESOURCE_CONTROL_POLICY type is enabled on the root.
    pub rcps_enabled: bool,
    /// Every policy attached somewhere, in any order.
    pub policies: Vec<SnapshotPolicy>,
    /// The root, holding the whole tree.
    pub root: SnapshotNode,
}

/// One SCP or RCP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPolicy {
    /// AWS policy id (`p-...`, `p-FullAWSAccess`).
    pub id: String,
    /// AWS policy name.
    pub name: String,
    /// [`PolicyKind::Scp`] or [`PolicyKind::Rcp`].
    pub kind: PolicyKind,
    /// Whether AWS manages the policy (`FullAWSAccess`).
    pub aws_managed: bool,
    /// The policy document exactly as DescribePolicy returned it.
    pub content: String,
}

/// A root, OU or account with what is attached to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotNode {
    /// `r-...`, `ou-...` or the 12-digit account id.
    pub id: String,
    /// OU or account name (unused for the root).
    pub name: String,
    /// Account email.
    pub email: Option<String>,
    /// OU or account tags.
    pub tags: BTreeMap<String, String>,
    /// Ids of the SCPs attached directly.
    pub scps: Vec<String>,
    /// Ids of the RCPs attached directly.
    pub rcps: Vec<String>,
    /// Child OUs (root and OUs only).
    pub ous: Vec<SnapshotNode>,
    /// Child accounts (root and OUs only).
    pub accounts: Vec<SnapshotNode>,
}

/// One file of a rendered snapshot: a path relative to the snapshot directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// `org.yaml` or `policies/NAME.json`.
    pub path: String,
    /// The file's content.
    pub text: String,
}

/// A YAML double-quoted scalar (a JSON string is one in YAML 1.2).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// A file-name-safe form of a policy name: `[A-Za-z0-9._-]` kept, anything else `_`.
fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

struct Named<'a> {
    policy: &'a SnapshotPolicy,
    name: String,
    file: String,
}

fn kind_rank(k: PolicyKind) -> u8 {
    match k {
        PolicyKind::Scp => 0,
        PolicyKind::Rcp => 1,
        _ => 2,
    }
}

/// Gives every policy a unique name (the org file refers to policies by name) and file.
fn name_policies(policies: &[SnapshotPolicy]) -> Vec<Named<'_>> {
    let mut sorted: Vec<&SnapshotPolicy> = policies.iter().collect();
    sorted.sort_by(|a, b| {
        (kind_rank(a.kind), &a.name, &a.id).cmp(&(kind_rank(b.kind), &b.name, &b.id))
    });
    sorted.dedup_by(|a, b| a.id == b.id);
    let mut names = HashSet::new();
    let mut files = HashSet::new();
    let mut out = Vec::with_capacity(sorted.len());
    for p in sorted {
        let mut name = p.name.clone();
        if !names.insert(name.clone()) {
            // Two policies of different types may share a name in AWS; the org file keys by name.
            name = format!("{} ({})", p.name, p.id);
            names.insert(name.clone());
        }
        let mut stem = sanitize(&p.name);
        if !files.insert(stem.to_ascii_lowercase()) {
            stem = format!("{stem}-{}", sanitize(&p.id));
            files.insert(stem.to_ascii_lowercase());
        }
        out.push(Named {
            policy: p,
            name,
            file: format!("policies/{stem}.json"),
        });
    }
    out
}

fn sorted_children(nodes: &[SnapshotNode]) -> Vec<&SnapshotNode> {
    let mut v: Vec<&SnapshotNode> = nodes.iter().collect();
    v.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    v
}

fn name_list(ids: &[String], by_id: &HashMap<&str, &str>) -> String {
    let mut names: Vec<&str> = ids
        .iter()
        .map(|id| by_id.get(id.as_str()).copied().unwrap_or(id.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let items: Vec<String> = names.iter().map(|n| q(n)).collect();
    format!("[{}]", items.join(", "))
}

fn tags_map(tags: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = tags
        .iter()
        .map(|(k, v)| format!("{}: {}", q(k), q(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn write_node(
    s: &mut String,
    n: &SnapshotNode,
    kind: &str,
    indent: usize,
    by_id: &HashMap<&str, &str>,
    rcps_enabled: bool,
) {
    let pad = " ".repeat(indent);
    // Root: `root:` mapping; OUs and accounts: list items.
    let (first, rest) = if kind == "root" {
        (pad.clone(), pad.clone())
    } else {
        (format!("{pad}- "), format!("{pad}  "))
    };
    let _ = writeln!(s, "{first}id: {}", q(&n.id));
    if kind != "root" {
        let _ = writeln!(s, "{rest}name: {}", q(&n.name));
    }
    if let Some(email) = &n.email {
        let _ = writeln!(s, "{rest}email: {}", q(email));
    }
    if kind != "root" && !n.tags.is_empty() {
        let _ = writeln!(s, "{rest}tags: {}", tags_map(&n.tags));
    }
    let _ = writeln!(s, "{rest}scps: {}", name_list(&n.scps, by_id));
    if rcps_enabled || !n.rcps.is_empty() {
        let _ = writeln!(s, "{rest}rcps: {}", name_list(&n.rcps, by_id));
    }
    if kind == "account" {
        return;
    }
    if !n.accounts.is_empty() {
        let _ = writeln!(s, "{rest}accounts:");
        for a in sorted_children(&n.accounts) {
            write_node(s, a, "account", rest.len() + 2, by_id, rcps_enabled);
        }
    }
    if !n.ous.is_empty() {
        let _ = writeln!(s, "{rest}ous:");
        for o in sorted_children(&n.ous) {
            write_node(s, o, "ou", rest.len() + 2, by_id, rcps_enabled);
        }
    }
}

/// Renders a snapshot as files: `org.yaml` first, then one file per policy in name order.
pub fn render(snap: &Snapshot) -> Vec<SnapshotFile> {
    let named = name_policies(&snap.policies);
    let by_id: HashMap<&str, &str> = named
        .iter()
        .map(|n| (n.policy.id.as_str(), n.name.as_str()))
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{SNAPSHOT_MARKER}, written by `scpsim org pull`; a new pull replaces this directory."
    );
    let _ = writeln!(s, "version: 1");
    if let Some(id) = &snap.organization_id {
        let _ = writeln!(s, "organization_id: {}", q(id));
    }
    if let Some(id) = &snap.management_account_id {
        let _ = writeln!(s, "management_account_id: {}", q(id));
    }
    let _ = writeln!(s, "rcps_enabled: {}", snap.rcps_enabled);
    if named.is_empty() {
        let _ = writeln!(s, "policies: []");
    } else {
        let _ = writeln!(s, "policies:");
    }
    for n in &named {
        let _ = writeln!(s, "  - name: {}", q(&n.name));
        let _ = writeln!(s, "    type: {}", n.policy.kind.as_str());
        let _ = writeln!(s, "    id: {}", q(&n.policy.id));
        let _ = writeln!(s, "    file: {}", q(&n.file));
        if n.policy.aws_managed {
            let _ = writeln!(s, "    aws_managed: true");
        }
    }
    let _ = writeln!(s, "root:");
    write_node(&mut s, &snap.root, "root", 2, &by_id, snap.rcps_enabled);
    let mut files = vec![SnapshotFile {
        path: "org.yaml".into(),
        text: s,
    }];
    let mut policy_files: Vec<SnapshotFile> = named
        .iter()
        .map(|n| SnapshotFile {
            path: n.file.clone(),
            text: n.policy.content.clone(),
        })
        .collect();
    policy_files.sort_by(|a, b| a.path.cmp(&b.path));
    files.extend(policy_files);
    files
}

/// Removes a temporary directory when dropped, unless disarmed.
struct TempDir {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Whether `dir` may be replaced: it is empty, or its `org.yaml` starts with [`SNAPSHOT_MARKER`].
fn replaceable(dir: &Path) -> Result<bool, OrgError> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| OrgError::io(dir, &e))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    let org = dir.join("org.yaml");
    Ok(std::fs::read_to_string(&org)
        .map(|t| t.starts_with(SNAPSHOT_MARKER))
        .unwrap_or(false))
}

/// Writes `files` as the directory `out`, atomically: into a temporary directory next to it,
/// then renamed into place. An existing `out` is replaced only if it is empty or an earlier
/// snapshot ([`SNAPSHOT_MARKER`]), and only after the new snapshot is complete; on any error
/// the temporary directory is removed and `out` is left as it was.
pub fn write_atomic(files: &[SnapshotFile], out: &Path) -> Result<(), OrgError> {
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| OrgError::io(out, &e))?
            .join(out)
    };
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(OrgError::Io {
            path: out.display().to_string(),
            message: "not a directory name".into(),
        });
    };
    let parent = out.parent().unwrap_or(Path::new("/")).to_path_buf();
    recover_leftovers(&parent, &name, &out);
    let exists = out.exists();
    if exists {
        if !out.is_dir() {
            return Err(OrgError::Io {
                path: out.display().to_string(),
                message: "exists and is not a directory".into(),
            });
        }
        if !replaceable(&out)? {
            return Err(OrgError::NotASnapshot {
                path: out.display().to_string(),
            });
        }
    }
    std::fs::create_dir_all(&parent).map_err(|e| OrgError::io(&parent, &e))?;
    let pid = std::process::id();
    let tmp_path = parent.join(format!(".{name}.scpsim-tmp-{pid}"));
    if tmp_path.exists() {
        std::fs::remove_dir_all(&tmp_path).map_err(|e| OrgError::io(&tmp_path, &e))?;
    }
    std::fs::create_dir(&tmp_path).map_err(|e| OrgError::io(&tmp_path, &e))?;
    let mut tmp = TempDir {
        path: tmp_path.clone(),
        armed: true,
    };
    for f in files {
        let path = tmp_path.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| OrgError::io(dir, &e))?;
        }
        write_synced(&path, f.text.as_bytes())?;
    }
    if exists {
        let old = parent.join(format!(".{name}.scpsim-old-{pid}"));
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| OrgError::io(&old, &e))?;
        }
        std::fs::rename(&out, &old).map_err(|e| OrgError::io(&out, &e))?;
        if let Err(e) = std::fs::rename(&tmp_path, &out) {
            // Put the previous snapshot back before reporting.
            let _ = std::fs::rename(&old, &out);
            return Err(OrgError::io(&out, &e));
        }
        tmp.armed = false;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&tmp_path, &out).map_err(|e| OrgError::io(&out, &e))?;
        tmp.armed = false;
    }
    Ok(())
}

/// Cleans up after a pull that was killed: removes its temporary directory, and if it died
/// between moving the previous snapshot aside and moving the new one in, puts the previous one
/// back. Best effort: errors surface later as ordinary write errors.
fn recover_leftovers(parent: &Path, name: &str, out: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let tmp_prefix = format!(".{name}.scpsim-tmp-");
    let old_prefix = format!(".{name}.scpsim-old-");
    for e in entries.flatten() {
        let file_name = e.file_name();
        let f = file_name.to_string_lossy();
        if f.starts_with(&tmp_prefix) {
            let _ = std::fs::remove_dir_all(e.path());
        } else if f.starts_with(&old_prefix) {
            if out.exists() {
                let _ = std::fs::remove_dir_all(e.path());
            } else {
                let _ = std::fs::rename(e.path(), out);
            }
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), OrgError> {
    use std::io::Write;
    let mut f = std::fs::File::create(path).map_err(|e| OrgError::io(path, &e))?;
    f.write_all(bytes).map_err(|e| OrgError::io(path, &e))?;
    f.sync_all().map_err(|e| OrgError::io(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        let full = SnapshotPolicy {
            id: "p-FullAWSAccess".into(),
            name: "FullAWSAccess".into(),
            kind: PolicyKind::Scp,
            aws_managed: true,
            content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
        };
        let deny = SnapshotPolicy {
            id: "p-11111111".into(),
            name: "Deny Leave/Org".into(),
            kind: PolicyKind::Scp,
            aws_managed: false,
            content: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"organizations:LeaveOrganization\", \"Resource\": \"*\"}]\n}".into(),
        };
        let account = |id: &str, name: &str| SnapshotNode {
            id: id.into(),
            name: name.into(),
            email: Some(format!("{name}@example.com")),
            scps: vec!["p-FullAWSAccess".into()],
            ..SnapshotNode::default()
        };
        Snapshot {
            organization_id: Some("o-abcdefghij".into()),
            management_account_id: Some("111111111111".into()),
            rcps_enabled: false,
            policies: vec![deny, full],
            root: SnapshotNode {
                id: "r-ab12".into(),
                name: "Root".into(),
                scps: vec!["p-FullAWSAccess".into()],
                accounts: vec![account("111111111111", "management")],
                ous: vec![SnapshotNode {
                    id: "ou-ab12-11111111".into(),
                    name: "Workloads".into(),
                    tags: BTreeMap::from([("env".into(), "prod: \"x\"".into())]),
                    scps: vec!["p-FullAWSAccess".into(), "p-11111111".into()],
                    accounts: vec![
                        account("333333333333", "zeta"),
                        account("222222222222", "alpha"),
                    ],
                    ..SnapshotNode::default()
                }],
                ..SnapshotNode::default()
            },
        }
    }

    #[test]
    fn render_is_sorted_and_loads_back() {
        let files = render(&sample());
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "org.yaml",
                "policies/Deny_Leave_Org.json",
                "policies/FullAWSAccess.json"
            ]
        );
        let org = &files[0].text;
        assert!(org.starts_with(SNAPSHOT_MARKER));
        let alpha = org.find("alpha").unwrap();
        let zeta = org.find("zeta").unwrap();
        assert!(alpha < zeta, "{org}");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        write_atomic(&files, &out).unwrap();
        let quotas = crate::catalog::Catalog::load().unwrap().quotas();
        let loaded = crate::org::local::load(&out, &quotas);
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .map(|d| d.message.clone())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{org}");
        let tree = loaded.tree.unwrap();
        assert_eq!(tree.policies.len(), 2);
        let ou = tree.nodes.iter().find(|n| n.name == "Workloads").unwrap();
        assert_eq!(ou.tags["env"], "prod: \"x\"");
        assert_eq!(ou.scps.len(), 2);
        // Policy content is written exactly as given.
        let text = std::fs::read_to_string(out.join("policies/Deny_Leave_Org.json")).unwrap();
        assert_eq!(text, sample().policies[0].content);
        // Rendering again is byte-identical.
        assert_eq!(render(&sample()), files);
    }

    #[test]
    fn replaces_only_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = write_atomic(&render(&sample()), &out).unwrap_err();
        assert!(matches!(err, OrgError::NotASnapshot { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
        std::fs::remove_file(out.join("notes.txt")).unwrap();
        write_atomic(&render(&sample()), &out).unwrap();
        let mut changed = sample();
        changed.root.ous.clear();
        write_atomic(&render(&changed), &out).unwrap();
        let org = std::fs::read_to_string(out.join("org.yaml")).unwrap();
        assert!(!org.contains("Workloads"));
        // Nothing is left next to the snapshot.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["snap"]);
    }

    #[test]
    fn leftovers_of_a_killed_pull_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        write_atomic(&render(&sample()), &out).unwrap();
        // Killed while writing: a stale temporary directory.
        std::fs::create_dir(dir.path().join(".snap.scpsim-tmp-1")).unwrap();
        // Killed between the two renames: the previous snapshot moved aside, none in place.
        std::fs::rename(&out, dir.path().join(".snap.scpsim-old-2")).unwrap();
        let mut changed = sample();
        changed.root.ous.clear();
        write_atomic(&render(&changed), &out).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["snap"]);
        let org = std::fs::read_to_string(out.join("org.yaml")).unwrap();
        assert!(!org.contains("Workloads"));
    }

    #[test]
    fn duplicate_names_get_unique_names_and_files() {
        let mut s = sample();
        s.policies.push(SnapshotPolicy {
            id: "p-22222222".into(),
            name: "FullAWSAccess".into(),
            kind: PolicyKind::Rcp,
            aws_managed: false,
            content: "{}".into(),
        });
        let files = render(&s);
        let org = &files[0].text;
        assert!(org.contains("\"FullAWSAccess (p-22222222)\""), "{org}");
        assert!(
            files
                .iter()
                .any(|f| f.path == "policies/FullAWSAccess-p-22222222.json")
        );
    }
}
