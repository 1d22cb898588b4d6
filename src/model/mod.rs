//! The typed model of one blueprint: every name resolved, every value parsed. Only `lower` builds
//! it; everything after the front end (`validate`, `plan`, later `drift`) reads it.

pub mod accounts;
pub mod actions;
pub mod egress;
mod audit;
pub mod endpoints;
mod identity;
mod ingress;
mod interconnect;
pub mod naming;
mod network;
mod payments;
mod platform;
mod storage;
pub mod targets;

pub use audit::{AuditTrail, AuditTrailKind, DEFAULT_AUDIT_RETENTION_DAYS};
pub use identity::{Allow, Component, IamRole, IamRoleId, Target, Trust, TrustAnchor};
pub use ingress::{ClientAuth, IngressId, McpIngress, S3Object};
pub use interconnect::{Interconnect, InterconnectId, Partner};
pub use network::{
    AttachmentRef, Firewall, InternetEgress, Route, RouteAction, Segment, SegmentId, Subnets,
    TgwId, TransitGateway, Vpc, VpcId,
};
pub use payments::{
    Authorizer, Burst, Connector, Guardrails, Ledger, Money, PAYMENT_REGIONS, PaymentManager,
    PaymentManagerId, Principal, WalletProvider,
};
pub use platform::{Platform, ProviderTargets, Version};
pub use storage::{AccessPoint, S3Files, S3FilesId};

use crate::diag::Span;

/// A component's name as written in the blueprint label, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub value: String,
    pub span: Span,
}

impl Name {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    /// The blueprint file, as shown in diagnostics and in the generated marker line.
    pub source: String,
    pub platform: Platform,
    /// Shared (`Arc`): every stack of a platform across accounts plans from its own projection
    /// of the model (`accounts::project`), which shares the network rather than copying it.
    pub transit_gateways: std::sync::Arc<Vec<TransitGateway>>,
    pub vpcs: std::sync::Arc<Vec<Vpc>>,
    pub interconnects: std::sync::Arc<Vec<Interconnect>>,
    pub ingresses: Vec<McpIngress>,
    pub s3_files: Vec<S3Files>,
    pub iam_roles: Vec<IamRole>,
    pub payment_managers: Vec<PaymentManager>,
    /// The `audit_trail` block, when the blueprint has one.
    pub audit_trail: Option<AuditTrail>,
    /// The tenant of each VPC that declares one, by VPC name: the plan tags the VPC's resources
    /// with it (`agentform:tenant`), looked up once per resource.
    pub vpc_tenants: std::collections::BTreeMap<String, String>,
    /// The accounts the platform spans and where each component lives (`model::accounts`).
    pub accounts: accounts::Accounts,
}

impl Model {
    pub fn segment(&self, id: SegmentId) -> &Segment {
        &self.transit_gateways[id.tgw.0].segments[id.index]
    }

    pub fn vpc(&self, id: VpcId) -> &Vpc {
        &self.vpcs[id.0]
    }

    pub fn interconnect(&self, id: InterconnectId) -> &Interconnect {
        &self.interconnects[id.0]
    }

    pub fn ingress(&self, id: IngressId) -> &McpIngress {
        &self.ingresses[id.0]
    }

    pub fn storage(&self, id: S3FilesId) -> &S3Files {
        &self.s3_files[id.0]
    }

    /// The `allow` blocks (as `allow "NAME"` of iam_role `ROLE`) that name a component `names`
    /// accepts (for example a workspace or one of its access points).
    pub fn allows_naming(&self, names: impl Fn(Component) -> bool) -> Vec<String> {
        self.iam_roles
            .iter()
            .flat_map(|role| {
                role.allows
                    .iter()
                    .filter(|a| {
                        a.on.iter()
                            .any(|t| matches!(t.value, Target::Component(c) if names(c)))
                    })
                    .map(move |a| {
                        format!(
                            "`allow \"{}\"` of iam_role `{}`",
                            a.name.value, role.name.value
                        )
                    })
            })
            .collect()
    }

    /// The roles named as agents of a payment manager.
    pub fn agents(&self) -> std::collections::BTreeSet<IamRoleId> {
        self.payment_managers
            .iter()
            .flat_map(|m| m.agents.iter().map(|a| a.value))
            .collect()
    }

    pub fn role(&self, id: IamRoleId) -> &IamRole {
        &self.iam_roles[id.0]
    }

    pub fn payment_manager(&self, id: PaymentManagerId) -> &PaymentManager {
        &self.payment_managers[id.0]
    }

    /// Every segment of every transit gateway, with its id.
    pub fn segments(&self) -> impl Iterator<Item = (SegmentId, &Segment)> {
        self.transit_gateways
            .iter()
            .enumerate()
            .flat_map(|(t, tgw)| {
                tgw.segments
                    .iter()
                    .enumerate()
                    .map(move |(index, segment)| {
                        (
                            SegmentId {
                                tgw: TgwId(t),
                                index,
                            },
                            segment,
                        )
                    })
            })
    }

    /// Every transit gateway attachment (VPCs first, then interconnects), in blueprint order.
    pub fn attachments(&self) -> impl Iterator<Item = AttachmentRef> + '_ {
        (0..self.vpcs.len())
            .map(|i| AttachmentRef::Vpc(VpcId(i)))
            .chain(
                (0..self.interconnects.len())
                    .map(|i| AttachmentRef::Interconnect(InterconnectId(i))),
            )
    }

    /// The segment an attachment belongs to.
    pub fn segment_of(&self, attachment: AttachmentRef) -> SegmentId {
        match attachment {
            AttachmentRef::Vpc(id) => self.vpc(id).segment,
            AttachmentRef::Interconnect(id) => self.interconnect(id).segment,
        }
    }

    /// `vpc.NAME` or `interconnect.NAME`: how the blueprint and the generated tags name an attachment.
    pub fn attachment_address(&self, attachment: AttachmentRef) -> String {
        match attachment {
            AttachmentRef::Vpc(id) => format!("vpc.{}", self.vpc(id).name.value),
            AttachmentRef::Interconnect(id) => {
                format!("interconnect.{}", self.interconnect(id).name.value)
            }
        }
    }

    /// Whether the intent lets segment `a` and segment `b` reach each other: the same segment unless
    /// it is isolated, or segments joined by `connects_to` (declared from either side).
    /// The blueprint text that declares the intent between two segments: the `connects_to` entry
    /// joining them (from either side), or, within one segment, the segment's label.
    pub fn intent_span(&self, a: SegmentId, b: SegmentId) -> Span {
        if a == b {
            return self.segment(a).name.span;
        }
        let declared = |from: SegmentId, to: SegmentId| {
            self.segment(from)
                .connects_to
                .iter()
                .find(|c| c.value == to)
                .map(|c| c.span)
        };
        declared(a, b)
            .or_else(|| declared(b, a))
            .unwrap_or(self.segment(a).name.span)
    }

    pub fn intends_reachable(&self, a: SegmentId, b: SegmentId) -> bool {
        if a == b {
            return !self.segment(a).isolated;
        }
        a.tgw == b.tgw
            && (self.segment(a).connects_to.iter().any(|c| c.value == b)
                || self.segment(b).connects_to.iter().any(|c| c.value == a))
    }
}
