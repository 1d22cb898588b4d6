#!/usr/bin/env bash
# Collects what `agentform propagation PATH --aws DIR` reads: the AWS CLI's JSON responses about
# transit gateway attachments and route tables, one directory per route table.
#
#   scripts/collect-tgw.sh DIR [--transit-gateway-id tgw-...] [any aws CLI option, e.g.
#                              --region us-east-1 --profile prod --endpoint-url http://127.0.0.1:5000]
#
# Layout written (README, "The --aws DIR layout"):
#   DIR/transit-gateway-attachments.json              describe-transit-gateway-attachments
#   DIR/transit-gateway-route-tables.json             describe-transit-gateway-route-tables
#   DIR/route-tables/<tgw-rtb-id>/associations.json   get-transit-gateway-route-table-associations
#   DIR/route-tables/<tgw-rtb-id>/propagations.json   get-transit-gateway-route-table-propagations
#   DIR/route-tables/<tgw-rtb-id>/routes.json         search-transit-gateway-routes (static routes
#                                                     and blackholes; propagated ones follow from the
#                                                     propagations)
#   DIR/vpc-route-tables.json                         describe-route-tables of the attached VPCs
#                                                     (where a packet sent into a VPC goes next)
#
# Needs the AWS CLI (v1 or v2) on PATH (or AWS_CLI=/path/to/aws) and read-only EC2 permissions:
# ec2:DescribeTransitGatewayAttachments, ec2:DescribeTransitGatewayRouteTables,
# ec2:GetTransitGatewayRouteTableAssociations, ec2:GetTransitGatewayRouteTablePropagations,
# ec2:SearchTransitGatewayRoutes, ec2:DescribeRouteTables. AWS_ENDPOINT_URL is honoured by the CLI
# itself.
set -euo pipefail

if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 1
fi
dir=$1
shift
aws=${AWS_CLI:-aws}
command -v "$aws" >/dev/null || { echo "collect-tgw: the AWS CLI ($aws) is not on PATH" >&2; exit 1; }

gateway_filter=()
options=()
while [ $# -gt 0 ]; do
  case $1 in
    --transit-gateway-id)
      [ $# -ge 2 ] || { echo "collect-tgw: --transit-gateway-id needs a value" >&2; exit 1; }
      gateway_filter=(--filters "Name=transit-gateway-id,Values=$2")
      shift 2
      ;;
    *)
      options+=("$1")
      shift
      ;;
  esac
done

ec2() { "$aws" "${options[@]}" ec2 "$@" --output json; }

mkdir -p "$dir/route-tables"
ec2 describe-transit-gateway-attachments "${gateway_filter[@]}" >"$dir/transit-gateway-attachments.json"
ec2 describe-transit-gateway-route-tables "${gateway_filter[@]}" >"$dir/transit-gateway-route-tables.json"

tables=$("$aws" "${options[@]}" ec2 describe-transit-gateway-route-tables "${gateway_filter[@]}" \
  --query 'TransitGatewayRouteTables[].TransitGatewayRouteTableId' --output text)
for table in $tables; do
  mkdir -p "$dir/route-tables/$table"
  ec2 get-transit-gateway-route-table-associations --transit-gateway-route-table-id "$table" \
    >"$dir/route-tables/$table/associations.json"
  ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id "$table" \
    >"$dir/route-tables/$table/propagations.json"
  # search-transit-gateway-routes requires a filter; this one selects every static route and
  # blackhole (at most 1,000 per call, AWS's limit: AdditionalRoutesAvailable says when more exist).
  ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$table" \
    --filters "Name=type,Values=static" >"$dir/route-tables/$table/routes.json"
done
# shellcheck disable=SC2016 # the backticks are a JMESPath literal, not a shell expansion
vpcs=$("$aws" "${options[@]}" ec2 describe-transit-gateway-attachments "${gateway_filter[@]}" \
  --query 'TransitGatewayAttachments[?ResourceType==`vpc`].ResourceId' --output text)
if [ -n "$vpcs" ]; then
  ec2 describe-route-tables --filters "Name=vpc-id,Values=$(echo "$vpcs" | tr -s ' \t' ',,')" \
    >"$dir/vpc-route-tables.json"
else
  echo '{"RouteTables": []}' >"$dir/vpc-route-tables.json"
fi
echo "collect-tgw: $(echo "$tables" | wc -w) route tables and the route tables of $(echo "$vpcs" | wc -w) VPCs written to $dir" >&2
