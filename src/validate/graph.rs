//! The component graph: one node per component (transit gateway, segment, VPC, interconnect,
//! route, MCP ingress, S3 Files workspace, IAM role, payment manager) and one typed edge per
//! reference the blueprint makes. Rules ask it who uses what.

use crate::model::{
    AttachmentRef, Component, IamRoleId, IngressId, InterconnectId, Model, PaymentManagerId,
    RouteAction, S3FilesId, SegmentId, Target, TgwId, VpcId,
};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    TransitGateway(TgwId),
    Segment(SegmentId),
    Vpc(VpcId),
    Interconnect(InterconnectId),
    /// A static route: transit gateway index and route index.
    Route(TgwId, usize),
    Ingress(IngressId),
    Storage(S3FilesId),
    Role(IamRoleId),
    Payments(PaymentManagerId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// segment → its transit gateway.
    PartOf,
    /// attachment → the segment whose route table it is associated with.
    MemberOf,
    /// segment → segment named in its `connects_to`.
    ConnectsTo,
    /// route → the segment whose table holds it.
    RouteIn,
    /// route → the attachment it forwards to.
    RouteTo,
    /// ingress → the VPC that holds its load balancers; workspace → the VPC of its mount targets.
    HostedIn,
    /// ingress → a VPC that gets an interface endpoint.
    Consumer,
    /// ingress → its context fetch or modify role; S3 Files workspace → an access point's role;
    /// payment manager → a role trusted by one of its payment roles.
    UsesRole,
    /// role → a component its `allow` blocks name.
    MayAccess,
    /// payment manager → a role named in `agents` (spending authority through the mediation layer).
    MaySpend,
}

pub struct ComponentGraph {
    pub graph: DiGraph<Node, Edge>,
    index: BTreeMap<Node, NodeIndex>,
}

impl ComponentGraph {
    pub fn build(model: &Model) -> Self {
        let mut g = ComponentGraph {
            graph: DiGraph::new(),
            index: BTreeMap::new(),
        };
        for (t, tgw) in model.transit_gateways.iter().enumerate() {
            let tgw_id = TgwId(t);
            g.node(Node::TransitGateway(tgw_id));
            for (index, segment) in tgw.segments.iter().enumerate() {
                let id = SegmentId { tgw: tgw_id, index };
                g.edge(
                    Node::Segment(id),
                    Node::TransitGateway(tgw_id),
                    Edge::PartOf,
                );
                for other in &segment.connects_to {
                    g.edge(
                        Node::Segment(id),
                        Node::Segment(other.value),
                        Edge::ConnectsTo,
                    );
                }
            }
            for (r, route) in tgw.routes.iter().enumerate() {
                let node = Node::Route(tgw_id, r);
                g.edge(node, Node::Segment(route.segment), Edge::RouteIn);
                if let RouteAction::Attachment(target) = route.action {
                    g.edge(node, attachment_node(target), Edge::RouteTo);
                }
            }
        }
        for (i, ingress) in model.ingresses.iter().enumerate() {
            let node = Node::Ingress(IngressId(i));
            g.edge(node, Node::Vpc(ingress.vpc.value), Edge::HostedIn);
            for consumer in &ingress.consumers {
                g.edge(node, Node::Vpc(consumer.value), Edge::Consumer);
            }
            for role in [&ingress.context_fetch_role, &ingress.context_modify_role] {
                g.edge(node, Node::Role(role.value), Edge::UsesRole);
            }
        }
        for (i, storage) in model.s3_files.iter().enumerate() {
            let node = Node::Storage(S3FilesId(i));
            g.edge(node, Node::Vpc(storage.vpc.value), Edge::HostedIn);
            for role in storage.access_points.iter().flat_map(|a| &a.roles) {
                g.edge(node, Node::Role(role.value), Edge::UsesRole);
            }
        }
        for (i, manager) in model.payment_managers.iter().enumerate() {
            let node = Node::Payments(PaymentManagerId(i));
            for agent in &manager.agents {
                g.edge(node, Node::Role(agent.value), Edge::MaySpend);
            }
            let principals = manager
                .admin_principals
                .iter()
                .chain(&manager.session_principals)
                .chain(&manager.payment_principals);
            for principal in principals {
                if let crate::model::Principal::Role(role) = principal.value {
                    g.edge(node, Node::Role(role), Edge::UsesRole);
                }
            }
        }
        for (r, role) in model.iam_roles.iter().enumerate() {
            let node = Node::Role(IamRoleId(r));
            g.node(node);
            for target in role.allows.iter().flat_map(|a| &a.on) {
                match target.value {
                    Target::Component(
                        Component::EndpointService(id) | Component::IngressLogs(id),
                    ) => g.edge(node, Node::Ingress(id), Edge::MayAccess),
                    Target::Component(
                        Component::FileSystem(id) | Component::AccessPoint(id, _),
                    ) => g.edge(node, Node::Storage(id), Edge::MayAccess),
                    Target::Component(Component::PaymentManager(id)) => {
                        g.edge(node, Node::Payments(id), Edge::MayAccess);
                    }
                    _ => {}
                }
            }
        }
        for attachment in model.attachments() {
            g.edge(
                attachment_node(attachment),
                Node::Segment(model.segment_of(attachment)),
                Edge::MemberOf,
            );
        }
        g
    }

    fn node(&mut self, node: Node) -> NodeIndex {
        *self
            .index
            .entry(node)
            .or_insert_with(|| self.graph.add_node(node))
    }

    fn edge(&mut self, from: Node, to: Node, edge: Edge) {
        let a = self.node(from);
        let b = self.node(to);
        self.graph.add_edge(a, b, edge);
    }

    /// Components with an edge of kind `edge` pointing at `node`, in a stable order.
    pub fn incoming(&self, node: Node, edge: Edge) -> Vec<Node> {
        let Some(&index) = self.index.get(&node) else {
            return Vec::new();
        };
        let mut out: Vec<Node> = self
            .graph
            .edges_directed(index, Direction::Incoming)
            .filter(|e| *e.weight() == edge)
            .map(|e| self.graph[petgraph::visit::EdgeRef::source(&e)])
            .collect();
        out.sort();
        out
    }

    /// The attachments associated with a segment's route table.
    pub fn members(&self, segment: SegmentId) -> Vec<AttachmentRef> {
        self.incoming(Node::Segment(segment), Edge::MemberOf)
            .into_iter()
            .filter_map(|n| match n {
                Node::Vpc(id) => Some(AttachmentRef::Vpc(id)),
                Node::Interconnect(id) => Some(AttachmentRef::Interconnect(id)),
                _ => None,
            })
            .collect()
    }
}

pub fn attachment_node(attachment: AttachmentRef) -> Node {
    match attachment {
        AttachmentRef::Vpc(id) => Node::Vpc(id),
        AttachmentRef::Interconnect(id) => Node::Interconnect(id),
    }
}
