//! Matching concrete ARNs against the ARN templates of the Service Authorization Reference
//! ("Resource types" tables, for example `arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
//!
//! A `${Variable}` matches a non-empty run of characters without `:` or `/`. The template's
//! last variable may also span `/` (or `:`) when the template's resource part (after the fifth
//! `:`) itself contains `/` (or `:`): so `role/${RoleNameWithPath}` accepts paths and
//! `${BucketName}/${ObjectName}` accepts keys with slashes, while a bare `${BucketName}` never
//! accepts `bucket/key`. Literal text compares case-sensitively, as ARNs do.
//! Source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>.

/// One piece of a parsed template.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Lit(&'a str),
    Var,
}

/// ARNs longer than this never match (they are far beyond any AWS limit; keeps the
/// backtracking matcher bounded).
const MAX_ARN_LEN: usize = 4096;

fn tokens(template: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        if i > 0 {
            out.push(Token::Lit(&rest[..i]));
        }
        match rest[i..].find('}') {
            Some(j) => {
                out.push(Token::Var);
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push(Token::Lit(&rest[i..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        out.push(Token::Lit(rest));
    }
    out
}

/// The resource part of an ARN or template: what follows its fifth `:`.
fn resource_part(s: &str) -> &str {
    s.splitn(6, ':').nth(5).unwrap_or("")
}

/// True when the concrete `arn` fits the ARN `template`.
pub fn arn_fits(template: &str, arn: &str) -> bool {
    if arn.len() > MAX_ARN_LEN {
        return false;
    }
    let toks = tokens(template);
    let res = resource_part(template);
    let last_var = toks.iter().rposition(|t| *t == Token::Var);
    let last_may_slash = res.contains('/');
    let last_may_colon = res.contains(':');
    matches(&toks, 0, arn, last_var, last_may_slash, last_may_colon)
}

fn matches(
    toks: &[Token<'_>],
    i: usize,
    text: &str,
    last_var: Option<usize>,
    slash: bool,
    colon: bool,
) -> bool {
    match toks.get(i) {
        None => text.is_empty(),
        Some(Token::Lit(l)) => {
            text.starts_with(l) && matches(toks, i + 1, &text[l.len()..], last_var, slash, colon)
        }
        Some(Token::Var) => {
            let is_last = last_var == Some(i);
            for (pos, c) in text.char_indices() {
                let stop = (c == '/' && !(is_last && slash)) || (c == ':' && !(is_last && colon));
                if stop {
                    break;
                }
                let end = pos + c.len_utf8();
                if matches(toks, i + 1, &text[end..], last_var, slash, colon) {
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3() {
        let obj = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(arn_fits(obj, "arn:aws:s3:::b/k"));
        assert!(arn_fits(obj, "arn:aws:s3:::b/a/b/c.txt"));
        assert!(!arn_fits(obj, "arn:aws:s3:::b"));
        assert!(arn_fits(bucket, "arn:aws:s3:::b"));
        assert!(!arn_fits(bucket, "arn:aws:s3:::b/k"));
        assert!(!arn_fits(bucket, "arn:aws:s3:::"));
    }

    #[test]
    fn iam_and_lambda() {
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(arn_fits(role, "arn:aws:iam::123456789012:role/admin"));
        assert!(arn_fits(
            role,
            "arn:aws:iam::123456789012:role/path/to/admin"
        ));
        assert!(!arn_fits(role, "arn:aws:iam::123456789012:user/bob"));
        let f = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
        assert!(arn_fits(
            f,
            "arn:aws:lambda:us-east-1:123456789012:function:f"
        ));
        assert!(arn_fits(
            f,
            "arn:aws:lambda:us-east-1:123456789012:function:f:live"
        ));
        assert!(!arn_fits(
            f,
            "arn:aws:lambda:us-east-1:123456789012:layer:f"
        ));
    }
}
