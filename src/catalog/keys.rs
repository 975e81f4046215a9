//! Condition key types and key-name templates.
//!
//! Types use the vocabulary of the Service Authorization Reference ("Condition keys" tables,
//! <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>):
//! `String`, `ARN`, `Bool`, `Date`, `Numeric`, `IPAddress`, and `ArrayOf...` for multivalued
//! keys. Key names compare without case (IAM User Guide, "IAM JSON policy elements: Condition").

use std::fmt;

use crate::policy::pattern::{Case, glob_match};

/// The scalar type of a condition key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ValueType {
    /// Text (`String*` operators).
    String,
    /// An ARN (`Arn*` operators).
    Arn,
    /// `true`/`false` (`Bool`).
    Bool,
    /// A date and time (`Date*` operators).
    Date,
    /// A number (`Numeric*` operators).
    Numeric,
    /// An IPv4/IPv6 address or CIDR (`IpAddress`, `NotIpAddress`).
    IpAddress,
    /// Base64 bytes (`BinaryEquals`).
    Binary,
}

/// The type of a condition key: a value type and whether a request may carry several values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyType {
    /// The type of each value.
    pub value: ValueType,
    /// True for multivalued keys (`ArrayOf...`), which need `ForAnyValue`/`ForAllValues`.
    pub multivalued: bool,
}

impl KeyType {
    /// Parses a Service Authorization Reference type name (`String`, `ArrayOfARN`, `IPAddress`,
    /// ...). Returns `None` for an unknown name.
    pub fn parse(name: &str) -> Option<KeyType> {
        let (multivalued, base) = match name.strip_prefix("ArrayOf") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let value = match base {
            "String" => ValueType::String,
            "ARN" | "Arn" => ValueType::Arn,
            "Bool" | "Boolean" => ValueType::Bool,
            "Date" => ValueType::Date,
            "Numeric" | "Long" | "Integer" => ValueType::Numeric,
            "IPAddress" | "IpAddress" => ValueType::IpAddress,
            "Binary" => ValueType::Binary,
            _ => return None,
        };
        Some(KeyType { value, multivalued })
    }

    /// The name used by the Service Authorization Reference (`ArrayOfString`, `IPAddress`, ...).
    pub fn aws_name(self) -> &'static str {
        match (self.multivalued, self.value) {
            (false, ValueType::String) => "String",
            (false, ValueType::Arn) => "ARN",
            (false, ValueType::Bool) => "Bool",
            (false, ValueType::Date) => "Date",
            (false, ValueType::Numeric) => "Numeric",
            (false, ValueType::IpAddress) => "IPAddress",
            (false, ValueType::Binary) => "Binary",
            (true, ValueType::String) => "ArrayOfString",
            (true, ValueType::Arn) => "ArrayOfARN",
            (true, ValueType::Bool) => "ArrayOfBool",
            (true, ValueType::Date) => "ArrayOfDate",
            (true, ValueType::Numeric) => "ArrayOfNumeric",
            (true, ValueType::IpAddress) => "ArrayOfIPAddress",
            (true, ValueType::Binary) => "ArrayOfBinary",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// True when a key name is a template with a variable part, such as `aws:ResourceTag/${TagKey}`
/// or `s3:ExistingObjectTag/<key>`.
pub fn is_key_template(template: &str) -> bool {
    template.contains("${") || template.contains('<')
}

/// Matches a concrete condition key name (`aws:ResourceTag/Owner`) against a catalog key name
/// (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`, or a plain name), without case.
///
/// A `${...}` or `<...>` variable matches any run of characters. A name that itself contains
/// a variable (the catalog's own spelling) matches the template when both spell it alike.
pub fn key_matches(template: &str, name: &str) -> bool {
    if template.eq_ignore_ascii_case(name) {
        return true;
    }
    if !is_key_template(template) {
        return false;
    }
    glob_match(&template_to_glob(template), name, Case::AsciiInsensitive)
}

/// Rewrites each `${...}` and `<...>` variable of a key template into `*`.
fn template_to_glob(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['$', '<']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let close = if tail.starts_with("${") {
            tail.find('}')
        } else if tail.starts_with('<') {
            tail.find('>')
        } else {
            None
        };
        match close {
            Some(j) => {
                out.push('*');
                rest = &tail[j + 1..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for name in [
            "String",
            "ArrayOfString",
            "ARN",
            "ArrayOfARN",
            "Bool",
            "ArrayOfBool",
            "Date",
            "Numeric",
            "IPAddress",
        ] {
            let t = KeyType::parse(name).unwrap();
            assert_eq!(t.aws_name(), name);
        }
        assert!(KeyType::parse("ArrayOfString").unwrap().multivalued);
        assert!(!KeyType::parse("String").unwrap().multivalued);
        assert_eq!(KeyType::parse("Nope"), None);
    }

    #[test]
    fn templates() {
        assert!(key_matches(
            "aws:ResourceTag/${TagKey}",
            "aws:resourcetag/Owner"
        ));
        assert!(key_matches(
            "s3:ExistingObjectTag/<key>",
            "s3:ExistingObjectTag/team"
        ));
        assert!(key_matches(
            "codebuild:environment.environmentVariables/${name}.value",
            "codebuild:environment.environmentVariables/FOO.value"
        ));
        assert!(!key_matches(
            "codebuild:environment.environmentVariables/${name}.value",
            "codebuild:environment.environmentVariables/FOO.type"
        ));
        assert!(key_matches("aws:SourceIp", "AWS:SOURCEIP"));
        assert!(!key_matches("aws:SourceIp", "aws:SourceIpX"));
        assert!(key_matches(
            "aws:RequestTag/${TagKey}",
            "aws:RequestTag/${TagKey}"
        ));
    }
}
