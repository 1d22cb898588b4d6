//! Lowering `interconnect` blocks (AWS Interconnect - multicloud).

use super::reader::BlockReader;
use super::{Context, TopBlock, parse_cidr};
use crate::diag::{Code, Diagnostic, Diagnostics, Spanned, did_you_mean};
use crate::model::{Interconnect, Partner};
use crate::schema;

pub(super) fn lower(
    top: &TopBlock,
    cx: &Context,
    diagnostics: &mut Diagnostics,
) -> Option<Interconnect> {
    let owner = format!("interconnect `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::INTERCONNECT, owner, diagnostics);

    let partner = r
        .required_string("partner", "\"google_cloud\"", diagnostics)
        .and_then(|p| {
            let found = Partner::ALL
                .iter()
                .find(|(name, _)| *name == p.value)
                .map(|(_, partner)| *partner);
            if found.is_none() {
                let names = Partner::ALL.map(|(name, _)| name);
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        p.span,
                        format!("unknown interconnect partner `{}`", p.value),
                    )
                    .with_help(did_you_mean(&p.value, names).unwrap_or_else(
                        || "partners are `google_cloud`, `oracle_cloud` and `azure`".to_string(),
                    )),
                );
            }
            found.map(|partner| Spanned::new(partner, p.span))
        });
    let bandwidth = r.required_string("bandwidth", "\"1Gbps\"", diagnostics);
    if let Some(b) = &bandwidth
        && !valid_bandwidth(&b.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                b.span,
                format!("bandwidth `{}` is not a bandwidth", b.value),
            )
            .with_help("write a number followed by `Mbps` or `Gbps`, such as `1Gbps`"),
        );
    }
    let remote_cidrs: Option<Vec<_>> = r
        .required_string_list("remote_cidrs", "[\"172.16.0.0/16\"]", diagnostics)
        .map(|list| {
            list.iter()
                .map(|c| parse_cidr(c, "remote CIDR", diagnostics))
                .collect::<Vec<_>>()
        })
        .and_then(|parsed| parsed.into_iter().collect());
    let asn = r.required_u32("dx_gateway_asn", "64513", diagnostics);
    let environment_id = r.string("environment_id", diagnostics);
    let (tgw, segment) = cx.placement(&r, top, diagnostics);
    Some(Interconnect {
        name: top.name.clone(),
        transit_gateway: tgw?,
        segment: segment?,
        partner: partner?,
        bandwidth: bandwidth?,
        remote_cidrs: remote_cidrs?,
        dx_gateway_asn: asn?,
        environment_id: environment_id.map(|e| e.value),
    })
}

/// `50Mbps`, `1Gbps`, `10Gbps`, ...
fn valid_bandwidth(text: &str) -> bool {
    let digits = text.trim_end_matches("Mbps").trim_end_matches("Gbps");
    digits.len() < text.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}
