//! Route tables as data: the attachments of one transit gateway world, the prefixes behind each, the
//! table each is associated with, and every table's propagations and static routes.
//!
//! The engine reads only this. `from_model` builds it from a blueprint (what the generated stack
//! will create); the propagation checks build it from deployed state, so both are judged by the
//! same code.

use super::Intent;
use super::intent::DerivedBlackhole;
use crate::model::{AttachmentRef, Model, RouteAction, SegmentId};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttachmentId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId(pub usize);

/// What kind of attachment propagates a route: AWS prefers a VPC's propagated route over a Direct
/// Connect gateway's for the same prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttachmentKind {
    Vpc,
    DirectConnectGateway,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    /// How reports name it: `vpc.agents`, `interconnect.gcp`, or an AWS id when nothing maps it.
    pub name: String,
    pub kind: AttachmentKind,
    /// The addresses that live behind the attachment: a VPC's CIDR, or the prefixes a partner cloud
    /// announces through a Direct Connect gateway. A propagation installs these in a table.
    pub prefixes: Vec<Ipv4Net>,
    /// The route table the attachment is associated with: it decides where the attachment's
    /// traffic goes. `None`: not associated, so the gateway drops everything it sends.
    pub table: Option<TableId>,
    /// The destinations the attachment's own side sends to the transit gateway (a VPC's route
    /// table). `None`: everything outside its own prefixes.
    pub sends: Option<Vec<Ipv4Net>>,
    /// Whether what the attachment's side neither keeps nor sends back leaves for the internet (a
    /// VPC with NAT gateways and an internet gateway).
    pub exits: bool,
}

impl Attachment {
    /// The route of the attachment's own table that sends `prefix` to the gateway: the longest of
    /// `sends` containing it, `None` for the default route (when `sends` is `None`) or no route.
    pub fn route_back(&self, prefix: Ipv4Net) -> Option<Ipv4Net> {
        self.sends
            .iter()
            .flatten()
            .filter(|s| s.contains(&prefix))
            .max_by_key(|s| s.prefix_len())
            .copied()
    }
}

#[derive(Debug, Clone)]
pub struct StaticRoute {
    pub name: String,
    pub destination: Ipv4Net,
    /// `None` for a blackhole.
    pub target: Option<AttachmentId>,
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub name: String,
    pub propagations: Vec<AttachmentId>,
    pub static_routes: Vec<StaticRoute>,
}

#[derive(Debug, Clone, Default)]
pub struct Topology {
    pub attachments: Vec<Attachment>,
    pub tables: Vec<RouteTable>,
}

impl Topology {
    pub fn attachment(&self, id: AttachmentId) -> &Attachment {
        &self.attachments[id.0]
    }

    pub fn table(&self, id: TableId) -> &RouteTable {
        &self.tables[id.0]
    }

    pub fn attachment_ids(&self) -> impl Iterator<Item = AttachmentId> + use<> {
        (0..self.attachments.len()).map(AttachmentId)
    }

    pub fn table_ids(&self) -> impl Iterator<Item = TableId> + use<> {
        (0..self.tables.len()).map(TableId)
    }

    /// The attachments associated with each table, in attachment order.
    pub fn members(&self) -> Vec<Vec<AttachmentId>> {
        let mut members = vec![Vec::new(); self.tables.len()];
        for id in self.attachment_ids() {
            if let Some(table) = self.attachment(id).table {
                members[table.0].push(id);
            }
        }
        members
    }
}

/// Where a table's static route comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteOrigin {
    /// The route's index in its gateway's `routes`.
    Blueprint(usize),
    /// The index of a blackhole the intent derived (`Intent::blackholes`).
    Derived(usize),
}

/// The topology a blueprint declares, with the way back from engine ids to blueprint components.
pub struct ModelTopology {
    pub topology: Topology,
    /// By `AttachmentId`: the blueprint's attachments, in `Model::attachments` order.
    pub attachments: Vec<AttachmentRef>,
    /// By `TableId`: the segment whose table it is, in `Model::segments` order.
    pub segments: Vec<SegmentId>,
    /// By `TableId`, then static route position: where the route comes from.
    pub routes: Vec<Vec<RouteOrigin>>,
    /// The blackholes the intent derived (`RouteOrigin::Derived` indexes them).
    pub derived: Vec<DerivedBlackhole>,
}

impl ModelTopology {
    pub fn build(model: &Model, intent: &Intent) -> Self {
        let segments: Vec<SegmentId> = model.segments().map(|(id, _)| id).collect();
        let table_of: BTreeMap<SegmentId, TableId> = segments
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, TableId(i)))
            .collect();
        let attachments: Vec<AttachmentRef> = model.attachments().collect();
        let attachment_of: BTreeMap<AttachmentRef, AttachmentId> = attachments
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, AttachmentId(i)))
            .collect();

        let default_route: Ipv4Net = "0.0.0.0/0".parse().expect("literal CIDR");
        let vpc_routes = &intent.vpc_routes;
        let topology_attachments = attachments
            .iter()
            .map(|&attachment| {
                let table = Some(table_of[&model.segment_of(attachment)]);
                let name = model.attachment_address(attachment);
                match attachment {
                    AttachmentRef::Vpc(id) => {
                        let routes = &vpc_routes[id.0];
                        Attachment {
                            name,
                            kind: AttachmentKind::Vpc,
                            prefixes: vec![model.vpc(id).cidr.value],
                            table,
                            sends: (routes.as_slice() != [default_route]).then(|| routes.clone()),
                            exits: model.vpc(id).reaches_internet(),
                        }
                    }
                    AttachmentRef::Interconnect(id) => Attachment {
                        name,
                        kind: AttachmentKind::DirectConnectGateway,
                        prefixes: model
                            .interconnect(id)
                            .remote_cidrs
                            .iter()
                            .map(|c| c.value)
                            .collect(),
                        table,
                        sends: None,
                        exits: false,
                    },
                }
            })
            .collect();

        let mut tables: Vec<RouteTable> = segments
            .iter()
            .map(|&s| RouteTable {
                name: format!(
                    "{}/{}",
                    model.transit_gateways[s.tgw.0].name.value,
                    model.segment(s).name.value
                ),
                propagations: Vec::new(),
                static_routes: Vec::new(),
            })
            .collect();
        for &(segment, attachment) in &intent.propagations {
            tables[table_of[&segment].0]
                .propagations
                .push(attachment_of[&attachment]);
        }
        let mut routes = vec![Vec::new(); segments.len()];
        for tgw in model.transit_gateways.iter() {
            for (index, route) in tgw.routes.iter().enumerate() {
                let table = table_of[&route.segment];
                tables[table.0].static_routes.push(StaticRoute {
                    name: route.name.value.clone(),
                    destination: route.destination.value,
                    target: match route.action {
                        RouteAction::Attachment(target) => Some(attachment_of[&target]),
                        RouteAction::Blackhole => None,
                    },
                });
                routes[table.0].push(RouteOrigin::Blueprint(index));
            }
        }
        for (index, blackhole) in intent.blackholes.iter().enumerate() {
            let table = table_of[&blackhole.segment];
            tables[table.0].static_routes.push(StaticRoute {
                name: blackhole.name(),
                destination: blackhole.destination,
                target: None,
            });
            routes[table.0].push(RouteOrigin::Derived(index));
        }
        ModelTopology {
            topology: Topology {
                attachments: topology_attachments,
                tables,
            },
            attachments,
            segments,
            routes,
            derived: intent.blackholes.clone(),
        }
    }

    pub fn attachment_ref(&self, id: AttachmentId) -> AttachmentRef {
        self.attachments[id.0]
    }

    pub fn segment(&self, table: TableId) -> SegmentId {
        self.segments[table.0]
    }

    /// The blueprint route behind a table's static route. Only blackholes are derived, so a route
    /// with a target always has one.
    pub fn route<'m>(
        &self,
        model: &'m Model,
        table: TableId,
        index: usize,
    ) -> &'m crate::model::Route {
        match self.routes[table.0][index] {
            RouteOrigin::Blueprint(route) => {
                &model.transit_gateways[self.segment(table).tgw.0].routes[route]
            }
            RouteOrigin::Derived(_) => {
                panic!(
                    "route {index} of table {table:?} is a derived blackhole, not a blueprint route"
                )
            }
        }
    }

    /// The blackhole the intent derived behind a table's static route, if it is one.
    pub fn derived(&self, table: TableId, index: usize) -> Option<&DerivedBlackhole> {
        match self.routes[table.0][index] {
            RouteOrigin::Derived(k) => Some(&self.derived[k]),
            RouteOrigin::Blueprint(_) => None,
        }
    }

    /// A static route as reports name it: the blueprint route's name, or the derived blackhole's.
    pub fn route_name(&self, model: &Model, table: TableId, index: usize) -> String {
        match self.derived(table, index) {
            Some(blackhole) => blackhole.name(),
            None => self.route(model, table, index).name.value.clone(),
        }
    }

    /// Where a static route is declared: the blueprint route, or for a derived blackhole the route
    /// that made it necessary.
    pub fn route_span(&self, model: &Model, table: TableId, index: usize) -> crate::diag::Span {
        match self.derived(table, index) {
            Some(blackhole) => {
                model.transit_gateways[self.segment(table).tgw.0].routes[blackhole.route]
                    .name
                    .span
            }
            None => self.route(model, table, index).name.span,
        }
    }
}
