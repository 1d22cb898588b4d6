//! Synthetic blueprints for benchmarks and scale tests (`agentform synth`, hidden from help): N VPCs
//! over K segments, shaped like the reference platform. Segment `s0` is a shared-services hub that
//! every other segment connects to; the last segment is isolated (tenants); every other segment
//! sends `0.0.0.0/0` to an egress VPC in the hub and blackholes `192.168.0.0/16`. VPC `i` gets
//! `10.(i / 256).(i % 256).0/24` with two /26 subnets, so N can reach 65,536.
//!
//! [`state`] writes the `terraform show -json` a clean apply of a stack would leave, for the
//! `drift` and `propagation` benchmarks (`agentform synth-state`, hidden).

use crate::deployed::drift::{Expectations, Expected};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The blueprint text. `segments` is at least 1; `vpcs` at least 1 and at most 65,536.
pub fn blueprint(vpcs: usize, segments: usize) -> String {
    across_accounts(vpcs, segments, 1)
}

/// [`blueprint`] across `accounts` accounts: account `a0` owns the gateway and the egress VPC, and
/// VPC `i` lives in account `a(i mod accounts)`. One account is exactly [`blueprint`].
pub fn across_accounts(vpcs: usize, segments: usize, accounts: usize) -> String {
    assert!(segments >= 1 && (1..=65_536).contains(&vpcs) && (1..=1000).contains(&accounts));
    let mut out = String::new();
    out.push_str(&format!(
        "# Synthetic blueprint: {vpcs} VPCs over {segments} segments (agentform synth).\n\n"
    ));
    if accounts == 1 {
        out.push_str(
            "platform \"synth\" {\n  environment = \"bench\"\n  region      = \"us-east-1\"\n  account_id  = \"123456789012\"\n  awscc       = false\n}\n\n",
        );
    } else {
        out.push_str(
            "platform \"synth\" {\n  environment = \"bench\"\n  region      = \"us-east-1\"\n  account     = \"a0\"\n  awscc       = false\n  state {\n    bucket = \"synth-terraform-state\"\n  }\n}\n\n",
        );
        for a in 0..accounts {
            let _ = writeln!(
                out,
                "account \"a{a}\" {{\n  id   = \"{:012}\"\n  role = \"arn:aws:iam::{:012}:role/deploy\"\n}}\n",
                100_000_000_000_u64 + a as u64,
                100_000_000_000_u64 + a as u64
            );
        }
    }
    out.push_str("transit_gateway \"core\" {\n");
    for s in 0..segments {
        if s == 0 {
            out.push_str("  segment \"s0\" {}\n");
        } else if s == segments - 1 && segments > 2 {
            let _ = writeln!(
                out,
                "  segment \"s{s}\" {{\n    isolated    = true\n    connects_to = [\"s0\"]\n  }}"
            );
        } else {
            let _ = writeln!(out, "  segment \"s{s}\" {{ connects_to = [\"s0\"] }}");
        }
    }
    // Every segment but the hub and the isolated one sends its default route to the egress VPC.
    let isolated = usize::from(segments > 2);
    for s in 1..segments - isolated {
        let _ = writeln!(
            out,
            "  route \"s{s}-egress\" {{\n    segment     = \"s{s}\"\n    destination = \"0.0.0.0/0\"\n    target      = \"vpc.v0\"\n  }}\n  route \"s{s}-no-corp\" {{\n    segment     = \"s{s}\"\n    destination = \"192.168.0.0/16\"\n    blackhole   = true\n  }}"
        );
    }
    out.push_str("}\n");
    for i in 0..vpcs {
        let (a, b) = (i / 256, i % 256);
        // VPC 0 is the egress VPC in the hub; the rest spread over the segments.
        let segment = if i == 0 { 0 } else { i % segments };
        let egress = if i == 0 { "  internet_egress {}\n" } else { "" };
        let account = if accounts > 1 && i % accounts != 0 {
            format!("  account = \"a{}\"\n", i % accounts)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "\nvpc \"v{i}\" {{\n{account}  cidr    = \"10.{a}.{b}.0/24\"\n  azs     = [\"us-east-1a\", \"us-east-1b\"]\n  subnets = [\"10.{a}.{b}.0/26\", \"10.{a}.{b}.64/26\"]\n  segment = \"s{segment}\"\n{egress}}}\n"
        );
    }
    out
}

/// The AWS id prefix of a resource type, so synthetic ids look like real ones.
fn id_prefix(kind: &str) -> &'static str {
    match kind {
        "aws_vpc" => "vpc",
        "aws_subnet" => "subnet",
        "aws_route_table" => "rtb",
        "aws_ec2_transit_gateway" => "tgw",
        "aws_ec2_transit_gateway_route_table" => "tgw-rtb",
        "aws_ec2_transit_gateway_vpc_attachment" => "tgw-attach",
        "aws_default_security_group" => "sg",
        "aws_flow_log" => "fl",
        "aws_route_table_association" => "rtbassoc",
        "aws_internet_gateway" => "igw",
        "aws_nat_gateway" => "nat",
        "aws_eip" => "eipalloc",
        _ => "id",
    }
}

/// One resource of each type as the aws 5.100 provider records it, from a real apply (the emulator
/// stack): the synthetic state carries the same computed attributes, so its size per resource is
/// real (about 1 KB).
const SHAPES: &str = include_str!("../data/state-shapes.json");

/// A state as `terraform show -json` prints it after applying `expected` cleanly: every resource
/// shaped like the provider records it ([`SHAPES`]), with the attributes the blueprint sets, and
/// every referenced attribute filled in consistently (`aws_vpc.a.id` is the id `aws_vpc.a` has).
pub fn state(expected: &Expectations, out: &mut impl std::io::Write) -> std::io::Result<()> {
    state_numbered(expected, 0, &[], out)
}

/// The id a clean apply gives the resource at `index` (counted over the whole platform).
fn synthetic_id(kind: &str, index: usize) -> String {
    format!("{}-{index:017x}", id_prefix(kind))
}

/// The accepter of another account's attachment has that attachment's id.
fn accepted_id(resource: &crate::deployed::drift::ExpectedResource<'_>) -> Option<String> {
    if resource.kind() != "aws_ec2_transit_gateway_vpc_attachment_accepter" {
        return None;
    }
    resource.attributes().find_map(|(name, value)| match value {
        Expected::Literal(text) if name == "transit_gateway_attachment_id" => {
            Expected::value(text).as_str().map(str::to_string)
        }
        _ => None,
    })
}

/// [`state`], the resources numbered from `first` (so that the stacks of one platform have
/// distinct ids).
fn state_numbered(
    expected: &Expectations,
    first: usize,
    data: &[serde_json::Value],
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let shapes: BTreeMap<String, serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(SHAPES).expect("data/state-shapes.json is a map of value maps");
    let ids: BTreeMap<&str, String> = expected
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = accepted_id(&r).unwrap_or_else(|| synthetic_id(r.kind(), first + i));
            (r.address(), id)
        })
        .collect();
    let mut referenced: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for resource in expected.iter() {
        for (_, value) in resource.attributes() {
            if let Expected::Reference { address, attribute } = value {
                referenced.entry(address).or_default().insert(attribute);
            }
        }
    }
    let computed = |address: &str, attribute: &str| -> serde_json::Value {
        match (ids.get(address), attribute) {
            (Some(id), "id") => id.clone().into(),
            (Some(id), "arn") => format!("arn:aws:ec2:us-east-1:123456789012:{id}").into(),
            _ => format!("computed:{address}.{attribute}").into(),
        }
    };
    out.write_all(
        br#"{"format_version":"1.0","terraform_version":"1.11.0","values":{"root_module":{"resources":["#,
    )?;
    for (i, resource) in expected.iter().enumerate() {
        let mut values = shapes.get(resource.kind()).cloned().unwrap_or_default();
        if resource.kind() == "aws_ec2_transit_gateway_route" {
            // The recorded example is a blackhole; a route to an attachment is not.
            values.insert("blackhole".into(), false.into());
        }
        if resource.kind() == "aws_route_table" {
            // A table is read when it is created, before its `aws_route`s exist (the recorded
            // example had been refreshed since): a clean apply records no routes inline.
            values.insert("route".into(), serde_json::Value::Array(Vec::new()));
        }
        if resource.kind() == "aws_route" {
            // The recorded example targets a transit gateway; a route names only its own target.
            for target in [
                "gateway_id",
                "nat_gateway_id",
                "transit_gateway_id",
                "vpc_endpoint_id",
            ] {
                values.insert(target.into(), "".into());
            }
        }
        for attribute in ["id", "arn"] {
            values.insert(attribute.into(), computed(resource.address(), attribute));
        }
        values.insert("owner_id".into(), "123456789012".into());
        for attribute in referenced.get(resource.address()).into_iter().flatten() {
            values.insert((*attribute).into(), computed(resource.address(), attribute));
        }
        for (name, value) in resource.attributes() {
            let value = match value {
                Expected::Literal(text) => Expected::value(text),
                Expected::Reference { address, attribute } => computed(address, attribute),
            };
            values.insert(name.to_string(), value);
        }
        let mut tags_all = values
            .get("tags")
            .and_then(|t| t.as_object().cloned())
            .unwrap_or_default();
        tags_all.insert("agentform:platform".into(), "synth".into());
        tags_all.insert("agentform:environment".into(), "bench".into());
        values.insert("tags_all".into(), tags_all.into());
        values.insert("timeouts".into(), serde_json::Value::Null);
        let (kind, name) = resource
            .address()
            .split_once('.')
            .expect("an address is TYPE.NAME");
        let record = serde_json::json!({
            "address": resource.address(),
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 1,
            "values": values,
            "sensitive_values": {"tags": {}, "tags_all": {}},
            "depends_on": [],
        });
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &record)?;
    }
    for (i, record) in data.iter().enumerate() {
        if i > 0 || !expected.is_empty() {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, record)?;
    }
    out.write_all(b"]}}}\n")
}

/// The states of a clean apply of every stack of a platform across accounts, in manifest order:
/// `(stack, terraform show -json)`. Ids are distinct over the platform, and a value read from
/// another stack (`data.terraform_remote_state.S.outputs.O`) is the value that stack's output has:
/// the accepter in the owner's routing stack holds the id of the spoke's attachment.
pub fn states(
    files: &crate::emit::Files,
    stacks: &[crate::deployed::stacks::Stack],
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let texts: Vec<String> = stacks
        .iter()
        .map(|stack| {
            files
                .iter()
                .filter(|(path, _)| {
                    path.parent() == Some(stack.directory.as_path())
                        && path.extension().is_some_and(|e| e == "tf")
                })
                .map(|(_, text)| text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let index = |name: &str| stacks.iter().position(|s| s.name == name);
    // Each stack's resources before the remote values are known: their addresses and numbers.
    let mut first = Vec::new();
    let mut before = Vec::new();
    let mut count = 0;
    for text in &texts {
        let mut expected = Expectations::default();
        crate::deployed::drift::expected_in_text(text, &mut expected)?;
        first.push(count);
        count += expected.len();
        before.push(expected);
    }
    let platform = Platform {
        texts: &texts,
        before: &before,
        first: &first,
        stacks,
    };
    let mut states = Vec::new();
    for (k, text) in texts.iter().enumerate() {
        // Every remote value replaced by the string it has: the stack as it applies.
        let mut applied = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(crate::deployed::stacks::REMOTE) {
            applied.push_str(&rest[..at]);
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
                .unwrap_or(tail.len());
            let (stack, output) = crate::deployed::stacks::remote(&tail[..end])
                .ok_or_else(|| anyhow::anyhow!("unexpected `{}`", &tail[..end]))?;
            let from = index(stack).ok_or_else(|| anyhow::anyhow!("no stack `{stack}`"))?;
            let value = platform.resolve(from, output, 0)?;
            applied.push_str(&serde_json::to_string(&value)?);
            rest = &tail[end..];
        }
        applied.push_str(rest);
        let mut expected = Expectations::default();
        crate::deployed::drift::expected_in_text(&applied, &mut expected)?;
        // Each `terraform_remote_state` as read: the outputs this stack uses, with their values.
        let mut read: BTreeMap<&str, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(crate::deployed::stacks::REMOTE) {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
                .unwrap_or(tail.len());
            if let Some((stack, output)) = crate::deployed::stacks::remote(&tail[..end]) {
                let from = index(stack).ok_or_else(|| anyhow::anyhow!("no stack `{stack}`"))?;
                let value = platform.resolve(from, output, 0)?;
                read.entry(stack)
                    .or_default()
                    .insert(output.into(), value.into());
            }
            rest = &tail[end..];
        }
        let data: Vec<serde_json::Value> = read
            .into_iter()
            .map(|(stack, outputs)| {
                serde_json::json!({
                    "address": format!("data.terraform_remote_state.{stack}"),
                    "mode": "data",
                    "type": "terraform_remote_state",
                    "name": stack,
                    "provider_name": "terraform.io/builtin/terraform",
                    "schema_version": 0,
                    "values": {"backend": "s3", "outputs": outputs},
                    "sensitive_values": {"outputs": {}},
                })
            })
            .collect();
        let mut bytes = Vec::new();
        state_numbered(&expected, first[k], &data, &mut bytes)?;
        states.push((stacks[k].name.clone(), bytes));
    }
    Ok(states)
}

/// The stacks of a platform being synthesised: their texts, resources and first resource numbers.
struct Platform<'p> {
    texts: &'p [String],
    before: &'p [Expectations],
    first: &'p [usize],
    stacks: &'p [crate::deployed::stacks::Stack],
}

impl Platform<'_> {
    fn index(&self, name: &str) -> Option<usize> {
        self.stacks.iter().position(|s| s.name == name)
    }

    /// The value of output `name` of stack `k`: what its `value` refers to.
    fn resolve(&self, k: usize, name: &str, depth: usize) -> anyhow::Result<String> {
        anyhow::ensure!(depth < 16, "outputs refer to each other in a cycle");
        let value = crate::deployed::stacks::output_value(&self.texts[k], name)
            .ok_or_else(|| anyhow::anyhow!("no output `{name}` to read"))?;
        if let Some((stack, output)) = crate::deployed::stacks::remote(value) {
            let from = self
                .index(stack)
                .ok_or_else(|| anyhow::anyhow!("no stack `{stack}`"))?;
            return self.resolve(from, output, depth + 1);
        }
        let (address, attribute) = value
            .rsplit_once('.')
            .ok_or_else(|| anyhow::anyhow!("output `{name}` is `{value}`"))?;
        let (i, resource) = self.before[k]
            .iter()
            .enumerate()
            .find(|(_, r)| r.address() == address)
            .ok_or_else(|| anyhow::anyhow!("output `{name}` reads `{address}`, not declared"))?;
        let id = if resource.kind() == "aws_ec2_transit_gateway_vpc_attachment_accepter" {
            // Its attachment's id, which it reads from the spoke's stack.
            let text =
                crate::deployed::stacks::block_of(&self.texts[k], address).unwrap_or_default();
            let reference = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("transit_gateway_attachment_id"))
                .find_map(|rest| {
                    crate::deployed::stacks::remote(
                        rest.trim_start().trim_start_matches('=').trim(),
                    )
                })
                .ok_or_else(|| anyhow::anyhow!("accepter `{address}` names no attachment"))?;
            let from = self
                .index(reference.0)
                .ok_or_else(|| anyhow::anyhow!("no stack"))?;
            self.resolve(from, reference.1, depth + 1)?
        } else {
            synthetic_id(resource.kind(), self.first[k] + i)
        };
        Ok(match attribute {
            "id" => id,
            "arn" => format!("arn:aws:ec2:us-east-1:123456789012:{id}"),
            _ => format!("computed:{address}.{attribute}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_blueprints_are_valid() {
        for (vpcs, segments) in [(1, 1), (2, 2), (40, 4), (300, 7)] {
            let text = blueprint(vpcs, segments);
            let source = crate::source::SourceFile::from_text("synth.hcl", &text);
            let analysis = crate::analyze(&source, &crate::lower::Overrides::default());
            let errors: Vec<_> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(errors.is_empty(), "{vpcs}/{segments}: {errors:?}");
            assert_eq!(analysis.model().unwrap().vpcs.len(), vpcs);
        }
    }

    fn key(r: crate::deployed::drift::ExpectedResource<'_>) -> (&str, Vec<(&str, Expected<'_>)>) {
        (r.address(), r.attributes().collect())
    }

    #[test]
    fn a_synthetic_state_of_a_clean_apply_has_no_drift_and_no_propagation_findings() {
        let text = blueprint(40, 4);
        let source = crate::source::SourceFile::from_text("synth.hcl", &text);
        let crate::Planned { valid, plan } =
            crate::analyze(&source, &crate::lower::Overrides::default())
                .into_planned()
                .unwrap();
        let renderer = crate::render::Renderer::new();
        let files = crate::emit::generate(&plan, &renderer).unwrap();
        let expected = crate::deployed::drift::expected(&files).unwrap();
        // `drift` reads the stack part by part, unformatted: the same resources and attributes
        // (in plan order rather than file order).
        let mut parts = Expectations::default();
        crate::emit::terraform_parts(plan, &renderer, |_, text| {
            crate::deployed::drift::expected_in_text(text, &mut parts)
        })
        .unwrap();
        let sorted = |e: &Expectations| {
            let mut all: Vec<_> = e.iter().map(key).collect();
            all.sort_by(|a, b| a.0.cmp(b.0));
            format!("{all:?}")
        };
        assert_eq!(sorted(&parts), sorted(&expected));
        let mut bytes = Vec::new();
        state(&expected, &mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let deployed = crate::deployed::read_state(&text).unwrap();
        let drift = crate::deployed::drift::check(&expected, &deployed).unwrap();
        assert!(drift.is_clean(), "{}", drift.human());
        assert_eq!(drift.counts.compared, expected.len());
        let observed = crate::deployed::tgw::from_state(&deployed).unwrap();
        let propagation = crate::deployed::propagation::check(&valid, &observed, true);
        assert!(propagation.is_clean(), "{}", propagation.human());
    }
}
