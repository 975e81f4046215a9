//! Reading the live organization from AWS Organizations (feature `aws`; the only async code).
//!
//! [`pull`] walks the organization with read-only calls: DescribeOrganization, ListRoots,
//! ListOrganizationalUnitsForParent and ListAccountsForParent from the root down,
//! ListPoliciesForTarget (SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, each only when the
//! root reports the type enabled) on every root, OU and account, ListTagsForResource on every OU
//! and account, and DescribePolicy once per attached policy. It returns a [`Snapshot`] that
//! [`super::snapshot::render`] turns into files.
//!
//! - Credentials, region and endpoint come from aws-config's default chain
//!   ([`BehaviorVersion::latest`]): environment, profiles (`--profile`), SSO, container and
//!   instance metadata; AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ORGANIZATIONS override the endpoint.
//!   Without a configured region, `us-east-1` (where Organizations lives) is used.
//! - Retries use the SDK's standard mode with [`MAX_ATTEMPTS`] attempts (throttling and 5xx are
//!   retried with backoff) unless AWS_MAX_ATTEMPTS or AWS_RETRY_MODE say otherwise; every call
//!   has explicit connect, attempt and operation timeouts.
//! - At most [`CONCURRENCY`] requests are in flight (Organizations is rate limited).
//! - Every list call is paginated to the end. SCPSIM_ORG_PAGE_SIZE sets MaxResults (tests use a
//!   small value so that every paginator really pages).
//! - A progress bar on stderr, hidden when stderr is not a terminal.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::config::retry::RetryConfig;
use aws_sdk_organizations::config::timeout::TimeoutConfig;
use aws_sdk_organizations::config::{ProvideCredentials, Region};
use aws_sdk_organizations::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::policy::PolicyKind;

use super::err::OrgError;
use super::snapshot::{Snapshot, SnapshotNode, SnapshotPolicy};

/// Attempts per request (first try plus retries) unless AWS_MAX_ATTEMPTS is set.
pub const MAX_ATTEMPTS: u32 = 8;

/// Requests in flight at once.
pub const CONCURRENCY: usize = 4;

/// Where and as whom to read the organization.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    /// A named profile of the shared config files (else AWS_PROFILE, else `default`).
    pub profile: Option<String>,
    /// A region (else the chain's region, else `us-east-1`).
    pub region: Option<String>,
}

/// Reads the whole organization. Starts its own async runtime; call from synchronous code.
pub fn pull(opts: &PullOptions) -> Result<Snapshot, OrgError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| OrgError::Internal {
            message: format!("cannot start the async runtime: {e}"),
        })?;
    rt.block_on(pull_async(opts))
}

/// Maps an SDK error of `operation` to its [`OrgError`].
fn sdk_error<E, R>(operation: &'static str, e: SdkError<E, R>) -> OrgError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if matches!(
        e,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ConstructionFailure(_)
    ) {
        return OrgError::Connection {
            operation,
            message: DisplayErrorContext(&e).to_string(),
        };
    }
    let code = e.code().unwrap_or_default().to_string();
    let message = e.message().unwrap_or_default().to_string();
    classify(operation, code, message, &e)
}

fn classify<E: std::error::Error>(
    operation: &'static str,
    code: String,
    message: String,
    e: &E,
) -> OrgError {
    let lower = message.to_ascii_lowercase();
    match code.as_str() {
        "AWSOrganizationsNotInUseException" => OrgError::NotInOrganization { message },
        "PolicyTypeNotEnabledException" => OrgError::PolicyTypeNotEnabled {
            policy_type: policy_type_in(&message),
            message,
        },
        "AccessDeniedException" | "AccessDenied"
            if lower.contains("management account")
                || lower.contains("master account")
                || lower.contains("delegated administrator") =>
        {
            OrgError::NotManagementAccount { operation, message }
        }
        "AccessDeniedException" | "AccessDenied" => OrgError::AccessDenied {
            operation,
            permission: format!("organizations:{operation}"),
            message,
        },
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "IncompleteSignature" => OrgError::InvalidCredentials {
            operation,
            code,
            message,
        },
        "" => OrgError::Aws {
            operation,
            code: "unknown".into(),
            message: DisplayErrorContext(e).to_string(),
        },
        _ => OrgError::Aws {
            operation,
            code,
            message,
        },
    }
}

fn policy_type_in(message: &str) -> String {
    for t in ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"] {
        if message.contains(t) {
            return t.into();
        }
    }
    "SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY".into()
}

/// The client, after checking that the chain yields credentials at all.
async fn client(opts: &PullOptions) -> Result<Client, OrgError> {
    let region = match &opts.region {
        Some(r) => RegionProviderChain::first_try(Region::new(r.clone())),
        None => RegionProviderChain::default_provider().or_else(Region::from_static("us-east-1")),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region);
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    let sdk = loader.load().await;
    let Some(provider) = sdk.credentials_provider() else {
        return Err(OrgError::NoCredentials {
            detail: "no credential provider is configured".into(),
        });
    };
    if let Err(e) = provider.provide_credentials().await {
        let full = DisplayErrorContext(&e).to_string();
        let detail = if full.contains("no credentials found in chain") {
            "no provider of the default chain (environment, profile, SSO, web identity, \
             container, instance metadata) had credentials"
                .to_string()
        } else {
            // The first line only: the rest repeats it as debug output.
            full.lines().next().unwrap_or_default().to_string()
        };
        return Err(OrgError::NoCredentials { detail });
    }
    let mut conf = aws_sdk_organizations::config::Builder::from(&sdk).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .operation_attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Duration::from_secs(180))
            .build(),
    );
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_none()
        && std::env::var_os("AWS_RETRY_MODE").is_none()
    {
        conf = conf.retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20)),
        );
    }
    Ok(Client::from_conf(conf.build()))
}

fn page_size() -> Option<i32> {
    std::env::var("SCPSIM_ORG_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|n| (1..=20).contains(n))
}

/// Runs `f` over `items` with at most [`CONCURRENCY`] in flight, keeping the input order.
/// The first error cancels the rest.
async fn bounded<I, T, F, Fut>(
    sem: &Arc<Semaphore>,
    pb: &ProgressBar,
    items: Vec<I>,
    f: F,
) -> Result<Vec<T>, OrgError>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, OrgError>> + Send + 'static,
{
    let n = items.len();
    pb.inc_length(n as u64);
    let mut set = JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let sem = Arc::clone(sem);
        let pb = pb.clone();
        let fut = f(item);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await.map_err(|e| OrgError::Internal {
                message: e.to_string(),
            })?;
            let r = fut.await;
            pb.inc(1);
            r.map(|v| (i, v))
        });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, v) = joined.map_err(|e| OrgError::Internal {
            message: format!("a request task failed: {e}"),
        })??;
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(v);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} requests")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A node of the walk: an arena entry with its parent's index.
struct Walked {
    node: SnapshotNode,
    is_ou_or_root: bool,
    parent: Option<usize>,
}

type Children = (Vec<(String, String)>, Vec<(String, String, Option<String>)>);

async fn list_children(client: Client, parent: String) -> Result<Children, OrgError> {
    let size = page_size();
    let mut ous = Vec::new();
    let mut stream = client
        .list_organizational_units_for_parent()
        .parent_id(&parent)
        .set_max_results(size)
        .into_paginator()
        .send();
    while let Some(page) = stream.next().await {
        let page = page.map_err(|e| sdk_error("ListOrganizationalUnitsForParent", e))?;
        for ou in page.organizational_units() {
            ous.push((
                ou.id().unwrap_or_default().to_string(),
                ou.name().unwrap_or_default().to_string(),
            ));
        }
    }
    let mut accounts = Vec::new();
    let mut stream = client
        .list_accounts_for_parent()
        .parent_id(&parent)
        .set_max_results(size)
        .into_paginator()
        .send();
    while let Some(page) = stream.next().await {
        let page = page.map_err(|e| sdk_error("ListAccountsForParent", e))?;
        for a in page.accounts() {
            accounts.push((
                a.id().unwrap_or_default().to_string(),
                a.name().unwrap_or_default().to_string(),
                a.email().map(str::to_string),
            ));
        }
    }
    Ok((ous, accounts))
}

/// Policies attached to one target: (id, name, kind, aws_managed), plus its tags.
type Attached = (Vec<(String, PolicyKind)>, BTreeMap<String, String>);

async fn list_attached(
    client: Client,
    target: String,
    types: Vec<PolicyType>,
    tags: bool,
) -> Result<Attached, OrgError> {
    let size = page_size();
    let mut policies = Vec::new();
    for t in types {
        let kind = if t == PolicyType::ResourceControlPolicy {
            PolicyKind::Rcp
        } else {
            PolicyKind::Scp
        };
        let mut stream = client
            .list_policies_for_target()
            .target_id(&target)
            .filter(t)
            .set_max_results(size)
            .into_paginator()
            .send();
        while let Some(page) = stream.next().await {
            let page = page.map_err(|e| sdk_error("ListPoliciesForTarget", e))?;
            for p in page.policies() {
                if let Some(id) = p.id() {
                    policies.push((id.to_string(), kind));
                }
            }
        }
    }
    let mut map = BTreeMap::new();
    if tags {
        let mut stream = client
            .list_tags_for_resource()
            .resource_id(&target)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = stream.next().await {
            let t = item.map_err(|e| sdk_error("ListTagsForResource", e))?;
            map.insert(t.key().to_string(), t.value().to_string());
        }
    }
    Ok((policies, map))
}

async fn describe_policy(
    client: Client,
    (id, kind): (String, PolicyKind),
) -> Result<SnapshotPolicy, OrgError> {
    let out = client
        .describe_policy()
        .policy_id(&id)
        .send()
        .await
        .map_err(|e| sdk_error("DescribePolicy", e))?;
    let Some(policy) = out.policy() else {
        return Err(OrgError::Unexpected {
            message: format!("DescribePolicy returned no policy for `{id}`"),
        });
    };
    let summary = policy.policy_summary();
    Ok(SnapshotPolicy {
        name: summary
            .and_then(|s| s.name())
            .unwrap_or(id.as_str())
            .to_string(),
        aws_managed: summary.is_some_and(|s| s.aws_managed()),
        kind,
        content: policy.content().unwrap_or_default().to_string(),
        id,
    })
}

async fn pull_async(opts: &PullOptions) -> Result<Snapshot, OrgError> {
    let client = client(opts).await?;
    let pb = progress_bar();
    pb.set_message("reading the organization");
    let org = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| sdk_error("DescribeOrganization", e))?;
    let org = org.organization();
    let organization_id = org.and_then(|o| o.id()).map(str::to_string);
    let management_account_id = org.and_then(|o| o.master_account_id()).map(str::to_string);

    let mut roots = Vec::new();
    let mut stream = client
        .list_roots()
        .set_max_results(page_size())
        .into_paginator()
        .send();
    while let Some(page) = stream.next().await {
        let page = page.map_err(|e| sdk_error("ListRoots", e))?;
        roots.extend(page.roots().iter().cloned());
    }
    let [root] = roots.as_slice() else {
        return Err(OrgError::Unexpected {
            message: format!("ListRoots returned {} roots, expected one", roots.len()),
        });
    };
    let root_id = root.id().unwrap_or_default().to_string();
    let enabled = |t: &PolicyType| {
        root.policy_types()
            .iter()
            .any(|p| p.r#type() == Some(t) && p.status() == Some(&PolicyTypeStatus::Enabled))
    };
    let types: Vec<PolicyType> = [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ]
    .into_iter()
    .filter(|t| enabled(t))
    .collect();
    let rcps_enabled = types.contains(&PolicyType::ResourceControlPolicy);

    let sem = Arc::new(Semaphore::new(CONCURRENCY));
    // Breadth-first walk: one level of OUs at a time, each parent's children listed in parallel.
    pb.set_message("listing OUs and accounts");
    let mut nodes = vec![Walked {
        node: SnapshotNode {
            id: root_id,
            name: "Root".into(),
            ..SnapshotNode::default()
        },
        is_ou_or_root: true,
        parent: None,
    }];
    let mut frontier = vec![0usize];
    while !frontier.is_empty() {
        let parents: Vec<(usize, String)> = frontier
            .iter()
            .filter_map(|&i| nodes.get(i).map(|w| (i, w.node.id.clone())))
            .collect();
        let results = bounded(&sem, &pb, parents, |(i, id)| {
            let c = client.clone();
            async move { list_children(c, id).await.map(|r| (i, r)) }
        })
        .await?;
        frontier.clear();
        for (parent, (ous, accounts)) in results {
            for (id, name) in ous {
                frontier.push(nodes.len());
                nodes.push(Walked {
                    node: SnapshotNode {
                        id,
                        name,
                        ..SnapshotNode::default()
                    },
                    is_ou_or_root: true,
                    parent: Some(parent),
                });
            }
            for (id, name, email) in accounts {
                nodes.push(Walked {
                    node: SnapshotNode {
                        id,
                        name,
                        email,
                        ..SnapshotNode::default()
                    },
                    is_ou_or_root: false,
                    parent: Some(parent),
                });
            }
        }
    }

    pb.set_message("reading attachments and tags");
    let targets: Vec<(usize, String)> = nodes
        .iter()
        .enumerate()
        .map(|(i, w)| (i, w.node.id.clone()))
        .collect();
    let attached = bounded(&sem, &pb, targets, |(i, id)| {
        let c = client.clone();
        let types = types.clone();
        async move { list_attached(c, id, types, i != 0).await.map(|r| (i, r)) }
    })
    .await?;
    let mut policy_ids = BTreeSet::new();
    for (i, (policies, tags)) in attached {
        if let Some(w) = nodes.get_mut(i) {
            w.node.tags = tags;
            for (id, kind) in policies {
                if kind == PolicyKind::Rcp {
                    w.node.rcps.push(id.clone());
                } else {
                    w.node.scps.push(id.clone());
                }
                policy_ids.insert((id, kind));
            }
        }
    }

    pb.set_message("reading policies");
    let policies = bounded(
        &sem,
        &pb,
        policy_ids.into_iter().collect(),
        |p: (String, PolicyKind)| describe_policy(client.clone(), p),
    )
    .await?;
    pb.finish_and_clear();

    // Assemble the tree bottom-up: children always come after their parent in `nodes`.
    let mut built: Vec<Option<SnapshotNode>> = Vec::with_capacity(nodes.len());
    let mut meta = Vec::with_capacity(nodes.len());
    for w in nodes {
        meta.push((w.parent, w.is_ou_or_root));
        built.push(Some(w.node));
    }
    for i in (1..built.len()).rev() {
        let Some((Some(parent), is_ou)) = meta.get(i).copied() else {
            continue;
        };
        let Some(node) = built.get_mut(i).and_then(Option::take) else {
            continue;
        };
        if let Some(Some(p)) = built.get_mut(parent) {
            if is_ou {
                p.ous.push(node);
            } else {
                p.accounts.push(node);
            }
        }
    }
    let root = built
        .into_iter()
        .next()
        .flatten()
        .ok_or_else(|| OrgError::Internal {
            message: "the root was lost while assembling the tree".into(),
        })?;
    Ok(Snapshot {
        organization_id,
        management_account_id,
        rcps_enabled,
        policies,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct E;
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("e")
        }
    }
    impl std::error::Error for E {}

    #[test]
    fn classifies_errors() {
        let e = classify(
            "ListRoots",
            "AccessDeniedException".into(),
            "You don't have permissions to access this resource.".into(),
            &E,
        );
        assert!(
            matches!(&e, OrgError::AccessDenied { permission, .. } if permission == "organizations:ListRoots")
        );
        let e = classify(
            "ListRoots",
            "AccessDeniedException".into(),
            "This operation can be performed only by the management account or a delegated administrator".into(),
            &E,
        );
        assert!(matches!(e, OrgError::NotManagementAccount { .. }));
        let e = classify(
            "DescribeOrganization",
            "AWSOrganizationsNotInUseException".into(),
            "Your account is not a member of an organization.".into(),
            &E,
        );
        assert!(matches!(e, OrgError::NotInOrganization { .. }));
        let e = classify(
            "ListPoliciesForTarget",
            "PolicyTypeNotEnabledException".into(),
            "RESOURCE_CONTROL_POLICY is not enabled".into(),
            &E,
        );
        assert!(
            matches!(&e, OrgError::PolicyTypeNotEnabled { policy_type, .. } if policy_type == "RESOURCE_CONTROL_POLICY")
        );
    }
}
