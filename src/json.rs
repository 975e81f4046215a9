//! Strict JSON (RFC 8259) into a small spanned JSON tree.
//!
//! AWS accepts policy documents only as plain JSON: no comments, no trailing commas, no single
//! quotes, exactly one top-level value. The text is parsed with `jsonc-parser`, every JSONC
//! extension switched off, and then checked for the two things that parser still lets through
//! (raw control characters inside strings, and number forms such as `01` that RFC 8259 forbids).
//! The result keeps every object member in source order, so duplicate keys stay visible
//! (serde_json's `Value` would silently keep only the last one).
//!
//! Source: <https://www.rfc-editor.org/rfc/rfc8259> and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
//! ("a policy must be valid JSON").

use crate::source::Span;

/// Deepest nesting of arrays and objects that `jsonc-parser` accepts before it stops with an
/// error (its own fixed limit). Policies nest four or five levels deep.
pub const MAX_NESTING_DEPTH: usize = 512;

/// A JSON value with the byte span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value.
    pub value: JsonValue,
    /// Byte span of the whole value in the source (for strings, including the quotes).
    pub span: Span,
}

/// The six JSON value kinds. Numbers keep their source text, exactly as written.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written in the source (`10`, `-1.5e3`).
    Number(String),
    /// A string, with escapes decoded.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in source order, duplicates kept.
    Object(Vec<Member>),
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The decoded key.
    pub key: String,
    /// Byte span of the key, including its quotes.
    pub key_span: Span,
    /// The value.
    pub value: Json,
}

impl JsonValue {
    /// The JSON type name used in messages (`string`, `array`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "boolean",
            JsonValue::Number(_) => "number",
            JsonValue::String(_) => "string",
            JsonValue::Array(_) => "array",
            JsonValue::Object(_) => "object",
        }
    }
}

/// A JSON syntax error: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON: {message}")]
pub struct JsonError {
    /// Lowercase description, without the `invalid JSON:` prefix.
    pub message: String,
    /// Where the problem is (may be empty, pointing between two characters).
    pub span: Span,
    /// Advice, when there is something specific to say.
    pub help: Option<String>,
}

/// Parses `text` as one strict JSON value.
///
/// # Errors
///
/// Returns the first syntax error found, located by byte span: malformed JSON, JSONC/JSON5
/// extensions (comments, trailing commas, single quotes, hex numbers, ...), an empty text, more
/// than one top-level value, nesting deeper than [`MAX_NESTING_DEPTH`], a raw control character
/// inside a string, a number form RFC 8259 forbids, or a byte order mark.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    if text.starts_with('\u{feff}') {
        return Err(JsonError {
            message: "byte order mark at the start of the file".into(),
            span: Span::new(0, 3),
            help: Some("save the file as UTF-8 without a BOM; AWS rejects it".into()),
        });
    }
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options)
        .map_err(|e| from_jsonc_error(text, &e))?;
    let Some(value) = parsed.value else {
        return Err(JsonError {
            message: "the file holds no JSON value".into(),
            span: Span::new(text.len(), text.len()),
            help: Some("a policy document is one JSON object: `{\"Version\": ...}`".into()),
        });
    };
    convert(text, &value)
}

fn from_jsonc_error(text: &str, e: &jsonc_parser::errors::ParseError) -> JsonError {
    use jsonc_parser::errors::ParseErrorKind as K;
    let range = e.range();
    let span = Span::new(range.start, range.end);
    let found: String = text
        .get(range.start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | ':'))
        .take(20)
        .collect();
    let (message, help): (String, Option<&str>) = match e.kind() {
        K::CommentsNotAllowed => (
            "comments are not allowed".into(),
            Some("JSON has no comments and AWS rejects them; delete the comment"),
        ),
        K::TrailingCommasNotAllowed => (
            "trailing comma".into(),
            Some("remove the comma after the last element"),
        ),
        K::ExpectedComma => ("expected a comma between two elements".into(), None),
        K::SingleQuotedStringsNotAllowed => (
            "single-quoted strings are not allowed".into(),
            Some("use double quotes"),
        ),
        K::ExpectedStringObjectProperty | K::UnexpectedTokenInObject => {
            ("expected a double-quoted property name".into(), None)
        }
        K::ExpectedColonAfterObjectKey => ("expected `:` after the property name".into(), None),
        K::ExpectedObjectValue => ("expected a value after `:`".into(), None),
        K::MultipleRootJsonValues => (
            "more than one top-level JSON value".into(),
            Some("a policy document is exactly one JSON object"),
        ),
        K::UnterminatedArray => ("unterminated array: missing `]`".into(), None),
        K::UnterminatedObject => ("unterminated object: missing `}`".into(), None),
        K::UnterminatedCommentBlock => ("unterminated comment".into(), None),
        K::UnexpectedCloseBrace => ("unexpected `}`".into(), None),
        K::UnexpectedCloseBracket => ("unexpected `]`".into(), None),
        K::UnexpectedColon => ("unexpected `:`".into(), None),
        K::UnexpectedComma => ("unexpected `,`".into(), None),
        K::UnexpectedWord | K::UnexpectedToken => (
            if found.is_empty() {
                "unexpected character".into()
            } else {
                format!("unexpected `{found}`")
            },
            Some("strings need double quotes; the only bare words are true, false and null"),
        ),
        K::NestingDepthExceeded => (
            format!("nesting deeper than {MAX_NESTING_DEPTH} levels"),
            None,
        ),
        K::HexadecimalNumbersNotAllowed => ("hexadecimal numbers are not allowed".into(), None),
        K::UnaryPlusNumbersNotAllowed => ("a leading `+` is not allowed on numbers".into(), None),
        K::BareDecimalPointNumbersNotAllowed => {
            ("a number may not start or end with `.`".into(), None)
        }
        K::NonFiniteNumbersNotAllowed => ("Infinity and NaN are not JSON".into(), None),
        other => (lowercase_first(&other.to_string()), None),
    };
    JsonError {
        message,
        span,
        help: help.map(str::to_string),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn span_of(r: jsonc_parser::common::Range) -> Span {
    Span::new(r.start, r.end)
}

/// Converts jsonc-parser's tree into ours, checking strings and numbers against RFC 8259.
/// Recursion depth is bounded by the parser's own nesting limit.
fn convert(text: &str, v: &jsonc_parser::ast::Value<'_>) -> Result<Json, JsonError> {
    use jsonc_parser::ast::Value as V;
    Ok(match v {
        V::NullKeyword(n) => Json {
            value: JsonValue::Null,
            span: span_of(n.range),
        },
        V::BooleanLit(b) => Json {
            value: JsonValue::Bool(b.value),
            span: span_of(b.range),
        },
        V::NumberLit(n) => {
            let span = span_of(n.range);
            check_number(n.value, span)?;
            Json {
                value: JsonValue::Number(n.value.to_string()),
                span,
            }
        }
        V::StringLit(s) => {
            let span = span_of(s.range);
            check_raw_string(text, span)?;
            Json {
                value: JsonValue::String(s.value.to_string()),
                span,
            }
        }
        V::Array(a) => {
            let mut items = Vec::with_capacity(a.elements.len());
            for e in &a.elements {
                items.push(convert(text, e)?);
            }
            Json {
                value: JsonValue::Array(items),
                span: span_of(a.range),
            }
        }
        V::Object(o) => {
            let mut members = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let (key, key_span) = match &p.name {
                    jsonc_parser::ast::ObjectPropName::String(s) => {
                        let span = span_of(s.range);
                        check_raw_string(text, span)?;
                        (s.value.to_string(), span)
                    }
                    jsonc_parser::ast::ObjectPropName::Word(w) => {
                        return Err(JsonError {
                            message: "expected a double-quoted property name".into(),
                            span: span_of(w.range),
                            help: None,
                        });
                    }
                };
                members.push(Member {
                    key,
                    key_span,
                    value: convert(text, &p.value)?,
                });
            }
            Json {
                value: JsonValue::Object(members),
                span: span_of(o.range),
            }
        }
    })
}

/// Length in characters of `text` with every whitespace character outside string literals
/// removed: the size the AWS console stores after stripping formatting
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>).
pub fn minified_len(text: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    let mut n = 0;
    for c in text.chars() {
        if in_string {
            n += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            n += 1;
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            n += 1;
        }
    }
    n
}

/// RFC 8259 section 7: characters below U+0020 must be escaped inside strings.
fn check_raw_string(text: &str, span: Span) -> Result<(), JsonError> {
    let raw = text.get(span.start..span.end).unwrap_or("");
    if let Some(pos) = raw.bytes().position(|b| b < 0x20) {
        let at = span.start + pos;
        return Err(JsonError {
            message: "raw control character inside a string".into(),
            span: Span::new(at, at + 1),
            help: Some("write it as an escape such as `\\n` or `\\t`".into()),
        });
    }
    Ok(())
}

/// RFC 8259 section 6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn check_number(raw: &str, span: Span) -> Result<(), JsonError> {
    let b = raw.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let int_start = i;
    let n = digits(&mut i);
    let mut ok = n > 0 && !(n > 1 && b[int_start] == b'0');
    if ok && b.get(i) == Some(&b'.') {
        i += 1;
        ok = digits(&mut i) > 0;
    }
    if ok && matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        ok = digits(&mut i) > 0;
    }
    if ok && i == b.len() {
        Ok(())
    } else {
        Err(JsonError {
            message: format!("`{raw}` is not a valid JSON number"),
            span,
            help: Some("JSON numbers have no leading zeros; quote the value if it is text".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> JsonError {
        parse(text).expect_err("must fail")
    }

    #[test]
    fn keeps_duplicate_keys_in_order() {
        let j = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let JsonValue::Object(m) = j.value else {
            panic!("object expected")
        };
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].value.value, JsonValue::Number("1".into()));
        assert_eq!(m[1].value.value, JsonValue::Number("2".into()));
        assert_eq!(m[1].key_span, Span::new(9, 12));
    }

    #[test]
    fn rejects_jsonc_and_json5_extensions() {
        assert_eq!(err("{\"a\": [1,]}").message, "trailing comma");
        assert_eq!(err("{\"a\": 1,}").message, "trailing comma");
        assert_eq!(err("{\"a\": 1 // c\n}").message, "comments are not allowed");
        assert_eq!(
            err("{\"a\": /* c */ 1}").message,
            "comments are not allowed"
        );
        assert!(err("{'a': 1}").message.contains("single-quoted"));
        assert!(err("{a: 1}").message.contains("property name"));
        assert!(err("{\"a\": 0x10}").message.contains("hexadecimal"));
        assert!(err("{\"a\": +1}").message.contains('+'));
        assert!(err("{\"a\": .5}").message.contains('.'));
        assert_eq!(err("{\"a\": NaN}").message, "unexpected `NaN`");
        assert_eq!(err("{\"a\": True}").message, "unexpected `True`");
        assert!(err("{} {}").message.contains("more than one"));
        assert!(err("").message.contains("no JSON value"));
        assert!(err("{\"a\": 1 \"b\": 2}").message.contains("comma"));
    }

    #[test]
    fn rejects_what_jsonc_parser_lets_through() {
        assert!(
            err("{\"a\": \"x\ny\"}")
                .message
                .contains("control character")
        );
        // jsonc-parser reads `01` as two numbers; either way it is an error.
        assert!(parse("{\"a\": 01}").is_err());
        assert!(parse("{\"a\": -01}").is_err());
        assert!(check_number("01", Span::default()).is_err());
        assert!(check_number("-0.5e-3", Span::default()).is_ok());
        assert!(check_number("1e", Span::default()).is_err());
        assert!(err("\u{feff}{}").message.contains("byte order mark"));
        assert!(parse("{\"a\": [0, -0, 1.5, -2e10, 3E+2, 0.0]}").is_ok());
    }

    #[test]
    fn minified_len_keeps_whitespace_inside_strings() {
        assert_eq!(
            minified_len("{\n  \"a b\": [ 1, \"x\\\" y\" ]\n}"),
            "{\"a b\":[1,\"x\\\" y\"]}".len()
        );
        assert_eq!(minified_len("{\"é\": 1}"), 7);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(err(&text).message.contains("nesting"));
    }

    #[test]
    fn trailing_comma_points_at_the_comma() {
        let text = "{\n \"a\": [\n  1,\n ]\n}";
        let e = err(text);
        assert_eq!(&text[e.span.start..e.span.end], ",");
    }
}
