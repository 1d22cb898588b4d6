//! A private S3 bucket as the bucket macros of `templates/macros.tf.j2` write it: public access
//! blocked, objects owned by the bucket owner, versioned, encrypted, a lifecycle and a bucket
//! policy that denies requests without TLS. The payment archive, the S3 Files workspace bucket and
//! the ingress log bucket are each one; which parts differ is decided here.

use super::Ref;
use super::labels::{LabelSpace, Owner, Resource};
use super::naming::Tags;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct BucketView {
    pub labels: BucketLabels,
    pub bucket: String,
    pub tags: Tags,
    /// Object Lock enabled at creation (its retention is the caller's to configure).
    pub object_lock: bool,
    /// The KMS key's ARN: SSE-KMS with a bucket key; none: SSE-S3.
    pub key_arn: Option<Value>,
    pub lifecycle: LifecycleView,
}

/// The bucket, each resource that configures it (all labelled like the bucket), the bucket
/// policy's document, and the references between them.
#[derive(Serialize)]
pub struct BucketLabels {
    pub bucket: Resource,
    pub versioning: Resource,
    pub encryption: Resource,
    pub public_access_block: Resource,
    pub ownership_controls: Resource,
    pub lifecycle: Resource,
    pub policy: Resource,
    /// `data.aws_iam_policy_document` of the bucket policy.
    pub policy_document: Resource,
    pub bucket_id: Ref,
    pub bucket_arn: Ref,
    /// `BUCKET_ARN/*`: its objects.
    pub objects_arn: Ref,
    pub policy_json: Ref,
    /// For `depends_on`.
    pub versioning_done: Ref,
    pub public_access_blocked: Ref,
    pub policy_applied: Ref,
}

impl BucketLabels {
    /// Claims `label` for the bucket and its configuration, `policy_document` for its policy's
    /// document.
    pub fn claim(space: &mut LabelSpace, owner: Owner, label: &str, policy_document: &str) -> Self {
        let bucket = space.claim(owner, "aws_s3_bucket", label);
        let versioning = space.claim(owner, "aws_s3_bucket_versioning", label);
        let public_access_block = space.claim(owner, "aws_s3_bucket_public_access_block", label);
        let policy_document = space.claim(owner, "data.aws_iam_policy_document", policy_document);
        let policy = space.claim(owner, "aws_s3_bucket_policy", label);
        BucketLabels {
            encryption: space.claim(
                owner,
                "aws_s3_bucket_server_side_encryption_configuration",
                label,
            ),
            ownership_controls: space.claim(owner, "aws_s3_bucket_ownership_controls", label),
            lifecycle: space.claim(owner, "aws_s3_bucket_lifecycle_configuration", label),
            bucket_id: bucket.r("id"),
            bucket_arn: bucket.r("arn"),
            objects_arn: bucket.r("arn").with_suffix("/*"),
            policy_json: policy_document.r("json"),
            versioning_done: versioning.whole(),
            public_access_blocked: public_access_block.whole(),
            policy_applied: policy.whole(),
            policy,
            bucket,
            versioning,
            public_access_block,
            policy_document,
        }
    }
}

#[derive(Serialize)]
pub struct LifecycleView {
    /// The rule's id.
    pub id: &'static str,
    /// Current objects expire after these days; none: never.
    pub expiration_days: Option<u32>,
    /// Whether the configuration waits for versioning (`depends_on`).
    pub after_versioning: bool,
}
