//! The grant step: identity policies, resource policy, permissions boundary and session policy
//! (R1.6–R1.11) [S1][S3][S4][S25][S26].
//!
//! Within one account an Allow on either side is enough, but how the boundary and session
//! policy cap a resource-policy grant depends on how the resource policy names the caller
//! (the table of R1.6): a user, session or federated-user ARN is not capped; a role ARN is
//! capped by both; the account (`ACCT`, `arn:aws:iam::ACCT:root`) delegates to the account, so
//! the identity policy must allow too (a (verify) item, stated in the trace); `*` follows
//! [`WildcardGrant`] (a (verify) item, default: not capped). Across accounts both sides must
//! allow (R1.11). The root user needs no identity policy (R2.3); AWS service principals and
//! anonymous callers have no identity side, so only a resource-policy grant can allow them.
//!
//! S1 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>,
//! S4 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>,
//! S25 <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>.

use serde::Serialize;

use super::statement::{GrantForm, GrantSet};
use super::{Decision, PrincipalId, PrincipalType, WildcardGrant};

/// What the grant step saw.
#[derive(Debug, Clone, Copy)]
pub struct GrantInput<'a> {
    /// The caller.
    pub principal: &'a PrincipalId,
    /// Identity, boundary and session policies apply (IAM/STS principals).
    pub identity_side: bool,
    /// The principal's account owns the resource.
    pub same_account: bool,
    /// Some identity policy allows.
    pub identity_allow: bool,
    /// `None`: no boundary; otherwise whether it allows.
    pub boundary_allow: Option<bool>,
    /// `None`: no session policy; otherwise whether it allows.
    pub session_allow: Option<bool>,
    /// How the resource policy's matching Allow statements name the caller.
    pub resource_grant: GrantSet,
    /// The option for `*` grants.
    pub wildcard: WildcardGrant,
    /// The resource's own policy must grant access or delegate it to the account (R1.6:
    /// IAM role trust policies, AWS KMS key policies); an identity-policy Allow alone is not
    /// enough.
    pub resource_policy_required: bool,
}

/// Which part of the grant step decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum GrantStep {
    /// An identity policy allows (and boundary and session policy, if any, allow).
    IdentityPolicy,
    /// The member account's root user needs no identity policy (R2.3).
    RootUser,
    /// The resource policy allows, naming the caller this way.
    ResourcePolicy {
        /// How the caller was named.
        form: GrantForm,
    },
    /// Across accounts: both the identity side and the resource policy allow (R1.11).
    CrossAccount {
        /// How the resource policy named the caller.
        form: GrantForm,
    },
    /// No identity policy and no resource policy allows.
    NoAllow,
    /// The permissions boundary has no matching Allow (R1.8).
    BoundaryWithoutAllow,
    /// The session policy has no matching Allow (R1.9).
    SessionWithoutAllow,
    /// Across accounts, the resource policy does not allow the caller (R1.11).
    CrossAccountWithoutResourceGrant,
    /// The resource's own policy (a role trust policy, a KMS key policy) neither allows the
    /// caller nor delegates to its account, and for this resource an identity policy alone
    /// never suffices (R1.6).
    ResourcePolicyRequired,
}

impl GrantStep {
    /// One sentence for people.
    pub fn describe(self) -> String {
        match self {
            GrantStep::IdentityPolicy => "an identity policy allows".into(),
            GrantStep::RootUser => {
                "the root user needs no identity policy and every guardrail allows (R2.3)".into()
            }
            GrantStep::ResourcePolicy { form } => {
                format!(
                    "the resource policy allows the caller named as {}",
                    form_name(form)
                )
            }
            GrantStep::CrossAccount { form } => format!(
                "cross-account: an identity policy allows and the resource policy names the caller as {} (R1.11)",
                form_name(form)
            ),
            GrantStep::NoAllow => "no identity or resource policy allows the request".into(),
            GrantStep::BoundaryWithoutAllow => {
                "the permissions boundary has no matching Allow (R1.8)".into()
            }
            GrantStep::SessionWithoutAllow => {
                "the session policy has no matching Allow (R1.9)".into()
            }
            GrantStep::CrossAccountWithoutResourceGrant => {
                "cross-account: the resource policy does not allow the caller (R1.11)".into()
            }
            GrantStep::ResourcePolicyRequired => "an identity policy alone never suffices here: the resource's own policy (role trust policy, KMS key policy) must allow the caller or delegate to its account (R1.6)".into(),
        }
    }
}

fn form_name(f: GrantForm) -> &'static str {
    match f {
        GrantForm::Wildcard => "`*`",
        GrantForm::Account => "its account",
        GrantForm::User => "its IAM user ARN",
        GrantForm::Role => "its role ARN",
        GrantForm::Session => "its session ARN",
        GrantForm::FederatedUser => "its federated-user ARN",
        GrantForm::Service => "its service principal",
    }
}

/// Decides the grant step (after explicit denies and the SCP/RCP gates have passed).
pub fn grant_decision(i: GrantInput<'_>) -> (Decision, GrantStep) {
    let allowed = |s| (Decision::Allowed, s);
    let denied = |s| (Decision::ImplicitlyDenied, s);
    if !i.identity_side {
        return match i.resource_grant.forms().next() {
            Some(form) => allowed(GrantStep::ResourcePolicy { form }),
            None => denied(GrantStep::NoAllow),
        };
    }
    let root = i.principal.kind == PrincipalType::Root;
    let identity_ok = root || i.identity_allow;
    let boundary_ok = i.boundary_allow != Some(false);
    let session_ok = i.session_allow != Some(false);
    let caps_ok = boundary_ok && session_ok;
    let identity_path = identity_ok && caps_ok;
    let cap_failure = if boundary_ok {
        GrantStep::SessionWithoutAllow
    } else {
        GrantStep::BoundaryWithoutAllow
    };
    if i.same_account {
        for form in i.resource_grant.forms() {
            let ok = match form {
                GrantForm::User
                | GrantForm::Session
                | GrantForm::FederatedUser
                | GrantForm::Service => true,
                GrantForm::Role => caps_ok,
                GrantForm::Account => identity_path,
                GrantForm::Wildcard => match i.wildcard {
                    WildcardGrant::Uncapped => true,
                    WildcardGrant::Capped => caps_ok,
                },
            };
            if ok {
                return allowed(GrantStep::ResourcePolicy { form });
            }
        }
        if i.resource_policy_required && !i.resource_grant.contains(GrantForm::Account) {
            return denied(GrantStep::ResourcePolicyRequired);
        }
        if identity_path {
            return allowed(if root && !i.identity_allow {
                GrantStep::RootUser
            } else {
                GrantStep::IdentityPolicy
            });
        }
        if identity_ok || !i.resource_grant.is_empty() {
            return denied(cap_failure);
        }
        return denied(GrantStep::NoAllow);
    }
    let Some(form) = i.resource_grant.forms().next() else {
        return denied(GrantStep::CrossAccountWithoutResourceGrant);
    };
    if !identity_ok {
        return denied(GrantStep::NoAllow);
    }
    if !caps_ok {
        return denied(cap_failure);
    }
    allowed(GrantStep::CrossAccount { form })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(p: &PrincipalId) -> GrantInput<'_> {
        GrantInput {
            principal: p,
            identity_side: true,
            same_account: true,
            identity_allow: false,
            boundary_allow: None,
            session_allow: None,
            resource_grant: GrantSet::EMPTY,
            wildcard: WildcardGrant::Uncapped,
            resource_policy_required: false,
        }
    }

    #[test]
    fn r1_6_table_rows() {
        // S1's table: a role-ARN grant is capped by boundary and session policy, a user-ARN
        // grant is not, an account grant needs the identity policy.
        let role = PrincipalId::parse("arn:aws:sts::111122223333:assumed-role/R/s").unwrap();
        let mut g = GrantSet::EMPTY;
        g.insert(GrantForm::Role);
        let i = GrantInput {
            resource_grant: g,
            boundary_allow: Some(false),
            ..input(&role)
        };
        assert_eq!(grant_decision(i).0, Decision::ImplicitlyDenied);
        let mut s = GrantSet::EMPTY;
        s.insert(GrantForm::Session);
        let i = GrantInput {
            resource_grant: s,
            boundary_allow: Some(false),
            ..input(&role)
        };
        assert_eq!(grant_decision(i).0, Decision::Allowed);
        let user = PrincipalId::parse("arn:aws:iam::111122223333:user/u").unwrap();
        let mut u = GrantSet::EMPTY;
        u.insert(GrantForm::User);
        let i = GrantInput {
            resource_grant: u,
            boundary_allow: Some(false),
            ..input(&user)
        };
        assert_eq!(grant_decision(i).0, Decision::Allowed);
        let mut a = GrantSet::EMPTY;
        a.insert(GrantForm::Account);
        let i = GrantInput {
            resource_grant: a,
            ..input(&user)
        };
        assert_eq!(grant_decision(i).0, Decision::ImplicitlyDenied);
        // Across accounts both sides are needed (R1.11, S4).
        let i = GrantInput {
            resource_grant: u,
            same_account: false,
            ..input(&user)
        };
        assert_eq!(grant_decision(i).0, Decision::ImplicitlyDenied);
        let i = GrantInput {
            identity_allow: true,
            same_account: false,
            ..input(&user)
        };
        assert_eq!(
            grant_decision(i),
            (
                Decision::ImplicitlyDenied,
                GrantStep::CrossAccountWithoutResourceGrant
            )
        );
        // Wildcard option.
        let mut w = GrantSet::EMPTY;
        w.insert(GrantForm::Wildcard);
        let i = GrantInput {
            resource_grant: w,
            session_allow: Some(false),
            ..input(&role)
        };
        assert_eq!(grant_decision(i).0, Decision::Allowed);
        let i = GrantInput {
            wildcard: WildcardGrant::Capped,
            ..i
        };
        assert_eq!(grant_decision(i).0, Decision::ImplicitlyDenied);
    }
}
