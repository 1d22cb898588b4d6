//! The resource arguments that force replacement ([`FORCE_NEW`]), with the basis of each row, and
//! `docs/replacement.md` generated from them.

use std::fmt::Write as _;

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
        resource: "aws_ec2_transit_gateway_vpc_attachment_accepter",
        arguments: &["transit_gateway_attachment_id"],
        basis: "AWS API: `AcceptTransitGatewayVpcAttachment` accepts one attachment, named by its id; accepting another is a new acceptance",
    },
    ForceNew {
        resource: "aws_ec2_tag",
        arguments: &["resource_id", "key"],
        basis: "AWS API: a tag is created on one resource under one key (`CreateTags`) and removed as such (`DeleteTags`); only its value is rewritten in place",
    },
    ForceNew {
        resource: "aws_ram_resource_association",
        arguments: &["resource_arn", "resource_share_arn"],
        basis: "AWS API: a resource is associated with a share and disassociated (`AssociateResourceShare`, `DisassociateResourceShare`), never moved",
    },
    ForceNew {
        resource: "aws_ram_principal_association",
        arguments: &["principal", "resource_share_arn"],
        basis: "AWS API: a principal is associated with a share and disassociated (`AssociateResourceShare`, `DisassociateResourceShare`), never changed",
    },
    ForceNew {
        resource: "aws_ram_resource_share_accepter",
        arguments: &["share_arn"],
        basis: "AWS API: `AcceptResourceShareInvitation` accepts the invitation of one share",
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
         <!-- Generated from `FORCE_NEW` in src/diff/replacement.rs by `AGENTFORM_BLESS=1 cargo test --test docs`. -->\n\n\
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
