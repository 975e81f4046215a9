//! Condition operators: compiling a `Condition` element once and testing it against a request's
//! context keys many times.
//!
//! Semantics (`docs/aws-semantics.md` section 6, sources in brackets):
//!
//! - Several operators in one `Condition` element, and several keys under one operator, must all
//!   hold (AND); several values for one key hold if any one does (OR), and for negated operators
//!   the request value must match none of them (NOR) [S17].
//! - A key missing from the request: positive operators are false, negated operators
//!   (`StringNotEquals`, `StringNotLike`, `NumericNotEquals`, `DateNotEquals`, `ArnNotEquals`,
//!   `ArnNotLike`, `NotIpAddress`, `StringNotEqualsIgnoreCase`) are true; `...IfExists` makes any
//!   operator true [S15] (R6.1, R6.2).
//! - `ForAnyValue:` is false for a missing or empty key, `ForAllValues:` is true for one
//!   (R6.4, R6.5); negated operators under a qualifier apply the negated test per request value
//!   (R6.6) [S16].
//! - Context key names compare case-insensitively [S36]; values follow the operator's case rules
//!   [S15].
//! - Numbers and dates compare as numbers and instants (ISO 8601 or epoch seconds), never as
//!   text; policy values are parsed at compile time [S15].
//! - Policy variables (`${key}`, `${key, 'default'}`, `${*}`, `${?}`, `${$}`) are substituted
//!   only under `Version` `2012-10-17`, in string and ARN operator values; a variable with no
//!   value makes that policy value equal to nothing and like nothing (R6.8–R6.11) [S18].
//!
//! Tags: S15 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>,
//! S16 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>,
//! S17 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>,
//! S18 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>,
//! S36 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Serialize;

use super::pattern::{Case, glob_match, glob_match_with_literals};
use super::{BaseOperator, ConditionElement, Operator, SetQualifier};
use crate::source::Span;

// ---------------------------------------------------------------------------------------------
// Request context
// ---------------------------------------------------------------------------------------------

/// One context key of a request with its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key as given (for output).
    pub name: String,
    /// The key in lowercase (for lookup; key names are case-insensitive [S36]).
    #[serde(skip)]
    pub lower: String,
    /// The values, in the order given.
    pub values: Vec<String>,
    /// True when the key was given as a list (a multivalued key), even of one value.
    pub multi: bool,
}

/// The context keys of one request, looked up case-insensitively by key name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    // INVARIANT: sorted by `lower`, no two entries with the same `lower`.
    entries: Vec<ContextEntry>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Sets a single-valued key, replacing any value of the same key (any case).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.insert(name, vec![value.into()], false);
    }

    /// Sets a multivalued key (a list, possibly empty), replacing any value of the same key.
    pub fn set_multi(&mut self, name: &str, values: Vec<String>) {
        self.insert(name, values, true);
    }

    fn insert(&mut self, name: &str, values: Vec<String>, multi: bool) {
        let lower = name.to_lowercase();
        let entry = ContextEntry {
            name: name.to_string(),
            lower,
            values,
            multi,
        };
        match self
            .entries
            .binary_search_by(|e| e.lower.as_str().cmp(entry.lower.as_str()))
        {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// True when the key (any case) is present, even with an empty list of values.
    pub fn contains(&self, name: &str) -> bool {
        self.get(&name.to_lowercase()).is_some()
    }

    /// Looks up a key by its lowercase name.
    pub fn get(&self, lower: &str) -> Option<&ContextEntry> {
        if self.entries.len() <= 16 {
            // Small contexts: comparing lengths first skips most byte comparisons.
            return self
                .entries
                .iter()
                .find(|e| e.lower.len() == lower.len() && e.lower == lower);
        }
        self.entries
            .binary_search_by(|e| e.lower.as_str().cmp(lower))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// Every entry, sorted by lowercase key name.
    pub fn entries(&self) -> &[ContextEntry] {
        &self.entries
    }
}

// ---------------------------------------------------------------------------------------------
// Policy variables
// ---------------------------------------------------------------------------------------------

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// A literal `*` or `?` produced by `${*}` / `${?}`.
    LitWild(char),
    /// A variable.
    Var {
        /// The context key, lowercase.
        lower: String,
        /// The default text of `${key, 'default'}`.
        default: Option<String>,
    },
}

/// A string from a policy that may contain policy variables (R6.8–R6.11).
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// No variable (or variables are not substituted in this policy version): the text as is.
    Plain(String),
    /// Text with at least one variable or escape.
    Parts(Vec<Part>),
}

/// A template after substitution.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    /// A variable had no value and no default: the value equals nothing and is like nothing
    /// (R6.9).
    Null,
    /// The text, with the byte offsets of `*`/`?` that came from `${*}`/`${?}` (sorted).
    Text(Cow<'a, str>, Vec<usize>),
}

impl Template {
    /// Parses `text`; variables are recognised only when `substitute` is true (the policy has
    /// `Version` `2012-10-17`). A malformed `${...}` is kept as literal text.
    pub fn parse(text: &str, substitute: bool) -> Template {
        if !substitute || !text.contains("${") {
            return Template::Plain(text.to_string());
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            lit.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            match parse_variable(after) {
                Some((part, used)) => {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    match part {
                        Part::Lit(s) => lit.push_str(&s),
                        p => parts.push(p),
                    }
                    rest = &after[used..];
                }
                None => {
                    lit.push_str("${");
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        if parts.iter().all(|p| matches!(p, Part::Lit(_))) {
            let mut s = String::new();
            for p in &parts {
                if let Part::Lit(t) = p {
                    s.push_str(t);
                }
            }
            return Template::Plain(s);
        }
        Template::Parts(parts)
    }

    /// The plain text, when there is nothing to substitute.
    pub fn as_plain(&self) -> Option<&str> {
        match self {
            Template::Plain(s) => Some(s),
            Template::Parts(_) => None,
        }
    }

    /// The lowercase names of the context keys this template reads.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        let parts: &[Part] = match self {
            Template::Plain(_) => &[],
            Template::Parts(p) => p,
        };
        parts.iter().filter_map(|p| match p {
            Part::Var { lower, .. } => Some(lower.as_str()),
            _ => None,
        })
    }

    /// Substitutes variables from `ctx`. A key with several values cannot be a variable
    /// (S18); it is treated like a missing key.
    pub fn resolve<'a>(&'a self, ctx: &Context) -> Resolved<'a> {
        match self {
            Template::Plain(s) => Resolved::Text(Cow::Borrowed(s), Vec::new()),
            Template::Parts(parts) => {
                let mut out = String::new();
                let mut literal = Vec::new();
                for p in parts {
                    match p {
                        Part::Lit(s) => out.push_str(s),
                        Part::LitWild(c) => {
                            literal.push(out.len());
                            out.push(*c);
                        }
                        Part::Var { lower, default } => {
                            let value = ctx
                                .get(lower)
                                .filter(|e| e.values.len() == 1)
                                .and_then(|e| e.values.first());
                            match (value, default) {
                                (Some(v), _) => out.push_str(v),
                                (None, Some(d)) => out.push_str(d),
                                (None, None) => return Resolved::Null,
                            }
                        }
                    }
                }
                Resolved::Text(Cow::Owned(out), literal)
            }
        }
    }
}

/// Parses the inside of `${...}` (after `${`); returns the part and the bytes used, including
/// the closing brace.
fn parse_variable(s: &str) -> Option<(Part, usize)> {
    let close_or_comma = s.find(['}', ','])?;
    let key = s[..close_or_comma].trim();
    if s.as_bytes()[close_or_comma] == b'}' {
        let part = match key {
            "*" => Part::LitWild('*'),
            "?" => Part::LitWild('?'),
            "$" => Part::Lit("$".into()),
            "" => return None,
            k => Part::Var {
                lower: k.to_lowercase(),
                default: None,
            },
        };
        return Some((part, close_or_comma + 1));
    }
    if key.is_empty() {
        return None;
    }
    // `${key, 'default'}`: the default is quoted; `''` inside it is one quote (R6.10).
    let after_comma = &s[close_or_comma + 1..];
    let trimmed = after_comma.trim_start();
    let mut pos = close_or_comma + 1 + (after_comma.len() - trimmed.len());
    let body = trimmed.strip_prefix('\'')?;
    pos += 1;
    let mut default = String::new();
    let mut chars = body.char_indices().peekable();
    let mut end = None;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                default.push('\'');
                chars.next();
            } else {
                end = Some(i + 1);
                break;
            }
        } else {
            default.push(c);
        }
    }
    pos += end?;
    let tail = &s[pos..];
    let tail_trimmed = tail.trim_start();
    pos += tail.len() - tail_trimmed.len();
    if !tail_trimmed.starts_with('}') {
        return None;
    }
    Some((
        Part::Var {
            lower: key.to_lowercase(),
            default: Some(default),
        },
        pos + 1,
    ))
}

// ---------------------------------------------------------------------------------------------
// Typed values
// ---------------------------------------------------------------------------------------------

/// An instant: seconds since the Unix epoch and nanoseconds (ordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z (may be negative).
    pub secs: i64,
    /// Nanoseconds, `0..1_000_000_000`.
    pub nanos: u32,
}

/// Parses a date as IAM's `Date` operators accept it: epoch seconds (`1735689600`, optionally
/// with a fraction) or ISO 8601 (`2025-01-01`, `2025-01-01T00:00:00Z`, with optional seconds,
/// fraction and `Z`/`±hh:mm`/`±hhmm`/`±hh` offset; no offset means UTC) [S15].
pub fn parse_date(s: &str) -> Option<Instant> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !s[1..].contains('-')
    {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let secs: i64 = int.parse().ok()?;
        let nanos = parse_fraction(frac)?;
        return Some(Instant { secs, nanos });
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let t = s.get(from..from + len)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut nanos = 0;
    let mut i = 10;
    if i < b.len() {
        if !matches!(b[i], b'T' | b't' | b' ') {
            return None;
        }
        let hour = num(i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let minute = num(i + 4, 2)?;
        i += 6;
        let mut second = 0;
        if b.get(i) == Some(&b':') {
            second = num(i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                nanos = parse_fraction(&s[start..end])?;
                i = end;
            }
        }
        if hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute | second) != 0) {
            return None;
        }
        secs += hour * 3600 + minute * 60 + second;
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(&sign @ (b'+' | b'-')) => {
                let oh = num(i + 1, 2)?;
                let rest = s.get(i + 3..)?;
                let om = match rest.len() {
                    0 => 0,
                    2 => num(i + 3, 2)?,
                    3 if rest.starts_with(':') => num(i + 4, 2)?,
                    _ => return None,
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                let off = oh * 3600 + om * 60;
                secs += if sign == b'+' { -off } else { off };
            }
            _ => return None,
        }
    }
    Some(Instant { secs, nanos })
}

fn parse_fraction(frac: &str) -> Option<u32> {
    if frac.is_empty() {
        return Some(0);
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u32 = 0;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(9) {
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network: address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `203.0.113.0/24`, `2001:db8::/32`, or a single address (a /32 or /128).
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|&n| n <= max)?,
            None => max,
        };
        Some(Cidr { addr, prefix })
    }

    /// True when `ip` is inside the network (same address family only).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Parses a request address (`10.0.0.1`, `2001:db8::1`; a `/n` suffix is ignored).
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.split('/').next().unwrap_or(s).parse().ok()
}

/// Decodes standard base64 (RFC 4648 alphabet, padding optional).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    // Leftover bits must be zero padding (RFC 4648 section 3.5, canonical encoding).
    if bits >= 6 || acc & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

// ---------------------------------------------------------------------------------------------
// ARN matching (R5.2, R5.3)
// ---------------------------------------------------------------------------------------------

/// Matches an ARN `text` against an ARN `pattern` component by component (`arn`, partition,
/// service, region, account, resource; the resource keeps any further colons) [S14][S15].
///
/// `*` and `?` never cross a colon inside one component, except that a pattern with fewer than
/// six components whose last component ends in `*` lets that `*` run over the rest of the ARN.
/// With `service_wildcards` false (the `Resource` element, R5.2), the service component is
/// compared literally. Returns `None` when `text` is not an ARN with six components.
pub fn arn_match(
    pattern: &str,
    literal: &[usize],
    text: &str,
    service_wildcards: bool,
) -> Option<bool> {
    let (t, n) = split6(text);
    if n < 6 || t[0] != "arn" {
        return None;
    }
    let (pp, pn) = split6(pattern);
    let mut offset = 0;
    for (i, &p) in pp[..pn].iter().enumerate() {
        let last = i + 1 == pn;
        let lits = shifted(literal, offset, p.len());
        if last && i < 5 {
            // Fewer than six components: only a final wildcard can cover the rest.
            if !p.ends_with('*') || lits.last() == Some(&(p.len() - 1)) {
                return Some(false);
            }
            let rest_start = t[..i].iter().map(|s| s.len() + 1).sum::<usize>();
            return Some(segment_match(p, &lits, &text[rest_start..]));
        }
        let ok = if i == 2 && !service_wildcards {
            p == t[2]
        } else {
            segment_match(p, &lits, t[i])
        };
        if !ok {
            return Some(false);
        }
        offset += p.len() + 1;
    }
    Some(true)
}

/// Splits on the first five colons (bytes, no allocation): the components and their count.
fn split6(s: &str) -> ([&str; 6], usize) {
    let mut out = [""; 6];
    let mut n = 0;
    let mut start = 0;
    let bytes = s.as_bytes();
    while n < 5 {
        match bytes[start..].iter().position(|&b| b == b':') {
            Some(p) => {
                out[n] = &s[start..start + p];
                n += 1;
                start += p + 1;
            }
            None => break,
        }
    }
    out[n] = &s[start..];
    (out, n + 1)
}

fn shifted(literal: &[usize], offset: usize, len: usize) -> Vec<usize> {
    literal
        .iter()
        .filter(|&&o| o >= offset && o < offset + len)
        .map(|&o| o - offset)
        .collect()
}

fn segment_match(pattern: &str, literal: &[usize], text: &str) -> bool {
    if literal.is_empty() {
        glob_match(pattern, text, Case::Sensitive)
    } else {
        glob_match_with_literals(pattern, literal, text, Case::Sensitive)
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled conditions
// ---------------------------------------------------------------------------------------------

/// A policy value parsed for its operator at compile time.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyValue {
    /// String and ARN operators (may hold variables).
    Str(Template),
    /// Numeric operators.
    Num(f64),
    /// Date operators.
    Date(Instant),
    /// `Bool`.
    Bool(bool),
    /// `BinaryEquals` (decoded from base64).
    Bytes(Vec<u8>),
    /// `IpAddress` / `NotIpAddress`.
    Cidr(Cidr),
    /// `Null`: true = the key must be absent.
    Null(bool),
    /// A value that does not parse for its operator; it matches nothing.
    Invalid,
}

/// One context key of one operator, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledEntry {
    /// The key as written in the policy.
    pub key: String,
    /// The key in lowercase.
    pub lower: String,
    /// Span of the key in the policy text.
    pub span: Span,
    /// The values as written (for traces).
    pub raw: Vec<String>,
    /// The parsed values, same order as `raw`.
    pub values: Vec<PolicyValue>,
}

/// One operator with its keys, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledBlock {
    /// The operator.
    pub operator: Operator,
    /// Span of the operator name.
    pub span: Span,
    /// The keys (AND).
    pub entries: Vec<CompiledEntry>,
}

/// A compiled `Condition` element: all blocks must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompiledCondition {
    /// The operator blocks (AND).
    pub blocks: Vec<CompiledBlock>,
}

/// How a bare operator (no `ForAllValues:`/`ForAnyValue:`) reads a request key that has
/// several values. AWS does not define it (`docs/aws-semantics.md` R6.7, a (verify) item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BareMultivalued {
    /// As if `ForAnyValue:`.
    #[default]
    Any,
    /// As if `ForAllValues:`.
    All,
}

/// What one evaluation noticed besides its result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CondFlags {
    /// A bare operator met a request key with several values (R6.7).
    pub bare_multivalued: bool,
}

/// Why a condition did not hold: the first failing operator and key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionFailure {
    /// The operator as written (`StringNotEquals`).
    pub operator: String,
    /// The key as written in the policy.
    pub key: String,
    /// The policy values as written.
    pub policy_values: Vec<String>,
    /// The request's values, or `None` when the key is absent.
    pub request_values: Option<Vec<String>>,
    /// Span of the key in the policy text.
    #[serde(skip)]
    pub span: Span,
}

impl CompiledCondition {
    /// Compiles a `Condition` element. `substitute` is true when the policy's `Version` is
    /// `2012-10-17` (only then are `${...}` variables substituted, R4.2).
    pub fn compile(element: &ConditionElement, substitute: bool) -> CompiledCondition {
        let blocks = element
            .blocks
            .iter()
            .map(|b| {
                let op = b.operator.value;
                CompiledBlock {
                    operator: op,
                    span: b.operator.span,
                    entries: b
                        .entries
                        .iter()
                        .map(|e| CompiledEntry {
                            key: e.key.value.clone(),
                            lower: e.key.value.to_lowercase(),
                            span: e.key.span,
                            raw: e.values.iter().map(|v| v.value.text.clone()).collect(),
                            values: e
                                .values
                                .iter()
                                .map(|v| compile_value(op.base, &v.value.text, substitute))
                                .collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        CompiledCondition { blocks }
    }

    /// Every context key the condition reads, as (lowercase name, name as written), including
    /// keys used as variables (those are given in lowercase only).
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.blocks.iter().flat_map(|b| {
            b.entries.iter().flat_map(|e| {
                std::iter::once((e.lower.as_str(), e.key.as_str())).chain(e.values.iter().flat_map(
                    |v| match v {
                        PolicyValue::Str(t) => t.variables().map(|k| (k, k)).collect::<Vec<_>>(),
                        _ => Vec::new(),
                    },
                ))
            })
        })
    }

    /// True when a negated operator that S18 does not name for missing variables
    /// (`ArnNotEquals`, `ArnNotLike`, `StringNotEqualsIgnoreCase`) has a policy value whose
    /// variable has no value in `ctx`: the engine extends R6.9 to them (nothing equals the null
    /// value, so the operator holds) and the trace says so.
    pub fn uses_null_variable_extension(&self, ctx: &Context) -> bool {
        self.blocks.iter().any(|b| {
            matches!(
                b.operator.base,
                BaseOperator::ArnNotEquals
                    | BaseOperator::ArnNotLike
                    | BaseOperator::StringNotEqualsIgnoreCase
            ) && b.entries.iter().any(|e| {
                e.values.iter().any(|v| {
                    matches!(v, PolicyValue::Str(t @ Template::Parts(_)) if t.resolve(ctx) == Resolved::Null)
                })
            })
        })
    }

    /// True when every block holds for `ctx`.
    pub fn matches(&self, ctx: &Context, mode: BareMultivalued, flags: &mut CondFlags) -> bool {
        self.blocks.iter().all(|b| {
            b.entries
                .iter()
                .all(|e| entry_holds(b.operator, e, ctx, mode, flags))
        })
    }

    /// Like [`CompiledCondition::matches`], but returns the first failing operator and key.
    pub fn explain(
        &self,
        ctx: &Context,
        mode: BareMultivalued,
        flags: &mut CondFlags,
    ) -> Result<(), ConditionFailure> {
        for b in &self.blocks {
            for e in &b.entries {
                if !entry_holds(b.operator, e, ctx, mode, flags) {
                    return Err(ConditionFailure {
                        operator: b.operator.to_string(),
                        key: e.key.clone(),
                        policy_values: e.raw.clone(),
                        request_values: ctx.get(&e.lower).map(|c| c.values.clone()),
                        span: e.span,
                    });
                }
            }
        }
        Ok(())
    }
}

fn compile_value(base: BaseOperator, text: &str, substitute: bool) -> PolicyValue {
    use BaseOperator as B;
    let parsed = match base {
        B::StringEquals
        | B::StringNotEquals
        | B::StringEqualsIgnoreCase
        | B::StringNotEqualsIgnoreCase
        | B::StringLike
        | B::StringNotLike
        | B::ArnEquals
        | B::ArnLike
        | B::ArnNotEquals
        | B::ArnNotLike => Some(PolicyValue::Str(Template::parse(text, substitute))),
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => parse_number(text).map(PolicyValue::Num),
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => parse_date(text).map(PolicyValue::Date),
        B::Bool => parse_bool(text).map(PolicyValue::Bool),
        B::BinaryEquals => decode_base64(text).map(PolicyValue::Bytes),
        B::IpAddress | B::NotIpAddress => Cidr::parse(text).map(PolicyValue::Cidr),
        B::Null => parse_bool(text).map(PolicyValue::Null),
    };
    parsed.unwrap_or(PolicyValue::Invalid)
}

/// The positive operator whose negation a negated operator is.
fn positive(base: BaseOperator) -> BaseOperator {
    use BaseOperator as B;
    match base {
        B::StringNotEquals => B::StringEquals,
        B::StringNotEqualsIgnoreCase => B::StringEqualsIgnoreCase,
        B::StringNotLike => B::StringLike,
        B::NumericNotEquals => B::NumericEquals,
        B::DateNotEquals => B::DateEquals,
        B::ArnNotEquals => B::ArnEquals,
        B::ArnNotLike => B::ArnLike,
        B::NotIpAddress => B::IpAddress,
        b => b,
    }
}

/// The per-value test: does request value `v` satisfy the operator against any policy value
/// (positive operators), or against none (negated operators, NOR, R6.3/R6.6)?
fn value_test(base: BaseOperator, entry: &CompiledEntry, ctx: &Context, v: &str) -> bool {
    let pos = positive(base);
    let any = entry.values.iter().any(|p| positive_match(pos, p, ctx, v));
    if base.is_negated() { !any } else { any }
}

fn positive_match(base: BaseOperator, p: &PolicyValue, ctx: &Context, v: &str) -> bool {
    use BaseOperator as B;
    match (base, p) {
        (B::StringEquals | B::StringEqualsIgnoreCase | B::StringLike, PolicyValue::Str(t)) => {
            let Resolved::Text(text, lit) = t.resolve(ctx) else {
                return false;
            };
            match base {
                B::StringEquals => text == v,
                B::StringEqualsIgnoreCase => text
                    .chars()
                    .flat_map(char::to_lowercase)
                    .eq(v.chars().flat_map(char::to_lowercase)),
                _ => segment_match(&text, &lit, v),
            }
        }
        (B::ArnEquals | B::ArnLike, PolicyValue::Str(t)) => {
            let Resolved::Text(text, lit) = t.resolve(ctx) else {
                return false;
            };
            arn_match(&text, &lit, v, true).unwrap_or(false)
        }
        (_, PolicyValue::Num(n)) => {
            let Some(x) = parse_number(v) else {
                return false;
            };
            match base {
                B::NumericEquals => x == *n,
                B::NumericLessThan => x < *n,
                B::NumericLessThanEquals => x <= *n,
                B::NumericGreaterThan => x > *n,
                B::NumericGreaterThanEquals => x >= *n,
                _ => false,
            }
        }
        (_, PolicyValue::Date(d)) => {
            let Some(x) = parse_date(v) else {
                return false;
            };
            match base {
                B::DateEquals => x == *d,
                B::DateLessThan => x < *d,
                B::DateLessThanEquals => x <= *d,
                B::DateGreaterThan => x > *d,
                B::DateGreaterThanEquals => x >= *d,
                _ => false,
            }
        }
        (B::Bool, PolicyValue::Bool(b)) => parse_bool(v) == Some(*b),
        (B::BinaryEquals, PolicyValue::Bytes(bytes)) => match decode_base64(v) {
            Some(x) => x == *bytes,
            None => v.as_bytes() == bytes.as_slice(),
        },
        (B::IpAddress, PolicyValue::Cidr(c)) => parse_ip(v).is_some_and(|ip| c.contains(ip)),
        _ => false,
    }
}

fn entry_holds(
    op: Operator,
    entry: &CompiledEntry,
    ctx: &Context,
    mode: BareMultivalued,
    flags: &mut CondFlags,
) -> bool {
    let found = ctx.get(&entry.lower);
    if op.base == BaseOperator::Null {
        // `Null: true` holds when the key is absent; an empty list counts as absent (S35).
        let absent = found.is_none_or(|e| e.values.is_empty());
        return entry.values.iter().any(|v| match v {
            PolicyValue::Null(want_absent) => *want_absent == absent,
            _ => false,
        });
    }
    let values = match found {
        None => {
            return match op.qualifier {
                _ if op.if_exists => true,
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => op.base.is_negated(),
            };
        }
        Some(e) => &e.values,
    };
    let qualifier = match op.qualifier {
        Some(q) => q,
        None => match values.len() {
            // An empty list under a bare operator reads as a missing key.
            0 => return op.if_exists || op.base.is_negated(),
            1 => return value_test(op.base, entry, ctx, &values[0]),
            _ => {
                flags.bare_multivalued = true;
                match mode {
                    BareMultivalued::Any => SetQualifier::ForAnyValue,
                    BareMultivalued::All => SetQualifier::ForAllValues,
                }
            }
        },
    };
    match qualifier {
        SetQualifier::ForAnyValue => values.iter().any(|v| value_test(op.base, entry, ctx, v)),
        SetQualifier::ForAllValues => values.iter().all(|v| value_test(op.base, entry, ctx, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    fn cond(json: &str, version: &str) -> CompiledCondition {
        let text = format!(
            r#"{{"Version":"{version}","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{json}}}}}"#
        );
        let doc = parse_policy(&text).unwrap();
        let c = doc.statements[0].condition.as_ref().unwrap();
        CompiledCondition::compile(c, version == "2012-10-17")
    }

    fn holds(json: &str, ctx: &Context) -> bool {
        cond(json, "2012-10-17").matches(ctx, BareMultivalued::Any, &mut CondFlags::default())
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.set(k, *v);
        }
        c
    }

    #[test]
    fn missing_key_positive_false_negated_true_ifexists_true() {
        // S15 / R6.1 / R6.2
        let empty = Context::new();
        assert!(!holds(r#"{"StringEquals":{"k":"a"}}"#, &empty));
        assert!(holds(r#"{"StringNotEquals":{"k":"a"}}"#, &empty));
        assert!(holds(r#"{"StringEqualsIfExists":{"k":"a"}}"#, &empty));
        assert!(holds(
            r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            &empty
        ));
        assert!(!holds(
            r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            &empty
        ));
        assert!(!holds(
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#,
            &empty
        ));
        assert!(holds(
            r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:*"}}"#,
            &empty
        ));
        assert!(!holds(r#"{"NumericLessThan":{"n":"3"}}"#, &empty));
        assert!(holds(r#"{"NumericNotEquals":{"n":"3"}}"#, &empty));
        assert!(holds(r#"{"DateNotEquals":{"d":"2020-01-01"}}"#, &empty));
        assert!(holds(r#"{"StringNotEqualsIgnoreCase":{"k":"a"}}"#, &empty));
        assert!(holds(r#"{"Null":{"k":"true"}}"#, &empty));
        assert!(!holds(r#"{"Null":{"k":"false"}}"#, &empty));
    }

    #[test]
    fn values_or_negated_nor_keys_and_blocks_and() {
        // S17
        let c = ctx(&[("aws:RequestedRegion", "eu-west-1"), ("k2", "x")]);
        assert!(holds(
            r#"{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}"#,
            &c
        ));
        assert!(holds(
            r#"{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-central-1"]}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1","k2":"y"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"},"StringLike":{"k2":"y*"}}"#,
            &c
        ));
        assert!(holds(
            r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"},"StringLike":{"k2":"*"}}"#,
            &c
        ));
    }

    #[test]
    fn key_names_fold_values_do_not() {
        let c = ctx(&[("aws:RequestedRegion", "eu-west-1")]);
        assert!(holds(
            r#"{"StringEquals":{"AWS:REQUESTEDREGION":"eu-west-1"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"StringEquals":{"aws:requestedregion":"EU-WEST-1"}}"#,
            &c
        ));
        assert!(holds(
            r#"{"StringEqualsIgnoreCase":{"aws:requestedregion":"EU-WEST-1"}}"#,
            &c
        ));
    }

    #[test]
    fn set_qualifiers_missing_and_empty() {
        // R6.4, R6.5 (S16, S35)
        let empty = Context::new();
        assert!(holds(
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
            &empty
        ));
        assert!(!holds(
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}"#,
            &empty
        ));
        let mut e = Context::new();
        e.set_multi("aws:TagKeys", vec![]);
        assert!(holds(
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
            &e
        ));
        assert!(!holds(
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}"#,
            &e
        ));
        assert!(holds(r#"{"Null":{"aws:TagKeys":"true"}}"#, &e));
        let mut t = Context::new();
        t.set_multi("aws:TagKeys", vec!["a".into(), "b".into()]);
        assert!(!holds(
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
            &t
        ));
        assert!(holds(
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}}"#,
            &t
        ));
        assert!(holds(
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["b"]}}"#,
            &t
        ));
        // R6.6: per-element negated test.
        assert!(holds(
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}"#,
            &t
        ));
        assert!(!holds(
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}"#,
            &t
        ));
        assert!(holds(
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["c"]}}"#,
            &t
        ));
        assert!(!holds(
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}"#,
            &t
        ));
    }

    #[test]
    fn bare_operator_on_multivalued_key_follows_the_mode() {
        let mut t = Context::new();
        t.set_multi("aws:TagKeys", vec!["a".into(), "b".into()]);
        let c = cond(r#"{"StringEquals":{"aws:TagKeys":"a"}}"#, "2012-10-17");
        let mut f = CondFlags::default();
        assert!(c.matches(&t, BareMultivalued::Any, &mut f));
        assert!(f.bare_multivalued);
        assert!(!c.matches(&t, BareMultivalued::All, &mut f));
        let mut one = Context::new();
        one.set_multi("aws:TagKeys", vec!["a".into()]);
        let mut f = CondFlags::default();
        assert!(c.matches(&one, BareMultivalued::All, &mut f));
        assert!(!f.bare_multivalued);
    }

    #[test]
    fn numbers_and_dates_are_typed() {
        let c = ctx(&[
            ("n", "10"),
            ("t", "2026-06-01T12:00:00Z"),
            ("e", "1780315200"),
        ]);
        // "10" < "9" as text, not as numbers.
        assert!(!holds(r#"{"NumericLessThan":{"n":"9"}}"#, &c));
        assert!(holds(r#"{"NumericGreaterThan":{"n":9.5}}"#, &c));
        assert!(holds(r#"{"NumericEquals":{"n":"10.0"}}"#, &c));
        assert!(holds(r#"{"DateGreaterThan":{"t":"1735689600"}}"#, &c));
        assert!(holds(
            r#"{"DateLessThan":{"t":"2026-06-01T14:00:00+01:00"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"DateLessThan":{"t":"2026-06-01T13:00:00+01:00"}}"#,
            &c
        ));
        assert!(holds(r#"{"DateEquals":{"e":"2026-06-01T12:00:00Z"}}"#, &c));
        assert!(holds(r#"{"DateGreaterThanEquals":{"t":"2026-06-01"}}"#, &c));
        assert!(!holds(r#"{"NumericLessThan":{"n":"not-a-number"}}"#, &c));
    }

    #[test]
    fn date_parser() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z").unwrap().secs, 0);
        assert_eq!(
            parse_date("2025-01-01T00:00:00Z").unwrap().secs,
            1_735_689_600
        );
        assert_eq!(parse_date("2000-03-01").unwrap().secs, 951_868_800);
        assert_eq!(
            parse_date("2020-01-01T00:00:00.5Z").unwrap().nanos,
            500_000_000
        );
        assert_eq!(parse_date("1.25").unwrap().nanos, 250_000_000);
        assert!(parse_date("2021-02-29").is_none());
        assert!(parse_date("2020-13-01").is_none());
        assert!(parse_date("yesterday").is_none());
        assert_eq!(
            parse_date("2020-01-01T01:00:00+0100").unwrap(),
            parse_date("2020-01-01T00:00:00Z").unwrap()
        );
    }

    #[test]
    fn ip_v4_and_v6() {
        let c = ctx(&[
            ("aws:SourceIp", "2001:db8:1234:ab::10"),
            ("v4", "203.0.113.7"),
        ]);
        assert!(holds(
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8:1234::/48"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8:1235::/48"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &c
        ));
        assert!(holds(r#"{"IpAddress":{"v4":"203.0.113.0/24"}}"#, &c));
        assert!(holds(r#"{"IpAddress":{"v4":"203.0.113.7"}}"#, &c));
        assert!(holds(r#"{"IpAddress":{"v4":"0.0.0.0/0"}}"#, &c));
        assert!(!holds(
            r#"{"NotIpAddress":{"v4":["10.0.0.0/8","203.0.113.0/24"]}}"#,
            &c
        ));
    }

    #[test]
    fn binary_bool_and_arn() {
        let c = ctx(&[
            ("b", "aGVsbG8="),
            ("f", "FALSE"),
            (
                "aws:PrincipalArn",
                "arn:aws:iam::111122223333:role/platform-admin",
            ),
        ]);
        assert!(holds(r#"{"BinaryEquals":{"b":"aGVsbG8"}}"#, &c));
        assert!(!holds(r#"{"BinaryEquals":{"b":"aGVsbG9="}}"#, &c));
        assert!(holds(r#"{"Bool":{"f":false}}"#, &c));
        assert!(holds(
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/platform-admin"}}"#,
            &c
        ));
        assert!(!holds(
            r#"{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/platform-admin"}}"#,
            &c
        ));
        // `*` in one component does not cross a colon in the middle of the pattern.
        assert!(!holds(
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:*:role/platform-admin"}}"#,
            &c
        ));
        assert!(holds(
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}"#,
            &c
        ));
        // StringLike has no segment logic (R5.4).
        assert!(holds(
            r#"{"StringLike":{"aws:PrincipalArn":"arn:*:role/platform-admin"}}"#,
            &c
        ));
        // Not an ARN: ARN operators do not match.
        let n = ctx(&[("k", "not-an-arn")]);
        assert!(!holds(r#"{"ArnLike":{"k":"*"}}"#, &n));
    }

    #[test]
    fn arn_components() {
        let arn = "arn:aws:s3:::example-bucket/foo/1/2/bar";
        assert_eq!(
            arn_match("arn:aws:s3:::example-bucket/foo/*/bar", &[], arn, false),
            Some(true)
        );
        assert_eq!(
            arn_match("arn:aws:s*:::example-bucket/*", &[], arn, false),
            Some(false)
        );
        assert_eq!(
            arn_match(
                "arn:aws:s3:::example-bucket/*",
                &[],
                "arn:aws:s3:::example-bucket",
                false
            ),
            Some(false)
        );
        assert_eq!(
            arn_match(
                "arn:aws:ec2:*:*",
                &[],
                "arn:aws:ec2:eu-west-1:1:instance/i-1",
                false
            ),
            Some(true)
        );
        assert_eq!(
            arn_match(
                "arn:aws:logs:*:*:log-group:*",
                &[],
                "arn:aws:logs:eu-west-1:1:log-group:a:log-stream:b",
                false
            ),
            Some(true)
        );
        assert_eq!(arn_match("*", &[], "nope", false), None);
    }

    #[test]
    fn variables_defaults_escapes_and_missing_values() {
        // R6.9-R6.11 (S18)
        let c = ctx(&[("aws:username", "alice"), ("k", "a*b"), ("q", "alice?")]);
        assert!(holds(
            r#"{"StringEquals":{"k2":"${aws:username}"}}"#,
            &ctx(&[("k2", "alice"), ("aws:username", "alice")])
        ));
        assert!(holds(r#"{"StringLike":{"k":"a${*}b"}}"#, &c));
        assert!(!holds(
            r#"{"StringLike":{"k":"a${*}b"}}"#,
            &ctx(&[("k", "axxb")])
        ));
        assert!(holds(r#"{"StringLike":{"q":"${aws:username}${?}"}}"#, &c));
        assert!(holds(
            r#"{"StringEquals":{"k":"${ AWS:PrincipalTag/team , 'a*b' }"}}"#,
            &c
        ));
        assert!(holds(
            r#"{"StringEquals":{"d":"it''s"}}"#,
            &ctx(&[("d", "it''s")])
        ));
        assert!(holds(
            r#"{"StringEquals":{"d":"${x, 'it''s'}"}}"#,
            &ctx(&[("d", "it's")])
        ));
        assert!(holds(
            r#"{"StringEquals":{"d":"${$}{x}"}}"#,
            &ctx(&[("d", "${x}")])
        ));
        // Missing variable: positive false, negated true.
        let t = ctx(&[("aws:ResourceTag/project", "orders")]);
        assert!(!holds(
            r#"{"StringLike":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}*"}}"#,
            &t
        ));
        assert!(holds(
            r#"{"StringNotLike":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}*"}}"#,
            &t
        ));
        let ext = cond(
            r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/${aws:PrincipalTag/team}-*"}}"#,
            "2012-10-17",
        );
        let arn = ctx(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/blue-admin",
        )]);
        assert!(ext.matches(&arn, BareMultivalued::Any, &mut CondFlags::default()));
        assert!(ext.uses_null_variable_extension(&arn));
        let mut tagged = arn.clone();
        tagged.set("aws:PrincipalTag/team", "blue");
        assert!(!ext.matches(&tagged, BareMultivalued::Any, &mut CondFlags::default()));
        assert!(!ext.uses_null_variable_extension(&tagged));
        // Version 2008-10-17: literal text.
        let lit = cond(r#"{"StringEquals":{"k":"${aws:username}"}}"#, "2008-10-17");
        assert!(lit.matches(
            &ctx(&[("k", "${aws:username}")]),
            BareMultivalued::Any,
            &mut CondFlags::default()
        ));
    }
}
