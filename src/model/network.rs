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
    /// The VPC is the platform's way to the internet (`internet_egress { }`).
    pub internet_egress: Option<InternetEgress>,
}

impl Vpc {
    pub fn forwards(&self) -> bool {
        self.forwards.as_ref().is_some_and(|f| f.value)
    }

    /// Whether what the VPC neither keeps nor sends back to the gateway leaves for the internet.
    pub fn reaches_internet(&self) -> bool {
        self.internet_egress.is_some()
    }
}

/// Centralized egress as AWS documents it (Transit Gateways guide, "Example: Centralized outbound
/// routing to the internet"): an internet gateway, and per availability zone a public subnet with
/// an elastic IP and a NAT gateway, and a small subnet the transit gateway attachment uses. The
/// subnets are the blueprint's, or carved from the top of the VPC CIDR (`/28` each).
#[derive(Debug, Clone)]
pub struct InternetEgress {
    /// The `internet_egress` block.
    pub span: Span,
    /// One per AZ, in `azs` order.
    pub public_subnets: Vec<Spanned<Ipv4Net>>,
    /// One per AZ, in `azs` order: the attachment's entry and exit points.
    pub attachment_subnets: Vec<Spanned<Ipv4Net>>,
    /// Whether the subnets were carved (not listed in the blueprint).
    pub carved: bool,
}
