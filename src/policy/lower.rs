//! Lowering: spanned JSON tree -> typed policy AST, collecting every grammar error of a file.
//!
//! The rules checked here hold for every policy kind (IAM's grammar,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>); rules
//! that depend on the kind (no `Principal` in an SCP, ...) are lint rules in `rules/`.
//! Element names, `Effect` values, principal types and condition operators are case-sensitive;
//! a differently cased element name is reported as unknown, with the right spelling as help
//! (`docs/aws-semantics.md` R4.9). When a key is duplicated, the error is reported and the last
//! occurrence is used, as most JSON readers would.

use crate::diag::Label;
use crate::json::{self, Json, JsonValue, Member};
use crate::source::Span;

use super::err::{PolicyError, PolicyErrorKind as K, PolicyErrors};
use super::{
    ConditionBlock, ConditionElement, ConditionEntry, ConditionValue, Effect, ListElement,
    Operator, PolicyDocument, Principal, PrincipalElement, PrincipalEntry, PrincipalKind, Spanned,
    Statement, ValueType, Version, pointer_push,
};

const TOP_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// How lowering reads element names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LowerOptions {
    /// Read element names (`Version`, `Statement`, `Effect`, `Action`, ...) without regard to
    /// case, so `effect` is `Effect`. Off by default: AWS spells each name as one literal and
    /// Access Analyzer reports any other spelling as INVALID_POLICY_ELEMENT, but no AWS page
    /// says whether IAM itself accepts it (aws-semantics.md R4.9, a (verify) item). Values
    /// (`Allow`, principal types, operators) stay case-sensitive either way.
    pub lenient_element_case: bool,
}

/// Parses policy text: strict JSON, then lowering.
///
/// # Errors
///
/// A JSON syntax error (one, since parsing stops there) or every grammar error of the document.
pub fn parse_policy(text: &str) -> Result<PolicyDocument, PolicyErrors> {
    parse_policy_with(text, LowerOptions::default())
}

/// [`parse_policy`] with [`LowerOptions`].
///
/// # Errors
///
/// As [`parse_policy`].
pub fn parse_policy_with(
    text: &str,
    options: LowerOptions,
) -> Result<PolicyDocument, PolicyErrors> {
    match json::parse(text) {
        Ok(j) => lower_with(&j, options),
        Err(e) => Err(PolicyErrors::one(PolicyError {
            kind: K::JsonSyntax,
            message: e.to_string(),
            label: "here".into(),
            span: e.span,
            pointer: String::new(),
            help: e.help,
            related: Vec::new(),
        })),
    }
}

/// Lowers a JSON tree to a [`PolicyDocument`].
///
/// # Errors
///
/// Every grammar error of the document, in source order.
pub fn lower(json: &Json) -> Result<PolicyDocument, PolicyErrors> {
    lower_with(json, LowerOptions::default())
}

/// Lowers as much of a document as is valid: the document with every statement that lowered
/// (a statement with a grammar error is left out, the others keep their original `index` and
/// pointers), and every grammar error. `None` when even the document's shape is wrong (not an
/// object, no `Statement`). Lint uses it to run the other rules on the valid statements of a
/// file that has grammar errors.
pub fn lower_partial(
    json: &Json,
    options: LowerOptions,
) -> (Option<PolicyDocument>, Vec<PolicyError>) {
    let mut cx = Lowerer {
        errors: Vec::new(),
        lenient: options.lenient_element_case,
    };
    let doc = cx.document(json);
    (doc, cx.errors)
}

/// [`lower`] with [`LowerOptions`].
///
/// # Errors
///
/// As [`lower`].
pub fn lower_with(json: &Json, options: LowerOptions) -> Result<PolicyDocument, PolicyErrors> {
    let mut cx = Lowerer {
        errors: Vec::new(),
        lenient: options.lenient_element_case,
    };
    let doc = cx.document(json);
    match (PolicyErrors::from_vec(cx.errors), doc) {
        (None, Some(doc)) => Ok(doc),
        (Some(errs), _) => Err(errs),
        // INVARIANT: `document` returns None only after recording an error.
        (None, None) => Err(PolicyErrors::one(PolicyError {
            kind: K::WrongType,
            message: "the document could not be read".into(),
            label: String::new(),
            span: json.span,
            pointer: String::new(),
            help: None,
            related: Vec::new(),
        })),
    }
}

struct Lowerer {
    errors: Vec<PolicyError>,
    /// [`LowerOptions::lenient_element_case`].
    lenient: bool,
}

/// The members of one object, with duplicates reported and unknown names reported.
struct Fields<'a> {
    members: Vec<&'a Member>,
    /// Element names match without regard to case (lenient mode, element objects only).
    fold: bool,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Member> {
        let exact = self.members.iter().rev().find(|m| m.key == name).copied();
        if exact.is_some() || !self.fold {
            return exact;
        }
        self.members
            .iter()
            .rev()
            .find(|m| m.key.eq_ignore_ascii_case(name))
            .copied()
    }
}

impl Lowerer {
    fn error(
        &mut self,
        kind: K,
        span: Span,
        pointer: &str,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.errors.push(PolicyError {
            kind,
            message,
            label: label.to_string(),
            span,
            pointer: pointer.to_string(),
            help,
            related: Vec::new(),
        });
    }

    fn wrong_type(&mut self, j: &Json, pointer: &str, what: &str, expected: &str) {
        self.error(
            K::WrongType,
            j.span,
            pointer,
            format!(
                "{what} must be {expected}, not {}",
                article(j.value.type_name())
            ),
            &format!("this is {}", article(j.value.type_name())),
            None,
        );
    }

    /// Checks an object's keys: exact duplicates and (when `known` is given) unknown names.
    fn fields<'a>(
        &mut self,
        members: &'a [Member],
        pointer: &str,
        known: Option<&[&str]>,
        context: &str,
    ) -> Fields<'a> {
        for (i, m) in members.iter().enumerate() {
            if let Some(first) = members[..i].iter().find(|p| p.key == m.key) {
                self.errors.push(PolicyError {
                    kind: K::DuplicateKey,
                    message: format!("duplicate key `{}` in {context}", m.key),
                    label: "duplicate key".into(),
                    span: m.key_span,
                    pointer: pointer_push(pointer, &m.key),
                    help: Some(
                        "JSON readers silently keep only one of the two values; remove one".into(),
                    ),
                    related: vec![Label {
                        span: first.key_span,
                        message: "first defined here".into(),
                    }],
                });
            }
            if let Some(known) = known
                && !known.contains(&m.key.as_str())
                && !(self.lenient
                    && known.iter().any(|k| k.eq_ignore_ascii_case(&m.key))
                    && !members.iter().any(|o| {
                        known.contains(&o.key.as_str()) && o.key.eq_ignore_ascii_case(&m.key)
                    }))
            {
                let help = if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&m.key)) {
                    format!("element names are case-sensitive: write `{k}`")
                } else if let Some(k) = did_you_mean(&m.key, known) {
                    format!("did you mean `{k}`?")
                } else {
                    format!("the elements of {context} are {}", list(known))
                };
                self.error(
                    K::UnknownElement,
                    m.key_span,
                    &pointer_push(pointer, &m.key),
                    format!("unknown element `{}` in {context}", m.key),
                    "not a policy element",
                    Some(help),
                );
            }
        }
        Fields {
            members: members.iter().collect(),
            fold: self.lenient && known.is_some(),
        }
    }

    fn document(&mut self, j: &Json) -> Option<PolicyDocument> {
        let JsonValue::Object(members) = &j.value else {
            self.wrong_type(j, "", "a policy document", "a JSON object");
            return None;
        };
        let f = self.fields(members, "", Some(&TOP_ELEMENTS), "the policy document");

        let version = f.get("Version").and_then(|m| {
            let p = "/Version";
            match &m.value.value {
                JsonValue::String(s) => match s.as_str() {
                    "2012-10-17" => Some(Spanned::new(Version::V2012_10_17, m.value.span, p)),
                    "2008-10-17" => Some(Spanned::new(Version::V2008_10_17, m.value.span, p)),
                    other => {
                        self.error(
                            K::InvalidVersion,
                            m.value.span,
                            p,
                            format!("invalid Version `{other}`"),
                            "not a policy language version",
                            Some(
                                "use \"2012-10-17\" (the only other version is \"2008-10-17\")"
                                    .into(),
                            ),
                        );
                        None
                    }
                },
                _ => {
                    self.wrong_type(&m.value, p, "Version", "a string");
                    None
                }
            }
        });

        let id = f.get("Id").and_then(|m| self.string(&m.value, "/Id", "Id"));

        let Some(stmt) = f.get("Statement") else {
            self.error(
                K::MissingStatement,
                Span::new(j.span.start, j.span.start + 1),
                "",
                "the policy has no Statement".into(),
                "this document",
                Some("add \"Statement\": [ ... ] with at least one statement".into()),
            );
            return None;
        };

        let (statements, is_array) = match &stmt.value.value {
            JsonValue::Object(_) => (
                self.statement(&stmt.value, 0, "/Statement".into())
                    .into_iter()
                    .collect::<Vec<_>>(),
                false,
            ),
            JsonValue::Array(items) => {
                if items.is_empty() {
                    self.error(
                        K::EmptyElement,
                        stmt.value.span,
                        "/Statement",
                        "Statement is an empty array".into(),
                        "no statements",
                        Some("a policy needs at least one statement".into()),
                    );
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = format!("/Statement/{i}");
                    if matches!(item.value, JsonValue::Object(_)) {
                        out.extend(self.statement(item, i, p));
                    } else {
                        self.wrong_type(item, &p, "a statement", "a JSON object");
                    }
                }
                (out, true)
            }
            _ => {
                self.wrong_type(
                    &stmt.value,
                    "/Statement",
                    "Statement",
                    "an object or an array of objects",
                );
                (Vec::new(), true)
            }
        };

        Some(PolicyDocument {
            version,
            id,
            statements,
            statement_is_array: is_array,
            statement_span: stmt.value.span,
            span: j.span,
        })
    }

    fn string(&mut self, j: &Json, pointer: &str, what: &str) -> Option<Spanned<String>> {
        match &j.value {
            JsonValue::String(s) => Some(Spanned::new(s.clone(), j.span, pointer)),
            _ => {
                self.wrong_type(j, pointer, what, "a string");
                None
            }
        }
    }

    /// A string or a non-empty array of strings.
    fn string_list(
        &mut self,
        j: &Json,
        pointer: &str,
        what: &str,
    ) -> Option<(Vec<Spanned<String>>, bool)> {
        match &j.value {
            JsonValue::String(s) => Some((vec![Spanned::new(s.clone(), j.span, pointer)], false)),
            JsonValue::Array(items) => {
                if items.is_empty() {
                    self.error(
                        K::EmptyElement,
                        j.span,
                        pointer,
                        format!("{what} is an empty array"),
                        "empty",
                        Some(format!("list at least one value, or remove {what}")),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{pointer}/{i}");
                    match &item.value {
                        JsonValue::String(s) => out.push(Spanned::new(s.clone(), item.span, p)),
                        _ => {
                            self.wrong_type(item, &p, &format!("each value of {what}"), "a string");
                            ok = false;
                        }
                    }
                }
                ok.then_some((out, true))
            }
            _ => {
                self.wrong_type(j, pointer, what, "a string or an array of strings");
                None
            }
        }
    }

    /// `Action`/`NotAction` (or `Resource`/`NotResource`): exactly one of the pair.
    fn list_pair(
        &mut self,
        f: &Fields<'_>,
        pointer: &str,
        name: &str,
        not_name: &str,
    ) -> (Option<ListElement>, bool) {
        let pos = f.get(name);
        let neg = f.get(not_name);
        if let (Some(a), Some(b)) = (pos, neg) {
            self.errors.push(PolicyError {
                kind: K::ConflictingElements,
                message: format!("statement has both {name} and {not_name}"),
                label: format!("{not_name} here"),
                span: b.key_span,
                pointer: pointer_push(pointer, not_name),
                help: Some(format!(
                    "a statement takes exactly one of {name} and {not_name}"
                )),
                related: vec![Label {
                    span: a.key_span,
                    message: format!("{name} here"),
                }],
            });
            return (None, true);
        }
        let Some((m, negated)) = pos.map(|m| (m, false)).or(neg.map(|m| (m, true))) else {
            return (None, false);
        };
        let p = pointer_push(pointer, &m.key);
        let Some((values, is_array)) = self.string_list(&m.value, &p, &m.key) else {
            return (None, true);
        };
        (
            Some(ListElement {
                negated,
                values,
                is_array,
                key_span: m.key_span,
                span: m.value.span,
                pointer: p,
            }),
            true,
        )
    }

    fn statement(&mut self, j: &Json, index: usize, pointer: String) -> Option<Statement> {
        let JsonValue::Object(members) = &j.value else {
            return None;
        };
        let errors_before = self.errors.len();
        let f = self.fields(members, &pointer, Some(&STATEMENT_ELEMENTS), "a statement");

        let sid = f
            .get("Sid")
            .and_then(|m| self.string(&m.value, &pointer_push(&pointer, "Sid"), "Sid"));

        let effect = match f.get("Effect") {
            // A misspelled `effect` key was already reported as an unknown element.
            None if has_key_ignore_case(&f, "Effect") => None,
            None => {
                self.error(
                    K::MissingEffect,
                    Span::new(j.span.start, j.span.start + 1),
                    &pointer,
                    "statement has no Effect".into(),
                    "this statement",
                    Some("add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"".into()),
                );
                None
            }
            Some(m) => {
                let p = pointer_push(&pointer, "Effect");
                match &m.value.value {
                    JsonValue::String(s) if s == "Allow" => {
                        Some(Spanned::new(Effect::Allow, m.value.span, p))
                    }
                    JsonValue::String(s) if s == "Deny" => {
                        Some(Spanned::new(Effect::Deny, m.value.span, p))
                    }
                    JsonValue::String(s) => {
                        let help = if s.eq_ignore_ascii_case("allow") {
                            "Effect is case-sensitive: write \"Allow\"".to_string()
                        } else if s.eq_ignore_ascii_case("deny") {
                            "Effect is case-sensitive: write \"Deny\"".to_string()
                        } else {
                            "Effect must be exactly \"Allow\" or \"Deny\"".to_string()
                        };
                        self.error(
                            K::InvalidEffect,
                            m.value.span,
                            &p,
                            format!("invalid Effect `{s}`: must be exactly Allow or Deny"),
                            "not Allow or Deny",
                            Some(help),
                        );
                        None
                    }
                    _ => {
                        self.wrong_type(&m.value, &p, "Effect", "the string \"Allow\" or \"Deny\"");
                        None
                    }
                }
            }
        };

        let principal = self.principal(&f, &pointer);

        let (action, action_seen) = self.list_pair(&f, &pointer, "Action", "NotAction");
        if !action_seen
            && !has_key_ignore_case(&f, "Action")
            && !has_key_ignore_case(&f, "NotAction")
        {
            self.error(
                K::MissingAction,
                Span::new(j.span.start, j.span.start + 1),
                &pointer,
                "statement has neither Action nor NotAction".into(),
                "this statement",
                Some("add \"Action\": [ ... ] (or NotAction)".into()),
            );
        }
        let (resource, _) = self.list_pair(&f, &pointer, "Resource", "NotResource");

        let condition = f
            .get("Condition")
            .and_then(|m| self.condition(m, &pointer_push(&pointer, "Condition")));

        if self.errors.len() != errors_before {
            return None;
        }
        Some(Statement {
            index,
            pointer,
            span: j.span,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            condition,
        })
    }

    fn principal(&mut self, f: &Fields<'_>, pointer: &str) -> Option<PrincipalElement> {
        let pos = f.get("Principal");
        let neg = f.get("NotPrincipal");
        if let (Some(a), Some(b)) = (pos, neg) {
            self.errors.push(PolicyError {
                kind: K::ConflictingElements,
                message: "statement has both Principal and NotPrincipal".into(),
                label: "NotPrincipal here".into(),
                span: b.key_span,
                pointer: pointer_push(pointer, "NotPrincipal"),
                help: Some("a statement takes exactly one of Principal and NotPrincipal".into()),
                related: vec![Label {
                    span: a.key_span,
                    message: "Principal here".into(),
                }],
            });
            return None;
        }
        let (m, negated) = pos.map(|m| (m, false)).or(neg.map(|m| (m, true)))?;
        let p = pointer_push(pointer, &m.key);
        let value = match &m.value.value {
            JsonValue::String(s) if s == "*" => Principal::Wildcard,
            JsonValue::String(s) => {
                self.error(
                    K::InvalidPrincipal,
                    m.value.span,
                    &p,
                    format!("invalid {} `{s}`: a string principal must be \"*\"", m.key),
                    "not \"*\"",
                    Some(format!(
                        "name principals in a map: \"{}\": {{\"AWS\": \"{s}\"}}",
                        m.key
                    )),
                );
                return None;
            }
            JsonValue::Object(entries) => {
                self.fields(entries, &p, None, m.key.as_str());
                if entries.is_empty() {
                    self.error(
                        K::EmptyElement,
                        m.value.span,
                        &p,
                        format!("{} is an empty object", m.key),
                        "empty",
                        Some("name at least one principal, or use \"*\"".into()),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(entries.len());
                let mut ok = true;
                for e in entries {
                    let ep = pointer_push(&p, &e.key);
                    let Some(kind) = PrincipalKind::from_key(&e.key) else {
                        let known = ["AWS", "Service", "Federated", "CanonicalUser"];
                        let help = match known.iter().find(|k| k.eq_ignore_ascii_case(&e.key)) {
                            Some(k) => format!("principal types are case-sensitive: write `{k}`"),
                            None => format!("principal types are {}", list(&known)),
                        };
                        self.error(
                            K::InvalidPrincipal,
                            e.key_span,
                            &ep,
                            format!("unknown principal type `{}`", e.key),
                            "not a principal type",
                            Some(help),
                        );
                        ok = false;
                        continue;
                    };
                    match self.string_list(&e.value, &ep, &format!("{} {}", m.key, e.key)) {
                        Some((values, is_array)) => out.push(PrincipalEntry {
                            kind: Spanned::new(kind, e.key_span, ep),
                            values,
                            is_array,
                        }),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Principal::Map(out)
            }
            _ => {
                self.wrong_type(&m.value, &p, &m.key, "\"*\" or an object");
                return None;
            }
        };
        Some(PrincipalElement {
            negated,
            value,
            key_span: m.key_span,
            span: m.value.span,
            pointer: p,
        })
    }

    fn condition(&mut self, m: &Member, pointer: &str) -> Option<ConditionElement> {
        let JsonValue::Object(ops) = &m.value.value else {
            self.wrong_type(&m.value, pointer, "Condition", "an object");
            return None;
        };
        self.fields(ops, pointer, None, "Condition");
        let mut blocks = Vec::with_capacity(ops.len());
        let mut ok = true;
        for op in ops {
            let op_pointer = pointer_push(pointer, &op.key);
            let operator = match Operator::parse(&op.key) {
                Some(o) => o,
                None => {
                    self.error(
                        K::InvalidConditionOperator,
                        op.key_span,
                        &op_pointer,
                        format!("invalid condition operator `{}`", op.key),
                        "not a condition operator",
                        Some(operator_help(&op.key)),
                    );
                    ok = false;
                    continue;
                }
            };
            let JsonValue::Object(keys) = &op.value.value else {
                self.wrong_type(
                    &op.value,
                    &op_pointer,
                    &format!("the value of `{}`", op.key),
                    "an object of context keys",
                );
                ok = false;
                continue;
            };
            self.fields(keys, &op_pointer, None, &format!("`{}`", op.key));
            for (i, k) in keys.iter().enumerate() {
                if let Some(first) = keys[..i]
                    .iter()
                    .find(|p| p.key != k.key && p.key.eq_ignore_ascii_case(&k.key))
                {
                    self.errors.push(PolicyError {
                        kind: K::DuplicateConditionKey,
                        message: format!(
                            "context key `{}` appears twice under `{}` with different case",
                            k.key, op.key
                        ),
                        label: "same key as above".into(),
                        span: k.key_span,
                        pointer: pointer_push(&op_pointer, &k.key),
                        help: Some(
                            "context key names are case-insensitive; merge the two entries".into(),
                        ),
                        related: vec![Label {
                            span: first.key_span,
                            message: "first written here".into(),
                        }],
                    });
                }
            }
            let mut entries = Vec::with_capacity(keys.len());
            for k in keys {
                let kp = pointer_push(&op_pointer, &k.key);
                match self.condition_values(&k.value, &kp, &k.key) {
                    Some((values, is_array)) => entries.push(ConditionEntry {
                        key: Spanned::new(k.key.clone(), k.key_span, kp),
                        values,
                        is_array,
                    }),
                    None => ok = false,
                }
            }
            blocks.push(ConditionBlock {
                operator: Spanned::new(operator, op.key_span, op_pointer),
                entries,
            });
        }
        ok.then(|| ConditionElement {
            blocks,
            key_span: m.key_span,
            span: m.value.span,
            pointer: pointer.to_string(),
        })
    }

    fn condition_values(
        &mut self,
        j: &Json,
        pointer: &str,
        key: &str,
    ) -> Option<(Vec<Spanned<ConditionValue>>, bool)> {
        let scalar = |j: &Json, p: String| -> Option<Spanned<ConditionValue>> {
            let (text, json_type) = match &j.value {
                JsonValue::String(s) => (s.clone(), ValueType::String),
                JsonValue::Number(n) => (n.clone(), ValueType::Number),
                JsonValue::Bool(b) => (b.to_string(), ValueType::Bool),
                _ => return None,
            };
            Some(Spanned::new(ConditionValue { text, json_type }, j.span, p))
        };
        match &j.value {
            JsonValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{pointer}/{i}");
                    match scalar(item, p.clone()) {
                        Some(v) => out.push(v),
                        None => {
                            self.wrong_type(
                                item,
                                &p,
                                &format!("each value of `{key}`"),
                                "a string, number or boolean",
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some((out, true))
            }
            _ => match scalar(j, pointer.to_string()) {
                Some(v) => Some((vec![v], false)),
                None => {
                    self.wrong_type(
                        j,
                        pointer,
                        &format!("the value of `{key}`"),
                        "a string, number, boolean or an array of them",
                    );
                    None
                }
            },
        }
    }
}

/// The closest known name, if it is close enough to be a likely typo.
fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| {
            (
                strsim::levenshtein(&name.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= 2 && *d < k.len() / 2)
        .min()
        .map(|(_, k)| k)
}

fn has_key_ignore_case(f: &Fields<'_>, name: &str) -> bool {
    f.members.iter().any(|m| m.key.eq_ignore_ascii_case(name))
}

fn operator_help(name: &str) -> String {
    let (prefix, rest) = match name.split_once(':') {
        Some((p, r)) => (Some(p), r),
        None => (None, name),
    };
    let base = rest.strip_suffix("IfExists").unwrap_or(rest);
    let fixed_prefix = prefix.map(|p| {
        ["ForAllValues", "ForAnyValue"]
            .into_iter()
            .find(|q| q.eq_ignore_ascii_case(p))
    });
    let fixed_base = super::BaseOperator::ALL
        .iter()
        .find(|b| b.as_str().eq_ignore_ascii_case(base) || b.as_str().eq_ignore_ascii_case(rest));
    match (fixed_prefix, fixed_base) {
        (Some(None), _) => "the only set qualifiers are `ForAllValues:` and `ForAnyValue:`".into(),
        (_, Some(b)) => {
            let mut s = String::new();
            if let Some(Some(q)) = fixed_prefix {
                s.push_str(q);
                s.push(':');
            }
            s.push_str(b.as_str());
            if rest.len() > base.len() || (rest.len() >= 8 && rest[rest.len() - 8..].eq_ignore_ascii_case("ifexists") && !b.as_str().eq_ignore_ascii_case(rest)) {
                s.push_str("IfExists");
            }
            format!("operator names are case-sensitive: write `{s}`")
        }
        _ => "see the condition operators of the IAM User Guide: StringEquals, StringLike, ArnLike, Bool, IpAddress, NumericLessThan, DateGreaterThan, Null, ...".into(),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" | "object" => format!("an {type_name}"),
        "null" => "null".into(),
        other => format!("a {other}"),
    }
}

fn list(items: &[&str]) -> String {
    items.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{BaseOperator, SetQualifier};

    fn errs(text: &str) -> Vec<(&'static str, String, String)> {
        parse_policy(text)
            .expect_err("must fail")
            .into_iter()
            .map(|e| (e.kind.code(), e.message, e.pointer))
            .collect()
    }

    #[test]
    fn lowers_all_shapes() {
        let doc = parse_policy(
            r#"{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"A","Effect":"Deny",
            "NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"s3.amazonaws.com"},
            "NotAction":"s3:*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
            "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"Bool":{"aws:SecureTransport":false}}}}"#,
        )
        .unwrap();
        assert!(!doc.statement_is_array);
        let s = &doc.statements[0];
        assert_eq!(s.pointer, "/Statement");
        assert_eq!(s.effect.value, Effect::Deny);
        assert!(s.action.negated && !s.action.is_array);
        let r = s.resource.as_ref().unwrap();
        assert!(r.negated && r.values.len() == 2);
        assert_eq!(r.values[1].pointer, "/Statement/NotResource/1");
        let p = s.principal.as_ref().unwrap();
        assert!(p.negated);
        let Principal::Map(m) = &p.value else {
            panic!()
        };
        assert_eq!(m[1].kind.value, PrincipalKind::Service);
        let c = s.condition.as_ref().unwrap();
        let op = c.blocks[0].operator.value;
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        let vals: Vec<_> = c.blocks[0].entries[0]
            .values
            .iter()
            .map(|v| (v.value.text.as_str(), v.value.json_type))
            .collect();
        assert_eq!(
            vals,
            [
                ("a*", ValueType::String),
                ("1", ValueType::Number),
                ("true", ValueType::Bool)
            ]
        );
        assert_eq!(c.blocks[1].entries[0].values[0].value.text, "false");
        assert_eq!(
            c.blocks[1].entries[0].key.pointer,
            "/Statement/Condition/Bool/aws:SecureTransport"
        );
    }

    #[test]
    fn collects_every_error_of_the_file() {
        let e = errs(
            r#"{"Version":"2012-10-18","Statement":[
              {"Effect":"allow","Action":[],"Resource":"*"},
              {"Effect":"Deny","Action":"a:b","NotAction":"c:d","Resource":"*","effect":"x"},
              {"Action":"s3:*","Condition":{"stringEquals":{"k":"v"}}},
              "oops"
            ]}"#,
        );
        let codes: Vec<_> = e.iter().map(|x| x.0).collect();
        assert_eq!(
            codes,
            [
                "invalid-version",
                "invalid-effect",
                "empty-element",
                "conflicting-elements",
                "unknown-element",
                "missing-effect",
                "invalid-condition-operator",
                "wrong-type"
            ]
        );
        assert_eq!(e[3].2, "/Statement/1/NotAction");
        assert_eq!(e[7].2, "/Statement/3");
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:*","Resource":"*"}]}"#;
        let e: Vec<_> = parse_policy(text).unwrap_err().into_iter().collect();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind.code(), "duplicate-key");
        assert_eq!(e[0].related.len(), 1);
        assert!(e[0].related[0].span.start < e[0].span.start);
    }

    #[test]
    fn wrong_case_names_get_the_right_spelling_as_help() {
        let e = parse_policy(r#"{"Statement":[{"effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .unwrap_err();
        let first = e.iter().next().unwrap();
        assert_eq!(first.kind.code(), "unknown-element");
        assert!(first.help.as_deref().unwrap().contains("`Effect`"));
        let e = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringEqualsIfExists":{"a":"b"}}}]}"#,
        )
        .unwrap_err();
        assert!(
            e.iter()
                .next()
                .unwrap()
                .help
                .as_deref()
                .unwrap()
                .contains("StringEqualsIfExists")
        );
    }

    #[test]
    fn condition_key_case_duplicates_are_errors() {
        let codes = errs(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","AWS:UserName":"b"}}}]}"#,
        );
        assert_eq!(codes[0].0, "duplicate-condition-key");
    }

    #[test]
    fn principal_shapes() {
        assert_eq!(
            errs(r#"{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"*"}]}"#)[0].0,
            "invalid-principal"
        );
        assert_eq!(
            errs(r#"{"Statement":[{"Effect":"Allow","Principal":{"aws":"*"},"Action":"*"}]}"#)[0].0,
            "invalid-principal"
        );
        assert_eq!(
            errs(r#"{"Statement":[{"Effect":"Allow","Principal":{},"Action":"*"}]}"#)[0].0,
            "empty-element"
        );
    }

    #[test]
    fn lenient_element_case_folds_names_only() {
        let text = r#"{"version":"2012-10-17","STATEMENT":[{"sid":"A","effect":"Allow","action":"s3:GetObject","RESOURCE":"*"}]}"#;
        assert!(parse_policy(text).is_err(), "strict by default (R4.9)");
        let lenient = LowerOptions {
            lenient_element_case: true,
        };
        let doc = parse_policy_with(text, lenient).unwrap();
        assert!(doc.version.is_some());
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].sid_str(), Some("A"));
        assert_eq!(doc.statements[0].action.values[0].value, "s3:GetObject");
        // Values stay case-sensitive, and an unknown name stays unknown.
        let bad = r#"{"Version":"2012-10-17","Statement":[{"effect":"allow","Action":"*","Resource":"*"}]}"#;
        assert!(parse_policy_with(bad, lenient).is_err());
        let unknown = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Actions":"*","Resource":"*"}]}"#;
        assert!(parse_policy_with(unknown, lenient).is_err());
        // With both spellings present, the exact one wins and the other is still reported.
        let both = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","effect":"Deny","Action":"*","Resource":"*"}]}"#;
        let e = parse_policy_with(both, lenient).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.message.contains("unknown element `effect`"))
        );
    }
}
