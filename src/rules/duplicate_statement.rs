use crate::diag::Finding;
use crate::policy::{ClearLocations, PolicyDocument, Statement};
use crate::source::Span;

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports a statement that repeats an earlier statement of the same policy exactly, apart
    /// from its `Sid` and formatting: same `Effect`, principals, actions, resources and
    /// conditions, written in the same order.
    ///
    /// ## Why is this bad?
    /// The copy changes nothing about what the policy allows or denies, but it uses up the
    /// policy's size quota (SCPs and RCPs are small) and suggests an edit went wrong: usually
    /// one copy was meant to say something else.
    ///
    /// ## Example
    /// ```json
    /// {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
    /// {"Sid": "DenyLeave2", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    /// ```
    /// Use instead: keep one of the two statements.
    ///
    /// ## How to fix
    /// Delete the copy, or change it to what it was meant to say.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>
    DuplicateStatement {
        id: "duplicate-statement",
        summary: "a statement identical to an earlier one apart from its Sid",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

/// The statement with its `Sid`, index and every location removed.
pub(super) fn normalized(s: &Statement) -> PolicyDocument {
    let mut st = s.clone();
    st.sid = None;
    st.index = 0;
    let mut doc = PolicyDocument {
        version: None,
        id: None,
        statements: vec![st],
        statement_is_array: true,
        statement_span: Span::default(),
        span: Span::default(),
    };
    doc.clear_locations();
    doc
}

/// Where to point for a statement: its `Sid`, else its `Effect`.
pub(super) fn anchor(s: &Statement) -> Span {
    s.sid.as_ref().map_or(s.effect.span, |sid| sid.span)
}

/// `statement `Sid`` or `statement N` (1-based), for messages.
pub(super) fn name(s: &Statement) -> String {
    match s.sid_str() {
        Some(sid) => format!("statement `{sid}`"),
        None => format!("statement {}", s.index + 1),
    }
}

impl Rule for DuplicateStatement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let stmts = &cx.doc.statements;
        // Keyed by the normalized statement's printed form: linear in the statement count.
        let mut first_of: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for (i, s) in stmts.iter().enumerate() {
            let key = normalized(s).to_json_pretty();
            let j = *first_of.entry(key).or_insert(i);
            if j == i {
                continue;
            }
            let first = &stmts[j];
            let mut f = cx.finding(
                &Self::META,
                anchor(s),
                &s.pointer,
                format!("{} repeats {}", name(s), name(first)),
                "same as an earlier statement",
            );
            f.related.push(label(anchor(first), "first written here"));
            f.help = Some("delete the copy, or change it to what it was meant to say".into());
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    const TWO: &str = "{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"},\n{\"Sid\":\"B\",\"Effect\":\"Deny\",\"Action\": \"s3:*\",\"Resource\":\"*\"}]}";

    #[test]
    fn identical_apart_from_sid() {
        assert_eq!(
            run(&DuplicateStatement, PolicyKind::Scp, TWO),
            [("duplicate-statement", 2)]
        );
        let no_sid = TWO
            .replace("\"Sid\":\"A\",", "")
            .replace("\"Sid\":\"B\",", "");
        assert_eq!(run(&DuplicateStatement, PolicyKind::Scp, &no_sid).len(), 1);
        let different = TWO.replace("\"Action\": \"s3:*\"", "\"Action\": \"ec2:*\"");
        assert!(run(&DuplicateStatement, PolicyKind::Scp, &different).is_empty());
        let effect = TWO.replacen("Deny", "Allow", 1);
        assert!(run(&DuplicateStatement, PolicyKind::Scp, &effect).is_empty());
    }
}
