//! What the blueprint's provider targets can express. One table, transcribed from
//! `shared/provider-facts.md`: each resource type agentform emits, its provider, and the first
//! release known to have it. The plan asks [`available`] (or [`storage_via`], [`payments`]) before
//! emitting anything whose existence depends on the target; what is unavailable is reported (rule
//! `targets`) and listed as a manual step, never silently dropped.

use super::{ProviderTargets, Version};
use serde::Serialize;

/// The lowest hashicorp/aws release agentform supports: the one whose schema the project validates
/// against (the real 5.100.0 provider ships with the build machines).
pub const MIN_AWS: Version = Version::new(5, 100, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Aws,
    Awscc,
}

/// Resource types whose availability depends on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// `awscc_interconnect_connection`: the AWS Interconnect - multicloud connection.
    AwsccInterconnectConnection,
    /// `aws_interconnect_connection`: proposed for hashicorp/aws, not released in any version.
    AwsInterconnectConnection,
    /// `aws_s3files_*` (file system, mount target, access point, file-system policy).
    AwsS3Files,
    /// `awscc_s3files_*`.
    AwsccS3Files,
    /// `awscc_bedrockagentcore_payment_*` (manager, connector, credential provider).
    AwsccPayments,
}

pub struct Availability {
    pub resource: ResourceType,
    pub name: &'static str,
    pub provider: Provider,
    /// First release with the type; `None` when no release has it.
    pub since: Option<Version>,
}

/// The table. Sources: provider-facts.md §1 (S3 Files), §2 (payments), §3 (Interconnect) and §7
/// (version matrix).
pub const TABLE: &[Availability] = &[
    Availability {
        resource: ResourceType::AwsccInterconnectConnection,
        name: "awscc_interconnect_connection",
        provider: Provider::Awscc,
        since: Some(Version::new(1, 91, 0)),
    },
    Availability {
        resource: ResourceType::AwsInterconnectConnection,
        name: "aws_interconnect_connection",
        provider: Provider::Aws,
        since: None,
    },
    Availability {
        resource: ResourceType::AwsS3Files,
        name: "aws_s3files_file_system",
        provider: Provider::Aws,
        since: Some(Version::new(6, 40, 0)),
    },
    // The earliest awscc release with the S3 Files types is not established; 1.106.0 is the one
    // whose schema the project checks against (provider-schemas/awscc-1.106.0__s3files-*).
    Availability {
        resource: ResourceType::AwsccS3Files,
        name: "awscc_s3files_file_system",
        provider: Provider::Awscc,
        since: Some(Version::new(1, 106, 0)),
    },
    // No hashicorp/aws release has AgentCore payments (provider-facts §2.2: PRs open). The awscc
    // types appear in 1.91.0's bindings (the earliest release found; inferred, not confirmed).
    Availability {
        resource: ResourceType::AwsccPayments,
        name: "awscc_bedrockagentcore_payment_manager",
        provider: Provider::Awscc,
        since: Some(Version::new(1, 91, 0)),
    },
];

/// The table row of a resource type.
pub fn entry(resource: ResourceType) -> &'static Availability {
    TABLE
        .iter()
        .find(|a| a.resource == resource)
        .expect("every resource type has a table row")
}

/// Whether the targets can create `resource`: its provider is allowed and every version the
/// constraint admits has it.
pub fn available(targets: &ProviderTargets, resource: ResourceType) -> bool {
    let row = entry(resource);
    let Some(since) = row.since else { return false };
    match row.provider {
        Provider::Aws => targets.aws_floor >= since,
        Provider::Awscc => targets.awscc && targets.awscc_floor >= since,
    }
}

/// Which provider creates the S3 Files resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Aws,
    Awscc,
    /// The targets cannot express S3 Files: the resources are omitted.
    None,
}

/// Which provider creates the S3 Files resources: hashicorp/aws when it has them, else awscc when
/// allowed and recent enough, else none.
pub fn storage_via(targets: &ProviderTargets) -> Via {
    if available(targets, ResourceType::AwsS3Files) {
        Via::Aws
    } else if available(targets, ResourceType::AwsccS3Files) {
        Via::Awscc
    } else {
        Via::None
    }
}

/// Whether the targets can create the payment manager, connectors and credential providers.
pub fn payments(targets: &ProviderTargets) -> bool {
    available(targets, ResourceType::AwsccPayments)
}
