//! Lowering: raw syntax → typed [`Model`]. This is the only place a model is built. It checks the
//! block structure against the schema, parses every value (CIDRs, versions, enums), resolves every
//! name, and scans every string for secrets. It never stops at the first problem: each block is
//! lowered independently and all diagnostics are collected. A model is returned only when no error
//! was found.

mod accounts;
mod audit;
mod identity;
mod ingress;
mod interconnect;
mod network;
mod payments;
mod platform;
mod reader;
mod secrets;
mod storage;

use crate::diag::{Code, Diagnostic, Diagnostics, Span, did_you_mean};
use crate::model::{
    AttachmentRef, InterconnectId, Model, Name, SegmentId, TgwId, TransitGateway, VpcId,
};
use crate::schema;
use crate::syntax::{Block, Body};
use reader::BlockReader;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Command-line overrides of what the blueprint says about provider targets.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--aws-provider VERSION`: replaces `aws_provider`.
    pub aws_provider: Option<String>,
    /// `--no-awscc`: forbids hashicorp/awscc whatever the blueprint allows.
    pub no_awscc: bool,
}

/// Lowers one parsed blueprint. Returns `None` when any error was reported.
pub fn lower(
    body: &Body,
    source: &str,
    overrides: &Overrides,
    diagnostics: &mut Diagnostics,
) -> Option<Model> {
    secrets::scan(body, diagnostics);

    let top = top_level_blocks(body, diagnostics);
    if top.is_empty() && !diagnostics.has_errors() {
        diagnostics.push(
            Diagnostic::error(
                Code::Empty,
                Span::START,
                format!("blueprint `{source}` declares nothing"),
            )
            .with_help("a blueprint needs at least a `platform \"NAME\" { ... }` block"),
        );
        return None;
    }

    let names = Names::collect(&top);
    let declared_accounts = accounts::declared(&top, diagnostics);
    let accounts_declared = top.iter().any(|b| b.block.ident == "account");
    let platform = platform::lower(&top, overrides, accounts_declared, diagnostics);
    let transit_gateways: Vec<TransitGateway> = top
        .iter()
        .filter(|b| b.block.ident == "transit_gateway")
        .map(|b| network::lower_transit_gateway(b, &names, diagnostics))
        .collect();
    let cx = Context {
        names: &names,
        transit_gateways: &transit_gateways,
    };
    let vpcs: Vec<_> = top
        .iter()
        .filter(|b| b.block.ident == "vpc")
        .filter_map(|b| network::lower_vpc(b, &cx, diagnostics))
        .collect();
    let interconnects: Vec<_> = top
        .iter()
        .filter(|b| b.block.ident == "interconnect")
        .filter_map(|b| interconnect::lower(b, &cx, diagnostics))
        .collect();

    let ingresses: Vec<_> = top
        .iter()
        .filter(|b| b.block.ident == "mcp_ingress")
        .filter_map(|b| ingress::lower(b, &names, diagnostics))
        .collect();
    // Kept in declaration order (`None` where a block did not lower) so that `allow` references
    // to access points resolve by the same index as names do.
    let s3_files: Vec<Option<_>> = top
        .iter()
        .filter(|b| b.block.ident == "s3_files")
        .map(|b| storage::lower(b, &names, diagnostics))
        .collect();
    let iam_roles: Vec<_> = top
        .iter()
        .filter(|b| b.block.ident == "iam_role")
        .filter_map(|b| identity::lower(b, &names, &s3_files, diagnostics))
        .collect();

    let payment_managers: Vec<_> = top
        .iter()
        .filter(|b| b.block.ident == "payment_manager")
        .filter_map(|b| payments::lower(b, &names, diagnostics))
        .collect();
    let audit_trail = audit::lower(&top, diagnostics);
    names.report_duplicates(diagnostics);

    if diagnostics.has_errors() {
        return None;
    }
    let vpc_tenants = vpcs
        .iter()
        .filter_map(|v| Some((v.name.value.clone(), v.tenant.clone()?)))
        .collect();
    let (mut platform, platform_account) = platform?;
    let s3_files = s3_files.into_iter().collect::<Option<Vec<_>>>()?;
    let accounts = accounts::place(
        &top,
        declared_accounts,
        platform_account,
        &mut accounts::Lowered {
            platform: &mut platform,
            interconnects: &interconnects,
            ingresses: &ingresses,
            s3_files: &s3_files,
        },
        diagnostics,
    )?;
    Some(Model {
        vpc_tenants,
        source: source.to_string(),
        platform,
        transit_gateways: std::sync::Arc::new(transit_gateways),
        vpcs: std::sync::Arc::new(vpcs),
        interconnects: std::sync::Arc::new(interconnects),
        ingresses,
        s3_files,
        iam_roles,
        payment_managers,
        audit_trail,
        accounts,
    })
}

/// A top-level block whose structure (known, supported, one valid name) has been checked.
pub(crate) struct TopBlock<'a> {
    pub block: &'a Block,
    pub name: Name,
}

fn top_level_blocks<'a>(body: &'a Body, diagnostics: &mut Diagnostics) -> Vec<TopBlock<'a>> {
    for attribute in &body.attributes {
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownAttribute,
                attribute.key_span,
                format!(
                    "attribute `{}` is not allowed at the top level of a blueprint",
                    attribute.key
                ),
            )
            .with_help("settings belong inside a block, such as `platform \"NAME\" { ... }`"),
        );
    }
    let mut out = Vec::new();
    for block in &body.blocks {
        if schema::ROOT.block(&block.ident).is_none() {
            let known = schema::ROOT.blocks.iter().map(|b| b.name);
            let help = did_you_mean(&block.ident, known.clone()).unwrap_or_else(|| {
                format!("blocks are {}", reader::list(&known.collect::<Vec<_>>()))
            });
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownBlock,
                    block.span,
                    format!("unknown block `{}`", block.ident),
                )
                .with_help(help),
            );
            continue;
        }
        if let Some(name) = single_label(block, diagnostics) {
            out.push(TopBlock { block, name });
        }
    }
    out
}

/// The one label of a named block, checked against the naming rule.
pub(crate) fn single_label(block: &Block, diagnostics: &mut Diagnostics) -> Option<Name> {
    if block.labels.len() != 1 {
        let span = block.labels.get(1).map_or(block.span, |l| l.span);
        diagnostics.push(
            Diagnostic::error(
                Code::Labels,
                span,
                format!(
                    "`{}` takes exactly one label (its name), found {}",
                    block.ident,
                    block.labels.len()
                ),
            )
            .with_help(format!("write `{} \"NAME\" {{ ... }}`", block.ident)),
        );
        return None;
    }
    let label = &block.labels[0];
    if !valid_name(&label.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidName,
                label.span,
                format!("`{}` is not a valid {} name", label.value, block.ident),
            )
            .with_help(format!(
                "names match `[a-z][a-z0-9-]{{0,62}}`; try `{}`",
                suggest_name(&label.value)
            )),
        );
        return None;
    }
    Some(Name {
        value: label.value.clone(),
        span: label.span,
    })
}

/// `[a-z][a-z0-9-]{0,62}`.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn suggest_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.starts_with(|c: char| !c.is_ascii_lowercase()) && !out.is_empty() {
        out.remove(0);
    }
    out.truncate(63);
    if out.is_empty() {
        "my-name".to_string()
    } else {
        out
    }
}

/// Every top-level name, by kind, with where it was declared: for duplicates, "did you mean" and
/// "wrong kind" diagnostics.
pub(crate) struct Names {
    /// Per kind, the declared names in order (for suggestions), and an index by name (for lookups:
    /// resolving n references costs O(n log n), not O(n²)).
    by_kind: BTreeMap<&'static str, Vec<Name>>,
    index: BTreeMap<(&'static str, String), usize>,
    /// Names declared twice: the kind, the second declaration, the first one's span.
    duplicates: Vec<(&'static str, Name, Span)>,
    /// Unknown names of a kind that has a duplicate: most likely what the duplicate was meant to be
    /// called. They are named in the duplicate's diagnostic instead of as errors of their own.
    unresolved: RefCell<BTreeMap<&'static str, BTreeSet<String>>>,
}

/// The kinds of top-level components that references can name.
pub(crate) const KINDS: [&str; 9] = [
    "platform",
    "account",
    "transit_gateway",
    "vpc",
    "interconnect",
    "mcp_ingress",
    "s3_files",
    "iam_role",
    "payment_manager",
];

impl Names {
    fn collect(top: &[TopBlock]) -> Names {
        let mut duplicates = Vec::new();
        let mut by_kind: BTreeMap<&'static str, Vec<Name>> = BTreeMap::new();
        let mut index: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
        for block in top {
            let Some(kind) = KINDS.iter().find(|k| **k == block.block.ident) else {
                continue;
            };
            let list = by_kind.entry(kind).or_default();
            if let Some(&first) = index.get(&(*kind, block.name.value.clone())) {
                duplicates.push((*kind, block.name.clone(), list[first].span));
            } else {
                index.insert((*kind, block.name.value.clone()), list.len());
                list.push(block.name.clone());
            }
        }
        Names {
            by_kind,
            index,
            duplicates,
            unresolved: RefCell::default(),
        }
    }

    /// Keeps an unknown reference quiet when its kind has a duplicate (see `unresolved`); whether
    /// it did.
    fn hide_behind_duplicate(&self, kind: &str, name: &str) -> bool {
        let Some(&(kind, _, _)) = self.duplicates.iter().find(|(k, _, _)| *k == kind) else {
            return false;
        };
        self.unresolved
            .borrow_mut()
            .entry(kind)
            .or_default()
            .insert(name.to_string());
        true
    }

    /// One diagnostic per name declared twice, labelled with the first declaration; the help names
    /// the references nothing declares (what the copy was probably meant to be called).
    fn report_duplicates(&self, diagnostics: &mut Diagnostics) {
        let unresolved = self.unresolved.borrow();
        for (kind, name, first) in &self.duplicates {
            let missing: Vec<String> = unresolved
                .get(kind)
                .into_iter()
                .flatten()
                .map(|n| format!("`{n}`"))
                .collect();
            let help = if missing.is_empty() {
                format!("rename one of them; {kind} names must be unique")
            } else {
                format!(
                    "rename one of them; {kind} names must be unique, and {} referenced but declared nowhere ({})",
                    if missing.len() == 1 {
                        "this name is"
                    } else {
                        "these names are"
                    },
                    missing.join(", ")
                )
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("{kind} `{}` is declared twice", name.value),
                )
                .with_label(*first, "first declared here")
                .with_help(help),
            );
        }
    }

    pub fn index_of(&self, kind: &str, name: &str) -> Option<usize> {
        let kind = KINDS.iter().find(|k| **k == kind)?;
        self.index.get(&(*kind, name.to_string())).copied()
    }

    pub fn names_of(&self, kind: &str) -> impl Iterator<Item = &str> {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|n| n.value.as_str())
    }

    /// The kinds (other than `expected`) that declare `name`.
    pub fn other_kinds(&self, expected: &str, name: &str) -> Vec<&'static str> {
        KINDS
            .iter()
            .copied()
            .filter(|k| *k != expected && self.index_of(k, name).is_some())
            .collect()
    }
}

/// What resolving references needs: the declared names and the lowered transit gateways.
pub(crate) struct Context<'a> {
    pub names: &'a Names,
    pub transit_gateways: &'a [TransitGateway],
}

impl Context<'_> {
    /// Where an attachment (VPC or interconnect) sits: its `transit_gateway` (named, or the only
    /// one) and its `segment` within that gateway.
    pub(crate) fn placement(
        &self,
        reader: &BlockReader,
        top: &TopBlock,
        diagnostics: &mut Diagnostics,
    ) -> (Option<TgwId>, Option<SegmentId>) {
        let named = reader.string("transit_gateway", diagnostics);
        let segment_name = reader.required_string("segment", "\"NAME\"", diagnostics);
        let tgw = self.transit_gateway(reader, named, diagnostics, top.name.span);
        let segment = match (tgw, &segment_name) {
            (Some(tgw), Some(name)) => self.segment(tgw, name, diagnostics),
            _ => None,
        };
        (tgw, segment)
    }

    /// The transit gateway a VPC or interconnect attaches to: the named one, or the only one.
    fn transit_gateway(
        &self,
        reader: &BlockReader,
        named: Option<crate::diag::Spanned<String>>,
        diagnostics: &mut Diagnostics,
        at: Span,
    ) -> Option<TgwId> {
        if let Some(named) = named {
            return match self
                .transit_gateways
                .iter()
                .position(|t| t.name.value == named.value)
            {
                Some(i) => Some(TgwId(i)),
                None => {
                    unknown_reference(
                        self.names,
                        "transit_gateway",
                        &named.value,
                        named.span,
                        diagnostics,
                    );
                    None
                }
            };
        }
        match self.transit_gateways.len() {
            1 => Some(TgwId(0)),
            0 => {
                // A missing or broken gateway was already reported when it did not lower.
                if self.names.names_of("transit_gateway").next().is_none() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::UnknownReference,
                            at,
                            format!(
                                "{} needs a transit gateway, but the blueprint declares none",
                                reader.owner()
                            ),
                        )
                        .with_help(
                            "add a `transit_gateway \"NAME\" { segment \"NAME\" {} }` block",
                        ),
                    );
                }
                None
            }
            _ => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Platform,
                        at,
                        format!(
                            "{} must name its transit gateway: the blueprint declares several",
                            reader.owner()
                        ),
                    )
                    .with_help("add `transit_gateway = \"NAME\"`"),
                );
                None
            }
        }
    }

    /// Resolves a segment name within one transit gateway.
    fn segment(
        &self,
        tgw: TgwId,
        name: &crate::diag::Spanned<String>,
        diagnostics: &mut Diagnostics,
    ) -> Option<SegmentId> {
        let gateway = &self.transit_gateways[tgw.0];
        resolve_segment(gateway, tgw, self.names, name, diagnostics)
    }
}

pub(crate) fn resolve_segment(
    gateway: &TransitGateway,
    tgw: TgwId,
    names: &Names,
    name: &crate::diag::Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<SegmentId> {
    if let Some(index) = gateway
        .segments
        .iter()
        .position(|s| s.name.value == name.value)
    {
        return Some(SegmentId { tgw, index });
    }
    let others = names.other_kinds("segment", &name.value);
    if let Some(kind) = others.first() {
        diagnostics.push(
            Diagnostic::error(
                Code::WrongKind,
                name.span,
                format!(
                    "`{}` is a {kind}, not a segment of transit gateway `{}`",
                    name.value, gateway.name.value
                ),
            )
            .with_help(segment_help(gateway, &name.value)),
        );
    } else {
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownReference,
                name.span,
                format!(
                    "unknown segment `{}` in transit gateway `{}`",
                    name.value, gateway.name.value
                ),
            )
            .with_help(segment_help(gateway, &name.value)),
        );
    }
    None
}

fn segment_help(gateway: &TransitGateway, name: &str) -> String {
    let names: Vec<&str> = gateway
        .segments
        .iter()
        .map(|s| s.name.value.as_str())
        .collect();
    did_you_mean(name, names.iter().copied())
        .unwrap_or_else(|| format!("segments are {}", reader::list(&names)))
}

/// Reports an unknown top-level name of `kind`, or that it exists as another kind.
pub(crate) fn unknown_reference(
    names: &Names,
    kind: &str,
    name: &str,
    span: Span,
    diagnostics: &mut Diagnostics,
) {
    let others = names.other_kinds(kind, name);
    if others.is_empty() && names.hide_behind_duplicate(kind, name) {
        return;
    }
    if let Some(other) = others.first() {
        diagnostics.push(Diagnostic::error(
            Code::WrongKind,
            span,
            format!("`{name}` is a {other}, not a {kind}"),
        ));
        return;
    }
    let mut d = Diagnostic::error(
        Code::UnknownReference,
        span,
        format!("unknown {kind} `{name}`"),
    );
    if let Some(help) = did_you_mean(name, names.names_of(kind)) {
        d = d.with_help(help);
    }
    diagnostics.push(d);
}

/// Resolves a plain name of an implied kind (`vpc = "mcp"`) to its index among that kind's blocks.
pub(crate) fn resolve(
    names: &Names,
    kind: &str,
    name: &crate::diag::Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<crate::diag::Spanned<usize>> {
    if let Some(index) = names.index_of(kind, &name.value) {
        return Some(crate::diag::Spanned::new(index, name.span));
    }
    unknown_reference(names, kind, &name.value, name.span, diagnostics);
    None
}

/// Resolves an attachment address `vpc.NAME` or `interconnect.NAME`.
pub(crate) fn resolve_attachment(
    names: &Names,
    address: &crate::diag::Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<AttachmentRef> {
    let Some((kind, name)) = address.value.split_once('.') else {
        let mut d = Diagnostic::error(
            Code::UnknownReference,
            address.span,
            format!("`{}` does not name an attachment", address.value),
        );
        let kinds = names.other_kinds("", &address.value);
        d = d.with_help(match kinds.first() {
            Some(kind) => format!("write `{kind}.{}`", address.value),
            None => "write `vpc.NAME` or `interconnect.NAME`".to_string(),
        });
        diagnostics.push(d);
        return None;
    };
    match kind {
        "vpc" => match names.index_of("vpc", name) {
            Some(i) => Some(AttachmentRef::Vpc(VpcId(i))),
            None => {
                unknown_reference(names, "vpc", name, address.span, diagnostics);
                None
            }
        },
        "interconnect" => match names.index_of("interconnect", name) {
            Some(i) => Some(AttachmentRef::Interconnect(InterconnectId(i))),
            None => {
                unknown_reference(names, "interconnect", name, address.span, diagnostics);
                None
            }
        },
        other => {
            let mut d = Diagnostic::error(
                Code::WrongKind,
                address.span,
                format!(
                    "`{}` is not an attachment: `{other}` cannot be a route target",
                    address.value
                ),
            );
            d = d.with_help(
                did_you_mean(other, ["vpc", "interconnect"]).unwrap_or_else(|| {
                    "route targets are `vpc.NAME` or `interconnect.NAME`".to_string()
                }),
            );
            diagnostics.push(d);
            None
        }
    }
}

/// Parses an IPv4 CIDR block; host bits must be zero.
pub(crate) fn parse_cidr(
    text: &crate::diag::Spanned<String>,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<crate::diag::Spanned<ipnet::Ipv4Net>> {
    match text.value.parse::<ipnet::Ipv4Net>() {
        Ok(net) if net.trunc() == net => Some(crate::diag::Spanned::new(net, text.span)),
        Ok(net) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Cidr,
                    text.span,
                    format!("{what} `{}` has host bits set", text.value),
                )
                .with_help(format!("did you mean `{}`?", net.trunc())),
            );
            None
        }
        Err(_) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Cidr,
                    text.span,
                    format!("{what} `{}` is not an IPv4 CIDR block", text.value),
                )
                .with_help("write `a.b.c.d/n`, for example `10.0.0.0/16`"),
            );
            None
        }
    }
}
