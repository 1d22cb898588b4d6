//! Names in the generated stack: Terraform labels (stable `snake_case` derived from blueprint names),
//! AWS names (with AWS's length limits, shortened deterministically), and the tags: every
//! resource's own (`Name`, component) and the provider's default tags that map AWS ids back to
//! blueprint components.

use crate::model::Model;
use std::collections::BTreeMap;

/// `tenant-a` → `tenant_a`. Blueprint names are `[a-z][a-z0-9-]*`, so the result is an identifier.
pub fn snake(name: &str) -> String {
    name.replace('-', "_")
}

/// The label of a segment's route table (and of anything else named within a gateway).
pub fn segment_label(tgw: &str, name: &str) -> String {
    format!("{}_{}", snake(tgw), snake(name))
}

/// `10.20.0.0/16` → `10_20_0_0_16`, for labels of per-prefix resources.
pub fn prefix_label(net: &ipnet::Ipv4Net) -> String {
    net.to_string().replace(['.', '/'], "_")
}

// AWS names from model data alone live in the model, so `validate` can compare against them.
pub use crate::model::naming::{aws_name, partition, role_name};

/// Tag keys agentform writes on transit gateway resources; drift and propagation checks map AWS ids
/// back to blueprint components through them.
pub const TAG_COMPONENT: &str = "agentform:component";
pub const TAG_SEGMENT: &str = "agentform:segment";
pub const TAG_TRANSIT_GATEWAY: &str = "agentform:transit_gateway";
pub const TAG_PLATFORM: &str = "agentform:platform";
pub const TAG_ENVIRONMENT: &str = "agentform:environment";
/// The tenant of a VPC's resources (`vpc { tenant = … }`), and the blueprint role of an agent's IAM
/// role: with the three above, the keys activated for cost allocation (`billing`).
pub const TAG_TENANT: &str = "agentform:tenant";
pub const TAG_AGENT: &str = "agentform:agent";

/// Tags of a resource: its `Name` (platform, environment, component name), which blueprint
/// component it belongs to, and the tenant of a VPC's resources when the VPC declares one.
pub type Tags = BTreeMap<String, String>;

pub fn tags(model: &Model, name: &str, component: &str) -> Tags {
    let mut tags = Tags::new();
    tags.insert(
        "Name".to_string(),
        format!(
            "{}-{}-{name}",
            model.platform.name.value, model.platform.environment
        ),
    );
    tags.insert(TAG_COMPONENT.to_string(), component.to_string());
    if let Some(tenant) = component
        .strip_prefix("vpc.")
        .and_then(|vpc| model.vpc_tenants.get(vpc))
    {
        tags.insert(TAG_TENANT.to_string(), tenant.clone());
    }
    tags
}

/// Tags on every resource: the platform's own, plus which platform and environment it belongs to.
pub fn default_tags(model: &Model) -> Tags {
    let mut tags = model.platform.tags.clone();
    tags.insert(TAG_PLATFORM.to_string(), model.platform.name.value.clone());
    tags.insert(
        TAG_ENVIRONMENT.to_string(),
        model.platform.environment.clone(),
    );
    tags
}
