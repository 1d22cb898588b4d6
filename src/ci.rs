//! `agentform ci init`: the GitHub Actions workflow a repository of blueprints can adopt, rendered
//! from `templates/ci/agentform.yml.j2`.
//!
//! The template is YAML full of GitHub's own `${{ … }}` expressions, so it is rendered with its own
//! delimiters (`<@ … @>` for values, `<% … %>` for blocks) rather than the stack templates' ones.
//! [`init`] writes it and the route collector, and says what it wrote; nothing here prints.
//!
//! A platform of one stack is found at run time (the workflow lists `generated/*/` in a dynamic
//! matrix). A platform across accounts is several stacks that must apply in order
//! (`plan::layout`): [`ordered`] turns its layout into jobs written into the workflow, one plan job
//! and one apply job per stack, each `needs:` the jobs of the stacks it needs and assuming its
//! account's role.

use crate::model::{Model, TgwId};
use crate::plan::layout;
use anyhow::Context as _;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeSet;
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
    /// The platforms of several stacks, each fanned out as ordered jobs (in blueprint order).
    #[serde(skip)]
    pub ordered: Vec<Ordered>,
}

/// A platform of several stacks, as the workflow runs it: the stacks of its layout in apply order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordered {
    pub platform: String,
    /// The blueprint file (relative to the repository root), for `drift` and `propagation`.
    pub blueprint: String,
    /// The platform's region: where each job's credentials are for.
    pub region: String,
    pub stacks: Vec<OrderedStack>,
}

/// One stack of an [`Ordered`] platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedStack {
    /// The stack's name, also its directory under `generated/<platform>/`.
    pub name: String,
    /// The name of the account the stack deploys into (also the GitHub environment of its apply).
    pub account: String,
    /// The role its jobs assume; `None`: the repository variable `AGENTFORM_AWS_ROLE_ARN`.
    pub role: Option<String>,
    /// The stacks (indices in `stacks`, all earlier) that must be applied first.
    pub needs: Vec<usize>,
    /// Whether the stack holds a gateway's route tables, associations and propagations: the one
    /// whose state `propagation --stack` checks (another stack's state lacks them, and every
    /// propagation would read as failed).
    pub routing: bool,
}

/// The ordered jobs of a platform (its blueprint file at `blueprint`), or `None` when it is one
/// stack (the dynamic matrix runs it).
pub fn ordered(blueprint: &str, model: &Model) -> Option<Ordered> {
    let layout = layout::layout(model);
    if layout.is_single() {
        return None;
    }
    let accounts = &model.accounts;
    let routing: Vec<usize> = (0..model.transit_gateways.len())
        .map(|i| layout.routing_of(model, TgwId(i)))
        .collect();
    let stacks = layout
        .stacks
        .iter()
        .enumerate()
        .map(|(index, stack)| {
            let account = accounts.account(stack.account);
            OrderedStack {
                name: stack.name.clone(),
                account: account.name.value.clone(),
                role: account.role.as_ref().map(|r| r.value.clone()),
                needs: stack.needs.clone(),
                routing: routing.contains(&index),
            }
        })
        .collect();
    Some(Ordered {
        platform: model.platform.name.value.clone(),
        blueprint: blueprint.to_string(),
        region: model.platform.region.clone(),
        stacks,
    })
}

/// What the template sees of an ordered platform: job ids decided, needs as job ids.
#[derive(Debug, Serialize)]
struct PlatformJobs {
    platform: String,
    blueprint: String,
    region: String,
    stacks: Vec<StackJobs>,
    /// One line per stack, `NAME ACCOUNT ROLE|- NEEDS,..|-`: what the workflow's guard compares
    /// with the platform's `manifest.json`, so a workflow that no longer matches the stacks fails.
    signature: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StackJobs {
    name: String,
    account: String,
    role: Option<String>,
    routing: bool,
    plan: String,
    apply: String,
    deployed: String,
    plan_needs: Vec<String>,
    apply_needs: Vec<String>,
}

/// The workflow's parameters and the ordered platforms' jobs, as the template sees them.
#[derive(Debug, Serialize)]
struct View<'a> {
    #[serde(flatten)]
    workflow: &'a Workflow,
    ordered: Vec<PlatformJobs>,
}

/// The jobs that run in every workflow; a stack's job never takes one of their ids.
const FIXED_JOBS: [&str; 4] = ["blueprints", "stacks", "terraform", "deployed"];

/// A GitHub job id for `text` (letters, digits, `-` and `_`, starting with a letter or `_`;
/// `docs.github.com/en/actions/using-jobs/using-jobs-in-a-workflow`), not
/// yet in `taken`: a clash gets `-2`, `-3`…
fn job_id(text: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Whether a value may land in a YAML plain scalar and in a single-quoted shell word.
fn plain(value: &str, extra: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c) || extra.contains(c))
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// The jobs of the ordered platforms: ids unique across the workflow, values checked.
fn jobs(ordered: &[Ordered]) -> anyhow::Result<Vec<PlatformJobs>> {
    let mut taken: BTreeSet<String> = FIXED_JOBS.iter().map(|s| (*s).to_string()).collect();
    let mut platforms = BTreeSet::new();
    let mut out = Vec::new();
    for platform in ordered {
        if !platforms.insert(&platform.platform) {
            anyhow::bail!(
                "platform `{}` is fanned out twice: each platform is one blueprint",
                platform.platform
            );
        }
        let mut values = vec![
            ("platform name", &platform.platform, ""),
            ("blueprint path", &platform.blueprint, "./"),
            ("region", &platform.region, ""),
        ];
        for stack in &platform.stacks {
            values.push(("stack name", &stack.name, ""));
            values.push(("account name", &stack.account, ""));
            if let Some(role) = &stack.role {
                // An IAM role ARN: `arn:aws:iam::ID:role/PATH/NAME`, names of `+=,.@_-`.
                values.push(("role", role, ":/+=,.@"));
            }
        }
        for (what, value, extra) in values {
            if !plain(value, extra) {
                anyhow::bail!(
                    "the {what} `{value}` of platform `{}` cannot be written into the workflow",
                    platform.platform
                );
            }
        }
        let ids: Vec<(String, String, String)> = platform
            .stacks
            .iter()
            .map(|s| {
                let stem = format!("{}-{}", platform.platform, s.name);
                (
                    job_id(&format!("plan-{stem}"), &mut taken),
                    job_id(&format!("apply-{stem}"), &mut taken),
                    job_id(&format!("deployed-{stem}"), &mut taken),
                )
            })
            .collect();
        let mut stacks = Vec::new();
        let mut signature = Vec::new();
        for (i, stack) in platform.stacks.iter().enumerate() {
            if let Some(&late) = stack.needs.iter().find(|&&n| n >= i) {
                anyhow::bail!(
                    "internal error: stack `{}` of platform `{}` needs stack {late}, which is not before it",
                    stack.name,
                    platform.platform
                );
            }
            let needs = |pick: fn(&(String, String, String)) -> &String| -> Vec<String> {
                if stack.needs.is_empty() {
                    vec!["stacks".to_string()]
                } else {
                    stack.needs.iter().map(|&n| pick(&ids[n]).clone()).collect()
                }
            };
            stacks.push(StackJobs {
                name: stack.name.clone(),
                account: stack.account.clone(),
                role: stack.role.clone(),
                routing: stack.routing,
                plan: ids[i].0.clone(),
                apply: ids[i].1.clone(),
                deployed: ids[i].2.clone(),
                plan_needs: needs(|ids| &ids.0),
                apply_needs: needs(|ids| &ids.1),
            });
            let needs: Vec<&str> = stack
                .needs
                .iter()
                .map(|&n| platform.stacks[n].name.as_str())
                .collect();
            signature.push(format!(
                "{} {} {} {}",
                stack.name,
                stack.account,
                stack.role.as_deref().unwrap_or("-"),
                if needs.is_empty() {
                    "-".to_string()
                } else {
                    needs.join(",")
                }
            ));
        }
        out.push(PlatformJobs {
            platform: platform.platform.clone(),
            blueprint: platform.blueprint.clone(),
            region: platform.region.clone(),
            stacks,
            signature,
        });
    }
    Ok(out)
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
    let view = View {
        workflow,
        ordered: jobs(&workflow.ordered)?,
    };
    env.get_template("agentform.yml")
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&view))))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(ordered: Vec<Ordered>) -> Workflow {
        Workflow {
            blueprints: "blueprints".into(),
            generated: "generated".into(),
            terraform: "1.11.4".into(),
            agentform_git: None,
            agentform_rev: None,
            collector: "scripts/collect-tgw.sh".into(),
            ordered,
        }
    }

    fn platform(name: &str, stacks: &[(&str, &[usize])]) -> Ordered {
        Ordered {
            platform: name.into(),
            blueprint: format!("blueprints/{name}.hcl"),
            region: "eu-west-1".into(),
            stacks: stacks
                .iter()
                .map(|(stack, needs)| OrderedStack {
                    name: (*stack).into(),
                    account: "network".into(),
                    role: None,
                    needs: needs.to_vec(),
                    routing: false,
                })
                .collect(),
        }
    }

    /// The job keys of a rendered workflow.
    fn job_ids(text: &str) -> Vec<String> {
        let jobs = text.split_once("\njobs:\n").unwrap().1;
        jobs.lines()
            .filter_map(|l| l.strip_prefix("  ").and_then(|l| l.strip_suffix(':')))
            .filter(|l| !l.starts_with(' '))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn job_ids_are_valid_and_unique_across_platforms() {
        // `fleet` + `a-network` and `fleet-a` + `network` both read `fleet-a-network`.
        let text = render(&workflow(vec![
            platform("fleet", &[("a-network", &[])]),
            platform("fleet-a", &[("network", &[]), ("network-routing", &[0])]),
        ]))
        .unwrap();
        let ids = job_ids(&text);
        assert_eq!(
            ids,
            [
                "blueprints",
                "stacks",
                "terraform",
                "deployed",
                "plan-fleet-a-network",
                "apply-fleet-a-network",
                "deployed-fleet-a-network",
                "plan-fleet-a-network-2",
                "apply-fleet-a-network-2",
                "deployed-fleet-a-network-2",
                "plan-fleet-a-network-routing",
                "apply-fleet-a-network-routing",
                "deployed-fleet-a-network-routing",
            ]
        );
        // The routing stack needs the second platform's jobs, not the first's.
        assert!(text.contains("    needs: [plan-fleet-a-network-2]\n"));
        assert!(text.contains("    needs: [apply-fleet-a-network-2]\n"));
        let mut taken = BTreeSet::new();
        assert_eq!(job_id("9 lives/x", &mut taken), "_9_lives_x");
    }

    #[test]
    fn values_that_cannot_be_written_are_refused() {
        let mut odd = platform("fleet", &[("network", &[])]);
        odd.stacks[0].role = Some("arn:aws:iam::111111111111:role/x y".into());
        let error = render(&workflow(vec![odd])).unwrap_err().to_string();
        assert!(
            error.contains("the role `arn:aws:iam::111111111111:role/x y`"),
            "{error}"
        );
        let twice = vec![
            platform("fleet", &[("network", &[])]),
            platform("fleet", &[("network", &[])]),
        ];
        assert!(render(&workflow(twice)).is_err());
        let late = platform("fleet", &[("network", &[1]), ("agents", &[])]);
        let error = render(&workflow(vec![late])).unwrap_err().to_string();
        assert!(error.contains("not before it"), "{error}");
    }
}
