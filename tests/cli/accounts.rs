//! `drift`, `propagation` and `check` on a platform across accounts (several stacks, a manifest):
//! per stack (`--stack NAME`) and whole (`--states DIR`), on the states of a clean apply of every
//! stack (`synth-state --out DIR`, ids consistent across stacks: the owner's accepter holds the
//! spoke's attachment id, each `terraform_remote_state` records the outputs it read).

use crate::common::{Test, repo};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const BLUEPRINT: &str = "tests/fixtures/valid/accounts.hcl";
const STACKS: [&str; 6] = [
    "network",
    "agents",
    "tenants",
    "network-routing",
    "agents-routes",
    "tenants-routes",
];

/// A scratch directory holding `clean/<stack>.json` for every stack of the blueprint.
fn clean_states() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Test::in_repo()
        .args([
            "synth-state",
            BLUEPRINT,
            "--out",
            &dir.path().join("clean").display().to_string(),
        ])
        .run()
        .assert_success();
    for stack in STACKS {
        assert!(
            dir.path()
                .join("clean")
                .join(format!("{stack}.json"))
                .is_file(),
            "{stack}"
        );
    }
    dir
}

fn blueprint() -> String {
    repo().join(BLUEPRINT).display().to_string()
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn resources(state: &mut Value) -> &mut Vec<Value> {
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
}

/// The value of `attribute` of the resource at `address` in a state.
fn value_of(state: &Value, address: &str, attribute: &str) -> String {
    state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no {address}"))["values"][attribute]
        .as_str()
        .unwrap()
        .to_string()
}

/// A copy of the clean states in `dir/<name>/`, `stack`'s state changed by `change`.
fn changed(root: &Path, name: &str, stack: &str, mut change: impl FnMut(&mut Value)) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for s in STACKS {
        let mut state = read(&root.join("clean").join(format!("{s}.json")));
        if s == stack {
            change(&mut state);
        }
        std::fs::write(dir.join(format!("{s}.json")), state.to_string()).unwrap();
    }
    dir
}

fn run(args: &[&str]) -> crate::common::Output {
    Test::new().args(args).run()
}

#[test]
fn a_clean_apply_of_every_stack_is_clean_per_stack_and_whole() {
    let root = clean_states();
    let states = root.path().join("clean").display().to_string();
    let bp = blueprint();
    let out = run(&["drift", &bp, "--states", &states]);
    out.assert_success();
    assert!(
        out.stdout.contains("0 missing resources, 0 unexpected resources, 0 drifted attributes (stacks `network`, `agents`, `tenants`, `network-routing`, `agents-routes`, `tenants-routes`)"),
        "{}",
        out.stdout
    );
    run(&["propagation", &bp, "--states", &states]).assert_success();
    // Each stack alone: only its own resources are expected (the others are not "missing").
    for stack in STACKS {
        let file = root.path().join("clean").join(format!("{stack}.json"));
        let out = run(&[
            "drift",
            &bp,
            "--stack",
            stack,
            "--state",
            &file.display().to_string(),
            "--format",
            "json",
        ]);
        out.assert_success();
        let report = out.json();
        assert_eq!(report["stacks"], json!([stack]));
        assert!(
            report["counts"]["compared"].as_u64().unwrap() > 0,
            "{stack}"
        );
    }
    // The owner's routing stack alone maps every attachment: the other accounts' by the tags it
    // sets on their accepters, its own account's by the outputs it read from the build stack.
    let routing = root.path().join("clean/network-routing.json");
    let out = run(&[
        "propagation",
        &bp,
        "--stack",
        "network-routing",
        "--state",
        &routing.display().to_string(),
    ]);
    out.assert_success();
    assert!(out.stdout.contains("read stack `network-routing` only"));
    // A spoke's build stack alone holds no route table: it maps what it can, and says so.
    let spoke = root.path().join("clean/agents.json");
    let out = run(&[
        "propagation",
        &bp,
        "--stack",
        "agents",
        "--state",
        &spoke.display().to_string(),
    ]);
    out.assert_status(2);
    assert!(
        out.stdout.contains(
            "missing: stack `network-routing`: segment `core/agents` has no route table tagged"
        ),
        "{}",
        out.stdout
    );
}

/// A propagation made outside agentform's stacks but recorded in the routing stack's state (an
/// import, a stray `terraform apply`): `vpc.agents`'s routes into the isolated tenants' table.
#[test]
fn an_out_of_band_propagation_in_the_routing_stack_is_found_whole_and_per_stack() {
    let root = clean_states();
    let agents = read(&root.path().join("clean/agents.json"));
    let attachment = value_of(
        &agents,
        "aws_ec2_transit_gateway_vpc_attachment.agents",
        "id",
    );
    let routing = read(&root.path().join("clean/network-routing.json"));
    let table = value_of(
        &routing,
        "aws_ec2_transit_gateway_route_table.core_tenants",
        "id",
    );
    let dir = changed(root.path(), "leak", "network-routing", |state| {
        resources(state).push(json!({
            "address": "aws_ec2_transit_gateway_route_table_propagation.oob",
            "mode": "managed",
            "type": "aws_ec2_transit_gateway_route_table_propagation",
            "name": "oob",
            "values": {
                "id": "tgw-rtb-oob",
                "transit_gateway_attachment_id": attachment,
                "transit_gateway_route_table_id": table,
            },
        }));
    });
    let bp = blueprint();
    let leak = format!(
        "leak: stack `network-routing`: segment `core/tenants` leaked: it receives the routes of `vpc.agents` ({attachment}) (segment `core/agents`) through a propagation in {table} that the blueprint does not declare"
    );
    let whole = run(&["propagation", &bp, "--states", &dir.display().to_string()]);
    whole.assert_status(2);
    assert!(whole.stdout.contains(&leak), "{}", whole.stdout);
    assert!(
        whole.stdout.contains("core/tenants -> core/agents"),
        "{}",
        whole.stdout
    );
    let one = run(&[
        "propagation",
        &bp,
        "--stack",
        "network-routing",
        "--state",
        &dir.join("network-routing.json").display().to_string(),
    ]);
    one.assert_status(2);
    assert!(one.stdout.contains(&leak), "{}", one.stdout);
    assert!(one.stdout.starts_with("1 leak, 0 failed"), "{}", one.stdout);
    let json = run(&[
        "propagation",
        &bp,
        "--states",
        &dir.display().to_string(),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(json["findings"][0]["stack"], "network-routing");
    assert_eq!(json["findings"][0]["kind"], "leak");
    assert_eq!(json["stacks"].as_array().unwrap().len(), 6);
    // `drift` sees it too, in its stack.
    let drift = run(&[
        "drift",
        &bp,
        "--states",
        &dir.display().to_string(),
        "--format",
        "json",
    ]);
    drift.assert_status(2);
    let report = drift.json();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["stack"], "network-routing");
    assert_eq!(report["findings"][0]["kind"], "unexpected");
}

#[test]
fn a_drifted_attribute_in_a_spoke_stack_is_found_with_its_stack_named() {
    let root = clean_states();
    let dir = changed(root.path(), "drifted", "tenants", |state| {
        for resource in resources(state) {
            if resource["address"] == "aws_vpc.tenant_a" {
                resource["values"]["enable_dns_hostnames"] = json!(false);
            }
        }
    });
    let bp = blueprint();
    let states = dir.display().to_string();
    let human = run(&["drift", &bp, "--states", &states]);
    human.assert_status(2);
    assert!(
        human.stdout.contains(
            "stack `tenants`: drifted: `aws_vpc.tenant_a.enable_dns_hostnames` is false deployed; the blueprint sets true"
        ),
        "{}",
        human.stdout
    );
    let json = run(&["drift", &bp, "--states", &states, "--format", "json"]).json();
    assert_eq!(json["counts"]["drifted_attributes"], 1);
    assert_eq!(json["findings"][0]["stack"], "tenants");
    assert_eq!(json["findings"][0]["address"], "aws_vpc.tenant_a");
    assert_eq!(json["stacks"].as_array().unwrap().len(), 6);
    let sarif = run(&["drift", &bp, "--states", &states, "--format", "sarif"]);
    sarif.assert_status(2);
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "drift/attribute")
        .expect("a drift/attribute result");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("stack `tenants`: drifted:"),
        "{result}"
    );
    // Per stack: the spoke's stack finds it; another stack is clean.
    let tenants = dir.join("tenants.json").display().to_string();
    let out = run(&["drift", &bp, "--stack", "tenants", "--state", &tenants]);
    out.assert_status(2);
    assert!(
        out.stdout.contains("stack `tenants`: drifted:"),
        "{}",
        out.stdout
    );
    let agents = dir.join("agents.json").display().to_string();
    run(&["drift", &bp, "--stack", "agents", "--state", &agents]).assert_success();
}

#[test]
fn stacks_are_named_and_checked() {
    let root = clean_states();
    let bp = blueprint();
    let clean = root.path().join("clean");
    let agents = clean.join("agents.json").display().to_string();
    let all =
        "`network`, `agents`, `tenants`, `network-routing`, `agents-routes`, `tenants-routes`";
    for command in ["drift", "propagation"] {
        // Several stacks, neither `--stack` nor `--states`: which ones there are.
        let out = run(&[command, &bp, "--state", &agents]);
        out.assert_status(1);
        assert!(
            out.stderr.contains(&format!(
                "platform `agents` is 6 stacks across accounts ({all}): pass `--stack NAME`"
            )),
            "{}",
            out.stderr
        );
        // An unknown stack: did you mean, and every name.
        let out = run(&[command, &bp, "--stack", "tenant", "--state", &agents]);
        out.assert_status(1);
        assert!(
            out.stderr.contains(&format!(
                "platform `agents` has no stack `tenant` (did you mean `tenants`?); its stacks are {all}"
            )),
            "{}",
            out.stderr
        );
        // A missing `<stack>.json`.
        let partial = root.path().join(format!("partial-{command}"));
        std::fs::create_dir_all(&partial).unwrap();
        for stack in ["network", "agents", "tenants", "agents-routes"] {
            std::fs::copy(
                clean.join(format!("{stack}.json")),
                partial.join(format!("{stack}.json")),
            )
            .unwrap();
        }
        let out = run(&[command, &bp, "--states", &partial.display().to_string()]);
        out.assert_status(1);
        assert!(
            out.stderr
                .contains("lacks network-routing.json, tenants-routes.json: `--states DIR` holds"),
            "{}",
            out.stderr
        );
        // `--stack` and `--states` are one or the other.
        let out = run(&[
            command,
            &bp,
            "--stack",
            "agents",
            "--states",
            &clean.display().to_string(),
        ]);
        out.assert_status(1);
    }
    // A platform of one stack takes neither.
    let minimal = repo()
        .join("tests/fixtures/valid/minimal.hcl")
        .display()
        .to_string();
    let state = Test::in_repo()
        .args(["synth-state", "tests/fixtures/valid/minimal.hcl"])
        .run();
    state.assert_success();
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("state.json"), &state.stdout).unwrap();
    let file = t.path().join("state.json").display().to_string();
    let out = run(&["drift", &minimal, "--stack", "network", "--state", &file]);
    out.assert_status(1);
    assert!(out.stderr.contains("is one stack"), "{}", out.stderr);
    let out = run(&["drift", &minimal, "--state", &file, "--format", "json"]);
    out.assert_success();
    let report = out.json();
    assert!(report.get("stacks").is_none(), "{report}");
}

#[test]
fn check_runs_per_stack_and_names_a_removed_stack() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(BLUEPRINT)).unwrap();
    let t = || Test::in_dir(dir.path());
    std::fs::write(dir.path().join("p.hcl"), &text).unwrap();
    t().args(["generate", "p.hcl"]).run().assert_success();
    t().args(["check", "p.hcl"]).run().assert_success();
    let out = t().args(["check", "p.hcl", "--stack", "tenants"]).run();
    out.assert_success();
    assert!(
        out.stderr.contains("agents/tenants is up to date"),
        "{}",
        out.stderr
    );
    let out = t().args(["check", "p.hcl", "--stack", "tenant"]).run();
    out.assert_status(1);
    assert!(
        out.stderr.contains("did you mean `tenants`?"),
        "{}",
        out.stderr
    );
    // Stack `agents` is edited by hand: only its check fails.
    let edited = dir.path().join("generated/agents/agents/outputs.tf");
    let mut outputs = std::fs::read_to_string(&edited).unwrap();
    outputs.push_str("# edited\n");
    std::fs::write(&edited, outputs).unwrap();
    t().args(["check", "p.hcl", "--stack", "agents"])
        .run()
        .assert_status(2);
    t().args(["check", "p.hcl", "--stack", "tenants"])
        .run()
        .assert_success();
    t().args(["generate", "p.hcl"]).run().assert_success();
    // The tenants move into the agents' account: their two stacks are no longer generated.
    std::fs::write(
        dir.path().join("p.hcl"),
        text.replace("account = \"tenants\"", "account = \"agents\""),
    )
    .unwrap();
    let out = t().args(["check", "p.hcl"]).run();
    out.assert_status(2);
    for stack in ["tenants", "tenants-routes"] {
        assert!(
            out.stdout.contains(&format!(
                "removed stack: generated/agents/{stack} is no longer generated"
            )),
            "{}",
            out.stdout
        );
    }
    let json = t().args(["check", "p.hcl", "--format", "json"]).run();
    json.assert_status(2);
    assert_eq!(
        json.json()["removed_stacks"],
        json!(["agents/tenants", "agents/tenants-routes"])
    );
}

/// What `scripts/collect-tgw.sh` writes in the gateway owner's account, built from the stacks'
/// states: every attachment to the gateway, the other accounts' ones carrying only the tags the
/// owner set on them (`aws_ec2_tag`; the spoke's own tags are not visible to the owner), the
/// owner's own with their tags; the owner's route tables, associations, propagations and static
/// routes; no `vpc-route-tables.json` (the other accounts' VPCs are not visible there).
fn owner_view(states: &Path, out: &Path, extra_propagation: Option<(&str, &str)>) {
    let resources = |stack: &str| -> Vec<Value> {
        read(&states.join(format!("{stack}.json")))["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .clone()
    };
    let of = |rs: &[Value], kind: &str| -> Vec<Value> {
        rs.iter()
            .filter(|r| r["type"] == kind && r["mode"] == "managed")
            .map(|r| r["values"].clone())
            .collect()
    };
    let tag_list = |tags: &Value| -> Value {
        Value::Array(
            tags.as_object()
                .map(|t| {
                    t.iter()
                        .map(|(k, v)| json!({"Key": k, "Value": v}))
                        .collect()
                })
                .unwrap_or_default(),
        )
    };
    let network = resources("network");
    let routing = resources("network-routing");
    let mut attachments = Vec::new();
    for a in of(&network, "aws_ec2_transit_gateway_vpc_attachment") {
        attachments.push(json!({
            "TransitGatewayAttachmentId": a["id"], "ResourceType": "vpc",
            "ResourceId": a["vpc_id"], "State": "available", "Tags": tag_list(&a["tags"]),
        }));
    }
    let owner_tags = of(&routing, "aws_ec2_tag");
    for spoke in ["agents", "tenants"] {
        for a in of(&resources(spoke), "aws_ec2_transit_gateway_vpc_attachment") {
            let tags: Vec<Value> = owner_tags
                .iter()
                .filter(|t| t["resource_id"] == a["id"])
                .map(|t| json!({"Key": t["key"], "Value": t["value"]}))
                .collect();
            assert!(tags.len() >= 4, "the owner tags {}", a["id"]);
            attachments.push(json!({
                "TransitGatewayAttachmentId": a["id"], "ResourceType": "vpc",
                "ResourceId": a["vpc_id"], "State": "available", "Tags": tags,
            }));
        }
    }
    let write = |relative: &str, value: &Value| {
        let path = out.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, value.to_string()).unwrap();
    };
    write(
        "transit-gateway-attachments.json",
        &json!({ "TransitGatewayAttachments": attachments }),
    );
    let tables = of(&routing, "aws_ec2_transit_gateway_route_table");
    write(
        "transit-gateway-route-tables.json",
        &json!({"TransitGatewayRouteTables": tables.iter().map(|t| json!({
            "TransitGatewayRouteTableId": t["id"], "Tags": tag_list(&t["tags"]),
        })).collect::<Vec<_>>()}),
    );
    for table in &tables {
        let id = table["id"].as_str().unwrap();
        let links = |kind: &str, state: &str| -> Vec<Value> {
            let mut links: Vec<Value> = of(&routing, kind)
                .iter()
                .filter(|l| l["transit_gateway_route_table_id"] == id)
                .map(|l| json!({"TransitGatewayAttachmentId": l["transit_gateway_attachment_id"], "State": state}))
                .collect();
            if let Some((t, a)) = extra_propagation
                && t == id
                && state == "enabled"
            {
                links.push(json!({"TransitGatewayAttachmentId": a, "State": "enabled"}));
            }
            links
        };
        write(
            &format!("route-tables/{id}/associations.json"),
            &json!({"Associations": links("aws_ec2_transit_gateway_route_table_association", "associated")}),
        );
        write(
            &format!("route-tables/{id}/propagations.json"),
            &json!({"TransitGatewayRouteTablePropagations": links("aws_ec2_transit_gateway_route_table_propagation", "enabled")}),
        );
        let routes: Vec<Value> = of(&routing, "aws_ec2_transit_gateway_route")
            .iter()
            .filter(|r| r["transit_gateway_route_table_id"] == id)
            .map(|r| {
                if r["blackhole"] == true {
                    json!({"DestinationCidrBlock": r["destination_cidr_block"], "Type": "static", "State": "blackhole"})
                } else {
                    json!({"DestinationCidrBlock": r["destination_cidr_block"], "Type": "static", "State": "active",
                           "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": r["transit_gateway_attachment_id"]}]})
                }
            })
            .collect();
        write(
            &format!("route-tables/{id}/routes.json"),
            &json!({"Routes": routes, "AdditionalRoutesAvailable": false}),
        );
    }
}

/// `--aws DIR` collected in the gateway owner's account is enough for a platform across accounts:
/// the owner's tags name every attachment; an out-of-band propagation is found, its stack named.
#[test]
fn the_owner_accounts_aws_view_maps_every_attachment() {
    let root = clean_states();
    let clean = root.path().join("clean");
    let bp = blueprint();
    let aws = root.path().join("aws");
    owner_view(&clean, &aws, None);
    let out = run(&["propagation", &bp, "--aws", &aws.display().to_string()]);
    out.assert_success();
    let agents = value_of(
        &read(&clean.join("agents.json")),
        "aws_ec2_transit_gateway_vpc_attachment.agents",
        "id",
    );
    let tenants_table = value_of(
        &read(&clean.join("network-routing.json")),
        "aws_ec2_transit_gateway_route_table.core_tenants",
        "id",
    );
    let leaky = root.path().join("aws-leak");
    owner_view(&clean, &leaky, Some((&tenants_table, &agents)));
    let out = run(&["propagation", &bp, "--aws", &leaky.display().to_string()]);
    out.assert_status(2);
    assert!(
        out.stdout.contains(&format!(
            "leak: stack `network-routing`: segment `core/tenants` leaked: it receives the routes of `vpc.agents` ({agents})"
        )),
        "{}",
        out.stdout
    );
}
