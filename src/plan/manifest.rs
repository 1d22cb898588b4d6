//! `manifest.json`: the stacks of a platform across accounts, in the order they apply, with the
//! account each runs as and what each reads from which other (`layout`). `ci init` fans it out as
//! ordered jobs; a person applies the stacks in its order (and destroys them in reverse).

use super::layout::{Crossing, Layout, Phase};
use crate::model::Model;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub platform: String,
    pub region: String,
    pub state: StateView,
    pub stacks: Vec<StackEntry>,
}

#[derive(Debug, Serialize)]
pub struct StateView {
    pub bucket: String,
    pub region: String,
    pub key_prefix: String,
}

#[derive(Debug, Serialize)]
pub struct StackEntry {
    pub name: String,
    /// The stack's directory, relative to the manifest's.
    pub directory: String,
    pub account: String,
    pub account_id: String,
    /// The role the stack runs as (the account's `role`), or null for the runner's credentials.
    pub role: Option<String>,
    pub phase: Phase,
    /// The stacks applied before this one.
    pub needs: Vec<String>,
    /// The outputs it reads from each of them (`terraform_remote_state`).
    pub reads: Vec<Reads>,
    /// Its state object in the backend.
    pub state_key: String,
}

#[derive(Debug, Serialize)]
pub struct Reads {
    pub stack: String,
    pub outputs: Vec<String>,
}

/// The state object of a stack: `<key_prefix>/<stack>/terraform.tfstate`.
pub fn state_key(key_prefix: &str, stack: &str) -> String {
    format!("{key_prefix}/{stack}/terraform.tfstate")
}

pub fn manifest(
    model: &Model,
    layout: &Layout,
    crossings: &BTreeMap<String, Crossing>,
) -> Manifest {
    let state = model
        .platform
        .state
        .as_ref()
        .expect("validation requires a state backend for several stacks (AF962)");
    let stacks = layout
        .stacks
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            let account = model.accounts.account(spec.account);
            let mut reads: BTreeMap<usize, Vec<String>> = BTreeMap::new();
            for crossing in crossings.values().filter(|c| c.readers.contains(&index)) {
                reads
                    .entry(crossing.from)
                    .or_default()
                    .push(crossing.output.clone());
            }
            StackEntry {
                name: spec.name.clone(),
                directory: spec.name.clone(),
                account: account.name.value.clone(),
                account_id: account.id.clone(),
                role: account.role.as_ref().map(|r| r.value.clone()),
                phase: spec.phase,
                needs: spec
                    .needs
                    .iter()
                    .map(|&n| layout.stacks[n].name.clone())
                    .collect(),
                reads: reads
                    .into_iter()
                    .map(|(from, outputs)| Reads {
                        stack: layout.stacks[from].name.clone(),
                        outputs,
                    })
                    .collect(),
                state_key: state_key(&state.key_prefix, &spec.name),
            }
        })
        .collect();
    Manifest {
        platform: model.platform.name.value.clone(),
        region: model.platform.region.clone(),
        state: StateView {
            bucket: state.bucket.value.clone(),
            region: state.region.clone(),
            key_prefix: state.key_prefix.clone(),
        },
        stacks,
    }
}
