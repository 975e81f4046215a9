//! Printing a policy AST back to JSON text (2-space indentation, elements in IAM's usual order).
//! Parsing the output gives the same AST, spans aside; `tests/props.rs` checks it.

use std::fmt::Write;

use super::{
    ConditionValue, ListElement, PolicyDocument, Principal, PrincipalElement, Statement, ValueType,
};

impl PolicyDocument {
    /// The document as pretty-printed JSON (2-space indentation, trailing newline).
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        out.push_str("{\n");
        let mut first = true;
        if let Some(v) = &self.version {
            field(&mut out, 1, &mut first, "Version");
            out.push_str(&quote(v.value.as_str()));
        }
        if let Some(id) = &self.id {
            field(&mut out, 1, &mut first, "Id");
            out.push_str(&quote(&id.value));
        }
        field(&mut out, 1, &mut first, "Statement");
        if self.statement_is_array {
            out.push('[');
            for (i, s) in self.statements.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(&mut out, 2);
                statement(&mut out, 2, s);
            }
            if !self.statements.is_empty() {
                out.push('\n');
                indent(&mut out, 1);
            }
            out.push(']');
        } else if let Some(s) = self.statements.first() {
            statement(&mut out, 1, s);
        } else {
            out.push_str("[]");
        }
        out.push_str("\n}\n");
        out
    }
}

fn quote(s: &str) -> String {
    // serde_json's string escaping is RFC 8259 compliant and cannot fail for a &str.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn field(out: &mut String, level: usize, first: &mut bool, name: &str) {
    out.push_str(if *first { "" } else { ",\n" });
    *first = false;
    indent(out, level);
    let _ = write!(out, "{}: ", quote(name));
}

fn string_list<'a>(
    out: &mut String,
    level: usize,
    is_array: bool,
    values: impl Iterator<Item = &'a str>,
) {
    let values: Vec<&str> = values.collect();
    if !is_array && values.len() == 1 {
        out.push_str(&quote(values[0]));
        return;
    }
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        indent(out, level + 1);
        out.push_str(&quote(v));
    }
    out.push('\n');
    indent(out, level);
    out.push(']');
}

fn list_element(out: &mut String, level: usize, first: &mut bool, e: &ListElement, name: &str) {
    let key = if e.negated {
        format!("Not{name}")
    } else {
        name.to_string()
    };
    field(out, level, first, &key);
    string_list(
        out,
        level,
        e.is_array,
        e.values.iter().map(|v| v.value.as_str()),
    );
}

fn principal(out: &mut String, level: usize, first: &mut bool, p: &PrincipalElement) {
    field(
        out,
        level,
        first,
        if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        },
    );
    match &p.value {
        Principal::Wildcard => out.push_str("\"*\""),
        Principal::Map(entries) => {
            out.push_str("{\n");
            let mut f = true;
            for e in entries {
                field(out, level + 1, &mut f, e.kind.value.as_str());
                string_list(
                    out,
                    level + 1,
                    e.is_array,
                    e.values.iter().map(|v| v.value.as_str()),
                );
            }
            out.push('\n');
            indent(out, level);
            out.push('}');
        }
    }
}

fn condition_value(v: &ConditionValue) -> String {
    match v.json_type {
        ValueType::String => quote(&v.text),
        ValueType::Number | ValueType::Bool => v.text.clone(),
    }
}

fn statement(out: &mut String, level: usize, s: &Statement) {
    out.push_str("{\n");
    let inner = level + 1;
    let mut first = true;
    if let Some(sid) = &s.sid {
        field(out, inner, &mut first, "Sid");
        out.push_str(&quote(&sid.value));
    }
    field(out, inner, &mut first, "Effect");
    out.push_str(&quote(s.effect.value.as_str()));
    if let Some(p) = &s.principal {
        principal(out, inner, &mut first, p);
    }
    list_element(out, inner, &mut first, &s.action, "Action");
    if let Some(r) = &s.resource {
        list_element(out, inner, &mut first, r, "Resource");
    }
    if let Some(c) = &s.condition {
        field(out, inner, &mut first, "Condition");
        out.push('{');
        for (bi, b) in c.blocks.iter().enumerate() {
            out.push_str(if bi == 0 { "\n" } else { ",\n" });
            indent(out, inner + 1);
            let _ = write!(out, "{}: {{", quote(&b.operator.value.to_string()));
            for (ei, e) in b.entries.iter().enumerate() {
                out.push_str(if ei == 0 { "\n" } else { ",\n" });
                indent(out, inner + 2);
                let _ = write!(out, "{}: ", quote(&e.key.value));
                if !e.is_array && e.values.len() == 1 {
                    out.push_str(&condition_value(&e.values[0].value));
                } else {
                    out.push('[');
                    for (vi, v) in e.values.iter().enumerate() {
                        if vi > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&condition_value(&v.value));
                    }
                    out.push(']');
                }
            }
            if !b.entries.is_empty() {
                out.push('\n');
                indent(out, inner + 1);
            }
            out.push('}');
        }
        if !c.blocks.is_empty() {
            out.push('\n');
            indent(out, inner);
        }
        out.push('}');
    }
    out.push('\n');
    indent(out, level);
    out.push('}');
}
