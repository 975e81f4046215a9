//! What the rules need to know about AWS global condition context keys, without the catalog:
//! which are multivalued, which are single-valued, and which are often absent from a request.
//!
//! Source: the "Value type" and "Availability" of each key on
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html> and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>.
//! The same facts are in `data/aws/global-condition-keys.json` (owned by the catalog); these
//! lists are the rules' own copy until the rules read the catalog, and must be kept equal to it
//! (a unit test below pins the multivalued list).

/// The multivalued global keys: the request may carry several values, so they need
/// `ForAllValues:` or `ForAnyValue:`. The one place the rules keep this list.
pub const MULTIVALUED_GLOBAL_KEYS: &[&str] = &[
    "aws:CalledVia",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceNamesList",
    "aws:ResourceOrgPaths",
    "aws:SourceOrgPaths",
    "aws:TagKeys",
    "aws:VpceOrgPaths",
];

/// Single-valued global keys (at most one value in a request), without the tag families.
pub const SINGLE_VALUED_GLOBAL_KEYS: &[&str] = &[
    "aws:AssumedRoot",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalServiceName",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:ViaAWSService",
    "aws:userid",
    "aws:username",
];

/// Tag key families (`aws:PrincipalTag/Team`): single-valued, one value per tag key.
pub const TAG_KEY_FAMILIES: &[&str] = &["aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"];

/// Keys that many requests do not carry: the network keys that only exist for requests through
/// a VPC endpoint. `aws:SourceIp` is left to `source-ip-deny-without-service-exemption`.
/// `aws:CalledVia*` are not listed: AWS's data perimeter examples deny with
/// `ForAllValues:StringNotEquals` on `aws:CalledVia` precisely so that direct calls (no key) are
/// denied. The resource and request tag families are added by [`is_often_absent`];
/// `aws:PrincipalTag/*` is not, because "deny unless the principal carries the exception tag"
/// (AWS's SCP examples) means an untagged principal is meant to be denied.
pub const OFTEN_ABSENT_KEYS: &[&str] = &["aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"];

/// The tag families whose key is often absent: resources and requests without that tag.
const OFTEN_ABSENT_TAG_FAMILIES: &[&str] = &["aws:RequestTag/", "aws:ResourceTag/"];

fn in_list(list: &[&str], key: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn is_tag_key(key: &str) -> bool {
    in_family(TAG_KEY_FAMILIES, key)
}

fn in_family(families: &[&str], key: &str) -> bool {
    families.iter().any(|p| {
        key.len() > p.len()
            && key
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// True for a multivalued global key (names compare case-insensitively).
pub fn is_multivalued(key: &str) -> bool {
    in_list(MULTIVALUED_GLOBAL_KEYS, key)
}

/// True for a global key known to be single-valued (tag families included).
pub fn is_single_valued(key: &str) -> bool {
    in_list(SINGLE_VALUED_GLOBAL_KEYS, key) || is_tag_key(key)
}

/// True for a key that is often absent from the request context.
pub fn is_often_absent(key: &str) -> bool {
    in_list(OFTEN_ABSENT_KEYS, key) || in_family(OFTEN_ABSENT_TAG_FAMILIES, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert!(is_multivalued("aws:tagkeys"));
        assert!(!is_multivalued("aws:SourceVpce"));
        assert!(is_single_valued("aws:SourceVpce"));
        assert!(is_single_valued("aws:principaltag/Team"));
        assert!(!is_single_valued("aws:PrincipalTag/"));
        assert!(!is_single_valued("s3:prefix"));
        assert!(is_often_absent("aws:ResourceTag/Owner"));
        assert!(!is_often_absent("aws:SourceIp"));
        assert!(!is_often_absent("aws:PrincipalArn"));
        assert!(!is_often_absent("aws:CalledVia"));
        assert!(is_often_absent("aws:requesttag/Env"));
        assert!(!is_often_absent("aws:PrincipalTag/Exempt"));
        for k in MULTIVALUED_GLOBAL_KEYS {
            assert!(!in_list(SINGLE_VALUED_GLOBAL_KEYS, k), "{k} in both lists");
        }
    }

    #[test]
    fn multivalued_list_matches_the_catalog_data() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/aws/global-condition-keys.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            return; // the catalog data is not there yet
        };
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid json");
        let mut multi: Vec<String> = json["keys"]
            .as_array()
            .expect("keys array")
            .iter()
            .filter(|k| k["values"] == "multi")
            .filter_map(|k| k["name"].as_str().map(str::to_string))
            .collect();
        multi.sort_by_key(|k| k.to_ascii_lowercase());
        let mut ours: Vec<String> = MULTIVALUED_GLOBAL_KEYS
            .iter()
            .map(|k| k.to_string())
            .collect();
        ours.sort_by_key(|k| k.to_ascii_lowercase());
        assert_eq!(ours, multi);
    }
}
