//! The reachability report of one blueprint: per transit gateway, the segment × segment and the
//! attachment × attachment matrices, intended against actual, with leaks and gaps marked and the
//! lost sub-prefixes named. `agentform reach` prints it as a table or as JSON; the stack README
//! shows the segment matrix.

use super::engine::{Extent, Outcome, Via};
use super::reach::{Cell, Reachability, Verdict};
use super::topology::{AttachmentId, ModelTopology, TableId};
use super::{Engine, Intent};
use crate::model::{Model, TgwId};
use serde::Serialize;

/// How a cell compares with the intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Intended and fully reachable both ways.
    Ok,
    /// Not intended and not reachable.
    Blocked,
    /// Reachable (some traffic, either way) though not intended.
    Leak,
    /// Intended but not (fully) reachable.
    Gap,
    /// Intended, but traffic gets through one way only.
    OneWay,
    /// No pair of distinct attachments (a segment with a single member, or none).
    Empty,
}

impl Status {
    fn of(intended: bool, verdict: Option<Verdict>, any_traffic: bool) -> Self {
        match (intended, verdict) {
            (_, None) => Status::Empty,
            (true, Some(Verdict::Full)) => Status::Ok,
            (true, Some(Verdict::OneWay)) => Status::OneWay,
            (true, Some(_)) => Status::Gap,
            (false, _) if any_traffic => Status::Leak,
            (false, _) => Status::Blocked,
        }
    }

    /// The cell text in the terminal table.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Blocked => ".",
            Status::Leak => "LEAK",
            Status::Gap => "GAP",
            Status::OneWay => "1-WAY",
            Status::Empty => "-",
        }
    }

    pub fn is_finding(self) -> bool {
        matches!(self, Status::Leak | Status::Gap | Status::OneWay)
    }
}

#[derive(Debug, Serialize)]
pub struct ReachReport {
    pub blueprint: String,
    pub platform: String,
    pub transit_gateways: Vec<GatewayReach>,
}

#[derive(Debug, Serialize)]
pub struct GatewayReach {
    pub name: String,
    pub segments: Vec<SegmentEntry>,
    pub attachments: Vec<AttachmentEntry>,
    /// Every ordered pair of segments: from the rows' members to the columns' members.
    pub segment_matrix: Vec<SegmentCell>,
    /// Every ordered pair of distinct attachments.
    pub attachment_matrix: Vec<AttachmentCell>,
    /// Per segment: whether its members reach the internet, through what, against its declared
    /// `internet`.
    pub internet: Vec<InternetCell>,
}

/// A segment's way to the internet: its members' traffic leaves through the NAT gateways of an
/// egress VPC (`exits`), after the VPCs it passes first (`through`: an inspection VPC, say).
#[derive(Debug, Serialize)]
pub struct InternetCell {
    pub segment: String,
    /// The segment's `internet` (absent: not declared, the routes decide).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<bool>,
    pub members: usize,
    /// Members whose traffic leaves for the internet.
    pub reaching: usize,
    /// Of those, members whose replies come back in full from every exit.
    pub replies: usize,
    pub exits: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub through: Vec<String>,
    /// The VPCs on the way (passed or exited through) whose AWS Network Firewall inspects it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inspected_by: Vec<String>,
    /// `ok` (reaches, replies return), `blocked` (no internet path), `leak` (declared
    /// `internet = false` but reaches), `gap` (declared `internet = true`, some member does not
    /// reach), `one_way` (replies do not come back), `empty` (no members).
    pub status: Status,
}

impl InternetCell {
    /// The terminal table's cell: `1/2 via vpc.egress (firewall)`, or `none`.
    pub fn short(&self) -> String {
        if self.reaching == 0 {
            return "none".to_string();
        }
        let name = |n: &String| {
            if self.inspected_by.contains(n) {
                format!("{n} (firewall)")
            } else {
                n.clone()
            }
        };
        let mut out = format!(
            "{}/{} via {}",
            self.reaching,
            self.members,
            self.exits.iter().map(name).collect::<Vec<_>>().join(", ")
        );
        if !self.through.is_empty() {
            out.push_str(&format!(
                " after {}",
                self.through.iter().map(name).collect::<Vec<_>>().join(", ")
            ));
        }
        out
    }

    /// "through `vpc.egress` (NAT)" or "no internet path", for tables and the stack README.
    pub fn describe(&self) -> String {
        if self.reaching == 0 {
            return "no internet path".to_string();
        }
        let mut out = format!(
            "{} of {} members through {}",
            self.reaching,
            self.members,
            self.exits
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !self.inspected_by.is_empty() {
            out.push_str(&format!(
                ", inspected by the firewall of {}",
                self.inspected_by
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.through.is_empty() {
            out.push_str(&format!(
                ", after {}",
                self.through
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out
    }
}

#[derive(Debug, Serialize)]
pub struct SegmentEntry {
    pub name: String,
    pub isolated: bool,
    pub attachments: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AttachmentEntry {
    pub name: String,
    pub segment: String,
    pub prefixes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SegmentCell {
    pub from: String,
    pub to: String,
    pub intended: bool,
    /// The verdict shared by every attachment pair, `partial` when they differ; absent without pairs.
    pub actual: Option<Verdict>,
    /// Attachment pairs by verdict.
    pub pairs: Cell,
    pub status: Status,
    /// The VPCs the delivered traffic passes through on its way (an inspection VPC, say), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub through: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AttachmentCell {
    pub from: String,
    pub to: String,
    pub intended: bool,
    pub forward: Extent,
    pub back: Extent,
    pub verdict: Verdict,
    pub status: Status,
    /// The sub-prefixes that break the intent, each way, and the route responsible: for an
    /// intended pair those that do not arrive, for a pair kept apart those that do.
    pub pieces: Vec<PieceReport>,
}

#[derive(Debug, Serialize)]
pub struct PieceReport {
    /// `forward` (from → to) or `back` (to → from, the replies).
    pub direction: &'static str,
    pub prefix: String,
    /// `delivered`, `elsewhere`, `blackhole`, `no_route`, `not_sent` or `loop`.
    pub outcome: &'static str,
    /// Where it goes instead, for `elsewhere`.
    pub to: Option<String>,
    /// The route responsible: a static route's name or `propagation of NAME`.
    pub route: Option<String>,
    /// The VPCs it passed through before that route, in order (absent: straight there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<TransitReport>,
}

/// One pass through a VPC: the table that sent the packet there and the route that did, the VPC,
/// and the VPC route that sent it back to the transit gateway.
#[derive(Debug, Serialize)]
pub struct TransitReport {
    pub table: String,
    pub route: String,
    pub through: String,
    /// The destination of the VPC's route toward the gateway that matched (`0.0.0.0/0` by default).
    pub vpc_route: String,
}

impl TransitReport {
    /// "`agents` table (route `default-egress`) → `vpc.egress` (its route `10.40.0.0/14` → tgw)".
    pub fn describe(&self) -> String {
        format!(
            "`{}` table ({}) → `{}` (its route `{}` → tgw)",
            self.table, self.route, self.through, self.vpc_route
        )
    }
}

/// Which matrices a report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrices {
    /// The segment matrices only (linear in the attachments): what the stack README shows.
    Segments,
    /// Also a cell per ordered pair of attachments: meant for `agentform reach`, not for thousands
    /// of attachments.
    WithAttachments,
}

impl ReachReport {
    /// The report of a blueprint on its own: derives the intent and runs the engine. The pipeline
    /// gets its report from validation instead ([`ReachReport::of`]), where the engine already ran.
    pub fn build(model: &Model, matrices: Matrices) -> Self {
        let intent = Intent::derive(model);
        let mt = ModelTopology::build(model, &intent);
        let engine = Engine::new(&mt.topology);
        Self::of(model, &mt, &Reachability::compute(&engine), matrices)
    }

    /// The report of the engine's verdicts over a blueprint's tables.
    pub fn of(model: &Model, mt: &ModelTopology, reach: &Reachability, matrices: Matrices) -> Self {
        let attachments = matrices == Matrices::WithAttachments;
        let transit_gateways = (0..model.transit_gateways.len())
            .map(|t| gateway(model, mt, reach, TgwId(t), attachments))
            .collect();
        ReachReport {
            blueprint: model.source.clone(),
            platform: model.platform.name.value.clone(),
            transit_gateways,
        }
    }

    /// Whether any cell breaks the intent.
    pub fn has_findings(&self) -> bool {
        self.transit_gateways.iter().any(|g| {
            g.segment_matrix.iter().any(|c| c.status.is_finding())
                || g.attachment_matrix.iter().any(|c| c.status.is_finding())
                || g.internet.iter().any(|c| c.status.is_finding())
        })
    }

    /// The terminal table: both matrices per gateway, then the cells that break the intent.
    pub fn table(&self) -> String {
        let mut out = format!(
            "Reachability of platform `{}` ({})\n",
            self.platform, self.blueprint
        );
        for g in &self.transit_gateways {
            out.push_str(&format!("\nTransit gateway `{}`\n\n", g.name));
            out.push_str("Segments (row reaches column; a usable path needs both directions)\n");
            let names: Vec<&str> = g.segments.iter().map(|s| s.name.as_str()).collect();
            let rows: Vec<(String, Vec<&str>)> = g
                .segments
                .iter()
                .map(|s| {
                    let label = if s.isolated {
                        format!("{} (isolated)", s.name)
                    } else {
                        s.name.clone()
                    };
                    let cells = g
                        .segment_matrix
                        .iter()
                        .filter(|c| c.from == s.name)
                        .map(|c| c.status.symbol())
                        .collect();
                    (label, cells)
                })
                .collect();
            out.push_str(&grid(
                &names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>(),
                &rows,
            ));
            for c in g.segment_matrix.iter().filter(|c| !c.through.is_empty()) {
                out.push_str(&format!(
                    "  {} -> {} passes through {}\n",
                    c.from,
                    c.to,
                    c.through.join(", ")
                ));
            }

            out.push_str(
                "\nInternet (members whose traffic leaves through an egress VPC; `internet` as declared)\n",
            );
            let rows: Vec<(String, Vec<String>)> = g
                .internet
                .iter()
                .map(|c| {
                    let declared = match c.declared {
                        Some(true) => "true",
                        Some(false) => "false",
                        None => "-",
                    };
                    (
                        c.segment.clone(),
                        vec![
                            c.status.symbol().to_string(),
                            declared.to_string(),
                            c.short(),
                        ],
                    )
                })
                .collect();
            let rows: Vec<(String, Vec<&str>)> = rows
                .iter()
                .map(|(l, cells)| (l.clone(), cells.iter().map(String::as_str).collect()))
                .collect();
            out.push_str(&grid(
                &[
                    "status".to_string(),
                    "internet".to_string(),
                    "members reaching it".to_string(),
                ],
                &rows,
            ));

            out.push_str("\nAttachments\n");
            let headers: Vec<String> = (1..=g.attachments.len()).map(|i| i.to_string()).collect();
            let status: std::collections::HashMap<(&str, &str), Status> = g
                .attachment_matrix
                .iter()
                .map(|c| ((c.from.as_str(), c.to.as_str()), c.status))
                .collect();
            let rows: Vec<(String, Vec<&str>)> = g
                .attachments
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let cells = g
                        .attachments
                        .iter()
                        .map(|b| {
                            status
                                .get(&(a.name.as_str(), b.name.as_str()))
                                .map_or("", |s| s.symbol())
                        })
                        .collect();
                    (format!("{:>2} {} ({})", i + 1, a.name, a.segment), cells)
                })
                .collect();
            out.push_str(&grid(&headers, &rows));

            let findings: Vec<&AttachmentCell> = g
                .attachment_matrix
                .iter()
                .filter(|c| c.status.is_finding())
                .collect();
            if !findings.is_empty() {
                out.push_str("\nFindings\n");
                for c in findings {
                    out.push_str(&format!(
                        "  {} {} -> {}: {} (forward {}, back {}), {}\n",
                        c.status.symbol(),
                        c.from,
                        c.to,
                        c.verdict.as_str(),
                        extent(c.forward),
                        extent(c.back),
                        if c.intended {
                            "intended"
                        } else {
                            "not intended"
                        }
                    ));
                    for lost in &c.pieces {
                        out.push_str(&format!(
                            "      {} {} {}{}{}\n",
                            lost.direction,
                            lost.prefix,
                            lost.outcome.replace('_', " "),
                            lost.to
                                .as_ref()
                                .map_or(String::new(), |t| format!(" to {t}")),
                            lost.route
                                .as_ref()
                                .map_or(String::new(), |r| format!(" (route {r})")),
                        ));
                        for transit in &lost.path {
                            out.push_str(&format!("        via {}\n", transit.describe()));
                        }
                    }
                }
            }
        }
        out.push_str(
            "\nok: intended and reachable   .: kept apart as intended   LEAK: reachable, not intended\n\
             GAP: intended, not (fully) reachable   1-WAY: intended, one direction only   -: no pair\n",
        );
        out
    }
}

fn extent(e: Extent) -> &'static str {
    match e {
        Extent::Full => "full",
        Extent::Partial => "partial",
        Extent::None => "none",
    }
}

/// A text grid: a header row, then one row per label, columns padded to their widest cell.
fn grid(headers: &[String], rows: &[(String, Vec<&str>)]) -> String {
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|(_, cells)| cells.get(i))
                .map(|c| c.chars().count())
                .chain([h.chars().count(), 2])
                .max()
                .unwrap_or(2)
        })
        .collect();
    let line = |label: &str, cells: &[&str]| {
        let mut s = format!("  {label:<label_width$}");
        for (cell, width) in cells.iter().zip(&widths) {
            s.push_str(&format!("  {cell:<width$}"));
        }
        s.trim_end().to_string() + "\n"
    };
    let header_cells: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut out = line("", &header_cells);
    for (label, cells) in rows {
        out.push_str(&line(label, cells));
    }
    out
}

fn gateway(
    model: &Model,
    mt: &ModelTopology,
    reach: &Reachability,
    tgw: TgwId,
    with_attachments: bool,
) -> GatewayReach {
    let topology = &mt.topology;
    let tables: Vec<TableId> = topology
        .table_ids()
        .filter(|&t| mt.segment(t).tgw == tgw)
        .collect();
    let attachments: Vec<AttachmentId> = topology
        .attachment_ids()
        .filter(|&a| model.segment_of(mt.attachment_ref(a)).tgw == tgw)
        .collect();
    let segment_name = |t: TableId| model.segment(mt.segment(t)).name.value.clone();
    let attachment_name = |a: AttachmentId| topology.attachment(a).name.clone();

    let segments = tables
        .iter()
        .map(|&t| SegmentEntry {
            name: segment_name(t),
            isolated: model.segment(mt.segment(t)).isolated,
            attachments: reach
                .members(t)
                .iter()
                .map(|&a| attachment_name(a))
                .collect(),
        })
        .collect();
    let mut segment_matrix = Vec::new();
    for &from in &tables {
        for &to in &tables {
            let intended = model.intends_reachable(mt.segment(from), mt.segment(to));
            let pairs = reach.cell(from, to);
            let through: std::collections::BTreeSet<String> = reach
                .members(to)
                .iter()
                .filter_map(|&b| reach.delivery(from, b))
                .flat_map(super::engine::Delivery::delivered)
                .flat_map(|p| p.path.iter())
                .map(|t| attachment_name(t.through))
                .collect();
            segment_matrix.push(SegmentCell {
                from: segment_name(from),
                to: segment_name(to),
                intended,
                actual: pairs.summary(),
                status: Status::of(intended, pairs.summary(), pairs.any_traffic()),
                pairs,
                through: through.into_iter().collect(),
            });
        }
    }
    let mut attachment_matrix = Vec::new();
    for &a in attachments.iter().filter(|_| with_attachments) {
        for &b in &attachments {
            if a == b {
                continue;
            }
            let intended = model.intends_reachable(
                model.segment_of(mt.attachment_ref(a)),
                model.segment_of(mt.attachment_ref(b)),
            );
            let pair = reach.pair(a, b);
            let mut pieces = offending(model, mt, reach, a, b, intended, "forward");
            pieces.extend(offending(model, mt, reach, b, a, intended, "back"));
            attachment_matrix.push(AttachmentCell {
                from: attachment_name(a),
                to: attachment_name(b),
                intended,
                forward: pair.forward,
                back: pair.back,
                verdict: pair.verdict,
                status: Status::of(intended, Some(pair.verdict), pair.verdict != Verdict::None),
                pieces,
            });
        }
    }
    let internet = tables
        .iter()
        .map(|&t| {
            let members = reach.internet_of_members(t);
            let reaching: Vec<&super::InternetReach> = members
                .iter()
                .map(|(_, r)| r)
                .filter(|r| r.reaches())
                .collect();
            let mut exits: Vec<String> = Vec::new();
            let mut through: Vec<String> = Vec::new();
            for r in &reaching {
                for &e in &r.exits {
                    let name = attachment_name(e);
                    if !exits.contains(&name) {
                        exits.push(name);
                    }
                }
                for &v in &r.through {
                    let name = attachment_name(v);
                    if !through.contains(&name) {
                        through.push(name);
                    }
                }
            }
            let replies = reaching
                .iter()
                .filter(|r| r.replies == Extent::Full)
                .count();
            let declared = model
                .segment(mt.segment(t))
                .internet
                .as_ref()
                .map(|d| d.value);
            let has_firewall = |name: &String| {
                model
                    .vpcs
                    .iter()
                    .any(|v| v.firewall.is_some() && format!("vpc.{}", v.name.value) == *name)
            };
            let inspected_by: Vec<String> = through
                .iter()
                .chain(&exits)
                .filter(|n| has_firewall(n))
                .cloned()
                .collect();
            let status = match (members.len(), declared, reaching.len()) {
                (0, _, _) => Status::Empty,
                (_, Some(false), n) if n > 0 => Status::Leak,
                (m, Some(true), n) if n < m => Status::Gap,
                (_, _, 0) => Status::Blocked,
                (_, _, n) if replies < n => Status::OneWay,
                _ => Status::Ok,
            };
            InternetCell {
                segment: segment_name(t),
                declared,
                members: members.len(),
                reaching: reaching.len(),
                replies,
                exits,
                through,
                inspected_by,
                status,
            }
        })
        .collect();
    GatewayReach {
        name: model.transit_gateways[tgw.0].name.value.clone(),
        internet,
        segments,
        attachments: attachments
            .iter()
            .map(|&a| AttachmentEntry {
                name: attachment_name(a),
                segment: model
                    .segment(model.segment_of(mt.attachment_ref(a)))
                    .name
                    .value
                    .clone(),
                prefixes: topology
                    .attachment(a)
                    .prefixes
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            })
            .collect(),
        segment_matrix,
        attachment_matrix,
    }
}

/// The pieces of `to`'s space that break the intent for traffic from `from`: undelivered ones when
/// the pair is intended, delivered ones when it is not.
fn offending(
    model: &Model,
    mt: &ModelTopology,
    reach: &Reachability,
    from: AttachmentId,
    to: AttachmentId,
    intended: bool,
    direction: &'static str,
) -> Vec<PieceReport> {
    let topology = &mt.topology;
    let route_name = |via: Via| match via {
        Via::Static(t, i) => mt.route_name(model, t, i),
        Via::Propagated(_, a) => format!("propagation of {}", topology.attachment(a).name),
    };
    let table_name = |t: TableId| model.segment(mt.segment(t)).name.value.clone();
    reach
        .forward(from, to)
        .pieces
        .iter()
        .filter(|piece| piece.outcome.is_delivered() != intended)
        .map(|piece| {
            let (outcome, to, route) = match piece.outcome {
                Outcome::Elsewhere(other, via) => (
                    "elsewhere",
                    Some(topology.attachment(other).name.clone()),
                    Some(route_name(via)),
                ),
                Outcome::Blackhole(via) => ("blackhole", None, Some(route_name(via))),
                Outcome::NoRoute => ("no_route", None, None),
                Outcome::NotSent => ("not_sent", None, None),
                Outcome::Loop => ("loop", None, None),
                Outcome::Delivered(via) => ("delivered", None, Some(route_name(via))),
                Outcome::Internet(exit, via) => (
                    "internet",
                    Some(topology.attachment(exit).name.clone()),
                    Some(route_name(via)),
                ),
            };
            PieceReport {
                direction,
                prefix: piece.prefix.to_string(),
                outcome,
                to,
                route,
                path: piece
                    .path
                    .iter()
                    .map(|t| TransitReport {
                        table: table_name(t.via.table()),
                        route: match t.via {
                            Via::Static(table, i) => {
                                format!("route `{}`", mt.route_name(model, table, i))
                            }
                            Via::Propagated(_, a) => {
                                format!("propagation of `{}`", topology.attachment(a).name)
                            }
                        },
                        through: topology.attachment(t.through).name.clone(),
                        vpc_route: topology
                            .attachment(t.through)
                            .route_back(piece.prefix)
                            .map_or_else(|| "0.0.0.0/0".to_string(), |r| r.to_string()),
                    })
                    .collect(),
            }
        })
        .collect()
}
