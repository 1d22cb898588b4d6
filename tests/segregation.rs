//! The segregation engine against a deliberately naive reference simulator.
//!
//! The simulator knows nothing of prefixes as sets: it takes one address at a time, checks the
//! source's own route table, then scans every route of the source's transit gateway table and
//! keeps the best one (longest prefix, then static over propagated, then VPC over Direct Connect
//! gateway), exactly as the AWS documentation states the order; a packet sent to a VPC that does
//! not own it goes on by that VPC's route table, back into the gateway, hop by hop. The engine must
//! agree with it on every sampled address, on every pair's verdict, and on every segment cell's
//! counts.
//!
//! Sampled addresses are every point where the winning route can change (each route's first
//! address, the address after its last, and the same for the targets' and sources' prefixes),
//! plus random ones; so a verdict computed from samples is exact, not a guess.

use agentform::segregation::{
    Attachment, AttachmentId, AttachmentKind, Cell, Engine, Extent, Outcome, Reachability,
    RouteTable, StaticRoute, TableId, Topology, Verdict,
};
use ipnet::Ipv4Net;
use proptest::prelude::*;
use std::net::Ipv4Addr;

/// Prefixes from a small universe (10.0.0.0/14, lengths /14 to /24) so that they overlap often,
/// plus the occasional default route.
fn prefix() -> impl Strategy<Value = Ipv4Net> {
    prop_oneof![
        12 => (0u32..(1 << 18), 14u8..=24).prop_map(|(offset, len)| {
            let address = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + (offset << 6));
            Ipv4Net::new(address, len).unwrap().trunc()
        }),
        1 => Just("0.0.0.0/0".parse().unwrap()),
    ]
}

fn topology() -> impl Strategy<Value = Topology> {
    (2usize..8, 1usize..4).prop_flat_map(|(attachments, tables)| {
        let attachment = (
            any::<bool>(),
            prop::collection::vec(prefix(), 1..3),
            prop::option::weighted(0.9, 0..tables),
            prop::option::weighted(0.25, prop::collection::vec(prefix(), 0..3)),
            prop::bool::weighted(0.3),
        );
        let table = (
            prop::collection::vec(any::<bool>(), attachments),
            prop::collection::vec(
                (prefix(), prop::option::weighted(0.7, 0..attachments)),
                0..4,
            ),
        );
        (
            prop::collection::vec(attachment, attachments),
            prop::collection::vec(table, tables),
        )
            .prop_map(|(attachments, tables)| Topology {
                attachments: attachments
                    .into_iter()
                    .enumerate()
                    .map(|(i, (dx, prefixes, table, sends, exits))| Attachment {
                        name: format!("a{i}"),
                        kind: if dx {
                            AttachmentKind::DirectConnectGateway
                        } else {
                            AttachmentKind::Vpc
                        },
                        prefixes: Ipv4Net::aggregate(&prefixes),
                        table: table.map(TableId),
                        sends,
                        exits,
                    })
                    .collect(),
                tables: tables
                    .into_iter()
                    .enumerate()
                    .map(|(t, (propagate, routes))| RouteTable {
                        name: format!("t{t}"),
                        propagations: propagate
                            .iter()
                            .enumerate()
                            .filter(|(_, p)| **p)
                            .map(|(i, _)| AttachmentId(i))
                            .collect(),
                        static_routes: routes
                            .into_iter()
                            .enumerate()
                            .map(|(r, (destination, target))| StaticRoute {
                                name: format!("r{r}"),
                                destination,
                                target: target.map(AttachmentId),
                            })
                            .collect(),
                    })
                    .collect(),
            })
    })
}

/// (prefix length, preference, earlier position): the greatest wins.
type Rank = (u8, i32, std::cmp::Reverse<usize>);

/// The reference: does one packet from `source` to `address` arrive at `target`? The source's own
/// route table first; then the source's transit gateway table; when that sends the packet to
/// another VPC that does not own the address and whose own table sends it back to the gateway, the
/// packet re-enters by that VPC's table, hop by hop, until it arrives, is dropped, or comes back to
/// a table it already passed (a loop).
fn naive_delivers(topology: &Topology, source: usize, target: usize, address: Ipv4Addr) -> bool {
    let from = &topology.attachments[source];
    if let Some(sends) = &from.sends
        && !sends.iter().any(|p| p.contains(&address))
    {
        return false;
    }
    let Some(mut table) = from.table else {
        return false;
    };
    let mut visited = vec![table];
    loop {
        let Some(hop) = naive_hop(&topology.tables[table.0], topology, address) else {
            return false; // no route, or a blackhole
        };
        if hop == target {
            return true;
        }
        let through = &topology.attachments[hop];
        let local = through.prefixes.iter().any(|p| p.contains(&address));
        let sent_back = through
            .sends
            .as_ref()
            .is_none_or(|sends| sends.iter().any(|p| p.contains(&address)));
        match through.table {
            Some(next) if through.kind == AttachmentKind::Vpc && !local && sent_back => {
                if visited.contains(&next) {
                    return false; // a loop
                }
                visited.push(next);
                table = next;
            }
            _ => return false,
        }
    }
}

/// The reference for the internet: does one packet from `source` to `address` leave through a
/// VPC's NAT gateways? As `naive_delivers`, but the packet arrives nowhere: it ends at the first
/// attachment that neither owns it nor sends it back, and leaves if that attachment exits.
fn naive_internet(topology: &Topology, source: usize, address: Ipv4Addr) -> bool {
    let from = &topology.attachments[source];
    if let Some(sends) = &from.sends
        && !sends.iter().any(|p| p.contains(&address))
    {
        return false;
    }
    let Some(mut table) = from.table else {
        return false;
    };
    let mut visited = vec![table];
    loop {
        let Some(hop) = naive_hop(&topology.tables[table.0], topology, address) else {
            return false;
        };
        let through = &topology.attachments[hop];
        let local = through.prefixes.iter().any(|p| p.contains(&address));
        if local {
            return false; // the platform's own address
        }
        let sent_back = through
            .sends
            .as_ref()
            .is_none_or(|sends| sends.iter().any(|p| p.contains(&address)));
        match through.table {
            Some(next) if through.kind == AttachmentKind::Vpc && sent_back => {
                if visited.contains(&next) {
                    return false; // a loop
                }
                visited.push(next);
                table = next;
            }
            _ => return through.exits,
        }
    }
}

/// Every address where the answer for the internet can change, and a few random ones.
fn internet_samples(topology: &Topology, salt: u64) -> Vec<Ipv4Addr> {
    let mut edges: Vec<Ipv4Net> = Vec::new();
    for table in &topology.tables {
        edges.extend(table.static_routes.iter().map(|r| r.destination));
    }
    for a in &topology.attachments {
        edges.extend(a.prefixes.iter().copied());
        edges.extend(a.sends.iter().flatten().copied());
    }
    let mut points: Vec<u32> = vec![0, u32::MAX];
    for edge in &edges {
        let (s, e) = (u32::from(edge.network()), u32::from(edge.broadcast()));
        points.extend([s, e, s.wrapping_sub(1), e.wrapping_add(1)]);
    }
    let mut x = salt | 1;
    for _ in 0..16 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        points.push(u32::try_from(x & u64::from(u32::MAX)).expect("masked to 32 bits"));
    }
    points.sort_unstable();
    points.dedup();
    points.into_iter().map(Ipv4Addr::from).collect()
}

/// The attachment one table sends `address` to (`None`: no route, or a blackhole), by scanning
/// every route and keeping the best.
fn naive_hop(table: &RouteTable, topology: &Topology, address: Ipv4Addr) -> Option<usize> {
    // (prefix length, preference: higher wins, then earlier wins) → next hop (None = blackhole).
    let mut best: Option<(Rank, Option<usize>)> = None;
    let mut consider = |len: u8, preference: i32, order: usize, hop: Option<usize>| {
        let rank = (len, preference, std::cmp::Reverse(order));
        if best.is_none_or(|(b, _)| rank > b) {
            best = Some((rank, hop));
        }
    };
    for (i, route) in table.static_routes.iter().enumerate() {
        if route.destination.contains(&address) {
            consider(
                route.destination.prefix_len(),
                3,
                i,
                route.target.map(|t| t.0),
            );
        }
    }
    for attachment in &table.propagations {
        let a = &topology.attachments[attachment.0];
        for prefix in &a.prefixes {
            if prefix.contains(&address) {
                let preference = match a.kind {
                    AttachmentKind::Vpc => 2,
                    AttachmentKind::DirectConnectGateway => 1,
                };
                consider(
                    prefix.prefix_len(),
                    preference,
                    attachment.0,
                    Some(attachment.0),
                );
            }
        }
    }
    best.and_then(|(_, hop)| hop)
}

/// Every address where the winning route for `target`'s space can change, and a few random ones.
fn samples(topology: &Topology, target: usize, salt: u64) -> Vec<Ipv4Addr> {
    let mut edges: Vec<Ipv4Net> = Vec::new();
    for table in &topology.tables {
        edges.extend(table.static_routes.iter().map(|r| r.destination));
    }
    for a in &topology.attachments {
        edges.extend(a.prefixes.iter().copied());
        edges.extend(a.sends.iter().flatten().copied());
    }
    let mut out = Vec::new();
    for prefix in &topology.attachments[target].prefixes {
        let (low, high) = (u32::from(prefix.network()), u32::from(prefix.broadcast()));
        let mut points = vec![low, high, low + (high - low) / 2];
        for edge in &edges {
            let (s, e) = (u32::from(edge.network()), u32::from(edge.broadcast()));
            points.extend([s, e, s.wrapping_sub(1), e.wrapping_add(1)]);
        }
        let mut x = salt | 1;
        for _ in 0..8 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            points.push(
                low + u32::try_from(x % (u64::from(high - low) + 1)).expect("within the prefix"),
            );
        }
        out.extend(
            points
                .into_iter()
                .filter(|p| (low..=high).contains(p))
                .map(Ipv4Addr::from),
        );
    }
    out.sort();
    out.dedup();
    out
}

fn naive_extent(topology: &Topology, source: usize, target: usize) -> Extent {
    let points = samples(topology, target, (source * 31 + target) as u64);
    let delivered = points
        .iter()
        .filter(|&&p| naive_delivers(topology, source, target, p))
        .count();
    if delivered == 0 {
        Extent::None
    } else if delivered == points.len() {
        Extent::Full
    } else {
        Extent::Partial
    }
}

fn size(prefix: Ipv4Net) -> u64 {
    1u64 << (32 - prefix.prefix_len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_naive_simulator(topology in topology()) {
        let engine = Engine::new(&topology);
        let reach = Reachability::compute(&engine);
        let n = topology.attachments.len();
        for source in 0..n {
            for target in 0..n {
                if source == target {
                    continue;
                }
                let delivery = reach.forward(AttachmentId(source), AttachmentId(target));
                // The pieces partition the target's space exactly.
                let covered: u64 = delivery.pieces.iter().map(|p| size(p.prefix)).sum();
                let space: u64 = topology.attachments[target].prefixes.iter().copied().map(size).sum();
                prop_assert_eq!(covered, space);
                for address in samples(&topology, target, (source * 7 + target) as u64) {
                    let piece = delivery
                        .pieces
                        .iter()
                        .find(|p| p.prefix.contains(&address))
                        .expect("every address is in a piece");
                    prop_assert_eq!(
                        piece.outcome.is_delivered(),
                        naive_delivers(&topology, source, target, address),
                        "{} → {} at {}: engine says {:?}", source, target, address, piece.outcome
                    );
                }
                let expected = Verdict::of(
                    naive_extent(&topology, source, target),
                    naive_extent(&topology, target, source),
                );
                prop_assert_eq!(reach.pair(AttachmentId(source), AttachmentId(target)).verdict, expected);
            }
        }
        // The internet: every sampled address agrees, pieces cover the whole space, and the exits
        // are exactly the attachments the naive packets leave through.
        if topology.attachments.iter().any(|a| a.exits) {
            for source in 0..n {
                let Some(table) = topology.attachments[source].table else {
                    continue;
                };
                let table_delivery = reach.internet_delivery(table).expect("computed for tables with members");
                let covered: u64 = table_delivery.pieces.iter().map(|p| size(p.prefix)).sum();
                prop_assert_eq!(covered, 1u64 << 32);
                let delivery = engine.forward_from(AttachmentId(source), table_delivery);
                let mut leaves = false;
                for address in internet_samples(&topology, source as u64) {
                    let piece = delivery
                        .pieces
                        .iter()
                        .find(|p| p.prefix.contains(&address))
                        .expect("every address is in a piece");
                    let naive = naive_internet(&topology, source, address);
                    leaves |= naive;
                    prop_assert_eq!(
                        matches!(piece.outcome, Outcome::Internet(..)),
                        naive,
                        "{} → internet at {}: engine says {:?}", source, address, piece.outcome
                    );
                }
                prop_assert_eq!(reach.internet(AttachmentId(source)).reaches(), leaves);
            }
        }
        // Segment cells: the counted summary equals the pairs counted one by one.
        for from in 0..topology.tables.len() {
            for to in 0..topology.tables.len() {
                let mut expected = Cell::default();
                for a in reach.members(TableId(from)) {
                    for b in reach.members(TableId(to)) {
                        if a == b {
                            continue;
                        }
                        match Verdict::of(naive_extent(&topology, a.0, b.0), naive_extent(&topology, b.0, a.0)) {
                            Verdict::Full => expected.full += 1,
                            Verdict::Partial => expected.partial += 1,
                            Verdict::OneWay => expected.one_way += 1,
                            Verdict::None => expected.none += 1,
                        }
                    }
                }
                prop_assert_eq!(reach.cell(TableId(from), TableId(to)), expected);
            }
        }
    }
}

/// The matrices of every valid blueprint, as `agentform reach` prints them: the classic patterns
/// (hub and spoke, isolated tenants, central egress, dev/prod with a blackhole, multicloud) and the
/// reference platform.
#[test]
fn reach_matrices() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    insta::glob!("fixtures/valid/*.{hcl,json}", |path| {
        insta::assert_snapshot!(reach_table(root, path));
    });
    insta::assert_snapshot!(
        "reach@agent-platform",
        reach_table(root, &root.join("blueprints/agent-platform.hcl"))
    );
}

fn reach_table(root: &std::path::Path, path: &std::path::Path) -> String {
    let display = path.strip_prefix(root).unwrap().display().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let source = agentform::source::SourceFile::from_text(&display, &text);
    let analysis = agentform::analyze_with(
        &source,
        &agentform::lower::Overrides::default(),
        agentform::segregation::report::Matrices::WithAttachments,
    );
    assert!(!analysis.has_errors(), "{display} must be valid");
    let report = analysis.validation.expect("valid").into_reach();
    assert!(
        !report.has_findings(),
        "{display}: a valid blueprint breaks its intent"
    );
    report.table()
}

/// AWS's quota of combined routes per transit gateway (10,000, propagated and static together) is
/// a warning at the gateway once the propagations, routes and derived blackholes exceed it.
#[test]
fn gateway_route_quota() {
    let quota_warnings = |vpcs: usize| {
        let text = agentform::synth::blueprint(vpcs, 4);
        let source = agentform::source::SourceFile::from_text("synth.hcl", &text);
        let analysis = agentform::analyze(&source, &agentform::lower::Overrides::default());
        assert!(!analysis.has_errors(), "{vpcs} VPCs must be valid");
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("routes across its route tables"))
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    // Four segments, all connected to `s0`: 3,000 VPCs need 9,004 routes, 3,400 need 10,204.
    assert_eq!(quota_warnings(3_000), Vec::<String>::new());
    let over = quota_warnings(3_400);
    assert_eq!(over.len(), 1, "{over:#?}");
    assert!(
        over[0].starts_with("transit gateway `core` holds 10204 routes"),
        "{over:#?}"
    );
}
