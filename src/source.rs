//! Finding and reading blueprint files, and turning byte offsets into `line:col` spans.
//!
//! This is the only module of the front end that touches the file system.

use crate::diag::Span;
use std::path::{Path, PathBuf};

/// The format of a blueprint file, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Hcl,
    Json,
}

/// One blueprint file as read from disk. `text` is `Err` when the file is not UTF-8 or unreadable;
/// the loader turns that into a diagnostic rather than failing.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown in diagnostics and in the generated marker line (relative, `/`-separated).
    pub display: String,
    pub format: Format,
    /// The text, or why it cannot be read and where (for a UTF-8 error, the first invalid byte).
    pub text: Result<String, (String, Span)>,
}

/// The largest blueprint read: far above any real platform, far below what would exhaust memory.
pub const MAX_BLUEPRINT_BYTES: u64 = 64 << 20;

impl SourceFile {
    /// Builds a source from text in memory (used by tests and by `check`'s callers alike).
    pub fn from_text(display: &str, text: &str) -> Self {
        SourceFile {
            path: PathBuf::from(display),
            display: display.to_string(),
            format: format_of(Path::new(display)),
            text: Ok(text.to_string()),
        }
    }

    /// The text, shared with the diagnostics that quote it; `None` when it could not be read.
    pub fn shared_text(&self) -> Option<std::sync::Arc<str>> {
        self.text.as_deref().ok().map(std::sync::Arc::from)
    }

    pub fn read(path: &Path) -> Self {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let read = if size > MAX_BLUEPRINT_BYTES {
            // Refused before reading: memory stays bounded whatever the file.
            Err(None)
        } else {
            std::fs::read(path).map_err(Some)
        };
        let text = match read {
            Err(None) => Err((
                format!(
                    "is {} MiB; blueprints above {} MiB are refused (65,536 VPCs take about 10 MiB)",
                    size >> 20,
                    MAX_BLUEPRINT_BYTES >> 20
                ),
                Span::START,
            )),
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
                let span = LineIndex::new(prefix).span(valid);
                ("is not valid UTF-8 text".to_string(), span)
            }),
            Err(Some(e)) => Err((format!("cannot be read: {e}"), Span::START)),
        };
        SourceFile {
            path: path.to_path_buf(),
            display: display_path(path),
            format: format_of(path),
            text,
        }
    }
}

fn format_of(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        _ => Format::Hcl,
    }
}

/// A path relative to the working directory, with `/` separators: below it as `blueprints/a.hcl`,
/// elsewhere as `../other/a.hcl` (never absolute, and never silently shortened), so generated
/// files and messages name the same file whatever the form given on the command line.
fn display_path(path: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return slashed(&normalize(path));
    };
    let absolute = normalize(&cwd.join(path));
    slashed(&relative_to(&absolute, &normalize(&cwd)).unwrap_or(absolute))
}

/// `path` without `.` and with each `..` taken back, by text alone (no symlinks resolved).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base` (both absolute and normalized), climbing with `..` where needed;
/// `None` when they share no root (another drive).
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path_parts: Vec<_> = path.components().collect();
    let base_parts: Vec<_> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    Some(out)
}

fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

/// Where a SARIF log places a blueprint, given as displayed ([`SourceFile::display`]): relative to
/// the root of the git repository holding it (the nearest folder above it with a `.git`; without
/// one, the working directory), whatever the working directory; a file outside that root gets its
/// absolute `file://` URI.
pub fn repository_location(display: &str) -> Result<String, String> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(display.to_string());
    };
    let absolute = normalize(&cwd.join(display));
    let root = absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| normalize(&cwd), Path::to_path_buf);
    match absolute.strip_prefix(&root) {
        Ok(relative) => Ok(slashed(relative)),
        Err(_) => Err(slashed(&absolute)),
    }
}

/// Expands the command-line paths: a directory means every `*.hcl` and `*.json` file directly in it,
/// sorted by name. Missing paths are I/O errors.
pub fn discover(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| anyhow::anyhow!("cannot read directory {}: {e}", path.display()))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("hcl" | "json"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            anyhow::bail!("no such blueprint file or directory: {}", path.display());
        }
    }
    Ok(files)
}

/// Maps byte offsets of one text to 1-based line and character column.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// The span of the byte range `start..end` (clamped to the text; an inverted range is empty).
    pub fn range(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        let (line, col) = self.position(start);
        let (end_line, end_col) = self.position(end);
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            line,
            col,
            end_line,
            end_col,
            start: offset(start),
            end: offset(end),
        }
    }

    /// The empty span at one byte offset (where a parser gave up, say).
    pub fn span(&self, offset: usize) -> Span {
        self.range(offset, offset)
    }

    /// 1-based line and character column of a byte offset.
    fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_their_parent_steps() {
        let base = Path::new("/work/repo/sub");
        assert_eq!(
            relative_to(Path::new("/work/repo/blueprints/a.hcl"), base),
            Some(PathBuf::from("../blueprints/a.hcl"))
        );
        assert_eq!(
            normalize(Path::new("/work/repo/sub/../blueprints/./a.hcl")),
            PathBuf::from("/work/repo/blueprints/a.hcl")
        );
    }

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let index = LineIndex::new("ab\nçd\n");
        assert_eq!(index.span(0), Span::START);
        let at = |offset| {
            let span = index.span(offset);
            (span.line, span.col)
        };
        assert_eq!(at(3), (2, 1));
        assert_eq!(at(5), (2, 2));
        let range = index.range(3, 6);
        assert_eq!(
            (range.end_line, range.end_col, range.start, range.end),
            (2, 3, 3, 6)
        );
    }
}
