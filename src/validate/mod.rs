//! Validation: rules over the typed model and its component graph. Every rule lives in its own file
//! under `rules/` and is registered in [`RULES`]. Validation does no I/O and never changes the model;
//! any error it reports stops the pipeline before anything is planned or written.

pub mod graph;
mod rules;

use crate::diag::Diagnostics;
use crate::model::Model;
pub use graph::ComponentGraph;

/// A rule: reads the model and its graph, reports diagnostics.
pub type Rule = fn(&Model, &ComponentGraph, &mut Diagnostics);

/// Every rule, in the order they run (the order does not affect output: diagnostics are sorted).
pub const RULES: &[(&str, Rule)] = &[
    ("subnets", rules::subnets::check),
    ("zones", rules::zones::check),
    ("overlap", rules::overlap::check),
    ("routes", rules::routes::check),
    ("segregation", rules::segregation::check),
    ("vpc-routes", rules::vpc_routes::check),
    ("asns", rules::asns::check),
    ("unused", rules::unused::check),
    ("targets", rules::targets::check),
    ("identity", rules::identity::check),
    ("ingress", rules::ingress::check),
    ("storage", rules::storage::check),
    ("payments", rules::payments::check),
];

/// Runs every rule over the model.
pub fn validate(model: &Model, diagnostics: &mut Diagnostics) {
    let graph = ComponentGraph::build(model);
    for (_, rule) in RULES {
        rule(model, &graph, diagnostics);
    }
}
