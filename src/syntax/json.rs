//! JSON blueprints, in Terraform's JSON convention: a labeled block `vpc "a" { ... }` is
//! `{"vpc": {"a": { ... }}}`, and any block level may also be an array of such objects. Telling a
//! block from a map-valued attribute needs the schema, so this reader consults `crate::schema`.
//! Strict JSON only (no trailing commas; comments as Terraform's `"//"` keys); `jsonc-parser` provides the byte ranges that
//! `serde_json` does not.

use super::delimiters::{self, Flavor};
use super::{Attribute, Block, Body, Label, Value, ValueKind};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::schema::{self, BlockSchema};
use crate::source::LineIndex;
use jsonc_parser::ast;

pub(super) fn parse(text: &str, diagnostics: &mut Diagnostics) -> Option<Body> {
    let index = LineIndex::new(text);
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = match jsonc_parser::parse_to_ast(
        text,
        &jsonc_parser::CollectOptions::default(),
        &options,
    ) {
        Ok(parsed) => parsed,
        Err(error) => {
            if let Some(found) = delimiters::diagnose(text, Flavor::Json, error.range().end) {
                diagnostics.push(found);
                return None;
            }
            diagnostics.push(Diagnostic::error(
                Code::JsonSyntax,
                index.range(error.range().start, error.range().end),
                format!(
                    "invalid JSON: {}",
                    lowercase_first(&error.kind().to_string())
                ),
            ));
            return None;
        }
    };
    match parsed.value {
        None => Some(Body::default()),
        Some(ast::Value::Object(object)) => {
            let reader = Reader { index: &index };
            Some(reader.body(&object, &schema::ROOT))
        }
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::JsonSyntax,
                index.span(other_range(&other).start),
                "a JSON blueprint must be an object of blocks, like `{\"platform\": {\"agents\": {...}}}`",
            ));
            None
        }
    }
}

fn other_range(value: &ast::Value) -> jsonc_parser::common::Range {
    match value {
        ast::Value::StringLit(v) => v.range,
        ast::Value::NumberLit(v) => v.range,
        ast::Value::BooleanLit(v) => v.range,
        ast::Value::Object(v) => v.range,
        ast::Value::Array(v) => v.range,
        ast::Value::NullKeyword(v) => v.range,
    }
}

struct Reader<'a> {
    index: &'a LineIndex<'a>,
}

impl Reader<'_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        self.index.range(range.start, range.end)
    }

    fn body(&self, object: &ast::Object, schema: &BlockSchema) -> Body {
        let mut body = Body::default();
        for prop in &object.properties {
            // Terraform's JSON syntax reserves the key `//` for comments.
            if prop.name.as_str() == "//" {
                continue;
            }
            let key = prop.name.as_str().to_string();
            let key_span = self.span(prop_name_range(&prop.name));
            let nested = schema.block(&key);
            // At the top level every key is a block; unknown ones become unknown blocks.
            let is_root = schema.name.is_empty();
            match nested {
                Some(block_schema) => {
                    self.blocks(&key, key_span, &prop.value, block_schema, &mut body);
                }
                None if is_root => body.blocks.push(Block {
                    ident: key,
                    span: key_span,
                    labels: Vec::new(),
                    body: Body::default(),
                }),
                None => body.attributes.push(Attribute {
                    key,
                    key_span,
                    value: self.value(&prop.value),
                }),
            }
        }
        body
    }

    /// One block key: its value is a label map (or body, for unlabeled blocks), or an array of them.
    fn blocks(
        &self,
        ident: &str,
        span: Span,
        value: &ast::Value,
        schema: &BlockSchema,
        body: &mut Body,
    ) {
        let items: Vec<&ast::Value> = match value {
            ast::Value::Array(array) => array.elements.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let ast::Value::Object(object) = item else {
                // Keep it as an attribute so lowering reports the wrong type at this place.
                body.attributes.push(Attribute {
                    key: ident.to_string(),
                    key_span: span,
                    value: self.value(item),
                });
                continue;
            };
            if schema.labels == 0 {
                body.blocks.push(Block {
                    ident: ident.to_string(),
                    span,
                    labels: Vec::new(),
                    body: self.block_body(object, schema),
                });
                continue;
            }
            for prop in &object.properties {
                if prop.name.as_str() == "//" {
                    continue;
                }
                let label_span = self.span(prop_name_range(&prop.name));
                let inner = match &prop.value {
                    ast::Value::Object(inner) => self.block_body(inner, schema),
                    other => {
                        let mut b = Body::default();
                        b.attributes.push(Attribute {
                            key: prop.name.as_str().to_string(),
                            key_span: label_span,
                            value: self.value(other),
                        });
                        b
                    }
                };
                body.blocks.push(Block {
                    ident: ident.to_string(),
                    span,
                    labels: vec![Label {
                        value: prop.name.as_str().to_string(),
                        span: label_span,
                    }],
                    body: inner,
                });
            }
        }
    }

    fn block_body(&self, object: &ast::Object, schema: &BlockSchema) -> Body {
        self.body(object, schema)
    }

    fn value(&self, value: &ast::Value) -> Value {
        let (kind, range) = match value {
            ast::Value::NullKeyword(v) => (ValueKind::Null, v.range),
            ast::Value::BooleanLit(v) => (ValueKind::Bool(v.value), v.range),
            ast::Value::NumberLit(v) => (ValueKind::Number(v.value.to_string()), v.range),
            ast::Value::StringLit(v) if v.value.contains("${") || v.value.contains("%{") => (
                ValueKind::Expression("a string template with interpolation"),
                v.range,
            ),
            ast::Value::StringLit(v) => (ValueKind::String(v.value.to_string()), v.range),
            ast::Value::Array(v) => (
                ValueKind::Array(v.elements.iter().map(|e| self.value(e)).collect()),
                v.range,
            ),
            ast::Value::Object(v) => (
                ValueKind::Object(
                    v.properties
                        .iter()
                        .map(|p| {
                            (
                                Label {
                                    value: p.name.as_str().to_string(),
                                    span: self.span(prop_name_range(&p.name)),
                                },
                                self.value(&p.value),
                            )
                        })
                        .collect(),
                ),
                v.range,
            ),
        };
        Value {
            kind,
            span: self.span(range),
        }
    }
}

fn prop_name_range(name: &ast::ObjectPropName) -> jsonc_parser::common::Range {
    match name {
        ast::ObjectPropName::String(s) => s.range,
        ast::ObjectPropName::Word(w) => w.range,
    }
}

/// jsonc-parser's messages start with a capital; ours never do.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}
