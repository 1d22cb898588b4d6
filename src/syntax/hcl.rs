//! HCL blueprints, read with `hcl-edit` because it keeps the byte span of every node (the serde path
//! of `hcl-rs` loses positions).

use super::delimiters::{self, Flavor};
use super::{Attribute, Block, Body, Label, Value, ValueKind};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::source::LineIndex;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{self, BlockLabel, Structure};

pub(super) fn parse(text: &str, diagnostics: &mut Diagnostics) -> Option<Body> {
    let index = LineIndex::new(text);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Some(lower_body(&body, &index)),
        Err(error) => {
            let location = error.location();
            if let Some(found) = delimiters::diagnose(text, Flavor::Hcl, location.offset()) {
                diagnostics.push(found);
                return None;
            }
            let offset = location.offset().min(text.len());
            let message = error.message().trim().replace('\n', "; ");
            // The two mistakes hcl-edit words least clearly, in Terraform's words.
            let before = text[..offset].trim_end_matches([' ', '\t']);
            if message.starts_with("expected newline") && !before.ends_with('\n') {
                let word_end = text[offset..]
                    .find(|c: char| c.is_whitespace() || c == '=')
                    .map_or(text.len(), |n| offset + n);
                diagnostics.push(
                    Diagnostic::error(
                        Code::Syntax,
                        index.range(offset, word_end.max(offset + 1).min(text.len())),
                        "missing newline after argument",
                    )
                    .with_primary_label("a new argument starts on the same line")
                    .with_help("put each argument on its own line"),
                );
                return None;
            }
            if before.ends_with('=') && message.starts_with("invalid expression") {
                let equals = before.len() - 1;
                let line_start = text[..equals].rfind('\n').map_or(0, |n| n + 1);
                let key = text[line_start..equals].trim();
                diagnostics.push(
                    Diagnostic::error(
                        Code::Syntax,
                        index.range(equals, equals + 1),
                        format!("missing value: `{key} =` has nothing after `=`"),
                    )
                    .with_primary_label("nothing follows this `=` on its line")
                    .with_help("write the value on the same line, after `=`"),
                );
                return None;
            }
            let span = index.span(offset);
            // Quote the offending line so the message names what is wrong, not only where.
            let line: String = error.line().trim().chars().take(60).collect();
            let quoted = if line.is_empty() {
                String::new()
            } else {
                format!(" in `{line}`")
            };
            diagnostics.push(Diagnostic::error(
                Code::Syntax,
                span,
                format!("invalid HCL{quoted}: {message}"),
            ));
            None
        }
    }
}

fn span_of(node: &impl hcl_edit::Span, index: &LineIndex) -> Span {
    node.span()
        .map_or(Span::START, |range| index.range(range.start, range.end))
}

fn lower_body(body: &structure::Body, index: &LineIndex) -> Body {
    let mut out = Body::default();
    for structure in body {
        match structure {
            Structure::Attribute(attribute) => out.attributes.push(Attribute {
                key: attribute.key.as_str().to_string(),
                key_span: span_of(&attribute.key, index),
                value: lower_expr(&attribute.value, index),
            }),
            Structure::Block(block) => out.blocks.push(Block {
                ident: block.ident.as_str().to_string(),
                span: span_of(&block.ident, index),
                labels: block
                    .labels
                    .iter()
                    .map(|label| Label {
                        value: match label {
                            BlockLabel::Ident(ident) => ident.as_str().to_string(),
                            BlockLabel::String(string) => string.as_str().to_string(),
                        },
                        span: span_of(label, index),
                    })
                    .collect(),
                body: lower_body(&block.body, index),
            }),
        }
    }
    out
}

fn lower_expr(expr: &Expression, index: &LineIndex) -> Value {
    let span = span_of(expr, index);
    let kind = match expr {
        Expression::Null(_) => ValueKind::Null,
        Expression::Bool(b) => ValueKind::Bool(*b.value()),
        Expression::Number(n) => ValueKind::Number(n.value().to_string()),
        Expression::String(s) => ValueKind::String(s.value().clone()),
        Expression::Array(array) => {
            ValueKind::Array(array.iter().map(|e| lower_expr(e, index)).collect())
        }
        Expression::Object(object) => {
            let mut entries = Vec::new();
            for (key, value) in object {
                let key_span = span_of(key, index);
                let key_text = match key {
                    ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
                    ObjectKey::Expression(_) => None,
                };
                let value = lower_expr(value.expr(), index);
                match key_text {
                    Some(text) => entries.push((
                        Label {
                            value: text,
                            span: key_span,
                        },
                        value,
                    )),
                    // A computed key cannot be read as data; report it through the value.
                    None => entries.push((
                        Label {
                            value: String::new(),
                            span: key_span,
                        },
                        Value {
                            kind: ValueKind::Expression("a computed map key"),
                            span: key_span,
                        },
                    )),
                }
            }
            ValueKind::Object(entries)
        }
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
            ValueKind::Expression("a string template with interpolation")
        }
        Expression::Parenthesis(inner) => return lower_expr(inner.inner(), index),
        Expression::Variable(_) | Expression::Traversal(_) => {
            ValueKind::Expression("a variable reference")
        }
        Expression::FuncCall(_) => ValueKind::Expression("a function call"),
        Expression::Conditional(_) => ValueKind::Expression("a conditional expression"),
        Expression::UnaryOp(op) => return negative_number(op, span, index),
        Expression::BinaryOp(_) => ValueKind::Expression("an operation"),
        Expression::ForExpr(_) => ValueKind::Expression("a for expression"),
    };
    Value { kind, span }
}

/// `-1` parses as a unary minus applied to `1`; keep it a number literal.
fn negative_number(op: &hcl_edit::expr::UnaryOp, span: Span, index: &LineIndex) -> Value {
    let operand = lower_expr(&op.expr, index);
    let kind = match (op.operator.value(), operand.kind) {
        (hcl_edit::expr::UnaryOperator::Neg, ValueKind::Number(n)) => {
            ValueKind::Number(format!("-{n}"))
        }
        _ => ValueKind::Expression("an operation"),
    };
    Value { kind, span }
}
