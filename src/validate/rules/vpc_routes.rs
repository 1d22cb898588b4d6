//! VPC route tables toward the transit gateway: routes listed in `transit_gateway_routes` lie
//! outside the VPC's own range, and the routes a VPC needs fit AWS's route-table quota.
//!
//! Why: AWS rejects a route inside the VPC's own range (the local route owns it), and a route table
//! over its quota fails at apply, halfway through the stack.
//!
//! Example: an egress VPC that must route back to 60 unaggregatable VPC ranges is a warning.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;

/// AWS's default quota of routes per VPC route table (adjustable up to 1,000).
const ROUTES_PER_TABLE: usize = 50;

/// VPC route tables toward the transit gateway: listed routes must lie outside the VPC's own range
/// (its local route covers that), and the derived routes must fit AWS's route-table quota.
pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for (vpc, routes) in model.vpcs.iter().zip(&facts.intent.vpc_routes) {
        if let Some(listed) = &vpc.transit_gateway_routes {
            for route in listed {
                if vpc.cidr.value.contains(&route.value) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::RouteConflict,
                            route.span,
                            format!(
                                "transit gateway route `{}` of vpc `{}` is inside the VPC's own range `{}`",
                                route.value, vpc.name.value, vpc.cidr.value
                            ),
                        )
                        .with_help("the VPC's local route already covers its own range; remove the entry"),
                    );
                }
            }
        }
        if routes.len() > ROUTES_PER_TABLE {
            diagnostics.push(
                Diagnostic::warning(
                    Code::AwsReject,
                    vpc.name.span,
                    format!(
                        "vpc `{}` needs {} routes toward the transit gateway; AWS allows {ROUTES_PER_TABLE} per route table unless the quota is raised",
                        vpc.name.value,
                        routes.len()
                    ),
                )
                .with_help("list summary prefixes in `transit_gateway_routes`, or raise the quota before applying"),
            );
        }
    }
}
