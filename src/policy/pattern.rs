//! IAM's `*`/`?` wildcard matching: the building block of action patterns, `StringLike`, the
//! `Resource` element and the `Arn*` operators.
//!
//! `*` matches any run of characters (including none, and including `/` and `:`); `?` matches
//! exactly one character; every other byte matches itself. There are no escapes, classes or
//! braces (unlike globset, which treats `[ ] { } \` specially). Action names compare
//! ASCII-case-insensitively; everything else is case-sensitive.
//!
//! The matcher is the classic two-pointer algorithm with one backtrack point: it never recurses,
//! allocates nothing, and runs in O(pattern × text) time at worst (linear for patterns with at
//! most one `*`), so hostile patterns such as `*?*?*?...` cannot make it blow up.
//!
//! Sources: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String>.

/// Case handling of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Bytes must be equal.
    Sensitive,
    /// ASCII letters compare without case (action names).
    AsciiInsensitive,
}

/// True when `s` contains a wildcard (`*` or `?`).
pub fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// Length in bytes of the UTF-8 character that starts with byte `b`.
fn char_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        // A continuation byte cannot start a character of a valid &str; treat as one byte.
        _ => 1,
    }
}

/// Matches `text` against an IAM wildcard `pattern` (`*` any run, `?` one character).
pub fn glob_match(pattern: &str, text: &str, case: Case) -> bool {
    glob_match_impl(pattern, |_| true, text, case)
}

/// Like [`glob_match`], but the `*`/`?` bytes at the byte offsets listed in `literal` (sorted)
/// stand for themselves. Used for the policy-variable escapes `${*}` and `${?}`, which produce
/// a literal `*` or `?` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
pub fn glob_match_with_literals(pattern: &str, literal: &[usize], text: &str, case: Case) -> bool {
    glob_match_impl(pattern, |i| literal.binary_search(&i).is_err(), text, case)
}

/// The one matcher; `wild(i)` says whether a `*`/`?` at pattern byte `i` is a wildcard.
fn glob_match_impl(pattern: &str, wild: impl Fn(usize) -> bool, text: &str, case: Case) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let eq = |a: u8, b: u8| match case {
        Case::Sensitive => a == b,
        Case::AsciiInsensitive => a.eq_ignore_ascii_case(&b),
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position after the last `*` seen in the pattern, and the text position it resumes from.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' if wild(pi) => {
                    pi += 1;
                    star = Some((pi, ti));
                    continue;
                }
                b'?' if wild(pi) => {
                    pi += 1;
                    ti += char_len(t[ti]);
                    continue;
                }
                c if eq(c, t[ti]) => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        // Mismatch: let the last `*` swallow one more character, or fail.
        match star {
            Some((sp, st)) => {
                let next = st + char_len(t[st]);
                star = Some((sp, next));
                pi = sp;
                ti = next;
            }
            None => return false,
        }
    }
    (pi.min(p.len())..p.len()).all(|i| p[i] == b'*' && wild(i))
}

/// Matches an action (`s3:GetObject`) against an action pattern (`s3:Get*`, `*`),
/// case-insensitively as IAM does.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob_match(pattern, action, Case::AsciiInsensitive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Plain recursive reference: obviously right, exponential in the worst case.
    fn reference(p: &[char], t: &[char], ci: bool) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..], ci)),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..], ci),
            Some((c, rest)) => match t.split_first() {
                Some((d, trest)) => {
                    let same = if ci {
                        c.eq_ignore_ascii_case(d)
                    } else {
                        c == d
                    };
                    same && reference(rest, trest, ci)
                }
                None => false,
            },
        }
    }

    #[test]
    fn examples() {
        assert!(action_matches("s3:Get*", "s3:GetObject"));
        assert!(action_matches("S3:getobject", "s3:GetObject"));
        assert!(action_matches("ec2:*Instances", "ec2:RunInstances"));
        assert!(action_matches("*", "iam:CreateUser"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(action_matches("s3:?etObject", "s3:GetObject"));
        assert!(!action_matches("s3:?GetObject", "s3:GetObject"));
        let cs = Case::Sensitive;
        assert!(glob_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", cs));
        assert!(!glob_match("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", cs));
        assert!(glob_match("a?c", "aéc", cs));
        assert!(glob_match("", "", cs));
        assert!(!glob_match("", "a", cs));
        assert!(glob_match("**", "", cs));
        assert!(glob_match("[a]", "[a]", cs));
    }

    #[test]
    fn literal_positions_are_not_wildcards() {
        let cs = Case::Sensitive;
        assert!(glob_match_with_literals("a*b", &[1], "a*b", cs));
        assert!(!glob_match_with_literals("a*b", &[1], "axxb", cs));
        assert!(!glob_match_with_literals("a?", &[1], "ab", cs));
        assert!(glob_match_with_literals("a?*", &[1], "a?zz", cs));
        assert!(!glob_match_with_literals("a*", &[1], "a", cs));
    }

    #[test]
    fn hostile_pattern_stays_fast() {
        let pattern = "*?".repeat(10_000);
        let text = "arn:aws:s3:::".to_string() + &"a".repeat(5_000);
        // 10k wildcards need at least 10k characters: no match, and no exponential blow-up.
        assert!(!glob_match(&pattern, &text, Case::Sensitive));
        let text = "a".repeat(20_000);
        assert!(glob_match(&pattern, &text, Case::Sensitive));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_reference(p in "[ab*?:/é]{0,10}", t in "[abAB:/é]{0,12}", ci in any::<bool>()) {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            let case = if ci { Case::AsciiInsensitive } else { Case::Sensitive };
            prop_assert_eq!(glob_match(&p, &t, case), reference(&pc, &tc, ci));
        }
    }
}
