#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (the corpora grow as libFuzzer runs;
# they are not committed). Blueprints: every valid and invalid fixture and the reference blueprint.
# Deployed inputs: the state of a clean apply of small fixtures (`agentform synth-state`), the same
# state inside a saved plan, the deployed-input corpus of tests/fixtures/deployed/, and the AWS CLI
# layout of the unit test, joined with 0xFF as the aws_layout target reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus"/{blueprint_hcl,blueprint_json,deployed_state,deployed_plan,aws_layout}
for f in blueprints/*.hcl tests/fixtures/valid/*.hcl tests/fixtures/invalid/*.hcl tests/fixtures/emulator/*.hcl; do
  cp "$f" "$corpus/blueprint_hcl/$(basename "$(dirname "$f")")-$(basename "$f")"
done
for f in tests/fixtures/valid/*.json tests/fixtures/invalid/*.json; do
  cp "$f" "$corpus/blueprint_json/$(basename "$(dirname "$f")")-$(basename "$f")"
done
cargo build --quiet --locked
for f in tests/fixtures/valid/minimal.hcl tests/fixtures/valid/dev-prod.hcl tests/fixtures/valid/egress.hcl; do
  name=$(basename "${f%.hcl}")
  target/debug/agentform synth-state "$f" > "$corpus/deployed_state/$name.json"
  { printf '{"format_version":"1.2","planned_values":{},"resource_drift":[],"prior_state":'
    cat "$corpus/deployed_state/$name.json"
    printf '}'; } > "$corpus/deployed_plan/$name.json"
done
if [ -d tests/fixtures/deployed ]; then
  for f in tests/fixtures/deployed/*.json; do
    cp "$f" "$corpus/deployed_state/"
    cp "$f" "$corpus/deployed_plan/"
  done
fi
{
  printf '{"TransitGatewayAttachments":[{"TransitGatewayAttachmentId":"tgw-attach-1","ResourceType":"vpc","ResourceId":"vpc-1","State":"available","Tags":[{"Key":"agentform:component","Value":"vpc.a"}]}]}\xff'
  printf '{"TransitGatewayRouteTables":[{"TransitGatewayRouteTableId":"tgw-rtb-1","Tags":[{"Key":"agentform:segment","Value":"s"}]}]}\xff'
  printf '{"Associations":[{"TransitGatewayAttachmentId":"tgw-attach-1","State":"associated"}]}\xff'
  printf '{"TransitGatewayRouteTablePropagations":[{"TransitGatewayAttachmentId":"tgw-attach-1","State":"enabled"}]}\xff'
  printf '{"Routes":[{"DestinationCidrBlock":"10.9.0.0/16","Type":"static","State":"blackhole"}]}\xff'
  printf '{"RouteTables":[{"VpcId":"vpc-1","Routes":[{"DestinationCidrBlock":"0.0.0.0/0","TransitGatewayId":"tgw-1","State":"active"}]}]}'
} > "$corpus/aws_layout/layout"
echo "seeded: $(for t in "$corpus"/*; do printf '%s %s  ' "$(basename "$t")" "$(ls "$t" | wc -l)"; done)"
