//! The command line: argument parsing, running the pipeline over each blueprint, printing, and exit
//! codes (0 clean, 1 error, 2 differences found). The only module that prints.

use crate::Planned;
use crate::ci;
use crate::deployed::stacks::{self as deployed_stacks, Selection};
use crate::deployed::{drift, locate, propagation, tgw};
use crate::diag::sarif::Item;
use crate::diag::{self, Check, Code, Diagnostic, Rule};
use crate::diff::{Against, Comparison};
use crate::emit::{self, Difference};
use crate::lower::Overrides;
use crate::render::Renderer;
use crate::segregation::report::{Matrices, ReachReport};
use crate::workspace::{self, Blueprint};
use anyhow::Context as _;
use clap::Parser as _;

mod args;
mod ui;

use ui::{Progress, Ui};

use args::{
    CiCommand, Cli, Command, DiffFormat, GraphFormat, Input, OutputFormat, ReachFormat,
    RoutingInput, Target, TerraformInput,
};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output that never panics. A closed pipe (`agentform diff … | head -c 1`) or any other failed
/// write ends the output quietly; the command still finishes and exits with the status it would
/// have had (as ripgrep does, no "Broken pipe" message). `print!` would panic instead.
macro_rules! out {
    ($($arg:tt)*) => { write_quietly(&mut std::io::stdout().lock(), format_args!($($arg)*)) };
}
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => { out!("{}\n", format_args!($($arg)*)) };
}
macro_rules! err {
    ($($arg:tt)*) => { write_quietly(&mut std::io::stderr().lock(), format_args!($($arg)*)) };
}
macro_rules! errln {
    () => { err!("\n") };
    ($($arg:tt)*) => { err!("{}\n", format_args!($($arg)*)) };
}

fn write_quietly(stream: &mut impl std::io::Write, text: std::fmt::Arguments<'_>) {
    // Ignored on purpose: a reader that went away is not an error of ours.
    let _ = stream.write_fmt(text);
}

/// Whether `error` comes from writing to a reader that went away (a closed pipe).
fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
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
    let ui = Ui::new(cli.color, cli.quiet);
    match run(cli.command, &ui) {
        Ok(code) => ExitCode::from(code),
        // Only the commands that stream their output (`synth-state`, `completions`) see a closed
        // pipe as an error; their work is the output, so the reader leaving ends it cleanly.
        Err(error) if is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            errln!(
                "{} {error:#}",
                ui.err.severity(diag::Severity::Error, "error:")
            );
            ExitCode::from(1)
        }
    }
}

/// SARIF is for findings (`validate`, `drift`, `propagation`); `generate` and `check` report files.
fn no_sarif(format: OutputFormat, command: &str) -> anyhow::Result<()> {
    if format == OutputFormat::Sarif {
        anyhow::bail!(
            "`--format sarif` is for `validate`, `drift` and `propagation`, not `{command}`; use `validate --format sarif` for the diagnostics"
        );
    }
    Ok(())
}

fn run(command: Command, ui: &Ui) -> anyhow::Result<u8> {
    match command {
        Command::Validate {
            input,
            deny_warnings,
        } => {
            let blueprints = load(&input, None, "validating", ui)?;
            let count = blueprints.len();
            let diagnostics: Vec<Diagnostic> = blueprints
                .into_iter()
                .flat_map(Blueprint::all_diagnostics)
                .collect();
            let failed = diagnostics.iter().any(|d| d.is_error() || deny_warnings);
            report(input.format, &diagnostics, serde_json::Map::new(), ui);
            if input.format == OutputFormat::Human && !failed && !ui.quiet {
                errln!(
                    "{}",
                    ui.err.outcome(
                        true,
                        &format!(
                            "{count} blueprint{} valid",
                            if count == 1 { "" } else { "s" }
                        )
                    )
                );
            }
            Ok(u8::from(failed))
        }
        Command::Generate { input, out } => {
            no_sarif(input.format, "generate")?;
            let Some((diagnostics, files)) = stacks(&input, "generating", ui)? else {
                return Ok(1);
            };
            let written = emit::write(&out, &files)?;
            let mut extra = serde_json::Map::new();
            extra.insert("written".into(), paths_json(&written.written));
            extra.insert("removed".into(), paths_json(&written.removed));
            extra.insert("unchanged".into(), written.unchanged.into());
            extra.insert("completed".into(), paths_json(&written.completed));
            report(input.format, &diagnostics, extra, ui);
            if input.format == OutputFormat::Human && !ui.quiet {
                for dir in &written.completed {
                    errln!(
                        "completed {}: an earlier generate was interrupted there",
                        out.join(dir).display()
                    );
                }
                for path in &written.written {
                    errln!("wrote {}", path.display());
                }
                for path in &written.removed {
                    errln!("removed stale {}", path.display());
                }
                for (stack, count) in stack_folders(&out, &files) {
                    let changed = written
                        .written
                        .iter()
                        .filter(|p| p.starts_with(&stack))
                        .count();
                    errln!(
                        "{}: {}, {changed} written, {} unchanged",
                        stack.display(),
                        plural(count, "file"),
                        count - changed
                    );
                }
                errln!(
                    "{}",
                    ui.err.outcome(
                        true,
                        &format!(
                            "{} written, {} unchanged, {} removed in {}",
                            plural(written.written.len(), "file"),
                            written.unchanged,
                            written.removed.len(),
                            out.display()
                        )
                    )
                );
            }
            Ok(0)
        }
        Command::Reach { paths, format } => reach(&paths, format, ui),
        Command::Access { paths, format } => access(&paths, format, ui),
        Command::Graph { paths, format } => graph(&paths, format, ui),
        Command::Drift {
            path,
            deployed,
            stack,
            target,
            format,
        } => drift(&path, &deployed, stack.as_deref(), &target, format, ui),
        Command::Propagation {
            path,
            deployed,
            stack,
            format,
        } => propagation(&path, &deployed, stack.as_deref(), format, ui),
        Command::Explain { code } => match Rule::parse(&code) {
            Ok(rule) => {
                out!("{}", diag::explain(rule));
                Ok(0)
            }
            Err(suggestion) => {
                let help = suggestion.unwrap_or_else(|| {
                    "the codes are listed in docs/diagnostics.md (`AF001` … `AF909`, `drift/…`, `propagation/…`)".to_string()
                });
                anyhow::bail!("unknown diagnostic code `{code}`; {help}")
            }
        },
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Rendered whole first: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "agentform", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(0)
        }
        Command::Diff {
            old,
            new,
            git,
            format,
        } => {
            let against = match (&new, &git) {
                (Some(new), _) => Against::File(new),
                (None, Some(rev)) => Against::Revision(rev),
                (None, None) => unreachable!("clap requires NEW or --git"),
            };
            diff(&old, against, format, ui)
        }
        Command::Ci(CiCommand::Init {
            out,
            force,
            blueprints,
            generated,
            terraform,
            agentform_git,
            agentform_rev,
            collector,
        }) => ci_init(
            &out,
            force,
            &ci::Workflow {
                blueprints,
                generated,
                terraform,
                agentform_git,
                agentform_rev,
                collector,
            },
            ui,
        ),
        Command::Synth {
            vpcs,
            segments,
            accounts,
        } => {
            out!(
                "{}",
                crate::synth::across_accounts(vpcs as usize, segments as usize, accounts as usize)
            );
            Ok(0)
        }
        Command::SynthState { path, out } => {
            let Some((_, planned)) =
                valid_model(&path, &Overrides::default(), OutputFormat::Human, ui)?
            else {
                return Ok(1);
            };
            let files = emit::generate(&planned.plan, &Renderer::new())?;
            if let Some(stacks) = deployed_stacks::of_plan(&planned.plan) {
                let Some(dir) = out else {
                    anyhow::bail!(
                        "platform `{}` is {} stacks ({}): pass `--out DIR` to receive `<stack>.json` for each",
                        platform_name(&planned.plan),
                        stacks.len(),
                        deployed_stacks::listed(&stacks)
                    );
                };
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                for (name, bytes) in crate::synth::states(&files, &stacks)? {
                    let file = dir.join(format!("{name}.json"));
                    std::fs::write(&file, bytes)
                        .with_context(|| format!("cannot write {}", file.display()))?;
                }
                return Ok(0);
            }
            let expected = drift::expected(&files)?;
            if let Some(file) = out {
                anyhow::bail!(
                    "platform `{}` is one stack: its state goes to stdout, not `--out {}`",
                    platform_name(&planned.plan),
                    file.display()
                );
            }
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            crate::synth::state(&expected, &mut stdout)?;
            stdout.flush()?;
            Ok(0)
        }
        Command::Check { input, out, stack } => {
            no_sarif(input.format, "check")?;
            let Some((diagnostics, mut files)) = stacks(&input, "checking", ui)? else {
                return Ok(1);
            };
            let mut differences = emit::check(&out, &files)?;
            let directory = stack
                .map(|name| stack_directory(&files, &name))
                .transpose()?;
            if let Some(directory) = &directory {
                // One stack: its files only (the whole check also sees the manifest and stack
                // directories no longer generated).
                files.retain(|path, _| path.parent() == Some(directory.as_path()));
                differences.retain(|d| {
                    let (Difference::Missing(p)
                    | Difference::Stale(p)
                    | Difference::Changed(p, _)
                    | Difference::Interrupted(p)) = d;
                    p == directory || p.parent() == Some(directory.as_path())
                });
            }
            let gone = removed_stacks(&files, &differences);
            let mut extra = serde_json::Map::new();
            extra.insert("differences".into(), differences_json(&differences));
            if !gone.is_empty() {
                extra.insert("removed_stacks".into(), paths_json(&gone));
            }
            report(input.format, &diagnostics, extra, ui);
            if input.format == OutputFormat::Human {
                let mut stdout = std::io::stdout().lock();
                for dir in &gone {
                    let _ = writeln!(
                        stdout,
                        "removed stack: {} is no longer generated (its account or its last component left the blueprint); destroy what its state holds first (`terraform destroy` there, a `-routes` stack before its account's build stack), then `agentform generate` removes its files",
                        out.join(dir).display()
                    );
                }
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
                        Difference::Interrupted(p) => writeln!(
                            stdout,
                            "inconsistent: {} (an interrupted generate left {}; its files may mix two generations: run generate again)",
                            out.join(p).display(),
                            out.join(p).join(emit::JOURNAL).display()
                        ),
                    };
                }
                if differences.is_empty() {
                    if !ui.quiet {
                        let folders = match &directory {
                            Some(directory) => vec![(out.join(directory), files.len())],
                            None => stack_folders(&out, &files),
                        };
                        for (stack, count) in folders {
                            errln!(
                                "{}",
                                ui.err.outcome(
                                    true,
                                    &format!(
                                        "{} is up to date ({})",
                                        stack.display(),
                                        plural(count, "file")
                                    )
                                )
                            );
                        }
                    }
                } else {
                    errln!(
                        "{}",
                        ui.err.outcome(
                            false,
                            &format!(
                                "{} is stale: {} files differ; run `agentform generate` to update it",
                                out.display(),
                                differences.len()
                            )
                        )
                    );
                }
            }
            Ok(if differences.is_empty() { 0 } else { 2 })
        }
    }
}

/// `agentform reach`: the matrices of every blueprint that lowers, even one with validation errors
/// (it shows what that blueprint would do). Diagnostics go to stderr in table mode.
fn reach(paths: &[PathBuf], format: ReachFormat, ui: &Ui) -> anyhow::Result<u8> {
    let options = workspace::Load {
        overrides: Overrides::default(),
        render: None,
        matrices: Matrices::WithAttachments,
    };
    let mut reports = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unusable = false;
    // What each blueprint would do: rules across files do not apply (nothing is written).
    for blueprint in workspace::load(paths, &options, |_, _, _| {})? {
        match blueprint.validation {
            Some(validation) => reports.push(validation.into_reach()),
            None => unusable = true,
        }
        diagnostics.extend(blueprint.diagnostics);
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
                err!("{}", diag::render_human(&diagnostics, ui.err));
                errln!("{}", diag::summary(&diagnostics));
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
            outln!("{text}");
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

/// `agentform access`: who may call which action on which component, per blueprint, decided from
/// the policies of its planned stack.
fn access(paths: &[PathBuf], format: ReachFormat, ui: &Ui) -> anyhow::Result<u8> {
    let options = workspace::Load {
        overrides: Overrides::default(),
        render: None,
        matrices: Matrices::Segments,
    };
    let mut reports = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unusable = false;
    for blueprint in workspace::load(paths, &options, |_, _, _| {})? {
        match &blueprint.plan {
            Some(plan) => reports.push(agentform_access(&plan.source, &plan.policies)),
            None => unusable = true,
        }
        diagnostics.extend(blueprint.diagnostics);
    }
    let findings = reports
        .iter()
        .any(crate::access::AccessReport::has_findings);
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
                eprint!("{}", diag::render_human(&diagnostics, ui.err));
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
    Ok(if unusable {
        1
    } else if findings {
        2
    } else {
        0
    })
}

fn agentform_access(
    source: &str,
    policies: &crate::plan::policies::Policies,
) -> crate::access::AccessReport {
    crate::access::analyze(source, policies)
}

/// `agentform graph`: the diagram of one valid blueprint on stdout.
/// `agentform graph`: the diagram of one blueprint. PATHS are read like every command's (a
/// directory means its blueprints, `blueprints/` by default); more than one blueprint is an error
/// that lists them, since one diagram shows one platform.
fn graph(paths: &[PathBuf], format: GraphFormat, ui: &Ui) -> anyhow::Result<u8> {
    let found = crate::source::discover(paths)?;
    let path = match found.as_slice() {
        [one] => one,
        [] => anyhow::bail!(
            "no blueprint in {}; give a blueprint file",
            list_paths(paths)
        ),
        many => anyhow::bail!(
            "`graph` draws one blueprint, and {} holds {}: {}; name one of them",
            list_paths(paths),
            many.len(),
            list_paths(many)
        ),
    };
    let diagnostics = if format == GraphFormat::Json {
        OutputFormat::Json
    } else {
        OutputFormat::Human
    };
    let Some((_, planned)) = valid_model(path, &Overrides::default(), diagnostics, ui)? else {
        return Ok(1);
    };
    let diagram = crate::diagram::Diagram::build(&planned.valid);
    out!(
        "{}",
        match format {
            GraphFormat::Mermaid => crate::diagram::mermaid(&diagram),
            GraphFormat::Dot => crate::diagram::dot(&diagram),
            GraphFormat::Json => crate::diagram::json(&diagram),
        }
    );
    Ok(0)
}

/// Each stack folder of the generated files (`generated/agents`) with its number of files.
fn stack_folders(out: &Path, files: &emit::Files) -> Vec<(PathBuf, usize)> {
    let mut stacks: std::collections::BTreeMap<PathBuf, usize> = std::collections::BTreeMap::new();
    for relative in files.keys() {
        let stack = relative
            .components()
            .next()
            .map_or_else(|| out.to_path_buf(), |first| out.join(first.as_os_str()));
        *stacks.entry(stack).or_default() += 1;
    }
    stacks.into_iter().collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `a`, `b` and `c`, for messages.
fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The valid model of one blueprint and its warnings (printed in human form), or its diagnostics
/// reported and `None`.
fn valid_model_and_warnings(
    path: &Path,
    overrides: &Overrides,
    format: OutputFormat,
    ui: &Ui,
) -> anyhow::Result<Option<(String, Planned, Vec<Diagnostic>)>> {
    let blueprint = workspace::load_file(path, overrides)?;
    let display = blueprint.display.clone();
    let diagnostics = blueprint.diagnostics.clone();
    match blueprint.into_planned() {
        Some(model) => {
            if format == OutputFormat::Human && !diagnostics.is_empty() {
                err!("{}", diag::render_human(&diagnostics, ui.err));
            }
            Ok(Some((display, model, diagnostics)))
        }
        None => {
            report(format, &diagnostics, serde_json::Map::new(), ui);
            Ok(None)
        }
    }
}

/// The valid model of one blueprint, or its diagnostics printed and `None`.
fn valid_model(
    path: &Path,
    overrides: &Overrides,
    format: OutputFormat,
    ui: &Ui,
) -> anyhow::Result<Option<(String, Planned)>> {
    Ok(valid_model_and_warnings(path, overrides, format, ui)?.map(|(d, m, _)| (d, m)))
}

fn open_input(path: &Path) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(std::io::BufReader::with_capacity(1 << 20, file))
}

/// The largest saved plan read whole (a state is streamed and has no limit).
const MAX_PLAN_BYTES: u64 = 512 << 20;

fn read_input(path: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_PLAN_BYTES {
        anyhow::bail!(
            "cannot read {}: it is {} MiB; a saved plan is read whole, and plans above {} MiB are refused (`--state` streams a state of any size)",
            path.display(),
            size >> 20,
            MAX_PLAN_BYTES >> 20
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "cannot read {}: not UTF-8 text (byte {} is not)",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// A drift or propagation report, ready for each format.
struct Findings<'a, R> {
    command: &'static str,
    blueprint: &'a str,
    source: &'a str,
    clean: bool,
    /// The summary line first, then details.
    human: String,
    report: &'a R,
    /// Every rule the command can report, and its results placed in the blueprint (with the
    /// blueprint's warnings first).
    rules: &'static [Check],
    items: Vec<Item>,
}

/// Prints a drift or propagation report and returns its exit code.
fn print_findings<R: serde::Serialize>(format: OutputFormat, f: &Findings<'_, R>, ui: &Ui) -> u8 {
    match format {
        OutputFormat::Human => {
            // Quiet and clean: the exit code says it all.
            if !(ui.quiet && f.clean) {
                let (summary, rest) = f.human.split_once('\n').unwrap_or((&f.human, ""));
                out!("{}\n{rest}", ui.out.outcome(f.clean, summary));
            }
        }
        OutputFormat::Json => {
            let mut object = serde_json::Map::new();
            object.insert("command".into(), f.command.into());
            object.insert("blueprint".into(), f.blueprint.into());
            object.insert("source".into(), f.source.into());
            if let serde_json::Value::Object(fields) =
                serde_json::to_value(f.report).expect("report serializes")
            {
                object.extend(fields);
            }
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(object))
                .expect("report serializes");
            outln!("{text}");
        }
        OutputFormat::Sarif => {
            let rules: Vec<Rule> = f.rules.iter().map(|&c| Rule::Check(c)).collect();
            out!(
                "{}",
                diag::sarif::render(&rules, &f.items, &crate::source::repository_location)
            );
        }
    }
    if f.clean { 0 } else { 2 }
}

/// `agentform drift`: the blueprint's stack, generated in memory, against Terraform's record; on a
/// platform of several stacks, one stack (`--stack`) or each against its own state (`--states`).
fn drift(
    path: &Path,
    input: &TerraformInput,
    stack: Option<&str>,
    target: &Target,
    format: OutputFormat,
    ui: &Ui,
) -> anyhow::Result<u8> {
    let overrides = Overrides {
        aws_provider: target.aws_provider.clone(),
        no_awscc: target.no_awscc,
    };
    let Some((display, Planned { valid, mut plan }, warnings)) =
        valid_model_and_warnings(path, &overrides, format, ui)?
    else {
        return Ok(1);
    };
    let all = deployed_stacks::of_plan(&plan);
    let platform = platform_name(&plan);
    let selection =
        deployed_stacks::select(all.as_deref(), stack, input.states.as_deref(), &platform)?;
    let locator = (format == OutputFormat::Sarif).then(|| locate::Locator::new(valid.model()));
    drop(valid);
    let report = match selection {
        Selection::Single => {
            let expected = drift::expectations(plan, &Renderer::new())?;
            drift_one(&expected, input)?
        }
        Selection::One(one) => {
            plan.stacks
                .retain(|s| Path::new(&s.directory) == one.directory.as_path());
            let expected = drift::expectations(plan, &Renderer::new())?;
            drift::merge(vec![(one.name.clone(), drift_one(&expected, input)?)])
        }
        Selection::All(files) => {
            // Every stack's expectations from one pass over the plan, by directory.
            let mut expected: Vec<drift::Expectations> = files
                .iter()
                .map(|_| drift::Expectations::default())
                .collect();
            crate::emit::terraform_parts(plan, &Renderer::new(), |path, text| {
                let Some(k) = files
                    .iter()
                    .position(|(s, _)| path.parent() == Some(s.directory.as_path()))
                else {
                    return Ok(());
                };
                drift::expected_in_text(text, &mut expected[k])
            })?;
            let mut reports = Vec::new();
            for ((one, file), expected) in files.iter().zip(&expected) {
                let report = drift::check_state(expected, open_input(file)?)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                reports.push((one.name.clone(), report));
            }
            drift::merge(reports)
        }
    };
    let source = if input.plan.is_some() {
        "plan"
    } else {
        "state"
    };
    let mut items: Vec<Item> = warnings.iter().map(Item::from).collect();
    if let Some(locator) = &locator {
        items.extend(locate::drift_items(&report, locator, &display));
    }
    let findings = Findings {
        command: "drift",
        blueprint: &display,
        source,
        clean: report.is_clean(),
        human: report.human(),
        report: &report,
        rules: locate::DRIFT_CHECKS,
        items,
    };
    Ok(print_findings(format, &findings, ui))
}

/// Stack directories of a platform (of several stacks, or of one now) that `files` no longer has, all of whose
/// generated files are stale: a stack whose account left the blueprint. Its resources are still
/// deployed under its state until destroyed.
fn removed_stacks(files: &emit::Files, differences: &[Difference]) -> Vec<PathBuf> {
    // The platforms' directories: `<platform>/` holds a manifest, or is the stack of a platform
    // that is one stack now (it was several before).
    let platforms: std::collections::BTreeSet<&Path> = files
        .keys()
        .filter_map(|p| p.components().next())
        .map(|c| Path::new(c.as_os_str()))
        .collect();
    let mut gone: Vec<PathBuf> = differences
        .iter()
        .filter_map(|d| match d {
            Difference::Stale(p) => p.parent().map(Path::to_path_buf),
            _ => None,
        })
        .filter(|dir| {
            dir.parent()
                .is_some_and(|platform| platforms.contains(platform))
                && !files.keys().any(|p| p.parent() == Some(dir.as_path()))
        })
        .collect();
    gone.sort();
    gone.dedup();
    gone
}

/// The directory (relative to the output directory) of the stack `name` of a platform of several
/// stacks among `files`, read from the manifests they hold.
fn stack_directory(files: &emit::Files, name: &str) -> anyhow::Result<PathBuf> {
    let mut all: Vec<(String, deployed_stacks::Stack)> = Vec::new();
    for (path, text) in files {
        if path.file_name().is_none_or(|f| f != emit::MANIFEST) {
            continue;
        }
        let manifest: serde_json::Value = serde_json::from_str(text)
            .context("internal error: the generated manifest is not JSON")?;
        let platform = manifest["platform"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for entry in manifest["stacks"].as_array().into_iter().flatten() {
            let (Some(stack), Some(directory)) =
                (entry["name"].as_str(), entry["directory"].as_str())
            else {
                continue;
            };
            all.push((
                platform.clone(),
                deployed_stacks::Stack {
                    name: stack.to_string(),
                    directory: Path::new(&platform).join(directory),
                },
            ));
        }
    }
    if all.is_empty() {
        anyhow::bail!(
            "`--stack {name}`: no blueprint checked is a platform of several stacks (each lives in one account)"
        );
    }
    let found: Vec<&(String, deployed_stacks::Stack)> =
        all.iter().filter(|(_, s)| s.name == name).collect();
    match found.as_slice() {
        [(_, one)] => Ok(one.directory.clone()),
        [] => {
            let stacks: Vec<deployed_stacks::Stack> = all.iter().map(|(_, s)| s.clone()).collect();
            let platforms: std::collections::BTreeSet<&str> =
                all.iter().map(|(p, _)| p.as_str()).collect();
            let platforms: Vec<&str> = platforms.into_iter().collect();
            deployed_stacks::find(&stacks, name, &platforms.join("`, `"))
                .map(|s| s.directory.clone())
        }
        several => anyhow::bail!(
            "`--stack {name}` is a stack of several platforms ({}): check one blueprint at a time",
            several
                .iter()
                .map(|(p, _)| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The platform's name: its manifest's, or its one stack's directory.
fn platform_name(plan: &crate::plan::Plan) -> String {
    match &plan.manifest {
        Some(manifest) => manifest.platform.clone(),
        None => plan
            .stacks
            .first()
            .map(|s| s.directory.clone())
            .unwrap_or_default(),
    }
}

/// `drift` of one stack against `--state` or `--plan`.
fn drift_one(
    expected: &drift::Expectations,
    input: &TerraformInput,
) -> anyhow::Result<drift::Report> {
    Ok(match (&input.state, &input.plan) {
        (Some(state), _) => drift::check_state(expected, open_input(state)?)
            .with_context(|| format!("cannot read {}", state.display()))?,
        (None, Some(plan)) => {
            let text = read_input(plan)?;
            let deployed = crate::deployed::read_plan(&text)
                .with_context(|| format!("cannot read {}", plan.display()))?;
            drift::check(expected, &deployed)?
        }
        (None, None) => unreachable!("clap requires one input; `--states` is read by the caller"),
    })
}

/// `agentform propagation`: deployed transit gateway routing against the blueprint's; on a platform
/// of several stacks, one stack's state (`--stack`) or every stack's merged (`--states`).
fn propagation(
    path: &Path,
    input: &RoutingInput,
    stack: Option<&str>,
    format: OutputFormat,
    ui: &Ui,
) -> anyhow::Result<u8> {
    let Some((display, Planned { valid, plan }, warnings)) =
        valid_model_and_warnings(path, &Overrides::default(), format, ui)?
    else {
        return Ok(1);
    };
    let all = deployed_stacks::of_plan(&plan);
    let platform = platform_name(&plan);
    // One stack read alone knows the attachments it reads from the others by their tags there.
    let remote = match (&all, stack) {
        (Some(all), Some(_)) => {
            deployed_stacks::attachment_outputs(&emit::generate(&plan, &Renderer::new())?, all)?
        }
        _ => std::collections::BTreeMap::new(),
    };
    drop(plan);
    // `--aws DIR` is the gateway owner's account whatever the platform: no stack to choose.
    let selection = if input.aws.is_some() {
        Selection::Single
    } else {
        deployed_stacks::select(all.as_deref(), stack, input.states.as_deref(), &platform)?
    };
    let (observed, source) = match (&input.state, &input.plan, &input.aws, &selection) {
        (_, _, _, Selection::All(files)) => {
            let mut reader = tgw::StateReader::default();
            for (_, file) in files {
                crate::deployed::stream_state(open_input(file)?, |r| reader.feed(r))
                    .with_context(|| format!("cannot read {}", file.display()))?;
            }
            (reader.finish(), "state")
        }
        (Some(state), _, _, _) => {
            let mut reader = tgw::StateReader::reading_remote(remote);
            crate::deployed::stream_state(open_input(state)?, |r| reader.feed(r))
                .with_context(|| format!("cannot read {}", state.display()))?;
            (reader.finish(), "state")
        }
        (None, Some(plan), _, _) => {
            let text = read_input(plan)?;
            let deployed = crate::deployed::read_plan(&text)
                .with_context(|| format!("cannot read {}", plan.display()))?;
            let mut reader = tgw::StateReader::reading_remote(remote);
            for resource in &deployed.resources {
                reader.feed(resource)?;
            }
            (reader.finish(), "plan")
        }
        (None, None, Some(dir), _) => (crate::deployed::aws::read_dir(dir)?, "aws"),
        (None, None, None, _) => unreachable!("clap requires one input"),
    };
    let mut report = propagation::check(&valid, &observed, source != "aws");
    if all.is_some() {
        let read = match &selection {
            Selection::One(one) => vec![one.name.clone()],
            Selection::All(files) => files.iter().map(|(s, _)| s.name.clone()).collect(),
            Selection::Single => Vec::new(),
        };
        report.name_stacks(valid.model(), read);
    }
    if let (Selection::One(one), Some(all)) = (&selection, &all) {
        report.notes.push(format!(
            "read stack `{}` only, of {} ({}): what the other stacks hold (route tables and associations in the gateway owner's routing stack, attachments in the VPCs' accounts, VPC routes in the `-routes` stacks) is not seen here (reported missing where the blueprint expects it); `--states DIR` reads them all",
            one.name,
            all.len(),
            deployed_stacks::listed(all)
        ));
    }
    let mut items: Vec<Item> = warnings.iter().map(Item::from).collect();
    if format == OutputFormat::Sarif {
        items.extend(locate::propagation_items(&report, valid.model(), &display));
    }
    let findings = Findings {
        command: "propagation",
        blueprint: &display,
        source,
        clean: report.is_clean(),
        human: report.human(),
        report: &report,
        rules: locate::PROPAGATION_CHECKS,
        items,
    };
    Ok(print_findings(format, &findings, ui))
}

/// `agentform diff`: the comparison printed as a comment or JSON.
fn diff(old: &Path, against: Against<'_>, format: DiffFormat, ui: &Ui) -> anyhow::Result<u8> {
    let result = match crate::diff::compare(old, against)? {
        Comparison::Compared(result) => result,
        Comparison::Invalid {
            side,
            display,
            diagnostics,
        } => {
            errln!("error: the {side} blueprint `{display}` is not valid; nothing to compare");
            err!("{}", diag::render_human(&diagnostics, ui.err));
            errln!("{}", diag::summary(&diagnostics));
            return Ok(1);
        }
    };
    match format {
        DiffFormat::Markdown => out!("{}", result.markdown()),
        DiffFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&result).expect("diff serializes")
        ),
    }
    Ok(if result.has_changes() { 2 } else { 0 })
}

/// `agentform ci init`: the workflow, written once (never over a file unless `--force`).
fn ci_init(out: &Path, force: bool, workflow: &ci::Workflow, ui: &Ui) -> anyhow::Result<u8> {
    match ci::init(out, force, workflow)? {
        ci::Init::Refused(path) => {
            errln!(
                "error: {} already exists; pass `--force` to overwrite it",
                path.display()
            );
            Ok(1)
        }
        ci::Init::Written { written, kept } => {
            if !ui.quiet {
                if let Some(path) = kept {
                    errln!(
                        "kept {} (it already has this version's text)",
                        path.display()
                    );
                }
                for path in written {
                    errln!("wrote {}", path.display());
                }
            }
            Ok(0)
        }
    }
}

/// Every blueprint of the input through the front end (and rendered when `renderer` is given),
/// with the progress line.
fn load(
    input: &Input,
    renderer: Option<&Renderer>,
    verb: &'static str,
    ui: &Ui,
) -> anyhow::Result<Vec<Blueprint>> {
    let options = workspace::Load {
        overrides: Overrides {
            aws_provider: input.aws_provider.clone(),
            no_awscc: input.no_awscc,
        },
        render: renderer,
        matrices: Matrices::Segments,
    };
    let mut progress = Progress::new(ui, verb);
    let blueprints = workspace::load(&input.paths, &options, |index, total, path| {
        progress.step(index, total, path);
    })?;
    progress.finish();
    Ok(blueprints)
}

/// Every blueprint's stack, with the diagnostics to report alongside; `None` when a blueprint is
/// invalid (its diagnostics are reported then, and nothing may be written).
fn stacks(
    input: &Input,
    verb: &'static str,
    ui: &Ui,
) -> anyhow::Result<Option<(Vec<Diagnostic>, emit::Files)>> {
    let blueprints = load(input, Some(&Renderer::new()), verb, ui)?;
    let (diagnostics, files) = workspace::stacks(blueprints);
    match files {
        Some(files) => Ok(Some((diagnostics, files))),
        None => {
            report(input.format, &diagnostics, serde_json::Map::new(), ui);
            Ok(None)
        }
    }
}

fn report(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    extra: serde_json::Map<String, serde_json::Value>,
    ui: &Ui,
) {
    match format {
        OutputFormat::Human => {
            if !diagnostics.is_empty() {
                err!("{}", diag::render_human(diagnostics, ui.err));
                errln!("{}", diag::summary(diagnostics));
            }
        }
        OutputFormat::Json => {
            let mut report = diag::json_report(diagnostics);
            report.extend(extra);
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(report))
                .expect("report serializes");
            outln!("{text}");
        }
        OutputFormat::Sarif => {
            let rules: Vec<Rule> = Code::ALL.iter().map(|&c| Rule::Code(c)).collect();
            let items: Vec<Item> = diagnostics.iter().map(Item::from).collect();
            out!(
                "{}",
                diag::sarif::render(&rules, &items, &crate::source::repository_location)
            );
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
            Difference::Interrupted(p) => {
                serde_json::json!({"path": p.display().to_string(), "kind": "interrupted"})
            }
        })
        .collect::<Vec<_>>()
        .into()
}
