//! A VPC's dedicated subnets and what their route tables send through: the transit gateway
//! attachment subnets, and for internet egress the internet gateway, the public subnets with
//! their NAT gateways, and for inspection AWS Network Firewall with its subnets, policy and
//! domain allow-lists. Every route of these tables is decided here; `network.tf` writes them.
//!
//! The route tables follow AWS's documents, per availability zone:
//!
//! | subnets | internet egress | + firewall | firewall only (`forwards`) | neither |
//! |---|---|---|---|---|
//! | attachment | `0/0` → NAT | `0/0` → firewall endpoint | `0/0` → firewall endpoint | VPC routes → gateway |
//! | firewall | | `0/0` → NAT, VPC routes → gateway | VPC routes → gateway | |
//! | public | `0/0` → internet gateway, VPC routes → gateway | `0/0` → internet gateway, VPC routes → firewall endpoint | | |
//!
//! Sources: Transit Gateways guide, "Example: Centralized outbound routing to the internet"
//! (attachment subnets to NAT, public subnets to the internet gateway and back to the gateway);
//! Network Firewall guide, "Transit gateway attachment configuration" and AWS's blog "Deployment
//! models for AWS Network Firewall", centralized egress (firewall between the attachment and NAT
//! subnets, symmetric per AZ, appliance mode on the attachment). "VPC routes" are the destinations
//! the VPC sends back to the gateway (`Intent::vpc_routes`): the platform's prefixes its segment
//! reaches.

use super::Ref;
use super::labels::{LabelSpace, Owner, Resource};
use super::naming::{self, Tags, tags};
use crate::model::{AttachmentRef, Model, Vpc};
use crate::segregation::report::ReachReport;
use ipnet::Ipv4Net;
use serde::Serialize;

/// What a VPC's dedicated subnets need, in template order.
#[derive(Serialize)]
pub struct DedicatedView {
    pub internet_gateway: Option<InternetGatewayView>,
    pub nat_gateways: Vec<NatView>,
    pub subnets: Vec<DedicatedSubnetView>,
    pub route_tables: Vec<RouteTableView>,
    pub firewall: Option<FirewallView>,
    /// The attachment's subnets.
    #[serde(skip)]
    pub attachment_subnet_ids: Vec<Ref>,
}

#[derive(Serialize)]
pub struct InternetGatewayView {
    pub label: Resource,
    pub tags: Tags,
}

#[derive(Serialize)]
pub struct NatView {
    pub az: String,
    pub eip: Resource,
    pub eip_id: Ref,
    pub eip_tags: Tags,
    pub label: Resource,
    pub subnet_id: Ref,
    pub tags: Tags,
    /// The internet gateway, which the address and the NAT gateway wait for (provider docs:
    /// "it is recommended to denote that the NAT Gateway depends on the Internet Gateway").
    pub internet_gateway: Ref,
}

#[derive(Serialize)]
pub struct DedicatedSubnetView {
    pub label: Resource,
    pub subnet_id: Ref,
    pub association: Resource,
    pub cidr: String,
    pub az: String,
    pub tags: Tags,
    pub route_table_id: Ref,
    /// What the subnet is for, written as a comment.
    pub role: &'static str,
}

#[derive(Serialize)]
pub struct RouteTableView {
    pub label: Resource,
    pub tags: Tags,
    pub routes: Vec<RouteView>,
}

#[derive(Serialize)]
pub struct RouteView {
    pub label: Resource,
    pub route_table_id: Ref,
    pub destination: String,
    /// The `aws_route` argument naming the target: `gateway_id`, `nat_gateway_id`,
    /// `transit_gateway_id` or `vpc_endpoint_id`.
    pub target_argument: &'static str,
    pub target: Ref,
    /// A route toward the transit gateway waits for the attachment.
    pub depends_on: Option<Ref>,
}

/// AWS Network Firewall: the firewall (an endpoint per AZ), its policy (strict order, HOME_NET the
/// platform's prefixes, default drop of established flows), one domain allow-list rule group per
/// segment whose internet traffic it inspects, and alert and flow logs to encrypted log groups.
#[derive(Serialize)]
pub struct FirewallView {
    pub label: Resource,
    /// `firewall_status`, whose sync states name each AZ's endpoint.
    pub status: Ref,
    /// A local value per AZ holding that AZ's firewall endpoint id.
    pub endpoints: Vec<EndpointLocal>,
    pub name: String,
    pub description: String,
    pub vpc_id: Ref,
    pub subnet_ids: Vec<Ref>,
    pub tags: Tags,
    pub policy: Resource,
    pub policy_arn: Ref,
    pub policy_name: String,
    /// The platform's prefixes (`HOME_NET` of the policy).
    pub home_net: Vec<String>,
    /// `aws:drop_established` and `aws:alert_established` when it filters internet egress by
    /// domain; only `aws:alert_established` for an east-west inspection firewall.
    pub default_actions: Vec<&'static str>,
    pub rule_groups: Vec<RuleGroupView>,
    pub logging: Resource,
    pub alert_log_group: Resource,
    pub alert_log_group_name: String,
    pub flow_log_group: Resource,
    pub flow_log_group_name: String,
    /// Both log groups, which the logging configuration waits for.
    pub log_groups: Vec<Ref>,
    pub retention_days: u32,
    pub key: Resource,
    pub key_arn: Ref,
    pub key_document: Resource,
    pub key_json: Ref,
    pub key_description: String,
    pub account_root: String,
    pub logs_principal: String,
    pub log_group_arn_pattern: String,
    pub firewall_arn: Ref,
}

/// The local value holding one AZ's firewall endpoint id (routes name it).
#[derive(Serialize)]
pub struct EndpointLocal {
    pub name: Resource,
    pub az: String,
}

/// A stateful domain allow-list for one segment: its members' prefixes as `HOME_NET`, the domains
/// it may reach over TLS (SNI) and HTTP (Host).
#[derive(Serialize)]
pub struct RuleGroupView {
    pub label: Resource,
    pub arn: Ref,
    pub name: String,
    pub segment: String,
    pub capacity: u32,
    pub priority: u32,
    pub home_net: Vec<String>,
    pub domains: Vec<String>,
}

/// The allow-list of one segment behind a firewall: its members' prefixes (`HOME_NET`) and the
/// domains it may reach, each with why.
#[derive(Debug, Clone)]
pub struct SegmentDomains {
    pub segment: String,
    pub home_net: Vec<String>,
    pub domains: Vec<(String, Vec<String>)>,
}

/// Everything a VPC's dedicated part is built from.
pub struct Context<'a> {
    pub model: &'a Model,
    pub reach: &'a ReachReport,
    pub vpc: &'a Vpc,
    pub vpc_routes: &'a [Ipv4Net],
    pub owner: Owner,
    /// The VPC's label (`egress`).
    pub label: &'a str,
    pub vpc_id: Ref,
    pub transit_gateway: Ref,
    /// The attachment as a whole (routes toward the gateway wait for it).
    pub attachment: Ref,
}

/// The dedicated part of a VPC, or `None` when it has none (its attachment uses its subnets).
pub fn plan(cx: &Context, labels: &mut LabelSpace) -> Option<DedicatedView> {
    let vpc = cx.vpc;
    let attachment_subnets = vpc.attachment_subnets.as_ref()?;
    let model = cx.model;
    let label = cx.label;
    let component = format!("vpc.{}", vpc.name.value);
    let owner = cx.owner;
    let zones: Vec<&str> = vpc.azs.iter().map(|a| a.value.as_str()).collect();
    let per_az = vpc.internet_egress.is_some() || vpc.firewall.is_some();

    let internet_gateway = vpc.internet_egress.as_ref().map(|_| InternetGatewayView {
        label: labels.claim(owner, "aws_internet_gateway", label),
        tags: tags(model, &vpc.name.value, &component),
    });
    let firewall_label = vpc
        .firewall
        .as_ref()
        .map(|_| labels.claim(owner, "aws_networkfirewall_firewall", label));
    // The firewall endpoint of each AZ, read from the firewall's status into a local value.
    let endpoints: Vec<EndpointLocal> = if firewall_label.is_some() {
        zones
            .iter()
            .map(|az| EndpointLocal {
                name: labels.claim(
                    owner,
                    "local",
                    format!("{label}_firewall_endpoint_{}", naming::snake(az)),
                ),
                az: (*az).to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let endpoint = |az: &str| {
        endpoints
            .iter()
            .find(|e| e.az == az)
            .expect("asked only with a firewall, for one of its zones")
            .name
            .whole()
    };

    let mut subnets = Vec::new();
    let mut route_tables = Vec::new();
    let mut nat_gateways = Vec::new();
    let mut subnet = |labels: &mut LabelSpace,
                      role: &'static str,
                      kind: &str,
                      cidr: Ipv4Net,
                      az: &str,
                      table: Ref|
     -> Ref {
        let subnet_label = format!("{label}_{kind}_{}", naming::snake(az));
        let resource = labels.claim(owner, "aws_subnet", &subnet_label);
        let id = resource.r("id");
        subnets.push(DedicatedSubnetView {
            subnet_id: id.clone(),
            association: labels.claim(owner, "aws_route_table_association", &subnet_label),
            label: resource,
            cidr: cidr.to_string(),
            az: az.to_string(),
            tags: tags(
                model,
                &format!("{}-{kind}-{az}", vpc.name.value),
                &component,
            ),
            route_table_id: table,
            role,
        });
        id
    };
    let table = |labels: &mut LabelSpace, table_label: String, name: String| {
        let resource = labels.claim(owner, "aws_route_table", &table_label);
        RouteTableView {
            tags: tags(model, &name, &component),
            label: resource,
            routes: Vec::new(),
        }
    };
    let route = |labels: &mut LabelSpace,
                 table: &RouteTableView,
                 destination: Option<Ipv4Net>,
                 target_argument: &'static str,
                 target: Ref|
     -> RouteView {
        let (name, destination) = match destination {
            Some(d) => (naming::prefix_label(&d), d.to_string()),
            None => ("internet".to_string(), "0.0.0.0/0".to_string()),
        };
        let depends_on = (target_argument == "transit_gateway_id").then(|| cx.attachment.clone());
        RouteView {
            label: labels.claim(
                owner,
                "aws_route",
                format!("{}_to_{name}", table.label.label),
            ),
            route_table_id: table.label.r("id"),
            destination,
            target_argument,
            target,
            depends_on,
        }
    };
    let back_to_gateway = |labels: &mut LabelSpace, table: &mut RouteTableView| {
        for d in cx.vpc_routes {
            let r = route(
                labels,
                table,
                Some(*d),
                "transit_gateway_id",
                cx.transit_gateway.clone(),
            );
            table.routes.push(r);
        }
    };

    // Public subnets: the NAT gateways, one table (or one per AZ behind a firewall).
    let mut nat_ids = Vec::new();
    if let (Some(egress), Some(igw)) = (&vpc.internet_egress, &internet_gateway) {
        let shared = if vpc.firewall.is_none() {
            let mut t = table(
                labels,
                format!("{label}_public"),
                format!("{}-public", vpc.name.value),
            );
            let r = route(labels, &t, None, "gateway_id", igw.label.r("id"));
            t.routes.push(r);
            back_to_gateway(labels, &mut t);
            let id = t.label.r("id");
            route_tables.push(t);
            Some(id)
        } else {
            None
        };
        for (az, public) in zones.iter().zip(&egress.public_subnets.subnets) {
            let table_id = match &shared {
                Some(id) => id.clone(),
                None => {
                    let mut t = table(
                        labels,
                        format!("{label}_public_{}", naming::snake(az)),
                        format!("{}-public-{az}", vpc.name.value),
                    );
                    let r = route(labels, &t, None, "gateway_id", igw.label.r("id"));
                    t.routes.push(r);
                    // Replies for the platform go back through the firewall endpoint of the same
                    // AZ, so both directions cross it.
                    for d in cx.vpc_routes {
                        let r = route(labels, &t, Some(*d), "vpc_endpoint_id", endpoint(az));
                        t.routes.push(r);
                    }
                    let id = t.label.r("id");
                    route_tables.push(t);
                    id
                }
            };
            let subnet_id = subnet(
                labels,
                "public subnet: the NAT gateway",
                "public",
                public.value,
                az,
                table_id,
            );
            let eip = labels.claim(owner, "aws_eip", format!("{label}_{}", naming::snake(az)));
            let nat = labels.claim(
                owner,
                "aws_nat_gateway",
                format!("{label}_{}", naming::snake(az)),
            );
            nat_ids.push(nat.r("id"));
            nat_gateways.push(NatView {
                az: (*az).to_string(),
                eip_id: eip.r("id"),
                eip,
                eip_tags: tags(model, &format!("{}-nat-{az}", vpc.name.value), &component),
                label: nat,
                subnet_id,
                tags: tags(model, &format!("{}-{az}", vpc.name.value), &component),
                internet_gateway: igw.label.whole(),
            });
        }
    }

    // Firewall subnets: on to the NAT gateway of the same AZ, or back to the gateway.
    let mut firewall_subnet_ids = Vec::new();
    if let Some(firewall) = &vpc.firewall {
        for (i, (az, cidr)) in zones.iter().zip(&firewall.subnets.subnets).enumerate() {
            let mut t = table(
                labels,
                format!("{label}_firewall_{}", naming::snake(az)),
                format!("{}-firewall-{az}", vpc.name.value),
            );
            if let Some(nat) = nat_ids.get(i) {
                let r = route(labels, &t, None, "nat_gateway_id", nat.clone());
                t.routes.push(r);
            }
            back_to_gateway(labels, &mut t);
            let table_id = t.label.r("id");
            route_tables.push(t);
            firewall_subnet_ids.push(subnet(
                labels,
                "firewall subnet: the Network Firewall endpoint",
                "firewall",
                cidr.value,
                az,
                table_id,
            ));
        }
    }

    // Attachment subnets: into the firewall endpoint, or the NAT gateway, of the same AZ.
    let mut attachment_subnet_ids = Vec::new();
    let shared = if per_az {
        None
    } else {
        let mut t = table(
            labels,
            format!("{label}_attachment"),
            format!("{}-attachment", vpc.name.value),
        );
        back_to_gateway(labels, &mut t);
        let id = t.label.r("id");
        route_tables.push(t);
        Some(id)
    };
    for (i, (az, cidr)) in zones.iter().zip(&attachment_subnets.subnets).enumerate() {
        let table_id = match &shared {
            Some(id) => id.clone(),
            None => {
                let mut t = table(
                    labels,
                    format!("{label}_attachment_{}", naming::snake(az)),
                    format!("{}-attachment-{az}", vpc.name.value),
                );
                let r = if vpc.firewall.is_some() {
                    route(labels, &t, None, "vpc_endpoint_id", endpoint(az))
                } else {
                    route(labels, &t, None, "nat_gateway_id", nat_ids[i].clone())
                };
                t.routes.push(r);
                let id = t.label.r("id");
                route_tables.push(t);
                id
            }
        };
        attachment_subnet_ids.push(subnet(
            labels,
            "attachment subnet: where the transit gateway's traffic enters and leaves",
            "attachment",
            cidr.value,
            az,
            table_id,
        ));
    }

    let firewall = vpc.firewall.as_ref().map(|firewall| {
        firewall_view(
            cx,
            labels,
            firewall,
            firewall_label.expect("claimed with the firewall"),
            firewall_subnet_ids,
            endpoints,
        )
    });
    Some(DedicatedView {
        internet_gateway,
        nat_gateways,
        subnets,
        route_tables,
        firewall,
        attachment_subnet_ids,
    })
}

fn firewall_view(
    cx: &Context,
    labels: &mut LabelSpace,
    firewall: &crate::model::Firewall,
    label: Resource,
    subnet_ids: Vec<Ref>,
    endpoints: Vec<EndpointLocal>,
) -> FirewallView {
    let model = cx.model;
    let vpc = cx.vpc;
    let p = &model.platform;
    let owner = cx.owner;
    let arn = naming::partition(&p.region);
    let component = format!("vpc.{}", vpc.name.value);
    let name = |suffix: &str| {
        naming::aws_name(
            &[&p.name.value, &p.environment, &vpc.name.value, suffix],
            128,
        )
    };
    let policy = labels.claim(owner, "aws_networkfirewall_firewall_policy", cx.label);
    let rule_groups = segment_domains(model, cx.reach, vpc)
        .into_iter()
        .enumerate()
        .map(
            |(
                i,
                SegmentDomains {
                    segment,
                    home_net,
                    domains,
                },
            )| {
                let resource = labels.claim(
                    owner,
                    "aws_networkfirewall_rule_group",
                    format!("{}_{}", cx.label, naming::snake(&segment)),
                );
                // Capacity is fixed at creation (a change replaces the group): room for each domain
                // under both target types, with headroom, in steps of 100.
                let needed = u32::try_from(domains.len() * 4).unwrap_or(u32::MAX);
                RuleGroupView {
                    arn: resource.r("arn"),
                    label: resource,
                    name: name(&format!("{segment}-domains")),
                    segment,
                    capacity: needed.div_ceil(100).max(1) * 100,
                    priority: u32::try_from(i + 1).unwrap_or(u32::MAX) * 10,
                    home_net,
                    domains: domains.into_iter().map(|(d, _)| d).collect(),
                }
            },
        )
        .collect();
    let mut home_net: Vec<Ipv4Net> = model
        .attachments()
        .flat_map(|a| match a {
            AttachmentRef::Vpc(id) => vec![model.vpc(id).cidr.value],
            AttachmentRef::Interconnect(id) => model
                .interconnect(id)
                .remote_cidrs
                .iter()
                .map(|c| c.value)
                .collect(),
        })
        .collect();
    home_net = Ipv4Net::aggregate(&home_net);
    let log_group = |labels: &mut LabelSpace, kind: &str| {
        labels.claim(
            owner,
            "aws_cloudwatch_log_group",
            format!("{}_firewall_{kind}", cx.label),
        )
    };
    let alert_log_group = log_group(labels, "alert");
    let flow_log_group = log_group(labels, "flow");
    let log_prefix = format!(
        "/agentform/{}/{}/network-firewall",
        p.name.value, p.environment
    );
    let key = labels.claim(owner, "aws_kms_key", format!("{}_firewall", cx.label));
    let key_document = labels.claim(
        owner,
        "data.aws_iam_policy_document",
        format!("{}_firewall_key", cx.label),
    );
    FirewallView {
        firewall_arn: label.r("arn"),
        status: label.r("firewall_status"),
        endpoints,
        label,
        name: name("firewall"),
        description: format!(
            "{} {} network firewall in vpc {}",
            p.name.value, p.environment, vpc.name.value
        ),
        vpc_id: cx.vpc_id.clone(),
        subnet_ids,
        tags: tags(model, &vpc.name.value, &component),
        policy_arn: policy.r("arn"),
        policy,
        policy_name: name("policy"),
        home_net: home_net.iter().map(ToString::to_string).collect(),
        default_actions: if vpc.internet_egress.is_some() {
            vec!["aws:drop_established", "aws:alert_established"]
        } else {
            vec!["aws:alert_established"]
        },
        rule_groups,
        logging: labels.claim(owner, "aws_networkfirewall_logging_configuration", cx.label),
        log_groups: vec![alert_log_group.whole(), flow_log_group.whole()],
        alert_log_group,
        alert_log_group_name: format!("{log_prefix}/{}/alert", vpc.name.value),
        flow_log_group,
        flow_log_group_name: format!("{log_prefix}/{}/flow", vpc.name.value),
        retention_days: firewall.log_retention_days,
        key_arn: key.r("arn"),
        key,
        key_json: key_document.r("json"),
        key_document,
        key_description: format!(
            "{} {} network firewall {} (configuration and logs)",
            p.name.value, p.environment, vpc.name.value
        ),
        account_root: format!("arn:{arn}:iam::{}:root", p.account_id),
        logs_principal: format!("logs.{}.amazonaws.com", p.region),
        log_group_arn_pattern: format!(
            "arn:{arn}:logs:{}:{}:log-group:{log_prefix}/*",
            p.region, p.account_id
        ),
    }
}

/// Per segment whose internet traffic leaves through `vpc` (from the engine's report): its members'
/// prefixes and the domains it may reach, each with why. Only segments with at least one domain
/// get a list: the others' traffic is dropped by the policy's default action.
pub fn segment_domains(model: &Model, reach: &ReachReport, vpc: &Vpc) -> Vec<SegmentDomains> {
    let Some(firewall) = &vpc.firewall else {
        return Vec::new();
    };
    let address = format!("vpc.{}", vpc.name.value);
    let mut out = Vec::new();
    for (g, gateway) in reach.transit_gateways.iter().enumerate() {
        for cell in &gateway.internet {
            if !cell.exits.contains(&address) {
                continue;
            }
            let Some((segment_id, segment)) = model
                .segments()
                .find(|(id, s)| id.tgw.0 == g && s.name.value == cell.segment)
            else {
                continue;
            };
            let domains =
                crate::model::egress::allowed_domains(model, &vpc.name.value, firewall, segment_id);
            if domains.is_empty() {
                continue;
            }
            let home_net: Vec<String> = model
                .attachments()
                .filter(|&a| model.segment_of(a) == segment_id)
                .flat_map(|a| match a {
                    AttachmentRef::Vpc(id) => vec![model.vpc(id).cidr.value],
                    AttachmentRef::Interconnect(id) => model
                        .interconnect(id)
                        .remote_cidrs
                        .iter()
                        .map(|c| c.value)
                        .collect(),
                })
                .map(|n| n.to_string())
                .collect();
            out.push(SegmentDomains {
                segment: segment.name.value.clone(),
                home_net,
                domains,
            });
        }
    }
    out
}
