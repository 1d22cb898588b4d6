//! From what `drift` and `propagation` report back to the blueprint block that declares the
//! component responsible: segments as `gateway/segment`, attachments as `vpc.NAME` /
//! `interconnect.NAME`, and Terraform addresses through the labels the plan derives from blueprint
//! names ([`crate::plan::naming`]). Small and owned (names and positions only), so `drift` can drop the model
//! before it reads a large state.
//!
//! The findings of both commands as results placed on the blueprint (SARIF): [`drift_items`],
//! [`propagation_items`].

use super::{drift, propagation};
use crate::diag::sarif::Item;
use crate::diag::{Check, Label, Rule, Severity, Span};
use crate::model::Model;
use crate::plan::naming::{segment_label, snake};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Locator {
    /// `hub/prod`, `vpc.app`, `interconnect.gcp`, `transit_gateway.hub` → where declared.
    components: BTreeMap<String, Span>,
    /// Terraform label prefixes (`hub_prod`, `app`, `tools`) → where the component is declared.
    labels: BTreeMap<String, Span>,
}

impl Locator {
    pub fn new(model: &Model) -> Self {
        let mut l = Locator::default();
        for tgw in model.transit_gateways.iter() {
            l.add(
                format!("transit_gateway.{}", tgw.name.value),
                snake(&tgw.name.value),
                tgw.name.span,
            );
            for segment in &tgw.segments {
                l.add(
                    format!("{}/{}", tgw.name.value, segment.name.value),
                    segment_label(&tgw.name.value, &segment.name.value),
                    segment.name.span,
                );
            }
            for route in &tgw.routes {
                l.labels.insert(
                    segment_label(&tgw.name.value, &route.name.value),
                    route.name.span,
                );
            }
        }
        for vpc in model.vpcs.iter() {
            l.add(
                format!("vpc.{}", vpc.name.value),
                snake(&vpc.name.value),
                vpc.name.span,
            );
            // Associations are labelled by the attachment's address: `vpc_app`.
            l.labels
                .insert(format!("vpc_{}", snake(&vpc.name.value)), vpc.name.span);
        }
        for ic in model.interconnects.iter() {
            l.add(
                format!("interconnect.{}", ic.name.value),
                snake(&ic.name.value),
                ic.name.span,
            );
            l.labels.insert(
                format!("interconnect_{}", snake(&ic.name.value)),
                ic.name.span,
            );
        }
        let others = model
            .ingresses
            .iter()
            .map(|i| ("mcp_ingress", &i.name))
            .chain(model.s3_files.iter().map(|s| ("s3_files", &s.name)))
            .chain(model.iam_roles.iter().map(|r| ("iam_role", &r.name)))
            .chain(
                model
                    .payment_managers
                    .iter()
                    .map(|p| ("payment_manager", &p.name)),
            );
        for (kind, name) in others {
            l.add(
                format!("{kind}.{}", name.value),
                snake(&name.value),
                name.span,
            );
        }
        l
    }

    fn add(&mut self, component: String, label: String, span: Span) {
        self.components.insert(component, span);
        self.labels.entry(label).or_insert(span);
    }

    /// A component as `propagation` names it: `hub/prod`, `vpc.app`, `interconnect.gcp`.
    pub fn component(&self, name: &str) -> Option<Span> {
        self.components.get(name).copied()
    }

    /// A Terraform address (`aws_ec2_transit_gateway_route_table_propagation.hub_prod__vpc_app`,
    /// `module.x.aws_subnet.app["a"]`): the component whose label is the longest prefix of the
    /// resource's label, at a `_` boundary. Resources of the whole stack (the flow-log role) have
    /// none.
    pub fn address(&self, address: &str) -> Option<Span> {
        let resource = address.rsplit_once('.').map_or(address, |(_, r)| r);
        // `name[0]` / `name["key"]`: the instance key is not part of the label. An address whose
        // key holds a `.` was cut inside the key above; take the name before the bracket instead.
        let label = if let Some((before, _)) = address.split_once('[') {
            before.rsplit_once('.').map_or(before, |(_, r)| r)
        } else {
            resource
        };
        let mut best: Option<(&str, Span)> = None;
        for (candidate, &span) in &self.labels {
            let fits = label == candidate
                || label
                    .strip_prefix(candidate.as_str())
                    .is_some_and(|rest| rest.starts_with('_'));
            if fits && best.is_none_or(|(b, _)| candidate.len() > b.len()) {
                best = Some((candidate, span));
            }
        }
        best.map(|(_, span)| span)
    }
}

/// Every rule `drift` can report, for SARIF.
pub const DRIFT_CHECKS: &[Check] = &[
    Check::DriftMissing,
    Check::DriftUnexpected,
    Check::DriftAttribute,
];

/// Every rule `propagation` can report, for SARIF.
pub const PROPAGATION_CHECKS: &[Check] = &[
    Check::PropagationLeak,
    Check::PropagationFailed,
    Check::PropagationAssociation,
    Check::PropagationRoute,
    Check::PropagationBlackhole,
    Check::PropagationMissing,
    Check::PropagationReach,
];

/// A finding of deployed state as a result on the blueprint: at `span` when the component
/// responsible is known, else at the top of the file.
fn finding_item(check: Check, message: &str, file: &str, span: Option<Span>) -> Item {
    Item {
        rule: Rule::Check(check),
        severity: Severity::Error,
        message: message.to_string(),
        file: file.to_string(),
        span: span.unwrap_or(Span::START),
        labels: Vec::new(),
        help: None,
    }
}

/// Drift findings on the blueprint: each at the component whose label the resource's carries.
pub fn drift_items(report: &drift::Report, locator: &Locator, file: &str) -> Vec<Item> {
    report
        .findings
        .iter()
        .map(|f| {
            let check = match f.kind {
                drift::Kind::Missing => Check::DriftMissing,
                drift::Kind::Unexpected => Check::DriftUnexpected,
                drift::Kind::Attribute => Check::DriftAttribute,
            };
            finding_item(check, &f.message, file, locator.address(&f.address))
        })
        .collect()
}

/// Propagation findings on the blueprint: a missing object or a wrong association belongs to its
/// attachment (the segment's block is a related location); everything else to the segment whose
/// route table is concerned (the attachment related). Changed segment cells belong to the source
/// segment.
pub fn propagation_items(report: &propagation::Report, model: &Model, file: &str) -> Vec<Item> {
    use propagation::Kind;
    let locator = Locator::new(model);
    let mut items = Vec::new();
    for f in &report.findings {
        let check = match f.kind {
            Kind::Leak => Check::PropagationLeak,
            Kind::FailedPropagation => Check::PropagationFailed,
            Kind::WrongAssociation => Check::PropagationAssociation,
            Kind::MissingRoute => Check::PropagationRoute,
            Kind::UnexpectedBlackhole => Check::PropagationBlackhole,
            Kind::MissingObject => Check::PropagationMissing,
        };
        let segment = locator.component(&f.segment);
        let attachment = f.attachment.as_deref().and_then(|a| locator.component(a));
        let (primary, related) = match f.kind {
            Kind::MissingObject | Kind::WrongAssociation if attachment.is_some() => (
                attachment,
                segment.map(|s| (s, format!("segment `{}`", f.segment))),
            ),
            _ => (
                segment.or(attachment),
                segment.and(attachment).zip(f.attachment.clone()),
            ),
        };
        let mut item = finding_item(check, &f.message, file, primary);
        if let Some((span, name)) = related {
            item.labels.push(Label {
                span,
                message: format!("`{}` is declared here", name.trim_matches('`')),
            });
        }
        items.push(item);
    }
    let verdict = |v: Option<crate::segregation::Verdict>| v.map_or("no pairs", |v| v.as_str());
    for c in &report.reachability_changes {
        let mut item = finding_item(
            Check::PropagationReach,
            &format!(
                "segment `{}` reaches segment `{}` differently: {} in the blueprint, {} deployed",
                c.from,
                c.to,
                verdict(c.expected),
                verdict(c.deployed)
            ),
            file,
            locator.component(&c.from),
        );
        if c.to != c.from
            && let Some(span) = locator.component(&c.to)
        {
            item.labels.push(Label {
                span,
                message: format!("`{}` is declared here", c.to),
            });
        }
        items.push(item);
    }
    items
}
