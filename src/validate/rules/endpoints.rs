//! Roles whose workloads cannot reach an AWS service they use: a role runs in a VPC (`runs_in`),
//! needs a service (its trust, an `allow` action, a payment manager naming it, the AWS MCP Server),
//! and the VPC has neither an interface endpoint for it nor a path to the internet.
//!
//! Why: workloads run in private subnets; without an endpoint or egress the call times out at run
//! time, long after `terraform apply` succeeded. Derived endpoints cover every need, so this fires
//! when an explicit `endpoints` list leaves a service out, and for the AWS MCP Server (no
//! PrivateLink).
//!
//! Example: `vpc "agents" { endpoints = ["sts"] }` and a role with `runs_in = ["agents"]` allowed
//! `bedrock:InvokeModel` is a warning at the action naming the role, the action and the VPC.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::endpoints::Why;
use crate::model::{AttachmentRef, Model, VpcId, egress};
use crate::segregation::{AttachmentId, Extent};
use crate::validate::Facts;

/// Whether the workloads of `vpc` reach `service` (`None`: the managed AWS MCP Server) over the
/// internet: the segregation engine finds the VPC's traffic leaving through an egress VPC's NAT
/// gateways with the replies coming back, and where a firewall inspects it on the way, the
/// firewall's allow-list for the VPC's segment holds the service's domain
/// (`model::egress::allowed_domains` adds the domains of the services no endpoint serves, when it
/// knows them). The one place this rule asks.
pub fn internet_path(model: &Model, facts: &Facts, vpc: VpcId, service: Option<&str>) -> bool {
    let Some(attachment) = facts
        .topology
        .attachments
        .iter()
        .position(|&a| a == AttachmentRef::Vpc(vpc))
        .map(AttachmentId)
    else {
        return false;
    };
    let reach = facts.reach.internet(attachment);
    if !reach.reaches() || reach.replies != Extent::Full {
        return false;
    }
    let domain = match service {
        None => Some(egress::aws_mcp_domain(&model.platform.region)),
        Some(service) => egress::service_domain(service, &model.platform.region),
    };
    let segment = model.vpc(vpc).segment;
    reach
        .exits
        .iter()
        .chain(&reach.through)
        .filter_map(|&a| match facts.topology.attachment_ref(a) {
            AttachmentRef::Vpc(id) => Some(model.vpc(id)),
            AttachmentRef::Interconnect(_) => None,
        })
        .filter_map(|v| v.firewall.as_ref().map(|f| (v, f)))
        .all(|(v, firewall)| {
            domain.as_ref().is_some_and(|d| {
                egress::allowed_domains(model, &v.name.value, firewall, segment)
                    .iter()
                    .any(|(allowed, _)| allowed == d)
            })
        })
}

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for (index, vpc) in model.vpcs.iter().enumerate() {
        let id = VpcId(index);
        let needs = model.endpoint_needs(id);
        if needs.is_empty() {
            continue;
        }
        let served: Vec<&str> = model
            .endpoint_services(id)
            .into_iter()
            .map(|s| s.name)
            .collect();
        for need in needs {
            if need.service.is_some_and(|s| served.contains(&s))
                || internet_path(model, facts, id, need.service)
            {
                continue;
            }
            let role = &model.role(need.role).name.value;
            let vpc_name = &vpc.name.value;
            let (message, help) = match need.service {
                Some(service) => (
                    format!(
                        "iam_role `{role}` needs `{service}` for {} in vpc `{vpc_name}`, which has no `{service}` endpoint and no internet path that allows it",
                        need.why
                    ),
                    format!(
                        "add \"{service}\" to vpc `{vpc_name}`'s `endpoints` (or remove the list to derive it), or give the VPC an egress path"
                    ),
                ),
                None => (
                    format!(
                        "iam_role `{role}` needs the internet for {} in vpc `{vpc_name}`, which has no internet path",
                        need.why
                    ),
                    "the managed AWS MCP Server has no PrivateLink endpoint: give the VPC an egress path, or run the role elsewhere".to_string(),
                ),
            };
            let mut d =
                Diagnostic::warning(Code::ServiceUnreachable, need.span, message).with_help(help);
            // An action's warning also shows where the role is placed.
            if let Why::Action(_) = need.why
                && let Some(entry) = model.role(need.role).runs_in.iter().find(|r| r.value == id)
            {
                d = d.with_label(entry.span, "the role runs here");
            }
            diagnostics.push(d);
        }
    }
}
