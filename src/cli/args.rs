//! The command line as clap parses it: commands, their arguments and help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "agentform",
    version,
    about = "Turn a blueprint of an AI-agent platform on AWS into reviewed, planned Terraform",
    long_about = "Turn a blueprint of an AI-agent platform on AWS into reviewed, planned Terraform.\n\n\
                  Exit codes: 0 clean, 1 error (invalid blueprint, unreadable input, usage error), \
                  2 differences found (`check`: generated files are stale; `reach`: leaks or gaps; \
                  `drift`, `propagation`: the deployed stack differs from the blueprint; `diff`: the two versions differ)."
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
    /// Colour human output: `auto` only on a terminal and never with NO_COLOR set; `always` and
    /// `never` override both
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(super) color: ColorChoice,
    /// Print only errors, warnings and the data asked for: no progress, no "wrote ..." lines, no
    /// summary of a clean run
    #[arg(long, short, global = true)]
    pub(super) quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Check blueprints and report every problem, with its location
    Validate {
        #[command(flatten)]
        input: Input,
        /// Treat warnings as errors (exit 1)
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write the Terraform stack of each blueprint to OUT/<platform>/
    Generate {
        #[command(flatten)]
        input: Input,
        /// Directory that receives one sub-directory per platform
        #[arg(long, default_value = "generated")]
        out: PathBuf,
    },
    /// Exit 2 with a unified diff when OUT is not what `generate` would write
    Check {
        #[command(flatten)]
        input: Input,
        /// Directory holding the generated stacks
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Only this stack of a platform of several stacks (its name in `manifest.json`); without
        /// it, every stack, the manifest, and stack directories no longer generated
        #[arg(long, value_name = "NAME")]
        stack: Option<String>,
    },
    /// Show who reaches whom: segment and attachment matrices, intended against actual
    ///
    /// Exit 0 when every path matches the intent, 2 when a leak, gap or one-way path exists,
    /// 1 when the blueprint cannot be read.
    Reach {
        /// A blueprint file, or a directory of blueprints
        #[arg(default_value = "blueprints")]
        paths: Vec<PathBuf>,
        /// `table` for a terminal, `json` for tools
        #[arg(long, value_enum, default_value_t = ReachFormat::Table)]
        format: ReachFormat,
    },
    /// Show who may call which action on which component: every payment flow, intended against
    /// actual, decided from the generated policies (trust, permissions, explicit denies)
    ///
    /// Exit 0 when every answer matches the intent and each payment role holds exactly the actions
    /// its flow needs, 2 when one differs, 1 when a blueprint cannot be planned.
    Access {
        /// A blueprint file, or a directory of blueprints
        #[arg(default_value = "blueprints")]
        paths: Vec<PathBuf>,
        /// `table` for a terminal, `json` for tools
        #[arg(long, value_enum, default_value_t = ReachFormat::Table)]
        format: ReachFormat,
    },
    /// Draw the platform: segments and who reaches whom, attachments, the MCP ingress and its
    /// consumers, roles and what they may touch, who holds spending authority
    ///
    /// `mermaid` for Markdown (the stack README embeds the same), `dot` for Graphviz
    /// (`dot -Tsvg`), `json` for tools (schema in the README). Exit 1 on an invalid blueprint.
    Graph {
        /// The blueprint file, or a directory holding exactly one blueprint
        #[arg(default_value = "blueprints")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Compare what Terraform deployed with the blueprint's stack: missing and unexpected
    /// resources, and attributes the blueprint sets whose deployed value differs
    ///
    /// Reads `terraform show -json` of a state (`--state`) or of a saved plan (`--plan`; a
    /// refresh-only plan shows drift since the last apply). A platform of several stacks (see its
    /// `manifest.json`) is compared one stack at a time (`--stack NAME` with `--state`/`--plan`)
    /// or whole (`--states DIR`). Exit 0 clean, 2 drift, 1 error.
    Drift {
        /// The blueprint file the stack was generated from
        path: PathBuf,
        #[command(flatten)]
        deployed: TerraformInput,
        /// On a platform of several stacks: the stack (its name in `manifest.json`) that `--state`
        /// or `--plan` is of; only that stack's resources are expected
        #[arg(long, value_name = "NAME", conflicts_with = "states")]
        stack: Option<String>,
        #[command(flatten)]
        target: Target,
        /// `human` for a terminal, `json` for tools (schema in the README), `sarif` for code scanning
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Compare the deployed transit gateway route tables with the blueprint: leaks (unexpected
    /// propagations and routes), failed propagations, wrong associations, and the change in segment
    /// reachability
    ///
    /// `--state` / `--plan` see what Terraform manages; `--aws DIR` (collected by
    /// `scripts/collect-tgw.sh`) also sees what was made outside Terraform. On a platform of
    /// several stacks: `--stack NAME` with `--state`/`--plan` reads one stack (the gateway owner's
    /// `<account>-routing` stack holds the tables; another stack alone maps what it can and reports
    /// the rest missing),
    /// `--states DIR` the whole platform, and `--aws DIR` is collected in the gateway owner's
    /// account. Exit 0 clean, 2 differences, 1 error.
    Propagation {
        /// The blueprint file the stack was generated from
        path: PathBuf,
        #[command(flatten)]
        deployed: RoutingInput,
        /// On a platform of several stacks: the stack (its name in `manifest.json`) that `--state`
        /// or `--plan` is of
        #[arg(long, value_name = "NAME", conflicts_with_all = ["states", "aws"])]
        stack: Option<String>,
        /// `human` for a terminal, `json` for tools (schema in the README), `sarif` for code scanning
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Print the documentation of a diagnostic code (`AF201`, case-insensitive) or of a check of
    /// deployed state (`propagation/leak`)
    Explain {
        /// The code or rule id
        code: String,
    },
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) on stdout
    Completions { shell: clap_complete::Shell },
    /// The semantic headline of a change to a blueprint: segment pairs gaining or losing
    /// reachability, access to the MCP ingress, spending authority, IAM actions, and the resources
    /// that will be replaced rather than updated
    ///
    /// `diff OLD NEW` compares two blueprint files; `diff PATH --git REV` compares PATH with the same
    /// file at a git revision. Markdown (the default) is sized for a pull-request comment. Exit 0
    /// when nothing differs, 2 when something does, 1 on error.
    Diff {
        /// The old blueprint file (with `--git`: the blueprint, compared with itself at REV)
        old: PathBuf,
        /// The new blueprint file
        #[arg(required_unless_present = "git", conflicts_with = "git")]
        new: Option<PathBuf>,
        /// Compare OLD with the same file at this git revision (`git show REV:PATH`)
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// `markdown` for a pull-request comment, `json` for tools (schema in the README)
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
    },
    /// Set up continuous integration
    #[command(subcommand)]
    Ci(CiCommand),
    /// Write the `terraform show -json` of a clean apply of a blueprint's stack, for benchmarks;
    /// for a platform of several stacks, one `<stack>.json` per stack into `--out DIR`
    #[command(hide = true)]
    SynthState {
        /// The blueprint file
        path: PathBuf,
        /// The directory receiving `<stack>.json` per stack (required for several stacks)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Write a synthetic blueprint (N VPCs over K segments) for benchmarks
    #[command(hide = true)]
    Synth {
        /// Number of VPCs (1 to 65536)
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        vpcs: u32,
        /// Number of segments
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
        segments: u32,
        /// Number of accounts the VPCs are spread over (one stack per account, and the routing
        /// stacks, when more than one)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        accounts: u32,
    },
}

#[derive(Subcommand)]
pub(super) enum CiCommand {
    /// Write a GitHub Actions workflow: validate (SARIF), check, diff as a pull-request comment,
    /// Terraform per stack, a scheduled drift and propagation check, and for a platform across
    /// accounts ordered plan and apply jobs per stack (one role and environment per account)
    Init {
        /// Where to write the workflow
        #[arg(
            long,
            value_name = "FILE",
            default_value = ".github/workflows/agentform.yml"
        )]
        out: PathBuf,
        /// Overwrite FILE if it exists
        #[arg(long)]
        force: bool,
        /// The directory of blueprints (read now for platforms across accounts, whose stacks
        /// become ordered jobs)
        #[arg(long, value_name = "DIR", default_value = "blueprints")]
        blueprints: String,
        /// The directory of generated stacks
        #[arg(long, value_name = "DIR", default_value = "generated")]
        generated: String,
        /// The Terraform version the workflow installs
        #[arg(long, value_name = "VERSION", default_value = "1.11.4")]
        terraform: String,
        /// Build agentform from this git repository (`cargo install --git URL`) instead of from
        /// the repository the workflow runs in (`cargo install --path .`)
        #[arg(long, value_name = "URL")]
        agentform_git: Option<String>,
        /// The tag, branch or commit of `--agentform-git` to build
        #[arg(long, value_name = "REV", requires = "agentform_git")]
        agentform_rev: Option<String>,
        /// Where to write the route collector the scheduled job runs (`scripts/collect-tgw.sh`
        /// of agentform); an identical file is left alone
        #[arg(long, value_name = "FILE", default_value = "scripts/collect-tgw.sh")]
        collector: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum DiffFormat {
    Markdown,
    Json,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub(super) struct TerraformInput {
    /// `terraform show -json` of the state
    #[arg(long, value_name = "FILE")]
    pub(super) state: Option<PathBuf>,
    /// `terraform show -json PLANFILE` of a saved plan
    #[arg(long, value_name = "FILE")]
    pub(super) plan: Option<PathBuf>,
    /// A platform of several stacks, whole: a directory holding `<stack>.json` for every stack of
    /// its `manifest.json`, each `terraform show -json` of that stack's state (not of a plan)
    #[arg(long, value_name = "DIR")]
    pub(super) states: Option<PathBuf>,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub(super) struct RoutingInput {
    /// `terraform show -json` of the state
    #[arg(long, value_name = "FILE")]
    pub(super) state: Option<PathBuf>,
    /// `terraform show -json PLANFILE` of a saved plan
    #[arg(long, value_name = "FILE")]
    pub(super) plan: Option<PathBuf>,
    /// A platform of several stacks, whole: a directory holding `<stack>.json` for every stack of
    /// its `manifest.json`, each `terraform show -json` of that stack's state (not of a plan)
    #[arg(long, value_name = "DIR")]
    pub(super) states: Option<PathBuf>,
    /// A directory of AWS CLI responses, as `scripts/collect-tgw.sh` writes it
    #[arg(long, value_name = "DIR")]
    pub(super) aws: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct Target {
    /// The `--aws-provider` the stack was generated with, if any
    #[arg(long, value_name = "VERSION")]
    pub(super) aws_provider: Option<String>,
    /// The stack was generated with `--no-awscc`
    #[arg(long)]
    pub(super) no_awscc: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReachFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

#[derive(Args)]
pub(super) struct Input {
    /// Blueprint files, or directories of `*.hcl` and `*.json` blueprints
    #[arg(default_value = "blueprints")]
    pub(super) paths: Vec<PathBuf>,
    /// Target this hashicorp/aws version constraint instead of the blueprint's `aws_provider`
    #[arg(long, value_name = "VERSION")]
    pub(super) aws_provider: Option<String>,
    /// Never use hashicorp/awscc, whatever the blueprint allows
    #[arg(long)]
    pub(super) no_awscc: bool,
    /// Output format of diagnostics and results (`sarif`: `validate` only)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub(super) format: OutputFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum OutputFormat {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
}
