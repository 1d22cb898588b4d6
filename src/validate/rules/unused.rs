//! Components nothing uses: segments without attachments, transit gateways without segments,
//! interconnects that reach no VPC.
//!
//! Why: they generate resources that carry no traffic, and are usually a leftover or the other half
//! of a typo (a VPC that names a misspelled segment is an error; the segment it meant becomes unused).
//!
//! Example: `segment "staging" {}` with no VPC or interconnect in it is a warning.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;
use crate::validate::graph::{Edge, Node};

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for (id, segment) in model.segments() {
        if facts.graph.members(id).is_empty() {
            let referenced = !facts
                .graph
                .incoming(Node::Segment(id), Edge::ConnectsTo)
                .is_empty();
            let mut d = Diagnostic::warning(
                Code::Unused,
                segment.name.span,
                format!("segment `{}` has no attachments", segment.name.value),
            );
            d = d.with_help(if referenced {
                "other segments connect to it, but no VPC or interconnect is in it; add one or remove the segment"
            } else {
                "add a VPC or interconnect with this `segment`, or remove it"
            });
            diagnostics.push(d);
        }
    }
    for interconnect in model.interconnects.iter() {
        let reaches_a_vpc = model
            .vpcs
            .iter()
            .any(|vpc| model.intends_reachable(interconnect.segment, vpc.segment));
        if !reaches_a_vpc {
            diagnostics.push(
                Diagnostic::warning(
                    Code::Unused,
                    interconnect.name.span,
                    format!(
                        "interconnect `{}` reaches no VPC: segment `{}` is connected to no segment with VPCs",
                        interconnect.name.value,
                        model.segment(interconnect.segment).name.value
                    ),
                )
                .with_help("its Direct Connect gateway would announce no AWS prefix to the partner; add the segment to a `connects_to`"),
            );
        }
    }
    for tgw in model.transit_gateways.iter() {
        if tgw.segments.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::Unused,
                    tgw.name.span,
                    format!("transit_gateway `{}` has no segments", tgw.name.value),
                )
                .with_help("add `segment \"NAME\" {}` blocks; each becomes a route table"),
            );
        }
    }
}
