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
                Span { line: 1, col: 1 },
            )),
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
                let span = LineIndex::new(prefix).span(valid);
                ("is not valid UTF-8 text".to_string(), span)
            }),
            Err(Some(e)) => Err((format!("cannot be read: {e}"), Span { line: 1, col: 1 })),
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

/// A path relative to the working directory when it lies below it, otherwise as given; always with
/// `/` separators so generated files do not depend on where agentform ran.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let absolute = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            absolute.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| {
            // Outside the working directory: the file name alone keeps output free of absolute paths.
            path.file_name()
                .map_or_else(|| path.to_path_buf(), PathBuf::from)
        });
    let text: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    text.join("/")
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

    pub fn span(&self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Span {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let index = LineIndex::new("ab\nçd\n");
        assert_eq!(index.span(0), Span { line: 1, col: 1 });
        assert_eq!(index.span(3), Span { line: 2, col: 1 });
        assert_eq!(index.span(5), Span { line: 2, col: 2 });
    }
}
