//! Validation: rules over the typed model, its component graph and the segregation engine's verdicts.
//! Every rule lives in its own file under `rules/` and is registered in [`RULES`]. Validation does
//! no I/O and never changes the model; any error it reports stops the pipeline before anything is
//! planned or written. Its result is a [`Validation`]: a [`ValidModel`] (the only thing `plan`
//! accepts) when no error was found.

pub mod graph;
mod rules;

use crate::diag::Diagnostics;
use crate::model::Model;
use crate::segregation::report::{Matrices, ReachReport};
use crate::segregation::{Engine, Intent, ModelTopology, Reachability};
pub use graph::ComponentGraph;

/// What every rule may read besides the model: derived once per blueprint.
pub struct Facts<'a, 'e, 't> {
    pub graph: &'a ComponentGraph,
    /// Who should reach whom, and the routing the stack will have for it.
    pub intent: &'a Intent,
    /// The blueprint's route tables as the engine reads them.
    pub topology: &'a ModelTopology,
    /// The engine's verdicts over those tables.
    pub reach: &'a Reachability<'e, 't>,
}

/// A rule: reads the model and the facts derived from it, reports diagnostics.
pub type Rule = fn(&Model, &Facts, &mut Diagnostics);

/// Every rule, in the order they run (the order does not affect output: diagnostics are sorted).
pub const RULES: &[(&str, Rule)] = &[
    ("subnets", rules::subnets::check),
    ("zones", rules::zones::check),
    ("overlap", rules::overlap::check),
    ("routes", rules::routes::check),
    ("segregation", rules::segregation::check),
    ("egress", rules::egress::check),
    ("vpc-routes", rules::vpc_routes::check),
    ("tgw-quota", rules::tgw_quota::check),
    ("asns", rules::asns::check),
    ("unused", rules::unused::check),
    ("targets", rules::targets::check),
    ("identity", rules::identity::check),
    ("ingress", rules::ingress::check),
    ("storage", rules::storage::check),
    ("payments", rules::payments::check),
    ("endpoints", rules::endpoints::check),
    ("accounts", rules::accounts::check),
];

/// A model that passed every rule, with what validation derived from it. Only [`validate`] makes
/// one, so a function taking `&ValidModel` cannot be handed an unchecked model.
pub struct ValidModel {
    model: Model,
    intent: Intent,
    reach: ReachReport,
}

impl ValidModel {
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The intended routing: propagations and VPC routes, as the engine judged them.
    pub fn intent(&self) -> &Intent {
        &self.intent
    }

    /// The segregation result: the matrices computed while validating (segment matrices always;
    /// the attachment matrices when asked for with [`Matrices::WithAttachments`]).
    pub fn reach(&self) -> &ReachReport {
        &self.reach
    }
}

/// The outcome of validation: the model with its segregation result, valid or not (`agentform
/// reach` shows what an invalid blueprint would do).
pub enum Validation {
    Valid(ValidModel),
    Invalid { model: Model, reach: ReachReport },
}

impl Validation {
    pub fn model(&self) -> &Model {
        match self {
            Validation::Valid(valid) => &valid.model,
            Validation::Invalid { model, .. } => model,
        }
    }

    pub fn reach(&self) -> &ReachReport {
        match self {
            Validation::Valid(valid) => &valid.reach,
            Validation::Invalid { reach, .. } => reach,
        }
    }

    pub fn into_reach(self) -> ReachReport {
        match self {
            Validation::Valid(valid) => valid.reach,
            Validation::Invalid { reach, .. } => reach,
        }
    }

    pub fn into_valid(self) -> Option<ValidModel> {
        match self {
            Validation::Valid(valid) => Some(valid),
            Validation::Invalid { .. } => None,
        }
    }

    /// The same model, no longer valid: the plan refused it (`plan::plan`).
    #[must_use]
    pub fn invalidate(self) -> Self {
        match self {
            Validation::Valid(ValidModel { model, reach, .. }) => {
                Validation::Invalid { model, reach }
            }
            invalid @ Validation::Invalid { .. } => invalid,
        }
    }
}

/// Runs every rule over the model. The model is valid when `diagnostics` (which also holds what
/// parsing and lowering reported) has no error afterwards. The segregation engine runs once, here.
pub fn validate(model: Model, matrices: Matrices, diagnostics: &mut Diagnostics) -> Validation {
    let graph = ComponentGraph::build(&model);
    let intent = Intent::derive(&model);
    let topology = ModelTopology::build(&model, &intent);
    let engine = Engine::new(&topology.topology);
    let reachability = Reachability::compute(&engine);
    let facts = Facts {
        graph: &graph,
        intent: &intent,
        topology: &topology,
        reach: &reachability,
    };
    for (_, rule) in RULES {
        rule(&model, &facts, diagnostics);
    }
    let reach = ReachReport::of(&model, &topology, &reachability, matrices);
    if diagnostics.has_errors() {
        Validation::Invalid { model, reach }
    } else {
        Validation::Valid(ValidModel {
            model,
            intent,
            reach,
        })
    }
}
