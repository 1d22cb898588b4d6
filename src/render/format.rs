//! The final formatting pass, byte-identical to `terraform fmt`. hcl-rs's own formatter does not
//! align `=` the way Terraform does, so this re-implements the two rules of HashiCorp's hclwrite
//! formatter that matter for generated code:
//!
//! - **indentation**: two spaces per open bracket level; a line with a net increase of brackets
//!   opens one level, a line with a net decrease closes the levels it ends;
//! - **alignment**: in a run of consecutive lines that each hold a complete `key = value`
//!   assignment (brackets balanced after the `=`), the `=` signs line up one space after the
//!   longest key. Blank lines, comments, and lines that open or close brackets end a run.
//!
//! Blank lines are normalized too (no runs of blank lines, none after an opening brace or before
//! a closing one), which `terraform fmt` leaves alone, so the result is a fixed point of it. The
//! input is the output of our own templates: no heredocs, no multi-line strings.

/// One source line, analysed.
struct Line<'a> {
    /// The line without surrounding whitespace.
    text: &'a str,
    /// Net change of `{[(` versus `}])` outside strings and comments.
    net_brackets: i32,
    /// Byte index of the first assignment `=` of the line.
    equals: Option<usize>,
    /// Whether the line is a complete one-line assignment (brackets balanced after the `=`).
    complete: bool,
}

pub fn format(input: &str) -> String {
    let lines = normalize_blank_lines(input);
    let analysed: Vec<Line> = lines.iter().map(|l| analyse(l)).collect();
    let indents = indentation(&analysed);

    // Columns of each assignment's key (indentation included), aligned per run.
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    let mut run_start = 0;
    let mut i = 0;
    while i <= analysed.len() {
        let in_run = i < analysed.len() && analysed[i].complete;
        if !in_run {
            if run_start < i {
                let width = (run_start..i)
                    .map(|j| indents[j] + key_of(&analysed[j]).chars().count())
                    .max()
                    .unwrap_or(0);
                for j in run_start..i {
                    let key = key_of(&analysed[j]);
                    let pad = width - (indents[j] + key.chars().count()) + 1;
                    spaces(&mut out, indents[j]);
                    out.push_str(key);
                    spaces(&mut out, pad);
                    out.push_str("= ");
                    out.push_str(value_of(&analysed[j]));
                    out.push('\n');
                }
            }
            if i < analysed.len() {
                let line = &analysed[i];
                if line.text.is_empty() {
                    out.push('\n');
                } else if line.equals.is_some() {
                    // `key = {` and the like: one space on each side of `=`.
                    spaces(&mut out, indents[i]);
                    out.push_str(key_of(line));
                    out.push_str(" = ");
                    out.push_str(value_of(line));
                    out.push('\n');
                } else {
                    spaces(&mut out, indents[i]);
                    out.push_str(line.text);
                    out.push('\n');
                }
            }
            run_start = i + 1;
        }
        i += 1;
    }
    if out.is_empty() {
        out.push('\n');
    }
    out
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn key_of<'a>(line: &Line<'a>) -> &'a str {
    line.text[..line.equals.expect("assignment")].trim_end()
}

fn value_of<'a>(line: &Line<'a>) -> &'a str {
    line.text[line.equals.expect("assignment") + 1..].trim_start()
}

fn normalize_blank_lines(input: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for raw in input.lines() {
        let text = raw.trim();
        if text.is_empty() {
            let after_open = out
                .last()
                .is_none_or(|l| l.is_empty() || l.ends_with('{') || l.ends_with('['));
            if !after_open {
                out.push(text);
            }
            continue;
        }
        if (text.starts_with('}') || text.starts_with(']'))
            && out.last().is_some_and(|l| l.is_empty())
        {
            out.pop();
        }
        out.push(text);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Bracket balance and assignment position of one trimmed line.
fn analyse(text: &str) -> Line<'_> {
    let bytes = text.as_bytes();
    let mut net = 0i32;
    let mut in_string = false;
    let mut first_equals: Option<usize> = None;
    let mut brackets_after_equals = 0i32;
    let mut i = 0;
    let mut tokens_before = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                tokens_before += 1;
            }
            b'#' => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'{' | b'[' | b'(' => {
                net += 1;
                tokens_before += 1;
                if first_equals.is_some() {
                    brackets_after_equals += 1;
                }
            }
            b'}' | b']' | b')' => {
                net -= 1;
                tokens_before += 1;
                if first_equals.is_some() {
                    brackets_after_equals -= 1;
                }
            }
            b'=' => {
                let before = i.checked_sub(1).map(|p| bytes[p]);
                let after = bytes.get(i + 1).copied();
                let operator = matches!(before, Some(b'=' | b'!' | b'<' | b'>'))
                    || matches!(after, Some(b'=' | b'>'));
                if !operator && first_equals.is_none() && tokens_before > 0 {
                    first_equals = Some(i);
                }
                tokens_before += 1;
            }
            b' ' | b'\t' => {}
            _ => tokens_before += 1,
        }
        i += 1;
    }
    Line {
        text,
        net_brackets: net,
        equals: first_equals,
        complete: first_equals.is_some() && brackets_after_equals == 0,
    }
}

/// hclwrite's indentation: a stack of "levels", each remembering how many brackets opened it.
fn indentation(lines: &[Line]) -> Vec<usize> {
    let mut stack: Vec<i32> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.text.is_empty() {
            out.push(0);
            continue;
        }
        match line.net_brackets {
            n if n > 0 => {
                out.push(2 * stack.len());
                stack.push(n);
            }
            n if n < 0 => {
                let mut closed = -n;
                while closed > 0 {
                    let Some(top) = stack.last_mut() else { break };
                    if closed >= *top {
                        closed -= *top;
                        stack.pop();
                    } else {
                        *top -= closed;
                        closed = 0;
                    }
                }
                out.push(2 * stack.len());
            }
            _ => out.push(2 * stack.len()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn aligns_runs_and_indents_like_terraform_fmt() {
        let input = "resource \"x\" \"y\" {\na = 1\nbbbb = \"x\"\nccc = [\n\"a\",\n]\nd = [\"a\", \"b\"]\ntags = {\nk = \"v\"\n\"a:b\" = 1\n}\n\n\nf = x == y\nblock {\nz = 1\n}\n}\n";
        let expected = "resource \"x\" \"y\" {\n  a    = 1\n  bbbb = \"x\"\n  ccc = [\n    \"a\",\n  ]\n  d = [\"a\", \"b\"]\n  tags = {\n    k     = \"v\"\n    \"a:b\" = 1\n  }\n\n  f = x == y\n  block {\n    z = 1\n  }\n}\n";
        assert_eq!(format(input), expected);
        assert_eq!(format(expected), expected);
    }

    #[test]
    fn equals_inside_strings_and_comparisons_are_not_assignments() {
        let input = "a = \"k=v\"\nbb = c == d\n";
        assert_eq!(format(input), "a  = \"k=v\"\nbb = c == d\n");
    }
}
