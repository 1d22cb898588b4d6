//! What the targeted providers cannot express, and interconnect pairings AWS does not document.
//!
//! Why: nothing is dropped silently. When the stack cannot create a component (the Interconnect
//! connection needs hashicorp/awscc), the architect hears it here and finds the manual step in the
//! stack's README.
//!
//! Example: `awscc = false` with an `interconnect` block warns that the connection itself is manual.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::targets::{self as providers, ResourceType, Via};
use crate::model::{Component, Model, PaymentManagerId, S3FilesId};
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    let targets = &model.platform.providers;
    if targets.aws_floor < providers::MIN_AWS {
        diagnostics.push(
            Diagnostic::error(
                Code::ProviderVersion,
                model.platform.name.span,
                format!(
                    "platform `{}` targets hashicorp/aws `{}`, which admits {}, older than {}, the oldest release agentform supports",
                    model.platform.name.value,
                    targets.aws_constraint,
                    targets.aws_floor,
                    providers::MIN_AWS
                ),
            )
            .with_help("raise `aws_provider` (or `--aws-provider`) to `5.100` or later"),
        );
    }
    if providers::storage_via(targets) == Via::None {
        for (i, storage) in model.s3_files.iter().enumerate() {
            let grants = model.allows_naming(|c| c.is_storage(S3FilesId(i)));
            let left_out = if grants.is_empty() {
                String::new()
            } else {
                format!(
                    "; the permissions {} name on it are left out too",
                    grants.join(", ")
                )
            };
            diagnostics.push(
                Diagnostic::warning(
                    Code::NotExpressible,
                    storage.name.span,
                    format!(
                        "s3_files `{}` cannot be created by the targeted providers: hashicorp/aws `{}` admits {} (S3 Files needs 6.40.0) and hashicorp/awscc is not allowed; the bucket, key, role and security group are generated, the file system, mount targets, access points and policy are not{left_out}",
                        storage.name.value, targets.aws_constraint, targets.aws_floor
                    ),
                )
                .with_help("raise `aws_provider` to `~> 6.40` or later, or set `awscc = true`; the stack README lists the manual steps"),
            );
        }
    }
    if !providers::payments(targets) {
        for (i, manager) in model.payment_managers.iter().enumerate() {
            let grants =
                model.allows_naming(|c| c == Component::PaymentManager(PaymentManagerId(i)));
            let left_out = if grants.is_empty() {
                String::new()
            } else {
                format!(
                    "; the permissions {} name on it are left out too",
                    grants.join(", ")
                )
            };
            diagnostics.push(
                Diagnostic::warning(
                    Code::NotExpressible,
                    manager.name.span,
                    format!(
                        "payment_manager `{}` cannot be created by the targeted providers: no hashicorp/aws release has AgentCore payments, and {}; the roles, guardrail parameter, ledger and alarms are generated, the payment manager, connectors and credential providers are not{left_out}",
                        manager.name.value,
                        awscc_reason(targets, ResourceType::AwsccPayments)
                    ),
                )
                .with_help("set `awscc = true` (hashicorp/awscc 1.91 or later), or follow the manual steps in the stack README"),
            );
        }
    }
    for interconnect in model.interconnects.iter() {
        if !providers::available(targets, ResourceType::AwsccInterconnectConnection) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::NotExpressible,
                    interconnect.name.span,
                    format!(
                        "the connection of interconnect `{}` cannot be created by the targeted providers: no hashicorp/aws release has an Interconnect resource, and {}",
                        interconnect.name.value,
                        awscc_reason(targets, ResourceType::AwsccInterconnectConnection)
                    ),
                )
                .with_help("the Direct Connect gateway side is generated; create the connection by hand (see the stack's README) or set `awscc = true`"),
            );
        }
        let partner = interconnect.partner.value;
        if let Some(regions) = partner.documented_regions()
            && !regions.contains(&model.platform.region.as_str())
        {
            diagnostics.push(
                Diagnostic::warning(
                    Code::PartnerRegion,
                    interconnect.partner.span,
                    format!(
                        "AWS does not document `{}` interconnects in region `{}`",
                        partner.as_str(),
                        model.platform.region
                    ),
                )
                .with_help(format!("documented regions: {}", regions.join(", "))),
            );
        }
    }
}

/// Why an awscc resource type is unavailable to these targets.
fn awscc_reason(targets: &crate::model::ProviderTargets, resource: ResourceType) -> String {
    let row = providers::entry(resource);
    let since = row
        .since
        .map_or_else(|| "a future release".to_string(), |v| v.to_string());
    if targets.awscc {
        format!(
            "`{}` needs hashicorp/awscc {since} or later, but `awscc_provider` = `{}` admits {}",
            row.name, targets.awscc_constraint, targets.awscc_floor
        )
    } else {
        format!(
            "`{}` needs hashicorp/awscc, which is not allowed (`awscc = false` or `--no-awscc`)",
            row.name
        )
    }
}
