#!/usr/bin/env bash
# Benchmark of `agentform generate` (full validation, reachability and rendering) on synthetic
# blueprints of N VPCs over 4 segments (rendered for hashicorp/aws 5.100, the provider the machine
# ships), against `terraform validate` with that real provider on the same generated stack.
#
#   bench/run.sh [RUNS]        # default 5 runs per measurement; prints medians
#
# Needs: a Rust toolchain, GNU time (/usr/bin/time), terraform on PATH, and the hashicorp/aws
# provider in a filesystem mirror ($AGENTFORM_TF_PLUGIN_DIR, default /opt/tf-plugins).
# Wall times are medians of RUNS; memory is the median peak resident set size.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
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


printf '%-8s %-12s %-12s %-14s %s\n' N "generate s" "generate MB" "validate s" "ratio"
for n in 1000 2000 5000 10000; do
  mkdir -p "$WORK/bp$n"
  "$BIN" synth --vpcs "$n" --segments 4 > "$WORK/bp$n/synth.hcl"
  read -r gen_s gen_kb < <(measure "$WORK/out$n" "$BIN" generate --aws-provider 5.100 --out "$WORK/out$n" "$WORK/bp$n")
  val="-"; ratio="-"
  if [ "$n" = 1000 ]; then
    rm -rf "$WORK/out$n" && "$BIN" generate --aws-provider 5.100 --out "$WORK/out$n" "$WORK/bp$n" >/dev/null 2>&1
    terraform -chdir="$WORK/out$n/synth" init -backend=false -input=false -no-color \
      -plugin-dir="$PLUGIN_DIR" >/dev/null
    read -r val _ < <(measure - terraform -chdir="$WORK/out$n/synth" validate -no-color)
    ratio="$(python3 -c "print(f'{$gen_s / $val:.1%}')")"
  fi
  printf '%-8s %-12s %-12s %-14s %s\n' "$n" "$gen_s" "$((gen_kb / 1024))" "$val" "$ratio"
done
