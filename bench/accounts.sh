#!/usr/bin/env bash
# Benchmark of a platform across accounts (issue 17): `agentform generate` of a synthetic platform
# of ACCOUNTS accounts x VPCS_PER_ACCOUNT VPCs (one stack per account, the gateway owner's routing
# stack and a routes stack per spoke account), against the same VPCs in one account in the same
# run; and `terraform validate` with the real provider of one spoke's build stack and of the owner's
# routing stack (which holds every association and propagation).
#
#   bench/accounts.sh [RUNS] [ACCOUNTS] [VPCS_PER_ACCOUNT]   # defaults: 5 50 200; prints medians
#
# Needs what bench/run.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
ACCOUNTS="${2:-50}"
PER="${3:-200}"
VPCS=$((ACCOUNTS * PER))
PLUGIN_DIR="${AGENTFORM_TF_PLUGIN_DIR:-/opt/tf-plugins}"
# shellcheck source=bench/lib.sh
. bench/lib.sh
require_tools

cargo build --release --quiet
BIN="$PWD/target/release/agentform"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
: > "$TF_CLI_CONFIG_FILE"


mkdir -p "$WORK/one" "$WORK/many"
"$BIN" synth --vpcs "$VPCS" --segments 4 > "$WORK/one/synth.hcl"
"$BIN" synth --vpcs "$VPCS" --segments 4 --accounts "$ACCOUNTS" > "$WORK/many/synth.hcl"
read -r one_s one_kb < <(measure "$WORK/out-one" "$BIN" generate --aws-provider 5.100 --out "$WORK/out-one" "$WORK/one")
read -r many_s many_kb < <(measure "$WORK/out-many" "$BIN" generate --aws-provider 5.100 --out "$WORK/out-many" "$WORK/many")
"$BIN" generate --aws-provider 5.100 --out "$WORK/out-many" "$WORK/many" >/dev/null 2>&1
stacks=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["stacks"]))' "$WORK/out-many/synth/manifest.json")
files=$(find "$WORK/out-many" -type f | wc -l)
printf 'generate, %s VPCs: one account %ss %sMB; %s accounts (%s stacks, %s files) %ss %sMB; ratio %s\n' \
  "$VPCS" "$one_s" "$((one_kb / 1024))" "$ACCOUNTS" "$stacks" "$files" "$many_s" "$((many_kb / 1024))" \
  "$(python3 -c "print(f'{$many_s / $one_s:.2f}')")"

# terraform validate of one spoke's build stack and of the owner's routing stack, offline: a local
# backend and upstream states as .ci/offline-stacks.py prepares them.
python3 .ci/offline-stacks.py "$WORK/out-many/synth" > "$WORK/stacks.txt"
for stack in a1 a0-routing; do
  dir="$WORK/out-many/synth/$stack"
  terraform -chdir="$dir" init -input=false -no-color -plugin-dir="$PLUGIN_DIR" >/dev/null
  read -r val _ < <(measure - terraform -chdir="$dir" validate -no-color)
  resources=$(grep -c '^resource ' "$dir"/*.tf | awk -F: '{s+=$2} END {print s}')
  printf 'terraform validate, stack %s (%s resources): %ss; generate of the whole platform is %s of it\n' \
    "$stack" "$resources" "$val" "$(python3 -c "print(f'{$many_s / $val:.1%}')")"
done
