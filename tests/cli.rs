//! The command line, tried the way a user does: blueprints in a scratch directory, the real binary,
//! exit codes, messages and the files left behind. Includes the bad-input corpus
//! (`tests/fixtures/invalid/`): every broken blueprint must exit 1, point at a location, name the
//! offending thing, and leave the output directory exactly as it was.

mod common;

use common::{Test, repo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REFERENCE: &str = include_str!("../blueprints/agent-platform.hcl");

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(tree(&path));
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn generate_then_check_is_clean() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(t.path("generated/agents/network.tf").is_file());
    let check = t.args(["check"]).run();
    assert_eq!(check.status, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stderr.contains("up to date"));
}

#[test]
fn changing_a_cidr_makes_check_exit_2_with_a_diff() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["generate"]);
    assert_eq!(t.run().status, 0);
    let changed = REFERENCE.replace("10.60.0.0/16", "10.61.0.0/16").replace(
        "[\"10.60.0.0/24\", \"10.60.1.0/24\"]",
        "[\"10.61.0.0/24\", \"10.61.1.0/24\"]",
    );
    let t = t.blueprint("agent-platform.hcl", &changed).args(["check"]);
    let out = t.run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("--- a/agents/network.tf"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("-  cidr_block           = \"10.60.0.0/16\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("+  cidr_block           = \"10.61.0.0/16\""),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("is stale"));
}

#[test]
fn misspelled_segment_is_one_error_at_its_line_with_a_suggestion_and_writes_nothing() {
    let broken = REFERENCE.replacen("segment = \"agents\"\n}", "segment = \"agnets\"\n}", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("\"agnets\""))
        .unwrap()
        + 1;
    let t = Test::new()
        .blueprint("agent-platform.hcl", &broken)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 1);
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error["))
        .collect();
    assert_eq!(
        errors,
        ["error[AF201]: unknown segment `agnets` in transit gateway `core`"],
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("blueprints/agent-platform.hcl:{line}:")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("did you mean `agents`?"));
    assert!(!t.path("generated").exists());
}

#[test]
fn generate_leaves_foreign_files_alone_and_removes_stale_generated_ones() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .file("generated/agents/my-extra.tf", b"# hand-written\n")
        .args(["generate"]);
    assert_eq!(t.run().status, 0);
    assert!(t.path("generated/agents/interconnect.tf").is_file());

    // Without the interconnect, interconnect.tf is stale: check reports it, generate removes it.
    let start = REFERENCE.find("interconnect \"gcp\"").unwrap();
    let without = REFERENCE[..start].replace("segment \"multicloud\" {}", "");
    let without = without.replace(
        "connects_to = [\"shared\", \"multicloud\"]",
        "connects_to = [\"shared\"]",
    );
    let t = t.blueprint("agent-platform.hcl", &without).args(["check"]);
    let out = t.run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("stale (would be removed)"),
        "{}",
        out.stdout
    );
    let t = t.args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!t.path("generated/agents/interconnect.tf").exists());
    assert_eq!(
        std::fs::read(t.path("generated/agents/my-extra.tf")).unwrap(),
        b"# hand-written\n"
    );
}

#[test]
fn generate_refuses_to_overwrite_a_file_without_the_marker() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .file("generated/agents/network.tf", b"# mine\n")
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("refusing to overwrite"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(t.path("generated/agents/network.tf")).unwrap(),
        b"# mine\n"
    );
    assert!(!t.path("generated/agents/versions.tf").exists());
}

#[test]
fn json_format_reports_diagnostics_as_documented() {
    let broken = REFERENCE.replacen("segment = \"agents\"\n}", "segment = \"agnets\"\n}", 1);
    let out = Test::new()
        .blueprint("agent-platform.hcl", &broken)
        .args(["validate", "--format", "json"])
        .run();
    assert_eq!(out.status, 1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "AF201");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "blueprints/agent-platform.hcl");
    assert!(d["line"].as_u64().unwrap() > 0 && d["column"].as_u64().unwrap() > 0);
    assert_eq!(d["help"], "did you mean `agents`?");
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let with_unused = REFERENCE.replace(
        "segment \"multicloud\" {}",
        "segment \"multicloud\" {}\n  segment \"staging\" {}",
    );
    let t = Test::new().blueprint("agent-platform.hcl", &with_unused);
    let out = t.args(["validate"]).run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning[AF204]: segment `staging` has no attachments"),
        "{}",
        out.stderr
    );
    let t = Test::new()
        .blueprint("agent-platform.hcl", &with_unused)
        .args(["validate", "--deny-warnings"]);
    assert_eq!(t.run().status, 1);
}

#[test]
fn provider_overrides_change_the_target() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["generate", "--aws-provider", "5.100", "--no-awscc"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[AF602]"), "{}", out.stderr);
    let versions = std::fs::read_to_string(t.path("generated/agents/versions.tf")).unwrap();
    assert!(versions.contains("version = \"5.100\""), "{versions}");
    assert!(!versions.contains("awscc"));
    let interconnect = std::fs::read_to_string(t.path("generated/agents/interconnect.tf")).unwrap();
    assert!(!interconnect.contains("awscc_interconnect_connection"));

    let out = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["validate", "--aws-provider", "5.90"])
        .run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("error[AF601]"), "{}", out.stderr);
}

#[test]
fn two_blueprints_for_one_platform_are_an_error() {
    let out = Test::new()
        .blueprint("a.hcl", REFERENCE)
        .blueprint("b.hcl", REFERENCE)
        .args(["generate"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("platform `agents` is also declared in `blueprints/a.hcl`"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_paths_and_empty_directories_are_errors() {
    let out = Test::new().args(["validate", "nowhere"]).run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("no such blueprint file or directory: nowhere"),
        "{}",
        out.stderr
    );
    let t = Test::new()
        .file("blueprints/README.md", b"not a blueprint")
        .args(["validate"]);
    let out = t.run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("no blueprints found"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_1() {
    let out = Test::new().args(["generate", "--frobnicate"]).run();
    assert_eq!(out.status, 1);
    let out = Test::new().args(["--help"]).run();
    assert_eq!(out.status, 0);
    assert!(
        out.stdout.contains("validate")
            && out.stdout.contains("generate")
            && out.stdout.contains("check")
    );
}

/// What a bad-input fixture expects: a diagnostic code, a name the message must contain, and
/// optionally the line it must point at. Read from a first line `# expect: CODE NAME [@LINE]` (HCL)
/// or a sidecar `FILE.expect` (other files).
struct Expectation {
    code: String,
    name: String,
    line: Option<usize>,
}

fn expectation(path: &Path, bytes: &[u8]) -> Expectation {
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    let line = if sidecar.is_file() {
        std::fs::read_to_string(&sidecar).unwrap()
    } else {
        String::from_utf8_lossy(bytes)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let rest = line
        .trim()
        .strip_prefix("# expect:")
        .unwrap_or(line.trim())
        .trim()
        .to_string();
    let mut words = rest.split_whitespace();
    let code = words.next().unwrap_or_default().to_string();
    let (lines, names): (Vec<&str>, Vec<&str>) = words.partition(|w| w.starts_with('@'));
    Expectation {
        code,
        name: names.join(" "),
        line: lines
            .first()
            .map(|l| l[1..].parse().expect("`@LINE` is a number")),
    }
}

#[test]
fn bad_input_corpus() {
    let dir = common::repo().join("tests/fixtures/invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.display().to_string().ends_with(".expect"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "the corpus must hold at least 15 broken blueprints, found {}",
        cases.len()
    );
    for case in &cases {
        let bytes = std::fs::read(case).unwrap();
        let name = case.file_name().unwrap().to_str().unwrap();
        let Expectation {
            code,
            name: offending,
            line,
        } = expectation(case, &bytes);
        let previous = b"# Code generated by agentform from blueprints/old.hcl. DO NOT EDIT.\n\n# previous output\n";
        let t = Test::new()
            .file(&format!("blueprints/{name}"), &bytes)
            .file("generated/agents/network.tf", previous)
            .args(["generate"]);
        let before = tree(&t.path("generated"));
        let out = t.run();
        assert_eq!(out.status, 1, "{name}: expected exit 1\n{}", out.stderr);
        assert_eq!(
            tree(&t.path("generated")),
            before,
            "{name}: the output directory changed"
        );
        let location = format!("--> blueprints/{name}:");
        assert!(
            out.stderr.contains(&location),
            "{name}: no location in\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("error[{code}]")),
            "{name}: expected {code} in\n{}",
            out.stderr
        );
        let header = out
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("error[{code}]")))
            .unwrap();
        assert!(
            header.contains(&offending),
            "{name}: `{offending}` not named in `{header}`"
        );
        if let Some(line) = line {
            let at = out
                .stderr
                .lines()
                .skip_while(|l| *l != header)
                .nth(1)
                .unwrap_or_default();
            assert!(
                at.contains(&format!("--> blueprints/{name}:{line}:")),
                "{name}: `{code}` must point at line {line}, found `{at}`"
            );
        }
        let validate = t.args(["validate"]).run();
        assert_eq!(validate.status, 1, "{name}: validate must fail too");
        insta::assert_snapshot!(format!("invalid__{name}"), out.stderr);
    }
}

#[test]
fn renaming_a_platform_retires_its_old_stack_but_not_other_stacks() {
    let other = REFERENCE.replace("platform \"agents\"", "platform \"other\"");
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .blueprint("other.hcl", &other)
        .args(["generate"]);
    assert_eq!(t.run().status, 0);
    let renamed = REFERENCE.replace("platform \"agents\"", "platform \"renamed\"");
    let t = t
        .blueprint("agent-platform.hcl", &renamed)
        .args(["check", "blueprints/agent-platform.hcl"]);
    let out = t.run();
    assert_eq!(out.status, 2);
    assert!(
        out.stdout
            .contains("stale (would be removed): generated/agents/network.tf"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("generated/other/"), "{}", out.stdout);
    let t = t.args(["generate", "blueprints/agent-platform.hcl"]);
    assert_eq!(t.run().status, 0);
    assert!(
        !t.path("generated/agents").exists(),
        "the retired stack directory is removed"
    );
    assert!(t.path("generated/renamed/network.tf").is_file());
    assert!(
        t.path("generated/other/network.tf").is_file(),
        "another blueprint's stack must stay"
    );
}

#[test]
fn an_awscc_constraint_too_old_for_the_interconnect_is_explained() {
    let old = REFERENCE.replace(
        "awscc        = true",
        "awscc        = true\n  awscc_provider = \"~> 1.50\"",
    );
    let t = Test::new()
        .blueprint("agent-platform.hcl", &old)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "needs hashicorp/awscc 1.91.0 or later, but `awscc_provider` = `~> 1.50` admits 1.50.0"
        ),
        "{}",
        out.stderr
    );
    let interconnect = std::fs::read_to_string(t.path("generated/agents/interconnect.tf")).unwrap();
    assert!(!interconnect.contains("awscc_interconnect_connection"));
    let readme = std::fs::read_to_string(t.path("generated/agents/README.md")).unwrap();
    assert!(
        readme.contains("Create the AWS Interconnect - multicloud connection"),
        "{readme}"
    );
}

#[test]
fn check_reports_differences_as_json() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["check", "--format", "json"]);
    let out = t.run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let differences = report["differences"].as_array().unwrap();
    assert!(
        differences
            .iter()
            .any(|d| d["path"] == "agents/network.tf" && d["kind"] == "missing"),
        "{report}"
    );
    assert_eq!(report["errors"], 0);
}

#[test]
fn connecting_dev_to_agents_opens_exactly_those_paths() {
    let connected = REFERENCE.replace(
        "segment \"dev\" { connects_to = [\"shared\"] }",
        "segment \"dev\" { connects_to = [\"shared\", \"agents\"] }",
    );
    assert_ne!(connected, REFERENCE);
    let before = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["reach"])
        .run();
    let t = Test::new()
        .blueprint("agent-platform.hcl", &connected)
        .args(["reach"]);
    let after = t.run();
    assert_eq!(after.status, 0, "{}", after.stderr);
    let row = |out: &str, name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("  {name}")))
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Readable in a terminal at 100 columns.
    for line in before.stdout.lines().chain(after.stdout.lines()) {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: `{line}`"
        );
    }
    // Segment rows: agents, shared, dev, multicloud, tenants.
    assert_eq!(row(&before.stdout, "dev "), ". ok - . .");
    assert_eq!(row(&after.stdout, "dev "), "ok ok - . .");
    assert_eq!(row(&after.stdout, "agents "), "- ok ok ok .");
    // The stack follows: dev's table now learns vpc.agents, and agents' table learns vpc.dev.
    let generate = t.args(["generate"]);
    assert_eq!(generate.run().status, 0);
    let network = std::fs::read_to_string(generate.path("generated/agents/network.tf")).unwrap();
    for label in ["core_dev__vpc_agents", "core_agents__vpc_dev"] {
        assert!(
            network.contains(&format!(
                "resource \"aws_ec2_transit_gateway_route_table_propagation\" \"{label}\""
            )),
            "missing propagation {label}"
        );
    }
    // ... and so do the check blocks that keep asserting it after apply.
    let checks = std::fs::read_to_string(generate.path("generated/agents/checks.tf")).unwrap();
    let block = |name: &str| {
        let start = checks
            .find(&format!("check \"{name}\""))
            .expect("check block");
        let rest = &checks[start + 1..];
        rest[..rest.find("\ncheck \"").unwrap_or(rest.len())].to_string()
    };
    assert!(
        block("core_dev_propagations").contains("aws_ec2_transit_gateway_vpc_attachment.agents.id")
    );
    assert!(
        block("core_agents_propagations").contains("aws_ec2_transit_gateway_vpc_attachment.dev.id")
    );
    assert!(
        !block("core_tenants_propagations")
            .contains("aws_ec2_transit_gateway_vpc_attachment.dev.id")
    );
}

#[test]
fn reach_reports_a_static_route_leak_naming_both_ends() {
    let leaky = REFERENCE.replace(
        "  route \"never-reach-corp\" {",
        "  route \"dev-to-agents\" {\n    segment     = \"dev\"\n    destination = \"10.10.0.0/16\"\n    target      = \"vpc.agents\"\n  }\n  route \"never-reach-corp\" {",
    );
    let out = Test::new()
        .blueprint("agent-platform.hcl", &leaky)
        .args(["reach"])
        .run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("LEAK vpc.dev -> vpc.agents"),
        "{}",
        out.stdout
    );
    let header = out
        .stderr
        .lines()
        .find(|l| l.starts_with("error[AF310]"))
        .expect("a leak diagnostic");
    for name in ["dev-to-agents", "`dev`", "vpc.dev", "vpc.agents", "agents"] {
        assert!(header.contains(name), "`{name}` not in `{header}`");
    }
    // generate refuses the blueprint: a leak is an error.
    let generate = Test::new()
        .blueprint("agent-platform.hcl", &leaky)
        .args(["generate"])
        .run();
    assert_eq!(generate.status, 1);
}

#[test]
fn reach_json_is_the_documented_schema() {
    let out = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["reach", "--format", "json"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let gateway = &report["blueprints"][0]["transit_gateways"][0];
    let cell = gateway["attachment_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == "vpc.tenant-a" && c["to"] == "vpc.tenant-b")
        .expect("tenant pair");
    assert_eq!(cell["intended"], false);
    assert_eq!(cell["verdict"], "none");
    assert_eq!(cell["status"], "blocked");
    insta::assert_snapshot!("reach_json@agent-platform", out.stdout);
}

#[test]
fn reach_on_an_unreadable_blueprint_exits_1() {
    let out = Test::new()
        .blueprint("broken.hcl", "platform \"x\" {")
        .args(["reach"])
        .run();
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("error[AF001]"), "{}", out.stderr);
}

#[test]
fn an_irsa_role_gets_a_trust_pinned_to_its_service_account() {
    let blueprint = r#"
platform "agents" {
  environment = "prod"
  region      = "us-east-1"
  account_id  = "123456789012"
}

iam_role "research-agent" {
  irsa {
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
    namespace         = "agents"
    service_account   = "research"
  }
  allow "read" {
    actions = ["s3:GetObject"]
    on      = ["arn:aws:s3:::agents-prod-context/*"]
  }
}
"#;
    let t = Test::new()
        .blueprint("agents.hcl", blueprint)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let identity = std::fs::read_to_string(t.path("generated/agents/identity.tf")).unwrap();
    for pinned in [
        "variable = \"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub\"",
        "values   = [\"system:serviceaccount:agents:research\"]",
        "variable = \"oidc.eks.us-east-1.amazonaws.com/id/ABC:aud\"",
        "values   = [\"sts.amazonaws.com\"]",
    ] {
        assert!(
            identity.contains(pinned),
            "`{pinned}` missing from\n{identity}"
        );
    }
}

/// The line (1-based) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not found"))
        + 1
}

#[test]
fn a_wildcard_principal_or_action_in_the_reference_fails_at_its_line() {
    let cases = [
        (
            "allowed_principals  = [\"arn:aws:iam::123456789012:root\"]",
            "allowed_principals  = [\"*\"]",
            "AF801",
        ),
        (
            "actions = [\"s3files:ClientMount\", \"s3files:ClientWrite\"]",
            "actions = [\"s3:*\"]",
            "AF701",
        ),
    ];
    for (from, to, code) in cases {
        let broken = REFERENCE.replacen(from, to, 1);
        assert_ne!(broken, REFERENCE, "`{from}` is not in the reference");
        let line = line_of(&broken, to);
        let out = Test::new()
            .blueprint("agent-platform.hcl", &broken)
            .args(["validate"])
            .run();
        assert_eq!(out.status, 1, "{}", out.stderr);
        let header = out
            .stderr
            .lines()
            .position(|l| l.starts_with(&format!("error[{code}]")))
            .unwrap_or_else(|| panic!("no {code} in\n{}", out.stderr));
        let at = out.stderr.lines().nth(header + 1).unwrap();
        assert!(
            at.contains(&format!("blueprints/agent-platform.hcl:{line}:")),
            "{code} must point at line {line}: `{at}`"
        );
    }
}

/// The top-level blocks of every `.tf` file of a stack, as text.
fn blocks(stack: &Path) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for (path, bytes) in tree(stack) {
        if path.extension().is_some_and(|e| e == "tf") {
            let text = String::from_utf8(bytes).unwrap();
            let mut current = String::new();
            for line in text.lines() {
                if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
                    continue;
                }
                current.push_str(line);
                current.push('\n');
                if line == "}" {
                    out.insert(std::mem::take(&mut current));
                }
            }
        }
    }
    out
}

#[test]
fn adding_a_consumer_adds_exactly_one_endpoint_and_its_security_group() {
    let from = "consumers           = [\"agents\", \"tenant-a\", \"tenant-b\"]";
    let wider = REFERENCE.replacen(
        from,
        "consumers           = [\"agents\", \"tenant-a\", \"tenant-b\", \"dev\"]",
        1,
    );
    assert_ne!(wider, REFERENCE);
    let generate = |text: &str| {
        let t = Test::new()
            .blueprint("agent-platform.hcl", text)
            .args(["generate"]);
        let out = t.run();
        assert_eq!(out.status, 0, "{}", out.stderr);
        let b = blocks(&t.path("generated/agents"));
        (t, b)
    };
    let (_before_dir, before) = generate(REFERENCE);
    let (_after_dir, after) = generate(&wider);
    let header = |block: &String| block.lines().next().unwrap_or_default().to_string();
    let removed: Vec<String> = before.difference(&after).map(header).collect();
    let added: Vec<String> = after.difference(&before).map(header).collect();
    assert_eq!(
        added,
        [
            "output \"tools_endpoint_ids\" {",
            "resource \"aws_security_group\" \"tools__dev\" {",
            "resource \"aws_vpc_endpoint\" \"tools__dev\" {",
            "resource \"aws_vpc_endpoint_connection_accepter\" \"tools__dev\" {",
        ]
    );
    // The only changed block is the output map that gains the new endpoint.
    assert_eq!(removed, ["output \"tools_endpoint_ids\" {"]);
    let sg = after
        .iter()
        .find(|b| b.starts_with("resource \"aws_security_group\" \"tools__dev\""))
        .unwrap();
    assert!(sg.contains("cidr_blocks = [\"10.40.0.0/16\"]"), "{sg}");
    assert!(sg.contains("from_port   = 443"), "{sg}");
    assert_eq!(sg.matches("ingress {").count(), 1, "{sg}");
    assert!(!sg.contains("egress"), "{sg}");
}

#[test]
fn acceptance_off_and_a_single_zone_ingress_are_warnings() {
    let single = REFERENCE
        .replacen("acceptance_required = true", "acceptance_required = false", 1)
        .replacen(
            "  cidr    = \"10.30.0.0/16\"\n  azs     = [\"us-east-1a\", \"us-east-1b\"]\n  subnets = [\"10.30.0.0/24\", \"10.30.1.0/24\"]",
            "  cidr    = \"10.30.0.0/16\"\n  azs     = [\"us-east-1a\"]\n  subnets = [\"10.30.0.0/24\"]",
            1,
        );
    let out = Test::new()
        .blueprint("agent-platform.hcl", &single)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[AF802]"), "{}", out.stderr);
    assert!(
        out.stderr.contains("warning[AF804]") && out.stderr.contains("1 availability zone"),
        "{}",
        out.stderr
    );
    // Consumers with subnets in `us-east-1b` are told that zone is not covered.
    assert!(out.stderr.contains("`us-east-1b`"), "{}", out.stderr);
}

#[test]
fn targeting_aws_5_100_turns_s3_files_into_a_warning_and_a_readme_step() {
    let old = REFERENCE
        .replacen(
            "aws_provider = \"~> 6.69\"",
            "aws_provider = \"5.100.0\"",
            1,
        )
        .replacen("awscc        = true ", "awscc        = false", 1);
    assert_ne!(old, REFERENCE);
    let t = Test::new()
        .blueprint("agent-platform.hcl", &old)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let warning = out
        .stderr
        .lines()
        .find(|l| l.starts_with("warning[AF602]") && l.contains("s3_files `workspace`"))
        .unwrap_or_else(|| panic!("no S3 Files warning in\n{}", out.stderr));
    assert!(warning.contains("research-agent"), "{warning}");
    let storage = std::fs::read_to_string(t.path("generated/agents/storage.tf")).unwrap();
    assert!(!storage.contains("resource \"aws_s3files_"), "{storage}");
    assert!(!storage.contains("resource \"awscc_s3files_"), "{storage}");
    assert!(storage.contains("resource \"aws_s3_bucket\" \"workspace\""));
    let identity = std::fs::read_to_string(t.path("generated/agents/identity.tf")).unwrap();
    assert!(!identity.contains("s3files:ClientMount"), "{identity}");
    let readme = std::fs::read_to_string(t.path("generated/agents/README.md")).unwrap();
    let section = &readme[readme
        .find("### S3 Files workspace `workspace`")
        .expect("a manual step for the workspace")..];
    for step in [
        "Create the file system",
        "Create a mount target",
        "Create access point `research`",
        "`allow \"workspace\"` of iam_role `research-agent`",
    ] {
        assert!(section.contains(step), "`{step}` missing from\n{section}");
    }
}

/// The reference blueprint's line (1-based) that contains `needle`.
fn reference_line(needle: &str) -> usize {
    REFERENCE
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the reference blueprint"))
        + 1
}

#[test]
fn lowering_the_daily_limit_below_the_session_limit_fails_at_its_line() {
    let old = "daily_limit            = \"50.00\"";
    let line = reference_line(old);
    let edited = REFERENCE.replacen(old, "daily_limit            = \"4.00\"", 1);
    let t = Test::new()
        .blueprint("agent-platform.hcl", &edited)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 1, "{}", out.stderr);
    let mut lines = out.stderr.lines();
    lines
        .find(|l| l.starts_with("error[AF901]") && l.contains("daily_limit"))
        .unwrap_or_else(|| panic!("no AF901 in\n{}", out.stderr));
    let at = lines.next().unwrap_or_default();
    assert!(
        at.contains(&format!("blueprints/agent-platform.hcl:{line}:")),
        "{at}"
    );
    assert!(!t.path("generated").exists(), "nothing is written");
}

#[test]
fn an_api_key_pasted_into_the_blueprint_fails_without_being_echoed() {
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents/cdp-AbCdEf";
    let key = "sk_live_51Hx9QzLkT7vBn3MwR8pY2dF";
    let edited = REFERENCE.replacen(arn, key, 1);
    assert_ne!(edited, REFERENCE);
    let out = Test::new()
        .blueprint("agent-platform.hcl", &edited)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("error[AF501]") && l.contains("credential_secret_arn")),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(key),
        "the key is echoed:\n{}",
        out.stderr
    );
    assert!(!out.stdout.contains(key));
    assert!(!out.stderr.contains(&key[8..]), "{}", out.stderr);
}

#[test]
fn the_stack_readme_tells_the_operator_what_to_do_by_hand_for_payments() {
    let t = Test::new()
        .blueprint("agent-platform.hcl", REFERENCE)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let readme = std::fs::read_to_string(t.path("generated/agents/README.md")).unwrap();
    let section = &readme[readme
        .find("### Payment manager `research`")
        .expect("a manual step for the payment manager")..];
    for step in [
        "holds a JSON object with the keys `api_key_secret` and `wallet_secret`",
        "Done before this stack could be generated",
        "Give Terraform variable `research__coinbase_api_key_id`",
        "Coinbase Wallets for AgentCore Payments",
        "Authorize each connector's wallet",
        "aws bedrock-agentcore create-payment-instrument",
        "aws bedrock-agentcore create-payment-session --payment-manager-arn <ARN> --expiry-time-in-minutes 60",
        "\"value\":\"5.00\",\"currency\":\"USD\"",
        "Subscribe the people who watch the budget",
    ] {
        assert!(section.contains(step), "`{step}` missing from\n{section}");
    }
    assert!(readme.contains("## Spending authority"), "{readme}");

    // Without awscc, the payment manager itself becomes a warning and exact CLI steps.
    let edited = REFERENCE.replacen("awscc        = true ", "awscc        = false", 1);
    assert_ne!(edited, REFERENCE);
    let t = Test::new()
        .blueprint("agent-platform.hcl", &edited)
        .args(["generate"]);
    let out = t.run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("warning[AF602]") && l.contains("payment_manager `research`")),
        "{}",
        out.stderr
    );
    let payments = std::fs::read_to_string(t.path("generated/agents/payments.tf")).unwrap();
    assert!(!payments.contains("resource \"awscc_"), "{payments}");
    assert!(!payments.contains("variable \""), "{payments}");
    assert!(payments.contains("resource \"aws_iam_role\" \"research__payments_process\""));
    let readme = std::fs::read_to_string(t.path("generated/agents/README.md")).unwrap();
    for step in [
        "aws bedrock-agentcore-control create-payment-manager --name agentsprodresearch --authorizer-type AWS_IAM",
        "aws bedrock-agentcore-control create-payment-connector",
        "aws bedrock-agentcore-control create-payment-credential-provider",
    ] {
        assert!(readme.contains(step), "`{step}` missing from\n{readme}");
    }
}

/// A blueprint for the deployed-state tests: segments `prod` and `dev`, one VPC each, a blackhole
/// in `dev`. Expected: `vpc.app` → prod (propagated there), `vpc.test` → dev (propagated there).
const DEPLOYED_BLUEPRINT: &str = r#"
platform "p" {
  environment = "dev"
  region      = "eu-west-1"
  account_id  = "210987654321"
}
transit_gateway "hub" {
  segment "prod" {}
  segment "dev" {}
  route "corp" {
    segment     = "dev"
    destination = "192.168.0.0/16"
    blackhole   = true
  }
}
vpc "app" {
  cidr    = "10.0.0.0/16"
  azs     = ["eu-west-1a"]
  subnets = ["10.0.0.0/24"]
  segment = "prod"
}
vpc "test" {
  cidr    = "10.1.0.0/16"
  azs     = ["eu-west-1a"]
  subnets = ["10.1.0.0/24"]
  segment = "dev"
}
"#;

/// Hand-written `terraform show -json` with only the transit gateway routing: `vpc.test` is
/// associated with prod's table and propagated into it, its propagation into dev is gone, and a
/// static default route in prod sends everything to it.
const DRIFTED_STATE: &str = r#"{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_ec2_transit_gateway_route_table.hub_prod", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table", "name": "hub_prod",
   "values": {"id": "tgw-rtb-prod", "tags": {"agentform:component": "transit_gateway.hub.segment.prod"}}},
  {"address": "aws_ec2_transit_gateway_route_table.hub_dev", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table", "name": "hub_dev",
   "values": {"id": "tgw-rtb-dev", "tags": {"agentform:component": "transit_gateway.hub.segment.dev"}}},
  {"address": "aws_ec2_transit_gateway_vpc_attachment.app", "mode": "managed",
   "type": "aws_ec2_transit_gateway_vpc_attachment", "name": "app",
   "values": {"id": "tgw-attach-app", "vpc_id": "vpc-app", "tags": {"agentform:component": "vpc.app"}}},
  {"address": "aws_ec2_transit_gateway_vpc_attachment.test", "mode": "managed",
   "type": "aws_ec2_transit_gateway_vpc_attachment", "name": "test",
   "values": {"id": "tgw-attach-test", "vpc_id": "vpc-test", "tags": {"agentform:component": "vpc.test"}}},
  {"address": "aws_ec2_transit_gateway_route_table_association.vpc_app", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table_association", "name": "vpc_app",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-prod", "transit_gateway_attachment_id": "tgw-attach-app"}},
  {"address": "aws_ec2_transit_gateway_route_table_association.vpc_test", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table_association", "name": "vpc_test",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-prod", "transit_gateway_attachment_id": "tgw-attach-test"}},
  {"address": "aws_ec2_transit_gateway_route_table_propagation.hub_prod__vpc_app", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table_propagation", "name": "hub_prod__vpc_app",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-prod", "transit_gateway_attachment_id": "tgw-attach-app"}},
  {"address": "aws_ec2_transit_gateway_route_table_propagation.extra", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route_table_propagation", "name": "extra",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-prod", "transit_gateway_attachment_id": "tgw-attach-test"}},
  {"address": "aws_ec2_transit_gateway_route.hub_corp", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route", "name": "hub_corp",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-dev", "destination_cidr_block": "192.168.0.0/16",
              "blackhole": true, "transit_gateway_attachment_id": ""}},
  {"address": "aws_ec2_transit_gateway_route.extra", "mode": "managed",
   "type": "aws_ec2_transit_gateway_route", "name": "extra",
   "values": {"transit_gateway_route_table_id": "tgw-rtb-prod", "destination_cidr_block": "0.0.0.0/0",
              "blackhole": false, "transit_gateway_attachment_id": "tgw-attach-test"}}
]}}}"#;

#[test]
fn propagation_from_state_reports_leaks_failures_and_associations() {
    let out = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file("state.json", DRIFTED_STATE.as_bytes())
        .args(["propagation", "blueprints/p.hcl", "--state", "state.json"])
        .run();
    assert_eq!(out.status, 2, "{}{}", out.stdout, out.stderr);
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        "2 leaks, 1 failed propagation, 1 wrong association, 0 missing routes; 3 segment pairs reach differently"
    );
    for expected in [
        "leak: segment `hub/prod` leaked: it receives the routes of `vpc.test` (tgw-attach-test) (segment `hub/dev`) through a propagation in tgw-rtb-prod",
        "leak: segment `hub/prod` in tgw-rtb-prod has a static route 0.0.0.0/0 to `vpc.test` (tgw-attach-test)",
        "failed propagation: propagation of `vpc.test` (tgw-attach-test) into segment `hub/dev` in tgw-rtb-dev is missing",
        "wrong association: `vpc.test` (tgw-attach-test) is associated with `hub/prod` in tgw-rtb-prod; the blueprint associates it with segment `hub/dev`",
        "  hub/prod -> hub/prod: no pairs -> full",
        "  hub/prod -> hub/dev: none -> no pairs",
        "note: state holds only what Terraform manages",
    ] {
        assert!(
            out.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn propagation_from_the_aws_layout_sees_states_and_unknown_attachments() {
    let table = |id: &str, component: &str, platform: &str| {
        format!(
            r#"{{"TransitGatewayRouteTableId": "{id}", "Tags": [{{"Key": "agentform:component", "Value": "{component}"}}, {{"Key": "agentform:platform", "Value": "{platform}"}}]}}"#
        )
    };
    let attachments = r#"{"TransitGatewayAttachments": [
      {"TransitGatewayAttachmentId": "tgw-attach-app", "ResourceType": "vpc", "ResourceId": "vpc-app", "State": "available",
       "Tags": [{"Key": "agentform:component", "Value": "vpc.app"}]},
      {"TransitGatewayAttachmentId": "tgw-attach-test", "ResourceType": "vpc", "ResourceId": "vpc-test", "State": "available",
       "Tags": [{"Key": "agentform:component", "Value": "vpc.test"}]},
      {"TransitGatewayAttachmentId": "tgw-attach-stray", "ResourceType": "vpc", "ResourceId": "vpc-stray", "State": "available"}]}"#;
    let tables = format!(
        r#"{{"TransitGatewayRouteTables": [{}, {}, {}]}}"#,
        table("tgw-rtb-prod", "transit_gateway.hub.segment.prod", "p"),
        table("tgw-rtb-dev", "transit_gateway.hub.segment.dev", "p"),
        table("tgw-rtb-other", "transit_gateway.hub.segment.prod", "other"),
    );
    let associations = |attachment: &str| {
        format!(
            r#"{{"Associations": [{{"TransitGatewayAttachmentId": "{attachment}", "State": "associated"}}]}}"#
        )
    };
    let propagations = |links: &[(&str, &str)]| {
        let items: Vec<String> = links
            .iter()
            .map(|(a, s)| format!(r#"{{"TransitGatewayAttachmentId": "{a}", "State": "{s}"}}"#))
            .collect();
        format!(
            r#"{{"TransitGatewayRouteTablePropagations": [{}]}}"#,
            items.join(",")
        )
    };
    let no_routes = r#"{"Routes": [], "AdditionalRoutesAvailable": false}"#;
    let blackhole = r#"{"Routes": [{"DestinationCidrBlock": "192.168.0.0/16", "Type": "static", "State": "blackhole"}]}"#;
    let out = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file(
            "aws/transit-gateway-attachments.json",
            attachments.as_bytes(),
        )
        .file("aws/transit-gateway-route-tables.json", tables.as_bytes())
        .file(
            "aws/route-tables/tgw-rtb-prod/associations.json",
            associations("tgw-attach-app").as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-prod/propagations.json",
            propagations(&[
                ("tgw-attach-app", "enabled"),
                ("tgw-attach-stray", "enabled"),
            ])
            .as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-prod/routes.json",
            no_routes.as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-dev/associations.json",
            associations("tgw-attach-test").as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-dev/propagations.json",
            propagations(&[("tgw-attach-test", "disabled")]).as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-dev/routes.json",
            blackhole.as_bytes(),
        )
        // Another platform's table (its `agentform:platform` tag says so) is not judged.
        .file(
            "aws/route-tables/tgw-rtb-other/associations.json",
            associations("tgw-attach-app").as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-other/propagations.json",
            propagations(&[("tgw-attach-test", "enabled")]).as_bytes(),
        )
        .file(
            "aws/route-tables/tgw-rtb-other/routes.json",
            no_routes.as_bytes(),
        )
        .args([
            "propagation",
            "blueprints/p.hcl",
            "--aws",
            "aws",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(out.status, 2, "{}{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["command"], "propagation");
    assert_eq!(report["source"], "aws");
    assert_eq!(
        report["summary"],
        "1 leak, 1 failed propagation, 0 wrong associations, 0 missing routes; 0 segment pairs reach differently"
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings[0]["kind"], "leak");
    assert_eq!(findings[0]["attachment_id"], "tgw-attach-stray");
    assert_eq!(findings[1]["kind"], "failed_propagation");
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("is `disabled`, not `enabled`"),
        "{findings:?}"
    );
    // The stray attachment has no space of this blueprint behind it; `vpc.test` has no peer in
    // `dev`: no segment pair reaches differently.
    assert_eq!(report["reachability_changes"], serde_json::json!([]));
    // A missing file of the layout is an error, not a clean report.
    let out = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file(
            "aws/transit-gateway-attachments.json",
            attachments.as_bytes(),
        )
        .args(["propagation", "blueprints/p.hcl", "--aws", "aws"])
        .run();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("transit-gateway-route-tables.json"),
        "{}",
        out.stderr
    );
}

#[test]
fn drift_reports_every_resource_of_an_empty_state_as_missing() {
    let test = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file("empty.json", br#"{"format_version": "1.0"}"#);
    let out = test
        .args([
            "drift",
            "blueprints/p.hcl",
            "--state",
            "empty.json",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["kind"] == "missing"));
    assert!(findings.iter().any(|f| f["address"] == "aws_vpc.app"));
    assert_eq!(
        report["summary"],
        format!(
            "{} missing resources, 0 unexpected resources, 0 drifted attributes",
            findings.len()
        )
    );
}

#[test]
fn drift_and_propagation_input_errors_exit_1() {
    for args in [
        &["drift", "blueprints/p.hcl", "--state", "garbage.json"][..],
        &["drift", "blueprints/p.hcl", "--plan", "state.json"],
        &["drift", "blueprints/p.hcl", "--state", "absent.json"],
        &["drift", "blueprints/p.hcl"],
        &[
            "drift",
            "blueprints/p.hcl",
            "--state",
            "state.json",
            "--plan",
            "state.json",
        ],
        &[
            "propagation",
            "blueprints/p.hcl",
            "--state",
            "state.json",
            "--aws",
            ".",
        ],
        &["propagation", "blueprints", "--state", "state.json"],
    ] {
        let out = Test::new()
            .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
            .file("state.json", DRIFTED_STATE.as_bytes())
            .file("garbage.json", b"not json")
            .args(args)
            .run();
        assert_eq!(out.status, 1, "{args:?}: {}{}", out.stdout, out.stderr);
    }
}

/// A payment manager in a region where AgentCore payments is not documented: a warning (AF906)
/// at the manager's name, so `validate` passes unless warnings are denied.
#[test]
fn payments_in_an_undocumented_region_warn() {
    const BLUEPRINT: &str = r#"platform "agents" {
  environment = "prod"
  region      = "eu-west-1"
  account_id  = "123456789012"
  awscc       = true
}

iam_role "research-agent" {
  service {
    principal = "bedrock-agentcore.amazonaws.com"
  }
}

payment_manager "research" {
  authorizer = "aws_iam"
  agents     = ["research-agent"]
  admin_principals   = ["arn:aws:iam::123456789012:role/payments-admin"]
  session_principals = ["arn:aws:iam::123456789012:role/payments-sessions"]
  payment_principals = ["arn:aws:iam::123456789012:role/payments-mediator"]
  connector "coinbase" {
    provider               = "coinbase_cdp"
    credential_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:agents/cdp-AbCdEf"
    marketplace_subscribed = true
  }
  guardrails {
    currency               = "USD"
    daily_limit            = "50.00"
    session_limit          = "5.00"
    payment_limit          = "0.25"
    max_payments_per_day   = 500
    session_expiry_minutes = 60
    alert_at_percent       = [50, 75, 90]
    allowed_merchants      = ["api.market-data.example.com"]
    burst {
      window_minutes = 10
      max_payments   = 60
    }
  }
  ledger {
    retention_days = 2555
  }
}
"#;
    let out = Test::new()
        .blueprint("payments.hcl", BLUEPRINT)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let mut lines = out
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("warning[AF906]"));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no AF906 in\n{}", out.stderr));
    assert!(
        header.contains("region `eu-west-1`") && header.contains("payment_manager `research`"),
        "{header}"
    );
    let at = lines.next().unwrap_or_default();
    assert!(at.contains("--> blueprints/payments.hcl:14:"), "{at}");
    assert!(!out.stderr.contains("error["), "{}", out.stderr);
    let denied = Test::new()
        .blueprint("payments.hcl", BLUEPRINT)
        .args(["validate", "--deny-warnings"])
        .run();
    assert_eq!(denied.status, 1, "{}", denied.stderr);
    assert!(
        denied.stderr.contains("warning[AF906]"),
        "{}",
        denied.stderr
    );
}

/// A role whose service its VPC serves neither by an endpoint nor by egress: a warning (AF330) at
/// the action, naming the role, the action and the VPC; listing the service silences it, and a
/// derived list (no `endpoints`) never leaves it out.
#[test]
fn a_role_with_no_path_to_its_service_warns() {
    let fixture = common::repo().join("tests/fixtures/valid/endpoints-explicit.hcl");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let out = Test::new()
        .blueprint("explicit.hcl", &text)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let mut lines = out
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("warning[AF330]"));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no AF330 in\n{}", out.stderr));
    for part in [
        "iam_role `summarizer`",
        "`bedrock:InvokeModel`",
        "vpc `agents`",
        "`bedrock-runtime`",
    ] {
        assert!(header.contains(part), "`{part}` not in {header}");
    }
    let at = lines.next().unwrap_or_default();
    assert!(at.contains("--> blueprints/explicit.hcl:38:16"), "{at}");
    assert_eq!(out.stderr.matches("warning[").count(), 1, "{}", out.stderr);
    let denied = Test::new()
        .blueprint("explicit.hcl", &text)
        .args(["validate", "--deny-warnings"])
        .run();
    assert_eq!(denied.status, 1, "{}", denied.stderr);
    for fixed in [
        text.replace(
            r#"["sts", "bedrock-agentcore.gateway"]"#,
            r#"["sts", "bedrock-runtime"]"#,
        ),
        text.replace(r#"  endpoints = ["sts", "bedrock-agentcore.gateway"]"#, ""),
    ] {
        assert_ne!(fixed, text);
        let out = Test::new()
            .blueprint("explicit.hcl", &fixed)
            .args(["validate", "--deny-warnings"])
            .run();
        assert_eq!(out.status, 0, "{}", out.stderr);
    }
}

// Larger groups of CLI tests live beside this file and share its builder and fixtures.
#[path = "cli/across_accounts.rs"]
mod across_accounts;
#[path = "cli/accounts.rs"]
mod accounts;
#[path = "cli/deployed.rs"]
mod deployed;
#[path = "cli/interrupted.rs"]
mod interrupted;
#[path = "cli/pipes.rs"]
mod pipes;
#[path = "cli/sarif.rs"]
mod sarif;
#[path = "cli/terminal.rs"]
mod terminal;

/// The deployed VPC route tables are read from state: a stack of isolated tenants whose derived
/// blackhole for `vpc.tenant-blue` is gone is hairpinned through `vpc.egress` exactly when the egress
/// VPC's deployed route table sends blue's range back to the gateway, by an `aws_route` or by a
/// route made outside Terraform that a refresh recorded in the `aws_route_table`.
#[test]
fn propagation_follows_the_deployed_vpc_route_tables_into_a_hairpin() {
    let blueprint = "tests/fixtures/valid/egress-isolated-tenants.hcl";
    let clean = Test::in_repo().args(["synth-state", blueprint]).run();
    clean.assert_success();
    let state: serde_json::Value = clean.json();
    let without = |state: &serde_json::Value, addresses: &[&str]| {
        let mut state = state.clone();
        let resources = state["values"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap();
        resources.retain(|r| !addresses.contains(&r["address"].as_str().unwrap()));
        state
    };
    let run = |state: &serde_json::Value| {
        Test::new()
            .file("state.json", state.to_string().as_bytes())
            .args([
                "propagation",
                &repo().join(blueprint).display().to_string(),
                "--state",
                "state.json",
            ])
            .run()
    };
    let hairpin = "path: `vpc.tenant-red` → `core/tenants` (route `0.0.0.0/0`) → `vpc.egress` (its route `10.112.0.0/16` → tgw) → `core/egress` → `vpc.tenant-blue` `10.112.0.0/16`";

    // The clean apply: nothing to report.
    run(&state).assert_success();

    // The blackhole is gone and the egress VPC sends blue's range back: the tenants meet.
    let open = without(
        &state,
        &["aws_ec2_transit_gateway_route.core_tenants_hairpin_10_112_0_0_16"],
    );
    let out = run(&open);
    out.assert_status(2);
    assert!(
        out.stdout
            .contains("core/tenants -> core/tenants: none -> one-way"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(hairpin), "{}", out.stdout);

    // The egress VPC's routes back to blue are gone too (its workload subnets' table and the
    // public subnets' table, where the NAT gateways forward what the attachment subnets hand
    // them): the hairpin is closed (and blue's replies from the egress VPC with it).
    let closed = without(
        &open,
        &[
            "aws_route.egress_to_10_112_0_0_16",
            "aws_route.egress_public_to_10_112_0_0_16",
        ],
    );
    let out = run(&closed);
    out.assert_status(2);
    assert!(
        !out.stdout.contains("core/tenants -> core/tenants"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("core/egress -> core/tenants: full -> partial"),
        "{}",
        out.stdout
    );

    // A route to blue made outside Terraform in the egress VPC's table, recorded by a refresh:
    // the hairpin is open again, and reported with its path.
    let mut refreshed = closed.clone();
    for r in refreshed["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
    {
        if r["address"] == "aws_route_table.egress" {
            r["values"]["route"] = serde_json::json!([
                {"cidr_block": "10.112.0.0/16", "transit_gateway_id": "tgw-00000000000000000"}
            ]);
        }
    }
    let out = run(&refreshed);
    out.assert_status(2);
    assert!(out.stdout.contains(hairpin), "{}", out.stdout);
}

/// AWS's centralized egress with isolated spokes, as an architect tries it: with the derived
/// blackholes (the default) the tenants' table drops the other tenants' ranges and `reach` shows
/// them apart; with `derive_blackholes = false`, `validate` names the route, the egress VPC and a
/// tenant pair, and `reach` exits 2 showing the path through the egress VPC.
#[test]
fn isolated_tenants_behind_a_shared_egress_vpc_stay_apart_by_derived_blackholes() {
    let derived = Test::in_repo()
        .args([
            "reach",
            "tests/fixtures/valid/egress-isolated-tenants.hcl",
            "--format",
            "json",
        ])
        .run();
    derived.assert_success();
    let report = derived.json();
    let tenants = report["blueprints"][0]["transit_gateways"][0]["segment_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == "tenants" && c["to"] == "tenants")
        .expect("tenant cell");
    assert_eq!(tenants["status"], "blocked", "{tenants}");
    let generate = Test::new().args([
        "generate",
        &repo()
            .join("tests/fixtures/valid/egress-isolated-tenants.hcl")
            .display()
            .to_string(),
        "--out",
        "out",
    ]);
    generate.run().assert_success();
    let network = std::fs::read_to_string(generate.path("out/tenancy/network.tf")).unwrap();
    for prefix in ["10.110.0.0/15", "10.112.0.0/16"] {
        assert!(
            network.contains(&format!(
                "destination_cidr_block         = \"{prefix}\"\n  blackhole                      = true"
            )),
            "no derived blackhole for {prefix}:\n{network}"
        );
    }

    let off = "tests/fixtures/invalid/hairpin-isolated-tenants.hcl";
    let validate = Test::in_repo().args(["validate", off]).run();
    validate.assert_status(1);
    for part in [
        "AF310",
        "route `tenants-default`",
        "`vpc.egress`",
        "`vpc.tenant-red`",
    ] {
        assert!(
            validate.stderr.contains(part),
            "{part} in {}",
            validate.stderr
        );
    }
    let reach = Test::in_repo().args(["reach", off]).run();
    reach.assert_status(2);
    assert!(
        reach.stdout.contains(
            "via `tenants` table (route `tenants-default`) → `vpc.egress` (its route `10.110.0.0/15` → tgw)"
        ),
        "{}",
        reach.stdout
    );
    let json = Test::in_repo()
        .args(["reach", off, "--format", "json"])
        .run();
    assert!(
        json.stdout.contains("\"through\": \"vpc.egress\""),
        "{}",
        json.stdout
    );
}

#[test]
fn a_name_declared_twice_is_one_diagnostic_that_names_the_references_left_unresolved() {
    let copied = REFERENCE.replacen("vpc \"tenant-b\"", "vpc \"tenant-a\"", 1);
    assert_ne!(copied, REFERENCE);
    let out = Test::new()
        .blueprint("agent-platform.hcl", &copied)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_eq!(out.stderr.matches("error[").count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error[AF203]: vpc `tenant-a` is declared twice"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("first declared here"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("referenced but declared nowhere (`tenant-b`)"),
        "{}",
        out.stderr
    );
}

#[test]
fn paths_outside_the_working_directory_keep_their_folders_everywhere() {
    let broken = REFERENCE.replacen("segment = \"agents\"", "segment = \"agnets\"", 1);
    let t = Test::new()
        .blueprint("old.hcl", REFERENCE)
        .blueprint("new.hcl", &broken.replace("agnets", "agents"))
        .blueprint("broken.hcl", &broken)
        .file("sub/.keep", b"");
    let out = Test::in_dir(t.path("sub"))
        .args(["validate", "../blueprints/broken.hcl"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("--> ../blueprints/broken.hcl:"),
        "{}",
        out.stderr
    );
    // `diff` names both sides the same way, whichever form each path was given in.
    let new = t.path("blueprints/new.hcl");
    let out = Test::in_dir(t.path("sub"))
        .args(["diff", "../blueprints/old.hcl", new.to_str().unwrap()])
        .run();
    assert!(
        out.stdout
            .starts_with("### agentform diff: `../blueprints/old.hcl` → `../blueprints/new.hcl`"),
        "{}",
        out.stdout
    );
}

/// The managed AWS MCP Server's own actions authorize nothing any more: granting one is a warning
/// (AF704) at the action, never a write on `*` (AF702).
#[test]
fn aws_mcp_actions_warn_as_having_no_effect() {
    const BLUEPRINT: &str = r#"platform "agents" {
  environment = "prod"
  region      = "us-east-1"
  account_id  = "123456789012"
}

iam_role "operator" {
  service {
    principal = "bedrock-agentcore.amazonaws.com"
  }
  allow "mcp" {
    actions = ["aws-mcp:CallReadWriteTool"]
    on      = ["*"]
  }
}
"#;
    let out = Test::new()
        .blueprint("mcp.hcl", BLUEPRINT)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[AF704]"), "{}", out.stderr);
    assert!(out.stderr.contains("mcp.hcl:12:16"), "{}", out.stderr);
    assert!(!out.stderr.contains("AF702"), "{}", out.stderr);
}

/// `agentform access` on the reference blueprint: every payment flow as intended (exit 0), the
/// agent denied `ProcessPayment` directly and through the AWS MCP Server, one snapshot of the
/// table; JSON for tools; a blueprint that cannot be planned exits 1. The answers are checked
/// against an independent IAM evaluator in `tests/access.rs`.
#[test]
fn access_shows_every_payment_flow_intended_against_actual() {
    let out = Test::in_repo()
        .args(["access", "blueprints/agent-platform.hcl"])
        .run();
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("DIFFERS"), "{}", out.stdout);
    for via in ["direct", "AWS MCP Server"] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.contains("iam_role research-agent")
                    && l.contains("bedrock-agentcore:ProcessPayment")
                    && l.contains(via)
                    && l.contains("deny (explicit)")),
            "{}",
            out.stdout
        );
    }
    insta::assert_snapshot!("access@agent-platform", out.stdout);
    let json = Test::in_repo()
        .args([
            "access",
            "blueprints/agent-platform.hcl",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(json.status, 0, "{}", json.stderr);
    let rows = &json.json()["blueprints"][0]["managers"][0]["rows"];
    assert!(rows.as_array().is_some_and(|r| r.len() > 20), "{rows}");
    let invalid = Test::in_repo()
        .args([
            "access",
            "tests/fixtures/invalid/payments-one-principal-both-duties.hcl",
        ])
        .run();
    assert_eq!(invalid.status, 1, "{}", invalid.stderr);
    assert!(invalid.stderr.contains("AF908"), "{}", invalid.stderr);
}

/// A segment whose internet traffic crosses a firewall that allows it no domain can reach nothing:
/// a warning at the segment naming the firewall's VPC; the same segment with one allowed domain is
/// quiet, and the stack's allow-list holds exactly that domain.
#[test]
fn a_segment_behind_a_firewall_without_domains_is_a_warning() {
    let egress = std::fs::read_to_string(repo().join("tests/fixtures/valid/egress.hcl")).unwrap();
    let firewalled = egress.replacen(
        "  internet_egress {}",
        "  firewall {}\n  internet_egress {}",
        1,
    );
    let out = Test::new()
        .blueprint("egress.hcl", &firewalled)
        .args(["validate"])
        .run();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning[AF318]")
            && out.stderr.contains(
                "segment `workloads` reaches the internet through the firewall of vpc `egress`, which allows it no domain"
            ),
        "{}",
        out.stderr
    );
    let allowed = firewalled.replacen(
        "segment \"workloads\" { connects_to = [\"egress\"] }",
        "segment \"workloads\" {\n    connects_to     = [\"egress\"]\n    allowed_domains = [\"api.example.com\"]\n  }",
        1,
    );
    let t = Test::new()
        .blueprint("egress.hcl", &allowed)
        .args(["generate"]);
    let out = t.run();
    out.assert_success();
    assert!(!out.stderr.contains("AF318"), "{}", out.stderr);
    let network = std::fs::read_to_string(t.path("generated/egress/network.tf")).unwrap();
    assert!(
        network.contains("targets              = [\"api.example.com\"]"),
        "{network}"
    );
}

/// A dedicated audit trail takes at most 500 selector values (CloudTrail's quota): one for
/// management events, two per data event selector and one per ARN. 497 workspace buckets fill it
/// exactly; 498 are refused at the `audit_trail` line before anything is written.
#[test]
fn audit_trail_selectors_stay_within_cloudtrails_quota() {
    let blueprint = |workspaces: usize| {
        let mut text = String::from(
            "platform \"lab\" {\n  environment = \"dev\"\n  region      = \"us-west-2\"\n  account_id  = \"345678901234\"\n}\n\n\
             transit_gateway \"core\" {\n  segment \"work\" {}\n}\n\n\
             vpc \"work\" {\n  cidr    = \"10.90.0.0/16\"\n  azs     = [\"us-west-2a\"]\n  subnets = [\"10.90.0.0/24\"]\n  segment = \"work\"\n}\n\n\
             iam_role \"worker\" {\n  service {\n    principal = \"bedrock-agentcore.amazonaws.com\"\n  }\n}\n\n\
             audit_trail \"trail\" {}\n",
        );
        for i in 0..workspaces {
            text.push_str(&format!(
                "\ns3_files \"w{i}\" {{\n  bucket = \"lab-dev-w{i}\"\n  vpc    = \"work\"\n  access_point \"a\" {{\n    uid            = 1001\n    gid            = 1001\n    root_directory = \"/a\"\n    roles          = [\"worker\"]\n  }}\n}}\n"
            ));
        }
        text
    };
    let line = blueprint(0)
        .lines()
        .position(|l| l.starts_with("audit_trail"))
        .unwrap()
        + 1;
    Test::new()
        .file("lab.hcl", blueprint(497).as_bytes())
        .args(["validate", "lab.hcl"])
        .run()
        .assert_status(0);
    let out = Test::new()
        .file("lab.hcl", blueprint(498).as_bytes())
        .args(["validate", "lab.hcl"])
        .run();
    out.assert_status(1);
    assert!(
        out.stderr.contains(
            "error[AF914]: the event selectors of audit_trail `trail` would hold 501 values"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("--> lab.hcl:{line}:13")),
        "{}",
        out.stderr
    );
}

/// A role whose VPC lists no `sts` endpoint reaches STS over the internet through the egress
/// firewall: the segment's allow-list gains `sts.REGION.amazonaws.com` with the role as the reason,
/// and no `AF330` is reported. Without the egress route the same role is `AF330`.
#[test]
fn a_service_without_an_endpoint_is_allowed_through_the_egress_firewall() {
    let egress = std::fs::read_to_string(repo().join("tests/fixtures/valid/egress.hcl")).unwrap();
    let blueprint = egress
        .replacen(
            "  internet_egress {}",
            "  firewall {}\n  internet_egress {}",
            1,
        )
        .replacen(
            "  segment = \"workloads\"\n}",
            "  segment = \"workloads\"\n  endpoints = []\n}",
            1,
        )
        + "\niam_role \"api\" {\n  runs_in = [\"api\"]\n  irsa {\n    oidc_provider_arn = \"arn:aws:iam::222233334444:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E\"\n    namespace         = \"api\"\n    service_account   = \"api\"\n  }\n}\n";
    let t = Test::new()
        .blueprint("egress.hcl", &blueprint)
        .args(["generate"]);
    let out = t.run();
    out.assert_success();
    assert!(!out.stderr.contains("AF330"), "{}", out.stderr);
    let network = std::fs::read_to_string(t.path("generated/egress/network.tf")).unwrap();
    assert!(
        network.contains("targets              = [\"sts.eu-west-1.amazonaws.com\"]"),
        "{network}"
    );
    let readme = std::fs::read_to_string(t.path("generated/egress/README.md")).unwrap();
    assert!(
        readme.contains("| `sts.eu-west-1.amazonaws.com` | role `api` needs `sts`"),
        "{readme}"
    );

    let unrouted = blueprint.replacen(
        "    target      = \"vpc.egress\"",
        "    blackhole   = true",
        1,
    );
    let out = Test::new()
        .blueprint("egress.hcl", &unrouted)
        .args(["validate"])
        .run();
    assert!(
        out.stderr.contains("warning[AF330]") && out.stderr.contains("iam_role `api` needs `sts`"),
        "{}",
        out.stderr
    );
}
