//! Transit gateway routing as AWS reports it: the AWS CLI's JSON responses, as
//! `scripts/collect-tgw.sh` lays them out (README, "The `--aws DIR` layout"):
//!
//! ```text
//! DIR/transit-gateway-attachments.json        aws ec2 describe-transit-gateway-attachments
//! DIR/transit-gateway-route-tables.json       aws ec2 describe-transit-gateway-route-tables
//! DIR/route-tables/<tgw-rtb-id>/associations.json   get-transit-gateway-route-table-associations
//! DIR/route-tables/<tgw-rtb-id>/propagations.json   get-transit-gateway-route-table-propagations
//! DIR/route-tables/<tgw-rtb-id>/routes.json         search-transit-gateway-routes (type=static)
//! DIR/vpc-route-tables.json                   describe-route-tables of the attached VPCs (optional:
//!                                             without it the blueprint's VPC routes stand in)
//! ```
//!
//! Associations come from each table's own list, not from the `Association` field of the
//! attachments (one place says which table an attachment uses; moto, for one, fills that field
//! with the gateway's default table).

use super::tgw::{Link, Observed, ObservedAttachment, ObservedRoute, ObservedTable, Tags};
use anyhow::Context as _;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Tag {
    key: String,
    value: String,
}

fn tags(list: Vec<Tag>) -> Tags {
    list.into_iter().map(|t| (t.key, t.value)).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttachmentsDoc {
    transit_gateway_attachments: Vec<AttachmentDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct AttachmentDoc {
    transit_gateway_attachment_id: String,
    resource_type: String,
    resource_id: String,
    state: String,
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TablesDoc {
    transit_gateway_route_tables: Vec<TableDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TableDoc {
    transit_gateway_route_table_id: String,
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociationsDoc {
    associations: Vec<LinkDoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PropagationsDoc {
    transit_gateway_route_table_propagations: Vec<LinkDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct LinkDoc {
    transit_gateway_attachment_id: String,
    state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoutesDoc {
    routes: Vec<RouteDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RouteDoc {
    destination_cidr_block: String,
    #[serde(rename = "Type")]
    kind: String,
    state: String,
    transit_gateway_attachments: Vec<RouteAttachmentDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RouteAttachmentDoc {
    transit_gateway_attachment_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VpcTablesDoc {
    route_tables: Vec<VpcTableDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct VpcTableDoc {
    vpc_id: String,
    routes: Vec<VpcRouteDoc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct VpcRouteDoc {
    destination_cidr_block: String,
    transit_gateway_id: String,
    state: String,
}

/// Where the files of the layout come from: a directory, or (for the fuzz target) memory. `file`
/// gets a path relative to the layout's root with `/` separators and returns the file's text, or
/// `None` when it does not exist; `display` names that path in messages.
pub trait Layout {
    fn file(&mut self, relative: &str) -> anyhow::Result<Option<String>>;
    fn display(&self, relative: &str) -> String;
}

struct Dir<'a>(&'a Path);

/// The largest AWS CLI response read (a route table of 10,000 routes is a few MiB).
const MAX_RESPONSE_BYTES: u64 = 256 << 20;

impl Layout for Dir<'_> {
    fn file(&mut self, relative: &str) -> anyhow::Result<Option<String>> {
        let path = self.0.join(relative);
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        anyhow::ensure!(
            size <= MAX_RESPONSE_BYTES,
            "{} is {} MiB; AWS CLI responses above {} MiB are refused",
            path.display(),
            size >> 20,
            MAX_RESPONSE_BYTES >> 20
        );
        match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not UTF-8 (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    fn display(&self, relative: &str) -> String {
        self.0.join(relative).display().to_string()
    }
}

fn read<T: serde::de::DeserializeOwned>(
    layout: &mut dyn Layout,
    relative: &str,
) -> anyhow::Result<T> {
    let display = layout.display(relative);
    let text = layout
        .file(relative)?
        .with_context(|| format!("cannot read {display}: no such file"))?;
    read_text(&text, &display)
}

fn read_text<T: serde::de::DeserializeOwned>(text: &str, display: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).with_context(|| {
        format!(
            "{display} is not the AWS CLI's JSON response this file holds (see README, \"The --aws DIR layout\")"
        )
    })
}

/// A route table id names a directory of the layout: one plain path component, nothing that
/// climbs out of it (`..`, `/`) or hides (`.`).
fn table_dir(id: &str) -> anyhow::Result<String> {
    let plain = !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\', '\0']);
    anyhow::ensure!(
        plain,
        "transit-gateway-route-tables.json lists the route table id {id:?}, which is not a plain directory name (AWS ids look like tgw-rtb-0123456789abcdef0)"
    );
    Ok(format!("route-tables/{id}"))
}

/// Reads a directory laid out by `scripts/collect-tgw.sh`. Deleted attachments are skipped; every
/// route table listed in `transit-gateway-route-tables.json` must have its three files.
pub fn read_dir(dir: &Path) -> anyhow::Result<Observed> {
    read_layout(&mut Dir(dir))
}

/// [`read_dir`] over any [`Layout`].
pub fn read_layout(layout: &mut dyn Layout) -> anyhow::Result<Observed> {
    let attachments: AttachmentsDoc = read(layout, "transit-gateway-attachments.json")?;
    let tables: TablesDoc = read(layout, "transit-gateway-route-tables.json")?;
    let mut observed = Observed::default();
    for a in attachments.transit_gateway_attachments {
        if matches!(
            a.state.as_str(),
            "deleted" | "deleting" | "failed" | "rejected"
        ) {
            continue;
        }
        observed.attachments.push(ObservedAttachment {
            id: a.transit_gateway_attachment_id,
            resource_type: a.resource_type,
            resource_id: a.resource_id,
            tags: tags(a.tags),
        });
    }
    for table in tables.transit_gateway_route_tables {
        let id = table.transit_gateway_route_table_id;
        let table_dir = table_dir(&id)?;
        let associations: AssociationsDoc =
            read(layout, &format!("{table_dir}/associations.json"))?;
        for link in associations.associations {
            observed.associations.push(Link {
                table: id.clone(),
                attachment: link.transit_gateway_attachment_id,
                state: link.state,
            });
        }
        let propagations: PropagationsDoc =
            read(layout, &format!("{table_dir}/propagations.json"))?;
        for link in propagations.transit_gateway_route_table_propagations {
            observed.propagations.push(Link {
                table: id.clone(),
                attachment: link.transit_gateway_attachment_id,
                state: link.state,
            });
        }
        let routes: RoutesDoc = read(layout, &format!("{table_dir}/routes.json"))?;
        for route in routes.routes {
            // Propagated routes follow from the propagations, which are judged themselves.
            if route.kind != "static" || route.state == "deleted" || route.state == "deleting" {
                continue;
            }
            let attachment = if route.state == "blackhole" {
                None
            } else {
                route
                    .transit_gateway_attachments
                    .into_iter()
                    .next()
                    .map(|a| a.transit_gateway_attachment_id)
            };
            observed.static_routes.push(ObservedRoute {
                table: id.clone(),
                destination: route.destination_cidr_block,
                attachment,
            });
        }
        observed.tables.push(ObservedTable {
            id,
            tags: tags(table.tags),
        });
    }
    if let Some(text) = layout.file("vpc-route-tables.json")? {
        let doc: VpcTablesDoc = read_text(&text, &layout.display("vpc-route-tables.json"))?;
        for table in doc.route_tables {
            let routes = observed.vpc_routes.entry(table.vpc_id).or_default();
            routes.extend(
                table
                    .routes
                    .into_iter()
                    // A blackhole route's target is gone: it sends nothing.
                    .filter(|r| !r.transit_gateway_id.is_empty() && r.state != "blackhole")
                    .map(|r| r.destination_cidr_block),
            );
        }
        for routes in observed.vpc_routes.values_mut() {
            routes.sort();
            routes.dedup();
        }
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn reads_the_collected_layout() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "transit-gateway-attachments.json",
            r#"{"TransitGatewayAttachments": [
              {"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "vpc", "ResourceId": "vpc-1",
               "State": "available", "Tags": [{"Key": "agentform:component", "Value": "vpc.a"}],
               "Association": {"TransitGatewayRouteTableId": "tgw-rtb-default", "State": "associated"}},
              {"TransitGatewayAttachmentId": "tgw-attach-2", "ResourceType": "vpc", "ResourceId": "vpc-2",
               "State": "deleted"}]}"#,
        );
        write(
            d,
            "transit-gateway-route-tables.json",
            r#"{"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-1",
               "Tags": [{"Key": "agentform:segment", "Value": "s"}]}]}"#,
        );
        write(
            d,
            "route-tables/tgw-rtb-1/associations.json",
            r#"{"Associations": [{"TransitGatewayAttachmentId": "tgw-attach-1", "State": "associated"}]}"#,
        );
        write(
            d,
            "route-tables/tgw-rtb-1/propagations.json",
            r#"{"TransitGatewayRouteTablePropagations": [{"TransitGatewayAttachmentId": "tgw-attach-1", "State": "disabled"}]}"#,
        );
        write(
            d,
            "route-tables/tgw-rtb-1/routes.json",
            r#"{"Routes": [
              {"DestinationCidrBlock": "10.0.0.0/16", "Type": "propagated", "State": "active"},
              {"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "active",
               "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1"}]},
              {"DestinationCidrBlock": "192.168.0.0/16", "Type": "static", "State": "blackhole"}],
             "AdditionalRoutesAvailable": false}"#,
        );
        let observed = read_dir(d).unwrap();
        assert_eq!(observed.attachments.len(), 1);
        assert_eq!(observed.attachments[0].tags["agentform:component"], "vpc.a");
        assert_eq!(observed.tables[0].tags["agentform:segment"], "s");
        assert_eq!(observed.associations[0].table, "tgw-rtb-1");
        assert_eq!(observed.propagations[0].state, "disabled");
        assert_eq!(
            observed.static_routes,
            [
                ObservedRoute {
                    table: "tgw-rtb-1".into(),
                    destination: "0.0.0.0/0".into(),
                    attachment: Some("tgw-attach-1".into())
                },
                ObservedRoute {
                    table: "tgw-rtb-1".into(),
                    destination: "192.168.0.0/16".into(),
                    attachment: None
                },
            ]
        );
        std::fs::remove_file(d.join("route-tables/tgw-rtb-1/routes.json")).unwrap();
        assert!(read_dir(d).is_err());
    }
}
