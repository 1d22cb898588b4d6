//! The stacks of a platform across accounts, as `drift`, `propagation` and `check` name them: the
//! names of its `manifest.json` (in apply order), each with its directory. A platform of one stack
//! has no manifest and no names: it is read as before, from one `--state` or `--plan`.

use crate::plan::Plan;
use anyhow::bail;
use std::path::{Path, PathBuf};

/// One stack: its manifest name and its directory relative to the output directory
/// (`<platform>/<stack>`, as `StackPlan::directory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    pub name: String,
    pub directory: PathBuf,
}

/// The stacks of a plan in manifest order, or `None` for a platform of one stack.
pub fn of_plan(plan: &Plan) -> Option<Vec<Stack>> {
    let manifest = plan.manifest.as_ref()?;
    Some(
        manifest
            .stacks
            .iter()
            .map(|entry| Stack {
                name: entry.name.clone(),
                directory: Path::new(&manifest.platform).join(&entry.directory),
            })
            .collect(),
    )
}

/// `name1`, `name2`, … for messages.
pub fn listed(stacks: &[Stack]) -> String {
    stacks
        .iter()
        .map(|s| format!("`{}`", s.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stack named `name`; an error with "did you mean" and every name otherwise.
pub fn find<'s>(stacks: &'s [Stack], name: &str, platform: &str) -> anyhow::Result<&'s Stack> {
    if let Some(stack) = stacks.iter().find(|s| s.name == name) {
        return Ok(stack);
    }
    let hint = crate::diag::did_you_mean(name, stacks.iter().map(|s| s.name.as_str()))
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    bail!(
        "platform `{platform}` has no stack `{name}`{hint}; its stacks are {}",
        listed(stacks)
    )
}

/// How a deployed-state command reads a platform, decided from its stacks and the flags given.
#[derive(Debug)]
pub enum Selection<'s> {
    /// A platform of one stack: `--state` or `--plan`, as always.
    Single,
    /// One stack of several (`--stack NAME` with `--state` or `--plan`).
    One(&'s Stack),
    /// Every stack (`--states DIR`): the state file of each, in manifest order.
    All(Vec<(&'s Stack, PathBuf)>),
}

/// Checks the flags against the platform: `--stack` and `--states` only for several stacks, one of
/// them required then; every `<stack>.json` of `--states DIR` present.
pub fn select<'s>(
    stacks: Option<&'s [Stack]>,
    stack: Option<&str>,
    states: Option<&Path>,
    platform: &str,
) -> anyhow::Result<Selection<'s>> {
    let Some(stacks) = stacks else {
        if let Some(name) = stack {
            bail!(
                "platform `{platform}` is one stack (it lives in one account): there is no stack `{name}`; pass `--state` or `--plan` without `--stack`"
            );
        }
        if states.is_some() {
            bail!(
                "platform `{platform}` is one stack (it lives in one account): pass its state with `--state FILE`, not `--states DIR`"
            );
        }
        return Ok(Selection::Single);
    };
    if let Some(dir) = states {
        let files: Vec<(&Stack, PathBuf)> = stacks
            .iter()
            .map(|s| (s, dir.join(format!("{}.json", s.name))))
            .collect();
        let missing: Vec<String> = files
            .iter()
            .filter(|(_, path)| !path.is_file())
            .map(|(s, _)| format!("{}.json", s.name))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{} lacks {}: `--states DIR` holds `terraform show -json` of the state of every stack of platform `{platform}`, as `<stack>.json` ({})",
                dir.display(),
                missing.join(", "),
                listed(stacks)
            );
        }
        return Ok(Selection::All(files));
    }
    match stack {
        Some(name) => Ok(Selection::One(find(stacks, name, platform)?)),
        None => bail!(
            "platform `{platform}` is {} stacks across accounts ({}): pass `--stack NAME` with the state of one of them, or `--states DIR` with `<stack>.json` for each",
            stacks.len(),
            listed(stacks)
        ),
    }
}
