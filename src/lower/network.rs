//! Lowering the network core: `transit_gateway` (with `segment` and `route`) and `vpc`.

use super::reader::BlockReader;
use super::{
    Context, Names, TopBlock, parse_cidr, resolve_attachment, resolve_segment, single_label,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Spanned, did_you_mean};
use crate::model::endpoints;
use crate::model::{Name, Route, RouteAction, Segment, TgwId, TransitGateway, Vpc};
use crate::schema;

/// The transit gateway's BGP ASN when the blueprint does not say.
pub const DEFAULT_AMAZON_SIDE_ASN: u32 = 64512;
/// Days VPC flow logs are kept when the blueprint does not say (a year, as security reviews expect).
pub const DEFAULT_FLOW_LOG_RETENTION_DAYS: u32 = 365;
/// The retention periods CloudWatch Logs accepts.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

pub(super) fn lower_transit_gateway(
    top: &TopBlock,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> TransitGateway {
    let owner = format!("transit_gateway `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::TRANSIT_GATEWAY, owner, diagnostics);
    let asn = r
        .u32("amazon_side_asn", diagnostics)
        .unwrap_or_else(|| Spanned::new(DEFAULT_AMAZON_SIDE_ASN, top.name.span));
    let description = r.string("description", diagnostics).map(|d| d.value);
    let derive_blackholes = r
        .bool("derive_blackholes", diagnostics)
        .unwrap_or_else(|| Spanned::new(true, top.name.span));

    // Segments first (names only), so that `connects_to` and routes can name any of them.
    let mut segment_blocks = Vec::new();
    let mut segments: Vec<Segment> = Vec::new();
    for block in r.blocks("segment") {
        let Some(name) = single_label(block, diagnostics) else {
            continue;
        };
        if let Some(first) = segments.iter().find(|s| s.name.value == name.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!(
                        "segment `{}` is declared twice in transit_gateway `{}`",
                        name.value, top.name.value
                    ),
                )
                .with_label(first.name.span, "first declared here"),
            );
            continue;
        }
        segments.push(Segment {
            name,
            connects_to: Vec::new(),
            isolated: false,
        });
        segment_blocks.push(block);
    }
    let mut gateway = TransitGateway {
        name: top.name.clone(),
        amazon_side_asn: asn,
        description,
        segments,
        routes: Vec::new(),
        derive_blackholes,
    };
    // The gateway's index is only needed for ids; lowering fixes it up once all gateways exist.
    let tgw = TgwId(
        names
            .index_of("transit_gateway", &top.name.value)
            .unwrap_or(0),
    );

    for (index, block) in segment_blocks.into_iter().enumerate() {
        let owner = format!("segment `{}`", gateway.segments[index].name.value);
        let sr = BlockReader::new(block, &schema::SEGMENT, owner, diagnostics);
        let isolated = sr.bool("isolated", diagnostics).is_some_and(|b| b.value);
        let mut connects_to: Vec<Spanned<_>> = Vec::new();
        for target in sr
            .string_list("connects_to", diagnostics)
            .unwrap_or_default()
        {
            let Some(id) = resolve_segment(&gateway, tgw, names, &target, diagnostics) else {
                continue;
            };
            if id.index == index {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        target.span,
                        format!("segment `{}` lists itself in `connects_to`", target.value),
                    )
                    .with_help("members of a segment reach each other unless it is `isolated`; remove the entry"),
                );
            } else if connects_to.iter().any(|c| c.value == id) {
                diagnostics.push(Diagnostic::error(
                    Code::DuplicateAttribute,
                    target.span,
                    format!(
                        "segment `{}` is listed twice in `connects_to`",
                        target.value
                    ),
                ));
            } else {
                connects_to.push(Spanned::new(id, target.span));
            }
        }
        gateway.segments[index].isolated = isolated;
        gateway.segments[index].connects_to = connects_to;
    }

    let mut routes: Vec<Route> = Vec::new();
    for block in r.blocks("route") {
        let Some(name) = single_label(block, diagnostics) else {
            continue;
        };
        if let Some(first) = routes.iter().find(|route| route.name.value == name.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!(
                        "route `{}` is declared twice in transit_gateway `{}`",
                        name.value, top.name.value
                    ),
                )
                .with_label(first.name.span, "first declared here"),
            );
            continue;
        }
        if let Some(route) = lower_route(block, name, &gateway, tgw, names, diagnostics) {
            routes.push(route);
        }
    }
    gateway.routes = routes;
    gateway
}

fn lower_route(
    block: &crate::syntax::Block,
    name: Name,
    gateway: &TransitGateway,
    tgw: TgwId,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> Option<Route> {
    let r = BlockReader::new(
        block,
        &schema::ROUTE,
        format!("route `{}`", name.value),
        diagnostics,
    );
    let segment = r
        .required_string("segment", "\"NAME\"", diagnostics)
        .and_then(|s| resolve_segment(gateway, tgw, names, &s, diagnostics));
    let destination = r
        .required_string("destination", "\"0.0.0.0/0\"", diagnostics)
        .and_then(|d| parse_cidr(&d, "destination", diagnostics));
    let target = r.string("target", diagnostics);
    let blackhole = r.bool("blackhole", diagnostics);
    let action = match (target, blackhole) {
        (Some(target), Some(b)) if b.value => {
            diagnostics.push(
                Diagnostic::error(
                    Code::RouteConflict,
                    target.span,
                    format!(
                        "route `{}` has both a `target` and `blackhole = true`",
                        name.value
                    ),
                )
                .with_help("a route either forwards to an attachment or drops traffic; remove one"),
            );
            None
        }
        (Some(target), _) => {
            resolve_attachment(names, &target, diagnostics).map(RouteAction::Attachment)
        }
        (None, Some(b)) if b.value => Some(RouteAction::Blackhole),
        (None, _) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::RouteConflict,
                    name.span,
                    format!("route `{}` has no `target`", name.value),
                )
                .with_help(
                    "add `target = \"vpc.NAME\"` (or `interconnect.NAME`), or `blackhole = true`",
                ),
            );
            None
        }
    };
    Some(Route {
        name,
        segment: segment?,
        destination: destination?,
        action: action?,
    })
}

pub(super) fn lower_vpc(
    top: &TopBlock,
    cx: &Context,
    diagnostics: &mut Diagnostics,
) -> Option<Vpc> {
    let owner = format!("vpc `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::VPC, owner, diagnostics);
    let cidr = r
        .required_string("cidr", "\"10.0.0.0/16\"", diagnostics)
        .and_then(|c| parse_cidr(&c, "cidr", diagnostics));
    if let Some(cidr) = &cidr
        && !(16..=28).contains(&cidr.value.prefix_len())
    {
        diagnostics.push(Diagnostic::error(
            Code::AwsReject,
            cidr.span,
            format!(
                "vpc `{}` has a /{} CIDR; AWS accepts /16 to /28",
                top.name.value,
                cidr.value.prefix_len()
            ),
        ));
    }
    let azs = r.required_string_list("azs", "[\"us-east-1a\", \"us-east-1b\"]", diagnostics);
    let subnets: Option<Vec<_>> = r
        .required_string_list("subnets", "[\"10.0.0.0/24\", \"10.0.1.0/24\"]", diagnostics)
        .map(|list| {
            list.iter()
                .map(|s| parse_cidr(s, "subnet", diagnostics))
                .collect::<Vec<_>>()
        })
        .and_then(|parsed| parsed.into_iter().collect());
    let tenant = r.string("tenant", diagnostics).map(|t| t.value);
    let forwards = r.bool("forwards", diagnostics);
    let retention = r.u32("flow_log_retention_days", diagnostics);
    if let Some(days) = &retention
        && !LOG_RETENTION_DAYS.contains(&days.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                days.span,
                format!(
                    "`flow_log_retention_days` = {} is not a retention CloudWatch Logs accepts",
                    days.value
                ),
            )
            .with_help(format!("use one of {LOG_RETENTION_DAYS:?}")),
        );
    }
    let transit_gateway_routes: Option<Option<Vec<_>>> = r
        .string_list("transit_gateway_routes", diagnostics)
        .map(|list| {
            let parsed: Vec<_> = list
                .iter()
                .map(|c| parse_cidr(c, "transit gateway route", diagnostics))
                .collect();
            parsed.into_iter().collect()
        });
    let (tgw, segment) = cx.placement(&r, top, diagnostics);
    let endpoints = endpoint_list(&r, diagnostics);
    let image_pulls = r.bool("image_pulls", diagnostics);
    Some(Vpc {
        name: top.name.clone(),
        cidr: cidr?,
        azs: azs?,
        subnets: subnets?,
        transit_gateway: tgw?,
        segment: segment?,
        tenant,
        flow_log_retention_days: retention.map_or(DEFAULT_FLOW_LOG_RETENTION_DAYS, |d| d.value),
        transit_gateway_routes: match transit_gateway_routes {
            None => None,
            Some(parsed) => Some(parsed?),
        },
        forwards,
        endpoints,
        image_pulls,
    })
}

/// A VPC's explicit `endpoints`: every name from the catalogue, each once.
fn endpoint_list(
    r: &BlockReader,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Spanned<&'static str>>> {
    let list = r.string_list("endpoints", diagnostics)?;
    let mut out: Vec<Spanned<&'static str>> = Vec::new();
    for name in &list {
        let Some(service) = endpoints::service(&name.value) else {
            let known = endpoints::CATALOGUE.iter().map(|s| s.name);
            let help = did_you_mean(&name.value, known).unwrap_or_else(|| {
                let names: Vec<&str> = endpoints::CATALOGUE.iter().map(|s| s.name).collect();
                format!("known services are {}", names.join(", "))
            });
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    name.span,
                    format!(
                        "`{}` is not an interface endpoint service agentform knows",
                        name.value
                    ),
                )
                .with_help(help),
            );
            continue;
        };
        if let Some(first) = out.iter().find(|s| s.value == service.name) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("endpoint `{}` is listed twice", name.value),
                )
                .with_label(first.span, "first listed here"),
            );
            continue;
        }
        out.push(Spanned::new(service.name, name.span));
    }
    Some(out)
}
