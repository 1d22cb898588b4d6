//! The files every stack has: `versions.tf` (Terraform and provider requirements), `providers.tf`
//! (region, account guard, default tags) and `outputs.tf` (ids later checks and stacks consume).

use super::interconnect::InterconnectView;
use super::naming::{self, TAG_ENVIRONMENT, TAG_PLATFORM};
use super::network::{self, NetworkView, Tags};
use super::Ref;
use crate::model::{AttachmentRef, Model};
use serde::Serialize;
use std::collections::BTreeMap;

/// Terraform 1.5 introduced `check` blocks, which generated stacks use.
pub const REQUIRED_TERRAFORM: &str = ">= 1.5.0";

#[derive(Serialize)]
pub struct VersionsView {
    pub required_version: &'static str,
    pub aws_version: String,
    pub awscc_version: Option<String>,
}

#[derive(Serialize)]
pub struct ProvidersView {
    pub region: String,
    pub allowed_account_ids: Vec<String>,
    pub default_tags: Tags,
    pub awscc: bool,
}

#[derive(Serialize)]
pub struct OutputsView {
    pub outputs: Vec<OutputView>,
}

#[derive(Serialize)]
pub struct OutputView {
    pub name: String,
    pub description: String,
    pub value: serde_json::Value,
}

/// Tags on every resource: the platform's own, plus which platform and environment it belongs to.
pub fn default_tags(model: &Model) -> Tags {
    let mut tags = model.platform.tags.clone();
    tags.insert(TAG_PLATFORM.to_string(), model.platform.name.value.clone());
    tags.insert(TAG_ENVIRONMENT.to_string(), model.platform.environment.clone());
    tags
}

pub fn versions(model: &Model, uses_awscc: bool) -> VersionsView {
    let targets = &model.platform.providers;
    VersionsView {
        required_version: REQUIRED_TERRAFORM,
        aws_version: targets.aws_constraint.clone(),
        awscc_version: uses_awscc.then(|| targets.awscc_constraint.clone()),
    }
}

pub fn providers(model: &Model, uses_awscc: bool) -> ProvidersView {
    ProvidersView {
        region: model.platform.region.clone(),
        allowed_account_ids: vec![model.platform.account_id.clone()],
        default_tags: default_tags(model),
        awscc: uses_awscc,
    }
}

fn value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("output values serialize")
}

pub fn outputs(model: &Model, network: &NetworkView, interconnect: Option<&InterconnectView>) -> OutputsView {
    let mut outputs = Vec::new();
    for tgw in &network.transit_gateways {
        outputs.push(OutputView {
            name: format!("{}_transit_gateway_id", tgw.label),
            description: format!("Id of transit gateway `{}`", tgw.label),
            value: value(&Ref::attr("aws_ec2_transit_gateway", &tgw.label, "id")),
        });
        let tables: BTreeMap<&str, Ref> = tgw
            .route_tables
            .iter()
            .map(|t| (t.segment.as_str(), Ref::attr("aws_ec2_transit_gateway_route_table", &t.label, "id")))
            .collect();
        outputs.push(OutputView {
            name: format!("{}_route_table_ids", tgw.label),
            description: format!("Route table id of each segment of transit gateway `{}`", tgw.label),
            value: value(&tables),
        });
    }
    if !model.vpcs.is_empty() {
        let vpcs: BTreeMap<&str, Ref> = model
            .vpcs
            .iter()
            .map(|v| (v.name.value.as_str(), Ref::attr("aws_vpc", &naming::snake(&v.name.value), "id")))
            .collect();
        outputs.push(OutputView {
            name: "vpc_ids".to_string(),
            description: "Id of each VPC".to_string(),
            value: value(&vpcs),
        });
    }
    let attachments: BTreeMap<String, Ref> = model
        .attachments()
        .map(|a: AttachmentRef| (model.attachment_address(a), network::attachment_id(model, a)))
        .collect();
    if !attachments.is_empty() {
        outputs.push(OutputView {
            name: "transit_gateway_attachment_ids".to_string(),
            description: "Transit gateway attachment id of each attachment, by blueprint address".to_string(),
            value: value(&attachments),
        });
    }
    if let Some(interconnect) = interconnect {
        let gateways: BTreeMap<&str, Ref> = interconnect
            .interconnects
            .iter()
            .map(|i| (i.name.as_str(), Ref::attr("aws_dx_gateway", &i.label, "id")))
            .collect();
        outputs.push(OutputView {
            name: "dx_gateway_ids".to_string(),
            description: "Direct Connect gateway id of each interconnect".to_string(),
            value: value(&gateways),
        });
    }
    OutputsView { outputs }
}
