//! BGP ASNs of transit gateways and Direct Connect gateways are private ASNs AWS accepts, and a
//! Direct Connect gateway's ASN differs from the transit gateway it is associated with.
//!
//! Why: AWS rejects ASNs outside 64512–65534 and 4200000000–4294967294 for these gateways, and
//! rejects the association when both sides share an ASN.
//!
//! Example: `dx_gateway_asn = 64512` next to `amazon_side_asn = 64512` is an error.

use crate::diag::{Code, Diagnostic, Diagnostics, Spanned};
use crate::model::Model;
use crate::validate::Facts;

fn private_asn(asn: u32) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

fn not_private(asn: &Spanned<u32>, owner: &str) -> Diagnostic {
    Diagnostic::error(
        Code::AwsReject,
        asn.span,
        format!("{owner} is not a private ASN"),
    )
    .with_help("use 64512–65534 or 4200000000–4294967294")
}

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for tgw in model.transit_gateways.iter() {
        let asn = &tgw.amazon_side_asn;
        if !private_asn(asn.value) {
            let owner = format!(
                "`amazon_side_asn` {} of transit_gateway `{}`",
                asn.value, tgw.name.value
            );
            diagnostics.push(not_private(asn, &owner));
        }
    }
    for interconnect in model.interconnects.iter() {
        let asn = &interconnect.dx_gateway_asn;
        let tgw = &model.transit_gateways[interconnect.transit_gateway.0];
        if !private_asn(asn.value) {
            let owner = format!(
                "`dx_gateway_asn` {} of interconnect `{}`",
                asn.value, interconnect.name.value
            );
            diagnostics.push(not_private(asn, &owner));
        } else if asn.value == tgw.amazon_side_asn.value {
            diagnostics.push(
                Diagnostic::error(
                    Code::AwsReject,
                    asn.span,
                    format!(
                        "interconnect `{}` uses ASN {} for its Direct Connect gateway, the same as transit_gateway `{}`",
                        interconnect.name.value, asn.value, tgw.name.value
                    ),
                )
                .with_label(tgw.amazon_side_asn.span, "the transit gateway's ASN")
                .with_help("AWS rejects associating gateways that share an ASN; pick another private ASN"),
            );
        }
    }
}
