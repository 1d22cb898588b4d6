#!/usr/bin/env bash
# Benchmark of `agentform drift` and `agentform propagation` on a synthetic state of about 100 MB:
# the `terraform show -json` a clean apply of a synthetic blueprint would leave (`agentform synth
# --vpcs N`, then the hidden `agentform synth-state`, which shapes every resource like the aws 5.100
# provider records it: about 880 bytes per resource; N = 8,000 gives 114,000 resources, 100 MB).
#
#   bench/drift.sh [RUNS] [N]     # default 5 runs, N = 8000; prints medians
#
# Needs a Rust toolchain and GNU time (/usr/bin/time). Wall times are medians of RUNS; memory is
# the median peak resident set size, compared with the state file's size.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
N="${2:-8000}"
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is required" >&2; exit 1; }

cargo build --release --quiet
BIN="$PWD/target/release/agentform"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN" synth --vpcs "$N" --segments 4 > "$WORK/synth.hcl"
"$BIN" synth-state "$WORK/synth.hcl" > "$WORK/state.json"
size=$(stat -c %s "$WORK/state.json")

measure() {
  local out="$WORK/times"
  : > "$out"
  for _ in $(seq "$RUNS"); do
    # Exit 0 (clean) is expected; anything else is a failure of the benchmark.
    /usr/bin/time -f "%e %M" -a -o "$out" "$@" >/dev/null
  done
  python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and l[0].isdigit()]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)))
' "$out"
}

printf 'state: %d MB, N = %d VPCs\n' "$((size / 1000000))" "$N"
printf '%-12s %-8s %-10s %s\n' command "wall s" "peak MB" "peak / state size"
for command in drift propagation; do
  read -r s kb < <(measure "$BIN" "$command" "$WORK/synth.hcl" --state "$WORK/state.json")
  printf '%-12s %-8s %-10s %s\n' "$command" "$s" "$((kb / 1024))" \
    "$(python3 -c "print(f'{$kb * 1024 / $size:.2f}')")"
done
