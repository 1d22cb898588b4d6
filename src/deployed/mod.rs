//! What is deployed, read from outside: `terraform show -json` of a state or of a saved plan
//! ([`read_state`], [`read_plan`]), and the AWS CLI's transit gateway responses ([`aws`]).
//!
//! Inputs can be large (a 100 MB state), so the documents are read with typed `Deserialize` structs
//! that borrow from the text and skip every field they do not name; a resource's `values` stay raw
//! JSON until a check asks for them ([`Resource::values`]). No `serde_json::Value` of a whole file is
//! ever built.
//!
//! What is deployed is then judged against the blueprint: [`drift`] (resources and attributes
//! against the stack parsed back), [`propagation`] (transit gateway routing against the blueprint's
//! tables), and [`locate`] places their findings on the blueprint block responsible.

pub mod aws;
pub mod drift;
pub mod locate;
pub mod propagation;
pub mod stacks;
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
            Some(raw) => serde_json::from_str(raw.get()).with_context(|| {
                format!(
                    "unexpected values of `{}` (positions count from the start of its `values`)",
                    self.address
                )
            }),
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

/// A resource read from a stream, owned; [`OwnedResource::as_resource`] views it like a borrowed one.
#[derive(Debug, Deserialize)]
struct OwnedResource {
    address: String,
    #[serde(default)]
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    values: Option<Box<RawValue>>,
}

impl OwnedResource {
    fn as_resource(&self) -> Resource<'_> {
        Resource {
            address: Cow::Borrowed(&self.address),
            mode: Cow::Borrowed(&self.mode),
            kind: Cow::Borrowed(&self.kind),
            name: Cow::Borrowed(&self.name),
            values: self.values.as_deref(),
        }
    }
}

/// Reads `terraform show -json` of a state from `reader` one resource at a time, handing each to
/// `visit` (root module first, then child modules): memory stays flat whatever the file's size.
pub fn stream_state(
    reader: impl std::io::Read,
    mut visit: impl FnMut(&Resource<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    read_resources(reader, &mut |resource| visit(&resource.as_resource()))
}

/// [`stream_state`], the JSON read on a second thread a few hundred resources ahead of `visit` (a
/// bounded queue): reading and checking run side by side. For visitors with real work per resource
/// (`drift` parses and compares values); for light ones the hand-over costs more than it saves.
pub fn stream_state_ahead(
    reader: impl std::io::Read + Send,
    mut visit: impl FnMut(&Resource<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    /// Resources per hand-over, and hand-overs queued: at most about 2,000 resources in flight.
    const BATCH: usize = 256;
    const QUEUED: usize = 6;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<OwnedResource>>(QUEUED);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            read_resources(reader, &mut |resource| {
                batch.push(resource);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // The receiver is gone only when `visit` failed; that error is reported.
                    sender.send(full).map_err(|_| anyhow::anyhow!("stopped"))?;
                }
                Ok(())
            })?;
            sender.send(batch).map_err(|_| anyhow::anyhow!("stopped"))
        });
        let mut failure = None;
        'batches: for batch in &receiver {
            for resource in &batch {
                if let Err(error) = visit(&resource.as_resource()) {
                    failure = Some(error);
                    break 'batches;
                }
            }
        }
        drop(receiver);
        let read = reading.join().expect("reading does not panic");
        match failure {
            Some(error) => Err(error),
            None => read,
        }
    })
}

/// The resources of a state, in file order, to `visit`; fails without `format_version`.
fn read_resources(
    reader: impl std::io::Read,
    visit: &mut dyn FnMut(OwnedResource) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut failure = None;
    let mut visitor = stream::Visit {
        visit,
        failure: &mut failure,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let result =
        serde::de::DeserializeSeed::deserialize(stream::StateSeed(&mut visitor), &mut deserializer)
            .and_then(|seen| deserializer.end().map(|()| seen));
    if let Some(error) = failure {
        return Err(error);
    }
    let format_version = result.context("not JSON of `terraform show -json`")?;
    if !format_version {
        bail!("no `format_version`: not the output of `terraform show -json`");
    }
    Ok(())
}

/// The streaming reader's seeds: they walk `values.root_module` (and `child_modules`) and hand each
/// element of `resources` over as soon as it is read, skipping everything else.
mod stream {
    use super::OwnedResource;
    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::borrow::Cow;
    use std::fmt;

    pub(super) struct Visit<'v> {
        pub(super) visit: &'v mut dyn FnMut(OwnedResource) -> anyhow::Result<()>,
        pub(super) failure: &'v mut Option<anyhow::Error>,
    }

    /// The whole document; its value says whether `format_version` was present.
    pub(super) struct StateSeed<'s, 'v>(pub(super) &'s mut Visit<'v>);
    struct ValuesSeed<'s, 'v>(&'s mut Visit<'v>);
    struct ModuleSeed<'s, 'v>(&'s mut Visit<'v>);
    struct ResourcesSeed<'s, 'v>(&'s mut Visit<'v>);
    struct ModulesSeed<'s, 'v>(&'s mut Visit<'v>);

    impl<'de> DeserializeSeed<'de> for StateSeed<'_, '_> {
        type Value = bool;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for StateSeed<'_, '_> {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("the JSON object `terraform show -json` prints")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut format_version = false;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                match &*key {
                    "format_version" => {
                        map.next_value::<IgnoredAny>()?;
                        format_version = true;
                    }
                    "values" => map.next_value_seed(ValuesSeed(&mut *self.0))?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(format_version)
        }
    }

    /// Implements `DeserializeSeed` (as a map or a sequence) and `Visitor` for a seed whose
    /// `visit_*` is given.
    macro_rules! seed {
        ($seed:ident, $kind:ident, $expecting:literal, |$self:ident, $access:ident: $access_ty:ident| $body:block) => {
            impl<'de> DeserializeSeed<'de> for $seed<'_, '_> {
                type Value = ();
                fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                    d.$kind(self)
                }
            }
            impl<'de> Visitor<'de> for $seed<'_, '_> {
                type Value = ();
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str($expecting)
                }
                fn visit_unit<E: de::Error>(self) -> Result<(), E> {
                    Ok(())
                }
                seed!(@visit $kind, $self, $access, $access_ty, $body);
            }
        };
        (@visit deserialize_map, $self:ident, $access:ident, $access_ty:ident, $body:block) => {
            fn visit_map<A: MapAccess<'de>>($self, mut $access: A) -> Result<(), A::Error> $body
        };
        (@visit deserialize_seq, $self:ident, $access:ident, $access_ty:ident, $body:block) => {
            fn visit_seq<A: SeqAccess<'de>>($self, mut $access: A) -> Result<(), A::Error> $body
        };
    }

    seed!(
        ValuesSeed,
        deserialize_map,
        "`values`",
        |self, map: MapAccess| {
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == "root_module" {
                    map.next_value_seed(ModuleSeed(&mut *self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    );

    seed!(
        ModuleSeed,
        deserialize_map,
        "a module",
        |self, map: MapAccess| {
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                match &*key {
                    "resources" => map.next_value_seed(ResourcesSeed(&mut *self.0))?,
                    "child_modules" => map.next_value_seed(ModulesSeed(&mut *self.0))?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    );

    seed!(
        ModulesSeed,
        deserialize_seq,
        "a list of modules",
        |self, seq: SeqAccess| {
            while seq.next_element_seed(ModuleSeed(&mut *self.0))?.is_some() {}
            Ok(())
        }
    );

    seed!(
        ResourcesSeed,
        deserialize_seq,
        "a list of resources",
        |self, seq: SeqAccess| {
            while let Some(resource) = seq.next_element::<OwnedResource>()? {
                if let Err(error) = (self.0.visit)(resource) {
                    *self.0.failure = Some(error);
                    return Err(de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    );
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
    fn streaming_reads_the_same_resources() {
        let mut addresses = Vec::new();
        stream_state(STATE.as_bytes(), |r| {
            addresses.push((r.address.to_string(), r.is_managed(), r.values()?.len()));
            Ok(())
        })
        .unwrap();
        let read: Vec<(String, bool, usize)> = read_state(STATE)
            .unwrap()
            .resources
            .iter()
            .map(|r| {
                (
                    r.address.to_string(),
                    r.is_managed(),
                    r.values().unwrap().len(),
                )
            })
            .collect();
        assert_eq!(addresses, read);
        assert!(stream_state(&b"{\"format_version\": \"1.0\"}"[..], |_| Ok(())).is_ok());
        assert!(stream_state(&b"{\"values\": {}}"[..], |_| Ok(())).is_err());
        assert!(stream_state(&b"{\"format_version\": \"1.0\"} x"[..], |_| Ok(())).is_err());
        let stopped = stream_state(STATE.as_bytes(), |_| anyhow::bail!("no thanks"));
        assert_eq!(stopped.unwrap_err().to_string(), "no thanks");
    }

    /// Reading ahead on another thread: the same resources in the same order, over many hand-overs;
    /// a failing visit stops the reader and is the error reported; a reading error is reported.
    #[test]
    fn reading_ahead_reads_the_same_resources() {
        let resources: Vec<String> = (0..2_000)
            .map(|i| {
                format!(
                    r#"{{"address": "aws_vpc.v{i}", "mode": "managed", "type": "aws_vpc", "name": "v{i}", "values": {{"id": "vpc-{i}"}}}}"#
                )
            })
            .collect();
        let state = format!(
            r#"{{"format_version": "1.0", "values": {{"root_module": {{"resources": [{}], "child_modules": [{{"resources": [{}]}}]}}}}}}"#,
            resources[..1_500].join(","),
            resources[1_500..].join(",")
        );
        let read = |ahead: bool| {
            let mut seen = Vec::new();
            let visit = |r: &Resource<'_>| {
                seen.push((r.address.to_string(), r.values()?["id"].to_string()));
                Ok(())
            };
            if ahead {
                stream_state_ahead(state.as_bytes(), visit).unwrap();
            } else {
                stream_state(state.as_bytes(), visit).unwrap();
            }
            seen
        };
        let ahead = read(true);
        assert_eq!(ahead.len(), 2_000);
        assert_eq!(ahead[1_999].0, "aws_vpc.v1999");
        assert_eq!(ahead, read(false));
        let mut count = 0;
        let stopped = stream_state_ahead(state.as_bytes(), |_| {
            count += 1;
            if count == 700 {
                anyhow::bail!("no thanks");
            }
            Ok(())
        });
        assert_eq!(stopped.unwrap_err().to_string(), "no thanks");
        assert_eq!(count, 700);
        let truncated = &state[..state.len() - 10];
        assert!(stream_state_ahead(truncated.as_bytes(), |_| Ok(())).is_err());
        assert!(stream_state_ahead(&b"{\"values\": {}}"[..], |_| Ok(())).is_err());
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
