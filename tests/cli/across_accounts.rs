//! Issue 17, "done when, tried as an architect would": moving components into accounts of their
//! own changes the stacks, not the platform. The same blueprint in one account and across three
//! (`tests/fixtures/valid/accounts.hcl`) has the same reachability, segment and attachment
//! matrices, internet included; it generates one stack in one account and ordered stacks across
//! accounts; and `check` sees a stack directory of the old layout as stale.

use crate::common::Test;

const ACROSS: &str = include_str!("../fixtures/valid/accounts.hcl");

/// The blueprint before the move: every `account` block and `account =` placement removed, the
/// platform in the network account's id.
fn in_one_account() -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in ACROSS.lines() {
        if line.starts_with("account \"") {
            skipping = true;
        }
        if skipping {
            skipping = line != "}";
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("account ") && trimmed.contains("= \"") {
            if line.starts_with("  account     = \"network\"") {
                out.push_str("  account_id  = \"111111111111\"\n");
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn moving_components_into_their_own_accounts_keeps_every_matrix() {
    let before = in_one_account();
    assert!(!before.contains("account \"") && before.contains("account_id"));
    let t = Test::new()
        .file("one.hcl", before.as_bytes())
        .file("three.hcl", ACROSS.as_bytes());
    let dir = t.path("");
    let run = |args: &[&str]| Test::in_dir(&dir).args(args).run();
    for format in ["table", "json"] {
        let reach = |file: &str| {
            let out = run(&["reach", file, "--format", format]);
            assert_eq!(out.status, 0, "{}", out.stderr);
            out.stdout.replace(file, "BLUEPRINT")
        };
        assert_eq!(
            reach("one.hcl"),
            reach("three.hcl"),
            "reach --format {format}"
        );
    }
    // One account: one stack, no manifest. Three: the manifest and its stacks in apply order.
    let one = run(&["generate", "one.hcl", "--out", "one"]);
    assert_eq!(one.status, 0, "{}", one.stderr);
    assert!(t.path("one/agents/network.tf").is_file());
    assert!(!t.path("one/agents/manifest.json").exists());
    let three = run(&["generate", "three.hcl", "--out", "three"]);
    assert_eq!(three.status, 0, "{}", three.stderr);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.path("three/agents/manifest.json")).unwrap(),
    )
    .unwrap();
    let order: Vec<&str> = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "network",
            "agents",
            "tenants",
            "network-routing",
            "agents-routes",
            "tenants-routes"
        ]
    );
    // What AWS documents moves with the tenants: the owner shares the gateway and accepts and tags
    // their attachments; the tenants' account attaches (no default route-table arguments) and
    // routes once accepted.
    let read = |p: &str| std::fs::read_to_string(t.path(p)).unwrap();
    assert!(
        read("three/agents/network/network.tf")
            .contains("resource \"aws_ram_resource_share\" \"core\"")
    );
    assert!(
        read("three/agents/network/network.tf").contains("principal          = \"333333333333\"")
    );
    let routing = read("three/agents/network-routing/network.tf");
    assert!(
        routing
            .contains("resource \"aws_ec2_transit_gateway_vpc_attachment_accepter\" \"tenant_a\"")
    );
    assert!(routing.contains("resource \"aws_ec2_tag\" \"tenant_a_attachment_agentform_segment\""));
    assert!(routing.contains(
        "transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment_accepter.tenant_a.id"
    ));
    let tenants = read("three/agents/tenants/network.tf");
    assert!(tenants.contains("resource \"aws_ec2_transit_gateway_vpc_attachment\" \"tenant_a\""));
    assert!(!tenants.contains("transit_gateway_default_route_table_association"));
    assert!(
        !tenants.contains("aws_ram_resource_share_accepter"),
        "tenants is in an OU"
    );
    assert!(
        read("three/agents/agents/network.tf")
            .contains("resource \"aws_ram_resource_share_accepter\" \"core\"")
    );
    assert!(
        read("three/agents/tenants-routes/network.tf")
            .contains("resource \"aws_route\" \"tenant_a_to_")
    );

    // Generating the three-account platform where the one-account stack was: the old files are
    // stale and go; `check` is clean after.
    let moved = run(&["generate", "three.hcl", "--out", "one"]);
    assert_eq!(moved.status, 0, "{}", moved.stderr);
    assert!(!t.path("one/agents/network.tf").exists());
    assert!(t.path("one/agents/network-routing/network.tf").is_file());
    let check = run(&["check", "three.hcl", "--out", "one"]);
    assert_eq!(check.status, 0, "{}{}", check.stdout, check.stderr);
    // And back: the stacks of the three accounts are stale for the one-account blueprint.
    let check = run(&["check", "one.hcl", "--out", "one"]);
    assert_eq!(check.status, 2, "{}{}", check.stdout, check.stderr);
}
