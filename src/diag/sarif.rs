//! SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format) for GitHub code scanning and
//! other consumers: one run, the rules the results cite with their documentation, and one result per
//! diagnostic or deployed-state finding, located in the blueprint. Tests validate the output against
//! the official schema (`tests/cli/sarif.rs`).
//!
//! Output is deterministic: no timestamps; artifact URIs relative to the repository root
//! (`uriBaseId` `%SRCROOT%`, declared in `originalUriBaseIds` and resolved by the consumer, GitHub
//! to its checkout), the same whatever directory agentform ran in; absolute `file://` URIs only for
//! files outside the repository. Fingerprints depend only on the rule, that URI and the message,
//! so an alert keeps its identity when lines move.

use super::{Diagnostic, Label, Rule, Severity, Span};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One result: a diagnostic of a blueprint, or a finding of `drift` / `propagation` placed on the
/// blueprint block responsible for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    /// The blueprint file as displayed (relative to the working directory, `/` separators).
    pub file: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl From<&Diagnostic> for Item {
    fn from(d: &Diagnostic) -> Self {
        Item {
            rule: super::Rule::Code(d.code),
            severity: d.severity,
            message: d.message.clone(),
            file: d.file.clone(),
            span: d.span,
            labels: d.labels.clone(),
            help: d.help.clone(),
        }
    }
}

/// Where the rules' documentation lives online, when the package names its repository
/// (`repository` in `Cargo.toml`); without one, rules carry their text only.
fn repository() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|r| !r.is_empty())
}

/// Where a file is for the log: `Ok` a path relative to the repository root, `Err` an absolute path
/// outside it. The CLI provides it (`crate::source::repository_location`); this module does no I/O.
pub type Locate<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// The SARIF log of one command: `rules` are every rule the command can report (their order fixes
/// each `ruleIndex`), `items` its results in order, `locate` places their files.
pub fn render(rules: &[Rule], items: &[Item], locate: Locate<'_>) -> String {
    // Results may cite rules outside the command's own set (a blueprint warning shown by `drift`).
    let mut cited: Vec<Rule> = rules.to_vec();
    let extra: BTreeSet<Rule> = items
        .iter()
        .map(|i| i.rule)
        .filter(|r| !rules.contains(r))
        .collect();
    cited.extend(extra);
    let descriptors: Vec<Value> = cited.iter().map(|&r| descriptor(r)).collect();
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let index = cited
                .iter()
                .position(|&r| r == item.rule)
                .expect("every cited rule is listed");
            result(item, index, &artifact(locate, &item.file))
        })
        .collect();
    let mut driver = json!({
        "name": "agentform",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": descriptors,
    });
    if let Some(repo) = repository() {
        driver["informationUri"] = repo.into();
    }
    let log = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            // Columns count characters, as everywhere in agentform.
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {
                "%SRCROOT%": {"description": {"text": "The root of the repository holding the blueprints (the working directory outside a repository)."}},
            },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn descriptor(rule: Rule) -> Value {
    let default = rule
        .severities()
        .first()
        .copied()
        .unwrap_or(Severity::Error);
    let summary = format!("{}.", super::capitalize(rule.summary()));
    let mut d = json!({
        "id": rule.id(),
        "name": rule.name(),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": rule.explanation()},
        "help": {
            "text": format!("{summary}\n\n{}", rule.explanation()),
            "markdown": format!("**{}** `{}` ({})\n\n{summary}\n\n{}", rule.id(), rule.name(), rule.severity_text(), rule.explanation()),
        },
        "defaultConfiguration": {"level": level(default)},
    });
    if let Some(repo) = repository() {
        d["helpUri"] = format!(
            "{}/blob/main/docs/diagnostics.md#{}",
            repo.trim_end_matches('/'),
            rule.anchor()
        )
        .into();
    }
    d
}

/// A file's `artifactLocation`.
fn artifact(locate: Locate<'_>, file: &str) -> Value {
    match locate(file) {
        Ok(relative) => json!({"uri": uri(&relative), "uriBaseId": "%SRCROOT%"}),
        Err(absolute) => json!({"uri": format!("file://{}", uri(&absolute))}),
    }
}

fn location(artifact: &Value, span: Span) -> Value {
    let mut physical = json!({ "artifactLocation": artifact });
    // Line 0 means "no position" (a setting given on the command line); SARIF lines start at 1.
    if span.is_located() {
        let start = (span.line, span.col.max(1));
        // SARIF's end column is just past the region, like ours; an empty span stays a point.
        let end = (span.end_line.max(span.line), span.end_col.max(1));
        physical["region"] = if end > start {
            json!({"startLine": start.0, "startColumn": start.1, "endLine": end.0, "endColumn": end.1})
        } else {
            json!({"startLine": start.0, "startColumn": start.1})
        };
    }
    json!({"physicalLocation": physical})
}

/// A relative URI reference: `/` separators, percent-encoding what a URI cannot hold.
fn uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn result(item: &Item, index: usize, artifact: &Value) -> Value {
    let mut text = item.message.clone();
    if let Some(help) = &item.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let mut r = json!({
        "ruleId": item.rule.id(),
        "ruleIndex": index,
        "level": level(item.severity),
        "message": {"text": text},
        "locations": [location(artifact, item.span)],
        "partialFingerprints": {"agentform/v1": fingerprint(item, artifact["uri"].as_str().unwrap_or_default())},
    });
    if !item.labels.is_empty() {
        r["relatedLocations"] = item
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut l = location(artifact, label.span);
                l["id"] = i.into();
                l["message"] = json!({"text": label.message});
                l
            })
            .collect::<Vec<_>>()
            .into();
    }
    r
}

/// Stable across commits: the rule, the file and the message (never the line, so an alert survives
/// lines added above it). Two identical messages in one file share it; consumers then tell them
/// apart by position.
fn fingerprint(item: &Item, uri: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [item.rule.id(), uri, item.message.as_str()] {
        for &b in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
