use crate::diag::Finding;
use crate::policy::PolicyKind;
use crate::policy::pattern::has_wildcard;

use super::catalog_support::{catalog, split_action};
use super::{DocContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an RCP `Action` entry whose service is a known AWS service that resource control
    /// policies do not apply to (RCPs cover a fixed list of services, such as Amazon S3, AWS
    /// STS, AWS KMS, Amazon SQS and AWS Secrets Manager).
    ///
    /// ## Why is this bad?
    /// An RCP only restricts access to resources of the supported services. A statement about,
    /// say, `ec2:*` in an RCP restricts nothing, so the control it was written for is not in
    /// place.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Principal": "*", "Action": "ec2:TerminateInstances", "Resource": "*"}
    /// ```
    /// Use instead: enforce the control with an SCP (principal side) or move the statement to
    /// an RCP about a supported service.
    ///
    /// ## How to fix
    /// Remove the action from the RCP, and express the control as an SCP if it is about what
    /// your principals may do.
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>
    RcpUnsupportedService {
        id: "rcp-unsupported-service",
        summary: "an RCP action of a service RCPs do not apply to",
        severity: Warning,
        kinds: &[PolicyKind::Rcp],
    }
}

impl Rule for RcpUnsupportedService {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let Some(cat) = catalog() else { return };
        for s in &cx.doc.statements {
            if s.action.negated {
                continue; // rcp-unsupported-element
            }
            for v in &s.action.values {
                let Some((prefix, _)) = split_action(&v.value) else {
                    continue;
                };
                if has_wildcard(prefix)
                    || cat.service(prefix).is_none()
                    || cat.is_rcp_supported(prefix)
                {
                    continue;
                }
                let mut f = cx.finding(
                    &Self::META,
                    v.span,
                    &v.pointer,
                    format!(
                        "RCPs do not apply to `{}` actions: this entry restricts nothing",
                        prefix.to_ascii_lowercase()
                    ),
                    "service not supported by RCPs",
                );
                f.help = Some(
                    "the Organizations guide lists the services RCPs apply to; express controls \
                     on other services as SCPs"
                        .into(),
                );
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn unsupported_services_are_reported() {
        let bad = "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",\n\"ec2:RunInstances\"],\"Resource\":\"*\"}]}";
        assert_eq!(
            run(&RcpUnsupportedService, PolicyKind::Rcp, bad),
            [("rcp-unsupported-service", 2)]
        );
        for ok in ["kms:Decrypt", "sts:AssumeRole", "*", "s3*:Get"] {
            let good = bad.replace("ec2:RunInstances", ok);
            assert!(
                run(&RcpUnsupportedService, PolicyKind::Rcp, &good).is_empty(),
                "{ok}"
            );
        }
    }
}
