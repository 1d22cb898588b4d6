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
use crate::model::{Model, VpcId};
use crate::validate::Facts;

/// Whether `vpc` has a path to the internet (an egress VPC with NAT and internet gateways, through
/// the transit gateway). Until the segregation engine reports internet reachability, no VPC has
/// one: every AWS service must then be served by an endpoint. The one place this rule asks.
pub fn internet_path(_facts: &Facts, _vpc: VpcId) -> bool {
    false
}

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for (index, vpc) in model.vpcs.iter().enumerate() {
        let id = VpcId(index);
        let needs = model.endpoint_needs(id);
        if needs.is_empty() || internet_path(facts, id) {
            continue;
        }
        let served: Vec<&str> = model
            .endpoint_services(id)
            .into_iter()
            .map(|s| s.name)
            .collect();
        for need in needs {
            if need.service.is_some_and(|s| served.contains(&s)) {
                continue;
            }
            let role = &model.role(need.role).name.value;
            let vpc_name = &vpc.name.value;
            let (message, help) = match need.service {
                Some(service) => (
                    format!(
                        "iam_role `{role}` needs `{service}` for {} in vpc `{vpc_name}`, which has no `{service}` endpoint and no internet path",
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
