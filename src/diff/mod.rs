//! `agentform diff`: the semantic headline of a change between two versions of a blueprint, for the
//! reviewer of a pull request. A thousand-line diff of `generated/` does not say that a tenant can now
//! reach another tenant; this does, first.
//!
//! Both sides are valid models (the CLI runs the normal front end on each). What is compared:
//! - segment reachability, from the segregation engine (the matrices of `agentform reach`);
//! - who may reach each MCP ingress: consumer VPCs, allowed principals, context roles;
//! - spending authority per payment manager: limits raised or lowered, agents, merchants,
//!   connectors;
//! - IAM actions and targets per role, as the generated policies grant them;
//! - the generated stacks, rendered in memory and parsed back as `drift` does: resources added,
//!   destroyed, updated in place, and replaced because an argument in [`FORCE_NEW`] changed (or
//!   refers to a resource that is itself replaced).
//!
//! Nothing here prints; the CLI prints [`Diff::markdown`] or the JSON of [`Diff`]. One concern per
//! file: [`semantic`] (reachability, ingress, spending, IAM), [`resources`] (added, destroyed,
//! updated, replaced), [`replacement`] (the force-new table and its reference page), [`markdown`]
//! (the headline and the pull-request comment), [`git`] (the old side at a revision).

pub mod git;
pub mod markdown;
pub mod replacement;
pub mod resources;
pub mod semantic;

pub use markdown::MARKDOWN_CAP;
pub use replacement::{FORCE_NEW, ForceNew, forcing, replacement_reference_markdown};
pub use resources::blocks;

use crate::Planned;
use crate::deployed::drift::Expectations;
use crate::diag::Diagnostic;
use crate::emit;
use crate::lower::Overrides;
use crate::render::Renderer;
use crate::segregation::report::Matrices;
use crate::source::SourceFile;
use crate::validate::ValidModel;
use crate::workspace;
use resources::ResourceChanges;
use semantic::{IngressChange, PaymentChange, ReachChange, RoleChange};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One side of the comparison: a valid model, the resources its stack declares (as `drift` reads
/// them) and the text of every block of the stack ([`blocks`]).
pub struct Side<'a> {
    pub model: &'a ValidModel,
    /// Per stack, its address prefix (`resources::stack_prefix`) and resources.
    pub resources: &'a [(String, Expectations)],
    pub blocks: &'a BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct Diff {
    /// How the old and new sides are named (a file, or `FILE@REV`).
    pub old: String,
    pub new: String,
    /// The headline, most important first; the same lines open the markdown.
    pub summary: Vec<String>,
    pub reachability: Vec<ReachChange>,
    pub ingress: Vec<IngressChange>,
    pub payments: Vec<PaymentChange>,
    pub iam: Vec<RoleChange>,
    pub resources: ResourceChanges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Gained,
    Lost,
    Changed,
    Added,
    Removed,
}

impl Diff {
    /// Whether anything differs that a reviewer should see (the CLI exits 2 then).
    pub fn has_changes(&self) -> bool {
        !(self.reachability.is_empty()
            && self.ingress.is_empty()
            && self.payments.is_empty()
            && self.iam.is_empty()
            && self.resources.added.is_empty()
            && self.resources.destroyed.is_empty()
            && self.resources.updated.is_empty()
            && self.resources.replaced.is_empty())
    }
}

/// Compares two sides.
pub fn diff(old_name: &str, old: &Side<'_>, new_name: &str, new: &Side<'_>) -> Diff {
    let mut diff = Diff {
        old: old_name.to_string(),
        new: new_name.to_string(),
        summary: Vec::new(),
        reachability: semantic::reachability(old.model, new.model),
        ingress: semantic::ingress(old.model.model(), new.model.model()),
        payments: semantic::payments(old.model.model(), new.model.model()),
        iam: semantic::iam(old.model.model(), new.model.model()),
        resources: resources::resources(old, new),
    };
    diff.summary = markdown::summary(&diff);
    diff
}

/// What the old blueprint file is compared with.
#[derive(Debug, Clone, Copy)]
pub enum Against<'a> {
    /// Another blueprint file.
    File(&'a Path),
    /// The same file at a git revision.
    Revision(&'a str),
}

/// The outcome of [`compare`].
pub enum Comparison {
    Compared(Box<Diff>),
    /// One side (`old` or `new`) is not valid: nothing is compared (`diff` never plans an invalid
    /// side).
    Invalid {
        side: &'static str,
        /// How the side is named, and its diagnostics.
        display: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// `agentform diff`: both sides through the front end, their stacks rendered in memory and read
/// back, compared.
pub fn compare(old: &Path, against: Against<'_>) -> anyhow::Result<Comparison> {
    if !old.is_file() {
        anyhow::bail!("{} is not a blueprint file", old.display());
    }
    let (old_source, new_path) = match against {
        Against::File(new) => (SourceFile::read(old), new),
        Against::Revision(rev) => {
            let text = git::read_at_revision(old, rev)?;
            let mut source = SourceFile::read(old);
            source.text = Ok(text);
            source.display = format!("{}@{rev}", source.display);
            (source, old)
        }
    };
    if !new_path.is_file() {
        anyhow::bail!("{} is not a blueprint file", new_path.display());
    }
    let new_source = SourceFile::read(new_path);
    let renderer = Renderer::new();
    let mut sides = Vec::new();
    for (side, source) in [("old", &old_source), ("new", &new_source)] {
        let blueprint = workspace::analyze(source, &Overrides::default(), Matrices::Segments);
        if blueprint.valid_plan().is_none() || blueprint.valid_model().is_none() {
            return Ok(Comparison::Invalid {
                side,
                display: blueprint.display,
                diagnostics: blueprint.diagnostics,
            });
        }
        let name = blueprint.display.clone();
        let Some(Planned { valid, plan }) = blueprint.into_planned() else {
            unreachable!("checked above");
        };
        let files = emit::generate(&plan, &renderer)?;
        // A platform of several stacks: each stack's resources under `<stack>:`.
        let stacks: Vec<(String, String)> = if plan.stacks.len() == 1 {
            vec![(plan.stacks[0].directory.clone(), String::new())]
        } else {
            plan.stacks
                .iter()
                .map(|s| {
                    let name = s.directory.rsplit('/').next().unwrap_or(&s.directory);
                    (s.directory.clone(), format!("{name}:"))
                })
                .collect()
        };
        let mut resources = Vec::with_capacity(stacks.len());
        if plan.stacks.len() == 1 {
            resources.push((String::new(), crate::deployed::drift::expected(&files)?));
        }
        for (directory, prefix) in stacks.iter().filter(|_| plan.stacks.len() > 1) {
            let own: emit::Files = files
                .iter()
                .filter(|(p, _)| p.parent() == Some(std::path::Path::new(directory)))
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect();
            resources.push((prefix.clone(), crate::deployed::drift::expected(&own)?));
        }
        let blocks = blocks(&files, &stacks);
        sides.push((name, valid, resources, blocks));
    }
    let (new_name, new_model, new_resources, new_blocks) = sides.pop().expect("two sides");
    let (old_name, old_model, old_resources, old_blocks) = sides.pop().expect("two sides");
    Ok(Comparison::Compared(Box::new(diff(
        &old_name,
        &Side {
            model: &old_model,
            resources: &old_resources,
            blocks: &old_blocks,
        },
        &new_name,
        &Side {
            model: &new_model,
            resources: &new_resources,
            blocks: &new_blocks,
        },
    ))))
}
