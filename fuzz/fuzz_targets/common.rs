//! What the fuzz targets share: one blueprint through the whole pipeline, and the reference
//! blueprint's expectations and validated model for the deployed-state readers.
#![allow(dead_code)]

use agentform::deployed::drift::{self, Expectations};
use agentform::diag::{self, Style};
use agentform::source::SourceFile;
use agentform::validate::ValidModel;
use agentform::{analyze, emit, lower::Overrides, render::Renderer};
use std::sync::OnceLock;

/// A blueprint's text (file name `name` decides HCL or JSON) through parse, lower, validate and
/// plan; its diagnostics in every format; then, when it plans, rendering, formatting and the
/// parse-back `drift` does. Nothing may panic; a generated stack that does not parse back is a bug.
pub fn blueprint(name: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::from_text(name, text);
    let analysis = analyze(&source, &Overrides::default());
    let _ = diag::render_human(&analysis.diagnostics, Style::PLAIN);
    let _ = diag::json_report(&analysis.diagnostics);
    let _ = diag::summary(&analysis.diagnostics);
    if let Some(planned) = analysis.into_planned() {
        let _ = agentform::diagram::Diagram::build(&planned.valid);
        let files = emit::generate(&planned.plan, renderer()).expect("a planned stack renders");
        drift::expected(&files).expect("a rendered stack parses back");
    }
}

pub fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(Renderer::new)
}

/// The reference blueprint, validated and planned once per process.
pub struct Reference {
    pub valid: ValidModel,
    pub expected: Expectations,
}

pub fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let text = include_str!("../../blueprints/agent-platform.hcl");
        let source = SourceFile::from_text("agent-platform.hcl", text);
        let planned = analyze(&source, &Overrides::default())
            .into_planned()
            .expect("the reference blueprint is valid");
        let files = emit::generate(&planned.plan, renderer()).expect("renders");
        let expected = drift::expected(&files).expect("parses back");
        Reference {
            valid: planned.valid,
            expected,
        }
    })
}
