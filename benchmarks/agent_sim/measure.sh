#!/usr/bin/env bash
# One measured run: a fresh Flotilla on SQLite,
# agent_sim against it, and the server's CPU and resident memory
# from /proc over agent_sim's steady-state window.
#   measure.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [agent_sim options...]
# Prints agent_sim's JSON summary, then one line of server figures.
set -euo pipefail
build=${1:?usage: measure.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [agent_sim options]}
hosts=$2 duration=$3 after=$4
shift 4
dir=$(mktemp -d)
source "$(dirname "$0")/../lib.sh"
trap 'stop_served; rm -rf "$dir"' EXIT
ulimit -n 65536 2>/dev/null || true

serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 --sqlite_path "$dir/f.db" \
  --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served srv=$served_pid
setup "$url"

ticks() { awk '{print $14 + $15}' "/proc/$srv/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$srv/status"; }
hz=$(getconf CLK_TCK)
rss0=$(rss_kb)

"$build/benchmarks/agent_sim/agent_sim" --url "$url" --enroll_secret "$secret" --hosts "$hosts" \
  --duration "$duration" --measure_after "$after" --summary "$dir/sum.json" "$@" >/dev/null &
sim=$!
sleep "$after"
t0=$(ticks)
wait "$sim"
t1=$(ticks)
rss1=$(rss_kb)
cat "$dir/sum.json"
requests=$(grep -o '"requests":[0-9]*' "$dir/sum.json" | cut -d: -f2)
reads=$(grep -o '"read":{"count":[0-9]*' "$dir/sum.json" | grep -o '[0-9]*$')
awk -v t="$((t1 - t0))" -v hz="$hz" -v req="$requests" -v reads="$reads" -v r0="$rss0" \
  -v r1="$rss1" -v h="$hosts" 'BEGIN {
  cpu = t / hz
  printf "server: cpu %.2f s over the window; %.1f us per request (%d requests, %d reads); rss %.1f MiB at start, %.1f MiB at end, %.0f bytes per host\n",
    cpu, req ? cpu * 1e6 / req : 0, req, reads, r0 / 1024, r1 / 1024, (r1 - r0) * 1024 / h }'
