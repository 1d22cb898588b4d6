//! `agentform drift`: the resources Terraform has deployed, against the resources the blueprint's
//! stack declares.
//!
//! What is expected comes from the same pipeline that writes the stack: the files `emit::generate`
//! renders in memory are parsed back with hcl-edit, and every `resource` block gives an address and
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
use anyhow::Context as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What a resource block sets an attribute to. Kept as compact text, parsed when compared: the
/// expectations of a stack of 100,000 resources stay a few tens of megabytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A literal value, as compact JSON.
    Literal(Box<str>),
    /// Another resource's attribute: `address` (`aws_vpc.agents`), `attribute` (`id`).
    Reference {
        address: Box<str>,
        attribute: Box<str>,
    },
}

impl Expected {
    /// A literal's value.
    pub fn value(text: &str) -> Value {
        serde_json::from_str(text).expect("literals are stored as valid JSON")
    }
}

#[derive(Debug, Clone)]
pub struct ExpectedResource {
    /// `TYPE.NAME`.
    pub address: Box<str>,
    /// In file order; only attributes whose value can be known before apply.
    pub attributes: Vec<(Box<str>, Expected)>,
}

impl ExpectedResource {
    /// The resource type.
    pub fn kind(&self) -> &str {
        self.address
            .split_once('.')
            .map_or(&*self.address, |(kind, _)| kind)
    }
}

/// Terraform's meta-arguments, which are not resource attributes.
const META: &[&str] = &["count", "for_each", "depends_on", "provider", "lifecycle"];

/// Every managed resource the generated stack declares, in file order.
pub fn expected(files: &Files) -> anyhow::Result<Vec<ExpectedResource>> {
    let mut out = Vec::new();
    for (path, text) in files {
        if path.extension().is_some_and(|e| e == "tf") {
            out.extend(expected_in_text(text).with_context(|| {
                format!(
                    "internal error: generated {} does not parse",
                    path.display()
                )
            })?);
        }
    }
    Ok(out)
}

/// The managed resources of a piece of generated Terraform (a file, or a part of one; see
/// `emit::terraform_parts`). Large texts are parsed block by block on every core, so the syntax
/// tree of a whole large file is never held.
pub fn expected_in_text(text: &str) -> anyhow::Result<Vec<ExpectedResource>> {
    let chunks = crate::render::top_level_chunks(text);
    let groups = crate::render::balanced_groups(&chunks, crate::render::parallelism(text.len()));
    let parsed: Vec<anyhow::Result<Vec<ExpectedResource>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|group| {
                scope.spawn(move || {
                    let mut resources = Vec::new();
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
    let mut out = Vec::new();
    for resources in parsed {
        out.extend(resources?);
    }
    Ok(out)
}

fn expected_in(text: &str, out: &mut Vec<ExpectedResource>) -> anyhow::Result<()> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    for structure in &body {
        let Structure::Block(block) = structure else {
            continue;
        };
        if block.ident.as_str() != "resource" || block.labels.len() != 2 {
            continue;
        }
        let label = |l: &BlockLabel| match l {
            BlockLabel::Ident(i) => i.as_str().to_string(),
            BlockLabel::String(s) => s.as_str().to_string(),
        };
        let kind = label(&block.labels[0]);
        let name = label(&block.labels[1]);
        let mut attributes = Vec::new();
        for structure in &block.body {
            let Structure::Attribute(attribute) = structure else {
                continue;
            };
            let key = attribute.key.as_str();
            if META.contains(&key) {
                continue;
            }
            if let Some(value) = expected_value(&attribute.value) {
                attributes.push((key.into(), value));
            }
        }
        out.push(ExpectedResource {
            address: format!("{kind}.{name}").into(),
            attributes,
        });
    }
    Ok(())
}

fn expected_value(expr: &Expression) -> Option<Expected> {
    if let Expression::Traversal(traversal) = expr {
        let Expression::Variable(root) = &traversal.expr else {
            return None;
        };
        let names: Vec<&str> = traversal
            .operators
            .iter()
            .map(|op| match op.value() {
                TraversalOperator::GetAttr(ident) => Some(ident.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let root = root.as_str();
        return match (root, names.as_slice()) {
            ("data", [kind, name, attribute]) => Some(Expected::Reference {
                address: format!("data.{kind}.{name}").into(),
                attribute: (*attribute).into(),
            }),
            ("data" | "var" | "local" | "module" | "each" | "count" | "path", _) => None,
            (kind, [name, attribute]) => Some(Expected::Reference {
                address: format!("{kind}.{name}").into(),
                attribute: (*attribute).into(),
            }),
            _ => None,
        };
    }
    literal(expr).map(|value| Expected::Literal(value.to_string().into()))
}

fn literal(expr: &Expression) -> Option<Value> {
    Some(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => serde_json::to_value(n.value().as_f64()?).ok()?,
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(array) => Value::Array(array.iter().map(literal).collect::<Option<_>>()?),
        Expression::Object(object) => {
            let mut map = serde_json::Map::new();
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => return None,
                };
                map.insert(key, literal(value.expr())?);
            }
            Value::Object(map)
        }
        Expression::Parenthesis(inner) => literal(inner.inner())?,
        _ => return None,
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
    expected: &'e [ExpectedResource],
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
    pub fn new(expected: &'e [ExpectedResource]) -> Self {
        let mut referenced: HashMap<&str, HashMap<&str, Option<Value>>> = HashMap::new();
        for resource in expected {
            for (_, value) in &resource.attributes {
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
                .map(|(i, r)| (&*r.address, i))
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
        let expected = &self.expected[i];
        for (position, (name, want)) in expected.attributes.iter().enumerate() {
            let Some(raw) = values.get(&**name) else {
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
                            attribute_finding(expected, name, want, have),
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
            let expected = &self.expected[i];
            let (name, want) = &expected.attributes[position];
            let Expected::Reference { address, attribute } = want else {
                continue;
            };
            // The referenced resource is missing (reported itself): nothing to compare.
            let Some(Some(want)) = self
                .referenced
                .get(&**address)
                .and_then(|attributes| attributes.get(&**attribute))
            else {
                continue;
            };
            if !same(want, &have) {
                self.drifted.push((
                    i,
                    position,
                    attribute_finding(expected, name, want.clone(), have),
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
                    kind: Kind::Missing,
                    address: resource.address.to_string(),
                    resource_type: resource.kind().to_string(),
                    attribute: None,
                    expected: None,
                    deployed: None,
                    message: format!(
                        "missing: `{}` is in the blueprint's stack but not deployed",
                        resource.address
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

fn attribute_finding(expected: &ExpectedResource, name: &str, want: Value, have: Value) -> Finding {
    Finding {
        kind: Kind::Attribute,
        address: expected.address.to_string(),
        resource_type: expected.kind().to_string(),
        attribute: Some(name.to_string()),
        message: format!(
            "drifted: `{}.{name}` is {} deployed; the blueprint sets {}",
            expected.address,
            compact(&have),
            compact(&want)
        ),
        expected: Some(want),
        deployed: Some(have),
    }
}

/// Compares the expected resources with every resource of `deployed`.
pub fn check(expected: &[ExpectedResource], deployed: &Deployed<'_>) -> anyhow::Result<Report> {
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
    }
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
        let addresses: Vec<&str> = expected.iter().map(|r| &*r.address).collect();
        assert_eq!(
            addresses,
            ["aws_vpc.a", "aws_subnet.a", "aws_ec2_transit_gateway.t"]
        );
        assert_eq!(
            expected[1].attributes,
            vec![
                (
                    "vpc_id".into(),
                    Expected::Reference {
                        address: "aws_vpc.a".into(),
                        attribute: "id".into()
                    }
                ),
                (
                    "cidr_block".into(),
                    Expected::Literal("\"10.0.0.0/24\"".into())
                ),
            ]
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
