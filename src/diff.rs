//! `agentform diff`: the semantic headline of a change between two versions of a blueprint, for the
//! reviewer of a pull request. A thousand-line diff of `generated/` does not say that a tenant can now
//! reach another tenant; this does, first.
//!
//! Both sides are valid models (the CLI runs the normal front end on each). What is compared:
//! - segment reachability, from the segregation engine (the matrices of `agentform reach`);
//! - who may reach each MCP ingress: consumer VPCs, allowed principals, context roles;
//! - spending authority per payment manager: limits raised or lowered, agents, merchants,
//!   connectors;
//! - IAM actions and targets per role, as the generated policies grant them;
//! - the generated stacks, rendered in memory and parsed back as `drift` does: resources added,
//!   destroyed, updated in place, and replaced because an argument in [`FORCE_NEW`] changed (or
//!   refers to a resource that is itself replaced).
//!
//! Nothing here prints; the CLI prints [`Diff::markdown`] or the JSON of [`Diff`].

use crate::deployed::drift::{Expectations, Expected};
use crate::model::{Guardrails, Model, PaymentManager};
use crate::render::read;
use crate::segregation::report::{ReachReport, Status};
use anyhow::Context as _;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// One resource type and the arguments whose change makes Terraform destroy the resource and create
/// it again, with why we believe it.
pub struct ForceNew {
    pub resource: &'static str,
    pub arguments: &'static [&'static str],
    pub basis: &'static str,
}

/// Arguments that force replacement on the resources a network change touches. Every argument
/// exists in the hashicorp/aws 5.100 schema (`terraform providers schema -json`); that schema does
/// not say which ones force a new resource, so each row cites its basis: the provider's resource
/// source (`ForceNew: true`) or the AWS API (no call modifies the attribute). `docs/replacement.md`
/// is generated from this table.
pub const FORCE_NEW: &[ForceNew] = &[
    ForceNew {
        resource: "aws_vpc",
        arguments: &["cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"],
        basis: "AWS API: a VPC's primary CIDR is fixed at `CreateVpc` (`AssociateVpcCidrBlock` only adds secondary blocks)",
    },
    ForceNew {
        resource: "aws_subnet",
        arguments: &[
            "availability_zone",
            "availability_zone_id",
            "cidr_block",
            "vpc_id",
        ],
        basis: "provider source `internal/service/ec2/vpc_subnet.go` (`ForceNew`); AWS API: no call moves or resizes a subnet",
    },
    ForceNew {
        resource: "aws_route_table",
        arguments: &["vpc_id"],
        basis: "AWS API: the VPC is fixed at `CreateRouteTable`",
    },
    ForceNew {
        resource: "aws_route",
        arguments: &["destination_cidr_block", "route_table_id"],
        basis: "AWS API: `ReplaceRoute` changes a route's target only; table and destination identify the route",
    },
    ForceNew {
        resource: "aws_flow_log",
        arguments: &[
            "iam_role_arn",
            "log_destination",
            "log_destination_type",
            "max_aggregation_interval",
            "traffic_type",
            "vpc_id",
        ],
        basis: "provider source `internal/service/ec2/vpc_flow_log.go` (`ForceNew`; the update changes tags only)",
    },
    ForceNew {
        resource: "aws_route_table_association",
        arguments: &["subnet_id"],
        basis: "AWS API: `ReplaceRouteTableAssociation` moves a subnet to another table; the subnet of an association is fixed",
    },
    ForceNew {
        resource: "aws_default_security_group",
        arguments: &["vpc_id"],
        basis: "AWS API: a VPC's default security group is created with the VPC and belongs to it",
    },
    ForceNew {
        resource: "aws_security_group",
        arguments: &["description", "name", "vpc_id"],
        basis: "AWS API: name, description and VPC are fixed at `CreateSecurityGroup` (only rules and tags change)",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway",
        arguments: &["multicast_support"],
        basis: "provider source `internal/service/ec2/transitgateway_.go` (`ForceNew`); `amazon_side_asn` is updated in place by `ModifyTransitGateway`, which AWS refuses while a Direct Connect gateway is attached",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway_route_table",
        arguments: &["transit_gateway_id"],
        basis: "AWS API: the gateway is fixed at `CreateTransitGatewayRouteTable`",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway_vpc_attachment",
        arguments: &["transit_gateway_id", "vpc_id"],
        basis: "provider source `internal/service/ec2/transitgateway_vpc_attachment.go` (`ForceNew`); `ModifyTransitGatewayVpcAttachment` changes subnets and options only",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway_route_table_association",
        arguments: &[
            "transit_gateway_attachment_id",
            "transit_gateway_route_table_id",
        ],
        basis: "AWS API: an association is only created and deleted (`AssociateTransitGatewayRouteTable`, `DisassociateTransitGatewayRouteTable`)",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway_route_table_propagation",
        arguments: &[
            "transit_gateway_attachment_id",
            "transit_gateway_route_table_id",
        ],
        basis: "AWS API: a propagation is only enabled and disabled (`EnableTransitGatewayRouteTablePropagation`, `DisableTransitGatewayRouteTablePropagation`)",
    },
    ForceNew {
        resource: "aws_ec2_transit_gateway_route",
        arguments: &[
            "blackhole",
            "destination_cidr_block",
            "transit_gateway_attachment_id",
            "transit_gateway_route_table_id",
        ],
        basis: "provider source `internal/service/ec2/transitgateway_route.go` (`ForceNew` on every argument; the resource has no update)",
    },
    ForceNew {
        resource: "aws_dx_gateway",
        arguments: &["amazon_side_asn"],
        basis: "provider source `internal/service/directconnect/gateway.go` (`ForceNew`); AWS API: `UpdateDirectConnectGateway` changes the name only",
    },
    ForceNew {
        resource: "aws_dx_gateway_association",
        arguments: &["associated_gateway_id", "dx_gateway_id"],
        basis: "AWS API: `UpdateDirectConnectGatewayAssociation` changes the allowed prefixes only",
    },
    ForceNew {
        resource: "aws_lb",
        arguments: &["internal", "load_balancer_type", "name"],
        basis: "AWS API: scheme, type and name are fixed at `CreateLoadBalancer` (no modify call takes them)",
    },
    ForceNew {
        resource: "aws_lb_target_group",
        arguments: &["name", "port", "protocol", "target_type", "vpc_id"],
        basis: "AWS API: `ModifyTargetGroup` changes health checks only",
    },
    ForceNew {
        resource: "aws_vpc_endpoint",
        arguments: &["service_name", "vpc_endpoint_type", "vpc_id"],
        basis: "AWS API: `ModifyVpcEndpoint` changes subnets, security groups, policy and DNS, never the VPC, service or type",
    },
    ForceNew {
        resource: "aws_vpc_endpoint_connection_accepter",
        arguments: &["vpc_endpoint_id", "vpc_endpoint_service_id"],
        basis: "AWS API: acceptance is one call per endpoint and service (`AcceptVpcEndpointConnections`)",
    },
];

/// The arguments of `resource` that force replacement.
pub fn forcing(resource: &str) -> &'static [&'static str] {
    FORCE_NEW
        .iter()
        .find(|row| row.resource == resource)
        .map_or(&[], |row| row.arguments)
}

/// `docs/replacement.md`: the table, for people.
pub fn replacement_reference_markdown() -> String {
    let mut out = String::from(
        "# Arguments that force replacement\n\n\
         <!-- Generated from `FORCE_NEW` in src/diff.rs by `AGENTFORM_BLESS=1 cargo test --test docs`. -->\n\n\
         `agentform diff` reports a resource as **replaced** (destroyed, then created again) when one of\n\
         these arguments changes between the two generated stacks, or refers to a resource that is itself\n\
         replaced (its `id` or `arn` is only known after the new one exists). Every argument exists in the\n\
         hashicorp/aws 5.100 schema; that schema does not mark replacement, so each row gives its basis.\n\
         Resource types not listed here are reported as updated in place.\n\n\
         | Resource | Arguments | Basis |\n|---|---|---|\n",
    );
    for row in FORCE_NEW {
        let arguments: Vec<String> = row.arguments.iter().map(|a| format!("`{a}`")).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            row.resource,
            arguments.join(", "),
            row.basis
        );
    }
    out
}

/// One side of the comparison: a valid model, the resources its stack declares (as `drift` reads
/// them) and the text of every block of the stack ([`blocks`]).
pub struct Side<'a> {
    pub model: &'a Model,
    pub resources: &'a Expectations,
    pub blocks: &'a BTreeMap<String, String>,
}

/// Every top-level `resource` and `data` block of the generated Terraform files by address
/// (`TYPE.NAME`, `data.TYPE.NAME`), its text without comments and blank lines: two blocks with the
/// same text declare the same thing, including nested blocks and values known only after apply.
pub fn blocks(files: &crate::emit::Files) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if path.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        for chunk in read::top_level_chunks(text) {
            let Some(address) = read::header(chunk).and_then(|h| h.address()) else {
                continue;
            };
            let body: Vec<&str> = read::body(chunk).collect();
            out.insert(address, body.join("\n"));
        }
    }
    out
}

#[derive(Debug, Serialize)]
pub struct Diff {
    /// How the old and new sides are named (a file, or `FILE@REV`).
    pub old: String,
    pub new: String,
    /// The headline, most important first; the same lines open the markdown.
    pub summary: Vec<String>,
    pub reachability: Vec<ReachChange>,
    pub ingress: Vec<IngressChange>,
    pub payments: Vec<PaymentChange>,
    pub iam: Vec<RoleChange>,
    pub resources: ResourceChanges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Gained,
    Lost,
    Changed,
    Added,
    Removed,
}

/// A pair of segments (unordered: reachability needs both directions) whose reachability changed.
#[derive(Debug, Serialize)]
pub struct ReachChange {
    pub transit_gateway: String,
    pub segments: [String; 2],
    /// `gained` (no attachment pair had traffic before), `lost` (none has now) or `changed`.
    pub change: Change,
    /// Attachment pairs by verdict, before and after (`null` where the segment did not exist).
    pub before: Option<crate::segregation::reach::Cell>,
    pub after: Option<crate::segregation::reach::Cell>,
    /// Whether the blueprint intends the pair to talk, after the change.
    pub intended: bool,
    /// How the pair compares with the intent after the change (`leak`, `ok`, …).
    pub status: Option<Status>,
}

#[derive(Debug, Serialize)]
pub struct IngressChange {
    pub ingress: String,
    /// `added`, `removed` or `changed`.
    pub change: Change,
    pub consumers_added: Vec<String>,
    pub consumers_removed: Vec<String>,
    pub principals_added: Vec<String>,
    pub principals_removed: Vec<String>,
    /// `[old, new]` when the context-fetch or context-modify role changed.
    pub context_fetch_role: Option<[String; 2]>,
    pub context_modify_role: Option<[String; 2]>,
}

#[derive(Debug, Serialize)]
pub struct PaymentChange {
    pub payment_manager: String,
    pub change: Change,
    pub limits: Vec<LimitChange>,
    pub agents_added: Vec<String>,
    pub agents_removed: Vec<String>,
    pub merchants_added: Vec<String>,
    pub merchants_removed: Vec<String>,
    /// `NAME (provider)`.
    pub connectors_added: Vec<String>,
    pub connectors_removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct LimitChange {
    /// `daily_limit`, `session_limit`, `payment_limit`, `max_payments_per_day`, `burst` or
    /// `currency`.
    pub limit: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
    /// `raised`, `lowered`, `added`, `removed` or `changed` (currency).
    pub direction: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RoleChange {
    pub role: String,
    pub change: Change,
    pub actions_added: Vec<String>,
    pub actions_removed: Vec<String>,
    /// Policy resources (`*`, ARNs, `${aws_….arn}` references).
    pub targets_added: Vec<String>,
    pub targets_removed: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct ResourceChanges {
    pub added: Vec<String>,
    pub destroyed: Vec<String>,
    pub updated: Vec<Updated>,
    pub replaced: Vec<Replaced>,
}

#[derive(Debug, Serialize)]
pub struct Updated {
    pub address: String,
    /// Arguments whose value (known before apply) changed.
    pub arguments: Vec<String>,
    /// Whether anything else in the block changed: nested blocks, or values known after apply.
    pub other: bool,
    /// Changed data sources the resource reads (`data.aws_iam_policy_document.NAME`).
    pub reads: Vec<String>,
    /// Replaced resources it refers to through arguments that do not force replacement (an
    /// attachment's `subnet_ids`): their new ids are written in place.
    pub refers_to_replaced: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Replaced {
    pub address: String,
    /// The arguments that force it.
    pub arguments: Vec<String>,
    /// Replaced resources it refers to through those arguments.
    pub because_of: Vec<String>,
}

impl Diff {
    /// Whether anything differs that a reviewer should see (the CLI exits 2 then).
    pub fn has_changes(&self) -> bool {
        !(self.reachability.is_empty()
            && self.ingress.is_empty()
            && self.payments.is_empty()
            && self.iam.is_empty()
            && self.resources.added.is_empty()
            && self.resources.destroyed.is_empty()
            && self.resources.updated.is_empty()
            && self.resources.replaced.is_empty())
    }
}

/// Compares two sides.
pub fn diff(old_name: &str, old: &Side<'_>, new_name: &str, new: &Side<'_>) -> Diff {
    let mut diff = Diff {
        old: old_name.to_string(),
        new: new_name.to_string(),
        summary: Vec::new(),
        reachability: reachability(old.model, new.model),
        ingress: ingress(old.model, new.model),
        payments: payments(old.model, new.model),
        iam: iam(old.model, new.model),
        resources: resources(old, new),
    };
    diff.summary = summary(&diff);
    diff
}

// ---------------------------------------------------------------------------------------------
// Reachability

fn reachability(old: &Model, new: &Model) -> Vec<ReachChange> {
    type Key = (String, String, String);
    let cells = |model: &Model| {
        let report = ReachReport::segments_only(model);
        let mut out: BTreeMap<Key, (crate::segregation::reach::Cell, bool, Status)> =
            BTreeMap::new();
        for g in &report.transit_gateways {
            for c in &g.segment_matrix {
                // Unordered pairs: the verdict of a pair combines both directions, so (a, b) and
                // (b, a) count the same attachment pairs.
                let (a, b) = if c.from <= c.to {
                    (&c.from, &c.to)
                } else {
                    (&c.to, &c.from)
                };
                out.entry((g.name.clone(), a.clone(), b.clone()))
                    .or_insert((c.pairs, c.intended, c.status));
            }
        }
        out
    };
    let before = cells(old);
    let after = cells(new);
    let traffic = |c: &crate::segregation::reach::Cell| c.full + c.partial + c.one_way > 0;
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let b = before.get(key);
        let a = after.get(key);
        let had = b.is_some_and(|(c, _, _)| traffic(c));
        let has = a.is_some_and(|(c, _, _)| traffic(c));
        let change = match (had, has) {
            (false, true) => Change::Gained,
            (true, false) => Change::Lost,
            (true, true) if b.map(|x| x.0) != a.map(|x| x.0) => Change::Changed,
            _ => continue,
        };
        out.push(ReachChange {
            transit_gateway: key.0.clone(),
            segments: [key.1.clone(), key.2.clone()],
            change,
            before: b.map(|x| x.0),
            after: a.map(|x| x.0),
            intended: a.is_some_and(|x| x.1),
            status: a.map(|x| x.2),
        });
    }
    out.sort_by_key(|c| c.change);
    out
}

// ---------------------------------------------------------------------------------------------
// MCP ingress

fn ingress(old: &Model, new: &Model) -> Vec<IngressChange> {
    struct Access {
        consumers: BTreeSet<String>,
        principals: BTreeSet<String>,
        fetch: String,
        modify: String,
    }
    let access = |model: &Model| -> BTreeMap<String, Access> {
        model
            .ingresses
            .iter()
            .map(|i| {
                let access = Access {
                    consumers: i
                        .consumers
                        .iter()
                        .map(|v| model.vpc(v.value).name.value.clone())
                        .collect(),
                    principals: i
                        .allowed_principals
                        .iter()
                        .map(|p| p.value.clone())
                        .collect(),
                    fetch: model.role(i.context_fetch_role.value).name.value.clone(),
                    modify: model.role(i.context_modify_role.value).name.value.clone(),
                };
                (i.name.value.clone(), access)
            })
            .collect()
    };
    let before = access(old);
    let after = access(new);
    let empty = Access {
        consumers: BTreeSet::new(),
        principals: BTreeSet::new(),
        fetch: String::new(),
        modify: String::new(),
    };
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
        let role = |x: &String, y: &String| {
            (change == Change::Changed && x != y).then(|| [x.clone(), y.clone()])
        };
        let entry = IngressChange {
            ingress: name.clone(),
            change,
            consumers_added: minus(&a.consumers, &b.consumers),
            consumers_removed: minus(&b.consumers, &a.consumers),
            principals_added: minus(&a.principals, &b.principals),
            principals_removed: minus(&b.principals, &a.principals),
            context_fetch_role: role(&b.fetch, &a.fetch),
            context_modify_role: role(&b.modify, &a.modify),
        };
        let changed = change != Change::Changed
            || !(entry.consumers_added.is_empty()
                && entry.consumers_removed.is_empty()
                && entry.principals_added.is_empty()
                && entry.principals_removed.is_empty()
                && entry.context_fetch_role.is_none()
                && entry.context_modify_role.is_none());
        if changed {
            out.push(entry);
        }
    }
    out
}

fn minus(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

// ---------------------------------------------------------------------------------------------
// Payments

fn payments(old: &Model, new: &Model) -> Vec<PaymentChange> {
    let before = managers(old);
    let after = managers(new);
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let agents = |m: Option<&&PaymentManager>, model: &Model| -> BTreeSet<String> {
            m.map(|m| {
                m.agents
                    .iter()
                    .map(|r| model.role(r.value).name.value.clone())
                    .collect()
            })
            .unwrap_or_default()
        };
        let merchants = |m: Option<&&PaymentManager>| -> BTreeSet<String> {
            m.map(|m| {
                m.guardrails
                    .allowed_merchants
                    .value
                    .iter()
                    .map(|h| h.value.clone())
                    .collect()
            })
            .unwrap_or_default()
        };
        let connectors = |m: Option<&&PaymentManager>| -> BTreeSet<String> {
            m.map(|m| {
                m.connectors
                    .iter()
                    .map(|c| format!("{} ({})", c.name.value, c.provider.value.as_str()))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (agents_b, agents_a) = (agents(b, old), agents(a, new));
        let (merchants_b, merchants_a) = (merchants(b), merchants(a));
        let (connectors_b, connectors_a) = (connectors(b), connectors(a));
        let entry = PaymentChange {
            payment_manager: name.clone(),
            change,
            limits: limits(b.map(|m| &m.guardrails), a.map(|m| &m.guardrails)),
            agents_added: minus(&agents_a, &agents_b),
            agents_removed: minus(&agents_b, &agents_a),
            merchants_added: minus(&merchants_a, &merchants_b),
            merchants_removed: minus(&merchants_b, &merchants_a),
            connectors_added: minus(&connectors_a, &connectors_b),
            connectors_removed: minus(&connectors_b, &connectors_a),
        };
        let changed = change != Change::Changed
            || !(entry.limits.is_empty()
                && entry.agents_added.is_empty()
                && entry.agents_removed.is_empty()
                && entry.merchants_added.is_empty()
                && entry.merchants_removed.is_empty()
                && entry.connectors_added.is_empty()
                && entry.connectors_removed.is_empty());
        if changed {
            out.push(entry);
        }
    }
    out
}

fn managers(model: &Model) -> BTreeMap<String, &PaymentManager> {
    model
        .payment_managers
        .iter()
        .map(|m| (m.name.value.clone(), m))
        .collect()
}

/// Limit changes, each with its direction. A burst is compared as a rate (payments per minute).
fn limits(before: Option<&Guardrails>, after: Option<&Guardrails>) -> Vec<LimitChange> {
    // (name, text, comparable magnitude as a fraction numerator/denominator)
    let values = |g: &Guardrails| -> Vec<(&'static str, String, u128, u128)> {
        let money = |m: crate::model::Money| format!("{m} {}", g.currency.value);
        vec![
            (
                "daily_limit",
                money(g.daily_limit.value),
                u128::from(g.daily_limit.value.micros),
                1,
            ),
            (
                "session_limit",
                money(g.session_limit.value),
                u128::from(g.session_limit.value.micros),
                1,
            ),
            (
                "payment_limit",
                money(g.payment_limit.value),
                u128::from(g.payment_limit.value.micros),
                1,
            ),
            (
                "max_payments_per_day",
                g.max_payments_per_day.value.to_string(),
                u128::from(g.max_payments_per_day.value),
                1,
            ),
            (
                "burst",
                format!(
                    "{} payments per {} min",
                    g.burst.max_payments.value, g.burst.window_minutes.value
                ),
                u128::from(g.burst.max_payments.value),
                u128::from(g.burst.window_minutes.value.max(1)),
            ),
        ]
    };
    let mut out = Vec::new();
    if let (Some(b), Some(a)) = (before, after)
        && b.currency.value != a.currency.value
    {
        out.push(LimitChange {
            limit: "currency",
            before: Some(b.currency.value.clone()),
            after: Some(a.currency.value.clone()),
            direction: "changed",
        });
    }
    let b = before.map(values).unwrap_or_default();
    let a = after.map(values).unwrap_or_default();
    let names = [
        "daily_limit",
        "session_limit",
        "payment_limit",
        "max_payments_per_day",
        "burst",
    ];
    for name in names {
        let old = b.iter().find(|v| v.0 == name);
        let new = a.iter().find(|v| v.0 == name);
        let direction = match (old, new) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(o), Some(n)) => {
                // o.2 / o.3 against n.2 / n.3, exactly.
                match (n.2 * o.3).cmp(&(o.2 * n.3)) {
                    std::cmp::Ordering::Greater => "raised",
                    std::cmp::Ordering::Less => "lowered",
                    std::cmp::Ordering::Equal if o.1 != n.1 => "changed",
                    std::cmp::Ordering::Equal => continue,
                }
            }
            (None, None) => continue,
        };
        out.push(LimitChange {
            limit: name,
            before: old.map(|v| v.1.clone()),
            after: new.map(|v| v.1.clone()),
            direction,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// IAM

fn iam(old: &Model, new: &Model) -> Vec<RoleChange> {
    let grants = |model: &Model| -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
        let mut out = BTreeMap::new();
        for role in crate::plan::identity::plan(model)
            .map(|v| v.roles)
            .unwrap_or_default()
        {
            let mut actions = BTreeSet::new();
            let mut targets = BTreeSet::new();
            for s in &role.iam.statements {
                actions.extend(s.actions.iter().cloned());
                targets.extend(s.resources.iter().map(policy_resource));
            }
            out.insert(role.name, (actions, targets));
        }
        out
    };
    let before = grants(old);
    let after = grants(new);
    let empty = (BTreeSet::new(), BTreeSet::new());
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
        let entry = RoleChange {
            role: name.clone(),
            change,
            actions_added: minus(&a.0, &b.0),
            actions_removed: minus(&b.0, &a.0),
            targets_added: minus(&a.1, &b.1),
            targets_removed: minus(&b.1, &a.1),
        };
        if change != Change::Changed
            || !(entry.actions_added.is_empty()
                && entry.actions_removed.is_empty()
                && entry.targets_added.is_empty()
                && entry.targets_removed.is_empty())
        {
            out.push(entry);
        }
    }
    out
}

/// A policy resource as the generated HCL writes it: a literal, or `${reference}suffix`.
fn policy_resource(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => {
            let path = o.get("$ref").and_then(|v| v.as_str()).unwrap_or_default();
            let suffix = o
                .get("$suffix")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            format!("${{{path}}}{suffix}")
        }
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Resources

/// A resource's arguments by name.
type Arguments<'a> = BTreeMap<String, Expected<'a>>;

/// A stack's resources by address, each with its arguments.
fn index(resources: &Expectations) -> BTreeMap<String, Arguments<'_>> {
    resources
        .iter()
        .map(|r| {
            (
                r.address().to_string(),
                r.attributes().map(|(k, v)| (k.to_string(), v)).collect(),
            )
        })
        .collect()
}

fn resources(old_side: &Side<'_>, new_side: &Side<'_>) -> ResourceChanges {
    let (old, new) = (old_side.resources, new_side.resources);
    let before = index(old);
    let after = index(new);
    let mut out = ResourceChanges {
        added: after
            .keys()
            .filter(|a| !before.contains_key(*a))
            .cloned()
            .collect(),
        destroyed: before
            .keys()
            .filter(|a| !after.contains_key(*a))
            .cloned()
            .collect(),
        ..ResourceChanges::default()
    };
    let common: Vec<(&String, &Arguments, &Arguments)> = after
        .iter()
        .filter_map(|(address, a)| before.get(address).map(|b| (address, b, a)))
        .collect();
    // Replacement spreads through references: a resource that refers to a replaced one through a
    // forcing argument is replaced too, unless the referred attribute is known from configuration.
    let mut replaced: BTreeMap<String, Replaced> = BTreeMap::new();
    loop {
        let mut grew = false;
        for (address, b, a) in &common {
            if replaced.contains_key(*address) {
                continue;
            }
            let kind = address.split_once('.').map_or(address.as_str(), |(k, _)| k);
            let mut arguments = Vec::new();
            let mut because_of = Vec::new();
            for argument in forcing(kind) {
                let (old_value, new_value) = (b.get(*argument), a.get(*argument));
                if !same_value(old_value, new_value) {
                    arguments.push((*argument).to_string());
                } else if let Some(Expected::Reference { address, attribute }) = new_value
                    && replaced.contains_key(&**address)
                    && !after
                        .get(&**address)
                        .is_some_and(|r| matches!(r.get(&**attribute), Some(Expected::Literal(_))))
                {
                    arguments.push((*argument).to_string());
                    because_of.push(address.to_string());
                }
            }
            if !arguments.is_empty() {
                because_of.sort();
                because_of.dedup();
                replaced.insert(
                    (*address).clone(),
                    Replaced {
                        address: (*address).clone(),
                        arguments,
                        because_of,
                    },
                );
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let changed_data: Vec<&String> = new_side
        .blocks
        .iter()
        .filter(|(address, text)| {
            address.starts_with("data.") && old_side.blocks.get(*address) != Some(*text)
        })
        .map(|(address, _)| address)
        .collect();
    for (address, b, a) in &common {
        if replaced.contains_key(*address) {
            continue;
        }
        let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
        let arguments: Vec<String> = keys
            .into_iter()
            .filter(|k| !same_value(b.get(*k), a.get(*k)))
            .cloned()
            .collect();
        let text = |side: &Side<'_>| side.blocks.get(*address).cloned().unwrap_or_default();
        let new_text = text(new_side);
        let differs = text(old_side) != new_text;
        // A value read from a data source that changed (a policy document) changes too.
        let reads: Vec<String> = changed_data
            .iter()
            .filter(|d| new_text.contains(&format!("{d}.")))
            .map(|d| (*d).clone())
            .collect();
        let refers_to_replaced: Vec<String> = replaced
            .keys()
            .filter(|r| new_text.contains(&format!("{r}.")))
            .cloned()
            .collect();
        if !arguments.is_empty() || differs || !reads.is_empty() || !refers_to_replaced.is_empty() {
            out.updated.push(Updated {
                address: (*address).clone(),
                other: differs && arguments.is_empty(),
                arguments,
                reads,
                refers_to_replaced,
            });
        }
    }
    out.replaced = replaced.into_values().collect();
    out
}

fn same_value(a: Option<&Expected>, b: Option<&Expected>) -> bool {
    match (a, b) {
        (Some(Expected::Literal(x)), Some(Expected::Literal(y))) => {
            Expected::value(x) == Expected::value(y)
        }
        (x, y) => x == y,
    }
}

// ---------------------------------------------------------------------------------------------
// Headline and markdown

/// Items shown per list before "… and N more".
const LIST_CAP: usize = 50;
/// Items named in one headline line.
const HEADLINE_CAP: usize = 5;
/// The headline stops after this many bytes.
const HEADLINE_BYTES: usize = 10_000;
/// The markdown stays under this many characters (GitHub's comment limit is 65,536).
pub const MARKDOWN_CAP: usize = 60_000;

fn named(items: &[String], cap: usize) -> String {
    let mut text: Vec<String> = items.iter().take(cap).cloned().collect();
    if items.len() > cap {
        text.push(format!("… and {} more", items.len() - cap));
    }
    text.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pair_text(c: &ReachChange) -> String {
    let [a, b] = &c.segments;
    if a == b {
        format!("within `{a}`")
    } else {
        format!("`{a}` ↔ `{b}`")
    }
}

fn summary(d: &Diff) -> Vec<String> {
    let mut lines = Vec::new();
    for (change, verb) in [
        (Change::Gained, "gains reachability"),
        (Change::Lost, "loses reachability"),
        (Change::Changed, "changes reachability"),
    ] {
        let pairs: Vec<String> = d
            .reachability
            .iter()
            .filter(|c| c.change == change)
            .map(|c| {
                let mut text = pair_text(c);
                if change == Change::Gained && !c.intended {
                    text.push_str(" (not intended: leak)");
                }
                text
            })
            .collect();
        if !pairs.is_empty() {
            let subject = plural(pairs.len(), "segment pair", "segment pairs");
            let verb = if pairs.len() == 1 {
                verb.to_string()
            } else {
                verb.replacen("gains", "gain", 1)
                    .replacen("loses", "lose", 1)
                    .replacen("changes", "change", 1)
            };
            lines.push(format!("{subject} {verb}: {}", named(&pairs, HEADLINE_CAP)));
        }
    }
    if d.reachability.is_empty() {
        lines.push("No segment pair gains or loses reachability".to_string());
    }
    for i in &d.ingress {
        let mut parts = Vec::new();
        match i.change {
            Change::Added => parts.push("is new".to_string()),
            Change::Removed => parts.push("is removed".to_string()),
            _ => {}
        }
        let list = |label: &str, items: &[String]| {
            let items: Vec<String> = items.iter().map(|x| format!("`{x}`")).collect();
            (!items.is_empty()).then(|| format!("{label} {}", named(&items, HEADLINE_CAP)))
        };
        if i.change != Change::Removed {
            parts.extend(list("gains consumer VPCs", &i.consumers_added));
            parts.extend(list("gains principals", &i.principals_added));
        }
        if i.change != Change::Added {
            parts.extend(list("loses consumer VPCs", &i.consumers_removed));
            parts.extend(list("loses principals", &i.principals_removed));
        }
        for (label, role) in [
            ("context-fetch role", &i.context_fetch_role),
            ("context-modify role", &i.context_modify_role),
        ] {
            if let Some([b, a]) = role {
                parts.push(format!("{label} `{b}` → `{a}`"));
            }
        }
        lines.push(format!("MCP ingress `{}` {}", i.ingress, parts.join("; ")));
    }
    for p in &d.payments {
        let mut parts = Vec::new();
        match p.change {
            Change::Added => parts.push("is new".to_string()),
            Change::Removed => parts.push("is removed".to_string()),
            _ => {}
        }
        if p.change == Change::Changed {
            for l in &p.limits {
                parts.push(format!(
                    "`{}` {} ({} → {})",
                    l.limit,
                    l.direction,
                    l.before.as_deref().unwrap_or("none"),
                    l.after.as_deref().unwrap_or("none")
                ));
            }
        }
        for (label, items) in [
            ("agents added", &p.agents_added),
            ("agents removed", &p.agents_removed),
            ("merchants added", &p.merchants_added),
            ("merchants removed", &p.merchants_removed),
            ("connectors added", &p.connectors_added),
            ("connectors removed", &p.connectors_removed),
        ] {
            if !items.is_empty() && p.change == Change::Changed {
                let items: Vec<String> = items.iter().map(|x| format!("`{x}`")).collect();
                parts.push(format!("{label}: {}", named(&items, HEADLINE_CAP)));
            }
        }
        lines.push(format!(
            "Spending authority of payment manager `{}`: {}",
            p.payment_manager,
            parts.join("; ")
        ));
    }
    if !d.iam.is_empty() {
        let added: usize = d.iam.iter().map(|r| r.actions_added.len()).sum();
        let removed: usize = d.iam.iter().map(|r| r.actions_removed.len()).sum();
        let roles: Vec<String> = d.iam.iter().map(|r| format!("`{}`", r.role)).collect();
        lines.push(format!(
            "IAM: {} added, {} removed across {}: {}",
            plural(added, "action", "actions"),
            removed,
            plural(d.iam.len(), "role", "roles"),
            named(&roles, HEADLINE_CAP)
        ));
    }
    let r = &d.resources;
    if !r.replaced.is_empty() {
        let items: Vec<String> = r
            .replaced
            .iter()
            .filter(|x| x.because_of.is_empty())
            .map(|x| format!("`{}` (`{}`)", x.address, x.arguments.join("`, `")))
            .collect();
        lines.push(format!(
            "{} will be **replaced** (destroyed and created again), starting with {}",
            plural(r.replaced.len(), "resource", "resources"),
            named(&items, HEADLINE_CAP)
        ));
    }
    if !(r.added.is_empty()
        && r.destroyed.is_empty()
        && r.updated.is_empty()
        && r.replaced.is_empty())
    {
        lines.push(format!(
            "Resources: {} added, {} destroyed, {} updated in place, {} replaced",
            r.added.len(),
            r.destroyed.len(),
            r.updated.len(),
            r.replaced.len()
        ));
    }
    lines
}

impl Diff {
    /// A pull-request comment: the headline first, details collapsed, every list capped and the
    /// whole under [`MARKDOWN_CAP`] characters.
    pub fn markdown(&self) -> String {
        let mut out = format!("### agentform diff: `{}` → `{}`\n\n", self.old, self.new);
        if !self.has_changes() {
            out.push_str("No semantic difference: the generated stacks are the same.\n");
            return out;
        }
        // The headline has a line per ingress and payment manager that changed: bound it too.
        for (i, line) in self.summary.iter().enumerate() {
            if out.len() + line.len() > HEADLINE_BYTES {
                let _ = writeln!(out, "- … and {} more", self.summary.len() - i);
                break;
            }
            let _ = writeln!(out, "- {line}");
        }
        let sections = [
            self.reach_section(),
            self.ingress_section(),
            self.payments_section(),
            self.iam_section(),
            self.resources_section(),
        ];
        let closing = "\n_Details cut to stay within a comment; `agentform diff --format json` has everything._\n";
        for section in sections.into_iter().flatten() {
            if out.len() + section.len() + closing.len() > MARKDOWN_CAP {
                out.push_str(closing);
                return out;
            }
            out.push_str(&section);
        }
        out
    }

    fn reach_section(&self) -> Option<String> {
        if self.reachability.is_empty() {
            return None;
        }
        let rows: Vec<String> = self
            .reachability
            .iter()
            .map(|c| {
                let cell = |x: &Option<crate::segregation::reach::Cell>| {
                    x.map_or("—".to_string(), |c| {
                        format!(
                            "{} full, {} partial, {} one-way, {} none",
                            c.full, c.partial, c.one_way, c.none
                        )
                    })
                };
                format!(
                    "| `{}` | {} | {} | {} | {} | {} |",
                    c.transit_gateway,
                    pair_text(c),
                    match c.change {
                        Change::Gained => "gained",
                        Change::Lost => "lost",
                        _ => "changed",
                    },
                    cell(&c.before),
                    cell(&c.after),
                    c.status.map_or("—", Status::symbol),
                )
            })
            .collect();
        Some(details(
            &format!("Reachability ({})", self.reachability.len()),
            "Attachment pairs by verdict, before and after; status against the intent after the change.\n\n\
             | Transit gateway | Segments | Change | Before | After | Status |\n|---|---|---|---|---|---|\n",
            &rows,
        ))
    }

    fn ingress_section(&self) -> Option<String> {
        if self.ingress.is_empty() {
            return None;
        }
        let mut rows = Vec::new();
        for i in &self.ingress {
            owned_rows(
                &mut rows,
                &i.ingress,
                &[
                    ("consumer VPC added", &i.consumers_added),
                    ("consumer VPC removed", &i.consumers_removed),
                    ("principal added", &i.principals_added),
                    ("principal removed", &i.principals_removed),
                ],
            );
            for (label, role) in [
                ("context-fetch role", &i.context_fetch_role),
                ("context-modify role", &i.context_modify_role),
            ] {
                if let Some([b, a]) = role {
                    rows.push(format!("| `{}` | {label} | `{b}` → `{a}` |", i.ingress));
                }
            }
        }
        Some(details(
            &format!("MCP ingress ({})", self.ingress.len()),
            "| Ingress | Change | What |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn payments_section(&self) -> Option<String> {
        if self.payments.is_empty() {
            return None;
        }
        let mut rows = Vec::new();
        for p in &self.payments {
            for l in &p.limits {
                rows.push(format!(
                    "| `{}` | `{}` {} | {} → {} |",
                    p.payment_manager,
                    l.limit,
                    l.direction,
                    l.before.as_deref().unwrap_or("none"),
                    l.after.as_deref().unwrap_or("none")
                ));
            }
            owned_rows(
                &mut rows,
                &p.payment_manager,
                &[
                    ("agent added", &p.agents_added),
                    ("agent removed", &p.agents_removed),
                    ("merchant added", &p.merchants_added),
                    ("merchant removed", &p.merchants_removed),
                    ("connector added", &p.connectors_added),
                    ("connector removed", &p.connectors_removed),
                ],
            );
        }
        Some(details(
            &format!("Spending authority ({})", self.payments.len()),
            "| Payment manager | Change | Value |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn iam_section(&self) -> Option<String> {
        if self.iam.is_empty() {
            return None;
        }
        let mut rows = Vec::new();
        for r in &self.iam {
            owned_rows(
                &mut rows,
                &r.role,
                &[
                    ("action added", &r.actions_added),
                    ("action removed", &r.actions_removed),
                    ("target added", &r.targets_added),
                    ("target removed", &r.targets_removed),
                ],
            );
        }
        Some(details(
            &format!("IAM ({})", plural(self.iam.len(), "role", "roles")),
            "| Role | Change | Action or target |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn resources_section(&self) -> Option<String> {
        let r = &self.resources;
        let mut out = String::new();
        if !r.replaced.is_empty() {
            let rows: Vec<String> = r
                .replaced
                .iter()
                .map(|x| {
                    format!(
                        "| `{}` | `{}` | {} |",
                        x.address,
                        x.arguments.join("`, `"),
                        if x.because_of.is_empty() {
                            "changed".to_string()
                        } else {
                            format!("refers to replaced `{}`", x.because_of.join("`, `"))
                        }
                    )
                })
                .collect();
            out.push_str(&details(
                &format!("Replaced resources ({})", r.replaced.len()),
                "Arguments that force replacement: `docs/replacement.md`.\n\n\
                 | Resource | Arguments | Why |\n|---|---|---|\n",
                &rows,
            ));
        }
        for (title, items) in [
            ("Added resources", &r.added),
            ("Destroyed resources", &r.destroyed),
        ] {
            if !items.is_empty() {
                let rows: Vec<String> = items.iter().map(|a| format!("- `{a}`")).collect();
                out.push_str(&details(&format!("{title} ({})", items.len()), "", &rows));
            }
        }
        if !r.updated.is_empty() {
            let rows: Vec<String> = r
                .updated
                .iter()
                .map(|u| {
                    let mut what: Vec<String> =
                        u.arguments.iter().map(|a| format!("`{a}`")).collect();
                    if u.other {
                        what.push("nested blocks or values known after apply".to_string());
                    }
                    what.extend(u.reads.iter().map(|d| format!("reads changed `{d}`")));
                    what.extend(
                        u.refers_to_replaced
                            .iter()
                            .map(|r| format!("refers to replaced `{r}`")),
                    );
                    format!("- `{}`: {}", u.address, what.join(", "))
                })
                .collect();
            out.push_str(&details(
                &format!("Updated in place ({})", r.updated.len()),
                "",
                &rows,
            ));
        }
        (!out.is_empty()).then_some(out)
    }
}

/// A collapsed section with at most [`LIST_CAP`] rows.
fn details(summary: &str, header: &str, rows: &[String]) -> String {
    let mut out = format!("\n<details><summary>{summary}</summary>\n\n{header}");
    for row in rows.iter().take(LIST_CAP) {
        out.push_str(row);
        out.push('\n');
    }
    if rows.len() > LIST_CAP {
        let _ = writeln!(out, "\n… and {} more", rows.len() - LIST_CAP);
    }
    out.push_str("\n</details>\n");
    out
}

// ---------------------------------------------------------------------------------------------
// Git

/// The text of `path` at git revision `rev` (`git show REV:PATH`, the path taken relative to the
/// repository that holds it).
pub fn read_at_revision(path: &Path, rev: &str) -> anyhow::Result<String> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let dir = absolute
        .parent()
        .filter(|d| d.is_dir())
        .with_context(|| format!("{} is not in an existing directory", path.display()))?;
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .context("cannot run `git`; is it installed?")
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        anyhow::bail!(
            "{} is not in a git repository; `--git` compares with a revision of one",
            path.display()
        );
    }
    let top = std::path::PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let top = top.canonicalize().unwrap_or(top);
    let file_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let name = absolute
        .file_name()
        .context("the blueprint path names no file")?;
    let relative = file_dir
        .strip_prefix(&top)
        .with_context(|| format!("{} is outside its git repository", path.display()))?
        .join(name);
    let relative: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let relative = relative.join("/");
    let shown = git(&["show", &format!("{rev}:{relative}")])?;
    if !shown.status.success() {
        anyhow::bail!(
            "`{relative}` does not exist at git revision `{rev}`: {}",
            String::from_utf8_lossy(&shown.stderr).trim()
        );
    }
    String::from_utf8(shown.stdout)
        .with_context(|| format!("`{relative}` at `{rev}` is not UTF-8 text"))
}

/// One table row per item of each list: `| `owner` | label | `item` |`.
fn owned_rows(rows: &mut Vec<String>, owner: &str, lists: &[(&str, &Vec<String>)]) {
    for (label, items) in lists {
        rows.extend(
            items
                .iter()
                .map(|x| format!("| `{owner}` | {label} | `{x}` |")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists are capped per section; when the sections together would still pass the cap, the
    /// later ones are cut with a note. Rows this long do not come out of real blueprints easily,
    /// so the diff is built by hand.
    #[test]
    fn markdown_stays_under_the_cap() {
        let long = |i: usize| {
            format!(
                "aws_ec2_transit_gateway_route_table_propagation.{}_{i}",
                "x".repeat(900)
            )
        };
        let resources = ResourceChanges {
            added: (0..500).map(long).collect(),
            destroyed: (0..500).map(long).collect(),
            updated: Vec::new(),
            replaced: (0..500)
                .map(|i| Replaced {
                    address: long(i),
                    arguments: vec!["vpc_id".into()],
                    because_of: vec![long(i + 1)],
                })
                .collect(),
        };
        let mut diff = Diff {
            old: "old.hcl".into(),
            new: "new.hcl".into(),
            summary: Vec::new(),
            reachability: Vec::new(),
            ingress: Vec::new(),
            payments: Vec::new(),
            iam: Vec::new(),
            resources,
        };
        diff.summary = summary(&diff);
        let text = diff.markdown();
        assert!(text.len() <= MARKDOWN_CAP, "{} bytes", text.len());
        assert!(text.contains("Details cut to stay within a comment"));
        assert!(text.starts_with("### agentform diff: `old.hcl` → `new.hcl`\n\n- No segment pair"));
    }
}
