//! Scenario files (`../shared/cases/README.md`, kind `simulate`): a policy set, one request
//! and the expected decision. A file holds one case object or an array of them; keys the
//! loader does not know (`source`, `why`, `note`, ...) are comments and are ignored.
//!
//! Shape of one case: `name`, `kind` (`"simulate"`; other kinds are skipped), `scps` and
//! `rcps` (one array of policies per node, root first), `identity` (array), `boundary` (array
//! or one policy), `sessionPolicy`, `resourcePolicy`, `managementAccountId`,
//! `resourceAccount`, `request` (`principal`, `action`, `resource`, `context` of strings or
//! arrays of strings; optional `region`, `principalOrgId`) and `expect` (`Allowed`,
//! `ImplicitlyDenied` or `ExplicitlyDenied`). Policies are read with the same parser as policy
//! files, so traces point at line and column in the case file.

use std::sync::Arc;

use crate::json::{self, Json, JsonValue};
use crate::source::{SourceFile, Span};

use super::{ChainNode, Decision, NamedPolicy, PolicySet, Request};

/// A case file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CaseError {
    /// The file, as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Lowercase message.
    pub message: String,
}

/// One `simulate` case.
#[derive(Debug, Clone)]
pub struct SimulateCase {
    /// `name`, or `#index` when absent.
    pub name: String,
    /// 1-based line where the case object starts.
    pub line: usize,
    /// The policies.
    pub set: PolicySet,
    /// The request.
    pub request: Request,
    /// The expected decision.
    pub expect: Decision,
}

/// One entry of a case file.
#[derive(Debug, Clone)]
pub enum CaseEntry {
    /// A `simulate` case.
    Simulate(Box<SimulateCase>),
    /// A case of another kind (e.g. `lint`), not run by `scpsim test`.
    Skipped {
        /// Its name.
        name: String,
        /// Its kind.
        kind: String,
    },
}

struct Loader {
    source: Arc<SourceFile>,
    options: crate::policy::LowerOptions,
}

impl Loader {
    fn err(&self, span: Span, message: impl Into<String>) -> CaseError {
        let lc = self.source.line_col(span.start);
        CaseError {
            file: self.source.name().to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        }
    }

    fn get<'a>(&self, obj: &'a Json, key: &str) -> Option<&'a Json> {
        match &obj.value {
            JsonValue::Object(members) => members
                .iter()
                .rev()
                .find(|m| m.key == key)
                .map(|m| &m.value),
            _ => None,
        }
    }

    fn string(&self, j: &Json, what: &str) -> Result<String, CaseError> {
        match &j.value {
            JsonValue::String(s) => Ok(s.clone()),
            other => Err(self.err(
                j.span,
                format!("`{what}` must be a string, found {}", other.type_name()),
            )),
        }
    }

    fn array<'a>(&self, j: &'a Json, what: &str) -> Result<&'a [Json], CaseError> {
        match &j.value {
            JsonValue::Array(items) => Ok(items),
            other => Err(self.err(
                j.span,
                format!("`{what}` must be an array, found {}", other.type_name()),
            )),
        }
    }

    fn policy(&self, j: &Json, name: String) -> Result<NamedPolicy, CaseError> {
        match crate::policy::lower_with(j, self.options) {
            Ok(document) => Ok(NamedPolicy {
                name,
                document,
                source: Some(Arc::clone(&self.source)),
            }),
            Err(errs) => {
                let first = errs.iter().next();
                let span = first.map_or(j.span, |e| e.span);
                let msg = first.map_or_else(|| "invalid policy".to_string(), |e| e.message.clone());
                Err(self.err(span, format!("policy `{name}`: {msg}")))
            }
        }
    }

    fn chain(&self, j: &Json, what: &str) -> Result<Vec<ChainNode>, CaseError> {
        let nodes = self.array(j, what)?;
        let n = nodes.len();
        nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let name = match (i, n) {
                    (0, _) => "root".to_string(),
                    (i, n) if i + 1 == n => "account".to_string(),
                    (i, _) => format!("ou-{i}"),
                };
                let policies = self
                    .array(node, what)?
                    .iter()
                    .enumerate()
                    .map(|(k, p)| self.policy(p, format!("{what}[{i}][{k}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ChainNode { name, policies })
            })
            .collect()
    }

    fn case(&self, j: &Json, index: usize) -> Result<CaseEntry, CaseError> {
        if !matches!(j.value, JsonValue::Object(_)) {
            return Err(self.err(j.span, "a case must be a JSON object"));
        }
        let name = match self.get(j, "name") {
            Some(n) => self.string(n, "name")?,
            None => format!("#{index}"),
        };
        let kind = match self.get(j, "kind") {
            Some(k) => self.string(k, "kind")?,
            None => "simulate".to_string(),
        };
        if kind != "simulate" {
            return Ok(CaseEntry::Skipped { name, kind });
        }
        let mut set = PolicySet::default();
        if let Some(s) = self.get(j, "scps") {
            set.scps = self.chain(s, "scps")?;
        }
        if let Some(s) = self.get(j, "rcps") {
            set.rcps = self.chain(s, "rcps")?;
        }
        if let Some(s) = self.get(j, "identity") {
            set.identity = self
                .array(s, "identity")?
                .iter()
                .enumerate()
                .map(|(k, p)| self.policy(p, format!("identity[{k}]")))
                .collect::<Result<_, _>>()?;
        }
        if let Some(b) = self.get(j, "boundary") {
            set.boundary = match &b.value {
                JsonValue::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(k, p)| self.policy(p, format!("boundary[{k}]")))
                    .collect::<Result<_, _>>()?,
                JsonValue::Null => Vec::new(),
                _ => vec![self.policy(b, "boundary".into())?],
            };
        }
        if let Some(p) = self
            .get(j, "sessionPolicy")
            .filter(|p| p.value != JsonValue::Null)
        {
            set.session = Some(self.policy(p, "sessionPolicy".into())?);
        }
        if let Some(p) = self
            .get(j, "resourcePolicy")
            .filter(|p| p.value != JsonValue::Null)
        {
            set.resource = Some(self.policy(p, "resourcePolicy".into())?);
        }
        if let Some(m) = self.get(j, "managementAccountId") {
            set.management_account = Some(self.string(m, "managementAccountId")?);
        }
        let Some(rj) = self.get(j, "request") else {
            return Err(self.err(j.span, format!("case `{name}` has no `request`")));
        };
        let field = |key: &str| -> Result<String, CaseError> {
            match self.get(rj, key) {
                Some(v) => self.string(v, key),
                None => Err(self.err(rj.span, format!("`request` has no `{key}`"))),
            }
        };
        let principal = field("principal")?;
        let action = field("action")?;
        let resource = match self.get(rj, "resource") {
            Some(v) => self.string(v, "resource")?,
            None => "*".to_string(),
        };
        let mut request = Request::new(&principal, &action, &resource).map_err(|e| {
            let span = self.get(rj, "principal").map_or(rj.span, |p| p.span);
            self.err(span, e.to_string())
        })?;
        if let Some(r) = self.get(j, "resourceAccount") {
            request.resource_account = Some(self.string(r, "resourceAccount")?);
        }
        if let Some(r) = self.get(rj, "region") {
            request.region = Some(self.string(r, "region")?);
        }
        if let Some(r) = self.get(rj, "principalOrgId") {
            request.principal_org_id = Some(self.string(r, "principalOrgId")?);
        }
        if let Some(c) = self.get(rj, "context") {
            let JsonValue::Object(members) = &c.value else {
                return Err(self.err(c.span, "`context` must be an object"));
            };
            for m in members {
                match &m.value.value {
                    JsonValue::Array(items) => {
                        let values = items
                            .iter()
                            .map(|v| self.scalar(v, &m.key))
                            .collect::<Result<Vec<_>, _>>()?;
                        request.context.set_multi(&m.key, values);
                    }
                    _ => {
                        let v = self.scalar(&m.value, &m.key)?;
                        request.context.set(&m.key, v);
                    }
                }
            }
        }
        let Some(e) = self.get(j, "expect") else {
            return Err(self.err(j.span, format!("case `{name}` has no `expect`")));
        };
        let expect = match self.string(e, "expect")?.as_str() {
            "Allowed" => Decision::Allowed,
            "ImplicitlyDenied" => Decision::ImplicitlyDenied,
            "ExplicitlyDenied" => Decision::ExplicitlyDenied,
            other => {
                return Err(self.err(
                    e.span,
                    format!(
                        "unknown decision `{other}`: expected `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`"
                    ),
                ));
            }
        };
        Ok(CaseEntry::Simulate(Box::new(SimulateCase {
            name,
            line: self.source.line_col(j.span.start).line,
            set,
            request,
            expect,
        })))
    }

    /// A context value: a string, or a number/boolean taken as its JSON text.
    fn scalar(&self, j: &Json, key: &str) -> Result<String, CaseError> {
        match &j.value {
            JsonValue::String(s) | JsonValue::Number(s) => Ok(s.clone()),
            JsonValue::Bool(b) => Ok(b.to_string()),
            other => Err(self.err(
                j.span,
                format!(
                    "context key `{key}` must be a string or an array of strings, found {}",
                    other.type_name()
                ),
            )),
        }
    }
}

/// Reads the cases of one file.
///
/// # Errors
///
/// The first problem: invalid JSON, a case or policy of the wrong shape, an unknown expected
/// decision, an unrecognised principal; located by file, line and column.
pub fn load_cases(source: &Arc<SourceFile>) -> Result<Vec<CaseEntry>, CaseError> {
    load_cases_with(source, crate::policy::LowerOptions::default())
}

/// [`load_cases`], reading the policies with `options` (for example lenient element names).
///
/// # Errors
///
/// As [`load_cases`].
pub fn load_cases_with(
    source: &Arc<SourceFile>,
    options: crate::policy::LowerOptions,
) -> Result<Vec<CaseEntry>, CaseError> {
    let loader = Loader {
        source: Arc::clone(source),
        options,
    };
    let root = json::parse(source.text()).map_err(|e| loader.err(e.span, e.to_string()))?;
    match &root.value {
        JsonValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, c)| loader.case(c, i))
            .collect(),
        _ => Ok(vec![loader.case(&root, 0)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_line_and_column() {
        let src = SourceFile::new(
            "c.json",
            "{\"kind\": \"simulate\",\n \"request\": {\"principal\": \"arn:aws:iam::111122223333:role/R\", \"action\": \"s3:GetObject\"},\n \"expect\": \"Maybe\"}",
        );
        let e = load_cases(&src).unwrap_err();
        assert_eq!((e.line, e.column), (3, 12));
        assert!(e.message.contains("`Maybe`"));
        let bad = SourceFile::new(
            "d.json",
            "[{\"identity\": [{\"Statement\": 3}], \"request\": {}}]",
        );
        let e = load_cases(&bad).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("identity[0]"), "{}", e.message);
    }

    #[test]
    fn unknown_keys_are_ignored_and_other_kinds_skipped() {
        let src = SourceFile::new(
            "c.json",
            r#"[{"kind": "lint", "name": "l"}, {"name": "s", "why": "x", "future": [1], "request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "*", "context": {"aws:TagKeys": ["a"], "n": 3}}, "expect": "ImplicitlyDenied"}]"#,
        );
        let cases = load_cases(&src).unwrap();
        assert!(matches!(&cases[0], CaseEntry::Skipped { kind, .. } if kind == "lint"));
        let CaseEntry::Simulate(c) = &cases[1] else {
            panic!("expected a simulate case")
        };
        assert_eq!(c.expect, Decision::ImplicitlyDenied);
        assert!(c.request.context.get("aws:tagkeys").unwrap().multi);
        assert_eq!(c.request.context.get("n").unwrap().values, vec!["3"]);
    }
}
