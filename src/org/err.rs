//! Errors of reading a live organization (`org pull`, `--org aws`) and of writing a snapshot.
//!
//! Every variant is an environment failure (exit 3) with its own message and hint. Messages
//! never carry credentials: they hold the operation name, the AWS error code and the service's
//! own message only.

use thiserror::Error;

/// The file that lists every permission `org pull` needs (README "Reading a live organization").
pub const READONLY_POLICY_FILE: &str = "policies/iam/scpsim-org-pull-readonly.json";

/// Reading the live organization or writing its snapshot failed.
#[derive(Debug, Clone, PartialEq, Eq, Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum OrgError {
    /// The default credential chain found no credentials.
    #[error("no AWS credentials found: {detail}")]
    #[diagnostic(
        code(scpsim::org::no_credentials),
        help(
            "configure credentials as for the AWS CLI: `--profile NAME` or AWS_PROFILE, \
             `aws sso login --profile NAME`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    )]
    NoCredentials {
        /// Why the credential chain gave up (never the credentials themselves).
        detail: String,
    },
    /// AWS rejected the credentials (unknown key, bad signature, expired token).
    #[error("AWS rejected the credentials for `{operation}` ({code}): {message}")]
    #[diagnostic(
        code(scpsim::org::invalid_credentials),
        help(
            "refresh the credentials (`aws sso login`, new session token) or pick another profile"
        )
    )]
    InvalidCredentials {
        /// The Organizations operation, for example `ListRoots`.
        operation: &'static str,
        /// The AWS error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The caller lacks an `organizations:*` permission.
    #[error("access denied for `{operation}`: missing permission `{permission}`: {message}")]
    #[diagnostic(
        code(scpsim::org::access_denied),
        help(
            "grant `{permission}` to the caller ({READONLY_POLICY_FILE} lists every permission \
             `org pull` needs), and run it from the management account or a delegated \
             administrator for AWS Organizations"
        )
    )]
    AccessDenied {
        /// The Organizations operation, for example `ListRoots`.
        operation: &'static str,
        /// The IAM action that was denied, for example `organizations:ListRoots`.
        permission: String,
        /// The service's message.
        message: String,
    },
    /// The caller is a member account that is not a delegated administrator.
    #[error("`{operation}` needs the management account or a delegated administrator: {message}")]
    #[diagnostic(
        code(scpsim::org::not_management_account),
        help(
            "use credentials of the organization's management account, or register this \
             account as a delegated administrator for AWS Organizations \
             (`aws organizations register-delegated-administrator`)"
        )
    )]
    NotManagementAccount {
        /// The Organizations operation, for example `ListRoots`.
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// The caller's account is not a member of an organization.
    #[error(
        "the account is not a member of an organization (AWSOrganizationsNotInUseException): {message}"
    )]
    #[diagnostic(
        code(scpsim::org::not_in_organization),
        help(
            "use credentials of the organization's management account or of a delegated \
             administrator; check `--profile` and AWS_PROFILE"
        )
    )]
    NotInOrganization {
        /// The service's message.
        message: String,
    },
    /// A policy type that `org pull` reads is not enabled on the root.
    #[error("policy type `{policy_type}` is not enabled in the organization: {message}")]
    #[diagnostic(
        code(scpsim::org::policy_type_not_enabled),
        help(
            "enable it on the root (`aws organizations enable-policy-type --root-id r-... \
             --policy-type {policy_type}`) or ignore it: `org pull` skips types the root \
             reports as disabled"
        )
    )]
    PolicyTypeNotEnabled {
        /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
        policy_type: String,
        /// The service's message.
        message: String,
    },
    /// The endpoint could not be reached, or a request timed out.
    #[error("cannot reach AWS Organizations for `{operation}`: {message}")]
    #[diagnostic(
        code(scpsim::org::connection),
        help(
            "check the network, the region (`--region`, AWS_REGION) and any endpoint override \
             (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ORGANIZATIONS)"
        )
    )]
    Connection {
        /// The Organizations operation, for example `ListRoots`.
        operation: &'static str,
        /// What failed.
        message: String,
    },
    /// Any other error returned by AWS Organizations (after the SDK's retries).
    #[error("AWS Organizations `{operation}` failed ({code}): {message}")]
    #[diagnostic(
        code(scpsim::org::aws),
        help(
            "throttling and server errors were already retried; try again later, or set \
             AWS_MAX_ATTEMPTS to retry longer"
        )
    )]
    Aws {
        /// The Organizations operation, for example `ListRoots`.
        operation: &'static str,
        /// The AWS error code, or the HTTP status when there is none.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The organization as returned is not usable (for example, no root).
    #[error("unexpected answer from AWS Organizations: {message}")]
    #[diagnostic(code(scpsim::org::unexpected))]
    Unexpected {
        /// What was wrong.
        message: String,
    },
    /// Writing the snapshot failed; the previous snapshot, if any, is untouched.
    #[error("cannot write the snapshot at `{path}`: {message}")]
    #[diagnostic(
        code(scpsim::org::io),
        help("the previous snapshot, if any, was left as it was")
    )]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// `--out` names a directory that is not an scpsim snapshot.
    #[error(
        "refusing to replace `{path}`: it is not empty and holds no org.yaml written by scpsim"
    )]
    #[diagnostic(
        code(scpsim::org::not_a_snapshot),
        help("pass `--out` a new or empty directory, or one that `org pull` wrote before")
    )]
    NotASnapshot {
        /// The directory.
        path: String,
    },
    /// The async runtime could not be started or a task failed.
    #[error("internal error: {message}")]
    #[diagnostic(code(scpsim::org::internal))]
    Internal {
        /// What failed.
        message: String,
    },
}

impl OrgError {
    /// An [`OrgError::Io`] for `path`.
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> OrgError {
        OrgError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}
