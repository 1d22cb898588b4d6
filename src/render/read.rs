//! Reading generated Terraform back: the one reader every consumer of rendered text goes through.
//! Parse-back cuts a file at its top-level blocks ([`top_level_chunks`]); the stack README counts
//! blocks by their header ([`inventory`]); `diff` compares blocks by address and text ([`header`],
//! [`body`]); `drift` takes the attributes of every `resource` block as literals or references
//! ([`resources`]).
//!
//! What makes the cheap readers (headers, lines) exact is how our templates write: a top-level block
//! starts at column 0 with its keyword and a label or brace, nested blocks are indented, and no
//! template writes a heredoc, so no other line starts with a block keyword.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};

/// The keywords that start a top-level block in our templates.
const BLOCK_STARTS: [&str; 7] = [
    "resource \"",
    "data \"",
    "output \"",
    "variable \"",
    "provider \"",
    "check \"",
    "terraform {",
];

/// Whether `text` starts with the first line of a top-level block.
pub(crate) fn block_starts_at(text: &str) -> bool {
    BLOCK_STARTS.iter().any(|s| text.starts_with(s))
}

/// The rendered text cut before each top-level block (templates start those at column 0 with a
/// keyword and a label or brace). Parsing block by block proves the same as parsing the whole file,
/// but never holds the syntax tree of a large file at once. A cut in a wrong place can only make the
/// check stricter (a fragment fails to parse), never let a broken file through.
pub fn top_level_chunks(text: &str) -> Vec<&str> {
    let mut cuts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && block_starts_at(line) {
            cuts.push(offset);
        }
        offset += line.len();
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect()
}

/// The lines of a chunk that say something: trimmed, neither blank nor a comment.
fn significant_lines(chunk: &str) -> impl Iterator<Item = &str> {
    chunk
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The first line of a top-level block: `resource "aws_vpc" "app" {` is keyword `resource`, labels
/// `aws_vpc` and `app`.
#[derive(Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub keyword: &'a str,
    pub labels: Vec<&'a str>,
}

impl Header<'_> {
    /// The Terraform address of a `resource` (`TYPE.NAME`) or `data` (`data.TYPE.NAME`) block.
    pub fn address(&self) -> Option<String> {
        match (self.keyword, self.labels.as_slice()) {
            ("resource", [kind, name]) => Some(format!("{kind}.{name}")),
            ("data", [kind, name]) => Some(format!("data.{kind}.{name}")),
            _ => None,
        }
    }
}

/// The header of the block a chunk ([`top_level_chunks`]) holds; `None` for a chunk of comments.
pub fn header(chunk: &str) -> Option<Header<'_>> {
    let line = significant_lines(chunk).next()?;
    Some(Header {
        keyword: line.split_whitespace().next().unwrap_or_default(),
        labels: line.split('"').skip(1).step_by(2).collect(),
    })
}

/// The lines of a chunk after its header, trimmed, without blank lines and comments: two blocks
/// with the same body lines declare the same thing, nested blocks and values known only after apply
/// included.
pub fn body(chunk: &str) -> impl Iterator<Item = &str> {
    significant_lines(chunk).skip(1)
}

/// How many top-level blocks of one kind and type a file holds (`resource "aws_vpc"` → `aws_vpc`,
/// `data "aws_iam_policy_document"` → `data.aws_iam_policy_document`, `check` → `check`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockCount {
    pub kind: &'static str,
    pub name: String,
    pub count: usize,
}

/// The top-level `resource`, `data` and `check` blocks of rendered Terraform, counted by type in
/// name order, read from their headers.
pub fn inventory(text: &str) -> Vec<BlockCount> {
    let mut counts: std::collections::BTreeMap<(&'static str, String), usize> =
        std::collections::BTreeMap::new();
    for chunk in top_level_chunks(text) {
        let Some(header) = header(chunk) else {
            continue;
        };
        let key = match (header.keyword, header.labels.first()) {
            ("resource", Some(kind)) => ("resource", (*kind).to_string()),
            ("data", Some(kind)) => ("data", format!("data.{kind}")),
            ("check", Some(_)) => ("check", "check".to_string()),
            _ => continue,
        };
        *counts.entry(key).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((kind, name), count)| BlockCount { kind, name, count })
        .collect()
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

/// A chunk of generated Terraform parsed with hcl-edit (parse-back: a template bug is an error).
pub fn parse(chunk: &str) -> Result<Body, hcl_edit::parser::Error> {
    hcl_edit::parser::parse_body(chunk)
}

/// Terraform's meta-arguments, which are not resource attributes.
const META: &[&str] = &["count", "for_each", "depends_on", "provider", "lifecycle"];

/// What an attribute of a resource block is set to, when it can be known before apply.
#[derive(Debug, PartialEq)]
pub enum Value<'a> {
    /// A literal (strings, numbers, bools, lists and maps of those).
    Literal(serde_json::Value),
    /// Another resource's (or data source's) attribute: `aws_vpc.agents.id`,
    /// `data.aws_region.current.name`.
    Reference {
        data: bool,
        kind: &'a str,
        name: &'a str,
        attribute: &'a str,
    },
}

/// A `resource` block: its type, name, and the attributes whose value can be known before apply.
pub struct Resource<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    block: &'a Block,
}

impl<'a> Resource<'a> {
    /// `(name, value)` in file order; meta-arguments, nested blocks and anything known only after
    /// apply (function calls, templates) left out.
    pub fn attributes(&self) -> impl Iterator<Item = (&'a str, Value<'a>)> {
        self.block.body.iter().filter_map(|structure| {
            let Structure::Attribute(attribute) = structure else {
                return None;
            };
            let key = attribute.key.as_str();
            if META.contains(&key) {
                return None;
            }
            Some((key, value(&attribute.value)?))
        })
    }
}

/// Calls `each` with every `resource` block of a chunk of generated Terraform, in order.
pub fn resources(chunk: &str, mut each: impl FnMut(Resource<'_>)) -> anyhow::Result<()> {
    let body = parse(chunk).map_err(|e| anyhow::anyhow!("{e}"))?;
    for structure in &body {
        let Structure::Block(block) = structure else {
            continue;
        };
        if block.ident.as_str() != "resource" || block.labels.len() != 2 {
            continue;
        }
        each(Resource {
            kind: label(&block.labels[0]),
            name: label(&block.labels[1]),
            block,
        });
    }
    Ok(())
}

fn value(expr: &Expression) -> Option<Value<'_>> {
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
            ("data", [kind, name, attribute]) => Some(Value::Reference {
                data: true,
                kind,
                name,
                attribute,
            }),
            ("data" | "var" | "local" | "module" | "each" | "count" | "path", _) => None,
            (kind, [name, attribute]) => Some(Value::Reference {
                data: false,
                kind,
                name,
                attribute,
            }),
            _ => None,
        };
    }
    literal(expr).map(Value::Literal)
}

fn literal(expr: &Expression) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match expr {
        Expression::Null(_) => J::Null,
        Expression::Bool(b) => J::Bool(*b.value()),
        Expression::Number(n) => serde_json::to_value(n.value().as_f64()?).ok()?,
        Expression::String(s) => J::String(s.value().clone()),
        Expression::Array(array) => J::Array(array.iter().map(literal).collect::<Option<_>>()?),
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
            J::Object(map)
        }
        Expression::Parenthesis(inner) => literal(inner.inner())?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# marker\n\nresource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n  # why\n\n  tags = { Name = \"a\" }\n}\n\ndata \"aws_region\" \"r\" {}\n\ncheck \"c\" {\n  assert {\n    condition = true\n  }\n}\n\noutput \"o\" {\n  value = 1\n}\n";

    #[test]
    fn chunks_headers_and_bodies() {
        let chunks = top_level_chunks(TEXT);
        assert_eq!(chunks.len(), 5);
        assert_eq!(header(chunks[0]), None);
        let vpc = header(chunks[1]).unwrap();
        assert_eq!(vpc.address().as_deref(), Some("aws_vpc.a"));
        assert_eq!(
            body(chunks[1]).collect::<Vec<_>>(),
            [
                "cidr_block = \"10.0.0.0/16\"",
                "tags = { Name = \"a\" }",
                "}"
            ]
        );
        assert_eq!(
            header(chunks[2]).unwrap().address().as_deref(),
            Some("data.aws_region.r")
        );
        assert_eq!(header(chunks[3]).unwrap().address(), None);
        let names: Vec<String> = inventory(TEXT).into_iter().map(|b| b.name).collect();
        assert_eq!(names, ["check", "data.aws_region", "aws_vpc"]);
    }
}
