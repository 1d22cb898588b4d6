//! Terminal manners: colour only on a terminal and never with `NO_COLOR` (unless `--color always`),
//! `--quiet`, the progress line (never on a pipe; on a terminal through util-linux `script`), shell
//! completions and `agentform explain`.

use super::common::{AGENTFORM, Test};
use super::{DEPLOYED_BLUEPRINT, REFERENCE};
use std::process::Command;

/// A blueprint with one error (an unknown segment).
fn broken() -> String {
    DEPLOYED_BLUEPRINT.replace("segment = \"dev\"", "segment = \"dve\"")
}

/// A valid blueprint with one warning (an unused segment).
fn warned() -> String {
    DEPLOYED_BLUEPRINT.replace(
        "segment \"dev\" {}",
        "segment \"dev\" {}\n  segment \"spare\" {}",
    )
}

/// Runs agentform in `dir` with `NO_COLOR` as given (the `Test` builder sets it unless told).
fn run_with(dir: &std::path::Path, args: &[&str], no_color: Option<&str>) -> (i32, String, String) {
    let test = Test::in_dir(dir).args(args);
    let test = match no_color {
        Some(value) => test.env("NO_COLOR", value),
        None => test.env_remove("NO_COLOR"),
    };
    let out = test.run();
    (out.status, out.stdout, out.stderr)
}

const ESC: char = '\u{1b}';

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let t = Test::new().blueprint("p.hcl", &broken());
    let dir = t.path("");
    // A pipe: plain, whatever NO_COLOR says.
    let (status, _, plain) = run_with(&dir, &["validate"], None);
    assert_eq!(status, 1, "{plain}");
    assert!(plain.contains("error[AF201]"), "{plain}");
    assert!(!plain.contains(ESC), "{plain:?}");
    // Forced: the header in the severity's colour; the text is otherwise the same.
    let (_, _, coloured) = run_with(&dir, &["validate", "--color", "always"], None);
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[91merror[AF201]\u{1b}[0m"),
        "{coloured:?}"
    );
    let stripped = strip(&coloured);
    assert_eq!(stripped, plain);
    let w = Test::new().blueprint("p.hcl", &warned());
    let (status, _, warning) = run_with(&w.path(""), &["validate", "--color", "always"], None);
    assert_eq!(status, 0, "{warning}");
    assert!(
        warning.contains("\u{1b}[1m\u{1b}[33mwarning[AF204]\u{1b}[0m"),
        "{warning:?}"
    );
    assert!(
        warning.contains("\u{1b}[32m1 blueprint valid\u{1b}[0m"),
        "{warning:?}"
    );
    // `--color always` is a per-run request and beats NO_COLOR; `auto` and `never` do not colour.
    let (_, _, forced) = run_with(&dir, &["validate", "--color", "always"], Some("1"));
    assert!(forced.contains(ESC));
    for args in [
        &["validate", "--color", "auto"][..],
        &["validate", "--color", "never"],
        &["validate"],
    ] {
        let (_, _, text) = run_with(&dir, args, Some("1"));
        assert!(!text.contains(ESC), "{args:?}: {text:?}");
    }
    // On a terminal, `auto` colours unless NO_COLOR is set and non-empty.
    if let Some(text) = on_terminal(&dir, "validate", None) {
        assert!(text.contains("\u{1b}[1m\u{1b}[91merror"), "{text:?}");
        assert!(
            !on_terminal(&dir, "validate", Some("1"))
                .unwrap()
                .contains(ESC)
        );
        assert!(
            on_terminal(&dir, "validate", Some(""))
                .unwrap()
                .contains(ESC)
        );
    }
}

/// Removes SGR sequences.
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs `agentform ARGS` under a pseudo-terminal (util-linux `script`), returning what the terminal
/// saw; `None` where `script` is missing.
fn on_terminal(dir: &std::path::Path, args: &str, no_color: Option<&str>) -> Option<String> {
    let mut command = Command::new("script");
    command
        .args(["-qec", &format!("{AGENTFORM} {args}"), "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let out = command.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn quiet_keeps_errors_and_data_and_drops_the_rest() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["generate"]);
    let loud = t.run();
    assert!(
        loud.stderr.contains("wrote generated/agents/network.tf"),
        "{}",
        loud.stderr
    );
    // Without its one warning: the AWS MCP Server needs an internet path the agents VPC has not
    // got until the egress VPC reaches the internet (`AF330`, issue 18).
    let quiet_blueprint = REFERENCE.replace("aws_mcp_server = true", "aws_mcp_server = false");
    let t = Test::new()
        .blueprint("agent-platform.hcl", &quiet_blueprint)
        .args(["generate", "--quiet"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "");
    assert!(t.path("generated/agents/network.tf").is_file());
    let mut t = t;
    for args in [&["validate", "-q"][..], &["check", "--quiet"]] {
        t = t.args(args);
        let out = t.run();
        assert_eq!(
            (out.status, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", ""),
            "{args:?}"
        );
    }
    // Errors and warnings still print; data asked for still prints.
    let t = Test::new().blueprint("p.hcl", &broken());
    let out = t.args(["validate", "--quiet"]).run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("error[AF201]"), "{}", out.stderr);
    let out = Test::new()
        .blueprint("p.hcl", &warned())
        .args(["validate", "--quiet"])
        .run();
    assert_eq!(out.status, 0);
    assert!(out.stderr.starts_with("warning[AF204]"), "{}", out.stderr);
    assert!(!out.stderr.contains("valid"), "{}", out.stderr);
    let out = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["validate", "--quiet", "--format", "json"])
        .run();
    assert!(out.stdout.contains("\"errors\": 0"), "{}", out.stdout);
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let mut t = Test::new();
    for i in 0..3 {
        t = t.blueprint(
            &format!("p{i}.hcl"),
            &DEPLOYED_BLUEPRINT.replace("platform \"p\"", &format!("platform \"p{i}\"")),
        );
    }
    let t = t.args(["validate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "3 blueprints valid\n");
    let dir = t.path("");
    if let Some(screen) = on_terminal(&dir, "validate", Some("1")) {
        assert!(
            screen.contains("\r\u{1b}[2Kvalidating 1/3 blueprints/p0.hcl"),
            "{screen:?}"
        );
        assert!(
            screen.contains("\r\u{1b}[2Kvalidating 3/3 blueprints/p2.hcl"),
            "{screen:?}"
        );
        // Cleared before the summary.
        assert!(
            screen.contains("\r\u{1b}[2K3 blueprints valid"),
            "{screen:?}"
        );
        // `--quiet` has no progress either.
        let quiet = on_terminal(&dir, "validate --quiet", Some("1")).unwrap();
        assert!(!quiet.contains("validating"), "{quiet:?}");
    }
}

#[test]
fn completions_name_the_subcommands() {
    let out = Test::new().args(["completions", "bash"]).run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    for word in [
        "validate",
        "generate",
        "check",
        "reach",
        "drift",
        "propagation",
        "explain",
        "--format",
        "sarif",
    ] {
        assert!(out.stdout.contains(word), "bash completion lacks {word}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = Test::new().args(["completions", shell]).run();
        assert_eq!(out.status, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("propagation"), "{shell}");
    }
    assert_eq!(Test::new().args(["completions", "tcsh"]).run().status, 1);
}

#[test]
fn explain_prints_the_documented_entry() {
    let docs = std::fs::read_to_string(super::common::repo().join("docs/diagnostics.md")).unwrap();
    for (arg, heading) in [
        ("af201", "## AF201 `unknown-reference`"),
        ("AF204", "## AF204 `unused-component`"),
        ("propagation/leak", "## propagation/leak `leak`"),
        ("unknown-reference", "## AF201 `unknown-reference`"),
    ] {
        let out = Test::new().args(["explain", arg]).run();
        assert_eq!(out.status, 0, "{arg}: {}", out.stderr);
        // The same words as the reference page: name, summary, severity and explanation.
        let entry = docs
            .split(heading)
            .nth(1)
            .unwrap()
            .split("\n## ")
            .next()
            .unwrap();
        let (summary, explanation) = entry.trim().split_once("\n\n").unwrap();
        let (summary, severity) = summary.split_once(" Severity: ").unwrap();
        assert!(out.stdout.contains(summary), "{arg}: {}", out.stdout);
        assert!(
            out.stdout
                .contains(&format!("({})", severity.trim_end_matches('.'))),
            "{arg}: {}",
            out.stdout
        );
        assert!(
            out.stdout
                .contains(explanation.split("\n\n# ").next().unwrap().trim()),
            "{arg}: {}",
            out.stdout
        );
        assert!(
            out.stdout.starts_with(heading.trim_start_matches("## ")),
            "{arg}: {}",
            out.stdout
        );
    }
    let out = Test::new().args(["explain", "af210"]).run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("unknown diagnostic code `af210`; did you mean `AF201`?"),
        "{}",
        out.stderr
    );
    let out = Test::new().args(["explain", "propagation/leek"]).run();
    assert!(
        out.stderr.contains("did you mean `propagation/leak`?"),
        "{}",
        out.stderr
    );
    // A truncated rule id is far from the whole by edit distance, but starts it.
    let out = Test::new().args(["explain", "drift/missing"]).run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("did you mean `drift/missing-resource`?"),
        "{}",
        out.stderr
    );
    let out = Test::new().args(["explain", "nonsense"]).run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("docs/diagnostics.md"), "{}", out.stderr);
}

#[test]
fn drift_and_propagation_summaries_follow_colour_and_quiet() {
    let t = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file("state.json", super::DRIFTED_STATE.as_bytes())
        .args(["synth-state", "blueprints/p.hcl"]);
    let clean = t.run();
    assert_eq!(clean.status, 0, "{}", clean.stderr);
    let t = t.file("clean.json", clean.stdout.as_bytes());
    let dir = t.path("");
    for command in ["drift", "propagation"] {
        // Clean: a green summary, nothing at all with --quiet.
        let (status, out, _) = run_with(
            &dir,
            &[
                command,
                "blueprints/p.hcl",
                "--state",
                "clean.json",
                "--color",
                "always",
            ],
            None,
        );
        assert_eq!(status, 0, "{command}: {out}");
        assert!(out.starts_with("\u{1b}[32m0 "), "{command}: {out:?}");
        let (status, out, err) = run_with(
            &dir,
            &[
                command,
                "blueprints/p.hcl",
                "--state",
                "clean.json",
                "--quiet",
            ],
            None,
        );
        assert_eq!(
            (status, out.as_str(), err.as_str()),
            (0, "", ""),
            "{command}"
        );
        // Differences: a red summary, and --quiet still prints the report.
        let (status, out, _) = run_with(
            &dir,
            &[
                command,
                "blueprints/p.hcl",
                "--state",
                "state.json",
                "--color",
                "always",
            ],
            None,
        );
        assert_eq!(status, 2, "{command}: {out}");
        assert!(out.starts_with("\u{1b}[1m\u{1b}[91m"), "{command}: {out:?}");
        let (status, out, _) = run_with(
            &dir,
            &[
                command,
                "blueprints/p.hcl",
                "--state",
                "state.json",
                "--quiet",
            ],
            None,
        );
        assert_eq!(status, 2);
        assert!(!out.is_empty() && !out.contains(ESC), "{command}: {out:?}");
    }
}

#[test]
fn sarif_is_refused_where_there_are_no_findings_to_report() {
    for command in ["generate", "check"] {
        let t = Test::new()
            .blueprint("agent-platform.hcl", REFERENCE)
            .args([command, "--format", "sarif"]);
        let out = t.run();
        assert_eq!(out.status, 1, "{command}");
        assert!(
            out.stderr
                .contains("`--format sarif` is for `validate`, `drift` and `propagation`"),
            "{}",
            out.stderr
        );
        assert!(!t.path("generated").exists());
    }
}
