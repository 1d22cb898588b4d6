//! What a segment may reach on the internet through a firewall's allow-list: its own
//! `allowed_domains`, the firewall's, and the domains the blueprint implies (every payment
//! manager's merchants, the managed AWS MCP Server for roles that call it). Which segments pass a
//! firewall at all is the segregation engine's answer, read by the rule and the plan.

use super::{Firewall, Model, Segment};
use std::collections::{BTreeMap, BTreeSet};

/// The domains a segment may reach through `firewall` (in VPC `vpc`), each with why, in order.
pub fn allowed_domains(
    model: &Model,
    vpc: &str,
    firewall: &Firewall,
    segment: &Segment,
) -> Vec<(String, Vec<String>)> {
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
    for manager in &model.payment_managers {
        for merchant in &manager.guardrails.allowed_merchants.value {
            add(
                &merchant.value,
                format!("merchant of payment manager `{}`", manager.name.value),
            );
        }
    }
    for role in model.iam_roles.iter().filter(|r| r.aws_mcp_server) {
        add(
            &aws_mcp_domain(&model.platform.region),
            format!(
                "role `{}` calls the managed AWS MCP Server (no PrivateLink)",
                role.name.value
            ),
        );
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
