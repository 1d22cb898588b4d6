//! Reachability: whether one attachment can hold a conversation with another (a usable path needs
//! both directions), and the same summarised per pair of route tables (segments).
//!
//! The work is one `Delivery` per (table with members, attachment): every member of a table sees
//! the same table, so the attachment × attachment matrix is derived, never recomputed, and the
//! segment matrix is counted from those deliveries in time linear in the attachments. Only sources
//! with their own restricted route table (`Attachment::sends`) are looked at one pair at a time.

use super::engine::{Delivery, Engine, Extent, Outcome};
use super::topology::{AttachmentId, TableId};
use serde::Serialize;

/// A pair's verdict, both directions combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every address each way is delivered.
    Full,
    /// Some addresses each way are delivered, not all.
    Partial,
    /// Traffic can go one way only: no usable path, and a sign of a route that should not exist or
    /// one that is missing.
    OneWay,
    None,
}

impl Verdict {
    pub fn of(forward: Extent, back: Extent) -> Self {
        match (forward, back) {
            (Extent::Full, Extent::Full) => Verdict::Full,
            (Extent::None, Extent::None) => Verdict::None,
            (Extent::None, _) | (_, Extent::None) => Verdict::OneWay,
            _ => Verdict::Partial,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Full => "full",
            Verdict::Partial => "partial",
            Verdict::OneWay => "one-way",
            Verdict::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PairReach {
    /// How much of the target's space the source reaches.
    pub forward: Extent,
    /// How much of the source's space the target reaches (the replies).
    pub back: Extent,
    pub verdict: Verdict,
}

/// Counts of ordered attachment pairs by verdict, between the members of two tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub full: usize,
    pub partial: usize,
    pub one_way: usize,
    pub none: usize,
}

impl Cell {
    fn add(&mut self, verdict: Verdict, count: usize) {
        match verdict {
            Verdict::Full => self.full += count,
            Verdict::Partial => self.partial += count,
            Verdict::OneWay => self.one_way += count,
            Verdict::None => self.none += count,
        }
    }

    pub fn pairs(&self) -> usize {
        self.full + self.partial + self.one_way + self.none
    }

    /// The verdict shared by every pair, or `Partial` when they differ. `None` without pairs.
    pub fn summary(&self) -> Option<Verdict> {
        let total = self.pairs();
        if total == 0 {
            return None;
        }
        Some(if self.full == total {
            Verdict::Full
        } else if self.none == total {
            Verdict::None
        } else if self.one_way + self.none == total {
            Verdict::OneWay
        } else {
            Verdict::Partial
        })
    }

    /// Whether any pair exchanges any traffic in any direction.
    pub fn any_traffic(&self) -> bool {
        self.full + self.partial + self.one_way > 0
    }
}

pub struct Reachability<'e, 't> {
    engine: &'e Engine<'t>,
    members: Vec<Vec<AttachmentId>>,
    /// `[table][attachment]`, computed for tables with members only.
    deliveries: Vec<Vec<Delivery>>,
    /// `[table]`: what the table does with the whole address space, for tables with members, when
    /// some attachment leaves for the internet (`Attachment::exits`); empty otherwise.
    internet: Vec<Option<Delivery>>,
}

/// How one attachment reaches the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetReach {
    /// The VPCs it leaves through, in attachment order.
    pub exits: Vec<AttachmentId>,
    /// The VPCs its internet-bound traffic passes through first (inspection, say), in order met.
    pub through: Vec<AttachmentId>,
    /// How much of its own space the exits' replies reach (`None` without exits).
    pub replies: Extent,
}

impl InternetReach {
    pub fn reaches(&self) -> bool {
        !self.exits.is_empty()
    }
}

/// The VPCs a delivery leaves through for the internet (sorted) and those its internet-bound
/// pieces pass through first (in order met).
fn exits_of(delivery: &Delivery) -> (Vec<AttachmentId>, Vec<AttachmentId>) {
    let mut exits = Vec::new();
    let mut through = Vec::new();
    for piece in &delivery.pieces {
        if let Outcome::Internet(exit, _) = piece.outcome {
            if !exits.contains(&exit) {
                exits.push(exit);
            }
            for t in piece.path.iter() {
                if !through.contains(&t.through) {
                    through.push(t.through);
                }
            }
        }
    }
    exits.sort();
    (exits, through)
}

impl<'e, 't> Reachability<'e, 't> {
    pub fn compute(engine: &'e Engine<'t>) -> Self {
        let topology = engine.topology();
        let members = topology.members();
        let deliveries = topology
            .table_ids()
            .map(|table| {
                if members[table.0].is_empty() {
                    Vec::new()
                } else {
                    topology
                        .attachment_ids()
                        .map(|target| engine.delivery(table, target))
                        .collect()
                }
            })
            .collect();
        let any_exit = topology
            .attachment_ids()
            .any(|a| topology.attachment(a).exits);
        let internet = topology
            .table_ids()
            .map(|table| (any_exit && !members[table.0].is_empty()).then(|| engine.internet(table)))
            .collect();
        Reachability {
            engine,
            members,
            deliveries,
            internet,
        }
    }

    /// How `source` reaches the internet: its own route table, its table's routes, the VPCs that
    /// send the traffic back to the gateway, and the VPC whose NAT gateways it leaves through; and
    /// whether the replies find their way back from there.
    pub fn internet(&self, source: AttachmentId) -> InternetReach {
        let topology = self.engine.topology();
        let a = topology.attachment(source);
        let table_delivery = a.table.and_then(|t| self.internet[t.0].as_ref());
        let (exits, through) = match (table_delivery, &a.sends) {
            (None, _) => Default::default(),
            (Some(d), None) => exits_of(d),
            (Some(d), Some(_)) => exits_of(&self.engine.forward_from(source, d)),
        };
        self.with_replies(source, exits, through)
    }

    /// `internet` for every member of a table, the table's pieces read once for the members
    /// without a restricted route table of their own.
    pub fn internet_of_members(&self, table: TableId) -> Vec<(AttachmentId, InternetReach)> {
        let topology = self.engine.topology();
        let shared = self.internet[table.0].as_ref().map(exits_of);
        self.members[table.0]
            .iter()
            .map(|&m| {
                let reach = match (&shared, &topology.attachment(m).sends) {
                    (Some((exits, through)), None) => {
                        self.with_replies(m, exits.clone(), through.clone())
                    }
                    _ => self.internet(m),
                };
                (m, reach)
            })
            .collect()
    }

    /// Replies come back from each exit by its own route table and its table's routes.
    fn with_replies(
        &self,
        source: AttachmentId,
        exits: Vec<AttachmentId>,
        through: Vec<AttachmentId>,
    ) -> InternetReach {
        let replies = exits
            .iter()
            .map(|&exit| self.forward(exit, source).extent())
            .min_by_key(|e| match e {
                Extent::None => 0,
                Extent::Partial => 1,
                Extent::Full => 2,
            })
            .unwrap_or(Extent::None);
        InternetReach {
            exits,
            through,
            replies,
        }
    }

    /// What a table with members does with the whole address space (`None`: nothing exits to
    /// the internet anywhere, or the table has no members).
    pub fn internet_delivery(&self, table: TableId) -> Option<&Delivery> {
        self.internet[table.0].as_ref()
    }

    pub fn engine(&self) -> &'e Engine<'t> {
        self.engine
    }

    /// The attachments associated with a table.
    pub fn members(&self, table: TableId) -> &[AttachmentId] {
        &self.members[table.0]
    }

    /// What a table with members does with `target`'s addresses.
    pub fn delivery(&self, table: TableId, target: AttachmentId) -> Option<&Delivery> {
        self.deliveries[table.0].get(target.0)
    }

    /// What traffic from `source` to `target`'s addresses meets, both route tables included.
    pub fn forward(&self, source: AttachmentId, target: AttachmentId) -> Delivery {
        match self.engine.topology().attachment(source).table {
            Some(table) => self
                .engine
                .forward_from(source, &self.deliveries[table.0][target.0]),
            None => self.engine.forward(source, target),
        }
    }

    fn extent(&self, source: AttachmentId, target: AttachmentId) -> Extent {
        let topology = self.engine.topology();
        match topology.attachment(source).table {
            Some(table) if topology.attachment(source).sends.is_none() => {
                self.deliveries[table.0][target.0].extent()
            }
            _ => self.forward(source, target).extent(),
        }
    }

    pub fn pair(&self, a: AttachmentId, b: AttachmentId) -> PairReach {
        let forward = self.extent(a, b);
        let back = self.extent(b, a);
        PairReach {
            forward,
            back,
            verdict: Verdict::of(forward, back),
        }
    }

    /// Pairs from the members of `from` to the members of `to` (an attachment is never paired with
    /// itself), counted by verdict.
    pub fn cell(&self, from: TableId, to: TableId) -> Cell {
        let topology = self.engine.topology();
        let restricted = |a: &AttachmentId| topology.attachment(*a).sends.is_some();
        let (sources, targets) = (&self.members[from.0], &self.members[to.0]);
        let mut cell = Cell::default();
        if sources.is_empty() || targets.is_empty() {
            return cell;
        }
        // Pairs with a restricted end, one at a time (there are few such attachments).
        let (restricted_sources, plain_sources): (Vec<AttachmentId>, Vec<AttachmentId>) =
            sources.iter().partition(|a| restricted(a));
        let restricted_targets: Vec<AttachmentId> =
            targets.iter().copied().filter(|b| restricted(b)).collect();
        for &a in &restricted_sources {
            for &b in targets {
                if a != b {
                    cell.add(self.pair(a, b).verdict, 1);
                }
            }
        }
        for &a in &plain_sources {
            for &b in &restricted_targets {
                if a != b {
                    cell.add(self.pair(a, b).verdict, 1);
                }
            }
        }
        // The rest by counting: forward depends only on the target, back only on the source.
        let index = |e: Extent| e as usize;
        let mut forward = [0usize; 3];
        for b in targets.iter().filter(|b| !restricted(b)) {
            forward[index(self.deliveries[from.0][b.0].extent())] += 1;
        }
        let mut back = [0usize; 3];
        for a in sources.iter().filter(|a| !restricted(a)) {
            back[index(self.deliveries[to.0][a.0].extent())] += 1;
        }
        let extents = [Extent::Full, Extent::Partial, Extent::None];
        for f in extents {
            for b in extents {
                let mut count = forward[index(f)] * back[index(b)];
                if from == to && f == b {
                    // Remove the self pairs: in one table an attachment's forward and back extents
                    // are the same delivery.
                    count -= back[index(b)];
                }
                cell.add(Verdict::of(f, b), count);
            }
        }
        cell
    }
}
