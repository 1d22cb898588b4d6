//! A stack is never half of two generations (issue 19, item 6): `generate` killed with SIGKILL at
//! many points of a large write leaves the old stack intact, the new one complete, or a journal
//! that `check` reports as an inconsistent stack; the next `generate` completes it. (Every step of
//! the write is also stopped deterministically by `emit`'s unit test.)

use super::common::AGENTFORM;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Every file under `dir` (one level of stack directories), by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let Ok(stacks) = std::fs::read_dir(dir) else {
        return found;
    };
    for stack in stacks {
        let stack = stack.unwrap().path();
        for file in std::fs::read_dir(&stack).unwrap() {
            let file = file.unwrap().path();
            let relative = file.strip_prefix(dir).unwrap().display().to_string();
            found.insert(relative, std::fs::read(&file).unwrap());
        }
    }
    found
}

fn restore(dir: &Path, stack: &BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(dir);
    for (relative, bytes) in stack {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn agentform(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(AGENTFORM)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn generate_killed_at_many_points_is_invisible_or_detected() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let synth = |segments: &str| {
        Command::new(AGENTFORM)
            .args(["synth", "--vpcs", "150", "--segments", segments])
            .output()
            .unwrap()
            .stdout
    };
    let (old_blueprint, new_blueprint) = (synth("4"), synth("5"));
    let out = dir.join("out");
    std::fs::write(dir.join("p.hcl"), &new_blueprint).unwrap();
    assert_eq!(
        agentform(dir, &["generate", "p.hcl", "--out", "out", "-q"]).0,
        0
    );
    let new_stack = files(&out);
    std::fs::write(dir.join("p.hcl"), &old_blueprint).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    let started = Instant::now();
    assert_eq!(
        agentform(dir, &["generate", "p.hcl", "--out", "out", "-q"]).0,
        0
    );
    let full = started.elapsed();
    let old_stack = files(&out);
    std::fs::write(dir.join("p.hcl"), &new_blueprint).unwrap();
    assert_ne!(old_stack, new_stack);

    // Kill points over the whole run, denser towards its end, where the files are written.
    let points = 24u32;
    let mut outcomes: BTreeMap<&str, u32> = BTreeMap::new();
    for i in 0..points {
        restore(&out, &old_stack);
        let fraction = if i < 6 {
            f64::from(i) / 6.0 * 0.6
        } else {
            0.6 + f64::from(i - 6) / f64::from(points - 6) * 0.6
        };
        let mut child = Command::new(AGENTFORM)
            .args(["generate", "p.hcl", "--out", "out", "-q"])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(fraction));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let on_disk = files(&out);
        let journal = on_disk
            .keys()
            .any(|k| k.ends_with("/.agentform-generating"));
        let generated: BTreeMap<_, _> = on_disk
            .iter()
            .filter(|(k, _)| !k.rsplit('/').next().unwrap().starts_with('.'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (status, report) = agentform(dir, &["check", "p.hcl", "--out", "out"]);
        let detected = report.contains("inconsistent: ");
        assert_eq!(
            journal, detected,
            "kill at {fraction:.2} of the run: {report}"
        );
        let outcome = if generated == old_stack {
            assert_eq!(status, 2, "the old stack is not current");
            "old stack intact"
        } else if generated == new_stack {
            assert_eq!(status, if journal { 2 } else { 0 }, "{report}");
            "new stack complete"
        } else {
            assert!(
                detected,
                "kill at {fraction:.2}: a silent mix of two generations"
            );
            assert_eq!(status, 2);
            "mixed and reported"
        };
        *outcomes.entry(outcome).or_default() += 1;
        // The next run completes whatever was left.
        assert_eq!(
            agentform(dir, &["generate", "p.hcl", "--out", "out", "-q"]).0,
            0
        );
        assert_eq!(agentform(dir, &["check", "p.hcl", "--out", "out"]).0, 0);
    }
    eprintln!("{points} kills: {outcomes:?} (a full run takes {full:?})");
    assert_eq!(outcomes.values().sum::<u32>(), points);
}
