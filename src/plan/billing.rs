//! Cost allocation: the tag keys the stack writes for platform, environment, component, tenant,
//! agent and segment, activated as user-defined cost allocation tags (`aws_ce_cost_allocation_tag`)
//! so Cost Explorer and the Cost and Usage Report can split the platform's bill by them. On unless
//! the platform says `cost_allocation_tags = false`.
//!
//! Only keys some resource of this stack carries are activated: AWS lists a key for activation only
//! after it has been used on a resource, and the provider fails to create the activation of a key
//! it cannot list. `Name`, `agentform:transit_gateway` and the platform's own `tags` are not
//! activated (a per-resource name; a split the component and segment keys already give; keys the
//! organization owns and activates where it manages them).

use super::labels::{LabelSpace, Resource};
use super::naming::{
    TAG_AGENT, TAG_COMPONENT, TAG_ENVIRONMENT, TAG_PLATFORM, TAG_SEGMENT, TAG_TENANT,
};
use crate::model::Model;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct BillingView {
    pub tags: Vec<CostTagView>,
}

/// One activated tag key.
#[derive(Debug, Serialize)]
pub struct CostTagView {
    pub resource: Resource,
    pub key: &'static str,
    /// What the key splits the bill by, for the file's comment and the stack README.
    pub splits: &'static str,
}

/// The tag keys some resource of this stack carries that split its bill, each with what it splits
/// by: activated by the stack, or listed for the payer account when the platform opts out.
pub fn keys(model: &Model) -> Vec<(&'static str, &'static str)> {
    // A stack of providers only tags nothing: no key could ever be activated.
    let tags_something = !(model.transit_gateways.is_empty()
        && model.vpcs.is_empty()
        && model.interconnects.is_empty()
        && model.ingresses.is_empty()
        && model.s3_files.is_empty()
        && model.iam_roles.is_empty()
        && model.payment_managers.is_empty()
        && !model
            .audit_trail
            .as_ref()
            .is_some_and(|a| matches!(a.kind, crate::model::AuditTrailKind::Dedicated { .. })));
    if !tags_something {
        return Vec::new();
    }
    let mut keys: Vec<(&'static str, &'static str)> = vec![
        (TAG_PLATFORM, "platform (default tags: every resource)"),
        (
            TAG_ENVIRONMENT,
            "environment (default tags: every resource)",
        ),
        (
            TAG_COMPONENT,
            "blueprint component (every resource agentform tags itself)",
        ),
    ];
    if !model.vpc_tenants.is_empty() {
        keys.push((
            TAG_TENANT,
            "tenant (the resources of a VPC that declares `tenant`)",
        ));
    }
    if !model.agents().is_empty() {
        keys.push((
            TAG_AGENT,
            "agent (its IAM role: Bedrock bills inference to the calling role's tags)",
        ));
    }
    if model.segments().next().is_some() {
        keys.push((
            TAG_SEGMENT,
            "segment (transit gateway attachments, billed per hour and per GB)",
        ));
    }
    keys
}

/// The activations, or none when the platform opts out.
pub fn plan(model: &Model, labels: &mut LabelSpace) -> Option<BillingView> {
    let p = &model.platform;
    if !p.cost_allocation_tags {
        return None;
    }
    let keys = keys(model);
    if keys.is_empty() {
        return None;
    }
    let owner = labels.owner(format!("platform `{}`", p.name.value), p.name.span);
    let tags = keys
        .into_iter()
        .map(|(key, splits)| CostTagView {
            resource: labels.claim(owner, "aws_ce_cost_allocation_tag", key.replace(':', "_")),
            key,
            splits,
        })
        .collect();
    Some(BillingView { tags })
}
