//! `audit.tf`: the platform's audit trail (`audit_trail`). A dedicated trail records management
//! events and the data events of the platform's own resources on the payment and MCP paths, scoped
//! by advanced event selectors to their ARNs, into a bucket under Object Lock encrypted with its
//! own key, log file validation on. With an organization trail the stack creates nothing, and the
//! stack README lists the selectors that trail must carry (the same ones, with literal ARNs).
//!
//! Data event resource types (CloudTrail User Guide, "Logging data events", the table of
//! `resources.type` values): `AWS::DynamoDB::Table` (item-level API on tables: the payment ledger)
//! and `AWS::S3::Object` (object-level API: the payment archive, the S3 Files workspace buckets, the
//! MCP ingress log buckets). AgentCore lists `AWS::BedrockAgentCore::Gateway` ("Enable CloudTrail
//! data event logging for Amazon Bedrock AgentCore Gateway resources"), but the platform creates
//! no gateway; no data event type is documented for AgentCore payments, SSM parameters or Secrets
//! Manager secrets, whose calls (`GetParameter`, `GetSecretValue`) are management events.

use super::Ref;
use super::bucket::{BucketLabels, BucketView, LifecycleView};
use super::ingress::IngressView;
use super::labels::{LabelSpace, Resource};
use super::naming::{self, Tags};
use super::payments::PaymentsView;
use super::storage::StorageView;
use crate::model::{AuditTrail, AuditTrailKind, Model};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Serialize)]
pub struct AuditView {
    pub name: String,
    /// The trail the stack creates; none when an organization trail records the platform.
    pub dedicated: Option<DedicatedView>,
    /// The organization trail relied on.
    pub organization_trail_arn: Option<String>,
    /// The data event selectors, one per path and resource type (empty: no resource of the
    /// platform has data events).
    pub selectors: Vec<SelectorView>,
}

#[derive(Serialize)]
pub struct DedicatedView {
    pub labels: AuditLabels,
    pub trail_name: String,
    /// Spelled out: the bucket and key policies name it before the trail exists.
    pub trail_arn: String,
    /// `arn:PARTITION:cloudtrail:*:ACCOUNT:trail/*`: the encryption context CloudTrail gives.
    pub trail_arn_pattern: String,
    pub retention_days: u32,
    pub account_id: String,
    pub account_root: String,
    pub key_description: String,
    pub tags: Tags,
    /// `BUCKET_ARN/AWSLogs/ACCOUNT/*`: where CloudTrail writes.
    pub log_objects: Ref,
    pub bucket: BucketView,
}

#[derive(Serialize)]
pub struct AuditLabels {
    pub trail: Resource,
    /// `data.aws_iam_policy_document` of the key policy.
    pub key_document: Resource,
    pub key: Resource,
    pub object_lock: Resource,
    pub key_json: Ref,
    pub key_arn: Ref,
    /// For `depends_on`: log files are written only once the bucket retains them.
    pub object_locked: Ref,
}

/// One advanced event selector of data events.
#[derive(Serialize)]
pub struct SelectorView {
    pub name: String,
    /// What the README says it records.
    pub records: &'static str,
    /// `resources.type`.
    pub resource_type: &'static str,
    /// `equals` (a table's ARN) or `starts_with` (a bucket's objects: `BUCKET_ARN/`).
    pub operator: &'static str,
    /// As the trail writes them: references to the platform's resources.
    pub arns: Vec<Value>,
    /// As the README writes them, for an organization trail: spelled out from the names.
    pub literal_arns: Vec<String>,
}

/// A trail's advanced event selectors hold at most this many values over all their conditions
/// (CloudTrail User Guide, "Quotas in AWS CloudTrail").
pub const SELECTOR_VALUES: usize = 500;

impl AuditView {
    /// The values a dedicated trail's selectors hold: one for management events, and per data event
    /// selector its category, its resource type and its ARNs.
    pub fn selector_values(&self) -> usize {
        1 + self
            .selectors
            .iter()
            .map(|s| 2 + s.arns.len())
            .sum::<usize>()
    }
}

/// Plans `audit.tf` (`dedicated`) or only the README section (`organization`); none without an
/// `audit_trail` block.
pub fn plan(
    model: &Model,
    payments: Option<&PaymentsView>,
    storage: Option<&StorageView>,
    ingress: Option<&IngressView>,
    labels: &mut LabelSpace,
) -> Option<AuditView> {
    let audit = model.audit_trail.as_ref()?;
    let selectors = selectors(model, payments, storage, ingress);
    let (dedicated, organization_trail_arn) = match &audit.kind {
        AuditTrailKind::Dedicated { retention_days } => {
            (Some(dedicated(model, audit, *retention_days, labels)), None)
        }
        AuditTrailKind::Organization { trail_arn } => (None, Some(trail_arn.value.clone())),
    };
    Some(AuditView {
        name: audit.name.value.clone(),
        dedicated,
        organization_trail_arn,
        selectors,
    })
}

/// A trail name as CloudTrail takes it: no adjacent dashes, ending with a letter or digit (blueprint
/// names may have both; CloudTrail User Guide, "CloudTrail trail naming requirements").
fn trail_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The name of a dedicated trail's bucket (bucket names are global: the account id is part of it).
pub fn audit_bucket(model: &Model, audit: &AuditTrail) -> String {
    let p = &model.platform;
    naming::aws_name(
        &[
            &p.name.value,
            &p.environment,
            &audit.name.value,
            "audit",
            &p.account_id,
        ],
        63,
    )
}

fn dedicated(
    model: &Model,
    audit: &AuditTrail,
    retention_days: u32,
    labels: &mut LabelSpace,
) -> DedicatedView {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let label = naming::snake(&audit.name.value);
    let owner = labels.owner(
        format!("audit_trail `{}`", audit.name.value),
        audit.name.span,
    );
    let trail = labels.claim(owner, "aws_cloudtrail", label.clone());
    let key_document = labels.claim(
        owner,
        "data.aws_iam_policy_document",
        format!("{label}_audit_key"),
    );
    let key = labels.claim(owner, "aws_kms_key", format!("{label}_audit"));
    let bucket = BucketLabels::claim(
        labels,
        owner,
        &format!("{label}_audit_logs"),
        &format!("{label}_audit_logs_bucket"),
    );
    let object_lock = labels.claim(
        owner,
        "aws_s3_bucket_object_lock_configuration",
        format!("{label}_audit_logs"),
    );
    let trail_name = trail_name(&naming::aws_name(
        &[&p.name.value, &p.environment, &audit.name.value],
        128,
    ));
    let tags = naming::tags(
        model,
        &audit.name.value,
        &format!("audit_trail.{}", audit.name.value),
    );
    DedicatedView {
        trail_arn: format!(
            "arn:{partition}:cloudtrail:{}:{}:trail/{trail_name}",
            p.region, p.account_id
        ),
        trail_arn_pattern: format!("arn:{partition}:cloudtrail:*:{}:trail/*", p.account_id),
        trail_name,
        retention_days,
        account_id: p.account_id.clone(),
        account_root: format!("arn:{partition}:iam::{}:root", p.account_id),
        key_description: format!(
            "{} {} audit trail {}: log files and digests",
            p.name.value, p.environment, audit.name.value
        ),
        log_objects: bucket
            .bucket
            .r("arn")
            .with_suffix(format!("/AWSLogs/{}/*", p.account_id)),
        bucket: BucketView {
            bucket: audit_bucket(model, audit),
            tags: tags.clone(),
            object_lock: true,
            key_arn: Some(json!(key.r("arn"))),
            lifecycle: LifecycleView {
                id: "retention",
                expiration_days: Some(retention_days),
                after_versioning: true,
            },
            labels: bucket,
        },
        tags,
        labels: AuditLabels {
            key_json: key_document.r("json"),
            key_arn: key.r("arn"),
            object_locked: object_lock.whole(),
            trail,
            key_document,
            key,
            object_lock,
        },
    }
}

/// The data event selectors of the platform's resources: the ledger tables, then the objects of the
/// payment archives, the MCP ingress log buckets and the S3 Files workspace buckets.
fn selectors(
    model: &Model,
    payments: Option<&PaymentsView>,
    storage: Option<&StorageView>,
    ingress: Option<&IngressView>,
) -> Vec<SelectorView> {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let objects = |b: &BucketView| {
        (
            json!(b.labels.bucket_arn.clone().with_suffix("/")),
            format!("arn:{partition}:s3:::{}/", b.bucket),
        )
    };
    let mut out = Vec::new();
    if let Some(payments) = payments.filter(|p| !p.managers.is_empty()) {
        out.push(SelectorView {
            name: "Payment ledger".into(),
            records: "every item-level API call on the payment ledger tables (`PutItem`, `GetItem`, `Query`, `UpdateItem`, `DeleteItem`, ...)",
            resource_type: "AWS::DynamoDB::Table",
            operator: "equals",
            arns: payments
                .managers
                .iter()
                .map(|m| json!(m.labels.table_arn))
                .collect(),
            literal_arns: payments
                .managers
                .iter()
                .map(|m| {
                    format!(
                        "arn:{partition}:dynamodb:{}:{}:table/{}",
                        p.region, p.account_id, m.ledger.table_name
                    )
                })
                .collect(),
        });
        let (arns, literal_arns) = payments
            .managers
            .iter()
            .map(|m| objects(&m.ledger.archive))
            .unzip();
        out.push(SelectorView {
            name: "Payment archive".into(),
            records: "every object-level API call on the payment archive buckets (`PutObject`, `GetObject`, `DeleteObject`, ...)",
            resource_type: "AWS::S3::Object",
            operator: "starts_with",
            arns,
            literal_arns,
        });
    }
    if let Some(ingress) = ingress.filter(|i| !i.ingresses.is_empty()) {
        let (arns, literal_arns) = ingress.ingresses.iter().map(|i| objects(&i.logs)).unzip();
        out.push(SelectorView {
            name: "MCP ingress logs".into(),
            records: "every object-level call on the MCP ingress log buckets: who read, wrote or deleted the access, connection and WAF logs",
            resource_type: "AWS::S3::Object",
            operator: "starts_with",
            arns,
            literal_arns,
        });
    }
    if let Some(storage) = storage.filter(|s| !s.workspaces.is_empty()) {
        let (arns, literal_arns) = storage.workspaces.iter().map(|w| objects(&w.s3)).unzip();
        out.push(SelectorView {
            name: "Workspace objects".into(),
            records: "every object-level call on the S3 Files workspace buckets (agents' files synchronised to S3)",
            resource_type: "AWS::S3::Object",
            operator: "starts_with",
            arns,
            literal_arns,
        });
    }
    out
}

/// The stack README's "Audit trail" section.
#[derive(Serialize)]
pub struct AuditReadme {
    pub name: String,
    pub trail_name: Option<String>,
    pub bucket: Option<String>,
    pub retention_days: Option<u32>,
    pub organization_trail_arn: Option<String>,
    pub selectors: Vec<SelectorReadme>,
    /// Whether the platform has payment managers (the README says what records their payments).
    pub payments: bool,
}

#[derive(Serialize)]
pub struct SelectorReadme {
    pub name: String,
    pub records: &'static str,
    pub resource_type: &'static str,
    pub operator: &'static str,
    pub arns: Vec<String>,
}

pub fn readme(view: &AuditView) -> AuditReadme {
    AuditReadme {
        name: view.name.clone(),
        trail_name: view.dedicated.as_ref().map(|d| d.trail_name.clone()),
        bucket: view.dedicated.as_ref().map(|d| d.bucket.bucket.clone()),
        retention_days: view.dedicated.as_ref().map(|d| d.retention_days),
        organization_trail_arn: view.organization_trail_arn.clone(),
        payments: view
            .selectors
            .iter()
            .any(|s| s.resource_type == "AWS::DynamoDB::Table"),
        selectors: view
            .selectors
            .iter()
            .map(|s| SelectorReadme {
                name: s.name.clone(),
                records: s.records,
                resource_type: s.resource_type,
                operator: s.operator,
                arns: s.literal_arns.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::trail_name;

    #[test]
    fn trail_names_have_no_adjacent_or_trailing_dashes() {
        assert_eq!(trail_name("agents-prod-platform"), "agents-prod-platform");
        assert_eq!(trail_name("a--b-prod-x-"), "a-b-prod-x");
    }
}
