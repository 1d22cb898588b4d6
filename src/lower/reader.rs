//! Reading one block's body against its schema: unknown and duplicate attributes, unknown nested
//! blocks, and typed accessors that report wrong types and missing values at the right place.

use crate::diag::{Code, Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use crate::schema::BlockSchema;
use crate::syntax::{Attribute, Block, Body, Value, ValueKind};

pub(crate) struct BlockReader<'a> {
    body: &'a Body,
    /// Attributes an unknown attribute was taken for ("did you mean"): not reported missing again.
    suggested: Vec<&'static str>,
    /// How messages name the block, e.g. ``vpc `agents` ``.
    owner: String,
    span: Span,
}

impl<'a> BlockReader<'a> {
    /// Checks the body's attribute names and nested block names against `schema`.
    pub fn new(
        block: &'a Block,
        schema: &BlockSchema,
        owner: String,
        diagnostics: &mut Diagnostics,
    ) -> Self {
        let body = &block.body;
        let mut suggested = Vec::new();
        for (i, attribute) in body.attributes.iter().enumerate() {
            if !schema.attributes.contains(&attribute.key.as_str()) {
                let mut d = Diagnostic::error(
                    Code::UnknownAttribute,
                    attribute.key_span,
                    format!("{owner} has no attribute `{}`", attribute.key),
                );
                if let Some(help) = did_you_mean(&attribute.key, schema.attributes.iter().copied())
                {
                    suggested.extend(
                        schema
                            .attributes
                            .iter()
                            .copied()
                            .filter(|a| help.contains(&format!("`{a}`"))),
                    );
                    d = d.with_help(help);
                } else if schema.block(&attribute.key).is_some() {
                    d = d.with_help(format!(
                        "`{}` is a block: write `{} \"NAME\" {{ ... }}`",
                        attribute.key, attribute.key
                    ));
                } else {
                    d = d.with_help(format!("known attributes: {}", list(schema.attributes)));
                }
                diagnostics.push(d);
            } else if let Some(first) = body.attributes[..i].iter().find(|a| a.key == attribute.key)
            {
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateAttribute,
                        attribute.key_span,
                        format!("attribute `{}` is set twice in {owner}", attribute.key),
                    )
                    .with_label(first.key_span, "first set here"),
                );
            }
        }
        for nested in &body.blocks {
            if schema.block(&nested.ident).is_none() {
                let names: Vec<&str> = schema.blocks.iter().map(|b| b.name).collect();
                let mut d = Diagnostic::error(
                    Code::UnknownBlock,
                    nested.span,
                    format!("{owner} has no block `{}`", nested.ident),
                );
                if let Some(help) = did_you_mean(&nested.ident, names.iter().copied()) {
                    d = d.with_help(help);
                } else if schema.attributes.contains(&nested.ident.as_str()) {
                    d = d.with_help(format!(
                        "`{}` is an attribute: write `{} = ...`",
                        nested.ident, nested.ident
                    ));
                }
                diagnostics.push(d);
            }
        }
        BlockReader {
            body,
            suggested,
            owner,
            span: block.labels.first().map_or(block.span, |l| l.span),
        }
    }

    /// A reader for a block whose body [`BlockReader::new`] has already checked: a second pass
    /// reading attributes every block shares (`account`) reports nothing about the schema again.
    pub fn checked(block: &'a Block, owner: String) -> Self {
        BlockReader {
            body: &block.body,
            suggested: Vec::new(),
            owner,
            span: block.labels.first().map_or(block.span, |l| l.span),
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn blocks(&self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.body.blocks.iter().filter(move |b| b.ident == ident)
    }

    fn attribute(&self, key: &str) -> Option<&'a Attribute> {
        self.body.attributes.iter().find(|a| a.key == key)
    }

    /// The literal value of `key`, if present; non-literal expressions are reported and skipped.
    fn value(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<&'a Value> {
        let attribute = self.attribute(key)?;
        literal(
            &attribute.value,
            &format!("`{key}` of {}", self.owner),
            diagnostics,
        )
        .then_some(&attribute.value)
    }

    pub fn missing(&self, key: &str, what: &str, diagnostics: &mut Diagnostics) {
        if self.suggested.contains(&key) {
            // Already reported as the likely misspelling of an unknown attribute.
            return;
        }
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                self.span,
                format!("{} is missing `{key}`", self.owner),
            )
            .with_help(format!("add `{key} = {what}`")),
        );
    }

    fn wrong_type(&self, key: &str, expected: &str, value: &Value, diagnostics: &mut Diagnostics) {
        let mut d = Diagnostic::error(
            Code::WrongType,
            value.span,
            format!(
                "`{key}` of {} must be {expected}, found {}",
                self.owner,
                value.kind.type_name()
            ),
        );
        if matches!(value.kind, ValueKind::Number(_)) && expected.contains("string") {
            d = d.with_help("quote the value");
        }
        diagnostics.push(d);
    }

    pub fn string(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<String>> {
        let value = self.value(key, diagnostics)?;
        match &value.kind {
            ValueKind::String(s) => Some(Spanned::new(s.clone(), value.span)),
            _ => {
                self.wrong_type(key, "a string", value, diagnostics);
                None
            }
        }
    }

    pub fn required_string(
        &self,
        key: &str,
        example: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Spanned<String>> {
        if self.attribute(key).is_none() {
            self.missing(key, example, diagnostics);
            return None;
        }
        self.string(key, diagnostics)
    }

    pub fn bool(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<bool>> {
        let value = self.value(key, diagnostics)?;
        match &value.kind {
            ValueKind::Bool(b) => Some(Spanned::new(*b, value.span)),
            _ => {
                self.wrong_type(key, "`true` or `false`", value, diagnostics);
                None
            }
        }
    }

    /// A whole number in `range`.
    pub fn u32(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<u32>> {
        let value = self.value(key, diagnostics)?;
        match &value.kind {
            ValueKind::Number(n) => {
                if let Ok(number) = n.parse::<u32>() {
                    Some(Spanned::new(number, value.span))
                } else {
                    self.wrong_type(
                        key,
                        "a whole number between 0 and 4294967295",
                        value,
                        diagnostics,
                    );
                    None
                }
            }
            _ => {
                self.wrong_type(key, "a whole number", value, diagnostics);
                None
            }
        }
    }

    pub fn required_u32(
        &self,
        key: &str,
        example: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Spanned<u32>> {
        if self.attribute(key).is_none() {
            self.missing(key, example, diagnostics);
            return None;
        }
        self.u32(key, diagnostics)
    }

    /// A list of strings; `None` when absent or mistyped (mistyped elements are each reported).
    pub fn string_list(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<Spanned<String>>> {
        let value = self.value(key, diagnostics)?;
        let ValueKind::Array(items) = &value.kind else {
            self.wrong_type(key, "a list of strings", value, diagnostics);
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match &item.kind {
                ValueKind::String(s) => out.push(Spanned::new(s.clone(), item.span)),
                _ => {
                    ok &= literal(item, &format!("an element of `{key}`"), diagnostics)
                        && self.element_type(key, item, diagnostics);
                }
            }
        }
        ok.then_some(out)
    }

    fn element_type(&self, key: &str, item: &Value, diagnostics: &mut Diagnostics) -> bool {
        diagnostics.push(Diagnostic::error(
            Code::WrongType,
            item.span,
            format!(
                "elements of `{key}` in {} must be strings, found {}",
                self.owner,
                item.kind.type_name()
            ),
        ));
        false
    }

    pub fn required_string_list(
        &self,
        key: &str,
        example: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<Spanned<String>>> {
        if self.attribute(key).is_none() {
            self.missing(key, example, diagnostics);
            return None;
        }
        self.string_list(key, diagnostics)
    }

    /// Where `key`'s value is written, if present.
    pub fn span_of(&self, key: &str) -> Option<Span> {
        self.attribute(key).map(|a| a.value.span)
    }

    /// A list of whole numbers; `None` when absent or mistyped (mistyped elements are each reported).
    pub fn u32_list(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<Vec<Spanned<u32>>> {
        let value = self.value(key, diagnostics)?;
        let ValueKind::Array(items) = &value.kind else {
            self.wrong_type(key, "a list of whole numbers", value, diagnostics);
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match &item.kind {
                ValueKind::Number(n) if n.parse::<u32>().is_ok() => {
                    out.push(Spanned::new(
                        n.parse::<u32>().unwrap_or_default(),
                        item.span,
                    ));
                }
                _ => {
                    diagnostics.push(Diagnostic::error(
                        Code::WrongType,
                        item.span,
                        format!(
                            "elements of `{key}` in {} must be whole numbers, found {}",
                            self.owner,
                            item.kind.type_name()
                        ),
                    ));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A map of string values, keys in the order written.
    pub fn string_map(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
        let value = self.value(key, diagnostics)?;
        let ValueKind::Object(entries) = &value.kind else {
            self.wrong_type(key, "a map of strings", value, diagnostics);
            return None;
        };
        let mut out: Vec<(Spanned<String>, Spanned<String>)> = Vec::new();
        let mut ok = true;
        for (k, v) in entries {
            if !literal(v, &format!("an entry of `{key}`"), diagnostics) {
                ok = false;
                continue;
            }
            let ValueKind::String(text) = &v.kind else {
                diagnostics.push(Diagnostic::error(
                    Code::WrongType,
                    v.span,
                    format!(
                        "`{key}.{}` in {} must be a string, found {}",
                        k.value,
                        self.owner,
                        v.kind.type_name()
                    ),
                ));
                ok = false;
                continue;
            };
            if let Some((first, _)) = out.iter().find(|(existing, _)| existing.value == k.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateAttribute,
                        k.span,
                        format!(
                            "key `{}` is set twice in `{key}` of {}",
                            k.value, self.owner
                        ),
                    )
                    .with_label(first.span, "first set here"),
                );
                ok = false;
                continue;
            }
            out.push((
                Spanned::new(k.value.clone(), k.span),
                Spanned::new(text.clone(), v.span),
            ));
        }
        ok.then_some(out)
    }
}

/// Reports a non-literal value (variable, function call, interpolation); true when literal.
fn literal(value: &Value, what: &str, diagnostics: &mut Diagnostics) -> bool {
    match &value.kind {
        ValueKind::Expression(kind) => {
            diagnostics.push(
                Diagnostic::error(Code::Expression, value.span, format!("{what} is {kind}; blueprints take literal values only"))
                    .with_help("write the value itself: blueprints are data, so the generated Terraform is exactly what a reviewer reads"),
            );
            false
        }
        ValueKind::Array(items) => items.iter().all(|item| literal(item, what, diagnostics)),
        _ => true,
    }
}

pub(super) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
