//! MCP ingress: an internal MCP service published through PrivateLink. Consumers reach it through an
//! interface endpoint in their own VPC; the service side is an internal NLB (TCP pass-through) in
//! front of an internal ALB that terminates TLS, authenticates clients and is rate limited by WAF.

use super::{IamRoleId, Name, VpcId};
use crate::diag::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IngressId(pub usize);

#[derive(Debug, Clone)]
pub struct McpIngress {
    pub name: Name,
    /// The VPC whose subnets hold the load balancers.
    pub vpc: Spanned<VpcId>,
    /// The TCP port clients connect to (the NLB and ALB listeners and the endpoints).
    pub port: Spanned<u16>,
    pub certificate_arn: Spanned<String>,
    pub client_auth: ClientAuth,
    /// IAM principals (account roots, roles, users) allowed to create endpoints to the service.
    pub allowed_principals: Vec<Spanned<String>>,
    /// VPCs that get an interface endpoint.
    pub consumers: Vec<Spanned<VpcId>>,
    pub acceptance_required: Spanned<bool>,
    pub private_dns_name: Option<Spanned<String>>,
    /// Whether the private DNS name's domain has been verified (the TXT record is published and the
    /// verification ran): only then may consumer endpoints enable private DNS.
    pub private_dns_verified: bool,
    /// WAF rate-based rule: requests per 5 minutes per source address seen by the ALB.
    pub rate_limit: Spanned<u32>,
    pub context_fetch_role: Spanned<IamRoleId>,
    pub context_modify_role: Spanned<IamRoleId>,
    /// The port the MCP servers listen on (HTTPS from the ALB).
    pub backend_port: u16,
    pub health_check_path: String,
    /// Days the access-log bucket keeps logs.
    pub log_retention_days: u32,
}

/// How clients authenticate to the MCP service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// Bearer tokens, validated by the MCP server itself (the ALB passes them through).
    Oidc,
    /// Client certificates, verified by the ALB against a trust store built from this CA bundle.
    Mtls { ca_bundle: S3Object },
}

impl ClientAuth {
    pub fn as_str(&self) -> &'static str {
        match self {
            ClientAuth::Oidc => "oidc",
            ClientAuth::Mtls { .. } => "mtls",
        }
    }
}

/// `s3://bucket/key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
}
