#!/usr/bin/env bash
# The ceiling and Flotilla in one run, driven by the same client: saturated
# distributed/read throughput of each, and Flotilla's as a ratio of the ceiling.
#   compare.sh BUILD_DIR [HOSTS] [SECONDS] [CONNECTIONS] [SETTLE]
# SETTLE (7 s): Flotilla's run enrolls over SETTLE * 2/7 s and its CPU counts from
# SETTLE s in. Exits 1 when either run counted an error.
set -euo pipefail
build=${1:?usage: compare.sh BUILD_DIR [HOSTS] [SECONDS] [CONNECTIONS] [SETTLE]}
hosts=${2:-1000} seconds=${3:-12} conns=${4:-64} settle=${5:-7}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
source "$here/../lib.sh"
trap 'stop_served; rm -rf "$dir"' EXIT

reads_per_s() { grep -o '"read":{"count":[0-9]*,"errors":[0-9]*,"per_s":[0-9.eE+]*' "$1" | grep -o '[0-9.eE+]*$'; }

serve ceiling "$build/benchmarks/checkin_ceiling/checkin_ceiling" --port 0
"$build/benchmarks/agent_sim/agent_sim" --url "$served" --enroll_secret x --hosts "$hosts" --ramp 1 \
  --duration "$seconds" --saturate --connections "$conns" --progress 100 >"$dir/ceiling.json"
stop_served
"$here/../agent_sim/measure.sh" "$build" "$hosts" "$((seconds + settle + 3))" "$settle" \
  --ramp "$(awk -v s="$settle" 'BEGIN { print s * 2 / 7 }')" --saturate \
  --connections "$conns" --progress 100 >"$dir/flotilla.txt" 2>&1
grep '^{' "$dir/flotilla.txt" >"$dir/flotilla.json"
c=$(reads_per_s "$dir/ceiling.json")
f=$(reads_per_s "$dir/flotilla.json")
tail -1 "$dir/flotilla.txt"
awk -v c="$c" -v f="$f" 'BEGIN { printf "ceiling %.0f reads/s, flotilla %.0f reads/s, ratio %.2f\n", c, f, f / c }'
for run in ceiling flotilla; do
  grep -q '"errors":0,"connection_errors":0' "$dir/$run.json" || { echo "errors in the $run run:" && cat "$dir/$run.json" && exit 1; } >&2
done
