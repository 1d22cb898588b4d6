//! Availability zones belong to the platform's region and are listed once per VPC.
//!
//! Why: `us-west-2a` in a `us-east-1` stack fails at apply; two subnets in one AZ cannot both join
//! the transit gateway attachment.
//!
//! Example: `azs = ["us-east-1a", "us-east-1a"]` is reported at the second entry.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    let region = &model.platform.region;
    for vpc in model.vpcs.iter() {
        for (i, az) in vpc.azs.iter().enumerate() {
            let suffix = az.value.strip_prefix(region.as_str());
            let in_region =
                suffix.is_some_and(|s| s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase()));
            if !in_region {
                diagnostics.push(
                    Diagnostic::error(
                        Code::AzRegion,
                        az.span,
                        format!(
                            "availability zone `{}` of vpc `{}` is not in region `{region}`",
                            az.value, vpc.name.value
                        ),
                    )
                    .with_help(format!(
                        "zones of `{region}` are named `{region}a`, `{region}b`, ..."
                    )),
                );
            }
            if let Some(first) = vpc.azs[..i].iter().find(|a| a.value == az.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateAz,
                        az.span,
                        format!(
                            "availability zone `{}` is listed twice in vpc `{}`",
                            az.value, vpc.name.value
                        ),
                    )
                    .with_label(first.span, "first listed here"),
                );
            }
        }
    }
}
