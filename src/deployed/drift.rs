//! `agentform drift`: the resources Terraform has deployed, against the resources the blueprint's
//! stack declares.
//!
//! What is expected comes from the same pipeline that writes the stack: the files `emit::generate`
//! renders in memory are read back ([`read::resources`]), and every `resource` block gives an address and
//! the attributes it sets. Literal values (strings, numbers, bools, lists and maps of those) are
//! compared with the deployed values; a reference to another resource's attribute
//! (`aws_vpc.agents.id`) is compared with that attribute as deployed. Everything else (function
//! calls, templates, nested blocks such as `lifecycle`) is known only after apply and is skipped.
//!
//! Comparison is tolerant where the provider normalises: numbers written as strings, JSON policy
//! documents compared as JSON, lists compared without order (many are sets), and an empty value equal
//! to an absent one. `tags` is compared as written (`tags_all` adds the provider's default tags).

use crate::deployed::{Deployed, Resource};
use crate::emit::Files;
use crate::render::read;
use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What a resource block sets an attribute to, as read from [`Expectations`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expected<'a> {
    /// A literal value, as compact JSON.
    Literal(&'a str),
    /// Another resource's attribute: `address` (`aws_vpc.agents`), `attribute` (`id`).
    Reference {
        address: &'a str,
        attribute: &'a str,
    },
}

impl Expected<'_> {
    /// A literal's value.
    pub fn value(text: &str) -> Value {
        serde_json::from_str(text).expect("literals are stored as valid JSON")
    }
}

/// A range of [`Expectations::text`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
enum Setting {
    Literal(Span),
    /// The referenced address, and the attribute's interned name.
    Reference(Span, u32),
}

#[derive(Debug, Clone, Copy)]
struct Attribute {
    /// Interned name ([`Expectations::names`]).
    name: u32,
    value: Setting,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    address: Span,
    /// The resource's attributes: `attributes[first..first + count]`.
    first: u32,
    count: u32,
}

/// Every managed resource a stack declares, in file order, with the attributes it sets. Compact:
/// addresses and literal values are ranges of one text, attribute names are interned, so the
/// expectations of a stack of 100,000 resources stay a couple of tens of megabytes in a few large
/// allocations (and free their parser's memory whole).
#[derive(Debug, Default)]
pub struct Expectations {
    text: String,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    resources: Vec<Entry>,
    attributes: Vec<Attribute>,
}

/// One expected resource: its address (`TYPE.NAME`) and, in file order, the attributes whose value
/// can be known before apply.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedResource<'a> {
    store: &'a Expectations,
    entry: Entry,
}

impl<'a> ExpectedResource<'a> {
    pub fn address(&self) -> &'a str {
        self.store.span(self.entry.address)
    }

    /// The resource type.
    pub fn kind(&self) -> &'a str {
        let address = self.address();
        address.split_once('.').map_or(address, |(kind, _)| kind)
    }

    /// `(name, value)` in file order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = (&'a str, Expected<'a>)> + 'a {
        let store = self.store;
        let first = self.entry.first as usize;
        store.attributes[first..first + self.entry.count as usize]
            .iter()
            .map(move |a| (&*store.names[a.name as usize], store.setting(a.value)))
    }

    fn attribute(&self, position: usize) -> (&'a str, Expected<'a>) {
        let a = self.store.attributes[self.entry.first as usize + position];
        (
            &*self.store.names[a.name as usize],
            self.store.setting(a.value),
        )
    }
}

impl Expectations {
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    pub fn get(&self, index: usize) -> ExpectedResource<'_> {
        ExpectedResource {
            store: self,
            entry: self.resources[index],
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = ExpectedResource<'_>> {
        self.resources
            .iter()
            .map(|&entry| ExpectedResource { store: self, entry })
    }

    /// Appends `other`'s resources after these.
    pub fn append(&mut self, other: &Expectations) {
        let names: Vec<u32> = other.names.iter().map(|n| self.intern(n)).collect();
        let shift = small(self.text.len());
        let moved = |span: Span| Span {
            start: span.start + shift,
            len: span.len,
        };
        let first = small(self.attributes.len());
        self.text.push_str(&other.text);
        self.attributes
            .extend(other.attributes.iter().map(|a| Attribute {
                name: names[a.name as usize],
                value: match a.value {
                    Setting::Literal(span) => Setting::Literal(moved(span)),
                    Setting::Reference(span, name) => {
                        Setting::Reference(moved(span), names[name as usize])
                    }
                },
            }));
        self.resources.extend(other.resources.iter().map(|e| Entry {
            address: moved(e.address),
            first: e.first + first,
            count: e.count,
        }));
    }

    fn span(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    fn setting(&self, setting: Setting) -> Expected<'_> {
        match setting {
            Setting::Literal(span) => Expected::Literal(self.span(span)),
            Setting::Reference(span, name) => Expected::Reference {
                address: self.span(span),
                attribute: &self.names[name as usize],
            },
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = small(self.names.len());
        self.names.push(name.into());
        self.name_ids.insert(name.into(), id);
        id
    }

    /// Appends `parts` to the text; their concatenation's range.
    fn push(&mut self, parts: &[&str]) -> Span {
        let start = self.text.len();
        for part in parts {
            self.text.push_str(part);
        }
        Span {
            start: small(start),
            len: small(self.text.len() - start),
        }
    }
}

/// An offset or count of [`Expectations`] (a stack's expectations stay far under 4 GB).
fn small(n: usize) -> u32 {
    u32::try_from(n).expect("expectations under 4 GB")
}

/// Every managed resource the generated stack declares, in file order.
pub fn expected(files: &Files) -> anyhow::Result<Expectations> {
    let mut out = Expectations::default();
    for (path, text) in files {
        if path.extension().is_some_and(|e| e == "tf") {
            expected_in_text(text, &mut out).with_context(|| {
                format!(
                    "internal error: generated {} does not parse",
                    path.display()
                )
            })?;
        }
    }
    Ok(out)
}

/// The expectations of a plan's stack, rendered part by part and unformatted: its text is never
/// held whole, and the plan is gone before a large state is read.
pub fn expectations(
    plan: crate::plan::Plan,
    renderer: &crate::render::Renderer,
) -> anyhow::Result<Expectations> {
    let mut expected = Expectations::default();
    crate::emit::terraform_parts(plan, renderer, |path, text| {
        expected_in_text(text, &mut expected).with_context(|| {
            format!(
                "internal error: generated {} does not parse",
                path.display()
            )
        })
    })?;
    Ok(expected)
}

/// Appends the managed resources of a piece of generated Terraform (a file, or a part of one; see
/// `emit::terraform_parts`) to `out`. Large texts are parsed block by block on every core, so the
/// syntax tree of a whole large file is never held; each core's findings are copied into `out` and
/// freed whole.
pub fn expected_in_text(text: &str, out: &mut Expectations) -> anyhow::Result<()> {
    let chunks = read::top_level_chunks(text);
    let groups = crate::render::balanced_groups(&chunks, crate::render::parallelism(text.len()));
    if let [group] = groups.as_slice() {
        for chunk in group {
            expected_in(chunk, out)?;
        }
        return Ok(());
    }
    let parsed: Vec<anyhow::Result<Expectations>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|group| {
                scope.spawn(move || {
                    let mut resources = Expectations::default();
                    for chunk in group {
                        expected_in(chunk, &mut resources)?;
                    }
                    Ok(resources)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parsing does not panic"))
            .collect()
    });
    for resources in parsed {
        out.append(&resources?);
    }
    Ok(())
}

fn expected_in(text: &str, out: &mut Expectations) -> anyhow::Result<()> {
    read::resources(text, |resource| {
        let address = out.push(&[resource.kind, ".", resource.name]);
        let first = small(out.attributes.len());
        for (key, value) in resource.attributes() {
            let value = match value {
                read::Value::Literal(json) => Setting::Literal(out.push(&[&json.to_string()])),
                read::Value::Reference {
                    data,
                    kind,
                    name,
                    attribute,
                } => Setting::Reference(
                    out.push(&[if data { "data." } else { "" }, kind, ".", name]),
                    out.intern(attribute),
                ),
            };
            let name = out.intern(key);
            out.attributes.push(Attribute { name, value });
        }
        out.resources.push(Entry {
            address,
            first,
            count: small(out.attributes.len()) - first,
        });
    })
}

/// Whether a deployed value matches what the blueprint sets, modulo provider normalisation.
pub fn same(expected: &Value, deployed: &Value) -> bool {
    match (expected, deployed) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::Number(b)) | (Value::Number(b), Value::String(a)) => {
            a.parse::<f64>().ok() == b.as_f64()
        }
        (Value::String(a), Value::Bool(b)) | (Value::Bool(b), Value::String(a)) => {
            a.parse::<bool>().ok() == Some(*b)
        }
        (Value::String(a), Value::String(b)) => {
            a == b || {
                // JSON documents (policies) come back reformatted.
                let parse = |s: &str| {
                    let t = s.trim_start();
                    if t.starts_with('{') || t.starts_with('[') {
                        serde_json::from_str::<Value>(s).ok()
                    } else {
                        None
                    }
                };
                matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len()
                && (a.iter().zip(b).all(|(x, y)| same(x, y)) || {
                    // Sets come back in the provider's order.
                    let mut unmatched: Vec<&Value> = b.iter().collect();
                    a.iter()
                        .all(|x| match unmatched.iter().position(|y| same(x, y)) {
                            Some(i) => {
                                unmatched.swap_remove(i);
                                true
                            }
                            None => false,
                        })
                })
        }
        (Value::Object(a), Value::Object(b)) => {
            let non_empty =
                |m: &serde_json::Map<String, Value>| m.iter().filter(|(_, v)| !is_empty(v)).count();
            non_empty(a) == non_empty(b)
                && a.iter().all(|(k, v)| match b.get(k) {
                    Some(w) => same(v, w),
                    None => is_empty(v),
                })
        }
        (a, b) if is_empty(a) && is_empty(b) => true,
        (a, b) => a == b,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The blueprint's stack declares it; it is not deployed.
    Missing,
    /// Deployed and managed by Terraform, but no longer in the blueprint's stack.
    Unexpected,
    /// An attribute the blueprint sets has another deployed value.
    Attribute,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The stack of a platform of several stacks the resource belongs to (absent for one stack).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    pub kind: Kind,
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub attribute: Option<String>,
    pub expected: Option<Value>,
    pub deployed: Option<Value>,
    pub message: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub missing: usize,
    pub unexpected: usize,
    pub drifted_attributes: usize,
    /// Resources compared (expected and deployed).
    pub compared: usize,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub summary: String,
    pub counts: Counts,
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// The stacks compared, in manifest order (a platform of several stacks only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<String>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The one-line summary, then one line per finding.
    pub fn human(&self) -> String {
        let mut out = format!("{}\n", self.summary);
        for f in &self.findings {
            let _ = writeln!(out, "{}", f.message);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Compares the expected resources with deployed ones fed one at a time ([`Checker::feed`]), so a
/// state can be streamed. Resources are matched by address; a resource with several instances
/// (`count`, `for_each`) matches `address[...]`. References are compared once every resource has
/// been seen; only the referenced attributes are kept meanwhile.
pub struct Checker<'e> {
    expected: &'e Expectations,
    index: HashMap<&'e str, usize>,
    seen: Vec<bool>,
    /// Referenced address → attribute → the deployed value, filled in as the resource goes by.
    referenced: HashMap<&'e str, HashMap<&'e str, Option<Value>>>,
    /// Attributes set by reference: (expected resource, attribute position, deployed value).
    pending: Vec<(usize, usize, Value)>,
    /// Attribute findings by (expected resource, attribute position).
    drifted: Vec<(usize, usize, Finding)>,
    unexpected: Vec<Finding>,
}

impl<'e> Checker<'e> {
    pub fn new(expected: &'e Expectations) -> Self {
        let mut referenced: HashMap<&str, HashMap<&str, Option<Value>>> = HashMap::new();
        for resource in expected.iter() {
            for (_, value) in resource.attributes() {
                if let Expected::Reference { address, attribute } = value {
                    referenced
                        .entry(address)
                        .or_default()
                        .insert(attribute, None);
                }
            }
        }
        Checker {
            expected,
            index: expected
                .iter()
                .enumerate()
                .map(|(i, r)| (r.address(), i))
                .collect(),
            seen: vec![false; expected.len()],
            referenced,
            pending: Vec::new(),
            drifted: Vec::new(),
            unexpected: Vec::new(),
        }
    }

    pub fn feed(&mut self, resource: &Resource<'_>) -> anyhow::Result<()> {
        let address: &str = &resource.address;
        let base = address.split_once('[').map_or(address, |(base, _)| base);
        let Some(&i) = self.index.get(base) else {
            if resource.is_managed() {
                self.unexpected.push(Finding {
                    stack: None,
                    kind: Kind::Unexpected,
                    address: address.to_string(),
                    resource_type: resource.kind.to_string(),
                    attribute: None,
                    expected: None,
                    deployed: None,
                    message: format!(
                        "unexpected: `{address}` is deployed but no longer in the blueprint's stack"
                    ),
                });
            }
            // Data sources can still be referenced.
            return self.remember(address, &resource.attributes()?);
        };
        self.seen[i] = true;
        let values = resource.attributes()?;
        let expected = self.expected.get(i);
        for (position, (name, want)) in expected.attributes().enumerate() {
            let Some(raw) = values.get(name) else {
                // Not an attribute of the provider's schema as recorded: cannot compare.
                continue;
            };
            let have: Value = serde_json::from_str(raw.get())?;
            match want {
                Expected::Literal(text) => {
                    let want = Expected::value(text);
                    if !same(&want, &have) {
                        self.drifted.push((
                            i,
                            position,
                            attribute_finding(&expected, name, want, have),
                        ));
                    }
                }
                Expected::Reference { .. } => self.pending.push((i, position, have)),
            }
        }
        self.remember(address, &values)
    }

    /// Keeps the attributes of `address` that other resources reference.
    fn remember(
        &mut self,
        address: &str,
        values: &HashMap<Cow<'_, str>, &RawValue>,
    ) -> anyhow::Result<()> {
        let Some(attributes) = self.referenced.get_mut(address) else {
            return Ok(());
        };
        for (name, slot) in attributes {
            if let Some(raw) = values.get(*name) {
                *slot = Some(serde_json::from_str(raw.get())?);
            }
        }
        Ok(())
    }

    /// The report, once every deployed resource has been fed. `drifted`: what a plan's
    /// `resource_drift` says Terraform saw changed (`Deployed::drifted`).
    pub fn finish(mut self, drifted: &[(String, Vec<String>)]) -> Report {
        for (i, position, have) in std::mem::take(&mut self.pending) {
            let expected = self.expected.get(i);
            let (name, want) = expected.attribute(position);
            let Expected::Reference { address, attribute } = want else {
                continue;
            };
            // The referenced resource is missing (reported itself): nothing to compare.
            let Some(Some(want)) = self
                .referenced
                .get(address)
                .and_then(|attributes| attributes.get(attribute))
            else {
                continue;
            };
            if !same(want, &have) {
                self.drifted.push((
                    i,
                    position,
                    attribute_finding(&expected, name, want.clone(), have),
                ));
            }
        }
        self.drifted.sort_by_key(|(i, position, _)| (*i, *position));
        let mut drifted_findings = self.drifted.into_iter().peekable();
        let mut findings = Vec::new();
        let mut compared = 0;
        for (i, resource) in self.expected.iter().enumerate() {
            if self.seen[i] {
                compared += 1;
            } else {
                findings.push(Finding {
                    stack: None,
                    kind: Kind::Missing,
                    address: resource.address().to_string(),
                    resource_type: resource.kind().to_string(),
                    attribute: None,
                    expected: None,
                    deployed: None,
                    message: format!(
                        "missing: `{}` is in the blueprint's stack but not deployed",
                        resource.address()
                    ),
                });
            }
            while let Some((_, _, finding)) = drifted_findings.next_if(|(j, _, _)| *j == i) {
                findings.push(finding);
            }
        }
        findings.extend(self.unexpected);
        report(findings, compared, drifted)
    }
}

fn attribute_finding(
    expected: &ExpectedResource<'_>,
    name: &str,
    want: Value,
    have: Value,
) -> Finding {
    Finding {
        stack: None,
        kind: Kind::Attribute,
        address: expected.address().to_string(),
        resource_type: expected.kind().to_string(),
        attribute: Some(name.to_string()),
        message: format!(
            "drifted: `{}.{name}` is {} deployed; the blueprint sets {}",
            expected.address(),
            compact(&have),
            compact(&want)
        ),
        expected: Some(want),
        deployed: Some(have),
    }
}

/// Compares the expected resources with a state streamed from `input`, read ahead on a second
/// thread: memory stays flat however large the state is.
pub fn check_state(
    expected: &Expectations,
    input: impl std::io::Read + Send,
) -> anyhow::Result<Report> {
    let mut checker = Checker::new(expected);
    crate::deployed::stream_state_ahead(input, |r| checker.feed(r))?;
    Ok(checker.finish(&[]))
}

/// Compares the expected resources with every resource of `deployed`.
pub fn check(expected: &Expectations, deployed: &Deployed<'_>) -> anyhow::Result<Report> {
    let mut checker = Checker::new(expected);
    for resource in &deployed.resources {
        checker.feed(resource)?;
    }
    Ok(checker.finish(&deployed.drifted))
}

fn report(findings: Vec<Finding>, compared: usize, drifted: &[(String, Vec<String>)]) -> Report {
    let count = |k: Kind| findings.iter().filter(|f| f.kind == k).count();
    let counts = Counts {
        missing: count(Kind::Missing),
        unexpected: count(Kind::Unexpected),
        drifted_attributes: count(Kind::Attribute),
        compared,
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let summary = format!(
        "{}, {}, {}",
        plural(counts.missing, "missing resource", "missing resources"),
        plural(
            counts.unexpected,
            "unexpected resource",
            "unexpected resources"
        ),
        plural(
            counts.drifted_attributes,
            "drifted attribute",
            "drifted attributes"
        ),
    );
    let mut notes = Vec::new();
    if !drifted.is_empty() {
        let mut line = String::from("terraform saw changes outside Terraform to:");
        for (address, actions) in drifted {
            let _ = write!(line, " `{address}` ({})", actions.join(", "));
        }
        notes.push(line);
    }
    notes.push(
        "objects made outside Terraform (a propagation, a route) are not in state; \
         `agentform propagation --aws DIR` sees them"
            .to_string(),
    );
    Report {
        summary,
        counts,
        findings,
        notes,
        stacks: Vec::new(),
    }
}

/// The reports of the stacks of a platform (in manifest order) as one: every finding names its
/// stack (in `stack`, and first in its message), counts add up, notes are said once.
pub fn merge(reports: Vec<(String, Report)>) -> Report {
    let mut findings = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut compared = 0;
    let mut drifted_notes = Vec::new();
    let mut stacks = Vec::new();
    for (stack, report) in reports {
        compared += report.counts.compared;
        for mut finding in report.findings {
            finding.message = format!("stack `{stack}`: {}", finding.message);
            finding.stack = Some(stack.clone());
            findings.push(finding);
        }
        for note in report.notes {
            if note.starts_with("terraform saw changes") {
                drifted_notes.push(format!("stack `{stack}`: {note}"));
            } else if !notes.contains(&note) {
                notes.push(note);
            }
        }
        stacks.push(stack);
    }
    let mut merged = self::report(findings, compared, &[]);
    drifted_notes.append(&mut merged.notes);
    merged.notes = drifted_notes;
    for note in notes {
        if !merged.notes.contains(&note) {
            merged.notes.push(note);
        }
    }
    merged.summary = format!(
        "{} (stack{} {})",
        merged.summary,
        if stacks.len() == 1 { "" } else { "s" },
        stacks
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    merged.stacks = stacks;
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn files(text: &str) -> Files {
        let mut files = Files::new();
        files.insert(PathBuf::from("p/network.tf"), text.to_string());
        files.insert(
            PathBuf::from("p/README.md"),
            "resource \"x\" \"y\" {}".to_string(),
        );
        files
    }

    const STACK: &str = r#"
resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "p-a", "agentform:component" = "vpc.a" }
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.0.0/24"
  depends_on = [aws_vpc.a]
  name       = "${aws_vpc.a.id}-x"
  policy     = jsonencode({})
}
resource "aws_ec2_transit_gateway" "t" {
  amazon_side_asn = 64512
}
data "aws_region" "r" {}
"#;

    #[test]
    fn expected_resources_come_from_resource_blocks() {
        let expected = expected(&files(STACK)).unwrap();
        let addresses: Vec<&str> = expected.iter().map(|r| r.address()).collect();
        assert_eq!(
            addresses,
            ["aws_vpc.a", "aws_subnet.a", "aws_ec2_transit_gateway.t"]
        );
        assert_eq!(
            expected.get(1).attributes().collect::<Vec<_>>(),
            vec![
                (
                    "vpc_id",
                    Expected::Reference {
                        address: "aws_vpc.a",
                        attribute: "id"
                    }
                ),
                ("cidr_block", Expected::Literal("\"10.0.0.0/24\"")),
            ]
        );
    }

    /// Large texts are parsed on several cores and the parts appended: the same expectations, in
    /// the same order, as one parse (names interned in another order are remapped).
    #[test]
    fn appended_expectations_equal_one_parse() {
        let second = r#"
resource "aws_route" "r" {
  route_table_id = aws_route_table.t.id
  blackhole      = true
  cidr_block     = "10.1.0.0/16"
}
"#;
        let whole = {
            let mut out = Expectations::default();
            expected_in_text(&format!("{second}{STACK}"), &mut out).unwrap();
            out
        };
        let mut parts = Expectations::default();
        for text in [second, STACK] {
            let mut part = Expectations::default();
            expected_in_text(text, &mut part).unwrap();
            parts.append(&part);
        }
        let all = |e: &Expectations| -> Vec<(String, Vec<(String, String)>)> {
            e.iter()
                .map(|r| {
                    let attributes = r
                        .attributes()
                        .map(|(n, v)| (n.to_string(), format!("{v:?}")));
                    (r.address().to_string(), attributes.collect())
                })
                .collect()
        };
        assert_eq!(whole.len(), 4);
        assert_eq!(all(&parts), all(&whole));
        assert_eq!(
            parts.get(0).attributes().next(),
            Some((
                "route_table_id",
                Expected::Reference {
                    address: "aws_route_table.t",
                    attribute: "id"
                }
            ))
        );
    }

    #[test]
    fn normalisation() {
        use serde_json::json;
        assert!(same(&json!(64512.0), &json!(64512)));
        assert!(same(&json!("64512"), &json!(64512)));
        assert!(same(&json!(["a", "b"]), &json!(["b", "a"])));
        assert!(!same(&json!(["a", "b"]), &json!(["a", "a"])));
        assert!(same(&json!("{\"a\": 1}"), &json!("{\"a\":1}")));
        assert!(same(&json!({}), &json!(null)));
        assert!(same(&json!({"a": "1"}), &json!({"a": "1", "b": ""})));
        assert!(!same(&json!({"a": "1"}), &json!({"a": "2"})));
        assert!(!same(&json!({"a": "1"}), &json!({"a": "1", "b": "2"})));
        assert!(!same(&json!("x"), &json!("y")));
    }

    #[test]
    fn missing_unexpected_and_drifted() {
        let state = r#"{"format_version": "1.0", "values": {"root_module": {"resources": [
          {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
           "values": {"id": "vpc-1", "cidr_block": "10.0.0.0/16",
                      "tags": {"Name": "changed", "agentform:component": "vpc.a"}}},
          {"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
           "values": {"id": "subnet-1", "vpc_id": "vpc-2", "cidr_block": "10.0.0.0/24"}},
          {"address": "aws_route.old", "mode": "managed", "type": "aws_route", "name": "old",
           "values": {"id": "r-1"}},
          {"address": "data.aws_region.r", "mode": "data", "type": "aws_region", "name": "r",
           "values": {}}
        ]}}}"#;
        let deployed = crate::deployed::read_state(state).unwrap();
        let report = check(&expected(&files(STACK)).unwrap(), &deployed).unwrap();
        let found: Vec<(Kind, &str, Option<&str>)> = report
            .findings
            .iter()
            .map(|f| (f.kind, f.address.as_str(), f.attribute.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (Kind::Attribute, "aws_vpc.a", Some("tags")),
                (Kind::Attribute, "aws_subnet.a", Some("vpc_id")),
                (Kind::Missing, "aws_ec2_transit_gateway.t", None),
                (Kind::Unexpected, "aws_route.old", None),
            ]
        );
        assert_eq!(
            report.summary,
            "1 missing resource, 1 unexpected resource, 2 drifted attributes"
        );
    }
}
