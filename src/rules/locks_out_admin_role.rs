use serde::Deserialize;

use crate::diag::{Finding, Severity};
use crate::eval::{ChainNode, Decision, EvalOptions, Evaluator, NamedPolicy, PolicySet, Request};
use crate::policy::{Effect, PolicyDocument, PolicyKind, Statement, parse_policy};

use super::catalog_support::{catalog, is_placeholder};
use super::duplicate_statement::{anchor, name};
use super::unresolved_placeholder::has_placeholder;
use super::{DocContext, Rule, RuleMeta, condition_entries, declare_rule, parse_settings};

/// `[settings.locks-out-admin-role]` in `scpsim.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Role names to protect, replacing the default list (the roles AWS creates, from
    /// `data/aws/admin-roles.json`); add a break-glass role here.
    #[serde(default)]
    admin_roles: Option<Vec<String>>,
}

declare_rule! {
    /// ## What it does
    /// Reports an SCP `Deny` statement that would also deny the roles used to administer member
    /// accounts: by default the roles AWS creates for that, `OrganizationAccountAccessRole`
    /// (AWS Organizations) and `AWSControlTowerExecution` (AWS Control Tower), or the roles
    /// the settings list instead (add a break-glass role there). The answer comes from the evaluation engine:
    /// each `Deny` statement is evaluated next to `FullAWSAccess` for the role
    /// `arn:aws:iam::111122223333:role/<name>` calling administrative actions
    /// (`iam:CreateRole`, `iam:AttachRolePolicy`, `iam:PutRolePolicy`,
    /// `iam:UpdateAssumeRolePolicy`, `iam:CreatePolicy` on a new role or policy of the
    /// account, and `sts:AssumeRole`) in `us-east-1` and in every region the statement names in
    /// `aws:RequestedRegion`; the statement is reported when it denies some action, in all of
    /// these regions, to every one of the roles (a role left able to act is a way back in:
    /// list the roles your organization really uses in the settings). So `"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}`
    /// exempts the role, as it does in AWS.
    ///
    /// Only statements whose conditions depend on who calls are judged: no condition, or
    /// conditions on `aws:PrincipalArn`, `aws:PrincipalType` and `aws:RequestedRegion` only,
    /// without placeholders. A statement that also depends on how the call is made (source IP,
    /// VPC, MFA, tags...) is skipped. A statement without condition that denies, on every
    /// resource, every action or every action but a `NotAction` list (the usual SCPs of a
    /// Suspended or quarantine OU) is reported at `info`: locking everyone out, administrators
    /// included, is its purpose there.
    ///
    /// ## Why is this bad?
    /// SCPs limit every principal of the member accounts, the administration roles included
    /// (only the management account and service-linked roles are exempt). A guardrail that
    /// denies IAM changes or role assumption to the organization access role leaves nobody able
    /// to repair the account, run Control Tower's baselines or respond to an incident, short of
    /// detaching the SCP from the management account.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"], "Resource": "*",
    ///  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/SecurityAdmin"}}}
    /// ```
    /// Use instead (the administration roles are exempt too):
    /// ```json
    /// {"Effect": "Deny", "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"], "Resource": "*",
    ///  "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/SecurityAdmin",
    ///    "arn:aws:iam::*:role/OrganizationAccountAccessRole",
    ///    "arn:aws:iam::*:role/AWSControlTowerExecution"]}}}
    /// ```
    ///
    /// ## Settings
    /// ```toml
    /// [settings.locks-out-admin-role]
    /// admin_roles = ["OrganizationAccountAccessRole", "AWSControlTowerExecution", "BreakGlass"]
    /// ```
    /// `admin_roles` replaces the default list.
    ///
    /// ## How to fix
    /// Exempt the administration roles with `ArnNotLike` on `aws:PrincipalArn`, or narrow the
    /// statement's actions or resources to what it protects. For a Suspended OU, keep the
    /// deny-all and disable the rule for that file (or accept the `info` finding).
    ///
    /// ## AWS source
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html>
    /// <https://docs.aws.amazon.com/controltower/latest/userguide/awscontroltowerexecution.html>
    LocksOutAdminRole {
        id: "locks-out-admin-role",
        summary: "an SCP Deny that also denies the organization access role (or a configured break-glass role) administrative actions",
        severity: Warning,
        kinds: &[PolicyKind::Scp],
    }
}

/// The account of the probe principals (AWS's documentation example account).
const ACCOUNT: &str = "111122223333";

/// The administrative calls probed: action and resource (a new role or policy of the account).
const PROBES: &[(&str, &str)] = &[
    (
        "iam:CreateRole",
        "arn:aws:iam::111122223333:role/ExampleWorkloadRole",
    ),
    (
        "iam:AttachRolePolicy",
        "arn:aws:iam::111122223333:role/ExampleWorkloadRole",
    ),
    (
        "iam:PutRolePolicy",
        "arn:aws:iam::111122223333:role/ExampleWorkloadRole",
    ),
    (
        "iam:UpdateAssumeRolePolicy",
        "arn:aws:iam::111122223333:role/ExampleWorkloadRole",
    ),
    (
        "iam:CreatePolicy",
        "arn:aws:iam::111122223333:policy/ExampleWorkloadPolicy",
    ),
    (
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/ExampleWorkloadRole",
    ),
];

const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The condition keys a judged statement may read: who calls, and where.
const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principaltype",
    "aws:requestedregion",
];

/// The regions to try: `us-east-1` and every plain region the statement names.
fn regions(s: &Statement) -> Vec<String> {
    let mut out = vec!["us-east-1".to_string()];
    for (_, e) in condition_entries(s) {
        if e.key.value.eq_ignore_ascii_case("aws:RequestedRegion") {
            for v in &e.values {
                let t = &v.value.text;
                if !t.contains(['*', '?']) && !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
    }
    out
}

/// True when the statement's outcome depends only on who calls (and the region).
fn judged(s: &Statement) -> bool {
    s.effect.value == Effect::Deny
        && condition_entries(s).all(|(_, e)| {
            PRINCIPAL_KEYS.contains(&e.key.value.to_ascii_lowercase().as_str())
                && e.values.iter().all(|v| {
                    let t = &v.value.text;
                    !t.contains("${") && !is_placeholder(t) && !has_placeholder(t)
                })
        })
}

/// True for a deny-all: `Deny` of `*` (or of everything but a `NotAction` list, the shape
/// Suspended-OU SCPs use to keep billing and support) on `*`, without condition.
fn denies_everything(s: &Statement) -> bool {
    (s.action.negated || s.action.values.iter().any(|v| v.value == "*"))
        && s.resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.values.iter().any(|v| v.value == "*"))
        && s.condition.as_ref().is_none_or(|c| c.blocks.is_empty())
}

/// The probe actions the statement denies to `role` in every region tried.
fn denied_actions(
    full: &PolicyDocument,
    doc: &PolicyDocument,
    s: &Statement,
    role: &str,
) -> Vec<&'static str> {
    let mut single = doc.clone();
    single.statements = vec![s.clone()];
    let set = PolicySet {
        scps: vec![ChainNode {
            name: "root".into(),
            policies: vec![
                NamedPolicy {
                    name: "FullAWSAccess".into(),
                    document: full.clone(),
                    source: None,
                },
                NamedPolicy {
                    name: "policy".into(),
                    document: single,
                    source: None,
                },
            ],
        }],
        ..PolicySet::default()
    };
    let ev = Evaluator::new(&set, EvalOptions::default());
    let principal = format!("arn:aws:iam::{ACCOUNT}:role/{role}");
    let regions = regions(s);
    PROBES
        .iter()
        .filter(|(action, resource)| {
            regions.iter().all(|region| {
                let Ok(mut req) = Request::new(&principal, action, resource) else {
                    return false;
                };
                req.region = Some(region.clone());
                ev.decide(&ev.prepare(&req)).decision == Decision::ExplicitlyDenied
            })
        })
        .map(|(action, _)| *action)
        .collect()
}

impl Rule for LocksOutAdminRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_settings(&self, settings: &toml::Table) -> Result<(), String> {
        parse_settings::<Settings>(Some(settings)).map(|_| ())
    }

    fn check_document(&self, cx: &DocContext<'_>, out: &mut Vec<Finding>) {
        let settings: Settings = parse_settings(cx.settings).unwrap_or_default();
        let roles: Vec<String> = match settings.admin_roles {
            Some(r) => r,
            None => match catalog() {
                Some(cat) => cat.admin_roles().iter().map(|r| r.name.clone()).collect(),
                None => return,
            },
        };
        let Ok(full) = parse_policy(FULL_AWS_ACCESS) else {
            return;
        };
        for s in cx.doc.statements.iter().filter(|s| judged(s)) {
            // Locked out: some administrative action is denied to every administration role
            // (one role left able to act is a way back in).
            let mut hit_actions: Option<Vec<&str>> = None;
            for role in &roles {
                let denied = denied_actions(&full, cx.doc, s, role);
                hit_actions = Some(match hit_actions {
                    None => denied,
                    Some(prev) => prev.into_iter().filter(|a| denied.contains(a)).collect(),
                });
            }
            let Some(hit_actions) = hit_actions.filter(|a| !a.is_empty()) else {
                continue;
            };
            let hit_roles: Vec<String> = roles.iter().map(|r| format!("`{r}`")).collect();
            let actions: Vec<String> = hit_actions.iter().map(|a| format!("`{a}`")).collect();
            let everything = denies_everything(s);
            let message = if everything {
                format!(
                    "{} denies every action{} to everyone, including the administration roles \
                     {}: expected for a Suspended or quarantine OU, a lock-out anywhere else",
                    name(s),
                    if s.action.negated {
                        " but its NotAction list"
                    } else {
                        ""
                    },
                    hit_roles.join(", ")
                )
            } else {
                format!(
                    "{} also denies {} to every administration role ({}), which would lock \
                     the account's administrators out",
                    name(s),
                    actions.join(", "),
                    hit_roles.join(", ")
                )
            };
            let mut f = cx.finding(
                &Self::META,
                anchor(s),
                &s.pointer,
                message,
                "denies the administration roles",
            );
            if everything {
                f.severity = Severity::Info;
            }
            let arns: Vec<String> = roles
                .iter()
                .map(|r| format!("\"arn:aws:iam::*:role/{r}\""))
                .collect();
            f.help = Some(format!(
                "exempt the administration roles with \"ArnNotLike\": {{\"aws:PrincipalArn\": \
                 [{}]}}, or narrow the statement",
                arns.join(", ")
            ));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    fn deny(action: &str, cond: &str) -> String {
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":{action},\"Resource\":\"*\"{cond}}}]}}"
        )
    }

    fn hits(text: &str) -> usize {
        run(&LocksOutAdminRole, PolicyKind::Scp, text).len()
    }

    #[test]
    fn admin_actions_denied_to_the_access_role() {
        assert_eq!(hits(&deny("\"iam:*\"", "")), 1);
        assert_eq!(
            hits(&deny(
                "[\"iam:AttachRolePolicy\"]",
                ",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/SecurityAdmin\"}}"
            )),
            1
        );
        // Deny everything: reported, at info.
        let source = crate::source::SourceFile::new("t.json", deny("\"*\"", ""));
        let doc = parse_policy(source.text()).unwrap();
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind: PolicyKind::Scp,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: None,
            config: None,
        };
        let mut out = Vec::new();
        LocksOutAdminRole.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Info);
        assert!(out[0].message.contains("Suspended"), "{}", out[0].message);
        let keep_billing = deny("\"*\"", "").replace(
            "\"Action\":\"*\"",
            "\"NotAction\":[\"aws-portal:*\",\"support:*\"]",
        );
        let source = crate::source::SourceFile::new("t.json", keep_billing.as_str());
        let doc = parse_policy(&keep_billing).unwrap();
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind: PolicyKind::Scp,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: None,
            config: None,
        };
        let mut out = Vec::new();
        LocksOutAdminRole.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Info, "{}", out[0].message);
    }

    #[test]
    fn exemptions_and_unrelated_denies() {
        let exempt = ",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":[\"arn:aws:iam::*:role/OrganizationAccountAccessRole\",\"arn:aws:iam::*:role/AWSControlTowerExecution\"]}}";
        assert_eq!(hits(&deny("\"iam:*\"", exempt)), 0);
        // One administration role left able to act: not locked out.
        let one = ",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/OrganizationAccountAccessRole\"}}";
        assert_eq!(hits(&deny("\"iam:*\"", one)), 0);
        // A wildcard that covers both roles.
        let exempt_all =
            ",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/*\"}}";
        assert_eq!(hits(&deny("\"iam:*\"", exempt_all)), 0);
        // Not administrative actions.
        assert_eq!(hits(&deny("\"organizations:LeaveOrganization\"", "")), 0);
        assert_eq!(
            hits(&deny("[\"iam:CreateUser\",\"iam:CreateAccessKey\"]", "")),
            0
        );
        // Depends on how the call is made: not judged.
        let mfa = ",\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}";
        assert_eq!(hits(&deny("\"iam:*\"", mfa)), 0);
        // Region deny with the global services exempt: admin actions pass.
        let region = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"sts:*\"],\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\"]}}}]}";
        assert_eq!(hits(region), 0);
        // A region deny that forgot sts: the admin can still work in eu-west-1.
        let region_sts = region.replace(",\"sts:*\"", "");
        assert_eq!(hits(&region_sts), 0);
        // Allow statements never lock out.
        assert_eq!(hits(&deny("\"iam:*\"", "").replace("Deny", "Allow")), 0);
    }

    #[test]
    fn settings_replace_the_role_list() {
        let r = LocksOutAdminRole;
        let ok: toml::Table = toml::from_str("admin_roles = [\"BreakGlass\"]").unwrap();
        assert!(r.check_settings(&ok).is_ok());
        let bad: toml::Table = toml::from_str("admin_role = []").unwrap();
        assert!(r.check_settings(&bad).is_err());
        // Exempts the default roles but not BreakGlass.
        let text = deny(
            "\"iam:*\"",
            ",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":[\"arn:aws:iam::*:role/OrganizationAccountAccessRole\",\"arn:aws:iam::*:role/AWSControlTowerExecution\"]}}",
        );
        let source = crate::source::SourceFile::new("t.json", text.as_str());
        let doc = parse_policy(&text).unwrap();
        let cx = DocContext {
            source: &source,
            doc: &doc,
            kind: PolicyKind::Scp,
            scp_grammar: crate::rules::ScpGrammar::Current,
            settings: Some(&ok),
            config: None,
        };
        let mut out = Vec::new();
        r.check_document(&cx, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("BreakGlass"));
        // The advice names the configured roles, not the defaults already exempted.
        let help = out[0].help.as_deref().unwrap();
        assert!(help.contains("role/BreakGlass"), "{help}");
        assert!(!help.contains("OrganizationAccountAccessRole"), "{help}");
    }

    #[test]
    fn default_roles_are_awss() {
        let cat = catalog().unwrap();
        let names: Vec<&str> = cat.admin_roles().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["AWSControlTowerExecution", "OrganizationAccountAccessRole"]
        );
        assert!(cat.admin_roles_source().urls.len() >= 2);
    }
}
