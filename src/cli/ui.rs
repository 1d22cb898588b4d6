//! How a run talks to the person: colour per stream, quietness, the progress line.

use super::args::ColorChoice;
use crate::diag::Style;
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

/// How this run talks to the person: styles per stream, quietness, progress. Decided once from the
/// flags, `NO_COLOR` and whether each stream is a terminal.
pub(super) struct Ui {
    /// For stdout (reports of drift and propagation).
    pub(super) out: Style,
    /// For stderr (diagnostics, summaries).
    pub(super) err: Style,
    pub(super) quiet: bool,
    /// A progress line on stderr for runs over many blueprints.
    pub(super) progress: bool,
}

impl Ui {
    pub(super) fn new(color: ColorChoice, quiet: bool) -> Self {
        // https://no-color.org: set and non-empty disables colour; an explicit flag still wins.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |terminal: bool| Style {
            color: match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => terminal && !no_color,
            },
        };
        let stderr_terminal = std::io::stderr().is_terminal();
        Ui {
            out: decide(std::io::stdout().is_terminal()),
            err: decide(stderr_terminal),
            quiet,
            progress: stderr_terminal && !quiet,
        }
    }
}

/// A single updating line on stderr (`\r`), cleared when done; only on a terminal, only for more
/// than one blueprint.
pub(super) struct Progress {
    enabled: bool,
    /// Whether a line was written (only for more than one blueprint).
    shown: bool,
    verb: &'static str,
}

impl Progress {
    pub(super) fn new(ui: &Ui, verb: &'static str) -> Self {
        Progress {
            enabled: ui.progress,
            shown: false,
            verb,
        }
    }

    pub(super) fn step(&mut self, index: usize, total: usize, path: &Path) {
        if self.enabled && total > 1 {
            self.shown = true;
            let mut stderr = std::io::stderr().lock();
            let _ = write!(
                stderr,
                "\r\x1b[2K{} {}/{} {}",
                self.verb,
                index + 1,
                total,
                path.display()
            );
            let _ = stderr.flush();
        }
    }

    pub(super) fn finish(&self) {
        if self.shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
