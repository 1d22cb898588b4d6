//! A transit gateway's routes fit AWS's quota: "Total combined routes (dynamic and static) across
//! all route tables for a single transit gateway", 10,000 by default (adjustable). Propagated
//! routes count (one per prefix of each propagated attachment), as do static routes and the
//! blackholes derived from intent.
//!
//! Why: the gateway stops accepting routes at the quota, so an apply over it fails halfway through
//! (propagations and routes created, the rest refused), and a derived blackhole that is refused
//! leaves the hairpin it was meant to close open.
//!
//! Source: AWS Transit Gateway guide, "Quotas for your transit gateways", Routing.
//! Example: 3,000 VPCs propagated into four segments' tables is a warning at the gateway.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;

/// AWS's default quota of combined routes across all route tables of one transit gateway.
pub const ROUTES_PER_GATEWAY: usize = 10_000;

/// Counts every gateway's routes, table by table, as the engine reads them.
pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    let topology = facts.topology;
    let mut per_gateway = vec![0_usize; model.transit_gateways.len()];
    for (table, segment) in topology.topology.tables.iter().zip(&topology.segments) {
        let propagated: usize = table
            .propagations
            .iter()
            .map(|a| topology.topology.attachments[a.0].prefixes.len())
            .sum();
        per_gateway[segment.tgw.0] += propagated + table.static_routes.len();
    }
    for (gateway, &routes) in model.transit_gateways.iter().zip(&per_gateway) {
        if routes > ROUTES_PER_GATEWAY {
            diagnostics.push(
                Diagnostic::warning(
                    Code::AwsReject,
                    gateway.name.span,
                    format!(
                        "transit gateway `{}` holds {routes} routes across its route tables (propagated, static and derived blackholes); AWS allows {ROUTES_PER_GATEWAY} per gateway unless the quota is raised",
                        gateway.name.value
                    ),
                )
                .with_help("connect fewer segments to each other, aggregate prefixes, or raise the quota (Service Quotas, Amazon VPC Transit Gateways) before applying"),
            );
        }
    }
}
