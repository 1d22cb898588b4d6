//! The picture of a blueprint (`agentform graph`, and the diagram in the stack README): what it is
//! made of and who may reach, use or spend what, as plain data (clusters, nodes, edges) built once
//! from the model in a fixed order, then written as Mermaid, Graphviz DOT or JSON.
//!
//! - Per transit gateway a cluster, and in it a cluster per segment holding the segment's route
//!   table and its attachments (VPCs, interconnects). Segment pairs that reach each other are joined
//!   by a `reaches` edge, taken from the segregation engine's segment matrix (for a valid blueprint
//!   that is the intent); static routes toward an attachment are `route` edges.
//! - The MCP ingress with the VPC of its load balancers, its consumer VPCs and its context roles.
//! - S3 Files workspaces with their VPC; IAM roles with what their `allow` blocks and access points
//!   let them touch (components of the stack as edges, other ARNs summarised on the role).
//! - Spending authority: each payment manager with its limits and connectors, and a `may_spend` edge
//!   from every agent role that may ask the mediation layer to pay.

mod dot;
mod mermaid;

use crate::model::{
    AttachmentRef, ClientAuth, Component, IamRole, Model, RouteAction, SegmentId, Target, Trust,
    TrustAnchor,
};
use crate::segregation::report::{ReachReport, Status};
use crate::validate::ValidModel;
use serde::Serialize;

pub use dot::dot;
pub use mermaid::mermaid;

/// The whole picture. Every list is in a fixed order (blueprint order, then kind), so the output of
/// every format is byte-stable.
#[derive(Debug, Serialize)]
pub struct Diagram {
    pub blueprint: String,
    pub platform: String,
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Where each (from, to, kind) is in `edges`: labels of the same relation are joined.
    #[serde(skip)]
    edge_index: std::collections::HashMap<(String, String, EdgeKind), usize>,
}

/// A box around nodes: a transit gateway, or a segment inside one.
#[derive(Debug, Serialize)]
pub struct Cluster {
    pub id: String,
    pub kind: ClusterKind,
    pub label: String,
    /// The enclosing cluster (a segment's transit gateway).
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterKind {
    TransitGateway,
    Segment,
}

#[derive(Debug, Serialize)]
pub struct Node {
    /// The blueprint address (`vpc.agents`, `iam_role.research-agent`; a segment's route table is
    /// `route_table.GATEWAY.SEGMENT`).
    pub id: String,
    pub kind: NodeKind,
    /// The blueprint name.
    pub name: String,
    pub cluster: Option<String>,
    /// One fact per line: prefixes, limits, trust, what is summarised.
    pub details: Vec<String>,
}

impl Node {
    /// The first line of the node's label: its kind and name.
    pub fn title(&self) -> String {
        match self.kind {
            NodeKind::Internet => self.name.clone(),
            _ => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    RouteTable,
    Vpc,
    Interconnect,
    McpIngress,
    S3Files,
    IamRole,
    PaymentManager,
    /// The internet, when some VPC leaves for it (`internet_egress`).
    Internet,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::RouteTable => "segment",
            NodeKind::Vpc => "vpc",
            NodeKind::Internet => "internet",
            NodeKind::Interconnect => "interconnect",
            NodeKind::McpIngress => "mcp_ingress",
            NodeKind::S3Files => "s3_files",
            NodeKind::IamRole => "iam_role",
            NodeKind::PaymentManager => "payment_manager",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub label: Option<String>,
}

/// What an edge means. `reaches` is symmetric (written once per pair); the others point from the
/// one who acts to what it acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Route table → an attachment associated with it (a member of the segment).
    Member,
    /// Route table ↔ route table: the segments' members reach each other.
    Reaches,
    /// Route table → attachment: a static route (label: destination and name).
    Route,
    /// Ingress or workspace → the VPC holding its load balancers or mount targets.
    HostedIn,
    /// Consumer VPC → ingress: an interface endpoint.
    Consumer,
    /// Ingress → its context fetch or modify role.
    ContextRole,
    /// Role → a component its `allow` blocks or an access point let it use.
    MayAccess,
    /// Agent role → payment manager: may ask the mediation layer to pay.
    MaySpend,
    /// Egress VPC → the internet: NAT gateways (label: through the firewall, and which segments'
    /// traffic leaves there).
    Egress,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 9] = [
        EdgeKind::Member,
        EdgeKind::Reaches,
        EdgeKind::Route,
        EdgeKind::HostedIn,
        EdgeKind::Consumer,
        EdgeKind::ContextRole,
        EdgeKind::MayAccess,
        EdgeKind::MaySpend,
        EdgeKind::Egress,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Member => "member",
            EdgeKind::Reaches => "reaches",
            EdgeKind::Route => "route",
            EdgeKind::HostedIn => "hosted_in",
            EdgeKind::Consumer => "consumer",
            EdgeKind::ContextRole => "context_role",
            EdgeKind::MayAccess => "may_access",
            EdgeKind::MaySpend => "may_spend",
            EdgeKind::Egress => "egress",
        }
    }
}

/// At most this many items are listed in a detail line; more are counted.
const LIST_AT_MOST: usize = 3;

fn list(items: &[String], noun: &str) -> String {
    if items.len() <= LIST_AT_MOST {
        items.join(", ")
    } else {
        format!("{} {noun}", items.len())
    }
}

fn tgw_cluster(model: &Model, id: SegmentId) -> String {
    format!(
        "transit_gateway.{}",
        model.transit_gateways[id.tgw.0].name.value
    )
}

fn segment_cluster(model: &Model, id: SegmentId) -> String {
    format!(
        "segment.{}.{}",
        model.transit_gateways[id.tgw.0].name.value,
        model.segment(id).name.value
    )
}

fn route_table(model: &Model, id: SegmentId) -> String {
    format!(
        "route_table.{}.{}",
        model.transit_gateways[id.tgw.0].name.value,
        model.segment(id).name.value
    )
}

fn attachment(model: &Model, a: AttachmentRef) -> String {
    model.attachment_address(a)
}

impl Diagram {
    /// The diagram of a valid blueprint, its reachability edges from validation's segment matrices.
    pub fn build(valid: &ValidModel) -> Self {
        let model = valid.model();
        let reach = valid.reach();
        let mut d = Diagram {
            blueprint: model.source.clone(),
            platform: model.platform.name.value.clone(),
            clusters: Vec::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
            edge_index: std::collections::HashMap::new(),
        };
        d.network(model, reach);
        d.services(model);
        d.identity(model);
        d
    }

    fn node(&mut self, id: String, kind: NodeKind, name: &str, cluster: Option<String>) {
        self.nodes.push(Node {
            id,
            kind,
            name: name.to_string(),
            cluster,
            details: Vec::new(),
        });
    }

    fn details(&mut self, details: Vec<String>) {
        self.nodes.last_mut().expect("a node").details = details;
    }

    /// Adds an edge, or joins its label to the edge of the same kind between the same nodes.
    fn edge(&mut self, from: String, to: String, kind: EdgeKind, label: Option<String>) {
        let key = (from.clone(), to.clone(), kind);
        if let Some(&i) = self.edge_index.get(&key) {
            let e = &mut self.edges[i];
            if let Some(label) = label {
                e.label = Some(match e.label.take() {
                    Some(old) => format!("{old}; {label}"),
                    None => label,
                });
            }
            return;
        }
        self.edge_index.insert(key, self.edges.len());
        self.edges.push(Edge {
            from,
            to,
            kind,
            label,
        });
    }

    /// Gateways, segments (route table and attachments), reachability and static routes.
    fn network(&mut self, model: &Model, reach: &ReachReport) {
        for (t, tgw) in model.transit_gateways.iter().enumerate() {
            let mut label = format!(
                "transit gateway {} (ASN {})",
                tgw.name.value, tgw.amazon_side_asn.value
            );
            if let Some(description) = &tgw.description {
                label.push_str(&format!(": {description}"));
            }
            self.clusters.push(Cluster {
                id: format!("transit_gateway.{}", tgw.name.value),
                kind: ClusterKind::TransitGateway,
                label,
                parent: None,
            });
            for (id, segment) in model.segments().filter(|(id, _)| id.tgw.0 == t) {
                let cluster = segment_cluster(model, id);
                self.clusters.push(Cluster {
                    id: cluster.clone(),
                    kind: ClusterKind::Segment,
                    label: format!("segment {}", segment.name.value),
                    parent: Some(tgw_cluster(model, id)),
                });
                self.node(
                    route_table(model, id),
                    NodeKind::RouteTable,
                    &segment.name.value,
                    Some(cluster.clone()),
                );
                let mut details = vec![if segment.isolated {
                    "isolated: members kept apart".to_string()
                } else {
                    "members reach each other".to_string()
                }];
                for route in tgw.routes.iter().filter(|r| r.segment == id) {
                    if route.action == RouteAction::Blackhole {
                        details.push(format!(
                            "blackhole {} ({})",
                            route.destination.value, route.name.value
                        ));
                    }
                }
                self.details(details);
                for a in model.attachments().filter(|&a| model.segment_of(a) == id) {
                    self.attachment(model, a, &cluster);
                    self.edge(
                        route_table(model, id),
                        attachment(model, a),
                        EdgeKind::Member,
                        None,
                    );
                }
            }
        }
        for gateway in &reach.transit_gateways {
            let n = gateway.segments.len();
            // The matrix is square, row by row: cell (i, j) is segment i towards segment j.
            let cell = |i: usize, j: usize| &gateway.segment_matrix[i * n + j];
            for i in 0..n {
                for j in i + 1..n {
                    let (there, back) = (cell(i, j), cell(j, i));
                    if !(there.intended || there.status.is_finding() || back.status.is_finding()) {
                        continue;
                    }
                    let mut through: Vec<&str> = there
                        .through
                        .iter()
                        .chain(&back.through)
                        .map(String::as_str)
                        .collect();
                    through.sort_unstable();
                    through.dedup();
                    let status = [there.status, back.status]
                        .into_iter()
                        .find(|s| !matches!(s, Status::Ok | Status::Empty))
                        .map(|s| s.symbol().to_string());
                    let via = (!through.is_empty()).then(|| format!("via {}", through.join(", ")));
                    let label = match (status, via) {
                        (Some(s), Some(v)) => Some(format!("{s} {v}")),
                        (s, v) => s.or(v),
                    };
                    self.edge(
                        format!("route_table.{}.{}", gateway.name, there.from),
                        format!("route_table.{}.{}", gateway.name, there.to),
                        EdgeKind::Reaches,
                        label,
                    );
                }
            }
        }
        for tgw in model.transit_gateways.iter() {
            for route in &tgw.routes {
                if let RouteAction::Attachment(target) = route.action {
                    self.edge(
                        route_table(model, route.segment),
                        attachment(model, target),
                        EdgeKind::Route,
                        Some(format!(
                            "{} ({})",
                            route.destination.value, route.name.value
                        )),
                    );
                }
            }
        }
        // The way out: each egress VPC to the internet, labelled with the segments that leave
        // through it (the engine's answer) and whether a firewall inspects them.
        let mut exits: Vec<(String, Vec<String>, bool)> = Vec::new();
        for gateway in &reach.transit_gateways {
            for cell in gateway.internet.iter().filter(|c| c.reaching > 0) {
                for exit in &cell.exits {
                    let inspected = cell.inspected_by.contains(exit);
                    match exits.iter_mut().find(|(e, _, _)| e == exit) {
                        Some((_, segments, _)) => segments.push(cell.segment.clone()),
                        None => exits.push((exit.clone(), vec![cell.segment.clone()], inspected)),
                    }
                }
            }
        }
        let egress_vpcs: Vec<&crate::model::Vpc> = model
            .vpcs
            .iter()
            .filter(|v| v.internet_egress.is_some())
            .collect();
        if !egress_vpcs.is_empty() {
            self.node("internet".to_string(), NodeKind::Internet, "internet", None);
            self.details(Vec::new());
        }
        for vpc in egress_vpcs {
            let address = format!("vpc.{}", vpc.name.value);
            let (segments, inspected) = exits
                .iter()
                .find(|(e, _, _)| *e == address)
                .map_or((Vec::new(), vpc.firewall.is_some()), |(_, s, i)| {
                    (s.clone(), *i)
                });
            let through = if inspected { "firewall, NAT" } else { "NAT" };
            let label = if segments.is_empty() {
                format!("{through}: no segment")
            } else {
                format!("{through}: {}", list(&segments, "segments"))
            };
            self.edge(
                address,
                "internet".to_string(),
                EdgeKind::Egress,
                Some(label),
            );
        }
    }

    fn attachment(&mut self, model: &Model, a: AttachmentRef, cluster: &str) {
        match a {
            AttachmentRef::Vpc(id) => {
                let vpc = model.vpc(id);
                self.node(
                    attachment(model, a),
                    NodeKind::Vpc,
                    &vpc.name.value,
                    Some(cluster.to_string()),
                );
                let mut details = vec![vpc.cidr.value.to_string()];
                if let Some(tenant) = &vpc.tenant {
                    details.push(format!("tenant {tenant}"));
                }
                if vpc.internet_egress.is_some() {
                    details.push(format!("internet egress: NAT in {} AZs", vpc.azs.len()));
                }
                if vpc.firewall.is_some() {
                    details.push("Network Firewall".to_string());
                }
                self.details(details);
            }
            AttachmentRef::Interconnect(id) => {
                let ic = model.interconnect(id);
                self.node(
                    attachment(model, a),
                    NodeKind::Interconnect,
                    &ic.name.value,
                    Some(cluster.to_string()),
                );
                let remote: Vec<String> = ic
                    .remote_cidrs
                    .iter()
                    .map(|c| c.value.to_string())
                    .collect();
                self.details(vec![
                    format!("{} {}", ic.partner.value.as_str(), ic.bandwidth.value),
                    format!("Direct Connect gateway ASN {}", ic.dx_gateway_asn.value),
                    format!("announces {}", list(&remote, "prefixes")),
                ]);
            }
        }
    }

    /// The MCP ingresses, the workspaces and the payment managers.
    fn services(&mut self, model: &Model) {
        for ingress in &model.ingresses {
            let id = format!("mcp_ingress.{}", ingress.name.value);
            self.node(id.clone(), NodeKind::McpIngress, &ingress.name.value, None);
            let auth = match &ingress.client_auth {
                ClientAuth::Oidc => "OIDC tokens".to_string(),
                ClientAuth::Mtls { .. } => "mTLS".to_string(),
            };
            let principals: Vec<String> = ingress
                .allowed_principals
                .iter()
                .map(|p| p.value.clone())
                .collect();
            let mut details = vec![
                format!("port {}, {auth}", ingress.port.value),
                format!("WAF {} requests / 5 min", ingress.rate_limit.value),
                format!("principals: {}", list(&principals, "principals")),
            ];
            if ingress.acceptance_required.value {
                details.push("endpoints need acceptance".to_string());
            }
            if let Some(dns) = &ingress.private_dns_name {
                details.push(format!("DNS {}", dns.value));
            }
            self.details(details);
            self.edge(
                id.clone(),
                format!("vpc.{}", model.vpc(ingress.vpc.value).name.value),
                EdgeKind::HostedIn,
                Some("load balancers".to_string()),
            );
            for consumer in &ingress.consumers {
                self.edge(
                    format!("vpc.{}", model.vpc(consumer.value).name.value),
                    id.clone(),
                    EdgeKind::Consumer,
                    Some("endpoint".to_string()),
                );
            }
            for (role, what) in [
                (&ingress.context_fetch_role, "context fetch"),
                (&ingress.context_modify_role, "context modify"),
            ] {
                self.edge(
                    id.clone(),
                    format!("iam_role.{}", model.role(role.value).name.value),
                    EdgeKind::ContextRole,
                    Some(what.to_string()),
                );
            }
        }
        for workspace in &model.s3_files {
            let id = format!("s3_files.{}", workspace.name.value);
            self.node(id.clone(), NodeKind::S3Files, &workspace.name.value, None);
            let mut details = vec![format!("bucket {}", workspace.bucket.value)];
            for ap in &workspace.access_points {
                details.push(format!(
                    "access point {}: {} as {}:{}",
                    ap.name.value, ap.root_directory.value, ap.uid.value, ap.gid.value
                ));
            }
            if let Some(days) = &workspace.expire_after_days {
                details.push(format!("objects expire after {} days", days.value));
            }
            self.details(details);
            self.edge(
                id.clone(),
                format!("vpc.{}", model.vpc(workspace.vpc.value).name.value),
                EdgeKind::HostedIn,
                Some("mount targets".to_string()),
            );
            for ap in &workspace.access_points {
                for role in &ap.roles {
                    self.edge(
                        format!("iam_role.{}", model.role(role.value).name.value),
                        id.clone(),
                        EdgeKind::MayAccess,
                        Some(format!("mounts {}", ap.name.value)),
                    );
                }
            }
        }
        for manager in &model.payment_managers {
            let id = format!("payment_manager.{}", manager.name.value);
            self.node(
                id.clone(),
                NodeKind::PaymentManager,
                &manager.name.value,
                None,
            );
            let g = &manager.guardrails;
            let merchants: Vec<String> = g
                .allowed_merchants
                .value
                .iter()
                .map(|m| m.value.clone())
                .collect();
            let mut details = vec![
                format!(
                    "{} {}/day, {}/session, {}/payment",
                    g.currency.value,
                    g.daily_limit.value,
                    g.session_limit.value,
                    g.payment_limit.value
                ),
                format!(
                    "{} payments/day, burst {} in {} min",
                    g.max_payments_per_day.value,
                    g.burst.max_payments.value,
                    g.burst.window_minutes.value
                ),
            ];
            for c in &manager.connectors {
                details.push(format!(
                    "connector {} ({})",
                    c.name.value,
                    c.provider.value.as_str()
                ));
            }
            details.push(format!("merchants: {}", list(&merchants, "merchants")));
            self.details(details);
            for agent in &manager.agents {
                self.edge(
                    format!("iam_role.{}", model.role(agent.value).name.value),
                    id.clone(),
                    EdgeKind::MaySpend,
                    Some(format!(
                        "may spend up to {} {}/day",
                        g.currency.value, g.daily_limit.value
                    )),
                );
            }
        }
    }

    /// The roles: trust and summarised permissions on the node, components as edges.
    fn identity(&mut self, model: &Model) {
        for role in &model.iam_roles {
            let id = format!("iam_role.{}", role.name.value);
            self.node(id.clone(), NodeKind::IamRole, &role.name.value, None);
            self.details(role_details(role));
            for allow in &role.allows {
                for target in &allow.on {
                    let Target::Component(component) = target.value else {
                        continue;
                    };
                    let to = match component {
                        Component::EndpointService(i) | Component::IngressLogs(i) => {
                            format!("mcp_ingress.{}", model.ingress(i).name.value)
                        }
                        Component::FileSystem(s) | Component::AccessPoint(s, _) => {
                            format!("s3_files.{}", model.storage(s).name.value)
                        }
                        Component::PaymentManager(p) => {
                            format!("payment_manager.{}", model.payment_manager(p).name.value)
                        }
                    };
                    let what = match component {
                        Component::IngressLogs(_) => " on logs".to_string(),
                        Component::AccessPoint(s, ap) => {
                            format!(" on {}", model.storage(s).access_points[ap].name.value)
                        }
                        _ => String::new(),
                    };
                    self.edge(
                        id.clone(),
                        to,
                        EdgeKind::MayAccess,
                        Some(format!(
                            "{}{what}",
                            actions(
                                &allow
                                    .actions
                                    .iter()
                                    .map(|a| a.value.clone())
                                    .collect::<Vec<_>>()
                            )
                        )),
                    );
                }
            }
        }
    }
}

fn actions(actions: &[String]) -> String {
    list(actions, "actions")
}

/// The role's trust, and its permissions on what is not a component of the stack (ARNs, `*`).
fn role_details(role: &IamRole) -> Vec<String> {
    let mut details = vec![match &role.trust {
        Trust::Irsa {
            namespace,
            service_account,
            ..
        } => format!("IRSA {}/{}", namespace.value, service_account.value),
        Trust::PodIdentity {
            cluster,
            namespace,
            service_account,
        } => format!(
            "Pod Identity {}: {}/{}",
            cluster.value, namespace.value, service_account.value
        ),
        Trust::RolesAnywhere {
            anchor,
            common_name,
        } => format!(
            "Roles Anywhere CN {}{}",
            common_name.value,
            match anchor {
                TrustAnchor::Existing(_) => "",
                TrustAnchor::FromAcmPca(_) => " (new anchor)",
            }
        ),
        Trust::Service { principal } => format!("service {}", principal.value),
        Trust::Principals { arns } => format!(
            "principals {}",
            arns.iter()
                .map(|a| a.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }];
    for allow in &role.allows {
        let mut arns = 0;
        let mut any = false;
        for target in &allow.on {
            match &target.value {
                Target::Any => any = true,
                Target::Arn(_) => arns += 1,
                Target::Component(_) => {}
            }
        }
        if arns == 0 && !any {
            continue;
        }
        let on = match (any, arns) {
            (true, 0) => "*".to_string(),
            (true, n) => format!("* and {n} ARN{}", if n == 1 { "" } else { "s" }),
            (false, n) => format!("{n} ARN{}", if n == 1 { "" } else { "s" }),
        };
        let acts: Vec<String> = allow.actions.iter().map(|a| a.value.clone()).collect();
        details.push(format!("{}: {} on {on}", allow.name.value, actions(&acts)));
    }
    details
}

/// Short ids for Mermaid and DOT, by position: `c0`, `c1`… for clusters, `n0`, `n1`… for nodes
/// (blueprint names may hold `-`, which neither format takes in a bare id).
fn positional_ids(d: &Diagram) -> std::collections::BTreeMap<String, String> {
    let clusters = d
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), format!("c{i}")));
    let nodes = d
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.clone(), format!("n{i}")));
    clusters.chain(nodes).collect()
}

/// The diagram as pretty JSON (schema in the README).
pub fn json(diagram: &Diagram) -> String {
    let mut text = serde_json::to_string_pretty(diagram).expect("diagram serializes");
    text.push('\n');
    text
}
