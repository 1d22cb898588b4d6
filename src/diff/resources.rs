//! Resource changes between the two generated stacks, read back as `drift` reads them: added,
//! destroyed, updated in place, and replaced because an argument in
//! [`FORCE_NEW`](super::FORCE_NEW) changed (or refers
//! to a resource that is itself replaced).

use super::Side;
use super::replacement::forcing;
use crate::deployed::drift::{Expectations, Expected};
use crate::render::read;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Every top-level `resource` and `data` block of the generated Terraform files by address
/// (`TYPE.NAME`, `data.TYPE.NAME`), its text without comments and blank lines: two blocks with the
/// same text declare the same thing, including nested blocks and values known only after apply.
pub fn blocks(files: &crate::emit::Files, stacks: &[(String, String)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if path.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let prefix = stack_prefix(path, stacks);
        for chunk in read::top_level_chunks(text) {
            let Some(address) = read::header(chunk).and_then(|h| h.address()) else {
                continue;
            };
            let body: Vec<&str> = read::body(chunk).collect();
            out.insert(format!("{prefix}{address}"), body.join("\n"));
        }
    }
    out
}

/// How a resource of a platform of several stacks is named in a diff: `<stack>:<address>` (two
/// stacks may each hold an `aws_iam_role.flow_logs`); a single stack's addresses stay bare.
/// `stacks` pairs each stack's directory with its prefix.
pub fn stack_prefix<'a>(path: &std::path::Path, stacks: &'a [(String, String)]) -> &'a str {
    let directory = path.parent().unwrap_or(path);
    stacks
        .iter()
        .find(|(dir, _)| std::path::Path::new(dir) == directory)
        .map_or("", |(_, prefix)| prefix.as_str())
}

/// The stack prefix of a prefixed address (`network:` of `network:aws_vpc.a`), or `""`.
fn prefix_of(address: &str) -> &str {
    address.find(':').map_or("", |i| &address[..=i])
}

#[derive(Debug, Default, Serialize)]
pub struct ResourceChanges {
    pub added: Vec<String>,
    pub destroyed: Vec<String>,
    pub updated: Vec<Updated>,
    pub replaced: Vec<Replaced>,
}

#[derive(Debug, Serialize)]
pub struct Updated {
    pub address: String,
    /// Arguments whose value changed, top-level and in nested blocks by path
    /// (`metric_query.period`): compared as values where both are literals or references, else as
    /// written.
    pub arguments: Vec<String>,
    /// Whether the block changed while no argument did (a nested block without arguments added or
    /// removed).
    pub other: bool,
    /// Changed data sources the resource reads (`data.aws_iam_policy_document.NAME`).
    pub reads: Vec<String>,
    /// Replaced resources it refers to through arguments that do not force replacement (an
    /// attachment's `subnet_ids`): their new ids are written in place.
    pub refers_to_replaced: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Replaced {
    pub address: String,
    /// The arguments that force it.
    pub arguments: Vec<String>,
    /// Replaced resources it refers to through those arguments.
    pub because_of: Vec<String>,
}

/// A resource's arguments by name.
type Arguments<'a> = BTreeMap<String, Expected<'a>>;

/// The stacks' resources by (prefixed) address, each with its arguments.
fn index(stacks: &[(String, Expectations)]) -> BTreeMap<String, Arguments<'_>> {
    stacks
        .iter()
        .flat_map(|(prefix, resources)| {
            resources.iter().map(move |r| {
                (
                    format!("{prefix}{}", r.address()),
                    r.attributes().map(|(k, v)| (k.to_string(), v)).collect(),
                )
            })
        })
        .collect()
}

pub(super) fn resources(old_side: &Side<'_>, new_side: &Side<'_>) -> ResourceChanges {
    let (old, new) = (old_side.resources, new_side.resources);
    let before = index(old);
    let after = index(new);
    let mut out = ResourceChanges {
        added: after
            .keys()
            .filter(|a| !before.contains_key(*a))
            .cloned()
            .collect(),
        destroyed: before
            .keys()
            .filter(|a| !after.contains_key(*a))
            .cloned()
            .collect(),
        ..ResourceChanges::default()
    };
    let common: Vec<(&String, &Arguments, &Arguments)> = after
        .iter()
        .filter_map(|(address, a)| before.get(address).map(|b| (address, b, a)))
        .collect();
    // Replacement spreads through references: a resource that refers to a replaced one through a
    // forcing argument is replaced too, unless the referred attribute is known from configuration.
    let mut replaced: BTreeMap<String, Replaced> = BTreeMap::new();
    loop {
        let mut grew = false;
        for (address, b, a) in &common {
            if replaced.contains_key(*address) {
                continue;
            }
            let bare = &address[prefix_of(address).len()..];
            let kind = bare.split_once('.').map_or(bare, |(k, _)| k);
            let mut arguments = Vec::new();
            let mut because_of = Vec::new();
            // An argument that is neither a literal nor a resource's attribute (a value another
            // stack outputs, read through `terraform_remote_state`) is compared as written.
            let written = |side: &Side<'_>| {
                arguments_by_text(side.blocks.get(*address).map_or("", String::as_str))
            };
            let mut as_written: Option<(BTreeMap<String, String>, BTreeMap<String, String>)> = None;
            for argument in forcing(kind) {
                let (old_value, new_value) = (b.get(*argument), a.get(*argument));
                let unread = old_value.is_none() && new_value.is_none() && {
                    let (before, after) =
                        as_written.get_or_insert_with(|| (written(old_side), written(new_side)));
                    before.get(*argument) != after.get(*argument)
                };
                if !same_value(old_value, new_value) || unread {
                    arguments.push((*argument).to_string());
                } else if let Some(Expected::Reference {
                    address: target,
                    attribute,
                }) = new_value
                    && let target = format!("{}{target}", prefix_of(address))
                    && replaced.contains_key(&target)
                    && !after
                        .get(&target)
                        .is_some_and(|r| matches!(r.get(&**attribute), Some(Expected::Literal(_))))
                {
                    arguments.push((*argument).to_string());
                    because_of.push(target);
                }
            }
            if !arguments.is_empty() {
                because_of.sort();
                because_of.dedup();
                replaced.insert(
                    (*address).clone(),
                    Replaced {
                        address: (*address).clone(),
                        arguments,
                        because_of,
                    },
                );
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let changed_data: Vec<&String> = new_side
        .blocks
        .iter()
        .filter(|(address, text)| {
            address.starts_with("data.") && old_side.blocks.get(*address) != Some(*text)
        })
        .map(|(address, _)| address)
        .collect();
    for (address, b, a) in &common {
        if replaced.contains_key(*address) {
            continue;
        }
        let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
        let mut arguments: Vec<String> = keys
            .into_iter()
            .filter(|k| !same_value(b.get(*k), a.get(*k)))
            .cloned()
            .collect();
        let text = |side: &Side<'_>| side.blocks.get(*address).cloned().unwrap_or_default();
        let (old_text, new_text) = (text(old_side), text(new_side));
        let differs = old_text != new_text;
        if differs {
            // What else changed, by path: nested blocks' arguments (an alarm's
            // `metric_query.period`), values that are neither literals nor references.
            let (before, after) = (arguments_by_text(&old_text), arguments_by_text(&new_text));
            let mut all: BTreeSet<String> = arguments.drain(..).collect();
            all.extend(
                before
                    .keys()
                    .chain(after.keys())
                    .filter(|p| before.get(*p) != after.get(*p))
                    .cloned(),
            );
            arguments = all.into_iter().collect();
        }
        // A value read from a data source that changed (a policy document) changes too.
        let reads: Vec<String> = changed_data
            .iter()
            .filter(|d| new_text.contains(&format!("{d}.")))
            .map(|d| (*d).clone())
            .collect();
        let refers_to_replaced: Vec<String> = replaced
            .keys()
            .filter(|r| new_text.contains(&format!("{r}.")))
            .cloned()
            .collect();
        if !arguments.is_empty() || differs || !reads.is_empty() || !refers_to_replaced.is_empty() {
            out.updated.push(Updated {
                address: (*address).clone(),
                other: differs && arguments.is_empty(),
                arguments,
                reads,
                refers_to_replaced,
            });
        }
    }
    out.replaced = replaced.into_values().collect();
    out
}

/// A block's arguments by path, top-level (`value`) and in nested blocks (`metric_query.period`; a
/// block repeated under one name is numbered from its second: `metric_query[1].period`), each with
/// its text as written, a multi-line value's lines joined. `text` is a block's body as [`blocks`]
/// keeps it. Both stacks are written by one generator and formatted, so a different text is a
/// different value; it names what changed where the parsed arguments cannot (nested blocks, values
/// that are neither literals nor references, such as a `jsonencode(…)` document).
fn arguments_by_text(text: &str) -> BTreeMap<String, String> {
    // Brackets a line opens minus those it closes; interpolations (`${…}`) are balanced.
    let net = |line: &str| -> i64 {
        line.chars()
            .map(|c| match c {
                '{' | '[' | '(' => 1,
                '}' | ']' | ')' => -1,
                _ => 0,
            })
            .sum()
    };
    let mut out = BTreeMap::new();
    let mut path: Vec<String> = Vec::new();
    // How often each block name was seen under its parent, to number repeated blocks.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    // A multi-line value being read: its path and open brackets.
    let mut open: Option<(String, i64)> = None;
    for line in text.lines() {
        if let Some((key, depth)) = &mut open {
            let value: &mut String = out.entry(key.clone()).or_default();
            value.push('\n');
            value.push_str(line);
            *depth += net(line);
            if *depth <= 0 {
                open = None;
            }
            continue;
        }
        if line == "}" {
            path.pop();
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if !key.contains('{') && !key.contains('"') => {
                let key = key.trim();
                let full = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{}.{key}", path.join("."))
                };
                out.insert(full.clone(), value.trim().to_string());
                let depth = net(value);
                if depth > 0 {
                    open = Some((full, depth));
                }
            }
            _ if line.ends_with('{') => {
                let name = line.trim_end_matches('{').trim().replace('"', "");
                let parent = path.join(".");
                let n = seen.entry(format!("{parent}/{name}")).or_insert(0);
                let segment = if *n == 0 {
                    name
                } else {
                    format!("{name}[{n}]")
                };
                *n += 1;
                path.push(segment);
            }
            _ => {}
        }
    }
    out
}

fn same_value(a: Option<&Expected>, b: Option<&Expected>) -> bool {
    match (a, b) {
        (Some(Expected::Literal(x)), Some(Expected::Literal(y))) => {
            Expected::value(x) == Expected::value(y)
        }
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::arguments_by_text;

    #[test]
    fn arguments_are_found_by_path_in_nested_blocks_too() {
        let body = "alarm_name = \"a\"\ntags = {\nName = \"x\"\n}\nmetric_query {\nid = \"requests\"\nexpression = \"SELECT SUM(x) FROM \\\"y\\\" WHERE z = '${aws_a.b.id}'\"\nperiod = 600\n}\nmetric_query {\nid = \"other\"\nperiod = 300\n}\n}";
        let found = arguments_by_text(body);
        assert_eq!(found["metric_query.period"], "600");
        assert_eq!(found["metric_query[1].period"], "300");
        assert_eq!(found["metric_query.id"], "\"requests\"");
        assert_eq!(found["alarm_name"], "\"a\"");
        assert_eq!(found["tags"], "{\nName = \"x\"\n}");
        assert!(!found.keys().any(|k| k.contains("Name")), "{found:?}");
        assert_eq!(found.len(), 7, "{found:?}");
    }
}
