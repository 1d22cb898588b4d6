//! Generated stacks, snapshot-tested: every blueprint in `blueprints/` and `tests/fixtures/valid/`
//! (one snapshot per scenario, all files of the stack in it), the reference blueprint for the
//! offline-validated target, determinism, and the committed `generated/` being current.

use agentform::lower::Overrides;
use agentform::render::Renderer;
use agentform::source::SourceFile;
use std::path::Path;

/// Runs the public pipeline on one blueprint and returns its diagnostics and stack as one text.
fn stack(path: &Path, overrides: &Overrides) -> String {
    let source = SourceFile::read(path);
    let analysis = agentform::analyze(&source, overrides);
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&format!(
            "# {}[{}] {}:{}: {}\n",
            d.severity.as_str(),
            d.code.as_str(),
            d.span.line,
            d.span.col,
            d.message
        ));
    }
    let model = analysis
        .model
        .unwrap_or_else(|| panic!("{} must be valid:\n{out}", path.display()));
    let files = agentform::emit::generate(&model, &Renderer::new()).expect("renders");
    for (name, text) in files {
        out.push_str(&format!("=== {}\n{text}", name.display()));
    }
    out
}

#[test]
fn reference_blueprint() {
    let path = Path::new("blueprints/agent-platform.hcl");
    insta::assert_snapshot!("agent-platform", stack(path, &Overrides::default()));
}

#[test]
fn reference_blueprint_for_aws_5_100_without_awscc() {
    let overrides = Overrides {
        aws_provider: Some("5.100".to_string()),
        no_awscc: true,
    };
    let path = Path::new("blueprints/agent-platform.hcl");
    insta::assert_snapshot!("agent-platform@aws-5.100-no-awscc", stack(path, &overrides));
}

#[test]
fn valid_fixtures() {
    insta::glob!("fixtures/valid/*.{hcl,json}", |path| {
        insta::assert_snapshot!(stack(path, &Overrides::default()));
    });
}

#[test]
fn generation_is_deterministic() {
    for path in [
        "blueprints/agent-platform.hcl",
        "tests/fixtures/valid/interconnect.json",
    ] {
        let first = stack(Path::new(path), &Overrides::default());
        let second = stack(Path::new(path), &Overrides::default());
        assert_eq!(first, second, "{path} generated differently twice");
    }
}

#[test]
fn committed_generated_directory_is_current() {
    let blueprints = agentform::source::discover(&["blueprints".into()]).unwrap();
    let renderer = Renderer::new();
    for path in blueprints {
        let analysis = agentform::analyze(&SourceFile::read(&path), &Overrides::default());
        let files = agentform::emit::generate(&analysis.model.unwrap(), &renderer).unwrap();
        let differences = agentform::emit::check(Path::new("generated"), &files).unwrap();
        assert!(
            differences.is_empty(),
            "generated/ is stale; run `cargo run -- generate`: {differences:?}"
        );
    }
}
