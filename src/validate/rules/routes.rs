//! Static routes: one route per destination in a segment, and targets attached to the route's own
//! transit gateway.
//!
//! Why: AWS rejects a second static route for the same prefix in one route table, and a route can
//! only forward to an attachment of the same gateway.
//!
//! Example: two routes in segment `dev` both for `192.168.0.0/16` are reported at the second.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Model, RouteAction};
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for (t, tgw) in model.transit_gateways.iter().enumerate() {
        for (i, route) in tgw.routes.iter().enumerate() {
            if let Some(first) = tgw.routes[..i].iter().find(|r| {
                r.segment == route.segment && r.destination.value == route.destination.value
            }) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::RouteConflict,
                        route.destination.span,
                        format!(
                            "routes `{}` and `{}` both set `{}` in segment `{}`",
                            first.name.value,
                            route.name.value,
                            route.destination.value,
                            model.segment(route.segment).name.value
                        ),
                    )
                    .with_label(first.destination.span, "first route for this destination"),
                );
            }
            if let RouteAction::Attachment(target) = route.action {
                let target_tgw = model.segment_of(target).tgw;
                if target_tgw.0 != t {
                    diagnostics.push(Diagnostic::error(
                        Code::RouteConflict,
                        route.name.span,
                        format!(
                            "route `{}` of transit_gateway `{}` targets `{}`, which is attached to transit_gateway `{}`",
                            route.name.value,
                            tgw.name.value,
                            model.attachment_address(target),
                            model.transit_gateways[target_tgw.0].name.value
                        ),
                    ));
                }
            }
        }
    }
}
