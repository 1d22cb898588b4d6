//! What is deployed, read from outside: `terraform show -json` of a state or of a saved plan
//! ([`read_state`], [`read_plan`]), and the AWS CLI's transit gateway responses ([`aws`]).
//!
//! Inputs can be large (a 100 MB state), so the documents are read with typed `Deserialize` structs
//! that borrow from the text and skip every field they do not name; a resource's `values` stay raw
//! JSON until a check asks for them ([`Resource::values`]). No `serde_json::Value` of a whole file is
//! ever built.

pub mod aws;
pub mod tgw;

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

/// A resource as Terraform records it.
#[derive(Debug, Deserialize)]
pub struct Resource<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    #[serde(borrow, default)]
    pub mode: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub name: Cow<'a, str>,
    /// The attribute values, as raw JSON; `None` when Terraform recorded none.
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
}

impl<'a> Resource<'a> {
    /// Whether Terraform manages it (a `resource` block, not a `data` source).
    pub fn is_managed(&self) -> bool {
        self.mode == "managed"
    }

    /// The attribute values, parsed now (one resource at a time keeps memory flat).
    pub fn values(&self) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
        match self.values {
            Some(raw) => serde_json::from_str(raw.get())
                .with_context(|| format!("the values of `{}` are not a JSON object", self.address)),
            None => Ok(serde_json::Map::new()),
        }
    }

    /// The attribute values by name, each still raw JSON: cheap to get (nested values are skipped,
    /// not built), so a check parses only the attributes it compares.
    pub fn attributes(&self) -> anyhow::Result<HashMap<Cow<'a, str>, &'a RawValue>> {
        match self.values {
            Some(raw) => serde_json::from_str(raw.get())
                .with_context(|| format!("the values of `{}` are not a JSON object", self.address)),
            None => Ok(HashMap::new()),
        }
    }

    /// Only the attributes that name the resource and its links, without parsing the rest.
    pub fn fields<T: serde::de::DeserializeOwned + Default>(&self) -> anyhow::Result<T> {
        match self.values {
            Some(raw) => serde_json::from_str(raw.get())
                .with_context(|| format!("unexpected values of `{}`", self.address)),
            None => Ok(T::default()),
        }
    }
}

/// Where the deployed resources were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `terraform show -json` of a state.
    State,
    /// `terraform show -json` of a saved plan: its prior (refreshed) state and `resource_drift`.
    Plan,
}

/// Every resource of a state (root and child modules), in file order.
#[derive(Debug)]
pub struct Deployed<'a> {
    pub source: Source,
    pub resources: Vec<Resource<'a>>,
    /// For a plan: addresses Terraform saw changed outside Terraform (`resource_drift`), with the
    /// actions it recorded (`update`, `delete`).
    pub drifted: Vec<(String, Vec<String>)>,
}

#[derive(Deserialize)]
struct StateDoc<'a> {
    #[serde(default)]
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Option<ValuesDoc<'a>>,
}

#[derive(Deserialize)]
struct ValuesDoc<'a> {
    #[serde(borrow, default)]
    root_module: Option<ModuleDoc<'a>>,
}

#[derive(Deserialize)]
struct ModuleDoc<'a> {
    #[serde(borrow, default)]
    resources: Vec<Resource<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<ModuleDoc<'a>>,
}

#[derive(Deserialize)]
struct PlanDoc<'a> {
    #[serde(default)]
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    prior_state: Option<StateDoc<'a>>,
    #[serde(borrow, default)]
    resource_drift: Vec<ChangeDoc<'a>>,
    #[serde(borrow, default)]
    resource_changes: Vec<ChangeDoc<'a>>,
    #[serde(default)]
    planned_values: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct ChangeDoc<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow, default)]
    mode: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    change: ChangeBody<'a>,
}

#[derive(Deserialize)]
struct ChangeBody<'a> {
    #[serde(default)]
    actions: Vec<String>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
}

fn flatten<'a>(module: ModuleDoc<'a>, out: &mut Vec<Resource<'a>>) {
    out.extend(module.resources);
    for child in module.child_modules {
        flatten(child, out);
    }
}

fn state_resources(doc: StateDoc<'_>) -> Vec<Resource<'_>> {
    let mut resources = Vec::new();
    if let Some(root) = doc.values.and_then(|v| v.root_module) {
        flatten(root, &mut resources);
    }
    resources
}

/// Reads `terraform show -json` of a state. An empty state (no `values`) has no resources.
pub fn read_state(text: &str) -> anyhow::Result<Deployed<'_>> {
    let doc: StateDoc = serde_json::from_str(text).context("not JSON of `terraform show -json`")?;
    if doc.format_version.is_none() {
        bail!("no `format_version`: not the output of `terraform show -json`");
    }
    Ok(Deployed {
        source: Source::State,
        resources: state_resources(doc),
        drifted: Vec::new(),
    })
}

/// Reads `terraform show -json` of a saved plan. The deployed resources are the plan's prior state
/// (refreshed, unless the plan was made with `-refresh=false`), with `resource_drift` applied: an
/// object deleted outside Terraform is gone, an updated one has its refreshed values.
pub fn read_plan(text: &str) -> anyhow::Result<Deployed<'_>> {
    let doc: PlanDoc = serde_json::from_str(text).context("not JSON of `terraform show -json`")?;
    if doc.format_version.is_none()
        || (doc.planned_values.is_none() && doc.resource_changes.is_empty())
    {
        bail!("not a saved plan (`terraform show -json PLANFILE`): no `planned_values`");
    }
    let mut resources = doc.prior_state.map(state_resources).unwrap_or_default();
    let mut drifted = Vec::new();
    for drift in doc.resource_drift {
        let actions = drift.change.actions;
        let position = resources.iter().position(|r| r.address == drift.address);
        let deleted = actions.iter().any(|a| a == "delete");
        match (position, deleted) {
            (Some(i), true) => {
                resources.remove(i);
            }
            (Some(i), false) => resources[i].values = drift.change.after,
            (None, false) => resources.push(Resource {
                address: drift.address.clone(),
                mode: drift.mode,
                kind: drift.kind,
                name: drift.name,
                values: drift.change.after,
            }),
            (None, true) => {}
        }
        drifted.push((drift.address.into_owned(), actions));
    }
    Ok(Deployed {
        source: Source::Plan,
        resources,
        drifted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = r#"{
      "format_version": "1.0", "terraform_version": "1.11.0",
      "values": {"root_module": {"resources": [
        {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
         "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
         "values": {"id": "vpc-1", "cidr_block": "10.0.0.0/16", "tags": {"Name": "x"}},
         "sensitive_values": {}},
        {"address": "data.aws_region.r", "mode": "data", "type": "aws_region", "name": "r",
         "values": {"name": "us-east-1"}}
      ], "child_modules": [{"address": "module.m", "resources": [
        {"address": "module.m.aws_vpc.b", "mode": "managed", "type": "aws_vpc", "name": "b",
         "values": {"id": "vpc-2"}}]}]}}
    }"#;

    #[test]
    fn reads_root_and_child_module_resources() {
        let deployed = read_state(STATE).unwrap();
        let addresses: Vec<&str> = deployed.resources.iter().map(|r| &*r.address).collect();
        assert_eq!(
            addresses,
            ["aws_vpc.a", "data.aws_region.r", "module.m.aws_vpc.b"]
        );
        assert!(deployed.resources[0].is_managed());
        assert!(!deployed.resources[1].is_managed());
        assert_eq!(
            deployed.resources[0].values().unwrap()["cidr_block"],
            "10.0.0.0/16"
        );
    }

    #[test]
    fn an_empty_state_has_no_resources() {
        assert!(
            read_state(r#"{"format_version":"1.0"}"#)
                .unwrap()
                .resources
                .is_empty()
        );
        assert!(read_state(r#"{"values":{}}"#).is_err());
        assert!(read_state("[]").is_err());
    }

    #[test]
    fn a_plan_applies_resource_drift_to_its_prior_state() {
        let plan = r#"{
          "format_version": "1.2",
          "planned_values": {},
          "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
            {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
             "values": {"id": "vpc-1", "tags": {"Name": "old"}}},
            {"address": "aws_route.r", "mode": "managed", "type": "aws_route", "name": "r",
             "values": {"id": "r-1"}}
          ]}}},
          "resource_drift": [
            {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
             "change": {"actions": ["update"], "before": {}, "after": {"id": "vpc-1", "tags": {"Name": "new"}}}},
            {"address": "aws_route.r", "mode": "managed", "type": "aws_route", "name": "r",
             "change": {"actions": ["delete"], "before": {}, "after": null}}
          ],
          "resource_changes": []
        }"#;
        let deployed = read_plan(plan).unwrap();
        assert_eq!(deployed.resources.len(), 1);
        assert_eq!(
            deployed.resources[0].values().unwrap()["tags"]["Name"],
            "new"
        );
        assert_eq!(deployed.drifted.len(), 2);
        assert!(read_plan(STATE).is_err());
    }
}
