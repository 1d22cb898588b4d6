//! AWS Interconnect - multicloud: a private link to a partner cloud that lands on a Direct Connect
//! gateway, which is associated with a transit gateway and so becomes one more attachment.

use super::{Name, SegmentId, TgwId};
use crate::diag::Spanned;
use ipnet::Ipv4Net;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InterconnectId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    GoogleCloud,
    OracleCloud,
    Azure,
}

impl Partner {
    pub const ALL: [(&'static str, Partner); 3] = [
        ("google_cloud", Partner::GoogleCloud),
        ("oracle_cloud", Partner::OracleCloud),
        ("azure", Partner::Azure),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Partner::GoogleCloud => "google_cloud",
            Partner::OracleCloud => "oracle_cloud",
            Partner::Azure => "azure",
        }
    }

    /// AWS Regions where the pairing with this partner is documented (AWS Interconnect user guide,
    /// "Regional availability"; see provider-facts §3). `None` means unknown.
    pub fn documented_regions(self) -> Option<&'static [&'static str]> {
        match self {
            Partner::GoogleCloud => Some(&[
                "us-east-1",
                "us-west-1",
                "us-west-2",
                "eu-west-2",
                "eu-central-1",
                "ap-southeast-1",
            ]),
            Partner::OracleCloud => Some(&["us-east-1"]),
            Partner::Azure => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Interconnect {
    pub name: Name,
    pub transit_gateway: TgwId,
    pub segment: SegmentId,
    pub partner: Spanned<Partner>,
    pub bandwidth: Spanned<String>,
    /// Prefixes the partner cloud announces over the link.
    pub remote_cidrs: Vec<Spanned<Ipv4Net>>,
    pub dx_gateway_asn: Spanned<u32>,
    /// The partner environment an AWS-initiated connection connects to (Interconnect API
    /// `environmentId`). Without it the generated stack asks for it as a Terraform variable.
    pub environment_id: Option<String>,
}
