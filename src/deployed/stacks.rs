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

pub const REMOTE: &str = "data.terraform_remote_state.";

/// `data.terraform_remote_state.S.outputs.O` → `(S, O)`.
pub fn remote(expression: &str) -> Option<(&str, &str)> {
    let rest = expression.strip_prefix(REMOTE)?;
    let (stack, rest) = rest.split_once('.')?;
    let output = rest.strip_prefix("outputs.")?;
    (!output.contains('.')).then_some((stack, output))
}

/// The text of the block that starts with `header` up to its closing brace at the line start.
fn block_after<'t>(text: &'t str, header: &str) -> Option<&'t str> {
    let start = text.find(header)?;
    let body = &text[start..];
    let end = body.find("\n}").map_or(body.len(), |e| e + 2);
    Some(&body[..end])
}

/// The `resource` block of `address` (`TYPE.NAME`).
pub fn block_of<'t>(text: &'t str, address: &str) -> Option<&'t str> {
    let (kind, name) = address.split_once('.')?;
    block_after(text, &format!("resource \"{kind}\" \"{name}\" {{"))
}

/// The expression of output `name` when it is one reference (`aws_x.y.id`, a remote output).
pub fn output_value<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let block = block_after(text, &format!("output \"{name}\" {{"))?;
    block.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("value")?;
        let value = rest.trim_start().strip_prefix('=')?.trim();
        value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            .then_some(value)
    })
}

/// The outputs of each stack that are a transit gateway attachment's id, with the tags its stack
/// gives that attachment: `(stack, output)` → tags. A stack that reads such an output from another
/// stack's state (`terraform_remote_state`, recorded in its own state with the values read) knows
/// the attachment by those tags, so one stack read alone still maps the attachments it uses
/// (`propagation --stack`; `tgw::StateReader::reading_remote`).
pub fn attachment_outputs(
    files: &crate::emit::Files,
    stacks: &[Stack],
) -> anyhow::Result<std::collections::BTreeMap<(String, String), super::tgw::Tags>> {
    let mut out = std::collections::BTreeMap::new();
    for stack in stacks {
        let texts: Vec<&str> = files
            .iter()
            .filter(|(path, _)| {
                path.parent() == Some(stack.directory.as_path())
                    && path.extension().is_some_and(|e| e == "tf")
            })
            .map(|(_, text)| text.as_str())
            .collect();
        let mut expected = super::drift::Expectations::default();
        for text in &texts {
            super::drift::expected_in_text(text, &mut expected)?;
        }
        for text in &texts {
            for line in text.lines() {
                let Some(name) = line
                    .strip_prefix("output \"")
                    .and_then(|rest| rest.strip_suffix("\" {"))
                else {
                    continue;
                };
                let Some(address) = output_value(text, name).and_then(|v| v.strip_suffix(".id"))
                else {
                    continue;
                };
                if !address.starts_with("aws_ec2_transit_gateway_vpc_attachment.") {
                    continue;
                }
                let tags = expected
                    .iter()
                    .find(|r| r.address() == address)
                    .and_then(|r| {
                        r.attributes().find_map(|(attribute, value)| match value {
                            super::drift::Expected::Literal(json) if attribute == "tags" => {
                                serde_json::from_str::<super::tgw::Tags>(json).ok()
                            }
                            _ => None,
                        })
                    })
                    .unwrap_or_default();
                out.insert((stack.name.clone(), name.to_string()), tags);
            }
        }
    }
    Ok(out)
}
