//! Documentation that must not drift from the code: the diagnostic reference is generated from the
//! code table, and every path ARCHITECTURE.md names exists.

use std::path::Path;

#[test]
fn diagnostic_reference_is_current() {
    let expected = agentform::diag::reference_markdown();
    let path = Path::new("docs/diagnostics.md");
    if std::env::var("AGENTFORM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is stale: run `AGENTFORM_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn every_code_is_documented_in_the_readme_index() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains("docs/diagnostics.md"),
        "README must link the diagnostic reference"
    );
    for code in agentform::diag::Code::ALL {
        assert!(
            !code.summary().is_empty() && code.explanation().len() > 20,
            "{} is undocumented",
            code.as_str()
        );
    }
}

#[test]
fn architecture_names_only_real_paths() {
    let text = std::fs::read_to_string("ARCHITECTURE.md").unwrap();
    let mut named = 0;
    for (i, part) in text.split('`').enumerate() {
        // Inside backticks, things that look like repository paths.
        let looks_like_path = i % 2 == 1
            && !part.contains(' ')
            && (part.starts_with("src/")
                || part.starts_with("tests/")
                || part.starts_with("templates/")
                || part.starts_with("blueprints/")
                || part.starts_with("docs/")
                || part.starts_with(".ci/"));
        if looks_like_path {
            named += 1;
            assert!(
                Path::new(part.trim_end_matches('/')).exists(),
                "ARCHITECTURE.md names `{part}`, which does not exist"
            );
        }
    }
    assert!(
        named >= 20,
        "ARCHITECTURE.md should map the code ({named} paths named)"
    );
}

/// Every snapshot file belongs to a scenario that still exists (insta's `--unreferenced reject`,
/// without needing cargo-insta): one per bad-input fixture, two per valid fixture (stack and reach
/// matrices), two per `diff` case, and the reference-blueprint scenarios. Pending `.snap.new` files are rejected too.
#[test]
fn no_orphaned_or_pending_snapshots() {
    let mut expected = std::collections::BTreeSet::new();
    expected.insert("generate__agent-platform.snap".to_string());
    expected.insert("generate__agent-platform@aws-5.100-no-awscc.snap".to_string());
    expected.insert("generate__agent-platform@aws-5.100-awscc.snap".to_string());
    expected.insert("generate__agent-platform@aws-6.69-no-awscc.snap".to_string());
    expected.insert("segregation__reach@agent-platform.snap".to_string());
    expected.insert("cli__reach_json@agent-platform.snap".to_string());
    expected.insert("cli__access@agent-platform.snap".to_string());
    expected.insert("ci__workflow@one-account.snap".to_string());
    expected.insert("ci__workflow@three-accounts.snap".to_string());
    for format in ["mmd", "dot", "json"] {
        expected.insert(format!("graph__agent-platform.{format}.snap"));
    }
    for entry in std::fs::read_dir("tests/fixtures/invalid")
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".expect") {
            expected.insert(format!("cli__invalid__{name}.snap"));
        }
    }
    for entry in std::fs::read_dir("tests/fixtures/valid").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        expected.insert(format!("generate__valid_fixtures@{name}.snap"));
        expected.insert(format!("segregation__reach_matrices@{name}.snap"));
    }
    for entry in std::fs::read_dir("tests/fixtures/diff").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        expected.insert(format!("diff__markdown@{name}__old.hcl.snap"));
        expected.insert(format!("diff__json@{name}__old.hcl.snap"));
    }
    let actual: std::collections::BTreeSet<String> = std::fs::read_dir("tests/snapshots")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let orphaned: Vec<_> = actual.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    assert!(
        orphaned.is_empty(),
        "orphaned or pending snapshots (delete them or review with `cargo insta review`): {orphaned:?}"
    );
    assert!(
        missing.is_empty(),
        "scenarios without a reviewed snapshot: {missing:?}"
    );
}

/// `Code::severities` (shown by `explain`, in `docs/diagnostics.md` and as SARIF default levels)
/// must say how each code is really reported: every `Diagnostic::error(Code::X` and
/// `Diagnostic::warning(Code::X` in `src/`.
#[test]
fn documented_severities_match_the_code() {
    use agentform::diag::{Code, Severity};
    use std::collections::{BTreeMap, BTreeSet};
    fn sources(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut texts = Vec::new();
    sources(Path::new("src"), &mut texts);
    let mut used: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for text in &texts {
        for (constructor, severity) in [
            ("Diagnostic::error(", "error"),
            ("Diagnostic::warning(", "warning"),
        ] {
            for (at, _) in text.match_indices(constructor) {
                let rest = text[at + constructor.len()..].trim_start();
                let Some(variant) = rest.strip_prefix("Code::") else {
                    continue;
                };
                let name: String = variant
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                used.entry(name).or_default().insert(severity);
            }
        }
    }
    assert!(used.len() > 30, "found only {} codes in src/", used.len());
    for code in Code::ALL {
        let documented: BTreeSet<&str> = code
            .severities()
            .iter()
            .map(|s| match s {
                Severity::Error => "error",
                Severity::Warning => "warning",
            })
            .collect();
        if let Some(actual) = used.get(&format!("{code:?}")) {
            assert_eq!(
                &documented,
                actual,
                "{} is documented as {documented:?} but reported as {actual:?}",
                code.as_str()
            );
        }
    }
}

#[test]
fn replacement_reference_is_current() {
    let expected = agentform::diff::replacement_reference_markdown();
    let path = Path::new("docs/replacement.md");
    if std::env::var("AGENTFORM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/replacement.md is stale: run `AGENTFORM_BLESS=1 cargo test --test docs`"
    );
}

/// Words that say a block is missing from this version.
const UNIMPLEMENTED: [&str; 6] = [
    "not implemented",
    "not yet implemented",
    "not supported yet",
    "does not implement",
    "join as agentform grows",
    "not implement",
];

/// Every block the schema implements, as a reader would write it (`vpc`, `payment_manager`).
fn implemented_blocks() -> Vec<&'static str> {
    fn walk(schema: &'static agentform::schema::BlockSchema, out: &mut Vec<&'static str>) {
        for block in schema.blocks {
            out.push(block.name);
            walk(block, out);
        }
    }
    let mut out = Vec::new();
    walk(&agentform::schema::ROOT, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The sentences of `text` that say an implemented block is not implemented.
fn stale_claims(text: &str, blocks: &[&str]) -> Vec<String> {
    text.split(['.', '\n'])
        .filter(|sentence| {
            let lower = sentence.to_lowercase();
            UNIMPLEMENTED.iter().any(|w| lower.contains(w))
                && blocks.iter().any(|b| sentence.contains(&format!("`{b}`")))
        })
        .map(|s| s.trim().to_string())
        .collect()
}

#[test]
fn nothing_claims_an_implemented_block_is_unimplemented() {
    let blocks = implemented_blocks();
    assert!(blocks.contains(&"payment_manager") && blocks.contains(&"s3_files"));
    // The checker finds what it looks for.
    assert_eq!(
        stale_claims("`s3_files` is not implemented by this version.", &blocks).len(),
        1
    );
    let mut texts: Vec<(String, String)> = Vec::new();
    for path in ["README.md", "ARCHITECTURE.md", "docs/diagnostics.md"] {
        texts.push((path.into(), std::fs::read_to_string(path).unwrap()));
    }
    for entry in std::fs::read_dir("blueprints").unwrap().flatten() {
        let path = entry.path();
        texts.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    // What `agentform explain` prints for every rule, and every diagnostic text in the sources.
    for rule in agentform::diag::Rule::all() {
        texts.push((
            format!("explain {}", rule.id()),
            agentform::diag::explain(rule),
        ));
    }
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                texts.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let stale: Vec<String> = texts
        .iter()
        .flat_map(|(name, text)| {
            stale_claims(text, &blocks)
                .into_iter()
                .map(move |s| format!("{name}: {s}"))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "texts say an implemented block is not implemented:\n{}",
        stale.join("\n")
    );
}

/// The fuzzing dictionary names every block and attribute of the language, so the fuzzer can
/// build any construct the schema accepts.
#[test]
fn fuzz_dictionary_names_every_word_of_the_language() {
    fn words(schema: &agentform::schema::BlockSchema, out: &mut Vec<&'static str>) {
        out.push(schema.name);
        out.extend(schema.attributes);
        for block in schema.blocks {
            words(block, out);
        }
    }
    let dictionary = std::fs::read_to_string("fuzz/agentform.dict").unwrap();
    let entries: std::collections::BTreeSet<&str> = dictionary
        .lines()
        .filter(|l| l.starts_with('"'))
        .map(|l| l.trim_matches('"'))
        .collect();
    let mut all = Vec::new();
    words(&agentform::schema::ROOT, &mut all);
    let missing: Vec<_> = all
        .into_iter()
        .filter(|w| !w.is_empty() && !entries.contains(w))
        .collect();
    assert!(missing.is_empty(), "fuzz/agentform.dict lacks {missing:?}");
}
