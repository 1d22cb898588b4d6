//! Segregation: the effective routes of every transit gateway route table, compared with the intent
//! (same segment unless `isolated`, or segments joined by `connects_to`).
//!
//! Why: a single static route or blackhole can silently re-segment a network, and nothing before
//! deployment (nor `terraform plan`) notices. Here the engine computes what every table does with
//! every address behind every attachment, and each finding names the segments, the attachments, the
//! prefixes and the route responsible.
//!
//! - leak (`AF310`): a route delivers a segment's traffic to an attachment it may not reach, or a
//!   static route targets an attachment of a segment that is not connected.
//! - gap (`AF311`): part of an intended destination is dropped (blackhole, no route, or the source
//!   VPC's own route table does not send it).
//! - asymmetric (`AF312`): a static route detours part of an intended destination through another
//!   attachment while replies return directly, or sends traffic to an attachment with no way back.
//! - shadowed prefix (`AF313`): another attachment's prefix captures part of an intended
//!   destination (when `AF307` does not already report the pair).
//! - hairpin (`AF310`): a route sends traffic into a VPC that does not own its destination, the
//!   VPC's route table sends it back to the gateway, and the gateway delivers it where the intent
//!   forbids (AWS's centralized egress without its blackhole routes: "Centralized egress to
//!   internet", whitepaper "Building a Scalable and Secure Multi-VPC AWS Network Infrastructure").
//!   Reported at the route that sent it into the VPC, with the path.
//! - loop (`AF314`): part of a destination goes round through VPCs to a table it already passed.
//!
//! Example: `route "x" { segment = "dev", destination = "10.10.0.0/16", target = "vpc.agents" }`
//! with `dev` not connected to `agents` is a leak at the route, naming `dev`, `vpc.dev` and
//! `vpc.agents`.
//!
//! Findings are grouped by the route responsible, so one bad route is one diagnostic however many
//! attachments it affects; the work is linear in tables × attachments.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{AttachmentRef, Model, RouteAction, SegmentId};
use crate::segregation::{
    AttachmentId, Extent, ModelTopology, Outcome, Piece, Reachability, TableId, Via,
};
use crate::validate::Facts;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Finding {
    Leak(Via),
    /// Delivered where the intent forbids after passing through a VPC: the route that sent it into
    /// the first VPC, and that VPC.
    Hairpin(Via, AttachmentId),
    /// Circles through VPCs: the table where the path starts, and the route that sends it away.
    Loop(TableId, Option<Via>),
    /// Intended traffic passes through a VPC not declared to forward: the route that sends it
    /// there, and the VPC.
    NotForwarding(Via, AttachmentId),
    /// Dropped in a table: by a blackhole route, or `None` when no route covers it.
    Gap(TableId, Option<Via>),
    /// The source VPC's own route table does not send it.
    NotSent(AttachmentId),
    Detour(TableId, usize),
    NoReturn(TableId, usize),
    Shadow(TableId, AttachmentId),
}

/// Per finding: the attachments affected and their prefixes involved.
type Findings = BTreeMap<Finding, BTreeMap<AttachmentId, Vec<Ipv4Net>>>;

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    let ctx = Context {
        model,
        mt: facts.topology,
        reach: facts.reach,
    };
    let mut findings = Findings::new();
    ctx.table_findings(&mut findings);
    ctx.route_findings(&mut findings);
    ctx.unsent_findings(&mut findings);
    for (finding, affected) in &findings {
        diagnostics.push(ctx.diagnostic(*finding, affected));
    }
}

struct Context<'a, 'e, 't> {
    model: &'a Model,
    mt: &'a ModelTopology,
    reach: &'a Reachability<'e, 't>,
}

impl Context<'_, '_, '_> {
    fn segment(&self, table: TableId) -> SegmentId {
        self.mt.segment(table)
    }

    fn segment_of(&self, attachment: AttachmentId) -> SegmentId {
        self.model.segment_of(self.mt.attachment_ref(attachment))
    }

    /// Whether the members of `table` (other than `target` itself) may reach `target`.
    fn intended(&self, table: TableId, target: AttachmentId) -> bool {
        self.model
            .intends_reachable(self.segment(table), self.segment_of(target))
    }

    /// Whether `table` has a member other than `target`, so that a source exists.
    fn has_source(&self, table: TableId, target: AttachmentId) -> bool {
        self.reach.members(table).iter().any(|&m| m != target)
    }

    /// Every (table, attachment) delivery against the intent: leaks, gaps, detours, shadows.
    fn table_findings(&self, findings: &mut Findings) {
        let topology = self.reach.engine().topology();
        for table in topology.table_ids() {
            if self.reach.members(table).is_empty() {
                continue;
            }
            for target in topology.attachment_ids() {
                if !self.has_source(table, target) {
                    continue;
                }
                let delivery = self
                    .reach
                    .delivery(table, target)
                    .expect("table has members");
                let intended = self.intended(table, target);
                for piece in &delivery.pieces {
                    let first = piece.path.first();
                    let finding = match (intended, piece.outcome) {
                        (false, Outcome::Delivered(via)) => Some(match first {
                            Some(t) => Finding::Hairpin(t.via, t.through),
                            None => Finding::Leak(via),
                        }),
                        (_, Outcome::Loop) => Some(Finding::Loop(table, first.map(|t| t.via))),
                        (true, Outcome::Delivered(_)) if !piece.path.is_empty() => {
                            self.transit_finding(table, target, piece)
                        }
                        (true, Outcome::Blackhole(via)) => Some(Finding::Gap(table, Some(via))),
                        (true, Outcome::NoRoute) => Some(Finding::Gap(table, None)),
                        (true, Outcome::Elsewhere(other, Via::Static(t, i))) => {
                            // A detour to an attachment the segment may not reach is reported
                            // once, as that route's leak.
                            self.intended(t, other).then_some(Finding::Detour(t, i))
                        }
                        (true, Outcome::Elsewhere(other, Via::Propagated(t, _))) => {
                            // When the two owners may reach each other, AF307 reports the overlap.
                            let owners_connected = self
                                .model
                                .intends_reachable(self.segment_of(target), self.segment_of(other));
                            (!owners_connected).then_some(Finding::Shadow(t, other))
                        }
                        _ => None,
                    };
                    if let Some(finding) = finding {
                        findings
                            .entry(finding)
                            .or_default()
                            .entry(target)
                            .or_default()
                            .push(piece.prefix);
                    }
                }
            }
        }
    }

    /// Intended traffic that passes through VPCs: the replies must pass through the same VPCs
    /// (else the path is asymmetric, `AF312`, at the route that sends it there), and each VPC must
    /// be declared to forward (else `AF315`).
    fn transit_finding(
        &self,
        table: TableId,
        target: AttachmentId,
        piece: &Piece,
    ) -> Option<Finding> {
        for transit in piece.path.iter() {
            let symmetric = self
                .reach
                .members(table)
                .iter()
                .filter(|&&source| source != target)
                .all(|&source| {
                    self.reach
                        .forward(target, source)
                        .delivered()
                        .all(|back| back.path.iter().any(|t| t.through == transit.through))
                });
            if !symmetric {
                return match transit.via {
                    Via::Static(t, i) => Some(Finding::Detour(t, i)),
                    Via::Propagated(..) => None,
                };
            }
        }
        piece
            .path
            .iter()
            .find(|t| !self.forwards(t.through))
            .map(|t| Finding::NotForwarding(t.via, t.through))
    }

    /// Whether an attachment is a VPC declared `forwards = true`.
    fn forwards(&self, attachment: AttachmentId) -> bool {
        match self.mt.attachment_ref(attachment) {
            AttachmentRef::Vpc(id) => self.model.vpc(id).forwards(),
            AttachmentRef::Interconnect(_) => false,
        }
    }

    /// Static routes: toward an unconnected segment (a leak whatever the destination), and toward
    /// an intended attachment that cannot send replies back to the route's segment.
    fn route_findings(&self, findings: &mut Findings) {
        let topology = self.reach.engine().topology();
        for table in topology.table_ids() {
            for (index, route) in topology.table(table).static_routes.iter().enumerate() {
                let Some(target) = route.target else {
                    continue;
                };
                if !self.has_source(table, target) {
                    continue;
                }
                if !self.intended(table, target) {
                    findings
                        .entry(Finding::Leak(Via::Static(table, index)))
                        .or_default();
                    continue;
                }
                let own = &topology.attachment(target).prefixes;
                if own.iter().any(|p| p.contains(&route.destination)) {
                    continue; // traffic for the target itself: the pair checks cover it
                }
                for &source in self.reach.members(table) {
                    if source == target {
                        continue;
                    }
                    let back = self.reach.forward(target, source);
                    if back.extent() != Extent::Full {
                        findings
                            .entry(Finding::NoReturn(table, index))
                            .or_default()
                            .entry(source)
                            .or_default()
                            .extend(back.undelivered().map(|p| p.prefix));
                    }
                }
            }
        }
    }

    /// Sources whose own route table (`transit_gateway_routes`) leaves out intended destinations.
    fn unsent_findings(&self, findings: &mut Findings) {
        let topology = self.reach.engine().topology();
        for source in topology.attachment_ids() {
            let a = topology.attachment(source);
            let (Some(_), Some(table)) = (&a.sends, a.table) else {
                continue;
            };
            for target in topology.attachment_ids() {
                if target == source || !self.intended(table, target) {
                    continue;
                }
                let delivery = self.reach.forward(source, target);
                for piece in delivery
                    .pieces
                    .iter()
                    .filter(|p| p.outcome == Outcome::NotSent)
                {
                    findings
                        .entry(Finding::NotSent(source))
                        .or_default()
                        .entry(target)
                        .or_default()
                        .push(piece.prefix);
                }
            }
        }
    }

    fn diagnostic(
        &self,
        finding: Finding,
        affected: &BTreeMap<AttachmentId, Vec<Ipv4Net>>,
    ) -> Diagnostic {
        let model = self.model;
        match finding {
            Finding::Leak(Via::Static(table, index)) => {
                let route = self.mt.route(model, table, index);
                let segment = self.segment(table);
                let target = match route.action {
                    RouteAction::Attachment(t) => Some(t),
                    RouteAction::Blackhole => None,
                };
                let mut reached: Vec<String> = affected
                    .iter()
                    .map(|(a, prefixes)| self.describe(*a, prefixes))
                    .collect();
                if reached.is_empty()
                    && let Some(t) = target
                {
                    reached.push(format!(
                        "`{}` (segment `{}`) for `{}`",
                        model.attachment_address(t),
                        model.segment(model.segment_of(t)).name.value,
                        route.destination.value
                    ));
                }
                let unconnected = self.unconnected_segments(segment, affected.keys(), target);
                let segment_name = &model.segment(segment).name.value;
                let label = format!(
                    "sends `{}` to `{}`",
                    route.destination.value,
                    target.map_or_else(String::new, |t| model.attachment_address(t))
                );
                if unconnected == [segment] {
                    let others: Vec<String> = self
                        .reach
                        .members(table)
                        .iter()
                        .filter(|a| !affected.contains_key(a))
                        .map(|&a| {
                            format!("`{}`", model.attachment_address(self.mt.attachment_ref(a)))
                        })
                        .collect();
                    return Diagnostic::error(
                        Code::Leak,
                        route.name.span,
                        format!(
                            "route `{}` leaks: in isolated segment `{segment_name}`, traffic from {} reaches {}",
                            route.name.value,
                            list(&others),
                            list(&reached),
                        ),
                    )
                    .with_label(route.destination.span, label)
                    .with_help(
                        "members of an isolated segment may not reach each other: remove the route",
                    );
                }
                let unconnected = list(
                    &unconnected
                        .iter()
                        .map(|&s| format!("segment `{}`", model.segment(s).name.value))
                        .collect::<Vec<_>>(),
                );
                Diagnostic::error(
                    Code::Leak,
                    route.name.span,
                    format!(
                        "route `{}` leaks: segment `{segment_name}` ({}) reaches {}, but `{segment_name}` is not connected to {unconnected}",
                        route.name.value,
                        self.sources(table),
                        list(&reached),
                    ),
                )
                .with_label(route.destination.span, label)
                .with_help(format!(
                    "remove the route, or connect the segments (`connects_to`) if segment `{segment_name}` should reach {unconnected}"
                ))
            }
            Finding::Hairpin(via, through) => self.hairpin(via, through, affected),
            Finding::NotForwarding(via, through) => {
                let table = via.table();
                let segment = self.segment(table);
                let through_ref = self.mt.attachment_ref(through);
                let (span, what) = self.responsible(via);
                let mut d = Diagnostic::error(
                    Code::NotForwarding,
                    span,
                    format!(
                        "{what} sends segment `{}`'s traffic for {} through `{}`, which passes it back to the transit gateway, but `{}` is not declared to forward: without appliance mode on its attachment, flows between Availability Zones break; path: {}",
                        model.segment(segment).name.value,
                        list(&self.describe_all(affected)),
                        model.attachment_address(through_ref),
                        model.attachment_address(through_ref),
                        self.example_path(table, affected),
                    ),
                );
                if let AttachmentRef::Vpc(id) = through_ref {
                    d = d.with_label(
                        model.vpc(id).name.span,
                        "the VPC the traffic passes through",
                    );
                }
                d.with_help(format!(
                    "if `{}` is an inspection or appliance VPC, declare `forwards = true` on it (its attachment then gets appliance mode); otherwise point the route at the destination's own attachment",
                    model.attachment_address(through_ref)
                ))
            }
            Finding::Loop(table, via) => {
                let segment = self.segment(table);
                let span = match via {
                    Some(Via::Static(t, i)) => self.mt.route(model, t, i).name.span,
                    _ => model.segment(segment).name.span,
                };
                Diagnostic::error(
                    Code::RoutingLoop,
                    span,
                    format!(
                        "in the table of segment `{}`, traffic for {} circles through VPCs back to a table it already passed: {}",
                        model.segment(segment).name.value,
                        list(&self.describe_all(affected)),
                        self.example_path(table, affected),
                    ),
                )
                .with_help("point the route at the attachment that owns the destination, or blackhole the prefix")
            }
            Finding::Leak(Via::Propagated(table, attachment)) => {
                let segment = self.segment(table);
                let source = self.mt.attachment_ref(attachment);
                Diagnostic::error(
                    Code::Leak,
                    model.segment(segment).name.span,
                    format!(
                        "the propagation of `{}` into segment `{}` leaks: {} reach {}",
                        model.attachment_address(source),
                        model.segment(segment).name.value,
                        self.sources(table),
                        list(&self.describe_all(affected))
                    ),
                )
            }
            Finding::Gap(table, via) => {
                let segment = self.segment(table);
                let first = *affected.keys().next().expect("a finding has an attachment");
                let intent = model.intent_span(segment, self.segment_of(first));
                let cause = match via {
                    Some(Via::Static(t, i)) => Some((
                        self.mt.route_span(model, t, i),
                        match self.mt.derived(t, i) {
                            Some(b) => format!(
                                "the blackhole `{}` derived to stop hairpins through `{}`",
                                b.destination,
                                model.attachment_address(b.through)
                            ),
                            None => format!(
                                "blackhole route `{}`",
                                self.mt.route(model, t, i).name.value
                            ),
                        },
                    )),
                    _ => None,
                };
                let message = format!(
                    "segment `{}` ({}) should reach {}, but {} drops it",
                    model.segment(segment).name.value,
                    self.sources(table),
                    list(&self.describe_all(affected)),
                    cause.as_ref().map_or_else(
                        || format!(
                            "no route in the table of segment `{}`",
                            model.segment(segment).name.value
                        ),
                        |(_, c)| c.clone()
                    ),
                );
                let mut d = Diagnostic::error(Code::Gap, intent, message);
                if let Some((span, what)) = cause {
                    d = d
                        .with_label(span, format!("{what} covers the intended destination"))
                        .with_help("narrow the blackhole so that it leaves intended destinations alone, or remove it");
                }
                d
            }
            Finding::NotSent(source) => {
                let source_ref = self.mt.attachment_ref(source);
                let span = match source_ref {
                    AttachmentRef::Vpc(id) => model
                        .vpc(id)
                        .transit_gateway_routes
                        .as_ref()
                        .and_then(|r| r.first())
                        .map_or(model.vpc(id).name.span, |r| r.span),
                    AttachmentRef::Interconnect(id) => model.interconnect(id).name.span,
                };
                Diagnostic::error(
                    Code::Gap,
                    span,
                    format!(
                        "`{}` does not send {} to the transit gateway, though its segment `{}` should reach them",
                        model.attachment_address(source_ref),
                        list(&self.describe_all(affected)),
                        model.segment(model.segment_of(source_ref)).name.value
                    ),
                )
                .with_help("add the missing prefixes to `transit_gateway_routes`, or remove it to use the default routes")
            }
            Finding::Detour(table, index) => {
                let route = self.mt.route(model, table, index);
                let segment = self.segment(table);
                let via = match route.action {
                    RouteAction::Attachment(t) => model.attachment_address(t),
                    RouteAction::Blackhole => String::from("a blackhole"),
                };
                let first = *affected.keys().next().expect("a finding has an attachment");
                Diagnostic::error(
                    Code::Asymmetric,
                    route.name.span,
                    format!(
                        "route `{}` sends segment `{}`'s traffic for {} through `{via}`, while replies return directly: an asymmetric path",
                        route.name.value,
                        model.segment(segment).name.value,
                        list(&self.describe_all(affected)),
                    ),
                )
                .with_label(
                    model.intent_span(segment, self.segment_of(first)),
                    "the intended direct path",
                )
                .with_help("stateful firewalls and NAT drop asymmetric flows: route both directions through the same attachment, or narrow the route")
            }
            Finding::NoReturn(table, index) => {
                let route = self.mt.route(model, table, index);
                let segment = self.segment(table);
                let target = self.mt.topology.tables[table.0].static_routes[index]
                    .target
                    .expect("return paths are checked for routes with a target");
                let target_ref = self.mt.attachment_ref(target);
                Diagnostic::error(
                    Code::Asymmetric,
                    route.name.span,
                    format!(
                        "route `{}` sends segment `{}`'s traffic for `{}` to `{}`, but replies from `{}` cannot reach {}: {}",
                        route.name.value,
                        model.segment(segment).name.value,
                        route.destination.value,
                        model.attachment_address(target_ref),
                        model.attachment_address(target_ref),
                        list(&self.describe_all(affected)),
                        self.why_no_return(target, affected)
                    ),
                )
                .with_help("the attachment a route sends traffic to needs a route back to every sender: check its segment's `connects_to` and its `transit_gateway_routes`")
            }
            Finding::Shadow(table, other) => {
                let segment = self.segment(table);
                let (shadowed, prefixes) =
                    affected.iter().next().expect("a finding has an attachment");
                let other_ref = self.mt.attachment_ref(other);
                let shadowing_span = self.prefix_span(other, prefixes[0]);
                let shadowed_span = self.prefix_span(*shadowed, prefixes[0]);
                Diagnostic::error(
                    Code::Shadowed,
                    shadowing_span,
                    format!(
                        "in the table of segment `{}`, `{}` captures {}: segment `{}` ({}) reaches those addresses at `{}` instead",
                        model.segment(segment).name.value,
                        model.attachment_address(other_ref),
                        list(&self.describe_all(affected)),
                        model.segment(segment).name.value,
                        self.sources(table),
                        model.attachment_address(other_ref),
                    ),
                )
                .with_label(shadowed_span, "the intended destination")
                .with_help("give the two attachments disjoint address ranges")
            }
        }
    }

    /// A hairpin leak: `via` sends traffic into `through`, whose own route table sends it back to
    /// the gateway, which delivers it where the intent forbids.
    fn hairpin(
        &self,
        via: Via,
        through: AttachmentId,
        affected: &BTreeMap<AttachmentId, Vec<Ipv4Net>>,
    ) -> Diagnostic {
        let model = self.model;
        let table = via.table();
        let segment = self.segment(table);
        let segment_name = &model.segment(segment).name.value;
        let through_name = model.attachment_address(self.mt.attachment_ref(through));
        let (span, what) = self.responsible(via);
        let unconnected = self.unconnected_segments(segment, affected.keys(), None);
        let intent = if unconnected == [segment] {
            format!("members of isolated segment `{segment_name}` may not reach each other")
        } else {
            let others: Vec<String> = unconnected
                .iter()
                .map(|&s| format!("segment `{}`", model.segment(s).name.value))
                .collect();
            format!(
                "segment `{segment_name}` is not connected to {}",
                list(&others)
            )
        };
        Diagnostic::error(
            Code::Leak,
            span,
            format!(
                "{what} leaks through `{through_name}`: its route table sends the traffic back to the transit gateway, so segment `{segment_name}` ({}) reaches {}, though {intent}; path: {}",
                self.sources(table),
                list(&self.describe_all(affected)),
                self.example_path(table, affected),
            ),
        )
        .with_label(model.segment(segment).name.span, format!("the intent: {intent}"))
        .with_help(if model.transit_gateways[segment.tgw.0].derive_blackholes.value {
            format!(
                "narrow the route, add blackhole routes for those prefixes to segment `{segment_name}`, or connect the segments if the path is intended"
            )
        } else {
            format!(
                "remove `derive_blackholes = false` so that agentform adds blackhole routes for those prefixes to segment `{segment_name}` (AWS's centralized egress pattern), narrow the route, or connect the segments if the path is intended"
            )
        })
    }

    /// The route that sent traffic somewhere, and where it is declared: a static route at its
    /// line, a propagation at its segment.
    fn responsible(&self, via: Via) -> (Span, String) {
        let model = self.model;
        match via {
            Via::Static(t, i) => {
                let route = self.mt.route(model, t, i);
                (route.name.span, format!("route `{}`", route.name.value))
            }
            Via::Propagated(t, a) => {
                let segment = model.segment(self.segment(t));
                (
                    segment.name.span,
                    format!(
                        "the propagation of `{}` into segment `{}`",
                        model.attachment_address(self.mt.attachment_ref(a)),
                        segment.name.value
                    ),
                )
            }
        }
    }

    /// One path of a finding, hop by hop: "`vpc.agents` → `agents` table (route `default-egress`)
    /// → `vpc.egress` (its route `10.40.0.0/14` → tgw) → `shared` table (propagation of
    /// `vpc.dev`) → `vpc.dev`".
    fn example_path(
        &self,
        table: TableId,
        affected: &BTreeMap<AttachmentId, Vec<Ipv4Net>>,
    ) -> String {
        let model = self.model;
        let name =
            |a: AttachmentId| format!("`{}`", model.attachment_address(self.mt.attachment_ref(a)));
        let table_name =
            |t: TableId| format!("`{}` table", model.segment(self.segment(t)).name.value);
        let route = |via: Via| match via {
            Via::Static(t, i) => format!("route `{}`", self.mt.route(model, t, i).name.value),
            Via::Propagated(_, a) => format!("propagation of {}", name(a)),
        };
        let (&target, prefixes) = affected.iter().next().expect("a finding has an attachment");
        let Some(piece) = self
            .reach
            .delivery(table, target)
            .and_then(|d| d.pieces.iter().find(|p| p.prefix == prefixes[0]))
        else {
            return String::new();
        };
        let mut hops: Vec<String> = self
            .reach
            .members(table)
            .iter()
            .find(|&&m| m != target)
            .map(|&m| name(m))
            .into_iter()
            .collect();
        for t in piece.path.iter() {
            hops.push(format!("{} ({})", table_name(t.via.table()), route(t.via)));
            let vpc_route = self
                .mt
                .topology
                .attachment(t.through)
                .route_back(piece.prefix)
                .map_or_else(|| "0.0.0.0/0".to_string(), |r| r.to_string());
            hops.push(format!(
                "{} (its route `{vpc_route}` → tgw)",
                name(t.through)
            ));
        }
        let last = piece.path.last().map_or(table, |t| {
            self.mt
                .topology
                .attachment(t.through)
                .table
                .expect("a VPC passed through is associated")
        });
        match piece.outcome {
            Outcome::Delivered(via) => {
                hops.push(format!("{} ({})", table_name(last), route(via)));
                hops.push(format!("{} `{}`", name(target), piece.prefix));
            }
            Outcome::Loop => hops.push(format!("{} again", table_name(last))),
            _ => {}
        }
        hops.join(" → ")
    }

    /// The members of a table, for a message: "vpc.a, vpc.b and 3 more".
    fn sources(&self, table: TableId) -> String {
        let names: Vec<String> = self
            .reach
            .members(table)
            .iter()
            .map(|&a| {
                format!(
                    "`{}`",
                    self.model.attachment_address(self.mt.attachment_ref(a))
                )
            })
            .collect();
        list(&names)
    }

    /// "`vpc.agents` (segment `agents`) `10.10.0.0/16`".
    fn describe(&self, attachment: AttachmentId, prefixes: &[Ipv4Net]) -> String {
        let a = self.mt.attachment_ref(attachment);
        let prefixes = Ipv4Net::aggregate(&prefixes.to_vec());
        let own = &self.mt.topology.attachment(attachment).prefixes;
        let whole = prefixes == Ipv4Net::aggregate(own);
        format!(
            "`{}` (segment `{}`){}",
            self.model.attachment_address(a),
            self.model.segment(self.model.segment_of(a)).name.value,
            if prefixes.is_empty() || whole {
                String::new()
            } else {
                format!(
                    " at {}",
                    list(
                        &prefixes
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                    )
                )
            }
        )
    }

    fn describe_all(&self, affected: &BTreeMap<AttachmentId, Vec<Ipv4Net>>) -> Vec<String> {
        affected
            .iter()
            .map(|(a, prefixes)| self.describe(*a, prefixes))
            .collect()
    }

    /// The segments of the reached attachments (and of the route's target) that `segment` may not
    /// reach; `segment` itself when it is isolated.
    fn unconnected_segments<'x>(
        &self,
        segment: SegmentId,
        reached: impl Iterator<Item = &'x AttachmentId>,
        target: Option<AttachmentRef>,
    ) -> Vec<SegmentId> {
        let mut segments: Vec<SegmentId> = reached.map(|&a| self.segment_of(a)).collect();
        segments.extend(target.map(|t| self.model.segment_of(t)));
        segments.retain(|&s| !self.model.intends_reachable(segment, s));
        segments.sort();
        segments.dedup();
        segments
    }

    /// Why replies from `from` do not reach the affected sources (the first lost piece's cause).
    fn why_no_return(
        &self,
        from: AttachmentId,
        affected: &BTreeMap<AttachmentId, Vec<Ipv4Net>>,
    ) -> String {
        let model = self.model;
        let from_ref = self.mt.attachment_ref(from);
        let (&to, _) = affected.iter().next().expect("a finding has an attachment");
        let back = self.reach.forward(from, to);
        let Some(piece) = back.undelivered().next() else {
            return String::from("no route back");
        };
        let table_name = || {
            format!(
                "the table of segment `{}`",
                model.segment(model.segment_of(from_ref)).name.value
            )
        };
        match piece.outcome {
            Outcome::NotSent => format!(
                "`{}`'s own route table does not send `{}` to the transit gateway",
                model.attachment_address(from_ref),
                piece.prefix
            ),
            Outcome::NoRoute => format!("{} has no route for `{}`", table_name(), piece.prefix),
            Outcome::Blackhole(_) => {
                format!("{} drops `{}` (blackhole)", table_name(), piece.prefix)
            }
            Outcome::Elsewhere(other, _) => format!(
                "{} sends `{}` to `{}`",
                table_name(),
                piece.prefix,
                model.attachment_address(self.mt.attachment_ref(other))
            ),
            Outcome::Loop => format!(
                "{} sends `{}` through VPCs in a loop",
                table_name(),
                piece.prefix
            ),
            Outcome::Delivered(_) => String::from("no route back"),
            Outcome::Internet(exit, _) => format!(
                "{} sends `{}` to the internet through `{}`",
                table_name(),
                piece.prefix,
                model.attachment_address(self.mt.attachment_ref(exit))
            ),
        }
    }

    /// The blueprint location of the prefix of `attachment` that contains `piece`.
    fn prefix_span(&self, attachment: AttachmentId, piece: Ipv4Net) -> Span {
        match self.mt.attachment_ref(attachment) {
            AttachmentRef::Vpc(id) => self.model.vpc(id).cidr.span,
            AttachmentRef::Interconnect(id) => {
                let interconnect = self.model.interconnect(id);
                interconnect
                    .remote_cidrs
                    .iter()
                    .find(|c| c.value.contains(&piece) || piece.contains(&c.value))
                    .map_or(interconnect.name.span, |c| c.span)
            }
        }
    }
}

/// "a", "a and b", "a, b, c and 4 more".
fn list(items: &[String]) -> String {
    const SHOWN: usize = 3;
    match items.len() {
        0 => String::from("nothing"),
        1 => items[0].clone(),
        n if n <= SHOWN + 1 => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..SHOWN].join(", "), n - SHOWN),
    }
}
