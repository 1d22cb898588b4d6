//! The files every stack has: `versions.tf` (Terraform and provider requirements), `providers.tf`
//! (region, account guard, default tags) and `outputs.tf` (ids later checks and stacks consume).

use super::Ref;
use super::checks::ChecksView;
use super::ingress::{IngressPlan, IngressView};
use super::interconnect::InterconnectView;
use super::labels::{LabelSpace, Owner};
use super::layout::Scope;
use super::naming;
use super::naming::Tags;
use super::network::NetworkView;
use super::payments::{self, ManagerView, PaymentsView};
use super::storage::{StorageView, Via, WorkspaceView};
use crate::diagram::Diagram;
use crate::model::{AttachmentRef, Model, PaymentManager, RouteAction, S3FilesId};
use crate::validate::ValidModel;
use serde::Serialize;
use std::collections::BTreeMap;

/// Terraform 1.5 introduced `check` blocks, which generated stacks use.
pub const REQUIRED_TERRAFORM: &str = ">= 1.5.0";
/// Terraform 1.10 introduced the S3 backend's native lock files (`use_lockfile`), which a stack
/// with a declared state backend uses.
pub const REQUIRED_TERRAFORM_S3_LOCKFILE: &str = ">= 1.10.0";

#[derive(Serialize)]
pub struct VersionsView {
    pub required_version: &'static str,
    pub aws_version: String,
    pub awscc_version: Option<String>,
    /// The stack's state in the platform's declared backend.
    pub backend: Option<BackendView>,
}

/// `backend "s3"`: the stack's state object, locked with an S3 lock file (no DynamoDB table).
#[derive(Serialize)]
pub struct BackendView {
    pub bucket: String,
    pub key: String,
    pub region: String,
}

/// `remote_state.tf`: the state of each stack this one reads values from.
#[derive(Serialize)]
pub struct RemoteStateView {
    pub stacks: Vec<RemoteStackView>,
}

#[derive(Serialize)]
pub struct RemoteStackView {
    pub label: super::labels::Resource,
    pub stack: String,
    pub account: String,
    pub outputs: Vec<String>,
    pub backend: BackendView,
}

#[derive(Serialize)]
pub struct ProvidersView {
    pub region: String,
    pub allowed_account_ids: Vec<String>,
    pub default_tags: Tags,
    pub awscc: bool,
}

#[derive(Serialize)]
pub struct OutputsView {
    pub outputs: Vec<OutputView>,
}

#[derive(Serialize)]
pub struct OutputView {
    pub name: String,
    pub description: String,
    /// A single value, or
    pub value: Option<serde_json::Value>,
    /// a map by blueprint name, written as a `for` expression over a list of `{ name, id }`
    /// objects: one line per entry for reviewers, and linear to parse (an object literal with
    /// thousands of keys is not).
    pub entries: Option<Vec<Entry>>,
}

#[derive(Serialize)]
pub struct Entry {
    pub name: String,
    pub id: Ref,
}

fn entries<'a>(pairs: impl IntoIterator<Item = (&'a str, Ref)>) -> Vec<Entry> {
    pairs
        .into_iter()
        .map(|(name, id)| Entry {
            name: name.to_string(),
            id,
        })
        .collect()
}

pub fn versions(model: &Model, uses_awscc: bool, scope: &Scope) -> VersionsView {
    let targets = &model.platform.providers;
    let backend = model
        .platform
        .state
        .as_ref()
        .map(|state| backend(state, &scope.spec().name));
    VersionsView {
        required_version: if backend.is_some() {
            REQUIRED_TERRAFORM_S3_LOCKFILE
        } else {
            REQUIRED_TERRAFORM
        },
        aws_version: targets.aws_constraint.clone(),
        awscc_version: uses_awscc.then(|| targets.awscc_constraint.clone()),
        backend,
    }
}

fn backend(state: &crate::model::accounts::StateBackend, stack: &str) -> BackendView {
    BackendView {
        bucket: state.bucket.value.clone(),
        key: super::manifest::state_key(&state.key_prefix, stack),
        region: state.region.clone(),
    }
}

/// The `terraform_remote_state` data sources of the stacks this one reads (`layout::crossings`).
pub fn remote_state(model: &Model, scope: &Scope, labels: &mut LabelSpace) -> RemoteStateView {
    let mut reads: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for crossing in scope.crossings.values() {
        if crossing.readers.contains(&scope.stack) {
            reads
                .entry(crossing.from)
                .or_default()
                .push(crossing.output.clone());
        }
    }
    if reads.is_empty() {
        return RemoteStateView { stacks: Vec::new() };
    }
    let state = model
        .platform
        .state
        .as_ref()
        .expect("validation requires a state backend for several stacks (AF962)");
    let owner = labels.owner(
        format!("the state of platform `{}`", model.platform.name.value),
        state.span,
    );
    RemoteStateView {
        stacks: reads
            .into_iter()
            .map(|(from, outputs)| {
                let spec = &scope.layout.stacks[from];
                RemoteStackView {
                    label: labels.claim(
                        owner,
                        "data.terraform_remote_state",
                        scope.remote_label(from),
                    ),
                    stack: spec.name.clone(),
                    account: model.accounts.account(spec.account).name.value.clone(),
                    outputs,
                    backend: backend(state, &spec.name),
                }
            })
            .collect(),
    }
}

pub fn providers(model: &Model, uses_awscc: bool) -> ProvidersView {
    ProvidersView {
        region: model.platform.region.clone(),
        allowed_account_ids: vec![model.platform.account_id.clone()],
        default_tags: naming::default_tags(model),
        awscc: uses_awscc,
    }
}

fn value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("output values serialize")
}

pub fn outputs(
    model: &Model,
    network: &NetworkView,
    interconnect: Option<&InterconnectView>,
    ingress: Option<&IngressView>,
    payments: Option<&PaymentsView>,
    labels: &mut LabelSpace,
    scope: &Scope,
) -> OutputsView {
    let mut outputs = Vec::new();
    let p = &model.platform;
    let platform = labels.owner(format!("platform `{}`", p.name.value), p.name.span);
    for (tgw, blueprint) in network
        .transit_gateways
        .iter()
        .zip(model.transit_gateways.iter())
    {
        if !tgw.create && tgw.route_tables.is_empty() {
            continue;
        }
        let from = outputs.len();
        if tgw.create {
            outputs.push(OutputView {
                name: format!("{}_transit_gateway_id", tgw.label.label),
                description: format!("Id of transit gateway `{}`", tgw.label.label),
                value: Some(value(&tgw.label.r("id"))),
                entries: None,
            });
        }
        if tgw.route_tables.is_empty() {
            let owner = labels.owner(
                format!("transit_gateway `{}`", blueprint.name.value),
                blueprint.name.span,
            );
            claim(labels, owner, &outputs[from..]);
            continue;
        }
        let tables: BTreeMap<&str, Ref> = tgw
            .route_tables
            .iter()
            .map(|t| (t.segment.as_str(), t.label.r("id")))
            .collect();
        outputs.push(OutputView {
            name: format!("{}_route_table_ids", tgw.label.label),
            description: format!(
                "Route table id of each segment of transit gateway `{}`",
                tgw.label.label
            ),
            value: None,
            entries: Some(entries(tables.iter().map(|(k, v)| (*k, v.clone())))),
        });
        let owner = labels.owner(
            format!("transit_gateway `{}`", blueprint.name.value),
            blueprint.name.span,
        );
        claim(labels, owner, &outputs[from..]);
    }
    let from = outputs.len();
    if network.vpcs.iter().any(|v| v.create) {
        let vpcs: BTreeMap<&str, Ref> = model
            .vpcs
            .iter()
            .zip(&network.vpc_slots)
            .filter_map(|(v, slot)| Some((v, &network.vpcs[(*slot)?])))
            .filter(|(_, view)| view.create)
            .map(|(v, view)| (v.name.value.as_str(), view.vpc_id.clone()))
            .collect();
        outputs.push(OutputView {
            name: "vpc_ids".to_string(),
            description: "Id of each VPC".to_string(),
            value: None,
            entries: Some(entries(vpcs.iter().map(|(k, v)| (*k, v.clone())))),
        });
    }
    let attachments: BTreeMap<String, Ref> = model
        .attachments()
        .filter(|a| match a {
            AttachmentRef::Vpc(id) => network.attachment_ids[id.0].is_some(),
            AttachmentRef::Interconnect(id) => {
                interconnect.is_some_and(|view| view.interconnects[id.0].here)
            }
        })
        .map(|a: AttachmentRef| {
            let id = match (a, interconnect) {
                (AttachmentRef::Interconnect(id), Some(view)) => {
                    view.interconnects[id.0].labels.attachment_id.clone()
                }
                _ => network.attachment_id(model, a),
            };
            (model.attachment_address(a), id)
        })
        .collect();
    if !attachments.is_empty() {
        outputs.push(OutputView {
            name: "transit_gateway_attachment_ids".to_string(),
            description: "Transit gateway attachment id of each attachment, by blueprint address"
                .to_string(),
            value: None,
            entries: Some(entries(
                attachments.iter().map(|(k, v)| (k.as_str(), v.clone())),
            )),
        });
    }
    if let Some(interconnect) = interconnect {
        let gateways: BTreeMap<&str, Ref> = interconnect
            .interconnects
            .iter()
            .map(|i| (i.name.as_str(), i.labels.dx_gateway_id.clone()))
            .collect();
        outputs.push(OutputView {
            name: "dx_gateway_ids".to_string(),
            description: "Direct Connect gateway id of each interconnect".to_string(),
            value: None,
            entries: Some(entries(gateways.iter().map(|(k, v)| (*k, v.clone())))),
        });
    }
    claim(labels, platform, &outputs[from..]);
    for (i, blueprint) in ingress
        .iter()
        .flat_map(|v| &v.ingresses)
        .zip(&model.ingresses)
    {
        let from = outputs.len();
        let output = |name: &str, description: String, attribute: Ref| OutputView {
            name: format!("{}_{name}", i.label),
            description,
            value: Some(value(&attribute)),
            entries: None,
        };
        outputs.push(output(
            "endpoint_service_name",
            format!(
                "Service name consumers use to create endpoints to MCP ingress `{}`",
                i.name
            ),
            i.labels.endpoint_service_name.clone(),
        ));
        if i.private_dns_name.is_some() {
            outputs.push(output(
                "private_dns_verification",
                format!(
                    "The DNS record (name, type, value) that proves ownership of the private DNS name of MCP ingress `{}`; publish it, then verify",
                    i.name
                ),
                i.labels
                    .endpoint_service
                    .r("private_dns_name_configuration"),
            ));
        }
        outputs.push(output(
            "servers_target_group_arn",
            format!(
                "Target group the MCP servers of ingress `{}` register in",
                i.name
            ),
            i.labels.servers_target_group_arn.clone(),
        ));
        let endpoints: BTreeMap<&str, Ref> = i
            .consumers
            .iter()
            .map(|c| (c.vpc.as_str(), c.endpoint_id.clone()))
            .collect();
        outputs.push(OutputView {
            name: format!("{}_endpoint_ids", i.label),
            description: format!(
                "Interface endpoint id of MCP ingress `{}` in each consumer VPC",
                i.name
            ),
            value: None,
            entries: Some(entries(endpoints.iter().map(|(k, v)| (*k, v.clone())))),
        });
        let owner = labels.owner(
            format!("mcp_ingress `{}`", blueprint.name.value),
            blueprint.name.span,
        );
        claim(labels, owner, &outputs[from..]);
    }
    for (m, blueprint) in payments
        .iter()
        .flat_map(|p| &p.managers)
        .zip(&model.payment_managers)
    {
        let from = outputs.len();
        let output = |name: &str, description: String, attribute: Ref| OutputView {
            name: format!("{}_{name}", m.label),
            description,
            value: Some(value(&attribute)),
            entries: None,
        };
        if let Some(awscc) = &m.awscc {
            outputs.push(output(
                "payment_manager_arn",
                format!("ARN of payment manager `{}`", m.name),
                awscc.manager_arn.clone(),
            ));
            let urls: BTreeMap<&str, Ref> = m
                .connectors
                .iter()
                .filter_map(|c| {
                    let created = c.awscc.as_ref()?;
                    Some((c.name.as_str(), created.authorization_url.clone()))
                })
                .collect();
            outputs.push(OutputView {
                name: format!("{}_connector_authorization_urls", m.label),
                description: format!(
                    "Where the wallet owner authorizes each connector of payment manager `{}`",
                    m.name
                ),
                value: None,
                entries: Some(entries(urls.iter().map(|(k, v)| (*k, v.clone())))),
            });
        }
        let roles: BTreeMap<&str, Ref> = m
            .roles
            .iter()
            .map(|r| (r.kind, r.iam.labels.role.r("arn")))
            .collect();
        outputs.push(OutputView {
            name: format!("{}_payment_role_arns", m.label),
            description: format!(
                "The four payment roles of payment manager `{}` (control, management, process, retrieval)",
                m.name
            ),
            value: None,
            entries: Some(entries(roles.iter().map(|(k, v)| (*k, v.clone())))),
        });
        outputs.push(output(
            "guardrails_parameter",
            format!(
                "SSM parameter holding the guardrail policy of payment manager `{}`",
                m.name
            ),
            m.labels.parameter.r("name"),
        ));
        outputs.push(output(
            "ledger_table",
            format!("DynamoDB table of the payment ledger of `{}`", m.name),
            m.labels.table.r("name"),
        ));
        outputs.push(output(
            "ledger_archive_bucket",
            format!(
                "S3 bucket (Object Lock, compliance mode) archiving the payments of `{}`",
                m.name
            ),
            m.ledger.archive.labels.bucket.r("bucket"),
        ));
        outputs.push(output(
            "alerts_topic_arn",
            format!(
                "SNS topic of the budget alarms of payment manager `{}`: subscribe to it",
                m.name
            ),
            m.labels.topic_arn.clone(),
        ));
        let owner = labels.owner(
            format!("payment_manager `{}`", blueprint.name.value),
            blueprint.name.span,
        );
        claim(labels, owner, &outputs[from..]);
    }
    // The values other stacks read from this one (`layout::crossings`), those not output above.
    let from = outputs.len();
    for crossing in scope.crossings.values() {
        if crossing.from == scope.stack && !outputs.iter().any(|o| o.name == crossing.output) {
            outputs.push(OutputView {
                name: crossing.output.clone(),
                description: crossing.description.clone(),
                value: Some(value(&crossing.value)),
                entries: None,
            });
        }
    }
    claim(labels, platform, &outputs[from..]);
    OutputsView { outputs }
}

/// Output names are labels too (kind `output`): claimed for the component they describe.
fn claim(labels: &mut LabelSpace, owner: Owner, outputs: &[OutputView]) {
    for output in outputs {
        labels.claim(owner, "output", &output.name);
    }
}

/// The stack's README: what it is, its segments, and what must be done by hand.
#[derive(Serialize)]
pub struct ReadmeView {
    pub platform: String,
    pub environment: String,
    pub region: String,
    pub account_id: String,
    pub source: String,
    pub aws_version: String,
    pub awscc_version: Option<String>,
    pub files: Vec<String>,
    pub segments: Vec<SegmentRow>,
    pub routes: Vec<RouteRow>,
    pub reachability: Vec<MatrixView>,
    pub transits: Vec<TransitRow>,
    /// Per segment, how its members reach the internet (when any VPC is an egress or a segment
    /// declares `internet`).
    pub internet: Vec<InternetRow>,
    pub egress_vpcs: Vec<EgressRow>,
    pub ingresses: Vec<IngressRow>,
    pub spending: Vec<SpendingRow>,
    pub metric_namespace: &'static str,
    pub service_namespace: &'static str,
    pub metric_daily_spend: &'static str,
    pub metric_payments: &'static str,
    pub metric_dimension: &'static str,
    pub guardrail_schema: &'static str,
    pub manual_steps: Vec<ManualStep>,
    /// The Mermaid flowchart of `agentform graph`, or `None` when it is too large for GitHub.
    pub diagram: Option<String>,
    /// Its size, when it is too large.
    pub diagram_size: usize,
    pub checks: Vec<CheckRow>,
    /// The "Audit trail" section, when the blueprint has an `audit_trail`.
    pub audit: Option<super::audit::AuditReadme>,
    /// Per VPC: its AWS service endpoints and why each is there (`endpoints.tf`).
    pub endpoints: Vec<EndpointsRow>,
    /// Whether `billing.tf` activates the cost allocation tags.
    pub cost_allocation_tags: bool,
    pub cost_tags: Vec<CostTagRow>,
    /// The section of a stack of a platform across accounts.
    pub stacks: Option<StacksReadme>,
}

/// Where a stack of a platform across accounts stands: its account, the order, what it reads and
/// which account owns each component.
#[derive(Serialize)]
pub struct StacksReadme {
    pub name: String,
    pub holds: &'static str,
    pub account: String,
    pub account_id: String,
    pub role: Option<String>,
    pub order: Vec<StackRow>,
    pub reads: Vec<super::manifest::Reads>,
    /// The components of this stack's account.
    pub owners: Vec<OwnerRow>,
    /// Every account and how many components of each kind it holds.
    pub accounts: Vec<AccountRow>,
}

#[derive(Serialize)]
pub struct StackRow {
    pub name: String,
    pub account: String,
    pub needs: Vec<String>,
}

#[derive(Serialize)]
pub struct OwnerRow {
    pub component: String,
    pub account: String,
}

fn stacks_readme(model: &Model, scope: &Scope) -> Option<StacksReadme> {
    use super::layout::Phase;
    if scope.layout.is_single() {
        return None;
    }
    let spec = scope.spec();
    let accounts = &model.accounts;
    let account = accounts.account(spec.account);
    let name_of = |a: crate::model::accounts::AccountId| accounts.account(a).name.value.clone();
    let mut reads: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for c in scope.crossings.values() {
        if c.readers.contains(&scope.stack) {
            reads.entry(c.from).or_default().push(c.output.clone());
        }
    }
    // What this stack's account owns, in full; the other accounts, by count (each stack's README
    // lists its own account's).
    let mut owners = Vec::new();
    let mut counts: BTreeMap<usize, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut own =
        |kind: &'static str, names: Vec<&str>, placements: &[crate::model::accounts::Placement]| {
            for (n, p) in names.into_iter().zip(placements) {
                *counts
                    .entry(p.account.0)
                    .or_default()
                    .entry(kind)
                    .or_default() += 1;
                if p.account == spec.account {
                    owners.push(OwnerRow {
                        component: format!("{kind}.{n}"),
                        account: name_of(p.account),
                    });
                }
            }
        };
    own(
        "transit_gateway",
        model
            .transit_gateways
            .iter()
            .map(|t| t.name.as_str())
            .collect(),
        &accounts.transit_gateways,
    );
    own(
        "vpc",
        model.vpcs.iter().map(|v| v.name.as_str()).collect(),
        &accounts.vpcs,
    );
    own(
        "interconnect",
        model
            .interconnects
            .iter()
            .map(|i| i.name.as_str())
            .collect(),
        &accounts.interconnects,
    );
    own(
        "mcp_ingress",
        model.ingresses.iter().map(|i| i.name.as_str()).collect(),
        &accounts.ingresses,
    );
    own(
        "s3_files",
        model.s3_files.iter().map(|f| f.name.as_str()).collect(),
        &accounts.s3_files,
    );
    own(
        "iam_role",
        model.iam_roles.iter().map(|r| r.name.as_str()).collect(),
        &accounts.iam_roles,
    );
    own(
        "payment_manager",
        model
            .payment_managers
            .iter()
            .map(|m| m.name.as_str())
            .collect(),
        &accounts.payment_managers,
    );
    own(
        "audit_trail",
        model.audit_trail.iter().map(|a| a.name.as_str()).collect(),
        accounts.audit_trail.as_slice(),
    );
    Some(StacksReadme {
        name: spec.name.clone(),
        holds: match spec.phase {
            Phase::Whole | Phase::Build => {
                "the account's own resources: its gateways (with their RAM shares), VPCs, subnets and attachments, and the other components placed in it."
            }
            Phase::Routing => {
                "the routing of the account's shared gateways: it accepts and tags the attachments of the other accounts, and creates the segments' route tables, associations, propagations and static routes (the attachments must exist first)."
            }
            Phase::Routes => {
                "the account's VPC routes toward gateways of other accounts (a route toward a gateway fails until its attachment is accepted)."
            }
        },
        account: account.name.value.clone(),
        account_id: account.id.clone(),
        role: account.role.as_ref().map(|r| r.value.clone()),
        order: scope
            .layout
            .stacks
            .iter()
            .map(|s| StackRow {
                name: s.name.clone(),
                account: name_of(s.account),
                needs: s
                    .needs
                    .iter()
                    .map(|&n| scope.layout.stacks[n].name.clone())
                    .collect(),
            })
            .collect(),
        reads: reads
            .into_iter()
            .map(|(from, outputs)| super::manifest::Reads {
                stack: scope.layout.stacks[from].name.clone(),
                outputs,
            })
            .collect(),
        owners,
        accounts: counts
            .into_iter()
            .map(|(a, kinds)| AccountRow {
                account: accounts.list[a].name.value.clone(),
                id: accounts.list[a].id.clone(),
                components: kinds
                    .into_iter()
                    .map(|(kind, n)| format!("{n} {kind}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
    })
}

#[derive(Serialize)]
pub struct AccountRow {
    pub account: String,
    pub id: String,
    pub components: String,
}

/// One VPC's AWS service endpoints in the README.
#[derive(Serialize)]
pub struct EndpointsRow {
    pub vpc: String,
    pub explicit: bool,
    /// (service, why) pairs.
    pub services: Vec<(String, String)>,
    pub s3_gateway: bool,
}

/// A tag key split the bill by (`billing`).
#[derive(Serialize)]
pub struct CostTagRow {
    pub key: &'static str,
    pub splits: &'static str,
}

/// GitHub renders Mermaid blocks up to this many characters (Mermaid's default `maxTextSize`).
pub const MERMAID_LIMIT: usize = 50_000;

/// One `check` block of `checks.tf` and what it asserts.
#[derive(Serialize)]
pub struct CheckRow {
    pub name: String,
    pub guards: String,
}

/// Who holds spending authority, and within which limits.
#[derive(Serialize)]
pub struct SpendingRow {
    pub name: String,
    pub agents: Vec<String>,
    pub connectors: Vec<String>,
    pub currency: String,
    pub daily_limit: String,
    pub session_limit: String,
    pub payment_limit: String,
    pub max_payments_per_day: u32,
    pub burst: String,
    pub merchants: Vec<String>,
    pub alerts: Vec<String>,
    pub parameter: String,
    pub retention_days: u32,
    /// Who can do what: the four payment roles, whom each trusts, what each may and never does.
    pub duties: Vec<DutyRow>,
}

/// One payment role in the spending-authority table.
#[derive(Serialize)]
pub struct DutyRow {
    pub kind: &'static str,
    pub role: String,
    pub trusted_by: String,
    pub may: &'static str,
    pub never: &'static str,
}

#[derive(Serialize)]
pub struct IngressRow {
    pub name: String,
    pub vpc: String,
    pub port: u16,
    pub client_auth: &'static str,
    pub consumers: Vec<String>,
    pub principals: Vec<String>,
    pub acceptance_required: bool,
    pub rate_limit: u32,
    pub context_fetch_role: String,
    pub context_modify_role: String,
}

/// One transit gateway's segment reachability matrix, as computed by the segregation engine.
#[derive(Serialize)]
pub struct MatrixView {
    pub transit_gateway: String,
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

/// A segment pair whose traffic passes through VPCs (an inspection VPC, say).
#[derive(Serialize)]
pub struct InternetRow {
    pub transit_gateway: String,
    pub segment: String,
    /// `true`, `false`, or `-` (not declared).
    pub declared: &'static str,
    pub path: String,
}

/// A VPC with dedicated subnets (internet egress, a firewall, or listed attachment subnets): its
/// subnets per AZ (attachment, firewall, public), and what its firewall lets each segment reach.
#[derive(Serialize)]
pub struct EgressRow {
    pub vpc: String,
    pub internet: bool,
    pub firewall: bool,
    pub zones: Vec<[String; 4]>,
    pub carved: bool,
    pub domains: Vec<DomainsRow>,
}

#[derive(Serialize)]
pub struct DomainsRow {
    pub segment: String,
    /// Each domain with why it is allowed.
    pub domains: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct TransitRow {
    pub transit_gateway: String,
    pub from: String,
    pub to: String,
    pub through: Vec<String>,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub segment: String,
    pub cells: Vec<String>,
}

#[derive(Serialize)]
pub struct SegmentRow {
    pub transit_gateway: String,
    pub name: String,
    pub attachments: Vec<String>,
    pub reaches: Vec<String>,
    pub isolated: bool,
}

#[derive(Serialize)]
pub struct RouteRow {
    pub segment: String,
    pub destination: String,
    pub action: String,
}

#[derive(Serialize)]
pub struct ManualStep {
    pub title: String,
    pub steps: Vec<String>,
}

/// The picture of the whole platform every stack's README shows (drawn once per platform).
pub fn diagram(valid: &ValidModel) -> String {
    crate::diagram::mermaid(&Diagram::build(valid))
}

// Each argument is one part of the plan the README summarises; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn readme(
    valid: &ValidModel,
    scope: &Scope,
    diagram: &str,
    files: &[&str],
    checks: &ChecksView,
    uses_awscc: bool,
    interconnect: Option<&InterconnectView>,
    ingress: Option<&IngressView>,
    storage: Option<&StorageView>,
    payments: Option<&PaymentsView>,
    audit: Option<&super::audit::AuditView>,
    endpoints: &super::endpoints::EndpointsView,
) -> ReadmeView {
    let model = valid.model();
    let segments = model
        .segments()
        .map(|(id, segment)| {
            let tgw = &model.transit_gateways[id.tgw.0];
            SegmentRow {
                transit_gateway: tgw.name.value.clone(),
                name: segment.name.value.clone(),
                attachments: model
                    .attachments()
                    .filter(|a| model.segment_of(*a) == id)
                    .map(|a| model.attachment_address(a))
                    .collect(),
                reaches: model
                    .segments()
                    .filter(|(other, _)| model.intends_reachable(id, *other))
                    .map(|(_, s)| s.name.value.clone())
                    .collect(),
                isolated: segment.isolated,
            }
        })
        .collect();
    let routes = model
        .transit_gateways
        .iter()
        .flat_map(|tgw| {
            tgw.routes.iter().map(|route| RouteRow {
                segment: model.segment(route.segment).name.value.clone(),
                destination: route.destination.value.to_string(),
                action: match route.action {
                    RouteAction::Attachment(target) => {
                        format!("to `{}`", model.attachment_address(target))
                    }
                    RouteAction::Blackhole => "dropped (blackhole)".to_string(),
                },
            })
        })
        .chain(valid.intent().blackholes.iter().map(|b| {
            let tgw = &model.transit_gateways[b.segment.tgw.0];
            RouteRow {
                segment: model.segment(b.segment).name.value.clone(),
                destination: b.destination.to_string(),
                action: format!(
                    "dropped (blackhole derived by agentform: route `{}` would otherwise carry it into `{}`, whose route table sends it back to the gateway, to {})",
                    tgw.routes[b.route].name.value,
                    model.attachment_address(b.through),
                    b.protects
                        .iter()
                        .map(|&a| format!("`{}`", model.attachment_address(a)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }))
        .collect();
    let mut manual_steps = Vec::new();
    for ic in model.interconnects.iter() {
        let created = interconnect.is_some_and(|i| {
            i.interconnects
                .iter()
                .any(|c| c.name == ic.name.value && c.connection.is_some())
        });
        let mut steps = Vec::new();
        if !created {
            steps.push(format!(
                "Create the AWS Interconnect - multicloud connection (API `CreateConnection`, or the console): partner `{}`, bandwidth `{}`, attach point = the Direct Connect gateway in output `dx_gateway_ids[\"{}\"]`{}. The providers this stack targets cannot create it (see warning AF602 of `agentform validate`).",
                ic.partner.value.as_str(),
                ic.bandwidth.value,
                ic.name.value,
                ic.environment_id.as_ref().map_or(String::new(), |e| format!(", environment `{e}`")),
            ));
        }
        if created && ic.environment_id.is_none() {
            steps.push(format!(
                "Give the AWS Interconnect environment id of the {} partner environment as Terraform variable `{}_environment_id` (or set `environment_id` in the blueprint).",
                ic.partner.value.as_str(),
                naming::snake(&ic.name.value)
            ));
        }
        steps.push(format!(
            "Complete the connection on the {} side with the activation key AWS returns for it.",
            ic.partner.value.as_str()
        ));
        steps.push(format!(
            "On the partner side, announce only {} toward AWS: the transit gateway routes these prefixes to interconnect `{}`.",
            ic.remote_cidrs.iter().map(|c| format!("`{}`", c.value)).collect::<Vec<_>>().join(", "),
            ic.name.value
        ));
        manual_steps.push(ManualStep {
            title: format!(
                "Interconnect `{}` to {}",
                ic.name.value,
                ic.partner.value.as_str()
            ),
            steps,
        });
    }
    let mut ingresses = Vec::new();
    for i in ingress.iter().flat_map(|v| &v.ingresses) {
        ingresses.push(IngressRow {
            name: i.name.clone(),
            vpc: i.vpc.clone(),
            port: i.port,
            client_auth: i.client_auth,
            consumers: i.consumers.iter().map(|c| c.vpc.clone()).collect(),
            principals: i.allowed_principals.clone(),
            acceptance_required: i.acceptance_required,
            rate_limit: i.rate_limit,
            context_fetch_role: i.context_fetch_role.clone(),
            context_modify_role: i.context_modify_role.clone(),
        });
        manual_steps.push(ManualStep {
            title: format!("MCP ingress `{}`", i.name),
            steps: ingress_steps(i),
        });
    }
    if let Some(storage) = storage {
        for (i, w) in storage.workspaces.iter().enumerate() {
            manual_steps.push(ManualStep {
                title: format!("S3 Files workspace `{}`", w.name),
                steps: storage_steps(model, storage.via, w, S3FilesId(i)),
            });
        }
    }
    let mut spending = Vec::new();
    for (m, view) in model
        .payment_managers
        .iter()
        .zip(payments.iter().flat_map(|p| &p.managers))
    {
        let g = &m.guardrails;
        spending.push(SpendingRow {
            name: m.name.value.clone(),
            agents: m
                .agents
                .iter()
                .map(|a| model.role(a.value).name.value.clone())
                .collect(),
            connectors: m
                .connectors
                .iter()
                .map(|c| format!("{} ({})", c.name.value, c.provider.value.as_str()))
                .collect(),
            currency: g.currency.value.clone(),
            daily_limit: g.daily_limit.value.to_string(),
            session_limit: g.session_limit.value.to_string(),
            payment_limit: g.payment_limit.value.to_string(),
            max_payments_per_day: g.max_payments_per_day.value,
            burst: format!(
                "{} in {} min",
                g.burst.max_payments.value, g.burst.window_minutes.value
            ),
            merchants: g
                .allowed_merchants
                .value
                .iter()
                .map(|m| m.value.clone())
                .collect(),
            alerts: g
                .alert_at_percent
                .iter()
                .map(|p| format!("{}%", p.value))
                .collect(),
            parameter: view.guardrails.parameter_name.clone(),
            retention_days: m.ledger.retention_days.value,
            duties: duties(model, m, view),
        });
        manual_steps.push(ManualStep {
            title: format!("Payment manager `{}`", m.name.value),
            steps: payment_steps(model, payments.is_some_and(|p| p.via_awscc), m, view),
        });
    }
    let mcp_roles: Vec<String> = model
        .iam_roles
        .iter()
        .filter(|r| r.aws_mcp_server)
        .map(|r| format!("`{}`", r.name.value))
        .collect();
    if !mcp_roles.is_empty() {
        let region = &model.platform.region;
        manual_steps.push(ManualStep {
            title: "The managed AWS MCP Server".to_string(),
            steps: vec![
                format!(
                    "Roles {} call AWS through the managed AWS MCP Server at `https://aws-mcp.{region}.api.aws/mcp` (SigV4 with their own credentials; no PrivateLink endpoint yet): their workloads' egress must allow HTTPS to that host. Each has explicit denies of payment, session, budget (SSM) and IAM writes when a call comes through the server (`aws:ViaAWSMCPService`, `aws:CalledViaAWSMCP`); `agentform access` shows them.",
                    mcp_roles.join(", ")
                ),
                if model.payment_managers.is_empty() {
                    "Watch the server's own metrics (namespace `AWS-MCP`: `Invocation`, `Success`, `UserError`, `SystemError`, `Throttle`, by tool name; Agent Toolkit user guide, \"AWS MCP Server CloudWatch metrics\"): denied calls through the server count as `UserError`. Without a payment manager the stack has no alert topic, so it creates no alarm on them.".to_string()
                } else {
                    format!(
                        "The server's own metrics (namespace `AWS-MCP`: `Invocation`, `Success`, `UserError`, `SystemError`, `Throttle`, by tool name; Agent Toolkit user guide, \"AWS MCP Server CloudWatch metrics\") are watched for the whole account: alarms on any `UserError` (denied calls count there) and `SystemError` in 5 minutes notify the alert topic of payment manager `{}`.",
                        model.payment_managers[0].name.value
                    )
                },
            ],
        });
    }
    let reachability = valid
        .reach()
        .transit_gateways
        .iter()
        .map(|g| MatrixView {
            columns: g.segments.iter().map(|s| s.name.clone()).collect(),
            rows: g
                .segments
                .iter()
                .map(|s| MatrixRow {
                    segment: s.name.clone(),
                    cells: g
                        .segment_matrix
                        .iter()
                        .filter(|c| c.from == s.name)
                        .map(|c| c.status.symbol().to_string())
                        .collect(),
                })
                .collect(),
            transit_gateway: g.name.clone(),
        })
        .collect();
    let transits = valid
        .reach()
        .transit_gateways
        .iter()
        .flat_map(|g| {
            g.segment_matrix
                .iter()
                .filter(|c| !c.through.is_empty())
                .map(|c| TransitRow {
                    transit_gateway: g.name.clone(),
                    from: c.from.clone(),
                    to: c.to.clone(),
                    through: c.through.clone(),
                })
        })
        .collect();
    let egress_vpcs: Vec<EgressRow> = model
        .vpcs
        .iter()
        .filter_map(|vpc| {
            let attachment = vpc.attachment_subnets.as_ref()?;
            let nth = |list: Option<&crate::model::Subnets>, i: usize| {
                list.and_then(|l| l.subnets.get(i))
                    .map_or_else(|| "-".to_string(), |s| format!("`{}`", s.value))
            };
            let firewall = vpc.firewall.as_ref().map(|f| &f.subnets);
            let public = vpc.internet_egress.as_ref().map(|e| &e.public_subnets);
            Some(EgressRow {
                vpc: vpc.name.value.clone(),
                internet: vpc.internet_egress.is_some(),
                firewall: vpc.firewall.is_some(),
                zones: vpc
                    .azs
                    .iter()
                    .enumerate()
                    .map(|(i, az)| {
                        [
                            az.value.clone(),
                            nth(Some(attachment), i),
                            nth(firewall, i),
                            nth(public, i),
                        ]
                    })
                    .collect(),
                carved: [Some(attachment), firewall, public]
                    .into_iter()
                    .flatten()
                    .any(|l| l.carved),
                domains: crate::plan::egress::segment_domains(model, valid.reach(), vpc)
                    .into_iter()
                    .map(|allow| DomainsRow {
                        segment: allow.segment,
                        domains: allow
                            .domains
                            .into_iter()
                            .map(|(d, why)| (d, why.join("; ")))
                            .collect(),
                    })
                    .collect(),
            })
        })
        .collect();
    let declares = model.segments().any(|(_, s)| s.internet.is_some());
    let internet = if egress_vpcs.is_empty() && !declares {
        Vec::new()
    } else {
        valid
            .reach()
            .transit_gateways
            .iter()
            .flat_map(|g| {
                g.internet.iter().map(|c| InternetRow {
                    transit_gateway: g.name.clone(),
                    segment: c.segment.clone(),
                    declared: match c.declared {
                        Some(true) => "`true`",
                        Some(false) => "`false`",
                        None => "-",
                    },
                    path: if c.members == 0 {
                        "no members".to_string()
                    } else {
                        c.describe()
                    },
                })
            })
            .collect()
    };
    let targets = &model.platform.providers;
    ReadmeView {
        platform: model.platform.name.value.clone(),
        environment: model.platform.environment.clone(),
        region: model.platform.region.clone(),
        account_id: model.platform.account_id.clone(),
        source: model.source.clone(),
        aws_version: targets.aws_constraint.clone(),
        awscc_version: uses_awscc.then(|| targets.awscc_constraint.clone()),
        files: files.iter().map(ToString::to_string).collect(),
        segments,
        routes,
        reachability,
        transits,
        internet,
        egress_vpcs,
        ingresses,
        spending,
        metric_namespace: payments::METRIC_NAMESPACE,
        service_namespace: payments::SERVICE_NAMESPACE,
        metric_daily_spend: payments::METRIC_DAILY_SPEND,
        metric_payments: payments::METRIC_PAYMENTS,
        metric_dimension: payments::METRIC_DIMENSION,
        guardrail_schema: payments::GUARDRAIL_SCHEMA,
        manual_steps,
        diagram_size: diagram.len(),
        diagram: (diagram.len() <= MERMAID_LIMIT).then(|| diagram.to_string()),
        checks: check_rows(checks),
        audit: audit.map(super::audit::readme),
        endpoints: endpoint_rows(model, endpoints),
        cost_allocation_tags: model.platform.cost_allocation_tags,
        cost_tags: super::billing::keys(model)
            .into_iter()
            .map(|(key, splits)| CostTagRow { key, splits })
            .collect(),
        stacks: stacks_readme(model, scope),
    }
}

fn endpoint_rows(model: &Model, view: &super::endpoints::EndpointsView) -> Vec<EndpointsRow> {
    model
        .vpcs
        .iter()
        .filter_map(|vpc| {
            let interface = view.vpcs.iter().find(|v| v.vpc == vpc.name.value);
            let s3_gateway = view
                .gateway_endpoints
                .iter()
                .any(|g| g.vpc == vpc.name.value);
            if interface.is_none() && !s3_gateway && vpc.endpoints.is_none() {
                return None;
            }
            Some(EndpointsRow {
                vpc: vpc.name.value.clone(),
                explicit: vpc.endpoints.is_some(),
                services: interface
                    .map(|v| {
                        v.endpoints
                            .iter()
                            .map(|e| (e.service.to_string(), e.reasons.join("; ")))
                            .collect()
                    })
                    .unwrap_or_default(),
                s3_gateway,
            })
        })
        .collect()
}

/// What an operator does by hand for an S3 Files workspace.
fn storage_steps(model: &Model, via: Via, w: &WorkspaceView, id: S3FilesId) -> Vec<String> {
    let mut steps = Vec::new();
    if via == Via::None {
        let p = &model.platform;
        steps.push(format!(
            "The targeted providers cannot create S3 Files (hashicorp/aws {} admits {}; S3 Files needs 6.40.0, or hashicorp/awscc, which is not allowed). The bucket `{}`, its key, the role `{}`, the NFS security group and the S3 gateway endpoint are created; create the rest by hand after `apply`, or raise `aws_provider` to `~> 6.40` and generate again:",
            p.providers.aws_constraint, p.providers.aws_floor, w.bucket, w.role_name
        ));
        steps.push(format!(
            "Create the file system (S3 Files `CreateFileSystem`; the caller needs `iam:PassRole` for the role): bucket `{}`, role = `{}`, KMS key = `{}`. Wait until its status is `available`.",
            w.bucket_arn, w.labels.role.whole().path, w.labels.key.whole().path
        ));
        for mt in &w.mount_targets {
            steps.push(format!(
                "Create a mount target in VPC `{}`'s subnet in `{}` with security group `{}` (one per AZ).",
                w.vpc, mt.az, w.labels.security_group.whole().path
            ));
        }
        for ap in &w.access_points {
            steps.push(format!(
                "Create access point `{}`: POSIX user uid {} gid {}, root directory `{}` created with owner {}:{} and permissions `{}`.",
                ap.name, ap.uid, ap.gid, ap.root_directory, ap.uid, ap.gid, ap.permissions
            ));
        }
        steps.push("Put the file-system policy: for each access point, allow its roles `s3files:ClientMount` and `s3files:ClientWrite` on the file system with condition `s3files:AccessPointArn` = that access point, and deny requests without TLS; nothing else.".to_string());
        let grants = model.allows_naming(|c| c.is_storage(id));
        if !grants.is_empty() {
            steps.push(format!(
                "Grant what {} names on this workspace to those roles (inline policy on the file system's and access point's ARNs): the generated policies leave it out because the resources do not exist in Terraform.",
                grants.join(", ")
            ));
        }
    }
    steps.push(format!(
        "Workloads in VPC `{}` mount through their access point with TLS and IAM authorization, using `amazon-efs-utils` 3.0.0 or later (the S3 Files prerequisite); NFS (TCP 2049) is open to the VPC's CIDR only.",
        w.vpc
    ));
    steps
}

/// The payment roles of a manager as the README's spending-authority table shows them.
fn duties(model: &Model, m: &PaymentManager, view: &ManagerView) -> Vec<DutyRow> {
    let names = |principals: &[crate::diag::Spanned<crate::model::Principal>]| {
        principals
            .iter()
            .map(|a| super::payments::principal_text(model, &a.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view.roles
        .iter()
        .map(|r| {
            let (trusted_by, may, never) = match r.kind {
                "control" => (
                    names(&m.admin_principals),
                    "create, update and delete payment managers, connectors and credential providers; pass the retrieval role to AgentCore; allow vended log delivery",
                    "instruments, sessions, payments",
                ),
                "management" => (
                    names(&m.session_principals),
                    "create, read, list and delete payment instruments and sessions of this manager",
                    "`ProcessPayment` (explicit deny)",
                ),
                "process" => (
                    names(&m.payment_principals),
                    "`ProcessPayment` on this manager's sessions; read its instruments, balances and sessions; append to the ledger; publish payment metrics",
                    "create or delete sessions and instruments (explicit deny)",
                ),
                _ => (
                    "`bedrock-agentcore.amazonaws.com`, for this payment manager only".to_string(),
                    "workload identity and payment tokens of this manager; read the connectors' secrets",
                    "anything else",
                ),
            };
            DutyRow {
                kind: r.kind,
                role: r.iam.role_name.clone(),
                trusted_by,
                may,
                never,
            }
        })
        .collect()
}

/// What an operator does by hand for a payment manager: what no provider covers (instruments,
/// sessions, the connector's wallet authorization), and everything when awscc is not allowed.
fn payment_steps(
    model: &Model,
    via_awscc: bool,
    m: &PaymentManager,
    view: &ManagerView,
) -> Vec<String> {
    let role = |kind: &str| {
        view.roles
            .iter()
            .find(|r| r.kind == kind)
            .map_or_else(String::new, |r| r.iam.role_name.clone())
    };
    let mut steps = Vec::new();
    if view.coinbase {
        steps.push(format!(
            "Done before this stack could be generated: the account is subscribed to the AWS Marketplace listing \"Coinbase Wallets for AgentCore Payments\" (an administrator with the AWS managed policy `AWSMarketplaceManageSubscriptions`, which role `{}` also carries), and the blueprint says so with `marketplace_subscribed = true` on each Coinbase connector (without it, `AF909`): creating the connector would fail with `SubscriptionRequiredException`. If the subscription is ever cancelled, subscribe again before the next `apply`.",
            role("control")
        ));
    }
    for c in &view.connectors {
        let keys = if c.vendor_key == "coinbase_cdp" {
            "`api_key_secret` and `wallet_secret`"
        } else {
            "`app_secret` and `authorization_private_key`"
        };
        steps.push(format!(
            "The blueprint's secret `{}` (an input, like its ARN) holds a JSON object with the keys {keys} (connector `{}`). The stack never reads it; AgentCore does, through role `{}`. If the secret is encrypted with a customer managed key, allow that role `kms:Decrypt` on it.",
            c.secret_arn, c.name, role("retrieval")
        ));
        for v in c.variables.iter().filter(|_| via_awscc) {
            steps.push(format!(
                "Give Terraform variable `{}` ({}).",
                v.name.label, v.description
            ));
        }
    }
    if !via_awscc {
        steps.push(format!(
            "The targeted providers cannot create AgentCore payment resources (no hashicorp/aws release has them; hashicorp/awscc is not allowed). As role `{}`, create them with the AWS CLI after `apply`:",
            role("control")
        ));
        for c in &view.connectors {
            steps.push(format!(
                "`aws bedrock-agentcore-control create-payment-credential-provider --name {} --credential-provider-vendor {}` with `--provider-configuration-input` naming secret `{}` as EXTERNAL source (JSON keys as above).",
                c.provider_name, c.connector_type, c.secret_arn
            ));
        }
        steps.push(format!(
            "`aws bedrock-agentcore-control create-payment-manager --name {} --authorizer-type {} --role-arn <ARN of role {}>`{}; wait for status `READY`.",
            view.manager_name,
            view.authorizer_type,
            role("retrieval"),
            if view.jwt.is_some() { " --authorizer-configuration (the blueprint's `jwt` block)" } else { "" }
        ));
        for c in &view.connectors {
            steps.push(format!(
                "`aws bedrock-agentcore-control create-payment-connector --payment-manager-id <id> --name {} --type {}` with `--credential-provider-configurations` naming the credential provider of `{}`.",
                c.connector_name, c.connector_type, c.name
            ));
        }
        steps.push(format!(
            "Put the payment manager's ARN into the guardrail document (`payment_manager_arn` in SSM parameter `{}`) or generate again with `awscc = true`.",
            view.guardrails.parameter_name
        ));
    }
    if view.log_delivery.is_some() {
        steps.push(
            "Traces: the stack delivers the payment manager's vended logs; turn on its spans (X-Ray) in the AgentCore console's \"Log deliveries and tracing\" section of the payment manager (no provider argument for an X-Ray delivery destination was verified for the targeted versions). Not needed for `apply`.".to_string(),
        );
    }
    steps.push(format!(
        "Authorize each connector's wallet: open its authorization URL (output `{}_connector_authorization_urls`, or `get-payment-connector`) as the wallet owner and approve the delegation to AgentCore.",
        view.label
    ));
    steps.push(format!(
        "Per end user, as role `{}`: `aws bedrock-agentcore create-payment-instrument --payment-manager-arn <ARN> --payment-connector-id <id> --user-id <user> --payment-instrument-type EMBEDDED_CRYPTO_WALLET` with the wallet's network (`ETHEREUM` or `SOLANA`) and the user's email; the user funds the wallet and grants delegation through the provider's wallet hub.",
        role("management")
    ));
    let g = &m.guardrails;
    steps.push(format!(
        "Per agent session, as role `{}` (the session service; never the mediation layer, which pays): `aws bedrock-agentcore create-payment-session --payment-manager-arn <ARN> --expiry-time-in-minutes {} --limits '{{\"maxSpendAmount\":{{\"value\":\"{}\",\"currency\":\"{}\"}}}}' --user-id <user> --agent-name <agent>`; never longer or larger than the guardrails.",
        role("management"),
        g.session_expiry_minutes.value,
        g.session_limit.value,
        g.currency.value
    ));
    steps.push(format!(
        "Run the mediation layer as role `{}` (trusted: {}). It reads the guardrails from SSM parameter `{}`, accepts requests only from the agent roles listed there, refuses merchants not listed, payments over {} {}, more than {} a day or {} in {} minutes, and requests in a denied phase; then calls `ProcessPayment`, writes the ledger item (condition `attribute_not_exists(payment_id)`) and the archive object under `payments/`, and publishes the metrics below.",
        role("process"),
        m.payment_principals.iter().map(|a| super::payments::principal_text(model, &a.value)).collect::<Vec<_>>().join(", "),
        view.guardrails.parameter_name,
        g.payment_limit.value,
        g.currency.value,
        g.max_payments_per_day.value,
        g.burst.max_payments.value,
        g.burst.window_minutes.value
    ));
    steps.push(format!(
        "Subscribe the people who watch the budget to SNS topic `{}` (output `{}_alerts_topic_arn`).",
        view.alerts.topic_name, view.label
    ));
    steps
}

/// What an operator does by hand for an MCP ingress after `terraform apply`.
fn ingress_steps(i: &IngressPlan) -> Vec<String> {
    let mut steps = Vec::new();
    if let Some(store) = &i.trust_store {
        steps.push(format!(
            "Before `apply`: upload the PEM bundle of the CAs that sign client certificates to `s3://{}/{}` (the trust store reads it when it is created; to rotate, upload a new object and update the trust store).",
            store.bucket, store.key
        ));
    }
    steps.push(format!(
        "Register the MCP servers in the target group of output `{}_servers_target_group_arn` (for example with the AWS Load Balancer Controller's `TargetGroupBinding`). They serve HTTPS on port {} and answer `{}` for health checks.",
        i.label, i.backend_port, i.health_check_path
    ));
    if i.client_auth == "oidc" {
        steps.push("Client authentication is OIDC: the ALB passes the `Authorization` header through, and the MCP server must validate every bearer token itself (signature against the issuer's JWKS, `iss`, `aud`, `exp`) and map the token's subject to the context fetch or modify role.".to_string());
    } else {
        steps.push("Client authentication is mTLS: the ALB rejects connections without a certificate that chains to the trust store, and forwards the verified certificate in the `X-Amzn-Mtls-Clientcert-*` headers; the MCP server maps the certificate subject to the context fetch or modify role.".to_string());
    }
    if let Some(dns) = &i.private_dns_name {
        if i.consumers.iter().all(|c| c.private_dns_enabled) {
            steps.push(format!(
                "Private DNS `{dns}` is verified (`private_dns_verified = true`): consumer endpoints resolve it. Keep the TXT record of output `{}_private_dns_verification` published.",
                i.label
            ));
        } else {
            steps.push(format!(
                "Publish the TXT record of output `{}_private_dns_verification` in the public zone of `{dns}`, run `aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id <id of aws_vpc_endpoint_service.{}>`, wait until `describe-vpc-endpoint-service-configurations` shows the name `verified`, then set `private_dns_verified = true` in the blueprint and generate again: only then do consumer endpoints turn private DNS on.",
                i.label, i.label
            ));
        }
    }
    if i.acceptance_required {
        steps.push(format!(
            "The stack accepts its own consumers' endpoints. Endpoints other allowed principals create wait in `pendingAcceptance`: review them with `aws ec2 describe-vpc-endpoint-connections` and accept with `aws ec2 accept-vpc-endpoint-connections` (or add the VPC to `consumers`). Service name: output `{}_endpoint_service_name`.",
            i.label
        ));
    }
    steps
}

/// What each check block of `checks.tf` asserts, named as the file names it.
fn check_rows(checks: &ChecksView) -> Vec<CheckRow> {
    let mut rows = Vec::new();
    for c in &checks.checks {
        let segment = format!("segment `{}` of `{}`", c.segment, c.transit_gateway);
        rows.push(CheckRow {
            name: c.labels.associations_check.label.clone(),
            guards: format!(
                "the route table of {segment} is associated with exactly: {}",
                c.associations.names
            ),
        });
        rows.push(CheckRow {
            name: c.labels.propagations_check.label.clone(),
            guards: format!(
                "the route table of {segment} learns routes from exactly: {}",
                c.propagations.names
            ),
        });
        rows.push(CheckRow {
            name: c.labels.blackholes_check.label.clone(),
            guards: format!(
                "the blackhole routes of {segment} are exactly: {}",
                c.blackholes.names
            ),
        });
    }
    rows
}
