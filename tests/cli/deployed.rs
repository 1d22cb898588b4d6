//! Bad deployed inputs of every kind (issue 19, item 4): `tests/fixtures/deployed/` (truncated,
//! wrong types, missing keys, 10,000-deep nesting, NUL bytes, UTF-16, trailing garbage) through
//! `drift` and `propagation` (`state-*` as `--state`, `plan-*` as `--plan`), and a 1 GiB file made
//! at test time, each under a 1 GiB address-space limit: an error naming the file and where and
//! why (exit 1), or a finding (exit 2), never a panic; the messages are snapshot-tested.

use super::common::{AGENTFORM, repo};
use std::process::Command;
use std::time::{Duration, Instant};

const BLUEPRINT: &str = "tests/fixtures/valid/minimal.hcl";

/// Runs agentform under `ulimit -v` (1 GiB of address space) from the repository root.
fn bounded(args: &[&str]) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -v 1048576; exec "$@""#)
        .arg("bash")
        .arg(AGENTFORM)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// The lines of stderr that say what went wrong (the blueprint's own warnings left out).
fn message(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("note"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_deployed_inputs_are_errors_with_where_and_why() {
    let dir = repo().join("tests/fixtures/deployed");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e == "json")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 15, "the corpus has {} inputs", names.len());
    let mut report = String::new();
    for name in &names {
        let path = format!("tests/fixtures/deployed/{name}");
        let input = if name.starts_with("plan-") {
            "--plan"
        } else {
            "--state"
        };
        for command in ["drift", "propagation"] {
            let (status, stdout, stderr, _) = bounded(&[command, BLUEPRINT, input, &path]);
            assert!(
                !stderr.contains("panicked") && (status == 1 || status == 2),
                "{command} {input} {path}: exit {status}\n{stderr}"
            );
            if status == 1 {
                assert!(
                    stderr.contains(&path),
                    "{command} {path}: the file is not named\n{stderr}"
                );
            }
            // A finding (exit 2): its summary line, the first of stdout.
            let said = if status == 2 {
                stdout.lines().next().unwrap_or_default().to_string()
            } else {
                message(&stderr)
            };
            report.push_str(&format!(
                "{command} {input} {name}: exit {status}\n{said}\n\n"
            ));
        }
    }
    insta::assert_snapshot!("deployed_corpus", report);
}

#[test]
fn a_one_gib_deployed_input_is_refused_or_streamed_in_bounded_memory() {
    let scratch = tempfile::tempdir().unwrap();
    // A sparse file: 1 GiB of NUL bytes that take no disk.
    let huge = scratch.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    // 64 MiB of whitespace, then a truncated document: the state reader streams it all (the debug
    // build reads it at a few MB/s, so more would only slow the test).
    let spaces = scratch.path().join("spaces.json");
    {
        use std::io::Write as _;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&spaces).unwrap());
        let block = vec![b' '; 1 << 20];
        for _ in 0..64 {
            file.write_all(&block).unwrap();
        }
        file.write_all(b"{\"format_version\": \"1.0\", \"values\": {")
            .unwrap();
    }
    let huge = huge.display().to_string();
    let spaces = spaces.display().to_string();
    for (args, expected) in [
        (
            vec!["drift", BLUEPRINT, "--state", &huge],
            "expected value at line 1 column 1",
        ),
        (
            vec!["propagation", BLUEPRINT, "--state", &huge],
            "expected value at line 1 column 1",
        ),
        (
            vec!["drift", BLUEPRINT, "--plan", &huge],
            "plans above 512 MiB are refused",
        ),
        (
            vec!["drift", BLUEPRINT, "--state", &spaces],
            "EOF while parsing",
        ),
    ] {
        let (status, _, stderr, took) = bounded(&args);
        assert_eq!(status, 1, "{args:?}\n{stderr}");
        assert!(stderr.contains(expected), "{args:?}\n{stderr}");
        assert!(took < Duration::from_mins(2), "{args:?} took {took:?}");
    }
}
