//! Subnets lie inside their VPC, do not overlap, and come one per availability zone.
//!
//! Why: AWS rejects a subnet outside the VPC CIDR or overlapping another at apply time, after part
//! of the stack already exists; and the transit gateway attachment takes one subnet per AZ.
//!
//! Example: `cidr = "10.0.0.0/16"` with `subnets = ["10.1.0.0/24"]` is reported at the subnet.

use crate::diag::{Code, Diagnostic, Diagnostics, Spanned};
use crate::model::{Model, Subnets, Vpc};
use crate::validate::Facts;
use ipnet::Ipv4Net;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for vpc in model.vpcs.iter() {
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
        dedicated(vpc, diagnostics);
    }
}

/// The dedicated subnets (attachment, firewall, public): one per AZ each, inside the VPC, apart
/// from each other and from the VPC's own subnets.
fn dedicated(vpc: &Vpc, diagnostics: &mut Diagnostics) {
    let lists: Vec<(&str, &Subnets)> = [
        ("attachment_subnets", vpc.attachment_subnets.as_ref()),
        (
            "firewall `subnets`",
            vpc.firewall.as_ref().map(|f| &f.subnets),
        ),
        (
            "public_subnets",
            vpc.internet_egress.as_ref().map(|e| &e.public_subnets),
        ),
    ]
    .into_iter()
    .filter_map(|(key, list)| list.map(|l| (key, l)))
    .collect();
    for &(key, list) in &lists {
        if list.subnets.len() != vpc.azs.len() {
            diagnostics.push(
                Diagnostic::error(
                    Code::SubnetAzCount,
                    list.subnets.first().map_or(vpc.name.span, |s| s.span),
                    format!(
                        "vpc `{}` lists {} in {key} for {}",
                        vpc.name.value,
                        count(list.subnets.len(), "subnet"),
                        count(vpc.azs.len(), "availability zone")
                    ),
                )
                .with_help(format!(
                    "{key} holds one subnet per entry of `azs`, in the same order"
                )),
            );
        }
    }
    let mut seen: Vec<(&str, &Spanned<Ipv4Net>)> =
        vpc.subnets.iter().map(|s| ("`subnets`", s)).collect();
    for &(key, list) in &lists {
        for subnet in &list.subnets {
            if !vpc.cidr.value.contains(&subnet.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SubnetOutsideVpc,
                        subnet.span,
                        format!(
                            "subnet `{}` in {key} of vpc `{}` is outside the VPC CIDR `{}`",
                            subnet.value, vpc.name.value, vpc.cidr.value
                        ),
                    )
                    .with_label(vpc.cidr.span, "the VPC CIDR is set here"),
                );
            }
            if let Some((other_key, earlier)) = seen
                .iter()
                .find(|(_, e)| e.value.contains(&subnet.value) || subnet.value.contains(&e.value))
            {
                let mut d = Diagnostic::error(
                    Code::SubnetOverlap,
                    subnet.span,
                    format!(
                        "subnet `{}` in {key} of vpc `{}` overlaps subnet `{}` in {other_key}",
                        subnet.value, vpc.name.value, earlier.value
                    ),
                )
                .with_label(earlier.span, "the other subnet");
                if list.carved {
                    d = d.with_help(
                        "these subnets are carved as /28s from the top of the VPC CIDR (per AZ: attachment, firewall, public); list them (`attachment_subnets`, the firewall's `subnets`, `public_subnets`) to place them elsewhere",
                    );
                }
                diagnostics.push(d);
            }
            seen.push((key, subnet));
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
