//! The network core: transit gateways, their segments (one route table each) and static routes, and
//! the VPCs attached to them.

use super::{InterconnectId, Name};
use crate::diag::{Span, Spanned};
use ipnet::Ipv4Net;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TgwId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentId {
    pub tgw: TgwId,
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VpcId(pub usize);

/// Something attached to a transit gateway: it is associated with one segment's route table and
/// propagates its prefixes into the tables allowed to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttachmentRef {
    Vpc(VpcId),
    Interconnect(InterconnectId),
}

#[derive(Debug, Clone)]
pub struct TransitGateway {
    pub name: Name,
    pub amazon_side_asn: Spanned<u32>,
    pub description: Option<String>,
    pub segments: Vec<Segment>,
    pub routes: Vec<Route>,
    /// Whether the blackhole routes that stop hairpins through VPCs are added to the segments'
    /// tables (`derive_blackholes`, default true; `segregation::intent` derives them).
    pub derive_blackholes: Spanned<bool>,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub name: Name,
    /// Segments this one may reach (and be reached from): the relation is symmetric, declared from
    /// either side.
    pub connects_to: Vec<Spanned<SegmentId>>,
    /// Members of an isolated segment may not reach each other.
    pub isolated: bool,
    /// Whether the segment's members are meant to reach the internet (`internet`): `Some(false)`
    /// makes any internet path a leak, `Some(true)` makes a missing one a gap, `None` leaves it to
    /// the routes.
    pub internet: Option<Spanned<bool>>,
    /// Domains the segment's members may reach through a firewall's allow-list
    /// (`allowed_domains`), besides those the blueprint implies.
    pub allowed_domains: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: Name,
    pub segment: SegmentId,
    pub destination: Spanned<Ipv4Net>,
    pub action: RouteAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAction {
    Attachment(AttachmentRef),
    Blackhole,
}

#[derive(Debug, Clone)]
pub struct Vpc {
    pub name: Name,
    pub cidr: Spanned<Ipv4Net>,
    /// Availability zones, one private subnet each (same order as `subnets`).
    pub azs: Vec<Spanned<String>>,
    pub subnets: Vec<Spanned<Ipv4Net>>,
    pub transit_gateway: super::TgwId,
    pub segment: SegmentId,
    pub tenant: Option<String>,
    pub flow_log_retention_days: u32,
    /// Destinations the VPC's route table sends to the transit gateway, when the blueprint lists
    /// them; `None` means the default of `segregation::Intent::vpc_routes`.
    pub transit_gateway_routes: Option<Vec<Spanned<Ipv4Net>>>,
    /// Declared as a VPC that forwards traffic between attachments (an inspection or appliance
    /// VPC): paths through it are judged like direct ones, and its attachment gets appliance mode.
    pub forwards: Option<Spanned<bool>>,
    /// Dedicated transit gateway attachment subnets, one per AZ (`attachment_subnets`, or carved
    /// when internet egress or a firewall needs them); `None`: the attachment uses `subnets`.
    pub attachment_subnets: Option<Subnets>,
    /// The VPC is the platform's way to the internet (`internet_egress { }`).
    pub internet_egress: Option<InternetEgress>,
    /// AWS Network Firewall in the VPC's path (`firewall { }`).
    pub firewall: Option<Firewall>,
    /// Interface endpoint services (`model::endpoints::CATALOGUE` names) listed by the blueprint,
    /// overriding the derivation from the roles running in the VPC; `Some(empty)` means none.
    pub endpoints: Option<Vec<Spanned<&'static str>>>,
    /// The VPC pulls container images: `ecr.api`, `ecr.dkr` and the S3 gateway endpoint.
    pub image_pulls: Option<Spanned<bool>>,
}

impl Vpc {
    pub fn forwards(&self) -> bool {
        self.forwards.as_ref().is_some_and(|f| f.value)
    }

    pub fn image_pulls(&self) -> bool {
        self.image_pulls.as_ref().is_some_and(|f| f.value)
    }
    /// Whether what the VPC neither keeps nor sends back to the gateway leaves for the internet.
    pub fn reaches_internet(&self) -> bool {
        self.internet_egress.is_some()
    }
}

/// Subnets of one role, one per AZ in `azs` order: listed in the blueprint, or carved as `/28`s
/// from the top of the VPC CIDR (`carved`; their span is the block that asked for them).
#[derive(Debug, Clone)]
pub struct Subnets {
    pub subnets: Vec<Spanned<Ipv4Net>>,
    pub carved: bool,
}

/// Centralized egress as AWS documents it (Transit Gateways guide, "Example: Centralized outbound
/// routing to the internet"): an internet gateway, and per availability zone a public subnet with
/// an elastic IP and a NAT gateway; the attachment subnets send `0.0.0.0/0` to the NAT gateway of
/// their zone (or to the firewall endpoint first).
#[derive(Debug, Clone)]
pub struct InternetEgress {
    /// The `internet_egress` block.
    pub span: Span,
    pub public_subnets: Subnets,
}

/// AWS Network Firewall with an endpoint per AZ in its own subnet, traffic from the gateway routed
/// through the endpoint of the same AZ (Network Firewall guide, "Transit gateway attachment
/// configuration"); its attachment gets appliance mode.
#[derive(Debug, Clone)]
pub struct Firewall {
    /// The `firewall` block.
    pub span: Span,
    pub subnets: Subnets,
    /// Domains every segment reaching the internet through this firewall may reach, besides its
    /// own and those the blueprint implies.
    pub allowed_domains: Vec<Spanned<String>>,
    pub log_retention_days: u32,
}
