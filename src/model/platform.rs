//! The platform: account, region, environment, tags and the provider versions to target.

use super::Name;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone)]
pub struct Platform {
    pub name: Name,
    pub environment: String,
    pub region: String,
    pub account_id: String,
    /// Tags every generated resource carries (through the provider's `default_tags`).
    pub tags: BTreeMap<String, String>,
    pub providers: ProviderTargets,
    /// Whether the stack activates its tag keys as cost allocation tags (`cost_allocation_tags`,
    /// default on).
    pub cost_allocation_tags: bool,
    /// The remote state backend (`state { }`); required when the platform has several stacks.
    pub state: Option<super::accounts::StateBackend>,
}

/// Which providers, at which versions, the generated stack targets.
#[derive(Debug, Clone)]
pub struct ProviderTargets {
    /// The constraint written into `required_providers` for hashicorp/aws.
    pub aws_constraint: String,
    /// The lowest hashicorp/aws version the constraint admits; resource availability is decided
    /// against it, so the stack works with every version the constraint lets `init` pick.
    pub aws_floor: Version,
    /// Whether hashicorp/awscc may be used for what hashicorp/aws cannot express.
    pub awscc: bool,
    pub awscc_constraint: String,
    pub awscc_floor: Version,
}

/// A provider release number, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Parses `6`, `6.69` or `6.69.1` (missing parts are zero).
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        if parts.next().is_some() {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}
