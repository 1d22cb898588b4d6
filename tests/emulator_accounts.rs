//! End to end across two accounts against `moto` (pinned, from PyPI), as `tests/emulator.rs` does
//! for one: the platform of `tests/fixtures/emulator/accounts.hcl` (a `network` account owning the
//! transit gateway and one VPC, a `tenants` account outside the organization with two VPCs) is
//! generated as stacks and every stack is applied with real Terraform and the real aws 5.100
//! provider, in the order of `manifest.json`, each with the credentials of its own account
//! (`sts:AssumeRole` into the account's role: moto acts in the account of an assumed role), its
//! generated `backend "s3"` pointed at moto's S3 (`-backend-config`, the block itself untouched) and
//! its `terraform_remote_state` reading the upstream stacks' state from there (an
//! `*_override.tf` restating `config` with moto's endpoint). Then, through the AWS API of each
//! account: the RAM share and its accepted invitation, the attachments (accepted; tagged in the
//! owner account), the associations and propagations of each segment and the spokes' VPC routes
//! are as the blueprint says. Then a propagation is added out of band in the network account and
//! `agentform propagation --aws DIR` (collected by `scripts/collect-tgw.sh` with the network
//! account's credentials) finds it.
//!
//! moto lacks part of what a shared gateway needs; `tests/emulator/moto_server.py` adds it (RAM
//! invitations, attachments to another account's gateway, `AcceptTransitGatewayVpcAttachment`) and
//! says what each addition does. Needs what `tests/emulator.rs` needs.

mod common;

use common::Test;
use common::moto::{Moto, text, venv};
use common::terraform::{plugin_dir, skip};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const BLUEPRINT: &str = "tests/fixtures/emulator/accounts.hcl";
const NETWORK: &str = "111111111111";
const TENANTS: &str = "333333333333";

/// Credentials of one account: what `sts:AssumeRole` into its role returned.
#[derive(Clone)]
struct Credentials {
    access_key: String,
    secret_key: String,
    token: String,
}

impl Credentials {
    /// The base identity the test starts from (moto's default account), before any role.
    fn base() -> Self {
        Credentials {
            access_key: "testing".into(),
            secret_key: "testing".into(),
            token: String::new(),
        }
    }

    fn apply(&self, command: &mut Command) {
        command
            .env("AWS_ACCESS_KEY_ID", &self.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_key)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        if self.token.is_empty() {
            command.env_remove("AWS_SESSION_TOKEN");
        } else {
            command.env("AWS_SESSION_TOKEN", &self.token);
        }
    }
}

struct World {
    venv: PathBuf,
    endpoint: String,
    config: PathBuf,
    scratch: PathBuf,
}

impl World {
    /// An AWS API call as `who`, its JSON answer (`Null` when it prints nothing).
    fn aws(&self, who: &Credentials, args: &[&str]) -> Value {
        let mut command = Command::new(self.venv.join("bin/aws"));
        command
            .args(["--endpoint-url", &self.endpoint, "--output", "json"])
            .args(args);
        who.apply(&mut command);
        let output = command.output().expect("aws runs");
        assert!(
            output.status.success(),
            "aws {} failed:\n{}",
            args.join(" "),
            text(&output)
        );
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
    }

    /// `sts:AssumeRole` into `role`: the credentials act in the role's account.
    fn assume(&self, role: &str) -> Credentials {
        let answer = self.aws(
            &Credentials::base(),
            &[
                "sts",
                "assume-role",
                "--role-arn",
                role,
                "--role-session-name",
                "agentform-emulator",
            ],
        );
        let c = &answer["Credentials"];
        let credentials = Credentials {
            access_key: c["AccessKeyId"].as_str().unwrap().into(),
            secret_key: c["SecretAccessKey"].as_str().unwrap().into(),
            token: c["SessionToken"].as_str().unwrap().into(),
        };
        let me = self.aws(&credentials, &["sts", "get-caller-identity"]);
        let account = role.split(':').nth(4).unwrap();
        assert_eq!(me["Account"], account, "{me:#}");
        credentials
    }

    fn terraform(&self, dir: &Path, who: &Credentials, args: &[&str]) -> String {
        let mut command = Command::new("terraform");
        command
            .args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1");
        who.apply(&mut command);
        let output = command.output().expect("terraform runs");
        assert!(
            output.status.success(),
            "terraform {} in {} failed:\n{}",
            args.join(" "),
            dir.display(),
            text(&output)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `scripts/collect-tgw.sh` as `who` into a new directory.
    fn collect(&self, who: &Credentials, name: &str) -> PathBuf {
        let out = self.scratch.join(name);
        let mut command = Command::new("bash");
        command
            .arg("scripts/collect-tgw.sh")
            .arg(&out)
            .args(["--endpoint-url", &self.endpoint])
            .env("AWS_CLI", self.venv.join("bin/aws"));
        who.apply(&mut command);
        let output = command.output().expect("collect-tgw.sh runs");
        assert!(
            output.status.success(),
            "collect-tgw.sh failed:\n{}",
            text(&output)
        );
        out
    }

    /// The settings that point the S3 backend (and `terraform_remote_state`) at moto: its endpoint,
    /// path-style addressing (no bucket subdomains on loopback), no EC2 metadata lookups.
    fn s3_settings(&self) -> String {
        let endpoint = &self.endpoint;
        format!(
            r#"endpoints = {{
  s3  = "{endpoint}"
  sts = "{endpoint}"
  iam = "{endpoint}"
}}
use_path_style              = true
skip_metadata_api_check     = true
skip_region_validation      = true
"#
        )
    }

    /// Writes the test's additions next to a generated stack (never editing a generated file): the
    /// backend settings for `terraform init -backend-config`, and `moto_override.tf` with the
    /// provider's endpoints and each `terraform_remote_state`'s `config` restated with moto's.
    fn point_at_moto(&self, dir: &Path, manifest: &Value, stack: &Value) -> PathBuf {
        let backend = dir.join("moto.s3.tfbackend");
        std::fs::write(&backend, self.s3_settings()).unwrap();
        let endpoint = &self.endpoint;
        let mut text = format!(
            r#"# Written by tests/emulator_accounts.rs: every API call goes to moto on loopback.
provider "aws" {{
  skip_metadata_api_check = true
  skip_region_validation  = true
  endpoints {{
    ec2  = "{endpoint}"
    iam  = "{endpoint}"
    kms  = "{endpoint}"
    logs = "{endpoint}"
    ram  = "{endpoint}"
    s3   = "{endpoint}"
    sts  = "{endpoint}"
  }}
}}
"#
        );
        let bucket = manifest["state"]["bucket"].as_str().unwrap();
        let region = manifest["state"]["region"].as_str().unwrap();
        for read in stack["reads"].as_array().unwrap() {
            let upstream = read["stack"].as_str().unwrap();
            let key = stack_named(manifest, upstream)["state_key"]
                .as_str()
                .unwrap()
                .to_string();
            let mut settings = String::new();
            for line in self.s3_settings().lines() {
                settings.push_str("    ");
                settings.push_str(line);
                settings.push('\n');
            }
            text.push_str(&format!(
                r#"
data "terraform_remote_state" "{name}" {{
  config = {{
    bucket = "{bucket}"
    key    = "{key}"
    region = "{region}"
{settings}  }}
}}
"#,
                name = upstream.replace('-', "_"),
            ));
        }
        std::fs::write(dir.join("moto_override.tf"), text).unwrap();
        backend
    }
}

fn stack_named<'a>(manifest: &'a Value, name: &str) -> &'a Value {
    manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stack {name} in the manifest"))
}

fn plan_is_empty(plan_output: &str) -> bool {
    plan_output.contains("No changes.")
        || plan_output.contains("Plan: 0 to add, 0 to change, 0 to destroy.")
}

/// Tags of an AWS answer as a map.
fn tags(item: &Value) -> BTreeMap<String, String> {
    item["Tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| {
                    (
                        t["Key"].as_str().unwrap().to_string(),
                        t["Value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Propagation findings as (kind, segment, attachment).
fn propagation_findings(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["segment"].as_str().unwrap().to_string(),
                f["attachment"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, told in order
fn two_accounts_apply_in_manifest_order_and_propagation_finds_an_out_of_band_change() {
    if skip() {
        return;
    }
    if common::skipped("emulator") {
        common::record_skip(
            "emulator",
            "moto and the AWS CLI (the emulated AWS accounts)",
        );
        return;
    }
    let venv = venv();
    let scratch = tempfile::tempdir().unwrap();
    let moto = Moto::start(&venv, &scratch.path().join("moto.log"));
    let config = scratch.path().join("terraform.rc");
    std::fs::write(&config, "# providers come from -plugin-dir\n").unwrap();
    let world = World {
        venv,
        endpoint: moto.endpoint.clone(),
        config,
        scratch: scratch.path().to_path_buf(),
    };

    // 1. The platform's stacks and the account of each, from the manifest `generate` writes.
    let out = scratch.path().join("generated");
    let generate = Test::in_repo()
        .args([
            "generate",
            BLUEPRINT,
            "--out",
            out.to_str().unwrap(),
            "--aws-provider",
            "5.100",
            "--no-awscc",
        ])
        .run();
    assert_eq!(generate.status, 0, "{}", generate.stderr);
    let platform = out.join("acct");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(platform.join("manifest.json")).unwrap())
            .unwrap();
    let stacks = manifest["stacks"].as_array().unwrap();
    let order: Vec<&str> = stacks.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        ["network", "tenants", "network-routing", "tenants-routes"]
    );

    // Credentials per account by sts:AssumeRole into the role the manifest names.
    let mut credentials: BTreeMap<String, Credentials> = BTreeMap::new();
    for stack in stacks {
        let account = stack["account_id"].as_str().unwrap().to_string();
        let role = stack["role"].as_str().unwrap();
        credentials
            .entry(account)
            .or_insert_with(|| world.assume(role));
    }
    let network = credentials[NETWORK].clone();
    let tenants = credentials[TENANTS].clone();

    // The state bucket, in the network account.
    let bucket = manifest["state"]["bucket"].as_str().unwrap();
    world.aws(&network, &["s3api", "create-bucket", "--bucket", bucket]);

    // 2. Every stack in manifest order, as its own account, state in S3.
    let plugin_dir = format!("-plugin-dir={}", plugin_dir().display());
    let mut dirs = Vec::new();
    for stack in stacks {
        let dir = platform.join(stack["directory"].as_str().unwrap());
        let who = &credentials[stack["account_id"].as_str().unwrap()];
        let backend = world.point_at_moto(&dir, &manifest, stack);
        let backend_config = format!("-backend-config={}", backend.display());
        world.terraform(
            &dir,
            who,
            &[
                "init",
                "-input=false",
                "-no-color",
                &plugin_dir,
                &backend_config,
            ],
        );
        world.terraform(
            &dir,
            who,
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        );
        // The state is where the backend says, in the bucket of the network account.
        let key = stack["state_key"].as_str().unwrap();
        let head = world.aws(
            &network,
            &["s3api", "head-object", "--bucket", bucket, "--key", key],
        );
        assert!(head["ContentLength"].as_u64().unwrap() > 0, "{head:#}");
        dirs.push((dir, who.clone()));
    }
    // Applied once, in order: nothing is left to do in any stack.
    for (dir, who) in &dirs {
        let plan = world.terraform(dir, who, &["plan", "-input=false", "-no-color"]);
        assert!(
            plan_is_empty(&plan),
            "{} is not converged after one apply in order:\n{plan}",
            dir.display()
        );
    }
    let output = |stack: &str, name: &str| -> Value {
        let (dir, who) = &dirs[order.iter().position(|s| *s == stack).unwrap()];
        let outputs: Value =
            serde_json::from_str(&world.terraform(dir, who, &["output", "-json", "-no-color"]))
                .unwrap();
        outputs[name]["value"].clone()
    };

    // 3. Through the AWS API of each account.
    let gateway = output("network", "core_transit_gateway_id");
    let gateway = gateway.as_str().unwrap();
    let share_arn = output("network", "core_transit_gateway_share_arn");
    let share_arn = share_arn.as_str().unwrap();
    // The share: the gateway, exactly the tenants account, whose invitation was accepted.
    let principals = world.aws(
        &network,
        &[
            "ram",
            "get-resource-share-associations",
            "--association-type",
            "PRINCIPAL",
            "--resource-share-arns",
            share_arn,
        ],
    );
    let principals: BTreeSet<&str> = principals["resourceShareAssociations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["associatedEntity"].as_str().unwrap())
        .collect();
    assert_eq!(principals, BTreeSet::from([TENANTS]));
    let resources = world.aws(
        &network,
        &[
            "ram",
            "get-resource-share-associations",
            "--association-type",
            "RESOURCE",
            "--resource-share-arns",
            share_arn,
        ],
    );
    let gateway_arn = format!("arn:aws:ec2:us-east-1:{NETWORK}:transit-gateway/{gateway}");
    assert_eq!(
        resources["resourceShareAssociations"][0]["associatedEntity"],
        gateway_arn.as_str(),
        "{resources:#}"
    );
    let invitations = world.aws(&tenants, &["ram", "get-resource-share-invitations"]);
    let invitation = &invitations["resourceShareInvitations"][0];
    assert_eq!(invitation["resourceShareArn"], share_arn, "{invitations:#}");
    assert_eq!(invitation["status"], "ACCEPTED", "{invitations:#}");
    assert_eq!(invitation["senderAccountId"], NETWORK, "{invitations:#}");

    // The attachments as the owner sees them: all accepted, the tenants' VPCs owned by the tenants
    // account, each tagged in the owner account with its component and segment.
    let attachments = world.aws(
        &network,
        &[
            "ec2",
            "describe-transit-gateway-vpc-attachments",
            "--filters",
            &format!("Name=transit-gateway-id,Values={gateway}"),
        ],
    );
    let mut by_component: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for attachment in attachments["TransitGatewayVpcAttachments"]
        .as_array()
        .unwrap()
    {
        let tags = tags(attachment);
        assert_eq!(attachment["State"], "available", "{attachment:#}");
        by_component.insert(
            tags.get("agentform:component")
                .unwrap_or_else(|| panic!("untagged in the owner account: {attachment:#}"))
                .clone(),
            (
                attachment["TransitGatewayAttachmentId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                attachment["VpcOwnerId"].as_str().unwrap().to_string(),
                tags["agentform:segment"].clone(),
            ),
        );
    }
    let owners: Vec<(&str, &str, &str)> = by_component
        .iter()
        .map(|(c, (_, owner, segment))| (c.as_str(), owner.as_str(), segment.as_str()))
        .collect();
    assert_eq!(
        owners,
        [
            ("vpc.shared", NETWORK, "shared"),
            ("vpc.tenant-a", TENANTS, "tenants"),
            ("vpc.tenant-b", TENANTS, "tenants"),
        ]
    );
    let id = |component: &str| by_component[component].0.clone();

    // Associations and propagations of each segment's route table, in the owner account.
    let tables = output("network-routing", "core_route_table_ids");
    let table = |segment: &str| tables[segment].as_str().unwrap().to_string();
    let ids_of = |answer: &Value, list: &str| -> BTreeSet<String> {
        answer[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a["TransitGatewayAttachmentId"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let associated = |segment: &str| {
        ids_of(
            &world.aws(
                &network,
                &[
                    "ec2",
                    "get-transit-gateway-route-table-associations",
                    "--transit-gateway-route-table-id",
                    &table(segment),
                ],
            ),
            "Associations",
        )
    };
    let propagated = |segment: &str| {
        ids_of(
            &world.aws(
                &network,
                &[
                    "ec2",
                    "get-transit-gateway-route-table-propagations",
                    "--transit-gateway-route-table-id",
                    &table(segment),
                ],
            ),
            "TransitGatewayRouteTablePropagations",
        )
    };
    assert_eq!(associated("shared"), BTreeSet::from([id("vpc.shared")]));
    assert_eq!(
        associated("tenants"),
        BTreeSet::from([id("vpc.tenant-a"), id("vpc.tenant-b")])
    );
    assert_eq!(
        propagated("shared"),
        BTreeSet::from([id("vpc.shared"), id("vpc.tenant-a"), id("vpc.tenant-b")])
    );
    assert_eq!(propagated("tenants"), BTreeSet::from([id("vpc.shared")]));

    // The spokes' VPC routes, in the tenants account: 0.0.0.0/0 to the network account's gateway.
    for vpc in ["tenant_a", "tenant_b"] {
        let route_table = output("tenants", &format!("{vpc}_route_table_id"));
        let answer = world.aws(
            &tenants,
            &[
                "ec2",
                "describe-route-tables",
                "--route-table-ids",
                route_table.as_str().unwrap(),
            ],
        );
        let routes = &answer["RouteTables"][0]["Routes"];
        let default = routes
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["DestinationCidrBlock"] == "0.0.0.0/0")
            .unwrap_or_else(|| panic!("no default route in {vpc}: {answer:#}"));
        assert_eq!(default["TransitGatewayId"], gateway, "{answer:#}");
    }
    // The network account sees none of the tenants' VPCs; the tenants account no route table of
    // the gateway.
    let vpcs = world.aws(&network, &["ec2", "describe-vpcs"]);
    assert!(
        vpcs["Vpcs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["OwnerId"] == NETWORK),
        "{vpcs:#}"
    );
    let foreign_tables = world.aws(&tenants, &["ec2", "describe-transit-gateway-route-tables"]);
    assert_eq!(
        foreign_tables["TransitGatewayRouteTables"],
        serde_json::json!([]),
        "{foreign_tables:#}"
    );

    // 4. Clean as collected in the network account; then tenant-a's attachment propagated out of
    // band into the isolated tenants segment, which `terraform plan` does not see and
    // `propagation --aws` does.
    let propagation = |dir: &Path| {
        Test::in_repo()
            .args([
                "propagation",
                BLUEPRINT,
                "--aws",
                dir.to_str().unwrap(),
                "--format",
                "json",
            ])
            .run()
    };
    let clean = world.collect(&network, "aws-applied");
    let report = propagation(&clean);
    assert_eq!(report.status, 0, "{}{}", report.stdout, report.stderr);

    world.aws(
        &network,
        &[
            "ec2",
            "enable-transit-gateway-route-table-propagation",
            "--transit-gateway-route-table-id",
            &table("tenants"),
            "--transit-gateway-attachment-id",
            &id("vpc.tenant-a"),
        ],
    );
    let (routing_dir, routing_who) = &dirs[2];
    let plan = world.terraform(
        routing_dir,
        routing_who,
        &["plan", "-input=false", "-no-color"],
    );
    assert!(
        plan_is_empty(&plan),
        "terraform plan saw the propagation:\n{plan}"
    );
    let leaked = world.collect(&network, "aws-leaked");
    let report = propagation(&leaked);
    assert_eq!(report.status, 2, "{}{}", report.stdout, report.stderr);
    assert_eq!(
        propagation_findings(&report.json()),
        BTreeSet::from([(
            "leak".to_string(),
            "core/tenants".to_string(),
            "vpc.tenant-a".to_string()
        )]),
        "{}",
        report.stdout
    );
    drop(moto);
}
