use crate::diag::{Finding, Severity};

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, declare_rule, label};

declare_rule! {
    /// ## What it does
    /// Reports a `Sid` used by more than one statement of the same policy.
    ///
    /// ## Why is this bad?
    /// IAM rejects identity policies, permissions boundaries and session policies whose
    /// statement ids repeat ("Statement IDs (SID) in a single policy must be unique"), so the
    /// deployment fails. In other policy kinds a repeated `Sid` makes findings, traces and diffs
    /// ambiguous, because scpsim names statements by `Sid`.
    ///
    /// ## Example
    /// ```json
    /// {"Sid": "KmsAccess", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
    /// {"Sid": "KmsAccess", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}
    /// ```
    /// Use instead: `"Sid": "KmsDecrypt"` and `"Sid": "KmsEncrypt"`.
    ///
    /// ## How to fix
    /// Give every statement its own `Sid`, or merge the statements.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html>
    DuplicateSid {
        id: "duplicate-sid",
        summary: "two statements share a Sid",
        severity: Error,
        kinds: ALL_KINDS,
    }
}

impl Rule for DuplicateSid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let stmts = &cx.doc.statements;
        // First use of each Sid: linear in the statement count.
        let mut first_of: std::collections::HashMap<&str, &crate::policy::Spanned<String>> =
            std::collections::HashMap::new();
        for s in stmts {
            let Some(sid) = &s.sid else { continue };
            let first = *first_of.entry(sid.value.as_str()).or_insert(sid);
            if std::ptr::eq(first, sid) {
                continue;
            }
            let mut f = cx.finding(
                &Self::META,
                sid.span,
                &sid.pointer,
                format!("duplicate Sid `{}`", sid.value),
                "used again here",
            );
            f.related.push(label(first.span, "first used here"));
            if !cx.kind.is_iam_identity_like() {
                // Only IAM enforces uniqueness; elsewhere it is an ambiguity, not a rejection.
                f.severity = Severity::Warning;
            }
            f.help = Some("give each statement its own Sid".into());
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    const TWO: &str = "{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},\n{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

    #[test]
    fn reports_the_second_use() {
        assert_eq!(
            run(&DuplicateSid, PolicyKind::Identity, TWO),
            [("duplicate-sid", 3)]
        );
        let ok = TWO.replacen("\"A\"", "\"B\"", 1);
        assert!(run(&DuplicateSid, PolicyKind::Identity, &ok).is_empty());
    }
}
