//! Subnets lie inside their VPC, do not overlap, and come one per availability zone.
//!
//! Why: AWS rejects a subnet outside the VPC CIDR or overlapping another at apply time, after part
//! of the stack already exists; and the transit gateway attachment takes one subnet per AZ.
//!
//! Example: `cidr = "10.0.0.0/16"` with `subnets = ["10.1.0.0/24"]` is reported at the subnet.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for vpc in &model.vpcs {
        if vpc.subnets.len() != vpc.azs.len() {
            diagnostics.push(
                Diagnostic::error(
                    Code::SubnetAzCount,
                    vpc.name.span,
                    format!(
                        "vpc `{}` lists {} for {}",
                        vpc.name.value,
                        count(vpc.subnets.len(), "subnet"),
                        count(vpc.azs.len(), "availability zone")
                    ),
                )
                .with_help(
                    "`subnets` holds one private subnet per entry of `azs`, in the same order",
                ),
            );
        }
        if vpc.subnets.is_empty() {
            diagnostics.push(Diagnostic::error(
                Code::SubnetAzCount,
                vpc.name.span,
                format!(
                    "vpc `{}` has no subnets; a transit gateway attachment needs at least one",
                    vpc.name.value
                ),
            ));
        }
        for (i, subnet) in vpc.subnets.iter().enumerate() {
            if !vpc.cidr.value.contains(&subnet.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SubnetOutsideVpc,
                        subnet.span,
                        format!(
                            "subnet `{}` of vpc `{}` is outside the VPC CIDR `{}`",
                            subnet.value, vpc.name.value, vpc.cidr.value
                        ),
                    )
                    .with_label(vpc.cidr.span, "the VPC CIDR is set here"),
                );
            }
            if let Some(earlier) = vpc.subnets[..i]
                .iter()
                .find(|e| e.value.contains(&subnet.value) || subnet.value.contains(&e.value))
            {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SubnetOverlap,
                        subnet.span,
                        format!(
                            "subnet `{}` of vpc `{}` overlaps subnet `{}`",
                            subnet.value, vpc.name.value, earlier.value
                        ),
                    )
                    .with_label(earlier.span, "the other subnet"),
                );
            }
        }
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
