//! `agentform ci init`: the GitHub Actions workflow a repository of blueprints can adopt, rendered
//! from `templates/ci/agentform.yml.j2`.
//!
//! The template is YAML full of GitHub's own `${{ … }}` expressions, so it is rendered with its own
//! delimiters (`<@ … @>` for values, `<% … %>` for blocks) rather than the stack templates' ones.
//! [`init`] writes it and the route collector, and says what it wrote; nothing here prints.

use anyhow::Context as _;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};

const TEMPLATE: &str = include_str!("../templates/ci/agentform.yml.j2");

/// `scripts/collect-tgw.sh`, which the scheduled job runs to collect the `--aws DIR` layout. `ci
/// init` writes it into the adopting repository (at `Workflow::collector`) so the workflow needs
/// nothing from agentform's own repository but the binary.
pub const COLLECTOR: &str = include_str!("../scripts/collect-tgw.sh");

/// What the workflow is parameterised by.
#[derive(Debug, Serialize)]
pub struct Workflow {
    /// The directory of blueprints (relative to the repository root).
    pub blueprints: String,
    /// The directory of generated stacks.
    pub generated: String,
    /// The Terraform version to install.
    pub terraform: String,
    /// Where agentform is built from: `None` for the repository itself (`cargo install --path .`),
    /// or a git URL (`cargo install --git URL`).
    pub agentform_git: Option<String>,
    /// The revision of `agentform_git` (a tag, branch or commit); `None` for its default branch.
    pub agentform_rev: Option<String>,
    /// Where the workflow finds the route collector (relative to the repository root).
    pub collector: String,
}

/// The workflow's text.
pub fn render(workflow: &Workflow) -> anyhow::Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .block_delimiters("<%", "%>")
            .variable_delimiters("<@", "@>")
            .comment_delimiters("<#", "#>")
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .context("internal error: workflow template delimiters")?,
    );
    env.add_template("agentform.yml", TEMPLATE)
        .context("internal error: the workflow template does not parse")?;
    if let Some(url) = &workflow.agentform_git {
        // A URL lands in a shell word too: no quotes, spaces or shell syntax.
        let plain = url
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@~+".contains(c));
        let scheme = ["https://", "ssh://", "git@", "file://"]
            .iter()
            .any(|s| url.starts_with(s));
        if !plain || !scheme {
            anyhow::bail!(
                "the agentform git URL `{url}` must start with `https://`, `ssh://`, `git@` or `file://` and hold no spaces, quotes or shell syntax"
            );
        }
    } else if workflow.agentform_rev.is_some() {
        anyhow::bail!("`--agentform-rev` needs `--agentform-git`");
    }
    let revision = workflow
        .agentform_rev
        .iter()
        .map(|r| ("agentform revision", r));
    for (what, value) in [
        ("blueprint directory", &workflow.blueprints),
        ("generated directory", &workflow.generated),
        ("Terraform version", &workflow.terraform),
        ("collector path", &workflow.collector),
    ]
    .into_iter()
    .chain(revision)
    {
        // Values land in YAML scalars and shell words: keep them to plain path characters.
        if value.is_empty()
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        {
            anyhow::bail!(
                "the {what} `{value}` may hold only letters, digits, `.`, `_`, `-` and `/`"
            );
        }
    }
    env.get_template("agentform.yml")
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(workflow))))
        .context("internal error: the workflow template failed to render")
}

/// What `ci init` did.
#[derive(Debug)]
pub enum Init {
    /// Nothing was written: this file exists and overwriting was not allowed.
    Refused(PathBuf),
    /// The files written, in order, and the collector script when it was kept because it already
    /// had this version's text.
    Written {
        written: Vec<PathBuf>,
        kept: Option<PathBuf>,
    },
}

/// Writes the workflow to `out` and the route collector to `workflow.collector`, never over an
/// existing file unless `force` (an identical collector is left alone). Both are checked before
/// either is written: a refusal writes nothing.
pub fn init(out: &Path, force: bool, workflow: &Workflow) -> anyhow::Result<Init> {
    let text = render(workflow)?;
    let collector = Path::new(&workflow.collector);
    let same_collector =
        std::fs::read_to_string(collector).is_ok_and(|existing| existing == COLLECTOR);
    for path in [out, collector] {
        if path.exists() && !force && !(path == collector && same_collector) {
            return Ok(Init::Refused(path.to_path_buf()));
        }
    }
    let write = |path: &Path, text: &str| -> anyhow::Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write(out, &text)?;
    let mut written = vec![out.to_path_buf()];
    if !same_collector {
        write(collector, COLLECTOR)?;
        written.push(collector.to_path_buf());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(collector, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", collector.display()))?;
        }
    }
    Ok(Init::Written {
        written,
        kept: same_collector.then(|| collector.to_path_buf()),
    })
}
