//! Reader of the generated catalog file `data/catalog/catalog.tsv`.
//!
//! Format (one record per line, fields separated by tabs, lists by commas; written by
//! `tools/catalog/generate.py`, described in `tools/catalog/README.md`):
//!
//! ```text
//! scpsim-catalog  1
//! source     ID  PACKAGE  VERSION  LICENSE  URL
//! generated  YYYY-MM-DD
//! counts     SERVICES  ACTIONS
//! partition  ID  DNS-SUFFIX  REGION,REGION,...
//! rcp        PREFIX,PREFIX,...
//! service    PREFIX  NAME  BLOCK-BYTES  ACTIONS     (one per service, sorted by prefix)
//! end
//! then one block per service, in header order:
//! K  KEY  TYPE                                    service condition key
//! T  NAME  ARN,ARN  KEY,KEY                       resource type
//! A  NAME  ACCESS  KEY,KEY  DEPENDENT,DEPENDENT   action (ACCESS: letters of L R W P T)
//! r  NAME  0|1  KEY,KEY  DEPENDENT,DEPENDENT      resource type of the preceding action
//! ```
//!
//! The header is read at load; a service's block is parsed on first use.

use super::err::CatalogError;
use super::keys::KeyType;
use super::{Action, ActionResource, ConditionKey, Partition, ResourceType, Source};

/// The header of the catalog file.
#[derive(Debug)]
pub(crate) struct Header {
    pub sources: Vec<Source>,
    pub generated: &'static str,
    pub service_count: usize,
    pub action_count: usize,
    pub partitions: Vec<Partition>,
    pub rcp: Vec<&'static str>,
    /// (prefix, name, block text, action count)
    pub services: Vec<(&'static str, &'static str, &'static str, usize)>,
}

/// The parsed block of one service.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub keys: Vec<ConditionKey>,
    pub resource_types: Vec<ResourceType>,
    pub actions: Vec<Action>,
}

fn bad(line: usize, message: impl Into<String>) -> CatalogError {
    CatalogError::Malformed {
        line,
        message: message.into(),
    }
}

fn list(s: &'static str) -> Vec<&'static str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').collect()
    }
}

fn number(s: &str, line: usize) -> Result<usize, CatalogError> {
    s.parse()
        .map_err(|_| bad(line, format!("`{s}` is not a number")))
}

/// Reads the header and slices the blocks. Cost: one pass over the header lines only.
pub(crate) fn parse_header(text: &'static str) -> Result<Header, CatalogError> {
    let mut h = Header {
        sources: Vec::new(),
        generated: "",
        service_count: 0,
        action_count: 0,
        partitions: Vec::new(),
        rcp: Vec::new(),
        services: Vec::new(),
    };
    let mut sizes = Vec::new();
    let mut pos = 0;
    let mut ended = false;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        pos += raw.len();
        let n = i + 1;
        let line = raw.trim_end_matches('\n');
        let f: Vec<&'static str> = line.split('\t').collect();
        match f.as_slice() {
            ["scpsim-catalog", "1"] if n == 1 => {}
            _ if n == 1 => return Err(bad(1, "not a scpsim catalog of format 1")),
            ["source", id, package, version, license, url] => h.sources.push(Source {
                id,
                package,
                version,
                license,
                url,
            }),
            ["generated", date] => h.generated = date,
            ["counts", s, a] => {
                h.service_count = number(s, n)?;
                h.action_count = number(a, n)?;
            }
            ["partition", id, dns, regions] => h.partitions.push(Partition {
                id,
                dns_suffix: dns,
                regions: list(regions),
            }),
            ["rcp", prefixes] => h.rcp = list(prefixes),
            ["service", prefix, name, bytes, actions] => {
                sizes.push(number(bytes, n)?);
                h.services.push((prefix, name, "", number(actions, n)?));
            }
            ["end"] => {
                ended = true;
                break;
            }
            _ => return Err(bad(n, format!("unexpected header line `{line}`"))),
        }
    }
    if !ended {
        return Err(bad(0, "the header has no `end` line"));
    }
    for (svc, size) in h.services.iter_mut().zip(sizes) {
        let block = text
            .get(pos..pos + size)
            .ok_or_else(|| bad(0, format!("the block of `{}` runs past the end", svc.0)))?;
        svc.2 = block;
        pos += size;
    }
    if pos != text.len() {
        return Err(bad(0, "bytes left after the last service block"));
    }
    if h.services.len() != h.service_count {
        return Err(bad(0, "service count differs from the header"));
    }
    Ok(h)
}

/// Parses one service block; `prefix` only names the service in error messages.
pub(crate) fn parse_block(block: &'static str, prefix: &str) -> Result<Body, CatalogError> {
    let mut body = Body::default();
    for line in block.lines() {
        // At most five fields per line: split into a fixed array, no allocation.
        let mut f: [&'static str; 6] = [""; 6];
        let mut n = 0;
        for part in line.split('\t') {
            match f.get_mut(n) {
                Some(slot) => *slot = part,
                None => return Err(bad(0, format!("`{prefix}`: too many fields in `{line}`"))),
            }
            n += 1;
        }
        match f.get(..n).unwrap_or_default() {
            ["K", name, ty] => body.keys.push(ConditionKey {
                name,
                key_type: KeyType::parse(ty).ok_or_else(|| {
                    bad(0, format!("`{prefix}`: unknown condition key type `{ty}`"))
                })?,
            }),
            ["T", name, arns, keys] => body.resource_types.push(ResourceType {
                name,
                arns: list(arns),
                condition_keys: list(keys),
            }),
            ["A", name, access, keys, deps] => body.actions.push(Action {
                name,
                access: super::AccessLevels::parse(access).ok_or_else(|| {
                    bad(0, format!("`{prefix}:{name}`: bad access level `{access}`"))
                })?,
                condition_keys: list(keys),
                dependent_actions: list(deps),
                resource_types: Vec::new(),
            }),
            ["r", name, req, keys, deps] => {
                let action = body.actions.last_mut().ok_or_else(|| {
                    bad(0, format!("`{prefix}`: resource line before any action"))
                })?;
                action.resource_types.push(ActionResource {
                    name,
                    required: *req == "1",
                    condition_keys: list(keys),
                    dependent_actions: list(deps),
                });
            }
            _ => return Err(bad(0, format!("`{prefix}`: unexpected line `{line}`"))),
        }
    }
    Ok(body)
}
