//! AWS service endpoints: the catalogue of interface endpoint services agentform knows (each name
//! from AWS documentation, `docs/endpoints.md`), and what each VPC needs, derived from the roles
//! whose workloads run in it (`iam_role.runs_in`): their trust, their `allow` actions, the payment
//! managers that name them, and the VPC's own `image_pulls`. A VPC's explicit `endpoints` list
//! overrides the derivation. The `endpoints` rule warns about needs nothing serves; the plan writes
//! the endpoints (`plan::endpoints`).

use super::{IamRoleId, Model, Principal, Trust, VpcId};
use crate::diag::Span;

/// Who may use an endpoint, written into its endpoint policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointPolicy {
    /// Principals of the platform's account only (`aws:PrincipalAccount`).
    PrincipalAccount,
    /// Roles of the platform's account only, as the resource: STS's web-identity calls
    /// (`AssumeRoleWithWebIdentity`, IRSA) carry no IAM principal, so the role is what can be
    /// pinned.
    RolesOfAccount,
    /// No policy (full access, the AWS default), for the documented reason.
    Default(&'static str),
}

/// An interface endpoint service: `com.amazonaws.REGION.NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    pub name: &'static str,
    /// What goes through it, for the README.
    pub what: &'static str,
    /// The AWS page that names it.
    pub source: &'static str,
    pub policy: EndpointPolicy,
    /// The IAM service prefix of the actions it serves (the endpoint policy allows `PREFIX:*`).
    pub iam_prefix: &'static str,
}

/// AgentCore's endpoint policy caveat (AgentCore devguide, "vpc-interface-endpoints").
pub const AGENTCORE_OAUTH: &str = "AgentCore endpoint policies only work for OAuth callers with principal `*`, and OAuth (JWT) callers carry no IAM principal, so an account condition would deny them (a `custom_jwt` payment manager's callers among them)";

/// Every interface endpoint service a blueprint may name, in the order the stack writes them.
pub const CATALOGUE: &[Service] = &[
    Service {
        name: "sts",
        what: "AWS STS (IRSA web-identity, role chaining)",
        source: "EKS user guide, \"private-clusters\"; IAM user guide, \"id_credentials_sts_vpce\"",
        policy: EndpointPolicy::RolesOfAccount,
        iam_prefix: "sts",
    },
    Service {
        name: "eks-auth",
        what: "EKS Pod Identity (`AssumeRoleForPodIdentity`)",
        source: "EKS user guide, \"private-clusters\"",
        policy: EndpointPolicy::Default(
            "no AWS page agentform found documents endpoint policies for EKS Pod Identity",
        ),
        iam_prefix: "eks-auth",
    },
    Service {
        name: "rolesanywhere",
        what: "IAM Roles Anywhere (`CreateSession`)",
        source: "IAM Roles Anywhere user guide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::Default(
            "`CreateSession` is authenticated by a certificate, not by an IAM principal of the account",
        ),
        iam_prefix: "rolesanywhere",
    },
    Service {
        name: "bedrock",
        what: "Amazon Bedrock control plane",
        source: "Bedrock user guide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "bedrock",
    },
    Service {
        name: "bedrock-runtime",
        what: "Amazon Bedrock model invocation (InvokeModel, Converse)",
        source: "Bedrock user guide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "bedrock",
    },
    Service {
        name: "bedrock-agentcore",
        what: "AgentCore data plane (runtime, memory, tools, identity; payments)",
        source: "AgentCore devguide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::Default(AGENTCORE_OAUTH),
        iam_prefix: "bedrock-agentcore",
    },
    Service {
        name: "bedrock-agentcore-control",
        what: "AgentCore control plane",
        source: "AgentCore devguide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "bedrock-agentcore",
    },
    Service {
        name: "bedrock-agentcore.gateway",
        what: "AgentCore gateways",
        source: "AgentCore devguide, \"vpc-interface-endpoints\"",
        policy: EndpointPolicy::Default(AGENTCORE_OAUTH),
        iam_prefix: "bedrock-agentcore",
    },
    Service {
        name: "secretsmanager",
        what: "AWS Secrets Manager",
        source: "AWS PrivateLink guide, \"AWS services that integrate with AWS PrivateLink\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "secretsmanager",
    },
    Service {
        name: "kms",
        what: "AWS KMS",
        source: "KMS developer guide, \"vpce-create-endpoint\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "kms",
    },
    Service {
        name: "logs",
        what: "CloudWatch Logs",
        source: "EKS user guide, \"private-clusters\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "logs",
    },
    Service {
        name: "ecr.api",
        what: "Amazon ECR API (image pulls)",
        source: "EKS user guide, \"private-clusters\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "ecr",
    },
    Service {
        name: "ecr.dkr",
        what: "Amazon ECR registry (image pulls)",
        source: "EKS user guide, \"private-clusters\"",
        policy: EndpointPolicy::PrincipalAccount,
        iam_prefix: "ecr",
    },
];

pub fn service(name: &str) -> Option<&'static Service> {
    CATALOGUE.iter().find(|s| s.name == name)
}

/// The Bedrock Runtime API's IAM actions (Bedrock API reference, "Amazon Bedrock Runtime"
/// operations; `Converse` and `ConverseStream` are authorized as `InvokeModel*`).
const BEDROCK_RUNTIME_ACTIONS: &[&str] = &[
    "InvokeModel",
    "InvokeModelWithResponseStream",
    "ApplyGuardrail",
    "CountTokens",
    "StartAsyncInvoke",
    "GetAsyncInvoke",
    "ListAsyncInvokes",
];

/// Why a role needs a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Its trust (`irsa`, `pod_identity`, `roles_anywhere`): how it gets credentials.
    Trust(&'static str),
    /// An `allow` action.
    Action(String),
    /// A payment manager names it (`agents`, `*_principals`).
    Payments(String),
    /// `aws_mcp_server = true`: the managed AWS MCP Server, reachable over the internet only.
    AwsMcpServer,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Trust(kind) => write!(f, "trust `{kind}`"),
            Why::Action(action) => write!(f, "`{action}`"),
            Why::Payments(what) => f.write_str(what),
            Why::AwsMcpServer => f.write_str("`aws_mcp_server = true` (aws-mcp.REGION.api.aws)"),
        }
    }
}

/// One need of one role in one VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub role: IamRoleId,
    /// An interface endpoint service (a `CATALOGUE` name), or `None` when only an egress path
    /// serves it (the managed AWS MCP Server, `aws-mcp.REGION.api.aws`, has no PrivateLink).
    pub service: Option<&'static str>,
    pub why: Why,
    /// Where the blueprint says it: the action, or the role's `runs_in` entry.
    pub span: Span,
}

/// Whether an IAM action pattern (`*` and `?` wildcards) matches an action name.
fn matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// The interface endpoint an `allow` action calls, if agentform derives one for it (README,
/// "AWS service endpoints"). `s3:` and `s3files:` are served by the S3 gateway endpoint and the
/// mount targets; other services are not derived (name them in `endpoints`).
pub fn action_service(action: &str) -> Option<&'static str> {
    let (prefix, name) = action.split_once(':')?;
    match prefix.to_ascii_lowercase().as_str() {
        "bedrock" => BEDROCK_RUNTIME_ACTIONS
            .iter()
            .any(|a| matches(name, a))
            .then_some("bedrock-runtime"),
        "bedrock-agentcore" => Some("bedrock-agentcore"),
        "secretsmanager" => Some("secretsmanager"),
        "kms" => Some("kms"),
        "logs" => Some("logs"),
        "sts" => Some("sts"),
        _ => None,
    }
}

/// Whether an action is S3's (served by the S3 gateway endpoint).
fn is_s3(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(p, _)| p.eq_ignore_ascii_case("s3"))
}

impl Model {
    /// What the roles running in `vpc` need, in blueprint order (roles, then their needs).
    pub fn endpoint_needs(&self, vpc: VpcId) -> Vec<Need> {
        let mut needs = Vec::new();
        for (index, role) in self.iam_roles.iter().enumerate() {
            let id = IamRoleId(index);
            let Some(entry) = role.runs_in.iter().find(|r| r.value == vpc) else {
                continue;
            };
            let mut need = |service, why, span| {
                needs.push(Need {
                    role: id,
                    service,
                    why,
                    span,
                });
            };
            match &role.trust {
                Trust::Irsa { .. } => need(Some("sts"), Why::Trust("irsa"), entry.span),
                Trust::PodIdentity { .. } => {
                    need(Some("eks-auth"), Why::Trust("pod_identity"), entry.span);
                    need(Some("sts"), Why::Trust("pod_identity"), entry.span);
                }
                Trust::RolesAnywhere { .. } => {
                    need(
                        Some("rolesanywhere"),
                        Why::Trust("roles_anywhere"),
                        entry.span,
                    );
                }
                Trust::Service { .. } | Trust::Principals { .. } => {}
            }
            for allow in &role.allows {
                for action in &allow.actions {
                    if let Some(service) = action_service(&action.value) {
                        need(
                            Some(service),
                            Why::Action(action.value.clone()),
                            action.span,
                        );
                    }
                }
            }
            for manager in &self.payment_managers {
                let named = |list: &[crate::diag::Spanned<Principal>]| {
                    list.iter().any(|p| p.value == Principal::Role(id))
                };
                let name = &manager.name.value;
                if manager.agents.iter().any(|a| a.value == id) {
                    need(
                        Some("bedrock-agentcore"),
                        Why::Payments(format!("agent of payment_manager `{name}`")),
                        entry.span,
                    );
                }
                for (list, duty, services) in [
                    (
                        &manager.session_principals,
                        "session_principals",
                        &["sts", "bedrock-agentcore"][..],
                    ),
                    (
                        &manager.payment_principals,
                        "payment_principals",
                        &["sts", "bedrock-agentcore"][..],
                    ),
                    (
                        &manager.admin_principals,
                        "admin_principals",
                        &["sts", "bedrock-agentcore-control"][..],
                    ),
                ] {
                    if named(list) {
                        for service in services {
                            need(
                                Some(service),
                                Why::Payments(format!("{duty} of payment_manager `{name}`")),
                                entry.span,
                            );
                        }
                    }
                }
            }
            if role.aws_mcp_server {
                need(None, Why::AwsMcpServer, entry.span);
            }
        }
        needs
    }

    /// The interface endpoints `vpc` gets, in catalogue order: its explicit `endpoints` list, or
    /// every service its roles need and its `image_pulls`.
    pub fn endpoint_services(&self, vpc: VpcId) -> Vec<&'static Service> {
        let v = self.vpc(vpc);
        let wanted: Vec<&str> = match &v.endpoints {
            Some(list) => list.iter().map(|s| s.value).collect(),
            None => {
                let mut derived: Vec<&str> = self
                    .endpoint_needs(vpc)
                    .into_iter()
                    .filter_map(|n| n.service)
                    .collect();
                if v.image_pulls() {
                    derived.extend(["ecr.api", "ecr.dkr"]);
                }
                derived
            }
        };
        CATALOGUE
            .iter()
            .filter(|s| wanted.contains(&s.name))
            .collect()
    }

    /// Whether `vpc` gets the S3 gateway endpoint: it mounts an `s3_files` workspace, pulls images
    /// (ECR layers live in S3), or one of its roles calls S3. One per VPC, whatever the reasons.
    pub fn s3_gateway(&self, vpc: VpcId) -> bool {
        self.s3_files.iter().any(|s| s.vpc.value == vpc)
            || self.vpc(vpc).image_pulls()
            || self.iam_roles.iter().any(|role| {
                role.runs_in.iter().any(|r| r.value == vpc)
                    && role
                        .allows
                        .iter()
                        .any(|a| a.actions.iter().any(|x| is_s3(&x.value)))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_map_to_their_endpoints() {
        assert_eq!(
            action_service("bedrock:InvokeModel"),
            Some("bedrock-runtime")
        );
        assert_eq!(action_service("bedrock:Invoke*"), Some("bedrock-runtime"));
        assert_eq!(action_service("bedrock:*"), Some("bedrock-runtime"));
        assert_eq!(action_service("bedrock:ListFoundationModels"), None);
        assert_eq!(action_service("bedrock:InvokeAgent"), None);
        assert_eq!(
            action_service("bedrock-agentcore:GetPaymentSession"),
            Some("bedrock-agentcore")
        );
        assert_eq!(
            action_service("secretsmanager:GetSecretValue"),
            Some("secretsmanager")
        );
        assert_eq!(action_service("s3:GetObject"), None);
        assert_eq!(action_service("s3files:ClientMount"), None);
    }

    #[test]
    fn catalogue_names_are_unique() {
        for (i, s) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[..i].iter().all(|o| o.name != s.name),
                "{}",
                s.name
            );
        }
    }
}
