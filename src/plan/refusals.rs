//! What the plan refuses: mistakes only the Terraform view shows, because the plan decides the
//! names and documents involved. Each is reported like a validation error, at the blueprint line of
//! the component concerned, and nothing is written.
//!
//! - `AF203`: a workspace bucket with the name the plan gives an ingress's log bucket or the audit
//!   trail's bucket (bucket names are global; the second create fails at apply, after the first
//!   succeeded).
//! - `AF914`: a dedicated audit trail whose event selectors would hold more values than CloudTrail
//!   takes (500), which `apply` would refuse after creating the bucket.
//! - `AF907`: a guardrail document that can outgrow an SSM parameter (8 KB, advanced tier) once
//!   Terraform resolves its references.

use super::audit::{AuditView, SELECTOR_VALUES, audit_bucket};
use super::ingress::log_bucket;
use super::payments::{ADVANCED_PARAMETER_BYTES, PaymentsView};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{AuditTrailKind, Model};
use std::collections::BTreeMap;

pub fn check(
    model: &Model,
    payments: Option<&PaymentsView>,
    audit: Option<&AuditView>,
    diagnostics: &mut Diagnostics,
) {
    bucket_names(model, diagnostics);
    if let (Some(view), Some(trail)) = (audit, &model.audit_trail)
        && view.dedicated.is_some()
        && view.selector_values() > SELECTOR_VALUES
    {
        diagnostics.push(
            Diagnostic::error(
                Code::AuditSelectorQuota,
                trail.name.span,
                format!(
                    "the event selectors of audit_trail `{}` would hold {} values; a CloudTrail trail takes {SELECTOR_VALUES}",
                    trail.name.value,
                    view.selector_values()
                ),
            )
            .with_help("one value per ledger table and bucket recorded: split the platform, or rely on an organization trail (`trail = \"organization\"`)"),
        );
    }
    if let Some(payments) = payments {
        guardrail_sizes(model, payments, diagnostics);
    }
}

/// Two workspaces, or a workspace and an ingress's log bucket or the audit bucket, with one bucket
/// name.
fn bucket_names(model: &Model, diagnostics: &mut Diagnostics) {
    let mut buckets: BTreeMap<String, (String, Span)> = BTreeMap::new();
    if let Some(audit) = &model.audit_trail
        && let AuditTrailKind::Dedicated { .. } = audit.kind
    {
        buckets.insert(
            audit_bucket(model, audit),
            (
                format!("the bucket of audit_trail `{}`", audit.name.value),
                audit.name.span,
            ),
        );
    }
    for i in &model.ingresses {
        buckets.insert(
            log_bucket(model, i),
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
    }
}

fn guardrail_sizes(model: &Model, payments: &PaymentsView, diagnostics: &mut Diagnostics) {
    for (m, view) in model.payment_managers.iter().zip(&payments.managers) {
        let size = view.guardrails.bound;
        if size > ADVANCED_PARAMETER_BYTES {
            diagnostics.push(
                Diagnostic::error(
                    Code::GuardrailSize,
                    m.guardrails.allowed_merchants.span,
                    format!(
                        "the guardrail document of payment_manager `{}` may reach {size} bytes; an SSM parameter holds {ADVANCED_PARAMETER_BYTES}",
                        m.name.value,
                    ),
                )
                .with_help("shorten the merchant list, or split the payment manager"),
            );
        }
    }
}
