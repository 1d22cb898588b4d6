//! Rendering: plan contexts → minijinja templates (embedded from `templates/`) → text, which is
//! parsed back with hcl-edit (a template bug is an internal error, never a broken file) and then
//! formatted exactly as `terraform fmt` would.
//!
//! Values reach HCL only through the `hcl` filter, which builds an hcl-rs expression and lets hcl-rs
//! write it (strings escaped, `${` and `%{` escaped). Labels go through `ident`, which rejects
//! anything that is not an identifier. The environment is strict: an undefined variable is an error.

pub mod format;
pub mod read;

use anyhow::{Context as _, bail};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

/// The templates, embedded so the binary works from any directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("macros.tf.j2", include_str!("../../templates/macros.tf.j2")),
    (
        "versions.tf.j2",
        include_str!("../../templates/versions.tf.j2"),
    ),
    (
        "providers.tf.j2",
        include_str!("../../templates/providers.tf.j2"),
    ),
    (
        "network.tf.j2",
        include_str!("../../templates/network.tf.j2"),
    ),
    (
        "interconnect.tf.j2",
        include_str!("../../templates/interconnect.tf.j2"),
    ),
    ("checks.tf.j2", include_str!("../../templates/checks.tf.j2")),
    (
        "remote_state.tf.j2",
        include_str!("../../templates/remote_state.tf.j2"),
    ),
    (
        "billing.tf.j2",
        include_str!("../../templates/billing.tf.j2"),
    ),
    (
        "ingress.tf.j2",
        include_str!("../../templates/ingress.tf.j2"),
    ),
    (
        "storage.tf.j2",
        include_str!("../../templates/storage.tf.j2"),
    ),
    (
        "identity.tf.j2",
        include_str!("../../templates/identity.tf.j2"),
    ),
    (
        "payments.tf.j2",
        include_str!("../../templates/payments.tf.j2"),
    ),
    ("audit.tf.j2", include_str!("../../templates/audit.tf.j2")),
    (
        "endpoints.tf.j2",
        include_str!("../../templates/endpoints.tf.j2"),
    ),
    (
        "outputs.tf.j2",
        include_str!("../../templates/outputs.tf.j2"),
    ),
    ("README.md.j2", include_str!("../../templates/README.md.j2")),
];

/// A template context, produced when its part is expanded (`plan::Context`).
pub trait Context: Fn() -> Value + Sync {}
impl<F: Fn() -> Value + Sync> Context for F {}

pub struct Renderer {
    env: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("default delimiters are valid"),
        );
        env.add_filter("hcl", hcl_filter);
        env.add_filter("ident", ident_filter);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("embedded templates parse");
        }
        Renderer { env }
    }

    /// Renders a text file (Markdown): the template alone, trailing whitespace trimmed.
    pub fn render_text(&self, template: &str, contexts: &[impl Context]) -> anyhow::Result<String> {
        let text = self.expand_parts(template, contexts)?;
        let mut out = String::with_capacity(text.len());
        for line in text.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        Ok(out)
    }

    /// The template expanded for one context, neither parsed back nor formatted: for readers that
    /// parse the text themselves (`drift`), to whom formatting (whitespace) makes no difference.
    pub fn expand_unformatted(
        &self,
        template: &str,
        context: &impl Context,
    ) -> anyhow::Result<String> {
        self.expand(template, &context())
    }

    /// Expands the template once per part, side by side, and joins the texts in order.
    /// Each part's context is converted in the thread that expands it, and dropped after.
    fn expand_parts(&self, template: &str, contexts: &[impl Context]) -> anyhow::Result<String> {
        if let [context] = contexts {
            return self.expand(template, &context());
        }
        let texts: Vec<anyhow::Result<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = contexts
                .iter()
                .map(|context| scope.spawn(move || self.expand(template, &context())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("expansion does not panic"))
                .collect()
        });
        texts.into_iter().collect()
    }

    fn expand(&self, template: &str, context: &Value) -> anyhow::Result<String> {
        self.env
            .get_template(template)
            .and_then(|t| t.render(context))
            .with_context(|| format!("internal error: template `{template}` failed to render"))
    }

    /// Renders one Terraform file: template, parse-back check, canonical formatting. Parse-back and
    /// formatting of a large file are spread over the machine's cores, cut at top-level blocks.
    pub fn render(&self, template: &str, contexts: &[impl Context]) -> anyhow::Result<String> {
        let text = self.expand_parts(template, contexts)?;
        let threads = parallelism(text.len());
        let chunks = read::top_level_chunks(&text);
        let groups = balanced_groups(&chunks, threads);
        let failure = std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .iter()
                .map(|group| {
                    scope.spawn(move || {
                        group.iter().find_map(|chunk| {
                            read::parse(chunk)
                                .err()
                                .map(|error| format!("{error}\n--- output ---\n{chunk}"))
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .find_map(|h| h.join().expect("parse-back does not panic"))
        });
        if let Some(failure) = failure {
            bail!("internal error: template `{template}` produced invalid HCL:\n{failure}");
        }
        Ok(format_in_parts(&text, threads))
    }
}

/// How many threads a text of `len` bytes is worth: one below a megabyte, else the cores.
pub(crate) fn parallelism(len: usize) -> usize {
    if len < 1 << 20 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
}

/// Consecutive chunks grouped into at most `n` groups of similar total size.
pub(crate) fn balanced_groups<'a>(chunks: &[&'a str], n: usize) -> Vec<Vec<&'a str>> {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    let target = total.div_ceil(n.max(1)).max(1);
    let mut groups: Vec<Vec<&str>> = vec![Vec::new()];
    let mut size = 0;
    for chunk in chunks {
        if size >= target && groups.len() < n {
            groups.push(Vec::new());
            size = 0;
        }
        size += chunk.len();
        groups.last_mut().expect("one group").push(chunk);
    }
    groups
}

/// `format::format`, run on up to `n` parts of the text in parallel. Parts are cut only before a
/// top-level block that follows a top-level `}` and a blank line: formatting never carries state
/// across such a point (depth 0, no alignment run, one blank line between blocks), so the parts
/// joined by a blank line are byte-identical to formatting the whole text.
fn format_in_parts(text: &str, n: usize) -> String {
    if n < 2 {
        return format::format(text);
    }
    let mut cuts = vec![0];
    let step = text.len() / n;
    for k in 1..n {
        let from = (k * step).max(*cuts.last().expect("one cut"));
        let mut at = from;
        while let Some(found) = text[at..].find("\n}\n\n") {
            let next = at + found + 4;
            if read::block_starts_at(&text[next..]) {
                cuts.push(next);
                break;
            }
            at = next;
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    let parts: Vec<&str> = cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect();
    let formatted: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| scope.spawn(move || format::format(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("formatting does not panic"))
            .collect()
    });
    formatted.join("\n")
}

/// `{{ value | hcl }}`: any context value as an HCL expression.
fn hcl_filter(value: &Value) -> Result<String, Error> {
    let json = serde_json::to_value(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("value cannot be encoded: {e}"),
        )
    })?;
    let mut out = String::new();
    layout(&json, &mut out)?;
    Ok(out)
}

/// Lays out collections the way a person writes Terraform: a list of plain values on one line, a
/// list of objects one element per line, a map one entry per line (keys as identifiers where they
/// are identifiers, quoted otherwise). Every scalar and key is encoded by hcl-rs. Indentation and
/// `=` alignment are left to the final formatting pass.
fn layout(value: &serde_json::Value, out: &mut String) -> Result<(), Error> {
    use serde_json::Value as J;
    let scalar = |v: &J| !matches!(v, J::Array(_) | J::Object(_)) || reference_path(v).is_some();
    match value {
        J::Array(items) if items.iter().all(scalar) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                layout(item, out)?;
            }
            out.push(']');
        }
        J::Array(items) => {
            out.push_str("[\n");
            for item in items {
                layout(item, out)?;
                out.push_str(",\n");
            }
            out.push(']');
        }
        J::Object(_) if reference_path(value).is_some() => {
            let path = reference_path(value).unwrap_or_default();
            let traversal = encode(&reference(path)?)?;
            let prefix = value.get("$prefix").and_then(J::as_str);
            let suffix = value.get("$suffix").and_then(J::as_str);
            if prefix.is_none() && suffix.is_none() {
                out.push_str(&traversal);
            } else {
                // `"PREFIX${PATH}SUFFIX"`: prefix and suffix are encoded as strings (so `${` in
                // them is escaped), without their quotes.
                let quoted = |text: &str| encode(&hcl::Expression::String(text.to_string()));
                let prefix = quoted(prefix.unwrap_or(""))?;
                let suffix = quoted(suffix.unwrap_or(""))?;
                out.push_str(&format!(
                    "{}${{{traversal}}}{}",
                    &prefix[..prefix.len() - 1],
                    &suffix[1..]
                ));
            }
        }
        J::Object(map) if map.is_empty() => out.push_str("{}"),
        J::Object(map) => {
            out.push_str("{\n");
            for (key, item) in map {
                match hcl::Identifier::new(key.as_str()) {
                    Ok(ident) => out.push_str(ident.as_str()),
                    Err(_) => out.push_str(&encode(&hcl::Expression::String(key.clone()))?),
                }
                out.push_str(" = ");
                layout(item, out)?;
                out.push('\n');
            }
            out.push('}');
        }
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => {
            let number = n
                .as_i64()
                .map(hcl::Number::from)
                .or_else(|| n.as_u64().map(hcl::Number::from))
                .or_else(|| n.as_f64().and_then(hcl::Number::from_f64))
                .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "number out of range"))?;
            out.push_str(&encode(&hcl::Expression::Number(number))?);
        }
        J::String(text) => out.push_str(&encode(&hcl::Expression::String(text.clone()))?),
    }
    Ok(())
}

/// The path of a `{"$ref": "..."}` value (a `plan::Ref`).
fn reference_path(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::Object(map)
            if map.contains_key("$ref")
                && map
                    .keys()
                    .all(|k| matches!(k.as_str(), "$ref" | "$prefix" | "$suffix")) =>
        {
            map.get("$ref")?.as_str()
        }
        _ => None,
    }
}

fn encode(expr: &hcl::Expression) -> Result<String, Error> {
    hcl::format::to_string(expr).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// `a.b.c` as a traversal; every part must be an identifier.
fn reference(path: &str) -> Result<hcl::Expression, Error> {
    let bad = || {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`{path}` is not a reference"),
        )
    };
    let mut parts = path.split('.');
    let root = hcl::expr::Variable::new(parts.next().ok_or_else(bad)?).map_err(|_| bad())?;
    let operators: Vec<hcl::expr::TraversalOperator> = parts
        .map(|p| {
            hcl::Identifier::new(p)
                .map(hcl::expr::TraversalOperator::GetAttr)
                .map_err(|_| bad())
        })
        .collect::<Result<_, _>>()?;
    if operators.is_empty() {
        return Ok(hcl::Expression::Variable(root));
    }
    Ok(hcl::Expression::from(hcl::expr::Traversal::new(
        root, operators,
    )))
}

/// `{{ label | ident }}`: a Terraform label or name, checked to be an identifier.
fn ident_filter(value: &str) -> Result<String, Error> {
    hcl::Identifier::new(value)
        .map(|i| i.to_string())
        .map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("`{value}` is not an identifier"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_and_references_are_traversals() {
        let v = Value::from(minijinja::value::Serde(serde_json::json!(
            "a \"b\" ${c} %{d}"
        )));
        assert_eq!(hcl_filter(&v).unwrap(), r#""a \"b\" $${c} %%{d}""#);
        let r = Value::from(minijinja::value::Serde(
            serde_json::json!({"$ref": "aws_vpc.a.id"}),
        ));
        let suffixed = Value::from(minijinja::value::Serde(
            serde_json::json!({"$ref": "aws_s3_bucket.a.arn", "$suffix": "/x/${y}*"}),
        ));
        assert_eq!(
            hcl_filter(&suffixed).unwrap(),
            r#""${aws_s3_bucket.a.arn}/x/$${y}*""#
        );
        assert_eq!(hcl_filter(&r).unwrap(), "aws_vpc.a.id");
        let bad = Value::from(minijinja::value::Serde(
            serde_json::json!({"$ref": "aws_vpc.a b.id"}),
        ));
        assert!(hcl_filter(&bad).is_err());
        assert!(ident_filter("x\"y").is_err());
    }

    #[test]
    fn formatting_in_parts_equals_formatting_the_whole() {
        let text = crate::synth::blueprint(60, 4);
        let source = crate::source::SourceFile::from_text("synth.hcl", &text);
        let model = crate::analyze(&source, &crate::lower::Overrides::default())
            .into_valid()
            .expect("valid");
        let plan = crate::plan::plan(&model).expect("planned");
        let renderer = Renderer::new();
        for file in plan.stacks[0].files.iter().filter(|f| f.is_terraform()) {
            let raw = renderer
                .expand_parts(file.template, &file.contexts)
                .unwrap();
            let whole = format::format(&raw);
            for parts in 2..6 {
                assert_eq!(
                    format_in_parts(&raw, parts),
                    whole,
                    "{} in {parts} parts",
                    file.name
                );
            }
        }
    }

    #[test]
    fn a_file_rendered_in_parts_equals_the_whole() {
        let text = crate::synth::blueprint(1_100, 4);
        let source = crate::source::SourceFile::from_text("synth.hcl", &text);
        let model = crate::analyze(&source, &crate::lower::Overrides::default())
            .into_valid()
            .expect("valid");
        let layout = crate::plan::layout::layout(model.model());
        let crossings = crate::plan::layout::crossings(model.model(), &layout);
        let view = crate::plan::network::plan(
            model.model(),
            model.intent(),
            model.reach(),
            &mut crate::plan::labels::LabelSpace::default(),
            &crate::plan::layout::Scope {
                model: model.model(),
                layout: &layout,
                stack: 0,
                crossings: &crossings,
            },
        );
        let parts: Vec<Value> = crate::plan::network::parts(&view)
            .iter()
            .map(|p| Value::from(minijinja::value::Serde(p)))
            .collect();
        let parts: Vec<_> = parts.into_iter().map(|p| move || p.clone()).collect();
        assert_eq!(parts.len(), 3);
        let renderer = Renderer::new();
        let whole = renderer
            .render(
                "network.tf.j2",
                &[|| Value::from(minijinja::value::Serde(&view))],
            )
            .unwrap();
        assert_eq!(renderer.render("network.tf.j2", &parts).unwrap(), whole);
    }
}
