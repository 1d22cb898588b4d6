//! What the test binaries share: `Test`, the one builder that runs the built `agentform` binary
//! (arguments, working directory, environment, stdin) and returns its exit code and output, and the
//! fixture lookups more than one binary needs (the repository root, the Terraform provider mirror,
//! tools that CI must have). Each test binary declares `mod common;` and uses part of it.

// Every test binary compiles this module whole and uses only what it needs.
#![allow(dead_code)]

pub mod moto;
pub mod terraform;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The binary under test, as Cargo built it for this test run.
pub const AGENTFORM: &str = env!("CARGO_BIN_EXE_agentform");

/// The repository root, where `cargo test` runs the tests and relative fixture paths start.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One command of the binary, built up: the directory it runs in (a fresh scratch directory unless
/// told otherwise), files written there first, arguments, environment, stdin. `NO_COLOR=1` is set
/// unless the test changes it, so output is plain; stdin is empty unless given.
pub struct Test {
    /// Owns the scratch directory (removed on drop); `None` when running in a directory of the test's.
    scratch: Option<tempfile::TempDir>,
    dir: PathBuf,
    args: Vec<OsString>,
    /// `None` removes the variable from the inherited environment.
    env: BTreeMap<OsString, Option<OsString>>,
    stdin: Option<Vec<u8>>,
}

/// What a run left: the exit code (-1 when killed by a signal) and both streams as text.
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for assertion messages.
    command: String,
}

impl Test {
    /// Runs in a fresh scratch directory, removed when the `Test` is dropped.
    pub fn new() -> Self {
        let scratch = tempfile::tempdir().expect("temp dir");
        let dir = scratch.path().to_path_buf();
        Test {
            scratch: Some(scratch),
            ..Test::in_dir(dir)
        }
    }

    /// Runs in `dir`, which the test owns.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Test {
            scratch: None,
            dir: dir.into(),
            args: Vec::new(),
            env: BTreeMap::from([("NO_COLOR".into(), Some("1".into()))]),
            stdin: None,
        }
    }

    /// Runs in the repository root, where fixtures are named by relative paths.
    pub fn in_repo() -> Self {
        Test::in_dir(repo())
    }

    /// Writes `blueprints/NAME`.
    pub fn blueprint(self, name: &str, text: &str) -> Self {
        self.file(&format!("blueprints/{name}"), text.as_bytes())
    }

    /// Writes a file (and its parent directories) under the directory the command runs in.
    pub fn file(self, path: &str, bytes: &[u8]) -> Self {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// The arguments, replacing any given before, so one directory can serve several commands.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.env.insert(key.into(), Some(value.as_ref().to_owned()));
        self
    }

    /// Removes a variable from the environment the command inherits (`NO_COLOR` included).
    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.insert(key.into(), None);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// A path under the directory the command runs in (`""` for the directory itself).
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    pub fn run(&self) -> Output {
        let mut command = Command::new(AGENTFORM);
        command.args(&self.args).current_dir(&self.dir);
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let output = match &self.stdin {
            None => command.stdin(Stdio::null()).output(),
            Some(bytes) => command
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .and_then(|mut child| {
                    let mut input = child.stdin.take().expect("piped stdin");
                    // Written beside the reads, so a large input cannot block on a full pipe.
                    std::thread::scope(|scope| {
                        let writer = scope.spawn(move || input.write_all(bytes));
                        let output = child.wait_with_output();
                        // The binary may exit without reading all of it: not the test's concern.
                        let _ = writer.join().expect("stdin writer");
                        output
                    })
                }),
        }
        .expect("agentform runs");
        Output {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            command: std::iter::once("agentform".into())
                .chain(self.args.iter().map(|a| a.to_string_lossy()))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

impl Output {
    /// Asserts the exit code; a failure shows the command and both streams.
    #[track_caller]
    pub fn assert_status(&self, code: i32) -> &Self {
        assert!(
            self.status == code,
            "`{}` exited {}, expected {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.command,
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.assert_status(0)
    }

    /// Stdout as JSON; a failure shows the text.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("`{}` printed no JSON ({e}):\n{}", self.command, self.stdout)
        })
    }
}

/// What a check needs from outside the repository (a linter, Graphviz, a pinned install), as the
/// caller found it. A missing one FAILS the test (`scripts/test` installs them all), unless the
/// check is opted out by name in `AGENTFORM_SKIP` (comma-separated, e.g.
/// `AGENTFORM_SKIP=mermaid,graphviz`): then it is skipped deliberately, and the skip is appended
/// to the file `AGENTFORM_SKIP_LOG` names, which `scripts/test` lists when the run ends.
pub fn required<T>(check: &str, found: Option<T>, missing: &str) -> Option<T> {
    if found.is_none() {
        assert!(
            skipped(check),
            "{missing}. Run the tests with `scripts/test`, which installs it, or skip this check deliberately with AGENTFORM_SKIP={check}"
        );
        record_skip(check, missing);
    }
    found
}

/// Whether `AGENTFORM_SKIP` names `check`.
pub fn skipped(check: &str) -> bool {
    std::env::var("AGENTFORM_SKIP")
        .unwrap_or_default()
        .split(',')
        .any(|c| c.trim() == check)
}

/// Notes a deliberate skip where `scripts/test` reads it (and on stderr, for `--nocapture`).
pub fn record_skip(check: &str, why: &str) {
    eprintln!("note: skipped {check} (AGENTFORM_SKIP): {why}");
    if let Some(log) = std::env::var_os("AGENTFORM_SKIP_LOG") {
        use std::io::Write as _;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(file, "{check}: {why}");
        }
    }
}
