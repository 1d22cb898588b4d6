//! Workload identity: IAM roles with exactly one kind of trust and least-privilege permissions
//! (`allow` blocks: actions on targets).

use super::{IngressId, Name, PaymentManagerId, S3FilesId};
use crate::diag::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IamRoleId(pub usize);

#[derive(Debug, Clone)]
pub struct IamRole {
    pub name: Name,
    pub description: Option<String>,
    pub max_session_seconds: Spanned<u32>,
    pub trust: Trust,
    pub allows: Vec<Allow>,
    /// The role calls AWS through the managed AWS MCP Server (`aws-mcp.<region>.api.aws/mcp`).
    pub aws_mcp_server: bool,
    /// The VPCs the role's workloads run in (`runs_in`): their endpoints are derived from it.
    pub runs_in: Vec<Spanned<super::VpcId>>,
}

/// Who may assume the role. Every kind is conditioned by construction: the fields that pin it are
/// required.
#[derive(Debug, Clone)]
pub enum Trust {
    /// EKS IAM roles for service accounts: the cluster's OIDC provider, `sub` and `aud` pinned.
    Irsa {
        oidc_provider_arn: Spanned<String>,
        /// The issuer host and path (the provider ARN after `oidc-provider/`).
        issuer: String,
        namespace: Spanned<String>,
        service_account: Spanned<String>,
    },
    /// EKS Pod Identity: `pods.eks.amazonaws.com`, pinned to the cluster, namespace and service
    /// account through the session tags EKS sets; the association resource is generated.
    PodIdentity {
        cluster: Spanned<String>,
        namespace: Spanned<String>,
        service_account: Spanned<String>,
    },
    /// IAM Roles Anywhere: certificates from a trust anchor, pinned to a subject common name.
    RolesAnywhere {
        anchor: TrustAnchor,
        common_name: Spanned<String>,
    },
    /// An AWS service principal, pinned to this account with `aws:SourceAccount`.
    Service { principal: Spanned<String> },
    /// Named IAM roles or users (never an account: `AF705`).
    Principals { arns: Vec<Spanned<String>> },
}

#[derive(Debug, Clone)]
pub enum TrustAnchor {
    /// An existing trust anchor, by ARN.
    Existing(Spanned<String>),
    /// A trust anchor the stack creates from an ACM Private CA.
    FromAcmPca(Spanned<String>),
}

impl Trust {
    pub fn kind(&self) -> &'static str {
        match self {
            Trust::Irsa { .. } => "irsa",
            Trust::PodIdentity { .. } => "pod_identity",
            Trust::RolesAnywhere { .. } => "roles_anywhere",
            Trust::Service { .. } => "service",
            Trust::Principals { .. } => "principals",
        }
    }
}

/// One permission statement: these actions on these targets.
#[derive(Debug, Clone)]
pub struct Allow {
    pub name: Name,
    pub actions: Vec<Spanned<String>>,
    pub on: Vec<Spanned<Target>>,
}

/// What an `allow` applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `*`: every resource (only for actions that change nothing).
    Any,
    /// A literal ARN.
    Arn(String),
    /// A component the stack emits, resolved to its ARNs when the stack is planned.
    Component(Component),
}

/// A component of the stack an `allow` can name (`kind.name[.child]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// `mcp_ingress.NAME`: the VPC endpoint service.
    EndpointService(IngressId),
    /// `mcp_ingress.NAME.logs`: the access-log bucket and its objects.
    IngressLogs(IngressId),
    /// `s3_files.NAME`: the file system.
    FileSystem(S3FilesId),
    /// `s3_files.NAME.ACCESS_POINT`: the access point (and its file system, where S3 Files client
    /// actions are authorized).
    AccessPoint(S3FilesId, usize),
    /// `payment_manager.NAME`: the AgentCore payment manager.
    PaymentManager(PaymentManagerId),
}

impl Component {
    /// Whether the component is a workspace or one of its access points.
    pub fn is_storage(self, storage: S3FilesId) -> bool {
        matches!(self, Component::FileSystem(id) | Component::AccessPoint(id, _) if id == storage)
    }
}
