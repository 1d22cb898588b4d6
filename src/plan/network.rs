//! The network core's Terraform view: transit gateways with one route table per segment, VPCs with
//! subnets, flow logs, a locked-down default security group and a route table toward the gateway,
//! VPC attachments with their association and derived propagations, and static routes.
//!
//! Segregation is decided here, once: each attachment is associated with exactly its segment's
//! table, and propagates into a table only when the intent lets that table's segment reach it.

use super::Ref;
use super::egress;
use super::labels::{LabelSpace, Resource};
use super::layout::Scope;
use super::naming::{self, TAG_SEGMENT, TAG_TRANSIT_GATEWAY, Tags, tags};
use crate::model::{AttachmentRef, Model, RouteAction, SegmentId, TgwId, VpcId};
use crate::segregation::Intent;
use crate::segregation::report::ReachReport;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct NetworkView {
    pub transit_gateways: Vec<TgwView>,
    /// The RAM shares this stack accepts (an account outside the organization attaching to a
    /// gateway of another account).
    pub share_accepters: Vec<ShareAccepterView>,
    pub flow_logs: Option<FlowLogsView>,
    /// The VPCs this stack creates or routes from, in blueprint order (`vpc` finds one by id).
    pub vpcs: Vec<VpcView>,
    /// Per blueprint VPC, its index in `vpcs` when this stack has it.
    #[serde(skip)]
    pub vpc_slots: Vec<Option<usize>>,
    /// The owner's acceptance and tags of attachments from other accounts.
    pub accepters: Vec<AccepterView>,
    pub associations: Vec<LinkView>,
    pub propagations: Vec<LinkView>,
    pub routes: Vec<TgwRouteView>,
    /// Propagations of interconnect attachments: written by `interconnect.tf`, next to the data
    /// source their attachment id comes from.
    #[serde(skip)]
    pub interconnect_propagations: Vec<LinkView>,
    /// The VPC prefixes each segment's table can reach (for an interconnect's allowed prefixes).
    #[serde(skip)]
    pub reachable_vpc_prefixes: BTreeMap<SegmentId, Vec<Ipv4Net>>,
    /// Per blueprint VPC, its attachment id as this stack refers to it (`Scope::attachment_id`).
    #[serde(skip)]
    pub attachment_ids: Vec<Option<Ref>>,
}

impl NetworkView {
    pub fn is_empty(&self) -> bool {
        self.transit_gateways
            .iter()
            .all(|t| !t.create && t.route_tables.is_empty())
            && self.vpcs.is_empty()
            && self.associations.is_empty()
            && self.propagations.is_empty()
            && self.routes.is_empty()
    }

    /// A VPC of this stack.
    pub fn vpc(&self, id: crate::model::VpcId) -> &VpcView {
        &self.vpcs[self.vpc_slots[id.0].expect("a VPC of this stack")]
    }

    /// A segment's route table, as claimed.
    pub fn route_table(&self, segment: SegmentId) -> &Resource {
        &self.transit_gateways[segment.tgw.0].route_tables[segment.index].label
    }

    /// The transit gateway attachment id of a VPC (from its claimed attachment) or of an
    /// interconnect (the data source `interconnect.tf` reads it from).
    pub fn attachment_id(&self, model: &Model, attachment: AttachmentRef) -> Ref {
        match attachment {
            AttachmentRef::Vpc(id) => self.attachment_ids[id.0]
                .clone()
                .expect("an attachment this stack refers to"),
            AttachmentRef::Interconnect(_) => attachment_id(model, attachment),
        }
    }
}

/// A slice of the network view: `network.tf` renders in parts of at most this many VPCs, so that a
/// large platform's file expands on every core.
const VPCS_PER_PART: usize = 500;

#[derive(Serialize)]
pub struct NetworkPart<'a> {
    pub transit_gateways: &'a [TgwView],
    pub share_accepters: &'a [ShareAccepterView],
    pub flow_logs: Option<&'a FlowLogsView>,
    pub vpcs: &'a [VpcView],
    pub accepters: &'a [AccepterView],
    pub associations: &'a [LinkView],
    pub propagations: &'a [LinkView],
    pub routes: &'a [TgwRouteView],
}

/// The view in parts, in template order: gateways and flow logs with the first VPCs, more VPCs,
/// then the links and routes with the last VPCs.
pub fn parts(view: &NetworkView) -> Vec<NetworkPart<'_>> {
    let chunks: Vec<&[VpcView]> = if view.vpcs.is_empty() {
        vec![&[]]
    } else {
        view.vpcs.chunks(VPCS_PER_PART).collect()
    };
    let last = chunks.len() - 1;
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, vpcs)| NetworkPart {
            transit_gateways: if i == 0 { &view.transit_gateways } else { &[] },
            share_accepters: if i == 0 { &view.share_accepters } else { &[] },
            flow_logs: if i == 0 {
                view.flow_logs.as_ref()
            } else {
                None
            },
            vpcs,
            accepters: if i == last { &view.accepters } else { &[] },
            associations: if i == last { &view.associations } else { &[] },
            propagations: if i == last { &view.propagations } else { &[] },
            routes: if i == last { &view.routes } else { &[] },
        })
        .collect()
}

#[derive(Serialize)]
pub struct TgwView {
    pub label: Resource,
    /// Whether this stack creates the gateway (its owner's build stack).
    pub create: bool,
    pub description: String,
    pub amazon_side_asn: u32,
    pub tags: Tags,
    /// The segments' route tables, when this stack holds the gateway's routing.
    pub route_tables: Vec<RouteTableView>,
    /// The RAM share of a gateway other accounts attach to, created with the gateway.
    pub share: Option<ShareView>,
}

/// A gateway's RAM share: the gateway, and exactly the accounts (or their organizational units)
/// that attach to it (Transit Gateways guide, "Sharing a transit gateway"; `provider-facts.md`
/// §9.4).
#[derive(Serialize)]
pub struct ShareView {
    pub label: Resource,
    pub association: Resource,
    pub name: String,
    /// True when an attached account is outside the organization (shared by account id).
    pub allow_external_principals: bool,
    pub principals: Vec<SharePrincipalView>,
    pub tags: Tags,
    pub share_arn: Ref,
    pub gateway_arn: Ref,
}

#[derive(Serialize)]
pub struct SharePrincipalView {
    pub label: Resource,
    /// An account id, or an organizational unit's ARN.
    pub principal: String,
    /// The accounts it stands for, for the comment.
    pub accounts: Vec<String>,
}

/// An account outside the organization accepts a share before it can attach.
#[derive(Serialize)]
pub struct ShareAccepterView {
    pub label: Resource,
    pub transit_gateway: String,
    pub share_arn: Ref,
}

/// The owner accepts an attachment from another account and tags it in its own account (tags the
/// creating account sets are not visible to the owner), so `propagation` maps it by tags there.
#[derive(Serialize)]
pub struct AccepterView {
    pub label: Resource,
    pub vpc: String,
    pub account: String,
    pub attachment_id: Ref,
    pub accepted_id: Ref,
    /// One `aws_ec2_tag` per tag of the attachment.
    pub tags: Vec<AttachmentTagView>,
}

#[derive(Serialize)]
pub struct AttachmentTagView {
    pub label: Resource,
    pub key: String,
    pub value: String,
}

#[derive(Serialize)]
pub struct RouteTableView {
    pub label: Resource,
    pub segment: String,
    pub transit_gateway: Ref,
    pub tags: Tags,
}

/// The shared pieces of VPC flow logging: the role the service assumes and the KMS key that encrypts
/// the log groups.
#[derive(Serialize)]
pub struct FlowLogsView {
    /// Whose VPCs share them: the platform's, or one account's (a stack per account).
    pub of: String,
    pub labels: FlowLogsLabels,
    pub role_name: String,
    pub account_id: String,
    /// The flow logs of this account and region (`aws:SourceArn` of the delivery role's trust).
    pub flow_log_arn_pattern: String,
    pub log_group_arns: Vec<String>,
    pub key_description: String,
    pub account_root: String,
    pub logs_principal: String,
    pub log_group_arn_pattern: String,
}

/// The flow logs' role, its documents and key, and the references between them.
#[derive(Serialize)]
pub struct FlowLogsLabels {
    pub assume_document: Resource,
    pub role: Resource,
    pub policy_document: Resource,
    pub policy: Resource,
    pub key_document: Resource,
    pub key: Resource,
    pub assume_json: Ref,
    pub role_id: Ref,
    pub policy_json: Ref,
    pub key_json: Ref,
}

#[derive(Serialize)]
pub struct VpcView {
    pub label: Resource,
    /// Whether this stack creates the VPC (everything but its routes toward the gateway, which
    /// wait for the attachment's acceptance when the gateway is another account's).
    pub create: bool,
    pub default_security_group: Resource,
    pub route_table: Resource,
    pub log_group: Resource,
    pub flow_log: Resource,
    pub vpc_id: Ref,
    pub route_table_id: Ref,
    pub log_group_arn: Ref,
    /// The shared flow logs key and role (written once, with the first part).
    pub flow_logs_key_arn: Ref,
    pub flow_logs_role_arn: Ref,
    pub cidr: String,
    pub tags: Tags,
    pub subnets: Vec<SubnetView>,
    pub log_group_name: String,
    pub retention_days: u32,
    pub attachment: AttachmentView,
    pub routes: Vec<VpcRouteView>,
    /// The dedicated subnets (attachment, firewall, public) and what their tables send through
    /// (`plan::egress`).
    pub dedicated: Option<egress::DedicatedView>,
}

#[derive(Serialize)]
pub struct SubnetView {
    pub label: Resource,
    /// Its `aws_route_table_association`.
    pub association: Resource,
    pub subnet_id: Ref,
    pub cidr: String,
    pub az: String,
    pub tags: Tags,
}

#[derive(Serialize)]
pub struct AttachmentView {
    pub label: Resource,
    pub transit_gateway: Ref,
    pub subnet_ids: Vec<Ref>,
    pub tags: Tags,
    /// `"enable"` for a VPC that forwards between attachments (`forwards = true`).
    pub appliance_mode_support: Option<&'static str>,
    /// An attachment to another account's gateway: the default route-table arguments are left
    /// out (they do nothing across accounts and never settle, provider issue #8383).
    pub cross_account: bool,
    /// The share accepter it waits for.
    pub after: Option<Ref>,
}

#[derive(Serialize)]
pub struct VpcRouteView {
    pub label: Resource,
    /// The VPC's attachment, which the route waits for (in the same stack; a routes stack comes
    /// after the acceptance in the manifest's order instead).
    pub attachment: Option<Ref>,
    pub destination: String,
    pub transit_gateway: Ref,
}

/// An association or a propagation: an attachment and a route table.
#[derive(Serialize, Clone)]
pub struct LinkView {
    pub label: Resource,
    pub attachment: Ref,
    pub route_table: Ref,
}

#[derive(Serialize)]
pub struct TgwRouteView {
    pub label: Resource,
    pub route_table: Ref,
    pub destination: String,
    pub attachment: Option<Ref>,
    pub blackhole: bool,
    /// Why a derived route exists (written as a comment above it); `None` for a blueprint route.
    pub reason: Option<String>,
}

/// The Terraform reference to an attachment's transit gateway attachment id.
pub fn attachment_id(model: &Model, attachment: AttachmentRef) -> Ref {
    match attachment {
        AttachmentRef::Vpc(id) => Ref::attr(
            "aws_ec2_transit_gateway_vpc_attachment",
            &naming::snake(&model.vpc(id).name.value),
            "id",
        ),
        AttachmentRef::Interconnect(id) => Ref::new(format!(
            "data.aws_ec2_transit_gateway_dx_gateway_attachment.{}.id",
            naming::snake(&model.interconnect(id).name.value)
        )),
    }
}

/// The label of a segment's route table.
pub fn route_table_label(model: &Model, segment: SegmentId) -> String {
    let tgw = &model.transit_gateways[segment.tgw.0];
    naming::segment_label(&tgw.name.value, &model.segment(segment).name.value)
}

pub fn route_table_id(model: &Model, segment: SegmentId) -> Ref {
    Ref::attr(
        "aws_ec2_transit_gateway_route_table",
        &route_table_label(model, segment),
        "id",
    )
}

/// `vpc_agents`, `interconnect_gcp`: an attachment's part of association and propagation labels.
pub fn attachment_label(model: &Model, attachment: AttachmentRef) -> String {
    naming::snake(&model.attachment_address(attachment).replace('.', "_"))
}

pub fn plan(
    model: &Model,
    intent: &Intent,
    reach: &ReachReport,
    labels: &mut LabelSpace,
    scope: &Scope,
) -> NetworkView {
    let transit_gateways = model
        .transit_gateways
        .iter()
        .enumerate()
        .map(|(index, tgw)| {
            let g = TgwId(index);
            let owner = labels.owner(
                format!("transit_gateway `{}`", tgw.name.value),
                tgw.name.span,
            );
            let label = labels.claim(
                owner,
                "aws_ec2_transit_gateway",
                naming::snake(&tgw.name.value),
            );
            let tgw_ref = scope.tgw_id(g);
            let create = scope.gateway(g);
            let share = (create && model.accounts.is_shared(model, g))
                .then(|| share(model, g, owner, &label, labels));
            let routing = scope.routing(g);
            TgwView {
                create,
                share,
                description: tgw.description.clone().unwrap_or_else(|| {
                    format!(
                        "{} {} transit gateway {}",
                        model.platform.name.value, model.platform.environment, tgw.name.value
                    )
                }),
                amazon_side_asn: tgw.amazon_side_asn.value,
                tags: tags(
                    model,
                    &tgw.name.value,
                    &format!("transit_gateway.{}", tgw.name.value),
                ),
                route_tables: tgw
                    .segments
                    .iter()
                    .filter(|_| routing)
                    .map(|segment| {
                        let mut t = tags(
                            model,
                            &format!("{}-{}", tgw.name.value, segment.name.value),
                            &format!(
                                "transit_gateway.{}.segment.{}",
                                tgw.name.value, segment.name.value
                            ),
                        );
                        t.insert(TAG_SEGMENT.to_string(), segment.name.value.clone());
                        t.insert(TAG_TRANSIT_GATEWAY.to_string(), tgw.name.value.clone());
                        let owner = labels.owner(
                            format!(
                                "segment `{}` of transit_gateway `{}`",
                                segment.name.value, tgw.name.value
                            ),
                            segment.name.span,
                        );
                        RouteTableView {
                            label: labels.claim(
                                owner,
                                "aws_ec2_transit_gateway_route_table",
                                naming::segment_label(&tgw.name.value, &segment.name.value),
                            ),
                            segment: segment.name.value.clone(),
                            transit_gateway: tgw_ref.clone(),
                            tags: t,
                        }
                    })
                    .collect(),
                label,
            }
        })
        .collect();

    let propagations = &intent.propagations;
    let mut reachable: BTreeMap<SegmentId, Vec<Ipv4Net>> = BTreeMap::new();
    let mut vpc_propagations = Vec::new();
    let mut interconnect_propagations = Vec::new();
    for &(table, attachment) in propagations {
        if let AttachmentRef::Vpc(id) = attachment {
            reachable
                .entry(table)
                .or_default()
                .push(model.vpc(id).cidr.value);
        }
        if !scope.routing(table.tgw) {
            continue;
        }
        let span = match attachment {
            AttachmentRef::Vpc(id) => model.vpc(id).name.span,
            AttachmentRef::Interconnect(id) => model.interconnect(id).name.span,
        };
        let owner = labels.owner(
            format!(
                "the propagation of `{}` into segment `{}`",
                model.attachment_address(attachment),
                model.segment(table).name.value
            ),
            span,
        );
        let link = LinkView {
            label: labels.claim(
                owner,
                "aws_ec2_transit_gateway_route_table_propagation",
                format!(
                    "{}__{}",
                    route_table_label(model, table),
                    attachment_label(model, attachment)
                ),
            ),
            attachment: scoped_attachment_id(model, scope, attachment),
            route_table: route_table_id(model, table),
        };
        match attachment {
            AttachmentRef::Vpc(_) => vpc_propagations.push(link),
            AttachmentRef::Interconnect(_) => interconnect_propagations.push(link),
        }
    }

    let in_stack: Vec<VpcId> = (0..model.vpcs.len())
        .map(VpcId)
        .filter(|&v| scope.vpc(v) || scope.vpc_routes(v))
        .collect();
    let flow_logs = in_stack.iter().any(|&v| scope.vpc(v)).then(|| {
        let of = if scope.layout.is_single() {
            "the platform".to_string()
        } else {
            let account = model.accounts.account(scope.spec().account);
            format!("account `{}`", account.name.value)
        };
        flow_logs(model, labels, of)
    });
    let (flow_logs_key_arn, flow_logs_role_arn) = flow_logs.as_ref().map_or_else(
        || (Ref::new("unused"), Ref::new("unused")),
        |f| (f.labels.key.r("arn"), f.labels.role.r("arn")),
    );
    let mut vpc_slots = vec![None; model.vpcs.len()];
    let vpcs = in_stack
        .iter()
        .enumerate()
        .map(|(slot, &id)| {
            vpc_slots[id.0] = Some(slot);
            let vpc = model.vpc(id);
            let vpc_routes = &intent.vpc_routes[id.0];
            let create = scope.vpc(id);
            let owner = labels.owner(format!("vpc `{}`", vpc.name.value), vpc.name.span);
            let label = naming::snake(&vpc.name.value);
            let vpc_label = labels.claim(owner, "aws_vpc", &label);
            let attachment = labels.claim(owner, "aws_ec2_transit_gateway_vpc_attachment", &label);
            let tgw_ref = scope.tgw_id(vpc.transit_gateway);
            let subnets: Vec<SubnetView> = vpc
                .subnets
                .iter()
                .zip(&vpc.azs)
                .map(|(subnet, az)| {
                    let subnet_label = format!("{label}_{}", naming::snake(&az.value));
                    let subnet = (subnet, labels.claim(owner, "aws_subnet", &subnet_label));
                    (
                        subnet,
                        labels.claim(owner, "aws_route_table_association", subnet_label),
                        az,
                    )
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|((subnet, resource), association, az)| SubnetView {
                    subnet_id: resource.r("id"),
                    label: resource,
                    association,
                    cidr: subnet.value.to_string(),
                    az: az.value.clone(),
                    tags: tags(
                        model,
                        &format!("{}-{}", vpc.name.value, az.value),
                        &format!("vpc.{}", vpc.name.value),
                    ),
                })
                .collect();
            let mut attachment_tags =
                tags(model, &vpc.name.value, &format!("vpc.{}", vpc.name.value));
            attachment_tags.insert(
                TAG_SEGMENT.to_string(),
                model.segment(vpc.segment).name.value.clone(),
            );
            attachment_tags.insert(
                TAG_TRANSIT_GATEWAY.to_string(),
                model.transit_gateways[vpc.transit_gateway.0]
                    .name
                    .value
                    .clone(),
            );
            let routes = vpc_routes
                .iter()
                .filter(|_| scope.vpc_routes(id))
                .map(|destination| VpcRouteView {
                    label: labels.claim(
                        owner,
                        "aws_route",
                        format!("{label}_to_{}", naming::prefix_label(destination)),
                    ),
                    attachment: create.then(|| attachment.whole()),
                    destination: destination.to_string(),
                    transit_gateway: tgw_ref.clone(),
                })
                .collect();
            let dedicated = if create {
                egress::plan(
                    &egress::Context {
                        model,
                        reach,
                        vpc,
                        vpc_routes,
                        owner,
                        label: &label,
                        vpc_id: vpc_label.r("id"),
                        transit_gateway: tgw_ref.clone(),
                        attachment: attachment.whole(),
                    },
                    labels,
                )
            } else {
                None
            };
            let route_table = labels.claim(owner, "aws_route_table", &label);
            let cross_account = scope.crosses(id);
            let account = &model.accounts.account(model.accounts.vpcs[id.0].account);
            let after = (cross_account && account.organization_unit.is_none()).then(|| {
                Ref::new(format!(
                    "aws_ram_resource_share_accepter.{}",
                    naming::snake(&model.transit_gateways[vpc.transit_gateway.0].name.value)
                ))
            });
            let log_group = labels.claim(
                owner,
                "aws_cloudwatch_log_group",
                format!("{label}_flow_logs"),
            );
            VpcView {
                create,
                vpc_id: vpc_label.r("id"),
                route_table_id: scope.route_table_id(id),
                log_group_arn: log_group.r("arn"),
                default_security_group: labels.claim(owner, "aws_default_security_group", &label),
                flow_log: labels.claim(owner, "aws_flow_log", &label),
                route_table,
                log_group,
                flow_logs_key_arn: flow_logs_key_arn.clone(),
                flow_logs_role_arn: flow_logs_role_arn.clone(),
                cidr: vpc.cidr.value.to_string(),
                tags: tags(model, &vpc.name.value, &format!("vpc.{}", vpc.name.value)),
                attachment: AttachmentView {
                    label: attachment,
                    transit_gateway: tgw_ref,
                    subnet_ids: match &dedicated {
                        Some(d) => d.attachment_subnet_ids.clone(),
                        None => subnets.iter().map(|s| s.subnet_id.clone()).collect(),
                    },
                    tags: attachment_tags,
                    appliance_mode_support: (vpc.forwards() || vpc.firewall.is_some())
                        .then_some("enable"),
                    cross_account,
                    after,
                },
                subnets,
                log_group_name: format!(
                    "/agentform/{}/{}/vpc-flow-logs/{}",
                    model.platform.name.value, model.platform.environment, vpc.name.value
                ),
                retention_days: vpc.flow_log_retention_days,
                routes,
                dedicated,
                label: vpc_label,
            }
        })
        .collect::<Vec<_>>();

    let associations = model
        .vpcs
        .iter()
        .enumerate()
        .filter(|(_, vpc)| scope.routing(vpc.transit_gateway))
        .map(|(i, vpc)| {
            let attachment = AttachmentRef::Vpc(crate::model::VpcId(i));
            let owner = labels.owner(format!("vpc `{}`", vpc.name.value), vpc.name.span);
            LinkView {
                label: labels.claim(
                    owner,
                    "aws_ec2_transit_gateway_route_table_association",
                    attachment_label(model, attachment),
                ),
                attachment: scope.attachment_id(VpcId(i)),
                route_table: route_table_id(model, vpc.segment),
            }
        })
        .collect();
    let routes = model
        .transit_gateways
        .iter()
        .enumerate()
        .filter(|(i, _)| scope.routing(TgwId(*i)))
        .flat_map(|(_, tgw)| tgw.routes.iter().map(move |route| (tgw, route)))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(tgw, route)| {
            let owner = labels.owner(
                format!(
                    "route `{}` of transit_gateway `{}`",
                    route.name.value, tgw.name.value
                ),
                route.name.span,
            );
            TgwRouteView {
                label: labels.claim(
                    owner,
                    "aws_ec2_transit_gateway_route",
                    naming::segment_label(&tgw.name.value, &route.name.value),
                ),
                route_table: route_table_id(model, route.segment),
                destination: route.destination.value.to_string(),
                attachment: match route.action {
                    RouteAction::Attachment(target) => {
                        Some(scoped_attachment_id(model, scope, target))
                    }
                    RouteAction::Blackhole => None,
                },
                blackhole: route.action == RouteAction::Blackhole,
                reason: None,
            }
        })
        .collect::<Vec<_>>();
    let derived = intent.blackholes.iter().filter(|b| scope.routing(b.segment.tgw)).map(|b| {
            let tgw = &model.transit_gateways[b.segment.tgw.0];
            let segment = &model.segment(b.segment).name.value;
            let route = &tgw.routes[b.route];
            let owner = labels.owner(
                format!(
                    "the blackhole derived in segment `{segment}` of transit_gateway `{}` for `{}`",
                    tgw.name.value, b.destination
                ),
                route.name.span,
            );
            let protects: Vec<String> = b
                .protects
                .iter()
                .map(|&a| format!("`{}`", model.attachment_address(a)))
                .collect();
            TgwRouteView {
                label: labels.claim(
                    owner,
                    "aws_ec2_transit_gateway_route",
                    naming::segment_label(&tgw.name.value, &format!("{segment}-{}", b.name())),
                ),
                route_table: route_table_id(model, b.segment),
                destination: b.destination.to_string(),
                attachment: None,
                blackhole: true,
                reason: Some(format!(
                    "Derived blackhole: route `{}` would carry segment `{segment}`'s traffic for {} into `{}`, whose route table sends it back to the gateway (AWS: \"add a blackhole route for each VPC CIDR\").",
                    route.name.value,
                    protects.join(", "),
                    model.attachment_address(b.through),
                )),
            }
        });
    let routes = routes
        .into_iter()
        .chain(derived.collect::<Vec<_>>())
        .collect();

    let accepters = accepters(model, scope, labels);
    let share_accepters = share_accepters(model, scope, labels);
    let attachment_ids = (0..model.vpcs.len())
        .map(|v| {
            let id = VpcId(v);
            (scope.vpc(id) || scope.routing(model.vpc(id).transit_gateway))
                .then(|| scope.attachment_id(id))
        })
        .collect();
    NetworkView {
        transit_gateways,
        share_accepters,
        flow_logs,
        vpcs,
        vpc_slots,
        accepters,
        attachment_ids,
        associations,
        propagations: vpc_propagations,
        routes,
        interconnect_propagations,
        reachable_vpc_prefixes: reachable,
    }
}

fn flow_logs(model: &Model, labels: &mut LabelSpace, of: String) -> FlowLogsView {
    let p = &model.platform;
    let arn = naming::partition(&p.region);
    let owner = labels.owner(
        format!("the VPC flow logs of platform `{}`", p.name.value),
        p.name.span,
    );
    let assume_document = labels.claim(owner, "data.aws_iam_policy_document", "flow_logs_assume");
    let role = labels.claim(owner, "aws_iam_role", "flow_logs");
    let policy_document = labels.claim(owner, "data.aws_iam_policy_document", "flow_logs");
    let policy = labels.claim(owner, "aws_iam_role_policy", "flow_logs");
    let key_document = labels.claim(owner, "data.aws_iam_policy_document", "flow_logs_key");
    let key = labels.claim(owner, "aws_kms_key", "flow_logs");
    FlowLogsView {
        of,
        labels: FlowLogsLabels {
            assume_json: assume_document.r("json"),
            role_id: role.r("id"),
            policy_json: policy_document.r("json"),
            key_json: key_document.r("json"),
            assume_document,
            role,
            policy_document,
            policy,
            key_document,
            key,
        },
        account_id: p.account_id.clone(),
        flow_log_arn_pattern: format!("arn:{arn}:ec2:{}:{}:vpc-flow-log/*", p.region, p.account_id),
        role_name: naming::aws_name(&[&p.name.value, &p.environment, "vpc-flow-logs"], 64),
        log_group_arns: vec![format!(
            "arn:{arn}:logs:{}:{}:log-group:/agentform/{}/{}/vpc-flow-logs/*",
            p.region, p.account_id, p.name.value, p.environment
        )],
        key_description: format!("{} {} VPC flow logs", p.name.value, p.environment),
        account_root: format!("arn:{arn}:iam::{}:root", p.account_id),
        logs_principal: format!("logs.{}.amazonaws.com", p.region),
        log_group_arn_pattern: format!(
            "arn:{arn}:logs:{}:{}:log-group:/agentform/{}/{}/vpc-flow-logs/*",
            p.region, p.account_id, p.name.value, p.environment
        ),
    }
}

/// An attachment's id in this stack: a VPC's as the scope refers to it, an interconnect's from the
/// data source `interconnect.tf` reads it from (an interconnect lives with its gateway's routing).
fn scoped_attachment_id(model: &Model, scope: &Scope, attachment: AttachmentRef) -> Ref {
    match attachment {
        AttachmentRef::Vpc(id) => scope.attachment_id(id),
        AttachmentRef::Interconnect(_) => attachment_id(model, attachment),
    }
}

/// The RAM share of a gateway attached from other accounts: by account id, or by the accounts'
/// organizational units (`share_with = "organization_units"`; an account without one is still
/// named by id).
fn share(
    model: &Model,
    tgw: TgwId,
    owner: super::labels::Owner,
    gateway: &Resource,
    labels: &mut LabelSpace,
) -> ShareView {
    use crate::model::accounts::ShareWith;
    let accounts = &model.accounts;
    let blueprint = &model.transit_gateways[tgw.0];
    let label = naming::snake(&blueprint.name.value);
    let by_units = accounts.share_with[tgw.0].value == ShareWith::OrganizationUnits;
    let mut principals: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut external = false;
    for a in accounts.attached_accounts(model, tgw) {
        let account = accounts.account(a);
        if account.organization_unit.is_none() {
            external = true;
        }
        let principal = match (&account.organization_unit, by_units) {
            (Some(ou), true) => ou.value.clone(),
            _ => account.id.clone(),
        };
        principals
            .entry(principal)
            .or_default()
            .push(account.name.value.clone());
    }
    let share = labels.claim(owner, "aws_ram_resource_share", &label);
    let association = labels.claim(owner, "aws_ram_resource_association", &label);
    let principals = principals
        .into_iter()
        .map(|(principal, names)| SharePrincipalView {
            label: labels.claim(
                owner,
                "aws_ram_principal_association",
                format!(
                    "{label}_{}",
                    naming::snake(principal.rsplit('/').next().unwrap_or(&principal))
                ),
            ),
            principal,
            accounts: names,
        })
        .collect();
    ShareView {
        share_arn: share.r("arn"),
        gateway_arn: gateway.r("arn"),
        name: naming::aws_name(
            &[
                &model.platform.name.value,
                &model.platform.environment,
                &blueprint.name.value,
            ],
            255,
        ),
        allow_external_principals: external,
        principals,
        tags: tags(
            model,
            &blueprint.name.value,
            &format!("transit_gateway.{}", blueprint.name.value),
        ),
        label: share,
        association,
    }
}

/// The owner's accepters (and tags) of the attachments of other accounts to its shared gateways.
fn accepters(model: &Model, scope: &Scope, labels: &mut LabelSpace) -> Vec<AccepterView> {
    (0..model.vpcs.len())
        .map(VpcId)
        .filter(|&v| {
            !scope.vpc(v) && scope.crosses(v) && scope.routing(model.vpc(v).transit_gateway)
        })
        .map(|v| {
            let vpc = model.vpc(v);
            let owner = labels.owner(format!("vpc `{}`", vpc.name.value), vpc.name.span);
            let label = naming::snake(&vpc.name.value);
            let accepter = labels.claim(
                owner,
                "aws_ec2_transit_gateway_vpc_attachment_accepter",
                &label,
            );
            let mut attachment_tags =
                tags(model, &vpc.name.value, &format!("vpc.{}", vpc.name.value));
            attachment_tags.insert(
                TAG_SEGMENT.to_string(),
                model.segment(vpc.segment).name.value.clone(),
            );
            attachment_tags.insert(
                TAG_TRANSIT_GATEWAY.to_string(),
                model.transit_gateways[vpc.transit_gateway.0]
                    .name
                    .value
                    .clone(),
            );
            let tags = attachment_tags
                .into_iter()
                .map(|(key, value)| AttachmentTagView {
                    label: labels.claim(
                        owner,
                        "aws_ec2_tag",
                        format!(
                            "{label}_attachment_{}",
                            key.to_ascii_lowercase()
                                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                        ),
                    ),
                    key,
                    value,
                })
                .collect();
            AccepterView {
                vpc: vpc.name.value.clone(),
                account: model
                    .accounts
                    .account(model.accounts.vpcs[v.0].account)
                    .name
                    .value
                    .clone(),
                attachment_id: scope.remote_attachment_id(v),
                accepted_id: accepter.r("id"),
                tags,
                label: accepter,
            }
        })
        .collect()
}

/// The RAM shares this stack's account accepts: gateways of other accounts its VPCs attach to,
/// when the account is outside the organization (no `organization_unit`).
fn share_accepters(
    model: &Model,
    scope: &Scope,
    labels: &mut LabelSpace,
) -> Vec<ShareAccepterView> {
    let accounts = &model.accounts;
    let spec = scope.spec();
    if spec.phase != super::layout::Phase::Build
        || accounts.account(spec.account).organization_unit.is_some()
    {
        return Vec::new();
    }
    (0..model.transit_gateways.len())
        .map(TgwId)
        .filter(|&g| accounts.attached_accounts(model, g).contains(&spec.account))
        .map(|g| {
            let tgw = &model.transit_gateways[g.0];
            let owner = labels.owner(
                format!("transit_gateway `{}`", tgw.name.value),
                tgw.name.span,
            );
            ShareAccepterView {
                label: labels.claim(
                    owner,
                    "aws_ram_resource_share_accepter",
                    naming::snake(&tgw.name.value),
                ),
                transit_gateway: tgw.name.value.clone(),
                share_arn: scope.share_arn(g),
            }
        })
        .collect()
}
