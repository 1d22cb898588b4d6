//! `agentform diff` through the binary: one case per directory of `tests/fixtures/diff/` (an
//! `old.hcl` and a `new.hcl`, snapshotted as markdown and JSON), the headline a reviewer reads
//! first, replacement, `--git`, errors, and the size bound of a pull-request comment.

mod common;

use common::{Output, Test, repo};
use std::path::Path;
use std::process::Command;

fn case(name: &str, format: &str) -> Output {
    let old = format!("tests/fixtures/diff/{name}/old.hcl");
    let new = format!("tests/fixtures/diff/{name}/new.hcl");
    Test::in_repo()
        .args(["diff", &old, &new, "--format", format])
        .run()
}

#[test]
fn every_case_as_markdown_and_json() {
    insta::glob!("fixtures/diff/*/old.hcl", |path| {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let markdown = case(name, "markdown");
        let expected = if name == "unchanged" { 0 } else { 2 };
        assert_eq!(markdown.status, expected, "{name}: {}", markdown.stderr);
        insta::assert_snapshot!("markdown", markdown.stdout);
        let json_output = case(name, "json");
        assert_eq!(json_output.status, expected, "{name}");
        insta::assert_snapshot!("json", json_output.stdout);
    });
}

/// The done-when of the issue: a pull request that joins `dev` to `agents` says so in its first
/// lines.
#[test]
fn joining_dev_to_agents_is_the_first_thing_said() {
    let out = case("joined", "markdown");
    assert_eq!(out.status, 2);
    let first: Vec<&str> = out.stdout.lines().take(3).collect();
    assert!(
        first
            .iter()
            .any(|l| l.contains("1 segment pair gains reachability: `agents` ↔ `dev`")),
        "first lines: {first:#?}"
    );
    let report = case("joined", "json").json();
    let change = &report["reachability"][0];
    assert_eq!(change["change"], "gained");
    assert_eq!(change["segments"], serde_json::json!(["agents", "dev"]));
    assert_eq!(change["intended"], true);
    assert!(
        report["summary"][0]
            .as_str()
            .unwrap()
            .contains("gains reachability")
    );
}

#[test]
fn a_vpc_renumbered_is_replaced_with_what_hangs_on_it() {
    let report = case("renumbered", "json").json();
    let replaced = report["resources"]["replaced"].as_array().unwrap();
    let find = |address: &str| {
        replaced
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} not replaced: {replaced:#?}"))
    };
    assert_eq!(
        find("aws_vpc.dev")["arguments"],
        serde_json::json!(["cidr_block"])
    );
    assert_eq!(
        find("aws_ec2_transit_gateway_vpc_attachment.dev")["because_of"],
        serde_json::json!(["aws_vpc.dev"])
    );
    // The other VPCs stay.
    assert!(replaced.iter().all(|r| r["address"] != "aws_vpc.agents"));
    assert!(report["reachability"].as_array().unwrap().is_empty());
}

#[test]
fn a_direct_connect_gateway_asn_change_is_a_replacement() {
    let report = case("dx-asn", "json").json();
    let replaced = report["resources"]["replaced"].as_array().unwrap();
    assert!(
        replaced.iter().any(|r| r["address"] == "aws_dx_gateway.gcp"
            && r["arguments"] == serde_json::json!(["amazon_side_asn"])),
        "{replaced:#?}"
    );
    let markdown = case("dx-asn", "markdown").stdout;
    assert!(markdown.contains("will be **replaced**"), "{markdown}");
}

#[test]
fn spending_authority_is_raised_and_lowered_exactly() {
    let report = case("spending", "json").json();
    let checkout = &report["payments"][0];
    assert_eq!(checkout["payment_manager"], "checkout");
    let limits = checkout["limits"].as_array().unwrap();
    let direction = |name: &str| {
        limits
            .iter()
            .find(|l| l["limit"] == name)
            .map(|l| l["direction"].as_str().unwrap().to_string())
    };
    assert_eq!(direction("daily_limit").as_deref(), Some("raised"));
    assert_eq!(direction("payment_limit").as_deref(), Some("lowered"));
    // 60 payments per 10 minutes is a lower rate than 60 per 5.
    assert_eq!(direction("burst").as_deref(), Some("lowered"));
    assert_eq!(direction("session_limit"), None);
    assert_eq!(
        report["iam"][0]["actions_added"],
        serde_json::json!(["bedrock-agentcore:GetPaymentConnector"])
    );
}

/// A burst alarm's window is the `period` of its Metrics Insights query: widening the window shows
/// as that nested argument of the alarm, not only as its description.
#[test]
fn a_burst_window_change_names_the_alarm_period() {
    let report = case("burst-window", "json").json();
    let updated = report["resources"]["updated"].as_array().unwrap();
    let burst = updated
        .iter()
        .find(|u| u["address"] == "aws_cloudwatch_metric_alarm.checkout__burst")
        .unwrap_or_else(|| panic!("the burst alarm is updated: {updated:#?}"));
    let arguments = burst["arguments"].as_array().unwrap();
    assert!(
        arguments.contains(&serde_json::json!("metric_query.period")),
        "{arguments:?}"
    );
    let markdown = case("burst-window", "markdown").stdout;
    assert!(markdown.contains("metric_query.period"), "{markdown}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn git_compares_with_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let blueprints = dir.path().join("blueprints");
    std::fs::create_dir_all(&blueprints).unwrap();
    let fixture = |name: &str| repo().join(format!("tests/fixtures/diff/joined/{name}.hcl"));
    git(dir.path(), &["init", "-q"]);
    std::fs::copy(fixture("old"), blueprints.join("lab.hcl")).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "apart"]);
    std::fs::copy(fixture("new"), blueprints.join("lab.hcl")).unwrap();
    git(dir.path(), &["commit", "-qam", "joined"]);

    let out = Test::in_dir(dir.path())
        .args(["diff", "blueprints/lab.hcl", "--git", "HEAD~1"])
        .run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("### agentform diff: `blueprints/lab.hcl@HEAD~1` → `blueprints/lab.hcl`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("gains reachability: `agents` ↔ `dev`"));

    // From a sub-directory, the path is still taken relative to the repository root.
    let out = Test::in_dir(&blueprints)
        .args(["diff", "lab.hcl", "--git", "HEAD"])
        .run();
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);

    // A file the revision does not have.
    std::fs::copy(fixture("new"), blueprints.join("new.hcl")).unwrap();
    let out = Test::in_dir(dir.path())
        .args(["diff", "blueprints/new.hcl", "--git", "HEAD"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("`blueprints/new.hcl` does not exist at git revision `HEAD`"),
        "{}",
        out.stderr
    );
}

#[test]
fn git_outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/diff/joined/old.hcl"),
        dir.path().join("lab.hcl"),
    )
    .unwrap();
    let out = Test::in_dir(dir.path())
        .args(["diff", "lab.hcl", "--git", "main"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("lab.hcl is not in a git repository"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_invalid_side_is_named_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/diff/joined/old.hcl"),
        dir.path().join("old.hcl"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("new.hcl"),
        "vpc \"x\" {\n  cidr = \"nope\"\n}\n",
    )
    .unwrap();
    let out = Test::in_dir(dir.path())
        .args(["diff", "old.hcl", "new.hcl"])
        .run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("error: the new blueprint `new.hcl` is not valid"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("new.hcl:2:"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    // Neither NEW nor --git: a usage error, exit 1.
    let out = Test::in_dir(dir.path()).args(["diff", "old.hcl"]).run();
    assert_eq!(out.status, 1);
}

#[test]
fn a_huge_change_stays_within_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let small = agentform::synth::blueprint(4, 4);
    let large = agentform::synth::blueprint(600, 40);
    std::fs::write(dir.path().join("old.hcl"), small).unwrap();
    std::fs::write(dir.path().join("new.hcl"), large).unwrap();
    let out = Test::in_dir(dir.path())
        .args(["diff", "old.hcl", "new.hcl"])
        .run();
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stdout.chars().count() <= agentform::diff::MARKDOWN_CAP,
        "{} characters",
        out.stdout.chars().count()
    );
    assert!(out.stdout.contains("… and "), "lists are capped");
    let first: Vec<&str> = out.stdout.lines().take(3).collect();
    assert!(
        first.iter().any(|l| l.contains("gain reachability")),
        "{first:#?}"
    );
}
