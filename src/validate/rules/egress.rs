//! Routes into VPCs that cannot carry them on: a transit gateway route whose destination lies
//! outside its target VPC must point at a VPC that forwards (`forwards = true`) or leaves for the
//! internet (`internet_egress { }`).
//!
//! Why: the VPC's route table decides what happens to a packet it does not own. Without NAT and an
//! internet gateway, or a route back to the gateway for the destination, the packet is dropped:
//! a `0.0.0.0/0` "egress" route into a plain VPC loses every internet-bound packet, and nothing in
//! AWS says so (Transit Gateways guide, "Example: Centralized outbound routing to the internet").
//!
//! Example: `route "default-egress" { destination = "0.0.0.0/0", target = "vpc.egress" }` where
//! `vpc "egress"` has no `internet_egress` block is an error at the route.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::egress::allowed_domains;
use crate::model::{AttachmentRef, Model, RouteAction, VpcId};
use crate::segregation::{AttachmentId, Extent, partition};
use crate::validate::Facts;
use ipnet::Ipv4Net;

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    dead_ends(model, facts, diagnostics);
    declared_internet(model, facts, diagnostics);
    firewalls(model, facts, diagnostics);
}

/// A firewall sits where traffic passes (a forwarding or egress VPC), and every segment whose
/// internet traffic crosses one may reach at least one domain through it.
fn firewalls(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for vpc in model.vpcs.iter().filter(|v| v.reaches_internet()) {
        for route in vpc.transit_gateway_routes.iter().flatten() {
            if route.value.prefix_len() == 0 {
                diagnostics.push(
                    Diagnostic::error(
                        Code::RouteConflict,
                        route.span,
                        format!(
                            "vpc `{}` has internet egress, so its `0.0.0.0/0` goes to the internet gateway, not to the transit gateway",
                            vpc.name.value
                        ),
                    )
                    .with_help("list only the platform's prefixes in `transit_gateway_routes` (or leave it out: the prefixes its segment reaches)"),
                );
            }
        }
    }
    for (i, vpc) in model.vpcs.iter().enumerate() {
        let id = VpcId(i);
        let Some(firewall) = &vpc.firewall else {
            continue;
        };
        if !vpc.forwards() && !vpc.reaches_internet() {
            diagnostics.push(
                Diagnostic::error(
                    Code::FirewallOffPath,
                    firewall.span,
                    format!(
                        "vpc `{}` has a firewall, but no traffic passes through the VPC",
                        vpc.name.value
                    ),
                )
                .with_label(vpc.name.span, "neither `forwards = true` nor `internet_egress { }`")
                .with_help("declare the VPC `forwards = true` (an inspection VPC) or give it `internet_egress { }`, or remove the `firewall` block"),
            );
            continue;
        }
        if !vpc.reaches_internet() {
            continue;
        }
        let Some(exit) = facts
            .topology
            .attachments
            .iter()
            .position(|&a| a == AttachmentRef::Vpc(id))
            .map(AttachmentId)
        else {
            continue;
        };
        for table in facts.topology.topology.table_ids() {
            let crosses = facts
                .reach
                .internet_of_members(table)
                .iter()
                .any(|(_, r)| r.exits.contains(&exit));
            if !crosses {
                continue;
            }
            let segment_id = facts.topology.segment(table);
            let segment = model.segment(segment_id);
            if !allowed_domains(model, &vpc.name.value, firewall, segment_id).is_empty() {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    Code::NoAllowedDomain,
                    segment.name.span,
                    format!(
                        "segment `{}` reaches the internet through the firewall of vpc `{}`, which allows it no domain",
                        segment.name.value, vpc.name.value
                    ),
                )
                .with_label(firewall.span, "every established flow not allowed here is dropped")
                .with_help("list the domains the segment needs in its `allowed_domains` (or the firewall's), or declare it `internet = false` and remove its route to the egress VPC"),
            );
        }
    }
}

/// Segments that declare `internet`: a member reaching the internet against `internet = false` is
/// a leak; a member that cannot (or whose replies cannot come back) against `internet = true` is a
/// gap or an asymmetric path.
fn declared_internet(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    let topology = &facts.topology.topology;
    for table in topology.table_ids() {
        let segment_id = facts.topology.segment(table);
        let segment = model.segment(segment_id);
        let Some(declared) = &segment.internet else {
            continue;
        };
        let members = facts.reach.internet_of_members(table);
        let name = |a| model.attachment_address(facts.topology.attachment_ref(a));
        for (member, reach) in members {
            let member_name = name(member);
            let exits: Vec<String> = reach
                .exits
                .iter()
                .map(|&e| format!("`{}`", name(e)))
                .collect();
            let through: Vec<String> = reach
                .through
                .iter()
                .map(|&e| format!("`{}`", name(e)))
                .collect();
            let path = if through.is_empty() {
                exits.join(", ")
            } else {
                format!("{} after {}", exits.join(", "), through.join(", "))
            };
            match (declared.value, reach.reaches(), reach.replies) {
                (false, true, _) => diagnostics.push(
                    Diagnostic::error(
                        Code::Leak,
                        declared.span,
                        format!(
                            "`{member_name}` in segment `{}` reaches the internet through {path}, but the segment is declared `internet = false`",
                            segment.name.value
                        ),
                    )
                    .with_label(segment.name.span, "the segment is declared here")
                    .with_help("remove the route that carries the segment's traffic to the egress VPC, blackhole `0.0.0.0/0` in the segment, or declare `internet = true`"),
                ),
                (true, false, _) => diagnostics.push(
                    Diagnostic::error(
                        Code::Gap,
                        declared.span,
                        format!(
                            "`{member_name}` in segment `{}` has no path to the internet, but the segment is declared `internet = true`",
                            segment.name.value
                        ),
                    )
                    .with_label(segment.name.span, "the segment is declared here")
                    .with_help("add a route `0.0.0.0/0` in the segment to a VPC with `internet_egress { }`, and connect the segments so replies return"),
                ),
                (true, true, Extent::Partial | Extent::None) => diagnostics.push(
                    Diagnostic::error(
                        Code::Asymmetric,
                        declared.span,
                        format!(
                            "`{member_name}` in segment `{}` reaches the internet through {path}, but replies cannot all come back to it",
                            segment.name.value
                        ),
                    )
                    .with_label(segment.name.span, "the segment is declared here")
                    .with_help("the egress VPC's segment must reach this segment (`connects_to`), so its public subnets' routes and its gateway table carry the replies back"),
                ),
                _ => {}
            }
        }
    }
}

/// Routes whose target VPC drops what it does not own.
fn dead_ends(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for tgw in model.transit_gateways.iter() {
        for route in &tgw.routes {
            let RouteAction::Attachment(AttachmentRef::Vpc(id)) = route.action else {
                continue;
            };
            let vpc = model.vpc(id);
            if vpc.forwards() || vpc.reaches_internet() {
                continue;
            }
            // What the VPC neither owns nor sends back to the gateway is dropped inside it.
            let (_, outside) = partition(route.destination.value, &[vpc.cidr.value]);
            let sends = &facts.intent.vpc_routes[id.0];
            let dropped: Vec<Ipv4Net> = outside
                .into_iter()
                .flat_map(|o| partition(o, sends).1)
                .collect();
            let dropped = Ipv4Net::aggregate(&dropped);
            if dropped.is_empty() {
                continue;
            }
            let shown: Vec<String> = dropped.iter().take(3).map(|p| format!("`{p}`")).collect();
            let more = if dropped.len() > 3 {
                format!(" and {} more", dropped.len() - 3)
            } else {
                String::new()
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::DeadEndRoute,
                    route.name.span,
                    format!(
                        "route `{}` sends `{}` into vpc `{}`, which neither reaches the internet nor forwards",
                        route.name.value, route.destination.value, vpc.name.value
                    ),
                )
                .with_label(
                    vpc.name.span,
                    format!(
                        "this VPC drops {}{more}: no NAT or internet gateway, no route back to the gateway",
                        shown.join(", ")
                    ),
                )
                .with_help(format!(
                    "add `internet_egress {{ }}` to vpc `{}` for internet egress (AWS, \"Example: Centralized outbound routing to the internet\"), declare it `forwards = true` if it is an inspection or appliance VPC, or point the route at the destination's own attachment",
                    vpc.name.value
                )),
            );
        }
    }
}
