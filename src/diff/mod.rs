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

use crate::deployed::drift::Expectations;
use crate::model::Model;
use resources::ResourceChanges;
use semantic::{IngressChange, PaymentChange, ReachChange, RoleChange};
use serde::Serialize;
use std::collections::BTreeMap;

/// One side of the comparison: a valid model, the resources its stack declares (as `drift` reads
/// them) and the text of every block of the stack ([`blocks`]).
pub struct Side<'a> {
    pub model: &'a Model,
    pub resources: &'a Expectations,
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
        ingress: semantic::ingress(old.model, new.model),
        payments: semantic::payments(old.model, new.model),
        iam: semantic::iam(old.model, new.model),
        resources: resources::resources(old, new),
    };
    diff.summary = markdown::summary(&diff);
    diff
}
