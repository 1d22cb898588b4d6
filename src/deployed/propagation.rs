//! `agentform propagation`: the transit gateway route tables as deployed, against the blueprint.
//!
//! The deployed tables (from state or from the AWS API, [`crate::deployed`]) become a second
//! [`Topology`] over the same engine ids as the blueprint's: AWS ids map back to blueprint names
//! through the tags every generated route table and attachment carries (`agentform:component`).
//! Per-item findings compare the two (unexpected propagations and static routes are leaks; missing
//! or not `enabled` propagations are failures; associations must match), and the segregation engine
//! judges both topologies, so the report also says which segment pairs now reach each other
//! differently.

use crate::deployed::tgw::{Link, Observed, Tags};
use crate::model::Model;
use crate::plan::naming::{TAG_COMPONENT, TAG_PLATFORM};
use crate::segregation::{
    Attachment, AttachmentId, AttachmentKind, Cell, Engine, ModelTopology, Reachability,
    StaticRoute, TableId, Topology, Via,
};
use crate::validate::ValidModel;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A propagation, or a static route to an attachment, that the blueprint does not declare.
    Leak,
    /// A propagation the blueprint declares that is missing or not `enabled`.
    FailedPropagation,
    /// An attachment associated with another table than its segment's, or with none; or an
    /// attachment the blueprint does not know associated with a segment's table.
    WrongAssociation,
    /// A static route or blackhole the blueprint declares that is missing or points elsewhere.
    MissingRoute,
    /// A blackhole the blueprint does not declare.
    UnexpectedBlackhole,
    /// A segment's route table, or an attachment, that cannot be found deployed.
    MissingObject,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Leak => "leak",
            Kind::FailedPropagation => "failed propagation",
            Kind::WrongAssociation => "wrong association",
            Kind::MissingRoute => "missing route",
            Kind::UnexpectedBlackhole => "unexpected blackhole",
            Kind::MissingObject => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// On a platform of several stacks: the stack that manages the object concerned (the gateway
    /// owner's routing stack for its tables, associations, propagations and routes; the VPC's
    /// build stack for a missing attachment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    pub kind: Kind,
    /// The segment whose route table is concerned, as `gateway/segment`; for an unknown table,
    /// its AWS id.
    pub segment: String,
    /// The attachment responsible, as the blueprint names it (`vpc.agents`) or by AWS id.
    pub attachment: Option<String>,
    /// A static route's destination.
    pub destination: Option<String>,
    pub route_table_id: Option<String>,
    pub attachment_id: Option<String>,
    pub message: String,
}

/// A segment pair whose reachability differs between the blueprint and what is deployed.
#[derive(Debug, Clone, Serialize)]
pub struct ReachChange {
    pub from: String,
    pub to: String,
    /// The verdict shared by the pairs (`full`, `partial`, `one_way`, `none`), as blueprint.
    pub expected: Option<crate::segregation::Verdict>,
    pub deployed: Option<crate::segregation::Verdict>,
    pub expected_pairs: Cell,
    pub deployed_pairs: Cell,
    /// One deployed path through VPCs between the two segments, hop by hop, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub summary: String,
    pub counts: Counts,
    pub findings: Vec<Finding>,
    pub reachability_changes: Vec<ReachChange>,
    pub notes: Vec<String>,
    /// The stacks read, in manifest order (a platform of several stacks only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<String>,
}

impl Report {
    /// On a platform of several stacks: names `stacks` as read, and each finding's stack (the one
    /// whose Terraform manages what it concerns), first in its message too.
    pub fn name_stacks(&mut self, model: &crate::model::Model, stacks: Vec<String>) {
        let layout = crate::plan::layout::layout(model);
        if layout.is_single() {
            return;
        }
        for finding in &mut self.findings {
            let vpc = finding
                .attachment
                .as_deref()
                .and_then(|a| a.strip_prefix("vpc."))
                .and_then(|name| model.vpcs.iter().position(|v| v.name.value == name));
            let gateway = finding.segment.split_once('/').and_then(|(g, _)| {
                model
                    .transit_gateways
                    .iter()
                    .position(|t| t.name.value == g)
            });
            let index = match (finding.kind, vpc, gateway) {
                (Kind::MissingObject, Some(v), _) => {
                    Some(layout.build(model.accounts.vpcs[v].account))
                }
                (_, _, Some(t)) => Some(layout.routing_of(model, crate::model::TgwId(t))),
                _ => None,
            };
            if let Some(index) = index {
                let name = layout.stacks[index].name.clone();
                finding.message = format!("stack `{name}`: {}", finding.message);
                finding.stack = Some(name);
            }
        }
        self.stacks = stacks;
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub leaks: usize,
    pub failed_propagations: usize,
    pub wrong_associations: usize,
    pub missing_routes: usize,
    pub unexpected_blackholes: usize,
    pub missing_objects: usize,
    pub reachability_changes: usize,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty() && self.reachability_changes.is_empty()
    }

    /// Human text: the one-line summary first, then one line per finding and per changed cell.
    pub fn human(&self) -> String {
        let mut out = format!("{}\n", self.summary);
        for f in &self.findings {
            let _ = writeln!(out, "{}: {}", f.kind.as_str(), f.message);
        }
        if !self.reachability_changes.is_empty() {
            let _ = writeln!(out, "segment reachability (blueprint -> deployed):");
            let verdict =
                |v: Option<crate::segregation::Verdict>| v.map_or("no pairs", |v| v.as_str());
            for c in &self.reachability_changes {
                let _ = writeln!(
                    out,
                    "  {} -> {}: {} -> {}",
                    c.from,
                    c.to,
                    verdict(c.expected),
                    verdict(c.deployed)
                );
                if let Some(path) = &c.path {
                    let _ = writeln!(out, "    path: {path}");
                }
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether an object's tags say it belongs to another platform (the AWS API lists every platform's
/// objects; state tags omit the provider's default tags, so a missing tag is not a mismatch).
fn foreign(tags: &Tags, platform: &str) -> bool {
    tags.get(TAG_PLATFORM).is_some_and(|p| p != platform)
}

/// How the deployed topology was assembled: the engine topology and the way back to AWS ids.
struct DeployedTopology {
    topology: Topology,
    table_ids: Vec<Option<String>>,
    attachment_ids: Vec<Option<String>>,
    /// Unknown attachments, by AWS id: associated tables (kept out of the engine).
    unknown_associations: Vec<(String, TableId)>,
    /// Propagations seen but not `enabled`: (table, attachment) → state.
    not_enabled: BTreeMap<(TableId, AttachmentId), String>,
}

#[allow(clippy::too_many_lines)] // one pass per kind of object, in order; splitting hides the order
fn deployed_topology(
    model: &Model,
    blueprint: &ModelTopology,
    observed: &Observed,
    notes: &mut Vec<String>,
) -> DeployedTopology {
    let platform = &model.platform.name.value;
    let mut topology = blueprint.topology.clone();
    for a in &mut topology.attachments {
        a.table = None;
    }
    for t in &mut topology.tables {
        t.propagations.clear();
        t.static_routes.clear();
    }
    let mut table_ids: Vec<Option<String>> = vec![None; topology.tables.len()];
    let mut attachment_ids: Vec<Option<String>> = vec![None; topology.attachments.len()];

    // Blueprint components by the component tag the generated resources carry.
    let table_by_component: BTreeMap<String, TableId> = topology
        .table_ids()
        .map(|t| {
            let segment = blueprint.segment(t);
            let component = format!(
                "transit_gateway.{}.segment.{}",
                model.transit_gateways[segment.tgw.0].name.value,
                model.segment(segment).name.value
            );
            (component, t)
        })
        .collect();
    let attachment_by_component: BTreeMap<String, AttachmentId> = topology
        .attachment_ids()
        .map(|a| (topology.attachment(a).name.clone(), a))
        .collect();

    // Objects of other platforms, and every link that touches one, are not this blueprint's.
    let mut foreign_ids: BTreeSet<&str> = BTreeSet::new();
    let mut table_of: BTreeMap<&str, TableId> = BTreeMap::new();
    for table in &observed.tables {
        if foreign(&table.tags, platform) {
            foreign_ids.insert(&table.id);
            continue;
        }
        let known = table
            .tags
            .get(TAG_COMPONENT)
            .and_then(|c| table_by_component.get(c))
            .copied();
        let id = match known {
            Some(t) if table_ids[t.0].is_none() => t,
            _ => {
                // A table the blueprint does not know (or a second one claiming a segment).
                topology.tables.push(crate::segregation::RouteTable {
                    name: table.id.clone(),
                    propagations: Vec::new(),
                    static_routes: Vec::new(),
                });
                table_ids.push(None);
                TableId(topology.tables.len() - 1)
            }
        };
        table_ids[id.0] = Some(table.id.clone());
        table_of.insert(&table.id, id);
    }
    let mut attachment_of: BTreeMap<&str, AttachmentId> = BTreeMap::new();
    for attachment in &observed.attachments {
        if foreign(&attachment.tags, platform) {
            foreign_ids.insert(&attachment.id);
            continue;
        }
        let known = attachment
            .tags
            .get(TAG_COMPONENT)
            .and_then(|c| attachment_by_component.get(c))
            .copied();
        let id = match known {
            Some(a) if attachment_ids[a.0].is_none() => a,
            _ => {
                topology.attachments.push(Attachment {
                    name: format!(
                        "{} ({} {})",
                        attachment.id, attachment.resource_type, attachment.resource_id
                    ),
                    kind: if attachment.resource_type == "direct-connect-gateway" {
                        AttachmentKind::DirectConnectGateway
                    } else {
                        AttachmentKind::Vpc
                    },
                    // Unknown space: nothing of the blueprint lives behind it.
                    prefixes: Vec::new(),
                    table: None,
                    sends: None,
                    exits: false,
                });
                attachment_ids.push(None);
                AttachmentId(topology.attachments.len() - 1)
            }
        };
        attachment_ids[id.0] = Some(attachment.id.clone());
        attachment_of.insert(&attachment.id, id);
        // Where a packet sent into the VPC goes next: its route tables as deployed, when read.
        if attachment.resource_type == "vpc"
            && let Some(routes) = observed.vpc_routes.get(&attachment.resource_id)
        {
            let mut sends: Vec<Ipv4Net> = Vec::new();
            for route in routes {
                match route.parse::<Ipv4Net>() {
                    Ok(net) => sends.push(net.trunc()),
                    Err(_) => notes.push(format!(
                        "the route table of {} holds a route to `{route}`, which is not an IPv4 prefix: left out",
                        attachment.resource_id
                    )),
                }
            }
            let default_route: Ipv4Net = "0.0.0.0/0".parse().expect("literal CIDR");
            topology.attachments[id.0].sends = (!sends.contains(&default_route)).then_some(sends);
        }
    }
    if observed.vpc_routes.is_empty() {
        notes.push(
            "no VPC route table was read: the blueprint's VPC routes stand in for the deployed ones \
             (a state holding the `aws_route_table` resources, or `scripts/collect-tgw.sh`'s \
             vpc-route-tables.json, shows them)"
                .to_string(),
        );
    }

    // Links may name objects the listings lack (state without the attachment resource): give
    // those an unknown entry too, so nothing is dropped.
    let table_for = |topology: &mut Topology, table_ids: &mut Vec<Option<String>>, id: &str| {
        if let Some(&t) = table_of.get(id) {
            return t;
        }
        topology.tables.push(crate::segregation::RouteTable {
            name: id.to_string(),
            propagations: Vec::new(),
            static_routes: Vec::new(),
        });
        table_ids.push(Some(id.to_string()));
        TableId(topology.tables.len() - 1)
    };
    let mut unknown_attachment: BTreeMap<String, AttachmentId> = BTreeMap::new();
    let mut attachment_for =
        |topology: &mut Topology, attachment_ids: &mut Vec<Option<String>>, id: &str| {
            if let Some(&a) = attachment_of.get(id) {
                return a;
            }
            *unknown_attachment.entry(id.to_string()).or_insert_with(|| {
                topology.attachments.push(Attachment {
                    name: id.to_string(),
                    kind: AttachmentKind::Vpc,
                    prefixes: Vec::new(),
                    table: None,
                    sends: None,
                    exits: false,
                });
                attachment_ids.push(Some(id.to_string()));
                AttachmentId(topology.attachments.len() - 1)
            })
        };

    let blueprint_attachments = blueprint.topology.attachments.len();
    let mut unknown_associations = Vec::new();
    for Link {
        table,
        attachment,
        state,
    } in &observed.associations
    {
        if foreign_ids.contains(table.as_str()) || foreign_ids.contains(attachment.as_str()) {
            continue;
        }
        if !matches!(state.as_str(), "associated" | "associating") {
            continue;
        }
        let t = table_for(&mut topology, &mut table_ids, table);
        let a = attachment_for(&mut topology, &mut attachment_ids, attachment);
        if a.0 < blueprint_attachments {
            topology.attachments[a.0].table = Some(t);
        } else {
            // Unknown space: kept out of the engine's members, reported as a finding.
            unknown_associations.push((attachment.clone(), t));
        }
    }
    let mut not_enabled = BTreeMap::new();
    for Link {
        table,
        attachment,
        state,
    } in &observed.propagations
    {
        if foreign_ids.contains(table.as_str()) || foreign_ids.contains(attachment.as_str()) {
            continue;
        }
        let t = table_for(&mut topology, &mut table_ids, table);
        let a = attachment_for(&mut topology, &mut attachment_ids, attachment);
        if state == "enabled" {
            topology.tables[t.0].propagations.push(a);
        } else {
            not_enabled.insert((t, a), state.clone());
        }
    }
    for route in &observed.static_routes {
        if foreign_ids.contains(route.table.as_str()) {
            continue;
        }
        let t = table_for(&mut topology, &mut table_ids, &route.table);
        let Ok(destination) = route.destination.parse::<Ipv4Net>() else {
            notes.push(format!(
                "static route to `{}` in {} skipped: not an IPv4 prefix",
                route.destination, route.table
            ));
            continue;
        };
        let target = route
            .attachment
            .as_deref()
            .map(|id| attachment_for(&mut topology, &mut attachment_ids, id));
        topology.tables[t.0].static_routes.push(StaticRoute {
            name: route.destination.clone(),
            destination,
            target,
        });
    }
    DeployedTopology {
        topology,
        table_ids,
        attachment_ids,
        unknown_associations,
        not_enabled,
    }
}

/// A path through VPCs from a member of `from` to a member of `to`, as deployed: "`vpc.a` →
/// `core/tenants` (route `0.0.0.0/0`) → `vpc.egress` (its route `10.111.0.0/16` → tgw) →
/// `core/egress` → `vpc.b`".
fn transit_path(reach: &Reachability, from: TableId, to: TableId) -> Option<String> {
    let topology = reach.engine().topology();
    for &a in reach.members(from) {
        for &b in reach.members(to) {
            if a == b {
                continue;
            }
            let delivery = reach.forward(a, b);
            let Some(piece) = delivery.delivered().find(|p| !p.path.is_empty()) else {
                continue;
            };
            let mut hops = vec![format!("`{}`", topology.attachment(a).name)];
            let mut table = from;
            for t in piece.path.iter() {
                let route = match t.via {
                    Via::Static(tt, i) => {
                        format!("route `{}`", topology.table(tt).static_routes[i].name)
                    }
                    Via::Propagated(_, p) => {
                        format!("propagation of `{}`", topology.attachment(p).name)
                    }
                };
                hops.push(format!("`{}` ({route})", topology.table(table).name));
                let through = topology.attachment(t.through);
                hops.push(format!(
                    "`{}` (its route `{}` → tgw)",
                    through.name,
                    through
                        .route_back(piece.prefix)
                        .map_or_else(|| "0.0.0.0/0".to_string(), |r| r.to_string())
                ));
                table = through.table.unwrap_or(table);
            }
            hops.push(format!("`{}`", topology.table(table).name));
            hops.push(format!(
                "`{}` `{}`",
                topology.attachment(b).name,
                piece.prefix
            ));
            return Some(hops.join(" → "));
        }
    }
    None
}

/// Compares what is deployed with the blueprint. `from_state`: the routing came from Terraform
/// state, which cannot hold what was made outside Terraform (said in a note).
#[allow(clippy::too_many_lines)] // one comparison per kind of object, in report order
pub fn check(valid: &ValidModel, observed: &Observed, from_state: bool) -> Report {
    let model = valid.model();
    let blueprint = ModelTopology::build(model, valid.intent());
    let expected = &blueprint.topology;
    let mut notes = Vec::new();
    let deployed = deployed_topology(model, &blueprint, observed, &mut notes);
    let actual = &deployed.topology;
    let segments = expected.tables.len();
    let names = |t: TableId| actual.table(t).name.clone();
    let table_id = |t: TableId| deployed.table_ids[t.0].clone();
    let attachment_id = |a: AttachmentId| deployed.attachment_ids[a.0].clone();
    let described = |a: AttachmentId| match attachment_id(a) {
        Some(id) if a.0 < expected.attachments.len() => {
            format!("`{}` ({id})", actual.attachment(a).name)
        }
        Some(_) => format!("unknown attachment {}", actual.attachment(a).name),
        None => format!("`{}`", actual.attachment(a).name),
    };
    let in_table = |t: TableId| match table_id(t) {
        Some(id) => format!(" in {id}"),
        None => String::new(),
    };
    let mut findings = Vec::new();

    for t in expected.table_ids() {
        if table_id(t).is_none() {
            findings.push(Finding {
                stack: None,
                kind: Kind::MissingObject,
                segment: names(t),
                attachment: None,
                destination: None,
                route_table_id: None,
                attachment_id: None,
                message: format!(
                    "segment `{}` has no route table tagged `{TAG_COMPONENT}` for it",
                    names(t)
                ),
            });
        }
    }
    for a in expected.attachment_ids() {
        let name = expected.attachment(a).name.clone();
        let want = expected.attachment(a).table;
        let have = actual.attachment(a).table;
        if attachment_id(a).is_none() {
            findings.push(Finding {
                stack: None,
                kind: Kind::MissingObject,
                segment: want.map(names).unwrap_or_default(),
                attachment: Some(name.clone()),
                destination: None,
                route_table_id: None,
                attachment_id: None,
                message: format!(
                    "`{name}` has no transit gateway attachment tagged `{TAG_COMPONENT}` for it"
                ),
            });
            continue;
        }
        if want != have {
            let message = match have {
                None => format!(
                    "{} is associated with no route table; the blueprint associates it with segment `{}`",
                    described(a),
                    want.map(names).unwrap_or_default()
                ),
                Some(h) => format!(
                    "{} is associated with `{}`{}; the blueprint associates it with segment `{}`",
                    described(a),
                    names(h),
                    in_table(h),
                    want.map(names).unwrap_or_default()
                ),
            };
            findings.push(Finding {
                stack: None,
                kind: Kind::WrongAssociation,
                segment: want.map(names).unwrap_or_default(),
                attachment: Some(name),
                destination: None,
                route_table_id: have.and_then(table_id),
                attachment_id: attachment_id(a),
                message,
            });
        }
    }
    for (id, t) in &deployed.unknown_associations {
        findings.push(Finding {
            stack: None,
            kind: Kind::WrongAssociation,
            segment: names(*t),
            attachment: Some(id.clone()),
            destination: None,
            route_table_id: table_id(*t),
            attachment_id: Some(id.clone()),
            message: format!(
                "unknown attachment {id} (no `{TAG_COMPONENT}` tag of this blueprint) is associated with `{}`{}",
                names(*t),
                in_table(*t)
            ),
        });
    }

    for t in actual.table_ids() {
        let want: BTreeSet<AttachmentId> = if t.0 < segments {
            expected.table(t).propagations.iter().copied().collect()
        } else {
            BTreeSet::new()
        };
        let have: BTreeSet<AttachmentId> = actual.table(t).propagations.iter().copied().collect();
        let known_segment = if t.0 < segments {
            "segment"
        } else {
            "route table"
        };
        for &a in have.difference(&want) {
            let home = expected
                .attachments
                .get(a.0)
                .and_then(|x| x.table)
                .map(|h| format!(" (segment `{}`)", names(h)))
                .unwrap_or_default();
            findings.push(Finding {
                stack: None,
                kind: Kind::Leak,
                segment: names(t),
                attachment: Some(actual.attachment(a).name.clone()),
                destination: None,
                route_table_id: table_id(t),
                attachment_id: attachment_id(a),
                message: format!(
                    "{known_segment} `{}` leaked: it receives the routes of {}{home} through a propagation{} that the blueprint does not declare",
                    names(t),
                    described(a),
                    in_table(t)
                ),
            });
        }
        for &a in want.difference(&have) {
            let state = deployed.not_enabled.get(&(t, a));
            findings.push(Finding {
                stack: None,
                kind: Kind::FailedPropagation,
                segment: names(t),
                attachment: Some(actual.attachment(a).name.clone()),
                destination: None,
                route_table_id: table_id(t),
                attachment_id: attachment_id(a),
                message: match state {
                    Some(state) => format!(
                        "propagation of {} into segment `{}`{} is `{state}`, not `enabled`",
                        described(a),
                        names(t),
                        in_table(t)
                    ),
                    None => format!(
                        "propagation of {} into segment `{}`{} is missing",
                        described(a),
                        names(t),
                        in_table(t)
                    ),
                },
            });
        }

        // Static routes and blackholes, keyed by destination.
        let want: BTreeMap<Ipv4Net, (Option<AttachmentId>, String)> = if t.0 < segments {
            expected
                .table(t)
                .static_routes
                .iter()
                .map(|r| (r.destination, (r.target, r.name.clone())))
                .collect()
        } else {
            BTreeMap::new()
        };
        let have: BTreeMap<Ipv4Net, Option<AttachmentId>> = actual
            .table(t)
            .static_routes
            .iter()
            .map(|r| (r.destination, r.target))
            .collect();
        let target_text = |target: Option<AttachmentId>| match target {
            Some(a) => format!("to {}", described(a)),
            None => "blackhole".to_string(),
        };
        for (destination, (target, name)) in &want {
            if have.get(destination) == Some(target) {
                continue;
            }
            let now = match have.get(destination) {
                Some(other) => format!("it is {}", target_text(*other)),
                None => "it is missing".to_string(),
            };
            findings.push(Finding {
                stack: None,
                kind: Kind::MissingRoute,
                segment: names(t),
                attachment: target.map(|a| actual.attachment(a).name.clone()),
                destination: Some(destination.to_string()),
                route_table_id: table_id(t),
                attachment_id: target.and_then(attachment_id),
                message: format!(
                    "route `{name}` ({destination} {}) of segment `{}`{}: {now}",
                    target_text(*target),
                    names(t),
                    in_table(t)
                ),
            });
        }
        for (destination, target) in &have {
            if want.get(destination).is_some_and(|(w, _)| w == target) {
                continue;
            }
            let (kind, what) = match target {
                Some(a) => (
                    Kind::Leak,
                    format!("a static route {destination} to {}", described(*a)),
                ),
                None => (
                    Kind::UnexpectedBlackhole,
                    format!("a blackhole for {destination}"),
                ),
            };
            findings.push(Finding {
                stack: None,
                kind,
                segment: names(t),
                attachment: target.map(|a| actual.attachment(a).name.clone()),
                destination: Some(destination.to_string()),
                route_table_id: table_id(t),
                attachment_id: target.and_then(attachment_id),
                message: format!(
                    "{known_segment} `{}`{} has {what} that the blueprint does not declare",
                    names(t),
                    in_table(t)
                ),
            });
        }
    }
    findings.sort();

    // The segregation engine on the deployed topology, against the blueprint's cells (computed by
    // validation over the same tables; named `gateway/segment` like them): which segment pairs
    // changed. Tables of different gateways have no cell: a route table of one gateway can only
    // point at that gateway's attachments (AWS), so nothing crosses between them to compare.
    let expected_cells: BTreeMap<(String, String), Cell> = valid
        .reach()
        .transit_gateways
        .iter()
        .flat_map(|g| {
            g.segment_matrix.iter().map(move |c| {
                (
                    (
                        format!("{}/{}", g.name, c.from),
                        format!("{}/{}", g.name, c.to),
                    ),
                    c.pairs,
                )
            })
        })
        .collect();
    let actual_engine = Engine::new(actual);
    let actual_reach = Reachability::compute(&actual_engine);
    let mut reachability_changes = Vec::new();
    for from in expected.table_ids() {
        for to in expected.table_ids() {
            let key = (
                expected.table(from).name.clone(),
                expected.table(to).name.clone(),
            );
            let Some(&want) = expected_cells.get(&key) else {
                continue;
            };
            let have = actual_reach.cell(from, to);
            if want != have {
                reachability_changes.push(ReachChange {
                    from: names(from),
                    to: names(to),
                    expected: want.summary(),
                    deployed: have.summary(),
                    expected_pairs: want,
                    deployed_pairs: have,
                    path: transit_path(&actual_reach, from, to),
                });
            }
        }
    }

    if from_state {
        notes.push(
            "state holds only what Terraform manages: propagations and routes made outside \
             Terraform are not in it (run with `--aws DIR` to see them)"
                .to_string(),
        );
    }
    let count = |k: Kind| findings.iter().filter(|f| f.kind == k).count();
    let counts = Counts {
        leaks: count(Kind::Leak),
        failed_propagations: count(Kind::FailedPropagation),
        wrong_associations: count(Kind::WrongAssociation),
        missing_routes: count(Kind::MissingRoute),
        unexpected_blackholes: count(Kind::UnexpectedBlackhole),
        missing_objects: count(Kind::MissingObject),
        reachability_changes: reachability_changes.len(),
    };
    let mut summary = format!(
        "{}, {}, {}, {}",
        plural(counts.leaks, "leak", "leaks"),
        plural(
            counts.failed_propagations,
            "failed propagation",
            "failed propagations"
        ),
        plural(
            counts.wrong_associations,
            "wrong association",
            "wrong associations"
        ),
        plural(counts.missing_routes, "missing route", "missing routes"),
    );
    for (n, one, many) in [
        (
            counts.unexpected_blackholes,
            "unexpected blackhole",
            "unexpected blackholes",
        ),
        (counts.missing_objects, "missing object", "missing objects"),
    ] {
        if n > 0 {
            let _ = write!(summary, ", {}", plural(n, one, many));
        }
    }
    let _ = write!(
        summary,
        "; {}",
        plural(
            counts.reachability_changes,
            "segment pair reaches differently",
            "segment pairs reach differently"
        )
    );
    Report {
        summary,
        counts,
        findings,
        reachability_changes,
        notes,
        stacks: Vec::new(),
    }
}
