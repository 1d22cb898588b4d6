//! What a segment may reach on the internet through a firewall's allow-list: its own
//! `allowed_domains`, the firewall's, and the domains the blueprint implies for the roles that run
//! in the segment's VPCs (`runs_in`): their payment managers' merchants, the managed AWS MCP Server,
//! and the AWS services they need that no interface endpoint in their VPC serves. A role placed
//! nowhere counts for every segment (where it runs is unknown). Which segments pass a firewall at
//! all is the segregation engine's answer, read by the rules and the plan.

use super::{AttachmentRef, Firewall, IamRoleId, Model, Segment, SegmentId, VpcId};
use std::collections::{BTreeMap, BTreeSet};

/// The domains a segment may reach through `firewall` (in VPC `vpc`), each with why, in order.
pub fn allowed_domains(
    model: &Model,
    vpc: &str,
    firewall: &Firewall,
    segment_id: SegmentId,
) -> Vec<(String, Vec<String>)> {
    let segment: &Segment = model.segment(segment_id);
    let mut domains: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |domain: &str, why: String| {
        domains.entry(domain.to_string()).or_default().insert(why);
    };
    for d in &segment.allowed_domains {
        add(
            &d.value,
            format!("segment `{}` allows it", segment.name.value),
        );
    }
    for d in &firewall.allowed_domains {
        add(&d.value, format!("the firewall of vpc `{vpc}` allows it"));
    }
    let vpcs: Vec<VpcId> = model
        .attachments()
        .filter_map(|a| match a {
            AttachmentRef::Vpc(id) if model.vpc(id).segment == segment_id => Some(id),
            _ => None,
        })
        .collect();
    // A role runs here when one of its `runs_in` VPCs is in the segment, or it is placed nowhere.
    let runs_here = |role: IamRoleId| {
        let runs_in = &model.role(role).runs_in;
        runs_in.is_empty() || runs_in.iter().any(|v| vpcs.contains(&v.value))
    };
    for manager in &model.payment_managers {
        let Some(agent) = manager.agents.iter().find(|a| runs_here(a.value)) else {
            continue;
        };
        for merchant in &manager.guardrails.allowed_merchants.value {
            add(
                &merchant.value,
                format!(
                    "merchant of payment manager `{}`, whose agent `{}` runs here",
                    manager.name.value,
                    model.role(agent.value).name.value
                ),
            );
        }
    }
    for (index, role) in model.iam_roles.iter().enumerate() {
        if role.aws_mcp_server && runs_here(IamRoleId(index)) {
            add(
                &aws_mcp_domain(&model.platform.region),
                format!(
                    "role `{}` calls the managed AWS MCP Server (no PrivateLink)",
                    role.name.value
                ),
            );
        }
    }
    for &v in &vpcs {
        let served: Vec<&str> = model.endpoint_services(v).iter().map(|s| s.name).collect();
        for need in model.endpoint_needs(v) {
            let Some(service) = need.service else {
                continue;
            };
            if served.contains(&service) {
                continue;
            }
            if let Some(domain) = service_domain(service, &model.platform.region) {
                add(
                    &domain,
                    format!(
                        "role `{}` needs `{service}` for {} in vpc `{}`, which has no `{service}` endpoint",
                        model.role(need.role).name.value,
                        need.why,
                        model.vpc(v).name.value
                    ),
                );
            }
        }
    }
    domains
        .into_iter()
        .map(|(d, why)| (d, why.into_iter().collect()))
        .collect()
}

/// The managed AWS MCP Server's endpoint host (`aws-mcp.<region>.api.aws/mcp`, Agent Toolkit for
/// AWS user guide); it has no PrivateLink endpoint, so agents reach it over the internet.
pub fn aws_mcp_domain(region: &str) -> String {
    format!("aws-mcp.{region}.api.aws")
}

/// The regional host of an AWS service an interface endpoint would otherwise serve, where it
/// follows AWS's `SERVICE.REGION.amazonaws.com` pattern (AWS General Reference, "AWS service
/// endpoints"). `None` for services whose hosts differ (`ecr.api` is `api.ecr…`, registries are
/// per account, EKS Auth is under `api.aws`): a firewall cannot allow those by this name, so they
/// need their endpoint.
pub fn service_domain(service: &str, region: &str) -> Option<String> {
    matches!(
        service,
        "sts"
            | "secretsmanager"
            | "kms"
            | "logs"
            | "bedrock-runtime"
            | "bedrock-agentcore"
            | "bedrock-agentcore-control"
            | "rolesanywhere"
    )
    .then(|| format!("{service}.{region}.amazonaws.com"))
}
