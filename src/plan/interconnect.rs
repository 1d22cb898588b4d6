//! The Terraform view of AWS Interconnect - multicloud: per interconnect a Direct Connect gateway,
//! its association with the transit gateway (`allowed_prefixes` = the VPC prefixes its segment may
//! reach, i.e. what AWS announces to the partner cloud), the data source that yields the gateway's
//! transit gateway attachment id, that attachment's association and propagations, and the connection
//! itself through hashicorp/awscc when the targets allow it.

use super::Ref;
use super::labels::{LabelSpace, Resource};
use super::layout::Scope;
use super::naming::{self, TAG_SEGMENT, TAG_TRANSIT_GATEWAY};
use super::network::{self, LinkView, NetworkView};
use crate::model::targets::{self as providers, ResourceType};
use crate::model::{AttachmentRef, InterconnectId, Model};
use ipnet::Ipv4Net;
use serde::Serialize;

#[derive(Serialize)]
pub struct InterconnectView {
    pub interconnects: Vec<ConnectionView>,
    pub associations: Vec<LinkView>,
    pub propagations: Vec<LinkView>,
    #[serde(skip)]
    pub uses_awscc: bool,
}

#[derive(Serialize)]
pub struct ConnectionView {
    /// Whether this stack holds the interconnect (its gateway's routing).
    pub here: bool,
    pub labels: ConnectionLabels,
    pub name: String,
    pub partner: String,
    pub dx_gateway_name: String,
    pub dx_gateway_asn: String,
    pub transit_gateway: Ref,
    pub allowed_prefixes: Vec<String>,
    /// The transit gateway attachment of a Direct Connect gateway is created by AWS, not by a
    /// resource, so its tags are set one by one with `aws_ec2_tag`.
    pub attachment_tags: Vec<TagView>,
    /// The awscc connection, when the targets can create it.
    pub connection: Option<AwsccConnectionView>,
}

/// The Direct Connect gateway, its association, the attachment data source, and the references
/// between them.
#[derive(Serialize)]
pub struct ConnectionLabels {
    pub dx_gateway: Resource,
    pub association: Resource,
    /// `data.aws_ec2_transit_gateway_dx_gateway_attachment`.
    pub attachment: Resource,
    pub dx_gateway_id: Ref,
    pub association_done: Ref,
    pub attachment_id: Ref,
}

#[derive(Serialize)]
pub struct AwsccConnectionView {
    pub connection: Resource,
    pub bandwidth: String,
    pub description: String,
    /// A literal environment id, or a reference to the variable that asks for it.
    pub environment_id: serde_json::Value,
    /// The variable to declare when the blueprint gave no environment id.
    /// Claimed as kind `variable`.
    pub environment_variable: Option<Resource>,
    /// awscc takes tags as a list of `{key, value}` objects and has no provider default tags.
    pub tags: Vec<KeyValue>,
}

#[derive(Serialize)]
pub struct TagView {
    pub label: Resource,
    pub key: String,
    pub value: String,
}

#[derive(Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

pub fn plan(
    model: &Model,
    network: &NetworkView,
    labels: &mut LabelSpace,
    scope: &Scope,
) -> Option<InterconnectView> {
    // An interconnect lives with its gateway's routing (validation keeps it in the gateway's
    // account).
    if !model
        .interconnects
        .iter()
        .any(|ic| scope.routing(ic.transit_gateway))
    {
        return None;
    }
    let targets = &model.platform.providers;
    let awscc = providers::available(targets, ResourceType::AwsccInterconnectConnection);
    let interconnects: Vec<ConnectionView> = model
        .interconnects
        .iter()
        .map(|ic| {
            let label = naming::snake(&ic.name.value);
            let owner = labels.owner(format!("interconnect `{}`", ic.name.value), ic.name.span);
            let dx_gateway = labels.claim(owner, "aws_dx_gateway", &label);
            let association = labels.claim(owner, "aws_dx_gateway_association", &label);
            let attachment = labels.claim(
                owner,
                "data.aws_ec2_transit_gateway_dx_gateway_attachment",
                &label,
            );
            let tgw = &model.transit_gateways[ic.transit_gateway.0];
            let mut allowed: Vec<Ipv4Net> = network
                .reachable_vpc_prefixes
                .get(&ic.segment)
                .cloned()
                .unwrap_or_default();
            allowed.sort();
            allowed.dedup();
            let mut attachment_tags = naming::tags(
                model,
                &ic.name.value,
                &format!("interconnect.{}", ic.name.value),
            );
            attachment_tags.insert(
                TAG_SEGMENT.to_string(),
                model.segment(ic.segment).name.value.clone(),
            );
            attachment_tags.insert(TAG_TRANSIT_GATEWAY.to_string(), tgw.name.value.clone());
            let connection = awscc.then(|| {
                let (environment_id, environment_variable) = match &ic.environment_id {
                    Some(id) => (serde_json::Value::String(id.clone()), None),
                    None => {
                        let variable = format!("{label}_environment_id");
                        (
                            serde_json::to_value(Ref::new(format!("var.{variable}")))
                                .expect("refs serialize"),
                            Some(labels.claim(owner, "variable", variable)),
                        )
                    }
                };
                let mut all = naming::default_tags(model);
                all.extend(naming::tags(
                    model,
                    &ic.name.value,
                    &format!("interconnect.{}", ic.name.value),
                ));
                let tags: Vec<KeyValue> = all
                    .into_iter()
                    .map(|(key, value)| KeyValue { key, value })
                    .collect();
                AwsccConnectionView {
                    connection: labels.claim(owner, "awscc_interconnect_connection", &label),
                    bandwidth: ic.bandwidth.value.clone(),
                    description: format!(
                        "{} {} interconnect {} to {}",
                        model.platform.name.value,
                        model.platform.environment,
                        ic.name.value,
                        ic.partner.value.as_str()
                    ),
                    environment_id,
                    environment_variable,
                    tags,
                }
            });
            ConnectionView {
                here: scope.routing(ic.transit_gateway),
                name: ic.name.value.clone(),
                partner: ic.partner.value.as_str().to_string(),
                dx_gateway_name: naming::aws_name(
                    &[
                        &model.platform.name.value,
                        &model.platform.environment,
                        &ic.name.value,
                    ],
                    100,
                ),
                dx_gateway_asn: ic.dx_gateway_asn.value.to_string(),
                transit_gateway: scope.tgw_id(ic.transit_gateway),
                allowed_prefixes: allowed.iter().map(ToString::to_string).collect(),
                attachment_tags: attachment_tags
                    .iter()
                    .map(|(key, value)| TagView {
                        label: labels.claim(
                            owner,
                            "aws_ec2_tag",
                            format!(
                                "{label}_{}",
                                key.to_ascii_lowercase()
                                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                            ),
                        ),
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                connection,
                labels: ConnectionLabels {
                    dx_gateway_id: dx_gateway.r("id"),
                    association_done: association.whole(),
                    attachment_id: attachment.r("id"),
                    dx_gateway,
                    association,
                    attachment,
                },
            }
        })
        .collect();
    let associations = (0..model.interconnects.len())
        .filter(|&i| interconnects[i].here)
        .map(|i| {
            let attachment = AttachmentRef::Interconnect(InterconnectId(i));
            let ic = &model.interconnects[i];
            let owner = labels.owner(format!("interconnect `{}`", ic.name.value), ic.name.span);
            LinkView {
                label: labels.claim(
                    owner,
                    "aws_ec2_transit_gateway_route_table_association",
                    network::attachment_label(model, attachment),
                ),
                attachment: interconnects[i].labels.attachment_id.clone(),
                route_table: network.route_table(model.segment_of(attachment)).r("id"),
            }
        })
        .collect();
    Some(InterconnectView {
        interconnects,
        associations,
        propagations: network.interconnect_propagations.clone(),
        uses_awscc: awscc,
    })
}
