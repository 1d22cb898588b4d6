//! The intent: who should reach whom, and the routing the stack must therefore have. Derived once
//! from the blueprint's segments (`isolated`, `connects_to`) and routes, and read by everything
//! that follows: the topology the engine judges, the validation rules, and the plan, which writes
//! exactly these propagations and VPC routes.

use crate::model::{AttachmentRef, Model, RouteAction, SegmentId, VpcId};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

/// The routing the blueprint intends, derived once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Every (route table, attachment) propagation the intent implies, grouped by table.
    pub propagations: Vec<(SegmentId, AttachmentRef)>,
    /// The destinations each VPC's route table sends to the transit gateway, by VPC index.
    pub vpc_routes: Vec<Vec<Ipv4Net>>,
}

impl Intent {
    pub fn derive(model: &Model) -> Self {
        let propagations = propagations(model);
        let vpc_routes = vpc_routes(model, &propagations);
        Intent {
            propagations,
            vpc_routes,
        }
    }
}

/// Every (route table, attachment) propagation the intent implies, grouped by table. Members are
/// grouped by segment first, so the cost is the number of propagations, not tables × attachments.
fn propagations(model: &Model) -> Vec<(SegmentId, AttachmentRef)> {
    let mut members: BTreeMap<SegmentId, Vec<AttachmentRef>> = BTreeMap::new();
    for attachment in model.attachments() {
        members
            .entry(model.segment_of(attachment))
            .or_default()
            .push(attachment);
    }
    let mut out = Vec::new();
    for (table, segment) in model.segments() {
        let mut sources: Vec<SegmentId> = Vec::new();
        if !segment.isolated {
            sources.push(table);
        }
        for (other, _) in model.segments() {
            if other != table && model.intends_reachable(table, other) {
                sources.push(other);
            }
        }
        for source in sources {
            for &attachment in members.get(&source).into_iter().flatten() {
                out.push((table, attachment));
            }
        }
    }
    out
}

/// The destinations each VPC's route table sends to the transit gateway, by VPC index.
///
/// - Listed in the blueprint (`transit_gateway_routes`): exactly those.
/// - A VPC that static routes forward to (an egress or inspection VPC): the prefixes its segment's
///   table reaches, aggregated, without those inside its own range and without the destinations of
///   the routes that point at itself (which would loop).
/// - Any other VPC: `0.0.0.0/0`. The transit gateway's route tables, not the VPC's, enforce
///   segregation, so one route per VPC is enough, and it stays within route-table quotas at any scale.
fn vpc_routes(model: &Model, propagations: &[(SegmentId, AttachmentRef)]) -> Vec<Vec<Ipv4Net>> {
    let default_route: Ipv4Net = "0.0.0.0/0".parse().expect("literal CIDR");
    let mut targeted: BTreeMap<VpcId, Vec<Ipv4Net>> = BTreeMap::new();
    for tgw in &model.transit_gateways {
        for route in &tgw.routes {
            if let RouteAction::Attachment(AttachmentRef::Vpc(id)) = route.action {
                targeted
                    .entry(id)
                    .or_default()
                    .push(route.destination.value);
            }
        }
    }
    // Only computed when some VPC is a route target: the common case stays free of per-table work.
    let destinations = if targeted.is_empty() {
        BTreeMap::new()
    } else {
        table_destinations(model, propagations)
    };
    model
        .vpcs
        .iter()
        .enumerate()
        .map(|(i, vpc)| {
            if let Some(listed) = &vpc.transit_gateway_routes {
                return listed.iter().map(|c| c.value).collect();
            }
            let Some(own_routes) = targeted.get(&VpcId(i)) else {
                return vec![default_route];
            };
            let reachable: Vec<Ipv4Net> = destinations
                .get(&vpc.segment)
                .into_iter()
                .flatten()
                .copied()
                .filter(|d| !own_routes.contains(d))
                .collect();
            Ipv4Net::aggregate(&reachable)
                .into_iter()
                .filter(|d| !vpc.cidr.value.contains(d))
                .collect()
        })
        .collect()
}

/// Every prefix a segment's table forwards somewhere: propagated VPC CIDRs and interconnect remote
/// prefixes, and static routes that forward to an attachment (blackholes drop, so they are left out).
fn table_destinations(
    model: &Model,
    propagations: &[(SegmentId, AttachmentRef)],
) -> BTreeMap<SegmentId, Vec<Ipv4Net>> {
    let mut out: BTreeMap<SegmentId, Vec<Ipv4Net>> = BTreeMap::new();
    for &(table, attachment) in propagations {
        let entry = out.entry(table).or_default();
        match attachment {
            AttachmentRef::Vpc(id) => entry.push(model.vpc(id).cidr.value),
            AttachmentRef::Interconnect(id) => {
                entry.extend(model.interconnect(id).remote_cidrs.iter().map(|c| c.value));
            }
        }
    }
    for tgw in &model.transit_gateways {
        for route in &tgw.routes {
            if let RouteAction::Attachment(_) = route.action {
                out.entry(route.segment)
                    .or_default()
                    .push(route.destination.value);
            }
        }
    }
    out
}
