//! agentform turns a blueprint of an AI-agent platform on AWS into reviewed Terraform.
//!
//! The modules are declared in pipeline order; `ARCHITECTURE.md` is the guided tour.
//!
//! ```text
//! source ─▶ syntax ─▶ lower ─▶ model ─▶ validate ─▶ plan ─▶ render ─▶ emit
//!                                                  deployed (state, plan, AWS) ─▶ drift, propagation
//! ```

pub mod ci;
pub mod cli;
pub mod deployed;
pub mod diag;
pub mod diagram;
pub mod diff;
pub mod emit;
pub mod lower;
pub mod model;
pub mod plan;
pub mod render;
pub mod schema;
pub mod segregation;
pub mod source;
pub mod syntax;
pub mod synth;
pub mod validate;
pub mod workspace;

use diag::{Diagnostic, Diagnostics};
use model::Model;
use source::SourceFile;

/// The front end for one blueprint file: parse → lower → validate.
pub struct Analysis {
    /// The model, present when the blueprint could be lowered, even if validation then found
    /// errors (`agentform reach` still shows what such a blueprint would do).
    pub model: Option<Model>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The model, when the blueprint is valid: the only kind `plan` and `emit` accept.
    pub fn into_valid_model(self) -> Option<Model> {
        if self.has_errors() { None } else { self.model }
    }
}

/// Runs the front end on one blueprint. Never fails on user input: problems are diagnostics.
pub fn analyze(source: &SourceFile, overrides: &lower::Overrides) -> Analysis {
    let mut diagnostics = Diagnostics::default();
    let model = syntax::parse(source, &mut diagnostics)
        .and_then(|body| lower::lower(&body, &source.display, overrides, &mut diagnostics));
    if let Some(model) = &model {
        validate::validate(model, &mut diagnostics);
    }
    Analysis {
        model,
        diagnostics: diagnostics.into_sorted(&source.display),
    }
}
