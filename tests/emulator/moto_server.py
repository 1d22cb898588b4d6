"""Starts moto's server (the pinned `moto[server]`) with a few fixes, for `tests/emulator.rs` and
`tests/emulator_accounts.rs`. Each fix makes moto do what AWS documents for one API the generated
stacks call, and changes nothing else.

1. moto 5.2.5 gives every transit gateway a default route table, reports it as the association
   and propagation default, and associates every new VPC attachment with it, even when the gateway
   was created with `DefaultRouteTableAssociation=disable` and `DefaultRouteTablePropagation=disable`.
   AWS creates no default route table then ("Either DefaultRouteTableAssociation or
   DefaultRouteTablePropagation must be set to enable for AWS Transit Gateway to create the default
   transit gateway route table", EC2 API reference, TransitGatewayOptions), so an attachment starts
   with no association and nothing (such as the provider's
   `aws_ec2_transit_gateway_vpc_attachment_accepter`, whose default-route-table arguments default to
   true) can propagate into a default table. With moto's table, the provider sees an association
   to remove and moto's `DisassociateTransitGatewayRouteTable` fails (KeyError), and the accepter
   propagates the accepted attachments into that table. Here such a gateway has no default table.

2. A transit gateway shared by RAM (Transit Gateways guide, "Sharing a transit gateway"): moto keeps
   EC2 per account and does not let another account see or attach to a gateway. Here:
   `DescribeTransitGateways` by id answers for a gateway of another account (the attaching account
   reads it); `CreateTransitGatewayVpcAttachment` from another account creates the attachment in
   `pendingAcceptance` (the gateway does not auto-accept), with no association, visible in both
   accounts, each with its own tags (AWS keeps tags per account: the owner does not see the
   creator's); `AcceptTransitGatewayVpcAttachment` (not in moto) makes it `available`;
   `CreateRoute` toward a gateway of another account records the gateway as the target.

3. RAM invitations (not in moto): `AssociateResourceShare` (resources and principals),
   `GetResourceShareInvitations`, `AcceptResourceShareInvitation`, `ListResources`,
   `ListResourceSharePermissions` (none: the share names no permission), and
   `GetResourceShares` for `OTHER-ACCOUNTS` (the shares whose invitation the caller accepted), with
   `resourceShareArns` honoured and tags returned. An account principal outside the organization
   gets a PENDING invitation, as RAM does.

4. moto reads the tags of a new transit gateway attachment under the route table's resource type
   (`transit-gateway-route-table`) and so drops them; they are read under the attachment's
   (`transit-gateway-attachment`), as the EC2 API documents.

Usage: python moto_server.py [moto_server arguments, e.g. -H 127.0.0.1 -p PORT]
"""

import copy
import json
import sys
import uuid

import moto.ram.urls
from moto.core.utils import unix_time, utcnow
from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import RouteBackend
from moto.ec2.exceptions import DuplicateTransitGatewayAttachmentError
from moto.ec2.models.transit_gateway import TransitGateway, TransitGatewayBackend
from moto.ec2.models.transit_gateway_attachments import (
    TransitGatewayAttachment,
    TransitGatewayAttachmentBackend,
    TransitGatewayVpcAttachment,
)
from moto.ec2.responses.transit_gateway_attachments import (
    TransitGatewayAttachment as AttachmentResponse,
)
from moto.core.responses import ActionResult
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare, ram_backends
from moto.ram.responses import ResourceAccessManagerResponse
from moto.server import main

# 1. No default route table when the gateway disables both defaults.

_gateway_init = TransitGateway.__init__


def _gateway_init_as_aws(self, backend, description, options=None):
    _gateway_init(self, backend, description, options)
    if (
        self.options.get("DefaultRouteTableAssociation") == "disable"
        and self.options.get("DefaultRouteTablePropagation") == "disable"
    ):
        backend.transit_gateways_route_tables.pop(self.default_route_table.id, None)
        self.options.pop("AssociationDefaultRouteTableId", None)
        self.options.pop("PropagationDefaultRouteTableId", None)
        self.default_route_table = None


TransitGateway.__init__ = _gateway_init_as_aws

_create = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment


def _backends(region):
    """The EC2 backends of every account moto knows, in `region`."""
    for account_id in list(ec2_backends.keys()):
        yield ec2_backends[account_id][region]


def _owner_of_gateway(backend, transit_gateway_id):
    """The EC2 backend of the account that owns `transit_gateway_id` when it is not `backend`'s."""
    if transit_gateway_id in backend.transit_gateways:
        return None
    for other in _backends(backend.region_name):
        if transit_gateway_id in other.transit_gateways:
            return other
    return None


def _create_vpc_attachment(self, transit_gateway_id, vpc_id, subnet_ids, tags=None, options=None):
    owner = _owner_of_gateway(self, transit_gateway_id) or self
    gateway = owner.transit_gateways.get(transit_gateway_id)
    if gateway is None or gateway.default_route_table is not None:
        return _create(self, transit_gateway_id, vpc_id, subnet_ids, tags, options)
    # A gateway without a default route table (0.): no association, as AWS.
    if self.describe_transit_gateway_vpc_attachments(
        filters={"transit-gateway-id": transit_gateway_id, "vpc-id": [vpc_id]}
    ):
        raise DuplicateTransitGatewayAttachmentError(transit_gateway_id)
    attachment = TransitGatewayVpcAttachment(
        self,
        transit_gateway=gateway,
        tags=tags,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        options=options,
    )
    self.transit_gateway_attachments[attachment.id] = attachment
    if owner is self:
        return attachment
    # 2. An attachment to a gateway shared from another account.
    attachment._transit_gateway_owner_id = owner.account_id
    if gateway.options.get("AutoAcceptSharedAttachments") != "enable":
        attachment.state = "pendingAcceptance"
    # The owner's view: the same attachment, its tags kept in the owner's account.
    twin = copy.copy(attachment)
    twin.ec2_backend = owner
    twin._association_data = {}
    twin.propagation = {}
    attachment._twin = twin
    twin._twin = attachment
    owner.transit_gateway_attachments[attachment.id] = twin
    return attachment


TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment = _create_vpc_attachment

TransitGatewayAttachment.transit_gateway_owner_id = property(
    lambda self: getattr(self, "_transit_gateway_owner_id", self.resource_owner_id)
)


def _accept_vpc_attachment(self, transit_gateway_attachment_id):
    attachment = self.transit_gateway_attachments[transit_gateway_attachment_id]
    for view in (attachment, getattr(attachment, "_twin", None)):
        if view is not None and view.state == "pendingAcceptance":
            view.state = "available"
    return attachment


TransitGatewayAttachmentBackend.accept_transit_gateway_vpc_attachment = _accept_vpc_attachment


def _accept_vpc_attachment_response(self):
    attachment = self.ec2_backend.accept_transit_gateway_vpc_attachment(
        transit_gateway_attachment_id=self._get_param("TransitGatewayAttachmentId")
    )
    return ActionResult({"TransitGatewayVpcAttachment": attachment})


AttachmentResponse.accept_transit_gateway_vpc_attachment = _accept_vpc_attachment_response


def _create_vpc_attachment_response(self):
    # moto reads the attachment's tags under the route table's resource type and drops them.
    specification = self._parse_tag_specification()
    tags = specification.get("transit-gateway-attachment") or specification.get(
        "transit-gateway-route-table", {}
    )
    attachment = self.ec2_backend.create_transit_gateway_vpc_attachment(
        transit_gateway_id=self._get_param("TransitGatewayId"),
        tags=tags,
        vpc_id=self._get_param("VpcId"),
        subnet_ids=self._get_param("SubnetIds", []),
        options=self._get_param("Options", {}),
    )
    return ActionResult({"TransitGatewayVpcAttachment": attachment})


AttachmentResponse.create_transit_gateway_vpc_attachment = _create_vpc_attachment_response

_describe_gateways = TransitGatewayBackend.describe_transit_gateways


def _describe_gateways_shared(self, filters, transit_gateway_ids):
    found = _describe_gateways(self, filters, transit_gateway_ids)
    for gateway_id in transit_gateway_ids or []:
        owner = _owner_of_gateway(self, gateway_id)
        if owner is not None:
            found.extend(_describe_gateways(owner, filters, [gateway_id]))
    return found


TransitGatewayBackend.describe_transit_gateways = _describe_gateways_shared

_create_route = RouteBackend.create_route


def _create_route_to_shared_gateway(self, route_table_id, destination_cidr_block, *args, **kwargs):
    transit_gateway_id = kwargs.get("transit_gateway_id")
    owner = _owner_of_gateway(self, transit_gateway_id) if transit_gateway_id else None
    route = _create_route(self, route_table_id, destination_cidr_block, *args, **kwargs)
    if owner is not None:
        route.transit_gateway = owner.transit_gateways[transit_gateway_id]
    return route


RouteBackend.create_route = _create_route_to_shared_gateway

# 3. RAM invitations.

_share_init = ResourceShare.__init__


def _share_init_with_tags(self, account_id, region, **kwargs):
    _share_init(self, account_id, region, **kwargs)
    self.tags = list(kwargs.get("tags") or [])
    # Invitations by receiving account id: {"arn", "status", "time"}.
    self.invitations = {}


ResourceShare.__init__ = _share_init_with_tags

_share_describe = ResourceShare.describe


def _share_describe_with_tags(self):
    described = _share_describe(self)
    described["tags"] = self.tags
    return described


ResourceShare.describe = _share_describe_with_tags

_add_principals = ResourceShare.add_principals


def _add_principals_inviting(self, principals):
    _add_principals(self, principals)
    for principal in principals:
        if principal.isdigit() and principal != self.account_id and principal not in self.invitations:
            self.invitations[principal] = {
                "arn": f"arn:aws:ram:{self.region}:{self.account_id}:resource-share-invitation/{uuid.uuid4()}",
                "status": "PENDING",
                "time": utcnow(),
            }


ResourceShare.add_principals = _add_principals_inviting


def _all_shares(region):
    for account_id in list(ram_backends.keys()):
        yield from ram_backends[account_id][region].resource_shares


def _invitation(share, receiver):
    invitation = share.invitations[receiver]
    return {
        "resourceShareInvitationArn": invitation["arn"],
        "resourceShareName": share.name,
        "resourceShareArn": share.arn,
        "senderAccountId": share.account_id,
        "receiverAccountId": receiver,
        "invitationTimestamp": unix_time(invitation["time"]),
        "status": invitation["status"],
    }


def _associate_resource_share(self):
    params = self.request_params
    share = next(s for s in self.ram_backend.resource_shares if s.arn == params["resourceShareArn"])
    principals = params.get("principals") or []
    resources = params.get("resourceArns") or []
    share.add_principals(principals)
    share.add_resources(resources)
    share.last_updated_time = utcnow()
    associations = [
        {
            "resourceShareArn": share.arn,
            "resourceShareName": share.name,
            "associatedEntity": entity,
            "associationType": kind,
            "status": "ASSOCIATED",
            "creationTime": unix_time(share.creation_time),
            "lastUpdatedTime": unix_time(share.last_updated_time),
            "external": kind == "PRINCIPAL" and entity in share.invitations,
        }
        for kind, entities in (("PRINCIPAL", principals), ("RESOURCE", resources))
        for entity in entities
    ]
    return json.dumps({"resourceShareAssociations": associations})


def _get_resource_share_invitations(self):
    params = self.request_params
    arns = params.get("resourceShareArns") or []
    invitation_arns = params.get("resourceShareInvitationArns") or []
    me = self.current_account
    found = [
        _invitation(share, me)
        for share in _all_shares(self.region)
        if me in share.invitations
        and (not arns or share.arn in arns)
        and (not invitation_arns or share.invitations[me]["arn"] in invitation_arns)
    ]
    return json.dumps({"resourceShareInvitations": found})


def _accept_resource_share_invitation(self):
    arn = self.request_params["resourceShareInvitationArn"]
    me = self.current_account
    for share in _all_shares(self.region):
        invitation = share.invitations.get(me)
        if invitation and invitation["arn"] == arn:
            invitation["status"] = "ACCEPTED"
            return json.dumps({"resourceShareInvitation": _invitation(share, me)})
    raise KeyError(arn)


def _shared_with_me(self):
    me = self.current_account
    arns = self.request_params.get("resourceShareArns") or []
    return [
        share
        for share in _all_shares(self.region)
        if share.invitations.get(me, {}).get("status") == "ACCEPTED"
        and (not arns or share.arn in arns)
    ]


def _get_resource_shares(self):
    params = self.request_params
    owner = params.get("resourceOwner")
    arns = params.get("resourceShareArns") or []
    if owner == "OTHER-ACCOUNTS":
        shares = _shared_with_me(self)
    else:
        shares = [s for s in self.ram_backend.resource_shares if not arns or s.arn in arns]
    return json.dumps({"resourceShares": [s.describe() for s in shares]})


def _list_resources(self):
    params = self.request_params
    if params.get("resourceOwner") == "OTHER-ACCOUNTS":
        shares = _shared_with_me(self)
    else:
        arns = params.get("resourceShareArns") or []
        shares = [s for s in self.ram_backend.resource_shares if not arns or s.arn in arns]
    resources = [
        {
            "arn": arn,
            "type": "ec2:" + arn.split(":")[5].split("/")[0].replace("-", "_").title().replace("_", ""),
            "resourceShareArn": share.arn,
            "status": "AVAILABLE",
            "creationTime": unix_time(share.creation_time),
            "lastUpdatedTime": unix_time(share.last_updated_time),
        }
        for share in shares
        for arn in share.resource_arns
    ]
    return json.dumps({"resources": resources})


def _list_resource_share_permissions(self):
    # No permission was named at creation; the share has none beyond RAM's default for the type,
    # which the provider does not compare (it reads `permission_arns` it was given).
    return json.dumps({"permissions": []})


ResourceAccessManagerResponse.associate_resource_share = _associate_resource_share
ResourceAccessManagerResponse.list_resource_share_permissions = _list_resource_share_permissions
ResourceAccessManagerResponse.get_resource_share_invitations = _get_resource_share_invitations
ResourceAccessManagerResponse.accept_resource_share_invitation = _accept_resource_share_invitation
ResourceAccessManagerResponse.get_resource_shares = _get_resource_shares
ResourceAccessManagerResponse.list_resources = _list_resources
moto.ram.urls.url_paths.update(
    {
        "{0}/associateresourceshare$": ResourceAccessManagerResponse.dispatch,
        "{0}/getresourceshareinvitations$": ResourceAccessManagerResponse.dispatch,
        "{0}/acceptresourceshareinvitation$": ResourceAccessManagerResponse.dispatch,
        "{0}/listresources$": ResourceAccessManagerResponse.dispatch,
        "{0}/listresourcesharepermissions$": ResourceAccessManagerResponse.dispatch,
    }
)
assert ResourceAccessManagerBackend  # the backend keeps its own shares; the responses above add the rest

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
