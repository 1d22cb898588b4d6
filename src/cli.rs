//! The command line: argument parsing, running the pipeline over each blueprint, printing, and exit
//! codes (0 clean, 1 error, 2 differences found). The only module that prints.

use crate::diag::{self, Code, Diagnostic, Span};
use crate::emit::{self, Difference, Files};
use crate::lower::Overrides;
use crate::render::Renderer;
use crate::segregation::report::ReachReport;
use crate::source::{self, SourceFile};
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "agentform",
    version,
    about = "Turn a blueprint of an AI-agent platform on AWS into reviewed, planned Terraform",
    long_about = "Turn a blueprint of an AI-agent platform on AWS into reviewed, planned Terraform.\n\n\
                  Exit codes: 0 clean, 1 error (invalid blueprint, unreadable input, usage error), \
                  2 differences found (`check`: generated files are stale; `reach`: leaks or gaps; \
                  `drift`, `propagation`: the deployed stack differs from the blueprint)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// Compare what Terraform deployed with the blueprint's stack: missing and unexpected
    /// resources, and attributes the blueprint sets whose deployed value differs
    ///
    /// Reads `terraform show -json` of a state (`--state`) or of a saved plan (`--plan`; a
    /// refresh-only plan shows drift since the last apply). Exit 0 clean, 2 drift, 1 error.
    Drift {
        /// The blueprint file the stack was generated from
        path: PathBuf,
        #[command(flatten)]
        deployed: TerraformInput,
        #[command(flatten)]
        target: Target,
        /// `human` for a terminal, `json` for tools (schema in the README)
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Compare the deployed transit gateway route tables with the blueprint: leaks (unexpected
    /// propagations and routes), failed propagations, wrong associations, and the change in segment
    /// reachability
    ///
    /// `--state` / `--plan` see what Terraform manages; `--aws DIR` (collected by
    /// `scripts/collect-tgw.sh`) also sees what was made outside Terraform. Exit 0 clean,
    /// 2 differences, 1 error.
    Propagation {
        /// The blueprint file the stack was generated from
        path: PathBuf,
        #[command(flatten)]
        deployed: RoutingInput,
        /// `human` for a terminal, `json` for tools (schema in the README)
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Write the `terraform show -json` of a clean apply of a blueprint's stack, for benchmarks
    #[command(hide = true)]
    SynthState {
        /// The blueprint file
        path: PathBuf,
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
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct TerraformInput {
    /// `terraform show -json` of the state
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// `terraform show -json PLANFILE` of a saved plan
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct RoutingInput {
    /// `terraform show -json` of the state
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// `terraform show -json PLANFILE` of a saved plan
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// A directory of AWS CLI responses, as `scripts/collect-tgw.sh` writes it
    #[arg(long, value_name = "DIR")]
    aws: Option<PathBuf>,
}

#[derive(Args)]
struct Target {
    /// The `--aws-provider` the stack was generated with, if any
    #[arg(long, value_name = "VERSION")]
    aws_provider: Option<String>,
    /// The stack was generated with `--no-awscc`
    #[arg(long)]
    no_awscc: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReachFormat {
    Table,
    Json,
}

#[derive(Args)]
struct Input {
    /// Blueprint files, or directories of `*.hcl` and `*.json` blueprints
    #[arg(default_value = "blueprints")]
    paths: Vec<PathBuf>,
    /// Target this hashicorp/aws version constraint instead of the blueprint's `aws_provider`
    #[arg(long, value_name = "VERSION")]
    aws_provider: Option<String>,
    /// Never use hashicorp/awscc, whatever the blueprint allows
    #[arg(long)]
    no_awscc: bool,
    /// Output format of diagnostics and results
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    // A usage error exits 1, never clap's 2: 2 means "differences found" (stale, drift, leaks).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(u8::from(error.use_stderr()));
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// One blueprint's front-end result, and its files when it generated.
struct Blueprint {
    diagnostics: Vec<Diagnostic>,
    files: Option<Files>,
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Validate {
            input,
            deny_warnings,
        } => {
            let blueprints = load(&input, false)?;
            let count = blueprints.len();
            let diagnostics: Vec<Diagnostic> =
                blueprints.into_iter().flat_map(|b| b.diagnostics).collect();
            let failed = diagnostics.iter().any(|d| d.is_error() || deny_warnings);
            report(input.format, &diagnostics, serde_json::Map::new());
            if input.format == OutputFormat::Human && !failed {
                eprintln!(
                    "{count} blueprint{} valid",
                    if count == 1 { "" } else { "s" }
                );
            }
            Ok(u8::from(failed))
        }
        Command::Generate { input, out } => {
            let blueprints = load(&input, true)?;
            let (diagnostics, files) = collect(blueprints);
            let Some(files) = files else {
                report(input.format, &diagnostics, serde_json::Map::new());
                return Ok(1);
            };
            let written = emit::write(&out, &files)?;
            let mut extra = serde_json::Map::new();
            extra.insert("written".into(), paths_json(&written.written));
            extra.insert("removed".into(), paths_json(&written.removed));
            extra.insert("unchanged".into(), written.unchanged.into());
            report(input.format, &diagnostics, extra);
            if input.format == OutputFormat::Human {
                for path in &written.written {
                    eprintln!("wrote {}", path.display());
                }
                for path in &written.removed {
                    eprintln!("removed stale {}", path.display());
                }
                eprintln!(
                    "{} files written, {} unchanged, {} removed",
                    written.written.len(),
                    written.unchanged,
                    written.removed.len()
                );
            }
            Ok(0)
        }
        Command::Reach { paths, format } => reach(&paths, format),
        Command::Drift {
            path,
            deployed,
            target,
            format,
        } => drift(&path, &deployed, &target, format),
        Command::Propagation {
            path,
            deployed,
            format,
        } => propagation(&path, &deployed, format),
        Command::Synth { vpcs, segments } => {
            print!(
                "{}",
                crate::synth::blueprint(vpcs as usize, segments as usize)
            );
            Ok(0)
        }
        Command::SynthState { path } => {
            let Some((_, model)) = valid_model(&path, &Overrides::default(), OutputFormat::Human)?
            else {
                return Ok(1);
            };
            let files = emit::generate(&model, &Renderer::new())?;
            let expected = crate::drift::expected(&files)?;
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            crate::synth::state(&expected, &mut stdout)?;
            stdout.flush()?;
            Ok(0)
        }
        Command::Check { input, out } => {
            let blueprints = load(&input, true)?;
            let (diagnostics, files) = collect(blueprints);
            let Some(files) = files else {
                report(input.format, &diagnostics, serde_json::Map::new());
                return Ok(1);
            };
            let differences = emit::check(&out, &files)?;
            let mut extra = serde_json::Map::new();
            extra.insert("differences".into(), differences_json(&differences));
            report(input.format, &diagnostics, extra);
            if input.format == OutputFormat::Human {
                let mut stdout = std::io::stdout().lock();
                for difference in &differences {
                    let _ = match difference {
                        Difference::Missing(p) => {
                            writeln!(stdout, "missing: {}", out.join(p).display())
                        }
                        Difference::Stale(p) => writeln!(
                            stdout,
                            "stale (would be removed): {}",
                            out.join(p).display()
                        ),
                        Difference::Changed(_, diff) => write!(stdout, "{diff}"),
                    };
                }
                if differences.is_empty() {
                    eprintln!("{} is up to date ({} files)", out.display(), files.len());
                } else {
                    eprintln!(
                        "{} is stale: {} files differ; run `agentform generate` to update it",
                        out.display(),
                        differences.len()
                    );
                }
            }
            Ok(if differences.is_empty() { 0 } else { 2 })
        }
    }
}

/// `agentform reach`: the matrices of every blueprint that lowers, even one with validation errors
/// (it shows what that blueprint would do). Diagnostics go to stderr in table mode.
fn reach(paths: &[PathBuf], format: ReachFormat) -> anyhow::Result<u8> {
    let overrides = Overrides::default();
    let mut reports = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unusable = false;
    for path in source::discover(paths)? {
        let source = SourceFile::read(&path);
        let analysis = crate::analyze(&source, &overrides);
        match &analysis.model {
            Some(model) => reports.push(ReachReport::build(model)),
            None => unusable = true,
        }
        diagnostics.extend(analysis.diagnostics);
    }
    if reports.is_empty() && !unusable {
        anyhow::bail!("no blueprints found in {}", display_paths(paths));
    }
    let findings = reports.iter().any(ReachReport::has_findings);
    let other_errors = diagnostics
        .iter()
        .any(|d| d.is_error() && !d.code.is_segregation());
    match format {
        ReachFormat::Table => {
            let mut stdout = std::io::stdout().lock();
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    let _ = writeln!(stdout);
                }
                let _ = write!(stdout, "{}", report.table());
            }
            if !diagnostics.is_empty() {
                eprint!("{}", diag::render_human(&diagnostics));
                eprintln!("{}", diag::summary(&diagnostics));
            }
        }
        ReachFormat::Json => {
            let mut report = diag::json_report(&diagnostics);
            report.insert(
                "blueprints".into(),
                serde_json::to_value(&reports).expect("reports serialize"),
            );
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(report))
                .expect("report serializes");
            println!("{text}");
        }
    }
    Ok(if unusable || other_errors {
        1
    } else if findings {
        2
    } else {
        0
    })
}

/// The valid model of one blueprint, or its diagnostics printed and `None`.
fn valid_model(
    path: &Path,
    overrides: &Overrides,
    format: OutputFormat,
) -> anyhow::Result<Option<(String, crate::model::Model)>> {
    if !path.is_file() {
        anyhow::bail!("{} is not a blueprint file", path.display());
    }
    let source = SourceFile::read(path);
    let analysis = crate::analyze(&source, overrides);
    let diagnostics = analysis.diagnostics.clone();
    match analysis.into_valid_model() {
        Some(model) => {
            if format == OutputFormat::Human && !diagnostics.is_empty() {
                eprint!("{}", diag::render_human(&diagnostics));
            }
            Ok(Some((source.display, model)))
        }
        None => {
            report(format, &diagnostics, serde_json::Map::new());
            Ok(None)
        }
    }
}

fn open_input(path: &Path) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(std::io::BufReader::with_capacity(1 << 20, file))
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Prints a drift or propagation report and returns its exit code.
fn print_findings(
    format: OutputFormat,
    command: &str,
    blueprint: &str,
    source: &str,
    clean: bool,
    human: &str,
    report: &impl serde::Serialize,
) -> u8 {
    match format {
        OutputFormat::Human => print!("{human}"),
        OutputFormat::Json => {
            let mut object = serde_json::Map::new();
            object.insert("command".into(), command.into());
            object.insert("blueprint".into(), blueprint.into());
            object.insert("source".into(), source.into());
            if let serde_json::Value::Object(fields) =
                serde_json::to_value(report).expect("report serializes")
            {
                object.extend(fields);
            }
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(object))
                .expect("report serializes");
            println!("{text}");
        }
    }
    if clean { 0 } else { 2 }
}

/// `agentform drift`: the blueprint's stack, generated in memory, against Terraform's record.
fn drift(
    path: &Path,
    input: &TerraformInput,
    target: &Target,
    format: OutputFormat,
) -> anyhow::Result<u8> {
    let overrides = Overrides {
        aws_provider: target.aws_provider.clone(),
        no_awscc: target.no_awscc,
    };
    let Some((display, model)) = valid_model(path, &overrides, format)? else {
        return Ok(1);
    };
    // The stack part by part: its text is never held whole, and is gone before a large state is read.
    let mut expected = crate::drift::Expectations::default();
    emit::terraform_parts(&model, &Renderer::new(), |path, text| {
        crate::drift::expected_in_text(text, &mut expected).with_context(|| {
            format!(
                "internal error: generated {} does not parse",
                path.display()
            )
        })
    })?;
    drop(model);
    let report = match (&input.state, &input.plan) {
        // A state is streamed: memory stays flat however large it is.
        (Some(state), _) => {
            let mut checker = crate::drift::Checker::new(&expected);
            crate::deployed::stream_state_ahead(open_input(state)?, |r| checker.feed(r))
                .with_context(|| format!("cannot read {}", state.display()))?;
            checker.finish(&[])
        }
        (None, Some(plan)) => {
            let text = read_input(plan)?;
            let deployed = crate::deployed::read_plan(&text)
                .with_context(|| format!("cannot read {}", plan.display()))?;
            crate::drift::check(&expected, &deployed)?
        }
        (None, None) => unreachable!("clap requires one input"),
    };
    let source = if input.state.is_some() {
        "state"
    } else {
        "plan"
    };
    Ok(print_findings(
        format,
        "drift",
        &display,
        source,
        report.is_clean(),
        &report.human(),
        &report,
    ))
}

/// `agentform propagation`: deployed transit gateway routing against the blueprint's.
fn propagation(path: &Path, input: &RoutingInput, format: OutputFormat) -> anyhow::Result<u8> {
    let Some((display, model)) = valid_model(path, &Overrides::default(), format)? else {
        return Ok(1);
    };
    let (observed, source) = match (&input.state, &input.plan, &input.aws) {
        (Some(state), _, _) => {
            let mut reader = crate::deployed::tgw::StateReader::default();
            crate::deployed::stream_state(open_input(state)?, |r| reader.feed(r))
                .with_context(|| format!("cannot read {}", state.display()))?;
            (reader.finish(), "state")
        }
        (None, Some(plan), _) => {
            let text = read_input(plan)?;
            let deployed = crate::deployed::read_plan(&text)
                .with_context(|| format!("cannot read {}", plan.display()))?;
            (crate::deployed::tgw::from_state(&deployed)?, "plan")
        }
        (None, None, Some(dir)) => (crate::deployed::aws::read_dir(dir)?, "aws"),
        (None, None, None) => unreachable!("clap requires one input"),
    };
    let report = crate::propagation::check(&model, &observed, source != "aws");
    Ok(print_findings(
        format,
        "propagation",
        &display,
        source,
        report.is_clean(),
        &report.human(),
        &report,
    ))
}

/// Runs the front end on every blueprint (and renders when `render` is set). Two blueprints that
/// declare the same platform would write the same directory: that is an error on the second one.
fn load(input: &Input, render: bool) -> anyhow::Result<Vec<Blueprint>> {
    let overrides = Overrides {
        aws_provider: input.aws_provider.clone(),
        no_awscc: input.no_awscc,
    };
    let renderer = Renderer::new();
    let mut platforms: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut out = Vec::new();
    for path in source::discover(&input.paths)? {
        let source = SourceFile::read(&path);
        let mut analysis = crate::analyze(&source, &overrides);
        if analysis.has_errors() {
            analysis.model = None;
        }
        if let Some(model) = &analysis.model {
            let name = model.platform.name.value.clone();
            if let Some((other, _)) = platforms.get(&name) {
                let mut d = Diagnostic::error(
                    Code::DuplicateName,
                    model.platform.name.span,
                    format!("platform `{name}` is also declared in `{other}`; both would generate `{name}/`"),
                )
                .with_help("each blueprint file describes its own platform; rename one");
                d.file.clone_from(&source.display);
                analysis.diagnostics.push(d);
                analysis.model = None;
            } else {
                platforms.insert(name, (source.display.clone(), model.platform.name.span));
            }
        }
        let files = match (&analysis.model, render) {
            (Some(model), true) => Some(emit::generate(model, &renderer)?),
            _ => None,
        };
        out.push(Blueprint {
            diagnostics: analysis.diagnostics,
            files,
        });
    }
    if out.is_empty() {
        anyhow::bail!("no blueprints found in {}", display_paths(&input.paths));
    }
    Ok(out)
}

/// All diagnostics, and all files when every blueprint generated (one invalid blueprint stops all
/// writing, so a directory of blueprints is never half updated).
fn collect(blueprints: Vec<Blueprint>) -> (Vec<Diagnostic>, Option<Files>) {
    let mut diagnostics = Vec::new();
    let mut files = Some(Files::new());
    for blueprint in blueprints {
        diagnostics.extend(blueprint.diagnostics);
        match (blueprint.files, files.as_mut()) {
            (Some(generated), Some(all)) => all.extend(generated),
            _ => files = None,
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        files = None;
    }
    (diagnostics, files)
}

fn report(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    extra: serde_json::Map<String, serde_json::Value>,
) {
    match format {
        OutputFormat::Human => {
            if !diagnostics.is_empty() {
                eprint!("{}", diag::render_human(diagnostics));
                eprintln!("{}", diag::summary(diagnostics));
            }
        }
        OutputFormat::Json => {
            let mut report = diag::json_report(diagnostics);
            report.extend(extra);
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(report))
                .expect("report serializes");
            println!("{text}");
        }
    }
}

fn paths_json(paths: &[PathBuf]) -> serde_json::Value {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .into()
}

fn differences_json(differences: &[Difference]) -> serde_json::Value {
    differences
        .iter()
        .map(|d| match d {
            Difference::Missing(p) => serde_json::json!({"path": p.display().to_string(), "kind": "missing"}),
            Difference::Stale(p) => serde_json::json!({"path": p.display().to_string(), "kind": "stale"}),
            Difference::Changed(p, diff) => {
                serde_json::json!({"path": p.display().to_string(), "kind": "changed", "diff": diff})
            }
        })
        .collect::<Vec<_>>()
        .into()
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
