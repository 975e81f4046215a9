//! The resource limits scpsim enforces on its input, in one place, each with a default.
//!
//! A policy or org file over a limit is not processed: it is reported as an input error (exit
//! 2) that names the limit and the `[limits]` key of `scpsim.toml` that raises it. The defaults
//! are far above anything AWS accepts (an SCP holds at most 5,120 characters, a managed policy
//! 6,144; <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>), so they only
//! bound time and memory on hostile input; lower them for a pre-commit hook that should refuse
//! junk quickly. The README's "Limits" table lists them.

use crate::policy::PolicyDocument;
use crate::source::Span;

/// Limits on input size and shape. Every field has a default ([`Limits::default`]); the
/// `[limits]` section of `scpsim.toml` overrides any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest policy or org file read, in bytes (default 64 MiB).
    pub max_file_bytes: u64,
    /// Deepest nesting of JSON arrays and objects in a policy (default and ceiling 512, the
    /// parser's own fixed limit, [`crate::json::MAX_NESTING_DEPTH`]).
    pub max_json_depth: usize,
    /// Most statements in one policy (default 100,000).
    pub max_statements: usize,
    /// Most condition values in one policy, over every operator and key (default 100,000).
    pub max_condition_values: usize,
    /// Longest single string in `Action`, `NotAction`, `Resource`, `NotResource` or a condition
    /// value, in bytes (default 65,536). Matching is linear in it, but it is still work per
    /// request.
    pub max_pattern_len: usize,
    /// Most nodes (root, OUs and accounts) in an org file (default 1,000,000).
    pub max_org_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_json_depth: crate::json::MAX_NESTING_DEPTH,
            max_statements: 100_000,
            max_condition_values: 100_000,
            max_pattern_len: 65_536,
            max_org_nodes: 1_000_000,
        }
    }
}

/// One broken limit: which one, and where in the text when that is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (raise `[limits] {key}` in scpsim.toml)")]
pub struct LimitError {
    /// The `[limits]` key (`max_json_depth`).
    pub key: &'static str,
    /// Lowercase description with the actual value and the limit.
    pub message: String,
    /// Where the limit was crossed, when known.
    pub span: Option<Span>,
}

impl Limits {
    /// Checks a file size in bytes against [`Limits::max_file_bytes`].
    ///
    /// # Errors
    ///
    /// The size is over the limit.
    pub fn check_file_size(&self, bytes: u64) -> Result<(), LimitError> {
        if bytes > self.max_file_bytes {
            return Err(LimitError {
                key: "max_file_bytes",
                message: format!(
                    "the file is {bytes} bytes, over the limit of {} bytes",
                    self.max_file_bytes
                ),
                span: None,
            });
        }
        Ok(())
    }

    /// Checks the nesting depth of JSON text without parsing it (one pass over the bytes,
    /// skipping strings), so that a deep document never reaches the recursive parser.
    ///
    /// # Errors
    ///
    /// The text nests deeper than [`Limits::max_json_depth`]; the span is the bracket that
    /// crossed it.
    pub fn check_json_depth(&self, text: &str) -> Result<(), LimitError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for (i, b) in text.bytes().enumerate() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > self.max_json_depth {
                        return Err(LimitError {
                            key: "max_json_depth",
                            message: format!(
                                "JSON nested deeper than {} levels",
                                self.max_json_depth
                            ),
                            span: Some(Span::new(i, i + 1)),
                        });
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks a parsed policy: statement count, condition value count and string lengths.
    ///
    /// # Errors
    ///
    /// The first limit the document breaks, located at the offending element.
    pub fn check_document(&self, doc: &PolicyDocument) -> Result<(), LimitError> {
        if doc.statements.len() > self.max_statements {
            return Err(LimitError {
                key: "max_statements",
                message: format!(
                    "the policy has {} statements, over the limit of {}",
                    doc.statements.len(),
                    self.max_statements
                ),
                span: doc.statements.get(self.max_statements).map(|s| s.span),
            });
        }
        let mut values = 0usize;
        for s in &doc.statements {
            for list in std::iter::once(&s.action).chain(&s.resource) {
                for v in &list.values {
                    self.check_len(&v.value, v.span)?;
                }
            }
            for block in s.condition.iter().flat_map(|c| &c.blocks) {
                for entry in &block.entries {
                    values += entry.values.len();
                    if values > self.max_condition_values {
                        return Err(LimitError {
                            key: "max_condition_values",
                            message: format!(
                                "the policy has more than {} condition values",
                                self.max_condition_values
                            ),
                            span: Some(entry.key.span),
                        });
                    }
                    for v in &entry.values {
                        self.check_len(&v.value.text, v.span)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_len(&self, s: &str, span: Span) -> Result<(), LimitError> {
        if s.len() > self.max_pattern_len {
            return Err(LimitError {
                key: "max_pattern_len",
                message: format!(
                    "a value of {} bytes, over the limit of {}",
                    s.len(),
                    self.max_pattern_len
                ),
                span: Some(span),
            });
        }
        Ok(())
    }

    /// Checks the number of nodes of an organization.
    ///
    /// # Errors
    ///
    /// More nodes than [`Limits::max_org_nodes`].
    pub fn check_org_nodes(&self, nodes: usize) -> Result<(), LimitError> {
        if nodes > self.max_org_nodes {
            return Err(LimitError {
                key: "max_org_nodes",
                message: format!(
                    "the organization has {nodes} nodes (root, OUs and accounts), over the limit of {}",
                    self.max_org_nodes
                ),
                span: None,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_scan_skips_strings_and_locates_the_bracket() {
        let l = Limits {
            max_json_depth: 2,
            ..Limits::default()
        };
        assert!(l.check_json_depth(r#"{"a":["[[[[\"{{"]}"#).is_ok());
        let e = l.check_json_depth(r#"{"a":[{}]}"#).unwrap_err();
        assert_eq!(e.key, "max_json_depth");
        assert_eq!(e.span, Some(Span::new(6, 7)));
        assert!(e.to_string().contains("[limits] max_json_depth"));
    }

    #[test]
    fn document_limits() {
        let doc = crate::policy::parse_policy(
            r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:a":["1","2","3"]}}},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        assert!(Limits::default().check_document(&doc).is_ok());
        let l = |f: fn(&mut Limits)| {
            let mut l = Limits::default();
            f(&mut l);
            l.check_document(&doc).unwrap_err().key
        };
        assert_eq!(l(|l| l.max_statements = 1), "max_statements");
        assert_eq!(l(|l| l.max_condition_values = 2), "max_condition_values");
        assert_eq!(l(|l| l.max_pattern_len = 3), "max_pattern_len");
    }
}
