//! The evaluation engine: given the policies that apply and one request, AWS's answer
//! ([`Decision::Allowed`], [`Decision::ImplicitlyDenied`], [`Decision::ExplicitlyDenied`]) and,
//! on request, a [`Trace`] saying exactly why.
//!
//! Compile a [`PolicySet`] once into an [`Evaluator`] (`Send + Sync`), [`Evaluator::prepare`] a
//! [`Request`] (parses the principal, derives the context keys AWS derives), then call
//! [`Evaluator::decide`] (no allocation for policies without variables) or
//! [`Evaluator::explain`] (a full trace).
//!
//! The decision follows `docs/aws-semantics.md` sections 1, 2, 5 and 6:
//!
//! 1. An explicit `Deny` that matches in any applicable policy wins (R1.2) [S1].
//! 2. The RCP chain of the resource's account must allow, node by node (R1.3, R1.5) [S9].
//! 3. The SCP chain of the principal's account must allow, node by node (R1.4, R1.5) [S6].
//! 4. A grant must exist: identity policy, or a resource policy (same account: either; across
//!    accounts: both), capped by the permissions boundary and the session policy as the table of
//!    R1.6 says (R1.6–R1.11) [S1][S3][S4][S25][S26].
//!
//! Exemptions (R2.1–R2.4) [S5][S9][S30]: principals of the management account skip SCPs,
//! resources of the management account skip RCPs, service-linked roles
//! (`/aws-service-role/`) skip both, AWS service principals skip SCPs, the member account's
//! root user is subject to SCPs but needs no identity policy.
//!
//! Tags: S1 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>,
//! S3 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html>,
//! S4 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>,
//! S5 <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>,
//! S6 <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>,
//! S9 <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>,
//! S19 <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>,
//! S25 <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>,
//! S26 <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session>.

pub mod case;
pub mod identity;
pub mod scp;
pub mod statement;
pub mod trace;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::policy::condition::{BareMultivalued, CondFlags, Context};
use crate::policy::{PolicyDocument, PolicyKind, pattern};
use crate::source::SourceFile;

pub use trace::Trace;

use identity::{GrantInput, grant_decision};
use scp::CompiledChain;
use statement::{CompiledPolicy, GrantSet};

/// AWS's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Decision {
    /// Every gate passed and some policy grants the request.
    Allowed,
    /// Nothing grants the request, or a chain node / boundary / session policy lacks an Allow.
    ImplicitlyDenied,
    /// A `Deny` statement matched.
    ExplicitlyDenied,
}

impl Decision {
    /// The name used in case files and output (`Allowed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "Allowed",
            Decision::ImplicitlyDenied => "ImplicitlyDenied",
            Decision::ExplicitlyDenied => "ExplicitlyDenied",
        }
    }

    /// True for the two denials.
    pub fn is_denied(self) -> bool {
        self != Decision::Allowed
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors of building a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The principal is neither an IAM/STS ARN, an account id, a service principal nor
    /// `anonymous`.
    #[error(
        "unrecognized principal `{0}`: write an ARN (`arn:aws:iam::ACCOUNT:root`, `...:role/NAME`, `...:user/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) or a service principal (`cloudtrail.amazonaws.com`)"
    )]
    Principal(String),
    /// The action is not `service:Name` (or `*`).
    #[error("invalid action `{0}`: expected `service:ActionName`")]
    Action(String),
}

/// The kind of the calling principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalType {
    /// An IAM user, `arn:aws:iam::ACCT:user/path/name`.
    User,
    /// An IAM role ARN, `arn:aws:iam::ACCT:role/path/name` (calls are made by one of its
    /// sessions).
    Role,
    /// A role session, `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`.
    AssumedRole,
    /// A federated-user session, `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser,
    /// The account's root user, `arn:aws:iam::ACCT:root` (or a bare account id).
    Root,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// An unauthenticated caller (`anonymous` or `*`).
    Anonymous,
}

/// A parsed principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalId {
    /// The principal as given.
    pub raw: String,
    /// Its kind.
    pub kind: PrincipalType,
    /// Partition (`aws`, `aws-cn`, ...), `aws` when not an ARN.
    pub partition: String,
    /// 12-digit account id, for IAM/STS principals.
    pub account: Option<String>,
    /// IAM path (`/`, `/aws-service-role/autoscaling.amazonaws.com/`) of a user or role.
    pub path: Option<String>,
    /// User, role, federated-user or service name.
    pub name: Option<String>,
    /// The role's ARN, for roles and role sessions (a session ARN carries no path, so the
    /// derived role ARN has the path `/`).
    pub role_arn: Option<String>,
}

impl PrincipalId {
    /// Parses a principal: an IAM user/role ARN, an STS assumed-role or federated-user ARN, a
    /// root ARN or bare 12-digit account id, a service principal (`*.amazonaws.com` or any
    /// dotted name), or `anonymous`/`*`.
    ///
    /// # Errors
    ///
    /// [`EvalError::Principal`] for anything else.
    pub fn parse(raw: &str) -> Result<PrincipalId, EvalError> {
        let bad = || EvalError::Principal(raw.to_string());
        let mk = |kind, partition: &str, account: Option<&str>| PrincipalId {
            raw: raw.to_string(),
            kind,
            partition: partition.to_string(),
            account: account.map(str::to_string),
            path: None,
            name: None,
            role_arn: None,
        };
        if raw == "*" || raw.eq_ignore_ascii_case("anonymous") {
            return Ok(mk(PrincipalType::Anonymous, "aws", None));
        }
        if raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(mk(PrincipalType::Root, "aws", Some(raw)));
        }
        let Some(rest) = raw.strip_prefix("arn:") else {
            if raw.contains('.') && !raw.contains(['/', ':', ' ']) {
                let mut p = mk(PrincipalType::Service, "aws", None);
                p.name = Some(raw.to_string());
                return Ok(p);
            }
            return Err(bad());
        };
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = parts[..] else {
            return Err(bad());
        };
        if !region.is_empty() || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let mut p = mk(PrincipalType::Root, partition, Some(account));
        match (service, resource) {
            ("iam", "root") => {}
            ("iam", r) if r.starts_with("user/") || r.starts_with("role/") => {
                let is_user = r.starts_with("user/");
                let body = &r[5..];
                let (path, name) = match body.rfind('/') {
                    Some(i) => (format!("/{}", &body[..=i]), &body[i + 1..]),
                    None => ("/".to_string(), body),
                };
                if name.is_empty() {
                    return Err(bad());
                }
                p.path = Some(path);
                p.name = Some(name.to_string());
                if is_user {
                    p.kind = PrincipalType::User;
                } else {
                    p.kind = PrincipalType::Role;
                    p.role_arn = Some(raw.to_string());
                }
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                let body = &r["assumed-role/".len()..];
                let (role, _session) = body.split_once('/').ok_or_else(bad)?;
                if role.is_empty() {
                    return Err(bad());
                }
                p.kind = PrincipalType::AssumedRole;
                p.name = Some(role.to_string());
                p.role_arn = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
            }
            ("sts", r) if r.starts_with("federated-user/") => {
                p.kind = PrincipalType::FederatedUser;
                p.name = Some(r["federated-user/".len()..].to_string());
            }
            _ => return Err(bad()),
        }
        Ok(p)
    }

    /// True for IAM/STS principals of an account (users, roles, sessions, root).
    pub fn is_aws_account_principal(&self) -> bool {
        !matches!(self.kind, PrincipalType::Service | PrincipalType::Anonymous)
    }

    /// True for roles and role sessions under the `/aws-service-role/` path (service-linked
    /// roles, R2.2). A session ARN has no path, so a session counts when its role name starts
    /// with `AWSServiceRoleFor` (the prefix AWS gives every service-linked role).
    pub fn is_service_linked_role(&self) -> bool {
        match self.kind {
            PrincipalType::Role => self
                .path
                .as_deref()
                .is_some_and(|p| p.starts_with("/aws-service-role/")),
            PrincipalType::AssumedRole => self
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("AWSServiceRoleFor")),
            _ => false,
        }
    }

    /// The value of `aws:PrincipalArn` (R7.2): the role ARN for a session, the root ARN for
    /// root; none for service principals and anonymous callers.
    pub fn principal_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalType::User | PrincipalType::FederatedUser => Some(self.raw.clone()),
            PrincipalType::Role | PrincipalType::AssumedRole => self.role_arn.clone(),
            PrincipalType::Root => self
                .account
                .as_ref()
                .map(|a| format!("arn:{}:iam::{a}:root", self.partition)),
            PrincipalType::Service | PrincipalType::Anonymous => None,
        }
    }
}

/// One request, as the caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Who calls.
    pub principal: PrincipalId,
    /// The action, `service:ActionName`.
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// The region the call is sent to (gives `aws:RequestedRegion` when not in `context`).
    pub region: Option<String>,
    /// The account owning the resource; default: the ARN's account, else the principal's.
    pub resource_account: Option<String>,
    /// The principal's organization id, when known (gives `aws:PrincipalOrgID`).
    pub principal_org_id: Option<String>,
    /// The principal account's org paths `o-.../r-.../ou-.../`, when known (gives the
    /// multivalued `aws:PrincipalOrgPaths`; empty: unknown).
    pub principal_org_paths: Vec<String>,
    /// Context keys as given; never overridden by derived keys.
    pub context: Context,
}

impl Request {
    /// A request with an empty context.
    ///
    /// # Errors
    ///
    /// An unrecognised principal or an action without a `:`.
    pub fn new(principal: &str, action: &str, resource: &str) -> Result<Request, EvalError> {
        if action != "*" && !action.contains(':') {
            return Err(EvalError::Action(action.to_string()));
        }
        Ok(Request {
            principal: PrincipalId::parse(principal)?,
            action: action.to_string(),
            resource: resource.to_string(),
            region: None,
            resource_account: None,
            principal_org_id: None,
            principal_org_paths: Vec::new(),
            context: Context::new(),
        })
    }
}

/// Where a context key of a prepared request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// Given by the caller.
    Given,
    /// Derived by the engine from the principal, region, resource or organization.
    Derived,
}

/// A request with its derived context keys, ready for many decisions.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// The request as given.
    pub request: Request,
    /// Lowercase action (matching is case-insensitive).
    pub(crate) action_lower: String,
    /// Length of the service prefix of `action_lower`, including the colon (0 without one).
    pub(crate) service_len: usize,
    /// The full context: given keys plus derived keys.
    pub context: Context,
    /// The derived keys (lowercase names), sorted.
    pub derived: Vec<String>,
    /// The account owning the resource, if known.
    pub resource_account: Option<String>,
    /// Notes on choices made while deriving (for the trace).
    pub notes: Vec<String>,
    /// The caller is a service-linked role (by its path, its `AWSServiceRoleFor` name, or a
    /// given `aws:PrincipalArn` under `/aws-service-role/`; R2.2).
    pub service_linked: bool,
    /// The task SCPs cannot restrict that this request performs (R2.3), from
    /// [`EvalOptions::scp_exemptions`].
    pub scp_exempt_task: Option<String>,
    /// The resource policy this request needs even within one account (R1.6), from
    /// [`EvalOptions::resource_policy_required`].
    pub resource_policy_required: Option<String>,
    /// The resource is `*` but the action authorizes a resource type: the request stands for
    /// one on an unnamed resource, so RCPs apply (see [`EvalOptions::action_has_resource`]).
    pub unnamed_resource: bool,
    /// RCPs do not control this action (see [`EvalOptions::rcp_action_excepted`]).
    pub rcp_excepted: bool,
    /// The caller has a permissions boundary (a `NotPrincipal` Deny then always applies to it,
    /// S14).
    pub has_boundary: bool,
}

/// Resolver from a service prefix (`iam`) to the region its requests report as
/// `aws:RequestedRegion` (`us-east-1`), for global services (R7.1, S19/S20/S21).
pub type GlobalRegionResolver = fn(&str) -> Option<&'static str>;

/// How a resource-policy grant made to `Principal: "*"` (possibly narrowed by
/// `aws:PrincipalArn`) is capped by the permissions boundary and session policy. AWS's page
/// says both things (R1.6, a (verify) item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WildcardGrant {
    /// Not capped by boundary or session policy (the more specific sentence of S1; default).
    #[default]
    Uncapped,
    /// Capped like a role ARN grant.
    Capped,
}

/// Reading of a bare operator on a multivalued key (R6.7, a (verify) item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BareMultivaluedOption {
    /// As `ForAnyValue:`.
    Any,
    /// As `ForAllValues:`.
    All,
    /// Evaluate both; when they disagree, the outcome carries both decisions (indeterminate).
    #[default]
    Both,
}

/// Evaluation options.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Home region of global services (see [`GlobalRegionResolver`]); without it,
    /// `aws:RequestedRegion` comes only from the context or the request's region.
    pub global_service_region: Option<GlobalRegionResolver>,
    /// Whether RCPs apply to a service prefix (`s3` yes, `ec2` no; R2.5, S9). Without it every
    /// service is treated as RCP-supported.
    pub rcp_service_supported: Option<fn(&str) -> bool>,
    /// Whether an action authorizes some resource type (the Service Authorization Reference's
    /// "Resource types" column is not empty); called with the action in lowercase. A request
    /// on `*` for such an action stands for one on an unnamed resource of the resource's
    /// account, so the RCP gate applies, matching only statements whose `Resource` is `*`
    /// (R2.5). Without it, or for actions without resource types, RCPs skip requests on `*`.
    pub action_has_resource: Option<fn(&str) -> bool>,
    /// Whether RCPs leave an action of a supported service uncontrolled (`kms:RetireGrant`,
    /// R2.5, S24); called with the action in lowercase. Without it, none is.
    pub rcp_action_excepted: Option<fn(&str) -> bool>,
    /// See [`WildcardGrant`].
    pub wildcard_grant: WildcardGrant,
    /// See [`BareMultivaluedOption`].
    pub bare_multivalued: BareMultivaluedOption,
    /// The tasks SCPs cannot restrict (R2.3), as the catalog builds them from
    /// `data/aws/scp-exemptions.json`. `None`: no task is exempt.
    pub scp_exemptions: Option<&'static ScpExemptionSet>,
    /// The requests for which a resource-based policy must grant access even within one
    /// account (R1.6: IAM role trust policies, AWS KMS key policies), from
    /// `data/aws/resource-policy-required.json`. `None`: no such requirement. Commands that
    /// do not model resource policies (simulate, check, diff) leave it unset.
    pub resource_policy_required: Option<&'static [ResourcePolicyRequirement]>,
    /// The policies were read with element names folded to their case
    /// ([`crate::policy::LowerOptions::lenient_element_case`], R4.9 (verify)); the engine only
    /// states it in traces.
    pub lenient_element_case: bool,
}

/// One task SCPs cannot restrict in a member account (aws-semantics.md R2.3; AWS Organizations
/// User Guide, "Service control policies (SCPs)", section "Tasks and entities not restricted
/// by SCPs", <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScpExemptTask {
    /// The task, in the page's words (`Tasks on Amazon Mechanical Turk`).
    pub task: String,
    /// Exempt only when the member account's root user performs it.
    pub root_only: bool,
    /// The action patterns the task is carried out with (case-insensitive, `*`/`?`). Empty
    /// for a task without an IAM action: it is listed for reference and decides nothing.
    pub actions: Vec<String>,
}

/// A named set of [`ScpExemptTask`]s: `current` (the default) or `legacy-pre-2017` (adds the
/// root-user credential tasks older revisions of the page exempted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScpExemptionSet {
    /// The set's name, shown in traces.
    pub name: String,
    /// The date (YYYY-MM-DD) the data was last checked against the AWS page.
    pub checked: String,
    /// The tasks.
    pub tasks: Vec<ScpExemptTask>,
}

impl ScpExemptionSet {
    /// The exempt task `action` performed by `principal` belongs to, if any. Only principals
    /// of a member account can be exempt; `root_only` tasks need the root user.
    pub fn task_for(&self, principal: &PrincipalId, action: &str) -> Option<&ScpExemptTask> {
        if !principal.is_aws_account_principal() {
            return None;
        }
        let root = principal.kind == PrincipalType::Root;
        self.tasks.iter().find(|t| {
            (root || !t.root_only) && t.actions.iter().any(|a| pattern::action_matches(a, action))
        })
    }
}

/// Requests for which an identity-policy Allow alone never suffices, even within one account:
/// the resource's own policy must grant access or delegate it to the account (aws-semantics.md
/// R1.6; IAM User Guide, "Policy evaluation logic",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourcePolicyRequirement {
    /// What the resource policy is called (`IAM role trust policy`, `AWS KMS key policy`).
    pub policy: String,
    /// Action patterns (case-insensitive).
    pub actions: Vec<String>,
    /// Resource ARN pattern (`arn:*:kms:*:*:key/*`); requests on `*` are never covered.
    pub resource: String,
}

impl ResourcePolicyRequirement {
    /// The requirement covering a request for `action` on `resource`, if any.
    pub fn find<'a>(
        list: &'a [ResourcePolicyRequirement],
        action: &str,
        resource: &str,
    ) -> Option<&'a ResourcePolicyRequirement> {
        if resource == "*" {
            return None;
        }
        list.iter().find(|r| {
            r.actions.iter().any(|a| pattern::action_matches(a, action))
                && pattern::glob_match(&r.resource, resource, pattern::Case::Sensitive)
        })
    }
}

/// One policy of a policy set, with a name for traces and, optionally, the file it came from
/// (so traces can give line and column).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// Name shown in traces (file name, policy name or `scp[1]`).
    pub name: String,
    /// The document.
    pub document: PolicyDocument,
    /// The text the document's spans point into.
    pub source: Option<Arc<SourceFile>>,
}

/// One node of an SCP or RCP chain (root, an OU, or the account) with the policies attached
/// directly to it.
#[derive(Debug, Clone)]
pub struct ChainNode {
    /// Name shown in traces (`root`, `ou-1`, `account`).
    pub name: String,
    /// Policies attached to this node.
    pub policies: Vec<NamedPolicy>,
}

/// Every policy that may bear on one decision.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// SCP chain of the principal's account, root first, the account last. Empty: the account
    /// is not governed by SCPs.
    pub scps: Vec<ChainNode>,
    /// RCP chain of the resource's account, same shape. Empty: not governed by RCPs.
    pub rcps: Vec<ChainNode>,
    /// Identity-based policies of the principal (inline, managed, groups).
    pub identity: Vec<NamedPolicy>,
    /// Permissions boundary (all given documents must allow, as one boundary).
    pub boundary: Vec<NamedPolicy>,
    /// Session policy.
    pub session: Option<NamedPolicy>,
    /// Resource-based policy of the resource.
    pub resource: Option<NamedPolicy>,
    /// The organization's management account: its principals skip SCPs and its resources
    /// skip RCPs (R2.1).
    pub management_account: Option<String>,
}

/// The result of a decision: the decision, and, when a bare operator met a multivalued key
/// and [`BareMultivaluedOption::Both`] is set, the decision under the other reading if it
/// differs (the case is then indeterminate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The decision (under the `ForAnyValue` reading when both were evaluated).
    pub decision: Decision,
    /// The decision under the `ForAllValues` reading, when it differs.
    pub other_reading: Option<Decision>,
}

impl Outcome {
    /// True when the two readings of a bare multivalued condition disagree.
    pub fn is_indeterminate(&self) -> bool {
        self.other_reading.is_some()
    }
}

/// A compiled policy set: cheap to query from many threads.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub(crate) scps: CompiledChain,
    pub(crate) rcps: CompiledChain,
    pub(crate) identity: Vec<CompiledPolicy>,
    pub(crate) boundary: Vec<CompiledPolicy>,
    pub(crate) session: Option<CompiledPolicy>,
    pub(crate) resource: Option<CompiledPolicy>,
    pub(crate) management_account: Option<String>,
    pub(crate) options: EvalOptions,
    /// Every context key read by any condition or variable: (lowercase, first spelling seen),
    /// sorted by the lowercase name.
    pub(crate) keys_read: Vec<(String, String)>,
}

/// What applies to one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applicability {
    pub scp: Result<(), Skip>,
    pub rcp: Result<(), Skip>,
    /// Identity, boundary and session policies apply (IAM/STS principals).
    pub identity_side: bool,
    pub same_account: bool,
}

/// Why a chain does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    NoChain,
    ManagementAccount,
    ServiceLinkedRole,
    NotAccountPrincipal,
    NoResource,
    ServiceNotSupported,
    ExemptTask,
    ActionNotControlled,
}

impl Skip {
    pub(crate) fn describe(self, what: &str) -> String {
        match self {
            Skip::NoChain => format!("no {what} chain given: not governed by {what}s"),
            Skip::ManagementAccount => {
                format!("the management account is not affected by {what}s (R2.1)")
            }
            Skip::ServiceLinkedRole => {
                format!("service-linked roles are not affected by {what}s (R2.2)")
            }
            Skip::NotAccountPrincipal => format!(
                "the caller is not a principal of a member account, so {what}s do not apply (R2.4)"
            ),
            Skip::NoResource => {
                format!("the request has no resource (`*`), so no {what} can attach to it (R2.5)")
            }
            Skip::ServiceNotSupported => {
                format!("the action's service does not support {what}s (R2.5)")
            }
            Skip::ExemptTask => format!("{what}s cannot restrict this task (R2.3)"),
            Skip::ActionNotControlled => {
                format!("{what}s do not control this action (R2.5, data/aws/rcp-exceptions.json)")
            }
        }
    }
}

// Compile-time check that the evaluator can be shared across threads.
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<Evaluator>();
    check::<PreparedRequest>();
};

impl Evaluator {
    /// Compiles a policy set.
    pub fn new(set: &PolicySet, options: EvalOptions) -> Evaluator {
        let compile = |p: &NamedPolicy, kind| CompiledPolicy::compile(p, kind);
        let ev = Evaluator {
            scps: CompiledChain::compile(&set.scps, PolicyKind::Scp),
            rcps: CompiledChain::compile(&set.rcps, PolicyKind::Rcp),
            identity: set
                .identity
                .iter()
                .map(|p| compile(p, PolicyKind::Identity))
                .collect(),
            boundary: set
                .boundary
                .iter()
                .map(|p| compile(p, PolicyKind::Boundary))
                .collect(),
            session: set
                .session
                .as_ref()
                .map(|p| compile(p, PolicyKind::Session)),
            resource: set
                .resource
                .as_ref()
                .map(|p| compile(p, PolicyKind::Resource)),
            management_account: set.management_account.clone(),
            options,
            keys_read: Vec::new(),
        };
        let mut keys: Vec<(String, String)> = ev
            .all_policies()
            .flat_map(|p| p.keys_read())
            .map(|(l, w)| (l.to_string(), w.to_string()))
            .collect();
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        Evaluator {
            keys_read: keys,
            ..ev
        }
    }

    /// The options in force.
    pub fn options(&self) -> &EvalOptions {
        &self.options
    }

    pub(crate) fn all_policies(&self) -> impl Iterator<Item = &CompiledPolicy> {
        self.scps
            .policies()
            .chain(self.rcps.policies())
            .chain(self.identity.iter())
            .chain(self.boundary.iter())
            .chain(self.session.iter())
            .chain(self.resource.iter())
    }

    /// Derives the context keys AWS derives and the caller did not give (S19):
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username` (users),
    /// `aws:userid` (root: the account id; anonymous: `anonymous`), `aws:PrincipalIsAWSService`,
    /// `aws:PrincipalServiceName` (service principals), `aws:PrincipalOrgID` and
    /// `aws:PrincipalOrgPaths` (when the request names them; principals of an account only,
    /// never service principals, R7.4), `aws:ResourceAccount` (when the resource's account is known), and
    /// `aws:RequestedRegion` (the global service's home region from the resolver, else the
    /// request's region). Given keys are never replaced.
    pub fn prepare(&self, request: &Request) -> PreparedRequest {
        let p = &request.principal;
        let mut ctx = request.context.clone();
        let mut derived = Vec::new();
        let mut notes = Vec::new();
        let mut put = |ctx: &mut Context, name: &str, value: Option<String>| {
            if let Some(v) = value
                && !ctx.contains(name)
            {
                ctx.set(name, v);
                derived.push(name.to_lowercase());
            }
        };
        put(&mut ctx, "aws:PrincipalArn", p.principal_arn());
        put(&mut ctx, "aws:PrincipalAccount", p.account.clone());
        let ptype = match p.kind {
            PrincipalType::User => Some("User"),
            PrincipalType::Role | PrincipalType::AssumedRole => Some("AssumedRole"),
            PrincipalType::FederatedUser => Some("FederatedUser"),
            PrincipalType::Root => Some("Account"),
            PrincipalType::Anonymous => Some("Anonymous"),
            PrincipalType::Service => None,
        };
        put(&mut ctx, "aws:PrincipalType", ptype.map(str::to_string));
        if p.kind == PrincipalType::User {
            put(&mut ctx, "aws:username", p.name.clone());
        }
        let userid = match p.kind {
            PrincipalType::Root => p.account.clone(),
            PrincipalType::Anonymous => Some("anonymous".to_string()),
            _ => None,
        };
        put(&mut ctx, "aws:userid", userid);
        let is_service = match p.kind {
            PrincipalType::Service => Some("true".to_string()),
            PrincipalType::Anonymous => None,
            _ => Some("false".to_string()),
        };
        put(&mut ctx, "aws:PrincipalIsAWSService", is_service);
        if p.kind == PrincipalType::Service {
            put(&mut ctx, "aws:PrincipalServiceName", p.name.clone());
        }
        if p.is_aws_account_principal() {
            put(
                &mut ctx,
                "aws:PrincipalOrgID",
                request.principal_org_id.clone(),
            );
        }
        let known_resource_account = request
            .resource_account
            .clone()
            .or_else(|| arn_account(&request.resource));
        let resource_account = known_resource_account.clone().or_else(|| p.account.clone());
        put(&mut ctx, "aws:ResourceAccount", known_resource_account);
        let service = request.action.split(':').next().unwrap_or("");
        // STS: the SDKs' default is the regional endpoint of the caller's region, whose
        // requests carry that region; only the global endpoint reports us-east-1 (R7.1,
        // S33/S37). With a request region, assume the regional endpoint.
        let regional_sts = service.eq_ignore_ascii_case("sts") && request.region.is_some();
        let home = self
            .options
            .global_service_region
            .filter(|_| !regional_sts)
            .and_then(|f| f(&service.to_ascii_lowercase()));
        if regional_sts && !ctx.contains("aws:RequestedRegion") {
            notes.push(
                "sts: the regional endpoint of the request's region is assumed (the SDK default; the global endpoint would report us-east-1, R7.1)"
                    .into(),
            );
        }
        if let Some(region) = home {
            if !ctx.contains("aws:RequestedRegion") {
                notes.push(format!(
                    "aws:RequestedRegion is `{region}`: `{service}` is a global service homed there (R7.1)"
                ));
            }
            put(&mut ctx, "aws:RequestedRegion", Some(region.to_string()));
        } else {
            put(&mut ctx, "aws:RequestedRegion", request.region.clone());
        }
        // Multivalued, so not through `put`; absent for service principals (R7.4).
        if p.is_aws_account_principal()
            && !request.principal_org_paths.is_empty()
            && !ctx.contains("aws:PrincipalOrgPaths")
        {
            ctx.set_multi("aws:PrincipalOrgPaths", request.principal_org_paths.clone());
            derived.push("aws:principalorgpaths".to_string());
        }
        derived.sort();
        let service_linked = p.is_service_linked_role()
            || request
                .context
                .get("aws:principalarn")
                .and_then(|e| e.values.first())
                .is_some_and(|a| a.contains(":role/aws-service-role/"));
        let scp_exempt_task = self
            .options
            .scp_exemptions
            .and_then(|set| set.task_for(p, &request.action))
            .map(|t| t.task.clone());
        let resource_policy_required = self
            .options
            .resource_policy_required
            .and_then(|l| ResourcePolicyRequirement::find(l, &request.action, &request.resource))
            .map(|r| r.policy.clone());
        let action_lower = request.action.to_ascii_lowercase();
        let unnamed_resource = request.resource == "*"
            && self
                .options
                .action_has_resource
                .is_some_and(|f| f(&action_lower));
        let rcp_excepted = !self.rcps.is_empty()
            && self
                .options
                .rcp_action_excepted
                .is_some_and(|f| f(&action_lower));
        let service = &action_lower[..action_lower.find(':').unwrap_or(0)];
        if unnamed_resource
            && !self.rcps.is_empty()
            && self
                .options
                .rcp_service_supported
                .is_none_or(|f| f(service))
            && !rcp_excepted
        {
            notes.push(
                "no resource named: RCPs are evaluated for an unnamed resource of the resource's account, which only statements with `Resource: \"*\"` (or a `NotResource`) match (R2.5)".to_string(),
            );
        }
        PreparedRequest {
            has_boundary: !self.boundary.is_empty(),
            unnamed_resource,
            rcp_excepted,
            service_linked,
            scp_exempt_task,
            resource_policy_required,
            action_lower,
            service_len: request.action.find(':').map_or(0, |i| i + 1),
            request: request.clone(),
            context: ctx,
            derived,
            resource_account,
            notes,
        }
    }

    pub(crate) fn applicability(&self, req: &PreparedRequest) -> Applicability {
        let p = &req.request.principal;
        let mgmt = self.management_account.as_deref();
        let slr = req.service_linked;
        let scp = if self.scps.is_empty() {
            Err(Skip::NoChain)
        } else if !p.is_aws_account_principal() {
            Err(Skip::NotAccountPrincipal)
        } else if mgmt.is_some() && p.account.as_deref() == mgmt {
            Err(Skip::ManagementAccount)
        } else if slr {
            Err(Skip::ServiceLinkedRole)
        } else if req.scp_exempt_task.is_some() {
            Err(Skip::ExemptTask)
        } else {
            Ok(())
        };
        let rcp = if self.rcps.is_empty() {
            Err(Skip::NoChain)
        } else if mgmt.is_some() && req.resource_account.as_deref() == mgmt {
            Err(Skip::ManagementAccount)
        } else if slr {
            Err(Skip::ServiceLinkedRole)
        } else if req.request.resource == "*" && !req.unnamed_resource {
            Err(Skip::NoResource)
        } else if self
            .options
            .rcp_service_supported
            .is_some_and(|f| !f(&req.action_lower[..req.action_lower.find(':').unwrap_or(0)]))
        {
            Err(Skip::ServiceNotSupported)
        } else if req.rcp_excepted {
            Err(Skip::ActionNotControlled)
        } else {
            Ok(())
        };
        let same_account = match (&p.account, &req.resource_account) {
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => true,
            _ => false,
        };
        Applicability {
            scp,
            rcp,
            identity_side: p.is_aws_account_principal(),
            same_account,
        }
    }

    /// Decides one prepared request. Allocation-free unless a policy uses variables.
    pub fn decide(&self, req: &PreparedRequest) -> Outcome {
        match self.options.bare_multivalued {
            BareMultivaluedOption::Any => Outcome {
                decision: self.decide_mode(req, BareMultivalued::Any, &mut CondFlags::default()),
                other_reading: None,
            },
            BareMultivaluedOption::All => Outcome {
                decision: self.decide_mode(req, BareMultivalued::All, &mut CondFlags::default()),
                other_reading: None,
            },
            BareMultivaluedOption::Both => {
                let mut flags = CondFlags::default();
                let decision = self.decide_mode(req, BareMultivalued::Any, &mut flags);
                let other_reading = if flags.bare_multivalued {
                    let other =
                        self.decide_mode(req, BareMultivalued::All, &mut CondFlags::default());
                    (other != decision).then_some(other)
                } else {
                    None
                };
                Outcome {
                    decision,
                    other_reading,
                }
            }
        }
    }

    fn decide_mode(
        &self,
        req: &PreparedRequest,
        mode: BareMultivalued,
        flags: &mut CondFlags,
    ) -> Decision {
        let app = self.applicability(req);
        // R1.2: explicit deny anywhere.
        let denied = (app.scp.is_ok() && self.scps.any_deny(req, mode, flags))
            || (app.rcp.is_ok() && self.rcps.any_deny(req, mode, flags))
            || self
                .resource
                .as_ref()
                .is_some_and(|p| p.any_deny(req, mode, flags))
            || (app.identity_side
                && (self.identity.iter().any(|p| p.any_deny(req, mode, flags))
                    || self.boundary.iter().any(|p| p.any_deny(req, mode, flags))
                    || self
                        .session
                        .as_ref()
                        .is_some_and(|p| p.any_deny(req, mode, flags))));
        if denied {
            return Decision::ExplicitlyDenied;
        }
        // R1.3, R1.4, R1.5: every node of each applicable chain needs an Allow.
        if app.rcp.is_ok()
            && self
                .rcps
                .first_node_without_allow(req, mode, flags)
                .is_some()
        {
            return Decision::ImplicitlyDenied;
        }
        if app.scp.is_ok()
            && self
                .scps
                .first_node_without_allow(req, mode, flags)
                .is_some()
        {
            return Decision::ImplicitlyDenied;
        }
        let identity_allow =
            app.identity_side && self.identity.iter().any(|p| p.any_allow(req, mode, flags));
        let boundary_allow = (app.identity_side && !self.boundary.is_empty())
            .then(|| self.boundary.iter().all(|p| p.any_allow(req, mode, flags)));
        let session_allow = self
            .session
            .as_ref()
            .filter(|_| app.identity_side)
            .map(|p| p.any_allow(req, mode, flags));
        let resource_grant = self
            .resource
            .as_ref()
            .map_or(GrantSet::EMPTY, |p| p.grant_forms(req, mode, flags));
        let input = GrantInput {
            principal: &req.request.principal,
            identity_side: app.identity_side,
            same_account: app.same_account,
            identity_allow,
            boundary_allow,
            session_allow,
            resource_grant,
            wildcard: self.options.wildcard_grant,
            resource_policy_required: req.resource_policy_required.is_some(),
        };
        grant_decision(input).0
    }

    /// Decides and explains one prepared request.
    pub fn explain(&self, req: &PreparedRequest) -> Trace {
        trace::explain(self, req)
    }

    /// Prepares and explains a request in one call.
    pub fn evaluate(&self, request: &Request) -> Trace {
        self.explain(&self.prepare(request))
    }
}

/// The account segment of an ARN, if it has one.
fn arn_account(resource: &str) -> Option<String> {
    let mut it = resource.splitn(6, ':');
    if it.next() != Some("arn") {
        return None;
    }
    let account = it.nth(3)?;
    (!account.is_empty() && it.next().is_some()).then(|| account.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_kinds_parse() {
        let p = PrincipalId::parse("arn:aws:sts::111122223333:assumed-role/Admin/alice").unwrap();
        assert_eq!(p.kind, PrincipalType::AssumedRole);
        assert_eq!(
            p.principal_arn().as_deref(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        let r = PrincipalId::parse(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        )
        .unwrap();
        assert!(r.is_service_linked_role());
        assert_eq!(
            r.path.as_deref(),
            Some("/aws-service-role/autoscaling.amazonaws.com/")
        );
        let root = PrincipalId::parse("arn:aws:iam::111122223333:root").unwrap();
        assert_eq!(root.kind, PrincipalType::Root);
        assert_eq!(
            PrincipalId::parse("cloudtrail.amazonaws.com").unwrap().kind,
            PrincipalType::Service
        );
        assert_eq!(
            PrincipalId::parse("anonymous").unwrap().kind,
            PrincipalType::Anonymous
        );
        assert!(PrincipalId::parse("arn:aws:s3:::bucket").is_err());
        assert!(PrincipalId::parse("bob").is_err());
    }

    #[test]
    fn rcp_gate_skips_unsupported_services_and_resourceless_actions() {
        // R2.5 (S9): RCPs attach only to resources of supported services.
        let doc = |t: &str| NamedPolicy {
            name: "p".into(),
            document: crate::policy::parse_policy(t).unwrap(),
            source: None,
        };
        let set = PolicySet {
            rcps: vec![ChainNode {
                name: "root".into(),
                policies: vec![doc(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
                )],
            }],
            identity: vec![doc(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            )],
            ..PolicySet::default()
        };
        let opts = EvalOptions {
            rcp_service_supported: Some(|s| s == "s3"),
            ..EvalOptions::default()
        };
        let ev = Evaluator::new(&set, opts);
        let p = "arn:aws:iam::111122223333:role/R";
        let d = |a: &str, r: &str| {
            ev.decide(&ev.prepare(&Request::new(p, a, r).unwrap()))
                .decision
        };
        assert_eq!(
            d("s3:GetObject", "arn:aws:s3:::b/k"),
            Decision::ExplicitlyDenied
        );
        assert_eq!(
            d(
                "ec2:RunInstances",
                "arn:aws:ec2:eu-west-1:111122223333:instance/*"
            ),
            Decision::Allowed
        );
        assert_eq!(d("s3:ListAllMyBuckets", "*"), Decision::Allowed);
        // Without a resource-type lookup, `*` skips RCPs even for an action with a resource.
        assert_eq!(d("s3:DeleteObject", "*"), Decision::Allowed);
        // With one, `*` on an action that authorizes a resource type is an unnamed resource:
        // the RCP gate applies; kms:RetireGrant stays outside RCPs (R2.5, S24).
        let ev = Evaluator::new(
            &set,
            EvalOptions {
                rcp_service_supported: Some(|s| s == "s3" || s == "kms"),
                action_has_resource: Some(|a| a != "s3:listallmybuckets"),
                rcp_action_excepted: Some(|a| a == "kms:retiregrant"),
                ..EvalOptions::default()
            },
        );
        let d = |a: &str, r: &str| {
            let prepared = ev.prepare(&Request::new(p, a, r).unwrap());
            (ev.decide(&prepared).decision, prepared.notes)
        };
        let (decision, notes) = d("s3:DeleteObject", "*");
        assert_eq!(decision, Decision::ExplicitlyDenied);
        assert!(
            notes.iter().any(|n| n.contains("unnamed resource")),
            "{notes:?}"
        );
        let (decision, notes) = d("s3:ListAllMyBuckets", "*");
        assert_eq!(decision, Decision::Allowed);
        assert!(notes.is_empty(), "{notes:?}");
        let key = "arn:aws:kms:eu-west-1:111122223333:key/k";
        assert_eq!(d("kms:RetireGrant", key).0, Decision::Allowed);
        assert_eq!(d("kms:RevokeGrant", key).0, Decision::ExplicitlyDenied);
        assert_eq!(d("ec2:TerminateInstances", "*").0, Decision::Allowed);
    }

    #[test]
    fn bare_operator_on_multivalued_key_is_indeterminate_by_default() {
        // R6.7 (verify): AWS does not define it; both readings are evaluated.
        let doc = crate::policy::parse_policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"a"}}}]}"#,
        )
        .unwrap();
        let set = PolicySet {
            identity: vec![NamedPolicy {
                name: "p".into(),
                document: doc,
                source: None,
            }],
            ..PolicySet::default()
        };
        let mut r =
            Request::new("arn:aws:iam::111122223333:user/u", "ec2:CreateTags", "*").unwrap();
        r.context
            .set_multi("aws:TagKeys", vec!["a".into(), "b".into()]);
        let ev = Evaluator::new(&set, EvalOptions::default());
        let o = ev.decide(&ev.prepare(&r));
        assert_eq!(o.decision, Decision::Allowed);
        assert_eq!(o.other_reading, Some(Decision::ImplicitlyDenied));
        let t = ev.evaluate(&r);
        assert_eq!(t.other_reading, Some(Decision::ImplicitlyDenied));
        assert!(t.notes.iter().any(|n| n.contains("R6.7")));
        for (opt, want) in [
            (BareMultivaluedOption::Any, Decision::Allowed),
            (BareMultivaluedOption::All, Decision::ImplicitlyDenied),
        ] {
            let ev = Evaluator::new(
                &set,
                EvalOptions {
                    bare_multivalued: opt,
                    ..EvalOptions::default()
                },
            );
            let o = ev.decide(&ev.prepare(&r));
            assert_eq!((o.decision, o.other_reading), (want, None));
        }
    }

    #[test]
    fn org_keys_are_derived_for_account_principals_only() {
        let ev = Evaluator::new(&PolicySet::default(), EvalOptions::default());
        let ask = |principal: &str| {
            let mut r = Request::new(principal, "s3:PutObject", "arn:aws:s3:::b/k").unwrap();
            r.principal_org_id = Some("o-a1b2c3d4e5".into());
            r.principal_org_paths = vec!["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".into()];
            ev.prepare(&r)
        };
        let role = ask("arn:aws:iam::111122223333:role/R");
        let paths = role.context.get("aws:principalorgpaths").unwrap();
        assert_eq!(paths.values, ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]);
        assert!(role.derived.contains(&"aws:principalorgpaths".to_string()));
        assert!(role.context.contains("aws:PrincipalOrgID"));
        // R7.4: a service principal is not a member of any organization.
        let svc = ask("cloudtrail.amazonaws.com");
        assert!(!svc.context.contains("aws:PrincipalOrgPaths"));
        assert!(!svc.context.contains("aws:PrincipalOrgID"));
    }

    #[test]
    fn derived_keys_never_override_given_ones() {
        let ev = Evaluator::new(
            &PolicySet::default(),
            EvalOptions {
                global_service_region: Some(|s| (s == "iam").then_some("us-east-1")),
                ..EvalOptions::default()
            },
        );
        let mut r = Request::new(
            "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            "iam:CreateRole",
            "*",
        )
        .unwrap();
        r.region = Some("eu-west-1".into());
        r.context.set("aws:PrincipalAccount", "999999999999");
        let p = ev.prepare(&r);
        let get = |k: &str| p.context.get(k).map(|e| e.values[0].clone());
        assert_eq!(get("aws:principalaccount").as_deref(), Some("999999999999"));
        assert_eq!(
            get("aws:principalarn").as_deref(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        // IAM's requests report us-east-1 whatever region the caller picked (R7.1).
        assert_eq!(get("aws:requestedregion").as_deref(), Some("us-east-1"));
        assert_eq!(get("aws:principaltype").as_deref(), Some("AssumedRole"));
        assert!(!p.derived.contains(&"aws:principalaccount".to_string()));
        assert!(p.derived.contains(&"aws:principalarn".to_string()));
        // STS with a request region: regional endpoint (R7.1, S33/S37).
        let ev = Evaluator::new(
            &PolicySet::default(),
            EvalOptions {
                global_service_region: Some(|s| matches!(s, "iam" | "sts").then_some("us-east-1")),
                ..EvalOptions::default()
            },
        );
        r.action = "sts:AssumeRole".into();
        let p = ev.prepare(&r);
        assert_eq!(
            p.context
                .get("aws:requestedregion")
                .map(|e| e.values[0].as_str()),
            Some("eu-west-1")
        );
        r.region = None;
        let p = ev.prepare(&r);
        assert_eq!(
            p.context
                .get("aws:requestedregion")
                .map(|e| e.values[0].as_str()),
            Some("us-east-1")
        );
    }
}
