# Shared by the benchmarks: the tools they need, and `measure`.
# shellcheck shell=bash

# Fails unless GNU time, terraform and the provider mirror ($PLUGIN_DIR) are there.
require_tools() {
  [ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is required" >&2; exit 1; }
  command -v terraform >/dev/null || { echo "bench: terraform is required" >&2; exit 1; }
  [ -d "$PLUGIN_DIR/registry.terraform.io" ] || { echo "bench: no provider mirror at $PLUGIN_DIR" >&2; exit 1; }
}

# Median of RUNS measurements: prints "seconds kilobytes". $1 is a directory to empty before each
# run ("-" for none); the rest is the command. Uses $WORK for its scratch file.
measure() {
  local fresh="$1" out="$WORK/times"
  shift
  : > "$out"
  for _ in $(seq "$RUNS"); do
    [ "$fresh" = "-" ] || rm -rf "$fresh"
    /usr/bin/time -f "%e %M" -a -o "$out" "$@" >/dev/null 2>&1
  done
  python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and l[0].isdigit()]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)))
' "$out"
}
