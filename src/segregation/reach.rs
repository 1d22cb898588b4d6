//! Reachability: whether one attachment can hold a conversation with another (a usable path needs
//! both directions), and the same summarised per pair of route tables (segments).
//!
//! The work is one `Delivery` per (table with members, attachment): every member of a table sees
//! the same table, so the attachment × attachment matrix is derived, never recomputed, and the
//! segment matrix is counted from those deliveries in time linear in the attachments. Only sources
//! with their own restricted route table (`Attachment::sends`) are looked at one pair at a time.

use super::engine::{Delivery, Engine, Extent};
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
        Reachability {
            engine,
            members,
            deliveries,
        }
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
