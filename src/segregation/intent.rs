//! The intent: who should reach whom, and the routing the stack must therefore have. Derived once
//! from the blueprint's segments (`isolated`, `connects_to`) and routes, and read by everything
//! that follows: the topology the engine judges, the validation rules, and the plan, which writes
//! exactly these propagations and VPC routes.

use super::{AttachmentKind, Engine, ModelTopology, Outcome, RouteOrigin, Via};
use crate::model::{AttachmentRef, Model, RouteAction, SegmentId, VpcId};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// The routing the blueprint intends, derived once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Every (route table, attachment) propagation the intent implies, grouped by table.
    pub propagations: Vec<(SegmentId, AttachmentRef)>,
    /// The destinations each VPC's route table sends to the transit gateway, by VPC index.
    pub vpc_routes: Vec<Vec<Ipv4Net>>,
    /// Blackholes that stop hairpins: segments' traffic sent into a VPC whose route table would
    /// send it back to the gateway, toward attachments the segment may not reach.
    pub blackholes: Vec<DerivedBlackhole>,
}

/// A blackhole route agentform adds to a segment's table, as AWS recommends for centralized
/// egress: "If you want to prevent inter-VPC communication through the NAT gateway, add a blackhole
/// route for each VPC CIDR" (Transit Gateways guide, "Example: Centralized outbound routing to the
/// internet"). Derived from the intent: exactly the prefixes a route into a VPC would otherwise
/// carry back through the gateway to attachments the segment may not reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedBlackhole {
    pub segment: SegmentId,
    pub destination: Ipv4Net,
    /// The blueprint route (its index in the gateway's `routes`) that sends the traffic into the VPC.
    pub route: usize,
    /// The VPC the traffic would pass through.
    pub through: AttachmentRef,
    /// The attachments whose addresses it keeps the segment from reaching.
    pub protects: Vec<AttachmentRef>,
}

impl DerivedBlackhole {
    /// How reports name it: `hairpin-10-40-0-0-16`.
    pub fn name(&self) -> String {
        format!(
            "hairpin-{}",
            self.destination.to_string().replace(['.', '/'], "-")
        )
    }
}

impl Intent {
    pub fn derive(model: &Model) -> Self {
        let propagations = propagations(model);
        let vpc_routes = vpc_routes(model, &propagations);
        let mut intent = Intent {
            propagations,
            vpc_routes,
            blackholes: Vec::new(),
        };
        intent.blackholes = hairpin_blackholes(model, &intent);
        intent
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
/// - A VPC that static routes forward to (an egress or inspection VPC), or with internet egress
///   (its `0.0.0.0/0` goes to the internet gateway): the prefixes its segment's table reaches, aggregated, without those inside its own range and without the destinations of
///   the routes of its own segment that point at itself (which would loop). So an inspection VPC
///   that other segments' routes send traffic to sends it back to the gateway, onward to its owner.
/// - Any other VPC: `0.0.0.0/0`. The transit gateway's route tables, not the VPC's, enforce
///   segregation, so one route per VPC is enough, and it stays within route-table quotas at any scale.
fn vpc_routes(model: &Model, propagations: &[(SegmentId, AttachmentRef)]) -> Vec<Vec<Ipv4Net>> {
    let default_route: Ipv4Net = "0.0.0.0/0".parse().expect("literal CIDR");
    let mut targeted: BTreeMap<VpcId, Vec<Ipv4Net>> = BTreeMap::new();
    for tgw in model.transit_gateways.iter() {
        for route in &tgw.routes {
            if let RouteAction::Attachment(AttachmentRef::Vpc(id)) = route.action {
                // Sent back, a destination of a route in the VPC's own segment would come straight
                // back to the VPC; one in another segment's table goes on to its owner.
                let loops = targeted.entry(id).or_default();
                if route.segment == model.vpc(id).segment {
                    loops.push(route.destination.value);
                }
            }
        }
    }
    // A VPC with internet egress sends `0.0.0.0/0` to its internet gateway: toward the gateway it
    // sends only the prefixes its segment reaches, like a VPC that routes forward to.
    for (i, vpc) in model.vpcs.iter().enumerate() {
        if vpc.reaches_internet() {
            targeted.entry(VpcId(i)).or_default();
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
    for tgw in model.transit_gateways.iter() {
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

/// The blackholes that stop hairpins, per gateway that derives them (`derive_blackholes`): the
/// engine follows every segment's traffic through the VPCs its routes send it into, and each piece
/// that comes back out through the gateway to an attachment the segment may not reach becomes a
/// blackhole in the segment's table, aggregated exactly per (segment, route, VPC). A blueprint
/// route with the same destination in that segment wins (it is left as declared).
fn hairpin_blackholes(model: &Model, intent: &Intent) -> Vec<DerivedBlackhole> {
    /// Per (segment, route, VPC): the pieces that hairpin, and which attachment each belongs to.
    type Group = (Vec<Ipv4Net>, BTreeSet<(Ipv4Net, AttachmentRef)>);
    let routes_into_vpcs = model.transit_gateways.iter().any(|tgw| {
        tgw.derive_blackholes.value
            && tgw
                .routes
                .iter()
                .any(|r| matches!(r.action, RouteAction::Attachment(AttachmentRef::Vpc(_))))
    });
    if !routes_into_vpcs {
        return Vec::new();
    }
    let mt = ModelTopology::build(model, intent);
    let engine = Engine::new(&mt.topology);
    let members = mt.topology.members();
    let mut groups: BTreeMap<(SegmentId, usize, AttachmentRef), Group> = BTreeMap::new();
    for table in mt.topology.table_ids() {
        let segment = mt.segment(table);
        // A hairpin starts with a static route into a VPC: other tables are left alone.
        let routes_into_a_vpc = mt.topology.table(table).static_routes.iter().any(|r| {
            r.target
                .is_some_and(|t| mt.topology.attachment(t).kind == AttachmentKind::Vpc)
        });
        if !routes_into_a_vpc
            || !model.transit_gateways[segment.tgw.0]
                .derive_blackholes
                .value
        {
            continue;
        }
        for target in mt.topology.attachment_ids() {
            let target_ref = mt.attachment_ref(target);
            let has_source = members[table.0].iter().any(|&m| m != target);
            if !has_source || model.intends_reachable(segment, model.segment_of(target_ref)) {
                continue;
            }
            for piece in engine.delivery(table, target).pieces {
                let (Outcome::Delivered(_), Some(first)) = (piece.outcome, piece.path.first())
                else {
                    continue;
                };
                let Via::Static(t, i) = first.via else {
                    continue;
                };
                let RouteOrigin::Blueprint(route) = mt.routes[t.0][i] else {
                    continue;
                };
                let group = groups
                    .entry((segment, route, mt.attachment_ref(first.through)))
                    .or_default();
                group.0.push(piece.prefix);
                group.1.insert((piece.prefix, target_ref));
            }
        }
    }
    let mut out = Vec::new();
    for ((segment, route, through), (prefixes, pieces)) in groups {
        let declared: Vec<Ipv4Net> = model.transit_gateways[segment.tgw.0]
            .routes
            .iter()
            .filter(|r| r.segment == segment)
            .map(|r| r.destination.value)
            .collect();
        // The pieces in address order: those inside one aggregated destination are contiguous.
        let pieces: Vec<(Ipv4Net, AttachmentRef)> = pieces.into_iter().collect();
        for destination in Ipv4Net::aggregate(&prefixes) {
            if declared.contains(&destination) {
                continue;
            }
            let first = pieces.partition_point(|(p, _)| p.network() < destination.network());
            let protects: BTreeSet<AttachmentRef> = pieces[first..]
                .iter()
                .take_while(|(p, _)| destination.contains(p))
                .map(|&(_, a)| a)
                .collect();
            out.push(DerivedBlackhole {
                segment,
                destination,
                route,
                through,
                protects: protects.into_iter().collect(),
            });
        }
    }
    out
}
