//! The effective-route engine: each table's routes evaluated as AWS does, and what a table does with
//! every address behind an attachment.
//!
//! Evaluation order (Transit Gateway route evaluation order, provider-facts §4): the longest
//! matching prefix wins; for the same prefix a static route (or blackhole) beats a propagated one;
//! among propagated routes, a VPC's beats a Direct Connect gateway's.
//!
//! Everything works on prefixes, never on sampled addresses: a table is a map from prefix to its
//! winning route, and resolving a prefix splits it at exactly the more specific routes inside it.
//!
//! A packet a table sends to a VPC that does not own its destination is not delivered: the VPC's
//! route table forwards it ("the specified subnets serve as the entry and exit points for transit
//! gateway traffic", Transit Gateways guide, "Amazon VPC attachments"). Where that table sends it
//! back to the gateway, the packet re-enters through the VPC's attachment and its associated table:
//! the hairpin AWS warns about ("Centralized egress to internet", whitepaper "Building a Scalable
//! and Secure Multi-VPC AWS Network Infrastructure"; Transit Gateways guide, "Example: Centralized
//! outbound routing to the internet"). The engine follows it, per piece of prefix, table after
//! table; a piece that comes back to a table it already passed loops (a table routes a prefix the
//! same way every time), so no path is longer than the number of tables.

use super::topology::{AttachmentId, AttachmentKind, TableId, Topology};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Which route decided: a table's static route (by position) or an attachment's propagation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    Static(TableId, usize),
    Propagated(TableId, AttachmentId),
}

impl Via {
    /// The table whose route it is.
    pub fn table(self) -> TableId {
        match self {
            Via::Static(table, _) | Via::Propagated(table, _) => table,
        }
    }
}

/// One pass through a VPC: a table's route (`via`) sent the packet to a VPC attachment (`through`)
/// that does not own the destination, and that VPC's route table sent it back to the gateway, which
/// routed it again by the attachment's associated table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Transit {
    pub via: Via,
    pub through: AttachmentId,
}

/// The VPCs a piece passed through before its outcome, in order (empty: straight there).
pub type Path = Arc<[Transit]>;

/// Where a table sends an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hop {
    Attachment(AttachmentId),
    Blackhole,
}

/// One table's winning route for one prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveRoute {
    pub destination: Ipv4Net,
    pub hop: Hop,
    pub via: Via,
}

/// What happens to one piece of an attachment's address space, seen from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// It reaches the attachment it belongs to.
    Delivered(Via),
    /// A more specific or preferred route sends it to another attachment.
    Elsewhere(AttachmentId, Via),
    /// A blackhole route drops it.
    Blackhole(Via),
    /// No route in the table covers it (or the source is not associated with any table).
    NoRoute,
    /// The source's own route table does not send it to the transit gateway.
    NotSent,
    /// It passes through VPCs back to a table it already passed: it circles until its TTL ends.
    Loop,
    /// It leaves for the internet through the NAT gateways of a VPC (`Engine::internet` only): the
    /// route `Via` sent it into that VPC, which neither owns it nor sends it back.
    Internet(AttachmentId, Via),
}

impl Outcome {
    /// Whether the piece arrives where it was going (its attachment, or the internet).
    pub fn is_delivered(self) -> bool {
        matches!(self, Outcome::Delivered(_) | Outcome::Internet(..))
    }
}

/// Where a followed packet is going: an attachment's addresses, or the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Attachment(AttachmentId),
    Internet,
}

/// The address space the internet is followed over: everything. The pieces a table routes to the
/// platform's own attachments end there (`Elsewhere`); only what a VPC that exits neither keeps
/// nor sends back is the internet.
pub const INTERNET: Ipv4Net = Ipv4Net::new_assert(Ipv4Addr::UNSPECIFIED, 0);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub prefix: Ipv4Net,
    pub outcome: Outcome,
    /// The VPCs it passed through on the way to its outcome (for a loop, up to the pass that
    /// brings it back to a table it already passed).
    pub path: Path,
}

impl Piece {
    /// A piece that went straight to its outcome.
    pub fn direct(prefix: Ipv4Net, outcome: Outcome) -> Self {
        Piece {
            prefix,
            outcome,
            path: Path::default(),
        }
    }
}

/// How much of an attachment's address space a source reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    Full,
    Partial,
    None,
}

/// The fate of every address behind one attachment, seen from one table or one source: pieces
/// that together cover the attachment's prefixes exactly, in address order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub pieces: Vec<Piece>,
}

impl Delivery {
    pub fn extent(&self) -> Extent {
        let delivered = self
            .pieces
            .iter()
            .filter(|p| p.outcome.is_delivered())
            .count();
        if delivered == 0 {
            Extent::None
        } else if delivered == self.pieces.len() {
            Extent::Full
        } else {
            Extent::Partial
        }
    }

    pub fn delivered(&self) -> impl Iterator<Item = &Piece> {
        self.pieces.iter().filter(|p| p.outcome.is_delivered())
    }

    pub fn undelivered(&self) -> impl Iterator<Item = &Piece> {
        self.pieces.iter().filter(|p| !p.outcome.is_delivered())
    }
}

/// A table's effective routes, keyed by (network, prefix length) so that the routes inside a prefix
/// are one contiguous range.
struct Fib {
    routes: BTreeMap<(u32, u8), EffectiveRoute>,
}

pub struct Engine<'t> {
    topology: &'t Topology,
    fibs: Vec<Fib>,
}

impl<'t> Engine<'t> {
    pub fn new(topology: &'t Topology) -> Self {
        let fibs = topology
            .table_ids()
            .map(|table| {
                // Candidates ranked by (static 0 | VPC 1 | Direct Connect gateway 2, then position).
                let mut best: BTreeMap<(u32, u8), (u8, EffectiveRoute)> = BTreeMap::new();
                let mut offer = |rank: u8, route: EffectiveRoute| {
                    let key = key(route.destination);
                    match best.get(&key) {
                        Some((r, existing)) if (*r, existing.via) <= (rank, route.via) => {}
                        _ => {
                            best.insert(key, (rank, route));
                        }
                    }
                };
                let t = topology.table(table);
                for (index, route) in t.static_routes.iter().enumerate() {
                    offer(
                        0,
                        EffectiveRoute {
                            destination: route.destination,
                            hop: route.target.map_or(Hop::Blackhole, Hop::Attachment),
                            via: Via::Static(table, index),
                        },
                    );
                }
                for &attachment in &t.propagations {
                    let a = topology.attachment(attachment);
                    let rank = match a.kind {
                        AttachmentKind::Vpc => 1,
                        AttachmentKind::DirectConnectGateway => 2,
                    };
                    for &prefix in &a.prefixes {
                        offer(
                            rank,
                            EffectiveRoute {
                                destination: prefix,
                                hop: Hop::Attachment(attachment),
                                via: Via::Propagated(table, attachment),
                            },
                        );
                    }
                }
                Fib {
                    routes: best.into_iter().map(|(k, (_, r))| (k, r)).collect(),
                }
            })
            .collect();
        Engine { topology, fibs }
    }

    pub fn topology(&self) -> &'t Topology {
        self.topology
    }

    /// The route a table uses for one address (longest prefix match).
    pub fn lookup(&self, table: TableId, address: Ipv4Addr) -> Option<&EffectiveRoute> {
        let fib = &self.fibs[table.0];
        (0..=32u8).rev().find_map(|len| {
            let net = Ipv4Net::new(address, len).expect("length ≤ 32").trunc();
            fib.routes.get(&key(net))
        })
    }

    /// What a table does with every address in `prefix`: the prefix split at exactly the routes
    /// more specific than it, each piece with the route that wins it (`None`: no route).
    pub fn resolve(
        &self,
        table: TableId,
        prefix: Ipv4Net,
    ) -> Vec<(Ipv4Net, Option<EffectiveRoute>)> {
        let fib = &self.fibs[table.0];
        let covering = (0..=prefix.prefix_len()).rev().find_map(|len| {
            let net = Ipv4Net::new(prefix.network(), len)
                .expect("length ≤ 32")
                .trunc();
            fib.routes.get(&key(net)).copied()
        });
        let low = (u32::from(prefix.network()), prefix.prefix_len() + 1);
        let high = (u32::from(prefix.broadcast()), 32);
        let inner: Vec<EffectiveRoute> = if low.1 > 32 {
            Vec::new()
        } else {
            fib.routes
                .range(low..=high)
                .filter(|(k, _)| k.1 > prefix.prefix_len())
                .map(|(_, r)| *r)
                .collect()
        };
        let mut out = Vec::new();
        split(prefix, covering, &inner, &mut out);
        out
    }

    /// What attachment `target`'s address space meets in `table`, followed through the VPCs that
    /// send it back to the gateway.
    pub fn delivery(&self, table: TableId, target: AttachmentId) -> Delivery {
        let mut pieces = Vec::new();
        for &prefix in &self.topology.attachment(target).prefixes {
            self.follow(
                table,
                Target::Attachment(target),
                prefix,
                &Path::default(),
                &mut pieces,
            );
        }
        pieces.sort_by_key(|p| key(p.prefix));
        Delivery { pieces }
    }

    /// What `table` does with the whole address space, followed through the VPCs that send it
    /// back to the gateway: the pieces that leave through a VPC's NAT gateways are `Internet`,
    /// those the platform's attachments own end `Elsewhere` (at their owner).
    pub fn internet(&self, table: TableId) -> Delivery {
        let mut pieces = Vec::new();
        self.follow(
            table,
            Target::Internet,
            INTERNET,
            &Path::default(),
            &mut pieces,
        );
        pieces.sort_by_key(|p| key(p.prefix));
        Delivery { pieces }
    }

    /// `prefix` (part of `target`'s space) as `table` routes it, after `path`.
    fn follow(
        &self,
        table: TableId,
        target: Target,
        prefix: Ipv4Net,
        path: &Path,
        out: &mut Vec<Piece>,
    ) {
        let piece = |prefix, outcome| Piece {
            prefix,
            outcome,
            path: Arc::clone(path),
        };
        for (part, route) in self.resolve(table, prefix) {
            let Some(r) = route else {
                out.push(piece(part, Outcome::NoRoute));
                continue;
            };
            let through = match r.hop {
                Hop::Blackhole => {
                    out.push(piece(part, Outcome::Blackhole(r.via)));
                    continue;
                }
                Hop::Attachment(a) if target == Target::Attachment(a) => {
                    out.push(piece(part, Outcome::Delivered(r.via)));
                    continue;
                }
                Hop::Attachment(a) => a,
            };
            let (back, stays) = self.sent_back(through, part);
            let exits = target == Target::Internet && self.topology.attachment(through).exits;
            for stay in stays {
                if exits {
                    // Kept inside the VPC if it owns it, else out through its NAT gateways.
                    let (own, out_there) =
                        partition(stay, &self.topology.attachment(through).prefixes);
                    out.extend(
                        own.into_iter()
                            .map(|p| piece(p, Outcome::Elsewhere(through, r.via))),
                    );
                    out.extend(
                        out_there
                            .into_iter()
                            .map(|p| piece(p, Outcome::Internet(through, r.via))),
                    );
                } else {
                    out.push(piece(stay, Outcome::Elsewhere(through, r.via)));
                }
            }
            if back.is_empty() {
                continue;
            }
            let next = self
                .topology
                .attachment(through)
                .table
                .expect("only an associated attachment sends back");
            let longer: Path = path
                .iter()
                .copied()
                .chain([Transit {
                    via: r.via,
                    through,
                }])
                .collect();
            if next == table || path.iter().any(|t| t.via.table() == next) {
                // The path ends with the pass that closes the loop.
                out.extend(back.into_iter().map(|b| Piece {
                    prefix: b,
                    outcome: Outcome::Loop,
                    path: Arc::clone(&longer),
                }));
                continue;
            }
            for b in back {
                self.follow(next, target, b, &longer, out);
            }
        }
    }

    /// The parts of `prefix` (delivered to `attachment`, which does not own all of it) that the
    /// attachment's side sends back to the gateway, and the parts that stay (delivered locally
    /// inside it, dropped there, or handed to a network agentform does not model). A VPC's route
    /// table keeps its own range (the local route) and sends back what it routes to the gateway; a
    /// Direct Connect gateway hands everything to the partner network.
    fn sent_back(&self, attachment: AttachmentId, prefix: Ipv4Net) -> (Vec<Ipv4Net>, Vec<Ipv4Net>) {
        let a = self.topology.attachment(attachment);
        if a.kind != AttachmentKind::Vpc || a.table.is_none() {
            return (Vec::new(), vec![prefix]);
        }
        let (mut stays, outside) = partition(prefix, &a.prefixes);
        let back = match &a.sends {
            None => outside,
            Some(sends) => {
                let mut back = Vec::new();
                for o in outside {
                    let (sent, kept) = partition(o, sends);
                    back.extend(sent);
                    stays.extend(kept);
                }
                back
            }
        };
        (back, stays)
    }

    /// What traffic from `source` to every address behind `target` meets: the source's own route
    /// table first, then its associated transit gateway table. `table_delivery` is
    /// `delivery(source's table, target)`, passed in so callers can reuse it.
    pub fn forward_from(&self, source: AttachmentId, table_delivery: &Delivery) -> Delivery {
        let Some(sends) = &self.topology.attachment(source).sends else {
            return table_delivery.clone();
        };
        let mut pieces = Vec::new();
        for piece in &table_delivery.pieces {
            if !piece.outcome.is_delivered() {
                pieces.push(piece.clone());
                continue;
            }
            let (inside, outside) = partition(piece.prefix, sends);
            pieces.extend(inside.into_iter().map(|prefix| Piece {
                prefix,
                outcome: piece.outcome,
                path: Arc::clone(&piece.path),
            }));
            pieces.extend(
                outside
                    .into_iter()
                    .map(|prefix| Piece::direct(prefix, Outcome::NotSent)),
            );
        }
        pieces.sort_by_key(|p| key(p.prefix));
        Delivery { pieces }
    }

    /// `forward_from` computed from scratch.
    pub fn forward(&self, source: AttachmentId, target: AttachmentId) -> Delivery {
        match self.topology.attachment(source).table {
            Some(table) => self.forward_from(source, &self.delivery(table, target)),
            None => Delivery {
                pieces: self
                    .topology
                    .attachment(target)
                    .prefixes
                    .iter()
                    .map(|&prefix| Piece::direct(prefix, Outcome::NoRoute))
                    .collect(),
            },
        }
    }
}

fn key(net: Ipv4Net) -> (u32, u8) {
    (u32::from(net.network()), net.prefix_len())
}

/// Splits `q` at the routes of `inner` (all strictly inside `q`, sorted by key): a route exactly at
/// a sub-prefix overrides what it inherits; a sub-prefix with nothing more specific inside is one
/// piece.
fn split(
    q: Ipv4Net,
    inherited: Option<EffectiveRoute>,
    inner: &[EffectiveRoute],
    out: &mut Vec<(Ipv4Net, Option<EffectiveRoute>)>,
) {
    let (here, rest) = match inner.first() {
        Some(r) if r.destination == q => (Some(*r), &inner[1..]),
        _ => (inherited, inner),
    };
    if rest.is_empty() {
        out.push((q, here));
        return;
    }
    let mut halves = q
        .subnets(q.prefix_len() + 1)
        .expect("inner routes are longer");
    let (low, high) = (
        halves.next().expect("two halves"),
        halves.next().expect("two halves"),
    );
    let middle = u32::from(high.network());
    let at = rest.partition_point(|r| u32::from(r.destination.network()) < middle);
    split(low, here, &rest[..at], out);
    split(high, here, &rest[at..], out);
}

/// Splits `prefix` into the parts covered by `cover` and the parts that are not, each a list of
/// disjoint prefixes.
pub fn partition(prefix: Ipv4Net, cover: &[Ipv4Net]) -> (Vec<Ipv4Net>, Vec<Ipv4Net>) {
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    partition_into(prefix, cover, &mut inside, &mut outside);
    (inside, outside)
}

fn partition_into(
    q: Ipv4Net,
    cover: &[Ipv4Net],
    inside: &mut Vec<Ipv4Net>,
    outside: &mut Vec<Ipv4Net>,
) {
    if cover.iter().any(|c| c.contains(&q)) {
        inside.push(q);
        return;
    }
    let within: Vec<Ipv4Net> = cover.iter().filter(|c| q.contains(*c)).copied().collect();
    if within.is_empty() {
        outside.push(q);
        return;
    }
    for half in q
        .subnets(q.prefix_len() + 1)
        .expect("covering parts are longer")
    {
        partition_into(half, &within, inside, outside);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segregation::topology::{Attachment, RouteTable, StaticRoute};

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn vpc(name: &str, cidr: &str, table: usize) -> Attachment {
        Attachment {
            name: name.into(),
            kind: AttachmentKind::Vpc,
            prefixes: vec![net(cidr)],
            table: Some(TableId(table)),
            sends: None,
            exits: false,
        }
    }

    #[test]
    fn a_more_specific_static_route_carves_out_exactly_its_prefix() {
        let topology = Topology {
            attachments: vec![vpc("a", "10.0.0.0/16", 0), vpc("b", "10.1.0.0/16", 0)],
            tables: vec![RouteTable {
                name: "t".into(),
                propagations: vec![AttachmentId(0), AttachmentId(1)],
                static_routes: vec![StaticRoute {
                    name: "hole".into(),
                    destination: net("10.1.2.0/24"),
                    target: None,
                }],
            }],
        };
        let engine = Engine::new(&topology);
        let d = engine.delivery(TableId(0), AttachmentId(1));
        assert_eq!(d.extent(), Extent::Partial);
        let dropped: Vec<Ipv4Net> = d.undelivered().map(|p| p.prefix).collect();
        assert_eq!(dropped, vec![net("10.1.2.0/24")]);
        let delivered: Vec<Ipv4Net> =
            Ipv4Net::aggregate(&d.delivered().map(|p| p.prefix).collect::<Vec<_>>());
        assert_eq!(
            delivered,
            vec![
                net("10.1.0.0/23"),
                net("10.1.3.0/24"),
                net("10.1.4.0/22"),
                net("10.1.8.0/21"),
                net("10.1.16.0/20"),
                net("10.1.32.0/19"),
                net("10.1.64.0/18"),
                net("10.1.128.0/17"),
            ]
        );
        assert_eq!(
            engine.delivery(TableId(0), AttachmentId(0)).extent(),
            Extent::Full
        );
    }

    #[test]
    fn static_beats_propagated_and_vpc_beats_direct_connect_for_the_same_prefix() {
        let mut dx = vpc("dx", "10.0.0.0/16", 0);
        dx.kind = AttachmentKind::DirectConnectGateway;
        let topology = Topology {
            attachments: vec![dx, vpc("v", "10.0.0.0/16", 0), vpc("w", "10.9.0.0/16", 0)],
            tables: vec![
                RouteTable {
                    name: "prop".into(),
                    propagations: vec![AttachmentId(0), AttachmentId(1)],
                    static_routes: vec![],
                },
                RouteTable {
                    name: "static".into(),
                    propagations: vec![AttachmentId(0), AttachmentId(1)],
                    static_routes: vec![StaticRoute {
                        name: "to-w".into(),
                        destination: net("10.0.0.0/16"),
                        target: Some(AttachmentId(2)),
                    }],
                },
            ],
        };
        let engine = Engine::new(&topology);
        let addr: Ipv4Addr = "10.0.1.1".parse().unwrap();
        assert_eq!(
            engine.lookup(TableId(0), addr).unwrap().hop,
            Hop::Attachment(AttachmentId(1))
        );
        assert_eq!(
            engine.lookup(TableId(1), addr).unwrap().hop,
            Hop::Attachment(AttachmentId(2))
        );
        assert!(
            engine
                .lookup(TableId(0), "192.168.0.1".parse().unwrap())
                .is_none()
        );
    }

    #[test]
    fn a_source_that_does_not_send_a_prefix_never_reaches_it() {
        let mut a = vpc("a", "10.0.0.0/16", 0);
        a.sends = Some(vec![net("10.1.0.0/17")]);
        let topology = Topology {
            attachments: vec![a, vpc("b", "10.1.0.0/16", 0)],
            tables: vec![RouteTable {
                name: "t".into(),
                propagations: vec![AttachmentId(0), AttachmentId(1)],
                static_routes: vec![],
            }],
        };
        let engine = Engine::new(&topology);
        let d = engine.forward(AttachmentId(0), AttachmentId(1));
        assert_eq!(d.extent(), Extent::Partial);
        assert_eq!(
            d.pieces,
            vec![
                Piece::direct(
                    net("10.1.0.0/17"),
                    Outcome::Delivered(Via::Propagated(TableId(0), AttachmentId(1)))
                ),
                Piece::direct(net("10.1.128.0/17"), Outcome::NotSent),
            ]
        );
        assert_eq!(
            engine.forward(AttachmentId(1), AttachmentId(0)).extent(),
            Extent::Full
        );
    }
}
