//! Scripts can rely on us (issue 19, item 5): output to a closed pipe ends quietly, with the status
//! the command has when its output is read, for every command and format. Each command runs many
//! times into `head -c 1`, and as often with its stdout closed before it writes anything (the pipe
//! is certainly closed then: no race with the pipe's buffer).

use super::common::{AGENTFORM, repo};
use std::io::Read as _;
use std::process::{Command, Stdio};

/// Runs `args` with stdout read to the end: the status every closed-pipe run must match.
fn normal_status(args: &[String]) -> i32 {
    let out = Command::new(AGENTFORM)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{args:?} panics: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.code().expect("exits")
}

/// `agentform ARGS | head -c 1`, as a shell script writes it: agentform's status and stderr.
fn into_head(args: &[String]) -> (i32, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#""$@" | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}""#)
        .arg("bash")
        .arg(AGENTFORM)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// agentform with its stdout already closed (optionally after reading one byte).
fn closed(args: &[String], read_one: bool) -> (i32, String) {
    let mut child = Command::new(AGENTFORM)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdout = child.stdout.take().expect("piped");
    if read_one {
        let _ = stdout.read(&mut [0u8; 1]);
    }
    drop(stdout);
    let out = child.wait_with_output().expect("waits");
    (
        // A signal (SIGPIPE) would be no exit code: -1, which no command exits with.
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_and_format_ends_quietly_on_a_closed_pipe() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let reference = "blueprints/agent-platform.hcl";
    let state = dir.join("state.json");
    let synth = Command::new(AGENTFORM)
        .args(["synth-state", reference])
        .current_dir(repo())
        .output()
        .unwrap();
    std::fs::write(&state, &synth.stdout).unwrap();
    let state = state.display().to_string();
    let out = dir.join("out").display().to_string();
    let invalid = "tests/fixtures/invalid/iam-account-trust.hcl";
    let diff_old = "tests/fixtures/diff/spending/old.hcl";
    let diff_new = "tests/fixtures/diff/spending/new.hcl";
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["explain", "AF704"],
        vec!["completions", "bash"],
        vec!["synth", "--vpcs", "300"],
        vec!["synth-state", reference],
        vec!["diff", diff_old, diff_new],
        vec!["diff", diff_old, diff_new, "--format", "json"],
    ];
    for format in ["human", "json", "sarif"] {
        commands.push(vec!["validate", "blueprints", "--format", format]);
        commands.push(vec!["validate", invalid, "--format", format]);
        commands.push(vec![
            "drift", reference, "--state", &state, "--format", format,
        ]);
        commands.push(vec![
            "propagation",
            reference,
            "--state",
            &state,
            "--format",
            format,
        ]);
    }
    for format in ["human", "json"] {
        commands.push(vec![
            "generate",
            "blueprints",
            "--out",
            &out,
            "--format",
            format,
        ]);
        commands.push(vec!["check", "blueprints", "--format", format]);
    }
    for format in ["table", "json"] {
        commands.push(vec!["reach", "blueprints", "--format", format]);
    }
    for format in ["mermaid", "dot", "json"] {
        commands.push(vec!["graph", reference, "--format", format]);
    }
    let mut failures = Vec::new();
    for command in &commands {
        let args: Vec<String> = command.iter().map(ToString::to_string).collect();
        let expected = normal_status(&args);
        for round in 0..6 {
            for (how, (status, stderr)) in [
                ("| head -c 1", into_head(&args)),
                ("stdout closed", closed(&args, false)),
                ("one byte read, then closed", closed(&args, round % 2 == 0)),
            ] {
                let noisy = stderr.contains("panicked")
                    || stderr.contains("Broken pipe")
                    || stderr.contains("failed printing");
                if status != expected || noisy {
                    failures.push(format!(
                        "agentform {} ({how}): exit {status}, expected {expected}; stderr:\n{stderr}",
                        args.join(" ")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
