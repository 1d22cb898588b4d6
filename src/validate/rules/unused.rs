//! Components nothing uses: segments without attachments, transit gateways without segments.
//!
//! Why: they generate resources that carry no traffic, and are usually a leftover or the other half
//! of a typo (a VPC that names a misspelled segment is an error; the segment it meant becomes unused).
//!
//! Example: `segment "staging" {}` with no VPC or interconnect in it is a warning.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::ComponentGraph;
use crate::validate::graph::{Edge, Node};

pub fn check(model: &Model, graph: &ComponentGraph, diagnostics: &mut Diagnostics) {
    for (id, segment) in model.segments() {
        if graph.members(id).is_empty() {
            let referenced = !graph
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
    for tgw in &model.transit_gateways {
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
