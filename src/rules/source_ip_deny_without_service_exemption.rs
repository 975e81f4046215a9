use crate::diag::Finding;
use crate::policy::{BaseOperator, Effect};

use super::{ALL_KINDS, DocContext, Rule, RuleMeta, condition_entries, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Deny` statement that denies by `NotIpAddress` on `aws:SourceIp` without also
    /// requiring `"Bool": {"aws:ViaAWSService": "false"}`.
    ///
    /// ## Why is this bad?
    /// When an AWS service calls another service with the principal's credentials (a forward
    /// access session, e.g. CloudFormation creating a bucket), the request carries the service's
    /// address, not the caller's; and a request through a VPC endpoint carries no
    /// `aws:SourceIp` at all, so `NotIpAddress` is true for it. Without the guard the statement
    /// denies those calls too, which breaks services in ways that are hard to trace. AWS's own
    /// source-IP deny example pairs the condition with `aws:ViaAWSService` for this reason.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}}}
    /// ```
    /// Use instead:
    /// ```json
    /// {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///  "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24"]},
    ///                "Bool": {"aws:ViaAWSService": "false"}}}
    /// ```
    ///
    /// ## How to fix
    /// Add `"Bool": {"aws:ViaAWSService": "false"}` to the same `Condition`; for traffic through
    /// VPC endpoints, allow it explicitly with `aws:SourceVpce` or `aws:VpcSourceIp`.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip>
    SourceIpDenyWithoutServiceExemption {
        id: "source-ip-deny-without-service-exemption",
        summary: "Deny on NotIpAddress aws:SourceIp without the aws:ViaAWSService guard",
        severity: Warning,
        kinds: ALL_KINDS,
    }
}

impl Rule for SourceIpDenyWithoutServiceExemption {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        for s in &cx.doc.statements {
            if s.effect.value != Effect::Deny {
                continue;
            }
            let guarded = condition_entries(s).any(|(b, e)| {
                b.operator.value.base == BaseOperator::Bool
                    && e.key.value.eq_ignore_ascii_case("aws:ViaAWSService")
                    && e.values
                        .iter()
                        .all(|v| v.value.text.eq_ignore_ascii_case("false"))
            });
            if guarded {
                continue;
            }
            let Some((block, _)) = condition_entries(s).find(|(b, e)| {
                b.operator.value.base == BaseOperator::NotIpAddress
                    && e.key.value.eq_ignore_ascii_case("aws:SourceIp")
            }) else {
                continue;
            };
            let mut f = cx.finding(
                &Self::META,
                block.operator.span,
                &block.operator.pointer,
                format!(
                    "Deny on `{}` aws:SourceIp also denies calls AWS services make for the \
                     principal and calls through VPC endpoints",
                    block.operator.value
                ),
                "also true for service calls and VPC endpoint traffic",
            );
            f.help = Some(
                "add \"Bool\": {\"aws:ViaAWSService\": \"false\"} to this Condition, and allow \
                 VPC endpoint traffic with aws:SourceVpce or aws:VpcSourceIp"
                    .into(),
            );
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;
    use crate::rules::test_support::run;

    const DENY: &str = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\n\"NotIpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\"]}}}]}";

    #[test]
    fn deny_by_ip_needs_the_guard() {
        assert_eq!(
            run(&SourceIpDenyWithoutServiceExemption, PolicyKind::Scp, DENY),
            [("source-ip-deny-without-service-exemption", 2)]
        );
        let guarded = DENY.replace("}}}]}", "},\"Bool\":{\"aws:ViaAWSService\":\"false\"}}}]}");
        assert!(
            run(
                &SourceIpDenyWithoutServiceExemption,
                PolicyKind::Scp,
                &guarded
            )
            .is_empty()
        );
        let wrong_guard = guarded.replace("\"false\"", "\"true\"");
        assert_eq!(
            run(
                &SourceIpDenyWithoutServiceExemption,
                PolicyKind::Scp,
                &wrong_guard
            )
            .len(),
            1
        );
        let allow = DENY.replace("Deny", "Allow");
        assert!(
            run(
                &SourceIpDenyWithoutServiceExemption,
                PolicyKind::Scp,
                &allow
            )
            .is_empty()
        );
        let positive = DENY.replace("NotIpAddress", "IpAddress");
        assert!(
            run(
                &SourceIpDenyWithoutServiceExemption,
                PolicyKind::Scp,
                &positive
            )
            .is_empty()
        );
    }
}
