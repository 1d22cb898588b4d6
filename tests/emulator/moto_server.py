"""Starts moto's server (the pinned `moto[server]`) with one fix, for `tests/emulator.rs`.

moto 5.2.5 associates every new VPC attachment with the transit gateway's default route table, even
when the gateway was created with `DefaultRouteTableAssociation=disable` (AWS does not: such an
attachment starts with no association). The aws provider then sees that association and asks to
remove it, and moto's `DisassociateTransitGatewayRouteTable` fails (KeyError: it never recorded the
association it made), so `terraform apply` retries until it times out. This wrapper undoes that
implicit association when the gateway disables default association, which is what AWS does, and
changes nothing else.

Usage: python moto_server.py [moto_server arguments, e.g. -H 127.0.0.1 -p PORT]
"""

import sys

from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachmentBackend
from moto.server import main

_create = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment


def _create_honouring_disabled_default_association(self, transit_gateway_id, *args, **kwargs):
    attachment = _create(self, transit_gateway_id, *args, **kwargs)
    gateway = self.transit_gateways[transit_gateway_id]
    if gateway.options.get("DefaultRouteTableAssociation") == "disable":
        self.unset_route_table_association(gateway.default_route_table.id, attachment.id)
    return attachment


TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment = (
    _create_honouring_disabled_default_association
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
