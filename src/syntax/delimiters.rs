//! Syntax errors where the mistake is. When the HCL or JSON parser gives up, it reports where it
//! stopped reading, often far from the cause: an unterminated string on line 40 is "expected
//! newline" on line 41, a missing `}` is "expected ..." at the end of the file. This scanner walks
//! the text once, tracking strings, comments and the open brackets, and names the construct that is
//! unclosed or wrong at its own position, with the place the parser gave up as a label, in the
//! words Terraform uses ("Unterminated template string", "Unclosed configuration block", "Missing
//! item separator", "Invalid character").

use crate::diag::{Code, Diagnostic};
use crate::source::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    Hcl,
    Json,
}

/// What an open bracket begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `vpc "a" {` (HCL).
    Block,
    /// `{` of a map (HCL) or object (JSON).
    Map,
    /// `[`.
    List,
    /// `(`.
    Paren,
    /// `${` or `%{` inside a string.
    Interpolation,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    kind: Kind,
    /// Byte offset of the opening bracket.
    at: usize,
    /// For a block, where its header (`vpc "a"`) starts.
    header: usize,
    /// The end of the last item of a list (or JSON object member) not yet followed by `,`.
    item_end: Option<(usize, usize)>,
}

impl Open {
    fn closer(self) -> u8 {
        match self.kind {
            Kind::Block | Kind::Map | Kind::Interpolation => b'}',
            Kind::List => b']',
            Kind::Paren => b')',
        }
    }
}

/// The first structural mistake of `text`, as a diagnostic, when there is one the parser's error
/// (at byte `gave_up`) can be blamed on. `None` leaves the parser's own message.
pub(super) fn diagnose(text: &str, flavor: Flavor, gave_up: usize) -> Option<Diagnostic> {
    let found = Scanner::new(text, flavor).run()?;
    // A problem found only after the place the parser stopped (and the token it stopped before)
    // is not what stopped it.
    let gave_up = gave_up.min(text.len());
    let next_token = gave_up + (text[gave_up..].len() - text[gave_up..].trim_start().len());
    (found.seen_at <= next_token).then(|| found.diagnostic(text, flavor, gave_up))
}

/// What the scanner found: the diagnostic's parts, built once the text's index is at hand.
struct Found {
    message: String,
    /// The primary span (bytes) and what its underline says.
    primary: (usize, usize),
    primary_label: String,
    /// A secondary span and its label.
    label: Option<((usize, usize), String)>,
    help: String,
    /// Where the scanner saw the problem (compared with where the parser gave up).
    seen_at: usize,
}

impl Found {
    fn diagnostic(self, text: &str, flavor: Flavor, gave_up: usize) -> Diagnostic {
        let index = LineIndex::new(text);
        let code = match flavor {
            Flavor::Hcl => Code::Syntax,
            Flavor::Json => Code::JsonSyntax,
        };
        let mut d = Diagnostic::error(
            code,
            index.range(self.primary.0, self.primary.1),
            self.message,
        )
        .with_primary_label(self.primary_label)
        .with_help(self.help);
        // The parser's stopping point, when it is somewhere else the reader might look.
        let near = |(start, end): (usize, usize)| start <= gave_up + 1 && gave_up <= end + 1;
        let shown = near(self.primary) || self.label.as_ref().is_some_and(|(span, _)| near(*span));
        if let Some(((start, end), message)) = self.label {
            d = d.with_label(index.range(start, end), message);
        }
        if !shown && gave_up < text.len() {
            d = d.with_label(index.span(gave_up), "the parser gave up here");
        }
        d
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    flavor: Flavor,
    stack: Vec<Open>,
    pos: usize,
    /// Brackets closed so far: the indentation of the opener's line, and where the closer is.
    closed: Vec<(usize, usize)>,
}

// `Found` ends the scan and is built at most once per file that fails to parse; boxing it would
// only add noise to every `?`.
#[allow(clippy::result_large_err)]
impl<'a> Scanner<'a> {
    fn new(text: &'a str, flavor: Flavor) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            flavor,
            stack: Vec::new(),
            pos: 0,
            closed: Vec::new(),
        }
    }

    fn run(mut self) -> Option<Found> {
        self.scan().err()
    }

    fn scan(&mut self) -> Result<(), Found> {
        while self.pos < self.bytes.len() {
            let at = self.pos;
            let b = self.bytes[at];
            self.pos += 1;
            match b {
                b'"' => {
                    self.item_starts(at)?;
                    if let Some(end) = self.string_rest(at, at + 1)? {
                        self.item_ends(at, end);
                    }
                }
                b'#' if self.flavor == Flavor::Hcl => self.pos = self.line_end(at),
                b'/' if self.flavor == Flavor::Hcl && self.byte(at + 1) == Some(b'/') => {
                    self.pos = self.line_end(at);
                }
                b'/' if self.flavor == Flavor::Hcl && self.byte(at + 1) == Some(b'*') => {
                    self.pos = self.text[at + 2..]
                        .find("*/")
                        .map_or(self.bytes.len(), |end| at + 2 + end + 2);
                }
                b'<' if self.flavor == Flavor::Hcl && self.byte(at + 1) == Some(b'<') => {
                    self.item_starts(at)?;
                    let end = self.heredoc(at);
                    self.item_ends(at, end);
                }
                b'{' | b'[' | b'(' => {
                    self.item_starts(at)?;
                    let kind = match b {
                        b'[' => Kind::List,
                        b'(' => Kind::Paren,
                        _ if self.is_block(at) => Kind::Block,
                        _ => Kind::Map,
                    };
                    self.stack.push(Open {
                        kind,
                        at,
                        header: self.line_start(at),
                        item_end: None,
                    });
                }
                b'}' | b']' | b')' => {
                    let open = self.close(at, b)?;
                    if open.kind == Kind::Interpolation {
                        // Back inside the string the interpolation interrupted.
                        if let Some(end) = self.string_rest(open.header, at + 1)? {
                            self.item_ends(open.header, end);
                        }
                    } else {
                        self.item_ends(open.at, at + 1);
                    }
                }
                b':' | b'=' if self.stack.last().is_some_and(|o| o.kind == Kind::List) => {
                    // `key =` or `"key":` inside a list: the list was never closed.
                    let open = self.stack.last().copied().expect("a list is open");
                    let key = open.item_end.map_or(at, |(start, _)| start);
                    return Err(self.unclosed(open, Some(((key, at), "this key".to_string()))));
                }
                b',' | b':' | b'=' => {
                    if let Some(top) = self.stack.last_mut() {
                        top.item_end = None;
                    }
                }
                b';' | b'@' | b'$' | b'`' | b'\\' | b'^' | b'~' | b'\''
                    if self.flavor == Flavor::Hcl =>
                {
                    return Err(invalid_character(at, b));
                }
                b if is_word(b) => {
                    let end = self.word_end(at);
                    self.item_starts(at)?;
                    self.item_ends(at, end);
                    self.pos = end;
                }
                _ => {}
            }
        }
        match self.stack.last().copied() {
            Some(open) => Err(self.unclosed(open, None)),
            None => Ok(()),
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |n| n + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.bytes.len(), |n| at + n)
    }

    fn word_end(&self, at: usize) -> usize {
        let mut end = at;
        while end < self.bytes.len() && is_word(self.bytes[end]) {
            end += 1;
        }
        end
    }

    /// Whether the `{` at `at` opens a block: HCL, at body level, after a header with no `=`.
    fn is_block(&self, at: usize) -> bool {
        if self.flavor == Flavor::Json {
            return false;
        }
        let at_body_level = self.stack.last().is_none_or(|o| o.kind == Kind::Block);
        let header = self.text[self.line_start(at)..at].trim();
        at_body_level
            && !header.is_empty()
            && !header.contains('=')
            && header.starts_with(|c: char| c.is_alphabetic() || c == '_')
    }

    /// A new item starts at `at`: in a list (or JSON object) whose last item has no `,` after it,
    /// that is a missing separator.
    fn item_starts(&self, at: usize) -> Result<(), Found> {
        let Some(top) = self.stack.last() else {
            return Ok(());
        };
        let separated =
            top.kind == Kind::List || (self.flavor == Flavor::Json && top.kind == Kind::Map);
        let Some((start, end)) = top.item_end.filter(|_| separated) else {
            return Ok(());
        };
        if top.kind == Kind::List && self.starts_assignment(at) {
            // The next line's `key = ...` after a list without `]`: the list is unclosed.
            return Err(self.unclosed(
                *top,
                Some((
                    (at, self.word_end(at).max(at + 1)),
                    "this attribute".to_string(),
                )),
            ));
        }
        let what = match (top.kind, self.flavor) {
            (Kind::List, Flavor::Hcl) => "list items",
            (Kind::List, Flavor::Json) => "array items",
            _ => "object members",
        };
        let token_end = match self.bytes[at] {
            b'"' => self.text[at + 1..]
                .find(['"', '\n'])
                .map_or(self.bytes.len(), |n| at + 1 + n + 1)
                .min(self.line_end(at)),
            b if is_word(b) => self.word_end(at),
            _ => at + 1,
        };
        Err(Found {
            message: format!("missing item separator: expected `,` between {what}"),
            primary: (at, token_end),
            primary_label: "the next item starts here".into(),
            label: Some(((start, end), "expected `,` after this item".into())),
            help: format!("separate {what} with `,`"),
            seen_at: at,
        })
    }

    /// Whether the word at `at` is followed by `=` (not `==`) or, in JSON, is a key followed by `:`.
    fn starts_assignment(&self, at: usize) -> bool {
        let end = if self.bytes[at] == b'"' {
            self.text[at + 1..]
                .find('"')
                .map_or(self.bytes.len(), |n| at + n + 2)
        } else {
            self.word_end(at)
        };
        let rest = self.text[end.min(self.bytes.len())..].trim_start_matches([' ', '\t']);
        (rest.starts_with('=') && !rest.starts_with("==")) || rest.starts_with(':')
    }

    fn item_ends(&mut self, start: usize, end: usize) {
        if let Some(top) = self.stack.last_mut() {
            top.item_end = Some((start, end));
        }
    }

    /// Reads a string opened by the quote at `open`, from `from`. `Some(end)` past its closing
    /// quote; `None` when an interpolation interrupts it (it resumes when the `}` closes).
    fn string_rest(&mut self, open: usize, from: usize) -> Result<Option<usize>, Found> {
        let mut i = from;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    self.pos = i + 1;
                    return Ok(Some(i + 1));
                }
                b'\n' => return Err(self.unterminated(open, i)),
                b'$' | b'%'
                    if self.flavor == Flavor::Hcl
                        && self.byte(i + 1) == Some(self.bytes[i])
                        && self.byte(i + 2) == Some(b'{') =>
                {
                    // `$${` (and `%%{`) is a literal `${`, not an interpolation.
                    i += 3;
                }
                b'$' | b'%' if self.flavor == Flavor::Hcl && self.byte(i + 1) == Some(b'{') => {
                    self.stack.push(Open {
                        kind: Kind::Interpolation,
                        at: i,
                        header: open,
                        item_end: None,
                    });
                    self.pos = i + 2;
                    return Ok(None);
                }
                _ => i += 1,
            }
        }
        Err(self.unterminated(open, self.bytes.len()))
    }

    /// A heredoc `<<EOT` / `<<-EOT` at `at`: skips to the line holding only its terminator and
    /// returns the offset past it. Not a heredoc (or no terminator): one byte on.
    fn heredoc(&mut self, at: usize) -> usize {
        let mut start = at + 2;
        if self.byte(start) == Some(b'-') {
            start += 1;
        }
        let end = self.word_end(start);
        let marker = &self.text[start..end];
        if marker.is_empty() {
            return at + 2;
        }
        let mut line = self.line_end(end);
        while line < self.bytes.len() {
            let next = self.line_end(line + 1);
            if self.text[line + 1..next].trim() == marker {
                self.pos = next;
                return next;
            }
            line = next;
        }
        at + 2
    }

    /// A closing bracket: pops the matching opener, or explains the mismatch.
    fn close(&mut self, at: usize, closer: u8) -> Result<Open, Found> {
        match self.stack.last().copied() {
            Some(open) if open.closer() == closer => {
                self.stack.pop();
                self.indentation(open, at)?;
                Ok(open)
            }
            Some(open) => Err(self.unclosed(
                open,
                Some(((at, at + 1), format!("this `{}`", char::from(closer)))),
            )),
            None => Err(Found {
                message: format!("unexpected `{}`", char::from(closer)),
                primary: (at, at + 1),
                primary_label: "nothing is open here".into(),
                label: None,
                help: "remove it, or look above for the block, list or map it was meant to close"
                    .into(),
                seen_at: at,
            }),
        }
    }

    /// Brackets match, but a closer alone on its line does not line up with its opener's line: the
    /// indentation tells which bracket is really missing or extra (the parser cannot).
    fn indentation(&mut self, open: Open, at: usize) -> Result<(), Found> {
        let indent = |line_start: usize| {
            self.text[line_start..]
                .bytes()
                .take_while(|b| *b == b' ' || *b == b'\t')
                .count()
        };
        let closer_line = self.line_start(at);
        let opener_line = self.line_start(open.at);
        let alone = self.text[closer_line..at].trim().is_empty();
        if open.kind == Kind::Interpolation {
            return Ok(());
        }
        let (opened, closes) = (indent(opener_line), indent(closer_line));
        self.closed.push((opened, at));
        if !alone || opener_line == closer_line {
            return Ok(());
        }
        let closing = char::from(self.bytes[at]);
        if closes < opened {
            // It lines up with an outer opener: this one lacks its own closer.
            return Err(self.unclosed(
                open,
                Some((
                    (at, at + 1),
                    format!("this `{closing}`, which lines up with an outer block"),
                )),
            ));
        }
        if closes > opened
            && let Some(&(_, extra)) = self.closed.iter().rev().skip(1).find(|(i, _)| *i == closes)
        {
            let line = self.text[..open.at].matches('\n').count() + 1;
            return Err(Found {
                message: format!("unexpected `{}`", char::from(self.bytes[extra])),
                primary: (extra, extra + 1),
                primary_label: "this closes one more than was opened".into(),
                label: Some((
                    (at, at + 1),
                    format!(
                        "so this `{closing}` closes the `{}` of line {line}",
                        char::from(self.bytes[open.at])
                    ),
                )),
                help: "remove the extra closing bracket".into(),
                seen_at: at,
            });
        }
        Ok(())
    }

    /// `open` is never closed: the file ends, or `found` (a span and what it says) comes first.
    fn unclosed(&self, open: Open, found: Option<((usize, usize), String)>) -> Found {
        let opener = char::from(self.bytes[open.at]);
        let (message, help) = match (open.kind, self.flavor) {
            (Kind::Block, _) => {
                let header = self.text[open.header..open.at].trim();
                (
                    format!("unclosed configuration block `{header}`"),
                    "add the missing `}`; until it, everything after is read as the block's body"
                        .to_string(),
                )
            }
            (Kind::Map, Flavor::Hcl) => ("unclosed map".into(), "add the missing `}`".into()),
            (Kind::Map, Flavor::Json) => ("unclosed object".into(), "add the missing `}`".into()),
            (Kind::List, Flavor::Hcl) => ("unclosed list".into(), "add the missing `]`".into()),
            (Kind::List, Flavor::Json) => ("unclosed array".into(), "add the missing `]`".into()),
            (Kind::Paren, _) => ("unclosed parenthesis".into(), "add the missing `)`".into()),
            (Kind::Interpolation, _) => (
                "unclosed template interpolation".into(),
                "add the missing `}` (blueprints take literal values; `${` is rejected anyway)"
                    .into(),
            ),
        };
        let primary = if open.kind == Kind::Interpolation {
            (open.at, open.at + 2)
        } else {
            (open.at, open.at + 1)
        };
        let expected = char::from(open.closer());
        let (label, seen_at) = match found {
            Some(((start, end), what)) => (
                ((start, end), format!("expected `{expected}` before {what}")),
                start,
            ),
            None => {
                // The last character of the file, so the label sits on a line that shows.
                let last = self.text.trim_end().len();
                let start = self.text[..last]
                    .char_indices()
                    .next_back()
                    .map_or(0, |(i, _)| i);
                (
                    (
                        (start, last),
                        format!("the file ends here, before `{expected}`"),
                    ),
                    last,
                )
            }
        };
        Found {
            message,
            primary,
            primary_label: format!("this `{opener}` is never closed"),
            label: Some(label),
            help,
            seen_at,
        }
    }

    fn unterminated(&self, open: usize, end: usize) -> Found {
        let (message, help) = match self.flavor {
            Flavor::Hcl => (
                "unterminated template string",
                "close the string with `\"` on the same line; text over several lines needs a heredoc (`<<EOT`)",
            ),
            Flavor::Json => (
                "unterminated string",
                "close the string with `\"` on the same line; JSON strings cannot span lines (write `\\n`)",
            ),
        };
        Found {
            message: message.into(),
            primary: (open, end),
            primary_label: "this string is not closed before the end of the line".into(),
            label: None,
            help: help.into(),
            seen_at: end,
        }
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+') || b >= 0x80
}

fn invalid_character(at: usize, b: u8) -> Found {
    let help = match b {
        b'\'' => "single quotes are not valid; use double quotes (`\"`) to enclose strings",
        b';' => "HCL does not end lines with `;`: put each attribute on its own line",
        _ => "this character is not used in HCL outside a string",
    };
    Found {
        message: format!("invalid character `{}`", char::from(b)),
        primary: (at, at + 1),
        primary_label: "not part of the language".into(),
        label: None,
        help: help.into(),
        seen_at: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of the diagnosis, assuming the parser gave up at the end of the text.
    fn message(text: &str, flavor: Flavor) -> Option<String> {
        diagnose(text, flavor, text.len()).map(|d| d.message)
    }

    #[test]
    fn interpolations_and_escapes_are_not_mistakes() {
        let text =
            "a = \"x ${y} z\"\nb = \"$${literal} and %%{too}\"\nc = [\"${[1, 2]}\", \"d\"]\n";
        assert_eq!(message(text, Flavor::Hcl), None);
        let heredoc = "a = <<EOT\n  \"unbalanced [ {\nEOT\nb = 1\n";
        assert_eq!(message(heredoc, Flavor::Hcl), None);
        let comments = "# \"quote [\n// {\n/* ( */ a = 1\n";
        assert_eq!(message(comments, Flavor::Hcl), None);
    }

    #[test]
    fn each_mistake_is_named() {
        assert_eq!(
            message("a = \"open\nb = 1\n", Flavor::Hcl).as_deref(),
            Some("unterminated template string")
        );
        assert_eq!(
            message("x {\n  a = [1, 2\n}\n", Flavor::Hcl).as_deref(),
            Some("unclosed list")
        );
        assert_eq!(
            message("x \"y\" {\n  a = 1\n", Flavor::Hcl).as_deref(),
            Some("unclosed configuration block `x \"y\"`")
        );
        assert_eq!(
            message("{\"a\": [1 2]}", Flavor::Json).as_deref(),
            Some("missing item separator: expected `,` between array items")
        );
        assert_eq!(
            message("a = 1;\n", Flavor::Hcl).as_deref(),
            Some("invalid character `;`")
        );
        assert_eq!(
            message("}\n", Flavor::Hcl).as_deref(),
            Some("unexpected `}`")
        );
    }
}
