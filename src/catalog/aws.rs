//! Hand-written, dated AWS data from `data/aws/` (each file names its source page and the
//! date it was checked): global condition keys, global services and the region their requests
//! carry, region-deny exemption lists and the Organizations quotas.

use serde::Deserialize;

use super::err::CatalogError;
use super::keys::KeyType;
use crate::eval::{ResourcePolicyRequirement, ScpExemptTask, ScpExemptionSet};

const GLOBAL_KEYS: &str = include_str!("../../data/aws/global-condition-keys.json");
const GLOBAL_SERVICES: &str = include_str!("../../data/aws/global-services.json");
const EXEMPTIONS: &str = include_str!("../../data/aws/region-deny-exemptions.json");
const QUOTAS: &str = include_str!("../../data/aws/quotas.json");
const SCP_EXEMPTIONS: &str = include_str!("../../data/aws/scp-exemptions.json");
const RESOURCE_POLICY_REQUIRED: &str = include_str!("../../data/aws/resource-policy-required.json");
const ADMIN_ROLES: &str = include_str!("../../data/aws/admin-roles.json");
const RCP_EXCEPTIONS: &str = include_str!("../../data/aws/rcp-exceptions.json");
const RETIRED_SERVICES: &str = include_str!("../../data/aws/retired-services.json");
const REGION_KEYS: &str = include_str!("../../data/aws/region-keys.json");

/// Where a hand-written data file comes from.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct DataSource {
    /// The AWS page title(s).
    pub title: String,
    /// The page URL, when the file names one.
    #[serde(default)]
    pub url: Option<String>,
    /// Further page URLs.
    #[serde(default)]
    pub urls: Vec<String>,
    /// The date (YYYY-MM-DD) the data was last checked against the page.
    pub checked: String,
}

/// An AWS global condition key (IAM User Guide, "AWS global condition context keys",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
#[derive(Debug, Clone)]
pub struct GlobalKey {
    /// The key name, possibly a template such as `aws:PrincipalTag/${TagKey}`.
    pub name: String,
    /// Value type and single/multivalued nature.
    pub key_type: KeyType,
    /// The page's section: `principal`, `role-session`, `network`, `resource` or `request`.
    pub category: String,
}

/// A service with a single global endpoint and the region its requests report in
/// `aws:RequestedRegion` (aws-semantics.md R7.1).
#[derive(Debug, Clone, Deserialize)]
pub struct GlobalService {
    /// The service prefix (`iam`).
    pub prefix: String,
    /// The region in `aws:RequestedRegion` (`us-east-1`).
    pub region: String,
    /// When only some endpoints are global (for `sts`: the global endpoint only).
    #[serde(default)]
    pub only: Option<String>,
}

/// A role AWS creates in member accounts for administering them, by its default name.
#[derive(Debug, Clone, Deserialize)]
pub struct AdminRole {
    /// The role name (`OrganizationAccountAccessRole`).
    pub name: String,
    /// The AWS service that creates it (`AWS Organizations`).
    pub creator: String,
}

/// One region-deny exemption list: the `NotAction` entries of an AWS example policy that
/// denies requests outside chosen regions.
#[derive(Debug, Clone, Deserialize)]
pub struct ExemptionList {
    /// Short id (`organizations-example`, `iam-example`, `control-tower`).
    pub name: String,
    /// Title of the AWS page with the example.
    pub title: String,
    /// Source URLs.
    pub urls: Vec<String>,
    /// Date (YYYY-MM-DD) the list was checked.
    pub checked: String,
    /// The action patterns exempted (as written in the example).
    pub not_actions: Vec<String>,
}

/// AWS Organizations quotas for SCPs and RCPs (Organizations User Guide, "Quotas and service
/// limits", <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>,
/// and the 2026-05-15 What's New post raising the SCP quotas). Sizes are characters.
///
/// Built from `data/aws/quotas.json` by [`super::Catalog::quotas`]; every field is public so
/// a caller (or the config file) can override it, see [`QuotaOverrides`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Quotas {
    /// Maximum size of an SCP document, in characters.
    pub scp_max_chars: u32,
    /// Maximum SCPs attached directly to one root, OU or account.
    pub scp_max_per_node: u32,
    /// Maximum size of an RCP document, in characters.
    pub rcp_max_chars: u32,
    /// Maximum RCPs attached directly to one root, OU or account.
    pub rcp_max_per_node: u32,
    /// Minimum policies of each type attached to every node.
    pub min_per_node: u32,
    /// Maximum OU nesting depth below the root.
    pub max_ou_depth: u32,
}

/// Optional replacements for [`Quotas`] fields (for example from `scpsim.toml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaOverrides {
    /// Replaces [`Quotas::scp_max_chars`].
    pub scp_max_chars: Option<u32>,
    /// Replaces [`Quotas::scp_max_per_node`].
    pub scp_max_per_node: Option<u32>,
    /// Replaces [`Quotas::rcp_max_chars`].
    pub rcp_max_chars: Option<u32>,
    /// Replaces [`Quotas::rcp_max_per_node`].
    pub rcp_max_per_node: Option<u32>,
    /// Replaces [`Quotas::min_per_node`].
    pub min_per_node: Option<u32>,
    /// Replaces [`Quotas::max_ou_depth`].
    pub max_ou_depth: Option<u32>,
}

impl Quotas {
    /// Returns these quotas with every field set in `o` replaced.
    #[must_use]
    pub fn with_overrides(self, o: &QuotaOverrides) -> Quotas {
        Quotas {
            scp_max_chars: o.scp_max_chars.unwrap_or(self.scp_max_chars),
            scp_max_per_node: o.scp_max_per_node.unwrap_or(self.scp_max_per_node),
            rcp_max_chars: o.rcp_max_chars.unwrap_or(self.rcp_max_chars),
            rcp_max_per_node: o.rcp_max_per_node.unwrap_or(self.rcp_max_per_node),
            min_per_node: o.min_per_node.unwrap_or(self.min_per_node),
            max_ou_depth: o.max_ou_depth.unwrap_or(self.max_ou_depth),
        }
    }
}

/// A quota period: the quotas in force from `since` (YYYY-MM-DD, inclusive; empty for the
/// first period) until the next period.
#[derive(Debug, Clone, Deserialize)]
pub struct QuotaPeriod {
    /// First day the quotas apply, or empty for "always before the next period".
    pub since: String,
    /// The quotas.
    #[serde(flatten)]
    pub quotas: Quotas,
}

/// All hand-written data, parsed.
#[derive(Debug)]
pub(crate) struct AwsData {
    pub global_keys: Vec<GlobalKey>,
    pub global_keys_source: DataSource,
    pub global_services: Vec<GlobalService>,
    pub global_services_source: DataSource,
    pub exemptions: Vec<ExemptionList>,
    pub quota_periods: Vec<QuotaPeriod>,
    /// The latest period's quotas (the file has at least one period).
    pub quotas_latest: Quotas,
    /// The first period's quotas.
    pub quotas_first: Quotas,
    pub quotas_source: DataSource,
    /// The SCP exemption sets (R2.3), `extends` resolved, in file order.
    pub scp_exemption_sets: Vec<ScpExemptionSet>,
    /// The name of the default set.
    pub scp_exemption_default: String,
    pub scp_exemptions_source: DataSource,
    /// Requests needing a resource-policy grant (R1.6).
    pub resource_policy_required: Vec<ResourcePolicyRequirement>,
    pub resource_policy_required_source: DataSource,
    pub admin_roles: Vec<AdminRole>,
    pub admin_roles_source: DataSource,
    /// Actions RCPs do not control although their service is RCP-supported (R2.5), lowercase.
    pub rcp_exceptions: Vec<String>,
    pub rcp_exceptions_source: DataSource,
    /// Retired service prefixes, sorted by prefix.
    pub retired_services: Vec<RetiredService>,
    pub retired_services_source: DataSource,
    /// Condition keys whose values are Region codes, lowercase, sorted.
    pub region_keys: Vec<String>,
    pub region_keys_source: DataSource,
}

#[derive(Deserialize)]
struct RegionKeysFile {
    source: DataSource,
    keys: Vec<String>,
}

/// A service prefix AWS has retired that published policies still name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredService {
    /// The prefix (`iot1click`), lowercase.
    pub prefix: String,
    /// The service's name, with what replaced it when something did.
    pub name: String,
}

#[derive(Deserialize)]
struct RetiredServicesFile {
    source: DataSource,
    services: Vec<RetiredService>,
}

#[derive(Deserialize)]
struct RcpExceptionsFile {
    source: DataSource,
    actions: Vec<String>,
}

#[derive(Deserialize)]
struct ScpExemptionsFile {
    source: DataSource,
    default: String,
    sets: Vec<RawExemptionSet>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemptionSet {
    name: String,
    #[serde(default)]
    extends: Option<String>,
    tasks: Vec<RawExemptTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemptTask {
    task: String,
    root_only: bool,
    actions: Vec<String>,
}

#[derive(Deserialize)]
struct ResourcePolicyRequiredFile {
    source: DataSource,
    requirements: Vec<RawRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    policy: String,
    actions: Vec<String>,
    resource: String,
}

#[derive(Deserialize)]
struct AdminRolesFile {
    source: DataSource,
    roles: Vec<AdminRole>,
}

#[derive(Deserialize)]
struct KeysFile {
    source: DataSource,
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    name: String,
    r#type: String,
    values: String,
    category: String,
}

#[derive(Deserialize)]
struct ServicesFile {
    source: DataSource,
    services: Vec<GlobalService>,
}

#[derive(Deserialize)]
struct ExemptionsFile {
    lists: Vec<ExemptionList>,
}

#[derive(Deserialize)]
struct QuotasFile {
    source: DataSource,
    periods: Vec<QuotaPeriod>,
}

fn parse<T: for<'de> Deserialize<'de>>(file: &'static str, text: &str) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| CatalogError::AwsData {
        file,
        message: e.to_string(),
    })
}

fn invalid(file: &'static str, message: String) -> CatalogError {
    CatalogError::AwsData { file, message }
}

pub(crate) fn load() -> Result<AwsData, CatalogError> {
    const KF: &str = "global-condition-keys.json";
    let keys: KeysFile = parse(KF, GLOBAL_KEYS)?;
    let mut global_keys = Vec::with_capacity(keys.keys.len());
    for k in keys.keys {
        let mut key_type = KeyType::parse(&k.r#type)
            .ok_or_else(|| invalid(KF, format!("unknown type `{}` of `{}`", k.r#type, k.name)))?;
        key_type.multivalued = match k.values.as_str() {
            "single" => false,
            "multi" => true,
            v => {
                return Err(invalid(
                    KF,
                    format!("`{}`: values must be single or multi, not `{v}`", k.name),
                ));
            }
        };
        global_keys.push(GlobalKey {
            name: k.name,
            key_type,
            category: k.category,
        });
    }
    global_keys.sort_by_key(|k| k.name.to_ascii_lowercase());
    let services: ServicesFile = parse("global-services.json", GLOBAL_SERVICES)?;
    let mut global_services = services.services;
    global_services.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let exemptions: ExemptionsFile = parse("region-deny-exemptions.json", EXEMPTIONS)?;
    let quotas: QuotasFile = parse("quotas.json", QUOTAS)?;
    let mut quota_periods = quotas.periods;
    quota_periods.sort_by(|a, b| a.since.cmp(&b.since));
    let (Some(first), Some(latest)) = (quota_periods.first(), quota_periods.last()) else {
        return Err(invalid("quotas.json", "no quota period".to_string()));
    };
    let (quotas_first, quotas_latest) = (first.quotas, latest.quotas);
    const EF: &str = "scp-exemptions.json";
    let ex: ScpExemptionsFile = parse(EF, SCP_EXEMPTIONS)?;
    let mut scp_exemption_sets: Vec<ScpExemptionSet> = Vec::new();
    for raw in ex.sets {
        let mut tasks = match &raw.extends {
            Some(base) => scp_exemption_sets
                .iter()
                .find(|s| &s.name == base)
                .map(|s| s.tasks.clone())
                .ok_or_else(|| {
                    invalid(
                        EF,
                        format!("set `{}` extends unknown set `{base}`", raw.name),
                    )
                })?,
            None => Vec::new(),
        };
        tasks.extend(raw.tasks.into_iter().map(|t| ScpExemptTask {
            task: t.task,
            root_only: t.root_only,
            actions: t.actions,
        }));
        scp_exemption_sets.push(ScpExemptionSet {
            name: raw.name,
            checked: ex.source.checked.clone(),
            tasks,
        });
    }
    if !scp_exemption_sets.iter().any(|s| s.name == ex.default) {
        return Err(invalid(EF, format!("unknown default set `{}`", ex.default)));
    }
    let rp: ResourcePolicyRequiredFile =
        parse("resource-policy-required.json", RESOURCE_POLICY_REQUIRED)?;
    let admin: AdminRolesFile = parse("admin-roles.json", ADMIN_ROLES)?;
    let rcp_ex: RcpExceptionsFile = parse("rcp-exceptions.json", RCP_EXCEPTIONS)?;
    let retired: RetiredServicesFile = parse("retired-services.json", RETIRED_SERVICES)?;
    let rk: RegionKeysFile = parse("region-keys.json", REGION_KEYS)?;
    let mut region_keys: Vec<String> = rk.keys.iter().map(|k| k.to_ascii_lowercase()).collect();
    region_keys.sort();
    let mut retired_services = retired.services;
    retired_services.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let mut rcp_exceptions: Vec<String> = rcp_ex
        .actions
        .iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();
    rcp_exceptions.sort();
    let mut admin_roles = admin.roles;
    admin_roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(AwsData {
        scp_exemption_sets,
        scp_exemption_default: ex.default,
        scp_exemptions_source: ex.source,
        resource_policy_required: rp
            .requirements
            .into_iter()
            .map(|r| ResourcePolicyRequirement {
                policy: r.policy,
                actions: r.actions,
                resource: r.resource,
            })
            .collect(),
        resource_policy_required_source: rp.source,
        global_keys,
        global_keys_source: keys.source,
        global_services,
        global_services_source: services.source,
        exemptions: exemptions.lists,
        quota_periods,
        quotas_latest,
        quotas_first,
        quotas_source: quotas.source,
        admin_roles,
        admin_roles_source: admin.source,
        rcp_exceptions,
        rcp_exceptions_source: rcp_ex.source,
        retired_services,
        retired_services_source: retired.source,
        region_keys,
        region_keys_source: rk.source,
    })
}
