//! Loading blueprints for a command: every blueprint of the given paths through the front end, with
//! the rules that span files (two blueprints declaring the same platform would write the same
//! directory), and optionally their stacks. The one place the commands run [`crate::analyze`].

use crate::diag::{Code, Diagnostic, Span};
use crate::emit::{self, Files};
use crate::lower::Overrides;
use crate::model::Model;
use crate::plan::Plan;
use crate::render::Renderer;
use crate::segregation::report::Matrices;
use crate::source::{self, SourceFile};
use crate::validate::Validation;
use crate::{Analysis, Planned};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One blueprint as the front end left it.
pub struct Blueprint {
    /// How diagnostics name the file (`blueprints/a.hcl`, `a.hcl@main`).
    pub display: String,
    /// The model and its segregation result whenever the blueprint lowers, even with validation
    /// errors (`reach` shows what such a blueprint would do).
    pub validation: Option<Validation>,
    /// The stack's plan, when the model is valid and the plan refused nothing.
    pub plan: Option<Plan>,
    /// The front end's diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Errors of the rules across files ([`load`]), on this blueprint.
    pub across_files: Vec<Diagnostic>,
    /// Whether no diagnostic, across files included, is an error.
    pub valid: bool,
    /// The stack, when asked for and the blueprint is valid.
    pub files: Option<Files>,
}

impl Blueprint {
    /// The model, when the blueprint is valid (across files too).
    pub fn valid_model(&self) -> Option<&Model> {
        self.validation
            .as_ref()
            .map(Validation::model)
            .filter(|_| self.valid)
    }

    /// The plan, when the blueprint is valid (across files too).
    pub fn valid_plan(&self) -> Option<&Plan> {
        self.plan.as_ref().filter(|_| self.valid)
    }

    /// Every diagnostic: the front end's, then those across files.
    pub fn all_diagnostics(self) -> Vec<Diagnostic> {
        let mut all = self.diagnostics;
        all.extend(self.across_files);
        all
    }

    /// The validated model and its plan, when the blueprint is valid (across files too).
    pub fn into_planned(self) -> Option<Planned> {
        if !self.valid {
            return None;
        }
        let valid = self.validation.and_then(Validation::into_valid)?;
        let plan = self.plan?;
        Some(Planned { valid, plan })
    }
}

/// Runs the front end on one source.
pub fn analyze(source: &SourceFile, overrides: &Overrides, matrices: Matrices) -> Blueprint {
    let analysis: Analysis = crate::analyze_with(source, overrides, matrices);
    let valid = !analysis.has_errors();
    Blueprint {
        display: source.display.clone(),
        validation: analysis.validation,
        plan: analysis.plan,
        diagnostics: analysis.diagnostics,
        across_files: Vec::new(),
        valid,
        files: None,
    }
}

/// One blueprint file (not a directory).
pub fn load_file(path: &Path, overrides: &Overrides) -> anyhow::Result<Blueprint> {
    if !path.is_file() {
        anyhow::bail!("{} is not a blueprint file", path.display());
    }
    Ok(analyze(
        &SourceFile::read(path),
        overrides,
        Matrices::Segments,
    ))
}

/// How to load a set of blueprints.
pub struct Load<'a> {
    pub overrides: Overrides,
    /// Generate the stack of every valid blueprint with this renderer.
    pub render: Option<&'a Renderer>,
    /// The reachability matrices validation computes.
    pub matrices: Matrices,
}

/// Every blueprint of `paths` (files, or directories of blueprints), in order, through the front end
/// and the rules across files; `step(index, total, path)` is called before each one. Fails on I/O
/// and when no blueprint is found.
pub fn load(
    paths: &[PathBuf],
    options: &Load<'_>,
    mut step: impl FnMut(usize, usize, &Path),
) -> anyhow::Result<Vec<Blueprint>> {
    let mut platforms: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut out = Vec::new();
    let found = source::discover(paths)?;
    for (index, path) in found.iter().enumerate() {
        step(index, found.len(), path);
        let source = SourceFile::read(path);
        let mut blueprint = analyze(&source, &options.overrides, options.matrices);
        if let Some(model) = blueprint.valid_model() {
            let name = model.platform.name.value.clone();
            if let Some((other, _)) = platforms.get(&name) {
                let mut d = Diagnostic::error(
                    Code::DuplicateName,
                    model.platform.name.span,
                    format!("platform `{name}` is also declared in `{other}`; both would generate `{name}/`"),
                )
                .with_help("each blueprint file describes its own platform; rename one");
                d.file.clone_from(&blueprint.display);
                d.source = source.shared_text();
                blueprint.across_files.push(d);
                blueprint.valid = false;
            } else {
                platforms.insert(name, (blueprint.display.clone(), model.platform.name.span));
            }
        }
        if let (Some(plan), Some(renderer)) = (blueprint.valid_plan(), options.render) {
            blueprint.files = Some(emit::generate(plan, renderer)?);
        }
        out.push(blueprint);
    }
    if out.is_empty() {
        anyhow::bail!("no blueprints found in {}", display_paths(paths));
    }
    Ok(out)
}

/// All diagnostics, and all files when every blueprint generated (one invalid blueprint stops all
/// writing, so a directory of blueprints is never half updated).
pub fn stacks(blueprints: Vec<Blueprint>) -> (Vec<Diagnostic>, Option<Files>) {
    let mut diagnostics = Vec::new();
    let mut files = Some(Files::new());
    for mut blueprint in blueprints {
        match (blueprint.files.take(), files.as_mut()) {
            (Some(generated), Some(all)) => all.extend(generated),
            _ => files = None,
        }
        diagnostics.extend(blueprint.all_diagnostics());
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        files = None;
    }
    (diagnostics, files)
}

/// Paths as a message names them: `a.hcl, blueprints`.
pub fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
