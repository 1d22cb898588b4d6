//! Transit gateway routing as deployed, in one shape whatever it was read from: attachments and
//! route tables with their tags, associations, propagations (with their state) and static routes,
//! and the VPC route tables' routes toward a transit gateway (where a packet sent into a VPC goes
//! next).
//! [`from_state`] reads it from Terraform state (which holds only what Terraform manages);
//! [`super::aws::read_dir`] from the AWS CLI's responses (which hold everything).

use super::{Deployed, Resource};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The tags of one AWS object.
pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, Default)]
pub struct ObservedAttachment {
    pub id: String,
    /// `vpc`, `direct-connect-gateway`, … (as AWS names it).
    pub resource_type: String,
    /// The VPC or gateway behind the attachment.
    pub resource_id: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default)]
pub struct ObservedTable {
    pub id: String,
    pub tags: Tags,
}

/// An association or a propagation: the pair of ids that identifies it, and its state.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    pub table: String,
    pub attachment: String,
    /// `associated`, `enabled`, `enabling`, `disabled`, …; what state holds is taken as `associated`
    /// or `enabled` (Terraform records no state for these).
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObservedRoute {
    pub table: String,
    pub destination: String,
    /// The target attachment; `None` for a blackhole.
    pub attachment: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub attachments: Vec<ObservedAttachment>,
    pub tables: Vec<ObservedTable>,
    pub associations: Vec<Link>,
    pub propagations: Vec<Link>,
    pub static_routes: Vec<ObservedRoute>,
    /// By VPC id: the destinations its route tables send to a transit gateway (all its tables
    /// together: a packet arriving in any AZ's attachment subnet that one of them sends back is a
    /// hairpin). A VPC whose tables were not read is absent.
    pub vpc_routes: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fields {
    id: String,
    tags: Option<Tags>,
    vpc_id: String,
    dx_gateway_id: String,
    transit_gateway_route_table_id: String,
    transit_gateway_attachment_id: String,
    destination_cidr_block: String,
    blackhole: bool,
    resource_id: String,
    key: String,
    value: String,
    route_table_id: String,
    transit_gateway_id: String,
}

/// An `aws_route_table` in state: its VPC, and its routes as last read (after a refresh they
/// include routes made outside Terraform).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RouteTableFields {
    id: String,
    vpc_id: String,
    route: Vec<InlineRoute>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InlineRoute {
    cidr_block: String,
    transit_gateway_id: String,
}

/// The routing of a state streamed from `input`.
pub fn from_state_stream(input: impl std::io::Read) -> anyhow::Result<Observed> {
    let mut reader = StateReader::default();
    super::stream_state(input, |r| reader.feed(r))?;
    Ok(reader.finish())
}

/// The transit gateway routing Terraform manages, from a state. Objects made outside Terraform are
/// not in state and so not here; `agentform propagation --aws DIR` sees them.
pub fn from_state(deployed: &Deployed<'_>) -> anyhow::Result<Observed> {
    let mut reader = StateReader::default();
    for resource in &deployed.resources {
        reader.feed(resource)?;
    }
    Ok(reader.finish())
}

/// [`from_state`] one resource at a time, for a streamed state.
#[derive(Default)]
pub struct StateReader {
    observed: Observed,
    /// Tags set by `aws_ec2_tag` (on Direct Connect gateway attachments, and by a gateway's owner
    /// on the attachments of other accounts), by object id.
    extra_tags: BTreeMap<String, Tags>,
    /// VPC route tables by id: their VPC.
    vpc_of_table: BTreeMap<String, String>,
    /// Routes toward a transit gateway, by VPC route table id.
    gateway_routes: BTreeMap<String, Vec<String>>,
    /// Outputs of other stacks that are attachment ids, with the attachment's tags there
    /// (`stacks::attachment_outputs`): `(stack, output)` → tags.
    remote: BTreeMap<(String, String), Tags>,
}

impl StateReader {
    /// A reader that also knows the attachments a stack reads from other stacks' states: a
    /// `data.terraform_remote_state.S` in state records the outputs it read, and an output of
    /// `remote` names the attachment (the gateway owner's routing stack reads the ids of its own
    /// account's attachments this way, and tags only the other accounts' ones).
    pub fn reading_remote(remote: BTreeMap<(String, String), Tags>) -> Self {
        StateReader {
            remote,
            ..StateReader::default()
        }
    }

    pub fn feed(&mut self, resource: &Resource<'_>) -> anyhow::Result<()> {
        if resource.kind == "terraform_remote_state" && !self.remote.is_empty() {
            #[derive(Deserialize, Default)]
            #[serde(default)]
            struct Read {
                outputs: BTreeMap<String, serde_json::Value>,
            }
            let read: Read = resource.fields()?;
            for (output, value) in read.outputs {
                let key = (resource.name.to_string(), output);
                if let (Some(tags), Some(id)) = (self.remote.get(&key), value.as_str()) {
                    self.observed.attachments.push(ObservedAttachment {
                        id: id.to_string(),
                        resource_type: "vpc".into(),
                        resource_id: String::new(),
                        tags: tags.clone(),
                    });
                }
            }
            return Ok(());
        }
        let observed = &mut self.observed;
        let kind = &*resource.kind;
        let relevant = matches!(
            kind,
            "aws_ec2_transit_gateway_vpc_attachment"
                | "aws_ec2_transit_gateway_vpc_attachment_accepter"
                | "aws_ec2_transit_gateway_dx_gateway_attachment"
                | "aws_ec2_transit_gateway_route_table"
                | "aws_ec2_transit_gateway_route_table_association"
                | "aws_ec2_transit_gateway_route_table_propagation"
                | "aws_ec2_transit_gateway_route"
                | "aws_ec2_tag"
                | "aws_route_table"
                | "aws_route"
        );
        if !relevant {
            return Ok(());
        }
        if kind == "aws_route_table" {
            if resource.is_managed() {
                let t: RouteTableFields = resource.fields()?;
                let routes = self.gateway_routes.entry(t.id.clone()).or_default();
                routes.extend(
                    t.route
                        .into_iter()
                        .filter(|r| !r.transit_gateway_id.is_empty() && !r.cidr_block.is_empty())
                        .map(|r| r.cidr_block),
                );
                self.vpc_of_table.insert(t.id, t.vpc_id);
            }
            return Ok(());
        }
        let f: Fields = resource.fields()?;
        let link = |state: &str| Link {
            table: f.transit_gateway_route_table_id.clone(),
            attachment: f.transit_gateway_attachment_id.clone(),
            state: state.to_string(),
        };
        match kind {
            "aws_ec2_transit_gateway_vpc_attachment" if resource.is_managed() => {
                observed.attachments.push(ObservedAttachment {
                    id: f.id.clone(),
                    resource_type: "vpc".into(),
                    resource_id: f.vpc_id.clone(),
                    tags: f.tags.clone().unwrap_or_default(),
                });
            }
            // The owner account's side of another account's attachment: the same attachment id
            // (`id`, and `transit_gateway_attachment_id`), known in the owner account by the tags
            // the owner sets on it with `aws_ec2_tag` (provider-facts §9.4); merged with the
            // creating account's side in `finish` when both stacks are read.
            "aws_ec2_transit_gateway_vpc_attachment_accepter" if resource.is_managed() => {
                let id = if f.id.is_empty() {
                    f.transit_gateway_attachment_id.clone()
                } else {
                    f.id.clone()
                };
                observed.attachments.push(ObservedAttachment {
                    id,
                    resource_type: "vpc".into(),
                    resource_id: f.vpc_id.clone(),
                    tags: f.tags.clone().unwrap_or_default(),
                });
            }
            // A Direct Connect gateway's attachment exists with its association; state reads it.
            "aws_ec2_transit_gateway_dx_gateway_attachment" => {
                observed.attachments.push(ObservedAttachment {
                    id: f.id.clone(),
                    resource_type: "direct-connect-gateway".into(),
                    resource_id: f.dx_gateway_id.clone(),
                    tags: f.tags.clone().unwrap_or_default(),
                });
            }
            "aws_ec2_transit_gateway_route_table" if resource.is_managed() => {
                observed.tables.push(ObservedTable {
                    id: f.id.clone(),
                    tags: f.tags.clone().unwrap_or_default(),
                });
            }
            "aws_ec2_transit_gateway_route_table_association" if resource.is_managed() => {
                observed.associations.push(link("associated"));
            }
            "aws_ec2_transit_gateway_route_table_propagation" if resource.is_managed() => {
                observed.propagations.push(link("enabled"));
            }
            "aws_ec2_transit_gateway_route" if resource.is_managed() => {
                observed.static_routes.push(ObservedRoute {
                    table: f.transit_gateway_route_table_id.clone(),
                    destination: f.destination_cidr_block.clone(),
                    attachment: (!f.blackhole && !f.transit_gateway_attachment_id.is_empty())
                        .then(|| f.transit_gateway_attachment_id.clone()),
                });
            }
            "aws_route" if resource.is_managed() && !f.transit_gateway_id.is_empty() => {
                self.gateway_routes
                    .entry(f.route_table_id.clone())
                    .or_default()
                    .push(f.destination_cidr_block.clone());
            }
            "aws_ec2_tag" if resource.is_managed() => {
                self.extra_tags
                    .entry(f.resource_id.clone())
                    .or_default()
                    .insert(f.key.clone(), f.value.clone());
            }
            _ => {}
        }
        Ok(())
    }

    pub fn finish(mut self) -> Observed {
        // One attachment may be read twice (the spoke's `aws_ec2_transit_gateway_vpc_attachment`
        // and the owner's accepter, from two stacks' states): one entry, tags merged (the later
        // stack's win; the owner-side `aws_ec2_tag`s below win over both), the VPC id kept.
        let mut merged: Vec<ObservedAttachment> = Vec::new();
        let mut position: BTreeMap<String, usize> = BTreeMap::new();
        for attachment in std::mem::take(&mut self.observed.attachments) {
            match position.get(&attachment.id) {
                Some(&i) => {
                    let kept = &mut merged[i];
                    kept.tags.extend(attachment.tags);
                    if kept.resource_id.is_empty() {
                        kept.resource_id = attachment.resource_id;
                    }
                }
                None => {
                    position.insert(attachment.id.clone(), merged.len());
                    merged.push(attachment);
                }
            }
        }
        self.observed.attachments = merged;
        for attachment in &mut self.observed.attachments {
            if let Some(tags) = self.extra_tags.get(&attachment.id) {
                attachment.tags.extend(tags.clone());
            }
        }
        for (table, vpc) in &self.vpc_of_table {
            let routes = self.observed.vpc_routes.entry(vpc.clone()).or_default();
            routes.extend(self.gateway_routes.remove(table).unwrap_or_default());
        }
        for routes in self.observed.vpc_routes.values_mut() {
            routes.sort();
            routes.dedup();
        }
        self.observed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spoke's attachment (its stack) and the owner's accepter with its `aws_ec2_tag`s (the
    /// routing stack) are one attachment, whichever is read first; the owner's tags win, the VPC
    /// id comes from whichever side has it.
    #[test]
    fn both_sides_of_an_attachment_across_accounts_are_one() {
        let spoke = r#"{"format_version": "1.0", "values": {"root_module": {"resources": [
          {"address": "aws_ec2_transit_gateway_vpc_attachment.agents", "mode": "managed",
           "type": "aws_ec2_transit_gateway_vpc_attachment", "name": "agents",
           "values": {"id": "tgw-attach-1", "vpc_id": "vpc-1",
                      "tags": {"Name": "spoke-side", "agentform:component": "vpc.agents"}}}]}}}"#;
        let owner = r#"{"format_version": "1.0", "values": {"root_module": {"resources": [
          {"address": "aws_ec2_transit_gateway_vpc_attachment_accepter.agents", "mode": "managed",
           "type": "aws_ec2_transit_gateway_vpc_attachment_accepter", "name": "agents",
           "values": {"id": "tgw-attach-1", "transit_gateway_attachment_id": "tgw-attach-1",
                      "tags": null}},
          {"address": "aws_ec2_tag.agents_attachment_name", "mode": "managed",
           "type": "aws_ec2_tag", "name": "agents_attachment_name",
           "values": {"resource_id": "tgw-attach-1", "key": "Name", "value": "owner-side"}},
          {"address": "aws_ec2_tag.agents_attachment_agentform_segment", "mode": "managed",
           "type": "aws_ec2_tag", "name": "agents_attachment_agentform_segment",
           "values": {"resource_id": "tgw-attach-1", "key": "agentform:segment", "value": "agents"}}
        ]}}}"#;
        for order in [[spoke, owner], [owner, spoke]] {
            let mut reader = StateReader::default();
            for text in order {
                super::super::stream_state(text.as_bytes(), |r| reader.feed(r)).unwrap();
            }
            let observed = reader.finish();
            assert_eq!(observed.attachments.len(), 1);
            let attachment = &observed.attachments[0];
            assert_eq!(attachment.id, "tgw-attach-1");
            assert_eq!(attachment.resource_id, "vpc-1");
            assert_eq!(attachment.tags["Name"], "owner-side");
            assert_eq!(attachment.tags["agentform:segment"], "agents");
            assert_eq!(attachment.tags["agentform:component"], "vpc.agents");
        }
        // The owner's side alone: known by the owner's tags.
        let mut reader = StateReader::default();
        super::super::stream_state(owner.as_bytes(), |r| reader.feed(r)).unwrap();
        let observed = reader.finish();
        assert_eq!(observed.attachments[0].tags["Name"], "owner-side");
        assert_eq!(observed.attachments[0].resource_id, "");
    }

    /// A stack that read an attachment id from another stack's outputs knows it by that stack's
    /// tags; outputs it was not told about are not attachments.
    #[test]
    fn attachments_read_from_another_stack_are_known_by_their_tags_there() {
        let routing = r#"{"format_version": "1.0", "values": {"root_module": {"resources": [
          {"address": "data.terraform_remote_state.network", "mode": "data",
           "type": "terraform_remote_state", "name": "network",
           "values": {"backend": "s3", "outputs": {"egress_attachment_id": "tgw-attach-9",
                                                   "core_transit_gateway_id": "tgw-1"}}}]}}}"#;
        let tags = Tags::from([("agentform:component".to_string(), "vpc.egress".to_string())]);
        let remote = BTreeMap::from([(
            ("network".to_string(), "egress_attachment_id".to_string()),
            tags.clone(),
        )]);
        let mut reader = StateReader::reading_remote(remote);
        super::super::stream_state(routing.as_bytes(), |r| reader.feed(r)).unwrap();
        let observed = reader.finish();
        assert_eq!(observed.attachments.len(), 1);
        assert_eq!(observed.attachments[0].id, "tgw-attach-9");
        assert_eq!(observed.attachments[0].tags, tags);
        let mut plain = StateReader::default();
        super::super::stream_state(routing.as_bytes(), |r| plain.feed(r)).unwrap();
        assert!(plain.finish().attachments.is_empty());
    }
}
