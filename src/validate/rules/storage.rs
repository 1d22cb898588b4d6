//! S3 Files workspaces: bucket names are global, so two workspaces (or a workspace and an ingress's
//! log bucket) may not share one; and access points that map to the root user warn.
//!
//! Why: a second bucket with the same name fails at apply after the first was created; an access
//! point whose POSIX user is root (uid 0) lets every role on it act as root in the file system.
//!
//! Example: two `s3_files` with `bucket = "agents-prod-workspace"` is `AF203` at the second.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::Model;
use crate::plan::ingress;
use crate::validate::Facts;
use std::collections::BTreeMap;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    let mut buckets: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for i in &model.ingresses {
        buckets.insert(
            ingress::log_bucket(model, i),
            (
                format!("the log bucket of mcp_ingress `{}`", i.name.value),
                i.name.span,
            ),
        );
    }
    for storage in &model.s3_files {
        let bucket = &storage.bucket;
        if let Some((other, span)) = buckets.get(&bucket.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    bucket.span,
                    format!(
                        "bucket `{}` of s3_files `{}` is also {other}; bucket names are global",
                        bucket.value, storage.name.value
                    ),
                )
                .with_label(*span, "the other bucket"),
            );
        } else {
            buckets.insert(
                bucket.value.clone(),
                (
                    format!("the bucket of s3_files `{}`", storage.name.value),
                    bucket.span,
                ),
            );
        }
        for ap in &storage.access_points {
            if ap.uid.value == 0 || ap.gid.value == 0 {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::InvalidValue,
                        if ap.uid.value == 0 { ap.uid.span } else { ap.gid.span },
                        format!(
                            "access_point `{}` of s3_files `{}` maps its roles to root (uid or gid 0)",
                            ap.name.value, storage.name.value
                        ),
                    )
                    .with_help("give each workload its own non-zero uid and gid"),
                );
            }
        }
    }
}
