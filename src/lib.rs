//! agentform turns a blueprint of an AI-agent platform on AWS into reviewed Terraform.
//!
//! The modules are declared in pipeline order; `ARCHITECTURE.md` is the guided tour.
//!
//! ```text
//! source ─▶ syntax ─▶ lower ─▶ model ─▶ segregation ─▶ validate ─▶ (diagram) plan ─▶ render ─▶ emit
//!                                        deployed (state, plan, AWS) ─▶ drift, propagation; diff
//! ```

// Diagnostics are the front end's output at every phase, so they come first.
pub mod diag;
// The front end: text → raw tree → typed model → intent and verdicts → the validated model.
pub mod source;
pub mod schema;
pub mod syntax;
pub mod lower;
pub mod model;
pub mod segregation;
pub mod validate;
// The back end: the validated model → pictures and Terraform files → written or checked.
pub mod diagram;
pub mod plan;
pub mod access;
pub mod render;
pub mod emit;
// Every blueprint of the given paths through the pipeline, with the rules across files.
pub mod workspace;
// After apply, and between versions: what runs, and what a change means.
pub mod deployed;
pub mod diff;
// Around the pipeline: CI workflows, synthetic inputs for benchmarks, the command line.
pub mod ci;
pub mod synth;
pub mod cli;

use diag::{Diagnostic, Diagnostics};
use model::Model;
use plan::Plan;
use segregation::report::Matrices;
use source::SourceFile;
use validate::{ValidModel, Validation};

/// The front end for one blueprint file: parse → lower → validate → plan.
pub struct Analysis {
    /// The model and its segregation result, present when the blueprint could be lowered, even if
    /// validation then found errors (`agentform reach` still shows what such a blueprint would do).
    pub validation: Option<Validation>,
    /// The stack's plan, when the model is valid and the plan refused nothing.
    pub plan: Option<Plan>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// A valid blueprint and its plan: what rendering, `drift` and `diff` start from.
pub struct Planned {
    pub valid: ValidModel,
    pub plan: Plan,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The model, valid or not, when the blueprint lowers.
    pub fn model(&self) -> Option<&Model> {
        self.validation.as_ref().map(Validation::model)
    }

    /// The validated model, when the plan accepted it too.
    pub fn into_valid(self) -> Option<ValidModel> {
        self.into_planned().map(|p| p.valid)
    }

    /// The validated model and its plan.
    pub fn into_planned(self) -> Option<Planned> {
        let valid = self.validation.and_then(Validation::into_valid)?;
        let plan = self.plan?;
        Some(Planned { valid, plan })
    }
}

/// Runs the front end on one blueprint. Never fails on user input: problems are diagnostics.
/// The plan is made here, once: it can still refuse a valid model (`plan::plan`).
pub fn analyze(source: &SourceFile, overrides: &lower::Overrides) -> Analysis {
    analyze_with(source, overrides, Matrices::Segments)
}

/// [`analyze`], with the reachability matrices `agentform reach` shows.
pub fn analyze_with(
    source: &SourceFile,
    overrides: &lower::Overrides,
    matrices: Matrices,
) -> Analysis {
    let mut diagnostics = Diagnostics::default();
    let mut validation = syntax::parse(source, &mut diagnostics)
        .and_then(|body| lower::lower(&body, &source.display, overrides, &mut diagnostics))
        .map(|model| validate::validate(model, matrices, &mut diagnostics));
    let mut planned = None;
    if let Some(Validation::Valid(valid)) = &validation {
        match plan::plan(valid) {
            Ok(plan) => planned = Some(plan),
            Err(refused) => {
                diagnostics.extend(refused);
                validation = validation.map(Validation::invalidate);
            }
        }
    }
    Analysis {
        validation,
        plan: planned,
        diagnostics: diagnostics.into_sorted(&source.display, source.shared_text().as_ref()),
    }
}
