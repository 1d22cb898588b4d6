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

/// Joins parts with `-` and fits the result into `max` characters. A name that is too long keeps
/// its beginning and gets an 8-character hash of the full name, so it stays unique and stable.
pub fn aws_name(parts: &[&str], max: usize) -> String {
    let full = parts.join("-");
    if full.len() <= max {
        return full;
    }
    let hash = format!("{:08x}", fnv1a(full.as_bytes()) & 0xffff_ffff);
    let keep = max.saturating_sub(hash.len() + 1);
    let head = full[..keep].trim_end_matches('-');
    format!("{head}-{hash}")
}

/// FNV-1a: a tiny, stable, dependency-free hash (not for security, only for stable short names).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The ARN partition of a region: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Tag keys agentform writes on transit gateway resources; drift and propagation checks map AWS ids
/// back to blueprint components through them.
pub const TAG_COMPONENT: &str = "agentform:component";
pub const TAG_SEGMENT: &str = "agentform:segment";
pub const TAG_TRANSIT_GATEWAY: &str = "agentform:transit_gateway";
pub const TAG_PLATFORM: &str = "agentform:platform";
pub const TAG_ENVIRONMENT: &str = "agentform:environment";

/// Tags of a resource: its `Name` (platform, environment, component name) and which blueprint
/// component it belongs to.
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

#[cfg(test)]
mod tests {
    use super::aws_name;

    #[test]
    fn long_names_are_shortened_stably_and_uniquely() {
        assert_eq!(
            aws_name(&["agents", "prod", "flow-logs"], 64),
            "agents-prod-flow-logs"
        );
        let a = aws_name(&["a".repeat(60).as_str(), "prod", "flow-logs"], 64);
        let b = aws_name(&["a".repeat(60).as_str(), "prod", "flow-logz"], 64);
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(
            a,
            aws_name(&["a".repeat(60).as_str(), "prod", "flow-logs"], 64)
        );
    }
}
