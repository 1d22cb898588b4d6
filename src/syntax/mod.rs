//! Raw syntax: the blueprint as written, HCL or JSON, as one small tree that keeps a span on every
//! node. Nothing here knows what a VPC is; `lower` gives the tree meaning.

mod delimiters;
mod hcl;
mod json;

use crate::diag::{Diagnostics, Span};
use crate::source::{Format, SourceFile};

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub ident: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ValueKind {
    Null,
    Bool(bool),
    /// The number as written, so that large integers keep their digits.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(Label, Value)>),
    /// An expression that is not a literal (variable, function call, interpolation, ...), described
    /// for the diagnostic.
    Expression(&'static str),
}

impl ValueKind {
    /// The type name used in "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "a bool",
            ValueKind::Number(_) => "a number",
            ValueKind::String(_) => "a string",
            ValueKind::Array(_) => "a list",
            ValueKind::Object(_) => "a map",
            ValueKind::Expression(what) => what,
        }
    }
}

/// Parses a blueprint into raw syntax. A file that cannot be parsed yields `None` and at least one
/// error; it never panics on user input.
pub fn parse(source: &SourceFile, diagnostics: &mut Diagnostics) -> Option<Body> {
    let text = match &source.text {
        Ok(text) => text,
        Err((problem, span)) => {
            diagnostics.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::Unreadable,
                    *span,
                    format!("blueprint `{}` {problem}", source.display),
                )
                .with_help("save the file as UTF-8"),
            );
            return None;
        }
    };
    match source.format {
        Format::Hcl => hcl::parse(text, diagnostics),
        Format::Json => json::parse(text, diagnostics),
    }
}
