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
    let planned = analysis
        .into_planned()
        .unwrap_or_else(|| panic!("{} must be valid:\n{out}", path.display()));
    let files = agentform::emit::generate(&planned.plan, &Renderer::new()).expect("renders");
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
fn reference_blueprint_for_aws_6_69_without_awscc() {
    let overrides = Overrides {
        aws_provider: None,
        no_awscc: true,
    };
    let path = Path::new("blueprints/agent-platform.hcl");
    insta::assert_snapshot!("agent-platform@aws-6.69-no-awscc", stack(path, &overrides));
}

#[test]
fn reference_blueprint_for_aws_5_100_with_awscc() {
    let overrides = Overrides {
        aws_provider: Some("5.100".to_string()),
        no_awscc: false,
    };
    let path = Path::new("blueprints/agent-platform.hcl");
    insta::assert_snapshot!("agent-platform@aws-5.100-awscc", stack(path, &overrides));
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
        let files = agentform::emit::generate(&analysis.plan.unwrap(), &renderer).unwrap();
        let differences = agentform::emit::check(Path::new("generated"), &files).unwrap();
        assert!(
            differences.is_empty(),
            "generated/ is stale; run `cargo run -- generate`: {differences:?}"
        );
    }
}

/// The front end never fails on user input: randomly damaged copies of the reference blueprint
/// either yield a model that renders, or at least one error with a location, and never a panic.
#[test]
fn damaged_blueprints_never_panic() {
    use proptest::prelude::*;
    let reference = std::fs::read_to_string("blueprints/agent-platform.hcl").unwrap();
    let renderer = Renderer::new();
    let edits = prop::collection::vec(
        (
            0usize..4,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            32u8..127,
        ),
        1..4,
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(500));
    runner
        .run(&edits, |edits| {
            let mut chars: Vec<char> = reference.chars().collect();
            for (kind, a, b, byte) in edits {
                let i = a.index(chars.len());
                match kind {
                    0 => {
                        chars.remove(i);
                    }
                    1 => chars.insert(i, char::from(byte)),
                    2 => {
                        let j = b.index(chars.len());
                        chars.swap(i, j);
                    }
                    _ => {
                        let j = b.index(chars.len());
                        let lo = i.min(j);
                        let hi = i.max(j).min(lo_bound(lo, chars.len()));
                        chars.drain(lo..hi);
                    }
                }
            }
            let text: String = chars.into_iter().collect();
            let analysis = agentform::analyze(
                &SourceFile::from_text("damaged.hcl", &text),
                &Overrides::default(),
            );
            if let Some(model) = analysis.model() {
                // Whatever lowers can be reported on, errors or not.
                let _ = agentform::segregation::report::ReachReport::build(
                    model,
                    agentform::segregation::report::Matrices::WithAttachments,
                );
            }
            let diagnostics = analysis.diagnostics.clone();
            match analysis.into_planned() {
                Some(planned) => {
                    prop_assert!(
                        agentform::emit::generate(&planned.plan, &renderer).is_ok(),
                        "valid model failed to render:\n{text}"
                    );
                }
                None => {
                    let error = diagnostics.iter().find(|d| d.is_error());
                    prop_assert!(
                        error.is_some_and(|d| d.span.line >= 1 && d.span.col >= 1),
                        "no located error for:\n{text}"
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Deletions span at most 40 characters, so damaged files stay close to the original.
fn lo_bound(lo: usize, len: usize) -> usize {
    (lo + 40).min(len)
}

/// The stack README's inventory, check list and diagram agree with the stack: the counts with the
/// top-level blocks hcl-edit finds in each generated file, the check names with `checks.tf`, the
/// diagram with `agentform graph`'s Mermaid.
#[test]
fn readme_describes_the_files_it_sits_with() {
    use hcl_edit::structure::{BlockLabel, Structure};
    use std::collections::BTreeMap;
    let mut paths = vec![std::path::PathBuf::from("blueprints/agent-platform.hcl")];
    paths.extend(agentform::source::discover(&["tests/fixtures/valid".into()]).unwrap());
    let renderer = Renderer::new();
    for path in paths {
        let analysis = agentform::analyze(&SourceFile::read(&path), &Overrides::default());
        let planned = analysis.into_planned().unwrap();
        let all = agentform::emit::generate(&planned.plan, &renderer).unwrap();
        // Each stack's README against the files of its own directory (a platform across accounts
        // has several).
        for (readme_path, readme) in all.iter().filter(|(p, _)| p.ends_with("README.md")) {
            let directory = readme_path.parent().unwrap();
            let files: Vec<(&std::path::PathBuf, &String)> = all
                .iter()
                .filter(|(p, _)| p.parent() == Some(directory))
                .collect();
            let readme = readme.as_str();
            // `| `FILE` | `TYPE` | N |` rows of the Resources table, and `| `NAME` | … |` of Checks.
            let mut listed: BTreeMap<(String, String), usize> = BTreeMap::new();
            let section = |title: &str| {
                let start = readme
                    .find(title)
                    .unwrap_or_else(|| panic!("{title} missing"));
                let rest = &readme[start + title.len()..];
                rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
            };
            for line in section("## Resources\n").lines() {
                let cells: Vec<&str> = line.split(" | ").collect();
                if let [file, kind, count] = cells[..] {
                    let file = file.trim_start_matches("| ").trim_matches('`');
                    if file == "File" {
                        continue;
                    }
                    let kind = kind.replace("` blocks", "").replace('`', "");
                    let count: usize = count.trim_end_matches(" |").parse().unwrap();
                    listed.insert((file.to_string(), kind), count);
                }
            }
            let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
            let mut checks = Vec::new();
            for (name, text) in files
                .iter()
                .filter(|(p, _)| p.extension().is_some_and(|e| e == "tf"))
            {
                let file = name.file_name().unwrap().to_string_lossy().into_owned();
                let label = |l: &BlockLabel| match l {
                    BlockLabel::Ident(i) => i.as_str().to_string(),
                    BlockLabel::String(s) => s.as_str().to_string(),
                };
                for structure in &hcl_edit::parser::parse_body(text).unwrap() {
                    let Structure::Block(block) = structure else {
                        continue;
                    };
                    let kind = match block.ident.as_str() {
                        "resource" => label(&block.labels[0]),
                        "data" => format!("data.{}", label(&block.labels[0])),
                        "check" => {
                            checks.push(label(&block.labels[0]));
                            "check".to_string()
                        }
                        _ => continue,
                    };
                    *found.entry((file.clone(), kind)).or_default() += 1;
                }
            }
            assert_eq!(
                listed,
                found,
                "{}: README inventory of {}",
                path.display(),
                directory.display()
            );
            let listed_checks: Vec<String> = section("## Checks\n")
                .lines()
                .filter_map(|l| l.strip_prefix("| `"))
                .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
                .collect();
            assert_eq!(listed_checks, checks, "{}: README checks", path.display());
            let diagram =
                agentform::diagram::mermaid(&agentform::diagram::Diagram::build(&planned.valid));
            assert!(
                readme.contains(&format!("```mermaid\n{diagram}```\n")),
                "{}: README diagram",
                path.display()
            );
        }
    }
}

/// Issue 19, item 1: no generated role trusts a whole account (its root or id, or `*`) without a
/// condition, and every service or federated trust is pinned by one (`aws:SourceAccount`,
/// `aws:SourceArn`, an OIDC `sub`, a certificate's subject). Read from every stack's rendered text.
#[test]
fn no_trust_policy_admits_a_whole_account_without_a_condition() {
    let mut blueprints: Vec<_> = std::fs::read_dir("blueprints")
        .unwrap()
        .chain(std::fs::read_dir("tests/fixtures/valid").unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    blueprints.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &blueprints {
        let source = SourceFile::read(path);
        let planned = agentform::analyze(&source, &Overrides::default())
            .into_planned()
            .unwrap_or_else(|| panic!("{} is valid", path.display()));
        let files = agentform::emit::generate(&planned.plan, &Renderer::new()).expect("renders");
        for (name, text) in files
            .iter()
            .filter(|(n, _)| n.extension().is_some_and(|e| e == "tf"))
        {
            let body: hcl::Body = hcl::from_str(text).expect("generated HCL parses");
            let trusts: Vec<String> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("assume_role_policy"))
                .filter_map(|l| {
                    l.trim_start()
                        .strip_prefix('=')?
                        .trim()
                        .strip_prefix("data.aws_iam_policy_document.")
                })
                .map(|l| l.trim_end_matches(".json").to_string())
                .collect();
            for trust in &trusts {
                checked += 1;
                let doc = body
                    .blocks()
                    .find(|b| {
                        b.identifier() == "data"
                            && b.labels().len() == 2
                            && b.labels()[0].as_str() == "aws_iam_policy_document"
                            && b.labels()[1].as_str() == trust
                    })
                    .unwrap_or_else(|| panic!("{}: no document {trust}", name.display()));
                if let Some(problem) = trust_problem(&doc.body) {
                    failures.push(format!(
                        "{} ({}): {trust}: {problem}",
                        path.display(),
                        name.display()
                    ));
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} trust policies found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with one trust document, if anything.
fn trust_problem(doc: &hcl::Body) -> Option<String> {
    for statement in doc.blocks().filter(|b| b.identifier() == "statement") {
        let conditions = statement
            .body
            .blocks()
            .filter(|b| b.identifier() == "condition")
            .count();
        for principals in statement
            .body
            .blocks()
            .filter(|b| b.identifier() == "principals")
        {
            let attribute = |key: &str| {
                principals
                    .body
                    .attributes()
                    .find(|a| a.key() == key)
                    .map(|a| a.expr().clone())
            };
            let kind = match attribute("type") {
                Some(hcl::Expression::String(s)) => s,
                other => return Some(format!("principal type {other:?} is not a literal")),
            };
            let identifiers: Vec<String> = match attribute("identifiers") {
                Some(hcl::Expression::Array(items)) => items
                    .iter()
                    .map(|i| match i {
                        hcl::Expression::String(s) => s.clone(),
                        other => format!("{other}"),
                    })
                    .collect(),
                other => return Some(format!("identifiers {other:?} are not a list")),
            };
            for identifier in &identifiers {
                let account = identifier.ends_with(":root")
                    || (identifier.len() == 12 && identifier.bytes().all(|b| b.is_ascii_digit()));
                if identifier.contains('*') {
                    return Some(format!("principal `{identifier}` is a wildcard"));
                }
                if kind == "AWS" && account && conditions == 0 {
                    return Some(format!(
                        "the account `{identifier}` is trusted without a condition"
                    ));
                }
                // A role of the same stack (`aws_iam_role.NAME.arn`) is a named role.
                let stack_role = matches!(
                    identifier.split('.').collect::<Vec<_>>()[..],
                    ["aws_iam_role", _, "arn"]
                );
                if kind == "AWS" && !identifier.starts_with("arn:") && !stack_role {
                    return Some(format!("principal `{identifier}` is not a literal ARN"));
                }
            }
            if kind != "AWS" && conditions == 0 {
                return Some(format!(
                    "the {kind} principals {identifiers:?} are not pinned by a condition"
                ));
            }
        }
    }
    None
}

/// One S3 gateway endpoint per VPC, whatever asks for it: the agents VPC of the reference blueprint
/// mounts a workspace, runs a role that reads S3, and (here) pulls images; it gets one, in
/// `endpoints.tf`, and `storage.tf` writes none.
#[test]
fn a_vpc_never_gets_two_s3_gateway_endpoints() {
    let reference = std::fs::read_to_string("blueprints/agent-platform.hcl").unwrap();
    let pulls = reference.replacen(
        "  segment = \"agents\"\n}",
        "  segment = \"agents\"\n  image_pulls = true\n}",
        1,
    );
    assert_ne!(pulls, reference, "the agents VPC block changed shape");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent-platform.hcl");
    std::fs::write(&path, &pulls).unwrap();
    let text = stack(&path, &Overrides::default());
    let files: Vec<&str> = text.split("\n=== ").collect();
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.starts_with(&format!("agents/{name}\n")))
            .copied()
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let endpoints = file("endpoints.tf");
    assert_eq!(
        endpoints
            .matches("service_name      = \"com.amazonaws.us-east-1.s3\"")
            .count(),
        1,
        "{endpoints}"
    );
    assert!(endpoints.contains("resource \"aws_vpc_endpoint\" \"agents_s3\""));
    for ecr in ["ecr.api", "ecr.dkr"] {
        assert!(
            endpoints.contains(&format!("\"com.amazonaws.us-east-1.{ecr}\"")),
            "no {ecr} endpoint"
        );
    }
    assert!(!file("storage.tf").contains("aws_vpc_endpoint"));
}

/// Cost allocation: AWS can activate only a key some resource carries (the provider's create fails
/// for a key Billing does not list), so every key `billing.tf` activates is a key the stack writes
/// on a resource (its own `tags` or the provider's `default_tags`); the reference stack activates
/// tenant, agent and component among them; an opt-out writes no `billing.tf`.
#[test]
fn cost_allocation_activates_only_keys_the_stack_writes() {
    let mut blueprints: Vec<_> = std::fs::read_dir("blueprints")
        .unwrap()
        .chain(std::fs::read_dir("tests/fixtures/valid").unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    blueprints.sort();
    let mut stacks_with_billing = 0;
    for path in &blueprints {
        let source = SourceFile::read(path);
        let planned = agentform::analyze(&source, &Overrides::default())
            .into_planned()
            .unwrap_or_else(|| panic!("{} is valid", path.display()));
        let opted_out = !planned.valid.model().platform.cost_allocation_tags;
        let files = agentform::emit::generate(&planned.plan, &Renderer::new()).expect("renders");
        let mut written = std::collections::BTreeSet::new();
        let mut activated = Vec::new();
        for (name, text) in &files {
            if name.extension().is_none_or(|e| e != "tf") {
                continue;
            }
            let body: hcl::Body = hcl::from_str(text).expect("generated HCL parses");
            collect_tag_keys(&body, &mut written);
            for block in body.blocks().filter(|b| {
                b.identifier() == "resource"
                    && b.labels()[0].as_str() == "aws_ce_cost_allocation_tag"
            }) {
                assert!(
                    name.ends_with("billing.tf"),
                    "{}: activation outside billing.tf",
                    path.display()
                );
                let key = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "tag_key")
                    .map(|a| a.expr.to_string())
                    .unwrap();
                let status = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "status")
                    .map(|a| a.expr.to_string())
                    .unwrap();
                assert_eq!(status, "\"Active\"");
                activated.push(key.trim_matches('"').to_string());
            }
        }
        if opted_out {
            assert!(
                activated.is_empty() && !files.iter().any(|(n, _)| n.ends_with("billing.tf")),
                "{}: opted out but activates {activated:?}",
                path.display()
            );
            continue;
        }
        stacks_with_billing += 1;
        assert!(
            !activated.is_empty(),
            "{}: nothing activated",
            path.display()
        );
        for key in &activated {
            assert!(
                written.contains(key),
                "{}: activates `{key}`, which no resource carries (written: {written:?})",
                path.display()
            );
        }
        if path.ends_with("agent-platform.hcl") {
            for key in ["agentform:tenant", "agentform:agent", "agentform:component"] {
                assert!(activated.iter().any(|k| k == key), "{key}: {activated:?}");
            }
        }
    }
    assert!(
        stacks_with_billing > 10,
        "only {stacks_with_billing} stacks"
    );
    // A platform alone creates no resource, so it has no key to activate.
    let source = SourceFile::from_text(
        "solo.hcl",
        "platform \"solo\" {\n  environment = \"dev\"\n  region      = \"eu-west-1\"\n  account_id  = \"210987654321\"\n}\n",
    );
    let planned = agentform::analyze(&source, &Overrides::default())
        .into_planned()
        .expect("a platform alone is valid");
    let files = agentform::emit::generate(&planned.plan, &Renderer::new()).expect("renders");
    assert!(
        !files.keys().any(|n| n.ends_with("billing.tf")),
        "{:?}",
        files.keys()
    );
}

/// The keys of every `tags = { … }` map (resources' own, `default_tags`), at any depth.
fn collect_tag_keys(body: &hcl::Body, keys: &mut std::collections::BTreeSet<String>) {
    for attribute in body.attributes() {
        if attribute.key.as_str() == "tags"
            && let hcl::Expression::Object(object) = &attribute.expr
        {
            for key in object.keys() {
                let text = match key {
                    hcl::ObjectKey::Identifier(id) => id.to_string(),
                    hcl::ObjectKey::Expression(e) => e.to_string(),
                    _ => continue,
                };
                keys.insert(text.trim_matches('"').to_string());
            }
        }
    }
    for block in body.blocks() {
        collect_tag_keys(&block.body, keys);
    }
}
