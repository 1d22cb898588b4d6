//! `checks.tf`: Terraform `check` blocks that keep asserting segregation after apply (every plan,
//! refresh and HCP health assessment), because a propagation or association made outside Terraform
//! is a new object that state-based drift detection never sees.
//!
//! Per segment route table: the exact set of associated attachments, the exact set of propagated
//! attachments, and the exact set of blackhole destinations (the blueprint's and the derived ones). Data source quirks (provider-facts §4):
//! the `ids` of `_associations` and `_propagations` are transit gateway attachment ids (not
//! association ids), and `_routes` requires at least one `filter`; its routes carry no attachment
//! id, which is why static routes toward attachments are not asserted here.

use super::Ref;
use super::labels::{LabelSpace, Resource};
use super::network::NetworkView;
use crate::model::{Model, RouteAction, SegmentId};
use crate::segregation::Intent;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct ChecksView {
    pub checks: Vec<CheckView>,
}

#[derive(Serialize)]
pub struct CheckView {
    /// The three check blocks (kind `check`) and their scoped data sources, named after the route
    /// table.
    pub labels: CheckLabels,
    pub transit_gateway: String,
    pub segment: String,
    pub route_table: Ref,
    pub associations: Expected<Ref>,
    pub propagations: Expected<Ref>,
    pub blackholes: Expected<String>,
}

#[derive(Serialize)]
pub struct CheckLabels {
    pub associations_check: Resource,
    pub associations: Resource,
    pub propagations_check: Resource,
    pub propagations: Resource,
    pub blackholes_check: Resource,
    pub blackholes: Resource,
    pub associated_ids: Ref,
    pub propagated_ids: Ref,
    pub blackhole_routes: Ref,
}

/// An expected set: the values, and the blueprint names a failure message lists.
#[derive(Serialize)]
pub struct Expected<T> {
    pub values: Vec<T>,
    pub names: String,
}

impl<T> Expected<T> {
    fn new(items: Vec<(T, String)>) -> Self {
        let names = if items.is_empty() {
            String::from("none")
        } else {
            items
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Expected {
            values: items.into_iter().map(|(v, _)| v).collect(),
            names,
        }
    }
}

pub fn plan(
    model: &Model,
    intent: &Intent,
    network: &NetworkView,
    labels: &mut LabelSpace,
    scope: &super::layout::Scope,
) -> ChecksView {
    let mut propagated: BTreeMap<SegmentId, Vec<_>> = BTreeMap::new();
    for &(table, attachment) in &intent.propagations {
        propagated.entry(table).or_default().push(attachment);
    }
    let checks = model
        .segments()
        .filter(|(id, _)| scope.routing(id.tgw))
        .map(|(id, segment)| {
            let tgw = &model.transit_gateways[id.tgw.0];
            let associated = model
                .attachments()
                .filter(|&a| model.segment_of(a) == id)
                .map(|a| (network.attachment_id(model, a), model.attachment_address(a)))
                .collect();
            let propagations = propagated
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|a| (network.attachment_id(model, a), model.attachment_address(a)))
                .collect();
            let mut blackholes: Vec<(String, String)> = tgw
                .routes
                .iter()
                .filter(|r| r.segment == id && r.action == RouteAction::Blackhole)
                .map(|r| {
                    (
                        r.destination.value.to_string(),
                        format!("{} ({})", r.destination.value, r.name.value),
                    )
                })
                .collect();
            blackholes.extend(
                intent
                    .blackholes
                    .iter()
                    .filter(|b| b.segment == id)
                    .map(|b| {
                        (
                            b.destination.to_string(),
                            format!("{} (derived)", b.destination),
                        )
                    }),
            );
            blackholes.sort();
            let owner = labels.owner(
                format!(
                    "segment `{}` of transit_gateway `{}`",
                    segment.name.value, tgw.name.value
                ),
                segment.name.span,
            );
            let table = network.route_table(id);
            let mut claim =
                |kind, suffix: &str| labels.claim(owner, kind, format!("{}{suffix}", table.label));
            let associations_data =
                claim("data.aws_ec2_transit_gateway_route_table_associations", "");
            let propagations_data =
                claim("data.aws_ec2_transit_gateway_route_table_propagations", "");
            let blackholes_data = claim(
                "data.aws_ec2_transit_gateway_route_table_routes",
                "_blackholes",
            );
            CheckView {
                labels: CheckLabels {
                    associations_check: claim("check", "_associations"),
                    propagations_check: claim("check", "_propagations"),
                    blackholes_check: claim("check", "_blackholes"),
                    associated_ids: associations_data.r("ids"),
                    propagated_ids: propagations_data.r("ids"),
                    blackhole_routes: blackholes_data.r("routes"),
                    associations: associations_data,
                    propagations: propagations_data,
                    blackholes: blackholes_data,
                },
                transit_gateway: tgw.name.value.clone(),
                segment: segment.name.value.clone(),
                route_table: table.r("id"),
                associations: Expected::new(associated),
                propagations: Expected::new(propagations),
                blackholes: Expected::new(blackholes),
            }
        })
        .collect();
    ChecksView { checks }
}
