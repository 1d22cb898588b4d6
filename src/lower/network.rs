//! Lowering the network core: `transit_gateway` (with `segment` and `route`) and `vpc`.

use super::reader::BlockReader;
use super::{
    Context, Names, TopBlock, parse_cidr, resolve_attachment, resolve_segment, single_label,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use crate::model::endpoints;
use crate::model::{
    Firewall, InternetEgress, Name, Route, RouteAction, Segment, Subnets, TgwId, TransitGateway,
    Vpc,
};
use crate::schema;
use crate::syntax::Block;
use ipnet::Ipv4Net;

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
            internet: None,
            allowed_domains: Vec::new(),
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
        gateway.segments[index].internet = sr.bool("internet", diagnostics);
        gateway.segments[index].allowed_domains = domains(&sr, diagnostics);
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
    let dedicated = match (&cidr, &azs) {
        (Some(cidr), Some(azs)) => dedicated(&r, &top.name.value, cidr, azs.len(), diagnostics),
        _ => Dedicated::default(),
    };
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
        attachment_subnets: dedicated.attachment_subnets,
        internet_egress: dedicated.internet_egress,
        firewall: dedicated.firewall,
        endpoints,
        image_pulls,
    })
}

/// What a VPC's `attachment_subnets`, `internet_egress` and `firewall` declare.
#[derive(Default)]
struct Dedicated {
    attachment_subnets: Option<Subnets>,
    internet_egress: Option<InternetEgress>,
    firewall: Option<Firewall>,
}

/// The slots of carved `/28`s, counted per AZ from the top of the VPC CIDR.
const ATTACHMENT_SLOT: usize = 0;
const FIREWALL_SLOT: usize = 1;
const PUBLIC_SLOT: usize = 2;

/// The dedicated subnets of a VPC: listed, or carved as `/28`s from the top of its CIDR (per AZ,
/// from the top: the attachment subnets, the firewall subnets, the public subnets), each role in
/// its own fixed slot so that adding a firewall later moves nothing.
fn dedicated(
    r: &BlockReader,
    vpc: &str,
    cidr: &Spanned<Ipv4Net>,
    zones: usize,
    diagnostics: &mut Diagnostics,
) -> Dedicated {
    let egress_block = one_optional(r, "internet_egress", vpc, diagnostics);
    let firewall_block = one_optional(r, "firewall", vpc, diagnostics);
    let listed_attachment = subnet_list(r, "attachment_subnets", diagnostics);
    let carve = |slot: usize, at: Span, diagnostics: &mut Diagnostics| -> Option<Subnets> {
        let Some(subnets) = carve(cidr.value, zones, slot) else {
            diagnostics.push(
                Diagnostic::error(
                    Code::SubnetOutsideVpc,
                    at,
                    format!(
                        "vpc `{vpc}` (`{}`) has no room for {} more /28 subnets",
                        cidr.value, zones
                    ),
                )
                .with_label(cidr.span, "the VPC CIDR is set here")
                .with_help(
                    "list the subnets (`attachment_subnets`, `public_subnets`, the firewall's `subnets`; one per AZ), or widen the VPC CIDR",
                ),
            );
            return None;
        };
        Some(Subnets {
            subnets: subnets.into_iter().map(|n| Spanned::new(n, at)).collect(),
            carved: true,
        })
    };
    let internet_egress = egress_block.and_then(|block| {
        let owner = format!("the internet egress of vpc `{vpc}`");
        let er = BlockReader::new(block, &schema::INTERNET_EGRESS, owner, diagnostics);
        let public_subnets = match subnet_list(&er, "public_subnets", diagnostics) {
            Listed::Subnets(listed) => listed,
            Listed::Broken => return None,
            Listed::Absent => carve(PUBLIC_SLOT, block.span, diagnostics)?,
        };
        Some(InternetEgress {
            span: block.span,
            public_subnets,
        })
    });
    let firewall = firewall_block.and_then(|block| {
        let owner = format!("the firewall of vpc `{vpc}`");
        let fr = BlockReader::new(block, &schema::FIREWALL, owner, diagnostics);
        let subnets = match subnet_list(&fr, "subnets", diagnostics) {
            Listed::Subnets(listed) => listed,
            Listed::Broken => return None,
            Listed::Absent => carve(FIREWALL_SLOT, block.span, diagnostics)?,
        };
        let retention = fr.u32("log_retention_days", diagnostics);
        if let Some(days) = &retention
            && !LOG_RETENTION_DAYS.contains(&days.value)
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    days.span,
                    format!(
                        "`log_retention_days` = {} is not a retention CloudWatch Logs accepts",
                        days.value
                    ),
                )
                .with_help(format!("use one of {LOG_RETENTION_DAYS:?}")),
            );
        }
        Some(Firewall {
            span: block.span,
            subnets,
            allowed_domains: domains(&fr, diagnostics),
            log_retention_days: retention.map_or(DEFAULT_FLOW_LOG_RETENTION_DAYS, |d| d.value),
        })
    });
    let attachment_subnets = match listed_attachment {
        Listed::Subnets(listed) => Some(listed),
        Listed::Broken => None,
        Listed::Absent => {
            let needed_by = firewall_block.or(egress_block);
            needed_by.and_then(|block| carve(ATTACHMENT_SLOT, block.span, diagnostics))
        }
    };
    Dedicated {
        attachment_subnets,
        internet_egress,
        firewall,
    }
}

/// An optional block that may appear once.
fn one_optional<'a>(
    r: &BlockReader<'a>,
    ident: &'a str,
    vpc: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Block> {
    let blocks: Vec<&Block> = r.blocks(ident).collect();
    match blocks.as_slice() {
        [] => None,
        [one] => Some(one),
        [first, second, ..] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateAttribute,
                    second.span,
                    format!("vpc `{vpc}` has more than one `{ident}` block"),
                )
                .with_label(first.span, "first declared here"),
            );
            None
        }
    }
}

/// A listed subnet attribute.
enum Listed {
    Absent,
    /// An entry is not a CIDR (reported).
    Broken,
    Subnets(Subnets),
}

fn subnet_list(r: &BlockReader, key: &str, diagnostics: &mut Diagnostics) -> Listed {
    let Some(list) = r.string_list(key, diagnostics) else {
        return Listed::Absent;
    };
    let parsed: Vec<_> = list
        .iter()
        .map(|c| parse_cidr(c, "subnet", diagnostics))
        .collect();
    match parsed.into_iter().collect::<Option<Vec<_>>>() {
        Some(subnets) => Listed::Subnets(Subnets {
            subnets,
            carved: false,
        }),
        None => Listed::Broken,
    }
}

/// `allowed_domains`: DNS names as Network Firewall domain lists take them (`api.example.com`, or
/// `.example.com` for the domain and its subdomains), lower case.
fn domains(r: &BlockReader, diagnostics: &mut Diagnostics) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    for domain in r
        .string_list("allowed_domains", diagnostics)
        .unwrap_or_default()
    {
        let name = domain.value.strip_prefix('.').unwrap_or(&domain.value);
        let labels_ok = !name.is_empty()
            && name.len() <= 253
            && name.split('.').count() >= 2
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !labels_ok {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    domain.span,
                    format!("`{}` is not a domain a firewall allow-list takes", domain.value),
                )
                .with_help("write a lower-case DNS name (`api.example.com`), or `.example.com` for the domain and all its subdomains; no scheme, port, path or `*`"),
            );
            continue;
        }
        if out.iter().any(|d| d.value == domain.value) {
            diagnostics.push(Diagnostic::error(
                Code::DuplicateAttribute,
                domain.span,
                format!("domain `{}` is listed twice", domain.value),
            ));
            continue;
        }
        out.push(domain);
    }
    out
}

/// The `/28`s of one role (`slot`) carved from the top of a VPC CIDR, one per AZ in ascending
/// address order: slot 0 holds the topmost `zones` `/28`s, slot 1 the ones below, and so on. `None`
/// when the CIDR is too small (it must keep room below them for the VPC's own subnets).
pub fn carve(cidr: Ipv4Net, zones: usize, slot: usize) -> Option<Vec<Ipv4Net>> {
    if cidr.prefix_len() > 28 {
        return None;
    }
    let available = 1u64 << (28 - cidr.prefix_len());
    let needed = u64::try_from(zones * (slot + 1)).ok()?;
    if needed >= available {
        return None;
    }
    let top = u32::from(cidr.broadcast()) & !0xF;
    let nth = |k: usize| {
        let k = u32::try_from(k).expect("fewer /28s than the CIDR holds");
        Ipv4Net::new(std::net::Ipv4Addr::from(top - 16 * k), 28).expect("/28 is valid")
    };
    Some(
        (0..zones)
            .map(|z| nth(zones * (slot + 1) - 1 - z))
            .collect(),
    )
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
