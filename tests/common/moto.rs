//! moto (pinned, from PyPI) for the emulator tests (`tests/emulator.rs`, `tests/emulator_accounts.rs`):
//! the virtualenv with moto and the AWS CLI, and moto's server on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// The versions `.ci/run` installs; a venv made here uses the same.
const MOTO: &str = "moto[server]==5.2.5";
const AWSCLI: &str = "awscli==1.46.2";

/// The virtualenv with moto and the AWS CLI.
pub fn venv() -> PathBuf {
    if let Ok(dir) = std::env::var("AGENTFORM_MOTO_VENV") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("bin/moto_server").is_file() && dir.join("bin/aws").is_file(),
            "AGENTFORM_MOTO_VENV={} lacks bin/moto_server or bin/aws ({MOTO}, {AWSCLI})",
            dir.display()
        );
        return dir;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("moto-venv-5.2.5");
    if !dir.join("bin/aws").is_file() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(dir.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO,
                AWSCLI,
            ])
            .status()
            .expect("pip runs");
        assert!(
            status.success(),
            "cannot install {MOTO} {AWSCLI} (set AGENTFORM_MOTO_VENV)"
        );
    }
    dir
}

/// moto's server on a free loopback port, stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start(venv: &Path, log: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new(venv.join("bin/python"))
            .arg("tests/emulator/moto_server.py")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("moto starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_mins(1);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen on {port}");
            std::thread::sleep(Duration::from_millis(200));
        }
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command's standard output and error together.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
