//! A private S3 bucket as the bucket macros of `templates/macros.tf.j2` write it: public access
//! blocked, objects owned by the bucket owner, versioned, encrypted, a lifecycle and a bucket
//! policy that denies requests without TLS. The payment archive, the S3 Files workspace bucket and
//! the ingress log bucket are each one; which parts differ is decided here.

use super::naming::Tags;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct BucketView {
    /// The label of the bucket and of each resource that configures it.
    pub label: String,
    pub bucket: String,
    pub tags: Tags,
    /// Object Lock enabled at creation (its retention is the caller's to configure).
    pub object_lock: bool,
    /// The KMS key's ARN: SSE-KMS with a bucket key; none: SSE-S3.
    pub key_arn: Option<Value>,
    pub lifecycle: LifecycleView,
    /// The label of the bucket policy's `aws_iam_policy_document`.
    pub policy_document: String,
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
