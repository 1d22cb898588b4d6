//! VPC CIDRs and interconnect `remote_cidrs` must not overlap when they can route to each other.
//!
//! Why: with two attachments announcing overlapping prefixes, the transit gateway sends the
//! overlapping addresses to one of them and the other silently loses that traffic. Ranges that the
//! intent keeps apart may overlap (tenants often reuse address space), which is only a warning.
//!
//! Example: vpc `a` `10.0.0.0/16` in segment `agents`, vpc `b` `10.0.1.0/24` in `shared`, with
//! `agents` connected to `shared`: an error at `b`'s CIDR, with a note at `a`'s.
//!
//! The check sorts every prefix once and sweeps it (CIDR blocks either nest or are disjoint), so it
//! costs O(n log n + overlaps), not a comparison of every pair.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{AttachmentRef, Model};
use crate::validate::Facts;
use ipnet::Ipv4Net;

struct Prefix {
    net: Ipv4Net,
    span: Span,
    owner: AttachmentRef,
}

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    let mut prefixes: Vec<Prefix> = Vec::new();
    for (i, vpc) in model.vpcs.iter().enumerate() {
        prefixes.push(Prefix {
            net: vpc.cidr.value,
            span: vpc.cidr.span,
            owner: AttachmentRef::Vpc(crate::model::VpcId(i)),
        });
    }
    for (i, interconnect) in model.interconnects.iter().enumerate() {
        for cidr in &interconnect.remote_cidrs {
            prefixes.push(Prefix {
                net: cidr.value,
                span: cidr.span,
                owner: AttachmentRef::Interconnect(crate::model::InterconnectId(i)),
            });
        }
    }
    // Enclosing prefixes sort before what they contain: by network address, then shorter first.
    prefixes.sort_by_key(|p| (p.net.network(), p.net.prefix_len(), p.span));
    let mut open: Vec<&Prefix> = Vec::new();
    for prefix in &prefixes {
        open.retain(|outer| outer.net.contains(&prefix.net));
        for outer in &open {
            if outer.owner != prefix.owner {
                report(model, outer, prefix, diagnostics);
            }
        }
        open.push(prefix);
    }
}

fn report(model: &Model, outer: &Prefix, inner: &Prefix, diagnostics: &mut Diagnostics) {
    let (a, b) = (model.segment_of(outer.owner), model.segment_of(inner.owner));
    let describe = |p: &Prefix| format!("{} `{}`", model.attachment_address(p.owner), p.net);
    // Report at the later of the two in the file, pointing back at the earlier one.
    let (here, there) = if inner.span >= outer.span {
        (inner, outer)
    } else {
        (outer, inner)
    };
    if model.intends_reachable(a, b) {
        let why = if a == b {
            format!("both are in segment `{}`", model.segment(a).name.value)
        } else {
            format!(
                "segments `{}` and `{}` are connected",
                model.segment(a).name.value,
                model.segment(b).name.value
            )
        };
        diagnostics.push(
            Diagnostic::error(
                Code::CidrOverlap,
                here.span,
                format!(
                    "{} overlaps {}, and they can route to each other: {why}",
                    describe(here),
                    describe(there)
                ),
            )
            .with_label(there.span, "the overlapping range")
            .with_help("give one of them a disjoint range"),
        );
    } else {
        let why = if a.tgw == b.tgw {
            "they cannot route to each other today, but connecting their segments would break both"
        } else {
            "they are attached to different transit gateways, so this only matters if the gateways are ever peered"
        };
        diagnostics.push(
            Diagnostic::warning(
                Code::CidrOverlap,
                here.span,
                format!("{} overlaps {}; {why}", describe(here), describe(there)),
            )
            .with_label(there.span, "the overlapping range"),
        );
    }
}
