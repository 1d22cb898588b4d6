//! Terraform labels derived from blueprint names never collide.
//!
//! Why: labels join names with `_` (`core` + `tenant-a` → `core_tenant_a`), so two different
//! components could map to one label and overwrite each other in the generated stack.
//!
//! Example: transit gateway `a` with segment `b-c`, and transit gateway `a-b` with segment `c`; or
//! segment `x--vpc-a` with vpc `b`, and segment `x` with vpc `a--vpc-b` (propagation labels).

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::Model;
use crate::plan::{ingress, naming, network, payments, storage};
use crate::validate::Facts;
use std::collections::BTreeMap;

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    let mut tables: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut routes: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for tgw in &model.transit_gateways {
        for segment in &tgw.segments {
            let label = naming::segment_label(&tgw.name.value, &segment.name.value);
            let what = format!(
                "segment `{}` of transit_gateway `{}`",
                segment.name.value, tgw.name.value
            );
            claim(&mut tables, label, what, segment.name.span, diagnostics);
        }
        for route in &tgw.routes {
            let label = naming::segment_label(&tgw.name.value, &route.name.value);
            let what = format!(
                "route `{}` of transit_gateway `{}`",
                route.name.value, tgw.name.value
            );
            claim(&mut routes, label, what, route.name.span, diagnostics);
        }
    }
    // Propagations join a table label and an attachment label with `__`; names may contain `--`.
    let mut propagations: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for &(table, attachment) in &facts.intent.propagations {
        let label = format!(
            "{}__{}",
            network::route_table_label(model, table),
            network::attachment_label(model, attachment)
        );
        let what = format!(
            "the propagation of `{}` into segment `{}`",
            model.attachment_address(attachment),
            model.segment(table).name.value
        );
        let span = match attachment {
            crate::model::AttachmentRef::Vpc(id) => model.vpc(id).name.span,
            crate::model::AttachmentRef::Interconnect(id) => model.interconnect(id).name.span,
        };
        claim(&mut propagations, label, what, span, diagnostics);
    }
    // An ingress's consumer resources join the ingress and VPC labels with `__`.
    let mut consumers: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for i in &model.ingresses {
        for c in &i.consumers {
            let vpc = &model.vpc(c.value).name.value;
            let what = format!(
                "the endpoint of mcp_ingress `{}` in VPC `{vpc}`",
                i.name.value
            );
            claim(
                &mut consumers,
                ingress::consumer_label(i, vpc),
                what,
                c.span,
                diagnostics,
            );
        }
    }
    // Access points (and mount targets) join the workspace label and theirs with `__` too.
    let mut access_points: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for s in &model.s3_files {
        for (index, ap) in s.access_points.iter().enumerate() {
            let what = format!(
                "access_point `{}` of s3_files `{}`",
                ap.name.value, s.name.value
            );
            claim(
                &mut access_points,
                storage::access_point_label(s, index),
                what,
                ap.name.span,
                diagnostics,
            );
        }
    }
    // IAM roles: the blueprint's own (`snake(name)`) and the four of each payment manager
    // (`MANAGER__payments_KIND`) share one label space.
    let mut roles: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for role in &model.iam_roles {
        let what = format!("iam_role `{}`", role.name.value);
        claim(
            &mut roles,
            naming::snake(&role.name.value),
            what,
            role.name.span,
            diagnostics,
        );
    }
    let mut connectors: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for m in &model.payment_managers {
        for kind in ["control", "management", "process", "retrieval"] {
            let what = format!("the {kind} role of payment_manager `{}`", m.name.value);
            claim(
                &mut roles,
                payments::role_label(m, kind),
                what,
                m.name.span,
                diagnostics,
            );
        }
        for c in &m.connectors {
            let what = format!(
                "connector `{}` of payment_manager `{}`",
                c.name.value, m.name.value
            );
            claim(
                &mut connectors,
                payments::connector_label(m, c),
                what,
                c.name.span,
                diagnostics,
            );
        }
    }
}

fn claim(
    seen: &mut BTreeMap<String, (String, Span)>,
    label: String,
    what: String,
    span: Span,
    diagnostics: &mut Diagnostics,
) {
    if let Some((other, other_span)) = seen.get(&label) {
        diagnostics.push(
            Diagnostic::error(
                Code::LabelCollision,
                span,
                format!("{what} and {other} would both become Terraform label `{label}`"),
            )
            .with_label(*other_span, "the other component"),
        );
    } else {
        seen.insert(label, (what, span));
    }
}
