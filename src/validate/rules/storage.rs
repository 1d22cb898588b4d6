//! S3 Files workspaces: access points that map to the root user warn.
//!
//! Why: an access point whose POSIX user is root (uid 0) lets every role on it act as root in the
//! file system.
//!
//! Example: an `access_point` with `uid = 0` warns at the `uid`. Global bucket names (`AF203`, two
//! workspaces or a workspace and an ingress's log bucket) are checked by the plan, which names the
//! log buckets.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for storage in &model.s3_files {
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
