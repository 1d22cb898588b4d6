//! Real Terraform, real provider: every blueprint is generated for hashicorp/aws 5.100 without awscc
//! into a scratch directory, then `terraform fmt -check`, `init` (from the machine's provider mirror,
//! offline), `validate` and `plan -refresh=false` with fake credentials must all succeed. The fake
//! credentials and `skip_*` flags live in a `*_override.tf` written into the scratch copy only.
//!
//! Also: random valid blueprints generate output that `terraform fmt` leaves byte for byte unchanged.
//!
//! These tests need `terraform` on `PATH` and the aws 5.100.0 provider in a filesystem mirror (found
//! through `AGENTFORM_TF_PLUGIN_DIR`, or by searching the usual places). When either is missing they
//! fail; set `AGENTFORM_SKIP_TERRAFORM=1` to skip them deliberately on a machine without Terraform.

mod common;

use common::Test;
use common::terraform::{plugin_dir, skip};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const OVERRIDE: &str = r#"# Written by agentform's tests into a scratch copy: offline, fake credentials.
provider "aws" {
  access_key                  = "AKIAFAKEFAKEFAKEFAKE"
  secret_key                  = "fake-secret-for-offline-plan"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  allowed_account_ids         = null
}
"#;

fn terraform(dir: &Path, args: &[&str], config: &Path) -> String {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("terraform is not on PATH ({e}); set AGENTFORM_SKIP_TERRAFORM=1 to skip")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "terraform {} failed in {}:\n{text}",
        args.join(" "),
        dir.display()
    );
    text
}

/// A scratch directory and an empty Terraform CLI configuration in it (providers come from
/// `-plugin-dir`, and the machine's own configuration must not leak in).
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("terraform.rc");
    std::fs::write(&config, "# no settings: providers come from -plugin-dir\n").unwrap();
    (dir, config)
}

/// Generates every blueprint into `<dir>/<blueprint stem>/`, returning those directories.
fn generate_every_blueprint(dir: &Path, extra: &[&str]) -> Vec<PathBuf> {
    blueprints()
        .into_iter()
        .map(|blueprint| {
            let out = dir.join(blueprint.file_stem().unwrap());
            let mut args = vec![
                "generate",
                blueprint.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            Test::in_repo().args(&args).run().assert_success();
            out
        })
        .collect()
}

fn blueprints() -> Vec<PathBuf> {
    let mut all =
        agentform::source::discover(&["blueprints".into(), "tests/fixtures/valid".into()]).unwrap();
    all.sort();
    all
}

#[test]
fn every_blueprint_validates_and_plans_offline_with_the_real_provider() {
    if skip() {
        eprintln!("AGENTFORM_SKIP_TERRAFORM=1: skipping real Terraform");
        return;
    }
    let plugins = plugin_dir();
    let (scratch, config) = scratch();
    let stacks: Vec<(String, PathBuf, Reads)> =
        generate_every_blueprint(scratch.path(), &["--aws-provider", "5.100", "--no-awscc"])
            .into_iter()
            .flat_map(|out| {
                let blueprint = out.file_name().unwrap().to_string_lossy().into_owned();
                std::fs::read_dir(&out)
                    .unwrap()
                    .flatten()
                    .flat_map(|e| stacks_of(&e.path()))
                    .map(move |(stack, reads)| (blueprint.clone(), stack, reads))
                    .collect::<Vec<_>>()
            })
            .collect();
    // Each stack is independent: workers take the next one (Terraform spends most of the time
    // waiting on the provider process, so even one core gains from two at once).
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs() {
            scope.spawn(|| {
                while let Some((blueprint, stack, reads)) =
                    stacks.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    plan_offline(blueprint, stack, reads, &plugins, &config);
                }
            });
        }
    });
}

/// How many stacks Terraform works on at once: `AGENTFORM_TF_JOBS`, else the machine's cores
/// (at least 2, at most 4: each provider process takes a few hundred MB).
fn jobs() -> usize {
    std::env::var("AGENTFORM_TF_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(2, std::num::NonZero::get)
                .clamp(2, 4)
        })
}

/// What a stack reads from the stacks before it: (stack, outputs), from `manifest.json`.
type Reads = Vec<(String, Vec<String>)>;

/// The stacks of one platform's output directory: the directory itself, or, for a platform across
/// accounts, each stack `manifest.json` lists, with what it reads.
fn stacks_of(platform: &Path) -> Vec<(PathBuf, Reads)> {
    let manifest = platform.join("manifest.json");
    if !manifest.is_file() {
        return vec![(platform.to_path_buf(), Vec::new())];
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stack| {
            let reads = stack["reads"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["stack"].as_str().unwrap().to_string(),
                        r["outputs"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|o| o.as_str().unwrap().to_string())
                            .collect(),
                    )
                })
                .collect();
            (platform.join(stack["directory"].as_str().unwrap()), reads)
        })
        .collect()
}

/// A value of the shape an output of another stack has, by its name (`layout::crossings`).
fn upstream_value(output: &str) -> &'static str {
    [
        ("_transit_gateway_id", "tgw-0123456789abcdef0"),
        (
            "_transit_gateway_share_arn",
            "arn:aws:ram:us-east-1:111111111111:resource-share/0f0f0f0f-0000-4000-8000-000000000000",
        ),
        ("_attachment_id", "tgw-attach-0123456789abcdef0"),
        ("_route_table_id", "rtb-0123456789abcdef0"),
    ]
    .iter()
    .find(|(suffix, _)| output.ends_with(suffix))
    .map_or_else(
        || panic!("no test value for a stack output named {output}"),
        |(_, value)| *value,
    )
}

/// Offline, a stack with a declared backend keeps its state in a local file, and each stack it
/// reads is a local state holding the outputs the manifest says it reads (what the stacks before
/// it leave after their apply): the generated files stay as they are.
fn offline_backend(stack: &Path, reads: &Reads) -> String {
    let mut text = String::new();
    if std::fs::read_to_string(stack.join("versions.tf"))
        .unwrap()
        .contains("backend \"s3\"")
    {
        text.push_str("\nterraform {\n  backend \"local\" {}\n}\n");
    }
    for (upstream, outputs) in reads {
        let state = serde_json::json!({
            "version": 4,
            "terraform_version": "1.11.0",
            "serial": 1,
            "lineage": "agentform-test",
            "resources": [],
            "outputs": outputs
                .iter()
                .map(|o| (o.clone(), serde_json::json!({"value": upstream_value(o), "type": "string"})))
                .collect::<serde_json::Map<_, _>>(),
        });
        let file = format!("upstream-{upstream}.tfstate");
        std::fs::write(stack.join(&file), state.to_string()).unwrap();
        text.push_str(&format!(
            "\ndata \"terraform_remote_state\" \"{}\" {{\n  backend = \"local\"\n  config = {{\n    path = \"{file}\"\n  }}\n}}\n",
            upstream.replace('-', "_")
        ));
    }
    text
}

/// `fmt -check`, `init` from the mirror, `validate` and an offline `plan` of one generated stack.
fn plan_offline(blueprint: &str, stack: &Path, reads: &Reads, plugins: &Path, config: &Path) {
    terraform(stack, &["fmt", "-check", "-diff"], config);
    let backend = offline_backend(stack, reads);
    std::fs::write(
        stack.join("agentform_test_override.tf"),
        format!("{OVERRIDE}{backend}"),
    )
    .unwrap();
    let plugin_arg = format!("-plugin-dir={}", plugins.display());
    let mut init = vec!["init", "-input=false", &plugin_arg];
    if !backend.contains("backend \"local\"") {
        init.push("-backend=false");
    }
    terraform(stack, &init, config);
    terraform(stack, &["validate", "-no-color"], config);
    let plan = terraform(
        stack,
        &[
            "plan",
            "-refresh=false",
            "-input=false",
            "-lock=false",
            "-no-color",
        ],
        config,
    );
    assert!(
        plan.contains("to add, 0 to change, 0 to destroy"),
        "{blueprint}: unexpected plan:\n{plan}"
    );
}

#[test]
fn default_targets_are_terraform_fmt_clean() {
    if skip() {
        return;
    }
    let (scratch, config) = scratch();
    generate_every_blueprint(scratch.path(), &[]);
    terraform(
        scratch.path(),
        &["fmt", "-check", "-diff", "-recursive"],
        &config,
    );
}

/// Whether segment `from` lists `to` in its `connects_to` (as the generator below writes it).
fn connected(segments: &[(bool, Vec<usize>)], from: usize, to: usize) -> bool {
    segments[from]
        .1
        .iter()
        .any(|c| c % segments.len() == to && to != from)
}

/// A random but valid blueprint: segments with random connections and isolation, VPCs with
/// disjoint ranges, random routes and interconnects, tag values with characters that need escaping.
fn random_blueprint() -> impl Strategy<Value = String> {
    let segment = (any::<bool>(), prop::collection::vec(0usize..5, 0..3));
    (
        prop::collection::vec(segment, 1..5),
        prop::collection::vec((0usize..5, 1usize..4), 1..7),
        prop::collection::vec((0usize..5, any::<bool>(), 0usize..7), 0..3),
        any::<bool>(),
        "[ -~]{0,12}",
    )
        .prop_map(|(segments, vpcs, routes, interconnect, tag)| {
            let n = segments.len();
            let mut text = format!(
                "platform \"p\" {{\n  environment = \"test\"\n  region = \"us-east-1\"\n  account_id = \"123456789012\"\n  awscc = true\n  tags = {{ note = {} }}\n}}\n",
                serde_json::to_string(&tag).unwrap().replace("${", "$${").replace("%{", "%%{")
            );
            text.push_str("transit_gateway \"tgw\" {\n");
            for (i, (isolated, connects)) in segments.iter().enumerate() {
                let mut targets: Vec<String> = connects.iter().map(|c| c % n).filter(|c| *c != i).map(|c| format!("\"s{c}\"")).collect();
                targets.sort();
                targets.dedup();
                text.push_str(&format!("  segment \"s{i}\" {{\n    isolated = {isolated}\n    connects_to = [{}]\n  }}\n", targets.join(", ")));
            }
            let mut seen = std::collections::BTreeSet::new();
            let mut targeted = std::collections::BTreeSet::new();
            for (r, (segment, blackhole, target)) in routes.iter().enumerate() {
                let destination = format!("192.168.{r}.0/24");
                if !seen.insert((segment % n, destination.clone())) {
                    continue;
                }
                // A route may only target an attachment its segment is meant to reach (anything
                // else is a leak, which is an error); otherwise it becomes a blackhole.
                let (from, to) = (segment % n, vpcs[target % vpcs.len()].0 % n);
                let intended = if from == to {
                    !segments[from].0
                } else {
                    connected(&segments, from, to) || connected(&segments, to, from)
                };
                let action = if *blackhole || !intended {
                    "blackhole = true".to_string()
                } else {
                    targeted.insert(target % vpcs.len());
                    format!("target = \"vpc.v{}\"", target % vpcs.len())
                };
                text.push_str(&format!("  route \"r{r}\" {{\n    segment = \"s{}\"\n    destination = \"{destination}\"\n    {action}\n  }}\n", segment % n));
            }
            text.push_str("}\n");
            for (v, (segment, azs)) in vpcs.iter().enumerate() {
                let zones: Vec<String> = ["a", "b", "c"][..*azs].iter().map(|z| format!("\"us-east-1{z}\"")).collect();
                let subnets: Vec<String> = (0..*azs).map(|s| format!("\"10.{v}.{s}.0/24\"")).collect();
                // A VPC routes send traffic into must carry it on (else `AF316`): every other one
                // leaves for the internet (NAT and internet gateway), the rest forward.
                let carries = if !targeted.contains(&v) {
                    ""
                } else if v % 2 == 0 {
                    "  internet_egress {}\n"
                } else {
                    "  forwards = true\n"
                };
                text.push_str(&format!(
                    "vpc \"v{v}\" {{\n  cidr = \"10.{v}.0.0/16\"\n  azs = [{}]\n  subnets = [{}]\n  segment = \"s{}\"\n{carries}}}\n",
                    zones.join(", "),
                    subnets.join(", "),
                    segment % n
                ));
            }
            if interconnect {
                text.push_str("interconnect \"x\" {\n  segment = \"s0\"\n  partner = \"google_cloud\"\n  bandwidth = \"1Gbps\"\n  remote_cidrs = [\"172.16.0.0/16\"]\n  dx_gateway_asn = 64513\n}\n");
            }
            text
        })
}

#[test]
fn random_blueprints_generate_terraform_fmt_stable_output() {
    if skip() {
        return;
    }
    let (scratch, config) = scratch();
    let renderer = agentform::render::Renderer::new();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(200));
    let case = std::cell::Cell::new(0usize);
    runner
        .run(&random_blueprint(), |text| {
            let source = agentform::source::SourceFile::from_text("random.hcl", &text);
            let analysis = agentform::analyze(&source, &agentform::lower::Overrides::default());
            let errors: Vec<_> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            prop_assert!(
                errors.is_empty(),
                "random blueprint is invalid: {errors:?}\n{text}"
            );
            let files = agentform::emit::generate(&analysis.plan.unwrap(), &renderer).unwrap();
            for (name, content) in files {
                // The formatter must be a fixed point of itself (on HCL; the README is Markdown) ...
                if name.extension().is_some_and(|e| e == "tf") {
                    prop_assert_eq!(agentform::render::format::format(&content), content.clone());
                }
                let path = scratch
                    .path()
                    .join(format!("case{}", case.get()))
                    .join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, content).unwrap();
            }
            case.set(case.get() + 1);
            Ok(())
        })
        .unwrap();
    // ... and of `terraform fmt`, checked once over every case.
    terraform(
        scratch.path(),
        &["fmt", "-check", "-diff", "-recursive"],
        &config,
    );
}

/// Every argument of `agentform diff`'s table of arguments that force replacement exists in the
/// hashicorp/aws 5.100 schema (the schema does not say which force replacement; the table cites that).
#[test]
fn force_new_arguments_exist_in_the_provider_schema() {
    if skip() {
        eprintln!("AGENTFORM_SKIP_TERRAFORM=1: skipping real Terraform");
        return;
    }
    let plugins = plugin_dir();
    let (dir, config) = scratch();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"5.100.0\"\n    }\n  }\n}\n",
    )
    .unwrap();
    let plugin_arg = format!("-plugin-dir={}", plugins.display());
    terraform(dir.path(), &["init", "-input=false", &plugin_arg], &config);
    let output = Command::new("terraform")
        .args(["providers", "schema", "-json"])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", &config)
        .output()
        .expect("terraform runs");
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let resources =
        &schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"];
    for row in agentform::diff::FORCE_NEW {
        let attributes = &resources[row.resource]["block"]["attributes"];
        assert!(
            attributes.is_object(),
            "{} is not a resource of hashicorp/aws 5.100",
            row.resource
        );
        for argument in row.arguments {
            let attribute = &attributes[*argument];
            assert!(
                attribute.is_object(),
                "{}.{argument} is not in the 5.100 schema",
                row.resource
            );
            assert!(
                attribute["required"] == true || attribute["optional"] == true,
                "{}.{argument} is not an argument (computed only)",
                row.resource
            );
        }
    }
}
