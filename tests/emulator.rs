//! End to end against a real AWS API emulator: `moto` (pinned, from PyPI) serves EC2, IAM, KMS,
//! CloudWatch Logs and STS on loopback; real Terraform with the real aws 5.100 provider applies the
//! stack generated from `tests/fixtures/emulator/segments.hcl` with the provider's `endpoints`
//! pointed at it (an `*_override.tf` in a scratch copy). Then `drift` and `propagation` must be
//! clean; then three changes are made out of band through the AWS API (a propagation into a segment
//! that must not have it, a deleted blackhole route, a changed tag) and both commands must find
//! exactly those, from `terraform show -json` after a refresh, from a refresh-only saved plan, and
//! from the `--aws DIR` layout collected by `scripts/collect-tgw.sh`. The egress VPC's internet gateway,
//! NAT gateway and attachment subnet are checked through the AWS API. Nothing here is hand-written
//! JSON: every input is what Terraform or the AWS CLI wrote.
//!
//! Needs `terraform`, the provider mirror (as `tests/terraform.rs`), and a Python virtualenv with
//! the pinned `moto[server]` and `awscli`: `AGENTFORM_MOTO_VENV` (CI builds it), else one is created
//! under the target directory with pip. `AGENTFORM_SKIP_TERRAFORM=1` skips it.

mod common;

use common::Test;
use common::moto::{Moto, text, venv};
use common::terraform::{plugin_dir, skip};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const BLUEPRINT: &str = "tests/fixtures/emulator/segments.hcl";

struct World {
    dir: PathBuf,
    config: PathBuf,
    venv: PathBuf,
    endpoint: String,
}

impl World {
    fn terraform(&self, args: &[&str]) -> String {
        let output = Command::new("terraform")
            .args(args)
            .current_dir(&self.dir)
            .env("TF_CLI_CONFIG_FILE", &self.config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("terraform runs");
        assert!(
            output.status.success(),
            "terraform {} failed:\n{}",
            args.join(" "),
            text(&output)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn aws_env(command: &mut Command) {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    }

    /// An out-of-band change through the AWS API.
    fn aws(&self, args: &[&str]) {
        self.aws_json(args);
    }

    /// An AWS API call, its JSON answer (`Null` when it prints nothing).
    fn aws_json(&self, args: &[&str]) -> Value {
        let mut command = Command::new(self.venv.join("bin/aws"));
        command
            .args(["--endpoint-url", &self.endpoint, "--output", "json"])
            .args(args);
        Self::aws_env(&mut command);
        let output = command.output().expect("aws runs");
        assert!(
            output.status.success(),
            "aws {} failed:\n{}",
            args.join(" "),
            text(&output)
        );
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
    }

    /// `scripts/collect-tgw.sh` into a new directory.
    fn collect(&self, name: &str) -> PathBuf {
        let out = self.dir.join(name);
        let mut command = Command::new("bash");
        command
            .arg("scripts/collect-tgw.sh")
            .arg(&out)
            .args(["--endpoint-url", &self.endpoint])
            .env("AWS_CLI", self.venv.join("bin/aws"));
        Self::aws_env(&mut command);
        let output = command.output().expect("collect-tgw.sh runs");
        assert!(
            output.status.success(),
            "collect-tgw.sh failed:\n{}",
            text(&output)
        );
        out
    }

    fn show(&self, name: &str, args: &[&str]) -> PathBuf {
        let path = self.dir.join(name);
        let mut all = vec!["show", "-json"];
        all.extend_from_slice(args);
        std::fs::write(&path, self.terraform(&all)).unwrap();
        path
    }
}

fn json_report(command: &str, input: &[&str]) -> (i32, Value) {
    let mut args = vec![command, BLUEPRINT];
    args.extend_from_slice(input);
    args.extend_from_slice(&["--format", "json"]);
    let out = Test::in_repo().args(&args).run();
    (out.status, out.json())
}

/// Drift findings as (kind, address, attribute).
fn drift_findings(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["address"].as_str().unwrap().to_string(),
                f["attribute"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Propagation findings as (kind, segment, attachment, destination).
fn propagation_findings(report: &Value) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["segment"].as_str().unwrap().to_string(),
                f["attachment"].as_str().unwrap_or("").to_string(),
                f["destination"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn resource_id(state: &Path, address: &str) -> String {
    let state: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .and_then(|r| r["values"]["id"].as_str())
        .unwrap_or_else(|| panic!("{address} is not in state"))
        .to_string()
}

fn plan_is_empty(plan_output: &str) -> bool {
    plan_output.contains("No changes.")
        || plan_output.contains("Plan: 0 to add, 0 to change, 0 to destroy.")
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, told in order
fn drift_and_propagation_find_exactly_the_out_of_band_changes() {
    if skip() {
        return;
    }
    if common::skipped("emulator") {
        common::record_skip(
            "emulator",
            "moto and the AWS CLI (the emulated AWS account)",
        );
        return;
    }
    let venv = venv();
    let scratch = tempfile::tempdir().unwrap();
    let moto = Moto::start(&venv, &scratch.path().join("moto.log"));

    // The generated stack, untouched, plus the test's override: emulator endpoints, fake keys.
    let out = scratch.path().join("generated");
    let generate = Test::in_repo()
        .args(["generate", BLUEPRINT, "--out", out.to_str().unwrap()])
        .run();
    assert_eq!(generate.status, 0);
    let dir = out.join("emu");
    let endpoint = &moto.endpoint;
    std::fs::write(
        dir.join("emulator_override.tf"),
        format!(
            r#"# Written by tests/emulator.rs: every API call goes to moto on loopback.
provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  allowed_account_ids         = null
  endpoints {{
    ec2  = "{endpoint}"
    iam  = "{endpoint}"
    kms  = "{endpoint}"
    logs = "{endpoint}"
    sts  = "{endpoint}"
  }}
}}
"#
        ),
    )
    .unwrap();
    let config = scratch.path().join("terraform.rc");
    std::fs::write(&config, "# providers come from -plugin-dir\n").unwrap();
    let world = World {
        dir,
        config,
        venv,
        endpoint: endpoint.clone(),
    };
    let plugin_dir = format!("-plugin-dir={}", plugin_dir().display());
    world.terraform(&["init", "-input=false", "-no-color", &plugin_dir]);
    // One apply converges (`moto_server.py` keeps the tags of a new transit gateway attachment,
    // which moto 5.2.5 drops).
    world.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let plan = world.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan_is_empty(&plan),
        "the applied stack is not converged:\n{plan}"
    );

    // Clean, from every source.
    let state = world.show("state-applied.json", &[]);
    let state_arg = ["--state", state.to_str().unwrap()];
    let clean_aws = world.collect("aws-applied");
    let aws_arg = ["--aws", clean_aws.to_str().unwrap()];
    for (command, input) in [
        ("drift", &state_arg),
        ("propagation", &state_arg),
        ("propagation", &aws_arg),
    ] {
        let (code, report) = json_report(command, input);
        assert_eq!(code, 0, "{command} {input:?} is not clean:\n{report:#}");
    }

    // Internet egress as applied: the NAT gateway sits in the public subnet with the elastic IP,
    // the attachment subnet's table sends 0.0.0.0/0 to it, the public table to the internet
    // gateway, and the transit gateway attachment uses the attachment subnet.
    let nat = resource_id(&state, "aws_nat_gateway.egress_us_east_1a");
    let public_subnet = resource_id(&state, "aws_subnet.egress_public_us_east_1a");
    let attachment_subnet = resource_id(&state, "aws_subnet.egress_attachment_us_east_1a");
    let igw = resource_id(&state, "aws_internet_gateway.egress");
    let nats = world.aws_json(&["ec2", "describe-nat-gateways", "--nat-gateway-ids", &nat]);
    assert_eq!(
        nats["NatGateways"][0]["SubnetId"],
        public_subnet.as_str(),
        "{nats:#}"
    );
    assert_eq!(
        nats["NatGateways"][0]["NatGatewayAddresses"][0]["AllocationId"],
        resource_id(&state, "aws_eip.egress_us_east_1a").as_str(),
        "{nats:#}"
    );
    let default_route = |table: &str| {
        let tables = world.aws_json(&["ec2", "describe-route-tables", "--route-table-ids", table]);
        tables["RouteTables"][0]["Routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["DestinationCidrBlock"] == "0.0.0.0/0")
            .cloned()
            .unwrap_or_else(|| panic!("no default route in {table}: {tables:#}"))
    };
    let to_nat = default_route(&resource_id(
        &state,
        "aws_route_table.egress_attachment_us_east_1a",
    ));
    assert_eq!(to_nat["NatGatewayId"], nat.as_str(), "{to_nat:#}");
    let to_igw = default_route(&resource_id(&state, "aws_route_table.egress_public"));
    assert_eq!(to_igw["GatewayId"], igw.as_str(), "{to_igw:#}");
    let attachment = world.aws_json(&[
        "ec2",
        "describe-transit-gateway-vpc-attachments",
        "--transit-gateway-attachment-ids",
        &resource_id(&state, "aws_ec2_transit_gateway_vpc_attachment.egress"),
    ]);
    assert_eq!(
        attachment["TransitGatewayVpcAttachments"][0]["SubnetIds"],
        serde_json::json!([attachment_subnet]),
        "{attachment:#}"
    );

    let tenants = resource_id(&state, "aws_ec2_transit_gateway_route_table.core_tenants");
    let agents_attachment = resource_id(&state, "aws_ec2_transit_gateway_vpc_attachment.agents");
    let agents_vpc = resource_id(&state, "aws_vpc.agents");

    // 1. A propagation into a segment that must not have it: `terraform plan` does not see it,
    // `propagation --aws` does, naming the segment and the attachment.
    world.aws(&[
        "ec2",
        "enable-transit-gateway-route-table-propagation",
        "--transit-gateway-route-table-id",
        &tenants,
        "--transit-gateway-attachment-id",
        &agents_attachment,
    ]);
    let plan = world.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan_is_empty(&plan),
        "terraform plan saw the propagation:\n{plan}"
    );
    let leaked = world.collect("aws-leaked");
    let propagation = Test::in_repo()
        .args(["propagation", BLUEPRINT, "--aws", leaked.to_str().unwrap()])
        .run();
    let human = &propagation.stdout;
    assert_eq!(propagation.status, 2, "{human}");
    let first = human.lines().next().unwrap();
    assert_eq!(
        first,
        "1 leak, 0 failed propagations, 0 wrong associations, 0 missing routes; 2 segment pairs reach differently"
    );
    assert!(
        human.contains("segment `core/tenants`")
            && human.contains(&format!("`vpc.agents` ({agents_attachment})")),
        "{human}"
    );

    // 2. A deleted blackhole route and 3. a changed tag.
    world.aws(&[
        "ec2",
        "delete-transit-gateway-route",
        "--transit-gateway-route-table-id",
        &tenants,
        "--destination-cidr-block",
        "192.168.0.0/16",
    ]);
    world.aws(&[
        "ec2",
        "create-tags",
        "--resources",
        &agents_vpc,
        "--tags",
        "Key=Name,Value=renamed-out-of-band",
    ]);

    // From a refresh-only saved plan, then from state after a refresh, then from the AWS API.
    world.terraform(&[
        "plan",
        "-refresh-only",
        "-out=refresh.tfplan",
        "-input=false",
        "-no-color",
    ]);
    let plan = world.show("plan-refresh-only.json", &["refresh.tfplan"]);
    world.terraform(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]);
    let state = world.show("state-refreshed.json", &[]);
    let aws = world.collect("aws-changed");

    let expected_drift: BTreeSet<(String, String, String)> = [
        (
            "missing",
            "aws_ec2_transit_gateway_route.core_never_reach_corp",
            "",
        ),
        ("attribute", "aws_vpc.agents", "tags"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.into(), b.into(), c.into()))
    .collect();
    let missing_route = (
        "missing_route".to_string(),
        "core/tenants".to_string(),
        String::new(),
        "192.168.0.0/16".to_string(),
    );
    let leak = (
        "leak".to_string(),
        "core/tenants".to_string(),
        "vpc.agents".to_string(),
        String::new(),
    );
    for input in [
        ["--plan", plan.to_str().unwrap()],
        ["--state", state.to_str().unwrap()],
    ] {
        let (code, report) = json_report("drift", &input);
        assert_eq!(code, 2);
        assert_eq!(drift_findings(&report), expected_drift, "{report:#}");
        assert_eq!(
            report["summary"],
            "1 missing resource, 0 unexpected resources, 1 drifted attribute"
        );
        // State cannot hold the out-of-band propagation: only the deleted route shows.
        let (code, report) = json_report("propagation", &input);
        assert_eq!(code, 2);
        assert_eq!(
            propagation_findings(&report),
            BTreeSet::from([missing_route.clone()]),
            "{report:#}"
        );
    }
    let (code, report) = json_report("propagation", &["--aws", aws.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        propagation_findings(&report),
        BTreeSet::from([leak, missing_route]),
        "{report:#}"
    );
    // The leak opens tenants ↔ agents one way (agents' table has no route back).
    let changes: BTreeSet<(String, String, String)> = report["reachability_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["from"].as_str().unwrap().to_string(),
                c["to"].as_str().unwrap().to_string(),
                c["deployed"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        BTreeSet::from([
            (
                "core/agents".into(),
                "core/tenants".into(),
                "one_way".into()
            ),
            (
                "core/tenants".into(),
                "core/agents".into(),
                "one_way".into()
            ),
        ])
    );
}
