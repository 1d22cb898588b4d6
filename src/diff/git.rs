//! `git show` for `agentform diff --git REV`: the blueprint as it was at a revision.

use anyhow::Context as _;
use std::path::Path;

/// The text of `path` at git revision `rev` (`git show REV:PATH`, the path taken relative to the
/// repository that holds it).
pub fn read_at_revision(path: &Path, rev: &str) -> anyhow::Result<String> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let dir = absolute
        .parent()
        .filter(|d| d.is_dir())
        .with_context(|| format!("{} is not in an existing directory", path.display()))?;
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .context("cannot run `git`; is it installed?")
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        anyhow::bail!(
            "{} is not in a git repository; `--git` compares with a revision of one",
            path.display()
        );
    }
    let top = std::path::PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let top = top.canonicalize().unwrap_or(top);
    let file_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let name = absolute
        .file_name()
        .context("the blueprint path names no file")?;
    let relative = file_dir
        .strip_prefix(&top)
        .with_context(|| format!("{} is outside its git repository", path.display()))?
        .join(name);
    let relative: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let relative = relative.join("/");
    let shown = git(&["show", &format!("{rev}:{relative}")])?;
    if !shown.status.success() {
        anyhow::bail!(
            "`{relative}` does not exist at git revision `{rev}`: {}",
            String::from_utf8_lossy(&shown.stderr).trim()
        );
    }
    String::from_utf8(shown.stdout)
        .with_context(|| format!("`{relative}` at `{rev}` is not UTF-8 text"))
}
